/* Tests of the harness's netlist reading and instrumentation, of the event
 * extraction on synthetic traces, and of the whole pipeline through
 * libngspice (harness/netlist.c, analyse.c, spice_number.c, session.c).
 *
 * Environment: DWMTJ_SRCDIR, the source tree with netlists/ (default: the
 * current directory); DWMTJ_CM, the built dwmtj.cm (default:
 * DWMTJ_SRCDIR/build/ngspice-codemodel/dwmtj.cm); DWMTJ_BUILDDIR, the
 * build tree with tools/dwmtj-figcheck (default: DWMTJ_SRCDIR/build).
 * `make check' sets all three.
 *
 * Expectations are computed here: the synthetic traces are built with
 * known cycles, the device's fire time from the paper's velocity formula;
 * the model library only supplies the numbers of its parameter sets. */
#define _XOPEN_SOURCE 700

#include "dwmtj.h"
#include "dwmtj_harness.h"
#include "harness_internal.h"
#include "ngrun.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char srcdir[3072];   /* the source tree */
static char cm[4096];       /* the code model */
static char figcheck[4096]; /* tools/dwmtj-figcheck of the build */

static char *path_in_src(const char *rel)
{
    static char buf[4096 + 256];
    snprintf(buf, sizeof buf, "%s/%s", srcdir, rel);
    return buf;
}

static int contains(const char *hay, const char *needle) { return strstr(hay, needle) != NULL; }

/* Occurrences of the vector name among the .save cards of text. */
static int saved(const char *text, const char *name)
{
    int n = 0;
    size_t len = strlen(name);
    for (const char *line = text; line && *line;) {
        const char *eol = strchr(line, '\n');
        size_t ll = eol ? (size_t)(eol - line) : strlen(line);
        if (strncmp(line, ".save ", 6) == 0)
            for (const char *p = line + 5; p < line + ll;) {
                p += strspn(p, " ");
                size_t w = strcspn(p, " \n");
                if (w == len && strncmp(p, name, len) == 0)
                    n++;
                p += w;
            }
        line = eol ? eol + 1 : NULL;
    }
    return n;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    size_t len = strlen(needle);
    for (const char *p = strstr(hay, needle); p; p = strstr(p + len, needle))
        n++;
    return n;
}

/* Parses text (named "deck.cir") and fails with the message if it does not
 * parse. */
static dwmtj_netlist *parse_ok(const char *text)
{
    dwmtj_netlist *nl = NULL;
    char *err = NULL;
    int rc = dwmtj_netlist_parse(&nl, "deck.cir", text, &err);
    ck_assert_msg(rc == DWMTJ_H_OK, "parse failed (%d): %s", rc, err ? err : "(no message)");
    ck_assert_ptr_nonnull(nl);
    ck_assert_ptr_null(err);
    return nl;
}

static char *instrument_ok(const dwmtj_netlist *nl)
{
    char *text = NULL;
    int rc = dwmtj_netlist_instrument(nl, &text);
    ck_assert_msg(rc == DWMTJ_H_OK, "instrument failed: %d", rc);
    ck_assert_ptr_nonnull(text);
    return text;
}

/* ========================================================================
 * 2. Parsing
 * ===================================================================== */

/* Continuations (with comments in between), inline comments, upper case,
 * the model after the instance, .control with a tran command.  The card
 * is the paper's model (proto-paper), whose noise sigma is. */
static const char deck_mixed[] =
    "Mixed-case deck ; the title keeps everything\n"
    "* a comment line\n"
    "VIN IN 0 PULSE(0 2.4 10n 1n 1n 50n 100n) ; inline comment\n"
    "RSA A 0 100K $ another inline comment\n"
    "ANEURON IN 0 A B\n"
    "* a comment between continuation lines\n"
    "+ [X RA RB] NEURON1\n"
    "   \n"
    "Rsb b 0 100k\n"
    ".MODEL Neuron1 DWMTJ4T(set=\"proto-paper\"\n"
    "+ sigma=0.3 seed=4)\n"
    ".CONTROL\n"
    "set wr_vecnames\n"
    "TRAN 0.5n 2u\n"
    "wrdata out.dat v(x)\n"
    ".ENDC\n"
    ".END\n"
    "garbage after the end [[[\n";

START_TEST(parse_mixed)
{
    dwmtj_netlist *nl = parse_ok(deck_mixed);
    ck_assert_int_eq(dwmtj_netlist_neuron_count(nl), 1);
    ck_assert_str_eq(dwmtj_netlist_neuron_name(nl, 0), "aneuron");
    ck_assert_ptr_null(dwmtj_netlist_neuron_name(nl, 1));
    ck_assert_ptr_null(dwmtj_netlist_neuron_name(nl, -1));
    double tstep = 0, tstop = 0, tmax = -1;
    ck_assert_int_eq(dwmtj_netlist_tran(nl, &tstep, &tstop, &tmax), DWMTJ_H_OK);
    ck_assert(tstep == 0.5e-9 && tstop == 2e-6 && tmax == 0.0);
    char *t = instrument_ok(nl);
    /* title kept, comments and the control section gone */
    ck_assert_msg(strncmp(t, "Mixed-case deck ; the title keeps everything\n", 45) == 0,
                  "title changed:\n%s", t);
    ck_assert(!contains(t, "inline comment"));
    ck_assert(!contains(t, "a comment"));
    ck_assert(!contains(t, "wrdata") && !contains(t, "wr_vecnames"));
    ck_assert(!contains(t, ".CONTROL") && !contains(t, ".control") && !contains(t, "ENDC"));
    ck_assert(!contains(t, "garbage"));
    /* the model card joined, the tran command become a card */
    ck_assert_msg(contains(t, ".model neuron1 dwmtj4t(set=\"proto-paper\" sigma=0.3 seed=4 "
                              "monitors=\"all\")\n"), "model card:\n%s", t);
    ck_assert(contains(t, "\n.tran 0.5n 2u\n"));
    ck_assert(contains(t, "\nRSA A 0 100K\n"));
    /* the joined instance, rewritten */
    ck_assert_msg(contains(t, "\naneuron dwmtj_aneuron_in dwmtj_aneuron_gnd dwmtj_aneuron_a "
                              "dwmtj_aneuron_b [dwmtj_aneuron_m0 "),
                  "instance not rewritten:\n%s", t);
    /* every monitor of the library, the last one DWMTJ_NMON - 1 */
    char last_mon[64];
    snprintf(last_mon, sizeof last_mon, " dwmtj_aneuron_m%d] neuron1\n", DWMTJ_NMON - 1);
    ck_assert_msg(contains(t, last_mon), "no%s", last_mon);
    ck_assert(contains(t, "\nvdwmtj_aneuron_in in dwmtj_aneuron_in dc 0\n"));
    ck_assert(contains(t, "\nvdwmtj_aneuron_gnd 0 dwmtj_aneuron_gnd dc 0\n"));
    ck_assert(contains(t, "\nvdwmtj_aneuron_a a dwmtj_aneuron_a dc 0\n"));
    ck_assert(contains(t, "\nvdwmtj_aneuron_b b dwmtj_aneuron_b dc 0\n"));
    /* the user's three monitor nodes follow monitors 0-2, no more */
    ck_assert(contains(t, "\nvdwmtj_aneuron_u0 x dwmtj_aneuron_m0 dc 0\n"));
    ck_assert(contains(t, "\nvdwmtj_aneuron_u2 rb dwmtj_aneuron_m2 dc 0\n"));
    ck_assert(!contains(t, "vdwmtj_aneuron_u3"));
    /* saves: the source, the neuron; ends with .end */
    ck_assert(contains(t, " vin#branch") && contains(t, " v(in)"));
    snprintf(last_mon, sizeof last_mon, " v(dwmtj_aneuron_m%d)", DWMTJ_NMON - 1);
    ck_assert(contains(t, last_mon) && contains(t, " vdwmtj_aneuron_b#branch"));
    ck_assert(contains(t, ".save time\n"));
    size_t len = strlen(t);
    ck_assert(len > 5 && strcmp(t + len - 5, ".end\n") == 0);
    ck_assert_int_eq(count(t, ".end\n"), 1);
    free(t);
    dwmtj_netlist_free(nl);
}
END_TEST

/* A .tran card wins over the control section's tran; values through
 * .param; NULL monitors; other XSPICE instances left alone; sources of all
 * kinds found, also inside a .subckt (under the instance's name). */
static const char deck_sources[] =
    "sources\n"
    ".param tc = 1600n tstep={1n}\n"
    ".tran {tstep} {tc} 0 0.5n uic\n"
    "V1 in 0 DC 1\n"
    "I1 0 nb DC 1m\n"
    "BV bv gnd V = v(in)*2\n"
    "BI 0 bi I=1u\n"
    "R1 bv 0 1k\n"
    "R2 bi 0 1k\n"
    "Rb nb 0 1k\n"
    "a1 in 0 na nb NULL devmodel\n"
    "aother %v in %v out gainmod\n"
    ".model gainmod gain(gain=2)\n"
    ".subckt sub p q\n"
    "Vsub p q 1\n"
    ".ends sub\n"
    "X1 in 0 sub\n"
    ".model devmodel dwmtj4t(set=\"scaled\")\n"
    ".save v(in)\n"
    ".print tran v(in)\n"
    ".op\n"
    ".control\n"
    "tran 1n 1u\n"
    ".endc\n";

START_TEST(parse_sources)
{
    dwmtj_netlist *nl = parse_ok(deck_sources);
    ck_assert_int_eq(dwmtj_netlist_neuron_count(nl), 1);
    ck_assert_str_eq(dwmtj_netlist_neuron_name(nl, 0), "a1");
    double tstep = 0, tstop = 0, tmax = 0;
    ck_assert_int_eq(dwmtj_netlist_tran(nl, &tstep, &tstop, &tmax), DWMTJ_H_OK);
    ck_assert(tstep == 1e-9 && tstop == 1.6e-6 && tmax == 0.5e-9);
    ck_assert_int_eq(dwmtj_netlist_tran(nl, NULL, NULL, NULL), DWMTJ_H_OK);
    char *t = instrument_ok(nl);
    ck_assert(contains(t, "\n.tran {tstep} {tc} 0 0.5n uic\n"));
    ck_assert_int_eq(count(t, ".tran"), 1);
    ck_assert(contains(t, "\naother %v in %v out gainmod\n"));
    ck_assert(contains(t, "\nVsub p q 1\n"));
    ck_assert(!contains(t, ".print") && !contains(t, ".op") && !contains(t, "v(in)\n.print"));
    ck_assert(!contains(t, "vdwmtj_a1_u"));          /* NULL: no user monitors */
    ck_assert(contains(t, " v1#branch"));
    ck_assert(contains(t, " @i1[current]") && contains(t, " v(nb)"));
    ck_assert(contains(t, " bv#branch") && contains(t, " v(bv)"));
    ck_assert(contains(t, " @bi[i]") && contains(t, " v(bi)"));
    ck_assert(contains(t, " v.x1.vsub#branch"));
    ck_assert(!contains(t, "v(0)") && !contains(t, "v(gnd)"));
    ck_assert_int_eq(saved(t, "v(in)"), 1);           /* saved once */
    ck_assert_int_eq(saved(t, "time"), 1);
    ck_assert_int_eq(nl->n_source, 5);
    free(t);
    dwmtj_netlist_free(nl);
}
END_TEST

