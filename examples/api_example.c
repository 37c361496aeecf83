/* The smallest complete use of the cardrender C API: one engine, one
 * template, one record, one PNG.
 *   api_example TEMPLATE RECORD OUT.png */
#include <stdio.h>

#include "cardrender.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s TEMPLATE RECORD OUT.png\n", argv[0]);
        return 2;
    }
    cr_error err;
    cr_engine *engine = cr_engine_create(NULL, &err); /* share it: it holds fonts and caches */
    cr_template *tpl = engine ? cr_template_load_file(engine, argv[1], &err) : NULL;
    cr_record *record = tpl ? cr_record_load_file(argv[2], &err) : NULL;
    cr_image *image = record ? cr_render(engine, tpl, record, NULL, &err) : NULL;
    int ok = image && cr_image_write_png_file(image, argv[3], &err) == CR_OK;
    if (ok)
        printf("%s: %d x %d px at %d dpi\n", argv[3], cr_image_width(image),
               cr_image_height(image), cr_image_dpi(image));
    else
        fprintf(stderr, "api_example: %s\n", err.message);
    cr_image_destroy(image);
    cr_record_destroy(record);
    cr_template_destroy(tpl);
    cr_engine_destroy(engine);
    return ok ? 0 : 1;
}
