#include "json_locate.h"
#include "input_file.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* Files larger than this are not templates or records; refusing them keeps a
 * mistaken path (a disk image, a log) from eating memory. */
#define MAX_FILE_BYTES ((size_t)64 << 20)

/* ------------------------------------------------------------- scanning */

typedef struct scanner {
    const char *text;
    size_t length;
    size_t pos;
    int line;
    int chars; /* characters consumed on the current line */
} scanner;

/* Bytes of a UTF-8 byte-order mark opening text, which some editors write:
 * jansson and the scanner both start after it, so positions count from
 * there and agree. */
static size_t bom_length(const char *text, size_t length)
{
    return length >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3) ? 3 : 0;
}

static scanner scanner_start(const char *text, size_t length)
{
    return (scanner){text, length, bom_length(text, length), 1, 0};
}

static bool at_end(const scanner *s)
{
    return s->pos >= s->length;
}

static unsigned char peek(const scanner *s)
{
    return at_end(s) ? 0 : (unsigned char)s->text[s->pos];
}

/* jansson counts a column for every byte that can start a UTF-8 sequence, so
 * continuation bytes (10xxxxxx) are the only ones that do not move it. */
static void advance(scanner *s)
{
    if (at_end(s))
        return;
    unsigned char c = (unsigned char)s->text[s->pos++];
    if (c == '\n') {
        s->line++;
        s->chars = 0;
    } else if ((c & 0xC0) != 0x80) {
        s->chars++;
    }
}

