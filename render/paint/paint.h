/* Pictures and shapes on the canvas, in pixel units (callers convert from
 * millimetres). Each one is first composed into a premultiplied RGBA layer
 * over the whole pixels it touches, then blended onto the canvas once with
 * its opacity: a stroke and its fill, or a picture and its padding, fade as
 * one layer (group opacity) rather than showing through each other. All
 * arithmetic on pixels is integer with exact rounding, so the result is the
 * same on every machine. */
#ifndef CR_PAINT_H
#define CR_PAINT_H

#include <stdbool.h>

#include "raster.h"
#include "resample.h"
#include "template.h"

/* Whole pixels [x0, x1) x [y0, y1); empty when x1 <= x0 or y1 <= y0. */
typedef struct cr_pixel_box {
    int x0, y0, x1, y1;
} cr_pixel_box;

/* The whole pixels nearest to a box in pixel units: each edge rounded, so
 * two boxes that share an edge share it here too. */
cr_pixel_box cr_pixel_box_round(double x, double y, double width, double height);

bool cr_pixel_box_empty(cr_pixel_box box);

/* The pixels both boxes hold (empty when none). */
cr_pixel_box cr_pixel_box_intersect(cr_pixel_box a, cr_pixel_box b);

/* Where a picture lands in its box. */
typedef struct cr_image_placement {
    cr_rectd source;     /* the part of the picture that shows, in its pixels */
    cr_pixel_box target; /* the canvas pixels it is scaled to; empty: none show */
} cr_image_placement;

/* Fits a width x height picture into box (see cr_image_fit in template.h).
 * The point (focus_x, focus_y) of the picture, in fractions of its size,
 * lands on the same point of the box, as CSS object-position does: 0.5
 * centres, 0 keeps the left or top edges together. none_scale is the canvas
 * pixels per picture pixel for CR_IMAGE_NONE. */
cr_image_placement cr_image_place(int width, int height, cr_pixel_box box, cr_image_fit fit,
                                  double focus_x, double focus_y, double none_scale);

typedef struct cr_image_paint {
    cr_pixel_box box;
    cr_image_fit fit;
    double focus_x, focus_y;
    double none_scale;     /* canvas pixels per picture pixel for CR_IMAGE_NONE */
    int quarter_turns;     /* the picture is turned clockwise first, then fitted */
    cr_color pad;          /* painted over the whole box, under the picture */
    double opacity;        /* 0..1, for pad and picture together */
    double corner_radius;  /* pixels: the box's corners are rounded off */
    cr_adjustments adjust; /* applied to the picture once it is scaled */
} cr_image_paint;

/* Paints picture (straight-alpha RGBA, image.h) as paint says. */
cr_status cr_paint_image(cr_canvas *canvas, const cr_pixmap *picture, const cr_image_paint *paint,
                         cr_error *err);

typedef struct cr_rect_paint {
    double x, y, width, height; /* pixels, need not be whole */
    double corner_radius;
    cr_color fill, stroke; /* alpha 0: none */
    double stroke_width;   /* the stroke lies inside the edge */
    double opacity;        /* 0..1 */
} cr_rect_paint;

cr_status cr_paint_rect(cr_canvas *canvas, const cr_rect_paint *paint, cr_error *err);

/* A straight stroke with square ends exactly at (x0, y0) and (x1, y1). */
typedef struct cr_line_paint {
    double x0, y0, x1, y1;
    double width;
    cr_color color;
    double opacity; /* 0..1 */
} cr_line_paint;

cr_status cr_paint_line(cr_canvas *canvas, const cr_line_paint *paint, cr_error *err);

/* The fraction (0..1) of pixel (px, py) the line covers: the pixel is read
 * as a unit square turned with the line, so a horizontal or vertical line
 * gets its exact area and a slanted one the same total ink. */
double cr_line_coverage(const cr_line_paint *line, int px, int py);

/* A picture or shape composed into its premultiplied layer, not yet on a
 * canvas: blending it later gives the same bytes as painting it directly,
 * so a static field is composed once and blended on every card. */
typedef struct cr_layer {
    cr_pixel_box box; /* the canvas pixels it covers (all it can touch); empty: none */
    int width, height;
    uint8_t *rgba;    /* premultiplied, width x height, 4 bytes a pixel */
    unsigned opacity; /* 0..255, applied when blending */
} cr_layer;

/* The compose half of cr_paint_image, cr_paint_rect and cr_paint_line, for
 * a canvas whose pixels are clip ({0, 0, width, height}). *out is always
 * initialised; free it with cr_layer_free. */
cr_status cr_compose_image(cr_pixel_box clip, const cr_pixmap *picture, const cr_image_paint *paint,
                           cr_layer *out, cr_error *err);
cr_status cr_compose_rect(cr_pixel_box clip, const cr_rect_paint *paint, cr_layer *out,
                          cr_error *err);
cr_status cr_compose_line(cr_pixel_box clip, const cr_line_paint *paint, cr_layer *out,
                          cr_error *err);

/* Blends a composed layer onto canvas with its opacity; the layer stays. */
void cr_layer_blend(const cr_layer *layer, cr_canvas *canvas);

void cr_layer_free(cr_layer *layer);

#endif
