/* Text layout: shaping, fallback, line breaking, bidi, alignment and fit
 * policies, asserted on exact 26.6 positions, clusters and break offsets.
 * Runs from the project root (fonts/manifest.json). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cardrender.h"
#include "layout.h"
#include "shape.h"
#include "support.h"
#include "template.h"

#define CJK "Noto Sans CJK SC"
#define DPI FIXTURE_DPI
#define PPEM_9PT 2400 /* 9 pt at 300 dpi = 37.5 px */

/* 9 pt, 300 dpi, a box at (10 mm, 10 mm) of w_mm x 20 mm, fit wrap; fonts
 * NULL-ended; field 3 "address" at test.json:12:5. */
static void init_field(test_field *t, double w_mm, const char *family, ...)
{
    va_list more;
    va_start(more, family);
    field_init(t, w_mm, 20, family, more);
    va_end(more);
    field_locate(t, 3, "address", 12, 5);
    t->field.min_size_pt = 6;
    t->field.min_scale_x = 0.5;
}

/* ------------------------------------------------------------- shaping */

static void test_shape_han_full_width(void **state)
{
    const char *text = "中华人民共和国";
    cr_shape_input in = {.text = text,
                         .context_end = 21,
                         .end = 21,
                         .face = face_of(CJK),
                         .script = USCRIPT_HAN,
                         .lang = "zh-Hans"};
    cr_shaped_glyph *glyphs;
    size_t count;
    assert_int_equal(cr_shape(&in, &glyphs, &count, NULL), CR_OK);
    assert_int_equal(count, 7);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(glyphs[i].cluster, 3 * i);
        assert_int_equal(cr_font_units_to_26_6(glyphs[i].x_advance, PPEM_9PT, in.face->upem),
                         PPEM_9PT);
    }
    free(glyphs);
}

static void test_layout_han_single_line(void **state)
{
    test_field t;
    init_field(&t, 60, CJK, NULL);
    cr_text_layout l;
    lay_out_ok(&t, "中华人民共和国", &l);
    assert_int_equal(l.glyph_count, 7);
    assert_int_equal(l.line_count, 1);
    assert_int_equal(l.run_count, 1);
    assert_string_equal(l.runs[0].script, "Hani");
    assert_string_equal(l.runs[0].lang, "zh-Hans");
    assert_ptr_equal(l.runs[0].face, t.faces[0]);
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(l.glyphs[i].cluster, 3 * i);
        assert_int_equal(l.glyphs[i].advance, PPEM_9PT);
        assert_int_equal(l.glyphs[i].ppem, PPEM_9PT);
        assert_int_equal(l.glyphs[i].x_scale, 65536);
        assert_int_equal(l.glyphs[i].x, mm_26_6(10) + (int32_t)i * PPEM_9PT);
    }
    /* First baseline = box top + the face's ascender at 9 pt. */
    const cr_face *f = t.faces[0];
    assert_int_equal(l.lines[0].baseline,
                     mm_26_6(10) + cr_font_units_to_26_6(f->ascender, PPEM_9PT, f->upem));
    assert_int_equal(l.glyphs[0].y, l.lines[0].baseline);
    assert_int_equal(l.lines[0].width, 7 * PPEM_9PT);
    assert_false(l.overflow);
    assert_true(l.size_pt == 9.0 && l.scale_x == 1.0);
    cr_text_layout_free(&l);
    assert_null(l.glyphs);
}

/* ------------------------------------------------------- line breaking */

/* 11 full-width characters fit in 35 mm at 9 pt (412.5 px of 413.4). */
static void test_address_wraps_at_box_width(void **state)
{
    test_field t;
    init_field(&t, 35, CJK, NULL);
    t.field.line_height_pt = 12;
    cr_text_layout l;
    const char *address = "北京市东城区东华门街道南池子大街一号院";
    lay_out_ok(&t, address, &l);
    assert_int_equal(l.line_count, 2);
    assert_int_equal(l.break_count, 1);
    assert_int_equal(l.breaks[0], 33);
    assert_int_equal(l.lines[0].start, 0);
    assert_int_equal(l.lines[0].end, 33);
    assert_int_equal(l.lines[1].start, 33);
    assert_int_equal(l.lines[1].end, strlen(address));
    assert_int_equal(l.lines[0].width, 11 * PPEM_9PT);
    assert_int_equal(l.lines[1].width, 8 * PPEM_9PT);
    assert_int_equal(l.lines[1].x, mm_26_6(10));
    /* 12 pt line pitch at 300 dpi = 50 px. */
    assert_int_equal(l.lines[1].baseline - l.lines[0].baseline, 50 * 64);
    assert_false(l.overflow);
    cr_text_layout_free(&l);
}

