/* The render stage: paints a template's fields for one record onto the
 * card's panels (the colour image, and the K panel a template sends fields
 * to), starting from the template's cached static layers when it can; then
 * turns the K panel and overlay mask into 1 bit, places the card on a
 * printer canvas and mirrors it as asked. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "array.h"
#include "atomic_file.h"
#include "draw_fields.h"
#include "engine.h"
#include "error.h"
#include "options.h"
#include "font_select.h"
#include "glyph_cache.h"
#include "layout.h"
#include "mrz_paint.h"
#include "panels.h"
#include "png_bits.h"
#include "png_io.h"
#include "raster.h"
#include "static_cache.h"
#include "template.h"
#include "text_paint.h"

static const cr_color white = {255, 255, 255, 255};

/* ------------------------------------------------------------ fields */

/* One card being painted. */
typedef struct card_job {
    cr_engine *engine;
    const cr_template *tpl;
    const cr_record *record;
    int dpi;
    const cr_render_options *options;
    cr_canvas canvas[2];            /* by field panel: colour, K (empty: no K panel) */
    const cr_static_layers *cached; /* NULL: every field painted here */
    const cr_static_layers *layers; /* the template's cache, whether used or not */
    int quiet_through;              /* warnings and reports up to this field were given */
    int conflict_at;                /* a live field that reaches a later base field, or -1 */
    cr_photo_memo photos;           /* photos two fields bind, decoded once */
    /* Where the colour canvas may differ from the cache's static look (the
     * PNG plan's reference): the boxes record-dependent fields painted, each
     * as painted (text: each glyph's box). The fields the base holds, and the
     * prepared ones drawn over it as the static look has them, change
     * nothing there. */
    cr_png_box *changes;
    size_t change_count, change_capacity;
    bool changes_unknown; /* a field painted without the cache: anywhere */
} card_job;

/* A record-dependent field painted `box` of its panel. */
static void note_change(card_job *job, const cr_field *field, cr_pixel_box box)
{
    if (field->panel != CR_PANEL_COLOR || cr_pixel_box_empty(box))
        return;
    if (!job->cached || !cr_reserve((void **)&job->changes, &job->change_capacity,
                                    job->change_count + 1, sizeof *job->changes)) {
        job->changes_unknown = true;
        return;
    }
    job->changes[job->change_count++] = (cr_png_box){box.x0, box.y0, box.x1, box.y1, false, false};
}

/* A text field's warnings and report, once per card. */
static void announce(const card_job *job, const cr_field *field, const cr_text_layout *layout)
{
    if (field->index <= job->quiet_through)
        return;
    cr_layout_announce(job->tpl, field, layout, job->options, true);
}

/* The field a glyph being drawn belongs to. */
typedef struct drawing_field {
    card_job *job;
    const cr_field *field;
} drawing_field;

/* Each glyph's box is a change of its own, not the text's whole ink box:
 * the gaps between words and lines, and above and below short glyphs, are
 * then known to be as the base has them (a card's PNG takes the base's
 * code there without comparing its pixels). */
static void note_glyph(void *data, cr_pixel_box box)
{
    const drawing_field *drawing = data;
    note_change(drawing->job, drawing->field, box);
}

/* A record's laid-out text drawn; when its ink reaches a later field the
 * cached base already holds, the card is painted again, whole (this
 * canvas is dropped, so drawing first costs nothing: the ink is found as
 * it is drawn, and the glyphs' changes are dropped with it). The layout
 * is freed. */
static cr_status draw_live_layout(card_job *job, const cr_field *field, cr_text_layout *layout,
                                  cr_canvas *canvas, cr_error *err)
{
    cr_pixel_box ink = {0, 0, 0, 0};
    drawing_field drawing = {job, field};
    cr_status status =
        cr_text_draw_inked(job->engine, canvas, layout, field->color, job->cached ? &ink : NULL,
                           job->cached ? note_glyph : NULL, &drawing, err);
    if (status == CR_OK && !job->cached)
        job->changes_unknown = true; /* painted whole: no ink box */
    else if (status == CR_OK &&
             cr_static_layers_conflict(job->cached, job->tpl, (size_t)field->index, ink))
        job->conflict_at = field->index;
    cr_text_layout_free(layout);
    return status;
}

