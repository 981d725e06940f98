/* Time evolution: nucleation, pinning, motion with noise, the events on
 * the domain's path, energy by phase, the Jacobian a simulator stamps and
 * where the next time point must fall. */
#include "dwmtj_internal.h"

#include <math.h>
#include <string.h>

#define MAX_SUB 4096         /* sub-steps of the motion within one step */
/* A step that ends on a predicted event (the simulator's breakpoint) may
 * fall short of the crossing by rounding; count the event there. */
#define F_EVENT_TOL 1e-9
#define NOISE_WALK 4096      /* slots the step limit reads one by one */
/* Share of an MTJ's window (its above-midpoint interval of centres) at
 * each end that a time point placed to show it stays clear of: there the
 * MTJ is above its midpoint by less than a tenth of the way to R_AP. */
#define INNER 0.05

void dwmtj_state_init(dwmtj_state *s, double t0)
{
    if (!s)
        return;
    memset(s, 0, sizeof *s);
    s->t = t0;
    s->t_write = s->t_depin = s->t_fire = s->t_reset = -1.0;
    s->c_left = NAN;
}

/* The domain's travel frame: coordinate u measured from the writer's centre
 * towards the reader, so that the landscape reads the same in both
 * directions of operation (paper, Fig. 3a and 3c). */
struct frame {
    double xw;   /* m, writer centre */
    double dirn; /* +1 when the reader lies at larger x */
    double dist; /* m, centre-to-centre distance D */
    double ell;  /* m, domain length */
    double ramp; /* m, end of the track ramp: where the reader's well begins */
    double u;    /* m, domain centre in the frame */
};

static void frame_of(const dwmtj_derived *d, const dwmtj_state *s, struct frame *f)
{
    int w = s->writer;
    double xr = d->x_mtj[1 - w];
    f->xw = d->x_mtj[w];
    f->dirn = xr > f->xw ? 1.0 : -1.0;
    f->dist = fabs(xr - f->xw);
    f->ell = s->x_hi - s->x_lo;
    f->ramp = fmax(0.0, f->dist - 0.5 * f->ell);
    f->u = (0.5 * (s->x_lo + s->x_hi) - f->xw) * f->dirn;
}

/* One piece of the pinning landscape along the direction of motion, in the
 * coordinate w = sm u (sm = +1 towards the reader). */
struct piece {
    int point;       /* 1: a pinning point at w = a; 0: a region (a, b) */
    double a, b;     /* m */
    double ja, jb;   /* A/m^2, thresholds at a and b (linear between) */
};

static int landscape(const dwmtj_derived *d, const struct frame *f, int sm,
                     struct piece pc[6])
{
    const dwmtj_params *p = &d->p;
    double D = f->dist, R = f->ramp;
    if (sm > 0) {
        pc[0] = (struct piece){ 0, -INFINITY, 0.0, p->j_pin_out, p->j_pin_out };
        pc[1] = (struct piece){ 1, 0.0, 0.0, p->j_pin_w, p->j_pin_w };
        pc[2] = (struct piece){ 0, 0.0, R, p->j_pin_t0, p->j_pin_t1 };
        pc[3] = (struct piece){ 0, R, D, p->j_pin_t1, p->j_pin_t1 };
        pc[4] = (struct piece){ 1, D, D, p->j_pin_r, p->j_pin_r };
        pc[5] = (struct piece){ 0, D, INFINITY, p->j_pin_out, p->j_pin_out };
    } else {
        pc[0] = (struct piece){ 0, -INFINITY, -D, p->j_pin_out, p->j_pin_out };
        pc[1] = (struct piece){ 1, -D, -D, p->j_pin_r, p->j_pin_r };
        pc[2] = (struct piece){ 0, -D, -R, p->j_pin_t1, p->j_pin_t1 };
        pc[3] = (struct piece){ 0, -R, 0.0, p->j_pin_t1, p->j_pin_t0 };
        pc[4] = (struct piece){ 1, 0.0, 0.0, p->j_pin_w, p->j_pin_w };
        pc[5] = (struct piece){ 0, 0.0, INFINITY, p->j_pin_out, p->j_pin_out };
    }
    return 6;
}

static double eps_of(const struct frame *f)
{
    return 1e-9 * (f->dist + f->ell);
}

/* Threshold that holds the domain at w when it is pushed along sm: the
 * region just ahead, and a pinning point it sits on. */
static double threshold(const dwmtj_derived *d, const struct frame *f, int sm)
{
    struct piece pc[6];
    int n = landscape(d, f, sm, pc);
    double w = sm * f->u, eps = eps_of(f), thr = 0.0;
    for (int k = 0; k < n; k++) {
        if (pc[k].point) {
            if (fabs(w - pc[k].a) <= eps)
                thr = fmax(thr, pc[k].ja);
        } else if (w + eps >= pc[k].a && w + eps < pc[k].b) {
            double x = w + eps;
            double jr = isfinite(pc[k].a) && isfinite(pc[k].b) && pc[k].b > pc[k].a
                            ? pc[k].ja + (pc[k].jb - pc[k].ja) * (x - pc[k].a) / (pc[k].b - pc[k].a)
                            : pc[k].ja;
            thr = fmax(thr, jr);
        }
    }
    return thr;
}

/* Distance along sm to the first place where the threshold reaches J. */
static double stop_ahead(const dwmtj_derived *d, const struct frame *f, int sm, double J)
{
    struct piece pc[6];
    int n = landscape(d, f, sm, pc);
    double w = sm * f->u, eps = eps_of(f);
    for (int k = 0; k < n; k++) {
        if (pc[k].point) {
            if (pc[k].a > w + eps && J <= pc[k].ja)
                return pc[k].a - w;
            continue;
        }
        if (pc[k].b <= w + eps)
            continue;
        double a = fmax(pc[k].a, w);
        double ja = pc[k].ja, jb = pc[k].jb;
        double len = pc[k].b - pc[k].a;
        double j_at_a = (isfinite(len) && len > 0.0) ? ja + (jb - ja) * (a - pc[k].a) / len : ja;
        if (J <= j_at_a && a > w + eps)
            return a - w;
        if (isfinite(len) && len > 0.0 && jb > ja && J <= jb && J > j_at_a) {
            double x = pc[k].a + (J - ja) / (jb - ja) * len;
            return x - w;
        }
    }
    return INFINITY;
}

/* Drive on the domain and its velocity (paper, Eq. for v, gated by the
 * pinning landscape). */
struct motion {
    double j;             /* A/m^2, mean wall current density along +x */
    double vf;            /* m/s, free velocity along +x */
    double J;             /* A/m^2, drive as current density */
    int sm;               /* +1 pushed towards the reader, -1 back */
    double thr;           /* A/m^2, threshold holding it */
    double v;             /* m/s, velocity along +x */
    double dv_dj;         /* m^3/C, d v / d j_eff */
    double dj_dv[DWMTJ_NTERM]; /* A/m^2/V, d j_eff / d v */
};

static int segment_of(const dwmtj_derived *d, double x)
{
    return x < d->p.xa ? 0 : (x < d->p.xb ? 1 : 2);
}

/* Velocity of the domain of s under the mean wall current density j. */
static void velocity(const dwmtj_derived *d, const dwmtj_state *s, double j, struct motion *m)
{
    m->j = j;
    m->vf = d->v_field + d->stt * j;
    m->J = m->thr = m->v = m->dv_dj = 0.0;
    m->sm = 0;
    if (m->vf == 0.0)
        return;
    struct frame f;
    frame_of(d, s, &f);
    m->J = fabs(m->vf) / d->stt;
    m->sm = (m->vf > 0.0 ? 1 : -1) * (int)f.dirn;
    m->thr = threshold(d, &f, m->sm);
    double gate, dgate = 0.0;
    if (m->thr <= 0.0) {
        gate = 1.0;
    } else if (m->J <= m->thr) {
        gate = 0.0;
    } else {
        gate = (m->J / m->thr - 1.0) / d->p.pin_width;
        if (gate >= 1.0)
            gate = 1.0;
        else
            dgate = 1.0 / (m->thr * d->p.pin_width);
    }
    m->v = m->vf * gate;
    m->dv_dj = d->stt * gate + fabs(m->vf) * dgate;
}

