/* Font manifest and face library. Run from the project root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cardrender.h"
#include "fonts.h"

#define MANIFEST "fonts/manifest.json"
#define FIXTURES "tests/data/fonts/"

typedef struct fixture {
    cr_font_manifest *manifest;
    cr_font_library *library;
} fixture;

static int setup_library(void **state)
{
    static fixture f;
    cr_error err;
    f.manifest = cr_font_manifest_load(MANIFEST, &err);
    if (!f.manifest)
        return -1;
    f.library = cr_font_library_create(f.manifest, &err);
    if (!f.library)
        return -1;
    *state = &f;
    return 0;
}

static int teardown_library(void **state)
{
    fixture *f = *state;
    cr_font_library_destroy(f->library);
    cr_font_manifest_destroy(f->manifest);
    return 0;
}

static void test_manifest_loads(void **state)
{
    fixture *f = *state;
    assert_string_equal(cr_font_manifest_path(f->manifest), MANIFEST);
    const char *file = NULL, *package = NULL;
    int index = -1;
    assert_true(cr_font_manifest_lookup(f->manifest, "Noto Sans CJK SC", &file, &index, &package));
    assert_int_equal(index, 2);
    assert_string_equal(file, "opentype/noto/NotoSansCJK-Regular.ttc");
    assert_string_equal(package, "fonts-noto-cjk");
    assert_true(cr_font_manifest_lookup(f->manifest, "OCR B", &file, &index, &package));
    assert_int_equal(index, 0); /* "index" omitted */
    assert_false(cr_font_manifest_lookup(f->manifest, "Comic Sans", &file, &index, &package));
}

static void test_unknown_family(void **state)
{
    fixture *f = *state;
    cr_error err;
    assert_null(cr_font_library_get(f->library, "Comic Sans", NULL, &err));
    assert_int_equal(err.code, CR_ERR_FONT);
    assert_string_equal(err.message,
                        "font family \"Comic Sans\" is not in the font manifest " MANIFEST);
}

static void test_missing_file_names_package(void **state)
{
    cr_error err;
    cr_font_manifest *m = cr_font_manifest_load(FIXTURES "missing_file.json", &err);
    assert_non_null(m);
    cr_font_library *lib = cr_font_library_create(m, &err);
    assert_non_null(lib);
    assert_null(cr_font_library_get(lib, "Ghost Sans", "templates", &err));
    assert_int_equal(err.code, CR_ERR_FONT);
    assert_string_equal(err.message,
                        "font family \"Ghost Sans\" (ghost/GhostSans-Regular.ttf) was not found "
                        "in templates, tests/data/fonts, /nonexistent/cardrender-fonts; install "
                        "the Debian package fonts-ghost (apt-get install fonts-ghost)");
    cr_font_library_destroy(lib);
    cr_font_manifest_destroy(m);
}

static void test_unreadable_font_file(void **state)
{
    cr_error err;
    cr_font_manifest *m = cr_font_manifest_load(FIXTURES "not_a_font.json", &err);
    assert_non_null(m);
    cr_font_library *lib = cr_font_library_create(m, &err);
    assert_null(cr_font_library_get(lib, "Broken", NULL, &err));
    assert_int_equal(err.code, CR_ERR_FONT);
    assert_non_null(strstr(err.message, "tests/data/fonts/not_a_font.ttf"));
    assert_non_null(strstr(err.message, "not a font"));
    cr_font_library_destroy(lib);
    cr_font_manifest_destroy(m);
}

