/* Orientation of characters in vertical text, upright (top-to-bottom)
 * shaping and the cross-column metrics (vertical_orient.h). */
#include "vertical_orient.h"

#include <stdlib.h>

#include <hb-ot.h>
#include <unicode/uchar.h>

#include "error.h"

#define MONGOLIAN_NIRUGU 0x180A

/* ---------------------------------------------------------- orientation */

/* Real vertical metrics: a vhea whose largest advance is not 0 (Noto Sans
 * Mongolian's vmtx is a dummy of zeros; its vert forms are not upright
 * forms for such a column). */
static bool has_vertical_metrics(const cr_face *face)
{
    hb_blob_t *vhea = hb_face_reference_table(face->hb_face, HB_TAG('v', 'h', 'e', 'a'));
    unsigned length = 0;
    const uint8_t *data = (const uint8_t *)hb_blob_get_data(vhea, &length);
    bool real = length >= 12 && (data[10] | data[11]) != 0; /* advanceHeightMax */
    hb_blob_destroy(vhea);
    return real;
}

/* Whether the face's vert/vrt2 lookups replace the character's glyph: a Tr
 * character (brackets, the long-vowel mark) then has an upright vertical
 * form; without one it is turned instead (UTR #50). */
static bool has_vertical_form(const cr_face *face, uint32_t cp)
{
    hb_codepoint_t glyph;
    if (!face || !has_vertical_metrics(face) ||
        !hb_font_get_nominal_glyph(face->hb_font, cp, &glyph))
        return false;
    hb_tag_t features[] = {HB_TAG('v', 'e', 'r', 't'), HB_TAG('v', 'r', 't', '2'), HB_TAG_NONE};
    hb_set_t *lookups = hb_set_create();
    hb_ot_layout_collect_lookups(face->hb_face, HB_OT_TAG_GSUB, NULL, NULL, features, lookups);
    bool found = false;
    for (hb_codepoint_t i = HB_SET_VALUE_INVALID; !found && hb_set_next(lookups, &i);)
        found = hb_ot_layout_lookup_would_substitute(face->hb_face, i, &glyph, 1, false);
    hb_set_destroy(lookups);
    return found;
}

static cr_orientation orientation_of(uint32_t cp, const cr_face *face)
{
    switch (u_getIntPropertyValue((UChar32)cp, UCHAR_VERTICAL_ORIENTATION)) {
    case U_VO_UPRIGHT:
    case U_VO_TRANSFORMED_UPRIGHT:
        return CR_ORIENT_UPRIGHT;
    case U_VO_TRANSFORMED_ROTATED:
        return has_vertical_form(face, cp) ? CR_ORIENT_UPRIGHT : CR_ORIENT_SIDEWAYS;
    default:
        return CR_ORIENT_SIDEWAYS;
    }
}

/* European-style digits that would turn: Mongolian, Arabic-Indic ... digits
 * belong to their script's run and turn with it; full-width digits stand
 * upright on their own. */
static bool is_common_digit(uint32_t cp)
{
    UErrorCode status = U_ZERO_ERROR;
    return u_charType((UChar32)cp) == U_DECIMAL_DIGIT_NUMBER &&
           uscript_getScript((UChar32)cp, &status) == USCRIPT_COMMON && U_SUCCESS(status) &&
           u_getIntPropertyValue((UChar32)cp, UCHAR_VERTICAL_ORIENTATION) == U_VO_ROTATED;
}

typedef struct cluster_span {
    uint32_t start, end;
    uint32_t first_cp;
} cluster_span;

static void fill(cr_orientation *orientation, uint32_t start, uint32_t end, cr_orientation value)
{
    for (uint32_t b = start; b < end; b++)
        orientation[b] = value;
}

/* Sets maximal digit runs of at most max_digits clusters across. */
static void mark_across(const cluster_span *clusters, size_t count, int max_digits,
                        cr_orientation *orientation)
{
    for (size_t k = 0; k < count;) {
        size_t end = k;
        while (end < count && is_common_digit(clusters[end].first_cp))
            end++;
        if (end > k && end - k <= (size_t)max_digits)
            fill(orientation, clusters[k].start, clusters[end - 1].end, CR_ORIENT_ACROSS);
        k = end > k ? end : k + 1;
    }
}

