/* Images through the layers' circuits (dwmtj_infer.h): what is the same
 * for every backend; the backends are infer_ngspice.c and infer_klu.c. */
#include "infer_internal.h"

#include "dwmtj_snn.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int infer_set_error(dwmtj_infer *c, int rc, const char *what, const char *detail)
{
    snprintf(c->error, sizeof c->error, "%s: %s", what,
             detail && *detail ? detail : dwmtj_h_status_string(rc));
    return rc;
}

void infer_warned(dwmtj_infer *c, int n, const char *first)
{
    if (n <= 0)
        return;
    if (!c->n_warnings && first)
        snprintf(c->warning, sizeof c->warning, "%.*s", (int)strcspn(first, "\n"), first);
    c->n_warnings += n;
}

const char *dwmtj_infer_warning(const dwmtj_infer *ctx, int *count)
{
    if (count)
        *count = ctx ? ctx->n_warnings : 0;
    return ctx ? ctx->warning : "";
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

const dwmtj_infer_soa *dwmtj_infer_get_soa(const dwmtj_infer *ctx)
{
    return ctx ? &ctx->soa : NULL;
}

double dwmtj_infer_sense_delay(const dwmtj_infer *ctx)
{
    if (!ctx || !ctx->cell)
        return 0.0;
    if (!ctx->cmos)
        return ctx->cv.t_sense;
    return ctx->mm.t_sense > 0.0 ? ctx->mm.t_sense : NAN; /* mm read, or zeroed */
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
    if (ctx->be)
        ctx->be->free(ctx);
    dwmtj_infer_map_free(&ctx->map);
    for (int l = 0; l < DWMTJ_W_MAX_LAYERS; l++)
        free(ctx->g_sum[l]);
    free(ctx->pw_t);
    free(ctx->pw_v);
    free(ctx->edge_t);
    free(ctx->applied);
    free(ctx->active);
    free(ctx);
}

void dwmtj_infer_results_free(dwmtj_infer_result *res, int n)
{
    for (int k = 0; res && k < n; k++) {
        free(res[k].out_counts);
        free(res[k].out_membrane);
        free(res[k].neuron_spikes);
        free(res[k].neuron_fires);
        free(res[k].neuron_writes);
        free(res[k].neuron_last);
        res[k].out_counts = NULL;
        res[k].out_membrane = NULL;
        res[k].neuron_spikes = res[k].neuron_fires = res[k].neuron_writes = NULL;
        res[k].neuron_last = NULL;
    }
}

/* What the cmos cell's decks need: its two files readable, and a device
 * its card has (deterministic: netlists/cell_cmos.lib's card has no
 * noise). */
static int cmos_usable(const dwmtj_weights *net, const dwmtj_infer_options *o, char **error)
{
    if (net->kind == DWMTJ_KIND_DWMTJ_NOISY && net->sigma > 0.0)
        return infer_fail(error, DWMTJ_H_ERR_USAGE,
                          "the cmos periphery: the network's device is noisy (sigma %g), the "
                          "cmos cell's device card (netlists/cell_cmos.lib) is deterministic",
                          net->sigma);
    const char *const *file = dwmtj_infer_periphery_files(DWMTJ_INFER_PERIPH_CMOS);
    for (int k = 0; file[k]; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", o->cell_dir, file[k]);
        FILE *f = fopen(path, "r");
        if (!f)
            return infer_fail(error, DWMTJ_H_ERR_FILE, "the cmos periphery: cannot read %s: %s",
                              path, strerror(errno));
        fclose(f);
    }
    return DWMTJ_H_OK;
}

int dwmtj_infer_create(dwmtj_infer **out, dwmtj_session *s, const dwmtj_weights *net,
                       const dwmtj_infer_options *o, char **error)
{
    if (!out)
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "no place for the runner");
    *out = NULL;
    if (!o)
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "no inference options");
    if (!s && o->backend != DWMTJ_INFER_KLU)
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "no ngspice session");
    dwmtj_infer *c = calloc(1, sizeof *c);
    if (!c)
        return infer_fail(error, DWMTJ_H_ERR_NOMEM, "out of memory");
    c->s = s;
    c->net = net;
    int rc = dwmtj_infer_map_build(net, o, &c->map, error);
    if (rc == DWMTJ_H_OK)
        rc = dwmtj_infer_check_backend(o->backend, dwmtj_infer_periphery(o, net), error);
    if (rc == DWMTJ_H_OK)
        rc = dwmtj_infer_check_soa(net, o, &c->soa, error);
    if (rc != DWMTJ_H_OK) {
        dwmtj_infer_free(c);
        return rc;
    }
    c->o = *o;
    c->o.periphery = dwmtj_infer_periphery(o, net);
    c->cell = c->o.periphery != DWMTJ_INFER_PERIPH_IDEAL;
    c->cmos = c->o.periphery == DWMTJ_INFER_PERIPH_CMOS;
    c->macro = c->o.periphery == DWMTJ_INFER_PERIPH_CMOS_MACRO;
    if ((c->cmos && (rc = cmos_usable(net, &c->o, error)) != DWMTJ_H_OK) ||
        (rc = infer_cell_for(net, &c->o, &c->cv, &c->mm, error)) != DWMTJ_H_OK) {
        dwmtj_infer_free(c);
        return rc;
    }
    c->be = o->backend == DWMTJ_INFER_KLU ? &infer_klu : &infer_ngspice;
    dwmtj_params p;
    dwmtj_state st;
    if (infer_device(&p, &c->dev) != DWMTJ_OK) {
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
    c->edge_t = malloc(sizeof(double) * (size_t)(net->steps + 1));
    if (!c->applied || !c->active || !c->pw_t || !c->pw_v || !c->edge_t) {
        dwmtj_infer_free(c);
        return infer_fail(error, DWMTJ_H_ERR_NOMEM, "out of memory");
    }
    infer_edge_times(net->steps, net->dt, c->edge_t);
    *out = c;
    return DWMTJ_H_OK;
}

