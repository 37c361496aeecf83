/* Static layers per (template, dpi) (static_cache.h). */
#include "static_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "draw_fields.h"
#include "engine.h"
#include "panels.h"
#include "text_paint.h"

/* Resolutions kept per template; a card at yet another one is painted whole. */
enum { MAX_ENTRIES = 4 };

/* A record-dependent text field is assumed to paint within half an em of
 * its box: ascenders, descenders and side bearings rarely reach further. */
static const double live_text_margin_em = 0.5;

typedef enum entry_state { ENTRY_UNBUILT, ENTRY_READY, ENTRY_FAILED } entry_state;

typedef struct cache_entry {
    pthread_mutex_t build_lock; /* held while the entry is built: once per key */
    int dpi;
    entry_state state;
    cr_static_layers layers;
    struct cache_entry *next;
} cache_entry;

typedef struct cr_static_cache {
    pthread_mutex_t lock; /* guards the list */
    cache_entry *entries;
    size_t count;
} cr_static_cache;

/* False when the environment variable CARDRENDER_NO_STATIC_CACHE is set
 * (to anything but ""): every card is painted field by field (tests compare
 * the two). */
static bool cache_enabled(void)
{
    const char *off = getenv("CARDRENDER_NO_STATIC_CACHE");
    return !off || !off[0];
}

/* Hung on the template (cr_template_user_data) on its first render. */
static void *cache_create(void)
{
    cr_static_cache *cache = calloc(1, sizeof *cache);
    if (cache && pthread_mutex_init(&cache->lock, NULL) != 0) {
        free(cache);
        return NULL;
    }
    return cache;
}

static void free_layers(cr_static_layers *layers)
{
    cr_png_plan_unref(layers->png_plan);
    cr_canvas_pool_unref(layers->canvas_pool);
    for (int p = 0; p < 2; p++)
        cr_canvas_free(&layers->base[p]);
    cr_bitmap_free(&layers->overlay);
    for (size_t i = 0; i < layers->field_count; i++) {
        if (layers->fields[i].has_layout)
            cr_text_layout_free(&layers->fields[i].layout);
        cr_layer_free(&layers->fields[i].layer);
    }
    free(layers->fields);
    memset(layers, 0, sizeof *layers);
}

static void cache_destroy(void *data)
{
    cr_static_cache *cache = data;
    if (!cache)
        return;
    for (cache_entry *e = cache->entries, *next; e; e = next) {
        next = e->next;
        free_layers(&e->layers);
        pthread_mutex_destroy(&e->build_lock);
        free(e);
    }
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}

/* ------------------------------------------------------------ boxes */

static bool boxes_meet(cr_pixel_box a, cr_pixel_box b)
{
    return !cr_pixel_box_empty(a) && !cr_pixel_box_empty(b) && a.x0 < b.x1 && b.x0 < a.x1 &&
           a.y0 < b.y1 && b.y0 < a.y1;
}

/* Where a record-dependent field is assumed to paint. An image paints only
 * inside its box; text is assumed near its box (checked per card). */
static cr_pixel_box assumed_live_box(const cr_field *field, int dpi)
{
    if (field->type == CR_FIELD_IMAGE)
        return cr_image_field_box(field, dpi);
    double margin = live_text_margin_em * field->size_pt * dpi / 72.0;
    return cr_pixel_box_round(
        cr_mm_to_px(field->x_mm, dpi) - margin, cr_mm_to_px(field->y_mm, dpi) - margin,
        cr_mm_to_px(field->w_mm, dpi) + 2 * margin, cr_mm_to_px(field->h_mm, dpi) + 2 * margin);
}

/* ------------------------------------------------------------ build */

/* The boxes painted per card so far on one panel, in field order. */
typedef struct per_card {
    cr_pixel_box *boxes;
    size_t count;
} per_card;

static bool meets_any(const per_card *painted, cr_pixel_box box)
{
    for (size_t i = 0; i < painted->count; i++)
        if (boxes_meet(painted->boxes[i], box))
            return true;
    return false;
}

