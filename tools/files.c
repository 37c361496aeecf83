/* Holds tools/files.h's declarations to the library's own: a difference in
 * signature is a compile error here. */
#include "files.h"

#include "paths.h"
#include "text.h"
