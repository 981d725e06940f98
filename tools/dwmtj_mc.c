/* dwmtj mc: device-to-device Monte Carlo and the write-error rate.  Runs
 * the paper's device protocols on libdwmtj directly, in the circuit of
 * netlists/fig3a.cir (the nodes A and B solved by Newton with dwmtj_step's
 * Jacobian at every time point, the steps placed as ngspice places them
 * for that netlist), over the devices drawn with dev_seed = 1..N. */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"
#include "dwmtj.h"
#include "dwmtj_output.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define SUB "mc"

/* The circuit of netlists/fig3a.cir, fig3ce.cir (--reverse) and fig4.cir. */
#define T_SLOT 100e-9   /* s, period of the integrate pulses, the first at T_SLOT */
#define T_EDGE 10e-9    /* s, their edges */
#define T_TOP 30e-9     /* s, their top */
#define G_SENSE 1e-5    /* S, each pillar to ground through 100 kOhm */
#define G_ON 1.0        /* S, the write switch closed (ron = 1 Ohm) */
#define G_OFF 1e-12     /* S, open (roff = 1e12 Ohm) */
#define T_W0 10e-9      /* s, the write pulse starts */
#define W_EDGE 10e-9    /* s, its edges, at most (a fifth of a shorter pulse) */
/* s, the switch's control rises over 5..6 ns and falls over 1 ns after the
 * write pulse plus 4 ns; vt 0.5 V, vh 0.1 V close it at 0.6 V, open it at 0.4 V */
#define T_SW_ON 5.6e-9
#define T_SW_OFF 4.6e-9 /* s, after the write pulse's end */
#define V_WRITE 3.1     /* V, the netlists' write */
#define W_WRITE 50e-9   /* s, its width */
#define H_MAX 1e-9      /* s, longest step: the netlists' .tran 1n */
#define H_MIN 1e-15     /* s, shortest step */
#define NEWTON_MAX 50   /* iterations of one time point */
#define CUTS 40         /* halvings of a step that does not converge */
#define MAX_POINTS 4096 /* --amplitudes x --widths */
#define MAX_PARAMS 128  /* --param options */
#define N_AMP 15        /* Fig. 3a's pulses, 1.4 .. 2.8 V */

enum protocol { P_AMPLITUDE, P_NUMBER, P_WRITE };
static const char *const protocol_names[] = { "amplitude", "number", "write" };
enum { X_DEPIN, X_FIRE, X_RESET, N_X };
static const char *const x_names[N_X] = { "depin", "fire", "reset" };

/* One cycle's sources, in time tau from the cycle's start. */
struct drive {
    int wnode;          /* DWMTJ_A or DWMTJ_B: where the write switch is */
    double sign;        /* +1, or -1 for --reverse (IN negative) */
    double v_w, w_w;    /* V, s: write pulse amplitude and width (rise to fall) */
    double e_w;         /* s, its edges */
    double sw_off;      /* s, the switch opens (it closes at T_SW_ON) */
    int n_pulse;        /* integrate pulses */
    double amp[64];     /* V, their amplitudes (pulse k at k T_SLOT, k = 1..) */
    double t_cycle;     /* s */
    double bp[300];     /* s, the corners of the sources, sorted, 0 and t_cycle included */
    int n_bp;
};

/* What happened in one cycle. */
struct cycle {
    int written;        /* 1: a domain was written in it */
    int carried;        /* 1: no write, a domain was still on the track */
    double t_write;     /* s, the write (NaN: none) */
    double t_x[N_X];    /* s, first depin, fire, reset after it (NaN: none) */
    int k_x[N_X];       /* pulse of each (0: the write slot; n_pulse + 1: none) */
    int lost;           /* domains ejected past the writer's end */
};

/* The results of one device (amplitude, number) or grid point (write). */
struct result {
    double dev_seed;              /* 1, the device (0: nominal) */
    int cycles, written, write_errors, carried, lost;
    double soa;                   /* 1, times it left its safe operating area */
    long unseen;                  /* steps that returned DWMTJ_WARN_UNSEEN */
    double p50[N_X];              /* V, amplitude protocol: 50 % amplitude (NaN: none) */
    int cens[N_X];                /* -1 at or below the first pulse, +1 above the last */
    int fired;                    /* number: cycles that fired */
    double pulses_mean, pulses_sd;/* number: pulses to fire */
    double amp, width;            /* write: V, s */
    long attempts, failures;      /* write */
    double wer, wer_lo, wer_hi;   /* write: rate and its 95 % Wilson interval */
};

/* The simulator of one device. */
struct sim {
    const dwmtj_derived *d;
    uint64_t key;       /* dwmtj_noise_key of in, 0, a, b */
    const struct drive *dr;
    double base;        /* s, the current cycle's start */
    dwmtj_state s;      /* the accepted state */
    dwmtj_eval ev;      /* of the last accepted step */
    double va, vb;      /* V, the nodes A, B at s.t */
    long unseen;        /* accepted steps that returned DWMTJ_WARN_UNSEEN */
    int dc;             /* 1: the next time point is the operating point */
};

struct opts {
    int protocol;
    const char *set;
    dwmtj_params p;                 /* the set, --param, --seed */
    struct { char name[40]; double v; } given[MAX_PARAMS];
    int n_given;
    long devices;                   /* 0: the one device of the parameters */
    double first;                   /* dev_seed of the first device */
    int cycles, reverse, json;
    double amplitude;               /* V, number */
    int pulses;                     /* number */
    double amps[MAX_POINTS], widths[MAX_POINTS];
    int n_amps, n_widths;
    long attempts;
    const char *csv, *events;
    int resume, overwrite;
};

void dwmtj_usage_mc(FILE *f)
{
    fputs("usage: dwmtj mc [--protocol amplitude|number|write] [--set NAME]\n"
          "                [--param NAME=VALUE ...] [--devices N] [--first-device S]\n"
          "                [--seed S] [--cycles K] [--reverse]\n"
          "                [--amplitude V] [--pulses N]\n"
          "                [--amplitudes LIST] [--widths LIST] [--attempts N]\n"
          "                [--json] [--csv FILE [--resume | --overwrite]] [--events FILE]\n"
          "\n"
          "Device-to-device Monte Carlo of dwmtj4t devices, and the write-error rate.\n"
          "Runs the paper's device protocols on libdwmtj directly, in the circuit of\n"
          "netlists/fig3a.cir: pulses on IN, GND at 0 V, A and B each to ground through\n"
          "100 kOhm, the write a 3.1 V, 50 ns pulse (10 ns edges) on A through a 1 Ohm\n"
          "switch closed around it (on B with --reverse, whose integrate pulses are\n"
          "negative).  The noise is that of the instance 'aneuron in 0 a b ...', so a\n"
          "device gives the events the netlist gives it under ngspice.  Each device is\n"
          "dev_seed = S .. S+N-1 of the parameters' spreads (var_jc, var_x, var_r,\n"
          "var_tmr, var_rho; doc/model.md); every cycle follows the last on one device.\n"
          "Values are SPICE numbers: 1e-9, 1n, 2.4.\n"
          "\n"
          "protocols:\n"
          "  amplitude  paper, Fig. 3a: per cycle a write, then 15 pulses of 1.4 .. 2.8 V\n"
          "             in steps of 0.1 V, one per 100 ns.  Per device the 50 % amplitude\n"
          "             of depin, fire and reset: the amplitude at which half of the\n"
          "             cycles that wrote had the transition by that pulse, linear between\n"
          "             pulses ('below' if by the first pulse, 'above' if not by the last)\n"
          "  number     paper, Fig. 4: per cycle a write, then --pulses pulses of\n"
          "             --amplitude.  Per device the mean and sd of the pulses to fire\n"
          "             (Fig. 4's device is --set proto-pn)\n"
          "  write      the write-error rate: the share of write pulses that nucleate\n"
          "             nothing, for each amplitude x width, over --attempts pulses on one\n"
          "             device; a pulse of width W rises over min(10 ns, W/5), holds and\n"
          "             falls as fast, W from the start of its rise to the end of its\n"
          "             fall, one per W + 50 ns; a domain it writes is taken off the track\n"
          "             before the next (an ideal reset).  The same --seed gives every\n"
          "             point the same draws, so the rate falls monotonically with\n"
          "             amplitude and width when the write hazard grows with them\n"
          "\n"
          "options:\n"
          "  --protocol P        amplitude (default), number or write\n"
          "  --set NAME          parameter set: proto (default), proto-pn, proto-paper,\n"
          "                      scaled\n"
          "  --param NAME=VALUE  set one parameter of the set (doc/parameters.md);\n"
          "                      repeatable\n"
          "  --devices N         devices dev_seed = S .. S+N-1 (default 0: the one device\n"
          "                      of the parameters, the nominal one unless --param\n"
          "                      dev_seed=...); the thermal model only (model = 1)\n"
          "  --first-device S    S, the first dev_seed (default 1)\n"
          "  --seed S            noise seed (default: the set's, 1)\n"
          "  --cycles K          cycles per device (default 10)\n"
          "  --reverse           write with MTJ_B, negative integrate pulses (Fig. 3c)\n"
          "  --amplitude V       number: pulse amplitude in V (default 2.4)\n"
          "  --pulses N          number: pulses per cycle (default 40)\n"
          "  --amplitudes LIST   write: pulse amplitudes in V, comma-separated\n"
          "                      (default 1.6,1.7,...,2.4)\n"
          "  --widths LIST       write: pulse widths in s (default 10n,20n,50n)\n"
          "  --attempts N        write: pulses per point (default 1000)\n"
          "  --json              one JSON object on stdout instead of the text report\n"
          "  --csv FILE          a row per device (write: per point), each written as it\n"
          "                      is done, after a first line with the run's options\n"
          "  --resume            continue the run of --csv FILE: what it holds is\n"
          "                      checked and kept, the rest is run\n"
          "  --overwrite         replace --csv FILE when it is not empty (without\n"
          "                      --resume or --overwrite such a file is refused)\n"
          "  --events FILE       amplitude, number: a row per cycle with the times of\n"
          "                      the write, depin, fire and reset and their pulses\n"
          "  -h, --help          this help\n"
          "\n"
          "Every warning of libdwmtj is said on stderr (and in the JSON): parameters\n"
          "outside a physical device's range, per device the times it left its safe\n"
          "operating area and the steps whose MTJ switching no time point showed.\n"
          "\n"
          "exit status: 0 success, 1 the simulation failed (a device drawn with a\n"
          "dev_seed that is no device, no convergence), 2 usage (including an unknown\n"
          "parameter or an invalid value), 3 an output file could not be written.\n",
          f);
}

