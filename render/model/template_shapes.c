/* Template format v1: image, rect and line fields (pictures, their fit,
 * rotation and adjustments; fills, strokes and lines). */
#include "template_read.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "error.h"
#include "engine.h"
#include "fonts.h"

static const char *const adjust_keys[] = {"brightness", "contrast", "gamma", "grayscale", NULL};
static const char *const ghost_keys[] = {"fade", "color", "line_screen", NULL};
static const char *const line_screen_keys[] = {"period_mm", "angle_deg", NULL};

/* In the order of cr_image_fit. */
static const char *const image_fit_names[] = {"cover", "contain", "stretch", "none", NULL};

/* ------------------------------------------ image, rect and line fields */

/* A pair [x, y] of numbers within r; the current path is at the value. */
static cr_status check_pair(loader *ld, const char *key, json_t *value, range r, double out[2])
{
    if (!json_is_array(value))
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE,
                           "\"%s\" must be an array of 2 numbers [x, y], not %s", key,
                           cr_json_kind(value, true));
    if (json_array_size(value) != 2)
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE, "\"%s\" must hold 2 numbers [x, y], not %zu", key,
                           json_array_size(value));
    cr_status status = CR_OK;
    for (size_t i = 0; i < 2 && status == CR_OK; i++) {
        char label[64];
        snprintf(label, sizeof label, "\"%s\" %c", key, i == 0 ? 'x' : 'y');
        cr_tpl_push_index(ld, i);
        status = cr_tpl_check_number(ld, label, json_array_get(value, i), r, &out[i]);
        cr_tpl_pop(ld);
    }
    return status;
}

static cr_status read_pair(loader *ld, json_t *object, const char *key, bool required, range r,
                           double out[2])
{
    json_t *value = json_object_get(object, key);
    if (!value)
        return required ? cr_tpl_fail_missing(ld, key) : CR_OK;
    cr_tpl_push_key(ld, key);
    cr_status status = check_pair(ld, key, value, r, out);
    cr_tpl_pop(ld);
    return status;
}

static cr_status read_opacity(loader *ld, json_t *object, double *out)
{
    return cr_tpl_read_number(ld, object, "opacity", false, (range){0, 1, false, NULL}, out);
}

/* A length up to half the box's shorter side (a corner radius, a stroke). */
static cr_status read_box_length(loader *ld, json_t *object, const char *key, const cr_field *field,
                                 bool zero_ok, double *out)
{
    double half = fmin(field->w_mm, field->h_mm) / 2;
    char max_text[64], half_text[32];
    cr_tpl_format_number(half, half_text, sizeof half_text);
    snprintf(max_text, sizeof max_text, "%s, half the box's shorter side", half_text);
    return cr_tpl_read_number(ld, object, key, false, (range){0, half, !zero_ok, max_text}, out);
}

/* "src" (template artwork) or "bind" (a record's photo). */
static cr_status read_image_source(loader *ld, json_t *object, cr_field *field)
{
    cr_status status =
        cr_tpl_read_fixed_or_bound(ld, object, field, "src", "an image field", &field->image.src);
    return status == CR_OK ? cr_tpl_read_optional(ld, object, field) : status;
}

/* A key that would change nothing for this fit is more likely a mistake
 * than a wish. */
static cr_status check_fit_options(loader *ld, json_t *object, const cr_image_field *image)
{
    const char *unused = NULL;
    if (image->fit == CR_IMAGE_STRETCH && json_object_get(object, "focus"))
        unused = "focus";
    else if ((image->fit == CR_IMAGE_COVER || image->fit == CR_IMAGE_STRETCH) &&
             json_object_get(object, "pad_color"))
        unused = "pad_color";
    if (!unused)
        return CR_OK;
    cr_tpl_push_key(ld, unused);
    cr_status status = cr_tpl_fail(ld, CR_JSON_AT_KEY, "\"%s\" has no effect with \"fit\": \"%s\"",
                                   unused, image_fit_names[image->fit]);
    cr_tpl_pop(ld);
    return status;
}

