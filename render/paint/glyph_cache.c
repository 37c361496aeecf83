/* Glyph bitmaps rasterised once and kept for the engine's lifetime: a hash
 * table (hash_table.h) under one mutex. Rasterising happens outside the table lock
 * (under the face's own lock), so threads drawing different faces do not
 * wait for each other. */
#include "glyph_cache.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "hash_table.h"
#include "raster.h"

typedef struct glyph_key {
    const cr_face *face;
    uint32_t glyph_id;
    int32_t ppem_26_6;
    int32_t x_scale_16_16;
    int16_t rotation;
    int8_t subpixel;
    int8_t hinting;
} glyph_key;

typedef struct glyph_entry {
    cr_hash_node node; /* first: the table's link and the key's hash */
    glyph_key key;
    cr_glyph_bitmap bitmap; /* coverage points at data */
    uint8_t data[];
} glyph_entry;

struct cr_glyph_cache {
    pthread_mutex_t lock;
    cr_hash_table table; /* of glyph_entry */
};

enum { INITIAL_BUCKETS = 1024 };

cr_glyph_cache *cr_glyph_cache_create(void)
{
    cr_glyph_cache *cache = calloc(1, sizeof *cache);
    if (!cache)
        return NULL;
    if (!cr_hash_table_init(&cache->table, INITIAL_BUCKETS)) {
        free(cache);
        return NULL;
    }
    pthread_mutex_init(&cache->lock, NULL);
    return cache;
}

static void free_entry(cr_hash_node *node)
{
    free(node);
}

void cr_glyph_cache_destroy(cr_glyph_cache *cache)
{
    if (!cache)
        return;
    cr_hash_table_free(&cache->table, free_entry);
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}

static uint64_t mix(uint64_t h, uint64_t value)
{
    /* splitmix64 finaliser over the running hash: cheap and spreads the
     * small, clustered key values (glyph ids, sizes) over all bits. */
    h ^= value + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBull;
    return h ^ (h >> 31);
}

static uint64_t hash_key(const glyph_key *key)
{
    uint64_t h = mix(0, (uint64_t)(uintptr_t)key->face);
    h = mix(h, key->glyph_id);
    h = mix(h, (uint32_t)key->ppem_26_6);
    h = mix(h, (uint32_t)key->x_scale_16_16);
    /* hinting is 0 for all but microtext: the hash, and so the table's
     * order, of every other glyph stays what it was. */
    return mix(h, (uint64_t)(key->rotation * 16 + key->subpixel) + ((uint64_t)key->hinting << 32));
}

static bool same_key(const cr_hash_node *node, const void *key)
{
    const glyph_key *a = &((const glyph_entry *)node)->key, *b = key;
    return a->face == b->face && a->glyph_id == b->glyph_id && a->ppem_26_6 == b->ppem_26_6 &&
           a->x_scale_16_16 == b->x_scale_16_16 && a->rotation == b->rotation &&
           a->subpixel == b->subpixel && a->hinting == b->hinting;
}

/* Called with the cache lock held. */
static glyph_entry *find_entry(const cr_glyph_cache *cache, const glyph_key *key, uint64_t hash)
{
    return (glyph_entry *)cr_hash_table_find(&cache->table, hash, same_key, key);
}

/* Outline transform in FreeType's y-up space: first the horizontal scale
 * (the glyph's own x axis), then the rotation. Clockwise on a y-down screen
 * is (x, y) -> (y, -x) with y up. */
static FT_Matrix glyph_matrix(int32_t x_scale_16_16, int rotation)
{
    FT_Matrix m;
    if (rotation == 90) {
        m.xx = 0;
        m.xy = 0x10000;
        m.yx = -(FT_Fixed)x_scale_16_16;
        m.yy = 0;
    } else {
        m.xx = x_scale_16_16;
        m.xy = 0;
        m.yx = 0;
        m.yy = 0x10000;
    }
    return m;
}

/* Rows are padded with zeros to a multiple of CR_MASK_PAD_PIXELS, so that
 * cr_canvas_blend_mask_padded blends them in whole blocks. */
static glyph_entry *entry_from_bitmap(const FT_Bitmap *bitmap, int left, int top)
{
    int width = (int)bitmap->width, rows = (int)bitmap->rows;
    if (width <= 0 || rows <= 0)
        width = rows = 0;
    int pitch = (width + CR_MASK_PAD_PIXELS - 1) / CR_MASK_PAD_PIXELS * CR_MASK_PAD_PIXELS;
    glyph_entry *entry = malloc(sizeof *entry + (size_t)pitch * (size_t)rows);
    if (!entry)
        return NULL;
    int src_pitch = bitmap->pitch;
    for (int y = 0; y < rows; y++) {
        /* A negative pitch means the rows are stored bottom-up. */
        const uint8_t *src = src_pitch >= 0
                                 ? bitmap->buffer + (size_t)y * (size_t)src_pitch
                                 : bitmap->buffer + (size_t)(rows - 1 - y) * (size_t)(-src_pitch);
        uint8_t *row = entry->data + (size_t)y * (size_t)pitch;
        memcpy(row, src, (size_t)width);
        memset(row + width, 0, (size_t)(pitch - width));
    }
    entry->bitmap.width = width;
    entry->bitmap.rows = rows;
    entry->bitmap.pitch = pitch;
    entry->bitmap.left = width ? left : 0;
    entry->bitmap.top = rows ? top : 0;
    entry->bitmap.coverage = entry->data;
    return entry;
}

