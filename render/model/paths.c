/* Folders, joins and the asset-folder rule (see paths.h). */
#include "paths.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

char *cr_path_folder(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    while (slash > path && slash[-1] == '/')
        slash--;
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

char *cr_path_join(const char *folder, const char *name)
{
    if (!folder || !folder[0] || strcmp(folder, ".") == 0)
        return strdup(name);
    size_t length = strlen(folder);
    const char *separator = folder[length - 1] == '/' ? "" : "/";
    size_t size = length + strlen(separator) + strlen(name) + 1;
    char *joined = malloc(size);
    if (joined)
        snprintf(joined, size, "%s%s%s", folder, separator, name);
    return joined;
}

/* Whether the relative path climbs above its starting folder at any point,
 * reading "." and ".." as written (no symbolic links involved). */
static bool climbs_out(const char *name)
{
    long depth = 0;
    for (const char *p = name; *p;) {
        size_t length = strcspn(p, "/");
        if (length == 2 && p[0] == '.' && p[1] == '.')
            depth--;
        else if (length > 0 && !(length == 1 && p[0] == '.'))
            depth++;
        if (depth < 0)
            return true;
        p += length;
        p += *p == '/';
    }
    return false;
}

/* Whether the real path `inner` lies inside the real folder `outer`. */
static bool is_inside(const char *outer, const char *inner)
{
    size_t length = strlen(outer);
    if (strcmp(outer, "/") == 0)
        return true;
    return strncmp(inner, outer, length) == 0 && (inner[length] == '/' || inner[length] == '\0');
}

static cr_status escapes(const char *base, const char *name, cr_error *err)
{
    return cr_fail(err, CR_ERR_RECORD, "\"%s\" escapes the asset folder \"%s\"", name, base);
}

/* A symbolic link inside base may still point outside it: compare the real
 * paths when the file exists. */
static cr_status check_real_paths(const char *base, const char *name, const char *joined,
                                  cr_error *err)
{
    char real_base[PATH_MAX], real_file[PATH_MAX];
    if (!realpath(base, real_base))
        return cr_fail(err, CR_ERR_IO, "the asset folder \"%s\" cannot be used: %s", base,
                       strerror(errno));
    if (!realpath(joined, real_file))
        return CR_OK; /* missing or unreadable: the decoder says which */
    return is_inside(real_base, real_file) ? CR_OK : escapes(base, name, err);
}

cr_status cr_asset_path(const char *base, const char *name, char **out, cr_error *err)
{
    *out = NULL;
    if (name[0] == '/')
        return cr_fail(err, CR_ERR_RECORD,
                       "\"%s\" is an absolute path; name the file relative to the asset folder "
                       "\"%s\"",
                       name, base);
    if (climbs_out(name))
        return escapes(base, name, err);
    char *joined = cr_path_join(base, name);
    if (!joined)
        return cr_fail(err, CR_ERR_NOMEM, "out of memory");
    cr_status status = check_real_paths(base, name, joined, err);
    if (status != CR_OK) {
        free(joined);
        return status;
    }
    *out = joined;
    return CR_OK;
}
