/* malloc's heap, set up for a process that renders one card, and tended
 * in one that renders many (cli.h).
 *
 * One card. On the virtual machines the engine is measured on, a page fault costs
 * 10-12 microseconds and a one-card `render` touched about 800 fresh 4 KiB
 * pages of malloc's heap (fonts, shaping, the decoded photo's helpers, the
 * PNG coder's buffers): some 9 ms of a 60 ms process. The same memory in
 * 2 MiB transparent huge pages is a few faults, and zeroing a huge page
 * costs 0.3 microseconds per 4 KiB. glibc does this when the process starts
 * with GLIBC_TUNABLES=glibc.malloc.hugetlb=1, which a program cannot set for
 * itself, so this does the same by hand for its main heap, before the
 * command allocates anything large:
 *
 * - malloc keeps every block in that heap (no separate mappings below 32
 *   MiB, one arena for every thread) and never gives memory back: the
 *   process ends after one card;
 * - the heap is grown once by 64 MiB and the grown part marked
 *   MADV_HUGEPAGE (the kernel's default "madvise" mode then backs it with
 *   huge pages as it is touched);
 * - the rest of the first, partly used 2 MiB of the heap is taken by one
 *   block never touched or freed, so that blocks come from the marked part.
 *
 * Only what glibc documents is relied on except the size of a chunk's
 * header (two words) in the last step; when anything differs (another C
 * library, a sanitizer's allocator, brk refused), the steps that do not
 * apply are skipped and the process is only slower. Batch, sheet and the
 * service keep malloc's defaults: they reuse freed memory card after card,
 * where huge pages would only cost memory.
 *
 * Many cards. A batch's threads free most of what a card took once it is
 * written, but glibc keeps freed memory in its arenas, and where threads
 * share arenas (MALLOC_ARENA_MAX=2, as some container setups set, or more
 * threads than arenas) the free space inside them grows in pieces too
 * small or too scattered for the next card's blocks: measured on the
 * benchmark card at -j 8 with two arenas, over 10,000 records malloc
 * counted 18-26 MB in use while the free space inside its arenas grew
 * from 38 to 140 MB, and the batch peaked at 229 MB (100-149 MB in three
 * other runs). Every so many cards the batch gives the free pages inside
 * the arenas back to the system (malloc_trim): the same batch then peaked
 * at 78-90 MB, as fast (README "Where it stands"). */
#include "cli.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#if defined(__GLIBC__) && defined(__linux__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

enum {
    HEAP_GROWTH = 64 << 20,
    LARGEST_IN_HEAP = 32 << 20, /* glibc's upper limit for M_MMAP_THRESHOLD */
    HUGE_PAGE = 2 << 20,
    CHUNK_HEADER = 2 * sizeof(size_t),
};

/* [top, marked): one block, never freed, kept here so that leak checkers
 * see it as reachable. */
static void *below_marked;

void cli_heap_for_one_card(void)
{
    if (!mallopt(M_MMAP_THRESHOLD, LARGEST_IN_HEAP) || !mallopt(M_TRIM_THRESHOLD, INT32_MAX) ||
        !mallopt(M_TOP_PAD, HEAP_GROWTH) || !mallopt(M_ARENA_MAX, 1))
        return;
    uintptr_t old_end = (uintptr_t)sbrk(0);
    void *grow = malloc(HEAP_GROWTH / 4); /* below the threshold: from the heap */
    uintptr_t new_end = (uintptr_t)sbrk(0);
    uintptr_t marked = (old_end + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    uintptr_t top = (uintptr_t)grow - CHUNK_HEADER; /* where the heap's free end starts */
    bool grown = grow && old_end != (uintptr_t)-1 && new_end > marked && top < marked &&
                 marked - top < HUGE_PAGE;
    if (grown && madvise((void *)marked, new_end - marked, MADV_HUGEPAGE) != 0)
        grown = false;
    free(grow);
    if (grown)
        below_marked = malloc(marked - top - sizeof(size_t));
}

void cli_heap_give_back(void)
{
    malloc_trim(0);
}
#else
void cli_heap_for_one_card(void) {}
void cli_heap_give_back(void) {}
#endif
