/* Whole files written through a temporary file and a rename (atomic_file.h). */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The temporary name's stem: PATH itself, or, when PATH's last part is so
 * long that 11 bytes more would pass the file system's limit (255), the
 * short "cr.png" in the same folder: every final name the file system
 * allows can be written. Both are temporaries of the same scheme. */
static size_t temp_stem(const char *path, char *stem, size_t size)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (strlen(base) + 11 <= 255)
        return (size_t)snprintf(stem, size, "%s", path);
    return (size_t)snprintf(stem, size, "%.*scr.png", (int)(base - path), path);
}

int cr_atomic_file_open(cr_atomic_file *file, const char *path)
{
    static atomic_uint counter;
    static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    file->fd = -1;
    size_t size = strlen(path) + 16;
    file->temp_path = malloc(size);
    if (!file->temp_path)
        return ENOMEM;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    unsigned seed = (unsigned)now.tv_nsec ^ ((unsigned)getpid() << 16);
    int error_number = EEXIST;
    for (int attempt = 0; attempt < 100 && error_number == EEXIST; attempt++) {
        unsigned bits = seed ^ (atomic_fetch_add(&counter, 1) * 2654435761u);
        char suffix[7];
        for (int i = 0; i < 6; i++, bits /= 36)
            suffix[i] = letters[bits % 36];
        suffix[6] = '\0';
        size_t stem = temp_stem(path, file->temp_path, size);
        snprintf(file->temp_path + stem, size - stem, ".%s.tmp", suffix);
        file->fd = open(file->temp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (file->fd >= 0)
            return 0;
        error_number = errno;
    }
    free(file->temp_path);
    file->temp_path = NULL;
    return error_number;
}

const char *cr_atomic_file_commit(cr_atomic_file *file, const char *path, bool written,
                                  int *error_number)
{
    const char *failed = NULL;
    if (close(file->fd) != 0 && written) {
        failed = "closing the temporary file failed";
        *error_number = errno;
    } else if (written && rename(file->temp_path, path) != 0) {
        failed = "renaming the temporary file failed";
        *error_number = errno;
    }
    if (failed || !written)
        unlink(file->temp_path);
    free(file->temp_path);
    file->temp_path = NULL;
    file->fd = -1;
    return failed;
}
