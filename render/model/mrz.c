/* ICAO 9303 machine-readable zones (mrz.h). Positions in comments are
 * 9303's, 1-based; the code counts from 0. */
#include "mrz.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardrender.h"
#include "template.h"
#include "text.h"

const char *const cr_mrz_format_names[] = {"td1", "td2", "td3", NULL};

const char *const cr_mrz_element_names[] = {"document_code",
                                            "issuing_state",
                                            "document_number",
                                            "birth_date",
                                            "sex",
                                            "expiry_date",
                                            "nationality",
                                            "optional_data",
                                            "optional_data_2",
                                            "primary_identifier",
                                            "secondary_identifier",
                                            NULL};

int cr_mrz_line_count(cr_mrz_format format)
{
    return format == CR_MRZ_TD1 ? 3 : 2;
}

double cr_mrz_line_pitch_mm(cr_mrz_format format)
{
    return format == CR_MRZ_TD1 ? 25.4 / 6 : 25.4 / 4;
}

int cr_mrz_line_length(cr_mrz_format format)
{
    static const int lengths[] = {30, 36, 44};
    return lengths[format];
}

cr_mrz_field *cr_mrz_field_new(cr_mrz_format format)
{
    cr_mrz_field *mrz = calloc(1, sizeof *mrz);
    if (!mrz)
        return NULL;
    mrz->format = format;
    for (int i = 0; i < CR_MRZ_ELEMENT_COUNT; i++) {
        mrz->keys[i] = strdup(cr_mrz_element_names[i]);
        if (!mrz->keys[i]) {
            cr_mrz_field_free(mrz);
            return NULL;
        }
    }
    return mrz;
}

void cr_mrz_field_free(cr_mrz_field *mrz)
{
    if (!mrz)
        return;
    for (int i = 0; i < CR_MRZ_ELEMENT_COUNT; i++)
        free(mrz->keys[i]);
    free(mrz);
}

/* ------------------------------------------------------- check digits */

static int char_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return c == '<' ? 0 : -1;
}

int cr_mrz_check_digit(const char *chars, size_t length)
{
    static const int weights[] = {7, 3, 1};
    int sum = 0;
    for (size_t i = 0; i < length; i++) {
        int value = char_value(chars[i]);
        if (value < 0)
            return -1;
        sum += value * weights[i % 3];
    }
    return sum % 10;
}

/* ---------------------------------------------------- transliteration */

/* 9303 Part 3, section 6 (recommended transliterations of multinational
 * Latin characters), upper and lower case: letters on the left become the
 * MRZ letters on the right. */
static const struct {
    const char *letters;
    const char *mrz;
} latin_table[] = {
    {"ÁÀÂÃĂĀĄáàâãăāą", "A"},
    {"Ää", "AE"},
    {"Åå", "AA"},
    {"Ææ", "AE"},
    {"ĆĈČĊÇćĉčċç", "C"},
    {"ÐĎĐðďđ", "D"},
    {"ÉÈÊËĚĖĒĘĔéèêëěėēęĕ", "E"},
    {"ĜĞĠĢĝğġģ", "G"},
    {"ĦĤħĥ", "H"},
    {"ıÍÌÎÏĨİĪĮĬíìîïĩīįĭ", "I"},
    {"Ĳĳ", "IJ"},
    {"Ĵĵ", "J"},
    {"Ķķĸ", "K"},
    {"ŁĹĽĻĿłĺľļŀ", "L"},
    {"ŃÑŇŅŊńñňņŋ", "N"},
    {"ÓÒÔÕŐŌŎóòôõőōŏ", "O"},
    {"ÖöØøŒœ", "OE"},
    {"ŔŘŖŕřŗ", "R"},
    {"ŚŜŠŞȘśŝšşșſ", "S"},
    {"ß", "SS"},
    {"ŤŢŦȚťţŧț", "T"},
    {"Þþ", "TH"},
    {"ÚÙÛŨŬŰŮŪŲúùûũŭűůūų", "U"},
    {"Üü", "UE"},
    {"Ŵŵ", "W"},
    {"ÝŸŶýÿŷ", "Y"},
    {"ŹŽŻźžż", "Z"},
};

