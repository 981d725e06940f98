/* Tests of the dwmtj command-line tool, run as a subprocess.
 *
 * Environment: DWMTJ_TOOL, the built tool (default ./tools/dwmtj);
 * DWMTJ_SRCDIR, the source tree with netlists/ (required); DWMTJ_CM, the
 * built dwmtj.cm, which the tool reads from the environment.  `make check'
 * sets all three.
 *
 * The JSON the tool prints is checked with a small strict parser
 * (tests/toolrun.c); numbers are compared with the paper's figures as the
 * figure checker measures them (Fig. 3a: one spike, 1296.6 pJ, about
 * 1.11 us from the first pulse to the fire). */
#define _XOPEN_SOURCE 700

#include "testutil.h"
#include "toolrun.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *tool;     /* absolute path of the tool */
static char *srcdir;   /* absolute path of the source tree */
static char scratch[1024]; /* scratch directory of this run */

/* ------------------------------------------------------------------------
 * Running the tool (tests/toolrun.c)
 * --------------------------------------------------------------------- */

typedef tool_result cli_result;
typedef tool_opts cli_opts;
#define cli_free tool_result_free

static double now(void)
{
    return tool_now();
}

/* Runs the tool with args (NULL-terminated, without argv[0]). */
static void cli_run_opts(const char *const *args, const cli_opts *o, cli_result *r)
{
    int nargs = 0;
    while (args[nargs])
        nargs++;
    const char **argv = calloc((size_t)nargs + 2, sizeof *argv);
    ck_assert_ptr_nonnull(argv);
    argv[0] = tool;
    for (int k = 0; k < nargs; k++)
        argv[k + 1] = args[k];
    tool_exec(argv, o, r);
    free(argv);
}

static void cli_run(const char *const *args, cli_result *r)
{
    cli_run_opts(args, NULL, r);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
/* dwmtj infer at the paper's 200 uA clamp, which is outside the device's
 * safe operating area (infer_soa tests the stop itself) */
#define INFER "infer", "--allow-unsafe"

/* Asserts the exit status and shows what the tool printed if it differs. */
#define ck_exit(r, want)                                                              \
    ck_assert_msg(!(r).timed_out && (r).code == (want),                               \
                  "exit %d (signal %d%s), wanted %d\n--- stdout:\n%.2000s\n--- "      \
                  "stderr:\n%.2000s",                                                 \
                  (r).code, (r).sig, (r).timed_out ? ", timed out" : "", (want),      \
                  (r).out, (r).err)

/* ------------------------------------------------------------------------
 * Files
 * --------------------------------------------------------------------- */

static char *spath(const char *name)
{
    static char p[8][4096];
    static int k;
    k = (k + 1) % 8;
    snprintf(p[k], sizeof p[k], "%s/%s", scratch, name);
    return p[k];
}

static char *netlist(const char *name)
{
    static char p[4096];
    snprintf(p, sizeof p, "%s/netlists/%s", srcdir, name);
    return p;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static int count_str(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* ------------------------------------------------------------------------
 * Decks
 * --------------------------------------------------------------------- */

/* A short write-integrate-fire-reset cycle (as tests/check_codemodel.c)
 * of the paper's model (its write: -3.1 V at A, set proto-paper): %s is
 * the model type and its parameters. */
static const char cycle_fmt[] =
    "* dwmtj cli test deck\n"
    "Vw wsrc 0 PULSE(0 -3.1 10n 10n 10n 30n 1u)\n"
    "Vsw ctl 0 PULSE(0 1 5n 1n 1n 58n 1u)\n"
    "Sw a wsrc ctl 0 wsw\n"
    ".model wsw sw(vt=0.5 vh=0.1 ron=1 roff=1e12)\n"
    "Rsa a 0 100k\n"
    "Rsb b 0 100k\n"
    "Vamp amp 0 PWL(0 0 99.9n 0 100n 2.1 199.9n 2.1 200n 2.2 299.9n 2.2\n"
    "+ 300n 2.3 399.9n 2.3 400n 2.4 499.9n 2.4 500n 2.5 599.9n 2.5\n"
    "+ 600n 2.6 699.9n 2.6 700n 2.7 799.9n 2.7 800n 0)\n"
    "Vshape shape 0 PULSE(0 1 100n 10n 10n 30n 100n)\n"
    "Bin in 0 V = v(amp)*v(shape)\n"
    "aneuron7 in 0 a b NULL neuron\n"
    ".model neuron %s\n"
    ".tran 1n 800n\n"
    ".end\n";

static char *deck(const char *name, const char *model)
{
    char text[4096];
    snprintf(text, sizeof text, cycle_fmt, model);
    char *p = spath(name);
    write_text(p, text);
    return p;
}

/* ------------------------------------------------------------------------
 * info: version, help, usage errors
 * --------------------------------------------------------------------- */

START_TEST(info_version)
{
    cli_result r;
    cli_run(ARGS("--version"), &r);
    ck_exit(r, 0);
    ck_assert_msg(strncmp(r.out, "dwmtj 0.1.0 (ngspice ", 21) == 0, "--version: %s", r.out);
    /* a version number, not "unknown" */
    ck_assert_msg(r.out[21] >= '1' && r.out[21] <= '9', "--version: %s", r.out);
    ck_assert_msg(strchr(r.out, ')') && count_lines(r.out) == 1, "--version: %s", r.out);
    cli_free(&r);
}
END_TEST

START_TEST(info_help)
{
    static const char *const forms[][3] = {
        {"--help", NULL, NULL}, {"-h", NULL, NULL}, {"help", NULL, NULL}};
    for (int k = 0; k < 3; k++) {
        cli_result r;
        cli_run(forms[k], &r);
        ck_exit(r, 0);
        ck_assert_msg(strstr(r.out, "usage: dwmtj") && strstr(r.out, "run") &&
                          strstr(r.out, "array") && strstr(r.out, "exit status"),
                      "%s: %s", forms[k][0], r.out);
        cli_free(&r);
    }
}
END_TEST

static const char *const subs[] = {"run", "array", "train", "infer", "bench", "check"};

START_TEST(info_sub_help)
{
    cli_result r;
    cli_run(ARGS(subs[_i], "--help"), &r);
    ck_exit(r, 0);
    char want[64];
    snprintf(want, sizeof want, "usage: dwmtj %s", subs[_i]);
    ck_assert_msg(strstr(r.out, want) && (_i >= 2 || (strstr(r.out, "--json") &&
                                                      strstr(r.out, "--csv"))),
                  "%s --help: %s", subs[_i], r.out);
    ck_assert_msg(strstr(r.out, "exit status"), "%s --help: no exit status", subs[_i]);
    cli_free(&r);
    cli_run(ARGS("help", subs[_i]), &r);
    ck_exit(r, 0);
    ck_assert_ptr_nonnull(strstr(r.out, want));
    cli_free(&r);
}
END_TEST

START_TEST(info_unknown)
{
    static const char *const bad[][5] = {
        {"frobnicate", NULL, NULL, NULL},      /* unknown subcommand */
        {"--frobnicate", NULL, NULL, NULL},    /* unknown option */
        {"run", "--frobnicate", "x.cir", NULL},
        {"run", NULL, NULL, NULL},             /* no netlist */
        {"run", "a.cir", "b.cir", NULL},       /* two netlists */
        {"run", "x.cir", "--csv", NULL},       /* option without its value */
        {"run", "x.cir", "--timeout", "soon"}, /* not a number */
        {"array", "--rows", "0", NULL},        /* not a count */
        {"array", "--gmax", "big", NULL},
        {"array", "--frobnicate", NULL, NULL},
        {"help", "frobnicate", NULL, NULL},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        cli_result r;
        cli_run(bad[k], &r);
        ck_assert_msg(r.code == 2, "dwmtj %s %s %s %s: exit %d, wanted 2; stderr: %s",
                      bad[k][0], bad[k][1] ? bad[k][1] : "", bad[k][2] ? bad[k][2] : "",
                      bad[k][3] ? bad[k][3] : "", r.code, r.err);
        ck_assert_msg(strstr(r.err, "dwmtj"), "no message on stderr for %s", bad[k][0]);
        ck_assert_str_eq(r.out, "");
        cli_free(&r);
    }
    cli_result r;
    cli_run(ARGS("--bogus"), &r);
    ck_exit(r, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "--bogus"));
    cli_free(&r);
}
END_TEST

/* ------------------------------------------------------------------------
 * run: the paper's netlists
 * --------------------------------------------------------------------- */

START_TEST(run_fig3a_json)
{
    cli_result r;
    cli_run(ARGS("run", netlist("fig3a.cir"), "--json"), &r);
    ck_exit(r, 0);
    double v;
    ck_assert_int_eq(json_num(r.out, "spikes", &v), 1);
    ck_assert_msg(v == 1, "spikes = %g, wanted 1", v);
    ck_assert_int_eq(json_num(r.out, "energy_per_spike_J", &v), 1);
    /* the thermal proto's 2.19 nJ (the +3.1 V write through its 840 ohm
     * pillar and the ramp's pulses through the track); the independent
     * check is V*I below */
    ck_assert_msg(v > 1.5e-9 && v < 3e-9, "energy_per_spike_J = %g, wanted 2.19e-9", v);
    ck_assert_int_eq(json_num(r.out, "latency_per_spike_s", &v), 1);
    ck_assert_msg(fabs(v - 1.11e-6) < 0.05e-6, "latency_per_spike_s = %g, wanted 1.11e-6", v);
    static const char *const keys[] = {
        "energy_per_spike_vi_J", "circuit_energy_per_spike_J", "reset_latency_s",
        "energy_by_phase_J", "neurons", "ngspice_version", "netlist"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        const char *val = NULL;
        ck_assert_int_eq(json_parse(r.out, keys[k], &val), 0);
        ck_assert_msg(val != NULL, "no key %s", keys[k]);
    }
    /* model and V*I energies agree; the sources deliver at least as much */
    double e, evi, ec;
    json_num(r.out, "energy_per_spike_J", &e);
    ck_assert_int_eq(json_num(r.out, "energy_per_spike_vi_J", &evi), 1);
    ck_assert_msg(fabs(evi - e) < 0.05 * e, "model %g J, V*I %g J", e, evi);
    ck_assert_int_eq(json_num(r.out, "circuit_energy_per_spike_J", &ec), 1);
    ck_assert_msg(ec > 0.9 * e, "circuit %g J < device %g J", ec, e);
    ck_assert_ptr_nonnull(strstr(r.out, "\"aneuron\""));
    ck_assert_ptr_nonnull(strstr(r.out, "\"t_fire_s\""));
    /* not a terminal: no progress line */
    ck_assert_ptr_null(strstr(r.err, "run:"));
    cli_free(&r);
}
END_TEST

START_TEST(run_fig3a_text)
{
    cli_result r;
    cli_run(ARGS("run", netlist("fig3a.cir")), &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.out, "aneuron") && strstr(r.out, "energy per spike") &&
                      strstr(r.out, "latency") && strstr(r.out, "pJ"),
                  "text report:\n%s", r.out);
    /* the model's energy per spike, in pJ, as in the JSON test */
    const char *line = strstr(r.out, "energy per spike (model)");
    ck_assert_ptr_nonnull(line);
    double pj = strtod(line + strlen("energy per spike (model)"), NULL);
    ck_assert_msg(pj > 1500 && pj < 3000, "energy per spike %g pJ:\n%s", pj, r.out);
    ck_assert_ptr_null(strstr(r.out, "{"));
    cli_free(&r);
}
END_TEST

/* Fig. 3d, 100 cycles: JSON and the CSV of the same run. */
START_TEST(run_fig3d_csv)
{
    char *csv = spath("fig3d.csv");
    char part[4200];
    snprintf(part, sizeof part, "%s.part", csv);
    cli_result r;
    cli_opts o = {.timeout = 300};
    cli_run_opts(ARGS("run", netlist("fig3d.cir"), "--json", "--csv", csv), &o, &r);
    ck_exit(r, 0);
    double v;
    ck_assert_int_eq(json_num(r.out, "spikes", &v), 1);
    ck_assert_msg(v == 100, "fig3d: spikes = %g, wanted 100", v);
    ck_assert_msg(!exists(part), "%s remains", part);
    char *text = read_text(csv);
    ck_assert_msg(text != NULL, "no %s", csv);
    ck_assert_int_eq(count_lines(text), 1 + 100);
    ck_assert_msg(strncmp(text, "neuron,t_write_s,t_first_s,t_fire_s,t_reset_s,latency_s", 55) == 0,
                  "header: %.200s", text);
    ck_assert_int_eq(count_str(text, "\naneuron,"), 100);
    /* every row has the header's number of fields */
    int fields = 1;
    for (const char *c = text; *c && *c != '\n'; c++)
        fields += *c == ',';
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save))
        ck_assert_int_eq(1 + count_str(line, ","), fields);
    free(text);
    cli_free(&r);
}
END_TEST

/* --csv writes each row as its spike completes: while fig3d runs (about
 * 5 s, 100 spikes), FILE.part gains rows; at the end FILE has all 100 and
 * no .part remains. */
START_TEST(run_fig3d_csv_streams)
{
    char *csv = spath("streamed.csv");
    char part[4200];
    snprintf(part, sizeof part, "%s.part", csv);
    const char *argv[] = { tool, "run", netlist("fig3d.cir"), "--csv", csv, NULL };
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int nul = open("/dev/null", O_RDWR);
        if (nul >= 0) {
            dup2(nul, STDIN_FILENO);
            dup2(nul, STDOUT_FILENO);
            dup2(nul, STDERR_FILENO);
        }
        execv(tool, (char *const *)argv);
        _exit(127);
    }
    /* rows seen in the .part file while the tool still ran, and how
     * often the count changed */
    int seen_min = -1, seen_max = -1, changes = 0, st = 0;
    double t0 = now();
    for (;;) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid)
            break;
        ck_assert_int_eq(w, 0);
        char *text = read_text(part);
        if (text) {
            int rows = count_lines(text) - 1; /* without the header */
            if (rows >= 0) {
                if (rows != seen_max && seen_max >= 0)
                    changes++;
                if (seen_min < 0 && rows > 0)
                    seen_min = rows;
                if (rows > seen_max)
                    seen_max = rows;
            }
            free(text);
        }
        if (now() - t0 > 120.0) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            ck_abort_msg("fig3d did not finish in 120 s");
        }
        nanosleep(&(struct timespec){ 0, 20000000 }, NULL); /* 20 ms */
    }
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit status %d", st);
    ck_assert_msg(seen_min > 0 && seen_min < 50,
                  "first rows seen during the run: %d (none or not early)", seen_min);
    ck_assert_msg(changes >= 3, "the .part file grew only %d times during the run (to %d rows)",
                  changes, seen_max);
    ck_assert_msg(!exists(part), "%s remains", part);
    char *text = read_text(csv);
    ck_assert_msg(text != NULL, "no %s", csv);
    ck_assert_int_eq(count_lines(text), 1 + 100);
    ck_assert_int_eq(count_str(text, "\naneuron,"), 100);
    /* in time order */
    double last = -1.0;
    const char *line = strchr(text, '\n');
    for (int k = 0; k < 100 && line; k++) {
        double tw, tf1, tfire;
        ck_assert_int_eq(sscanf(line + 1, "aneuron,%lg,%lg,%lg", &tw, &tf1, &tfire), 3);
        ck_assert(tfire > last);
        last = tfire;
        line = strchr(line + 1, '\n');
    }
    free(text);
}
END_TEST

/* ------------------------------------------------------------------------
 * errors: the message names the file and line or the instance
 * --------------------------------------------------------------------- */

START_TEST(err_missing_file)
{
    char *p = spath("no-such-netlist.cir");
    cli_result r;
    cli_run(ARGS("run", p), &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, "no-such-netlist.cir"), "message: %s", r.err);
    ck_assert_str_eq(r.out, "");
    cli_free(&r);
}
END_TEST

START_TEST(err_syntax)
{
    /* line 4: the monitor vector of the instance is never closed */
    char *p = spath("syntax.cir");
    write_text(p, "* syntax error on line 4\n"
                  "V1 in 0 PULSE(0 2 10n 1n 1n 50n 100n)\n"
                  "* the neuron\n"
                  "aneuron in 0 a b [x ra rb neuron\n"
                  ".model neuron dwmtj4t(set=\"proto\")\n"
                  "Rsa a 0 100k\n"
                  "Rsb b 0 100k\n"
                  ".tran 1n 100n\n"
                  ".end\n");
    cli_result r;
    cli_run(ARGS("run", p), &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, "syntax.cir:4") || (strstr(r.err, "syntax.cir") &&
                                                    strstr(r.err, "line 4")),
                  "message lacks file and line 4: %s", r.err);
    ck_assert_str_eq(r.out, "");
    cli_free(&r);
}
END_TEST

START_TEST(err_unknown_model)
{
    char *p = deck("unknown_model.cir", "dwmtj4x(set=\"proto\")");
    cli_result r;
    cli_run(ARGS("run", p), &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, "dwmtj4x") || strstr(r.err, "neuron"),
                  "message names neither the model nor its type: %s", r.err);
    cli_free(&r);
}
END_TEST

START_TEST(err_bad_param)
{
    /* rap_a = 100: below R_P in every set */
    char *p = deck("bad_param.cir", "dwmtj4t(set=\"proto\" rap_a=100)");
    cli_result r;
    cli_run(ARGS("run", p, "--json"), &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, "aneuron7") && strstr(r.err, "rap_a"),
                  "message does not name instance and parameter: %s", r.err);
    cli_free(&r);
}
END_TEST

/* A device warning does not fail the run, and is not dropped (issue 11,
 * item 9/15): noise slots below 1 ps are slow, and the user is told, on
 * stderr with the instance and the line, and in the JSON.  The paper's
 * model (proto-paper), whose noise this is; its -3.1 V write is the
 * deck's. */
