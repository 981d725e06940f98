/* Weights to differential conductance pairs (dwmtj_infer.h, Mapping). */
#include "dwmtj_infer.h"
#include "infer_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void dwmtj_infer_defaults(dwmtj_infer_options *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->g_min = 1e-6;
    o->g_max = 20e-6;
    o->levels = 0;
    o->v_read = 0.1;
    o->i_max = 200e-6;
    o->batch = 1;
    o->naive = 0;
    o->timeout_s = 0.0;
    o->tmax = 0.0;
    o->backend = DWMTJ_INFER_NGSPICE;
    o->r_wire = 0.0;
    o->klu_steps = DWMTJ_INFER_STEPS_DEFAULT;
    o->periphery = DWMTJ_INFER_PERIPH_NET;
    o->probe_fires = 0;
}

const char *const dwmtj_infer_steps_names[DWMTJ_INFER_STEPS_COUNT] = { "ngspice", "exact",
                                                                      "neuron" };

int dwmtj_infer_klu_steps(const dwmtj_infer_options *o)
{
    return o->klu_steps == DWMTJ_INFER_STEPS_DEFAULT ? DWMTJ_INFER_STEPS_NEURON : o->klu_steps;
}

int dwmtj_infer_klu_steps_for(const dwmtj_infer_options *o, int periphery)
{
    int k = dwmtj_infer_klu_steps(o);
    return periphery != DWMTJ_INFER_PERIPH_IDEAL && k == DWMTJ_INFER_STEPS_NGSPICE
               ? DWMTJ_INFER_STEPS_EXACT
               : k;
}

double dwmtj_infer_tmax(const dwmtj_infer_options *o, const dwmtj_weights *net)
{
    double dt = net->dt;
    if (o->tmax > 0.0 && o->tmax < dt)
        return o->tmax;
    return dwmtj_infer_periphery(o, net) == DWMTJ_INFER_PERIPH_CMOS && INFER_CMOS_TMAX < dt
               ? INFER_CMOS_TMAX
               : dt;
}

int dwmtj_infer_periphery(const dwmtj_infer_options *o, const dwmtj_weights *net)
{
    if (o && o->periphery != DWMTJ_INFER_PERIPH_NET)
        return o->periphery;
    if (net && infer_cmos_rule_net(net))
        return DWMTJ_INFER_PERIPH_CMOS_MACRO; /* trained for it */
    return net && net->periphery == DWMTJ_PERIPH_CELL ? DWMTJ_INFER_PERIPH_BEHAVIOURAL
                                                      : DWMTJ_INFER_PERIPH_IDEAL;
}

int dwmtj_infer_network_rule(const dwmtj_infer_options *o, const dwmtj_weights *net)
{
    if (dwmtj_infer_periphery(o, net) != DWMTJ_INFER_PERIPH_IDEAL)
        return DWMTJ_PERIPH_CELL; /* the cmos cell's too: its nearest rule */
    return net && net->periphery == DWMTJ_PERIPH_CONTINUOUS ? DWMTJ_PERIPH_CONTINUOUS
                                                            : DWMTJ_PERIPH_IDEAL;
}

const char *dwmtj_infer_periphery_name(int periphery)
{
    return periphery == DWMTJ_INFER_PERIPH_BEHAVIOURAL  ? "behavioural"
           : periphery == DWMTJ_INFER_PERIPH_CMOS       ? "cmos"
           : periphery == DWMTJ_INFER_PERIPH_CMOS_MACRO ? "cmos-macro"
                                                        : "ideal";
}

const char *const *dwmtj_infer_periphery_files(int periphery)
{
    static const char *const cmos[] = { "bsim4_45nm.lib", "cell_cmos.lib", NULL };
    static const char *const macro[] = { INFER_CMOS_MACRO_FILE, NULL };
    static const char *const none[] = { NULL };
    return periphery == DWMTJ_INFER_PERIPH_CMOS         ? cmos
           : periphery == DWMTJ_INFER_PERIPH_CMOS_MACRO ? macro
                                                        : none;
}