/* Box of 5.5 em: a naive break after 5 characters would start line 2 with
 * "，" and, after 5 more, line 3 with "。". */
static void test_kinsoku_no_line_starts_with_comma_or_stop(void **state)
{
    test_field t;
    init_field(&t, 5.5 * 9 * 25.4 / 72, CJK, NULL);
    cr_text_layout l;
    const char *text = "一二三四五，六七八。九十";
    lay_out_ok(&t, text, &l);
    assert_int_equal(l.line_count, 3);
    assert_int_equal(l.breaks[0], 12); /* 一二三四 | 五，六七 | 八。九十 */
    assert_int_equal(l.breaks[1], 24);
    for (size_t i = 1; i < l.line_count; i++) {
        assert_memory_not_equal(text + l.lines[i].start, "，", 3);
        assert_memory_not_equal(text + l.lines[i].start, "。", 3);
    }
    assert_false(l.overflow);
    cr_text_layout_free(&l);
}

static void test_newline_is_mandatory_break(void **state)
{
    test_field t;
    init_field(&t, 60, CJK, NULL);
    cr_text_layout l;
    lay_out_ok(&t, "姓名\n张三", &l);
    assert_int_equal(l.line_count, 2);
    assert_int_equal(l.breaks[0], 7);
    assert_int_equal(l.glyph_count, 4); /* no glyph for the newline */
    assert_int_equal(l.lines[0].width, 2 * PPEM_9PT);
    cr_text_layout_free(&l);
}

static void test_trailing_spaces_do_not_count(void **state)
{
    test_field t;
    init_field(&t, 60, "Noto Sans", NULL);
    t.field.align = CR_ALIGN_RIGHT;
    cr_text_layout l, trimmed;
    lay_out_ok(&t, "ab   ", &l);
    lay_out_ok(&t, "ab", &trimmed);
    assert_int_equal(l.lines[0].width, trimmed.lines[0].width);
    assert_int_equal(l.lines[0].x, trimmed.lines[0].x);
    cr_text_layout_free(&l);
    cr_text_layout_free(&trimmed);
}

/* -------------------------------------------------------- font fallback */

static void test_mixed_han_and_digits_fall_back(void **state)
{
    test_field t;
    init_field(&t, 80, "OCR B", CJK, NULL);
    cr_text_layout l;
    const char *text = "公民身份号码 110101199003074578";
    lay_out_ok(&t, text, &l);
    assert_int_equal(l.line_count, 1);
    const cr_face *ocr = t.faces[0], *cjk = t.faces[1];
    size_t digits = 0;
    int32_t last_x = INT32_MIN;
    for (size_t i = 0; i < l.glyph_count; i++) {
        const cr_glyph_pos *g = &l.glyphs[i];
        if (g->cluster < 18) {
            assert_ptr_equal(g->face, cjk); /* OCR B has no Han */
        } else if (g->cluster > 18) {
            assert_ptr_equal(g->face, ocr);
            assert_true(cr_face_has_codepoint(g->face, (uint8_t)text[g->cluster]));
            assert_int_equal(g->cluster, 19 + digits); /* the 18 digits, in order */
            assert_true(g->x > last_x);
            last_x = g->x;
            digits++;
        }
    }
    assert_int_equal(digits, 18);
    cr_text_layout_free(&l);
}

static void test_uncovered_code_point_is_font_error(void **state)
{
    test_field t;
    init_field(&t, 60, CJK, NULL);
    cr_text_layout l;
    cr_error err;
    cr_status status = lay_out(&t, "姓名\xf0\xb0\x81\x81", &l, &err); /* U+30041, Ext. G */
    assert_int_equal(status, CR_ERR_FONT);
    assert_int_equal(err.code, CR_ERR_FONT);
    assert_non_null(strstr(err.message,
                           "test.json:12:5: field 3 \"address\": no font covers "
                           "U+30041 (CJK Unified Ideographs Extension G, byte 6 of the text); "
                           "tried \"Noto Sans CJK SC\""));
    assert_non_null(strstr(err.message, "\"DejaVu Sans\""));
    assert_int_equal(err.field_index, 3);
    assert_null(l.glyphs);
    assert_int_equal(l.line_count, 0);
}

