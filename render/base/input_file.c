#include "input_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

const char *cr_file_kind(int mode)
{
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return NULL;
}

/* fd, just opened with O_NONBLOCK, when it is a regular file (back in
 * blocking mode); else closed, -1 and *not_regular as cr_open_input says. */
static int regular_only(int fd, const char **not_regular)
{
    *not_regular = NULL;
    if (fd < 0)
        return -1;
    struct stat info;
    if (fstat(fd, &info) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    if (!S_ISREG(info.st_mode)) {
        *not_regular = cr_file_kind((int)info.st_mode);
        if (!*not_regular)
            *not_regular = "not a regular file";
        close(fd);
        errno = EINVAL;
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return fd;
}

int cr_open_input(const char *path, const char **not_regular)
{
    /* O_NONBLOCK: opening a FIFO for reading would wait for a writer. */
    return regular_only(open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), not_regular);
}

/* What a descriptor is open on, from /proc; false when it cannot tell. */
static bool descriptor_path(int fd, char *out, size_t size)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, out, size - 1);
    if (n < 0 || (size_t)n >= size - 1)
        return false;
    out[n] = '\0';
    return true;
}

/* Where openat2 is missing (a kernel before 5.6) or filtered (seccomp):
 * open, then ask the kernel what was opened; a link swapped in between the
 * two cannot make the check pass for a file outside. */
static int open_then_verify(int folder, const char *name, int flags)
{
    char inside[PATH_MAX], opened[PATH_MAX];
    int fd = openat(folder, name, flags);
    if (fd < 0)
        return -1;
    if (!descriptor_path(folder, inside, sizeof inside) ||
        !descriptor_path(fd, opened, sizeof opened)) {
        close(fd);
        errno = EACCES;
        return -1;
    }
    size_t length = strlen(inside);
    bool beneath =
        strcmp(inside, "/") == 0 || (strncmp(opened, inside, length) == 0 && opened[length] == '/');
    if (!beneath) {
        close(fd);
        errno = EXDEV;
        return -1;
    }
    return fd;
}

int cr_open_input_beneath(int folder, const char *name, bool verify_only, const char **not_regular)
{
    int flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC;
    if (verify_only)
        return regular_only(open_then_verify(folder, name, flags), not_regular);
    /* The kernel resolves the whole name, links included, and refuses with
     * EXDEV any step that leaves the folder: no window between a check and
     * the open in which a link could be swapped. */
    struct open_how how = {.flags = (uint64_t)flags,
                           .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
    int fd = (int)syscall(SYS_openat2, folder, name, &how, sizeof how);
    if (fd < 0 && (errno == ENOSYS || errno == EPERM || errno == E2BIG))
        fd = open_then_verify(folder, name, flags);
    return regular_only(fd, not_regular);
}

FILE *cr_fopen_input(const char *path, const char **not_regular)
{
    int fd = cr_open_input(path, not_regular);
    if (fd < 0)
        return NULL;
    FILE *file = fdopen(fd, "rb");
    if (!file) {
        int saved = errno;
        close(fd);
        errno = saved;
    }
    return file;
}
