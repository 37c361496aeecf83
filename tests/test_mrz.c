/* "type": "mrz" (ICAO 9303 machine-readable zones). The oracles are the
 * worked examples printed in Doc 9303 (Part 3's check digits, the TD3
 * specimen of Part 4, the TD1 of Part 5 and the TD2 of Part 6), typed in
 * by hand; the other expectations are worked out by hand in the comments
 * from the rules mrz.h states. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cardrender.h"
#include "layout_result.h"
#include "mrz.h"
#include "mrz_paint.h"
#include "template.h"

static cr_engine *engine;

static int setup(void **state)
{
    cr_error err;
    engine = cr_engine_create(NULL, &err);
    if (!engine)
        fail_msg("%s", err.message);
    return 0;
}

static int teardown(void **state)
{
    cr_engine_destroy(engine);
    return 0;
}

/* A template of one MRZ field, `extra` added to it (e.g. a "keys" object). */
static cr_template *mrz_template(const char *format, const char *box, const char *extra,
                                 cr_error *err)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"version\": 1, \"fields\": [\n"
             "  {\"type\": \"mrz\", \"name\": \"zone\", \"format\": \"%s\",\n"
             "   \"box_mm\": %s%s}]}",
             format, box, extra);
    return cr_template_load_memory(engine, json, strlen(json), "t.json", NULL, err);
}

static cr_template *mrz_template_ok(const char *format, const char *extra)
{
    cr_error err;
    cr_template *tpl = mrz_template(format, "[2, 2, 112, 13]", extra, &err);
    if (!tpl)
        fail_msg("%s", err.message);
    return tpl;
}

static cr_record *record_of(const char *json)
{
    cr_error err;
    cr_record *record = cr_record_load_memory(json, strlen(json), "r.json", &err);
    if (!record)
        fail_msg("%s", err.message);
    return record;
}

/* Anna Maria Eriksson of Utopia, the specimen of Parts 5 and 6. */
static const char eriksson_card[] =
    "{\"document_code\": \"I\", \"issuing_state\": \"UTO\", \"document_number\": \"D23145890\","
    " \"birth_date\": \"1974-08-12\", \"sex\": \"F\", \"expiry_date\": \"2012-04-15\","
    " \"nationality\": \"UTO\", \"primary_identifier\": \"Eriksson\","
    " \"secondary_identifier\": \"Anna Maria\"}";

/* Her passport, the specimen of Part 4. */
static const char eriksson_passport[] =
    "{\"document_code\": \"P\", \"issuing_state\": \"UTO\", \"document_number\": \"L898902C3\","
    " \"birth_date\": \"1974-08-12\", \"sex\": \"F\", \"expiry_date\": \"2012-04-15\","
    " \"nationality\": \"UTO\", \"optional_data\": \"ZE184226B\","
    " \"primary_identifier\": \"ERIKSSON\", \"secondary_identifier\": \"ANNA MARIA\"}";

/* The zone of a template's only field for a record; the status returned,
 * err filled. */
static cr_status build(const cr_template *tpl, const char *record_json, cr_mrz_lines *zone,
                       cr_error *err)
{
    cr_record *record = record_of(record_json);
    cr_status status = cr_mrz_build(tpl, &tpl->fields[0], record, zone, err);
    cr_record_destroy(record);
    return status;
}

static void assert_zone(const char *format, const char *extra, const char *record_json,
                        const char *const expected[])
{
    cr_template *tpl = mrz_template_ok(format, extra);
    cr_mrz_lines zone;
    cr_error err;
    if (build(tpl, record_json, &zone, &err) != CR_OK)
        fail_msg("%s", err.message);
    for (int i = 0; i < zone.count; i++)
        assert_string_equal(zone.text[i], expected[i]);
    assert_null(expected[zone.count]);
    cr_template_destroy(tpl);
}

/* An error naming what it should, for a record that cannot make a zone. */
static void assert_refused(const char *format, const char *extra, const char *record_json,
                           const char *message)
{
    cr_template *tpl = mrz_template_ok(format, extra);
    cr_mrz_lines zone;
    cr_error err;
    assert_int_equal(build(tpl, record_json, &zone, &err), CR_ERR_RECORD);
    if (!strstr(err.message, message))
        fail_msg("expected \"%s\" in: %s", message, err.message);
    cr_template_destroy(tpl);
}

