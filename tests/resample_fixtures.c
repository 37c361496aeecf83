/* Fixtures of the resampling tests (resample_fixtures.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>

#include "error.h"
#include "image.h"
#include "resample.h"
#include "resample_fixtures.h"

/* ------------------------------------------------------------ helpers */

cr_pixmap painted(int width, int height, painter paint)
{
    cr_pixmap p;
    assert_int_equal(cr_pixmap_init(&p, width, height, NULL), CR_OK);
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
            paint(x, y, cr_pixmap_at(&p, x, y));
    return p;
}

void set_gray(uint8_t rgba[4], int level)
{
    rgba[0] = rgba[1] = rgba[2] = (uint8_t)level;
    rgba[3] = 255;
}

void paint_columns(int x, int y, uint8_t rgba[4])
{
    set_gray(rgba, x % 2 ? 255 : 0);
}

void paint_rows(int x, int y, uint8_t rgba[4])
{
    set_gray(rgba, y % 2 ? 255 : 0);
}

void paint_checkers(int x, int y, uint8_t rgba[4])
{
    set_gray(rgba, (x + y) % 2 ? 255 : 0);
}

void paint_gray_edge(int x, int y, uint8_t rgba[4])
{
    set_gray(rgba, x < 16 ? 50 : 200);
}

void paint_black_white_edge(int x, int y, uint8_t rgba[4])
{
    set_gray(rgba, x < 16 ? 0 : 255);
}

cr_pixmap resample_ok(const cr_pixmap *src, int width, int height,
                      const cr_resample_options *options)
{
    cr_pixmap out;
    cr_error err;
    cr_status status = cr_pixmap_resample(src, width, height, options, &out, &err);
    if (status != CR_OK)
        print_message("%s\n", err.message);
    assert_int_equal(status, CR_OK);
    assert_int_equal(out.width, width);
    assert_int_equal(out.height, height);
    return out;
}

cr_resample_options both(cr_resample_filter filter, bool allow_ringing)
{
    return (cr_resample_options){filter, filter, allow_ringing};
}
