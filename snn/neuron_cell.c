/* The DW-MTJ neuron behind the cell of doc/cell.md (DWMTJ_PERIPH_CELL):
 * the rule the circuit implements, event by event, each event at its time
 * within the clock step, every motion and write computed by libdwmtj's
 * dwmtj_step at the cell's terminal voltages (as the code model does in the
 * circuit).  doc/training.md, "The cell's rule", gives the cycle. */
#include "snn_neuron.h"

#include "dwmtj_snn.h"

#include <math.h>

/* s, longest piece while the written domain drifts in the write loop: the
 * loop current vw/(R1 + R_A) rises as the domain leaves A, and each piece
 * holds the voltages of its end (check_snn test_cell_cycle compares the
 * drift with doc/cell.md's 12.44 nm) */
#define WRITE_PIECE 20e-12
#define MAX_PIECES 100000 /* per neuron and clock step: a guard, never reached */

enum { DRIVE = 0, WRITE = 1 };

int dwmtj_snn_step_of(double t, double dt)
{
    return (int)ceil(t / dt - 1e-6) - 1;
}

void snn_cell_setup(snn_dw *dw, const dwmtj_weights *net)
{
    const dwmtj_derived *d = &dw->d;
    double ell = d->p.l_nuc > 0.0 ? d->p.l_nuc : d->l_mtj[0];
    dw->c = net->cell;
    /* dwmtj_fire_distance's offset: the window of centres within which
     * MTJ_B's overlap is above f_mid (model/dwmtj_step.c window_half) */
    dw->hw_b = 0.5 * (ell + d->l_mtj[1]) - d->f_mid[1] * d->l_mtj[1];
}

/* The device's terminal voltages (IN, GND, A, B; GND = 0) in the cell, with
 * the MTJ resistances of state s.  The track is IN -R1- A' -R2- B' -R3- GND,
 * MTJ_A from A' to A, MTJ_B from B' to B (libdwmtj's network).  DRIVE: the
 * current I into IN, A open, i_read into B, so R1 and R2 carry I and R3
 * carries I + i_read.  WRITE: the loop IN - R1 - MTJ_A - A carries I (the
 * write source's current; the loop floats, the mirror is off), R2 nothing,
 * R3 i_read. */
static void volts(const snn_dw *dw, const dwmtj_state *s, int mode, double I,
                  double v[DWMTJ_NTERM])
{
    const dwmtj_derived *d = &dw->d;
    double r1 = 1.0 / d->g_seg[0], r2 = 1.0 / d->g_seg[1], r3 = 1.0 / d->g_seg[2];
    double r[2], ird = dw->c.i_read;
    dwmtj_mtj_resistance(d, s, r);
    v[DWMTJ_GND] = 0.0;
    v[DWMTJ_B] = ird * (r3 + r[1]);
    if (mode == DRIVE) {
        v[DWMTJ_IN] = I * (r1 + r2 + r3) + ird * r3;
        v[DWMTJ_A] = I * (r2 + r3) + ird * r3;
        v[DWMTJ_B] += I * r3;
    } else {
        v[DWMTJ_IN] = ird * r3 + I * r1;
        v[DWMTJ_A] = ird * r3 - I * r[0];
    }
}

/* A, the write loop's current at state s: v_write over R1 + R_A. */
static double loop_current(const snn_dw *dw, const dwmtj_state *s)
{
    double r[2];
    dwmtj_mtj_resistance(&dw->d, s, r);
    return dw->c.v_write / (1.0 / dw->d.g_seg[0] + r[0]);
}

static int step_ok(int st)
{
    /* DWMTJ_WARN_UNSEEN says that no time point at the step's ends shows an
     * MTJ in its window; the fire is counted on the path whatever the step
     * (and the circuit, whose points follow the code model's t_next, sees
     * it), so it is not a failure here */
    return st == DWMTJ_WARN_UNSEEN ? DWMTJ_OK : st;
}

