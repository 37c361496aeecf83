/* Font fallback for dates and rare characters, .notdef warnings, line-end
 * punctuation trimming, line pitch and the shared baseline of mixed
 * scripts. Runs from the project root (fonts/manifest.json). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cardrender.h"
#include "fonts.h"
#include FT_OUTLINE_H
#include "layout.h"
#include "shape.h"
#include "support.h"
#include "template.h"

#define CJK "Noto Sans CJK SC"
#define DPI FIXTURE_DPI
#define EM 2400 /* 9 pt at 300 dpi, 26.6 */

/* 9 pt at 300 dpi in a box at (10 mm, 10 mm), w_mm x 20 mm; fonts
 * NULL-ended; field 2 "name" at test.json:7:5. */
static void init_field(test_field *t, double w_mm, const char *family, ...)
{
    va_list more;
    va_start(more, family);
    field_init(t, w_mm, 20, family, more);
    va_end(more);
    field_locate(t, 2, "name", 7, 5);
}

static double em_mm(double ems)
{
    return ems * 9 * 25.4 / 72;
}

/* The family of the face each byte's glyphs use: every glyph of a cluster
 * must come from the same face, and none may be .notdef. */
static const char *family_at(const cr_text_layout *l, uint32_t byte)
{
    const char *family = NULL;
    for (size_t i = 0; i < l->glyph_count; i++) {
        if (l->glyphs[i].cluster != byte)
            continue;
        assert_int_not_equal(l->glyphs[i].glyph_id, 0);
        if (family)
            assert_string_equal(family, l->glyphs[i].face->family);
        family = l->glyphs[i].face->family;
    }
    if (!family)
        fail_msg("no glyph for byte %u", (unsigned)byte);
    return family;
}

/* ------------------------------------------------------ font fallback */

/* Noto Serif Tibetan has no ASCII digits: they take the first face of the
 * default chain that has them; its own hyphen-minus stays. */
static void test_tibetan_date_digits_fall_back(void **state)
{
    test_field t;
    init_field(&t, 60, "Noto Serif Tibetan", NULL);
    const char *text = "༢༠༢༤ 2024-05-12";
    cr_text_layout l;
    lay_out_ok(&t, text, &l);
    for (uint32_t b = 0; b < 12; b += 3)
        assert_string_equal(family_at(&l, b), "Noto Serif Tibetan");
    for (uint32_t b = 13; b < strlen(text); b++)
        assert_string_equal(family_at(&l, b), text[b] == '-' ? "Noto Serif Tibetan" : "Noto Sans");
    assert_int_equal(l.line_count, 1);
    assert_int_equal(l.warning_count, 0);
    cr_text_layout_free(&l);
}

/* Noto Naskh Arabic has digits but no hyphen-minus: the hyphen comes from
 * the Arabic chain (UKIJ Tuz Tom), digits and letters stay in Naskh. */
static void test_uyghur_date_hyphen_falls_back(void **state)
{
    test_field t;
    init_field(&t, 60, "Noto Naskh Arabic", NULL);
    const char *text = "2024-يىلى 5-ئاينىڭ 12-كۈنى";
    cr_text_layout l;
    lay_out_ok(&t, text, &l);
    for (const char *p = text; *p; p++) {
        if (*p == '-')
            assert_string_equal(family_at(&l, (uint32_t)(p - text)), "UKIJ Tuz Tom");
        else if (*p >= '0' && *p <= '9')
            assert_string_equal(family_at(&l, (uint32_t)(p - text)), "Noto Naskh Arabic");
    }
    assert_string_equal(family_at(&l, (uint32_t)(strstr(text, "ي") - text)), "Noto Naskh Arabic");
    cr_text_layout_free(&l);
}

/* Noto Sans Mongolian has no ASCII digits either; the Mongolian run keeps
 * its one face. */
