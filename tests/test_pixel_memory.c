/* Pixel buffers (render/base/pixel_memory.c): zeroed when asked, also when
 * a freed mapping is handed out again, 64-byte aligned, every byte usable,
 * for sizes on both sides of the mapping threshold. Under AddressSanitizer
 * every buffer is the heap's, and the same promises hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pixel_memory.h"

static const size_t sizes[] = {1,       4096,     (512u << 10) - 1, 512u << 10,
                               1940000, 2u << 20, (2u << 20) + 1,   7730000};

static void expect_zero(const uint8_t *p, size_t size)
{
    for (size_t i = 0; i < size; i++)
        if (p[i] != 0)
            fail_msg("byte %zu of %zu is %d, not 0", i, size, p[i]);
}

static void test_zeroed_and_aligned(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t *p = cr_pixel_memory_alloc(sizes[i], true);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 64, 0);
        expect_zero(p, sizes[i]);
        memset(p, 0xa5, sizes[i]); /* every byte is the caller's */
        cr_pixel_memory_free(p);
    }
}

/* A buffer freed dirty and taken again (the same length: a kept mapping)
 * is zero when zeroed is asked for. */
static void test_reused_buffers_are_zeroed(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        for (int round = 0; round < 3; round++) {
            uint8_t *p = cr_pixel_memory_alloc(sizes[i], true);
            assert_non_null(p);
            expect_zero(p, sizes[i]);
            memset(p, 0xff, sizes[i]);
            cr_pixel_memory_free(p);
        }
    }
}

/* Many buffers at once (more than are ever kept), freed in another order. */
static void test_many_at_once(void **state)
{
    (void)state;
    enum { COUNT = 40 };
    uint8_t *held[COUNT];
    for (int i = 0; i < COUNT; i++) {
        held[i] = cr_pixel_memory_alloc(1940000, i % 2 == 0);
        assert_non_null(held[i]);
        held[i][0] = (uint8_t)i;
        held[i][1940000 - 1] = (uint8_t)i;
    }
    for (int i = 0; i < COUNT; i++)
        assert_true(held[i][0] == (uint8_t)i && held[i][1940000 - 1] == (uint8_t)i);
    for (int i = COUNT - 1; i >= 0; i -= 2)
        cr_pixel_memory_free(held[i]);
    for (int i = COUNT - 2; i >= 0; i -= 2)
        cr_pixel_memory_free(held[i]);
}

static void test_edges(void **state)
{
    (void)state;
    assert_null(cr_pixel_memory_alloc(0, true));
    assert_null(cr_pixel_memory_alloc(SIZE_MAX, true));
    cr_pixel_memory_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zeroed_and_aligned),
        cmocka_unit_test(test_reused_buffers_are_zeroed),
        cmocka_unit_test(test_many_at_once),
        cmocka_unit_test(test_edges),
    };
    cr_pixel_memory_prefer_mappings(); /* the mapped path is the one to test */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
