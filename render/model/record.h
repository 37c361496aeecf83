/* Records: one person's data, a JSON object of strings read from a file or
 * from memory (cr_record_load_file, cr_record_load_memory in cardrender.h).
 * Keys keep the order they were written in; the model's other half beside
 * the template (template.h), which a field binds into by key. */
#ifndef CR_RECORD_H
#define CR_RECORD_H

#include <stddef.h>

#include "cardrender.h"

struct cr_record {
    char *path; /* for messages */
    char *dir;  /* the record file's folder; NULL when read from memory */
    char **keys;
    char **values;
    size_t count;
};

#endif
