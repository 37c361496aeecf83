/* How the PNG writer codes an image's pixels into its zlib stream, and
 * what it keeps of a template to code the next card faster.
 *
 * Every row is Paeth-filtered (png_filter.h). The filtered stream is cut
 * into segments by a plan that depends on the image's size and the live
 * boxes alone (where record-dependent fields paint: a template's, for
 * cards): in each row, the bytes of the live boxes that cover it (with
 * the row below and the column to the right, which the filter ties to
 * them), those that meet joined, are cut into chunks of CR_PNG_CHUNK_BYTES
 * from the box's edge (a picture's not: cr_png_box), each a segment of its
 * own, and the bytes between are joined into segments of up to
 * CR_PNG_SEGMENT_BYTES. With
 * igzip each segment is coded on its own (a live box's chunks by
 * png_splice_runs where the box asks for it, the rest by the deflater)
 * and the codes are spliced into one deflate block (png_deflate.h), so
 * the bytes of a file depend on its pixels and its plan only.
 *
 * A plan made with a reference image (a template's static base) codes the
 * reference's segments once; a card whose pixels equal the reference's
 * where a segment reads them (its rows, the row above, the pixel to the
 * left) gets that segment's code copied instead of coding it again: the
 * template's static parts, and the live chunks a record left as they were,
 * cost a comparison, or nothing when the card tells where it changed
 * (cr_png_changes). Coding can be shared among threads (workers.h), the
 * first of which splices the codes into the stream as they come; the file
 * is the same for any number of them. Plans are reference-counted and
 * immutable once made: one serves every thread. With zlib, which cannot
 * splice, each image is one stream and plans only hold their size. */
#ifndef CR_PNG_PLAN_H
#define CR_PNG_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "png_deflate.h"
#include "raster.h"

enum {
    CR_PNG_CHUNK_BYTES = 384,          /* 128 pixels */
    CR_PNG_SEGMENT_BYTES = 256 * 1024, /* of filtered bytes */
};

typedef struct cr_png_plan cr_png_plan;

/* Where a record-dependent field may paint: pixels [x0, x1) x [y0, y1),
 * clipped to the image. Its chunks change with every card and are coded
 * for every card. With `runs` they are coded as literals and runs of
 * zeros (png_splice_runs), about one and a half to twice the deflater's
 * speed for 2-10% more bits; without, by the deflater, whose matches find
 * what repeats along a row (a machine-readable zone's fillers on a plain
 * ground). */
typedef struct cr_png_box {
    int x0, y0, x1, y1;
    bool runs;
    /* Every pixel changes on every card (a picture): the box's bytes in a
     * row are one segment, not cut into chunks. Chunks let a card reuse
     * the codes of a box's parts it left as they were (a short name in a
     * long box); a picture leaves none, and each segment costs its own
     * filter, checksum, coder and splice calls. */
    bool whole;
} cr_png_box;

/* The plan for width x height images with box_count live boxes;
 * reference (NULL: none) must be that size. NULL when out of memory or the
 * reference's segments could not be coded. */
cr_png_plan *cr_png_plan_create(int width, int height, const cr_png_box *live_boxes,
                                size_t box_count, const cr_canvas *reference);
cr_png_plan *cr_png_plan_ref(cr_png_plan *plan);
void cr_png_plan_unref(cr_png_plan *plan);

/* Segments of the plan, and how many of them are coded as runs (tests). */
size_t cr_png_plan_segments(const cr_png_plan *plan);
size_t cr_png_plan_runs_segments(const cr_png_plan *plan);
/* Segment i's bytes of the filtered stream, [*start, *end), and whether it
 * is coded as runs (tests); false when there is no segment i. */
bool cr_png_plan_segment(const cr_png_plan *plan, size_t i, size_t *start, size_t *end, bool *runs);
/* The plan's copy of its reference (tests); NULL without one. */
const cr_canvas *cr_png_plan_reference(const cr_png_plan *plan);

/* Where an image may differ from its plan's reference: count boxes of
 * pixels [x0, x1) x [y0, y1) (`runs` unused; in any order, overlapping or
 * not), what the record-dependent fields of a card painted from the static
 * cache painted: each glyph's box, each picture's. A segment that reads no
 * pixel of them gets the reference's code without comparing its pixels,
 * which the caller vouches for; one that reads any is coded, without
 * comparing either (told them, nothing is compared). */
typedef struct cr_png_changes {
    const cr_png_box *boxes;
    size_t count;
} cr_png_changes;

/* Where the coded stream goes, a buffer at a time, written in place:
 * room() gives the place for the next bytes, *capacity of them (at least
 * 1), with 8 more past them that the coder may write into and later
 * write again; done() takes the `length` bytes written at its start, at
 * most capacity + 7 (false stops the coding). room() is asked again after
 * every done(), a failed one too, and must always give a buffer. The coder
 * writes straight into the target's buffer (an IDAT chunk, or the PNG in
 * memory): a copy of the whole stream on its way was 1-2% of a card. */
typedef struct cr_png_out {
    uint8_t *(*room)(void *target, size_t *capacity);
    bool (*done)(void *target, size_t length);
    void *target;
} cr_png_out;

/* The zlib stream of canvas's rows (the IDAT data), into out. plan NULL
 * or made for another size: a plan without live boxes. changes: where the
 * canvas may differ from the plan's reference (NULL: anywhere). threads > 1
 * codes segments on that many threads. False with why filled (or done()'s
 * failure, why empty) on failure. */
bool cr_png_code_pixels(const cr_canvas *canvas, const cr_png_plan *plan,
                        const cr_png_changes *changes, int threads, const cr_png_out *out,
                        char *why, size_t why_size);

/* Adds to counts the deflate symbols the writer codes canvas's pixels
 * with under plan (png_deflate.h: exact for runs, an estimate for the
 * deflater), and one end of block: what `make png-table` trains the
 * shared code on.
 * False (nothing counted) without splicing, or when plan is NULL, made for
 * another size or out of memory. */
bool cr_png_count_symbols(const cr_canvas *canvas, const cr_png_plan *plan,
                          png_symbol_counts *counts);

#endif
