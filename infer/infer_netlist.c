/* The circuits of the network's layers, as data (dwmtj_infer.h, Mapping
 * and Time; dwmtj_spice.h): both backends take the same deck, ngspice as
 * its text, the engine as it is. */
#include "infer_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* x as the double nearest to its 15-digit decimal: the clock edges k dt
 * are decimal times (0.7 ns), which a product k * dt can miss by a bit in
 * the last place; a deck carries the decimal ones, as a netlist written by
 * hand does, so that the circuit data and its text agree with the circuits
 * of earlier versions to the bit. */
static double decimal(double x)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.15g", x);
    return strtod(buf, NULL);
}

/* Value of the wave at edge k (k = 0: t = 0). */
static double edge_value(const unsigned char *s, int k, double v)
{
    return k == 0 ? 0.0 : (s[k - 1] ? v : 0.0);
}

void infer_edge_times(int T, double dt, double *t)
{
    for (int k = 0; k <= T; k++)
        t[k] = decimal(k * dt);
}

/* The points of the wave, at the edges' decimal times edge_t (NULL:
 * computed here, k dt to 15 digits). */
static int pwl_points(const unsigned char *s, int T, double dt, const double *edge_t, double v,
                      int all_edges, double *t, double *y)
{
    int n = 0;
    for (int k = 0; k <= T; k++) {
        double val = edge_value(s, k, v);
        if (!all_edges && k > 0 && k < T) {
            double ya = edge_value(s, k - 1, v), yb = edge_value(s, k + 1, v);
            if (val - ya == yb - val)
                continue; /* on the line through its neighbours */
        }
        t[n] = edge_t ? edge_t[k] : decimal(k * dt);
        y[n++] = val;
    }
    return n;
}

int infer_pwl_points_at(const unsigned char *s, int T, const double *edge_t, double v,
                        int all_edges, double *t, double *y)
{
    return pwl_points(s, T, 0.0, edge_t, v, all_edges, t, y);
}

int dwmtj_infer_pwl_points(const unsigned char *s, int T, double dt, double v, int all_edges,
                           double *t, double *y)
{
    return pwl_points(s, T, dt, NULL, v, all_edges, t, y);
}

double dwmtj_infer_pwl_v2(const unsigned char *s, int T, double dt, double v)
{
    double e = 0.0;
    for (int k = 0; k < T; k++) {
        double a = edge_value(s, k, v), c = edge_value(s, k + 1, v);
        e += dt * (a * a + a * c + c * c) / 3.0;
    }
    return e;
}

/* Room for a wave's points. */
typedef struct {
    double *t, *y;
} points;

static int pwl_source(dwmtj_spice_scope *top, points *p, const char *name, const char *node,
                      const unsigned char *s, int T, double dt, double v, int all)
{
    int n = dwmtj_infer_pwl_points(s, T, dt, v, all, p->t, p->y);
    return dwmtj_spice_add_v(top, name, node, "0", 0.0, n, p->t, p->y) ? 0 : -1;
}

/* The crossbar of layer l with wire resistance r per cell pitch: word line
 * i runs from its source node along the columns (G+ then G- of neuron 0,
 * then of neuron 1, ...), tap w<i>_<j> at column j; bit line j runs down
 * the rows, tap b<j>_<i>, and ends through one more segment at its sense
 * node cp<o> / cm<o>. */
static int wired_crossbar(dwmtj_spice_scope *top, const dwmtj_infer_map *m, int l, double r)
{
    int nin = m->size[l], nout = m->size[l + 1], cols = nin + 1, ncol = 2 * nout;
    char name[48], a[48], b[48];
    for (int i = 0; i < cols; i++) {
        char src[32];
        if (i < nin)
            snprintf(src, sizeof src, "x%d", i);
        else
            snprintf(src, sizeof src, "xb");
        for (int j = 0; j < ncol; j++) {
            int o = j / 2;
            double g = (j % 2 ? m->g_minus[l] : m->g_plus[l])[(size_t)o * cols + i];
            snprintf(name, sizeof name, "rw%d_%d", i, j);
            if (!j)
                snprintf(a, sizeof a, "%s", src);
            else
                snprintf(a, sizeof a, "w%d_%d", i, j - 1);
            snprintf(b, sizeof b, "w%d_%d", i, j);
            if (!dwmtj_spice_add_r(top, name, a, b, r))
                return -1;
            snprintf(name, sizeof name, "rc%d_%d", i, j);
            snprintf(a, sizeof a, "b%d_%d", j, i);
            if (!dwmtj_spice_add_r(top, name, b, a, 1.0 / g))
                return -1;
            if (i > 0) {
                snprintf(name, sizeof name, "rb%d_%d", j, i);
                snprintf(b, sizeof b, "b%d_%d", j, i - 1);
                if (!dwmtj_spice_add_r(top, name, b, a, r))
                    return -1;
            }
            if (i == cols - 1) {
                snprintf(name, sizeof name, "rb%d_end", j);
                snprintf(b, sizeof b, "c%c%d", j % 2 ? 'm' : 'p', o);
                if (!dwmtj_spice_add_r(top, name, a, b, r))
                    return -1;
            }
        }
    }
    return 0;
}

