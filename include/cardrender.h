/*
 * cardrender: the card-layout rendering engine for identity-card production.
 *
 * A template (JSON) describes a card; a record (JSON) holds one person's data;
 * the engine turns the two into a print-ready image.
 *
 *   cr_error err;
 *   cr_engine *engine = cr_engine_create(NULL, &err);          // fonts, caches
 *   cr_template *tpl = cr_template_load_file(engine, "card.json", &err);
 *   cr_record *rec = cr_record_load_file("person.json", &err);
 *   cr_image *img = cr_render(engine, tpl, rec, NULL, &err);
 *   cr_image_write_png_file(img, "card.png", &err);
 *   cr_image_destroy(img); cr_record_destroy(rec);
 *   cr_template_destroy(tpl); cr_engine_destroy(engine);
 *
 * Text: every string handed to the engine (templates, records) is UTF-8 in
 * LOGICAL order, exactly as typed. Never pre-shape it, never reorder it
 * visually and never use Arabic presentation forms: the engine runs the
 * Unicode bidi algorithm and shaping itself, and text that was already
 * reordered comes out backwards (a common way Uyghur gets printed wrongly).
 *
 * Thread safety: an engine is safe to share between threads once created;
 * its font and glyph caches lock internally. Templates and records are
 * immutable once loaded (or built: cr_record_create) and may be shared
 * between threads too (a template keeps its static layers, painted once per
 * resolution, behind its own lock; set CARDRENDER_NO_STATIC_CACHE=1 to paint
 * every field). An image belongs to the thread that rendered it. cr_error
 * objects are per call.
 *
 * Errors: every call that can fail takes a cr_error* (may be NULL) and
 * returns NULL or a non-zero status on failure; the error then names the
 * file, the line and column, and the field where that applies.
 */
#ifndef CARDRENDER_H
#define CARDRENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CR_VERSION_MAJOR 0
#define CR_VERSION_MINOR 1
#define CR_VERSION_PATCH 0
#define CR_VERSION_STRING "0.1.0"

/* True when this header is at least version major.minor.patch, for code
 * that must build against several versions:
 *   #if CR_VERSION_ATLEAST(0, 2, 0) ... #endif */
#define CR_VERSION_ATLEAST(major, minor, patch)                                                    \
    ((major) < CR_VERSION_MAJOR ||                                                                 \
     ((major) == CR_VERSION_MAJOR &&                                                               \
      ((minor) < CR_VERSION_MINOR ||                                                               \
       ((minor) == CR_VERSION_MINOR && (patch) <= CR_VERSION_PATCH))))

/* Marks what the shared library exports. It is built with hidden visibility,
 * so this header's functions are its whole ABI; everything else in it is
 * private and may change in any release. */
#if defined(__GNUC__) || defined(__clang__)
#define CR_API __attribute__((visibility("default")))
#else
#define CR_API
#endif

/* Options structs can grow in later versions. Their first member is
 * struct_size, which their init function sets to the size the caller was
 * compiled with: the library reads only that much, so a program built
 * against an older header keeps working. Always start from the init
 * function (or set struct_size = sizeof yourself):
 *   cr_render_options options;
 *   cr_render_options_init(&options);
 *   options.dpi = 600;
 * A struct_size of 0 (an options struct zeroed but never initialised) is
 * refused with CR_ERR_ARGUMENT, as is a larger struct whose unknown tail is
 * not all zero (options this library does not have). */

/* The resolutions, in dots per inch, that a template's card.dpi, the dpi of
 * cr_render_options and cr_proof_options, and the CLI's --dpi accept. */
#define CR_DPI_MIN 72
#define CR_DPI_MAX 1200

/* Version of the library actually linked, e.g. "0.1.0". */
CR_API const char *cr_version(void);

/* ---------------------------------------------------------------- errors */

typedef enum cr_status {
    CR_OK = 0,
    CR_ERR_ARGUMENT, /* a caller passed an invalid argument */
    CR_ERR_IO,       /* a file could not be read or written */
    CR_ERR_SYNTAX,   /* malformed JSON */
    CR_ERR_TEMPLATE, /* a template that is valid JSON but not a valid template */
    CR_ERR_RECORD,   /* a record that lacks a key or holds a wrong value */
    CR_ERR_FONT,     /* a font that is missing, unreadable or lacks a character */
    CR_ERR_TEXT,     /* text that cannot be laid out (invalid UTF-8, overflow) */
    CR_ERR_IMAGE,    /* an image that cannot be decoded or encoded */
    CR_ERR_NOMEM,    /* out of memory */
    CR_ERR_INTERNAL  /* a library failed in a way it should not */
} cr_status;

