/* Writing a whole file so that a reader sees the old file or the new one,
 * never half of one: the bytes go into a temporary file beside it. Where
 * the file system has O_TMPFILE, that file has no name while it is written
 * (a process killed meanwhile leaves nothing) and is linked under PATH when
 * whole; when PATH exists, under a temporary name first, renamed over it.
 * Elsewhere the temporary file is named from the start. A temporary name is
 * "PATH.XXXXXX.tmp" (six letters and digits; "FOLDER/cr.png.XXXXXX.tmp"
 * when PATH's name is too long to take 11 bytes more), renamed over PATH. Both PNG writers
 * (png_io.c, png_bits.c) and the CLI's standard output (tools/files.c) use it, so a batch that was
 * killed leaves only names of this one scheme behind, which batch_output.c recognises and clears.
 *
 * What PATH names decides how it is written (cardrender.h,
 * cr_image_write_png_file):
 *   a new name or a regular file: the temporary file and the rename;
 *   a symbolic link: followed to its end, whose file is replaced the same
 *     way (the temporary beside it), so the link stays a link; a dangling
 *     link's missing target is created;
 *   a FIFO or a character device (a pipe, a terminal, /dev/null), or a link
 *     through /proc (/dev/stdout, /dev/fd/N, whatever they lead to): an
 *     open stream, written in place: no temporary, no rename;
 *   a directory, a block device, a socket: refused.
 * With `sync`, the file is flushed to the disk before the rename, and its
 * folder after it. */
#ifndef CR_ATOMIC_FILE_H
#define CR_ATOMIC_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "cardrender.h"

typedef struct cr_atomic_file {
    int fd;           /* where the bytes go (cr_atomic_file_write) */
    bool anonymous;   /* an O_TMPFILE file, named only when committed */
    char *temp_path;  /* the temporary file; NULL when written in place */
    char *final_path; /* the name the temporary is renamed over */
    bool own_fd;      /* opened here, so closed here */
    bool sync;
} cr_atomic_file;

/* Each step below returns NULL when it went well, else what failed (e.g.
 * "renaming the temporary file failed", "it is a directory") with its errno
 * in *error_number (0 when the step says it all). */

/* Opens path for writing as its kind says (above): the temporary file is
 * created exclusively with mode 0666 less the umask, as any new file
 * (mkstemp would make it 0600, and reading the umask is not thread-safe). */
const char *cr_atomic_file_open(cr_atomic_file *file, const char *path, bool sync,
                                int *error_number);

/* An open descriptor (standard output) to be written in place; left open. */
void cr_atomic_file_adopt(cr_atomic_file *file, int fd, bool sync);

/* Writes all of data. Written in place, a reader that has gone (EPIPE) is
 * an error here, not a SIGPIPE that kills the caller's process. */
const char *cr_atomic_file_write(cr_atomic_file *file, const void *data, size_t size,
                                 int *error_number);

/* Finishes the file. When `written` (the caller wrote every byte): synced
 * if asked, closed and renamed over its final name, the folder synced if
 * asked; written in place, synced if asked and it is a regular file. On any
 * failure, and when not written, the temporary file is removed, and so is
 * the renamed file when its folder could not be synced: nothing stays
 * under the final name of a write that failed. */
const char *cr_atomic_file_commit(cr_atomic_file *file, bool written, int *error_number);

/* Removes what a finished write to path made (its final name), to undo a
 * write that turned out to be one of a set that failed; nothing for a path
 * written in place. */
void cr_atomic_file_undo(const char *path);

/* Flushes folder's entries to the disk (fsync on the folder): 0 or errno. */
int cr_sync_folder(const char *folder);

/* CR_ERR_IO (CR_ERR_NOMEM for ENOMEM) naming path: "cannot write PNG: STEP"
 * and, when error_number is not 0, ": " and its text. */
cr_status cr_atomic_file_error(const char *path, const char *step, int error_number, cr_error *err);

#endif
