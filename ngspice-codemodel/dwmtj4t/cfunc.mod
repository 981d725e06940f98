/* dwmtj4t: XSPICE adapter over libdwmtj.  Parameters in, library calls,
 * port currents and analytic partials out.  State lives in cm_analog_alloc
 * storage so a rejected step rolls back; derived constants in STATIC_VAR
 * inst, freed by the destroy callback. */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dwmtj.h"
#include "ngspice/cktdefs.h"

enum { STATE_TAG = 0 };

typedef struct {
    dwmtj_derived d;  /* derived constants of this instance */
    uint64_t key;     /* noise key: hash of the instance's terminal nodes */
    int status;       /* dwmtj status of the parameters; < 0 stops the run */
    unsigned warned;  /* bit s set: warning status s was printed */
    int long_told;    /* 1 once a refused long step was printed */
    int n_sel;        /* monitors on port mon */
    int sel[DWMTJ_NMON]; /* their indices (dwmtj_monitor) */
} dwmtj4t_inst;

/* The monitors parameter: names separated by colons (a .model card
 * splits a quoted value at blanks), commas or blanks; "all" or
 * none = all in table order.  Returns 0, or -1 naming the bad name. */
static int select_monitors(ARGS, dwmtj4t_inst *in)
{
    const char *list = PARAM_NULL(monitors) ? NULL : PARAM(monitors);
    int bad = 0, bad_len = 0;
    in->n_sel = dwmtj_monitor_select(list, in->sel, &bad, &bad_len);
    if (in->n_sel < 0) {
        char names[256] = "";
        for (int k = 0; dwmtj_monitor_name(k); k++) {
            strncat(names, k ? " " : "", sizeof names - strlen(names) - 1);
            strncat(names, dwmtj_monitor_name(k), sizeof names - strlen(names) - 1);
        }
        cm_message_printf("dwmtj4t: invalid parameter monitors = \"%s\": unknown or "
                          "repeated name \"%.*s\" (names: %s); simulation stopped", list,
                          bad_len, list + bad, names);
        return -1;
    }
    return 0;
}

static void cm_dwmtj4t_callback(ARGS, Mif_Callback_Reason_t reason)
{
    if (reason == MIF_CB_DESTROY) {
        free(STATIC_VAR(inst));
        STATIC_VAR(inst) = NULL;
    }
}

