/* Tests of spice/: the circuit as data.  The one SPICE number parser and
 * writer, the card reader (continuations, comments, .include, .control,
 * subcircuits, errors with file and line), expressions, dwmtj4t cards, and
 * the round trip deck -> text -> deck that keeps "both backends see the
 * same circuit": the infer and crossbar decks written and read back are
 * the same data, and the engine gives the same answer from the data as
 * from its text. */
#define _XOPEN_SOURCE 700

#include "dwmtj_crossbar.h"
#include "dwmtj_engine.h"
#include "dwmtj_infer.h"
#include "dwmtj_spice.h"
#include "scratch.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int contains(const char *hay, const char *needle) { return strstr(hay, needle) != NULL; }

static dwmtj_spice_deck *read_ok(const char *text)
{
    dwmtj_spice_deck *d = NULL;
    char *err = NULL;
    int rc = dwmtj_spice_read(&d, "deck.cir", text, &err);
    ck_assert_msg(rc == DWMTJ_SPICE_OK, "read failed (%d): %s", rc, err ? err : "(no message)");
    ck_assert_ptr_null(err);
    return d;
}

static char *write_ok(const dwmtj_spice_deck *d)
{
    char *t = NULL;
    ck_assert_int_eq(dwmtj_spice_write(d, &t), DWMTJ_SPICE_OK);
    return t;
}

/* ---- numbers ---------------------------------------------------------------- */

static const struct {
    const char *s;
    double v;
} numbers[] = {
    { "1", 1.0 }, { "1.6u", 1.6e-6 }, { "100n", 100e-9 }, { "5meg", 5e6 },
    { "5MEG", 5e6 }, { "5Meg", 5e6 }, { "1M", 1e-3 }, { "1m", 1e-3 },
    { "2.5k", 2.5e3 }, { "3G", 3e9 }, { "2t", 2e12 }, { "7p", 7e-12 },
    { "4f", 4e-15 }, { "10ns", 10e-9 }, { "1.6us", 1.6e-6 }, { "1600n", 1.6e-6 },
    { "1e3", 1e3 }, { "1.5E-3", 1.5e-3 }, { "2e-9s", 2e-9 }, { "1e-3k", 1.0 },
    { "-2.5", -2.5 }, { "+3", 3.0 }, { ".5", 0.5 }, { "5.", 5.0 }, { "1d3", 1e3 },
    { "2mil", 2 * 25.4e-6 }, { "3V", 3.0 }, { "0.1n", 0.1e-9 }, { "1e", 1.0 },
    { "65600n", 65.6e-6 }, { "100k", 1e5 }, { "1e12", 1e12 },
};
#define NNUMBERS ((int)(sizeof numbers / sizeof numbers[0]))

START_TEST(number_values)
{
    double v = -1.0;
    ck_assert_msg(dwmtj_spice_number_token(numbers[_i].s, &v) == 0, "%s not read",
                  numbers[_i].s);
    ck_assert_msg(v == numbers[_i].v || fabs(v - numbers[_i].v) <= 1e-15 * fabs(numbers[_i].v),
                  "%s = %.17g, want %.17g", numbers[_i].s, v, numbers[_i].v);
}
END_TEST

/* Correctly rounded: the same double as the C literal. */
START_TEST(number_exact)
{
    double v;
    ck_assert_int_eq(dwmtj_spice_number_token("1.6u", &v), 0);
    ck_assert(v == 1.6e-6);
    ck_assert_int_eq(dwmtj_spice_number_token("0.3n", &v), 0);
    ck_assert(v == 0.3e-9);
    ck_assert_int_eq(dwmtj_spice_number_token("7.3333e+11", &v), 0);
    ck_assert(v == 7.3333e+11);
}
END_TEST

START_TEST(number_bad)
{
    static const char *const bad[] = { "", "abc", "e5", ".", "-", "+", "{tc}", "1n5",
                                       "1.2.3", "1 ", " 1", "n", "1/2", "--1" };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        double v = 42.0;
        ck_assert_msg(dwmtj_spice_number_token(bad[k], &v) != 0, "\"%s\" read as %g", bad[k], v);
        ck_assert(v == 42.0);
    }
    ck_assert_int_ne(dwmtj_spice_number(NULL, NULL, NULL), 0);
}
END_TEST

/* The prefix form stops after the unit letters and says where. */
START_TEST(number_prefix)
{
    double v;
    const char *end;
    ck_assert_int_eq(dwmtj_spice_number("1.6us rest", &v, &end), 0);
    ck_assert(v == 1.6e-6);
    ck_assert_str_eq(end, " rest");
    ck_assert_int_eq(dwmtj_spice_number("5meg)", &v, &end), 0);
    ck_assert(v == 5e6);
    ck_assert_str_eq(end, ")");
    ck_assert_int_eq(dwmtj_spice_number("2,3", &v, &end), 0);
    ck_assert(v == 2.0);
    ck_assert_str_eq(end, ",3");
}
END_TEST


/* The option parser and the card reader agree (issue 11, item 6: the tool
 * read 20u as 1.9999999999999998e-05, the harness 2.0000000000000002e-05,
 * and a run could not be resumed with --g-max 20u): one parser, correctly
 * rounded. */
START_TEST(number_one_parser)
{
    double v;
    ck_assert_int_eq(dwmtj_spice_number_token("20u", &v), 0);
    ck_assert(v == strtod("20e-6", NULL));
    ck_assert(v == 20e-6);
    ck_assert_int_eq(dwmtj_spice_number_token("1e400", &v), 0);
    ck_assert(isinf(v)); /* a caller refuses it, the parser says what it is */
}
END_TEST

