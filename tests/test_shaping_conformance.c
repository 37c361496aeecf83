/* HarfBuzz's own shaping tests for Tibetan and Arabic (the .tests files of
 * ../shared/corpora/harfbuzz, see its README.md) through the engine's text
 * path: a template whose field's only font is the test font (from a
 * manifest written to a temporary folder), cr_layout_text at a size where
 * one pixel is one font unit (itemising, bidi, font choice, shaping,
 * reordering and placement as for a card), then the glyphs put back into
 * HarfBuzz's serialisation (glyph names or ids, clusters as code point
 * indices, offsets and advances in font units, left to right) and compared
 * with the line's expectation.
 *
 * Skipped, each with its reason counted: lines whose font is missing,
 * lines with hb-shape options the engine has no equivalent for, lines that
 * HarfBuzz 6.0.0 (Debian 12, the library the engine uses) fails itself
 * (results-hb-shape-6.0.0-debian12.txt), and text the engine refuses by
 * design (a character the only font lacks, which hb-shape draws as
 * .notdef). Failures are findings about the engine: the ones understood
 * (enum finding) are reported on every run without failing the test; any
 * other fails it. */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <hb.h>
#include <jansson.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include "layout.h"
#include "support.h"
#include "template.h"

#define DEFAULT_CORPUS "../shared/corpora/harfbuzz"
#define REFERENCE_RESULTS "results-hb-shape-6.0.0-debian12.txt"
#define MAX_SERIALISED 16384
#define MAX_REASONS 16
#define MAX_REFERENCE_FAILURES 64
#define FAILURES_SHOWN 15
#define BOX_MM 100000 /* wide enough for any test line at one pixel per font unit */

/* ----------------------------------------------------------- the corpus */

static const char *corpus_dir(void)
{
    const char *env = getenv("CR_HB_CORPUS");
    return env && env[0] ? env : DEFAULT_CORPUS;
}

/* One test line: FONT;OPTIONS;U+XXXX,...;EXPECTED */
typedef struct hb_case {
    const char *file; /* e.g. "tibetan-vowels.tests" */
    unsigned line;
    char font[256]; /* file name inside fonts/ */
    char options[256];
    code_point_text chars;
    char expected[MAX_SERIALISED];
} hb_case;

/* Copies field [start, end) into out; false when it does not fit. */
static bool copy_field(const char *start, const char *end, char *out, size_t size)
{
    size_t n = (size_t)(end - start);
    if (n >= size)
        return false;
    memcpy(out, start, n);
    out[n] = '\0';
    return true;
}

static bool parse_case(const char *line, hb_case *c)
{
    const char *f1 = strchr(line, ';');
    const char *f2 = f1 ? strchr(f1 + 1, ';') : NULL;
    const char *f3 = f2 ? strchr(f2 + 1, ';') : NULL;
    if (!f3)
        return false;
    const char *font = line, *slash = memchr(line, '/', (size_t)(f1 - line));
    while (slash) { /* the file name after the last '/' */
        font = slash + 1;
        slash = memchr(font, '/', (size_t)(f1 - font));
    }
    char unicodes[TEXT_MAX_CHARS * 7 + 1];
    size_t expected_end = strcspn(f3 + 1, "\r\n");
    return copy_field(font, f1, c->font, sizeof c->font) &&
           copy_field(f1 + 1, f2, c->options, sizeof c->options) &&
           copy_field(f2 + 1, f3, unicodes, sizeof unicodes) &&
           code_point_text_parse(&c->chars, unicodes) &&
           copy_field(f3 + 1, f3 + 1 + expected_end, c->expected, sizeof c->expected);
}

/* ------------------------------------------------- HarfBuzz 6.0.0 itself */

/* The lines hb-shape 6.0.0 fails with the test's own font, from
 * "FILE font=as-in-test: ..." headings and "  line N ..." entries. */