/* A record's text (or, painting whole, any text): laid out and drawn now. */
static cr_status paint_live_text(card_job *job, const cr_field *field, cr_canvas *canvas,
                                 cr_error *err)
{
    const char *text = cr_field_text(job->tpl, field, job->record, err);
    if (!text)
        return err ? err->code : CR_ERR_RECORD;
    size_t limit = job->options ? job->options->max_value_bytes : 0;
    cr_status fits = cr_field_value_fits(job->tpl, field, text, limit, err);
    if (fits != CR_OK)
        return fits;
    cr_field with_lang;
    field = cr_field_for_record(job->tpl, field, job->record, &with_lang, err);
    if (!field)
        return err ? err->code : CR_ERR_RECORD;
    cr_text_layout layout;
    cr_status status = cr_layout_text(job->engine, job->tpl, field, text, job->dpi, &layout, err);
    if (status != CR_OK)
        return status;
    announce(job, field, &layout);
    return draw_live_layout(job, field, &layout, canvas, err);
}

/* An MRZ: built from the record, laid out on the 9303 grid, drawn. */
static cr_status paint_live_mrz(card_job *job, const cr_field *field, cr_canvas *canvas,
                                cr_error *err)
{
    cr_text_layout layout;
    cr_status status = cr_mrz_layout(job->tpl, field, job->record, job->dpi, &layout, err);
    if (status != CR_OK)
        return status;
    return draw_live_layout(job, field, &layout, canvas, err);
}

/* A photo (or, painting whole, any picture or shape): composed and blended. */
static cr_status paint_live_shape(card_job *job, const cr_field *field, cr_canvas *canvas,
                                  cr_error *err)
{
    cr_layer layer;
    cr_status status =
        cr_compose_shape_field(job->tpl, field, job->record, job->dpi, job->options, &job->photos,
                               (cr_pixel_box){0, 0, canvas->width, canvas->height}, &layer, err);
    if (status == CR_OK && job->cached &&
        cr_static_layers_conflict(job->cached, job->tpl, (size_t)field->index, layer.box))
        job->conflict_at = field->index;
    if (status == CR_OK && job->conflict_at < 0) {
        cr_layer_blend(&layer, canvas);
        note_change(job, field, layer.box);
    }
    cr_layer_free(&layer);
    return status;
}

/* A static field the base does not hold: from its kept layout or layer. */
static cr_status paint_prepared(card_job *job, const cr_field *field,
                                const cr_static_field *prepared, cr_canvas *canvas, cr_error *err)
{
    if (!prepared->has_layout) {
        cr_layer_blend(&prepared->layer, canvas);
        return CR_OK;
    }
    return cr_text_draw(job->engine, canvas, &prepared->layout, field->color, err);
}

static cr_status paint_field(card_job *job, const cr_field *field, cr_error *err)
{
    cr_canvas *canvas = &job->canvas[field->panel];
    const cr_static_field *cached = job->cached ? &job->cached->fields[field->index] : NULL;
    if (cached && cached->has_layout)
        announce(job, field, &cached->layout);
    if (cached && cached->plan == CR_PLAN_BASE)
        return CR_OK;
    if (cached && cached->plan == CR_PLAN_PREPARED)
        return paint_prepared(job, field, cached, canvas, err);
    if (cr_field_is_absent(field, job->record))
        return CR_OK;
    if (field->type == CR_FIELD_TEXT)
        return paint_live_text(job, field, canvas, err);
    if (field->type == CR_FIELD_MRZ)
        return paint_live_mrz(job, field, canvas, err);
    return paint_live_shape(job, field, canvas, err);
}

/* The panels' canvases: copies of the cached bases, or painted backgrounds. */
static cr_status start_canvases(card_job *job, cr_error *err)
{
    bool k = job->tpl->print.k;
    if (job->cached) {
        const cr_canvas *base = &job->cached->base[CR_PANEL_COLOR];
        cr_status status =
            cr_canvas_pool_take(job->cached->canvas_pool, base, &job->canvas[CR_PANEL_COLOR])
                ? CR_OK
                : cr_canvas_copy(base, &job->canvas[CR_PANEL_COLOR], err);
        if (status == CR_OK && k)
            status = cr_canvas_copy(&job->cached->base[CR_PANEL_K], &job->canvas[CR_PANEL_K], err);
        return status;
    }
    int width, height;
    cr_template_pixel_size(job->tpl, job->dpi, &width, &height);
    cr_status status = cr_canvas_init(&job->canvas[CR_PANEL_COLOR], width, height, err);
    if (status == CR_OK)
        status = cr_draw_card_background(job->tpl, job->dpi, &job->canvas[CR_PANEL_COLOR], err);
    if (status == CR_OK && k) {
        status = cr_canvas_init(&job->canvas[CR_PANEL_K], width, height, err);
        if (status == CR_OK)
            cr_canvas_fill(&job->canvas[CR_PANEL_K], white);
    }
    return status;
}

