/* Barcode fields through libzint (barcode.h). */
#include "barcode.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zint.h>

#include "error.h"
#include "pixel_memory.h"
#include "text.h"

/* In the order of cr_symbology. */
static const int zint_symbologies[CR_SYMBOLOGY_COUNT] = {
    BARCODE_CODE128, BARCODE_PDF417, BARCODE_QRCODE, BARCODE_DATAMATRIX, BARCODE_AZTEC};

/* ISO/IEC 15438 asks for PDF417 rows at least 3 modules tall (zint's own
 * default too); the matrix codes' rows are square modules. */
static int row_modules_of(cr_symbology symbology)
{
    return symbology == CR_SYMBOLOGY_PDF417 ? 3 : 1;
}

/* ECI 26 declares the bytes UTF-8, so a reader gives back the exact text
 * rather than guessing (or assuming ISO 8859-1) for non-ASCII data. */
#define ECI_UTF8 26

/* ------------------------------------------------------------- messages */

/* Where the data came from: the "bind" for a record's value, else the
 * field (its fixed "text"). */
static cr_location data_location(const cr_template *tpl, const cr_field *field)
{
    if (!field->bind)
        return cr_field_location(tpl, field);
    const char *file = field->bind_file ? field->bind_file : tpl ? tpl->path : NULL;
    return (cr_location){file, field->bind_line, field->bind_column, field->index, field->name};
}

static void data_name(const cr_field *field, char *buf, size_t size)
{
    if (field->bind)
        snprintf(buf, size, "record key \"%s\"", field->bind);
    else
        snprintf(buf, size, "\"text\"");
}

/* --------------------------------------------------------------- encode */

static bool is_ascii(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p > 0x7F)
            return false;
    return true;
}

/* Code 128 is read back by every reader alike only for ASCII: its
 * extended characters (FNC4, ISO 8859-1) are decoded differently from one
 * reader to the next, so anything else is refused, naming the first
 * character outside ASCII and its place. */
static cr_status check_linear_characters(const cr_template *tpl, const cr_field *field,
                                         const char *text, cr_error *err)
{
    size_t length = strlen(text), offset = 0;
    for (int position = 1; offset < length; position++) {
        size_t at = offset;
        uint32_t cp = cr_utf8_next(text, length, &offset);
        if (cp <= 0x7F)
            continue;
        char name[160];
        data_name(field, name, sizeof name);
        cr_status code = field->bind ? CR_ERR_RECORD : CR_ERR_TEMPLATE;
        return cr_error_set(err, code, data_location(tpl, field),
                            "%s: %s cannot encode U+%04X \"%.*s\" (character %d, byte %zu): it "
                            "holds ASCII only (U+0000 to U+007F)",
                            name, cr_symbology_title(field->barcode.symbology), (unsigned)cp,
                            (int)(offset - at), text + at, position, at);
    }
    return CR_OK;
}

static void configure(struct zint_symbol *symbol, const cr_barcode_field *barcode, bool ascii)
{
    symbol->symbology = zint_symbologies[barcode->symbology];
    symbol->show_hrt = 0;
    symbol->input_mode = ascii ? DATA_MODE : UNICODE_MODE;
    if (!ascii)
        symbol->eci = ECI_UTF8;
    if (barcode->error_correction != CR_BARCODE_EC_DEFAULT)
        symbol->option_1 = barcode->error_correction;
    if (barcode->symbology == CR_SYMBOLOGY_DATAMATRIX)
        symbol->option_3 = DM_SQUARE; /* square sizes only: what card layouts reserve room for */
}

static cr_status zint_failed(const cr_template *tpl, const cr_field *field, int code,
                             const struct zint_symbol *symbol, cr_error *err)
{
    char name[160];
    data_name(field, name, sizeof name);
    cr_status status = code == ZINT_ERROR_MEMORY ? CR_ERR_NOMEM
                       : field->bind             ? CR_ERR_RECORD
                                                 : CR_ERR_TEMPLATE;
    return cr_error_set(err, status, data_location(tpl, field), "%s: %s cannot encode it: %s", name,
                        cr_symbology_title(field->barcode.symbology), symbol->errtxt);
}

/* zint keeps each row's modules as bits, the first module in the lowest. */
static bool module_dark(const struct zint_symbol *symbol, int row, int column)
{
    return (symbol->encoded_data[row][column >> 3] >> (column & 7)) & 1;
}