typedef struct reference {
    struct {
        char file[64];
        unsigned line;
    } failures[MAX_REFERENCE_FAILURES];
    size_t count;
    bool loaded;
} reference;

static void note_reference_line(const char *text, char *section, size_t size, reference *ref)
{
    unsigned number;
    if (text[0] != ' ') {
        section[0] = '\0';
        if (strstr(text, "font=as-in-test"))
            copy_field(text, text + strcspn(text, " "), section, size);
    } else if (section[0] && sscanf(text, " line %u", &number) == 1 &&
               ref->count < MAX_REFERENCE_FAILURES) {
        snprintf(ref->failures[ref->count].file, sizeof ref->failures[0].file, "%s", section);
        ref->failures[ref->count++].line = number;
    }
}

static void load_reference(const char *dir, reference *ref)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, REFERENCE_RESULTS);
    FILE *file = fopen(path, "r");
    ref->count = 0;
    ref->loaded = file != NULL;
    if (!file)
        return;
    char text[4096], section[64] = "";
    while (fgets(text, sizeof text, file))
        note_reference_line(text, section, sizeof section, ref);
    fclose(file);
}

static bool fails_in_harfbuzz(const reference *ref, const hb_case *c)
{
    for (size_t i = 0; i < ref->count; i++)
        if (ref->failures[i].line == c->line && strcmp(ref->failures[i].file, c->file) == 0)
            return true;
    return false;
}

/* -------------------------------------------------------------- options */

/* What a line's hb-shape options ask for. */
typedef struct shape_options {
    hb_buffer_serialize_flags_t flags;
    const char *direction; /* the field's "direction": auto, ltr or rtl */
} shape_options;

/* --direction=l/r becomes the paragraph direction; whether that gives the
 * same as forcing HarfBuzz's direction is checked after the layout. */
static const char *direction_option(const char *value)
{
    if (!strcmp(value, "l") || !strcmp(value, "ltr"))
        return "ltr";
    if (!strcmp(value, "r") || !strcmp(value, "rtl"))
        return "rtl";
    return NULL;
}

/* false for an option the engine has no equivalent of (named in
 * *unsupported). */
static bool parse_options(const hb_case *c, shape_options *out, char *unsupported, size_t size)
{
    unsigned f = HB_BUFFER_SERIALIZE_FLAG_DEFAULT;
    char options[sizeof c->options];
    snprintf(options, sizeof options, "%s", c->options);
    out->direction = "auto";
    for (char *o = strtok(options, " "); o; o = strtok(NULL, " ")) {
        if (!strcmp(o, "--no-glyph-names"))
            f |= HB_BUFFER_SERIALIZE_FLAG_NO_GLYPH_NAMES;
        else if (!strcmp(o, "--no-positions"))
            f |= HB_BUFFER_SERIALIZE_FLAG_NO_POSITIONS;
        else if (!strcmp(o, "--no-clusters"))
            f |= HB_BUFFER_SERIALIZE_FLAG_NO_CLUSTERS;
        else if (!strcmp(o, "--no-advances"))
            f |= HB_BUFFER_SERIALIZE_FLAG_NO_ADVANCES;
        else if (!strncmp(o, "--direction=", 12) && direction_option(o + 12))
            out->direction = direction_option(o + 12);
        else if (strcmp(o, "--font-funcs=ot") != 0) { /* the engine's funcs */
            snprintf(unsupported, size, "option %s has no template equivalent", o);
            return false;
        }
    }
    out->flags = (hb_buffer_serialize_flags_t)f;
    return true;
}

/* ----------------------------------------------------------- the engine */

typedef struct shaper {
    temp_engine fonts;
    cr_engine *engine;
    hb_buffer_t *buffer;
} shaper;

/* A manifest with one family per font file of the corpus, named after the
 * file, found by absolute path; no fallback chains, so a field's only font
 * really is the test font. NULL when there are no fonts; free() it. */