static cluster_span *grapheme_spans(struct cr_break_pool *pool, const char *text, size_t length,
                                    const cr_text16 *t, size_t *count)
{
    uint32_t *bounds = cr_grapheme_boundaries(pool, t, count);
    cluster_span *spans = bounds ? malloc((*count + 1) * sizeof *spans) : NULL;
    for (size_t k = 0; spans && k < *count; k++) {
        size_t at = bounds[k];
        spans[k] = (cluster_span){bounds[k], bounds[k + 1], cr_utf8_next(text, length, &at)};
    }
    free(bounds);
    return spans;
}

bool cr_orient_text(struct cr_break_pool *pool, const char *text, size_t length, const cr_text16 *t,
                    cr_face *const *faces, int tcy_digits, cr_orientation *orientation)
{
    size_t count = 0;
    cluster_span *clusters = grapheme_spans(pool, text, length, t, &count);
    if (!clusters)
        return false;
    for (size_t k = 0; k < count; k++)
        fill(orientation, clusters[k].start, clusters[k].end,
             orientation_of(clusters[k].first_cp, faces[clusters[k].start]));
    if (tcy_digits > 0)
        mark_across(clusters, count, tcy_digits, orientation);
    free(clusters);
    return true;
}

/* ------------------------------------------------------ upright shaping */

/* Without vertical metrics: shaped horizontally, each glyph stands in a
 * cell as long as its advance, centred on the axis by its advance and in
 * the cell by its ink. */
static cr_status shape_standing(const cr_shape_input *in, cr_shaped_glyph **glyphs, size_t *count,
                                cr_error *err)
{
    cr_shape_input horizontal = *in;
    horizontal.rtl = false;
    cr_status status = cr_shape(&horizontal, glyphs, count, err);
    for (size_t i = 0; status == CR_OK && i < *count; i++) {
        cr_shaped_glyph *g = &(*glyphs)[i];
        hb_glyph_extents_t ink = {0, 0, 0, 0};
        cr_face_glyph_extents(in->face, g->glyph_id, &ink);
        int32_t ink_middle = ink.y_bearing + ink.height / 2;
        g->x_offset -= g->x_advance / 2;
        g->y_offset -= g->x_advance / 2 + ink_middle;
    }
    return status;
}

cr_status cr_shape_upright(const cr_shape_input *in, cr_shaped_glyph **glyphs, size_t *count,
                           cr_error *err)
{
    if (!has_vertical_metrics(in->face))
        return shape_standing(in, glyphs, count, err);
    cr_shape_input top_to_bottom = *in;
    top_to_bottom.top_to_bottom = true;
    return cr_shape(&top_to_bottom, glyphs, count, err);
}

/* ------------------------------------------------------ across a column */

/* The middle of the ink of the face's nirugu, or -1 without one. */
static int32_t stem_middle(const cr_face *face)
{
    hb_codepoint_t glyph;
    hb_glyph_extents_t ink;
    if (!hb_font_get_nominal_glyph(face->hb_font, MONGOLIAN_NIRUGU, &glyph) ||
        !cr_face_glyph_extents(face, glyph, &ink) || ink.height == 0)
        return -1;
    return ink.y_bearing + ink.height / 2; /* height is negative: y_bearing is the top */
}

static int32_t cap_height(const cr_face *face)
{
    hb_position_t height = 0;
    if (hb_ot_metrics_get_position(face->hb_font, HB_OT_METRICS_TAG_CAP_HEIGHT, &height) &&
        height > 0)
        return height;
    return 0;
}

int32_t cr_sideways_axis_height(const cr_face *face, UScriptCode script)
{
    if (script == USCRIPT_MONGOLIAN) {
        int32_t stem = stem_middle(face);
        if (stem >= 0)
            return stem;
    }
    int32_t caps = cap_height(face);
    return caps > 0 ? caps / 2 : (face->ascender + face->descender) / 2;
}

int32_t cr_digit_height(const cr_face *face)
{
    int32_t caps = cap_height(face);
    return caps > 0 ? caps : face->upem * 7 / 10;
}
