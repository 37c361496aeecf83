/* Image, rect and line fields and the background artwork (draw_fields.h). */
#include "draw_fields.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "barcode.h"
#include "engine.h"
#include "error.h"
#include "font_select.h"
#include "ghost.h"
#include "image.h"
#include "paint.h"
#include "paths.h"

/* ----------------------------------------------------------- photos */

/* The folder bound photo paths are read against. */
static const char *asset_folder(const cr_record *record, const cr_render_options *options)
{
    if (options && options->asset_dir && options->asset_dir[0])
        return options->asset_dir;
    if (record && record->dir)
        return record->dir;
    return ".";
}

/* A photo problem at the field's "bind", naming the key (and, for a check,
 * the record: a check reports many records' problems side by side); cause
 * holds the path and what is wrong with it. */
static cr_status photo_error(const cr_template *tpl, const cr_field *field, const char *record_name,
                             const cr_error *cause, cr_error *err)
{
    cr_location where = {field->bind_file ? field->bind_file : tpl->path, field->bind_line,
                         field->bind_column, field->index, field->name};
    if (record_name)
        return cr_error_set(err, cause->code, where, "the record %s: record key \"%s\": %s",
                            record_name, field->bind, cause->message);
    return cr_error_set(err, cause->code, where, "record key \"%s\": %s", field->bind,
                        cause->message);
}

/* What one photo holds of its engine's memory budget (max_memory) from its
 * decode until it has been painted and freed. */
typedef struct photo_grant {
    cr_engine *engine;
    uint64_t held;
} photo_grant;

static cr_status take_memory(void *data, uint64_t bytes, const char *name, cr_error *err)
{
    photo_grant *grant = data;
    cr_status status = cr_engine_memory_take(grant->engine, bytes, name, err);
    if (status == CR_OK)
        grant->held += bytes;
    return status;
}

static void give_back(photo_grant *grant)
{
    cr_engine_memory_give(grant->engine, grant->held);
    grant->held = 0;
}

/* The decoder's limits for a photo going into a box of `fit` (0 x 0: full
 * size), admitted against the engine's budget through grant. */
static cr_decode_limits photo_limits(const cr_render_options *options, cr_pixel_box fit,
                                     photo_grant *grant)
{
    return (cr_decode_limits){options ? options->max_image_pixels : 0,
                              0,
                              fit.x1 - fit.x0,
                              fit.y1 - fit.y0,
                              take_memory,
                              grant};
}

/* The bound value resolved against the asset folder and decoded; cause (no
 * location) says what went wrong. */
static cr_status read_photo(const char *value, const cr_record *record,
                            const cr_render_options *options, const cr_decode_limits *limits,
                            cr_pixmap *out, cr_error *cause)
{
    cr_error_clear(cause);
    if (value[0] == '\0')
        return cr_fail(cause, CR_ERR_RECORD, "the value is empty; it must name an image file");
    char *path = NULL;
    int fd;
    cr_status status = cr_asset_open(asset_folder(record, options), value, &fd, &path, cause);
    if (status == CR_OK) {
        status = cr_image_decode_fd(fd, path, limits, out, cause);
        close(fd);
    }
    free(path);
    return status;
}

/* Image bytes the caller bound to the key (cr_record_set_image), decoded
 * from memory as a file's bytes would be; cause names them where a file's
 * error names its path. */
static cr_status decode_bound_bytes(const cr_record_image *bytes, const char *key,
                                    const cr_decode_limits *limits, cr_pixmap *out, cr_error *cause)
{
    char name[256];
    snprintf(name, sizeof name, "<image bytes of record key \"%.200s\">", key);
    return cr_image_decode_memory(bytes->data, bytes->length, name, limits, out, cause);
}

/* record_name: NULL in a render, which names no record (its caller does).
 * Bytes bound to the key win over its value, which is then not read. The
 * caller gives grant back once the photo is freed, whatever happened. */
