/* dwmtj-figcheck: reads the wrdata output of a netlists/fig*.cir run and
 * compares what the device did with the paper's numbers (doc/design.md,
 * section 6).  Exit 0 when the figure is reproduced, 1 when not, 2 on bad
 * input.  With --table FILE it writes one row per pulse for gnuplot. */
#include "dwmtj.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum col { C_T, C_IN, C_X, C_RA, C_RB, C_E, C_NW, C_ND, C_NF, C_NR,
           C_EW, C_EI, C_EF, C_ER, C_EIDLE, NCOL };

#define MAXCYC 4096
#define MAXPULSE 256
#define PULSE_ON 0.05 /* V, |v(in)| above this is a pulse */

struct cycle {
    double t_write;          /* s */
    int writer;              /* 0 = A, 1 = B (from which R switched) */
    int npulse;
    double amp[MAXPULSE];    /* V, peak |v(in)| of each pulse */
    double ra[MAXPULSE], rb[MAXPULSE]; /* Ohm, after each pulse */
    int moved;               /* pulse after which the domain first moved */
    int k_depin, k_fire, k_reset; /* pulse during which each happened, 1-based */
    double t_first, t_fire, t_reset; /* s */
};

struct run {
    int ncyc;
    struct cycle *c;
    double last[NCOL];
    double mid[2];           /* Ohm, resistance midpoints of A, B */
    int phases;              /* 1 when the energies by phase were written */
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
    for (int k = 0; k < NREQUIRED; k++)
        if (map[k] < 0) {
            fprintf(stderr, "dwmtj-figcheck: %s: no column %s in the header line"
                            " (run the netlist with set wr_singlescale and set wr_vecnames)\n",
                    name, col_names[k]);
            return -1;
        }
    return 0;
}

static int parse_row(char *line, const int map[NCOL], int ncols, double row[NCOL])
{
    char *p = line, *end;
    double v[64];
    if (ncols > 64)
        return -1;
    for (int k = 0; k < ncols; k++) {
        errno = 0;
        v[k] = strtod(p, &end);
        if (end == p || errno)
            return -1;
        p = end;
    }
    for (int k = 0; k < NCOL; k++)
        row[k] = map[k] >= 0 ? v[map[k]] : 0.0;
    return 0;
}

static int read_run(FILE *f, const char *name, struct run *r)
{
    char line[4096];
    long lineno = 1;
    int map[NCOL], ncols = 0;
    if (!fgets(line, sizeof line, f) || parse_header(line, name, map, &ncols) != 0) {
        if (feof(f))
            fprintf(stderr, "dwmtj-figcheck: %s: empty file\n", name);
        return -1;
    }
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
        if (parse_row(line, map, ncols, row) != 0) {
            fprintf(stderr, "dwmtj-figcheck: %s:%ld: expected %d numbers\n", name, lineno, ncols);
            return -1;
        }
        if (have_prev && row[C_NW] > prev[C_NW]) {
            if (r->ncyc == MAXCYC) {
                fprintf(stderr, "dwmtj-figcheck: %s: more than %d cycles\n", name, MAXCYC);
                return -1;
            }
            cur = &r->c[r->ncyc++];
            memset(cur, 0, sizeof *cur);
            cur->t_write = row[C_T];
            cur->writer = row[C_RA] > r->mid[0] ? 0 : 1;
            cur->t_fire = cur->t_reset = NAN;
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
            int k = cur->npulse + 1; /* the pulse under way */
            if (have_prev && row[C_ND] > prev[C_ND] && !cur->k_depin)
                cur->k_depin = k;
            if (have_prev && row[C_NF] > prev[C_NF] && !cur->k_fire) {
                cur->k_fire = k;
                cur->t_fire = row[C_T];
            }
            if (have_prev && row[C_NR] > prev[C_NR] && !cur->k_reset) {
                cur->k_reset = k;
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
                }
            }
        }
        memcpy(prev, row, sizeof prev);
        have_prev = 1;
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

/* Amplitude encoding (Fig. 3a, 3c-e): depinned by 2.0 V, no fire through
 * 2.4 V, fire at 2.5 V, reset at 2.7 V, for every cycle. */
static int check_amplitude(const struct run *r, int want_cycles)
{
    int bad = 0;
    printf("cycle writer  pinned@1.4V  depin@V  fire@V  reset@V\n");
    for (int i = 0; i < r->ncyc; i++) {
        const struct cycle *c = &r->c[i];
        double ad = amp_of(c, c->k_depin), af = amp_of(c, c->k_fire), ar = amp_of(c, c->k_reset);
        int pinned = c->npulse > 0 && c->amp[0] == 1.4 &&
                     (c->writer == 0 ? c->ra[0] > r->mid[0] : c->rb[0] > r->mid[1]);
        int ok = pinned && ad <= 2.0 && fabs(af - 2.5) < 1e-9 && fabs(ar - 2.7) < 1e-9;
        if (i < 3 || !ok || i == r->ncyc - 1)
            printf("%5d  %s       %s        %5.2f   %5.2f   %5.2f%s\n", i + 1,
                   c->writer == 0 ? "A" : "B", pinned ? "yes" : "no ", ad, af, ar,
                   ok ? "" : "   <- differs from the paper");
        bad += !ok;
    }
    printf("paper: pinned at 1.4 V, depinned by 2.0 V, fire at 2.5 V, reset at 2.7 V\n");
    printf("cycles %d (want %d), matching the paper: %d\n", r->ncyc, want_cycles, r->ncyc - bad);
    return bad == 0 && r->ncyc == want_cycles;
}

