/* Vertical writing modes: column order, orientation of Mongolian, Han and
 * digits, the column axis, column breaking (NNBSP, MVS, U+1806), alignment
 * along the column and the fit policies. Runs from the project root
 * (fonts/manifest.json). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cardrender.h"
#include "layout.h"
#include "layout_vertical.h"
#include "vertical_orient.h"
#include "shape.h"
#include "support.h"
#include "template.h"

#define MONG "Noto Sans Mongolian"
#define CJK "Noto Sans CJK SC"
#define LATIN "Noto Sans"
#define DPI FIXTURE_DPI
#define PPEM_9PT 2400 /* 9 pt at 300 dpi = 37.5 px, in 26.6 */

/* 9 pt vertical-mongolian, box at (10 mm, 10 mm), w_mm x h_mm, fit wrap;
 * digit runs up to 2 set across; fonts NULL-ended. */
static void init_field(test_field *t, double w_mm, double h_mm, const char *family, ...)
{
    va_list more;
    va_start(more, family);
    field_init(t, w_mm, h_mm, family, more);
    va_end(more);
    t->field.name = "address_mn";
    t->field.min_size_pt = 6;
    t->field.writing_mode = CR_WRITING_VERTICAL_MONGOLIAN;
    t->field.tate_chu_yoko_digits = 2;
}

static int32_t units(const cr_face *face, int32_t value)
{
    return cr_font_units_to_26_6(value, PPEM_9PT, face->upem);
}

/* ------------------------------------------------------------- columns */

/* Three words, a column holds one: columns go left to right, one after the
 * other, each glyph turned and on its column's axis. */
static void test_mongolian_columns_left_to_right(void **state)
{
    test_field t;
    init_field(&t, 40, 11, MONG, NULL); /* the longest word is 10.1 mm */
    cr_text_layout l;
    lay_out_ok(&t, "ᠮᠣᠩᠭᠣᠯ ᠪᠢᠴᠢᠭ ᠬᠡᠯᠡ", &l);
    assert_int_equal(l.line_count, 3);
    assert_int_equal(l.break_count, 2);
    assert_int_equal(l.breaks[0], 19); /* after "ᠮᠣᠩᠭᠣᠯ " */
    assert_int_equal(l.breaks[1], 35);
    assert_false(l.overflow);
    const cr_face *face = t.faces[0];
    int32_t thickness = units(face, face->ascender - face->descender + face->line_gap);
    int32_t stem = units(face, cr_sideways_axis_height(face, USCRIPT_MONGOLIAN));
    for (size_t c = 0; c < 3; c++) {
        /* The first column touches the box's left edge. */
        assert_int_equal(l.lines[c].x, mm_26_6(10) + thickness / 2 + (int32_t)c * thickness);
        assert_int_equal(l.lines[c].baseline, mm_26_6(10)); /* align start = top */
        size_t first, count = glyphs_of_line(&l, c, &first);
        assert_true(count > 0);
        int32_t pen = l.lines[c].baseline;
        for (size_t g = first; g < first + count; g++) {
            assert_int_equal(l.glyphs[g].rotation, 90);
            assert_int_equal(l.glyphs[g].x, l.lines[c].x - stem); /* stem on the axis */
            assert_int_equal(l.glyphs[g].y, pen);                 /* no offsets here */
            pen += l.glyphs[g].advance;
        }
        assert_int_equal(pen - l.lines[c].baseline, l.lines[c].width);
    }
    cr_text_layout_free(&l);
}

/* vertical-cjk: the first column at the box's right edge, then leftwards. */
static void test_cjk_columns_right_to_left(void **state)
{
    test_field t;
    init_field(&t, 40, 12, CJK, NULL);
    t.field.writing_mode = CR_WRITING_VERTICAL_CJK;
    cr_text_layout l;
    lay_out_ok(&t, "中华人民共和国万岁", &l); /* 12 mm hold 3 ideographs of 3.175 mm */
    assert_int_equal(l.line_count, 3);
    const cr_face *face = t.faces[0];
    int32_t thickness = units(face, face->ascender - face->descender + face->line_gap);
    for (size_t c = 0; c < 3; c++) {
        assert_int_equal(l.lines[c].x, mm_26_6(50) - thickness / 2 - (int32_t)c * thickness);
        size_t first, count = glyphs_of_line(&l, c, &first);
        assert_int_equal(count, 3);
        for (size_t g = first; g < first + count; g++) {
            assert_int_equal(l.glyphs[g].rotation, 0);
            assert_int_equal(l.glyphs[g].advance, PPEM_9PT); /* vmtx: one em down */
            assert_int_equal(l.glyphs[g].x, l.lines[c].x - PPEM_9PT / 2);
        }
    }
    assert_true(l.lines[1].x < l.lines[0].x && l.lines[2].x < l.lines[1].x);
    cr_text_layout_free(&l);
}

