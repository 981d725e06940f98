# Resistances over continuous write-integrate-fire-reset cycles (paper,
# Fig. 3d/3e/4b): one point per pulse, cycles laid end to end.
set terminal pngcairo size 1000,450 font ",11"
set output outfile
set title figtitle
set xlabel "pulse (cycles end to end)"
set ylabel "R ({/Symbol W})"
set key outside right
set grid
plot table using 0:4 with points pt 7 ps 0.4 lc rgb "#c0392b" title "R_A", \
     table using 0:5 with points pt 5 ps 0.4 lc rgb "black" title "R_B"
