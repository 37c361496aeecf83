#include "itemize.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>

#include "array.h"
#include "error.h"

static UBiDi *bidi_of(const UChar *units, int32_t length, UBiDiLevel base, UErrorCode *status)
{
    UBiDi *bidi = ubidi_openSized(length, 0, status);
    if (U_SUCCESS(*status))
        ubidi_setPara(bidi, units, length, base, NULL, status);
    return bidi;
}

/* ICU skips resolving levels in text whose character classes it takes for
 * one direction (no right-to-left letters or embeddings, nor Arabic digits
 * beside neutrals; or nothing left to right): every character then reads
 * its paragraph's level, though an Arabic-Indic digit in a left-to-right
 * paragraph resolves to 2, and so does text between LRE and PDF. With one
 * more paragraph that holds both directions, ICU resolves every level;
 * paragraphs are resolved apart, so the text's own levels come out as
 * UAX #9 has them. */
static void resolve_levels_fully(const cr_text16 *t, UBiDiLevel base, uint8_t *unit_levels,
                                 UErrorCode *status)
{
    static const UChar both_directions[] = {0x2029, 'a', 0x05D0};
    int32_t extra = (int32_t)(sizeof both_directions / sizeof both_directions[0]);
    UChar *units = malloc(((size_t)t->length + (size_t)extra) * sizeof *units);
    if (!units) {
        *status = U_MEMORY_ALLOCATION_ERROR;
        return;
    }
    memcpy(units, t->units, (size_t)t->length * sizeof *units);
    memcpy(units + t->length, both_directions, sizeof both_directions);
    UBiDi *bidi = bidi_of(units, t->length + extra, base, status);
    const UBiDiLevel *levels = U_SUCCESS(*status) ? ubidi_getLevels(bidi, status) : NULL;
    if (levels)
        memcpy(unit_levels, levels, (size_t)t->length);
    ubidi_close(bidi);
    free(units);
}

UBiDi *cr_itemize_bidi(const cr_text16 *t, size_t length, cr_direction direction, uint8_t *levels,
                       cr_error *err)
{
    UErrorCode status = U_ZERO_ERROR;
    UBiDiLevel base = direction == CR_DIR_RTL ? 1 : direction == CR_DIR_LTR ? 0 : UBIDI_DEFAULT_LTR;
    UBiDi *bidi = bidi_of(t->units, t->length, base, &status);
    uint8_t *unit_levels = malloc((size_t)t->length + 1);
    if (!unit_levels)
        status = U_MEMORY_ALLOCATION_ERROR;
    const UBiDiLevel *resolved = NULL;
    if (U_SUCCESS(status) && ubidi_getDirection(bidi) == UBIDI_MIXED)
        resolved = ubidi_getLevels(bidi, &status);
    if (resolved)
        memcpy(unit_levels, resolved, (size_t)t->length);
    else if (U_SUCCESS(status))
        resolve_levels_fully(t, base, unit_levels, &status);
    for (size_t i = 0; U_SUCCESS(status) && i < length; i++)
        levels[i] = unit_levels[t->unit_of_byte[i]];
    free(unit_levels);
    if (U_FAILURE(status)) {
        ubidi_close(bidi);
        cr_fail(err, CR_ERR_INTERNAL, "ICU bidi analysis failed: %s", u_errorName(status));
        return NULL;
    }
    return bidi;
}

/* ------------------------------------------------------------- scripts */

/* Marks a closing bracket whose opening bracket started the text before any
 * strong script: it ends up with the text's first strong script. */
#define SCRIPT_FIRST_STRONG ((UScriptCode)(USCRIPT_INVALID_CODE - 1))

/* Characters with no script of their own: they join a neighbouring run. */
static bool is_neutral_script(UScriptCode script)
{
    return script == USCRIPT_COMMON || script == USCRIPT_INHERITED || script == USCRIPT_UNKNOWN;
}

typedef struct bracket_stack {
    struct {
        UChar32 closing;
        UScriptCode script;
    } entries[64];
    int depth;
} bracket_stack;

static void push_bracket(bracket_stack *stack, UChar32 opening, UScriptCode script)
{
    if (stack->depth < (int)(sizeof stack->entries / sizeof stack->entries[0])) {
        stack->entries[stack->depth].closing = u_getBidiPairedBracket(opening);
        stack->entries[stack->depth].script = script;
        stack->depth++;
    }
}

/* The script of the matching opening bracket (popping it and anything
 * opened after it), or USCRIPT_INVALID_CODE when it has none. */
static UScriptCode pop_bracket(bracket_stack *stack, UChar32 closing)
{
    for (int i = stack->depth - 1; i >= 0; i--) {
        if (stack->entries[i].closing == closing) {
            stack->depth = i;
            UScriptCode script = stack->entries[i].script;
            return script == USCRIPT_INVALID_CODE ? SCRIPT_FIRST_STRONG : script;
        }
    }
    return USCRIPT_INVALID_CODE;
}

/* One character's script given the script of the run so far (`current`,
 * USCRIPT_INVALID_CODE before the first strong character). */
