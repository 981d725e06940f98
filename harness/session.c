/* The libngspice session of the dwmtj harness (dwmtj_harness.h).
 *
 * ngspice reports almost everything by printing: parse errors, unknown
 * models, non-convergence, the code model's messages.  The session collects
 * every printed line into a log and classifies errors from the lines an
 * operation added.  The callbacks run in ngspice's threads (the main one
 * for commands, the background one for runs) and find their session
 * through ngspice's userdata; a mutex guards what they write. */
#define _POSIX_C_SOURCE 200809L

#include "dwmtj_harness.h"
#include "harness_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <ngspice/sharedspice.h> /* needs bool: stdbool.h above */

#ifdef DWMTJ_CMDIR
#define DWMTJ_CM_DEFAULT DWMTJ_CMDIR "/dwmtj.cm"
#else
#define DWMTJ_CM_DEFAULT "/usr/lib/x86_64-linux-gnu/ngspice/dwmtj.cm"
#endif

#define LOG_MAX ((size_t)16 << 20) /* bytes of log kept; older lines go first */
#define ERR_MAX 2048               /* longest error message */
#define LOAD_NONE 1                /* load_status before the first load */

struct dwmtj_session {
    pthread_mutex_t lock;    /* guards the fields marked (cb), which callbacks write */
    char *log;               /* (cb) printed lines, each ending in '\n'; NUL-terminated */
    size_t log_len;          /* (cb) bytes in log */
    size_t log_cap;          /* (cb) bytes allocated for log */
    size_t log_base;         /* (cb) bytes dropped from the front since the last reset */
    bool dead;               /* (cb) ngspice asked to exit */
    int exit_status;         /* (cb) the status it gave */
    int bg_started;          /* (cb) background threads that started */
    int bg_ended;            /* (cb) background threads that ended */
    double stat_fraction;    /* (cb) last "tran: P%" status of this run, as a fraction */
    double t_scale;          /* (cb) s, time of the last data point of this run */
    bool registered;         /* ngspice's userdata points to this session */
    bool husk;               /* open failed: only error(), version() and close() work */
    int husk_status;         /* the status open failed with */
    char version[32];        /* ngspice's version, e.g. "39"; empty if unknown */
    char error[ERR_MAX];     /* last error message, empty if none */
    char load_error[ERR_MAX]; /* message of the last load, repeated by run */
    int load_status;         /* status of the last load; LOAD_NONE before one */
    bool circuit;            /* a deck was sent to ngspice (remove it at the next load) */
    char *name;              /* name of the loaded netlist, for messages */
    char **line;             /* lines of the loaded deck as sent, NULL-terminated */
    int n_line;              /* number of them */
    double tstop;            /* s, stop time of its .tran card; 0 if unknown */
};

/* libngspice is one simulator per process, linked in: it cannot be
 * unloaded, initialised twice or restarted after it asked to exit.  These
 * flags are the only process-wide state of the session code; sessions are
 * not safe to open or close from several threads at once. */
static struct {
    bool initialised; /* ngSpice_Init has run */
    bool open;        /* a session is open */
    bool dead;        /* ngspice asked to exit: no session can work again */
} ng;

/* ngspice's userdata while no session is open: callbacks ignore it, so
 * that nothing ever writes to a closed session.  Only its address counts. */
static char parked;

static dwmtj_session *session_of(void *user)
{
    return user == &parked ? NULL : user;
}

/* ---- messages and the log ------------------------------------------- */

static int fail(dwmtj_session *s, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(dwmtj_session *s, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->error, sizeof s->error, fmt, ap);
    va_end(ap);
    return status;
}

/* Appends one line (without its end) to the log; the caller holds the
 * lock.  Past LOG_MAX the older half goes: errors come at the end. */
static void log_line_locked(dwmtj_session *s, const char *p, size_t n)
{
    if (s->log_len + n + 2 > LOG_MAX && s->log_len > 0) {
        size_t cut = s->log_len / 2;
        const char *nl = memchr(s->log + cut, '\n', s->log_len - cut);
        cut = nl ? (size_t)(nl - s->log) + 1 : s->log_len;
        memmove(s->log, s->log + cut, s->log_len - cut + 1);
        s->log_len -= cut;
        s->log_base += cut;
    }
    if (s->log_len + n + 2 > s->log_cap) {
        size_t cap = 2 * (s->log_len + n + 2) + 4096;
        char *b = realloc(s->log, cap);
        if (!b)
            return; /* out of memory: the line is lost, the log stays valid */
        s->log = b;
        s->log_cap = cap;
    }
    memcpy(s->log + s->log_len, p, n);
    s->log_len += n;
    s->log[s->log_len++] = '\n';
    s->log[s->log_len] = '\0';
}

/* Appends text, split at line ends ('\r' too: ngspice's progress lines),
 * dropping empty lines. */
static void log_text_locked(dwmtj_session *s, const char *p)
{
    while (*p) {
        size_t n = strcspn(p, "\r\n");
        if (n > 0)
            log_line_locked(s, p, n);
        p += n;
        if (*p)
            p++;
    }
}

/* Absolute log position: where the next line will start. */
static size_t log_mark(dwmtj_session *s)
{
    pthread_mutex_lock(&s->lock);
    size_t m = s->log_base + s->log_len;
    pthread_mutex_unlock(&s->lock);
    return m;
}

static void log_reset(dwmtj_session *s)
{
    pthread_mutex_lock(&s->lock);
    s->log_len = 0;
    s->log_base = 0;
    if (s->log)
        s->log[0] = '\0';
    pthread_mutex_unlock(&s->lock);
}

static void log_note(dwmtj_session *s, const char *text)
{
    pthread_mutex_lock(&s->lock);
    log_text_locked(s, text);
    pthread_mutex_unlock(&s->lock);
}

/* Drops what was logged after mark (verbose listings we only test). */
static void log_truncate(dwmtj_session *s, size_t mark)
{
    pthread_mutex_lock(&s->lock);
    if (mark >= s->log_base && mark - s->log_base < s->log_len) {
        s->log_len = mark - s->log_base;
        s->log[s->log_len] = '\0';
    }
    pthread_mutex_unlock(&s->lock);
}

/* ---- callbacks ------------------------------------------------------- */

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
    log_text_locked(s, str);
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

static bool is_dead(dwmtj_session *s)
{
    pthread_mutex_lock(&s->lock);
    bool d = s->dead;
    pthread_mutex_unlock(&s->lock);
    return d;
}

/* ngSpice_Command wants a writable string. */
static int ng_command(const char *cmd)
{
    char *c = strdup(cmd);
    if (!c)
        return -1;
    int rc = ngSpice_Command(c);
    free(c);
    return rc;
}

