/* Kernels and weights of the resampler (resample_plan.h). */
#include "resample_plan.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "resample_opaque.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define WEIGHT_ONE CR_WEIGHT_ONE

/* ---------------------------------------------------------------- kernels */

typedef struct kernel {
    double radius; /* the kernel is zero outside (-radius, radius) */
    double (*at)(double x);
} kernel;

static double sinc(double x)
{
    if (x == 0.0)
        return 1.0;
    double px = M_PI * x;
    return sin(px) / px;
}

static double lanczos3(double x)
{
    return fabs(x) < 3.0 ? sinc(x) * sinc(x / 3.0) : 0.0;
}

static double lanczos2(double x)
{
    return fabs(x) < 2.0 ? sinc(x) * sinc(x / 2.0) : 0.0;
}

/* Mitchell-Netravali with B = C = 1/3, multiplied out. */
static double mitchell(double x)
{
    x = fabs(x);
    if (x < 1.0)
        return (7.0 * x * x * x - 12.0 * x * x + 16.0 / 3.0) / 6.0;
    if (x < 2.0)
        return (-7.0 / 3.0 * x * x * x + 12.0 * x * x - 20.0 * x + 32.0 / 3.0) / 6.0;
    return 0.0;
}

static double box(double x)
{
    return x >= -0.5 && x < 0.5 ? 1.0 : 0.0;
}

static kernel kernel_for(cr_resample_filter filter)
{
    switch (filter) {
    case CR_RESAMPLE_LANCZOS2:
        return (kernel){2.0, lanczos2};
    case CR_RESAMPLE_MITCHELL:
        return (kernel){2.0, mitchell};
    case CR_RESAMPLE_BOX:
        return (kernel){0.5, box};
    default:
        return (kernel){3.0, lanczos3};
    }
}

/* ---------------------------------------------------------------- weights */

void cr_axis_plan_free(cr_axis_plan *plan)
{
    free(plan->first);
    free(plan->taps);
    free(plan->weight);
    free(plan->pair);
    free(plan->weight14);
    memset(plan, 0, sizeof *plan);
}

/* Rounds real weights to integers that sum exactly to WEIGHT_ONE: the
 * rounding remainder goes to the largest weight, where it matters least. */
static void quantize_weights(const double *real, int count, double sum, int32_t *out)
{
    int64_t total = 0;
    int largest = 0;
    for (int i = 0; i < count; i++) {
        out[i] = (int32_t)lround(real[i] / sum * WEIGHT_ONE);
        total += out[i];
        if (fabs(real[i]) > fabs(real[largest]))
            largest = i;
    }
    out[largest] += (int32_t)(WEIGHT_ONE - total);
}

/* The same rule for the opaque path's int16 weights summing to 2^14. False
 * when they do not fit its int32 sums (resample_opaque.h): a window cut by
 * the picture's edge is renormalised and can blow its weights up. */
static bool quantize_weights14(const double *real, int count, double sum, int16_t *out)
{
    int64_t total = 0, magnitude = 0;
    int largest = 0;
    for (int i = 0; i < count; i++) {
        double scaled = real[i] / sum * CR_OPAQUE_WEIGHT_ONE;
        long rounded = fabs(scaled) < 65536.0 ? lround(scaled) : 65536;
        if (rounded > 32767 || rounded < -32767)
            return false;
        out[i] = (int16_t)rounded;
        total += out[i];
        if (fabs(real[i]) > fabs(real[largest]))
            largest = i;
    }
    int64_t fixed = out[largest] + (CR_OPAQUE_WEIGHT_ONE - total);
    if (fixed > 32767 || fixed < -32767)
        return false;
    out[largest] = (int16_t)fixed;
    for (int i = 0; i < count; i++)
        magnitude += abs(out[i]);
    return magnitude <= CR_OPAQUE_MAX_ABS_SUM;
}

/* One output sample centred on `center` (source units). Taps whose weight
 * is zero at either end are dropped; a kernel that sees no source pixel
 * (impossible for areas inside the image) falls back to the nearest.
 * Returns whether its int16 weights fit the opaque path. */