static void test_mongolian_date_digits_fall_back(void **state)
{
    test_field t;
    init_field(&t, 60, "Noto Sans Mongolian", NULL);
    const char *text = "ᠣᠨ 2024-05-12";
    cr_text_layout l;
    lay_out_ok(&t, text, &l);
    assert_string_equal(family_at(&l, 0), "Noto Sans Mongolian");
    for (uint32_t b = (uint32_t)(strchr(text, '2') - text); b < strlen(text); b++)
        assert_string_equal(family_at(&l, b), text[b] == '-' ? "Noto Sans Mongolian" : "Noto Sans");
    cr_text_layout_free(&l);
}

/* Extension B characters Noto Sans CJK lacks come from HanaMinB, second in
 * the Hani chain; 𠮷 (U+20BB7) is in Noto Sans CJK itself. */
static void test_extension_b_from_second_cjk_font(void **state)
{
    test_field t;
    init_field(&t, 60, CJK, NULL);
    const char *text = "张\U00020000\U0002A6D6\U00020BB7";
    cr_text_layout l;
    lay_out_ok(&t, text, &l);
    assert_string_equal(family_at(&l, 0), CJK);
    assert_string_equal(family_at(&l, 3), "HanaMinB");
    assert_string_equal(family_at(&l, 7), "HanaMinB");
    assert_string_equal(family_at(&l, 11), CJK);
    assert_int_equal(l.warning_count, 0);
    cr_text_layout_free(&l);
}

#define EXT_G "\U00030041" /* CJK Extension G: in none of the manifest's fonts */
#define TRIED                                                                                      \
    "tried \"Noto Sans CJK SC\", \"HanaMinB\", \"HanaMinA\", \"BabelStone Han\", \"Noto Sans\", "  \
    "\"DejaVu Sans\""
#define BRING                                                                                      \
    "; a font that has it can be added to the manifest (README, \"Rare and private-use "           \
    "characters\")"

static void test_missing_glyph_is_error(void **state)
{
    test_field t;
    init_field(&t, 60, CJK, NULL);
    cr_text_layout l;
    cr_error err;
    assert_int_equal(lay_out(&t, "张" EXT_G, &l, &err), CR_ERR_FONT);
    assert_string_equal(err.message,
                        "test.json:7:5: field 2 \"name\": no font covers U+30041 "
                        "(CJK Unified Ideographs Extension G, byte 3 of the text); " TRIED BRING);
    assert_null(l.warnings);
}

static void test_missing_glyph_draws_notdef_with_warning(void **state)
{
    test_field t;
    init_field(&t, 60, CJK, NULL);
    t.field.missing_glyph = CR_MISSING_NOTDEF;
    cr_text_layout l;
    lay_out_ok(&t, "张" EXT_G "三", &l);
    assert_int_equal(l.glyph_count, 3);
    assert_int_equal(l.run_count, 1); /* one face, one run */
    assert_ptr_equal(l.glyphs[1].face, t.faces[0]);
    assert_int_equal(l.glyphs[1].cluster, 3);
    assert_int_equal(l.glyphs[1].glyph_id, 0);
    assert_int_not_equal(l.glyphs[2].glyph_id, 0);
    assert_int_equal(l.warning_count, 1);
    assert_int_equal(l.warnings[0].code, CR_ERR_FONT);
    assert_string_equal(l.warnings[0].message,
                        "no font covers U+30041 (CJK Unified Ideographs Extension G, byte 3 of the "
                        "text), drawn as .notdef; " TRIED);
    cr_text_layout_free(&l);
    assert_null(l.warnings);
}

static void collect_warning(void *data, const cr_error *warning)
{
    char *out = data;
    size_t used = strlen(out);
    snprintf(out + used, 2048 - used, "%s|", warning->message);
}

