/* tools/files.h: the library's internal helpers under the tools' names,
 * and standard input and output for the CLI. */
#include "files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "error.h"
#include "paths.h"
#include "text.h"

char *tool_path_folder(const char *path)
{
    return cr_path_folder(path);
}

char *tool_path_join(const char *folder, const char *name)
{
    return cr_path_join(folder, name);
}

bool tool_utf8_valid(const char *text, size_t length, size_t *bad_offset)
{
    return cr_utf8_valid(text, length, bad_offset);
}

json_t *tool_json_text(const char *text)
{
    json_t *value = json_string(text);
    if (value)
        return value;
    char *copy = strdup(text);
    size_t bad;
    while (copy && !tool_utf8_valid(copy, strlen(copy), &bad))
        copy[bad] = '?';
    value = json_string(copy ? copy : "");
    free(copy);
    return value;
}

static json_t *known_or_null(int value)
{
    return value >= 0 ? json_integer(value) : json_null();
}

static json_t *text_or_null(const char *text)
{
    return text[0] ? tool_json_text(text) : json_null();
}

json_t *tool_finding_json(const cr_finding *f)
{
    json_t *o = json_object();
    json_object_set_new(o, "subject", tool_json_text(f->subject));
    json_object_set_new(o, "kind", json_string(f->kind));
    json_object_set_new(o, "field_index", known_or_null(f->field_index));
    json_object_set_new(o, "field", text_or_null(f->field_name));
    json_object_set_new(o, "file", text_or_null(f->file));
    json_object_set_new(o, "line", known_or_null(f->line));
    json_object_set_new(o, "column", known_or_null(f->column));
    json_object_set_new(o, "message", tool_json_text(f->detail));
    json_object_set_new(o, "text", tool_json_text(f->text));
    return o;
}

/* All of stream into a new buffer (*data, *size); 0 or errno. */
static int read_all(FILE *stream, char **data, size_t *size)
{
    size_t capacity = 64 * 1024;
    *size = 0;
    *data = malloc(capacity);
    while (*data) {
        *size += fread(*data + *size, 1, capacity - *size, stream);
        if (*size < capacity)
            return ferror(stream) ? (errno ? errno : EIO) : 0;
        char *bigger = realloc(*data, capacity * 2);
        if (!bigger)
            break;
        *data = bigger;
        capacity *= 2;
    }
    free(*data);
    *data = NULL;
    return ENOMEM;
}

cr_record *tool_record_load_stdin(const cr_record_options *options, cr_error *err)
{
    char *data;
    size_t size;
    int error_number = read_all(stdin, &data, &size);
    if (error_number) {
        cr_location where = CR_NO_LOCATION;
        where.file = TOOL_STDIN_NAME;
        cr_error_set(err, error_number == ENOMEM ? CR_ERR_NOMEM : CR_ERR_IO, where,
                     "cannot read the record: %s", strerror(error_number));
        free(data);
        return NULL;
    }
    cr_record *record = cr_record_load_memory_with(data, size, TOOL_STDIN_NAME, options, err);
    free(data);
    return record;
}

cr_status tool_write_png_stdout(const cr_image *image, const cr_write_options *options,
                                cr_error *err)
{
    uint8_t *png;
    size_t size;
    cr_status status = cr_image_write_png_memory_with(image, &png, &size, options, err);
    if (status != CR_OK)
        return status;
    cr_atomic_file file;
    cr_atomic_file_adopt(&file, STDOUT_FILENO, options && options->fsync);
    int error_number, commit_errno;
    const char *failed = cr_atomic_file_write(&file, png, size, &error_number);
    const char *commit_failed = cr_atomic_file_commit(&file, !failed, &commit_errno);
    free(png);
    if (failed)
        return cr_atomic_file_error(TOOL_STDOUT_NAME, failed, error_number, err);
    if (commit_failed)
        return cr_atomic_file_error(TOOL_STDOUT_NAME, commit_failed, commit_errno, err);
    return CR_OK;
}

cr_status tool_sync_folder(const char *folder, cr_error *err)
{
    int error_number = cr_sync_folder(folder);
    if (!error_number)
        return CR_OK;
    cr_location where = CR_NO_LOCATION;
    where.file = folder;
    return cr_error_set(err, CR_ERR_IO, where, "cannot sync the folder: %s",
                        strerror(error_number));
}