/* Uyghur already shaped into presentation forms (how legacy systems store
 * it) is laid out, with one warning at the first such letter; the same name
 * typed as letters gets none. */
static void test_preshaped_arabic_is_warned(void **state)
{
    test_field t;
    init_field(&t, 60, "UKIJ Tuz Tom", NULL);
    cr_text_layout l;
    lay_out_ok(&t, "ئابلىمىت \xef\xba\x97\xef\xbb\xae", &l); /* U+FE97 U+FEEE */
    assert_int_equal(l.warning_count, 1);
    assert_int_equal(l.warnings[0].code, CR_ERR_TEXT);
    assert_non_null(strstr(l.warnings[0].message, "U+FE97 (byte 17 of the text) is an Arabic "
                                                  "presentation form"));
    cr_text_layout_free(&l);
    lay_out_ok(&t, "ئابلىمىت تۇرسۇن", &l);
    assert_int_equal(l.warning_count, 0);
    cr_text_layout_free(&l);
}

/* Noto Sans has U+0020 and comes first, but a space between Han characters
 * stays with the Han face instead of splitting the run. */
static void test_space_keeps_preceding_face(void **state)
{
    test_field t;
    init_field(&t, 60, "Noto Sans", CJK, NULL);
    cr_text_layout l;
    lay_out_ok(&t, "中 文", &l);
    assert_int_equal(l.run_count, 1);
    assert_ptr_equal(l.runs[0].face, t.faces[1]);
    cr_text_layout_free(&l);
}

/* NNBSP is in Noto Sans too, but it must shape with its Mongolian letters:
 * the whole run takes one face. */
static void test_mongolian_run_takes_one_face(void **state)
{
    test_field t;
    init_field(&t, 80, "Noto Sans", "Noto Sans Mongolian", NULL);
    cr_text_layout l;
    lay_out_ok(&t, "ᠮᠣᠩᠭᠣᠯ\u202Fᠤᠨ", &l);
    assert_int_equal(l.run_count, 1);
    assert_string_equal(l.runs[0].script, "Mong");
    assert_string_equal(l.runs[0].lang, "mn");
    assert_ptr_equal(l.runs[0].face, t.faces[1]);
    cr_text_layout_free(&l);
}

/* Horizontal Mongolian keeps a suffix with its word as columns do: a box
 * narrower than any word breaks at every opportunity, yet not before the
 * NNBSP typed after a space. */
static void test_mongolian_suffix_does_not_start_a_line(void **state)
{
    test_field t;
    init_field(&t, 4, "Noto Sans Mongolian", NULL);
    cr_text_layout l;
    const char *text = "ᠮᠣᠩᠭᠣᠯ \u202Fᠤᠨ ᠬᠡᠯᠡ";
    lay_out_ok(&t, text, &l);
    assert_int_equal(l.line_count, 2);
    assert_int_equal(l.breaks[0], (uint32_t)(strstr(text, "ᠬᠡᠯᠡ") - text));
    assert_true(l.overflow);
    cr_text_layout_free(&l);
}

/* ------------------------------------------------------------------ bidi */

static const cr_text_run *run_at(const cr_text_layout *l, uint32_t byte)
{
    for (size_t r = 0; r < l->run_count; r++)
        if (l->runs[r].start <= byte && byte < l->runs[r].end)
            return &l->runs[r];
    return NULL;
}

/* The digits of a run, read left to right from their clusters. */
static void digits_left_to_right(const cr_text_layout *l, const char *text, const cr_text_run *run,
                                 char *out)
{
    size_t n = 0;
    for (size_t g = run->first_glyph; g < run->first_glyph + run->glyph_count; g++) {
        if (g > run->first_glyph)
            assert_true(l->glyphs[g].x > l->glyphs[g - 1].x);
        out[n++] = text[l->glyphs[g].cluster];
    }
    out[n] = '\0';
}

