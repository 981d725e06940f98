/* Crossbar netlists: M word lines driving N dwmtj4t neurons through
 * differential conductance pairs, with the neurons' write, read and
 * comparator periphery in the netlist itself.  The design and the reasons
 * for it: doc/crossbar.md.  Pure text generation; no simulator. */
#define _POSIX_C_SOURCE 200809L

#include "dwmtj_crossbar.h"
#include "dwmtj_spice.h"

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
    x->arm = DWMTJ_CROSSBAR_ARM_RESET;
    x->t_arm = 10e-9;
    /* the cell's reset (doc/cell.md): the clear pushes the domain from where
     * the reader lets go (centre 417 nm) off the GND end (525 nm) at 100 uA:
     * 135 nm/ns, 108 nm in 0.8 ns < 1 ns, for I^2 R_L t = 0.2 pJ of track
     * heating (the cell's 200 uA for 1 ns costs 0.8 pJ) */
    x->i_clear = 100e-6;
    x->t_clear = 1e-9;
    x->t_start = 0.1e-9;
    /* a read bias floating on each neuron's GND terminal: 1 V through
     * 200 kOhm + R_B + 4 kOhm of track, 4.6 uA (19 mV either side of the
     * comparator's threshold, 4.6 uW per neuron); the input current's drop
     * on the 4 kOhm may reach 0.5 V (125 uA) before the check refuses. */
    x->v_read = 1.0;
    x->r_sense = 200e3;
}

/* ---- the model card ------------------------------------------------------ */

/* The dwmtj4t parameters of the model card, read as the code model reads
 * them (dwmtj_spice_device): the generator needs them for the comparator
 * (R_B threshold, GND-side track resistance) and to check that the write
 * nucleates.  The card text is read by the project's one card reader. */
