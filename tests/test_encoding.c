/* Input encodings (issue 14): records in GB 18030, UTF-16 and the like read
 * as the same UTF-8 records, bad byte sequences reported once with their
 * line, column and byte offset, and a UTF-8 byte-order mark accepted at the
 * start of JSON templates and records without moving any position. Inputs
 * are made here from UTF-8 text with ICU, so no encoded files are kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <unicode/ucnv.h>

#include "batch_source.h"
#include "cardrender.h"
#include "json_locate.h"
#include "support.h"

#define BOM8 "\xEF\xBB\xBF"

/* ------------------------------------------------------------- helpers */

typedef struct scratch {
    char dir[64];
    char path[128];
} scratch;

static int make_scratch(void **state)
{
    scratch *s = calloc(1, sizeof *s);
    scratch_dir_make(s->dir, sizeof s->dir, "cr-encoding");
    *state = s;
    return 0;
}

static int remove_scratch(void **state)
{
    scratch *s = *state;
    scratch_dir_remove(s->dir);
    free(s);
    return 0;
}

/* utf8 converted to encoding by ICU (with prefix, e.g. a byte-order mark,
 * in front); *length bytes, freed by the caller. */
static char *encode(const char *prefix, size_t prefix_length, const char *utf8,
                    const char *encoding, size_t *length)
{
    size_t room = prefix_length + 4 * strlen(utf8) + 8;
    char *out = malloc(room);
    assert_non_null(out);
    memcpy(out, prefix, prefix_length);
    UErrorCode ec = U_ZERO_ERROR;
    int32_t n = ucnv_convert(encoding, "UTF-8", out + prefix_length,
                             (int32_t)(room - prefix_length), utf8, (int32_t)strlen(utf8), &ec);
    if (U_FAILURE(ec))
        fail_msg("ucnv_convert to %s: %s", encoding, u_errorName(ec));
    *length = prefix_length + (size_t)n;
    return out;
}

static const char *write_file(scratch *s, const char *name, const char *bytes, size_t length)
{
    snprintf(s->path, sizeof s->path, "%s/%s", s->dir, name);
    FILE *f = fopen(s->path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, length, f), length);
    fclose(f);
    return s->path;
}

/* Every item of a source; the count. Stops at -1 and leaves err set. */
static int read_all(cr_batch_source *source, cr_batch_item *items, int max, int *last,
                    cr_error *err)
{
    int count = 0;
    while (count < max && (*last = cr_batch_source_next(source, &items[count], err)) == 1)
        count++;
    return count;
}

static void free_items(cr_batch_item *items, int count)
{
    for (int i = 0; i < count; i++)
        cr_record_destroy(items[i].record);
}

static void assert_has(const char *text, const char *part)
{
    if (!strstr(text, part))
        fail_msg("\"%s\" lacks \"%s\"", text, part);
}

static const char people_csv[] = "name,sex,address\r\n"
                                 "张伟,男,北京市东城区景山前街4号\r\n"
                                 "陈晓玲,女,\"广东省深圳市\n南山区\"\r\n"
                                 "阿依古丽·麦麦提,女,ئايگۈل مەمەت\r\n";

/* The records of a CSV file in the given encoding are those of the UTF-8. */
static void assert_same_records(scratch *s, const char *bytes, size_t length, const char *encoding)
{
    cr_error err;
    cr_batch_item want[4], got[4];
    int last;
    write_file(s, "utf8.csv", people_csv, sizeof people_csv - 1);
    cr_batch_source *source = cr_batch_source_open(s->path, CR_BATCH_CSV, &err);
    assert_non_null(source);
    int count = read_all(source, want, 4, &last, &err);
    cr_batch_source_close(source);
    assert_int_equal(count, 3);

    write_file(s, "encoded.csv", bytes, length);
    cr_record_options options = {.struct_size = sizeof options, encoding};
    source = cr_batch_source_open_with(s->path, CR_BATCH_CSV, &options, &err);
    if (!source)
        fail_msg("%s", err.message);
    assert_int_equal(read_all(source, got, 4, &last, &err), 3);
    assert_int_equal(last, 0);
    cr_batch_source_close(source);
    for (int i = 0; i < 3; i++) {
        if (!got[i].record)
            fail_msg("record %d: %s", i + 1, got[i].error.message);
        assert_int_equal(got[i].line, want[i].line);
        for (const char *const *key = (const char *const[]){"name", "sex", "address", NULL}; *key;
             key++)
            assert_string_equal(cr_record_get(got[i].record, *key),
                                cr_record_get(want[i].record, *key));
    }
    assert_int_equal(cr_batch_count_records_with(s->path, CR_BATCH_CSV, &options), 3);
    free_items(want, 3);
    free_items(got, 3);
}