/* Through cr_render, the warning names the template and the field. */
static void test_notdef_warning_reaches_the_caller(void **state)
{
    static const char json[] =
        "{\"version\": 1, \"card\": {\"width_mm\": 40, \"height_mm\": 10},\n"
        " \"fields\": [{\"type\": \"text\", \"name\": \"name\", \"box_mm\": [1, 1, 38, 8],\n"
        "   \"text\": \"张" EXT_G "\", \"font\": \"Noto Sans CJK SC\", \"size_pt\": 9,\n"
        "   \"missing_glyph\": \"notdef\"}]}";
    cr_error err;
    cr_template *card =
        cr_template_load_memory(fixture_engine, json, strlen(json), "card.json", NULL, &err);
    if (!card)
        fail_msg("%s", err.message);
    char warnings[2048] = "";
    cr_render_options options = {
        .struct_size = sizeof options, .warning = collect_warning, .warning_data = warnings};
    cr_image *image = cr_render(fixture_engine, card, NULL, &options, &err);
    if (!image)
        fail_msg("%s", err.message);
    assert_string_equal(
        warnings,
        "card.json:2:13: field 0 \"name\": no font covers U+30041 "
        "(CJK Unified Ideographs Extension G, byte 3 of the text), drawn as .notdef; " TRIED "|");
    cr_image_destroy(image);
    cr_template_destroy(card);
}

/* A font of HarfBuzz's arabic-normalization tests: it maps U+0622 and
 * U+0626 but neither U+0627, U+064A nor the marks U+0653, U+0654. */
#define COMPOSED_ONLY_FONT                                                                         \
    "../shared/corpora/harfbuzz/fonts/872d2955d326bd6676a06f66b8238ebbaabc212f.ttf"

static void glyph_name_of(const cr_text_layout *l, size_t g, char *name, size_t size)
{
    hb_font_get_glyph_name(l->glyphs[g].face->hb_font, l->glyphs[g].glyph_id, name, (unsigned)size);
}

/* HarfBuzz composes U+0627 U+0653 into the font's U+0622 and U+064A U+0654
 * (the Uyghur yeh with hamza) into its U+0626: the font sets the decomposed
 * text, with missing_glyph error and no warning. U+0628 U+0653 has no
 * composed form the font maps and is still refused. */
static void test_decomposed_text_set_by_composed_font(void **state)
{
    if (!test_data_present(COMPOSED_ONLY_FONT,
                           "run from the project root with ../shared beside the checkout"))
        skip();
    char *file = realpath(COMPOSED_ONLY_FONT, NULL);
    assert_non_null(file);
    char manifest[1024];
    snprintf(manifest, sizeof manifest,
             "{\"version\": 1, \"fallback\": {}, \"families\": {\"Composed Only\": "
             "{\"file\": \"%s\", \"package\": \"HarfBuzz test corpus\"}}}",
             file);
    free(file);
    temp_engine fonts;
    assert_true(temp_engine_open(&fonts, manifest));
    static const char json[] =
        "{\"version\": 1, \"fields\": [{\"type\": \"text\", \"box_mm\": [1, 1, 80, 10],"
        " \"text\": \"-\", \"font\": \"Composed Only\", \"size_pt\": 9}]}";
    cr_error err;
    cr_template *card =
        cr_template_load_memory(fonts.engine, json, strlen(json), "t.json", NULL, &err);
    assert_non_null(card);
    const cr_field *field = &card->fields[0];
    static const char *const cases[][2] = {{"\u0627\u0653", "uni0622"},
                                           {"\u064A\u0654", "uni0626"}};
    for (size_t i = 0; i < 2; i++) {
        cr_text_layout l;
        if (cr_layout_text(fonts.engine, card, field, cases[i][0], DPI, &l, &err) != CR_OK)
            fail_msg("%s", err.message);
        char name[64];
        assert_int_equal(l.glyph_count, 1);
        glyph_name_of(&l, 0, name, sizeof name);
        assert_string_equal(name, cases[i][1]);
        assert_int_equal(l.warning_count, 0);
        cr_text_layout_free(&l);
    }
    cr_text_layout l;
    assert_int_equal(cr_layout_text(fonts.engine, card, field, "\u0628\u0653", DPI, &l, &err),
                     CR_ERR_FONT);
    assert_non_null(strstr(err.message, "no font covers U+0653"));
    cr_template_destroy(card);
    temp_engine_close(&fonts);
}

