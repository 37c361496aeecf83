/* Folders, joins and the asset-folder rule (see paths.h). */
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "input_file.h"

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

static cr_status escapes(const char *base, const char *name, cr_error *err)
{
    return cr_fail(err, CR_ERR_RECORD, "\"%s\" escapes the asset folder \"%s\"", name, base);
}

static cr_status open_error(const char *path, const char *kind, cr_error *err)
{
    cr_location where = {path, 0, 0, -1, NULL};
    if (kind)
        return cr_error_set(err, CR_ERR_IO, where, "is %s, not an image file", kind);
    return cr_error_set(err, CR_ERR_IO, where, "cannot open: %s", strerror(errno));
}

/* name, checked by cr_asset_path, opened beneath base. */
static cr_status open_beneath(const char *base, const char *name, const char *path, int *fd,
                              cr_error *err)
{
    int folder = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (folder < 0)
        return cr_fail(err, CR_ERR_IO, "the asset folder \"%s\" cannot be used: %s", base,
                       strerror(errno));
    const char *kind;
    *fd = cr_open_input_beneath(folder, name, false, &kind);
    int saved = errno;
    close(folder);
    errno = saved;
    if (*fd >= 0)
        return CR_OK;
    return !kind && errno == EXDEV ? escapes(base, name, err) : open_error(path, kind, err);
}

cr_status cr_asset_open(const char *base, const char *name, int *fd, char **path, cr_error *err)
{
    *fd = -1;
    cr_status status = cr_asset_path(base, name, path, err);
    if (status == CR_OK)
        status = open_beneath(base, name, *path, fd, err);
    if (status != CR_OK) {
        free(*path);
        *path = NULL;
    }
    return status;
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
    *out = cr_path_join(base, name);
    return *out ? CR_OK : cr_fail(err, CR_ERR_NOMEM, "out of memory");
}
