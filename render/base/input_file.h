/* Opening input files without ever blocking. A FIFO, device, socket or
 * directory where a photo, record, template, manifest, font or existing
 * output should be would make a plain open() or read() wait forever (a FIFO
 * with no writer) or read the wrong thing; every input goes through here,
 * which opens with O_NONBLOCK, looks at what it opened, and refuses anything
 * but a regular file at once. */
#ifndef CR_INPUT_FILE_H
#define CR_INPUT_FILE_H

#include <stdbool.h>
#include <stdio.h>

/* What a path is when it is not a regular file: "a FIFO", "a directory",
 * "a character device", "a block device", "a socket", or NULL when it is a
 * regular file (or cannot be looked at). */
const char *cr_file_kind(int mode);

/* Opens path for reading when it is a regular file: the descriptor, in
 * blocking mode again. -1 with errno set when it cannot be opened; -1 with
 * errno EINVAL and *not_regular set to the kind (see cr_file_kind) when it
 * is something else. */
int cr_open_input(const char *path, const char **not_regular);

/* Opens name, relative to the open folder `folder` (O_PATH is enough), as
 * cr_open_input does, and only when it lies beneath that folder, through
 * whatever links: -1 with errno EXDEV when the name or a link on its way
 * leads out. The kernel checks as it resolves (openat2 RESOLVE_BENEATH),
 * so a link swapped in meanwhile cannot lead out either; where openat2 is
 * not available, the file opened is checked afterwards through /proc.
 * verify_only: that second way always (for tests). */
int cr_open_input_beneath(int folder, const char *name, bool verify_only, const char **not_regular);

/* The same as a stdio stream ("rb"); NULL as cr_open_input fails. */
FILE *cr_fopen_input(const char *path, const char **not_regular);

#endif
