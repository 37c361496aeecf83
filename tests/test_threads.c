/* One engine and its templates shared by four threads rendering at once:
 * every image must equal, byte for byte, the one a single thread renders.
 * Each round starts from a fresh engine, so the threads also race on the
 * first loading of fallback fonts and on filling the glyph cache. */
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "cardrender.h"

#define ZH_TEMPLATE "templates/resident-id-zh-photo.json"
#define ZH_ASSETS "examples/records"
#define GOLDEN "tests/golden"

enum { THREADS = 4, ROUNDS = 2, MAX_JOBS = 64 };

/* One card to render: a template file, a record and its asset folder. */
typedef struct job {
    char label[128];
    char template_path[256];
    char asset_dir[256];
    int dpi;           /* 0: the template's */
    cr_record *record; /* NULL: the template binds nothing */
    uint8_t *expected; /* the single-threaded image (render_bytes) */
    size_t expected_size;
} job;

typedef struct job_list {
    job jobs[MAX_JOBS];
    int count;
} job_list;

/* ------------------------------------------------------------- records */

/* Eight people whose cards differ in every bound field: lengths, rare
 * characters (𠀀 comes from a fallback font), Latin in an address. */
static cr_record *zh_record(int i)
{
    static const char *names[] = {"张伟",     "陈晓玲", "欧阳娜娜", "𠀀明",
                                  "司马相如", "李A",    "王小明",   "赵丽颖丽颖丽颖"};
    static const char *addresses[] = {"北京市东城区南池子大街21号院3号楼2单元502室",
                                      "广东省深圳市南山区粤海街道科技园社区科苑路15号",
                                      "上海市浦东新区世纪大道100号",
                                      "新疆维吾尔自治区乌鲁木齐市天山区解放南路Room 5B",
                                      "四川省成都市武侯区人民南路四段1号，附2号",
                                      "天津市和平区",
                                      "浙江省杭州市西湖区文三路90号东部软件园科技大厦A座12层1201室",
                                      "内蒙古自治区呼和浩特市新城区"};
    char year[16], month[16], day[16], id[64];
    snprintf(year, sizeof year, "%d", 1950 + i * 7);
    snprintf(month, sizeof month, "%d", 1 + i);
    snprintf(day, sizeof day, "%d", 3 + i * 3);
    snprintf(id, sizeof id, "1101011990%02d%02d45%d%c", 1 + i, 3 + i, i, i % 3 ? '7' : 'X');
    json_t *object =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", names[i], "sex",
                  i % 2 ? "女" : "男", "ethnicity", i % 3 ? "汉" : "蒙古", "birth_year", year,
                  "birth_month", month, "birth_day", day, "address", addresses[i], "id_number", id,
                  "photo", "photos/portrait-358x441.jpg");
    char *text = json_dumps(object, JSON_COMPACT);
    cr_error err;
    cr_record *record = cr_record_load_memory(text, strlen(text), "zh record", &err);
    if (!record)
        fail_msg("%s", err.message);
    free(text);
    json_decref(object);
    return record;
}

static void add_zh_jobs(job_list *list)
{
    for (int i = 0; i < 8; i++) {
        job *j = &list->jobs[list->count++];
        snprintf(j->label, sizeof j->label, "zh record %d", i + 1);
        snprintf(j->template_path, sizeof j->template_path, "%s", ZH_TEMPLATE);
        snprintf(j->asset_dir, sizeof j->asset_dir, "%s", ZH_ASSETS);
        j->record = zh_record(i);
    }
}

static int case_dpi(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/case.json", dir);
    json_t *root = json_load_file(path, 0, NULL);
    int dpi = (int)json_integer_value(json_object_get(root, "dpi"));
    json_decref(root);
    return dpi;
}

/* A golden case: other scripts (Tibetan, Uyghur, Mongolian in vertical
 * lines, Hangul, Yi), artwork and photos, through the same engine. */
