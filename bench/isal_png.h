/* The PNG writer of the benchmark's third program, pango_card_isal
 * (bench/pango_card.c built with -DPNG_WRITER_ISAL): igzip level 1 and the
 * Up filter, in place of cairo_surface_write_to_png. */
#ifndef BENCH_ISAL_PNG_H
#define BENCH_ISAL_PNG_H

#include <cairo.h>

/* Writes a CAIRO_FORMAT_RGB24 image surface to path as an 8-bit RGB PNG.
 * CAIRO_STATUS_SUCCESS, or the error, as cairo_surface_write_to_png. */
cairo_status_t isal_png_write(cairo_surface_t *surface, const char *path);

#endif
