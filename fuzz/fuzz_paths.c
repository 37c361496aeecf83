/* The code paths the fuzz harnesses drive (fuzz_paths.h). */
#include "fuzz_paths.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "image.h"
#include "png_io.h"
#include "png_plan.h"
#include "resample.h"
#include "service.h"

#include <jansson.h>

/* Every panel of the card to PNG in memory: the writers see what a render
 * of hostile input produced, as the CLI's output step would. */
static cr_status encode_panels(const cr_image *image, cr_error *err)
{
    for (int p = 0; p < CR_PANEL_COUNT; p++) {
        const cr_image *panel = cr_image_panel(image, (cr_panel)p);
        uint8_t *png = NULL;
        size_t png_size = 0;
        cr_status status = panel ? cr_image_write_png_memory(panel, &png, &png_size, err) : CR_OK;
        free(png);
        if (status != CR_OK)
            return status;
    }
    return CR_OK;
}

/* max_pixels: the photo limit, 0 for the render's default. */
static cr_status render_and_encode(cr_engine *engine, const cr_template *tpl,
                                   const cr_record *record, uint64_t max_pixels, cr_error *err)
{
    cr_render_options options = {.struct_size = sizeof options,
                                 .dpi = FUZZ_DPI,
                                 .asset_dir = FUZZ_ASSET_DIR,
                                 .max_image_pixels = max_pixels};
    cr_image *image = cr_render(engine, tpl, record, &options, err);
    if (!image)
        return err->code;
    cr_status status = encode_panels(image, err);
    cr_image_destroy(image);
    return status;
}

cr_status fuzz_template_path(cr_engine *engine, const uint8_t *data, size_t size, cr_error *err)
{
    cr_template *tpl = cr_template_load_memory(engine, (const char *)data, size, "fuzz.json",
                                               FUZZ_TEMPLATE_DIR, err);
    if (!tpl)
        return err->code;
    cr_status status = render_and_encode(engine, tpl, NULL, 0, err);
    cr_template_destroy(tpl);
    return status;
}

cr_status fuzz_record_path(cr_engine *engine, const cr_template *tpl, const uint8_t *data,
                           size_t size, cr_error *err)
{
    cr_record *record = cr_record_load_memory((const char *)data, size, "record.json", err);
    if (!record)
        return err->code;
    cr_status status = render_and_encode(engine, tpl, record, 0, err);
    cr_record_destroy(record);
    return status;
}

/* A thumbnail of at most 48 x 48 keeping the aspect ratio, and a cover
 * crop into an ID-photo box: both scaling entry points the renderer uses. */
static cr_status scale_down(const cr_pixmap *photo, cr_error *err)
{
    int longer = photo->width > photo->height ? photo->width : photo->height;
    int width = (int)((int64_t)photo->width * 48 / longer);
    int height = (int)((int64_t)photo->height * 48 / longer);
    cr_pixmap thumb = {0};
    cr_status status = cr_pixmap_resample(photo, width > 0 ? width : 1, height > 0 ? height : 1,
                                          NULL, &thumb, err);
    cr_pixmap_free(&thumb);
    if (status != CR_OK)
        return status;
    cr_rectd area = cr_fit_cover(photo->width, photo->height, 26, 32, 0.5, 0.25);
    status = cr_pixmap_resample_area(photo, area, 26, 32, NULL, &thumb, err);
    cr_pixmap_free(&thumb);
    return status;
}

cr_status fuzz_image_path(const uint8_t *data, size_t size, cr_error *err)
{
    cr_decode_limits limits = {.max_pixels = FUZZ_MAX_PIXELS};
    cr_pixmap photo = {0};
    cr_status status = cr_image_decode_memory(data, size, "fuzz.img", &limits, &photo, err);
    if (status == CR_OK)
        status = scale_down(&photo, err);
    cr_pixmap_free(&photo);
    return status;
}

static cr_status write_file(const char *path, const uint8_t *data, size_t size, cr_error *err)
{
    FILE *file = fopen(path, "wb");
    bool ok = file && fwrite(data, 1, size, file) == size;
    if (file && fclose(file) != 0)
        ok = false;
    if (ok)
        return CR_OK;
    err->code = CR_ERR_IO;
    snprintf(err->message, sizeof err->message, "%s: cannot write", path);
    return CR_ERR_IO;
}

/* Reads every record; the first one's error is kept, the rest only read. */
static cr_status read_all(cr_batch_source *source, long *records, cr_error *err)
{
    cr_status first = CR_OK;
    cr_batch_item item;
    int more;
    while ((more = cr_batch_source_next(source, &item, err)) == 1) {
        ++*records;
        if (item.record)
            cr_record_destroy(item.record);
        else if (first == CR_OK)
            first = (*err = item.error).code;
    }
    return more < 0 ? err->code : first;
}

