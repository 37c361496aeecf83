/* File paths for templates, records and the pictures they name: folders,
 * joining, and the rule that keeps a record's photo inside its asset folder. */
#ifndef CR_PATHS_H
#define CR_PATHS_H

#include "cardrender.h"

/* The folder part of path: "a/b/c.json" -> "a/b", "c.json" -> ".", "/c" ->
 * "/". A new string, NULL when out of memory. */
char *cr_path_folder(const char *path);

/* folder/name as a new string (NULL when out of memory). A folder of "." is
 * left out, so messages read "photo.jpg" rather than "./photo.jpg". */
char *cr_path_join(const char *folder, const char *name);

/* Resolves `name`, a path taken from a record, against the asset folder
 * `base` into *out (a new string: base/name). Refused with CR_ERR_RECORD and
 * a message (no location) when name is absolute or leads out of base, by
 * ".." or by a symbolic link; CR_ERR_IO when base itself cannot be used.
 * A name that does not exist passes: reading it reports that. */
cr_status cr_asset_path(const char *base, const char *name, char **out, cr_error *err);

#endif
