/* The code paths the fuzz harnesses drive (fuzz_paths.h). */
#include "fuzz_paths.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "image.h"
#include "resample.h"

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

static cr_status render_and_encode(cr_engine *engine, const cr_template *tpl,
                                   const cr_record *record, cr_error *err)
{
    cr_render_options options = {
        .struct_size = sizeof options, .dpi = FUZZ_DPI, .asset_dir = FUZZ_ASSET_DIR};
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
    cr_status status = render_and_encode(engine, tpl, NULL, err);
    cr_template_destroy(tpl);
    return status;
}

cr_status fuzz_record_path(cr_engine *engine, const cr_template *tpl, const uint8_t *data,
                           size_t size, cr_error *err)
{
    cr_record *record = cr_record_load_memory((const char *)data, size, "record.json", err);
    if (!record)
        return err->code;
    cr_status status = render_and_encode(engine, tpl, record, err);
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
