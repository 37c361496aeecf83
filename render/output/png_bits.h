/* 1-bit grayscale PNG files for the K and overlay panels, through libpng:
 * black (0) where the panel prints, white (1) elsewhere, pHYs at the dpi.
 * Output depends only on the bits and the dpi. */
#ifndef CR_PNG_BITS_H
#define CR_PNG_BITS_H

#include <stddef.h>
#include <stdint.h>

#include "raster.h"

/* Into a malloc'ed buffer. */
cr_status cr_png_write_gray1_memory(const cr_bitmap *bitmap, int dpi, uint8_t **data, size_t *size,
                                    cr_error *err);

/* Written to a temporary file beside path, then renamed: never partial.
 * Errors name the path. */
cr_status cr_png_write_gray1_file(const cr_bitmap *bitmap, int dpi, const char *path,
                                  cr_error *err);

#endif
