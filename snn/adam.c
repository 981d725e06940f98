/* Adam optimiser (Kingma & Ba, "Adam: a method for stochastic
 * optimization", ICLR 2015) over every w and b of a dwmtj_weights. */
#include "dwmtj_snn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static size_t n_params(const dwmtj_snn_adam_state *a)
{
    size_t n = 0;
    for (int l = 0; l < a->n_layers; l++)
        n += (size_t)a->size[l] * a->size[l + 1] + a->size[l + 1];
    return n;
}

static int same_shape(const dwmtj_snn_adam_state *a, const dwmtj_weights *n)
{
    if (n->n_layers != a->n_layers)
        return 0;
    for (int l = 0; l <= a->n_layers; l++)
        if (n->size[l] != a->size[l])
            return 0;
    for (int l = 0; l < a->n_layers; l++)
        if (!n->w[l] || !n->b[l])
            return 0;
    return 1;
}

int dwmtj_snn_adam_init(dwmtj_snn_adam_state *a, const dwmtj_weights *net)
{
    if (!a)
        return DWMTJ_SNN_ERR_USAGE;
    memset(a, 0, sizeof *a);
    if (!net || net->n_layers < 1 || net->n_layers > DWMTJ_W_MAX_LAYERS)
        return DWMTJ_SNN_ERR_USAGE;
    a->n_layers = net->n_layers;
    for (int l = 0; l <= net->n_layers; l++) {
        if (net->size[l] < 1)
            return DWMTJ_SNN_ERR_SHAPE;
        a->size[l] = net->size[l];
    }
    a->lr = 1e-3;
    a->beta1 = 0.9;
    a->beta2 = 0.999;
    a->eps = 1e-8;
    size_t n = n_params(a);
    a->m = calloc(n, sizeof *a->m);
    a->v = calloc(n, sizeof *a->v);
    if (!a->m || !a->v) {
        dwmtj_snn_adam_free(a);
        return DWMTJ_SNN_ERR_NOMEM;
    }
    return DWMTJ_SNN_OK;
}

static void update(const dwmtj_snn_adam_state *a, double c1, double c2, float *x,
                   const float *g, double *m, double *v, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        double gk = g[k];
        m[k] = a->beta1 * m[k] + (1.0 - a->beta1) * gk;
        v[k] = a->beta2 * v[k] + (1.0 - a->beta2) * gk * gk;
        x[k] = (float)(x[k] - a->lr * (m[k] / c1) / (sqrt(v[k] / c2) + a->eps));
    }
}

int dwmtj_snn_adam(dwmtj_snn_adam_state *a, dwmtj_weights *net, const dwmtj_weights *grad)
{
    if (!a || !a->m || !a->v || !net || !grad)
        return DWMTJ_SNN_ERR_USAGE;
    if (!same_shape(a, net) || !same_shape(a, grad))
        return DWMTJ_SNN_ERR_SHAPE;
    if (!(a->lr > 0.0) || !(a->beta1 >= 0.0 && a->beta1 < 1.0) ||
        !(a->beta2 >= 0.0 && a->beta2 < 1.0) || !(a->eps > 0.0))
        return DWMTJ_SNN_ERR_USAGE;
    a->t++;
    double c1 = 1.0 - pow(a->beta1, (double)a->t), c2 = 1.0 - pow(a->beta2, (double)a->t);
    size_t off = 0;
    for (int l = 0; l < a->n_layers; l++) {
        size_t nw = (size_t)a->size[l] * a->size[l + 1], nb = a->size[l + 1];
        update(a, c1, c2, net->w[l], grad->w[l], a->m + off, a->v + off, nw);
        off += nw;
        update(a, c1, c2, net->b[l], grad->b[l], a->m + off, a->v + off, nb);
        off += nb;
    }
    return DWMTJ_SNN_OK;
}

void dwmtj_snn_adam_free(dwmtj_snn_adam_state *a)
{
    if (!a)
        return;
    free(a->m);
    free(a->v);
    a->m = a->v = NULL;
}
