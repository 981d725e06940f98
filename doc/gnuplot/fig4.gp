# Pulse-number encoding (paper, Fig. 4a): R_A and R_B versus pulse number in
# the first cycle.
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
plot table using ($1 == 1 ? $2 : 1/0):4 with linespoints pt 7 lc rgb "#c0392b" title "R_A", \
     table using ($1 == 1 ? $2 : 1/0):5 axes x1y2 with linespoints pt 5 lc rgb "black" title "R_B"
