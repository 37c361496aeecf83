/* An LD_PRELOAD shim that makes one system call fail, for the batch's
 * fault tests (tests/faults.sh): SQLite-style, every write made to fail in
 * turn. Environment:
 *   CR_FAULT_CALL   open, write, fsync, link (linkat: an O_TMPFILE file
 *                   given its name), rename or close
 *   CR_FAULT_AT     N: the Nth such call (1-based, counted over the process
 *                   and its threads) fails; each one after it too when
 *                   CR_FAULT_STICKY=1 (a disk that stays full)
 *   CR_FAULT_ERRNO  ENOSPC (default), EIO or EACCES
 *   CR_FAULT_PATH   only calls on paths (or descriptors of files) under this
 *                   folder count; default every call
 *   CR_FAULT_NO_TMPFILE  1: open with O_TMPFILE fails with EOPNOTSUPP, as
 *                   on a file system without unnamed files (not counted),
 *                   so the writer's named temporaries are tried
 *   CR_FAULT_LOG    a file: each fsync counted is appended to it as a line
 *                   "fsync file PATH" or "fsync dir PATH" (what the
 *                   descriptor is open on), failed or not
 * Only the calls that write are counted (open with O_WRONLY or O_RDWR,
 * write on a descriptor of such a file...): reading the template, fonts and
 * photos is never failed. fsync counts on any descriptor opened under the
 * path, a folder opened to be synced too. Not part of the library. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_FDS 4096

static atomic_long calls;
static atomic_bool watched[MAX_FDS];  /* descriptors opened for writing under the path */
static atomic_bool syncable[MAX_FDS]; /* descriptors opened under the path, in any mode */

static const char *env(const char *name)
{
    const char *value = getenv(name);
    return value && *value ? value : NULL;
}

static bool is_call(const char *name)
{
    const char *call = env("CR_FAULT_CALL");
    return call && !strcmp(call, name);
}

static int fault_errno(void)
{
    const char *name = env("CR_FAULT_ERRNO");
    if (name && !strcmp(name, "EIO"))
        return EIO;
    if (name && !strcmp(name, "EACCES"))
        return EACCES;
    return ENOSPC;
}

static bool under_path(const char *path)
{
    const char *root = env("CR_FAULT_PATH");
    if (!root)
        return true;
    if (!path)
        return false;
    char resolved[PATH_MAX];
    const char *absolute = path;
    if (path[0] != '/' && getcwd(resolved, sizeof resolved)) {
        size_t n = strlen(resolved);
        snprintf(resolved + n, sizeof resolved - n, "/%s", path);
        absolute = resolved;
    }
    return !strncmp(absolute, root, strlen(root));
}

/* Counts a call that writes; true when it is the one to fail. */
static bool should_fail(const char *name)
{
    if (!is_call(name) || !env("CR_FAULT_AT"))
        return false;
    long n = atomic_fetch_add(&calls, 1) + 1;
    long at = atol(env("CR_FAULT_AT"));
    const char *sticky = env("CR_FAULT_STICKY");
    return n == at || (sticky && !strcmp(sticky, "1") && n > at);
}

static bool watched_fd(int fd)
{
    return fd >= 0 && fd < MAX_FDS && atomic_load(&watched[fd]);
}

#define REAL(name, type) ((type)dlsym(RTLD_NEXT, name))

int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    bool writes = (flags & O_ACCMODE) != O_RDONLY && under_path(path);
    const char *no_tmpfile = env("CR_FAULT_NO_TMPFILE");
    if ((flags & O_TMPFILE) == O_TMPFILE && no_tmpfile && !strcmp(no_tmpfile, "1")) {
        errno = EOPNOTSUPP;
        return -1;
    }
    if (writes && should_fail("open")) {
        errno = fault_errno();
        return -1;
    }
    int fd = REAL("open", int (*)(const char *, int, ...))(path, flags, mode);
    if (fd >= 0 && fd < MAX_FDS) {
        atomic_store(&watched[fd], writes);
        atomic_store(&syncable[fd], under_path(path));
    }
    return fd;
}

int open64(const char *path, int flags, ...) __attribute__((alias("open")));

ssize_t write(int fd, const void *buffer, size_t count)
{
    if (watched_fd(fd) && should_fail("write")) {
        errno = fault_errno();
        return -1;
    }
    return REAL("write", ssize_t(*)(int, const void *, size_t))(fd, buffer, count);
}

/* Appends "fsync file|dir PATH" to CR_FAULT_LOG, past the shim's own calls. */
static void log_fsync(int fd)
{
    const char *log = env("CR_FAULT_LOG");
    if (!log)
        return;
    char link[64], path[PATH_MAX], line[PATH_MAX + 32];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    path[n > 0 ? n : 0] = '\0';
    struct stat st;
    bool folder = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
    int length = snprintf(line, sizeof line, "fsync %s %s\n", folder ? "dir" : "file", path);
    int out =
        REAL("open", int (*)(const char *, int, ...))(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out < 0)
        return;
    REAL("write", ssize_t(*)(int, const void *, size_t))(out, line, (size_t)length);
    REAL("close", int (*)(int))(out);
}

int fsync(int fd)
{
    bool counted = fd >= 0 && fd < MAX_FDS && atomic_load(&syncable[fd]);
    if (counted)
        log_fsync(fd);
    if (counted && should_fail("fsync")) {
        errno = fault_errno();
        return -1;
    }
    return REAL("fsync", int (*)(int))(fd);
}

int close(int fd)
{
    bool fail = watched_fd(fd) && should_fail("close");
    if (fd >= 0 && fd < MAX_FDS) {
        atomic_store(&watched[fd], false);
        atomic_store(&syncable[fd], false);
    }
    int status = REAL("close", int (*)(int))(fd);
    if (fail) {
        errno = fault_errno(); /* the file is closed all the same, as on NFS */
        return -1;
    }
    return status;
}

int linkat(int from_dir, const char *from, int to_dir, const char *to, int flags)
{
    if (under_path(to) && should_fail("link")) {
        errno = fault_errno();
        return -1;
    }
    return REAL("linkat", int (*)(int, const char *, int, const char *, int))(from_dir, from,
                                                                              to_dir, to, flags);
}

int rename(const char *from, const char *to)
{
    if (under_path(to) && should_fail("rename")) {
        errno = fault_errno();
        return -1;
    }
    return REAL("rename", int (*)(const char *, const char *))(from, to);
}