/* ------------------------------------------------------------ encodings */

static void test_gb18030_csv_reads_as_utf8(void **state)
{
    size_t length;
    char *bytes = encode("", 0, people_csv, "GB18030", &length);
    assert_same_records(*state, bytes, length, "gb18030");
    free(bytes);
}

static void test_utf16_byte_order_mark_selects_the_encoding(void **state)
{
    size_t length;
    char *le = encode("\xFF\xFE", 2, people_csv, "UTF-16LE", &length);
    assert_same_records(*state, le, length, NULL);
    free(le);
    char *be = encode("\xFE\xFF", 2, people_csv, "UTF-16BE", &length);
    assert_same_records(*state, be, length, NULL);
    free(be);
    /* Named, without a mark: a UTF-16 newline is two bytes, never split. */
    char *plain = encode("", 0, people_csv, "UTF-16LE", &length);
    assert_same_records(*state, plain, length, "utf-16le");
    free(plain);
}

static void test_big5_and_gbk_name_their_encoding(void **state)
{
    static const char zh_hant[] = "name,address\n陳曉玲,臺北市\n";
    size_t length;
    char *bytes = encode("", 0, zh_hant, "Big5", &length);
    scratch *s = *state;
    write_file(s, "big5.csv", bytes, length);
    cr_error err;
    cr_batch_source *source = cr_batch_source_open_with(
        s->path, CR_BATCH_CSV, &(cr_record_options){sizeof(cr_record_options), "big5"}, &err);
    assert_non_null(source);
    cr_batch_item item;
    assert_int_equal(cr_batch_source_next(source, &item, &err), 1);
    assert_non_null(item.record);
    assert_string_equal(cr_record_get(item.record, "name"), "陳曉玲");
    cr_record_destroy(item.record);
    cr_batch_source_close(source);
    free(bytes);

    bytes = encode("", 0, "{\"name\": \"张伟\"}", "GBK", &length);
    cr_record *record = cr_record_load_memory_with(
        bytes, length, "gbk.json", &(cr_record_options){sizeof(cr_record_options), "GBK"}, &err);
    assert_non_null(record);
    assert_string_equal(cr_record_get(record, "name"), "张伟");
    cr_record_destroy(record);
    free(bytes);
}

static void test_unknown_encoding_is_an_argument_error(void **state)
{
    scratch *s = *state;
    write_file(s, "a.csv", people_csv, sizeof people_csv - 1);
    cr_error err;
    cr_record_options options = {.struct_size = sizeof options, "no-such-encoding"};
    assert_null(cr_batch_source_open_with(s->path, CR_BATCH_CSV, &options, &err));
    assert_int_equal(err.code, CR_ERR_ARGUMENT);
    assert_has(err.message, "unknown encoding \"no-such-encoding\"");
    assert_null(cr_record_load_memory_with("{}", 2, "a.json", &options, &err));
    assert_int_equal(err.code, CR_ERR_ARGUMENT);
}

/* One bad sequence in a GB 18030 file: that record fails, once, with its
 * line, column and byte offset; the others read. */
static void test_bad_byte_fails_its_record_only(void **state)
{
    scratch *s = *state;
    size_t length;
    char *bytes = encode("", 0, people_csv, "GB18030", &length);
    /* 晓 of 陈晓玲 (line 3, column 2 of the name) becomes 0x81 0x7F: 0x81
     * starts a two-byte sequence that 0x7F cannot go on with. */
    char *at = strstr(bytes, "\r\n") + 2;
    at = strstr(at, "\r\n") + 2 + 2;
    at[0] = '\x81';
    at[1] = '\x7F';
    size_t offset = (size_t)(at - bytes);
    write_file(s, "bad.csv", bytes, length);
    cr_error err;
    cr_batch_source *source = cr_batch_source_open_with(
        s->path, CR_BATCH_CSV, &(cr_record_options){sizeof(cr_record_options), "gb18030"}, &err);
    assert_non_null(source);
    cr_batch_item items[4];
    int last;
    assert_int_equal(read_all(source, items, 4, &last, &err), 3);
    assert_int_equal(last, 0);
    assert_non_null(items[0].record);
    assert_null(items[1].record);
    assert_non_null(items[2].record);
    assert_int_equal(items[1].error.code, CR_ERR_RECORD);
    assert_int_equal(items[1].error.line, 3);
    assert_int_equal(items[1].error.column, 2);
    char expected[128];
    snprintf(expected, sizeof expected,
             "bad.csv:3:2: column 1 \"name\" is not valid gb18030: byte 0x81 at byte offset %zu",
             offset);
    assert_has(items[1].error.message, expected);
    free_items(items, 3);
    cr_batch_source_close(source);
    free(bytes);
}

