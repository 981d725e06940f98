# Device-to-device variation (scripts/mc-figures): histograms over devices
# of the 50 % amplitudes of depin, fire and reset in Fig. 3a's protocol.
# gnuplot -e "out='variation.png'; csv='variation.csv'; devices=1000" variation.gp
# csv: dwmtj mc --protocol amplitude --csv (columns 7, 8, 9: depin, fire,
# reset 50 % in V; 'below' or 'above' the pulses' range is skipped)
set terminal pngcairo size 860,520 font ",11"
set output out
set datafile separator ","
set title sprintf("proto, %d devices (dev_seed 1..%d: var_jc 5 %%, var_x 5 nm, var_r 5 %%,\nvar_tmr 5 %%, var_rho 3 %%), 10 Fig. 3a cycles each", devices, devices) noenhanced
set xlabel "50 % amplitude over a device's cycles (V)"
set ylabel "devices per 10 mV"
set key top left
set grid
set style fill transparent solid 0.45 noborder
w = 0.01
bin(x) = w * floor(x / w + 0.5)
set boxwidth w
set xrange [1.4:2.8]
set xtics 0.1
plot csv every ::1 using (bin($7)):(1.0) smooth frequency with boxes lc rgb "#2e86c1" title "depin", \
     csv every ::1 using (bin($8)):(1.0) smooth frequency with boxes lc rgb "#c0392b" title "fire", \
     csv every ::1 using (bin($9)):(1.0) smooth frequency with boxes lc rgb "#27ae60" title "reset"
