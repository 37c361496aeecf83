/* The static-layer cache: cards painted from it are byte-identical to cards
 * painted field by field (every golden case, every edition template, with
 * K and overlay panels, at several resolutions), its plan of which fields
 * go into the base, repaints on conflict, artwork scaled once, and one
 * template shared by threads. */
#include <glob.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cardrender.h"
#include "png_deflate.h"
#include "panels.h"
#include "print_fixtures.h"
#include "raster.h"
#include "static_cache.h"

/* --------------------------------------------------------- static cache */

static void set_cache(bool on)
{
    if (on)
        unsetenv("CARDRENDER_NO_STATIC_CACHE");
    else
        setenv("CARDRENDER_NO_STATIC_CACHE", "1", 1);
}

static int case_dpi(const char *case_dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/case.json", case_dir);
    FILE *file = fopen(path, "r");
    if (!file)
        return 0;
    char text[256] = "";
    size_t n = fread(text, 1, sizeof text - 1, file);
    text[n] = '\0';
    fclose(file);
    const char *key = strstr(text, "\"dpi\"");
    int dpi = 0;
    return key && sscanf(key, "\"dpi\" : %d", &dpi) == 1 ? dpi : 0;
}

/* Painted field by field, then from a fresh cache (built), then again from
 * it (reused): the same bytes every time. Returns false when the template
 * does not render with this record at all. */
static bool check_cache_identical(const char *template_path, const char *record_path, int dpi)
{
    cr_error err;
    cr_template *tpl = cr_template_load_file(engine, template_path, &err);
    if (!tpl)
        fail_msg("%s", err.message);
    cr_record *record = record_path ? cr_record_load_file(record_path, &err) : NULL;
    cr_render_options options = {.struct_size = sizeof options, .dpi = dpi};
    set_cache(false);
    cr_image *whole = cr_render(engine, tpl, record, &options, &err);
    set_cache(true);
    if (!whole) {
        cr_record_destroy(record);
        cr_template_destroy(tpl);
        return false;
    }
    for (int round = 0; round < 2; round++) {
        cr_image *cached = render_with(tpl, record, &options);
        char what[600];
        snprintf(what, sizeof what, "%s at %d dpi, round %d", template_path, dpi, round);
        assert_same_card(whole, cached, what);
        cr_image_destroy(cached);
    }
    assert_non_null(cr_static_layers_get(engine, tpl, dpi ? dpi : cr_template_dpi(tpl)));
    cr_image_destroy(whole);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
    return true;
}

static void test_static_cache_is_byte_identical(void **state)
{
    glob_t cases;
    assert_int_equal(glob("tests/golden/*/template.json", 0, NULL, &cases), 0);
    size_t checked = 0;
    for (size_t i = 0; i < cases.gl_pathc; i++) {
        char dir[512], record[1024];
        snprintf(dir, sizeof dir, "%s", cases.gl_pathv[i]);
        *strrchr(dir, '/') = '\0';
        snprintf(record, sizeof record, "%s/record.json", dir);
        const char *record_path = access(record, R_OK) == 0 ? record : NULL;
        if (!check_cache_identical(cases.gl_pathv[i], record_path, case_dpi(dir)))
            fail_msg("golden case %s does not render", dir);
        checked++;
    }
    globfree(&cases);
    assert_true(checked >= 15);
    /* each template with the first example record it renders with */
    glob_t templates, records;
    assert_int_equal(glob("templates/*.json", 0, NULL, &templates), 0);
    assert_int_equal(glob("examples/records/*.json", 0, NULL, &records), 0);
    size_t rendered = 0;
    for (size_t i = 0; i < templates.gl_pathc; i++)
        for (size_t r = 0; r < records.gl_pathc; r++)
            if (check_cache_identical(templates.gl_pathv[i], records.gl_pathv[r], 300)) {
                assert_true(check_cache_identical(templates.gl_pathv[i], records.gl_pathv[r], 600));
                rendered++;
                break;
            }
    globfree(&records);
    globfree(&templates);
    assert_true(rendered >= 2);
    assert_true(check_cache_identical(PHOTO_TEMPLATE, "examples/records/zh-chen-xiaoling.json", 0));
}

