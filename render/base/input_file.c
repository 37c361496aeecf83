#include "input_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
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

int cr_open_input(const char *path, const char **not_regular)
{
    *not_regular = NULL;
    /* O_NONBLOCK: opening a FIFO for reading would wait for a writer. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
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

int cr_check_input(const char *path, const char **not_regular)
{
    *not_regular = NULL;
    struct stat info;
    if (stat(path, &info) != 0)
        return -1;
    if (S_ISREG(info.st_mode))
        return 0;
    *not_regular = cr_file_kind((int)info.st_mode);
    if (!*not_regular)
        *not_regular = "not a regular file";
    errno = EINVAL;
    return -1;
}
