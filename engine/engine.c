/* The engine's public calls (dwmtj_engine.h). */
#include "engine_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dwmtj_engine_free(dwmtj_circuit *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n_nodes; i++)
        free(c->node_name[i]);
    free(c->node_name);
    free(c->node_group);
    free(c->node_kind);
    free(c->node_row);
    free(c->mon_dev);
    free(c->mon_k);
    free(c->hash);
    free(c->res);
    for (int k = 0; k < c->n_vs; k++) {
        free(c->vs[k].name);
        free(c->vs[k].where);
        free(c->vs[k].t);
        free(c->vs[k].v);
    }
    free(c->vs);
    for (int k = 0; k < c->n_bs; k++) {
        free(c->bs[k].name);
        free(c->bs[k].where);
        eng_expr_free(c->bs[k].e);
    }
    free(c->bs);
    for (int k = 0; k < c->n_dev; k++) {
        free(c->dev[k].name);
        free(c->dev[k].where);
        free(c->dev[k].mon);
    }
    free(c->dev);
    for (int k = 0; k < c->n_model; k++) {
        free(c->model[k].name);
        free(c->model[k].where);
    }
    free(c->model);
    for (int k = 0; k < c->n_bv; k++) {
        free(c->bv[k].name);
        free(c->bv[k].where);
        eng_expr_free(c->bv[k].e);
    }
    free(c->bv);
    for (int k = 0; k < c->n_swm; k++)
        free(c->swm[k].name);
    free(c->swm);
    for (int k = 0; k < c->n_sw; k++) {
        free(c->sw[k].name);
        free(c->sw[k].where);
        free(c->sw[k].model_name);
    }
    free(c->sw);
    for (int k = 0; k < c->n_cap; k++) {
        free(c->cap[k].name);
        free(c->cap[k].where);
    }
    free(c->cap);
    free(c->rc);
    for (int k = 0; k < c->n_u; k++) {
        free(c->u[k].node);
        free(c->u[k].coef);
    }
    free(c->u);
    free(c->node_rc);
    free(c->node_out);
    free(c->lv);
    for (int k = 0; k < c->n_save; k++)
        free(c->save[k]);
    free(c->save);
    free(c->lin_src);
    free(c->out_row);
    free(c->map);
    free(c->Ap);
    free(c->Ai);
    free(c->Ax);
    free(c->res_pos);
    free(c->nl_res);
    free(c->nl_vs);
    free(c->vs_pos);
    eng_blocks_free(c);
    eng_parts_free(c);
    free(c->x);
    free(c->dx);
    free(c->f);
    for (int k = 0; k < c->n_vec; k++) {
        free(c->vec[k].name);
        free(c->vec[k].v);
    }
    free(c->vec);
    free(c->vec_by_name);
    free(c->time);
    free(c->y0);
    free(c->y1);
    free(c->yt);
    free(c->cur0);
    free(c->cur1);
    free(c->cur);
    free(c->ctl);
    free(c->kink);
    free(c->bval);
    free(c->row_group);
    free(c->group_done);
    free(c);
}

int dwmtj_engine_create(const dwmtj_spice_deck *d, dwmtj_circuit **out, char **error)
{
    if (error)
        *error = NULL;
    if (!out || !d)
        return DWMTJ_E_ERR_USAGE;
    *out = NULL;
    dwmtj_circuit *c = calloc(1, sizeof *c);
    if (!c)
        return DWMTJ_E_ERR_NOMEM;
    c->max_points = DWMTJ_E_MAX_POINTS;
    int rc = eng_read(c, d);
    if (rc == DWMTJ_E_OK)
        rc = eng_build(c);
    if (rc != DWMTJ_E_OK) {
        if (error)
            *error = strdup(c->error[0] ? c->error
                            : rc == DWMTJ_E_ERR_NOMEM ? "out of memory"
                                                      : dwmtj_engine_status_string(rc));
        dwmtj_engine_free(c);
        return rc;
    }
    *out = c;
    return DWMTJ_E_OK;
}

int dwmtj_engine_parse(const char *name, const char *text, dwmtj_circuit **out, char **error)
{
    if (error)
        *error = NULL;
    if (!out || !text)
        return DWMTJ_E_ERR_USAGE;
    *out = NULL;
    dwmtj_spice_deck *d = NULL;
    int rc = dwmtj_spice_read(&d, name ? name : "deck", text, error);
    if (rc != DWMTJ_SPICE_OK)
        return rc == DWMTJ_SPICE_ERR_NOMEM ? DWMTJ_E_ERR_NOMEM : DWMTJ_E_ERR_SYNTAX;
    rc = dwmtj_engine_create(d, out, error);
    dwmtj_spice_free(d);
    return rc;
}

int dwmtj_engine_set_limits(dwmtj_circuit *c, long max_points, double timeout_s)
{
    if (!c || max_points < 2)
        return DWMTJ_E_ERR_USAGE;
    c->max_points = max_points;
    c->timeout_s = timeout_s;
    return DWMTJ_E_OK;
}

const char *dwmtj_engine_error(const dwmtj_circuit *c)
{
    return c ? c->error : "";
}

const char *dwmtj_engine_warning(const dwmtj_circuit *c)
{
    return c ? c->warning : "";
}

int dwmtj_engine_source(const dwmtj_circuit *c, const char *source)
{
    if (!c || !source)
        return -1;
    for (int k = 0; k < c->n_vs; k++)
        if (strcmp(c->vs[k].name, source) == 0)
            return k;
    return -1;
}

