/* The KLU engine (dwmtj_engine.h): linear circuits against their
 * analytic answers, the time points and a neuron against the real
 * ngspice, the exact mode's switch instants, and its refusals. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dwmtj.h"
#include "dwmtj_engine.h"
#include "dwmtj_harness.h"

static dwmtj_circuit *parse_ok(const char *text)
{
    dwmtj_circuit *c = NULL;
    char *err = NULL;
    int rc = dwmtj_engine_parse("t.cir", text, &c, &err);
    ck_assert_msg(rc == DWMTJ_E_OK, "parse: %d %s", rc, err ? err : "");
    free(err);
    return c;
}

static const double *vec(const dwmtj_circuit *c, const char *name, int *n)
{
    const double *v = NULL;
    ck_assert_msg(dwmtj_engine_vector(c, name, &v, n) == DWMTJ_E_OK, "no vector %s", name);
    return v;
}

/* ---- linear circuits --------------------------------------------------- */

/* A divider behind a PWL source and a current-controlled source into a
 * resistor: v(o) = 2 i(vs) 1k at every point. */
START_TEST(test_divider_cccs)
{
    dwmtj_circuit *c = parse_ok("divider\n"
                                "v1 n1 0 pwl(0 0 1n 1 2n -0.5)\n"
                                "r1 n1 n2 1k\n"
                                "vs n2 n3 0\n"
                                "r2 n3 0 3k\n"
                                "bi 0 o i = 2*i(vs)\n"
                                "ro o 0 1k\n"
                                ".tran 0.1n 2n\n"
                                ".save v(n2) v(o)\n"
                                ".end\n");
    ck_assert_int_eq(dwmtj_engine_run(c), DWMTJ_E_OK);
    int nt, n2, no;
    const double *t = vec(c, "time", &nt), *v2 = vec(c, "v(n2)", &n2), *vo = vec(c, "v(o)", &no);
    ck_assert_int_eq(n2, nt);
    ck_assert_int_eq(no, nt);
    ck_assert_int_ge(nt, 21);
    for (int k = 0; k < nt; k++) {
        double v1 = t[k] <= 1e-9 ? t[k] / 1e-9 : 1.0 - 1.5 * (t[k] - 1e-9) / 1e-9;
        ck_assert_double_eq_tol(v2[k], 0.75 * v1, 1e-12);
        ck_assert_double_eq_tol(vo[k], 2.0 * v1 / 4e3 * 1e3, 1e-12);
    }
    dwmtj_engine_free(c);
}
END_TEST

/* Exact mode: a clamped mirror of a ramp has a point where the clamp
 * engages, t = 0.4 ns for a ramp 0 -> 1 mA over 1 ns clamped at 0.4 mA. */
START_TEST(test_exact_switch_points)
{
    dwmtj_circuit *c = parse_ok("clamp\n"
                                "v1 a 0 pwl(0 0 1n 1)\n"
                                "vs a b 0\n"
                                "r1 b 0 1k\n"
                                "bi 0 o i = max(min(1*i(vs), 0.4m), -0.4m)\n"
                                "ro o 0 1k\n"
                                ".tran 1n 1n\n"
                                ".end\n");
    ck_assert_int_eq(dwmtj_engine_set_steps(c, DWMTJ_E_STEPS_EXACT), DWMTJ_E_OK);
    ck_assert_int_eq(dwmtj_engine_run(c), DWMTJ_E_OK);
    int nt, no;
    const double *t = vec(c, "time", &nt), *vo = vec(c, "v(o)", &no);
    ck_assert_int_eq(nt, 3); /* 0, the switch, the end */
    ck_assert_double_eq_tol(t[1], 0.4e-9, 1e-21);
    ck_assert_double_eq_tol(vo[1], 0.4, 1e-12);
    ck_assert_double_eq_tol(vo[2], 0.4, 1e-12);
    dwmtj_engine_free(c);
}
END_TEST

/* ---- against ngspice --------------------------------------------------- */

/* A neuron behind a clamped mirror of a crossbar column, driven by pulse
 * trains (40 clock periods of 0.1 ns; input 0 on in most, input 1, which
 * drives it back, in a few); the same deck through ngspice and the
 * engine.  Into buf. */
