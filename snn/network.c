/* The spiking MLP: workspace, forward pass, loss and backward pass through
 * time (see dwmtj_snn.h for the model). */
#include "dwmtj_snn.h"
#include "snn_neuron.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* Per-thread scratch. */
struct snn_thread {
    double *a;            /* nmax: synaptic input of one layer */
    double *u;            /* ntot: LIF membranes of all layers */
    double *v;            /* nmax: LIF pre-reset membranes of one step */
    int *nz;              /* nmax: indices of non-zero inputs */
    snn_dw_neuron *dw;    /* ntot: devices of all layers */
    double *gw[DWMTJ_W_MAX_LAYERS], *gb[DWMTJ_W_MAX_LAYERS]; /* gradient sums */
    double *ds, *da, *dsp, *direct; /* T x nmax each */
};

struct dwmtj_snn_priv {
    int L, T, max_batch, nthreads, nmax, ntot;
    int size[DWMTJ_W_MAX_LAYERS + 1];
    double *spk[DWMTJ_W_MAX_LAYERS + 1];  /* [b][t][size[l]] */
    double *psi[DWMTJ_W_MAX_LAYERS + 1];  /* l >= 1, [b][t][size[l]] */
    double *A[DWMTJ_W_MAX_LAYERS + 1], *B[DWMTJ_W_MAX_LAYERS + 1];
    unsigned char *C[DWMTJ_W_MAX_LAYERS + 1];
    double *uo;      /* [b][t][n_out], output membrane */
    double *cnt;     /* [b][n_out] */
    double *usum;    /* [b][n_out] */
    double *loss_b;  /* [b] */
    int *stat_b;     /* [b] */
    snn_devfail *fail_b; /* [b]: the device call that failed image b */
    uint64_t *key_b;     /* [b]: image b's key, for messages */
    snn_devfail fail;    /* the device call that failed the setup */
    char msg[512];       /* what the last failed call went wrong with; "" */
    int have_last;
    struct snn_thread *th;
    snn_dw dw;
};

static void *zalloc(size_t n, size_t sz)
{
    return calloc(n ? n : 1, sz);
}

static void thread_free(struct snn_thread *t, int L)
{
    free(t->a);
    free(t->u);
    free(t->v);
    free(t->nz);
    free(t->dw);
    for (int l = 0; l < L; l++) {
        free(t->gw[l]);
        free(t->gb[l]);
    }
    free(t->ds);
    free(t->da);
    free(t->dsp);
    free(t->direct);
}

void dwmtj_snn_ws_free(dwmtj_snn_ws *ws)
{
    if (!ws)
        return;
    struct dwmtj_snn_priv *p = ws->priv;
    if (p) {
        for (int l = 0; l <= p->L; l++) {
            free(p->spk[l]);
            free(p->psi[l]);
            free(p->A[l]);
            free(p->B[l]);
            free(p->C[l]);
        }
        free(p->uo);
        free(p->cnt);
        free(p->usum);
        free(p->loss_b);
        free(p->stat_b);
        free(p->fail_b);
        free(p->key_b);
        if (p->th)
            for (int k = 0; k < p->nthreads; k++)
                thread_free(&p->th[k], p->L);
        free(p->th);
        free(p);
    }
    free(ws);
}

static int check_shape(const dwmtj_weights *net)
{
    if (net->n_layers < 1 || net->n_layers > DWMTJ_W_MAX_LAYERS)
        return DWMTJ_SNN_ERR_SHAPE;
    for (int l = 0; l <= net->n_layers; l++)
        if (net->size[l] < 1 || net->size[l] > (1 << 20))
            return DWMTJ_SNN_ERR_SHAPE;
    for (int l = 0; l < net->n_layers; l++)
        if (!net->w[l] || !net->b[l])
            return DWMTJ_SNN_ERR_SHAPE;
    if (net->steps < 1 || net->steps > 100000)
        return DWMTJ_SNN_ERR_SHAPE;
    return DWMTJ_SNN_OK;
}