static cr_status load_photo(const cr_template *tpl, const cr_field *field, const cr_record *record,
                            const char *record_name, const cr_render_options *options,
                            cr_pixel_box fit, photo_grant *grant, cr_pixmap *out, cr_error *err)
{
    const cr_record_image *bytes = cr_record_image_of(record, field->bind);
    cr_decode_limits limits = photo_limits(options, fit, grant);
    cr_error cause;
    cr_status status;
    if (bytes) {
        status = decode_bound_bytes(bytes, field->bind, &limits, out, &cause);
    } else {
        const char *value = cr_field_text(tpl, field, record, err);
        if (!value)
            return err ? err->code : CR_ERR_RECORD;
        status = read_photo(value, record, options, &limits, out, &cause);
    }
    if (status != CR_OK)
        return photo_error(tpl, field, record_name, &cause, err);
    return CR_OK;
}

cr_status cr_check_photo(const cr_template *tpl, const cr_field *field, const cr_record *record,
                         const cr_render_options *options, cr_error *err)
{
    cr_pixmap photo;
    const char *name = record ? record->path : "(none)";
    cr_pixel_box whole = {0, 0, 0, 0}; /* every pixel decoded: the whole file is checked */
    photo_grant grant = {tpl->engine, 0};
    cr_status status = load_photo(tpl, field, record, name, options, whole, &grant, &photo, err);
    if (status == CR_OK)
        cr_pixmap_free(&photo);
    give_back(&grant);
    return status;
}

/* ------------------------------------------------------------ images */

static double px(double mm, int dpi)
{
    return cr_mm_to_px(mm, dpi);
}

static cr_image_paint image_paint_for(const cr_template *tpl, const cr_field *field, int dpi)
{
    const cr_image_field *image = &field->image;
    return (cr_image_paint){
        .box = cr_pixel_box_round(px(field->x_mm, dpi), px(field->y_mm, dpi), px(field->w_mm, dpi),
                                  px(field->h_mm, dpi)),
        .fit = image->fit,
        .focus_x = image->focus_x,
        .focus_y = image->focus_y,
        .none_scale = (double)dpi / tpl->dpi, /* one picture pixel per pixel at card.dpi */
        .quarter_turns = image->quarter_turns,
        .pad = image->pad_color,
        .opacity = image->opacity,
        .corner_radius = px(image->corner_radius_mm, dpi),
        .adjust = image->adjust,
    };
}

/* Paint errors carry no location; put the field in front. */
static cr_status at_field(const cr_template *tpl, const cr_field *field, cr_status status,
                          cr_error *err)
{
    if (status == CR_OK || !err)
        return status;
    cr_error cause = *err;
    cr_location where = cr_field_location(tpl, field);
    return cr_error_set(err, status, where, "%s", cause.message);
}

/* The size a photo may be decoded down to: its box, turned with it. A
 * picture shown at its own pixel size (fit none) is decoded whole. */
static cr_pixel_box decode_fit(const cr_image_paint *paint)
{
    if (paint->fit == CR_IMAGE_NONE)
        return (cr_pixel_box){0, 0, 0, 0};
    int width = paint->box.x1 - paint->box.x0, height = paint->box.y1 - paint->box.y0;
    bool turned = ((paint->quarter_turns % 4) + 4) % 2 == 1;
    return turned ? (cr_pixel_box){0, 0, height, width} : (cr_pixel_box){0, 0, width, height};
}

/* ------------------------------------------- photos shared by fields */

/* A photo that a ghost and another image field bind, decoded once for the
 * card at the size the largest of them needs. */
typedef struct memo_photo {
    const char *key; /* the fields' bind, the template's string */
    cr_pixmap photo;
    photo_grant grant;
} memo_photo;

void cr_photo_memo_free(cr_photo_memo *memo)
{
    if (!memo)
        return;
    for (size_t i = 0; i < memo->count; i++) {
        cr_pixmap_free(&memo->photos[i].photo);
        give_back(&memo->photos[i].grant);
    }
    free(memo->photos);
    *memo = (cr_photo_memo){0};
}

static bool binds_photo(const cr_field *field, const char *key)
{
    return field->type == CR_FIELD_IMAGE && field->bind && strcmp(field->bind, key) == 0;
}

/* A photo shown as the field's ghost and by another field: decoded once
 * for both. Fields that merely show one photo twice, without a ghost,
 * decode it each at their own size, as they always have, so their
 * pixels stay those of every earlier version. */
