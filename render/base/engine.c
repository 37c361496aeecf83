#include <stdatomic.h>
#include <stdlib.h>

#include "engine.h"
#include "error.h"
#include "glyph_cache.h"
#include "options.h"

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
    engine->manifest = cr_font_manifest_load(manifest_path(&options), err);
    if (engine->manifest)
        engine->fonts = cr_font_library_create(engine->manifest, err);
    if (engine->fonts) {
        engine->glyphs = cr_glyph_cache_create();
        if (!engine->glyphs)
            cr_fail(err, CR_ERR_NOMEM, "out of memory creating the glyph cache");
    }
    if (!engine->glyphs) {
        cr_engine_destroy(engine);
        return NULL;
    }
    return engine;
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
    cr_font_library_destroy(engine->fonts);
    cr_font_manifest_destroy(engine->manifest);
    free(engine);
}
