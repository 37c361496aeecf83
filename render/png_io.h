/* PNG: writing print-ready RGB files (the container written here around
 * ISA-L's igzip deflate), reading any PNG back as RGB through libpng (for
 * comparing golden images). */
#ifndef CR_PNG_IO_H
#define CR_PNG_IO_H

#include <stddef.h>
#include <stdint.h>

#include "raster.h"

/* 8-bit RGB PNG with pHYs = dpi (in pixels per metre) and an sRGB chunk.
 * Written to a temporary file beside path, then renamed: never partial. */
cr_status cr_png_write_file(const cr_canvas *canvas, int dpi, const char *path, cr_error *err);

/* The same into a malloc'ed buffer. */
cr_status cr_png_write_memory(const cr_canvas *canvas, int dpi, uint8_t **data, size_t *size,
                              cr_error *err);

/* Reads any PNG as 8-bit RGB (alpha composited over white); *dpi from pHYs
 * or 0. Errors name the file. */
cr_status cr_png_read_rgb(const char *path, cr_canvas *out, int *dpi, cr_error *err);

#endif