static int card_params(const char *card, dwmtj_params *p, dwmtj_spice_deck **keep,
                       char **error)
{
    if (keep)
        *keep = NULL;
    if (!card)
        return fail(error, DWMTJ_H_ERR_USAGE, "dwmtj_crossbar: model_card is NULL");
    if (strpbrk(card, "\n\r()"))
        return fail(error, DWMTJ_H_ERR_USAGE,
                    "dwmtj_crossbar: model_card \"%s\": one line of NAME=VALUE "
                    "parameters without parentheses",
                    card);
    size_t n = strlen(card) + 64;
    char *text = malloc(n);
    if (!text)
        return fail(error, DWMTJ_H_ERR_NOMEM, "dwmtj_crossbar: out of memory");
    snprintf(text, n, "model card\n.model neuron dwmtj4t(%s)\n", card);
    dwmtj_spice_deck *d = NULL;
    char *why = NULL;
    int rc = dwmtj_spice_read(&d, "model_card", text, &why);
    free(text);
    if (rc == DWMTJ_SPICE_OK && (d->top.n_card != 1 || d->top.card[0].kind != DWMTJ_SPICE_MODEL))
        rc = DWMTJ_SPICE_ERR_SYNTAX;
    if (rc == DWMTJ_SPICE_OK) {
        free(why);
        why = NULL;
        rc = dwmtj_spice_device(d, &d->top.card[0], p, NULL, NULL, &why);
    }
    if (keep && rc >= 0)
        *keep = d;
    else
        dwmtj_spice_free(d);
    if (rc < 0) {
        /* the reader's message names "model_card:2": say the card instead */
        const char *m = why ? strstr(why, ".model neuron: ") : NULL;
        rc = fail(error, rc == DWMTJ_SPICE_ERR_NOMEM ? DWMTJ_H_ERR_NOMEM : DWMTJ_H_ERR_USAGE,
                  "dwmtj_crossbar: model_card \"%s\": %s", card,
                  m ? m + 15 : why ? why : "expected NAME=VALUE parameters");
        free(why);
        return rc;
    }
    free(why);
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
    int st = card_params(x->model_card, p, NULL, error);
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
    /* The input current of column k also flows through the track
     * between MTJ_B and GND, inside the read loop: its drop there
     * opposes the read bias.  Keep the read current above half its
     * value without input, so the comparator keeps its sign and gain. */
    double i_max = 0.0;
    int k_max = 0;
    {
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
    if (x->arm != DWMTJ_CROSSBAR_ARM_RESET && x->arm != DWMTJ_CROSSBAR_ARM_CLOCK)
        return fail(error, DWMTJ_H_ERR_USAGE,
                    "dwmtj_crossbar: arm = %d: must be DWMTJ_CROSSBAR_ARM_RESET (%d) or "
                    "DWMTJ_CROSSBAR_ARM_CLOCK (%d)",
                    x->arm, DWMTJ_CROSSBAR_ARM_RESET, DWMTJ_CROSSBAR_ARM_CLOCK);
    if (x->arm == DWMTJ_CROSSBAR_ARM_CLOCK) {
        if (!(isfinite(x->t_arm) && x->t_arm > (1.0 + 2.0 * EDGE_FRAC) * x->t_write))
            return fail(error, DWMTJ_H_ERR_USAGE,
                        "dwmtj_crossbar: t_arm = %g s: must exceed the write pulse with its "
                        "edges, 1.2 t_write = %g s",
                        x->t_arm, 1.2 * x->t_write);
        return DWMTJ_H_OK;
    }
    if (!finite_pos(x->t_clear))
        return fail(error, DWMTJ_H_ERR_USAGE, "dwmtj_crossbar: t_clear = %g s: must be > 0",
                    x->t_clear);
    if (!(isfinite(x->t_start) && x->t_start >= 0.0 && x->t_start + x->t_write < x->t_stop))
        return fail(error, DWMTJ_H_ERR_USAGE,
                    "dwmtj_crossbar: t_start = %g s: must be >= 0 and leave the initial "
                    "write (t_write = %g s) inside t_stop = %g s",
                    x->t_start, x->t_write, x->t_stop);
    if (!finite_pos(x->i_clear))
        return fail(error, DWMTJ_H_ERR_USAGE, "dwmtj_crossbar: i_clear = %g A: must be > 0",
                    x->i_clear);
    {
        /* The clear has to leave the track empty for the write (the model
         * writes only into an empty track): i_clear alone (the input may
         * add or take) moves the domain from the reader's centre to fully
         * past the GND end, L + ell/2 - xb, within t_clear at the free
         * velocity (pinning, where the card has it, is not counted) */
        dwmtj_derived dv;
        dwmtj_params q = *p;
        dwmtj_set_ambient(&q, DWMTJ_T_DEFAULT);
        if (dwmtj_derive(&q, &dv) >= 0) {
            double dist = p->length + 0.5 * dv.ell[0] - p->xb;
            double v = dwmtj_velocity_free(&dv, x->i_clear / dv.area);
            if (!(v * x->t_clear >= dist))
                return fail(error, DWMTJ_H_ERR_USAGE,
                            "dwmtj_crossbar: i_clear = %g A for t_clear = %g s moves the "
                            "domain %g m, less than the %g m from MTJ_B's centre off the "
                            "track's GND end: the write would find the track occupied",
                            x->i_clear, x->t_clear, v * x->t_clear, dist);
        }
        /* the clear current runs through the read loop's track piece too:
         * the read current must keep its sign (v_read > r_B-GND I) */
        if (sn->r_b_gnd * (i_max + x->i_clear) >= x->v_read)
            return fail(error, DWMTJ_H_ERR_USAGE,
                        "dwmtj_crossbar: i_clear = %g A: with column %d's %g A it drops "
                        "%g V on the %g Ohm of track between MTJ_B and GND inside the read "
                        "loop, not below v_read = %g V",
                        x->i_clear, k_max, i_max, sn->r_b_gnd * (i_max + x->i_clear),
                        sn->r_b_gnd, x->v_read);
    }
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

/* ---- the deck ------------------------------------------------------------ */

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
static int word_line(dwmtj_spice_scope *top, const dwmtj_crossbar *x, int i)
{
    double strength = x->rate ? x->rate[i] : x->drive;
    double e = EDGE_FRAC * x->t_pulse;
    long slots = (long)ceil(x->t_stop / x->t_period);
    double *t = malloc(sizeof *t * (size_t)(4 * slots + 1));
    double *v = malloc(sizeof *v * (size_t)(4 * slots + 1));
    int n = 0, rc = -1;
    if (t && v) {
        t[n] = 0.0;
        v[n++] = 0.0;
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
                if (pt[q][0] <= t[n - 1] && pt[q][1] == 0.0)
                    continue; /* a rise where the previous fall ended (or at 0) */
                t[n] = pt[q][0];
                v[n++] = pt[q][1];
            }
        }
        char name[32], node[32];
        snprintf(name, sizeof name, "vwl%d", i);
        snprintf(node, sizeof node, "wl%d", i);
        rc = dwmtj_spice_add_v(top, name, node, "0", 0.0, n, t, v) ? 0 : -1;
    }
    free(t);
    free(v);
    return rc;
}

