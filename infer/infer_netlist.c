/* The decks of the network's layers (dwmtj_infer.h, Mapping and Time). */
#include "infer_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Value of the wave at edge k (k = 0: t = 0). */
static double edge_value(const unsigned char *s, int k, double v)
{
    return k == 0 ? 0.0 : (s[k - 1] ? v : 0.0);
}

int dwmtj_infer_pwl_points(const unsigned char *s, int T, double dt, double v, int all_edges,
                           double *t, double *y)
{
    int n = 0;
    for (int k = 0; k <= T; k++) {
        double val = edge_value(s, k, v);
        if (!all_edges && k > 0 && k < T) {
            double ya = edge_value(s, k - 1, v), yb = edge_value(s, k + 1, v);
            if (val - ya == yb - val)
                continue; /* on the line through its neighbours */
        }
        t[n] = k * dt;
        y[n++] = val;
    }
    return n;
}

int dwmtj_infer_pwl(const unsigned char *s, int T, double dt, double v, int all_edges,
                    char **text)
{
    if (!s || T < 1 || !text)
        return DWMTJ_H_ERR_USAGE;
    double *t = malloc(sizeof(double) * (size_t)(T + 1));
    double *y = malloc(sizeof(double) * (size_t)(T + 1));
    infer_buf b = { 0 };
    if (!t || !y)
        b.err = 1;
    int n = b.err ? 0 : dwmtj_infer_pwl_points(s, T, dt, v, all_edges, t, y);
    for (int k = 0; k < n; k++)
        infer_printf(&b, "%s%.15g %.15g", k ? " " : "", t[k], y[k]);
    free(t);
    free(y);
    if (b.err) {
        free(b.s);
        return DWMTJ_H_ERR_NOMEM;
    }
    *text = b.s;
    return DWMTJ_H_OK;
}

double dwmtj_infer_pwl_v2(const unsigned char *s, int T, double dt, double v)
{
    double e = 0.0;
    for (int k = 0; k < T; k++) {
        double a = edge_value(s, k, v), c = edge_value(s, k + 1, v);
        e += dt * (a * a + a * c + c * c) / 3.0;
    }
    return e;
}

static void pwl_source(infer_buf *b, const char *name, const char *node,
                       const unsigned char *s, int T, double dt, double v, int all)
{
    char *w = NULL;
    if (dwmtj_infer_pwl(s, T, dt, v, all, &w) != DWMTJ_H_OK) {
        b->err = 1;
        return;
    }
    infer_printf(b, "%s %s 0 PWL(%s)\n", name, node, w);
    free(w);
}

/* The crossbar of layer l with wire resistance r per cell pitch: word line
 * i runs from its source node along the columns (G+ then G- of neuron 0,
 * then of neuron 1, ...), tap w<i>_<j> at column j; bit line j runs down
 * the rows, tap b<j>_<i>, and ends through one more segment at its sense
 * node cp<o> / cm<o>. */
static void wired_crossbar(infer_buf *b, const dwmtj_infer_map *m, int l, double r)
{
    int nin = m->size[l], nout = m->size[l + 1], cols = nin + 1, ncol = 2 * nout;
    for (int i = 0; i < cols; i++) {
        char src[32];
        if (i < nin)
            snprintf(src, sizeof src, "x%d", i);
        else
            snprintf(src, sizeof src, "xb");
        for (int j = 0; j < ncol; j++) {
            int o = j / 2;
            double g = (j % 2 ? m->g_minus[l] : m->g_plus[l])[(size_t)o * cols + i];
            if (j == 0)
                infer_printf(b, "rw%d_0 %s w%d_0 %.17g\n", i, src, i, r);
            else
                infer_printf(b, "rw%d_%d w%d_%d w%d_%d %.17g\n", i, j, i, j - 1, i, j, r);
            infer_printf(b, "rc%d_%d w%d_%d b%d_%d %.17g\n", i, j, i, j, j, i, 1.0 / g);
            if (i > 0)
                infer_printf(b, "rb%d_%d b%d_%d b%d_%d %.17g\n", j, i, j, i - 1, j, i, r);
            if (i == cols - 1)
                infer_printf(b, "rb%d_end b%d_%d c%c%d %.17g\n", j, j, i, j % 2 ? 'm' : 'p', o,
                             r);
        }
    }
}