static void test_syntax_error_position(void **state)
{
    cr_error err;
    assert_null(cr_font_manifest_load(FIXTURES "bad_syntax.json", &err));
    assert_int_equal(err.code, CR_ERR_SYNTAX);
    assert_string_equal(err.file, FIXTURES "bad_syntax.json");
    assert_int_equal(err.line, 4);
    assert_true(err.column > 0);
    char prefix[128];
    snprintf(prefix, sizeof prefix, FIXTURES "bad_syntax.json:4:%d: ", err.column);
    assert_memory_equal(err.message, prefix, strlen(prefix));

    assert_null(cr_font_manifest_load(FIXTURES "duplicate_key.json", &err));
    assert_int_equal(err.code, CR_ERR_SYNTAX);
    assert_non_null(strstr(err.message, "duplicate"));
}

static void test_missing_manifest_is_io_error(void **state)
{
    cr_error err;
    assert_null(cr_font_manifest_load(FIXTURES "no_such_manifest.json", &err));
    assert_int_equal(err.code, CR_ERR_IO);
    assert_string_equal(err.message, FIXTURES "no_such_manifest.json: cannot open the font "
                                              "manifest: No such file or directory");
}

static void test_semantic_errors_name_the_key(void **state)
{
    cr_error err;
    assert_null(cr_font_manifest_load(FIXTURES "unknown_fallback.json", &err));
    assert_int_equal(err.code, CR_ERR_FONT);
    assert_string_equal(err.message,
                        FIXTURES "unknown_fallback.json:6:24: fallback \"Latn\": family "
                                 "\"Comic Sans\" is not in \"families\"");

    assert_null(cr_font_manifest_load(FIXTURES "bad_index.json", &err));
    assert_int_equal(err.code, CR_ERR_FONT);
    assert_string_equal(err.message,
                        FIXTURES "bad_index.json:4:18: family \"Noto Sans\": \"index\" "
                                 "must be an integer from 0 to 65535");

    assert_null(cr_font_manifest_load(FIXTURES "unknown_key.json", &err));
    assert_int_equal(err.code, CR_ERR_FONT);
    assert_string_equal(err.message,
                        FIXTURES "unknown_key.json:4:18: family \"Noto Sans\": unknown "
                                 "key \"weight\"");
}

static void test_face_loaded_once(void **state)
{
    fixture *f = *state;
    cr_error err;
    cr_face *a = cr_font_library_get(f->library, "Noto Sans CJK SC", NULL, &err);
    assert_non_null(a);
    cr_face *b = cr_font_library_get(f->library, "Noto Sans CJK SC", "templates", &err);
    assert_ptr_equal(a, b);
    assert_int_equal(a->index, 2);
    assert_string_equal(a->family, "Noto Sans CJK SC");
    assert_int_equal(a->upem, 1000);
    assert_true(a->ascender > 0);
    assert_true(a->descender < 0);
    assert_true(a->line_gap >= 0);
    assert_int_equal(hb_face_get_index(a->hb_face), 2);
    /* Another index of the same collection is another face. */
    cr_face *kr = cr_font_library_get(f->library, "Noto Sans CJK KR", NULL, &err);
    assert_non_null(kr);
    assert_ptr_not_equal(kr, a);
}

static void test_has_codepoint(void **state)
{
    fixture *f = *state;
    cr_error err;
    cr_face *cjk = cr_font_library_get(f->library, "Noto Sans CJK SC", NULL, &err);
    cr_face *latin = cr_font_library_get(f->library, "Noto Sans", NULL, &err);
    assert_non_null(cjk);
    assert_non_null(latin);
    assert_true(cr_face_has_codepoint(cjk, 0x4E2D)); /* 中 */
    assert_false(cr_face_has_codepoint(latin, 0x4E2D));
    assert_true(cr_face_has_codepoint(latin, 'A'));
}

static void test_fallback_chains(void **state)
{
    fixture *f = *state;
    size_t count = 0;
    const char *const *arab = cr_font_manifest_fallback(f->manifest, "Arab", &count);
    assert_int_equal(count, 2);
    assert_string_equal(arab[0], "UKIJ Tuz Tom");
    assert_string_equal(arab[1], "Noto Naskh Arabic");

    const char *const *unknown = cr_font_manifest_fallback(f->manifest, "Zzzz", &count);
    assert_int_equal(count, 3);
    assert_string_equal(unknown[0], "Noto Sans");
    assert_string_equal(unknown[1], "Noto Sans CJK SC");
    assert_string_equal(unknown[2], "DejaVu Sans");
}

