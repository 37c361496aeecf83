/* templates/WORDING.md against the templates: every fixed text of every
 * edition (both sides, as composed with its bases and parts) has a row in
 * the provenance tables with the same text, code point by code point, and
 * every row names a text some edition has; every label has its side's
 * colour. Run from the project root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cardrender.h"
#include "support.h"
#include "template.h"

#define WORDING "templates/WORDING.md"
#define MAX_ROWS 256

typedef struct row {
    char edition[8], side[8], field[64], text[256];
    bool used;
} row;

static row rows[MAX_ROWS];
static size_t row_count;

static const char *const editions[] = {"zh", "ug", "bo", "mn", "ko", "ii", "za"};
static const char *const sides[] = {"photo", "emblem"};

/* Copies the cell between two '|' into out without its surrounding spaces;
 * returns where the next cell starts, or NULL at the end of the line. */
static const char *read_cell(const char *at, char *out, size_t size)
{
    const char *end = strchr(at, '|');
    if (!end)
        return NULL;
    while (at < end && *at == ' ')
        at++;
    const char *last = end;
    while (last > at && last[-1] == ' ')
        last--;
    size_t length = (size_t)(last - at);
    assert_true(length < size);
    memcpy(out, at, length);
    out[length] = '\0';
    return end + 1;
}

/* A table row "| edition | side | field | text | source | note |" whose side
 * is photo or emblem; other lines (prose, headers, the review list) are not. */
static bool parse_row(const char *line, row *out)
{
    if (line[0] != '|')
        return false;
    const char *at = line + 1;
    char *cells[] = {out->edition, out->side, out->field, out->text};
    size_t sizes[] = {sizeof out->edition, sizeof out->side, sizeof out->field, sizeof out->text};
    for (size_t i = 0; i < 4; i++) {
        char cell[256];
        at = at ? read_cell(at, cell, sizeof cell) : NULL;
        if (!at || strlen(cell) >= sizes[i])
            return false;
        strcpy(cells[i], cell);
    }
    return !strcmp(out->side, "photo") || !strcmp(out->side, "emblem");
}

static int load_rows(void **state)
{
    FILE *file = fopen(WORDING, "r");
    if (!file) {
        fprintf(stderr, "cannot open %s\n", WORDING);
        return -1;
    }
    char line[2048];
    while (fgets(line, sizeof line, file))
        if (row_count < MAX_ROWS && parse_row(line, &rows[row_count]))
            row_count++;
    fclose(file);
    return 0;
}

static row *find_row(const char *edition, const char *side, const char *field)
{
    for (size_t i = 0; i < row_count; i++) {
        row *r = &rows[i];
        bool edition_matches = !strcmp(r->edition, edition) || !strcmp(r->edition, "all");
        if (edition_matches && !strcmp(r->side, side) && !strcmp(r->field, field))
            return r;
    }
    return NULL;
}

/* The source: the photo side's labels in sky blue (#56aade), the emblem
 * side's in black. */
static void check_label_color(const char *path, const char *side, const cr_field *field)
{
    if (strncmp(field->name, "label_", 6))
        return;
    bool photo = !strcmp(side, "photo");
    cr_color want = photo ? (cr_color){0x56, 0xaa, 0xde, 255} : (cr_color){0, 0, 0, 255};
    if (memcmp(&field->color, &want, sizeof want))
        fail_msg("%s: label \"%s\" is #%02x%02x%02x, the %s side's labels are %s", path,
                 field->name, field->color.r, field->color.g, field->color.b, side,
                 photo ? "sky blue #56aade" : "black");
}

/* Every fixed text of one edition's side is in the tables, unchanged. */
static void check_template(const char *edition, const char *side)
{
    char path[128];
    snprintf(path, sizeof path, "templates/resident-id-%s-%s.json", edition, side);
    cr_template *tpl = load_template_or_fail(path);
    for (size_t i = 0; i < tpl->field_count; i++) {
        const cr_field *field = &tpl->fields[i];
        if (field->type != CR_FIELD_TEXT || !field->text)
            continue;
        row *r = find_row(edition, side, field->name);
        if (!r)
            fail_msg("%s: field \"%s\" (%s) has no row in " WORDING, path, field->name,
                     field->text);
        if (strcmp(r->text, field->text))
            fail_msg("%s: field \"%s\" is \"%s\", " WORDING " says \"%s\"", path, field->name,
                     field->text, r->text);
        r->used = true;
        check_label_color(path, side, field);
    }
    cr_template_destroy(tpl);
}

static void test_every_fixed_text_has_its_row(void **state)
{
    assert_true(row_count > 80); /* the tables were read */
    for (size_t e = 0; e < sizeof editions / sizeof *editions; e++)
        for (size_t s = 0; s < 2; s++)
            check_template(editions[e], sides[s]);
}

/* Runs after the test above has marked the rows it used. */
static void test_every_row_names_a_text(void **state)
{
    for (size_t i = 0; i < row_count; i++)
        if (!rows[i].used)
            fail_msg(WORDING ": the row %s %s %s \"%s\" matches no template's text",
                     rows[i].edition, rows[i].side, rows[i].field, rows[i].text);
}

static int setup(void **state)
{
    return engine_setup(state) || load_rows(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_fixed_text_has_its_row),
        cmocka_unit_test(test_every_row_names_a_text),
    };
    return cmocka_run_group_tests_name("wording", tests, setup, engine_teardown);
}
