/* The engine object: what one cr_engine owns and shares between threads:
 * the font manifest, the loaded fonts and the cache of rasterised glyphs.
 * The glyph cache is only named here, so the template model, which needs
 * the fonts, does not include a painting header. */
#ifndef CR_ENGINE_H
#define CR_ENGINE_H

#include <pthread.h>
#include <stdint.h>

#include "cardrender.h"
#include "fonts.h"

/* The photo memory every thread of an engine shares (max_memory). */
typedef struct cr_memory_budget {
    pthread_mutex_t lock;
    pthread_cond_t given_back;
    uint64_t limit, in_use;
    uint64_t peak; /* the most ever held at once, for tests */
} cr_memory_budget;

struct cr_engine {
    _Atomic int refs;
    cr_font_manifest *manifest;
    cr_font_library *fonts;
    struct cr_glyph_cache *glyphs; /* glyph_cache.h */
    struct cr_break_pool *breaks;  /* break_pool.h: line-break iterators for reuse */
    cr_memory_budget memory;
    bool no_static_cache; /* cr_engine_options.no_static_cache */
};

/* Takes bytes from the engine's budget for the photo `name`, waiting while
 * other threads hold too much of it; CR_ERR_IMAGE naming name when bytes
 * exceed the whole budget. */
cr_status cr_engine_memory_take(cr_engine *engine, uint64_t bytes, const char *name, cr_error *err);

/* Gives back what cr_engine_memory_take took (0: nothing). */
void cr_engine_memory_give(cr_engine *engine, uint64_t bytes);

#endif