static char *manifest_of(const char *fonts_dir)
{
    char pattern[1024];
    snprintf(pattern, sizeof pattern, "%s/*.[ot]t[fc]", fonts_dir);
    glob_t found;
    if (glob(pattern, 0, NULL, &found) != 0)
        return NULL;
    json_t *families = json_object();
    for (size_t i = 0; i < found.gl_pathc; i++) {
        const char *name = strrchr(found.gl_pathv[i], '/') + 1;
        json_object_set_new(families, name,
                            json_pack("{s:s, s:s}", "file", found.gl_pathv[i], "package",
                                      "HarfBuzz test corpus (../shared/corpora/harfbuzz)"));
    }
    globfree(&found);
    json_t *manifest =
        json_pack("{s:i, s:o, s:{}}", "version", 1, "families", families, "fallback");
    char *text = manifest ? json_dumps(manifest, JSON_INDENT(1)) : NULL;
    json_decref(manifest);
    return text;
}

static bool shaper_open(shaper *s, const char *corpus)
{
    char fonts_dir[1024];
    snprintf(fonts_dir, sizeof fonts_dir, "%s/fonts", corpus);
    char *absolute = realpath(fonts_dir, NULL);
    char *manifest = absolute ? manifest_of(absolute) : NULL;
    bool opened = manifest && temp_engine_open(&s->fonts, manifest);
    free(manifest);
    free(absolute);
    s->engine = s->fonts.engine;
    s->buffer = hb_buffer_create();
    return opened;
}

static void shaper_close(shaper *s)
{
    temp_engine_close(&s->fonts);
    hb_buffer_destroy(s->buffer);
}

/* The test font as a field's only font, set so that one pixel is one font
 * unit: 72 pt at dpi = upem (the dpi is passed to cr_layout_text). Left
 * aligned in a box no test line fills, so nothing wraps or moves.
 * missing_glyph "notdef" draws what the font lacks as hb-shape does. */
static cr_template *template_for(const shaper *s, const hb_case *c, const char *direction,
                                 const char *missing_glyph, cr_error *err)
{
    char json[1024];
    int n = snprintf(json, sizeof json,
                     "{\"version\": 1, \"card\": {\"width_mm\": 500, \"height_mm\": 500},"
                     " \"fields\": [{\"type\": \"text\", \"name\": \"hb\","
                     " \"box_mm\": [0, 0, %d, 500], \"text\": \"-\", \"font\": \"%s\","
                     " \"size_pt\": 72, \"align\": \"left\", \"direction\": \"%s\","
                     " \"missing_glyph\": \"%s\"}]}",
                     BOX_MM, c->font, direction, missing_glyph);
    return cr_template_load_memory(s->engine, json, (size_t)n, c->file, NULL, err);
}

/* 26.6 at one pixel per font unit back to font units; false if not whole. */
static bool to_font_units(int64_t value, int32_t *out)
{
    *out = (int32_t)(value / 64);
    return value % 64 == 0;
}

/* Puts the layout's glyphs into buffer as hb-shape would have them: left
 * to right (lines, their runs, the runs' glyphs), clusters as code point
 * indices, offsets relative to the pen and y up. */
