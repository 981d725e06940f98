/* Private interface between network.c and the neuron models
 * (neuron_lif.c, neuron_dwmtj.c).  Not installed. */
#ifndef DWMTJ_SNN_NEURON_H
#define DWMTJ_SNN_NEURON_H

#include "dwmtj.h"
#include "dwmtj_weights.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* Surrogate dS/du at x = u - 1 (fast sigmoid, peak 1). */
static inline double snn_surrogate(double x, double k)
{
    double d = 1.0 + k * fabs(x);
    return 1.0 / (d * d);
}

/* Smooth spike of the gradient-check mode: derivative is snn_surrogate. */
static inline double snn_smooth_spike(double x, double k)
{
    return 1.0 / k + x / (1.0 + k * fabs(x));
}

/* SplitMix64 finaliser (Steele, Lea, Flood, OOPSLA 2014). */
static inline uint64_t snn_mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Per-layer, per-step records for the backward pass, [T][n] each. */
typedef struct snn_rec {
    double *psi;        /* dS/du (0 where no spike is possible) */
    double *A;          /* du(t)/da(t) (DW-MTJ) */
    double *B;          /* du(t)/da(t-1) (DW-MTJ) */
    unsigned char *C;   /* du(t)/du(t-1) is 1 (DW-MTJ) */
} snn_rec;

/* ---- LIF (neuron_lif.c) ---- */
/* One step of n neurons: u holds the post-reset membrane of the previous
 * step and is updated; s, psi, v (pre-reset membrane) are outputs. */
void snn_lif_step(int n, double beta, double k, int smooth, double *u,
                  const double *a, double *s, double *psi, double *v);
/* da[t][o] = dL/da from dL/ds (ds) and the direct dL/dv (direct, may be
 * NULL), through v(t+1) = beta (v(t) - s(t)) + a(t+1), s detached. */
void snn_lif_backward(int T, int n, double beta, const double *psi,
                      const double *ds, const double *direct, double *da);

/* ---- DW-MTJ (neuron_dwmtj.c) ---- */

/* A libdwmtj call that did not return DWMTJ_OK.  Warnings (positive
 * statuses) fail too: a step the library took otherwise than asked (e.g.
 * without its noise) or a write over a domain is not the model's result. */
typedef struct snn_devfail {
    int status;       /* libdwmtj status, non-zero */
    const char *call; /* the libdwmtj function that returned it */
    int layer;        /* 1..n_layers; 0 = not one layer's (setup, the start of an image) */
    int neuron;       /* index in the layer (in all layers at an image's start); -1 none */
    int step;         /* time step; -1 outside the steps */
} snn_devfail;

/* The failure in words into buf (n bytes): the call, the status and its
 * text, where. */
void snn_devfail_message(const snn_devfail *f, char *buf, size_t n);

typedef struct snn_dw {
    dwmtj_derived d;
    double D0;      /* m, fire distance of a fresh domain */
    double gain;    /* A per unit a */
    double i_max;   /* A, clamp */
    double dt;      /* s */
    double k;       /* surrogate slope */
    int smooth;
    int clamp_ramp; /* dwmtj_snn_options.clamp_ramp */
    int cell;       /* 1: the weights' periphery is DWMTJ_PERIPH_CELL (neuron_cell.c) */
    dwmtj_cell c;   /* its timing and bias */
    double hw_b;    /* m, half-width of MTJ_B's window: spk is high while the centre
                       is within hw_b of B's (overlap above f_mid) */
    double mu;      /* m/(s A), domain velocity per unit drive current (flat device) */
    int thermal;    /* DWMTJ_KIND_DWMTJ_THERMAL: the gradient is the free flow's */
} snn_dw;

typedef struct snn_dw_neuron {
    dwmtj_state s;
    int fresh;      /* the domain was written at the start of this step */
    double gm_prev; /* gain x (1 if a(t-1) was not clamped) */
    double i_prev;  /* A, unclamped drive at the step's start */
    /* the cell's periphery (cell = 1 only) */
    int phase;      /* snn_cell_phase */
    int armed;      /* 1 from the fire until spk falls */
    double t_end;   /* s, end of the clear or the write under way */
    double t_nuc;   /* s, when the write under way nucleates (its start + t_nuc) */
    double t_spk;   /* s, when the pending spike counts (fire + t_sense); -1: none */
} snn_dw_neuron;

/* What the cell's periphery is doing (doc/cell.md, "The cell's own reset"). */
enum snn_cell_phase {
    SNN_CELL_WAIT = 0,  /* before the initial write at t_start: track empty */
    SNN_CELL_WRITE = 1, /* the write pulse through IN-A, mirror off */
    SNN_CELL_INT = 2,   /* mirror on: integrating, then spk high */
    SNN_CELL_CLEAR = 3, /* i_clear into IN after spk fell */
    SNN_CELL_DEAD = 4   /* the domain was lost past IN (or the write failed): the
                           cell never sees a reset again, so it never writes */
};
/* The libdwmtj parameter set of the device of a DW-MTJ neuron kind:
 * "scaled-thermal" for DWMTJ_KIND_DWMTJ_THERMAL, else "scaled". */
const char *snn_dw_set(int kind);

/* The functions below return DWMTJ_SNN_OK, or DWMTJ_SNN_ERR_VALUE (the
 * network's scalars are not valid device parameters) or _DEVICE with what
 * libdwmtj returned in *fail. */
int snn_dw_setup(snn_dw *dw, const dwmtj_weights *net, double i_max, double k, int smooth,
                 int clamp_ramp, snn_devfail *fail);
/* Writes a fresh domain into each of n neurons at t = 0. */
int snn_dw_begin(const snn_dw *dw, snn_dw_neuron *nr, int n, snn_devfail *fail);
/* Step t of n neurons of layer `layer` for image `image`; fills s, psi,
 * u (membrane after the step) and rec's A, B, C at row t. */
int snn_dw_step(const snn_dw *dw, snn_dw_neuron *nr, int n, int layer, uint64_t image,
                int t, const double *a, double *s, double *psi, double *A, double *B,
                unsigned char *C, double *u, snn_devfail *fail);
/* The cell periphery's counterparts (neuron_cell.c), called by the two above
 * when dw->cell is set. */
void snn_cell_setup(snn_dw *dw, const dwmtj_weights *net);
int snn_cell_begin(const snn_dw *dw, snn_dw_neuron *q, int o, snn_devfail *fail);
int snn_cell_step(const snn_dw *dw, snn_dw_neuron *q, int o, int layer, uint64_t key, int t,
                  double a, double *s, double *psi, double *A, double *B, unsigned char *C,
                  double *u, snn_devfail *fail);
int snn_devfail_set(snn_devfail *f, int rc, int status, const char *call, int layer,
                    int neuron, int step);

void snn_dw_backward(int T, int n, const double *psi, const double *A, const double *B,
                     const unsigned char *C, const double *ds, const double *direct,
                     double *da);

#endif
