/* The weights of the resampler (resample.c, internal): for each output
 * sample along one axis, which source samples it reads and with what
 * integer weights, from the filter's kernel widened when reducing. One
 * plan serves both paths: the exact one (weights summing to 2^20) and the
 * opaque one (int16 weights summing to 2^14, resample_opaque.h). */
#ifndef CR_RESAMPLE_PLAN_H
#define CR_RESAMPLE_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "cardrender.h"
#include "values.h"

#define CR_WEIGHT_BITS 20
#define CR_WEIGHT_ONE (1 << CR_WEIGHT_BITS)

typedef struct cr_axis_plan {
    int out_size;
    int max_taps;
    int *first;        /* first source index, per output sample */
    int *taps;         /* number of source samples, per output sample */
    int32_t *weight;   /* out_size * max_taps, summing to CR_WEIGHT_ONE per sample */
    double *pair;      /* each weight twice, as a double: what the SSE2 path loads */
    int16_t *weight14; /* the same, summing to CR_OPAQUE_WEIGHT_ONE: the opaque path's */
    bool fits14;       /* every weight14 fits (resample_opaque.h): the opaque path may run */
} cr_axis_plan;

/* The plan for out_size samples over [start, start + span) of in_size
 * source samples. The last few plans are kept (cards of a batch scale
 * photos of one size into one box): the same arguments give the same plan
 * without recomputing the kernels. Safe from any thread. */
cr_status cr_axis_plan_get(int in_size, double start, double span, int out_size,
                           cr_resample_filter filter, cr_axis_plan *plan, cr_error *err);

/* Fills plan->pair (NULL until then), which the exact path reads. */
cr_status cr_axis_plan_add_pairs(cr_axis_plan *plan, cr_error *err);

void cr_axis_plan_free(cr_axis_plan *plan);

/* The source samples [*lo, *hi) that the plan reads. */
void cr_axis_plan_extent(const cr_axis_plan *plan, int *lo, int *hi);

#endif
