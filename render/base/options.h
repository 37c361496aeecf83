/* Options structs that can grow (cardrender.h: struct_size). A public
 * entry point copies the caller's struct over a full one holding the
 * defaults, reading only as many bytes as the caller's struct_size says, and
 * works on that copy from then on: the rest of the library sees a complete
 * struct of the current version and never a caller's shorter one. */
#ifndef CR_OPTIONS_H
#define CR_OPTIONS_H

#include <stddef.h>

#include "cardrender.h"

/* resolved (known_size bytes, its first member a size_t struct_size) holds
 * the defaults; caller (may be NULL: the defaults stay) is the caller's
 * struct. Refuses a struct_size of 0 or one too small to hold it, and a
 * larger struct whose bytes past known_size are not all zero, naming
 * type_name. On success resolved->struct_size is known_size. */
cr_status cr_options_take(void *resolved, size_t known_size, const void *caller,
                          const char *type_name, cr_error *err);

#endif
