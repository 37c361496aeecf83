/* Decoding photos and artwork: JPEG through libjpeg-turbo, PNG through
 * libpng, both into straight-alpha RGBA8 (see image.h). */
#include "image.h"
#include "input_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

#include "error.h"
#include "pixel_memory.h"

/* Progressive JPEGs may hold any number of scans; a hostile file uses
 * thousands to burn CPU. Real encoders write about ten. */
#define CR_JPEG_MAX_SCANS 500

#define fail_at(err, code, name, ...)                                                              \
    cr_error_set((err), (code), (cr_location){(name), 0, 0, -1, NULL}, __VA_ARGS__)

/* ---------------------------------------------------------------- pixmaps */

/* zeroed false: the caller writes every pixel (a decoder, which frees the
 * pixmap when it fails part way). */
static cr_status pixmap_alloc(const char *name, int width, int height, bool zeroed, cr_pixmap *out,
                              cr_error *err)
{
    memset(out, 0, sizeof *out);
    if (width <= 0 || height <= 0 || width > INT_MAX / 4)
        return fail_at(err, CR_ERR_ARGUMENT, name, "invalid pixmap size %dx%d", width, height);
    size_t stride = (size_t)width * 4;
    if ((size_t)height > SIZE_MAX / stride)
        return fail_at(err, CR_ERR_NOMEM, name, "a %dx%d image does not fit in memory", width,
                       height);
    out->rgba = cr_pixel_memory_alloc((size_t)height * stride, zeroed);
    if (!out->rgba)
        return fail_at(err, CR_ERR_NOMEM, name, "out of memory for a %dx%d image", width, height);
    out->width = width;
    out->height = height;
    out->stride = (int)stride;
    return CR_OK;
}

cr_status cr_pixmap_init(cr_pixmap *pixmap, int width, int height, cr_error *err)
{
    if (!pixmap)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_pixmap_init: pixmap is NULL");
    return pixmap_alloc(NULL, width, height, true, pixmap, err);
}

cr_status cr_pixmap_init_unset(cr_pixmap *pixmap, int width, int height, cr_error *err)
{
    if (!pixmap)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_pixmap_init_unset: pixmap is NULL");
    return pixmap_alloc(NULL, width, height, false, pixmap, err);
}

void cr_pixmap_free(cr_pixmap *pixmap)
{
    if (!pixmap)
        return;
    cr_pixel_memory_free(pixmap->rgba);
    memset(pixmap, 0, sizeof *pixmap);
}

/* Where displayed pixel (0, 0) comes from in the stored picture, and how far
 * (in bytes) the source moves for one step right and one step down. */
typedef struct orientation_walk {
    ptrdiff_t base, step_x, step_y;
} orientation_walk;

static orientation_walk walk_for_orientation(const cr_pixmap *src, int orientation)
{
    ptrdiff_t px = 4, row = src->stride;
    ptrdiff_t right = (ptrdiff_t)(src->width - 1) * px;
    ptrdiff_t bottom = (ptrdiff_t)(src->height - 1) * row;
    switch (orientation) {
    case 2:
        return (orientation_walk){right, -px, row}; /* mirrored */
    case 3:
        return (orientation_walk){right + bottom, -px, -row}; /* turned 180 */
    case 4:
        return (orientation_walk){bottom, px, -row}; /* flipped */
    case 5:
        return (orientation_walk){0, row, px}; /* transposed */
    case 6:
        return (orientation_walk){bottom, -row, px}; /* needs 90 cw */
    case 7:
        return (orientation_walk){right + bottom, -row, -px}; /* transversed */
    case 8:
        return (orientation_walk){right, row, -px}; /* needs 90 ccw */
    default:
        return (orientation_walk){0, px, row};
    }
}

cr_status cr_pixmap_apply_orientation(const cr_pixmap *src, int orientation, cr_pixmap *out,
                                      cr_error *err)
{
    if (!src || !src->rgba || !out)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_pixmap_apply_orientation: NULL pixmap");
    bool swaps_axes = orientation >= 5 && orientation <= 8;
    int width = swaps_axes ? src->height : src->width;
    int height = swaps_axes ? src->width : src->height;
    cr_status status = pixmap_alloc(NULL, width, height, false, out, err);
    if (status != CR_OK)
        return status;
    orientation_walk walk = walk_for_orientation(src, orientation);
    for (int y = 0; y < height; y++) {
        const uint8_t *from = src->rgba + walk.base + (ptrdiff_t)y * walk.step_y;
        uint8_t *to = cr_pixmap_at(out, 0, y);
        for (int x = 0; x < width; x++, from += walk.step_x, to += 4)
            memcpy(to, from, 4);
    }
    out->opaque = src->opaque; /* the same pixels, turned */
    return CR_OK;
}

