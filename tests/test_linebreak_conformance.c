/* Unicode's LineBreakTest.txt (Debian package unicode-data) through the
 * engine's line breaker with tailoring off (cr_linebreak_options.untailored:
 * ICU's root rules as they are). Every line is one case: the break
 * opportunities found must be exactly the file's ÷ marks. A failure is
 * accepted only when the case is in the list of ICU's documented deviations
 * below; any other failure fails the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unicode/utf8.h>

#include "linebreak.h"
#include "support.h"

#define FAILURES_SHOWN 20

static const char *const candidate_files[] = {
    "/usr/share/unicode/auxiliary/LineBreakTest.txt",
    "/usr/share/unicode/LineBreakTest.txt",
};

/* ICU 72's root line rules depart from UAX #14 (Unicode 15.0) on purpose in
 * two places. ICU's own run of this file (rbbitst.cpp, known issue
 * ICU-21097) skips exactly these cases. Neither matters for a card's text:
 * both only remove an opportunity UAX #14 has, next to a hyphen or a
 * number. */
typedef struct deviation_reason {
    const char *tag;
    const char *why;
} deviation_reason;

static const deviation_reason leading_hyphen = {
    "leading-hyphen",
    "ICU keeps a hyphen-minus at the start of a word with the letter after it (the "
    "modification its line.txt documents as rule 20.9: no boundary between a hyphen and a "
    "following letter when there is a boundary before the hyphen; it came from ICU's Finnish "
    "tailoring, ICU-8151); UAX #14 15.0 breaks after the hyphen"};
static const deviation_reason number_start = {
    "number-start",
    "ICU's number rule (LB25 as a regular expression, ICU-12017) lets a number start with a "
    "full stop or comma (.35), so it never breaks between that and the digit; UAX #14 15.0's "
    "LB25 pairs keep IS x NU only after a digit"};

typedef struct known_deviation {
    const char *sequence; /* the case's code points, as the file writes them */
    const deviation_reason *reason;
} known_deviation;

static const known_deviation known_deviations[] = {
    {"002D 0023", &leading_hyphen},
    {"002D 0308 0023", &leading_hyphen},
    {"002D 00A7", &leading_hyphen},
    {"002D 0308 00A7", &leading_hyphen},
    {"002D 50005", &leading_hyphen},
    {"002D 0308 50005", &leading_hyphen},
    {"002D 0E01", &leading_hyphen},
    {"002D 0308 0E01", &leading_hyphen},
    {"002C 0030", &number_start},
    {"002C 0308 0030", &number_start},
    {"0065 0071 0075 0061 006C 0073 0020 002E 0033 0035 0020 0063 0065 006E 0074 0073",
     &number_start}, /* "equals .35 cents" */
    {"0061 002E 0032 0020", &number_start},
    {"0061 002E 0032 0020 0915", &number_start},
    {"0061 002E 0032 0020 672C", &number_start},
    {"0061 002E 0032 3000 672C", &number_start},
    {"0061 002E 0032 3000 307E", &number_start},
    {"0061 002E 0032 3000 0033", &number_start},
    {"0061 002E 0032 3000 300C", &number_start},
    {"0041 002E 0031 0020 BABB", &number_start},
    {"BD24 C5B4 002E 0020 0041 002E 0032 0020 BCFC", &number_start},
    {"BD10 C694 002E 0020 0041 002E 0033 0020 BABB", &number_start},
    {"C694 002E 0020 0041 002E 0034 0020 BABB", &number_start},
};

#define KNOWN_COUNT (sizeof known_deviations / sizeof known_deviations[0])

/* One line of the file. */
typedef struct break_case {
    unsigned line_number;
    char sequence[TEXT_MAX_CHARS * 7]; /* "002D 0023" */
    code_point_text chars;
    bool expected[TEXT_MAX_CHARS * 4 + 1]; /* by byte offset: a break opportunity */
    bool found[TEXT_MAX_CHARS * 4 + 1];
} break_case;

typedef struct tally {
    unsigned passed, known, unexpected;
    unsigned shown;
} tally;

static FILE *open_test_file(const char **path)
{
    const char *forced = getenv("CR_LINEBREAK_TEST");
    if (forced) {
        *path = forced;
        return fopen(forced, "r");
    }
    for (size_t i = 0; i < sizeof candidate_files / sizeof candidate_files[0]; i++) {
        FILE *file = fopen(candidate_files[i], "r");
        if (file) {
            *path = candidate_files[i];
            return file;
        }
    }
    *path = NULL;
    return NULL;
}

static void append_code_point(break_case *c, uint32_t cp, const char *hex)
{
    size_t used = strlen(c->sequence);
    snprintf(c->sequence + used, sizeof c->sequence - used, "%s%s", used ? " " : "", hex);
    assert_true(code_point_text_add(&c->chars, cp));
}

