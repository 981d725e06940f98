/* Tests of the transistor-level neuron cell dwmtj_cell_c
 * (netlists/cell_cmos.lib) and its cards, netlists/bsim4_45nm.lib (BSIM4,
 * ngspice level 54, 45 nm-class, written from the published PTM 45 nm HP
 * values; doc/cell-cmos.md), through the real ngspice binary with the built
 * code model (helpers in ngrun.c).
 *
 * The cards, against independent expectations:
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
 * The cell:
 *   - its input stage against the behavioural cell's mirror,
 *     clamp(i, +-200 uA) (netlists/cell_behavioural.lib), on a DC sweep into
 *     the track's 20 kOhm: within 4 % + 2 uA for |i| <= 150 uA, the clamp
 *     within 7 % of 200 uA, the inputs within 60 mV of 0 V for |i| <= 100 uA;
 *   - it fires and resets through its terminals: spikes on spk; the
 *     device's own counters (monitors nf, nw, read by the test only) give
 *     fires = spikes and writes = fires + 1; each clear starts at a spike's
 *     fall, each write at a clear's end, and the domain appears within each
 *     write; each spike rises after R_B (monitor rb) has crossed its midpoint,
 *     by the sense delay (asserted below 0.3 ns), and the current into IN
 *     while integrating is the stage's DC transfer within 2 %;
 *   - its energy: each block's supply (through its own 0 V meter) minus what
 *     it delivers to the device's terminals, plus the device's own energy
 *     (monitor e), sums to the integral of V I over all sources of the deck
 *     within 1 % (this is the device's energy against the circuit's: the
 *     blocks' part is exact by Kirchhoff's laws);
 *   - the clamp: 300 uA in spikes as 200 uA in (both above the clamp);
 *   - the shipped demo runs.
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
#define RL 20e3    /* Ohm, the scaled track IN..GND (500 nm x 40 Ohm/nm) */
#define R_MID 12e3 /* Ohm, (R_P + R_AP) / 2 of the scaled device */
#define IMAX 200e-6 /* A, the behavioural cell's clamp */
#define T_NUC 1e-9 /* s, the scaled set's nucleation time */

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
    ck_assert_msg(rc == 0 && t.nrow == 1, "ngspice run failed; output ends:\n%s", ngr_tail(out));
    ck_assert_msg(!strstr(out, "rror") && !strstr(out, "arning"),
                  "ngspice complained about the card:\n%s", ngr_tail(out));
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
    ck_assert_msg(r.exited && strstr(r.out, "threads=1\n"), "no threads=1 in:\n%s",
                  ngr_tail(r.out));
    ngr_bin_result_free(&r);
    free(net);
    free(text);
}
END_TEST

/* ------------------------------------------------------------------------
 * The cell
 * --------------------------------------------------------------------- */

/* The deck's supplies, as doc/cell-cmos.md states them. */
static const char *const supplies = "Vdd vdd 0 1\nVddh vddh 0 6\nVss vss 0 -5\nVwr vwr 0 1.5\n";

/* The input stage's DC transfer into the track's resistance: column 0 the
 * input current, then the current into the load and V(cp). */
static void stage_sweep(ngr_table *t)
{
    static const char *const names[] = { "vm#branch", "cp" };
    char net[4096];
    snprintf(net, sizeof net,
             "* dwmtj_cmos_in into the scaled track\n"
             ".include %s/netlists/bsim4_45nm.lib\n"
             ".include %s/netlists/cell_cmos.lib\n"
             ".options num_threads=1\n%s"
             "Iin 0 cp DC 0\nIcm 0 cm DC 0\n"
             "X1 cp cm out vdd vddh vss dwmtj_cmos_in\n"
             "Vm out o2 0\nRl o2 0 %g\n"
             ".dc Iin -300u 300u 10u\n",
             srcdir, srcdir, supplies, RL);
    char *out = NULL;
    int rc = ngr_run(NGR_BIN, cm, net, "i-sweep", names, 2, t, &out);
    ck_assert_msg(rc == 0 && t->nrow == 61, "ngspice run failed; output ends:\n%s", ngr_tail(out));
    free(out);
}

