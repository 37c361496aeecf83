/* The engine's photo memory budget (cr_engine_options.max_memory): a photo
 * is admitted with what its decode holds at most, the file's bytes plus 4
 * bytes a pixel (hand-computed here for the 358 x 441 golden portrait:
 * 43,778 + 358 * 441 * 4 = 675,290 bytes); one needing more than the whole
 * budget is refused naming it; threads that together need more than the
 * budget wait for each other, so the most ever held stays within it and
 * everything is given back. Run from the project root. */
#include <pthread.h>
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
#include "support.h"

#define CASE "tests/golden/zh-photo-side/"
#define PORTRAIT_NEEDS 675290u

static cr_engine *engine_with_budget(uint64_t bytes)
{
    cr_engine_options options;
    cr_engine_options_init(&options);
    options.font_manifest_path = "fonts/manifest.json";
    options.max_memory = bytes;
    cr_error err;
    cr_engine *engine = cr_engine_create(&options, &err);
    if (!engine)
        fail_msg("%s", err.message);
    return engine;
}

typedef struct card_job {
    cr_engine *engine;
    const cr_template *tpl;
    const cr_record *record;
    cr_status status;
    char message[1024];
} card_job;

static void *render_card(void *argument)
{
    card_job *job = argument;
    cr_render_options options;
    cr_render_options_init(&options);
    options.asset_dir = CASE;
    cr_error err;
    cr_image *image = cr_render(job->engine, job->tpl, job->record, &options, &err);
    job->status = image ? CR_OK : err.code;
    snprintf(job->message, sizeof job->message, "%s", image ? "" : err.message);
    cr_image_destroy(image);
    return NULL;
}

static void load_case(cr_engine *engine, cr_template **tpl, cr_record **record)
{
    cr_error err;
    *tpl = cr_template_load_file(engine, CASE "template.json", &err);
    if (!*tpl)
        fail_msg("%s", err.message);
    *record = cr_record_load_file(CASE "record.json", &err);
    if (!*record)
        fail_msg("%s", err.message);
}

static void test_photo_over_the_whole_budget_is_refused(void **state)
{
    cr_engine *engine = engine_with_budget(PORTRAIT_NEEDS - 1);
    cr_template *tpl;
    cr_record *record;
    load_case(engine, &tpl, &record);
    card_job job = {engine, tpl, record, CR_OK, ""};
    render_card(&job);
    assert_int_equal(job.status, CR_ERR_IMAGE);
    assert_non_null(strstr(job.message, "portrait-358x441.jpg: decoding it needs 675290 bytes, "
                                        "more than the engine's memory budget of 675289 bytes"));
    assert_true(engine->memory.in_use == 0);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
    cr_engine_destroy(engine);

    engine = engine_with_budget(PORTRAIT_NEEDS); /* exactly enough */
    load_case(engine, &tpl, &record);
    job = (card_job){engine, tpl, record, CR_OK, ""};
    render_card(&job);
    assert_int_equal(job.status, CR_OK);
    assert_true(engine->memory.peak == PORTRAIT_NEEDS);
    assert_true(engine->memory.in_use == 0);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
    cr_engine_destroy(engine);
}

/* Eight threads, a budget for one and a half photos: they take turns. */
static void test_threads_stay_within_the_budget(void **state)
{
    uint64_t budget = PORTRAIT_NEEDS * 3 / 2;
    cr_engine *engine = engine_with_budget(budget);
    cr_template *tpl;
    cr_record *record;
    load_case(engine, &tpl, &record);
    enum { THREADS = 8 };
    card_job jobs[THREADS];
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (card_job){engine, tpl, record, CR_OK, ""};
        assert_int_equal(pthread_create(&threads[i], NULL, render_card, &jobs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        if (jobs[i].status != CR_OK)
            fail_msg("thread %d: %s", i, jobs[i].message);
    }
    assert_true(engine->memory.peak == PORTRAIT_NEEDS); /* never two at once */
    assert_true(engine->memory.in_use == 0);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
    cr_engine_destroy(engine);
}

/* Without a budget named: half the machine's memory, never 0. */
static void test_default_budget(void **state)
{
    cr_engine *engine = engine_with_budget(0);
    assert_true(engine->memory.limit >= (uint64_t)64 << 20);
    cr_engine_destroy(engine);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_photo_over_the_whole_budget_is_refused),
        cmocka_unit_test(test_threads_stay_within_the_budget),
        cmocka_unit_test(test_default_budget),
    };
    return cmocka_run_group_tests_name("memory budget", tests, NULL, NULL);
}