int dwmtj_infer_check_backend(int backend, int periphery, char **error)
{
    if (error)
        *error = NULL;
    /* both backends run the ideal and the behavioural periphery (the
     * engine the cell's logic too: doc/engine.md, "The cell") */
    if (backend != DWMTJ_INFER_NGSPICE && backend != DWMTJ_INFER_KLU)
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "backend %d: not ngspice (0) or klu (1)",
                          backend);
    if (periphery < DWMTJ_INFER_PERIPH_IDEAL || periphery > DWMTJ_INFER_PERIPH_CMOS_MACRO)
        return infer_fail(error, DWMTJ_H_ERR_USAGE,
                          "periphery %d: not ideal, behavioural, cmos or cmos-macro", periphery);
    if (backend == DWMTJ_INFER_KLU && periphery == DWMTJ_INFER_PERIPH_CMOS)
        return infer_fail(error, DWMTJ_H_ERR_USAGE,
                          "the cmos periphery needs BSIM4 transistors (ngspice's level 54 "
                          "MOSFETs of netlists/bsim4_45nm.lib), which the klu engine does not "
                          "have; run it with --backend ngspice, or its macromodel here with "
                          "--periphery cmos-macro");
    return DWMTJ_H_OK;
}

int infer_check_options(const dwmtj_infer_options *o, char **error)
{
    if (!o)
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "no inference options");
    if (!(isfinite(o->g_min) && o->g_min >= 0.0))
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "g_min = %g S: must be >= 0", o->g_min);
    if (!(isfinite(o->g_max) && o->g_max > o->g_min))
        return infer_fail(error, DWMTJ_H_ERR_USAGE,
                          "g_max = %g S: must be finite and above g_min = %g S", o->g_max,
                          o->g_min);
    if (o->levels == 1 || o->levels < 0 || o->levels > 65536)
        return infer_fail(error, DWMTJ_H_ERR_USAGE,
                          "levels = %d: must be 0 (continuous) or 2..65536", o->levels);
    if (!(isfinite(o->v_read) && o->v_read > 0.0))
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "v_read = %g V: must be > 0", o->v_read);
    if (!(isfinite(o->i_max) && o->i_max > 0.0))
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "i_max = %g A: must be > 0", o->i_max);
    if (o->batch < 1)
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "batch = %d: must be >= 1", o->batch);
    if (!(o->tmax >= 0.0) || !isfinite(o->tmax))
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "tmax = %g s: must be >= 0", o->tmax);
    if (!(o->r_wire >= 0.0) || !isfinite(o->r_wire))
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "r_wire = %g: must be >= 0", o->r_wire);
    if (o->backend != DWMTJ_INFER_NGSPICE && o->backend != DWMTJ_INFER_KLU)
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "backend = %d: not ngspice (0) or klu (1)",
                          o->backend);
    if (o->klu_steps < DWMTJ_INFER_STEPS_DEFAULT || o->klu_steps > DWMTJ_INFER_STEPS_NEURON)
        return infer_fail(error, DWMTJ_H_ERR_USAGE,
                          "klu_steps = %d: not the default (-1), ngspice (0), exact (1) or "
                          "neuron (2)", o->klu_steps);
    if (o->klu_steps > DWMTJ_INFER_STEPS_NGSPICE && o->backend != DWMTJ_INFER_KLU)
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "klu steps: a klu backend option");
    if (o->periphery < DWMTJ_INFER_PERIPH_NET || o->periphery > DWMTJ_INFER_PERIPH_CMOS_MACRO)
        return infer_fail(error, DWMTJ_H_ERR_USAGE,
                          "periphery = %d: not the network's (-1), ideal (0), behavioural (1), "
                          "cmos (2) or cmos-macro (3)", o->periphery);
    if (o->periphery == DWMTJ_INFER_PERIPH_CMOS && !(o->cell_dir && *o->cell_dir))
        return infer_fail(error, DWMTJ_H_ERR_USAGE,
                          "cmos periphery: no cell_dir (the directory of cell_cmos.lib)");
    if (o->periphery == DWMTJ_INFER_PERIPH_CMOS_MACRO && !(o->cell_dir && *o->cell_dir))
        return infer_fail(error, DWMTJ_H_ERR_USAGE,
                          "cmos-macro periphery: no cell_dir (the directory of "
                          "cell_cmos_macro.txt)");
    if (o->periphery >= DWMTJ_INFER_PERIPH_CMOS && o->naive)
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "naive: not with the cmos periphery");
    if (o->backend == DWMTJ_INFER_KLU && o->naive)
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "naive: an ngspice path; not with the klu "
                          "backend");
    return DWMTJ_H_OK;
}

void dwmtj_infer_map_free(dwmtj_infer_map *m)
{
    if (!m)
        return;
    for (int l = 0; l < DWMTJ_W_MAX_LAYERS; l++) {
        free(m->g_plus[l]);
        free(m->g_minus[l]);
    }
    dwmtj_weights_free(&m->eff);
    memset(m, 0, sizeof *m);
}