static void test_uyghur_digits_keep_their_order(void **state)
{
    test_field t;
    init_field(&t, 80, "UKIJ Tuz Tom", NULL);
    t.field.direction = CR_DIR_AUTO;
    cr_text_layout l;
    const char *text = "1990-يىلى 5-ئاينىڭ 12-كۈنى";
    lay_out_ok(&t, text, &l);
    assert_int_equal(l.line_count, 1);
    const cr_text_run *year = run_at(&l, 0), *month = run_at(&l, strstr(text, "5") - text),
                      *day = run_at(&l, strstr(text, "12") - text);
    char digits[8];
    digits_left_to_right(&l, text, year, digits);
    assert_string_equal(digits, "1990");
    digits_left_to_right(&l, text, month, digits);
    assert_string_equal(digits, "5");
    digits_left_to_right(&l, text, day, digits);
    assert_string_equal(digits, "12");
    assert_int_equal(year->bidi_level, 2);
    assert_int_equal(month->bidi_level % 2, 0);
    assert_int_equal(day->bidi_level % 2, 0);
    /* The paragraph is RTL: the year is at the right, the day at the left,
     * and the Arabic runs are odd-level with clusters falling left to right. */
    assert_true(l.glyphs[day->first_glyph].x < l.glyphs[month->first_glyph].x);
    assert_true(l.glyphs[month->first_glyph].x < l.glyphs[year->first_glyph].x);
    const cr_text_run *word = run_at(&l, strstr(text, "ي") - text);
    assert_int_equal(word->bidi_level, 1);
    assert_string_equal(word->script, "Arab");
    assert_string_equal(word->lang, "ug");
    assert_true(l.glyphs[word->first_glyph].cluster >
                l.glyphs[word->first_glyph + word->glyph_count - 1].cluster);
    /* align start = right for an RTL paragraph */
    assert_int_equal(l.lines[0].x + l.lines[0].width, mm_26_6(10) + mm_26_6(80));
    cr_text_layout_free(&l);
}

/* Wrapped RTL text: lines in logical order top to bottom, each aligned
 * right (start). */
static void test_rtl_wraps_top_to_bottom(void **state)
{
    test_field t;
    init_field(&t, 25, "UKIJ Tuz Tom", NULL);
    cr_text_layout l;
    const char *text = "1990-يىلى 5-ئاينىڭ 12-كۈنى";
    lay_out_ok(&t, text, &l);
    assert_int_equal(l.line_count, 2);
    assert_int_equal(l.lines[0].start, 0);
    assert_true(l.lines[1].start <= (uint32_t)(strstr(text, "12") - text));
    assert_true(l.lines[1].baseline > l.lines[0].baseline);
    for (size_t i = 0; i < l.line_count; i++)
        assert_int_equal(l.lines[i].x + l.lines[i].width, mm_26_6(10) + mm_26_6(25));
    assert_false(l.overflow);
    cr_text_layout_free(&l);
}

static void test_forced_ltr_puts_arabic_at_the_left(void **state)
{
    test_field t;
    init_field(&t, 80, "UKIJ Tuz Tom", NULL);
    t.field.direction = CR_DIR_LTR;
    cr_text_layout l;
    const char *text = "1990-يىلى";
    lay_out_ok(&t, text, &l);
    const cr_text_run *year = run_at(&l, 0);
    assert_int_equal(year->bidi_level, 0);
    assert_ptr_equal(year, &l.runs[l.lines[0].first_run]); /* visually first */
    assert_int_equal(l.lines[0].x, mm_26_6(10));
    cr_text_layout_free(&l);
}

/* The runs carry the levels UAX #9 resolves, also where ICU finds a line
 * (or the whole text) of one direction and reads every level as the
 * paragraph's: Arabic-Indic digits in a left-to-right line are at level 2,
 * the hyphen and European digit after them at 0 (W7 makes the 1 L). */
