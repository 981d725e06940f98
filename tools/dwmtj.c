/* dwmtj: command-line front end of the dwmtj4t harness.  Runs netlists
 * with dwmtj4t neurons (or a generated crossbar) through libngspice and
 * reports spikes, energy and latency per spike.
 *
 * The libraries never exit; the exit status is decided here only (see
 * enum dwmtj_exit in cli.h). */
#define _POSIX_C_SOURCE 200809L

#include "config.h"
#include "cli.h"
#include "dwmtj_harness.h"
#include "dwmtj_output.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: dwmtj COMMAND [OPTIONS]\n"
          "       dwmtj --version | --help\n"
          "\n"
          "Simulates domain-wall MTJ integrate-fire-reset neurons (the dwmtj4t\n"
          "code model) in ngspice and reports spikes, energy and latency per spike.\n"
          "\n"
          "commands:\n"
          "  run NETLIST     run an ngspice netlist with dwmtj4t neurons\n"
          "  check NETLIST   what ngspice would only warn about in a netlist with\n"
          "                  dwmtj4t neurons: unknown or implausible parameters,\n"
          "                  monitors on circuit nodes, unconnected terminals\n"
          "  array           build and run a crossbar of M inputs and N neurons\n"
          "  train           train a spiking network of LIF or DW-MTJ neurons on\n"
          "                  Fashion-MNIST\n"
          "  infer           run a trained DW-MTJ network at circuit level on test\n"
          "                  images: accuracy, agreement, energy, latency\n"
          "  bench           the same circuits through ngspice and the KLU engine:\n"
          "                  speed, speedup and the matrix-vector floor\n"
          "  mc              device-to-device Monte Carlo of the paper's protocols on\n"
          "                  libdwmtj, and the write-error rate\n"
          "  help [COMMAND]  this help, or the help of COMMAND\n"
          "\n"
          "  dwmtj COMMAND --help shows the options of a command.\n"
          "\n"
          "options:\n"
          "  -h, --help     this help\n"
          "  -V, --version  the version of dwmtj and of the ngspice it runs\n"
          "\n"
          "The code model is loaded from --cm PATH, else $DWMTJ_CM, else the\n"
          "installed dwmtj.cm; one of another build (another libdwmtj interface:\n"
          "a stale install) is refused with exit status 1.\n"
          "\n"
          "exit status:\n"
          "  0  success\n"
          "  1  the simulation failed: a missing or unreadable input file, a netlist\n"
          "     error (the message names the file and line), an unknown model or a\n"
          "     parameter dwmtj4t rejects (the message names the instance), no\n"
          "     convergence, or the --timeout ran out\n"
          "  2  usage: unknown command or option, a bad option value\n"
          "  3  an output file (--csv, --plot, --netlist-out, standard output)\n"
          "     could not be written; no partial file is left\n",
          f);
}

static int done(FILE *f)
{
    return fflush(f) == 0 && !ferror(f) ? DWMTJ_EXIT_OK : DWMTJ_EXIT_OUTPUT;
}

static int version(void)
{
#ifndef DWMTJ_WITH_NGSPICE
    printf("dwmtj " DWMTJ_VERSION " (built without ngspice)\n");
    return done(stdout);
#endif
    dwmtj_session *s = NULL;
    int rc = dwmtj_session_open(&s, NULL);
    const char *ver = s ? dwmtj_session_ngspice_version(s) : NULL;
    int code = DWMTJ_EXIT_OK;
    if (rc != DWMTJ_H_OK) {
        const char *msg = s ? dwmtj_session_error(s) : NULL;
        dwmtj_error("%s", msg && *msg ? msg : dwmtj_h_status_string(rc));
        if (!ver || !*ver)
            code = DWMTJ_EXIT_SIM;
    }
    printf("dwmtj " DWMTJ_VERSION " (ngspice %s)\n", ver && *ver ? ver : "unknown");
    dwmtj_session_close(s);
    int out = done(stdout);
    return code != DWMTJ_EXIT_OK ? code : out;
}

/* The subcommand named cmd, or NULL. */
static int (*command(const char *cmd, void (**usage)(FILE *)))(int, char **)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
        void (*usage)(FILE *);
    } cmds[] = {
        { "run", dwmtj_cmd_run, dwmtj_usage_run },
        { "array", dwmtj_cmd_array, dwmtj_usage_array },
        { "train", dwmtj_cmd_train, dwmtj_usage_train },
        { "infer", dwmtj_cmd_infer, dwmtj_usage_infer },
        { "bench", dwmtj_cmd_bench, dwmtj_usage_bench },
        { "check", dwmtj_cmd_check, dwmtj_usage_check },
        { "mc", dwmtj_cmd_mc, dwmtj_usage_mc },
    };
    for (size_t k = 0; k < sizeof cmds / sizeof *cmds; k++)
        if (strcmp(cmd, cmds[k].name) == 0) {
            if (usage)
                *usage = cmds[k].usage;
            return cmds[k].run;
        }
    return NULL;
}

int main(int argc, char **argv)
{
    dwmtj_out_signals();
    static const struct option opts[] = {
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    int help = 0, ver = 0, c;
    dwmtj_getopt_start();
    /* '+': the options before the command only */
    while ((c = getopt_long(argc, argv, "+:hV", opts, NULL)) != -1) {
        if (c == 'h')
            help = 1;
        else if (c == 'V')
            ver = 1;
        else
            return dwmtj_getopt_error(NULL, c, argv, opts);
    }
    if (help) {
        usage(stdout);
        return done(stdout);
    }
    if (ver) {
        if (optind < argc)
            return dwmtj_usage_error(NULL, "--version takes no arguments ('%s')", argv[optind]);
        return version();
    }
    if (optind >= argc) {
        usage(stderr);
        return DWMTJ_EXIT_USAGE;
    }
    const char *cmd = argv[optind];
    void (*sub_usage)(FILE *) = NULL;
    if (strcmp(cmd, "help") == 0) {
        if (argc - optind > 2)
            return dwmtj_usage_error(NULL, "help: too many arguments");
        if (argc - optind == 1) {
            usage(stdout);
            return done(stdout);
        }
        if (!command(argv[optind + 1], &sub_usage))
            return dwmtj_usage_error(NULL,
                                     "help: unknown command '%s' (commands: run, check, "
                                     "array, train, infer, bench, mc)",
                                     argv[optind + 1]);
        sub_usage(stdout);
        return done(stdout);
    }
    int (*run)(int, char **) = command(cmd, NULL);
    if (!run)
        return dwmtj_usage_error(NULL,
                                 "unknown command '%s' (commands: run, check, array, train, "
                                 "infer, bench, mc, help)",
                                 cmd);
    return run(argc - optind, argv + optind);
}