/* The periphery's mirror of neuron r: I = clamp(k (i(vsp) - i(vsm)), i_lo,
 * i_hi) into IN. */
static dwmtj_spice_expr *mirror_to(int r, double k, double i_lo, double i_hi)
{
    char p[32], m[32];
    snprintf(p, sizeof p, "vsp%d", r);
    snprintf(m, sizeof m, "vsm%d", r);
    dwmtj_spice_expr *diff = dwmtj_spice_x_op(DWMTJ_SPICE_X_SUB, dwmtj_spice_x_cur(p),
                                              dwmtj_spice_x_cur(m));
    dwmtj_spice_expr *in[2] = { dwmtj_spice_x_op(DWMTJ_SPICE_X_MUL, dwmtj_spice_x_num(k), diff),
                                dwmtj_spice_x_num(i_hi) };
    dwmtj_spice_expr *lo[2] = { dwmtj_spice_x_call("min", 2, in), dwmtj_spice_x_num(i_lo) };
    return dwmtj_spice_x_call("max", 2, lo);
}

/* The same, clamped at +-i_max. */
static dwmtj_spice_expr *mirror(int r, double k, double i_max)
{
    return mirror_to(r, k, -i_max, i_max);
}

int infer_device(dwmtj_params *p, dwmtj_derived *d)
{
    int st = dwmtj_params_set(p, INFER_DEVICE_SET);
    return st < 0 || !d ? st : dwmtj_derive(p, d);
}

void infer_cell_values(const dwmtj_weights *net, double i_max, infer_cell *c)
{
    dwmtj_params p;
    infer_device(&p, NULL);
    double per_m = p.rho / (p.width * p.thick);   /* Ohm/m of track */
    double r3 = per_m * (p.length - p.xb);        /* track under B to GND */
    c->i_read = net->cell.i_read;
    c->alpha = (p.length - p.xb) / p.length;
    c->r_th = 0.5 * (p.rp_b + p.rap_b) + r3 * (1.0 - c->alpha);
    c->i_clear = net->cell.i_clear;
    c->t_clear = net->cell.t_clear;
    c->v_write = net->cell.v_write;
    c->t_write = net->cell.t_write;
    c->t_start = net->cell.t_start;
    c->vdd = 1.0;
    c->r_track = per_m * p.length;
    /* a network trained for the cmos macromodel records its clamp and sense
     * delay; the clear follows spk, which the delay holds back */
    c->i_lo = -fmin(i_max, net->cell.i_neg);
    c->t_sense = net->cell.t_sense;
    c->t_clear += c->t_sense;
}

int infer_cmos_rule_net(const dwmtj_weights *net)
{
    return net->periphery == DWMTJ_PERIPH_CELL && dwmtj_cell_has_cmos_rule(&net->cell);
}

int infer_cell_for(const dwmtj_weights *net, const dwmtj_infer_options *o, infer_cell *c,
                   infer_cmos_macro *mm, char **error)
{
    infer_cell_values(net, o->i_max, c);
    int per = dwmtj_infer_periphery(o, net);
    int rule = infer_cmos_rule_net(net);
    if (per != DWMTJ_INFER_PERIPH_CMOS_MACRO && !(per == DWMTJ_INFER_PERIPH_CMOS && rule))
        return DWMTJ_H_OK;
    infer_cmos_macro m;
    int rc = infer_cmos_macro_read(o->cell_dir, &m, error);
    if (rc == DWMTJ_H_OK && mm)
        *mm = m;
    if (rc == DWMTJ_H_OK)
        rc = infer_cmos_macro_cell(&m, net, o->i_max, c, error);
    if (rc == DWMTJ_H_OK && per == DWMTJ_INFER_PERIPH_CMOS) {
        /* the transistors' own one-shots, whose behaviour the network's rule
         * is the macromodel of */
        c->i_clear = m.i_clear;
        c->t_clear = m.t_clear;
        c->t_write = m.t_write;
        c->t_sense = 0.0;
    }
    return rc;
}

