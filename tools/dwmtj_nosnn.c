/* train, infer and bench in a build without the spiking-network part
 * (configure --disable-snn): each says so and exits with the usage code,
 * as for a command that does not exist. */
#include "dwmtj_output.h"

#define NO_SNN "not in this build: dwmtj4t was configured with --disable-snn" \
               " (the spiking network, its data and inference need zlib)"

int dwmtj_cmd_train(int argc, char **argv);
void dwmtj_usage_train(FILE *f);
int dwmtj_cmd_infer(int argc, char **argv);
void dwmtj_usage_infer(FILE *f);
int dwmtj_cmd_bench(int argc, char **argv);
void dwmtj_usage_bench(FILE *f);

static int missing(const char *sub)
{
    dwmtj_error("%s: " NO_SNN, sub);
    return DWMTJ_EXIT_USAGE;
}

int dwmtj_cmd_train(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return missing("train");
}

int dwmtj_cmd_infer(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return missing("infer");
}

int dwmtj_cmd_bench(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return missing("bench");
}

void dwmtj_usage_train(FILE *f)
{
    fputs("dwmtj train: " NO_SNN "\n", f);
}

void dwmtj_usage_infer(FILE *f)
{
    fputs("dwmtj infer: " NO_SNN "\n", f);
}

void dwmtj_usage_bench(FILE *f)
{
    fputs("dwmtj bench: " NO_SNN "\n", f);
}
