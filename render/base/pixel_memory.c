/* Large pixel buffers (pixel_memory.h). */
#include "pixel_memory.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Under AddressSanitizer every buffer comes from the heap, where it sees
 * overruns (a mapping rounded up to 2 MiB would hide them). */
#if defined(__SANITIZE_ADDRESS__)
#define CR_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CR_UNDER_ASAN 1
#endif
#endif
#ifdef CR_UNDER_ASAN
static const bool heap_only = true;
#else
static const bool heap_only = false;
#endif

static atomic_bool mappings_preferred;

void cr_pixel_memory_prefer_mappings(void)
{
    atomic_store(&mappings_preferred, true);
}

enum {
    HEADER = 64, /* in front of the pixels: how they were taken; keeps them 64-aligned */
    MAPPED_FROM = 256 << 10,
    HUGE_PAGE = 2 << 20,
};

typedef struct header {
    size_t mapped; /* bytes mapped from the header on, or 0: from calloc */
} header;

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

/* length bytes at a 2 MiB boundary: more is mapped, the ends given back. */
static void *map_aligned(size_t length)
{
    size_t wide = length + HUGE_PAGE;
    uint8_t *base = mmap(NULL, wide, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    uint8_t *start = (uint8_t *)round_up((uintptr_t)base, HUGE_PAGE);
    if (start > base)
        munmap(base, (size_t)(start - base));
    size_t tail = (size_t)(base + wide - (start + length));
    if (tail)
        munmap(start + length, tail);
#ifdef MADV_HUGEPAGE
    madvise(start, length, MADV_HUGEPAGE); /* advice: refused or ignored, plain pages remain */
#endif
    return start;
}

/* Mappings given back, kept for the next buffer of their length: a batch
 * or a service paints card after card into buffers of the same few sizes,
 * which then cost neither a system call nor a fault (malloc keeps freed
 * memory the same way). */
enum { KEPT_MAPPINGS = 16 };
static const size_t kept_at_most = 64u << 20; /* bytes, so memory kept stays small */
static struct {
    pthread_mutex_t lock;
    uint8_t *block[KEPT_MAPPINGS];
    size_t mapped[KEPT_MAPPINGS];
    size_t bytes;
} kept = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* A kept mapping of exactly this length, or NULL. */
static uint8_t *take_kept(size_t mapped)
{
    uint8_t *block = NULL;
    pthread_mutex_lock(&kept.lock);
    for (int i = 0; i < KEPT_MAPPINGS && !block; i++)
        if (kept.block[i] && kept.mapped[i] == mapped) {
            block = kept.block[i];
            kept.block[i] = NULL;
            kept.bytes -= mapped;
        }
    pthread_mutex_unlock(&kept.lock);
    return block;
}

/* False when every place is taken, or the bytes kept would pass their
 * ceiling: the caller unmaps it. */
static bool keep(uint8_t *block, size_t mapped)
{
    bool kept_it = false;
    pthread_mutex_lock(&kept.lock);
    for (int i = 0; i < KEPT_MAPPINGS && !kept_it && kept.bytes + mapped <= kept_at_most; i++)
        if (!kept.block[i]) {
            kept.block[i] = block;
            kept.mapped[i] = mapped;
            kept.bytes += mapped;
            kept_it = true;
        }
    pthread_mutex_unlock(&kept.lock);
    return kept_it;
}

/* A kept mapping is zeroed only as far as the buffer reaches. */
static uint8_t *map_pixels(size_t mapped, size_t used, bool zeroed)
{
    uint8_t *block = take_kept(mapped);
    if (block && zeroed)
        memset(block, 0, used);
    return block ? block : map_aligned(mapped); /* fresh anonymous pages are zero */
}

void *cr_pixel_memory_alloc(size_t size, bool zeroed)
{
    if (size == 0 || size > SIZE_MAX - HEADER - 2 * (size_t)HUGE_PAGE)
        return NULL;
    uint8_t *block;
    size_t mapped = 0;
    if (!heap_only && size >= MAPPED_FROM && atomic_load(&mappings_preferred)) {
        mapped = round_up(size + HEADER, HUGE_PAGE);
        block = map_pixels(mapped, size + HEADER, zeroed);
    } else {
        /* 64-aligned: measured, the same batch with the pixels 16-aligned
         * (calloc's) ran 45% slower. */
        block = aligned_alloc(HEADER, round_up(size + HEADER, HEADER));
        if (block && zeroed)
            memset(block, 0, size + HEADER);
    }
    if (!block)
        return NULL;
    ((header *)block)->mapped = mapped;
    return block + HEADER;
}

void cr_pixel_memory_free(void *memory)
{
    if (!memory)
        return;
    uint8_t *block = (uint8_t *)memory - HEADER;
    size_t mapped = ((header *)block)->mapped;
    if (!mapped)
        free(block);
    else if (!keep(block, mapped))
        munmap(block, mapped);
}