/* K and overlay panels come out of the cache byte for byte too. */
static void test_static_cache_is_byte_identical_with_panels(void **state)
{
    char dir[] = "/tmp/cr-print-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char tpl_path[64], record_path[64];
    snprintf(tpl_path, sizeof tpl_path, "%s/panels.json", dir);
    snprintf(record_path, sizeof record_path, "%s/record.json", dir);
    FILE *file = fopen(tpl_path, "w");
    fputs(overlay_card, file);
    fclose(file);
    file = fopen(record_path, "w");
    fputs(ID_RECORD, file);
    fclose(file);
    assert_true(check_cache_identical(tpl_path, record_path, 0));
    assert_true(check_cache_identical(tpl_path, record_path, 600));
    unlink(tpl_path);
    unlink(record_path);
    rmdir(dir);
}

static void test_static_cache_plans_fields(void **state)
{
    cr_error err;
    cr_template *tpl = cr_template_load_file(engine, PHOTO_TEMPLATE, &err);
    const cr_static_layers *layers = cr_static_layers_get(engine, tpl, 300);
    assert_non_null(layers);
    size_t base = 0, live = 0;
    for (size_t i = 0; i < cr_template_field_count(tpl); i++) {
        cr_field_info info;
        cr_template_field(tpl, i, &info);
        cr_field_plan plan = layers->fields[i].plan;
        assert_int_equal(plan == CR_PLAN_LIVE, info.bind != NULL);
        base += plan == CR_PLAN_BASE;
        live += plan == CR_PLAN_LIVE;
    }
    assert_int_equal(layers->fields[0].plan, CR_PLAN_BASE); /* 姓名 comes first */
    assert_true(base >= 6);                                 /* most labels */
    assert_int_equal(live, 9);
    assert_ptr_equal(cr_static_layers_get(engine, tpl, 300), layers); /* once per key */
    cr_template_destroy(tpl);
}

/* A label whose ink meets an optional name's assumed box (the box and
 * half an em about it): kept out of the base, drawn on every card. */
static const char label_below_name[] =
    "{\"version\": 1, \"name\": \"a label below a name\",\n"
    " \"card\": {\"width_mm\": 85.6, \"height_mm\": 54.0, \"background\": \"#eef2f8\"},\n"
    " \"fields\": [\n"
    "  {\"type\": \"text\", \"name\": \"name\", \"box_mm\": [5, 5, 40, 5], \"bind\": \"name\",\n"
    "   \"optional\": true, \"font\": \"Noto Sans CJK SC\", \"size_pt\": 10},\n"
    "  {\"type\": \"text\", \"name\": \"label\", \"box_mm\": [5, 10.2, 30, 4],\n"
    "   \"text\": \"公民身份号码\", \"font\": \"Noto Sans CJK SC\", \"size_pt\": 8}]}\n";

/* The PNG plan's reference is the card as every record leaves it: the base
 * and the static fields kept out of it, so a card whose record paints
 * nothing equals it pixel for pixel. With the base alone, such labels'
 * chunks differed on every card and were coded afresh every time (the
 * benchmark card's five labels so kept: 120 KB of filtered bytes a card). */