static bool photo_is_shared(const cr_template *tpl, const cr_field *field)
{
    if (field->type != CR_FIELD_IMAGE || !field->bind)
        return false;
    size_t binding = 0;
    bool ghost = false;
    for (size_t i = 0; i < tpl->field_count; i++) {
        if (!binds_photo(&tpl->fields[i], field->bind))
            continue;
        binding++;
        ghost = ghost || tpl->fields[i].image.ghost.on;
    }
    return binding > 1 && ghost;
}

/* The decode size every field binding key can be made from: the largest
 * width and height any of them asks for; 0 x 0 (whole) when one does. */
static cr_pixel_box shared_decode_fit(const cr_template *tpl, const char *key, int dpi)
{
    cr_pixel_box fit = {0, 0, 0, 0};
    for (size_t i = 0; i < tpl->field_count; i++) {
        if (!binds_photo(&tpl->fields[i], key))
            continue;
        cr_image_paint paint = image_paint_for(tpl, &tpl->fields[i], dpi);
        cr_pixel_box one = decode_fit(&paint);
        if (one.x1 == 0 && one.y1 == 0)
            return one;
        fit.x1 = one.x1 > fit.x1 ? one.x1 : fit.x1;
        fit.y1 = one.y1 > fit.y1 ? one.y1 : fit.y1;
    }
    return fit;
}