static void add_golden_job(job_list *list, const char *name)
{
    job *j = &list->jobs[list->count];
    snprintf(j->asset_dir, sizeof j->asset_dir, "%s/%s", GOLDEN, name);
    snprintf(j->template_path, sizeof j->template_path, "%s/%s/template.json", GOLDEN, name);
    if (access(j->template_path, R_OK) != 0)
        return;
    snprintf(j->label, sizeof j->label, "golden case %s", name);
    j->dpi = case_dpi(j->asset_dir);
    char record_path[512];
    snprintf(record_path, sizeof record_path, "%s/record.json", j->asset_dir);
    cr_error err;
    if (access(record_path, R_OK) == 0 && !(j->record = cr_record_load_file(record_path, &err)))
        fail_msg("%s", err.message);
    list->count++;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void add_golden_jobs(job_list *list)
{
    struct dirent **entries;
    int n = scandir(GOLDEN, &entries, NULL, by_name);
    assert_true(n > 0);
    for (int i = 0; i < n; i++) {
        if (entries[i]->d_name[0] != '.' && list->count < MAX_JOBS)
            add_golden_job(list, entries[i]->d_name);
        free(entries[i]);
    }
    free(entries);
}

/* ------------------------------------------------------------ rendering */

/* The templates of every job, loaded on one engine. */
typedef struct loaded {
    cr_engine *engine;
    cr_template *templates[MAX_JOBS];
} loaded;

static void load_all(loaded *l, const job_list *list)
{
    cr_error err;
    l->engine = cr_engine_create(NULL, &err);
    if (!l->engine)
        fail_msg("%s", err.message);
    for (int i = 0; i < list->count; i++) {
        l->templates[i] = cr_template_load_file(l->engine, list->jobs[i].template_path, &err);
        if (!l->templates[i])
            fail_msg("%s: %s", list->jobs[i].label, err.message);
    }
}

static void unload_all(loaded *l, const job_list *list)
{
    for (int i = 0; i < list->count; i++)
        cr_template_destroy(l->templates[i]);
    cr_engine_destroy(l->engine);
}

/* Renders a job into its pixels, rows packed, then its PNG file's bytes
 * (the writer's shared Huffman code and the template's deflated bands are
 * used from every thread): width, height and dpi first so that they are
 * compared too. False with err on failure. */
static bool render_bytes(const loaded *l, const job_list *list, int i, uint8_t **bytes,
                         size_t *size, cr_error *err)
{
    const job *j = &list->jobs[i];
    cr_render_options options = {
        .struct_size = sizeof options, .dpi = j->dpi, .asset_dir = j->asset_dir};
    cr_image *image = cr_render(l->engine, l->templates[i], j->record, &options, err);
    uint8_t *png = NULL;
    size_t png_size = 0;
    if (!image || cr_image_write_png_memory(image, &png, &png_size, err) != CR_OK) {
        cr_image_destroy(image);
        return false;
    }
    int header[3] = {cr_image_width(image), cr_image_height(image), cr_image_dpi(image)};
    size_t row = (size_t)header[0] * 3, pixels = row * (size_t)header[1];
    *size = sizeof header + pixels + png_size;
    *bytes = malloc(*size);
    if (!*bytes) { /* no cmocka assertion: this runs on worker threads too */
        cr_image_destroy(image);
        free(png);
        snprintf(err->message, sizeof err->message, "out of memory");
        return false;
    }
    memcpy(*bytes, header, sizeof header);
    for (int y = 0; y < header[1]; y++)
        memcpy(*bytes + sizeof header + row * (size_t)y,
               cr_image_pixels(image) + (size_t)y * (size_t)cr_image_stride(image), row);
    memcpy(*bytes + sizeof header + pixels, png, png_size);
    free(png);
    cr_image_destroy(image);
    return true;
}

typedef struct worker {
    pthread_t thread;
    int index;
    const loaded *shared;
    const job_list *list;
    pthread_barrier_t *start;
    int rendered;
    int mismatches;
    char first_problem[1400];
} worker;

static void note_problem(worker *w, const char *label, const char *what)
{
    if (w->mismatches++ == 0)
        snprintf(w->first_problem, sizeof w->first_problem, "thread %d, %s: %s", w->index, label,
                 what);
}

/* Each thread renders every job, starting at a different one, so the
 * threads meet different fonts for the first time at the same moment. */
static void *worker_main(void *arg)
{
    worker *w = arg;
    pthread_barrier_wait(w->start);
    int count = w->list->count;
    for (int k = 0; k < count; k++) {
        int i = (k + w->index * count / THREADS) % count;
        const job *j = &w->list->jobs[i];
        uint8_t *bytes = NULL;
        size_t size = 0;
        cr_error err;
        if (!render_bytes(w->shared, w->list, i, &bytes, &size, &err))
            note_problem(w, j->label, err.message);
        else if (size != j->expected_size || memcmp(bytes, j->expected, size) != 0)
            note_problem(w, j->label, "differs from the single-threaded image");
        w->rendered++;
        free(bytes);
    }
    return NULL;
}

static void render_expected(job_list *list)
{
    loaded l;
    load_all(&l, list);
    for (int i = 0; i < list->count; i++) {
        cr_error err;
        job *j = &list->jobs[i];
        if (!render_bytes(&l, list, i, &j->expected, &j->expected_size, &err))
            fail_msg("%s: %s", j->label, err.message);
    }
    unload_all(&l, list);
}

static void run_round(const job_list *list, int round)
{
    loaded shared;
    load_all(&shared, list);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, THREADS);
    worker workers[THREADS];
    for (int t = 0; t < THREADS; t++) {
        workers[t] = (worker){.index = t, .shared = &shared, .list = list, .start = &start};
        assert_int_equal(pthread_create(&workers[t].thread, NULL, worker_main, &workers[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(workers[t].thread, NULL);
    pthread_barrier_destroy(&start);
    unload_all(&shared, list);
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(workers[t].rendered, list->count);
        if (workers[t].mismatches)
            fail_msg("round %d: %d problem(s); first: %s", round, workers[t].mismatches,
                     workers[t].first_problem);
    }
}

static void test_threads_render_what_one_thread_renders(void **state)
{
    job_list *list = calloc(1, sizeof *list);
    add_zh_jobs(list);
    add_golden_jobs(list);
    assert_true(list->count >= 16);
    render_expected(list);
    /* The eight zh records differ from each other: they really are eight. */
    for (int i = 1; i < 8; i++)
        assert_false(
            list->jobs[i].expected_size == list->jobs[0].expected_size &&
            !memcmp(list->jobs[i].expected, list->jobs[0].expected, list->jobs[0].expected_size));
    for (int round = 1; round <= ROUNDS; round++)
        run_round(list, round);
    for (int i = 0; i < list->count; i++) {
        cr_record_destroy(list->jobs[i].record);
        free(list->jobs[i].expected);
    }
    free(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_render_what_one_thread_renders),
    };
    return cmocka_run_group_tests_name("threads", tests, NULL, NULL);
}
