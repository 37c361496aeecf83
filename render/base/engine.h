/* The engine object: what one cr_engine owns and shares between threads:
 * the font manifest, the loaded fonts and the cache of rasterised glyphs.
 * The glyph cache is only named here, so the template model, which needs
 * the fonts, does not include a painting header. */
#ifndef CR_ENGINE_H
#define CR_ENGINE_H

#include "cardrender.h"
#include "fonts.h"

struct cr_engine {
    _Atomic int refs;
    cr_font_manifest *manifest;
    cr_font_library *fonts;
    struct cr_glyph_cache *glyphs; /* glyph_cache.h */
};

#endif
