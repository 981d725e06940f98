/* The cmos cell's macromodel file (infer_internal.h, infer_cmos_macro). */
#include "infer_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *key;
    size_t off;
    int zero_ok; /* 0: > 0; 1: >= 0 (a power); 2: any (an energy per spike:
                    negative where a spike lowers a block's static draw) */
    const char *unit;
} macro_keys[] = {
#define F(k, fld, z, u) { k, offsetof(infer_cmos_macro, fld), z, u }
    F("i_max", i_max, 0, "A"),           F("t_clear", t_clear, 0, "s"),
    F("t_write", t_write, 0, "s"),       F("t_sense", t_sense, 0, "s"),
    F("i_clear", i_clear, 0, "A"),       F("t_write_eff", t_write_eff, 0, "s"),
    F("p_mirror", p[0], 1, "W"),         F("p_sense", p[1], 1, "W"),
    F("p_clear", p[2], 1, "W"),          F("p_write_driver", p[3], 1, "W"),
    F("e_mirror", e[0], 2, "J"),         F("e_sense", e[1], 2, "J"),
    F("e_clear", e[2], 2, "J"),          F("e_write_driver", e[3], 2, "J"),
#undef F
};
#define N_KEYS (sizeof macro_keys / sizeof macro_keys[0])

int infer_cmos_macro_read(const char *dir, infer_cmos_macro *m, char **error)
{
    char path[4096];
    if (!dir || !*dir || !m)
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "the cmos macromodel: no directory");
    snprintf(path, sizeof path, "%s/%s", dir, INFER_CMOS_MACRO_FILE);
    FILE *f = fopen(path, "r");
    if (!f)
        return infer_fail(error, DWMTJ_H_ERR_FILE, "the cmos macromodel: cannot read %s: %s",
                          path, strerror(errno));
    memset(m, 0, sizeof *m);
    int seen[N_KEYS] = { 0 }, line = 0, rc = DWMTJ_H_OK;
    char buf[512];
    while (rc == DWMTJ_H_OK && fgets(buf, sizeof buf, f)) {
        line++;
        if (!strchr(buf, '\n') && !feof(f)) {
            rc = infer_fail(error, DWMTJ_H_ERR_FILE, "%s:%d: line longer than %zu characters",
                            path, line, sizeof buf - 2);
            break;
        }
        char *hash = strchr(buf, '#');
        if (hash)
            *hash = '\0';
        char key[64], val[128], extra[8];
        int n = sscanf(buf, "%63s %127s %7s", key, val, extra);
        if (n <= 0)
            continue;
        if (n != 2) {
            rc = infer_fail(error, DWMTJ_H_ERR_FILE, "%s:%d: expected \"KEY VALUE\"", path,
                            line);
            break;
        }
        size_t k = 0;
        while (k < N_KEYS && strcmp(macro_keys[k].key, key) != 0)
            k++;
        if (k == N_KEYS) {
            rc = infer_fail(error, DWMTJ_H_ERR_FILE, "%s:%d: unknown key '%s'", path, line,
                            key);
            break;
        }
        char *end;
        errno = 0;
        double x = strtod(val, &end);
        int z = macro_keys[k].zero_ok;
        int ok = *end == '\0' && errno == 0 && isfinite(x) &&
                 (z == 2 || (z ? x >= 0.0 : x > 0.0));
        if (!ok)
            rc = infer_fail(error, DWMTJ_H_ERR_FILE, "%s:%d: %s = '%s' %s: must be a finite "
                            "number%s", path, line, key, val, macro_keys[k].unit,
                            z == 2 ? "" : z ? " >= 0" : " > 0");
        else if (seen[k]++)
            rc = infer_fail(error, DWMTJ_H_ERR_FILE, "%s:%d: %s given twice", path, line, key);
        else
            *(double *)((char *)m + macro_keys[k].off) = x;
    }
    if (rc == DWMTJ_H_OK && ferror(f))
        rc = infer_fail(error, DWMTJ_H_ERR_FILE, "the cmos macromodel: reading %s failed",
                        path);
    fclose(f);
    for (size_t k = 0; k < N_KEYS && rc == DWMTJ_H_OK; k++)
        if (!seen[k])
            rc = infer_fail(error, DWMTJ_H_ERR_FILE, "%s: no %s (%s)", path, macro_keys[k].key,
                            macro_keys[k].unit);
    return rc;
}

