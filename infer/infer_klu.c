/* The klu backend of inference (infer_internal.h): each layer's circuit
 * made once from its deck (all word lines) for the exact engine
 * (dwmtj_engine.h), the images' inputs set as PWL waves. */
#include "infer_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The engine's status as the harness's. */
static int status(int rc)
{
    switch (rc) {
    case DWMTJ_E_OK: return DWMTJ_H_OK;
    case DWMTJ_E_ERR_NOMEM: return DWMTJ_H_ERR_NOMEM;
    case DWMTJ_E_ERR_USAGE: return DWMTJ_H_ERR_USAGE;
    case DWMTJ_E_ERR_PARAM: return DWMTJ_H_ERR_MODEL;
    case DWMTJ_E_ERR_CONVERGENCE:
    case DWMTJ_E_ERR_SINGULAR:
    case DWMTJ_E_ERR_DEVICE:
    case DWMTJ_E_ERR_VALUE: return DWMTJ_H_ERR_CONVERGENCE;
    case DWMTJ_E_ERR_TIMEOUT: return DWMTJ_H_ERR_TIMEOUT;
    case DWMTJ_E_ERR_VECTOR: return DWMTJ_H_ERR_VECTOR;
    default: return DWMTJ_H_ERR_NETLIST;
    }
}

static int layer(dwmtj_infer *c, int l, const unsigned char *active)
{
    (void)active; /* the circuit holds every word line; silent ones stay at 0 V */
    if (c->eng[l])
        return DWMTJ_H_OK;
    dwmtj_spice_deck *d = NULL;
    char *why = NULL, what[64];
    int rc = dwmtj_infer_deck(&c->map, c->net, &c->o, l, NULL, NULL, &d);
    if (rc != DWMTJ_H_OK)
        return infer_set_error(c, rc, "generating a layer's deck", NULL);
    rc = dwmtj_engine_create(d, &c->eng[l], &why);
    dwmtj_spice_free(d);
    snprintf(what, sizeof what, "layer %d", l + 1);
    if (rc != DWMTJ_E_OK) {
        infer_set_error(c, status(rc), what, why);
        free(why);
        return status(rc);
    }
    /* the cell's one-shots are charge storage: ngspice's steps there follow
     * its truncation-error control, which the engine does not copy, so its
     * ngspice schedule would be neither those points nor the continuous
     * circuit; the exact points are the latter, the cell rule's answer */
    static const int steps[] = { DWMTJ_E_STEPS_NGSPICE, DWMTJ_E_STEPS_EXACT,
                                 DWMTJ_E_STEPS_NEURON };
    dwmtj_engine_set_steps(
        c->eng[l], steps[dwmtj_infer_klu_steps_for(&c->o, dwmtj_infer_periphery(&c->o, c->net))]);
    if (c->o.timeout_s > 0.0)
        dwmtj_engine_set_limits(c->eng[l], DWMTJ_E_MAX_POINTS, c->o.timeout_s);
    int nin = c->net->size[l];
    if (!(c->eng_src[l] = malloc(sizeof(int) * (size_t)nin)))
        return infer_set_error(c, DWMTJ_H_ERR_NOMEM, what, NULL);
    for (int i = 0; i < nin; i++) {
        char name[32];
        snprintf(name, sizeof name, "vx%d", i);
        c->eng_src[l][i] = dwmtj_engine_source(c->eng[l], name);
    }
    return DWMTJ_H_OK;
}

static int run(dwmtj_infer *c, int l, const unsigned char *in)
{
    int T = c->net->steps, nin = c->net->size[l];
    char what[64];
    snprintf(what, sizeof what, "layer %d", l + 1);
    for (int i = 0; i < nin; i++) {
        int n = infer_pwl_points_at(in + (size_t)i * T, T, c->edge_t, c->o.v_read, 0, c->pw_t,
                                    c->pw_v);
        int rc = dwmtj_engine_set_pwl_at(c->eng[l], c->eng_src[l][i], n, c->pw_t, c->pw_v);
        if (rc != DWMTJ_E_OK)
            return infer_set_error(c, status(rc), what, dwmtj_engine_error(c->eng[l]));
    }
    int rc = dwmtj_engine_run(c->eng[l]);
    dwmtj_engine_stats st;
    dwmtj_engine_get_stats(c->eng[l], &st);
    dwmtj_engine_stats_add(&c->eng_sum, &st);
    infer_warned(c, st.warnings, dwmtj_engine_warning(c->eng[l]));
    if (rc != DWMTJ_E_OK)
        return infer_set_error(c, status(rc), what, dwmtj_engine_error(c->eng[l]));
    return DWMTJ_H_OK;
}

static int vector(dwmtj_infer *c, int l, const char *name, const double **v, int *len,
                  const double **t, int *n_t)
{
    int rc = dwmtj_engine_vector(c->eng[l], name, v, len);
    if (rc == DWMTJ_E_OK)
        rc = dwmtj_engine_vector_time(c->eng[l], name, t, n_t);
    if (rc != DWMTJ_E_OK) {
        char what[96];
        snprintf(what, sizeof what, "layer %d: reading %s", l + 1, name);
        return infer_set_error(c, DWMTJ_H_ERR_VECTOR, what, "no such vector in the engine's run");
    }
    return DWMTJ_H_OK;
}

static int done(dwmtj_infer *c, int l)
{
    (void)c;
    (void)l;
    return DWMTJ_H_OK;
}

static void release(dwmtj_infer *c)
{
    for (int l = 0; l < DWMTJ_W_MAX_LAYERS; l++) {
        dwmtj_engine_free(c->eng[l]);
        free(c->eng_src[l]);
        c->eng[l] = NULL;
        c->eng_src[l] = NULL;
    }
}

const infer_backend infer_klu = { "klu", layer, run, vector, done, release };