/* Vector what of neuron r on layer l, on the time axis *t of *n_t points
 * (NULL: the first vector read of the neuron sets it; the others must be
 * on the same). */
static int vec(dwmtj_infer *c, int l, int r, int what, const double **v, const double **t,
               int *n_t)
{
    char name[48], why[160];
    int len = 0, nt = 0;
    const double *tv = NULL;
    infer_vector_name(name, sizeof name, what, r, c->o.periphery);
    int rc = c->be->vector(c, l, name, v, &len, &tv, &nt);
    if (rc != DWMTJ_H_OK)
        return rc;
    if (len != nt)
        snprintf(why, sizeof why, "%s has %d points, its time %d", name, len, nt);
    else if (*t && (tv != *t || nt != *n_t))
        snprintf(why, sizeof why, "%s is on another time axis than its neuron's other vectors",
                 name);
    else if (nt < 2)
        snprintf(why, sizeof why, "%s has fewer than 2 points", name);
    else {
        *t = tv;
        *n_t = nt;
        return DWMTJ_H_OK;
    }
    return infer_set_error(c, DWMTJ_H_ERR_VECTOR, "reading a vector", why);
}

/* Membrane u = 1 - m / D0 of a domain centred at x_um (the x monitor:
 * DWMTJ_MON_X_NONE without a domain; a domain pushed back behind IN has a
 * negative centre, down to minus half its length, and a negative u). */
static double membrane(const dwmtj_infer *c, double x_um)
{
    if (x_um <= 0.5 * DWMTJ_MON_X_NONE)
        return 0.0;
    return 1.0 - dwmtj_fire_distance_at(&c->dev, 1e-6 * x_um) / c->d0;
}