/* The cell rule of m: on top of *c's other fields, the cmos cell's
 * negative limit (on cv's track), clear, sense delay and fitted write
 * width. */
static void macro_rule(const infer_cmos_macro *m, const infer_cell *cv, dwmtj_cell *c)
{
    c->i_neg = infer_cmos_i_neg(cv);
    c->i_clear = m->i_clear;
    c->t_clear = m->t_clear;
    c->t_sense = m->t_sense;
    c->t_write = m->t_write_eff;
}

/* 1 when a value differs from the file's beyond rounding (1e-6). */
static int differs(double run, double fit)
{
    return fabs(run - fit) > 1e-6 * fit;
}

/* The fit holds where it was made: 0 when run is fit's. */
static int extracted_at(const char *what, double fit, double run, char **error)
{
    if (differs(run, fit))
        return infer_fail(error, DWMTJ_H_ERR_USAGE,
                          "the cmos macromodel (%s) was extracted at %s = %g; this run has %g: "
                          "extract it there (scripts/cmos-macro) or run the cmos cell itself "
                          "(--periphery cmos --backend ngspice)",
                          INFER_CMOS_MACRO_FILE, what, fit, run);
    return DWMTJ_H_OK;
}

static int check_i_max(const infer_cmos_macro *m, double i_max, char **error)
{
    return extracted_at("i_max (A)", m->i_max, i_max, error);
}

int dwmtj_infer_cmos_rule(const char *cell_dir, double i_max, dwmtj_cell *cell, char **error)
{
    if (!cell)
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "dwmtj_infer_cmos_rule: no cell");
    infer_cmos_macro m;
    int rc = infer_cmos_macro_read(cell_dir, &m, error);
    if (rc == DWMTJ_H_OK)
        rc = check_i_max(&m, i_max, error);
    if (rc != DWMTJ_H_OK)
        return rc;
    dwmtj_weights net;
    memset(&net, 0, sizeof net);
    net.periphery = DWMTJ_PERIPH_CELL;
    dwmtj_cell_defaults(&net.cell);
    infer_cell c;
    infer_cell_values(&net, i_max, &c);
    *cell = net.cell;
    macro_rule(&m, &c, cell);
    return DWMTJ_H_OK;
}

int infer_cmos_macro_cell(const infer_cmos_macro *m, const dwmtj_weights *net, double i_max,
                          infer_cell *c, char **error)
{
    int rc = check_i_max(m, i_max, error);
    if (rc != DWMTJ_H_OK)
        return rc;
    infer_cell_values(net, i_max, c);
    if (infer_cmos_rule_net(net)) {
        /* trained for a macromodel: its rule must be this file's */
        dwmtj_cell r = net->cell;
        macro_rule(m, c, &r);
        const struct { const char *what; double net, fit; } rule[5] = {
            { "cell.i_neg (A)", net->cell.i_neg, r.i_neg },
            { "cell.i_clear (A)", net->cell.i_clear, r.i_clear },
            { "cell.t_clear (s)", net->cell.t_clear, r.t_clear },
            { "cell.t_sense (s)", net->cell.t_sense, r.t_sense },
            { "cell.t_write (s)", net->cell.t_write, r.t_write },
        };
        for (int k = 0; k < 5; k++)
            if (differs(rule[k].net, rule[k].fit))
                return infer_fail(error, DWMTJ_H_ERR_USAGE,
                                  "the network was trained for a cmos macromodel with %s = %g; "
                                  "%s gives %g: train it for this one (dwmtj train --periphery "
                                  "cmos) or give the macromodel it was trained for",
                                  rule[k].what, rule[k].net, INFER_CMOS_MACRO_FILE,
                                  rule[k].fit);
        return DWMTJ_H_OK; /* infer_cell_values took the rule from the network */
    }
    /* else the one-shots' widths must be those it was extracted at */
    if ((rc = extracted_at("the cell's t_clear (s)", m->t_clear, net->cell.t_clear, error)) ||
        (rc = extracted_at("the cell's t_write (s)", m->t_write, net->cell.t_write, error)))
        return rc;
    c->i_lo = infer_cmos_i_lo(c, i_max);
    c->i_clear = m->i_clear;
    c->t_clear = net->cell.t_clear + m->t_sense;
    c->t_write = m->t_write_eff;
    c->t_sense = m->t_sense;
    return DWMTJ_H_OK;
}
