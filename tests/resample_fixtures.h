/* Fixtures of the resampling tests (test_resample.c, test_resample_paths.c;
 * linked into every test program): pictures painted pixel by pixel, a few
 * painters (stripes, checkers, step edges), resampling that must succeed,
 * and options naming one filter for both axes. Everything fails the running
 * cmocka test on error; nothing is kept between calls. */
#ifndef CR_TEST_RESAMPLE_FIXTURES_H
#define CR_TEST_RESAMPLE_FIXTURES_H

#include <stdbool.h>
#include <stdint.h>

#include "image.h"
#include "resample.h"

/* Sets the RGBA bytes of pixel (x, y). */
typedef void (*painter)(int x, int y, uint8_t rgba[4]);

/* A width x height picture, each pixel from paint. */
cr_pixmap painted(int width, int height, painter paint);

/* Opaque grey of this level. */
void set_gray(uint8_t rgba[4], int level);

/* 1-px black and white columns, rows and checkers; a step at x = 16 from
 * 50 to 200, and from black to white. */
void paint_columns(int x, int y, uint8_t rgba[4]);
void paint_rows(int x, int y, uint8_t rgba[4]);
void paint_checkers(int x, int y, uint8_t rgba[4]);
void paint_gray_edge(int x, int y, uint8_t rgba[4]);
void paint_black_white_edge(int x, int y, uint8_t rgba[4]);

/* src resampled to width x height, which must succeed. */
cr_pixmap resample_ok(const cr_pixmap *src, int width, int height,
                      const cr_resample_options *options);

/* Options with this filter on both axes. */
cr_resample_options both(cr_resample_filter filter, bool allow_ringing);

#endif
