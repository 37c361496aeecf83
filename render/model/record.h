/* Records: one person's data, a JSON object of strings read from a file or
 * from memory (cr_record_load_file, cr_record_load_memory in cardrender.h),
 * or built key by key (cr_record_create, cr_record_set), with image bytes
 * bound to keys (cr_record_set_image). Keys keep the order they were
 * written in; the model's other half beside the template (template.h),
 * which a field binds into by key. */
#ifndef CR_RECORD_H
#define CR_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cardrender.h"

/* Image bytes a caller bound to a key: an image field bound to the key
 * decodes them instead of reading a file. */
typedef struct cr_record_image {
    char *key;
    uint8_t *data;
    size_t length;
} cr_record_image;

struct cr_record {
    char *path; /* for messages */
    char *dir;  /* the record file's folder; NULL when read from memory */
    char **keys;
    char **values;
    size_t count;
    size_t capacity; /* of keys and values */
    cr_record_image *images;
    size_t image_count, image_capacity;
};

/* An empty record named name (copied) with room for count keys; NULL when
 * out of memory. For readers that fill records themselves. */
cr_record *cr_record_new(const char *name, size_t count);

/* Appends copies of key and value (value_length bytes, NUL added) without
 * looking for an earlier value of key or checking UTF-8 (a reader's input
 * was checked already); false when out of memory. */
bool cr_record_append(cr_record *record, const char *key, const char *value, size_t value_length);

/* The image bytes bound to key, or NULL. */
const cr_record_image *cr_record_image_of(const cr_record *record, const char *key);

#endif