/* .include is read in place, relative to the including file. */
START_TEST(parse_include)
{
    const char *tmp = getenv("TMPDIR");
    char dir[1024];
    snprintf(dir, sizeof dir, "%.900s/dwmtj-ck-harness-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char sub[sizeof dir + 8], main_path[sizeof dir + 16], inc_path[sizeof dir + 32];
    snprintf(sub, sizeof sub, "%s/lib", dir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    snprintf(inc_path, sizeof inc_path, "%s/lib/models.inc", dir);
    snprintf(main_path, sizeof main_path, "%s/top.cir", dir);
    FILE *f = fopen(inc_path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("* models\n.model nmod dwmtj4t(set=\"proto\"\n+ seed=2)\nVinc in 0 1\n.end\n"
          "this line is after the included file's .end\n", f);
    fclose(f);
    f = fopen(main_path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("top\n.include \"lib/models.inc\"\naneuron in 0 a b NULL nmod\n.tran 1n 10n\n", f);
    fclose(f);
    dwmtj_netlist *nl = NULL;
    char *err = NULL;
    int rc = dwmtj_netlist_read(&nl, main_path, &err);
    ck_assert_msg(rc == DWMTJ_H_OK, "read failed: %s", err ? err : "?");
    ck_assert_int_eq(dwmtj_netlist_neuron_count(nl), 1);
    char *t = instrument_ok(nl);
    ck_assert(contains(t, ".model nmod dwmtj4t(set=\"proto\" seed=2 monitors=\"all\")\n"));
    ck_assert(contains(t, "\nVinc in 0 1\n") && contains(t, "vinc#branch"));
    ck_assert(!contains(t, ".include") && !contains(t, "after the included"));
    ck_assert(contains(t, "\naneuron dwmtj_aneuron_in"));
    free(t);
    dwmtj_netlist_free(nl);
    /* an error in an included file names that file and its line */
    f = fopen(inc_path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("* models\n.model nmod dwmtj4t(set=\"proto\")\nabad in 0 a nmod\n", f);
    fclose(f);
    rc = dwmtj_netlist_read(&nl, main_path, &err);
    ck_assert_int_eq(rc, DWMTJ_H_ERR_NETLIST);
    ck_assert_ptr_null(nl);
    char want[sizeof inc_path + 8];
    snprintf(want, sizeof want, "%s:3: ", inc_path);
    ck_assert_msg(err && strncmp(err, want, strlen(want)) == 0, "message: %s", err);
    free(err);
    remove(inc_path);
    remove(main_path);
    rmdir(sub);
    rmdir(dir);
}
END_TEST

/* ========================================================================
 * 3. Instrumenting the repository's netlists
 * ===================================================================== */

static dwmtj_netlist *read_repo(const char *rel)
{
    dwmtj_netlist *nl = NULL;
    char *err = NULL;
    int rc = dwmtj_netlist_read(&nl, path_in_src(rel), &err);
    ck_assert_msg(rc == DWMTJ_H_OK, "%s: %s", rel, err ? err : dwmtj_h_status_string(rc));
    return nl;
}

static void assert_instrumented_neuron(const char *t, const char *name)
{
    static const char *const user[4] = { "in", "0", "a", "b" };
    char want[512];
    for (int k = 0; k < 4; k++) {
        snprintf(want, sizeof want, "\nvdwmtj_%s_%s %s dwmtj_%s_%s dc 0\n", name,
                 dwmtj_h_term_name[k], user[k], name, dwmtj_h_term_name[k]);
        ck_assert_msg(contains(t, want), "no probe %s", want + 1);
        snprintf(want, sizeof want, " vdwmtj_%s_%s#branch", name, dwmtj_h_term_name[k]);
        ck_assert_msg(contains(t, want), "%s not saved", want + 1);
        snprintf(want, sizeof want, " v(dwmtj_%s_%s)", name, dwmtj_h_term_name[k]);
        ck_assert_msg(contains(t, want), "%s not saved", want + 1);
    }
    /* fig*.cir connect the first 13 monitors (x .. nr); all DWMTJ_NMON saved */
    static const char *const mon[13] = { "x", "ra", "rb", "e", "ew", "ei", "ef", "er",
                                         "eidle", "nw", "nd", "nf", "nr" };
    for (int k = 0; k < DWMTJ_NMON; k++) {
        snprintf(want, sizeof want, " v(dwmtj_%s_m%d)", name, k);
        ck_assert_msg(contains(t, want), "%s not saved", want + 1);
    }
    for (int k = 0; k < 13; k++) {
        snprintf(want, sizeof want, "\nvdwmtj_%s_u%d %s dwmtj_%s_m%d dc 0\n", name, k, mon[k],
                 name, k);
        ck_assert_msg(contains(t, want), "no monitor source %s", want + 1);
    }
    snprintf(want, sizeof want, "\nvdwmtj_%s_u13 ", name);
    ck_assert_msg(!contains(t, want), "a probe for a monitor the deck does not connect");
    ck_assert(contains(t, "\naneuron dwmtj_aneuron_in dwmtj_aneuron_gnd dwmtj_aneuron_a "
                          "dwmtj_aneuron_b [dwmtj_aneuron_m0 dwmtj_aneuron_m1"));
    ck_assert(!contains(t, "[x ra rb"));
}

START_TEST(instrument_fig3a)
{
    dwmtj_netlist *nl = read_repo("netlists/fig3a.cir");
    ck_assert_int_eq(dwmtj_netlist_neuron_count(nl), 1);
    ck_assert_str_eq(dwmtj_netlist_neuron_name(nl, 0), "aneuron");
    double tstep, tstop, tmax;
    ck_assert_int_eq(dwmtj_netlist_tran(nl, &tstep, &tstop, &tmax), DWMTJ_H_OK);
    ck_assert(tstep == 1e-9);
    ck_assert(tstop == 1600e-9);
    ck_assert(tmax == 0.0);
    char *t = instrument_ok(nl);
    assert_instrumented_neuron(t, "aneuron");
    ck_assert(contains(t, "\n.tran 1n 1600n\n"));
    ck_assert(!contains(t, ".control") && !contains(t, "wrdata"));
    ck_assert(contains(t, "\n.model neuron dwmtj4t(set=\"proto\" monitors=\"all\")\n"));
    /* the PWL continuation joined into one card */
    ck_assert(contains(t, "1499.9n 2.7 1500n 2.8 1599.9n 2.8 1600n 0) r=0\n"));
    ck_assert(contains(t, " bin#branch") && contains(t, " vamp#branch") &&
              contains(t, " vw#branch") && contains(t, " v(wsrc)"));
    free(t);
    dwmtj_netlist_free(nl);
}
END_TEST

START_TEST(instrument_fig4)
{
    dwmtj_netlist *nl = read_repo("netlists/fig4.cir");
    ck_assert_int_eq(dwmtj_netlist_neuron_count(nl), 1);
    double tstep, tstop;
    ck_assert_int_eq(dwmtj_netlist_tran(nl, &tstep, &tstop, NULL), DWMTJ_H_OK);
    ck_assert(tstep == 1e-9);
    ck_assert(fabs(tstop - 65600e-9) < 1e-18);
    char *t = instrument_ok(nl);
    assert_instrumented_neuron(t, "aneuron");
    ck_assert(contains(t, "\n.tran 1n 65600n\n"));
    /* the pulse-number device is now a set of its own (thermal model) */
    ck_assert_msg(contains(t, ".model neuron dwmtj4t(set=\"proto-pn\" seed=4 monitors=\"all\")\n"),
                  "%s", t);
    free(t);
    dwmtj_netlist_free(nl);
}
END_TEST

/* Every repository netlist parses and instruments. */
START_TEST(instrument_all_repo)
{
    static const char *const decks[] = { "netlists/fig3a.cir", "netlists/fig3ce.cir",
                                         "netlists/fig3d.cir", "netlists/fig4.cir",
                                         "netlists/fig5_12.cir", "netlists/fig5_35.cir" };
    dwmtj_netlist *nl = read_repo(decks[_i]);
    ck_assert_int_eq(dwmtj_netlist_neuron_count(nl), 1);
    double tstop = 0;
    ck_assert_int_eq(dwmtj_netlist_tran(nl, NULL, &tstop, NULL), DWMTJ_H_OK);
    ck_assert(tstop > 1e-6);
    char *t = instrument_ok(nl);
    assert_instrumented_neuron(t, "aneuron");
    free(t);
    dwmtj_netlist_free(nl);
}
END_TEST

/* ========================================================================
 * 4. Malformed input
 * ===================================================================== */

static const struct {
    const char *text;
    const char *want; /* start of the message */
} bad_decks[] = {
    { "t\nV1 a 0 1\n.control\nrun\n", "deck.cir:3: .control without .endc" },
    { "t\n.control\nrun\n.control\n.endc\n", "deck.cir:4: .control inside" },
    { "t\n.endc\n", "deck.cir:2: .endc without .control" },
    { "t\naneuron in 0 a [x] nmod\n.model nmod dwmtj4t\n", "deck.cir:2: dwmtj4t instance aneuron has 3 terminal nodes" },
    { "t\n.model nmod dwmtj4t(set=\"proto\")\n\naneuron in 0 a b nmod\n", "deck.cir:4: dwmtj4t instance aneuron: no monitor connection" },
    { "t\n.model nmod dwmtj4t\naneuron in 0 a b [x ra nmod\n", "deck.cir:3: dwmtj4t instance aneuron: unbalanced brackets" },
    { "t\n.model nmod dwmtj4t\naneuron in 0 a b x ra] nmod\n", "deck.cir:3: dwmtj4t instance aneuron: unbalanced brackets" },
    { "t\n.model nmod dwmtj4t\naneuron in 0 a b [x [ra]] nmod\n", "deck.cir:3: dwmtj4t instance aneuron: unbalanced brackets" },
    { "t\n.model nmod dwmtj4t\naneuron in 0 a b [] nmod\n", "deck.cir:3: dwmtj4t instance aneuron: empty monitor vector" },
    { "t\n.model nmod dwmtj4t\naneuron in 0 a b x nmod\n", "deck.cir:3: dwmtj4t instance aneuron has x where" },
    { "t\n.model nmod dwmtj4t\naneuron in 0 a b NULL extra nmod\n", "deck.cir:3: dwmtj4t instance aneuron: extra after" },
    { "t\n.model nmod dwmtj4t\naneuron in 0 a b %gd NULL nmod\n", "deck.cir:3: dwmtj4t instance aneuron: port type %gd" },
    /* a continued instance: the message names its first line */
    { "t\n.model nmod dwmtj4t\n* c\naneuron in\n+ 0\n+ a [x] nmod\n", "deck.cir:4: dwmtj4t instance aneuron has 3" },
    { "t\n+ R1 a 0 1\n", "deck.cir:2: continuation line ('+') without a card" },
    { "t\n.lib models.lib tt\n", "deck.cir:2: .lib is not supported" },
    { "t\n.include\n", "deck.cir:2: .include without a file name" },
    { "t\n.include /nonexistent/dwmtj/x.inc\n", "deck.cir:2: cannot read included file /nonexistent/dwmtj/x.inc" },
    { "t\n.model nmod dwmtj4t\n.subckt cell p q\naneuron p q a b NULL nmod\n.ends\nx1 in cell\n", "deck.cir:6: subcircuit instance x1 has 1 connection; cell has 2 ports" },
    { "t\n.subckt loop p\nx1 p loop\n.ends\nx0 in loop\n", "deck.cir:3: subcircuit instances nested deeper than 64" },
    { "t\n.subckt cell p q\nR1 p q 1\n", "deck.cir:2: .subckt without .ends" },
    { "t\n.ends\n", "deck.cir:2: .ends without .subckt" },
    { "t\n.model\n", "deck.cir:2: .model needs a name and a type" },
    { "t\nB1 a 0 x*2\n", "deck.cir:2: behavioural source B1: expected V=expression" },
    { "t\nV1 a\n", "deck.cir:2: source V1 needs two nodes" },
    { "t\nB1 a 0\n", "deck.cir:2: behavioural source B1: expected V=expression" },
    { "t\n.model nmod dwmtj4t\na1 i g a b NULL nmod\nA1 i g a b NULL nmod\n", "deck.cir:4: dwmtj4t instance A1 defined twice" },
};
#define NBAD ((int)(sizeof bad_decks / sizeof bad_decks[0]))

START_TEST(bad_deck)
{
    dwmtj_netlist *nl = (dwmtj_netlist *)&nl; /* must be reset to NULL */
    char *err = NULL;
    int rc = dwmtj_netlist_parse(&nl, "deck.cir", bad_decks[_i].text, &err);
    int want_rc = strstr(bad_decks[_i].want, "cannot read") ? DWMTJ_H_ERR_FILE
                                                             : DWMTJ_H_ERR_NETLIST;
    ck_assert_msg(rc == want_rc, "deck %d: status %d, want %d (message %s)", _i, rc, want_rc,
                  err ? err : "none");
    ck_assert_ptr_null(nl);
    ck_assert_msg(err && strncmp(err, bad_decks[_i].want, strlen(bad_decks[_i].want)) == 0,
                  "deck %d: message \"%s\", want it to start \"%s\"", _i, err ? err : "(null)",
                  bad_decks[_i].want);
    free(err);
}
END_TEST

START_TEST(bad_misc)
{
    dwmtj_netlist *nl = NULL;
    char *err = NULL;
    /* a missing file */
    ck_assert_int_eq(dwmtj_netlist_read(&nl, "/nonexistent/dwmtj.cir", &err), DWMTJ_H_ERR_FILE);
    ck_assert_ptr_null(nl);
    ck_assert_msg(err && strncmp(err, "/nonexistent/dwmtj.cir: cannot read", 35) == 0, "%s",
                  err);
    free(err);
    err = NULL;
    /* error pointer may be NULL */
    ck_assert_int_eq(dwmtj_netlist_parse(&nl, "x", "t\n.endc\n", NULL), DWMTJ_H_ERR_NETLIST);
    /* bad arguments */
    ck_assert_int_eq(dwmtj_netlist_parse(NULL, "x", "t\n", &err), DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_netlist_parse(&nl, "x", NULL, &err), DWMTJ_H_ERR_USAGE);
    free(err);
    err = NULL;
    ck_assert_int_eq(dwmtj_netlist_tran(NULL, NULL, NULL, NULL), DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_netlist_instrument(NULL, NULL), DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_netlist_neuron_count(NULL), 0);
    ck_assert_ptr_null(dwmtj_netlist_neuron_name(NULL, 0));
    dwmtj_netlist_free(NULL);
    /* no analysis */
    nl = parse_ok("t\nV1 a 0 1\nR1 a 0 1\n");
    char *text = (char *)"untouched";
    ck_assert_int_eq(dwmtj_netlist_tran(nl, NULL, NULL, NULL), DWMTJ_H_ERR_NOANALYSIS);
    ck_assert_int_eq(dwmtj_netlist_instrument(nl, &text), DWMTJ_H_ERR_NOANALYSIS);
    ck_assert_ptr_null(text);
    ck_assert_int_eq(dwmtj_netlist_neuron_count(nl), 0);
    dwmtj_netlist_free(nl);
    /* a tran the harness cannot evaluate: ngspice may, the harness says so */
    nl = parse_ok("t\n.tran 1n {2*tc}\n");
    ck_assert_int_eq(dwmtj_netlist_tran(nl, NULL, NULL, NULL), DWMTJ_H_ERR_NETLIST);
    dwmtj_netlist_free(nl);
    nl = parse_ok("t\n.tran 1n\n");
    ck_assert_int_eq(dwmtj_netlist_tran(nl, NULL, NULL, NULL), DWMTJ_H_ERR_NETLIST);
    dwmtj_netlist_free(nl);
    /* an empty deck is a deck without analysis */
    nl = parse_ok("");
    ck_assert_int_eq(dwmtj_netlist_neuron_count(nl), 0);
    dwmtj_netlist_free(nl);
}
END_TEST

/* ========================================================================
 * 5. Events on synthetic traces
 * ===================================================================== */

#define NT 1000
static double syn_t[NT], syn_mon[13][NT], syn_vd[NT], syn_p[NT];

/* Phase of the step (i-1, i], for energy 1 pJ per step. */
enum { PH_W = DWMTJ_MON_EW, PH_I = DWMTJ_MON_EI, PH_F = DWMTJ_MON_EF, PH_R = DWMTJ_MON_ER,
       PH_IDLE = DWMTJ_MON_EIDLE };

struct seg {
    int from, to, mon; /* steps (from, to] add 1 pJ to monitor mon */
};
struct evt {
    int at, mon;       /* count mon increments at index at */
};

/* Builds the traces: t = i ns, 1 pJ per step into the phase the segments
 * give (idle elsewhere), counts incremented at the events, p_vi = 1 W. */
static void build(int n, const struct seg *s, int ns, const struct evt *e, int ne)
{
    memset(syn_mon, 0, sizeof syn_mon);
    for (int i = 0; i < n; i++) {
        syn_t[i] = i * 1e-9;
        syn_vd[i] = 0.0;
        syn_p[i] = 1.0;
    }
    for (int i = 1; i < n; i++) {
        int mon = PH_IDLE;
        for (int k = 0; k < ns; k++)
            if (i > s[k].from && i <= s[k].to)
                mon = s[k].mon;
        for (int k = DWMTJ_MON_E; k <= DWMTJ_MON_NR; k++)
            syn_mon[k][i] = syn_mon[k][i - 1];
        syn_mon[mon][i] += 1.0;
        syn_mon[DWMTJ_MON_E][i] += 1.0;
        for (int k = 0; k < ne; k++)
            if (e[k].at == i)
                syn_mon[e[k].mon][i] += 1.0;
    }
}

static const double *const *mons(void)
{
    static const double *m[13];
    for (int k = 0; k < 13; k++)
        m[k] = syn_mon[k];
    return m;
}

#define NS_TOL 1e-15 /* s */
#define PJ_TOL 1e-20 /* J */

static void assert_energy(const dwmtj_spike *sp, double w, double i, double f, double r,
                          double idle)
{
    const double want[DWMTJ_NPHASE] = {
        [DWMTJ_PHASE_IDLE] = idle, [DWMTJ_PHASE_WRITE] = w, [DWMTJ_PHASE_INTEGRATE] = i,
        [DWMTJ_PHASE_FIRE] = f, [DWMTJ_PHASE_RESET] = r
    };
    for (int ph = 0; ph < DWMTJ_NPHASE; ph++)
        ck_assert_msg(fabs(sp->energy[ph] - 1e-12 * want[ph]) < PJ_TOL,
                      "phase %d: %g J, want %g pJ", ph, sp->energy[ph], want[ph]);
}

/* Two spikes, with a cycle that lost its domain (no fire) in between and
 * an unfinished cycle at the end. */
START_TEST(events_cycles)
{
    static const struct seg segs[] = {
        { 90, 100, PH_W }, { 100, 300, PH_I }, { 300, 320, PH_F }, { 320, 350, PH_R },
        { 410, 420, PH_W }, { 420, 500, PH_I },                         /* lost */
        { 590, 600, PH_W }, { 600, 800, PH_I }, { 800, 820, PH_F }, { 820, 850, PH_R },
        { 890, 900, PH_W }, { 900, 999, PH_I },                         /* unfinished */
    };
    static const struct evt evts[] = {
        { 100, DWMTJ_MON_NW }, { 180, DWMTJ_MON_ND }, { 300, DWMTJ_MON_NF }, { 350, DWMTJ_MON_NR },
        { 420, DWMTJ_MON_NW },
        { 600, DWMTJ_MON_NW }, { 800, DWMTJ_MON_NF }, { 850, DWMTJ_MON_NR },
        { 900, DWMTJ_MON_NW },
    };
    build(NT, segs, 12, evts, 9);
    /* cycle 1: a 1 V pulse, then pulses of 2 V: the first integrating
     * pulse is the first to pass 1 V, at 201 ns on its ramp */
    for (int i = 150; i < 160; i++)
        syn_vd[i] = 0.9;
    syn_vd[201] = 1.0;
    syn_vd[202] = 2.0;
    for (int i = 203; i < 250; i++)
        syn_vd[i] = 2.0;
    /* cycle 2, negative drive: 0.8 V, then -1.5 V and -2 V; half is 1 V,
     * crossed 2/3 of the way from 700 to 701 ns */
    for (int i = 650; i < 660; i++)
        syn_vd[i] = -0.8;
    syn_vd[701] = -1.5;
    for (int i = 702; i < 790; i++)
        syn_vd[i] = -2.0;
    dwmtj_spike *sp = NULL;
    int n = 0;
    ck_assert_int_eq(dwmtj_events(3, NT, syn_t, mons(), syn_vd, syn_p, &sp, &n), DWMTJ_H_OK);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(sp[0].neuron, 3);
    ck_assert_double_eq_tol(sp[0].t_write, 100e-9, NS_TOL);
    ck_assert_double_eq_tol(sp[0].t_first, 201e-9, NS_TOL);
    ck_assert_double_eq_tol(sp[0].t_fire, 300e-9, NS_TOL);
    ck_assert_double_eq_tol(sp[0].t_reset, 350e-9, NS_TOL);
    ck_assert_double_eq_tol(sp[0].latency, 99e-9, NS_TOL);
    ck_assert_double_eq_tol(sp[0].reset_latency, 50e-9, NS_TOL);
    /* from the start to the reset */
    assert_energy(&sp[0], 10, 200, 20, 30, 90);
    ck_assert_double_eq_tol(sp[0].energy_vi, 350e-9, 1e-18);
    /* from the reset before, the lost cycle included */
    ck_assert_double_eq_tol(sp[1].t_write, 600e-9, NS_TOL);
    ck_assert_double_eq_tol(sp[1].t_first, 700e-9 + 1e-9 / 1.5, NS_TOL);
    ck_assert_double_eq_tol(sp[1].t_fire, 800e-9, NS_TOL);
    ck_assert_double_eq_tol(sp[1].t_reset, 850e-9, NS_TOL);
    ck_assert_double_eq_tol(sp[1].latency, 100e-9 - 1e-9 / 1.5, NS_TOL);
    assert_energy(&sp[1], 20, 280, 20, 30, 150);
    ck_assert_double_eq_tol(sp[1].energy_vi, 500e-9, 1e-18);
    /* appends */
    ck_assert_int_eq(dwmtj_events(4, NT, syn_t, mons(), syn_vd, NULL, &sp, &n), DWMTJ_H_OK);
    ck_assert_int_eq(n, 4);
    ck_assert_int_eq(sp[0].neuron, 3);
    ck_assert_int_eq(sp[3].neuron, 4);
    ck_assert(isnan(sp[3].energy_vi));
    ck_assert_double_eq_tol(sp[3].t_fire, 800e-9, NS_TOL);
    free(sp);
}
END_TEST

/* A fire without a reset: the spike runs to the end of the run; a fire
 * whose domain was lost before the next write ends where that write's
 * energy starts. */
START_TEST(events_no_reset)
{
    static const struct seg segs[] = {
        { 5, 10, PH_W }, { 10, 30, PH_I }, { 30, 40, PH_F }, /* lost at 40 */
        { 60, 70, PH_W }, { 70, 90, PH_I }, { 90, 95, PH_F }, { 95, 99, PH_R },
    };
    static const struct evt evts[] = {
        { 10, DWMTJ_MON_NW }, { 30, DWMTJ_MON_NF }, { 70, DWMTJ_MON_NW }, { 90, DWMTJ_MON_NF },
    };
    build(100, segs, 7, evts, 4);
    for (int i = 15; i < 100; i++)
        syn_vd[i] = 1.0; /* on from before the first fire to the end */
    dwmtj_spike *sp = NULL;
    int n = 0;
    ck_assert_int_eq(dwmtj_events(0, 100, syn_t, mons(), syn_vd, syn_p, &sp, &n), DWMTJ_H_OK);
    ck_assert_int_eq(n, 2);
    ck_assert(isnan(sp[0].t_reset) && isnan(sp[0].reset_latency));
    ck_assert_double_eq_tol(sp[0].t_first, 14.5e-9, NS_TOL); /* 0 -> 1 V between 14, 15 ns */
    assert_energy(&sp[0], 5, 20, 10, 0, 5 + 20);             /* 0 .. 60 */
    ck_assert_double_eq_tol(sp[0].energy_vi, 60e-9, 1e-18);
    /* the drive is on all through cycle 2: its first pulse is the write */
    ck_assert_double_eq_tol(sp[1].t_first, 70e-9, NS_TOL);
    ck_assert(isnan(sp[1].t_reset));
    assert_energy(&sp[1], 10, 20, 5, 4, 0);                  /* 60 .. 99 */
    ck_assert_double_eq_tol(sp[1].energy_vi, 39e-9, 1e-18);
    free(sp);
    /* no drive trace: no first pulse, no latency */
    sp = NULL;
    n = 0;
    ck_assert_int_eq(dwmtj_events(0, 100, syn_t, mons(), NULL, NULL, &sp, &n), DWMTJ_H_OK);
    ck_assert_int_eq(n, 2);
    ck_assert(isnan(sp[0].t_first) && isnan(sp[0].latency));
    free(sp);
}
END_TEST

/* A write at the first time point (the clocked periphery writes at the
 * operating point, t = 0) starts a spike like any other (issue 11, item
 * 3: it was dropped, so the report had fewer spikes than fires). */
START_TEST(events_write_at_zero)
{
    static const struct seg segs[] = { { 0, 30, PH_I }, { 30, 40, PH_F }, { 40, 50, PH_R },
                                       { 100, 130, PH_I }, { 130, 140, PH_F },
                                       { 140, 150, PH_R } };
    static const struct evt evts[] = { { 30, DWMTJ_MON_NF }, { 50, DWMTJ_MON_NR },
                                       { 100, DWMTJ_MON_NW }, { 130, DWMTJ_MON_NF },
                                       { 150, DWMTJ_MON_NR } };
    build(200, segs, 6, evts, 5);
    for (int i = 0; i < 200; i++)
        syn_mon[DWMTJ_MON_NW][i] += 1.0; /* the write at index 0 */
    dwmtj_spike *sp = NULL;
    int n = 0;
    ck_assert_int_eq(dwmtj_events(0, 200, syn_t, mons(), syn_vd, syn_p, &sp, &n), DWMTJ_H_OK);
    ck_assert_int_eq(n, 2);
    ck_assert_double_eq_tol(sp[0].t_write, 0.0, NS_TOL);
    ck_assert_double_eq_tol(sp[0].t_fire, 30e-9, NS_TOL);
    ck_assert_double_eq_tol(sp[0].t_reset, 50e-9, NS_TOL);
    assert_energy(&sp[0], 0, 30, 10, 10, 0);
    ck_assert_double_eq_tol(sp[1].t_write, 100e-9, NS_TOL);
    ck_assert_double_eq_tol(sp[1].t_fire, 130e-9, NS_TOL);
    free(sp);
}
END_TEST

START_TEST(events_none_and_usage)
{
    static const struct seg segs[] = { { 5, 10, PH_W }, { 10, 99, PH_I } };
    static const struct evt evts[] = { { 10, DWMTJ_MON_NW } };
    build(100, segs, 2, evts, 1);
    dwmtj_spike *sp = NULL;
    int n = 0;
    ck_assert_int_eq(dwmtj_events(0, 100, syn_t, mons(), syn_vd, syn_p, &sp, &n), DWMTJ_H_OK);
    ck_assert_int_eq(n, 0);
    ck_assert_ptr_null(sp);
    ck_assert_int_eq(dwmtj_events(0, 0, NULL, mons(), NULL, NULL, &sp, &n), DWMTJ_H_OK);
    ck_assert_int_eq(dwmtj_events(0, 100, NULL, mons(), NULL, NULL, &sp, &n), DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_events(0, 100, syn_t, NULL, NULL, NULL, &sp, &n), DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_events(0, 100, syn_t, mons(), NULL, NULL, NULL, &n), DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_events(0, -1, syn_t, mons(), NULL, NULL, &sp, &n), DWMTJ_H_ERR_USAGE);
    const double *m[13];
    memcpy(m, mons(), sizeof m);
    m[DWMTJ_MON_NF] = NULL;
    ck_assert_int_eq(dwmtj_events(0, 100, syn_t, m, NULL, NULL, &sp, &n), DWMTJ_H_ERR_USAGE);
}
END_TEST

START_TEST(summary_values)
{
    dwmtj_spike sp[3];
    memset(sp, 0, sizeof sp);
    for (int k = 0; k < 3; k++) {
        sp[k].energy[DWMTJ_PHASE_WRITE] = 1e-12;
        sp[k].energy[DWMTJ_PHASE_INTEGRATE] = (k + 1) * 1e-12; /* totals 2, 3, 4 pJ */
        sp[k].energy_vi = 2e-12 * (k + 1);
        sp[k].latency = (k + 1) * 10e-9;                      /* 10, 20, 30 ns */
        sp[k].reset_latency = k == 2 ? NAN : 5e-9 * (k + 1);  /* 5, 10 ns */
    }
    dwmtj_report r;
    memset(&r, 0, sizeof r);
    r.n_spike = 3;
    r.spike = sp;
    r.energy_sources = 30e-12;
    dwmtj_summary s;
    dwmtj_summarise(&r, &s);
    ck_assert_int_eq(s.spikes, 3);
    ck_assert_double_eq_tol(s.energy_per_spike, 3e-12, 1e-24);
    ck_assert_double_eq_tol(s.energy_per_spike_sd, sqrt(2.0 / 3.0) * 1e-12, 1e-24);
    ck_assert_double_eq_tol(s.energy_phase[DWMTJ_PHASE_WRITE], 1e-12, 1e-24);
    ck_assert_double_eq_tol(s.energy_phase[DWMTJ_PHASE_INTEGRATE], 2e-12, 1e-24);
    ck_assert_double_eq_tol(s.energy_phase[DWMTJ_PHASE_FIRE], 0.0, 1e-24);
    ck_assert_double_eq_tol(s.energy_vi_per_spike, 4e-12, 1e-24);
    ck_assert_double_eq_tol(s.circuit_energy_per_spike, 10e-12, 1e-24);
    ck_assert_double_eq_tol(s.latency, 20e-9, 1e-20);
    ck_assert_double_eq_tol(s.latency_sd, sqrt(200.0 / 3.0) * 1e-9, 1e-20);
    ck_assert_double_eq_tol(s.reset_latency, 7.5e-9, 1e-20);
    /* no spikes: nothing defined */
    r.n_spike = 0;
    dwmtj_summarise(&r, &s);
    ck_assert_int_eq(s.spikes, 0);
    ck_assert(isnan(s.energy_per_spike) && isnan(s.latency) && isnan(s.circuit_energy_per_spike));
    dwmtj_summarise(NULL, &s);
    ck_assert_int_eq(s.spikes, 0);
    dwmtj_summarise(&r, NULL);
    dwmtj_report_free(NULL);
    dwmtj_report rr;
    memset(&rr, 0, sizeof rr);
    rr.spike = malloc(sizeof *rr.spike);
    rr.n_spike = 1;
    dwmtj_report_free(&rr);
    ck_assert_ptr_null(rr.spike);
    ck_assert_int_eq(rr.n_spike, 0);
}
END_TEST

/* ========================================================================
 * 6. End to end through libngspice
 * ===================================================================== */

static dwmtj_session *open_session(void)
{
    dwmtj_session *s = NULL;
    int rc = dwmtj_session_open(&s, cm);
    ck_assert_msg(rc == DWMTJ_H_OK, "session: %s (%s)", dwmtj_h_status_string(rc),
                  s ? dwmtj_session_error(s) : "no session");
    return s;
}

static void load_run(dwmtj_session *s, const char *name, const char *text)
{
    int rc = dwmtj_session_load(s, name, text);
    ck_assert_msg(rc == DWMTJ_H_OK, "load %s: %s: %s", name, dwmtj_h_status_string(rc),
                  dwmtj_session_error(s));
    rc = dwmtj_session_run(s, NULL, NULL, 60.0);
    ck_assert_msg(rc == DWMTJ_H_OK, "run %s: %s: %s", name, dwmtj_h_status_string(rc),
                  dwmtj_session_error(s));
}

/* What ngspice says about a card reaches the user with the user's file
 * and line (issue 11, item 16: a NaN or an unquoted string on a card gave
 * only "ngspice.dll cannot recover and awaits to be detached"); the deck
 * ngspice reads is the instrumented one, whose lines are not the user's. */
START_TEST(e2e_ngspice_message)
{
    static const char *const cards[] = { "ms=nan", "set=scaled" };
    static const char *const want[] = { "deck.cir:7: ngspice: Undefined parameter [nan]",
                                        "deck.cir:7: ngspice: Undefined parameter [scaled]" };
    char text[512];
    snprintf(text, sizeof text,
             "messages\n* a comment\n* another\nvin in 0 dc 0.3\n"
             "an in 0 a b NULL nmod\n\n.model nmod dwmtj4t(%s)\nra a 0 1k\nrb b 0 1k\n"
             ".tran 1n 10n\n", cards[_i]);
    dwmtj_netlist *nl = parse_ok(text);
    dwmtj_session *s = open_session();
    int rc = dwmtj_session_load_netlist(s, nl);
    ck_assert_int_eq(rc, DWMTJ_H_ERR_NETLIST);
    ck_assert_msg(strncmp(dwmtj_session_error(s), want[_i], strlen(want[_i])) == 0,
                  "message: %s", dwmtj_session_error(s));
    dwmtj_session_close(s);
    dwmtj_netlist_free(nl);
}
END_TEST

/* The sign conventions the analysis relies on, shown on ngspice itself:
 * 1 V across two 1 kOhm loads gives V#branch = -2 mA (the branch current
 * flows from + through the source to -), and a 1 mA current source from 0
 * to node 2 reports @I[current] = +1 mA. */
START_TEST(e2e_sign_convention)
{
    dwmtj_session *s = open_session();
    load_run(s, "sign.cir",
             "sign convention\nV1 1 0 DC 1\nR1 1 0 1k\nI1 0 2 DC 1m\nR2 2 0 2k\n"
             "Vp 1 3 0\nR3 3 0 1k\n.tran 1n 10n\n.save time v1#branch @i1[current] v(2) "
             "vp#branch\n.end\n");
    const double *d;
    int n;
    ck_assert_int_eq(dwmtj_session_vector(s, "v1#branch", &d, &n), DWMTJ_H_OK);
    ck_assert(n > 1);
    ck_assert_double_eq_tol(d[n - 1], -2e-3, 1e-12);
    ck_assert_int_eq(dwmtj_session_vector(s, "@i1[current]", &d, &n), DWMTJ_H_OK);
    ck_assert_double_eq_tol(d[n - 1], 1e-3, 1e-12);
    ck_assert_int_eq(dwmtj_session_vector(s, "v(2)", &d, &n), DWMTJ_H_OK);
    ck_assert_double_eq_tol(d[n - 1], 2.0, 1e-9);
    /* a probe "Vp USER DEVICE 0": its branch current is the current into
     * the element on the DEVICE side (1 V / 1 kOhm into R3) */
    ck_assert_int_eq(dwmtj_session_vector(s, "vp#branch", &d, &n), DWMTJ_H_OK);
    ck_assert_double_eq_tol(d[n - 1], 1e-3, 1e-12);
    dwmtj_session_close(s);
}
END_TEST

static void run_analyse(const dwmtj_netlist *nl, const char *name, dwmtj_report *r);

/* The energy of every kind of source the harness counts, against the
 * power of the resistors each one feeds alone: 20 mW for 10 ns, 1 mW of
 * it from the source inside the subcircuit.  The E source in VALUE form is
 * not counted (its 4 mW is left out). */
START_TEST(e2e_source_energy)
{
    static const char deck[] =
        "sources of every kind\n"
        "V1 1 0 DC 1\nR1 1 0 1k\n"             /* 1 mW, and 1 mW through Vs */
        "Vs 1 5 0\nR5 5 0 1k\n"
        "I1 0 2 DC 1m\nR2 2 0 2k\n"           /* 2 mW */
        "Bv 3 0 V=2\nR3 3 0 1k\n"             /* 4 mW */
        "Bi 0 4 I=1m\nR4 4 0 1k\n"            /* 1 mW */
        "E1 6 0 1 0 2\nR6 6 0 1k\n"           /* 4 mW */
        "G1 0 7 1 0 1m\nR7 7 0 1k\n"          /* 1 mW */
        "F1 0 8 Vs 2\nR8 8 0 1k\n"            /* 4 mW */
        "H1 9 0 Vs 1k\nR9 9 0 1k\n"           /* 1 mW */
        "E2 10 0 VALUE={2*V(1)}\nR10 10 0 1k\n" /* not counted */
        ".subckt cell p\nVc p 0 1\nRc p 0 1k\n.ends\n"
        "X1 11 cell\n"                        /* 1 mW, through its port */
        ".tran 1n 10n\n";
    dwmtj_netlist *nl = parse_ok(deck);
    ck_assert_int_eq(nl->n_source, 10);
    dwmtj_report r;
    run_analyse(nl, "sources.cir", &r);
    ck_assert_int_eq(r.n_neuron, 0);
    ck_assert_int_eq(r.n_spike, 0);
    ck_assert_double_eq_tol(r.t_stop, 10e-9, 1e-18);
    ck_assert_msg(fabs(r.energy_sources - 20e-3 * 10e-9) < 1e-6 * 20e-3 * 10e-9,
                  "sources delivered %.9g J, want %.9g J", r.energy_sources, 20e-3 * 10e-9);
    dwmtj_report_free(&r);
    dwmtj_netlist_free(nl);
}
END_TEST

/* Runs the instrumented deck of nl and analyses it. */
static void run_analyse(const dwmtj_netlist *nl, const char *name, dwmtj_report *r)
{
    char *text = instrument_ok(nl);
    dwmtj_session *s = open_session();
    load_run(s, name, text);
    free(text);
    int rc = dwmtj_analyse(s, nl, r);
    ck_assert_msg(rc == DWMTJ_H_OK, "analyse: %s: %s", dwmtj_h_status_string(rc),
                  dwmtj_session_error(s));
    dwmtj_session_close(s);
}

/* What netlists/fig3a.cir writes with wrdata (set wr_singlescale,
 * wr_vecnames): time, v(in) and the monitors x .. nr under their names,
 * from the vectors of the harness's run of it in s, into path. */
static void write_fig3a_dat(dwmtj_session *s, const char *path)
{
    enum { NV = 2 + 13 };
    char name[NV][64], head[NV][32];
    const double *v[NV];
    int n = -1;
    snprintf(name[0], sizeof name[0], "time");
    snprintf(name[1], sizeof name[1], "v(in)");
    snprintf(head[0], sizeof head[0], "time");
    snprintf(head[1], sizeof head[1], "v(in)");
    for (int k = 0; k < 13; k++) {
        snprintf(name[2 + k], sizeof name[0], "v(dwmtj_aneuron_m%d)", k);
        snprintf(head[2 + k], sizeof head[0], "v(%s)", dwmtj_monitor_name(k));
    }
    for (int c = 0; c < NV; c++) {
        int len;
        int rc = dwmtj_session_vector(s, name[c], &v[c], &len);
        ck_assert_msg(rc == DWMTJ_H_OK, "vector %s: %s", name[c], dwmtj_session_error(s));
        ck_assert_msg(n < 0 || len == n, "vector %s: %d points, not %d", name[c], len, n);
        n = len;
    }
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    for (int c = 0; c < NV; c++)
        fprintf(f, "%s%s", c ? " " : "", head[c]);
    fputc('\n', f);
    for (int r = 0; r < n; r++)
        for (int c = 0; c < NV; c++)
            fprintf(f, "%s%.17g%s", c ? " " : "", v[c][r], c == NV - 1 ? "\n" : "");
    ck_assert_int_eq(fclose(f), 0);
}

/* The number after key in text; fails the test if there is none. */
static double number_after(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    ck_assert_msg(p != NULL, "no \"%s\" in:\n%s", key, text);
    char *end;
    double v = strtod(p + strlen(key), &end);
    ck_assert_msg(end != p + strlen(key), "no number after \"%s\" in:\n%s", key, text);
    return v;
}

/* fig3a (the thermal proto): one spike.  The harness's events against
 * dwmtj-figcheck's on the same run: its vectors written as fig3a.dat.
 * figcheck measures the latency from the time point before the first
 * pulse (about 100 ns) to the fire, and fire to reset; the harness starts
 * the latency at the half-maximum crossing of that pulse: the 1.4 V pulse
 * with its 10 ns edge crosses half of the pulse of amplitude A that fires
 * at 100 + 10 * (A/2) / 1.4 ns, A in figcheck's table.  (Against the
 * ngspice binary's run of fig3a.cir the draws differ: the thermal model
 * keys them by the device's node names, which the harness renames.) */
START_TEST(e2e_fig3a)
{
    dwmtj_netlist *nl = read_repo("netlists/fig3a.cir");
    dwmtj_report r;
    char *text = instrument_ok(nl);
    dwmtj_session *s = open_session();
    load_run(s, "fig3a.cir", text);
    free(text);
    int rc = dwmtj_analyse(s, nl, &r);
    ck_assert_msg(rc == DWMTJ_H_OK, "analyse: %s: %s", dwmtj_h_status_string(rc),
                  dwmtj_session_error(s));
    const char *tmp = getenv("TMPDIR");
    char dir[1024], dat[1100];
    snprintf(dir, sizeof dir, "%.900s/dwmtj-ck-fig3a-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(dat, sizeof dat, "%s/fig3a.dat", dir);
    write_fig3a_dat(s, dat);
    dwmtj_session_close(s);
    const char *const argv[] = { figcheck, "amplitude", dat, NULL };
    tu_result fc;
    tu_run(argv, NULL, 30.0, &fc);
    tu_remove_tree(dir);
    ck_assert_msg(fc.status == 0 || fc.status == 1, "%s: exit %d:\n%s%s", figcheck, fc.status,
                  fc.out, fc.err);
    double lat = 1e-9 * number_after(fc.out, "first integrating pulse to fire: ");
    double rst = 1e-9 * number_after(fc.out, "fire to reset: ");
    int cyc = 0;
    char writer = 0, pinned[4] = "";
    double a_depin = 0.0, a_fire = 0.0, a_reset = 0.0;
    const char *row = strstr(fc.out, "reset@V\n");
    ck_assert_msg(row && sscanf(row + 8, "%d %c %3s %lf %lf %lf", &cyc, &writer, pinned, &a_depin,
                                &a_fire, &a_reset) == 6 && cyc == 1 && writer == 'A',
                  "figcheck's table:\n%s", fc.out);

    ck_assert_int_eq(r.n_neuron, 1);
    ck_assert_str_eq(r.neuron[0].name, "aneuron");
    ck_assert_int_eq(r.neuron[0].writes, 1);
    ck_assert_int_eq(r.neuron[0].depins, 1);
    ck_assert_int_eq(r.neuron[0].fires, 1);
    ck_assert_int_eq(r.neuron[0].resets, 1);
    ck_assert_double_eq_tol(r.t_stop, 1.6e-6, 1e-15);
    ck_assert_int_eq(r.n_spike, 1);
    const dwmtj_spike *sp = &r.spike[0];
    const double first = 100e-9 + 10e-9 * (a_fire / 2.0) / 1.4;
    ck_assert_msg(fabs(sp->t_first - first) < 0.01e-9,
                  "first pulse at %.4f ns, want %.4f ns (fire at %.2f V)", 1e9 * sp->t_first,
                  1e9 * first, a_fire);
    ck_assert_msg(fabs(sp->t_fire - 100e-9 - lat) < 0.5e-9,
                  "fire %.4f ns after the first pulse's start; figcheck: %.4f ns",
                  1e9 * (sp->t_fire - 100e-9), 1e9 * lat);
    ck_assert_msg(fabs(sp->reset_latency - rst) < 0.1e-9,
                  "reset %.4f ns after the fire; figcheck: %.4f ns", 1e9 * sp->reset_latency,
                  1e9 * rst);
    tu_result_free(&fc);
    ck_assert_double_eq_tol(sp->latency, sp->t_fire - sp->t_first, 1e-18);
    ck_assert(sp->t_write > 10e-9 && sp->t_write < 60e-9);
    ck_assert(sp->t_reset > sp->t_fire);
    double e = 0.0;
    for (int ph = 0; ph < DWMTJ_NPHASE; ph++) {
        e += sp->energy[ph];
        ck_assert(sp->energy[ph] >= 0.0);
    }
    ck_assert_msg(e > 100e-12, "device energy per spike %g J", e);
    ck_assert_msg(fabs(e - sp->energy_vi) <= 0.01 * e,
                  "energy per spike: model %.6g J, integral of V I %.6g J", e, sp->energy_vi);
    /* over the run: the model and V I agree, the sources deliver more
     * than the device takes (the sense resistors and the switch take the rest) */
    double en = 0.0;
    for (int ph = 0; ph < DWMTJ_NPHASE; ph++)
        en += r.neuron[0].energy[ph];
    ck_assert(fabs(en - r.neuron[0].energy_vi) <= 0.01 * en);
    ck_assert_msg(r.energy_sources > en && r.energy_sources < 1.5 * en,
                  "sources %g J, device %g J", r.energy_sources, en);
    dwmtj_summary sm;
    dwmtj_summarise(&r, &sm);
    ck_assert_int_eq(sm.spikes, 1);
    ck_assert_double_eq_tol(sm.latency, sp->latency, 1e-18);
    ck_assert_double_eq_tol(sm.circuit_energy_per_spike, r.energy_sources, 1e-24);
    dwmtj_report_free(&r);
    dwmtj_netlist_free(nl);
}
END_TEST

/* The scaled device, no noise, no pinning: a write through MTJ_A (with IN
 * held at ground by a switch, so that the write is no drive between IN and
 * GND), then a constant current I into IN with A and B open.  The whole current runs
 * along the track, j = I / (w d), and the domain moves at the paper's
 * v = g muB P j / (2 e Ms).  It fires when MTJ_B's overlap reaches
 * R_AP / (R_P + R_AP), i.e. with its centre (l + l_B)/2 - f l_B before
 * MTJ_B's centre. */
#define G_LANDE 2.0
#define MU_B 9.2740100783e-24 /* J/T, CODATA 2018 */
#define Q_E 1.602176634e-19   /* C */
#define I_DRIVE 50e-6         /* A */
#define T_ON 5e-9             /* s, the current source's rise starts */
#define T_RISE 0.01e-9        /* s */

START_TEST(e2e_analytic_fire)
{
    static const char deck[] =
        "scaled device driven by a constant current\n"
        "Vw wsrc 0 PULSE(0 -2 1n 0.01n 0.01n 1.2n 1u)\n"
        "Vsw ctl 0 PULSE(0 1 0.5n 0.01n 0.01n 2.2n 1u)\n"
        "Sw a wsrc ctl 0 wsw\n"
        "Sg in 0 ctl 0 wsw\n"
        ".model wsw sw(vt=0.5 vh=0.1 ron=1 roff=1e12)\n"
        "Iin 0 in PULSE(0 50u 5n 0.01n 0.01n 1u 2u)\n"
        "aneuron in 0 a b NULL neuron\n"
        ".model neuron dwmtj4t(set=\"scaled\" sigma=0)\n"
        ".tran 0.01n 15n\n"
        ".end\n";
    dwmtj_params p;
    ck_assert_int_eq(dwmtj_params_set(&p, "scaled"), DWMTJ_OK);
    double j = I_DRIVE / (p.width * p.thick);
    double v = G_LANDE * MU_B * p.pol * j / (2.0 * Q_E * p.ms);
    double l = p.l_nuc > 0.0 ? p.l_nuc : p.la;
    double f = p.rap_b / (p.rp_b + p.rap_b);
    double x_fire = p.xb - ((l + p.lb) / 2.0 - f * p.lb);

    dwmtj_netlist *nl = parse_ok(deck);
    char *text = instrument_ok(nl);
    dwmtj_session *s = open_session();
    load_run(s, "analytic.cir", text);
    free(text);
    /* where the write left the domain when the current starts */
    const double *t, *x;
    int n, nx;
    ck_assert_int_eq(dwmtj_session_vector(s, "time", &t, &n), DWMTJ_H_OK);
    ck_assert_int_eq(dwmtj_session_vector(s, "v(dwmtj_aneuron_m0)", &x, &nx), DWMTJ_H_OK);
    ck_assert_int_eq(n, nx);
    int k = 0;
    while (k + 1 < n && t[k + 1] <= T_ON)
        k++;
    double x0 = 1e-6 * x[k]; /* um */
    ck_assert_msg(x0 > 0.0 && x0 < p.xa + p.la, "no domain under MTJ_A at %g s: x = %g m", t[k],
                  x0);
    dwmtj_report r;
    int rc = dwmtj_analyse(s, nl, &r);
    ck_assert_msg(rc == DWMTJ_H_OK, "analyse: %s", dwmtj_session_error(s));
    ck_assert_int_eq(r.n_spike, 1);
    ck_assert_int_eq(r.neuron[0].writes, 1);
    /* the ramp moves it half as far as the full current would */
    double t_fire = T_ON + T_RISE / 2.0 + (x_fire - x0) / v;
    double travel = r.spike[0].t_fire - T_ON, want = t_fire - T_ON;
    ck_assert_msg(fabs(travel - want) <= 0.005 * want,
                  "fire %.5f ns after the current starts, analytic %.5f ns (v = %.3f m/s, "
                  "from %.3f nm to %.3f nm)", 1e9 * travel, 1e9 * want, v, 1e9 * x0,
                  1e9 * x_fire);
    /* the first integrating pulse: the current source's edge */
    ck_assert(r.spike[0].t_first > T_ON && r.spike[0].t_first < T_ON + T_RISE);
    dwmtj_report_free(&r);
    dwmtj_session_close(s);
    dwmtj_netlist_free(nl);
}
END_TEST

/* The clocked scaled device at 0.3 V DC writes at t = 0, 100 and 200 ns,
 * each domain fires and is ejected within 25 ns, and the run ends after
 * the third reset: three fires, three spikes (the write at the operating
 * point was dropped, and its spike with it). */
START_TEST(e2e_clocked_spikes)
{
    static const char deck[] =
        "clocked scaled device\n"
        "Vin in 0 DC 0.3\n"
        "Ra a 0 1meg\nRb b 0 1meg\n"
        "aneuron in 0 a b NULL neuron\n"
        ".model neuron dwmtj4t(set=\"scaled\" t_rewrite=100n)\n"
        ".tran 1n 250n 0 1n\n"
        ".end\n";
    dwmtj_netlist *nl = parse_ok(deck);
    dwmtj_report r;
    run_analyse(nl, "clocked.cir", &r);
    ck_assert_int_eq(r.n_neuron, 1);
    ck_assert_int_eq(r.neuron[0].writes, 3);
    ck_assert_int_eq(r.neuron[0].fires, 3);
    ck_assert_int_eq(r.neuron[0].resets, 3);
    ck_assert_int_eq(r.n_spike, r.neuron[0].fires);
    ck_assert_double_eq_tol(r.spike[0].t_write, 0.0, 1e-15);
    for (int k = 0; k < r.n_spike; k++)
        ck_assert_msg(r.spike[k].t_reset > r.spike[k].t_fire &&
                          r.spike[k].t_fire > r.spike[k].t_write,
                      "spike %d: write %g, fire %g, reset %g s", k, r.spike[k].t_write,
                      r.spike[k].t_fire, r.spike[k].t_reset);
    dwmtj_report_free(&r);
    dwmtj_netlist_free(nl);
}
END_TEST

/* Analysing a run with a netlist it did not come from: the vector is
 * missing and the report stays empty. */
START_TEST(e2e_missing_vector)
{
    dwmtj_session *s = open_session();
    load_run(s, "plain.cir", "plain\nV1 1 0 DC 1\nR1 1 0 1k\n.tran 1n 10n\n.end\n");
    dwmtj_netlist *nl = parse_ok("other\n.model nm dwmtj4t\naneuron in 0 a b NULL nm\n"
                                 ".tran 1n 10n\n");
    dwmtj_report r;
    memset(&r, 0xff, sizeof r);
    int rc = dwmtj_analyse(s, nl, &r);
    ck_assert_msg(rc == DWMTJ_H_ERR_VECTOR, "analyse gave %d", rc);
    ck_assert_int_eq(r.n_neuron, 0);
    ck_assert_ptr_null(r.neuron);
    ck_assert_ptr_null(r.spike);
    ck_assert_int_eq(dwmtj_analyse(NULL, nl, &r), DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_analyse(s, NULL, &r), DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_analyse(s, nl, NULL), DWMTJ_H_ERR_USAGE);
    dwmtj_netlist_free(nl);
    dwmtj_session_close(s);
}
END_TEST

/* ========================================================================
 * 7. Streaming runs: spikes handed out as the run goes
 * ===================================================================== */

/* What a streaming run handed out, and the progress when it did. */
typedef struct {
    int n;
    dwmtj_spike spike[256];
    char name[256][64];
    double progress_at[256]; /* progress reported before each spike */
    double progress;         /* last progress reported */
    int n_progress;
} stream_log;

static void stream_progress(double fraction, void *userdata)
{
    stream_log *l = userdata;
    ck_assert(fraction >= l->progress);
    l->progress = fraction;
    l->n_progress++;
}

static void stream_spike(const dwmtj_spike *sp, const char *name, void *userdata)
{
    stream_log *l = userdata;
    ck_assert_int_lt(l->n, 256);
    l->spike[l->n] = *sp;
    snprintf(l->name[l->n], sizeof l->name[0], "%s", name);
    l->progress_at[l->n] = l->progress;
    l->n++;
}

/* Equal, or both NaN; else within rel relative. */
static int same(double a, double b, double rel)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return a == b || fabs(a - b) <= rel * fmax(fabs(a), fabs(b));
}

static void assert_same_spike(const dwmtj_spike *a, const dwmtj_spike *b, int k)
{
    const double rel = 1e-12;
    ck_assert_int_eq(a->neuron, b->neuron);
    ck_assert_msg(same(a->t_write, b->t_write, rel) && same(a->t_first, b->t_first, rel) &&
                      same(a->t_fire, b->t_fire, rel) && same(a->t_reset, b->t_reset, rel) &&
                      same(a->latency, b->latency, rel) &&
                      same(a->reset_latency, b->reset_latency, rel) &&
                      same(a->energy_vi, b->energy_vi, rel),
                  "spike %d: fire %.17g / %.17g, reset %.17g / %.17g, E_vi %.17g / %.17g", k,
                  a->t_fire, b->t_fire, a->t_reset, b->t_reset, a->energy_vi, b->energy_vi);
    for (int ph = 0; ph < DWMTJ_NPHASE; ph++)
        ck_assert_msg(same(a->energy[ph], b->energy[ph], rel), "spike %d phase %d: %.17g / %.17g",
                      k, ph, a->energy[ph], b->energy[ph]);
}

static void assert_same_report(const dwmtj_report *a, const dwmtj_report *b)
{
    const double rel = 1e-12;
    ck_assert_msg(same(a->t_stop, b->t_stop, rel), "t_stop %.17g / %.17g", a->t_stop, b->t_stop);
    ck_assert_msg(same(a->energy_sources, b->energy_sources, rel), "sources %.17g / %.17g",
                  a->energy_sources, b->energy_sources);
    ck_assert_int_eq(a->n_neuron, b->n_neuron);
    for (int j = 0; j < a->n_neuron; j++) {
        const dwmtj_neuron_report *x = &a->neuron[j], *y = &b->neuron[j];
        ck_assert_str_eq(x->name, y->name);
        ck_assert_int_eq(x->writes, y->writes);
        ck_assert_int_eq(x->depins, y->depins);
        ck_assert_int_eq(x->fires, y->fires);
        ck_assert_int_eq(x->resets, y->resets);
        ck_assert(same(x->energy_vi, y->energy_vi, rel));
        for (int ph = 0; ph < DWMTJ_NPHASE; ph++)
            ck_assert(same(x->energy[ph], y->energy[ph], rel));
    }
    ck_assert_int_eq(a->n_spike, b->n_spike);
    for (int k = 0; k < a->n_spike; k++)
        assert_same_spike(&a->spike[k], &b->spike[k], k);
}

/* ========================================================================
 * 6b. The circuit as the user wrote it: card monitors, names, subcircuits
 * ===================================================================== */

/* fig3a.cir with its model card and instance line replaced.  A
 * proto-paper card (the paper's model: current from the track into the
 * pillar writes) gets the write the paper's model needs, -3.1 V at A. */
static char *fig3a_with(const char *instance, const char *model, const char *extra)
{
    char *text = ngr_read_file(path_in_src("netlists/fig3a.cir"));
    ck_assert_ptr_nonnull(text);
    int paper = strstr(model, "\"proto-paper\"") != NULL;
    size_t n = strlen(text) + strlen(instance) + strlen(model) + strlen(extra) + 16;
    char *out = malloc(n);
    ck_assert_ptr_nonnull(out);
    out[0] = '\0';
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "aneuron ", 8))
            line = (char *)instance;
        else if (!strncmp(line, ".model neuron ", 14))
            line = (char *)model;
        else if (paper && !strncmp(line, "Vw ", 3)) {
            char *w = strstr(line, "PULSE(0 3.1 ");
            ck_assert_msg(w != NULL, "fig3a.cir: write source \"%s\" is not +3.1 V", line);
            strcat(out, "Vw wsrc 0 PULSE(0 -3.1 ");
            strcat(out, w + 12);
            strcat(out, "\n");
            continue;
        }
        else if (!strncmp(line, ".end", 4) && !line[4] && *extra) {
            strcat(out, extra);
            strcat(out, "\n");
        }
        strcat(out, line);
        strcat(out, "\n");
    }
    free(text);
    return out;
}

static void run_text(const char *text, dwmtj_report *r, dwmtj_netlist **keep)
{
    dwmtj_netlist *nl = parse_ok(text);
    run_analyse(nl, "deck.cir", r);
    if (keep)
        *keep = nl;
    else
        dwmtj_netlist_free(nl);
}

static void assert_same_neuron(const dwmtj_neuron_report *a, const dwmtj_neuron_report *b,
                               double rel)
{
    ck_assert_int_eq(a->writes, b->writes);
    ck_assert_int_eq(a->depins, b->depins);
    ck_assert_int_eq(a->fires, b->fires);
    ck_assert_int_eq(a->resets, b->resets);
    for (int ph = 0; ph < DWMTJ_NPHASE; ph++)
        ck_assert_msg(same(a->energy[ph], b->energy[ph], rel), "phase %d: %.12g / %.12g J", ph,
                      a->energy[ph], b->energy[ph]);
    ck_assert_msg(same(a->energy_vi, b->energy_vi, rel), "V*I: %.12g / %.12g J", a->energy_vi,
                  b->energy_vi);
}

/* A card that selects or reorders monitors: the harness reads all of them
 * in table order whatever the card says, and the user's monitor nodes still
 * get what the card gave them (issue 11, item 1: a card with
 * monitors="nf:e" gave 0 writes, 0 fires, 0 energy). */
START_TEST(card_monitors)
{
    static const char *const models[] = {
        ".model neuron dwmtj4t(set=\"proto\" monitors=\"nf:e\")",
        ".model neuron dwmtj4t(set=\"proto\" monitors=\"nr:nf:nd:nw:eidle:er:ef:ei:ew:e:rb:ra:x\")",
        ".model neuron dwmtj4t(set=\"proto\" monitors=\"e\")",
    };
    static const char *const inst[] = {
        "aneuron in 0 a b [f e] neuron",
        "aneuron in 0 a b [r f d w] neuron",
        "aneuron in 0 a b NULL neuron",
    };
    char *plain = fig3a_with("aneuron in 0 a b NULL neuron", ".model neuron dwmtj4t(set=\"proto\")", "");
    dwmtj_report r0, r;
    run_text(plain, &r0, NULL);
    free(plain);
    ck_assert_int_eq(r0.neuron[0].fires, 1);
    for (int k = 0; k < 3; k++) {
        char *text = fig3a_with(inst[k], models[k], "");
        dwmtj_netlist *nl;
        run_text(text, &r, &nl);
        assert_same_neuron(&r.neuron[0], &r0.neuron[0], 1e-12);
        ck_assert_int_eq(r.n_spike, r0.n_spike);
        char *t = instrument_ok(nl);
        if (k == 0) { /* node f carries the fires, e the energy */
            ck_assert_msg(contains(t, "\nvdwmtj_aneuron_u0 f dwmtj_aneuron_m11 dc 0\n"), "%s", t);
            ck_assert(contains(t, "\nvdwmtj_aneuron_u1 e dwmtj_aneuron_m3 dc 0\n"));
        } else if (k == 1) {
            ck_assert(contains(t, "\nvdwmtj_aneuron_u0 r dwmtj_aneuron_m12 dc 0\n"));
            ck_assert(contains(t, "\nvdwmtj_aneuron_u3 w dwmtj_aneuron_m9 dc 0\n"));
        }
        ck_assert(contains(t, "monitors=\"all\")"));
        free(t);
        free(text);
        dwmtj_netlist_free(nl);
        dwmtj_report_free(&r);
    }
    dwmtj_report_free(&r0);
}
END_TEST

/* Nodes and elements of the user that the harness's own names would have
 * met (item 4: an unconnected "Rz dwmtj_aneuron_a 0 1k" gave 0 spikes,
 * "Rz dwmtj_aneuron_in 0 1" 2000 times the energy).  The paper's model
 * (proto-paper), deterministic: the thermal model's draws are keyed by
 * the device's node names, which the harness's prefix changes, so there
 * two runs would differ by their draws, not by the harness. */
START_TEST(user_names_kept)
{
    static const char *const extra[] = { "Rz dwmtj_aneuron_a 0 1k", "Rz dwmtj_aneuron_in 0 1",
                                         "Vdwmtj_aneuron_b zz 0 0\nRzz zz 0 1k",
                                         "Rz x.dwmtj1_q 0 1k\nRy dwmtj_ 0 1" };
    static const char card[] = ".model neuron dwmtj4t(set=\"proto-paper\")";
    char *plain = fig3a_with("aneuron in 0 a b NULL neuron", card, "");
    dwmtj_report r0, r;
    run_text(plain, &r0, NULL);
    free(plain);
    for (int k = 0; k < 4; k++) {
        char *text = fig3a_with("aneuron in 0 a b NULL neuron", card, extra[k]);
        dwmtj_netlist *nl;
        run_text(text, &r, &nl);
        ck_assert_msg(strcmp(nl->prefix, "dwmtj_") != 0, "prefix %s", nl->prefix);
        if (k == 3)
            ck_assert_str_eq(nl->prefix, "dwmtj2_");
        ck_assert_int_eq(r.n_spike, 1);
        assert_same_neuron(&r.neuron[0], &r0.neuron[0], 1e-9);
        dwmtj_report_free(&r);
        dwmtj_netlist_free(nl);
        free(text);
    }
    dwmtj_report_free(&r0);
}
END_TEST

/* Neurons inside subcircuits, nested (item 18): each instance is a neuron
 * of the report under ngspice's name for it, and behaves as the same
 * neuron at the top level does. */
START_TEST(subckt_neurons)
{
    static const char top[] =
        "one neuron\n"
        ".model nmod dwmtj4t(set=\"scaled\" t_rewrite=100n)\n"
        "vin in 0 dc 0.3\n"
        "an in 0 a b NULL nmod\nra a 0 100k\nrb b 0 100k\n"
        ".tran 1n 1u 0 0.1n\n";
    static const char sub[] =
        "neurons in subcircuits\n"
        ".model nmod dwmtj4t(set=\"scaled\" t_rewrite=100n)\n"
        ".subckt cell p\n"
        "an p 0 a b [f] nmod\nra a 0 100k\nrb b 0 100k\n"
        ".ends cell\n"
        ".subckt pair q\n"
        "x1 q cell\nx2 q cell\n"
        ".ends\n"
        "vin in 0 dc 0.3\n"
        "x1 in cell\nx2 in cell\nX3 in pair\n"
        ".tran 1n 1u 0 0.1n\n";
    dwmtj_report r0, r;
    run_text(top, &r0, NULL);
    ck_assert_int_gt(r0.neuron[0].fires, 5);
    dwmtj_netlist *nl;
    run_text(sub, &r, &nl);
    static const char *const names[] = { "a.x1.an", "a.x2.an", "a.x3.x1.an", "a.x3.x2.an" };
    ck_assert_int_eq(r.n_neuron, 4);
    for (int k = 0; k < 4; k++) {
        ck_assert_str_eq(dwmtj_netlist_neuron_name(nl, k), names[k]);
        ck_assert_str_eq(r.neuron[k].name, names[k]);
        assert_same_neuron(&r.neuron[k], &r0.neuron[0], 1e-9);
    }
    ck_assert_int_eq(r.n_spike, 4 * r0.n_spike);
    /* the one source delivers four neurons' energy */
    ck_assert_msg(same(r.energy_sources, 4 * r0.energy_sources, 1e-6), "%.12g / %.12g J",
                  r.energy_sources, 4 * r0.energy_sources);
    char *t = instrument_ok(nl);
    ck_assert(contains(t, " v(x3.x2.dwmtj_an_m11)") && contains(t, " v.x3.x1.vdwmtj_an_in#branch"));
    free(t);
    dwmtj_netlist_free(nl);
    dwmtj_report_free(&r);
    dwmtj_report_free(&r0);
}
END_TEST

/* Streams the instrumented deck of nl in a new session. */
static void stream_run(const dwmtj_netlist *nl, const char *name, double chunk,
                       stream_log *l, dwmtj_report *r)
{
    char *text = instrument_ok(nl);
    dwmtj_session *s = open_session();
    int rc = dwmtj_session_load(s, name, text);
    free(text);
    ck_assert_msg(rc == DWMTJ_H_OK, "load: %s", dwmtj_session_error(s));
    memset(l, 0, sizeof *l);
    rc = dwmtj_run_streaming(s, nl, chunk, stream_progress, stream_spike, l, 120.0, r);
    ck_assert_msg(rc == DWMTJ_H_OK, "streaming run: %s: %s", dwmtj_h_status_string(rc),
                  dwmtj_session_error(s));
    dwmtj_session_close(s);
}

/* Fig. 3d in 10 us chunks: the same report as the batch run, and every
 * spike handed out once, in order, most of them long before the end. */
START_TEST(stream_fig3d)
{
    dwmtj_netlist *nl = read_repo("netlists/fig3d.cir");
    dwmtj_report rb, rs;
    run_analyse(nl, "fig3d.cir", &rb);
    ck_assert_int_eq(rb.n_spike, 100);
    static stream_log l;
    stream_run(nl, "fig3d.cir", 10e-6, &l, &rs);
    assert_same_report(&rs, &rb);
    ck_assert_int_eq(l.n, 100);
    for (int k = 0; k < l.n; k++) {
        ck_assert_str_eq(l.name[k], "aneuron");
        assert_same_spike(&l.spike[k], &rs.spike[k], k);
        if (k > 0)
            ck_assert(l.spike[k].t_fire > l.spike[k - 1].t_fire);
    }
    /* handed out as the run went: the first in the first tenth, about
     * half by the middle */
    ck_assert_msg(l.progress_at[0] < 0.1, "first spike at progress %g", l.progress_at[0]);
    int by_half = 0;
    for (int k = 0; k < l.n; k++)
        by_half += l.progress_at[k] <= 0.5;
    ck_assert_msg(by_half >= 40 && by_half <= 60, "%d spikes by half the run", by_half);
    ck_assert(l.progress == 1.0);
    dwmtj_report_free(&rb);
    dwmtj_report_free(&rs);
    dwmtj_netlist_free(nl);
}
END_TEST

/* Chunk 0: no pauses, every spike at the end, the same report. */
START_TEST(stream_no_chunks)
{
    dwmtj_netlist *nl = read_repo("netlists/fig3a.cir");
    dwmtj_report rb, rs;
    run_analyse(nl, "fig3a.cir", &rb);
    static stream_log l;
    stream_run(nl, "fig3a.cir", 0.0, &l, &rs);
    assert_same_report(&rs, &rb);
    ck_assert_int_eq(l.n, 1);
    assert_same_spike(&l.spike[0], &rb.spike[0], 0);
    dwmtj_report_free(&rb);
    dwmtj_report_free(&rs);
    dwmtj_netlist_free(nl);
}
END_TEST

/* Fine chunks (one per 20 ns), then the session is used again: a plain
 * run of the same deck gives the same report (no breakpoint is left
 * behind), and a second streaming run too. */
START_TEST(stream_then_rerun)
{
    dwmtj_netlist *nl = read_repo("netlists/fig3a.cir");
    dwmtj_report rb, rs, r2, r3;
    run_analyse(nl, "fig3a.cir", &rb);
    char *text = instrument_ok(nl);
    dwmtj_session *s = open_session();
    ck_assert_int_eq(dwmtj_session_load(s, "fig3a.cir", text), DWMTJ_H_OK);
    free(text);
    static stream_log l;
    memset(&l, 0, sizeof l);
    int rc = dwmtj_run_streaming(s, nl, 20e-9, NULL, stream_spike, &l, 60.0, &rs);
    ck_assert_msg(rc == DWMTJ_H_OK, "streaming: %s", dwmtj_session_error(s));
    assert_same_report(&rs, &rb);
    ck_assert_int_eq(l.n, 1);
    /* the breakpoints are gone: ngspice's status lists no stop */
    size_t before = strlen(dwmtj_session_log(s));
    ck_assert_int_eq(dwmtj_session_command(s, "status"), DWMTJ_H_OK);
    const char *listing = dwmtj_session_log(s) + before;
    ck_assert_msg(!strstr(listing, " stop "), "a breakpoint is left: %s", listing);
    rc = dwmtj_session_run(s, NULL, NULL, 60.0);
    ck_assert_msg(rc == DWMTJ_H_OK, "rerun: %s", dwmtj_session_error(s));
    ck_assert_int_eq(dwmtj_analyse(s, nl, &r2), DWMTJ_H_OK);
    assert_same_report(&r2, &rb);
    memset(&l, 0, sizeof l);
    rc = dwmtj_run_streaming(s, nl, 100e-9, NULL, stream_spike, &l, 60.0, &r3);
    ck_assert_msg(rc == DWMTJ_H_OK, "second streaming run: %s", dwmtj_session_error(s));
    assert_same_report(&r3, &rb);
    ck_assert_int_eq(l.n, 1);
    dwmtj_session_close(s);
    dwmtj_report_free(&rb);
    dwmtj_report_free(&rs);
    dwmtj_report_free(&r2);
    dwmtj_report_free(&r3);
    dwmtj_netlist_free(nl);
}
END_TEST

/* Errors: bad arguments, no deck, a failing deck, a timeout. */
START_TEST(stream_errors)
{
    dwmtj_netlist *nl = read_repo("netlists/fig3d.cir");
    dwmtj_report r;
    ck_assert_int_eq(dwmtj_run_streaming(NULL, nl, 1e-6, NULL, NULL, NULL, 0, &r),
                     DWMTJ_H_ERR_USAGE);
    dwmtj_session *s = open_session();
    ck_assert_int_eq(dwmtj_run_streaming(s, NULL, 1e-6, NULL, NULL, NULL, 0, &r),
                     DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_run_streaming(s, nl, 1e-6, NULL, NULL, NULL, 0, NULL),
                     DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_run_streaming(s, nl, NAN, NULL, NULL, NULL, 0, &r),
                     DWMTJ_H_ERR_USAGE);
    ck_assert_int_eq(dwmtj_run_streaming(s, nl, 1e-6, NULL, NULL, NULL, 0, &r),
                     DWMTJ_H_ERR_USAGE); /* nothing loaded */
    /* a timeout in the middle: an error, the report empty */
    char *text = instrument_ok(nl);
    ck_assert_int_eq(dwmtj_session_load(s, "fig3d.cir", text), DWMTJ_H_OK);
    free(text);
    static stream_log l;
    memset(&l, 0, sizeof l);
    int rc = dwmtj_run_streaming(s, nl, 8e-6, NULL, stream_spike, &l, 1.0, &r);
    ck_assert_msg(rc == DWMTJ_H_ERR_TIMEOUT, "gave %d: %s", rc, dwmtj_session_error(s));
    ck_assert_int_eq(r.n_spike, 0);
    ck_assert_ptr_null(r.spike);
    ck_assert_msg(l.n < 100, "%d spikes handed out", l.n);
    dwmtj_session_close(s);
    dwmtj_netlist_free(nl);
}
END_TEST

/* ========================================================================
 * Suite
 * ===================================================================== */

static TCase *tcase(Suite *s, const char *name, int timeout)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, timeout);
    suite_add_tcase(s, tc);
    return tc;
}