/* ---- reading the log ------------------------------------------------- */

/* A line of the log: start and length, no line end. */
typedef struct {
    const char *p;  /* first character, NULL if none */
    size_t n;       /* length */
} span;

/* Next line at *at (advanced past it); false at the end. */
static bool next_line(const char **at, span *l)
{
    const char *p = *at;
    if (!p || !*p)
        return false;
    const char *nl = strchr(p, '\n');
    l->p = p;
    l->n = nl ? (size_t)(nl - p) : strlen(p);
    *at = nl ? nl + 1 : p + l->n;
    return true;
}

static span trim(span l)
{
    while (l.n > 0 && isspace((unsigned char)*l.p)) {
        l.p++;
        l.n--;
    }
    while (l.n > 0 && isspace((unsigned char)l.p[l.n - 1]))
        l.n--;
    return l;
}

/* Case-insensitive search of needle in the line; its position or NULL. */
static const char *find_ci(span l, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; l.p && i + m <= l.n; i++)
        if (strncasecmp(l.p + i, needle, m) == 0)
            return l.p + i;
    return NULL;
}

static bool starts_ci(span l, const char *prefix)
{
    span t = trim(l);
    size_t m = strlen(prefix);
    return t.n >= m && strncasecmp(t.p, prefix, m) == 0;
}

/* The rest of the line after needle (trimmed); empty span if absent. */
static span after_ci(span l, const char *needle)
{
    const char *q = find_ci(l, needle);
    span r = { NULL, 0 };
    if (q) {
        r.p = q + strlen(needle);
        r.n = l.n - (size_t)(r.p - l.p);
        r = trim(r);
    }
    return r;
}

/* Lower case without white space, to match a card ngspice echoes (it
 * lower-cases and re-spaces) with the line it came from. */
static size_t squeeze(const char *p, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++)
        if (!isspace((unsigned char)p[i]))
            out[k++] = (char)tolower((unsigned char)p[i]);
    out[k] = '\0';
    return k;
}

/* 1-based deck line whose text is card; 0 if none. */
static int card_line(const dwmtj_session *s, span card)
{
    char want[1024], have[1024];
    if (squeeze(card.p, card.n, want, sizeof want) == 0)
        return 0;
    for (int i = 0; i < s->n_line; i++) {
        squeeze(s->line[i], strlen(s->line[i]), have, sizeof have);
        if (strcmp(want, have) == 0)
            return i + 1;
    }
    return 0;
}

/* 1-based deck line whose first word is word (an instance name); 0 if none. */
static int word_line(const dwmtj_session *s, span word)
{
    for (int i = 0; i < s->n_line && word.n > 0; i++) {
        const char *p = s->line[i] + strspn(s->line[i], " \t");
        if (strncasecmp(p, word.p, word.n) == 0 &&
            (p[word.n] == '\0' || isspace((unsigned char)p[word.n])))
            return i + 1;
    }
    return 0;
}

/* 1-based deck line containing both words (case-insensitive); 0 if none. */
static int text_line(const dwmtj_session *s, const char *a, span b)
{
    for (int i = 0; i < s->n_line; i++) {
        span l = { s->line[i], strlen(s->line[i]) };
        char bb[1024];
        snprintf(bb, sizeof bb, "%.*s", (int)b.n, b.p);
        if (find_ci(l, a) && find_ci(l, bb))
            return i + 1;
    }
    return 0;
}

/* "NAME:LINE" or "NAME" when the line is unknown. */
static void where(const dwmtj_session *s, int line, char *out, size_t n)
{
    const char *name = s->name ? s->name : "netlist";
    if (line > 0)
        snprintf(out, n, "%s:%d", name, line);
    else
        snprintf(out, n, "%s", name);
}

/* ---- classifying what ngspice printed -------------------------------- */

/* What a load or run printed that matters, first occurrence of each. */
typedef struct {
    span errline;     /* "Error on line N or its substitute:" */
    span errcard;     /* the card after it */
    span errreason;   /* the reason after the card */
    int n_errline;    /* how many such errors */
    span cantfind;    /* "warning, can't find model 'X' from line" or type mismatch */
    span cantcard;    /* the card after it */
    span subckt;      /* "Error: unknown subckt: CARD" */
    span include;     /* "Error: Could not find include file F" */
    span modissue;    /* "Warning: Model issue on line N :" with a dwmtj4t card */
    span modcard;     /* its card */
    span unknownpar;  /* "MIF: unrecognized parameter (P) - ignored" after it */
    span dwmtj;       /* "Instance: X   Message: dwmtj4t: ..." */
    span nojob;       /* "No job (tran, ac, op etc.) defined" or "simulation not started" */
    span doan;        /* "doAnalyses: ... too small" and the like */
    span conv;        /* other convergence failures */
    span singular;    /* "singular matrix" (a hint for convergence failures) */
    span notparsed;   /* "circuit not parsed", "aren't any circuits loaded" */
    span interrupted; /* "simulation interrupted" (bg_halt) */
    span error;       /* any other error line */
    bool circuit;     /* "Circuit: TITLE" was printed */
} findings;

/* A line that reports failure of a command. */
static bool error_line(span l)
{
    return starts_ci(l, "error") || find_ci(l, ": no such command") ||
           (starts_ci(l, "command '") && (find_ci(l, "ignored") || find_ci(l, "failed"))) ||
           starts_ci(l, "warning from checkvalid") || find_ci(l, "couldn't be loaded");
}

static bool conv_line(span l)
{
    return find_ci(l, "timestep too small") || find_ci(l, "simulation(s) aborted") ||
           find_ci(l, "op failed") || find_ci(l, "iteration limit reached") ||
           find_ci(l, "no convergence");
}

#define FIRST(f, l) \
    do { \
        if (!(f).p) \
            (f) = (l); \
    } while (0)

