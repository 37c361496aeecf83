/* Draws the benchmark card's background artwork: a guilloche like the
 * printed security background of an identity card (a colour gradient, two
 * families of fine sine waves and a rosette), at print resolution, so the
 * benchmark compresses a realistic card and not a flat colour. Drawn here
 * rather than shipped, so no artwork is copied from anywhere.
 *   make_art OUT.png DPI */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <cairo.h>

static const double card_width_mm = 85.6, card_height_mm = 54.0;

static void gradient(cairo_t *cr, double width)
{
    cairo_pattern_t *g = cairo_pattern_create_linear(0, 0, width, 0);
    cairo_pattern_add_color_stop_rgb(g, 0.0, 214 / 255.0, 232 / 255.0, 246 / 255.0);
    cairo_pattern_add_color_stop_rgb(g, 0.5, 246 / 255.0, 222 / 255.0, 232 / 255.0);
    cairo_pattern_add_color_stop_rgb(g, 1.0, 214 / 255.0, 232 / 255.0, 246 / 255.0);
    cairo_set_source(cr, g);
    cairo_paint(cr);
    cairo_pattern_destroy(g);
}

/* `count` sine waves across the card, in mm, each shifted in phase. */
static void waves(cairo_t *cr, int count, double amplitude, double period, double phase)
{
    for (int k = 0; k < count; k++) {
        double centre = (k + 0.5) * card_height_mm / count;
        for (double x = 0; x <= card_width_mm; x += 0.2) {
            double y = centre + amplitude * sin(x / period + phase + k * 0.7);
            if (x == 0)
                cairo_move_to(cr, x, y);
            else
                cairo_line_to(cr, x, y);
        }
        cairo_stroke(cr);
    }
}

/* Ellipses turned around one point: the rosette behind the emblem area. */
static void rosette(cairo_t *cr, double cx, double cy, double radius)
{
    for (int i = 0; i < 36; i++) {
        cairo_save(cr);
        cairo_translate(cr, cx, cy);
        cairo_rotate(cr, i * M_PI / 36);
        cairo_scale(cr, radius, radius * 0.35);
        cairo_arc(cr, 0, 0, 1, 0, 2 * M_PI);
        cairo_restore(cr);
        cairo_stroke(cr);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s OUT.png DPI\n", argv[0]);
        return 2;
    }
    double dpi = atof(argv[2]);
    int width = (int)lround(card_width_mm / 25.4 * dpi);
    int height = (int)lround(card_height_mm / 25.4 * dpi);
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    cairo_t *cr = cairo_create(surface);
    gradient(cr, width);
    cairo_scale(cr, dpi / 25.4, dpi / 25.4); /* from here on, millimetres */
    cairo_set_line_width(cr, 0.08);
    cairo_set_source_rgba(cr, 120 / 255.0, 150 / 255.0, 195 / 255.0, 0.55);
    waves(cr, 28, 1.6, 3.1, 0.0);
    cairo_set_source_rgba(cr, 200 / 255.0, 130 / 255.0, 160 / 255.0, 0.45);
    waves(cr, 28, 1.3, 2.3, M_PI);
    cairo_set_source_rgba(cr, 110 / 255.0, 140 / 255.0, 190 / 255.0, 0.5);
    rosette(cr, 42.0, 30.0, 14.0);
    cairo_destroy(cr);
    cairo_status_t status = cairo_surface_write_to_png(surface, argv[1]);
    cairo_surface_destroy(surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        fprintf(stderr, "make_art: %s: %s\n", argv[1], cairo_status_to_string(status));
        return 1;
    }
    return 0;
}