/* A GB 18030 file read as UTF-8: one error for the file, naming the first
 * bad byte and the encoding to give, instead of one for every record. */
static void test_gb18030_read_as_utf8_fails_once(void **state)
{
    scratch *s = *state;
    size_t length;
    char *bytes = encode("", 0, people_csv, "GB18030", &length);
    write_file(s, "gb.csv", bytes, length);
    cr_error err;
    cr_batch_source *source = cr_batch_source_open(s->path, CR_BATCH_CSV, &err);
    assert_non_null(source); /* the header is ASCII */
    cr_batch_item items[4];
    int last;
    assert_int_equal(read_all(source, items, 4, &last, &err), 0);
    assert_int_equal(last, -1);
    assert_int_equal(err.code, CR_ERR_RECORD);
    assert_has(err.message, "gb.csv:2:1: not UTF-8 from byte offset 18 on (byte 0xD5), but the "
                            "whole file reads cleanly as gb18030: give --encoding gb18030");
    cr_batch_source_close(source);

    /* The same as a JSON record. */
    free(bytes);
    bytes = encode("", 0, "{\n  \"name\": \"张伟\"\n}\n", "GB18030", &length);
    assert_null(cr_record_load_memory_with(bytes, length, "gb.json", NULL, &err));
    assert_int_equal(err.code, CR_ERR_RECORD);
    assert_has(err.message, "gb.json:2:12: not UTF-8 from byte offset 13 on");
    assert_has(err.message, "give --encoding gb18030");
    free(bytes);
}

/* A file that is neither all UTF-8 nor all GB 18030: each bad record fails
 * on its own, with the suggestion where its bytes read as GB 18030. */
static void test_suggestion_for_one_record(void **state)
{
    scratch *s = *state;
    size_t length;
    char *gb = encode("", 0, "{\"name\": \"张伟\"}\n", "GB18030", &length);
    char text[256];
    int n = snprintf(text, sizeof text, "{\"name\": \"李四\"}\n%.*s{\"name\": \"\xFF\"}\n",
                     (int)length, gb);
    write_file(s, "mixed.jsonl", text, (size_t)n);
    cr_error err;
    cr_batch_source *source = cr_batch_source_open(s->path, CR_BATCH_JSONL, &err);
    cr_batch_item items[4];
    int last;
    assert_int_equal(read_all(source, items, 4, &last, &err), 3);
    assert_non_null(items[0].record);
    assert_has(items[1].error.message, "mixed.jsonl:2:11: not valid UTF-8: byte 0xD5 at byte "
                                       "offset 29; these bytes read as gb18030: try --encoding "
                                       "gb18030");
    assert_has(items[2].error.message, "mixed.jsonl:3:11: not valid UTF-8: byte 0xFF at byte "
                                       "offset 46; save the file as UTF-8");
    free_items(items, 3);
    cr_batch_source_close(source);
    free(gb);
}

/* ---------------------------------------------------- byte-order marks */

static void test_json_record_with_a_bom(void **state)
{
    static const char json[] = "{\"name\": \"张伟\",\n \"sex\": 1}";
    cr_error plain, marked;
    assert_null(cr_record_load_memory(json, sizeof json - 1, "r.json", &plain));
    assert_null(cr_record_load_memory(BOM8 "{\"name\": \"张伟\",\n \"sex\": 1}", sizeof json + 2,
                                      "r.json", &marked));
    assert_string_equal(marked.message, plain.message); /* r.json:2:9: "sex" must be ... */
    assert_int_equal(marked.line, 2);
    assert_int_equal(marked.column, 9);

    cr_record *record = cr_record_load_memory(BOM8 "{\"name\": \"张伟\"}", 21, "r.json", &plain);
    assert_non_null(record);
    assert_string_equal(cr_record_get(record, "name"), "张伟");
    cr_record_destroy(record);

    /* A syntax error on line 1 and a duplicate key: columns from after the mark. */
    assert_null(cr_record_load_memory(BOM8 "{\"a\": x}", 11, "r.json", &marked));
    assert_null(cr_record_load_memory("{\"a\": x}", 8, "r.json", &plain));
    assert_string_equal(marked.message, plain.message);
    assert_null(cr_record_load_memory(BOM8 "{\"a\": \"1\", \"a\": \"2\"}", 23, "r.json", &marked));
    assert_has(marked.message, "r.json:1:12: duplicate key \"a\"");
}

