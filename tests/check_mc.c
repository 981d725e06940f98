/* Tests of `dwmtj mc`: its command line and errors, its events against
 * netlists/fig3a.cir under the real ngspice binary, its statistics
 * recomputed from its events, the write-error rate against the analytic
 * hazard of the write and its fall with amplitude and width, byte-for-byte
 * reproducibility, --resume, and that every warning and error of libdwmtj
 * reaches the user.
 *
 * Environment: DWMTJ_TOOL, DWMTJ_SRCDIR, DWMTJ_CM, DWMTJ_NGSPICE (make
 * check sets them). */
#define _POSIX_C_SOURCE 200809L

#include "dwmtj.h"
#include "mcrun.h"
#include "scratch.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

#define ck_exit(r, want)                                                                   \
    ck_assert_msg(!(r).timed_out && (r).code == (want),                                    \
                  "exit %d (signal %d%s), wanted %d\n--- stdout:\n%.2000s\n--- stderr:\n%.2000s", \
                  (r).code, (r).sig, (r).timed_out ? ", timed out" : "", (want), (r).out, (r).err)

static void setup(void)
{
    scratch_make("check_mc");
}

static void teardown(void)
{
    scratch_remove();
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* Field k (0-based) of the CSV line starting at row; into buf. */
static const char *field(const char *row, int k, char *buf, size_t n)
{
    for (int i = 0; i < k; i++) {
        row = strpbrk(row, ",\n");
        ck_assert_msg(row && *row == ',', "no field %d", k);
        row++;
    }
    size_t len = strcspn(row, ",\n");
    ck_assert_uint_lt(len, n);
    memcpy(buf, row, len);
    buf[len] = '\0';
    return buf;
}

/* The data rows of a --csv file (after its config line and header). */
static const char *rows_of(const char *csv, int *n)
{
    ck_assert_ptr_nonnull(csv);
    ck_assert_msg(strncmp(csv, "# dwmtj mc: ", 12) == 0, "no config line: %.200s", csv);
    const char *p = strchr(csv, '\n');
    ck_assert_ptr_nonnull(p);
    p = strchr(p + 1, '\n');
    ck_assert_ptr_nonnull(p);
    *n = 0;
    for (const char *q = p + 1; *q; q++)
        *n += *q == '\n';
    return p + 1;
}

static const char *next_row(const char *row)
{
    const char *e = strchr(row, '\n');
    ck_assert_ptr_nonnull(e);
    return e + 1;
}

/* ---- the command line ----------------------------------------------------- */

START_TEST(help)
{
    tool_result r;
    mc_tool(ARGS("--help"), &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.out, "usage: dwmtj mc") && strstr(r.out, "exit status") &&
                      strstr(r.out, "--protocol") && strstr(r.out, "--param NAME=VALUE"),
                  "%s", r.out);
    tool_result_free(&r);
    const char *argv[] = { getenv("DWMTJ_TOOL"), "help", "mc", NULL };
    tool_exec(argv, NULL, &r);
    ck_exit(r, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "usage: dwmtj mc"));
    tool_result_free(&r);
}
END_TEST

/* Each bad command line exits 2, prints nothing on stdout, and names the
 * option (or parameter) that is wrong. */