static void free_canvases(card_job *job)
{
    cr_canvas_free(&job->canvas[CR_PANEL_COLOR]);
    cr_canvas_free(&job->canvas[CR_PANEL_K]);
}

static cr_status paint_fields(card_job *job, cr_error *err)
{
    cr_status status = start_canvases(job, err);
    for (size_t i = 0; i < job->tpl->field_count && status == CR_OK && job->conflict_at < 0; i++)
        status = paint_field(job, &job->tpl->fields[i], err);
    if (status != CR_OK)
        free_canvases(job);
    return status;
}

/* Paints from the cached base; a card whose record-dependent field reaches
 * a later base field is painted again, whole, without repeating warnings
 * and reports already given. */
static cr_status paint_card(card_job *job, cr_error *err)
{
    job->cached = job->layers = cr_static_layers_get(job->engine, job->tpl, job->dpi);
    job->quiet_through = -1;
    job->conflict_at = -1;
    cr_status status = paint_fields(job, err);
    if (status != CR_OK || job->conflict_at < 0)
        return status;
    free_canvases(job);
    job->cached = NULL;
    job->changes_unknown = true;
    job->quiet_through = job->conflict_at;
    job->conflict_at = -1;
    return paint_fields(job, err);
}

/* ------------------------------------------------------------ panels */

static cr_image *new_image(int dpi, cr_error *err)
{
    cr_image *image = calloc(1, sizeof *image);
    if (!image)
        cr_fail(err, CR_ERR_NOMEM, "out of memory for the image");
    else
        image->dpi = dpi;
    return image;
}

/* A 1-bit panel image holding bitmap (taken over). */
static cr_status attach_panel(cr_image *image, cr_panel panel, cr_bitmap *bitmap, cr_error *err)
{
    cr_image *attached = new_image(image->dpi, err);
    if (!attached) {
        cr_bitmap_free(bitmap);
        return CR_ERR_NOMEM;
    }
    attached->bitmap = *bitmap;
    image->panels[panel] = attached;
    return CR_OK;
}

/* The K panel's grey to 1 bit, and the overlay mask (cached or made now). */
static cr_status make_panels(const card_job *job, cr_image *image, cr_error *err)
{
    const cr_print_panels *print = &job->tpl->print;
    cr_status status = CR_OK;
    cr_bitmap bits;
    if (print->k) {
        status = cr_bitmap_from_canvas(&job->canvas[CR_PANEL_K], print->k_mode, print->k_threshold,
                                       &bits, err);
        if (status == CR_OK)
            status = attach_panel(image, CR_PANEL_K, &bits, err);
    }
    if (status != CR_OK || !print->overlay)
        return status;
    const cr_canvas *card = &image->canvas;
    status = job->cached
                 ? cr_bitmap_copy(&job->cached->overlay, &bits, err)
                 : cr_overlay_mask(job->tpl, job->dpi, card->width, card->height, &bits, err);
    return status == CR_OK ? attach_panel(image, CR_PANEL_OVERLAY, &bits, err) : status;
}

/* ---------------------------------------------------- print geometry */

static bool wants_canvas(const cr_render_options *options)
{
    return options && (options->canvas_width || options->canvas_height);
}

/* Where the card's top-left pixel lands on the printer canvas. */
static void card_origin(const cr_render_options *options, int card_width, int card_height, int *x,
                        int *y)
{
    *x = (options->canvas_width - card_width) / 2 + options->canvas_offset_x;
    *y = (options->canvas_height - card_height) / 2 + options->canvas_offset_y;
}

