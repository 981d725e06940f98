/* The libngspice session of the dwmtj harness (dwmtj_harness.h).
 *
 * ngspice reports almost everything by printing: parse errors, unknown
 * models, non-convergence, the code model's messages.  The session collects
 * every printed line into a log and classifies errors from the lines an
 * operation added.  The callbacks run in ngspice's threads (the main one
 * for commands, the background one for runs) and find their session
 * through ngspice's userdata; a mutex guards what they write. */
#define _POSIX_C_SOURCE 200809L

#include "session_internal.h"
#include "dwmtj.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ngspice/sharedspice.h> /* needs bool: session_internal.h above */

#ifdef DWMTJ_CMDIR
#define DWMTJ_CM_DEFAULT DWMTJ_CMDIR "/dwmtj.cm"
#else
#define DWMTJ_CM_DEFAULT "/usr/lib/x86_64-linux-gnu/ngspice/dwmtj.cm"
#endif

struct sess_ngspice sess_ngspice;

/* ngspice's userdata while no session is open: callbacks ignore it, so
 * that nothing ever writes to a closed session.  Only its address counts. */
static char parked;

static dwmtj_session *session_of(void *user)
{
    return user == &parked ? NULL : user;
}

/* Printed text arrives as "stdout LINE" or "stderr LINE"; progress lines
 * ending in '\r' come without the prefix. */
static int cb_char(char *str, int id, void *user)
{
    (void)id;
    dwmtj_session *s = session_of(user);
    if (!s || !str)
        return 0;
    if (strncmp(str, "stdout ", 7) == 0 || strncmp(str, "stderr ", 7) == 0)
        str += 7;
    pthread_mutex_lock(&s->lock);
    sess_log_text_locked(s, str);
    pthread_mutex_unlock(&s->lock);
    return 0;
}

/* Status strings: "tran: 45.3%" while a transient runs (at most every
 * 100 ms), "--ready--" and analysis names otherwise. */
static int cb_stat(char *str, int id, void *user)
{
    (void)id;
    dwmtj_session *s = session_of(user);
    if (!s || !str || strncmp(str, "tran:", 5) != 0)
        return 0;
    char *end;
    double pct = strtod(str + 5, &end);
    if (end == str + 5 || *end != '%' || !isfinite(pct))
        return 0;
    pthread_mutex_lock(&s->lock);
    if (pct / 100.0 > s->stat_fraction)
        s->stat_fraction = pct / 100.0;
    pthread_mutex_unlock(&s->lock);
    return 0;
}

/* ngspice wants to be detached ('quit', or an error it cannot recover
 * from).  Never exit: mark the session dead. */
static int cb_exit(int status, NG_BOOL unload, NG_BOOL quit, int id, void *user)
{
    (void)unload;
    (void)quit;
    (void)id;
    dwmtj_session *s = session_of(user);
    if (!s)
        return 0;
    pthread_mutex_lock(&s->lock);
    s->dead = true;
    s->exit_status = status;
    pthread_mutex_unlock(&s->lock);
    return 0;
}

/* One accepted time point: its time gives the progress of a transient. */
static int cb_data(pvecvaluesall all, int count, int id, void *user)
{
    (void)count;
    (void)id;
    dwmtj_session *s = session_of(user);
    if (!s || !all)
        return 0;
    for (int k = 0; k < all->veccount; k++) {
        pvecvalues v = all->vecsa[k];
        if (v && v->is_scale) {
            if (v->name && strcmp(v->name, "time") == 0) {
                pthread_mutex_lock(&s->lock);
                s->t_scale = v->creal;
                pthread_mutex_unlock(&s->lock);
            }
            break;
        }
    }
    return 0;
}

/* A new plot starts: ngspice sends data only if this callback is set. */
static int cb_initdata(pvecinfoall info, int id, void *user)
{
    (void)info;
    (void)id;
    dwmtj_session *s = session_of(user);
    if (!s)
        return 0;
    pthread_mutex_lock(&s->lock);
    s->t_scale = 0.0;
    pthread_mutex_unlock(&s->lock);
    return 0;
}

/* Called with false when the background thread starts and true when it
 * ends (sharedspice.h has it the other way round). */