/* Numbers are written so that they read back as the same double, and as
 * the user would write them when that is enough. */
START_TEST(number_writer)
{
    dwmtj_spice_deck *d = dwmtj_spice_new("numbers");
    ck_assert_ptr_nonnull(d);
    uint64_t z = 12345;
    enum { N = 2000 };
    static double v[N];
    for (int k = 0; k < N; k++) {
        z = z * 6364136223846793005ULL + 1442695040888963407ULL;
        double mant = (double)(z >> 11) * 0x1.0p-53;
        v[k] = ldexp(mant, (int)((z >> 3) % 200) - 100) * (k % 2 ? -1 : 1);
        char name[16];
        snprintf(name, sizeof name, "v%d", k);
        ck_assert_ptr_nonnull(dwmtj_spice_add_v(&d->top, name, "a", "0", v[k], 0, NULL, NULL));
    }
    ck_assert_ptr_nonnull(dwmtj_spice_add_r(&d->top, "r1", "a", "0", 0.1));
    char *t = write_ok(d);
    ck_assert(contains(t, "\nr1 a 0 0.1\n"));
    dwmtj_spice_deck *e = read_ok(t);
    for (int k = 0; k < N; k++) {
        const dwmtj_spice_elem *x = &e->top.card[k].el;
        ck_assert(x->has_wave && x->wave.shape == DWMTJ_SPICE_DC);
        ck_assert_msg(x->wave.dc == v[k], "%d: %.17g read back as %.17g", k, v[k], x->wave.dc);
    }
    ck_assert(e->top.card[N].el.value == 0.1);
    free(t);
    dwmtj_spice_free(d);
    dwmtj_spice_free(e);
    char *nums = NULL;
    double a[2] = { 7e-10, 1.0 / 3.0 }, b[2] = { 0.1, -2.5 };
    ck_assert_int_eq(dwmtj_spice_write_numbers(2, a, b, &nums), DWMTJ_SPICE_OK);
    ck_assert_str_eq(nums, "7e-10 0.1 0.3333333333333333 -2.5");
    free(nums);
}
END_TEST

/* ---- the reader ---------------------------------------------------------------- */

static const char deck_all[] =
    "All kinds ; the title keeps everything\n"
    "* a comment\n"
    ".param tc = 1600n tstep={1n}\n"
    "V1 IN 0 DC 1\n"
    "V2 p2 0 PWL(0 0 1n 1\n"
    "* a comment between continuation lines\n"
    "+ 2n 0) ; trailing comment\n"
    "Vclk clk 0 PULSE(0 1 0 1p 1p 5n 10n)\n"
    "Vac a 0 DC 0 AC 1\n"
    "I1 0 nb 1m\n"
    "R1 in a 1k $ dollar comment\n"
    "R2 a 0 {2*tc} \n"
    "C1 a 0 1p\n"
    "B1 o 0 V = max(min(2*v(in, a), 1), -1) + tanh(i(v1)) ^ 2\n"
    "B2 o2 0 I=weird_fn(v(a))\n"
    "E1 e 0 in 0 2\n"
    "E2 e2 0 VALUE={2*V(in)}\n"
    "F1 f 0 V1 3\n"
    "S1 a b clk 0 swm OFF\n"
    "W1 a b V1 wm\n"
    "M1 d g s b nmos W=1u L=45n\n"
    "X1 in 0 cell k=3\n"
    "aneur in 0 na nb [x ra] dmod\n"
    "aother %v in %v out gainmod\n"
    ".model dmod dwmtj4t(set=\"Scaled\" sigma=0.3\n"
    "+ monitors=\"nf:e\")\n"
    ".model swm sw vt=0.5 vh=0\n"
    ".subckt cell p q params: k=1\n"
    "Rc p q {k}\n"
    ".subckt inner u\nRi u 0 1\n.ends inner\n"
    ".ends cell\n"
    ".options reltol=1e-4 noinit\n"
    ".save v(in) @r1[i]\n"
    ".tran {tstep} {tc} 0 0.5n uic\n"
    ".ic v(a)=0\n"
    ".control\n"
    "set wr_vecnames\n"
    "tran 1n 1u\n"
    ".endc\n"
    ".end\n"
    "garbage after the end [[[\n";