/* Drive from the network n: each wall is pushed by the current of the
 * segment it sits in; a rigid domain moves with their mean. */
static void drive(const dwmtj_derived *d, const dwmtj_state *s, const dwmtj_net *n,
                  struct motion *m)
{
    double walls[2] = { s->x_lo, s->x_hi };
    int on = 0;
    double is = 0.0, di[DWMTJ_NTERM] = { 0.0, 0.0, 0.0, 0.0 };
    for (int k = 0; k < 2; k++) {
        if (walls[k] < 0.0 || walls[k] > d->p.length)
            continue;
        int sg = segment_of(d, walls[k]);
        is += n->i_seg[sg];
        for (int t = 0; t < DWMTJ_NTERM; t++)
            di[t] += n->di_seg[sg][t];
        on++;
    }
    if (on == 0) {
        memset(m, 0, sizeof *m);
        return;
    }
    /* one division per quantity: the walls' mean over the cross-section */
    double a = d->area * on;
    for (int t = 0; t < DWMTJ_NTERM; t++)
        m->dj_dv[t] = di[t] / a;
    velocity(d, s, is / a, m);
}

/* Noise weights: over the step, dx = v0 W0 + v1 W1 with v linear in time
 * and each slot's share scaled by N(1, sigma) (paper, Eq. for dx). */
static void weights(const dwmtj_derived *d, uint64_t key, double t0, double t1,
                    double *w0, double *w1)
{
    double h = t1 - t0, ts = d->p.t_slot, sg = d->p.sigma;
    *w0 = *w1 = 0.5 * h;
    if (sg == 0.0 || h <= 0.0)
        return;
    double k0 = floor(t0 / ts), k1 = floor(t1 / ts);
    *w0 = *w1 = 0.0;
    for (int64_t k = (int64_t)k0; k <= (int64_t)k1; k++) {
        double a = fmax(t0, (double)k * ts), b = fmin(t1, (double)(k + 1) * ts);
        if (b <= a)
            continue;
        double mid = (0.5 * (a + b) - t0) / h;
        double fac = 1.0 + sg * dwmtj_noise_normal(d->p.seed, key, k);
        *w0 += fac * (b - a) * (1.0 - mid);
        *w1 += fac * (b - a) * mid;
    }
}

/* 1 when the noise of [t0, t1] fits one step: no noise, or at most
 * DWMTJ_MAX_SLOTS slots (NaN counts, from slots too short for a double,
 * do not). */
static int slots_ok(const dwmtj_derived *d, double t0, double t1)
{
    double ts = d->p.t_slot;
    if (d->p.sigma == 0.0 || t1 == t0)
        return 1;
    return floor(t1 / ts) - floor(t0 / ts) <= (double)DWMTJ_MAX_SLOTS;
}

/* What drives a step at an instant: the terminal voltages, and for an
 * open device (A and B carry nothing: dwmtj_step_open) its input current. */
struct bias {
    const double *v; /* V, terminal voltages */
    int open;        /* 1: A and B open, the network in closed form */
    double i;        /* A, into IN and out of GND when open */
};

/* The network with the domain of s under the bias b; dg_dx (may be
 * NULL): d g_k / d (domain centre); vbar (may be NULL): barrier voltages.
 * Open: every segment carries b->i and the pillars nothing, whatever the
 * MTJs' conductances (no barrier voltage, no MTJ in the drive); di_seg is
 * then per ampere of b->i (the open step's one input, in the IN column)
 * and G, dvpa, dvpb and the MTJ sensitivities are left unset (the open
 * step reads none of them). */
static void net_of(const dwmtj_derived *d, const dwmtj_state *s, const struct bias *b,
                   dwmtj_net *n, double dg_dx[2], double vbar[2])
{
    if (b->open) {
        n->ga = n->gb = 0.0;
        n->vpa = b->v[DWMTJ_A];
        n->vpb = b->v[DWMTJ_B];
        n->i[DWMTJ_IN] = b->i;
        n->i[DWMTJ_GND] = -b->i;
        n->i[DWMTJ_A] = n->i[DWMTJ_B] = n->i_mtj[0] = n->i_mtj[1] = 0.0;
        for (int k = 0; k < 3; k++) {
            n->i_seg[k] = b->i;
            n->di_seg[k][DWMTJ_IN] = 1.0;
            n->di_seg[k][DWMTJ_GND] = n->di_seg[k][DWMTJ_A] = n->di_seg[k][DWMTJ_B] = 0.0;
        }
        for (int k = 0; k < 2; k++) {
            if (dg_dx)
                dg_dx[k] = 0.0;
            if (vbar)
                vbar[k] = 0.0;
        }
        return;
    }
    double f[2] = { 0.0, 0.0 }, df[2] = { 0.0, 0.0 }, dg_df[2];
    if (s->present)
        for (int k = 0; k < 2; k++)
            dwmtj_overlap_one(d, s->x_lo, s->x_hi, k, &f[k], &df[k]);
    dwmtj_solve_mtj(d, f, b->v, n, vbar, dg_df);
    for (int k = 0; k < 2 && dg_dx; k++)
        dg_dx[k] = dg_df[k] * df[k];
}

/* The interval [*a, *b] of the step [t0, t1] during which a current
 * linear in time from i0 to i1 is at or above thr; *a > *b if never.  A
 * zero-length step holds it if i1 does. */
static void above(double t0, double t1, double i0, double i1, double thr, double *a,
                  double *b)
{
    int up0 = t1 > t0 ? i0 >= thr : i1 >= thr, up1 = i1 >= thr;
    *a = t0;
    *b = t1;
    if (up0 && up1)
        return;
    if (!up0 && !up1) {
        *a = INFINITY;
        *b = -INFINITY;
        return;
    }
    double c = t0 + (t1 - t0) * (thr - i0) / (i1 - i0);
    if (up1)
        *a = c;
    else
        *b = c;
}

/* Half-width in m of the interval of domain centres about MTJ k's centre
 * over which a domain of length ell overlaps it by at least f of its
 * length (the overlap falls linearly with the offset beyond its plateau,
 * doc/model.md); -1 when the domain is too short to reach f. */
static double window_half(const dwmtj_derived *d, int k, double ell, double f)
{
    double l = d->l_mtj[k];
    if (fmin(ell, l) < f * l)
        return -1.0;
    return 0.5 * (ell + l) - f * l;
}

/* 1 when a domain of length ell centred at c holds MTJ k past its
 * resistance midpoint. */
static int in_window(const dwmtj_derived *d, int k, double ell, double c)
{
    double hw = window_half(d, k, ell, d->f_mid[k]);
    return hw > 0.0 && fabs(c - d->x_mtj[k]) < hw;
}

/* 1 when the domain of s holds MTJ k past its resistance midpoint. */
static int visible(const dwmtj_derived *d, const dwmtj_state *s, int k)
{
    return s->present && in_window(d, k, s->x_hi - s->x_lo, 0.5 * (s->x_lo + s->x_hi));
}

/* dwmtj_eval.t_turn of the step from s0 to s1: the turning point of the
 * trapezoid's velocity (noise weights aside: the host's point need only be
 * near it) when the centre there is inside an MTJ's window and both ends
 * outside, or the reverse.  A step that wrote or lost the domain has other
 * events in it. */