/* The stage's output at input i, interpolated in the sweep. */
static double stage_at(const ngr_table *t, double i)
{
    for (int r = 1; r < t->nrow; r++)
        if (NGR_AT(t, r, 0) >= i) {
            double i0 = NGR_AT(t, r - 1, 0), i1 = NGR_AT(t, r, 0);
            double o0 = NGR_AT(t, r - 1, 1), o1 = NGR_AT(t, r, 1);
            return o0 + (o1 - o0) * (i - i0) / (i1 - i0);
        }
    return NAN;
}

START_TEST(input_stage_transfer)
{
    ngr_table t;
    stage_sweep(&t);
    double gmin = 1e9, gmax = -1e9, vmax = 0.0;
    for (int r = 0; r < t.nrow; r++) {
        double i = NGR_AT(&t, r, 0), o = NGR_AT(&t, r, 1), v = NGR_AT(&t, r, 2);
        double b = fmax(-IMAX, fmin(IMAX, i)); /* the behavioural mirror, k = 1 */
        if (fabs(i) <= 150e-6 + 1e-12)
            ck_assert_msg(fabs(o - b) <= 0.04 * fabs(b) + 2e-6, "at %g A in: %g A out", i, o);
        if (fabs(i) >= 250e-6 - 1e-12)
            ck_assert_msg(fabs(fabs(o) - IMAX) <= 0.07 * IMAX, "clamp at %g A in: %g A", i, o);
        if (fabs(i) <= 100e-6 + 1e-12)
            vmax = fmax(vmax, fabs(v));
        if (i > -150e-6 && i < 150e-6 && r + 1 < t.nrow) {
            double g = (NGR_AT(&t, r + 1, 1) - o) / (NGR_AT(&t, r + 1, 0) - i);
            gmin = fmin(gmin, g);
            gmax = fmax(gmax, g);
        }
    }
    int r0 = -1, rp = -1, rm = -1;
    for (int r = 0; r < t.nrow; r++) {
        if (fabs(NGR_AT(&t, r, 0)) < 1e-9)
            r0 = r;
        if (fabs(NGR_AT(&t, r, 0) - 100e-6) < 1e-9)
            rp = r;
        if (fabs(NGR_AT(&t, r, 0) + 100e-6) < 1e-9)
            rm = r;
    }
    ck_assert(r0 >= 0 && rp >= 0 && rm >= 0);
    fprintf(stderr,
            "cell_cmos input stage into %g Ohm: out %.4g uA at 0, %.4g uA at +100 uA, %.4g uA at"
            " -100 uA, %.4g uA at +300 uA, %.4g uA at -300 uA; small-signal gain %.4f..%.4f for"
            " |i| < 150 uA; V(cp) %.3g mV at 0, %.3g mV at +-100 uA (input resistance %.0f Ohm)\n",
            RL, NGR_AT(&t, r0, 1) * 1e6, NGR_AT(&t, rp, 1) * 1e6, NGR_AT(&t, rm, 1) * 1e6,
            NGR_AT(&t, t.nrow - 1, 1) * 1e6, NGR_AT(&t, 0, 1) * 1e6, gmin, gmax,
            NGR_AT(&t, r0, 2) * 1e3,
            vmax * 1e3, (NGR_AT(&t, rp, 2) - NGR_AT(&t, rm, 2)) / 200e-6);
    ck_assert_msg(vmax <= 0.06, "the input is %g V off ground", vmax);
    ngr_table_free(&t);
}
END_TEST