START_TEST(read_all_kinds)
{
    dwmtj_spice_deck *d = read_ok(deck_all);
    ck_assert_str_eq(d->title, "All kinds ; the title keeps everything");
    const dwmtj_spice_scope *s = &d->top;
    const dwmtj_spice_card *c;
    int k = 0;
#define NEXT() (c = &s->card[k++])
    NEXT();
    ck_assert_int_eq(c->kind, DWMTJ_SPICE_PARAM);
    ck_assert_int_eq(c->n_item, 2);
    ck_assert_str_eq(c->item[1].name, "tstep");
    ck_assert_str_eq(c->item[1].text, "{1n}");
    NEXT(); /* V1 */
    ck_assert_str_eq(c->el.name, "v1");
    ck_assert_str_eq(c->el.node[0], "in");
    ck_assert(c->el.has_wave && c->el.wave.shape == DWMTJ_SPICE_DC && c->el.wave.dc == 1.0);
    NEXT(); /* V2, continued */
    ck_assert_int_eq(c->line, 5);
    ck_assert(c->el.has_wave && c->el.wave.shape == DWMTJ_SPICE_PWL && c->el.wave.n == 3);
    ck_assert(c->el.wave.t[2] == 2e-9 && c->el.wave.v[1] == 1.0);
    ck_assert_str_eq(c->text, "V2 p2 0 PWL(0 0 1n 1 2n 0)");
    NEXT(); /* Vclk */
    ck_assert(c->el.wave.shape == DWMTJ_SPICE_PULSE && c->el.wave.n == 7 &&
              c->el.wave.v[5] == 5e-9);
    NEXT(); /* Vac: kept as text */
    ck_assert(!c->el.has_wave);
    ck_assert_str_eq(c->el.rest, "DC 0 AC 1");
    NEXT(); /* I1 */
    ck_assert(c->el.has_wave && c->el.wave.dc == 1e-3);
    NEXT(); /* R1 */
    ck_assert(c->el.value == 1e3 && !c->el.rest);
    NEXT(); /* R2: a value that is an expression */
    ck_assert(isnan(c->el.value));
    ck_assert_str_eq(c->el.rest, "{2*tc}");
    NEXT(); /* C1 */
    ck_assert(c->el.value == 1e-12);
    NEXT(); /* B1 */
    ck_assert_int_eq(c->el.bmode, 'v');
    ck_assert_ptr_nonnull(c->el.expr);
    ck_assert_int_eq(c->el.expr->op, DWMTJ_SPICE_X_ADD);
    NEXT(); /* B2: a function of its own, kept as text */
    ck_assert_int_eq(c->el.bmode, 'i');
    ck_assert_ptr_nonnull(c->el.expr); /* a call the parser does not judge */
    NEXT(); /* E1 */
    ck_assert_int_eq(c->el.n_node, 4);
    ck_assert(c->el.value == 2.0);
    NEXT(); /* E2 */
    ck_assert_int_eq(c->el.n_node, 2);
    ck_assert_str_eq(c->el.rest, "VALUE={2*V(in)}");
    NEXT(); /* F1 */
    ck_assert_str_eq(c->el.ctrl, "v1");
    ck_assert(c->el.value == 3.0);
    NEXT(); /* S1 */
    ck_assert_int_eq(c->el.n_node, 4);
    ck_assert_str_eq(c->el.ref, "swm");
    ck_assert_str_eq(c->el.rest, "OFF");
    NEXT(); /* W1 */
    ck_assert_str_eq(c->el.ctrl, "v1");
    ck_assert_str_eq(c->el.ref, "wm");
    NEXT(); /* M1 */
    ck_assert_int_eq(c->el.n_node, 0);
    ck_assert_str_eq(c->el.rest, "d g s b nmos W=1u L=45n");
    NEXT(); /* X1 */
    ck_assert_int_eq(c->el.n_node, 2);
    ck_assert_str_eq(c->el.ref, "cell");
    ck_assert_int_eq(c->el.n_param, 1);
    ck_assert_str_eq(c->el.param[0].name, "k");
    NEXT(); /* aneur */
    ck_assert_int_eq(c->el.n_node, 4);
    ck_assert_int_eq(c->el.n_vec, 2);
    ck_assert_str_eq(c->el.vec[1], "ra");
    ck_assert_str_eq(c->el.ref, "dmod");
    NEXT(); /* aother: not the dwmtj4t form */
    ck_assert_int_eq(c->el.n_node, 0);
    ck_assert_str_eq(c->el.ref, "gainmod");
    NEXT(); /* .model dmod, continued */
    ck_assert_int_eq(c->kind, DWMTJ_SPICE_MODEL);
    ck_assert_str_eq(c->model.type, "dwmtj4t");
    ck_assert_int_eq(c->model.n_param, 3);
    ck_assert(c->model.param[0].quoted && !strcmp(c->model.param[0].text, "Scaled"));
    ck_assert(c->model.param[1].numeric && c->model.param[1].value == 0.3);
    NEXT(); /* .model swm without parentheses */
    ck_assert_int_eq(c->model.n_param, 2);
    NEXT(); /* .subckt cell */
    ck_assert_int_eq(c->kind, DWMTJ_SPICE_SUBCKT);
    ck_assert_str_eq(c->sub->name, "cell");
    ck_assert_int_eq(c->sub->n_port, 2);
    ck_assert_int_eq(c->sub->n_param, 1);
    ck_assert_int_eq(c->sub->n_card, 2);
    ck_assert_int_eq(c->sub->card[1].kind, DWMTJ_SPICE_SUBCKT);
    ck_assert_ptr_eq(c->sub->card[1].sub->parent, c->sub);
    ck_assert_ptr_nonnull(dwmtj_spice_find_subckt(c->sub->card[1].sub, "cell"));
    ck_assert_ptr_nonnull(dwmtj_spice_find_model(c->sub, "dmod"));
    NEXT(); /* .options */
    ck_assert_int_eq(c->kind, DWMTJ_SPICE_OPTIONS);
    ck_assert_ptr_nonnull(dwmtj_spice_param_of(c, "noinit"));
    NEXT(); /* .save */
    ck_assert_int_eq(c->n_item, 2);
    ck_assert_str_eq(c->item[1].name, "@r1[i]");
    NEXT(); /* .tran through .param */
    ck_assert_int_eq(c->kind, DWMTJ_SPICE_TRAN);
    ck_assert_int_eq(c->n_tran, 4);
    ck_assert(c->tran[0] == 1e-9 && c->tran[1] == 1600e-9 && c->tran[3] == 0.5e-9 && c->uic);
    NEXT(); /* .ic */
    ck_assert_int_eq(c->kind, DWMTJ_SPICE_DOT);
    NEXT(); /* .control */
    ck_assert_int_eq(c->kind, DWMTJ_SPICE_CONTROL);
    ck_assert_int_eq(c->n_item, 2);
    ck_assert_str_eq(c->item[1].text, "tran 1n 1u");
    ck_assert_int_eq(k, s->n_card); /* nothing after .end */
#undef NEXT
    double v[4];
    int n;
    ck_assert_int_eq(dwmtj_spice_tran(d, v, &n, NULL), DWMTJ_SPICE_OK);
    ck_assert(n == 4 && v[1] == 1600e-9);
    /* written back: verbatim cards, the deck reads as the same data */
    char *t = write_ok(d);
    ck_assert(contains(t, "\nR1 in a 1k\n") && contains(t, "\nVac a 0 DC 0 AC 1\n"));
    ck_assert(contains(t, "\n.subckt cell p q params: k=1\nRc p q {k}\n.subckt inner u\n"));
    ck_assert(contains(t, "\n.control\nset wr_vecnames\ntran 1n 1u\n.endc\n"));
    ck_assert(!contains(t, "garbage") && !contains(t, "comment"));
    dwmtj_spice_deck *e = read_ok(t);
    char *t2 = write_ok(e);
    ck_assert_str_eq(t, t2);
    free(t);
    free(t2);
    dwmtj_spice_free(d);
    dwmtj_spice_free(e);
}
END_TEST