static double turn_time(const dwmtj_derived *d, const dwmtj_state *s0, const dwmtj_state *s1)
{
    double h = s1->t - s0->t;
    if (!(h > 0.0) || !s0->present || !s1->present || !(s0->v * s1->v < 0.0) ||
        s1->n_write != s0->n_write || s1->n_lost != s0->n_lost)
        return INFINITY;
    /* x(tau) = v0 tau + (v1 - v0) tau^2 / (2 h): its extreme at tau_m, v0 tau_m / 2 on */
    double tau = h * s0->v / (s0->v - s1->v);
    double c = 0.5 * (s0->x_lo + s0->x_hi) + 0.5 * s0->v * tau;
    for (int k = 0; k < 2; k++) {
        int in0 = visible(d, s0, k);
        if (in0 == visible(d, s1, k) && in_window(d, k, s0->x_hi - s0->x_lo, c) != in0)
            return s0->t + tau;
    }
    return INFINITY;
}

/* 1 when the segments on the two sides of pillar centre b (0: xa, 1: xb)
 * carry different currents in n (beyond rounding): a wall crossing there
 * changes the domain's velocity. */
static int segments_differ(const dwmtj_net *n, int b)
{
    double i0 = n->i_seg[b], i1 = n->i_seg[b + 1];
    return fabs(i1 - i0) > 1e-9 * fmax(fabs(i0), fabs(i1));
}

/* dwmtj_eval.t_cross of the step from s0 to s1: the first instant inside
 * it at which a wall crossed a pillar's centre whose two segments carry
 * different currents at the step's end (boundary_ahead's event), on the
 * step's path (the trapezoid, noise weights aside); +inf if none.  The
 * step took its end's segments all along, so a host that wants the
 * continuous circuit puts a point there (t_next predicts the arrival from
 * the velocity at the step's start, which the write loop's rising current
 * outruns). */
static double cross_time(const dwmtj_derived *d, const dwmtj_state *s0, const dwmtj_state *s1,
                         const dwmtj_net *n)
{
    if (!(s1->t > s0->t) || !s0->present || !s1->present || s1->n_write != s0->n_write ||
        s1->n_lost != s0->n_lost || s1->n_reset != s0->n_reset)
        return INFINITY;
    const double xs[2] = { d->p.xa, d->p.xb };
    const double half = 0.5 * (s0->x_hi - s0->x_lo), c0 = s0->x_lo + half;
    const double c1 = 0.5 * (s1->x_lo + s1->x_hi);
    const dwmtj_sweep w = { s0->t, s1->t, c0, c1, s0->v, s1->v, 0 };
    double first = INFINITY;
    for (int b = 0; b < 2; b++) {
        if (!segments_differ(n, b))
            continue;
        for (int k = 0; k < 2; k++) {
            double off = k ? half : -half; /* the wall from the centre */
            if ((c0 + off - xs[b]) * (c1 + off - xs[b]) < 0.0)
                first = fmin(first, dwmtj_sweep_time(&w, xs[b] - off));
        }
    }
    return first;
}

/* The time at which the centre passes c on the path of w: the inverse of
 * x(tau) = va tau + (vb - va) tau^2 / 2 (scaled to the path), linear only
 * when the domain stopped at a pin on it.  The velocity may change sign
 * on the path (a step that starts or ends a hair past a turn): the root
 * is then the one on the part that moves along the net displacement, with
 * a and b the velocities along it (a < 0: the path starts backwards; a
 * linear inverse there puts a fire up to a quarter of the step early, which
 * the network's rule, reading t_fire, then counted a clock step early). */
double dwmtj_sweep_time(const dwmtj_sweep *w, double c)
{
    double phi = w->cb != w->ca ? (c - w->ca) / (w->cb - w->ca) : 1.0;
    phi = fmin(1.0, fmax(0.0, phi));
    double u = w->va + w->vb >= 0.0 ? 1.0 : -1.0;
    double a = u * w->va, b = u * w->vb, tau = phi;
    if (!w->linear && a + b > 0.0 && phi > 0.0) {
        double r = sqrt(a * a + phi * (b * b - a * a));
        /* the two forms of one root, each without cancellation */
        tau = a >= 0.0 ? phi * (a + b) / (a + r) : (r - a) / (b - a);
    }
    return w->ta + (w->tb - w->ta) * tau;
}

/* Depinning and fire on the path of one sub-step, at the times the centre
 * crosses the writer's and the reader's midpoint overlaps: a domain that
 * passes the whole reader within the step still fires.  Bit k of
 * *crossed is set when the path ran inside MTJ k's window. */
void dwmtj_sweep_events(const dwmtj_derived *d, dwmtj_state *s, const dwmtj_sweep *w,
                        unsigned *crossed)
{
    int wr = s->writer, r = 1 - wr;
    double ell = s->x_hi - s->x_lo, lo = fmin(w->ca, w->cb), hi = fmax(w->ca, w->cb);
    /* inside a window narrowed by the events' tolerance: a path that ends
     * within rounding of its edge (the host's point at t_next) did not run
     * inside it, and visible() need not agree on the last ulp */
    for (int k = 0; k < 2; k++) {
        double hw = window_half(d, k, ell, d->f_mid[k] + F_EVENT_TOL), x = d->x_mtj[k];
        if (hw > 0.0 && hi > x - hw && lo < x + hw)
            *crossed |= 1u << k;
    }
    if (!s->depinned) {
        double hw = window_half(d, wr, ell, d->f_mid[wr] + F_EVENT_TOL), x = d->x_mtj[wr];
        double t = NAN;
        if (hw < 0.0 || fabs(w->ca - x) > hw)
            t = w->ta;
        else if (fabs(w->cb - x) > hw)
            t = dwmtj_sweep_time(w, w->cb > w->ca ? x + hw : x - hw);
        if (!isnan(t)) {
            s->depinned = 1;
            s->n_depin += 1.0;
            s->t_depin = t;
        }
    }
    if (!s->fired) {
        double hw = window_half(d, r, ell, d->f_mid[r] - F_EVENT_TOL), x = d->x_mtj[r];
        if (hw >= 0.0 && hi >= x - hw && lo <= x + hw) {
            double entry = fabs(w->ca - x) <= hw ? w->ca : (w->ca < x ? x - hw : x + hw);
            s->fired = 1;
            s->n_fire += 1.0;
            s->t_fire = dwmtj_sweep_time(w, entry);
        }
    }
}

/* The trailing wall of s has left the track on the path of w: a reset past
 * the reader's end, a loss past the writer's; returns the time. */
double dwmtj_eject(const dwmtj_derived *d, dwmtj_state *s, const dwmtj_sweep *w)
{
    int wr = s->writer, r = 1 - wr, out_hi = s->x_lo >= d->p.length;
    double ell = s->x_hi - s->x_lo;
    double te = dwmtj_sweep_time(w, out_hi ? d->p.length + 0.5 * ell : -0.5 * ell);
    if ((d->x_mtj[r] > d->x_mtj[wr]) == (out_hi != 0)) {
        s->n_reset += 1.0;
        s->t_reset = te;
    } else {
        s->n_lost += 1.0;
    }
    s->present = 0;
    s->v = 0.0;
    return te;
}

static int phase_of(const dwmtj_derived *d, const dwmtj_state *s0, const dwmtj_net *n1)
{
    if (d->model == DWMTJ_MODEL_THERMAL) {
        /* a write current: at least half the critical one, pillar -> track */
        double half = 0.5 * d->p.i_c0;
        if (-n1->i_mtj[0] >= half || -n1->i_mtj[1] >= half)
            return DWMTJ_PHASE_WRITE;
    } else {
        double half = 0.5 * d->p.i_nuc;
        if (s0->t_wr[0] > 0.0 || s0->t_wr[1] > 0.0 || n1->i_mtj[0] >= half ||
            n1->i_mtj[1] >= half)
            return DWMTJ_PHASE_WRITE;
    }
    if (!s0->present)
        return DWMTJ_PHASE_IDLE;
    if (!s0->fired)
        return DWMTJ_PHASE_INTEGRATE;
    double f[2];
    dwmtj_overlap(d, s0, f);
    return f[1 - s0->writer] >= d->f_mid[1 - s0->writer] ? DWMTJ_PHASE_FIRE : DWMTJ_PHASE_RESET;
}

