/* Unicode's BidiCharacterTest.txt (Debian package unicode-data) through the
 * engine's bidi stage: the paragraph level and per-character levels from
 * cr_itemize_bidi (as the layout calls it, the direction from the field),
 * and the visual order of the line from cr_bidi_visual_runs, the function
 * the layout reorders every line with. Each test case is one paragraph and
 * one line; characters the file marks 'x' (removed by rule X9) are left out
 * of both comparisons, as the file says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bidi_order.h"
#include "itemize.h"
#include "support.h"

#define DEFAULT_TEST_FILE "/usr/share/unicode/BidiCharacterTest.txt"
#define REMOVED 0xFF /* level 'x' */
#define FAILURES_SHOWN 10

/* One line of the file. */
typedef struct bidi_case {
    unsigned line_number;
    char section[160]; /* the heading of the file's block holding the case */
    code_point_text chars;
    cr_direction direction;
    int paragraph_level;
    uint8_t levels[TEXT_MAX_CHARS];
    int order[TEXT_MAX_CHARS]; /* visual order, 'x' characters left out */
    size_t order_count;
} bidi_case;

/* ICU's ubidi (the engine's bidi implementation; never hand-written here)
 * departs from UAX #9 in these blocks of the file. Each is a justified
 * exception: a case of the block that fails is counted as a known
 * deviation, up to the number of cases ICU 72 fails there; any other
 * failure fails the test. None is likely on a card: each needs typed
 * embedding or override controls, a combining mark right after a bracket
 * whose direction rule N0 changed, or brackets nested 63 deep. */
typedef struct known_deviation {
    const char *section;
    unsigned cases;
    const char *why;
} known_deviation;

static const known_deviation known_deviations[] = {
    {"Explicit directional overrides applied to isolates tightly flanked by embeddings", 4,
     "an isolate initiator and its PDI inside an override, flanked by embedding controls, "
     "do not get the override's level and direction (X5a, X6a)"},
    {"Explicit directional overrides applied to paired brackets", 16,
     "a bracket whose class an override changed still takes part in bracket pairing "
     "(BD16 pairs only characters whose current class is ON)"},
    {"Nonspacing marks applied to paired brackets", 6,
     "a nonspacing mark after a bracket that N0 changed keeps the neutral resolution "
     "instead of the bracket's new direction (N0, last paragraph)"},
    {"Nonspacing marks applied to paired brackets [added to test cases for Unicode 14.0]", 3,
     "the same N0 rule with BN characters (ZWJ, ZWSP) between bracket and mark"},
    {"Nested bracket pairs that reach and exceed the fixed capacity of the bracket stack", 1,
     "brackets keep pairing past BD16's 63-entry stack (pairing should stop)"},
};

#define KNOWN_COUNT (sizeof known_deviations / sizeof known_deviations[0])

typedef struct tally {
    unsigned passed, failed;
    unsigned known[KNOWN_COUNT]; /* failures in each known block */
    unsigned unexpected;
} tally;

static const char *test_file_path(void)
{
    const char *env = getenv("CR_BIDI_CHARACTER_TEST");
    return env && env[0] ? env : DEFAULT_TEST_FILE;
}

/* ---------------------------------------------------------- parsing */

static bool parse_code_points(char *field, bidi_case *c)
{
    code_point_text_clear(&c->chars);
    for (char *token = strtok(field, " "); token; token = strtok(NULL, " "))
        if (!code_point_text_add(&c->chars, strtoul(token, NULL, 16)))
            return false;
    return c->chars.char_count > 0;
}

static bool parse_levels(char *field, bidi_case *c)
{
    size_t n = 0;
    for (char *token = strtok(field, " "); token; token = strtok(NULL, " ")) {
        if (n == c->chars.char_count)
            return false;
        c->levels[n++] = token[0] == 'x' ? REMOVED : (uint8_t)atoi(token);
    }
    return n == c->chars.char_count;
}

static bool parse_order(char *field, bidi_case *c)
{
    c->order_count = 0;
    for (char *token = strtok(field, " "); token; token = strtok(NULL, " ")) {
        if (c->order_count == c->chars.char_count)
            return false;
        c->order[c->order_count++] = atoi(token);
    }
    return true;
}

/* Splits "cps;dir;level;levels;order"; false on a malformed line. */
static bool parse_case(char *line, bidi_case *c)
{
    char *fields[5];
    for (int i = 0; i < 5; i++) {
        fields[i] = line;
        line = strchr(line, ';');
        if (!line && i < 4)
            return false;
        if (line)
            *line++ = '\0';
    }
    fields[4][strcspn(fields[4], "\r\n")] = '\0';
    int direction = atoi(fields[1]);
    c->direction = direction == 0 ? CR_DIR_LTR : direction == 1 ? CR_DIR_RTL : CR_DIR_AUTO;
    c->paragraph_level = atoi(fields[2]);
    return parse_code_points(fields[0], c) && parse_levels(fields[3], c) &&
           parse_order(fields[4], c);
}

