/* Crossbar netlists: M word lines driving N dwmtj4t neurons through
 * differential conductance pairs, with the neurons' write, read and
 * comparator periphery in the netlist itself.  The design and the reasons
 * for it: doc/crossbar.md.  Pure text generation; no simulator. */
#define _POSIX_C_SOURCE 200809L

#include "dwmtj_crossbar.h"
#include "harness_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Switch model of the periphery (write, arm, ground switches). */
#define SW_RON 1.0     /* Ohm */
#define SW_ROFF 1e12   /* Ohm */
/* Edges: 10 % of the input pulse width and of the write pulse width. */
#define EDGE_FRAC 0.1
/* Largest array: keeps 2*M*N and every index inside an int. */
#define MAX_DIM 65536
#define MAX_CELLS (1L << 24)

/* ---- counter-based uniform draws (SplitMix64) --------------------------- */

#define GOLDEN 0x9e3779b97f4a7c15ULL
#define TAG_WEIGHT 1ULL
#define TAG_PULSE 2ULL

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1) for (seed, tag, a, b): no state, so every draw depends
 * only on its indices and the netlist does not depend on the order in
 * which it is written. */
static double uniform(uint64_t seed, uint64_t tag, uint64_t a, uint64_t b)
{
    uint64_t z = mix64(seed + GOLDEN * tag);
    z = mix64(z + GOLDEN * (a + 1));
    z = mix64(z + GOLDEN * (b + 1));
    return (double)(z >> 11) * 0x1.0p-53;
}

/* ---- messages ----------------------------------------------------------- */

static int fail(char **error, int status, const char *fmt, ...)
{
    if (error) {
        va_list ap;
        va_start(ap, fmt);
        char *msg = NULL;
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n >= 0 && (msg = malloc((size_t)n + 1)) != NULL) {
            va_start(ap, fmt);
            vsnprintf(msg, (size_t)n + 1, fmt, ap);
            va_end(ap);
        }
        *error = msg;
    }
    return status;
}

/* ---- defaults ------------------------------------------------------------ */

void dwmtj_crossbar_defaults(dwmtj_crossbar *x)
{
    if (!x)
        return;
    memset(x, 0, sizeof *x);
    x->rows = 4;
    x->cols = 2;
    x->weight = NULL;
    x->seed = 1;
    x->g_min = 1e-6;
    x->g_max = 1e-5;
    x->levels = 0;
    x->r_wire = 0.0;
    x->rate = NULL;
    x->drive = 0.5;
    /* A 64-input column with weights averaging 0.4 and half its inputs
     * pulsing carries 64 * 0.5 * 0.4 * 9 uS * 0.2 V = 23 uA during a pulse:
     * 31 m/s on the scaled track, a fire after about 20 ns at 50 % duty. */
    x->v_pulse = 0.2;
    x->t_pulse = 1e-9;
    x->t_period = 2e-9;
    x->t_stop = 500e-9;
    x->model_card = "set=\"scaled\"";
    /* scaled: 1.2 V over R_IN-A 2 kOhm + R_P 8 kOhm = 120 uA >= i_nuc
     * 100 uA, for 1.5 ns >= t_nuc 1 ns; re-armed every 10 ns. */
    x->v_write = 1.2;
    x->t_write = 1.5e-9;
    x->t_arm = 10e-9;
    /* a read bias floating on each neuron's GND terminal: 1 V through
     * 200 kOhm + R_B + 4 kOhm of track, 4.6 uA (19 mV either side of the
     * comparator's threshold, 4.6 uW per neuron); the input current's drop
     * on the 4 kOhm may reach 0.5 V (125 uA) before the check refuses. */
    x->v_read = 1.0;
    x->r_sense = 200e3;
}

/* ---- the model card ------------------------------------------------------ */

/* A SPICE number (harness/spice_number.c) of len characters at s. */
static int parse_number(const char *s, size_t len, double *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return dwmtj_spice_number_token(buf, out) == 0 && isfinite(*out) ? 0 : -1;
}

/* Reads the dwmtj4t parameters of the model card: the set first, then the
 * parameters it overrides (as the code model does).  The generator needs
 * them for the comparator (R_B threshold, GND-side track resistance) and to
 * check that the write nucleates. */