/* ---- the circuit ------------------------------------------------------------ */

/* 0 .. 1 .. 0: rises from t0 over e, holds for top, falls over e. */
static double trapezoid(double t, double t0, double e, double top)
{
    double u = t - t0;
    if (u <= 0.0 || u >= 2.0 * e + top)
        return 0.0;
    if (u < e)
        return u / e;
    if (u <= e + top)
        return 1.0;
    return (2.0 * e + top - u) / e;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The drive with n pulses of amp[], a write of v_w, w_w on the writer. */
static void drive_init(struct drive *dr, int reverse, double v_w, double w_w, int n,
                       const double *amp)
{
    memset(dr, 0, sizeof *dr);
    dr->wnode = reverse ? DWMTJ_B : DWMTJ_A;
    dr->sign = reverse ? -1.0 : 1.0;
    dr->v_w = v_w;
    dr->w_w = w_w;
    dr->e_w = fmin(W_EDGE, w_w / 5.0);
    dr->sw_off = T_W0 + w_w + T_SW_OFF;
    dr->n_pulse = n;
    for (int k = 0; k < n; k++)
        dr->amp[k] = amp[k];
    /* the integrate pulses after the write slot; the write alone: a cool-down */
    dr->t_cycle = n > 0 ? T_SLOT * (n + 1) : T_W0 + w_w + 40e-9;
    double *b = dr->bp;
    int m = 0;
    b[m++] = 0.0;
    b[m++] = T_SW_ON;
    b[m++] = dr->sw_off;
    b[m++] = T_W0;
    b[m++] = T_W0 + dr->e_w;
    b[m++] = T_W0 + w_w - dr->e_w;
    b[m++] = T_W0 + w_w;
    for (int k = 1; k <= n; k++) {
        b[m++] = k * T_SLOT;
        b[m++] = k * T_SLOT + T_EDGE;
        b[m++] = k * T_SLOT + T_EDGE + T_TOP;
        b[m++] = k * T_SLOT + 2.0 * T_EDGE + T_TOP;
    }
    b[m++] = dr->t_cycle;
    qsort(b, (size_t)m, sizeof *b, cmp_double);
    int u = 0;
    for (int k = 0; k < m; k++)
        if (k == 0 || b[k] > b[u - 1] + H_MIN)
            b[u++] = b[k];
    dr->n_bp = u;
}

/* The sources at tau into a cycle: V(IN), the write source, the switch. */
static void sources(const struct drive *dr, double tau, double *vin, double *vw, double *gsw)
{
    int k = (int)floor(tau / T_SLOT);
    *vin = 0.0;
    if (k >= 1 && k <= dr->n_pulse)
        *vin = dr->sign * dr->amp[k - 1] * trapezoid(tau, k * T_SLOT, T_EDGE, T_TOP);
    *vw = dr->v_w * trapezoid(tau, T_W0, dr->e_w, dr->w_w - 2.0 * dr->e_w);
    *gsw = tau > T_SW_ON && tau < dr->sw_off ? G_ON : G_OFF;
}

/* ---- one device ----------------------------------------------------------- */

/* The time point t1 from m->s: nodes A and B by Newton with the step's
 * Jacobian.  0 and s1, ev, *st on convergence; 1 when it does not
 * converge (or the library refused the step as too long): take a shorter
 * one; a negative library status on an error. */
static int solve(struct sim *m, double t1, dwmtj_state *s1, dwmtj_eval *ev, int *st,
                 double vab[2])
{
    double vin, vw, gsw;
    sources(m->dr, t1 - m->base, &vin, &vw, &gsw);
    double v[DWMTJ_NTERM] = { vin, 0.0, m->va, m->vb };
    int wa = m->dr->wnode == DWMTJ_A;
    double ga = G_SENSE + (wa ? gsw : 0.0), gb = G_SENSE + (wa ? 0.0 : gsw);
    double wa_v = wa ? vw : 0.0, wb_v = wa ? 0.0 : vw;
    for (int it = 0; it < NEWTON_MAX; it++) {
        *st = m->dc ? dwmtj_dc(m->d, m->key, v, s1, ev)
                    : dwmtj_step(m->d, m->key, &m->s, t1, v, s1, ev);
        if (*st == DWMTJ_ERR_STEP_LONG)
            return 1;
        if (*st < 0)
            return *st;
        /* KCL at A and B: into the device, to ground, through the switch */
        const double (*g)[DWMTJ_NTERM] = m->dc ? ev->g_static : ev->g;
        double ra = ev->i[DWMTJ_A] + G_SENSE * v[DWMTJ_A] + (ga - G_SENSE) * (v[DWMTJ_A] - wa_v);
        double rb = ev->i[DWMTJ_B] + G_SENSE * v[DWMTJ_B] + (gb - G_SENSE) * (v[DWMTJ_B] - wb_v);
        double j00 = g[DWMTJ_A][DWMTJ_A] + ga, j01 = g[DWMTJ_A][DWMTJ_B];
        double j10 = g[DWMTJ_B][DWMTJ_A], j11 = g[DWMTJ_B][DWMTJ_B] + gb;
        double det = j00 * j11 - j01 * j10;
        if (!(fabs(det) > 0.0) || !isfinite(det))
            return 1;
        double da = (ra * j11 - rb * j01) / det, db = (j00 * rb - j10 * ra) / det;
        v[DWMTJ_A] -= da;
        v[DWMTJ_B] -= db;
        if (!isfinite(v[DWMTJ_A]) || !isfinite(v[DWMTJ_B]))
            return 1;
        /* converged: the state of this evaluation, within 1 nV of the solution */
        if (fabs(da) <= 1e-9 + 1e-9 * fabs(v[DWMTJ_A]) &&
            fabs(db) <= 1e-9 + 1e-9 * fabs(v[DWMTJ_B])) {
            vab[0] = v[DWMTJ_A];
            vab[1] = v[DWMTJ_B];
            return 0;
        }
    }
    return 1;
}

/* One accepted step from m->s towards t1 (shorter when Newton does not
 * converge); the state before it into *s0.  0, or -1 with a message. */
static int step(struct sim *m, double t1, dwmtj_state *s0, const char *who)
{
    dwmtj_state s1;
    dwmtj_eval ev;
    double vab[2];
    int st = 0;
    for (int cut = 0;; cut++) {
        int rc = solve(m, t1, &s1, &ev, &st, vab);
        if (rc == 0)
            break;
        if (rc < 0) {
            dwmtj_error("%s: %s at t = %.9g s: %s", SUB, who, t1, dwmtj_status_string(rc));
            return -1;
        }
        if (cut == CUTS || t1 - m->s.t < 2.0 * H_MIN) {
            dwmtj_error("%s: %s: no convergence at t = %.9g s (nodes A, B)", SUB, who, t1);
            return -1;
        }
        t1 = m->s.t + 0.5 * (t1 - m->s.t);
    }
    if (st == DWMTJ_WARN_UNSEEN)
        m->unseen++;
    *s0 = m->s;
    m->s = s1;
    m->ev = ev;
    m->va = vab[0];
    m->vb = vab[1];
    return 0;
}

/* The pulse of an event at tau into a cycle (0: the write slot). */
static int pulse_of(const struct drive *dr, double tau)
{
    int k = (int)floor(tau / T_SLOT);
    return k < 0 ? 0 : (k > dr->n_pulse ? dr->n_pulse : k);
}

/* Events of the step s0 -> s1 into the cycle's record. */
static void events(const struct sim *m, const dwmtj_state *s0, const dwmtj_state *s1,
                   struct cycle *c)
{
    if (s1->n_write > s0->n_write && !c->written) {
        c->written = 1;
        c->t_write = s1->t_write;
    }
    c->lost += (int)(s1->n_lost - s0->n_lost);
    if (!c->written)
        return; /* a domain left from the cycle before: not this cycle's */
    const double n0[N_X] = { s0->n_depin, s0->n_fire, s0->n_reset };
    const double n1[N_X] = { s1->n_depin, s1->n_fire, s1->n_reset };
    const double t[N_X] = { s1->t_depin, s1->t_fire, s1->t_reset };
    for (int x = 0; x < N_X; x++)
        if (n1[x] > n0[x] && isnan(c->t_x[x]) && t[x] >= c->t_write) {
            c->t_x[x] = t[x];
            c->k_x[x] = pulse_of(m->dr, t[x] - m->base);
        }
}

/* Cycle c of the drive on m; what happened into *c.  0, or -1. */
static int run_cycle(struct sim *m, long c, struct cycle *rec, const char *who)
{
    const struct drive *dr = m->dr;
    double base = (double)c * dr->t_cycle, end = (double)(c + 1) * dr->t_cycle;
    m->base = base;
    rec->written = rec->carried = rec->lost = 0;
    rec->t_write = NAN;
    for (int x = 0; x < N_X; x++) {
        rec->t_x[x] = NAN;
        rec->k_x[x] = dr->n_pulse + 1;
    }
    int b = 1, looked = 0;
    while (m->s.t < end) {
        double tau = m->s.t - base;
        while (b < dr->n_bp - 1 && dr->bp[b] <= tau + H_MIN)
            b++;
        double t1 = tau + H_MAX >= dr->bp[b] ? (b == dr->n_bp - 1 ? end : base + dr->bp[b])
                                             : base + tau + H_MAX;
        double tn = m->ev.t_next;
        if (isfinite(tn) && tn > m->s.t && tn < t1)
            t1 = fmax(tn, m->s.t + H_MIN);
        if (t1 > end)
            t1 = end;
        dwmtj_state s0;
        if (step(m, t1, &s0, who) != 0)
            return -1;
        events(m, &s0, &m->s, rec);
        if (!looked && m->s.t - base >= dr->sw_off - H_MIN) {
            looked = 1; /* the write window is over */
            rec->carried = !rec->written && m->s.present;
        }
    }
    return 0;
}

/* A device ready for its first cycle: derived with its dev_seed, at its
 * operating point.  0, or -1 with a message (exit 1). */
static int sim_start(struct sim *m, dwmtj_derived *d, const dwmtj_params *p, double dev_seed,
                     const struct drive *dr, const char *who)
{
    static const char *const nodes[DWMTJ_NTERM] = { "in", "0", "a", "b" };
    dwmtj_params q = *p;
    q.dev_seed = dev_seed;
    int st = dwmtj_derive(&q, d);
    if (st < 0) {
        dwmtj_error("%s: %s: %s", SUB, who, dwmtj_status_string(st));
        return -1;
    }
    memset(m, 0, sizeof *m);
    m->d = d;
    m->key = dwmtj_noise_key(nodes);
    m->dr = dr;
    dwmtj_state_init(&m->s, 0.0);
    dwmtj_state s0;
    m->dc = 1; /* the operating point (dwmtj_dc), what a transient starts from */
    int rc = step(m, 0.0, &s0, who);
    m->dc = 0;
    return rc;
}

/* ---- statistics ------------------------------------------------------------ */

/* Quantile q of the n sorted values (linear between order statistics). */
static double quantile(const double *v, int n, double q)
{
    if (n <= 0)
        return NAN;
    double h = (n - 1) * q;
    int lo = (int)floor(h);
    if (lo >= n - 1)
        return v[n - 1];
    return v[lo] + (h - lo) * (v[lo + 1] - v[lo]);
}

struct stats {
    int n;                                  /* values */
    double mean, sd, q05, q50, q95;
};

static void stats_of(double *v, int n, struct stats *s)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    double sum = 0.0, ss = 0.0;
    for (int k = 0; k < n; k++)
        sum += v[k];
    s->n = n;
    s->mean = n ? sum / n : NAN;
    for (int k = 0; k < n; k++)
        ss += (v[k] - s->mean) * (v[k] - s->mean);
    s->sd = n > 1 ? sqrt(ss / (n - 1)) : NAN;
    s->q05 = quantile(v, n, 0.05);
    s->q50 = quantile(v, n, 0.50);
    s->q95 = quantile(v, n, 0.95);
}

