#include "support.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <unicode/utf8.h>

#include "engine.h"

/* ----------------------------------------------------------- skips */

void test_note_skip(const char *format, ...)
{
    char reason[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(reason, sizeof reason, format, args);
    va_end(args);
    printf("SKIPPED: %s\n", reason);
    fflush(stdout);
    const char *log = getenv("CR_SKIP_LOG");
    FILE *file = log && log[0] ? fopen(log, "a") : NULL;
    if (file) {
        fprintf(file, "%s: %s\n", program_invocation_short_name, reason);
        fclose(file);
    }
}

bool test_data_present(const char *path, const char *remedy)
{
    if (access(path, R_OK) == 0)
        return true;
    const char *required = getenv("CR_REQUIRE_DATA");
    if (required && !strcmp(required, "1"))
        fail_msg("%s is absent, and CR_REQUIRE_DATA=1 says this machine has it (%s)", path, remedy);
    test_note_skip("%s is absent (%s)", path, remedy);
    return false;
}

/* ------------------------------------------------------ the manifest */

/* Every test program runs from the project root and means the checkout's
 * manifest, which the library itself never looks for in the working folder
 * (include/cardrender.h): it is named here, before main, for every engine a
 * test makes with no manifest of its own. Relative, so that messages name
 * "fonts/manifest.json" whoever started the test. */
__attribute__((constructor)) static void name_checkout_manifest(void)
{
    setenv("CARDRENDER_FONT_MANIFEST", "fonts/manifest.json", 1);
}

/* ------------------------------------------------------ layout fixtures */

cr_engine *fixture_engine;
cr_template fixture_template = {.path = "test.json", .dir = NULL, .dpi = FIXTURE_DPI};

int engine_setup(void **state)
{
    cr_error err;
    fixture_engine = cr_engine_create(NULL, &err);
    if (!fixture_engine)
        fail_msg("%s", err.message);
    return 0;
}

cr_template *load_template_or_fail(const char *path)
{
    cr_error err;
    cr_template *tpl = cr_template_load_file(fixture_engine, path, &err);
    if (!tpl)
        fail_msg("%s", err.message);
    return tpl;
}

int engine_teardown(void **state)
{
    cr_engine_destroy(fixture_engine);
    fixture_engine = NULL;
    return 0;
}

cr_face *face_of(const char *family)
{
    cr_error err;
    cr_face *face = cr_font_library_get(fixture_engine->fonts, family, NULL, &err);
    if (!face)
        fail_msg("%s", err.message);
    return face;
}

void field_init(test_field *t, double w_mm, double h_mm, const char *family, va_list more)
{
    memset(t, 0, sizeof *t);
    for (const char *f = family; f && t->field.font_count < 4; f = va_arg(more, const char *)) {
        t->fonts[t->field.font_count] = (char *)f;
        t->faces[t->field.font_count++] = face_of(f);
    }
    cr_field *f = &t->field;
    f->x_mm = 10;
    f->y_mm = 10;
    f->w_mm = w_mm;
    f->h_mm = h_mm;
    f->fonts = t->fonts;
    f->faces = t->faces;
    f->size_pt = 9;
    f->fit = CR_FIT_WRAP;
}

void field_locate(test_field *t, int index, const char *name, int line, int column)
{
    t->field.index = index;
    t->field.name = (char *)name;
    t->field.line = line;
    t->field.column = column;
}

cr_status lay_out(const test_field *t, const char *text, cr_text_layout *out, cr_error *err)
{
    return cr_layout_text(fixture_engine, &fixture_template, &t->field, text, FIXTURE_DPI, out,
                          err);
}

void lay_out_ok(const test_field *t, const char *text, cr_text_layout *out)
{
    cr_error err;
    if (lay_out(t, text, out, &err) != CR_OK)
        fail_msg("%s", err.message);
}

int32_t mm_26_6(double mm)
{
    return (int32_t)llround(cr_mm_to_px(mm, FIXTURE_DPI) * 64);
}

const cr_glyph_pos *glyph_at(const cr_text_layout *l, uint32_t cluster)
{
    for (size_t i = 0; i < l->glyph_count; i++)
        if (l->glyphs[i].cluster == cluster)
            return &l->glyphs[i];
    fail_msg("no glyph for byte %u", (unsigned)cluster);
    return NULL;
}

size_t glyphs_of_line(const cr_text_layout *l, size_t line, size_t *first)
{
    const cr_text_line *ln = &l->lines[line];
    *first = 0;
    if (ln->run_count == 0)
        return 0;
    const cr_text_run *a = &l->runs[ln->first_run];
    const cr_text_run *z = &l->runs[ln->first_run + ln->run_count - 1];
    *first = a->first_glyph;
    return z->first_glyph + z->glyph_count - a->first_glyph;
}

bool temp_engine_open(temp_engine *t, const char *manifest_json)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/cr-test-fonts-XXXXXX");
    t->engine = NULL;
    t->manifest[0] = '\0';
    if (!mkdtemp(t->dir))
        return false;
    snprintf(t->manifest, sizeof t->manifest, "%s/manifest.json", t->dir);
    FILE *file = fopen(t->manifest, "w");
    bool written = file && fputs(manifest_json, file) >= 0;
    written = file && fclose(file) == 0 && written;
    cr_engine_options options = {.struct_size = sizeof options, .font_manifest_path = t->manifest};
    cr_error err;
    t->engine = written ? cr_engine_create(&options, &err) : NULL;
    if (written && !t->engine)
        printf("engine: %s\n", err.message);
    return t->engine != NULL;
}

void temp_engine_close(temp_engine *t)
{
    cr_engine_destroy(t->engine);
    t->engine = NULL;
    if (t->manifest[0])
        unlink(t->manifest);
    rmdir(t->dir);
}

/* ---------------------------------------------- text as code points */

void code_point_text_clear(code_point_text *t)
{
    t->length = 0;
    t->char_count = 0;
    t->utf8[0] = '\0';
    t->char_start[0] = 0;
}

bool code_point_text_add(code_point_text *t, unsigned long cp)
{
    if (t->char_count == TEXT_MAX_CHARS || cp > 0x10FFFF)
        return false;
    t->char_start[t->char_count++] = (uint32_t)t->length;
    U8_APPEND_UNSAFE((uint8_t *)t->utf8, t->length, (UChar32)cp);
    t->char_start[t->char_count] = (uint32_t)t->length;
    t->utf8[t->length] = '\0';
    return true;
}

bool code_point_text_parse(code_point_text *t, const char *unicodes)
{
    code_point_text_clear(t);
    for (const char *p = unicodes; *p;) {
        if (strncmp(p, "U+", 2) != 0)
            return false;
        char *end;
        unsigned long cp = strtoul(p + 2, &end, 16);
        if (end == p + 2 || !code_point_text_add(t, cp))
            return false;
        p = *end == ',' ? end + 1 : end;
    }
    return t->char_count > 0;
}

size_t code_point_text_char_at(const code_point_text *t, uint32_t byte)
{
    size_t lo = 0, hi = t->char_count;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (t->char_start[mid] <= byte)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void scratch_dir_make(char *dir, size_t size, const char *prefix)
{
    snprintf(dir, size, "/tmp/%s-XXXXXX", prefix);
    if (!mkdtemp(dir))
        fail_msg("mkdtemp failed");
}

void scratch_dir_remove(const char *dir)
{
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    if (system(command) != 0)
        fail_msg("cannot remove %s", dir);
}
