/* The engine of a build without KLU (configure --disable-engine): parsing
 * fails with a message that says why, so that dwmtj infer --backend klu
 * and dwmtj bench stop with a clear error; no circuit ever exists, so the
 * other calls only see NULL. */
#include "dwmtj_engine.h"

#include <stdlib.h>
#include <string.h>

#define NO_ENGINE "this dwmtj4t was built without the KLU engine (configure --disable-engine):" \
                  " use the ngspice backend"

int dwmtj_engine_create(const dwmtj_spice_deck *d, dwmtj_circuit **c, char **error)
{
    (void)d;
    if (c)
        *c = NULL;
    if (error)
        *error = strdup(NO_ENGINE);
    return DWMTJ_E_ERR_UNSUPPORTED;
}

int dwmtj_engine_set_limits(dwmtj_circuit *c, long max_points, double timeout_s)
{
    (void)c;
    (void)max_points;
    (void)timeout_s;
    return DWMTJ_E_ERR_USAGE;
}

int dwmtj_engine_parse(const char *name, const char *text, dwmtj_circuit **c, char **error)
{
    (void)name;
    (void)text;
    if (c)
        *c = NULL;
    if (error)
        *error = strdup(NO_ENGINE);
    return DWMTJ_E_ERR_UNSUPPORTED;
}

void dwmtj_engine_free(dwmtj_circuit *c)
{
    (void)c;
}

const char *dwmtj_engine_error(const dwmtj_circuit *c)
{
    (void)c;
    return NO_ENGINE;
}

int dwmtj_engine_set_pwl(dwmtj_circuit *c, const char *source, int n, const double *t,
                         const double *v)
{
    (void)c;
    (void)source;
    (void)n;
    (void)t;
    (void)v;
    return DWMTJ_E_ERR_USAGE;
}

int dwmtj_engine_source(const dwmtj_circuit *c, const char *source)
{
    (void)c;
    (void)source;
    return -1;
}

int dwmtj_engine_set_pwl_at(dwmtj_circuit *c, int source, int n, const double *t,
                            const double *v)
{
    (void)c;
    (void)source;
    (void)n;
    (void)t;
    (void)v;
    return DWMTJ_E_ERR_USAGE;
}

int dwmtj_engine_set_steps(dwmtj_circuit *c, int steps)
{
    (void)c;
    (void)steps;
    return DWMTJ_E_ERR_USAGE;
}

int dwmtj_engine_run(dwmtj_circuit *c)
{
    (void)c;
    return DWMTJ_E_ERR_USAGE;
}

int dwmtj_engine_vector(const dwmtj_circuit *c, const char *name, const double **v, int *len)
{
    (void)c;
    (void)name;
    if (v)
        *v = NULL;
    if (len)
        *len = 0;
    return DWMTJ_E_ERR_USAGE;
}

int dwmtj_engine_vector_time(const dwmtj_circuit *c, const char *name, const double **t,
                             int *len)
{
    return dwmtj_engine_vector(c, name, t, len);
}

void dwmtj_engine_get_stats(const dwmtj_circuit *c, dwmtj_engine_stats *s)
{
    (void)c;
    if (s)
        memset(s, 0, sizeof *s);
}

/* No engine ran, so every count is zero: nothing to add. */
void dwmtj_engine_stats_add(dwmtj_engine_stats *sum, const dwmtj_engine_stats *s)
{
    (void)sum;
    (void)s;
}