static cr_status check_print_options(const cr_template *tpl, int dpi,
                                     const cr_render_options *options, cr_error *err)
{
    if (!wants_canvas(options))
        return CR_OK;
    if (options->canvas_width <= 0 || options->canvas_height <= 0 ||
        options->canvas_width > 20000 || options->canvas_height > 20000)
        return cr_fail(err, CR_ERR_ARGUMENT,
                       "printer canvas %dx%d is not between 1x1 and 20000x20000 pixels",
                       options->canvas_width, options->canvas_height);
    int width, height, x, y;
    cr_template_pixel_size(tpl, dpi, &width, &height);
    card_origin(options, width, height, &x, &y);
    if (x < 0 || y < 0 || x + width > options->canvas_width || y + height > options->canvas_height)
        return cr_fail(err, CR_ERR_ARGUMENT,
                       "%s: the %dx%d px card (at %d dpi) placed at (%d, %d) does not lie wholly "
                       "on the %dx%d printer canvas",
                       tpl->path, width, height, dpi, x, y, options->canvas_width,
                       options->canvas_height);
    return CR_OK;
}

/* Moves one panel onto the printer canvas. */
static cr_status place_panel(cr_image *panel, const cr_render_options *options, cr_error *err)
{
    int x, y;
    if (panel->bitmap.bits) {
        cr_bitmap placed;
        card_origin(options, panel->bitmap.width, panel->bitmap.height, &x, &y);
        cr_status status = cr_bitmap_place(&panel->bitmap, options->canvas_width,
                                           options->canvas_height, x, y, &placed, err);
        if (status == CR_OK) {
            cr_bitmap_free(&panel->bitmap);
            panel->bitmap = placed;
        }
        return status;
    }
    cr_canvas placed;
    card_origin(options, panel->canvas.width, panel->canvas.height, &x, &y);
    cr_status status = cr_canvas_place(&panel->canvas, options->canvas_width,
                                       options->canvas_height, x, y, &placed, err);
    if (status == CR_OK) {
        cr_canvas_free(&panel->canvas);
        panel->canvas = placed;
    }
    return status;
}

static void mirror_panel(cr_image *panel)
{
    if (panel->bitmap.bits)
        cr_bitmap_mirror(&panel->bitmap);
    else
        cr_canvas_mirror(&panel->canvas);
}

/* The colour image's PNG plan: the cache's, with the base coded once, or
 * the same plan without it (the file comes out the same). */
static cr_status attach_png_plan(const card_job *job, cr_image *image, cr_error *err)
{
    image->png_plan = job->layers && job->layers->png_plan
                          ? cr_png_plan_ref(job->layers->png_plan)
                          : cr_static_png_plan(job->tpl, job->dpi, NULL);
    return image->png_plan ? CR_OK : cr_fail(err, CR_ERR_NOMEM, "out of memory");
}

/* The printer canvas, then the mirror, for every panel alike. The plan
 * was for the card as painted: gone once it moves or turns. */
static cr_status apply_print_geometry(cr_image *image, const cr_render_options *options,
                                      cr_error *err)
{
    cr_status status = CR_OK;
    if (wants_canvas(options) || (options && options->mirror)) {
        cr_png_plan_unref(image->png_plan);
        image->png_plan = NULL;
        image->changes_known = false;
    }
    for (int p = 0; p < CR_PANEL_COUNT && status == CR_OK; p++) {
        cr_image *panel = p == CR_PANEL_COLOR ? image : image->panels[p];
        if (!panel)
            continue;
        if (wants_canvas(options))
            status = place_panel(panel, options, err);
        if (status == CR_OK && options && options->mirror)
            mirror_panel(panel);
    }
    return status;
}

/* ------------------------------------------------------------ render */

void cr_render_options_init(cr_render_options *options)
{
    if (options)
        *options = (cr_render_options){.struct_size = sizeof *options};
}