/* Reads "× 0023 ÷ 0020 ÷ # comment" into c; false for a line with no case. */
static bool parse_case(char *line, unsigned line_number, break_case *c)
{
    char *comment = strchr(line, '#');
    if (comment)
        *comment = '\0';
    memset(c, 0, sizeof *c);
    c->line_number = line_number;
    for (char *token = strtok(line, " \t\r\n"); token; token = strtok(NULL, " \t\r\n")) {
        if (strcmp(token, "÷") == 0) {
            c->expected[c->chars.length] = true;
        } else if (strcmp(token, "×") != 0) {
            append_code_point(c, (uint32_t)strtoul(token, NULL, 16), token);
        }
    }
    c->expected[0] = false; /* the file marks the start of text with × */
    return c->chars.length > 0;
}

static void find_untailored_breaks(break_case *c)
{
    cr_text16 t;
    assert_true(cr_text16_init(&t, c->chars.utf8, c->chars.length));
    cr_break_opportunity *breaks;
    size_t count;
    cr_linebreak_options options = {.untailored = true};
    assert_int_equal(
        cr_find_line_breaks(c->chars.utf8, c->chars.length, &t, &options, &breaks, &count, NULL),
        CR_OK);
    for (size_t i = 0; i < count; i++)
        c->found[breaks[i].offset] = true;
    free(breaks);
    cr_text16_free(&t);
}

static const known_deviation *known_deviation_of(const break_case *c)
{
    for (size_t i = 0; i < KNOWN_COUNT; i++)
        if (strcmp(known_deviations[i].sequence, c->sequence) == 0)
            return &known_deviations[i];
    return NULL;
}

/* The case written like the file: ÷ or × between the code points, from the
 * breaks in `marks`. */
static void describe(const break_case *c, const bool *marks, char *out, size_t size)
{
    size_t used = (size_t)snprintf(out, size, "×");
    size_t offset = 0;
    while (offset < c->chars.length && used < size) {
        UChar32 cp;
        U8_NEXT((const uint8_t *)c->chars.utf8, offset, c->chars.length, cp);
        used += (size_t)snprintf(out + used, size - used, " %04X %s", (unsigned)cp,
                                 marks[offset] ? "÷" : "×");
    }
}

static void report_failure(const break_case *c, const known_deviation *known, tally *counts)
{
    if (counts->shown++ >= FAILURES_SHOWN)
        return;
    char expected[TEXT_MAX_CHARS * 12], found[TEXT_MAX_CHARS * 12];
    describe(c, c->expected, expected, sizeof expected);
    describe(c, c->found, found, sizeof found);
    printf("  line %u [%s]\n    expected %s\n    found    %s\n", c->line_number,
           known ? known->reason->tag : "UNEXPECTED: no documented reason, a bug", expected, found);
}

static void check_case(break_case *c, tally *counts)
{
    find_untailored_breaks(c);
    if (memcmp(c->expected, c->found, (c->chars.length + 1) * sizeof c->found[0]) == 0) {
        counts->passed++;
        return;
    }
    const known_deviation *known = known_deviation_of(c);
    if (known)
        counts->known++;
    else
        counts->unexpected++;
    report_failure(c, known, counts);
}

static void test_line_break_test_file(void **state)
{
    const char *path;
    FILE *file = open_test_file(&path);
    if (!file) {
        /* Neither candidate (nor CR_LINEBREAK_TEST) opened: report the first. */
        const char *wanted = getenv("CR_LINEBREAK_TEST");
        if (!test_data_present(wanted ? wanted : candidate_files[0],
                               "install the Debian package unicode-data, or set CR_LINEBREAK_TEST"))
            skip();
        fail_msg("cannot open %s", wanted ? wanted : candidate_files[0]);
    }
    tally counts = {0};
    char line[4096];
    unsigned line_number = 0;
    break_case *c = malloc(sizeof *c);
    assert_non_null(c);
    while (fgets(line, sizeof line, file)) {
        line_number++;
        if (parse_case(line, line_number, c))
            check_case(c, &counts);
    }
    fclose(file);
    free(c);
    printf("LineBreakTest: %u passed, %u failed (%u known ICU deviations, %u unexpected) in %s\n",
           counts.passed, counts.known + counts.unexpected, counts.known, counts.unexpected, path);
    if (counts.known) {
        printf("  [%s] %s\n", leading_hyphen.tag, leading_hyphen.why);
        printf("  [%s] %s\n", number_start.tag, number_start.why);
    }
    assert_true(counts.passed > 7000); /* the whole file was read */
    assert_int_equal(counts.unexpected, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_break_test_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