static int card_params(const char *card, dwmtj_params *p, char **error)
{
    if (!card)
        return fail(error, DWMTJ_H_ERR_USAGE, "dwmtj_crossbar: model_card is NULL");
    if (strpbrk(card, "\n\r()"))
        return fail(error, DWMTJ_H_ERR_USAGE,
                    "dwmtj_crossbar: model_card \"%s\": one line of NAME=VALUE "
                    "parameters without parentheses",
                    card);
    dwmtj_params_set(p, "proto"); /* the code model's default set */
    for (int pass = 0; pass < 2; pass++) {
        const char *s = card;
        for (;;) {
            s += strspn(s, " \t,");
            if (!*s)
                break;
            size_t nlen = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
            char name[32];
            if (nlen == 0 || nlen >= sizeof name)
                return fail(error, DWMTJ_H_ERR_USAGE,
                            "dwmtj_crossbar: model_card \"%s\": expected NAME=VALUE at \"%s\"",
                            card, s);
            for (size_t i = 0; i < nlen; i++)
                name[i] = (char)tolower((unsigned char)s[i]);
            name[nlen] = '\0';
            s += nlen;
            s += strspn(s, " \t");
            if (*s != '=')
                return fail(error, DWMTJ_H_ERR_USAGE,
                            "dwmtj_crossbar: model_card \"%s\": expected = after %s", card,
                            name);
            s++;
            s += strspn(s, " \t");
            const char *val = s;
            size_t vlen;
            int quoted = *s == '"';
            if (quoted) {
                const char *q = strchr(s + 1, '"');
                if (!q)
                    return fail(error, DWMTJ_H_ERR_USAGE,
                                "dwmtj_crossbar: model_card \"%s\": unterminated string", card);
                val = s + 1;
                vlen = (size_t)(q - val);
                s = q + 1;
            } else {
                vlen = strcspn(s, " \t,");
                s += vlen;
            }
            if (strcmp(name, "set") == 0) {
                if (pass == 0) {
                    char set[32];
                    if (vlen >= sizeof set)
                        vlen = sizeof set - 1;
                    memcpy(set, val, vlen);
                    set[vlen] = '\0';
                    if (dwmtj_params_set(p, set) != DWMTJ_OK)
                        return fail(error, DWMTJ_H_ERR_USAGE,
                                    "dwmtj_crossbar: model_card \"%s\": unknown set \"%s\" "
                                    "(use proto or scaled)",
                                    card, set);
                }
                continue;
            }
            double v;
            if (quoted || parse_number(val, vlen, &v) != 0)
                return fail(error, DWMTJ_H_ERR_USAGE,
                            "dwmtj_crossbar: model_card \"%s\": %s needs a number", card, name);
            if (pass == 1 && dwmtj_param_set_by_name(p, name, v) != DWMTJ_OK)
                return fail(error, DWMTJ_H_ERR_USAGE,
                            "dwmtj_crossbar: model_card \"%s\": unknown or invalid "
                            "parameter %s",
                            card, name);
        }
    }
    int st = dwmtj_params_check(p);
    if (st != DWMTJ_OK) {
        const char *pn = dwmtj_status_param(st);
        return fail(error, DWMTJ_H_ERR_USAGE, "dwmtj_crossbar: model_card \"%s\": %s: %s",
                    card, pn ? pn : "parameters", dwmtj_status_string(st));
    }
    return DWMTJ_H_OK;
}

/* What the periphery needs from the device (doc/crossbar.md). */
struct sense {
    double r_in_a;  /* Ohm, track IN end to under MTJ_A */
    double r_b_gnd; /* Ohm, track under MTJ_B to the GND end */
    double r_th;    /* Ohm, (R_P + R_AP)/2 of MTJ_B: the model's fire point */
    double i_read;  /* A, read current at R_B = R_th with no input */
    double i_write; /* A, write current through MTJ_A (no domain) */
    double v_s;     /* V, comparator's tanh scale */
};