static void neuron_deck(char *buf, size_t n, int noisy)
{
    enum { T = 40 };
    size_t k = 0;
    k += (size_t)snprintf(buf + k, n - k,
                          "neuron\n.model dwn dwmtj4t(set=\"scaled\" t_rewrite=1e-10 "
                          "monitors=\"nf:nw:e:x\" dx_max=1%s)\nvxb xb 0 pwl(0 0",
                          noisy ? " sigma=0.3 t_slot=1e-10 seed=5" : "");
    for (int e = 1; e <= T; e++)
        k += (size_t)snprintf(buf + k, n - k, " %de-11 0.1", 10 * e);
    k += (size_t)snprintf(buf + k, n - k, ")\nvx0 x0 0 pwl(0 0");
    for (int e = 1; e <= T; e++)
        k += (size_t)snprintf(buf + k, n - k, " %de-11 %s", 10 * e,
                              (e >= 2 && e <= 26) || (e >= 31 && e <= 38) ? "0.1" : "0");
    k += (size_t)snprintf(buf + k, n - k, ")\nvx1 x1 0 pwl(0 0");
    for (int e = 1; e <= T; e++)
        k += (size_t)snprintf(buf + k, n - k, " %de-11 %s", 10 * e,
                              e >= 27 && e <= 30 ? "0.1" : "0");
    snprintf(buf + k, n - k,
             ")\nrp0_0 x0 cp0 5e4\nrm0_0 x0 cm0 1e6\nrp0_1 x1 cp0 1e6\nrm0_1 x1 cm0 2e5\n"
             "rp0_2 xb cp0 1e6\nrm0_2 xb cm0 1e6\nvsp0 cp0 0 0\nvsm0 cm0 0 0\n"
             "bi0 0 in0 i = max(min(150*(i(vsp0)-i(vsm0)), 0.0002), -0.0002)\n"
             "an0 in0 0 na0 nb0 [m0_0 m0_1 m0_2 m0_3] dwn\n"
             ".tran 1e-10 4e-9 0 1e-10\n.options convabsstep=1e6\n"
             ".save v(m0_0) v(m0_1) v(m0_2) v(m0_3)\n.end\n");
}

/* _i = 0: deterministic; 1: sigma = 0.3, where the noise key (the terminal
 * node names, ground included) must be the code model's */
START_TEST(test_neuron_vs_ngspice)
{
    static char deck[16384];
    neuron_deck(deck, sizeof deck, _i);
    dwmtj_session *s = NULL;
    ck_assert_msg(dwmtj_session_open(&s, NULL) == DWMTJ_H_OK, "session: %s",
                  s ? dwmtj_session_error(s) : "?");
    ck_assert_msg(dwmtj_session_load(s, "neuron.cir", deck) == DWMTJ_H_OK, "%s",
                  dwmtj_session_error(s));
    ck_assert_msg(dwmtj_session_run(s, NULL, NULL, 60.0) == DWMTJ_H_OK, "%s",
                  dwmtj_session_error(s));
    dwmtj_circuit *c = parse_ok(deck);
    ck_assert_int_eq(dwmtj_engine_run(c), DWMTJ_E_OK);
    const double *tn, *te;
    int nn, ne;
    ck_assert_int_eq(dwmtj_session_vector(s, "time", &tn, &nn), DWMTJ_H_OK);
    te = vec(c, "time", &ne);
    /* ngspice's time-step control: the same points */
    ck_assert_int_eq(ne, nn);
    for (int k = 0; k < nn; k++)
        ck_assert_msg(fabs(te[k] - tn[k]) < 1e-4 * 1e-10, "point %d: engine %.9g, ngspice %.9g",
                      k, te[k], tn[k]);
    static const char *const mon[4] = { "v(m0_0)", "v(m0_1)", "v(m0_2)", "v(m0_3)" };
    for (int m = 0; m < 4; m++) {
        const double *a, *b;
        int na, nb;
        ck_assert_int_eq(dwmtj_session_vector(s, mon[m], &a, &na), DWMTJ_H_OK);
        b = vec(c, mon[m], &nb);
        ck_assert_int_eq(na, nb);
        for (int k = 0; k < na; k++) {
            /* counts exactly; energy and position to ngspice's Newton
             * tolerance (reltol 1e-3; the engine iterates to 1e-9) */
            double tol = m < 2 ? 1e-9 : 1e-3 * fmax(fabs(a[k]), 1e-3);
            ck_assert_msg(fabs(a[k] - b[k]) <= tol, "%s at t = %g: ngspice %.12g, engine %.12g",
                          mon[m], tn[k], a[k], b[k]);
        }
        if (m == 0)
            ck_assert_msg(a[na - 1] >= 1.0, "the deck should fire (fires %g)", a[na - 1]);
    }
    dwmtj_engine_free(c);
    dwmtj_session_close(s);
}
END_TEST