/* ----------------------------------------------------- check digits */

/* Part 3, 4.9: the date 27 July 1952 (520727) has check digit 3; the
 * document number AB2134 with fillers (AB2134<<<) has 5. */
static void test_check_digits_of_part_3(void **state)
{
    assert_int_equal(cr_mrz_check_digit("520727", 6), 3);
    assert_int_equal(cr_mrz_check_digit("AB2134<<<", 9), 5);
    /* the specimens' own digits: L898902C3 6, D23145890 7, 740812 2, 120415 9 */
    assert_int_equal(cr_mrz_check_digit("L898902C3", 9), 6);
    assert_int_equal(cr_mrz_check_digit("D23145890", 9), 7);
    assert_int_equal(cr_mrz_check_digit("740812", 6), 2);
    assert_int_equal(cr_mrz_check_digit("120415", 6), 9);
    assert_int_equal(cr_mrz_check_digit("ab", 2), -1);
}

/* ------------------------------------------------ the worked examples */

/* One line of a zone built from record_json. */
static void assert_line(const char *format, const char *record_json, int line, const char *expected)
{
    cr_template *tpl = mrz_template_ok(format, "");
    cr_mrz_lines zone;
    cr_error err;
    if (build(tpl, record_json, &zone, &err) != CR_OK)
        fail_msg("%s", err.message);
    assert_true(line < zone.count);
    assert_string_equal(zone.text[line], expected);
    cr_template_destroy(tpl);
}

/* Part 3 (8th edition, 2021), Appendix A, the composite check digits of
 * its examples 4 (TD1: 2) and 5 (TD2: 8), and 3 (TD3: 8), where the
 * unused personal number's check digit is printed 0; this engine prints
 * the filler, which 9303 allows too and which weighs the same (0). */
static void test_composite_digits_of_part_3(void **state)
{
    static const char td1[] =
        "{\"document_code\": \"I\", \"issuing_state\": \"YTO\", \"document_number\": "
        "\"D23145890\", \"birth_date\": \"1934-07-12\", \"sex\": \"M\", \"expiry_date\": "
        "\"1995-07-12\", \"nationality\": \"YTO\", \"primary_identifier\": \"X\"}";
    assert_line("td1", td1, 0, "I<YTOD231458907<<<<<<<<<<<<<<<");
    assert_line("td1", td1, 1, "3407127M9507122YTO<<<<<<<<<<<2");
    static const char ha672242[] =
        "{\"document_code\": \"P\", \"issuing_state\": \"YTO\", \"document_number\": "
        "\"HA672242\", \"birth_date\": \"1958-02-25\", \"sex\": \"M\", \"expiry_date\": "
        "\"1996-01-08\", \"nationality\": \"YTO\", \"primary_identifier\": \"X\"}";
    assert_line("td2", ha672242, 1, "HA672242<6YTO5802254M9601086<<<<<<<8");
    assert_line("td3", ha672242, 1, "HA672242<6YTO5802254M9601086<<<<<<<<<<<<<<<8");
}