static void test_static_cache_reference_is_the_static_card(void **state)
{
    cr_error err;
    cr_template *tpl = cr_template_load_memory(engine, label_below_name, strlen(label_below_name),
                                               "label", NULL, &err);
    if (!tpl)
        fail_msg("%s", err.message);
    const cr_static_layers *layers = cr_static_layers_get(engine, tpl, 300);
    assert_non_null(layers);
    assert_int_equal(layers->fields[1].plan, CR_PLAN_PREPARED); /* else this shows nothing */
    const cr_canvas *reference = cr_png_plan_reference(layers->png_plan);
    if (!png_deflate_splices()) { /* zlib: plans keep no reference */
        assert_null(reference);
        cr_template_destroy(tpl);
        return;
    }
    assert_non_null(reference);
    cr_record *nameless = cr_record_load_memory("{}", 2, "nameless", &err);
    assert_non_null(nameless);
    cr_render_options options = {.struct_size = sizeof options, .dpi = 300};
    cr_image *card = cr_render(engine, tpl, nameless, &options, &err);
    if (!card)
        fail_msg("%s", err.message);
    assert_int_equal(cr_image_width(card), reference->width);
    assert_int_equal(cr_image_height(card), reference->height);
    for (int y = 0; y < reference->height; y++) {
        const uint8_t *row = cr_image_pixels(card) + (size_t)y * (size_t)cr_image_stride(card);
        if (memcmp(row, reference->pixels + (size_t)y * (size_t)reference->stride,
                   (size_t)reference->width * 3) != 0)
            fail_msg("row %d of a card whose record paints nothing is not the plan's reference", y);
    }
    cr_image_destroy(card);
    cr_record_destroy(nameless);
    cr_template_destroy(tpl);
}

/* Live fields at 254 dpi (10 px a mm) on rows of 1 + 856 * 3 bytes, in
 * chunks of 384 bytes: which are coded as literals and runs. */
static const char live_fields[] =
    "{\"version\": 1, \"name\": \"live fields\",\n"
    " \"card\": {\"width_mm\": 85.6, \"height_mm\": 54.0, \"background\": \"#eef2f8\"},\n"
    " \"fields\": [\n"
    "  {\"type\": \"text\", \"name\": \"name\", \"box_mm\": [5, 5, 20, 3], \"bind\": \"name\",\n"
    "   \"font\": \"Noto Sans CJK SC\", \"size_pt\": 8},\n"
    "  {\"type\": \"image\", \"name\": \"photo\", \"box_mm\": [40, 5, 20, 25], \"bind\": "
    "\"photo\"},\n"
    "  {\"type\": \"image\", \"name\": \"ghost\", \"box_mm\": [65, 20, 15, 15], \"bind\": "
    "\"photo\",\n"
    "   \"ghost\": {\"fade\": 0.55, \"color\": \"#1d5b4f\"}},\n"
    "  {\"type\": \"mrz\", \"name\": \"mrz\", \"format\": \"td1\", \"box_mm\": [4, 40, 77, "
    "13]}]}\n";

/* Text and pictures are coded as literals and runs; a machine-readable
 * zone by the deflater, whose matches find its repeated fillers. Counted
 * by hand, text in chunks of 384 bytes from its box's edge, a picture's
 * row in one segment (every pixel of it changes with every card): the
 * name, pixels 50-249 and the one after (bytes 151-753: 603, two chunks)
 * over rows 50-80 with the row below, 2 x 31; the photo, pixels 400-600
 * (603 bytes) over rows 50-300, 251; the ghost, pixels 650-800 (453
 * bytes) over rows 200-350, 151. */
static void test_static_cache_codes_all_but_zones_as_runs(void **state)
{
    cr_error err;
    cr_template *tpl =
        cr_template_load_memory(engine, live_fields, strlen(live_fields), "live", NULL, &err);
    if (!tpl)
        fail_msg("%s", err.message);
    cr_png_plan *plan = cr_static_png_plan(tpl, 254, NULL);
    assert_non_null(plan);
    assert_int_equal(cr_png_plan_runs_segments(plan), 2 * 31 + 251 + 151);
    cr_png_plan_unref(plan);
    cr_template_destroy(tpl);
}

typedef struct report_log {
    int indices[64];
    int count;
} report_log;