static Suite *harness_suite(void)
{
    Suite *s = suite_create("harness");
    TCase *tc = tcase(s, "parse", 10);
    tcase_add_test(tc, parse_mixed);
    tcase_add_test(tc, parse_sources);
    tcase_add_test(tc, parse_include);

    tc = tcase(s, "instrument", 10);
    tcase_add_test(tc, instrument_fig3a);
    tcase_add_test(tc, instrument_fig4);
    tcase_add_loop_test(tc, instrument_all_repo, 0, 6);

    tc = tcase(s, "malformed", 10);
    tcase_add_loop_test(tc, bad_deck, 0, NBAD);
    tcase_add_test(tc, bad_misc);

    tc = tcase(s, "events", 10);
    tcase_add_test(tc, events_cycles);
    tcase_add_test(tc, events_no_reset);
    tcase_add_test(tc, events_none_and_usage);
    tcase_add_test(tc, events_write_at_zero);
    tcase_add_test(tc, summary_values);

    tc = tcase(s, "end_to_end", 60);
    tcase_add_test(tc, e2e_sign_convention);
    tcase_add_test(tc, e2e_source_energy);
    tcase_add_test(tc, e2e_fig3a);
    tcase_add_test(tc, e2e_analytic_fire);
    tcase_add_test(tc, e2e_clocked_spikes);
    tcase_add_test(tc, e2e_missing_vector);
    tcase_add_loop_test(tc, e2e_ngspice_message, 0, 2);

    tc = tcase(s, "user_decks", 120);
    tcase_add_test(tc, card_monitors);
    tcase_add_test(tc, user_names_kept);
    tcase_add_test(tc, subckt_neurons);

    tc = tcase(s, "streaming", 120);
    tcase_add_test(tc, stream_fig3d);
    tcase_add_test(tc, stream_no_chunks);
    tcase_add_test(tc, stream_then_rerun);
    tcase_add_test(tc, stream_errors);
    return s;
}