/* 1 when t is a clock edge of the ideal write periphery (to rounding). */
static int on_rewrite_edge(const dwmtj_derived *d, double t)
{
    double T = d->p.t_rewrite;
    /* floor(x + 0.5), not nearbyint, which follows the rounding mode */
    return T > 0.0 && fabs(t - T * floor(t / T + 0.5)) <= 1e-6 * T;
}

double dwmtj_next_rewrite_edge(const dwmtj_derived *d, double t)
{
    double T = d ? d->p.t_rewrite : 0.0;
    return T > 0.0 ? T * (floor(t / T + 1e-6) + 1.0) : INFINITY;
}

/* m, how far the domain of s goes along its motion until a wall reaches a
 * pillar's centre (xa, xb: where segment_of changes) whose two sides carry
 * different currents in n: the velocity steps there (drive: a rigid domain
 * moves with its walls' mean), so the step that crosses one must end on it
 * or it carries the old velocity past (the write loop's drift stops where
 * the trailing wall leaves IN..A'; doc/model.md).  +inf if none ahead. */
static double boundary_ahead(const dwmtj_derived *d, const dwmtj_state *s, const dwmtj_net *n)
{
    const double xs[2] = { d->p.xa, d->p.xb }, walls[2] = { s->x_lo, s->x_hi };
    double sg = s->v > 0.0 ? 1.0 : -1.0, best = INFINITY;
    for (int b = 0; b < 2; b++) {
        if (!segments_differ(n, b))
            continue;
        for (int k = 0; k < 2; k++) {
            /* a wall a hair short of it counts too: the step that started
             * there would carry the old velocity, as the state has it, over
             * all its length (t_next's floor makes that step DWMTJ_H_MIN) */
            double dist = sg * (xs[b] - walls[k]);
            if (dist > 0.0 && dist < best)
                best = dist;
        }
    }
    return best;
}

/* Next event and longest step from the state at the end of a step. */
static void predict(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s,
                    const dwmtj_net *n, dwmtj_eval *out)
{
    out->t_event = INFINITY;
    out->h_max = INFINITY;
    if (d->model == DWMTJ_MODEL_THERMAL && !s->present) {
        /* the next edge writes, or the write hazard at the end's currents */
        out->t_event = fmin(dwmtj_next_rewrite_edge(d, s->t),
                            dwmtj_thermal_write_predict(d, key, s, n->i_mtj));
        return;
    }
    if (d->model == DWMTJ_MODEL_THERMAL && s->present) {
        /* the held domain's escape at the end's rate, or the next stop */
        out->t_event = dwmtj_thermal_predict(d, s, fabs(s->j), s->temp);
        if (s->v != 0.0) {
            out->t_event = fmin(out->t_event, s->t + boundary_ahead(d, s, n) / fabs(s->v));
            out->h_max = d->p.dx_max / fabs(s->v);
        }
        return;
    }
    if (!s->present) {
        out->t_event = dwmtj_next_rewrite_edge(d, s->t); /* the next edge writes */
        for (int k = 0; k < 2; k++)
            if (s->t_wr[k] > 0.0 && n->i_mtj[k] >= d->p.i_nuc)
                out->t_event = fmin(out->t_event, s->t + (d->p.t_nuc - s->t_wr[k]));
        return;
    }
    if (s->v == 0.0)
        return;
    struct frame f;
    frame_of(d, s, &f);
    int sm = (s->v > 0.0 ? 1 : -1) * (int)f.dirn;
    double speed = fabs(s->v);
    int w = s->writer, r = 1 - w;
    double targets[5];
    int nt = 0;
    /* centre offsets at which the MTJs cross their midpoints */
    double dw = 0.5 * (f.ell + d->l_mtj[w]) - d->f_mid[w] * d->l_mtj[w];
    double dr = 0.5 * (f.ell + d->l_mtj[r]) - d->f_mid[r] * d->l_mtj[r];
    if (!s->depinned)
        targets[nt++] = sm * dw;
    if (!s->fired)
        targets[nt++] = f.dist - dr;
    /* ejection past either end of the track */
    double xend = sm * f.dirn > 0 ? d->p.length : 0.0;
    targets[nt++] = ((xend - f.xw) * f.dirn) + sm * 0.5 * f.ell;
    double best = fmin(stop_ahead(d, &f, sm, fabs(s->v) / d->stt), boundary_ahead(d, s, n));
    for (int k = 0; k < nt; k++) {
        double dist = sm * (targets[k] - f.u);
        if (dist > eps_of(&f) && dist < best)
            best = dist;
    }
    if (isfinite(best))
        out->t_event = s->t + best / speed;
    out->h_max = d->p.dx_max / speed;
}

/* First time in (t, t_end] at which a domain moving at speed has gone
 * dist, each noise slot's share scaled by its 1 + sigma xi as in
 * weights(): read slot by slot up to NOISE_WALK slots, beyond that (where
 * the noise averages out) at the mean; +inf if not by t_end. */
static double reach(const dwmtj_derived *d, uint64_t key, double t, double t_end, double speed,
                    double dist)
{
    double ts = d->p.t_slot, sg = d->p.sigma;
    if (sg == 0.0 || t_end - t > NOISE_WALK * ts) {
        double tr = t + dist / speed;
        return tr <= t_end ? tr : INFINITY;
    }
    double gone = 0.0;
    for (double k = floor(t / ts); k * ts < t_end; k++) {
        double a = fmax(t, k * ts), b = fmin(t_end, (k + 1.0) * ts);
        if (b <= a)
            continue;
        double u = speed * (1.0 + sg * dwmtj_noise_normal(d->p.seed, key, (int64_t)k));
        if (u > 0.0 && gone + u * (b - a) >= dist)
            return a + (dist - gone) / u;
        gone += u * (b - a);
    }
    return INFINITY;
}

/* Distance in m a domain moving at speed goes over [t, t_end], read as in
 * reach(). */
static double travel(const dwmtj_derived *d, uint64_t key, double t, double t_end,
                     double speed)
{
    double ts = d->p.t_slot, sg = d->p.sigma, gone = 0.0;
    if (sg == 0.0 || t_end - t > NOISE_WALK * ts)
        return speed * (t_end - t);
    for (double k = floor(t / ts); k * ts < t_end; k++) {
        double a = fmax(t, k * ts), b = fmin(t_end, (k + 1.0) * ts);
        if (b > a)
            gone += speed * (1.0 + sg * dwmtj_noise_normal(d->p.seed, key, (int64_t)k)) * (b - a);
    }
    return gone;
}

/* The one step-limit policy (dwmtj_eval.t_next) after a step from s0 to
 * s1.  Base, from s1: the next clock edge with t_rewrite (under a drive
 * linear between edges the state there does not depend on the points in
 * between, doc/model.md), else the next event or the dx_max step; within
 * DWMTJ_MAX_SLOTS noise slots.  Then, with the domain carried on from s0
 * at its velocity there: for each MTJ whose window lies ahead of it at t1,
 * if it would pass the window's inner part (INNER clear of its ends)
 * before the base, the time it reaches the window's centre; so that a
 * host sensing R_A or R_B sees the MTJ switch.  s0, the accepted state the step starts
 * from, is the same in every Newton iteration of a step, where s1 is a
 * trial (ngspice keeps the earliest breakpoint of all iterations); a step
 * right after a write is left to the simulator's short first step after
 * a breakpoint.  The network decks (27 nm per 0.1 ns step at most, window
 * 33 nm) never need one. */