static bool layout_to_buffer(const hb_case *c, const cr_text_layout *layout, hb_buffer_t *buffer)
{
    hb_buffer_clear_contents(buffer);
    for (size_t l = 0; l < layout->line_count; l++)
        for (size_t r = 0; r < layout->lines[l].run_count; r++) {
            const cr_text_run *run = &layout->runs[layout->lines[l].first_run + r];
            for (size_t g = run->first_glyph; g < run->first_glyph + run->glyph_count; g++)
                hb_buffer_add(
                    buffer, layout->glyphs[g].glyph_id,
                    (unsigned)code_point_text_char_at(&c->chars, layout->glyphs[g].cluster));
        }
    hb_buffer_set_content_type(buffer, HB_BUFFER_CONTENT_TYPE_GLYPHS);
    hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(buffer, NULL);
    bool whole = true;
    size_t k = 0;
    for (size_t l = 0; l < layout->line_count; l++) {
        const cr_text_line *line = &layout->lines[l];
        int64_t pen = line->x;
        for (size_t r = 0; r < line->run_count; r++) {
            const cr_text_run *run = &layout->runs[line->first_run + r];
            for (size_t g = run->first_glyph; g < run->first_glyph + run->glyph_count; g++, k++) {
                const cr_glyph_pos *glyph = &layout->glyphs[g];
                whole &= to_font_units(glyph->x - pen, &pos[k].x_offset);
                whole &= to_font_units((int64_t)line->baseline - glyph->y, &pos[k].y_offset);
                whole &= to_font_units(glyph->advance, &pos[k].x_advance);
                pen += glyph->advance;
            }
        }
    }
    return whole;
}

static void serialise(hb_buffer_t *buffer, hb_font_t *font, hb_buffer_serialize_flags_t flags,
                      char *out, size_t size)
{
    unsigned count = hb_buffer_get_length(buffer), done = 0;
    size_t used = 0;
    out[0] = '\0';
    if (count == 0)
        snprintf(out, size, "[]");
    while (done < count && used + 1 < size) {
        unsigned written = 0;
        unsigned n =
            hb_buffer_serialize_glyphs(buffer, done, count, out + used, (unsigned)(size - used),
                                       &written, font, HB_BUFFER_SERIALIZE_FORMAT_TEXT, flags);
        if (n == 0)
            break;
        done += n;
        used += written;
    }
}

/* The engine's runs, for explaining a mismatch. */
static void describe_runs(const cr_text_layout *layout, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t r = 0; r < layout->run_count && used < size; r++) {
        const cr_text_run *run = &layout->runs[r];
        used += (size_t)snprintf(out + used, size - used, "%s[%u,%u) %s %s level %u %zu glyphs",
                                 r ? "; " : "", (unsigned)run->start, (unsigned)run->end,
                                 run->script, run->lang[0] ? run->lang : "-",
                                 (unsigned)run->bidi_level, run->glyph_count);
    }
}

/* Whether the text is not in NFC but its NFC form is all mapped by the
 * face: HarfBuzz composes before it looks glyphs up, so the font sets it
 * (default ignorables aside: they draw nothing). */
static bool composes_into_font(const hb_case *c, const cr_face *face)
{
    UChar units[TEXT_MAX_CHARS * 2], composed[TEXT_MAX_CHARS * 2];
    UErrorCode status = U_ZERO_ERROR;
    int32_t length = 0;
    u_strFromUTF8(units, TEXT_MAX_CHARS * 2, &length, c->chars.utf8, (int32_t)c->chars.length,
                  &status);
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&status);
    if (U_FAILURE(status) || unorm2_isNormalized(nfc, units, length, &status))
        return false;
    int32_t n = unorm2_normalize(nfc, units, length, composed, TEXT_MAX_CHARS * 2, &status);
    for (int32_t i = 0; U_SUCCESS(status) && i < n;) {
        UChar32 cp;
        U16_NEXT(composed, i, n, cp);
        hb_codepoint_t glyph;
        if (!u_hasBinaryProperty(cp, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) &&
            !hb_font_get_nominal_glyph(face->hb_font, (hb_codepoint_t)cp, &glyph))
            return false;
    }
    return U_SUCCESS(status);
}

/* Whether the engine, as templates have it by default (missing_glyph
 * error), refuses the text or warns of a missing glyph. */
static bool refuses_or_warns(shaper *s, const hb_case *c, const char *direction)
{
    cr_error err;
    cr_text_layout layout;
    cr_template *tpl = template_for(s, c, direction, "error", &err);
    const cr_field *field = tpl ? &tpl->fields[0] : NULL;
    bool refused = !field || cr_layout_text(s->engine, tpl, field, c->chars.utf8,
                                            field->faces[0]->upem, &layout, &err) != CR_OK;
    if (!refused)
        refused = layout.warning_count > 0;
    if (field && !refused)
        cr_text_layout_free(&layout);
    cr_template_destroy(tpl);
    return refused;
}