START_TEST(usage_errors)
{
    static const struct {
        const char *args[8];
        const char *says;
    } bad[] = {
        { { "--protocol", "bogus" }, "--protocol bogus" },
        { { "--frobnicate" }, "--frobnicate" },
        { { "--devices", "many" }, "--devices many" },
        { { "--devices", "-1" }, "--devices -1" },
        { { "--cycles", "0" }, "--cycles 0" },
        { { "--seed", "x" }, "--seed x" },
        { { "--set", "protoo" }, "--set protoo" },
        { { "--param", "frob=1" }, "no parameter frob" },
        { { "--param", "sigmaa=0.1" }, "did you mean sigma" },
        { { "--param", "ms" }, "--param ms: not NAME=VALUE" },
        { { "--param", "ms=lots" }, "--param ms=lots: 'lots' is not a number" },
        { { "--param", "rap_a=100" }, "rap_a" },
        { { "--param", "var_jc=0.3" }, "var_jc" },
        { { "--param", "seed=0.5" }, "--param seed=0.5" },
        { { "--set", "proto-paper", "--devices", "3" }, "--devices 3" },
        { { "--protocol", "write", "--devices", "3" }, "--devices" },
        { { "--protocol", "write", "--widths", "10n,x" }, "--widths x" },
        { { "--protocol", "write", "--amplitudes", "-1" }, "--amplitudes -1" },
        { { "--protocol", "write", "--events", "e.csv" }, "--events" },
        { { "--amplitudes", "2" }, "--amplitudes" },
        { { "--pulses", "3" }, "--pulses" },
        { { "--protocol", "number", "--pulses", "100" }, "--pulses 100" },
        { { "--first-device", "5" }, "--first-device" },
        { { "--resume" }, "--resume needs --csv" },
        { { "--csv", "x.csv", "--resume", "--overwrite" }, "not both" },
        { { "--devices", "2", "--param", "dev_seed=3" }, "dev_seed" },
        { { "extra" }, "unexpected argument 'extra'" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        tool_result r;
        mc_tool(bad[k].args, &r);
        ck_assert_msg(r.code == 2, "%s ...: exit %d, wanted 2; stderr: %s", bad[k].args[0],
                      r.code, r.err);
        ck_assert_msg(strstr(r.err, bad[k].says), "%s ...: stderr does not say '%s': %s",
                      bad[k].args[0], bad[k].says, r.err);
        ck_assert_msg(strstr(r.err, "dwmtj mc --help"), "no hint: %s", r.err);
        ck_assert_str_eq(r.out, "");
        tool_result_free(&r);
    }
}
END_TEST

/* ---- agreement with ngspice ------------------------------------------------- */

/* The events of the nominal proto device on netlists/fig3a.cir (written
 * by A, 15 pulses of 1.4 .. 2.8 V) are those ngspice gives the same
 * circuit: the same key (aneuron in 0 a b) and seed draw the same escapes. */
START_TEST(fig3a_agrees_with_ngspice)
{
    const int cycles = 3;
    mc_events ng, mc;
    mc_ngspice_events("fig3a.cir", 1600e-9, cycles, &ng);
    tool_result r;
    mc_tool(ARGS("--cycles", "3", "--events", spath("ev.csv")), &r);
    ck_exit(r, 0);
    tool_result_free(&r);
    char *text = read_text(spath("ev.csv"));
    mc_tool_events(text, 0.0, cycles, &mc);
    free(text);
    for (int c = 0; c < cycles; c++)
        for (int x = 0; x < MC_NEV; x++)
            ck_assert_msg(!isnan(ng.t[c][x]), "ngspice, cycle %d: event %d missing", c, x);
    mc_assert_agree(&ng, &mc, 1e-9, "fig3a.cir");
}
END_TEST

/* ---- the statistics from the events ------------------------------------------ */

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The 50 % amplitudes of each device and their mean, sd and quantiles,
 * recomputed here from the --events rows of the same run. */
START_TEST(amplitude_statistics)
{
    const int devices = 4, cycles = 4;
    tool_result r;
    mc_tool(ARGS("--devices", "4", "--cycles", "4", "--events", spath("ev.csv"), "--csv",
                 spath("dev.csv"), "--json"), &r);
    ck_exit(r, 0);
    char *ev = read_text(spath("ev.csv")), *csv = read_text(spath("dev.csv"));
    int n;
    const char *row = rows_of(csv, &n);
    ck_assert_int_eq(n, devices);
    double p50[3][4];
    int m[3] = { 0, 0, 0 };
    for (int dv = 0; dv < devices; dv++, row = next_row(row)) {
        mc_events e;
        mc_tool_events(ev, dv + 1.0, cycles, &e);
        char b[64];
        ck_assert_int_eq(atoi(field(row, 0, b, sizeof b)), dv + 1);
        for (int x = 0; x < 3; x++) {
            /* pulse k of amplitude 1.3 + 0.1 k, from 100 ns into the cycle */
            double f_prev = 0.0, want = NAN;
            const char *cens = NULL;
            int written = 0;
            for (int c = 0; c < cycles; c++)
                written += !isnan(e.t[c][MC_WRITE]);
            for (int k = 1; k <= 15 && isnan(want) && !cens; k++) {
                int by = 0;
                for (int c = 0; c < cycles; c++) {
                    double t = e.t[c][MC_DEPIN + x] - c * 1600e-9;
                    by += !isnan(t) && floor(t / 100e-9) <= k;
                }
                double f = (double)by / written;
                if (f >= 0.5) {
                    if (k == 1)
                        cens = "below";
                    else
                        want = 1.3 + 0.1 * (k - 1) + 0.1 * (0.5 - f_prev) / (f - f_prev);
                }
                f_prev = f;
            }
            if (isnan(want) && !cens)
                cens = "above";
            field(row, 6 + x, b, sizeof b);
            if (cens) {
                ck_assert_str_eq(b, cens);
            } else {
                double got = strtod(b, NULL);
                ck_assert_msg(fabs(got - want) <= 1e-8, "device %d, %d: %s, wanted %.9g", dv + 1,
                              x, b, want);
                p50[x][m[x]++] = got;
            }
        }
    }
    /* the summary of the JSON over the devices */
    static const char *const key[3] = { "depin_50_V", "fire_50_V", "reset_50_V" };
    for (int x = 0; x < 3; x++) {
        qsort(p50[x], (size_t)m[x], sizeof p50[x][0], cmp);
        double s = 0.0, ss = 0.0;
        for (int k = 0; k < m[x]; k++)
            s += p50[x][k];
        double mean = s / m[x];
        for (int k = 0; k < m[x]; k++)
            ss += (p50[x][k] - mean) * (p50[x][k] - mean);
        double h = (m[x] - 1) * 0.95;
        int lo = (int)h;
        double q95 = lo + 1 < m[x] ? p50[x][lo] + (h - lo) * (p50[x][lo + 1] - p50[x][lo])
                                   : p50[x][lo];
        char *obj = json_value(r.out, key[x]);
        char want[128];
        snprintf(want, sizeof want, "\"n\": %d", m[x]);
        ck_assert_msg(strstr(obj, want), "%s: %s", key[x], obj);
        double got_mean = strtod(strstr(obj, "\"mean\": ") + 8, NULL);
        double got_q95 = strtod(strstr(obj, "\"q95\": ") + 7, NULL);
        ck_assert_msg(fabs(got_mean - mean) <= 1e-8, "%s mean %g, wanted %g", key[x], got_mean,
                      mean);
        ck_assert_msg(fabs(got_q95 - q95) <= 1e-8, "%s q95 %g, wanted %g", key[x], got_q95, q95);
        if (m[x] > 1) {
            double sd = sqrt(ss / (m[x] - 1));
            double got_sd = strtod(strstr(obj, "\"sd\": ") + 6, NULL);
            ck_assert_msg(fabs(got_sd - sd) <= 1e-8, "%s sd %g, wanted %g", key[x], got_sd, sd);
        }
        free(obj);
    }
    /* devices differ: the spreads draw different landscapes */
    ck_assert_msg(m[0] >= 2 && p50[0][0] != p50[0][m[0] - 1], "all devices alike");
    free(ev);
    free(csv);
    tool_result_free(&r);
}
END_TEST

/* ---- the write-error rate ---------------------------------------------------------- */

#define K_B 1.380649e-23
#define Q_E 1.602176634e-19

/* A/V: the current from pillar A into the track per volt of the write
 * source, by nodal analysis of the write circuit (1 Ohm switch to A, each
 * pillar 100 kOhm to ground, IN and GND at 0 V, an empty track: both MTJs
 * at R_P). */
static double write_gain(const dwmtj_params *p)
{
    double wd = p->width * p->thick;
    double g0 = wd / (p->rho * p->xa), g1 = wd / (p->rho * (p->xb - p->xa));
    double g2 = wd / (p->rho * (p->length - p->xb)), ga = 1.0 / p->rp_a, gb = 1.0 / p->rp_b;
    /* nodes A, PA, PB, B */
    double G[4][5] = {
        { 1.0 + 1e-5 + ga, -ga, 0.0, 0.0, 1.0 },
        { -ga, ga + g0 + g1, -g1, 0.0, 0.0 },
        { 0.0, -g1, g1 + g2 + gb, -gb, 0.0 },
        { 0.0, 0.0, -gb, gb + 1e-5, 0.0 },
    };
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++) {
            double f = G[j][i] / G[i][i];
            for (int k = i; k < 5; k++)
                G[j][k] -= f * G[i][k];
        }
    double v[4];
    for (int i = 3; i >= 0; i--) {
        double s = G[i][4];
        for (int k = i + 1; k < 4; k++)
            s -= G[i][k] * v[k];
        v[i] = s / G[i][i];
    }
    return ga * (v[0] - v[1]);
}