START_TEST(run_warns)
{
    char *p = deck("warns.cir", "dwmtj4t(set=\"proto-paper\" sigma=0.3 t_slot=0.5p)");
    cli_result r;
    cli_run(ARGS("run", p, "--json"), &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.err, "warning:") && strstr(r.err, "warns.cir:13: instance aneuron7") &&
                      strstr(r.err, "t_slot"),
                  "stderr: %s", r.err);
    const char *w = NULL;
    ck_assert_int_eq(json_parse(r.out, "warnings", &w), 0);
    ck_assert_msg(w[0] == '[' && strstr(w, "t_slot"), "warnings: %.200s", w);
    cli_free(&r);
}
END_TEST

/* The safe operating area reaches the user: a 1 ns pulse of 5 V across
 * the proto track drives 3.6e12 A/m^2 through it, above j_max = 3e12
 * A/m^2.  The run succeeds; the code model's warning comes on stderr with
 * the instance's file and line, and in the JSON. */
START_TEST(run_soa_warns)
{
    char *p = spath("soa.cir");
    write_text(p, "* dwmtj cli test: past the current limit\n"
                  "Vin in 0 PWL(0 0 10n 0 10.1n 5 11.1n 5 11.2n 0)\n"
                  "Rsa a 0 100k\n"
                  "Rsb b 0 100k\n"
                  "aneuron7 in 0 a b NULL neuron\n"
                  ".model neuron dwmtj4t(set=\"proto\")\n"
                  ".tran 0.05n 30n\n"
                  ".end\n");
    cli_result r;
    cli_run(ARGS("run", p, "--json"), &r);
    ck_exit(r, 0);
    const char *why = "the device left its safe operating area: track current density ";
    const char *w = strstr(r.err, "soa.cir:5: instance aneuron7");
    ck_assert_msg(w && strstr(r.err, "warning:") && strstr(w, why) &&
                      strstr(w, "above its limit 3e+12 A/m^2 at t = ") &&
                      count_str(r.err, why) == 1,
                  "stderr: %s", r.err);
    const char *j = NULL;
    ck_assert_int_eq(json_parse(r.out, "warnings", &j), 0);
    ck_assert_msg(j[0] == '[' && strstr(j, why) && strstr(j, "aneuron7"), "warnings: %.400s", j);
    cli_free(&r);
}
END_TEST

START_TEST(err_timeout)
{
    cli_result r;
    cli_run(ARGS("run", netlist("fig3d.cir"), "--timeout", "0.01"), &r);
    ck_exit(r, 1);
    ck_assert_msg(strlen(r.err) > 0, "no message");
    cli_free(&r);
}
END_TEST

/* ------------------------------------------------------------------------
 * outputs: whole or not at all
 * --------------------------------------------------------------------- */

START_TEST(out_csv_unwritable)
{
    cli_result r;
    cli_run(ARGS("run", netlist("fig3a.cir"), "--csv", "/nonexistent/x.csv"), &r);
    ck_exit(r, 3);
    ck_assert_msg(strstr(r.err, "/nonexistent/x.csv"), "message: %s", r.err);
    ck_assert(!exists("/nonexistent/x.csv"));
    ck_assert(!exists("/nonexistent/x.csv.part"));
    cli_free(&r);
}
END_TEST

/* A failed simulation leaves no CSV, complete or partial. */
START_TEST(out_csv_failed_run)
{
    char *p = deck("bad_param2.cir", "dwmtj4t(set=\"proto\" rap_a=100)");
    char *csv = spath("failed.csv");
    char part[4200];
    snprintf(part, sizeof part, "%s.part", csv);
    cli_result r;
    cli_run(ARGS("run", p, "--csv", csv), &r);
    ck_exit(r, 1);
    ck_assert(!exists(csv));
    ck_assert(!exists(part));
    cli_free(&r);
}
END_TEST

/* SIGTERM during the run removes the partial CSV. */
START_TEST(out_csv_interrupted)
{
    char *csv = spath("interrupted.csv");
    char part[4200];
    snprintf(part, sizeof part, "%s.part", csv);
    cli_result r;
    cli_opts o = {.term_when = part, .timeout = 120};
    cli_run_opts(ARGS("run", netlist("fig3d.cir"), "--csv", csv), &o, &r);
    ck_assert_msg(r.sig == SIGTERM, "exit %d signal %d", r.code, r.sig);
    ck_assert(!exists(csv));
    ck_assert(!exists(part));
    cli_free(&r);
}
END_TEST

START_TEST(out_stdout_full)
{
    if (!exists("/dev/full"))
        return;
    cli_result r;
    cli_opts o = {.out_path = "/dev/full"};
    cli_run_opts(ARGS("run", netlist("fig3a.cir"), "--json"), &o, &r);
    ck_exit(r, 3);
    cli_free(&r);
}
END_TEST

static int have_gnuplot(void)
{
    return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

START_TEST(out_plot)
{
    if (!have_gnuplot())
        return;
    char *png = spath("fig3a.png");
    char part[4200];
    snprintf(part, sizeof part, "%s.part", png);
    cli_result r;
    cli_run(ARGS("run", netlist("fig3a.cir"), "--plot", png), &r);
    ck_exit(r, 0);
    char *data = read_text(png);
    ck_assert_msg(data && memcmp(data, "\x89PNG", 4) == 0, "%s is not a PNG", png);
    free(data);
    ck_assert(!exists(part));
    cli_free(&r);
}
END_TEST

START_TEST(out_plot_no_gnuplot)
{
    char *png = spath("nognuplot.png");
    char *csv = spath("nognuplot.csv");
    char part[4200];
    snprintf(part, sizeof part, "%s.part", png);
    cli_result r;
    cli_opts o = {.env = (const char *const[]){"PATH=/nonexistent", NULL}};
    cli_run_opts(ARGS("run", netlist("fig3a.cir"), "--plot", png, "--csv", csv), &o, &r);
    ck_exit(r, 3);
    ck_assert_msg(strstr(r.err, "gnuplot"), "message: %s", r.err);
    ck_assert(!exists(png));
    ck_assert(!exists(part));
    ck_assert(!exists(csv));
    cli_free(&r);
}
END_TEST

/* Names in the JSON are escaped. */
START_TEST(out_json_escaping)
{
    char *src = read_text(netlist("fig3a.cir"));
    ck_assert_ptr_nonnull(src);
    char *p = spath("we\"ird\\name\t.cir");
    write_text(p, src);
    free(src);
    cli_result r;
    cli_run(ARGS("run", p, "--json"), &r);
    ck_exit(r, 0);
    ck_assert_int_eq(json_parse(r.out, "netlist", NULL), 0);
    ck_assert_msg(strstr(r.out, "we\\\"ird\\\\name\\t.cir\""), "netlist: %.300s", r.out);
    cli_free(&r);
}
END_TEST

/* ------------------------------------------------------------------------
 * array
 * --------------------------------------------------------------------- */

START_TEST(array_json)
{
    char *deckout = spath("array.cir");
    cli_result r;
    cli_opts o = {.timeout = 300};
    cli_run_opts(ARGS("array", "--rows", "4", "--cols", "2", "--json", "--netlist-out",
                      deckout),
                 &o, &r);
    ck_exit(r, 0);
    double v, spikes;
    ck_assert_int_eq(json_num(r.out, "spikes", &spikes), 1);
    ck_assert_int_eq(json_num(r.out, "rows", &v), 1);
    ck_assert(v == 4);
    ck_assert_int_eq(json_num(r.out, "cols", &v), 1);
    ck_assert(v == 2);
    int has = json_num(r.out, "energy_per_spike_J", &v);
    if (spikes > 0)
        ck_assert_msg(has && v > 0, "%g spikes, energy_per_spike_J %g", spikes, v);
    else
        ck_assert_msg(!has, "no spikes, but energy_per_spike_J = %g", v);
    const char *val;
    ck_assert_int_eq(json_parse(r.out, "firing_rate_per_neuron_Hz", &val), 0);
    ck_assert_ptr_nonnull(val);
    ck_assert_int_eq(json_parse(r.out, "circuit_energy_per_spike_J", &val), 0);
    ck_assert_ptr_nonnull(val);
    ck_assert_int_eq(count_str(r.out, "\"name\""), 2);
    /* the deck written is the deck run: a netlist with two dwmtj4t neurons */
    char *text = read_text(deckout);
    ck_assert_msg(text != NULL, "no %s", deckout);
    ck_assert_int_ge(count_str(text, "dwmtj4t"), 1);
    free(text);
    cli_free(&r);
}
END_TEST

START_TEST(array_text)
{
    cli_result r;
    cli_opts o = {.timeout = 300};
    cli_run_opts(ARGS("array", "--rows", "2", "--cols", "1", "--tstop", "2u"), &o, &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.out, "energy per spike") && strstr(r.out, "firing rate"),
                  "%s", r.out);
    cli_free(&r);
}
END_TEST

/* --arm: the writes of a 16 x 2 array at full drive, by each neuron's own
 * reset (the default) and by the shared clock.  One write into an empty
 * track costs the device at most v_write i1 t_write = 1.2 V x 120 uA x
 * 1.5 ns = 0.216 pJ (i1 = 1.2 V / (2k + 8k Ohm), doc/crossbar.md), so with
 * resets the device's write energy per spike is at most that, times
 * (1 + 1/spikes) for the initial write; the clock writes every 10 ns
 * whatever the track holds, each pulse through MTJ_A at R_P costing at
 * least i1^2 (2k + 8k) t_write = 0.216 pJ, and a cycle here lasts more
 * than 30 ns: at least 3 pulses per spike. */
START_TEST(array_arm)
{
    double w[2], sp[2];
    for (int k = 0; k < 2; k++) {
        cli_result r;
        cli_opts o = {.timeout = 300};
        cli_run_opts(ARGS("array", "--rows", "16", "--cols", "2", "--drive", "1", "--tstop",
                          "300n", "--json", "--arm", k ? "clock" : "reset"),
                     &o, &r);
        ck_exit(r, 0);
        char *arm = json_value(r.out, "arm");
        ck_assert_str_eq(arm, k ? "\"clock\"" : "\"reset\"");
        free(arm);
        ck_assert_int_eq(json_num(r.out, "spikes", &sp[k]), 1);
        ck_assert_msg(sp[k] >= 2, "--arm %s: %g spikes", k ? "clock" : "reset", sp[k]);
        char *wv = json_value(r.out, "write");
        w[k] = strtod(wv, NULL);
        free(wv);
        cli_free(&r);
    }
    double e_hi = 1.2 * (1.2 / 10e3) * 1.5e-9;
    ck_assert_msg(w[0] > 0 && w[0] <= (1.0 + 1.0 / sp[0]) * e_hi * 1.01,
                  "reset: %g J of writes per spike, above (1 + 1/%g) x %g J", w[0], sp[0], e_hi);
    ck_assert_msg(w[1] >= 3 * e_hi, "clock: %g J of writes per spike, below 3 x %g J", w[1],
                  e_hi);
}
END_TEST

/* The reset periphery where a domain backs out of MTJ_B: in the 64 x 16
 * array of seed 1, neuron 7's domain reaches R_B's midpoint under a
 * positive drive and leaves it backwards under a negative one (-4.3 uA),
 * so spk falls slowly through its threshold and the clear's 100 uA pushes
 * the domain back under B.  With the comparator unblanked, comparator
 * and clear one-shot flipped each other at one time point and ngspice
 * stopped ("timestep too small ... sow7"; seed 3: sow13).  Each run ends,
 * and each neuron writes once at the start and once per own reset: the
 * device's write energy per spike is at most (1 + N/spikes) x v_write i1
 * t_write (as array_arm). */
START_TEST(array_backs_out)
{
    static const char *const seed[2] = { "1", "3" };
    cli_result r;
    cli_opts o = {.timeout = 300};
    cli_run_opts(ARGS("array", "--rows", "64", "--cols", "16", "--seed", seed[_i], "--json"),
                 &o, &r);
    ck_exit(r, 0);
    double sp = 0.0;
    ck_assert_int_eq(json_num(r.out, "spikes", &sp), 1);
    ck_assert_msg(sp >= 16, "seed %s: %g spikes", seed[_i], sp);
    char *wv = json_value(r.out, "write");
    double w = strtod(wv, NULL), e_hi = 1.2 * (1.2 / 10e3) * 1.5e-9;
    free(wv);
    ck_assert_msg(w > 0 && w <= (1.0 + 16.0 / sp) * e_hi * 1.01,
                  "seed %s: %g J of writes per spike, above (1 + 16/%g) x %g J", seed[_i], w, sp,
                  e_hi);
    cli_free(&r);
}
END_TEST

/* ------------------------------------------------------------------------
 * train: a tiny spiking network on Fashion-MNIST (the data set must be
 * installed, or $DWMTJ_FASHION_MNIST set)
 * --------------------------------------------------------------------- */

#define TINY_DATA "--neuron", "lif", "--downsample", "2", "--train-images", "500", \
                  "--test-images", "200"
#define TINY_TRAIN TINY_DATA, "--hidden", "16", "--steps", "10", "--batch", "25", "--lr", "1e-2"

static int is_weights_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char magic[8];
    int ok = fread(magic, 1, 8, f) == 8 && memcmp(magic, "DWMTJNET", 8) == 0;
    fclose(f);
    return ok;
}

START_TEST(train_tiny_lif)
{
    char *out = spath("tiny.net"), *log = spath("tiny.csv");
    /* a new run starts an existing log anew, with its header */
    write_text(log, "epoch,train_loss,test_accuracy,seconds\n7,1.0,0.5,1.0\n");
    cli_result r;
    double t0 = now();
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "2", "--seed", "1", "--out", out, "--log",
                 log),
            &r);
    double secs = now() - t0;
    ck_exit(r, 0);
    ck_assert_msg(is_weights_file(out), "%s: not a dwmtj weights file", out);
    ck_assert_msg(strstr(r.out, "epoch 2/2"), "stdout: %s", r.out);
    char *csv = read_text(log);
    ck_assert_ptr_nonnull(csv);
    ck_assert_int_eq(count_lines(csv), 3);
    ck_assert_msg(strncmp(csv, "epoch,train_loss,test_accuracy,seconds\n", 39) == 0, "%s", csv);
    int e1, e2;
    double l1, a1, s1, l2, a2, s2;
    ck_assert_int_eq(sscanf(csv + 39, "%d,%lf,%lf,%lf\n%d,%lf,%lf,%lf", &e1, &l1, &a1, &s1, &e2,
                            &l2, &a2, &s2),
                     8);
    ck_assert_int_eq(e1, 1);
    ck_assert_int_eq(e2, 2);
    ck_assert_msg(l2 < l1, "loss %g -> %g", l1, l2);
    ck_assert_msg(a2 > 0.30, "test accuracy %g", a2);
    fprintf(stderr, "check_cli: train LIF 196-16-10 T=10, 2 epochs of 500 images: loss %.3f -> "
                    "%.3f, accuracy %.1f %% -> %.1f %% (200 test images), %.2f s\n",
            l1, l2, 100 * a1, 100 * a2, secs);
    free(csv);
    cli_free(&r);
}
END_TEST

/* scripts/fig5d on logs made up here: means, sds and the effects against
 * values worked out by hand; a log with no epoch yet is skipped. */
START_TEST(fig5d_script)
{
    static const char *const logs[][2] = {
        { "lif-s1.csv", "1,1,0.50,1\n7,1,0.80,1\n8,1,0.80,1\n9,1,0.80,1\n10,1,0.80,1\n" },
        { "lif-s2.csv", "7,1,0.82,1\n8,1,0.82,1\n9,1,0.82,1\n10,1,0.82,1\n" },
        { "dwmtj-s1.csv", "7,1,0.76,1\n8,1,0.78,1\n9,1,0.80,1\n10,1,0.78,1\n" },
        { "dwmtj-s2.csv", "7,1,0.79,1\n8,1,0.79,1\n9,1,0.79,1\n10,1,0.79,1\n" },
        { "dwmtj-noisy-s1.csv", "1,1,0.70,1\n8,1,0.90,1\n" }, /* no epoch 10, no plateau */
    };
    char cmd[16384], out_path[4096], out_dir[4096];
    snprintf(out_path, sizeof out_path, "%s", spath("fig5d.out"));
    snprintf(out_dir, sizeof out_dir, "%s", spath("fig5d"));
    write_text(spath("dwmtj-noisy-s2.csv"), ""); /* a run still in its first epoch */
    size_t n = (size_t)snprintf(cmd, sizeof cmd, "sh '%s/scripts/fig5d' '%s' '%s'", srcdir,
                                out_dir, spath("dwmtj-noisy-s2.csv"));
    for (size_t k = 0; k < sizeof logs / sizeof *logs; k++) {
        char text[512];
        snprintf(text, sizeof text, "epoch,train_loss,test_accuracy,seconds\n%s", logs[k][1]);
        write_text(spath(logs[k][0]), text);
        n += (size_t)snprintf(cmd + n, sizeof cmd - n, " '%s'", spath(logs[k][0]));
    }
    snprintf(cmd + n, sizeof cmd - n, " >'%s' 2>&1", out_path);
    int rc = system(cmd);
    char *out = read_text(out_path);
    ck_assert_msg(rc == 0, "%s failed:\n%s", cmd, out);
    ck_assert_msg(strstr(out, "dwmtj-noisy-s2.csv: no epoch logged yet; skipped"), "%s", out);
    free(out);
    char *sum = read_text(spath("fig5d/fig5d-summary.csv"));
    ck_assert_ptr_nonnull(sum);
    ck_assert_msg(strstr(sum, "\nlif,10,2,81.000,1.414,80.000,82.000\n"), "%s", sum);
    ck_assert_msg(strstr(sum, "\nlif,1,1,50.000,0.000,50.000,50.000\n"), "%s", sum);
    ck_assert_msg(strstr(sum, "\ndwmtj-noisy,8,1,90.000,"), "%s", sum);
    free(sum);
    char *eff = read_text(spath("fig5d/fig5d-effects.csv"));
    ck_assert_ptr_nonnull(eff);
    /* dwmtj 78.0 and 79.0 (sd 0.707) against lif 80.0 and 82.0 (sd 1.414):
     * -2.5, standard error sqrt(0.5/2 + 2/2) = 1.118, on both measures
     * (dwmtj-s1's plateau is the mean of 76, 78, 80, 78) */
    ck_assert_msg(strstr(eff, "\ndwmtj - lif,epoch10,2,2,-2.500,1.118\n"), "%s", eff);
    ck_assert_msg(strstr(eff, "\ndwmtj - lif,plateau,2,2,-2.500,1.118\n"), "%s", eff);
    ck_assert_msg(!strstr(eff, "noisy"), "%s", eff);
    free(eff);
}
END_TEST

