/* 1-bit grayscale PNG files for the K and overlay panels, through libpng:
 * black (0) where the panel prints, white (1) elsewhere, pHYs at the dpi.
 * Output depends only on the bits and the dpi. */
#ifndef CR_PNG_BITS_H
#define CR_PNG_BITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raster.h"

/* Into a malloc'ed buffer. */
cr_status cr_png_write_gray1_memory(const cr_bitmap *bitmap, int dpi, uint8_t **data, size_t *size,
                                    cr_error *err);

/* Written as atomic_file.h says path's kind is written (a file: through a
 * temporary file and a rename, never partial; with sync, flushed to the
 * disk before the rename and the folder after it). Errors name the path. */
cr_status cr_png_write_gray1_file(const cr_bitmap *bitmap, int dpi, const char *path, bool sync,
                                  cr_error *err);

#endif
