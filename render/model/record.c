/* Records: one JSON object of strings, one person's data, or one built in
 * memory key by key, with image bytes bound to keys. */
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "array.h"
#include "encoding.h"
#include "error.h"
#include "options.h"
#include "json_locate.h"
#include "paths.h"
#include "text.h"

void cr_record_destroy(cr_record *record)
{
    if (!record)
        return;
    for (size_t i = 0; i < record->count; i++) {
        free(record->keys[i]);
        free(record->values[i]);
    }
    for (size_t i = 0; i < record->image_count; i++) {
        free(record->images[i].key);
        free(record->images[i].data);
    }
    free(record->keys);
    free(record->values);
    free(record->images);
    free(record->path);
    free(record->dir);
    free(record);
}

cr_record *cr_record_new(const char *name, size_t count)
{
    cr_record *record = calloc(1, sizeof *record);
    if (!record)
        return NULL;
    record->path = strdup(name);
    record->keys = calloc(count ? count : 1, sizeof *record->keys);
    record->values = calloc(count ? count : 1, sizeof *record->values);
    record->capacity = count ? count : 1;
    if (!record->path || !record->keys || !record->values) {
        cr_record_destroy(record);
        return NULL;
    }
    return record;
}

/* Room for need keys and values. The two arrays share one capacity: each
 * grows alike, and the capacity is raised once both have. */
static bool reserve_keys(cr_record *record, size_t need)
{
    size_t keys_capacity = record->capacity, values_capacity = record->capacity;
    if (!cr_reserve((void **)&record->keys, &keys_capacity, need, sizeof *record->keys) ||
        !cr_reserve((void **)&record->values, &values_capacity, need, sizeof *record->values))
        return false;
    record->capacity = values_capacity;
    return true;
}

bool cr_record_append(cr_record *record, const char *key, const char *value, size_t value_length)
{
    char *key_copy = strdup(key);
    char *value_copy = strndup(value, value_length);
    if (!key_copy || !value_copy || !reserve_keys(record, record->count + 1)) {
        free(key_copy);
        free(value_copy);
        return false;
    }
    record->keys[record->count] = key_copy;
    record->values[record->count++] = value_copy;
    return true;
}

/* A CR_ERR_RECORD error at the root value (key NULL) or at key's value. */
static void fail_at(const char *text, size_t length, const char *name, const char *key,
                    const char *message, const json_t *value, cr_error *err)
{
    cr_json_step step = CR_JSON_KEY(key);
    cr_json_position pos = {0, 0, 0};
    cr_json_locate(text, length, &step, key ? 1 : 0, CR_JSON_AT_VALUE, &pos);
    cr_location where = {name, pos.line, pos.column, -1, NULL};
    if (key)
        cr_error_set(err, CR_ERR_RECORD, where, "\"%s\" %s, not %s", key, message,
                     cr_json_kind(value, false));
    else
        cr_error_set(err, CR_ERR_RECORD, where, "%s, not %s", message, cr_json_kind(value, false));
}

/* A record of the members of object; every value must be a string. */
static cr_record *record_from_object(json_t *object, const char *text, size_t length,
                                     const char *name, cr_error *err)
{
    const char *key;
    json_t *value;
    json_object_foreach(object, key, value)
    {
        if (!json_is_string(value)) {
            fail_at(text, length, name, key, "must be a string", value, err);
            return NULL;
        }
    }
    cr_record *record = cr_record_new(name, json_object_size(object));
    bool ok = record != NULL;
    json_object_foreach(object, key, value)
    {
        if (ok)
            ok = cr_record_append(record, key, json_string_value(value), json_string_length(value));
    }
    if (!ok) {
        cr_record_destroy(record);
        cr_fail(err, CR_ERR_NOMEM, "%s: out of memory", name);
        return NULL;
    }
    return record;
}