/* Called with the face's lock held. */
static glyph_entry *render_glyph(const cr_face *face, const glyph_key *key, cr_error *err)
{
    FT_Face ft = face->ft;
    FT_Error status = FT_Set_Char_Size(ft, 0, key->ppem_26_6, 72, 72);
    if (status) {
        cr_fail(err, CR_ERR_FONT, "font %s: FreeType cannot set the size %.2f px (error %d)",
                face->path, key->ppem_26_6 / 64.0, status);
        return NULL;
    }
    FT_Matrix matrix = glyph_matrix(key->x_scale_16_16, key->rotation);
    FT_Vector delta = {key->subpixel * 64 / CR_GLYPH_SUBPIXELS, 0};
    FT_Set_Transform(ft, &matrix, &delta);
    status = FT_Load_Glyph(ft, key->glyph_id, cr_glyph_load_flags(key->hinting));
    if (!status)
        status = FT_Render_Glyph(ft->glyph, FT_RENDER_MODE_NORMAL);
    /* Other users of the face (metrics, outlines) expect no transform. */
    FT_Set_Transform(ft, NULL, NULL);
    const FT_Bitmap *bitmap = &ft->glyph->bitmap;
    bool empty = bitmap->width == 0 || bitmap->rows == 0; /* e.g. a space */
    if (status || (!empty && bitmap->pixel_mode != FT_PIXEL_MODE_GRAY)) {
        cr_fail(err, CR_ERR_FONT, "font %s: FreeType cannot render glyph %u at %.2f px (error %d)",
                face->path, key->glyph_id, key->ppem_26_6 / 64.0, status);
        return NULL;
    }
    glyph_entry *entry = entry_from_bitmap(bitmap, ft->glyph->bitmap_left, ft->glyph->bitmap_top);
    if (!entry)
        cr_fail(err, CR_ERR_NOMEM, "out of memory");
    return entry;
}

static glyph_entry *rasterise(cr_face *face, const glyph_key *key, cr_error *err)
{
    pthread_mutex_lock(&face->lock);
    glyph_entry *entry = render_glyph(face, key, err);
    pthread_mutex_unlock(&face->lock);
    if (entry)
        entry->key = *key;
    return entry;
}

static bool valid_request(const cr_face *face, int32_t ppem, int32_t x_scale, int rotation,
                          int subpixel, int hinting, cr_error *err)
{
    if (!face || !face->ft)
        cr_fail(err, CR_ERR_ARGUMENT, "glyph cache: no face given");
    else if (ppem <= 0 || x_scale <= 0)
        cr_fail(err, CR_ERR_ARGUMENT, "glyph cache: size and horizontal scale must be positive");
    else if (rotation != 0 && rotation != 90)
        cr_fail(err, CR_ERR_ARGUMENT, "glyph cache: rotation %d is neither 0 nor 90", rotation);
    else if (subpixel < 0 || subpixel >= CR_GLYPH_SUBPIXELS)
        cr_fail(err, CR_ERR_ARGUMENT, "glyph cache: subpixel phase %d is out of range", subpixel);
    else if (hinting != CR_HINT_NONE && hinting != CR_HINT_MICROTEXT)
        cr_fail(err, CR_ERR_ARGUMENT, "glyph cache: hinting mode %d is unknown", hinting);
    else
        return true;
    return false;
}

const cr_glyph_bitmap *cr_glyph_cache_get(cr_glyph_cache *cache, cr_face *face, uint32_t glyph_id,
                                          int32_t ppem_26_6, int32_t x_scale_16_16, int rotation,
                                          int subpixel, cr_error *err)
{
    return cr_glyph_cache_get_hinted(cache, face, glyph_id, ppem_26_6, x_scale_16_16, rotation,
                                     subpixel, CR_HINT_NONE, err);
}

const cr_glyph_bitmap *cr_glyph_cache_get_hinted(cr_glyph_cache *cache, cr_face *face,
                                                 uint32_t glyph_id, int32_t ppem_26_6,
                                                 int32_t x_scale_16_16, int rotation, int subpixel,
                                                 int hinting, cr_error *err)
{
    if (!cache) {
        cr_fail(err, CR_ERR_ARGUMENT, "glyph cache: no cache given");
        return NULL;
    }
    if (!valid_request(face, ppem_26_6, x_scale_16_16, rotation, subpixel, hinting, err))
        return NULL;
    glyph_key key = {face,           glyph_id,          ppem_26_6,
                     x_scale_16_16,  (int16_t)rotation, (int8_t)subpixel,
                     (int8_t)hinting};
    uint64_t hash = hash_key(&key);

    pthread_mutex_lock(&cache->lock);
    glyph_entry *entry = find_entry(cache, &key, hash);
    pthread_mutex_unlock(&cache->lock);
    if (entry)
        return &entry->bitmap;

    glyph_entry *fresh = rasterise(face, &key, err);
    if (!fresh)
        return NULL;
    fresh->node.hash = hash;

    /* Another thread may have rasterised the same glyph meanwhile; keep the
     * first so that every caller sees one pointer. */
    pthread_mutex_lock(&cache->lock);
    entry = find_entry(cache, &key, hash);
    if (!entry) {
        cr_hash_table_add(&cache->table, &fresh->node);
        entry = fresh;
        fresh = NULL;
    }
    pthread_mutex_unlock(&cache->lock);
    free(fresh);
    return &entry->bitmap;
}

size_t cr_glyph_cache_rasterised(cr_glyph_cache *cache)
{
    /* Counts stored glyphs, so a duplicate rasterised by a racing thread and
     * thrown away does not make the count depend on timing. */
    pthread_mutex_lock(&cache->lock);
    size_t count = cache->table.count;
    pthread_mutex_unlock(&cache->lock);
    return count;
}