/* ------------------------------------------------------------------ EXIF */

static unsigned read_u16(const uint8_t *p, bool little)
{
    return little ? (unsigned)(p[0] | p[1] << 8) : (unsigned)(p[0] << 8 | p[1]);
}

static uint32_t read_u32(const uint8_t *p, bool little)
{
    if (little)
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Only IFD0 is read: Orientation (tag 0x0112, one SHORT) lives there. Every
 * offset comes from the file, so each is checked against the size first. */
int cr_exif_orientation(const uint8_t *data, size_t size)
{
    static const uint8_t exif_id[6] = {'E', 'x', 'i', 'f', 0, 0};
    if (!data || size < sizeof exif_id + 8 || memcmp(data, exif_id, sizeof exif_id) != 0)
        return 0;
    const uint8_t *tiff = data + sizeof exif_id;
    size_t tiff_size = size - sizeof exif_id;
    bool little;
    if (tiff[0] == 'I' && tiff[1] == 'I')
        little = true;
    else if (tiff[0] == 'M' && tiff[1] == 'M')
        little = false;
    else
        return 0;
    if (read_u16(tiff + 2, little) != 42)
        return 0;
    uint32_t ifd = read_u32(tiff + 4, little);
    if (ifd > tiff_size || tiff_size - ifd < 2)
        return 0;
    unsigned entries = read_u16(tiff + ifd, little);
    for (unsigned i = 0; i < entries; i++) {
        size_t at = (size_t)ifd + 2 + (size_t)i * 12;
        if (at > tiff_size || tiff_size - at < 12)
            return 0; /* the count promised more entries than there are */
        const uint8_t *entry = tiff + at;
        if (read_u16(entry, little) != 0x0112)
            continue;
        if (read_u16(entry + 2, little) != 3 || read_u32(entry + 4, little) < 1)
            return 0;
        unsigned value = read_u16(entry + 8, little);
        return value >= 1 && value <= 8 ? (int)value : 0;
    }
    return 0;
}

/* --------------------------------------------------------------- sniffing */

static bool has_prefix(const uint8_t *data, size_t size, const void *magic, size_t length)
{
    return size >= length && memcmp(data, magic, length) == 0;
}

/* A PNG cut short inside its signature is still a (truncated) PNG. */
static bool looks_like_png(const uint8_t *data, size_t size)
{
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    size_t n = size < sizeof signature ? size : sizeof signature;
    return n >= 4 && memcmp(data, signature, n) == 0;
}

static bool looks_like_bmp(const uint8_t *data, size_t size)
{
    if (!has_prefix(data, size, "BM", 2) || size < 18)
        return false;
    uint32_t dib_size = read_u32(data + 14, true);
    return dib_size == 12 || dib_size == 40 || dib_size == 52 || dib_size == 56 || dib_size == 64 ||
           dib_size == 108 || dib_size == 124;
}

static bool looks_like_heif(const uint8_t *data, size_t size)
{
    static const char *const brands[] = {"heic", "heix", "hevc", "heim", "heis",
                                         "mif1", "msf1", "avif", "avis"};
    if (size < 12 || memcmp(data + 4, "ftyp", 4) != 0)
        return false;
    for (size_t i = 0; i < sizeof brands / sizeof brands[0]; i++)
        if (memcmp(data + 8, brands[i], 4) == 0)
            return true;
    return false;
}

/* Length of the UTF-8 sequence starting at p (1-4), or 0 if invalid; a
 * sequence cut off by the end of the sample counts as valid. */
static size_t utf8_sequence_length(const uint8_t *p, size_t left)
{
    size_t length = p[0] < 0x80                   ? 1
                    : p[0] >= 0xc2 && p[0] < 0xe0 ? 2
                    : p[0] >= 0xe0 && p[0] < 0xf0 ? 3
                    : p[0] >= 0xf0 && p[0] < 0xf5 ? 4
                                                  : 0;
    for (size_t i = 1; i < length && i < left; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    return length;
}

static bool looks_like_text(const uint8_t *data, size_t size)
{
    size_t sample = size < 512 ? size : 512;
    for (size_t i = 0; i < sample;) {
        uint8_t c = data[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f')
            return false;
        if (c == 0x7f)
            return false;
        size_t length = utf8_sequence_length(data + i, sample - i);
        if (length == 0)
            return false;
        i += length;
    }
    return sample > 0;
}

static bool mentions_svg(const uint8_t *data, size_t size)
{
    size_t sample = size < 1024 ? size : 1024;
    return memmem(data, sample, "<svg", 4) != NULL;
}

const char *cr_image_sniff_format(const uint8_t *data, size_t size)
{
    if (!data || size == 0)
        return "empty";
    if (has_prefix(data, size, "\xff\xd8", 2))
        return "JPEG";
    if (looks_like_png(data, size))
        return "PNG";
    if (has_prefix(data, size, "GIF87a", 6) || has_prefix(data, size, "GIF89a", 6))
        return "GIF";
    if (size >= 12 && has_prefix(data, size, "RIFF", 4) && memcmp(data + 8, "WEBP", 4) == 0)
        return "WebP";
    if (looks_like_bmp(data, size))
        return "BMP";
    if (has_prefix(data, size, "II*\0", 4) || has_prefix(data, size, "MM\0*", 4))
        return "TIFF";
    if (has_prefix(data, size, "\0\0\0\x0cjP  \r\n\x87\n", 12) ||
        has_prefix(data, size, "\xff\x4f\xff\x51", 4))
        return "JPEG 2000";
    if (looks_like_heif(data, size))
        return "HEIF/AVIF";
    if (has_prefix(data, size, "%PDF-", 5))
        return "PDF";
    if (has_prefix(data, size, "8BPS", 4))
        return "Photoshop PSD";
    if (looks_like_text(data, size))
        return mentions_svg(data, size) ? "SVG" : "text";
    return "unknown";
}

/* ----------------------------------------------------------------- limits */

static cr_decode_limits effective_limits(const cr_decode_limits *limits)
{
    cr_decode_limits out = {CR_DEFAULT_MAX_PIXELS, CR_DEFAULT_MAX_FILE_BYTES, 0, 0, NULL, NULL};
    if (limits) {
        out.admit = limits->admit;
        out.admit_data = limits->admit_data;
    }
    if (limits && limits->max_pixels)
        out.max_pixels = limits->max_pixels;
    if (limits && limits->max_file_bytes)
        out.max_file_bytes = limits->max_file_bytes;
    if (limits && limits->reduce_to_width > 0 && limits->reduce_to_height > 0) {
        out.reduce_to_width = limits->reduce_to_width;
        out.reduce_to_height = limits->reduce_to_height;
    }
    return out;
}

/* The decode's admission (cr_decode_limits.admit): the data, the pixels of
 * width x height and, when the picture must be turned, a second copy. */
static cr_status admit(const cr_decode_limits *limits, const char *name, size_t data_size,
                       uint64_t width, uint64_t height, bool turned, cr_error *err)
{
    if (!limits->admit)
        return CR_OK;
    uint64_t pixels = width * height * 4;
    return limits->admit(limits->admit_data, data_size + pixels * (turned ? 2 : 1), name, err);
}

static cr_status check_dimensions(const char *name, const char *format, uint64_t width,
                                  uint64_t height, const cr_decode_limits *limits, cr_error *err)
{
    if (width == 0 || height == 0)
        return fail_at(err, CR_ERR_IMAGE, name, "%s header declares a zero %s", format,
                       width == 0 ? "width" : "height");
    uint64_t pixels = width * height; /* both < 2^32: no overflow */
    if (pixels > limits->max_pixels)
        return fail_at(err, CR_ERR_IMAGE, name,
                       "image is %llux%llu pixels (%llu), more than the limit of %llu",
                       (unsigned long long)width, (unsigned long long)height,
                       (unsigned long long)pixels, (unsigned long long)limits->max_pixels);
    if (width > INT_MAX / 4 || height > INT_MAX)
        return fail_at(err, CR_ERR_IMAGE, name, "image is %llux%llu pixels, too large",
                       (unsigned long long)width, (unsigned long long)height);
    return CR_OK;
}

/* ------------------------------------------------------------------- JPEG */

typedef struct jpeg_failure {
    struct jpeg_error_mgr manager; /* first: libjpeg hands back this pointer */
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
    int code;        /* libjpeg message code, or -1 for our own reasons */
    bool is_warning; /* a warning promoted to an error: damaged data */
} jpeg_failure;

typedef struct jpeg_job {
    struct jpeg_decompress_struct cinfo;
    jpeg_failure failure;
    struct jpeg_progress_mgr progress;
    const uint8_t *data;
    size_t size;
    const char *name;
    const cr_decode_limits *limits;
    int orientation; /* EXIF, read before finishing: the markers die with the image */
    uint8_t *cmyk_row;
    cr_pixmap pixels;
    cr_error *err;
} jpeg_job;

static _Noreturn void jpeg_fail_exit(j_common_ptr cinfo)
{
    jpeg_failure *failure = (jpeg_failure *)cinfo->err;
    cinfo->err->format_message(cinfo, failure->message);
    failure->code = cinfo->err->msg_code;
    longjmp(failure->jump, 1);
}

/* Warnings about metadata only; everything else libjpeg warns about is
 * damaged image data. Even "extraneous bytes before marker" is refused: a
 * corrupt entropy stream that decodes short ends exactly that way. */
static bool jpeg_warning_is_harmless(int code)
{
    return code == JWRN_JFIF_MAJOR || code == JWRN_BOGUS_ICC;
}

/* level < 0 is a warning; libjpeg only warns about damaged data (truncation,
 * bad entropy codes) and then goes on with grey blocks: stop instead. */
static void jpeg_on_message(j_common_ptr cinfo, int level)
{
    jpeg_failure *failure = (jpeg_failure *)cinfo->err;
    if (level >= 0 || jpeg_warning_is_harmless(cinfo->err->msg_code))
        return;
    failure->is_warning = true;
    jpeg_fail_exit(cinfo);
}

static void jpeg_limit_scans(j_common_ptr cinfo)
{
    j_decompress_ptr dinfo = (j_decompress_ptr)cinfo;
    if (dinfo->input_scan_number <= CR_JPEG_MAX_SCANS)
        return;
    jpeg_failure *failure = (jpeg_failure *)cinfo->err;
    snprintf(failure->message, sizeof failure->message, "more than %d progressive scans",
             CR_JPEG_MAX_SCANS);
    failure->code = -1;
    longjmp(failure->jump, 1);
}

static cr_status jpeg_report_failure(const jpeg_job *job)
{
    const jpeg_failure *f = &job->failure;
    if (f->code == JWRN_JPEG_EOF || f->code == JERR_INPUT_EOF || f->code == JERR_INPUT_EMPTY)
        return fail_at(job->err, CR_ERR_IMAGE, job->name,
                       "JPEG data is truncated (premature end of data)");
    const char *text = f->message;
    static const char corrupt_prefix[] = "Corrupt JPEG data: ";
    if (strncmp(text, corrupt_prefix, sizeof corrupt_prefix - 1) == 0)
        text += sizeof corrupt_prefix - 1;
    if (f->is_warning || f->code == -1)
        return fail_at(job->err, CR_ERR_IMAGE, job->name, "JPEG data is corrupt (%s)", text);
    return fail_at(job->err, CR_ERR_IMAGE, job->name, "invalid JPEG (%s)", text);
}

/* libjpeg converts everything but CMYK/YCCK to RGBA itself (libjpeg-turbo's
 * extended colour spaces); those come out as CMYK and are converted here. */
static cr_status jpeg_choose_output(jpeg_job *job)
{
    struct jpeg_decompress_struct *cinfo = &job->cinfo;
    switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE:
    case JCS_YCbCr:
    case JCS_RGB:
        cinfo->out_color_space = JCS_EXT_RGBA;
        return CR_OK;
    case JCS_CMYK:
    case JCS_YCCK:
        cinfo->out_color_space = JCS_CMYK;
        return CR_OK;
    default:
        return fail_at(job->err, CR_ERR_IMAGE, job->name,
                       "unsupported JPEG colour space (%d components)", cinfo->num_components);
    }
}

static uint8_t div255(unsigned value)
{
    return (uint8_t)((value + 127) / 255);
}

/* Naive CMYK -> RGB without an ICC profile: good enough to recognise a face,
 * never garbage. Adobe's writers store CMYK inverted (0 = full ink) and mark
 * it with an APP14 "Adobe" segment; others store it plainly. */
static void cmyk_row_to_rgba(const uint8_t *cmyk, uint8_t *rgba, int width, bool inverted)
{
    for (int x = 0; x < width; x++, cmyk += 4, rgba += 4) {
        unsigned c = cmyk[0], m = cmyk[1], y = cmyk[2], k = cmyk[3];
        if (!inverted) {
            c = 255 - c, m = 255 - m, y = 255 - y, k = 255 - k;
        }
        rgba[0] = div255(c * k);
        rgba[1] = div255(m * k);
        rgba[2] = div255(y * k);
        rgba[3] = 255;
    }
}

static void jpeg_read_rows(jpeg_job *job)
{
    struct jpeg_decompress_struct *cinfo = &job->cinfo;
    bool cmyk = cinfo->out_color_space == JCS_CMYK;
    while (cinfo->output_scanline < cinfo->output_height) {
        int y = (int)cinfo->output_scanline;
        JSAMPROW row = cmyk ? job->cmyk_row : cr_pixmap_at(&job->pixels, 0, y);
        if (jpeg_read_scanlines(cinfo, &row, 1) != 1) {
            job->failure.code = JWRN_JPEG_EOF; /* a source can only stall at the end */
            longjmp(job->failure.jump, 1);
        }
        if (cmyk)
            cmyk_row_to_rgba(job->cmyk_row, cr_pixmap_at(&job->pixels, 0, y),
                             (int)cinfo->output_width, cinfo->saw_Adobe_marker);
    }
}

static int jpeg_orientation(const struct jpeg_decompress_struct *cinfo)
{
    for (jpeg_saved_marker_ptr m = cinfo->marker_list; m; m = m->next) {
        int orientation =
            m->marker == JPEG_APP0 + 1 ? cr_exif_orientation(m->data, m->data_length) : 0;
        if (orientation)
            return orientation;
    }
    return 1;
}

/* The function holding setjmp touches state only through job, which lives
 * in the caller's frame, so nothing is indeterminate after a longjmp. */
/* The largest reduction (8, 4, 2) that keeps the upright picture at least
 * limits->reduce_to_width x reduce_to_height; libjpeg rounds sizes up. */
static void jpeg_choose_scale(struct jpeg_decompress_struct *cinfo, int orientation,
                              const cr_decode_limits *limits)
{
    unsigned want_w = (unsigned)limits->reduce_to_width,
             want_h = (unsigned)limits->reduce_to_height;
    if (want_w == 0 || want_h == 0)
        return;
    if (orientation >= 5 && orientation <= 8) { /* turned a quarter: the file's axes swap */
        unsigned t = want_w;
        want_w = want_h;
        want_h = t;
    }
    unsigned denom = 8;
    while (denom > 1 && ((cinfo->image_width + denom - 1) / denom < want_w ||
                         (cinfo->image_height + denom - 1) / denom < want_h))
        denom /= 2;
    cinfo->scale_num = 1;
    cinfo->scale_denom = denom;
}

static cr_status jpeg_run(jpeg_job *job)
{
    struct jpeg_decompress_struct *cinfo = &job->cinfo;
    cinfo->err = jpeg_std_error(&job->failure.manager);
    job->failure.manager.error_exit = jpeg_fail_exit;
    job->failure.manager.emit_message = jpeg_on_message;
    if (setjmp(job->failure.jump))
        return jpeg_report_failure(job);
    jpeg_create_decompress(cinfo);
    job->progress.progress_monitor = jpeg_limit_scans;
    cinfo->progress = &job->progress;
    jpeg_mem_src(cinfo, job->data, (unsigned long)job->size);
    jpeg_save_markers(cinfo, JPEG_APP0 + 1, 0xffff);
    jpeg_read_header(cinfo, TRUE);
    job->orientation = jpeg_orientation(cinfo);

    cr_status status = check_dimensions(job->name, "JPEG", cinfo->image_width, cinfo->image_height,
                                        job->limits, job->err);
    if (status == CR_OK)
        status = jpeg_choose_output(job);
    if (status != CR_OK)
        return status;
    cinfo->dct_method = JDCT_ISLOW; /* exact integer IDCT: same pixels everywhere */
    jpeg_choose_scale(cinfo, job->orientation, job->limits);
    jpeg_start_decompress(cinfo);
    if (cinfo->output_components != 4)
        return fail_at(job->err, CR_ERR_INTERNAL, job->name, "libjpeg produced %d components",
                       cinfo->output_components);
    status = admit(job->limits, job->name, job->size, cinfo->output_width, cinfo->output_height,
                   job->orientation > 1, job->err);
    if (status != CR_OK)
        return status;
    status = pixmap_alloc(job->name, (int)cinfo->output_width, (int)cinfo->output_height, false,
                          &job->pixels, job->err);
    if (status != CR_OK)
        return status;
    if (cinfo->out_color_space == JCS_CMYK) {
        job->cmyk_row = malloc((size_t)cinfo->output_width * 4);
        if (!job->cmyk_row)
            return fail_at(job->err, CR_ERR_NOMEM, job->name, "out of memory");
    }
    jpeg_read_rows(job);
    jpeg_finish_decompress(cinfo);
    job->pixels.opaque = true; /* libjpeg's RGBA and the CMYK conversion: alpha 255 */
    return CR_OK;
}

static cr_status decode_jpeg(const uint8_t *data, size_t size, const char *name,
                             const cr_decode_limits *limits, cr_pixmap *out, cr_error *err)
{
    jpeg_job job = {.data = data, .size = size, .name = name, .limits = limits, .err = err};
    cr_status status = jpeg_run(&job);
    jpeg_destroy_decompress(&job.cinfo); /* a no-op if creating it failed */
    free(job.cmyk_row);
    if (status != CR_OK) {
        cr_pixmap_free(&job.pixels);
        return status;
    }
    if (job.orientation == 1) {
        *out = job.pixels;
        return CR_OK;
    }
    status = cr_pixmap_apply_orientation(&job.pixels, job.orientation, out, err);
    cr_pixmap_free(&job.pixels);
    return status;
}

/* -------------------------------------------------------------------- PNG */

typedef struct png_job {
    png_structp png;
    png_infop info;
    const uint8_t *data;
    size_t size, position;
    const char *name;
    const cr_decode_limits *limits;
    char message[256]; /* the error libpng stopped with */
    char warning[256]; /* the last warning before it: often the real reason */
    bool truncated;
    png_bytep *rows;
    cr_pixmap pixels;
    cr_error *err;
} png_job;

static _Noreturn void png_on_error(png_structp png, png_const_charp message)
{
    png_job *job = png_get_error_ptr(png);
    snprintf(job->message, sizeof job->message, "%s", message);
    png_longjmp(png, 1);
}

static void png_on_warning(png_structp png, png_const_charp message)
{
    png_job *job = png_get_error_ptr(png);
    snprintf(job->warning, sizeof job->warning, "%s", message);
}

static void png_read_memory(png_structp png, png_bytep to, size_t length)
{
    png_job *job = png_get_io_ptr(png);
    if (length > job->size - job->position) {
        job->truncated = true;
        png_error(png, "premature end of data");
    }
    memcpy(to, job->data + job->position, length);
    job->position += length;
}

static cr_status png_report_failure(const png_job *job)
{
    if (job->truncated)
        return fail_at(job->err, CR_ERR_IMAGE, job->name,
                       "PNG data is truncated (premature end of data)");
    if (strcmp(job->message, "Invalid IHDR data") == 0 && job->warning[0])
        return fail_at(job->err, CR_ERR_IMAGE, job->name, "PNG header is invalid (%s)",
                       job->warning);
    return fail_at(job->err, CR_ERR_IMAGE, job->name, "PNG data is corrupt (%s)", job->message);
}

/* Every PNG flavour to 8-bit RGBA: palette and low-bit gray expanded, tRNS
 * turned into alpha, 16-bit scaled with rounding, gray copied to RGB, opaque
 * images given an alpha of 255, interlaced passes combined. The file's gAMA
 * and iCCP are ignored: ID photos are sRGB. */
static void png_request_rgba8(png_structp png, png_infop info)
{
    png_byte color_type = png_get_color_type(png, info);
    png_set_expand(png);
    png_set_scale_16(png);
    if (!(color_type & PNG_COLOR_MASK_COLOR))
        png_set_gray_to_rgb(png);
    if (!(color_type & PNG_COLOR_MASK_ALPHA) && !png_get_valid(png, info, PNG_INFO_tRNS))
        png_set_filler(png, 0xff, PNG_FILLER_AFTER);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
}

/* Deflate never compresses better than 1032:1, so a file this small cannot
 * hold the rows its header declares: refuse before allocating them. */
static cr_status png_check_plausible_size(const png_job *job, uint32_t width, uint32_t height)
{
    uint64_t bits = (uint64_t)width * png_get_channels(job->png, job->info) *
                    png_get_bit_depth(job->png, job->info);
    uint64_t raw_bytes = (bits + 7) / 8 * height + height; /* + a filter byte a row */
    if (job->size >= raw_bytes / 1032)
        return CR_OK;
    return fail_at(job->err, CR_ERR_IMAGE, job->name,
                   "PNG data is truncated (%zu bytes cannot hold a %ux%u image)", job->size,
                   (unsigned)width, (unsigned)height);
}

static cr_status png_run(png_job *job)
{
    if (setjmp(png_jmpbuf(job->png)))
        return png_report_failure(job);
    png_set_read_fn(job->png, job, png_read_memory);
    /* Every chunk's CRC-32, IDAT's included, is still checked, and catches
     * a damaged file; the zlib stream's Adler-32 would only add a check of
     * the encoder, for a tenth of the decoding time (0.6 of 5.9 ms for the
     * edition artwork). */
    png_set_option(job->png, PNG_IGNORE_ADLER32, PNG_OPTION_ON);
    png_read_info(job->png, job->info);
    uint32_t width = png_get_image_width(job->png, job->info);
    uint32_t height = png_get_image_height(job->png, job->info);
    cr_status status = check_dimensions(job->name, "PNG", width, height, job->limits, job->err);
    if (status == CR_OK)
        status = png_check_plausible_size(job, width, height);
    if (status != CR_OK)
        return status;
    png_request_rgba8(job->png, job->info);
    if (png_get_rowbytes(job->png, job->info) != (size_t)width * 4)
        return fail_at(job->err, CR_ERR_INTERNAL, job->name,
                       "libpng did not expand the image to RGBA");
    status = admit(job->limits, job->name, job->size, width, height, false, job->err);
    if (status != CR_OK)
        return status;
    status = pixmap_alloc(job->name, (int)width, (int)height, false, &job->pixels, job->err);
    if (status != CR_OK)
        return status;
    job->rows = malloc(sizeof *job->rows * height);
    if (!job->rows)
        return fail_at(job->err, CR_ERR_NOMEM, job->name, "out of memory");
    for (uint32_t y = 0; y < height; y++)
        job->rows[y] = cr_pixmap_at(&job->pixels, 0, (int)y);
    png_read_image(job->png, job->rows);
    png_read_end(job->png, NULL); /* checks the trailing chunks' CRCs */
    return CR_OK;
}

static void clear_transparent_colour(cr_pixmap *pixmap)
{
    for (int y = 0; y < pixmap->height; y++) {
        uint8_t *p = cr_pixmap_at(pixmap, 0, y);
        for (int x = 0; x < pixmap->width; x++, p += 4)
            if (p[3] == 0)
                p[0] = p[1] = p[2] = 0;
    }
}

static cr_status decode_png(const uint8_t *data, size_t size, const char *name,
                            const cr_decode_limits *limits, cr_pixmap *out, cr_error *err)
{
    png_job job = {.data = data, .size = size, .name = name, .limits = limits, .err = err};
    job.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &job, png_on_error, png_on_warning);
    if (job.png)
        job.info = png_create_info_struct(job.png);
    cr_status status =
        job.info ? png_run(&job) : fail_at(err, CR_ERR_NOMEM, name, "out of memory for libpng");
    png_destroy_read_struct(&job.png, &job.info, NULL);
    free(job.rows);
    if (status != CR_OK) {
        cr_pixmap_free(&job.pixels);
        return status;
    }
    clear_transparent_colour(&job.pixels);
    *out = job.pixels;
    return CR_OK;
}

/* ------------------------------------------------------------ entry points */

static atomic_uint_fast64_t decodes_started;

uint64_t cr_image_decodes_started(void)
{
    return atomic_load(&decodes_started);
}

cr_status cr_image_decode_memory(const uint8_t *data, size_t size, const char *name,
                                 const cr_decode_limits *limits, cr_pixmap *out, cr_error *err)
{
    if (!name)
        name = "<memory>";
    if (!out)
        return fail_at(err, CR_ERR_ARGUMENT, name, "cr_image_decode_memory: out is NULL");
    memset(out, 0, sizeof *out);
    if (!data && size > 0)
        return fail_at(err, CR_ERR_ARGUMENT, name, "cr_image_decode_memory: data is NULL");
    if (size == 0)
        return fail_at(err, CR_ERR_IMAGE, name, "image data is empty (0 bytes)");
    cr_decode_limits effective = effective_limits(limits);
    if ((uint64_t)size > effective.max_file_bytes) /* a file this long is refused unread */
        return fail_at(err, CR_ERR_IMAGE, name,
                       "image data is %zu bytes, more than the limit of %llu", size,
                       (unsigned long long)effective.max_file_bytes);
    const char *format = cr_image_sniff_format(data, size);
    atomic_fetch_add(&decodes_started, 1);
    if (strcmp(format, "JPEG") == 0)
        return decode_jpeg(data, size, name, &effective, out, err);
    if (strcmp(format, "PNG") == 0)
        return decode_png(data, size, name, &effective, out, err);
    return fail_at(err, CR_ERR_IMAGE, name, "not a JPEG or PNG image (looks like %s)", format);
}

static cr_status read_all(int fd, const char *path, uint8_t *buffer, size_t size, cr_error *err)
{
    size_t done = 0;
    while (done < size) {
        ssize_t n = read(fd, buffer + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail_at(err, CR_ERR_IO, path, "cannot read: %s", strerror(errno));
        if (n == 0)
            return fail_at(err, CR_ERR_IO, path, "file shrank while being read");
        done += (size_t)n;
    }
    return CR_OK;
}

static cr_status check_file(const char *path, const struct stat *info,
                            const cr_decode_limits *limits, cr_error *err)
{
    if (S_ISDIR(info->st_mode))
        return fail_at(err, CR_ERR_IO, path, "is a directory, not an image file");
    if (!S_ISREG(info->st_mode))
        return fail_at(err, CR_ERR_IO, path, "is not a regular file");
    if (info->st_size == 0)
        return fail_at(err, CR_ERR_IMAGE, path, "file is empty (0 bytes)");
    if ((uint64_t)info->st_size > limits->max_file_bytes || (uint64_t)info->st_size > SIZE_MAX)
        return fail_at(err, CR_ERR_IMAGE, path, "file is %llu bytes, more than the limit of %llu",
                       (unsigned long long)info->st_size,
                       (unsigned long long)limits->max_file_bytes);
    return CR_OK;
}

/* The whole file open on fd (path names it in messages) into *data. */
static cr_status load_descriptor(int fd, const char *path, const cr_decode_limits *limits,
                                 uint8_t **data, size_t *size, cr_error *err)
{
    struct stat info;
    cr_status status = CR_OK;
    if (fstat(fd, &info) != 0)
        status = fail_at(err, CR_ERR_IO, path, "cannot stat: %s", strerror(errno));
    if (status == CR_OK)
        status = check_file(path, &info, limits, err);
    if (status == CR_OK) {
        *size = (size_t)info.st_size;
        *data = malloc(*size);
        status = *data ? read_all(fd, path, *data, *size, err)
                       : fail_at(err, CR_ERR_NOMEM, path, "out of memory reading the file");
    }
    if (status != CR_OK) {
        free(*data);
        *data = NULL;
    }
    return status;
}

cr_status cr_image_decode_fd(int fd, const char *path, const cr_decode_limits *limits,
                             cr_pixmap *out, cr_error *err)
{
    if (fd < 0 || !path || !out)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_image_decode_fd: no file, path or out");
    memset(out, 0, sizeof *out);
    cr_decode_limits effective = effective_limits(limits);
    uint8_t *data = NULL;
    size_t size = 0;
    cr_status status = load_descriptor(fd, path, &effective, &data, &size, err);
    if (status == CR_OK)
        status = cr_image_decode_memory(data, size, path, &effective, out, err);
    free(data);
    return status;
}

cr_status cr_image_decode_file(const char *path, const cr_decode_limits *limits, cr_pixmap *out,
                               cr_error *err)
{
    if (!path || !out)
        return cr_fail(err, CR_ERR_ARGUMENT, "cr_image_decode_file: path or out is NULL");
    memset(out, 0, sizeof *out);
    const char *kind;
    int fd = cr_open_input(path, &kind);
    if (fd < 0)
        return kind ? fail_at(err, CR_ERR_IO, path, "is %s, not an image file", kind)
                    : fail_at(err, CR_ERR_IO, path, "cannot open: %s", strerror(errno));
    cr_status status = cr_image_decode_fd(fd, path, limits, out, err);
    close(fd);
    return status;
}