int dwmtj_infer_netlist(const dwmtj_infer_map *m, const dwmtj_weights *net,
                        const dwmtj_infer_options *o, int layer,
                        const unsigned char *in, const unsigned char *active, char **text)
{
    if (!m || !net || !o || !text || layer < 0 || layer >= m->n_layers)
        return DWMTJ_H_ERR_USAGE;
    int nin = m->size[layer], nout = m->size[layer + 1], cols = nin + 1, T = net->steps;
    double dt = net->dt, v = o->v_read;
    if (o->r_wire > 0.0)
        active = NULL; /* through wires a silent line still carries current */
    unsigned char *ones = malloc((size_t)T), *zero = calloc((size_t)T, 1);
    if (!ones || !zero) {
        free(ones);
        free(zero);
        return DWMTJ_H_ERR_NOMEM;
    }
    for (int t = 0; t < T; t++)
        ones[t] = 1;
    infer_buf b = { 0 };
    infer_printf(&b, "* dwmtj infer: layer %d of %d, %d inputs + bias -> %d DW-MTJ neurons\n",
                 layer + 1, m->n_layers, nin, nout);
    /* the clocked write periphery; dx_max only limits steps, which the
     * pinning-free device does not need (one trapezoid is exact) */
    int last = layer == m->n_layers - 1, nmon = o->naive ? 13 : last ? 4 : 3;
    infer_printf(&b, ".model dwn dwmtj4t(set=\"scaled\" t_rewrite=%.15g", dt);
    /* naive: all 13 monitors (the deck reads the first four) */
    infer_printf(&b, " monitors=\"nf:nw:e:x%s\"", o->naive ? ":ra:rb:ew:ei:ef:er:eidle:nd:nr" : "");
    if (!o->naive)
        infer_printf(&b, " dx_max=1");
    if (net->kind == DWMTJ_KIND_DWMTJ_NOISY && net->sigma > 0.0)
        infer_printf(&b, " sigma=%.15g t_slot=%.15g seed=%llu", net->sigma, dt,
                     (unsigned long long)(net->seed & 0x7FFFFFFFULL));
    infer_printf(&b, ")\n");
    /* bias row: on from the first edge, a point at every edge (the clock) */
    pwl_source(&b, "vxb", "xb", ones, T, dt, v, 1);
    for (int i = 0; i < nin; i++) {
        char name[32], node[32];
        if (active && !active[i])
            continue;
        snprintf(name, sizeof name, "vx%d", i);
        snprintf(node, sizeof node, "x%d", i);
        pwl_source(&b, name, node, in ? in + (size_t)i * T : zero, T, dt, v, 0);
    }
    if (o->r_wire > 0.0)
        wired_crossbar(&b, m, layer, o->r_wire);
    for (int r = 0; r < nout; r++) {
        const double *gp = m->g_plus[layer] + (size_t)r * cols;
        const double *gm = m->g_minus[layer] + (size_t)r * cols;
        for (int i = 0; i < cols && o->r_wire == 0.0; i++) {
            char node[32];
            if (i < nin && active && !active[i])
                continue;
            if (i < nin)
                snprintf(node, sizeof node, "x%d", i);
            else
                snprintf(node, sizeof node, "xb");
            infer_printf(&b, "rp%d_%d %s cp%d %.17g\nrm%d_%d %s cm%d %.17g\n", r, i, node, r,
                         1.0 / gp[i], r, i, node, r, 1.0 / gm[i]);
        }
        infer_printf(&b, "vsp%d cp%d 0 0\nvsm%d cm%d 0 0\n", r, r, r, r);
        infer_printf(&b, "bi%d 0 in%d I = max(min(%.17g*(i(vsp%d)-i(vsm%d)), %.17g), %.17g)\n", r,
                     r, m->mirror[layer], r, r, o->i_max, -o->i_max);
        infer_printf(&b, "an%d in%d 0 na%d nb%d [", r, r, r, r);
        for (int k = 0; k < nmon; k++)
            infer_printf(&b, "%sm%d_%d", k ? " " : "", r, k);
        infer_printf(&b, "] dwn\n");
    }
    infer_printf(&b, ".tran %.15g %.15g 0 %.15g\n", dt, T * dt, dt);
    if (!o->naive) {
        /* XSPICE limits each code-model input to +-max(25 %, 0.1 V) per
         * Newton iteration (a convergence aid for rough models); the
         * device's partials are exact, so Newton needs no such limit, and
         * with it a neuron whose drive steps at an edge costs ~10 extra
         * iterations */
        infer_printf(&b, ".options convabsstep=1e6\n");
        for (int r = 0; r < nout; r++) {
            infer_printf(&b, ".save v(m%d_%d) v(m%d_%d) v(m%d_%d)", r, INFER_MON_NF, r,
                         INFER_MON_NW, r, INFER_MON_E);
            if (last)
                infer_printf(&b, " v(m%d_%d)", r, INFER_MON_X);
            infer_printf(&b, "\n");
        }
    }
    infer_printf(&b, ".end\n");
    free(ones);
    free(zero);
    if (b.err) {
        free(b.s);
        return DWMTJ_H_ERR_NOMEM;
    }
    *text = b.s;
    return DWMTJ_H_OK;
}
