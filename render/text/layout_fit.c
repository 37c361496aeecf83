#include "layout_fit.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "font_select.h"
#include "layout_common.h"

/* Used when a field built in code leaves the limits unset (0); the same
 * defaults as the template loader's. */
#define DEFAULT_MIN_SIZE_RATIO 0.7
#define DEFAULT_MIN_SCALE_X 0.6
#define SHRINK_STEP_PT 0.25

static int32_t round_26_6(double px)
{
    return (int32_t)llround(px * 64.0);
}

static cr_attempt attempt_at(const cr_field *field, double size_pt, int dpi, int32_t x_scale,
                             bool soft_wrap)
{
    int32_t ppem = round_26_6(size_pt * dpi / 72.0);
    return (cr_attempt){dpi,     size_pt,  ppem, round_26_6(field->letter_spacing_em * ppem / 64.0),
                        x_scale, soft_wrap};
}

static cr_box field_box(const cr_field *field, int dpi)
{
    return (cr_box){
        round_26_6(cr_mm_to_px(field->x_mm, dpi)), round_26_6(cr_mm_to_px(field->y_mm, dpi)),
        round_26_6(cr_mm_to_px(field->w_mm, dpi)), round_26_6(cr_mm_to_px(field->h_mm, dpi))};
}

/* ------------------------------------------------------------ fit check */

