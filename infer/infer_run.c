/* Images through the layers' circuits in libngspice (dwmtj_infer.h). */
#include "infer_internal.h"

#include "dwmtj_engine.h"
#include "dwmtj_snn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct dwmtj_infer {
    dwmtj_session *s;
    const dwmtj_weights *net;
    dwmtj_infer_options o;
    dwmtj_infer_map map;
    dwmtj_derived dev;   /* the neurons' device, for the membrane */
    double d0;           /* m, fire distance of a fresh domain */
    double e_write;      /* J, charged per ideal write */
    double *g_sum[DWMTJ_W_MAX_LAYERS]; /* S, per word line (bias last): sum of its row */
    unsigned char *applied; /* spike trains loaded on the word lines of the
                               current deck, size[layer] x T */
    unsigned char *active;  /* word lines in the current deck, size[layer] */
    /* klu backend: each layer's circuit, parsed once, and its word lines'
     * sources */
    dwmtj_circuit *eng[DWMTJ_W_MAX_LAYERS];
    int *eng_src[DWMTJ_W_MAX_LAYERS];
    double *pw_t, *pw_v;    /* a wave's points, T + 1 each */
    dwmtj_engine_stats eng_sum; /* the engine's work since the last read */
    char error[1024];
};

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int ctx_fail(dwmtj_infer *c, int rc, const char *what)
{
    const char *why = c->s ? dwmtj_session_error(c->s) : "";
    if (c->o.backend == DWMTJ_INFER_KLU)
        return rc; /* the engine's message is already in c->error */
    snprintf(c->error, sizeof c->error, "%s: %s", what,
             why && *why ? why : dwmtj_h_status_string(rc));
    return rc;
}

const char *dwmtj_infer_error(const dwmtj_infer *ctx)
{
    return ctx ? ctx->error : "";
}

void dwmtj_infer_engine_stats(dwmtj_infer *ctx, dwmtj_engine_stats *sum)
{
    if (!ctx || !sum)
        return;
    *sum = ctx->eng_sum;
    memset(&ctx->eng_sum, 0, sizeof ctx->eng_sum);
}

const dwmtj_infer_map *dwmtj_infer_get_map(const dwmtj_infer *ctx)
{
    return ctx ? &ctx->map : NULL;
}

void dwmtj_infer_input_spikes(const dwmtj_weights *net, const unsigned char *image,
                              uint64_t index, unsigned char *s)
{
    int T = net->steps;
    for (int i = 0; i < net->size[0]; i++)
        for (int t = 0; t < T; t++)
            s[(size_t)i * T + t] =
                (unsigned char)dwmtj_snn_input_spike(net, image[i], index, t, i);
}

void dwmtj_infer_free(dwmtj_infer *ctx)
{
    if (!ctx)
        return;
    dwmtj_infer_map_free(&ctx->map);
    for (int l = 0; l < DWMTJ_W_MAX_LAYERS; l++) {
        free(ctx->g_sum[l]);
        dwmtj_engine_free(ctx->eng[l]);
        free(ctx->eng_src[l]);
    }
    free(ctx->pw_t);
    free(ctx->pw_v);
    free(ctx->applied);
    free(ctx->active);
    free(ctx);
}

