/* The Pango+Cairo side of the benchmark: the same card as the engine's,
 * drawn the way a careful Pango+Cairo program would, N times in one process.
 *
 * It reads the engine's template for the boxes, texts, fonts (by family
 * name, through fontconfig), sizes in points and colours, so both draw the
 * same card. Once, before the clock starts: the template, the font map and
 * one Pango context, and the background artwork, loaded and scaled to the
 * card's size (the engine, too, decodes artwork when the template loads).
 * Per card, as the engine: the record read from its JSON file, the photo
 * decoded from its JPEG (libjpeg, as the engine) and scaled to its box,
 * every text laid out and drawn, and the PNG written with
 * cairo_surface_write_to_png (libpng and zlib with their defaults), to a
 * new file per card, or with NAMES > 0 to name i % NAMES, as the engine's.
 * Built with -DPNG_WRITER_ISAL (pango_card_isal), the same program writes
 * its PNG with bench/isal_png.c instead: igzip level 1, the Up filter.
 * Card 0 is drawn and written first, timed on its own (what is loaded or
 * built on first use: fonts, glyphs, shaping plans); the clock of the N
 * cards after it measures the rate a long batch keeps, as the engine's.
 *   pango_card TEMPLATE RECORD OUT_DIR DPI N [NAMES]
 * Prints "cards N seconds S cards_per_s R png_bytes B first_card_ms F". */
#include <libgen.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h> /* before jpeglib.h, which needs FILE and size_t */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cairo.h>
#include <jansson.h>
#include <jpeglib.h>
#include <pango/pangocairo.h>

#ifdef PNG_WRITER_ISAL
#include "isal_png.h"
#define write_png isal_png_write
#else
#define write_png cairo_surface_write_to_png
#endif

typedef struct text_style {
    PangoFontDescription *font;
    double red, green, blue;
    double letter_spacing_px;
} text_style;

typedef struct field {
    bool is_image;
    double x, y, width, height; /* pixels */
    const char *text, *bind;    /* fixed text, or the record key */
    text_style style;
} field;

typedef struct card {
    int width, height, dpi;
    double radius;
    double background[3];
    cairo_surface_t *artwork; /* already at the card's size, or NULL */
    field *fields;
    size_t field_count;
    PangoContext *pango;
} card;

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "pango_card: %s: %s\n", what, detail);
    exit(1);
}

static double px(const card *c, double mm)
{
    return mm / 25.4 * c->dpi;
}

static void parse_color(const char *hex, double rgb[3])
{
    unsigned r = 0, g = 0, b = 0;
    if (!hex || sscanf(hex, "#%2x%2x%2x", &r, &g, &b) != 3)
        r = g = b = 0;
    rgb[0] = r / 255.0;
    rgb[1] = g / 255.0;
    rgb[2] = b / 255.0;
}

/* ------------------------------------------------------------ template */

static const char *first_font(json_t *font)
{
    return json_string_value(json_is_array(font) ? json_array_get(font, 0) : font);
}

static text_style read_style(const card *c, json_t *f)
{
    text_style s = {0};
    double size_pt = json_number_value(json_object_get(f, "size_pt"));
    s.font = pango_font_description_new();
    pango_font_description_set_family(s.font, first_font(json_object_get(f, "font")));
    pango_font_description_set_size(s.font, (int)lround(size_pt * PANGO_SCALE));
    double rgb[3];
    parse_color(json_string_value(json_object_get(f, "color")), rgb);
    s.red = rgb[0], s.green = rgb[1], s.blue = rgb[2];
    double spacing_em = json_number_value(json_object_get(f, "letter_spacing_em"));
    s.letter_spacing_px = spacing_em * size_pt / 72.0 * c->dpi;
    return s;
}

static field read_field(const card *c, json_t *f)
{
    json_t *box = json_object_get(f, "box_mm");
    field out = {
        .is_image = !strcmp(json_string_value(json_object_get(f, "type")) ?: "text", "image"),
        .x = px(c, json_number_value(json_array_get(box, 0))),
        .y = px(c, json_number_value(json_array_get(box, 1))),
        .width = px(c, json_number_value(json_array_get(box, 2))),
        .height = px(c, json_number_value(json_array_get(box, 3))),
        .text = json_string_value(json_object_get(f, "text")),
        .bind = json_string_value(json_object_get(f, "bind")),
    };
    if (!out.is_image)
        out.style = read_style(c, f);
    return out;
}

