/* Whole files written through a temporary file (without a name where the
 * file system allows) and a rename or link, and open streams written in
 * place (atomic_file.h). */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "paths.h"

enum {
    MAX_LINKS = 40,           /* as the kernel's own limit */
    PROC_SUPER_MAGIC = 0x9fa0 /* linux/magic.h */
};

/* ------------------------------------------------------- what a path is */

/* True when the folder holding path is in /proc: path is then a magic link
 * (/proc/self/fd/1, which /dev/stdout leads to), an open file of a process
 * rather than a name, and its "target" must never be replaced. */
static bool in_proc(const char *path)
{
    char *folder = cr_path_folder(path);
    struct statfs fs;
    bool proc = folder && statfs(folder, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;
    free(folder);
    return proc;
}

/* The text of the link at path (a new string), NULL with errno. */
static char *read_link(const char *path, size_t size_hint)
{
    size_t size = size_hint + 1 > 64 ? size_hint + 1 : 64;
    for (;;) {
        char *text = malloc(size);
        if (!text)
            return NULL;
        ssize_t n = readlink(path, text, size);
        if (n >= 0 && (size_t)n < size) {
            text[n] = '\0';
            return text;
        }
        free(text);
        if (n < 0)
            return NULL;
        size *= 2; /* the link grew since lstat: try again, larger */
    }
}

/* The name the link at current leads to (a new string, NULL with errno);
 * current is freed. Relative link text is read from the link's folder, as
 * the kernel does; left unnormalised, ".." still means the same. */
static char *follow(char *current, const struct stat *link)
{
    char *text = read_link(current, (size_t)link->st_size);
    char *folder = text && text[0] != '/' ? cr_path_folder(current) : NULL;
    char *next = !text ? NULL : text[0] == '/' ? strdup(text) : cr_path_join(folder, text);
    int saved = errno;
    free(text);
    free(folder);
    free(current);
    errno = saved;
    return next;
}

/* Where the links starting at path end: a new string, the last name on the
 * way that is not a link (it may not exist: a dangling link's target);
 * *magic when the way reaches a link in /proc, which is where it stops.
 * NULL with errno. */
static char *link_end(const char *path, bool *magic)
{
    *magic = false;
    char *current = strdup(path);
    for (int links = 0; current; links++) {
        struct stat st;
        if (lstat(current, &st) != 0 || !S_ISLNK(st.st_mode))
            return current; /* a missing name is created; other errors come at open */
        if ((*magic = in_proc(current)))
            return current;
        if (links == MAX_LINKS) {
            free(current);
            errno = ELOOP;
            return NULL;
        }
        current = follow(current, &st);
    }
    return NULL;
}

/* A kind of file that is never written: what refuses it, or NULL. */
static const char *refused_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "it is a directory";
    if (S_ISBLK(mode))
        return "it is a block device (only FIFOs and character devices are written in place)";
    if (S_ISSOCK(mode))
        return "it is a socket";
    return NULL;
}

/* Decides how path is written: *final (a new string) is the name to open
 * in place or to rename the temporary over. */
static const char *resolve(const char *path, char **final, bool *in_place, int *error_number)
{
    struct stat st;
    *error_number = 0;
    *in_place = false;
    if (stat(path, &st) == 0) {
        const char *refused = refused_kind(st.st_mode);
        if (refused)
            return refused;
        *in_place = S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode);
    } else if (errno != ENOENT) {
        *error_number = errno;
        return "cannot look it up";
    }
    bool magic = false;
    *final = *in_place ? strdup(path) : link_end(path, &magic);
    if (!*final) {
        *error_number = errno;
        return "cannot follow its links";
    }
    *in_place = *in_place || magic;
    return NULL;
}

/* ------------------------------------------------------------ opening */

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

/* Puts a fresh temporary name beside file->final_path into file->temp_path
 * and calls make(file) with it, until make does not fail with EEXIST: 0 or
 * an errno (file->temp_path then NULL). */
static int with_temp_name(cr_atomic_file *file, int (*make)(cr_atomic_file *file))
{
    static atomic_uint counter;
    static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    size_t size = strlen(file->final_path) + 16;
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
        size_t stem = temp_stem(file->final_path, file->temp_path, size);
        snprintf(file->temp_path + stem, size - stem, ".%s.tmp", suffix);
        error_number = make(file);
    }
    if (error_number) {
        free(file->temp_path);
        file->temp_path = NULL;
    }
    return error_number;
}

