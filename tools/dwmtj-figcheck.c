/* dwmtj-figcheck: reads the wrdata output of a netlists/fig*.cir run and
 * compares what the device did with the paper's figures (doc/design.md,
 * section 6; doc/calibration.md).  Exit 0 when the figure is reproduced, 1
 * when not, 2 on bad input.  --table, --prob write tables for gnuplot. */
#include "dwmtj.h"
#include "dwmtj_file.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum col { C_T, C_IN, C_X, C_RA, C_RB, C_E, C_NW, C_ND, C_NF, C_NR,
           C_EW, C_EI, C_EF, C_ER, C_EIDLE, NCOL };

#define MAXCYC 4096
#define MAXPULSE 256
#define MAXCOLS 64
#define PULSE_ON 0.05   /* V, |v(in)| above this is a pulse */
#define MIN_PROB 10     /* cycles from which the amplitude check is by probability */

/* The paper's amplitude encoding, A -> B (Fig. 3a/3d): the pulse of each
 * transition, and where the fit put each 50 % point over many cycles (the
 * amplitude midway between the last pulse without and the first with it). */
#define PAPER_PINNED 1.4   /* V, still pinned under the writer after this pulse */
static const double paper_at[3] = { 2.0, 2.5, 2.7 };    /* V: depin, fire, reset */
static const double paper_p50[3] = { 1.95, 2.45, 2.65 }; /* V */
#define P50_TOL 0.1        /* V, allowed |50 % point - paper_p50| */
#define STEP_TOL 0.1       /* V, single cycle: allowed |pulse - paper_at| (one step) */
#define AT_RP 0.1          /* 1, Fig. 4a: R_A within this part of its swing above R_P
                              counts as back at R_P */

static const char *const tr_name[3] = { "depin", "fire", "reset" };

struct cycle {
    double t_write;          /* s */
    int writer;              /* 0 = A, 1 = B (whose R was switched by the write) */
    int npulse;
    double amp[MAXPULSE];    /* V, peak |v(in)| of each pulse, to 0.01 V */
    double ra[MAXPULSE], rb[MAXPULSE]; /* Ohm, after each pulse */
    int moved;               /* pulse after which the domain first moved */
    int k[3];                /* pulse during which depin, fire, reset happened, 1-based;
                                0 = not in this cycle */
    double t_first, t_fire, t_reset; /* s */
};

struct run {
    const char *file;
    const char *set;         /* parameter set of the device (--set) */
    int ncyc;
    struct cycle *c;
    double last[NCOL];
    double rp[2], rap[2];    /* Ohm, R_P and R_AP of A, B (the set's) */
    int phases;              /* 1 when the energies by phase were written */
    int extra;               /* 1 when a cycle had more than MAXPULSE pulses */
};

static const char *const col_names[NCOL] = {
    "time", "v(in)", "v(x)", "v(ra)", "v(rb)", "v(e)", "v(nw)", "v(nd)", "v(nf)", "v(nr)",
    "v(ew)", "v(ei)", "v(ef)", "v(er)", "v(eidle)"
};
#define NREQUIRED 10 /* time .. v(nr); the energies by phase are optional */

/* Header of `set wr_singlescale` + `set wr_vecnames` wrdata output: maps
 * each known vector to its column. */