/* The cell's vectors a run reads (libngspice names). */
enum {
    K_T, K_SPK, K_CLR, K_WR, K_X, K_RB, K_NW, K_NF, K_E, K_IN, K_A, K_B, K_CP, K_CM, K_NBP, K_NG,
    K_RB2, K_ST, K_VDD, K_VDDH, K_VSS, K_VWR, K_IVDD, K_IVDDH, K_IVSS, K_IVWR, K_IST,
    K_Q_IN_VDD, K_Q_IN_VDDH, K_Q_IN_VSS, K_Q_SEN_VDD, K_Q_SEN_VDDH, K_Q_PG_VDD, K_Q_WR_VDD,
    K_Q_WR_VDDH, K_Q_WR_VWR, K_Q_CLR_VDD, K_Q_CLR_VDDH, K_QDI, K_QDA, K_QDB, K_QO_IN, K_QO_TAP,
    K_QO_WR, K_QO_CLR, KCOL
};
static const char *const cell_names[KCOL - 1] = {
    "spk", "x1.clr", "x1.wr", "x1.mx", "x1.mrb", "x1.mnw", "x1.mnf", "x1.me", "x1.in", "x1.a",
    "x1.b", "cp", "cm", "x1.xin.nbp", "x1.xin.ng", "x1.rb2", "x1.st", "vdd", "vddh",
    "vss", "vwr", "vdd#branch", "vddh#branch", "vss#branch", "vwr#branch", "v.x1.vst#branch",
    "v.x1.vq_in_vdd#branch", "v.x1.vq_in_vddh#branch", "v.x1.vq_in_vss#branch",
    "v.x1.vq_sen_vdd#branch", "v.x1.vq_sen_vddh#branch", "v.x1.vq_pg_vdd#branch",
    "v.x1.vq_wr_vdd#branch", "v.x1.vq_wr_vddh#branch", "v.x1.vq_wr_vwr#branch",
    "v.x1.vq_clr_vdd#branch", "v.x1.vq_clr_vddh#branch", "v.x1.vqdi#branch",
    "v.x1.vqda#branch", "v.x1.vqdb#branch", "v.x1.vqo_in#branch", "v.x1.vqo_tap#branch",
    "v.x1.vqo_wr#branch", "v.x1.vqo_clr#branch"
};

#define CELL_IB 200e-6 /* A, the cell's default ib */
#define CELL_IRD 5e-6  /* A, the cell's default ird */

/* The cell on a constant input i into cp (cm idle) for tstop, extra cell
 * parameters; must run, and without a warning from the device. */
static void run_cell(double i, const char *extra, double tstop, ngr_table *t)
{
    char net[4096];
    memset(t, 0, sizeof *t);
    snprintf(net, sizeof net,
             "* dwmtj_cell_c, constant input\n"
             ".include %s/netlists/bsim4_45nm.lib\n"
             ".include %s/netlists/cell_cmos.lib\n"
             ".options num_threads=1\n%s"
             "Iin 0 cp DC %.9g\nIcm 0 cm DC 0\n"
             "X1 cp cm spk vdd vddh vss vwr dwmtj_cell_c %s\n"
             ".tran 1p %.9g 0 2p\n",
             srcdir, srcdir, supplies, i, extra, tstop);
    char *out = NULL;
    int rc = ngr_run(NGR_BIN, cm, net, "time", cell_names, KCOL - 1, t, &out);
    ck_assert_msg(rc == 0 && t->nrow > 10, "ngspice run failed; output ends:\n%s", ngr_tail(out));
    ck_assert_msg(!strstr(out, "warning") && !strstr(out, "rror"),
                  "ngspice complained; output ends:\n%s", ngr_tail(out));
    free(out);
}

/* Value of column c at time tt (the last row at or before it). */
static double at_time(const ngr_table *t, int c, double tt)
{
    int r = 0;
    while (r + 1 < t->nrow && NGR_AT(t, r + 1, K_T) <= tt)
        r++;
    return NGR_AT(t, r, c);
}

