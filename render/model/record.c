/* Records: one JSON object of strings, one person's data. */
#include "record.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "encoding.h"
#include "error.h"
#include "options.h"
#include "json_locate.h"
#include "paths.h"

void cr_record_destroy(cr_record *record)
{
    if (!record)
        return;
    for (size_t i = 0; i < record->count; i++) {
        free(record->keys[i]);
        free(record->values[i]);
    }
    free(record->keys);
    free(record->values);
    free(record->path);
    free(record->dir);
    free(record);
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

/* Copies the members of object into record; every value must be a string. */
static cr_status copy_members(cr_record *record, json_t *object, const char *text, size_t length,
                              cr_error *err)
{
    size_t count = json_object_size(object);
    record->keys = calloc(count ? count : 1, sizeof *record->keys);
    record->values = calloc(count ? count : 1, sizeof *record->values);
    if (!record->keys || !record->values)
        return cr_fail(err, CR_ERR_NOMEM, "%s: out of memory", record->path);
    const char *key;
    json_t *value;
    json_object_foreach(object, key, value)
    {
        if (!json_is_string(value)) {
            fail_at(text, length, record->path, key, "must be a string", value, err);
            return CR_ERR_RECORD;
        }
        size_t i = record->count;
        record->keys[i] = strdup(key);
        record->values[i] = strdup(json_string_value(value));
        record->count++; /* counted either way, so destroy frees whichever was copied */
        if (!record->keys[i] || !record->values[i])
            return cr_fail(err, CR_ERR_NOMEM, "%s: out of memory", record->path);
    }
    return CR_OK;
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
    cr_record *record = calloc(1, sizeof *record);
    cr_status status = CR_OK;
    if (!record || !(record->path = strdup(name))) {
        status = cr_fail(err, CR_ERR_NOMEM, "%s: out of memory", name);
    } else if (!json_is_object(root)) {
        fail_at(text, length, name, NULL, "a record must be a JSON object", root, err);
        status = CR_ERR_RECORD;
    } else {
        status = copy_members(record, root, text, length, err);
    }
    json_decref(root);
    if (status != CR_OK) {
        cr_record_destroy(record);
        return NULL;
    }
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
