/* The cardrender command-line tool: one function per command. Each returns
 * the process exit status: 0 success, 1 input error, 2 usage error. Messages
 * go to stderr; --help on every command prints its usage to stdout. */
#ifndef CR_CLI_H
#define CR_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include <jansson.h>

#include "cardrender.h"

enum { CLI_OK = 0, CLI_INPUT_ERROR = 1, CLI_USAGE = 2 };

/* "72..1200", from the library's CR_DPI_MIN and CR_DPI_MAX, for messages. */
#define CLI_STRING(x) #x
#define CLI_NUMBER_TEXT(x) CLI_STRING(x)
#define CLI_DPI_RANGE CLI_NUMBER_TEXT(CR_DPI_MIN) ".." CLI_NUMBER_TEXT(CR_DPI_MAX)

/* Each command's usage text: main prints it for --help (stdout, status 0)
 * and after a usage error (stderr, the command returned CLI_USAGE). */
extern const char cli_render_usage[], cli_compare_usage[], cli_golden_usage[], cli_layout_usage[],
    cli_proof_usage[], cli_check_usage[], cli_sheet_usage[], cli_batch_usage[], cli_serve_usage[];

int cli_render(int argc, char **argv);  /* render TEMPLATE RECORD -o OUT.png [--dpi N] */
int cli_compare(int argc, char **argv); /* compare EXPECTED ACTUAL [--diff D] [--tolerance T] */
int cli_golden(int argc, char **argv);  /* golden DIR [--update] */
int cli_layout(int argc, char **argv);  /* layout TEMPLATE [RECORD] [--json] [--dpi N] */
int cli_proof(int argc, char **argv);   /* proof TEMPLATE [RECORD] -o OUT.png [--sides OTHER] */
int cli_check(int argc, char **argv);   /* check TEMPLATE [RECORDS...] [--json] */
int cli_sheet(int argc, char **argv);   /* sheet TEMPLATE RECORDS... -o SHEET.png [--back ...] */
int cli_batch(int argc, char **argv);   /* batch TEMPLATE RECORDS -o DIR [-j N] ... */
int cli_serve(int argc, char **argv);   /* serve --templates DIR [--listen ADDR:PORT] ... */

/* What cli_parse_options hands each option: its id (the short letter, or
 * one of the command's own ids from 256 to CLI_OPT_SHARED - 1 for a
 * long-only option) and its value (NULL for a flag). False when the value
 * is refused; the handler says why on stderr. */
typedef bool (*cli_option_func)(void *args, int id, const char *value);

typedef struct cli_parser {
    const char *command;        /* "render": messages read "cardrender render: ..." */
    const char *shorts;         /* getopt's short options, e.g. "o:j:" */
    const struct option *longs; /* getopt_long's table, ending in {0} */
    cli_option_func take;
    void *args;
} cli_parser;

/* Ids of the options cli_parse_options handles itself, never handed to take. */
enum { CLI_OPT_SHARED = 1000, CLI_OPT_FONT_MANIFEST = CLI_OPT_SHARED, CLI_OPT_MAX_MEMORY };

/* Parses argv[1..] with getopt_long (options and operands in any order,
 * "--" ends the options): each option goes to p->take, but --font-manifest
 * FILE (taken by every command that makes an engine) to cli_engine_options;
 * the operands, in order, into operands[0..max), their number into *count. An unknown option
 * or one missing its value is "cardrender COMMAND: unknown or incomplete
 * option "X"", more than max operands "too many arguments ("X")": false,
 * as when take refuses a value. */
bool cli_parse_options(const cli_parser *p, int argc, char **argv, const char **operands, int max,
                       int *count);

/* cli_parse_options for a command of at most two operands, into *first and
 * *second (NULL when left out). */
bool cli_parse_pair(const cli_parser *p, int argc, char **argv, const char **first,
                    const char **second);

/* A render's warning on stderr, "cardrender: warning: MESSAGE"
 * (cr_render_options.warning). */
void cli_print_warning(void *user_data, const cr_error *warning);

/* The options every engine of the command is made with: the manifest
 * --font-manifest named, else the library's default (NULL). */
const cr_engine_options *cli_engine_options(void);

/* Whether the command's engines build a template's cache of static layers
 * (cr_engine_options.no_static_cache): off for render and proof, which
 * render one card of a template, on for the others (batch and sheet render
 * many); render's --static-cache turns it on. */
void cli_engine_static_cache(bool on);

/* Sets up malloc for a process that renders one card (render, proof):
 * its heap in transparent huge pages, nothing given back (heap.c). Call
 * before the command allocates. */
void cli_heap_for_one_card(void);

/* Gives the free pages inside malloc's arenas back to the system (heap.c):
 * a process that renders card after card on several threads calls it
 * every CLI_HEAP_GIVE_BACK_CARDS cards, so that its memory stays flat
 * however its threads share the arenas. */
enum { CLI_HEAP_GIVE_BACK_CARDS = 1000 };
void cli_heap_give_back(void);

/* An engine with cli_engine_options; NULL, with the error said on stderr,
 * when it cannot be made. */
cr_engine *cli_engine_create(void);

/* A whole decimal number from -1,000,000 to 1,000,000; false on anything
 * else (nothing after it, no overflow). */
bool cli_parse_int(const char *text, int *out);

/* A decimal number from min to max (so never NaN or infinite); false on
 * anything else. */
bool cli_parse_number(const char *text, double min, double max, double *out);

/* An option's value for command `name`: a number from min to max, whole when
 * asked; false, with a message on stderr, when it is not. */
bool cli_option_number(const char *name, const char *option, const char *text, double min,
                       double max, bool whole, double *out);

/* An --encoding value for command `name`: true when ICU knows the encoding,
 * else false with a message on stderr. */
bool cli_option_encoding(const char *name, const char *text);

/* --max-value-bytes's value for command `name`: a whole number of bytes,
 * 1 to 1 GiB (cr_render_options.max_value_bytes); false, with a message on
 * stderr, when it is not. */
bool cli_option_max_value_bytes(const char *name, const char *text, size_t *out);

/* --dpi's value for command `name`: a whole number from CR_DPI_MIN to
 * CR_DPI_MAX; false, with a message on stderr, when it is not. */
bool cli_option_dpi(const char *name, const char *text, int *dpi);

/* --threads's value for command `name`: 1 to 64 threads that code one
 * card's PNG (cr_write_options.threads); false, with a message on stderr,
 * when it is not. Commands that write one card default to
 * cli_default_threads(): the processors online, at most 8 (the file is the
 * same for any number). */
bool cli_option_threads(const char *name, const char *text, int *threads);
int cli_default_threads(void);

/* True for "-", the operand or -o value that means standard input or
 * output. */
bool cli_is_stdio(const char *path);

/* A record from path, or from standard input for "-"
 * (named "<stdin>" in messages; its photos are read against the working
 * folder unless --assets says otherwise); NULL with err filled. */
cr_record *cli_record_load(const char *path, const cr_record_options *options, cr_error *err);

/* Writes image for command `name` as -o says (every panel it has, each as
 * cr_image_write_panels_with writes it, synced with fsync, its colour PNG
 * coded on `threads` threads), or for "-" its
 * one PNG to standard output. CLI_OK; CLI_INPUT_ERROR with the error said
 * on stderr; CLI_USAGE, said, for "-" when the card has K or overlay
 * panels (several files cannot share one stream) or standard output is a
 * terminal. */
int cli_write_image(const char *name, const cr_image *image, const char *output, bool fsync,
                    int threads);

#endif