cr_status fuzz_batch_path(const uint8_t *data, size_t size, cr_batch_format format,
                          const char *temp_path, long *records, cr_error *err)
{
    *records = 0;
    cr_status status = write_file(temp_path, data, size, err);
    if (status != CR_OK)
        return status;
    cr_batch_count_records(temp_path, format);
    cr_batch_source *source = cr_batch_source_open(temp_path, format, err);
    if (!source)
        return err->code;
    status = read_all(source, records, err);
    cr_batch_source_close(source);
    return status;
}

/* data[0] & 7 of fuzz_encoding_path: NULL leaves it to a byte-order mark. */
static const char *const fuzz_encodings[8] = {NULL,       "gb18030",  "gbk",   "big5",
                                              "utf-16le", "utf-16be", "utf-8", "utf-32le"};

cr_status fuzz_encoding_path(cr_engine *engine, const cr_template *tpl, const uint8_t *data,
                             size_t size, long *records, cr_error *err)
{
    *records = 0;
    if (size < 1) {
        err->code = CR_ERR_ARGUMENT;
        snprintf(err->message, sizeof err->message, "no byte to pick an encoding");
        return CR_ERR_ARGUMENT;
    }
    cr_record_options options;
    cr_record_options_init(&options);
    options.encoding = fuzz_encodings[data[0] & 7];
    const char *text = (const char *)data + 1;
    size_t length = size - 1;
    if (!(data[0] & 8)) {
        cr_record *record = cr_record_load_memory_with(text, length, "record.json", &options, err);
        if (!record)
            return err->code;
        cr_status status = render_and_encode(engine, tpl, record, 0, err);
        cr_record_destroy(record);
        return status;
    }
    /* The bytes as the stream a caller holding records in memory would
     * give (glibc takes an empty buffer too). */
    FILE *file = fmemopen((void *)text, length, "r");
    if (!file) {
        err->code = CR_ERR_NOMEM;
        snprintf(err->message, sizeof err->message, "fmemopen failed");
        return CR_ERR_NOMEM;
    }
    cr_batch_format format = data[0] & 16 ? CR_BATCH_CSV : CR_BATCH_JSONL;
    cr_batch_source *source =
        cr_batch_source_open_stream(file, "fuzz.records", format, &options, err);
    cr_status status = source ? read_all(source, records, err) : err->code;
    if (source)
        cr_batch_source_close(source);
    fclose(file);
    return status;
}

/* The keys FUZZ_MEMORY_TEMPLATE binds, for the key bytes below 16. */
static const char *const fuzz_memory_keys[] = {"name",       "sex",         "ethnicity",
                                               "birth_year", "birth_month", "birth_day",
                                               "address",    "id_number",   "photo"};
#define FUZZ_MEMORY_KEY_COUNT (sizeof fuzz_memory_keys / sizeof fuzz_memory_keys[0])

/* Takes n bytes (fewer at the end) from *data as a C string: a NUL ends it. */
static char *take_string(const uint8_t **data, const uint8_t *end, size_t n)
{
    size_t left = (size_t)(end - *data);
    if (n > left)
        n = left;
    char *s = malloc(n + 1);
    if (!s)
        abort();
    memcpy(s, *data, n);
    s[n] = '\0';
    *data += n;
    return s;
}

/* Fills record from the entries of fuzz_memory_path; the first refused set
 * is returned (the record stays as it was), the rest still applied. */
static cr_status fill_record(cr_record *record, const uint8_t *data, size_t size, cr_error *err)
{
    const uint8_t *end = data + size;
    cr_status first = CR_OK;
    while (end - data >= 2) {
        uint8_t flags = *data++, k = *data++;
        char *key = k < 16 ? NULL : take_string(&data, end, (size_t)k - 16);
        const char *key_name = key ? key : fuzz_memory_keys[k % FUZZ_MEMORY_KEY_COUNT];
        size_t n = 0;
        if (end - data >= 2) {
            n = (size_t)data[0] | (size_t)data[1] << 8;
            data += 2;
        } else {
            data = end;
        }
        size_t left = (size_t)(end - data);
        if (n > left)
            n = left;
        cr_error set_err;
        cr_status status;
        if (flags & 1) {
            status = cr_record_set_image(record, key_name, data, n, &set_err);
            data += n;
        } else {
            char *value = take_string(&data, end, n);
            status = cr_record_set(record, key_name, value, &set_err);
            free(value);
        }
        free(key);
        if (status != CR_OK && first == CR_OK) {
            first = status;
            *err = set_err;
        }
    }
    return first;
}

