/* PNG: writing print-ready RGB files (the container written here around
 * the pixel coding of png_plan.h), reading any PNG back as RGB through
 * libpng (for comparing golden images). */
#ifndef CR_PNG_IO_H
#define CR_PNG_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "png_plan.h"
#include "raster.h"

/* 8-bit RGB PNG with pHYs = dpi (in pixels per metre) and an sRGB chunk.
 * Written as atomic_file.h says path's kind is written: a file through a
 * temporary file and a rename, never partial. */
cr_status cr_png_write_file(const cr_canvas *canvas, int dpi, const char *path, cr_error *err);

/* The same into a malloc'ed buffer. */
cr_status cr_png_write_memory(const cr_canvas *canvas, int dpi, uint8_t **data, size_t *size,
                              cr_error *err);

/* How to write (NULL: no plan, one thread, no sync). */
typedef struct cr_png_params {
    const cr_png_plan *plan; /* the image's (png_plan.h), or NULL */
    int threads;             /* that code the pixels; 0 or 1: the caller's alone */
    bool sync;               /* a file: flushed to the disk before the rename, its folder after */
    const cr_png_changes
        *changes; /* where it may differ from the plan's reference; NULL: anywhere */
} cr_png_params;

cr_status cr_png_write_file_with(const cr_canvas *canvas, int dpi, const cr_png_params *params,
                                 const char *path, cr_error *err);
cr_status cr_png_write_memory_with(const cr_canvas *canvas, int dpi, const cr_png_params *params,
                                   uint8_t **data, size_t *size, cr_error *err);

/* Reads any PNG as 8-bit RGB (alpha composited over white); *dpi from pHYs
 * or 0. Errors name the file. */
cr_status cr_png_read_rgb(const char *path, cr_canvas *out, int *dpi, cr_error *err);

#endif