/* s0 advanced to t under mode (DRIVE: the current I into IN at t; WRITE:
 * the write source on).  libdwmtj takes the voltages linear over a step
 * and the track's currents at its end through the MTJs of its end, so the
 * voltages given are the circuit's at t, taken at the state at t (a second
 * pass): WRITE's loop current v_write / (R1 + R_A) and the voltages that
 * carry it (the loop floats on B's read bias), and in both modes V(B),
 * which carries i_read through R_B.  Where the MTJs' resistances moved, a
 * zero-length step at t with the state's own voltages leaves the currents
 * and the velocity the next piece starts from as the circuit has them
 * there. */
static int piece(const snn_dw *dw, uint64_t key, const dwmtj_state *s0, double t, int mode,
                 double I, dwmtj_state *s1)
{
    double v[DWMTJ_NTERM], r0[2], r1[2];
    if (mode == WRITE)
        I = loop_current(dw, s0);
    volts(dw, s0, mode, I, v);
    int st = step_ok(dwmtj_step(&dw->d, key, s0, t, v, s1, NULL));
    if (st != DWMTJ_OK || !(t > s0->t))
        return st;
    dwmtj_mtj_resistance(&dw->d, s0, r0);
    dwmtj_mtj_resistance(&dw->d, s1, r1);
    if (r0[0] == r1[0] && r0[1] == r1[1])
        return DWMTJ_OK;
    dwmtj_state s2;
    if (s0->present && s1->present) {
        if (mode == WRITE)
            I = loop_current(dw, s1);
        volts(dw, s1, mode, I, v);
        if ((st = step_ok(dwmtj_step(&dw->d, key, s0, t, v, &s2, NULL))) != DWMTJ_OK)
            return st;
        *s1 = s2;
    }
    if (mode == WRITE)
        I = loop_current(dw, s1);
    volts(dw, s1, mode, I, v);
    if ((st = step_ok(dwmtj_step(&dw->d, key, s1, t, v, &s2, NULL))) == DWMTJ_OK)
        *s1 = s2;
    return st;
}

/* The write's piece ends no later than libdwmtj's next event of the
 * drifting domain (*te): where a wall reaches a pillar's centre the
 * loop's segment current steps and the drift stops, as the circuit's
 * points (the device's t_next) have it; a fixed piece would carry the
 * velocity up to a WRITE_PIECE past it. */
static int write_event(const snn_dw *dw, uint64_t key, const dwmtj_state *s, double *te)
{
    double v[DWMTJ_NTERM];
    dwmtj_state z;
    dwmtj_eval ev;
    volts(dw, s, WRITE, loop_current(dw, s), v);
    int st = step_ok(dwmtj_step_for(&dw->d, key, s, s->t, v, &z, &ev, DWMTJ_NEED_EVENT));
    if (st == DWMTJ_OK && isfinite(ev.t_event)) /* at least DWMTJ_H_MIN on, as t_next */
        *te = fmin(*te, fmax(ev.t_event, s->t + DWMTJ_H_MIN));
    return st;
}

/* The step's drive line (unclamped, A) at time x, and its clamp to
 * [ilo, imax] (ilo = -min(i_neg, i_max): the cell's own negative limit). */
struct line {
    double t0, h, i0, i1, imax, ilo;
};

static double line_at(const struct line *l, double x)
{
    return l->i0 + (l->i1 - l->i0) * (x - l->t0) / l->h;
}

static double clamp_at(const struct line *l, double x)
{
    return fmax(l->ilo, fmin(l->imax, line_at(l, x)));
}

static int inside_at(const struct line *l, double x)
{
    double i = line_at(l, x);
    return i < l->imax && i > l->ilo;
}

/* The first time after a, up to b, at which the line crosses a limit (b if
 * none): the drive is one straight line or constant between. */
static double next_cut(const struct line *l, double a, double b)
{
    double best = b;
    if (l->i1 == l->i0)
        return b;
    for (int k = 0; k < 2; k++) {
        double lim = k ? l->ilo : l->imax;
        double c = l->t0 + l->h * (lim - l->i0) / (l->i1 - l->i0);
        if (c > a && c < best)
            best = c;
    }
    return best;
}

/* The drive current into IN at time x where cut ends a piece: exactly the
 * clamp there (the line's rounding could leave it a hair inside). */
static double drive_at(const struct line *l, double x, double cut, double b)
{
    if (cut < b) {
        double lim = line_at(l, cut) > 0.0 ? l->imax : l->ilo;
        if (fabs(line_at(l, cut) - lim) < 1e-9 * l->imax)
            return lim;
    }
    return clamp_at(l, x);
}