/* The behavioural cell's spikes from v(spk): one per rising crossing of
 * vdd/2 (linear between the time points) and the cell's sense delay, in
 * the clock period that holds it (none past the window); into out (T
 * flags), the count returned, the last time into *last. */
static int spk_spikes(const dwmtj_infer *c, const double *t, const double *v, int n_t,
                      unsigned char *out, double *last)
{
    int T = c->net->steps, count = 0;
    double dt = c->net->dt, h = 0.5 * c->cv.vdd;
    *last = -1.0;
    for (int j = 1; j < n_t; j++) {
        if (!(v[j - 1] < h && v[j] >= h))
            continue;
        double tc = t[j - 1] + (t[j] - t[j - 1]) * (h - v[j - 1]) / (v[j] - v[j - 1]) +
                    c->cv.t_sense;
        if (tc > T * dt * (1.0 + 1e-9))
            break; /* the sense delay took it past the window: no spike yet */
        int k = dwmtj_snn_step_of(tc, dt);
        k = k < 0 ? 0 : k >= T ? T - 1 : k;
        out[k] = 1;
        count++;
        *last = tc;
    }
    return count;
}

/* The integral over d of the product of two quantities linear on it, from
 * a0 to a1 and b0 to b1 (Simpson's rule on the quadratic): the rule
 * libdwmtj integrates the device's power by. */
static double linear_product(double d, double a0, double a1, double b0, double b1)
{
    return d * (2.0 * (a0 * b0 + a1 * b1) + a0 * b1 + a1 * b0) / 6.0;
}

/* The cell's sources over a run (exact for the lines between the time
 * points, as libdwmtj's energy of the device is): what the
 * mirror delivers into IN outside the clears and during them, the read
 * bias into B, the write source across IN-A. */
static void cell_energy(const dwmtj_infer *c, const double *t, int n_t, const double *vin,
                        const double *imir, const double *vclr, const double *vb,
                        const double *iw, dwmtj_infer_result *res)
{
    double h = 0.5 * c->cv.vdd;
    for (int j = 1; j < n_t; j++) {
        double d = t[j] - t[j - 1];
        double pm = linear_product(d, vin[j - 1], vin[j], imir[j - 1], imir[j]);
        /* the share of the interval in the clear: its ends' states */
        double f = 0.5 * ((vclr[j - 1] > h) + (vclr[j] > h));
        res->energy_clear += f * pm;
        res->energy_mirror += (1.0 - f) * pm;
        res->energy_sense += 0.5 * d * c->cv.i_read * (vb[j - 1] + vb[j]);
        /* i(vw) runs into its + node, IN's side: the source delivers -V i */
        res->energy_write_driver -= 0.5 * d * c->cv.v_write * (iw[j - 1] + iw[j]);
    }
}

/* The cmos macromodel's blocks for one cell over a window of t_win with
 * spikes spikes: each block's static power and its energy per spike. */
static void macro_energy(const dwmtj_infer *c, double t_win, int spikes,
                         dwmtj_infer_result *res)
{
    double e[4];
    for (int b = 0; b < 4; b++)
        e[b] = c->mm.p[b] * t_win + c->mm.e[b] * spikes;
    res->energy_mirror += e[0];
    res->energy_sense += e[1];
    res->energy_clear += e[2];
    res->energy_write_driver += e[3];
}

/* The cmos cell's supplies over a run (trapezoids between the time
 * points, as check_cell_cmos integrates them): each block's rails through
 * its meters (V(rail) i(meter), the current into the block), its ideal
 * references (ib/10 from nbp to ground and from ng to vss in the input
 * stage, ird from rb2 to ground in the sense), the gain's current into cp
 * for the input stage and the power-on pulse for the pulse generators;
 * their sum is what all the cell's sources deliver.  The devices' terminal
 * power goes to energy_terminals, against their own monitor. */
