/* Writing a whole file so that a reader sees the old file or the new one,
 * never half of one: the bytes go into a temporary file beside it, named
 * "PATH.XXXXXX.tmp" (six letters and digits; "FOLDER/cr.png.XXXXXX.tmp"
 * when PATH's name is too long to take 11 bytes more), which is then
 * renamed over PATH. Both PNG writers (png_io.c, png_bits.c) use it, so a batch that
 * was killed leaves only names of this one scheme behind, which
 * batch_output.c recognises and clears. */
#ifndef CR_ATOMIC_FILE_H
#define CR_ATOMIC_FILE_H

#include <stdbool.h>

typedef struct cr_atomic_file {
    int fd;          /* write the file's bytes here */
    char *temp_path; /* the temporary file's name */
} cr_atomic_file;

/* Creates the temporary file beside path, exclusively and with mode 0666
 * less the umask, as any new file (mkstemp would make it 0600, and reading
 * the umask is not thread-safe). 0, or an errno value. */
int cr_atomic_file_open(cr_atomic_file *file, const char *path);

/* Closes the file; when `written` (the caller wrote every byte), renames it
 * over path. On any failure, and when not written, the temporary file is
 * removed. NULL when renamed, or not written (the caller knows why); else
 * which step failed ("closing the temporary file failed", "renaming the
 * temporary file failed") with its errno in *error_number. */
const char *cr_atomic_file_commit(cr_atomic_file *file, const char *path, bool written,
                                  int *error_number);

#endif
