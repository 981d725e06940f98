/* What the parts of the session (session*.c) share: the session, the
 * process-wide state of libngspice, the log and the steps of a run.  Not
 * installed; no name here starts with dwmtj_, so the library does not
 * export them. */
#ifndef DWMTJ_SESSION_INTERNAL_H
#define DWMTJ_SESSION_INTERNAL_H

#include "dwmtj_harness.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

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
    char **origin;           /* per line: "FILE:LINE" of the user's card it was written
                                from, or NULL (loaded as text, or a card the harness
                                made); n_line entries or NULL */
    double tstop;            /* s, stop time of its .tran card; 0 if unknown */
    char *warnings;          /* the dwmtj4t warnings printed since the load, one per
                                line ("WHERE: instance X: ..."), each once; NULL if none */
};

/* libngspice is one simulator per process, linked in: it cannot be
 * unloaded, initialised twice or restarted after it asked to exit.  These
 * flags are the only process-wide state of the session code; sessions are
 * not safe to open or close from several threads at once. */
extern struct sess_ngspice {
    bool initialised; /* ngSpice_Init has run */
    bool open;        /* a session is open */
    bool dead;        /* ngspice asked to exit: no session can work again */
} sess_ngspice;

/* The error message of s (printf format); returns status. */
int sess_fail(dwmtj_session *s, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The log (session_log.c); positions are absolute, from sess_log_mark. */
void sess_log_text_locked(dwmtj_session *s, const char *p);
size_t sess_log_mark(dwmtj_session *s);
void sess_log_reset(dwmtj_session *s);
void sess_log_note(dwmtj_session *s, const char *text);
void sess_log_truncate(dwmtj_session *s, size_t mark);

/* A line of the log: start and length, no line end. */
typedef struct {
    const char *p;  /* first character, NULL if none */
    size_t n;       /* length */
} span;

bool sess_next_line(const char **at, span *l);
span sess_trim(span l);
const char *sess_find_ci(span l, const char *needle);
bool sess_starts_ci(span l, const char *prefix);
span sess_after_ci(span l, const char *needle);

/* PHASE_PAUSE: a run that stopped at the harness's own breakpoint, where
 * ngspice's "simulation interrupted" is expected. */
enum phase { PHASE_LOAD, PHASE_RUN, PHASE_PAUSE };

int sess_classify(dwmtj_session *s, size_t mark, enum phase phase);
bool sess_error_since(dwmtj_session *s, size_t mark, char *out, size_t n);

/* Talking to ngspice (session.c). */
bool sess_is_dead(dwmtj_session *s);
int sess_ng_command(const char *cmd);
int sess_usable(dwmtj_session *s);

void sess_free_deck(dwmtj_session *s);

/* Progress and wall clock of a run, over all its phases. */
typedef struct {
    dwmtj_progress_fn progress;
    void *userdata;
    double t0;        /* wall time of the start */
    double timeout_s; /* <= 0: no limit */
    double reported;  /* fraction reported so far */
} run_clock;

int sess_run_ready(dwmtj_session *s, const char *what);
void sess_run_clock_init(dwmtj_session *s, run_clock *c, dwmtj_progress_fn progress,
                         void *userdata, double timeout_s);
int sess_run_phase(dwmtj_session *s, const char *cmd, run_clock *c, bool may_pause,
                   bool *paused);

#endif
