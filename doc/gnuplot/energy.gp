# Energy per inference by component (scripts/energy-bars): a stacked bar
# per run of what the sources deliver, and the devices' own energy (their
# monitors' sum of V I at the terminals) as a point: with the ideal
# periphery the mirror is the device's only source; with the cell the
# mirror, clear, sense and write driver together must reach the point.
set terminal pngcairo size 900,520 font ",11"
set output outfile
set title "dwmtj infer: energy per inference by component"
set ylabel "energy per inference (pJ)"
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.6
set key outside right top
set grid ytics
set yrange [0:*]
set xtics noenhanced
set datafile separator "\t"
plot table using 3:xtic(1) title "crossbar drivers" lc rgb "#7f8c8d", \
     '' using 4 title "mirror" lc rgb "#2e86c1", \
     '' using 5 title "clear" lc rgb "#e67e22", \
     '' using 6 title "sense (read bias)" lc rgb "#27ae60", \
     '' using 7 title "write driver" lc rgb "#c0392b", \
     '' using 8 title "static (0: ideal)" lc rgb "#8e44ad", \
     '' using 0:9 with points pt 7 ps 1.6 lc rgb "black" title "devices (monitor)"