/* The named set, then every parameter the .model card gives. */
static int read_params(ARGS, dwmtj_params *p)
{
    int st = dwmtj_params_set(p, PARAM_NULL(set) ? "proto" : PARAM(set));
    if (st != DWMTJ_OK)
        return st;
    if (!PARAM_NULL(seed) && (st = dwmtj_param_set_by_name(p, "seed", PARAM(seed))) != DWMTJ_OK)
        return st; /* DWMTJ_ERR_SEED: not an integer in 0..2^53 */
    if (!PARAM_NULL(length)) p->length = PARAM(length);
    if (!PARAM_NULL(width)) p->width = PARAM(width);
    if (!PARAM_NULL(thick)) p->thick = PARAM(thick);
    if (!PARAM_NULL(xa)) p->xa = PARAM(xa);
    if (!PARAM_NULL(la)) p->la = PARAM(la);
    if (!PARAM_NULL(xb)) p->xb = PARAM(xb);
    if (!PARAM_NULL(lb)) p->lb = PARAM(lb);
    if (!PARAM_NULL(ms)) p->ms = PARAM(ms);
    if (!PARAM_NULL(pol)) p->pol = PARAM(pol);
    if (!PARAM_NULL(alpha)) p->alpha = PARAM(alpha);
    if (!PARAM_NULL(dw_width)) p->dw_width = PARAM(dw_width);
    if (!PARAM_NULL(heff)) p->heff = PARAM(heff);
    if (!PARAM_NULL(eta)) p->eta = PARAM(eta);
    if (!PARAM_NULL(rho)) p->rho = PARAM(rho);
    if (!PARAM_NULL(rp_a)) p->rp_a = PARAM(rp_a);
    if (!PARAM_NULL(rap_a)) p->rap_a = PARAM(rap_a);
    if (!PARAM_NULL(rp_b)) p->rp_b = PARAM(rp_b);
    if (!PARAM_NULL(rap_b)) p->rap_b = PARAM(rap_b);
    if (!PARAM_NULL(i_nuc)) p->i_nuc = PARAM(i_nuc);
    if (!PARAM_NULL(t_nuc)) p->t_nuc = PARAM(t_nuc);
    if (!PARAM_NULL(l_nuc)) p->l_nuc = PARAM(l_nuc);
    if (!PARAM_NULL(j_pin_w)) p->j_pin_w = PARAM(j_pin_w);
    if (!PARAM_NULL(j_pin_t0)) p->j_pin_t0 = PARAM(j_pin_t0);
    if (!PARAM_NULL(j_pin_t1)) p->j_pin_t1 = PARAM(j_pin_t1);
    if (!PARAM_NULL(j_pin_r)) p->j_pin_r = PARAM(j_pin_r);
    if (!PARAM_NULL(j_pin_out)) p->j_pin_out = PARAM(j_pin_out);
    if (!PARAM_NULL(pin_width)) p->pin_width = PARAM(pin_width);
    if (!PARAM_NULL(sigma)) p->sigma = PARAM(sigma);
    if (!PARAM_NULL(t_slot)) p->t_slot = PARAM(t_slot);
    if (!PARAM_NULL(dx_max)) p->dx_max = PARAM(dx_max);
    if (!PARAM_NULL(t_rewrite)) p->t_rewrite = PARAM(t_rewrite);
    if (!PARAM_NULL(model)) p->model = PARAM(model);
    if (!PARAM_NULL(temp)) p->temp = PARAM(temp);
    if (!PARAM_NULL(r_th)) p->r_th = PARAM(r_th);
    if (!PARAM_NULL(c_th)) p->c_th = PARAM(c_th);
    if (!PARAM_NULL(t_curie)) p->t_curie = PARAM(t_curie);
    if (!PARAM_NULL(v_bd)) p->v_bd = PARAM(v_bd);
    if (!PARAM_NULL(j_max)) p->j_max = PARAM(j_max);
    if (!PARAM_NULL(t_max)) p->t_max = PARAM(t_max);
    if (!PARAM_NULL(v_h)) p->v_h = PARAM(v_h);
    if (!PARAM_NULL(jc_a1)) p->jc_a1 = PARAM(jc_a1);
    if (!PARAM_NULL(jc_a2)) p->jc_a2 = PARAM(jc_a2);
    if (!PARAM_NULL(jc_b1)) p->jc_b1 = PARAM(jc_b1);
    if (!PARAM_NULL(jc_b2)) p->jc_b2 = PARAM(jc_b2);
    if (!PARAM_NULL(eb_edge)) p->eb_edge = PARAM(eb_edge);
    if (!PARAM_NULL(a_trk)) p->a_trk = PARAM(a_trk);
    if (!PARAM_NULL(jc_trk)) p->jc_trk = PARAM(jc_trk);
    if (!PARAM_NULL(eb_trk)) p->eb_trk = PARAM(eb_trk);
    if (!PARAM_NULL(n_pin)) p->n_pin = PARAM(n_pin);
    if (!PARAM_NULL(f0)) p->f0 = PARAM(f0);
    if (!PARAM_NULL(w_pin)) p->w_pin = PARAM(w_pin);
    if (!PARAM_NULL(i_c0)) p->i_c0 = PARAM(i_c0);
    if (!PARAM_NULL(eb_wr)) p->eb_wr = PARAM(eb_wr);
    if (!PARAM_NULL(dev_seed)) p->dev_seed = PARAM(dev_seed);
    if (!PARAM_NULL(var_jc)) p->var_jc = PARAM(var_jc);
    if (!PARAM_NULL(var_x)) p->var_x = PARAM(var_x);
    if (!PARAM_NULL(var_r)) p->var_r = PARAM(var_r);
    if (!PARAM_NULL(var_tmr)) p->var_tmr = PARAM(var_tmr);
    if (!PARAM_NULL(var_rho)) p->var_rho = PARAM(var_rho);
    /* the circuit's temperature (.temp, .options temp) when the card sets none */
    dwmtj_set_ambient(p, TEMPERATURE + 273.15);
    return dwmtj_params_check(p);
}

/* Noise key from the four terminal node names: instances on different
 * nodes draw different noise, and a run is reproducible from its netlist. */
