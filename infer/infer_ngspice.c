/* The ngspice backend of inference (infer_internal.h): each layer's deck
 * through libngspice, the chunk's silent word lines left out, the images'
 * inputs put on the word lines with alter commands. */
#include "infer_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int session_error(dwmtj_infer *c, int rc, const char *what)
{
    return infer_set_error(c, rc, what, dwmtj_session_error(c->s));
}

/* Loads the deck of layer l with inputs in (NULL = none) and the word
 * lines of active (NULL = all). */
static int load(dwmtj_infer *c, int l, const unsigned char *in, const unsigned char *active)
{
    dwmtj_spice_deck *d = NULL;
    int rc = dwmtj_infer_deck(&c->map, c->net, &c->o, l, in, active, &d);
    if (rc != DWMTJ_H_OK)
        return infer_set_error(c, rc, "generating a layer's deck", NULL);
    rc = dwmtj_session_load_deck(c->s, d);
    dwmtj_spice_free(d);
    c->warn_seen = 0; /* the session's warnings start again with the deck */
    if (rc != DWMTJ_H_OK)
        return session_error(c, rc, "loading a layer's deck");
    size_t n = (size_t)c->net->size[l] * c->net->steps;
    if (in)
        memcpy(c->applied, in, n);
    else
        memset(c->applied, 0, n);
    return DWMTJ_H_OK;
}

static int layer(dwmtj_infer *c, int l, const unsigned char *active)
{
    return c->o.naive ? DWMTJ_H_OK : load(c, l, NULL, active);
}

/* Puts the spike trains in on the word lines of the loaded deck of layer
 * l, altering only those that change. */
static int apply_inputs(dwmtj_infer *c, int l, const unsigned char *in)
{
    int T = c->net->steps;
    for (int i = 0; i < c->net->size[l]; i++) {
        unsigned char *cur = c->applied + (size_t)i * T;
        const unsigned char *want = in + (size_t)i * T;
        if (memcmp(cur, want, (size_t)T) == 0)
            continue; /* also every line left out of the deck: silent */
        int n = infer_pwl_points_at(want, T, c->edge_t, c->o.v_read, 0, c->pw_t, c->pw_v);
        char *w = NULL;
        if (dwmtj_spice_write_numbers(n, c->pw_t, c->pw_v, &w) != DWMTJ_SPICE_OK)
            return infer_set_error(c, DWMTJ_H_ERR_NOMEM, "input wave", NULL);
        dwmtj_str cmd = { 0 };
        dwmtj_str_printf(&cmd, "alter @vx%d[pwl] = [ %s ]", i, w);
        free(w);
        if (cmd.err) {
            free(cmd.s);
            return infer_set_error(c, DWMTJ_H_ERR_NOMEM, "input wave", NULL);
        }
        int rc = dwmtj_session_command(c->s, cmd.s);
        free(cmd.s);
        if (rc != DWMTJ_H_OK)
            return session_error(c, rc, "changing an input");
        memcpy(cur, want, (size_t)T);
    }
    return DWMTJ_H_OK;
}

static int run(dwmtj_infer *c, int l, const unsigned char *in)
{
    int rc = c->o.naive ? load(c, l, in, NULL) : apply_inputs(c, l, in);
    if (rc != DWMTJ_H_OK)
        return rc;
    rc = dwmtj_session_run(c->s, NULL, NULL, c->o.timeout_s);
    if (rc != DWMTJ_H_OK)
        return session_error(c, rc, "running a layer");
    /* the warnings the devices printed, each once per deck */
    const char *w = dwmtj_session_warnings(c->s);
    int lines = 0;
    for (const char *p = w; *p; p++)
        lines += *p == '\n';
    const char *first = w;
    for (int k = 0; k < c->warn_seen && *first; k++)
        first += strcspn(first, "\n") + 1;
    infer_warned(c, lines - c->warn_seen, first);
    c->warn_seen = lines;
    return DWMTJ_H_OK;
}

static int vector(dwmtj_infer *c, int l, const char *name, const double **v, int *len,
                  const double **t, int *n_t)
{
    int rc = dwmtj_session_vector(c->s, name, v, len);
    if (rc == DWMTJ_H_OK)
        rc = dwmtj_session_vector(c->s, "time", t, n_t); /* one axis for all */
    if (rc != DWMTJ_H_OK) {
        char what[96];
        snprintf(what, sizeof what, "layer %d: reading %s", l + 1, name);
        return session_error(c, rc, what);
    }
    return DWMTJ_H_OK;
}

/* the run's vectors go; the circuit stays */
static int done(dwmtj_infer *c, int l)
{
    (void)l;
    if (c->o.naive)
        return DWMTJ_H_OK;
    int rc = dwmtj_session_command(c->s, "destroy all");
    return rc == DWMTJ_H_OK ? DWMTJ_H_OK : session_error(c, rc, "freeing a run's vectors");
}

static void release(dwmtj_infer *c) { (void)c; }

const infer_backend infer_ngspice = { "ngspice", layer, run, vector, done, release };
