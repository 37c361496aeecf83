/* Real-world name data: compatibility ideographs drawn as themselves,
 * ideographic variation sequences drawn as their variant, legacy Uyghur in
 * Arabic presentation forms read back into letters, private-use characters
 * drawn only by the font the manifest names for them. The expected glyphs
 * are asked of HarfBuzz and FreeType directly (the font's own cmap), not of
 * the engine. Run from the project root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <hb.h>

#include "cardrender.h"
#include "engine.h"
#include "fonts.h"
#include "layout.h"
#include "support.h"
#include "template.h"

#define CJK "Noto Sans CJK SC"

static void init_field(test_field *t, const char *family, ...)
{
    va_list more;
    va_start(more, family);
    field_init(t, 60, 20, family, more);
    va_end(more);
    field_locate(t, 2, "name", 7, 5);
}

static hb_codepoint_t nominal(const cr_face *face, uint32_t cp)
{
    hb_codepoint_t glyph = 0;
    hb_font_get_nominal_glyph(face->hb_font, cp, &glyph);
    return glyph;
}

/* ------------------------------------------------ compatibility ideographs */

/* U+2F800 (丽 compatibility) has the canonical decomposition U+4E3D; Noto
 * Sans CJK has only U+4E3D. The engine must take a face that maps U+2F800
 * itself and draw that glyph, not Noto's 丽. */
static void test_compatibility_ideograph_is_itself(void **state)
{
    test_field t;
    init_field(&t, CJK, NULL);
    cr_text_layout l;
    lay_out_ok(&t, "\U0002F800", &l);
    assert_int_equal(l.glyph_count, 1);
    const cr_face *face = l.glyphs[0].face;
    assert_true(cr_face_has_codepoint(face, 0x2F800));
    assert_int_equal(l.glyphs[0].glyph_id, nominal(face, 0x2F800));
    assert_int_not_equal(l.glyphs[0].glyph_id, nominal(face, 0x4E3D));
    cr_text_layout_free(&l);
}

/* -------------------------------------------- ideographic variation seqs */

/* 葛 U+845B with U+E0100: HanaMinA's cmap format 14 has the variant;
 * Noto Sans CJK SC (the field's font) has none, so HanaMinA draws it. */
static void test_variation_sequence_draws_the_variant(void **state)
{
    test_field t;
    init_field(&t, CJK, NULL);
    cr_text_layout l;
    lay_out_ok(&t, "葛\U000E0100", &l);
    const cr_glyph_pos *g = glyph_at(&l, 0);
    assert_string_equal(g->face->family, "HanaMinA");
    hb_codepoint_t variant = 0;
    assert_true(hb_font_get_variation_glyph(g->face->hb_font, 0x845B, 0xE0100, &variant));
    assert_int_equal(g->glyph_id, variant);
    assert_int_not_equal(g->glyph_id, nominal(g->face, 0x845B));
    assert_int_equal(l.warning_count, 0);
    cr_text_layout_free(&l);
}

/* A sequence no font has: the plain character from the usual face, and a
 * warning naming the sequence. */
static void test_unknown_variation_sequence_is_warned(void **state)
{
    test_field t;
    init_field(&t, CJK, NULL);
    cr_text_layout l;
    lay_out_ok(&t, "一\U000E01EF", &l);
    const cr_glyph_pos *g = glyph_at(&l, 0);
    assert_string_equal(g->face->family, CJK);
    assert_int_equal(g->glyph_id, nominal(g->face, 0x4E00));
    assert_int_equal(l.warning_count, 1);
    assert_string_equal(l.warnings[0].message,
                        "no font has the variation sequence U+4E00 U+E01EF (byte 0 of the text): "
                        "drawn as the plain U+4E00 from \"Noto Sans CJK SC\"");
    cr_text_layout_free(&l);
}

/* ------------------------------------------------ presentation forms */

/* ئۇيغۇر لا typed in logical order, and the same as a legacy system stored
 * it: each letter in its contextual presentation form (U+FE8B ئ initial,
 * U+FBD8 ۇ final, U+FEF3 ي initial, U+FED0 غ medial, U+FBD8, U+FEAD ر
 * isolated) and lam-alef as the ligature U+FEFB. */
#define LOGICAL "ئۇيغۇر لا"
#define LEGACY "\uFE8B\uFBD8\uFEF3\uFED0\uFBD8\uFEAD \uFEFB"

static void assert_same_glyphs(const cr_text_layout *a, const cr_text_layout *b)
{
    assert_int_equal(a->glyph_count, b->glyph_count);
    for (size_t i = 0; i < a->glyph_count; i++) {
        assert_int_equal(a->glyphs[i].glyph_id, b->glyphs[i].glyph_id);
        assert_int_equal(a->glyphs[i].x, b->glyphs[i].x);
        assert_int_equal(a->glyphs[i].y, b->glyphs[i].y);
        assert_ptr_equal(a->glyphs[i].face, b->glyphs[i].face);
    }
}

