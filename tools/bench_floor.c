/* The arithmetic floors of dwmtj bench (bench_floor.h). */
#include "bench_floor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double bench_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double bench_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, int n)
{
    if (n <= 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void bench_time_of(bench_time *t, double *cpu, double *wall, int n)
{
    t->n = n;
    t->cpu_median = bench_median(cpu, n);
    t->wall_median = bench_median(wall, n);
    t->cpu_min = n > 0 ? cpu[0] : NAN;
    t->cpu_max = n > 0 ? cpu[n - 1] : NAN;
    t->wall_min = n > 0 ? wall[0] : NAN;
    t->wall_max = n > 0 ? wall[n - 1] : NAN;
}

bench_time bench_time_scaled(const bench_time *t, double k)
{
    bench_time s = *t;
    s.cpu_min *= k;
    s.cpu_median *= k;
    s.cpu_max *= k;
    s.wall_min *= k;
    s.wall_median *= k;
    s.wall_max *= k;
    return s;
}

void bench_floor_free(bench_floor *f)
{
    if (!f)
        return;
    for (int l = 0; l < DWMTJ_W_MAX_LAYERS; l++) {
        free(f->w[l]);
        free(f->wt[l]);
        free(f->x[l]);
        free(f->ev_at[l]);
        free(f->ev[l]);
    }
    free(f->y);
    memset(f, 0, sizeof *f);
}

static int pad8(int n)
{
    return (n + 7) / 8 * 8;
}

int bench_floor_build(bench_floor *f, const dwmtj_weights *net, int n,
                      const unsigned char *const *trains)
{
    memset(f, 0, sizeof *f);
    int L = net->n_layers, T = net->steps, most = 0;
    f->n_layers = L;
    f->images = n;
    f->steps = T;
    for (int l = 0; l <= L; l++)
        f->size[l] = net->size[l];
    size_t nt = (size_t)n * T;
    for (int l = 0; l < L; l++) {
        int nin = net->size[l], nout = net->size[l + 1];
        int ld = f->ld[l] = pad8(nin + 1), ldo = f->ldo[l] = pad8(nout);
        most = ldo > most ? ldo : most;
        f->w[l] = calloc((size_t)nout * ld, sizeof(double));
        f->wt[l] = calloc((size_t)(nin + 1) * ldo, sizeof(double));
        f->x[l] = calloc(nt * ld, sizeof(double));
        f->ev_at[l] = malloc(sizeof(int) * (nt + 1));
        long ne = 0;
        for (int k = 0; k < n; k++)
            for (size_t p = 0; p < (size_t)nin * T; p++)
                ne += trains[k * L + l][p] != 0;
        f->ev[l] = malloc(sizeof(int) * (size_t)(ne + (long)nt));
        if (!f->w[l] || !f->wt[l] || !f->x[l] || !f->ev_at[l] || !f->ev[l]) {
            bench_floor_free(f);
            return -1;
        }
        for (int o = 0; o < nout; o++) {
            for (int i = 0; i < nin; i++) {
                double v = net->w[l][(size_t)o * nin + i];
                f->w[l][(size_t)o * ld + i] = v;
                f->wt[l][(size_t)i * ldo + o] = v;
            }
            f->w[l][(size_t)o * ld + nin] = net->b[l][o];
            f->wt[l][(size_t)nin * ldo + o] = net->b[l][o];
        }
        long e = 0;
        for (int k = 0; k < n; k++)
            for (int t = 0; t < T; t++) {
                size_t row = (size_t)k * T + t;
                double *x = f->x[l] + row * ld;
                f->ev_at[l][row] = (int)e;
                for (int i = 0; i < nin; i++)
                    if (trains[k * L + l][(size_t)i * T + t]) {
                        x[i] = 1.0;
                        f->ev[l][e++] = i;
                    }
                x[nin] = 1.0;
                f->ev[l][e++] = nin;
            }
        f->ev_at[l][nt] = (int)e;
        f->events += e;
        f->synapse_steps += (long)(nin + 1) * nout * (long)nt;
    }
    if (!(f->y = calloc((size_t)most, sizeof(double)))) {
        bench_floor_free(f);
        return -1;
    }
    return 0;
}

/* y = W x over padded rows of ld (a multiple of 8): eight independent
 * accumulators in registers, which gcc -O2 pairs into vector lanes. */
static void dense_layer(const double *restrict w, const double *restrict x, double *restrict y,
                        int ld, int nout)
{
    for (int o = 0; o < nout; o++) {
        const double *restrict r = w + (size_t)o * ld;
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
        for (int i = 0; i < ld; i += 8) {
            a0 += r[i] * x[i];
            a1 += r[i + 1] * x[i + 1];
            a2 += r[i + 2] * x[i + 2];
            a3 += r[i + 3] * x[i + 3];
            a4 += r[i + 4] * x[i + 4];
            a5 += r[i + 5] * x[i + 5];
            a6 += r[i + 6] * x[i + 6];
            a7 += r[i + 7] * x[i + 7];
        }
        y[o] = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
    }
}

/* y = sum of the rows ev[0..n-1] of wt (ldo wide). */
static void event_layer(const double *restrict wt, const int *restrict ev, int n,
                        double *restrict y, int ldo)
{
    for (int o = 0; o < ldo; o++)
        y[o] = 0.0;
    for (int e = 0; e < n; e++) {
        const double *restrict r = wt + (size_t)ev[e] * ldo;
        for (int o = 0; o < ldo; o++)
            y[o] += r[o];
    }
}

static double one_pass(bench_floor *f, int kind)
{
    double sink = 0.0;
    size_t nt = (size_t)f->images * f->steps;
    for (size_t row = 0; row < nt; row++)
        for (int l = 0; l < f->n_layers; l++) {
            int nout = f->size[l + 1];
            if (kind == BENCH_FLOOR_DENSE)
                dense_layer(f->w[l], f->x[l] + row * f->ld[l], f->y, f->ld[l], nout);
            else
                event_layer(f->wt[l], f->ev[l] + f->ev_at[l][row],
                            f->ev_at[l][row + 1] - f->ev_at[l][row], f->y, f->ldo[l]);
            sink += f->y[0] + f->y[nout - 1];
        }
    return sink;
}

int bench_floor_time(bench_floor *f, int kind, double seconds, int repeats, bench_time *t)
{
    double *cpu = malloc(sizeof(double) * (size_t)repeats);
    double *wall = malloc(sizeof(double) * (size_t)repeats);
    if (!cpu || !wall) {
        free(cpu);
        free(wall);
        return -1;
    }
    volatile double sink = 0.0; /* keeps the passes' results live */
    sink += one_pass(f, kind);  /* warm: pages and caches */
    for (int r = 0; r < repeats; r++) {
        long passes = 0;
        double c0 = bench_cpu_s(), w0 = bench_wall_s(), w1 = w0;
        do {
            sink += one_pass(f, kind);
            passes++;
        } while ((w1 = bench_wall_s()) - w0 < seconds);
        cpu[r] = (bench_cpu_s() - c0) / (double)passes;
        wall[r] = (w1 - w0) / (double)passes;
    }
    (void)sink;
    bench_time_of(t, cpu, wall, repeats);
    free(cpu);
    free(wall);
    return 0;
}
