/* Where a batch writes: output names from a pattern over record fields, one
 * name per record in a batch, and the checks --resume relies on (a complete
 * PNG under its final name; temporaries a killed run left behind). */
#ifndef CR_BATCH_OUTPUT_H
#define CR_BATCH_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "cardrender.h"

/* ------------------------------------------------------- name patterns */

/* A file name pattern: literal text, {key} (the record's value for key) and
 * {#} (the 1-based record number, zero-padded to 6 digits). It must end in
 * ".png" and hold no '/'; '{' and '}' only delimit placeholders. */
typedef struct cr_name_pattern cr_name_pattern;

#define CR_DEFAULT_NAME_PATTERN "{#}.png"

/* NULL with err (CR_ERR_ARGUMENT, saying what is wrong) for a bad pattern. */
cr_name_pattern *cr_name_pattern_parse(const char *pattern, cr_error *err);
void cr_name_pattern_destroy(cr_name_pattern *pattern);

/* True when the pattern uses a record key, so a record that could not be
 * read has no name. */
bool cr_name_pattern_uses_keys(const cr_name_pattern *pattern);

/* The file name for record `number` (record may be NULL when the pattern
 * uses no key) as a new string. Values are made safe for a file name: '/',
 * '\' and control characters become '_', as does a leading '.'. A missing
 * or empty value, or a name longer than 255 bytes, is CR_ERR_RECORD naming
 * the key. */
cr_status cr_name_pattern_expand(const cr_name_pattern *pattern, long number,
                                 const cr_record *record, char **name, cr_error *err);

/* ----------------------------------------------------------- name set */

/* The names a batch has given out, each with the record that took it. */
typedef struct cr_name_set cr_name_set;

cr_name_set *cr_name_set_create(void);
void cr_name_set_destroy(cr_name_set *set);

/* Adds name for record `number`: true, or false when the name was taken
 * (*holder: the record that has it) or memory ran out (*holder: 0). */
bool cr_name_set_add(cr_name_set *set, const char *name, long number, long *holder);

/* --------------------------------------------------------- the folder */

/* True when path is a whole card as the engine writes it: a regular file
 * (not a symbolic link, FIFO or device), the PNG signature, every chunk
 * whole with its CRC, IHDR first, the IDAT stream inflating (its Adler-32
 * checked) to exactly the image's rows, IEND last and nothing after. Else
 * false with the reason in why ("a chunk's CRC is wrong", ...). */
bool cr_png_file_verify(const char *path, char *why, size_t why_size);

/* True for the name of a temporary that cr_image_write_png_file makes
 * beside "NAME.png" ("NAME.png.XXXXXX.tmp", "NAME.png.PID-N.tmp"). */
bool cr_is_png_temporary_name(const char *name);

/* Deletes the temporaries (above) in dir that a killed run left; *removed
 * counts them. CR_ERR_IO naming dir or the file when that fails. */
cr_status cr_remove_png_temporaries(const char *dir, size_t *removed, cr_error *err);

/* Creates dir and its missing parents (like mkdir -p); CR_ERR_IO naming
 * the folder that cannot be made. */
cr_status cr_make_folder(const char *dir, cr_error *err);

#endif
