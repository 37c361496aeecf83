/* cardrender layout TEMPLATE [RECORD] [--json] [--dpi N] */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardrender.h"
#include "cli.h"
#include "layout.h"
#include "layout_dump.h"
#include "template.h"

static const char layout_usage[] =
    "usage: cardrender layout TEMPLATE [RECORD] [--json] [--dpi N]\n"
    "\n"
    "Lays out every text field of TEMPLATE filled from RECORD (may be left out\n"
    "when the template binds no keys) and prints what the engine decided:\n"
    "one line per line of text with its runs (script, language, direction,\n"
    "font, text), or with --json the whole layout (size used, fit, breaks,\n"
    "lines, runs, glyphs in 26.6 and in pixels; format described in\n"
    "render/layout_dump.h). A field that cannot be laid out is reported and\n"
    "the others still printed; the exit status is then 1.\n"
    "  --json     print the layout as JSON\n"
    "  --dpi N    resolution, 72..1200 (default: the template's)\n";

typedef struct layout_args {
    const char *template_path;
    const char *record_path;
    bool json;
    int dpi;
} layout_args;

static bool parse_layout_args(int argc, char **argv, layout_args *args)
{
    const char *positional[2] = {NULL, NULL};
    int count = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            args->json = true;
        } else if (!strcmp(a, "--dpi") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], &args->dpi)) {
                fprintf(stderr, "cardrender layout: --dpi needs a whole number, not \"%s\"\n",
                        argv[i]);
                return false;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "cardrender layout: unknown or incomplete option \"%s\"\n", a);
            return false;
        } else if (count < 2) {
            positional[count++] = a;
        } else {
            fprintf(stderr, "cardrender layout: too many arguments\n");
            return false;
        }
    }
    args->template_path = positional[0];
    args->record_path = positional[1];
    if (!args->template_path) {
        fprintf(stderr, "cardrender layout: needs TEMPLATE\n");
        return false;
    }
    return true;
}

/* ------------------------------------------------------------ summary */

static const char *plural(size_t count)
{
    return count == 1 ? "" : "s";
}

static void print_run(const cr_text_run *run, const char *text)
{
    printf("%s/%s %s L%u \"%.*s\" (%s, %zu glyph%s)", run->script, run->lang[0] ? run->lang : "-",
           run->bidi_level & 1 ? "rtl" : "ltr", (unsigned)run->bidi_level,
           (int)(run->end - run->start), text + run->start,
           run->face && run->face->family ? run->face->family : "no font", run->glyph_count,
           plural(run->glyph_count));
}

/* Vertical fields: a line is a column, baseline its top, x its axis. */
static void print_line(const cr_field *field, const cr_text_layout *layout, size_t index,
                       const char *text)
{
    const cr_text_line *line = &layout->lines[index];
    bool vertical = field->writing_mode != CR_WRITING_HORIZONTAL;
    printf(vertical ? "  column %zu, bytes %u-%u, top %.2f px, axis x %.2f px, length %.2f px:"
                    : "  line %zu, bytes %u-%u, baseline %.2f px, x %.2f px, width %.2f px:",
           index + 1, (unsigned)line->start, (unsigned)line->end, line->baseline / 64.0,
           line->x / 64.0, line->width / 64.0);
    for (size_t r = 0; r < line->run_count; r++) {
        printf(r ? " | " : " ");
        print_run(&layout->runs[line->first_run + r], text);
    }
    printf("\n");
}

static void print_summary(const cr_field *field, const char *text, const cr_text_layout *layout)
{
    if (layout->text)
        text = layout->text; /* the offsets are into the text laid out */
    printf("field %d \"%s\": %g pt, scale %.3f, %zu line%s, %zu glyph%s", field->index, field->name,
           layout->size_pt, layout->scale_x, layout->line_count, plural(layout->line_count),
           layout->glyph_count, plural(layout->glyph_count));
    if (layout->overflow)
        printf(", OVERFLOW: %s", layout->overflow_reason);
    printf("\n");
    for (size_t i = 0; i < layout->line_count; i++)
        print_line(field, layout, i, text);
    for (size_t i = 0; i < layout->warning_count; i++)
        printf("  warning: %s\n", layout->warnings[i].message);
}

/* -------------------------------------------------------------- fields */

