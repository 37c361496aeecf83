/* Template format v1, the reader's shared part (template_read.h): errors
 * located in the source through the composition, "did you mean" for
 * unknown keys, and the generic reads every section of the format uses. */
#include "template_read.h"

#include <math.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "array.h"
#include "error.h"
#include "paths.h"

/* ------------------------------------------------------------- errors */

void cr_tpl_push_key(loader *ld, const char *key)
{
    if (ld->depth < MAX_PATH_DEPTH)
        ld->path[ld->depth] = CR_JSON_KEY(key);
    ld->depth++;
}

void cr_tpl_push_index(loader *ld, size_t index)
{
    if (ld->depth < MAX_PATH_DEPTH)
        ld->path[ld->depth] = CR_JSON_INDEX(index);
    ld->depth++;
}

void cr_tpl_pop(loader *ld)
{
    ld->depth--;
}

/* The file, line and column the current path's value was written at. */
static cr_source_place place(const loader *ld, cr_json_target target)
{
    size_t depth = ld->depth < MAX_PATH_DEPTH ? ld->depth : MAX_PATH_DEPTH;
    return cr_composition_locate(ld->doc, ld->path, depth, target);
}

cr_location cr_tpl_locate(const loader *ld, cr_json_target target)
{
    cr_source_place at = place(ld, target);
    return (cr_location){at.file, at.line, at.column, ld->field_index, ld->field_name};
}

const char *cr_tpl_source_file(const loader *ld)
{
    size_t source = place(ld, CR_JSON_AT_VALUE).source;
    return source < ld->tpl->source_count ? ld->tpl->sources[source] : ld->tpl->path;
}

cr_status cr_tpl_fail(loader *ld, cr_json_target target, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cr_status status = cr_error_vset(ld->err, CR_ERR_TEMPLATE, cr_tpl_locate(ld, target), fmt, ap);
    va_end(ap);
    return status;
}

cr_status cr_tpl_fail_missing(loader *ld, const char *key)
{
    return cr_tpl_fail(ld, CR_JSON_AT_VALUE, "missing required key \"%s\"", key);
}

cr_status cr_tpl_read_required(loader *ld, json_t *object, const char *key,
                               cr_tpl_member_reader read, void *out)
{
    if (!json_object_get(object, key))
        return cr_tpl_fail_missing(ld, key);
    return cr_tpl_read_member(ld, object, key, read, out);
}

/* The member under key, with the path at it, to read when it is there
 * (and, when must_be_object, an object). */
static cr_status read_present(loader *ld, json_t *object, const char *key, bool must_be_object,
                              cr_tpl_member_reader read, void *out)
{
    json_t *value = json_object_get(object, key);
    if (!value)
        return CR_OK;
    cr_tpl_push_key(ld, key);
    cr_status status = !must_be_object || json_is_object(value)
                           ? read(ld, value, out)
                           : cr_tpl_fail(ld, CR_JSON_AT_VALUE, "\"%s\" must be an object, not %s",
                                         key, cr_json_kind(value, true));
    cr_tpl_pop(ld);
    return status;
}

cr_status cr_tpl_read_member(loader *ld, json_t *object, const char *key, cr_tpl_member_reader read,
                             void *out)
{
    return read_present(ld, object, key, false, read, out);
}

cr_status cr_tpl_read_object(loader *ld, json_t *object, const char *key, cr_tpl_member_reader read,
                             void *out)
{
    return read_present(ld, object, key, true, read, out);
}

cr_status cr_tpl_fail_nomem(loader *ld)
{
    return cr_fail(ld->err, CR_ERR_NOMEM, "%s: out of memory", ld->tpl->path);
}

void cr_tpl_format_number(double v, char *buf, size_t size)
{
    bool exponent_ok = fabs(v) >= 1e15 || (v != 0 && fabs(v) < 1e-4);
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(buf, size, "%.*g", precision, v);
        if (strtod(buf, NULL) == v && (exponent_ok || !strchr(buf, 'e')))
            return;
    }
}

/* -------------------------------------------------- did you mean ... */