/* A warning of libdwmtj is recorded, not dropped: the clocked scaled
 * device with ms = 10k A/m (the low end of its range) crosses the track
 * within the first step after each clock edge but the first, whose
 * steps start small (the step limit only takes the domain
 * as it was at a step's start).  Engine and ngspice take the same time
 * points (the source's corners make the edges breakpoints of both; the
 * engine takes every clock edge for one, where ngspice has those that are
 * no corner only as the code model's temporary breakpoints) and count the
 * same fires; the engine counts a warning per cycle and names the device
 * with the first (issue 11, item 9). */
START_TEST(test_device_warning)
{
    static const char deck[] =
        "fast domain\n"
        "vin in 0 pwl(0 0.3 100n 0.3 200n 0.3 300n 0.3 400n 0.3 500n 0.3 600n 0.3 700n 0.3\n"
        "+ 800n 0.3 900n 0.3 1u 0.3)\n"
        "ra a 0 1meg\nrb b 0 1meg\n"
        "aneuron in 0 a b [m0 m1 m2] fast\n"
        ".model fast dwmtj4t(set=\"scaled\" t_rewrite=100n ms=10k monitors=\"nw:nf:nr\")\n"
        ".tran 10n 1u 0 10n\n"
        ".save v(m0) v(m1) v(m2)\n"
        ".end\n";
    dwmtj_session *s = NULL;
    ck_assert_msg(dwmtj_session_open(&s, NULL) == DWMTJ_H_OK, "session: %s",
                  s ? dwmtj_session_error(s) : "?");
    ck_assert_msg(dwmtj_session_load(s, "fast.cir", deck) == DWMTJ_H_OK, "%s",
                  dwmtj_session_error(s));
    ck_assert_msg(dwmtj_session_run(s, NULL, NULL, 60.0) == DWMTJ_H_OK, "%s",
                  dwmtj_session_error(s));
    dwmtj_circuit *c = parse_ok(deck);
    ck_assert_str_eq(dwmtj_engine_warning(c), "");
    ck_assert_int_eq(dwmtj_engine_run(c), DWMTJ_E_OK);
    dwmtj_engine_stats st;
    dwmtj_engine_get_stats(c, &st);
    ck_assert_int_eq(st.warnings, 9);
    const char *w = dwmtj_engine_warning(c);
    ck_assert_msg(strncmp(w, "aneuron: at t = ", 16) == 0 &&
                      strstr(w, dwmtj_status_string(DWMTJ_WARN_UNSEEN)),
                  "warning '%s'", w);
    const double *tn, *te, *fn, *fe;
    int nn, ne, nfn, nfe;
    ck_assert_int_eq(dwmtj_session_vector(s, "time", &tn, &nn), DWMTJ_H_OK);
    te = vec(c, "time", &ne);
    ck_assert_int_eq(ne, nn);
    for (int k = 0; k < nn; k++)
        ck_assert_msg(fabs(te[k] - tn[k]) <= 1e-9 * tn[k] + 1e-21,
                      "point %d: engine %.12g, ngspice %.12g", k, te[k], tn[k]);
    ck_assert_int_eq(dwmtj_session_vector(s, "v(m1)", &fn, &nfn), DWMTJ_H_OK);
    fe = vec(c, "v(m1)", &nfe);
    ck_assert_double_eq(fe[nfe - 1], 10.0);
    ck_assert_double_eq(fn[nfn - 1], 10.0);
    /* the sum of several runs' stats adds the warnings */
    dwmtj_engine_stats sum;
    memset(&sum, 0, sizeof sum);
    dwmtj_engine_stats_add(&sum, &st);
    dwmtj_engine_stats_add(&sum, &st);
    ck_assert_int_eq(sum.warnings, 18);
    /* a second run starts afresh */
    ck_assert_int_eq(dwmtj_engine_run(c), DWMTJ_E_OK);
    dwmtj_engine_get_stats(c, &st);
    ck_assert_int_eq(st.warnings, 9);
    dwmtj_engine_free(c);
    dwmtj_session_close(s);
}
END_TEST

/* ---- the thermal model ---------------------------------------------------- */

