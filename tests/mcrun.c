/* Events of the device protocols from ngspice and from dwmtj mc (mcrun.h). */
#define _POSIX_C_SOURCE 200809L

#include "mcrun.h"
#include "ngrun.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const ev_name[MC_NEV] = { "write", "depin", "fire", "reset" };

static const char *env(const char *name)
{
    const char *v = getenv(name);
    ck_assert_msg(v && *v, "%s is not set (make check sets it)", name);
    return v;
}

static void clear(mc_events *e, int cycles)
{
    ck_assert_int_le(cycles, MC_MAX_CYCLES);
    e->cycles = cycles;
    for (int c = 0; c < MC_MAX_CYCLES; c++)
        for (int x = 0; x < MC_NEV; x++)
            e->t[c][x] = e->before[c][x] = NAN;
}

/* The netlist text with its tran and wrdata lines replaced. */
static char *rewrite(const char *text, double t_stop)
{
    size_t n = strlen(text) + 256;
    char *out = malloc(n), *o = out;
    ck_assert_ptr_nonnull(out);
    int tran = 0, wr = 0;
    for (const char *p = text; *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p + 1) : strlen(p);
        if (strncmp(p, "tran ", 5) == 0) {
            o += sprintf(o, "tran 1n %.0fn\n", t_stop * 1e9);
            tran++;
        } else if (strncmp(p, "wrdata ", 7) == 0) {
            o += sprintf(o, "wrdata events.dat v(nw) v(nd) v(nf) v(nr)\n");
            wr++;
        } else {
            memcpy(o, p, len);
            o += len;
        }
        p += len;
    }
    *o = '\0';
    ck_assert_msg(tran == 1 && wr == 1, "netlist without one tran and one wrdata line");
    return out;
}

void mc_ngspice_events(const char *name, double t_cycle, int cycles, mc_events *e)
{
    clear(e, cycles);
    char path[4096];
    snprintf(path, sizeof path, "%s/netlists/%s", env("DWMTJ_SRCDIR"), name);
    char *text = ngr_read_file(path);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    char *deck = rewrite(text, t_cycle * cycles);
    free(text);
    ck_assert_int_eq(ngr_scratch_enter(), 0);
    ngr_bin_result r;
    ck_assert_int_eq(ngr_bin_run(env("DWMTJ_CM"), deck, "events.dat", 300.0, &r), 0);
    ngr_scratch_leave();
    free(deck);
    ck_assert_msg(r.exited && r.data.nrow > 10 && r.data.ncol == 5,
                  "ngspice on %s: %d rows of %d columns\n%.3000s", name, r.data.nrow,
                  r.data.ncol, r.out);
    for (int i = 1; i < r.data.nrow; i++) {
        double t = NGR_AT(&r.data, i, 0), t0 = NGR_AT(&r.data, i - 1, 0);
        int c = (int)floor(t / t_cycle);
        if (c >= cycles)
            c = cycles - 1;
        for (int x = 0; x < MC_NEV; x++)
            if (NGR_AT(&r.data, i, 1 + x) > NGR_AT(&r.data, i - 1, 1 + x) && isnan(e->t[c][x])) {
                e->t[c][x] = t;
                e->before[c][x] = t0;
            }
    }
    ngr_bin_result_free(&r);
}

void mc_tool_events(const char *text, double dev_seed, int cycles, mc_events *e)
{
    clear(e, cycles);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strncmp(text, "dev_seed,cycle,written,t_write_s,t_depin_s,t_fire_s,t_reset_s,",
                          62) == 0, "not an events file: %.200s", text);
    int rows = 0;
    for (const char *p = strchr(text, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
        char line[512];
        const char *eol = strchr(p + 1, '\n');
        size_t len = eol ? (size_t)(eol - p - 1) : strlen(p + 1);
        ck_assert_uint_lt(len, sizeof line);
        memcpy(line, p + 1, len);
        line[len] = '\0';
        char *f[12], *s = line;
        int n = 0;
        for (char *c; n < 12; s = c + 1) {
            f[n++] = s;
            if (!(c = strchr(s, ',')))
                break;
            *c = '\0';
        }
        ck_assert_int_eq(n, 10);
        if (strtod(f[0], NULL) != dev_seed)
            continue;
        int c = atoi(f[1]);
        ck_assert(c >= 0 && c < cycles);
        for (int x = 0; x < MC_NEV; x++)
            e->t[c][x] = *f[3 + x] ? strtod(f[3 + x], NULL) : NAN;
        rows++;
    }
    ck_assert_msg(rows == cycles, "%d rows of dev_seed %g, not %d", rows, dev_seed, cycles);
}

void mc_assert_agree(const mc_events *ng, const mc_events *mc, double tol, const char *what)
{
    ck_assert_int_eq(ng->cycles, mc->cycles);
    for (int c = 0; c < ng->cycles; c++)
        for (int x = 0; x < MC_NEV; x++) {
            double a = ng->before[c][x], b = ng->t[c][x], t = mc->t[c][x];
            ck_assert_msg(isnan(b) == isnan(t), "%s, cycle %d: %s in %s only (ngspice %g s, "
                          "dwmtj mc %g s)", what, c, ev_name[x], isnan(t) ? "ngspice" : "dwmtj mc",
                          b, t);
            if (isnan(b))
                continue;
            ck_assert_msg(t >= a - tol && t <= b + tol, "%s, cycle %d: %s at %.9g s; ngspice "
                          "shows it in (%.9g, %.9g] s", what, c, ev_name[x], t, a, b);
        }
}

void mc_tool(const char *const *args, tool_result *r)
{
    int n = 0;
    while (args[n])
        n++;
    const char **argv = calloc((size_t)n + 3, sizeof *argv);
    ck_assert_ptr_nonnull(argv);
    argv[0] = env("DWMTJ_TOOL");
    argv[1] = "mc";
    for (int k = 0; k < n; k++)
        argv[k + 2] = args[k];
    tool_opts o = { NULL, 600.0, NULL, NULL, 0 };
    tool_exec(argv, &o, r);
    free(argv);
}