enum { MAX_SUGGEST_LEN = 32 };

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* Levenshtein distance of two short strings (bytes). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[MAX_SUGGEST_LEN + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            row[j] = min3(row[j] + 1, row[j - 1] + 1, diagonal + cost);
            diagonal = above;
        }
    }
    return row[lb];
}

/* The allowed key a typo most likely meant, or NULL when none is close. */
static const char *nearest_key(const char *key, const char *const *allowed)
{
    if (strlen(key) > MAX_SUGGEST_LEN)
        return NULL;
    const char *best = NULL;
    size_t best_distance = SIZE_MAX;
    for (size_t i = 0; allowed[i]; i++) {
        if (strlen(allowed[i]) > MAX_SUGGEST_LEN)
            continue;
        size_t distance = edit_distance(key, allowed[i]);
        size_t tolerated = strlen(allowed[i]) / 3 > 1 ? strlen(allowed[i]) / 3 : 1;
        if (distance <= tolerated && distance < best_distance) {
            best = allowed[i];
            best_distance = distance;
        }
    }
    return best;
}

void cr_tpl_join_names(const char *const *names, const char *last_word, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; names[i] && used < size; i++) {
        const char *separator = i == 0 ? "" : (names[i + 1] || !last_word) ? ", " : last_word;
        int n = snprintf(buf + used, size - used, "%s%s", separator, names[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/* ------------------------------------------------------- generic reads */

static bool is_allowed(const char *key, const char *const *allowed)
{
    for (size_t i = 0; allowed[i]; i++)
        if (strcmp(key, allowed[i]) == 0)
            return true;
    return false;
}

cr_status cr_tpl_check_keys(loader *ld, json_t *object, const char *const *allowed)
{
    const char *key;
    json_t *value;
    json_object_foreach(object, key, value)
    {
        if (is_allowed(key, allowed))
            continue;
        cr_tpl_push_key(ld, key);
        const char *guess = nearest_key(key, allowed);
        cr_status status;
        if (guess) {
            status = cr_tpl_fail(ld, CR_JSON_AT_KEY, "unknown key \"%s\" (did you mean \"%s\"?)",
                                 key, guess);
        } else {
            char list[512];
            cr_tpl_join_names(allowed, NULL, list, sizeof list);
            status =
                cr_tpl_fail(ld, CR_JSON_AT_KEY, "unknown key \"%s\" (allowed keys: %s)", key, list);
        }
        cr_tpl_pop(ld);
        return status;
    }
    return CR_OK;
}

cr_status cr_tpl_check_number(loader *ld, const char *label, json_t *value, range r, double *out)
{
    if (!json_is_number(value))
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE, "%s must be a number, not %s", label,
                           cr_json_kind(value, true));
    double v = json_number_value(value);
    bool too_small = r.min_excluded ? v <= r.min : v < r.min;
    if (too_small || v > r.max) {
        char got[32], min[32], max[64];
        cr_tpl_format_number(v, got, sizeof got);
        cr_tpl_format_number(r.min, min, sizeof min);
        if (r.max_text)
            snprintf(max, sizeof max, "%s", r.max_text);
        else
            cr_tpl_format_number(r.max, max, sizeof max);
        if (isinf(r.max))
            return cr_tpl_fail(ld, CR_JSON_AT_VALUE, "%s must be greater than %s (got %s)", label,
                               min, got);
        if (r.min_excluded)
            return cr_tpl_fail(ld, CR_JSON_AT_VALUE,
                               "%s must be greater than %s and at most %s (got %s)", label, min,
                               max, got);
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE, "%s must be between %s and %s (got %s)", label,
                           min, max, got);
    }
    *out = v;
    return CR_OK;
}

cr_status cr_tpl_read_number(loader *ld, json_t *object, const char *key, bool required, range r,
                             double *out)
{
    json_t *value = json_object_get(object, key);
    if (!value)
        return required ? cr_tpl_fail_missing(ld, key) : CR_OK;
    char label[64];
    snprintf(label, sizeof label, "\"%s\"", key);
    cr_tpl_push_key(ld, key);
    cr_status status = cr_tpl_check_number(ld, label, value, r, out);
    cr_tpl_pop(ld);
    return status;
}

static cr_status check_integer(loader *ld, const char *key, json_t *value, long long min,
                               long long max, int *out)
{
    if (!json_is_integer(value))
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE, "\"%s\" must be an integer, not %s", key,
                           cr_json_kind(value, true));
    long long v = json_integer_value(value);
    if (v < min || v > max)
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE, "\"%s\" must be between %lld and %lld (got %lld)",
                           key, min, max, v);
    *out = (int)v;
    return CR_OK;
}

