/* Templates, records and the JSON locator. Run from the project root: the
 * fixtures are tests/data/templates/ and tests/data/records/, the fonts come
 * from fonts/manifest.json. Expected line:column pairs were counted by hand
 * (in Unicode characters) from the fixtures, not taken from the code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cardrender.h"
#include "engine.h"
#include "json_locate.h"
#include "support.h"
#include "template.h"

#define TPL "tests/data/templates/"
#define REC "tests/data/records/"

/* The default engine, as an application gets it (tests/support.c). */

static void assert_color(cr_color c, int r, int g, int b, int a)
{
    assert_int_equal(c.r, r);
    assert_int_equal(c.g, g);
    assert_int_equal(c.b, b);
    assert_int_equal(c.a, a);
}

/* ------------------------------------------------------ valid templates */

static void test_minimal_defaults(void **state)
{
    cr_template *tpl = load_template_or_fail(TPL "minimal.json");
    assert_string_equal(tpl->path, TPL "minimal.json");
    assert_string_equal(tpl->dir, "tests/data/templates");
    assert_true(tpl->width_mm == 85.6 && tpl->height_mm == 54.0);
    assert_true(tpl->corner_radius_mm == 3.18);
    assert_int_equal(tpl->dpi, 300);
    assert_int_equal(cr_template_dpi(tpl), 300);
    assert_color(tpl->background, 255, 255, 255, 255);
    assert_int_equal(tpl->field_count, 1);

    const cr_field *f = &tpl->fields[0];
    assert_int_equal(f->type, CR_FIELD_TEXT);
    assert_int_equal(f->index, 0);
    assert_string_equal(f->name, "");
    assert_int_equal(f->line, 2);
    assert_int_equal(f->column, 3);
    assert_true(f->x_mm == 1 && f->y_mm == 2 && f->w_mm == 3 && f->h_mm == 4);
    assert_string_equal(f->text, "中华人民共和国");
    assert_null(f->bind);
    assert_int_equal(f->font_count, 1);
    assert_string_equal(f->fonts[0], "Noto Sans CJK SC");
    assert_non_null(f->faces[0]);
    assert_true(f->size_pt == 10);
    assert_color(f->color, 0, 0, 0, 255);
    assert_int_equal(f->align, CR_ALIGN_START);
    assert_int_equal(f->valign, CR_VALIGN_TOP);
    assert_true(f->letter_spacing_em == 0 && f->line_height_pt == 0);
    assert_int_equal(f->max_lines, 0);
    assert_int_equal(f->direction, CR_DIR_AUTO);
    assert_null(f->lang);
    assert_int_equal(f->fit, CR_FIT_WRAP);
    assert_true(f->min_size_pt == 10 * 0.7);
    assert_true(f->min_scale_x == 0.6);
    cr_template_destroy(tpl);
}

static void test_full_card(void **state)
{
    cr_template *tpl = load_template_or_fail(TPL "full.json");
    assert_true(tpl->width_mm == 85.6 && tpl->height_mm == 54.0);
    assert_true(tpl->corner_radius_mm == 3.18);
    assert_int_equal(cr_template_dpi(tpl), 600);
    assert_color(tpl->background, 0xf4, 0xf7, 0xfb, 0xcc);
    assert_int_equal(tpl->field_count, 7);

    const cr_field *label = &tpl->fields[0];
    assert_string_equal(label->name, "name_label");
    assert_string_equal(label->text, "姓名");
    assert_color(label->color, 0x1f, 0x5f, 0xa8, 255);
    assert_int_equal(label->align, CR_ALIGN_DISTRIBUTE);
    assert_true(label->size_pt == 7.5);
    cr_template_destroy(tpl);
}

static void test_full_bound_field(void **state)
{
    cr_template *tpl = load_template_or_fail(TPL "full.json");
    const cr_field *f = &tpl->fields[1];
    assert_int_equal(f->index, 1);
    assert_string_equal(f->name, "name");
    assert_int_equal(f->line, 9);
    assert_int_equal(f->column, 5);
    assert_true(f->x_mm == 19 && f->y_mm == 5 && f->w_mm == 30 && f->h_mm == 4.5);
    assert_null(f->text);
    assert_string_equal(f->bind, "name");
    assert_int_equal(f->bind_line, 9);
    assert_int_equal(f->bind_column, 80);
    assert_int_equal(f->font_count, 2);
    assert_string_equal(f->fonts[0], "Noto Sans CJK SC");
    assert_string_equal(f->fonts[1], "Noto Sans");
    assert_non_null(f->faces[0]);
    assert_non_null(f->faces[1]);
    assert_ptr_not_equal(f->faces[0], f->faces[1]);
    assert_true(f->size_pt == 10.5 && f->min_size_pt == 7 && f->min_scale_x == 0.6);
    assert_int_equal(f->max_lines, 1);
    assert_string_equal(f->lang, "zh-Hans");
    assert_int_equal(f->fit, CR_FIT_SHRINK);
    cr_template_destroy(tpl);
}

static void test_full_other_values(void **state)
{
    cr_template *tpl = load_template_or_fail(TPL "full.json");
    const cr_field *f = &tpl->fields[2];
    assert_true(f->x_mm == -1 && f->w_mm == 50.5);
    assert_color(f->color, 0x11, 0x22, 0x33, 0x80);
    assert_int_equal(f->align, CR_ALIGN_JUSTIFY);
    assert_int_equal(f->valign, CR_VALIGN_BOTTOM);
    assert_true(f->letter_spacing_em == -0.25 && f->line_height_pt == 12.5);
    assert_int_equal(f->max_lines, 3);
    assert_int_equal(f->direction, CR_DIR_RTL);
    assert_string_equal(f->lang, "ug-Arab-CN");
    assert_int_equal(f->fit, CR_FIT_CONDENSE);
    assert_true(f->min_scale_x == 0.3);
    assert_true(f->min_size_pt == 9 * 0.7);

    f = &tpl->fields[3];
    assert_string_equal(f->name, "");
    assert_string_equal(f->text, "");
    assert_true(f->size_pt == 200);
    assert_int_equal(f->align, CR_ALIGN_RIGHT);
    assert_int_equal(f->valign, CR_VALIGN_CENTER);
    assert_int_equal(f->direction, CR_DIR_LTR);
    assert_int_equal(f->fit, CR_FIT_ERROR);
    assert_int_equal(tpl->fields[4].align, CR_ALIGN_CENTER);
    assert_int_equal(tpl->fields[5].align, CR_ALIGN_END);
    assert_int_equal(tpl->fields[6].align, CR_ALIGN_LEFT);
    /* One face per family, shared by every field that names it. */
    assert_ptr_equal(tpl->fields[3].faces[0], tpl->fields[1].faces[1]);
    cr_template_destroy(tpl);
}

