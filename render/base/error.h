/* Filling cr_error objects: one place formats every message the same way. */
#ifndef CR_ERROR_H
#define CR_ERROR_H

#include <stdarg.h>

#include "cardrender.h"

/* Where an error points: file, 1-based line and column (0 = unknown) and the
 * template field (index -1 = none). */
typedef struct cr_location {
    const char *file;
    int line;
    int column;
    int field_index;
    const char *field_name;
} cr_location;

#define CR_NO_LOCATION ((cr_location){NULL, 0, 0, -1, NULL})

void cr_error_clear(cr_error *err);

/* Sets err (if not NULL) and returns code. The message reads
 *   FILE:LINE:COL: field N "NAME": TEXT
 * with the parts that are known. */
cr_status cr_error_set(cr_error *err, cr_status code, cr_location where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The same with the arguments in a va_list, for readers that wrap it with
 * their own way of finding the location. */
cr_status cr_error_vset(cr_error *err, cr_status code, cr_location where, const char *fmt,
                        va_list ap) __attribute__((format(printf, 4, 0)));

/* Shorthand without a location. */
#define cr_fail(err, code, ...) cr_error_set((err), (code), CR_NO_LOCATION, __VA_ARGS__)

#endif