cr_status cr_tpl_read_integer(loader *ld, json_t *object, const char *key, long long min,
                              long long max, int *out)
{
    json_t *value = json_object_get(object, key);
    if (!value)
        return CR_OK;
    cr_tpl_push_key(ld, key);
    cr_status status = check_integer(ld, key, value, min, max, out);
    cr_tpl_pop(ld);
    return status;
}

cr_status cr_tpl_get_string(loader *ld, json_t *object, const char *key, const char **out)
{
    *out = NULL;
    json_t *value = json_object_get(object, key);
    if (!value)
        return CR_OK;
    if (json_is_string(value)) {
        *out = json_string_value(value);
        return CR_OK;
    }
    cr_tpl_push_key(ld, key);
    cr_status status = cr_tpl_fail(ld, CR_JSON_AT_VALUE, "\"%s\" must be a string, not %s", key,
                                   cr_json_kind(value, true));
    cr_tpl_pop(ld);
    return status;
}

cr_status cr_tpl_copy_string(loader *ld, const char *text, char **out)
{
    *out = strdup(text);
    return *out ? CR_OK : cr_tpl_fail_nomem(ld);
}

cr_status cr_tpl_read_enum(loader *ld, json_t *object, const char *key, const char *const *names,
                           int *out)
{
    const char *text;
    cr_status status = cr_tpl_get_string(ld, object, key, &text);
    if (status != CR_OK || !text)
        return status;
    for (int i = 0; names[i]; i++) {
        if (strcmp(text, names[i]) == 0) {
            *out = i;
            return CR_OK;
        }
    }
    char list[256];
    cr_tpl_join_names(names, " or ", list, sizeof list);
    cr_tpl_push_key(ld, key);
    status = cr_tpl_fail(ld, CR_JSON_AT_VALUE, "\"%s\" must be %s (got \"%s\")", key, list, text);
    cr_tpl_pop(ld);
    return status;
}

/* ---------------------------------------------------------------- colour */

static bool parse_hex_byte(const char *two, uint8_t *out)
{
    int high = cr_hex_digit((unsigned char)two[0]);
    int low = high < 0 ? -1 : cr_hex_digit((unsigned char)two[1]);
    if (low < 0)
        return false;
    *out = (uint8_t)(high * 16 + low);
    return true;
}

bool cr_color_parse(const char *text, cr_color *out)
{
    if (!text || text[0] != '#')
        return false;
    size_t length = strlen(text);
    if (length != 7 && length != 9)
        return false;
    cr_color color = {0, 0, 0, 255};
    bool ok = parse_hex_byte(text + 1, &color.r) && parse_hex_byte(text + 3, &color.g) &&
              parse_hex_byte(text + 5, &color.b) &&
              (length == 7 || parse_hex_byte(text + 7, &color.a));
    if (ok && out)
        *out = color;
    return ok;
}

cr_status cr_tpl_read_color(loader *ld, json_t *object, const char *key, cr_color *out)
{
    const char *text;
    cr_status status = cr_tpl_get_string(ld, object, key, &text);
    if (status != CR_OK || !text || cr_color_parse(text, out))
        return status;
    cr_tpl_push_key(ld, key);
    status = cr_tpl_fail(ld, CR_JSON_AT_VALUE,
                         "\"%s\" must be \"#rrggbb\" or \"#rrggbbaa\" (got \"%s\")", key, text);
    cr_tpl_pop(ld);
    return status;
}