int dwmtj_infer_create(dwmtj_infer **out, dwmtj_session *s, const dwmtj_weights *net,
                       const dwmtj_infer_options *o, char **error)
{
    if (!out)
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "no place for the runner");
    *out = NULL;
    if (!s && (!o || o->backend != DWMTJ_INFER_KLU))
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "no ngspice session");
    dwmtj_infer *c = calloc(1, sizeof *c);
    if (!c)
        return infer_fail(error, DWMTJ_H_ERR_NOMEM, "out of memory");
    c->s = s;
    c->net = net;
    int rc = dwmtj_infer_map_build(net, o, &c->map, error);
    if (rc != DWMTJ_H_OK) {
        dwmtj_infer_free(c);
        return rc;
    }
    c->o = *o;
    dwmtj_params p;
    dwmtj_state st;
    dwmtj_params_set(&p, "scaled");
    if (dwmtj_derive(&p, &c->dev) != DWMTJ_OK) {
        dwmtj_infer_free(c);
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "the scaled device does not derive");
    }
    dwmtj_state_init(&st, 0.0);
    dwmtj_write(&c->dev, &st, 0);
    c->d0 = dwmtj_fire_distance(&c->dev, &st);
    /* a write pulse: i_nuc from IN through the track to A and MTJ_A, t_nuc */
    c->e_write = p.i_nuc * p.i_nuc * (1.0 / c->dev.g_seg[0] + p.rap_a) * p.t_nuc;
    size_t most = 0;
    for (int l = 0; l < net->n_layers; l++) {
        int nin = net->size[l], nout = net->size[l + 1], cols = nin + 1;
        c->g_sum[l] = calloc((size_t)cols, sizeof(double));
        if (!c->g_sum[l]) {
            dwmtj_infer_free(c);
            return infer_fail(error, DWMTJ_H_ERR_NOMEM, "out of memory");
        }
        for (int r = 0; r < nout; r++)
            for (int i = 0; i < cols; i++)
                c->g_sum[l][i] += c->map.g_plus[l][(size_t)r * cols + i] +
                                  c->map.g_minus[l][(size_t)r * cols + i];
        if ((size_t)nin > most)
            most = (size_t)nin;
    }
    c->applied = malloc(most * (size_t)net->steps);
    c->active = malloc(most);
    c->pw_t = malloc(sizeof(double) * (size_t)(net->steps + 1));
    c->pw_v = malloc(sizeof(double) * (size_t)(net->steps + 1));
    if (!c->applied || !c->active || !c->pw_t || !c->pw_v) {
        dwmtj_infer_free(c);
        return infer_fail(error, DWMTJ_H_ERR_NOMEM, "out of memory");
    }
    *out = c;
    return DWMTJ_H_OK;
}

/* Loads the deck of layer l with inputs in (NULL = none) and the word
 * lines of active (NULL = all). */
static int load_layer(dwmtj_infer *c, int l, const unsigned char *in,
                      const unsigned char *active)
{
    char *text = NULL, name[64];
    int rc = dwmtj_infer_netlist(&c->map, c->net, &c->o, l, in, active, &text);
    if (rc != DWMTJ_H_OK)
        return ctx_fail(c, rc, "generating a layer's deck");
    snprintf(name, sizeof name, "layer%d.cir", l + 1);
    rc = dwmtj_session_load(c->s, name, text);
    free(text);
    if (rc != DWMTJ_H_OK)
        return ctx_fail(c, rc, "loading a layer's deck");
    size_t n = (size_t)c->net->size[l] * c->net->steps;
    if (in)
        memcpy(c->applied, in, n);
    else
        memset(c->applied, 0, n);
    return DWMTJ_H_OK;
}

/* Puts the spike trains in on the word lines of the loaded deck of layer
 * l, altering only those that change. */
static int apply_inputs(dwmtj_infer *c, int l, const unsigned char *in)
{
    int T = c->net->steps;
    for (int i = 0; i < c->net->size[l]; i++) {
        unsigned char *cur = c->applied + (size_t)i * T;
        const unsigned char *want = in + (size_t)i * T;
        if (memcmp(cur, want, (size_t)T) == 0)
            continue; /* also every line left out of the deck: silent */
        char *w = NULL;
        if (dwmtj_infer_pwl(want, T, c->net->dt, c->o.v_read, 0, &w) != DWMTJ_H_OK)
            return ctx_fail(c, DWMTJ_H_ERR_NOMEM, "input wave");
        infer_buf cmd = { 0 };
        infer_printf(&cmd, "alter @vx%d[pwl] = [ %s ]", i, w);
        free(w);
        if (cmd.err) {
            free(cmd.s);
            return ctx_fail(c, DWMTJ_H_ERR_NOMEM, "input wave");
        }
        int rc = dwmtj_session_command(c->s, cmd.s);
        free(cmd.s);
        if (rc != DWMTJ_H_OK)
            return ctx_fail(c, rc, "changing an input");
        memcpy(cur, want, (size_t)T);
    }
    return DWMTJ_H_OK;
}

