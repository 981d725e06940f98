/* The session of a build without libngspice (configure --disable-harness):
 * the netlist, analysis and crossbar parts of the harness work as usual,
 * and every session call fails with a message that says why, so that the
 * tool's run, array and ngspice backends stop with a clear error instead
 * of a missing symbol.  Same API and husk semantics as session.c: open
 * hands back a session that only error(), version() and close() serve. */
#include "dwmtj_harness.h"

#include <stdlib.h>
#include <string.h>

#define NO_NGSPICE "this dwmtj4t was built without libngspice (configure --disable-harness):" \
                   " no ngspice simulation in this build"

struct dwmtj_session {
    char error[256];   /* the message of every call */
};

static int fail(dwmtj_session *s)
{
    if (!s)
        return DWMTJ_H_ERR_USAGE;
    strcpy(s->error, NO_NGSPICE);
    return DWMTJ_H_ERR_INIT;
}

int dwmtj_session_open(dwmtj_session **out, const char *cm_path)
{
    (void)cm_path;
    if (!out)
        return DWMTJ_H_ERR_USAGE;
    *out = calloc(1, sizeof **out);
    if (!*out)
        return DWMTJ_H_ERR_NOMEM;
    return fail(*out);
}

void dwmtj_session_close(dwmtj_session *s)
{
    free(s);
}

const char *dwmtj_session_error(const dwmtj_session *s)
{
    return s ? s->error : "";
}

const char *dwmtj_session_ngspice_version(const dwmtj_session *s)
{
    (void)s;
    return "";
}

const char *dwmtj_session_log(const dwmtj_session *s)
{
    (void)s;
    return "";
}

const char *dwmtj_session_warnings(const dwmtj_session *s)
{
    (void)s;
    return "";
}

int dwmtj_session_load(dwmtj_session *s, const char *name, const char *text)
{
    (void)name;
    (void)text;
    return fail(s);
}

int dwmtj_session_load_deck(dwmtj_session *s, const dwmtj_spice_deck *d)
{
    (void)d;
    return fail(s);
}

int dwmtj_session_load_netlist(dwmtj_session *s, const dwmtj_netlist *nl)
{
    (void)nl;
    return fail(s);
}

int dwmtj_session_run(dwmtj_session *s, dwmtj_progress_fn progress, void *userdata,
                      double timeout_s)
{
    (void)progress;
    (void)userdata;
    (void)timeout_s;
    return fail(s);
}

int dwmtj_session_command(dwmtj_session *s, const char *command)
{
    (void)command;
    return fail(s);
}

int dwmtj_session_vector(dwmtj_session *s, const char *name, const double **data, int *length)
{
    (void)name;
    if (data)
        *data = NULL;
    if (length)
        *length = 0;
    return fail(s);
}

int dwmtj_run_streaming(dwmtj_session *s, const dwmtj_netlist *nl, double chunk_s,
                        dwmtj_progress_fn progress, dwmtj_spike_fn on_spike, void *userdata,
                        double timeout_s, dwmtj_report *r)
{
    (void)nl;
    (void)chunk_s;
    (void)progress;
    (void)on_spike;
    (void)userdata;
    (void)timeout_s;
    if (r)
        memset(r, 0, sizeof *r);
    return fail(s);
}