static const cr_pixmap *memo_photo_get(cr_photo_memo *memo, const cr_template *tpl,
                                       const cr_field *field, const cr_record *record, int dpi,
                                       const cr_render_options *options, cr_error *err)
{
    for (size_t i = 0; i < memo->count; i++)
        if (strcmp(memo->photos[i].key, field->bind) == 0)
            return &memo->photos[i].photo;
    if (!cr_reserve((void **)&memo->photos, &memo->capacity, memo->count + 1,
                    sizeof *memo->photos)) {
        cr_fail(err, CR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    memo_photo *entry = &memo->photos[memo->count];
    *entry = (memo_photo){field->bind, {0}, {tpl->engine, 0}};
    cr_pixel_box fit = shared_decode_fit(tpl, field->bind, dpi);
    if (load_photo(tpl, field, record, NULL, options, fit, &entry->grant, &entry->photo, err) !=
        CR_OK) {
        give_back(&entry->grant);
        return NULL;
    }
    memo->count++;
    return &entry->photo;
}

/* ------------------------------------------------------ image fields */

/* The picture as the field shows it, then, for a ghost, its second image. */
static cr_status compose_image_layer(const cr_template *tpl, const cr_field *field, int dpi,
                                     cr_pixel_box clip, const cr_pixmap *picture,
                                     const cr_image_paint *paint, cr_layer *out, cr_error *err)
{
    cr_status status = at_field(tpl, field, cr_compose_image(clip, picture, paint, out, err), err);
    const cr_ghost *ghost = &field->image.ghost;
    if (status != CR_OK || !ghost->on)
        return status;
    cr_ghost_paint ghost_paint = {
        .fade = ghost->fade,
        .color = ghost->color,
        .screen_period = px(ghost->screen_period_mm, dpi),
        .screen_angle_deg = ghost->screen_angle_deg,
        .origin_x = paint->box.x0,
        .origin_y = paint->box.y0,
    };
    cr_layer_make_ghost(out, &ghost_paint);
    return CR_OK;
}

cr_status cr_compose_image_field(const cr_template *tpl, const cr_field *field,
                                 const cr_record *record, int dpi, const cr_render_options *options,
                                 cr_photo_memo *memo, cr_pixel_box clip, cr_layer *out,
                                 cr_error *err)
{
    cr_image_paint paint = image_paint_for(tpl, field, dpi);
    *out = (cr_layer){{0, 0, 0, 0}, 0, 0, NULL, 0};
    if (field->image.artwork.rgba)
        return compose_image_layer(tpl, field, dpi, clip, &field->image.artwork, &paint, out, err);
    if (memo && photo_is_shared(tpl, field)) {
        const cr_pixmap *shared = memo_photo_get(memo, tpl, field, record, dpi, options, err);
        if (!shared)
            return err ? err->code : CR_ERR_IMAGE;
        return compose_image_layer(tpl, field, dpi, clip, shared, &paint, out, err);
    }
    cr_pixmap photo;
    photo_grant grant = {tpl->engine, 0};
    cr_status status =
        load_photo(tpl, field, record, NULL, options, decode_fit(&paint), &grant, &photo, err);
    if (status == CR_OK) {
        status = compose_image_layer(tpl, field, dpi, clip, &photo, &paint, out, err);
        cr_pixmap_free(&photo);
    }
    give_back(&grant);
    return status;
}

cr_pixel_box cr_image_field_box(const cr_field *field, int dpi)
{
    return cr_pixel_box_round(px(field->x_mm, dpi), px(field->y_mm, dpi), px(field->w_mm, dpi),
                              px(field->h_mm, dpi));
}

/* Outside the rounded corners is paper white: the card is punched there. */
static const cr_color paper_white = {255, 255, 255, 255};

/* card.background_image over the whole card, cover-fitted, clipped to the
 * card's rounded corners. Nothing when the template has none. */
static cr_status draw_background_image(const cr_template *tpl, int dpi, cr_canvas *canvas,
                                       cr_error *err)
{
    if (!tpl->background_image.rgba)
        return CR_OK;
    cr_image_paint paint = {
        .box = {0, 0, canvas->width, canvas->height},
        .fit = CR_IMAGE_COVER,
        .focus_x = 0.5,
        .focus_y = 0.5,
        .opacity = 1,
        .corner_radius = px(tpl->corner_radius_mm, dpi),
    };
    return cr_paint_image(canvas, &tpl->background_image, &paint, err);
}

cr_status cr_draw_card_background(const cr_template *tpl, int dpi, cr_canvas *canvas, cr_error *err)
{
    cr_canvas_fill(canvas, paper_white);
    cr_canvas_fill_rounded_rect(canvas, 0, 0, px(tpl->width_mm, dpi), px(tpl->height_mm, dpi),
                                px(tpl->corner_radius_mm, dpi), tpl->background);
    return draw_background_image(tpl, dpi, canvas, err);
}

/* ------------------------------------------------------------ shapes */

static cr_status compose_rect_field(const cr_field *field, int dpi, cr_pixel_box clip,
                                    cr_layer *out, cr_error *err)
{
    const cr_rect_field *rect = &field->rect;
    cr_rect_paint paint = {
        .x = px(field->x_mm, dpi),
        .y = px(field->y_mm, dpi),
        .width = px(field->w_mm, dpi),
        .height = px(field->h_mm, dpi),
        .corner_radius = px(rect->corner_radius_mm, dpi),
        .fill = rect->fill,
        .stroke = rect->stroke,
        .stroke_width = px(rect->stroke_width_mm, dpi),
        .opacity = rect->opacity,
    };
    return cr_compose_rect(clip, &paint, out, err);
}

static cr_status compose_line_field(const cr_field *field, int dpi, cr_pixel_box clip,
                                    cr_layer *out, cr_error *err)
{
    const cr_line_field *line = &field->segment;
    cr_line_paint paint = {
        .x0 = px(line->x0_mm, dpi),
        .y0 = px(line->y0_mm, dpi),
        .x1 = px(line->x1_mm, dpi),
        .y1 = px(line->y1_mm, dpi),
        .width = px(line->width_mm, dpi),
        .color = line->color,
        .opacity = line->opacity,
    };
    return cr_compose_line(clip, &paint, out, err);
}

cr_status cr_compose_shape_field(const cr_template *tpl, const cr_field *field,
                                 const cr_record *record, int dpi, const cr_render_options *options,
                                 cr_photo_memo *memo, cr_pixel_box clip, cr_layer *out,
                                 cr_error *err)
{
    switch (field->type) {
    case CR_FIELD_IMAGE:
        return cr_compose_image_field(tpl, field, record, dpi, options, memo, clip, out, err);
    case CR_FIELD_RECT:
        return compose_rect_field(field, dpi, clip, out, err);
    case CR_FIELD_LINE:
        return compose_line_field(field, dpi, clip, out, err);
    case CR_FIELD_BARCODE:
        return cr_compose_barcode_field(tpl, field, record, dpi, clip, out, err);
    case CR_FIELD_TEXT:
    case CR_FIELD_MRZ:
        break;
    }
    *out = (cr_layer){{0, 0, 0, 0}, 0, 0, NULL, 0};
    return cr_fail(err, CR_ERR_INTERNAL, "cr_compose_shape_field: field %d is text", field->index);
}