static void sense_design(const dwmtj_crossbar *x, const dwmtj_params *p, struct sense *s)
{
    double per_m = p->rho / (p->width * p->thick);
    s->r_in_a = per_m * p->xa;
    s->r_b_gnd = per_m * (p->length - p->xb);
    s->r_th = 0.5 * (p->rp_b + p->rap_b);
    s->i_read = x->v_read / (x->r_sense + s->r_th + s->r_b_gnd);
    s->i_write = x->v_write / (2.0 * SW_RON + s->r_in_a + p->rp_a);
    /* The comparator sees I_r (R_B - R_th); at R_B = R_P that is
     * I_r (R_th - R_P).  A twentieth of it saturates tanh at both ends. */
    s->v_s = s->i_read * (s->r_th - p->rp_b) / 20.0;
}

static double weight_at(const dwmtj_crossbar *x, int i, int k);
static double window(const dwmtj_crossbar *x, double f);

/* ---- checks -------------------------------------------------------------- */

static int finite_pos(double v) { return isfinite(v) && v > 0.0; }

static int check(const dwmtj_crossbar *x, dwmtj_params *p, struct sense *sn, char **error)
{
    if (error)
        *error = NULL;
    if (!x)
        return fail(error, DWMTJ_H_ERR_USAGE, "dwmtj_crossbar: the crossbar is NULL");
    if (x->rows < 1 || x->rows > MAX_DIM)
        return fail(error, DWMTJ_H_ERR_USAGE, "dwmtj_crossbar: rows = %d: must be 1..%d",
                    x->rows, MAX_DIM);
    if (x->cols < 1 || x->cols > MAX_DIM)
        return fail(error, DWMTJ_H_ERR_USAGE, "dwmtj_crossbar: cols = %d: must be 1..%d",
                    x->cols, MAX_DIM);
    if ((long)x->rows * (long)x->cols > MAX_CELLS)
        return fail(error, DWMTJ_H_ERR_USAGE,
                    "dwmtj_crossbar: rows x cols = %d x %d: more than %ld cells", x->rows,
                    x->cols, MAX_CELLS);
    if (x->weight)
        for (long n = 0; n < (long)x->rows * x->cols; n++) {
            double w = x->weight[n];
            if (!(isfinite(w) && w >= -1.0 && w <= 1.0))
                return fail(error, DWMTJ_H_ERR_USAGE,
                            "dwmtj_crossbar: weight[%ld] (row %ld, column %ld) = %g: must be "
                            "in [-1, 1]",
                            n, n / x->cols, n % x->cols, w);
        }
    if (!finite_pos(x->g_min))
        return fail(error, DWMTJ_H_ERR_USAGE, "dwmtj_crossbar: g_min = %g S: must be > 0",
                    x->g_min);
    if (!(isfinite(x->g_max) && x->g_max > x->g_min))
        return fail(error, DWMTJ_H_ERR_USAGE,
                    "dwmtj_crossbar: g_max = %g S: must exceed g_min = %g S", x->g_max,
                    x->g_min);
    if (x->levels < 0 || x->levels == 1)
        return fail(error, DWMTJ_H_ERR_USAGE,
                    "dwmtj_crossbar: levels = %d: must be 0 (continuous) or >= 2", x->levels);
    if (!(isfinite(x->r_wire) && x->r_wire >= 0.0))
        return fail(error, DWMTJ_H_ERR_USAGE,
                    "dwmtj_crossbar: r_wire = %g Ohm: must be >= 0 (0 = ideal wires)",
                    x->r_wire);
    if (x->rate) {
        for (int i = 0; i < x->rows; i++)
            if (!(isfinite(x->rate[i]) && x->rate[i] >= 0.0 && x->rate[i] <= 1.0))
                return fail(error, DWMTJ_H_ERR_USAGE,
                            "dwmtj_crossbar: rate[%d] = %g: must be in [0, 1] (probability "
                            "of a pulse per slot)",
                            i, x->rate[i]);
    } else if (!(isfinite(x->drive) && x->drive >= 0.0 && x->drive <= 1.0)) {
        return fail(error, DWMTJ_H_ERR_USAGE,
                    "dwmtj_crossbar: drive = %g: must be in [0, 1] (probability of a pulse "
                    "per slot)",
                    x->drive);
    }
    if (!isfinite(x->v_pulse))
        return fail(error, DWMTJ_H_ERR_USAGE, "dwmtj_crossbar: v_pulse = %g V: must be finite",
                    x->v_pulse);
    if (!finite_pos(x->t_period))
        return fail(error, DWMTJ_H_ERR_USAGE, "dwmtj_crossbar: t_period = %g s: must be > 0",
                    x->t_period);
    if (!finite_pos(x->t_pulse) || (1.0 + EDGE_FRAC) * x->t_pulse > x->t_period)
        return fail(error, DWMTJ_H_ERR_USAGE,
                    "dwmtj_crossbar: t_pulse = %g s: must be > 0 and, with its fall edge "
                    "(10 %%), fit in t_period = %g s",
                    x->t_pulse, x->t_period);
    if (!finite_pos(x->t_stop))
        return fail(error, DWMTJ_H_ERR_USAGE, "dwmtj_crossbar: t_stop = %g s: must be > 0",
                    x->t_stop);
    if (x->t_stop / x->t_period > 1e7)
        return fail(error, DWMTJ_H_ERR_USAGE,
                    "dwmtj_crossbar: t_stop = %g s: more than 1e7 input slots of t_period",
                    x->t_stop);
    int st = card_params(x->model_card, p, error);
    if (st != DWMTJ_H_OK)
        return st;
    if (!finite_pos(x->v_read))
        return fail(error, DWMTJ_H_ERR_USAGE, "dwmtj_crossbar: v_read = %g V: must be > 0",
                    x->v_read);
    if (!finite_pos(x->r_sense))
        return fail(error, DWMTJ_H_ERR_USAGE, "dwmtj_crossbar: r_sense = %g Ohm: must be > 0",
                    x->r_sense);
    if (!finite_pos(x->v_write))
        return fail(error, DWMTJ_H_ERR_USAGE, "dwmtj_crossbar: v_write = %g V: must be > 0",
                    x->v_write);
    sense_design(x, p, sn);
    if (sn->i_write < p->i_nuc)
        return fail(error, DWMTJ_H_ERR_USAGE,
                    "dwmtj_crossbar: v_write = %g V: drives %g A through MTJ_A "
                    "(%g Ohm of track + R_P %g Ohm), below the device's i_nuc = %g A; the "
                    "write would never nucleate",
                    x->v_write, sn->i_write, sn->r_in_a, p->rp_a, p->i_nuc);
    {
        /* The input current of column k also flows through the track
         * between MTJ_B and GND, inside the read loop: its drop there
         * opposes the read bias.  Keep the read current above half its
         * value without input, so the comparator keeps its sign and gain. */
        double i_max = 0.0;
        int k_max = 0;
        for (int k = 0; k < x->cols; k++) {
            double sum = 0.0;
            for (int i = 0; i < x->rows; i++) {
                double w = weight_at(x, i, k);
                double d = window(x, w > 0.0 ? w : 0.0) - window(x, w < 0.0 ? -w : 0.0);
                if (x->v_pulse * d > 0.0)
                    sum += x->v_pulse * d;
            }
            if (sum > i_max) {
                i_max = sum;
                k_max = k;
            }
        }
        if (2.0 * sn->r_b_gnd * i_max > x->v_read)
            return fail(error, DWMTJ_H_ERR_USAGE,
                        "dwmtj_crossbar: v_read = %g V: column %d can carry %g A, which "
                        "drops %g V on the %g Ohm of track between MTJ_B and GND inside "
                        "the read loop; v_read must exceed twice that (or lower v_pulse, "
                        "g_max)",
                        x->v_read, k_max, i_max, sn->r_b_gnd * i_max, sn->r_b_gnd);
    }
    if (!finite_pos(x->t_write) || x->t_write < p->t_nuc)
        return fail(error, DWMTJ_H_ERR_USAGE,
                    "dwmtj_crossbar: t_write = %g s: must be >= the device's t_nuc = %g s",
                    x->t_write, p->t_nuc);
    if (!(isfinite(x->t_arm) && x->t_arm > (1.0 + 2.0 * EDGE_FRAC) * x->t_write))
        return fail(error, DWMTJ_H_ERR_USAGE,
                    "dwmtj_crossbar: t_arm = %g s: must exceed the write pulse with its "
                    "edges, 1.2 t_write = %g s",
                    x->t_arm, 1.2 * x->t_write);
    return DWMTJ_H_OK;
}