/* The write-error rate of one pulse of V, width w (edges min(10 ns, w/5))
 * at the ambient temperature, below the critical current:
 * exp(-int f0 exp(-Eb/kT (1 - i(t)/i_c0)) dt), the ramps integrated in
 * closed form. */
static double wer_analytic(const dwmtj_params *p, double V, double w)
{
    double e = fmin(10e-9, w / 5.0), top = w - 2.0 * e;
    double c = write_gain(p) * V / p->i_c0, x = p->eb_wr * Q_E / (K_B * DWMTJ_T_DEFAULT);
    ck_assert_msg(c < 1.0, "above the critical current");
    double e1 = exp(-x * (1.0 - c)), e0 = exp(-x);
    double H = p->f0 * (top * e1 + 2.0 * e * (e1 - e0) / (x * c));
    return exp(-H);
}

/* With the heating off (r_th tiny), the share of failed writes over many
 * pulses is the analytic exp(-H) of each pulse's hazard, within the
 * binomial spread, for two widths. */
START_TEST(wer_matches_hazard)
{
    const long n = 3000;
    tool_result r;
    mc_tool(ARGS("--protocol", "write", "--amplitudes", "2.0", "--widths", "20n,50n",
                 "--attempts", "3000", "--param", "r_th=1e-3", "--csv", spath("w.csv")), &r);
    ck_exit(r, 0);
    tool_result_free(&r);
    dwmtj_params p;
    ck_assert_int_eq(dwmtj_params_set(&p, "proto"), DWMTJ_OK);
    char *csv = read_text(spath("w.csv"));
    int rows;
    const char *row = rows_of(csv, &rows);
    ck_assert_int_eq(rows, 2);
    static const double width[2] = { 20e-9, 50e-9 };
    for (int k = 0; k < 2; k++, row = next_row(row)) {
        char b[64];
        ck_assert_double_eq_tol(strtod(field(row, 1, b, sizeof b), NULL), width[k], 1e-18);
        double fail = strtod(field(row, 3, b, sizeof b), NULL), got = fail / n;
        double want = wer_analytic(&p, 2.0, width[k]);
        double sd = sqrt(want * (1.0 - want) / n);
        ck_assert_msg(want > 0.05 && want < 0.95, "choose a point inside the fall: %g", want);
        ck_assert_msg(fabs(got - want) <= 4.0 * sd, "width %g: WER %g, analytic %g (sd %g)",
                      width[k], got, want, sd);
    }
    free(csv);
}
END_TEST