static void summary(const struct run *r)
{
    double lat = 0.0, lat2 = 0.0, rst = 0.0;
    int n = 0, nr = 0;
    for (int i = 0; i < r->ncyc; i++) {
        const struct cycle *c = &r->c[i];
        if (c->k_fire && isfinite(c->t_fire)) {
            double l = c->t_fire - c->t_first;
            lat += l;
            lat2 += l * l;
            n++;
        }
        if (c->k_reset && isfinite(c->t_reset) && isfinite(c->t_fire)) {
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

/* Pulse-number encoding (Fig. 4): the first pulse moves the domain, fire
 * after N pulses, then reset, in every cycle. */
static int check_number(const struct run *r, int want_cycles)
{
    int bad = 0;
    printf("cycle  moved-after  R_A-mid-after  fire-after  reset-after (pulses)\n");
    for (int i = 0; i < r->ncyc; i++) {
        const struct cycle *c = &r->c[i];
        int ok = c->moved == 1 && c->k_fire > 1 && c->k_reset >= c->k_fire;
        if (i < 16 || !ok)
            printf("%5d  %11d  %13d  %10d  %11d%s\n", i + 1, c->moved, c->k_depin, c->k_fire,
                   c->k_reset, ok ? "" : "   <- differs");
        bad += !ok;
    }
    printf("paper: first pulse depins, fire after N pulses, then reset (16 cycles)\n");
    return bad == 0 && r->ncyc == want_cycles;
}

/* Fig. 5a/b: distribution of pulses to fire. */
static int check_histogram(const struct run *r, double target, int want_cycles)
{
    int hist[MAXPULSE + 1] = { 0 };
    double s = 0.0, s2 = 0.0;
    int n = 0;
    for (int i = 0; i < r->ncyc; i++) {
        int k = r->c[i].k_fire;
        if (k <= 0)
            continue;
        hist[k]++;
        s += k;
        s2 += (double)k * k;
        n++;
    }
    double m = n ? s / n : NAN, sd = n ? sqrt(fmax(0.0, s2 / n - m * m)) : NAN;
    printf("pulses to fire over %d cycles: mean %.2f, sd %.2f (paper: mean %.0f)\n", n, m, sd, target);
    printf("histogram (pulses:cycles):");
    for (int k = 0; k <= MAXPULSE; k++)
        if (hist[k])
            printf(" %d:%d", k, hist[k]);
    printf("\n");
    return n >= want_cycles && n == r->ncyc && fabs(m - target) <= 1.0;
}

static void write_table(const struct run *r, FILE *t)
{
    fprintf(t, "# cycle pulse amplitude_V R_A_Ohm R_B_Ohm fired reset pulses_to_fire\n");
    for (int i = 0; i < r->ncyc; i++) {
        const struct cycle *c = &r->c[i];
        for (int k = 0; k < c->npulse; k++)
            fprintf(t, "%d %d %.2f %.2f %.2f %d %d %d\n", i + 1, k + 1, c->amp[k], c->ra[k],
                    c->rb[k], c->k_fire && k + 1 >= c->k_fire, c->k_reset && k + 1 >= c->k_reset,
                    c->k_fire);
    }
}

static int usage(void)
{
    fprintf(stderr,
            "usage: dwmtj-figcheck KIND FILE.dat [--cycles N] [--target N] [--table OUT]\n"
            "  KIND: amplitude (Fig. 3a, 3c-e), number (Fig. 4), histogram (Fig. 5),\n"
            "        summary (cycles, fires, resets, latency, energy per spike)\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    const char *kind = argv[1], *file = argv[2], *table = NULL;
    int cycles = 1;
    double target = 12.0;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--cycles") == 0 && i + 1 < argc)
            cycles = atoi(argv[++i]);
        else if (strcmp(argv[i], "--target") == 0 && i + 1 < argc)
            target = atof(argv[++i]);
        else if (strcmp(argv[i], "--table") == 0 && i + 1 < argc)
            table = argv[++i];
        else
            return usage();
    }
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "dwmtj-figcheck: %s: %s\n", file, strerror(errno));
        return 2;
    }
    struct run r = { 0 };
    r.c = calloc(MAXCYC, sizeof *r.c);
    dwmtj_params p;
    dwmtj_params_defaults(&p);
    r.mid[0] = 0.5 * (p.rp_a + p.rap_a);
    r.mid[1] = 0.5 * (p.rp_b + p.rap_b);
    int st = r.c ? read_run(f, file, &r) : -1;
    fclose(f);
    if (st != 0) {
        free(r.c);
        return 2;
    }
    int ok;
    if (strcmp(kind, "amplitude") == 0)
        ok = check_amplitude(&r, cycles);
    else if (strcmp(kind, "number") == 0)
        ok = check_number(&r, cycles);
    else if (strcmp(kind, "histogram") == 0)
        ok = check_histogram(&r, target, cycles);
    else if (strcmp(kind, "summary") == 0)
        ok = r.ncyc > 0;
    else {
        free(r.c);
        return usage();
    }
    summary(&r);
    if (table) {
        FILE *t = fopen(table, "w");
        if (!t) {
            fprintf(stderr, "dwmtj-figcheck: %s: %s\n", table, strerror(errno));
            free(r.c);
            return 2;
        }
        write_table(&r, t);
        if (fclose(t) != 0) {
            fprintf(stderr, "dwmtj-figcheck: %s: write failed\n", table);
            free(r.c);
            return 2;
        }
    }
    free(r.c);
    printf("%s\n", ok ? "REPRODUCED" : "NOT REPRODUCED");
    return ok ? 0 : 1;
}