static void test_json_record_file_with_boms(void **state)
{
    scratch *s = *state;
    static const char json[] = "{\"name\": \"张伟\", \"address\": \"北京\"}\n";
    size_t length;
    char *u16 = encode("\xFF\xFE", 2, json, "UTF-16LE", &length);
    write_file(s, "u16.json", u16, length);
    cr_error err;
    cr_record *record = cr_record_load_file_with(s->path, NULL, &err);
    if (!record)
        fail_msg("%s", err.message);
    assert_string_equal(cr_record_get(record, "address"), "北京");
    cr_record_destroy(record);
    free(u16);

    write_file(s, "u8.json", BOM8 "{\"name\": \"张伟\"}", 21);
    record = cr_record_load_file(s->path, &err); /* the old call takes it too */
    assert_non_null(record);
    cr_record_destroy(record);
}

static void test_locator_counts_from_after_a_bom(void **state)
{
    static const char text[] = BOM8 "{\"a\": 1,\n  \"b\": [true, \"x\"]}";
    const cr_json_step path[] = {CR_JSON_KEY("b"), CR_JSON_INDEX(1)};
    cr_json_position pos;
    assert_true(cr_json_locate(text, sizeof text - 1, path, 2, CR_JSON_AT_VALUE, &pos));
    assert_int_equal(pos.line, 2);
    assert_int_equal(pos.column, 15);
    assert_int_equal(pos.offset, 3 + 9 + 14); /* a byte offset into text, mark included */
    assert_true(cr_json_locate(text, sizeof text - 1, NULL, 0, CR_JSON_AT_VALUE, &pos));
    assert_int_equal(pos.column, 1);
}

static void test_template_with_a_bom(void **state)
{
    static const char tpl[] = BOM8 "{\"version\": 1, \"card\": {\"width_mm\": 10, \"height_mm\": "
                                   "5, \"dpi\": 72},\n \"fields\": [42]}";
    cr_error err, plain;
    cr_engine *engine = cr_engine_create(NULL, &err);
    assert_non_null(engine);
    assert_null(cr_template_load_memory(engine, tpl, sizeof tpl - 1, "t.json", NULL, &err));
    assert_null(cr_template_load_memory(engine, tpl + 3, sizeof tpl - 4, "t.json", NULL, &plain));
    assert_int_equal(err.code, CR_ERR_TEMPLATE);
    assert_string_equal(err.message, plain.message); /* t.json:2:13: field 0: ... */
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 13);
    /* On line 1, where the mark is. */
    static const char bad_card[] = BOM8 "{\"version\": 1, \"card\": 3, \"fields\": []}";
    assert_null(
        cr_template_load_memory(engine, bad_card, sizeof bad_card - 1, "t.json", NULL, &err));
    assert_null(
        cr_template_load_memory(engine, bad_card + 3, sizeof bad_card - 4, "t.json", NULL, &plain));
    assert_string_equal(err.message, plain.message);
    assert_int_equal(err.line, 1);
    static const char good[] = BOM8 "{\"version\": 1, \"card\": {\"width_mm\": 10, \"height_mm\": "
                                    "5, \"dpi\": 72}, \"fields\": []}";
    cr_template *t = cr_template_load_memory(engine, good, sizeof good - 1, "t.json", NULL, &err);
    if (!t)
        fail_msg("%s", err.message);
    cr_template_destroy(t);
    cr_engine_destroy(engine);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_gb18030_csv_reads_as_utf8, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_utf16_byte_order_mark_selects_the_encoding,
                                        make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_big5_and_gbk_name_their_encoding, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_unknown_encoding_is_an_argument_error, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_bad_byte_fails_its_record_only, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_gb18030_read_as_utf8_fails_once, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_suggestion_for_one_record, make_scratch,
                                        remove_scratch),
        cmocka_unit_test(test_json_record_with_a_bom),
        cmocka_unit_test_setup_teardown(test_json_record_file_with_boms, make_scratch,
                                        remove_scratch),
        cmocka_unit_test(test_locator_counts_from_after_a_bom),
        cmocka_unit_test(test_template_with_a_bom),
    };
    return cmocka_run_group_tests_name("encoding", tests, NULL, NULL);
}