/* The artwork scaled once to cover the card (the template's own rule). */
static cairo_surface_t *load_artwork(const card *c, const char *path)
{
    cairo_surface_t *image = cairo_image_surface_create_from_png(path);
    if (cairo_surface_status(image) != CAIRO_STATUS_SUCCESS)
        die(path, cairo_status_to_string(cairo_surface_status(image)));
    cairo_surface_t *scaled = cairo_image_surface_create(CAIRO_FORMAT_RGB24, c->width, c->height);
    cairo_t *cr = cairo_create(scaled);
    int w = cairo_image_surface_get_width(image), h = cairo_image_surface_get_height(image);
    double scale = fmax((double)c->width / w, (double)c->height / h);
    cairo_translate(cr, (c->width - w * scale) / 2, (c->height - h * scale) / 2);
    cairo_scale(cr, scale, scale);
    cairo_set_source_surface(cr, image, 0, 0);
    cairo_paint(cr);
    cairo_destroy(cr);
    cairo_surface_destroy(image);
    return scaled;
}

static PangoContext *create_pango_context(int dpi)
{
    PangoFontMap *map = pango_cairo_font_map_get_default();
    pango_cairo_font_map_set_resolution(PANGO_CAIRO_FONT_MAP(map), dpi); /* points -> pixels */
    PangoContext *context = pango_font_map_create_context(map);
    cairo_font_options_t *options = cairo_font_options_create();
    cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY);
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(context, options);
    cairo_font_options_destroy(options);
    return context;
}

static void load_card(card *c, const char *template_path, int dpi)
{
    json_error_t error;
    json_t *root = json_load_file(template_path, 0, &error);
    if (!root)
        die(template_path, error.text);
    json_t *info = json_object_get(root, "card");
    c->dpi = dpi;
    c->width = (int)lround(px(c, json_number_value(json_object_get(info, "width_mm"))));
    c->height = (int)lround(px(c, json_number_value(json_object_get(info, "height_mm"))));
    c->radius = px(c, json_number_value(json_object_get(info, "corner_radius_mm")));
    parse_color(json_string_value(json_object_get(info, "background")), c->background);
    const char *art = json_string_value(json_object_get(info, "background_image"));
    if (art) {
        char *copy = strdup(template_path), path[4096];
        snprintf(path, sizeof path, "%s/%s", dirname(copy), art);
        free(copy);
        c->artwork = load_artwork(c, path);
    }
    json_t *fields = json_object_get(root, "fields");
    c->field_count = json_array_size(fields);
    c->fields = calloc(c->field_count, sizeof *c->fields);
    for (size_t i = 0; i < c->field_count; i++)
        c->fields[i] = read_field(c, json_array_get(fields, i));
    /* The texts and binds point into the template's JSON: keep it. */
    c->pango = create_pango_context(dpi);
}

/* --------------------------------------------------------------- photo */

/* The JPEG decoded with libjpeg into a Cairo surface. */
static cairo_surface_t *decode_jpeg(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        die(path, "cannot open");
    struct jpeg_decompress_struct jpeg;
    struct jpeg_error_mgr errors;
    jpeg.err = jpeg_std_error(&errors);
    jpeg_create_decompress(&jpeg);
    jpeg_stdio_src(&jpeg, file);
    jpeg_read_header(&jpeg, TRUE);
    jpeg.out_color_space = JCS_RGB;
    jpeg_start_decompress(&jpeg);
    int w = (int)jpeg.output_width, h = (int)jpeg.output_height;
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    unsigned char *pixels = cairo_image_surface_get_data(surface);
    int stride = cairo_image_surface_get_stride(surface);
    unsigned char *row = malloc((size_t)w * 3);
    for (int y = 0; y < h; y++) {
        jpeg_read_scanlines(&jpeg, &row, 1);
        uint32_t *out = (uint32_t *)(pixels + (size_t)y * stride);
        for (int x = 0; x < w; x++)
            out[x] = (uint32_t)row[3 * x] << 16 | (uint32_t)row[3 * x + 1] << 8 | row[3 * x + 2];
    }
    free(row);
    jpeg_finish_decompress(&jpeg);
    jpeg_destroy_decompress(&jpeg);
    fclose(file);
    cairo_surface_mark_dirty(surface);
    return surface;
}

/* Scaled to cover its box, centred, clipped to the box. */
static void draw_photo(cairo_t *cr, const field *f, const char *path)
{
    cairo_surface_t *photo = decode_jpeg(path);
    int w = cairo_image_surface_get_width(photo), h = cairo_image_surface_get_height(photo);
    double scale = fmax(f->width / w, f->height / h);
    cairo_save(cr);
    cairo_rectangle(cr, round(f->x), round(f->y), round(f->width), round(f->height));
    cairo_clip(cr);
    cairo_translate(cr, f->x + (f->width - w * scale) / 2, f->y + (f->height - h * scale) / 2);
    cairo_scale(cr, scale, scale);
    cairo_set_source_surface(cr, photo, 0, 0);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(photo);
}