static void cmos_energy(const dwmtj_infer *c, const double *t, int n_t,
                        const double *const *v, dwmtj_infer_result *res)
{
    const double vdd = INFER_CMOS_VDD, vh = INFER_CMOS_VDDH, vs = INFER_CMOS_VSS,
                 vw = INFER_CMOS_VWR, ib10 = 0.1 * INFER_CMOS_IB(c->o.i_max),
                 ird = c->cv.i_read;
    for (int j = 1; j < n_t; j++) {
        double h = 0.5 * (t[j] - t[j - 1]), p[4] = { 0 }, term = 0.0;
        for (int e = j - 1; e <= j; e++) {
#define V(k) v[k][e]
            p[0] += vdd * V(INFER_C_Q_IN_VDD) + vh * V(INFER_C_Q_IN_VDDH) +
                    vs * V(INFER_C_Q_IN_VSS) - ib10 * V(INFER_C_NBP) +
                    ib10 * (vs - V(INFER_C_NG)) + V(INFER_C_ICP) * V(INFER_C_CP);
            p[1] += vdd * V(INFER_C_Q_SEN_VDD) + vh * V(INFER_C_Q_SEN_VDDH) -
                    ird * V(INFER_C_RB2);
            p[2] += vdd * V(INFER_C_Q_CLR_VDD) + vh * V(INFER_C_Q_CLR_VDDH);
            p[3] += vdd * V(INFER_C_Q_WR_VDD) + vh * V(INFER_C_Q_WR_VDDH) +
                    vw * V(INFER_C_Q_WR_VWR) + vdd * V(INFER_C_Q_PG_VDD) -
                    V(INFER_C_ST) * V(INFER_C_IST);
            term += V(INFER_V_IN) * V(INFER_C_QDI) + V(INFER_C_A) * V(INFER_C_QDA) +
                    V(INFER_V_B) * V(INFER_C_QDB);
#undef V
        }
        res->energy_mirror += h * p[0];
        res->energy_sense += h * p[1];
        res->energy_clear += h * p[2];
        res->energy_write_driver += h * p[3];
        res->energy_terminals += h * term;
    }
}

/* After a run of layer l: its output spikes (size[l+1] x T), energy and,
 * for the last layer, counts and membranes into res. */