static double next_point_of(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s0,
                            const dwmtj_state *s1, const dwmtj_eval *out)
{
    double t1 = s1->t, tn;
    if (d->p.t_rewrite > 0.0)
        tn = dwmtj_next_rewrite_edge(d, t1);
    else
        tn = fmin(out->t_event > t1 ? out->t_event : INFINITY, t1 + out->h_max);
    if (d->p.sigma > 0.0)
        tn = fmin(tn, t1 + (double)(DWMTJ_MAX_SLOTS - 2) * d->p.t_slot);
    if (!s0->present || s0->v == 0.0 || !isfinite(tn))
        return tn;
    double t = s0->t, ell = s0->x_hi - s0->x_lo, c = 0.5 * (s0->x_lo + s0->x_hi);
    double sg = s0->v > 0.0 ? 1.0 : -1.0, speed = fabs(s0->v), t_end = tn;
    double gone = travel(d, key, t, t1, speed); /* by t1 */
    for (int k = 0; k < 2; k++) {
        double hw = (1.0 - 2.0 * INNER) * window_half(d, k, ell, d->f_mid[k]);
        if (!(hw > 0.0))
            continue;
        double a = sg * (d->x_mtj[k] - c) - hw, b = a + 2.0 * hw; /* m ahead at t */
        if (a > gone && reach(d, key, t, t_end, speed, b) <= t_end)
            tn = fmin(tn, reach(d, key, t, t_end, speed, 0.5 * (a + b)));
    }
    return tn;
}

/* ... never sooner than DWMTJ_H_MIN: an event predicted from the end of a
 * step that fell just short of it would otherwise be approached in ever
 * shorter steps (each one's end velocity predicts it a little early). */
static double next_point(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s0,
                         const dwmtj_state *s1, const dwmtj_eval *out)
{
    return fmax(next_point_of(d, key, s0, s1, out), s1->t + DWMTJ_H_MIN);
}

/* A new domain of length l_nuc (or the pillar's) centred under pillar k,
 * which becomes the writer; t is the time of the write. */
static void nucleate_under(const dwmtj_derived *d, uint64_t key, int keyed, dwmtj_state *s,
                           int k, double t)
{
    double ell = d->p.l_nuc > 0.0 ? d->p.l_nuc : d->l_mtj[k];
    s->present = 1;
    s->writer = k;
    s->fired = s->depinned = 0;
    s->x_lo = d->x_mtj[k] - 0.5 * ell;
    s->x_hi = d->x_mtj[k] + 0.5 * ell;
    s->n_write += 1.0;
    s->t_write = t;
    dwmtj_thermal_written(d, key, keyed, s); /* held at the stop under the writer */
}

/* The first clock edge of the write periphery after t_after (the step's
 * start, or the edge that wrote last) and at or after t_from (to
 * rounding), up to t1 (one on t1 to rounding gives t1); a zero-length step
 * writes when it is on an edge; +inf when none. */
static double edge_in(const dwmtj_derived *d, double t0, double t1, double t_after,
                      double t_from)
{
    double T = d->p.t_rewrite;
    if (!(T > 0.0))
        return INFINITY;
    if (t1 == t0)
        return on_rewrite_edge(d, t1) ? t1 : INFINITY;
    double e = fmax(dwmtj_next_rewrite_edge(d, t_after), T * ceil(t_from / T - 1e-6));
    return e <= t1 + 1e-6 * T ? fmin(e, t1) : INFINITY;
}

/* The domain of s moved by dx along the monotone path w: its events, and
 * 1 when its trailing wall left the track there (*t_left: when). */
static int sweep(const dwmtj_derived *d, dwmtj_state *s, const dwmtj_sweep *w, double dx,
                 unsigned *crossed, double *t_left)
{
    s->x_lo += dx;
    s->x_hi += dx;
    dwmtj_sweep_events(d, s, w, crossed);
    if (s->x_lo >= d->p.length || s->x_hi <= 0.0) {
        *t_left = dwmtj_eject(d, s, w);
        return 1;
    }
    return 0;
}

/* Moves the domain of s0 over [s0->t, s1->t] into s1 while the wall
 * current density goes linearly from s0->j to j1 (the simulator's voltages
 * are linear within a step).  Sub-steps resolve depinning inside the step,
 * so that a long step starting at rest moves the domain as short ones do;
 * the path of each is searched for events (sweep_events), and a trailing
 * wall off the track ejects the domain at the time it left (*t_left).
 * *dx_dj1 = d x1 / d j1. */
static int move(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s0, dwmtj_state *s1,
                double j1, double *dx_dj1, double *t_left, unsigned *crossed)
{
    double t0 = s0->t, h = s1->t - t0, j0 = s0->j;
    *dx_dj1 = 0.0;
    if (!slots_ok(d, t0, s1->t))
        return DWMTJ_ERR_STEP_LONG;
    double vmax = fmax(fabs(s0->v), fabs(d->v_field) + d->stt * fmax(fabs(j0), fabs(j1)));
    double nsub = ceil(h * vmax / d->p.dx_max);
    int ns = nsub < 1.0 || d->flat ? 1 : (nsub > MAX_SUB ? MAX_SUB : (int)nsub);
    double va = s0->v, dva = 0.0, ta = t0;
    for (int k = 1; k <= ns && s1->present; k++) {
        double tau = (double)k / ns, tb = t0 + h * tau;
        struct motion mb;
        velocity(d, s1, j0 + (j1 - j0) * tau, &mb);
        double w0, w1;
        weights(d, key, ta, tb, &w0, &w1);
        double dx = va * w0 + mb.v * w1;
        double ddx = w0 * dva + w1 * mb.dv_dj * tau;
        int held = 0;
        if (dx != 0.0 && !d->flat) {
            struct frame f;
            frame_of(d, s1, &f);
            int sm = (dx > 0.0 ? 1 : -1) * (int)f.dirn;
            double J = (mb.sm == sm) ? mb.J : fabs(va) / d->stt;
            double room = stop_ahead(d, &f, sm, J);
            if (fabs(dx) >= room) {
                /* held where the threshold ahead meets the drive */
                dx = dx > 0.0 ? room : -room;
                ddx = -*dx_dj1;
                mb.v = 0.0;
                mb.dv_dj = 0.0;
                held = 1;
            }
        }
        double ca = 0.5 * (s1->x_lo + s1->x_hi);
        *dx_dj1 += ddx;
        double tm = NAN, dxa = 0.0;
        if (!held && va * mb.v < 0.0) {
            /* the velocity, linear in time, changes sign inside: the path
             * turns at tm, dxa from its start */
            double wa0, wa1;
            tm = ta + (tb - ta) * va / (va - mb.v);
            weights(d, key, ta, tm, &wa0, &wa1);
            dxa = va * wa0;
        }
        if (!isnan(tm) && (s1->x_hi + dxa <= 0.0 || s1->x_lo + dxa >= d->p.length)) {
            /* the turning point is off the track: the domain is ejected
             * on the way there, though the step's end would have it back
             * (a domain pushed back past IN and driven forward again
             * within one step is lost).  A turn that stays on the track
             * keeps the one path of its ends: its window events need the
             * host's time points, which a drive's turn inside a step does
             * not give (doc/model.md) */
            dwmtj_sweep wa = { ta, tm, ca, ca + dxa, va, 0.0, 0 };
            sweep(d, s1, &wa, dxa, crossed, t_left);
            break;
        }
        dwmtj_sweep w = { ta, tb, ca, ca + dx, va, mb.v, held };
        if (sweep(d, s1, &w, dx, crossed, t_left))
            break;
        va = mb.v;
        dva = mb.dv_dj * tau;
        ta = tb;
    }
    return DWMTJ_OK;
}

/* The safe operating area at the end of a step: each quantity that
 * leaves its limit is counted once until it is back (state soa_*). */