double infer_cmos_i_neg(const infer_cell *c)
{
    return INFER_CMOS_V_IN_MIN / c->r_track;
}

double infer_cmos_i_lo(const infer_cell *c, double i_max)
{
    return -fmin(i_max, infer_cmos_i_neg(c));
}

/* The cell's logic: the one-shots' switches (10 Ohm on, 1 fF: dwmtj
 * array's design, C vdd^2 = 1 fJ per pulse) and the write switch. */
#define CELL_OS_C 1e-12
#define CELL_OS_RON 0.01
#define CELL_SW_RON 0.01
#define CELL_SW_ROFF 1e12

static int switch_model(dwmtj_spice_scope *top, const char *name, double vdd, double ron)
{
    return dwmtj_spice_add_sw_model(top, name, 0.5 * vdd, 0.1 * vdd, ron, CELL_SW_ROFF);
}

/* What the cells of a layer share: the logic supply lvdd, the initial
 * write st, the switch models.  st's ramps (CELL_ST_RAMP each) are
 * centred on t_start and t_start + t_write, where they cross vdd/2 and
 * the logic switches: the network's write is that interval (its rule,
 * doc/training.md; a pulse from t_start of width t_write would write from
 * half a ramp late to one and a half late, and the domain would drift
 * that much longer before the mirror pushes it). */
#define CELL_ST_RAMP 1e-12 /* s, st's rise and fall */
static int cell_shared(dwmtj_spice_scope *top, const infer_cell *c)
{
    double st[6] = { 0.0, c->vdd, c->t_start - 0.5 * CELL_ST_RAMP, CELL_ST_RAMP, CELL_ST_RAMP,
                     c->t_write - CELL_ST_RAMP };
    dwmtj_spice_wave w = { DWMTJ_SPICE_PULSE, 0.0, 6, NULL, st };
    return !dwmtj_spice_add_wave(top, "vst", "st", "0", &w) ||
                   !dwmtj_spice_add_v(top, "vlvdd", "lvdd", "0", c->vdd, 0, NULL, NULL) ||
                   switch_model(top, "swos", c->vdd, CELL_OS_RON) ||
                   switch_model(top, "sww", c->vdd, CELL_SW_RON)
               ? -1
               : 0;
}

/* Neuron r's cell (doc/cell.md) at the device's four terminals in<r>, 0,
 * na<r>, nb<r>, fed by the column's sense sources vsp<r>/vsm<r>: the
 * mirror bi<r> into IN through the probe vmi<r> (clamped, off while wen<r>
 * is high, i_clear while clr<r> is high), the read bias ird<r> into B, the
 * bridge comparator bsen<r> giving spk<r>, the clear and write one-shots
 * on the neuron's own reset, the write source vw<r> across IN-A through
 * the switch sww<r>, and the device an<r> with its monitors. */