/* x as the CSV writes it, read back: a resumed run and a whole one sum the
 * same numbers. */
static double as_written(double x)
{
    char b[40];
    if (!isfinite(x))
        return x;
    snprintf(b, sizeof b, "%.9g", x);
    return strtod(b, NULL);
}

/* The amplitude protocol's 50 % points of device r from its cycles. */
static void amplitude_points(const struct drive *dr, const struct cycle *cy, int n,
                             struct result *r)
{
    for (int x = 0; x < N_X; x++) {
        r->p50[x] = NAN;
        r->cens[x] = 0;
        if (r->written == 0)
            continue;
        double f_prev = 0.0;
        r->cens[x] = 1;
        for (int k = 1; k <= dr->n_pulse; k++) {
            int by = 0;
            for (int c = 0; c < n; c++)
                by += cy[c].written && cy[c].k_x[x] <= k;
            double f = (double)by / r->written;
            if (f >= 0.5) {
                if (k == 1) {
                    r->cens[x] = -1;
                } else {
                    double a0 = dr->amp[k - 2], a1 = dr->amp[k - 1];
                    r->p50[x] = as_written(a0 + (0.5 - f_prev) / (f - f_prev) * (a1 - a0));
                    r->cens[x] = 0;
                }
                break;
            }
            f_prev = f;
        }
    }
}

static void number_stats(const struct cycle *cy, int n, struct result *r)
{
    double s = 0.0, ss = 0.0;
    int m = 0;
    for (int c = 0; c < n; c++)
        if (cy[c].written && !isnan(cy[c].t_x[X_FIRE])) {
            s += cy[c].k_x[X_FIRE];
            m++;
        }
    r->fired = m;
    r->pulses_mean = m ? s / m : NAN;
    for (int c = 0; c < n; c++)
        if (cy[c].written && !isnan(cy[c].t_x[X_FIRE]))
            ss += (cy[c].k_x[X_FIRE] - r->pulses_mean) * (cy[c].k_x[X_FIRE] - r->pulses_mean);
    r->pulses_sd = m > 1 ? sqrt(ss / (m - 1)) : NAN;
    r->pulses_mean = as_written(r->pulses_mean);
    r->pulses_sd = as_written(r->pulses_sd);
}

/* 95 % Wilson score interval of k failures in n. */
static void wilson(long k, long n, double *lo, double *hi)
{
    const double z = 1.959963984540054;
    double p = (double)k / n, z2n = z * z / n;
    double c = (p + 0.5 * z2n) / (1.0 + z2n);
    double h = z * sqrt(p * (1.0 - p) / n + 0.25 * z2n / n) / (1.0 + z2n);
    *lo = k == 0 ? 0.0 : fmax(0.0, c - h);
    *hi = k == n ? 1.0 : fmin(1.0, c + h);
}

/* ---- output ------------------------------------------------------------------ */

static void csv_num(FILE *f, double v)
{
    fputc(',', f);
    if (isfinite(v))
        fprintf(f, "%.9g", v);
}

static const char *header(int protocol)
{
    switch (protocol) {
    case P_AMPLITUDE:
        return "dev_seed,cycles,written,write_errors,carried,lost,depin_50_V,fire_50_V,"
               "reset_50_V,soa,unseen";
    case P_NUMBER:
        return "dev_seed,cycles,written,write_errors,carried,lost,fired,pulses_mean,"
               "pulses_sd,soa,unseen";
    default:
        return "amplitude_V,width_s,attempts,failures,wer,wer_lo,wer_hi,soa,unseen";
    }
}

static void write_row(FILE *f, int protocol, const struct result *r)
{
    if (protocol == P_WRITE) {
        fprintf(f, "%.9g,%.9g,%ld,%ld", r->amp, r->width, r->attempts, r->failures);
        csv_num(f, r->wer);
        csv_num(f, r->wer_lo);
        csv_num(f, r->wer_hi);
        fprintf(f, ",%.0f,%ld\n", r->soa, r->unseen);
        return;
    }
    fprintf(f, "%.0f,%d,%d,%d,%d,%d", r->dev_seed, r->cycles, r->written, r->write_errors,
            r->carried, r->lost);
    if (protocol == P_AMPLITUDE) {
        for (int x = 0; x < N_X; x++) {
            if (r->cens[x])
                fputs(r->cens[x] < 0 ? ",below" : ",above", f);
            else
                csv_num(f, r->p50[x]);
        }
    } else {
        fprintf(f, ",%d", r->fired);
        csv_num(f, r->pulses_mean);
        csv_num(f, r->pulses_sd);
    }
    fprintf(f, ",%.0f,%ld\n", r->soa, r->unseen);
}

