# Continuous cycles with the state probabilities per amplitude (paper,
# Fig. 3d/3e): top, R_A and R_B after each pulse, cycles end to end; bottom,
# the probability of each state after a pulse of each amplitude.
# Input: table (figcheck --table), probtable (figcheck --prob: amplitude,
# P_pinned, P_depinned, P_fired, P_reset, then P past each transition).
set terminal pngcairo size 1000,800 font ",11"
set output outfile
set multiplot layout 2,1 title figtitle
set grid
set key outside right
set xlabel "pulse (cycles end to end)"
set ylabel "R ({/Symbol W})"
plot table using 0:4 with points pt 7 ps 0.3 lc rgb "#c0392b" title "R_A", \
     table using 0:5 with points pt 5 ps 0.3 lc rgb "black" title "R_B"
set xlabel "pulse amplitude (V)"
set ylabel "probability after the pulse"
set yrange [-0.02:1.02]
set xtics 0.1
plot probtable using 1:2 with linespoints pt 7 lw 2 lc rgb "#7f8c8d" title "pinned under the writer", \
     probtable using 1:3 with linespoints pt 5 lw 2 lc rgb "#2e86c1" title "depinned (integrating)", \
     probtable using 1:4 with linespoints pt 9 lw 2 lc rgb "#c0392b" title "fired (reader AP)", \
     probtable using 1:5 with linespoints pt 11 lw 2 lc rgb "#27ae60" title "reset"
unset multiplot
