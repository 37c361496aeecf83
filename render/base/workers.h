/* Helper threads that share one job among several threads: the PNG
 * writer codes and splices the segments of one card on them (png_plan.c),
 * so a single card's latency falls with more cores.
 *
 * The helpers belong to the process, not to an engine or an image: they
 * are started the first time a call needs them (as many as the largest call
 * has asked for, at most CR_WORKERS_MAX - 1), then wait for the next call,
 * so a card pays no thread start. They block every signal, which go to the
 * application's threads as before.
 *
 * A call never waits for a helper to be free: a part that no helper has
 * begun by the time the caller finishes its own is run by the caller. Calls
 * from many threads at once (a service rendering several cards) share the
 * helpers without deadlock, and where threads cannot be started (or after
 * fork(), which copies no helper) every part still runs, on the caller. */
#ifndef CR_WORKERS_H
#define CR_WORKERS_H

enum { CR_WORKERS_MAX = 64 };

/* One part of a job: index 0 .. count - 1 of the call. */
typedef void (*cr_work_func)(void *job, int index);

/* Runs work(job, i) for every i in [0, count) and returns when all have
 * returned; part 0 on the calling thread, the others on helpers or, failing
 * them, on the caller. count is clamped to [1, CR_WORKERS_MAX]. The parts
 * run concurrently or not, in any order: work must not wait for another
 * part. */
void cr_workers_run(cr_work_func work, void *job, int count);

#endif