/* The circuit's temperature reaches the device as in the code model: the
 * device temperature monitor at t = 0 (zero drive: the ambient) reads
 * .temp, else .options temp, else 27 C; ngspice takes .temp over .options
 * temp whatever their order, and .temp=T; a card's temp overrides them.
 * Each against libngspice on the same deck, and the value. */
START_TEST(test_temperature)
{
    static const struct {
        const char *card, *temp;
        double want; /* K */
    } tc[] = {
        { "", ".temp 100", 373.15 },
        { "", ".options temp=50", 323.15 },
        { "", "* none", 300.15 },
        { " temp=350", ".temp 100\n.options temp=50", 350.0 },
        { "", ".temp 100\n.options temp=50", 373.15 },
        { "", ".options temp=50\n.temp=100", 373.15 },
    };
    char deck[1024];
    snprintf(deck, sizeof deck,
             "device temperature\n"
             "v1 in 0 pwl(0 0 10n 0)\n"
             "ra a 0 100k\nrb b 0 100k\n"
             "aneuron in 0 a b [m0] hot\n"
             ".model hot dwmtj4t(set=\"proto\" monitors=\"t\"%s)\n"
             "%s\n"
             ".tran 1n 10n\n"
             ".save v(m0)\n"
             ".end\n",
             tc[_i].card, tc[_i].temp);
    dwmtj_circuit *c = parse_ok(deck);
    ck_assert_int_eq(dwmtj_engine_run(c), DWMTJ_E_OK);
    int n;
    const double *t = vec(c, "v(m0)", &n);
    ck_assert_msg(n > 1 && fabs(t[0] - tc[_i].want) <= 1e-9 * tc[_i].want,
                  "\"%s\"%s: the engine's device at %.6f K, want %.6f K", tc[_i].temp,
                  tc[_i].card, n > 0 ? t[0] : NAN, tc[_i].want);
    dwmtj_session *s = NULL;
    ck_assert_msg(dwmtj_session_open(&s, NULL) == DWMTJ_H_OK, "session: %s",
                  s ? dwmtj_session_error(s) : "?");
    ck_assert_msg(dwmtj_session_load(s, "temp.cir", deck) == DWMTJ_H_OK, "%s",
                  dwmtj_session_error(s));
    ck_assert_msg(dwmtj_session_run(s, NULL, NULL, 60.0) == DWMTJ_H_OK, "%s",
                  dwmtj_session_error(s));
    const double *tn;
    int nn;
    ck_assert_int_eq(dwmtj_session_vector(s, "v(m0)", &tn, &nn), DWMTJ_H_OK);
    ck_assert_msg(nn > 1 && fabs(tn[0] - t[0]) <= 1e-9 * t[0],
                  "\"%s\"%s: ngspice's device at %.6f K, the engine's %.6f K", tc[_i].temp,
                  tc[_i].card, nn > 0 ? tn[0] : NAN, t[0]);
    dwmtj_session_close(s);
    dwmtj_engine_free(c);
}
END_TEST

/* The safe operating area: two 1 ns pulses of 5 V across the proto track
 * (3.6e12 A/m^2 through it, above j_max = 3e12 A/m^2; the temperature
 * stays below t_max) are two entries: two warnings counted, nsoa = 2,
 * and the warning names the instance, the quantity, its value, the limit
 * and a time within the first pulse. */
