#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine.h"
#include "break_pool.h"
#include "error.h"
#include "glyph_cache.h"
#include "options.h"
#include "pixel_memory.h"

#ifndef CR_DATADIR
#define CR_DATADIR "/usr/local/share/cardrender"
#endif

const char *cr_version(void)
{
    return CR_VERSION_STRING;
}

/* An explicit path wins, then the environment, then the installed
 * manifest. Never the working folder's fonts/manifest.json: an installed
 * program run from some other project's checkout would read that
 * project's fonts (the build tree names its own through the environment,
 * which the Makefile sets). */
static const char *manifest_path(const cr_engine_options *options)
{
    if (options->font_manifest_path)
        return options->font_manifest_path;
    const char *env = getenv("CARDRENDER_FONT_MANIFEST");
    if (env && env[0])
        return env;
    return CR_DATADIR "/fonts/manifest.json";
}

/* max_memory 0: half the machine's memory; a machine that cannot say gets
 * 4 GiB. */
static uint64_t memory_limit(uint64_t asked)
{
    if (asked)
        return asked;
    long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page_size <= 0)
        return (uint64_t)4 << 30;
    return (uint64_t)pages * (uint64_t)page_size / 2;
}

void cr_engine_options_init(cr_engine_options *options)
{
    if (options)
        *options = (cr_engine_options){.struct_size = sizeof *options};
}

cr_engine *cr_engine_create(const cr_engine_options *caller_options, cr_error *err)
{
    cr_error_clear(err);
    cr_engine_options options;
    cr_engine_options_init(&options);
    if (cr_options_take(&options, sizeof options, caller_options, "cr_engine_options", err) !=
        CR_OK)
        return NULL;
    cr_engine *engine = calloc(1, sizeof *engine);
    if (!engine) {
        cr_fail(err, CR_ERR_NOMEM, "out of memory creating the engine");
        return NULL;
    }
    atomic_init(&engine->refs, 1);
    pthread_mutex_init(&engine->memory.lock, NULL);
    pthread_cond_init(&engine->memory.given_back, NULL);
    engine->memory.limit = memory_limit(options.max_memory);
    engine->no_static_cache = options.no_static_cache != 0;
    if (engine->no_static_cache) /* a process for one card: see pixel_memory.h */
        cr_pixel_memory_prefer_mappings();
    engine->manifest = cr_font_manifest_load(manifest_path(&options), err);
    if (engine->manifest)
        engine->fonts = cr_font_library_create(engine->manifest, err);
    if (engine->fonts) {
        engine->glyphs = cr_glyph_cache_create();
        engine->breaks = cr_break_pool_create();
        if (!engine->glyphs || !engine->breaks)
            cr_fail(err, CR_ERR_NOMEM, "out of memory creating the engine's caches");
    }
    if (!engine->glyphs || !engine->breaks) {
        cr_engine_destroy(engine);
        return NULL;
    }
    return engine;
}

cr_status cr_engine_memory_take(cr_engine *engine, uint64_t bytes, const char *name, cr_error *err)
{
    cr_memory_budget *m = &engine->memory;
    if (bytes > m->limit)
        return cr_error_set(err, CR_ERR_IMAGE, (cr_location){name, 0, 0, -1, NULL},
                            "decoding it needs %llu bytes, more than the engine's memory "
                            "budget of %llu bytes (max_memory, --max-memory)",
                            (unsigned long long)bytes, (unsigned long long)m->limit);
    pthread_mutex_lock(&m->lock);
    while (m->in_use + bytes > m->limit)
        pthread_cond_wait(&m->given_back, &m->lock);
    m->in_use += bytes;
    if (m->in_use > m->peak)
        m->peak = m->in_use;
    pthread_mutex_unlock(&m->lock);
    return CR_OK;
}

void cr_engine_memory_give(cr_engine *engine, uint64_t bytes)
{
    if (!bytes)
        return;
    cr_memory_budget *m = &engine->memory;
    pthread_mutex_lock(&m->lock);
    m->in_use -= bytes;
    pthread_cond_broadcast(&m->given_back);
    pthread_mutex_unlock(&m->lock);
}

cr_engine *cr_engine_ref(cr_engine *engine)
{
    if (engine)
        atomic_fetch_add(&engine->refs, 1);
    return engine;
}

void cr_engine_destroy(cr_engine *engine)
{
    if (!engine)
        return;
    if (atomic_fetch_sub(&engine->refs, 1) > 1)
        return;
    cr_glyph_cache_destroy(engine->glyphs);
    cr_break_pool_destroy(engine->breaks);
    cr_font_library_destroy(engine->fonts);
    cr_font_manifest_destroy(engine->manifest);
    pthread_cond_destroy(&engine->memory.given_back);
    pthread_mutex_destroy(&engine->memory.lock);
    free(engine);
}
