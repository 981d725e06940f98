/* Ideal leaky integrate-and-fire neuron: dimensionless membrane, threshold
 * 1, reset by subtraction of the (hard) spike, detached in the backward
 * pass. */
#include "snn_neuron.h"

void snn_lif_step(int n, double beta, double k, int smooth, double *u,
                  const double *a, double *s, double *psi, double *v)
{
    for (int o = 0; o < n; o++) {
        double vo = beta * u[o] + a[o], x = vo - 1.0;
        double hard = vo >= 1.0 ? 1.0 : 0.0;
        /* smooth mode: the smooth spike goes out, the reset subtracts the
         * hard one, whose derivative is 0 almost everywhere: a detached
         * reset that finite differences see as such */
        s[o] = smooth ? snn_smooth_spike(x, k) : hard;
        psi[o] = snn_surrogate(x, k);
        v[o] = vo;
        u[o] = vo - hard;
    }
}

void snn_lif_backward(int T, int n, double beta, const double *psi,
                      const double *ds, const double *direct, double *da)
{
    for (int o = 0; o < n; o++) {
        double g = 0.0; /* dL/dv(t+1) */
        for (int t = T - 1; t >= 0; t--) {
            size_t k = (size_t)t * n + o;
            g = psi[k] * ds[k] + (direct ? direct[k] : 0.0) + beta * g;
            da[k] = g;
        }
    }
}