static bool plan_sample(const cr_axis_plan *plan, int index, int in_size, double center,
                        double filter_scale, kernel k, double *scratch)
{
    double support = k.radius * filter_scale;
    int lo = (int)floor(center - support), hi = (int)ceil(center + support);
    lo = lo < 0 ? 0 : lo;
    hi = hi > in_size ? in_size : hi;
    double sum = 0.0;
    for (int j = lo; j < hi; j++) {
        scratch[j - lo] = k.at((j + 0.5 - center) / filter_scale);
        sum += scratch[j - lo];
    }
    int32_t *weight = plan->weight + (size_t)index * (size_t)plan->max_taps;
    int16_t *weight14 = plan->weight14 + (size_t)index * (size_t)plan->max_taps;
    if (hi <= lo || sum == 0.0) {
        int nearest = (int)floor(center);
        plan->first[index] = nearest < 0 ? 0 : nearest >= in_size ? in_size - 1 : nearest;
        plan->taps[index] = 1;
        weight[0] = WEIGHT_ONE;
        weight14[0] = CR_OPAQUE_WEIGHT_ONE;
        return true;
    }
    int count = hi - lo, skip = 0;
    while (skip < count - 1 && scratch[skip] == 0.0)
        skip++;
    while (count - 1 > skip && scratch[count - 1] == 0.0)
        count--;
    plan->first[index] = lo + skip;
    plan->taps[index] = count - skip;
    quantize_weights(scratch + skip, count - skip, sum, weight);
    return quantize_weights14(scratch + skip, count - skip, sum, weight14);
}

static cr_status axis_plan_build(int in_size, double start, double span, int out_size,
                                 cr_resample_filter filter, cr_axis_plan *plan, cr_error *err)
{
    memset(plan, 0, sizeof *plan);
    double scale = span / out_size; /* source pixels per output pixel */
    double filter_scale = scale > 1.0 ? scale : 1.0;
    kernel k = kernel_for(filter);
    plan->out_size = out_size;
    double taps = ceil(2.0 * k.radius * filter_scale) + 2; /* never more than the source */
    plan->max_taps = taps < in_size + 2.0 ? (int)taps : in_size + 2;
    plan->first = malloc(sizeof *plan->first * (size_t)out_size);
    plan->taps = malloc(sizeof *plan->taps * (size_t)out_size);
    plan->weight = calloc((size_t)out_size * (size_t)plan->max_taps, sizeof *plan->weight);
    plan->weight14 = calloc((size_t)out_size * (size_t)plan->max_taps, sizeof *plan->weight14);
    plan->fits14 = true;
    double *scratch = malloc(sizeof *scratch * (size_t)plan->max_taps);
    if (!plan->first || !plan->taps || !plan->weight || !plan->weight14 || !scratch) {
        free(scratch);
        cr_axis_plan_free(plan);
        return cr_fail(err, CR_ERR_NOMEM, "out of memory for resampling weights");
    }
    for (int i = 0; i < out_size; i++)
        if (!plan_sample(plan, i, in_size, start + (i + 0.5) * scale, filter_scale, k, scratch))
            plan->fits14 = false;
    free(scratch);
    return CR_OK;
}

/* The exact path's doubles (cr_axis_plan.pair). */
cr_status cr_axis_plan_add_pairs(cr_axis_plan *plan, cr_error *err)
{
    size_t count = (size_t)plan->out_size * (size_t)plan->max_taps;
    plan->pair = malloc(sizeof *plan->pair * 2 * count);
    if (!plan->pair)
        return cr_fail(err, CR_ERR_NOMEM, "out of memory for resampling weights");
    for (size_t i = 0; i < count; i++)
        plan->pair[2 * i] = plan->pair[2 * i + 1] = plan->weight[i];
    return CR_OK;
}

