/* Text helpers of the inference module. */
#include "infer_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int infer_fail(char **error, int status, const char *fmt, ...)
{
    if (!error)
        return status;
    dwmtj_str b = { 0 };
    va_list ap;
    va_start(ap, fmt);
    dwmtj_str_vprintf(&b, fmt, ap);
    va_end(ap);
    *error = b.err ? (free(b.s), NULL) : b.s;
    return status;
}