/* The first line of a --csv file: what its rows depend on. */
static void config_line(char *buf, size_t n, const struct opts *o)
{
    size_t at = (size_t)snprintf(buf, n, "# dwmtj mc: protocol=%s set=%s seed=%llu",
                                 protocol_names[o->protocol], o->set,
                                 (unsigned long long)o->p.seed);
    for (int k = 0; k < o->n_given && at < n; k++)
        at += (size_t)snprintf(buf + at, n - at, " %s=%.17g", o->given[k].name, o->given[k].v);
    if (at >= n)
        return;
    if (o->protocol == P_WRITE) {
        at += (size_t)snprintf(buf + at, n - at, " reverse=%d attempts=%ld", o->reverse,
                               o->attempts);
        return;
    }
    at += (size_t)snprintf(buf + at, n - at, " reverse=%d cycles=%d", o->reverse, o->cycles);
    if (o->protocol == P_NUMBER && at < n)
        snprintf(buf + at, n - at, " amplitude=%.17g pulses=%d", o->amplitude, o->pulses);
}

/* ---- reading a --csv file back (--resume) --------------------------------- */

/* Splits line at commas into at most max fields; their number. */
static int split(char *line, char **field, int max)
{
    int n = 0;
    for (char *p = line;;) {
        if (n == max)
            return max + 1;
        field[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            return n;
        *c = '\0';
        p = c + 1;
    }
}

static int num_field(const char *s, double *v)
{
    char *end;
    if (!*s) {
        *v = NAN;
        return 0;
    }
    errno = 0;
    *v = strtod(s, &end);
    return *end || errno == ERANGE || !isfinite(*v) ? -1 : 0;
}

static int count_field(const char *s, long hi, long *v)
{
    return dwmtj_parse_int(s, 0, hi, v);
}

/* Row line of a --csv file into r: 0, or -1 with why. */
static int parse_row(char *line, const struct opts *o, struct result *r, char *why, size_t n)
{
    char *f[16];
    int nf = split(line, f, 15), want = o->protocol == P_WRITE ? 9 : 11;
    memset(r, 0, sizeof *r);
    if (nf != want) {
        snprintf(why, n, "%d fields, not %d", nf > 15 ? 16 : nf, want);
        return -1;
    }
    double soa;
    long l[6];
    if (o->protocol == P_WRITE) {
        if (num_field(f[0], &r->amp) || num_field(f[1], &r->width) ||
            count_field(f[2], 1L << 40, &r->attempts) || count_field(f[3], 1L << 40, &r->failures)) {
            snprintf(why, n, "not amplitude_V,width_s,attempts,failures");
            return -1;
        }
        if (r->attempts != o->attempts || r->failures > r->attempts) {
            snprintf(why, n, "attempts %ld, failures %ld: this run makes %ld", r->attempts,
                     r->failures, o->attempts);
            return -1;
        }
        r->wer = (double)r->failures / r->attempts;
        wilson(r->failures, r->attempts, &r->wer_lo, &r->wer_hi);
        if (num_field(f[7], &soa) || !(soa >= 0.0) || count_field(f[8], 1L << 60, &r->unseen)) {
            snprintf(why, n, "soa, unseen: not counts");
            return -1;
        }
        r->soa = soa;
        return 0;
    }
    double ds;
    if (num_field(f[0], &ds) || !(ds >= 0.0 && ds == floor(ds))) {
        snprintf(why, n, "dev_seed '%s': not a device", f[0]);
        return -1;
    }
    r->dev_seed = ds;
    for (int k = 0; k < 5; k++)
        if (count_field(f[1 + k], o->cycles, &l[k])) {
            snprintf(why, n, "%s '%s': not a count up to %d", k == 0 ? "cycles" : "a count",
                     f[1 + k], o->cycles);
            return -1;
        }
    r->cycles = (int)l[0];
    r->written = (int)l[1];
    r->write_errors = (int)l[2];
    r->carried = (int)l[3];
    if (count_field(f[5], 1L << 30, &l[4]) == 0)
        r->lost = (int)l[4];
    if (r->cycles != o->cycles || r->written + r->write_errors + r->carried != r->cycles) {
        snprintf(why, n, "cycles %d = written %d + write_errors %d + carried %d: this run "
                 "has %d cycles", r->cycles, r->written, r->write_errors, r->carried, o->cycles);
        return -1;
    }
    if (o->protocol == P_AMPLITUDE) {
        for (int x = 0; x < N_X; x++) {
            r->cens[x] = 0;
            if (strcmp(f[6 + x], "below") == 0)
                r->cens[x] = -1;
            else if (strcmp(f[6 + x], "above") == 0)
                r->cens[x] = 1;
            else if (num_field(f[6 + x], &r->p50[x]) || (r->written && isnan(r->p50[x]))) {
                snprintf(why, n, "%s_50_V '%s': not an amplitude, below or above",
                         x_names[x], f[6 + x]);
                return -1;
            }
            if (r->cens[x])
                r->p50[x] = NAN;
        }
    } else {
        long fired;
        if (count_field(f[6], r->written, &fired) || num_field(f[7], &r->pulses_mean) ||
            num_field(f[8], &r->pulses_sd)) {
            snprintf(why, n, "fired, pulses_mean, pulses_sd: not a count and numbers");
            return -1;
        }
        r->fired = (int)fired;
    }
    if (num_field(f[9], &soa) || !(soa >= 0.0) || count_field(f[10], 1L << 60, &r->unseen)) {
        snprintf(why, n, "soa, unseen: not counts");
        return -1;
    }
    r->soa = soa;
    return 0;
}

/* The index of row r among this run's devices or points; -1 if not one. */
static long slot_of(const struct opts *o, const struct result *r)
{
    if (o->protocol == P_WRITE) {
        for (int a = 0; a < o->n_amps; a++)
            for (int w = 0; w < o->n_widths; w++)
                if (as_written(o->amps[a]) == r->amp && as_written(o->widths[w]) == r->width)
                    return (long)a * o->n_widths + w;
        return -1;
    }
    if (o->devices == 0)
        return r->dev_seed == o->p.dev_seed ? 0 : -1;
    double k = r->dev_seed - o->first;
    return k >= 0.0 && k < (double)o->devices ? (long)k : -1;
}

/* Reads a previous run's rows of path into res (done[slot] set): 0, or
 * -1 with a message naming the file and line.  The last line alone may be
 * cut short (a run stopped while writing it): dropped with a note. */
static int read_csv(const char *path, const struct opts *o, const char *config,
                    struct result *res, unsigned char *done, long n_slots)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        dwmtj_error("%s: cannot read: %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL, why[256];
    size_t cap = 0;
    ssize_t len;
    int ln = 0, rc = 0;
    long *line_of = calloc((size_t)n_slots, sizeof *line_of);
    if (!line_of) {
        dwmtj_error("out of memory");
        rc = -1;
    }
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
        ln++;
        int whole = len > 0 && line[len - 1] == '\n';
        line[strcspn(line, "\r\n")] = '\0';
        if (ln == 1 || ln == 2) {
            const char *want = ln == 1 ? config : header(o->protocol);
            if (strcmp(line, want) != 0 || !whole) {
                dwmtj_error("%s:%d: %s; cannot resume\n  file: %s\n  now:  %s", path, ln,
                            ln == 1 ? "the rows of another run (options)" : "not the header",
                            line, want);
                rc = -1;
            }
            continue;
        }
        struct result r;
        int form = parse_row(line, o, &r, why, sizeof why);
        if (form == 0 && !whole)
            snprintf(why, sizeof why, "no end of line");
        if (form != 0 || !whole) {
            int c = getc(f);
            if (c == EOF && !ferror(f)) {
                dwmtj_error("%s:%d: the last row is incomplete (%s): dropped, it runs again",
                            path, ln, why);
                break;
            }
            dwmtj_error("%s:%d: malformed row: %s; cannot resume", path, ln, why);
            rc = -1;
            break;
        }
        long k = slot_of(o, &r);
        if (k < 0) {
            dwmtj_error("%s:%d: not a %s of this run; cannot resume", path, ln,
                        o->protocol == P_WRITE ? "point" : "device");
            rc = -1;
            break;
        }
        if (done[k]) {
            dwmtj_error("%s:%d: the same %s as line %ld; cannot resume", path, ln,
                        o->protocol == P_WRITE ? "point" : "device", line_of[k]);
            rc = -1;
            break;
        }
        done[k] = 1;
        line_of[k] = ln;
        res[k] = r;
    }
    if (rc == 0 && ln == 1) {
        dwmtj_error("%s: no header row; cannot resume", path);
        rc = -1;
    }
    fclose(f);
    free(line);
    free(line_of);
    return rc;
}

