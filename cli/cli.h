/* The cardrender command-line tool: one function per command. Each returns
 * the process exit status: 0 success, 1 input error, 2 usage error. Messages
 * go to stderr; --help on every command prints its usage to stdout. */
#ifndef CR_CLI_H
#define CR_CLI_H

#include <stdbool.h>

#include "cardrender.h"

enum { CLI_OK = 0, CLI_INPUT_ERROR = 1, CLI_USAGE = 2 };

/* "72..1200", from the library's CR_DPI_MIN and CR_DPI_MAX, for messages. */
#define CLI_STRING(x) #x
#define CLI_NUMBER_TEXT(x) CLI_STRING(x)
#define CLI_DPI_RANGE CLI_NUMBER_TEXT(CR_DPI_MIN) ".." CLI_NUMBER_TEXT(CR_DPI_MAX)

int cli_render(int argc, char **argv);  /* render TEMPLATE RECORD -o OUT.png [--dpi N] */
int cli_compare(int argc, char **argv); /* compare EXPECTED ACTUAL [--diff D] [--tolerance T] */
int cli_golden(int argc, char **argv);  /* golden DIR [--update] */
int cli_layout(int argc, char **argv);  /* layout TEMPLATE [RECORD] [--json] [--dpi N] */
int cli_proof(int argc, char **argv);   /* proof TEMPLATE [RECORD] -o OUT.png [--sides OTHER] */
int cli_check(int argc, char **argv);   /* check TEMPLATE [RECORDS...] [--safe-mm N] */
int cli_sheet(int argc, char **argv);   /* sheet TEMPLATE RECORDS... -o SHEET.png [--back ...] */
int cli_batch(int argc, char **argv);   /* batch TEMPLATE RECORDS -o DIR [-j N] ... */

/* True when argv holds -h or --help. */
int cli_wants_help(int argc, char **argv);

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

#endif