static void test_fallback_without_default(void **state)
{
    cr_error err;
    cr_font_manifest *m = cr_font_manifest_load(FIXTURES "bad_index.json", &err);
    assert_null(m); /* sanity: that one is invalid */
    m = cr_font_manifest_load(FIXTURES "not_a_font.json", &err);
    assert_non_null(m);
    size_t count = 99;
    assert_non_null(cr_font_manifest_fallback(m, "Hani", &count));
    assert_int_equal(count, 0);
    cr_font_manifest_destroy(m);
}

/* Kept extents are HarfBuzz's, asked or kept, for glyphs with ink, without
 * (the space) and past the face's last glyph id (none, zeros). */
static void assert_kept_extents(cr_face *face, hb_codepoint_t glyph)
{
    hb_glyph_extents_t want, kept;
    memset(&kept, 0x55, sizeof kept);
    bool found = hb_font_get_glyph_extents(face->hb_font, glyph, &want);
    for (int pass = 0; pass < 2; pass++) { /* asked, then kept */
        assert_int_equal(cr_face_glyph_extents(face, glyph, &kept), found);
        assert_memory_equal(&kept, &want, sizeof want);
    }
}

static void test_glyph_extents_kept(void **state)
{
    fixture *f = *state;
    cr_error err;
    cr_face *cjk = cr_font_library_get(f->library, "Noto Sans CJK SC", NULL, &err);
    cr_face *uyghur = cr_font_library_get(f->library, "UKIJ Tuz Tom", NULL, &err);
    assert_non_null(cjk);
    assert_non_null(uyghur);
    hb_codepoint_t zhong = 0, space = 0;
    assert_true(hb_font_get_nominal_glyph(cjk->hb_font, 0x4E2D, &zhong)); /* 中: CFF ink */
    assert_true(hb_font_get_nominal_glyph(cjk->hb_font, ' ', &space));
    assert_kept_extents(cjk, zhong);
    assert_kept_extents(cjk, space);
    assert_kept_extents(cjk, cjk->glyph_count);      /* no such glyph */
    assert_kept_extents(cjk, cjk->glyph_count + 99); /* nor this */
    for (hb_codepoint_t g = 0; g < 300; g++)         /* glyf outlines too */
        assert_kept_extents(uyghur, g);
    hb_glyph_extents_t ink;
    assert_true(cr_face_glyph_extents(cjk, zhong, &ink));
    assert_true(ink.width > 0 && ink.height < 0); /* y grows up in HarfBuzz's extents */
}

enum { THREADS = 4 };

typedef struct worker {
    cr_font_library *library;
    cr_face *faces[3];
} worker;

static void *get_faces(void *arg)
{
    static const char *const families[3] = {"Noto Sans", "DejaVu Sans", "Noto Sans Yi"};
    worker *w = arg;
    for (int i = 0; i < 3; i++)
        w->faces[i] = cr_font_library_get(w->library, families[i], NULL, NULL);
    return NULL;
}