START_TEST(train_resume)
{
    char *full = spath("full.net"), *part = spath("part.net");
    cli_result r;
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "2", "--seed", "7", "--out", full), &r);
    ck_exit(r, 0);
    cli_free(&r);
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "1", "--seed", "7", "--out", part), &r);
    ck_exit(r, 0);
    cli_free(&r);
    char *ckpt = spath("part.net.ckpt");
    ck_assert_msg(exists(ckpt), "no %s", ckpt);
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "2", "--seed", "7", "--out", part, "--resume"),
            &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.out, "epoch 2/2") && !strstr(r.out, "epoch 1/2"), "%s", r.out);
    cli_free(&r);
    FILE *a = fopen(full, "rb"), *b = fopen(part, "rb");
    ck_assert(a && b);
    long n = 0;
    int ca, cb;
    do {
        ca = fgetc(a);
        cb = fgetc(b);
        ck_assert_msg(ca == cb, "%s and %s differ at byte %ld", full, part, n);
        n++;
    } while (ca != EOF);
    fclose(a);
    fclose(b);
    ck_assert_int_gt(n, 8);
    /* a checkpoint of other options is refused */
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "3", "--seed", "8", "--out", part, "--resume"),
            &r);
    ck_exit(r, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "part.net.ckpt"));
    cli_free(&r);
}
END_TEST

/* --init: a run started from a trained network's weights.  With a learning
 * rate too small to move a float weight (1e-12 against weights of ~0.1)
 * the network trained is the initial one bit for bit, so its test
 * accuracy is the initial network's, to the digit (the same seed: the
 * test images' input spikes follow it); the config of the
 * checkpoint records the initial weights, so a resume without them is
 * refused; a network of another shape, or a file that is not one, names
 * the file and what is wrong. */
START_TEST(train_init)
{
    char *a = spath("init-a.net"), *b = spath("init-b.net"), *c = spath("init-c.net");
    cli_result r;
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "1", "--seed", "5", "--out", a), &r);
    ck_exit(r, 0);
    const char *acc = strstr(r.out, "test accuracy ");
    ck_assert_ptr_nonnull(acc);
    char want[32];
    ck_assert_int_eq(sscanf(acc, "test accuracy %31s", want), 1);
    cli_free(&r);
    cli_run(ARGS("train", TINY_DATA, "--hidden", "16", "--steps", "10", "--batch", "25", "--lr",
                 "1e-12", "--epochs", "1", "--seed", "5", "--out", b, "--init", a),
            &r);
    ck_exit(r, 0);
    acc = strstr(r.out, "test accuracy ");
    char got[32];
    ck_assert_msg(acc && sscanf(acc, "test accuracy %31s", got) == 1, "%s", r.out);
    ck_assert_msg(!strcmp(got, want), "from the trained network at lr 1e-12: %s %%, it had %s %%",
                  got, want);
    cli_free(&r);
    char *ck = read_text(spath("init-b.net.ckpt"));
    ck_assert_msg(ck && strstr(ck, ",init="), "the checkpoint's config names no init");
    free(ck);
    /* the same run resumed without its initial network: other options */
    cli_run(ARGS("train", TINY_DATA, "--hidden", "16", "--steps", "10", "--batch", "25", "--lr",
                 "1e-12", "--epochs", "2", "--seed", "5", "--out", b, "--resume"),
            &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, "init-b.net.ckpt") && strstr(r.err, "init="), "%s", r.err);
    cli_free(&r);
    /* a network of another shape */
    cli_run(ARGS("train", TINY_DATA, "--hidden", "8", "--steps", "10", "--epochs", "1", "--seed",
                 "9", "--out", c, "--init", a),
            &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, "--init ") && strstr(r.err, "init-a.net") &&
                      strstr(r.err, "a 196-16-10 network") && strstr(r.err, "196-8-10"),
                  "%s", r.err);
    ck_assert_msg(!exists(c), "%s written by a refused run", c);
    cli_free(&r);
    /* other steps: the weights would mean something else */
    cli_run(ARGS("train", TINY_DATA, "--hidden", "16", "--steps", "12", "--epochs", "1", "--seed",
                 "9", "--out", c, "--init", a),
            &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, "steps 10; the options give 12"), "%s", r.err);
    cli_free(&r);
    /* not a network file */
    write_text(c, "not a network\n");
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "1", "--seed", "9", "--out", b, "--init", c),
            &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, "--init") && strstr(r.err, "init-c.net"), "%s", r.err);
    cli_free(&r);
}
END_TEST

/* The whole of a (binary) file; NULL if it cannot be read. */
static unsigned char *read_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *b = NULL;
    size_t cap = 0;
    *n = 0;
    for (;;) {
        if (cap - *n < 65536) {
            cap = cap ? 2 * cap : 65536;
            b = realloc(b, cap);
            ck_assert_ptr_nonnull(b);
        }
        size_t k = fread(b + *n, 1, cap - *n, f);
        if (k == 0)
            break;
        *n += k;
    }
    fclose(f);
    return b;
}

static void write_bytes(const char *path, const unsigned char *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    ck_assert_uint_eq(fwrite(b, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

static void copy_file(const char *from, const char *to)
{
    size_t n;
    unsigned char *b = read_bytes(from, &n);
    ck_assert_msg(b != NULL, "cannot read %s", from);
    write_bytes(to, b, n);
    free(b);
}

/* Asserts that files a and b hold the same bytes. */
static void ck_same_file(const char *a, const char *b)
{
    size_t na, nb;
    unsigned char *x = read_bytes(a, &na), *y = read_bytes(b, &nb);
    ck_assert_msg(x && y, "cannot read %s or %s", a, b);
    ck_assert_msg(na == nb && memcmp(x, y, na) == 0, "%s (%zu bytes) and %s (%zu bytes) differ",
                  a, na, b, nb);
    free(x);
    free(y);
}

/* A train log without its seconds column (the one thing that differs
 * between two runs of the same options). */
static char *log_rows(const char *path)
{
    char *t = read_text(path);
    ck_assert_msg(t != NULL, "cannot read %s", path);
    char *out = malloc(strlen(t) + 1), *o = out;
    ck_assert_ptr_nonnull(out);
    for (char *line = t; *line;) {
        char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        char *last = NULL;
        for (char *c = line; c < line + n; c++)
            if (*c == ',')
                last = c;
        size_t keep = last ? (size_t)(last - line) : n;
        memcpy(o, line, keep);
        o += keep;
        *o++ = '\n';
        line += n + (nl ? 1 : 0);
    }
    *o = '\0';
    free(t);
    return out;
}

static void ck_same_log(const char *a, const char *b)
{
    char *x = log_rows(a), *y = log_rows(b);
    ck_assert_msg(strcmp(x, y) == 0, "logs differ:\n%s:\n%s\n%s:\n%s", a, x, b, y);
    free(x);
    free(y);
}

/* The checkpoint's hash (doc/training.md): 64-bit FNV-1a of every byte
 * before the last 8, which hold it in host byte order. */
static void ckpt_fix_hash(unsigned char *b, size_t n)
{
    uint64_t h = 0xCBF29CE484222325ull;
    for (size_t k = 0; k < n - 8; k++) {
        h ^= b[k];
        h *= 0x100000001B3ull;
    }
    memcpy(b + n - 8, &h, 8);
}

/* b with the first from (in its text header) replaced by to, the hash
 * recomputed when fix; *m its length. */
static unsigned char *ckpt_edit(const unsigned char *b, size_t n, const char *from,
                                const char *to, int fix, size_t *m)
{
    size_t lf = strlen(from), lt = strlen(to), head = n < 4096 ? n : 4096;
    const unsigned char *at = NULL;
    for (size_t k = 0; k + lf <= head && !at; k++)
        if (memcmp(b + k, from, lf) == 0)
            at = b + k;
    ck_assert_msg(at != NULL, "no '%s' in the checkpoint's header", from);
    size_t pre = (size_t)(at - b);
    *m = n - lf + lt;
    unsigned char *c = malloc(*m);
    ck_assert_ptr_nonnull(c);
    memcpy(c, b, pre);
    memcpy(c + pre, to, lt);
    memcpy(c + pre + lt, at + lf, n - pre - lf);
    if (fix)
        ckpt_fix_hash(c, *m);
    return c;
}

/* A kill at every stage of the epoch boundaries of a 2-epoch run (epoch
 * 1, which has one after it, and the last)
 * (DWMTJ_TRAIN_CRASH_AT), then --resume: the network file and the log are
 * those of an uninterrupted run.  The runs share their files, so each new
 * run starts over the files of a finished or killed one. */
START_TEST(train_crash_resume)
{
    char ref[4096], ref_log[4096], out[4096], log[4096];
    snprintf(ref, sizeof ref, "%s", spath("cref.net"));
    snprintf(ref_log, sizeof ref_log, "%s", spath("cref.csv"));
    snprintf(out, sizeof out, "%s", spath("crash.net"));
    snprintf(log, sizeof log, "%s", spath("crash.csv"));
    cli_result r;
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "2", "--seed", "3", "--out", ref, "--log",
                 ref_log),
            &r);
    ck_exit(r, 0);
    cli_free(&r);
    static const char *const stages[] = {"begin", "tested", "net", "log", "epoch"};
    for (int e = 1; e <= 2; e++)
        for (int k = e == 1 ? 0 : 1; k < 5; k++) {
            char env[64];
            snprintf(env, sizeof env, "DWMTJ_TRAIN_CRASH_AT=%s:%d", stages[k], e);
            const char *const envs[] = {env, NULL};
            cli_opts o = {.env = envs};
            cli_run_opts(ARGS("train", TINY_TRAIN, "--epochs", "2", "--seed", "3", "--out", out,
                              "--log", log),
                         &o, &r);
            ck_assert_msg(r.sig == SIGKILL, "%s: exit %d, signal %d; stderr: %s", env, r.code,
                          r.sig, r.err);
            cli_free(&r);
            /* a kill between the files leaves no part-written one */
            ck_assert(!exists(spath("crash.net.part")) && !exists(spath("crash.net.ckpt.part")) &&
                      !exists(spath("crash.csv.part")));
            cli_run(ARGS("train", TINY_TRAIN, "--epochs", "2", "--seed", "3", "--out", out,
                         "--log", log, "--resume"),
                    &r);
            ck_assert_msg(r.code == 0, "resume after %s: exit %d\n%s\n%s", env, r.code, r.out,
                          r.err);
            /* an epoch the checkpoint holds is not trained again */
            char again[32];
            snprintf(again, sizeof again, "epoch %d/2", e - 1);
            ck_assert_msg(e == 1 || !strstr(r.out, again), "after %s:\n%s", env, r.out);
            cli_free(&r);
            ck_same_file(ref, out);
            ck_same_log(ref_log, log);
        }
    /* a finished run's resume changes nothing */
    size_t n0;
    unsigned char *before = read_bytes(log, &n0);
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "2", "--seed", "3", "--out", out, "--log", log,
                 "--resume"),
            &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.out, "2 epochs done already, nothing to do") && !*r.err, "%s\n%s",
                  r.out, r.err);
    cli_free(&r);
    size_t n1;
    unsigned char *after = read_bytes(log, &n1);
    ck_assert(n0 == n1 && memcmp(before, after, n0) == 0);
    free(before);
    free(after);
    ck_same_file(ref, out);
}
END_TEST

/* A finished run whose network file or log does not hold what the
 * checkpoint holds (a crash between the files, a file damaged after):
 * --resume writes them again from the checkpoint and says so, and only
 * then is there nothing to do. */
START_TEST(train_resume_repairs)
{
    char ref[4096], ref_log[4096], one[4096], out[4096], log[4096];
    snprintf(ref, sizeof ref, "%s", spath("rref.net"));
    snprintf(ref_log, sizeof ref_log, "%s", spath("rref.csv"));
    snprintf(one, sizeof one, "%s", spath("rone.net"));
    snprintf(out, sizeof out, "%s", spath("rep.net"));
    snprintf(log, sizeof log, "%s", spath("rep.csv"));
    cli_result r;
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "1", "--seed", "4", "--out", one), &r);
    ck_exit(r, 0);
    cli_free(&r);
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "2", "--seed", "4", "--out", ref, "--log",
                 ref_log),
            &r);
    ck_exit(r, 0);
    cli_free(&r);
    char ckpt[4096 + 8];
    snprintf(ckpt, sizeof ckpt, "%s.ckpt", ref);
    char *text = read_text(ref_log);
    ck_assert_ptr_nonnull(text);
    char *last = strrchr(text, '\n');
    ck_assert_ptr_nonnull(last);
    *last = '\0';
    last = strrchr(text, '\n'); /* the start of epoch 2's row */
    ck_assert_ptr_nonnull(last);
    static const char *const what[] = {"old network", "cut network", "row missing", "row past"};
    for (int k = 0; k < 4; k++) {
        copy_file(ref, out);
        copy_file(ref_log, log);
        char oc[4096 + 8];
        snprintf(oc, sizeof oc, "%s.ckpt", out);
        copy_file(ckpt, oc);
        if (k == 0) {
            copy_file(one, out); /* the network of epoch 1 */
        } else if (k == 1) {
            size_t n;
            unsigned char *b = read_bytes(ref, &n);
            write_bytes(out, b, n - 100);
            free(b);
        } else if (k == 2) {
            char keep = last[1];
            last[1] = '\0';
            write_text(log, text); /* epoch 2's row missing */
            last[1] = keep;
        } else {
            char *full = read_text(ref_log);
            char more[8192];
            snprintf(more, sizeof more, "%s3,0.81", full);
            write_text(log, more); /* part of a row of epoch 3 */
            free(full);
        }
        cli_run(ARGS("train", TINY_TRAIN, "--epochs", "2", "--seed", "4", "--out", out, "--log",
                     log, "--resume"),
                &r);
        ck_assert_msg(r.code == 0, "%s: exit %d\n%s", what[k], r.code, r.err);
        ck_assert_msg(strstr(r.out, "nothing to do"), "%s: %s", what[k], r.out);
        ck_assert_msg(strstr(r.err, k < 2 ? out : log) && strstr(r.err, "from the checkpoint"),
                      "%s: no note naming the repaired file: %s", what[k], r.err);
        cli_free(&r);
        ck_same_file(ref, out);
        ck_same_file(ref_log, log);
    }
    free(text);
}
END_TEST

/* The checkpoint's header: every field is covered by the hash and checked
 * against the options; each damaged field is refused, naming it, whether
 * the hash was made to match (a file written that way) or not. */
START_TEST(train_ckpt_fields)
{
    char out[4096], ck[4096 + 8];
    snprintf(out, sizeof out, "%s", spath("hdr.net"));
    snprintf(ck, sizeof ck, "%s.ckpt", out);
    cli_result r;
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "2", "--seed", "7", "--out", out), &r);
    ck_exit(r, 0);
    cli_free(&r);
    size_t n;
    unsigned char *good = read_bytes(ck, &n);
    ck_assert_ptr_nonnull(good);
    ck_assert_msg(n > 40 && !memcmp(good, "DWMTJCKPT 2\nepoch 2\nadam_t 40\n", 30), "%.40s",
                  good);
    size_t nn;
    unsigned char *net0 = read_bytes(out, &nn);
    static const struct {
        const char *from, *to, *want;
        int fix;
    } bad[] = {
        {"adam_t 40", "adam_t 040", "field adam_t: '040' is not a whole number", 1},
        {"adam_t 40", "adam_t 041", "field adam_t: '041'", 0},
        {"adam_t 40", "adam_t 60", "fields epoch and adam_t disagree", 1},
        {"epoch 2", "epoch 1", "fields epoch and adam_t disagree", 1},
        {"epoch 2", "epoch 1", "checksum mismatch; fields epoch and adam_t disagree", 0},
        {"epoch 2", "epoch 99999999999999", "field epoch: '99999999999999' is not a whole", 1},
        {"epoch 2", "epoch -2", "field epoch: '-2'", 1},
        {"epoch 2", "epoch  2", "field epoch: ' 2'", 1},
        {"epoch 2", "epoch 2x", "field epoch: '2x'", 1},
        {"epoch 2\n", "", "field epoch: missing", 1},
        {"seed=7", "seed=8", "field config: the checkpoint is of other options", 1},
        {"lr=0.01", "lr=0.02", "field config", 0},
        {"params 3322", "params 3323", "field params: 3323, but the network of these options has 3322", 1},
        {"params 3322", "params 33220000000000000000000", "field params: '33220000000000000000000'", 1},
        {"\n1,", "\nx,", "log row 1:", 1},
        {"\n2,", "\n3,", "log row 2:", 1},
        {"DWMTJCKPT 2", "DWMTJCKPT 3", "checkpoint format '3'; this build reads format 2", 1},
        {"DWMTJCKPT 2", "DWMTJCKPT 1", "format 1", 0},
        {"DWMTJCKPT 2", "DWMTJCKPU 2", "not a dwmtj train checkpoint", 0},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        size_t m;
        unsigned char *c = ckpt_edit(good, n, bad[k].from, bad[k].to, bad[k].fix, &m);
        write_bytes(ck, c, m);
        free(c);
        cli_run(ARGS("train", TINY_TRAIN, "--epochs", "3", "--seed", "7", "--out", out,
                     "--resume"),
                &r);
        ck_assert_msg(r.code == 1 && strstr(r.err, ck) && strstr(r.err, bad[k].want),
                      "'%s' -> '%s'%s: exit %d, wanted 1 and '%s'; stderr: %s", bad[k].from,
                      bad[k].to, bad[k].fix ? " (hash fixed)" : "", r.code, bad[k].want, r.err);
        cli_free(&r);
    }
    /* the data: cut, extended, a byte flipped */
    write_bytes(ck, good, n - 1);
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "3", "--seed", "7", "--out", out, "--resume"),
            &r);
    ck_assert_msg(r.code == 1 && strstr(r.err, "checksum mismatch; truncated"), "%s", r.err);
    cli_free(&r);
    unsigned char *longer = malloc(n + 1);
    ck_assert_ptr_nonnull(longer);
    memcpy(longer, good, n);
    longer[n] = 0;
    write_bytes(ck, longer, n + 1);
    free(longer);
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "3", "--seed", "7", "--out", out, "--resume"),
            &r);
    ck_assert_msg(r.code == 1 && strstr(r.err, "1 byte more than its header declares"), "%s",
                  r.err);
    cli_free(&r);
    good[n - 100] ^= 4;
    write_bytes(ck, good, n);
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "3", "--seed", "7", "--out", out, "--resume"),
            &r);
    ck_assert_msg(r.code == 1 && strstr(r.err, "corrupt checkpoint: checksum mismatch"), "%s",
                  r.err);
    cli_free(&r);
    /* none of these touched the network file */
    size_t nn2;
    unsigned char *net1 = read_bytes(out, &nn2);
    ck_assert(nn == nn2 && memcmp(net0, net1, nn) == 0);
    free(net0);
    free(net1);
    free(good);
}
END_TEST

