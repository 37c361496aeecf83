/* The service's places (service.h, cr_service_place): a server that queues
 * requests for worker threads takes a place before queueing, so that no
 * more than max_requests wait or work at once; every place taken is given
 * back when its request is answered, whatever the answer; a refused one is
 * answered 503 without being worked on. Counted here through
 * cr_service_admit, the only way a server sees them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "service.h"
#include "support.h"

enum { PLACES = 2 };

static cr_service *service_with_places(void)
{
    cr_service_config config = {.templates_dir = "templates", .max_requests = PLACES};
    cr_error err;
    cr_service *s = cr_service_create(fixture_engine, &config, &err);
    if (!s)
        fail_msg("%s", err.message);
    return s;
}

static int answer(cr_service *s, const char *method, const char *path, const char *type,
                  const char *body, cr_service_place place)
{
    cr_service_request in = {.method = method,
                             .path = path,
                             .content_type = type,
                             .loopback = true,
                             .body = (const uint8_t *)body,
                             .length = body ? strlen(body) : 0,
                             .place = place};
    cr_service_response r;
    cr_service_handle(s, &in, &r);
    int status = r.status;
    cr_service_response_free(&r);
    return status;
}

/* Answers a GET /v1/templates that held a place: gives one back. */
static void give_back(cr_service *s)
{
    assert_int_equal(answer(s, "GET", "/v1/templates", NULL, NULL, CR_SERVICE_PLACE_HELD), 200);
}

/* How many places are free now: taken one by one until refused, then
 * given back. */
static int free_places(cr_service *s)
{
    int taken = 0;
    while (taken <= PLACES && cr_service_admit(s))
        taken++;
    for (int i = 0; i < taken; i++)
        give_back(s);
    return taken;
}

static void test_admit_counts_to_max_requests(void **state)
{
    (void)state;
    cr_service *s = service_with_places();
    assert_true(cr_service_admit(s));
    assert_true(cr_service_admit(s));
    assert_false(cr_service_admit(s)); /* both taken */
    give_back(s);
    assert_true(cr_service_admit(s)); /* one given back, taken again */
    assert_false(cr_service_admit(s));
    give_back(s);
    give_back(s);
    assert_int_equal(free_places(s), PLACES);
    cr_service_destroy(s);
}

/* A held place comes back whatever the answer: a render, a refused media
 * type, a malformed body, a path that does not exist. */
static void test_held_place_given_back_on_every_answer(void **state)
{
    (void)state;
    cr_service *s = service_with_places();
    const char *render = "{\"template\": \"resident-id-zh-emblem\", \"record\": {"
                         "\"authority\": \"北京市公安局朝阳分局\", "
                         "\"validity\": \"2016.03.01-2036.03.01\"}}";
    struct {
        const char *method, *path, *type, *body;
        int status;
    } cases[] = {
        {"POST", "/v1/render", "application/json", render, 200},
        {"POST", "/v1/render", "text/plain", render, 415},
        {"POST", "/v1/check", "application/json", "{\"template\": ", 400},
        {"POST", "/v1/nothing", "application/json", "{}", 404},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_true(cr_service_admit(s));
        assert_int_equal(answer(s, cases[i].method, cases[i].path, cases[i].type, cases[i].body,
                                CR_SERVICE_PLACE_HELD),
                         cases[i].status);
        assert_int_equal(free_places(s), PLACES);
    }
    cr_service_destroy(s);
}

/* Refused: 503 at once, nothing worked on and no place taken or given. */
static void test_refused_is_503_and_keeps_the_count(void **state)
{
    (void)state;
    cr_service *s = service_with_places();
    assert_true(cr_service_admit(s));
    assert_int_equal(answer(s, "POST", "/v1/render", "application/json", "{\"template\": 1}",
                            CR_SERVICE_PLACE_REFUSED),
                     503);
    assert_int_equal(free_places(s), PLACES - 1);
    give_back(s);
    assert_int_equal(free_places(s), PLACES);
    cr_service_destroy(s);
}

/* A server that answers where it reads (the default) takes its own place:
 * 503 while every place is taken, and nothing left taken afterwards. */
static void test_take_answers_503_when_full(void **state)
{
    (void)state;
    cr_service *s = service_with_places();
    const char *bad = "{\"template\": 1}";
    assert_int_equal(
        answer(s, "POST", "/v1/render", "application/json", bad, CR_SERVICE_PLACE_TAKE), 400);
    assert_int_equal(free_places(s), PLACES);
    assert_true(cr_service_admit(s));
    assert_true(cr_service_admit(s));
    assert_int_equal(
        answer(s, "POST", "/v1/render", "application/json", bad, CR_SERVICE_PLACE_TAKE), 503);
    give_back(s);
    give_back(s);
    assert_int_equal(free_places(s), PLACES);
    cr_service_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admit_counts_to_max_requests),
        cmocka_unit_test(test_held_place_given_back_on_every_answer),
        cmocka_unit_test(test_refused_is_503_and_keeps_the_count),
        cmocka_unit_test(test_take_answers_503_when_full),
    };
    return cmocka_run_group_tests(tests, engine_setup, engine_teardown);
}