static int cb_bg(NG_BOOL not_running, int id, void *user)
{
    (void)id;
    dwmtj_session *s = session_of(user);
    if (!s)
        return 0;
    pthread_mutex_lock(&s->lock);
    if (not_running)
        s->bg_ended++;
    else
        s->bg_started++;
    pthread_mutex_unlock(&s->lock);
    return 0;
}

bool sess_is_dead(dwmtj_session *s)
{
    pthread_mutex_lock(&s->lock);
    bool d = s->dead;
    pthread_mutex_unlock(&s->lock);
    return d;
}

/* ngSpice_Command wants a writable string. */
int sess_ng_command(const char *cmd)
{
    char *c = strdup(cmd);
    if (!c)
        return -1;
    int rc = ngSpice_Command(c);
    free(c);
    return rc;
}

/* An open that failed still hands back its session, so that the caller
 * can read the message; every call but error(), version() and close()
 * repeats the status. */
static int husk(dwmtj_session *s, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int husk(dwmtj_session *s, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->error, sizeof s->error, fmt, ap);
    va_end(ap);
    s->husk = true;
    s->husk_status = status;
    return status;
}

/* Version from "** ngspice-39 ..." printed after mark. */
static void read_version(dwmtj_session *s, size_t mark)
{
    pthread_mutex_lock(&s->lock);
    const char *log = s->log ? s->log : "";
    const char *from = log + (mark > s->log_base ? mark - s->log_base : 0);
    const char *v = strstr(from, "ngspice-");
    if (v) {
        v += 8;
        size_t n = strcspn(v, " \t\n:");
        snprintf(s->version, sizeof s->version, "%.*s", (int)n, v);
    }
    pthread_mutex_unlock(&s->lock);
}

/* Whether ngspice knows the device dwmtj4t (its help listing is dropped
 * from the log). */
static bool device_known(dwmtj_session *s)
{
    size_t mark = sess_log_mark(s);
    sess_ng_command("devhelp dwmtj4t");
    char err[256];
    bool known = !sess_error_since(s, mark, err, sizeof err);
    pthread_mutex_lock(&s->lock);
    const char *at = s->log ? s->log : "";
    at += mark > s->log_base ? mark - s->log_base : 0;
    known = known && strstr(at, "dwmtj4t") != NULL;
    pthread_mutex_unlock(&s->lock);
    sess_log_truncate(s, mark);
    return known;
}

/* The code model file at path must be of this build: its libdwmtj
 * interface (CMdwmtjInterface, ngspice-codemodel/interface.c) the one this
 * library has.  A stale install (another version's parameters and
 * monitors) would otherwise load and read what it lacks as 0. */
static int cm_of_this_build(dwmtj_session *s, const char *path)
{
    dlerror();
    void *h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        return husk(s, DWMTJ_H_ERR_CODEMODEL, "cannot load code model %s: %s", path,
                    why ? why : "dlopen failed");
    }
    uint64_t (*id)(void) = NULL;
    *(void **)&id = dlsym(h, "CMdwmtjInterface"); /* POSIX's way to a function */
    uint64_t theirs = id ? id() : 0, ours = dwmtj_interface_id();
    dlclose(h);
    if (!id)
        return husk(s, DWMTJ_H_ERR_CODEMODEL,
                    "code model %s is not a dwmtj.cm of this build (it has no CMdwmtjInterface: "
                    "another code model, or one built before dwmtj4t %s); install this build's "
                    "(make install) or point --cm / DWMTJ_CM at it",
                    path, DWMTJ_VERSION);
    if (theirs != ours)
        return husk(s, DWMTJ_H_ERR_CODEMODEL,
                    "code model %s was built from another version of libdwmtj (interface %016" PRIx64
                    ", this build's %016" PRIx64 "): its parameters and monitors are not this "
                    "build's; install this build's (make install) or point --cm / DWMTJ_CM at it",
                    path, theirs, ours);
    return DWMTJ_H_OK;
}

