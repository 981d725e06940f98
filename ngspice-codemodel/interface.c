/* What the harness asks of a code model file before it loads it
 * (harness/session.c): the libdwmtj interface this dwmtj.cm was built
 * with, from its own copy of the library.  Named CM... so that the
 * export list of dwmtj.cm (ngspice's CM entry points) keeps it. */
#include "dwmtj.h"

uint64_t CMdwmtjInterface(void);

uint64_t CMdwmtjInterface(void)
{
    return dwmtj_interface_id();
}