/* The transient of a deck a program built (no text to resolve): its
 * numbers, as for a deck that was read. */
START_TEST(tran_of_built_deck)
{
    dwmtj_spice_deck *d = dwmtj_spice_new("built");
    double tr[4] = { 1e-10, 5e-7, 0.0, 2e-11 }, v[4];
    int n = 0;
    ck_assert_int_eq(dwmtj_spice_tran(d, v, &n, NULL), 1); /* none yet */
    ck_assert_ptr_nonnull(dwmtj_spice_add_tran(&d->top, 4, tr));
    ck_assert_int_eq(dwmtj_spice_tran(d, v, &n, NULL), DWMTJ_SPICE_OK);
    ck_assert(n == 4 && v[0] == tr[0] && v[1] == tr[1] && v[3] == tr[3]);
    dwmtj_spice_free(d);
}
END_TEST

/* .include in place, relative to the including file; errors there name
 * that file and line. */
START_TEST(read_include)
{
    scratch_make("check_spice");
    FILE *f = fopen(spath("models.inc"), "w");
    ck_assert_ptr_nonnull(f);
    fputs("* models\n.model nmod dwmtj4t(set=\"proto\"\n+ seed=2)\nVinc in 0 1\n.end\nafter\n", f);
    fclose(f);
    f = fopen(spath("top.cir"), "w");
    ck_assert_ptr_nonnull(f);
    fputs("top\n.include \"models.inc\"\nR1 in 0 1\n", f);
    fclose(f);
    dwmtj_spice_deck *d = NULL;
    char *err = NULL;
    ck_assert_int_eq(dwmtj_spice_read_file(&d, spath("top.cir"), &err), DWMTJ_SPICE_OK);
    ck_assert_int_eq(d->top.n_card, 3);
    ck_assert_int_eq(d->top.card[0].file, 1);
    ck_assert_int_eq(d->top.card[0].line, 2);
    char where[600];
    dwmtj_spice_where(d, &d->top.card[1], where, sizeof where);
    ck_assert(strstr(where, "models.inc:4") != NULL);
    dwmtj_spice_free(d);
    f = fopen(spath("models.inc"), "w");
    fputs("* models\n\n.subckt x a\n", f);
    fclose(f);
    ck_assert_int_eq(dwmtj_spice_read_file(&d, spath("top.cir"), &err), DWMTJ_SPICE_ERR_SYNTAX);
    ck_assert_msg(err && strstr(err, "models.inc:3: .subckt without .ends"), "%s", err);
    free(err);
    scratch_remove();
}
END_TEST

static const struct {
    const char *text;
    int status;
    const char *want;
} bad[] = {
    { "t\nV1 a 0 1\n.control\nrun\n", DWMTJ_SPICE_ERR_SYNTAX, "deck.cir:3: .control without .endc" },
    { "t\n.control\nrun\n.control\n.endc\n", DWMTJ_SPICE_ERR_SYNTAX, "deck.cir:4: .control inside" },
    { "t\n.endc\n", DWMTJ_SPICE_ERR_SYNTAX, "deck.cir:2: .endc without .control" },
    { "t\n+ R1 a 0 1\n", DWMTJ_SPICE_ERR_SYNTAX, "deck.cir:2: continuation line" },
    { "t\n.lib models.lib tt\n", DWMTJ_SPICE_ERR_SYNTAX, "deck.cir:2: .lib is not supported" },
    { "t\n.subckt cell p q\nR1 p q 1\n", DWMTJ_SPICE_ERR_SYNTAX, "deck.cir:2: .subckt without .ends" },
    { "t\n.ends\n", DWMTJ_SPICE_ERR_SYNTAX, "deck.cir:2: .ends without .subckt" },
    { "t\n.model\n", DWMTJ_SPICE_ERR_SYNTAX, "deck.cir:2: .model needs a name and a type" },
    { "t\n.model m sw(vt=1\n", DWMTJ_SPICE_ERR_SYNTAX, "deck.cir:2: .model m: '(' without ')'" },
    { "t\nB1 a 0 x*2\n", DWMTJ_SPICE_ERR_SYNTAX, "deck.cir:2: behavioural source B1" },
    { "t\nV1 a\n", DWMTJ_SPICE_ERR_SYNTAX, "deck.cir:2: source V1 needs two nodes" },
    { "t\nX1\n", DWMTJ_SPICE_ERR_SYNTAX, "deck.cir:2: element X1 needs a subcircuit name" },
    { "t\n.subckt a p\n.control\n.endc\n.ends\n", DWMTJ_SPICE_ERR_SYNTAX, "deck.cir:3: .control inside a .subckt" },
    { "t\n.options =\n", DWMTJ_SPICE_ERR_SYNTAX, "deck.cir:2: .options" },
};