static uint64_t node_key(void)
{
    static const char *const ports[4] = { "in", "gnd", "a", "b" };
    const char *node[4];
    for (int k = 0; k < 4; k++)
        node[k] = cm_get_node_name(ports[k], 0);
    return dwmtj_noise_key(node);
}

static void report(ARGS, int status, const dwmtj_params *p)
{
    const char *name = dwmtj_status_param(status);
    double value = 0.0;
    if (status == DWMTJ_ERR_SET)
        cm_message_printf("dwmtj4t: invalid parameter set = \"%s\": %s; simulation stopped",
                          PARAM(set), dwmtj_status_string(status));
    else if (status == DWMTJ_ERR_SEED)
        cm_message_printf("dwmtj4t: invalid parameter seed = %.16g: %s; simulation stopped",
                          PARAM(seed), dwmtj_status_string(status));
    else if (name && dwmtj_param_get_by_name(p, name, &value) == DWMTJ_OK)
        cm_message_printf("dwmtj4t: invalid parameter %s = %g: %s; simulation stopped",
                          name, value, dwmtj_status_string(status));
    else
        cm_message_printf("dwmtj4t: invalid parameters: %s; simulation stopped",
                          dwmtj_status_string(status));
}

/* A warning of the library, once per instance and status; ngspice's
 * message names the instance.  A parameter warning names the parameter. */
static void warn(dwmtj4t_inst *in, int status, double t, const dwmtj_params *p,
                 const dwmtj_state *s)
{
    if (status <= 0 || status >= 32 || (in->warned >> status & 1u) ||
        status == DWMTJ_WARN_RANGE) /* said by warn_range, parameter by parameter */
        return;
    in->warned |= 1u << status;
    const char *unit = "";
    const char *what = s ? dwmtj_soa_string(s->soa_what, &unit) : NULL;
    if (status == DWMTJ_WARN_SOA && what) {
        cm_message_printf("dwmtj4t warning: %s: %s %g %s above its limit %g %s at t = %g s "
                          "(said once per instance; monitor nsoa counts every time)",
                          dwmtj_status_string(status), what, s->soa_value, unit,
                          dwmtj_soa_limit(&in->d, s->soa_what), unit, s->soa_t);
        return;
    }
    const char *name = p ? dwmtj_status_param(status) : NULL;
    double value = 0.0;
    if (name && dwmtj_param_get_by_name(p, name, &value) == DWMTJ_OK)
        cm_message_printf("dwmtj4t warning: parameter %s = %g: %s", name, value,
                          dwmtj_status_string(status));
    else
        cm_message_printf("dwmtj4t warning: t = %g s: %s (said once per instance)", t,
                          dwmtj_status_string(status));
}

/* Every parameter outside the range of a physical device, once; but the
 * one the parameter warning status already named. */
static void warn_range(const dwmtj_params *p, int status)
{
    int k = 0;
    double v, lo, hi;
    const char *unit, *name, *said = status > 0 ? dwmtj_status_param(status) : NULL;
    while ((name = dwmtj_param_implausible(p, &k, &v, &lo, &hi, &unit)))
        if (!said || strcmp(name, said) != 0)
            cm_message_printf("dwmtj4t warning: parameter %s = %g %s: outside %g..%g %s, the range "
                          "of a physical device (a SPICE suffix? M is milli, MEG mega)",
                          name, v, unit, lo, hi, unit);
}

static void set_monitors(ARGS, const dwmtj4t_inst *in, const dwmtj_state *s)
{
    if (PORT_NULL(mon))
        return;
    int n = PORT_SIZE(mon) < in->n_sel ? PORT_SIZE(mon) : in->n_sel;
    for (int k = 0; k < n; k++) {
        OUTPUT(mon[k]) = dwmtj_monitor(&in->d, s, in->sel[k]);
        PARTIAL(mon[k], in) = 0.0;
        PARTIAL(mon[k], gnd) = 0.0;
        PARTIAL(mon[k], a) = 0.0;
        PARTIAL(mon[k], b) = 0.0;
    }
    for (int k = n; k < PORT_SIZE(mon); k++) { /* more nodes than monitors */
        OUTPUT(mon[k]) = 0.0;
        PARTIAL(mon[k], in) = 0.0;
        PARTIAL(mon[k], gnd) = 0.0;
        PARTIAL(mon[k], a) = 0.0;
        PARTIAL(mon[k], b) = 0.0;
    }
}

