/* Tests of the transistor cards of the cmos neuron cell,
 * netlists/bsim4_45nm.lib (BSIM4, ngspice level 54, 45 nm-class, written
 * from the published PTM 45 nm HP values; doc/cell-cmos.md), through the
 * real ngspice binary (helpers in ngrun.c).
 *
 * What is checked, against independent expectations:
 *   - ngspice 39 accepts the cards (no error, no warning);
 *   - `.options num_threads=1' sets the variable that ngspice's OpenMP
 *     BSIM4 reads at circuit setup (src/spicelib/analysis/cktsetup.c,
 *     cp_getvar("num_threads")), so the cell's decks run on one thread;
 *   - a minimum device (W = 90 nm, L = 45 nm) at |Vgs| = |Vds| = 1.0 V
 *     (the card's nominal supply) has I_on and I_off in the range of a
 *     45 nm high-performance process: I_on/W in 0.8 .. 2.0 mA/um (nmos) and
 *     0.4 .. 1.5 mA/um (pmos), I_off/W below 1 uA/um, I_on/I_off above 1e4
 *     (the ITRS high-performance targets of the 45 nm node are about 1.2 to
 *     1.5 mA/um and 0.1 to 0.2 uA/um for nmos; PTM's own figure for its
 *     45 nm HP card is of that order);
 *   - the bounds fail for a perturbed card: vth0 + 0.3 V, and the card
 *     without lpe0 = 0 and lpeb = 0 (BSIM4's default lpe0 = 174 nm of
 *     lateral pocket doping, which PTM sets to 0, raises vth of the
 *     minimum device above 1 V);
 *   - n45h / p45h (impact ionisation and GIDL off, for the devices above
 *     1 V) carry the current of n45 / p45 at 1 V within 1 %.
 *
 * Environment: DWMTJ_CM, the built dwmtj.cm (the binary's .spiceinit loads
 * it); DWMTJ_SRCDIR, the source tree with netlists/; DWMTJ_NGSPICE
 * (optional).  `make check' sets them. */
#define _XOPEN_SOURCE 700

#include "ngrun.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *cm;     /* absolute path of the code model */
static char *srcdir; /* absolute path of the source tree */

#define WMIN 90e-9 /* m, minimum width of the card */

/* The last 1500 characters of printed output, for a failure message. */
static const char *tail(const char *out)
{
    size_t len = out ? strlen(out) : 0;
    return out ? out + (len > 1500 ? len - 1500 : 0) : "(none)";
}

/* The card's text, with every occurrence of from replaced by to (from NULL:
 * as it is); malloc'd. */
static char *card(const char *from, const char *to)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/netlists/bsim4_45nm.lib", srcdir);
    char *text = ngr_read_file(path);
    ck_assert_ptr_nonnull(text);
    if (!from)
        return text;
    size_t nf = strlen(from), nt = strlen(to), n = 0;
    for (const char *p = strstr(text, from); p; p = strstr(p + nf, from))
        n++;
    ck_assert_msg(n > 0, "the card has no \"%s\"", from);
    char *out = malloc(strlen(text) + n * nt + 1), *o = out;
    ck_assert_ptr_nonnull(out);
    for (const char *p = text, *q; *p; p = q + nf) {
        q = strstr(p, from);
        if (!q) {
            strcpy(o, p);
            break;
        }
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        memcpy(o, to, nt);
        o += nt;
        *o = '\0';
    }
    free(text);
    return out;
}

typedef struct {
    double ion_n, ioff_n, ion_p, ioff_p; /* A, minimum device at 1.0 V */
} currents;

/* The minimum nmos and pmos of models nm, pm of card text, on (|Vgs| =
 * 1 V) and off (Vgs = 0), |Vds| = 1 V, in one operating point. */
static currents measure(const char *text, const char *nm, const char *pm)
{
    static const char *const names[] = { "vdn1#branch", "vdn0#branch", "vdp1#branch",
                                         "vdp0#branch" };
    size_t n = strlen(text) + 2048;
    char *net = malloc(n);
    ck_assert_ptr_nonnull(net);
    snprintf(net, n,
             "* minimum devices of bsim4_45nm.lib\n%s\n"
             ".options num_threads=1\n"
             "Vdd vdd 0 1\n"
             "Vdn1 dn1 0 1\nMn1 dn1 vdd 0 0 %s W=90n L=45n\n"
             "Vdn0 dn0 0 1\nMn0 dn0 0 0 0 %s W=90n L=45n\n"
             "Vdp1 dp1 0 0\nMp1 dp1 0 vdd vdd %s W=90n L=45n\n"
             "Vdp0 dp0 0 0\nMp0 dp0 vdd vdd vdd %s W=90n L=45n\n"
             ".op\n",
             text, nm, nm, pm, pm);
    ngr_table t;
    char *out = NULL;
    int rc = ngr_run(NGR_BIN, cm, net, NULL, names, 4, &t, &out);
    ck_assert_msg(rc == 0 && t.nrow == 1, "ngspice run failed; output ends:\n%s", tail(out));
    ck_assert_msg(!strstr(out, "rror") && !strstr(out, "arning"),
                  "ngspice complained about the card:\n%s", tail(out));
    /* the nmos drain current leaves its source's + node (i < 0); the pmos
     * drain current enters it */
    currents c = { -NGR_AT(&t, 0, 0), -NGR_AT(&t, 0, 1), NGR_AT(&t, 0, 2), NGR_AT(&t, 0, 3) };
    ngr_table_free(&t);
    free(out);
    free(net);
    return c;
}

