/* The process's helper threads (workers.h): every part of a call runs
 * exactly once, part 0 on the caller, other parts really on other threads
 * when they can, and calls from many threads at once each get all their
 * own parts done (none waits for another call's work). */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "workers.h"

typedef struct counting_job {
    atomic_int runs[CR_WORKERS_MAX];
    pthread_t caller;
    atomic_bool part0_elsewhere;
    atomic_int on_other_threads; /* parts > 0 that ran off the caller */
    atomic_int running, most_at_once;
    int meet; /* > 0: each part waits (up to 10 s) until this many run at once */
} counting_job;

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void count_part(void *data, int index)
{
    counting_job *job = data;
    int now = atomic_fetch_add(&job->running, 1) + 1;
    for (int most = atomic_load(&job->most_at_once);
         now > most && !atomic_compare_exchange_weak(&job->most_at_once, &most, now);)
        ;
    atomic_fetch_add(&job->runs[index], 1);
    bool on_caller = pthread_equal(pthread_self(), job->caller);
    if (index == 0 && !on_caller)
        atomic_store(&job->part0_elsewhere, true);
    if (index > 0 && !on_caller)
        atomic_fetch_add(&job->on_other_threads, 1);
    for (double give_up = seconds_now() + 10;
         job->meet > 0 && atomic_load(&job->most_at_once) < job->meet && seconds_now() < give_up;)
        sched_yield();
    atomic_fetch_sub(&job->running, 1);
}

static void run_and_check(counting_job *job, int count)
{
    memset(job->runs, 0, sizeof job->runs);
    job->caller = pthread_self();
    cr_workers_run(count_part, job, count);
    int parts = count < 1 ? 1 : count > CR_WORKERS_MAX ? CR_WORKERS_MAX : count;
    for (int i = 0; i < CR_WORKERS_MAX; i++)
        if (atomic_load(&job->runs[i]) != (i < parts))
            fail_msg("count %d: part %d ran %d times", count, i, atomic_load(&job->runs[i]));
    assert_false(atomic_load(&job->part0_elsewhere));
}

/* Every count from 0 (taken as 1) past the limit (taken as the limit). */
static void test_every_part_runs_once(void **state)
{
    (void)state;
    static counting_job job;
    for (int count = 0; count <= CR_WORKERS_MAX + 2; count++)
        run_and_check(&job, count);
}

/* Four parts that each wait until all four run at once: they can only
 * meet if parts 1 to 3 run on helpers while the caller runs part 0 (run
 * one after another, each would give up after 10 s and the test fail). */
static void test_parts_run_on_helpers_at_once(void **state)
{
    (void)state;
    static counting_job job;
    job.meet = 4;
    run_and_check(&job, 4);
    assert_int_equal(atomic_load(&job.on_other_threads), 3);
    assert_int_equal(atomic_load(&job.most_at_once), 4);
    job.meet = 0;
}

enum { CALLERS = 8, CALLS_EACH = 300 };

static void *call_many_times(void *data)
{
    counting_job *job = data;
    for (int k = 0; k < CALLS_EACH; k++)
        run_and_check(job, 1 + k % 9);
    return NULL;
}

/* Eight threads call at once, more parts than there are helpers or cores:
 * every call's parts run once each and every call returns. */
static void test_concurrent_callers(void **state)
{
    (void)state;
    static counting_job jobs[CALLERS];
    pthread_t threads[CALLERS];
    for (int i = 0; i < CALLERS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, call_many_times, &jobs[i]), 0);
    for (int i = 0; i < CALLERS; i++)
        pthread_join(threads[i], NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_part_runs_once),
        cmocka_unit_test(test_parts_run_on_helpers_at_once),
        cmocka_unit_test(test_concurrent_callers),
    };
    return cmocka_run_group_tests_name("workers", tests, NULL, NULL);
}