START_TEST(test_soa_warning)
{
    static const char deck[] =
        "past the current limit\n"
        "v1 in 0 pwl(0 0 10n 0 10.1n 5 11.1n 5 11.2n 0 30n 0 30.1n 5 31.1n 5 31.2n 0 50n 0)\n"
        "ra a 0 100k\nrb b 0 100k\n"
        "aneuron in 0 a b [m0 m1] hot\n"
        ".model hot dwmtj4t(set=\"proto\" monitors=\"nsoa:t\")\n"
        ".tran 0.05n 50n 0 0.05n\n"
        ".save v(m0) v(m1)\n"
        ".end\n";
    dwmtj_circuit *c = parse_ok(deck);
    ck_assert_int_eq(dwmtj_engine_run(c), DWMTJ_E_OK);
    int n, nt;
    const double *ns = vec(c, "v(m0)", &n), *tk = vec(c, "v(m1)", &nt);
    double t_top = 0.0;
    for (int k = 0; k < nt; k++)
        t_top = fmax(t_top, tk[k]);
    dwmtj_params p;
    ck_assert_int_eq(dwmtj_params_set(&p, "proto"), DWMTJ_OK);
    ck_assert_msg(t_top < p.t_max, "the deck should pass j_max only: %g K", t_top);
    ck_assert_double_eq(ns[n - 1], 2.0);
    dwmtj_engine_stats st;
    dwmtj_engine_get_stats(c, &st);
    ck_assert_int_eq(st.warnings, 2);
    const char *w = dwmtj_engine_warning(c);
    const char *want = "aneuron: at t = ";
    double at = 0.0, value = 0.0;
    const char *q = strstr(w, "track current density ");
    ck_assert_msg(strncmp(w, want, strlen(want)) == 0 && sscanf(w + strlen(want), "%lg", &at) == 1 &&
                      strstr(w, dwmtj_status_string(DWMTJ_WARN_SOA)) && q &&
                      sscanf(q, "track current density %lg A/m^2 above its limit 3e+12 A/m^2",
                             &value) == 1,
                  "warning '%s'", w);
    double j_top = 5.0 / (p.rho * p.length) * 1.02; /* the MTJs' leakage adds < 2 % */
    ck_assert_msg(value > p.j_max && value < j_top && at >= 10e-9 && at <= 11.2e-9,
                  "warning '%s'", w);
    dwmtj_engine_free(c);
}
END_TEST

/* ---- refusals ------------------------------------------------------------ */

static void parse_fails(const char *text, int status, const char *needle)
{
    dwmtj_circuit *c = NULL;
    char *err = NULL;
    int rc = dwmtj_engine_parse("bad.cir", text, &c, &err);
    ck_assert_msg(rc == status, "status %d, wanted %d (%s)", rc, status, err ? err : "");
    ck_assert_ptr_null(c);
    ck_assert_msg(err && strstr(err, needle), "message '%s' lacks '%s'", err ? err : "", needle);
    free(err);
}

START_TEST(test_refusals)
{
    parse_fails("t\nv1 a 0 1\nc1 a 0 1p\n.tran 1n 10n\n.end\n", DWMTJ_E_ERR_UNSUPPORTED,
                "bad.cir:3: capacitor c1 at node a: the node is also on voltage source v1");
    parse_fails("t\nv1 a 0 1\nc1 a 0 1p\n.tran 1n 10n\n.end\n", DWMTJ_E_ERR_UNSUPPORTED,
                "--backend ngspice");
    parse_fails("t\nv1 a 0 sin(0 1 1g)\nr1 a 0 1k\n.tran 1n 10n\n.end\n",
                DWMTJ_E_ERR_UNSUPPORTED, "voltage source v1");
    parse_fails("t\nv1 a 0 1\nr1 a 0 1k\n.end\n", DWMTJ_E_ERR_SYNTAX, "no .tran");
    parse_fails("t\nv1 a 0 1\nvs a b 0\nr1 b 0 1k\nbi 0 o i = i(vs)*i(vs)\nro o 0 1k\n"
                ".tran 1n 10n\n.end\n",
                DWMTJ_E_ERR_UNSUPPORTED, "B source bi");
    parse_fails("t\nv1 a 0 1\nr1 a 0 1k\nbi 0 o i = i(vnone)\nro o 0 1k\n.tran 1n 10n\n.end\n",
                DWMTJ_E_ERR_UNSUPPORTED, "unknown voltage source");
    parse_fails("t\nr1 a 0 -1k\n.tran 1n 10n\n.end\n", DWMTJ_E_ERR_SYNTAX, "resistor r1");
    parse_fails("t\n.model d dwmtj4t(set=\"scaled\" xb=-1)\nbi 0 in i = 0\n"
                "a1 in 0 na nb NULL d\n.tran 1n 10n\n.end\n",
                DWMTJ_E_ERR_PARAM, "invalid parameter xb");
    parse_fails("t\n.model d dwmtj4t(set=\"scaled\" monitors=\"nf:zz\")\nbi 0 in i = 0\n"
                "a1 in 0 na nb NULL d\n.tran 1n 10n\n.end\n",
                DWMTJ_E_ERR_PARAM, "monitors");
    parse_fails("t\n.model d r(r=1)\nbi 0 in i = 0\na1 in 0 na nb NULL d\n.tran 1n 10n\n.end\n",
                DWMTJ_E_ERR_UNSUPPORTED, "A element a1");
    parse_fails("t\nv1 a 0 1\nr1 a 0 1k\n.tran 1n 10n\n.save v(zz)\n.end\n",
                DWMTJ_E_ERR_VECTOR, "v(zz)");
    /* ngspice would run at 27 C with a warning */
    parse_fails("t\nv1 a 0 1\nr1 a 0 1k\n.temp 100 150\n.tran 1n 10n\n.end\n",
                DWMTJ_E_ERR_SYNTAX, "bad.cir:4: card .temp 100 150: the temperature is not a number");
}
END_TEST

