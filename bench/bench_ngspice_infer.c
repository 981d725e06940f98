/* Benchmark of the ngspice inference path (issue 4, item 6): the same
 * test images through the naive path and the optimised ones, in one run,
 * with the ratios measured in that run.
 *
 *   bench_ngspice_infer NET.net [IMAGES [BATCH]]
 *
 * Prints, per path: seconds per image, ns per synapse-timestep, speedup
 * over the naive path, and whether its predictions and spike counts equal
 * the naive path's.  Needs DWMTJ_CM (or the installed code model) and the
 * Fashion-MNIST test set. */
#include "dwmtj_data.h"
#include "dwmtj_infer.h"
#include "dwmtj_snn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct path {
    const char *name;
    int naive, batch;
};

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: %s NET.net [IMAGES [BATCH]]\n", argv[0]);
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 2, batch = argc > 3 ? atoi(argv[3]) : 8;
    if (n < 1 || batch < 1) {
        fprintf(stderr, "%s: IMAGES and BATCH must be >= 1\n", argv[0]);
        return 2;
    }
    dwmtj_weights net;
    dwmtj_dataset d;
    char *err = NULL;
    if (dwmtj_weights_load(&net, argv[1], &err) != 0 ||
        dwmtj_dataset_load_dir(&d, NULL, 1, &err) != 0) {
        fprintf(stderr, "%s: %s\n", argv[0], err ? err : "cannot load");
        return 1;
    }
    if (net.input_side > 0 && net.input_side < d.rows &&
        dwmtj_dataset_downsample(&d, d.rows / net.input_side, &d) != 0) {
        fprintf(stderr, "%s: cannot downsample the images\n", argv[0]);
        return 1;
    }
    dwmtj_session *s = NULL;
    if (dwmtj_session_open(&s, NULL) != DWMTJ_H_OK) {
        fprintf(stderr, "%s: %s\n", argv[0], s ? dwmtj_session_error(s) : "no ngspice");
        return 1;
    }
    uint64_t *idx = malloc(sizeof *idx * (size_t)n);
    dwmtj_infer_result *res[3];
    for (int k = 0; k < n; k++)
        idx[k] = DWMTJ_SNN_TEST_KEY0 + (uint64_t)k;
    long syn = 0;
    for (int l = 0; l < net.n_layers; l++)
        syn += (long)(net.size[l] + 1) * net.size[l + 1];
    const struct path paths[3] = {
        { "naive: deck per image and layer, all vectors, device step limit", 1, 1 },
        { "pruned deck per image, 4 monitors saved, clock breakpoints only", 0, 1 },
        { "one deck per batch, inputs altered between images", 0, batch },
    };
    double spi[3];
    printf("network %s: %d-", argv[1], net.size[0]);
    for (int l = 1; l <= net.n_layers; l++)
        printf("%d%s", net.size[l], l < net.n_layers ? "-" : "");
    printf(", %ld synapses, T = %d; %d images; ngspice %s\n\n", syn, net.steps, n,
           dwmtj_session_ngspice_version(s));
    printf("%-66s %10s %14s %8s %6s\n", "path", "s/image", "ns/syn-step", "speedup", "same");
    for (int p = 0; p < 3; p++) {
        dwmtj_infer_options o;
        dwmtj_infer_defaults(&o);
        o.allow_unsafe = 1; /* a benchmark of speed at the paper's operating point */
        o.naive = paths[p].naive;
        o.batch = paths[p].batch;
        dwmtj_infer *ctx = NULL;
        res[p] = calloc((size_t)n, sizeof **res);
        if (dwmtj_infer_create(&ctx, s, &net, &o, &err) != DWMTJ_H_OK ||
            dwmtj_infer_run(ctx, d.pixels, idx, n, res[p]) != DWMTJ_H_OK) {
            fprintf(stderr, "%s: %s\n", argv[0], err ? err : dwmtj_infer_error(ctx));
            return 1;
        }
        dwmtj_infer_free(ctx);
        spi[p] = 0.0;
        int same = 1;
        for (int k = 0; k < n; k++) {
            spi[p] += res[p][k].seconds / n;
            same = same && res[p][k].pred == res[0][k].pred &&
                   res[p][k].spikes == res[0][k].spikes;
        }
        printf("%-66s %10.3g %14.4g %8.2f %6s\n", paths[p].name, spi[p],
               spi[p] / ((double)syn * net.steps) * 1e9, spi[0] / spi[p], same ? "yes" : "NO");
        fflush(stdout);
    }
    for (int p = 0; p < 3; p++) {
        dwmtj_infer_results_free(res[p], n);
        free(res[p]);
    }
    free(idx);
    dwmtj_session_close(s);
    dwmtj_dataset_free(&d);
    dwmtj_weights_free(&net);
    return 0;
}