/* On the nominal proto device the write-error rate falls with amplitude
 * and with width: the same seed gives every point the same draws, so the
 * fall is monotonic, not only on average. */
START_TEST(wer_falls)
{
    tool_result r;
    mc_tool(ARGS("--protocol", "write", "--amplitudes", "1.8,2.0,2.2", "--widths",
                 "10n,20n,50n", "--attempts", "400", "--csv", spath("w.csv"), "--json"), &r);
    ck_exit(r, 0);
    ck_assert_int_eq(json_parse(r.out, NULL, NULL), 0);
    char *csv = read_text(spath("w.csv"));
    int rows;
    const char *row = rows_of(csv, &rows);
    ck_assert_int_eq(rows, 9);
    long f[3][3];
    for (int a = 0; a < 3; a++)
        for (int w = 0; w < 3; w++, row = next_row(row)) {
            char b[64];
            ck_assert_double_eq_tol(strtod(field(row, 0, b, sizeof b), NULL), 1.8 + 0.2 * a,
                                    1e-12);
            f[a][w] = atol(field(row, 3, b, sizeof b));
        }
    for (int a = 0; a < 3; a++)
        for (int w = 0; w < 3; w++) {
            if (a > 0)
                ck_assert_msg(f[a][w] <= f[a - 1][w], "width %d: %ld failures at amplitude %d, "
                              "%ld below", w, f[a][w], a, f[a - 1][w]);
            if (w > 0)
                ck_assert_msg(f[a][w] <= f[a][w - 1], "amplitude %d: %ld failures at width %d, "
                              "%ld narrower", a, f[a][w], w, f[a][w - 1]);
        }
    ck_assert_msg(f[0][0] > 300 && f[2][2] < 40, "no fall: %ld .. %ld of 400", f[0][0], f[2][2]);
    free(csv);
    tool_result_free(&r);
}
END_TEST

/* ---- reproducibility and the results file ---------------------------------------------- */

