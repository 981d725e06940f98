# Device-to-device variation (scripts/mc-figures): histograms over devices
# of the 50 % amplitudes of depin, fire and reset in Fig. 3a's protocol.
# gnuplot -e "out='variation.png'; csv='variation.csv'; devices=1000" variation.gp
# csv: dwmtj mc --protocol amplitude --csv (columns 7, 8, 9: depin, fire,
# reset 50 % in V; 'below' or 'above' the pulses' range is skipped: the
# CSV's first two lines are its configuration and header)
set terminal pngcairo size 860,520 font ",11"
set output out
set datafile separator ","
set title sprintf("proto, %d devices (dev_seed 1..%d: var_jc 5 %%, var_x 5 nm, var_r 5 %%,\nvar_tmr 5 %%, var_rho 3 %%), 10 Fig. 3a cycles each", devices, devices) noenhanced
set xlabel "50 % amplitude over a device's cycles (V)"
set ylabel "devices per 50 mV"
set yrange [0:*]
set key top left
set grid
set style fill transparent solid 0.45 noborder
w = 0.05
bin(x) = w * floor(x / w + 0.5)
set boxwidth w
set xrange [1.4:2.8]
set xtics 0.1
# the numeric rows of column c only: a 'below' or 'above' would split
# gnuplot's data into blocks, which smooth frequency counts apart
col(c) = sprintf("< awk -F, 'NR > 2 && $%d + 0 == $%d { print $%d }' '%s'", c, c, c, csv)
plot col(7) using (bin($1)):(1.0) smooth frequency with boxes lc rgb "#2e86c1" title "depin", \
     col(8) using (bin($1)):(1.0) smooth frequency with boxes lc rgb "#c0392b" title "fire", \
     col(9) using (bin($1)):(1.0) smooth frequency with boxes lc rgb "#27ae60" title "reset"