/* ----------------------------------------------------------- orientation */

/* A Chinese place name inside a Mongolian column stands upright, centred on
 * the axis, one em each; the Mongolian around it turns. */
static void test_chinese_upright_on_the_axis(void **state)
{
    test_field t;
    init_field(&t, 20, 60, MONG, CJK, NULL);
    cr_text_layout l;
    const char *text = "ᠬᠥᠬᠡᠬᠣᠲᠠ 呼和浩特 ᠬᠣᠲᠠ";
    lay_out_ok(&t, text, &l);
    assert_int_equal(l.line_count, 1);
    int32_t axis = l.lines[0].x;
    uint32_t han = (uint32_t)(strstr(text, "呼") - text);
    int32_t previous_y = 0;
    for (uint32_t i = 0; i < 4; i++) {
        const cr_glyph_pos *g = glyph_at(&l, han + 3 * i);
        assert_ptr_equal(g->face, t.faces[1]);
        assert_int_equal(g->rotation, 0);
        assert_int_equal(g->advance, PPEM_9PT);
        assert_int_equal(g->x + PPEM_9PT / 2, axis); /* centred: half its 1 em advance */
        if (i > 0)
            assert_int_equal(g->y - previous_y, PPEM_9PT);
        previous_y = g->y;
    }
    const cr_glyph_pos *mongolian = glyph_at(&l, 0);
    assert_int_equal(mongolian->rotation, 90);
    assert_int_equal(mongolian->x, axis - units(t.faces[0], cr_sideways_axis_height(
                                                                t.faces[0], USCRIPT_MONGOLIAN)));
    /* The runs: Mongolian sideways, Han upright, Mongolian again. */
    assert_string_equal(l.runs[0].script, "Mong");
    assert_string_equal(l.runs[1].script, "Hani");
    assert_string_equal(l.runs[l.run_count - 1].script, "Mong");
    cr_text_layout_free(&l);
}

/* A four-digit house number turns with the line; a two-digit one is set
 * across the column, within the column's width, in one em of its length. */
static void test_digits_turned_or_across(void **state)
{
    test_field t;
    init_field(&t, 20, 60, MONG, LATIN, NULL);
    cr_text_layout l;
    const char *text = "ᠭᠡᠷ 1502 ᠲᠣᠭᠠᠲᠠᠢ 12 ᠲᠣᠭᠠᠲᠠᠢ";
    lay_out_ok(&t, text, &l);
    assert_int_equal(l.line_count, 1);
    int32_t axis = l.lines[0].x;
    uint32_t long_number = (uint32_t)(strstr(text, "1502") - text);
    for (uint32_t i = 0; i < 4; i++) {
        const cr_glyph_pos *g = glyph_at(&l, long_number + i);
        assert_int_equal(g->rotation, 90);
        assert_int_equal(
            g->x, axis - units(t.faces[1], cr_sideways_axis_height(t.faces[1], USCRIPT_LATIN)));
    }
    uint32_t short_number = (uint32_t)(strstr(text, "12") - text);
    const cr_glyph_pos *one = glyph_at(&l, short_number), *two = glyph_at(&l, short_number + 1);
    assert_int_equal(one->rotation, 0);
    assert_int_equal(two->rotation, 0);
    assert_int_equal(one->y, two->y);         /* side by side on one baseline */
    assert_int_equal(one->advance, PPEM_9PT); /* the pair takes one em of the column */
    assert_int_equal(two->advance, 0);
    assert_int_equal(one->x_scale, 65536); /* two digits fit the column */
    /* Centred on the axis (Noto Sans digits are all one width). */
    assert_int_equal(axis - one->x, two->x + (two->x - one->x) - axis);
    const cr_face *face = t.faces[0];
    int32_t thickness = units(face, face->ascender - face->descender + face->line_gap);
    assert_true(one->x >= axis - thickness / 2);
    cr_text_layout_free(&l);
}

/* Four digits set across (tate_chu_yoko_digits 4) wider than the column
 * are condensed to its width; 0 turns every digit run. */
static void test_digits_across_condensed(void **state)
{
    test_field t;
    init_field(&t, 20, 60, MONG, LATIN, NULL);
    t.field.tate_chu_yoko_digits = 4;
    t.field.line_height_pt = 18; /* columns 2 em wide; four digits are 2.29 em */
    cr_text_layout l;
    lay_out_ok(&t, "ᠭᠡᠷ 1502", &l);
    const cr_glyph_pos *first = glyph_at(&l, 10);
    assert_int_equal(first->rotation, 0);
    assert_true(first->x_scale < 65536);
    assert_true(first->x >= l.lines[0].x - PPEM_9PT);
    cr_text_layout_free(&l);

    t.field.tate_chu_yoko_digits = 0;
    lay_out_ok(&t, "ᠭᠡᠷ 12", &l);
    assert_int_equal(glyph_at(&l, 10)->rotation, 90);
    cr_text_layout_free(&l);
}

