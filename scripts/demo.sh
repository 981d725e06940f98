#!/bin/sh
# The main job.  1: 100 continuous write-integrate-fire-reset cycles of the
# proto device (paper, Fig. 3d) through the ngspice binary, with the
# summary: cycles, fires, resets, latency and device energy per spike by
# phase.  2: the same netlist through the dwmtj tool (libngspice harness).
# 3: a 64x16 crossbar of scaled neurons with its periphery.  4: the shipped
# trained DW-MTJ network at circuit level on a few test images.  5: the
# same circuits through the KLU engine on 500 test images.  6: the small
# network with the neuron cell at each device's terminals (behavioural
# periphery, ngspice), energy by component.  7: the cell at transistor
# level (BSIM4 45 nm) on a stepped input.  8: the cell-tuned full network
# through the engine.  9: the small network trained for the cmos cell with
# the transistor-level cell on two images (ngspice).  10: the same network
# with the cell's macromodel through the engine on the whole test set (two
# ranks where mpirun is there).
# usage: demo.sh CODEMODEL FIGCHECK SRCDIR OUTDIR
# (env DWMTJ_TOOL: dwmtj; DWMTJ_MPIRUN: mpirun, may be empty)
set -eu
cm=$1 figcheck=$2 srcdir=$3 out=$4
echo "== dwmtj4t demo 1: netlists/fig3d.cir, 100 cycles through ngspice -b"
"$srcdir/scripts/run-netlist" "$cm" "$srcdir/netlists/fig3d.cir" "$out"
"$figcheck" summary "$out/fig3d.dat"
rm -f "$out/fig3d.dat"
if [ -n "${DWMTJ_TOOL:-}" ] && [ -x "$DWMTJ_TOOL" ]; then
    echo "== dwmtj4t demo 2: dwmtj run netlists/fig3d.cir (libngspice)"
    "$DWMTJ_TOOL" run --cm "$cm" "$srcdir/netlists/fig3d.cir" --csv "$out/fig3d-spikes.csv"
    echo "== dwmtj4t demo 3: dwmtj array, 64 x 16 crossbar"
    "$DWMTJ_TOOL" array --cm "$cm" --rows 64 --cols 16
    echo "== dwmtj4t demo 4: dwmtj infer, the shipped DW-MTJ network (784-100-100-10,"
    echo "   trained with the ideal circuit's continuous clamp: network and circuit agree"
    echo "   on all 10,000 test images, doc/training.md) at circuit level on 3 test"
    echo "   images (about a minute per image).  Its 200 uA"
    echo "   clamp, the paper's, is outside the device's safe operating area"
    echo "   (doc/operating-point.md): dwmtj infer stops on it unless --allow-unsafe."
    echo "   ngspice's step at most 10 ps (--tmax), a tenth of the clock period: no"
    echo "   domain passes an MTJ unseen, and the answer is within about 1 % of the"
    echo "   engine's below (doc/engine.md, Parity with ngspice)"
    DWMTJ_NETDIR="$srcdir/networks" "$DWMTJ_TOOL" infer --cm "$cm" --images 3 --allow-unsafe \
        --tmax 10p --results "$out/infer.csv"
    echo "== dwmtj4t demo 5: the same circuits through the KLU engine, 500 test images"
    echo "   (doc/engine.md; the first 3 are the images above)"
    DWMTJ_NETDIR="$srcdir/networks" "$DWMTJ_TOOL" infer --backend klu --images 500 --allow-unsafe \
        --results "$out/infer-klu.csv"
    echo "== dwmtj4t demo 6: the small network trained for the cell (196-32-10) with the cell at each"
    echo "   device's terminals (--periphery behavioural: fire sensed through MTJ_B, clear"
    echo "   and write from the neuron's own reset; doc/cell.md), 5 test images, ngspice"
    DWMTJ_NETDIR="$srcdir/networks" "$DWMTJ_TOOL" infer --cm "$cm" \
        --net "$srcdir/networks/dwmtj-fmnist-14-cell.net" --images 5 --periphery behavioural \
        --allow-unsafe \
        --results "$out/infer-cell.csv"
    echo "== dwmtj4t demo 7: the cell at transistor level (netlists/cell_cmos_demo.cir,"
    echo "   BSIM4 45 nm cards; doc/cell-cmos.md): device energy against all sources'"
    "$DWMTJ_TOOL" run --cm "$cm" "$srcdir/netlists/cell_cmos_demo.cir"
    echo "== dwmtj4t demo 8: the edge-clamp network fine-tuned for the cell"
    echo "   (networks/dwmtj-fmnist-cell.net, doc/training.md) with the behavioural cell at"
    echo "   every device's terminals, 50 test images through the KLU engine: energy and"
    echo "   latency by component (about a second per image)"
    "$DWMTJ_TOOL" infer --backend klu --net "$srcdir/networks/dwmtj-fmnist-cell.net" \
        --images 50 --allow-unsafe --results "$out/infer-cell-klu.csv"
    echo "== dwmtj4t demo 9: the small network trained for the cmos cell's rule"
    echo "   (networks/dwmtj-fmnist-14-cmos.net: its clamp, sense delay, clear and write;"
    echo "   doc/training.md) with the transistor-level cell (--periphery cmos: BSIM4 45 nm"
    echo "   at every device's terminals, ngspice, one thread; doc/inference.md, 'The cmos"
    echo "   periphery'), 2 test images: energy and latency by component (about 4 minutes)"
    DWMTJ_CELLDIR="$srcdir/netlists" "$DWMTJ_TOOL" infer --cm "$cm" \
        --net "$srcdir/networks/dwmtj-fmnist-14-cmos.net" --images 2 --periphery cmos \
        --allow-unsafe --results "$out/infer-cmos.csv"
    echo "== dwmtj4t demo 10: the same network with the cmos cell's macromodel (its default"
    echo "   periphery: netlists/cell_cmos_macro.txt, fitted to transistor-level runs) through"
    echo "   the KLU engine on the whole test set, 10,000 images (about 20 minutes on two"
    echo "   ranks)"
    set -- "$DWMTJ_TOOL" infer --backend klu --net "$srcdir/networks/dwmtj-fmnist-14-cmos.net" \
        --images 10000 --allow-unsafe --results "$out/infer-cmos-macro.csv"
    if [ -n "${DWMTJ_MPIRUN:-}" ]; then
        set -- "$DWMTJ_MPIRUN" --allow-run-as-root --oversubscribe -np 2 "$@"
    fi
    DWMTJ_CELLDIR="$srcdir/netlists" "$@"
fi
