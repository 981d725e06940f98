/* Tests of the behavioural neuron cell netlists/cell_behavioural.lib
 * (dwmtj_cell_b) through the real ngspice binary with the built code
 * model (helpers in ngrun.c), against hand-worked expectations.
 *
 * Environment: DWMTJ_CM, the built dwmtj.cm; DWMTJ_SRCDIR, the source tree
 * with netlists/; DWMTJ_NGSPICE (optional).  `make check' sets them.
 *
 * The hand-worked case, the device of set "scaled" (paper's model, no
 * pinning; model/dwmtj_params.c scaled()), checked against libdwmtj's set
 * in set_is_as_worked:
 *   track 500 nm x 25 nm x 1.5 nm, rho 1.5e-6 Ohm m: A = 3.75e-17 m^2,
 *     rho / A = 4e10 Ohm/m = 40 Ohm/nm;
 *   pillars A at 50 nm, B at 400 nm, both 50 nm long; the track's pieces
 *     R1 (IN..A) = 50 nm * 40 = 2 kOhm, R2 (A..B) = 14 kOhm,
 *     R3 (B..GND) = 4 kOhm; R_P = 8 kOhm, R_AP = 16 kOhm;
 *   a domain 50 nm long (the writer's length) written centred at 50 nm;
 *   velocity v = g muB P j / (2 e Ms) (paper, Eq. for v; H_eff = 0,
 *     eta = 1): per unit current v/I = 2 * 9.2740100783e-24 * 0.7 /
 *     (2 * 1.602176634e-19 * 8e5 * 3.75e-17) = 1.35064e6 m/(s A), so
 *     135.06 m/s at 100 uA;
 *   R_B's midpoint (R_P + R_AP)/2 = 12 kOhm is the conductance 1/12k =
 *     f/16k + (1-f)/8k at overlap f = 2/3: the domain's centre within
 *     50 - 2/3 * 50 = 16.667 nm of B's centre, i.e. from 383.333 nm to
 *     416.667 nm;
 *   the write: >= i_nuc = 100 uA from the track into a pillar for t_nuc =
 *     1 ns, while the track is empty.
 * The cell with its defaults (vw 1.5 V, tw 1.2 ns, tclr 1 ns, iclr 200 uA,
 * ird 5 uA, tst 0.1 ns):
 *   write: V(IN) - V(A) = 1.5 V over ron + R1 + R_A = 0.01 + 2000 + 8000:
 *     i1 = 150.0 uA >= i_nuc, so the domain appears t_nuc after the write
 *     starts; for the rest of the pulse (tw - t_nuc = 0.2 ns) the loop
 *     carries i2 = 1.5 V / (ron + R1 + R_A(f)), R_A rising to 16 kOhm, in
 *     the track's piece IN..A only: of the domain's two walls the one in
 *     IN..A is pushed by i2, the one in A..B by nothing, so the domain
 *     moves at (v/I) i2 / 2 (integrated below, about 12.5 nm);
 *   then the drive I into IN, A open: both walls in IN..A..B, v1 = (v/I) I,
 *     up to centre 375 nm (the leading wall at B's point, 400 nm); then
 *     the leading wall sees I + ird (the read current leaves through
 *     B..GND): v2 = (v/I)(I + ird/2), up to 383.333 nm: the spike;
 *   the spike lasts 33.333 nm / v2; at its fall the clear (iclr for tclr)
 *     pushes the domain out past 500 nm + 25 nm (108.3 nm at >= 270 m/s,
 *     0.40 ns < 1 ns), then the next write starts: period
 *     T = 33.333 nm / v2 + tclr + tw + (t_fire1 - t_write_end1). */
#define _XOPEN_SOURCE 700

#include "dwmtj.h"
#include "ngrun.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *cm;      /* absolute path of the code model */
static char *srcdir;  /* absolute path of the source tree */