static void test_no_fields(void **state)
{
    cr_template *tpl = load_template_or_fail(TPL "no_fields.json");
    assert_int_equal(tpl->field_count, 0);
    assert_int_equal(cr_template_dpi(tpl), 72);
    assert_color(tpl->background, 0, 0, 0, 255);
    cr_template_destroy(tpl);
}

static void test_pixel_size(void **state)
{
    int w = 0, h = 0;
    cr_template *tpl = load_template_or_fail(TPL "minimal.json");
    cr_template_pixel_size(tpl, 0, &w, &h);
    assert_int_equal(w, 1011);
    assert_int_equal(h, 638);
    cr_template_pixel_size(tpl, 600, &w, &h);
    assert_int_equal(w, 2022);
    assert_int_equal(h, 1276);
    cr_template_destroy(tpl);

    tpl = load_template_or_fail(TPL "full.json"); /* asks for 600 dpi itself */
    cr_template_pixel_size(tpl, 0, &w, &h);
    assert_int_equal(w, 2022);
    assert_int_equal(h, 1276);
    cr_template_pixel_size(tpl, 300, &w, &h);
    assert_int_equal(w, 1011);
    assert_int_equal(h, 638);
    cr_template_destroy(tpl);
}

static void test_memory_folders(void **state)
{
    static const char json[] = "{\"version\": 1, \"fields\": []}";
    cr_error err;
    cr_template *tpl =
        cr_template_load_memory(fixture_engine, json, strlen(json), NULL, NULL, &err);
    assert_non_null(tpl);
    assert_string_equal(tpl->path, "<memory>");
    assert_string_equal(tpl->dir, ".");
    cr_template_destroy(tpl);

    tpl = cr_template_load_memory(fixture_engine, json, strlen(json), "a.json", "some/dir", &err);
    assert_non_null(tpl);
    assert_string_equal(tpl->path, "a.json");
    assert_string_equal(tpl->dir, "some/dir");
    cr_template_destroy(tpl);

    tpl = cr_template_load_memory(NULL, json, strlen(json), "a.json", NULL, &err);
    assert_null(tpl);
    assert_int_equal(err.code, CR_ERR_ARGUMENT);
}

static void test_color_parse(void **state)
{
    cr_color c = {1, 2, 3, 4};
    assert_true(cr_color_parse("#A0b1C2", &c));
    assert_color(c, 0xa0, 0xb1, 0xc2, 255);
    assert_true(cr_color_parse("#00000080", &c));
    assert_color(c, 0, 0, 0, 0x80);
    static const char *const bad[] = {"",       "#",       "#12345",  "#1234567", "#12345678a",
                                      "123456", "#12345g", "#ggffee", " #123456", NULL};
    for (size_t i = 0; bad[i]; i++) {
        c = (cr_color){1, 2, 3, 4};
        assert_false(cr_color_parse(bad[i], &c));
        assert_color(c, 1, 2, 3, 4);
    }
    assert_false(cr_color_parse(NULL, &c));
}

/* ------------------------------------------- image, rect and line fields */

static void test_image_fields(void **state)
{
    cr_template *tpl = load_template_or_fail(TPL "shapes.json");
    assert_string_equal(tpl->background_image_src, "art/logo.png");
    assert_int_equal(tpl->background_image.width, 8);
    assert_int_equal(tpl->background_image.height, 6);
    assert_int_equal(tpl->field_count, 6);

    const cr_field *photo = &tpl->fields[0];
    assert_int_equal(photo->type, CR_FIELD_IMAGE);
    assert_string_equal(photo->bind, "photo");
    assert_int_equal(photo->bind_line, 5);
    assert_int_equal(photo->bind_column, 77);
    assert_null(photo->image.src);
    assert_null(photo->image.artwork.rgba);
    assert_int_equal(photo->image.fit, CR_IMAGE_COVER);
    assert_true(photo->image.focus_x == 0.5 && photo->image.focus_y == 0.5);
    assert_color(photo->image.pad_color, 0, 0, 0, 0);
    assert_int_equal(photo->image.quarter_turns, 0);
    assert_true(photo->image.opacity == 1 && photo->image.corner_radius_mm == 0);
    assert_false(photo->image.adjust.grayscale);
    assert_true(photo->image.adjust.gamma == 0 && photo->image.adjust.brightness == 0);

    const cr_field *logo = &tpl->fields[1];
    assert_null(logo->bind);
    assert_string_equal(logo->image.src, "art/logo.png");
    assert_int_equal(logo->image.artwork.width, 8);
    /* The file's pixels: opaque red on the left, half-transparent blue right. */
    const uint8_t *right = cr_pixmap_at(&logo->image.artwork, 7, 5);
    assert_true(right[0] == 0 && right[1] == 0 && right[2] == 255 && right[3] == 128);
    assert_int_equal(logo->image.fit, CR_IMAGE_NONE);
    assert_true(logo->image.focus_x == 0 && logo->image.focus_y == 1);
    assert_color(logo->image.pad_color, 255, 255, 255, 0x80);
    assert_int_equal(logo->image.quarter_turns, 3);
    assert_true(logo->image.opacity == 0.25 && logo->image.corner_radius_mm == 3);
    assert_true(logo->image.adjust.brightness == 0.1 && logo->image.adjust.contrast == -0.5);
    assert_true(logo->image.adjust.gamma == 2.2 && logo->image.adjust.grayscale);
    cr_template_destroy(tpl);
}

