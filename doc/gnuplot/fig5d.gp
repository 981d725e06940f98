# Paper, Fig. 5d: test accuracy per epoch (mean +- sd over seeds).
# gnuplot -e "out='fig5d.png'; dir='DIR'; thermal=1; note='...'" fig5d.gp
#   (DIR: fig5d-KIND.dat; thermal=1 adds the thermal DW-MTJ's curve, its
#   label ending in note)
set terminal pngcairo size 800,520
set output out
set xlabel 'epoch'
set ylabel 'test accuracy (%)'
set key bottom center box opaque
set grid
set xrange [0.5:10.5]
set title 'Fashion-MNIST, 784-100-100-10 spiking MLP (mean ± sd over seeds)'
if (!exists('thermal')) thermal = 0
if (!exists('note')) note = ''
$paper << EOD
10 79.1
10 76.4
10 77.4
EOD
if (thermal) {
    plot dir.'/fig5d-lif.dat' u 1:2:3 w yerrorlines lw 2 t 'LIF', \
         dir.'/fig5d-dwmtj.dat' u 1:2:3 w yerrorlines lw 2 t 'DW-MTJ', \
         dir.'/fig5d-dwmtj-noisy.dat' u 1:2:3 w yerrorlines lw 2 t 'noisy DW-MTJ', \
         dir.'/fig5d-dwmtj-thermal.dat' u 1:2:3 w yerrorlines lw 2 t 'thermal DW-MTJ, 100 µA'.note, \
         $paper u 1:2 w p pt 7 ps 1.5 t 'paper, epoch 10 (LIF, DW-MTJ, noisy)'
} else {
    plot dir.'/fig5d-lif.dat' u 1:2:3 w yerrorlines lw 2 t 'LIF', \
         dir.'/fig5d-dwmtj.dat' u 1:2:3 w yerrorlines lw 2 t 'DW-MTJ', \
         dir.'/fig5d-dwmtj-noisy.dat' u 1:2:3 w yerrorlines lw 2 t 'noisy DW-MTJ', \
         $paper u 1:2 w p pt 7 ps 1.5 t 'paper, epoch 10 (LIF, DW-MTJ, noisy)'
}