START_TEST(same_seeds_same_bytes)
{
    const char *const args[] = { "--devices", "3", "--cycles", "2", "--json", "--csv",
                                 NULL, "--events", NULL, NULL };
    char *out[2], *csv[2], *ev[2];
    for (int k = 0; k < 2; k++) {
        const char *a[10];
        memcpy(a, args, sizeof a);
        a[6] = spath(k ? "b.csv" : "a.csv");
        a[8] = spath(k ? "b.ev" : "a.ev");
        tool_result r;
        mc_tool(a, &r);
        ck_exit(r, 0);
        out[k] = strdup(r.out);
        tool_result_free(&r);
        csv[k] = read_text(spath(k ? "b.csv" : "a.csv"));
        ev[k] = read_text(spath(k ? "b.ev" : "a.ev"));
    }
    ck_assert_int_eq(json_parse(out[0], NULL, NULL), 0);
    ck_assert_str_eq(out[0], out[1]);
    ck_assert_str_eq(csv[0], csv[1]);
    ck_assert_str_eq(ev[0], ev[1]);
    /* another noise seed draws other escapes */
    tool_result r;
    mc_tool(ARGS("--devices", "3", "--cycles", "2", "--json", "--seed", "2", "--events",
                 spath("c.ev")), &r);
    ck_exit(r, 0);
    char *ev2 = read_text(spath("c.ev"));
    ck_assert_str_ne(ev[0], ev2);
    free(ev2);
    tool_result_free(&r);
    for (int k = 0; k < 2; k++) {
        free(out[k]);
        free(csv[k]);
        free(ev[k]);
    }
}
END_TEST

/* A run stopped while writing its rows resumes to the same file and the
 * same report, byte for byte; a file of other options is refused and kept;
 * a file with rows is not replaced unasked. */
START_TEST(resume)
{
    tool_result r;
    mc_tool(ARGS("--devices", "4", "--cycles", "2", "--json", "--csv", spath("full.csv")), &r);
    ck_exit(r, 0);
    char *full_out = strdup(r.out);
    tool_result_free(&r);
    char *full = read_text(spath("full.csv"));
    /* the config line, the header, two rows and a third cut short */
    const char *p = full;
    for (int k = 0; k < 4; k++)
        p = strchr(p, '\n') + 1;
    size_t cut = (size_t)(p - full) + 5;
    char *part = strndup(full, cut);
    write_text(spath("part.csv"), part);
    mc_tool(ARGS("--devices", "4", "--cycles", "2", "--json", "--csv", spath("part.csv")), &r);
    ck_exit(r, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "--resume"));
    tool_result_free(&r);
    char *now = read_text(spath("part.csv"));
    ck_assert_str_eq(now, part);
    free(now);
    mc_tool(ARGS("--devices", "4", "--cycles", "3", "--resume", "--csv", spath("part.csv")), &r);
    ck_exit(r, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "another run"));
    tool_result_free(&r);
    now = read_text(spath("part.csv"));
    ck_assert_str_eq(now, part);
    free(now);
    mc_tool(ARGS("--devices", "4", "--cycles", "2", "--json", "--resume", "--csv",
                 spath("part.csv")), &r);
    ck_exit(r, 0);
    ck_assert_ptr_nonnull(strstr(r.err, "incomplete"));
    ck_assert_str_eq(r.out, full_out);
    tool_result_free(&r);
    now = read_text(spath("part.csv"));
    ck_assert_str_eq(now, full);
    free(now);
    /* a row twice */
    char *twice = malloc(strlen(full) + 200);
    const char *r1 = strchr(strchr(full, '\n') + 1, '\n') + 1;
    size_t head = (size_t)(r1 - full), len1 = strcspn(r1, "\n") + 1;
    memcpy(twice, full, head + len1);
    memcpy(twice + head + len1, r1, len1);
    twice[head + 2 * len1] = '\0';
    write_text(spath("twice.csv"), twice);
    mc_tool(ARGS("--devices", "4", "--cycles", "2", "--resume", "--csv", spath("twice.csv")), &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, "twice.csv:4") && strstr(r.err, "same device"), "%s", r.err);
    tool_result_free(&r);
    free(twice);
    free(part);
    free(full);
    free(full_out);
}
END_TEST

/* ---- warnings and errors of libdwmtj ---------------------------------------------------- */

/* A device whose draw is no device stops the run naming its dev_seed; the
 * rows of the devices before it stay in the results file. */