static int parse_header(char *line, const char *name, int map[NCOL], int *ncols)
{
    for (int k = 0; k < NCOL; k++)
        map[k] = -1;
    int n = 0;
    for (char *tok = strtok(line, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n"), n++)
        for (int k = 0; k < NCOL; k++)
            if (strcmp(tok, col_names[k]) == 0)
                map[k] = n;
    *ncols = n;
    if (n > MAXCOLS) {
        fprintf(stderr, "dwmtj-figcheck: %s:1: %d columns, at most %d\n", name, n, MAXCOLS);
        return -1;
    }
    for (int k = 0; k < NREQUIRED; k++)
        if (map[k] < 0) {
            fprintf(stderr, "dwmtj-figcheck: %s:1: no column %s in the header line"
                            " (run the netlist with set wr_singlescale and set wr_vecnames)\n",
                    name, col_names[k]);
            return -1;
        }
    return 0;
}

static int parse_row(char *line, const int map[NCOL], int ncols, double row[NCOL])
{
    char *p = line, *end;
    double v[MAXCOLS];
    for (int k = 0; k < ncols; k++) {
        errno = 0;
        v[k] = strtod(p, &end);
        if (end == p || errno || !isfinite(v[k]))
            return -1;
        p = end;
    }
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    if (*p)
        return -1;
    for (int k = 0; k < NCOL; k++)
        row[k] = map[k] >= 0 ? v[map[k]] : 0.0;
    return 0;
}

/* Relative switching of MTJ m: 0 at R_P, 1 at R_AP. */
static double swing(const struct run *r, int m, double R)
{
    return (R - r->rp[m]) / (r->rap[m] - r->rp[m]);
}

static int read_run(FILE *f, struct run *r)
{
    char line[8192];
    long lineno = 1;
    int map[NCOL], ncols = 0;
    const char *name = r->file;
    if (!fgets(line, sizeof line, f)) {
        fprintf(stderr, "dwmtj-figcheck: %s: empty file\n", name);
        return -1;
    }
    if (parse_header(line, name, map, &ncols) != 0)
        return -1;
    r->phases = 1;
    for (int k = C_EW; k <= C_EIDLE; k++)
        r->phases &= map[k] >= 0;
    int in_pulse = 0;
    double peak = 0.0, x_before = NAN;
    struct cycle *cur = NULL;
    double prev[NCOL];
    int have_prev = 0;
    while (fgets(line, sizeof line, f)) {
        double row[NCOL];
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            fprintf(stderr, "dwmtj-figcheck: %s:%ld: line longer than %zu characters\n", name,
                    lineno, sizeof line - 1);
            return -1;
        }
        if (parse_row(line, map, ncols, row) != 0) {
            fprintf(stderr, "dwmtj-figcheck: %s:%ld: expected %d numbers\n", name, lineno, ncols);
            return -1;
        }
        if (have_prev && row[C_T] < prev[C_T]) {
            fprintf(stderr, "dwmtj-figcheck: %s:%ld: time goes back (%g s after %g s)\n", name,
                    lineno, row[C_T], prev[C_T]);
            return -1;
        }
        if (have_prev && row[C_NW] > prev[C_NW]) {
            if (r->ncyc == MAXCYC) {
                fprintf(stderr, "dwmtj-figcheck: %s:%ld: more than %d cycles\n", name, lineno,
                        MAXCYC);
                return -1;
            }
            cur = &r->c[r->ncyc++];
            memset(cur, 0, sizeof *cur);
            cur->t_write = row[C_T];
            /* the writer's MTJ is the one the write switched towards AP */
            cur->writer = swing(r, 0, row[C_RA]) >= swing(r, 1, row[C_RB]) ? 0 : 1;
            cur->t_fire = cur->t_reset = NAN;
            in_pulse = 0;
        }
        double a = fabs(row[C_IN]);
        if (cur) {
            if (!in_pulse && a > PULSE_ON) {
                in_pulse = 1;
                peak = a;
                x_before = row[C_X];
                if (cur->npulse == 0)
                    cur->t_first = have_prev ? prev[C_T] : row[C_T];
            } else if (in_pulse && a > PULSE_ON) {
                peak = fmax(peak, a);
            }
            int k = cur->npulse + 1; /* the pulse under way, or the next one */
            static const int ctr[3] = { C_ND, C_NF, C_NR };
            for (int e = 0; e < 3; e++)
                if (have_prev && row[ctr[e]] > prev[ctr[e]] && !cur->k[e]) {
                    cur->k[e] = k;
                    if (e == 1)
                        cur->t_fire = row[C_T];
                    if (e == 2)
                        cur->t_reset = row[C_T];
                }
            if (in_pulse && a <= PULSE_ON) {
                in_pulse = 0;
                if (cur->npulse < MAXPULSE) {
                    int n = cur->npulse++;
                    cur->amp[n] = round(peak * 100.0) / 100.0;
                    cur->ra[n] = row[C_RA];
                    cur->rb[n] = row[C_RB];
                    if (!cur->moved && row[C_X] != x_before)
                        cur->moved = n + 1;
                } else {
                    r->extra = 1;
                }
            }
        }
        memcpy(prev, row, sizeof prev);
        have_prev = 1;
    }
    if (ferror(f)) {
        fprintf(stderr, "dwmtj-figcheck: %s: read error\n", name);
        return -1;
    }
    if (!have_prev) {
        fprintf(stderr, "dwmtj-figcheck: %s: no data rows\n", name);
        return -1;
    }
    memcpy(r->last, prev, sizeof prev);
    return 0;
}

static double amp_of(const struct cycle *c, int k)
{
    return k > 0 && k <= c->npulse ? c->amp[k - 1] : NAN;
}

/* Furthest state after pulse k: 0 pinned under the writer, 1 depinned, 2
 * fired (the reader past its midpoint or beyond), 3 reset. */
static int state_after(const struct cycle *c, int k)
{
    for (int e = 2; e >= 0; e--)
        if (c->k[e] > 0 && c->k[e] <= k)
            return e + 1;
    return 0;
}

/* Written, then depinned, fired and reset in this order, within the cycle. */
static int in_sequence(const struct cycle *c)
{
    return c->k[0] > 0 && c->k[1] >= c->k[0] && c->k[2] >= c->k[1];
}

/* An amplitude at which a probability is reached: side -1 below the first
 * swept amplitude, +1 above the last, 0 within (v by linear interpolation). */
struct level {
    double v;
    int side;
};

static struct level level_at(const double *amp, const double *p, int n, double q)
{
    if (p[0] >= q)
        return (struct level){ amp[0], -1 };
    for (int k = 1; k < n; k++)
        if (p[k] >= q)
            return (struct level){ amp[k - 1] + (q - p[k - 1]) / (p[k] - p[k - 1]) *
                                                    (amp[k] - amp[k - 1]), 0 };
    return (struct level){ amp[n - 1], 1 };
}

static void print_level(struct level l)
{
    if (l.side)
        printf("   %s%.2f", l.side < 0 ? "<" : ">", l.v);
    else
        printf("   %5.2f", l.v);
}

/* Per-amplitude probabilities of the runs' states (Fig. 3d/3e bottom
 * panels): ps[k][s] of state s after pulse k, pc[k][e] of being past
 * transition e.  0 when every cycle swept the same amplitudes. */
struct probs {
    int n;                   /* pulses per cycle */
    double amp[MAXPULSE];
    double ps[MAXPULSE][4];
    double pc[3][MAXPULSE];
    struct level p50[3], p10[3], p90[3];
    int spread[3];           /* 1 when some amplitude has 0 < P < 1 */
};

static int probabilities(const struct run *r, struct probs *pr)
{
    const struct cycle *c0 = &r->c[0];
    pr->n = c0->npulse;
    for (int i = 0; i < r->ncyc; i++) {
        const struct cycle *c = &r->c[i];
        if (c->npulse != pr->n) {
            printf("cycle %d has %d pulses, cycle 1 %d: the sweep is not the same in every"
                   " cycle\n", i + 1, c->npulse, pr->n);
            return -1;
        }
        for (int k = 0; k < pr->n; k++)
            if (c->amp[k] != c0->amp[k] || (k > 0 && !(c0->amp[k] > c0->amp[k - 1]))) {
                printf("cycle %d pulse %d: %.2f V; the sweep must rise by the same amplitudes"
                       " in every cycle\n", i + 1, k + 1, c->amp[k]);
                return -1;
            }
    }
    if (pr->n < 2) {
        printf("fewer than two pulses per cycle: no probabilities\n");
        return -1;
    }
    for (int k = 0; k < pr->n; k++) {
        pr->amp[k] = c0->amp[k];
        for (int s = 0; s < 4; s++)
            pr->ps[k][s] = 0.0;
        for (int i = 0; i < r->ncyc; i++)
            pr->ps[k][state_after(&r->c[i], k + 1)] += 1.0 / r->ncyc;
        for (int e = 0; e < 3; e++) {
            pr->pc[e][k] = 0.0;
            for (int s = e + 1; s < 4; s++)
                pr->pc[e][k] += pr->ps[k][s];
        }
    }
    for (int e = 0; e < 3; e++) {
        pr->p50[e] = level_at(pr->amp, pr->pc[e], pr->n, 0.5);
        pr->p10[e] = level_at(pr->amp, pr->pc[e], pr->n, 0.1);
        pr->p90[e] = level_at(pr->amp, pr->pc[e], pr->n, 0.9);
        pr->spread[e] = 0;
        for (int k = 0; k < pr->n; k++)
            if (pr->pc[e][k] > 1e-9 && pr->pc[e][k] < 1.0 - 1e-9)
                pr->spread[e] = 1;
    }
    return 0;
}

/* Prints the probabilities and the 50 % points; returns 1 when the
 * regions are separable: 50 % points inside the sweep and increasing, and
 * every transition spread over more than one pulse (a width that is not
 * just the sweep's step: with linear interpolation a transition every
 * cycle makes at the same pulse shows 10-90 % over 0.8 of a step). */
static int print_probs(const struct probs *pr, int ncyc)
{
    printf("state after each pulse, probability over %d cycles:\n", ncyc);
    printf("  amp_V  pinned  depinned  fired  reset\n");
    for (int k = 0; k < pr->n; k++)
        printf("  %5.2f  %6.2f  %8.2f  %5.2f  %5.2f\n", pr->amp[k], pr->ps[k][0], pr->ps[k][1],
               pr->ps[k][2], pr->ps[k][3]);
    printf("transition   50%%_V   10%%_V   90%%_V  width_V  spread\n");
    int sep = 1;
    for (int e = 0; e < 3; e++) {
        printf("%-10s", tr_name[e]);
        print_level(pr->p50[e]);
        print_level(pr->p10[e]);
        print_level(pr->p90[e]);
        int inside = !pr->p10[e].side && !pr->p90[e].side;
        if (inside)
            printf("   %5.2f", pr->p90[e].v - pr->p10[e].v);
        else
            printf("       -");
        printf("     %s\n", pr->spread[e] ? "yes" : "no");
        sep &= inside && pr->spread[e] && !pr->p50[e].side;
        if (e > 0)
            sep &= pr->p50[e].v > pr->p50[e - 1].v;
    }
    printf("separable: %s (50 %% points within the sweep and increasing, every transition"
           " spread over more than one pulse)\n", sep ? "yes" : "no");
    return sep;
}

/* Amplitude encoding (Fig. 3a, 3c-e). */
static int check_amplitude(const struct run *r, int want_cycles, struct probs *pr,
                           int *have_probs)
{
    int nseq = 0, nsingle = 0, writer = r->ncyc ? r->c[0].writer : 0;
    int single = r->ncyc < MIN_PROB, mixed = 0;
    printf("cycle writer  pinned@%.1fV  depin@V  fire@V  reset@V\n", PAPER_PINNED);
    for (int i = 0; i < r->ncyc; i++) {
        const struct cycle *c = &r->c[i];
        double at[3];
        for (int e = 0; e < 3; e++)
            at[e] = amp_of(c, c->k[e]);
        mixed |= c->writer != writer;
        int pinned = c->npulse > 0 && fabs(c->amp[0] - PAPER_PINNED) < 1e-9 &&
                     swing(r, c->writer, c->writer == 0 ? c->ra[0] : c->rb[0]) > 0.5;
        int seq = in_sequence(c), ok = seq;
        if (single && c->writer == 0) {
            ok &= pinned;
            for (int e = 0; e < 3; e++)
                ok &= fabs(at[e] - paper_at[e]) <= STEP_TOL + 1e-9;
        }
        printf("%5d  %s       %s        %5.2f   %5.2f   %5.2f%s\n", i + 1,
               c->writer == 0 ? "A" : "B", pinned ? "yes" : "no ", at[0], at[1], at[2],
               !seq ? "   <- not depinned, fired and reset in this order"
                    : (!ok ? "   <- more than one step from the paper" : ""));
        nseq += seq;
        nsingle += ok;
    }
    int ok = r->ncyc == want_cycles && !mixed && !r->extra;
    printf("cycles %d (want %d); written by %s; depinned, fired and reset in order: %d\n",
           r->ncyc, want_cycles, mixed ? "both MTJs" : (writer == 0 ? "MTJ_A" : "MTJ_B"), nseq);
    if (r->extra)
        printf("a cycle had more than %d pulses\n", MAXPULSE);
    if (mixed)
        printf("the cycles were not all written by the same MTJ\n");
    ok &= nseq == r->ncyc;
    if (!single && r->ncyc > 0) {
        if (probabilities(r, pr) != 0)
            return 0;
        *have_probs = 1;
        int sep = print_probs(pr, r->ncyc);
        if (writer == 0) {
            printf("paper (Fig. 3d, fitted): 50 %% points within %.1f V of", P50_TOL);
            for (int e = 0; e < 3; e++) {
                int near = !pr->p50[e].side && fabs(pr->p50[e].v - paper_p50[e]) <= P50_TOL + 1e-9;
                printf(" %s %.2f%s", tr_name[e], paper_p50[e], near ? "" : " (missed)");
                ok &= near;
            }
            printf("; separable; every cycle written, depinned, fired and reset\n");
            ok &= sep;
        } else {
            printf("prediction (Fig. 3e, not fitted): the writer MTJ_B depins, then the reader"
                   " MTJ_A fires, then resets, in every cycle; the amplitudes above are the"
                   " model's\n");
        }
    } else if (writer == 0) {
        printf("paper (Fig. 3a): pinned at %.1f V, depinned at %.1f, fire at %.1f, reset at"
               " %.1f V, each within one %.1f V step\n", PAPER_PINNED, paper_at[0], paper_at[1],
               paper_at[2], STEP_TOL);
        ok &= nsingle == r->ncyc;
    } else {
        printf("prediction (Fig. 3c, not fitted): the writer MTJ_B depins, then the reader MTJ_A"
               " fires, then resets\n");
    }
    return ok;
}

/* Latency from the first integrating pulse to fire, and energy per spike. */
static void summary(const struct run *r)
{
    double lat = 0.0, lat2 = 0.0, rst = 0.0;
    int n = 0, nr = 0;
    for (int i = 0; i < r->ncyc; i++) {
        const struct cycle *c = &r->c[i];
        if (c->k[1] && isfinite(c->t_fire)) {
            double l = c->t_fire - c->t_first;
            lat += l;
            lat2 += l * l;
            n++;
        }
        if (c->k[2] && isfinite(c->t_reset) && isfinite(c->t_fire)) {
            rst += c->t_reset - c->t_fire;
            nr++;
        }
    }
    double fires = r->last[C_NF];
    printf("cycles written %.0f, fires %.0f, resets %.0f\n", r->last[C_NW], fires, r->last[C_NR]);
    if (n) {
        double m = lat / n;
        printf("mean latency, first integrating pulse to fire: %.1f ns (sd %.1f ns, %d spikes)\n",
               1e9 * m, 1e9 * sqrt(fmax(0.0, lat2 / n - m * m)), n);
    }
    if (nr)
        printf("mean latency, fire to reset: %.1f ns\n", 1e9 * rst / nr);
    if (fires > 0 && r->phases)
        printf("mean device energy per spike: %.1f pJ = write %.1f + integrate %.1f + fire %.1f"
               " + reset %.1f + idle %.1f pJ\n",
               r->last[C_E] / fires, r->last[C_EW] / fires, r->last[C_EI] / fires,
               r->last[C_EF] / fires, r->last[C_ER] / fires, r->last[C_EIDLE] / fires);
    else if (fires > 0)
        printf("mean device energy per spike: %.1f pJ\n", r->last[C_E] / fires);
}

/* Pulse-number encoding as the paper describes Fig. 4a: after the first
 * pulse R_A is back at R_P, and fire and reset both come within the train
 * of `train` pulses, in every cycle; the fire is one the reading between
 * pulses sees (R_B past its midpoint after some pulse), as the paper's
 * SMU did: a domain that crossed MTJ_B within one pulse fired for the
 * counter, not for the paper's Fig. 4a. */
static int check_number(const struct run *r, int want_cycles, int train)
{
    int good = 0;
    printf("cycle  R_A-after-1_Ohm  at-R_P  R_A-mid-after  fire-after  reset-after  R_B-AP-reads"
           " (pulses)\n");
    for (int i = 0; i < r->ncyc; i++) {
        const struct cycle *c = &r->c[i];
        double ra1 = c->npulse > 0 ? c->ra[0] : NAN;
        int at_rp = c->npulse > 0 && swing(r, 0, ra1) <= AT_RP;
        int fire = c->k[1] >= 1 && c->k[1] <= train;
        int reset = c->k[2] >= c->k[1] && c->k[2] >= 1 && c->k[2] <= train;
        int reads = 0;
        for (int n = 0; n < c->npulse && n < train; n++)
            reads += swing(r, 1, c->rb[n]) > 0.5;
        int ok = c->writer == 0 && at_rp && fire && reset && reads > 0;
        printf("%5d  %15.1f  %-6s  %13d  %10d  %11d  %12d", i + 1, ra1, at_rp ? "yes" : "no",
               c->k[0], c->k[1], c->k[2], reads);
        if (!ok) {
            printf("   <-");
            if (c->writer != 0)
                printf(" written by MTJ_B;");
            if (!at_rp)
                printf(" R_A not at R_P after pulse 1;");
            if (!fire)
                printf(" no fire within %d pulses;", train);
            if (!reset)
                printf(" no reset within %d pulses;", train);
            if (fire && !reads)
                printf(" the fire is not seen in R_B between pulses;");
        }
        printf("\n");
        good += ok;
    }
    printf("paper (Fig. 4a): after the first pulse R_A is back at R_P (within %.0f %% of its"
           " swing), fire and reset within the %d-pulse train, the fire read in R_B after a"
           " pulse; %d cycles (Fig. 4b)\n", 100.0 * AT_RP, train, want_cycles);
    printf("cycles %d (want %d), meeting all four: %d\n", r->ncyc, want_cycles, good);
    return good == r->ncyc && r->ncyc == want_cycles && !r->extra;
}

/* Fig. 5a/b: distribution of pulses to fire. */
struct hist {
    int n, lo, hi, nofire;
    double mean, sd;
    int count[MAXPULSE + 1];
};

static void histogram(const struct run *r, struct hist *h)
{
    double s = 0.0, s2 = 0.0;
    memset(h, 0, sizeof *h);
    h->lo = MAXPULSE + 1;
    for (int i = 0; i < r->ncyc; i++) {
        int k = r->c[i].k[1];
        if (k <= 0) {
            h->nofire++;
            continue;
        }
        h->count[k]++;
        s += k;
        s2 += (double)k * k;
        h->n++;
        h->lo = k < h->lo ? k : h->lo;
        h->hi = k > h->hi ? k : h->hi;
    }
    h->mean = h->n ? s / h->n : NAN;
    h->sd = h->n > 1 ? sqrt(fmax(0.0, (s2 - s * s / h->n) / (h->n - 1))) : NAN;
}

static int hist_ok(const struct run *r, const struct hist *h, int want, double target, double tol)
{
    return r->ncyc == want && h->n == r->ncyc && !r->extra && fabs(h->mean - target) <= tol;
}

static const char *model_of(const char *set)
{
    dwmtj_params p;
    if (dwmtj_params_set(&p, set) != DWMTJ_OK)
        return "?";
    return p.model == DWMTJ_MODEL_THERMAL ? "thermal model" : "paper's model";
}

static int check_histogram(const struct run *r, const struct run *b, double target, double tol,
                           int want_cycles)
{
    const struct run *runs[2] = { r, b };
    struct hist h[2];
    int nr = b ? 2 : 1, ok = 1;
    for (int m = 0; m < nr; m++)
        histogram(runs[m], &h[m]);
    printf("pulses to fire (paper: mean %g)", target);
    for (int m = 0; m < nr; m++)
        printf("  %24s", runs[m]->set);
    printf("\n%-31s", "");
    for (int m = 0; m < nr; m++)
        printf("  %24s", model_of(runs[m]->set));
    printf("\n%-31s", "cycles (fired / written)");
    for (int m = 0; m < nr; m++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%d / %d", h[m].n, runs[m]->ncyc);
        printf("  %24s", buf);
    }
    printf("\n%-31s", "mean");
    for (int m = 0; m < nr; m++)
        printf("  %24.2f", h[m].mean);
    printf("\n%-31s", "sd");
    for (int m = 0; m < nr; m++)
        printf("  %24.2f", h[m].sd);
    printf("\n%-31s", "min / max");
    for (int m = 0; m < nr; m++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%d / %d", h[m].n ? h[m].lo : 0, h[m].hi);
        printf("  %24s", buf);
    }
    char what[64];
    snprintf(what, sizeof what, "mean within %g of %g", tol, target);
    printf("\n%-31s", what);
    for (int m = 0; m < nr; m++) {
        int good = hist_ok(runs[m], &h[m], want_cycles, target, tol);
        printf("  %24s", good ? "yes" : "no");
        ok &= good;
    }
    printf("\n");
    for (int m = 0; m < nr; m++) {
        printf("histogram %s (pulses:cycles):", runs[m]->set);
        for (int k = 0; k <= MAXPULSE; k++)
            if (h[m].count[k])
                printf(" %d:%d", k, h[m].count[k]);
        printf("\n");
        if (h[m].nofire)
            printf("%s: %d cycles without a fire\n", runs[m]->set, h[m].nofire);
        if (runs[m]->ncyc != want_cycles)
            printf("%s: %d cycles written, want %d\n", runs[m]->set, runs[m]->ncyc, want_cycles);
    }
    return ok;
}

/* One row per pulse: what gnuplot draws of Fig. 3a-e, 4 and 5. */
static int write_table(const struct run *r, const char *path)
{
    dwmtj_file f;
    if (dwmtj_file_open(&f, path, 0) != DWMTJ_FILE_OK) {
        fprintf(stderr, "dwmtj-figcheck: %s\n", f.error);
        return -1;
    }
    fprintf(f.f, "# cycle pulse amplitude_V R_A_Ohm R_B_Ohm fired reset pulses_to_fire state\n");
    for (int i = 0; i < r->ncyc; i++) {
        const struct cycle *c = &r->c[i];
        for (int k = 0; k < c->npulse; k++)
            fprintf(f.f, "%d %d %.2f %.2f %.2f %d %d %d %d\n", i + 1, k + 1, c->amp[k], c->ra[k],
                    c->rb[k], c->k[1] && k + 1 >= c->k[1], c->k[2] && k + 1 >= c->k[2], c->k[1],
                    state_after(c, k + 1));
    }
    if (dwmtj_file_commit(&f) != DWMTJ_FILE_OK) {
        fprintf(stderr, "dwmtj-figcheck: %s\n", f.error);
        return -1;
    }
    return 0;
}

/* One row per amplitude: the state probabilities (Fig. 3d/3e bottom). */
static int write_probs(const struct probs *pr, const char *path)
{
    dwmtj_file f;
    if (dwmtj_file_open(&f, path, 0) != DWMTJ_FILE_OK) {
        fprintf(stderr, "dwmtj-figcheck: %s\n", f.error);
        return -1;
    }
    fprintf(f.f, "# amplitude_V P_pinned P_depinned P_fired P_reset"
                 " P_past_depin P_past_fire P_past_reset\n");
    for (int k = 0; k < pr->n; k++)
        fprintf(f.f, "%.2f %.4f %.4f %.4f %.4f %.4f %.4f %.4f\n", pr->amp[k], pr->ps[k][0],
                pr->ps[k][1], pr->ps[k][2], pr->ps[k][3], pr->pc[0][k], pr->pc[1][k],
                pr->pc[2][k]);
    fprintf(f.f, "# 50%% points (V): depin %.3f fire %.3f reset %.3f\n", pr->p50[0].v,
            pr->p50[1].v, pr->p50[2].v);
    if (dwmtj_file_commit(&f) != DWMTJ_FILE_OK) {
        fprintf(stderr, "dwmtj-figcheck: %s\n", f.error);
        return -1;
    }
    return 0;
}

/* The paper's two-terminal readings (netlists/readings.cir: A->GND and
 * B->GND at 0.1 V with IN open, before and after a write under the pillar):
 * lines "NAME = VALUE" in Ohm.  R_A P, R_B P and R_A AP are the data the
 * pillars and the track were fitted to; R_B AP is a prediction. */
#define READ_TOL 0.01 /* 1, allowed relative error of a fitted reading */
static int check_readings(const char *file)
{
    static const char *const name[4] = { "r_a_p", "r_b_p", "r_a_ap", "r_b_ap" };
    static const char *const what[4] = { "R_A, P (A->GND)", "R_B, P (B->GND)",
                                         "R_A, AP (A->GND)", "R_B, AP (B->GND)" };
    static const double paper[4] = { 1650.0, 1180.0, 1930.0, NAN };
    double v[4] = { NAN, NAN, NAN, NAN };
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "dwmtj-figcheck: %s: %s\n", file, strerror(errno));
        return -1;
    }
    char line[512], key[64];
    long lineno = 0;
    double x;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (sscanf(line, " %63[a-z_] = %lf", key, &x) != 2 || !isfinite(x)) {
            fprintf(stderr, "dwmtj-figcheck: %s:%ld: expected NAME = VALUE\n", file, lineno);
            fclose(f);
            return -1;
        }
        for (int k = 0; k < 4; k++)
            if (strcmp(key, name[k]) == 0)
                v[k] = x;
    }
    fclose(f);
    for (int k = 0; k < 4; k++)
        if (isnan(v[k])) {
            fprintf(stderr, "dwmtj-figcheck: %s: no %s\n", file, name[k]);
            return -1;
        }
    int ok = 1;
    printf("reading            model_Ohm  paper_Ohm  error\n");
    for (int k = 0; k < 4; k++) {
        if (isnan(paper[k])) {
            printf("%-17s  %9.1f  %9s  prediction (not in the paper)\n", what[k], v[k], "-");
            continue;
        }
        double e = v[k] / paper[k] - 1.0;
        int good = fabs(e) <= READ_TOL;
        printf("%-17s  %9.1f  %9.1f  %+5.2f %%%s\n", what[k], v[k], paper[k], 100.0 * e,
               good ? "" : "   <- differs");
        ok &= good;
    }
    printf("paper (device data): the three readings within %.0f %% (fitted: rho, R_P, TMR0)\n",
           100.0 * READ_TOL);
    return ok;
}