int dwmtj_crossbar_check(const dwmtj_crossbar *x, char **error)
{
    dwmtj_params p;
    struct sense sn;
    return check(x, &p, &sn, error);
}

/* ---- conductances -------------------------------------------------------- */

static double weight_at(const dwmtj_crossbar *x, int i, int k)
{
    if (x->weight)
        return x->weight[(size_t)i * (size_t)x->cols + (size_t)k];
    return -1.0 + 2.0 * uniform(x->seed, TAG_WEIGHT, (uint64_t)i, (uint64_t)k);
}

static double window(const dwmtj_crossbar *x, double f)
{
    if (x->levels >= 2) {
        double n = x->levels - 1;
        f = round(f * n) / n;
    }
    return x->g_min + (x->g_max - x->g_min) * f;
}

static void conductances(const dwmtj_crossbar *x, double *gp, double *gm)
{
    for (int i = 0; i < x->rows; i++)
        for (int k = 0; k < x->cols; k++) {
            double w = weight_at(x, i, k);
            size_t n = (size_t)i * (size_t)x->cols + (size_t)k;
            gp[n] = window(x, w > 0.0 ? w : 0.0);
            gm[n] = window(x, w < 0.0 ? -w : 0.0);
        }
}

int dwmtj_crossbar_conductances(const dwmtj_crossbar *x, double *g_plus, double *g_minus)
{
    if (!g_plus || !g_minus)
        return DWMTJ_H_ERR_USAGE;
    int st = dwmtj_crossbar_check(x, NULL);
    if (st != DWMTJ_H_OK)
        return st;
    conductances(x, g_plus, g_minus);
    return DWMTJ_H_OK;
}