/* ---------------------------------------------------- the engine side */

/* What the engine made of a case. */
typedef struct outcome {
    int paragraph_level;
    uint8_t levels[TEXT_MAX_CHARS];      /* cr_itemize_bidi, per character */
    uint8_t line_levels[TEXT_MAX_CHARS]; /* level of the visual run holding it */
    int order[TEXT_MAX_CHARS];           /* 'x' characters left out */
    size_t order_count;
} outcome;

/* Appends the characters of one visual run, left to right. */
static void add_run_chars(const bidi_case *c, const cr_visual_run *run, outcome *o)
{
    size_t first = code_point_text_char_at(&c->chars, run->start),
           end = code_point_text_char_at(&c->chars, run->end - 1) + 1;
    for (size_t k = 0; k < end - first; k++) {
        size_t i = (run->level & 1) ? end - 1 - k : first + k;
        o->line_levels[i] = run->level;
        if (c->levels[i] != REMOVED)
            o->order[o->order_count++] = (int)i;
    }
}

static bool run_engine(const bidi_case *c, UBiDi *line, outcome *o)
{
    cr_text16 t;
    uint8_t *byte_levels = malloc(c->chars.length);
    if (!byte_levels || !cr_text16_init(&t, c->chars.utf8, c->chars.length)) {
        free(byte_levels);
        return false;
    }
    UBiDi *paragraph = cr_itemize_bidi(&t, c->chars.length, c->direction, byte_levels, NULL);
    cr_visual_run *runs = NULL;
    size_t run_count = 0;
    bool ok = paragraph &&
              cr_bidi_visual_runs(paragraph, line, &t, byte_levels, 0, (uint32_t)c->chars.length,
                                  &runs, &run_count, NULL) == CR_OK;
    if (ok) {
        o->paragraph_level = ubidi_getParaLevel(paragraph);
        for (size_t i = 0; i < c->chars.char_count; i++)
            o->levels[i] = byte_levels[c->chars.char_start[i]];
        o->order_count = 0;
        for (size_t r = 0; r < run_count; r++)
            add_run_chars(c, &runs[r], o);
    }
    free(runs);
    ubidi_close(paragraph);
    cr_text16_free(&t);
    free(byte_levels);
    return ok;
}

/* ------------------------------------------------------- comparison */

/* Exact, also where ICU finds the text of one direction and reads every
 * level as the paragraph's (cr_itemize_bidi resolves them anyway). */
static bool levels_match(const bidi_case *c, const uint8_t *levels)
{
    for (size_t i = 0; i < c->chars.char_count; i++)
        if (c->levels[i] != REMOVED && levels[i] != c->levels[i])
            return false;
    return true;
}

/* Each character's visual run is at the character's resolved level. */
static bool run_levels_match(const bidi_case *c, const outcome *o)
{
    return levels_match(c, o->line_levels);
}

/* Why the outcome differs from the case, or NULL when it does not. */
static const char *mismatch(const bidi_case *c, const outcome *o)
{
    if (o->paragraph_level != c->paragraph_level)
        return "paragraph level";
    if (!levels_match(c, o->levels))
        return "resolved levels";
    if (!run_levels_match(c, o))
        return "levels of the line's visual runs";
    if (o->order_count != c->order_count ||
        memcmp(o->order, c->order, c->order_count * sizeof *c->order) != 0)
        return "visual order";
    return NULL;
}

static void print_levels(const char *label, const uint8_t *levels, const bidi_case *c)
{
    printf("    %s", label);
    for (size_t i = 0; i < c->chars.char_count; i++)
        c->levels[i] == REMOVED ? printf(" x") : printf(" %d", levels[i]);
    printf("\n");
}

static void print_order(const char *label, const int *order, size_t count)
{
    printf("    %s", label);
    for (size_t i = 0; i < count; i++)
        printf(" %d", order[i]);
    printf("\n");
}

static void report_failure(const bidi_case *c, const outcome *o, const char *what)
{
    printf("  line %u: %s differs (direction %s, %zu characters)\n", c->line_number, what,
           c->direction == CR_DIR_LTR   ? "ltr"
           : c->direction == CR_DIR_RTL ? "rtl"
                                        : "auto",
           c->chars.char_count);
    printf("    paragraph level: expected %d, got %d\n", c->paragraph_level, o->paragraph_level);
    print_levels("expected levels:", c->levels, c);
    print_levels("got levels:     ", o->levels, c);
    print_order("expected order:", c->order, c->order_count);
    print_order("got order:     ", o->order, o->order_count);
}

static const known_deviation *known_for(const bidi_case *c, size_t *index)
{
    for (size_t k = 0; k < KNOWN_COUNT; k++) {
        if (strcmp(c->section, known_deviations[k].section) == 0) {
            *index = k;
            return &known_deviations[k];
        }
    }
    return NULL;
}

