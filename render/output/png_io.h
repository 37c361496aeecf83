/* PNG: writing print-ready RGB files (the container written here around
 * ISA-L's igzip deflate, or zlib's: png_deflate.h), reading any PNG back as
 * RGB through libpng (for comparing golden images). */
#ifndef CR_PNG_IO_H
#define CR_PNG_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raster.h"

/* 8-bit RGB PNG with pHYs = dpi (in pixels per metre) and an sRGB chunk.
 * Written as atomic_file.h says path's kind is written: a file through a
 * temporary file and a rename, never partial. */
cr_status cr_png_write_file(const cr_canvas *canvas, int dpi, const char *path, cr_error *err);

/* The same into a malloc'ed buffer. */
cr_status cr_png_write_memory(const cr_canvas *canvas, int dpi, uint8_t **data, size_t *size,
                              cr_error *err);

/* Bands of rows that a template's cards share (the rows no record-dependent
 * field reaches), for the writer: the zlib stream is cut at their edges, so
 * a band's bytes depend on its rows alone (and the row above). Made with a
 * reference image (the template's base), each band's rows are kept and
 * deflated once, and a card whose rows there are the same gets those bytes
 * copied instead of deflated again; made without, the bands only say where
 * to cut, and a card gets the same bytes either way. Reference-counted and
 * immutable once made: one serves every thread. */
typedef struct cr_png_bands cr_png_bands;

/* Bands [rows[2i], rows[2i + 1]) of width x height images, in order and
 * not overlapping (others are left out); reference may be NULL. NULL when
 * out of memory. */
cr_png_bands *cr_png_bands_create(const int *rows, size_t count, int width, int height,
                                  const cr_canvas *reference);
cr_png_bands *cr_png_bands_ref(cr_png_bands *bands);
void cr_png_bands_unref(cr_png_bands *bands);

/* As above, the stream cut at bands (NULL: one segment; ignored unless
 * made for the canvas's size); with sync, flushed to the disk before the
 * rename and the folder after it. */
cr_status cr_png_write_file_banded(const cr_canvas *canvas, int dpi, const cr_png_bands *bands,
                                   const char *path, bool sync, cr_error *err);
cr_status cr_png_write_memory_banded(const cr_canvas *canvas, int dpi, const cr_png_bands *bands,
                                     uint8_t **data, size_t *size, cr_error *err);

/* Reads any PNG as 8-bit RGB (alpha composited over white); *dpi from pHYs
 * or 0. Errors name the file. */
cr_status cr_png_read_rgb(const char *path, cr_canvas *out, int *dpi, cr_error *err);

#endif