static int add_r(dwmtj_spice_scope *s, const char *name, const char *a, const char *b, double r)
{
    return dwmtj_spice_add_r(s, name, a, b, r) ? 0 : -1;
}

/* An element from its nodes and a controlling source or model. */
static int add_el(dwmtj_spice_scope *s, const char *name, int n, const char *const *node,
                  const char *ctrl, const char *ref, double value)
{
    return dwmtj_spice_add_elem(s, name, n, node, ctrl, ref, value, NULL) ? 0 : -1;
}

static int add_dc(dwmtj_spice_scope *s, const char *name, const char *p, const char *m, double v)
{
    return dwmtj_spice_add_v(s, name, p, m, v, 0, NULL, NULL) ? 0 : -1;
}

static int switch_model(dwmtj_spice_scope *s, const char *name, double vt)
{
    return dwmtj_spice_add_sw_model(s, name, vt, 0.0, SW_RON, SW_ROFF);
}

/* spk = 0.5 + 0.5 tanh((V(b) - V(gnd) - r_bg I(Vg) - k (V(rd) - V(b))) / v_s):
 * the comparator of neuron k (doc/crossbar.md). */
static dwmtj_spice_expr *comparator(int k, const struct sense *sn, double r_sense)
{
    char b[32], g[32], vg[32], rd[32];
    snprintf(b, sizeof b, "n%d_b", k);
    snprintf(g, sizeof g, "n%d_gnd", k);
    snprintf(vg, sizeof vg, "vg%d", k);
    snprintf(rd, sizeof rd, "rd%d", k);
    enum { ADD = DWMTJ_SPICE_X_ADD, SUB = DWMTJ_SPICE_X_SUB, MUL = DWMTJ_SPICE_X_MUL,
           DIV = DWMTJ_SPICE_X_DIV };
    dwmtj_spice_expr *vb_g = dwmtj_spice_x_op(SUB, dwmtj_spice_x_volt(b, NULL),
                                              dwmtj_spice_x_volt(g, NULL));
    dwmtj_spice_expr *track = dwmtj_spice_x_op(MUL, dwmtj_spice_x_num(sn->r_b_gnd),
                                               dwmtj_spice_x_cur(vg));
    dwmtj_spice_expr *bias = dwmtj_spice_x_op(
        MUL, dwmtj_spice_x_num((sn->r_b_gnd + sn->r_th) / r_sense),
        dwmtj_spice_x_op(SUB, dwmtj_spice_x_volt(rd, NULL), dwmtj_spice_x_volt(b, NULL)));
    dwmtj_spice_expr *arg = dwmtj_spice_x_op(
        DIV, dwmtj_spice_x_op(SUB, dwmtj_spice_x_op(SUB, vb_g, track), bias),
        dwmtj_spice_x_num(sn->v_s));
    dwmtj_spice_expr *th = dwmtj_spice_x_call("tanh", 1, &arg);
    return dwmtj_spice_x_op(ADD, dwmtj_spice_x_num(0.5),
                            dwmtj_spice_x_op(MUL, dwmtj_spice_x_num(0.5), th));
}

