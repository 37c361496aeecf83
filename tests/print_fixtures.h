/* Fixtures of the print-output tests (test_print.c, test_print_sheet.c,
 * test_static_cache.c; linked into every test program): the engine they
 * render with, templates and records from JSON text, renders that must
 * succeed, pixel and bit reads of colour images and 1-bit panels, and
 * comparisons of whole cards. Everything fails the running cmocka test on
 * error. The only state kept is the engine, made by print_setup. Run from
 * the project root (templates/, examples/records/). */
#ifndef CR_TEST_PRINT_FIXTURES_H
#define CR_TEST_PRINT_FIXTURES_H

#include <stdbool.h>
#include <stdint.h>

#include "cardrender.h"

#define PHOTO_TEMPLATE "templates/resident-id-zh-photo.json"
#define PHOTO_RECORD "examples/records/zh-zhang-wei.json"
#define ID_RECORD "{\"id_number\": \"110101199003074573\"}"

/* The default engine (cr_engine_create(NULL)), made and destroyed by the
 * cmocka group setup and teardown below. */
extern cr_engine *engine;
int print_setup(void **state);
int print_teardown(void **state);

/* A template ("print-test.json", assets from dir) or record from JSON text,
 * and a render with these options (NULL: defaults). */
cr_template *template_from(const char *json, const char *dir);
cr_record *record_from(const char *json);
cr_image *render_with(const cr_template *tpl, const cr_record *record,
                      const cr_render_options *options);

/* The RGB bytes of a colour image's pixel; a 1-bit panel's bit (1: ink)
 * and the count of bits set. */
const uint8_t *rgb_at(const cr_image *image, int x, int y);
int bit_at(const cr_image *panel, int x, int y);
long bits_set(const cr_image *panel);

/* Same size, format and bytes. */
bool same_pixels(const cr_image *a, const cr_image *b);

/* Every panel of a and b has the same size and bytes, and so have their
 * PNG files, and a's colour PNG decodes (plain libpng) to its pixels; what
 * names the comparison in the failure. */
void assert_same_card(const cr_image *a, const cr_image *b, const char *what);

/* A card with two overlay holes and a dithered K panel holding an ID number
 * (bound to id_number, ID_RECORD) and a line. */
extern const char overlay_card[];

#endif