/* Where an error happened and what it was. `message` is the complete
 * human-readable text, location included, e.g.
 *   templates/a.json:12:20: field 3 "name": "size_pt" must be a number
 * The other members repeat its parts for programs; unknown parts are empty
 * strings or -1 (line, column, field_index: 1-based line/column, 0-based
 * field index). */
typedef struct cr_error {
    cr_status code;
    char message[1024];
    char file[512];
    int line;
    int column;
    int field_index;
    char field_name[128];
    /* Room to grow without changing the struct's size (callers allocate it):
     * a later version may put members here. Every call clears it. */
    uint64_t reserved[16];
} cr_error;

/* A short name for a status, e.g. "template". */
CR_API const char *cr_status_name(cr_status status);

/* ---------------------------------------------------------------- engine */

typedef struct cr_engine cr_engine;

typedef struct cr_engine_options {
    size_t struct_size; /* set by cr_engine_options_init */
    /* Font manifest to use. NULL means $CARDRENDER_FONT_MANIFEST if set and
     * not empty, else the installed PREFIX/share/cardrender/fonts/manifest.json
     * (never the working folder's fonts/manifest.json). */
    const char *font_manifest_path;
    /* Bytes the engine's renders, checks and proofs may hold at once for
     * decoding photos, over all threads: each photo is admitted with what
     * its decode holds at most (the file, its pixels, a turned copy) and
     * waits while others hold the rest, so many threads with large photos
     * stay within it (a batch -j 64 of 40-megapixel photos). A single photo
     * needing more than all of it is refused (CR_ERR_IMAGE, naming it). 0
     * means half the machine's memory. */
    uint64_t max_memory;
    /* Non-zero: the engine's renders (and proofs) paint every field of the
     * card, building no cache of a template's static layers. 0 (the
     * default): the first render of a template at a resolution paints its
     * static layers once, and every later card at that resolution starts
     * from them. For a process that renders one card per template (the
     * CLI's render and proof), where building the cache costs more than it
     * saves; the process's large pixel buffers are then also mapped in huge
     * pages, which saves a one-card process its page faults but would cost
     * a long-running one its malloc reuse. The images and their PNG files
     * are the same byte for byte. */
    int no_static_cache;
} cr_engine_options;

/* Creates an engine: the font manifest is read now, fonts load lazily, once
 * per engine, the first time a template needs them. Share one engine between
 * all templates and threads. Returns NULL and fills err on failure. */
/* No manifest named: the lookup above. */
CR_API void cr_engine_options_init(cr_engine_options *options);

CR_API cr_engine *cr_engine_create(const cr_engine_options *options, cr_error *err);

/* Adds a reference; returns engine. */
CR_API cr_engine *cr_engine_ref(cr_engine *engine);

/* Drops a reference; the engine is freed with the last one. NULL is allowed. */
CR_API void cr_engine_destroy(cr_engine *engine);

/* -------------------------------------------------------------- template */

typedef struct cr_template cr_template;

/* Loads and validates a template. Fonts it names are resolved against the
 * engine's manifest now, so a missing font is reported here, not at render
 * time. The template's own folder is searched for fonts first. A template
 * may be composed of several files ("extends" a base template, "include"s
 * fragments of fields: see README): each error names the file it is in, and
 * field indexes count the fields of the merged template. The template holds
 * a reference on the engine (cr_engine_ref), so the two may be destroyed in
 * either order. */
CR_API cr_template *cr_template_load_file(cr_engine *engine, const char *path, cr_error *err);

/* The same from memory; `name` is used in error messages and `base_dir` (may
 * be NULL) as the template's folder. */
CR_API cr_template *cr_template_load_memory(cr_engine *engine, const char *json, size_t length,
                                            const char *name, const char *base_dir, cr_error *err);

/* Card size in pixels at the template's own resolution or at `dpi` (> 0). */
CR_API void cr_template_pixel_size(const cr_template *tpl, int dpi, int *width, int *height);

/* Resolution in dpi the template asks for. */
CR_API int cr_template_dpi(const cr_template *tpl);

