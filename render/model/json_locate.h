/* Source positions for JSON values, and the read-and-parse steps that
 * templates and records share.
 *
 * jansson reports a line and column only for syntax errors, never for the
 * values it returns. The locator finds them again: given the text (already
 * validated by jansson) and a path of object keys and array indices, it scans
 * tokens, skipping what is not on the path, and builds nothing. */
#ifndef CR_JSON_LOCATE_H
#define CR_JSON_LOCATE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "cardrender.h"

/* One step from a value to a value inside it. */
typedef struct cr_json_step {
    const char *key; /* object member name (UTF-8, unescaped), or NULL */
    size_t index;    /* array element, when key is NULL */
} cr_json_step;

#define CR_JSON_KEY(name) ((cr_json_step){(name), 0})
#define CR_JSON_INDEX(i) ((cr_json_step){NULL, (i)})

/* 1-based line and column, and the byte offset, of a token's first
 * character. Columns count Unicode characters, as jansson's do. */
typedef struct cr_json_position {
    int line;
    int column;
    size_t offset;
} cr_json_position;

typedef enum cr_json_target {
    CR_JSON_AT_VALUE, /* the value the path leads to */
    CR_JSON_AT_KEY    /* the key of the last step (the value when it is an index) */
} cr_json_target;

/* Finds the value (or key) at path; depth 0 is the root value. Returns false,
 * leaving *out alone, when the text has no such path. */
bool cr_json_locate(const char *text, size_t length, const cr_json_step *path, size_t depth,
                    cr_json_target target, cr_json_position *out);

/* The value of a hexadecimal digit (either case), -1 for anything else:
 * for \uXXXX here and "#rrggbb" colours in templates. */
int cr_hex_digit(unsigned char c);

/* How a message names a value's JSON type: "an object", "a string", ...;
 * numbers as "an integer" / "a real number" when detail_numbers, else as
 * "a number". */
const char *cr_json_kind(const json_t *value, bool detail_numbers);

/* Reads a whole file into a NUL-terminated buffer the caller frees. A file
 * that is missing, unreadable or empty is CR_ERR_IO naming path, what it is
 * ("the file", "the font manifest") and the reason. */
cr_status cr_json_read_file(const char *path, const char *what, char **text, size_t *length,
                            cr_error *err);

/* Templates, the files they compose and the font manifest are format
 * version 1. NULL when `version` (the "version" member, NULL when missing)
 * says so; else what is wrong, in buf: "missing required key "version"",
 * "must be an integer, not ..." or "unsupported ... version N". `format`
 * names the format in the last ("template", "font manifest"). */
const char *cr_json_version_problem(const json_t *version, const char *format, char *buf,
                                    size_t size);

/* Parses with jansson, rejecting duplicate keys. A syntax error is
 * CR_ERR_SYNTAX "NAME:LINE:COL: syntax error: <jansson's text>"; a duplicate
 * key is `duplicate_code` "NAME:LINE:COL: duplicate key "K"", located at the
 * second occurrence of the key. */
json_t *cr_json_parse(const char *text, size_t length, const char *name, cr_status duplicate_code,
                      cr_error *err);

#endif