/* Full-width digits (Vertical_Orientation U) stand upright one by one,
 * never set across. */
static void test_full_width_digits_stand_upright(void **state)
{
    test_field t;
    init_field(&t, 20, 60, CJK, NULL);
    t.field.writing_mode = CR_WRITING_VERTICAL_CJK;
    cr_text_layout l;
    lay_out_ok(&t, "１２号", &l);
    for (uint32_t i = 0; i < 2; i++) {
        const cr_glyph_pos *g = glyph_at(&l, 3 * i);
        assert_int_equal(g->rotation, 0);
        assert_int_equal(g->advance, PPEM_9PT);
        assert_int_equal(g->x_scale, 65536);
    }
    cr_text_layout_free(&l);
}

/* Brackets of vertical-cjk text take their vertical forms (vert) upright. */
static void test_cjk_brackets_take_vertical_forms(void **state)
{
    test_field t;
    init_field(&t, 20, 60, CJK, NULL);
    t.field.writing_mode = CR_WRITING_VERTICAL_CJK;
    cr_text_layout l;
    lay_out_ok(&t, "「北京」", &l);
    hb_codepoint_t horizontal;
    assert_true(hb_font_get_nominal_glyph(t.faces[0]->hb_font, 0x300C, &horizontal));
    assert_int_equal(l.glyphs[0].rotation, 0);
    assert_int_not_equal(l.glyphs[0].glyph_id, horizontal);
    cr_text_layout_free(&l);
}

/* -------------------------------------------------------------- breaking */

/* A word, NNBSP and its suffix stay in one column even when the column is
 * shorter than they are; so does a word with MVS. */
static void test_no_break_at_nnbsp_or_mvs(void **state)
{
    test_field t;
    init_field(&t, 40, 4, MONG, NULL);
    cr_text_layout l;
    const char *text = "ᠮᠣᠩᠭᠣᠯ\u202Fᠤᠨ ᠨᠡᠷ\u180Eᠡ ᠬᠡᠯᠡ";
    lay_out_ok(&t, text, &l);
    assert_int_equal(l.line_count, 3);
    assert_int_equal(l.breaks[0], (uint32_t)(strstr(text, "ᠨᠡᠷ") - text));
    assert_int_equal(l.breaks[1], (uint32_t)(strstr(text, "ᠬᠡᠯᠡ") - text));
    assert_true(l.overflow); /* the words are longer than 4 mm */
    /* One face for the whole run, NNBSP included. */
    assert_ptr_equal(l.runs[0].face, t.faces[0]);
    assert_int_equal(l.runs[0].start, 0);
    assert_true(l.runs[0].end > (uint32_t)(strstr(text, "ᠤᠨ") - text));
    cr_text_layout_free(&l);

    /* A space typed before NNBSP: the suffix still does not start a column. */
    lay_out_ok(&t, "ᠮᠣᠩᠭᠣᠯ \u202Fᠤᠨ", &l);
    assert_int_equal(l.line_count, 1);
    cr_text_layout_free(&l);
}

/* A compound breaks before U+1806 TODO SOFT HYPHEN, which starts the next
 * column. */
static void test_break_before_todo_soft_hyphen(void **state)
{
    test_field t;
    init_field(&t, 40, 8, MONG, NULL);
    cr_text_layout l;
    const char *text = "ᠬᠥᠬᠡᠬᠡᠬᠡ\u1806ᠬᠣᠲᠠᠬᠣᠲᠠ";
    lay_out_ok(&t, text, &l);
    assert_int_equal(l.line_count, 2);
    uint32_t hyphen = (uint32_t)(strstr(text, "\u1806") - text);
    assert_int_equal(l.breaks[0], hyphen);
    assert_int_equal(l.lines[1].start, hyphen);
    cr_text_layout_free(&l);
}

/* ------------------------------------------------------------- alignment */

static void test_align_top_center_bottom(void **state)
{
    test_field t;
    init_field(&t, 20, 30, MONG, NULL);
    const char *text = "ᠣᠪᠣᠭ ᠨᠡᠷᠡ";
    cr_halign aligns[] = {CR_ALIGN_START, CR_ALIGN_CENTER, CR_ALIGN_END};
    int32_t top = mm_26_6(10), height = mm_26_6(30);
    for (size_t i = 0; i < 3; i++) {
        t.field.align = aligns[i];
        cr_text_layout l;
        lay_out_ok(&t, text, &l);
        int32_t length = l.lines[0].width, slack = height - length;
        int32_t expected = top + (i == 0 ? 0 : i == 1 ? slack / 2 : slack);
        assert_int_equal(l.lines[0].baseline, expected);
        assert_int_equal(l.glyphs[0].y, expected);
        cr_text_layout_free(&l);
    }
}

