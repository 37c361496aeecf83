/* Ghost images: a security feature of personalised cards that prints the
 * holder's photo a second time, faded, often through a line screen. This
 * module turns a composed picture layer (paint.h) into that second image:
 * the picture's darkness becomes ink of one colour, with a fraction of it
 * faded away, so its light background vanishes into the card beneath; a
 * line screen gathers the ink into parallel lines whose width follows the
 * tone. It works on the layer's device pixels, after scaling, so the
 * lines are exact at every resolution and the photo is decoded once for
 * both of its images. */
#ifndef CR_GHOST_H
#define CR_GHOST_H

#include "cardrender.h"
#include "paint.h"

typedef struct cr_ghost_paint {
    double fade;          /* 0..1: the fraction of ink taken away */
    cr_color color;       /* the ink; its alpha scales the ink too */
    double screen_period; /* pixels between line centres; 0: no screen */
    double screen_angle_deg;
    double origin_x, origin_y; /* canvas pixels the screen is anchored at */
} cr_ghost_paint;

/* Rewrites the premultiplied layer in place as its ghost. */
void cr_layer_make_ghost(cr_layer *layer, const cr_ghost_paint *ghost);

/* The fraction (0..1) of a pixel a line screen inks when the tone asks for
 * `ink` (0..1) of it: u is the pixel centre's position across the lines in
 * periods, footprint the pixel's width across them in periods. Lines are
 * centred on whole periods and are ink wide. Exposed for tests. */
double cr_line_screen_coverage(double u, double footprint, double ink);

#endif