START_TEST(fires_and_resets)
{
    const double i = 100e-6, tstop = 14e-9;
    ngr_table t;
    run_cell(i, "", tstop, &t);
    double up[16], dn[16], cu[16], cd[16], wu[16], wd[16], ru[16], rd[16];
    int nup = ngr_crossings(&t, K_SPK, 0.5, 1, up, 16);
    int ndn = ngr_crossings(&t, K_SPK, 0.5, 0, dn, 16);
    int ncu = ngr_crossings(&t, K_CLR, 0.5, 1, cu, 16);
    int ncd = ngr_crossings(&t, K_CLR, 0.5, 0, cd, 16);
    int nwu = ngr_crossings(&t, K_WR, 0.5, 1, wu, 16);
    int nwd = ngr_crossings(&t, K_WR, 0.5, 0, wd, 16);
    int nru = ngr_crossings(&t, K_RB, R_MID, 1, ru, 16);
    int nrd = ngr_crossings(&t, K_RB, R_MID, 0, rd, 16);
    ck_assert_int_ge(nup, 2);
    /* the device's counters: a fire per spike, a write per reset plus the first */
    int nf = (int)lround(NGR_AT(&t, t.nrow - 1, K_NF));
    int nw = (int)lround(NGR_AT(&t, t.nrow - 1, K_NW));
    fprintf(stderr, "cell_cmos 100 uA: %d spikes, device fires %d, writes %d; spikes at", nup, nf,
            nw);
    for (int k = 0; k < nup; k++)
        fprintf(stderr, " %.5g ns", up[k] * 1e9);
    fprintf(stderr, "; period %.5g ns\n", (up[1] - up[0]) * 1e9);
    ck_assert_int_eq(nf, nup);
    ck_assert_int_eq(nw, nf + 1);
    ck_assert_int_eq(nwu, nw);
    ck_assert_int_eq(nwd, nwu);
    ck_assert_int_eq(ndn, nup);
    ck_assert_int_eq(ncu, nup);
    ck_assert_int_eq(ncd, ncu);
    /* the sense: each spike follows R_B's rise through its midpoint, and
     * falls after R_B's fall, by the sense delay */
    ck_assert_int_eq(nru, nup);
    ck_assert_int_eq(nrd, nup);
    for (int k = 0; k < nup; k++) {
        double d_up = up[k] - ru[k], d_dn = dn[k] - rd[k];
        fprintf(stderr, "cell_cmos sense delay, spike %d: %.4g ps rising, %.4g ps falling\n", k,
                d_up * 1e12, d_dn * 1e12);
        ck_assert_msg(d_up > 0.0 && d_up < 0.3e-9, "spike %d rises %g s after R_B", k, d_up);
        ck_assert_msg(d_dn > 0.0 && d_dn < 0.3e-9, "spike %d falls %g s after R_B", k, d_dn);
    }
    /* the reset: the clear at each spike's fall, the write at each clear's
     * end (within the gates' delays, 0.1 ns), and the domain (the write
     * counter) appears within each write, at least t_nuc after it starts */
    ck_assert_msg(wu[0] < up[0], "the first write is not first");
    for (int k = 0; k < nup; k++) {
        ck_assert_msg(cu[k] > dn[k] && cu[k] - dn[k] < 0.1e-9, "clear %d at %g s, spike falls %g s",
                      k, cu[k], dn[k]);
        ck_assert_msg(wu[k + 1] > cd[k] && wu[k + 1] - cd[k] < 0.1e-9,
                      "write %d at %g s, clear ends %g s", k + 1, wu[k + 1], cd[k]);
    }
    for (int k = 0; k < nwu; k++) {
        ck_assert_msg(wd[k] - wu[k] >= T_NUC, "write %d lasts %g s", k, wd[k] - wu[k]);
        double before = at_time(&t, K_NW, wu[k] + T_NUC - 10e-12);
        double after = at_time(&t, K_NW, wd[k] + 10e-12);
        ck_assert_msg(lround(before) == k && lround(after) == k + 1,
                      "write %d: %g domains before, %g after", k, before, after);
    }
    /* the drive while integrating, just before each spike: the stage's DC
     * transfer within 2 % */
    ngr_table s;
    stage_sweep(&s);
    double dc = stage_at(&s, i);
    for (int k = 0; k < nup; k++) {
        double iin = at_time(&t, K_QO_IN, up[k] - 0.1e-9);
        fprintf(stderr, "cell_cmos drive before spike %d: %.4g uA (DC transfer %.4g uA)\n", k,
                iin * 1e6, dc * 1e6);
        tu_assert_rel(iin, dc, 0.02);
    }
    ngr_table_free(&s);
    ngr_table_free(&t);
}
END_TEST

/* Power of every source of the deck at row r [W] (delivered): voltage
 * sources -V i(V), i(V) flowing into +; a current source from n+ to n-
 * delivers I (V(n-) - V(n+)). */