static int read_layer(dwmtj_infer *c, int l, unsigned char *out, dwmtj_infer_result *res)
{
    int T = c->net->steps, rc = DWMTJ_H_OK;
    /* index of the last time point at or before each clock edge */
    int *at = malloc(sizeof(int) * (size_t)(T + 1));
    if (!at)
        return infer_set_error(c, DWMTJ_H_ERR_NOMEM, "reading a layer", NULL);
    double dt = c->net->dt;
    const double *t_at = NULL; /* the axis at[] is for */
    int last = l == c->net->n_layers - 1, first = 0;
    for (int q = 1; q <= l; q++)
        first += c->net->size[q]; /* the layer's first neuron in res's arrays */
    for (int r = 0; r < c->net->size[l + 1] && rc == DWMTJ_H_OK; r++) {
        const double *v[INFER_V_N] = { 0 }, *t = NULL;
        int n_t = 0;
        for (int k = 0; k < INFER_V_N && rc == DWMTJ_H_OK; k++)
            if (infer_wants(k, c->o.periphery, last, c->o.probe_fires))
                rc = vec(c, l, r, k, &v[k], &t, &n_t);
        if (rc != DWMTJ_H_OK)
            break;
        if (t != t_at) { /* the run's axis, or this neuron's own */
            for (int k = 0, j = 0; k <= T; k++) {
                double e = k * dt + 1e-6 * dt;
                while (j + 1 < n_t && t[j + 1] <= e)
                    j++;
                at[k] = j;
            }
            t_at = t;
        }
        unsigned char *o = out + (size_t)r * T;
        int count = 0;
        double usum = 0.0, t_last = -1.0;
        memset(o, 0, (size_t)T);
        int fired = c->cell ? spk_spikes(c, t, v[INFER_V_SPK], n_t, o, &t_last) : 0;
        if (c->cmos)
            cmos_energy(c, t, n_t, v, res);
        else if (c->macro)
            macro_energy(c, T * dt, fired, res);
        else if (c->cell)
            cell_energy(c, t, n_t, v[INFER_V_IN], v[INFER_V_IMIR], v[INFER_V_CLR],
                        v[INFER_V_B], v[INFER_V_IWRITE], res);
        const double *nf = v[INFER_MON_NF], *x = v[INFER_MON_X];
        for (int k = 0; k < T; k++) {
            if (!c->cell && nf[at[k + 1]] - nf[at[k]] > 0.5) {
                o[k] = 1;
                t_last = (k + 1) * dt;
            }
            count += o[k];
            /* the readout probe: the summed membrane at the edges; 0 while
             * the cell clears (the rule's reset, doc/training.md) */
            if (x && !(c->cell && v[INFER_V_CLR][at[k + 1]] > 0.5 * c->cv.vdd))
                usum += membrane(c, x[at[k + 1]]);
        }
        double e = 1e-12 * v[INFER_MON_E][n_t - 1];
        int writes = (int)nearbyint(v[INFER_MON_NW][n_t - 1]);
        res->spikes += count;
        res->energy_device += e;
        res->writes += writes;
        res->neuron_spikes[first + r] = count;
        res->neuron_writes[first + r] = writes;
        res->neuron_last[first + r] = t_last;
        if (res->neuron_fires)
            res->neuron_fires[first + r] = (int)nearbyint(nf[n_t - 1]);
        if (last) {
            res->out_counts[r] = count;
            res->out_membrane[r] = usum;
        }
    }
    free(at);
    return rc;
}

/* The network's rule: most output spikes, then the larger summed
 * membrane, then the lower class. */