static int cell(dwmtj_spice_scope *top, int r, double k, double i_max, const infer_cell *c,
                int nmon, const char *const *mon)
{
    char in[32], mi[32], na[32], nb[32], nw[32], spk[32], clr[32], wen[32], nm[32];
    snprintf(in, sizeof in, "in%d", r);
    snprintf(mi, sizeof mi, "mi%d", r);
    snprintf(na, sizeof na, "na%d", r);
    snprintf(nb, sizeof nb, "nb%d", r);
    snprintf(nw, sizeof nw, "nw%d", r);
    snprintf(spk, sizeof spk, "spk%d", r);
    snprintf(clr, sizeof clr, "clr%d", r);
    snprintf(wen, sizeof wen, "wen%d", r);
    enum { ADD = DWMTJ_SPICE_X_ADD, SUB = DWMTJ_SPICE_X_SUB, MUL = DWMTJ_SPICE_X_MUL };
    /* (1 - wen) (clr i_clear + (1 - clr) clamp(k (i(vsp) - i(vsm)), +-i_max)) */
    dwmtj_spice_expr *drive = dwmtj_spice_x_op(
        ADD, dwmtj_spice_x_op(MUL, dwmtj_spice_x_num(c->i_clear), dwmtj_spice_x_high(clr, c->vdd)),
        dwmtj_spice_x_op(MUL, dwmtj_spice_x_low(clr, c->vdd), mirror_to(r, k, c->i_lo, i_max)));
    snprintf(nm, sizeof nm, "bi%d", r);
    if (!dwmtj_spice_add_b(top, nm, "0", mi, 'i',
                           dwmtj_spice_x_op(MUL, dwmtj_spice_x_low(wen, c->vdd), drive)))
        return -1;
    snprintf(nm, sizeof nm, "vmi%d", r);
    if (!dwmtj_spice_add_v(top, nm, mi, in, 0.0, 0, NULL, NULL))
        return -1;
    /* the read bias: pillar B -> track, 5 % of i_nuc, which never writes */
    dwmtj_spice_wave ird = { DWMTJ_SPICE_DC, c->i_read, 0, NULL, NULL };
    snprintf(nm, sizeof nm, "ird%d", r);
    if (!dwmtj_spice_add_wave(top, nm, "0", nb, &ird))
        return -1;
    /* spk = vdd u(V(B) - alpha V(IN) - i_read r_th): V(B) - alpha V(IN) =
     * i_read (R_B + R3 (1 - alpha)) whatever the drive (doc/cell.md) */
    dwmtj_spice_expr *bridge = dwmtj_spice_x_op(
        SUB,
        dwmtj_spice_x_op(SUB, dwmtj_spice_x_volt(nb, NULL),
                         dwmtj_spice_x_op(MUL, dwmtj_spice_x_num(c->alpha),
                                          dwmtj_spice_x_volt(in, NULL))),
        dwmtj_spice_x_num(c->i_read * c->r_th));
    /* blanked (held low) during the clear: the clear's step of the drive at
     * the threshold, where the bridge has no margin, would flip it back and
     * the reset would chatter; the domain leaves within the clear */
    snprintf(nm, sizeof nm, "bsen%d", r);
    if (!dwmtj_spice_add_b(
            top, nm, spk, "0", 'v',
            dwmtj_spice_x_op(MUL, dwmtj_spice_x_num(c->vdd),
                             dwmtj_spice_x_op(MUL, dwmtj_spice_x_call("u", 1, &bridge),
                                              dwmtj_spice_x_low(clr, c->vdd)))))
        return -1;
    const dwmtj_spice_logic g = { "lvdd", "swos", c->vdd, CELL_OS_C };
    if (dwmtj_spice_add_reset(top, r, spk, clr, wen, "st", &g, c->t_clear, c->t_write) !=
        DWMTJ_SPICE_OK)
        return -1;
    /* the write: while wen is high V(IN) - V(A) = v_write, IN above A (the
     * current runs from the track into pillar A); the loop floats */
    const char *sw[4] = { in, nw, wen, "0" };
    snprintf(nm, sizeof nm, "sww%d", r);
    if (!dwmtj_spice_add_elem(top, nm, 4, sw, NULL, "sww", 0.0, NULL))
        return -1;
    snprintf(nm, sizeof nm, "vw%d", r);
    if (!dwmtj_spice_add_v(top, nm, nw, na, c->v_write, 0, NULL, NULL))
        return -1;
    const char *tp[4] = { in, "0", na, nb };
    snprintf(nm, sizeof nm, "an%d", r);
    return dwmtj_spice_add_a(top, nm, tp, nmon, mon, "dwn") ? 0 : -1;
}

/* The cmos cell's meters (v.xc<r>.<name>#branch), in INFER_C_Q_IN_VDD ..
 * INFER_C_QDB order. */
static const char *const cmos_meters[] = { "vq_in_vdd",  "vq_in_vddh", "vq_in_vss", "vq_sen_vdd",
                                           "vq_sen_vddh", "vq_pg_vdd", "vq_wr_vdd", "vq_wr_vddh",
                                           "vq_wr_vwr",  "vq_clr_vdd", "vq_clr_vddh", "vqdi",
                                           "vqda",       "vqdb" };