typedef struct finding_tally {
    size_t count, bytes;
} finding_tally;

/* Every string of a finding is read whole, so that the sanitizers see one
 * that is not a string; the line must start with its subject, as the
 * header says. */
static void on_finding(void *user_data, const cr_finding *f)
{
    finding_tally *tally = user_data;
    tally->count++;
    tally->bytes += strlen(f->text) + strlen(f->kind) + strlen(f->field_name) + strlen(f->file) +
                    strlen(f->detail);
    if (strncmp(f->text, f->subject, strlen(f->subject)) != 0 || !f->kind[0]) {
        fprintf(stderr, "fuzz: malformed finding \"%s\" (kind \"%s\")\n", f->text, f->kind);
        abort();
    }
}

cr_status fuzz_memory_path(cr_engine *engine, const cr_template *tpl, const uint8_t *data,
                           size_t size, size_t *findings, cr_error *err)
{
    *findings = 0;
    cr_record *record = cr_record_create("memory", err);
    if (!record)
        return err->code;
    cr_error set_err;
    cr_status set_status = fill_record(record, data, size, &set_err);
    finding_tally tally = {0};
    cr_check_options check;
    cr_check_options_init(&check);
    check.dpi = FUZZ_DPI;
    check.asset_dir = FUZZ_ASSET_DIR;
    check.max_image_pixels = FUZZ_MAX_PIXELS;
    check.finding = on_finding;
    check.finding_data = &tally;
    size_t count = 0;
    cr_status status = cr_check(engine, tpl, record, &check, &count, err);
    if (status == CR_OK && count != tally.count) {
        fprintf(stderr, "fuzz: cr_check counted %zu findings, reported %zu\n", count, tally.count);
        abort();
    }
    *findings = tally.count;
    if (status == CR_OK)
        status = render_and_encode(engine, tpl, record, FUZZ_MAX_PIXELS, err);
    cr_record_destroy(record);
    /* A refused set is the input's first fault; then the check's or the
     * render's. */
    if (set_status != CR_OK) {
        *err = set_err;
        return set_status;
    }
    return status;
}

/* ------------------------------------------------------------- PNG plans */

/* Reads bytes of the plan input; zeros past its end. */
typedef struct byte_reader {
    const uint8_t *data;
    size_t size, at;
} byte_reader;

static unsigned next_byte(byte_reader *r)
{
    return r->at < r->size ? r->data[r->at++] : 0;
}

static void read_box(byte_reader *r, int width, int height, int *box)
{
    for (int i = 0; i < 4; i++) {
        int side = i % 2 ? height : width;
        box[i] = (int)(next_byte(r) * (unsigned)(side + 32) / 256) - 16;
    }
}

/* A live box; with `runs` its chunks are coded as literals and runs, with
 * `whole` its rows are not cut into chunks (a picture's). */
static void read_live_box(byte_reader *r, int width, int height, bool runs, bool whole,
                          cr_png_box *box)
{
    int sides[4];
    read_box(r, width, height, sides);
    *box = (cr_png_box){sides[0], sides[1], sides[2], sides[3], runs, whole};
}

static cr_status plan_failure(cr_error *err, const char *why)
{
    err->code = CR_ERR_IMAGE;
    snprintf(err->message, sizeof err->message, "png plan: %s", why);
    return CR_ERR_IMAGE;
}

static bool decodes_to(const uint8_t *png, size_t size, const cr_canvas *card)
{
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, png, size))
        return false;
    image.format = PNG_FORMAT_RGB;
    uint8_t *rgb = malloc(PNG_IMAGE_SIZE(image));
    bool same = rgb && image.width == (png_uint_32)card->width &&
                image.height == (png_uint_32)card->height &&
                png_image_finish_read(&image, NULL, rgb, 0, NULL);
    size_t row = (size_t)card->width * 3;
    for (int y = 0; same && y < card->height; y++)
        same = memcmp(rgb + row * (size_t)y, card->pixels + (size_t)y * card->stride, row) == 0;
    png_image_free(&image); /* nothing left to free after a finished read */
    free(rgb);
    return same;
}

/* The reference from the input's rest, and the card from it and the
 * changes, whose boxes go to changed (room for 3). */