/* Lays out or composes a static field, keeping the result and its ink. */
static cr_status prepare(cr_engine *engine, const cr_template *tpl, const cr_field *field, int dpi,
                         cr_pixel_box clip, cr_static_field *out)
{
    cr_error err; /* a failure here is reported by the card painted whole */
    if (field->type != CR_FIELD_TEXT) {
        cr_status status =
            cr_compose_shape_field(tpl, field, NULL, dpi, NULL, NULL, clip, &out->layer, &err);
        out->ink = out->layer.box;
        return status;
    }
    cr_status status = cr_layout_text(engine, tpl, field, field->text, dpi, &out->layout, &err);
    if (status != CR_OK)
        return status;
    out->has_layout = true;
    return cr_text_ink_box(engine, &out->layout, clip, &out->ink, &err);
}

static cr_status paint_into_base(cr_engine *engine, const cr_field *field, cr_static_field *sf,
                                 cr_canvas *base)
{
    cr_error err;
    if (sf->has_layout)
        return cr_text_draw(engine, base, &sf->layout, field->color, &err);
    cr_layer_blend(&sf->layer, base);
    cr_layer_free(&sf->layer); /* in the base now: its pixels are not needed again */
    return CR_OK;
}

static cr_status plan_field(cr_engine *engine, const cr_template *tpl, size_t index, int dpi,
                            cr_static_layers *layers, per_card *painted)
{
    const cr_field *field = &tpl->fields[index];
    cr_static_field *sf = &layers->fields[index];
    cr_canvas *base = &layers->base[field->panel];
    if (cr_field_depends_on_record(field)) {
        sf->plan = CR_PLAN_LIVE;
        painted->boxes[painted->count++] = assumed_live_box(field, dpi);
        return CR_OK;
    }
    cr_pixel_box clip = {0, 0, base->width, base->height};
    cr_status status = prepare(engine, tpl, field, dpi, clip, sf);
    if (status != CR_OK)
        return status;
    if (meets_any(painted, sf->ink)) {
        sf->plan = CR_PLAN_PREPARED;
        painted->boxes[painted->count++] = sf->ink;
        return CR_OK;
    }
    sf->plan = CR_PLAN_BASE;
    return paint_into_base(engine, field, sf, base);
}

static cr_status plan_panel(cr_engine *engine, const cr_template *tpl, cr_panel panel, int dpi,
                            cr_static_layers *layers)
{
    per_card painted = {calloc(tpl->field_count ? tpl->field_count : 1, sizeof(cr_pixel_box)), 0};
    if (!painted.boxes)
        return CR_ERR_NOMEM;
    cr_status status = CR_OK;
    for (size_t i = 0; i < tpl->field_count && status == CR_OK; i++)
        if (tpl->fields[i].panel == panel)
            status = plan_field(engine, tpl, i, dpi, layers, &painted);
    free(painted.boxes);
    return status;
}

static cr_status make_bases(const cr_template *tpl, int dpi, cr_static_layers *layers)
{
    static const cr_color white = {255, 255, 255, 255};
    cr_error err;
    int width, height;
    cr_template_pixel_size(tpl, dpi, &width, &height);
    cr_status status = cr_canvas_init(&layers->base[CR_PANEL_COLOR], width, height, &err);
    if (status == CR_OK)
        status = cr_draw_card_background(tpl, dpi, &layers->base[CR_PANEL_COLOR], &err);
    if (status == CR_OK && tpl->print.k) {
        status = cr_canvas_init(&layers->base[CR_PANEL_K], width, height, &err);
        if (status == CR_OK)
            cr_canvas_fill(&layers->base[CR_PANEL_K], white);
    }
    if (status == CR_OK && tpl->print.overlay)
        status = cr_overlay_mask(tpl, dpi, width, height, &layers->overlay, &err);
    return status;
}

/* The colour panel as a card shows it where no record-dependent field
 * paints: the base with the prepared static fields drawn over it in order.
 * The PNG plan's reference: a label kept out of the base (it meets a live
 * field's assumed box) is on every card, so with the base alone its chunks
 * never matched and were coded afresh on every card (the benchmark card's
 * five labels so kept: 120 KB of filtered bytes a card). */