static void test_arabic_indic_digits_in_ltr_line_are_level_2(void **state)
{
    test_field t;
    init_field(&t, 80, "UKIJ Tuz Tom", NULL);
    cr_text_layout l;
    const char *text = "\u0661-1"; /* ١-1 */
    lay_out_ok(&t, text, &l);
    assert_int_equal(l.run_count, 2);
    assert_int_equal(run_at(&l, 0)->bidi_level, 2);
    assert_int_equal(run_at(&l, 2)->bidi_level, 0);
    assert_int_equal(run_at(&l, 3)->bidi_level, 0);
    assert_ptr_equal(run_at(&l, 0), &l.runs[0]); /* even levels: logical order */
    assert_true(l.glyphs[0].x < l.glyphs[1].x && l.glyphs[1].x < l.glyphs[2].x);
    cr_text_layout_free(&l);

    lay_out_ok(&t, "\u0661\u0662", &l); /* ١٢: digits only, no neutral */
    assert_int_equal(l.run_count, 1);
    assert_int_equal(l.runs[0].bidi_level, 2);
    assert_true(l.glyphs[0].cluster == 0 && l.glyphs[0].x < l.glyphs[1].x);
    cr_text_layout_free(&l);
}

/* ------------------------------------------------------------- alignment */

static int32_t line_x_for(cr_halign align, const char *text)
{
    test_field t;
    init_field(&t, 20, CJK, NULL);
    t.field.align = align;
    cr_text_layout l;
    lay_out_ok(&t, text, &l);
    int32_t x = l.lines[0].x;
    cr_text_layout_free(&l);
    return x;
}

static void test_alignment(void **state)
{
    int32_t left = mm_26_6(10), box = mm_26_6(20), width = 2 * PPEM_9PT;
    assert_int_equal(line_x_for(CR_ALIGN_START, "姓名"), left);
    assert_int_equal(line_x_for(CR_ALIGN_LEFT, "姓名"), left);
    assert_int_equal(line_x_for(CR_ALIGN_CENTER, "姓名"), left + (box - width) / 2);
    assert_int_equal(line_x_for(CR_ALIGN_END, "姓名"), left + box - width);
    assert_int_equal(line_x_for(CR_ALIGN_RIGHT, "姓名"), left + box - width);
    /* justify does not touch a last line */
    assert_int_equal(line_x_for(CR_ALIGN_JUSTIFY, "姓名"), left);
}

static void test_distribute_spreads_to_box_edges(void **state)
{
    test_field t;
    init_field(&t, 20, CJK, NULL);
    t.field.align = CR_ALIGN_DISTRIBUTE;
    cr_text_layout l;
    lay_out_ok(&t, "姓名", &l);
    int32_t left = mm_26_6(10), right = left + mm_26_6(20);
    assert_int_equal(l.glyphs[0].x, left);
    assert_int_equal(l.glyphs[1].x + l.glyphs[1].advance, right);
    assert_int_equal(l.lines[0].width, mm_26_6(20));
    cr_text_layout_free(&l);

    lay_out_ok(&t, "姓名性", &l); /* three clusters: equal gaps (to 1/64 px) */
    int32_t gap1 = l.glyphs[1].x - l.glyphs[0].x, gap2 = l.glyphs[2].x - l.glyphs[1].x;
    assert_true(abs(gap1 - gap2) <= 1);
    assert_int_equal(l.glyphs[2].x + l.glyphs[2].advance, right);
    cr_text_layout_free(&l);

    lay_out_ok(&t, "名", &l); /* one cluster: centred */
    assert_int_equal(l.glyphs[0].x, left + (mm_26_6(20) - PPEM_9PT) / 2);
    cr_text_layout_free(&l);
}

static void test_justify_fills_all_but_last_line(void **state)
{
    test_field t;
    init_field(&t, 35, CJK, NULL);
    t.field.align = CR_ALIGN_JUSTIFY;
    cr_text_layout l;
    lay_out_ok(&t, "北京市东城区东华门街道南池子大街一号院", &l);
    int32_t left = mm_26_6(10), box = mm_26_6(35);
    assert_int_equal(l.lines[0].x, left);
    assert_int_equal(l.lines[0].width, box);
    size_t first, count = glyphs_of_line(&l, 0, &first);
    const cr_glyph_pos *last = &l.glyphs[first + count - 1];
    assert_int_equal(last->x + last->advance, left + box);
    assert_int_equal(l.lines[1].width, 8 * PPEM_9PT); /* last line: natural */
    cr_text_layout_free(&l);
}

