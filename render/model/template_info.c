/* Read-only views of a loaded template for tools (proofs, checks). */
#include <math.h>

#include "error.h"
#include "template.h"

static const char *field_type_name(cr_field_type type)
{
    switch (type) {
    case CR_FIELD_TEXT:
        return "text";
    case CR_FIELD_IMAGE:
        return "image";
    case CR_FIELD_RECT:
        return "rect";
    case CR_FIELD_LINE:
        return "line";
    case CR_FIELD_BARCODE:
        return "barcode";
    case CR_FIELD_MRZ:
        return "mrz";
    }
    return "unknown";
}

size_t cr_template_field_count(const cr_template *tpl)
{
    return tpl ? tpl->field_count : 0;
}

/* A line has no box of its own: its bounding box, widened by the stroke. */
static void line_box(const cr_line_field *seg, cr_field_info *info)
{
    double half = seg->width_mm / 2;
    info->x_mm = fmin(seg->x0_mm, seg->x1_mm) - half;
    info->y_mm = fmin(seg->y0_mm, seg->y1_mm) - half;
    info->width_mm = fabs(seg->x1_mm - seg->x0_mm) + 2 * half;
    info->height_mm = fabs(seg->y1_mm - seg->y0_mm) + 2 * half;
}

cr_status cr_template_field(const cr_template *tpl, size_t index, cr_field_info *info)
{
    if (!tpl || !info || index >= tpl->field_count)
        return CR_ERR_ARGUMENT;
    const cr_field *field = &tpl->fields[index];
    info->name = field->name;
    info->type = field_type_name(field->type);
    info->bind = field->bind;
    info->optional = field->optional;
    info->line = field->line;
    info->column = field->column;
    info->file = field->file ? field->file : tpl->path;
    if (field->type == CR_FIELD_LINE) {
        line_box(&field->segment, info);
    } else {
        info->x_mm = field->x_mm;
        info->y_mm = field->y_mm;
        info->width_mm = field->w_mm;
        info->height_mm = field->h_mm;
    }
    return CR_OK;
}

void cr_template_card_mm(const cr_template *tpl, double *width, double *height, double *radius)
{
    if (width)
        *width = tpl ? tpl->width_mm : 0;
    if (height)
        *height = tpl ? tpl->height_mm : 0;
    if (radius)
        *radius = tpl ? tpl->corner_radius_mm : 0;
}

const char *cr_template_path(const cr_template *tpl)
{
    return tpl ? tpl->path : NULL;
}

cr_location cr_field_location(const cr_template *tpl, const cr_field *field)
{
    cr_location where = CR_NO_LOCATION;
    where.file = tpl ? tpl->path : NULL;
    if (field && field->file)
        where.file = field->file; /* a base template's or a fragment's field */
    if (field) {
        where.line = field->line;
        where.column = field->column;
        where.field_index = field->index;
        where.field_name = field->name;
    }
    return where;
}