static double p_sources(const ngr_table *t, int r, double iin)
{
#define V(c) NGR_AT(t, r, c)
    return -V(K_VDD) * V(K_IVDD) - V(K_VDDH) * V(K_IVDDH) - V(K_VSS) * V(K_IVSS) -
           V(K_VWR) * V(K_IVWR) - V(K_ST) * V(K_IST) + iin * V(K_CP) + 0.0 * V(K_CM) +
           CELL_IB / 10 * (0.0 - V(K_NBP)) + CELL_IB / 10 * (V(K_VSS) - V(K_NG)) +
           CELL_IRD * (0.0 - V(K_RB2));
}

enum { B_IN, B_SEN, B_PG, B_WR, B_CLR, NBLK };
static const char *const blk_names[NBLK] = { "input stage", "sense", "pulse generators",
                                             "write driver", "clear driver" };

/* Each block's own power at row r [W]: its supplies (and its ideal
 * references, and for the input stage the column's inputs) minus what it
 * delivers to the device's terminals. */
static void p_blocks(const ngr_table *t, int r, double iin, double *p)
{
    p[B_IN] = V(K_VDD) * V(K_Q_IN_VDD) + V(K_VDDH) * V(K_Q_IN_VDDH) + V(K_VSS) * V(K_Q_IN_VSS) +
              CELL_IB / 10 * (0.0 - V(K_NBP)) + CELL_IB / 10 * (V(K_VSS) - V(K_NG)) +
              iin * V(K_CP) - V(K_IN) * V(K_QO_IN);
    p[B_SEN] = V(K_VDD) * V(K_Q_SEN_VDD) + V(K_VDDH) * V(K_Q_SEN_VDDH) +
               CELL_IRD * (0.0 - V(K_RB2)) +
               V(K_IN) * V(K_QO_TAP) - V(K_B) * V(K_QDB);
    p[B_PG] = V(K_VDD) * V(K_Q_PG_VDD) - V(K_ST) * V(K_IST);
    p[B_WR] = V(K_VDD) * V(K_Q_WR_VDD) + V(K_VDDH) * V(K_Q_WR_VDDH) + V(K_VWR) * V(K_Q_WR_VWR) -
              V(K_IN) * V(K_QO_WR) - V(K_A) * V(K_QDA);
    p[B_CLR] = V(K_VDD) * V(K_Q_CLR_VDD) + V(K_VDDH) * V(K_Q_CLR_VDDH) - V(K_IN) * V(K_QO_CLR);
}

/* Power into the device's terminals at row r [W] (GND is node 0). */
static double p_device(const ngr_table *t, int r)
{
    return V(K_IN) * V(K_QDI) + V(K_A) * V(K_QDA) + V(K_B) * V(K_QDB);
#undef V
}

/* Trapezoid integrals over rows with t0 <= time <= t1 of the sources' total,
 * each block's and the device's terminal power. */
static void integrate(const ngr_table *t, double iin, double t0, double t1, double *e_tot,
                      double *e_blk, double *e_dev)
{
    *e_tot = *e_dev = 0.0;
    for (int b = 0; b < NBLK; b++)
        e_blk[b] = 0.0;
    for (int r = 1; r < t->nrow; r++) {
        double ta = NGR_AT(t, r - 1, K_T), tb = NGR_AT(t, r, K_T);
        if (ta < t0 || tb > t1)
            continue;
        double h = 0.5 * (tb - ta), pa[NBLK], pb[NBLK];
        *e_tot += h * (p_sources(t, r - 1, iin) + p_sources(t, r, iin));
        *e_dev += h * (p_device(t, r - 1) + p_device(t, r));
        p_blocks(t, r - 1, iin, pa);
        p_blocks(t, r, iin, pb);
        for (int b = 0; b < NBLK; b++)
            e_blk[b] += h * (pa[b] + pb[b]);
    }
}

