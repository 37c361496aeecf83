#include "shape.h"

#include <stdlib.h>

#include "error.h"

int32_t cr_font_units_to_26_6(int64_t value, int32_t ppem_26_6, int upem)
{
    if (upem <= 0)
        return 0;
    int64_t scaled = value * ppem_26_6;
    int64_t half = upem / 2;
    return (int32_t)(scaled >= 0 ? (scaled + half) / upem : -((-scaled + half) / upem));
}

const char *cr_script_default_lang(UScriptCode script)
{
    switch (script) {
    case USCRIPT_HAN:
        return "zh-Hans";
    case USCRIPT_ARABIC:
        return "ug";
    case USCRIPT_TIBETAN:
        return "bo";
    case USCRIPT_MONGOLIAN:
        return "mn";
    case USCRIPT_HANGUL:
        return "ko";
    case USCRIPT_YI:
        return "ii";
    default:
        return "";
    }
}

bool cr_script_is_cursive(UScriptCode script)
{
    switch (script) {
    case USCRIPT_ARABIC:
    case USCRIPT_SYRIAC:
    case USCRIPT_MONGOLIAN:
    case USCRIPT_NKO:
    case USCRIPT_PHAGS_PA:
    case USCRIPT_MANDAIC:
    case USCRIPT_MANICHAEAN:
    case USCRIPT_ADLAM:
    case USCRIPT_HANIFI_ROHINGYA:
    case USCRIPT_SOGDIAN:
    case USCRIPT_OLD_UYGHUR:
        return true;
    default:
        return false;
    }
}

/* Beginning/end of text only where the run really starts/ends the
 * context: HarfBuzz then knows there is no neighbour to join with. */
static void set_properties(hb_buffer_t *buffer, const cr_shape_input *in)
{
    hb_direction_t direction = in->rtl ? HB_DIRECTION_RTL : HB_DIRECTION_LTR;
    hb_buffer_set_direction(buffer, in->top_to_bottom ? HB_DIRECTION_TTB : direction);
    hb_buffer_set_script(buffer, hb_script_from_string(uscript_getShortName(in->script), -1));
    if (in->lang && in->lang[0])
        hb_buffer_set_language(buffer, hb_language_from_string(in->lang, -1));
    unsigned flags = HB_BUFFER_FLAG_DEFAULT;
    if (in->start == in->context_start)
        flags |= HB_BUFFER_FLAG_BOT;
    if (in->end == in->context_end)
        flags |= HB_BUFFER_FLAG_EOT;
    hb_buffer_set_flags(buffer, (hb_buffer_flags_t)flags);
}

cr_status cr_shape(const cr_shape_input *in, cr_shaped_glyph **glyphs, size_t *count, cr_error *err)
{
    *glyphs = NULL;
    *count = 0;
    if (in->end <= in->start)
        return CR_OK;
    hb_buffer_t *buffer = hb_buffer_create();
    const char *context = in->text + in->context_start;
    hb_buffer_add_utf8(buffer, context, (int)(in->context_end - in->context_start),
                       in->start - in->context_start, (int)(in->end - in->start));
    set_properties(buffer, in);
    hb_shape(in->face->hb_font, buffer, in->features, in->feature_count);

    unsigned n = 0;
    const hb_glyph_info_t *info = hb_buffer_get_glyph_infos(buffer, &n);
    const hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(buffer, NULL);
    cr_shaped_glyph *out = n ? malloc(n * sizeof *out) : NULL;
    if (!hb_buffer_allocation_successful(buffer) || (n && !out)) {
        hb_buffer_destroy(buffer);
        free(out);
        return cr_fail(err, CR_ERR_NOMEM, "out of memory shaping text");
    }
    for (unsigned i = 0; i < n; i++) {
        int32_t advance = in->top_to_bottom ? -pos[i].y_advance : pos[i].x_advance;
        out[i] = (cr_shaped_glyph){info[i].codepoint, info[i].cluster + in->context_start, advance,
                                   pos[i].x_offset, pos[i].y_offset};
    }
    hb_buffer_destroy(buffer);
    *glyphs = out;
    *count = n;
    return CR_OK;
}
