/* dwmtj bench: the same circuits through both backends (placeholder until
 * the benchmark lands). */
#include "dwmtj_output.h"

#include <stdio.h>

void dwmtj_usage_bench(FILE *f)
{
    fputs("usage: dwmtj bench [--json]\n", f);
}

int dwmtj_cmd_bench(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    dwmtj_usage_bench(stderr);
    return DWMTJ_EXIT_USAGE;
}
