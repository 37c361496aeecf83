#include <string.h>

#include "error.h"
#include "options.h"

static bool all_zero(const unsigned char *bytes, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if (bytes[i])
            return false;
    return true;
}

cr_status cr_options_take(void *resolved, size_t known_size, const void *caller,
                          const char *type_name, cr_error *err)
{
    memcpy(resolved, &known_size, sizeof known_size);
    if (!caller)
        return CR_OK;
    size_t caller_size;
    memcpy(&caller_size, caller, sizeof caller_size);
    if (caller_size == 0)
        return cr_fail(err, CR_ERR_ARGUMENT,
                       "%s: struct_size is 0: start from %s_init (or set struct_size to its size)",
                       type_name, type_name);
    if (caller_size < sizeof caller_size)
        return cr_fail(err, CR_ERR_ARGUMENT, "%s: struct_size %zu is too small", type_name,
                       caller_size);
    /* Options a newer header has and this library lacks: harmless when
     * unset, refused when set, since they would be ignored silently. */
    if (caller_size > known_size &&
        !all_zero((const unsigned char *)caller + known_size, caller_size - known_size))
        return cr_fail(err, CR_ERR_ARGUMENT,
                       "%s: the caller sets options this library (%s, %zu bytes of options) "
                       "does not have (struct_size %zu)",
                       type_name, CR_VERSION_STRING, known_size, caller_size);
    size_t taken = caller_size < known_size ? caller_size : known_size;
    memcpy((unsigned char *)resolved + sizeof known_size,
           (const unsigned char *)caller + sizeof known_size, taken - sizeof known_size);
    memcpy(resolved, &known_size, sizeof known_size);
    return CR_OK;
}