/* The cmos cell's vectors of neuron r (instance xc<r>). */
static void cmos_vector_name(char *buf, size_t n, int what, int r)
{
    static const char *const mon[4] = { "mnf", "mnw", "me", "mx" };
    switch (what) {
    case INFER_V_SPK: snprintf(buf, n, "v(spk%d)", r); break;
    case INFER_V_IN: snprintf(buf, n, "v(xc%d.in)", r); break;
    case INFER_V_CLR: snprintf(buf, n, "v(xc%d.clr)", r); break;
    case INFER_V_B: snprintf(buf, n, "v(xc%d.b)", r); break;
    case INFER_C_A: snprintf(buf, n, "v(xc%d.a)", r); break;
    case INFER_C_CP: snprintf(buf, n, "v(ci%d)", r); break;
    case INFER_C_NBP: snprintf(buf, n, "v(xc%d.xin.nbp)", r); break;
    case INFER_C_NG: snprintf(buf, n, "v(xc%d.xin.ng)", r); break;
    case INFER_C_RB2: snprintf(buf, n, "v(xc%d.rb2)", r); break;
    case INFER_C_ST: snprintf(buf, n, "v(xc%d.st)", r); break;
    case INFER_C_ICP: snprintf(buf, n, "vgi%d#branch", r); break;
    case INFER_C_IST: snprintf(buf, n, "v.xc%d.vst#branch", r); break;
    default:
        if (what >= INFER_C_Q_IN_VDD && what <= INFER_C_QDB)
            snprintf(buf, n, "v.xc%d.%s#branch", r, cmos_meters[what - INFER_C_Q_IN_VDD]);
        else
            snprintf(buf, n, "v(xc%d.%s)", r, mon[what & 3]); /* a monitor */
        break;
    }
}

/* ngspice vectors read from a layer's run, neuron r: into buf (size n). */
void infer_vector_name(char *buf, size_t n, int what, int r, int periphery)
{
    if (periphery == DWMTJ_INFER_PERIPH_CMOS) {
        cmos_vector_name(buf, n, what, r);
        return;
    }
    switch (what) {
    case INFER_V_SPK: snprintf(buf, n, "v(spk%d)", r); break;
    case INFER_V_IN: snprintf(buf, n, "v(in%d)", r); break;
    case INFER_V_IMIR: snprintf(buf, n, "vmi%d#branch", r); break;
    case INFER_V_CLR: snprintf(buf, n, "v(clr%d)", r); break;
    case INFER_V_B: snprintf(buf, n, "v(nb%d)", r); break;
    case INFER_V_IWRITE: snprintf(buf, n, "vw%d#branch", r); break;
    default: snprintf(buf, n, "v(m%d_%d)", r, what); break; /* a monitor */
    }
}

/* The cmos cells' supplies, shared by a layer's cells. */
static int cmos_shared(dwmtj_spice_scope *top)
{
    static const char *const name[4] = { "vcvdd", "vcvddh", "vcvss", "vcvwr" };
    static const char *const node[4] = { "cvdd", "cvddh", "cvss", "cvwr" };
    const double v[4] = { INFER_CMOS_VDD, INFER_CMOS_VDDH, INFER_CMOS_VSS, INFER_CMOS_VWR };
    for (int k = 0; k < 4; k++)
        if (!dwmtj_spice_add_v(top, name[k], node[k], "0", v[k], 0, NULL, NULL))
            return -1;
    return 0;
}

/* Neuron r's cmos cell xc<r> (netlists/cell_cmos.lib): its input cp at
 * ci<r> takes the behavioural mirror's clamp(k (i(vsp<r>) - i(vsm<r>)))
 * from an ideal gain bgi<r> through the meter vgi<r>, its cm input idle;
 * the clamp is at +i_max and at -INFER_CMOS_V_IN_MIN / R_track, which
 * keeps the cell's write switches off.  The cell's input stage is unity gain and clamps at about 0.94 ib:
 * INFER_CMOS_IB puts its clamp at the gain's, and keeps its input branch
 * (ib + i) above zero at -i_max, where an unclamped source would drive cp
 * beyond what the stage can sink (ngspice stops: time step too small).
 * ird, the clear's and the write's one-shots and the power-on pulse from
 * the network's cell. */
