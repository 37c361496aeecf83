/* A template's static layers, painted once per resolution and reused by
 * every card. A field is static when it does not depend on the record (no
 * "bind"): fixed text, artwork, rects, lines, and the card's background and
 * background image. A static field goes into the base canvas of its panel
 * when it overlaps (by the pixels it paints) no earlier field that is painted
 * per card; moving it ahead of those fields then changes no pixel, so a card
 * that starts from a copy of the base and paints the rest in order has the
 * same bytes as one painted field by field. The other static fields keep
 * their layout (text) or composed layer (pictures, shapes: artwork is scaled
 * once) and are blended per card. Where a record-dependent field lands is
 * only known per card: it is assumed to stay near its box, and a card whose
 * field reaches a later base field after all is painted again from scratch
 * (cr_static_layers_conflict), so the assumption costs time, never bytes.
 *
 * Entries are built once per (template, dpi) under a lock and never change
 * afterwards; the K panel has its own base, and mirroring and printer
 * canvases are applied after painting, so they need no key of their own. */
#ifndef CR_STATIC_CACHE_H
#define CR_STATIC_CACHE_H

#include <stdbool.h>

#include "canvas_pool.h"
#include "layout.h"
#include "png_plan.h"
#include "paint.h"
#include "raster.h"
#include "template.h"

typedef enum cr_field_plan {
    CR_PLAN_LIVE,    /* depends on the record: painted on every card */
    CR_PLAN_BASE,    /* static, painted into the base */
    CR_PLAN_PREPARED /* static, blended on every card from what is kept below */
} cr_field_plan;

typedef struct cr_static_field {
    cr_field_plan plan;
    cr_pixel_box ink;      /* the pixels it paints (BASE, PREPARED) */
    bool has_layout;       /* static text: */
    cr_text_layout layout; /* drawn from it; its warnings and report are given again per card */
    cr_layer layer;        /* a PREPARED picture or shape */
} cr_static_field;

typedef struct cr_static_layers {
    int dpi;
    cr_png_plan *png_plan;       /* the colour panel's PNG plan (below), with base coded */
    cr_canvas_pool *canvas_pool; /* the colour canvases of cards done, for the next (or NULL) */
    cr_canvas base[2];           /* by field panel: [CR_PANEL_COLOR], [CR_PANEL_K] (empty: none) */
    cr_bitmap overlay;           /* the overlay mask; empty without card.overlay */
    cr_static_field *fields;     /* one per template field */
    size_t field_count;
} cr_static_layers;

/* The layers of tpl at dpi, built on first use into a cache hung on the
 * template (cr_template_user_data, freed with it); NULL when the cache is
 * off (the engine's no_static_cache, CARDRENDER_NO_STATIC_CACHE), full or cannot be made (a
 * template made by hand has no room for it), or a static field failed to paint (the card painted
 * field by field then reports that failure where it happens). Thread-safe. */
const cr_static_layers *cr_static_layers_get(cr_engine *engine, const cr_template *tpl, int dpi);

/* True when a render has hung static layers on the template (at any
 * resolution), without making any: tests see that an engine with
 * no_static_cache builds none. */
bool cr_static_layers_exist(const cr_template *tpl);

/* Whether the live field at index, about to paint `touched`, overlaps a
 * later field of its panel that is in the base: the base is then wrong for
 * this card. */
bool cr_static_layers_conflict(const cr_static_layers *layers, const cr_template *tpl, size_t index,
                               cr_pixel_box touched);

/* The colour panel's PNG plan (png_plan.h), its live boxes those of the
 * record-dependent fields: a function of the template and dpi alone, so a
 * card painted from the cache and one painted whole are written alike.
 * Returns the plan, to be unreferenced; reference (the base, or NULL) as
 * for cr_png_plan_create. NULL when out of memory. */
cr_png_plan *cr_static_png_plan(const cr_template *tpl, int dpi, const cr_canvas *reference);

#endif