START_TEST(read_errors)
{
    dwmtj_spice_deck *d = (dwmtj_spice_deck *)&d;
    char *err = NULL;
    int rc = dwmtj_spice_read(&d, "deck.cir", bad[_i].text, &err);
    ck_assert_msg(rc == bad[_i].status, "%d: status %d (%s)", _i, rc, err ? err : "");
    ck_assert_ptr_null(d);
    ck_assert_msg(err && strncmp(err, bad[_i].want, strlen(bad[_i].want)) == 0,
                  "%d: message \"%s\", want \"%s\"", _i, err ? err : "", bad[_i].want);
    free(err);
}
END_TEST

/* A NUL byte ends a C string and ngspice's deck there (item 16: it
 * dropped the rest and reported "no transient analysis"): an error naming
 * the line.  Nesting beyond the bounds: errors, not a crashed stack. */
START_TEST(read_bounds)
{
    scratch_make("check_spice");
    FILE *f = fopen(spath("nul.cir"), "wb");
    ck_assert_ptr_nonnull(f);
    static const char text[] = "t\nR1 a 0 1\nR2 a\0 0 1\n.tran 1n 1u\n";
    fwrite(text, 1, sizeof text - 1, f);
    fclose(f);
    dwmtj_spice_deck *d = NULL;
    char *err = NULL;
    ck_assert_int_eq(dwmtj_spice_read_file(&d, spath("nul.cir"), &err), DWMTJ_SPICE_ERR_SYNTAX);
    ck_assert_msg(err && strstr(err, "nul.cir:3: a NUL byte"), "%s", err);
    free(err);
    err = NULL;
    /* a file that includes itself */
    f = fopen(spath("self.cir"), "w");
    fputs("t\n.include self.cir\n", f);
    fclose(f);
    ck_assert_int_eq(dwmtj_spice_read_file(&d, spath("self.cir"), &err), DWMTJ_SPICE_ERR_LIMIT);
    ck_assert_msg(err && strstr(err, "nested deeper than 16"), "%s", err);
    free(err);
    err = NULL;
    scratch_remove();
    /* .subckt inside .subckt 100 deep */
    char *deep = malloc(100 * 24 + 64);
    char *p = deep + sprintf(deep, "t\n");
    for (int k = 0; k < 100; k++)
        p += sprintf(p, ".subckt s%d a\n", k);
    ck_assert_int_eq(dwmtj_spice_read(&d, "deep.cir", deep, &err), DWMTJ_SPICE_ERR_LIMIT);
    ck_assert_msg(err && strstr(err, "nested deeper than 64"), "%s", err);
    free(err);
    free(deep);
}
END_TEST

/* ---- expressions ------------------------------------------------------------- */

START_TEST(expr_round_trip)
{
    static const char *const in[] = {
        "1+2*3", "-(v(a) - v(b, c))^2", "max(min(167.8*(i(vsp0)-i(vsm0)), 2e-4), -2e-4)",
        "0.5+0.5*tanh((v(n0_b)-v(n0_gnd)-4000*i(vg0))/0.0046)", "{k}*2**3", "a/b/c - d - e",
        "f(1, g(2), 3)", "2.5meg * time",
    };
    for (size_t k = 0; k < sizeof in / sizeof in[0]; k++) {
        char why[200];
        dwmtj_spice_expr *e = dwmtj_spice_expr_parse(in[k], why, sizeof why);
        ck_assert_msg(e != NULL, "%s: %s", in[k], why);
        dwmtj_spice_deck *d = dwmtj_spice_new("x");
        ck_assert_ptr_nonnull(dwmtj_spice_add_b(&d->top, "b1", "o", "0", 'v', e));
        char *t = write_ok(d);
        dwmtj_spice_deck *r = read_ok(t);
        char *t2 = write_ok(r);
        ck_assert_msg(!strcmp(t, t2), "%s: %s then %s", in[k], t, t2);
        free(t);
        free(t2);
        dwmtj_spice_free(d);
        dwmtj_spice_free(r);
    }
    /* associativity and precedence survive the writer's parentheses */
    char why[200];
    dwmtj_spice_expr *e = dwmtj_spice_expr_parse("a-b-c*d^e^f", why, sizeof why);
    ck_assert_int_eq(e->op, DWMTJ_SPICE_X_SUB);
    ck_assert_int_eq(e->arg[0]->op, DWMTJ_SPICE_X_SUB);
    ck_assert_int_eq(e->arg[1]->op, DWMTJ_SPICE_X_MUL);
    ck_assert_int_eq(e->arg[1]->arg[1]->op, DWMTJ_SPICE_X_POW);
    ck_assert_int_eq(e->arg[1]->arg[1]->arg[1]->op, DWMTJ_SPICE_X_POW);
    dwmtj_spice_expr_free(e);
    static const char *const bad_x[] = { "1+", "(1", "v()", "max(1,", "1 2", ")" };
    for (size_t k = 0; k < sizeof bad_x / sizeof bad_x[0]; k++) {
        ck_assert_ptr_null(dwmtj_spice_expr_parse(bad_x[k], why, sizeof why));
        ck_assert(why[0] != '\0');
    }
    char deep[2048];
    memset(deep, '(', 1000);
    strcpy(deep + 1000, "1");
    memset(deep + 1001, ')', 1000);
    deep[2001] = '\0';
    ck_assert_ptr_null(dwmtj_spice_expr_parse(deep, why, sizeof why));
    ck_assert(strstr(why, "nested deeper than 256"));
    /* builders free what they are given when out of an operand */
    ck_assert_ptr_null(dwmtj_spice_x_op(DWMTJ_SPICE_X_ADD, dwmtj_spice_x_num(1), NULL));
    ck_assert_ptr_null(dwmtj_spice_x_op(DWMTJ_SPICE_X_CALL, dwmtj_spice_x_num(1), NULL));
}
END_TEST