int dwmtj_session_open(dwmtj_session **out, const char *cm_path)
{
    if (!out)
        return DWMTJ_H_ERR_USAGE;
    *out = NULL;
    dwmtj_session *s = calloc(1, sizeof *s);
    if (!s)
        return DWMTJ_H_ERR_NOMEM;
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        free(s);
        return DWMTJ_H_ERR_INIT;
    }
    s->load_status = LOAD_NONE;
    *out = s;
    if (sess_ngspice.open)
        return husk(s, DWMTJ_H_ERR_USAGE,
                    "a dwmtj session is already open (libngspice is one simulator per process)");
    if (sess_ngspice.dead)
        return husk(s, DWMTJ_H_ERR_EXIT,
                    "ngspice asked to exit earlier in this process and cannot be restarted");

    /* ngspice prints its banner at initialisation: take the version then,
     * or ask for it when a session was open before */
    size_t mark = sess_log_mark(s);
    if (!sess_ngspice.initialised) {
        if (ngSpice_Init(cb_char, cb_stat, cb_exit, cb_data, cb_initdata, cb_bg, s) != 0)
            return husk(s, DWMTJ_H_ERR_INIT, "ngSpice_Init failed");
        sess_ngspice.initialised = true;
    } else {
        /* the callbacks stay; only their userdata changes */
        ngSpice_Init_Sync(NULL, NULL, NULL, NULL, s);
    }
    s->registered = true;
    read_version(s, mark);
    if (!s->version[0]) {
        mark = sess_log_mark(s);
        sess_ng_command("version -s");
        read_version(s, mark);
    }
    if (sess_is_dead(s)) {
        sess_ngspice.dead = true;
        return husk(s, DWMTJ_H_ERR_EXIT, "ngspice asked to exit while initialising");
    }

    const char *env = getenv("DWMTJ_CM");
    const char *path = cm_path ? cm_path : env && *env ? env : DWMTJ_CM_DEFAULT;
    struct stat st;
    if (stat(path, &st) != 0)
        return husk(s, DWMTJ_H_ERR_CODEMODEL, "code model %s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return husk(s, DWMTJ_H_ERR_CODEMODEL, "code model %s: not a regular file", path);

    /* ngspice adds a loaded code model's devices again on every load and
     * uses the first: load ours only if no dwmtj4t is there yet (from an
     * earlier session, or a codemodel line in .spiceinit) */
    if (device_known(s)) {
        char note[4200];
        snprintf(note, sizeof note,
                 "dwmtj: dwmtj4t is already loaded (earlier session or .spiceinit); "
                 "%s not loaded again",
                 path);
        sess_log_note(s, note);
    } else {
        int rc0 = cm_of_this_build(s, path);
        if (rc0 != DWMTJ_H_OK)
            return rc0;
        char *cmd = malloc(strlen(path) + 16);
        if (!cmd)
            return husk(s, DWMTJ_H_ERR_NOMEM, "out of memory");
        /* quoted so that a path with spaces stays one word */
        sprintf(cmd, strpbrk(path, " \t") ? "codemodel \"%s\"" : "codemodel %s", path);
        mark = sess_log_mark(s);
        int rc = sess_ng_command(cmd);
        free(cmd);
        char err[1024];
        if (sess_is_dead(s)) {
            sess_ngspice.dead = true;
            return husk(s, DWMTJ_H_ERR_EXIT, "ngspice asked to exit loading code model %s", path);
        }
        if (sess_error_since(s, mark, err, sizeof err))
            return husk(s, DWMTJ_H_ERR_CODEMODEL, "cannot load code model %s: %s", path, err);
        if (rc != 0 || !device_known(s))
            return husk(s, DWMTJ_H_ERR_CODEMODEL,
                        "code model %s loaded, but ngspice does not know dwmtj4t", path);
    }
    sess_ngspice.open = true;
    return DWMTJ_H_OK;
}

