# R_A and R_B after each pulse versus pulse amplitude (paper, Fig. 3a/3c).
# Input: figcheck --table rows: cycle pulse amplitude R_A R_B fired reset N
set terminal pngcairo size 800,500 font ",11"
set output outfile
set title figtitle
set xlabel "pulse amplitude (V)"
set ylabel "R_A ({/Symbol W})" textcolor rgb "#c0392b"
set y2label "R_B ({/Symbol W})"
set ytics nomirror textcolor rgb "#c0392b"
set y2tics
set key top left
set grid
# one resistance scale on both axes (a reader that never reads AP after a
# pulse, as in the predicted Fig. 3c, would leave its axis empty)
stats table using 4 name "RA" nooutput
stats table using 5 name "RB" nooutput
lo = 0.95 * (RA_min < RB_min ? RA_min : RB_min)
hi = 1.03 * (RA_max > RB_max ? RA_max : RB_max)
set yrange [lo:hi]
set y2range [lo:hi]
plot table using ($1 == 1 ? $3 : 1/0):4 with linespoints pt 7 lc rgb "#c0392b" title "R_A", \
     table using ($1 == 1 ? $3 : 1/0):5 axes x1y2 with linespoints pt 5 lc rgb "black" title "R_B"