/* The write path of neuron k (the paper's write between IN and A with GND
 * off): while node ctl is high Sw<k> connects IN to the driver `wr`
 * (v_write), Sa<k> A to ground, and Sg<k> opens GND (through the probe
 * Vg<k>). */
static int write_path(dwmtj_spice_scope *top, int k, const char *ctl)
{
    char in[32], a[32], g[32], gs[32], nm[32];
    snprintf(in, sizeof in, "n%d_in", k);
    snprintf(a, sizeof a, "n%d_a", k);
    snprintf(g, sizeof g, "n%d_gnd", k);
    snprintf(gs, sizeof gs, "n%d_gs", k);
    const char *sw[4] = { in, "wr", ctl, "0" }, *sa[4] = { a, "0", ctl, "0" },
               *sg[4] = { gs, "0", "0", ctl };
    snprintf(nm, sizeof nm, "sw%d", k);
    if (add_el(top, nm, 4, sw, NULL, "swon", 0.0))
        return -1;
    snprintf(nm, sizeof nm, "sa%d", k);
    if (add_el(top, nm, 4, sa, NULL, "swon", 0.0))
        return -1;
    snprintf(nm, sizeof nm, "vg%d", k);
    if (add_dc(top, nm, g, gs, 0.0))
        return -1;
    snprintf(nm, sizeof nm, "sg%d", k);
    return add_el(top, nm, 4, sg, NULL, "swoff", 0.0);
}

/* write (re-arm, arm = CLOCK): every t_arm the clock opens GND and connects
 * IN to v_write and A to ground for t_write: a current through IN-A and
 * MTJ_A only; no effect while a domain is on the track */
static int clock_writes(dwmtj_spice_scope *top, const dwmtj_crossbar *x)
{
    double e_w = EDGE_FRAC * x->t_write;
    double pulse[7] = { 0.0, 1.0, 0.0, e_w, e_w, x->t_write, x->t_arm };
    dwmtj_spice_wave clk = { DWMTJ_SPICE_PULSE, 0.0, 7, NULL, pulse };
    if (!dwmtj_spice_add_wave(top, "vclk", "clk", "0", &clk) ||
        add_dc(top, "vwr", "wr", "0", x->v_write) || switch_model(top, "swon", 0.5) ||
        switch_model(top, "swoff", -0.5))
        return -1;
    for (int k = 0; k < x->cols; k++)
        if (write_path(top, k, "clk"))
            return -1;
    return 0;
}

/* Logic level of the reset's control nodes (V); thresholds at half. */
#define LOGIC 1.0
/* The one-shots' capacitor (F) and their switch's on resistance (Ohm):
 * the cell's RC design at 1 fF instead of 1 pF, so that the ideal logic
 * costs C LOGIC^2 = 1 fJ per pulse in the sources' energy, not 1 pJ; the
 * charge time constant stays the cell's 10 fs */
#define OS_C 1e-15
#define OS_RON 10.0

/* write (arm = RESET): each neuron's own reset, as the cell of doc/cell.md.
 * The fall of spk<k> (the domain leaves under MTJ_B, still on the track)
 * starts a one-shot clr<k> of t_clear during which Bic<k> adds i_clear
 * into IN and pushes the domain off the GND end (the model writes only
 * into an empty track); the fall of clr<k> starts a one-shot of t_write,
 * and wen<k>, that one-shot or the initial write Vst at t_start, drives
 * the write path: so a neuron writes once at the start and once after
 * each of its own resets, never into an occupied track. */
