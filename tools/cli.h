/* dwmtj command-line tool: the command line.  The subcommands' entry
 * points, the exit codes, messages on stderr, and option values.
 *
 * Only main() (dwmtj.c) and the subcommand entry points return exit codes;
 * everything else returns 0 or -1 and says what went wrong on stderr. */
#ifndef DWMTJ_CLI_H
#define DWMTJ_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define DWMTJ_TOOL "dwmtj"

/* Exit codes of the tool. */
enum dwmtj_exit {
    DWMTJ_EXIT_OK = 0,     /* success */
    DWMTJ_EXIT_SIM = 1,    /* the simulation failed (input file, netlist,
                              model, convergence, timeout) */
    DWMTJ_EXIT_USAGE = 2,  /* bad command line */
    DWMTJ_EXIT_OUTPUT = 3  /* an output file could not be written */
};

/* The subcommands (dwmtj_SUB.c): argv[0] is the subcommand's name; an
 * exit code.  dwmtj_usage_SUB prints the subcommand's help to f. */
int dwmtj_cmd_run(int argc, char **argv);
int dwmtj_cmd_array(int argc, char **argv);
int dwmtj_cmd_train(int argc, char **argv);
int dwmtj_cmd_infer(int argc, char **argv);
int dwmtj_cmd_bench(int argc, char **argv);
int dwmtj_cmd_check(int argc, char **argv);
int dwmtj_cmd_mc(int argc, char **argv);
void dwmtj_usage_run(FILE *f);
void dwmtj_usage_array(FILE *f);
void dwmtj_usage_train(FILE *f);
void dwmtj_usage_infer(FILE *f);
void dwmtj_usage_bench(FILE *f);
void dwmtj_usage_check(FILE *f);
void dwmtj_usage_mc(FILE *f);

/* ---- messages ---------------------------------------------------------- */

/* "dwmtj: " + message on stderr. */
void dwmtj_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Prints "dwmtj: SUB: " and the message, then a hint to --help; returns
 * the usage exit code.  dwmtj_usage_hint prints only the hint (after a
 * message printed already).  sub NULL: the top level ("dwmtj: ", "Try
 * 'dwmtj --help'."). */
int dwmtj_usage_error(const char *sub, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
int dwmtj_usage_hint(const char *sub);

/* ---- values ------------------------------------------------------------ */

/* A SPICE-style number: strtod syntax, then an optional scale suffix
 * (f p n u m k meg g t mil, any case) and unit letters, which are ignored
 * as SPICE does ("10n", "1e-6", "2.5meg", "10us").  Finite only.
 * Returns 0 on success. */
int dwmtj_parse_number(const char *s, double *out);
/* A decimal integer in [lo, hi]. */
int dwmtj_parse_int(const char *s, long lo, long hi, long *out);
/* A decimal or 0x hexadecimal unsigned 64-bit integer. */
int dwmtj_parse_u64(const char *s, uint64_t *out);
/* Option opt of subcommand sub with value v: an integer in lo..hi into
 * *out and 0, else a usage message and DWMTJ_EXIT_USAGE. */
int dwmtj_opt_int(const char *sub, const char *opt, const char *v, long lo, long hi, int *out);
/* Option opt of subcommand sub with value v, one of the n names: its index
 * into *out and 0, else a usage message listing them and DWMTJ_EXIT_USAGE. */
int dwmtj_opt_choice(const char *sub, const char *opt, const char *v, const char *const *names,
                     int n, int *out);
/* Flags of dwmtj_opt_number: an open end of the range. */
enum {
    DWMTJ_ABOVE = 1, /* v > lo, not v >= lo */
    DWMTJ_BELOW = 2  /* v < hi, not v <= hi */
};
/* Option opt of subcommand sub with value v: a SPICE number (as
 * dwmtj_parse_number) from lo to hi (hi = INFINITY: no upper end; flags
 * open the ends) into *out and 0; else a usage message naming the option,
 * the value and the rule in unit (e.g. "--g-min 0: must be > 0 S") and
 * DWMTJ_EXIT_USAGE. */
int dwmtj_opt_number(const char *sub, const char *opt, const char *v, double lo, double hi,
                     int flags, const char *unit, double *out);
/* The shipped network file name: $DWMTJ_NETDIR/name, else in the
 * installed networks directory; into buf. */
const char *dwmtj_network_path(char *buf, size_t n, const char *name);
/* The directory of the cell libraries and the cmos macromodel:
 * $DWMTJ_CELLDIR, else the installed netlists directory. */
#ifndef DWMTJ_CELLDIR
#define DWMTJ_CELLDIR "/usr/local/share/dwmtj4t/netlists"
#endif
const char *dwmtj_cell_dir(void);

/* ---- getopt_long ------------------------------------------------------- */

struct option;
/* Before a subcommand's getopt_long loop over its argv (argv[0] its
 * name): restarts the scan and turns off getopt's own messages.  Option
 * strings start with "-:" (arguments in order, ':' for a missing value). */
void dwmtj_getopt_start(void);
/* What getopt_long's '?' or ':' meant, as a usage message of sub (NULL:
 * the top level) naming the option: unknown, ambiguous (with the
 * candidates), needs a value, takes no value.  Returns DWMTJ_EXIT_USAGE. */
int dwmtj_getopt_error(const char *sub, int c, char *const *argv, const struct option *lo);

/* ---- the hand-made option loop of dwmtj_train.c (until it uses
 * getopt_long too) --------------------------------------------------- */

/* Option i of argv named name ("--name VALUE" or "--name=VALUE"): 1 and
 * *val set (i advanced past a separate value), 0 if argv[*i] is another
 * option, -1 with a message if the value is missing. */
int dwmtj_opt(int argc, char **argv, int *i, const char *name, const char **val);
/* For option loops over argv with int i, int m and const char *v in scope
 * and SUB the subcommand's name: DWMTJ_OPT("--name") matches option i and
 * sets v; DWMTJ_NEED() then returns SUB's usage hint if the value was
 * missing (dwmtj_opt has said which). */
#define DWMTJ_OPT(name) ((m = dwmtj_opt(argc, argv, &i, (name), &v)) != 0)
#define DWMTJ_NEED() \
    do { \
        if (m < 0) \
            return dwmtj_usage_hint(SUB); \
    } while (0)

#endif