cr_image *cr_render(cr_engine *engine, const cr_template *tpl, const cr_record *record,
                    const cr_render_options *caller_options, cr_error *err)
{
    cr_error_clear(err);
    if (!engine || !tpl) {
        cr_fail(err, CR_ERR_ARGUMENT, "cr_render needs an engine and a template");
        return NULL;
    }
    cr_render_options resolved;
    cr_render_options_init(&resolved);
    if (cr_options_take(&resolved, sizeof resolved, caller_options, "cr_render_options", err) !=
        CR_OK)
        return NULL;
    const cr_render_options *options = &resolved;
    int dpi = options->dpi ? options->dpi : tpl->dpi;
    if (dpi < CR_DPI_MIN || dpi > CR_DPI_MAX) {
        cr_fail(err, CR_ERR_ARGUMENT, "resolution %d dpi is out of range (%d to %d)", dpi,
                CR_DPI_MIN, CR_DPI_MAX);
        return NULL;
    }
    if (check_print_options(tpl, dpi, options, err) != CR_OK)
        return NULL;
    card_job job = {.engine = engine, .tpl = tpl, .record = record, .dpi = dpi, .options = options};
    cr_status painted = paint_card(&job, err);
    cr_photo_memo_free(&job.photos);
    cr_image *image = painted == CR_OK ? new_image(dpi, err) : NULL;
    if (!image) {
        if (painted == CR_OK)
            free_canvases(&job);
        free(job.changes);
        return NULL;
    }
    image->canvas = job.canvas[CR_PANEL_COLOR];
    job.canvas[CR_PANEL_COLOR] = (cr_canvas){0, 0, 0, NULL};
    image->changes = job.changes;
    image->change_count = job.change_count;
    image->changes_known = job.cached && !job.changes_unknown;
    if (image->changes_known)
        image->canvas_pool = cr_canvas_pool_ref(job.cached->canvas_pool);
    cr_status status = make_panels(&job, image, err);
    free_canvases(&job);
    if (status == CR_OK)
        status = attach_png_plan(&job, image, err);
    if (status == CR_OK)
        status = apply_print_geometry(image, options, err);
    if (status != CR_OK) {
        cr_image_destroy(image);
        return NULL;
    }
    return image;
}

/* ------------------------------------------------------------ images */

static bool is_panel_bits(const cr_image *image)
{
    return image->bitmap.bits != NULL;
}

int cr_image_width(const cr_image *image)
{
    if (!image)
        return 0;
    return is_panel_bits(image) ? image->bitmap.width : image->canvas.width;
}

int cr_image_height(const cr_image *image)
{
    if (!image)
        return 0;
    return is_panel_bits(image) ? image->bitmap.height : image->canvas.height;
}

int cr_image_stride(const cr_image *image)
{
    if (!image)
        return 0;
    return is_panel_bits(image) ? image->bitmap.stride : image->canvas.stride;
}

int cr_image_dpi(const cr_image *image)
{
    return image ? image->dpi : 0;
}

const uint8_t *cr_image_pixels(const cr_image *image)
{
    if (!image)
        return NULL;
    return is_panel_bits(image) ? image->bitmap.bits : image->canvas.pixels;
}

cr_image_format cr_image_format_of(const cr_image *image)
{
    return image && is_panel_bits(image) ? CR_FORMAT_GRAY1 : CR_FORMAT_RGB8;
}

const cr_image *cr_image_panel(const cr_image *image, cr_panel panel)
{
    if (!image || (int)panel < 0 || (int)panel >= CR_PANEL_COUNT)
        return NULL;
    return panel == CR_PANEL_COLOR ? image : image->panels[panel];
}

const char *cr_panel_name(cr_panel panel)
{
    static const char *const names[CR_PANEL_COUNT] = {"color", "k", "overlay"};
    return (int)panel >= 0 && (int)panel < CR_PANEL_COUNT ? names[panel] : "unknown";
}

void cr_write_options_init(cr_write_options *options)
{
    if (options)
        *options = (cr_write_options){.struct_size = sizeof *options};
}

/* The caller's write options, or NULL's defaults, into *resolved. */
static cr_status take_write_options(cr_write_options *resolved, const cr_write_options *options,
                                    cr_error *err)
{
    cr_write_options_init(resolved);
    return cr_options_take(resolved, sizeof *resolved, options, "cr_write_options", err);
}

static cr_status write_png_file(const cr_image *image, const char *path,
                                const cr_write_options *options, cr_error *err)
{
    if (is_panel_bits(image))
        return cr_png_write_gray1_file(&image->bitmap, image->dpi, path, options->fsync != 0, err);
    cr_png_changes changes = {image->changes, image->change_count};
    cr_png_params params = {image->png_plan, options->threads, options->fsync != 0,
                            image->changes_known ? &changes : NULL};
    return cr_png_write_file_with(&image->canvas, image->dpi, &params, path, err);
}