static void scan(const char *from, findings *f)
{
    memset(f, 0, sizeof *f);
    span l, a, b;
    const char *at = from;
    while (next_line(&at, &l)) {
        if (find_ci(l, "error on line ")) {
            if (f->n_errline++ == 0) {
                f->errline = l;
                const char *q = at;
                if (next_line(&q, &a)) {
                    f->errcard = trim(a);
                    if (next_line(&q, &b) && !find_ci(b, "error on line "))
                        f->errreason = trim(b);
                }
            }
        } else if (find_ci(l, "can't find model") || find_ci(l, "model type mismatch")) {
            if (!f->cantfind.p) {
                f->cantfind = trim(l);
                const char *q = at;
                if (next_line(&q, &a))
                    f->cantcard = trim(a);
            }
        } else if (find_ci(l, "unknown subckt")) {
            FIRST(f->subckt, l);
        } else if (find_ci(l, "could not find include file")) {
            FIRST(f->include, l);
        } else if (find_ci(l, "model issue on line")) {
            const char *q = at;
            if (!f->modissue.p && next_line(&q, &a) && find_ci(a, "dwmtj4t")) {
                f->modissue = l;
                f->modcard = trim(a);
                if (next_line(&q, &b) && find_ci(b, "unrecognized parameter"))
                    f->unknownpar = trim(b);
            }
        } else if (find_ci(l, "message: dwmtj4t:")) {
            FIRST(f->dwmtj, l);
        } else if (find_ci(l, "no job (") || find_ci(l, "simulation not started")) {
            FIRST(f->nojob, trim(l));
        } else if (starts_ci(l, "doanalyses:") && !find_ci(l, "pause requested")) {
            FIRST(f->doan, trim(l));
        } else if (conv_line(l)) {
            FIRST(f->conv, trim(l));
        } else if (find_ci(l, "circuit not parsed") || find_ci(l, "aren't any circuits loaded")) {
            FIRST(f->notparsed, trim(l));
        } else if (find_ci(l, "simulation interrupted")) {
            FIRST(f->interrupted, trim(l));
        } else if (error_line(l)) {
            if (find_ci(l, "singular matrix"))
                FIRST(f->singular, trim(l));
            else
                FIRST(f->error, trim(l));
        } else if (find_ci(l, "singular matrix")) {
            FIRST(f->singular, trim(l));
        } else if (starts_ci(l, "circuit:")) {
            f->circuit = true;
        }
    }
}

/* Reasons that mean the model is what is missing or wrong. */
static bool model_reason(span r)
{
    span name = after_ci(r, "unable to find definition of model");
    return (find_ci(r, "unable to find definition of model") && name.n > 0) ||
           find_ci(r, "valid modelname") || find_ci(r, "model name is not found") ||
           find_ci(r, "unknown model");
}

/* "Error on line N ...": NETLIST, or MODEL for an unknown model. */
static int errline_status(dwmtj_session *s, const findings *f)
{
    char at[512];
    span num = after_ci(f->errline, "error on line ");
    int line = num.p ? atoi(num.p) : 0;
    where(s, line, at, sizeof at);
    static const char rejected[] = "ngspice rejected the line";
    span reason = f->errreason.p ? f->errreason : (span){ rejected, sizeof rejected - 1 };
    while (reason.n > 0 && (reason.p[reason.n - 1] == '.' || reason.p[reason.n - 1] == ':'))
        reason.n--; /* the card follows after ": " */
    char more[64] = "";
    if (f->n_errline > 1)
        snprintf(more, sizeof more, " (and %d more error%s; see the log)", f->n_errline - 1,
                 f->n_errline > 2 ? "s" : "");
    /* "Unable to find definition of model" with no name: an element
     * letter ngspice does not know */
    if (find_ci(reason, "unable to find definition of model") &&
        after_ci(reason, "unable to find definition of model").n == 0) {
        char letter = f->errcard.n > 0 ? f->errcard.p[0] : '?';
        return fail(s, DWMTJ_H_ERR_NETLIST, "%s: unknown element type '%c' (%.*s): %.*s%s", at,
                    letter, (int)reason.n, reason.p, (int)f->errcard.n, f->errcard.p, more);
    }
    /* the warning before the error says which model is missing */
    span hint = { NULL, 0 };
    if (f->cantfind.p && f->cantcard.n == f->errcard.n &&
        strncmp(f->cantcard.p, f->errcard.p, f->errcard.n) == 0) {
        hint = f->cantfind;
        span h = after_ci(hint, "warning, ");
        if (h.p)
            hint = h;
        const char *tail = find_ci(hint, " from line");
        if (!tail)
            tail = find_ci(hint, " in line");
        if (tail)
            hint.n = (size_t)(tail - hint.p);
    }
    int status = model_reason(reason) || hint.p ? DWMTJ_H_ERR_MODEL : DWMTJ_H_ERR_NETLIST;
    if (hint.p)
        return fail(s, status, "%s: %.*s (%.*s): %.*s%s", at, (int)reason.n, reason.p,
                    (int)hint.n, hint.p, (int)f->errcard.n, f->errcard.p, more);
    return fail(s, status, "%s: %.*s: %.*s%s", at, (int)reason.n, reason.p, (int)f->errcard.n,
                f->errcard.p, more);
}

/* "Instance: X   Message: dwmtj4t: invalid parameter P = V: why; simulation stopped" */
static int dwmtj_status(dwmtj_session *s, const findings *f)
{
    char at[512];
    span inst = after_ci(f->dwmtj, "instance:");
    if (inst.p)
        inst.n = strcspn(inst.p, " \t\n");
    span msg = after_ci(f->dwmtj, "message:");
    const char *stop = find_ci(msg, "; simulation stopped");
    if (stop)
        msg.n = (size_t)(stop - msg.p);
    where(s, inst.p ? word_line(s, inst) : 0, at, sizeof at);
    int status = find_ci(msg, "out of memory") ? DWMTJ_H_ERR_NOMEM : DWMTJ_H_ERR_MODEL;
    if (!inst.p)
        return fail(s, status, "%s: %.*s", at, (int)msg.n, msg.p);
    return fail(s, status, "%s: instance %.*s: %.*s", at, (int)inst.n, inst.p, (int)msg.n,
                msg.p);
}

static int exit_status(dwmtj_session *s, const findings *f, const char *what)
{
    char at[512];
    where(s, 0, at, sizeof at);
    pthread_mutex_lock(&s->lock);
    int st = s->exit_status;
    pthread_mutex_unlock(&s->lock);
    if (f && f->error.p)
        return fail(s, DWMTJ_H_ERR_EXIT, "%s: ngspice asked to exit during %s (status %d): %.*s",
                    at, what, st, (int)f->error.n, f->error.p);
    return fail(s, DWMTJ_H_ERR_EXIT, "%s: ngspice asked to exit during %s (status %d)", at, what,
                st);
}

/* PHASE_PAUSE: a run that stopped at the harness's own breakpoint, where
 * ngspice's "simulation interrupted" is expected. */
enum phase { PHASE_LOAD, PHASE_RUN, PHASE_PAUSE };