/* What the engine made of a case. */
typedef struct result {
    enum { RESULT_DONE, RESULT_REFUSED, RESULT_ERROR } kind;
    bool composable;           /* not in NFC; the font maps its NFC form */
    bool composable_refused;   /* such text refused, or warned of */
    bool direction_not_forced; /* some run goes against --direction */
    char got[MAX_SERIALISED];
    char runs[1024];
    char message[1024];
} result;

/* Whether a run goes against the direction asked for ("auto": none does). */
static bool against_direction(const cr_text_layout *layout, const char *direction)
{
    for (size_t i = 0; strcmp(direction, "auto") && i < layout->run_count; i++)
        if ((layout->runs[i].bidi_level & 1) != !strcmp(direction, "rtl"))
            return true;
    return false;
}

static void record_layout(shaper *s, const hb_case *c, const cr_face *face,
                          const shape_options *options, cr_text_layout *layout, result *r)
{
    hb_buffer_serialize_flags_t flags = options->flags;
    r->message[0] = '\0';
    r->direction_not_forced = against_direction(layout, options->direction);
    if (!layout_to_buffer(c, layout, s->buffer))
        snprintf(r->message, sizeof r->message, "positions are not whole font units");
    serialise(s->buffer, face->hb_font, flags, r->got, sizeof r->got);
    describe_runs(layout, r->runs, sizeof r->runs);
    cr_text_layout_free(layout);
}

static void run_engine(shaper *s, const hb_case *c, const shape_options *options, result *r)
{
    cr_error err;
    cr_text_layout layout;
    cr_template *tpl = template_for(s, c, options->direction, "notdef", &err);
    const cr_field *field = tpl ? &tpl->fields[0] : NULL;
    const cr_face *face = field ? field->faces[0] : NULL;
    cr_status status = CR_ERR_INTERNAL;
    if (face)
        status = cr_layout_text(s->engine, tpl, field, c->chars.utf8, face->upem, &layout, &err);
    r->kind = status == CR_OK ? RESULT_DONE : status == CR_ERR_FONT ? RESULT_REFUSED : RESULT_ERROR;
    r->composable = face && composes_into_font(c, face);
    r->composable_refused = r->composable && refuses_or_warns(s, c, options->direction);
    r->got[0] = r->runs[0] = '\0';
    r->direction_not_forced = false;
    if (status == CR_OK)
        record_layout(s, c, face, options, &layout, r);
    else
        snprintf(r->message, sizeof r->message, "%s", err.message);
    cr_template_destroy(tpl);
}

/* ------------------------------------------------------------ findings */

/* Lines the engine sets differently from one hb-shape call, understood.
 * They count as failed and are printed on every run, but do not fail the
 * test; a listed line that passes is printed too, to be taken off. */
enum finding {
    FINDING_NONE = -1,
    /* Text of Common characters only, some of them Arabic punctuation of
     * bidi class AL (U+061B, U+061F): the engine's bidi makes the paragraph
     * right to left and mirrors the brackets, as UAX #9 requires; hb-shape
     * guesses left to right from the script (none). The engine is right. */
    FINDING_BIDI_OF_COMMON_TEXT,
    FINDING_COUNT
};

static const char *const finding_tags[FINDING_COUNT] = {"bidi-of-common-text"};

static const char *const finding_names[FINDING_COUNT] = {
    "Common-only text with AL punctuation: the engine sets it right to left (UAX #9), "
    "hb-shape left to right (no script to guess from)",
};

