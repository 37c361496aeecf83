/* Template composition: "extends" (with "remove_fields" and
 * "override_fields") and {"include": "..."} elements of "fields", merged at
 * the JSON level before the template is validated.
 *
 * The merged document shares its values with the files they were read from.
 * Every value remembers the file it was written in and its path there, so
 * the validator, which walks the merged document, locates each error in the
 * right file with its line and column (cr_composition_locate). */
#ifndef CR_TEMPLATE_COMPOSE_H
#define CR_TEMPLATE_COMPOSE_H

#include <stddef.h>

#include <jansson.h>

#include "cardrender.h"
#include "json_locate.h"

/* "extends" and "include" nest at most this many files below the template. */
#define CR_COMPOSE_MAX_DEPTH 8

typedef struct cr_composition cr_composition;

/* Reads the template at path and every file it extends or includes (paths
 * relative to the folder of the file that names them), checks the
 * composition keys and merges. Errors name the file, line and column: a
 * missing or cyclic file at the "extends" or "include" string that names
 * it, a syntax error in the file that has it. */
cr_composition *cr_compose_file(const char *path, cr_error *err);

/* The same for a template in memory; name is used in messages, dir (not
 * NULL) is the folder its relative paths are read against. */
cr_composition *cr_compose_memory(const char *text, size_t length, const char *name,
                                  const char *dir, cr_error *err);

/* The merged template: "version", "name", "card", "fields" and any other key
 * (for the validator to refuse); the composition keys are gone. Borrowed. */
json_t *cr_composition_root(const cr_composition *doc);

/* The files that took part, the template itself first (index 0). */
size_t cr_composition_source_count(const cr_composition *doc);
const char *cr_composition_source_name(const cr_composition *doc, size_t index);

/* Where a value of the merged document was written. */
typedef struct cr_source_place {
    size_t source;    /* index of the file */
    const char *file; /* its path: the template's folder joined with the names */
    const char *dir;  /* its folder: relative paths written in it read from here */
    int line, column; /* 1-based; 0 when the path leads nowhere */
} cr_source_place;

/* The file, line and column of the value (or key) at path in the merged
 * document, as cr_json_locate finds them in a single file. */
cr_source_place cr_composition_locate(const cr_composition *doc, const cr_json_step *path,
                                      size_t depth, cr_json_target target);

void cr_composition_free(cr_composition *doc);

#endif
