#include "font_select.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/unorm2.h>
#include <unicode/utf16.h>

#include "engine.h"

/* ---------------------------------------------------------- candidates */

#define MAX_CANDIDATES 32

/* The faces tried, in order, for one script. The manifest's chains are
 * loaded only when the field's own faces fail (loading looks for files). */
typedef struct candidate_list {
    UScriptCode script;
    cr_face *faces[MAX_CANDIDATES];
    size_t count;
    bool chained;    /* the fallback chains have been added */
    char tried[600]; /* family names for messages */
} candidate_list;

typedef struct selector {
    cr_text_analysis *a;   /* the text and its scripts; receives the warnings */
    candidate_list *lists; /* one per script met so far */
    size_t list_count;
} selector;

static void note_tried(candidate_list *list, const char *family, const char *why)
{
    size_t used = strlen(list->tried);
    if (used < sizeof list->tried)
        snprintf(list->tried + used, sizeof list->tried - used, "%s\"%s\"%s", used ? ", " : "",
                 family, why);
}

static void add_face(candidate_list *list, cr_face *face)
{
    for (size_t i = 0; i < list->count; i++)
        if (list->faces[i] == face)
            return;
    if (list->count < MAX_CANDIDATES) {
        list->faces[list->count++] = face;
        note_tried(list, face->family, "");
    }
}

/* A fallback family that cannot be loaded is skipped: another may cover
 * the text, and the message names it if none does. */
static void add_family(const selector *sel, candidate_list *list, const char *family)
{
    cr_error ignored;
    const char *dir = sel->a->tpl ? sel->a->tpl->dir : NULL;
    cr_face *face = cr_font_library_get(sel->a->engine->fonts, family, dir, &ignored);
    if (face)
        add_face(list, face);
    else
        note_tried(list, family, " (not available)");
}

static void add_chain(const selector *sel, candidate_list *list, const char *script)
{
    size_t count = 0;
    const char *const *families =
        cr_font_manifest_fallback(sel->a->engine->manifest, script, &count);
    for (size_t i = 0; i < count; i++)
        add_family(sel, list, families[i]);
}

static void fill_candidates(const selector *sel, candidate_list *list, UScriptCode script)
{
    memset(list, 0, sizeof *list);
    list->script = script;
    for (size_t i = 0; i < sel->a->field->font_count; i++)
        if (sel->a->field->faces && sel->a->field->faces[i])
            add_face(list, sel->a->field->faces[i]);
}

/* Adds the script's fallback chain, then the default one; false when
 * there was nothing left to add. */
static bool add_chains(const selector *sel, candidate_list *list)
{
    if (list->chained)
        return false;
    add_chain(sel, list, uscript_getShortName(list->script));
    add_chain(sel, list, "default");
    list->chained = true;
    return true;
}

/* The candidates for a script; the pointer is valid until the next call. */
static candidate_list *candidates_for(selector *sel, UScriptCode script)
{
    for (size_t i = 0; i < sel->list_count; i++)
        if (sel->lists[i].script == script)
            return &sel->lists[i];
    candidate_list *lists = realloc(sel->lists, (sel->list_count + 1) * sizeof *lists);
    if (!lists)
        return NULL;
    sel->lists = lists;
    fill_candidates(sel, &lists[sel->list_count], script);
    return &lists[sel->list_count++];
}

/* ------------------------------------------------------------ coverage */

typedef struct cluster {
    uint32_t start, end;
    cr_face *face;
} cluster;

/* Code points a face must map: default-ignorables (ZWJ, variation
 * selectors, FVS, bidi controls) and controls are drawn as nothing. */
static bool needs_glyph(uint32_t cp)
{
    return !u_hasBinaryProperty((UChar32)cp, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) &&
           u_charType((UChar32)cp) != U_CONTROL_CHAR;
}

static bool maps_code_points(const cr_face *face, const UChar *units, int32_t length)
{
    for (int32_t i = 0; i < length;) {
        UChar32 cp;
        U16_NEXT(units, i, length, cp);
        if (needs_glyph((uint32_t)cp) && !cr_face_has_codepoint(face, (uint32_t)cp))
            return false;
    }
    return true;
}

