/* The process's helper threads (workers.h): a queue of parts under one
 * lock, helpers that take from it, and callers that take back their own
 * parts no helper has begun. */
#include "workers.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* How long a thread with nothing to do watches for work before it sleeps.
 * Waking a sleeping thread is slow on a virtual machine, and a card's
 * coding is followed at once by its splicing: a helper that has just
 * finished a part finds the next, and a caller its parts done. Measured on
 * the 2-core development VM, one card's PNG on two threads (300 dpi,
 * medians of 31, four runs in turns): 1.57-1.71 ms watching 0.3 ms,
 * 1.68-1.82 ms sleeping at once, against 2.73-2.81 ms on one thread. It
 * costs a helper at most 0.3 ms of CPU after each burst of work. */
enum { SPIN_NS = 300 * 1000 };

/* What a call is waiting for: its parts not yet finished. */
typedef struct work_call {
    atomic_int unfinished;   /* changed under the lock, watched without it */
    pthread_cond_t finished; /* signalled under the lock when it reaches 0 */
} work_call;

/* One part, queued until a helper (or its caller) takes it. */
typedef struct work_part {
    cr_work_func work;
    void *job;
    int index;
    work_call *call;
    struct work_part *next;
} work_part;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t queued_cond; /* a part was queued */
    work_part *head, *tail;
    atomic_int queued; /* parts in the queue, watched without the lock */
    int helpers;
    bool cannot_start; /* pthread_create failed once: no more tries */
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0, 0, false};

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Called with the lock held: releases it and watches *counter for up to
 * SPIN_NS until it is (above zero, or zero, as wanted), then takes the
 * lock again. */
static void watch(atomic_int *counter, bool want_zero)
{
    pthread_mutex_unlock(&pool.lock);
    long long until = now_ns() + SPIN_NS;
    while ((atomic_load(counter) == 0) != want_zero && now_ns() < until)
        ;
    pthread_mutex_lock(&pool.lock);
}

/* Under the lock. */
static void enqueue(work_part *part)
{
    part->next = NULL;
    if (pool.tail)
        pool.tail->next = part;
    else
        pool.head = part;
    pool.tail = part;
    atomic_fetch_add(&pool.queued, 1);
}

/* Under the lock: the first queued part of `call` (any call's when NULL),
 * taken off the queue; NULL when there is none. */
static work_part *take(const work_call *call)
{
    work_part *before = NULL;
    for (work_part *p = pool.head; p; before = p, p = p->next) {
        if (call && p->call != call)
            continue;
        if (before)
            before->next = p->next;
        else
            pool.head = p->next;
        if (pool.tail == p)
            pool.tail = before;
        atomic_fetch_sub(&pool.queued, 1);
        return p;
    }
    return NULL;
}

/* Runs a taken part with the lock released; returns with it held. */
static void run_part(work_part *part)
{
    pthread_mutex_unlock(&pool.lock);
    part->work(part->job, part->index);
    pthread_mutex_lock(&pool.lock);
    if (--part->call->unfinished == 0)
        pthread_cond_signal(&part->call->finished);
}

static void *helper_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        work_part *part = take(NULL);
        if (part) {
            run_part(part);
            continue;
        }
        watch(&pool.queued, false);
        if (!pool.head)
            pthread_cond_wait(&pool.queued_cond, &pool.lock);
    }
    return NULL;
}

/* Under the lock: up to `wanted` helpers, started with every signal
 * blocked (a new thread inherits the mask) and detached. */
static void start_helpers(int wanted)
{
    if (pool.helpers >= wanted || pool.cannot_start)
        return;
    sigset_t all, before;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &before);
    pthread_attr_t attr;
    bool ok = pthread_attr_init(&attr) == 0;
    ok = ok && pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0;
    while (ok && pool.helpers < wanted) {
        pthread_t id;
        ok = pthread_create(&id, &attr, helper_main, NULL) == 0;
        pool.helpers += ok;
    }
    pool.cannot_start = !ok;
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &before, NULL);
}

void cr_workers_run(cr_work_func work, void *job, int count)
{
    count = count < 1 ? 1 : count > CR_WORKERS_MAX ? CR_WORKERS_MAX : count;
    if (count == 1) {
        work(job, 0);
        return;
    }
    work_call call;
    atomic_init(&call.unfinished, count - 1);
    pthread_cond_init(&call.finished, NULL);
    work_part parts[CR_WORKERS_MAX];
    pthread_mutex_lock(&pool.lock);
    start_helpers(count - 1);
    for (int i = 1; i < count; i++) {
        parts[i] = (work_part){work, job, i, &call, NULL};
        enqueue(&parts[i]);
        pthread_cond_signal(&pool.queued_cond);
    }
    pthread_mutex_unlock(&pool.lock);

    work(job, 0);

    pthread_mutex_lock(&pool.lock);
    while (call.unfinished > 0) {
        work_part *own = take(&call);
        if (own) {
            run_part(own);
            continue;
        }
        watch(&call.unfinished, true);
        if (call.unfinished > 0)
            pthread_cond_wait(&call.finished, &pool.lock);
    }
    pthread_mutex_unlock(&pool.lock);
    pthread_cond_destroy(&call.finished);
}
