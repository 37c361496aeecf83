/* Mongolian shaping through the engine's own path (itemise, font fallback,
 * orientation pieces, column context, shaping), against third-party
 * expectations in ../shared/corpora (skipped, visibly, without it):
 *   noto-mongolian/mongolian.json: 336 FontBakery tests for Noto Sans
 *     Mongolian 2.001, laid out vertical-mongolian and horizontal;
 *   harfbuzz/tests/mongolian-*.tests with their fonts (harfbuzz/fonts);
 *   mongolian-variants: every EAC (and UTN #57 core) test word, the
 *     engine's glyphs against hb_shape of the word as one run, same font.
 * Glyph names, clusters (code point index, as hb-shape prints them) and
 * advances must match. Where a test expects .notdef because its font lacks
 * a character, the engine is right to take a font that has it instead
 * (fallback), and that is what is checked there. Run from the project
 * root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <hb.h>
#include <jansson.h>
#include <unicode/uchar.h>

#include "cardrender.h"
#include "engine.h"
#include "fonts.h"
#include "layout.h"
#include "shape.h"
#include "support.h"
#include "template.h"
#include "text.h"

#define CORPORA "../shared/corpora"
#define NOTO_TESTS CORPORA "/noto-mongolian/mongolian.json"
#define HB_DIR CORPORA "/harfbuzz"
#define EAC_WORDS CORPORA "/mongolian-variants/mongfontbuilder/DERIVED_eac-hud.unicode.tsv"
#define CORE_WORDS CORPORA "/mongolian-variants/mongfontbuilder/DERIVED_core-hud.unicode.tsv"
#define MONG "Noto Sans Mongolian"
#define DPI 72 /* with size_pt = upem, 1 px = 1 font unit: advances compare exactly */
#define MAX_GLYPHS 256
#define SHOWN_FAILURES 5

static bool present(const char *path)
{
    return test_data_present(path, "run from the project root with ../shared beside the checkout");
}

static char *read_text_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    if (text && fread(text, 1, (size_t)size, f) != (size_t)size) {
        free(text);
        text = NULL;
    }
    if (text)
        text[size] = '\0';
    fclose(f);
    return text;
}

/* ------------------------------------------------------------- glyphs */

typedef struct glyph {
    char name[80];
    uint32_t cluster; /* code point index */
    int32_t advance;  /* font units */
    const cr_face *face;
    bool upright;        /* set upright in a column: vertical form and advance */
    bool lacking;        /* expected: the test's font does not map the character */
    uint32_t code_point; /* the first of its cluster */
} glyph;

typedef struct glyphs {
    glyph items[MAX_GLYPHS];
    size_t count;
} glyphs;

static void glyph_name(const cr_face *face, uint32_t id, char *out, size_t size)
{
    if (!hb_font_get_glyph_name(face->hb_font, id, out, (unsigned)size) || !out[0])
        snprintf(out, size, "gid%u", id);
}

static uint32_t code_point_index(const char *text, uint32_t byte)
{
    uint32_t index = 0;
    for (size_t at = 0; at < byte; index++)
        cr_utf8_next(text, byte, &at);
    return index;
}

/* "name=cluster[@x,y]+advance[,y]|..." (brackets around it are skipped). */
static void parse_expectation(const char *text, glyphs *out)
{
    out->count = 0;
    const char *p = text + (text[0] == '[');
    while (*p && *p != ']' && out->count < MAX_GLYPHS) {
        glyph *g = &out->items[out->count++];
        memset(g, 0, sizeof *g);
        size_t n = strcspn(p, "=");
        snprintf(g->name, sizeof g->name, "%.*s", (int)n, p);
        p += n + (p[n] == '=');
        g->cluster = (uint32_t)strtoul(p, (char **)&p, 10);
        if (*p == '@')
            p += strcspn(p, "+|]");
        if (*p == '+')
            g->advance = (int32_t)strtol(p + 1, (char **)&p, 10);
        p += strcspn(p, "|]");
        p += *p == '|';
    }
}

typedef struct field_setup {
    cr_field field;
    char *fonts[1];
    cr_face *faces[1];
} field_setup;