static int usage(FILE *to)
{
    fprintf(to,
            "usage: dwmtj-figcheck KIND FILE.dat [options]\n"
            "  KIND: amplitude  Fig. 3a (1 cycle), 3d (A -> B), 3c/3e (B -> A): transitions\n"
            "                   per cycle; from %d cycles the state probabilities per amplitude\n"
            "        number     Fig. 4a/4b: R_A at R_P after pulse 1, fire and reset within\n"
            "                   the train, the fire read in R_B after a pulse, every cycle\n"
            "        histogram  Fig. 5a/5b: pulses to fire, mean within --tol of --target\n"
            "        summary    cycles, fires, resets, latency, energy per spike\n"
            "        readings   the two-terminal readings (netlists/readings.cir output)\n"
            "  --cycles N       cycles the run must have (default 1)\n"
            "  --set NAME       the device's parameter set, for R_P and R_AP (default proto)\n"
            "  --target N       histogram: the paper's mean pulses to fire (default 12)\n"
            "  --tol N          histogram: allowed |mean - target| in pulses (default 1)\n"
            "  --beside FILE    histogram: a second run (other model) shown beside, and checked\n"
            "  --beside-set NAME  its parameter set (default proto-paper)\n"
            "  --train N        number: pulses of the paper's train (default 20)\n"
            "  --table OUT      one row per pulse, for gnuplot\n"
            "  --prob OUT       amplitude: one row per amplitude, the state probabilities\n"
            "exit status: 0 reproduced, 1 not reproduced, 2 bad input\n",
            MIN_PROB);
    return 2;
}