void dwmtj_session_close(dwmtj_session *s)
{
    if (!s)
        return;
    if (!s->husk && !sess_is_dead(s)) {
        /* a run still going must end before its circuit, and the session
         * its callbacks get, go: ask for up to 30 s */
        for (int k = 0; k < 30 && ngSpice_running(); k++)
            sess_ng_command("bg_halt"); /* waits up to 1 s */
        if (ngSpice_running()) {
            /* it does not stop: leave it all in place rather than free
             * what it is using (the process should end soon) */
            sess_ngspice.dead = true;
            return;
        }
        /* ngspice stays in the process: leave it without the circuit and
         * its data */
        if (s->circuit) {
            sess_ng_command("remcirc");
            sess_ng_command("destroy all");
        }
    }
    if (sess_is_dead(s))
        sess_ngspice.dead = true;
    if (s->registered)
        ngSpice_Init_Sync(NULL, NULL, NULL, NULL, &parked);
    if (!s->husk)
        sess_ngspice.open = false;
    sess_free_deck(s);
    free(s->log);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

const char *dwmtj_session_error(const dwmtj_session *s)
{
    return s ? s->error : "";
}

const char *dwmtj_session_ngspice_version(const dwmtj_session *s)
{
    return s ? s->version : "";
}

const char *dwmtj_session_warnings(const dwmtj_session *s)
{
    return s && s->warnings ? s->warnings : "";
}

const char *dwmtj_session_log(const dwmtj_session *s)
{
    return s && s->log ? s->log : "";
}

/* Common checks of the calls after open: a usable session. */
int sess_usable(dwmtj_session *s)
{
    if (!s)
        return DWMTJ_H_ERR_USAGE;
    if (s->husk)
        return s->husk_status; /* the message stays */
    if (sess_is_dead(s)) {
        sess_ngspice.dead = true;
        return sess_fail(s, DWMTJ_H_ERR_EXIT, "ngspice asked to exit; the session is unusable");
    }
    /* a run that timed out may not have stopped at once (ngspice checks
     * for bg_halt between time steps): never command it while it runs */
    if (ngSpice_running()) {
        sess_ng_command("bg_halt");
        if (ngSpice_running())
            return sess_fail(s, DWMTJ_H_ERR_TIMEOUT, "ngspice is still running a halted analysis");
    }
    return DWMTJ_H_OK;
}

int dwmtj_session_command(dwmtj_session *s, const char *command)
{
    int rc = sess_usable(s);
    if (rc != DWMTJ_H_OK)
        return rc;
    if (!command || !*command)
        return sess_fail(s, DWMTJ_H_ERR_USAGE, "dwmtj_session_command: no command");
    /* a background run must go through dwmtj_session_run, which waits */
    if (strncmp(command + strspn(command, " \t"), "bg_", 3) == 0)
        return sess_fail(s, DWMTJ_H_ERR_USAGE, "command \"%s\": use dwmtj_session_run for runs",
                         command);
    size_t mark = sess_log_mark(s);
    rc = sess_ng_command(command);
    char err[1024];
    bool printed = sess_error_since(s, mark, err, sizeof err);
    if (sess_is_dead(s)) {
        sess_ngspice.dead = true;
        return sess_fail(s, DWMTJ_H_ERR_EXIT, "command \"%s\": ngspice asked to exit%s%s", command,
                         printed ? ": " : "", printed ? err : "");
    }
    if (printed)
        return sess_fail(s, DWMTJ_H_ERR_COMMAND, "command \"%s\": %s", command, err);
    if (rc != 0)
        return sess_fail(s, DWMTJ_H_ERR_COMMAND, "command \"%s\" failed", command);
    s->error[0] = '\0';
    return DWMTJ_H_OK;
}

int dwmtj_session_vector(dwmtj_session *s, const char *name, const double **data, int *length)
{
    if (data)
        *data = NULL;
    if (length)
        *length = 0;
    int rc = sess_usable(s);
    if (rc != DWMTJ_H_OK)
        return rc;
    if (!name || !*name || !data || !length)
        return sess_fail(s, DWMTJ_H_ERR_USAGE, "dwmtj_session_vector: missing name or output");
    char *low = strdup(name);
    if (!low)
        return sess_fail(s, DWMTJ_H_ERR_NOMEM, "out of memory");
    for (char *p = low; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    pvector_info vi = ngGet_Vec_Info(low);
    free(low);
    const char *plot = ngSpice_CurPlot();
    if (!vi)
        return sess_fail(s, DWMTJ_H_ERR_VECTOR, "vector \"%s\" not found in ngspice's plot %s",
                         name, plot ? plot : "(none)");
    if (!vi->v_realdata)
        return sess_fail(s, DWMTJ_H_ERR_VECTOR, "vector \"%s\" is complex, not real", name);
    if (vi->v_length <= 0)
        return sess_fail(s, DWMTJ_H_ERR_VECTOR, "vector \"%s\" has no data points", name);
    *data = vi->v_realdata;
    *length = vi->v_length;
    s->error[0] = '\0';
    return DWMTJ_H_OK;
}