int dwmtj_snn_ws_create(dwmtj_snn_ws **out, const dwmtj_weights *net, int max_batch)
{
    if (!out)
        return DWMTJ_SNN_ERR_USAGE;
    *out = NULL;
    if (!net || max_batch < 1)
        return DWMTJ_SNN_ERR_USAGE;
    int st = check_shape(net);
    if (st)
        return st;
    dwmtj_snn_ws *ws = zalloc(1, sizeof *ws);
    struct dwmtj_snn_priv *p = zalloc(1, sizeof *p);
    if (!ws || !p) {
        free(ws);
        free(p);
        return DWMTJ_SNN_ERR_NOMEM;
    }
    ws->priv = p;
    int lif = net->kind == DWMTJ_KIND_LIF;
    ws->opt.surr_k = 5.0;
    ws->opt.loss = lif ? DWMTJ_SNN_LOSS_COUNT : DWMTJ_SNN_LOSS_MEMBRANE;
    ws->opt.loss_scale = lif ? 1.0 : 20.0;
    ws->opt.i_max = dwmtj_snn_default_i_max(net->kind);
    ws->opt.smooth = 0;
    ws->opt.threads = 0;
    ws->opt.clamp_ramp = 0;
    p->L = net->n_layers;
    p->T = net->steps;
    p->max_batch = max_batch;
    for (int l = 0; l <= p->L; l++) {
        p->size[l] = net->size[l];
        if (l >= 1) {
            p->ntot += net->size[l];
            if (net->size[l] > p->nmax)
                p->nmax = net->size[l];
        }
    }
    if (net->size[0] > p->nmax)
        p->nmax = net->size[0];
    size_t BT = (size_t)max_batch * p->T;
    int ok = 1;
    for (int l = 0; l <= p->L && ok; l++) {
        p->spk[l] = zalloc(BT * p->size[l], sizeof(double));
        ok = p->spk[l] != NULL;
        if (l >= 1 && ok) {
            p->psi[l] = zalloc(BT * p->size[l], sizeof(double));
            p->A[l] = zalloc(BT * p->size[l], sizeof(double));
            p->B[l] = zalloc(BT * p->size[l], sizeof(double));
            p->C[l] = zalloc(BT * p->size[l], 1);
            ok = p->psi[l] && p->A[l] && p->B[l] && p->C[l];
        }
    }
    int nout = p->size[p->L];
    p->uo = ok ? zalloc(BT * nout, sizeof(double)) : NULL;
    p->cnt = ok ? zalloc((size_t)max_batch * nout, sizeof(double)) : NULL;
    p->usum = ok ? zalloc((size_t)max_batch * nout, sizeof(double)) : NULL;
    p->loss_b = ok ? zalloc(max_batch, sizeof(double)) : NULL;
    p->stat_b = ok ? zalloc(max_batch, sizeof(int)) : NULL;
    p->fail_b = ok ? zalloc(max_batch, sizeof *p->fail_b) : NULL;
    p->key_b = ok ? zalloc(max_batch, sizeof *p->key_b) : NULL;
    ok = ok && p->uo && p->cnt && p->usum && p->loss_b && p->stat_b && p->fail_b && p->key_b;
#ifdef _OPENMP
    p->nthreads = omp_get_max_threads();
#else
    p->nthreads = 1;
#endif
    if (p->nthreads < 1)
        p->nthreads = 1;
    p->th = ok ? zalloc(p->nthreads, sizeof *p->th) : NULL;
    if (!p->th)
        ok = 0, p->nthreads = 0;
    for (int k = 0; k < p->nthreads && ok; k++) {
        struct snn_thread *t = &p->th[k];
        size_t Tn = (size_t)p->T * p->nmax;
        t->a = zalloc(p->nmax, sizeof(double));
        t->u = zalloc(p->ntot, sizeof(double));
        t->v = zalloc(p->nmax, sizeof(double));
        t->nz = zalloc(p->nmax, sizeof(int));
        t->dw = zalloc(p->ntot, sizeof(snn_dw_neuron));
        t->ds = zalloc(Tn, sizeof(double));
        t->da = zalloc(Tn, sizeof(double));
        t->dsp = zalloc(Tn, sizeof(double));
        t->direct = zalloc(Tn, sizeof(double));
        ok = t->a && t->u && t->v && t->nz && t->dw && t->ds && t->da && t->dsp && t->direct;
        for (int l = 0; l < p->L && ok; l++) {
            t->gw[l] = zalloc((size_t)p->size[l] * p->size[l + 1], sizeof(double));
            t->gb[l] = zalloc(p->size[l + 1], sizeof(double));
            ok = t->gw[l] && t->gb[l];
        }
    }
    if (!ok) {
        dwmtj_snn_ws_free(ws);
        return DWMTJ_SNN_ERR_NOMEM;
    }
    *out = ws;
    return DWMTJ_SNN_OK;
}

