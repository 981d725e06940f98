# Firing rate of the 64 x 16 crossbar versus input strength
# (scripts/crossbar-rate): mean over the 16 neurons with its standard
# deviation, and the slowest and fastest neuron.  The neurons are re-armed
# by a 10 ns clock, so a cycle lasts a whole number of clock periods: the
# dashed lines are the rates 1/(n t_arm) for the default t_arm = 10 ns.
set terminal pngcairo size 800,500 font ",11"
set output outfile
set title figtitle
set xlabel "input strength (probability of a pulse per 2 ns slot)"
set ylabel "firing rate per neuron (spikes / {/Symbol m}s)"
set key top left
set grid
set xrange [0:1.05]
set yrange [0:60]
set for [n=2:8] arrow from 0, 100.0/n to 1.05, 100.0/n nohead dt 2 lc rgb "#7fa7d9"
set label "1/(n t_{arm}), n = 2 .. 8" at 0.62, 52 textcolor rgb "#4a78b0"
plot table using 1:2:3 with yerrorlines pt 7 lc rgb "#c0392b" title "mean {/Symbol \261} sd", \
     table using 1:4 with points pt 6 lc rgb "black" title "slowest neuron", \
     table using 1:5 with points pt 4 lc rgb "black" title "fastest neuron"