/* A tiny run of --periphery per trains, prints it and records it as a
 * version 2 file with periphery code (header 136 + 4 L, the periphery at
 * 84 + 4 L, L = 2), and a --resume without it is refused naming it. */
/* The 196-H-10 network file at path has this format version, header
 * length and periphery (at 92); its first n bytes into h (may be NULL). */
static void net_header(const char *path, unsigned version, unsigned hl, int periphery,
                       unsigned char *h, size_t n)
{
    size_t len;
    unsigned char *b = read_bytes(path, &len);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_ge(len, n > 100 ? n : 100);
    ck_assert_uint_eq(b[8] | b[9] << 8, version);
    ck_assert_uint_eq(b[12] | b[13] << 8, hl);
    ck_assert_uint_eq(b[92], periphery);
    if (h)
        memcpy(h, b, n);
    free(b);
}

static void periphery_recorded(const char *per, int code)
{
    cli_result r;
    char name[64], want[128];
    snprintf(name, sizeof name, "%s.net", per);
    char *out = spath(name);
#define TINY "--neuron", "dwmtj", "--downsample", "2", "--hidden", "8", "--train-images", "50", \
             "--test-images", "20", "--steps", "40", "--batch", "25", "--seed", "1", "--out", out
    cli_run(ARGS("train", TINY, "--periphery", per, "--epochs", "1"), &r);
    ck_exit(r, 0);
    snprintf(want, sizeof want, "training dwmtj 196-8-10, periphery %s, T 40", per);
    ck_assert_msg(strstr(r.out, want), "%s", r.out);
    cli_free(&r);
    net_header(out, 2, 144, code, NULL, 0);
    /* the periphery is part of the run's options */
    cli_run(ARGS("train", TINY, "--epochs", "2", "--resume"), &r);
#undef TINY
    ck_exit(r, 1);
    snprintf(want, sizeof want, "periphery=%s", per);
    ck_assert_msg(strstr(r.err, want), "%s", r.err);
    cli_free(&r);
}

/* --periphery: the cell's rule and the continuous clamp are trained,
 * printed and recorded (version 2 files with periphery 1 and 2), and are
 * part of what --resume must match; a bad value names the choices; LIF
 * has no cell. */
START_TEST(train_periphery)
{
    cli_result r;
    char *out = spath("cell.net");
    cli_run(ARGS("train", "--neuron", "dwmtj", "--periphery", "bogus", "--epochs", "1", "--seed",
                 "1", "--out", out),
            &r);
    ck_exit(r, 2);
    ck_assert_msg(strstr(r.err, "--periphery") && strstr(r.err, "bogus") &&
                      strstr(r.err, "ideal, cell, continuous, cmos"),
                  "%s", r.err);
    cli_free(&r);
    cli_run(ARGS("train", "--neuron", "lif", "--periphery", "cell", "--epochs", "1", "--seed", "1",
                 "--out", out),
            &r);
    ck_exit(r, 2);
    ck_assert_msg(strstr(r.err, "periphery 1 (cell) with LIF neurons"), "%s", r.err);
    cli_free(&r);
    ck_assert(!exists(out));
    periphery_recorded("cell", 1);
    periphery_recorded("continuous", 2);
}
END_TEST

/* --periphery cmos: the cell with the cmos macromodel's rule (its file in
 * $DWMTJ_CELLDIR) is trained, printed and recorded as a version 3 file
 * (i_neg 15 uA at 144, t_sense at 152), and dwmtj infer runs such a
 * network as the macromodel by default; without the file, the file is
 * named and nothing is written. */
START_TEST(train_cmos)
{
    cli_result r;
    char *out = spath("cmos.net");
    char celldir[2048], nodir[2048];
    snprintf(celldir, sizeof celldir, "DWMTJ_CELLDIR=%s/netlists", srcdir);
    snprintf(nodir, sizeof nodir, "DWMTJ_CELLDIR=%s", scratch);
    cli_opts mo = {.env = (const char *const[]){nodir, NULL}};
#define TINY "--neuron", "dwmtj", "--downsample", "2", "--hidden", "8", "--train-images", "50", \
             "--test-images", "20", "--batch", "25", "--seed", "1", "--out", out, \
             "--periphery", "cmos", "--epochs", "1"
    cli_run_opts(ARGS("train", TINY), &mo, &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, "--periphery cmos") && strstr(r.err, "cell_cmos_macro.txt") &&
                      strstr(r.err, scratch), "%s", r.err);
    cli_free(&r);
    ck_assert(!exists(out));
    mo.env = (const char *const[]){celldir, NULL};
    cli_run_opts(ARGS("train", TINY), &mo, &r);
#undef TINY
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.out, "periphery cell (the cmos macromodel's rule: negative limit "
                                "1.5e-05 A, sense delay 1.52e-10 s"), "%s", r.out);
    cli_free(&r);
    unsigned char h[160];
    net_header(out, 3, 160, 1, h, sizeof h);
    double v[2];
    memcpy(v, h + 144, sizeof v); /* little-endian hosts only (as dwmtj runs on) */
    tu_assert_rel(v[0], 15e-6, 1e-9);
    ck_assert(v[1] == 1.52e-10);
    cli_run_opts(ARGS(INFER, "--net", out, "--images", "1", "--backend", "klu", "--allow-unsafe",
                      "--json"),
                 &mo, &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.out, "\"periphery\": \"cmos-macro\"") &&
                      strstr(r.out, "\"network_rule\": \"cell\""), "%s", r.out);
    cli_free(&r);
    unlink(out);
}
END_TEST

START_TEST(train_errors)
{
    cli_result r;
    char *out = spath("err.net");
    cli_run(ARGS("train", "--neuron", "bogus", "--epochs", "1", "--seed", "1", "--out", out), &r);
    ck_exit(r, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "bogus"));
    ck_assert_ptr_nonnull(strstr(r.err, "lif, dwmtj, dwmtj-noisy"));
    cli_free(&r);
    static const char *const bad[][3] = {
        {"--epochs", "0", NULL}, {"--batch", "-3", NULL}, {"--steps", "x", NULL},
        {"--hidden", "16,,4", NULL}, {"--lr", "0", NULL}, {"--gain", "0", NULL}, {"--gain", "-1e-3", NULL},
        {"--frobnicate", NULL, NULL},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        /* the last option wins over the valid one before it */
        cli_run(ARGS("train", "--neuron", "lif", "--epochs", "1", "--seed", "1", "--out", out,
                     bad[k][0], bad[k][1]),
                &r);
        ck_assert_msg(r.code == 2, "train %s %s: exit %d, wanted 2; stderr: %s", bad[k][0],
                      bad[k][1] ? bad[k][1] : "", r.code, r.err);
        cli_free(&r);
    }
    cli_run(ARGS("train", "--neuron", "lif", "--epochs", "1", "--seed", "1"), &r); /* no --out */
    ck_exit(r, 2);
    cli_free(&r);
    cli_run(ARGS("train", "--neuron", "lif", "--seed", "1", "--out", out, "--epochs"), &r);
    ck_exit(r, 2);
    ck_assert_msg(strstr(r.err, "option --epochs needs a value"), "%s", r.err);
    cli_free(&r);
    cli_run(ARGS("train", "--neuron", "lif", "--epochs", "1", "--seed", "1", "--out", out,
                 "stray"),
            &r);
    ck_exit(r, 2);
    ck_assert_msg(strstr(r.err, "unexpected argument 'stray'"), "%s", r.err);
    cli_free(&r);
    /* beyond the network file's limits: refused before training, naming
     * the option's field and the limit */
    cli_run(ARGS("train", TINY_TRAIN, "--hidden", "100000,100000", "--epochs", "1", "--seed", "1",
                 "--out", out),
            &r);
    ck_exit(r, 2);
    ck_assert_msg(strstr(r.err, "hidden 100000,100000") &&
                      strstr(r.err, "10020800010 parameters (1e+10), more than the 2^31 - 1 limit"),
                  "%s", r.err);
    cli_free(&r);
    cli_run(ARGS("train", "--neuron", "dwmtj", "--gain", "1e308", "--epochs", "1", "--seed", "1",
                 "--out", out),
            &r);
    ck_exit(r, 2);
    ck_assert_msg(strstr(r.err, "gain is 1e+308 A, expected > 0 and at most 1 A"), "%s", r.err);
    cli_free(&r);
    ck_assert(!exists(out));
    /* a network file that is read back cannot be a FIFO */
    char *fifo = spath("train.fifo");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "1", "--seed", "1", "--out", fifo), &r);
    ck_exit(r, 3);
    ck_assert_msg(strstr(r.err, fifo) && strstr(r.err, "not a regular file"), "%s", r.err);
    cli_free(&r);
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "1", "--seed", "1", "--out",
                 "/nonexistent/x.net"),
            &r);
    ck_exit(r, 3);
    ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent/x.net"));
    cli_free(&r);
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "1", "--seed", "1", "--out", out, "--data",
                 "/nonexistent"),
            &r);
    ck_exit(r, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent/train-images-idx3-ubyte.gz"));
    cli_free(&r);
    /* a corrupt data set: the message names the file */
    char *dir = spath("baddata");
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    char img[4096];
    snprintf(img, sizeof img, "%s/train-images-idx3-ubyte.gz", dir);
    write_text(img, "not an IDX file\n");
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "1", "--seed", "1", "--out", out, "--data",
                 dir),
            &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, img), "stderr: %s", r.err);
    cli_free(&r);
    ck_assert(!exists(out));
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "1", "--seed", "1", "--out", out,
                 "--resume"),
            &r); /* no checkpoint */
    ck_exit(r, 1);
    cli_free(&r);
}
END_TEST

/* ------------------------------------------------------------------------ */

/* The shipped small network (196-32-10 on 14x14 images). */
static char *small_net(void)
{
    static char path[2048];
    snprintf(path, sizeof path, "%s/networks/dwmtj-fmnist-14.net", srcdir);
    return path;
}

/* Column col (0-based) of the data rows of a dwmtj infer results file. */
static int results_column(const char *csv, int col, int *v, int max)
{
    int n = 0, line = 0;
    for (const char *p = csv; *p && n < max; line++) {
        if (line >= 2) {
            const char *q = p;
            for (int c = 0; c < col && q; c++) {
                q = strchr(q, ',');
                q = q ? q + 1 : NULL;
            }
            if (q)
                v[n++] = atoi(q);
        }
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
    }
    return n;
}

/* Circuit-level inference of the small network: the JSON keys, per-image
 * rows as they come, and a resumed run that equals an uninterrupted one. */
START_TEST(infer_json_resume)
{
    char *a = spath("inf_a.csv"), *b = spath("inf_b.csv");
    cli_result r;
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "3", "--results", a, "--json"), &r);
    ck_exit(r, 0);
    static const char *const keys[] = { "accuracy", "algorithm_accuracy", "agreement",
                                        "energy_per_inference_J", "latency_per_inference_s",
                                        "seconds_per_image", "energy_per_spike_J",
                                        "ns_per_synapse_timestep" };
    double v[8];
    for (int k = 0; k < 8; k++)
        ck_assert_msg(json_num(r.out, keys[k], &v[k]) == 1, "%s is not a number in\n%s", keys[k],
                      r.out);
    ck_assert(v[0] >= 0.0 && v[0] <= 1.0 && v[2] >= 0.0 && v[2] <= 1.0);
    ck_assert(v[3] > 0.0 && v[4] > 0.0 && v[5] > 0.0);
    double acc = v[0], agree = v[2];
    cli_free(&r);
    char *ta = read_text(a);
    ck_assert_ptr_nonnull(ta);
    ck_assert_int_eq(count_lines(ta), 5); /* config, header, 3 rows */

    cli_run(ARGS(INFER, "--net", small_net(), "--images", "2", "--results", b), &r);
    ck_exit(r, 0);
    cli_free(&r);
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "3", "--results", b, "--resume",
                 "--json"),
            &r);
    ck_exit(r, 0);
    double acc2, agree2;
    ck_assert_int_eq(json_num(r.out, "accuracy", &acc2), 1);
    ck_assert_int_eq(json_num(r.out, "agreement", &agree2), 1);
    ck_assert_double_eq_tol(acc2, acc, 1e-12);
    ck_assert_double_eq_tol(agree2, agree, 1e-12);
    cli_free(&r);
    char *tb = read_text(b);
    ck_assert_ptr_nonnull(tb);
    ck_assert_int_eq(count_lines(tb), 5);
    int pa[3], pb[3], ia[3], ib[3];
    ck_assert_int_eq(results_column(ta, 2, pa, 3), 3);
    ck_assert_int_eq(results_column(tb, 2, pb, 3), 3);
    ck_assert_int_eq(results_column(ta, 0, ia, 3), 3);
    ck_assert_int_eq(results_column(tb, 0, ib, 3), 3);
    for (int k = 0; k < 3; k++) {
        ck_assert_int_eq(ia[k], k);
        ck_assert_int_eq(ib[k], k);
        ck_assert_int_eq(pa[k], pb[k]);
    }
    free(ta);
    free(tb);
}
END_TEST

START_TEST(infer_errors)
{
    cli_result r;
    /* a corrupt network: one byte flipped in the middle */
    char *bad = spath("corrupt.net");
    FILE *f = fopen(small_net(), "rb"), *g = fopen(bad, "wb");
    ck_assert(f && g);
    long n = 0;
    for (int c; (c = fgetc(f)) != EOF; n++)
        fputc(n == 5000 ? c ^ 0x55 : c, g);
    fclose(f);
    fclose(g);
    cli_run(ARGS(INFER, "--net", bad, "--images", "1"), &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, "corrupt.net") != NULL, "%s", r.err);
    cli_free(&r);
    /* a missing network */
    cli_run(ARGS(INFER, "--net", spath("none.net"), "--images", "1"), &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, "none.net") != NULL, "%s", r.err);
    cli_free(&r);
    /* an LIF network has no device */
    char *lif = spath("lif.net");
    cli_run(ARGS("train", TINY_TRAIN, "--epochs", "1", "--seed", "1", "--out", lif), &r);
    ck_exit(r, 0);
    cli_free(&r);
    cli_run(ARGS(INFER, "--net", lif, "--images", "1"), &r);
    ck_exit(r, 2);
    ck_assert_msg(strstr(r.err, "LIF") != NULL, "%s", r.err);
    cli_free(&r);
    /* nor a thermal one yet: refused, saying why */
    char *thermal = spath("thermal.net");
    cli_run(ARGS("train", "--neuron", "dwmtj-thermal", "--downsample", "4", "--hidden", "4",
                 "--train-images", "8", "--test-images", "4", "--steps", "5", "--batch", "8",
                 "--epochs", "1", "--seed", "1", "--out", thermal),
            &r);
    ck_exit(r, 0);
    cli_free(&r);
    cli_run(ARGS(INFER, "--net", thermal, "--images", "1"), &r);
    ck_exit(r, 2);
    ck_assert_msg(strstr(r.err, "dwmtj-thermal") && strstr(r.err, "100 uA"), "%s", r.err);
    cli_free(&r);
    /* resuming the results of other options */
    char *res = spath("inf_c.csv");
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "1", "--results", res), &r);
    ck_exit(r, 0);
    cli_free(&r);
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "2", "--results", res, "--resume",
                 "--levels", "16"),
            &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, "another network or options") != NULL, "%s", r.err);
    cli_free(&r);
    char *t = read_text(res);
    ck_assert_int_eq(count_lines(t), 3); /* untouched */
    free(t);
    /* usage */
    cli_run(ARGS(INFER, "--net", small_net(), "--backend", "spectre"), &r);
    ck_exit(r, 2);
    cli_free(&r);
    cli_run(ARGS(INFER, "--net", small_net(), "--offset", "9999", "--images", "5"), &r);
    ck_exit(r, 2);
    ck_assert_msg(strstr(r.err, "10000") != NULL, "%s", r.err);
    cli_free(&r);
    cli_run(ARGS(INFER, "--resume"), &r);
    ck_exit(r, 2);
    cli_free(&r);
}
END_TEST


/* The shipped cmos macromodel against transistor-level runs it was not
 * fitted to (dwmtj infer --periphery cmos): test images 0..49 of the
 * cmos-trained network (doc/cmos/cmos14-cmosnet-transistor-0-49.csv) and
 * 12..49 of the small cell network (doc/cmos/cmos14-transistor-12-49.csv).
 * It does not reach issue 13's goal of 98 % same class (doc/inference.md,
 * "The cmos macromodel"), so scripts/cmos-macro --check fails it there; it
 * passes at what it measured (the CMOS_* fractions, energy within 1 %),
 * and fails with its input stage's static power 5 % off (energy).  The
 * cmos network refuses another write width (it was trained for this
 * one), so a wrong write width is shown on the cell network: 1 ns longer,
 * its spikes and energy fall (25 against 35 spikes per inference) and the
 * check fails; the class alone moves little there (63 % at the file's
 * width, 66 % 1 ns longer, 82 % 0.7 ns shorter: the cell network's
 * output decisions are close). */