START_TEST(drawn_device)
{
    dwmtj_params p;
    dwmtj_params_set(&p, "proto");
    dwmtj_set_ambient(&p, DWMTJ_T_DEFAULT);
    p.var_jc = p.var_r = p.var_tmr = p.var_rho = 0.24;
    dwmtj_derived d;
    double bad = 0.0;
    for (double s = 2.0; s < 1e6 && bad == 0.0; s++) {
        p.dev_seed = s;
        if (dwmtj_derive(&p, &d) == DWMTJ_ERR_DRAWN)
            bad = s;
    }
    ck_assert_msg(bad > 0.0, "no dev_seed below 1e6 draws no device");
    p.dev_seed = bad - 1.0;
    ck_assert_int_ge(dwmtj_derive(&p, &d), 0);
    char first[32];
    snprintf(first, sizeof first, "%.0f", bad - 1.0);
    tool_result r;
    mc_tool(ARGS("--devices", "2", "--first-device", first, "--cycles", "1", "--param",
                 "var_jc=0.24", "--param", "var_r=0.24", "--param", "var_tmr=0.24", "--param",
                 "var_rho=0.24", "--csv", spath("d.csv")), &r);
    ck_exit(r, 1);
    char want[64];
    snprintf(want, sizeof want, "dev_seed %.0f: ", bad);
    ck_assert_msg(strstr(r.err, want) && strstr(r.err, dwmtj_status_string(DWMTJ_ERR_DRAWN)),
                  "%s", r.err);
    ck_assert_str_eq(r.out, "");
    tool_result_free(&r);
    char *csv = read_text(spath("d.csv"));
    int rows;
    const char *row = rows_of(csv, &rows);
    ck_assert_int_eq(rows, 1);
    ck_assert_int_eq(strncmp(row, first, strlen(first)), 0);
    free(csv);
}
END_TEST

/* A write beyond the barrier's breakdown voltage leaves the safe operating
 * area: said on stderr per point, counted in the JSON, the run completes. */
START_TEST(soa_reported)
{
    tool_result r;
    mc_tool(ARGS("--protocol", "write", "--amplitudes", "4", "--widths", "50n", "--attempts",
                 "3", "--json"), &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.err, "write 4 V, 50 ns: left its safe operating area "), "%s", r.err);
    double v;
    ck_assert_int_eq(json_num(r.out, "soa_devices", &v), 1);
    ck_assert_double_eq(v, 1.0);
    /* each pulse takes the barrier past v_bd (4 V on 1.3 kOhm, 3.3 V on R_P) */
    char *soa = json_value(r.out, "soa");
    ck_assert_msg(strtod(soa, NULL) >= 3.0, "soa %s", soa);
    free(soa);
    char *w = json_value(r.out, "warnings");
    ck_assert_ptr_nonnull(strstr(w, "safe operating area"));
    free(w);
    tool_result_free(&r);
}
END_TEST

/* A parameter outside a physical device's range is said, and the run goes on. */
START_TEST(range_warning)
{
    tool_result r;
    mc_tool(ARGS("--cycles", "1", "--param", "f0=1e13", "--json"), &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.err, "warning: parameter f0 = 1e+13 Hz: outside"), "%s", r.err);
    char *w = json_value(r.out, "warnings");
    ck_assert_ptr_nonnull(strstr(w, "f0"));
    free(w);
    tool_result_free(&r);
}
END_TEST

static Suite *mc_suite(void)
{
    Suite *s = suite_create("mc");
    TCase *tc = tcase_create("options");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, help);
    tcase_add_test(tc, usage_errors);
    suite_add_tcase(s, tc);
    tc = tcase_create("ngspice");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, fig3a_agrees_with_ngspice);
    suite_add_tcase(s, tc);
    tc = tcase_create("results");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, amplitude_statistics);
    tcase_add_test(tc, wer_matches_hazard);
    tcase_add_test(tc, wer_falls);
    tcase_add_test(tc, same_seeds_same_bytes);
    tcase_add_test(tc, resume);
    suite_add_tcase(s, tc);
    tc = tcase_create("warnings");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, drawn_device);
    tcase_add_test(tc, soa_reported);
    tcase_add_test(tc, range_warning);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    const char *need[] = { "DWMTJ_TOOL", "DWMTJ_SRCDIR", "DWMTJ_CM" };
    for (int k = 0; k < 3; k++)
        if (!getenv(need[k]) || !*getenv(need[k])) {
            fprintf(stderr, "check_mc: %s is not set (make check sets it)\n", need[k]);
            return EXIT_FAILURE;
        }
    SRunner *sr = srunner_create(mc_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