/* 1 if c is in the range of a 45 nm high-performance process (top). */
static int plausible(currents c)
{
    double per_um = 1e-6 / WMIN; /* A/um per A of the minimum device */
    return c.ion_n * per_um >= 0.8e-3 && c.ion_n * per_um <= 2.0e-3 &&
           c.ion_p * per_um >= 0.4e-3 && c.ion_p * per_um <= 1.5e-3 && c.ioff_n > 0.0 &&
           c.ioff_p > 0.0 && c.ioff_n * per_um < 1e-6 && c.ioff_p * per_um < 1e-6 &&
           c.ion_n / c.ioff_n > 1e4 && c.ion_p / c.ioff_p > 1e4;
}

START_TEST(minimum_device_currents)
{
    char *text = card(NULL, NULL);
    currents c = measure(text, "n45", "p45");
    double per_um = 1e-6 / WMIN;
    fprintf(stderr,
            "bsim4_45nm minimum device (W 90 nm, L 45 nm, |V| 1.0 V): nmos I_on %.4g uA "
            "(%.4g mA/um), I_off %.4g nA (%.4g nA/um); pmos I_on %.4g uA (%.4g mA/um), "
            "I_off %.4g nA (%.4g nA/um)\n",
            c.ion_n * 1e6, c.ion_n * per_um * 1e3, c.ioff_n * 1e9, c.ioff_n * per_um * 1e9,
            c.ion_p * 1e6, c.ion_p * per_um * 1e3, c.ioff_p * 1e9, c.ioff_p * per_um * 1e9);
    ck_assert_msg(plausible(c), "the minimum device is out of range (numbers above)");
    /* the high-voltage variants differ only by what acts above 1 V */
    currents h = measure(text, "n45h", "p45h");
    tu_assert_rel(h.ion_n, c.ion_n, 1e-2);
    tu_assert_rel(h.ion_p, c.ion_p, 1e-2);
    free(text);
}
END_TEST

START_TEST(perturbed_cards_fail)
{
    char *hi = card("vth0=0.46893", "vth0=0.76893");
    currents c = measure(hi, "n45", "p45");
    fprintf(stderr, "bsim4_45nm, vth0 + 0.3 V: nmos I_on %.4g uA\n", c.ion_n * 1e6);
    ck_assert(!plausible(c));
    free(hi);
    char *nolpe = card(" lpe0=0 lpeb=0", "");
    c = measure(nolpe, "n45", "p45");
    fprintf(stderr, "bsim4_45nm without lpe0 = lpeb = 0: nmos I_on %.4g uA\n", c.ion_n * 1e6);
    ck_assert(!plausible(c));
    free(nolpe);
}
END_TEST

/* `.options num_threads=1' reaches the variable ngspice's BSIM4 reads. */
START_TEST(one_thread)
{
    char *text = card(NULL, NULL);
    size_t n = strlen(text) + 1024;
    char *net = malloc(n);
    ck_assert_ptr_nonnull(net);
    snprintf(net, n,
             "* threads\n%s\n.options num_threads=1\n"
             "Vdd vdd 0 1\nMn1 vdd vdd 0 0 n45 W=90n L=45n\n"
             ".control\nop\necho threads=$num_threads\n.endc\n.end\n",
             text);
    ngr_bin_result r;
    ck_assert_int_eq(ngr_bin_run(cm, net, NULL, 60.0, &r), 0);
    ck_assert_msg(r.exited && strstr(r.out, "threads=1\n"), "no threads=1 in:\n%s", tail(r.out));
    ngr_bin_result_free(&r);
    free(net);
    free(text);
}
END_TEST

static Suite *cell_cmos_suite(void)
{
    Suite *s = suite_create("cell_cmos");
    TCase *tc = tcase_create("cards");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, minimum_device_currents);
    tcase_add_test(tc, perturbed_cards_fail);
    tcase_add_test(tc, one_thread);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    cm = ngr_env_path("check_cell_cmos", "DWMTJ_CM", "", "the built dwmtj.cm");
    srcdir = ngr_env_path("check_cell_cmos", "DWMTJ_SRCDIR", "", "the source tree");
    if (!cm || !srcdir || ngr_scratch_enter() != 0) {
        free(cm);
        free(srcdir);
        return EXIT_FAILURE;
    }
    SRunner *sr = srunner_create(cell_cmos_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ngr_scratch_leave();
    free(cm);
    free(srcdir);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
