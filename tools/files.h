/* File names and UTF-8 for the CLI: three of the library's own helpers
 * (render/model/paths.h, render/text/text.h) declared again here, so the
 * CLI, which sees only cardrender.h and tools/, can use them. tools/files.c
 * includes both declarations, so the compiler holds them to one signature. */
#ifndef CR_TOOLS_FILES_H
#define CR_TOOLS_FILES_H

#include <stdbool.h>
#include <stddef.h>

/* The folder part of path: "a/b/c.json" -> "a/b", "c.json" -> ".", "/c" ->
 * "/". A new string, NULL when out of memory. */
char *cr_path_folder(const char *path);

/* folder/name as a new string (NULL when out of memory). A folder of "." is
 * left out, so messages read "photo.jpg" rather than "./photo.jpg". */
char *cr_path_join(const char *folder, const char *name);

/* True when text[0..length) is well-formed UTF-8 (no overlongs, surrogates
 * or values above U+10FFFF); otherwise *bad_offset is the first bad byte. */
bool cr_utf8_valid(const char *text, size_t length, size_t *bad_offset);

#endif
