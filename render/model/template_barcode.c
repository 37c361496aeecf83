/* Template format v1: "type": "barcode" fields (barcode_field.h). The
 * keys are checked here, against the symbology where they depend on it
 * (error correction); whether the data fits a symbology is known only once
 * it is encoded, at render time. */
#include "template_read.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "error.h"

const char *const cr_tpl_barcode_keys[] = {
    "type",      "name",       "box_mm", "text",       "bind",  "optional",         "symbology",
    "module_mm", "quiet_zone", "color",  "background", "panel", "error_correction", NULL};

/* In the order of cr_symbology. */
static const char *const symbology_names[] = {"code128",    "pdf417", "qrcode",
                                              "datamatrix", "aztec",  NULL};
static const char *const symbology_titles[] = {"Code 128", "PDF417", "QR Code", "Data Matrix",
                                               "Aztec Code"};
static const int standard_quiet_zones[] = {10, 2, 4, 1, 0};

/* QR's four levels, in the order of zint's option_1 (1..4). */
static const char *const qr_levels[] = {"L", "M", "Q", "H", NULL};

/* Aztec's error-correction percentages, in the order of zint's option_1
 * (1..4): the share of the symbol's codewords that are check words. */
static const int aztec_percents[] = {10, 23, 36, 50};

const char *cr_symbology_name(cr_symbology symbology)
{
    return symbology < CR_SYMBOLOGY_COUNT ? symbology_names[symbology] : "unknown";
}

const char *cr_symbology_title(cr_symbology symbology)
{
    return symbology < CR_SYMBOLOGY_COUNT ? symbology_titles[symbology] : "unknown";
}

int cr_symbology_quiet_zone(cr_symbology symbology)
{
    return symbology < CR_SYMBOLOGY_COUNT ? standard_quiet_zones[symbology] : 0;
}

int cr_symbology_is_linear(cr_symbology symbology)
{
    return symbology == CR_SYMBOLOGY_CODE128;
}

/* ------------------------------------------------------ error correction */

static cr_status qr_level(loader *ld, json_t *value, int *out)
{
    const char *text = json_is_string(value) ? json_string_value(value) : NULL;
    for (int i = 0; text && qr_levels[i]; i++) {
        if (strcmp(text, qr_levels[i]) == 0) {
            *out = i + 1;
            return CR_OK;
        }
    }
    return cr_tpl_fail(ld, CR_JSON_AT_VALUE,
                       "\"error_correction\" must be L, M, Q or H for a QR Code (got %s)",
                       text ? text : cr_json_kind(value, true));
}

/* An integer value, or the message says what the symbology takes. */
static bool integer_of(json_t *value, json_int_t *out)
{
    if (!json_is_integer(value))
        return false;
    *out = json_integer_value(value);
    return true;
}

static cr_status pdf417_level(loader *ld, json_t *value, int *out)
{
    json_int_t level = -1;
    if (integer_of(value, &level) && level >= 0 && level <= 8) {
        *out = (int)level;
        return CR_OK;
    }
    return cr_tpl_fail(ld, CR_JSON_AT_VALUE,
                       "\"error_correction\" must be an integer 0 to 8 for PDF417 (the "
                       "security level)");
}

static cr_status aztec_level(loader *ld, json_t *value, int *out)
{
    json_int_t percent = -1;
    for (int i = 0; integer_of(value, &percent) && i < 4; i++) {
        if (percent == aztec_percents[i]) {
            *out = i + 1;
            return CR_OK;
        }
    }
    return cr_tpl_fail(ld, CR_JSON_AT_VALUE,
                       "\"error_correction\" must be 10, 23, 36 or 50 (percent) for an Aztec "
                       "Code");
}

static cr_status check_error_correction(loader *ld, json_t *value, void *data)
{
    cr_barcode_field *barcode = data;
    switch (barcode->symbology) {
    case CR_SYMBOLOGY_QRCODE:
        return qr_level(ld, value, &barcode->error_correction);
    case CR_SYMBOLOGY_PDF417:
        return pdf417_level(ld, value, &barcode->error_correction);
    case CR_SYMBOLOGY_AZTEC:
        return aztec_level(ld, value, &barcode->error_correction);
    default:
        break;
    }
    return cr_tpl_fail(ld, CR_JSON_AT_KEY,
                       "\"error_correction\" does not apply to %s, which has no choice of level",
                       cr_symbology_title(barcode->symbology));
}

/* QR defaults to M (15%), the level most ID documents print; PDF417 and
 * Aztec to zint's choice, which follows their standards' recommendations
 * for the data's length. */
static cr_status read_error_correction(loader *ld, json_t *object, cr_barcode_field *barcode)
{
    barcode->error_correction =
        barcode->symbology == CR_SYMBOLOGY_QRCODE ? 2 : CR_BARCODE_EC_DEFAULT;
    return cr_tpl_read_member(ld, object, "error_correction", check_error_correction, barcode);
}

/* ------------------------------------------------------------- the field */

static cr_status read_symbology(loader *ld, json_t *object, cr_barcode_field *barcode)
{
    if (!json_object_get(object, "symbology"))
        return cr_tpl_fail_missing(ld, "symbology");
    int symbology = CR_SYMBOLOGY_CODE128;
    cr_status status = cr_tpl_read_enum(ld, object, "symbology", symbology_names, &symbology);
    barcode->symbology = (cr_symbology)symbology;
    return status;
}

/* "text" (fixed) or "bind", and "optional" with "bind". */
static cr_status read_content(loader *ld, json_t *object, cr_field *field)
{
    cr_status status =
        cr_tpl_read_fixed_or_bound(ld, object, field, "text", "a barcode field", &field->text);
    return status == CR_OK ? cr_tpl_read_optional(ld, object, field) : status;
}

/* The X-dimension: above 0, at most 10 mm (a module larger than that is a
 * typing mistake on a card). Rounded to whole pixels at render time. */
static cr_status read_module(loader *ld, json_t *object, cr_barcode_field *barcode)
{
    return cr_tpl_read_number(ld, object, "module_mm", false, (range){0, 10, true, NULL},
                              &barcode->module_mm);
}

static cr_status read_quiet_zone(loader *ld, json_t *object, cr_barcode_field *barcode)
{
    barcode->quiet_zone = cr_symbology_quiet_zone(barcode->symbology);
    return cr_tpl_read_integer(ld, object, "quiet_zone", 0, 100, &barcode->quiet_zone);
}

cr_status cr_tpl_read_barcode_field(loader *ld, json_t *object, cr_field *field)
{
    cr_barcode_field *barcode = &field->barcode;
    barcode->background = (cr_color){255, 255, 255, 255};
    cr_status status = cr_tpl_read_box(ld, object, field);
    if (status == CR_OK)
        status = read_symbology(ld, object, barcode);
    if (status == CR_OK)
        status = read_content(ld, object, field);
    if (status == CR_OK)
        status = read_module(ld, object, barcode);
    if (status == CR_OK)
        status = read_quiet_zone(ld, object, barcode);
    if (status == CR_OK)
        status = read_error_correction(ld, object, barcode);
    if (status == CR_OK)
        status = cr_tpl_read_color(ld, object, "color", &field->color);
    if (status == CR_OK)
        status = cr_tpl_read_color(ld, object, "background", &barcode->background);
    return status;
}
