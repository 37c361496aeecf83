/* The engine object: what one cr_engine owns and shares between threads. */
#ifndef CR_ENGINE_H
#define CR_ENGINE_H

#include "cardrender.h"
#include "fonts.h"
#include "glyph_cache.h"

struct cr_engine {
    _Atomic int refs;
    cr_font_manifest *manifest;
    cr_font_library *fonts;
    cr_glyph_cache *glyphs;
};

#endif
