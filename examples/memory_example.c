/* Memory in, memory out: a record built from keys and values, its photo
 * from bytes (as a database or a camera hands them over), the card rendered
 * to PNG bytes, checked first with cr_check. Nothing of the record or the
 * photo touches the file system; only the template, the fonts and, here,
 * the photo's bytes and the finished PNG are files.
 *   memory_example TEMPLATE PHOTO.jpg OUT.png
 * (with templates/resident-id-zh-photo.json: the card of
 * examples/records/zh-zhang-wei.json) */
#include <stdio.h>
#include <stdlib.h>

#include "cardrender.h"

/* The photo's bytes: read from a file here; a real program has them from
 * its database, its camera or the network. */
static void *read_photo(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    void *data = NULL;
    long length = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (length = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
        data = malloc(length ? (size_t)length : 1);
    if (data && fread(data, 1, (size_t)length, f) != (size_t)length) {
        free(data);
        data = NULL;
    }
    if (f)
        fclose(f);
    *size = data ? (size_t)length : 0;
    return data;
}

/* One person's data, as key and value. */
static const char *const person[][2] = {
    {"name", "张伟"},
    {"sex", "男"},
    {"ethnicity", "汉"},
    {"birth_year", "1990"},
    {"birth_month", "3"},
    {"birth_day", "7"},
    {"address", "北京市东城区南池子大街21号院3号楼2单元502室"},
    {"id_number", "110101199003074573"},
};

static cr_record *build_record(const void *photo, size_t photo_size, cr_error *err)
{
    cr_record *record = cr_record_create("applicant 4711", err); /* the name in messages */
    for (size_t i = 0; record && i < sizeof person / sizeof person[0]; i++)
        if (cr_record_set(record, person[i][0], person[i][1], err) != CR_OK) {
            cr_record_destroy(record);
            return NULL;
        }
    if (record && cr_record_set_image(record, "photo", photo, photo_size, err) != CR_OK) {
        cr_record_destroy(record);
        return NULL;
    }
    return record;
}

/* Each finding as `cardrender check` prints it. */
static void print_finding(void *user_data, const cr_finding *finding)
{
    (void)user_data;
    fprintf(stderr, "%s (%s)\n", finding->text, finding->kind);
}

/* The PNG bytes of the record's card: *png is the caller's, for cr_free. */
static cr_status render_png(cr_engine *engine, const cr_template *tpl, const cr_record *record,
                            uint8_t **png, size_t *png_size, cr_error *err)
{
    cr_check_options check;
    cr_check_options_init(&check);
    check.finding = print_finding;
    size_t findings = 0;
    if (cr_check(engine, tpl, record, &check, &findings, err) != CR_OK)
        return err->code;
    cr_image *image = cr_render(engine, tpl, record, NULL, err);
    if (!image)
        return err->code;
    cr_status status = cr_image_write_png_memory(image, png, png_size, err);
    cr_image_destroy(image);
    return status;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s TEMPLATE PHOTO.jpg OUT.png\n", argv[0]);
        return 2;
    }
    size_t photo_size;
    void *photo = read_photo(argv[2], &photo_size);
    if (!photo) {
        fprintf(stderr, "memory_example: cannot read %s\n", argv[2]);
        return 1;
    }
    cr_error err;
    cr_engine *engine = cr_engine_create(NULL, &err);
    cr_template *tpl = engine ? cr_template_load_file(engine, argv[1], &err) : NULL;
    cr_record *record = tpl ? build_record(photo, photo_size, &err) : NULL;
    free(photo); /* the record holds its own copy */
    uint8_t *png = NULL;
    size_t png_size = 0;
    int ok = record && render_png(engine, tpl, record, &png, &png_size, &err) == CR_OK;
    FILE *out = ok ? fopen(argv[3], "wb") : NULL;
    ok = out && fwrite(png, 1, png_size, out) == png_size;
    if (out && fclose(out) != 0)
        ok = 0;
    if (ok)
        printf("%s: %zu bytes of PNG\n", argv[3], png_size);
    else
        fprintf(stderr, "memory_example: %s\n", png ? "cannot write the PNG" : err.message);
    cr_free(png);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
    cr_engine_destroy(engine);
    return ok ? 0 : 1;
}
