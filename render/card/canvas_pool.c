/* Canvases kept for the next card (canvas_pool.h). */
#include "canvas_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "pixel_memory.h"

typedef struct kept_canvas {
    uint8_t *pixels;
    cr_png_box *changed;
    size_t changed_count;
} kept_canvas;

struct cr_canvas_pool {
    atomic_int references;
    pthread_mutex_t lock; /* guards kept and count */
    int width, height, stride;
    cr_pixel_box *always;
    size_t always_count;
    kept_canvas kept[CR_CANVAS_POOL_MAX];
    size_t count;
};

cr_canvas_pool *cr_canvas_pool_create(const cr_canvas *base, const cr_pixel_box *always,
                                      size_t always_count)
{
    cr_canvas_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    pool->always = always_count ? malloc(always_count * sizeof *always) : NULL;
    if ((always_count && !pool->always) || pthread_mutex_init(&pool->lock, NULL) != 0) {
        free(pool->always);
        free(pool);
        return NULL;
    }
    if (always_count)
        memcpy(pool->always, always, always_count * sizeof *always);
    pool->always_count = always_count;
    atomic_init(&pool->references, 1);
    pool->width = base->width;
    pool->height = base->height;
    pool->stride = base->stride;
    return pool;
}

cr_canvas_pool *cr_canvas_pool_ref(cr_canvas_pool *pool)
{
    if (pool)
        atomic_fetch_add(&pool->references, 1);
    return pool;
}

void cr_canvas_pool_unref(cr_canvas_pool *pool)
{
    if (!pool || atomic_fetch_sub(&pool->references, 1) != 1)
        return;
    for (size_t i = 0; i < pool->count; i++) {
        cr_pixel_memory_free(pool->kept[i].pixels);
        free(pool->kept[i].changed);
    }
    pthread_mutex_destroy(&pool->lock);
    free(pool->always);
    free(pool);
}

/* The pixels of `box` that lie on base copied from it into pixels. */
static void copy_back(const cr_canvas *base, uint8_t *pixels, cr_pixel_box box)
{
    box = cr_pixel_box_intersect(box, (cr_pixel_box){0, 0, base->width, base->height});
    if (cr_pixel_box_empty(box))
        return;
    size_t from = (size_t)box.x0 * 3, length = (size_t)(box.x1 - box.x0) * 3;
    for (int y = box.y0; y < box.y1; y++) {
        size_t row = (size_t)y * (size_t)base->stride;
        memcpy(pixels + row + from, base->pixels + row + from, length);
    }
}

bool cr_canvas_pool_take(cr_canvas_pool *pool, const cr_canvas *base, cr_canvas *out)
{
    if (!pool || base->width != pool->width || base->height != pool->height ||
        base->stride != pool->stride)
        return false;
    pthread_mutex_lock(&pool->lock);
    kept_canvas kept = pool->count ? pool->kept[--pool->count] : (kept_canvas){0};
    pthread_mutex_unlock(&pool->lock);
    if (!kept.pixels)
        return false;
    for (size_t i = 0; i < kept.changed_count; i++) {
        const cr_png_box *b = &kept.changed[i];
        copy_back(base, kept.pixels, (cr_pixel_box){b->x0, b->y0, b->x1, b->y1});
    }
    for (size_t i = 0; i < pool->always_count; i++)
        copy_back(base, kept.pixels, pool->always[i]);
    free(kept.changed);
    *out = (cr_canvas){base->width, base->height, base->stride, kept.pixels};
    return true;
}

void cr_canvas_pool_give(cr_canvas_pool *pool, cr_canvas *canvas, cr_png_box *changed,
                         size_t changed_count)
{
    bool fits = pool && canvas->pixels && canvas->width == pool->width &&
                canvas->height == pool->height && canvas->stride == pool->stride;
    if (fits) {
        pthread_mutex_lock(&pool->lock);
        fits = pool->count < CR_CANVAS_POOL_MAX;
        if (fits)
            pool->kept[pool->count++] = (kept_canvas){canvas->pixels, changed, changed_count};
        pthread_mutex_unlock(&pool->lock);
    }
    if (!fits) {
        cr_pixel_memory_free(canvas->pixels);
        free(changed);
    }
    memset(canvas, 0, sizeof *canvas);
}

size_t cr_canvas_pool_kept(cr_canvas_pool *pool)
{
    if (!pool)
        return 0;
    pthread_mutex_lock(&pool->lock);
    size_t count = pool->count;
    pthread_mutex_unlock(&pool->lock);
    return count;
}