int main(void)
{
    const char *env = getenv("DWMTJ_SRCDIR");
    snprintf(srcdir, sizeof srcdir, "%s", env && *env ? env : ".");
    env = getenv("DWMTJ_CM");
    if (env && *env)
        snprintf(cm, sizeof cm, "%s", env);
    else
        snprintf(cm, sizeof cm, "%.3000s/build/ngspice-codemodel/dwmtj.cm", srcdir);
    env = getenv("DWMTJ_BUILDDIR");
    if (env && *env)
        snprintf(figcheck, sizeof figcheck, "%.3000s/tools/dwmtj-figcheck", env);
    else
        snprintf(figcheck, sizeof figcheck, "%.3000s/build/tools/dwmtj-figcheck", srcdir);
    if (access(path_in_src("netlists/fig3a.cir"), R_OK) != 0) {
        fprintf(stderr, "check_harness: no netlists/fig3a.cir under %s; set DWMTJ_SRCDIR to "
                        "the source tree (make check does)\n", srcdir);
        return EXIT_FAILURE;
    }
    if (access(cm, R_OK) != 0) {
        fprintf(stderr, "check_harness: no code model %s; set DWMTJ_CM to the built dwmtj.cm "
                        "(make check does)\n", cm);
        return EXIT_FAILURE;
    }
    SRunner *sr = srunner_create(harness_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