/* What a template's field is, for tools that draw guides or check layouts. */
typedef struct cr_field_info {
    const char *name;
    const char *type;                       /* "text", "image", "rect", "line", "mrz" */
    double x_mm, y_mm, width_mm, height_mm; /* box (a line: its bounding box) */
    const char *bind;                       /* record key, or NULL */
    int line, column;                       /* where the field is: line and column in `file` */
    const char *file; /* the template, or the base or fragment the field came from */
    bool optional;    /* "optional": a record may leave `bind` out or empty */
} cr_field_info;

CR_API size_t cr_template_field_count(const cr_template *tpl);

/* Fills info for field index (0-based); returns CR_ERR_ARGUMENT when out of
 * range. The strings live as long as the template. */
CR_API cr_status cr_template_field(const cr_template *tpl, size_t index, cr_field_info *info);

/* Card size in millimetres and the corner radius. */
CR_API void cr_template_card_mm(const cr_template *tpl, double *width, double *height,
                                double *radius);

/* The template's path as it was given (for messages). */
CR_API const char *cr_template_path(const cr_template *tpl);

CR_API void cr_template_destroy(cr_template *tpl);

/* ---------------------------------------------------------------- record */

typedef struct cr_record cr_record;

/* A record is one JSON object whose values are strings, e.g.
 *   {"name": "张三", "sex": "男", "birth_date": "1990-05-12"} */
CR_API cr_record *cr_record_load_file(const char *path, cr_error *err);
CR_API cr_record *cr_record_load_memory(const char *json, size_t length, const char *name,
                                        cr_error *err);

/* How record inputs are read: cr_record_load_file_with and
 * cr_record_load_memory_with here, and the records of `cardrender batch`,
 * `check`, `sheet` and `render` (--encoding). */
typedef struct cr_record_options {
    size_t struct_size; /* set by cr_record_options_init */
    /* The input's character encoding: any name ICU's converters know, e.g.
     * "gb18030", "gbk", "big5", "utf-16le", "utf-16be", "utf-8" (any case).
     * NULL: a byte-order mark at the start (UTF-8, UTF-16LE/BE, UTF-32LE/BE)
     * selects it, else UTF-8. Read during the call only; the caller keeps it. */
    const char *encoding;
} cr_record_options;

/* No encoding named: a byte-order mark, else UTF-8. */
CR_API void cr_record_options_init(cr_record_options *options);

/* Like cr_record_load_file and cr_record_load_memory (which read UTF-8, a
 * UTF-8 byte-order mark allowed), in the encoding options names (options may
 * be NULL). The bytes are converted to UTF-8 through ICU first; positions in
 * messages are the decoded text's lines and columns, counted from after a
 * byte-order mark. Errors: an encoding ICU does not know, CR_ERR_ARGUMENT;
 * a byte sequence not valid in the encoding, CR_ERR_RECORD naming the file,
 * line, column and the sequence's byte offset in the input (with a hint such
 * as "try --encoding gb18030" when the bytes read cleanly in GB 18030);
 * otherwise as the functions above. */
CR_API cr_record *cr_record_load_file_with(const char *path, const cr_record_options *options,
                                           cr_error *err);
CR_API cr_record *cr_record_load_memory_with(const char *bytes, size_t length, const char *name,
                                             const cr_record_options *options, cr_error *err);

/* CR_OK when ICU's converters know the encoding name (case and punctuation
 * as ICU allows: "gb18030", "GBK", "UTF-16LE"); CR_ERR_ARGUMENT naming it
 * when not. */
CR_API cr_status cr_encoding_check(const char *encoding, cr_error *err);

/* The value for key, or NULL. Valid as long as the record, or until
 * cr_record_set replaces it. Image bytes (cr_record_set_image) are not
 * values: a key that has only bytes gives NULL. */
CR_API const char *cr_record_get(const cr_record *record, const char *key);

/* Records built in memory, for programs whose data never is a file: a
 * database row, a form, a photo from a camera. Nothing of such a record
 * passes through the file system; a render decodes its photo's bytes
 * directly.
 *
 * An empty record to fill with cr_record_set and cr_record_set_image; name
 * (copied) stands for the record in messages, as a file's path does (NULL:
 * "<memory>"). Its photos' paths, if any, are read against the render's
 * asset_dir, else the working folder. Destroy it with cr_record_destroy. A
 * record must not be changed once it is shared between threads. Returns
 * NULL only when out of memory (CR_ERR_NOMEM). */
CR_API cr_record *cr_record_create(const char *name, cr_error *err);