/* ---- dwmtj4t cards --------------------------------------------------------------- */

START_TEST(device_cards)
{
    dwmtj_spice_deck *d = read_ok(
        "t\n.model a dwmtj4t(set=\"SCALED\" sigma=0.3 seed=7 monitors=\"nf:e\")\n"
        ".model b dwmtj4t(sigmaa=1)\n.model c dwmtj4t(ms=\"x\")\n.model e dwmtj4t(xb=-1)\n"
        ".model f dwmtj4t(monitors=\"nf:zz\")\n.model g dwmtj4t(set=\"huge\")\n"
        ".model h dwmtj4t(seed=2.5)\n");
    dwmtj_params p, ref;
    int sel[DWMTJ_NMON], n_sel = -1;
    char *err = NULL;
    ck_assert_int_eq(dwmtj_spice_device(d, &d->top.card[0], &p, sel, &n_sel, &err), DWMTJ_OK);
    dwmtj_params_set(&ref, "scaled");
    ck_assert(p.width == ref.width && p.sigma == 0.3 && p.seed == 7);
    ck_assert_int_eq(n_sel, 2);
    ck_assert_str_eq(dwmtj_monitor_name(sel[0]), "nf");
    static const char *const want[] = { "deck.cir:3: .model b: unknown parameter sigmaa",
                                        "deck.cir:4: .model c: parameter ms = \"x\" is not a number",
                                        "deck.cir:5: .model e: invalid parameter xb",
                                        "deck.cir:6: .model f: invalid parameter monitors",
                                        "deck.cir:7: .model g: invalid parameter set",
                                        "deck.cir:8: .model h: invalid parameter seed = 2.5" };
    for (int k = 0; k < 6; k++) {
        ck_assert_int_eq(dwmtj_spice_device(d, &d->top.card[k + 1], &p, NULL, NULL, &err),
                         DWMTJ_SPICE_ERR_PARAM);
        ck_assert_msg(err && strncmp(err, want[k], strlen(want[k])) == 0, "%s", err);
        free(err);
        err = NULL;
    }
    dwmtj_spice_free(d);
}
END_TEST

/* The circuit's temperature as ngspice takes it (what the code model gets
 * as TEMPERATURE; measured with the ngspice 39 binary): .temp T or
 * .temp=T, the last one, over any .options temp; else the last .options
 * temp; else 27 C.  A .temp that is no plain number ngspice replaces by
 * 27 C. */
START_TEST(spice_temperature)
{
    static const struct {
        const char *cards;
        double want; /* K */
    } tc[] = {
        { "", 300.15 },
        { ".temp 100\n", 373.15 },
        { ".TEMP 100\n", 373.15 },
        { ".options temp=50\n", 323.15 },
        { ".options reltol=1e-4 temp=50\n.options temp=60\n", 333.15 },
        { ".temp 100\n.options temp=50\n", 373.15 },
        { ".options temp=50\n.temp 100\n", 373.15 },
        { ".temp=100\n", 373.15 },
        { ".temp = -40\n", 233.15 },
        { ".temp 100\n.temp 120\n", 393.15 },
        { ".options temp=50\n.temp 100 150\n", 300.15 },
        { ".subckt s p\n.options temp=80\n.ends\n", 300.15 },
    };
    for (size_t k = 0; k < sizeof tc / sizeof tc[0]; k++) {
        char text[512];
        snprintf(text, sizeof text, "t\nv1 a 0 1\nr1 a 0 1k\n%s.end\n", tc[k].cards);
        dwmtj_spice_deck *d = read_ok(text);
        double t = dwmtj_spice_temperature(d);
        ck_assert_msg(fabs(t - tc[k].want) <= 1e-9 * tc[k].want, "\"%s\": %.6f K, want %.6f K",
                      tc[k].cards, t, tc[k].want);
        dwmtj_spice_free(d);
    }
    ck_assert_double_eq_tol(dwmtj_spice_temperature(NULL), 300.15, 1e-9);
    /* the cards themselves */
    dwmtj_spice_deck *d = read_ok("t\n.temp 100 150\n.temp=-5\n.ic v(a)=0\n.options temp=3\n");
    double c = 0.0;
    int number = -1;
    ck_assert_int_eq(dwmtj_spice_temp_card(&d->top.card[0], &c, &number), 1);
    ck_assert(c == 27.0 && number == 0);
    ck_assert_int_eq(dwmtj_spice_temp_card(&d->top.card[1], &c, &number), 1);
    ck_assert(c == -5.0 && number == 1);
    ck_assert_int_eq(dwmtj_spice_temp_card(&d->top.card[2], &c, &number), 0);
    ck_assert_int_eq(dwmtj_spice_temp_card(&d->top.card[3], &c, &number), 0);
    ck_assert_int_eq(dwmtj_spice_temp_card(NULL, NULL, NULL), 0);
    dwmtj_spice_free(d);
}
END_TEST

/* ---- deck -> text -> deck --------------------------------------------------------- */

