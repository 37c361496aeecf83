/* Template format v1: an MRZ field ("type": "mrz", ICAO 9303): its box,
 * format, the record keys of its elements, its colour; its font is always
 * the manifest's "OCR B", which 9303 prescribes. */
#include "template_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine.h"
#include "fonts.h"
#include "mrz.h"

/* 9303's typeface, by its family name in the font manifest. */
static const char ocr_b_family[] = "OCR B";

bool cr_field_depends_on_record(const cr_field *field)
{
    return field && (field->bind || field->type == CR_FIELD_MRZ);
}

static cr_status read_format(loader *ld, json_t *object, cr_mrz_field **out)
{
    int format = CR_MRZ_TD1;
    if (!json_object_get(object, "format"))
        return cr_tpl_fail_missing(ld, "format");
    cr_status status = cr_tpl_read_enum(ld, object, "format", cr_mrz_format_names, &format);
    if (status != CR_OK)
        return status;
    *out = cr_mrz_field_new((cr_mrz_format)format);
    return *out ? CR_OK : cr_tpl_fail_nomem(ld);
}

/* One "keys" entry: the record key an element is read from. */
static cr_status read_key(loader *ld, json_t *keys, const char *element, cr_mrz_field *mrz)
{
    int e = 0;
    while (strcmp(cr_mrz_element_names[e], element) != 0)
        e++; /* cr_tpl_check_keys let only element names through */
    json_t *value = json_object_get(keys, element);
    cr_tpl_push_key(ld, element);
    cr_location where = cr_tpl_locate(ld, CR_JSON_AT_VALUE);
    const char *file = cr_tpl_source_file(ld); /* the template's copy, alive with it */
    cr_status status = CR_OK;
    if (!json_is_string(value) || json_string_value(value)[0] == '\0')
        status = cr_tpl_fail(ld, CR_JSON_AT_VALUE, "\"%s\" must name a record key, not %s", element,
                             cr_json_kind(value, true));
    cr_tpl_pop(ld);
    if (status != CR_OK)
        return status;
    mrz->key_line[e] = where.line;
    mrz->key_column[e] = where.column;
    mrz->key_file[e] = file;
    free(mrz->keys[e]);
    mrz->keys[e] = NULL;
    return cr_tpl_copy_string(ld, json_string_value(value), &mrz->keys[e]);
}

/* "keys": {"document_number": "passport_no", ...}: the record keys that
 * replace the element names' defaults. */
static cr_status check_element_keys(loader *ld, json_t *keys, void *data)
{
    cr_mrz_field *mrz = data;
    cr_status status = cr_tpl_check_keys(ld, keys, cr_mrz_element_names);
    for (int e = 0; e < CR_MRZ_ELEMENT_COUNT && status == CR_OK; e++)
        if (json_object_get(keys, cr_mrz_element_names[e]))
            status = read_key(ld, keys, cr_mrz_element_names[e], mrz);
    return status;
}

/* The box must hold the lines at 9303's pitch: a zone squeezed to fit
 * would not read. */
static cr_status check_room(loader *ld, const cr_field *field)
{
    cr_mrz_format format = field->mrz->format;
    int lines = cr_mrz_line_count(format), chars = cr_mrz_line_length(format);
    double width = chars * CR_MRZ_CHAR_PITCH_MM, height = lines * cr_mrz_line_pitch_mm(format);
    const double slack = 1e-6; /* 76.2 typed for 30 x 2.54 */
    if (field->w_mm + slack >= width && field->h_mm + slack >= height)
        return CR_OK;
    cr_tpl_push_key(ld, "box_mm");
    cr_status status = cr_tpl_fail(
        ld, CR_JSON_AT_VALUE,
        "a %s zone needs a box of at least %.2f x %.2f mm (%d characters at %.2f mm, %d lines "
        "at %.2f mm); this one is %g x %g mm",
        cr_mrz_format_names[format], width, height, chars, CR_MRZ_CHAR_PITCH_MM, lines,
        cr_mrz_line_pitch_mm(format), field->w_mm, field->h_mm);
    cr_tpl_pop(ld);
    return status;
}

/* OCR-B from the font manifest; a manifest without it cannot print an MRZ. */
static cr_status resolve_ocr_b(loader *ld, cr_field *field)
{
    field->fonts = calloc(1, sizeof *field->fonts);
    field->faces = calloc(1, sizeof *field->faces);
    if (!field->fonts || !field->faces)
        return cr_tpl_fail_nomem(ld);
    field->font_count = 1;
    cr_status status = cr_tpl_copy_string(ld, ocr_b_family, &field->fonts[0]);
    if (status != CR_OK)
        return status;
    const char *file = NULL, *package = NULL;
    int index = 0;
    if (!cr_font_manifest_lookup(ld->engine->manifest, ocr_b_family, &file, &index, &package))
        return cr_tpl_fail(ld, CR_JSON_AT_VALUE,
                           "an MRZ is set in \"%s\", which the font manifest %s lacks",
                           ocr_b_family, cr_font_manifest_path(ld->engine->manifest));
    cr_error font_err;
    cr_error_clear(&font_err);
    field->faces[0] = cr_font_library_get(ld->engine->fonts, ocr_b_family, ld->tpl->dir, &font_err);
    if (field->faces[0])
        return CR_OK;
    return cr_error_set(ld->err, font_err.code != CR_OK ? font_err.code : CR_ERR_FONT,
                        cr_tpl_locate(ld, CR_JSON_AT_VALUE), "%s", font_err.message);
}

cr_status cr_tpl_read_mrz_field(loader *ld, json_t *object, cr_field *field)
{
    cr_status status = cr_tpl_read_box(ld, object, field);
    if (status == CR_OK)
        status = read_format(ld, object, &field->mrz);
    if (status == CR_OK)
        status = check_room(ld, field);
    if (status == CR_OK)
        status = cr_tpl_read_object(ld, object, "keys", check_element_keys, field->mrz);
    if (status == CR_OK)
        status = cr_tpl_read_color(ld, object, "color", &field->color);
    if (status == CR_OK)
        status = resolve_ocr_b(ld, field);
    return status;
}
