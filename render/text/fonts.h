/* Fonts: the manifest (family name -> file, face index, Debian package; search
 * folders; fallback chain per script) and the library of loaded faces.
 * Faces load lazily, once per engine, and are immutable once loaded except
 * for the FreeType face, which is used under the face's lock. */
#ifndef CR_FONTS_H
#define CR_FONTS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ft2build.h>
#include FT_FREETYPE_H
#include <hb.h>

#include "cardrender.h"

typedef struct cr_face {
    char *family; /* manifest family name */
    char *path;   /* resolved file */
    int index;    /* face index in a .ttc */
    int upem;
    int ascender;  /* font units, positive up (OS/2 typo, else hhea) */
    int descender; /* font units, negative below the baseline */
    int line_gap;  /* font units */
    hb_face_t *hb_face;
    hb_font_t *hb_font; /* scale = upem, OpenType funcs; safe to share */
    FT_Face ft;         /* only under `lock` */
    pthread_mutex_t lock;
    /* cr_face_glyph_extents' answers, one per glyph id, made on first use */
    unsigned glyph_count;
    struct cr_kept_extents *_Atomic kept_extents;
    pthread_mutex_t extents_lock; /* held while an answer is added */
} cr_face;

/* The ink extents of glyph in font units, as hb_font_get_glyph_extents gives
 * them (false and zeros when it gives none), asked of HarfBuzz once per
 * face and glyph and kept: for a CFF face (the CJK fonts) HarfBuzz runs the
 * glyph's charstring every time, and layout asks for every glyph of every
 * line (on the benchmark card 4% of a card's time). Thread-safe; an answer
 * already kept is read without a lock. */
bool cr_face_glyph_extents(const cr_face *face, hb_codepoint_t glyph, hb_glyph_extents_t *extents);

typedef struct cr_font_manifest cr_font_manifest;

/* Reads a manifest (fonts/manifest.json), through json_locate as templates
 * are read: every error names the file, line and column of the value (or
 * key) it is about, e.g. "fonts/manifest.json:12:5: family "X": ...". */
cr_font_manifest *cr_font_manifest_load(const char *path, cr_error *err);
void cr_font_manifest_destroy(cr_font_manifest *manifest);
const char *cr_font_manifest_path(const cr_font_manifest *manifest);

/* The manifest entry for a family; false when the family is unknown. */
bool cr_font_manifest_lookup(const cr_font_manifest *manifest, const char *family,
                             const char **file, int *index, const char **package);

/* The fallback chain for an ISO 15924 script code ("Hani", "Arab", "Tibt",
 * "Mong", "Hang", "Yiii", "Latn", ...), or the "default" chain when the
 * script has none. Never NULL; *count may be 0. */
const char *const *cr_font_manifest_fallback(const cr_font_manifest *manifest, const char *script,
                                             size_t *count);

/* The family the manifest's "private_use" names for a private-use code
 * point, or NULL: such code points are drawn by that family alone. */
const char *cr_font_manifest_private_use_family(const cr_font_manifest *manifest, uint32_t cp);

typedef struct cr_font_library cr_font_library;

cr_font_library *cr_font_library_create(const cr_font_manifest *manifest, cr_error *err);
void cr_font_library_destroy(cr_font_library *library);

/* The face for a family, loaded on first use. Files are looked for in
 * template_dir (may be NULL), then the manifest's folder, then the manifest's
 * search folders. A missing family or file is an error naming the family and
 * the Debian package that provides it. Thread-safe. */
cr_face *cr_font_library_get(cr_font_library *library, const char *family, const char *template_dir,
                             cr_error *err);

/* Whether the face maps the code point to a glyph. */
bool cr_face_has_codepoint(const cr_face *face, uint32_t codepoint);

#endif
