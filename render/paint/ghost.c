/* Ghost images (ghost.h). */
#include "ghost.h"

#include <math.h>

/* The ink of a periodic band [k - w/2, k + w/2] (k whole) between 0 and t:
 * whole periods hold w each, the part period what of the band it reaches. */
static double band_integral(double t, double w)
{
    double whole = floor(t);
    double frac = t - whole;
    double half = w / 2;
    double in_part = fmin(frac, half) + fmax(0, frac - (1 - half));
    return whole * w + in_part;
}

double cr_line_screen_coverage(double u, double footprint, double ink)
{
    if (ink <= 0)
        return 0;
    if (ink >= 1)
        return 1;
    if (footprint <= 0)
        return 0;
    double covered = band_integral(u + footprint / 2, ink) - band_integral(u - footprint / 2, ink);
    return fmin(1, fmax(0, covered / footprint));
}

/* Ink alpha (0..1 of the canvas) for one pixel of premultiplied rgba. */
static double ghost_alpha(const uint8_t *p, double screen_u, double footprint,
                          const cr_ghost_paint *ghost)
{
    unsigned alpha = p[3];
    if (alpha == 0)
        return 0;
    /* Rec. 601 luma of the premultiplied colour: darkness a - Y is the
     * straight darkness scaled by the pixel's own coverage. */
    double luma = (299.0 * p[0] + 587.0 * p[1] + 114.0 * p[2]) / 1000.0;
    double darkness = fmax(0, alpha - luma);
    double keep = (1 - ghost->fade) * ghost->color.a / 255.0;
    if (ghost->screen_period <= 0)
        return darkness / 255.0 * keep;
    double coverage = cr_line_screen_coverage(screen_u, footprint, darkness / alpha);
    return alpha / 255.0 * coverage * keep;
}

static uint8_t to_byte(double value)
{
    return (uint8_t)lround(fmin(255, fmax(0, value)));
}

void cr_layer_make_ghost(cr_layer *layer, const cr_ghost_paint *ghost)
{
    if (!layer || !layer->rgba || !ghost)
        return;
    /* Lines run along (cos a, -sin a) on a canvas whose y grows downwards;
     * u counts periods along their normal from the centre of the box's
     * first pixel, so with a whole-pixel period a line sits on whole rows. */
    double angle = ghost->screen_angle_deg * M_PI / 180;
    double nx = sin(angle), ny = cos(angle);
    double period = ghost->screen_period > 0 ? ghost->screen_period : 1;
    double footprint = (fabs(nx) + fabs(ny)) / period;
    for (int y = 0; y < layer->height; y++) {
        uint8_t *row = layer->rgba + (size_t)y * layer->width * 4;
        double cy = layer->box.y0 + y - ghost->origin_y;
        for (int x = 0; x < layer->width; x++) {
            uint8_t *p = row + 4 * x;
            double cx = layer->box.x0 + x - ghost->origin_x;
            double u = (cx * nx + cy * ny) / period;
            uint8_t a = to_byte(ghost_alpha(p, u, footprint, ghost) * 255);
            p[0] = (uint8_t)((ghost->color.r * a + 127) / 255);
            p[1] = (uint8_t)((ghost->color.g * a + 127) / 255);
            p[2] = (uint8_t)((ghost->color.b * a + 127) / 255);
            p[3] = a;
        }
    }
}