/* Terminal currents and d i / d v for the four ports, from row k of g. */
static void set_ports(ARGS, const double i[DWMTJ_NTERM],
                      double g[DWMTJ_NTERM][DWMTJ_NTERM])
{
    OUTPUT(in) = i[DWMTJ_IN];
    OUTPUT(gnd) = i[DWMTJ_GND];
    OUTPUT(a) = i[DWMTJ_A];
    OUTPUT(b) = i[DWMTJ_B];
    PARTIAL(in, in) = g[DWMTJ_IN][DWMTJ_IN];
    PARTIAL(in, gnd) = g[DWMTJ_IN][DWMTJ_GND];
    PARTIAL(in, a) = g[DWMTJ_IN][DWMTJ_A];
    PARTIAL(in, b) = g[DWMTJ_IN][DWMTJ_B];
    PARTIAL(gnd, in) = g[DWMTJ_GND][DWMTJ_IN];
    PARTIAL(gnd, gnd) = g[DWMTJ_GND][DWMTJ_GND];
    PARTIAL(gnd, a) = g[DWMTJ_GND][DWMTJ_A];
    PARTIAL(gnd, b) = g[DWMTJ_GND][DWMTJ_B];
    PARTIAL(a, in) = g[DWMTJ_A][DWMTJ_IN];
    PARTIAL(a, gnd) = g[DWMTJ_A][DWMTJ_GND];
    PARTIAL(a, a) = g[DWMTJ_A][DWMTJ_A];
    PARTIAL(a, b) = g[DWMTJ_A][DWMTJ_B];
    PARTIAL(b, in) = g[DWMTJ_B][DWMTJ_IN];
    PARTIAL(b, gnd) = g[DWMTJ_B][DWMTJ_GND];
    PARTIAL(b, a) = g[DWMTJ_B][DWMTJ_A];
    PARTIAL(b, b) = g[DWMTJ_B][DWMTJ_B];
}

static void set_ac(ARGS, double g[DWMTJ_NTERM][DWMTJ_NTERM])
{
    Complex_t c;
    c.imag = 0.0;
    c.real = g[DWMTJ_IN][DWMTJ_IN]; AC_GAIN(in, in) = c;
    c.real = g[DWMTJ_IN][DWMTJ_GND]; AC_GAIN(in, gnd) = c;
    c.real = g[DWMTJ_IN][DWMTJ_A]; AC_GAIN(in, a) = c;
    c.real = g[DWMTJ_IN][DWMTJ_B]; AC_GAIN(in, b) = c;
    c.real = g[DWMTJ_GND][DWMTJ_IN]; AC_GAIN(gnd, in) = c;
    c.real = g[DWMTJ_GND][DWMTJ_GND]; AC_GAIN(gnd, gnd) = c;
    c.real = g[DWMTJ_GND][DWMTJ_A]; AC_GAIN(gnd, a) = c;
    c.real = g[DWMTJ_GND][DWMTJ_B]; AC_GAIN(gnd, b) = c;
    c.real = g[DWMTJ_A][DWMTJ_IN]; AC_GAIN(a, in) = c;
    c.real = g[DWMTJ_A][DWMTJ_GND]; AC_GAIN(a, gnd) = c;
    c.real = g[DWMTJ_A][DWMTJ_A]; AC_GAIN(a, a) = c;
    c.real = g[DWMTJ_A][DWMTJ_B]; AC_GAIN(a, b) = c;
    c.real = g[DWMTJ_B][DWMTJ_IN]; AC_GAIN(b, in) = c;
    c.real = g[DWMTJ_B][DWMTJ_GND]; AC_GAIN(b, gnd) = c;
    c.real = g[DWMTJ_B][DWMTJ_A]; AC_GAIN(b, a) = c;
    c.real = g[DWMTJ_B][DWMTJ_B]; AC_GAIN(b, b) = c;
}

/* A device that cannot run makes the operating point fail at once: without
 * this ngspice would try gmin and source stepping first, tens of lines of
 * "Trying gmin" that bury the one message that says what is wrong. */
static void no_stepping(void)
{
    CKTcircuit *ckt = cm_get_circuit();
    if (ckt) {
        ckt->CKTnumGminSteps = 0;
        ckt->CKTnumSrcSteps = 0;
    }
}