/* Values that are not numbers are errors, not a clamp or a run that
 * "works" (issue 11, item 11): a NaN drive passed min()/max() as their
 * other operand, an infinite DC value and i(v)/0 ran. */
static dwmtj_circuit *run_fails(const char *text, int status, const char *needle)
{
    dwmtj_circuit *c = parse_ok(text);
    int rc = dwmtj_engine_run(c);
    ck_assert_msg(rc == status, "run status %d, wanted %d (%s)", rc, status,
                  dwmtj_engine_error(c));
    ck_assert_msg(strstr(dwmtj_engine_error(c), needle), "message '%s' lacks '%s'",
                  dwmtj_engine_error(c), needle);
    return c;
}

START_TEST(test_not_finite)
{
    static const char clamp[] =
        "t\nv1 a 0 1\nvs a b 0\nr1 b 0 1k\n"
        "bi 0 o i = max(min(i(vs)/0 - i(vs)/0, 1m), -1m)\nro o 0 1k\n.tran 1n 10n\n.end\n";
    dwmtj_engine_free(run_fails(clamp, DWMTJ_E_ERR_VALUE, "B source bi: its current is nan"));
    dwmtj_engine_free(run_fails("t\nv1 a 0 1\nvs a b 0\nr1 b 0 1k\nbi 0 o i = i(vs)/0\n"
                                "ro o 0 1k\n.tran 1n 10n\n.end\n",
                                DWMTJ_E_ERR_VALUE, "B source bi: its current is inf"));
    parse_fails("t\nv1 a 0 1e400\nr1 a 0 1k\n.tran 1n 10n\n.end\n", DWMTJ_E_ERR_SYNTAX,
                "voltage source v1: DC value inf is not finite");
    parse_fails("t\nv1 a 0 pwl(0 0 1n 1e999)\nr1 a 0 1k\n.tran 1n 10n\n.end\n",
                DWMTJ_E_ERR_SYNTAX, "PWL point 1");
    parse_fails("t\nv1 a 0 1\nr1 a 0 1e999\n.tran 1n 10n\n.end\n", DWMTJ_E_ERR_SYNTAX,
                "resistor r1");
}
END_TEST

/* Work that would not end, or not fit, is refused with the reason (item
 * 14): a .tran step of 1e-300 s, a stop time of 1e400 s, a write clock of
 * 5e-324 s, a 200,000-deep expression, and the wall-clock limit. */
START_TEST(test_bounded_work)
{
    dwmtj_engine_free(run_fails("t\nv1 a 0 1\nr1 a 0 1k\n.tran 1e-300 1e-9\n.end\n",
                                DWMTJ_E_ERR_LIMIT, "time points"));
    parse_fails("t\nv1 a 0 1\nr1 a 0 1k\n.tran 1e-10 1e400\n.end\n", DWMTJ_E_ERR_SYNTAX,
                "TSTOP must be finite");
    dwmtj_engine_free(run_fails("t\n.model d dwmtj4t(set=\"scaled\" t_rewrite=5e-324)\n"
                                "bi 0 in i = 0\na1 in 0 na nb NULL d\n.tran 1n 10n\n.end\n",
                                DWMTJ_E_ERR_LIMIT, "time points"));
    enum { DEEP = 200000 };
    char *deep = malloc(2 * DEEP + 256);
    ck_assert_ptr_nonnull(deep);
    char *p = deep + sprintf(deep, "t\nv1 a 0 1\nvs a b 0\nr1 b 0 1k\nbi 0 o i = ");
    for (int k = 0; k < DEEP; k++)
        *p++ = '(';
    p += sprintf(p, "i(vs)");
    for (int k = 0; k < DEEP; k++)
        *p++ = ')';
    sprintf(p, "\nro o 0 1k\n.tran 1n 10n\n.end\n");
    parse_fails(deep, DWMTJ_E_ERR_UNSUPPORTED, "nested deeper than 256");
    free(deep);
    /* the wall clock: a long run stops at its limit */
    dwmtj_circuit *c = parse_ok("t\nv1 a 0 1\nr1 a 0 1k\n.tran 1e-12 5e-6\n.end\n");
    ck_assert_int_eq(dwmtj_engine_set_limits(c, DWMTJ_E_MAX_POINTS, 0.05), DWMTJ_E_OK);
    int rc = dwmtj_engine_run(c);
    ck_assert_msg(rc == DWMTJ_E_ERR_TIMEOUT, "status %d: %s", rc, dwmtj_engine_error(c));
    ck_assert(strstr(dwmtj_engine_error(c), "time limit of 0.05 s"));
    /* a bound set by the caller */
    ck_assert_int_eq(dwmtj_engine_set_limits(c, 100, 0.0), DWMTJ_E_OK);
    ck_assert_int_eq(dwmtj_engine_run(c), DWMTJ_E_ERR_LIMIT);
    ck_assert_int_eq(dwmtj_engine_set_limits(c, 1, 0.0), DWMTJ_E_ERR_USAGE);
    ck_assert_str_eq(dwmtj_engine_status_string(DWMTJ_E_ERR_LIMIT),
                     "the run would exceed a bound on its work");
    dwmtj_engine_free(c);
}
END_TEST