cr_record *cr_record_load_memory(const char *json, size_t length, const char *name, cr_error *err)
{
    cr_error_clear(err);
    if (!json && length > 0) {
        cr_fail(err, CR_ERR_ARGUMENT, "cr_record_load_memory: json is NULL");
        return NULL;
    }
    const char *text = json ? json : "";
    name = name ? name : "<memory>";
    json_t *root = cr_json_parse(text, length, name, CR_ERR_RECORD, err);
    if (!root)
        return NULL;
    cr_record *record = NULL;
    if (!json_is_object(root))
        fail_at(text, length, name, NULL, "a record must be a JSON object", root, err);
    else
        record = record_from_object(root, text, length, name, err);
    json_decref(root);
    return record;
}

void cr_record_options_init(cr_record_options *options)
{
    if (options)
        *options = (cr_record_options){.struct_size = sizeof *options};
}

cr_record *cr_record_load_memory_with(const char *bytes, size_t length, const char *name,
                                      const cr_record_options *caller_options, cr_error *err)
{
    cr_error_clear(err);
    cr_record_options options;
    cr_record_options_init(&options);
    if (cr_options_take(&options, sizeof options, caller_options, "cr_record_options", err) !=
        CR_OK)
        return NULL;
    if (!bytes && length > 0) {
        cr_fail(err, CR_ERR_ARGUMENT, "cr_record_load_memory_with: bytes is NULL");
        return NULL;
    }
    name = name ? name : "<memory>";
    char *text;
    size_t text_length;
    const char *encoding = options.encoding;
    if (cr_decode_text(bytes ? bytes : "", length, encoding, name, &text, &text_length, err) !=
        CR_OK)
        return NULL;
    cr_record *record = cr_record_load_memory(text, text_length, name, err);
    free(text);
    return record;
}