static void report_overflow(cr_text_layout *out, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void report_overflow(cr_text_layout *out, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(out->overflow_reason, sizeof out->overflow_reason, format, args);
    va_end(args);
    out->overflow = true;
}

/* Too many lines for the box (or max_lines), or a line longer than the
 * box's room for it. */
static void check_fit(const cr_fit_request *r, cr_box bx, size_t fitting, cr_text_layout *out)
{
    size_t allowed = fitting;
    int max_lines = r->field->max_lines;
    if (max_lines > 0 && (size_t)max_lines < allowed)
        allowed = (size_t)max_lines;
    if (out->line_count > allowed) {
        report_overflow(out, "needs %zu %s, box holds %zu", out->line_count, r->rules->words.plural,
                        allowed);
        return;
    }
    int32_t room = r->rules->lines_run_down ? bx.h : bx.w;
    for (size_t i = 0; i < out->line_count; i++) {
        if (out->lines[i].width >= CR_COORD_LIMIT) {
            report_overflow(out, "%s %zu is more than %.0f px %s, box is %.2f px",
                            r->rules->words.singular, i + 1, CR_COORD_LIMIT / 64.0,
                            r->rules->words.extent, room / 64.0);
            return;
        }
        if (out->lines[i].width > room) {
            report_overflow(out, "%s %zu is %.2f px %s, box is %.2f px", r->rules->words.singular,
                            i + 1, out->lines[i].width / 64.0, r->rules->words.extent, room / 64.0);
            return;
        }
    }
}

static cr_status record_breaks(cr_text_layout *out, cr_error *err)
{
    if (out->line_count < 2)
        return CR_OK;
    out->breaks = malloc((out->line_count - 1) * sizeof *out->breaks);
    if (!out->breaks)
        return cr_layout_out_of_memory(err);
    for (size_t i = 1; i < out->line_count; i++)
        out->breaks[out->break_count++] = out->lines[i].start;
    return CR_OK;
}

/* One attempt into out, emptied first. */
static cr_status try(const cr_fit_request *r, const cr_attempt *at, cr_box bx, cr_text_layout *out,
                     cr_error *err)
{
    cr_text_layout_free(out);
    out->size_pt = at->size_pt;
    out->scale_x = at->x_scale / (double)CR_SCALE_ONE;
    size_t fitting = 0;
    cr_status status = r->lay_out(r->context, at, bx, out, &fitting, err);
    if (status == CR_OK)
        status = record_breaks(out, err);
    if (status == CR_OK)
        check_fit(r, bx, fitting, out);
    return status;
}

/* ------------------------------------------------------------- policies */

/* Puts prefix in front of the overflow reason, cutting the end if need be. */
static void prefix_reason(cr_text_layout *out, const char *prefix)
{
    char reason[sizeof out->overflow_reason];
    size_t n = strnlen(prefix, sizeof reason - 1);
    size_t rest = strnlen(out->overflow_reason, sizeof reason - 1 - n);
    memcpy(reason, prefix, n);
    memcpy(reason + n, out->overflow_reason, rest);
    reason[n + rest] = '\0';
    memcpy(out->overflow_reason, reason, sizeof reason);
}

/* Sizes tried: size_pt, then 0.25 pt smaller each time (computed from
 * size_pt, so no rounding error piles up), the floor itself last. */
static cr_status fit_shrink(const cr_fit_request *r, cr_box bx, cr_text_layout *out, cr_error *err)
{
    const cr_field *field = r->field;
    double floor_pt =
        field->min_size_pt > 0 ? field->min_size_pt : field->size_pt * DEFAULT_MIN_SIZE_RATIO;
    floor_pt = fmin(floor_pt, field->size_pt);
    for (int step = 0;; step++) {
        double size = fmax(field->size_pt - step * SHRINK_STEP_PT, floor_pt);
        cr_attempt at = attempt_at(field, size, r->dpi, CR_SCALE_ONE, true);
        cr_status status = try(r, &at, bx, out, err);
        if (status != CR_OK || !out->overflow)
            return status;
        if (size <= floor_pt + 1e-9) {
            char prefix[64];
            snprintf(prefix, sizeof prefix, "even at %.2f pt: ", size);
            prefix_reason(out, prefix);
            return CR_OK;
        }
    }
}

static int32_t widest_line(const cr_text_layout *layout)
{
    int32_t widest = 0;
    for (size_t i = 0; i < layout->line_count; i++)
        widest = layout->lines[i].width > widest ? layout->lines[i].width : widest;
    return widest;
}

/* One line per paragraph, scaled horizontally until the widest fits. */
static cr_status fit_condense(const cr_fit_request *r, cr_box bx, cr_text_layout *out,
                              cr_error *err)
{
    const cr_field *field = r->field;
    cr_attempt at = attempt_at(field, field->size_pt, r->dpi, CR_SCALE_ONE, false);
    cr_status status = try(r, &at, bx, out, err);
    int32_t widest = widest_line(out);
    if (status != CR_OK || widest <= bx.w)
        return status;
    double min_scale = field->min_scale_x > 0 ? fmin(field->min_scale_x, 1.0) : DEFAULT_MIN_SCALE_X;
    int64_t needed = (int64_t)bx.w * CR_SCALE_ONE / widest; /* floor: never wider than the box */
    int32_t lowest = (int32_t)llround(min_scale * CR_SCALE_ONE);
    at.x_scale = needed < lowest ? lowest : (int32_t)needed;
    status = try(r, &at, bx, out, err);
    if (status == CR_OK && out->overflow) {
        char prefix[64];
        snprintf(prefix, sizeof prefix, "even condensed to %.3f: ", out->scale_x);
        prefix_reason(out, prefix);
    }
    return status;
}

cr_status cr_apply_fit_policy(const cr_fit_request *r, cr_text_layout *out, cr_error *err)
{
    const cr_field *field = r->field;
    cr_box bx = field_box(field, r->dpi);
    if (field->fit == CR_FIT_SHRINK)
        return fit_shrink(r, bx, out, err);
    if (field->fit == CR_FIT_CONDENSE && r->rules->can_condense)
        return fit_condense(r, bx, out, err);
    cr_attempt at = attempt_at(field, field->size_pt, r->dpi, CR_SCALE_ONE, true);
    cr_status status = try(r, &at, bx, out, err);
    if (status == CR_OK && field->fit == CR_FIT_ERROR && out->overflow)
        status = cr_error_set(err, CR_ERR_TEXT, cr_field_location(r->tpl, field),
                              "text does not fit: %s", out->overflow_reason);
    return status;
}