/* ---- text ---------------------------------------------------------------- */

typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} buf;

static void put(buf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)n + 1;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

/* Node of word line i at physical column c (2k: k+, 2k+1: k-).  The driver
 * feeds column 0, the left end. */
static void wl_node(char *out, size_t n, const dwmtj_crossbar *x, int i, int c)
{
    if (x->r_wire == 0.0 || c == 0)
        snprintf(out, n, "wl%d", i);
    else
        snprintf(out, n, "wl%d_%d", i, c);
}

/* Node of bit line c at row i; the read-out sits at the bottom (row M-1). */
static void bl_node(char *out, size_t n, const dwmtj_crossbar *x, int i, int c)
{
    char side = (c & 1) ? 'm' : 'p';
    if (x->r_wire == 0.0 || i == x->rows - 1)
        snprintf(out, n, "bl%d%c", c / 2, side);
    else
        snprintf(out, n, "bl%d%c_%d", c / 2, side, i);
}

/* PWL of word line i: slot j pulses with probability strength; each pulse
 * rises from 0 at the slot start, holds v_pulse until t_pulse, and falls
 * over 10 % of t_pulse, so that its width at half height is t_pulse and
 * its area v_pulse t_pulse. */
static void word_line(buf *b, const dwmtj_crossbar *x, int i)
{
    double strength = x->rate ? x->rate[i] : x->drive;
    double e = EDGE_FRAC * x->t_pulse;
    long slots = (long)ceil(x->t_stop / x->t_period);
    int per_line = 0;
    double last_t = 0.0;
    put(b, "Vwl%d wl%d 0 PWL(0 0", i, i);
    for (long j = 0; j < slots; j++) {
        double t0 = (double)j * x->t_period;
        if (t0 >= x->t_stop)
            break;
        if (!(uniform(x->seed, TAG_PULSE, (uint64_t)i, (uint64_t)j) < strength))
            continue;
        double pt[4][2] = {
            { t0, 0.0 }, { t0 + e, x->v_pulse }, { t0 + x->t_pulse, x->v_pulse },
            { t0 + x->t_pulse + e, 0.0 } };
        for (int q = 0; q < 4; q++) {
            if (pt[q][0] <= last_t && pt[q][1] == 0.0)
                continue; /* a rise where the previous fall ended (or at 0) */
            if (per_line == 0)
                put(b, "\n+");
            put(b, " %.12g %.12g", pt[q][0], pt[q][1]);
            per_line = (per_line + 1) % 6;
            last_t = pt[q][0];
        }
    }
    put(b, ")\n");
}