/* A vector of the last run of layer l, from either backend. */
static int get_vector(dwmtj_infer *c, int l, const char *name, const double **v, int *len)
{
    if (c->o.backend != DWMTJ_INFER_KLU)
        return dwmtj_session_vector(c->s, name, v, len);
    int rc = dwmtj_engine_vector(c->eng[l], name, v, len);
    if (rc != DWMTJ_E_OK)
        snprintf(c->error, sizeof c->error, "layer %d: no vector %s in the engine's run", l + 1,
                 name);
    return rc == DWMTJ_E_OK ? DWMTJ_H_OK : DWMTJ_H_ERR_VECTOR;
}

static int vec(dwmtj_infer *c, int l, int r, int k, int n_t, const double **v)
{
    char name[48];
    int len = 0;
    snprintf(name, sizeof name, "v(m%d_%d)", r, k);
    int rc = get_vector(c, l, name, v, &len);
    if (rc != DWMTJ_H_OK || len != n_t)
        return ctx_fail(c, rc != DWMTJ_H_OK ? rc : DWMTJ_H_ERR_VECTOR, "reading a monitor");
    return DWMTJ_H_OK;
}

/* Membrane u = 1 - m / D0 of a domain centred at x_um (< 0: none). */
static double membrane(const dwmtj_infer *c, double x_um)
{
    if (x_um < 0.0)
        return 0.0;
    dwmtj_state s;
    dwmtj_state_init(&s, 0.0);
    double half = 0.5 * c->dev.l_mtj[0];
    s.present = 1;
    s.x_lo = 1e-6 * x_um - half;
    s.x_hi = 1e-6 * x_um + half;
    return 1.0 - dwmtj_fire_distance(&c->dev, &s) / c->d0;
}

/* After a run of layer l: its output spikes (size[l+1] x T), energy and,
 * for the last layer, counts and membranes into res. */
static int read_layer(dwmtj_infer *c, int l, unsigned char *out, dwmtj_infer_result *res)
{
    const double *t;
    int n_t = 0, T = c->net->steps;
    int rc = get_vector(c, l, "time", &t, &n_t);
    if (rc != DWMTJ_H_OK || n_t < 2)
        return ctx_fail(c, rc != DWMTJ_H_OK ? rc : DWMTJ_H_ERR_VECTOR, "reading time");
    /* index of the last time point at or before each clock edge */
    int *at = malloc(sizeof(int) * (size_t)(T + 1));
    if (!at)
        return ctx_fail(c, DWMTJ_H_ERR_NOMEM, "out of memory");
    double dt = c->net->dt;
    for (int k = 0, j = 0; k <= T; k++) {
        double e = k * dt + 1e-6 * dt;
        while (j + 1 < n_t && t[j + 1] <= e)
            j++;
        at[k] = j;
    }
    int last = l == c->net->n_layers - 1;
    for (int r = 0; r < c->net->size[l + 1] && rc == DWMTJ_H_OK; r++) {
        const double *nf, *nw, *e, *x = NULL;
        if ((rc = vec(c, l, r, INFER_MON_NF, n_t, &nf)) != DWMTJ_H_OK ||
            (rc = vec(c, l, r, INFER_MON_NW, n_t, &nw)) != DWMTJ_H_OK ||
            (rc = vec(c, l, r, INFER_MON_E, n_t, &e)) != DWMTJ_H_OK ||
            (last && (rc = vec(c, l, r, INFER_MON_X, n_t, &x)) != DWMTJ_H_OK))
            break;
        int count = 0;
        double usum = 0.0;
        for (int k = 0; k < T; k++) {
            int spike = nf[at[k + 1]] - nf[at[k]] > 0.5;
            out[(size_t)r * T + k] = (unsigned char)spike;
            count += spike;
            if (x)
                usum += membrane(c, x[at[k + 1]]);
        }
        res->spikes += count;
        res->energy_device += 1e-12 * e[n_t - 1];
        res->writes += (int)nearbyint(nw[n_t - 1]);
        if (last && r < 16) {
            res->out_counts[r] = count;
            res->out_membrane[r] = usum;
        }
    }
    free(at);
    return rc;
}

