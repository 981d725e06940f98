/* The circuit's operating point against the device's safe operating area
 * (dwmtj_infer.h, dwmtj_infer_operating_point; doc/operating-point.md, "At
 * circuit level"): what each source of the periphery can put on the
 * device at worst, worked from libdwmtj's track of the network's device,
 * before any run. */
#include "infer_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* One quantity against its limit; the first one above it is named. */
static void judge(dwmtj_infer_soa *op, double v, double lim, const char *what,
                  const char *unit, const char *limit)
{
    if (!(v > lim))
        return;
    if (!op->unsafe)
        snprintf(op->what, sizeof op->what, "%s %.3g %s above %s %.3g %s", what, v, unit, limit,
                 lim, unit);
    op->unsafe++;
}

int dwmtj_infer_operating_point(const dwmtj_weights *net, const dwmtj_infer_options *o,
                                dwmtj_infer_soa *op, char **error)
{
    if (error)
        *error = NULL;
    if (!op)
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "no place for the operating point");
    memset(op, 0, sizeof *op);
    if (!net || !o)
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "no network or no options");
    dwmtj_params p, lim;
    dwmtj_derived d;
    dwmtj_params_set(&lim, "scaled-thermal");
    if (infer_device(&p, &d) < 0)
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "the scaled device does not derive");
    /* the paper's model states no limits (its v_bd, j_max, t_max are 0):
     * those of the same stack and track, set scaled-thermal's */
    op->j_max = lim.j_max;
    op->v_bd = lim.v_bd;
    op->t_max = lim.t_max;
    double r_in_a = 1.0 / d.g_seg[0];                       /* Ohm, track IN..A */
    double rp_a = 1.0 / d.gp[0], rap_a = 1.0 / d.gap[0];   /* Ohm, MTJ_A (zero bias) */
    op->j_drive = o->i_max / d.area;
    int periphery = dwmtj_infer_periphery(o, net);
    if (periphery != DWMTJ_INFER_PERIPH_IDEAL) {
        const dwmtj_cell *c = &net->cell;
        /* the cmos cell clears by pulling IN to vddh (280 uA, measured)
         * and writes by pulling IN to vwr with A grounded: v_write = vwr */
        int cmos = periphery == DWMTJ_INFER_PERIPH_CMOS ||
                   periphery == DWMTJ_INFER_PERIPH_CMOS_MACRO; /* its macromodel: the same */
        double v_write = cmos ? INFER_CMOS_VWR : c->v_write;
        op->j_clear = (cmos ? INFER_CMOS_I_CLEAR : c->i_clear) / d.area;
        /* the write's loop IN - track - A - source floats: v_write over
         * R(IN..A) + R_A; most current while A is P (the empty track it
         * writes into), most barrier voltage once the domain is under A
         * (AP), zero-bias resistances (the bias only lowers R_AP) */
        op->j_write = v_write / (r_in_a + rp_a) / d.area;
        op->v_barrier_a = v_write * rap_a / (r_in_a + rap_a);
        op->v_barrier_b = c->i_read / d.gap[1];              /* read bias through B at AP */
    } else {
        /* the ideal periphery's write is not in the circuit: the device's
         * own minimum, i_nuc from the track into A at P (the empty track) */
        op->j_write = d.p.i_nuc / d.area;
        op->v_barrier_a = d.p.i_nuc * rp_a;
    }
    judge(op, op->j_drive, op->j_max, "track current density at the drive clamp (i_max)",
          "A/m^2", "j_max");
    judge(op, op->j_clear, op->j_max, "track current density of the clear (i_clear)", "A/m^2",
          "j_max");
    judge(op, op->j_write, op->j_max, "track current density of the write", "A/m^2", "j_max");
    judge(op, op->v_barrier_a, op->v_bd, "barrier voltage of MTJ_A in the write", "V", "v_bd");
    judge(op, op->v_barrier_b, op->v_bd, "barrier voltage of MTJ_B under the read bias", "V",
          "v_bd");
    return DWMTJ_H_OK;
}

int dwmtj_infer_check_soa(const dwmtj_weights *net, const dwmtj_infer_options *o,
                          dwmtj_infer_soa *op, char **error)
{
    int rc = dwmtj_infer_operating_point(net, o, op, error);
    if (rc != DWMTJ_H_OK || !op->unsafe || o->allow_unsafe)
        return rc;
    return infer_fail(error, DWMTJ_H_ERR_USAGE,
                      "the operating point is outside the device's safe operating area: %s "
                      "(%d %s; the limits of the scaled track, set scaled-thermal, "
                      "doc/operating-point.md); --allow-unsafe runs it anyway and the report "
                      "says so",
                      op->what, op->unsafe,
                      op->unsafe == 1 ? "quantity above its limit" : "quantities above their limits");
}