/* Status of a load or run from the lines logged since mark. */
static int classify(dwmtj_session *s, size_t mark, enum phase phase)
{
    findings f;
    char at[512];
    where(s, 0, at, sizeof at);
    pthread_mutex_lock(&s->lock);
    const char *from = s->log ? s->log : "";
    if (mark > s->log_base)
        from += mark - s->log_base < s->log_len ? mark - s->log_base : s->log_len;
    scan(from, &f);
    bool dead = s->dead;
    pthread_mutex_unlock(&s->lock);
    /* the spans point into the log: only this thread changes it now (no
     * background run is going), and nothing below calls ngspice */

    if (dead)
        return exit_status(s, &f, phase == PHASE_LOAD ? "the load" : "the run");
    if (phase == PHASE_LOAD) {
        if (f.errline.p)
            return errline_status(s, &f);
        if (f.subckt.p) {
            span card = after_ci(f.subckt, "unknown subckt:");
            where(s, card_line(s, card), at, sizeof at);
            return fail(s, DWMTJ_H_ERR_NETLIST, "%s: unknown subckt: %.*s", at, (int)card.n,
                        card.p);
        }
        if (f.include.p) {
            span file = after_ci(f.include, "include file");
            where(s, text_line(s, ".inc", file), at, sizeof at);
            return fail(s, DWMTJ_H_ERR_FILE, "%s: could not find include file %.*s", at,
                        (int)file.n, file.p);
        }
        if (f.modissue.p && f.unknownpar.p) {
            span num = after_ci(f.modissue, "model issue on line ");
            span par = after_ci(f.unknownpar, "parameter (");
            par.n = par.p ? strcspn(par.p, ")") : 0;
            where(s, num.p ? atoi(num.p) : 0, at, sizeof at);
            return fail(s, DWMTJ_H_ERR_MODEL, "%s: dwmtj4t has no parameter '%.*s' (%.*s): %.*s",
                        at, (int)par.n, par.p, (int)f.unknownpar.n, f.unknownpar.p,
                        (int)f.modcard.n, f.modcard.p);
        }
    }
    /* a .control section runs at load: run failures can show up there too */
    if (f.dwmtj.p)
        return dwmtj_status(s, &f);
    if (f.nojob.p)
        return fail(s, DWMTJ_H_ERR_NOANALYSIS, "%s: no analysis to run (ngspice: %.*s)", at,
                    (int)f.nojob.n, f.nojob.p);
    if (f.doan.p || f.conv.p) {
        span why = f.doan.p ? f.doan : f.conv;
        if (f.singular.p)
            return fail(s, DWMTJ_H_ERR_CONVERGENCE,
                        "%s: the analysis did not converge: %.*s (first: %.*s)", at, (int)why.n,
                        why.p, (int)f.singular.n, f.singular.p);
        return fail(s, DWMTJ_H_ERR_CONVERGENCE, "%s: the analysis did not converge: %.*s", at,
                    (int)why.n, why.p);
    }
    if (f.notparsed.p)
        return fail(s, DWMTJ_H_ERR_NETLIST, "%s: ngspice has no usable circuit: %.*s", at,
                    (int)f.notparsed.n, f.notparsed.p);
    if (f.interrupted.p && phase != PHASE_PAUSE)
        return fail(s, DWMTJ_H_ERR_COMMAND, "%s: the run was interrupted: %.*s", at,
                    (int)f.interrupted.n, f.interrupted.p);
    if (f.error.p)
        return fail(s, phase == PHASE_LOAD ? DWMTJ_H_ERR_NETLIST : DWMTJ_H_ERR_COMMAND, "%s: %.*s",
                    at, (int)f.error.n, f.error.p);
    if (phase == PHASE_LOAD && !f.circuit)
        return fail(s, DWMTJ_H_ERR_NETLIST, "%s: ngspice did not read a circuit (see the log)", at);
    s->error[0] = '\0';
    return DWMTJ_H_OK;
}

/* ---- open and close -------------------------------------------------- */

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

