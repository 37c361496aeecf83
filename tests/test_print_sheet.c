/* Where a card lands on the printer: mirrored (colour and both 1-bit
 * panels), centred or offset on a printer's canvas, and imposed on sheets
 * of cards with crop marks, fronts, backs and K panels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cardrender.h"
#include "print_fixtures.h"

/* --------------------------------------------------------------- mirror */

static void assert_mirrored(const cr_image *plain, const cr_image *mirrored)
{
    int w = cr_image_width(plain), h = cr_image_height(plain);
    assert_int_equal(cr_image_width(mirrored), w);
    assert_int_equal(cr_image_height(mirrored), h);
    long differing = 0;
    bool bits = cr_image_format_of(plain) == CR_FORMAT_GRAY1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            differing += bits ? bit_at(plain, x, y) != bit_at(mirrored, w - 1 - x, y)
                              : memcmp(rgb_at(plain, x, y), rgb_at(mirrored, w - 1 - x, y), 3) != 0;
    assert_int_equal(differing, 0);
}

static void test_mirror_equals_a_flipped_render(void **state)
{
    cr_error err;
    cr_template *photo = cr_template_load_file(engine, PHOTO_TEMPLATE, &err);
    cr_record *photo_record = cr_record_load_file(PHOTO_RECORD, &err);
    assert_non_null(photo);
    assert_non_null(photo_record);
    cr_render_options mirror = {.struct_size = sizeof mirror, .mirror = 1};
    cr_image *plain = render_with(photo, photo_record, NULL);
    cr_image *mirrored = render_with(photo, photo_record, &mirror);
    assert_false(same_pixels(plain, mirrored));
    assert_mirrored(plain, mirrored);
    cr_image_destroy(mirrored);
    cr_image_destroy(plain);

    cr_template *panels = template_from(overlay_card, ".");
    cr_record *id = record_from(ID_RECORD);
    cr_render_options canvas = {.struct_size = sizeof canvas,
                                .canvas_width = 1016,
                                .canvas_height = 648,
                                .canvas_offset_x = 2};
    cr_render_options canvas_mirror = canvas;
    canvas_mirror.mirror = 1;
    plain = render_with(panels, id, &canvas);
    mirrored = render_with(panels, id, &canvas_mirror);
    for (int p = 0; p < CR_PANEL_COUNT; p++)
        assert_mirrored(cr_image_panel(plain, (cr_panel)p), cr_image_panel(mirrored, (cr_panel)p));
    cr_image_destroy(mirrored);
    cr_image_destroy(plain);
    cr_record_destroy(id);
    cr_template_destroy(panels);
    cr_record_destroy(photo_record);
    cr_template_destroy(photo);
}

/* --------------------------------------------------------------- canvas */

/* card lies at (x0, y0) on placed, which is white elsewhere. */
static void assert_placed(const cr_image *card, const cr_image *placed, int x0, int y0)
{
    int cw = cr_image_width(card), ch = cr_image_height(card);
    for (int y = 0; y < cr_image_height(placed); y++)
        for (int x = 0; x < cr_image_width(placed); x++) {
            bool on_card = x >= x0 && x < x0 + cw && y >= y0 && y < y0 + ch;
            static const uint8_t white[3] = {255, 255, 255};
            const uint8_t *want = on_card ? rgb_at(card, x - x0, y - y0) : white;
            if (memcmp(rgb_at(placed, x, y), want, 3) != 0)
                fail_msg("pixel (%d, %d) of the canvas is wrong", x, y);
        }
}

static void test_printer_canvas_centres_the_card(void **state)
{
    cr_error err;
    cr_template *tpl = cr_template_load_file(engine, PHOTO_TEMPLATE, &err);
    cr_record *record = cr_record_load_file(PHOTO_RECORD, &err);
    cr_image *card = render_with(tpl, record, NULL);
    assert_int_equal(cr_image_width(card), 1011);
    assert_int_equal(cr_image_height(card), 638);

    cr_render_options evolis = {
        .struct_size = sizeof evolis, .canvas_width = 1016, .canvas_height = 648};
    cr_image *placed = render_with(tpl, record, &evolis);
    assert_int_equal(cr_image_width(placed), 1016);
    assert_int_equal(cr_image_height(placed), 648);
    assert_placed(card, placed, 2, 5); /* (1016 - 1011) / 2, (648 - 638) / 2 */
    cr_image_destroy(placed);

    evolis.canvas_offset_x = -2;
    evolis.canvas_offset_y = 3;
    placed = render_with(tpl, record, &evolis);
    assert_placed(card, placed, 0, 8);
    cr_image_destroy(placed);

    evolis.canvas_offset_x = -3; /* one pixel off the canvas */
    assert_null(cr_render(engine, tpl, record, &evolis, &err));
    assert_int_equal(err.code, CR_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "does not lie wholly on the 1016x648 printer canvas"));
    cr_render_options fargo = {
        .struct_size = sizeof fargo, .canvas_width = 661, .canvas_height = 1035};
    assert_null(cr_render(engine, tpl, record, &fargo, &err)); /* a landscape card */
    assert_non_null(strstr(err.message, "1011x638 px card"));
    cr_image_destroy(card);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

/* ---------------------------------------------------------------- sheet */

static const char *const slot_colors[] = {"#ff0000", "#00ff00", "#0000ff", "#ffff00",
                                          "#ff00ff", "#00ffff", "#804000", "#408000"};

static cr_image *solid_card(const char *color)
{
    char json[256];
    snprintf(json, sizeof json,
             "{\"version\": 1, \"card\": {\"background\": \"%s\"}, \"fields\": []}", color);
    cr_template *tpl = template_from(json, ".");
    cr_image *card = render_with(tpl, NULL, NULL);
    cr_template_destroy(tpl);
    return card;
}