/* Sets key to value (both copied; a later call replaces the value, the key
 * keeps its place). Works on any record, loaded or created. Errors: key or
 * value not UTF-8, CR_ERR_RECORD naming the record, the key and the bad
 * byte's offset, e.g.
 *   <memory>: record key "name": the value is not UTF-8: byte 0xFF at byte
 *   offset 3 of the value
 * (a key that is not UTF-8 is shown with \xHH escapes); a NULL record, key
 * or value, CR_ERR_ARGUMENT; CR_ERR_NOMEM. On an error the record is as
 * it was. */
CR_API cr_status cr_record_set(cr_record *record, const char *key, const char *value,
                               cr_error *err);

/* Binds image bytes (the contents of a JPEG or PNG file; copied, the caller
 * keeps its buffer) to key: an image field bound to key shows them instead
 * of reading a file, decoded exactly as the file would be, with the same
 * limits (cr_render_options.max_image_pixels) and the same errors naming
 * the field and the key, where the image is named
 *   <image bytes of record key "photo">
 * instead of a path, e.g.
 *   card.json:12:14: field 3 "photo": record key "photo": <image bytes of
 *   record key "photo">: JPEG data is truncated (premature end of data)
 * Bytes win over a path value of the same key (which is then never read, nor
 * checked against asset_dir), and a key with bytes and no value is present
 * for an image field (not for a text field). cr_render, cr_render_proof,
 * cr_check_layout and cr_check all use them. A later call replaces the
 * bytes. Works on any record, loaded or created. Errors: a NULL record, key
 * or data, CR_ERR_ARGUMENT (length 0 is taken; a render then says the image
 * data is empty); a key not UTF-8, CR_ERR_RECORD as for cr_record_set;
 * CR_ERR_NOMEM. */
CR_API cr_status cr_record_set_image(cr_record *record, const char *key, const void *data,
                                     size_t length, cr_error *err);

CR_API void cr_record_destroy(cr_record *record);

/* ----------------------------------------------------------------- render */

/* Called for each problem that does not stop the render, e.g. a field whose
 * text still overflows its box after the field's fit policy, or a character
 * no font covers drawn as .notdef ("missing_glyph": "notdef", CR_ERR_FONT),
 * or text already shaped into Arabic presentation forms (CR_ERR_TEXT): the
 * warning names the template, the field and the reason. */
typedef void (*cr_warning_func)(void *user_data, const cr_error *warning);

/* How one text field came out: proofs mark it, checks list it. */
typedef struct cr_field_report {
    int field_index;
    const char *field_name;
    int overflow;        /* the text still does not fit after the fit policy */
    double size_pt;      /* the size the template asks for */
    double used_size_pt; /* the size used: less than size_pt when shrunk */
    double scale_x;      /* horizontal scale used: below 1 when condensed */
    const char *reason;  /* why it overflows, or "" */
} cr_field_report;

/* Called once for each text field of a render, in template order. */
typedef void (*cr_field_report_func)(void *user_data, const cr_field_report *report);

typedef struct cr_render_options {
    size_t struct_size;      /* set by cr_render_options_init */
    int dpi;                 /* 0: the template's; else CR_DPI_MIN..CR_DPI_MAX */
    cr_warning_func warning; /* may be NULL */
    void *warning_data;
    /* The folder an image field's bound value (a record's photo path, e.g.
     * "photos/4403.jpg") is read against. NULL means the record file's folder
     * when the record came from cr_record_load_file, else the working folder.
     * A value that is absolute, or leads out of this folder by ".." or by a
     * symbolic link, is refused (CR_ERR_RECORD), as is an empty one. */
    const char *asset_dir;
    /* Photos whose header declares more pixels than this are refused before
     * they are decoded. 0 means 40 megapixels. */
    uint64_t max_image_pixels;
    cr_field_report_func field_report; /* may be NULL */
    void *field_report_data;
    /* Print output. A printer canvas: 0 x 0 means the card's own size; else
     * every panel is canvas_width x canvas_height pixels (e.g. 1016 x 648 for
     * an Evolis panel, 661 x 1035 for a Fargo HDP5000 at 300 dpi), white or
     * empty where the card is not, with the card centred on it (left and top
     * rounded down) and then moved by canvas_offset_x, canvas_offset_y pixels
     * (right and down). The card must lie wholly on the canvas. */
    int canvas_width, canvas_height;
    int canvas_offset_x, canvas_offset_y;
    /* Non-zero: every panel is flipped left to right, last of all (for
     * retransfer film, which is printed on its back). */
    int mirror;
    /* A record value a text field shows longer than this many bytes is
     * refused (CR_ERR_RECORD, naming the key) before it is laid out: no card
     * holds such text, and laying it out would take long. 0 means 64 KiB. */
    size_t max_value_bytes;
} cr_render_options;