static int reset_writes(dwmtj_spice_scope *top, const dwmtj_crossbar *x)
{
    double st[6] = { 0.0, LOGIC, x->t_start, 1e-12, 1e-12, x->t_write };
    dwmtj_spice_wave w = { DWMTJ_SPICE_PULSE, 0.0, 6, NULL, st };
    if (!dwmtj_spice_add_wave(top, "vst", "st", "0", &w) ||
        add_dc(top, "vwr", "wr", "0", x->v_write) || add_dc(top, "vlvdd", "lvdd", "0", LOGIC) ||
        switch_model(top, "swon", 0.5) || switch_model(top, "swoff", -0.5) ||
        dwmtj_spice_add_sw_model(top, "swos", 0.5 * LOGIC, 0.1 * LOGIC, OS_RON, SW_ROFF))
        return -1;
    const dwmtj_spice_logic g = { "lvdd", "swos", LOGIC, OS_C };
    for (int k = 0; k < x->cols; k++) {
        char spk[32], clr[32], wen[32], in[32], nm[32];
        snprintf(spk, sizeof spk, "spk%d", k);
        snprintf(clr, sizeof clr, "clr%d", k);
        snprintf(wen, sizeof wen, "wen%d", k);
        snprintf(in, sizeof in, "n%d_in", k);
        if (dwmtj_spice_add_reset(top, k, spk, clr, wen, "st", &g, x->t_clear, x->t_write))
            return -1;
        snprintf(nm, sizeof nm, "bic%d", k);
        if (!dwmtj_spice_add_b(top, nm, "0", in, 'i',
                               dwmtj_spice_x_op(DWMTJ_SPICE_X_MUL, dwmtj_spice_x_num(x->i_clear),
                                                dwmtj_spice_x_high(clr, LOGIC))))
            return -1;
        if (write_path(top, k, wen))
            return -1;
    }
    return 0;
}