static void finish(const dwmtj_infer *c, dwmtj_infer_result *res)
{
    int n = c->net->size[c->net->n_layers];
    n = n < 16 ? n : 16;
    int best = 0;
    for (int k = 1; k < n; k++)
        if (res->out_counts[k] > res->out_counts[best] ||
            (res->out_counts[k] == res->out_counts[best] &&
             res->out_membrane[k] > res->out_membrane[best]))
            best = k;
    res->pred = best;
    res->energy_write = res->writes * c->e_write;
}

/* The word lines' energy of layer l for inputs in. */
static double crossbar_energy(const dwmtj_infer *c, int l, const unsigned char *in,
                              const unsigned char *ones)
{
    int T = c->net->steps, nin = c->net->size[l];
    double e = 0.0;
    for (int i = 0; i < nin; i++)
        e += c->g_sum[l][i] * dwmtj_infer_pwl_v2(in + (size_t)i * T, T, c->net->dt, c->o.v_read);
    return e + c->g_sum[l][nin] * dwmtj_infer_pwl_v2(ones, T, c->net->dt, c->o.v_read);
}

/* klu backend: layer l's circuit (parsed on first use, all word lines),
 * inputs in, one run. */
static int engine_layer(dwmtj_infer *c, int l, const unsigned char *in)
{
    int T = c->net->steps, nin = c->net->size[l], rc;
    if (!c->eng[l]) {
        char *text = NULL, *why = NULL, name[64];
        if ((rc = dwmtj_infer_netlist(&c->map, c->net, &c->o, l, NULL, NULL, &text)) !=
            DWMTJ_H_OK)
            return ctx_fail(c, rc, "generating a layer's deck");
        snprintf(name, sizeof name, "layer%d.cir", l + 1);
        rc = dwmtj_engine_parse(name, text, &c->eng[l], &why);
        free(text);
        if (rc != DWMTJ_E_OK) {
            snprintf(c->error, sizeof c->error, "%s", why ? why : "engine: out of memory");
            free(why);
            return rc == DWMTJ_E_ERR_NOMEM ? DWMTJ_H_ERR_NOMEM : DWMTJ_H_ERR_NETLIST;
        }
        dwmtj_engine_set_steps(c->eng[l], c->o.exact_steps ? DWMTJ_E_STEPS_EXACT
                                                            : DWMTJ_E_STEPS_NGSPICE);
        if (!(c->eng_src[l] = malloc(sizeof(int) * (size_t)nin)))
            return ctx_fail(c, DWMTJ_H_ERR_NOMEM, "out of memory");
        for (int i = 0; i < nin; i++) {
            snprintf(name, sizeof name, "vx%d", i);
            c->eng_src[l][i] = dwmtj_engine_source(c->eng[l], name);
        }
    }
    for (int i = 0; i < nin; i++) {
        int n = dwmtj_infer_pwl_points(in + (size_t)i * T, T, c->net->dt, c->o.v_read, 0,
                                       c->pw_t, c->pw_v);
        if (dwmtj_engine_set_pwl_at(c->eng[l], c->eng_src[l][i], n, c->pw_t, c->pw_v) !=
            DWMTJ_E_OK)
            return ctx_fail(c, DWMTJ_H_ERR_USAGE, "input wave");
    }
    rc = dwmtj_engine_run(c->eng[l]);
    dwmtj_engine_stats st;
    dwmtj_engine_get_stats(c->eng[l], &st);
    dwmtj_engine_stats_add(&c->eng_sum, &st);
    if (rc != DWMTJ_E_OK) {
        snprintf(c->error, sizeof c->error, "layer %d: %s", l + 1,
                 dwmtj_engine_error(c->eng[l]));
        return rc == DWMTJ_E_ERR_CONVERGENCE ? DWMTJ_H_ERR_CONVERGENCE
               : rc == DWMTJ_E_ERR_NOMEM     ? DWMTJ_H_ERR_NOMEM
                                             : DWMTJ_H_ERR_NETLIST;
    }
    return DWMTJ_H_OK;
}

