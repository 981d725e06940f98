/* Tests of the libngspice session of the dwmtj harness (harness/session.c):
 * opening with the code model, loading and running decks, and the status
 * and message each kind of bad input gives.
 *
 * Environment: DWMTJ_CM, the built dwmtj.cm, and DWMTJ_SRCDIR, the source
 * tree with netlists/ (both required; `make check' sets them).
 *
 * libngspice is one simulator per process that cannot be restarted once
 * it asked to exit: every test runs in a child process of its own (Check's
 * fork mode, forced in main) and opens its own session. */
#define _XOPEN_SOURCE 700

#include "dwmtj_harness.h"

#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char *cm;     /* absolute path of the built code model */
static char *srcdir; /* absolute path of the source tree */

/* ------------------------------------------------------------------------
 * Helpers
 * --------------------------------------------------------------------- */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot read %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert(buf != NULL);
    ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* netlists/NAME without its .control section, with tran_card before .end
 * (the control section would run the analysis while loading). */
static char *figure_deck(const char *name, const char *tran_card)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/netlists/%s", srcdir, name);
    char *text = read_file(path);
    size_t cap = strlen(text) + strlen(tran_card) + 8, len = 0;
    char *out = malloc(cap);
    ck_assert(out != NULL);
    int control = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (strncmp(l, ".control", 8) == 0)
            control = 1;
        else if (strncmp(l, ".endc", 5) == 0)
            control = 0;
        else if (!control && strcmp(l, ".end") == 0)
            len += (size_t)snprintf(out + len, cap - len, "%s\n", tran_card);
        if (!control && strncmp(l, ".endc", 5) != 0)
            len += (size_t)snprintf(out + len, cap - len, "%s\n", l);
    }
    free(text);
    return out;
}

static dwmtj_session *open_ok(void)
{
    dwmtj_session *s = NULL;
    int rc = dwmtj_session_open(&s, cm);
    ck_assert_msg(rc == DWMTJ_H_OK, "open %s: %s: %s", cm, dwmtj_h_status_string(rc),
                  dwmtj_session_error(s));
    ck_assert(s != NULL);
    return s;
}

static void load_ok(dwmtj_session *s, const char *name, const char *text)
{
    int rc = dwmtj_session_load(s, name, text);
    ck_assert_msg(rc == DWMTJ_H_OK, "load %s: %s: %s\nlog:\n%s", name, dwmtj_h_status_string(rc),
                  dwmtj_session_error(s), dwmtj_session_log(s));
}

static void run_ok(dwmtj_session *s)
{
    int rc = dwmtj_session_run(s, NULL, NULL, 20.0);
    ck_assert_msg(rc == DWMTJ_H_OK, "run: %s: %s\nlog:\n%s", dwmtj_h_status_string(rc),
                  dwmtj_session_error(s), dwmtj_session_log(s));
}

static double last_of(dwmtj_session *s, const char *vec, int *len)
{
    const double *v;
    int n;
    int rc = dwmtj_session_vector(s, vec, &v, &n);
    ck_assert_msg(rc == DWMTJ_H_OK, "vector %s: %s: %s", vec, dwmtj_h_status_string(rc),
                  dwmtj_session_error(s));
    ck_assert(n > 0 && v != NULL);
    if (len)
        *len = n;
    return v[n - 1];
}

/* Asserts status want and a message holding every string of the
 * NULL-terminated list. */
static void expect(dwmtj_session *s, const char *what, int rc, int want, ...)
{
    const char *msg = dwmtj_session_error(s);
    ck_assert_msg(rc == want, "%s: got %s (%d), want %s; message: %s\nlog:\n%s", what,
                  dwmtj_h_status_string(rc), rc, dwmtj_h_status_string(want), msg,
                  dwmtj_session_log(s));
    va_list ap;
    va_start(ap, want);
    for (const char *sub = va_arg(ap, const char *); sub; sub = va_arg(ap, const char *))
        ck_assert_msg(strstr(msg, sub) != NULL, "%s: message \"%s\" lacks \"%s\"", what, msg,
                      sub);
    va_end(ap);
}

