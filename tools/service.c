/* The render service without the network (service.h): routing, the
 * request's JSON, the template store and the answers. */
#include "service.h"

#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>

#include <jansson.h>
#include <sodium.h>

#include "array.h"
#include "files.h"
#include "json_locate.h"
#include "layout_report.h"

enum {
    DEFAULT_MAX_BODY = 32 * 1024 * 1024,
    DEFAULT_MAX_KEYS = 1000,
    DEFAULT_MAX_REQUESTS = 16,
    MAX_NAME = 200,
};

/* What messages call a template or record that came in a request (the
 * studio looks for the template's name to place errors in its editor). */
#define REQUEST_TEMPLATE "<request template>"
#define REQUEST_RECORD "<request record>"

/* ------------------------------------------------------------ templates */

/* What a template was read from, to see when it changed. */
typedef struct file_stamp {
    char *path;
    struct timespec mtime;
    off_t size;
    ino_t inode;
} file_stamp;

/* A template of the folder as loaded, shared by the requests that use it:
 * a reload replaces the store's entry, and the old one lives until its last
 * request drops it. */
typedef struct stored_template {
    atomic_int references;
    char *name;
    cr_template *tpl;
    char *text; /* the file's JSON, for the studio's editor */
    size_t text_length;
    file_stamp *stamps;
    size_t stamp_count;
} stored_template;

struct cr_service {
    cr_engine *engine;
    cr_service_config config;
    pthread_mutex_t lock; /* the store */
    stored_template **store;
    size_t store_count, store_capacity;
    atomic_int in_flight;
};

static void stored_unref(stored_template *t)
{
    if (!t || atomic_fetch_sub(&t->references, 1) != 1)
        return;
    cr_template_destroy(t->tpl);
    for (size_t i = 0; i < t->stamp_count; i++)
        free(t->stamps[i].path);
    free(t->stamps);
    free(t->name);
    free(t->text);
    free(t);
}

static bool stamp_of(const char *path, file_stamp *stamp)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    stamp->mtime = st.st_mtim;
    stamp->size = st.st_size;
    stamp->inode = st.st_ino;
    return true;
}

static bool stamp_current(const file_stamp *stamp)
{
    file_stamp now;
    return stamp_of(stamp->path, &now) && now.mtime.tv_sec == stamp->mtime.tv_sec &&
           now.mtime.tv_nsec == stamp->mtime.tv_nsec && now.size == stamp->size &&
           now.inode == stamp->inode;
}

/* Adds a stamp for every file one of the template's fields came from (a
 * base it extends, a fragment it includes) besides those it has. */
static bool stamp_files(stored_template *t)
{
    size_t capacity = t->stamp_count;
    size_t fields = cr_template_field_count(t->tpl);
    for (size_t i = 0; i < fields; i++) {
        cr_field_info info;
        if (cr_template_field(t->tpl, i, &info) != CR_OK || !info.file)
            continue;
        bool known = false;
        for (size_t k = 0; k < t->stamp_count && !known; k++)
            known = strcmp(t->stamps[k].path, info.file) == 0;
        if (known)
            continue;
        if (!cr_reserve((void **)&t->stamps, &capacity, t->stamp_count + 1, sizeof *t->stamps))
            return false;
        file_stamp *stamp = &t->stamps[t->stamp_count];
        memset(stamp, 0, sizeof *stamp);
        if (!(stamp->path = strdup(info.file)))
            return false;
        t->stamp_count++;
        stamp_of(info.file, stamp); /* a file gone since: never current, reloaded next time */
    }
    return true;
}

/* A name of the folder: letters, digits, '.', '_', '-', not starting with
 * a dot, so never a path and never "..". */