static int cmos_cell(dwmtj_spice_scope *top, int r, double k, double i_max, const infer_cell *c)
{
    char gi[32], ci[32], cz[32], spk[32], nm[32];
    snprintf(gi, sizeof gi, "gi%d", r);
    snprintf(ci, sizeof ci, "ci%d", r);
    snprintf(cz, sizeof cz, "cz%d", r);
    snprintf(spk, sizeof spk, "spk%d", r);
    snprintf(nm, sizeof nm, "bgi%d", r);
    dwmtj_spice_expr *drive = mirror_to(r, k, infer_cmos_i_lo(c, i_max), i_max);
    if (!dwmtj_spice_add_b(top, nm, "0", gi, 'i', drive))
        return -1;
    snprintf(nm, sizeof nm, "vgi%d", r);
    if (!dwmtj_spice_add_v(top, nm, gi, ci, 0.0, 0, NULL, NULL))
        return -1;
    dwmtj_spice_wave idle = { DWMTJ_SPICE_DC, 0.0, 0, NULL, NULL };
    snprintf(nm, sizeof nm, "icz%d", r);
    if (!dwmtj_spice_add_wave(top, nm, "0", cz, &idle))
        return -1;
    const char *nodes[7] = { ci, cz, spk, "cvdd", "cvddh", "cvss", "cvwr" };
    snprintf(nm, sizeof nm, "xc%d", r);
    dwmtj_spice_card *x = dwmtj_spice_add_elem(top, nm, 7, nodes, NULL, "dwmtj_cell_c", 0.0, NULL);
    /* the one-shots' widths scale with their capacitors (a weak pull-up
     * charging cd): 4.2 fF gives 0.995 ns of clear, 5.2 fF 1.17 ns of write
     * control (doc/cell-cmos.md) */
    if (!x || dwmtj_spice_add_number(x, "ib", INFER_CMOS_IB(i_max)) ||
        dwmtj_spice_add_number(x, "ird", c->i_read) ||
        dwmtj_spice_add_number(x, "cclr", 4.2e-15 * c->t_clear / 0.995e-9) ||
        dwmtj_spice_add_number(x, "cwr", 5.2e-15 * c->t_write / 1.17e-9) ||
        dwmtj_spice_add_number(x, "tst", c->t_start > 0.0 ? c->t_start : 0.1e-9))
        return -1;
    return 0;
}