/* ---------------------------------------------------------------- text */

static void draw_text(cairo_t *cr, PangoContext *pango, const field *f, const char *text)
{
    PangoLayout *layout = pango_layout_new(pango);
    pango_layout_set_font_description(layout, f->style.font);
    pango_layout_set_width(layout, (int)(f->width * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    if (f->style.letter_spacing_px > 0) {
        PangoAttrList *attributes = pango_attr_list_new();
        int spacing = (int)lround(f->style.letter_spacing_px * PANGO_SCALE);
        pango_attr_list_insert(attributes, pango_attr_letter_spacing_new(spacing));
        pango_layout_set_attributes(layout, attributes);
        pango_attr_list_unref(attributes);
    }
    pango_layout_set_text(layout, text, -1);
    cairo_set_source_rgb(cr, f->style.red, f->style.green, f->style.blue);
    cairo_move_to(cr, f->x, f->y);
    pango_cairo_show_layout(cr, layout);
    g_object_unref(layout);
}

/* ---------------------------------------------------------------- card */

static void rounded_rectangle(cairo_t *cr, double w, double h, double r)
{
    cairo_new_sub_path(cr);
    cairo_arc(cr, w - r, r, r, -M_PI / 2, 0);
    cairo_arc(cr, w - r, h - r, r, 0, M_PI / 2);
    cairo_arc(cr, r, h - r, r, M_PI / 2, M_PI);
    cairo_arc(cr, r, r, r, M_PI, 3 * M_PI / 2);
    cairo_close_path(cr);
}

static void draw_background(cairo_t *cr, const card *c)
{
    cairo_set_source_rgb(cr, 1, 1, 1); /* paper outside the rounded corners */
    cairo_paint(cr);
    cairo_save(cr);
    rounded_rectangle(cr, c->width, c->height, c->radius);
    cairo_clip(cr);
    cairo_set_source_rgb(cr, c->background[0], c->background[1], c->background[2]);
    cairo_paint(cr);
    if (c->artwork) {
        cairo_set_source_surface(cr, c->artwork, 0, 0);
        cairo_paint(cr);
    }
    cairo_restore(cr);
}

/* Text binds missing from the record draw nothing; a photo's path is read
 * against the record's folder, as the engine does. */
static void render_card(const card *c, const char *record_path, const char *out_path)
{
    json_error_t error;
    json_t *record = json_load_file(record_path, 0, &error);
    if (!record)
        die(record_path, error.text);
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, c->width, c->height);
    cairo_t *cr = cairo_create(surface);
    pango_cairo_update_context(cr, c->pango);
    draw_background(cr, c);
    for (size_t i = 0; i < c->field_count; i++) {
        const field *f = &c->fields[i];
        const char *value = f->bind ? json_string_value(json_object_get(record, f->bind)) : f->text;
        if (!value)
            continue;
        if (f->is_image) {
            char *copy = strdup(record_path), path[4096];
            snprintf(path, sizeof path, "%s/%s", dirname(copy), value);
            free(copy);
            draw_photo(cr, f, path);
        } else {
            draw_text(cr, c->pango, f, value);
        }
    }
    cairo_destroy(cr);
    cairo_status_t status = write_png(surface, out_path);
    if (status != CAIRO_STATUS_SUCCESS)
        die(out_path, cairo_status_to_string(status));
    cairo_surface_destroy(surface);
    json_decref(record);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

int main(int argc, char **argv)
{
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: %s TEMPLATE RECORD OUT_DIR DPI N [NAMES]\n", argv[0]);
        return 2;
    }
    card c = {0};
    load_card(&c, argv[1], atoi(argv[4]));
    int cards = atoi(argv[5]);
    int names = argc == 7 ? atoi(argv[6]) : 0; /* 0: every card its own new file */
    char out_path[4096];
    double first = seconds_now(), start = first;
    for (int i = 0; i <= cards; i++) {
        if (i == 1)
            start = seconds_now();
        snprintf(out_path, sizeof out_path, "%s/card-%05d.png", argv[3], names > 0 ? i % names : i);
        render_card(&c, argv[2], out_path);
    }
    double elapsed = seconds_now() - start;
    printf("cards %d seconds %.3f cards_per_s %.1f png_bytes %ld first_card_ms %.1f\n", cards,
           elapsed, cards / elapsed, file_size(out_path), (start - first) * 1e3);
    return 0;
}