static int opt_int(const char *opt, const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi) {
        fprintf(stderr, "dwmtj-figcheck: %s: '%s' is not an integer in %d..%d\n", opt, s, lo, hi);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int opt_real(const char *opt, const char *s, double lo, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v) || v < lo) {
        fprintf(stderr, "dwmtj-figcheck: %s: '%s' is not a number >= %g\n", opt, s, lo);
        return -1;
    }
    *out = v;
    return 0;
}

/* Reads file as a run of the device of parameter set `set`. */
static int load(struct run *r, const char *file, const char *set)
{
    dwmtj_params p;
    memset(r, 0, sizeof *r);
    r->file = file;
    r->set = set;
    if (dwmtj_params_set(&p, set) != DWMTJ_OK) {
        fprintf(stderr, "dwmtj-figcheck: --set: unknown parameter set '%s'\n", set);
        return -1;
    }
    r->rp[0] = p.rp_a;
    r->rap[0] = p.rap_a;
    r->rp[1] = p.rp_b;
    r->rap[1] = p.rap_b;
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "dwmtj-figcheck: %s: %s\n", file, strerror(errno));
        return -1;
    }
    r->c = calloc(MAXCYC, sizeof *r->c);
    int st = r->c ? read_run(f, r) : -1;
    if (!r->c)
        fprintf(stderr, "dwmtj-figcheck: out of memory\n");
    fclose(f);
    return st;
}

