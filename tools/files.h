/* File names and UTF-8 for the CLI, which sees only cardrender.h and
 * tools/: the tools' own names for what the library does inside
 * (tools/files.c calls the library's internal functions; the CLI never
 * declares those itself). */
#ifndef CR_TOOLS_FILES_H
#define CR_TOOLS_FILES_H

#include <stdbool.h>
#include <stddef.h>

/* The folder part of path: "a/b/c.json" -> "a/b", "c.json" -> ".", "/c" ->
 * "/". A new string, NULL when out of memory. */
char *tool_path_folder(const char *path);

/* folder/name as a new string (NULL when out of memory). A folder of "." is
 * left out, so messages read "photo.jpg" rather than "./photo.jpg". */
char *tool_path_join(const char *folder, const char *name);

/* True when text[0..length) is well-formed UTF-8 (no overlongs, surrogates
 * or values above U+10FFFF); otherwise *bad_offset is the first bad byte. */
bool tool_utf8_valid(const char *text, size_t length, size_t *bad_offset);

#endif