int dwmtj_engine_set_pwl_at(dwmtj_circuit *c, int source, int n, const double *t,
                            const double *v)
{
    if (!c || source < 0 || source >= c->n_vs || n < 1 || !t || !v)
        return DWMTJ_E_ERR_USAGE;
    for (int k = 0; k < n; k++) {
        if (!isfinite(t[k]) || !isfinite(v[k]))
            return eng_fail(c, DWMTJ_E_ERR_USAGE, "source %s: PWL point %d is not finite",
                            c->vs[source].name, k);
        if (k > 0 && !(t[k] > t[k - 1]))
            return eng_fail(c, DWMTJ_E_ERR_USAGE, "source %s: PWL times must increase",
                            c->vs[source].name);
    }
    eng_vsrc *s = &c->vs[source];
    if (n > s->cap) {
        double *nt = realloc(s->t, sizeof(double) * (size_t)n);
        if (!nt)
            return DWMTJ_E_ERR_NOMEM;
        s->t = nt;
        double *nv = realloc(s->v, sizeof(double) * (size_t)n);
        if (!nv)
            return DWMTJ_E_ERR_NOMEM;
        s->v = nv;
        s->cap = n;
    }
    memcpy(s->t, t, sizeof(double) * (size_t)n);
    memcpy(s->v, v, sizeof(double) * (size_t)n);
    s->n = n;
    return DWMTJ_E_OK;
}

int dwmtj_engine_set_pwl(dwmtj_circuit *c, const char *source, int n, const double *t,
                         const double *v)
{
    int k = dwmtj_engine_source(c, source);
    if (k < 0)
        return c ? eng_fail(c, DWMTJ_E_ERR_VECTOR, "no voltage source %s", source ? source : "")
                 : DWMTJ_E_ERR_USAGE;
    return dwmtj_engine_set_pwl_at(c, k, n, t, v);
}

int dwmtj_engine_set_steps(dwmtj_circuit *c, int steps)
{
    if (!c || (steps != DWMTJ_E_STEPS_NGSPICE && steps != DWMTJ_E_STEPS_EXACT &&
               steps != DWMTJ_E_STEPS_NEURON))
        return DWMTJ_E_ERR_USAGE;
    c->steps = steps;
    return DWMTJ_E_OK;
}

int dwmtj_engine_run(dwmtj_circuit *c)
{
    if (!c)
        return DWMTJ_E_ERR_USAGE;
    c->error[0] = '\0';
    return eng_run(c);
}

/* Saved vector name of the last run, NULL for "time" or none (*found). */
static const eng_vec *find_vec(const dwmtj_circuit *c, const char *name, int *found)
{
    *found = strcmp(name, "time") == 0;
    if (*found || !c->vec_by_name)
        return NULL;
    int lo = 0, hi = c->n_vec; /* the first of the name's, as a linear search finds */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (strcmp(c->vec_by_name[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < c->n_vec && strcmp(c->vec_by_name[lo].name, name) == 0) {
        *found = 1;
        return &c->vec[c->vec_by_name[lo].k];
    }
    return NULL;
}

int dwmtj_engine_vector(const dwmtj_circuit *c, const char *name, const double **v, int *len)
{
    if (!c || !name || !v || !len)
        return DWMTJ_E_ERR_USAGE;
    int found;
    const eng_vec *x = find_vec(c, name, &found);
    if (!found)
        return DWMTJ_E_ERR_VECTOR;
    *v = x ? x->v : c->time;
    *len = x ? x->n : c->n_time;
    return DWMTJ_E_OK;
}

int dwmtj_engine_vector_time(const dwmtj_circuit *c, const char *name, const double **t,
                             int *len)
{
    if (!c || !name || !t || !len)
        return DWMTJ_E_ERR_USAGE;
    int found;
    const eng_vec *x = find_vec(c, name, &found);
    int g = x ? x->axis : -1;
    int own = g >= 0 && g < c->n_part && c->stats.groups_split;
    *t = own ? c->part[g].time : c->time;
    *len = own ? c->part[g].n_time : c->n_time;
    return found ? DWMTJ_E_OK : DWMTJ_E_ERR_VECTOR;
}

void dwmtj_engine_get_stats(const dwmtj_circuit *c, dwmtj_engine_stats *s)
{
    if (c && s)
        *s = c->stats;
}

void dwmtj_engine_stats_add(dwmtj_engine_stats *sum, const dwmtj_engine_stats *s)
{
    if (!sum || !s)
        return;
    sum->time_points += s->time_points;
    sum->turn_points += s->turn_points;
    sum->cross_points += s->cross_points;
    sum->newton_iterations += s->newton_iterations;
    sum->refactors += s->refactors;
    sum->linear_outputs += s->linear_outputs;
    sum->linear_sources += s->linear_sources;
    sum->unknowns_linear += s->unknowns_linear;
    sum->unknowns_newton += s->unknowns_newton;
    sum->seconds_linear += s->seconds_linear;
    sum->seconds_newton += s->seconds_newton;
    sum->warnings += s->warnings;
    sum->groups_dense += s->groups_dense;
    sum->groups_klu += s->groups_klu;
    sum->groups_split += s->groups_split;
    sum->groups_open += s->groups_open;
    sum->groups_folded += s->groups_folded;
}