#define CMOS_MACRO_CLASS_CMOSNET "0.86" /* measured: 44 of 50 */
#define CMOS_MACRO_CLASS_CELLNET "0.6"  /* measured: 24 of 38 */

/* MACRO with key's value v changed to f(v): into out. */
static void macro_edit(const char *macro, const char *key, double scale, double add,
                       const char *out)
{
    char *text = read_text(macro), pat[64];
    ck_assert_ptr_nonnull(text);
    snprintf(pat, sizeof pat, "\n%s ", key);
    char *at = strstr(text, pat);
    ck_assert_ptr_nonnull(at);
    double v = strtod(at + strlen(pat), NULL);
    FILE *f = fopen(out, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%.*s\n%s %.9g\n%s", (int)(at - text), text, key, v * scale + add,
            strchr(at + 1, '\n') + 1);
    ck_assert_int_eq(fclose(f), 0);
    free(text);
}

/* scripts/cmos-macro --check MACRO against the runs RUNS of network NET
 * (both in the source tree), exit want. */
static void macro_check(const char *macro, const char *net_file, const char *runs_file,
                        const char *cls, const char *energy, int want)
{
    char script[2048], net[2048], runs[2048];
    snprintf(script, sizeof script, "%s/scripts/cmos-macro", srcdir);
    snprintf(net, sizeof net, "%s/networks/%s", srcdir, net_file);
    snprintf(runs, sizeof runs, "%s/doc/cmos/%s", srcdir, runs_file);
    const char *const argv[] = { "sh", script, "--check", macro, "--class", cls, "--energy",
                                 energy, tool, "-", net, runs, NULL };
    cli_opts o = {.timeout = 600};
    tool_result r;
    tool_exec(argv, &o, &r);
    ck_exit(r, want);
    ck_assert_msg(strstr(r.out, want ? "FAILS" : "passes"), "%s", r.out);
    fprintf(stderr, "check_cli: cmos-macro --check %s (%s) --class %s --energy %s:\n%s",
            strrchr(macro, '/') + 1, net_file, cls, energy, r.out);
    tool_result_free(&r);
}

START_TEST(cmos_macro_check)
{
    const char *cmos = "dwmtj-fmnist-14-cmos.net", *cmos_runs = "cmos14-cmosnet-transistor-0-49.csv";
    const char *cell = "dwmtj-fmnist-14-cell.net", *cell_runs = "cmos14-transistor-12-49.csv";
    char macro[2048];
    snprintf(macro, sizeof macro, "%s/netlists/cell_cmos_macro.txt", srcdir);
    macro_check(macro, cmos, cmos_runs, CMOS_MACRO_CLASS_CMOSNET, "0.01", 0);
    macro_check(macro, cmos, cmos_runs, "0.98", "0.05", 1);
    macro_check(macro, cell, cell_runs, CMOS_MACRO_CLASS_CELLNET, "0.01", 0);
    const char *bad = spath("macro-power.txt");
    macro_edit(macro, "p_mirror", 1.05, 0.0, bad);
    macro_check(bad, cmos, cmos_runs, CMOS_MACRO_CLASS_CMOSNET, "0.01", 1);
    unlink(bad);
    bad = spath("macro-write.txt");
    macro_edit(macro, "t_write_eff", 1.0, 1e-9, bad);
    macro_check(bad, cell, cell_runs, CMOS_MACRO_CLASS_CELLNET, "0.01", 1);
    unlink(bad);
}
END_TEST

/* --periphery (issue 13): parsed, said in the report and the JSON, the
 * network's own by default (ideal for a version 1 file); the behavioural
 * cell through ngspice gives energy by component whose sources balance
 * the devices, and so does the klu backend (the engine runs the cell's
 * logic). */
START_TEST(infer_periphery)
{
    cli_result r;
    cli_run(ARGS(INFER, "--net", small_net(), "--periphery", "bsim"), &r);
    ck_exit(r, 2);
    ck_assert_msg(strstr(r.err, "--periphery") && strstr(r.err, "cmos") &&
                      strstr(r.err, "behavioural"),
                  "%s", r.err);
    cli_free(&r);
    /* the engine has no transistors: refused before any run, naming ngspice */
    cli_run(ARGS(INFER, "--net", small_net(), "--periphery", "cmos", "--backend", "klu",
                 "--allow-unsafe"),
            &r);
    ck_exit(r, 2);
    ck_assert_msg(strstr(r.err, "--backend ngspice") && strstr(r.err, "BSIM4") &&
                      strstr(r.err, "--periphery cmos-macro"), "%s", r.err);
    cli_free(&r);
    /* its macromodel runs there (netlists/cell_cmos_macro.txt), the sense
     * delay in the latency; without the file, the file is named */
    char celldir[2048], nodir[2048];
    snprintf(celldir, sizeof celldir, "DWMTJ_CELLDIR=%s/netlists", srcdir);
    snprintf(nodir, sizeof nodir, "DWMTJ_CELLDIR=%s", scratch);
    cli_opts mo = {.env = (const char *const[]){celldir, NULL}};
    cli_run_opts(ARGS(INFER, "--net", small_net(), "--images", "1", "--backend", "klu",
                      "--periphery", "cmos-macro", "--allow-unsafe", "--json"),
                 &mo, &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.out, "\"periphery\": \"cmos-macro\"") &&
                      strstr(r.out, "\"sense\": 1.52e-10"), /* cell_cmos_macro.txt's t_sense */
                  "%s", r.out);
    cli_free(&r);
    mo.env = (const char *const[]){nodir, NULL};
    cli_run_opts(ARGS(INFER, "--net", small_net(), "--images", "1", "--backend", "klu",
                      "--periphery", "cmos-macro", "--allow-unsafe"),
                 &mo, &r);
    ck_assert_int_ne(r.code, 0);
    ck_assert_msg(strstr(r.err, "cell_cmos_macro.txt") && strstr(r.err, scratch), "%s", r.err);
    cli_free(&r);
    /* its results are tied to the macromodel's file (cell= in the config
     * line, a hash of its bytes): after the file changed, a resume is
     * refused and the results are untouched */
    char *mdir = spath("macro_cell"), mfrom[4096], mto[4200], mcell[4200];
    ck_assert_int_eq(mkdir(mdir, 0755) == 0 || errno == EEXIST, 1);
    snprintf(mfrom, sizeof mfrom, "%s/netlists/cell_cmos_macro.txt", srcdir);
    snprintf(mto, sizeof mto, "%s/cell_cmos_macro.txt", mdir);
    snprintf(mcell, sizeof mcell, "DWMTJ_CELLDIR=%s", mdir);
    copy_file(mfrom, mto);
    char *mres = spath("macro.csv");
    mo.env = (const char *const[]){mcell, NULL};
    cli_run_opts(ARGS(INFER, "--net", small_net(), "--images", "1", "--backend", "klu",
                      "--periphery", "cmos-macro", "--allow-unsafe", "--results", mres),
                 &mo, &r);
    ck_exit(r, 0);
    cli_free(&r);
    char *mt = read_text(mres);
    ck_assert_msg(mt && strstr(mt, " periphery=cmos-macro cell="), "%s", mt ? mt : "(none)");
    FILE *mf = fopen(mto, "a");
    ck_assert_ptr_nonnull(mf);
    fputs("# edited\n", mf);
    fclose(mf);
    cli_run_opts(ARGS(INFER, "--net", small_net(), "--images", "2", "--backend", "klu",
                      "--periphery", "cmos-macro", "--allow-unsafe", "--results", mres,
                      "--resume"),
                 &mo, &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, "another network or options"), "%s", r.err);
    cli_free(&r);
    char *mt2 = read_text(mres);
    ck_assert_str_eq(mt2, mt);
    free(mt);
    free(mt2);
    char *res = spath("cell_klu.csv");
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "1", "--backend", "klu",
                 "--periphery", "behavioural", "--json", "--results", res),
            &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.out, "\"periphery\": \"behavioural\""), "%s", r.out);
    /* the cell runs each neuron on its own exact points (stop 31: its
     * logic is the neuron's own), and says so in its results */
    ck_assert_msg(strstr(r.out, "\"klu_steps\": \"neuron\""), "%s", r.out);
    double bal;
    ck_assert_int_eq(json_num(r.out, "energy_conservation_worst", &bal), 1);
    ck_assert_msg(bal < 0.01, "%s", r.out);
    cli_free(&r);
    char *kt = read_text(res);
    ck_assert_msg(kt && strstr(kt, " periphery=behavioural") && strstr(kt, " backend=klu") &&
                      strstr(kt, " klu_steps=neuron"),
                  "%s", kt ? kt : "(none)");
    free(kt);
    unlink(res);
    /* the default for the shipped (version 1) network: ideal */
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "2", "--backend", "klu", "--json",
                 "--results", res),
            &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.out, "\"periphery\": \"ideal\""), "%s", r.out);
    ck_assert_msg(strstr(r.out, "\"klu_steps\": \"neuron\""), "%s", r.out);
    double v;
    ck_assert_int_eq(json_num(r.out, "energy_supplied_per_inference_J", &v), 1);
    double e;
    ck_assert_int_eq(json_num(r.out, "energy_per_inference_J", &e), 1);
    tu_assert_rel(v, e, 1e-6); /* ideal: crossbar + device + the writes by formula */
    cli_free(&r);
    char *t = read_text(res);
    ck_assert_msg(t && strstr(t, " periphery=ideal"), "%s", t ? t : "(none)");
    free(t);
    /* an ideal run's results do not resume as a behavioural one */
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "3", "--backend", "klu",
                 "--periphery", "ideal", "--results", res, "--resume"),
            &r);
    ck_exit(r, 0);
    cli_free(&r);
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "4", "--periphery", "behavioural",
                 "--results", res, "--resume"),
            &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, "another network or options"), "%s", r.err);
    cli_free(&r);
    /* the cell through ngspice, one image */
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "1", "--periphery", "behavioural",
                 "--json"),
            &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.out, "\"periphery\": \"behavioural\""), "%s", r.out);
    static const char *const comp[] = { "\"mirror\": ", "\"clear\": ", "\"device\": ",
                                         "\"sense\": ", "\"write_driver\": ",
                                         "\"static\": 0", "\"energy_per_spike_by_component_J\"",
                                         "\"latency_by_part_s\"", "\"dead_time_per_spike\": 2.2e-09" };
    for (size_t k = 0; k < sizeof comp / sizeof *comp; k++)
        ck_assert_msg(strstr(r.out, comp[k]), "no %s in\n%s", comp[k], r.out);
    ck_assert_int_eq(json_num(r.out, "energy_conservation_worst", &v), 1);
    ck_assert_msg(v >= 0.0 && v < 0.01, "conservation %g", v);
    ck_assert_int_eq(json_num(r.out, "energy_supplied_per_inference_J", &v), 1);
    ck_assert_int_eq(json_num(r.out, "energy_per_inference_J", &e), 1);
    tu_assert_rel(v, e, 0.01); /* crossbar + the cell's sources = crossbar + devices */
    cli_free(&r);
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "1", "--periphery", "behavioural"),
            &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.out, "periphery               behavioural") &&
                      strstr(r.out, "write_driver") && strstr(r.out, "energy conservation"),
                  "%s", r.out);
    cli_free(&r);
}
END_TEST

/* An operating point outside the safe operating area stops dwmtj infer
 * before any run, naming the quantity and its limit (the 200 uA clamp:
 * 200u / (25n x 1.5n) = 5.33e12 A/m^2 above j_max 3e12), and writes no
 * results; --allow-unsafe runs it and the report says so; 100 uA is
 * inside for the ideal periphery. */
START_TEST(infer_soa)
{
    char *res = spath("soa.csv");
    cli_result r;
    cli_run(ARGS("infer", "--net", small_net(), "--images", "1", "--backend", "klu",
                 "--results", res),
            &r);
    ck_exit(r, 2);
    ck_assert_msg(strstr(r.err, "safe operating area") &&
                      strstr(r.err, "track current density at the drive clamp") &&
                      strstr(r.err, "5.33e+12") && strstr(r.err, "j_max 3e+12") &&
                      strstr(r.err, "--allow-unsafe"),
                  "%s", r.err);
    ck_assert_msg(!exists(res), "%s written by a run that stopped", res);
    cli_free(&r);
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "1", "--backend", "klu"), &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.out, "safe operating area     OUTSIDE, run because of --allow-unsafe: "
                                "track current density at the drive clamp"),
                  "%s", r.out);
    cli_free(&r);
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "1", "--backend", "klu", "--json"), &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.out, "\"inside\": 0") && strstr(r.out, "\"allow_unsafe\": 1") &&
                      strstr(r.out, "\"j_drive_A_m2\": 5.333333333e+12"),
                  "%s", r.out);
    cli_free(&r);
    cli_run(ARGS("infer", "--net", small_net(), "--images", "1", "--backend", "klu", "--i-max",
                 "100u"),
            &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.out, "safe operating area     inside"), "%s", r.out);
    cli_free(&r);
}
END_TEST

/* A klu run of the small network with default options does not resume
 * the results file at path (written with other options), naming it. */
static void resume_refused(const char *path)
{
    cli_result r;
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "4", "--backend", "klu", "--results",
                 path, "--resume"),
            &r);
    ck_exit(r, 1);
    const char *name = strrchr(path, '/');
    ck_assert_msg(strstr(r.err, name ? name + 1 : path), "%s", r.err);
    cli_free(&r);
}

/* --tmax: the transients' largest step.  The klu engine solves the
 * continuous circuit exactly on its pieces, so cutting them at 25 ps
 * (a quarter of the clock period) leaves classes and spikes as they are
 * and the energies to rounding; the file remembers the step, and one run
 * with it does not resume as one without. */
START_TEST(infer_tmax)
{
    char *a = spath("tmax-a.csv"), *b = spath("tmax-b.csv");
    cli_result r;
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "3", "--backend", "klu", "--results",
                 a),
            &r);
    ck_exit(r, 0);
    cli_free(&r);
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "3", "--backend", "klu", "--json",
                 "--results", b, "--tmax", "25p"),
            &r);
    ck_exit(r, 0);
    double v;
    ck_assert_int_eq(json_num(r.out, "tmax_s", &v), 1);
    ck_assert_double_eq_tol(v, 25e-12, 1e-24);
    cli_free(&r);
    char *ta = read_text(a), *tb = read_text(b);
    ck_assert(ta && tb);
    ck_assert_msg(!strstr(ta, " tmax=") && strstr(tb, " tmax=2.5"), "%.300s\n%.300s", ta, tb);
    const char *pa = strchr(strchr(ta, '\n') + 1, '\n') + 1;
    const char *pb = strchr(strchr(tb, '\n') + 1, '\n') + 1;
    for (int k = 0; k < 3; k++) {
        int ia, la, ca, aa, ga, sa, ib, lb, cb, ab, gb, sb;
        double ea, eb;
        ck_assert_int_eq(sscanf(pa, "%d,%d,%d,%d,%d,%d,%lf", &ia, &la, &ca, &aa, &ga, &sa, &ea),
                         7);
        ck_assert_int_eq(sscanf(pb, "%d,%d,%d,%d,%d,%d,%lf", &ib, &lb, &cb, &ab, &gb, &sb, &eb),
                         7);
        ck_assert_int_eq(ia, ib);
        ck_assert_int_eq(ca, cb);
        ck_assert_int_eq(sa, sb);
        tu_assert_rel(eb, ea, 1e-6);
        pa = strchr(pa, '\n') + 1;
        pb = strchr(pb, '\n') + 1;
    }
    free(ta);
    free(tb);
    resume_refused(b);
}
END_TEST

/* --no-reference: the circuit alone.  Its classes, spikes and energies
 * are those of a run with the network (the reference never feeds the
 * circuit), the rows' algorithm_pred is -1, the report has no algorithm
 * accuracy or agreement (JSON null) and no reference time; with the
 * network its time per image is reported apart.  A results file of one
 * kind does not resume as the other. */
START_TEST(infer_no_reference)
{
    char *a = spath("noref-a.csv"), *b = spath("noref-b.csv");
    cli_result r;
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "3", "--backend", "klu", "--json",
                 "--results", a),
            &r);
    ck_exit(r, 0);
    double v;
    ck_assert_int_eq(json_num(r.out, "reference_seconds_per_image", &v), 1);
    ck_assert_msg(v > 0.0, "reference %g s per image", v);
    ck_assert_msg(strstr(r.out, "\"reference\": 1"), "%s", r.out);
    cli_free(&r);
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "3", "--backend", "klu", "--json",
                 "--results", b, "--no-reference"),
            &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.out, "\"algorithm_accuracy\": null") &&
                      strstr(r.out, "\"agreement\": null") &&
                      strstr(r.out, "\"reference\": 0") &&
                      strstr(r.out, "\"reference_seconds_per_image\": null"),
                  "%s", r.out);
    cli_free(&r);
    char *ta = read_text(a), *tb = read_text(b);
    ck_assert(ta && tb);
    /* row by row: image,label,pred,algorithm_pred,agree,spikes,energies...,seconds */
    /* past the config line and the header */
    char *pa = strchr(strchr(ta, '\n') + 1, '\n') + 1;
    char *pb = strchr(strchr(tb, '\n') + 1, '\n') + 1;
    for (int k = 0; k < 3; k++) {
        int ia, la, ca, aa, ga, sa, ib, lb, cb, ab, gb, sb;
        ck_assert_int_eq(sscanf(pa, "%d,%d,%d,%d,%d,%d", &ia, &la, &ca, &aa, &ga, &sa), 6);
        ck_assert_int_eq(sscanf(pb, "%d,%d,%d,%d,%d,%d", &ib, &lb, &cb, &ab, &gb, &sb), 6);
        ck_assert_int_eq(ia, ib);
        ck_assert_int_eq(ca, cb);
        ck_assert_int_eq(sa, sb);
        ck_assert_int_ge(aa, 0);
        ck_assert_int_eq(ab, -1);
        ck_assert_int_eq(gb, 0);
        /* the energies: from the 7th field to the seconds column, the last */
        char *enda = strchr(pa, '\n'), *endb = strchr(pb, '\n');
        ck_assert(enda && endb);
        *enda = *endb = '\0';
        const char *ea = pa, *eb = pb;
        for (int c = 0; c < 6; c++) {
            ea = strchr(ea, ',') + 1;
            eb = strchr(eb, ',') + 1;
        }
        size_t na = (size_t)(strrchr(ea, ',') - ea), nb = (size_t)(strrchr(eb, ',') - eb);
        ck_assert_msg(na == nb && !memcmp(ea, eb, na), "image %d: energies\n%s\n%s", ia, pa, pb);
        pa = enda + 1;
        pb = endb + 1;
    }
    free(ta);
    free(tb);
    /* the file of a run without the network does not resume with it */
    resume_refused(b);
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "4", "--backend", "klu", "--results",
                 b, "--resume", "--no-reference"),
            &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.out, "agreement               not run (--no-reference)"), "%s",
                  r.out);
    cli_free(&r);
}
END_TEST