static void assert_same_cards(const dwmtj_spice_scope *a, const dwmtj_spice_scope *b)
{
    ck_assert_int_eq(a->n_card, b->n_card);
    for (int k = 0; k < a->n_card; k++) {
        const dwmtj_spice_card *x = &a->card[k], *y = &b->card[k];
        ck_assert_int_eq(x->kind, y->kind);
        if (x->kind == DWMTJ_SPICE_ELEM) {
            const dwmtj_spice_elem *e = &x->el, *f = &y->el;
            ck_assert_str_eq(e->name, f->name);
            ck_assert_int_eq(e->n_node, f->n_node);
            for (int j = 0; j < e->n_node; j++)
                ck_assert_str_eq(e->node[j], f->node[j]);
            ck_assert(e->value == f->value || (isnan(e->value) && isnan(f->value)));
            ck_assert_int_eq(e->has_wave, f->has_wave);
            ck_assert_int_eq(e->wave.shape, f->wave.shape);
            ck_assert_int_eq(e->wave.n, f->wave.n);
            ck_assert(e->wave.dc == f->wave.dc);
            for (int j = 0; j < e->wave.n; j++) {
                ck_assert(e->wave.v[j] == f->wave.v[j]);
                ck_assert(!e->wave.t || e->wave.t[j] == f->wave.t[j]);
            }
            ck_assert_int_eq(e->n_vec, f->n_vec);
            ck_assert((e->expr == NULL) == (f->expr == NULL));
        } else if (x->kind == DWMTJ_SPICE_MODEL) {
            ck_assert_int_eq(x->model.n_param, y->model.n_param);
            for (int j = 0; j < x->model.n_param; j++) {
                ck_assert_str_eq(x->model.param[j].name, y->model.param[j].name);
                ck_assert(x->model.param[j].numeric == y->model.param[j].numeric);
                ck_assert(!x->model.param[j].numeric ||
                          x->model.param[j].value == y->model.param[j].value);
            }
        } else if (x->kind == DWMTJ_SPICE_TRAN) {
            ck_assert_int_eq(x->n_tran, y->n_tran);
            for (int j = 0; j < x->n_tran; j++)
                ck_assert(x->tran[j] == y->tran[j]);
        }
    }
}

/* A small network's layer decks, with noise and wires: written and read
 * back they are the same data, and the engine gives the same spikes,
 * time points and energies from the data as from the text. */
START_TEST(round_trip_infer)
{
    int size[3] = { 20, 6, 4 };
    dwmtj_weights n;
    ck_assert_int_eq(dwmtj_weights_alloc(&n, 2, size), 0);
    n.kind = DWMTJ_KIND_DWMTJ_NOISY;
    n.steps = 30;
    n.dt = 1e-10;
    n.gain = 2e-5;
    n.sigma = 0.3;
    n.seed = 5;
    uint64_t z = 7;
    for (int l = 0; l < 2; l++) {
        for (int k = 0; k < size[l] * size[l + 1]; k++) {
            z = z * 6364136223846793005ULL + 1442695040888963407ULL;
            n.w[l][k] = (float)((double)(z >> 11) * 0x1.0p-53 * 2.0 - 0.7);
        }
        for (int k = 0; k < size[l + 1]; k++)
            n.b[l][k] = 0.3f;
    }
    dwmtj_infer_options o;
    dwmtj_infer_defaults(&o);
    dwmtj_infer_map m;
    ck_assert_int_eq(dwmtj_infer_map_build(&n, &o, &m, NULL), DWMTJ_H_OK);
    unsigned char in[20 * 30];
    for (int k = 0; k < 20 * 30; k++)
        in[k] = (unsigned char)(k % 7 == 0 || k % 11 == 0);
    for (int wired = 0; wired < 2; wired++) {
        o.r_wire = wired ? 2.0 : 0.0;
        dwmtj_spice_deck *d = NULL;
        ck_assert_int_eq(dwmtj_infer_deck(&m, &n, &o, 0, in, NULL, &d), DWMTJ_H_OK);
        char *t = write_ok(d);
        dwmtj_spice_deck *r = read_ok(t);
        assert_same_cards(&d->top, &r->top);
        char *t2 = write_ok(r);
        ck_assert_str_eq(t, t2);
        dwmtj_circuit *cd = NULL, *ct = NULL;
        char *err = NULL;
        ck_assert_msg(dwmtj_engine_create(d, &cd, &err) == DWMTJ_E_OK, "%s", err);
        ck_assert_msg(dwmtj_engine_parse("layer1.cir", t, &ct, &err) == DWMTJ_E_OK, "%s", err);
        ck_assert_int_eq(dwmtj_engine_run(cd), DWMTJ_E_OK);
        ck_assert_int_eq(dwmtj_engine_run(ct), DWMTJ_E_OK);
        static const char *const vecs[] = { "time", "v(m0_0)", "v(m3_2)", "v(m5_1)" };
        for (int k = 0; k < 4; k++) {
            const double *a, *b;
            int na, nb;
            ck_assert_int_eq(dwmtj_engine_vector(cd, vecs[k], &a, &na), DWMTJ_E_OK);
            ck_assert_int_eq(dwmtj_engine_vector(ct, vecs[k], &b, &nb), DWMTJ_E_OK);
            ck_assert_int_eq(na, nb);
            ck_assert_msg(memcmp(a, b, sizeof *a * (size_t)na) == 0, "%s differs", vecs[k]);
        }
        const double *nf;
        int nn;
        dwmtj_engine_vector(cd, "v(m0_0)", &nf, &nn);
        dwmtj_engine_free(cd);
        dwmtj_engine_free(ct);
        free(t);
        free(t2);
        dwmtj_spice_free(d);
        dwmtj_spice_free(r);
    }
    dwmtj_infer_map_free(&m);
    dwmtj_weights_free(&n);
}
END_TEST