static void assert_color(const cr_image *image, int x, int y, const char *hex)
{
    unsigned r, g, b;
    sscanf(hex, "#%02x%02x%02x", &r, &g, &b);
    const uint8_t *p = rgb_at(image, x, y);
    if (p[0] != r || p[1] != g || p[2] != b)
        fail_msg("pixel (%d, %d) is %02x%02x%02x, not %s", x, y, p[0], p[1], p[2], hex);
}

static bool dark(const cr_image *image, int x, int y)
{
    const uint8_t *p = rgb_at(image, x, y);
    return p[0] < 128 && p[1] < 128 && p[2] < 128;
}

static void test_sheet_positions_marks_and_back(void **state)
{
    cr_image *cards[8];
    for (int i = 0; i < 8; i++)
        cards[i] = solid_card(slot_colors[i]);
    cr_error err;
    cr_sheet_options options;
    cr_sheet_options_init(&options);
    cr_image *front = cr_sheet_impose((const cr_image *const *)cards, 8, &options, &err);
    assert_non_null(front);
    options.back = 1;
    cr_image *back = cr_sheet_impose((const cr_image *const *)cards, 8, &options, &err);
    options.back = 0;
    options.mirror = 1;
    cr_image *mirrored = cr_sheet_impose((const cr_image *const *)cards, 8, &options, &err);
    assert_non_null(back);
    assert_non_null(mirrored);
    /* 6 mm margins = 71 px, 3 mm gaps = 35 px at 300 dpi */
    int margin = 71, gap = 35, cw = 1011, ch = 638;
    assert_int_equal(cr_image_width(front), 2 * margin + 2 * cw + gap);
    assert_int_equal(cr_image_height(front), 2 * margin + 4 * ch + 3 * gap);
    assert_int_equal(cr_image_dpi(front), 300);
    for (int i = 0; i < 8; i++) {
        int column = i % 2, row = i / 2;
        int x = margin + column * (cw + gap), y = margin + row * (ch + gap);
        int back_x = margin + (1 - column) * (cw + gap);
        assert_color(front, x + cw / 2, y + ch / 2, slot_colors[i]);
        assert_color(front, x + cw / 2, y + 1, slot_colors[i]);
        assert_color(front, x + cw - 1, y + ch / 2, slot_colors[i]);
        assert_color(front, x + cw, y + ch / 2, "#ffffff");
        assert_color(front, x, y, "#ffffff"); /* the punched corner */
        assert_color(back, back_x + cw / 2, y + ch / 2, slot_colors[i]);
        /* crop marks along the slot's cuts, in the margins */
        assert_true(dark(front, x, 10));
        assert_true(dark(front, x + cw, 10));
        assert_true(dark(front, x, cr_image_height(front) - 10));
        assert_true(dark(front, 10, y));
        assert_true(dark(front, cr_image_width(front) - 10, y + ch));
        assert_false(dark(front, x + cw / 2, 10)); /* no mark away from a cut */
        assert_false(dark(front, x, margin - 10)); /* marks stay 1.5 mm clear */
    }
    assert_color(front, margin + cw + gap / 2, 1000, "#ffffff"); /* the gap */
    assert_mirrored(front, mirrored);
    /* the back sheet is the front's slots mirrored: same size, marks at the same cuts */
    assert_int_equal(cr_image_width(back), cr_image_width(front));
    assert_true(dark(back, margin, 10));

    cr_image *too_many[9];
    memcpy(too_many, cards, sizeof cards);
    too_many[8] = cards[0];
    cr_sheet_options_init(&options);
    assert_null(cr_sheet_impose((const cr_image *const *)too_many, 9, &options, &err));
    assert_non_null(strstr(err.message, "9 cards do not fit a 2x4 sheet"));
    cr_image_destroy(mirrored);
    cr_image_destroy(back);
    cr_image_destroy(front);
    for (int i = 0; i < 8; i++)
        cr_image_destroy(cards[i]);
}

static void test_sheet_imposes_k_panels(void **state)
{
    cr_template *tpl = template_from(overlay_card, ".");
    cr_record *record = record_from(ID_RECORD);
    cr_image *card = render_with(tpl, record, NULL);
    const cr_image *cards[3] = {card, NULL, card};
    cr_error err;
    cr_image *sheet = cr_sheet_impose(cards, 3, NULL, &err);
    assert_non_null(sheet);
    const cr_image *k = cr_image_panel(sheet, CR_PANEL_K);
    assert_non_null(k);
    assert_non_null(cr_image_panel(sheet, CR_PANEL_OVERLAY));
    assert_int_equal(bits_set(k), 2 * bits_set(cr_image_panel(card, CR_PANEL_K)));
    /* slot 2 (column 0, row 1) holds the card's K panel bit for bit */
    const cr_image *card_k = cr_image_panel(card, CR_PANEL_K);
    int x0 = 71, y0 = 71 + 638 + 35;
    for (int y = 0; y < 638; y += 3)
        for (int x = 0; x < 1011; x += 3)
            assert_int_equal(bit_at(k, x0 + x, y0 + y), bit_at(card_k, x, y));
    cr_image_destroy(sheet);
    cr_image_destroy(card);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mirror_equals_a_flipped_render),
        cmocka_unit_test(test_printer_canvas_centres_the_card),
        cmocka_unit_test(test_sheet_positions_marks_and_back),
        cmocka_unit_test(test_sheet_imposes_k_panels),
    };
    return cmocka_run_group_tests_name("print sheets", tests, print_setup, print_teardown);
}