static cr_status copy_matrix(const struct zint_symbol *symbol, cr_barcode_layout *out,
                             cr_error *err)
{
    out->columns = symbol->width;
    out->rows = symbol->rows;
    out->dark = malloc((size_t)out->columns * (size_t)out->rows);
    if (!out->dark)
        return cr_fail(err, CR_ERR_NOMEM, "out of memory for a %dx%d symbol", out->columns,
                       out->rows);
    for (int r = 0; r < out->rows; r++)
        for (int c = 0; c < out->columns; c++)
            out->dark[(size_t)r * (size_t)out->columns + (size_t)c] = module_dark(symbol, r, c);
    return CR_OK;
}

static cr_status encode(const cr_template *tpl, const cr_field *field, const char *text,
                        cr_barcode_layout *out, cr_error *err)
{
    if (text[0] == '\0') {
        char name[160];
        data_name(field, name, sizeof name);
        return cr_error_set(err, field->bind ? CR_ERR_RECORD : CR_ERR_TEMPLATE,
                            data_location(tpl, field), "%s is empty: a barcode needs data", name);
    }
    if (cr_symbology_is_linear(field->barcode.symbology)) {
        cr_status checked = check_linear_characters(tpl, field, text, err);
        if (checked != CR_OK)
            return checked;
    }
    struct zint_symbol *symbol = ZBarcode_Create();
    if (!symbol)
        return cr_fail(err, CR_ERR_NOMEM, "out of memory for a barcode");
    configure(symbol, &field->barcode, is_ascii(text));
    int code = ZBarcode_Encode(symbol, (const unsigned char *)text, (int)strlen(text));
    cr_status status = code >= ZINT_ERROR ? zint_failed(tpl, field, code, symbol, err)
                                          : copy_matrix(symbol, out, err);
    ZBarcode_Delete(symbol);
    return status;
}

/* -------------------------------------------------------------- geometry */

static int box_width(cr_pixel_box box)
{
    return box.x1 - box.x0;
}

static int box_height(cr_pixel_box box)
{
    return box.y1 - box.y0;
}

/* The largest whole-pixel module for which the symbol and its quiet zones
 * fit the box (0: not even 1 px). A linear symbol's bars take the box's
 * height, so only its width limits the module. */
static int largest_module(const cr_barcode_layout *layout, bool linear)
{
    int across = layout->columns + 2 * layout->quiet_x;
    int down = layout->rows * layout->row_modules + 2 * layout->quiet_y;
    int largest = box_width(layout->box) / across;
    if (!linear && box_height(layout->box) / down < largest)
        largest = box_height(layout->box) / down;
    return largest;
}

static cr_status too_big(const cr_template *tpl, const cr_field *field,
                         const cr_barcode_layout *layout, int module_px, int dpi, cr_error *err)
{
    int across = layout->columns + 2 * layout->quiet_x;
    int down = layout->rows * layout->row_modules + 2 * layout->quiet_y;
    bool linear = cr_symbology_is_linear(field->barcode.symbology);
    char needed[64];
    if (linear)
        snprintf(needed, sizeof needed, "%d px wide", across * module_px);
    else
        snprintf(needed, sizeof needed, "%d x %d px", across * module_px, down * module_px);
    return cr_error_set(
        err, field->bind ? CR_ERR_RECORD : CR_ERR_TEMPLATE, cr_field_location(tpl, field),
        "the %s symbol (%d x %d modules, quiet zone %d) does not fit its box: at %d px a module "
        "(%s at %d dpi) it needs %s, the box is %d x %d px",
        cr_symbology_title(field->barcode.symbology), layout->columns, layout->rows,
        field->barcode.quiet_zone, module_px,
        field->barcode.module_mm > 0 ? "\"module_mm\"" : "the smallest", dpi, needed,
        box_width(layout->box), box_height(layout->box));
}

/* "module_mm" to whole pixels: the nearest, at least 1. */
static int module_px_of(double module_mm, int dpi)
{
    long rounded = lround(cr_mm_to_px(module_mm, dpi));
    return rounded < 1 ? 1 : (int)rounded;
}

static cr_status place(const cr_template *tpl, const cr_field *field, int dpi,
                       cr_barcode_layout *layout, cr_error *err)
{
    bool linear = cr_symbology_is_linear(field->barcode.symbology);
    layout->box = cr_pixel_box_round(cr_mm_to_px(field->x_mm, dpi), cr_mm_to_px(field->y_mm, dpi),
                                     cr_mm_to_px(field->w_mm, dpi), cr_mm_to_px(field->h_mm, dpi));
    layout->quiet_x = field->barcode.quiet_zone;
    layout->quiet_y = linear ? 0 : field->barcode.quiet_zone;
    int largest = largest_module(layout, linear);
    int module =
        field->barcode.module_mm > 0 ? module_px_of(field->barcode.module_mm, dpi) : largest;
    if (module < 1 || module > largest || box_height(layout->box) < 1)
        return too_big(tpl, field, layout, module < 1 ? 1 : module, dpi, err);
    layout->module_px = module;
    int width = (layout->columns + 2 * layout->quiet_x) * module;
    int height = linear ? box_height(layout->box)
                        : (layout->rows * layout->row_modules + 2 * layout->quiet_y) * module;
    int x = layout->box.x0 + (box_width(layout->box) - width) / 2;
    int y = layout->box.y0 + (box_height(layout->box) - height) / 2;
    layout->symbol = (cr_pixel_box){x, y, x + width, y + height};
    return CR_OK;
}