static cr_status static_look(cr_engine *engine, const cr_template *tpl,
                             const cr_static_layers *layers, cr_canvas *look)
{
    cr_error err;
    cr_status status = cr_canvas_copy(&layers->base[CR_PANEL_COLOR], look, &err);
    for (size_t i = 0; i < tpl->field_count && status == CR_OK; i++) {
        const cr_static_field *sf = &layers->fields[i];
        if (sf->plan != CR_PLAN_PREPARED || tpl->fields[i].panel != CR_PANEL_COLOR)
            continue;
        if (sf->has_layout)
            status = cr_text_draw(engine, look, &sf->layout, tpl->fields[i].color, &err);
        else
            cr_layer_blend(&sf->layer, look);
    }
    return status;
}

/* The colour panel's PNG plan, with static_look as its reference (none
 * when out of memory: each card then gets a plan without one). */
static cr_status make_png_plan(cr_engine *engine, const cr_template *tpl, cr_static_layers *layers)
{
    cr_canvas look = {0};
    cr_status status = static_look(engine, tpl, layers, &look);
    if (status == CR_OK)
        layers->png_plan = cr_static_png_plan(tpl, layers->dpi, &look);
    cr_canvas_free(&look);
    return status;
}

/* The pool of the colour canvases cards give back (canvas_pool.h): a card
 * blends the prepared fields of its panel over the base wherever its record
 * paints. Without one (out of memory), every card copies the base. */
static void make_canvas_pool(const cr_template *tpl, cr_static_layers *layers)
{
    size_t room = layers->field_count ? layers->field_count : 1;
    cr_pixel_box *prepared = malloc(room * sizeof *prepared);
    if (!prepared)
        return;
    size_t count = 0;
    for (size_t i = 0; i < layers->field_count; i++)
        if (layers->fields[i].plan == CR_PLAN_PREPARED && tpl->fields[i].panel == CR_PANEL_COLOR)
            prepared[count++] = layers->fields[i].ink;
    layers->canvas_pool = cr_canvas_pool_create(&layers->base[CR_PANEL_COLOR], prepared, count);
    free(prepared);
}

static cr_status build(cr_engine *engine, const cr_template *tpl, int dpi, cr_static_layers *layers)
{
    layers->dpi = dpi;
    layers->fields = calloc(tpl->field_count ? tpl->field_count : 1, sizeof *layers->fields);
    if (!layers->fields)
        return CR_ERR_NOMEM;
    layers->field_count = tpl->field_count;
    cr_status status = make_bases(tpl, dpi, layers);
    if (status == CR_OK)
        status = plan_panel(engine, tpl, CR_PANEL_COLOR, dpi, layers);
    if (status == CR_OK && tpl->print.k)
        status = plan_panel(engine, tpl, CR_PANEL_K, dpi, layers);
    if (status == CR_OK)
        status = make_png_plan(engine, tpl, layers);
    if (status == CR_OK)
        make_canvas_pool(tpl, layers);
    return status;
}

/* ------------------------------------------------------------- plan */

/* The box a record-dependent field of the colour panel may paint (text
 * straying out of it only costs the reuse of what it reaches, on that
 * card: the writer compares the pixels). */
static cr_pixel_box live_box(const cr_field *field, int dpi)
{
    if (field->type == CR_FIELD_IMAGE)
        return cr_image_field_box(field, dpi);
    return cr_pixel_box_round(cr_mm_to_px(field->x_mm, dpi), cr_mm_to_px(field->y_mm, dpi),
                              cr_mm_to_px(field->w_mm, dpi), cr_mm_to_px(field->h_mm, dpi));
}

/* Whether a live field's chunks are coded as literals and runs (png_plan.h):
 * all but a machine-readable zone, whose fillers and repeated letters on a
 * plain ground the deflater's matches find (the travel permit's back, at
 * 300 and 600 dpi: 121,575 and 305,459 bytes so, 141,415 and 324,815 as
 * runs). A ghost image's screen is runs too: its front was 926 bytes
 * larger so at 300 dpi and 6,122 smaller at 600. */