/* The hand-worked device (see the top) and cell defaults. */
#define AREA 3.75e-17                  /* m^2, 25 nm x 1.5 nm */
#define R1 2000.0                      /* Ohm, track IN..A */
#define R3 4000.0                      /* Ohm, track B..GND */
#define RP 8000.0                      /* Ohm, R_P of A and B */
#define RAP 16000.0                    /* Ohm, R_AP */
#define XA 50e-9                       /* m, writer centre */
#define XB 400e-9                      /* m, reader centre */
#define ELL 50e-9                      /* m, domain and pillar length */
#define I_NUC 100e-6                   /* A */
#define T_NUC 1e-9                     /* s */
#define VW 1.5                         /* V, cell default vw */
#define TW 1.2e-9                      /* s, cell default tw */
#define TCLR 1e-9                      /* s, cell default tclr */
#define IRD 5e-6                       /* A, cell default ird */
#define TST 0.1e-9                     /* s, cell default tst */
#define RON 0.01                       /* Ohm, the cell's switches */
#define IMAX 200e-6                    /* A, cell default imax */
#define TMAX 2e-12                     /* s, the runs' largest step */
#define R_MID (0.5 * (RP + RAP))       /* Ohm */
#define FMID (2.0 / 3.0)               /* overlap at R_mid (top) */
#define X_FIRE (XB - (ELL - FMID * ELL)) /* m, 383.333 nm */
#define X_FALL (XB + (ELL - FMID * ELL)) /* m, 416.667 nm */
#define X_LEAD (XB - 0.5 * ELL)        /* m, 375 nm: leading wall at B */

/* m/(s A): g muB P / (2 e Ms A), paper's formula with scaled's numbers. */
static double v_per_amp(void)
{
    return 2.0 * 9.2740100783e-24 * 0.7 / (2.0 * 1.602176634e-19 * 8e5 * AREA);
}

/* The write's tail, worked by RK4: the domain from XA for tw - t_nuc with
 * dc/dt = (v/I) i2(c) / 2, i2 = VW / (RON + R1 + 1/g), g = f/RAP + (1-f)/RP,
 * f = (XA + ELL - c)/ELL the overlap with A; *c_end its centre at the end,
 * *q the tail's charge (integral of i2). */
static double i2_of(double c)
{
    double f = (XA + ELL - c) / ELL;
    f = fmin(1.0, fmax(0.0, f));
    return VW / (RON + R1 + 1.0 / (f / RAP + (1.0 - f) / RP));
}

static void write_tail(double *c_end, double *q)
{
    const int n = 2000;
    double h = (TW - T_NUC) / n, c = XA, k = v_per_amp() / 2.0;
    *q = 0.0;
    for (int s = 0; s < n; s++) {
        double k1 = k * i2_of(c), k2 = k * i2_of(c + 0.5 * h * k1);
        double k3 = k * i2_of(c + 0.5 * h * k2), k4 = k * i2_of(c + h * k3);
        double cn = c + h * (k1 + 2 * k2 + 2 * k3 + k4) / 6.0;
        *q += h * (i2_of(c) + 4.0 * i2_of(0.5 * (c + cn)) + i2_of(cn)) / 6.0; /* Simpson */
        c = cn;
    }
    *c_end = c;
}

/* Hand-worked times for a constant drive i (already clamped): the first
 * write starts at tst plus half the start pulse's 1 ps rise (where it
 * crosses vdd/2); travel is from the write's end to the spike. */
typedef struct {
    double t_w0;    /* s, first write starts */
    double travel;  /* s, write end to spike */
    double t_fire1; /* s, first spike */
    double high;    /* s, spike length */
    double period;  /* s, spike to spike */
} worked;

static worked work(double i)
{
    worked w;
    double c_tail, q;
    write_tail(&c_tail, &q);
    double v1 = v_per_amp() * i, v2 = v_per_amp() * (i + 0.5 * IRD);
    w.t_w0 = TST + 0.5e-12;
    w.travel = (X_LEAD - c_tail) / v1 + (X_FIRE - X_LEAD) / v2;
    w.t_fire1 = w.t_w0 + TW + w.travel;
    w.high = (X_FALL - X_FIRE) / v2;
    w.period = w.high + TCLR + TW + w.travel;
    return w;
}