/* Every member 0 or NULL: the template's dpi, no callbacks, the limits'
 * defaults, the card's own size, not mirrored. */
CR_API void cr_render_options_init(cr_render_options *options);

/* An 8-bit RGB image, rows top to bottom, 3 bytes a pixel; or a 1-bit
 * panel of a card (see cr_image_panel). */
typedef struct cr_image cr_image;

/* Renders one card: the colour image, with the K and overlay panels the
 * template asks for (cr_image_panel), on a printer canvas and mirrored when
 * options say so. A record may be NULL when the template binds no keys.
 * Thread-safe for a shared engine and template. */
CR_API cr_image *cr_render(cr_engine *engine, const cr_template *tpl, const cr_record *record,
                           const cr_render_options *options, cr_error *err);

CR_API int cr_image_width(const cr_image *image);
CR_API int cr_image_height(const cr_image *image);
CR_API int cr_image_stride(const cr_image *image); /* bytes per row */
CR_API int cr_image_dpi(const cr_image *image);
CR_API const uint8_t *cr_image_pixels(const cr_image *image);

/* How cr_image_write_png_file_with and cr_image_write_panels_with write. */
typedef struct cr_write_options {
    size_t struct_size; /* set by cr_write_options_init */
    /* Non-zero: each file is flushed to the disk (fsync) before it is
     * renamed into place, and its folder after the rename, so that a file
     * the call reported written survives a crash or a power cut. A failing
     * sync fails the call and leaves nothing under the final name. Costs a
     * disk flush or two per file. A FIFO or a device has nothing to sync. */
    int fsync;
    /* Threads that code a colour PNG's pixels, for the latency of one
     * card (a batch is faster with a card per thread); 0 or 1: the
     * calling thread alone, at most 64. The file is the same for any
     * number. */
    int threads;
} cr_write_options;

/* No fsync, one thread. */
CR_API void cr_write_options_init(cr_write_options *options);

/* Writes an 8-bit RGB PNG with pHYs (the image's dpi) and sRGB chunks (a
 * 1-bit panel: a 1-bit grayscale PNG with pHYs, black where it prints).
 * What `path` names decides how:
 *   a new name or a regular file: the PNG is written to a temporary file
 *     beside it ("PATH.XXXXXX.tmp") and renamed over it when complete, so a
 *     failure never leaves a partial file;
 *   a symbolic link: followed to the file it ends at, which is replaced the
 *     same way (the temporary beside that file); the link stays a link. A
 *     dangling link's missing file is created, as cp does;
 *   a FIFO or a character device (a pipe, a terminal, /dev/null), or a link
 *     through /proc such as /dev/stdout or /dev/fd/N whatever it leads to:
 *     written in place, as an open stream: no temporary file, no rename (a
 *     FIFO waits for its reader, as a shell's redirection does). A reader
 *     that goes away is CR_ERR_IO ("Broken pipe"), never a SIGPIPE;
 *   a directory, a block device or a socket: CR_ERR_IO naming it.
 * Errors name path and the step that failed. Returns CR_OK. */
CR_API cr_status cr_image_write_png_file(const cr_image *image, const char *path, cr_error *err);

/* The same, as options say (NULL: as cr_image_write_png_file). */
CR_API cr_status cr_image_write_png_file_with(const cr_image *image, const char *path,
                                              const cr_write_options *options, cr_error *err);

/* The same PNG into a new buffer, *data of *size bytes, which the caller
 * frees with cr_free; on an error *data is NULL and *size 0. */
CR_API cr_status cr_image_write_png_memory(const cr_image *image, uint8_t **data, size_t *size,
                                           cr_error *err);

/* The same, as options say (threads; fsync has nothing to do here; NULL:
 * as cr_image_write_png_memory). */
CR_API cr_status cr_image_write_png_memory_with(const cr_image *image, uint8_t **data,
                                                size_t *size, const cr_write_options *options,
                                                cr_error *err);

/* Frees memory the library handed to the caller (the buffer of
 * cr_image_write_png_memory). Use it rather than free(): the library may be
 * linked with another allocator than the program. NULL is allowed. */
CR_API void cr_free(void *data);

/* Destroys an image and its panels. NULL is allowed. The pixels of a card
 * painted from its template's static cache are kept for the next card of
 * that template and resolution to start from (at most 4 such canvases a
 * template and resolution; freed with the template, or with the last image
 * painted from it): the next card comes out the same, only faster. */