static bool coded_by_runs(const cr_field *field)
{
    return field->type != CR_FIELD_MRZ;
}

/* Whether a live field changes the whole of its box with every card, so
 * its rows are not cut into chunks (png_plan.h): a picture (a photo, its
 * ghost). One that leaves part of its box as it was (a picture fitted
 * with margins) only has that part coded again: the same file. */
static bool changes_whole_box(const cr_field *field)
{
    return field->type == CR_FIELD_IMAGE;
}

cr_png_plan *cr_static_png_plan(const cr_template *tpl, int dpi, const cr_canvas *reference)
{
    int width, height;
    cr_template_pixel_size(tpl, dpi, &width, &height);
    cr_png_box *boxes = malloc(sizeof *boxes * (tpl->field_count ? tpl->field_count : 1));
    if (!boxes)
        return NULL;
    size_t count = 0;
    for (size_t i = 0; i < tpl->field_count; i++) {
        const cr_field *field = &tpl->fields[i];
        if (!cr_field_depends_on_record(field) || field->panel != CR_PANEL_COLOR)
            continue;
        cr_pixel_box box = live_box(field, dpi);
        boxes[count++] = (cr_png_box){
            box.x0, box.y0, box.x1, box.y1, coded_by_runs(field), changes_whole_box(field)};
    }
    cr_png_plan *plan = cr_png_plan_create(width, height, boxes, count, reference);
    free(boxes);
    return plan;
}

/* ----------------------------------------------------------- lookup */

/* The entry for dpi, added when missing and there is room; NULL otherwise. */
static cache_entry *find_entry(cr_static_cache *cache, int dpi)
{
    pthread_mutex_lock(&cache->lock);
    cache_entry **link = &cache->entries;
    while (*link && (*link)->dpi != dpi)
        link = &(*link)->next;
    cache_entry *entry = *link;
    if (!entry && cache->count < MAX_ENTRIES) {
        entry = calloc(1, sizeof *entry);
        if (entry && pthread_mutex_init(&entry->build_lock, NULL) != 0) {
            free(entry);
            entry = NULL;
        }
        if (entry) {
            entry->dpi = dpi;
            *link = entry;
            cache->count++;
        }
    }
    pthread_mutex_unlock(&cache->lock);
    return entry;
}

static void *make_nothing(void)
{
    return NULL;
}

bool cr_static_layers_exist(const cr_template *tpl)
{
    return cr_template_user_data(tpl, make_nothing, cache_destroy) != NULL;
}

const cr_static_layers *cr_static_layers_get(cr_engine *engine, const cr_template *tpl, int dpi)
{
    if (engine->no_static_cache || !cache_enabled())
        return NULL;
    cr_static_cache *cache = cr_template_user_data(tpl, cache_create, cache_destroy);
    if (!cache)
        return NULL;
    cache_entry *entry = find_entry(cache, dpi);
    if (!entry)
        return NULL;
    pthread_mutex_lock(&entry->build_lock);
    if (entry->state == ENTRY_UNBUILT) {
        bool built = build(engine, tpl, dpi, &entry->layers) == CR_OK;
        if (!built)
            free_layers(&entry->layers);
        entry->state = built ? ENTRY_READY : ENTRY_FAILED;
    }
    entry_state state = entry->state;
    pthread_mutex_unlock(&entry->build_lock);
    return state == ENTRY_READY ? &entry->layers : NULL;
}

bool cr_static_layers_conflict(const cr_static_layers *layers, const cr_template *tpl, size_t index,
                               cr_pixel_box touched)
{
    cr_panel panel = tpl->fields[index].panel;
    for (size_t j = index + 1; j < layers->field_count; j++)
        if (layers->fields[j].plan == CR_PLAN_BASE && tpl->fields[j].panel == panel &&
            boxes_meet(layers->fields[j].ink, touched))
            return true;
    return false;
}