/* ------------------------------------------------------------------------
 * Running the cell
 * --------------------------------------------------------------------- */

enum { C_T, C_SPK, C_WR, C_CLR, C_X, C_RB, C_NW, C_NF, C_IW, NCOL };
static const char *const names[NCOL - 1] = { "spk", "x1.wr", "x1.clr", "x1.mx", "x1.mrb",
                                             "x1.mnw", "x1.mnf", "v.x1.vw#branch" };

/* The cell driven by a constant current i into cp (cm idle), cell
 * parameters extra, for tstop; returns ngr_run's status, *out its output. */
static int run_cell(double i, const char *extra, double tstop, ngr_table *t, char **out)
{
    char net[2048];
    memset(t, 0, sizeof *t);
    snprintf(net, sizeof net,
             "* dwmtj_cell_b, constant input\n"
             ".include %s/netlists/cell_behavioural.lib\n"
             "Iin 0 cp DC %.9g\n"
             "Icm 0 cm DC 0\n"
             "X1 cp cm spk dwmtj_cell_b %s\n"
             ".tran 1p %.9g 0 %.9g\n",
             srcdir, i, extra, tstop, TMAX);
    return ngr_run(NGR_BIN, cm, net, "time", names, NCOL - 1, t, out);
}

/* A run that must succeed, and without a warning from the device (a
 * result of the hand-worked case that cannot be trusted is a failure). */
static void run_ok(double i, const char *extra, double tstop, ngr_table *t)
{
    char *out = NULL;
    int rc = run_cell(i, extra, tstop, t, &out);
    ck_assert_msg(rc == 0 && t->nrow > 10, "ngspice run failed; output ends:\n%s", ngr_tail(out));
    ck_assert_msg(!strstr(out, "warning"), "ngspice warned; output ends:\n%s", ngr_tail(out));
    free(out);
}

static double last(const ngr_table *t, int c) { return NGR_AT(t, t->nrow - 1, c); }

/* ------------------------------------------------------------------------
 * Tests
 * --------------------------------------------------------------------- */

/* The hand-worked numbers are those of libdwmtj's set (a change of the set
 * shows here first), and its free velocity is the paper's formula. */
START_TEST(set_is_as_worked)
{
    dwmtj_params p;
    dwmtj_derived d;
    ck_assert_int_eq(dwmtj_params_set(&p, "scaled"), DWMTJ_OK);
    ck_assert_int_ge(dwmtj_derive(&p, &d), 0);
    ck_assert_int_eq(p.model, DWMTJ_MODEL_PAPER);
    ck_assert(p.t_rewrite == 0.0);
    tu_assert_rel(p.width * p.thick, AREA, 1e-12);
    tu_assert_rel(p.rho * p.xa / AREA, R1, 1e-12);
    tu_assert_rel(p.rho * (p.length - p.xb) / AREA, R3, 1e-12);
    tu_assert_rel(p.rp_a, RP, 0.0);
    tu_assert_rel(p.rap_a, RAP, 0.0);
    tu_assert_rel(p.rp_b, RP, 0.0);
    tu_assert_rel(p.rap_b, RAP, 0.0);
    tu_assert_rel(p.xa, XA, 1e-12);
    tu_assert_rel(p.xb, XB, 1e-12);
    tu_assert_rel(p.la, ELL, 1e-12);
    tu_assert_rel(p.lb, ELL, 1e-12);
    ck_assert(p.l_nuc == 0.0);
    tu_assert_rel(p.i_nuc, I_NUC, 0.0);
    tu_assert_rel(p.t_nuc, T_NUC, 0.0);
    ck_assert(p.j_pin_w == 0.0 && p.j_pin_t0 == 0.0 && p.j_pin_t1 == 0.0 && p.j_pin_r == 0.0 &&
              p.j_pin_out == 0.0 && p.heff == 0.0 && p.sigma == 0.0);
    tu_assert_rel(dwmtj_velocity_free(&d, 100e-6 / AREA), v_per_amp() * 100e-6, 1e-9);
    tu_assert_rel(d.f_mid[1], FMID, 1e-12);
    /* the cell's sense threshold: rth = R_mid + R3 (1 - alpha), alpha = R3/R_L */
    double alpha = (p.length - p.xb) / p.length;
    tu_assert_rel(alpha, 0.2, 1e-12);
    tu_assert_rel(R_MID + R3 * (1.0 - alpha), 15.2e3, 1e-12);
}
END_TEST