static UScriptCode resolve_script(UChar32 cp, UScriptCode current, bracket_stack *stack)
{
    UErrorCode status = U_ZERO_ERROR;
    int bracket = u_getIntPropertyValue(cp, UCHAR_BIDI_PAIRED_BRACKET_TYPE);
    if (bracket == U_BPT_CLOSE) {
        UScriptCode opener = pop_bracket(stack, cp);
        if (opener != USCRIPT_INVALID_CODE)
            return opener;
    }
    UScriptCode script;
    /* Script extensions keep e.g. U+3001 in a Han run, U+060C in an Arabic
     * one and U+202F in a Mongolian one. */
    if (current != USCRIPT_INVALID_CODE && uscript_hasScript(cp, current)) {
        script = current;
    } else {
        script = uscript_getScript(cp, &status);
        if (U_FAILURE(status) || is_neutral_script(script))
            script = current;
    }
    if (bracket == U_BPT_OPEN)
        push_bracket(stack, cp, script);
    return script;
}

/* Leading neutral characters take the first strong script; text with none
 * at all is Common. */
static void resolve_leading(const char *text, size_t length, UScriptCode *scripts)
{
    UScriptCode first = USCRIPT_COMMON;
    for (size_t i = 0; i < length; i++) {
        if (scripts[i] != USCRIPT_INVALID_CODE && scripts[i] != SCRIPT_FIRST_STRONG) {
            first = scripts[i];
            break;
        }
    }
    for (size_t i = 0; i < length; i++)
        if (scripts[i] == USCRIPT_INVALID_CODE || scripts[i] == SCRIPT_FIRST_STRONG)
            scripts[i] = first;
}

void cr_itemize_scripts(const char *text, size_t length, UScriptCode *scripts)
{
    bracket_stack stack = {.depth = 0};
    UScriptCode current = USCRIPT_INVALID_CODE;
    size_t offset = 0;
    while (offset < length) {
        size_t start = offset;
        UChar32 cp = (UChar32)cr_utf8_next(text, length, &offset);
        UScriptCode script = resolve_script(cp, current, &stack);
        if (script != SCRIPT_FIRST_STRONG && script != USCRIPT_INVALID_CODE)
            current = script;
        for (size_t b = start; b < offset; b++)
            scripts[b] = script;
    }
    resolve_leading(text, length, scripts);
}

/* --------------------------------------------------------------- runs */

typedef struct item_list {
    cr_item *items;
    size_t count, capacity;
} item_list;

static bool append_item(item_list *list, const cr_item *item)
{
    if (!cr_reserve((void **)&list->items, &list->capacity, list->count + 1, sizeof *list->items))
        return false;
    list->items[list->count++] = *item;
    return true;
}

/* The paragraph's byte range without its terminating characters. */
static void paragraph_bounds(const char *text, const cr_text16 *t, UBiDi *bidi, int32_t index,
                             uint32_t *start, uint32_t *end)
{
    UErrorCode status = U_ZERO_ERROR;
    int32_t start16 = 0, limit16 = t->length;
    ubidi_getParagraphByIndex(bidi, index, &start16, &limit16, NULL, &status);
    *start = t->byte_of_unit[start16];
    *end = t->byte_of_unit[limit16];
    while (*end > *start) {
        size_t prev = cr_utf8_prev(text, *end);
        size_t at = prev;
        if (!cr_is_line_terminator(cr_utf8_next(text, *end, &at)))
            break;
        *end = (uint32_t)prev;
    }
}

static bool same_item(const cr_item *item, uint32_t byte, const uint8_t *levels,
                      const UScriptCode *scripts, cr_face *const *faces)
{
    return item->level == levels[byte] && item->script == scripts[byte] &&
           item->face == faces[byte];
}

/* Adds the items of one paragraph's bytes [start, end). */
static bool itemize_paragraph(const char *text, uint32_t start, uint32_t end, const uint8_t *levels,
                              const UScriptCode *scripts, cr_face *const *faces, item_list *list)
{
    cr_item item = {.end = 0};
    bool open = false;
    size_t offset = start;
    while (offset < end) {
        uint32_t at = (uint32_t)offset;
        uint32_t cp = cr_utf8_next(text, end, &offset);
        if (cr_is_line_terminator(cp) || (open && !same_item(&item, at, levels, scripts, faces))) {
            if (open && !append_item(list, &item))
                return false;
            open = false;
        }
        if (cr_is_line_terminator(cp))
            continue;
        if (!open) {
            item = (cr_item){.start = at,
                             .para_start = start,
                             .para_end = end,
                             .level = levels[at],
                             .script = scripts[at],
                             .face = faces[at]};
            open = true;
        }
        item.end = (uint32_t)offset;
    }
    return !open || append_item(list, &item);
}

cr_status cr_itemize_runs(const char *text, size_t length, const cr_text16 *t, UBiDi *bidi,
                          const uint8_t *levels, const UScriptCode *scripts, cr_face *const *faces,
                          cr_item **items, size_t *count, cr_error *err)
{
    item_list list = {NULL, 0, 0};
    int32_t paragraphs = ubidi_countParagraphs(bidi);
    for (int32_t p = 0; p < paragraphs; p++) {
        uint32_t start, end;
        paragraph_bounds(text, t, bidi, p, &start, &end);
        if (!itemize_paragraph(text, start, end, levels, scripts, faces, &list)) {
            free(list.items);
            return cr_fail(err, CR_ERR_NOMEM, "out of memory itemising text");
        }
    }
    *items = list.items;
    *count = list.count;
    return CR_OK;
}