/* |w| / w_max on the conductance grid. */
static double level_of(double a, int levels)
{
    if (levels < 2)
        return a;
    double n = (double)(levels - 1);
    return nearbyint(a * n) / n;
}

int dwmtj_infer_map_build(const dwmtj_weights *net, const dwmtj_infer_options *o,
                          dwmtj_infer_map *m, char **error)
{
    if (!m)
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "no map to build");
    memset(m, 0, sizeof *m);
    if (!net)
        return infer_fail(error, DWMTJ_H_ERR_USAGE, "no network");
    int rc = infer_check_options(o, error);
    if (rc != DWMTJ_H_OK)
        return rc;
    if (net->kind == DWMTJ_KIND_DWMTJ_THERMAL)
        return infer_fail(error, DWMTJ_H_ERR_USAGE,
                          "the network's neurons are the thermal, pinned device "
                          "(dwmtj-thermal), which dwmtj infer cannot run yet: the circuit's "
                          "device would draw its escapes by node name, not by image and "
                          "neuron as the network does, and its drive clamp is 100 uA, not "
                          "--i-max's 200 uA (doc/operating-point.md)");
    if (net->kind != DWMTJ_KIND_DWMTJ && net->kind != DWMTJ_KIND_DWMTJ_NOISY)
        return infer_fail(error, DWMTJ_H_ERR_USAGE,
                          "the network's neurons are ideal LIF neurons, which have no device: "
                          "circuit-level inference needs a DW-MTJ network (dwmtj train "
                          "--neuron dwmtj or dwmtj-noisy)");
    if (!(net->gain > 0.0) || !(net->dt > 0.0) || net->steps < 1)
        return infer_fail(error, DWMTJ_H_ERR_USAGE,
                          "the network's gain, dt or steps is not positive");
    if (dwmtj_weights_alloc(&m->eff, net->n_layers, net->size) != 0)
        return infer_fail(error, DWMTJ_H_ERR_NOMEM, "out of memory");
    float *w0[DWMTJ_W_MAX_LAYERS], *b0[DWMTJ_W_MAX_LAYERS];
    memcpy(w0, m->eff.w, sizeof w0);
    memcpy(b0, m->eff.b, sizeof b0);
    m->eff = *net; /* every scalar; the arrays are ours */
    memcpy(m->eff.w, w0, sizeof w0);
    memcpy(m->eff.b, b0, sizeof b0);
    m->eff.periphery = dwmtj_infer_network_rule(o, net);
    m->n_layers = net->n_layers;
    memcpy(m->size, net->size, sizeof m->size);
    double span = o->g_max - o->g_min;
    for (int l = 0; l < net->n_layers; l++) {
        int nin = net->size[l], nout = net->size[l + 1], cols = nin + 1;
        double wm = 0.0;
        for (size_t k = 0; k < (size_t)nin * nout; k++)
            wm = fmax(wm, fabs((double)net->w[l][k]));
        for (int k = 0; k < nout; k++)
            wm = fmax(wm, fabs((double)net->b[l][k]));
        if (!(wm > 0.0))
            wm = 1.0; /* an all-zero layer: any scale */
        m->w_max[l] = wm;
        m->mirror[l] = net->gain * wm / (o->v_read * span);
        m->g_plus[l] = malloc(sizeof(double) * (size_t)nout * cols);
        m->g_minus[l] = malloc(sizeof(double) * (size_t)nout * cols);
        if (!m->g_plus[l] || !m->g_minus[l]) {
            dwmtj_infer_map_free(m);
            return infer_fail(error, DWMTJ_H_ERR_NOMEM, "out of memory");
        }
        for (int r = 0; r < nout; r++)
            for (int i = 0; i < cols; i++) {
                double w = i < nin ? (double)net->w[l][(size_t)r * nin + i] : (double)net->b[l][r];
                double a = level_of(fabs(w) / wm, o->levels);
                size_t k = (size_t)r * cols + i;
                m->g_plus[l][k] = o->g_min + (w > 0.0 ? span * a : 0.0);
                m->g_minus[l][k] = o->g_min + (w < 0.0 ? span * a : 0.0);
                float we = (float)((w < 0.0 ? -a : a) * wm);
                if (i < nin)
                    m->eff.w[l][(size_t)r * nin + i] = o->levels >= 2 ? we : net->w[l][(size_t)r * nin + i];
                else
                    m->eff.b[l][r] = o->levels >= 2 ? we : net->b[l][r];
            }
    }
    return DWMTJ_H_OK;
}