static void test_shape_fields(void **state)
{
    cr_template *tpl = load_template_or_fail(TPL "shapes.json");
    const cr_field *outline = &tpl->fields[2];
    assert_int_equal(outline->type, CR_FIELD_RECT);
    assert_color(outline->rect.fill, 0, 0, 0, 0);
    assert_color(outline->rect.stroke, 0x1f, 0x5f, 0xa8, 255);
    assert_true(outline->rect.stroke_width_mm == 0.25 && outline->rect.corner_radius_mm == 3.18);
    assert_true(outline->rect.opacity == 1);

    const cr_field *panel = &tpl->fields[3];
    assert_color(panel->rect.fill, 255, 0, 0, 0x80);
    assert_true(panel->rect.stroke_width_mm == 0.5 && panel->rect.opacity == 0.5);

    const cr_field *rule = &tpl->fields[4];
    assert_int_equal(rule->type, CR_FIELD_LINE);
    assert_true(rule->segment.x0_mm == 30 && rule->segment.y0_mm == 5);
    assert_true(rule->segment.x1_mm == 10 && rule->segment.y1_mm == 15);
    assert_true(rule->segment.width_mm == 0.25 && rule->segment.opacity == 1);
    assert_color(rule->segment.color, 0, 0, 0, 255);
    /* The field's box is the line's bounding box. */
    assert_true(rule->x_mm == 10 && rule->y_mm == 5 && rule->w_mm == 20 && rule->h_mm == 10);

    const cr_field *thick = &tpl->fields[5];
    assert_true(thick->segment.width_mm == 2 && thick->segment.opacity == 0.75);
    assert_color(thick->segment.color, 0x12, 0x34, 0x56, 255);
    cr_template_destroy(tpl);
}

/* Artwork is decoded at load: a file that is missing or not an image is a
 * load error at the path's value, with the decoder's own words. */
