/* Memory for large pixel buffers: canvases and decoded pictures. A card
 * at 300 dpi is a 1.9 MB canvas and a 2.6 MB decoded artwork; taken from
 * malloc, each is fresh pages that the kernel maps one 4 KiB fault at a
 * time on first touch, about 1,100 faults for those two, which on a
 * virtual machine cost a one-card process more than painting them. A
 * buffer of 256 KiB or more (a photo decoded for its box, its layer) is
 * therefore mapped on its own, aligned to 2 MiB and advised for
 * transparent huge pages (MADV_HUGEPAGE): one fault per 2 MiB where the
 * kernel has huge pages to give, the same 4 KiB pages where it has not.
 * Freed mappings are kept for the next buffer of their length (at most
 * 64 MiB of them).
 *
 * Only in a process that asked for it (cr_pixel_memory_prefer_mappings: an
 * engine made for one card, cr_engine_options.no_static_cache, as the CLI's
 * render and proof make). A process that makes card after card is better
 * served by malloc, which keeps its freed blocks warm: measured, mapping
 * the big buffers there took the PNG writer's buffers out of that reuse
 * too (glibc raises its mmap and trim thresholds only after it frees a
 * large block of its own), and a batch faulted 8 times as often and ran
 * 45% slower. Otherwise, smaller buffers, and every buffer under
 * AddressSanitizer (which must see overruns), come from the heap. */
#ifndef CR_PIXEL_MEMORY_H
#define CR_PIXEL_MEMORY_H

#include <stdbool.h>
#include <stddef.h>

/* size bytes, 64-byte aligned, zeroed when asked (a buffer the caller
 * overwrites whole need not be), or NULL when out of memory (or size is
 * 0). Free with cr_pixel_memory_free only. */
void *cr_pixel_memory_alloc(size_t size, bool zeroed);

/* From now on, in this process, large buffers are mapped as above. */
void cr_pixel_memory_prefer_mappings(void);

/* NULL is fine. */
void cr_pixel_memory_free(void *memory);

#endif