START_TEST(energy_by_component)
{
    const double i = 100e-6, tstop = 14e-9;
    ngr_table t;
    run_cell(i, "", tstop, &t);
    double e_tot, e_blk[NBLK], e_term;
    integrate(&t, i, 0.0, tstop, &e_tot, e_blk, &e_term);
    double e_dev = NGR_AT(&t, t.nrow - 1, K_E) * 1e-12; /* monitor e is in pJ */
    double sum = e_dev;
    for (int b = 0; b < NBLK; b++)
        sum += e_blk[b];
    fprintf(stderr, "cell_cmos energy over %g ns at 100 uA: all sources %.5g pJ; components",
            tstop * 1e9, e_tot * 1e12);
    for (int b = 0; b < NBLK; b++)
        fprintf(stderr, " %s %.4g pJ,", blk_names[b], e_blk[b] * 1e12);
    fprintf(stderr, " device %.4g pJ (its terminals %.4g pJ); sum %.5g pJ (%.3g %%)\n",
            e_dev * 1e12, e_term * 1e12, sum * 1e12, 100.0 * (sum - e_tot) / e_tot);
    tu_assert_rel(sum, e_tot, 0.01);
    tu_assert_rel(e_dev, e_term, 0.01);
    for (int b = 0; b < NBLK; b++)
        ck_assert_msg(e_blk[b] > 0.0, "%s: %g J", blk_names[b], e_blk[b]);
    ck_assert(e_dev > 0.0);
    /* per spike: over one cycle, spike to spike */
    double up[8];
    int nup = ngr_crossings(&t, K_SPK, 0.5, 1, up, 8);
    ck_assert_int_ge(nup, 2);
    double c_tot, c_blk[NBLK], c_term;
    integrate(&t, i, up[0], up[1], &c_tot, c_blk, &c_term);
    double c_dev = (at_time(&t, K_E, up[1]) - at_time(&t, K_E, up[0])) * 1e-12;
    fprintf(stderr, "cell_cmos energy per spike at 100 uA (one cycle, %.5g ns): all sources %.4g"
            " pJ;", (up[1] - up[0]) * 1e9, c_tot * 1e12);
    for (int b = 0; b < NBLK; b++)
        fprintf(stderr, " %s %.4g pJ,", blk_names[b], c_blk[b] * 1e12);
    fprintf(stderr, " device %.4g pJ\n", c_dev * 1e12);
    /* static power of each block while integrating (0.2 ns before the
     * second spike) and the write's charge through pillar A (first write) */
    double pb[NBLK];
    int r = 0;
    while (r + 1 < t.nrow && NGR_AT(&t, r + 1, K_T) <= up[1] - 0.2e-9)
        r++;
    p_blocks(&t, r, i, pb);
    fprintf(stderr, "cell_cmos static power while integrating:");
    for (int b = 0; b < NBLK; b++)
        fprintf(stderr, " %s %.4g uW,", blk_names[b], pb[b] * 1e6);
    fprintf(stderr, " all sources %.4g uW\n", p_sources(&t, r, i) * 1e6);
    double wu[8], wd[8], q = 0.0, ew = 0.0;
    ck_assert_int_ge(ngr_crossings(&t, K_WR, 0.5, 1, wu, 8), 1);
    ck_assert_int_ge(ngr_crossings(&t, K_WR, 0.5, 0, wd, 8), 1);
    for (int k = 1; k < t.nrow; k++) {
        double ta = NGR_AT(&t, k - 1, K_T), tb = NGR_AT(&t, k, K_T);
        if (ta < wu[0] || tb > wd[0] + 0.1e-9)
            continue;
        q -= 0.5 * (tb - ta) * (NGR_AT(&t, k - 1, K_QDA) + NGR_AT(&t, k, K_QDA));
        ew += 0.5 * (tb - ta) *
              (NGR_AT(&t, k - 1, K_VWR) * NGR_AT(&t, k - 1, K_Q_WR_VWR) +
               NGR_AT(&t, k, K_VWR) * NGR_AT(&t, k, K_Q_WR_VWR));
    }
    fprintf(stderr, "cell_cmos first write: %.4g ns long, charge through pillar A %.4g C, from"
            " vwr %.4g pJ\n", (wd[0] - wu[0]) * 1e9, q, ew * 1e12);
    ck_assert(q >= 100e-6 * T_NUC); /* at least i_nuc t_nuc */
    ngr_table_free(&t);
}
END_TEST