/* Threads loading the same faces at once still get one face each. */
static void test_threads_share_faces(void **state)
{
    fixture *f = *state;
    cr_font_library *lib = cr_font_library_create(f->manifest, NULL);
    worker workers[THREADS];
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker){.library = lib};
        assert_int_equal(pthread_create(&threads[i], NULL, get_faces, &workers[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < THREADS; i++)
        for (int k = 0; k < 3; k++) {
            assert_non_null(workers[i].faces[k]);
            assert_ptr_equal(workers[i].faces[k], workers[0].faces[k]);
        }
    cr_font_library_destroy(lib);
}

/* ------------------------------------------------ manifest lookup */

/* The file cr_engine_create(options) looks for, from err->file when it
 * fails, or NULL when it succeeds. */
static char *manifest_tried(const cr_engine_options *options)
{
    cr_error err;
    cr_engine *engine = cr_engine_create(options, &err);
    if (engine) {
        cr_engine_destroy(engine);
        return NULL;
    }
    assert_non_null(err.file);
    assert_non_null(strstr(err.message, "cannot open the font manifest"));
    return strdup(err.file);
}

static void expect_tried(const cr_engine_options *options, const char *path)
{
    char *tried = manifest_tried(options);
    assert_non_null(tried);
    assert_string_equal(tried, path);
    free(tried);
}

/* The installed manifest, CR_DATADIR/fonts/manifest.json, is read when
 * neither options nor the environment name one: an engine when it is
 * installed, else an error naming that file. Either way never a
 * fonts/manifest.json in the working folder (here a broken one, which
 * would fail with a syntax error). */
static void expect_installed(void)
{
    const char *installed = CR_DATADIR "/fonts/manifest.json";
    char *tried = manifest_tried(NULL);
    if (access(installed, R_OK) == 0) {
        assert_null(tried);
    } else {
        assert_non_null(tried);
        assert_string_equal(tried, installed);
    }
    free(tried);
}

/* A folder holding a fonts/manifest.json that is not JSON. */
static void make_bogus_checkout(char *dir)
{
    char path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/fonts", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/fonts/manifest.json", dir);
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs("{ not json", file);
    fclose(file);
}

static void remove_bogus_checkout(const char *dir)
{
    char path[64];
    snprintf(path, sizeof path, "%s/fonts/manifest.json", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/fonts", dir);
    rmdir(path);
    rmdir(dir);
}

/* An explicit path wins over CARDRENDER_FONT_MANIFEST (set and not empty),
 * which wins over the installed manifest. */
static void test_manifest_lookup_order(void **state)
{
    char cwd[4096], dir[] = "/tmp/cr-test-lookup-XXXXXX";
    assert_non_null(getcwd(cwd, sizeof cwd));
    make_bogus_checkout(dir);
    cr_engine_options explicit = {.struct_size = sizeof explicit,
                                  .font_manifest_path = "/nonexistent/explicit.json"};
    setenv("CARDRENDER_FONT_MANIFEST", "/nonexistent/env.json", 1);
    expect_tried(&explicit, "/nonexistent/explicit.json");
    expect_tried(NULL, "/nonexistent/env.json");
    assert_int_equal(chdir(dir), 0);
    setenv("CARDRENDER_FONT_MANIFEST", "", 1); /* empty counts as unset */
    expect_installed();
    unsetenv("CARDRENDER_FONT_MANIFEST");
    expect_installed();
    int chdir_back = chdir(cwd);
    remove_bogus_checkout(dir);
    assert_int_equal(chdir_back, 0);
    setenv("CARDRENDER_FONT_MANIFEST", "fonts/manifest.json", 1); /* as tests/support.c */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_loads),
        cmocka_unit_test(test_unknown_family),
        cmocka_unit_test(test_missing_file_names_package),
        cmocka_unit_test(test_unreadable_font_file),
        cmocka_unit_test(test_syntax_error_position),
        cmocka_unit_test(test_missing_manifest_is_io_error),
        cmocka_unit_test(test_semantic_errors_name_the_key),
        cmocka_unit_test(test_face_loaded_once),
        cmocka_unit_test(test_has_codepoint),
        cmocka_unit_test(test_fallback_chains),
        cmocka_unit_test(test_glyph_extents_kept),
        cmocka_unit_test(test_fallback_without_default),
        cmocka_unit_test(test_threads_share_faces),
        cmocka_unit_test(test_manifest_lookup_order),
    };
    return cmocka_run_group_tests_name("fonts", tests, setup_library, teardown_library);
}
