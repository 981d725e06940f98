#!/bin/sh
# The main job: 100 continuous write-integrate-fire-reset cycles of the proto
# device (paper, Fig. 3d) through the ngspice binary, then the summary:
# cycles, fires, resets, latency and device energy per spike by phase.
# usage: demo.sh CODEMODEL FIGCHECK SRCDIR OUTDIR
set -eu
cm=$1 figcheck=$2 srcdir=$3 out=$4
echo "dwmtj4t demo: netlists/fig3d.cir, 100 cycles through ngspice -b"
"$srcdir/scripts/run-netlist" "$cm" "$srcdir/netlists/fig3d.cir" "$out"
"$figcheck" summary "$out/fig3d.dat"
rm -f "$out/fig3d.dat"