static void test_presentation_forms_normalize(void **state)
{
    test_field t;
    init_field(&t, "UKIJ Tuz Tom", NULL);
    t.field.presentation_forms = CR_PRESENTATION_NORMALIZE;
    cr_text_layout logical, legacy;
    lay_out_ok(&t, LOGICAL, &logical);
    lay_out_ok(&t, LEGACY, &legacy);
    assert_same_glyphs(&logical, &legacy);
    assert_int_equal(legacy.warning_count, 0);
    assert_null(logical.text); /* nothing to read back */
    assert_string_equal(legacy.text, LOGICAL);
    cr_text_layout_free(&logical);
    cr_text_layout_free(&legacy);
}

static void test_presentation_forms_warn_and_error(void **state)
{
    test_field t;
    init_field(&t, "UKIJ Tuz Tom", NULL);
    cr_text_layout l;
    lay_out_ok(&t, LEGACY, &l); /* "warn", the default: drawn as given */
    assert_int_equal(l.warning_count, 1);
    assert_non_null(strstr(l.warnings[0].message, "U+FE8B (byte 0 of the text)"));
    assert_null(l.text);
    cr_text_layout_free(&l);

    t.field.presentation_forms = CR_PRESENTATION_ERROR;
    cr_error err;
    assert_int_equal(lay_out(&t, "ئا" LEGACY, &l, &err), CR_ERR_TEXT);
    assert_string_equal(err.message,
                        "test.json:7:5: field 2 \"name\": U+FE8B (byte 4 of the text) is an "
                        "Arabic presentation form: the text was shaped before it came here "
                        "(\"presentation_forms\": \"normalize\" reads it back into letters)");
}

/* ------------------------------------------------ private use */

static cr_engine *private_use_engine(void)
{
    cr_error err;
    cr_engine_options options = {.struct_size = sizeof options,
                                 .font_manifest_path = "tests/data/fonts/private_use.json"};
    cr_engine *engine = cr_engine_create(&options, &err);
    if (!engine)
        fail_msg("%s", err.message);
    return engine;
}

/* U+E000..U+E0FF are BabelStone Han's by the manifest; U+E100 is Noto
 * Sans's, which has no glyph there; U+E200 is no one's, though BabelStone
 * Han (in the default chain) and HanaMinA have glyphs there: another
 * font's private-use glyph is another character. */
static void test_private_use_only_from_its_font(void **state)
{
    cr_engine *engine = private_use_engine();
    test_field t;
    init_field(&t, CJK, NULL);
    cr_text_layout l;
    cr_error err;
    assert_int_equal(cr_layout_text(engine, NULL, &t.field, "张\uE000", 300, &l, &err), CR_OK);
    assert_string_equal(glyph_at(&l, 3)->face->family, "BabelStone Han");
    assert_int_equal(glyph_at(&l, 3)->glyph_id, nominal(glyph_at(&l, 3)->face, 0xE000));
    cr_text_layout_free(&l);

    assert_int_equal(cr_layout_text(engine, NULL, &t.field, "张\uE100", 300, &l, &err),
                     CR_ERR_FONT);
    assert_string_equal(err.message, "field 2 \"name\": U+E100 (byte 3 of the text) is a "
                                     "private-use character served by \"Noto Sans\", which has "
                                     "no glyph for it");
    t.field.missing_glyph = CR_MISSING_NOTDEF; /* a private-use character is never guessed */
    assert_int_equal(cr_layout_text(engine, NULL, &t.field, "张\uE200", 300, &l, &err),
                     CR_ERR_FONT);
    assert_string_equal(err.message,
                        "field 2 \"name\": U+E200 (byte 3 of the text) is a private-use "
                        "character and no font serves it: name the font made for it in the "
                        "manifest's \"private_use\" (README, \"Rare and private-use characters\")");
    cr_engine_destroy(engine);
}

/* The project's own manifest serves no private-use code point: U+E000 is
 * refused though HanaMinA and BabelStone Han, in the Han chain, have it. */
static void test_private_use_refused_by_default(void **state)
{
    test_field t;
    init_field(&t, CJK, NULL);
    cr_text_layout l;
    cr_error err;
    assert_int_equal(lay_out(&t, "\uE000", &l, &err), CR_ERR_FONT);
    assert_non_null(strstr(err.message, "U+E000 (byte 0 of the text) is a private-use character "
                                        "and no font serves it"));
}

static void test_private_use_manifest_errors(void **state)
{
    cr_error err;
    assert_null(cr_font_manifest_load("tests/data/fonts/bad_private_use.json", &err));
    assert_int_equal(err.code, CR_ERR_FONT);
    assert_string_equal(
        err.message,
        "tests/data/fonts/bad_private_use.json:6:18: private_use \"Noto Sans\": entry 1 "
        "must be a range of private-use code points like \"U+E000..U+E0FF\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compatibility_ideograph_is_itself),
        cmocka_unit_test(test_variation_sequence_draws_the_variant),
        cmocka_unit_test(test_unknown_variation_sequence_is_warned),
        cmocka_unit_test(test_presentation_forms_normalize),
        cmocka_unit_test(test_presentation_forms_warn_and_error),
        cmocka_unit_test(test_private_use_only_from_its_font),
        cmocka_unit_test(test_private_use_refused_by_default),
        cmocka_unit_test(test_private_use_manifest_errors),
    };
    return cmocka_run_group_tests_name("name text", tests, engine_setup, engine_teardown);
}