static void test_letter_spacing_between_clusters(void **state)
{
    test_field t;
    init_field(&t, 80, "OCR B", NULL);
    t.field.letter_spacing_em = 0.05;
    cr_text_layout l, plain;
    lay_out_ok(&t, "110101", &l);
    t.field.letter_spacing_em = 0;
    lay_out_ok(&t, "110101", &plain);
    int32_t spacing = 120; /* 0.05 em of 2400 */
    assert_int_equal(l.lines[0].width, plain.lines[0].width + 5 * spacing);
    for (size_t i = 1; i < l.glyph_count; i++)
        assert_int_equal(l.glyphs[i].x - l.glyphs[i - 1].x, l.glyphs[i - 1].advance + spacing);
    cr_text_layout_free(&l);
    cr_text_layout_free(&plain);
}

static void test_valign_bottom(void **state)
{
    test_field t;
    init_field(&t, 60, CJK, NULL);
    t.field.valign = CR_VALIGN_BOTTOM;
    cr_text_layout l;
    lay_out_ok(&t, "姓名", &l);
    const cr_face *f = t.faces[0];
    int32_t descent = cr_font_units_to_26_6(-f->descender, PPEM_9PT, f->upem);
    assert_int_equal(l.lines[0].baseline + descent, mm_26_6(10) + mm_26_6(20));
    cr_text_layout_free(&l);
}

/* ----------------------------------------------------------- fit policies */

static const char *const address = "北京市东城区东华门街道南池子大街一号院";

static void test_wrap_overflow_keeps_all_lines(void **state)
{
    test_field t;
    init_field(&t, 35, CJK, NULL);
    t.field.max_lines = 1;
    cr_text_layout l;
    lay_out_ok(&t, address, &l);
    assert_true(l.overflow);
    assert_string_equal(l.overflow_reason, "needs 2 lines, box holds 1");
    assert_int_equal(l.line_count, 2);
    assert_int_equal(l.glyph_count, 19);
    cr_text_layout_free(&l);

    t.field.max_lines = 0;
    t.field.h_mm = 7; /* one line (hhea metrics, 1.448 em) is 5.43 mm; two are 10.9 mm */
    lay_out_ok(&t, address, &l);
    assert_true(l.overflow);
    assert_string_equal(l.overflow_reason, "needs 2 lines, box holds 1");
    cr_text_layout_free(&l);
}

/* A box lower than the font's ascender + descender still holds one line. */
static void test_low_box_holds_one_line(void **state)
{
    test_field t;
    init_field(&t, 35, CJK, NULL);
    t.field.h_mm = 3.0;
    t.field.fit = CR_FIT_ERROR;
    cr_text_layout l;
    lay_out_ok(&t, "姓名", &l);
    assert_false(l.overflow);
    cr_text_layout_free(&l);
}

static void test_unbreakable_piece_overflows_on_its_own_line(void **state)
{
    test_field t;
    init_field(&t, 20, CJK, NULL);
    cr_text_layout l;
    lay_out_ok(&t, "号码110101199003074578", &l);
    assert_int_equal(l.line_count, 2);
    assert_int_equal(l.breaks[0], 6);
    assert_true(l.overflow);
    assert_non_null(strstr(l.overflow_reason, "line 2 is "));
    cr_text_layout_free(&l);
}

/* 12 characters in 11 em: fits at 9 * 11 / 12 = 8.25 pt. */
static void test_shrink_reduces_size(void **state)
{
    test_field t;
    init_field(&t, 35, CJK, NULL);
    t.field.max_lines = 1;
    t.field.fit = CR_FIT_SHRINK;
    cr_text_layout l;
    lay_out_ok(&t, "一二三四五六七八九十一二", &l);
    assert_false(l.overflow);
    assert_true(l.size_pt == 8.25);
    assert_int_equal(l.line_count, 1);
    assert_int_equal(l.glyphs[0].ppem, 2200);
    cr_text_layout_free(&l);

    t.field.min_size_pt = 8.3; /* off the 0.25 pt grid: tried last, after 8.5 */
    lay_out_ok(&t, "一二三四五六七八九十一二", &l);
    assert_true(l.overflow);
    assert_true(l.size_pt == 8.3);
    assert_string_equal(l.overflow_reason, "even at 8.30 pt: needs 2 lines, box holds 1");
    cr_text_layout_free(&l);
}

/* A value shrunk onto one line stands on the baseline it has unshrunk, the
 * one of the label and the values beside it (within a pixel: the fonts'
 * ascent at two sizes); lines that wrap, or another valign, keep theirs. */
