#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void cr_error_clear(cr_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->line = -1;
    err->column = -1;
    err->field_index = -1;
}

static void append(char *buf, size_t size, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
    if (*used >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, size - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used += (size_t)n;
}

cr_status cr_error_vset(cr_error *err, cr_status code, cr_location where, const char *fmt,
                        va_list ap)
{
    if (!err)
        return code;
    cr_error_clear(err);
    err->code = code;
    if (where.file)
        snprintf(err->file, sizeof err->file, "%s", where.file);
    if (where.line > 0) {
        err->line = where.line;
        err->column = where.column > 0 ? where.column : -1;
    }
    err->field_index = where.field_index;
    if (where.field_name)
        snprintf(err->field_name, sizeof err->field_name, "%s", where.field_name);

    size_t used = 0;
    char *msg = err->message;
    size_t size = sizeof err->message;
    if (where.file) {
        append(msg, size, &used, "%s:", where.file);
        if (where.line > 0)
            append(msg, size, &used, "%d:", where.line);
        if (where.line > 0 && where.column > 0)
            append(msg, size, &used, "%d:", where.column);
        append(msg, size, &used, " ");
    }
    if (where.field_index >= 0) {
        append(msg, size, &used, "field %d", where.field_index);
        if (where.field_name && where.field_name[0])
            append(msg, size, &used, " \"%s\"", where.field_name);
        append(msg, size, &used, ": ");
    }
    if (used < size)
        vsnprintf(msg + used, size - used, fmt, ap);
    return code;
}

cr_status cr_error_set(cr_error *err, cr_status code, cr_location where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cr_status status = cr_error_vset(err, code, where, fmt, ap);
    va_end(ap);
    return status;
}

const char *cr_status_name(cr_status status)
{
    static const char *const names[] = {
        [CR_OK] = "ok",
        [CR_ERR_ARGUMENT] = "argument",
        [CR_ERR_IO] = "io",
        [CR_ERR_SYNTAX] = "syntax",
        [CR_ERR_TEMPLATE] = "template",
        [CR_ERR_RECORD] = "record",
        [CR_ERR_FONT] = "font",
        [CR_ERR_TEXT] = "text",
        [CR_ERR_IMAGE] = "image",
        [CR_ERR_NOMEM] = "out of memory",
        [CR_ERR_INTERNAL] = "internal",
    };
    if ((unsigned)status < sizeof names / sizeof names[0] && names[status])
        return names[status];
    return "unknown";
}