/* A copy of `from` without its pairs. */
static bool axis_plan_copy(const cr_axis_plan *from, cr_axis_plan *to)
{
    size_t outputs = (size_t)from->out_size, count = outputs * (size_t)from->max_taps;
    *to = (cr_axis_plan){.out_size = from->out_size, .max_taps = from->max_taps};
    to->first = malloc(sizeof *to->first * outputs);
    to->taps = malloc(sizeof *to->taps * outputs);
    to->weight = malloc(sizeof *to->weight * count);
    to->weight14 = malloc(sizeof *to->weight14 * count);
    if (!to->first || !to->taps || !to->weight || !to->weight14) {
        cr_axis_plan_free(to);
        return false;
    }
    memcpy(to->first, from->first, sizeof *to->first * outputs);
    memcpy(to->taps, from->taps, sizeof *to->taps * outputs);
    memcpy(to->weight, from->weight, sizeof *to->weight * count);
    memcpy(to->weight14, from->weight14, sizeof *to->weight14 * count);
    to->fits14 = from->fits14;
    return true;
}

/* The cards of a batch scale photos of one size into one box: the last few
 * plans are kept, since the same parameters give the same plan and the
 * kernels' sin() calls cost about 0.1 ms a card. Shared by all threads. */
typedef struct plan_key {
    int in_size, out_size;
    double start, span;
    cr_resample_filter filter;
} plan_key;

#define PLAN_CACHE_SLOTS 4
#define PLAN_CACHE_MAX_WEIGHTS (1 << 18) /* bigger plans (huge reductions) are not kept */

static struct {
    pthread_mutex_t lock;
    int next; /* the slot to fill next */
    struct {
        bool used;
        plan_key key;
        cr_axis_plan plan;
    } slot[PLAN_CACHE_SLOTS];
} plan_cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static bool same_key(plan_key a, plan_key b)
{
    return a.in_size == b.in_size && a.out_size == b.out_size && a.start == b.start &&
           a.span == b.span && a.filter == b.filter;
}

cr_status cr_axis_plan_get(int in_size, double start, double span, int out_size,
                           cr_resample_filter filter, cr_axis_plan *plan, cr_error *err)
{
    plan_key key = {in_size, out_size, start, span, filter};
    bool found = false, copied = false;
    pthread_mutex_lock(&plan_cache.lock);
    for (int i = 0; i < PLAN_CACHE_SLOTS && !found; i++)
        if (plan_cache.slot[i].used && same_key(plan_cache.slot[i].key, key)) {
            found = true;
            copied = axis_plan_copy(&plan_cache.slot[i].plan, plan);
        }
    pthread_mutex_unlock(&plan_cache.lock);
    if (copied)
        return CR_OK;
    if (found)
        return cr_fail(err, CR_ERR_NOMEM, "out of memory for resampling weights");
    cr_status status = axis_plan_build(in_size, start, span, out_size, filter, plan, err);
    cr_axis_plan kept;
    if (status != CR_OK || (size_t)out_size * (size_t)plan->max_taps > PLAN_CACHE_MAX_WEIGHTS ||
        !axis_plan_copy(plan, &kept))
        return status;
    pthread_mutex_lock(&plan_cache.lock);
    int i = plan_cache.next;
    plan_cache.next = (i + 1) % PLAN_CACHE_SLOTS;
    cr_axis_plan_free(&plan_cache.slot[i].plan);
    plan_cache.slot[i].used = true;
    plan_cache.slot[i].key = key;
    plan_cache.slot[i].plan = kept;
    pthread_mutex_unlock(&plan_cache.lock);
    return status;
}

/* Computed rather than read off the first and last outputs: windows move
 * forward with the output, but a kernel value of exactly 0 next to a
 * window's end (trimmed) could make one start a sample after the next. */
void cr_axis_plan_extent(const cr_axis_plan *plan, int *lo, int *hi)
{
    *lo = plan->first[0], *hi = 0;
    for (int i = 0; i < plan->out_size; i++) {
        int end = plan->first[i] + plan->taps[i];
        *lo = plan->first[i] < *lo ? plan->first[i] : *lo;
        *hi = end > *hi ? end : *hi;
    }
}
