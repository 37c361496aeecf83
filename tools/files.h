/* Files for the CLI, which sees only cardrender.h and tools/: paths, UTF-8,
 * the JSON the tools print (a text that may not be UTF-8, a finding),
 * standard input and output, folders synced. The tools' own names for
 * what the library does inside (tools/files.c calls the library's internal
 * functions; the CLI never declares those itself). */
#ifndef CR_TOOLS_FILES_H
#define CR_TOOLS_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "cardrender.h"

/* The folder part of path: "a/b/c.json" -> "a/b", "c.json" -> ".", "/c" ->
 * "/". A new string, NULL when out of memory. */
char *tool_path_folder(const char *path);

/* folder/name as a new string (NULL when out of memory). A folder of "." is
 * left out, so messages read "photo.jpg" rather than "./photo.jpg". */
char *tool_path_join(const char *folder, const char *name);

/* True when text[0..length) is well-formed UTF-8 (no overlongs, surrogates
 * or values above U+10FFFF); otherwise *bad_offset is the first bad byte. */
bool tool_utf8_valid(const char *text, size_t length, size_t *bad_offset);

/* A JSON string of text, which may not be UTF-8 (a path from the command
 * line or the disk, a message quoting a bad byte of a record, a message cut
 * short in the middle of a character): the bad bytes become '?', so a JSON
 * line always holds every key. NULL only when out of memory. */
json_t *tool_json_text(const char *text);

/* A finding as `check --json` prints it and the service's /v1/check
 * answers: {"subject", "kind", "field_index", "field", "file", "line",
 * "column", "message", "text"}, unknown parts null. */
json_t *tool_finding_json(const cr_finding *finding);

/* The name messages give standard input and output. */
#define TOOL_STDIN_NAME "<stdin>"
#define TOOL_STDOUT_NAME "<stdout>"

/* A record read from standard input to its end, as cr_record_load_memory_with
 * reads one (options may be NULL), named TOOL_STDIN_NAME; its photos are
 * read against the working folder unless the render says otherwise. */
cr_record *tool_record_load_stdin(const cr_record_options *options, cr_error *err);

/* image's PNG (cr_image_write_png_memory) written to standard output, in
 * place as the library writes a FIFO: every byte or CR_ERR_IO naming
 * TOOL_STDOUT_NAME (a reader that went away: "Broken pipe", no SIGPIPE);
 * with options->fsync, synced when standard output is a file. options may
 * be NULL. */
cr_status tool_write_png_stdout(const cr_image *image, const cr_write_options *options,
                                cr_error *err);

/* Flushes folder's entries to the disk (fsync); CR_ERR_IO naming it. */
cr_status tool_sync_folder(const char *folder, cr_error *err);

#endif