static void test_td1_of_part_5(void **state)
{
    static const char *const lines[] = {"I<UTOD231458907<<<<<<<<<<<<<<<",
                                        "7408122F1204159UTO<<<<<<<<<<<6",
                                        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<", NULL};
    assert_zone("td1", "", eriksson_card, lines);
}

static void test_td2_of_part_6(void **state)
{
    static const char *const lines[] = {"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
                                        "D231458907UTO7408122F1204159<<<<<<<6", NULL};
    assert_zone("td2", "", eriksson_card, lines);
}

static void test_td3_of_part_4(void **state)
{
    static const char *const lines[] = {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                                        "L898902C36UTO7408122F1204159ZE184226B<<<<<10", NULL};
    assert_zone("td3", "", eriksson_passport, lines);
}

/* The example card in templates/ renders the Part 5 lines (read back from
 * the layout, as `cardrender layout --json` reports them). */
static void test_example_card_has_the_part_5_lines(void **state)
{
    cr_error err;
    cr_template *tpl = cr_template_load_file(engine, "templates/travel-permit-td1-back.json", &err);
    if (!tpl)
        fail_msg("%s", err.message);
    cr_record *record = cr_record_load_file("examples/records/utopia-eriksson.json", &err);
    assert_non_null(record);
    const cr_field *field = &tpl->fields[tpl->field_count - 1];
    cr_text_layout layout;
    assert_int_equal(cr_mrz_layout(tpl, field, record, 300, &layout, &err), CR_OK);
    assert_string_equal(layout.text, "I<UTOD231458907<<<<<<<<<<<<<<<\n"
                                     "7408122F1204159UTO<<<<<<<<<<<6\n"
                                     "ERIKSSON<<ANNA<MARIA<<<<<<<<<<");
    cr_text_layout_free(&layout);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

/* ------------------------------------------------- transliteration */

static void assert_spelled(const char *text, const char *mrz)
{
    char out[128];
    assert_int_equal(cr_mrz_transliterate(text, out, sizeof out), 0);
    assert_string_equal(out, mrz);
}

/* Part 3's table: Ä AE, Ö OE, Ü UE, Å AA, Æ AE, Ø OE, ß SS, Þ TH, other
 * diacritics dropped; hyphens and spaces fillers, apostrophes left out. */
static void test_latin_transliteration(void **state)
{
    assert_spelled("Müller-Lüdenscheidt", "MUELLER<LUEDENSCHEIDT");
    assert_spelled("Gößmann", "GOESSMANN");
    assert_spelled("Hämäläinen", "HAEMAELAEINEN");
    assert_spelled("Åse Ærø Øster", "AASE<AEROE<OESTER");
    assert_spelled("José Çelik Łukasz Dvořák", "JOSE<CELIK<LUKASZ<DVORAK");
    assert_spelled("O'Brien", "OBRIEN");
    assert_spelled("Þórunn", "THORUNN");
    assert_spelled("İnönü Şahin", "INOENUE<SAHIN");
}

static void test_untransliterable_character_is_named(void **state)
{
    char out[64];
    assert_int_equal(cr_mrz_transliterate("田中", out, sizeof out), 0x7530);
    assert_refused("td1", "",
                   "{\"document_code\": \"I\", \"issuing_state\": \"UTO\","
                   " \"document_number\": \"D23145890\", \"birth_date\": \"1974-08-12\","
                   " \"sex\": \"F\", \"expiry_date\": \"2012-04-15\", \"nationality\": \"UTO\","
                   " \"primary_identifier\": \"田中\"}",
                   "record key \"primary_identifier\" (MRZ primary_identifier): \"田中\" holds "
                   "U+7530, which has no MRZ transliteration");
}

/* ------------------------------------------------------- names */

/* TD3's name field is 39 characters. NILAVADHANANANDA<<CHAYAPA<DEJTHAMRONG<
 * KRASUANG is 46: the secondary identifier's last component is cut back 7
 * letters, to its initial, and the field ends in a letter. */
static void test_long_name_is_truncated_from_the_back(void **state)
{
    cr_template *tpl = mrz_template_ok("td3", "");
    cr_mrz_lines zone;
    cr_error err;
    assert_int_equal(
        build(tpl,
              "{\"document_code\": \"P\", \"issuing_state\": \"THA\","
              " \"document_number\": \"L898902C3\", \"birth_date\": \"1974-08-12\","
              " \"sex\": \"F\", \"expiry_date\": \"2012-04-15\","
              " \"nationality\": \"THA\", \"primary_identifier\": \"Nilavadhanananda\","
              " \"secondary_identifier\": \"Chayapa Dejthamrong Krasuang\"}",
              &zone, &err),
        CR_OK);
    assert_string_equal(zone.text[0], "P<THANILAVADHANANANDA<<CHAYAPA<DEJTHAMRONG<K");
    cr_template_destroy(tpl);
}

/* Too long even with the secondary identifier's components as initials:
 * they go from the back, then the primary identifier is cut. TD1's field
 * is 30: WOLFESCHLEGELSTEINHAUSENBERGERDORFF (35) keeps its first 30. */
static void test_overlong_primary_identifier_is_cut(void **state)
{
    cr_template *tpl = mrz_template_ok("td1", "");
    cr_mrz_lines zone;
    cr_error err;
    assert_int_equal(build(tpl,
                           "{\"document_code\": \"ID\", \"issuing_state\": \"D\","
                           " \"document_number\": \"T22000129\", \"birth_date\": \"1964-08-12\","
                           " \"sex\": \"M\", \"expiry_date\": \"2031-10-31\","
                           " \"nationality\": \"D\","
                           " \"primary_identifier\": \"Wolfeschlegelsteinhausenbergerdorff\","
                           " \"secondary_identifier\": \"Hubert Blaine\"}",
                           &zone, &err),
                     CR_OK);
    assert_string_equal(zone.text[2], "WOLFESCHLEGELSTEINHAUSENBERGER");
    /* one-letter codes are padded: D<<; T22000129's digit:
     * 29*7+2*3+2*1+0+0+0+1*7+2*3+9*1 = 233 -> 3 */
    assert_memory_equal(zone.text[0], "IDD<<T220001293", 15);
    cr_template_destroy(tpl);
}

/* ------------------------------------------ document number overflow */

/* Part 5: a number of 12 characters keeps 9 in 6-14, '<' in 15, and goes
 * on in the optional data with its check digit and a filler. The digit of
 * D23145890123: 13*7+2*3+3+1*7+4*3+5+8*7+9*3+0+1*7+2*3+3 = 223 -> 3. */
static void test_td1_long_document_number_overflows(void **state)
{
    cr_template *tpl = mrz_template_ok("td1", "");
    cr_mrz_lines zone;
    cr_error err;
    assert_int_equal(build(tpl,
                           "{\"document_code\": \"I\", \"issuing_state\": \"UTO\","
                           " \"document_number\": \"D23145890123\", \"birth_date\": \"1974-08-12\","
                           " \"sex\": \"F\", \"expiry_date\": \"2012-04-15\","
                           " \"nationality\": \"UTO\", \"primary_identifier\": \"Eriksson\"}",
                           &zone, &err),
                     CR_OK);
    assert_string_equal(zone.text[0], "I<UTOD23145890<1233<<<<<<<<<<<");
    cr_template_destroy(tpl);
}

/* ------------------------------------------------------- errors */

static void test_bad_date_names_the_key(void **state)
{
    assert_refused("td1", "",
                   "{\"document_code\": \"I\", \"issuing_state\": \"UTO\","
                   " \"document_number\": \"D23145890\", \"birth_date\": \"1974-02-30\","
                   " \"sex\": \"F\", \"expiry_date\": \"2012-04-15\", \"nationality\": \"UTO\","
                   " \"primary_identifier\": \"Eriksson\"}",
                   "record key \"birth_date\" (MRZ birth_date): \"1974-02-30\" is not a date");
    assert_refused("td2", "",
                   "{\"document_code\": \"I\", \"issuing_state\": \"UTO\","
                   " \"document_number\": \"D23145890\", \"birth_date\": \"1974-08-12\","
                   " \"sex\": \"F\", \"expiry_date\": \"15 April 2012\", \"nationality\": \"UTO\","
                   " \"primary_identifier\": \"Eriksson\"}",
                   "record key \"expiry_date\" (MRZ expiry_date): \"15 April 2012\" is not a date");
}

static void test_too_long_field_names_the_key(void **state)
{
    /* TD3 has no overflow rule: a 10-character number does not fit */
    assert_refused("td3", "",
                   "{\"document_code\": \"P\", \"issuing_state\": \"UTO\","
                   " \"document_number\": \"L898902C31\", \"birth_date\": \"1974-08-12\","
                   " \"sex\": \"F\", \"expiry_date\": \"2012-04-15\", \"nationality\": \"UTO\","
                   " \"primary_identifier\": \"Eriksson\"}",
                   "record key \"document_number\" (MRZ document_number): \"L898902C31\" is 10 "
                   "characters in the MRZ (L898902C31); td3 has room for 9");
    assert_refused("td1", "",
                   "{\"document_code\": \"I\", \"issuing_state\": \"UTOP\","
                   " \"document_number\": \"D23145890\", \"birth_date\": \"1974-08-12\","
                   " \"sex\": \"F\", \"expiry_date\": \"2012-04-15\", \"nationality\": \"UTO\","
                   " \"primary_identifier\": \"Eriksson\"}",
                   "record key \"issuing_state\" (MRZ issuing_state): \"UTOP\" is 4 characters");
}

/* A key renamed by "keys": the error names the record's key and points at
 * where the template renamed it: the value "dob" is on line 4 of t.json,
 * after 3 spaces, `"keys": {` and `"birth_date": `, at column 27. */
static void test_renamed_key_is_named_where_it_is_renamed(void **state)
{
    const char *keys = ",\n   \"keys\": {\"birth_date\": \"dob\"}";
    assert_refused("td1", keys,
                   "{\"document_code\": \"I\", \"issuing_state\": \"UTO\","
                   " \"document_number\": \"D23145890\", \"dob\": \"740812\","
                   " \"sex\": \"F\", \"expiry_date\": \"2012-04-15\", \"nationality\": \"UTO\","
                   " \"primary_identifier\": \"Eriksson\"}",
                   "t.json:4:27: field 0 \"zone\": record key \"dob\" (MRZ birth_date): "
                   "\"740812\" is not a date");
    assert_refused("td1", keys, "{\"document_code\": \"I\"}", "has no key \"issuing_state\"");
}

static void test_sex_codes(void **state)
{
    cr_template *tpl = mrz_template_ok("td2", ",\n   \"keys\": {\"sex\": \"gender\"}");
    cr_mrz_lines zone;
    cr_error err;
    char record[600];
    const char *const given[] = {"M", "f", "X", ""};
    const char expected[] = {'M', 'F', '<', '<'};
    for (int i = 0; i < 4; i++) {
        snprintf(record, sizeof record,
                 "{\"document_code\": \"I\", \"issuing_state\": \"UTO\","
                 " \"document_number\": \"D23145890\", \"birth_date\": \"1974-08-12\","
                 " \"gender\": \"%s\", \"expiry_date\": \"2012-04-15\", \"nationality\": \"UTO\","
                 " \"primary_identifier\": \"Eriksson\"}",
                 given[i]);
        assert_int_equal(build(tpl, record, &zone, &err), CR_OK);
        assert_int_equal(zone.text[1][20], expected[i]);
    }
    cr_template_destroy(tpl);
}

/* ------------------------------------------------------- loading */

static void assert_load_refused(const char *format, const char *box, const char *extra,
                                const char *message)
{
    cr_error err;
    cr_template *tpl = mrz_template(format, box, extra, &err);
    assert_null(tpl);
    if (!strstr(err.message, message))
        fail_msg("expected \"%s\" in: %s", message, err.message);
}

static void test_template_errors(void **state)
{
    assert_load_refused("td1", "[2, 2, 70, 13]", "",
                        "t.json:3:14: field 0 \"zone\": a td1 zone needs a box of at least 76.20 "
                        "x 12.70 mm");
    assert_load_refused("td3", "[2, 2, 100, 13]", "", "a td3 zone needs a box of at least 111.76");
    assert_load_refused("td4", "[2, 2, 100, 13]", "", "\"format\"");
    assert_load_refused("td1", "[2, 2, 80, 13]", ",\n   \"keys\": {\"birthdate\": \"dob\"}",
                        "birthdate");
    assert_load_refused("td1", "[2, 2, 80, 13]", ",\n   \"keys\": {\"sex\": \"\"}",
                        "\"sex\" must name a record key");
    assert_load_refused("td1", "[2, 2, 80, 13]", ",\n   \"font\": \"OCR B\"", "\"font\"");
}

/* ------------------------------------------------------- painting */

/* Cells are exactly 2.54 mm: 30 px at 300 dpi, 60 at 600; TD1's lines 1/6
 * inch apart (Part 5, figure 6: 4.23 mm). */
static void test_characters_sit_at_the_pitch(void **state)
{
    cr_template *tpl = mrz_template_ok("td1", "");
    cr_record *record = record_of(eriksson_card);
    const int dpis[] = {300, 600};
    for (int d = 0; d < 2; d++) {
        cr_text_layout layout;
        cr_error err;
        assert_int_equal(cr_mrz_layout(tpl, &tpl->fields[0], record, dpis[d], &layout, &err),
                         CR_OK);
        int cell = dpis[d] / 10, line = dpis[d] / 6;
        assert_int_equal(layout.glyph_count, 90);
        for (size_t i = 1; i < layout.glyph_count; i++)
            if (i % 30)
                assert_int_equal(layout.glyphs[i].x - layout.glyphs[i - 1].x, cell * 64);
        for (size_t l = 1; l < layout.line_count; l++)
            assert_int_equal(layout.lines[l].baseline - layout.lines[l - 1].baseline, line * 64);
        cr_text_layout_free(&layout);
    }
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

/* TD3's lines are 6.35 mm apart (Part 4, figure 3): 75 px at 300 dpi. */
static void test_td3_lines_are_a_quarter_inch_apart(void **state)
{
    cr_template *tpl = mrz_template_ok("td3", "");
    cr_record *record = record_of(eriksson_passport);
    cr_text_layout layout;
    cr_error err;
    assert_int_equal(cr_mrz_layout(tpl, &tpl->fields[0], record, 300, &layout, &err), CR_OK);
    assert_int_equal(layout.line_count, 2);
    assert_int_equal(layout.lines[1].baseline - layout.lines[0].baseline, 75 * 64);
    cr_text_layout_free(&layout);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

/* The darkest column of each ink run along a band of the rendered card:
 * the ten fillers ending line 3 of the TD1 specimen are the same glyph
 * 30 px apart, so their ink starts exactly 30 px apart. */
static void test_rendered_fillers_are_30_px_apart(void **state)
{
    cr_template *tpl = mrz_template_ok("td1", "");
    cr_record *record = record_of(eriksson_card);
    cr_error err;
    cr_image *image = cr_render(engine, tpl, record, NULL, &err);
    if (!image)
        fail_msg("%s", err.message);
    const uint8_t *px = cr_image_pixels(image);
    int stride = cr_image_stride(image), width = cr_image_width(image);
    int channels = stride >= width * 4 ? 4 : 3;
    /* line 3's band: y from 2 mm + 2 * 50 px, 50 px tall */
    int top = (int)(2 * 300 / 25.4 + 0.5) + 100, starts[64], count = 0;
    bool was_ink = false;
    for (int x = 0; x < width && count < 64; x++) {
        bool ink = false;
        for (int y = top; y < top + 50; y++)
            ink = ink || px[y * stride + x * channels] < 128;
        if (ink && !was_ink)
            starts[count++] = x;
        was_ink = ink;
    }
    assert_true(count >= 30); /* M is one run; no letter here splits in two */
    for (int i = count - 9; i < count; i++)
        assert_int_equal(starts[i] - starts[i - 1], 30);
    cr_image_destroy(image);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_digits_of_part_3),
        cmocka_unit_test(test_td1_of_part_5),
        cmocka_unit_test(test_td2_of_part_6),
        cmocka_unit_test(test_td3_of_part_4),
        cmocka_unit_test(test_composite_digits_of_part_3),
        cmocka_unit_test(test_td3_lines_are_a_quarter_inch_apart),
        cmocka_unit_test(test_example_card_has_the_part_5_lines),
        cmocka_unit_test(test_latin_transliteration),
        cmocka_unit_test(test_untransliterable_character_is_named),
        cmocka_unit_test(test_long_name_is_truncated_from_the_back),
        cmocka_unit_test(test_overlong_primary_identifier_is_cut),
        cmocka_unit_test(test_td1_long_document_number_overflows),
        cmocka_unit_test(test_bad_date_names_the_key),
        cmocka_unit_test(test_too_long_field_names_the_key),
        cmocka_unit_test(test_renamed_key_is_named_where_it_is_renamed),
        cmocka_unit_test(test_sex_codes),
        cmocka_unit_test(test_template_errors),
        cmocka_unit_test(test_characters_sit_at_the_pitch),
        cmocka_unit_test(test_rendered_fillers_are_30_px_apart),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