/* A mode switch at s->t (the cell's current steps there): a zero-length
 * step sets the voltages, currents and velocity the next piece starts from. */
static int switch_to(const snn_dw *dw, uint64_t key, dwmtj_state *s, int mode, double I)
{
    dwmtj_state n;
    int st = piece(dw, key, s, s->t, mode, I, &n);
    if (st == DWMTJ_OK)
        *s = n;
    return st;
}

/* The time in [s0->t, s1->t] at which the fire distance reaches target,
 * from the trapezoid of the piece (velocity linear in time; the inverse of
 * model/dwmtj_step.c's sweep), refined by Newton steps on libdwmtj's own
 * state at that time.  *sf: the state there. */
static int cross(const snn_dw *dw, uint64_t key, const struct line *l, const dwmtj_state *s0,
                 const dwmtj_state *s1, double target, dwmtj_state *sf)
{
    double ta = s0->t, tb = s1->t, h = tb - ta;
    double m0 = dwmtj_fire_distance(&dw->d, s0), go = m0 - target;
    double a = fabs(s0->v), tau;
    if (s1->present) {
        double m1 = dwmtj_fire_distance(&dw->d, s1), b = fabs(s1->v);
        double phi = m0 != m1 ? fmin(1.0, fmax(0.0, go / (m0 - m1))) : 1.0;
        tau = a + b > 0.0 ? phi * (a + b) / (a + sqrt(a * a + phi * (b * b - a * a))) : phi;
    } else {
        tau = a > 0.0 ? fmin(1.0, go / (a * h)) : 1.0;
    }
    double tf = ta + h * tau;
    for (int it = 0; it < 4; it++) {
        int st = piece(dw, key, s0, tf, DRIVE, clamp_at(l, tf), sf);
        if (st != DWMTJ_OK)
            return st;
        if (!sf->present || sf->v == 0.0)
            break;
        double miss = dwmtj_fire_distance(&dw->d, sf) - target;
        if (fabs(miss) <= 1e-12 * dw->d.p.lb)
            break;
        tf = fmin(tb, fmax(ta, tf + miss / sf->v));
    }
    return DWMTJ_OK;
}

/* Starts the write at s->t: the one-shot's pulse (or the initial write). */
static int start_write(const snn_dw *dw, uint64_t key, snn_dw_neuron *q)
{
    q->phase = SNN_CELL_WRITE;
    q->t_end = q->s.t + dw->c.t_write;
    q->t_nuc = q->s.t + dw->d.p.t_nuc;
    return switch_to(dw, key, &q->s, WRITE, 0.0);
}

int snn_cell_begin(const snn_dw *dw, snn_dw_neuron *q, int o, snn_devfail *fail)
{
    dwmtj_state_init(&q->s, 0.0);
    q->phase = SNN_CELL_WAIT;
    q->armed = 0;
    q->t_end = q->t_nuc = 0.0;
    q->fresh = 0;
    q->gm_prev = q->i_prev = 0.0;
    q->t_spk = -1.0;
    int st = dw->c.t_start > 0.0 ? switch_to(dw, 0, &q->s, DRIVE, 0.0) : start_write(dw, 0, q);
    if (st != DWMTJ_OK)
        return snn_devfail_set(fail, DWMTJ_SNN_ERR_DEVICE, st, "dwmtj_step", 0, o, -1);
    return DWMTJ_SNN_OK;
}