static int soa_check(const dwmtj_derived *d, dwmtj_state *s, const dwmtj_net *n,
                     const double vbar[2], const dwmtj_heat *heat)
{
    /* the temperature's highest point within the step (it peaks inside a
     * step that ends a pulse); the voltages, linear, peak at its ends */
    double t_pk = s->t;
    int peak = heat && dwmtj_soa_limit(d, DWMTJ_SOA_TEMP) > 0.0; /* else unchecked */
    double q[4] = { 0.0, fmax(fabs(vbar[0]), fabs(vbar[1])), 0.0,
                    peak ? fmax(s->temp, dwmtj_heat_peak(heat, &t_pk)) : s->temp };
    for (int k = 0; k < 3; k++)
        q[DWMTJ_SOA_CURRENT] = fmax(q[DWMTJ_SOA_CURRENT], fabs(n->i_seg[k]) / d->area);
    int status = DWMTJ_OK;
    for (int w = DWMTJ_SOA_BARRIER; w <= DWMTJ_SOA_TEMP; w++) {
        double lim = dwmtj_soa_limit(d, w);
        unsigned bit = 1u << w;
        if (lim > 0.0 && q[w] > lim) {
            if (!(s->soa_on & bit)) {
                s->soa_on |= bit;
                s->n_soa += 1.0;
                s->soa_what = w;
                s->soa_value = q[w];
                s->soa_t = w == DWMTJ_SOA_TEMP ? t_pk : s->t;
                status = DWMTJ_WARN_SOA;
            }
        } else {
            s->soa_on &= ~bit;
        }
    }
    return status;
}

double dwmtj_soa_limit(const dwmtj_derived *d, int what)
{
    if (!d)
        return 0.0;
    switch (what) {
    case DWMTJ_SOA_BARRIER: return d->p.v_bd;
    case DWMTJ_SOA_CURRENT: return d->p.j_max;
    case DWMTJ_SOA_TEMP: return d->p.t_max;
    default: return 0.0;
    }
}

const char *dwmtj_soa_string(int what, const char **unit)
{
    static const char *const name[] = { NULL, "barrier voltage", "track current density",
                                         "device temperature" };
    static const char *const units[] = { NULL, "V", "A/m^2", "K" };
    if (what < DWMTJ_SOA_BARRIER || what > DWMTJ_SOA_TEMP)
        return NULL;
    if (unit)
        *unit = units[what];
    return name[what];
}

/* The time in [t_from, t1] at which pillar k's write completes, or +inf:
 * the paper's model, a current from the track into it at or above i_nuc
 * for t_nuc (times a, b above it, timer t_wr); the thermal model, its
 * write hazard reaching the draw while the track is empty. */
struct writes {
    double t_nuc[2], t_off[2];  /* paper: when the timer completes, when it stops */
    double i0[2], i1[2];        /* thermal: pillar -> track current at the step's ends */
    double hz_end[2];           /* thermal: write hazard at the step's end */
};

static double write_time(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s,
                         double t0, double t1, int k, double t_from, const dwmtj_heat *q,
                         struct writes *w)
{
    if (d->model != DWMTJ_MODEL_THERMAL) {
        /* a timer within 1e-6 t_nuc of t_nuc when its current stops (or
         * the step ends) has run: its sum over the host's steps rounds
         * either way, and a write a femtosecond into the next step would
         * start the domain there from the voltages of the empty track (the
         * cell's first write ends on a clock edge: doc/cell.md) */
        double tk = fmax(w->t_nuc[k], t_from);
        return tk <= w->t_off[k] + 1e-6 * d->p.t_nuc ? fmin(tk, w->t_off[k]) : INFINITY;
    }
    dwmtj_state now = *s;
    now.t = t0;
    return dwmtj_thermal_write_time(d, key, &now, k, t_from, t1, w->i0[k], w->i1[k], q,
                                    &w->hz_end[k]);
}

/* Velocity and wall current density of s at the network n (the end of a
 * step or an instant within it). */
static void end_motion(const dwmtj_derived *d, dwmtj_state *s, const dwmtj_net *n)
{
    struct motion m;
    s->v = s->j = 0.0;
    if (!s->present)
        return;
    drive(d, s, n, &m);
    s->j = m.j;
    if (d->model == DWMTJ_MODEL_THERMAL)
        s->v = s->held ? 0.0
                       : d->v_field + d->stt * d->p.ms / dwmtj_ms_at(d, s->temp) * m.j;
    else
        s->v = m.v;
}

/* The domain of s0 moved to s1->t under the drive m1 at the end (one seam
 * per model); dx_dv: d (centre at t1) / d v, 0 while held. */
static int motion_of(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s0,
                     dwmtj_state *s1, const struct motion *m1, const dwmtj_heat *q,
                     double *t_empty, unsigned *crossed, double dx_dv[DWMTJ_NTERM],
                     double *dxdj)
{
    double dx_dj1 = 0.0;
    int st;
    if (d->model == DWMTJ_MODEL_THERMAL) {
        double t_free, t0 = s0->t, t1 = s1->t, h = t1 - t0;
        st = dwmtj_thermal_move(d, key, s0, s1, m1->j, q, t_empty, crossed, &t_free);
        if (st >= 0 && s1->present && !isnan(t_free) && h > 0.0) {
            /* free since t_free: x1 grows with the drive's line to j1 by
             * stt (t - t0)/h over [t_free, t1] */
            double stt = d->stt * d->p.ms / dwmtj_ms_at(d, s1->temp);
            dx_dj1 = stt * ((t1 - t0) * (t1 - t0) - (t_free - t0) * (t_free - t0)) / (2.0 * h);
        }
    } else {
        st = move(d, key, s0, s1, m1->j, &dx_dj1, t_empty, crossed);
    }
    for (int k = 0; k < DWMTJ_NTERM; k++)
        dx_dv[k] = st >= 0 && s1->present ? dx_dj1 * m1->dj_dv[k] : 0.0;
    if (dxdj)
        *dxdj = st >= 0 && s1->present ? dx_dj1 : 0.0;
    return st;
}

int dwmtj_step(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s0,
               double t1, const double v[DWMTJ_NTERM], dwmtj_state *s1,
               dwmtj_eval *out)
{
    return dwmtj_step_for(d, key, s0, t1, v, s1, out, DWMTJ_NEED_ALL);
}

/* 1 when MTJ k carries current in n: more than 1e-9 of the track's.  A
 * pillar left open (the ideal periphery's A and B) carries only the
 * host's solver residue, ~1e-12 of it, and its resistance does not enter
 * the drive. */
static int carries(const dwmtj_net *n, int k)
{
    return fabs(n->i_mtj[k]) > 1e-9 * (fabs(n->i_seg[0]) + fabs(n->i_seg[2]));
}

/* s1 as a step from s0 to t1 at terminal voltages v starts. */
static void begin(const dwmtj_derived *d, const dwmtj_state *s0, double t1,
                  const double v[DWMTJ_NTERM], dwmtj_state *s1)
{
    *s1 = *s0;
    s1->t = t1;
    if (!(s1->temp > 0.0))
        s1->temp = d->t_amb;
    memcpy(s1->v_term, v, sizeof s1->v_term);
}

/* The step of dwmtj_step_for and dwmtj_step_open under the bias b (its
 * voltages at t1); dx_di (may be NULL, open only): d x1 / d b->i. */