static void test_artwork_errors(void **state)
{
    static const struct {
        const char *json;
        cr_status code;
        const char *message;
    } cases[] = {
        {"{\"version\": 1, \"fields\": [{\"type\": \"image\", \"box_mm\": [0, 0, 1, 1], \"src\": "
         "\"art/none.png\"}]}",
         CR_ERR_IO,
         "memory.json:1:76: field 0: artwork " TPL "art/none.png: cannot open: No such file or "
         "directory"},
        {"{\"version\": 1, \"fields\": [{\"type\": \"image\", \"box_mm\": [0, 0, 1, 1], \"src\": "
         "\"full.json\"}]}",
         CR_ERR_IMAGE,
         "memory.json:1:76: field 0: artwork " TPL "full.json: not a JPEG or PNG image (looks "
         "like text)"},
        {"{\"version\": 1, \"card\": {\"background_image\": \"art\"}, \"fields\": []}", CR_ERR_IO,
         "memory.json:1:45: artwork " TPL "art: is a directory, not an image file"},
        /* Decoded while the fields are read: a bad background is still the
         * error reported before a later field's. */
        {"{\"version\": 1, \"card\": {\"background_image\": \"full.json\"}, \"fields\": "
         "[{\"type\": \"text\", \"box_mm\": [0, 0, 1, 1], \"text\": \"x\", \"font\": \"No Such\", "
         "\"size_pt\": 9}]}",
         CR_ERR_IMAGE,
         "memory.json:1:45: artwork " TPL "full.json: not a JPEG or PNG image (looks like text)"},
        /* The second picture fails, the first decodes: the second's error. */
        {"{\"version\": 1, \"fields\": [{\"type\": \"image\", \"box_mm\": [0, 0, 1, 1], \"src\": "
         "\"art/logo.png\"}, {\"type\": \"image\", \"box_mm\": [0, 0, 1, 1], \"src\": "
         "\"art/none.png\"}]}",
         CR_ERR_IO,
         "memory.json:1:142: field 1: artwork " TPL "art/none.png: cannot open: No such file or "
         "directory"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cr_error err;
        assert_null(cr_template_load_memory(fixture_engine, cases[i].json, strlen(cases[i].json),
                                            "memory.json", "tests/data/templates", &err));
        assert_string_equal(err.message, cases[i].message);
        assert_int_equal(err.code, cases[i].code);
    }
}

/* ---------------------------------------------------- invalid templates */

typedef struct bad_file {
    const char *path;
    cr_status code;
    int line, column, field_index;
    const char *message; /* the complete text */
} bad_file;

#define LOC(file, pos) TPL file ":" pos ": "
#define MANIFEST_PATH "fonts/manifest.json"

static const bad_file bad_files[] = {
    {TPL "bad_top_key.json", CR_ERR_TEMPLATE, 3, 3, -1,
     LOC("bad_top_key.json", "3:3") "unknown key \"title\" (allowed keys: version, name, card, "
                                    "fields)"},
    {TPL "bad_field_key.json", CR_ERR_TEMPLATE, 7, 51, 1,
     LOC("bad_field_key.json", "7:51") "field 1 \"name\": unknown key \"colour\" (did you mean "
                                       "\"color\"?)"},
    {TPL "bad_field_key_far.json", CR_ERR_TEMPLATE, 6, 74, 1,
     LOC("bad_field_key_far.json",
         "6:74") "field 1 \"名字\": unknown key \"wobble\" (allowed keys: type, name, box_mm, "
                 "text, bind, font, size_pt, color, align, valign, letter_spacing_em, "
                 "line_height_pt, max_lines, direction, lang, lang_bind, fit, min_size_pt, "
                 "min_scale_x, "
                 "kinsoku, hangul_break, punctuation_trim, missing_glyph, writing_mode, "
                 "tate_chu_yoko_digits, panel, optional, presentation_forms, repeat, "
                 "repeat_separator, microtext)"},
    {TPL "bad_size_type.json", CR_ERR_TEMPLATE, 7, 45, 1,
     LOC("bad_size_type.json", "7:45") "field 1 \"name\": \"size_pt\" must be a number, not a "
                                       "string"},
    {TPL "bad_size_range.json", CR_ERR_TEMPLATE, 8, 17, 1,
     LOC("bad_size_range.json", "8:17") "field 1 \"name\": \"size_pt\" must be greater than 0 "
                                        "and at most 200 (got -3)"},
    {TPL "bad_dpi_range.json", CR_ERR_TEMPLATE, 3, 54, -1,
     LOC("bad_dpi_range.json", "3:54") "\"dpi\" must be between 72 and 1200 (got 50)"},
    {TPL "bad_dpi_real.json", CR_ERR_TEMPLATE, 3, 19, -1,
     LOC("bad_dpi_real.json", "3:19") "\"dpi\" must be an integer, not a real number"},
    {TPL "bad_color.json", CR_ERR_TEMPLATE, 7, 60, 1,
     LOC("bad_color.json", "7:60") "field 1 \"name\": \"color\" must be \"#rrggbb\" or "
                                   "\"#rrggbbaa\" (got \"#12345\")"},
    {TPL "bad_box_count.json", CR_ERR_TEMPLATE, 6, 48, 1,
     LOC("bad_box_count.json", "6:48") "field 1 \"name\": \"box_mm\" must hold 4 numbers [x, y, "
                                       "width, height], not 3"},
    {TPL "bad_box_width.json", CR_ERR_TEMPLATE, 6, 56, 1,
     LOC("bad_box_width.json", "6:56") "field 1 \"name\": \"box_mm\" width must be greater than "
                                       "0 (got -30)"},
    {TPL "bad_text_and_bind.json", CR_ERR_TEMPLATE, 6, 80, 1,
     LOC("bad_text_and_bind.json", "6:80") "field 1 \"name\": a field has either \"text\" or "
                                           "\"bind\", not both"},
    {TPL "bad_no_content.json", CR_ERR_TEMPLATE, 6, 5, 1,
     LOC("bad_no_content.json", "6:5") "field 1 \"name\": missing required key \"text\" or "
                                       "\"bind\""},
    {TPL "bad_font_family.json", CR_ERR_TEMPLATE, 7, 35, 1,
     LOC("bad_font_family.json", "7:35") "field 1 \"name\": unknown font family \"Comic Sans\" "
                                         "(not in the font manifest " MANIFEST_PATH ")"},
    {TPL "bad_missing_size.json", CR_ERR_TEMPLATE, 6, 5, 1,
     LOC("bad_missing_size.json", "6:5") "field 1 \"name\": missing required key \"size_pt\""},
    {TPL "bad_align.json", CR_ERR_TEMPLATE, 7, 60, 1,
     LOC("bad_align.json", "7:60") "field 1 \"name\": \"align\" must be start, center, end, left, "
                                   "right, justify or distribute (got \"middle\")"},
    {TPL "bad_version.json", CR_ERR_TEMPLATE, 2, 14, -1,
     LOC("bad_version.json", "2:14") "unsupported template version 2 (this engine reads version "
                                     "1)"},
    {TPL "bad_duplicate.json", CR_ERR_TEMPLATE, 8, 6, -1,
     LOC("bad_duplicate.json", "8:6") "duplicate key \"size_pt\""},
    {TPL "bad_truncated.json", CR_ERR_SYNTAX, 5, -1, -1,
     TPL "bad_truncated.json:5: syntax error: string or '}' expected near end of file"},
    {TPL "empty.json", CR_ERR_IO, -1, -1, -1, TPL "empty.json: the file is empty"},
    {TPL "no_such_file.json", CR_ERR_IO, -1, -1, -1,
     TPL "no_such_file.json: cannot open the file: No such file or directory"},
    {TPL, CR_ERR_IO, -1, -1, -1, TPL ": is a directory, not a file"},
    {TPL "bad_fields_type.json", CR_ERR_TEMPLATE, 3, 13, -1,
     LOC("bad_fields_type.json", "3:13") "\"fields\" must be an array, not an object"},
    {TPL "bad_min_size.json", CR_ERR_TEMPLATE, 7, 83, 1,
     LOC("bad_min_size.json", "7:83") "field 1 \"name\": \"min_size_pt\" must be greater than 0 "
                                      "and at most \"size_pt\" = 10.5 (got 12)"},
    {TPL "bad_field_type.json", CR_ERR_TEMPLATE, 6, 14, 1,
     LOC("bad_field_type.json", "6:14") "field 1 \"photo\": unknown field type \"hologram\" "
                                        "(allowed types: text, image, rect, line, barcode, mrz)"},
    {TPL "bad_root.json", CR_ERR_TEMPLATE, 2, 3, -1,
     LOC("bad_root.json", "2:3") "a template must be a JSON object, not an array"},
};

static void assert_error(const cr_error *err, cr_status code, const char *file, int line,
                         int column, int field_index, const char *message)
{
    assert_string_equal(err->message, message);
    assert_string_equal(cr_status_name(err->code), cr_status_name(code));
    assert_string_equal(err->file, file);
    assert_int_equal(err->line, line);
    assert_int_equal(err->column, column);
    assert_int_equal(err->field_index, field_index);
}

static void test_bad_file(void **state)
{
    const bad_file *c = *state;
    cr_error err;
    assert_string_equal(cr_font_manifest_path(fixture_engine->manifest), MANIFEST_PATH);
    assert_null(cr_template_load_file(fixture_engine, c->path, &err));
    assert_error(&err, c->code, c->path, c->line, c->column, c->field_index, c->message);
}

typedef struct bad_memory {
    const char *name;
    const char *json;
    int line, column, field_index;
    const char *message; /* after "memory.json:LINE:COL: " */
} bad_memory;

#define FIELD(members)                                                                             \
    "{\"version\": 1, \"fields\": [{\"type\": \"text\", \"box_mm\": [0, 0, 1, 1], " members "}]}"

#define IMAGE_START                                                                                \
    "{\"version\": 1, \"fields\": [{\"type\": \"image\", \"box_mm\": [0, 0, 20, 10], "
#define IMAGE(members) IMAGE_START members "}]}"
#define RECT(members)                                                                              \
    "{\"version\": 1, \"fields\": [{\"type\": \"rect\", \"box_mm\": [0, 0, 20, 10]" members "}]}"
#define LINE(members) "{\"version\": 1, \"fields\": [{\"type\": \"line\", " members "}]}"

static const bad_memory bad_memories[] = {
    {"field not an object", "{\"version\": 1, \"fields\": [42]}", 1, 27, 0,
     "field 0: a field must be an object, not an integer"},
    {"bad lang",
     "{\"version\": 1, \"fields\": [{\"type\": \"text\", \"name\": \"n\", \"box_mm\": [0, 0, 1, "
     "1], "
     "\"text\": \"x\", \"font\": \"Noto Sans\", \"size_pt\": 8, \"lang\": \"zh_CN\"}]}",
     1, 137, 0,
     "field 0 \"n\": \"lang\" must be a BCP 47 language tag such as \"zh-Hans\" or \"ug\" (got "
     "\"zh_CN\")"},
    {"corner radius", "{\"version\": 1, \"card\": {\"corner_radius_mm\": 30}, \"fields\": []}", 1,
     45, -1,
     "\"corner_radius_mm\" must be between 0 and 27, half the card's shorter side (got 30)"},
    {"max_lines real",
     FIELD("\"text\": \"x\", \"font\": \"Noto Sans\", \"size_pt\": 8, \"max_lines\": 1.5"), 1, 129,
     0, "field 0: \"max_lines\" must be an integer, not a real number"},
    {"font empty", FIELD("\"text\": \"x\", \"font\": [], \"size_pt\": 8"), 1, 89, 0,
     "field 0: \"font\" must name at least one family"},
    {"missing version", "\n\n  {\"fields\": []}", 3, 3, -1, "missing required key \"version\""},
    {"missing fields", "{\"version\": 1}", 1, 1, -1, "missing required key \"fields\""},
    {"font not a string", FIELD("\"text\": \"x\", \"font\": [\"Noto Sans\", 7], \"size_pt\": 8"), 1,
     103, 0, "field 0: a font family name must be a string, not an integer"},
    {"name not a string",
     "{\"version\": 1, \"fields\": [{\"type\": \"text\", \"name\": 12, \"box_mm\": [0, 0, 1, 1], "
     "\"text\": \"x\", \"font\": \"Noto Sans\", \"size_pt\": 8}]}",
     1, 52, 0, "field 0: \"name\" must be a string, not an integer"},
    {"box not an array",
     "{\"version\": 1, \"fields\": [{\"type\": \"text\", \"box_mm\": \"0 0 1 1\", \"text\": \"x\", "
     "\"font\": \"Noto Sans\", \"size_pt\": 8}]}",
     1, 54, 0,
     "field 0: \"box_mm\" must be an array of 4 numbers [x, y, width, height], not a string"},
    {"spacing range",
     FIELD("\"text\": \"x\", \"font\": \"Noto Sans\", \"size_pt\": 8, \"letter_spacing_em\": 3"), 1,
     137, 0, "field 0: \"letter_spacing_em\" must be between -0.5 and 2 (got 3)"},
    {"escaped key", FIELD("\"text\": \"x\", \"font\": \"Noto Sans\", \"\\u0073ize_pt\": 0"), 1, 118,
     0, "field 0: \"size_pt\" must be greater than 0 and at most 200 (got 0)"},
    {"text not a string", FIELD("\"text\": 5, \"font\": \"Noto Sans\", \"size_pt\": 8"), 1, 76, 0,
     "field 0: \"text\" must be a string, not an integer"},
    {"bind empty", FIELD("\"bind\": \"\", \"font\": \"Noto Sans\", \"size_pt\": 8"), 1, 76, 0,
     "field 0: \"bind\" must name a record key, not \"\""},
    {"type missing",
     "{\"version\": 1, \"fields\": [{\"box_mm\": [0, 0, 1, 1], \"bind\": \"a\", \"font\": \"Noto "
     "Sans\", \"size_pt\": 8}]}",
     1, 27, 0, "field 0: missing required key \"type\""},
    {"card not an object", "{\"version\": 1, \"card\": [], \"fields\": []}", 1, 24, -1,
     "\"card\" must be an object, not an array"},
    {"version a string", "{\"version\": \"1\", \"fields\": []}", 1, 13, -1,
     "\"version\" must be an integer, not a string"},
    {"width zero", "{\"version\": 1, \"card\": {\"width_mm\": 0}, \"fields\": []}", 1, 37, -1,
     "\"width_mm\" must be greater than 0 and at most 1000 (got 0)"},
    /* image, rect and line fields */
    {"image key", IMAGE("\"bind\": \"photo\", \"colour\": \"#000000\""), 1, 88, 0,
     "field 0: unknown key \"colour\" (allowed keys: type, name, box_mm, bind, src, fit, focus, "
     "pad_color, rotate_deg, opacity, adjust, corner_radius_mm, panel, optional, ghost)"},
    {"line key", "{\"version\": 1, \"fields\": [{\"type\": \"line\", \"box_mm\": [0, 0, 1, 1]}]}",
     1, 44, 0,
     "field 0: unknown key \"box_mm\" (allowed keys: type, name, from_mm, to_mm, width_mm, color, "
     "opacity, panel)"},
    {"image src and bind", IMAGE("\"src\": \"a.png\", \"bind\": \"photo\""), 1, 87, 0,
     "field 0: an image field has either \"src\" or \"bind\", not both"},
    {"image no source", IMAGE("\"fit\": \"cover\""), 1, 27, 0,
     "field 0: missing required key \"src\" or \"bind\""},
    {"image no box", "{\"version\": 1, \"fields\": [{\"type\": \"image\", \"bind\": \"p\"}]}", 1,
     27, 0, "field 0: missing required key \"box_mm\""},
    {"fit", IMAGE("\"bind\": \"p\", \"fit\": \"fill\""), 1, 91, 0,
     "field 0: \"fit\" must be cover, contain, stretch or none (got \"fill\")"},
    {"focus range", IMAGE("\"bind\": \"p\", \"focus\": [0.5, 1.5]"), 1, 99, 0,
     "field 0: \"focus\" y must be between 0 and 1 (got 1.5)"},
    {"focus count", IMAGE("\"bind\": \"p\", \"focus\": [0, 0, 0]"), 1, 93, 0,
     "field 0: \"focus\" must hold 2 numbers [x, y], not 3"},
    {"focus with stretch", IMAGE("\"bind\": \"p\", \"fit\": \"stretch\", \"focus\": [0, 0]"), 1,
     102, 0, "field 0: \"focus\" has no effect with \"fit\": \"stretch\""},
    {"pad with cover", IMAGE("\"bind\": \"p\", \"pad_color\": \"#ffffff\""), 1, 84, 0,
     "field 0: \"pad_color\" has no effect with \"fit\": \"cover\""},
    {"rotation", IMAGE("\"bind\": \"p\", \"rotate_deg\": 45"), 1, 98, 0,
     "field 0: \"rotate_deg\" must be 0, 90, 180 or 270 (got 45)"},
    {"opacity", IMAGE("\"bind\": \"p\", \"opacity\": 1.5"), 1, 95, 0,
     "field 0: \"opacity\" must be between 0 and 1 (got 1.5)"},
    {"adjust key", IMAGE("\"bind\": \"p\", \"adjust\": {\"saturation\": 1}"), 1, 95, 0,
     "field 0: unknown key \"saturation\" (allowed keys: brightness, contrast, gamma, "
     "grayscale)"},
    {"gamma", IMAGE("\"bind\": \"p\", \"adjust\": {\"gamma\": 0}"), 1, 104, 0,
     "field 0: \"gamma\" must be between 0.1 and 10 (got 0)"},
    {"contrast", IMAGE("\"bind\": \"p\", \"adjust\": {\"contrast\": 1}"), 1, 107, 0,
     "field 0: \"contrast\" must be less than 1 (got 1)"},
    {"grayscale", IMAGE("\"bind\": \"p\", \"adjust\": {\"grayscale\": \"yes\"}"), 1, 108, 0,
     "field 0: \"grayscale\" must be true or false, not a string"},
    {"image radius", IMAGE("\"bind\": \"p\", \"corner_radius_mm\": 6"), 1, 104, 0,
     "field 0: \"corner_radius_mm\" must be between 0 and 5, half the box's shorter side (got 6)"},
    {"src absolute", IMAGE("\"src\": \"/etc/logo.png\""), 1, 78, 0,
     "field 0: \"src\" must be a path relative to the template's folder (got \"/etc/logo.png\")"},
    {"background image", "{\"version\": 1, \"card\": {\"background_image\": 7}, \"fields\": []}", 1,
     45, -1, "\"background_image\" must be a string, not an integer"},
    {"rect paints nothing", RECT(""), 1, 27, 0,
     "field 0: a rect needs \"fill\", \"stroke\" or both"},
    {"stroke width alone", RECT(", \"fill\": \"#000000\", \"stroke_width_mm\": 1"), 1, 89, 0,
     "field 0: \"stroke_width_mm\" needs a \"stroke\" colour"},
    {"stroke width zero", RECT(", \"stroke\": \"#000000\", \"stroke_width_mm\": 0"), 1, 110, 0,
     "field 0: \"stroke_width_mm\" must be greater than 0 and at most 5, half the box's shorter "
     "side (got 0)"},
    {"line without end", LINE("\"from_mm\": [0, 0]"), 1, 27, 0,
     "field 0: missing required key \"to_mm\""},
    {"line of no length", LINE("\"from_mm\": [1, 2], \"to_mm\": [1, 2]"), 1, 72, 0,
     "field 0: \"to_mm\" must differ from \"from_mm\""},
    {"line end a string", LINE("\"from_mm\": \"0 0\", \"to_mm\": [1, 2]"), 1, 55, 0,
     "field 0: \"from_mm\" must be an array of 2 numbers [x, y], not a string"},
    {"optional on fixed text", FIELD("\"text\": \"x\", \"optional\": true"), 1, 81, 0,
     "field 0: \"optional\" applies to a bound field (\"bind\"), not to fixed content"},
    {"optional not a boolean", FIELD("\"bind\": \"x\", \"optional\": 1"), 1, 93, 0,
     "field 0: \"optional\" must be true or false, not an integer"},
    {"optional on a rect", RECT(", \"optional\": true"), 1, 70, 0,
     "field 0: unknown key \"optional\" (allowed keys: type, name, box_mm, fill, stroke, "
     "stroke_width_mm, corner_radius_mm, opacity, panel)"},
    {"line width", LINE("\"from_mm\": [0, 0], \"to_mm\": [1, 2], \"width_mm\": 0"), 1, 92, 0,
     "field 0: \"width_mm\" must be greater than 0 and at most 100 (got 0)"},
};

static void test_bad_memory(void **state)
{
    const bad_memory *c = *state;
    char expected[1024];
    snprintf(expected, sizeof expected, "memory.json:%d:%d: %s", c->line, c->column, c->message);
    cr_error err;
    assert_null(cr_template_load_memory(fixture_engine, c->json, strlen(c->json), "memory.json",
                                        NULL, &err));
    assert_error(&err, CR_ERR_TEMPLATE, "memory.json", c->line, c->column, c->field_index,
                 expected);
}

static int create_ghost_engine(void **state)
{
    cr_engine_options options = {.struct_size = sizeof options,
                                 .font_manifest_path = TPL "missing_font_manifest.json"};
    cr_error err;
    *state = cr_engine_create(&options, &err);
    if (!*state)
        fprintf(stderr, "cannot create the engine: %s\n", err.message);
    return *state ? 0 : -1;
}

static int destroy_ghost_engine(void **state)
{
    cr_engine_destroy(*state);
    return 0;
}

/* A family the manifest knows but whose file is missing: the font
 * library's own message, behind the template's location. */
static void test_font_file_missing(void **state)
{
    cr_error err;
    assert_null(cr_template_load_file(*state, TPL "bad_font_file.json", &err));
    assert_int_equal(err.code, CR_ERR_FONT);
    static const char prefix[] =
        TPL "bad_font_file.json:7:14: field 1 \"name\": font family \"Ghost Sans\"";
    assert_memory_equal(err.message, prefix, sizeof prefix - 1);
    assert_non_null(strstr(err.message, "apt-get install fonts-ghost"));
    assert_int_equal(err.line, 7);
    assert_int_equal(err.column, 14);
    assert_int_equal(err.field_index, 1);
}

/* Every truncation and many one-byte corruptions of a valid template must
 * load or fail cleanly (the sanitizer build catches the rest). */
static void test_never_crashes(void **state)
{
    char *text;
    size_t length;
    cr_error err;
    assert_int_equal(cr_json_read_file(TPL "full.json", "the file", &text, &length, &err), CR_OK);
    for (size_t cut = 0; cut <= length; cut++) {
        cr_template *tpl =
            cr_template_load_memory(fixture_engine, text, cut, "cut.json", NULL, &err);
        assert_true(tpl ? cut >= length - 1 : err.code != CR_OK);
        cr_template_destroy(tpl);
    }
    static const char replacements[] = {'"', '{', '}', '[', ']', ',', '1', '-', 'x', '\\', 0};
    char *copy = malloc(length);
    assert_non_null(copy);
    for (size_t pos = 0; pos < length; pos++) {
        for (size_t r = 0; r < sizeof replacements; r++) {
            memcpy(copy, text, length);
            copy[pos] = replacements[r];
            cr_template_destroy(
                cr_template_load_memory(fixture_engine, copy, length, "mutant.json", NULL, &err));
        }
    }
    free(copy);
    free(text);
}

/* The same for image, rect and line fields, with the artwork found, so
 * that mutations reach the decoder and every new reader. */
static void test_shapes_never_crash(void **state)
{
    char *text;
    size_t length;
    cr_error err;
    assert_int_equal(cr_json_read_file(TPL "shapes.json", "the file", &text, &length, &err), CR_OK);
    for (size_t cut = 0; cut <= length; cut++) {
        cr_template *tpl =
            cr_template_load_memory(fixture_engine, text, cut, "cut.json", TPL, &err);
        assert_true(tpl ? cut >= length - 1 : err.code != CR_OK);
        cr_template_destroy(tpl);
    }
    static const char replacements[] = {'"', '{', ']', ',', '0', '-', 'x', 0};
    char *copy = malloc(length);
    assert_non_null(copy);
    for (size_t pos = 0; pos < length; pos++) {
        for (size_t r = 0; r < sizeof replacements; r++) {
            memcpy(copy, text, length);
            copy[pos] = replacements[r];
            cr_template_destroy(
                cr_template_load_memory(fixture_engine, copy, length, "mutant.json", TPL, &err));
        }
    }
    free(copy);
    free(text);
}

/* ---------------------------------------------------------- the locator */

/* Locates path, puts an invalid character there and lets jansson say
 * where it stumbled: both must agree. */
static void assert_jansson_agrees(const char *text, const cr_json_step *path, size_t depth,
                                  cr_json_target target)
{
    cr_json_position pos;
    size_t length = strlen(text);
    assert_true(cr_json_locate(text, length, path, depth, target, &pos));
    char *broken = strdup(text);
    assert_non_null(broken);
    broken[pos.offset] = '@';
    json_error_t jerr;
    json_t *root = json_loadb(broken, length, 0, &jerr);
    assert_null(root);
    assert_int_equal(pos.line, jerr.line);
    assert_int_equal(pos.column, jerr.column);
    assert_int_equal(pos.offset + 1, (size_t)jerr.position);
    free(broken);
}

static const char tricky[] = "{\"名字\":\t\"张三\",\r\n \"list\": [1, {\"k\\u00e9y\": [true, null, "
                             "\"é\\\"]}\"]}],\r\n\t\"\\ud83d\\ude00\": {},\n\"n\"\n:\n-1.5e3}";

static void test_locator_matches_jansson(void **state)
{
    json_error_t jerr;
    json_t *valid = json_loads(tricky, 0, &jerr);
    assert_non_null(valid);
    json_decref(valid);

    const cr_json_step name[] = {CR_JSON_KEY("名字")};
    const cr_json_step deep[] = {CR_JSON_KEY("list"), CR_JSON_INDEX(1), CR_JSON_KEY("kéy"),
                                 CR_JSON_INDEX(2)};
    const cr_json_step emoji[] = {CR_JSON_KEY("😀")};
    const cr_json_step number[] = {CR_JSON_KEY("n")};
    assert_jansson_agrees(tricky, NULL, 0, CR_JSON_AT_VALUE);
    assert_jansson_agrees(tricky, name, 1, CR_JSON_AT_VALUE);
    assert_jansson_agrees(tricky, name, 1, CR_JSON_AT_KEY);
    for (size_t depth = 1; depth <= 4; depth++) {
        assert_jansson_agrees(tricky, deep, depth, CR_JSON_AT_VALUE);
        assert_jansson_agrees(tricky, deep, depth, CR_JSON_AT_KEY);
    }
    assert_jansson_agrees(tricky, emoji, 1, CR_JSON_AT_VALUE);
    assert_jansson_agrees(tricky, emoji, 1, CR_JSON_AT_KEY);
    assert_jansson_agrees(tricky, number, 1, CR_JSON_AT_VALUE);
    assert_jansson_agrees(tricky, number, 1, CR_JSON_AT_KEY);
}

static void test_locator_misses(void **state)
{
    cr_json_position pos = {-7, -7, 7};
    size_t length = strlen(tricky);
    const cr_json_step no_key[] = {CR_JSON_KEY("nope")};
    const cr_json_step past_end[] = {CR_JSON_KEY("list"), CR_JSON_INDEX(2)};
    const cr_json_step not_array[] = {CR_JSON_KEY("n"), CR_JSON_INDEX(0)};
    const cr_json_step not_object[] = {CR_JSON_KEY("list"), CR_JSON_KEY("x")};
    const cr_json_step prefix[] = {CR_JSON_KEY("名")};
    assert_false(cr_json_locate(tricky, length, no_key, 1, CR_JSON_AT_VALUE, &pos));
    assert_false(cr_json_locate(tricky, length, past_end, 2, CR_JSON_AT_VALUE, &pos));
    assert_false(cr_json_locate(tricky, length, not_array, 2, CR_JSON_AT_VALUE, &pos));
    assert_false(cr_json_locate(tricky, length, not_object, 2, CR_JSON_AT_VALUE, &pos));
    assert_false(cr_json_locate(tricky, length, prefix, 1, CR_JSON_AT_VALUE, &pos));
    assert_false(cr_json_locate("", 0, NULL, 0, CR_JSON_AT_VALUE, &pos));
    assert_false(cr_json_locate("{\"a\": [1,", 9, past_end, 2, CR_JSON_AT_VALUE, &pos));
    assert_int_equal(pos.line, -7);
}

/* ---------------------------------------------------------------- records */

static void test_record_valid(void **state)
{
    cr_error err;
    cr_record *rec = cr_record_load_file(REC "person.json", &err);
    assert_non_null(rec);
    assert_string_equal(rec->path, REC "person.json");
    assert_int_equal(rec->count, 5);
    assert_string_equal(cr_record_get(rec, "name"), "张三");
    assert_string_equal(cr_record_get(rec, "sex"), "男");
    assert_string_equal(cr_record_get(rec, "address"), "北京市东城区东华门大街1号");
    assert_string_equal(cr_record_get(rec, "birth_year"), "1990");
    assert_null(cr_record_get(rec, "nam"));
    assert_null(cr_record_get(rec, NULL));
    assert_null(cr_record_get(NULL, "name"));
    cr_record_destroy(rec);

    rec = cr_record_load_memory("{}", 2, NULL, &err);
    assert_non_null(rec);
    assert_int_equal(rec->count, 0);
    assert_string_equal(rec->path, "<memory>");
    cr_record_destroy(rec);
    cr_record_destroy(NULL);
}

static void test_record_bad_value(void **state)
{
    cr_error err;
    assert_null(cr_record_load_file(REC "bad_value.json", &err));
    assert_error(&err, CR_ERR_RECORD, REC "bad_value.json", 3, 22, -1,
                 REC "bad_value.json:3:22: \"age\" must be a string, not a number");
}

static void test_record_bad_root(void **state)
{
    cr_error err;
    assert_null(cr_record_load_file(REC "bad_root.json", &err));
    assert_error(&err, CR_ERR_RECORD, REC "bad_root.json", 1, 1, -1,
                 REC "bad_root.json:1:1: a record must be a JSON object, not an array");
}

static void test_record_duplicate(void **state)
{
    cr_error err;
    assert_null(cr_record_load_file(REC "bad_duplicate.json", &err));
    assert_error(&err, CR_ERR_RECORD, REC "bad_duplicate.json", 3, 3, -1,
                 REC "bad_duplicate.json:3:3: duplicate key \"name\"");
}

static void test_record_io(void **state)
{
    cr_error err;
    assert_null(cr_record_load_file(REC "nobody.json", &err));
    assert_error(&err, CR_ERR_IO, REC "nobody.json", -1, -1, -1,
                 REC "nobody.json: cannot open the file: No such file or directory");
    static const char truncated[] = "{\"name\": \"张";
    assert_null(cr_record_load_memory(truncated, strlen(truncated), "p.json", &err));
    assert_error(&err, CR_ERR_SYNTAX, "p.json", 1, 11, -1,
                 "p.json:1:11: syntax error: premature end of input near '\"张'");
}

static void test_field_text(void **state)
{
    cr_error err;
    cr_template *tpl = load_template_or_fail(TPL "full.json");
    cr_record *person = cr_record_load_file(REC "person.json", &err);
    cr_record *partial = cr_record_load_file(REC "partial.json", &err);
    assert_non_null(person);
    assert_non_null(partial);

    assert_string_equal(cr_field_text(tpl, &tpl->fields[0], NULL, &err), "姓名");
    assert_string_equal(cr_field_text(tpl, &tpl->fields[1], person, &err), "张三");

    assert_null(cr_field_text(tpl, &tpl->fields[1], partial, &err));
    assert_error(&err, CR_ERR_RECORD, TPL "full.json", 9, 80, 1,
                 TPL "full.json:9:80: field 1 \"name\": the record " REC
                     "partial.json has no key \"name\"");

    assert_null(cr_field_text(tpl, &tpl->fields[1], NULL, &err));
    assert_error(&err, CR_ERR_RECORD, TPL "full.json", 9, 80, 1,
                 TPL "full.json:9:80: field 1 \"name\": no record was given for the key "
                     "\"name\"");
    cr_record_destroy(person);
    cr_record_destroy(partial);
    cr_template_destroy(tpl);
}

/* An optional bound field: a missing or empty value is absent, not an
 * error; a value present is the value; fixed text is never absent. */
static void test_field_optional(void **state)
{
    const char *json =
        "{\"version\": 1, \"fields\": [{\"type\": \"text\", \"box_mm\": [0, 0, 9, 4], "
        "\"bind\": \"name_ug\", \"optional\": true, \"font\": \"Noto Sans\", "
        "\"size_pt\": 8}, {\"type\": \"image\", \"box_mm\": [10, 0, 9, 9], "
        "\"bind\": \"photo\", \"optional\": true}, {\"type\": \"text\", "
        "\"box_mm\": [0, 5, 9, 4], \"text\": \"x\", \"font\": \"Noto Sans\", "
        "\"size_pt\": 8}]}";
    cr_error err;
    cr_template *tpl =
        cr_template_load_memory(fixture_engine, json, strlen(json), "optional.json", NULL, &err);
    if (!tpl)
        fail_msg("%s", err.message);
    const char *with = "{\"name_ug\": \"نامى\"}", *empty = "{\"name_ug\": \"\", \"photo\": \"\"}";
    cr_record *present = cr_record_load_memory(with, strlen(with), "present.json", &err);
    cr_record *blank = cr_record_load_memory(empty, strlen(empty), "blank.json", &err);
    assert_true(tpl->fields[0].optional && tpl->fields[1].optional && !tpl->fields[2].optional);
    assert_false(cr_field_is_absent(&tpl->fields[0], present));
    assert_true(cr_field_is_absent(&tpl->fields[1], present)); /* no "photo" key */
    assert_true(cr_field_is_absent(&tpl->fields[0], blank));
    assert_true(cr_field_is_absent(&tpl->fields[1], blank));
    assert_true(cr_field_is_absent(&tpl->fields[0], NULL));
    assert_false(cr_field_is_absent(&tpl->fields[2], NULL));
    assert_string_equal(cr_field_text(tpl, &tpl->fields[0], present, &err), "نامى");
    assert_string_equal(cr_field_text(tpl, &tpl->fields[0], NULL, &err), "");
    cr_field_info info;
    assert_int_equal(cr_template_field(tpl, 1, &info), CR_OK);
    assert_true(info.optional);
    cr_record_destroy(present);
    cr_record_destroy(blank);
    cr_template_destroy(tpl);
}

/* ------------------------------------------------------------------- main */

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

static int run_error_cases(void)
{
    struct CMUnitTest tests[COUNT(bad_files) + COUNT(bad_memories)];
    size_t n = 0;
    for (size_t i = 0; i < COUNT(bad_files); i++)
        tests[n++] = (struct CMUnitTest){bad_files[i].path, test_bad_file, NULL, NULL,
                                         (void *)&bad_files[i]};
    for (size_t i = 0; i < COUNT(bad_memories); i++)
        tests[n++] = (struct CMUnitTest){bad_memories[i].name, test_bad_memory, NULL, NULL,
                                         (void *)&bad_memories[i]};
    return _cmocka_run_group_tests("invalid templates", tests, n, engine_setup, engine_teardown);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_defaults),
        cmocka_unit_test(test_full_card),
        cmocka_unit_test(test_full_bound_field),
        cmocka_unit_test(test_full_other_values),
        cmocka_unit_test(test_no_fields),
        cmocka_unit_test(test_pixel_size),
        cmocka_unit_test(test_memory_folders),
        cmocka_unit_test(test_color_parse),
        cmocka_unit_test(test_image_fields),
        cmocka_unit_test(test_shape_fields),
        cmocka_unit_test(test_artwork_errors),
        cmocka_unit_test_setup_teardown(test_font_file_missing, create_ghost_engine,
                                        destroy_ghost_engine),
        cmocka_unit_test(test_never_crashes),
        cmocka_unit_test(test_shapes_never_crash),
        cmocka_unit_test(test_locator_matches_jansson),
        cmocka_unit_test(test_locator_misses),
        cmocka_unit_test(test_record_valid),
        cmocka_unit_test(test_record_bad_value),
        cmocka_unit_test(test_record_bad_root),
        cmocka_unit_test(test_record_duplicate),
        cmocka_unit_test(test_record_io),
        cmocka_unit_test(test_field_text),
        cmocka_unit_test(test_field_optional),
    };
    int failed = cmocka_run_group_tests_name("templates", tests, engine_setup, engine_teardown);
    return failed | run_error_cases();
}