static int create_named(cr_atomic_file *file)
{
    file->fd = open(file->temp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    return file->fd < 0 ? errno : 0;
}

/* Gives the unnamed file open on fd the name `name`: 0 or an errno. */
static int link_unnamed(int fd, const char *name)
{
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    return linkat(AT_FDCWD, self, AT_FDCWD, name, AT_SYMLINK_FOLLOW) == 0 ? 0 : errno;
}

/* The file being written, given the name file->temp_path. */
static int link_named(cr_atomic_file *file)
{
    return link_unnamed(file->fd, file->temp_path);
}

/* The file beside file->final_path, without a name (O_TMPFILE) where the
 * file system can: a process killed while writing then leaves nothing
 * behind, and a new card is given its final name itself at the end, so no
 * temporary name can be too long. Elsewhere a named temporary file. 0 or
 * an errno. */
static int open_temporary(cr_atomic_file *file)
{
    char *folder = cr_path_folder(file->final_path);
    if (!folder)
        return ENOMEM;
    file->fd = open(folder, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    int error_number = file->fd < 0 ? errno : 0;
    free(folder);
    if (!error_number) {
        file->anonymous = true;
        return 0;
    }
    /* Not supported here (the file system, or a kernel before 3.11 that
     * reads the flag as O_DIRECTORY); any other error is the folder's own. */
    if (error_number != EOPNOTSUPP && error_number != EISDIR && error_number != EINVAL)
        return error_number;
    return with_temp_name(file, create_named);
}

/* An open stream: written from where it stands, never created or renamed.
 * A link through /proc to a regular file is truncated first, as a shell's
 * ">" would; a FIFO or a device has nothing to truncate. */
static int open_in_place(cr_atomic_file *file)
{
    struct stat st;
    int truncate = stat(file->final_path, &st) == 0 && S_ISREG(st.st_mode) ? O_TRUNC : 0;
    file->fd = open(file->final_path, O_WRONLY | O_NOCTTY | O_CLOEXEC | truncate);
    return file->fd < 0 ? errno : 0;
}

const char *cr_atomic_file_open(cr_atomic_file *file, const char *path, bool sync,
                                int *error_number)
{
    *file = (cr_atomic_file){.fd = -1, .own_fd = true, .sync = sync};
    bool in_place;
    const char *failed = resolve(path, &file->final_path, &in_place, error_number);
    if (failed)
        return failed;
    *error_number = in_place ? open_in_place(file) : open_temporary(file);
    if (!*error_number)
        return NULL;
    free(file->final_path);
    file->final_path = NULL;
    return in_place ? "cannot open it for writing" : "cannot create a temporary file beside it";
}

void cr_atomic_file_adopt(cr_atomic_file *file, int fd, bool sync)
{
    *file = (cr_atomic_file){.fd = fd, .own_fd = false, .sync = sync};
}

/* ------------------------------------------------------------ writing */

static int write_all(int fd, const unsigned char *data, size_t size)
{
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? errno : EIO;
        data += n;
        size -= (size_t)n;
    }
    return 0;
}

/* Writes with SIGPIPE held back on this thread, so a reader that went away
 * is EPIPE. A SIGPIPE the write raised is taken off again; one that was
 * pending before is left for its owner (as libpq does). */
static int write_without_sigpipe(int fd, const unsigned char *data, size_t size)
{
    sigset_t pipe_only, previous, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    if (pthread_sigmask(SIG_BLOCK, &pipe_only, &previous) != 0)
        return write_all(fd, data, size);
    bool was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
    int error_number = write_all(fd, data, size);
    if (error_number == EPIPE && !was_pending) {
        const struct timespec no_wait = {0, 0};
        while (sigtimedwait(&pipe_only, NULL, &no_wait) < 0 && errno == EINTR)
            continue;
    }
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    return error_number;
}

const char *cr_atomic_file_write(cr_atomic_file *file, const void *data, size_t size,
                                 int *error_number)
{
    if (file->anonymous || file->temp_path) {
        *error_number = write_all(file->fd, data, size);
        return *error_number ? "writing the temporary file failed" : NULL;
    }
    *error_number = write_without_sigpipe(file->fd, data, size);
    return *error_number ? "writing it failed" : NULL;
}

/* ---------------------------------------------------------- finishing */

int cr_sync_folder(const char *folder)
{
    int fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int error_number = fsync(fd) == 0 ? 0 : errno;
    close(fd);
    return error_number;
}

/* A stream written in place: synced when asked and it is a file (a FIFO or
 * a device has nothing to sync), closed when opened here. */
static const char *finish_in_place(cr_atomic_file *file, bool written, int *error_number)
{
    const char *failed = NULL;
    struct stat st;
    if (written && file->sync && fstat(file->fd, &st) == 0 && S_ISREG(st.st_mode) &&
        fsync(file->fd) != 0) {
        failed = "syncing it failed";
        *error_number = errno;
    }
    if (file->own_fd && close(file->fd) != 0 && written && !failed) {
        failed = "closing it failed";
        *error_number = errno;
    }
    return failed;
}

/* The renamed file's folder synced; when it cannot be, the file goes. */
static const char *sync_after_rename(const cr_atomic_file *file, int *error_number)
{
    char *folder = cr_path_folder(file->final_path);
    *error_number = folder ? cr_sync_folder(folder) : ENOMEM;
    free(folder);
    if (!*error_number)
        return NULL;
    unlink(file->final_path);
    return "syncing the folder failed";
}

/* A new name takes the file at once; a name in use gets it through a
 * temporary name and a rename over it, as a named temporary would. */
static const char *name_anonymous(cr_atomic_file *file, int *error_number)
{
    *error_number = link_unnamed(file->fd, file->final_path);
    if (!*error_number)
        return NULL;
    if (*error_number != EEXIST)
        return "naming the file failed";
    *error_number = with_temp_name(file, link_named);
    if (*error_number)
        return "naming the file failed";
    if (rename(file->temp_path, file->final_path) != 0) {
        *error_number = errno;
        unlink(file->temp_path);
        return "renaming the temporary file failed";
    }
    return NULL;
}

/* Named at the end, closed after: a close that fails (NFS reports write
 * errors there) takes the name away again. */
static const char *finish_anonymous(cr_atomic_file *file, bool written, int *error_number)
{
    const char *failed = NULL;
    if (written && file->sync && fsync(file->fd) != 0) {
        failed = "syncing the temporary file failed";
        *error_number = errno;
    }
    if (written && !failed)
        failed = name_anonymous(file, error_number);
    bool named = written && !failed;
    if (close(file->fd) != 0 && named) {
        failed = "closing the temporary file failed";
        *error_number = errno;
        unlink(file->final_path);
    } else if (named && file->sync) {
        return sync_after_rename(file, error_number);
    }
    return failed;
}

static const char *finish_temporary(cr_atomic_file *file, bool written, int *error_number)
{
    const char *failed = NULL;
    if (written && file->sync && fsync(file->fd) != 0) {
        failed = "syncing the temporary file failed";
        *error_number = errno;
    }
    if (close(file->fd) != 0 && written && !failed) {
        failed = "closing the temporary file failed";
        *error_number = errno;
    } else if (written && !failed && rename(file->temp_path, file->final_path) != 0) {
        failed = "renaming the temporary file failed";
        *error_number = errno;
    } else if (written && !failed && file->sync) {
        return sync_after_rename(file, error_number);
    }
    if (failed || !written)
        unlink(file->temp_path);
    return failed;
}

const char *cr_atomic_file_commit(cr_atomic_file *file, bool written, int *error_number)
{
    *error_number = 0;
    const char *failed = file->anonymous   ? finish_anonymous(file, written, error_number)
                         : file->temp_path ? finish_temporary(file, written, error_number)
                                           : finish_in_place(file, written, error_number);
    free(file->temp_path);
    free(file->final_path);
    file->temp_path = file->final_path = NULL;
    file->fd = -1;
    return failed;
}

void cr_atomic_file_undo(const char *path)
{
    char *final = NULL;
    bool in_place;
    int error_number;
    if (!resolve(path, &final, &in_place, &error_number) && !in_place)
        unlink(final);
    free(final);
}

cr_status cr_atomic_file_error(const char *path, const char *step, int error_number, cr_error *err)
{
    cr_location where = CR_NO_LOCATION;
    where.file = path;
    cr_status code = error_number == ENOMEM ? CR_ERR_NOMEM : CR_ERR_IO;
    if (!error_number)
        return cr_error_set(err, code, where, "cannot write PNG: %s", step);
    return cr_error_set(err, code, where, "cannot write PNG: %s: %s", step, strerror(error_number));
}