static const struct {
    const char *file;
    unsigned line;
    enum finding finding;
} listed_findings[] = {
    {"arabic-fallback-shaping.tests", 5, FINDING_BIDI_OF_COMMON_TEXT},
    {"arabic-fallback-shaping.tests", 6, FINDING_BIDI_OF_COMMON_TEXT},
    {"arabic-fallback-shaping.tests", 10, FINDING_BIDI_OF_COMMON_TEXT}, /* once .notdef is drawn */
    {"arabic-fallback-shaping.tests", 11, FINDING_BIDI_OF_COMMON_TEXT},
};

static enum finding finding_for(const hb_case *c, const result *r)
{
    for (size_t i = 0; i < sizeof listed_findings / sizeof listed_findings[0]; i++)
        if (listed_findings[i].line == c->line && !strcmp(listed_findings[i].file, c->file))
            return listed_findings[i].finding;
    return FINDING_NONE;
}

/* --------------------------------------------------------------- tally */

typedef struct tally {
    unsigned passed, failed, skipped;
    unsigned composable;           /* lines not in NFC whose NFC form the font maps */
    unsigned unexplained;          /* failures with no known finding */
    unsigned found[FINDING_COUNT]; /* failures explained by each finding */
    struct {
        char reason[160];
        unsigned count;
    } reasons[MAX_REASONS];
    size_t reason_count;
} tally;

static void skip_case(tally *t, const hb_case *c, const char *reason)
{
    t->skipped++;
    printf("  skip %s:%u: %s\n", c->file, c->line, reason);
    for (size_t i = 0; i < t->reason_count; i++) {
        if (!strcmp(t->reasons[i].reason, reason)) {
            t->reasons[i].count++;
            return;
        }
    }
    if (t->reason_count < MAX_REASONS) {
        snprintf(t->reasons[t->reason_count].reason, sizeof t->reasons[0].reason, "%s", reason);
        t->reasons[t->reason_count++].count = 1;
    }
}

static void report_mismatch(const hb_case *c, const result *r, const char *label)
{
    printf("  %s %s:%u (font %s%s%s)\n", label, c->file, c->line, c->font,
           c->options[0] ? ", " : "", c->options);
    printf("    text:     ");
    for (size_t i = 0; i < c->chars.char_count; i++) {
        size_t at = c->chars.char_start[i];
        UChar32 cp;
        U8_NEXT_UNSAFE((const uint8_t *)c->chars.utf8, at, cp);
        printf("%sU+%04X", i ? "," : "", (unsigned)cp);
    }
    printf("\n    expected: %s\n    got:      %s\n    engine runs: %s\n", c->expected, r->got,
           r->runs);
    if (r->message[0])
        printf("    note: %s\n", r->message);
}

static void check_case(shaper *s, const reference *ref, const hb_case *c, tally *t)
{
    char reason[160], font_path[1024];
    shape_options options;
    snprintf(font_path, sizeof font_path, "%s/fonts/%s", corpus_dir(), c->font);
    const char *skip_reason = NULL;
    if (access(font_path, R_OK) != 0)
        skip_reason = "font not in the corpus";
    else if (!parse_options(c, &options, reason, sizeof reason))
        skip_reason = reason;
    else if (fails_in_harfbuzz(ref, c))
        skip_reason = "HarfBuzz 6.0.0 itself fails it";
    if (skip_reason) {
        skip_case(t, c, skip_reason);
        return;
    }
    static result r; /* large: off the stack */
    run_engine(s, c, &options, &r);
    t->composable += r.composable;
    if (r.composable_refused) { /* font_select must accept what HarfBuzz composes */
        t->failed++;
        t->unexplained++;
        printf("  FAIL %s:%u: decomposed text the font sets composed is refused, or warned of, "
               "with missing_glyph error\n",
               c->file, c->line);
        return;
    }
    if (r.direction_not_forced) {
        skip_case(t, c,
                  "--direction forces letters of the other direction: the engine follows "
                  "their bidi class (only the paragraph direction is set)");
        return;
    }
    if (r.kind == RESULT_REFUSED) {
        skip_case(t, c,
                  "the font lacks a character hb-shape draws as .notdef (the engine "
                  "refuses it: missing_glyph notdef not in effect)");
        printf("    %s\n", r.message);
        return;
    }
    enum finding finding = finding_for(c, &r);
    if (r.kind == RESULT_DONE && !r.message[0] && !strcmp(r.got, c->expected)) {
        t->passed++;
        if (finding != FINDING_NONE)
            printf("  now passes, take off listed_findings: %s:%u\n", c->file, c->line);
        return;
    }
    t->failed++;
    if (finding != FINDING_NONE) {
        t->found[finding]++;
        printf("  FAIL %s:%u: known finding %s\n", c->file, c->line, finding_tags[finding]);
        if (r.kind != RESULT_DONE)
            printf("    %s\n", r.message);
    } else if (t->unexplained++ < FAILURES_SHOWN) {
        report_mismatch(c, &r, r.kind == RESULT_DONE ? "FAIL" : "ERROR");
    }
}