static cr_status read_rotation(loader *ld, json_t *object, cr_image_field *image)
{
    json_t *value = json_object_get(object, "rotate_deg");
    if (!value)
        return CR_OK;
    cr_tpl_push_key(ld, "rotate_deg");
    cr_status status = CR_OK;
    json_int_t degrees = json_is_integer(value) ? json_integer_value(value) : 0;
    if (!json_is_integer(value))
        status = cr_tpl_fail(ld, CR_JSON_AT_VALUE, "\"rotate_deg\" must be an integer, not %s",
                             cr_json_kind(value, true));
    else if (degrees != 0 && degrees != 90 && degrees != 180 && degrees != 270)
        status =
            cr_tpl_fail(ld, CR_JSON_AT_VALUE, "\"rotate_deg\" must be 0, 90, 180 or 270 (got %lld)",
                        (long long)degrees);
    else
        image->quarter_turns = (int)(degrees / 90);
    cr_tpl_pop(ld);
    return status;
}

/* Contrast 1 would be an infinite slope: every pixel black or white. */
static cr_status read_contrast(loader *ld, json_t *adjust, double *out)
{
    cr_status status =
        cr_tpl_read_number(ld, adjust, "contrast", false, (range){-1, 1, false, NULL}, out);
    if (status != CR_OK || *out < 1)
        return status;
    cr_tpl_push_key(ld, "contrast");
    status = cr_tpl_fail(ld, CR_JSON_AT_VALUE, "\"contrast\" must be less than 1 (got 1)");
    cr_tpl_pop(ld);
    return status;
}

static cr_status check_adjust(loader *ld, json_t *adjust, void *data)
{
    cr_adjustments *out = data;
    cr_status status = cr_tpl_check_keys(ld, adjust, adjust_keys);
    if (status == CR_OK)
        status = cr_tpl_read_number(ld, adjust, "brightness", false, (range){-1, 1, false, NULL},
                                    &out->brightness);
    if (status == CR_OK)
        status = read_contrast(ld, adjust, &out->contrast);
    if (status == CR_OK)
        status = cr_tpl_read_number(ld, adjust, "gamma", false, (range){0.1, 10, false, NULL},
                                    &out->gamma);
    if (status == CR_OK)
        status = cr_tpl_read_bool(ld, adjust, "grayscale", &out->grayscale);
    return status;
}

/* "line_screen": {"period_mm", "angle_deg"}; the path is at its value. A
 * period under 0.05 mm is finer than any card printer's dots. */
static cr_status check_line_screen(loader *ld, json_t *screen, void *data)
{
    cr_ghost *ghost = data;
    cr_status status = cr_tpl_check_keys(ld, screen, line_screen_keys);
    if (status == CR_OK)
        status = cr_tpl_read_number(ld, screen, "period_mm", true, (range){0.05, 5, false, NULL},
                                    &ghost->screen_period_mm);
    if (status == CR_OK)
        status = cr_tpl_read_number(ld, screen, "angle_deg", false, (range){-180, 180, false, NULL},
                                    &ghost->screen_angle_deg);
    return status;
}

static cr_status check_ghost(loader *ld, json_t *value, void *data)
{
    cr_ghost *ghost = data;
    *ghost = (cr_ghost){.on = true, .fade = 0.6, .color = {0, 0, 0, 255}};
    cr_status status = cr_tpl_check_keys(ld, value, ghost_keys);
    if (status == CR_OK)
        status =
            cr_tpl_read_number(ld, value, "fade", false, (range){0, 1, false, NULL}, &ghost->fade);
    if (status == CR_OK)
        status = cr_tpl_read_color(ld, value, "color", &ghost->color);
    if (status == CR_OK)
        status = cr_tpl_read_object(ld, value, "line_screen", check_line_screen, ghost);
    return status;
}

cr_status cr_tpl_read_image_field(loader *ld, json_t *object, cr_field *field)
{
    cr_image_field *image = &field->image;
    int fit = CR_IMAGE_COVER;
    double focus[2] = {0.5, 0.5};
    cr_status status = cr_tpl_read_box(ld, object, field);
    if (status == CR_OK)
        status = read_image_source(ld, object, field);
    if (status == CR_OK)
        status = cr_tpl_read_enum(ld, object, "fit", image_fit_names, &fit);
    image->fit = (cr_image_fit)fit;
    if (status == CR_OK)
        status = check_fit_options(ld, object, image);
    if (status == CR_OK)
        status = read_pair(ld, object, "focus", false, (range){0, 1, false, NULL}, focus);
    if (status == CR_OK)
        status = cr_tpl_read_color(ld, object, "pad_color", &image->pad_color);
    if (status == CR_OK)
        status = read_rotation(ld, object, image);
    if (status == CR_OK)
        status = read_opacity(ld, object, &image->opacity);
    if (status == CR_OK)
        status = cr_tpl_read_object(ld, object, "adjust", check_adjust, &image->adjust);
    if (status == CR_OK)
        status = cr_tpl_read_object(ld, object, "ghost", check_ghost, &image->ghost);
    if (status == CR_OK)
        status =
            read_box_length(ld, object, "corner_radius_mm", field, true, &image->corner_radius_mm);
    image->focus_x = focus[0];
    image->focus_y = focus[1];
    if (status == CR_OK && image->src) {
        cr_tpl_push_key(ld, "src");
        status = cr_tpl_decode_artwork(ld, "src", image->src, &image->artwork);
        cr_tpl_pop(ld);
    }
    return status;
}