/* ------------------------------------------------------------- input */

static double input_prob(const dwmtj_weights *net, unsigned char q)
{
    double pr = net->input_rate * net->dt * (double)q / 255.0;
    return pr < 1.0 ? pr : 1.0;
}

static int input_draw(uint64_t seed, uint64_t image, int step, int pixel, double pr)
{
    if (!(pr > 0.0))
        return 0;
    uint64_t h = snn_mix64(snn_mix64(snn_mix64(snn_mix64(seed) ^ image) ^ (uint64_t)step) ^
                           (uint64_t)pixel);
    double uni = ((double)(h >> 11) + 0.5) * (1.0 / 9007199254740992.0);
    return uni < pr;
}

int dwmtj_snn_input_spike(const dwmtj_weights *net, unsigned char q, uint64_t image,
                          int step, int pixel)
{
    if (!net)
        return 0;
    return input_draw(net->seed, image, step, pixel, input_prob(net, q));
}

/* ------------------------------------------------------------- checks */

static int check_call(const dwmtj_snn_ws *ws, const dwmtj_weights *net,
                      const unsigned char *images, int batch)
{
    if (!ws || !ws->priv || !net || !images)
        return DWMTJ_SNN_ERR_USAGE;
    const struct dwmtj_snn_priv *p = ws->priv;
    if (batch < 1 || batch > p->max_batch)
        return DWMTJ_SNN_ERR_USAGE;
    if (!(ws->opt.surr_k > 0.0) || !isfinite(ws->opt.surr_k) || !isfinite(ws->opt.loss_scale) ||
        (ws->opt.loss != DWMTJ_SNN_LOSS_COUNT && ws->opt.loss != DWMTJ_SNN_LOSS_MEMBRANE) ||
        !(ws->opt.i_max > 0.0))
        return DWMTJ_SNN_ERR_USAGE;
    int st = check_shape(net);
    if (st)
        return st;
    if (net->n_layers != p->L || net->steps != p->T)
        return DWMTJ_SNN_ERR_SHAPE;
    for (int l = 0; l <= p->L; l++)
        if (net->size[l] != p->size[l])
            return DWMTJ_SNN_ERR_SHAPE;
    if (!(net->dt > 0.0) || !isfinite(net->dt) || !(net->input_rate >= 0.0) ||
        !isfinite(net->input_rate))
        return DWMTJ_SNN_ERR_VALUE;
    switch (net->kind) {
    case DWMTJ_KIND_LIF:
        if (!(net->tau_mem > 0.0))
            return DWMTJ_SNN_ERR_VALUE;
        break;
    case DWMTJ_KIND_DWMTJ:
    case DWMTJ_KIND_DWMTJ_NOISY:
    case DWMTJ_KIND_DWMTJ_THERMAL:
        if (!(net->gain > 0.0) || !isfinite(net->gain))
            return DWMTJ_SNN_ERR_VALUE;
        if (net->kind == DWMTJ_KIND_DWMTJ_NOISY && (!(net->sigma >= 0.0) || !isfinite(net->sigma)))
            return DWMTJ_SNN_ERR_VALUE;
        break;
    default:
        return DWMTJ_SNN_ERR_VALUE;
    }
    return DWMTJ_SNN_OK;
}

/* ------------------------------------------------------------- forward */

