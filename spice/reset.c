/* A neuron's own reset as circuit data (dwmtj_spice.h, dwmtj_spice_add_reset;
 * doc/cell.md, "The cell's own reset"): the one builder of the clear and
 * write one-shots for dwmtj infer's cell and dwmtj array's periphery. */
#include "spice_internal.h"

#include <math.h>
#include <stdio.h>

dwmtj_spice_expr *dwmtj_spice_x_high(const char *node, double level)
{
    dwmtj_spice_expr *a = dwmtj_spice_x_op(DWMTJ_SPICE_X_SUB, dwmtj_spice_x_volt(node, NULL),
                                           dwmtj_spice_x_num(0.5 * level));
    return dwmtj_spice_x_call("u", 1, &a);
}

dwmtj_spice_expr *dwmtj_spice_x_low(const char *node, double level)
{
    dwmtj_spice_expr *a = dwmtj_spice_x_op(DWMTJ_SPICE_X_SUB, dwmtj_spice_x_num(0.5 * level),
                                           dwmtj_spice_x_volt(node, NULL));
    return dwmtj_spice_x_call("u", 1, &a);
}

int dwmtj_spice_add_sw_model(dwmtj_spice_scope *s, const char *name, double vt, double vh,
                             double ron, double roff)
{
    dwmtj_spice_card *m = dwmtj_spice_add_model(s, name, "sw");
    return !m || dwmtj_spice_add_number(m, "vt", vt) || dwmtj_spice_add_number(m, "vh", vh) ||
                   dwmtj_spice_add_number(m, "ron", ron) ||
                   dwmtj_spice_add_number(m, "roff", roff)
               ? -1
               : 0;
}

dwmtj_spice_expr *dwmtj_spice_add_one_shot(dwmtj_spice_scope *s, const char *name,
                                           const char *trig, const dwmtj_spice_logic *g,
                                           double width)
{
    if (!s || !name || !trig || !g || !(width > 0.0) || !(g->c > 0.0) || !(g->level > 0.0))
        return NULL;
    char nm[64], d[64];
    snprintf(d, sizeof d, "%s_d", name);
    const char *sn[4] = { d, g->supply, trig, "0" }, *cn[2] = { d, "0" };
    snprintf(nm, sizeof nm, "s%s", name);
    if (!dwmtj_spice_add_elem(s, nm, 4, sn, NULL, g->model, 0.0, NULL))
        return NULL;
    snprintf(nm, sizeof nm, "c%s", name);
    if (!dwmtj_spice_add_elem(s, nm, 2, cn, NULL, NULL, g->c, NULL))
        return NULL;
    snprintf(nm, sizeof nm, "r%s", name);
    /* the capacitor decays from level to level / 2 in R C ln 2 = width */
    if (!dwmtj_spice_add_r(s, nm, d, "0", width / (g->c * log(2.0))))
        return NULL;
    return dwmtj_spice_x_op(DWMTJ_SPICE_X_MUL, dwmtj_spice_x_low(trig, g->level),
                            dwmtj_spice_x_high(d, g->level));
}

int dwmtj_spice_add_reset(dwmtj_spice_scope *s, int k, const char *spk, const char *clr,
                          const char *wen, const char *start, const dwmtj_spice_logic *g,
                          double t_clear, double t_write)
{
    if (!s || !spk || !clr || !wen || !start || !g)
        return DWMTJ_SPICE_ERR_USAGE;
    char nm[64];
    snprintf(nm, sizeof nm, "oc%d", k);
    dwmtj_spice_expr *e = dwmtj_spice_add_one_shot(s, nm, spk, g, t_clear);
    snprintf(nm, sizeof nm, "bclr%d", k);
    if (!e || !dwmtj_spice_add_b(s, nm, clr, "0", 'v',
                                 dwmtj_spice_x_op(DWMTJ_SPICE_X_MUL,
                                                  dwmtj_spice_x_num(g->level), e)))
        return DWMTJ_SPICE_ERR_NOMEM;
    snprintf(nm, sizeof nm, "ow%d", k);
    e = dwmtj_spice_add_one_shot(s, nm, clr, g, t_write);
    if (!e)
        return DWMTJ_SPICE_ERR_NOMEM;
    dwmtj_spice_expr *args[2] = { e, dwmtj_spice_x_high(start, g->level) };
    snprintf(nm, sizeof nm, "bwen%d", k);
    if (!dwmtj_spice_add_b(s, nm, wen, "0", 'v',
                           dwmtj_spice_x_op(DWMTJ_SPICE_X_MUL, dwmtj_spice_x_num(g->level),
                                            dwmtj_spice_x_call("max", 2, args))))
        return DWMTJ_SPICE_ERR_NOMEM;
    return DWMTJ_SPICE_OK;
}
