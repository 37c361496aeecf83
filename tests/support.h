/* Fixtures shared by the text tests (linked into every test binary):
 * the engine and fields built in memory for layout tests, and text typed as
 * code points for the conformance tests. Layout tests run from the project
 * root (fonts/manifest.json). */
#ifndef CR_TEST_SUPPORT_H
#define CR_TEST_SUPPORT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cardrender.h"
#include "fonts.h"
#include "layout.h"
#include "template.h"

/* ----------------------------------------------------------- skips */

/* Skips are loud: every skipped test says why, and is counted by make test
 * through the file $CR_SKIP_LOG (one line per skip; the Makefile sets it).
 * A test that needs data from outside the repository (../shared corpora
 * and photos, Debian's unicode-data) asks test_data_present(); when the data
 * is absent it prints why and the test calls skip(). Under CR_REQUIRE_DATA=1
 * (.ci/run: CI has all of that data) a missing file fails the test instead. */
bool test_data_present(const char *path, const char *remedy);

/* Prints "SKIPPED: reason" and logs the skip; skip() is the caller's. */
void test_note_skip(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* ------------------------------------------------------ layout fixtures */

#define FIXTURE_DPI 300

extern cr_engine *fixture_engine;    /* made by engine_setup */
extern cr_template fixture_template; /* "test.json", FIXTURE_DPI, no folder */

/* cmocka group setup and teardown: the engine of fonts/manifest.json. */
int engine_setup(void **state);
int engine_teardown(void **state);

/* A template loaded through the fixture engine; fails the test otherwise. */
cr_template *load_template_or_fail(const char *path);

/* The engine's face of a family; fails the test when it cannot load. */
cr_face *face_of(const char *family);

/* A text field built in memory, with up to four fonts. */
typedef struct test_field {
    cr_field field;
    char *fonts[4];
    cr_face *faces[4];
} test_field;

/* 9 pt, fit wrap, a box at (10 mm, 10 mm) of w_mm x h_mm; the fonts are
 * `family` and the NULL-ended rest in `more` (at most four). */
void field_init(test_field *t, double w_mm, double h_mm, const char *family, va_list more);

/* Where error messages say the field is: "test.json:line:column: field
 * index \"name\"". */
void field_locate(test_field *t, int index, const char *name, int line, int column);

/* Lays text out for t in fixture_template at FIXTURE_DPI. */
cr_status lay_out(const test_field *t, const char *text, cr_text_layout *out, cr_error *err);

/* lay_out, failing the test on an error. */
void lay_out_ok(const test_field *t, const char *text, cr_text_layout *out);

/* Millimetres to 26.6 pixels at FIXTURE_DPI, rounded. */
int32_t mm_26_6(double mm);

/* The first glyph of the cluster starting at byte `cluster`; fails the
 * test when there is none. */
const cr_glyph_pos *glyph_at(const cr_text_layout *l, uint32_t cluster);

/* The glyphs of line (or column) `line`: [*first, *first + count). */
size_t glyphs_of_line(const cr_text_layout *l, size_t line, size_t *first);

/* An engine on a font manifest written to a temporary folder. */
typedef struct temp_engine {
    char dir[64];
    char manifest[128];
    cr_engine *engine;
} temp_engine;

/* Writes manifest_json to DIR/manifest.json and makes the engine; false
 * (with a message printed) when that fails. */
bool temp_engine_open(temp_engine *t, const char *manifest_json);

/* Destroys the engine and removes the folder. */
void temp_engine_close(temp_engine *t);

/* ---------------------------------------------- text as code points */

#define TEXT_MAX_CHARS 512

/* Text the conformance files give as code points, in UTF-8, with where
 * each character starts. */
typedef struct code_point_text {
    char utf8[TEXT_MAX_CHARS * 4 + 1];
    size_t length;                           /* bytes */
    uint32_t char_start[TEXT_MAX_CHARS + 1]; /* [char_count] is length */
    size_t char_count;
} code_point_text;

void code_point_text_clear(code_point_text *t);

/* Appends a character; false when t is full or cp is no code point. */
bool code_point_text_add(code_point_text *t, unsigned long cp);

/* Reads hb-shape's --unicodes form, "U+0627,U+0653"; false when malformed
 * or too long. */
bool code_point_text_parse(code_point_text *t, const char *unicodes);

/* The index of the character holding byte `byte`. */
size_t code_point_text_char_at(const code_point_text *t, uint32_t byte);

/* A new empty folder "/tmp/PREFIX-XXXXXX" into dir (size bytes); fails
 * the test when it cannot be made. */
void scratch_dir_make(char *dir, size_t size, const char *prefix);

/* Removes the folder and everything in it; fails the test when it cannot. */
void scratch_dir_remove(const char *dir);

#endif