static int step(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s0, double t1,
                const struct bias *b, dwmtj_state *s1, dwmtj_eval *out, unsigned needs,
                double *dx_di)
{
    const double *v = b->v;
    if (!isfinite(t1) || !(t1 >= s0->t))
        return DWMTJ_ERR_TIME;
    for (int k = 0; k < DWMTJ_NTERM; k++)
        if (!isfinite(v[k]))
            return DWMTJ_ERR_INPUT;
    if (b->open && !isfinite(b->i))
        return DWMTJ_ERR_INPUT;
    int status = DWMTJ_OK, thermal = d->model == DWMTJ_MODEL_THERMAL;
    double t0 = s0->t, h = t1 - t0;
    begin(d, s0, t1, v, s1);

    double dg_dx[2], vbar[2];
    double dx_dv[DWMTJ_NTERM] = { 0, 0, 0, 0 };
    double t_empty = t0; /* since when the track has been empty */
    double t_edge = t0;  /* the edge of the last write (edges after it count) */
    unsigned crossed = 0;
    dwmtj_net n;
    /* the step's end through the network as it was: the drive, and the
     * power the temperature path ends at */
    net_of(d, s0, b, &n, NULL, NULL);
    double p_est = 0.0;
    for (int k = 0; k < DWMTJ_NTERM; k++)
        p_est += v[k] * n.i[k];
    dwmtj_heat q;
    dwmtj_heat_init(d, s0, t1, p_est, &q);
    if (s0->present && h > 0.0) {
        struct motion m1;
        drive(d, s0, &n, &m1);
        double dxdj = 0.0;
        int st = motion_of(d, key, s0, s1, &m1, &q, &t_empty, &crossed, dx_dv, &dxdj);
        if (st < 0)
            return st;
        /* the end's drive through the MTJs of the end: where the domain
         * moved under an MTJ that carries current (the cell's write loop
         * through MTJ_A, a read bias through MTJ_B), the step's end current
         * is the one its currents below have; without this the motion lags
         * the resistance by a step (the write's drift 0.34 nm short of the
         * 12.44 nm of doc/cell.md at the circuit's steps).  The fixed point
         * j = J(x(j)) by Newton's method: k = x'(j) J'(x) (J' a difference
         * over 1 pm), which also gives the position's own part of dx/dv. */
        int moved = 0, ca = carries(&n, 0), cb = carries(&n, 1);
        if (s1->present && (ca || cb)) {
            double r0[2], r1[2];
            dwmtj_mtj_resistance(d, s0, r0);
            dwmtj_mtj_resistance(d, s1, r1);
            moved = (ca && r0[0] != r1[0]) || (cb && r0[1] != r1[1]);
        }
        double k = 0.0;
        for (int pass = 0; pass < 6 && moved && s1->present; pass++) {
            dwmtj_net ne;
            struct motion me;
            net_of(d, s1, b, &ne, NULL, NULL);
            drive(d, s0, &ne, &me);
            if (pass == 0 && dxdj != 0.0) {
                const double dlt = 1e-12;
                dwmtj_state sx = *s1;
                sx.x_lo += dlt;
                sx.x_hi += dlt;
                struct motion mx;
                net_of(d, &sx, b, &ne, NULL, NULL);
                drive(d, s0, &ne, &mx);
                k = dxdj * (mx.j - me.j) / dlt;
                if (!(fabs(1.0 - k) > 0.1))
                    k = 0.0; /* no Newton step where the fixed point is steep */
            }
            double r = me.j - m1.j;
            if (!(fabs(r) > 1e-12 * fabs(m1.j)))
                break;
            /* the velocity at the new end current, with its segments' dj/dv */
            velocity(d, s0, m1.j + r / (1.0 - k), &me);
            m1 = me;
            begin(d, s0, t1, v, s1); /* again: cheaper than a copy kept for
                                        the few steps that come here */
            t_empty = t0;
            crossed = 0;
            memset(dx_dv, 0, sizeof dx_dv);
            if ((st = motion_of(d, key, s0, s1, &m1, &q, &t_empty, &crossed, dx_dv, &dxdj)) < 0)
                return st;
        }
        if (moved && s1->present && k != 0.0)
            for (int t = 0; t < DWMTJ_NTERM; t++)
                dx_dv[t] /= 1.0 - k;
    }

    /* write: the paper's model, the current from the track into a pillar
     * at or above i_nuc for t_nuc (timed over the step); the thermal model,
     * the pillar's write hazard; or the clock edge; at the first instant
     * the track is empty.  The new domain moves for the rest of the step. */
    net_of(d, s1, b, &n, dg_dx, vbar); /* the step's end unless it writes */
    int wrote = 0;
    struct writes wr;
    double i_end[2] = { n.i_mtj[0], n.i_mtj[1] };
    for (int k = 0; k < 2; k++) {
        double a, b;
        above(t0, t1, s0->i_mtj[k], n.i_mtj[k], d->p.i_nuc, &a, &b);
        wr.t_nuc[k] = a <= b ? a + fmax(0.0, d->p.t_nuc - s0->t_wr[k]) : INFINITY;
        wr.t_off[k] = b;
        s1->t_wr[k] = n.i_mtj[k] >= d->p.i_nuc ? s0->t_wr[k] + (b - a) : 0.0;
        wr.i0[k] = -s0->i_mtj[k];
        wr.i1[k] = -n.i_mtj[k];
        wr.hz_end[k] = s0->hz_wr[k];
    }
    for (int writes = 0; !s1->present; writes++) {
        int k_w = -1;
        double tw = INFINITY;
        for (int k = 0; k < 2; k++) {
            double tk = write_time(d, key, s1, t0, t1, k, t_empty, &q, &wr);
            if (tk <= t1 && (tk < tw || (tk == tw && (thermal ? wr.i1[k] > wr.i1[k_w]
                                                              : i_end[k] > i_end[k_w])))) {
                tw = tk;
                k_w = k;
            }
        }
        double te = edge_in(d, t0, t1, t_edge, t_empty);
        if (te < tw) {
            tw = t_edge = te;
            k_w = s1->writer; /* the ideal periphery's write, at the edge */
        }
        if (k_w < 0) {
            if (thermal) /* the hazard while empty carries over */
                for (int k = 0; k < 2; k++)
                    s1->hz_wr[k] = wr.hz_end[k];
            break;
        }
        if (writes == DWMTJ_MAX_WRITES)
            return DWMTJ_ERR_STEP_LONG;
        nucleate_under(d, key, 1, s1, k_w, tw);
        wrote = 1;
        memset(dx_dv, 0, sizeof dx_dv);
        if (tw >= t1)
            break; /* its velocity below comes from the drive at t1 */
        /* the drive at tw on the voltages linear over the step */
        double vw[DWMTJ_NTERM], c = (tw - t0) / h;
        for (int k = 0; k < DWMTJ_NTERM; k++)
            vw[k] = s0->v_term[k] + (v[k] - s0->v_term[k]) * c;
        const struct bias bw = { vw, b->open,
                                 s0->i_term[DWMTJ_IN] + (b->i - s0->i_term[DWMTJ_IN]) * c };
        dwmtj_state a = *s1;
        a.t = tw;
        a.temp = dwmtj_heat_temp(&q, tw);
        struct motion m1;
        net_of(d, &a, &bw, &n, NULL, NULL);
        end_motion(d, &a, &n);
        net_of(d, &a, b, &n, NULL, NULL);
        drive(d, &a, &n, &m1);
        int st = motion_of(d, key, &a, s1, &m1, &q, &t_empty, &crossed, dx_dv, NULL);
        if (st < 0)
            return st;
        for (int k = 0; k < 2; k++)
            wr.hz_end[k] = 0.0;
    }
    if (wrote)
        net_of(d, s1, b, &n, dg_dx, vbar);
    s1->i_mtj[0] = n.i_mtj[0];
    s1->i_mtj[1] = n.i_mtj[1];

    double p1 = 0.0, cross = 0.0;
    for (int k = 0; k < DWMTJ_NTERM; k++) {
        p1 += v[k] * n.i[k];
        cross += s0->v_term[k] * n.i[k] + v[k] * s0->i_term[k];
    }
    memcpy(s1->i_term, n.i, sizeof s1->i_term);
    /* the temperature at the end, on the power's line to p1 */
    if (h > 0.0) {
        dwmtj_heat_init(d, s0, t1, p1, &q);
        s1->temp = dwmtj_heat_temp(&q, t1);
    }

    /* velocity at the end of the step, for the next step's trapezoid */
    end_motion(d, s1, &n);
    for (int k = 0; k < 2; k++)
        if ((crossed >> k & 1u) && !visible(d, s0, k) && !visible(d, s1, k))
            status = DWMTJ_WARN_UNSEEN;
    if (soa_check(d, s1, &n, vbar, h > 0.0 ? &q : NULL) == DWMTJ_WARN_SOA)
        status = DWMTJ_WARN_SOA;

    int phase = phase_of(d, s0, &n);
    if (h > 0.0)
        /* the integral of v.i over the step, exact when the terminal
         * voltages and currents are linear on it (Simpson's rule on their
         * product, a quadratic): the drive between the exact points; the
         * trapezoid of the end powers would overestimate a ramped drive's
         * I^2 R by h R dI^2 / 6, whatever the step's length */
        s1->energy[phase] += h * (2.0 * (s0->power + p1) + cross) / 6.0;
    s1->power = p1;

    if (dx_di)
        *dx_di = dx_dv[DWMTJ_IN]; /* open: per ampere of b->i */
    if (out) {
        memcpy(out->i, n.i, sizeof n.i);
        for (int i = 0; i < DWMTJ_NTERM; i++)
            for (int j = 0; j < DWMTJ_NTERM; j++) {
                out->g_static[i][j] = b->open ? NAN : n.G[i][j];
                out->g[i][j] = b->open ? NAN
                                       : n.G[i][j] + (n.di_dga[i] * dg_dx[0] +
                                                      n.di_dgb[i] * dg_dx[1]) * dx_dv[j];
            }
        out->phase = phase;
        out->t_turn = turn_time(d, s0, s1);
        out->t_cross = cross_time(d, s0, s1, &n);
        for (int k = 0; k < DWMTJ_NTERM; k++)
            out->dx_dv[k] = b->open ? NAN : dx_dv[k];
        /* a clocked device's t_next is the next clock edge (next_point):
         * the prediction would only fill t_event and h_max */
        if ((needs & DWMTJ_NEED_EVENT) || !(d->p.t_rewrite > 0.0)) {
            predict(d, key, s1, &n, out);
        } else {
            out->t_event = NAN;
            out->h_max = NAN;
        }
        out->t_next = next_point(d, key, s0, s1, out);
    }
    return status;
}