/* --results naming a file with something in it: refused (usage) without
 * --resume or --overwrite, and the file is left as it was. */
START_TEST(infer_results_exists)
{
    char *res = spath("exists.csv"), *empty = spath("empty.csv");
    cli_result r;
    write_text(res, "precious data\n");
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "1", "--backend", "klu",
                 "--results", res),
            &r);
    ck_exit(r, 2);
    ck_assert_msg(strstr(r.err, res) && strstr(r.err, "--resume") &&
                      strstr(r.err, "--overwrite"),
                  "the message names not the file and both options:\n%s", r.err);
    cli_free(&r);
    char *t = read_text(res);
    ck_assert_str_eq(t, "precious data\n");
    free(t);
    /* --overwrite replaces it */
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "1", "--backend", "klu",
                 "--results", res, "--overwrite"),
            &r);
    ck_exit(r, 0);
    cli_free(&r);
    t = read_text(res);
    ck_assert_msg(strncmp(t, "# dwmtj infer: ", 15) == 0 && count_lines(t) == 3, "%s", t);
    /* the results of a run are no less precious */
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "2", "--backend", "klu",
                 "--results", res),
            &r);
    ck_exit(r, 2);
    cli_free(&r);
    char *t2 = read_text(res);
    ck_assert_str_eq(t2, t);
    free(t2);
    free(t);
    cli_run(ARGS(INFER, "--net", small_net(), "--results", res, "--resume", "--overwrite"),
            &r);
    ck_exit(r, 2);
    ck_assert_msg(strstr(r.err, "--resume") && strstr(r.err, "--overwrite"), "%s", r.err);
    cli_free(&r);
    /* an empty file holds nothing to lose */
    write_text(empty, "");
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "1", "--backend", "klu",
                 "--results", empty),
            &r);
    ck_exit(r, 0);
    cli_free(&r);
}
END_TEST

/* The lines of a results file (up to 16, malloc'd copies, without '\n'). */
static int split_lines(const char *text, char *line[16])
{
    int n = 0;
    for (const char *p = text; *p && n < 16; n++) {
        size_t len = strcspn(p, "\n");
        line[n] = strndup(p, len);
        p += len + (p[len] == '\n');
    }
    return n;
}

/* Field f (0-based; f = the number of fields: one more) of a row set to
 * v; malloc'd. */
static char *set_field(const char *row, int f, const char *v)
{
    char out[1024] = "";
    int k = 0;
    for (const char *p = row;; k++) {
        size_t len = strcspn(p, ","), at = strlen(out);
        snprintf(out + at, sizeof out - at, "%s%.*s", k ? "," : "", (int)(k == f ? strlen(v) : len),
                 k == f ? v : p);
        p += len;
        if (!*p++)
            break;
    }
    if (f == k + 1) {
        size_t at = strlen(out);
        snprintf(out + at, sizeof out - at, ",%s", v);
    }
    return strdup(out);
}

/* A row without its last field (seconds, a timing). */
static void drop_seconds(char *row)
{
    char *c = strrchr(row, ',');
    if (c)
        *c = '\0';
}

/* --resume checks every row of the results file against the data set and
 * the run (issue 11, item 7): case _i of the table below edits a
 * three-image results file; a bad row is an error naming the file and
 * line, with the file left as it was; a last line cut short or garbled
 * (an interrupted run), short or long, is dropped with a note and its
 * image runs again. */
enum { R_EDIT, R_DUP, R_TAIL, R_HEADER };
static const struct {
    int op, row, field;   /* what to change: row 0..2, field of the row */
    const char *value;    /* new field value, tail text or header */
    int line;             /* the file's line the message must name */
    const char *says;     /* ... and a word of it */
} resume_case[] = {
    { R_DUP, 1, 0, NULL, 5, "image 1" },                 /* counted twice */
    { R_EDIT, 1, 1, "LABEL+1", 4, "label" },             /* not the data set's */
    { R_EDIT, 1, 2, "99", 4, "99" },                     /* not a class */
    { R_EDIT, 1, 3, "-1", 4, "-1" },
    { R_EDIT, 1, 5, "-1000000", 4, "-1000000" },         /* spikes */
    { R_EDIT, 1, 6, "nan", 4, "nan" },                   /* energy */
    { R_EDIT, 1, 8, "inf", 4, "inf" },
    { R_EDIT, 1, 7, "-1e-13", 4, "-1e-13" },
    { R_EDIT, 1, 7, "1e-9", 4, "energy_J" },             /* not the sum of its parts */
    { R_EDIT, 1, 16, "-0.5", 4, "seconds" },
    { R_EDIT, 1, 12, "inf", 4, "energy_sense_J" },      /* a component */
    { R_EDIT, 1, 14, "-1e-12", 4, "energy_static_J" },  /* static cannot be < 0 */
    { R_EDIT, 1, 15, "nan", 4, "energy_balance" },
    { R_EDIT, 1, 0, "7", 4, "image 7" },                 /* outside --images 3 */
    { R_EDIT, 1, 4, "AGREE!", 4, "agree" },              /* pred == algorithm_pred? */
    { R_EDIT, 1, 5, "12x", 4, "spikes" },                /* malformed, not last */
    { R_EDIT, 1, 17, "5", 4, "17" },                     /* a field too many */
    { R_HEADER, 0, 0, "image,label,pred", 2, "header" },
    { R_TAIL, 2, 0, "2,1,1,ab", 5, "dropped" },          /* short garbage, no newline */
    { R_TAIL, 2, 0, "LONG", 5, "dropped" },              /* long garbage */
    { R_TAIL, 2, 0, "CUT", 5, "dropped" },               /* a row cut mid-field */
    { R_TAIL, 2, 0, "2,1,1\n", 5, "dropped" },           /* short, with its newline */
};
#define N_RESUME_CASES ((int)(sizeof resume_case / sizeof *resume_case))

START_TEST(infer_resume_rows)
{
    char base[64], path[64];
    snprintf(base, sizeof base, "resume-base-%d.csv", _i);
    snprintf(path, sizeof path, "resume-%d.csv", _i);
    char *bp = strdup(spath(base)), *rp = strdup(spath(path));
    cli_result r;
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "3", "--backend", "klu",
                 "--results", bp),
            &r);
    ck_exit(r, 0);
    cli_free(&r);
    char *text = read_text(bp), *line[16];
    ck_assert_int_eq(split_lines(text, line), 5);
    /* the edited file */
    char edited[16384] = "";
    size_t n = 0;
    const char *v = resume_case[_i].value;
    int row = resume_case[_i].row, op = resume_case[_i].op;
    for (int l = 0; l < 5; l++) {
        char *ln = line[l], *mine = NULL;
        if (op == R_HEADER && l == 1)
            ln = (char *)v;
        if (op == R_EDIT && l == 2 + row) {
            char val[64];
            if (strcmp(v, "LABEL+1") == 0) {
                snprintf(val, sizeof val, "%d", (atoi(strchr(ln, ',') + 1) + 1) % 10);
                v = val;
            } else if (strcmp(v, "AGREE!") == 0) {
                int pr, ap, ag;
                ck_assert_int_eq(sscanf(ln, "%*d,%*d,%d,%d,%d", &pr, &ap, &ag), 3);
                snprintf(val, sizeof val, "%d", !ag);
                v = val;
            }
            ln = mine = set_field(ln, resume_case[_i].field, v);
        }
        if (op == R_TAIL && l == 2 + row) {
            if (strcmp(v, "LONG") == 0) {
                for (int k = 0; k < 5000; k++)
                    edited[n++] = (char)('a' + k % 26);
                edited[n] = '\0';
            } else if (strcmp(v, "CUT") == 0) {
                n += (size_t)snprintf(edited + n, sizeof edited - n, "%.*s",
                                      (int)strlen(ln) - 3, ln);
            } else {
                n += (size_t)snprintf(edited + n, sizeof edited - n, "%s", v);
            }
            break;
        }
        n += (size_t)snprintf(edited + n, sizeof edited - n, "%s\n", ln);
        if (op == R_DUP && l == 2 + row)
            n += (size_t)snprintf(edited + n, sizeof edited - n, "%s\n", ln);
        free(mine);
    }
    write_text(rp, edited);
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "3", "--backend", "klu",
                 "--results", rp, "--resume", "--json"),
            &r);
    char where[128];
    snprintf(where, sizeof where, "%s:%d", path, resume_case[_i].line);
    ck_assert_msg(strstr(r.err, where) && strstr(r.err, resume_case[_i].says),
                  "case %d: the message does not name %s and \"%s\":\n%s", _i, where,
                  resume_case[_i].says, r.err);
    char *after = read_text(rp);
    if (op != R_TAIL) {
        ck_exit(r, 1);
        ck_assert_msg(strcmp(after, edited) == 0, "case %d: the file was changed:\n%s", _i,
                      after);
    } else {
        /* dropped, run again: the rows of the uninterrupted run */
        ck_exit(r, 0);
        double images;
        ck_assert_int_eq(json_num(r.out, "images", &images), 1);
        ck_assert_msg(images == 3, "case %d: %g images", _i, images);
        char *got[16];
        ck_assert_int_eq(split_lines(after, got), 5);
        for (int l = 0; l < 5; l++) {
            if (l >= 2) {
                drop_seconds(got[l]);
                drop_seconds(line[l]);
            }
            ck_assert_str_eq(got[l], line[l]);
            free(got[l]);
        }
    }
    cli_free(&r);
    for (int l = 0; l < 5; l++)
        free(line[l]);
    free(after);
    free(text);
    free(bp);
    free(rp);
}
END_TEST

/* infer's and bench's numbers are checked at the command line: a usage
 * error naming the option, the value and the rule, before anything runs. */
START_TEST(infer_option_ranges)
{
    static const char *const bad[][4] = {
        { "infer", "--g-min", "0", "--g-min 0: must be > 0 S" },
        { "infer", "--g-min", "-1u", "--g-min -1u: must be > 0 S" },
        { "infer", "--g-max", "0.5u", "--g-max 0.5u: must be above --g-min" },
        { "infer", "--g-max", "2", "--g-max 2: must be > 0 and <= 1 S" },
        { "infer", "--v-read", "1e300", "--v-read 1e300: must be >= 0.001 and <= 10 V" },
        { "infer", "--v-read", "0", "--v-read 0: must be >= 0.001 and <= 10 V" },
        { "infer", "--v-read", "1u", "--v-read 1u: must be >= 0.001 and <= 10 V" },
        { "infer", "--v-read", "nan", "--v-read nan: not a number" },
        { "infer", "--i-max", "0", "--i-max 0: must be > 0 A" },
        { "infer", "--i-max", "-2m", "--i-max -2m: must be > 0 A" },
        { "infer", "--timeout", "0", "--timeout 0: must be > 0 s" },
        { "infer", "--tmax", "0", "--tmax 0: must be > 0 and <= 1e-06 s" },
        { "infer", "--batch", "0", "--batch 0: not an integer in 1.." },
        { "infer", "--images", "0", "--images 0: not an integer in 1.." },
        { "infer", "--offset", "-1", "--offset -1: not an integer in 0.." },
        { "infer", "--levels", "1", "--levels 1: not an integer in 2..65536" },
        { "bench", "--r-wire", "-1", "--r-wire -1: must be >= 0 and <= 1e+06 Ohm" },
        { "bench", "--r-wire", "1e300", "--r-wire 1e300: must be >= 0 and <= 1e+06 Ohm" },
        { "bench", "--images", "0", "--images 0: not an integer in 1..10000" },
        { "bench", "--ngspice-images", "-1", "--ngspice-images -1: not an integer in 0..10000" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        cli_result r;
        cli_run(ARGS(bad[k][0], "--net", small_net(), "--backend", "klu", bad[k][1], bad[k][2]),
                &r);
        if (strcmp(bad[k][0], "bench") == 0) { /* bench has no --backend */
            cli_free(&r);
            cli_run(ARGS(bad[k][0], "--net", small_net(), bad[k][1], bad[k][2]), &r);
        }
        ck_assert_msg(r.code == 2 && strstr(r.err, bad[k][3]),
                      "%s %s %s: exit %d, wanted 2 and \"%s\":\n%s", bad[k][0], bad[k][1],
                      bad[k][2], r.code, bad[k][3], r.err);
        ck_assert_str_eq(r.out, "");
        cli_free(&r);
    }
}
END_TEST

/* --batch larger than the run: sized by the images, not the batch (was
 * out of memory for one image with --batch 100000). */
START_TEST(infer_batch_memory)
{
    cli_opts o = { .mem_limit = 256L << 20 };
    cli_result r;
    cli_run_opts(ARGS(INFER, "--net", small_net(), "--images", "1", "--backend", "klu"), &o,
                 &r);
    if (r.code != 0) {
        /* a build that needs more address space (sanitizers): no measure here */
        cli_free(&r);
        return;
    }
    cli_free(&r);
    cli_run_opts(ARGS(INFER, "--net", small_net(), "--images", "1", "--backend", "klu",
                      "--batch", "100000", "--json"),
                 &o, &r);
    ck_exit(r, 0);
    double n;
    ck_assert_int_eq(json_num(r.out, "images", &n), 1);
    ck_assert(n == 1);
    cli_free(&r);
}
END_TEST

/* The number after "key": at the first occurrence past the first
 * occurrence of `after' in a JSON document (NaN if none). */
static double num_after(const char *doc, const char *after, const char *key)
{
    const char *p = strstr(doc, after);
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    p = p ? strstr(p, pat) : NULL;
    return p ? strtod(p + strlen(pat), NULL) : NAN;
}

/* The klu backend: the same JSON keys as ngspice's, the same predictions
 * on the same images; an unknown backend is a usage error. */
START_TEST(infer_klu)
{
    char *a = spath("klu_a.csv"), *b = spath("klu_b.csv");
    cli_result r;
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "3", "--results", a, "--backend",
                 "klu", "--json"),
            &r);
    ck_exit(r, 0);
    static const char *const keys[] = { "accuracy", "algorithm_accuracy", "agreement",
                                        "energy_per_inference_J", "latency_per_inference_s",
                                        "seconds_per_image" };
    for (int k = 0; k < 6; k++) {
        double v;
        ck_assert_msg(json_num(r.out, keys[k], &v) == 1, "%s in\n%s", keys[k], r.out);
    }
    ck_assert_msg(strstr(r.out, "\"backend\": \"klu\""), "%s", r.out);
    cli_free(&r);
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "3", "--results", b), &r);
    ck_exit(r, 0);
    cli_free(&r);
    char *ta = read_text(a), *tb = read_text(b);
    int pa[3], pb[3];
    ck_assert_int_eq(results_column(ta, 2, pa, 3), 3);
    ck_assert_int_eq(results_column(tb, 2, pb, 3), 3);
    for (int k = 0; k < 3; k++)
        ck_assert_int_eq(pa[k], pb[k]);
    /* a klu results file does not resume an ngspice run */
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "4", "--results", a, "--resume"), &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, "another network or options") != NULL, "%s", r.err);
    cli_free(&r);
    cli_run(ARGS(INFER, "--net", small_net(), "--backend", "klu", "--naive"), &r);
    ck_exit(r, 2);
    cli_free(&r);
    /* the KLU engine keeps --timeout too (issue 11, item 14) */
    cli_run(ARGS(INFER, "--net", small_net(), "--images", "2", "--results", b, "--overwrite",
                 "--backend", "klu", "--timeout", "1e-6"),
            &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, "time limit of 1e-06 s"), "%s", r.err);
    cli_free(&r);
    cli_run(ARGS(INFER, "--net", small_net(), "--backend", "klu", "--i-max", "0"), &r);
    ck_exit(r, 2);
    ck_assert_msg(strstr(r.err, "--i-max") != NULL, "%s", r.err);
    cli_free(&r);
    static const char *const choices[][3] = { { "--backend", "spice3", "ngspice, klu" },
                                              { "--klu-steps", "fine", "ngspice, exact, neuron" },
                                              { "--network-clamp", "soft", "edges, continuous" } };
    for (int k = 0; k < 3; k++) {
        cli_run(ARGS(INFER, "--net", small_net(), choices[k][0], choices[k][1]), &r);
        ck_exit(r, 2);
        ck_assert_msg(strstr(r.err, choices[k][0]) && strstr(r.err, choices[k][1]) &&
                          strstr(r.err, choices[k][2]),
                      "%s %s: %s", choices[k][0], choices[k][1], r.err);
        cli_free(&r);
    }
    free(ta);
    free(tb);
}
END_TEST

/* infer's algorithm level is train's evaluation: a noisy DW-MTJ network
 * trained here, then run by infer on the same test images, must score
 * exactly what train logged (same weights, same input-spike and noise keys;
 * keying test images as training images' 0..N-1 scored 38.0 % against
 * train's 39.5 % on a net like this one). */