static cr_status engine_glyphs(cr_engine *engine, cr_face *face, char *family, const char *text,
                               cr_writing_mode mode, glyphs *out, cr_error *err)
{
    field_setup s = {.fonts = {family}, .faces = {face}};
    s.field = (cr_field){.name = "conformance",
                         .w_mm = 100000,
                         .h_mm = 100000,
                         .fonts = s.fonts,
                         .faces = s.faces,
                         .font_count = 1,
                         .size_pt = face->upem,
                         .writing_mode = mode,
                         .tate_chu_yoko_digits = 0};
    cr_template tpl = {.path = "conformance", .dpi = DPI};
    cr_text_layout l;
    cr_status status = cr_layout_text(engine, &tpl, &s.field, text, DPI, &l, err);
    if (status != CR_OK)
        return status;
    out->count = 0;
    for (size_t i = 0; i < l.glyph_count && out->count < MAX_GLYPHS; i++) {
        const cr_glyph_pos *g = &l.glyphs[i];
        glyph *o = &out->items[out->count++];
        glyph_name(g->face, g->glyph_id, o->name, sizeof o->name);
        o->cluster = code_point_index(text, g->cluster);
        size_t at = g->cluster;
        o->code_point = cr_utf8_next(text, strlen(text), &at);
        o->advance = g->advance / 64;
        o->face = g->face;
        o->upright = mode != CR_WRITING_HORIZONTAL && g->rotation == 0;
    }
    cr_text_layout_free(&l);
    return CR_OK;
}

/* How a comparison went: SAME, or SAME with some of the other flags. */
enum { SAME = 0, WITH_FALLBACK = 1, WITH_UPRIGHT = 2, DIFFERENT = 4 };

/* Marks the expected glyphs whose character the font does not map. */
static void mark_lacking(glyphs *expected, const char *text, const cr_face *font)
{
    for (size_t i = 0; i < expected->count; i++) {
        size_t at = 0;
        for (uint32_t k = 0; k < expected->items[i].cluster && text[at]; k++)
            cr_utf8_next(text, strlen(text), &at);
        uint32_t cp = text[at] ? cr_utf8_next(text, strlen(text), &at) : 0;
        expected->items[i].lacking = !cr_face_has_codepoint(font, cp);
    }
}

/* Vertical_Orientation U, Tu or Tr (UTR #50): may stand in a column. */
static bool stands_upright(uint32_t cp)
{
    return u_getIntPropertyValue((UChar32)cp, UCHAR_VERTICAL_ORIENTATION) != U_VO_ROTATED;
}

/* Glyphs another face drew from got[*j] on, and the expected ones for the
 * same clusters: fine when the test's font lacks one of those characters
 * (the engine falls back; white space next to them may follow them into
 * the other face). */
static bool skip_fallback(const glyphs *expected, const glyphs *got, const cr_face *font, size_t *i,
                          size_t *j)
{
    while (*j < got->count && got->items[*j].face != font)
        (*j)++;
    /* Clusters rise (left-to-right text): the segment ends where the next
     * glyph of the test's font starts. */
    uint32_t next = *j < got->count ? got->items[*j].cluster : UINT32_MAX;
    bool lacking = false;
    for (; *i < expected->count && expected->items[*i].cluster < next; (*i)++)
        lacking |= expected->items[*i].lacking;
    return lacking;
}

/* Equal glyph for glyph, except:
 *   characters the test's font lacks (expected .notdef, or HarfBuzz's
 *     space fallback): the engine drew them with another face, in glyphs
 *     of its own (ligatures too);
 *   a glyph the engine set upright in a column (Vertical_Orientation U,
 *     e.g. U+3001): its vertical form (vert) from the same face. */
static int compare(const glyphs *expected, const glyphs *got, const cr_face *font)
{
    size_t i = 0, j = 0;
    int how = SAME;
    while (i < expected->count && j < got->count) {
        const glyph *e = &expected->items[i], *g = &got->items[j];
        if (e->cluster != g->cluster)
            return DIFFERENT;
        if (g->face != font) {
            if (!skip_fallback(expected, got, font, &i, &j))
                return DIFFERENT;
            how |= WITH_FALLBACK;
            continue;
        }
        if (g->upright && !stands_upright(g->code_point))
            return DIFFERENT;
        if (g->upright)
            how |= WITH_UPRIGHT;
        else if (strcmp(e->name, g->name) != 0 || e->advance != g->advance)
            return DIFFERENT;
        i++;
        j++;
    }
    return i == expected->count && j == got->count ? how : DIFFERENT;
}

/* Mongolian letters and the controls that shape with them. */
static bool shapes_as_mongolian(uint32_t cp)
{
    return (cp >= 0x1800 && cp <= 0x18AF) || cp == 0x202F;
}

/* The run splitting never gives the letters, NNBSP, MVS and FVS of one
 * text different faces (contextual forms need them in one font). */
