/* Canvases a template's cards give back for the next card to start from.
 *
 * A card painted from the static cache (static_cache.h) starts as a copy
 * of its template's base: at 300 dpi a 1.9 MB copy on every card, 5% of
 * its time in a profile. When the card is destroyed, its canvas differs
 * from the base only where the card painted: the boxes its record-
 * dependent fields changed (the same boxes the PNG writer is told,
 * cr_png_changes) and the prepared static fields it blended over them.
 * Its pixels are kept here with those boxes, and the next card of that
 * template and resolution takes them and copies back from the base only
 * the boxes: the photo, the glyphs, a few labels (31% of the pixels on the
 * benchmark card), into memory still in the cache.
 *
 * A canvas whose changes are not known (painted whole, placed on a printer
 * canvas, mirrored) is never given back. A box too many only costs its
 * copy; one too few would leave the last person's ink on the next card.
 * So the boxes are those the painting itself reports, and the tests render
 * the cards of different records in turn against cards painted whole.
 *
 * A pool is reference-counted: the template's static layers hold it, and
 * every image painted from them, which may outlive the template. It keeps
 * at most CR_CANVAS_POOL_MAX canvases (as many cards as are in flight at
 * once in a batch of a few threads); any further one is freed. Thread-safe. */
#ifndef CR_CANVAS_POOL_H
#define CR_CANVAS_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include "paint.h"
#include "png_plan.h"
#include "raster.h"

enum { CR_CANVAS_POOL_MAX = 4 };

typedef struct cr_canvas_pool cr_canvas_pool;

/* A pool for canvases the size of base (width, height and stride), whose
 * cards always blend over the `always` boxes (the prepared static fields'
 * ink; copied). NULL when out of memory. */
cr_canvas_pool *cr_canvas_pool_create(const cr_canvas *base, const cr_pixel_box *always,
                                      size_t always_count);
cr_canvas_pool *cr_canvas_pool_ref(cr_canvas_pool *pool);
/* NULL is fine. The last reference frees the kept canvases. */
void cr_canvas_pool_unref(cr_canvas_pool *pool);

/* A kept canvas made equal to base again (the base the pool was made for),
 * into *out: true; false (nothing changed) when none is kept. */
bool cr_canvas_pool_take(cr_canvas_pool *pool, const cr_canvas *base, cr_canvas *out);

/* Gives back a card's canvas, which differs from the base only within the
 * `changed` boxes and the pool's `always` boxes. Takes over both the
 * canvas's pixels and the changed array (malloc'd): kept when there is
 * room and the canvas is the pool's size, else freed. The canvas is left
 * empty. */
void cr_canvas_pool_give(cr_canvas_pool *pool, cr_canvas *canvas, cr_png_box *changed,
                         size_t changed_count);

/* Canvases kept now (tests). */
size_t cr_canvas_pool_kept(cr_canvas_pool *pool);

#endif