static cr_json_position position(const scanner *s)
{
    return (cr_json_position){s->line, s->chars + 1, s->pos};
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_space(scanner *s)
{
    while (!at_end(s) && is_space(peek(s)))
        advance(s);
}

/* s is at the opening quote; stops after the closing one. */
static void skip_string(scanner *s)
{
    advance(s);
    while (!at_end(s)) {
        unsigned char c = peek(s);
        advance(s);
        if (c == '\\')
            advance(s);
        else if (c == '"')
            return;
    }
}

/* Characters of numbers and of true/false/null. */
static bool is_scalar_char(unsigned char c)
{
    return c && !is_space(c) && !strchr(",:[]{}\"", c);
}

/* Skips one value of any kind. Nesting is counted rather than recursed into,
 * so no input can exhaust the stack; every pass consumes a byte or stops. */
static void skip_value(scanner *s)
{
    int depth = 0;
    do {
        unsigned char c = peek(s);
        if (c == '"') {
            skip_string(s);
        } else if (c == '{' || c == '[') {
            depth++;
            advance(s);
        } else if (c == '}' || c == ']') {
            depth--;
            advance(s);
        } else if (depth == 0) {
            while (!at_end(s) && is_scalar_char(peek(s)))
                advance(s);
        } else {
            advance(s);
        }
    } while (depth > 0 && !at_end(s));
}

/* ------------------------------------------------- comparing a key */

int cr_hex_digit(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads the XXXX of \uXXXX; -1 when it is not four hex digits. */
static long read_hex4(scanner *s)
{
    long value = 0;
    for (int i = 0; i < 4; i++) {
        int digit = cr_hex_digit(peek(s));
        if (digit < 0)
            return -1;
        value = value * 16 + digit;
        advance(s);
    }
    return value;
}

static size_t encode_utf8(long cp, char out[4])
{
    if (cp < 0 || cp > 0x10FFFF)
        return 0;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* s is after "\u"; a high surrogate takes the low one that follows it. */
static size_t read_unicode_escape(scanner *s, char out[4])
{
    long cp = read_hex4(s);
    if (cp >= 0xD800 && cp <= 0xDBFF && s->pos + 1 < s->length && s->text[s->pos] == '\\' &&
        s->text[s->pos + 1] == 'u') {
        scanner saved = *s;
        advance(s);
        advance(s);
        long low = read_hex4(s);
        if (low >= 0xDC00 && low <= 0xDFFF)
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        else
            *s = saved;
    }
    return encode_utf8(cp, out);
}

/* s is after the backslash; writes the bytes the escape stands for. */
static size_t read_escape(scanner *s, char out[4])
{
    static const char named[][2] = {
        {'b', '\b'}, {'f', '\f'}, {'n', '\n'}, {'r', '\r'}, {'t', '\t'}};
    unsigned char c = peek(s);
    advance(s);
    if (c == 'u')
        return read_unicode_escape(s, out);
    out[0] = (char)c; /* '"', '\\', '/' stand for themselves */
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (c == (unsigned char)named[i][0])
            out[0] = named[i][1];
    return 1;
}

/* s is at a string's opening quote; consumes the string and tells whether
 * its unescaped text equals want. Keys are compared as jansson stores them,
 * so "\u0063olor" is the key "color". */
static bool string_equals(scanner *s, const char *want)
{
    size_t matched = 0;
    bool same = true;
    advance(s);
    while (!at_end(s)) {
        unsigned char c = peek(s);
        advance(s);
        if (c == '"')
            break;
        char bytes[4];
        size_t count = 1;
        bytes[0] = (char)c;
        if (c == '\\')
            count = read_escape(s, bytes);
        for (size_t i = 0; i < count; i++) {
            if (same && want[matched] != '\0' && want[matched] == bytes[i])
                matched++;
            else
                same = false;
        }
    }
    return same && want[matched] == '\0';
}

/* ------------------------------------------------------------ locating */

/* s is at a member's value or an element: skips it and the comma after
 * it; false when no comma follows (the container ends or is broken). */
static bool skip_to_next(scanner *s)
{
    skip_value(s);
    skip_space(s);
    if (peek(s) != ',')
        return false;
    advance(s);
    return true;
}

/* s is before an object; moves s to the value of member `key`. */
static bool enter_member(scanner *s, const char *key, cr_json_position *key_at)
{
    skip_space(s);
    if (peek(s) != '{')
        return false;
    advance(s);
    for (;;) {
        skip_space(s);
        if (peek(s) != '"')
            return false;
        *key_at = position(s);
        bool match = string_equals(s, key);
        skip_space(s);
        if (peek(s) != ':')
            return false;
        advance(s);
        skip_space(s);
        if (match)
            return true;
        if (!skip_to_next(s))
            return false;
    }
}

/* s is before an array; moves s to element `index`. */
static bool enter_element(scanner *s, size_t index)
{
    skip_space(s);
    if (peek(s) != '[')
        return false;
    advance(s);
    for (size_t i = 0;; i++) {
        skip_space(s);
        if (at_end(s) || peek(s) == ']')
            return false;
        if (i == index)
            return true;
        if (!skip_to_next(s))
            return false;
    }
}

bool cr_json_locate(const char *text, size_t length, const cr_json_step *path, size_t depth,
                    cr_json_target target, cr_json_position *out)
{
    if (!text || !out || (depth > 0 && !path))
        return false;
    scanner s = scanner_start(text, length);
    cr_json_position key_at = {0, 0, 0};
    for (size_t i = 0; i < depth; i++) {
        bool found =
            path[i].key ? enter_member(&s, path[i].key, &key_at) : enter_element(&s, path[i].index);
        if (!found)
            return false;
    }
    skip_space(&s);
    if (at_end(&s))
        return false;
    bool want_key = target == CR_JSON_AT_KEY && depth > 0 && path[depth - 1].key;
    *out = want_key ? key_at : position(&s);
    return true;
}

/* The string token whose closing quote ends just before byte `end`: jansson
 * reports a duplicate key there, after having read it. */
static bool find_string_ending_at(const char *text, size_t length, size_t end,
                                  cr_json_position *start)
{
    scanner s = scanner_start(text, length);
    while (!at_end(&s) && s.pos < end) {
        if (peek(&s) != '"') {
            advance(&s);
            continue;
        }
        cr_json_position here = position(&s);
        skip_string(&s);
        if (s.pos == end) {
            *start = here;
            return true;
        }
    }
    return false;
}

/* ------------------------------------------------------ reading, parsing */

static cr_status fail_io(cr_error *err, const char *path, const char *verb, const char *what,
                         int errnum)
{
    cr_location where = {path, 0, 0, -1, NULL};
    return cr_error_set(err, CR_ERR_IO, where, "%s %s: %s", verb, what, strerror(errnum));
}

/* Reads the open file f into a buffer that always has room for a final NUL. */
static cr_status read_all(FILE *f, const char *path, const char *what, char **text, size_t *length,
                          cr_error *err)
{
    size_t capacity = 4096, used = 0;
    char *buffer = malloc(capacity);
    while (buffer) {
        used += fread(buffer + used, 1, capacity - used - 1, f);
        if (ferror(f)) {
            int errnum = errno;
            free(buffer);
            return fail_io(err, path, "cannot read", what, errnum);
        }
        if (feof(f))
            break;
        if (used >= MAX_FILE_BYTES) {
            free(buffer);
            return cr_error_set(err, CR_ERR_IO, (cr_location){path, 0, 0, -1, NULL},
                                "the file is larger than %zu MiB", MAX_FILE_BYTES >> 20);
        }
        char *bigger = realloc(buffer, capacity * 2);
        if (!bigger)
            free(buffer);
        buffer = bigger;
        capacity *= 2;
    }
    if (!buffer)
        return cr_fail(err, CR_ERR_NOMEM, "out of memory reading %s", path);
    buffer[used] = '\0';
    *text = buffer;
    *length = used;
    return CR_OK;
}

cr_status cr_json_read_file(const char *path, const char *what, char **text, size_t *length,
                            cr_error *err)
{
    *text = NULL;
    *length = 0;
    const char *kind;
    FILE *f = cr_fopen_input(path, &kind);
    if (!f && kind)
        return cr_error_set(err, CR_ERR_IO, (cr_location){path, 0, 0, -1, NULL},
                            "is %s, not a file", kind);
    if (!f)
        return fail_io(err, path, "cannot open", what, errno);
    cr_status status = read_all(f, path, what, text, length, err);
    fclose(f);
    if (status == CR_OK && *length == 0) {
        free(*text);
        *text = NULL;
        return cr_error_set(err, CR_ERR_IO, (cr_location){path, 0, 0, -1, NULL}, "%s is empty",
                            what);
    }
    return status;
}

static void report_duplicate(const char *text, size_t length, const char *name,
                             const json_error_t *jerr, cr_status code, cr_error *err)
{
    cr_json_position key = {jerr->line, jerr->column, 0};
    size_t end = jerr->position > 0 ? (size_t)jerr->position : 0;
    if (!find_string_ending_at(text, length, end, &key) || end - key.offset < 2) {
        cr_location where = {name, jerr->line, jerr->column, -1, NULL};
        cr_error_set(err, code, where, "duplicate key");
        return;
    }
    /* The key as written between its quotes; escapes are rare in keys. */
    int key_bytes = (int)(end - key.offset - 2);
    cr_location where = {name, key.line, key.column, -1, NULL};
    cr_error_set(err, code, where, "duplicate key \"%.*s\"", key_bytes, text + key.offset + 1);
}

json_t *cr_json_parse(const char *text, size_t length, const char *name, cr_status duplicate_code,
                      cr_error *err)
{
    json_error_t jerr;
    if (!text) {
        text = "";
        length = 0;
    }
    size_t skip = bom_length(text, length);
    json_t *root = json_loadb(text + skip, length - skip, JSON_REJECT_DUPLICATES, &jerr);
    if (root)
        return root;
    jerr.position += (int)skip; /* an offset into text, as the scanner's are */
    if (json_error_code(&jerr) == json_error_duplicate_key) {
        report_duplicate(text, length, name, &jerr, duplicate_code, err);
    } else if (json_error_code(&jerr) == json_error_out_of_memory) {
        cr_fail(err, CR_ERR_NOMEM, "out of memory parsing %s", name);
    } else {
        cr_location where = {name, jerr.line, jerr.column, -1, NULL};
        cr_error_set(err, CR_ERR_SYNTAX, where, "syntax error: %s", jerr.text);
    }
    return NULL;
}

const char *cr_json_kind(const json_t *value, bool detail_numbers)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return detail_numbers ? "an integer" : "a number";
    case JSON_REAL:
        return detail_numbers ? "a real number" : "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "something else";
}

const char *cr_json_version_problem(const json_t *version, const char *format, char *buf,
                                    size_t size)
{
    if (!version)
        snprintf(buf, size, "missing required key \"version\"");
    else if (!json_is_integer(version))
        snprintf(buf, size, "\"version\" must be an integer, not %s", cr_json_kind(version, true));
    else if (json_integer_value(version) != 1)
        snprintf(buf, size, "unsupported %s version %lld (this engine reads version 1)", format,
                 (long long)json_integer_value(version));
    else
        return NULL;
    return buf;
}