/* A B source in a group with no path to ground is found when the Newton
 * matrix is factored; an ill-conditioned crossbar is refused by rcond. */
START_TEST(test_singular_run)
{
    dwmtj_circuit *c = NULL;
    char *err = NULL;
    int rc = dwmtj_engine_parse("t.cir", "t\nv1 a 0 1\nr1 a 0 1k\nr8 n m 1\nr9 m 0 1e30\n"
                                ".tran 1n 2n\n.end\n", &c, &err);
    /* n and m hang on 1e30 ohm: after row scaling a pivot of 1e-30, which
     * rounds to zero (singular) or nearly (ill-conditioned) */
    ck_assert_msg(rc == DWMTJ_E_ERR_SINGULAR, "status %d (%s)", rc, err ? err : "");
    ck_assert_msg(err && (strstr(err, "unknown m") || strstr(err, "unknown n")), "%s",
                  err ? err : "");
    free(err);
    err = NULL;
    c = NULL;
    rc = dwmtj_engine_parse("t.cir", "t\nv1 a 0 1\nr1 a 0 1k\nbi 0 fl i = 1m\nr5 fl g2 1k\n"
                            ".tran 1n 2n\n.end\n", &c, &err);
    ck_assert_int_eq(rc, DWMTJ_E_OK);
    rc = dwmtj_engine_run(c);
    ck_assert_int_eq(rc, DWMTJ_E_ERR_SINGULAR);
    ck_assert_msg(strstr(dwmtj_engine_error(c), "fl") || strstr(dwmtj_engine_error(c), "g2"),
                  "%s", dwmtj_engine_error(c));
    double tt[2] = { 0.0, 1e-9 }, vv[2] = { 0.0, NAN };
    ck_assert_int_eq(dwmtj_engine_set_pwl(c, "v1", 2, tt, vv), DWMTJ_E_ERR_USAGE);
    ck_assert_msg(strstr(dwmtj_engine_error(c), "v1"), "%s", dwmtj_engine_error(c));
    vv[1] = 1.0;
    tt[1] = 0.0;
    ck_assert_int_eq(dwmtj_engine_set_pwl(c, "v1", 2, tt, vv), DWMTJ_E_ERR_USAGE);
    ck_assert_int_eq(dwmtj_engine_set_pwl(c, "vnone", 2, tt, vv), DWMTJ_E_ERR_VECTOR);
    dwmtj_engine_free(c);
    free(err);
    dwmtj_engine_free(NULL);
}
END_TEST

static Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("linear");
    tcase_add_test(tc, test_divider_cccs);
    tcase_add_test(tc, test_exact_switch_points);
    suite_add_tcase(s, tc);
    tc = tcase_create("ngspice");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_neuron_vs_ngspice, 0, 2);
    tcase_add_test(tc, test_device_warning);
    tcase_add_loop_test(tc, test_temperature, 0, 6);
    tcase_add_test(tc, test_soa_warning);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_singular_run);
    tcase_add_test(tc, test_not_finite);
    tcase_add_test(tc, test_bounded_work);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(engine_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
