/* The machine-readable zone of ICAO Doc 9303 ("type": "mrz"): the lines of
 * characters an identity document carries for optical readers, built from
 * a record's values. This module knows the three formats (TD1: 3 lines of
 * 30 characters, Part 5; TD2: 2 of 36, Part 6; TD3: 2 of 44, Part 4), the
 * 7-3-1 check digit and the composite check digit over each format's ranges
 * (Part 3, 4.9), the transliteration of Latin letters with diacritics and
 * of ligatures to A-Z (Part 3, section 6), the name field's punctuation and
 * truncation rules, dates as YYMMDD and the sex code. It builds text only:
 * where the characters go on the card (the 9303 pitch and line spacing) is
 * mrz_paint's business, with the constants below. */
#ifndef CR_MRZ_H
#define CR_MRZ_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "record.h"

struct cr_field;
struct cr_template;

typedef enum cr_mrz_format { CR_MRZ_TD1, CR_MRZ_TD2, CR_MRZ_TD3 } cr_mrz_format;

/* The record values a zone is built from, in the order of
 * cr_mrz_element_names (the default record keys and the names "keys" maps). */
typedef enum cr_mrz_element {
    CR_MRZ_DOCUMENT_CODE,
    CR_MRZ_ISSUING_STATE,
    CR_MRZ_DOCUMENT_NUMBER,
    CR_MRZ_BIRTH_DATE,
    CR_MRZ_SEX,
    CR_MRZ_EXPIRY_DATE,
    CR_MRZ_NATIONALITY,
    CR_MRZ_OPTIONAL_DATA,
    CR_MRZ_OPTIONAL_DATA_2,
    CR_MRZ_PRIMARY_IDENTIFIER,
    CR_MRZ_SECONDARY_IDENTIFIER,
    CR_MRZ_ELEMENT_COUNT
} cr_mrz_element;

/* NULL-terminated, in the order of the enums: "td1", "td2", "td3"; and
 * "document_code" ... "secondary_identifier". */
extern const char *const cr_mrz_format_names[];
extern const char *const cr_mrz_element_names[];

/* 9303 Part 3, 4.4: OCR-B size 1 at a fixed pitch of 2.54 mm (10 to the
 * inch): 30 px at 300 dpi, 60 at 600. */
#define CR_MRZ_CHAR_PITCH_MM 2.54
#define CR_MRZ_MAX_LINES 3
#define CR_MRZ_MAX_CHARS 44

/* A field's MRZ part (cr_field.mrz): the format and, per element, the
 * record key it is read from and where a "keys" entry named it (line 0:
 * the default key, errors point at the field). */
typedef struct cr_mrz_field {
    cr_mrz_format format;
    char *keys[CR_MRZ_ELEMENT_COUNT];
    int key_line[CR_MRZ_ELEMENT_COUNT], key_column[CR_MRZ_ELEMENT_COUNT];
    const char *key_file[CR_MRZ_ELEMENT_COUNT];
} cr_mrz_field;

/* A built zone: `count` lines of `length` characters, each NUL-terminated. */
typedef struct cr_mrz_lines {
    int count, length;
    char text[CR_MRZ_MAX_LINES][CR_MRZ_MAX_CHARS + 1];
} cr_mrz_lines;

int cr_mrz_line_count(cr_mrz_format format);

/* The distance between the lines' reference centre lines, which Part 3
 * leaves to the format's Part: TD1 4.23 mm, 1/6 inch (Part 5, figure 6: 50
 * px at 300 dpi); TD3 6.35 mm, 1/4 inch (Part 4, figure 3: 75 px). TD2's
 * figure gives none in the sources at hand; its zone is TD3's two lines
 * in a zone of TD3's height (23.2 mm), so it takes TD3's 6.35 mm. */
double cr_mrz_line_pitch_mm(cr_mrz_format format);
int cr_mrz_line_length(cr_mrz_format format);

/* A field with the default keys; NULL when out of memory. */
cr_mrz_field *cr_mrz_field_new(cr_mrz_format format);
void cr_mrz_field_free(cr_mrz_field *mrz);

/* The 9303 check digit of length characters (0-9, A-Z, '<'): each valued
 * 0-9, 10-35 and 0, weighted 7, 3, 1 repeating, summed modulo 10. -1 when a
 * character is none of those. */
int cr_mrz_check_digit(const char *chars, size_t length);

/* UTF-8 text in MRZ letters: upper-cased, Latin letters with diacritics
 * and ligatures transliterated by 9303's table (Ä -> AE, Å -> AA, ß -> SS,
 * É -> E ...), digits kept, space and hyphen -> '<', apostrophes, full
 * stops and commas left out. At most cap - 1 bytes and a NUL into out.
 * text must be valid UTF-8 (a record's values are checked when it is
 * read). Returns 0, or the first code point that has no transliteration. */
uint32_t cr_mrz_transliterate(const char *text, char *out, size_t cap);

/* The zone of field (CR_FIELD_MRZ) for record. An element the record lacks
 * is an error naming its key, except the optional data and the secondary
 * identifier (fillers); a value that cannot be set (a date that is not a
 * date, a value too long for its positions, a character with no MRZ
 * spelling) is CR_ERR_RECORD naming the key and the value. */
cr_status cr_mrz_build(const struct cr_template *tpl, const struct cr_field *field,
                       const cr_record *record, cr_mrz_lines *out, cr_error *err);

#endif