/* CJK compatibility ideographs (U+F900-FAFF, U+2F800-2FA1F) decompose to a
 * unified ideograph, but a name registry holds them as characters of their
 * own: a face that has only the unified twin must not draw them. */
static bool is_compatibility_ideograph(UChar32 cp)
{
    return (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

static bool has_compatibility_ideograph(const UChar *units, int32_t length)
{
    for (int32_t i = 0; i < length;) {
        UChar32 cp;
        U16_NEXT(units, i, length, cp);
        if (is_compatibility_ideograph(cp))
            return true;
    }
    return false;
}

/* Whether the face maps the cluster's NFC form, when that differs. HarfBuzz
 * composes a base and its marks for a face with the composed character
 * (U+0627 U+0653 to U+0622, U+064A U+0654 to the Uyghur U+0626), so such a
 * face sets decomposed text it has no marks for. A compatibility ideograph
 * is never taken for its NFC twin. */
static bool maps_composed(const cr_face *face, const UChar *units, int32_t length)
{
    if (has_compatibility_ideograph(units, length))
        return false;
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&status);
    if (U_FAILURE(status) || unorm2_isNormalized(nfc, units, length, &status) || U_FAILURE(status))
        return false;
    int32_t capacity = 3 * length + 1; /* NFC grows text by at most 3 times */
    UChar *composed = malloc((size_t)capacity * sizeof *composed);
    int32_t n = composed ? unorm2_normalize(nfc, units, length, composed, capacity, &status) : 0;
    bool mapped = composed && U_SUCCESS(status) && maps_code_points(face, composed, n);
    free(composed);
    return mapped;
}

/* Whether the face sets the cluster: it maps each of its code points, or
 * those of its composed form. */
static bool face_covers(const selector *sel, const cr_face *face, const cluster *c)
{
    const cr_text16 *t = &sel->a->t16;
    const UChar *units = t->units + t->unit_of_byte[c->start];
    int32_t length = t->unit_of_byte[c->end] - t->unit_of_byte[c->start];
    return maps_code_points(face, units, length) || maps_composed(face, units, length);
}

static bool all_match(const char *text, const cluster *c, bool (*test)(uint32_t))
{
    size_t offset = c->start;
    while (offset < c->end)
        if (!test(cr_utf8_next(text, c->end, &offset)))
            return false;
    return true;
}

static bool any_match(const char *text, const cluster *c, bool (*test)(uint32_t))
{
    size_t offset = c->start;
    while (offset < c->end)
        if (test(cr_utf8_next(text, c->end, &offset)))
            return true;
    return false;
}

static bool is_ignorable(uint32_t cp)
{
    return !needs_glyph(cp);
}

static bool is_white_space(uint32_t cp)
{
    return u_isUWhiteSpace((UChar32)cp);
}

/* Letters and the controls that shape with them (NNBSP, MVS, FVS). */
static bool is_mongolian(uint32_t cp)
{
    return uscript_hasScript((UChar32)cp, USCRIPT_MONGOLIAN);
}

/* The first candidate that maps the cluster, loading the chains if the
 * field's faces do not. */
static cr_face *first_covering(const selector *sel, candidate_list *list, const cluster *c)
{
    do {
        for (size_t i = 0; i < list->count; i++)
            if (face_covers(sel, list->faces[i], c))
                return list->faces[i];
    } while (add_chains(sel, list));
    return NULL;
}

/* The first code point no candidate maps, or the cluster's first one when
 * each is mapped by some face but no face maps them all. */
static uint32_t missing_codepoint(const candidate_list *list, const char *text, const cluster *c)
{
    size_t offset = c->start;
    uint32_t first = 0;
    while (offset < c->end) {
        uint32_t cp = cr_utf8_next(text, c->end, &offset);
        if (!needs_glyph(cp))
            continue;
        if (!first)
            first = cp;
        bool mapped = false;
        for (size_t i = 0; i < list->count && !mapped; i++)
            mapped = cr_face_has_codepoint(list->faces[i], cp);
        if (!mapped)
            return cp;
    }
    return first;
}

#define BRING_A_FONT                                                                               \
    "a font that has it can be added to the manifest (README, \"Rare and private-use "             \
    "characters\")"

static cr_status no_font_error(const selector *sel, const candidate_list *list, const cluster *c,
                               cr_error *err)
{
    uint32_t cp = missing_codepoint(list, sel->a->text, c);
    return cr_error_set(err, CR_ERR_FONT, cr_field_location(sel->a->tpl, sel->a->field),
                        "no font covers U+%04X (%s, byte %u of the text); tried %s; " BRING_A_FONT,
                        (unsigned)cp, cr_block_name(cp).text, (unsigned)c->start,
                        list->count || list->tried[0] ? list->tried : "no fonts");
}

static cr_status out_of_memory(cr_error *err)
{
    return cr_fail(err, CR_ERR_NOMEM, "out of memory choosing fonts");
}

/* The face a cluster no face covers is drawn with: the field's first one,
 * so the .notdef box has the field's look; the first candidate when the
 * field names none that loaded. */
static cr_face *notdef_face(const selector *sel, const candidate_list *list)
{
    if (sel->a->field->font_count > 0 && sel->a->field->faces && sel->a->field->faces[0])
        return sel->a->field->faces[0];
    return list->count ? list->faces[0] : NULL;
}

/* "missing_glyph": "notdef": the cluster is drawn as .notdef with a
 * warning instead of failing the card. */
static cr_status draw_as_notdef(selector *sel, const candidate_list *list, cluster *c,
                                cr_error *err)
{
    c->face = notdef_face(sel, list);
    if (!c->face)
        return no_font_error(sel, list, c, err);
    cr_text_warning *warnings =
        realloc(sel->a->warnings, (sel->a->warning_count + 1) * sizeof *sel->a->warnings);
    if (!warnings)
        return out_of_memory(err);
    sel->a->warnings = warnings;
    warnings[sel->a->warning_count].code = CR_ERR_FONT;
    uint32_t cp = missing_codepoint(list, sel->a->text, c);
    snprintf(warnings[sel->a->warning_count++].message, sizeof warnings->message,
             "no font covers U+%04X (%s, byte %u of the text), drawn as .notdef; tried %s",
             (unsigned)cp, cr_block_name(cp).text, (unsigned)c->start, list->tried);
    return CR_OK;
}

static bool is_private_use(uint32_t cp)
{
    return u_charType((UChar32)cp) == U_PRIVATE_USE_CHAR;
}

static uint32_t first_private_use(const char *text, const cluster *c)
{
    size_t offset = c->start;
    while (offset < c->end) {
        uint32_t cp = cr_utf8_next(text, c->end, &offset);
        if (is_private_use(cp))
            return cp;
    }
    return 0;
}

/* A private-use character means only what the font made for it says: it
 * is drawn by the family the manifest's "private_use" names for it, never
 * by a fallback (another font's glyph at that code point is another
 * character), and is refused when there is none. */
static cr_status choose_private_use(selector *sel, cluster *c, uint32_t cp, cr_error *err)
{
    const char *family = cr_font_manifest_private_use_family(sel->a->engine->manifest, cp);
    cr_location where = cr_field_location(sel->a->tpl, sel->a->field);
    if (!family)
        return cr_error_set(err, CR_ERR_FONT, where,
                            "U+%04X (byte %u of the text) is a private-use character and no font "
                            "serves it: name the font made for it in the manifest's "
                            "\"private_use\" (README, \"Rare and private-use characters\")",
                            (unsigned)cp, (unsigned)c->start);
    cr_error cause;
    const char *dir = sel->a->tpl ? sel->a->tpl->dir : NULL;
    cr_face *face = cr_font_library_get(sel->a->engine->fonts, family, dir, &cause);
    if (!face)
        return cr_error_set(err, CR_ERR_FONT, where, "U+%04X (byte %u of the text): %s",
                            (unsigned)cp, (unsigned)c->start, cause.message);
    if (!face_covers(sel, face, c))
        return cr_error_set(err, CR_ERR_FONT, where,
                            "U+%04X (byte %u of the text) is a private-use character served by "
                            "\"%s\", which has no glyph for it",
                            (unsigned)cp, (unsigned)c->start, family);
    c->face = face;
    return CR_OK;
}

/* An ideographic variation sequence in the cluster: its base and selector
 * (U+E0100-E01EF), or false. */
static bool variation_sequence(const char *text, const cluster *c, uint32_t *base, uint32_t *vs)
{
    size_t offset = c->start;
    uint32_t previous = 0;
    while (offset < c->end) {
        uint32_t cp = cr_utf8_next(text, c->end, &offset);
        if (cp >= 0xE0100 && cp <= 0xE01EF && previous) {
            *base = previous;
            *vs = cp;
            return true;
        }
        previous = cp;
    }
    return false;
}

static bool has_variant(const cr_face *face, uint32_t base, uint32_t vs)
{
    hb_codepoint_t glyph;
    return face && hb_font_get_variation_glyph(face->hb_font, base, vs, &glyph);
}

static cr_status warn_no_variant(selector *sel, const cluster *c, uint32_t base, uint32_t vs,
                                 cr_error *err)
{
    cr_text_warning *warnings =
        realloc(sel->a->warnings, (sel->a->warning_count + 1) * sizeof *sel->a->warnings);
    if (!warnings)
        return out_of_memory(err);
    sel->a->warnings = warnings;
    cr_text_warning *w = &warnings[sel->a->warning_count++];
    w->code = CR_ERR_FONT;
    snprintf(w->message, sizeof w->message,
             "no font has the variation sequence U+%04X U+%04X (byte %u of the text): drawn as "
             "the plain U+%04X from \"%s\"",
             (unsigned)base, (unsigned)vs, (unsigned)c->start, (unsigned)base,
             c->face ? c->face->family : "?");
    return CR_OK;
}

/* A registry's ideographic variation sequence names the exact shape: the
 * first candidate whose cmap (format 14) has the variant draws it; when
 * none has, the cluster keeps the face chosen for its base, with a warning. */
static cr_status choose_variant(selector *sel, candidate_list *list, cluster *c, cr_error *err)
{
    uint32_t base, vs;
    if (!c->face || !variation_sequence(sel->a->text, c, &base, &vs) ||
        has_variant(c->face, base, vs))
        return CR_OK;
    do {
        for (size_t i = 0; i < list->count; i++)
            if (has_variant(list->faces[i], base, vs) && face_covers(sel, list->faces[i], c)) {
                c->face = list->faces[i];
                return CR_OK;
            }
    } while (add_chains(sel, list));
    return warn_no_variant(sel, c, base, vs, err);
}

/* One cluster: `preferred` (may be NULL) first, then the candidates. */
static cr_status choose_for_cluster(selector *sel, cluster *c, cr_face *preferred, cr_error *err)
{
    if (all_match(sel->a->text, c, is_ignorable)) {
        c->face = NULL; /* takes a neighbour's face later */
        return CR_OK;
    }
    uint32_t private_use = first_private_use(sel->a->text, c);
    if (private_use)
        return choose_private_use(sel, c, private_use, err);
    candidate_list *list = candidates_for(sel, sel->a->scripts[c->start]);
    if (!list)
        return out_of_memory(err);
    if (preferred && face_covers(sel, preferred, c))
        c->face = preferred;
    else
        c->face = first_covering(sel, list, c);
    if (c->face)
        return choose_variant(sel, list, c, err);
    if (sel->a->field->missing_glyph == CR_MISSING_NOTDEF)
        return draw_as_notdef(sel, list, c, err);
    return no_font_error(sel, list, c, err);
}

static bool covers_mongolian(const selector *sel, const cr_face *face, const cluster *clusters,
                             size_t first, size_t end)
{
    for (size_t k = first; k < end; k++)
        if (any_match(sel->a->text, &clusters[k], is_mongolian) &&
            !face_covers(sel, face, &clusters[k]))
            return false;
    return true;
}

/* The first candidate that covers every Mongolian cluster of [first, end). */
static cr_face *face_for_mongolian_run(selector *sel, const cluster *clusters, size_t first,
                                       size_t end)
{
    candidate_list *list = candidates_for(sel, USCRIPT_MONGOLIAN);
    if (!list)
        return NULL;
    do {
        for (size_t i = 0; i < list->count; i++)
            if (covers_mongolian(sel, list->faces[i], clusters, first, end))
                return list->faces[i];
    } while (add_chains(sel, list));
    return NULL;
}

/* A Mongolian run: one face for all its Mongolian clusters (so NNBSP, MVS
 * and FVS shape with their letters); other clusters in it (digits, Han)
 * try that face first. Without such a face, fall back per cluster. */
static cr_status choose_for_mongolian(selector *sel, cluster *clusters, size_t first, size_t end,
                                      cr_error *err)
{
    cr_face *run_face = face_for_mongolian_run(sel, clusters, first, end);
    for (size_t k = first; k < end; k++) {
        cr_status status = choose_for_cluster(sel, &clusters[k], run_face, err);
        if (status != CR_OK)
            return status;
    }
    return CR_OK;
}

/* --------------------------------------------------------------- steps */

static cluster *grapheme_clusters(const cr_text_analysis *a, size_t *count)
{
    uint32_t *bounds = cr_grapheme_boundaries(a->engine ? a->engine->breaks : NULL, &a->t16, count);
    cluster *clusters = bounds ? malloc((*count + 1) * sizeof *clusters) : NULL;
    for (size_t k = 0; clusters && k < *count; k++)
        clusters[k] = (cluster){bounds[k], bounds[k + 1], NULL};
    free(bounds);
    return clusters;
}

static size_t mongolian_run_end(const selector *sel, const cluster *clusters, size_t first,
                                size_t count)
{
    size_t end = first;
    while (end < count && sel->a->scripts[clusters[end].start] == USCRIPT_MONGOLIAN)
        end++;
    return end;
}

static cr_status choose_all(selector *sel, cluster *clusters, size_t count, cr_error *err)
{
    for (size_t k = 0; k < count;) {
        cr_status status;
        if (sel->a->scripts[clusters[k].start] == USCRIPT_MONGOLIAN) {
            size_t end = mongolian_run_end(sel, clusters, k, count);
            status = choose_for_mongolian(sel, clusters, k, end, err);
            k = end;
        } else {
            cr_face *before = k > 0 ? clusters[k - 1].face : NULL;
            bool space = all_match(sel->a->text, &clusters[k], is_white_space);
            status = choose_for_cluster(sel, &clusters[k], space ? before : NULL, err);
            k++;
        }
        if (status != CR_OK)
            return status;
    }
    return CR_OK;
}

/* Clusters that draw nothing take the face before them (after them at the
 * start), so they do not split a run. */
static cr_status fill_neighbours(selector *sel, cluster *clusters, size_t count, cr_error *err)
{
    cr_face *last = NULL;
    for (size_t k = 0; k < count; k++)
        clusters[k].face = clusters[k].face ? (last = clusters[k].face) : last;
    for (size_t k = count; k-- > 0;)
        clusters[k].face = clusters[k].face ? (last = clusters[k].face) : last;
    if (count == 0 || clusters[0].face)
        return CR_OK;
    /* Nothing but ignorables: any face will do. */
    candidate_list *list = candidates_for(sel, sel->a->scripts[0]);
    if (!list)
        return out_of_memory(err);
    if (list->count == 0)
        add_chains(sel, list);
    if (list->count == 0)
        return no_font_error(sel, list, &clusters[0], err);
    for (size_t k = 0; k < count; k++)
        clusters[k].face = list->faces[0];
    return CR_OK;
}

cr_status cr_select_fonts(cr_text_analysis *a, cr_error *err)
{
    selector sel = {a, NULL, 0};
    size_t count = 0;
    cluster *clusters = grapheme_clusters(a, &count);
    if (!clusters)
        return out_of_memory(err);
    cr_status status = choose_all(&sel, clusters, count, err);
    if (status == CR_OK)
        status = fill_neighbours(&sel, clusters, count, err);
    for (size_t k = 0; status == CR_OK && k < count; k++)
        for (uint32_t b = clusters[k].start; b < clusters[k].end; b++)
            a->faces[b] = clusters[k].face;
    free(clusters);
    free(sel.lists);
    if (status != CR_OK) {
        free(a->warnings);
        a->warnings = NULL;
        a->warning_count = 0;
    }
    return status;
}