/* Load, expecting the status and message parts. */
static void load_fails(const char *name, const char *text, int want, ...)
{
    dwmtj_session *s = open_ok();
    int rc = dwmtj_session_load(s, name, text);
    const char *msg = dwmtj_session_error(s);
    ck_assert_msg(rc == want, "%s: load gave %s, want %s; message: %s\nlog:\n%s", name,
                  dwmtj_h_status_string(rc), dwmtj_h_status_string(want), msg,
                  dwmtj_session_log(s));
    va_list ap;
    va_start(ap, want);
    for (const char *sub = va_arg(ap, const char *); sub; sub = va_arg(ap, const char *))
        ck_assert_msg(strstr(msg, sub) != NULL, "%s: message \"%s\" lacks \"%s\"", name, msg,
                      sub);
    va_end(ap);
    /* run repeats the load's failure instead of ngspice's "not parsed" */
    char copy[2048];
    snprintf(copy, sizeof copy, "%s", msg);
    ck_assert_int_eq(dwmtj_session_run(s, NULL, NULL, 10.0), want);
    ck_assert_str_eq(dwmtj_session_error(s), copy);
    dwmtj_session_close(s);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A dwmtj4t neuron with parameters par on its .model card, 100 ns. */
static char *neuron_deck(const char *par)
{
    static const char fmt[] = "* dwmtj4t with %s\n"
                              "Vin in 0 PULSE(0 2 10n 1n 1n 20n 100n)\n"
                              "Ra a 0 100k\n"
                              "Rb b 0 100k\n"
                              "aneuron7 in 0 a b [x ra rb e] neuron\n"
                              ".model neuron dwmtj4t(set=\"proto\" %s)\n"
                              ".tran 1n 100n\n"
                              ".end\n";
    size_t n = sizeof fmt + 2 * strlen(par);
    char *t = malloc(n);
    ck_assert(t != NULL);
    snprintf(t, n, fmt, par, par);
    return t;
}

static const char rc_deck[] = "* RC low pass\n"
                              "V1 in 0 PULSE(0 1 1n 1n 1n 50n 100n) AC 1\n"
                              "R1 in out 1k\n"
                              "C1 out 0 1p\n"
                              ".tran 0.1n 100n\n"
                              ".end\n";

/* ------------------------------------------------------------------------
 * 1. Opening and closing
 * --------------------------------------------------------------------- */

START_TEST(open_built_codemodel)
{
    dwmtj_session *s = open_ok();
    const char *v = dwmtj_session_ngspice_version(s);
    ck_assert_msg(v && *v && strspn(v, "0123456789.") == strlen(v),
                  "ngspice version \"%s\" is not a number", v ? v : "(null)");
    ck_assert_str_eq(dwmtj_session_error(s), "");
    ck_assert_msg(strstr(dwmtj_session_log(s), "ngspice") != NULL, "log: %s",
                  dwmtj_session_log(s));
    dwmtj_session_close(s);
}
END_TEST

/* NULL takes DWMTJ_CM from the environment. */
START_TEST(open_from_environment)
{
    dwmtj_session *s = NULL;
    int rc = dwmtj_session_open(&s, NULL);
    expect(s, "open(NULL)", rc, DWMTJ_H_OK, NULL);
    dwmtj_session_close(s);

    ck_assert_int_eq(setenv("DWMTJ_CM", "/nonexistent/env/dwmtj.cm", 1), 0);
    rc = dwmtj_session_open(&s, NULL);
    expect(s, "open(NULL), DWMTJ_CM missing", rc, DWMTJ_H_ERR_CODEMODEL,
           "/nonexistent/env/dwmtj.cm", NULL);
    dwmtj_session_close(s);
}
END_TEST

/* A failed open still gives a session holding the message, and the
 * ngspice version; other calls repeat the failure. */
START_TEST(open_missing_codemodel)
{
    dwmtj_session *s = NULL;
    int rc = dwmtj_session_open(&s, "/nonexistent/dir/dwmtj.cm");
    ck_assert(s != NULL);
    expect(s, "open missing", rc, DWMTJ_H_ERR_CODEMODEL, "/nonexistent/dir/dwmtj.cm",
           "No such file", NULL);
    ck_assert_str_ne(dwmtj_session_ngspice_version(s), "");
    ck_assert_int_eq(dwmtj_session_load(s, "x.cir", rc_deck), DWMTJ_H_ERR_CODEMODEL);
    ck_assert_int_eq(dwmtj_session_run(s, NULL, NULL, 1.0), DWMTJ_H_ERR_CODEMODEL);
    dwmtj_session_close(s);
    /* and the process can still open a good one */
    s = open_ok();
    load_ok(s, "rc.cir", rc_deck);
    run_ok(s);
    dwmtj_session_close(s);
}
END_TEST

/* A file that is not a code model: ngspice's reason is passed on. */
START_TEST(open_not_a_codemodel)
{
    char path[] = "/tmp/dwmtj-ck-notcm-XXXXXX";
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    ck_assert_int_eq(write(fd, "not a shared object\n", 20), 20);
    close(fd);
    dwmtj_session *s = NULL;
    int rc = dwmtj_session_open(&s, path);
    unlink(path);
    expect(s, "open text file", rc, DWMTJ_H_ERR_CODEMODEL, path, "cannot load", NULL);
    dwmtj_session_close(s);
}
END_TEST

/* A code model of another build is refused before ngspice loads it,
 * naming the file and why: one whose libdwmtj interface differs (a stale
 * install: it would read parameters and monitors it lacks as 0), and a
 * shared object without the question (another code model, or one built
 * before it).  Then this build's still opens. */
START_TEST(open_other_build)
{
    const char *b = getenv("DWMTJ_BUILDDIR");
    ck_assert_msg(b && *b, "DWMTJ_BUILDDIR not set (make check sets it)");
    static const char *const which[2] = { "cm_stale", "cm_none" };
    static const char *const why[2] = { "another version of libdwmtj", "no CMdwmtjInterface" };
    for (int k = 0; k < 2; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/tests/.libs/%s.so", b, which[k]);
        ck_assert_msg(access(path, R_OK) == 0, "%s: not built", path);
        dwmtj_session *s = NULL;
        int rc = dwmtj_session_open(&s, path);
        expect(s, which[k], rc, DWMTJ_H_ERR_CODEMODEL, path, why[k], NULL);
        dwmtj_session_close(s);
    }
    dwmtj_session *s = open_ok();
    dwmtj_session_close(s);
}
END_TEST

/* One session at a time; the first keeps working. */
START_TEST(open_twice)
{
    dwmtj_session *a = open_ok(), *b = NULL;
    int rc = dwmtj_session_open(&b, cm);
    expect(b, "second open", rc, DWMTJ_H_ERR_USAGE, "already open", NULL);
    dwmtj_session_close(b);
    char *deck = figure_deck("fig3a.cir", ".tran 1n 1600n");
    load_ok(a, "fig3a.cir", deck);
    run_ok(a);
    ck_assert(last_of(a, "v(nf)", NULL) == 1.0);
    free(deck);
    dwmtj_session_close(a);
}
END_TEST

/* Close, then open again in the same process: ngspice is reused. */
START_TEST(open_close_open)
{
    char *deck = figure_deck("fig3a.cir", ".tran 1n 1600n");
    for (int k = 0; k < 3; k++) {
        dwmtj_session *s = open_ok();
        ck_assert_str_ne(dwmtj_session_ngspice_version(s), "");
        load_ok(s, "fig3a.cir", deck);
        run_ok(s);
        ck_assert_msg(last_of(s, "v(nf)", NULL) == 1.0, "session %d: no fire", k);
        dwmtj_session_close(s);
    }
    free(deck);
}
END_TEST

START_TEST(null_arguments)
{
    const double *d = (const double *)1;
    int n = 7;
    dwmtj_session_close(NULL);
    ck_assert_str_eq(dwmtj_session_error(NULL), "");
    ck_assert_str_eq(dwmtj_session_log(NULL), "");
    ck_assert_str_eq(dwmtj_session_ngspice_version(NULL), "");
    ck_assert_int_eq(dwmtj_session_open(NULL, cm), DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_session_load(NULL, "x", rc_deck), DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_session_run(NULL, NULL, NULL, 1.0), DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_session_command(NULL, "echo"), DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_session_vector(NULL, "time", &d, &n), DWMTJ_H_ERR_USAGE);
    ck_assert(d == NULL && n == 0);

    dwmtj_session *s = open_ok();
    expect(s, "run before load", dwmtj_session_run(s, NULL, NULL, 1.0), DWMTJ_H_ERR_USAGE,
           "no netlist", NULL);
    ck_assert_int_eq(dwmtj_session_load(s, "x", NULL), DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_session_command(s, NULL), DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_session_command(s, ""), DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_session_vector(s, NULL, &d, &n), DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_session_vector(s, "time", NULL, &n), DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_session_vector(s, "time", &d, NULL), DWMTJ_H_ERR_USAGE);
    dwmtj_session_close(s);
}
END_TEST

START_TEST(status_strings)
{
    static const int codes[] = {
        DWMTJ_H_OK, DWMTJ_H_ERR_NOMEM, DWMTJ_H_ERR_USAGE, DWMTJ_H_ERR_INIT,
        DWMTJ_H_ERR_CODEMODEL, DWMTJ_H_ERR_FILE, DWMTJ_H_ERR_NETLIST, DWMTJ_H_ERR_MODEL,
        DWMTJ_H_ERR_CONVERGENCE, DWMTJ_H_ERR_EXIT, DWMTJ_H_ERR_COMMAND, DWMTJ_H_ERR_VECTOR,
        DWMTJ_H_ERR_TIMEOUT, DWMTJ_H_ERR_NOANALYSIS,
    };
    int n = (int)(sizeof codes / sizeof codes[0]);
    const char *unknown = dwmtj_h_status_string(12345);
    ck_assert(unknown && *unknown);
    ck_assert_str_eq(dwmtj_h_status_string(-99), unknown);
    for (int i = 0; i < n; i++) {
        const char *a = dwmtj_h_status_string(codes[i]);
        ck_assert_msg(a && *a && strcmp(a, unknown) != 0, "code %d has no string", codes[i]);
        for (int j = 0; j < i; j++)
            ck_assert_str_ne(a, dwmtj_h_status_string(codes[j]));
    }
}
END_TEST

/* ------------------------------------------------------------------------
 * 2. Loading and running
 * --------------------------------------------------------------------- */

START_TEST(run_fig3a)
{
    dwmtj_session *s = open_ok();
    char *deck = figure_deck("fig3a.cir", ".tran 1n 1600n");
    load_ok(s, "fig3a.cir", deck);
    ck_assert_msg(strstr(dwmtj_session_log(s), "Circuit:") != NULL, "log: %s",
                  dwmtj_session_log(s));
    run_ok(s);
    int n, m;
    ck_assert(last_of(s, "v(nf)", &n) == 1.0);
    ck_assert(last_of(s, "V(NF)", NULL) == 1.0); /* ngspice's names are lower case */
    ck_assert_double_eq_tol(last_of(s, "time", &m), 1.6e-6, 1e-15);
    ck_assert_int_eq(n, m);
    ck_assert(last_of(s, "nr", NULL) == 1.0); /* a node name alone works too */
    /* the same deck runs again */
    run_ok(s);
    ck_assert(last_of(s, "v(nf)", NULL) == 1.0);
    free(deck);
    dwmtj_session_close(s);
}
END_TEST

typedef struct {
    int calls;       /* progress calls */
    double last;     /* last fraction */
    int decreasing;  /* calls with a smaller fraction than the one before */
    int outside;     /* calls outside [0, 1] */
} progress_log;

static void on_progress(double f, void *user)
{
    progress_log *p = user;
    if (p->calls > 0 && f < p->last)
        p->decreasing++;
    if (!(f >= 0.0 && f <= 1.0))
        p->outside++;
    p->last = f;
    p->calls++;
}

START_TEST(run_progress)
{
    dwmtj_session *s = open_ok();
    char *deck = figure_deck("fig3a.cir", ".tran 1n 1600n");
    load_ok(s, "fig3a.cir", deck);
    progress_log p = { 0, 0.0, 0, 0 };
    int rc = dwmtj_session_run(s, on_progress, &p, 20.0);
    expect(s, "run", rc, DWMTJ_H_OK, NULL);
    ck_assert_msg(p.calls >= 2, "%d progress calls", p.calls);
    ck_assert_int_eq(p.decreasing, 0);
    ck_assert_int_eq(p.outside, 0);
    ck_assert_msg(p.last > 0.99, "last fraction %g", p.last);
    free(deck);
    dwmtj_session_close(s);
}
END_TEST

/* A new load replaces the circuit, its data and the log. */
START_TEST(run_reload)
{
    dwmtj_session *s = open_ok();
    char *deck = figure_deck("fig3a.cir", ".tran 1n 1600n");
    load_ok(s, "fig3a.cir", deck);
    run_ok(s);
    ck_assert(last_of(s, "v(nf)", NULL) == 1.0);
    load_ok(s, "rc.cir", rc_deck);
    ck_assert_msg(strstr(dwmtj_session_log(s), "fig. 3a") == NULL, "old log kept: %s",
                  dwmtj_session_log(s));
    run_ok(s);
    ck_assert_double_eq_tol(last_of(s, "time", NULL), 100e-9, 1e-18);
    const double *d;
    int n;
    expect(s, "old vector", dwmtj_session_vector(s, "v(nf)", &d, &n), DWMTJ_H_ERR_VECTOR, "v(nf)",
           NULL);
    free(deck);
    dwmtj_session_close(s);
}
END_TEST

/* Blank lines, CRLF line ends and a missing .end. */
START_TEST(run_deck_forms)
{
    dwmtj_session *s = open_ok();
    load_ok(s, "noend.cir", "* no end card\r\nV1 a 0 1\r\n\r\nR1 a 0 1k\r\n.tran 1n 10n\r\n");
    run_ok(s);
    ck_assert_double_eq_tol(last_of(s, "v(a)", NULL), 1.0, 1e-12);
    /* lines after .end are ignored, as ngspice does */
    load_ok(s, "after.cir", "* after end\nV1 a 0 2\nR1 a 0 1k\n.tran 1n 10n\n.END\nzz a 0\n");
    run_ok(s);
    ck_assert_double_eq_tol(last_of(s, "v(a)", NULL), 2.0, 1e-12);
    dwmtj_session_close(s);
}
END_TEST

/* ------------------------------------------------------------------------
 * 3. Netlist errors
 * --------------------------------------------------------------------- */

START_TEST(netlist_too_few_nodes)
{
    load_fails("few.cir",
               "* too few connections\n"
               "V1 in 0 1\n"
               "Ra a 0 100k\n"
               "Rb b 0 100k\n"
               "aneuron in 0 a neuron\n"
               ".model neuron dwmtj4t(set=\"proto\")\n"
               ".tran 1n 10n\n",
               DWMTJ_H_ERR_NETLIST, "few.cir:5:", "before all connections were found",
               "aneuron in 0 a neuron", NULL);
}
END_TEST

START_TEST(netlist_unknown_element)
{
    load_fails("zz.cir", "* unknown element\nV1 a 0 1\nR1 a 0 1k\nzz a 0\n.tran 1n 10n\n.end\n",
               DWMTJ_H_ERR_NETLIST, "zz.cir:4:", "unknown element type 'z'", NULL);
}
END_TEST

/* Blank lines and comments before the error keep its line number. */
START_TEST(netlist_line_numbers)
{
    load_fails("lines.cir",
               "* line numbers\r\n"
               "V1 a 0 1\r\n"
               "\r\n"
               "* a comment\r\n"
               "R1 a\r\n"
               "+ 0 1k\r\n"
               "   \r\n"
               "B1 b 0 V=v(a)*(\r\n"
               "R2 b 0 1k\r\n"
               ".tran 1n 10n\r\n",
               DWMTJ_H_ERR_NETLIST, "lines.cir:8:", "b1 b 0", NULL);
}
END_TEST

START_TEST(netlist_unknown_subckt)
{
    load_fails("sub.cir", "* subckt\nV1 a 0 1\nR1 a 0 1k\nX1 a 0 nosub\n.tran 1n 10n\n",
               DWMTJ_H_ERR_NETLIST, "sub.cir:4:", "unknown subckt", "nosub", NULL);
}
END_TEST

START_TEST(netlist_missing_include)
{
    load_fails("inc.cir",
               "* include\nV1 a 0 1\n.include /nonexistent/models.lib\nR1 a 0 1k\n"
               ".tran 1n 10n\n",
               DWMTJ_H_ERR_FILE, "inc.cir:3:", "/nonexistent/models.lib", NULL);
}
END_TEST

START_TEST(netlist_empty)
{
    load_fails("empty.cir", "", DWMTJ_H_ERR_NETLIST, "empty.cir", "empty", NULL);
}
END_TEST

/* ------------------------------------------------------------------------
 * 4. Model errors
 * --------------------------------------------------------------------- */

START_TEST(model_unknown)
{
    load_fails("umodel.cir",
               "* unknown model\nV1 a 0 1\nR1 a b 1k\nD1 b 0 nosuchmodel\n.tran 1n 10n\n",
               DWMTJ_H_ERR_MODEL, "umodel.cir:4:", "could not find a valid modelname",
               "nosuchmodel", NULL);
}
END_TEST

/* A dwmtj4t instance whose .model card is missing. */
START_TEST(model_missing_card)
{
    load_fails("nocard.cir",
               "* no model card\nV1 in 0 1\nRa a 0 100k\nRb b 0 100k\n"
               "aneuron in 0 a b NULL neuron\n.tran 1n 10n\n",
               DWMTJ_H_ERR_MODEL, "nocard.cir:5:", "unable to find definition of model neuron",
               NULL);
}
END_TEST

/* ngspice only warns about an unknown code-model parameter; a typo on a
 * dwmtj4t card is an error here. */
START_TEST(model_unknown_parameter)
{
    char *deck = neuron_deck("rap_aa=3000");
    load_fails("typo.cir", deck, DWMTJ_H_ERR_MODEL, "typo.cir:6:", "rap_aa", NULL);
    free(deck);
}
END_TEST

/* dwmtj4t rejects the parameter at the start of the run; ngspice then
 * reports non-convergence, but the model's message explains it.  Values
 * invalid in every set: rap_a = 100 is below every R_P. */
static const struct {
    const char *par;  /* on the .model card */
    const char *name; /* the parameter the message names */
} bad_param[] = {
    { "rap_a=100", "invalid parameter rap_a = 100" },
    { "sigma=-1", "invalid parameter sigma = -1" },
    { "xa=3e-6", "invalid parameter xa" },
};

START_TEST(model_invalid_parameter)
{
    dwmtj_session *s = open_ok();
    char *deck = neuron_deck(bad_param[_i].par);
    load_ok(s, "bad.cir", deck);
    int rc = dwmtj_session_run(s, NULL, NULL, 20.0);
    expect(s, bad_param[_i].par, rc, DWMTJ_H_ERR_MODEL, "bad.cir:5:", "instance aneuron7",
           bad_param[_i].name, NULL);
    ck_assert_msg(strstr(dwmtj_session_error(s), "simulation stopped") == NULL, "%s",
                  dwmtj_session_error(s));
    /* a good deck runs afterwards in the same session */
    free(deck);
    deck = figure_deck("fig3a.cir", ".tran 1n 1600n");
    load_ok(s, "fig3a.cir", deck);
    run_ok(s);
    ck_assert(last_of(s, "v(nf)", NULL) == 1.0);
    free(deck);
    dwmtj_session_close(s);
}
END_TEST

/* ------------------------------------------------------------------------
 * 5. Failing runs: convergence, no analysis, timeout
 * --------------------------------------------------------------------- */

/* Two voltage sources in parallel: ngspice's matrix is singular, the
 * operating point and then the transient fail: CONVERGENCE. */
START_TEST(run_singular_matrix)
{
    dwmtj_session *s = open_ok();
    load_ok(s, "loop.cir", "* loop\nV1 a 0 1\nV2 a 0 2\nR1 a 0 1k\n.tran 1n 10n\n.end\n");
    int rc = dwmtj_session_run(s, NULL, NULL, 20.0);
    expect(s, "voltage loop", rc, DWMTJ_H_ERR_CONVERGENCE, "loop.cir", "did not converge",
           "Timestep too small", "singular matrix", NULL);
    dwmtj_session_close(s);
}
END_TEST

START_TEST(run_no_analysis)
{
    dwmtj_session *s = open_ok();
    load_ok(s, "noan.cir", "* no analysis\nV1 a 0 1\nR1 a 0 1k\n.end\n");
    int rc = dwmtj_session_run(s, NULL, NULL, 20.0);
    expect(s, "no analysis", rc, DWMTJ_H_ERR_NOANALYSIS, "noan.cir", "no analysis", NULL);
    dwmtj_session_close(s);
}
END_TEST

/* 1 ms of Fig. 4 pulses takes seconds; the limit stops it. */
START_TEST(run_timeout)
{
    dwmtj_session *s = open_ok();
    char *deck = figure_deck("fig4.cir", ".tran 1n 1m");
    load_ok(s, "fig4.cir", deck);
    progress_log p = { 0, 0.0, 0, 0 };
    double t0 = now_s();
    int rc = dwmtj_session_run(s, on_progress, &p, 0.5);
    double dt = now_s() - t0;
    expect(s, "long run", rc, DWMTJ_H_ERR_TIMEOUT, "fig4.cir", "stopped", NULL);
    ck_assert_msg(dt >= 0.5 && dt < 2.5, "run returned after %.2f s", dt);
    ck_assert_msg(p.calls >= 1 && p.decreasing == 0 && p.last > 0.0 && p.last < 0.5,
                  "%d progress calls, last %g", p.calls, p.last);
    /* what was computed is there */
    int n;
    double t = last_of(s, "time", &n);
    ck_assert_msg(n > 10 && t > 0.0 && t < 1e-3, "%d points up to %g s", n, t);
    /* and the session goes on */
    free(deck);
    deck = figure_deck("fig3a.cir", ".tran 1n 1600n");
    load_ok(s, "fig3a.cir", deck);
    run_ok(s);
    ck_assert(last_of(s, "v(nf)", NULL) == 1.0);
    free(deck);
    dwmtj_session_close(s);
}
END_TEST

/* ------------------------------------------------------------------------
 * 6. Vectors and commands
 * --------------------------------------------------------------------- */

START_TEST(vector_missing)
{
    dwmtj_session *s = open_ok();
    load_ok(s, "rc.cir", rc_deck);
    run_ok(s);
    const double *d = (const double *)1;
    int n = 5;
    int rc = dwmtj_session_vector(s, "v(nosuch)", &d, &n);
    expect(s, "missing vector", rc, DWMTJ_H_ERR_VECTOR, "v(nosuch)", NULL);
    ck_assert(d == NULL && n == 0);
    ck_assert(last_of(s, "v(out)", NULL) > 0.0);
    dwmtj_session_close(s);
}
END_TEST

/* AC data are complex: not for the harness. */
START_TEST(vector_complex)
{
    dwmtj_session *s = open_ok();
    load_ok(s, "rc.cir", rc_deck);
    ck_assert_int_eq(dwmtj_session_command(s, "ac lin 1 1k 1k"), DWMTJ_H_OK);
    const double *d;
    int n;
    int rc = dwmtj_session_vector(s, "v(out)", &d, &n);
    expect(s, "complex vector", rc, DWMTJ_H_ERR_VECTOR, "v(out)", "complex", NULL);
    dwmtj_session_close(s);
}
END_TEST

START_TEST(command_good_and_bad)
{
    dwmtj_session *s = open_ok();
    load_ok(s, "rc.cir", rc_deck);
    expect(s, "alter", dwmtj_session_command(s, "alter r1 2k"), DWMTJ_H_OK, NULL);
    expect(s, "unknown command", dwmtj_session_command(s, "frobnicate"), DWMTJ_H_ERR_COMMAND,
           "frobnicate", "no such command", NULL);
    expect(s, "alter unknown", dwmtj_session_command(s, "alter nosuch 2"), DWMTJ_H_ERR_COMMAND,
           "alter nosuch 2", "nosuch", NULL);
    expect(s, "bg_run", dwmtj_session_command(s, "bg_run"), DWMTJ_H_ERR_USAGE,
           "dwmtj_session_run", NULL);
    /* the altered circuit still runs */
    run_ok(s);
    dwmtj_session_close(s);
}
END_TEST

/* 'quit' and an error ngspice cannot recover from: the session is dead,
 * every later call says so, and no new session can open. */
static const char *const exit_command[] = { "quit", "source /nonexistent/deck.cir" };

START_TEST(command_exit)
{
    dwmtj_session *s = open_ok();
    load_ok(s, "rc.cir", rc_deck);
    int rc = dwmtj_session_command(s, exit_command[_i]);
    expect(s, exit_command[_i], rc, DWMTJ_H_ERR_EXIT, "exit", NULL);
    const double *d;
    int n;
    ck_assert_int_eq(dwmtj_session_load(s, "rc.cir", rc_deck), DWMTJ_H_ERR_EXIT);
    ck_assert_int_eq(dwmtj_session_run(s, NULL, NULL, 1.0), DWMTJ_H_ERR_EXIT);
    ck_assert_int_eq(dwmtj_session_command(s, "echo"), DWMTJ_H_ERR_EXIT);
    ck_assert_int_eq(dwmtj_session_vector(s, "time", &d, &n), DWMTJ_H_ERR_EXIT);
    dwmtj_session_close(s);
    dwmtj_session *t = NULL;
    expect(t, "open after exit", dwmtj_session_open(&t, cm), DWMTJ_H_ERR_EXIT, NULL);
    dwmtj_session_close(t);
}
END_TEST

/* ------------------------------------------------------------------------
 * Suite
 * --------------------------------------------------------------------- */

static TCase *tcase(Suite *s, const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
    return tc;
}

static Suite *session_suite(void)
{
    Suite *s = suite_create("session");
    TCase *tc = tcase(s, "open");
    tcase_add_test(tc, open_built_codemodel);
    tcase_add_test(tc, open_from_environment);
    tcase_add_test(tc, open_missing_codemodel);
    tcase_add_test(tc, open_not_a_codemodel);
    tcase_add_test(tc, open_other_build);
    tcase_add_test(tc, open_twice);
    tcase_add_test(tc, open_close_open);
    tcase_add_test(tc, null_arguments);
    tcase_add_test(tc, status_strings);

    tc = tcase(s, "run");
    tcase_add_test(tc, run_fig3a);
    tcase_add_test(tc, run_progress);
    tcase_add_test(tc, run_reload);
    tcase_add_test(tc, run_deck_forms);

    tc = tcase(s, "netlist_errors");
    tcase_add_test(tc, netlist_too_few_nodes);
    tcase_add_test(tc, netlist_unknown_element);
    tcase_add_test(tc, netlist_line_numbers);
    tcase_add_test(tc, netlist_unknown_subckt);
    tcase_add_test(tc, netlist_missing_include);
    tcase_add_test(tc, netlist_empty);

    tc = tcase(s, "model_errors");
    tcase_add_test(tc, model_unknown);
    tcase_add_test(tc, model_missing_card);
    tcase_add_test(tc, model_unknown_parameter);
    tcase_add_loop_test(tc, model_invalid_parameter, 0,
                        (int)(sizeof bad_param / sizeof bad_param[0]));

    tc = tcase(s, "failing_runs");
    tcase_add_test(tc, run_singular_matrix);
    tcase_add_test(tc, run_no_analysis);
    tcase_add_test(tc, run_timeout);

    tc = tcase(s, "vectors_commands");
    tcase_add_test(tc, vector_missing);
    tcase_add_test(tc, vector_complex);
    tcase_add_test(tc, command_good_and_bad);
    tcase_add_loop_test(tc, command_exit, 0,
                        (int)(sizeof exit_command / sizeof exit_command[0]));
    return s;
}

/* An absolute path from the environment variable var, or NULL with a
 * message. */
static char *env_path(const char *var, const char *what)
{
    const char *env = getenv(var);
    if (!env || !*env) {
        fprintf(stderr, "check_session: %s is not set; set it to %s (make check does)\n", var,
                what);
        return NULL;
    }
    char *p = realpath(env, NULL);
    if (!p)
        fprintf(stderr, "check_session: %s=%s: no such file or directory\n", var, env);
    return p;
}

int main(void)
{
    cm = env_path("DWMTJ_CM", "the built dwmtj.cm");
    srcdir = cm ? env_path("DWMTJ_SRCDIR", "the source tree") : NULL;
    if (!cm || !srcdir) {
        free(cm);
        free(srcdir);
        return EXIT_FAILURE;
    }
    /* the tests open sessions from DWMTJ_CM too: make it the absolute path */
    setenv("DWMTJ_CM", cm, 1);
    SRunner *sr = srunner_create(session_suite());
    /* one libngspice per test: CK_FORK=no would share one across tests */
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    free(cm);
    free(srcdir);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