START_TEST(infer_matches_train)
{
    char *net = spath("tiny_noisy.net"), *log = spath("tiny_noisy.csv");
    cli_result r;
    cli_run(ARGS("train", "--neuron", "dwmtj-noisy", "--downsample", "2", "--hidden", "16",
                 "--train-images", "500", "--test-images", "200", "--batch", "25", "--lr",
                 "1e-2", "--epochs", "2", "--seed", "1", "--out", net, "--log", log),
            &r);
    ck_exit(r, 0);
    cli_free(&r);
    char *csv = read_text(log);
    ck_assert_ptr_nonnull(csv);
    int e;
    double loss, acc_train, secs;
    const char *last = strrchr(csv, '\n');
    while (last > csv && last[-1] != '\n')
        last--; /* the log ends with a newline: back to the start of its last row */
    ck_assert_int_eq(sscanf(last, "%d,%lf,%lf,%lf", &e, &loss, &acc_train, &secs), 4);
    ck_assert_int_eq(e, 2);
    free(csv);
    ck_assert_msg(acc_train > 0.25, "train scored %g: too close to chance to tell keys apart",
                  acc_train);
    cli_run(ARGS(INFER, "--net", net, "--images", "200", "--backend", "klu", "--json"), &r);
    ck_exit(r, 0);
    double acc_infer;
    ck_assert_int_eq(json_num(r.out, "algorithm_accuracy", &acc_infer), 1);
    ck_assert_msg(fabs(acc_infer - acc_train) < 0.25 / 200,
                  "infer's network scored %g on test images 0..199, train logged %g", acc_infer,
                  acc_train);
    cli_free(&r);
}
END_TEST

/* Every timing object {runs, cpu_min, cpu_median, cpu_max, wall_min,
 * wall_median, wall_max} of a bench report: min <= median <= max, times
 * > 0 (the engine's crossbar part has wall time only: cpu null); returns
 * how many there are. */
static int bench_check_timings(const char *doc)
{
    static const char *const keys[] = { "cpu_min", "cpu_median", "cpu_max",
                                        "wall_min", "wall_median", "wall_max" };
    int n = 0;
    for (const char *p = strstr(doc, "\"runs\":"); p; p = strstr(p + 1, "\"runs\":"), n++) {
        const char *end = strchr(p, '}');
        ck_assert_ptr_nonnull(end);
        double v[6];
        for (int k = 0; k < 6; k++) {
            char pat[32];
            snprintf(pat, sizeof pat, "\"%s\":", keys[k]);
            const char *q = strstr(p, pat);
            ck_assert_msg(q && q < end, "no %s in the timing at %.200s", keys[k], p);
            q += strlen(pat);
            while (*q == ' ')
                q++;
            v[k] = strncmp(q, "null", 4) == 0 ? NAN : strtod(q, NULL);
        }
        ck_assert_msg(strtod(p + 7, NULL) >= 1.0, "%.200s", p);
        for (int k = 0; k < 6; k += 3) {
            if (k == 0 && isnan(v[0]) && isnan(v[1]) && isnan(v[2]))
                continue; /* wall time only */
            ck_assert_msg(v[k] > 0.0 && v[k] <= v[k + 1] && v[k + 1] <= v[k + 2],
                          "%s %g, median %g, max %g at %.300s", keys[k], v[k], v[k + 1],
                          v[k + 2], p);
        }
        ck_assert_msg(!isnan(v[3]), "no wall time at %.200s", p);
    }
    return n;
}

/* The values in the JSON array of key, at its first occurrence past the
 * first occurrence of `after' (-1 if none). */
static int bench_array_len(const char *doc, const char *after, const char *key)
{
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\": [", key);
    const char *p = strstr(doc, after);
    p = p ? strstr(p, pat) : NULL;
    if (!p)
        return -1;
    p += strlen(pat);
    const char *end = strchr(p, ']');
    ck_assert_ptr_nonnull(end);
    int n = 0, empty = 1;
    for (; p < end; p++) {
        n += *p == ',';
        empty &= *p == ' ' || *p == '\n';
    }
    return empty ? 0 : n + 1;
}

/* dwmtj bench on the small network and one small crossbar: both backends,
 * the same classes, every figure as CPU and wall time over --repeats runs,
 * one speedup per ngspice image with its min <= median <= max, both
 * floors, the per-neuron floor, the ratios, peak memory.  No speed is
 * asserted: only counts, relations of min, median and max, and signs. */
START_TEST(bench_json)
{
    cli_result r;
    cli_run(ARGS("bench", "--net", small_net(), "--images", "3", "--ngspice-images", "2",
                 "--repeats", "3", "--floor-seconds", "0.05", "--sizes", "16x4", "--r-wire",
                 "2", "--json"),
            &r);
    ck_exit(r, 0);
    ck_assert_int_eq(json_parse(r.out, "network", NULL), 0);
    double v[3];
    ck_assert_int_eq(json_num(r.out, "speedup_min", &v[0]), 1);
    ck_assert_int_eq(json_num(r.out, "speedup_median", &v[1]), 1);
    ck_assert_int_eq(json_num(r.out, "speedup_max", &v[2]), 1);
    ck_assert_msg(v[0] > 0.0 && v[0] <= v[1] && v[1] <= v[2], "speedups %g %g %g", v[0], v[1],
                  v[2]);
    ck_assert_int_eq(bench_array_len(r.out, "\"network\"", "speedup_per_image"), 2);
    ck_assert_int_eq(json_num(r.out, "engine_over_neuron_floor", &v[0]), 1);
    ck_assert_int_eq(json_num(r.out, "crossbar_over_event_floor", &v[1]), 1);
    ck_assert_msg(v[0] > 0.0 && v[1] > 0.0, "ratios %g %g", v[0], v[1]);
    ck_assert_int_eq(json_num(r.out, "ranks2_speedup", &v[0]), 0); /* not asked: null */
    char *why = json_value(r.out, "ranks2_reason");
    ck_assert_msg(strstr(why, "--ranks2") != NULL, "%s", why);
    free(why);
    ck_assert_int_eq(json_num(r.out, "peak_rss_kib", &v[0]), 1);
    ck_assert_msg(v[0] > 1000.0, "peak RSS %g KiB", v[0]);
    ck_assert_int_eq(json_num(r.out, "repeats", &v[0]), 1);
    ck_assert(v[0] == 3.0);
    /* klu 3 runs of each image, ngspice 1 (--ngspice-repeats' default) */
    ck_assert(num_after(r.out, "\"klu\"", "repeats") == 3.0);
    ck_assert(num_after(r.out, "\"klu\"", "runs") == 3.0);
    ck_assert(num_after(r.out, "\"ngspice\"", "repeats") == 1.0);
    ck_assert(num_after(r.out, "\"ngspice\"", "runs") == 1.0);
    ck_assert(num_after(r.out, "\"neuron_floor\"", "runs") == 3.0);
    ck_assert(num_after(r.out, "\"event_floor\"", "runs") == 3.0);
    ck_assert_int_eq(bench_array_len(r.out, "\"klu\"", "image_cpu_seconds"), 3);
    ck_assert_int_eq(bench_array_len(r.out, "\"ngspice\"", "image_cpu_seconds"), 2);
    /* network: klu (6 objects: image, ns, crossbar part twice, neuron part
     * twice), ngspice (2), the floors (1 + 2 + 3); the crossbar: the same
     * and klu_wired (6) */
    ck_assert_int_eq(bench_check_timings(r.out), 14 + 20);
    ck_assert(num_after(r.out, "\"network\"", "same_class") == 2.0);
    ck_assert(num_after(r.out, "\"network\"", "compared") == 2.0);
    ck_assert(num_after(r.out, "\"event_floor\"", "events_per_image") > 0.0);
    ck_assert(num_after(r.out, "\"dense_floor\"", "cpu_median") > 0.0);
    ck_assert(num_after(r.out, "\"klu\"", "setup_seconds") >= 0.0);
    ck_assert_msg(num_after(r.out, "\"crossbars\"", "rows") == 16.0, "%s", r.out);
    ck_assert_msg(num_after(r.out, "\"klu_wired\"", "wall_median") > 0.0, "%s", r.out);
    ck_assert(num_after(r.out, "\"crossbars\"", "compared") == 1.0);
    cli_free(&r);
    /* the same figures as doc/engine.md's table: a header, a row per circuit
     * (the network, the crossbar), the ranks and the memory */
    cli_run(ARGS("bench", "--net", small_net(), "--images", "2", "--ngspice-images", "1",
                 "--repeats", "2", "--floor-seconds", "0.02", "--sizes", "8x4", "--r-wire", "0",
                 "--markdown"),
            &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.out, "| circuit | synapses | neurons | klu s/image |") &&
                      strstr(r.out, "\n| dwmtj-fmnist-14.net | 6634 | 42 | ") &&
                      strstr(r.out, "\n| crossbar 8×4 | 36 | 4 | ") &&
                      strstr(r.out, "two ranks against one: not measured") &&
                      strstr(r.out, "peak memory"), "%s", r.out);
    cli_free(&r);
    cli_run(ARGS("bench", "--sizes", "16by4"), &r);
    ck_exit(r, 2);
    ck_assert_msg(strstr(r.err, "--sizes") != NULL, "%s", r.err);
    cli_free(&r);
    cli_run(ARGS("bench", "--net", spath("none.net")), &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, "none.net") != NULL, "%s", r.err);
    cli_free(&r);
}
END_TEST

/* bench's repeat counts and floor time are checked at the command line: a
 * usage error naming the option and the value, before anything runs. */
START_TEST(bench_options)
{
    static const char *const bad[][5] = {
        { "--repeats", "0", NULL, NULL, "--repeats 0: not an integer in 1..1000" },
        { "--repeats", "1001", NULL, NULL, "--repeats 1001: not an integer in 1..1000" },
        { "--ngspice-repeats", "0", NULL, NULL, "--ngspice-repeats 0: not an integer in" },
        { "--floor-seconds", "-1", NULL, NULL, "--floor-seconds -1: must be > 0" },
        { "--floor-seconds", "0", NULL, NULL, "--floor-seconds 0: must be > 0" },
        { "--floor-seconds", "1e9", NULL, NULL, "--floor-seconds 1e9: must be > 0 and <= 600" },
        { "--images", "3", "--ngspice-images", "4", "--ngspice-images 4: more than --images 3" },
        { "--widths", "0", NULL, NULL, "--widths 0: expected H[,H...] with H in 1..4096" },
        { "--widths", "8x2", NULL, NULL, "--widths 8x2: expected H[,H...]" },
        { "--klu-steps", "fine", NULL, NULL, "--klu-steps" },
        { "--json", "--markdown", NULL, NULL, "--json and --markdown: one report at a time" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        cli_result r;
        if (bad[k][2])
            cli_run(ARGS("bench", "--net", small_net(), bad[k][0], bad[k][1], bad[k][2],
                         bad[k][3]),
                    &r);
        else
            cli_run(ARGS("bench", "--net", small_net(), bad[k][0], bad[k][1]), &r);
        ck_assert_msg(r.code == 2 && strstr(r.err, bad[k][4]),
                      "bench %s %s: exit %d, wanted 2 and \"%s\":\n%s", bad[k][0], bad[k][1],
                      r.code, bad[k][4], r.err);
        ck_assert_str_eq(r.out, "");
        cli_free(&r);
    }
}
END_TEST

/* --ranks2: two ranks against one under mpirun on the same images, or null
 * with the reason when there is no mpirun. */
START_TEST(bench_ranks2)
{
    cli_result r;
    cli_run(ARGS("bench", "--net", small_net(), "--images", "2", "--ngspice-images", "0",
                 "--repeats", "1", "--floor-seconds", "0.01", "--sizes", "4x2", "--r-wire",
                 "0", "--ranks2", "--ranks-images", "3", "--widths", "6", "--json"),
            &r);
    ck_exit(r, 0);
    double v;
    int ranks = json_num(r.out, "ranks2_speedup", &v);
    if (ranks) {
        ck_assert_msg(v > 0.0, "ranks2_speedup %g", v);
        ck_assert(num_after(r.out, "\"two_ranks_seconds\"", "runs") == 1.0);
        ck_assert(num_after(r.out, "\"ranks2\"", "images") == 3.0);
        ck_assert(num_after(r.out, "\"one_rank_seconds\"", "wall_median") > 0.0);
    } else {
        char *why = json_value(r.out, "ranks2_reason");
        ck_assert_msg(strstr(why, "mpirun") != NULL, "%s", why);
        free(why);
    }
    /* no ngspice images: the speedups are null, not numbers */
    ck_assert_int_eq(json_num(r.out, "speedup_median", &v), 0);
    /* klu (6) and the floors (6) of the network, the 196-6-6-10 network of
     * --widths and the crossbar, the ranks (2) */
    ck_assert_int_eq(bench_check_timings(r.out), 3 * 12 + 2 * ranks);
    ck_assert(num_after(r.out, "\"widths\"", "hidden") == 6.0);
    ck_assert(num_after(r.out, "\"widths\"", "neurons") == 22.0);
    ck_assert(num_after(r.out, "\"network\"", "neurons") == 42.0);
    /* each neuron on its own points, the default */
    ck_assert(num_after(r.out, "\"network\"", "groups_split") == 42.0);
    /* behind the ideal mirror: in closed form, on folded lines */
    ck_assert(num_after(r.out, "\"network\"", "groups_open") == 42.0);
    ck_assert(num_after(r.out, "\"network\"", "groups_folded") == 42.0);
    char *steps = json_value(r.out, "klu_steps");
    ck_assert_msg(steps && strstr(steps, "neuron"), "%s", steps ? steps : "(none)");
    free(steps);
    cli_free(&r);
}
END_TEST

/* ------------------------------------------------------------------------
 * options: getopt_long for run, array, infer, bench and the top level
 * --------------------------------------------------------------------- */

/* --opt=value and --opt value, and unambiguous abbreviations, alike. */
START_TEST(opt_forms)
{
    char net[4200];
    snprintf(net, sizeof net, "--net=%s", small_net());
    static const char *const forms[][9] = {
        { INFER, "NET", "--images=2", "--backend=klu", "--json", NULL },
        { INFER, "--net", "PATH", "--images", "2", "--backend", "klu", "--json" },
        { "infer", "--allow", "--json", "NET", "--imag", "2", "--back", "klu", NULL },
    };
    for (int k = 0; k < 3; k++) {
        const char *argv[10] = { 0 };
        for (int a = 0; a < 9 && forms[k][a]; a++)
            argv[a] = strcmp(forms[k][a], "NET") == 0    ? net
                      : strcmp(forms[k][a], "PATH") == 0 ? small_net()
                                                          : forms[k][a];
        cli_result r;
        cli_run(argv, &r);
        ck_exit(r, 0);
        double n;
        ck_assert_int_eq(json_num(r.out, "images", &n), 1);
        ck_assert_msg(n == 2, "form %d: %g images", k, n);
        cli_free(&r);
    }
    /* "--" ends the options: what follows is the netlist */
    cli_result r;
    cli_run(ARGS("run", "--json", "--", "--csv"), &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, "--csv"), "%s", r.err);
    cli_free(&r);
}
END_TEST

/* Each kind of bad option is a usage error whose message names it. */
START_TEST(opt_errors)
{
    static const char *const bad[][6] = {
        /* args..., then what the message must say (two strings) */
        { "run", "x.cir", "--json=yes", NULL, "'--json'", "takes no value" },
        { "array", "--json=1", NULL, NULL, "'--json'", "takes no value" },
        { "--version=1", NULL, NULL, NULL, "'--version'", "takes no value" },
        { "infer", "--g-m", "1u", NULL, "'--g-m' is ambiguous", "--g-min, --g-max" },
        { "infer", "--res", "x.csv", NULL, "'--res' is ambiguous", "--results, --resume" },
        { "infer", "--images", NULL, NULL, "--images", "needs a value" },
        { "bench", "--sizes", NULL, NULL, "--sizes", "needs a value" },
        { "bench", "--frobnicate=2", NULL, NULL, "unknown option '--frobnicate'", "bench" },
        { "array", "-x", NULL, NULL, "unknown option '-x'", "array" },
        { "run", "-q", "x.cir", NULL, "unknown option '-q'", "run" },
        { "array", "--rows", "0", NULL, "--rows 0", "1..1000000" },
        { "array", "--seed", "-1", NULL, "--seed -1", "seed" },
        { "array", "--arm", "sometimes", NULL, "--arm sometimes", "reset or clock" },
        { "run", "x.cir", "--timeout", "soon", "--timeout soon", "seconds" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        const char *argv[5] = { 0 };
        for (int a = 0; a < 4 && bad[k][a]; a++)
            argv[a] = bad[k][a];
        cli_result r;
        cli_run(argv, &r);
        ck_assert_msg(r.code == 2, "dwmtj %s %s: exit %d, wanted 2; stderr: %s", bad[k][0],
                      bad[k][1] ? bad[k][1] : "", r.code, r.err);
        ck_assert_msg(strstr(r.err, bad[k][4]) && strstr(r.err, bad[k][5]),
                      "dwmtj %s %s: the message lacks \"%s\" or \"%s\":\n%s", bad[k][0],
                      bad[k][1] ? bad[k][1] : "", bad[k][4], bad[k][5], r.err);
        ck_assert_str_eq(r.out, "");
        cli_free(&r);
    }
}
END_TEST

/* ------------------------------------------------------------------------
 * output targets: every output file is written whole through
 * util/dwmtj_file, and never renamed over what is not a regular file
 * --------------------------------------------------------------------- */

enum { T_DEVICE, T_FIFO, T_SYMLINK, T_DIR, T_KINDS };
static const char *const kind_name[T_KINDS] = { "device", "fifo", "symlink", "directory" };
enum { C_RUN, C_ARRAY, C_INFER, C_COMMANDS };

/* The arguments of command c with its outputs at out[0..], into argv;
 * the number of outputs, and what each must start with or contain. */
static int target_cmd(int c, char out[2][4200], const char **argv, const char **want)
{
    int n = 0, k = 0;
    if (c == C_RUN) {
        argv[n++] = "run";
        argv[n++] = netlist("fig3a.cir");
        argv[n++] = "--csv";
        argv[n++] = out[k];
        want[k++] = "neuron,t_write_s,";
        if (system("command -v gnuplot >/dev/null 2>&1") == 0) {
            argv[n++] = "--plot";
            argv[n++] = out[k];
            want[k++] = "\x89PNG";
        }
    } else if (c == C_ARRAY) {
        static const char *const a[] = { "array", "--rows", "2", "--cols", "1", "--tstop", "2u" };
        for (size_t i = 0; i < sizeof a / sizeof *a; i++)
            argv[n++] = a[i];
        argv[n++] = "--netlist-out";
        argv[n++] = out[k];
        want[k++] = "dwmtj4t";
        argv[n++] = "--csv";
        argv[n++] = out[k];
        want[k++] = "neuron,t_write_s,";
    } else {
        static const char *const a[] = { INFER, "--images", "1", "--backend", "klu", "--net" };
        for (size_t i = 0; i < sizeof a / sizeof *a; i++)
            argv[n++] = a[i];
        argv[n++] = small_net();
        argv[n++] = "--results";
        argv[n++] = out[k];
        want[k++] = "# dwmtj infer: ";
    }
    argv[n] = NULL;
    return k;
}

/* a + b into dst (n bytes); fails the test if it does not fit. */
static char *cat_path(char *dst, size_t n, const char *a, const char *b)
{
    ck_assert_msg((size_t)snprintf(dst, n, "%s%s", a, b) < n, "path too long: %s%s", a, b);
    return dst;
}

/* A reader of the FIFO at path: copies what it reads into path.got. */
static pid_t fifo_reader(const char *path)
{
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        alarm(60); /* never outlives a test that failed */
        char got[8600];
        cat_path(got, sizeof got, path, ".got");
        int in = open(path, O_RDONLY), out = open(got, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        char buf[8192];
        ssize_t r;
        while (in >= 0 && out >= 0 && (r = read(in, buf, sizeof buf)) > 0)
            if (write(out, buf, (size_t)r) != r)
                _exit(1);
        _exit(in >= 0 && out >= 0 ? 0 : 1);
    }
    return pid;
}

/* Waits up to s seconds for the reader; 1 if it ended by itself. */
static int reader_done(pid_t pid, double s)
{
    int st;
    for (double t0 = now(); now() - t0 < s;) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) && WEXITSTATUS(st) == 0;
        nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return 0;
}

