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
void dwmtj_overlap_one(const dwmtj_derived *d, double lo, double hi, int k,
                       double *f, double *df_dx);
void dwmtj_mtj_conductance(const dwmtj_derived *d, const double f[2], double g[2]);

#endif