static int forward_one(struct dwmtj_snn_priv *p, const dwmtj_snn_options *opt,
                       const dwmtj_weights *net, struct snn_thread *th,
                       const unsigned char *img, uint64_t image, int b)
{
    p->key_b[b] = image;
    int L = p->L, T = p->T, nout = p->size[L];
    int lif = net->kind == DWMTJ_KIND_LIF;
    double beta = lif ? exp(-net->dt / net->tau_mem) : 0.0;
    double *cnt = p->cnt + (size_t)b * nout, *usum = p->usum + (size_t)b * nout;
    memset(cnt, 0, nout * sizeof *cnt);
    memset(usum, 0, nout * sizeof *usum);
    if (lif) {
        memset(th->u, 0, p->ntot * sizeof *th->u);
    } else {
        int st = snn_dw_begin(&p->dw, th->dw, p->ntot, &p->fail_b[b]);
        if (st)
            return st;
    }
    for (int t = 0; t < T; t++) {
        int n0 = p->size[0];
        double *s0 = p->spk[0] + ((size_t)b * T + t) * n0;
        for (int i = 0; i < n0; i++)
            s0[i] = input_draw(net->seed, image, t, i, input_prob(net, img[i]));
        int off = 0;
        for (int l = 1; l <= L; l++) {
            int nin = p->size[l - 1], n = p->size[l];
            const double *sin = p->spk[l - 1] + ((size_t)b * T + t) * nin;
            int nnz = 0;
            for (int i = 0; i < nin; i++)
                if (sin[i] != 0.0)
                    th->nz[nnz++] = i;
            const float *W = net->w[l - 1], *bias = net->b[l - 1];
            for (int o = 0; o < n; o++) {
                const float *row = W + (size_t)o * nin;
                double acc = bias[o];
                for (int k = 0; k < nnz; k++)
                    acc += (double)row[th->nz[k]] * sin[th->nz[k]];
                th->a[o] = acc;
            }
            size_t r = ((size_t)b * T + t) * n;
            double *s = p->spk[l] + r, *psi = p->psi[l] + r;
            double *uout = th->v;
            if (lif) {
                snn_lif_step(n, beta, opt->surr_k, opt->smooth, th->u + off, th->a, s, psi,
                             uout);
            } else {
                int st = snn_dw_step(&p->dw, th->dw + off, n, l, image, t, th->a, s, psi,
                                     p->A[l] + r, p->B[l] + r, p->C[l] + r, uout,
                                     &p->fail_b[b]);
                if (st)
                    return st;
            }
            if (l == L) {
                double *uo = p->uo + ((size_t)b * T + t) * n;
                for (int o = 0; o < n; o++) {
                    uo[o] = uout[o];
                    usum[o] += uout[o];
                    cnt[o] += s[o];
                }
            }
            off += n;
        }
    }
    return DWMTJ_SNN_OK;
}

static int predict(const double *cnt, const double *usum, int n)
{
    int best = 0;
    for (int c = 1; c < n; c++)
        if (cnt[c] > cnt[best] || (cnt[c] == cnt[best] && usum[c] > usum[best]))
            best = c;
    return best;
}

static int prepare(dwmtj_snn_ws *ws, const dwmtj_weights *net)
{
    struct dwmtj_snn_priv *p = ws->priv;
    if (net->kind != DWMTJ_KIND_LIF) {
        int st = snn_dw_setup(&p->dw, net, ws->opt.i_max, ws->opt.surr_k, ws->opt.smooth,
                              ws->opt.clamp_ramp, &p->fail);
        if (st != DWMTJ_SNN_OK) {
            char why[400];
            snn_devfail_message(&p->fail, why, sizeof why);
            snprintf(p->msg, sizeof p->msg, "the %s DW-MTJ device with sigma %g, t_slot %g s: %s",
                     snn_dw_set(net->kind), net->kind == DWMTJ_KIND_DWMTJ_NOISY ? net->sigma : 0.0,
                     net->dt, why);
        }
        return st;
    }
    return DWMTJ_SNN_OK;
}

/* The status of the first image of the batch that failed (0 if none), its
 * message in p->msg. */