/* ------------------------------------------------ punctuation trimming */

static int32_t width_of(test_field *t, cr_punctuation_trim trim, const char *text)
{
    t->field.punctuation_trim = trim;
    cr_text_layout l;
    lay_out_ok(t, text, &l);
    assert_int_equal(l.line_count, 1);
    int32_t width = l.lines[0].width;
    cr_text_layout_free(&l);
    return width;
}

static void test_line_end_stop_is_trimmed_by_half_an_em(void **state)
{
    test_field t;
    init_field(&t, 60, CJK, NULL);
    t.field.align = CR_ALIGN_END;
    assert_int_equal(width_of(&t, CR_TRIM_NONE, "一二三。"), 4 * EM);
    assert_int_equal(width_of(&t, CR_TRIM_LINE_END, "一二三。"), 4 * EM - EM / 2);
    /* Ink of 。 stays where it was relative to the text; the line (end
     * aligned) ends half an em further right, the blank half cut off. */
    cr_text_layout l;
    lay_out_ok(&t, "一二三。", &l);
    const cr_glyph_pos *stop = glyph_at(&l, 9);
    assert_int_equal(stop->advance, EM / 2);
    assert_int_equal(stop->x - l.glyphs[0].x, 3 * EM);
    assert_int_equal(l.lines[0].x + l.lines[0].width, (int32_t)(cr_mm_to_px(70, DPI) * 64 + 0.5));
    cr_text_layout_free(&l);
    /* Only at the line's end. */
    assert_int_equal(width_of(&t, CR_TRIM_LINE_END, "一。二"), 3 * EM);
}

/* 4.6 em: "一二三四。" (5 em) fits only trimmed; untrimmed, 。 may not start
 * a line, so 四 moves down with it. */
static void test_line_fits_only_with_trim(void **state)
{
    test_field t;
    init_field(&t, em_mm(4.6), CJK, NULL);
    const char *text = "一二三四。五六";
    cr_text_layout l;
    lay_out_ok(&t, text, &l);
    assert_int_equal(l.breaks[0], 9);
    cr_text_layout_free(&l);
    t.field.punctuation_trim = CR_TRIM_LINE_END;
    lay_out_ok(&t, text, &l);
    assert_int_equal(l.line_count, 2);
    assert_int_equal(l.breaks[0], 15);
    assert_int_equal(l.lines[0].width, 4 * EM + EM / 2);
    assert_false(l.overflow);
    cr_text_layout_free(&l);
}

/* Noto Sans Yi has 。 (ink on the left) but no halt feature: half the
 * advance is cut. Korean ？ is centred in its em: not trimmed; 。 is. */
static void test_trim_without_halt_and_centred_marks(void **state)
{
    test_field t;
    init_field(&t, 60, "Noto Sans Yi", NULL);
    int32_t untrimmed = width_of(&t, CR_TRIM_NONE, "ꀒꑞꁨ。");
    assert_int_equal(width_of(&t, CR_TRIM_LINE_END, "ꀒꑞꁨ。"), untrimmed - EM / 2);

    init_field(&t, 60, "Noto Sans CJK KR", NULL);
    assert_int_equal(width_of(&t, CR_TRIM_LINE_END, "한국？"),
                     width_of(&t, CR_TRIM_NONE, "한국？"));
    assert_int_equal(width_of(&t, CR_TRIM_LINE_END, "한국。"),
                     width_of(&t, CR_TRIM_NONE, "한국。") - EM / 2);
}

/* ---------------------------------------------------- vertical placement */

typedef struct ink {
    int32_t above, below; /* 26.6 from the baseline, below positive */
} ink;

/* The ink of a line from the glyphs' outlines, measured independently of
 * the layout through FreeType's bounding boxes. */