/* A constant 100 uA: the spikes at the hand-worked times (first one and
 * the period), each goes high then low, and a write follows each reset. */
START_TEST(spike_time_and_cycles)
{
    const double i = 100e-6, tstop = 20e-9;
    worked w = work(i);
    ngr_table t;
    run_ok(i, "", tstop, &t);
    double up[16], dn[16], wup[16], wdn[16], cup[16], cdn[16];
    int nup = ngr_crossings(&t, C_SPK, 0.5, 1, up, 16);
    int ndn = ngr_crossings(&t, C_SPK, 0.5, 0, dn, 16);
    int nwu = ngr_crossings(&t, C_WR, 0.5, 1, wup, 16);
    int nwd = ngr_crossings(&t, C_WR, 0.5, 0, wdn, 16);
    int ncu = ngr_crossings(&t, C_CLR, 0.5, 1, cup, 16);
    int ncd = ngr_crossings(&t, C_CLR, 0.5, 0, cdn, 16);
    /* hand-worked counts over the run: spikes at t_fire1 + k T, writes at
     * t_w0 and at each spike's fall + tclr */
    int nf_exp = 0, nw_exp = 1;
    for (int k = 0; w.t_fire1 + k * w.period < tstop; k++) {
        nf_exp++;
        if (w.t_fire1 + k * w.period + w.high + TCLR < tstop)
            nw_exp++;
    }
    fprintf(stderr, "cell 100 uA: first spike %.6g s (worked %.6g), period %.6g s (worked %.6g);"
            " %d spikes, %d writes\n", up[0], w.t_fire1, nup > 1 ? up[1] - up[0] : NAN,
            w.period, nup, nwu);
    ck_assert_int_ge(nf_exp, 3);
    ck_assert_int_eq(nup, nf_exp);
    ck_assert_int_eq(nwu, nw_exp);
    ck_assert_int_eq(nwu, nup + 1);
    /* the monitors count what the circuit did */
    ck_assert_int_eq((int)lround(last(&t, C_NF)), nup);
    int nw_done = 0; /* writes whose domain appeared (t_nuc in) within the run */
    for (int k = 0; k < nwu; k++)
        nw_done += wup[k] + T_NUC <= tstop;
    ck_assert_int_eq((int)lround(last(&t, C_NW)), nw_done);
    /* relative tolerance: the events (write start, nucleation, write end,
     * spike) are each located to within a step (2 ps) of ngspice's, the
     * motion between them is exact (one trapezoid per step of a constant
     * drive): 1e-3 of 3.7 ns is 3.7 ps, about two steps */
    tu_assert_rel(up[0], w.t_fire1, 1e-3);
    for (int k = 0; k + 1 < nup; k++)
        tu_assert_rel(up[k + 1] - up[k], w.period, 1e-3);
    /* high then low, for the hand-worked length */
    for (int k = 0; k < nup; k++) {
        ck_assert_msg(k < ndn && dn[k] > up[k], "spike %d does not fall", k);
        tu_assert_rel(dn[k] - up[k], w.high, 0.05); /* 0.24 ns: 2 steps are 1.7 % */
        if (k + 1 < nup)
            ck_assert(up[k + 1] > dn[k]);
    }
    /* the first write at tst, tw long; each later one follows a reset:
     * the clear starts at the spike's fall, the write at the clear's end */
    ck_assert_msg(fabs(wup[0] - w.t_w0) <= 2 * TMAX, "first write at %g s", wup[0]);
    ck_assert_int_eq(nwd, nwu - (wup[nwu - 1] + TW > tstop)); /* the last may run on */
    for (int k = 0; k < nwd; k++)
        ck_assert_msg(fabs(wdn[k] - wup[k] - TW) <= 2 * TMAX, "write %d lasts %g s", k,
                      wdn[k] - wup[k]);
    ck_assert_int_eq(ncu, nwu - 1);
    ck_assert_int_ge(ncd, ncu);
    for (int k = 0; k + 1 < nwu; k++) {
        ck_assert_msg(fabs(cup[k] - dn[k]) <= 2 * TMAX, "clear %d at %g s, reset at %g s", k,
                      cup[k], dn[k]);
        ck_assert_msg(fabs(cdn[k] - cup[k] - TCLR) <= 2 * TMAX, "clear %d lasts %g s", k,
                      cdn[k] - cup[k]);
        ck_assert_msg(fabs(wup[k + 1] - cdn[k]) <= 2 * TMAX, "write %d at %g s, clear ends %g s",
                      k + 1, wup[k + 1], cdn[k]);
    }
    ngr_table_free(&t);
}
END_TEST