int snn_cell_step(const snn_dw *dw, snn_dw_neuron *q, int o, int layer, uint64_t key, int t,
                  double a, double *s, double *psi, double *A, double *B, unsigned char *C,
                  double *u, snn_devfail *fail)
{
    const double h = dw->dt, t0 = (double)t * h, t1 = (double)(t + 1) * h;
    const struct line l = { t0, h, q->i_prev, dw->gain * a, dw->i_max,
                            -fmin(dw->c.i_neg, dw->i_max) };
    const dwmtj_state s_start = q->s;
    const int phase_start = q->phase;
    /* the drive's weights in the domain's motion over the mirror's pieces:
     * x(t1) gains mu h int clamp(i(s)) ds, so dx/di1 = mu h int s 1[inside] ds
     * and dx/di0 = mu h int (1 - s) 1[inside] ds (issue 4's closing note) */
    double w1 = 0.0, w0 = 0.0;
    int st = DWMTJ_OK, pieces = 0;
    while (q->s.t < t1 && st == DWMTJ_OK) {
        if (++pieces > MAX_PIECES)
            return snn_devfail_set(fail, DWMTJ_SNN_ERR_DEVICE, 0,
                                   "the cell's rule (more pieces than MAX_PIECES in one step)",
                                   layer, o, t);
        double now = q->s.t;
        dwmtj_state n;
        switch (q->phase) {
        case SNN_CELL_WAIT: {
            double te = fmin(t1, dw->c.t_start);
            if ((st = piece(dw, key, &q->s, te, DRIVE, clamp_at(&l, te), &n)) != DWMTJ_OK)
                break;
            q->s = n;
            if (te == dw->c.t_start)
                st = start_write(dw, key, q);
            break;
        }
        case SNN_CELL_WRITE: {
            double te = fmin(t1, q->t_end);
            if (!q->s.present)
                /* at t_nuc, or within a femtosecond past it should libdwmtj's
                 * timer round the other way */
                te = fmin(te, q->t_nuc > now ? q->t_nuc : now + 1e-6 * dw->d.p.t_nuc);
            if (q->s.present)
                te = fmin(te, now + WRITE_PIECE);
            if (q->s.present && q->s.v != 0.0 && (st = write_event(dw, key, &q->s, &te)) != DWMTJ_OK)
                break;
            if ((st = piece(dw, key, &q->s, te, WRITE, 0.0, &n)) != DWMTJ_OK)
                break;
            int born = n.present && !q->s.present;
            q->s = n;
            if (born) { /* R_A is the domain's now: the loop current drops */
                w1 = w0 = 0.0;
                if ((st = switch_to(dw, key, &q->s, WRITE, 0.0)) != DWMTJ_OK)
                    break;
            }
            if (te == q->t_end) {
                q->phase = q->s.present ? SNN_CELL_INT : SNN_CELL_DEAD;
                q->armed = 0;
                st = switch_to(dw, key, &q->s, DRIVE, clamp_at(&l, te));
            }
            break;
        }
        case SNN_CELL_INT: {
            double cut = next_cut(&l, now, t1), te = cut;
            double I = drive_at(&l, te, cut, t1);
            int inside = inside_at(&l, 0.5 * (now + te));
            if ((st = piece(dw, key, &q->s, te, DRIVE, I, &n)) != DWMTJ_OK)
                break;
            if (q->s.present && n.present && q->s.v * n.v < 0.0) {
                /* the domain turns inside: a piece ends at the turn (the
                 * velocity is linear in time on the piece), so that a turn
                 * out of B's window and back, which the comparator sees,
                 * is an end of one */
                double tm = now + (te - now) * q->s.v / (q->s.v - n.v);
                if (tm > now && tm < te) {
                    te = tm;
                    I = clamp_at(&l, te);
                    if ((st = piece(dw, key, &q->s, te, DRIVE, I, &n)) != DWMTJ_OK)
                        break;
                }
            }
            int armed = q->armed || n.n_fire > q->s.n_fire;
            /* spk falls where the centre leaves B's window (fire distance
             * -2 hw_b ahead, 0 behind); the leading wall passes B's point,
             * where i_read joins the track current, at fire distance ell/2 -
             * hw_b (a piece ends there, just past it in the direction of
             * motion, so that libdwmtj's segment of the wall is right for the
             * next: it takes a wall's segment from the step's start) */
            double m0 = q->s.present ? dwmtj_fire_distance(&dw->d, &q->s) : NAN;
            double m1 = n.present ? dwmtj_fire_distance(&dw->d, &n) : -INFINITY;
            double m_seg = 0.5 * (q->s.x_hi - q->s.x_lo) - dw->hw_b;
            /* behind: pushed back towards IN by a negative drive (the
             * comparator does not know the direction; a domain lost past
             * IN left the window first) */
            int ahead = armed && m1 <= -2.0 * dw->hw_b;
            int back = armed && !ahead && (n.present ? m1 > 0.0 : n.n_lost > q->s.n_lost);
            int fell = ahead || back;
            int seg = m0 > m_seg ? m1 < m_seg : m0 < m_seg && m1 > m_seg;
            if (fell || seg) {
                dwmtj_state f;
                double tol = 1e-9 * dw->d.p.lb;
                double target = ahead  ? -2.0 * dw->hw_b
                                : back ? tol
                                : m0 > m_seg ? m_seg - tol : m_seg + tol;
                if ((st = cross(dw, key, &l, &q->s, &n, target, &f)) != DWMTJ_OK)
                    break;
                if (f.t > now) { /* else no progress: the piece as it was */
                    n = f;
                    te = n.t;
                }
            }
            if (n.n_fire > q->s.n_fire)
                q->armed = 1;
            if (inside) {
                double sa = (now - t0) / h, sb = (te - t0) / h;
                double i1 = 0.5 * (sb * sb - sa * sa);
                w1 += i1;
                w0 += (sb - sa) - i1;
            }
            if (fell) {
                q->s = n;
                q->armed = 0;
                q->phase = SNN_CELL_CLEAR;
                /* the sense's delay holds the clear's start back; the clear is
                 * taken from spk's fall, t_sense longer (infer's macromodel) */
                q->t_end = n.t + dw->c.t_clear + dw->c.t_sense;
                st = switch_to(dw, key, &q->s, DRIVE, dw->c.i_clear);
            } else {
                if (!n.present)
                    q->phase = SNN_CELL_DEAD; /* lost past IN: no reset, no write */
                q->s = n;
            }
            break;
        }
        case SNN_CELL_CLEAR: {
            double te = fmin(t1, q->t_end);
            if ((st = piece(dw, key, &q->s, te, DRIVE, dw->c.i_clear, &n)) != DWMTJ_OK)
                break;
            q->s = n;
            if (te == q->t_end)
                st = start_write(dw, key, q);
            break;
        }
        default: /* SNN_CELL_DEAD */
            if ((st = piece(dw, key, &q->s, t1, DRIVE, clamp_at(&l, t1), &n)) != DWMTJ_OK)
                break;
            q->s = n;
            break;
        }
    }
    if (st != DWMTJ_OK)
        return snn_devfail_set(fail, DWMTJ_SNN_ERR_DEVICE, st, "dwmtj_step", layer, o, t);
    q->i_prev = l.i1;
    const dwmtj_state *e = &q->s;
    int gate = s_start.present && !s_start.fired && e->present;
    int fire = e->n_fire > s_start.n_fire;
    if (dw->c.t_sense > 0.0) {
        /* the spike counts t_sense after the fire, in the clock step that
         * holds that time; one at most is pending, as the next fire needs a
         * clear and a write */
        if (fire)
            q->t_spk = e->t_fire + dw->c.t_sense;
        fire = q->t_spk >= 0.0 && dwmtj_snn_step_of(q->t_spk, h) <= t;
        if (fire)
            q->t_spk = -1.0;
    }
    double uo = 0.0;
    /* from spk's fall the neuron is in its reset: the membrane is 0 while the
     * clear pushes the old domain out, as after the ideal periphery's reset */
    if (e->present && q->phase != SNN_CELL_CLEAR) {
        /* read from the domain's centre, as the circuit's x monitor gives
         * it: a domain pushed back partly past IN (the cmos cell's small
         * negative limit leaves many there) reads as the circuit reads it */
        uo = 1.0 - dwmtj_fire_distance_at(&dw->d, dwmtj_position(e)) / dw->D0;
        double k = dw->gain * dw->mu * h / dw->D0;
        *A = k * w1;
        *B = k * w0;
        *C = (unsigned char)(s_start.present && phase_start != SNN_CELL_CLEAR &&
                             e->n_write == s_start.n_write);
    } else {
        *A = *B = 0.0;
        *C = 0;
    }
    double x = uo - 1.0;
    *psi = gate ? snn_surrogate(x, dw->k) : 0.0;
    if (dw->smooth)
        *s = gate ? snn_smooth_spike(x, dw->k) : 0.0;
    else
        *s = fire ? 1.0 : 0.0;
    *u = uo;
    return DWMTJ_SNN_OK;
}