static ink ink_of_line(const cr_text_layout *l, size_t line)
{
    ink k = {INT32_MIN, INT32_MIN};
    for (size_t r = l->lines[line].first_run;
         r < l->lines[line].first_run + l->lines[line].run_count; r++) {
        for (size_t i = l->runs[r].first_glyph; i < l->runs[r].first_glyph + l->runs[r].glyph_count;
             i++) {
            const cr_glyph_pos *g = &l->glyphs[i];
            FT_Face ft = g->face->ft;
            assert_int_equal(FT_Set_Char_Size(ft, 0, g->ppem, 72, 72), 0);
            assert_int_equal(FT_Load_Glyph(ft, g->glyph_id, FT_LOAD_NO_HINTING), 0);
            FT_BBox box;
            FT_Outline_Get_CBox(&ft->glyph->outline, &box);
            int32_t lift = l->lines[line].baseline - g->y; /* the glyph's y offset */
            if (box.yMax + lift > k.above)
                k.above = (int32_t)box.yMax + lift;
            if (-(box.yMin + lift) > k.below)
                k.below = -(int32_t)(box.yMin + lift);
        }
    }
    return k;
}

/* Deep stacks with vowels above: 12 pt (50 px) is less than the ink of two
 * lines, so the lines get the room the ink needs. */
static void test_tibetan_lines_do_not_collide(void **state)
{
    test_field t;
    init_field(&t, 22, "Noto Serif Tibetan", NULL);
    t.field.line_height_pt = 12;
    t.field.h_mm = 40;
    cr_text_layout l;
    lay_out_ok(&t, "བསྒྲུབས་སྐྱོང་བསྐྲུན་སྒྲིག་བསྒྲུབས་སྐྱོང་བསྐྲུན་སྒྲིག་བསྒྲུབས་སྐྱོང་", &l);
    assert_true(l.line_count >= 3);
    for (size_t i = 1; i < l.line_count; i++) {
        int32_t pitch = l.lines[i].baseline - l.lines[i - 1].baseline;
        ink above = ink_of_line(&l, i - 1), below = ink_of_line(&l, i);
        assert_true(pitch >= 50 * 64);
        assert_true(pitch >= above.below + below.above + EM / 20 - 64); /* within a pixel */
        assert_true(pitch > 50 * 64);                                   /* the ink won */
    }
    cr_text_layout_free(&l);

    /* Han at the same 12 pt keeps exactly 12 pt. */
    init_field(&t, 22, CJK, NULL);
    t.field.line_height_pt = 12;
    lay_out_ok(&t, "北京市东城区东华门街道南池子大街一号院", &l);
    assert_int_equal(l.lines[1].baseline - l.lines[0].baseline, 50 * 64);
    cr_text_layout_free(&l);
}

/* Han and Uyghur on one line stand on one alphabetic baseline (the fonts'
 * own; Noto Sans CJK's BASE table puts its ideographic baseline 0.12 em
 * below it), the baseline below the taller ascent of the two faces. */
static void test_uyghur_and_han_share_the_baseline(void **state)
{
    test_field t;
    init_field(&t, 70, CJK, "UKIJ Tuz Tom", NULL);
    t.field.direction = CR_DIR_LTR;
    const char *text = "乌鲁木齐 ئۈرۈمچى 天山区";
    cr_text_layout l;
    lay_out_ok(&t, text, &l);
    assert_int_equal(l.line_count, 1);
    const cr_face *cjk = t.faces[0], *ukij = t.faces[1];
    int32_t ascent = cr_font_units_to_26_6(cjk->ascender, EM, cjk->upem);
    int32_t ukij_ascent = cr_font_units_to_26_6(ukij->ascender, EM, ukij->upem);
    int32_t top = (int32_t)(cr_mm_to_px(10, DPI) * 64 + 0.5);
    assert_int_equal(l.lines[0].baseline, top + (ascent > ukij_ascent ? ascent : ukij_ascent));
    assert_int_equal(glyph_at(&l, 0)->y, l.lines[0].baseline);
    assert_int_equal(glyph_at(&l, (uint32_t)(strstr(text, "天") - text))->y, l.lines[0].baseline);
    const cr_glyph_pos *mim = glyph_at(&l, (uint32_t)(strstr(text, "م") - text));
    assert_ptr_equal(mim->face, ukij);
    assert_int_equal(mim->y, l.lines[0].baseline);
    cr_text_layout_free(&l);
}