/* The write's charge: -integral of i(vw) (the source's current, into its
 * + node) over the first write pulse.  By hand: i1 = VW/(RON + R1 + RP)
 * for t_nuc, then the tail's charge (write_tail): 1.5e-13 C + 1.6e-14 C.
 * Tolerance: the trapezoid over ngspice's points errs by at most half a
 * step times the jump at each of the three edges (start, nucleation,
 * end; jumps <= 150 uA): 3 * 0.5 * 2 ps * 150 uA = 4.5e-16 C, plus the
 * nucleation located within a step: 2 ps * 67 uA = 1.3e-16 C; 5.8e-16 C of
 * 1.66e-13 C is 0.35 %: asserted to 0.5 %. */
START_TEST(write_charge)
{
    ngr_table t;
    run_ok(100e-6, "", 2e-9, &t);
    double q = 0.0, c_end, q_tail;
    for (int r = 1; r < t.nrow; r++) {
        double t0 = NGR_AT(&t, r - 1, C_T), t1 = NGR_AT(&t, r, C_T);
        if (t1 > TST + TW + 0.1e-9)
            break;
        q -= 0.5 * (NGR_AT(&t, r - 1, C_IW) + NGR_AT(&t, r, C_IW)) * (t1 - t0);
    }
    write_tail(&c_end, &q_tail);
    double i1 = VW / (RON + R1 + RP), q_exp = i1 * T_NUC + q_tail;
    fprintf(stderr, "cell write: charge %.6g C (worked %.6g C: %.6g C before the domain, %.6g C"
            " after; tail ends at %.4g nm); i_nuc t_nuc = %.3g C\n", q, q_exp, i1 * T_NUC,
            q_tail, c_end * 1e9, I_NUC * T_NUC);
    tu_assert_rel(q, q_exp, 5e-3);
    ck_assert(q >= I_NUC * T_NUC);
    ck_assert(i1 >= I_NUC);
    /* bounds by the path's two resistances over the whole width */
    ck_assert(q <= VW / (RON + R1 + RP) * TW && q >= VW / (RON + R1 + RAP) * TW);
    /* the domain is written: one write, centre near the tail's end */
    ck_assert_int_eq((int)lround(last(&t, C_NW)), 1);
    ngr_table_free(&t);
}
END_TEST

/* The sense: spk high exactly while R_B (the monitor rb) is above its
 * midpoint, to a step: every row where they disagree is next to a row
 * where R_B's side changes, or is one where the blanked comparator fell
 * early: spk low with clr high, R_B above its midpoint and falling through
 * it within 5 ps (the fall of spk and the clear hold each other, a latch
 * that ngspice decides at its time point there: 0.8 ps early measured). */