static void stop(ARGS)
{
    double zero[DWMTJ_NTERM][DWMTJ_NTERM] = { { 0.0 } };
    const double none[DWMTJ_NTERM] = { 0.0 };
    if (ANALYSIS == MIF_AC) {
        set_ac(mif_private, zero);
        return;
    }
    set_ports(mif_private, none, zero);
    if (!PORT_NULL(mon))
        for (int k = 0; k < PORT_SIZE(mon); k++)
            OUTPUT(mon[k]) = 0.0;
    cm_analog_not_converged();
}

void cm_dwmtj4t(ARGS)
{
    dwmtj4t_inst *in;

    if (INIT) {
        dwmtj_params p;
        in = (dwmtj4t_inst *) calloc(1, sizeof *in);
        STATIC_VAR(inst) = in;
        CALLBACK = cm_dwmtj4t_callback;
        cm_analog_alloc(STATE_TAG, (int) sizeof(dwmtj_state));
        if (!in) {
            cm_message_printf("dwmtj4t: out of memory; simulation stopped");
            cm_analog_not_converged();
            return;
        }
        in->status = read_params(mif_private, &p);
        if (in->status >= 0)
            in->status = dwmtj_derive(&p, &in->d);
        if (in->status < 0)
            report(mif_private, in->status, &p);
        else if (select_monitors(mif_private, in) != 0)
            in->status = DWMTJ_ERR_NAME;
        else {
            warn(in, in->status, 0.0, &p, NULL);
            warn_range(&p, in->status);
        }
        if (in->status < 0)
            no_stepping();
        in->key = node_key();
        dwmtj_state_init((dwmtj_state *) cm_analog_get_ptr(STATE_TAG, 0), 0.0);
    }
    in = (dwmtj4t_inst *) STATIC_VAR(inst);
    if (!in || in->status < 0) {
        stop(mif_private);
        return;
    }

    double v[DWMTJ_NTERM] = { INPUT(in), INPUT(gnd), INPUT(a), INPUT(b) };
    dwmtj_eval ev;

    if (ANALYSIS == MIF_AC) {
        /* small signal about the operating point: the frozen-state matrix */
        dwmtj_state *s = (dwmtj_state *) cm_analog_get_ptr(STATE_TAG, 0);
        dwmtj_eval_static(&in->d, s, v, &ev);
        set_ac(mif_private, ev.g_static);
        return;
    }

    if (ANALYSIS == MIF_DC) {
        /* operating point: the pre-write device at its steady temperature;
         * also seeds the transient */
        dwmtj_state *s1 = (dwmtj_state *) cm_analog_get_ptr(STATE_TAG, 0);
        int st = dwmtj_dc(&in->d, in->key, v, s1, &ev);
        if (st < 0) {
            cm_message_printf("dwmtj4t: operating point failed: %s", dwmtj_status_string(st));
            stop(mif_private);
            return;
        }
        warn(in, st, 0.0, NULL, s1);
        set_ports(mif_private, ev.i, ev.g_static);
        set_monitors(mif_private, in, s1);
        return;
    }

    /* transient: advance from the last accepted state */
    dwmtj_state *s0 = (dwmtj_state *) cm_analog_get_ptr(STATE_TAG, 1);
    dwmtj_state *s1 = (dwmtj_state *) cm_analog_get_ptr(STATE_TAG, 0);
    int st = dwmtj_step_for(&in->d, in->key, s0, TIME, v, s1, &ev, 0);
    if (st == DWMTJ_ERR_STEP_LONG) {
        /* refused; ngspice retries a shorter step (t_next keeps them short
         * once a step is accepted) */
        if (!in->long_told)
            cm_message_printf("dwmtj4t: step to t = %g s refused: %s", TIME,
                              dwmtj_status_string(st));
        in->long_told = 1;
        stop(mif_private);
        return;
    }
    if (st < 0) {
        cm_message_printf("dwmtj4t: step to t = %g s failed: %s", TIME,
                          dwmtj_status_string(st));
        stop(mif_private);
        return;
    }
    warn(in, st, TIME, NULL, s1);
    set_ports(mif_private, ev.i, ev.g);
    set_monitors(mif_private, in, s1);
    /* the library's one policy for the next time point (clock edges,
     * events, dx_max, the MTJ windows, the noise cap) */
    if (isfinite(ev.t_next) && ev.t_next > TIME)
        cm_analog_set_temp_bkpt(ev.t_next);
}