CR_API void cr_image_destroy(cr_image *image);

/* ----------------------------------------------------------- print panels */

/* What a card printer lays down, one image each. A template sends a field
 * to the K panel with "panel": "k" (card.k_panel says how its grey becomes
 * 1 bit) and asks for an overlay mask with card.overlay. */
typedef enum cr_panel {
    CR_PANEL_COLOR = 0,  /* the RGB image: dye-sublimation colour */
    CR_PANEL_K = 1,      /* 1 bit: black resin */
    CR_PANEL_OVERLAY = 2 /* 1 bit: the clear overlay, with holes (e.g. over the chip) */
} cr_panel;

#define CR_PANEL_COUNT 3

typedef enum cr_image_format {
    CR_FORMAT_RGB8 = 0, /* 3 bytes a pixel, R G B */
    CR_FORMAT_GRAY1 = 1 /* 1 bit a pixel, 8 pixels a byte, the leftmost in the
                         * high bit; a set bit is where the panel prints (black
                         * in its PNG), a clear bit where it does not (white) */
} cr_image_format;

CR_API cr_image_format cr_image_format_of(const cr_image *image);

/* A panel of a rendered card: CR_PANEL_COLOR is the image itself; the K and
 * overlay panels are 1-bit images of the same size and resolution, owned by
 * the card's image (never destroy them), or NULL when the template has none.
 * The accessors above and the PNG writers work on them too: a 1-bit panel is
 * written as a 1-bit grayscale PNG with pHYs. */
CR_API const cr_image *cr_image_panel(const cr_image *image, cr_panel panel);

/* "color", "k", "overlay". */
CR_API const char *cr_panel_name(cr_panel panel);

/* Writes every panel the card has: the colour image to path, the K panel to
 * path with ".png" (if it ends so) replaced by ".k.png", the overlay to
 * ".overlay.png", each as cr_image_write_png_file writes its path. Each file
 * is written whole or not at all, and when one fails, the files this call
 * already wrote are removed again (what was written in place, to a FIFO or
 * a device, cannot be taken back). */
CR_API cr_status cr_image_write_panels(const cr_image *image, const char *path, cr_error *err);

/* The same, as options say (NULL: as cr_image_write_panels). */
CR_API cr_status cr_image_write_panels_with(const cr_image *image, const char *path,
                                            const cr_write_options *options, cr_error *err);

/* The file name cr_image_write_panels uses for panel, into buf (size bytes);
 * CR_ERR_ARGUMENT when it does not fit. */
CR_API cr_status cr_panel_path(const char *path, cr_panel panel, char *buf, size_t size,
                               cr_error *err);

/* ---------------------------------------------------------------- sheets */

/* N cards imposed on one sheet, for printing several cards at once (the
 * resident card is printed 8 to a sheet, both sides, mirrored). */
typedef struct cr_sheet_options {
    size_t struct_size; /* set by cr_sheet_options_init */
    int columns, rows;  /* slots, filled row by row from the top left */
    double gap_mm;      /* between neighbouring cards */
    double margin_mm;   /* around the cards: the crop marks are drawn there */
    /* Non-zero: the back of a sheet: slot positions are mirrored left to
     * right, so that after turning the sheet over about its vertical axis
     * each back lies behind its front. The cards themselves are not flipped. */
    int back;
    int mirror; /* non-zero: the whole sheet is flipped left to right, last */
} cr_sheet_options;

/* 2 x 4 slots, 3 mm gaps, 6 mm margins, front, not mirrored. */
CR_API void cr_sheet_options_init(cr_sheet_options *options);

/* Imposes count cards (at most columns x rows; NULL entries leave a slot
 * empty) on a white sheet with crop marks: hairlines in the margin along
 * every cut, 1.5 mm clear of the cards. All cards must have one size and
 * resolution, which the sheet takes. When any card has a K or overlay
 * panel, the sheet has that panel too, imposed the same way (crop marks are
 * on the colour sheet only). options may be NULL for the defaults. */
CR_API cr_image *cr_sheet_impose(const cr_image *const *cards, size_t count,
                                 const cr_sheet_options *options, cr_error *err);

/* -------------------------------------------------------- proofs and checks */