static int build(dwmtj_spice_deck *d, const dwmtj_crossbar *x, const dwmtj_params *p,
                 const struct sense *sn, const double *gp, const double *gm)
{
    dwmtj_spice_scope *top = &d->top;
    const int M = x->rows, N = x->cols;
    char n1[48], n2[48], nm[48];
    /* inputs: word line i pulses v_pulse for t_pulse in a slot of t_period
     * with probability rate[i] (seeded) */
    for (int i = 0; i < M; i++)
        if (word_line(top, x, i) != 0)
            return -1;
    /* synapses: Rx<i>_<k>p from word line i to bit line k+ (1/G+), Rx<i>_<k>m
     * to k- (1/G-) */
    for (int i = 0; i < M; i++)
        for (int k = 0; k < N; k++) {
            size_t n = (size_t)i * (size_t)N + (size_t)k;
            wl_node(n1, sizeof n1, x, i, 2 * k);
            bl_node(n2, sizeof n2, x, i, 2 * k);
            snprintf(nm, sizeof nm, "rx%d_%dp", i, k);
            if (add_r(top, nm, n1, n2, 1.0 / gp[n]))
                return -1;
            wl_node(n1, sizeof n1, x, i, 2 * k + 1);
            bl_node(n2, sizeof n2, x, i, 2 * k + 1);
            snprintf(nm, sizeof nm, "rx%d_%dm", i, k);
            if (add_r(top, nm, n1, n2, 1.0 / gm[n]))
                return -1;
        }
    /* wires: r_wire between neighbouring cells; word lines driven at the
     * left end, bit lines read at the bottom end */
    if (x->r_wire > 0.0) {
        for (int i = 0; i < M; i++)
            for (int c = 1; c < 2 * N; c++) {
                wl_node(n1, sizeof n1, x, i, c - 1);
                wl_node(n2, sizeof n2, x, i, c);
                snprintf(nm, sizeof nm, "rwl%d_%d", i, c);
                if (add_r(top, nm, n1, n2, x->r_wire))
                    return -1;
            }
        for (int c = 0; c < 2 * N; c++)
            for (int i = 0; i + 1 < M; i++) {
                bl_node(n1, sizeof n1, x, i, c);
                bl_node(n2, sizeof n2, x, i + 1, c);
                snprintf(nm, sizeof nm, "rbl%d%c_%d", c / 2, (c & 1) ? 'm' : 'p', i);
                if (add_r(top, nm, n1, n2, x->r_wire))
                    return -1;
            }
    }
    /* read-out: each bit line ends in a 0 V source (virtual ground); F
     * sources mirror I(k+) into and I(k-) out of neuron k's IN terminal, an
     * ideal differential current read-out */
    for (int k = 0; k < N; k++) {
        char blp[32], blm[32], in[32], vp[32], vm[32];
        snprintf(blp, sizeof blp, "bl%dp", k);
        snprintf(blm, sizeof blm, "bl%dm", k);
        snprintf(in, sizeof in, "n%d_in", k);
        snprintf(vp, sizeof vp, "vbl%dp", k);
        snprintf(vm, sizeof vm, "vbl%dm", k);
        const char *fp[2] = { "0", in }, *fm[2] = { in, "0" };
        if (add_dc(top, vp, blp, "0", 0.0) || add_dc(top, vm, blm, "0", 0.0))
            return -1;
        snprintf(nm, sizeof nm, "fp%d", k);
        if (add_el(top, nm, 2, fp, vp, NULL, 1.0))
            return -1;
        snprintf(nm, sizeof nm, "fm%d", k);
        if (add_el(top, nm, 2, fm, vm, NULL, 1.0))
            return -1;
    }
    /* neurons */
    for (int k = 0; k < N; k++) {
        char t[4][32];
        const char *tp[4] = { t[0], t[1], t[2], t[3] };
        snprintf(t[0], sizeof t[0], "n%d_in", k);
        snprintf(t[1], sizeof t[1], "n%d_gnd", k);
        snprintf(t[2], sizeof t[2], "n%d_a", k);
        snprintf(t[3], sizeof t[3], "n%d_b", k);
        snprintf(nm, sizeof nm, "an%d", k);
        if (!dwmtj_spice_add_a(top, nm, tp, -1, NULL, "neuron"))
            return -1;
    }
    {
        /* the model card as the user gave it, read by the card reader */
        dwmtj_spice_deck *md = NULL;
        dwmtj_params q;
        if (card_params(x->model_card, &q, &md, NULL) != DWMTJ_H_OK)
            return -1;
        dwmtj_spice_card *mc = dwmtj_spice_add_model(top, "neuron", "dwmtj4t");
        const dwmtj_spice_model *um = &md->top.card[0].model;
        for (int k = 0; mc && k < um->n_param; k++)
            if (dwmtj_spice_add_param(mc, um->param[k].name, um->param[k].text,
                                      um->param[k].quoted))
                mc = NULL;
        dwmtj_spice_free(md);
        if (!mc)
            return -1;
    }
    if ((x->arm == DWMTJ_CROSSBAR_ARM_CLOCK ? clock_writes(top, x) : reset_writes(top, x)) != 0)
        return -1;
    /* fire sense: a read bias of v_read floating on the GND terminal drives
     * i_read through r_sense into MTJ_B and back out of GND (also while GND
     * is open for a write).  The voltage across MTJ_B is V(b) - V(gnd)
     * minus the drop on the track from under MTJ_B to GND, which carries
     * the read current and the input current I(Vg); spk = 1 while it
     * exceeds R_th times the read current (R_B AP), 0 while R_B is P */
    for (int k = 0; k < N; k++) {
        char rd[32], g[32], b[32], spk[32];
        snprintf(rd, sizeof rd, "rd%d", k);
        snprintf(g, sizeof g, "n%d_gnd", k);
        snprintf(b, sizeof b, "n%d_b", k);
        snprintf(spk, sizeof spk, "spk%d", k);
        snprintf(nm, sizeof nm, "vrd%d", k);
        if (add_dc(top, nm, rd, g, x->v_read))
            return -1;
        snprintf(nm, sizeof nm, "rsense%d", k);
        if (add_r(top, nm, rd, b, x->r_sense))
            return -1;
        /* with the reset periphery, blanked (held low) while clr<k> is
         * high, as infer's cell: a domain that backs out of MTJ_B under a
         * negative drive makes spk fall slowly through the threshold, the
         * clear's current then pushes it back under B, and an unblanked
         * comparator and the clear one-shot flip each other at the same
         * time point until ngspice stops ("timestep too small") */
        dwmtj_spice_expr *e = comparator(k, sn, x->r_sense);
        if (x->arm == DWMTJ_CROSSBAR_ARM_RESET) {
            char clr[32];
            snprintf(clr, sizeof clr, "clr%d", k);
            e = dwmtj_spice_x_op(DWMTJ_SPICE_X_MUL, e, dwmtj_spice_x_low(clr, LOGIC));
        }
        snprintf(nm, sizeof nm, "bspk%d", k);
        if (!dwmtj_spice_add_b(top, nm, spk, "0", 'v', e))
            return -1;
    }
    (void)p;
    double tran[2] = { fmin(0.1e-9, x->t_pulse / 10.0), x->t_stop };
    return dwmtj_spice_add_tran(top, 2, tran) ? 0 : -1;
}