/* First error line logged after mark, copied into out; false if none. */
static bool error_since(dwmtj_session *s, size_t mark, char *out, size_t n)
{
    bool found = false;
    span l;
    pthread_mutex_lock(&s->lock);
    const char *at = s->log ? s->log : "";
    at += mark > s->log_base ? (mark - s->log_base < s->log_len ? mark - s->log_base : s->log_len)
                             : 0;
    while (!found && next_line(&at, &l)) {
        if (error_line(l)) {
            l = trim(l);
            snprintf(out, n, "%.*s", (int)l.n, l.p);
            /* "Command 'source' failed:" says why on the next line */
            span why;
            if (l.n > 0 && l.p[l.n - 1] == ':' && next_line(&at, &why)) {
                why = trim(why);
                size_t k = strlen(out);
                snprintf(out + k, n - k, " %.*s", (int)why.n, why.p);
            }
            found = true;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return found;
}

/* Whether ngspice knows the device dwmtj4t (its help listing is dropped
 * from the log). */
static bool device_known(dwmtj_session *s)
{
    size_t mark = log_mark(s);
    ng_command("devhelp dwmtj4t");
    char err[256];
    bool known = !error_since(s, mark, err, sizeof err);
    pthread_mutex_lock(&s->lock);
    const char *at = s->log ? s->log : "";
    at += mark > s->log_base ? mark - s->log_base : 0;
    known = known && strstr(at, "dwmtj4t") != NULL;
    pthread_mutex_unlock(&s->lock);
    log_truncate(s, mark);
    return known;
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
    if (ng.open)
        return husk(s, DWMTJ_H_ERR_USAGE,
                    "a dwmtj session is already open (libngspice is one simulator per process)");
    if (ng.dead)
        return husk(s, DWMTJ_H_ERR_EXIT,
                    "ngspice asked to exit earlier in this process and cannot be restarted");

    /* ngspice prints its banner at initialisation: take the version then,
     * or ask for it when a session was open before */
    size_t mark = log_mark(s);
    if (!ng.initialised) {
        if (ngSpice_Init(cb_char, cb_stat, cb_exit, cb_data, cb_initdata, cb_bg, s) != 0)
            return husk(s, DWMTJ_H_ERR_INIT, "ngSpice_Init failed");
        ng.initialised = true;
    } else {
        /* the callbacks stay; only their userdata changes */
        ngSpice_Init_Sync(NULL, NULL, NULL, NULL, s);
    }
    s->registered = true;
    read_version(s, mark);
    if (!s->version[0]) {
        mark = log_mark(s);
        ng_command("version -s");
        read_version(s, mark);
    }
    if (is_dead(s)) {
        ng.dead = true;
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
        log_note(s, note);
    } else {
        char *cmd = malloc(strlen(path) + 16);
        if (!cmd)
            return husk(s, DWMTJ_H_ERR_NOMEM, "out of memory");
        /* quoted so that a path with spaces stays one word */
        sprintf(cmd, strpbrk(path, " \t") ? "codemodel \"%s\"" : "codemodel %s", path);
        mark = log_mark(s);
        int rc = ng_command(cmd);
        free(cmd);
        char err[1024];
        if (is_dead(s)) {
            ng.dead = true;
            return husk(s, DWMTJ_H_ERR_EXIT, "ngspice asked to exit loading code model %s", path);
        }
        if (error_since(s, mark, err, sizeof err))
            return husk(s, DWMTJ_H_ERR_CODEMODEL, "cannot load code model %s: %s", path, err);
        if (rc != 0 || !device_known(s))
            return husk(s, DWMTJ_H_ERR_CODEMODEL,
                        "code model %s loaded, but ngspice does not know dwmtj4t", path);
    }
    ng.open = true;
    return DWMTJ_H_OK;
}

static void free_deck(dwmtj_session *s)
{
    if (s->line)
        free(s->line[0] ? s->line[0] : NULL); /* one block holds all lines */
    free(s->line);
    s->line = NULL;
    s->n_line = 0;
    free(s->name);
    s->name = NULL;
}

void dwmtj_session_close(dwmtj_session *s)
{
    if (!s)
        return;
    if (!s->husk && !is_dead(s)) {
        if (ngSpice_running())
            ng_command("bg_halt");
        /* ngspice stays in the process: leave it without the circuit and
         * its data */
        if (s->circuit) {
            ng_command("remcirc");
            ng_command("destroy all");
        }
    }
    if (is_dead(s))
        ng.dead = true;
    if (s->registered)
        ngSpice_Init_Sync(NULL, NULL, NULL, NULL, &parked);
    if (!s->husk)
        ng.open = false;
    free_deck(s);
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

const char *dwmtj_session_log(const dwmtj_session *s)
{
    return s && s->log ? s->log : "";
}

/* Common checks of the calls after open: a usable session. */
static int usable(dwmtj_session *s)
{
    if (!s)
        return DWMTJ_H_ERR_USAGE;
    if (s->husk)
        return s->husk_status; /* the message stays */
    if (is_dead(s)) {
        ng.dead = true;
        return fail(s, DWMTJ_H_ERR_EXIT, "ngspice asked to exit; the session is unusable");
    }
    /* a run that timed out may not have stopped at once (ngspice checks
     * for bg_halt between time steps): never command it while it runs */
    if (ngSpice_running()) {
        ng_command("bg_halt");
        if (ngSpice_running())
            return fail(s, DWMTJ_H_ERR_TIMEOUT, "ngspice is still running a halted analysis");
    }
    return DWMTJ_H_OK;
}

/* ---- load ------------------------------------------------------------ */

/* A ".end" card (not .endc, .ends): ngspice stops reading there. */
static bool is_end(const char *line)
{
    line += strspn(line, " \t");
    return strncasecmp(line, ".end", 4) == 0 && (line[4] == '\0' || isspace((unsigned char)line[4]));
}

/* Splits text into lines for ngSpice_Circ: '\r' dropped, blank lines
 * become "*" (ngspice skips empty lines, which would shift the line
 * numbers it reports), nothing after the first .end, and a .end added if
 * missing.  All lines live in one block, line[0]. */
static int split_deck(dwmtj_session *s, const char *text)
{
    size_t len = strlen(text), n = 2;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    char *buf = malloc(2 * len + n + 16);
    char **line = calloc(n + 1, sizeof *line);
    if (!buf || !line) {
        free(buf);
        free(line);
        return -1;
    }
    int k = 0;
    bool end = false;
    char *w = buf;
    for (const char *p = text; *p && !end;) {
        size_t m = strcspn(p, "\n");
        size_t t = m;
        while (t > 0 && p[t - 1] == '\r')
            t--;
        line[k++] = w;
        if (strspn(p, " \t\r") >= t) {
            *w++ = '*';
        } else {
            memcpy(w, p, t);
            w += t;
        }
        *w++ = '\0';
        end = is_end(line[k - 1]);
        p += m;
        if (*p)
            p++;
    }
    if (!end) {
        line[k++] = w;
        memcpy(w, ".end", 5);
    }
    line[k] = NULL;
    s->line = line;
    s->n_line = k;
    return 0;
}

/* Stop time of the first .tran card, 0 if none or not a plain number
 * (e.g. {tc}); only for progress. */
static double deck_tstop(const dwmtj_session *s)
{
    for (int i = 0; i < s->n_line; i++) {
        const char *p = s->line[i] + strspn(s->line[i], " \t");
        if (strncasecmp(p, ".tran", 5) != 0 || !isspace((unsigned char)p[5]))
            continue;
        char tok[2][64];
        int n = 0;
        p += 5;
        while (n < 2) {
            p += strspn(p, " \t");
            size_t m = strcspn(p, " \t");
            if (m == 0 || m >= sizeof tok[0])
                break;
            snprintf(tok[n++], sizeof tok[0], "%.*s", (int)m, p);
            p += m;
        }
        double v;
        if (n == 2 && dwmtj_spice_number_token(tok[1], &v) == 0 && v > 0 && isfinite(v))
            return v;
        return 0.0;
    }
    return 0.0;
}

int dwmtj_session_load(dwmtj_session *s, const char *name, const char *text)
{
    int rc = usable(s);
    if (rc != DWMTJ_H_OK)
        return rc;
    if (!text)
        return fail(s, DWMTJ_H_ERR_USAGE, "dwmtj_session_load: no netlist text");
    /* the previous circuit and its data go (vector data is valid until the
     * next load) */
    if (s->circuit) {
        ng_command("remcirc");
        ng_command("destroy all");
        s->circuit = false;
    }
    log_reset(s);
    free_deck(s);
    s->load_status = LOAD_NONE;
    s->name = strdup(name ? name : "netlist");
    if (!s->name || split_deck(s, text) != 0) {
        free_deck(s);
        return fail(s, DWMTJ_H_ERR_NOMEM, "out of memory");
    }
    if (is_end(s->line[0])) {
        s->load_status = fail(s, DWMTJ_H_ERR_NETLIST, "%s: empty netlist", s->name);
        snprintf(s->load_error, sizeof s->load_error, "%s", s->error);
        return s->load_status;
    }
    s->tstop = deck_tstop(s);

    size_t mark = log_mark(s);
    rc = ngSpice_Circ(s->line);
    s->circuit = true;
    rc = rc != 0 && !is_dead(s) ? fail(s, DWMTJ_H_ERR_NETLIST, "%s: ngspice failed on the netlist",
                                       s->name)
                                : classify(s, mark, PHASE_LOAD);
    s->load_status = rc;
    snprintf(s->load_error, sizeof s->load_error, "%s", s->error);
    return rc;
}

/* ---- run ------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void nap(void)
{
    nanosleep(&(struct timespec){ 0, 2000000 }, NULL); /* 2 ms */
}

/* A run may start: a usable session with a deck that loaded. */
static int run_ready(dwmtj_session *s, const char *what)
{
    int rc = usable(s);
    if (rc != DWMTJ_H_OK)
        return rc;
    if (s->load_status == LOAD_NONE)
        return fail(s, DWMTJ_H_ERR_USAGE, "%s: no netlist loaded", what);
    if (s->load_status != DWMTJ_H_OK) {
        /* ngspice would only say "circuit not parsed": repeat the reason */
        snprintf(s->error, sizeof s->error, "%s", s->load_error);
        return s->load_status;
    }
    return DWMTJ_H_OK;
}

/* Progress and wall clock of a run, over all its phases. */
typedef struct {
    dwmtj_progress_fn progress;
    void *userdata;
    double t0;        /* wall time of the start */
    double timeout_s; /* <= 0: no limit */
    double reported;  /* fraction reported so far */
} run_clock;

static void run_clock_init(dwmtj_session *s, run_clock *c, dwmtj_progress_fn progress,
                           void *userdata, double timeout_s)
{
    c->progress = progress;
    c->userdata = userdata;
    c->t0 = now_s();
    c->timeout_s = timeout_s;
    c->reported = 0.0;
    pthread_mutex_lock(&s->lock);
    s->stat_fraction = 0.0;
    s->t_scale = 0.0;
    pthread_mutex_unlock(&s->lock);
}

/* Whether the log after mark has text (case-insensitive). */
static bool logged_since(dwmtj_session *s, size_t mark, const char *text)
{
    pthread_mutex_lock(&s->lock);
    const char *at = s->log ? s->log : "";
    at += mark > s->log_base ? (mark - s->log_base < s->log_len ? mark - s->log_base : s->log_len)
                             : 0;
    span all = { at, strlen(at) };
    bool found = find_ci(all, text) != NULL;
    pthread_mutex_unlock(&s->lock);
    return found;
}

/* One phase of a run in ngspice's background thread: cmd is "bg_run" or
 * "bg_resume".  Waits for the thread's end, reporting progress and
 * halting the run at the clock's time limit.  With may_pause, a stop at the
 * harness's breakpoint ("condition met") is no error and sets *paused. */
static int run_phase(dwmtj_session *s, const char *cmd, run_clock *c, bool may_pause,
                     bool *paused)
{
    if (paused)
        *paused = false;
    pthread_mutex_lock(&s->lock);
    size_t mark = s->log_base + s->log_len;
    int started0 = s->bg_started, ended0 = s->bg_ended;
    pthread_mutex_unlock(&s->lock);

    int rc = ng_command(cmd);
    if (is_dead(s))
        return classify(s, mark, PHASE_RUN);
    if (rc != 0)
        return fail(s, DWMTJ_H_ERR_COMMAND, "%s: ngspice refused %s", s->name, cmd);

    /* wait for the thread's end (ngSpice_running() is false until the new
     * thread has started, so it cannot tell "not yet" from "done") */
    double t1 = now_s(), t_now = 0.0;
    bool halted = false, ended = false;
    while (!ended) {
        nap();
        pthread_mutex_lock(&s->lock);
        ended = s->bg_ended > ended0;
        bool started = s->bg_started > started0;
        double frac = s->stat_fraction;
        t_now = s->t_scale;
        pthread_mutex_unlock(&s->lock);
        if (s->tstop > 0 && t_now / s->tstop > frac)
            frac = t_now / s->tstop;
        frac = frac > 1.0 ? 1.0 : frac;
        if (c->progress && frac > c->reported) {
            c->reported = frac;
            c->progress(frac, c->userdata);
        }
        double dt = now_s() - c->t0;
        if (!ended && c->timeout_s > 0 && dt > c->timeout_s) {
            /* bg_halt waits up to 1 s for the thread to stop */
            ng_command("bg_halt");
            halted = true;
            while (!ended && now_s() - c->t0 < c->timeout_s + 5.0) {
                pthread_mutex_lock(&s->lock);
                ended = s->bg_ended > ended0;
                pthread_mutex_unlock(&s->lock);
                if (!ended)
                    nap();
            }
            break;
        }
        if (!ended && !started && !ngSpice_running() && now_s() - t1 > 5.0)
            return fail(s, DWMTJ_H_ERR_COMMAND, "%s: ngspice's background thread did not start",
                        s->name);
    }
    if (is_dead(s))
        return classify(s, mark, PHASE_RUN);
    if (halted) {
        char limit[64] = "";
        if (s->tstop > 0)
            snprintf(limit, sizeof limit, " of %g s", s->tstop);
        return fail(s, DWMTJ_H_ERR_TIMEOUT, "%s: run stopped after %.3g s of wall time at t = %g s%s%s",
                    s->name, c->timeout_s, t_now, limit,
                    ended ? "" : " (ngspice did not stop)");
    }
    bool stopped = may_pause && logged_since(s, mark, "condition met: stop");
    if (paused)
        *paused = stopped;
    return classify(s, mark, stopped ? PHASE_PAUSE : PHASE_RUN);
}

int dwmtj_session_run(dwmtj_session *s, dwmtj_progress_fn progress, void *userdata,
                      double timeout_s)
{
    int rc = run_ready(s, "dwmtj_session_run");
    if (rc != DWMTJ_H_OK)
        return rc;
    run_clock c;
    run_clock_init(s, &c, progress, userdata, timeout_s);
    rc = run_phase(s, "bg_run", &c, false, NULL);
    if (rc == DWMTJ_H_OK && progress && c.reported < 1.0)
        progress(1.0, userdata);
    return rc;
}

/* ---- streaming runs -------------------------------------------------- */

/* Sets a breakpoint, "stop when time gt T" (t > 0) or "stop after N"
 * (N = -t data points), and finds its number (ngspice does not print it;
 * its status listing does, ours last).  The listing and any message are
 * dropped from the log. */
static int stop_set(dwmtj_session *s, double t, int *number)
{
    char cmd[96];
    *number = -1;
    /* "gt", not ">": ngspice's shell would take > as a redirection */
    if (t > 0)
        snprintf(cmd, sizeof cmd, "stop when time gt %.17g", t);
    else
        snprintf(cmd, sizeof cmd, "stop after %d", (int)-t);
    size_t mark = log_mark(s);
    int rc = ng_command(cmd);
    char err[1024];
    if (error_since(s, mark, err, sizeof err) || rc != 0 || is_dead(s)) {
        if (is_dead(s))
            ng.dead = true;
        return fail(s, is_dead(s) ? DWMTJ_H_ERR_EXIT : DWMTJ_H_ERR_COMMAND,
                    "%s: cannot set a breakpoint (%s)%s%s", s->name, cmd, err[0] ? ": " : "",
                    err[0] ? err : "");
    }
    size_t mark2 = log_mark(s);
    ng_command("status");
    /* lines "N    stop when time > T", "N    stop after K": ours is the last */
    pthread_mutex_lock(&s->lock);
    const char *at = s->log ? s->log : "";
    at += mark2 > s->log_base ? (mark2 - s->log_base < s->log_len ? mark2 - s->log_base
                                                                   : s->log_len)
                              : 0;
    span l;
    while (next_line(&at, &l)) {
        span w = trim(l);
        if (w.n > 0 && isdigit((unsigned char)w.p[0]) && find_ci(w, " stop "))
            *number = atoi(w.p);
    }
    pthread_mutex_unlock(&s->lock);
    log_truncate(s, mark);
    if (*number < 0)
        return fail(s, DWMTJ_H_ERR_COMMAND, "%s: ngspice did not list the breakpoint %s", s->name,
                    cmd);
    return DWMTJ_H_OK;
}

/* Deletes breakpoint number (if the session can still take commands). */
static void stop_delete(dwmtj_session *s, int number)
{
    if (number < 0 || is_dead(s) || ngSpice_running())
        return;
    char cmd[32];
    snprintf(cmd, sizeof cmd, "delete %d", number);
    size_t mark = log_mark(s);
    ng_command(cmd);
    log_truncate(s, mark);
}

/* The streaming run's bookkeeping: spikes handed out so far, per neuron. */
typedef struct {
    int n_neuron;
    int *done;            /* spikes of neuron j handed out (the first done[j] of its spikes) */
    dwmtj_spike_fn fn;
    void *userdata;
} spike_feed;

/* Hands out the spikes of r not yet handed out, in r's (time) order.
 * With all false, only complete spikes: those whose reset is known, or
 * with a later write of their neuron (last_write[j]: time of the last
 * write seen, -inf if none). */
static void feed(spike_feed *f, const dwmtj_report *r, const double *last_write, bool all)
{
    int *seen = calloc((size_t)(f->n_neuron > 0 ? f->n_neuron : 1), sizeof *seen);
    if (!seen)
        return; /* handed out later, at the end */
    for (int k = 0; k < r->n_spike; k++) {
        const dwmtj_spike *sp = &r->spike[k];
        int j = sp->neuron;
        if (j < 0 || j >= f->n_neuron)
            continue;
        int idx = seen[j]++; /* this spike's index among its neuron's */
        if (idx < f->done[j])
            continue;
        if (!all && !isfinite(sp->t_reset) && !(last_write[j] > sp->t_write))
            continue;
        /* a neuron's spikes complete in order: an incomplete one holds
         * back the ones after it */
        if (idx != f->done[j])
            continue;
        f->done[j]++;
        if (f->fn)
            f->fn(sp, r->neuron[j].name, f->userdata);
    }
    free(seen);
}

/* Time of the last write of each neuron in the data so far. */
static int last_writes(dwmtj_session *s, const dwmtj_netlist *nl, double *last)
{
    const double *t;
    int n = 0;
    int rc = dwmtj_session_vector(s, "time", &t, &n);
    if (rc != DWMTJ_H_OK)
        return rc;
    for (int j = 0; j < nl->n_neuron; j++) {
        char name[256];
        const double *nw;
        int m = 0;
        snprintf(name, sizeof name, "v(" DWMTJ_H_MON_FMT ")", nl->neuron[j].name, DWMTJ_MON_NW);
        rc = dwmtj_session_vector(s, name, &nw, &m);
        if (rc != DWMTJ_H_OK)
            return rc;
        if (m != n)
            return fail(s, DWMTJ_H_ERR_VECTOR, "vector \"%s\" has %d points, time %d", name, m, n);
        last[j] = -INFINITY;
        for (int i = n - 1; i >= 1; i--)
            if (nw[i] >= nw[i - 1] + 0.5) {
                last[j] = t[i];
                break;
            }
    }
    return DWMTJ_H_OK;
}

/* Start time of the deck's transient (its third number; 0 if none or not
 * a plain number). */
static double tran_start(const dwmtj_netlist *nl)
{
    int i = nl->tran_card >= 0 ? nl->tran_card : nl->tran_control;
    if (i < 0)
        return 0.0;
    const char *p = nl->card[i].text;
    int k = 0;
    char tok[128];
    while (*p) {
        p += strspn(p, " \t");
        size_t m = strcspn(p, " \t");
        if (m == 0)
            break;
        snprintf(tok, sizeof tok, "%.*s", (int)(m < sizeof tok ? m : sizeof tok - 1), p);
        p += m;
        if (strcasecmp(tok, "uic") == 0)
            continue;
        double v;
        if (k++ == 3) /* the command word, tstep, tstop, then tstart */
            return dwmtj_spice_number_token(tok, &v) == 0 && isfinite(v) && v > 0 ? v : 0.0;
    }
    return 0.0;
}

/* Whether a .options card of the deck mentions word. */
static bool deck_option(const dwmtj_netlist *nl, const char *word)
{
    for (int i = 0; i < nl->n_card; i++) {
        span l = { nl->card[i].text, strlen(nl->card[i].text) };
        if ((starts_ci(l, ".option") || starts_ci(l, "option")) && find_ci(l, word))
            return true;
    }
    return false;
}

/* ngspice 39 resumes a paused transient with a different minimum
 * breakpoint distance than it started with, unless the options give one:
 * with XSPICE it starts with 10 delmin = 1e-10 tmax and resumes with
 * 5e-5 tmax (dctran.c), which changes the time steps at the code model's
 * breakpoints.  Setting the starting value as an option keeps it. */
static int pin_minbreak(dwmtj_session *s, const dwmtj_netlist *nl, double tstep, double tstop,
                        double tmax)
{
    if (deck_option(nl, "minbreak"))
        return DWMTJ_H_OK;
    double span_t = tstop - tran_start(nl), maxstep = tmax;
    if (!(maxstep > 0.0)) /* traninit.c */
        maxstep = tstep < span_t / 50.0 && !deck_option(nl, "nostepsizelimit") ? tstep
                                                                               : span_t / 50.0;
    double minbreak = 10.0 * (1e-11 * maxstep);
    if (!(minbreak > 0.0) || !isfinite(minbreak))
        return DWMTJ_H_OK;
    char cmd[96];
    snprintf(cmd, sizeof cmd, "option minbreak=%.17g", minbreak);
    size_t mark = log_mark(s);
    int rc = ng_command(cmd);
    char err[1024];
    bool printed = error_since(s, mark, err, sizeof err);
    log_truncate(s, mark);
    if (is_dead(s)) {
        ng.dead = true;
        return fail(s, DWMTJ_H_ERR_EXIT, "%s: ngspice asked to exit at \"%s\"", s->name, cmd);
    }
    if (printed || rc != 0)
        return fail(s, DWMTJ_H_ERR_COMMAND, "%s: \"%s\" failed%s%s", s->name, cmd,
                    printed ? ": " : "", printed ? err : "");
    return DWMTJ_H_OK;
}

/* Data points before the first pause of a streaming run (past ngspice's
 * first time step, which it treats specially). */
#define FIRST_PAUSE 5

int dwmtj_run_streaming(dwmtj_session *s, const dwmtj_netlist *nl, double chunk_s,
                        dwmtj_progress_fn progress, dwmtj_spike_fn on_spike, void *userdata,
                        double timeout_s, dwmtj_report *r)
{
    if (r)
        memset(r, 0, sizeof *r);
    if (!s || !nl || !r || isnan(chunk_s))
        return s ? fail(s, DWMTJ_H_ERR_USAGE, "dwmtj_run_streaming: bad argument")
                 : DWMTJ_H_ERR_USAGE;
    int rc = run_ready(s, "dwmtj_run_streaming");
    if (rc != DWMTJ_H_OK)
        return rc;

    /* breakpoints only where the next time point cannot be the last one
     * (a stop met there would stay pending for the next run): at most
     * t_stop - 2 tmax, tmax being the deck's or ngspice's default, at most
     * t_stop/50 */
    double tstep = 0.0, tstop = 0.0, tmax = 0.0, last_stop = -1.0;
    if (chunk_s > 0.0 && dwmtj_netlist_tran(nl, &tstep, &tstop, &tmax) == DWMTJ_H_OK &&
        tstop > 0.0 && isfinite(tstop)) {
        double step = tmax > 0.0 && isfinite(tmax) ? tmax : tstop / 50.0;
        last_stop = tstop - 2.0 * step;
        if (last_stop > 0.0) {
            rc = pin_minbreak(s, nl, tstep, tstop, tmax);
            if (rc != DWMTJ_H_OK)
                return rc;
        }
    }

    spike_feed f = { nl->n_neuron, NULL, on_spike, userdata };
    size_t nn = (size_t)(nl->n_neuron > 0 ? nl->n_neuron : 1);
    f.done = calloc(nn, sizeof *f.done);
    double *last = calloc(nn, sizeof *last);
    if (!f.done || !last) {
        rc = fail(s, DWMTJ_H_ERR_NOMEM, "out of memory");
        goto out;
    }

    run_clock c;
    run_clock_init(s, &c, progress, userdata, timeout_s);
    double next = chunk_s;
    bool first = true;
    for (;;) {
        int stop = -1;
        if (chunk_s > 0.0 && next <= last_stop) {
            /* a "stop when time" present when the analysis starts becomes a
             * time step breakpoint, which would change the steps: the first
             * pause comes after a few data points, and the time stops are
             * set from there */
            rc = stop_set(s, first ? -(double)FIRST_PAUSE : next, &stop);
            if (rc != DWMTJ_H_OK)
                goto out;
        }
        bool paused = false;
        rc = run_phase(s, first ? "bg_run" : "bg_resume", &c, stop >= 0, &paused);
        first = false;
        stop_delete(s, stop);
        if (rc != DWMTJ_H_OK)
            goto out;
        if (!paused)
            break;
        /* the spikes complete so far, from the data so far */
        dwmtj_report part;
        rc = dwmtj_analyse(s, nl, &part);
        if (rc == DWMTJ_H_OK)
            rc = last_writes(s, nl, last);
        if (rc != DWMTJ_H_OK) {
            dwmtj_report_free(&part);
            goto out;
        }
        feed(&f, &part, last, false);
        double t_now = part.t_stop;
        dwmtj_report_free(&part);
        if (next <= t_now) /* the next boundary of the grid after t_now */
            next = chunk_s * (floor(t_now / chunk_s) + 1.0);
        if (next <= t_now)
            next = t_now + chunk_s;
    }
    rc = dwmtj_analyse(s, nl, r);
    if (rc != DWMTJ_H_OK)
        goto out;
    feed(&f, r, last, true);
    if (progress && c.reported < 1.0)
        progress(1.0, userdata);
out:
    free(f.done);
    free(last);
    return rc;
}

/* ---- commands and vectors -------------------------------------------- */

int dwmtj_session_command(dwmtj_session *s, const char *command)
{
    int rc = usable(s);
    if (rc != DWMTJ_H_OK)
        return rc;
    if (!command || !*command)
        return fail(s, DWMTJ_H_ERR_USAGE, "dwmtj_session_command: no command");
    /* a background run must go through dwmtj_session_run, which waits */
    if (strncmp(command + strspn(command, " \t"), "bg_", 3) == 0)
        return fail(s, DWMTJ_H_ERR_USAGE, "command \"%s\": use dwmtj_session_run for runs", command);
    size_t mark = log_mark(s);
    rc = ng_command(command);
    char err[1024];
    bool printed = error_since(s, mark, err, sizeof err);
    if (is_dead(s)) {
        ng.dead = true;
        return fail(s, DWMTJ_H_ERR_EXIT, "command \"%s\": ngspice asked to exit%s%s", command,
                    printed ? ": " : "", printed ? err : "");
    }
    if (printed)
        return fail(s, DWMTJ_H_ERR_COMMAND, "command \"%s\": %s", command, err);
    if (rc != 0)
        return fail(s, DWMTJ_H_ERR_COMMAND, "command \"%s\" failed", command);
    s->error[0] = '\0';
    return DWMTJ_H_OK;
}

int dwmtj_session_vector(dwmtj_session *s, const char *name, const double **data, int *length)
{
    if (data)
        *data = NULL;
    if (length)
        *length = 0;
    int rc = usable(s);
    if (rc != DWMTJ_H_OK)
        return rc;
    if (!name || !*name || !data || !length)
        return fail(s, DWMTJ_H_ERR_USAGE, "dwmtj_session_vector: missing name or output");
    char *low = strdup(name);
    if (!low)
        return fail(s, DWMTJ_H_ERR_NOMEM, "out of memory");
    for (char *p = low; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    pvector_info vi = ngGet_Vec_Info(low);
    free(low);
    const char *plot = ngSpice_CurPlot();
    if (!vi)
        return fail(s, DWMTJ_H_ERR_VECTOR, "vector \"%s\" not found in ngspice's plot %s", name,
                    plot ? plot : "(none)");
    if (!vi->v_realdata)
        return fail(s, DWMTJ_H_ERR_VECTOR, "vector \"%s\" is complex, not real", name);
    if (vi->v_length <= 0)
        return fail(s, DWMTJ_H_ERR_VECTOR, "vector \"%s\" has no data points", name);
    *data = vi->v_realdata;
    *length = vi->v_length;
    s->error[0] = '\0';
    return DWMTJ_H_OK;
}