/* Reads path, decoding it as options say when `decode`, else as UTF-8. */
static cr_record *load_file(const char *path, bool decode, const cr_record_options *options,
                            cr_error *err)
{
    cr_error_clear(err);
    if (!path) {
        cr_fail(err, CR_ERR_ARGUMENT, "cr_record_load_file: path is NULL");
        return NULL;
    }
    char *text;
    size_t length;
    if (cr_json_read_file(path, "the file", &text, &length, err) != CR_OK)
        return NULL;
    cr_record *record = decode ? cr_record_load_memory_with(text, length, path, options, err)
                               : cr_record_load_memory(text, length, path, err);
    free(text);
    /* The folder is where the record's photos are looked for by default. */
    if (record && !(record->dir = cr_path_folder(path))) {
        cr_record_destroy(record);
        cr_fail(err, CR_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    return record;
}

cr_record *cr_record_load_file(const char *path, cr_error *err)
{
    return load_file(path, false, NULL, err);
}

cr_record *cr_record_load_file_with(const char *path, const cr_record_options *options,
                                    cr_error *err)
{
    return load_file(path, true, options, err);
}

const char *cr_record_get(const cr_record *record, const char *key)
{
    if (!record || !key)
        return NULL;
    for (size_t i = 0; i < record->count; i++)
        if (record->keys[i] && strcmp(record->keys[i], key) == 0)
            return record->values[i];
    return NULL;
}

/* ------------------------------------------------------------ in memory */

cr_record *cr_record_create(const char *name, cr_error *err)
{
    cr_error_clear(err);
    name = name ? name : "<memory>";
    cr_record *record = cr_record_new(name, 0);
    if (!record)
        cr_fail(err, CR_ERR_NOMEM, "%s: out of memory", name);
    return record;
}

static size_t find_key(const cr_record *record, const char *key)
{
    for (size_t i = 0; i < record->count; i++)
        if (record->keys[i] && strcmp(record->keys[i], key) == 0)
            return i;
    return record->count;
}

/* text as a C string with every byte that is not printable ASCII written
 * \xHH, so a key that is not UTF-8 can be shown in a message. */
static void escape_bytes(const char *text, char *buf, size_t size)
{
    size_t used = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p && used + 5 < size; p++) {
        if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
            buf[used++] = (char)*p;
        else
            used += (size_t)snprintf(buf + used, size - used, "\\x%02X", *p);
    }
    buf[used] = '\0';
}

/* CR_ERR_RECORD unless key (and value, when not NULL) are UTF-8: a caller's
 * bytes are checked here, as a file's are when it is read, so a bad value
 * is named by its key rather than found by a render's layout. */
static cr_status check_utf8(const cr_record *record, const char *key, const char *value,
                            cr_error *err)
{
    cr_location where = {record->path, 0, 0, -1, NULL};
    size_t bad = 0;
    if (!cr_utf8_valid(key, strlen(key), &bad)) {
        char shown[200];
        escape_bytes(key, shown, sizeof shown);
        return cr_error_set(err, CR_ERR_RECORD, where,
                            "record key \"%s\" is not UTF-8: byte 0x%02X at byte offset %zu of "
                            "the key",
                            shown, (unsigned char)key[bad], bad);
    }
    if (value && !cr_utf8_valid(value, strlen(value), &bad))
        return cr_error_set(err, CR_ERR_RECORD, where,
                            "record key \"%s\": the value is not UTF-8: byte 0x%02X at byte "
                            "offset %zu of the value",
                            key, (unsigned char)value[bad], bad);
    return CR_OK;
}

cr_status cr_record_set(cr_record *record, const char *key, const char *value, cr_error *err)
{
    cr_error_clear(err);
    if (!record || !key || !value)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_record_set needs a record, a key and a value");
    cr_status status = check_utf8(record, key, value, err);
    if (status != CR_OK)
        return status;
    size_t i = find_key(record, key);
    if (i == record->count) {
        if (!cr_record_append(record, key, value, strlen(value)))
            return cr_fail(err, CR_ERR_NOMEM, "%s: out of memory", record->path);
        return CR_OK;
    }
    char *copy = strdup(value);
    if (!copy)
        return cr_fail(err, CR_ERR_NOMEM, "%s: out of memory", record->path);
    free(record->values[i]);
    record->values[i] = copy;
    return CR_OK;
}

const cr_record_image *cr_record_image_of(const cr_record *record, const char *key)
{
    if (!record || !key)
        return NULL;
    for (size_t i = 0; i < record->image_count; i++)
        if (strcmp(record->images[i].key, key) == 0)
            return &record->images[i];
    return NULL;
}

/* The slot for key's image: the one it has, or a new one (key copied). */
static cr_record_image *image_slot(cr_record *record, const char *key)
{
    cr_record_image *image = (cr_record_image *)cr_record_image_of(record, key);
    if (image)
        return image;
    char *copy = strdup(key);
    if (!copy || !cr_reserve((void **)&record->images, &record->image_capacity,
                             record->image_count + 1, sizeof *record->images)) {
        free(copy);
        return NULL;
    }
    image = &record->images[record->image_count++];
    *image = (cr_record_image){copy, NULL, 0};
    return image;
}

cr_status cr_record_set_image(cr_record *record, const char *key, const void *data, size_t length,
                              cr_error *err)
{
    cr_error_clear(err);
    if (!record || !key || !data)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_record_set_image needs a record, a key and data");
    cr_status status = check_utf8(record, key, NULL, err);
    if (status != CR_OK)
        return status;
    uint8_t *copy = malloc(length ? length : 1);
    cr_record_image *image = copy ? image_slot(record, key) : NULL;
    if (!image) {
        free(copy);
        return cr_fail(err, CR_ERR_NOMEM, "%s: out of memory for %zu bytes of record key \"%s\"",
                       record->path, length, key);
    }
    memcpy(copy, data, length);
    free(image->data);
    image->data = copy;
    image->length = length;
    return CR_OK;
}