int dwmtj_crossbar_deck(const dwmtj_crossbar *x, dwmtj_spice_deck **out, char **error)
{
    if (error)
        *error = NULL;
    if (!out)
        return fail(error, DWMTJ_H_ERR_USAGE, "dwmtj_crossbar_deck: out is NULL");
    *out = NULL;
    dwmtj_params p;
    struct sense sn;
    int st = check(x, &p, &sn, error);
    if (st != DWMTJ_H_OK)
        return st;
    const int M = x->rows, N = x->cols;
    size_t cells = (size_t)M * (size_t)N;
    double *gp = malloc(cells * sizeof *gp), *gm = malloc(cells * sizeof *gm);
    char title[160];
    snprintf(title, sizeof title,
             "dwmtj4t crossbar: %d inputs x %d neurons (dwmtj_crossbar_netlist, seed %llu)", M, N,
             (unsigned long long)x->seed);
    dwmtj_spice_deck *d = dwmtj_spice_new(title);
    int rc = DWMTJ_H_ERR_NOMEM;
    if (gp && gm && d) {
        free(d->file[0]); /* the name ngspice's messages give */
        d->file[0] = strdup("crossbar");
        conductances(x, gp, gm);
        if (build(d, x, &p, &sn, gp, gm) == 0)
            rc = DWMTJ_H_OK;
    }
    free(gp);
    free(gm);
    if (rc != DWMTJ_H_OK) {
        dwmtj_spice_free(d);
        return fail(error, rc, "dwmtj_crossbar_deck: out of memory");
    }
    *out = d;
    return DWMTJ_H_OK;
}

int dwmtj_crossbar_netlist(const dwmtj_crossbar *x, char **text, char **error)
{
    if (error)
        *error = NULL;
    if (!text)
        return fail(error, DWMTJ_H_ERR_USAGE, "dwmtj_crossbar_netlist: text is NULL");
    *text = NULL;
    dwmtj_spice_deck *d = NULL;
    int rc = dwmtj_crossbar_deck(x, &d, error);
    if (rc == DWMTJ_H_OK && dwmtj_spice_write(d, text) != DWMTJ_SPICE_OK)
        rc = fail(error, DWMTJ_H_ERR_NOMEM, "dwmtj_crossbar_netlist: out of memory");
    dwmtj_spice_free(d);
    return rc;
}
