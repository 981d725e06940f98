/* What the parts of the inference module share; not installed. */
#ifndef DWMTJ_INFER_INTERNAL_H
#define DWMTJ_INFER_INTERNAL_H

#include "dwmtj_infer.h"

#include <stddef.h>

/* A growing string; err set once an allocation failed. */
typedef struct {
    char *s;
    size_t len, cap;
    int err;
} infer_buf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void infer_printf(infer_buf *b, const char *fmt, ...);

/* Sets *error (when not NULL) to a malloc'd message and returns status. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int infer_fail(char **error, int status, const char *fmt, ...);

int infer_check_options(const dwmtj_infer_options *o, char **error);

/* Monitors inference reads, in the order the deck puts them on port mon
 * (parameter monitors="nf nw e x"); the output layer has all four, the
 * others the first three. */
enum { INFER_MON_NF = 0, INFER_MON_NW = 1, INFER_MON_E = 2, INFER_MON_X = 3 };

#endif
