/* Prints a crossbar deck of dwmtj_crossbar_netlist (harness/crossbar.c)
 * for scripts/crossbar-rate: the defaults with the given size, input
 * strength, seed and length, and seeded weights uniform in [W_LO, W_HI].
 * With DATAFILE, a .control section runs the transient and writes the
 * spike outputs spk0 .. spk<N-1> there (wrdata, one time column).
 *
 * usage: crossbar_deck ROWS COLS STRENGTH SEED T_STOP [W_LO W_HI [DATAFILE]] */
#include "dwmtj_crossbar.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int number(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return end != s && *end == '\0' && errno == 0 ? 0 : -1;
}

/* SplitMix64 (Steele, Lea, Flood 2014): the weights' own stream. */
static uint64_t next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int main(int argc, char **argv)
{
    if (argc != 6 && argc != 8 && argc != 9) {
        fprintf(stderr, "usage: %s ROWS COLS STRENGTH SEED T_STOP [W_LO W_HI [DATAFILE]]\n",
                argv[0]);
        return 2;
    }
    double rows, cols, strength, seed, t_stop, w_lo = -1.0, w_hi = 1.0;
    if (number(argv[1], &rows) || number(argv[2], &cols) || number(argv[3], &strength) ||
        number(argv[4], &seed) || number(argv[5], &t_stop) ||
        (argc >= 8 && (number(argv[6], &w_lo) || number(argv[7], &w_hi))) ||
        rows != (int)rows || cols != (int)cols || seed < 0 || seed != (double)(uint64_t)seed ||
        !(w_lo >= -1.0 && w_hi <= 1.0 && w_lo <= w_hi)) {
        fprintf(stderr, "%s: bad arguments (integers ROWS COLS SEED, -1 <= W_LO <= W_HI <= 1)\n",
                argv[0]);
        return 2;
    }
    dwmtj_crossbar x;
    dwmtj_crossbar_defaults(&x);
    x.rows = (int)rows;
    x.cols = (int)cols;
    x.drive = strength;
    x.seed = (uint64_t)seed;
    x.t_stop = t_stop;
    double *w = NULL;
    if (x.rows > 0 && x.cols > 0 && (long)x.rows * x.cols <= (1L << 24)) {
        size_t n = (size_t)x.rows * (size_t)x.cols;
        w = malloc(n * sizeof *w);
        if (!w) {
            fprintf(stderr, "%s: out of memory\n", argv[0]);
            return 1;
        }
        uint64_t state = x.seed ^ 0x5745494748545321ULL; /* "WEIGHTS!" */
        for (size_t k = 0; k < n; k++)
            w[k] = w_lo + (w_hi - w_lo) * ((double)(next(&state) >> 11) * 0x1.0p-53);
        x.weight = w;
    }
    char *text = NULL, *error = NULL;
    int st = dwmtj_crossbar_netlist(&x, &text, &error);
    if (st != DWMTJ_H_OK) {
        fprintf(stderr, "%s: %s (status %d)\n", argv[0], error ? error : "failed", st);
        free(error);
        free(w);
        return 1;
    }
    if (argc == 9) {
        /* the deck ends with ".end\n": the control section goes before it */
        size_t len = strlen(text);
        if (len >= 5 && strcmp(text + len - 5, ".end\n") == 0)
            text[len - 5] = '\0';
        fputs(text, stdout);
        printf(".control\nset wr_singlescale\nset wr_vecnames\nrun\nwrdata %s", argv[8]);
        for (int k = 0; k < x.cols; k++)
            printf(" v(spk%d)", k);
        printf("\n.endc\n.end\n");
    } else {
        fputs(text, stdout);
    }
    free(text);
    free(w);
    return fflush(stdout) == 0 ? 0 : 1;
}