/* 300 uA and 200 uA are both above the clamp: the same spikes. */
START_TEST(clamp)
{
    ngr_table a, b;
    run_cell(300e-6, "", 10e-9, &a);
    run_cell(200e-6, "", 10e-9, &b);
    double ua[8], ub[8];
    int na = ngr_crossings(&a, K_SPK, 0.5, 1, ua, 8), nb = ngr_crossings(&b, K_SPK, 0.5, 1, ub, 8);
    fprintf(stderr, "cell_cmos clamp: spikes at %.5g ns and %.5g ns (300 uA), %.5g ns and %.5g ns"
            " (200 uA)\n", ua[0] * 1e9, na > 1 ? ua[1] * 1e9 : NAN, ub[0] * 1e9,
            nb > 1 ? ub[1] * 1e9 : NAN);
    ck_assert_int_ge(na, 2);
    ck_assert_int_eq(na, nb);
    for (int k = 0; k < na; k++)
        ck_assert_msg(fabs(ua[k] - ub[k]) <= 5e-12, "spike %d: %g s vs %g s", k, ua[k], ub[k]);
    ngr_table_free(&a);
    ngr_table_free(&b);
}
END_TEST

/* The shipped demo, netlists/cell_cmos_demo.cir, runs as it is (its
 * .include lines made absolute): spikes in each input segment, clean. */
START_TEST(demo_runs)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/netlists/cell_cmos_demo.cir", srcdir);
    char *text = ngr_read_file(path);
    ck_assert_ptr_nonnull(text);
    size_t n = strlen(text) + 2 * strlen(srcdir) + 64;
    char *net = malloc(n), *o = net;
    ck_assert_ptr_nonnull(net);
    for (const char *p = text; *p;) {
        if (strncmp(p, ".include ", 9) == 0) {
            o += sprintf(o, ".include %s/netlists/", srcdir);
            p += 9;
        }
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p + 1) : strlen(p);
        memcpy(o, p, len);
        o += len;
        p += len;
    }
    *o = '\0';
    ngr_bin_result r;
    ck_assert_int_eq(ngr_bin_run(cm, net, "cell_cmos_demo.dat", 120.0, &r), 0);
    ck_assert_msg(r.exited && !strstr(r.out, "rror") && !strstr(r.out, "warning"),
                  "the demo did not run cleanly:\n%s", ngr_tail(r.out));
    int cs = ngr_column(r.header, "v(spk)");
    ck_assert_int_gt(cs, 0);
    int seg[3] = { 0, 0, 0 };
    for (int k = 1; k < r.data.nrow; k++)
        if (NGR_AT(&r.data, k - 1, cs) < 0.5 && NGR_AT(&r.data, k, cs) >= 0.5) {
            double tt = NGR_AT(&r.data, k, 0);
            seg[tt < 10e-9 ? 0 : tt < 20e-9 ? 1 : 2]++;
        }
    fprintf(stderr, "cell_cmos demo: %d, %d, %d spikes at 60, 150, 300 uA\n", seg[0], seg[1],
            seg[2]);
    ck_assert(seg[0] >= 1 && seg[1] >= 2 && seg[2] >= 2);
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
    TCase *tcc = tcase_create("cell");
    tcase_set_timeout(tcc, 300);
    tcase_add_test(tcc, input_stage_transfer);
    tcase_add_test(tcc, fires_and_resets);
    tcase_add_test(tcc, energy_by_component);
    tcase_add_test(tcc, clamp);
    tcase_add_test(tcc, demo_runs);
    suite_add_tcase(s, tcc);
    return s;
}

int main(void)
{
    cm = ngr_env_path("check_cell_cmos", "DWMTJ_CM", "", "the built dwmtj.cm");
    srcdir = cm ? ngr_env_path("check_cell_cmos", "DWMTJ_SRCDIR", "", "the source tree") : NULL;
    /* the tests run in a scratch directory: netlists may write files */
    int rc = cm && srcdir ? ngr_run_in_scratch(cell_cmos_suite) : EXIT_FAILURE;
    free(cm);
    free(srcdir);
    return rc;
}