/* A rect that paints nothing, or a stroke width without a stroke, is more
 * likely a mistake than a wish. */
static cr_status check_rect_paint(loader *ld, json_t *object)
{
    bool has_fill = json_object_get(object, "fill") != NULL;
    bool has_stroke = json_object_get(object, "stroke") != NULL;
    if (!has_fill && !has_stroke)
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE, "a rect needs \"fill\", \"stroke\" or both");
    if (has_stroke || !json_object_get(object, "stroke_width_mm"))
        return CR_OK;
    cr_tpl_push_key(ld, "stroke_width_mm");
    cr_status status =
        cr_tpl_fail(ld, CR_JSON_AT_KEY, "\"stroke_width_mm\" needs a \"stroke\" colour");
    cr_tpl_pop(ld);
    return status;
}

cr_status cr_tpl_read_rect_field(loader *ld, json_t *object, cr_field *field)
{
    cr_rect_field *rect = &field->rect;
    cr_status status = cr_tpl_read_box(ld, object, field);
    if (status == CR_OK)
        status = cr_tpl_read_color(ld, object, "fill", &rect->fill);
    if (status == CR_OK)
        status = cr_tpl_read_color(ld, object, "stroke", &rect->stroke);
    if (status == CR_OK)
        status =
            read_box_length(ld, object, "stroke_width_mm", field, false, &rect->stroke_width_mm);
    if (status == CR_OK)
        status =
            read_box_length(ld, object, "corner_radius_mm", field, true, &rect->corner_radius_mm);
    if (status == CR_OK)
        status = read_opacity(ld, object, &rect->opacity);
    if (status == CR_OK)
        status = check_rect_paint(ld, object);
    return status;
}

/* The line's ends; its bounding box goes into the field's box. */
static cr_status read_line_ends(loader *ld, json_t *object, cr_field *field)
{
    const range anywhere = {-INFINITY, INFINITY, false, NULL};
    double from[2] = {0, 0}, to[2] = {0, 0};
    cr_status status = read_pair(ld, object, "from_mm", true, anywhere, from);
    if (status == CR_OK)
        status = read_pair(ld, object, "to_mm", true, anywhere, to);
    if (status != CR_OK)
        return status;
    if (from[0] == to[0] && from[1] == to[1]) {
        cr_tpl_push_key(ld, "to_mm");
        status = cr_tpl_fail(ld, CR_JSON_AT_VALUE, "\"to_mm\" must differ from \"from_mm\"");
        cr_tpl_pop(ld);
        return status;
    }
    field->segment.x0_mm = from[0], field->segment.y0_mm = from[1];
    field->segment.x1_mm = to[0], field->segment.y1_mm = to[1];
    field->x_mm = fmin(from[0], to[0]);
    field->y_mm = fmin(from[1], to[1]);
    field->w_mm = fabs(to[0] - from[0]);
    field->h_mm = fabs(to[1] - from[1]);
    return CR_OK;
}

cr_status cr_tpl_read_line_field(loader *ld, json_t *object, cr_field *field)
{
    cr_line_field *line = &field->segment;
    cr_status status = read_line_ends(ld, object, field);
    if (status == CR_OK)
        status = cr_tpl_read_number(ld, object, "width_mm", false, (range){0, 100, true, NULL},
                                    &line->width_mm);
    if (status == CR_OK)
        status = cr_tpl_read_color(ld, object, "color", &line->color);
    if (status == CR_OK)
        status = read_opacity(ld, object, &line->opacity);
    return status;
}