static void log_report(void *data, const cr_field_report *report)
{
    report_log *log = data;
    if (log->count < 64)
        log->indices[log->count++] = report->field_index;
}

/* A name that wraps onto a label the cache painted into the base: the card
 * is painted again whole, with the same bytes and each report given once. */
static void test_static_cache_conflict_repaints(void **state)
{
    static const char json[] =
        "{\"version\": 1, \"fields\": ["
        " {\"type\": \"text\", \"name\": \"title\", \"box_mm\": [5, 2, 40, 4], \"text\": \"标题\","
        "  \"font\": \"Noto Sans CJK SC\", \"size_pt\": 9},"
        " {\"type\": \"text\", \"name\": \"name\", \"box_mm\": [5, 8, 30, 4], \"bind\": \"name\","
        "  \"font\": \"Noto Sans CJK SC\", \"size_pt\": 9},"
        " {\"type\": \"text\", \"name\": \"label\", \"box_mm\": [5, 16, 30, 4], \"text\": \"住址\","
        "  \"font\": \"Noto Sans CJK SC\", \"size_pt\": 9, \"color\": \"#1f5fa8\"},"
        " {\"type\": \"rect\", \"name\": \"box\", \"box_mm\": [4, 7.5, 32, 5], \"stroke\": "
        "\"#c0392b\"}"
        "]}";
    cr_template *tpl = template_from(json, ".");
    const cr_static_layers *layers = cr_static_layers_get(engine, tpl, 300);
    assert_non_null(layers);
    assert_int_equal(layers->fields[2].plan, CR_PLAN_BASE);     /* clear of the name's box */
    assert_int_equal(layers->fields[3].plan, CR_PLAN_PREPARED); /* over the name */
    const char *records[] = {
        "{\"name\": \"张伟\"}",
        "{\"name\": \"阿卜杜热西提·买买提明阿卜杜热西提·买买提明阿卜杜热西提·买买提明\"}"};
    for (int r = 0; r < 2; r++) {
        cr_record *record = record_from(records[r]);
        report_log whole_log = {.count = 0}, cached_log = {.count = 0};
        cr_render_options options = {.struct_size = sizeof options,
                                     .field_report = log_report,
                                     .field_report_data = &whole_log};
        set_cache(false);
        cr_image *whole = render_with(tpl, record, &options);
        set_cache(true);
        options.field_report_data = &cached_log;
        cr_image *cached = render_with(tpl, record, &options);
        assert_same_card(whole, cached, records[r]);
        assert_int_equal(cached_log.count, 3);
        assert_int_equal(whole_log.count, 3);
        for (int i = 0; i < 3; i++)
            assert_int_equal(cached_log.indices[i], whole_log.indices[i]);
        cr_image_destroy(cached);
        cr_image_destroy(whole);
        cr_record_destroy(record);
    }
    cr_template_destroy(tpl);
}

/* An engine made with no_static_cache (the CLI's one-card render and
 * proof) builds no cache, and its cards are the default engine's, byte for
 * byte. */
static void test_engine_without_static_cache(void **state)
{
    (void)state;
    cr_engine_options options;
    cr_engine_options_init(&options);
    options.no_static_cache = 1;
    cr_error err;
    cr_engine *one_card = cr_engine_create(&options, &err);
    if (!one_card)
        fail_msg("%s", err.message);
    const char *path = "templates/resident-id-ug-photo.json";
    cr_template *tpl = cr_template_load_file(one_card, path, &err);
    cr_template *cached_tpl = cr_template_load_file(engine, path, &err);
    cr_record *record = cr_record_load_file("examples/records/ug-ablimit-tursun.json", &err);
    assert_non_null(tpl);
    assert_non_null(cached_tpl);
    assert_non_null(record);
    cr_image *painted = cr_render(one_card, tpl, record, NULL, &err);
    if (!painted)
        fail_msg("%s", err.message);
    assert_false(cr_static_layers_exist(tpl));
    cr_render_options render = {.struct_size = sizeof render};
    cr_image *from_cache = render_with(cached_tpl, record, &render);
    assert_true(cr_static_layers_exist(cached_tpl));
    assert_same_card(painted, from_cache, "no_static_cache against the cache");
    cr_image_destroy(painted);
    cr_image_destroy(from_cache);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
    cr_template_destroy(cached_tpl);
    cr_engine_destroy(one_card);
}