/* Distribute spreads a vertical label over the column's length. */
static void test_distribute_fills_the_column(void **state)
{
    test_field t;
    init_field(&t, 20, 30, CJK, NULL);
    t.field.writing_mode = CR_WRITING_VERTICAL_CJK;
    t.field.align = CR_ALIGN_DISTRIBUTE;
    cr_text_layout l;
    lay_out_ok(&t, "姓名", &l);
    assert_int_equal(l.lines[0].width, mm_26_6(30));
    assert_int_equal(l.glyphs[1].y - l.glyphs[0].y, mm_26_6(30) - PPEM_9PT);
    cr_text_layout_free(&l);
}

/* valign centre puts the block of columns in the middle of the box. */
static void test_valign_centres_the_columns(void **state)
{
    test_field t;
    init_field(&t, 30, 30, MONG, NULL);
    t.field.valign = CR_VALIGN_CENTER;
    t.field.line_height_pt = 12;
    cr_text_layout l;
    lay_out_ok(&t, "ᠣᠪᠣᠭ", &l);
    assert_int_equal(l.lines[0].x, mm_26_6(10) + mm_26_6(30) / 2);
    cr_text_layout_free(&l);
}

/* ------------------------------------------------------------------ fit */

static void test_overflow_with_max_lines(void **state)
{
    test_field t;
    init_field(&t, 40, 11, MONG, NULL);
    t.field.max_lines = 2;
    const char *text = "ᠮᠣᠩᠭᠣᠯ ᠪᠢᠴᠢᠭ ᠬᠡᠯᠡ";
    cr_text_layout l;
    lay_out_ok(&t, text, &l);
    assert_int_equal(l.line_count, 3);
    assert_true(l.overflow);
    assert_string_equal(l.overflow_reason, "needs 3 columns, box holds 2");
    cr_text_layout_free(&l);

    /* The box's width limits columns too. */
    init_field(&t, 8, 11, MONG, NULL);
    lay_out_ok(&t, text, &l);
    assert_true(l.overflow);
    assert_string_equal(l.overflow_reason, "needs 3 columns, box holds 1");
    cr_text_layout_free(&l);

    t.field.fit = CR_FIT_ERROR;
    cr_error err;
    assert_int_equal(lay_out(&t, text, &l, &err), CR_ERR_TEXT);
    assert_non_null(strstr(err.message, "needs 3 columns"));

    /* Shrinking: smaller text fits two words in a column. */
    init_field(&t, 40, 11, MONG, NULL);
    t.field.max_lines = 2;
    t.field.fit = CR_FIT_SHRINK;
    lay_out_ok(&t, text, &l);
    assert_false(l.overflow);
    assert_true(l.size_pt < 9);
    assert_true(l.line_count <= 2);
    cr_text_layout_free(&l);
}

/* Paragraphs start new columns; an empty paragraph is an empty column. */
static void test_paragraphs_start_columns(void **state)
{
    test_field t;
    init_field(&t, 40, 40, MONG, NULL);
    cr_text_layout l;
    lay_out_ok(&t, "ᠣᠪᠣᠭ\n\nᠨᠡᠷᠡ", &l);
    assert_int_equal(l.line_count, 3);
    assert_int_equal(l.lines[1].run_count, 0);
    assert_true(l.lines[2].x > l.lines[1].x && l.lines[1].x > l.lines[0].x);
    cr_text_layout_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mongolian_columns_left_to_right),
        cmocka_unit_test(test_cjk_columns_right_to_left),
        cmocka_unit_test(test_chinese_upright_on_the_axis),
        cmocka_unit_test(test_digits_turned_or_across),
        cmocka_unit_test(test_digits_across_condensed),
        cmocka_unit_test(test_full_width_digits_stand_upright),
        cmocka_unit_test(test_cjk_brackets_take_vertical_forms),
        cmocka_unit_test(test_no_break_at_nnbsp_or_mvs),
        cmocka_unit_test(test_break_before_todo_soft_hyphen),
        cmocka_unit_test(test_align_top_center_bottom),
        cmocka_unit_test(test_distribute_fills_the_column),
        cmocka_unit_test(test_valign_centres_the_columns),
        cmocka_unit_test(test_overflow_with_max_lines),
        cmocka_unit_test(test_paragraphs_start_columns),
    };
    return cmocka_run_group_tests(tests, engine_setup, engine_teardown);
}