cr_status cr_image_write_png_file(const cr_image *image, const char *path, cr_error *err)
{
    return cr_image_write_png_file_with(image, path, NULL, err);
}

cr_status cr_image_write_png_file_with(const cr_image *image, const char *path,
                                       const cr_write_options *options, cr_error *err)
{
    cr_error_clear(err);
    if (!image || !path)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_image_write_png_file needs an image and a path");
    cr_write_options resolved;
    cr_status status = take_write_options(&resolved, options, err);
    return status != CR_OK ? status : write_png_file(image, path, &resolved, err);
}

cr_status cr_image_write_png_memory(const cr_image *image, uint8_t **data, size_t *size,
                                    cr_error *err)
{
    return cr_image_write_png_memory_with(image, data, size, NULL, err);
}

cr_status cr_image_write_png_memory_with(const cr_image *image, uint8_t **data, size_t *size,
                                         const cr_write_options *options, cr_error *err)
{
    cr_error_clear(err);
    if (!image || !data || !size)
        return cr_fail(err, CR_ERR_ARGUMENT,
                       "cr_image_write_png_memory needs an image and outputs");
    cr_write_options resolved;
    cr_status status = take_write_options(&resolved, options, err);
    if (status != CR_OK)
        return status;
    if (is_panel_bits(image))
        return cr_png_write_gray1_memory(&image->bitmap, image->dpi, data, size, err);
    cr_png_changes changes = {image->changes, image->change_count};
    cr_png_params params = {image->png_plan, resolved.threads, false,
                            image->changes_known ? &changes : NULL};
    return cr_png_write_memory_with(&image->canvas, image->dpi, &params, data, size, err);
}

void cr_free(void *data)
{
    free(data);
}

cr_status cr_panel_path(const char *path, cr_panel panel, char *buf, size_t size, cr_error *err)
{
    if (!path || !buf || (int)panel < 0 || (int)panel >= CR_PANEL_COUNT)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_panel_path needs a path, a panel and a buffer");
    size_t length = strlen(path);
    bool png = length >= 4 && strcasecmp(path + length - 4, ".png") == 0;
    int stem = (int)(png ? length - 4 : length);
    int written = panel == CR_PANEL_COLOR
                      ? snprintf(buf, size, "%s", path)
                      : snprintf(buf, size, "%.*s.%s.png", stem, path, cr_panel_name(panel));
    if (written < 0 || (size_t)written >= size)
        return cr_fail(err, CR_ERR_ARGUMENT, "%s: the panel's file name is too long", path);
    return CR_OK;
}

cr_status cr_image_write_panels(const cr_image *image, const char *path, cr_error *err)
{
    return cr_image_write_panels_with(image, path, NULL, err);
}

cr_status cr_image_write_panels_with(const cr_image *image, const char *path,
                                     const cr_write_options *options, cr_error *err)
{
    cr_error_clear(err);
    if (!image || !path)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_image_write_panels needs an image and a path");
    cr_write_options resolved;
    cr_status status = take_write_options(&resolved, options, err);
    char written[CR_PANEL_COUNT][4096];
    int count = 0;
    for (int p = 0; p < CR_PANEL_COUNT && status == CR_OK; p++) {
        const cr_image *panel = cr_image_panel(image, (cr_panel)p);
        if (!panel)
            continue;
        status = cr_panel_path(path, (cr_panel)p, written[count], sizeof written[count], err);
        if (status == CR_OK)
            status = write_png_file(panel, written[count], &resolved, err);
        if (status == CR_OK)
            count++;
    }
    if (status != CR_OK) /* all panels or none: the files, not the links to them */
        while (count > 0)
            cr_atomic_file_undo(written[--count]);
    return status;
}

void cr_image_destroy(cr_image *image)
{
    if (!image)
        return;
    for (int p = 0; p < CR_PANEL_COUNT; p++)
        if (p != CR_PANEL_COLOR)
            cr_image_destroy(image->panels[p]);
    if (image->canvas_pool && image->changes_known) {
        cr_canvas_pool_give(image->canvas_pool, &image->canvas, image->changes,
                            image->change_count);
        image->changes = NULL;
    }
    cr_canvas_pool_unref(image->canvas_pool);
    cr_canvas_free(&image->canvas);
    cr_bitmap_free(&image->bitmap);
    cr_png_plan_unref(image->png_plan);
    free(image->changes);
    free(image);
}
