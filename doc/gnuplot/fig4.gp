# Pulse-number encoding (paper, Fig. 4a): R_A and R_B versus pulse number in
# the first cycle, with the end of the paper's train of `train` pulses.
# Input: table (figcheck --table rows: cycle pulse amplitude R_A R_B ...).
set terminal pngcairo size 800,500 font ",11"
set output outfile
set title figtitle
set xlabel "pulse number (2.4 V, 50 ns)"
set ylabel "R_A ({/Symbol W})" textcolor rgb "#c0392b"
set y2label "R_B ({/Symbol W})"
set ytics nomirror textcolor rgb "#c0392b"
set y2tics
set key top right
set grid
set arrow from train + 0.5, graph 0 to train + 0.5, graph 1 nohead dt 2 lc rgb "#555555"
set label sprintf("end of the paper's %d-pulse train", train) at train + 1, graph 0.08 textcolor rgb "#555555"
plot table using ($1 == 1 ? $2 : 1/0):4 with linespoints pt 7 lc rgb "#c0392b" title "R_A", \
     table using ($1 == 1 ? $2 : 1/0):5 axes x1y2 with linespoints pt 5 lc rgb "black" title "R_B"
