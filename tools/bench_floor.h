/* The arithmetic floors of dwmtj bench and its timing statistics (issue 14,
 * item 6; doc/engine.md).  A floor does the synapse work of the network's
 * layers over the same T time steps and the same input spike trains as the
 * circuit, and nothing else:
 *   dense: per layer and step one matrix-vector product y = W x of the
 *          layer's weights (bias column included) with the 0/1 spike
 *          vector, in doubles as the engine's map, written so that gcc -O2
 *          vectorises it (padded contiguous rows, restrict, 8 accumulators);
 *   event: per layer and step, y = the bias row plus the weight row of each
 *          input that spiked (W stored transposed: contiguous per input).
 * Both are timed for at least a given wall time per repeat, by CPU time
 * (CLOCK_PROCESS_CPUTIME_ID) and wall time (CLOCK_MONOTONIC). */
#ifndef DWMTJ_BENCH_FLOOR_H
#define DWMTJ_BENCH_FLOOR_H

#include "dwmtj_weights.h"

/* Minimum, median and maximum of repeated runs of one timed figure. */
typedef struct bench_time {
    int n;                                  /* runs */
    double cpu_min, cpu_median, cpu_max;    /* s, process CPU time */
    double wall_min, wall_median, wall_max; /* s, monotonic wall time */
} bench_time;

double bench_cpu_s(void);  /* s, CLOCK_PROCESS_CPUTIME_ID */
double bench_wall_s(void); /* s, CLOCK_MONOTONIC */
/* The statistics of n runs cpu[], wall[] (n >= 1; the arrays are sorted). */
void bench_time_of(bench_time *t, double *cpu, double *wall, int n);
/* t with every figure multiplied by k (per-unit figures). */
bench_time bench_time_scaled(const bench_time *t, double k);
/* Median of v[0..n-1] (sorted in place); NaN when n = 0. */
double bench_median(double *v, int n);

typedef struct bench_floor {
    int n_layers;
    int size[DWMTJ_W_MAX_LAYERS + 1];
    int ld[DWMTJ_W_MAX_LAYERS];      /* padded row length of w, x (>= size[l] + 1) */
    int ldo[DWMTJ_W_MAX_LAYERS];     /* padded row length of wt, y (>= size[l+1]) */
    double *w[DWMTJ_W_MAX_LAYERS];   /* 1, size[l+1] x ld: row o, column size[l] = bias */
    double *wt[DWMTJ_W_MAX_LAYERS];  /* 1, (size[l] + 1) x ldo: row i = input i's weights */
    double *x[DWMTJ_W_MAX_LAYERS];   /* 1, (images x steps) x ld: 0/1 spikes, bias 1 */
    int *ev_at[DWMTJ_W_MAX_LAYERS];  /* images x steps + 1 offsets into ev */
    int *ev[DWMTJ_W_MAX_LAYERS];     /* inputs that spiked, then the bias row */
    double *y;                       /* 1, accumulators (widest ldo) */
    int images, steps;               /* images and time steps of one pass */
    long events;                     /* weight rows added in one event pass */
    long synapse_steps;              /* synapses x steps x images of one pass */
} bench_floor;

/* The floor of net's layers over n images: trains[k * n_layers + l] is
 * layer l's input spike trains in image k (size[l] x steps bytes, row i =
 * input i).  Returns 0, or -1 out of memory (f freed). */
int bench_floor_build(bench_floor *f, const dwmtj_weights *net, int n,
                      const unsigned char *const *trains);
void bench_floor_free(bench_floor *f);

enum { BENCH_FLOOR_DENSE = 0, BENCH_FLOOR_EVENT = 1 };
/* Times passes of kind over all images for at least seconds of wall time,
 * repeats times: seconds per pass into *t.  Returns 0, -1 out of memory. */
int bench_floor_time(bench_floor *f, int kind, double seconds, int repeats, bench_time *t);

#endif