static bool valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > MAX_NAME || name[0] == '.' || name[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static char *template_path(const cr_service *s, const char *name)
{
    size_t n = strlen(s->config.templates_dir) + strlen(name) + 8;
    char *path = malloc(n);
    if (path)
        snprintf(path, n, "%s/%s.json", s->config.templates_dir, name);
    return path;
}

static void out_of_memory(cr_error *err)
{
    err->code = CR_ERR_NOMEM;
    snprintf(err->message, sizeof err->message, "out of memory");
}

/* Loads NAME from the folder; NULL with err filled, and *missing set when
 * the folder has no NAME.json. The file is stamped before it is read, so a
 * change made while it loads is seen by the next request. */
static stored_template *load_template(cr_service *s, const char *name, bool *missing, cr_error *err)
{
    stored_template *t = calloc(1, sizeof *t);
    char *path = template_path(s, name);
    *missing = false;
    if (!t || !path || !(t->name = strdup(name)) || !(t->stamps = calloc(1, sizeof *t->stamps)) ||
        !(t->stamps[0].path = strdup(path))) {
        out_of_memory(err);
        free(path);
        if (t)
            free(t->stamps), free(t->name), free(t);
        return NULL;
    }
    atomic_init(&t->references, 1);
    t->stamp_count = 1;
    *missing = !stamp_of(path, &t->stamps[0]);
    bool ok = !*missing &&
              cr_json_read_file(path, "the template", &t->text, &t->text_length, err) == CR_OK &&
              (t->tpl = cr_template_load_file(s->engine, path, err)) != NULL;
    if (ok && !stamp_files(t)) {
        ok = false;
        out_of_memory(err);
    }
    free(path);
    if (!ok) {
        stored_unref(t);
        return NULL;
    }
    return t;
}

static bool stored_current(const stored_template *t)
{
    for (size_t i = 0; i < t->stamp_count; i++)
        if (!stamp_current(&t->stamps[i]))
            return false;
    return true;
}

/* The template NAME, loaded or reloaded as its files say; a reference the
 * caller drops with stored_unref. NULL with err filled, and *missing set
 * when the folder has no such file. */
static stored_template *find_template(cr_service *s, const char *name, bool *missing, cr_error *err)
{
    *missing = false;
    memset(err, 0, sizeof *err);
    err->line = err->column = err->field_index = -1;
    pthread_mutex_lock(&s->lock);
    size_t at = s->store_count;
    for (size_t i = 0; i < s->store_count; i++)
        if (strcmp(s->store[i]->name, name) == 0)
            at = i;
    stored_template *t = NULL;
    if (at < s->store_count && stored_current(s->store[at])) {
        t = s->store[at];
        atomic_fetch_add(&t->references, 1);
    } else {
        t = load_template(s, name, missing, err);
        if (t && at == s->store_count &&
            !cr_reserve((void **)&s->store, &s->store_capacity, s->store_count + 1,
                        sizeof *s->store)) {
            stored_unref(t);
            t = NULL;
            out_of_memory(err);
        } else if (t) {
            if (at < s->store_count)
                stored_unref(s->store[at]);
            else
                s->store_count++;
            s->store[at] = t;
            atomic_fetch_add(&t->references, 1);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return t;
}

/* ------------------------------------------------------------ responses */

static void set_body(cr_service_response *r, int status, const char *type, char *body)
{
    r->status = status;
    r->content_type = type;
    r->body = (uint8_t *)body;
    r->length = body ? strlen(body) : 0;
    r->body_is_library_memory = false;
}

static const char out_of_memory_body[] =
    "{\"error\": {\"status\": 500, \"code\": \"nomem\", \"message\": \"out of memory\"}}\n";

static void json_answer(cr_service_response *r, int status, json_t *value)
{
    char *text =
        value ? json_dumps(value, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))
              : NULL;
    json_decref(value);
    char *with_newline = text ? realloc(text, strlen(text) + 2) : NULL;
    if (!with_newline) {
        free(text);
        set_body(r, 500, "application/json", strdup(out_of_memory_body));
        return;
    }
    strcat(with_newline, "\n");
    set_body(r, status, "application/json", with_newline);
}

static json_t *text_or_null(const char *text)
{
    return text && text[0] ? tool_json_text(text) : json_null();
}

static json_t *number_or_null(int value)
{
    return value >= 0 ? json_integer(value) : json_null();
}

static void error_answer(cr_service_response *r, int status, const char *code, const char *message,
                         const cr_error *err)
{
    json_t *e = json_object();
    json_object_set_new(e, "status", json_integer(status));
    json_object_set_new(e, "code", json_string(code));
    json_object_set_new(e, "message", tool_json_text(message));
    json_object_set_new(e, "file", err && err->file[0] ? tool_json_text(err->file) : json_null());
    json_object_set_new(e, "line", number_or_null(err ? err->line : -1));
    json_object_set_new(e, "column", number_or_null(err ? err->column : -1));
    json_object_set_new(e, "field",
                        err && err->field_name[0] ? tool_json_text(err->field_name) : json_null());
    json_object_set_new(e, "field_index", number_or_null(err ? err->field_index : -1));
    json_t *doc = json_object();
    json_object_set_new(doc, "error", e);
    json_answer(r, status, doc);
}

/* An engine error: the caller's fault (400) unless memory or the engine. */
static void engine_error(cr_service_response *r, const cr_error *err)
{
    int status = err->code == CR_ERR_NOMEM || err->code == CR_ERR_INTERNAL ? 500 : 400;
    error_answer(r, status, cr_status_name(err->code), err->message, err);
}

/* A template of the folder that could not be had: 404 when there is no
 * such file (or the name is no name), else the loader's error. */
static void template_failed(cr_service_response *r, const char *name, bool missing,
                            const cr_error *err)
{
    if (!missing) {
        engine_error(r, err);
        return;
    }
    char message[400];
    snprintf(message, sizeof message, "no template \"%.200s\" in the templates folder", name);
    error_answer(r, 404, "not_found", message, NULL);
}

/* 400: the request itself is wrong (not its template, record or photo). */
__attribute__((format(printf, 2, 3))) static void bad_request(cr_service_response *r,
                                                              const char *format, ...)
{
    char message[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    error_answer(r, 400, "request", message, NULL);
}

/* ------------------------------------------------------------- requests */

/* What a POST asks for, parsed from its JSON. */
typedef struct card_request {
    json_t *body;
    stored_template *stored; /* a named template */
    cr_template *inline_tpl; /* or one given in the request */
    const cr_template *tpl;
    cr_record *record; /* NULL: none given */
    int dpi;
    bool proof;
    cr_panel panel;
} card_request;

static void card_request_free(card_request *q)
{
    json_decref(q->body);
    stored_unref(q->stored);
    cr_template_destroy(q->inline_tpl);
    cr_record_destroy(q->record);
}

static bool parse_body(const cr_service_request *in, card_request *q, cr_service_response *r)
{
    json_error_t error;
    q->body = json_loadb((const char *)in->body, in->length, JSON_REJECT_DUPLICATES, &error);
    if (!q->body) {
        char message[400];
        snprintf(message, sizeof message, "request body:%d:%d: %s", error.line, error.column,
                 error.text);
        cr_error where = {.line = error.line, .column = error.column, .field_index = -1};
        error_answer(r, 400, "syntax", message, &where);
        return false;
    }
    if (!json_is_object(q->body)) {
        bad_request(r, "the request body must be a JSON object");
        return false;
    }
    return true;
}

/* A template given in the request: its JSON text, loaded as a file of the
 * templates folder would be (what it extends or includes, its art and
 * fonts are read there), named "<request template>" in messages, whose
 * lines and columns are the text's. */
static bool take_template_text(cr_service *s, card_request *q, const char *text, size_t length,
                               cr_service_response *r)
{
    cr_error err;
    q->inline_tpl = cr_template_load_memory(s->engine, text, length, REQUEST_TEMPLATE,
                                            s->config.templates_dir, &err);
    if (!q->inline_tpl) {
        engine_error(r, &err);
        return false;
    }
    q->tpl = q->inline_tpl;
    return true;
}

static bool take_template(cr_service *s, card_request *q, cr_service_response *r)
{
    json_t *value = json_object_get(q->body, "template");
    json_t *text = json_object_get(q->body, "template_text");
    if (!value && json_is_string(text))
        return take_template_text(s, q, json_string_value(text), json_string_length(text), r);
    cr_error err;
    if (json_is_string(value)) {
        const char *name = json_string_value(value);
        if (!valid_name(name)) {
            bad_request(r,
                        "\"template\": \"%s\" is not a template name (letters, digits, '.', '_' "
                        "and '-'; never a path)",
                        name);
            return false;
        }
        bool missing;
        q->stored = find_template(s, name, &missing, &err);
        if (!q->stored) {
            template_failed(r, name, missing, &err);
            return false;
        }
        q->tpl = q->stored->tpl;
        return true;
    }
    if (json_is_object(value)) {
        char *dumped = json_dumps(value, JSON_PRESERVE_ORDER);
        bool ok = dumped && take_template_text(s, q, dumped, strlen(dumped), r);
        if (!dumped)
            set_body(r, 500, "application/json", strdup(out_of_memory_body));
        free(dumped);
        return ok;
    }
    bad_request(r, "give \"template\" (a template's name or a template, a JSON object) or "
                   "\"template_text\" (a template's JSON as a string)");
    return false;
}

static bool take_images(card_request *q, cr_service_response *r)
{
    json_t *images = json_object_get(q->body, "images");
    if (!images)
        return true;
    if (!json_is_object(images)) {
        bad_request(r, "\"images\" must be an object of record keys and base64 image bytes");
        return false;
    }
    const char *key;
    json_t *value;
    json_object_foreach(images, key, value)
    {
        if (!json_is_string(value)) {
            bad_request(r, "\"images\": \"%s\" must be a string of base64 image bytes", key);
            return false;
        }
        const char *b64 = json_string_value(value);
        size_t b64_length = json_string_length(value), length = 0;
        unsigned char *bytes = malloc(b64_length / 4 * 3 + 3);
        if (!bytes) {
            set_body(r, 500, "application/json", strdup(out_of_memory_body));
            return false;
        }
        const char *end = NULL;
        if (sodium_base642bin(bytes, b64_length / 4 * 3 + 3, b64, b64_length, " \r\n\t", &length,
                              &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
            end != b64 + b64_length) {
            free(bytes);
            bad_request(r,
                        "\"images\": \"%.100s\": not base64 (RFC 4648, with padding): bad from "
                        "character %zu",
                        key, (size_t)((end ? end : b64) - b64));
            return false;
        }
        cr_error err;
        cr_status status = cr_record_set_image(q->record, key, bytes, length, &err);
        free(bytes);
        if (status != CR_OK) {
            engine_error(r, &err);
            return false;
        }
    }
    return true;
}

/* Without an assets folder a record may not name a photo file: the
 * service reads no file a request names. An image field's bound key with a
 * value (a path) and no bytes in "images" is refused. */
static bool photos_from_request_only(cr_service *s, card_request *q, cr_service_response *r)
{
    if (s->config.assets_dir || !q->record)
        return true;
    json_t *images = json_object_get(q->body, "images");
    size_t n = cr_template_field_count(q->tpl);
    for (size_t i = 0; i < n; i++) {
        cr_field_info f;
        if (cr_template_field(q->tpl, i, &f) != CR_OK || !f.bind || strcmp(f.type, "image") ||
            !cr_record_get(q->record, f.bind) || json_object_get(images, f.bind))
            continue;
        bad_request(r,
                    "record key \"%s\": an image field shows it, but this service reads photos "
                    "only from the request's \"images\" (start it with --assets DIR to allow "
                    "paths)",
                    f.bind);
        return false;
    }
    return true;
}

static bool take_record(cr_service *s, card_request *q, cr_service_response *r)
{
    json_t *record = json_object_get(q->body, "record");
    json_t *images = json_object_get(q->body, "images");
    if (!record && !images)
        return true;
    if (record && !json_is_object(record)) {
        bad_request(r, "\"record\" must be a JSON object of strings");
        return false;
    }
    size_t limit = s->config.max_record_keys ? s->config.max_record_keys : DEFAULT_MAX_KEYS;
    if (json_object_size(record) > limit || json_object_size(images) > limit) {
        bad_request(r, "the record has more than %zu keys", limit);
        return false;
    }
    cr_error err;
    q->record = cr_record_create(REQUEST_RECORD, &err);
    if (!q->record) {
        engine_error(r, &err);
        return false;
    }
    const char *key;
    json_t *value;
    json_object_foreach(record, key, value)
    {
        if (!json_is_string(value)) {
            bad_request(r, "record key \"%s\": the value must be a string", key);
            return false;
        }
        if (cr_record_set(q->record, key, json_string_value(value), &err) != CR_OK) {
            engine_error(r, &err);
            return false;
        }
    }
    return take_images(q, r) && photos_from_request_only(s, q, r);
}

static bool take_options(card_request *q, cr_service_response *r)
{
    json_t *dpi = json_object_get(q->body, "dpi");
    if (dpi && !json_is_null(dpi)) {
        if (!json_is_integer(dpi) || json_integer_value(dpi) < CR_DPI_MIN ||
            json_integer_value(dpi) > CR_DPI_MAX) {
            bad_request(r, "\"dpi\" must be a whole number from %d to %d", CR_DPI_MIN, CR_DPI_MAX);
            return false;
        }
        q->dpi = (int)json_integer_value(dpi);
    }
    json_t *proof = json_object_get(q->body, "proof");
    if (proof && !json_is_boolean(proof)) {
        bad_request(r, "\"proof\" must be true or false");
        return false;
    }
    q->proof = json_is_true(proof);
    json_t *panel = json_object_get(q->body, "panel");
    q->panel = CR_PANEL_COLOR;
    if (panel) {
        const char *name = json_is_string(panel) ? json_string_value(panel) : "";
        bool known = false;
        for (int p = 0; p < CR_PANEL_COUNT && !known; p++)
            if (!strcmp(name, cr_panel_name((cr_panel)p)))
                q->panel = (cr_panel)p, known = true;
        if (!known) {
            bad_request(r, "\"panel\" must be \"color\", \"k\" or \"overlay\"");
            return false;
        }
    }
    return true;
}

/* Parses a POST body into q; false with the answer in r. */
static bool read_card_request(cr_service *s, const cr_service_request *in, card_request *q,
                              cr_service_response *r)
{
    memset(q, 0, sizeof *q);
    return parse_body(in, q, r) && take_template(s, q, r) && take_options(q, r) &&
           take_record(s, q, r);
}

/* --------------------------------------------------------------- fields */

static json_t *fields_json(const cr_template *tpl)
{
    json_t *list = json_array();
    size_t n = cr_template_field_count(tpl);
    for (size_t i = 0; i < n; i++) {
        cr_field_info f;
        if (cr_template_field(tpl, i, &f) != CR_OK)
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "index", json_integer((json_int_t)i));
        json_object_set_new(o, "name", text_or_null(f.name));
        json_object_set_new(o, "type", text_or_null(f.type));
        json_object_set_new(o, "box_mm",
                            json_pack("[f, f, f, f]", f.x_mm, f.y_mm, f.width_mm, f.height_mm));
        json_object_set_new(o, "bind", text_or_null(f.bind));
        json_object_set_new(o, "optional", json_boolean(f.optional));
        json_object_set_new(o, "file", text_or_null(f.file));
        json_object_set_new(o, "line", number_or_null(f.line));
        json_object_set_new(o, "column", number_or_null(f.column));
        json_array_append_new(list, o);
    }
    return list;
}

static json_t *template_json(const char *name, const cr_template *tpl)
{
    double width, height, radius;
    cr_template_card_mm(tpl, &width, &height, &radius);
    json_t *o = json_object();
    if (name)
        json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "card",
                        json_pack("{s:f, s:f, s:f, s:i}", "width_mm", width, "height_mm", height,
                                  "corner_radius_mm", radius, "dpi", cr_template_dpi(tpl)));
    json_object_set_new(o, "fields", fields_json(tpl));
    return o;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The folder's template names (NAME.json files), sorted; NULL on failure. */
static char **folder_names(const cr_service *s, size_t *count)
{
    DIR *dir = opendir(s->config.templates_dir);
    if (!dir)
        return NULL;
    char **names = NULL;
    size_t capacity = 0;
    *count = 0;
    bool ok = true;
    for (struct dirent *e; ok && (e = readdir(dir));) {
        size_t n = strlen(e->d_name);
        if (n <= 5 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        char *name = strndup(e->d_name, n - 5);
        ok = name && cr_reserve((void **)&names, &capacity, *count + 1, sizeof *names);
        if (ok && valid_name(name))
            names[(*count)++] = name;
        else
            free(name);
    }
    closedir(dir);
    if (!ok) {
        for (size_t i = 0; i < *count; i++)
            free(names[i]);
        free(names);
        return NULL;
    }
    if (*count)
        qsort(names, *count, sizeof *names, compare_names);
    return names ? names : calloc(1, sizeof *names);
}

static void list_templates(cr_service *s, cr_service_response *r)
{
    size_t count = 0;
    char **names = folder_names(s, &count);
    if (!names) {
        error_answer(r, 500, "io", "cannot read the templates folder", NULL);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < count; i++) {
        cr_error err;
        bool missing;
        stored_template *t = find_template(s, names[i], &missing, &err);
        if (t) {
            json_array_append_new(list, template_json(names[i], t->tpl));
        } else {
            json_t *e = json_pack("{s:s, s:o}", "code", cr_status_name(err.code), "message",
                                  tool_json_text(err.message));
            json_array_append_new(list, json_pack("{s:s, s:o}", "name", names[i], "error", e));
        }
        stored_unref(t);
        free(names[i]);
    }
    free(names);
    json_answer(r, 200, json_pack("{s:o}", "templates", list));
}

static void show_template(cr_service *s, const char *name, cr_service_response *r)
{
    cr_error err;
    bool missing = true;
    stored_template *t = valid_name(name) ? find_template(s, name, &missing, &err) : NULL;
    if (!t) {
        template_failed(r, name, missing, &err);
        return;
    }
    json_t *o = template_json(name, t->tpl);
    json_object_set_new(o, "json", json_stringn(t->text, t->text_length));
    stored_unref(t);
    json_answer(r, 200, o);
}

/* ------------------------------------------------------------ the cards */

static cr_image *render_card(cr_service *s, const card_request *q, cr_error *err)
{
    if (q->proof) {
        cr_proof_options options;
        cr_proof_options_init(&options);
        options.dpi = q->dpi;
        options.asset_dir = s->config.assets_dir;
        return cr_render_proof(s->engine, q->tpl, q->record, &options, err);
    }
    cr_render_options options;
    cr_render_options_init(&options);
    options.dpi = q->dpi;
    options.asset_dir = s->config.assets_dir;
    options.max_image_pixels = s->config.max_image_pixels;
    return cr_render(s->engine, q->tpl, q->record, &options, err);
}

static void answer_render(cr_service *s, const card_request *q, cr_service_response *r)
{
    cr_error err;
    cr_image *image = render_card(s, q, &err);
    if (!image) {
        engine_error(r, &err);
        return;
    }
    const cr_image *panel = cr_image_panel(image, q->panel);
    if (!panel) {
        cr_image_destroy(image);
        bad_request(r, "the card has no %s panel", cr_panel_name(q->panel));
        return;
    }
    cr_write_options options;
    cr_write_options_init(&options);
    options.threads = s->config.png_threads > 0 ? s->config.png_threads : 1;
    uint8_t *png = NULL;
    size_t size = 0;
    cr_status status = cr_image_write_png_memory_with(panel, &png, &size, &options, &err);
    cr_image_destroy(image);
    if (status != CR_OK) {
        engine_error(r, &err);
        return;
    }
    r->status = 200;
    r->content_type = "image/png";
    r->body = png;
    r->length = size;
    r->body_is_library_memory = true;
}

static void add_finding(void *data, const cr_finding *f)
{
    json_array_append_new(data, tool_finding_json(f));
}

static void answer_check(cr_service *s, const card_request *q, cr_service_response *r)
{
    cr_check_options options;
    cr_check_options_init(&options);
    options.dpi = q->dpi;
    options.asset_dir = s->config.assets_dir;
    options.max_image_pixels = s->config.max_image_pixels;
    options.finding = add_finding;
    json_t *findings = json_array();
    options.finding_data = findings;
    cr_error err;
    bool ok = cr_check(s->engine, q->tpl, NULL, &options, NULL, &err) == CR_OK &&
              (!q->record || cr_check(s->engine, q->tpl, q->record, &options, NULL, &err) == CR_OK);
    if (!ok) {
        json_decref(findings);
        engine_error(r, &err);
        return;
    }
    json_answer(r, 200,
                json_pack("{s:I, s:o}", "count", (json_int_t)json_array_size(findings), "findings",
                          findings));
}

static void answer_layout(cr_service *s, const card_request *q, cr_service_response *r)
{
    int dpi = q->dpi ? q->dpi : cr_template_dpi(q->tpl);
    const char *name = q->stored ? q->stored->name : REQUEST_TEMPLATE;
    json_t *doc = cr_layout_document(s->engine, q->tpl, q->record, name,
                                     q->record ? REQUEST_RECORD : NULL, dpi);
    if (!doc) {
        set_body(r, 500, "application/json", strdup(out_of_memory_body));
        return;
    }
    json_answer(r, 200, doc);
}

static void answer_fields(const card_request *q, cr_service_response *r)
{
    json_answer(r, 200, template_json(q->stored ? q->stored->name : NULL, q->tpl));
}

/* --------------------------------------------------------------- routing */

typedef enum { POST_RENDER, POST_CHECK, POST_LAYOUT, POST_FIELDS } post_kind;

static bool is_json_media_type(const char *type)
{
    if (!type)
        return false;
    size_t n = strcspn(type, "; ");
    return n == strlen("application/json") && strncasecmp(type, "application/json", n) == 0;
}

static void answer_post(cr_service *s, post_kind kind, const cr_service_request *in,
                        cr_service_response *r)
{
    if (!is_json_media_type(in->content_type)) {
        error_answer(r, 415, "media_type", "the body must be application/json", NULL);
        return;
    }
    bool took = in->place == CR_SERVICE_PLACE_TAKE && cr_service_admit(s);
    if (in->place == CR_SERVICE_PLACE_REFUSED || (in->place == CR_SERVICE_PLACE_TAKE && !took)) {
        error_answer(r, 503, "busy", "too many requests at once: try again", NULL);
        return;
    }
    card_request q;
    if (read_card_request(s, in, &q, r)) {
        if (kind == POST_RENDER)
            answer_render(s, &q, r);
        else if (kind == POST_CHECK)
            answer_check(s, &q, r);
        else if (kind == POST_LAYOUT)
            answer_layout(s, &q, r);
        else
            answer_fields(&q, r);
    }
    card_request_free(&q);
    if (took)
        atomic_fetch_sub(&s->in_flight, 1);
}

bool cr_service_admit(cr_service *s)
{
    int limit = s->config.max_requests > 0 ? s->config.max_requests : DEFAULT_MAX_REQUESTS;
    if (atomic_fetch_add(&s->in_flight, 1) < limit)
        return true;
    atomic_fetch_sub(&s->in_flight, 1);
    return false;
}

static const cr_service_file *find_file(const cr_service *s, const char *path)
{
    for (const cr_service_file *f = s->config.files; f && f->path; f++)
        if (!strcmp(f->path, path))
            return f;
    return NULL;
}

static void answer_file(const cr_service_file *f, cr_service_response *r)
{
    uint8_t *copy = malloc(f->length ? f->length : 1);
    if (!copy) {
        set_body(r, 500, "application/json", strdup(out_of_memory_body));
        return;
    }
    memcpy(copy, f->bytes, f->length);
    r->status = 200;
    r->content_type = f->content_type;
    r->body = copy;
    r->length = f->length;
    r->body_is_library_memory = false;
}

static bool authorized(const cr_service *s, const cr_service_request *in)
{
    const char *token = s->config.token;
    if (!token || in->loopback)
        return true;
    const char *given = in->authorization;
    if (!given || strncasecmp(given, "Bearer ", 7) != 0)
        return false;
    given += 7;
    size_t n = strlen(token);
    return strlen(given) == n && sodium_memcmp(given, token, n) == 0;
}

static const struct {
    const char *path;
    post_kind kind;
} posts[] = {{"/v1/render", POST_RENDER},
             {"/v1/check", POST_CHECK},
             {"/v1/layout", POST_LAYOUT},
             {"/v1/fields", POST_FIELDS}};

static bool is_get(const cr_service_request *in)
{
    return !strcmp(in->method, "GET") || !strcmp(in->method, "HEAD");
}

static void route(cr_service *s, const cr_service_request *in, cr_service_response *r)
{
    bool get = is_get(in), post = !strcmp(in->method, "POST");
    for (size_t i = 0; i < sizeof posts / sizeof posts[0]; i++)
        if (!strcmp(in->path, posts[i].path)) {
            if (post)
                answer_post(s, posts[i].kind, in, r);
            else
                error_answer(r, 405, "method", "use POST", NULL);
            return;
        }
    if (!get) {
        error_answer(r, post ? 404 : 405, post ? "not_found" : "method",
                     post ? "no such resource" : "use GET or POST", NULL);
        return;
    }
    if (!strcmp(in->path, "/v1/templates"))
        list_templates(s, r);
    else if (!strncmp(in->path, "/v1/templates/", 14))
        show_template(s, in->path + 14, r);
    else
        error_answer(r, 404, "not_found", "no such resource", NULL);
}

static void answer_request(cr_service *s, const cr_service_request *in, cr_service_response *r)
{
    const cr_service_file *f =
        is_get(in) ? find_file(s, !strcmp(in->path, "/") ? "/studio/index.html" : in->path) : NULL;
    if (f) { /* the page and the schemas: no secret in them, and the page asks for the token */
        answer_file(f, r);
        return;
    }
    if (!authorized(s, in)) {
        error_answer(r, 401, "unauthorized",
                     "a client other than this machine needs \"Authorization: Bearer TOKEN\"",
                     NULL);
        return;
    }
    if (in->body_too_large) {
        char message[128];
        snprintf(message, sizeof message, "the body is larger than %zu bytes",
                 cr_service_max_body(s));
        error_answer(r, 413, "too_large", message, NULL);
        return;
    }
    route(s, in, r);
}

void cr_service_handle(cr_service *s, const cr_service_request *in, cr_service_response *r)
{
    memset(r, 0, sizeof *r);
    answer_request(s, in, r);
    if (in->place == CR_SERVICE_PLACE_HELD) /* whatever the answer was */
        atomic_fetch_sub(&s->in_flight, 1);
}

void cr_service_body_append(cr_service_body *b, const void *data, size_t size, size_t max)
{
    if (b->too_large || size > max - b->length ||
        !cr_reserve((void **)&b->data, &b->capacity, b->length + size, 1)) {
        b->too_large = true;
        return;
    }
    memcpy(b->data + b->length, data, size);
    b->length += size;
}

void cr_service_body_free(cr_service_body *b)
{
    free(b->data);
    *b = (cr_service_body){0};
}

void cr_service_response_free(cr_service_response *r)
{
    if (r->body_is_library_memory)
        cr_free(r->body);
    else
        free(r->body);
    r->body = NULL;
}

size_t cr_service_max_body(const cr_service *s)
{
    return s->config.max_body_bytes ? s->config.max_body_bytes : DEFAULT_MAX_BODY;
}

/* ----------------------------------------------------------- lifecycle */

cr_service *cr_service_create(cr_engine *engine, const cr_service_config *config, cr_error *err)
{
    memset(err, 0, sizeof *err);
    err->line = err->column = err->field_index = -1;
    DIR *dir = config->templates_dir ? opendir(config->templates_dir) : NULL;
    if (!dir) {
        err->code = CR_ERR_IO;
        snprintf(err->message, sizeof err->message, "%s: cannot open the templates folder: %s",
                 config->templates_dir ? config->templates_dir : "(none)", strerror(errno));
        return NULL;
    }
    closedir(dir);
    cr_service *s = calloc(1, sizeof *s);
    if (!s || sodium_init() < 0) {
        free(s);
        err->code = CR_ERR_NOMEM;
        snprintf(err->message, sizeof err->message, "out of memory");
        return NULL;
    }
    s->engine = cr_engine_ref(engine);
    s->config = *config;
    pthread_mutex_init(&s->lock, NULL);
    atomic_init(&s->in_flight, 0);
    return s;
}

void cr_service_destroy(cr_service *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->store_count; i++)
        stored_unref(s->store[i]);
    free(s->store);
    pthread_mutex_destroy(&s->lock);
    cr_engine_destroy(s->engine);
    free(s);
}
