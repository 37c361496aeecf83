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

/* Joins `name`, a path taken from a record, to the asset folder `base` into
 * *out (a new string: base/name, for messages). Refused with CR_ERR_RECORD
 * and a message (no location) when name is absolute or climbs out of base
 * by "..". Links are judged when the file is opened (cr_asset_open). */
cr_status cr_asset_path(const char *base, const char *name, char **out, cr_error *err);

/* Opens the file `name` names beneath the asset folder `base`: *fd (the
 * caller closes it) and *path as cr_asset_path gives it. Refused as
 * cr_asset_path refuses, and with CR_ERR_RECORD when a symbolic link on the
 * way leads out of base, however the links change meanwhile (the kernel
 * checks as it opens: input_file.h); CR_ERR_IO, naming *path, when the file
 * is missing, unreadable or not a regular file (a FIFO is refused without
 * waiting), or when base itself cannot be used. */
cr_status cr_asset_open(const char *base, const char *name, int *fd, char **path, cr_error *err);

#endif