static bool mongolian_in_one_face(const glyphs *got)
{
    const cr_face *face = NULL;
    for (size_t i = 0; i < got->count; i++) {
        if (!shapes_as_mongolian(got->items[i].code_point))
            continue;
        if (face && got->items[i].face != face)
            return false;
        face = got->items[i].face;
    }
    return true;
}

/* A column's (or line's) trailing white space hangs and is not set: the
 * expected glyphs of white space ending the text are left out. */
static void drop_trailing_space(glyphs *expected, const char *text)
{
    size_t end = strlen(text);
    while (end > 0) {
        size_t before = cr_utf8_prev(text, end), at = before;
        if (!cr_is_trailing_space(cr_utf8_next(text, end, &at)))
            break;
        end = before;
    }
    uint32_t content = code_point_index(text, (uint32_t)end);
    while (expected->count > 0 && expected->items[expected->count - 1].cluster >= content)
        expected->count--;
}

static void format_glyphs(const glyphs *g, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < g->count && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s=%u+%d", i ? "|" : "",
                                 g->items[i].name, g->items[i].cluster, g->items[i].advance);
}

static void show_failure(const char *what, const char *input, const glyphs *expected,
                         const glyphs *got)
{
    char e[2048], g[2048];
    format_glyphs(expected, e, sizeof e);
    format_glyphs(got, g, sizeof g);
    print_message("  FAILED %s \"%s\"\n    expected %s\n    got      %s\n", what, input, e, g);
}

typedef struct tally {
    int passed, with_fallback, with_upright, failed;
    int newer_harfbuzz; /* of the passed: expectation of a newer HarfBuzz, engine = installed one */
} tally;

static void count(tally *t, int how, const char *what, const char *input, const glyphs *expected,
                  const glyphs *got)
{
    if (how == DIFFERENT && t->failed++ < SHOWN_FAILURES)
        show_failure(what, input, expected, got);
    t->passed += how != DIFFERENT;
    t->with_fallback += how != DIFFERENT && (how & WITH_FALLBACK);
    t->with_upright += how != DIFFERENT && (how & WITH_UPRIGHT);
}

static void print_tally(const char *what, const tally *t)
{
    print_message("%s: %d passed, %d failed (of the passed: %d with fallback for characters the "
                  "font lacks, %d with glyphs set upright in the column)\n",
                  what, t->passed, t->failed, t->with_fallback, t->with_upright);
}

/* text shaped by HarfBuzz directly as one run: script and language when
 * given (else guessed, as hb-shape does). */
static void shape_directly(const cr_face *face, const char *text, hb_script_t script,
                           const char *lang, glyphs *out)
{
    hb_buffer_t *buffer = hb_buffer_create();
    hb_buffer_add_utf8(buffer, text, -1, 0, -1);
    if (script != HB_SCRIPT_INVALID)
        hb_buffer_set_script(buffer, script);
    if (lang)
        hb_buffer_set_language(buffer, hb_language_from_string(lang, -1));
    hb_buffer_guess_segment_properties(buffer);
    hb_buffer_set_flags(buffer, HB_BUFFER_FLAG_BOT | HB_BUFFER_FLAG_EOT);
    hb_shape(face->hb_font, buffer, NULL, 0);
    unsigned n = 0;
    const hb_glyph_info_t *info = hb_buffer_get_glyph_infos(buffer, &n);
    const hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(buffer, NULL);
    out->count = 0;
    for (unsigned i = 0; i < n && out->count < MAX_GLYPHS; i++) {
        glyph *g = &out->items[out->count++];
        memset(g, 0, sizeof *g);
        glyph_name(face, info[i].codepoint, g->name, sizeof g->name);
        g->cluster = code_point_index(text, info[i].cluster);
        g->advance = pos[i].x_advance;
        g->face = face;
    }
    hb_buffer_destroy(buffer);
}

/* ---------------------------------------------------- Noto Sans Mongolian */

static cr_engine *default_engine(void)
{
    cr_error err;
    cr_engine *engine = cr_engine_create(NULL, &err);
    if (!engine)
        fail_msg("%s", err.message);
    return engine;
}

static void run_noto_tests(cr_engine *engine, json_t *tests, cr_writing_mode mode, tally *t)
{
    cr_error err;
    cr_face *face = cr_font_library_get(engine->fonts, MONG, NULL, &err);
    if (!face)
        fail_msg("%s", err.message);
    size_t i;
    json_t *test;
    json_array_foreach(tests, i, test)
    {
        const char *input = json_string_value(json_object_get(test, "input"));
        const char *expectation = json_string_value(json_object_get(test, "expectation"));
        glyphs expected, got;
        parse_expectation(expectation, &expected);
        drop_trailing_space(&expected, input);
        mark_lacking(&expected, input, face);
        if (engine_glyphs(engine, face, MONG, input, mode, &got, &err) != CR_OK)
            fail_msg("test %zu: %s", i, err.message);
        int how = compare(&expected, &got, face);
        count(t, mongolian_in_one_face(&got) ? how : DIFFERENT, "noto-mongolian", input, &expected,
              &got);
    }
}

