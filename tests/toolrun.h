/* Running a program (the dwmtj tool, or mpirun with it) from a Check test
 * and reading what it wrote: its exit, its output, files, and the JSON it
 * printed.  Shared by tests/check_cli.c and tests/check_mpi.c. */
#ifndef TOOLRUN_H
#define TOOLRUN_H

typedef struct tool_result {
    int code;        /* exit status, -1 if killed or not exited */
    int sig;         /* signal that ended it, 0 if none */
    int timed_out;   /* 1: stopped after tool_opts.timeout */
    char *out, *err; /* everything it printed on stdout (unless out_path) and stderr */
} tool_result;

typedef struct tool_opts {
    const char *const *env; /* "NAME=value" to set, NULL-terminated */
    double timeout;         /* s of wall time, default 120; then SIGTERM to its
                               process group, SIGKILL 5 s later */
    const char *out_path;   /* stdout to this (existing) file instead of a pipe */
    const char *term_when;  /* send SIGTERM once this file exists */
    long mem_limit;         /* bytes of address space (RLIMIT_AS), 0 none */
} tool_opts;

/* Runs argv[0] (looked up on PATH) with argv in a process group of its
 * own, stdin from /dev/null; o may be NULL.  Fails the test if it cannot
 * be started. */
void tool_exec(const char *const *argv, const tool_opts *o, tool_result *r);
void tool_result_free(tool_result *r);

/* Seconds of a monotonic clock. */
double tool_now(void);

/* The whole file (malloc'd, NUL-terminated; binary data too), or NULL. */
char *read_text(const char *path);

/* 0 if doc is exactly one JSON object (strictly parsed); *val (may be
 * NULL) points at the value of its top-level member key, or is NULL. */
int json_parse(const char *doc, const char *key, const char **val);
/* The top-level member key: 1 and *v if a number, 0 if null; fails the
 * test if absent or the document is not valid JSON. */
int json_num(const char *doc, const char *key, double *v);
/* The first member key at any depth, its value as printed (malloc'd);
 * fails the test if the document is not valid JSON or has no such key. */
char *json_value(const char *doc, const char *key);

#endif