/* ---- the options --------------------------------------------------------------- */

/* Edit distance of a and b (short names). */
static int distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b), d[41];
    if (la > 40 || lb > 40)
        return 99;
    for (int j = 0; j <= lb; j++)
        d[j] = j;
    for (int i = 1; i <= la; i++) {
        int prev = d[0];
        d[0] = i;
        for (int j = 1; j <= lb; j++) {
            int t = d[j];
            int sub = prev + (a[i - 1] != b[j - 1]);
            d[j] = sub < d[j] + 1 ? sub : d[j] + 1;
            if (d[j - 1] + 1 < d[j])
                d[j] = d[j - 1] + 1;
            prev = t;
        }
    }
    return d[lb];
}

static int param_option(struct opts *o, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return dwmtj_usage_error(SUB, "--param %s: not NAME=VALUE", arg);
    char name[40];
    size_t len = (size_t)(eq - arg);
    if (len >= sizeof name)
        len = sizeof name - 1;
    memcpy(name, arg, len);
    name[len] = '\0';
    double v, old;
    if (dwmtj_param_get_by_name(&o->p, name, &old) != DWMTJ_OK) {
        const char *best = NULL;
        int bd = 4;
        for (int k = 0; dwmtj_param_name(k); k++) {
            int dd = distance(name, dwmtj_param_name(k));
            if (dd < bd) {
                bd = dd;
                best = dwmtj_param_name(k);
            }
        }
        if (best)
            return dwmtj_usage_error(SUB, "--param %s: libdwmtj has no parameter %s (did you "
                                     "mean %s?)", arg, name, best);
        return dwmtj_usage_error(SUB, "--param %s: libdwmtj has no parameter %s "
                                 "(doc/parameters.md lists them)", arg, name);
    }
    if (dwmtj_parse_number(eq + 1, &v) != 0)
        return dwmtj_usage_error(SUB, "--param %s: '%s' is not a number", arg, eq + 1);
    int st = dwmtj_param_set_by_name(&o->p, name, v);
    if (st != DWMTJ_OK)
        return dwmtj_usage_error(SUB, "--param %s: %s", arg, dwmtj_status_string(st));
    if (o->n_given == MAX_PARAMS)
        return dwmtj_usage_error(SUB, "--param: more than %d", MAX_PARAMS);
    int k = 0;
    while (k < o->n_given && strcmp(o->given[k].name, name) != 0)
        k++; /* the last value of a name counts */
    snprintf(o->given[k].name, sizeof o->given[k].name, "%s", name);
    o->given[k].v = v;
    if (k == o->n_given)
        o->n_given++;
    return 0;
}

/* A comma-separated list of numbers in (lo, hi] into v. */
static int list_option(const char *opt, const char *arg, double lo, double hi, const char *unit,
                       double *v, int *n)
{
    char *copy = strdup(arg), *save = NULL;
    if (!copy)
        return dwmtj_usage_error(SUB, "out of memory");
    *n = 0;
    int rc = 0;
    for (char *t = strtok_r(copy, ",", &save); t && rc == 0; t = strtok_r(NULL, ",", &save)) {
        if (*n == MAX_POINTS)
            rc = dwmtj_usage_error(SUB, "%s: more than %d values", opt, MAX_POINTS);
        else
            rc = dwmtj_opt_number(SUB, opt, t, lo, hi, DWMTJ_ABOVE, unit, &v[(*n)++]);
    }
    free(copy);
    if (rc == 0 && *n == 0)
        rc = dwmtj_usage_error(SUB, "%s '%s': no values", opt, arg);
    return rc;
}

enum {
    O_PROTOCOL = 0x100, O_SET, O_PARAM, O_DEVICES, O_FIRST, O_SEED, O_CYCLES, O_REVERSE,
    O_AMPLITUDE, O_PULSES, O_AMPLITUDES, O_WIDTHS, O_ATTEMPTS, O_JSON, O_CSV, O_RESUME,
    O_OVERWRITE, O_EVENTS
};