static cr_status make_plan_images(byte_reader *r, cr_canvas *reference, cr_canvas *card,
                                  cr_png_changes *changed, cr_png_box *changed_boxes, cr_error *err)
{
    int width = reference->width, height = reference->height;
    int changes[3][5];
    int count = (int)(next_byte(r) % 4);
    for (int c = 0; c < count; c++) {
        read_box(r, width, height, changes[c]);
        changes[c][4] = (int)next_byte(r);
        changed_boxes[c] =
            (cr_png_box){changes[c][0], changes[c][1], changes[c][2], changes[c][3], false, false};
    }
    *changed = (cr_png_changes){changed_boxes, (size_t)count};
    size_t rest = r->size - r->at, n = 0;
    for (int y = 0; y < height; y++)
        for (int i = 0; i < width * 3; i++, n++)
            reference->pixels[(size_t)y * reference->stride + (size_t)i] =
                rest ? r->data[r->at + n % rest] : 0;
    cr_status status = cr_canvas_init(card, width, height, err);
    if (status != CR_OK)
        return status;
    memcpy(card->pixels, reference->pixels, (size_t)reference->stride * (size_t)height);
    for (int c = 0; c < count; c++)
        for (int y = changes[c][1] < 0 ? 0 : changes[c][1]; y < changes[c][3] && y < height; y++)
            for (int x = changes[c][0] < 0 ? 0 : changes[c][0]; x < changes[c][2] && x < width; x++)
                card->pixels[(size_t)y * card->stride + (size_t)x * 3 + (size_t)(x % 3)] =
                    (uint8_t)changes[c][4];
    return CR_OK;
}

cr_status fuzz_png_path(const uint8_t *data, size_t size, cr_error *err)
{
    byte_reader r = {data, size, 0};
    unsigned b0 = next_byte(&r), b1 = next_byte(&r), b2 = next_byte(&r), b3 = next_byte(&r);
    int width = 1 + (int)((b0 + 256 * (b1 & 1)) % 400), height = 1 + (int)(b2 % 48);
    size_t box_count = (b3 & 7) % 5;
    int threads = 1 + (int)((b3 >> 3) % 4);
    cr_png_box boxes[4];
    /* b1's bits 1-4: which boxes are coded as runs; b3's bits 5-7: which
     * are pictures (box 3 as box 0) */
    for (size_t i = 0; i < box_count; i++)
        read_live_box(&r, width, height, b1 >> (1 + i) & 1, b3 >> (5 + i % 3) & 1, &boxes[i]);
    cr_canvas reference = {0}, card = {0};
    cr_png_changes changed = {0};
    cr_png_box changed_boxes[3];
    cr_status status = cr_canvas_init(&reference, width, height, err);
    if (status == CR_OK)
        status = make_plan_images(&r, &reference, &card, &changed, changed_boxes, err);
    cr_png_plan *kept = NULL, *bare = NULL;
    uint8_t *with = NULL, *without = NULL, *told = NULL;
    size_t with_size = 0, without_size = 0, told_size = 0;
    if (status == CR_OK) {
        kept = cr_png_plan_create(width, height, boxes, box_count, &reference);
        bare = cr_png_plan_create(width, height, boxes, box_count, NULL);
        if (!kept || !bare)
            status = plan_failure(err, "no plan");
    }
    if (status == CR_OK) {
        /* told: where the card differs, as a painter says (png_plan.h) */
        cr_png_params kept_params = {kept, threads, false, NULL},
                      bare_params = {bare, 1, false, NULL},
                      told_params = {kept, threads, false, &changed};
        status = cr_png_write_memory_with(&card, 72, &kept_params, &with, &with_size, err);
        if (status == CR_OK)
            status =
                cr_png_write_memory_with(&card, 72, &bare_params, &without, &without_size, err);
        if (status == CR_OK)
            status = cr_png_write_memory_with(&card, 72, &told_params, &told, &told_size, err);
    }
    if (status == CR_OK && (with_size != without_size || memcmp(with, without, with_size) != 0))
        status = plan_failure(err, "the reference's codes changed the file");
    if (status == CR_OK && (told_size != without_size || memcmp(told, without, told_size) != 0))
        status = plan_failure(err, "the changes told changed the file");
    if (status == CR_OK && !decodes_to(with, with_size, &card))
        status = plan_failure(err, "the file does not decode to the card");
    free(with);
    free(without);
    free(told);
    cr_png_plan_unref(kept);
    cr_png_plan_unref(bare);
    cr_canvas_free(&card);
    cr_canvas_free(&reference);
    return status;
}

/* ------------------------------------------------------------- service */

static const cr_service_file fuzz_served_files[] = {
    {"/studio/index.html", "text/html; charset=utf-8", (const unsigned char *)"<p>studio</p>", 13},
    {0}};

enum { FUZZ_SERVICE_PLACES = 2 }; /* its max_requests */