static void check_case(const bidi_case *c, UBiDi *line, tally *t)
{
    outcome o;
    const char *what = run_engine(c, line, &o) ? mismatch(c, &o) : "the engine's bidi call";
    if (!what) {
        t->passed++;
        return;
    }
    t->failed++;
    size_t k = 0;
    const known_deviation *known = known_for(c, &k);
    if (known && t->known[k] < known->cases) {
        t->known[k]++;
        printf("  line %u: known ICU deviation (%s): %s\n", c->line_number, what, known->why);
    } else if (t->unexpected++ < FAILURES_SHOWN) {
        report_failure(c, &o, what);
    }
}

/* A comment right after a blank line heads a block of cases. */
static void note_section(const char *text, bool after_blank, bidi_case *c)
{
    if (!after_blank || text[0] != '#' || text[1] != ' ')
        return;
    snprintf(c->section, sizeof c->section, "%s", text + 2);
    c->section[strcspn(c->section, "\r\n")] = '\0';
}

static bool is_blank(const char *text)
{
    return text[strspn(text, " \t\r\n")] == '\0';
}

static void print_summary(const tally *t)
{
    unsigned known = t->failed - t->unexpected;
    printf("BidiCharacterTest: %u passed, %u failed (%u known ICU deviations in %zu blocks, "
           "%u unexpected) (%s)\n",
           t->passed, t->failed, known, KNOWN_COUNT, t->unexpected, test_file_path());
    for (size_t k = 0; k < KNOWN_COUNT; k++)
        printf("  known: %u of %u in \"%s\"\n", t->known[k], known_deviations[k].cases,
               known_deviations[k].section);
}

/* -------------------------------------------------------------- test */

static void test_bidi_character_test(void **state)
{
    if (!test_data_present(
            test_file_path(),
            "install the Debian package unicode-data, or set CR_BIDI_CHARACTER_TEST"))
        skip();
    FILE *file = fopen(test_file_path(), "r");
    if (!file) {
        fail_msg("cannot open %s", test_file_path());
    }
    UErrorCode status = U_ZERO_ERROR;
    UBiDi *line = ubidi_openSized(TEXT_MAX_CHARS * 2, 0, &status);
    assert_true(U_SUCCESS(status));
    static bidi_case c; /* large: keep it off the stack */
    tally t = {.passed = 0};
    unsigned malformed = 0, number = 0;
    char *text = NULL;
    size_t capacity = 0;
    bool after_blank = true;
    c.section[0] = '\0';
    while (getline(&text, &capacity, file) > 0) {
        number++;
        note_section(text, after_blank, &c);
        after_blank = is_blank(text);
        if (text[0] == '#' || after_blank)
            continue;
        c.line_number = number;
        if (parse_case(text, &c))
            check_case(&c, line, &t);
        else if (malformed++ < FAILURES_SHOWN)
            printf("  line %u: cannot parse\n", number);
    }
    free(text);
    fclose(file);
    ubidi_close(line);
    print_summary(&t);
    assert_int_equal(malformed, 0);
    assert_true(t.passed > 0);
    assert_int_equal(t.unexpected, 0);
}

/* Worked by hand, without the data file: an RTL paragraph holding an RTL
 * isolate, א ב RLI ג ד PDI ה ו, resolves to levels 1 1 1 3 3 1 1 1, all odd,
 * so ICU calls the line one direction and the engine cuts it by level
 * (split_single_direction) into three runs. L2 reverses ג ד at level 3, back
 * at level 2, then everything at level 1: ו ה PDI ד ג RLI ב א, left to
 * right. Runs left in logical order would give RLI ב א ד ג ו ה PDI. */
static void test_rtl_line_of_one_direction(void **state)
{
    static bidi_case c; /* large: keep it off the stack */
    const unsigned long text[] = {0x05D0, 0x05D1, 0x2067, 0x05D2, 0x05D3, 0x2069, 0x05D4, 0x05D5};
    const uint8_t levels[] = {1, 1, 1, 3, 3, 1, 1, 1};
    const int order[] = {7, 6, 5, 4, 3, 2, 1, 0};
    memset(&c, 0, sizeof c);
    code_point_text_clear(&c.chars);
    for (size_t i = 0; i < 8; i++) {
        assert_true(code_point_text_add(&c.chars, text[i]));
        c.levels[i] = levels[i];
        c.order[i] = order[i];
    }
    c.order_count = 8;
    c.direction = CR_DIR_RTL;
    c.paragraph_level = 1;
    UErrorCode status = U_ZERO_ERROR;
    UBiDi *line = ubidi_openSized(TEXT_MAX_CHARS * 2, 0, &status);
    assert_true(U_SUCCESS(status));
    outcome o;
    assert_true(run_engine(&c, line, &o));
    const char *what = mismatch(&c, &o);
    if (what) {
        report_failure(&c, &o, what);
        fail_msg("%s differs", what);
    }
    ubidi_close(line);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bidi_character_test),
        cmocka_unit_test(test_rtl_line_of_one_direction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