/* Lays out every text field of tpl for record exactly as cr_render would,
 * and reads and decodes every photo the record binds (or the image bytes
 * bound with cr_record_set_image) as cr_render would, painting nothing and
 * writing nothing, and goes on past the problems that would stop cr_render,
 * so a check can list them all:
 *   options->field_report gets every text field that lays out (overflow,
 *     shrink, condense: as in a render);
 *   options->warning gets every character drawn as .notdef (CR_ERR_FONT),
 *     every text already in Arabic presentation forms (CR_ERR_TEXT) and
 *     every field that cannot be laid out, with the error that would stop
 *     cr_render (a character no font covers: CR_ERR_FONT; text that does not
 *     fit a "fit": "error" field: CR_ERR_TEXT; invalid UTF-8). An overflow
 *     is not repeated as a warning: the report has it.
 *   options->warning also gets every bound image field whose photo cannot be
 *     used, with the render's error (the path as resolved against asset_dir
 *     or the record's folder) and the record's name in front of it, e.g.
 *       card.json:12:14: field 3 "photo": the record in/a.json: record key
 *       "photo": in/photos/a.jpg: cannot open: No such file or directory
 *     (CR_ERR_IO: missing or unreadable; CR_ERR_IMAGE: not a JPEG or PNG,
 *     corrupt, truncated, or more pixels than max_image_pixels;
 *     CR_ERR_RECORD: an empty value or a path leaving the asset folder).
 * A field whose bound key the record lacks (with no record: every bound
 * field) is skipped; cr_template_field lists every field's bind. Only the
 * dpi, warning, field_report, asset_dir and max_image_pixels members of
 * options are used. Returns CR_OK, or the error that stopped the check (bad
 * arguments, out of memory). */
CR_API cr_status cr_check_layout(cr_engine *engine, const cr_template *tpl, const cr_record *record,
                                 const cr_render_options *options, cr_error *err);

/* One finding of cr_check: one line of `cardrender check`'s output. The
 * strings live only during the callback; copy what you keep. */
typedef struct cr_finding {
    /* The line exactly as `cardrender check` prints it, without the newline:
     *   SUBJECT: field N "NAME": DETAIL   (a finding about a field)
     *   SUBJECT: DETAIL                   (any other) */
    const char *text;
    /* What the line starts with: the template's path (cr_template_path) in
     * the template's findings, the record's name in a record's (its file's
     * path; "FILE:LINE" for a record of a JSON Lines or CSV file, as
     * `batch` names it; cr_record_create's name). */
    const char *subject;
    /* A stable word for what was found:
     *   "box_outside"    a field's box reaches outside the card
     *   "safe_margin"    a text or image box reaches into the safe margin
     *   "missing_key"    the record lacks a key a field that is not
     *                    optional binds
     *   "overflow"       text does not fit its box, after the fit policy
     *   "shrunk"         text was set smaller than size_pt to fit
     *   "condensed"      text was narrowed to fit
     *   "font"           a character no font covers (drawn as .notdef, or
     *                    refused by "missing_glyph": "error")
     *   "rare_character" a rare ideograph, private-use character or
     *                    variation sequence, naming the font it is drawn
     *                    from: look at its glyph on a proof
     *   "text"           text that cannot be set as it is: invalid UTF-8,
     *                    Arabic presentation forms, a "fit": "error" field
     *                    that does not fit
     *   "value_too_long" a value over max_value_bytes
     *   "photo"          a bound photo a render could not use (missing,
     *                    unreadable, not a JPEG or PNG, corrupt, truncated,
     *                    over max_image_pixels, leaving the asset folder,
     *                    or bad image bytes of cr_record_set_image)
     *   "barcode"        a barcode's data its symbology cannot encode, or a
     *                    symbol too big for its box
     *   "record"         a "lang_bind" value missing or not a language tag,
     *                    or a record that cannot make a field's MRZ (a key
     *                    missing, a date that is not a date, a value too
     *                    long or with a character 9303 cannot spell)
     * `cardrender check` prints two kinds of its own: "record" also for a
     * record it could not read (the subject is the file, or FILE:LINE, the
     * text the reader's error, and file, line and column point into the
     * records file), and "error" for the error that stopped a check (the
     * text is the subject and the error's message). Later versions may add
     * kinds. */
    const char *kind;
    int field_index;        /* 0-based, or -1 when the finding is about no field */
    const char *field_name; /* "" when none */
    /* Where in the template (or its base or fragment) the finding points:
     * the field, or its "bind" for a record's key or value; "" and -1 when
     * unknown. */
    const char *file;
    int line, column;
    /* The text after "SUBJECT: " and "field N "NAME": ", e.g.
     * "overflows: needs 2 lines, box holds 1". */
    const char *detail;
} cr_finding;