START_TEST(sense_follows_rb)
{
    ngr_table t;
    run_ok(150e-6, "", 12e-9, &t);
    int nhigh = 0;
    for (int r = 0; r < t.nrow; r++) {
        int rb = NGR_AT(&t, r, C_RB) > R_MID, s = NGR_AT(&t, r, C_SPK) > 0.5;
        nhigh += rb;
        if (rb == s)
            continue;
        int edge = (r > 0 && (NGR_AT(&t, r - 1, C_RB) > R_MID) != rb) ||
                   (r + 1 < t.nrow && (NGR_AT(&t, r + 1, C_RB) > R_MID) != rb);
        if (!edge && rb && !s && NGR_AT(&t, r, C_CLR) > 0.5) {
            int q = r;
            while (q + 1 < t.nrow && NGR_AT(&t, q, C_RB) > R_MID)
                q++;
            edge = NGR_AT(&t, q, C_RB) <= R_MID && NGR_AT(&t, q, C_T) - NGR_AT(&t, r, C_T) < 5e-12;
        }
        ck_assert_msg(edge, "at %g s R_B = %g Ohm but spk = %g V", NGR_AT(&t, r, C_T),
                      NGR_AT(&t, r, C_RB), NGR_AT(&t, r, C_SPK));
    }
    ck_assert_int_gt(nhigh, 10);
    /* and at no other time: spk is 0 or vdd */
    for (int r = 0; r < t.nrow; r++) {
        double s = NGR_AT(&t, r, C_SPK);
        ck_assert_msg(fabs(s) < 1e-9 || fabs(s - 1.0) < 1e-9, "spk = %g V at %g s", s,
                      NGR_AT(&t, r, C_T));
    }
    ngr_table_free(&t);
}
END_TEST

/* The clamp: 300 uA in gives the spikes of 200 uA (= imax), at the
 * hand-worked times for 200 uA. */
START_TEST(clamp)
{
    ngr_table a, b;
    run_ok(300e-6, "", 8e-9, &a);
    run_ok(IMAX, "", 8e-9, &b);
    double ua[8], ub[8];
    int na = ngr_crossings(&a, C_SPK, 0.5, 1, ua, 8), nb = ngr_crossings(&b, C_SPK, 0.5, 1, ub, 8);
    worked w = work(IMAX);
    fprintf(stderr, "cell clamp: first spike %.6g s at 300 uA, %.6g s at 200 uA (worked %.6g)\n",
            na ? ua[0] : NAN, nb ? ub[0] : NAN, w.t_fire1);
    ck_assert_int_ge(na, 2);
    ck_assert_int_eq(na, nb);
    for (int k = 0; k < na; k++)
        ck_assert_msg(fabs(ua[k] - ub[k]) <= 2 * TMAX, "spike %d: %g s vs %g s", k, ua[k], ub[k]);
    tu_assert_rel(ub[0], w.t_fire1, 1e-3);
    /* and 300 uA with a larger clamp is faster: the clamp did act */
    ngr_table c;
    run_ok(300e-6, "imax=400u", 8e-9, &c);
    double uc[8];
    ck_assert_int_ge(ngr_crossings(&c, C_SPK, 0.5, 1, uc, 8), 1);
    tu_assert_rel(uc[0], work(300e-6).t_fire1, 1e-3);
    ck_assert(uc[0] < ub[0] - 0.2e-9);
    ngr_table_free(&a);
    ngr_table_free(&b);
    ngr_table_free(&c);
}
END_TEST

