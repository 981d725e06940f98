# Distributions of pulses to fire with sigma = 0.3 (paper, Fig. 5a/5b), two
# calibrations. Uses the first row of each cycle (pulse == 1), column 8.
set terminal pngcairo size 800,500 font ",11"
set output outfile
set title figtitle
set xlabel "pulses to fire"
set ylabel "cycles"
set style fill solid 0.6 border -1
set boxwidth 0.8
set grid
binc(x) = floor(x + 0.5)
plot table1 using (binc($8)):($2 == 1 ? 1 : 0) smooth frequency with boxes lc rgb "#2e86c1" title "mean near 12", \
     table2 using (binc($8)):($2 == 1 ? 1 : 0) smooth frequency with boxes lc rgb "#27ae60" title "mean near 35"