/* What one run of the command needs to lay out and report fields. */
typedef struct session {
    const layout_args *args;
    cr_engine *engine;
    const cr_template *tpl;
    const cr_record *record;
    int dpi;
    json_t *document; /* NULL without --json */
} session;

/* A field's text or layout failed: said on stderr, and in the JSON. */
static bool report_field_error(session *s, const cr_field *field, const char *text,
                               const cr_error *err)
{
    fprintf(stderr, "cardrender: %s\n", err->message);
    if (!s->args->json) {
        printf("field %d \"%s\": ERROR (see stderr)\n", field->index, field->name);
        return true;
    }
    return cr_layout_dump_add_field(s->document, cr_layout_dump_field_error(field, text, err));
}

static bool report_field(session *s, const cr_field *field, const char *text,
                         const cr_text_layout *layout)
{
    if (!s->args->json) {
        print_summary(field, text, layout);
        return true;
    }
    return cr_layout_dump_add_field(s->document, cr_layout_dump_field(field, text, layout));
}

/* Lays out one field; false when it failed (the failure is reported). */
static bool lay_out_field(session *s, const cr_field *field, bool *memory_ok)
{
    cr_error err;
    const char *text = cr_field_text(s->tpl, field, s->record, &err);
    cr_field with_lang;
    const cr_field *applied =
        text ? cr_field_for_record(s->tpl, field, s->record, &with_lang, &err) : NULL;
    cr_text_layout layout;
    if (!applied ||
        cr_layout_text(s->engine, s->tpl, applied, text, s->dpi, &layout, &err) != CR_OK) {
        *memory_ok = report_field_error(s, field, text, &err) && *memory_ok;
        return false;
    }
    *memory_ok = report_field(s, field, text, &layout) && *memory_ok;
    cr_text_layout_free(&layout);
    return true;
}

static int lay_out_fields(session *s)
{
    bool all_ok = true, memory_ok = true;
    for (size_t i = 0; i < s->tpl->field_count; i++)
        if (s->tpl->fields[i].type == CR_FIELD_TEXT)
            all_ok = lay_out_field(s, &s->tpl->fields[i], &memory_ok) && all_ok;
    char *dump = s->document && memory_ok ? cr_layout_dump_text(s->document) : NULL;
    if (s->document && !dump) {
        fprintf(stderr, "cardrender layout: out of memory writing the layout\n");
        return CLI_INPUT_ERROR;
    }
    if (dump)
        fputs(dump, stdout);
    free(dump);
    return all_ok ? CLI_OK : CLI_INPUT_ERROR;
}

/* ---------------------------------------------------------------- main */

static int run_layout(const layout_args *args, cr_engine *engine, cr_error *err)
{
    cr_template *tpl = cr_template_load_file(engine, args->template_path, err);
    cr_record *record =
        tpl && args->record_path ? cr_record_load_file(args->record_path, err) : NULL;
    int status = CLI_INPUT_ERROR;
    if (tpl && (record || !args->record_path)) {
        session s = {args, engine, tpl, record, args->dpi ? args->dpi : cr_template_dpi(tpl), NULL};
        if (args->json)
            s.document = cr_layout_dump_document(args->template_path, args->record_path, s.dpi);
        if (!args->json || s.document)
            status = lay_out_fields(&s);
        else
            fprintf(stderr, "cardrender layout: out of memory\n");
        json_decref(s.document);
    } else {
        fprintf(stderr, "cardrender: %s\n", err->message);
    }
    cr_record_destroy(record);
    cr_template_destroy(tpl);
    return status;
}

int cli_layout(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(layout_usage, stdout);
        return CLI_OK;
    }
    layout_args args = {0};
    if (!parse_layout_args(argc, argv, &args)) {
        fputs(layout_usage, stderr);
        return CLI_USAGE;
    }
    if (args.dpi && (args.dpi < 72 || args.dpi > 1200)) {
        fprintf(stderr, "cardrender layout: --dpi %d is out of range (72 to 1200)\n", args.dpi);
        return CLI_USAGE;
    }
    cr_error err;
    cr_engine *engine = cr_engine_create(NULL, &err);
    if (!engine) {
        fprintf(stderr, "cardrender: %s\n", err.message);
        return CLI_INPUT_ERROR;
    }
    int status = run_layout(&args, engine, &err);
    cr_engine_destroy(engine);
    return status;
}