cr_status cr_barcode_lay_out(const cr_template *tpl, const cr_field *field, const char *text,
                             int dpi, cr_barcode_layout *out, cr_error *err)
{
    *out = (cr_barcode_layout){.row_modules = row_modules_of(field->barcode.symbology)};
    cr_status status = encode(tpl, field, text, out, err);
    if (status == CR_OK)
        status = place(tpl, field, dpi, out, err);
    if (status != CR_OK)
        cr_barcode_layout_free(out);
    return status;
}

void cr_barcode_layout_free(cr_barcode_layout *layout)
{
    if (!layout)
        return;
    free(layout->dark);
    layout->dark = NULL;
}

/* ---------------------------------------------------------------- paint */

/* A premultiplied pixel of a straight-alpha colour over another
 * premultiplied pixel (all zero: nothing). */
static void over(const cr_color c, const uint8_t under[4], uint8_t out[4])
{
    unsigned keep = 255u - c.a;
    out[0] = (uint8_t)(cr_div255(c.r * c.a) + cr_div255(under[0] * keep));
    out[1] = (uint8_t)(cr_div255(c.g * c.a) + cr_div255(under[1] * keep));
    out[2] = (uint8_t)(cr_div255(c.b * c.a) + cr_div255(under[2] * keep));
    out[3] = (uint8_t)(c.a + cr_div255(under[3] * keep));
}

/* Whether the module under pixel (x, y) of the canvas is dark; the quiet
 * zones are light. */
static bool dark_at(const cr_barcode_layout *layout, bool linear, int x, int y)
{
    int mx = (x - layout->symbol.x0) / layout->module_px - layout->quiet_x;
    int my = linear ? 0 : (y - layout->symbol.y0) / layout->module_px - layout->quiet_y;
    int row = my / layout->row_modules;
    if (mx < 0 || mx >= layout->columns || my < 0 || row >= layout->rows)
        return false;
    return layout->dark[(size_t)row * (size_t)layout->columns + (size_t)mx];
}

static cr_status compose(const cr_field *field, const cr_barcode_layout *layout, cr_pixel_box clip,
                         cr_layer *out, cr_error *err)
{
    cr_pixel_box box = cr_pixel_box_intersect(layout->symbol, clip);
    if (cr_pixel_box_empty(box))
        return CR_OK;
    size_t width = (size_t)(box.x1 - box.x0), height = (size_t)(box.y1 - box.y0);
    uint8_t *rgba = cr_pixel_memory_alloc(width * height * 4, false); /* cr_layer_free's */
    if (!rgba)
        return cr_fail(err, CR_ERR_NOMEM, "out of memory for a %zux%zu barcode", width, height);
    static const uint8_t nothing[4] = {0, 0, 0, 0};
    uint8_t light[4], dark[4];
    over(field->barcode.background, nothing, light);
    over(field->color, light, dark);
    bool linear = cr_symbology_is_linear(field->barcode.symbology);
    uint8_t *p = rgba;
    for (int y = box.y0; y < box.y1; y++)
        for (int x = box.x0; x < box.x1; x++, p += 4)
            memcpy(p, dark_at(layout, linear, x, y) ? dark : light, 4);
    *out = (cr_layer){box, (int)width, (int)height, rgba, 255};
    return CR_OK;
}

cr_status cr_compose_barcode_field(const cr_template *tpl, const cr_field *field,
                                   const cr_record *record, int dpi, cr_pixel_box clip,
                                   cr_layer *out, cr_error *err)
{
    *out = (cr_layer){{0, 0, 0, 0}, 0, 0, NULL, 0};
    if (cr_field_is_absent(field, record))
        return CR_OK;
    const char *text = cr_field_text(tpl, field, record, err);
    if (!text)
        return err ? err->code : CR_ERR_RECORD;
    cr_barcode_layout layout;
    cr_status status = cr_barcode_lay_out(tpl, field, text, dpi, &layout, err);
    if (status == CR_OK)
        status = compose(field, &layout, clip, out, err);
    cr_barcode_layout_free(&layout);
    return status;
}