static void run_file(shaper *s, const reference *ref, const char *path, tally *t)
{
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    static hb_case c;
    c.file = strrchr(path, '/') + 1;
    char *text = NULL;
    size_t capacity = 0;
    unsigned number = 0;
    while (getline(&text, &capacity, file) > 0) {
        c.line = ++number;
        if (text[0] == '#' || text[0] == '@' || text[strspn(text, " \t\r\n")] == '\0')
            continue;
        if (!parse_case(text, &c))
            skip_case(t, &c, "line not understood");
        else
            check_case(s, ref, &c, t);
    }
    free(text);
    fclose(file);
}

static void print_summary(const tally *t)
{
    printf("shaping conformance: %u passed, %u failed, %u skipped (", t->passed, t->failed,
           t->skipped);
    for (size_t i = 0; i < t->reason_count; i++)
        printf("%s%u: %s", i ? "; " : "", t->reasons[i].count, t->reasons[i].reason);
    printf(")\n");
    for (int f = 0; f < FINDING_COUNT; f++)
        if (t->found[f])
            printf("  failed, known finding %s: %u: %s\n", finding_tags[f], t->found[f],
                   finding_names[f]);
    printf("  failed, unexplained: %u\n", t->unexplained);
    printf("  text not in NFC whose NFC form the font maps (U+0627 U+0653, the font's U+0622): "
           "%u lines, each also set with missing_glyph error and no warning, or failed above\n",
           t->composable);
}

/* ----------------------------------------------------------------- test */

static void test_harfbuzz_tibetan_and_arabic(void **state)
{
    char pattern[1024];
    if (!test_data_present(corpus_dir(), "run from the project root with ../shared beside the "
                                         "checkout; or set CR_HB_CORPUS"))
        skip();
    reference ref;
    load_reference(corpus_dir(), &ref);
    if (!ref.loaded)
        printf("shaping conformance: no %s: lines HarfBuzz fails are not told apart\n",
               REFERENCE_RESULTS);
    shaper s = {.engine = NULL};
    assert_true(shaper_open(&s, corpus_dir()));
    tally t = {.passed = 0};
    const char *const families[] = {"tibetan-*.tests", "arabic-*.tests"};
    for (size_t f = 0; f < 2; f++) {
        snprintf(pattern, sizeof pattern, "%s/tests/%s", corpus_dir(), families[f]);
        glob_t found;
        if (glob(pattern, 0, NULL, &found) != 0)
            continue;
        for (size_t i = 0; i < found.gl_pathc; i++)
            run_file(&s, &ref, found.gl_pathv[i], &t);
        globfree(&found);
    }
    shaper_close(&s);
    print_summary(&t);
    assert_true(t.passed > 0);
    assert_true(t.composable > 0); /* arabic-normalization.tests has such lines */
    assert_int_equal(t.unexplained, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_harfbuzz_tibetan_and_arabic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