static int starts_or_has(const char *text, const char *want)
{
    return text && (strncmp(text, want, strlen(want)) == 0 || strstr(text, want));
}

static int dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return 0;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n == 0;
}

/* A character device of our own, the twin of /dev/null (root only); 0 if
 * it cannot be made or written here. */
static int make_null(const char *path)
{
    if (mknod(path, S_IFCHR | 0666, makedev(1, 3)) != 0)
        return 0;
    int fd = open(path, O_WRONLY);
    if (fd < 0) {
        unlink(path);
        return 0; /* a nodev file system */
    }
    close(fd);
    return 1;
}

static int is_kind(const char *path, mode_t kind)
{
    struct stat st;
    return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == kind;
}

/* Command _i / T_KINDS with its outputs at targets of kind _i % T_KINDS. */
START_TEST(out_target)
{
    int c = _i / T_KINDS, kind = _i % T_KINDS;
    char out[2][4200], target[2][4300];
    const char *argv[32], *want[2];
    for (int k = 0; k < 2; k++) {
        char name[64];
        snprintf(name, sizeof name, "tgt-%d-%s-%d", c, kind_name[kind], k);
        snprintf(out[k], sizeof out[k], "%s", spath(name));
        cat_path(target[k], sizeof target[k], out[k], ".target");
    }
    int n = target_cmd(c, out, argv, want);
    pid_t reader[2] = { -1, -1 };
    for (int k = 0; k < n; k++) {
        switch (kind) {
        case T_DEVICE:
            if (!make_null(out[k]))
                return; /* not root: /dev/null itself is out_dev_null's */
            break;
        case T_FIFO:
            ck_assert_int_eq(mkfifo(out[k], 0600), 0);
            reader[k] = fifo_reader(out[k]);
            break;
        case T_SYMLINK: {
            /* run and array replace a file with data, infer starts an empty one */
            write_text(target[k], c == C_INFER ? "" : "old contents\n");
            const char *base = strrchr(target[k], '/') + 1;
            ck_assert_int_eq(symlink(base, out[k]), 0);
            break;
        }
        case T_DIR: ck_assert_int_eq(mkdir(out[k], 0700), 0); break;
        }
    }
    cli_result r;
    cli_opts o = { .timeout = 120 };
    cli_run_opts(argv, &o, &r);
    int got[2] = { 1, 1 };
    for (int k = 0; k < n; k++)
        if (reader[k] > 0)
            got[k] = reader_done(reader[k], 10.0);
    if (kind == T_DIR) {
        ck_exit(r, 3);
        ck_assert_msg(strstr(r.err, out[0]) || (n > 1 && strstr(r.err, out[1])),
                      "the message names no output:\n%s", r.err);
    } else {
        ck_exit(r, 0);
    }
    for (int k = 0; k < n; k++) {
        char part[8700], tmp[8700], tpart[8700];
        cat_path(part, sizeof part, out[k], ".part");
        cat_path(tmp, sizeof tmp, out[k], ".tmp");
        cat_path(tpart, sizeof tpart, target[k], ".part");
        ck_assert_msg(!exists(part) && !exists(tmp) && !exists(tpart), "%s: a .part remains",
                      out[k]);
        const char *what = argv[0];
        if (kind == T_DEVICE) {
            ck_assert_msg(is_kind(out[k], S_IFCHR), "%s %s: the device was replaced", what,
                          out[k]);
        } else if (kind == T_FIFO) {
            ck_assert_msg(is_kind(out[k], S_IFIFO), "%s %s: the FIFO was replaced", what,
                          out[k]);
            ck_assert_msg(got[k], "%s %s: the FIFO's reader got no end of file", what, out[k]);
            char got_path[8600];
            cat_path(got_path, sizeof got_path, out[k], ".got");
            char *text = read_text(got_path);
            ck_assert_msg(starts_or_has(text, want[k]), "%s %s: the reader got %.200s", what,
                          out[k], text ? text : "(nothing)");
            free(text);
        } else if (kind == T_SYMLINK) {
            char link[8600];
            ssize_t l = readlink(out[k], link, sizeof link - 1);
            ck_assert_msg(l > 0, "%s %s: no longer a symbolic link", what, out[k]);
            link[l] = '\0';
            ck_assert_str_eq(link, strrchr(target[k], '/') + 1);
            char *text = read_text(target[k]);
            ck_assert_msg(starts_or_has(text, want[k]), "%s %s: the link's file has %.200s",
                          what, out[k], text ? text : "(nothing)");
            free(text);
        } else {
            ck_assert_msg(is_kind(out[k], S_IFDIR) && dir_is_empty(out[k]),
                          "%s %s: the directory changed", what, out[k]);
        }
    }
    cli_free(&r);
}
END_TEST

/* /dev/null as every output, once a device of our own has come through
 * unharmed (so that a tool that replaces devices never meets the real
 * one as root). */
START_TEST(out_dev_null)
{
    for (int c = 0; c < C_COMMANDS; c++) {
        char out[2][4200];
        const char *argv[32], *want[2];
        snprintf(out[0], sizeof out[0], "%s", spath("null-0"));
        snprintf(out[1], sizeof out[1], "%s", spath("null-1"));
        int n = target_cmd(c, out, argv, want);
        int own = 1;
        for (int k = 0; k < n && own; k++)
            own = make_null(out[k]);
        if (!own && geteuid() == 0)
            return; /* no device of our own to try first */
        cli_result r;
        cli_opts o = { .timeout = 120 };
        if (own) {
            cli_run_opts(argv, &o, &r);
            ck_exit(r, 0);
            cli_free(&r);
            for (int k = 0; k < n; k++) {
                ck_assert_msg(is_kind(out[k], S_IFCHR), "%s: %s was replaced", argv[0], out[k]);
                unlink(out[k]);
            }
        }
        for (int k = 0; k < n; k++)
            snprintf(out[k], sizeof out[k], "/dev/null");
        cli_run_opts(argv, &o, &r);
        ck_exit(r, 0);
        cli_free(&r);
        ck_assert_msg(is_kind("/dev/null", S_IFCHR), "/dev/null is no longer a device");
    }
}
END_TEST

/* ------------------------------------------------------------------------
 * check: the lint of a netlist (issue 11, item 1)
 * --------------------------------------------------------------------- */

static const char lint_deck[] =
    "lint test\n"
    ".model nmod dwmtj4t(set=scaled sigmaa=0.3)\n"
    ".model n2 dwmtj4t(set=\"proto\" ms=1M seed=2.5)\n"
    ".model n3 dwmtj4t(set=\"proto\" ms=nan)\n"
    ".model n4 dwmtj4t(set=\"scaled\" sigma=0.3 t_slot=0.1p)\n"
    "vin in 0 1\n"
    "r1 in x 1k\n"
    "a1 in 0 a b [x] n4\n"
    "a2 fl 0 a2 b2 NULL n4\n"
    ".end\n";

/* Each finding names the file, the line and what is wrong; ngspice would
 * have run this deck with sigma and ms at their defaults or stopped with
 * 'Undefined parameter'. */
START_TEST(check_findings)
{
    char *p = spath("lint.cir");
    write_text(p, lint_deck);
    cli_result r;
    cli_run(ARGS("check", p), &r);
    ck_exit(r, 1);
    static const char *const want[][3] = {
        { ":2: error:", "set=scaled", "quoted" },
        { ":2: error:", "sigmaa", "did you mean sigma?" },
        { ":3: error:", "seed = 2.5", "integer" },
        { ":3: warning:", "ms = 0.001 A/m", "M is milli" },
        { ":4: error:", "ms=nan", "not a number" },
        { ":5: warning:", "t_slot", "slow" },
        { ":8: warning:", "a1", "node x, which r1" },
        { ":9: warning:", "a2", "terminal IN is on node fl" },
        { ": warning:", "no transient analysis", ".tran" },
        { ": 4 errors, 5 warnings", "", "" },
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        const char *line = strstr(r.out, want[k][0]);
        int found = 0;
        for (; line && !found; line = strstr(line + 1, want[k][0])) {
            const char *end = strchr(line, '\n');
            size_t n = end ? (size_t)(end - line) : strlen(line);
            char buf[1024];
            snprintf(buf, sizeof buf, "%.*s", (int)n, line);
            found = strstr(buf, want[k][1]) && strstr(buf, want[k][2]);
        }
        ck_assert_msg(found, "no '%s ... %s ... %s' in\n%s", want[k][0], want[k][1], want[k][2],
                      r.out);
    }
    ck_assert_msg(strstr(r.out, p), "findings do not name the file:\n%s", r.out);
    cli_free(&r);

    cli_run(ARGS("check", p, "--json"), &r);
    ck_exit(r, 1);
    double v;
    ck_assert_int_eq(json_num(r.out, "errors", &v), 1);
    ck_assert_double_eq(v, 4);
    ck_assert_int_eq(json_num(r.out, "warnings", &v), 1);
    ck_assert_double_eq(v, 5);
    const char *f = NULL;
    ck_assert_int_eq(json_parse(r.out, "findings", &f), 0);
    ck_assert_msg(f[0] == '[' && strstr(f, "\"severity\": \"error\"") &&
                      strstr(f, "did you mean sigma?"),
                  "findings: %.400s", f);
    cli_free(&r);
}
END_TEST

/* The project's own netlists are clean; a warning alone exits 0 unless
 * --strict; a deck that cannot be read, or no netlist, is an error. */
START_TEST(check_clean)
{
    static const char *const decks[] = { "fig3a.cir", "fig3ce.cir", "fig3d.cir",
                                         "fig4.cir", "fig5_12.cir", "fig5_35.cir" };
    cli_result r;
    for (size_t k = 0; k < sizeof decks / sizeof decks[0]; k++) {
        cli_run(ARGS("check", netlist(decks[k])), &r);
        ck_exit(r, 0);
        ck_assert_msg(strstr(r.out, ": 0 errors, 0 warnings"), "%s:\n%s", decks[k], r.out);
        cli_free(&r);
    }
    /* one implausible value: a warning, exit 0; --strict makes it fail */
    char *p = deck("milli.cir", "dwmtj4t(set=\"proto\" ms=800M)");
    cli_run(ARGS("check", p), &r);
    ck_exit(r, 0);
    ck_assert_msg(strstr(r.out, "milli.cir:14: warning:") && strstr(r.out, "ms = 0.8 A/m"),
                  "%s", r.out);
    cli_free(&r);
    cli_run(ARGS("check", p, "--strict"), &r);
    ck_exit(r, 1);
    cli_free(&r);
    /* the same value with MEG is what was meant */
    p = deck("mega.cir", "dwmtj4t(set=\"proto\" ms=0.8MEG)");
    cli_run(ARGS("check", p, "--strict"), &r);
    ck_exit(r, 0);
    cli_free(&r);
    /* structure dwmtj run needs: an instance with too few connections */
    p = spath("short.cir");
    write_text(p, "t\nv1 in 0 1\na1 in 0 a n\n.model n dwmtj4t(set=\"proto\")\n"
                  ".tran 1n 10n\n.end\n");
    cli_run(ARGS("check", p), &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.out, "short.cir:3: error:"), "%s", r.out);
    cli_free(&r);
    cli_run(ARGS("check", spath("none.cir")), &r);
    ck_exit(r, 1);
    ck_assert_msg(strstr(r.err, "none.cir"), "%s", r.err);
    cli_free(&r);
    cli_run(ARGS("check"), &r);
    ck_exit(r, 2);
    cli_free(&r);
}
END_TEST

static TCase *tcase(Suite *s, const char *name, int timeout)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, timeout);
    suite_add_tcase(s, tc);
    return tc;
}

static Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase(s, "info", 60);
    tcase_add_test(tc, info_version);
    tcase_add_test(tc, info_help);
    tcase_add_loop_test(tc, info_sub_help, 0, 6);
    tcase_add_test(tc, info_unknown);

    tc = tcase(s, "run", 400);
    tcase_add_test(tc, run_fig3a_json);
    tcase_add_test(tc, run_fig3a_text);
    tcase_add_test(tc, run_fig3d_csv);
    tcase_add_test(tc, run_fig3d_csv_streams);

    tc = tcase(s, "errors", 120);
    tcase_add_test(tc, err_missing_file);
    tcase_add_test(tc, err_syntax);
    tcase_add_test(tc, err_unknown_model);
    tcase_add_test(tc, err_bad_param);
    tcase_add_test(tc, run_warns);
    tcase_add_test(tc, run_soa_warns);
    tcase_add_test(tc, err_timeout);

    tc = tcase(s, "outputs", 200);
    tcase_add_test(tc, out_csv_unwritable);
    tcase_add_test(tc, out_csv_failed_run);
    tcase_add_test(tc, out_csv_interrupted);
    tcase_add_test(tc, out_stdout_full);
    tcase_add_test(tc, out_plot);
    tcase_add_test(tc, out_plot_no_gnuplot);
    tcase_add_test(tc, out_json_escaping);

    tc = tcase(s, "array", 400);
    tcase_add_test(tc, array_json);
    tcase_add_test(tc, array_text);
    tcase_add_test(tc, array_arm);
    tcase_add_loop_test(tc, array_backs_out, 0, 2);

    tc = tcase(s, "train", 300);
    tcase_add_test(tc, train_tiny_lif);
    tcase_add_test(tc, train_resume);
    tcase_add_test(tc, train_init);
    tcase_add_test(tc, train_errors);
    tcase_add_test(tc, train_periphery);
    tcase_add_test(tc, train_cmos);
    tcase_add_test(tc, train_crash_resume);
    tcase_add_test(tc, train_resume_repairs);
    tcase_add_test(tc, train_ckpt_fields);
    tcase_add_test(tc, fig5d_script);

    tc = tcase(s, "infer", 300);
    tcase_add_test(tc, infer_json_resume);
    tcase_add_test(tc, infer_errors);
    tcase_add_test(tc, infer_periphery);
    tcase_add_test(tc, cmos_macro_check);
    tcase_add_test(tc, infer_soa);
    tcase_add_test(tc, infer_no_reference);
    tcase_add_test(tc, infer_tmax);
    tcase_add_test(tc, infer_results_exists);
    tcase_add_loop_test(tc, infer_resume_rows, 0, N_RESUME_CASES);
    tcase_add_test(tc, infer_option_ranges);
    tcase_add_test(tc, infer_batch_memory);
    tcase_add_test(tc, infer_klu);
    tcase_add_test(tc, infer_matches_train);
    tcase_add_test(tc, bench_json);
    tcase_add_test(tc, bench_options);
    tcase_add_test(tc, bench_ranks2);

    tc = tcase(s, "options", 120);
    tcase_add_test(tc, opt_forms);
    tcase_add_test(tc, opt_errors);

    tc = tcase(s, "check", 60);
    tcase_add_test(tc, check_findings);
    tcase_add_test(tc, check_clean);

    tc = tcase(s, "targets", 300);
    tcase_add_loop_test(tc, out_target, 0, C_COMMANDS * T_KINDS);
    tcase_add_test(tc, out_dev_null);
    return s;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int main(void)
{
    const char *t = getenv("DWMTJ_TOOL");
    if (!t || !*t)
        t = "./tools/dwmtj";
    tool = realpath(t, NULL);
    if (!tool || access(tool, X_OK) != 0) {
        fprintf(stderr, "check_cli: %s: no such program (set DWMTJ_TOOL; make check does)\n", t);
        return EXIT_FAILURE;
    }
    const char *s = getenv("DWMTJ_SRCDIR");
    srcdir = s && *s ? realpath(s, NULL) : NULL;
    if (!srcdir) {
        fprintf(stderr, "check_cli: DWMTJ_SRCDIR is not set or missing; set it to the source"
                        " tree (make check does)\n");
        free(tool);
        return EXIT_FAILURE;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch, sizeof scratch, "%s/check_cli.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(scratch)) {
        fprintf(stderr, "check_cli: cannot make a scratch directory\n");
        return EXIT_FAILURE;
    }
    SRunner *sr = srunner_create(cli_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(tool);
    free(srcdir);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