static void test_noto_mongolian(void **state)
{
    if (!present(NOTO_TESTS))
        skip();
    json_error_t error;
    json_t *root = json_load_file(NOTO_TESTS, 0, &error);
    assert_non_null(root);
    json_t *tests = json_object_get(root, "tests");
    cr_engine *engine = default_engine();
    static const struct {
        cr_writing_mode mode;
        const char *name;
    } modes[] = {{CR_WRITING_VERTICAL_MONGOLIAN, "vertical-mongolian"},
                 {CR_WRITING_HORIZONTAL, "horizontal"}};
    int failed = 0;
    for (size_t m = 0; m < 2; m++) {
        tally t = {0, 0, 0, 0, 0};
        run_noto_tests(engine, tests, modes[m].mode, &t);
        char what[64];
        snprintf(what, sizeof what, "noto-mongolian (%s)", modes[m].name);
        print_tally(what, &t);
        failed += t.failed;
    }
    cr_engine_destroy(engine);
    json_decref(root);
    assert_int_equal(failed, 0);
}

/* ------------------------------------------------------- HarfBuzz .tests */

static const char *const hb_test_files[] = {"mongolian-variation-selector.tests",
                                            "mongolian-cascade.tests", NULL};

/* A manifest naming every font of the HarfBuzz tests "hb:<file>", with
 * Noto Sans Mongolian and Noto Sans to fall back to. */
