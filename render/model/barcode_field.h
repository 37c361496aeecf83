/* "type": "barcode" fields in the template model: which symbology, how big
 * a module is, the quiet zone, the error correction and the colours. The
 * symbols themselves are encoded by libzint at render time (barcode.h in
 * the paint stage); the model only holds what the template says, already
 * checked, so that a symbology's options never reach zint unvalidated.
 * Included by template.h; nothing here knows about jansson or zint; the
 * loader and the names are in template_barcode.c. */
#ifndef CR_BARCODE_FIELD_H
#define CR_BARCODE_FIELD_H

#include "values.h"

/* In the order of the template's "symbology" names. */
typedef enum cr_symbology {
    CR_SYMBOLOGY_CODE128,
    CR_SYMBOLOGY_PDF417,
    CR_SYMBOLOGY_QRCODE,
    CR_SYMBOLOGY_DATAMATRIX,
    CR_SYMBOLOGY_AZTEC,
    CR_SYMBOLOGY_COUNT
} cr_symbology;

/* No "error_correction" key: the symbology's own default applies. */
#define CR_BARCODE_EC_DEFAULT (-1)

typedef struct cr_barcode_field {
    cr_symbology symbology;
    double module_mm;     /* the X-dimension asked for; 0: the largest that fits the box */
    int quiet_zone;       /* modules on each side */
    int error_correction; /* zint's option_1 for the symbology, or CR_BARCODE_EC_DEFAULT */
    cr_color background;  /* the symbol's light modules and its quiet zone */
} cr_barcode_field;

/* "code128", "pdf417", "qrcode", "datamatrix", "aztec". */
const char *cr_symbology_name(cr_symbology symbology);

/* How people write it in messages: "Code 128", "QR Code", ... */
const char *cr_symbology_title(cr_symbology symbology);

/* The smallest quiet zone the symbology's standard allows, in modules:
 * Code 128 10 (ISO/IEC 15417), PDF417 2 (ISO/IEC 15438), QR Code 4
 * (ISO/IEC 18004), Data Matrix 1 (ISO/IEC 16022), Aztec 0 (ISO/IEC 24778:
 * its finder is in the centre and needs none). */
int cr_symbology_quiet_zone(cr_symbology symbology);

/* A linear symbology: one row of bars that fill the box's height. */
int cr_symbology_is_linear(cr_symbology symbology);

#endif