static int run_chunk(dwmtj_infer *c, const unsigned char *images, const uint64_t *index,
                     int n, dwmtj_infer_result *res)
{
    const dwmtj_weights *net = c->net;
    int L = net->n_layers, T = net->steps, rc = DWMTJ_H_OK;
    unsigned char *spk[DWMTJ_W_MAX_LAYERS + 1] = { 0 };
    unsigned char *ones = malloc((size_t)T);
    for (int l = 0; l <= L; l++)
        spk[l] = malloc((size_t)n * net->size[l] * T);
    for (int l = 0; l <= L; l++)
        if (!spk[l])
            rc = ctx_fail(c, DWMTJ_H_ERR_NOMEM, "out of memory");
    if (!ones)
        rc = ctx_fail(c, DWMTJ_H_ERR_NOMEM, "out of memory");
    double t0 = wall_s();
    for (int k = 0; k < n && rc == DWMTJ_H_OK; k++) {
        memset(&res[k], 0, sizeof res[k]);
        dwmtj_infer_input_spikes(net, images + (size_t)k * net->size[0], index[k],
                                 spk[0] + (size_t)k * net->size[0] * T);
    }
    if (ones)
        memset(ones, 1, (size_t)T);
    int klu = c->o.backend == DWMTJ_INFER_KLU;
    for (int l = 0; l < L && rc == DWMTJ_H_OK; l++) {
        if (!c->o.naive && !klu) {
            /* the word lines that spike in any image of the chunk */
            memset(c->active, 0, (size_t)net->size[l]);
            for (size_t k = 0; k < (size_t)n * net->size[l]; k++)
                if (memchr(spk[l] + k * T, 1, (size_t)T))
                    c->active[k % net->size[l]] = 1;
            rc = load_layer(c, l, NULL, c->active);
        }
        for (int k = 0; k < n && rc == DWMTJ_H_OK; k++) {
            const unsigned char *in = spk[l] + (size_t)k * net->size[l] * T;
            if (klu) {
                if ((rc = engine_layer(c, l, in)) != DWMTJ_H_OK)
                    break;
            } else {
                rc = c->o.naive ? load_layer(c, l, in, NULL) : apply_inputs(c, l, in);
                if (rc != DWMTJ_H_OK)
                    break;
                rc = dwmtj_session_run(c->s, NULL, NULL, c->o.timeout_s);
                if (rc != DWMTJ_H_OK) {
                    ctx_fail(c, rc, "running a layer");
                    break;
                }
            }
            rc = read_layer(c, l, spk[l + 1] + (size_t)k * net->size[l + 1] * T, &res[k]);
            res[k].energy_crossbar += crossbar_energy(c, l, in, ones);
            /* the run's vectors go; the circuit stays */
            if (rc == DWMTJ_H_OK && !c->o.naive && !klu)
                rc = dwmtj_session_command(c->s, "destroy all");
        }
    }
    double per = (wall_s() - t0) / n;
    for (int k = 0; k < n && rc == DWMTJ_H_OK; k++) {
        finish(c, &res[k]);
        res[k].seconds = per;
    }
    for (int l = 0; l <= L; l++)
        free(spk[l]);
    free(ones);
    return rc;
}

int dwmtj_infer_run(dwmtj_infer *c, const unsigned char *images, const uint64_t *index,
                    int n, dwmtj_infer_result *res)
{
    if (!c || !images || !index || !res || n < 0)
        return DWMTJ_H_ERR_USAGE;
    c->error[0] = '\0';
    for (int k = 0; k < n; k += c->o.batch) {
        int m = n - k < c->o.batch ? n - k : c->o.batch;
        int rc = run_chunk(c, images + (size_t)k * c->net->size[0], index + k, m, res + k);
        if (rc != DWMTJ_H_OK)
            return rc;
    }
    return DWMTJ_H_OK;
}