static int batch_status(struct dwmtj_snn_priv *p, int batch)
{
    for (int b = 0; b < batch; b++)
        if (p->stat_b[b]) {
            if (p->stat_b[b] == DWMTJ_SNN_ERR_DEVICE) {
                char why[400];
                snn_devfail_message(&p->fail_b[b], why, sizeof why);
                snprintf(p->msg, sizeof p->msg, "image %d of the batch (key %" PRIu64 "): %s", b,
                         p->key_b[b], why);
            }
            return p->stat_b[b];
        }
    return DWMTJ_SNN_OK;
}

const char *dwmtj_snn_error(const dwmtj_snn_ws *ws)
{
    return ws && ws->priv ? ws->priv->msg : "";
}

static int nthreads_of(const dwmtj_snn_ws *ws)
{
    int n = ws->priv->nthreads;
    if (ws->opt.threads > 0 && ws->opt.threads < n)
        n = ws->opt.threads;
    return n;
}

static int thread_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

int dwmtj_snn_forward(dwmtj_snn_ws *ws, const dwmtj_weights *net,
                      const unsigned char *images, const int *image_index,
                      int batch, int *pred, int *out_counts)
{
    int st = check_call(ws, net, images, batch);
    if (st)
        return st;
    struct dwmtj_snn_priv *p = ws->priv;
    p->msg[0] = '\0';
    if ((st = prepare(ws, net)) != 0)
        return st;
    int nout = p->size[p->L], n0 = p->size[0];
    int nth = nthreads_of(ws);
    (void)nth;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(nth)
#endif
    for (int b = 0; b < batch; b++) {
        uint64_t image = image_index ? (uint64_t)(int64_t)image_index[b] : (uint64_t)b;
        p->stat_b[b] = forward_one(p, &ws->opt, net, &p->th[thread_id()],
                                   images + (size_t)b * n0, image, b);
    }
    p->have_last = 1;
    if ((st = batch_status(p, batch)) != 0)
        return st;
    for (int b = 0; b < batch; b++) {
        const double *cnt = p->cnt + (size_t)b * nout, *us = p->usum + (size_t)b * nout;
        if (pred)
            pred[b] = predict(cnt, us, nout);
        if (out_counts)
            for (int c = 0; c < nout; c++)
                out_counts[(size_t)b * nout + c] = (int)lround(cnt[c]);
    }
    return DWMTJ_SNN_OK;
}

/* ------------------------------------------------------------- backward */

/* Loss of sample b and dL/ds (ds) or dL/du (direct) of the output layer,
 * [t][nout], already divided by the batch size. */
static double loss_one(const struct dwmtj_snn_priv *p, const dwmtj_snn_options *opt, int b,
                       int label, double inv_batch, double *z, double *ds, double *direct)
{
    int n = p->size[p->L], T = p->T;
    const double *cnt = p->cnt + (size_t)b * n, *us = p->usum + (size_t)b * n;
    double zmax = -INFINITY, sum = 0.0;
    int mem = opt->loss == DWMTJ_SNN_LOSS_MEMBRANE;
    for (int c = 0; c < n; c++) {
        z[c] = opt->loss_scale * (mem ? us[c] / T : cnt[c]);
        if (z[c] > zmax)
            zmax = z[c];
    }
    for (int c = 0; c < n; c++)
        sum += exp(z[c] - zmax);
    double lse = zmax + log(sum);
    memset(ds, 0, (size_t)T * n * sizeof *ds);
    memset(direct, 0, (size_t)T * n * sizeof *direct);
    for (int c = 0; c < n; c++) {
        double g = (exp(z[c] - lse) - (c == label)) * opt->loss_scale * inv_batch;
        for (int t = 0; t < T; t++) {
            if (mem)
                direct[(size_t)t * n + c] = g / T;
            else
                ds[(size_t)t * n + c] = g;
        }
    }
    return lse - z[label];
}