static void test_shrunk_line_keeps_its_baseline(void **state)
{
    test_field t;
    init_field(&t, 35, CJK, NULL);
    t.field.max_lines = 1;
    t.field.fit = CR_FIT_SHRINK;
    cr_text_layout fits, shrunk;
    lay_out_ok(&t, "一二三", &fits);
    lay_out_ok(&t, "一二三四五六七八九十一二", &shrunk);
    assert_true(shrunk.size_pt < fits.size_pt);
    int32_t gap = shrunk.lines[0].baseline - fits.lines[0].baseline;
    if (gap < -64 || gap > 64)
        fail_msg("shrunk baseline %d, unshrunk %d (26.6)", shrunk.lines[0].baseline,
                 fits.lines[0].baseline);
    cr_text_layout_free(&shrunk);
    cr_text_layout_free(&fits);
    t.field.valign = CR_VALIGN_CENTER; /* centred: the smaller line is centred, higher */
    lay_out_ok(&t, "一二三", &fits);
    lay_out_ok(&t, "一二三四五六七八九十一二", &shrunk);
    assert_true(shrunk.lines[0].baseline < fits.lines[0].baseline - 64);
    cr_text_layout_free(&shrunk);
    cr_text_layout_free(&fits);
}

static void test_condense_scales_single_line(void **state)
{
    test_field t;
    init_field(&t, 35, CJK, NULL);
    t.field.max_lines = 1;
    t.field.fit = CR_FIT_CONDENSE;
    cr_text_layout l;
    lay_out_ok(&t, "一二三四五六七八九十一二", &l);
    int32_t box = mm_26_6(35);
    int32_t scale = (int32_t)((int64_t)box * 65536 / (12 * PPEM_9PT));
    assert_false(l.overflow);
    assert_int_equal(l.line_count, 1);
    assert_true(l.scale_x == scale / 65536.0);
    assert_int_equal(l.glyphs[0].x_scale, scale);
    assert_true(l.lines[0].width <= box);
    assert_true(l.size_pt == 9.0);
    cr_text_layout_free(&l);

    t.field.min_scale_x = 0.95;
    lay_out_ok(&t, "一二三四五六七八九十一二", &l);
    assert_true(l.overflow);
    assert_int_equal(l.glyphs[0].x_scale, 62259); /* round(0.95 * 65536) */
    assert_true(l.scale_x == 62259 / 65536.0);
    assert_non_null(strstr(l.overflow_reason, "even condensed to 0.950: line 1 is "));
    cr_text_layout_free(&l);
}

static void test_error_policy_fails_with_location(void **state)
{
    test_field t;
    init_field(&t, 35, CJK, NULL);
    t.field.max_lines = 1;
    t.field.fit = CR_FIT_ERROR;
    cr_text_layout l;
    cr_error err;
    assert_int_equal(lay_out(&t, address, &l, &err), CR_ERR_TEXT);
    assert_string_equal(err.message, "test.json:12:5: field 3 \"address\": text does not fit: "
                                     "needs 2 lines, box holds 1");
    assert_int_equal(err.line, 12);
    assert_string_equal(err.field_name, "address");
    assert_null(l.glyphs);
}

/* ------------------------------------------------------------ edge cases */

static void test_invalid_utf8_names_byte(void **state)
{
    test_field t;
    init_field(&t, 35, CJK, NULL);
    cr_text_layout l;
    cr_error err;
    assert_int_equal(lay_out(&t,
                             "ab\xff"
                             "cd",
                             &l, &err),
                     CR_ERR_TEXT);
    assert_string_equal(err.message,
                        "test.json:12:5: field 3 \"address\": invalid UTF-8 at byte 2 of the text");
    assert_int_equal(lay_out(&t, "\xed\xa0\x80", &l, &err), CR_ERR_TEXT); /* an encoded surrogate */
}

/* U+001C separates bidi paragraphs; it ends a line like a newline. */
static void test_bidi_paragraph_separator_ends_line(void **state)
{
    test_field t;
    init_field(&t, 35, CJK, NULL);
    cr_text_layout l;
    lay_out_ok(&t,
               "ab\x1c"
               "cd",
               &l);
    assert_int_equal(l.line_count, 2);
    assert_int_equal(l.glyph_count, 4);
    cr_text_layout_free(&l);
}