/* The command line into o: 0, or an exit code (help: -1). */
static int parse(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {
        { "protocol", required_argument, NULL, O_PROTOCOL },
        { "set", required_argument, NULL, O_SET },
        { "param", required_argument, NULL, O_PARAM },
        { "devices", required_argument, NULL, O_DEVICES },
        { "first-device", required_argument, NULL, O_FIRST },
        { "seed", required_argument, NULL, O_SEED },
        { "cycles", required_argument, NULL, O_CYCLES },
        { "reverse", no_argument, NULL, O_REVERSE },
        { "amplitude", required_argument, NULL, O_AMPLITUDE },
        { "pulses", required_argument, NULL, O_PULSES },
        { "amplitudes", required_argument, NULL, O_AMPLITUDES },
        { "widths", required_argument, NULL, O_WIDTHS },
        { "attempts", required_argument, NULL, O_ATTEMPTS },
        { "json", no_argument, NULL, O_JSON },
        { "csv", required_argument, NULL, O_CSV },
        { "resume", no_argument, NULL, O_RESUME },
        { "overwrite", no_argument, NULL, O_OVERWRITE },
        { "events", required_argument, NULL, O_EVENTS },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    o->set = "proto";
    o->first = 1.0;
    o->cycles = 10;
    o->amplitude = 2.4;
    o->pulses = 40;
    o->attempts = 1000;
    /* the --param options apply to the set, which may come after them */
    const char *params[MAX_PARAMS];
    int n_params = 0, seed_given = 0, first_given = 0, amps_given = 0, widths_given = 0;
    int number_given = 0;
    uint64_t seed = 0;
    int c, rc = 0;
    dwmtj_getopt_start();
    while ((c = getopt_long(argc, argv, "-:h", lo, NULL)) != -1) {
        switch (c) {
        case 'h': return -1;
        case '?':
        case ':': return dwmtj_getopt_error(SUB, c, argv, lo);
        case 1: return dwmtj_usage_error(SUB, "unexpected argument '%s'", optarg);
        case O_PROTOCOL: rc = dwmtj_opt_choice(SUB, "--protocol", optarg, protocol_names, 3,
                                               &o->protocol); break;
        case O_SET:
            if (dwmtj_params_set(&o->p, optarg) != DWMTJ_OK)
                return dwmtj_usage_error(SUB, "--set %s: %s", optarg,
                                         dwmtj_status_string(DWMTJ_ERR_SET));
            o->set = optarg;
            break;
        case O_PARAM:
            if (n_params == MAX_PARAMS)
                return dwmtj_usage_error(SUB, "--param: more than %d", MAX_PARAMS);
            params[n_params++] = optarg;
            break;
        case O_DEVICES: {
            long n;
            if (dwmtj_parse_int(optarg, 0, 100000000, &n) != 0)
                return dwmtj_usage_error(SUB, "--devices %s: not an integer in 0..100000000",
                                         optarg);
            o->devices = n;
            break;
        }
        case O_FIRST:
            rc = dwmtj_opt_number(SUB, "--first-device", optarg, 1.0, DWMTJ_SEED_MAX, 0, "",
                                  &o->first);
            if (rc == 0 && o->first != floor(o->first))
                rc = dwmtj_usage_error(SUB, "--first-device %s: not an integer", optarg);
            first_given = 1;
            break;
        case O_SEED:
            if (dwmtj_parse_u64(optarg, &seed) != 0 || (double)seed > DWMTJ_SEED_MAX)
                return dwmtj_usage_error(SUB, "--seed %s: not a seed (an integer from 0 to "
                                         "2^53)", optarg);
            seed_given = 1;
            break;
        case O_CYCLES: rc = dwmtj_opt_int(SUB, "--cycles", optarg, 1, 10000000, &o->cycles); break;
        case O_REVERSE: o->reverse = 1; break;
        case O_AMPLITUDE:
            rc = dwmtj_opt_number(SUB, "--amplitude", optarg, 0.0, 20.0, DWMTJ_ABOVE, "V",
                                  &o->amplitude);
            number_given = 1;
            break;
        case O_PULSES:
            rc = dwmtj_opt_int(SUB, "--pulses", optarg, 1, 64, &o->pulses);
            number_given = 1;
            break;
        case O_AMPLITUDES:
            rc = list_option("--amplitudes", optarg, 0.0, 20.0, "V", o->amps, &o->n_amps);
            amps_given = 1;
            break;
        case O_WIDTHS:
            rc = list_option("--widths", optarg, 0.0, 1e-6, "s", o->widths, &o->n_widths);
            widths_given = 1;
            break;
        case O_ATTEMPTS: {
            long n;
            if (dwmtj_parse_int(optarg, 1, 1000000000, &n) != 0)
                return dwmtj_usage_error(SUB, "--attempts %s: not an integer in 1..1000000000",
                                         optarg);
            o->attempts = n;
            break;
        }
        case O_JSON: o->json = 1; break;
        case O_CSV: o->csv = optarg; break;
        case O_RESUME: o->resume = 1; break;
        case O_OVERWRITE: o->overwrite = 1; break;
        case O_EVENTS: o->events = optarg; break;
        default: return dwmtj_usage_error(SUB, "unknown option");
        }
        if (rc != 0)
            return rc;
    }
    if (optind < argc)
        return dwmtj_usage_error(SUB, "unexpected argument '%s'", argv[optind]);
    if (dwmtj_params_set(&o->p, o->set) != DWMTJ_OK)
        return dwmtj_usage_error(SUB, "--set %s: %s", o->set, dwmtj_status_string(DWMTJ_ERR_SET));
    for (int k = 0; k < n_params; k++)
        if ((rc = param_option(o, params[k])) != 0)
            return rc;
    if (seed_given)
        o->p.seed = seed;
    /* the circuit's temperature, ngspice's default, when the set leaves it open */
    dwmtj_set_ambient(&o->p, DWMTJ_T_DEFAULT);
    int st = dwmtj_params_check(&o->p);
    if (st < 0) {
        const char *name = dwmtj_status_param(st);
        double v = 0.0;
        if (name && dwmtj_param_get_by_name(&o->p, name, &v) == DWMTJ_OK)
            return dwmtj_usage_error(SUB, "invalid parameter %s = %g (--set %s%s): %s", name, v,
                                     o->set, n_params ? " and --param" : "",
                                     dwmtj_status_string(st));
        return dwmtj_usage_error(SUB, "invalid parameters (--set %s%s): %s", o->set,
                                 n_params ? " and --param" : "", dwmtj_status_string(st));
    }
    int thermal = o->p.model == DWMTJ_MODEL_THERMAL;
    if (o->devices > 0 && !thermal)
        return dwmtj_usage_error(SUB, "--devices %ld: the paper's model (model = 0, --set %s) "
                                 "has no device-to-device variation; dev_seed is the "
                                 "thermal model's", o->devices, o->set);
    if (o->devices > 0 && o->p.dev_seed != 0.0)
        return dwmtj_usage_error(SUB, "--param dev_seed: --devices N runs dev_seed = "
                                 "--first-device .. +N-1; leave out one of them");
    if (first_given && o->devices == 0)
        return dwmtj_usage_error(SUB, "--first-device needs --devices N");
    if (o->devices > 0 && o->first + (double)o->devices - 1.0 > DWMTJ_SEED_MAX)
        return dwmtj_usage_error(SUB, "--first-device + --devices: past 2^53");
    if (o->protocol == P_WRITE) {
        if (o->devices > 0)
            return dwmtj_usage_error(SUB, "--devices: the write protocol runs one device (the "
                                     "nominal one, or --param dev_seed=S)");
        if (o->events)
            return dwmtj_usage_error(SUB, "--events: the amplitude and number protocols only");
        if (number_given)
            return dwmtj_usage_error(SUB, "--amplitude, --pulses: the number protocol's; the "
                                     "write protocol takes --amplitudes and --widths");
        if (!amps_given) {
            o->n_amps = 9;
            for (int k = 0; k < 9; k++)
                o->amps[k] = 1.6 + 0.1 * k;
        }
        if (!widths_given) {
            o->n_widths = 3;
            o->widths[0] = 10e-9;
            o->widths[1] = 20e-9;
            o->widths[2] = 50e-9;
        }
        if ((long)o->n_amps * o->n_widths > MAX_POINTS)
            return dwmtj_usage_error(SUB, "--amplitudes x --widths: more than %d points",
                                     MAX_POINTS);
    } else {
        if (amps_given || widths_given)
            return dwmtj_usage_error(SUB, "--amplitudes, --widths: the write protocol's");
        if (number_given && o->protocol != P_NUMBER)
            return dwmtj_usage_error(SUB, "--amplitude, --pulses: the number protocol's");
    }
    if (o->resume && !o->csv)
        return dwmtj_usage_error(SUB, "--resume needs --csv FILE");
    if (o->overwrite && !o->csv)
        return dwmtj_usage_error(SUB, "--overwrite needs --csv FILE");
    if (o->resume && o->overwrite)
        return dwmtj_usage_error(SUB, "--resume continues the run of --csv FILE, --overwrite "
                                 "starts it anew: not both");
    if (o->resume && o->events)
        return dwmtj_usage_error(SUB, "--events: written whole by one run, not with --resume");
    return 0;
}

/* ---- the run --------------------------------------------------------------------- */

/* The warnings of a run: said on stderr as they come, kept for the JSON. */
struct warnings {
    char **msg;
    int n, cap;
};

static void warn(struct warnings *w, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void warn(struct warnings *w, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    dwmtj_error("%s: warning: %s", SUB, buf);
    if (w->n == w->cap) {
        int cap = w->cap ? 2 * w->cap : 16;
        char **m = realloc(w->msg, sizeof *m * (size_t)cap);
        if (!m)
            return;
        w->msg = m;
        w->cap = cap;
    }
    if ((w->msg[w->n] = strdup(buf)))
        w->n++;
}

/* Every parameter outside a physical device's range, and the parameter
 * warning of the check. */
static void param_warnings(const dwmtj_params *p, struct warnings *w)
{
    int st = dwmtj_params_check(p), k = 0;
    double v, lo, hi;
    const char *unit, *name;
    if (st == DWMTJ_WARN_T_SLOT)
        warn(w, "parameter t_slot = %g s: %s", p->t_slot, dwmtj_status_string(st));
    while ((name = dwmtj_param_implausible(p, &k, &v, &lo, &hi, &unit)))
        warn(w, "parameter %s = %g %s: outside %g..%g %s, the range of a physical device", name,
             v, unit, lo, hi, unit);
}

/* What a device or point left of its safe operating area, said once. */
static void soa_warning(const struct sim *m, const char *who, struct warnings *w, long *n_dev)
{
    const dwmtj_state *s = &m->s;
    if (s->n_soa > 0.0) {
        const char *unit = "", *what = dwmtj_soa_string(s->soa_what, &unit);
        (*n_dev)++;
        warn(w, "%s: left its safe operating area %.0f time%s; the last: %s %g %s above its "
             "limit %g %s at t = %.9g s", who, s->n_soa, s->n_soa == 1.0 ? "" : "s",
             what ? what : "?", s->soa_value, unit, dwmtj_soa_limit(m->d, s->soa_what), unit,
             s->soa_t);
    }
    if (m->unseen > 0)
        warn(w, "%s: %ld step%s: %s", who, m->unseen, m->unseen == 1 ? "" : "s",
             dwmtj_status_string(DWMTJ_WARN_UNSEEN));
}

struct run {
    struct opts *o;
    struct drive dr;
    struct result *res;    /* by slot */
    unsigned char *done;   /* by slot: read back from --csv */
    long n_slots;
    struct warnings w;
    long soa_devices;
    FILE *csv;             /* rows go here */
    dwmtj_outfile csv_file, ev_file;
    long cycles_written, write_errors, carried, lost;
};

static int device(struct run *R, long slot)
{
    struct opts *o = R->o;
    struct result *r = &R->res[slot];
    double ds = o->devices > 0 ? o->first + (double)slot : o->p.dev_seed;
    char who[64];
    snprintf(who, sizeof who, ds > 0.0 ? "dev_seed %.0f" : "nominal device", ds);
    dwmtj_derived d;
    struct sim m;
    if (sim_start(&m, &d, &o->p, ds, &R->dr, who) != 0)
        return -1;
    struct cycle *cy = calloc((size_t)o->cycles, sizeof *cy);
    if (!cy) {
        dwmtj_error("out of memory");
        return -1;
    }
    memset(r, 0, sizeof *r);
    r->dev_seed = ds;
    r->cycles = o->cycles;
    int rc = 0;
    for (long c = 0; c < o->cycles && rc == 0; c++) {
        rc = run_cycle(&m, c, &cy[c], who);
        if (rc != 0)
            break;
        r->written += cy[c].written;
        r->carried += cy[c].carried;
        r->write_errors += !cy[c].written && !cy[c].carried;
        r->lost += cy[c].lost;
        if (R->ev_file.f) {
            FILE *f = R->ev_file.f;
            fprintf(f, "%.0f,%ld,%d", ds, c, cy[c].written);
            csv_num(f, cy[c].t_write);
            for (int x = 0; x < N_X; x++)
                csv_num(f, cy[c].t_x[x]);
            for (int x = 0; x < N_X; x++) {
                fputc(',', f);
                if (!isnan(cy[c].t_x[x]))
                    fprintf(f, "%d", cy[c].k_x[x]);
            }
            fputc('\n', f);
        }
    }
    if (rc == 0) {
        r->soa = m.s.n_soa;
        r->unseen = m.unseen;
        if (o->protocol == P_AMPLITUDE)
            amplitude_points(&R->dr, cy, o->cycles, r);
        else
            number_stats(cy, o->cycles, r);
        soa_warning(&m, who, &R->w, &R->soa_devices);
    }
    free(cy);
    return rc;
}

/* The attempts of one grid point on the device of the parameters. */
static int point(struct run *R, long slot)
{
    struct opts *o = R->o;
    struct result *r = &R->res[slot];
    double amp = o->amps[slot / o->n_widths], width = o->widths[slot % o->n_widths];
    char who[96];
    snprintf(who, sizeof who, "write %.4g V, %.4g ns", amp, width * 1e9);
    struct drive dr;
    drive_init(&dr, o->reverse, amp, width, 0, NULL);
    dwmtj_derived d;
    struct sim m;
    if (sim_start(&m, &d, &o->p, o->p.dev_seed, &dr, who) != 0)
        return -1;
    memset(r, 0, sizeof *r);
    r->amp = as_written(amp);
    r->width = as_written(width);
    r->attempts = o->attempts;
    for (long a = 0; a < o->attempts; a++) {
        struct cycle c;
        if (run_cycle(&m, a, &c, who) != 0)
            return -1;
        r->failures += !c.written;
        if (m.s.present) {
            /* the ideal reset: the domain written is taken off the track; the
             * counters, and with them the draws of the next writes, go on */
            m.s.present = 0;
            m.s.held = 0;
            m.s.v = m.s.j = 0.0;
            m.s.hz = 0.0;
        }
    }
    r->wer = (double)r->failures / r->attempts;
    wilson(r->failures, r->attempts, &r->wer_lo, &r->wer_hi);
    r->soa = m.s.n_soa;
    r->unseen = m.unseen;
    soa_warning(&m, who, &R->w, &R->soa_devices);
    return 0;
}

static void json_stats(dwmtj_json *j, const char *key, const struct stats *s, int below,
                       int above)
{
    dwmtj_json_object(j, key);
    dwmtj_json_int(j, "n", s->n);
    dwmtj_json_num(j, "mean", s->mean);
    dwmtj_json_num(j, "sd", s->sd);
    dwmtj_json_num(j, "q05", s->q05);
    dwmtj_json_num(j, "q50", s->q50);
    dwmtj_json_num(j, "q95", s->q95);
    if (below >= 0) {
        dwmtj_json_int(j, "below", below);
        dwmtj_json_int(j, "above", above);
    }
    dwmtj_json_end(j);
}

static void text_stats(FILE *f, const char *label, const struct stats *s, int below, int above)
{
    char b[5][24];
    const double v[5] = { s->mean, s->sd, s->q05, s->q50, s->q95 };
    for (int k = 0; k < 5; k++)
        snprintf(b[k], sizeof b[k], isfinite(v[k]) ? "%.4f" : "-", v[k]);
    fprintf(f, "  %-16s %8s %8s %8s %8s %8s %7d", label, b[0], b[1], b[2], b[3], b[4], s->n);
    if (below >= 0)
        fprintf(f, " %6d %6d", below, above);
    fputc('\n', f);
}

static int report(struct run *R)
{
    struct opts *o = R->o;
    long n = R->n_slots;
    struct stats st[N_X] = { { 0, NAN, NAN, NAN, NAN, NAN } };
    int below[N_X] = { 0 }, above[N_X] = { 0 }, n_stats = o->protocol == P_AMPLITUDE ? N_X : 1;
    double *v = malloc(sizeof *v * (size_t)(n > 0 ? n : 1));
    if (!v) {
        dwmtj_error("out of memory");
        return DWMTJ_EXIT_SIM;
    }
    long written = 0, write_errors = 0, carried = 0, lost = 0, fired = 0, cycles = 0;
    if (o->protocol != P_WRITE) {
        for (long k = 0; k < n; k++) {
            const struct result *r = &R->res[k];
            written += r->written;
            write_errors += r->write_errors;
            carried += r->carried;
            lost += r->lost;
            fired += r->fired;
            cycles += r->cycles;
        }
        for (int x = 0; x < n_stats; x++) {
            int m = 0;
            for (long k = 0; k < n; k++) {
                const struct result *r = &R->res[k];
                double val = o->protocol == P_AMPLITUDE ? r->p50[x] : r->pulses_mean;
                if (o->protocol == P_AMPLITUDE) {
                    below[x] += r->cens[x] < 0;
                    above[x] += r->cens[x] > 0;
                }
                if (!isnan(val))
                    v[m++] = val;
            }
            stats_of(v, m, &st[x]);
        }
    }
    free(v);
    char range[80];
    if (o->devices > 0)
        snprintf(range, sizeof range, "%ld device%s (dev_seed %.0f..%.0f)", o->devices,
                 o->devices == 1 ? "" : "s", o->first, o->first + (double)o->devices - 1.0);
    else if (o->p.dev_seed > 0.0)
        snprintf(range, sizeof range, "the device dev_seed %.0f", o->p.dev_seed);
    else
        snprintf(range, sizeof range, "the nominal device");
    if (o->json) {
        dwmtj_json j;
        dwmtj_json_init(&j, stdout, 1);
        dwmtj_json_object(&j, NULL);
        dwmtj_json_str(&j, "command", "mc");
        dwmtj_json_str(&j, "protocol", protocol_names[o->protocol]);
        dwmtj_json_str(&j, "set", o->set);
        dwmtj_json_object(&j, "params");
        for (int k = 0; k < o->n_given; k++)
            dwmtj_json_num(&j, o->given[k].name, o->given[k].v);
        dwmtj_json_end(&j);
        dwmtj_json_u64(&j, "seed", o->p.seed);
        dwmtj_json_int(&j, "reverse", o->reverse);
        dwmtj_json_int(&j, "devices", o->devices);
        if (o->devices > 0)
            dwmtj_json_num(&j, "first_device", o->first);
        else
            dwmtj_json_num(&j, "dev_seed", o->p.dev_seed);
        if (o->protocol == P_WRITE) {
            dwmtj_json_int(&j, "attempts", o->attempts);
            dwmtj_json_array(&j, "points");
            for (long k = 0; k < n; k++) {
                const struct result *r = &R->res[k];
                dwmtj_json_object(&j, NULL);
                dwmtj_json_num(&j, "amplitude_V", r->amp);
                dwmtj_json_num(&j, "width_s", r->width);
                dwmtj_json_int(&j, "failures", r->failures);
                dwmtj_json_num(&j, "wer", r->wer);
                dwmtj_json_num(&j, "wer_lo", r->wer_lo);
                dwmtj_json_num(&j, "wer_hi", r->wer_hi);
                dwmtj_json_num(&j, "soa", r->soa);
                dwmtj_json_int(&j, "unseen", r->unseen);
                dwmtj_json_end(&j);
            }
            dwmtj_json_end(&j);
        } else {
            dwmtj_json_int(&j, "cycles", o->cycles);
            if (o->protocol == P_NUMBER) {
                dwmtj_json_num(&j, "amplitude_V", o->amplitude);
                dwmtj_json_int(&j, "pulses", o->pulses);
            }
            if (o->protocol == P_AMPLITUDE) {
                dwmtj_json_array(&j, "pulse_amplitudes_V");
                for (int k = 0; k < R->dr.n_pulse; k++)
                    dwmtj_json_num(&j, NULL, R->dr.amp[k]);
                dwmtj_json_end(&j);
            }
            dwmtj_json_int(&j, "cycles_written", written);
            dwmtj_json_int(&j, "write_errors", write_errors);
            dwmtj_json_int(&j, "carried", carried);
            dwmtj_json_int(&j, "lost", lost);
            dwmtj_json_object(&j, "summary");
            if (o->protocol == P_AMPLITUDE) {
                for (int x = 0; x < N_X; x++) {
                    char key[32];
                    snprintf(key, sizeof key, "%s_50_V", x_names[x]);
                    json_stats(&j, key, &st[x], below[x], above[x]);
                }
            } else {
                dwmtj_json_int(&j, "cycles_fired", fired);
                json_stats(&j, "pulses_mean", &st[0], -1, -1);
            }
            dwmtj_json_end(&j);
            dwmtj_json_array(&j, "per_device");
            for (long k = 0; k < n; k++) {
                const struct result *r = &R->res[k];
                dwmtj_json_object(&j, NULL);
                dwmtj_json_num(&j, "dev_seed", r->dev_seed);
                dwmtj_json_int(&j, "written", r->written);
                dwmtj_json_int(&j, "write_errors", r->write_errors);
                dwmtj_json_int(&j, "carried", r->carried);
                dwmtj_json_int(&j, "lost", r->lost);
                if (o->protocol == P_AMPLITUDE) {
                    for (int x = 0; x < N_X; x++) {
                        char key[32];
                        snprintf(key, sizeof key, "%s_50_V", x_names[x]);
                        if (r->cens[x])
                            dwmtj_json_str(&j, key, r->cens[x] < 0 ? "below" : "above");
                        else
                            dwmtj_json_num(&j, key, r->p50[x]);
                    }
                } else {
                    dwmtj_json_int(&j, "fired", r->fired);
                    dwmtj_json_num(&j, "pulses_mean", r->pulses_mean);
                    dwmtj_json_num(&j, "pulses_sd", r->pulses_sd);
                }
                dwmtj_json_num(&j, "soa", r->soa);
                dwmtj_json_int(&j, "unseen", r->unseen);
                dwmtj_json_end(&j);
            }
            dwmtj_json_end(&j);
        }
        dwmtj_json_int(&j, "soa_devices", R->soa_devices);
        dwmtj_json_array(&j, "warnings");
        for (int k = 0; k < R->w.n; k++)
            dwmtj_json_str(&j, NULL, R->w.msg[k]);
        dwmtj_json_end(&j);
        dwmtj_json_end(&j);
    } else {
        FILE *f = stdout;
        fprintf(f, "dwmtj mc: protocol %s, set %s%s, %s, seed %llu\n",
                protocol_names[o->protocol], o->set, o->n_given ? " with --param" : "", range,
                (unsigned long long)o->p.seed);
        if (o->protocol == P_WRITE) {
            fprintf(f, "write-error rate over %ld pulses per point%s\n\n", o->attempts,
                    o->reverse ? " (MTJ_B)" : "");
            fprintf(f, "  %12s %10s %10s %12s %25s %6s\n", "amplitude V", "width ns",
                    "failures", "WER", "95 % interval", "SOA");
            for (long k = 0; k < n; k++) {
                const struct result *r = &R->res[k];
                fprintf(f, "  %12.4g %10.4g %10ld %12.4g   [%9.3g, %9.3g] %6.0f\n", r->amp,
                        r->width * 1e9, r->failures, r->wer, r->wer_lo, r->wer_hi, r->soa);
            }
        } else {
            if (o->protocol == P_AMPLITUDE)
                fprintf(f, "%d cycles per device of 15 pulses, 1.4 .. 2.8 V%s\n\n", o->cycles,
                        o->reverse ? " (reverse: written by MTJ_B)" : "");
            else
                fprintf(f, "%d cycles per device of %d pulses of %.4g V%s\n\n", o->cycles,
                        o->pulses, o->amplitude, o->reverse ? " (reverse)" : "");
            fprintf(f, "  %-16s %8s %8s %8s %8s %8s %7s%s\n", "over devices", "mean", "sd",
                    "5 %", "50 %", "95 %", "devices",
                    o->protocol == P_AMPLITUDE ? "  below  above" : "");
            if (o->protocol == P_AMPLITUDE) {
                for (int x = 0; x < N_X; x++) {
                    char label[32];
                    snprintf(label, sizeof label, "%s 50 %% (V)", x_names[x]);
                    text_stats(f, label, &st[x], below[x], above[x]);
                }
            } else {
                text_stats(f, "pulses to fire", &st[0], -1, -1);
                fprintf(f, "  cycles that fired                 %ld of %ld written\n", fired,
                        written);
            }
            fprintf(f, "\n  cycles written                    %ld of %ld\n", written, cycles);
            fprintf(f, "  write errors                      %ld\n", write_errors);
            fprintf(f, "  no write, domain left over        %ld\n", carried);
            fprintf(f, "  domains lost past the writer      %ld\n", lost);
        }
        fprintf(f, "  left the safe operating area      %ld %s\n", R->soa_devices,
                o->protocol == P_WRITE ? "points" : "devices");
        if (R->w.n)
            fprintf(f, "  warnings                          %d (on stderr)\n", R->w.n);
    }
    return fflush(stdout) == 0 && !ferror(stdout) ? DWMTJ_EXIT_OK : DWMTJ_EXIT_OUTPUT;
}

int dwmtj_cmd_mc(int argc, char **argv)
{
    struct opts *o = calloc(1, sizeof *o);
    struct run R;
    memset(&R, 0, sizeof R);
    dwmtj_outfile_init(&R.csv_file);
    dwmtj_outfile_init(&R.ev_file);
    int code = DWMTJ_EXIT_SIM;
    if (!o) {
        dwmtj_error("out of memory");
        return DWMTJ_EXIT_SIM;
    }
    int rc = parse(argc, argv, o);
    if (rc != 0) {
        free(o);
        if (rc < 0) {
            dwmtj_usage_mc(stdout);
            return fflush(stdout) == 0 ? DWMTJ_EXIT_OK : DWMTJ_EXIT_OUTPUT;
        }
        return rc;
    }
    R.o = o;
    static const double fig3a[N_AMP] = { 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 2.0, 2.1,
                                         2.2, 2.3, 2.4, 2.5, 2.6, 2.7, 2.8 };
    double number[64];
    for (int k = 0; k < o->pulses; k++)
        number[k] = o->amplitude;
    if (o->protocol == P_AMPLITUDE)
        drive_init(&R.dr, o->reverse, V_WRITE, W_WRITE, N_AMP, fig3a);
    else if (o->protocol == P_NUMBER)
        drive_init(&R.dr, o->reverse, V_WRITE, W_WRITE, o->pulses, number);
    R.n_slots = o->protocol == P_WRITE ? (long)o->n_amps * o->n_widths
                                       : (o->devices > 0 ? o->devices : 1);
    R.res = calloc((size_t)R.n_slots, sizeof *R.res);
    R.done = calloc((size_t)R.n_slots, 1);
    if (!R.res || !R.done) {
        dwmtj_error("out of memory");
        goto end;
    }
    param_warnings(&o->p, &R.w);

    char config[4096];
    config_line(config, sizeof config, o);
    if (o->csv && !o->resume && !o->overwrite && dwmtj_out_holds_data(o->csv)) {
        code = dwmtj_usage_error(SUB, "--csv %s: the file is not empty; --resume continues its "
                                 "run, --overwrite replaces it", o->csv);
        goto end;
    }
    if (o->csv) {
        int flags = DWMTJ_FILE_SYNC | (o->resume ? DWMTJ_FILE_REGULAR : 0);
        if (dwmtj_outfile_open_flags(&R.csv_file, o->csv, flags) != 0) {
            code = DWMTJ_EXIT_OUTPUT;
            goto end;
        }
        if (o->resume && read_csv(o->csv, o, config, R.res, R.done, R.n_slots) != 0)
            goto end;
        fprintf(R.csv_file.f, "%s\n%s\n", config, header(o->protocol));
        for (long k = 0; k < R.n_slots; k++)
            if (R.done[k])
                write_row(R.csv_file.f, o->protocol, &R.res[k]);
        if (!(R.csv = dwmtj_out_append_start(&R.csv_file))) {
            code = DWMTJ_EXIT_OUTPUT;
            goto end;
        }
    }
    if (o->events) {
        if (dwmtj_outfile_open(&R.ev_file, o->events) != 0) {
            code = DWMTJ_EXIT_OUTPUT;
            goto end;
        }
        fputs("dev_seed,cycle,written,t_write_s,t_depin_s,t_fire_s,t_reset_s,pulse_depin,"
              "pulse_fire,pulse_reset\n", R.ev_file.f);
    }
    struct dwmtj_progress prog;
    dwmtj_progress_init(&prog);
    for (long k = 0; k < R.n_slots; k++) {
        if (R.done[k])
            continue;
        if ((o->protocol == P_WRITE ? point(&R, k) : device(&R, k)) != 0) {
            dwmtj_progress_done(&prog);
            goto end;
        }
        if (R.csv) {
            write_row(R.csv, o->protocol, &R.res[k]);
            if (fflush(R.csv) != 0 || ferror(R.csv)) {
                dwmtj_progress_done(&prog);
                dwmtj_error("%s: write failed: %s", o->csv, strerror(errno));
                code = DWMTJ_EXIT_OUTPUT;
                goto end;
            }
        }
        dwmtj_progress_cb((double)(k + 1) / R.n_slots, &prog);
    }
    dwmtj_progress_done(&prog);
    if (R.ev_file.f && dwmtj_outfile_commit(&R.ev_file) != 0) {
        code = DWMTJ_EXIT_OUTPUT;
        goto end;
    }
    FILE *csv = R.csv;
    R.csv = NULL;
    if (dwmtj_out_append_end(&R.csv_file, csv) != 0) {
        code = DWMTJ_EXIT_OUTPUT;
        goto end;
    }
    code = report(&R);
end:
    if (R.csv && R.csv != R.csv_file.f)
        fclose(R.csv); /* the rows so far stay: --resume continues them */
    dwmtj_outfile_abort(&R.csv_file);
    dwmtj_outfile_abort(&R.ev_file);
    for (int k = 0; k < R.w.n; k++)
        free(R.w.msg[k]);
    free(R.w.msg);
    free(R.res);
    free(R.done);
    free(o);
    return code;
}