static const char *latin_letter(uint32_t cp)
{
    for (size_t i = 0; i < sizeof latin_table / sizeof latin_table[0]; i++) {
        const char *letters = latin_table[i].letters;
        size_t length = strlen(letters);
        for (size_t at = 0; at < length;)
            if (cr_utf8_next(letters, length, &at) == cp)
                return latin_table[i].mrz;
    }
    return NULL;
}

/* Part 3: apostrophes (and the marks typed for them), full stops and
 * commas are left out; spaces and hyphens separate name components. */
static bool left_out(uint32_t cp)
{
    return cp == '\'' || cp == 0x2019 || cp == 0x02BC || cp == 0x2018 || cp == '`' || cp == '.' ||
           cp == ',';
}

static bool separates(uint32_t cp)
{
    return cp == ' ' || cp == '-' || cp == 0x2010 || cp == 0x2011 || cp == 0x00A0 || cp == '<';
}

/* What cp becomes: a string, or NULL when it has no MRZ spelling. */
static const char *mrz_spelling(uint32_t cp, char ascii[2])
{
    if (cp >= 'a' && cp <= 'z')
        cp -= 'a' - 'A';
    if ((cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) {
        ascii[0] = (char)cp;
        ascii[1] = '\0';
        return ascii;
    }
    if (left_out(cp))
        return "";
    if (separates(cp))
        return "<";
    return latin_letter(cp);
}

uint32_t cr_mrz_transliterate(const char *text, char *out, size_t cap)
{
    size_t length = 0, text_length = strlen(text);
    for (size_t at = 0; at < text_length;) {
        uint32_t cp = cr_utf8_next(text, text_length, &at); /* record values are valid UTF-8 */
        char ascii[2];
        const char *spelling = mrz_spelling(cp, ascii);
        if (!spelling) {
            out[length] = '\0';
            return cp;
        }
        for (; *spelling && length + 1 < cap; spelling++)
            out[length++] = *spelling;
    }
    out[length] = '\0';
    return 0;
}

/* ------------------------------------------------------------ building */

/* Room for a transliterated value: far longer than any MRZ position, so
 * that "too long" can say how long. */
#define VALUE_CAP 256

/* One zone being built. */
typedef struct builder {
    const cr_template *tpl;
    const cr_field *field;
    const cr_mrz_field *mrz;
    const cr_record *record;
    cr_error *err;
    cr_mrz_lines *out;
} builder;

/* Where an error about element e points: its "keys" entry, else the field. */
static cr_location element_location(const builder *b, cr_mrz_element e)
{
    cr_location where = cr_field_location(b->tpl, b->field);
    if (b->mrz->key_line[e] > 0) {
        where.file = b->mrz->key_file[e] ? b->mrz->key_file[e] : where.file;
        where.line = b->mrz->key_line[e];
        where.column = b->mrz->key_column[e];
    }
    return where;
}

static cr_status element_error(const builder *b, cr_mrz_element e, const char *value,
                               const char *problem)
{
    return cr_error_set(b->err, CR_ERR_RECORD, element_location(b, e),
                        "record key \"%s\" (MRZ %s): \"%s\" %s", b->mrz->keys[e],
                        cr_mrz_element_names[e], value, problem);
}

static bool is_optional(cr_mrz_element e)
{
    return e == CR_MRZ_OPTIONAL_DATA || e == CR_MRZ_OPTIONAL_DATA_2 ||
           e == CR_MRZ_SECONDARY_IDENTIFIER;
}

/* The record's value for e ("" for an optional element it lacks); NULL with
 * the error set when a required one is missing. */
static const char *element_value(const builder *b, cr_mrz_element e)
{
    const char *value = b->record ? cr_record_get(b->record, b->mrz->keys[e]) : NULL;
    if (value)
        return value;
    if (is_optional(e))
        return "";
    cr_error_set(b->err, CR_ERR_RECORD, element_location(b, e),
                 "the record %s has no key \"%s\" (MRZ %s)", b->record ? b->record->path : "(none)",
                 b->mrz->keys[e], cr_mrz_element_names[e]);
    return NULL;
}

/* The record's value for e as given, "" when it has none (for messages). */
static const char *raw_value(const builder *b, cr_mrz_element e)
{
    const char *value = b->record ? cr_record_get(b->record, b->mrz->keys[e]) : NULL;
    return value ? value : "";
}

/* The value of e transliterated into out (VALUE_CAP bytes). */
static cr_status read_element(const builder *b, cr_mrz_element e, char *out)
{
    const char *value = element_value(b, e);
    if (!value)
        return CR_ERR_RECORD;
    uint32_t bad = cr_mrz_transliterate(value, out, VALUE_CAP);
    if (bad == 0)
        return CR_OK;
    char problem[96];
    if (bad == 0xFFFFFFFF)
        snprintf(problem, sizeof problem, "is not UTF-8");
    else
        snprintf(problem, sizeof problem,
                 "holds U+%04X, which has no MRZ transliteration (9303 Part 3)", (unsigned)bad);
    return element_error(b, e, value, problem);
}

/* Copies text into width positions, fillers after it; an error naming e
 * when it is longer, or holds a character `allowed` refuses. */
static cr_status put(const builder *b, cr_mrz_element e, const char *text, bool fillers_ok,
                     char *dest, int width)
{
    int length = (int)strlen(text);
    char problem[96];
    if (length > width) {
        snprintf(problem, sizeof problem,
                 "is %d characters in the MRZ (%s); %s has room for %d here", length, text,
                 cr_mrz_format_names[b->mrz->format], width);
        return element_error(b, e, raw_value(b, e), problem);
    }
    for (int i = 0; i < length; i++)
        if (text[i] == '<' && !fillers_ok)
            return element_error(b, e, raw_value(b, e), "must hold only letters A-Z and digits");
    memcpy(dest, text, (size_t)length);
    memset(dest + length, '<', (size_t)(width - length));
    return CR_OK;
}

/* A code of letters (document code, states): no digits. */
static cr_status put_code(const builder *b, cr_mrz_element e, char *dest, int width)
{
    char value[VALUE_CAP];
    cr_status status = read_element(b, e, value);
    if (status != CR_OK)
        return status;
    if (value[0] == '\0' || value[strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZ<")] != '\0')
        return element_error(b, e, raw_value(b, e), "must be letters A-Z (and '<')");
    return put(b, e, value, true, dest, width);
}

static bool leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* YYYY-MM-DD, YYYY.MM.DD or YYYYMMDD, a day of the calendar, as YYMMDD. */
static bool parse_date(const char *text, char yymmdd[7])
{
    int year, month, day, used = 0;
    size_t length = strlen(text);
    char sep = length == 10 ? text[4] : 0;
    if (length == 10 && (sep == '-' || sep == '.') && text[7] == sep) {
        char format[32];
        snprintf(format, sizeof format, "%%4d%c%%2d%c%%2d%%n", sep, sep);
        if (sscanf(text, format, &year, &month, &day, &used) != 3 || used != 10)
            return false;
    } else if (length != 8 || sscanf(text, "%4d%2d%2d%n", &year, &month, &day, &used) != 3 ||
               used != 8) {
        return false;
    }
    if (strspn(text, "0123456789-.") != length || year < 1 || month < 1 || month > 12 || day < 1)
        return false;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (day > days[month - 1] + (month == 2 && leap_year(year)))
        return false;
    const int parts[] = {year % 100, month, day};
    for (int i = 0; i < 3; i++) {
        yymmdd[2 * i] = (char)('0' + parts[i] / 10);
        yymmdd[2 * i + 1] = (char)('0' + parts[i] % 10);
    }
    yymmdd[6] = '\0';
    return true;
}

/* A date at dest, its check digit after it. */
static cr_status put_date(const builder *b, cr_mrz_element e, char *dest)
{
    const char *value = element_value(b, e);
    if (!value)
        return CR_ERR_RECORD;
    char yymmdd[7];
    if (!parse_date(value, yymmdd))
        return element_error(b, e, value, "is not a date (YYYY-MM-DD)");
    memcpy(dest, yymmdd, 6);
    dest[6] = (char)('0' + cr_mrz_check_digit(dest, 6));
    return CR_OK;
}

/* M, F, or X / < / "" (unspecified) as '<'. */
static cr_status put_sex(const builder *b, char *dest)
{
    const char *value = element_value(b, CR_MRZ_SEX);
    if (!value)
        return CR_ERR_RECORD;
    char c = value[0] >= 'a' && value[0] <= 'z' ? (char)(value[0] - 32) : value[0];
    if (value[0] && value[1])
        c = '?';
    if (c == 'M' || c == 'F')
        *dest = c;
    else if (c == 'X' || c == '<' || c == '\0')
        *dest = '<';
    else
        return element_error(b, CR_MRZ_SEX, value, "is not a sex code (M, F or X)");
    return CR_OK;
}

/* Optional data of width positions (fillers allowed), "" as all fillers. */
static cr_status put_optional(const builder *b, cr_mrz_element e, const char *prefix, char *dest,
                              int width)
{
    char value[VALUE_CAP], joined[2 * VALUE_CAP];
    cr_status status = read_element(b, e, value);
    if (status != CR_OK)
        return status;
    snprintf(joined, sizeof joined, "%s%s", prefix, value);
    if (prefix[0] && strlen(joined) > (size_t)width) /* the number's overflow does not fit */
        return element_error(b, CR_MRZ_DOCUMENT_NUMBER, raw_value(b, CR_MRZ_DOCUMENT_NUMBER),
                             "is too long: what overflows into the optional data (with its "
                             "check digit and that data) passes the line's end");
    return put(b, e, joined, true, dest, width);
}

/* The document number at dest (9 positions) and its check digit. A longer
 * number (TD1, TD2: Part 5 and 6, 4.2.2) keeps its first 9 characters
 * there, '<' in the check digit's place, and continues in the optional
 * data, followed by the check digit over the whole number and a filler:
 * *overflow gets that continuation, "" otherwise. */
static cr_status put_document_number(const builder *b, char *dest, char *overflow, size_t cap)
{
    char value[VALUE_CAP];
    cr_status status = read_element(b, CR_MRZ_DOCUMENT_NUMBER, value);
    overflow[0] = '\0';
    if (status != CR_OK)
        return status;
    const char *raw = raw_value(b, CR_MRZ_DOCUMENT_NUMBER);
    if (value[0] == '\0' || value[strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")] != '\0')
        return element_error(b, CR_MRZ_DOCUMENT_NUMBER, raw,
                             "must be letters A-Z and digits, at least one");
    size_t length = strlen(value);
    char digit = (char)('0' + cr_mrz_check_digit(value, length));
    if (length <= 9 || b->mrz->format == CR_MRZ_TD3) {
        status = put(b, CR_MRZ_DOCUMENT_NUMBER, value, false, dest, 9);
        dest[9] = digit;
        return status;
    }
    memcpy(dest, value, 9);
    dest[9] = '<';
    snprintf(overflow, cap, "%s%c<", value + 9, digit);
    return CR_OK;
}

/* ------------------------------------------------------------- names */

/* Components of a name, split at fillers, empty ones dropped. */
typedef struct name_parts {
    char *part[VALUE_CAP / 2];
    size_t count;
} name_parts;

static void split_name(char *text, name_parts *out)
{
    out->count = 0;
    for (char *save = NULL, *token = strtok_r(text, "<", &save); token;
         token = strtok_r(NULL, "<", &save))
        out->part[out->count++] = token;
}

static size_t name_length(const name_parts *primary, const name_parts *secondary)
{
    size_t length = 0;
    for (size_t i = 0; i < primary->count; i++)
        length += strlen(primary->part[i]) + (i ? 1 : 0);
    if (secondary->count)
        length += 2;
    for (size_t i = 0; i < secondary->count; i++)
        length += strlen(secondary->part[i]) + (i ? 1 : 0);
    return length;
}

/* One character off the last component longer than one letter (so names
 * shorten towards initials from the back); false when all are initials. */
static bool shorten_one(name_parts *parts)
{
    for (size_t i = parts->count; i-- > 0;) {
        size_t length = strlen(parts->part[i]);
        if (length > 1) {
            parts->part[i][length - 1] = '\0';
            return true;
        }
    }
    return false;
}

/* 9303 Part 3, 4.6: the secondary identifier's components are cut back
 * from the last towards initials, then dropped from the last; only then
 * the primary identifier's, the same way. A truncated name fills its
 * positions to the last, which is a letter: that tells a reader it was
 * truncated. */
static void truncate_name(name_parts *primary, name_parts *secondary, size_t width)
{
    while (name_length(primary, secondary) > width && shorten_one(secondary))
        ;
    while (name_length(primary, secondary) > width && secondary->count > 0)
        secondary->count--;
    while (name_length(primary, secondary) > width && shorten_one(primary))
        ;
    while (name_length(primary, secondary) > width && primary->count > 1)
        primary->count--;
}

static void join_name(const name_parts *primary, const name_parts *secondary, char *dest, int width)
{
    char text[2 * VALUE_CAP + 4] = "";
    for (size_t i = 0; i < primary->count; i++) {
        strcat(text, i ? "<" : "");
        strcat(text, primary->part[i]);
    }
    strcat(text, secondary->count ? "<<" : "");
    for (size_t i = 0; i < secondary->count; i++) {
        strcat(text, i ? "<" : "");
        strcat(text, secondary->part[i]);
    }
    size_t length = strlen(text);
    if (length > (size_t)width)
        length = (size_t)width; /* one primary component longer than the field */
    memcpy(dest, text, length);
    memset(dest + length, '<', (size_t)width - length);
}

/* A name identifier: letters only once transliterated. */
static cr_status read_name(const builder *b, cr_mrz_element e, char *out)
{
    cr_status status = read_element(b, e, out);
    if (status == CR_OK && out[strspn(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZ<")] != '\0')
        return element_error(b, e, raw_value(b, e),
                             "must be a name: letters, spaces, hyphens and apostrophes");
    return status;
}

static cr_status put_name(const builder *b, char *dest, int width)
{
    char primary_text[VALUE_CAP], secondary_text[VALUE_CAP];
    cr_status status = read_name(b, CR_MRZ_PRIMARY_IDENTIFIER, primary_text);
    if (status == CR_OK)
        status = read_name(b, CR_MRZ_SECONDARY_IDENTIFIER, secondary_text);
    if (status != CR_OK)
        return status;
    name_parts primary, secondary;
    split_name(primary_text, &primary);
    split_name(secondary_text, &secondary);
    if (primary.count == 0)
        return element_error(b, CR_MRZ_PRIMARY_IDENTIFIER, raw_value(b, CR_MRZ_PRIMARY_IDENTIFIER),
                             "has no letters");
    truncate_name(&primary, &secondary, (size_t)width);
    join_name(&primary, &secondary, dest, width);
    return CR_OK;
}

/* --------------------------------------------------------- the formats */

/* Positions 1-2 document code, 3-5 issuing state: the same in all three. */
static cr_status put_header(const builder *b, char *line)
{
    cr_status status = put_code(b, CR_MRZ_DOCUMENT_CODE, line, 2);
    if (status == CR_OK)
        status = put_code(b, CR_MRZ_ISSUING_STATE, line + 2, 3);
    return status;
}

static char digit_char(const char *chars, size_t length)
{
    return (char)('0' + cr_mrz_check_digit(chars, length));
}

/* The composite check digit over the concatenated ranges [start, end)
 * of line. */
static char composite(const char *const lines[], const int ranges[][3], size_t count)
{
    char all[3 * CR_MRZ_MAX_CHARS];
    size_t length = 0;
    for (size_t i = 0; i < count; i++) {
        size_t span = (size_t)(ranges[i][2] - ranges[i][1]);
        memcpy(all + length, lines[ranges[i][0]] + ranges[i][1], span);
        length += span;
    }
    return digit_char(all, length);
}

/* Part 5, 4.2.2: TD1. */
static cr_status build_td1(const builder *b, char *l1, char *l2, char *l3)
{
    char overflow[VALUE_CAP];
    cr_status status = put_header(b, l1);
    if (status == CR_OK)
        status = put_document_number(b, l1 + 5, overflow, sizeof overflow);
    if (status == CR_OK)
        status = put_optional(b, CR_MRZ_OPTIONAL_DATA, overflow, l1 + 15, 15);
    if (status == CR_OK)
        status = put_date(b, CR_MRZ_BIRTH_DATE, l2);
    if (status == CR_OK)
        status = put_sex(b, l2 + 7);
    if (status == CR_OK)
        status = put_date(b, CR_MRZ_EXPIRY_DATE, l2 + 8);
    if (status == CR_OK)
        status = put_code(b, CR_MRZ_NATIONALITY, l2 + 15, 3);
    if (status == CR_OK)
        status = put_optional(b, CR_MRZ_OPTIONAL_DATA_2, "", l2 + 18, 11);
    if (status == CR_OK)
        status = put_name(b, l3, 30);
    /* upper line 6-30, middle line 1-7, 9-15, 19-29 */
    static const int ranges[][3] = {{0, 5, 30}, {1, 0, 7}, {1, 8, 15}, {1, 18, 29}};
    const char *lines[] = {l1, l2};
    l2[29] = composite(lines, ranges, 4);
    return status;
}

/* Part 4 and 6, 4.2.2: TD3 and TD2 share line 2's layout up to the
 * optional data, which is 14 characters and its own check digit (TD3) or
 * 7 (TD2). */
static cr_status build_two_lines(const builder *b, char *l1, char *l2, int length)
{
    char overflow[VALUE_CAP];
    bool td3 = b->mrz->format == CR_MRZ_TD3;
    int optional = td3 ? 14 : 7;
    cr_status status = put_header(b, l1);
    if (status == CR_OK)
        status = put_name(b, l1 + 5, length - 5);
    if (status == CR_OK)
        status = put_document_number(b, l2, overflow, sizeof overflow);
    if (status == CR_OK)
        status = put_code(b, CR_MRZ_NATIONALITY, l2 + 10, 3);
    if (status == CR_OK)
        status = put_date(b, CR_MRZ_BIRTH_DATE, l2 + 13);
    if (status == CR_OK)
        status = put_sex(b, l2 + 20);
    if (status == CR_OK)
        status = put_date(b, CR_MRZ_EXPIRY_DATE, l2 + 21);
    if (status == CR_OK)
        status = put_optional(b, CR_MRZ_OPTIONAL_DATA, overflow, l2 + 28, optional);
    if (status == CR_OK && raw_value(b, CR_MRZ_OPTIONAL_DATA_2)[0])
        return element_error(b, CR_MRZ_OPTIONAL_DATA_2, raw_value(b, CR_MRZ_OPTIONAL_DATA_2),
                             "has no place in a TD2 or TD3 zone (only TD1 has a second optional "
                             "data element)");
    if (td3) { /* 43: the optional data's check digit; '<' over fillers only */
        bool empty = strspn(l2 + 28, "<") >= 14;
        l2[42] = empty ? '<' : digit_char(l2 + 28, 14);
    }
    /* 1-10, 14-20, 22-35 (TD2) or 22-43 (TD3) */
    const int ranges[][3] = {{0, 0, 10}, {0, 13, 20}, {0, 21, length - 1}};
    const char *lines[] = {l2};
    l2[length - 1] = composite(lines, ranges, 3);
    return status;
}

cr_status cr_mrz_build(const cr_template *tpl, const cr_field *field, const cr_record *record,
                       cr_mrz_lines *out, cr_error *err)
{
    memset(out, 0, sizeof *out);
    if (!field || field->type != CR_FIELD_MRZ || !field->mrz)
        return cr_fail(err, CR_ERR_INTERNAL, "cr_mrz_build: not an MRZ field");
    const cr_mrz_field *mrz = field->mrz;
    builder b = {tpl, field, mrz, record, err, out};
    out->count = cr_mrz_line_count(mrz->format);
    out->length = cr_mrz_line_length(mrz->format);
    for (int i = 0; i < out->count; i++)
        memset(out->text[i], '<', (size_t)out->length);
    cr_status status = mrz->format == CR_MRZ_TD1
                           ? build_td1(&b, out->text[0], out->text[1], out->text[2])
                           : build_two_lines(&b, out->text[0], out->text[1], out->length);
    if (status != CR_OK)
        memset(out, 0, sizeof *out);
    return status;
}
