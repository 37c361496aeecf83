/* The process's helper threads (workers.h): a queue of parts under one
 * lock, helpers that take from it, and callers that take back their own
 * parts no helper has begun. */
#include "workers.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

/* What a call is waiting for: its parts not yet finished. */
typedef struct work_call {
    int unfinished;
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
    pthread_cond_t queued; /* a part was queued */
    work_part *head, *tail;
    int helpers;
    bool cannot_start; /* pthread_create failed once: no more tries */
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0, false};

/* Under the lock. */
static void enqueue(work_part *part)
{
    part->next = NULL;
    if (pool.tail)
        pool.tail->next = part;
    else
        pool.head = part;
    pool.tail = part;
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
        if (part)
            run_part(part);
        else
            pthread_cond_wait(&pool.queued, &pool.lock);
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
    work_call call = {.unfinished = count - 1};
    pthread_cond_init(&call.finished, NULL);
    work_part parts[CR_WORKERS_MAX];
    pthread_mutex_lock(&pool.lock);
    start_helpers(count - 1);
    for (int i = 1; i < count; i++) {
        parts[i] = (work_part){work, job, i, &call, NULL};
        enqueue(&parts[i]);
        pthread_cond_signal(&pool.queued);
    }
    pthread_mutex_unlock(&pool.lock);

    work(job, 0);

    pthread_mutex_lock(&pool.lock);
    while (call.unfinished > 0) {
        work_part *own = take(&call);
        if (own)
            run_part(own);
        else
            pthread_cond_wait(&call.finished, &pool.lock);
    }
    pthread_mutex_unlock(&pool.lock);
    pthread_cond_destroy(&call.finished);
}