int main(int argc, char **argv)
{
    enum { O_CYCLES = 256, O_TARGET, O_TOL, O_TABLE, O_PROB, O_SET, O_BESIDE, O_BESIDE_SET,
           O_TRAIN, O_HELP };
    static const struct option longopts[] = {
        { "cycles", required_argument, NULL, O_CYCLES },
        { "target", required_argument, NULL, O_TARGET },
        { "tol", required_argument, NULL, O_TOL },
        { "table", required_argument, NULL, O_TABLE },
        { "prob", required_argument, NULL, O_PROB },
        { "set", required_argument, NULL, O_SET },
        { "beside", required_argument, NULL, O_BESIDE },
        { "beside-set", required_argument, NULL, O_BESIDE_SET },
        { "train", required_argument, NULL, O_TRAIN },
        { "help", no_argument, NULL, O_HELP },
        { NULL, 0, NULL, 0 }
    };
    const char *table = NULL, *prob = NULL, *set = "proto", *beside = NULL;
    const char *beside_set = "proto-paper";
    int cycles = 1, train = 20, c;
    double target = 12.0, tol = 1.0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case O_CYCLES: bad = opt_int("--cycles", optarg, 1, MAXCYC, &cycles); break;
        case O_TARGET: bad = opt_real("--target", optarg, 1.0, &target); break;
        case O_TOL: bad = opt_real("--tol", optarg, 0.0, &tol); break;
        case O_TABLE: table = optarg; break;
        case O_PROB: prob = optarg; break;
        case O_SET: set = optarg; break;
        case O_BESIDE: beside = optarg; break;
        case O_BESIDE_SET: beside_set = optarg; break;
        case O_TRAIN: bad = opt_int("--train", optarg, 1, MAXPULSE, &train); break;
        case O_HELP: usage(stdout); return 0;
        default:
            if (optopt)
                fprintf(stderr, "dwmtj-figcheck: %s needs a value\n", argv[optind - 1]);
            else
                fprintf(stderr, "dwmtj-figcheck: unknown option %s\n", argv[optind - 1]);
            return usage(stderr);
        }
        if (bad)
            return 2;
    }
    if (argc - optind != 2)
        return usage(stderr);
    const char *kind = argv[optind], *file = argv[optind + 1];
    int k_amp = strcmp(kind, "amplitude") == 0, k_num = strcmp(kind, "number") == 0;
    int k_hist = strcmp(kind, "histogram") == 0, k_sum = strcmp(kind, "summary") == 0;
    if (strcmp(kind, "readings") == 0) {
        if (table || prob || beside) {
            fprintf(stderr, "dwmtj-figcheck: readings takes no --table, --prob or --beside\n");
            return 2;
        }
        int ok = check_readings(file);
        if (ok < 0)
            return 2;
        printf("%s\n", ok ? "REPRODUCED" : "NOT REPRODUCED");
        return ok ? 0 : 1;
    }
    if (!k_amp && !k_num && !k_hist && !k_sum) {
        fprintf(stderr, "dwmtj-figcheck: unknown KIND '%s'\n", kind);
        return usage(stderr);
    }
    if ((prob && !k_amp) || (beside && !k_hist)) {
        fprintf(stderr, "dwmtj-figcheck: %s is for %s only\n", prob && !k_amp ? "--prob" : "--beside",
                prob && !k_amp ? "amplitude" : "histogram");
        return 2;
    }
    struct run r, b;
    memset(&b, 0, sizeof b);
    int st = load(&r, file, set);
    if (st == 0 && beside)
        st = load(&b, beside, beside_set);
    struct probs *pr = calloc(1, sizeof *pr);
    int ok = 0, have_probs = 0;
    if (st == 0 && !pr) {
        fprintf(stderr, "dwmtj-figcheck: out of memory\n");
        st = -1;
    }
    if (st == 0) {
        if (k_amp)
            ok = check_amplitude(&r, cycles, pr, &have_probs);
        else if (k_num)
            ok = check_number(&r, cycles, train);
        else if (k_hist)
            ok = check_histogram(&r, beside ? &b : NULL, target, tol, cycles);
        else
            ok = r.ncyc > 0;
        summary(&r);
        if (table && write_table(&r, table) != 0)
            st = -1;
        if (st == 0 && prob) {
            if (!have_probs) {
                fprintf(stderr, "dwmtj-figcheck: --prob %s: no probabilities (%d cycles, need"
                                " %d with one sweep)\n", prob, r.ncyc, MIN_PROB);
                st = -1;
            } else if (write_probs(pr, prob) != 0) {
                st = -1;
            }
        }
    }
    free(pr);
    free(r.c);
    free(b.c);
    if (st != 0)
        return 2;
    printf("%s\n", ok ? "REPRODUCED" : "NOT REPRODUCED");
    return ok ? 0 : 1;
}
