/* Running ngspice for the code-model tests: the ngspice binary in a scratch
 * directory, and libngspice inside this process.  Both hand back the
 * printed output as text and the simulation data as a table. */
#ifndef NGRUN_H
#define NGRUN_H

#include <stddef.h>

/* Numbers of a data file or of a set of vectors, row-major. */
typedef struct {
    int ncol, nrow, cap;
    double *v;
} ngr_table;

#define NGR_AT(t, row, col) ((t)->v[(size_t)(row) * (size_t)(t)->ncol + (size_t)(col)])

void ngr_table_free(ngr_table *t);

/* Loads the whole file at path, NUL-terminated; NULL on failure. */
char *ngr_read_file(const char *path);

/* Occurrences of needle in hay. */
int ngr_count(const char *hay, const char *needle);

/* The last 1500 characters of printed output (or "(none)"), for a failure
 * message: Check passes messages through a pipe of limited size. */
const char *ngr_tail(const char *out);

/* Times at which column c of t crosses th upwards (up = 1) or downwards,
 * interpolated between rows, column 0 being the time; returns their number
 * (at most max). */
int ngr_crossings(const ngr_table *t, int c, double th, int up, double *tc, int max);

/* The absolute path of $var followed by rel ("" for none), malloc'd; NULL
 * with a message on stderr, prefixed prog, when var is unset or empty
 * (what: what it should name) or the path does not exist. */
char *ngr_env_path(const char *prog, const char *var, const char *rel, const char *what);

/* Makes a fresh scratch directory (under $TMPDIR, else /tmp) the current
 * one, so that files a netlist writes land there; ngr_scratch_leave goes
 * back and removes it.  Returns 0 on success. */
int ngr_scratch_enter(void);
void ngr_scratch_leave(void);
/* A suite's main after its paths: runs the suite made by make in a fresh
 * scratch directory (ngr_scratch_enter) and leaves it; the exit status. */
struct Suite;
int ngr_run_in_scratch(struct Suite *(*make)(void));

/* ---- the ngspice binary ---------------------------------------------- */

typedef struct {
    char *out;       /* stdout and stderr of ngspice */
    int exited;      /* 1 if ngspice exited by itself (no signal, no kill) */
    int timed_out;   /* 1 if it was killed after the time limit */
    ngr_table data;  /* numeric rows of the data file, if one was written */
    char *header;    /* its first line if that names the columns, or NULL */
} ngr_bin_result;

/* Index of the whitespace-separated word name in header; -1 if absent. */
int ngr_column(const char *header, const char *name);

/* Runs `ngspice -b circuit.cir' on netlist in a fresh directory under the
 * current one (see ngr_scratch_enter), whose .spiceinit loads the code
 * model cm, and reads datafile (a wrdata output named by the netlist; NULL
 * for none) back.  Returns 0 if the files could be written; the directory
 * is removed afterwards.  The binary is $DWMTJ_NGSPICE, else ngspice from
 * PATH; HOME points to the directory, so no other .spiceinit is read. */
int ngr_bin_run(const char *cm, const char *netlist, const char *datafile,
                double timeout_s, ngr_bin_result *r);
void ngr_bin_result_free(ngr_bin_result *r);

/* ---- libngspice ------------------------------------------------------ */

/* Initialises libngspice once per process with callbacks that collect the
 * printed output, and loads the code model cm.  Returns 0 on success. */
int ngr_lib_start(const char *cm);

/* Sends the netlist text (lines split at newlines) with ngSpice_Circ. */
int ngr_lib_circ(const char *netlist);

/* ngSpice_Command; returns its result. */
int ngr_lib_cmd(const char *cmd);

/* Output printed since the last ngr_lib_clear (a copy to free). */
char *ngr_lib_output(void);
void ngr_lib_clear(void);

/* 1 if ngspice asked for a controlled exit since the start. */
int ngr_lib_exit_requested(void);

/* Runs cmd in the background thread (bg_run or bg_tran ...) and waits for
 * it to end, at most timeout_s; returns 0 if the thread ran and ended. */
int ngr_lib_bg(const char *cmd, double timeout_s);

/* Real data of a vector of the current plot; NULL if absent. */
const double *ngr_lib_vec(const char *name, int *len);

/* Table of the named real vectors of the current plot (all of equal
 * length), one column each in the order given.  Returns 0 on success. */
int ngr_lib_table(const char *const *names, int n, ngr_table *t);

/* Point k of a complex vector of the current plot; 0 if it exists. */
int ngr_lib_complex(const char *name, int k, double *re, double *im);

/* ---- either ---------------------------------------------------------- */

typedef enum { NGR_BIN, NGR_LIB } ngr_mode;

/* Runs cards (a netlist up to, without, .end: title, elements, one
 * analysis card, no .control) in the binary or in libngspice, and reads
 * the real vectors names (libngspice names: a node, or src#branch for a
 * source current) into t: column 0 the scale vector (e.g. "time"), then
 * one column per name; with scale NULL (op) only the named columns.
 * *out (may be NULL) receives the printed output, to free.  Returns 0 if
 * the analysis produced at least one row of all the vectors. */
int ngr_run(ngr_mode mode, const char *cm, const char *cards, const char *scale,
            const char *const *names, int n, ngr_table *t, char **out);

#endif