/* ---------------------------------------------------------- alignment */

/* start/end/center follow the paragraph direction: an RTL paragraph's end
 * is the box's left; justify fills every line but the last. */
static void test_rtl_alignment_follows_paragraph(void **state)
{
    test_field t;
    init_field(&t, 40, "UKIJ Tuz Tom", NULL);
    const char *text = "ئۈرۈمچى شەھىرى";
    int32_t left = (int32_t)(cr_mm_to_px(10, DPI) * 64 + 0.5);
    int32_t box = (int32_t)(cr_mm_to_px(40, DPI) * 64 + 0.5);
    cr_text_layout l;
    t.field.align = CR_ALIGN_END;
    lay_out_ok(&t, text, &l);
    assert_int_equal(l.lines[0].x, left);
    int32_t width = l.lines[0].width;
    cr_text_layout_free(&l);
    t.field.align = CR_ALIGN_START;
    lay_out_ok(&t, text, &l);
    assert_int_equal(l.lines[0].x + l.lines[0].width, left + box);
    cr_text_layout_free(&l);
    t.field.align = CR_ALIGN_CENTER;
    lay_out_ok(&t, text, &l);
    assert_int_equal(l.lines[0].x, left + (box - width) / 2);
    cr_text_layout_free(&l);

    t.field.align = CR_ALIGN_JUSTIFY;
    t.field.w_mm = 22;
    lay_out_ok(&t, "ئۈرۈمچى شەھىرى تەڭرىتاغ رايونى", &l);
    assert_true(l.line_count >= 2);
    box = (int32_t)(cr_mm_to_px(22, DPI) * 64 + 0.5);
    assert_int_equal(l.lines[0].x, left);
    assert_int_equal(l.lines[0].width, box);
    size_t last = l.line_count - 1;
    assert_int_equal(l.lines[last].x + l.lines[last].width, left + box); /* start = right */
    assert_true(l.lines[last].width < box);
    cr_text_layout_free(&l);
}

/* --------------------------------------------------------- newlines */

/* A newline ends its line; a final one opens no empty line (record values
 * often end with one), a second one does. */
static void test_trailing_newline_is_ignored(void **state)
{
    test_field t;
    init_field(&t, 60, CJK, NULL);
    cr_text_layout l;
    lay_out_ok(&t, "张三\n", &l);
    assert_int_equal(l.line_count, 1);
    assert_int_equal(l.lines[0].end, 7);
    cr_text_layout_free(&l);
    lay_out_ok(&t, "张三\n\n", &l);
    assert_int_equal(l.line_count, 2);
    assert_int_equal(l.lines[1].run_count, 0);
    assert_true(l.lines[1].baseline > l.lines[0].baseline);
    cr_text_layout_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tibetan_date_digits_fall_back),
        cmocka_unit_test(test_uyghur_date_hyphen_falls_back),
        cmocka_unit_test(test_mongolian_date_digits_fall_back),
        cmocka_unit_test(test_extension_b_from_second_cjk_font),
        cmocka_unit_test(test_missing_glyph_is_error),
        cmocka_unit_test(test_missing_glyph_draws_notdef_with_warning),
        cmocka_unit_test(test_notdef_warning_reaches_the_caller),
        cmocka_unit_test(test_decomposed_text_set_by_composed_font),
        cmocka_unit_test(test_line_end_stop_is_trimmed_by_half_an_em),
        cmocka_unit_test(test_line_fits_only_with_trim),
        cmocka_unit_test(test_trim_without_halt_and_centred_marks),
        cmocka_unit_test(test_tibetan_lines_do_not_collide),
        cmocka_unit_test(test_uyghur_and_han_share_the_baseline),
        cmocka_unit_test(test_rtl_alignment_follows_paragraph),
        cmocka_unit_test(test_trailing_newline_is_ignored),
    };
    return cmocka_run_group_tests(tests, engine_setup, engine_teardown);
}