static bool write_hb_manifest(const char *dir, char *path, size_t size)
{
    char fonts[4096], file_name[256], listed[4096] = "";
    if (!realpath(HB_DIR "/fonts", fonts))
        return false;
    snprintf(path, size, "%s/manifest.json", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fprintf(f,
            "{\"version\": 1, \"search_dirs\": [\"%s\", \"/usr/share/fonts\"], \"families\": {\n",
            fonts);
    for (const char *const *file = hb_test_files; *file; file++) {
        char tests[512];
        snprintf(tests, sizeof tests, HB_DIR "/tests/%s", *file);
        char *text = read_text_file(tests);
        for (char *p = text ? strstr(text, "../fonts/") : NULL; p; p = strstr(p + 1, "../fonts/")) {
            int n = (int)strcspn(p + 9, ";");
            snprintf(file_name, sizeof file_name, "%.*s", n, p + 9);
            if (strstr(listed, file_name))
                continue;
            snprintf(listed + strlen(listed), sizeof listed - strlen(listed), "%s,", file_name);
            fprintf(f, "\"hb:%s\": {\"file\": \"%s\", \"package\": \"harfbuzz tests\"},\n",
                    file_name, file_name);
        }
        free(text);
    }
    fprintf(f, "\"" MONG "\": {\"file\": \"truetype/noto/NotoSansMongolian-Regular.ttf\", "
               "\"package\": \"fonts-noto-core\"},\n"
               "\"Noto Sans\": {\"file\": \"truetype/noto/NotoSans-Regular.ttf\", "
               "\"package\": \"fonts-noto-core\"}},\n"
               "\"fallback\": {\"Mong\": [\"" MONG "\"], \"default\": [\"Noto Sans\"]}}\n");
    return fclose(f) == 0;
}

/* One .tests line: "../fonts/F;options;U+...;[expected]". */
static void run_hb_line(cr_engine *engine, char *line, const char *file, tally *t)
{
    char *fields[4];
    for (int i = 0; i < 4; i++) {
        fields[i] = line;
        line += strcspn(line, ";");
        if (*line)
            *line++ = '\0';
    }
    char family[256];
    snprintf(family, sizeof family, "hb:%s", fields[0] + strlen("../fonts/"));
    code_point_text input;
    assert_true(code_point_text_parse(&input, fields[2]));
    const char *text = input.utf8;
    cr_error err;
    cr_face *face = cr_font_library_get(engine->fonts, family, NULL, &err);
    if (!face)
        fail_msg("%s", err.message);
    glyphs expected, got;
    parse_expectation(fields[3], &expected);
    drop_trailing_space(&expected, text);
    mark_lacking(&expected, text, face);
    if (engine_glyphs(engine, face, family, text, CR_WRITING_VERTICAL_MONGOLIAN, &got, &err) !=
        CR_OK)
        fail_msg("%s %s: %s", file, fields[2], err.message);
    int how = compare(&expected, &got, face);
    if (how == DIFFERENT) {
        /* Some lines expect behaviour newer than the installed HarfBuzz
         * (mongolian-cascade: a branch commit); the engine must then give
         * exactly what the installed HarfBuzz gives. */
        const char *script = strstr(fields[1], "--script=");
        glyphs installed;
        shape_directly(face, text,
                       script ? hb_script_from_string(script + 9, 4) : HB_SCRIPT_INVALID, NULL,
                       &installed);
        how = compare(&installed, &got, face);
        t->newer_harfbuzz += how != DIFFERENT;
    }
    if (!mongolian_in_one_face(&got))
        how = DIFFERENT;
    count(t, how, file, fields[2], &expected, &got);
}

static void run_hb_file(cr_engine *engine, const char *file, tally *t)
{
    char path[512];
    snprintf(path, sizeof path, HB_DIR "/tests/%s", file);
    char *text = read_text_file(path);
    assert_non_null(text);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
        if (strncmp(line, "../fonts/", 9) == 0)
            run_hb_line(engine, line, file, t);
    free(text);
}

static void test_harfbuzz_mongolian_tests(void **state)
{
    if (!present(HB_DIR "/tests/mongolian-cascade.tests") || !present("/usr/share/fonts"))
        skip();
    char dir[] = "/tmp/cr-hb-manifest-XXXXXX", manifest[600];
    assert_non_null(mkdtemp(dir));
    assert_true(write_hb_manifest(dir, manifest, sizeof manifest));
    cr_error err;
    cr_engine_options options = {.struct_size = sizeof options, .font_manifest_path = manifest};
    cr_engine *engine = cr_engine_create(&options, &err);
    if (!engine)
        fail_msg("%s", err.message);
    int failed = 0;
    for (const char *const *file = hb_test_files; *file; file++) {
        tally t = {0, 0, 0, 0, 0};
        run_hb_file(engine, *file, &t);
        char what[128];
        snprintf(what, sizeof what, "harfbuzz %s", *file);
        print_tally(what, &t);
        if (t.newer_harfbuzz)
            print_message("  %d of the passed expect a HarfBuzz newer than the installed %s; the "
                          "engine gives exactly what the installed one gives\n",
                          t.newer_harfbuzz, hb_version_string());
        failed += t.failed;
    }
    cr_engine_destroy(engine);
    unlink(manifest);
    rmdir(dir);
    assert_int_equal(failed, 0);
}

/* ----------------------------------------------------------- EAC words */

/* Every word (third column) of a DERIVED_*.unicode.tsv file. */
static tally run_words(cr_engine *engine, cr_face *face, const char *path)
{
    tally t = {0, 0, 0, 0, 0};
    char *text = read_text_file(path);
    assert_non_null(text);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#')
            continue;
        char *word = strchr(line, '\t');
        word = word ? strchr(word + 1, '\t') : NULL;
        if (!word || word[1] == '\t' || word[1] == '\0')
            continue;
        word++;
        word[strcspn(word, "\t")] = '\0';
        glyphs expected, got;
        shape_directly(face, word, HB_SCRIPT_MONGOLIAN, "mn", &expected);
        drop_trailing_space(&expected, word);
        cr_error err;
        if (engine_glyphs(engine, face, MONG, word, CR_WRITING_VERTICAL_MONGOLIAN, &got, &err) !=
            CR_OK)
            fail_msg("%s: %s", word, err.message);
        count(&t, compare(&expected, &got, face), "word", word, &expected, &got);
    }
    free(text);
    return t;
}

static void test_eac_words_shape_as_one_run(void **state)
{
    if (!present(EAC_WORDS))
        skip();
    cr_engine *engine = default_engine();
    cr_error err;
    cr_face *face = cr_font_library_get(engine->fonts, MONG, NULL, &err);
    if (!face)
        fail_msg("%s", err.message);
    tally eac = run_words(engine, face, EAC_WORDS);
    print_tally("mongolian-variants EAC words", &eac);
    tally core = run_words(engine, face, CORE_WORDS);
    print_tally("mongolian-variants UTN #57 core words", &core);
    cr_engine_destroy(engine);
    assert_int_equal(eac.failed + core.failed, 0);
    assert_true(eac.passed > 3000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_noto_mongolian),
        cmocka_unit_test(test_harfbuzz_mongolian_tests),
        cmocka_unit_test(test_eac_words_shape_as_one_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