/* Bad cell parameters stop ngspice with the check's name in the error. */
START_TEST(bad_parameter)
{
    static const char *const bad[][2] = {
        { "tw=-1n", "rchk_tw_must_be_positive" },
        { "tclr=0", "rchk_tclr_must_be_positive" },
        { "vw=-1.5", "rchk_vw_must_be_positive" },
        { "imax=0", "rchk_imax_must_be_positive" },
        { "ird=-5u", "rchk_ird_must_be_positive" },
        { "alpha=1.2", "rchk_alpha_must_be_in_0_1" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        ngr_table t;
        char *out = NULL;
        int rc = run_cell(100e-6, bad[k][0], 2e-9, &t, &out);
        ck_assert_msg(rc != 0, "%s: ngspice ran", bad[k][0]);
        ck_assert_msg(out && strstr(out, bad[k][1]) != NULL, "%s: no %s in:\n%s", bad[k][0],
                      bad[k][1], ngr_tail(out));
        free(out);
        ngr_table_free(&t);
    }
}
END_TEST

/* The shipped demo, netlists/cell_demo.cir, runs as it is (its .include
 * made absolute, since it runs elsewhere): spikes in each input segment,
 * and in the last (300 uA, clamped to 200 uA) at the period worked for
 * 200 uA. */
START_TEST(demo_runs)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/netlists/cell_demo.cir", srcdir);
    char *text = ngr_read_file(path);
    ck_assert_ptr_nonnull(text);
    const char *inc = ".include cell_behavioural.lib";
    char *at = strstr(text, inc);
    ck_assert_ptr_nonnull(at);
    size_t n = strlen(text) + strlen(srcdir) + 64;
    char *net = malloc(n);
    ck_assert_ptr_nonnull(net);
    snprintf(net, n, "%.*s.include %s/netlists/cell_behavioural.lib%s", (int)(at - text), text,
             srcdir, at + strlen(inc));
    ngr_bin_result r;
    ck_assert_int_eq(ngr_bin_run(cm, net, "cell_demo.dat", 60.0, &r), 0);
    ck_assert_msg(r.exited && !strstr(r.out, "rror") && !strstr(r.out, "warning"),
                  "the demo did not run cleanly:\n%s", ngr_tail(r.out));
    int cs = ngr_column(r.header, "v(spk)");
    ck_assert_int_gt(cs, 0);
    double up[32];
    int nup = 0;
    for (int k = 1; k < r.data.nrow && nup < 32; k++)
        if (NGR_AT(&r.data, k - 1, cs) < 0.5 && NGR_AT(&r.data, k, cs) >= 0.5)
            up[nup++] = NGR_AT(&r.data, k, 0);
    int seg[3] = { 0, 0, 0 };
    for (int k = 0; k < nup; k++)
        seg[up[k] < 10e-9 ? 0 : up[k] < 20e-9 ? 1 : 2]++;
    fprintf(stderr, "cell demo: %d, %d, %d spikes at 60, 150, 300 uA\n", seg[0], seg[1], seg[2]);
    ck_assert(seg[0] >= 1 && seg[1] >= 2 && seg[2] >= 2);
    tu_assert_rel(up[nup - 1] - up[nup - 2], work(IMAX).period, 1e-3);
    ngr_bin_result_free(&r);
    free(net);
    free(text);
}
END_TEST

static Suite *cell_suite(void)
{
    Suite *s = suite_create("cell");
    TCase *tc = tcase_create("behavioural");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, set_is_as_worked);
    tcase_add_test(tc, spike_time_and_cycles);
    tcase_add_test(tc, write_charge);
    tcase_add_test(tc, sense_follows_rb);
    tcase_add_test(tc, clamp);
    tcase_add_test(tc, bad_parameter);
    tcase_add_test(tc, demo_runs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    cm = ngr_env_path("check_cell", "DWMTJ_CM", "", "the built dwmtj.cm");
    srcdir = cm ? ngr_env_path("check_cell", "DWMTJ_SRCDIR", "", "the source tree") : NULL;
    /* the tests run in a scratch directory: netlists may write files */
    int rc = cm && srcdir ? ngr_run_in_scratch(cell_suite) : EXIT_FAILURE;
    free(cm);
    free(srcdir);
    return rc;
}
