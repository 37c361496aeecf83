/* Worker threads for a batch: jobs go in in order, run on any of N threads
 * and come out in the order they went in, so whatever the caller reports
 * about them does not depend on the number of threads or on timing. */
#ifndef CR_BATCH_POOL_H
#define CR_BATCH_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include "cardrender.h"

/* Runs one job on a worker thread. */
typedef void (*cr_batch_work_func)(void *context, void *job);

typedef struct cr_batch_pool cr_batch_pool;

/* Starts `threads` workers (>= 1); at most `window` jobs (>= 1) are between
 * submit and take at a time. NULL with err when a thread cannot start. */
cr_batch_pool *cr_batch_pool_create(int threads, size_t window, cr_batch_work_func work,
                                    void *context, cr_error *err);

/* True when the window is full: take a job before submitting another. */
bool cr_batch_pool_full(const cr_batch_pool *pool);

/* Queues job behind the earlier ones; a job that needs no work (it failed
 * or was skipped before) still comes out of take in its turn. The window
 * must not be full. */
void cr_batch_pool_submit(cr_batch_pool *pool, void *job, bool needs_work);

/* The oldest job once it is finished, waiting for it; NULL when none is
 * queued. */
void *cr_batch_pool_take(cr_batch_pool *pool);

/* Stops and joins the workers. Take every job first: jobs still queued are
 * neither run nor freed. */
void cr_batch_pool_destroy(cr_batch_pool *pool);

#endif