static int layer_deck(dwmtj_spice_deck *d, const dwmtj_infer_map *m, const dwmtj_weights *net,
                      const dwmtj_infer_options *o, int layer, const unsigned char *in,
                      const unsigned char *active, points *pw, const unsigned char *ones,
                      const unsigned char *zero)
{
    dwmtj_spice_scope *top = &d->top;
    int nin = m->size[layer], nout = m->size[layer + 1], cols = nin + 1, T = net->steps;
    double dt = net->dt, v = o->v_read;
    int last = layer == m->n_layers - 1, nmon = o->naive ? 13 : last ? 4 : 3;
    int periphery = dwmtj_infer_periphery(o, net);
    /* the macromodel is the behavioural cell at the cmos cell's values */
    int cellp = periphery == DWMTJ_INFER_PERIPH_BEHAVIOURAL ||
                periphery == DWMTJ_INFER_PERIPH_CMOS_MACRO;
    int cmos = periphery == DWMTJ_INFER_PERIPH_CMOS; /* the device is the cell's own card */
    char name[64], a[64], b[64];
    infer_cell cv;
    if (infer_cell_for(net, o, &cv, NULL, NULL) != DWMTJ_H_OK)
        return -1;
    /* ideal: the clocked write periphery (t_rewrite); the cell writes by
     * itself.  dx_max only limits steps, which the pinning-free device does
     * not need (one trapezoid is exact) */
    /* cmos: netlists/cell_cmos.lib's own card (set scaled, INFER_DEVICE_SET) */
    dwmtj_spice_card *mc = cmos ? NULL : dwmtj_spice_add_model(top, "dwn", "dwmtj4t");
    if (!cmos &&
        (!mc || dwmtj_spice_add_param(mc, "set", INFER_DEVICE_SET, 1) ||
         (!cellp && dwmtj_spice_add_number(mc, "t_rewrite", dt)) ||
         /* naive: all 13 monitors (the deck reads the first four) */
         dwmtj_spice_add_param(mc, "monitors",
                               o->naive ? "nf:nw:e:x:ra:rb:ew:ei:ef:er:eidle:nd:nr" : "nf:nw:e:x",
                               1) ||
         (!o->naive && dwmtj_spice_add_number(mc, "dx_max", 1.0))))
        return -1;
    if (!cmos && net->kind == DWMTJ_KIND_DWMTJ_NOISY && net->sigma > 0.0 &&
        (dwmtj_spice_add_number(mc, "sigma", net->sigma) ||
         dwmtj_spice_add_number(mc, "t_slot", dt) ||
         dwmtj_spice_add_number(mc, "seed", (double)(net->seed & 0x7FFFFFFFULL))))
        return -1;
    if ((cellp && cell_shared(top, &cv) != 0) || (cmos && cmos_shared(top) != 0))
        return -1;
    /* bias row: on from the first edge, a point at every edge (the clock) */
    if (pwl_source(top, pw, "vxb", "xb", ones, T, dt, v, 1) != 0)
        return -1;
    for (int i = 0; i < nin; i++) {
        if (active && !active[i])
            continue;
        snprintf(name, sizeof name, "vx%d", i);
        snprintf(a, sizeof a, "x%d", i);
        if (pwl_source(top, pw, name, a, in ? in + (size_t)i * T : zero, T, dt, v, 0) != 0)
            return -1;
    }
    if (o->r_wire > 0.0 && wired_crossbar(top, m, layer, o->r_wire) != 0)
        return -1;
    for (int r = 0; r < nout; r++) {
        const double *gp = m->g_plus[layer] + (size_t)r * cols;
        const double *gm = m->g_minus[layer] + (size_t)r * cols;
        for (int i = 0; i < cols && o->r_wire == 0.0; i++) {
            if (i < nin && active && !active[i])
                continue;
            if (i < nin)
                snprintf(a, sizeof a, "x%d", i);
            else
                snprintf(a, sizeof a, "xb");
            snprintf(name, sizeof name, "rp%d_%d", r, i);
            snprintf(b, sizeof b, "cp%d", r);
            if (!dwmtj_spice_add_r(top, name, a, b, 1.0 / gp[i]))
                return -1;
            snprintf(name, sizeof name, "rm%d_%d", r, i);
            snprintf(b, sizeof b, "cm%d", r);
            if (!dwmtj_spice_add_r(top, name, a, b, 1.0 / gm[i]))
                return -1;
        }
        snprintf(name, sizeof name, "vsp%d", r);
        snprintf(a, sizeof a, "cp%d", r);
        if (!dwmtj_spice_add_v(top, name, a, "0", 0.0, 0, NULL, NULL))
            return -1;
        snprintf(name, sizeof name, "vsm%d", r);
        snprintf(a, sizeof a, "cm%d", r);
        if (!dwmtj_spice_add_v(top, name, a, "0", 0.0, 0, NULL, NULL))
            return -1;
        char term[4][32], mon[13][32];
        const char *tp[4] = { term[0], term[1], term[2], term[3] }, *mp[13];
        snprintf(term[0], sizeof term[0], "in%d", r);
        snprintf(term[1], sizeof term[1], "0");
        snprintf(term[2], sizeof term[2], "na%d", r);
        snprintf(term[3], sizeof term[3], "nb%d", r);
        for (int k = 0; k < nmon; k++) {
            snprintf(mon[k], sizeof mon[k], "m%d_%d", r, k);
            mp[k] = mon[k];
        }
        if (cellp || cmos) {
            if (cellp ? cell(top, r, m->mirror[layer], o->i_max, &cv, nmon, mp) != 0
                      : cmos_cell(top, r, m->mirror[layer], o->i_max, &cv) != 0)
                return -1;
            continue;
        }
        snprintf(name, sizeof name, "bi%d", r);
        snprintf(a, sizeof a, "in%d", r);
        if (!dwmtj_spice_add_b(top, name, "0", a, 'i', mirror(r, m->mirror[layer], o->i_max)))
            return -1;
        snprintf(name, sizeof name, "an%d", r);
        if (!dwmtj_spice_add_a(top, name, tp, nmon, mp, "dwn"))
            return -1;
    }
    double tran[4] = { dt, decimal(T * dt), 0.0, dwmtj_infer_tmax(o, net) };
    if (!dwmtj_spice_add_tran(top, 4, tran))
        return -1;
    if (!o->naive) {
        /* XSPICE limits each code-model input to +-max(25 %, 0.1 V) per
         * Newton iteration (a convergence aid for rough models); the
         * device's partials are exact, so Newton needs no such limit, and
         * with it a neuron whose drive steps at an edge costs ~10 extra
         * iterations */
        dwmtj_spice_card *opt = dwmtj_spice_add(top, DWMTJ_SPICE_OPTIONS);
        if (!opt || dwmtj_spice_add_number(opt, "convabsstep", 1e6))
            return -1;
        /* Debian's ngspice runs BSIM4 on OpenMP threads, 8-15x slower on a
         * busy 2-core machine (doc/cell-cmos.md, "One thread") */
        if (cmos && dwmtj_spice_add_number(opt, "num_threads", 1.0))
            return -1;
        int want[INFER_V_N], n_want = 0;
        for (int k = 0; k < INFER_V_N; k++)
            if (infer_wants(k, periphery, last, o->probe_fires))
                want[n_want++] = k;
        for (int r = 0; r < nout; r++) {
            dwmtj_spice_card *sv = dwmtj_spice_add(top, DWMTJ_SPICE_SAVE);
            for (int k = 0; k < n_want; k++) {
                infer_vector_name(name, sizeof name, want[k], r, periphery);
                if (!sv || dwmtj_spice_add_param(sv, name, NULL, 0))
                    return -1;
            }
        }
    }
    return 0;
}

