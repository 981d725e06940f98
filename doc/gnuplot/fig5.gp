# Distributions of pulses to fire (paper, Fig. 5a/5b), both models side by
# side: left the thermal model (one device, no per-histogram fit), right the
# paper's model (velocity noise sigma = 0.3 per pulse, eta fitted to each
# mean).  Uses the first row of each cycle (pulse == 1), column 8.
# Input: thermal12, thermal35, paper12, paper35 (figcheck --table files).
set terminal pngcairo size 1200,500 font ",11"
set output outfile
set multiplot layout 1,2 title figtitle
set xlabel "pulses to fire"
set ylabel "cycles"
set style fill solid 0.6 border -1
set boxwidth 0.8
set grid
set xrange [0:*]
binc(x) = floor(x + 0.5)
set title "thermal model (proto-pn): 2.4 V and 2.14 V pulses"
plot thermal12 using (binc($8)):($2 == 1 ? 1 : 0) smooth frequency with boxes lc rgb "#2e86c1" title "2.4 V (mean near 12)", \
     thermal35 using (binc($8)):($2 == 1 ? 1 : 0) smooth frequency with boxes lc rgb "#27ae60" title "2.14 V (mean near 35)"
set title "paper's model (proto-paper, sigma = 0.3): 2.4 V, eta per histogram"
plot paper12 using (binc($8)):($2 == 1 ? 1 : 0) smooth frequency with boxes lc rgb "#2e86c1" title "eta = 0.058 (mean near 12)", \
     paper35 using (binc($8)):($2 == 1 ? 1 : 0) smooth frequency with boxes lc rgb "#27ae60" title "eta = 0.0192 (mean near 35)"
unset multiplot
