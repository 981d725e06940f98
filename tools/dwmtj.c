/* dwmtj: command-line front end of the dwmtj4t harness.  Runs netlists
 * with dwmtj4t neurons (or a generated crossbar) through libngspice and
 * reports spikes, energy and latency per spike.
 *
 * The libraries never exit; the exit status is decided here only (see
 * enum dwmtj_exit in dwmtj_output.h). */
#define _POSIX_C_SOURCE 200809L

#include "config.h"
#include "dwmtj_output.h"

#include <stdlib.h>
#include <string.h>

/* dwmtj_train.c */
int dwmtj_cmd_train(int argc, char **argv);
void dwmtj_usage_train(FILE *f);
/* dwmtj_infer.c */
int dwmtj_cmd_infer(int argc, char **argv);
void dwmtj_usage_infer(FILE *f);
/* dwmtj_bench.c */
int dwmtj_cmd_bench(int argc, char **argv);
void dwmtj_usage_bench(FILE *f);

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
          "  array           build and run a crossbar of M inputs and N neurons\n"
          "  train           train a spiking network of LIF or DW-MTJ neurons on\n"
          "                  Fashion-MNIST\n"
          "  infer           run a trained DW-MTJ network at circuit level on test\n"
          "                  images: accuracy, agreement, energy, latency\n"
          "  bench           the same circuits through ngspice and the KLU engine:\n"
          "                  speed, speedup and the matrix-vector floor\n"
          "  help [COMMAND]  this help, or the help of COMMAND\n"
          "\n"
          "  dwmtj COMMAND --help shows the options of a command.\n"
          "\n"
          "options:\n"
          "  -h, --help     this help\n"
          "  -V, --version  the version of dwmtj and of the ngspice it runs\n"
          "\n"
          "The code model is loaded from --cm PATH, else $DWMTJ_CM, else the\n"
          "installed dwmtj.cm.\n"
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

int main(int argc, char **argv)
{
    dwmtj_out_signals();
    if (argc < 2) {
        usage(stderr);
        return DWMTJ_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
        (strcmp(cmd, "help") == 0 && argc == 2)) {
        usage(stdout);
        return done(stdout);
    }
    if (strcmp(cmd, "help") == 0) {
        if (argc > 3) {
            dwmtj_error("help: too many arguments");
            return DWMTJ_EXIT_USAGE;
        }
        if (strcmp(argv[2], "run") == 0)
            dwmtj_usage_run(stdout);
        else if (strcmp(argv[2], "array") == 0)
            dwmtj_usage_array(stdout);
        else if (strcmp(argv[2], "train") == 0)
            dwmtj_usage_train(stdout);
        else if (strcmp(argv[2], "infer") == 0)
            dwmtj_usage_infer(stdout);
        else if (strcmp(argv[2], "bench") == 0)
            dwmtj_usage_bench(stdout);
        else {
            dwmtj_error("help: unknown command '%s' (commands: run, array, train, infer, bench)",
                        argv[2]);
            return DWMTJ_EXIT_USAGE;
        }
        return done(stdout);
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        if (argc > 2) {
            dwmtj_error("--version takes no arguments");
            return DWMTJ_EXIT_USAGE;
        }
        return version();
    }
    if (strcmp(cmd, "run") == 0)
        return dwmtj_cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "array") == 0)
        return dwmtj_cmd_array(argc - 1, argv + 1);
    if (strcmp(cmd, "train") == 0)
        return dwmtj_cmd_train(argc - 1, argv + 1);
    if (strcmp(cmd, "infer") == 0)
        return dwmtj_cmd_infer(argc - 1, argv + 1);
    if (strcmp(cmd, "bench") == 0)
        return dwmtj_cmd_bench(argc - 1, argv + 1);
    if (cmd[0] == '-')
        dwmtj_error("unknown option '%s'", cmd);
    else
        dwmtj_error("unknown command '%s' (commands: run, array, train, infer, bench, help)",
                    cmd);
    fputs("Try 'dwmtj --help'.\n", stderr);
    return DWMTJ_EXIT_USAGE;
}