/* Called once for each finding, in the order `cardrender check` prints. */
typedef void (*cr_finding_func)(void *user_data, const cr_finding *finding);

typedef struct cr_check_options {
    size_t struct_size; /* set by cr_check_options_init */
    int dpi;            /* 0: the template's; else CR_DPI_MIN..CR_DPI_MAX */
    /* The safe margin inside the card's edge that text and image boxes must
     * keep out of: 0 means 3 mm, < 0 no margin checked (as in
     * cr_proof_options; the CLI's --safe-mm 0 is -1 here). */
    double safe_mm;
    /* As in cr_render_options: where photo paths are read, the longest value
     * a text field shows (0: 64 KiB), the most pixels a photo may declare
     * (0: 40 megapixels). */
    const char *asset_dir;
    size_t max_value_bytes;
    uint64_t max_image_pixels;
    cr_finding_func finding; /* may be NULL: only counted */
    void *finding_data;
} cr_check_options;

/* The template's dpi, a 3 mm safe margin, the render's defaults, no
 * callback. */
CR_API void cr_check_options_init(cr_check_options *options);

/* Checks a template, or one record against it, writing nothing: what
 * `cardrender check` prints, one finding for each of its lines (the summary
 * line aside), handed to options->finding.
 *   record NULL: the template's own findings: boxes outside the card or in
 *     the safe margin, fixed text that overflows, was shrunk or condensed,
 *     or has a character no font covers;
 *   a record: that record's findings only: every key it lacks, and its
 *     bound text and photos as cr_check_layout finds them (layout, fonts,
 *     rare characters, photos read as a render reads them, image bytes of
 *     cr_record_set_image decoded).
 * Check a template once with NULL, then each record. *count (count may be
 * NULL) gets the number of findings. Returns CR_OK when the check ran, with
 * or without findings (they are not errors); else the error that stopped
 * it: CR_ERR_ARGUMENT (no engine or template, bad options, a dpi out of
 * range), CR_ERR_NOMEM. options may be NULL for the defaults (then nothing
 * but the count comes back). */
CR_API cr_status cr_check(cr_engine *engine, const cr_template *tpl, const cr_record *record,
                          const cr_check_options *options, size_t *count, cr_error *err);

typedef struct cr_proof_options {
    size_t struct_size;      /* set by cr_proof_options_init */
    int dpi;                 /* 0: the template's; else CR_DPI_MIN..CR_DPI_MAX */
    const char *asset_dir;   /* where photos are read, as in cr_render_options */
    double safe_mm;          /* safe margin inside the card's edge: 0 means 3 mm, < 0 none */
    const char *caption;     /* a line under the card (e.g. template and record), or NULL */
    cr_warning_func warning; /* the render's warnings; may be NULL */
    void *warning_data;
} cr_proof_options;

/* The template's dpi, a 3 mm safe margin, no caption, no callback. */
CR_API void cr_proof_options_init(cr_proof_options *options);

/* A proof for the people who approve cards: the card as cr_render paints it
 * (a K panel shown black), on a white sheet with a 7 mm margin, and drawn
 * over it: a light "样张 SPECIMEN" watermark along the card's diagonal; the
 * card's outline with its rounded corners (thin grey); the safe margin
 * (dashed green); every field's box (thin blue) and its name on a small tag,
 * placed where it covers the fewest other tags and boxes: outside a corner
 * of the box (above the top-left first), beside it, or further out with a
 * leader line to the box. Each text field that overflows, was shrunk or
 * condensed, or has a character drawn as .notdef is boxed and tinted red and
 * its tag is red. Under the card: the caption, then one red line per such
 * field ("field 3 "name": condensed to 82.0%"). The render's errors stop the
 * proof (a record lacking a key, a "fit": "error" field that does not fit).
 * Same inputs, same bytes. options may be NULL. */
CR_API cr_image *cr_render_proof(cr_engine *engine, const cr_template *tpl, const cr_record *record,
                                 const cr_proof_options *options, cr_error *err);

/* left and right next to each other on white, gap_mm (0..1000) apart, tops
 * aligned: e.g. the proofs of a card's two sides on one sheet. Both must be
 * colour images of one resolution, which the result takes. */
CR_API cr_image *cr_image_beside(const cr_image *left, const cr_image *right, double gap_mm,
                                 cr_error *err);

#ifdef __cplusplus
}
#endif

#endif
