/* Error messages of the snn module. */
#include "snn_fail.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int snn_fail(char **error, int status, const char *fmt, ...)
{
    if (!error)
        return status;
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    *error = NULL;
    if (len < 0)
        return status;
    char *msg = malloc((size_t)len + 1);
    if (!msg)
        return status;
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)len + 1, fmt, ap);
    va_end(ap);
    *error = msg;
    return status;
}