START_TEST(round_trip_crossbar)
{
    dwmtj_crossbar x;
    dwmtj_crossbar_defaults(&x);
    x.rows = 5;
    x.cols = 3;
    x.r_wire = 1.5;
    x.model_card = "set=\"scaled\" sigma=0.3 seed=4";
    dwmtj_spice_deck *d = NULL;
    char *err = NULL;
    ck_assert_msg(dwmtj_crossbar_deck(&x, &d, &err) == DWMTJ_H_OK, "%s", err);
    char *t = write_ok(d), *t1 = NULL;
    ck_assert_int_eq(dwmtj_crossbar_netlist(&x, &t1, NULL), DWMTJ_H_OK);
    ck_assert_str_eq(t, t1);
    dwmtj_spice_deck *r = read_ok(t);
    assert_same_cards(&d->top, &r->top);
    char *t2 = write_ok(r);
    ck_assert_str_eq(t, t2);
    free(t);
    free(t1);
    free(t2);
    dwmtj_spice_free(d);
    dwmtj_spice_free(r);
}
END_TEST


/* The reset builder (dwmtj_spice_add_reset, doc/cell.md): the elements
 * of both one-shots by name and node, each discharge resistor R = t / (C
 * ln 2) worked by hand (1 ns at 1 fF: 1.4427 MOhm; 1.2 ns: 1.7312 MOhm),
 * and the pulses' logic as expressions. */
static const dwmtj_spice_card *card_named(const dwmtj_spice_scope *s, const char *name)
{
    for (int k = 0; k < s->n_card; k++)
        if (s->card[k].kind == DWMTJ_SPICE_ELEM && strcmp(s->card[k].el.name, name) == 0)
            return &s->card[k];
    return NULL;
}

START_TEST(reset_builder)
{
    dwmtj_spice_deck *d = dwmtj_spice_new("reset");
    const dwmtj_spice_logic g = { "lvdd", "swos", 1.0, 1e-15 };
    ck_assert_int_eq(dwmtj_spice_add_reset(&d->top, 3, "spk3", "clr3", "wen3", "st", &g, 1e-9,
                                           1.2e-9),
                     DWMTJ_SPICE_OK);
    ck_assert_int_eq(d->top.n_card, 8); /* two one-shots of three, two B sources */
    const dwmtj_spice_card *c = card_named(&d->top, "roc3");
    ck_assert_ptr_nonnull(c);
    ck_assert_double_eq_tol(c->el.value, 1.4426950408889634e6, 1e-3);
    c = card_named(&d->top, "row3");
    ck_assert_ptr_nonnull(c);
    ck_assert_double_eq_tol(c->el.value, 1.7312340490667560e6, 1e-3);
    c = card_named(&d->top, "coc3");
    ck_assert_ptr_nonnull(c);
    ck_assert_double_eq(c->el.value, 1e-15);
    char *text = NULL;
    ck_assert_int_eq(dwmtj_spice_write(d, &text), DWMTJ_SPICE_OK);
    ck_assert_msg(contains(text, "\nsoc3 oc3_d lvdd spk3 0 swos\n"), "%s", text);
    ck_assert_msg(contains(text, "\nsow3 ow3_d lvdd clr3 0 swos\n"), "%s", text);
    ck_assert_msg(contains(text, "\nbclr3 clr3 0 v = (1 * (u((0.5 - v(spk3))) * "
                                 "u((v(oc3_d) - 0.5))))\n"),
                  "%s", text);
    ck_assert_msg(contains(text, "\nbwen3 wen3 0 v = (1 * max((u((0.5 - v(clr3))) * "
                                 "u((v(ow3_d) - 0.5))), u((v(st) - 0.5))))\n"),
                  "%s", text);
    /* the text reads back as the same elements */
    dwmtj_spice_deck *back = read_ok(text);
    ck_assert_ptr_nonnull(card_named(&back->top, "bwen3"));
    ck_assert_int_eq(card_named(&back->top, "bwen3")->el.bmode, 'v');
    dwmtj_spice_free(back);
    free(text);
    /* bad arguments: nothing added */
    int n = d->top.n_card;
    ck_assert_int_eq(dwmtj_spice_add_reset(&d->top, 4, NULL, "c", "w", "st", &g, 1e-9, 1e-9),
                     DWMTJ_SPICE_ERR_USAGE);
    ck_assert_ptr_null(dwmtj_spice_add_one_shot(&d->top, "x", "t", &g, -1e-9));
    ck_assert_int_eq(d->top.n_card, n);
    dwmtj_spice_free(d);
}
END_TEST

static Suite *spice_suite(void)
{
    Suite *s = suite_create("spice");
    TCase *tc = tcase_create("numbers");
    tcase_add_loop_test(tc, number_values, 0, NNUMBERS);
    tcase_add_test(tc, number_exact);
    tcase_add_test(tc, number_bad);
    tcase_add_test(tc, number_prefix);
    tcase_add_test(tc, number_one_parser);
    tcase_add_test(tc, number_writer);
    suite_add_tcase(s, tc);
    tc = tcase_create("reader");
    tcase_add_test(tc, read_all_kinds);
    tcase_add_test(tc, tran_of_built_deck);
    tcase_add_test(tc, read_include);
    tcase_add_loop_test(tc, read_errors, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, read_bounds);
    suite_add_tcase(s, tc);
    tc = tcase_create("expressions");
    tcase_add_test(tc, expr_round_trip);
    tcase_add_test(tc, reset_builder);
    suite_add_tcase(s, tc);
    tc = tcase_create("devices");
    tcase_add_test(tc, device_cards);
    tcase_add_test(tc, spice_temperature);
    suite_add_tcase(s, tc);
    tc = tcase_create("round_trip");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, round_trip_infer);
    tcase_add_test(tc, round_trip_crossbar);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(spice_suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