int dwmtj_crossbar_netlist(const dwmtj_crossbar *x, char **text, char **error)
{
    if (error)
        *error = NULL;
    if (!text)
        return fail(error, DWMTJ_H_ERR_USAGE, "dwmtj_crossbar_netlist: text is NULL");
    *text = NULL;
    dwmtj_params p;
    struct sense sn;
    int st = check(x, &p, &sn, error);
    if (st != DWMTJ_H_OK)
        return st;
    const int M = x->rows, N = x->cols;
    size_t cells = (size_t)M * (size_t)N;
    double *gp = malloc(cells * sizeof *gp), *gm = malloc(cells * sizeof *gm);
    if (!gp || !gm) {
        free(gp);
        free(gm);
        return fail(error, DWMTJ_H_ERR_NOMEM, "dwmtj_crossbar_netlist: out of memory");
    }
    conductances(x, gp, gm);

    buf b = { NULL, 0, 0, 0 };
    b.cap = 4096 + (cells < ((size_t)1 << 18) ? cells : ((size_t)1 << 18)) * 96;
    b.s = malloc(b.cap);
    if (!b.s)
        b.oom = 1;
    double step = fmin(0.1e-9, x->t_pulse / 10.0);
    double e_w = EDGE_FRAC * x->t_write;

    put(&b, "dwmtj4t crossbar: %d inputs x %d neurons (dwmtj_crossbar_netlist, seed %llu)\n",
        M, N, (unsigned long long)x->seed);
    put(&b, "* Design: doc/crossbar.md.  Weights w in [-1, 1] as conductance pairs\n"
            "* G+ - G- in [%.9g, %.9g] S; wire %.9g Ohm per cell.\n",
        x->g_min, x->g_max, x->r_wire);
    if (x->levels)
        put(&b, "* Conductances quantised to %d levels.\n", x->levels);

    put(&b, "*\n* inputs: word line i pulses %.9g V for %.9g s in a slot of %.9g s with\n"
            "* probability rate[i] (seeded), edges %.9g s\n",
        x->v_pulse, x->t_pulse, x->t_period, EDGE_FRAC * x->t_pulse);
    for (int i = 0; i < M; i++)
        word_line(&b, x, i);

    put(&b, "*\n* synapses: Rx<i>_<k>p from word line i to bit line k+ (1/G+), "
            "Rx<i>_<k>m to k- (1/G-)\n");
    char n1[48], n2[48];
    for (int i = 0; i < M; i++)
        for (int k = 0; k < N; k++) {
            size_t n = (size_t)i * (size_t)N + (size_t)k;
            wl_node(n1, sizeof n1, x, i, 2 * k);
            bl_node(n2, sizeof n2, x, i, 2 * k);
            put(&b, "Rx%d_%dp %s %s %.17g\n", i, k, n1, n2, 1.0 / gp[n]);
            wl_node(n1, sizeof n1, x, i, 2 * k + 1);
            bl_node(n2, sizeof n2, x, i, 2 * k + 1);
            put(&b, "Rx%d_%dm %s %s %.17g\n", i, k, n1, n2, 1.0 / gm[n]);
        }
    if (x->r_wire > 0.0) {
        put(&b, "*\n* wires: %.17g Ohm between neighbouring cells; word lines driven at\n"
                "* the left end, bit lines read at the bottom end\n",
            x->r_wire);
        for (int i = 0; i < M; i++)
            for (int c = 1; c < 2 * N; c++) {
                wl_node(n1, sizeof n1, x, i, c - 1);
                wl_node(n2, sizeof n2, x, i, c);
                put(&b, "Rwl%d_%d %s %s %.17g\n", i, c, n1, n2, x->r_wire);
            }
        for (int c = 0; c < 2 * N; c++)
            for (int i = 0; i + 1 < M; i++) {
                bl_node(n1, sizeof n1, x, i, c);
                bl_node(n2, sizeof n2, x, i + 1, c);
                put(&b, "Rbl%d%c_%d %s %s %.17g\n", c / 2, (c & 1) ? 'm' : 'p', i, n1, n2,
                    x->r_wire);
            }
    }

    put(&b, "*\n* read-out: each bit line ends in a 0 V source (virtual ground); F sources\n"
            "* mirror I(k+) into and I(k-) out of neuron k's IN terminal, an ideal\n"
            "* differential current read-out\n");
    for (int k = 0; k < N; k++) {
        put(&b, "Vbl%dp bl%dp 0 DC 0\n", k, k);
        put(&b, "Vbl%dm bl%dm 0 DC 0\n", k, k);
        put(&b, "Fp%d 0 n%d_in Vbl%dp 1\n", k, k, k);
        put(&b, "Fm%d n%d_in 0 Vbl%dm 1\n", k, k, k);
    }

    put(&b, "*\n* neurons\n");
    for (int k = 0; k < N; k++)
        put(&b, "an%d n%d_in n%d_gnd n%d_a n%d_b NULL neuron\n", k, k, k, k, k);
    put(&b, ".model neuron dwmtj4t(%s)\n", x->model_card);

    put(&b, "*\n* write (re-arm): every %.9g s the clock opens GND and connects IN to\n"
            "* %.9g V and A to ground for %.9g s: %.3g A through IN-A and MTJ_A only\n"
            "* (i_nuc %.3g A for %.3g s); no effect while a domain is on the track\n",
        x->t_arm, x->v_write, x->t_write, sn.i_write, p.i_nuc, p.t_nuc);
    put(&b, "Vclk clk 0 PULSE(0 1 0 %.9g %.9g %.9g %.9g)\n", e_w, e_w, x->t_write, x->t_arm);
    put(&b, "Vwr wr 0 DC %.9g\n", x->v_write);
    put(&b, ".model swon sw(vt=0.5 vh=0 ron=%g roff=%g)\n", SW_RON, SW_ROFF);
    put(&b, ".model swoff sw(vt=-0.5 vh=0 ron=%g roff=%g)\n", SW_RON, SW_ROFF);
    for (int k = 0; k < N; k++) {
        put(&b, "Sw%d n%d_in wr clk 0 swon\n", k, k);
        put(&b, "Sa%d n%d_a 0 clk 0 swon\n", k, k);
        put(&b, "Vg%d n%d_gnd n%d_gs DC 0\n", k, k, k);
        put(&b, "Sg%d n%d_gs 0 0 clk swoff\n", k, k);
    }

    put(&b, "*\n* fire sense: a read bias of %.9g V floating on the GND terminal drives\n"
            "* %.3g A through %.9g Ohm into MTJ_B and back out of GND (also while GND is\n"
            "* open for a write).  The voltage across MTJ_B is V(b) - V(gnd) minus the\n"
            "* drop on the %.9g Ohm of track from under MTJ_B to GND, which carries the\n"
            "* read current and the input current I(Vg); spk = 1 while it exceeds\n"
            "* R_th = %.9g Ohm times the read current (R_B AP), 0 while R_B is P\n",
        x->v_read, sn.i_read, x->r_sense, sn.r_b_gnd, sn.r_th);
    for (int k = 0; k < N; k++) {
        put(&b, "Vrd%d rd%d n%d_gnd DC %.9g\n", k, k, k, x->v_read);
        put(&b, "Rsense%d rd%d n%d_b %.17g\n", k, k, k, x->r_sense);
        put(&b,
            "Bspk%d spk%d 0 V = 0.5 + 0.5*tanh((v(n%d_b) - v(n%d_gnd) - %.12g*i(Vg%d) - "
            "%.12g*(v(rd%d) - v(n%d_b))) / %.6g)\n",
            k, k, k, k, sn.r_b_gnd, k, (sn.r_b_gnd + sn.r_th) / x->r_sense, k, k, sn.v_s);
    }

    put(&b, "*\n.tran %.9g %.9g\n.end\n", step, x->t_stop);
    free(gp);
    free(gm);
    if (b.oom) {
        free(b.s);
        return fail(error, DWMTJ_H_ERR_NOMEM, "dwmtj_crossbar_netlist: out of memory");
    }
    *text = b.s;
    return DWMTJ_H_OK;
}