/* Artwork over a photo cannot go into the base: it is kept composed (scaled
 * once) and blended per card. */
static void test_static_artwork_is_scaled_once(void **state)
{
    static const char json[] =
        "{\"version\": 1, \"fields\": ["
        " {\"type\": \"image\", \"name\": \"photo\", \"box_mm\": [50, 5, 26, 32], \"bind\": "
        "\"photo\"},"
        " {\"type\": \"image\", \"name\": \"logo\", \"box_mm\": [60, 25, 15, 15], \"src\": "
        "\"art/logo.png\", \"fit\": \"contain\", \"opacity\": 0.6}"
        "]}";
    cr_template *tpl = template_from(json, "tests/golden/artwork-shapes");
    const cr_static_layers *layers = cr_static_layers_get(engine, tpl, 300);
    assert_int_equal(layers->fields[1].plan, CR_PLAN_PREPARED);
    assert_non_null(layers->fields[1].layer.rgba);
    cr_record *record = record_from("{\"photo\": \"photos/portrait-358x441.jpg\"}");
    cr_render_options options = {.struct_size = sizeof options, .asset_dir = "examples/records"};
    set_cache(false);
    cr_image *whole = render_with(tpl, record, &options);
    set_cache(true);
    cr_image *cached = render_with(tpl, record, &options);
    assert_same_card(whole, cached, "emblem over a photo");
    cr_image_destroy(cached);
    cr_image_destroy(whole);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

/* ---------------------------------------------------------- canvas pool */

/* The records of an edition's language (examples/records/LANG-*.json), in
 * file order; their count. */
static size_t edition_records(const char *template_path, char paths[][256], size_t room)
{
    const char *name = strrchr(template_path, '/') + 1; /* resident-id-LANG-SIDE.json */
    char lang[16] = "";
    if (sscanf(name, "resident-id-%15[a-z]-", lang) != 1)
        return 0;
    char pattern[64];
    snprintf(pattern, sizeof pattern, "examples/records/%s-*.json", lang);
    glob_t found;
    size_t count = 0;
    if (glob(pattern, 0, NULL, &found) == 0)
        for (; count < found.gl_pathc && count < room; count++)
            snprintf(paths[count], 256, "%s", found.gl_pathv[count]);
    globfree(&found);
    return count;
}

/* Each record's card painted from the cache right after another record's
 * card gave its canvas back (canvas_pool.h) equals its card painted whole:
 * nothing of the previous person (a longer name, another photo) stays. */
static void check_cards_in_turn(const char *template_path, int dpi, size_t *turns)
{
    char paths[16][256];
    size_t count = edition_records(template_path, paths, 16);
    cr_error err;
    cr_template *tpl = cr_template_load_file(engine, template_path, &err);
    if (!tpl)
        fail_msg("%s", err.message);
    cr_record *records[16];
    cr_image *whole[16];
    cr_render_options options = {.struct_size = sizeof options, .dpi = dpi};
    set_cache(false);
    for (size_t i = 0; i < count; i++) {
        records[i] = cr_record_load_file(paths[i], &err);
        assert_non_null(records[i]);
        whole[i] = cr_render(engine, tpl, records[i], &options, &err);
        if (!whole[i])
            fail_msg("%s with %s: %s", template_path, paths[i], err.message);
    }
    set_cache(true);
    /* forwards, then backwards: each record follows another (but at the turn) */
    for (size_t step = 0; step < 2 * count; step++) {
        size_t i = step < count ? step : 2 * count - 1 - step;
        cr_image *cached = render_with(tpl, records[i], &options);
        const cr_static_layers *layers = cr_static_layers_get(engine, tpl, dpi);
        assert_non_null(layers);
        assert_int_equal(cr_canvas_pool_kept(layers->canvas_pool), 0);
        char what[700];
        snprintf(what, sizeof what, "%s at %d dpi, %s after another card", template_path, dpi,
                 paths[i]);
        assert_same_card(whole[i], cached, what);
        bool known = cached->changes_known;
        cr_image_destroy(cached);
        assert_int_equal(cr_canvas_pool_kept(layers->canvas_pool), known ? 1 : 0);
        *turns += known && step > 0;
    }
    for (size_t i = 0; i < count; i++) {
        cr_image_destroy(whole[i]);
        cr_record_destroy(records[i]);
    }
    cr_template_destroy(tpl);
}

static void test_canvas_pool_leaves_nothing_of_the_last_card(void **state)
{
    glob_t templates;
    assert_int_equal(glob("templates/resident-id-*.json", 0, NULL, &templates), 0);
    size_t turns = 0;
    for (size_t i = 0; i < templates.gl_pathc; i++)
        check_cards_in_turn(templates.gl_pathv[i], 300, &turns);
    check_cards_in_turn(PHOTO_TEMPLATE, 600, &turns);
    globfree(&templates);
    /* 14 editions, 3 or 4 records each: most cards took a canvas given back */
    assert_true(turns >= 14 * 5);
}

/* A mirrored card (its changes not known: every pixel moved) keeps no
 * canvas for the next card, which comes out as painted whole. */
static void test_canvas_pool_skips_mirrored_cards(void **state)
{
    cr_error err;
    cr_template *tpl = cr_template_load_file(engine, PHOTO_TEMPLATE, &err);
    cr_record *first = cr_record_load_file("examples/records/zh-chen-xiaoling.json", &err);
    cr_record *second = cr_record_load_file(PHOTO_RECORD, &err);
    assert_true(tpl && first && second);
    cr_render_options plain = {.struct_size = sizeof plain, .dpi = 300};
    cr_render_options mirrored = plain;
    mirrored.mirror = 1;
    set_cache(false);
    cr_image *whole = render_with(tpl, second, &plain);
    set_cache(true);
    cr_image_destroy(render_with(tpl, second, &plain)); /* the layers built */
    const cr_static_layers *layers = cr_static_layers_get(engine, tpl, 300);
    assert_int_equal(cr_canvas_pool_kept(layers->canvas_pool), 1);
    cr_image *flipped = render_with(tpl, first, &mirrored);
    assert_false(flipped->changes_known);
    assert_int_equal(cr_canvas_pool_kept(layers->canvas_pool), 0);
    cr_image_destroy(flipped);
    assert_int_equal(cr_canvas_pool_kept(layers->canvas_pool), 0);
    cr_image *cached = render_with(tpl, second, &plain);
    assert_same_card(whole, cached, "a card after a mirrored one");
    cr_image_destroy(cached);
    cr_image_destroy(whole);
    cr_record_destroy(first);
    cr_record_destroy(second);
    cr_template_destroy(tpl);
}

/* The pool keeps at most CR_CANVAS_POOL_MAX canvases, takes only its own
 * size, and gives each taken canvas back equal to the base. */
static void test_canvas_pool_bounds(void **state)
{
    cr_canvas base;
    assert_int_equal(cr_canvas_init(&base, 40, 30, NULL), CR_OK);
    for (size_t i = 0; i < (size_t)base.stride * 30; i++)
        base.pixels[i] = (uint8_t)(i * 7);
    cr_pixel_box always = {30, 25, 50, 40}; /* past the edge: clipped */
    cr_canvas_pool *pool = cr_canvas_pool_create(&base, &always, 1);
    assert_non_null(pool);
    cr_canvas taken;
    assert_false(cr_canvas_pool_take(pool, &base, &taken));
    for (int i = 0; i < CR_CANVAS_POOL_MAX + 2; i++) {
        cr_canvas card;
        assert_int_equal(cr_canvas_copy(&base, &card, NULL), CR_OK);
        memset(card.pixels + 3 * base.stride + 2 * 3, 0xAB, 5 * 3);   /* row 3, x 2-6 */
        memset(card.pixels + 27 * base.stride + 35 * 3, 0xCD, 3 * 3); /* within `always` */
        cr_png_box *changed = malloc(sizeof *changed);
        *changed = (cr_png_box){2, 3, 7, 4, false, false};
        cr_canvas_pool_give(pool, &card, changed, 1);
        assert_null(card.pixels);
    }
    assert_int_equal(cr_canvas_pool_kept(pool), CR_CANVAS_POOL_MAX);
    cr_canvas other;
    assert_int_equal(cr_canvas_init(&other, 41, 30, NULL), CR_OK);
    cr_canvas_pool_give(pool, &other, NULL, 0); /* another size: freed */
    assert_int_equal(cr_canvas_pool_kept(pool), CR_CANVAS_POOL_MAX);
    for (int i = 0; i < CR_CANVAS_POOL_MAX; i++) {
        assert_true(cr_canvas_pool_take(pool, &base, &taken));
        assert_memory_equal(taken.pixels, base.pixels, (size_t)base.stride * 30);
        cr_canvas_free(&taken);
    }
    assert_false(cr_canvas_pool_take(pool, &base, &taken));
    cr_canvas_pool_unref(pool);
    cr_canvas_free(&base);
}

typedef struct thread_job {
    const cr_template *tpl;
    const cr_record *record;
    cr_image *image;
} thread_job;

static void *render_thread(void *data)
{
    thread_job *job = data;
    cr_error err;
    cr_render_options options = {.struct_size = sizeof options,
                                 .dpi = 200}; /* a resolution no other test built */
    job->image = cr_render(engine, job->tpl, job->record, &options, &err);
    return NULL;
}

static void test_static_cache_threads_share_a_template(void **state)
{
    cr_error err;
    cr_template *tpl = cr_template_load_file(engine, PHOTO_TEMPLATE, &err);
    cr_record *record = cr_record_load_file(PHOTO_RECORD, &err);
    set_cache(false);
    cr_render_options options = {.struct_size = sizeof options, .dpi = 200};
    cr_image *whole = render_with(tpl, record, &options);
    set_cache(true);
    enum { THREADS = 4 };
    pthread_t threads[THREADS];
    thread_job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (thread_job){tpl, record, NULL};
        assert_int_equal(pthread_create(&threads[i], NULL, render_thread, &jobs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        assert_non_null(jobs[i].image);
        assert_same_card(whole, jobs[i].image, "a thread's card");
        cr_image_destroy(jobs[i].image);
    }
    cr_image_destroy(whole);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_static_cache_is_byte_identical),
        cmocka_unit_test(test_static_cache_is_byte_identical_with_panels),
        cmocka_unit_test(test_static_cache_plans_fields),
        cmocka_unit_test(test_static_cache_codes_all_but_zones_as_runs),
        cmocka_unit_test(test_static_cache_reference_is_the_static_card),
        cmocka_unit_test(test_static_cache_conflict_repaints),
        cmocka_unit_test(test_static_artwork_is_scaled_once),
        cmocka_unit_test(test_engine_without_static_cache),
        cmocka_unit_test(test_static_cache_threads_share_a_template),
        cmocka_unit_test(test_canvas_pool_leaves_nothing_of_the_last_card),
        cmocka_unit_test(test_canvas_pool_skips_mirrored_cards),
        cmocka_unit_test(test_canvas_pool_bounds),
    };
    return cmocka_run_group_tests_name("static cache", tests, print_setup, print_teardown);
}