static void test_empty_text_has_no_lines(void **state)
{
    test_field t;
    init_field(&t, 35, CJK, NULL);
    cr_text_layout l;
    lay_out_ok(&t, "", &l);
    assert_int_equal(l.line_count, 0);
    assert_int_equal(l.glyph_count, 0);
    assert_false(l.overflow);
    cr_text_layout_free(&l);
}

static void test_layout_is_deterministic(void **state)
{
    test_field t;
    init_field(&t, 35, "Noto Sans", CJK, NULL);
    t.field.align = CR_ALIGN_JUSTIFY;
    const char *text = "住址 北京市东城区 Dongcheng District, 东华门街道 No. 1 (南池子)";
    cr_text_layout a, b;
    lay_out_ok(&t, text, &a);
    lay_out_ok(&t, text, &b);
    assert_int_equal(a.glyph_count, b.glyph_count);
    assert_int_equal(a.line_count, b.line_count);
    for (size_t i = 0; i < a.glyph_count; i++) { /* field by field: padding is not zeroed */
        assert_ptr_equal(a.glyphs[i].face, b.glyphs[i].face);
        assert_int_equal(a.glyphs[i].glyph_id, b.glyphs[i].glyph_id);
        assert_int_equal(a.glyphs[i].cluster, b.glyphs[i].cluster);
        assert_int_equal(a.glyphs[i].x, b.glyphs[i].x);
        assert_int_equal(a.glyphs[i].y, b.glyphs[i].y);
        assert_int_equal(a.glyphs[i].advance, b.glyphs[i].advance);
    }
    for (size_t i = 0; i < a.line_count; i++) {
        assert_int_equal(a.lines[i].start, b.lines[i].start);
        assert_int_equal(a.lines[i].x, b.lines[i].x);
        assert_int_equal(a.lines[i].width, b.lines[i].width);
        assert_int_equal(a.lines[i].baseline, b.lines[i].baseline);
    }
    cr_text_layout_free(&a);
    cr_text_layout_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_han_full_width),
        cmocka_unit_test(test_layout_han_single_line),
        cmocka_unit_test(test_address_wraps_at_box_width),
        cmocka_unit_test(test_kinsoku_no_line_starts_with_comma_or_stop),
        cmocka_unit_test(test_newline_is_mandatory_break),
        cmocka_unit_test(test_trailing_spaces_do_not_count),
        cmocka_unit_test(test_mixed_han_and_digits_fall_back),
        cmocka_unit_test(test_uncovered_code_point_is_font_error),
        cmocka_unit_test(test_preshaped_arabic_is_warned),
        cmocka_unit_test(test_space_keeps_preceding_face),
        cmocka_unit_test(test_mongolian_run_takes_one_face),
        cmocka_unit_test(test_mongolian_suffix_does_not_start_a_line),
        cmocka_unit_test(test_uyghur_digits_keep_their_order),
        cmocka_unit_test(test_rtl_wraps_top_to_bottom),
        cmocka_unit_test(test_forced_ltr_puts_arabic_at_the_left),
        cmocka_unit_test(test_arabic_indic_digits_in_ltr_line_are_level_2),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_distribute_spreads_to_box_edges),
        cmocka_unit_test(test_justify_fills_all_but_last_line),
        cmocka_unit_test(test_letter_spacing_between_clusters),
        cmocka_unit_test(test_valign_bottom),
        cmocka_unit_test(test_wrap_overflow_keeps_all_lines),
        cmocka_unit_test(test_low_box_holds_one_line),
        cmocka_unit_test(test_unbreakable_piece_overflows_on_its_own_line),
        cmocka_unit_test(test_shrink_reduces_size),
        cmocka_unit_test(test_shrunk_line_keeps_its_baseline),
        cmocka_unit_test(test_condense_scales_single_line),
        cmocka_unit_test(test_error_policy_fails_with_location),
        cmocka_unit_test(test_invalid_utf8_names_byte),
        cmocka_unit_test(test_bidi_paragraph_separator_ends_line),
        cmocka_unit_test(test_empty_text_has_no_lines),
        cmocka_unit_test(test_layout_is_deterministic),
    };
    return cmocka_run_group_tests(tests, engine_setup, engine_teardown);
}
