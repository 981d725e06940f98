/* Shared between the files of libdwmtj; not installed. */
#ifndef DWMTJ_INTERNAL_H
#define DWMTJ_INTERNAL_H

#include "dwmtj.h"

/* One solve of the network at fixed MTJ conductances. */
typedef struct dwmtj_net {
    double ga, gb;                           /* S, MTJ conductances used */
    double vpa, vpb;                         /* V, track points under A, B */
    double dvpa[DWMTJ_NTERM], dvpb[DWMTJ_NTERM]; /* 1, their terminal sensitivities */
    double G[DWMTJ_NTERM][DWMTJ_NTERM];      /* S, reduced conductance matrix */
    double i[DWMTJ_NTERM];                   /* A, currents into the terminals */
    double i_seg[3];                         /* A, segment currents along +x */
    double di_seg[3][DWMTJ_NTERM];           /* S, their terminal sensitivities */
    double i_mtj[2];                         /* A, MTJ currents track -> pillar */
    double di_dga[DWMTJ_NTERM];              /* A/S, d i / d ga */
    double di_dgb[DWMTJ_NTERM];              /* A/S, d i / d gb */
} dwmtj_net;

void dwmtj_solve(const dwmtj_derived *d, double ga, double gb,
                 const double v[DWMTJ_NTERM], dwmtj_net *n);
/* The network with MTJ overlaps f: with v_h > 0 each MTJ's conductance
 * follows its barrier voltage (fixed point); currents from the secant
 * conductances, G the Jacobian from the incremental ones; the barrier
 * voltages into vbar (pillar terminal - track point) and dg_df[k], the
 * conductance per unit overlap at that bias. */
void dwmtj_solve_mtj(const dwmtj_derived *d, const double f[2], const double v[DWMTJ_NTERM],
                     dwmtj_net *n, double vbar[2], double dg_df[2]);

/* One piece of the domain's path: the centre goes from ca at ta to cb at
 * tb, the velocity linearly from va to vb (the trapezoid). */
typedef struct dwmtj_sweep {
    double ta, tb, ca, cb; /* s, s, m, m */
    double va, vb;         /* m/s */
    int linear;            /* 1: stopped at a pin within it; time linear in path */
} dwmtj_sweep;
double dwmtj_sweep_time(const dwmtj_sweep *w, double c);
void dwmtj_sweep_events(const dwmtj_derived *d, dwmtj_state *s, const dwmtj_sweep *w,
                        unsigned *crossed);
double dwmtj_eject(const dwmtj_derived *d, dwmtj_state *s, const dwmtj_sweep *w);

/* The temperature over one step: C dT/dt = P - (T - T_amb)/R_th with the
 * power linear from p0 to p1 (dwmtj_thermal.c). */
typedef struct dwmtj_heat {
    double t0, h;     /* s, the step's start and length */
    double t_amb;     /* K */
    double r, tau;    /* K/W, s */
    double y0;        /* K, rise above ambient at t0 */
    double p0, p1;    /* W, power at the step's ends */
} dwmtj_heat;
void dwmtj_heat_init(const dwmtj_derived *d, const dwmtj_state *s0, double t1, double p1,
                     dwmtj_heat *q);
double dwmtj_heat_temp(const dwmtj_heat *q, double t);

/* Thermal model (dwmtj_thermal.c). */
int dwmtj_derive_thermal(dwmtj_derived *d);
int dwmtj_next_stop(const dwmtj_derived *d, const dwmtj_state *s, double c, int dir,
                    double reach, dwmtj_stop *out);
/* keyed 0: the caller (dwmtj_write) has no key; the first step draws */
void dwmtj_thermal_written(const dwmtj_derived *d, uint64_t key, int keyed, dwmtj_state *s);
double dwmtj_thermal_write_time(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s0,
                                int k, double t_from, double t1, double i0, double i1,
                                const dwmtj_heat *q, double *hz_end);
/* *t_free: from when the domain moved freely up to the step's end (NaN:
 * held or gone at the end), for d x1 / d j1 */
int dwmtj_thermal_move(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s0,
                       dwmtj_state *s1, double j1, const dwmtj_heat *q, double *t_left,
                       unsigned *crossed, double *t_free);
/* The predicted write of an empty track at currents i_mtj (track -> pillar)
 * held constant; +inf when none. */
double dwmtj_thermal_write_predict(const dwmtj_derived *d, uint64_t key, const dwmtj_state *s,
                                   const double i_mtj[2]);
/* K, the highest temperature of the heat path over its step, and when. */
double dwmtj_heat_peak(const dwmtj_heat *q, double *t_peak);
double dwmtj_thermal_predict(const dwmtj_derived *d, const dwmtj_state *s, double J, double T);
void dwmtj_overlap_one(const dwmtj_derived *d, double lo, double hi, int k,
                       double *f, double *df_dx);
void dwmtj_mtj_conductance(const dwmtj_derived *d, const double f[2], double g[2]);

#endif