int dwmtj_infer_deck(const dwmtj_infer_map *m, const dwmtj_weights *net,
                     const dwmtj_infer_options *o, int layer, const unsigned char *in,
                     const unsigned char *active, dwmtj_spice_deck **out)
{
    if (!out)
        return DWMTJ_H_ERR_USAGE;
    *out = NULL;
    if (!m || !net || !o || layer < 0 || layer >= m->n_layers)
        return DWMTJ_H_ERR_USAGE;
    int T = net->steps;
    if (o->r_wire > 0.0)
        active = NULL; /* through wires a silent line still carries current */
    char title[128];
    snprintf(title, sizeof title,
             "* dwmtj infer: layer %d of %d, %d inputs + bias -> %d DW-MTJ neurons", layer + 1,
             m->n_layers, m->size[layer], m->size[layer + 1]);
    dwmtj_spice_deck *d = NULL;
    if (dwmtj_infer_periphery(o, net) == DWMTJ_INFER_PERIPH_CMOS) {
        /* the cell's subcircuits and transistor cards, read into the
         * deck by the one card reader (their cards keep their files'
         * lines for ngspice's messages) */
        if (!o->cell_dir)
            return DWMTJ_H_ERR_USAGE;
        dwmtj_str text = { 0 };
        dwmtj_str_printf(&text, "%s\n.include %s/bsim4_45nm.lib\n.include %s/cell_cmos.lib\n",
                         title, o->cell_dir, o->cell_dir);
        int st = text.err ? DWMTJ_SPICE_ERR_NOMEM
                          : dwmtj_spice_read(&d, "layer.cir", text.s, NULL);
        free(text.s);
        if (st != DWMTJ_SPICE_OK)
            return st == DWMTJ_SPICE_ERR_NOMEM ? DWMTJ_H_ERR_NOMEM : DWMTJ_H_ERR_FILE;
    } else
        d = dwmtj_spice_new(title);
    unsigned char *ones = malloc((size_t)T), *zero = calloc((size_t)T, 1);
    points pw = { malloc(sizeof(double) * (size_t)(T + 1)),
                  malloc(sizeof(double) * (size_t)(T + 1)) };
    int rc = DWMTJ_H_ERR_NOMEM;
    if (d && ones && zero && pw.t && pw.y) {
        memset(ones, 1, (size_t)T);
        char name[32];
        snprintf(name, sizeof name, "layer%d.cir", layer + 1);
        free(d->file[0]);
        d->file[0] = strdup(name);
        if (d->file[0] && layer_deck(d, m, net, o, layer, in, active, &pw, ones, zero) == 0)
            rc = DWMTJ_H_OK;
    }
    free(ones);
    free(zero);
    free(pw.t);
    free(pw.y);
    if (rc != DWMTJ_H_OK) {
        dwmtj_spice_free(d);
        return rc;
    }
    *out = d;
    return DWMTJ_H_OK;
}

int dwmtj_infer_netlist(const dwmtj_infer_map *m, const dwmtj_weights *net,
                        const dwmtj_infer_options *o, int layer,
                        const unsigned char *in, const unsigned char *active, char **text)
{
    if (!text)
        return DWMTJ_H_ERR_USAGE;
    *text = NULL;
    dwmtj_spice_deck *d = NULL;
    int rc = dwmtj_infer_deck(m, net, o, layer, in, active, &d);
    if (rc == DWMTJ_H_OK && dwmtj_spice_write(d, text) != DWMTJ_SPICE_OK)
        rc = DWMTJ_H_ERR_NOMEM;
    dwmtj_spice_free(d);
    return rc;
}