static void backward_one(struct dwmtj_snn_priv *p, const dwmtj_weights *net,
                         struct snn_thread *th, int b, int use_direct)
{
    int L = p->L, T = p->T;
    int lif = net->kind == DWMTJ_KIND_LIF;
    double beta = lif ? exp(-net->dt / net->tau_mem) : 0.0;
    double *ds = th->ds, *dsp = th->dsp, *da = th->da;
    for (int l = L; l >= 1; l--) {
        int n = p->size[l], nin = p->size[l - 1];
        size_t r = (size_t)b * T * n;
        const double *direct = (l == L && use_direct) ? th->direct : NULL;
        if (lif)
            snn_lif_backward(T, n, beta, p->psi[l] + r, ds, direct, da);
        else
            snn_dw_backward(T, n, p->psi[l] + r, p->A[l] + r, p->B[l] + r, p->C[l] + r, ds,
                            direct, da);
        const float *W = net->w[l - 1];
        double *gw = th->gw[l - 1], *gb = th->gb[l - 1];
        if (l > 1)
            memset(dsp, 0, (size_t)T * nin * sizeof *dsp);
        for (int t = 0; t < T; t++) {
            const double *sin = p->spk[l - 1] + ((size_t)b * T + t) * nin;
            const double *dat = da + (size_t)t * n;
            int nnz = 0;
            for (int i = 0; i < nin; i++)
                if (sin[i] != 0.0)
                    th->nz[nnz++] = i;
            for (int o = 0; o < n; o++) {
                double g = dat[o];
                if (g == 0.0)
                    continue;
                gb[o] += g;
                double *grow = gw + (size_t)o * nin;
                for (int k = 0; k < nnz; k++)
                    grow[th->nz[k]] += g * sin[th->nz[k]];
                if (l > 1) {
                    const float *row = W + (size_t)o * nin;
                    double *dst = dsp + (size_t)t * nin;
                    for (int i = 0; i < nin; i++)
                        dst[i] += g * row[i];
                }
            }
        }
        double *tmp = ds;
        ds = dsp;
        dsp = tmp;
    }
}

int dwmtj_snn_loss_grad(dwmtj_snn_ws *ws, const dwmtj_weights *net,
                        const unsigned char *images, const int *image_index,
                        int batch, const unsigned char *labels, double *loss,
                        dwmtj_weights *grad, int *pred)
{
    int st = check_call(ws, net, images, batch);
    if (st)
        return st;
    if (!labels || !loss || !grad)
        return DWMTJ_SNN_ERR_USAGE;
    struct dwmtj_snn_priv *p = ws->priv;
    if (grad->n_layers != p->L)
        return DWMTJ_SNN_ERR_SHAPE;
    for (int l = 0; l <= p->L; l++)
        if (grad->size[l] != p->size[l])
            return DWMTJ_SNN_ERR_SHAPE;
    for (int l = 0; l < p->L; l++)
        if (!grad->w[l] || !grad->b[l])
            return DWMTJ_SNN_ERR_SHAPE;
    int nout = p->size[p->L], n0 = p->size[0];
    for (int b = 0; b < batch; b++)
        if (labels[b] >= nout)
            return DWMTJ_SNN_ERR_LABEL;
    p->msg[0] = '\0';
    if ((st = prepare(ws, net)) != 0)
        return st;
    int nth = nthreads_of(ws);
    for (int k = 0; k < nth; k++)
        for (int l = 0; l < p->L; l++) {
            memset(p->th[k].gw[l], 0, (size_t)p->size[l] * p->size[l + 1] * sizeof(double));
            memset(p->th[k].gb[l], 0, (size_t)p->size[l + 1] * sizeof(double));
        }
    double inv_batch = 1.0 / batch;
    int use_direct = ws->opt.loss == DWMTJ_SNN_LOSS_MEMBRANE;
    /* Image b goes to thread b mod nth (static, chunk 1), and the threads'
     * sums are added in thread order: the gradient's rounding depends on
     * the number of threads only, so a run is reproducible bit for bit for
     * a given --threads (dynamic scheduling made it depend on timing). */
#ifdef _OPENMP
#pragma omp parallel for schedule(static, 1) num_threads(nth)
#endif
    for (int b = 0; b < batch; b++) {
        struct snn_thread *th = &p->th[thread_id()];
        uint64_t image = image_index ? (uint64_t)(int64_t)image_index[b] : (uint64_t)b;
        int s = forward_one(p, &ws->opt, net, th, images + (size_t)b * n0, image, b);
        p->stat_b[b] = s;
        if (s == 0) {
            p->loss_b[b] = loss_one(p, &ws->opt, b, labels[b], inv_batch, th->a, th->ds,
                                   th->direct);
            backward_one(p, net, th, b, use_direct);
        }
    }
    p->have_last = 1;
    if ((st = batch_status(p, batch)) != 0)
        return st;
    double sum = 0.0;
    for (int b = 0; b < batch; b++) {
        sum += p->loss_b[b];
        if (pred)
            pred[b] = predict(p->cnt + (size_t)b * nout, p->usum + (size_t)b * nout, nout);
    }
    *loss = sum * inv_batch;
    int finite = isfinite(*loss);
    for (int l = 0; l < p->L; l++) {
        size_t nw = (size_t)p->size[l] * p->size[l + 1];
        for (size_t k = 0; k < nw; k++) {
            double g = 0.0;
            for (int q = 0; q < nth; q++)
                g += p->th[q].gw[l][k];
            grad->w[l][k] = (float)g;
            finite &= isfinite(g);
        }
        for (int o = 0; o < p->size[l + 1]; o++) {
            double g = 0.0;
            for (int q = 0; q < nth; q++)
                g += p->th[q].gb[l][o];
            grad->b[l][o] = (float)g;
            finite &= isfinite(g);
        }
    }
    return finite ? DWMTJ_SNN_OK : DWMTJ_SNN_ERR_NONFINITE;
}

