# Write-error rate of the nominal proto device (scripts/mc-figures): the
# share of write pulses that nucleate nothing against their amplitude, a
# curve per width, with 95 % Wilson intervals; a point with no failure is
# drawn at its upper bound.
# gnuplot -e "out='wer.png'; csv='wer.csv'; attempts=10000" wer.gp
# csv: dwmtj mc --protocol write --csv (amplitude_V, width_s, attempts,
# failures, wer, wer_lo, wer_hi, ...)
set terminal pngcairo size 800,520 font ",11"
set output out
set datafile separator ","
set title sprintf("proto, nominal device: write through MTJ_A (1 Ohm switch), %d pulses per point", attempts) noenhanced
set xlabel "write pulse amplitude (V)"
set ylabel "write-error rate"
set logscale y
set format y "10^{%T}"
set yrange [1e-5:1.5]
set key bottom left box opaque
set grid
# width w (s): its rate where it failed, or its upper bound where it did not
at(w) = abs($2 - w) < 1e-12 && $4 > 0 ? $5 : 1/0
bound(w) = abs($2 - w) < 1e-12 && $4 == 0 ? $7 : 1/0
plot csv every ::1 using 1:(at(10e-9)):6:7 with yerrorlines lw 2 pt 7 lc 1 title "10 ns", \
     csv every ::1 using 1:(at(20e-9)):6:7 with yerrorlines lw 2 pt 7 lc 2 title "20 ns", \
     csv every ::1 using 1:(at(50e-9)):6:7 with yerrorlines lw 2 pt 7 lc 3 title "50 ns", \
     csv every ::1 using 1:(bound(10e-9)) with points pt 11 ps 1.3 lc 1 notitle, \
     csv every ::1 using 1:(bound(20e-9)) with points pt 11 ps 1.3 lc 2 notitle, \
     csv every ::1 using 1:(bound(50e-9)) with points pt 11 ps 1.3 lc 3 \
         title "no failure: 95 % upper bound"