/* --------------------------------------------------------------- artwork */

/* One artwork decode of a load. */
typedef struct cr_artwork_job {
    pthread_t thread;
    bool threaded;
    char *path;
    cr_pixmap *out;
    cr_location where; /* the path's value in the template */
    cr_status status;
    cr_error err;
} cr_artwork_job;

/* Decodes at once beyond this many under way: a template of many small
 * pictures gets no swarm of threads. */
enum { ARTWORK_THREADS = 4 };

static void decode_job(cr_artwork_job *job)
{
    cr_error_clear(&job->err);
    job->status = cr_image_decode_file(job->path, NULL, job->out, &job->err);
}

static void *decode_thread(void *data)
{
    decode_job(data);
    return NULL;
}

static size_t threads_under_way(const loader *ld)
{
    size_t count = 0;
    for (size_t i = 0; i < ld->artwork_count; i++)
        count += ld->artwork[i].threaded;
    return count;
}

static cr_status artwork_error(loader *ld, const cr_artwork_job *job)
{
    return cr_error_set(ld->err, job->status, job->where, "artwork %s", job->err.message);
}

cr_status cr_tpl_decode_artwork(loader *ld, const char *key, const char *src, cr_pixmap *out)
{
    if (src[0] == '\0' || src[0] == '/')
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE,
                           "\"%s\" must be a path relative to the template's folder (got \"%s\")",
                           key, src);
    char *path = cr_path_join(place(ld, CR_JSON_AT_VALUE).dir, src);
    if (!path || !cr_reserve((void **)&ld->artwork, &ld->artwork_capacity, ld->artwork_count + 1,
                             sizeof *ld->artwork)) {
        free(path);
        return cr_tpl_fail_nomem(ld);
    }
    cr_artwork_job *job = &ld->artwork[ld->artwork_count];
    *job = (cr_artwork_job){.path = path, .out = out, .where = cr_tpl_locate(ld, CR_JSON_AT_VALUE)};
    bool room = threads_under_way(ld) < ARTWORK_THREADS;
    ld->artwork_count++;
    job->threaded = room && pthread_create(&job->thread, NULL, decode_thread, job) == 0;
    if (job->threaded)
        return CR_OK;
    decode_job(job);
    return job->status == CR_OK ? CR_OK : artwork_error(ld, job);
}

cr_status cr_tpl_finish_artwork(loader *ld, cr_status status)
{
    bool failed = false;
    for (size_t i = 0; i < ld->artwork_count; i++) {
        cr_artwork_job *job = &ld->artwork[i];
        if (job->threaded)
            pthread_join(job->thread, NULL);
        if (job->threaded && job->status != CR_OK && !failed) {
            status = artwork_error(ld, job);
            failed = true;
        }
        free(job->path);
    }
    free(ld->artwork);
    ld->artwork = NULL;
    ld->artwork_count = ld->artwork_capacity = 0;
    return status;
}

cr_status cr_tpl_read_artwork(loader *ld, json_t *object, const char *key, char **src_out,
                              cr_pixmap *out)
{
    const char *src;
    cr_status status = cr_tpl_get_string(ld, object, key, &src);
    if (status != CR_OK || !src)
        return status;
    status = cr_tpl_copy_string(ld, src, src_out);
    if (status != CR_OK)
        return status;
    cr_tpl_push_key(ld, key);
    status = cr_tpl_decode_artwork(ld, key, src, out);
    cr_tpl_pop(ld);
    return status;
}

/* ------------------------------------------------------------ top level */

cr_status cr_tpl_read_version(loader *ld, json_t *root)
{
    json_t *value = json_object_get(root, "version");
    char buf[128];
    const char *problem = cr_json_version_problem(value, "template", buf, sizeof buf);
    if (!problem)
        return CR_OK;
    if (!value)
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE, "%s", problem);
    cr_tpl_push_key(ld, "version");
    cr_status status = cr_tpl_fail(ld, CR_JSON_AT_VALUE, "%s", problem);
    cr_tpl_pop(ld);
    return status;
}