static void finish(const dwmtj_infer *c, dwmtj_infer_result *res)
{
    int n = res->n_out, best = 0;
    for (int k = 1; k < n; k++)
        if (res->out_counts[k] > res->out_counts[best] ||
            (res->out_counts[k] == res->out_counts[best] &&
             res->out_membrane[k] > res->out_membrane[best]))
            best = k;
    res->pred = best;
    if (c->cmos || c->macro) { /* the blocks dissipate most: their supplies are the energy */
        res->energy_write = 0.0;
        res->energy = res->energy_crossbar + res->energy_mirror + res->energy_clear +
                      res->energy_sense + res->energy_write_driver + res->energy_static;
        if (c->macro) /* the fitted blocks hold the devices' energy: balance 0 */
            res->energy_terminals = res->energy_device;
        res->energy_balance =
            res->energy_device > 0.0
                ? fabs(res->energy_terminals - res->energy_device) / res->energy_device
                : (res->energy_terminals == 0.0 ? 0.0 : INFINITY);
    } else if (c->cell) { /* the writes are electrical: in the device's energy */
        res->energy_write = 0.0;
        double in = res->energy_mirror + res->energy_clear + res->energy_sense +
                    res->energy_write_driver + res->energy_static;
        res->energy_balance = res->energy_device > 0.0
                                  ? fabs(in - res->energy_device) / res->energy_device
                                  : (in == 0.0 ? 0.0 : INFINITY);
    } else { /* the mirror is the device's only source; writes by formula */
        res->energy_write = res->writes * c->e_write;
        res->energy_mirror = res->energy_device;
        res->energy_write_driver = res->energy_write;
        res->energy_balance = 0.0;
    }
    if (!c->cmos && !c->macro)
        res->energy = res->energy_crossbar + res->energy_device + res->energy_write;
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

static int run_chunk(dwmtj_infer *c, const unsigned char *images, const uint64_t *index,
                     int n, dwmtj_infer_result *res)
{
    const dwmtj_weights *net = c->net;
    int L = net->n_layers, T = net->steps, n_out = net->size[L], rc = DWMTJ_H_OK;
    unsigned char *spk[DWMTJ_W_MAX_LAYERS + 1] = { 0 };
    unsigned char *ones = malloc((size_t)T);
    int bad = !ones;
    for (int l = 0; l <= L; l++)
        bad |= !(spk[l] = malloc((size_t)n * net->size[l] * T));
    for (int k = 0; k < n; k++) {
        memset(&res[k], 0, sizeof res[k]);
        res[k].n_out = n_out;
        bad |= !(res[k].out_counts = calloc((size_t)n_out, sizeof *res[k].out_counts));
        bad |= !(res[k].out_membrane = calloc((size_t)n_out, sizeof *res[k].out_membrane));
        int nn = 0;
        for (int l = 1; l <= L; l++)
            nn += net->size[l];
        res[k].n_neurons = nn;
        bad |= !(res[k].neuron_spikes = calloc((size_t)nn, sizeof(int)));
        bad |= !(res[k].neuron_writes = calloc((size_t)nn, sizeof(int)));
        bad |= !(res[k].neuron_last = calloc((size_t)nn, sizeof(double)));
        if (infer_wants(INFER_MON_NF, c->o.periphery, 0, c->o.probe_fires))
            bad |= !(res[k].neuron_fires = calloc((size_t)nn, sizeof(int)));
    }
    if (bad)
        rc = infer_set_error(c, DWMTJ_H_ERR_NOMEM, "running images", NULL);
    double t0 = wall_s();
    for (int k = 0; k < n && rc == DWMTJ_H_OK; k++)
        dwmtj_infer_input_spikes(net, images + (size_t)k * net->size[0], index[k],
                                 spk[0] + (size_t)k * net->size[0] * T);
    if (ones)
        memset(ones, 1, (size_t)T);
    for (int l = 0; l < L && rc == DWMTJ_H_OK; l++) {
        /* the word lines that spike in any image of the chunk */
        memset(c->active, 0, (size_t)net->size[l]);
        for (size_t k = 0; k < (size_t)n * net->size[l]; k++)
            if (memchr(spk[l] + k * T, 1, (size_t)T))
                c->active[k % net->size[l]] = 1;
        rc = c->be->layer(c, l, c->active);
        for (int k = 0; k < n && rc == DWMTJ_H_OK; k++) {
            const unsigned char *in = spk[l] + (size_t)k * net->size[l] * T;
            if ((rc = c->be->run(c, l, in)) != DWMTJ_H_OK)
                break;
            rc = read_layer(c, l, spk[l + 1] + (size_t)k * net->size[l + 1] * T, &res[k]);
            res[k].energy_crossbar += crossbar_energy(c, l, in, ones);
            if (rc == DWMTJ_H_OK)
                rc = c->be->done(c, l);
        }
    }
    double per = (wall_s() - t0) / n;
    for (int k = 0; k < n && rc == DWMTJ_H_OK; k++) {
        finish(c, &res[k]);
        res[k].seconds = per;
        if (res[k].energy_balance > INFER_BALANCE_TOL) {
            /* the sources and the device disagree: the energies are not to
             * be trusted, and the user is told */
            char w[200];
            if (c->cmos)
                snprintf(w, sizeof w, "energy conservation: the devices' terminals take %.4g J, "
                         "their energy monitors say %.4g J (%.2g %% apart)",
                         res[k].energy_terminals, res[k].energy_device,
                         100.0 * res[k].energy_balance);
            else
                snprintf(w, sizeof w, "energy conservation: the cell's sources deliver %.4g J, "
                         "the devices take %.4g J (%.2g %% apart)",
                         res[k].energy_mirror + res[k].energy_clear + res[k].energy_sense +
                             res[k].energy_write_driver, res[k].energy_device,
                         100.0 * res[k].energy_balance);
            infer_warned(c, 1, w);
        }
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