const double *dwmtj_snn_last_counts(const dwmtj_snn_ws *ws)
{
    return ws && ws->priv && ws->priv->have_last ? ws->priv->cnt : NULL;
}

const double *dwmtj_snn_last_membrane(const dwmtj_snn_ws *ws)
{
    return ws && ws->priv && ws->priv->have_last ? ws->priv->usum : NULL;
}

/* ------------------------------------------------------------- misc */

int dwmtj_snn_init_weights(dwmtj_weights *net, uint64_t seed, double scale)
{
    if (!net || !isfinite(scale))
        return DWMTJ_SNN_ERR_USAGE;
    int st = check_shape(net);
    if (st)
        return st;
    uint64_t h = snn_mix64(seed ^ 0x1417ULL);
    for (int l = 0; l < net->n_layers; l++) {
        int nin = net->size[l], n = net->size[l + 1];
        double a = scale / sqrt((double)nin);
        for (size_t k = 0; k < (size_t)nin * n; k++) {
            h = snn_mix64(h);
            double uni = (double)(h >> 11) * (1.0 / 9007199254740992.0);
            net->w[l][k] = (float)(a * (2.0 * uni - 1.0));
        }
        for (int o = 0; o < n; o++)
            net->b[l][o] = 0.0f;
    }
    return DWMTJ_SNN_OK;
}

const char *dwmtj_snn_status_string(int status)
{
    switch (status) {
    case DWMTJ_SNN_OK: return "ok";
    case DWMTJ_SNN_ERR_USAGE: return "bad argument or option";
    case DWMTJ_SNN_ERR_NOMEM: return "out of memory";
    case DWMTJ_SNN_ERR_SHAPE: return "the network does not fit the workspace";
    case DWMTJ_SNN_ERR_VALUE: return "a network parameter is out of range";
    case DWMTJ_SNN_ERR_DEVICE: return "the DW-MTJ device model returned an error";
    case DWMTJ_SNN_ERR_LABEL: return "a label is not an output class";
    case DWMTJ_SNN_ERR_NONFINITE: return "the loss or a gradient is not finite";
    case DWMTJ_SNN_ERR_DATA: return "the data set is missing or corrupt";
    case DWMTJ_SNN_ERR_OUTPUT: return "an output file cannot be written";
    case DWMTJ_SNN_ERR_CHECKPOINT: return "the checkpoint is missing, corrupt or of other options";
    case DWMTJ_SNN_ERR_STOPPED: return "stopped by the caller";
    default: return "unknown status";
    }
}
