/* The batch pool: a ring of slots under one mutex. Counters only grow;
 * slot i is ring[i % window]. Workers claim slots in order, the caller
 * takes them back in order, so a slot is reused only once taken. */
#include "batch_pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

typedef struct pool_slot {
    void *job;
    bool done;
} pool_slot;

struct cr_batch_pool {
    pthread_mutex_t lock;
    pthread_cond_t work_ready; /* a job to run, or stop */
    pthread_cond_t job_done;   /* a job finished */
    pool_slot *ring;
    size_t window;
    size_t submitted, taken, next_work;
    bool stop;
    cr_batch_work_func work;
    void *context;
    pthread_t *threads;
    int thread_count;
};

static pool_slot *slot_at(cr_batch_pool *pool, size_t index)
{
    return &pool->ring[index % pool->window];
}

/* Called with the lock held: the index of the next job to run, skipping
 * those that need no work; false when there is none yet. */
static bool claim_job(cr_batch_pool *pool, size_t *index)
{
    /* Jobs that needed no work may have been taken before any worker looked
     * at them; their slots may hold newer jobs now. */
    if (pool->next_work < pool->taken)
        pool->next_work = pool->taken;
    while (pool->next_work < pool->submitted && slot_at(pool, pool->next_work)->done)
        pool->next_work++;
    if (pool->next_work == pool->submitted)
        return false;
    *index = pool->next_work++;
    return true;
}

static void *worker_main(void *arg)
{
    cr_batch_pool *pool = arg;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        size_t index;
        if (claim_job(pool, &index)) {
            void *job = slot_at(pool, index)->job;
            pthread_mutex_unlock(&pool->lock);
            pool->work(pool->context, job);
            pthread_mutex_lock(&pool->lock);
            slot_at(pool, index)->done = true;
            pthread_cond_signal(&pool->job_done);
        } else if (pool->stop) {
            break;
        } else {
            pthread_cond_wait(&pool->work_ready, &pool->lock);
        }
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

static void stop_workers(cr_batch_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    pool->stop = true;
    pthread_cond_broadcast(&pool->work_ready);
    pthread_mutex_unlock(&pool->lock);
    for (int i = 0; i < pool->thread_count; i++)
        pthread_join(pool->threads[i], NULL);
    pool->thread_count = 0;
}

void cr_batch_pool_destroy(cr_batch_pool *pool)
{
    if (!pool)
        return;
    stop_workers(pool);
    pthread_cond_destroy(&pool->job_done);
    pthread_cond_destroy(&pool->work_ready);
    pthread_mutex_destroy(&pool->lock);
    free(pool->threads);
    free(pool->ring);
    free(pool);
}

cr_batch_pool *cr_batch_pool_create(int threads, size_t window, cr_batch_work_func work,
                                    void *context, cr_error *err)
{
    cr_error_clear(err);
    if (threads < 1 || window < 1 || !work) {
        cr_fail(err, CR_ERR_ARGUMENT, "a batch pool needs a thread, a window and a work function");
        return NULL;
    }
    cr_batch_pool *pool = calloc(1, sizeof *pool);
    if (!pool || !(pool->ring = calloc(window, sizeof *pool->ring)) ||
        !(pool->threads = calloc((size_t)threads, sizeof *pool->threads))) {
        if (pool)
            free(pool->ring);
        free(pool);
        cr_fail(err, CR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->work_ready, NULL);
    pthread_cond_init(&pool->job_done, NULL);
    pool->window = window;
    pool->work = work;
    pool->context = context;
    for (; pool->thread_count < threads; pool->thread_count++) {
        int failure = pthread_create(&pool->threads[pool->thread_count], NULL, worker_main, pool);
        if (failure) {
            cr_fail(err, CR_ERR_INTERNAL, "cannot start worker thread %d: %s",
                    pool->thread_count + 1, strerror(failure));
            cr_batch_pool_destroy(pool);
            return NULL;
        }
    }
    return pool;
}

bool cr_batch_pool_full(const cr_batch_pool *pool)
{
    /* Only the caller's thread changes submitted and taken. */
    return pool->submitted - pool->taken >= pool->window;
}

void cr_batch_pool_submit(cr_batch_pool *pool, void *job, bool needs_work)
{
    pthread_mutex_lock(&pool->lock);
    pool_slot *slot = slot_at(pool, pool->submitted++);
    slot->job = job;
    slot->done = !needs_work;
    if (needs_work)
        pthread_cond_signal(&pool->work_ready);
    pthread_mutex_unlock(&pool->lock);
}

void *cr_batch_pool_take(cr_batch_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    void *job = NULL;
    if (pool->taken < pool->submitted) {
        while (!slot_at(pool, pool->taken)->done)
            pthread_cond_wait(&pool->job_done, &pool->lock);
        job = slot_at(pool, pool->taken++)->job;
    }
    pthread_mutex_unlock(&pool->lock);
    return job;
}