int dwmtj_step_for(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s0,
                   double t1, const double v[DWMTJ_NTERM], dwmtj_state *s1,
                   dwmtj_eval *out, unsigned needs)
{
    if (!d || !s0 || !v || !s1)
        return DWMTJ_ERR_NULL;
    const struct bias b = { v, 0, 0.0 };
    return step(d, key, s0, t1, &b, s1, out, needs, NULL);
}

int dwmtj_step_open(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s0, double t1,
                    double i_in, dwmtj_state *s1, dwmtj_eval *out, double *dx_di,
                    unsigned needs)
{
    if (!d || !s0 || !s1)
        return DWMTJ_ERR_NULL;
    double v[DWMTJ_NTERM];
    dwmtj_open_voltages(d, i_in, v, NULL);
    const struct bias b = { v, 1, i_in };
    return step(d, key, s0, t1, &b, s1, out, needs, dx_di);
}

int dwmtj_dc(const dwmtj_derived *d, uint64_t key, const double v[DWMTJ_NTERM],
             dwmtj_state *s, dwmtj_eval *out)
{
    if (!d || !v || !s)
        return DWMTJ_ERR_NULL;
    dwmtj_state s0;
    dwmtj_state_init(&s0, 0.0);
    s0.temp = d->t_amb;
    int st = dwmtj_step(d, key, &s0, 0.0, v, s, out);
    if (st < 0)
        return st;
    /* the steady temperature of the power at the operating point */
    s->temp = d->t_amb + d->p.r_th * s->power;
    dwmtj_net n;
    double vbar[2];
    const struct bias b = { v, 0, 0.0 };
    net_of(d, s, &b, &n, NULL, vbar);
    /* the operating point is one evaluation: its step's entries are not
     * kept, the check at the steady temperature counts once */
    s->soa_on = 0;
    s->n_soa = s0.n_soa;
    int soa = soa_check(d, s, &n, vbar, NULL);
    if (soa != DWMTJ_OK)
        return soa;
    return st == DWMTJ_WARN_SOA ? DWMTJ_OK : st;
}

int dwmtj_eval_static(const dwmtj_derived *d, const dwmtj_state *s,
                      const double v[DWMTJ_NTERM], dwmtj_eval *out)
{
    if (!d || !s || !v || !out)
        return DWMTJ_ERR_NULL;
    for (int k = 0; k < DWMTJ_NTERM; k++)
        if (!isfinite(v[k]))
            return DWMTJ_ERR_INPUT;
    dwmtj_net n;
    const struct bias b = { v, 0, 0.0 };
    net_of(d, s, &b, &n, NULL, NULL);
    memcpy(out->i, n.i, sizeof n.i);
    memcpy(out->g, n.G, sizeof n.G);
    memcpy(out->g_static, n.G, sizeof n.G);
    out->t_event = INFINITY;
    out->h_max = INFINITY;
    out->t_next = INFINITY;
    out->t_turn = out->t_cross = INFINITY;
    out->phase = phase_of(d, s, &n);
    return DWMTJ_OK;
}

int dwmtj_write(const dwmtj_derived *d, dwmtj_state *s, int mtj)
{
    if (!d || !s)
        return DWMTJ_ERR_NULL;
    if (mtj != 0 && mtj != 1)
        return DWMTJ_ERR_INPUT;
    if (s->present)
        return DWMTJ_WARN_PRESENT;
    nucleate_under(d, 0, 0, s, mtj, s->t);
    s->v = s->j = 0.0;
    return DWMTJ_OK;
}

void dwmtj_open_voltages(const dwmtj_derived *d, double i_in, double v[DWMTJ_NTERM],
                         double dv_di[DWMTJ_NTERM])
{
    if (!d || !v)
        return;
    for (int k = 0; k < DWMTJ_NTERM; k++) {
        v[k] = d->r_open[k] * i_in;
        if (dv_di)
            dv_di[k] = d->r_open[k];
    }
}

int dwmtj_step_current(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s0,
                       double t1, double i_in, dwmtj_state *s1, double *dx_di)
{
    int st = dwmtj_step_open(d, key, s0, t1, i_in, s1, NULL, dx_di, 0);
    if (st == DWMTJ_WARN_UNSEEN)
        st = DWMTJ_OK; /* A and B open: no circuit senses the MTJs */
    if (dx_di && st < 0)
        *dx_di = 0.0;
    return st;
}

double dwmtj_fire_distance(const dwmtj_derived *d, const dwmtj_state *s)
{
    if (!d || !s || !s->present)
        return NAN;
    struct frame f;
    frame_of(d, s, &f);
    int r = 1 - s->writer;
    /* centre offset from the reader at which its overlap is f_mid */
    double off = 0.5 * (f.ell + d->l_mtj[r]) - d->f_mid[r] * d->l_mtj[r];
    return (f.dist - off) - f.u;
}

double dwmtj_fire_distance_at(const dwmtj_derived *d, double x)
{
    if (!d || !isfinite(x))
        return NAN;
    dwmtj_state s;
    dwmtj_state_init(&s, 0.0);
    double half = 0.5 * (d->p.l_nuc > 0.0 ? d->p.l_nuc : d->l_mtj[0]);
    s.present = 1;
    s.x_lo = x - half;
    s.x_hi = x + half;
    return dwmtj_fire_distance(d, &s);
}