static cr_service *fuzz_service(cr_engine *engine)
{
    static cr_service *service;
    if (!service) {
        cr_service_config config = {.templates_dir = "templates",
                                    .token = "fuzz",
                                    .max_requests = FUZZ_SERVICE_PLACES,
                                    .max_body_bytes = 1 << 20,
                                    .max_image_pixels = FUZZ_MAX_PIXELS,
                                    .files = fuzz_served_files};
        cr_error err;
        service = cr_service_create(engine, &config, &err);
        if (!service) {
            fprintf(stderr, "fuzz: no service (run from the project root): %s\n", err.message);
            abort();
        }
    }
    return service;
}

static cr_status broken_promise(cr_error *err, int status, const char *why)
{
    memset(err, 0, sizeof *err);
    err->code = CR_ERR_INTERNAL;
    err->line = err->column = err->field_index = -1;
    snprintf(err->message, sizeof err->message, "service answered %d: %s", status, why);
    return CR_ERR_INTERNAL;
}

/* What a 200 or an error answer must hold. */
static const char *answer_problem(const cr_service_response *r, bool png)
{
    if (!r->content_type)
        return "no content type";
    if (r->status == 200 && png)
        return r->length > 8 && memcmp(r->body, "\x89PNG\r\n\x1a\n", 8) == 0 ? NULL : "not a PNG";
    if (r->status == 200 && strncmp(r->content_type, "text/html", 9) == 0)
        return NULL;
    json_t *doc = json_loadb((const char *)r->body, r->length, 0, NULL);
    const char *problem = doc ? NULL : "not JSON";
    if (doc && r->status != 200) {
        json_t *e = json_object_get(doc, "error");
        json_t *message = json_object_get(e, "message");
        if (json_integer_value(json_object_get(e, "status")) != r->status)
            problem = "the error's status is another";
        else if (!json_is_string(message) || json_string_length(message) == 0)
            problem = "the error has no message";
    }
    json_decref(doc);
    return problem;
}

/* Whether every place is free (none kept by an answered request): each
 * is taken, then given back by a request that held it. */
static bool all_places_free(cr_service *service)
{
    int taken = 0;
    while (taken <= FUZZ_SERVICE_PLACES && cr_service_admit(service))
        taken++;
    for (int i = 0; i < taken; i++) {
        cr_service_request page = {
            .method = "GET", .path = "/", .loopback = true, .place = CR_SERVICE_PLACE_HELD};
        cr_service_response response;
        cr_service_handle(service, &page, &response);
        cr_service_response_free(&response);
    }
    return taken == FUZZ_SERVICE_PLACES;
}

cr_status fuzz_service_path(cr_engine *engine, const uint8_t *data, size_t size, int *http_status,
                            cr_error *err)
{
    static const struct {
        const char *method, *path;
    } routes[8] = {{"POST", "/v1/render"},          {"POST", "/v1/check"},
                   {"POST", "/v1/layout"},          {"POST", "/v1/fields"},
                   {"POST", "/v1/nothing"},         {"GET", "/v1/templates/resident-id-zh-photo"},
                   {"GET", "/v1/templates/..%2Fx"}, {"GET", "/"}};
    unsigned route = size > 0 ? data[0] % 8 : 0, flags = size > 1 ? data[1] : 0;
    cr_service_request request = {.method = routes[route].method,
                                  .path = routes[route].path,
                                  .content_type = flags & 1 ? "application/json" : "text/plain",
                                  .authorization = flags & 4 ? "Bearer fuzz" : NULL,
                                  .loopback = flags & 2,
                                  .body = size > 2 ? data + 2 : NULL,
                                  .length = size > 2 ? size - 2 : 0,
                                  .body_too_large = flags & 8,
                                  /* bits 16 and 32: as a queueing server passes it */
                                  .place = (cr_service_place)((flags >> 4) % 3)};
    cr_service *service = fuzz_service(engine);
    if (request.place == CR_SERVICE_PLACE_HELD && !cr_service_admit(service))
        return broken_promise(err, 0, "no place free before the request");
    cr_service_response response;
    cr_service_handle(service, &request, &response);
    *http_status = response.status;
    static const int allowed[] = {200, 400, 401, 404, 405, 413, 415, 503};
    bool known = false;
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        known = known || response.status == allowed[i];
    const char *problem = known ? answer_problem(&response, route == 0) : "a status it never gives";
    cr_service_response_free(&response);
    if (!problem && !all_places_free(service))
        problem = "a place kept after the answer";
    return problem ? broken_promise(err, *http_status, problem) : CR_OK;
}
