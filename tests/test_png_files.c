/* Where the PNG writer's files go: the mode of a new file and no temporary
 * left over, a missing folder, a rename that fails, a folder refused, and
 * links and streams (a link's target replaced, a FIFO and a device written
 * in place, a reader that hangs up). The writer's bytes themselves are
 * test_png.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "png_fixtures.h"
#include "png_io.h"

static void test_file_mode_and_no_leftovers(void **state)
{
    cr_canvas c;
    png_fix_make_canvas(&c, 8, 8);
    char path[128];
    png_fix_work_path(path, sizeof path, "mode.png");
    mode_t old_mask = umask(022);
    assert_int_equal(cr_png_write_file(&c, 300, path, NULL), CR_OK);
    /* Overwriting an existing file works too (rename replaces it). */
    assert_int_equal(cr_png_write_file(&c, 300, path, NULL), CR_OK);
    umask(old_mask);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(png_fix_files_in_work_dir(), 1); /* no temporary left */
    unlink(path);
    cr_canvas_free(&c);
}

static void test_missing_folder(void **state)
{
    cr_canvas c;
    png_fix_make_canvas(&c, 8, 8);
    char path[128];
    png_fix_work_path(path, sizeof path, "missing/card.png");
    cr_error err;
    assert_int_equal(cr_png_write_file(&c, 300, path, &err), CR_ERR_IO);
    assert_int_equal(err.code, CR_ERR_IO);
    assert_string_equal(err.file, path);
    assert_non_null(strstr(err.message, path));
    assert_non_null(strstr(err.message, "No such file or directory"));
    assert_int_equal(png_fix_files_in_work_dir(), 0);
    assert_int_equal(access(path, F_OK), -1);
    cr_canvas_free(&c);
}

/* The last step fails (a folder came in the way after the temporary was
 * made): the temporary goes too. */
static void test_failed_rename_leaves_nothing(void **state)
{
    char path[128];
    png_fix_work_path(path, sizeof path, "folder.png");
    cr_atomic_file file;
    int error_number;
    assert_null(cr_atomic_file_open(&file, path, false, &error_number));
    assert_null(cr_atomic_file_write(&file, "PNG", 3, &error_number));
    assert_int_equal(mkdir(path, 0755), 0);
    assert_string_equal(cr_atomic_file_commit(&file, true, &error_number),
                        "renaming the temporary file failed");
    assert_int_equal(error_number, EISDIR);
    assert_int_equal(png_fix_files_in_work_dir(), 1);
    assert_int_equal(rmdir(path), 0);
}

/* A folder under the name is refused before anything is written. */
static void test_directory_refused(void **state)
{
    cr_canvas c;
    png_fix_make_canvas(&c, 8, 8);
    char path[128];
    png_fix_work_path(path, sizeof path, "folder.png");
    assert_int_equal(mkdir(path, 0755), 0);
    cr_error err;
    assert_int_equal(cr_png_write_file(&c, 300, path, &err), CR_ERR_IO);
    assert_string_equal(err.file, path);
    assert_non_null(strstr(err.message, "cannot write PNG: it is a directory"));
    assert_int_equal(png_fix_files_in_work_dir(), 1);
    assert_int_equal(rmdir(path), 0);
    cr_canvas_free(&c);
}

/* -------------------------------------------------- links and streams */

static void assert_file_is(const char *path, const uint8_t *want, size_t want_size)
{
    size_t size;
    uint8_t *data = png_fix_read_bytes(path, &size);
    assert_int_equal(size, want_size);
    assert_memory_equal(data, want, size);
    free(data);
}

static bool is_link(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* A link is followed: its target gets the new bytes through a temporary
 * beside the target, the link stays a link. */
static void test_link_target_replaced(void **state)
{
    cr_canvas c;
    png_fix_make_canvas(&c, 40, 30);
    uint8_t *png;
    size_t size;
    assert_int_equal(cr_png_write_memory(&c, 300, &png, &size, NULL), CR_OK);
    char target[128], link[128];
    png_fix_work_path(target, sizeof target, "target.png");
    png_fix_work_path(link, sizeof link, "link.png");
    png_fix_write_bytes(target, (const uint8_t *)"old", 3);
    assert_int_equal(symlink("target.png", link), 0);
    assert_int_equal(cr_png_write_file(&c, 300, link, NULL), CR_OK);
    assert_true(is_link(link));
    assert_file_is(target, png, size);
    assert_int_equal(png_fix_files_in_work_dir(), 2);
    /* A dangling link: its target is made, as cp makes it. */
    assert_int_equal(unlink(target), 0);
    assert_int_equal(cr_png_write_file(&c, 300, link, NULL), CR_OK);
    assert_true(is_link(link));
    assert_file_is(target, png, size);
    assert_int_equal(unlink(link), 0);
    assert_int_equal(unlink(target), 0);
    free(png);
    cr_canvas_free(&c);
}

typedef struct fifo_reader {
    const char *path;
    uint8_t *data;
    size_t size;
    bool hang_up; /* close at once instead of reading */
} fifo_reader;

static void *read_fifo(void *argument)
{
    fifo_reader *r = argument;
    FILE *f = fopen(r->path, "rb");
    if (!f || r->hang_up) {
        if (f)
            fclose(f);
        return NULL;
    }
    uint8_t chunk[4096];
    for (size_t n; (n = fread(chunk, 1, sizeof chunk, f)) > 0; r->size += n) {
        r->data = realloc(r->data, r->size + n);
        memcpy(r->data + r->size, chunk, n);
    }
    fclose(f);
    return NULL;
}

/* Noise: a PNG much larger than a pipe's buffer. */
static void make_noise(cr_canvas *c, int width, int height)
{
    assert_int_equal(cr_canvas_init(c, width, height, NULL), CR_OK);
    uint32_t state = 12345;
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width * 3; x++) {
            state = state * 1103515245u + 12345u;
            c->pixels[(size_t)y * c->stride + (size_t)x] = (uint8_t)(state >> 24);
        }
}

/* A FIFO is written in place: the reader gets the bytes, no temporary is
 * made beside it, and it stays a FIFO. /dev/null takes a PNG too. */
static void test_fifo_and_device_written_in_place(void **state)
{
    cr_canvas c;
    make_noise(&c, 200, 200);
    uint8_t *png;
    size_t size;
    assert_int_equal(cr_png_write_memory(&c, 300, &png, &size, NULL), CR_OK);
    char path[128];
    png_fix_work_path(path, sizeof path, "fifo.png");
    assert_int_equal(mkfifo(path, 0644), 0);
    fifo_reader reader = {.path = path};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, read_fifo, &reader), 0);
    cr_png_params sync = {.sync = true};
    assert_int_equal(cr_png_write_file_with(&c, 300, &sync, path, NULL), CR_OK);
    pthread_join(thread, NULL);
    assert_int_equal(reader.size, size);
    assert_memory_equal(reader.data, png, size);
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    assert_int_equal(png_fix_files_in_work_dir(), 1);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(cr_png_write_file(&c, 300, "/dev/null", NULL), CR_OK);
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    free(reader.data);
    free(png);
    cr_canvas_free(&c);
}

/* A reader that hangs up is an error naming the path (EPIPE), and no
 * SIGPIPE kills the process or is left pending. */
static void test_reader_gone_is_an_error(void **state)
{
    cr_canvas c;
    make_noise(&c, 200, 200);
    char path[128];
    png_fix_work_path(path, sizeof path, "gone.png");
    assert_int_equal(mkfifo(path, 0644), 0);
    fifo_reader reader = {.path = path, .hang_up = true};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, read_fifo, &reader), 0);
    cr_error err;
    assert_int_equal(cr_png_write_file(&c, 300, path, &err), CR_ERR_IO);
    pthread_join(thread, NULL);
    assert_string_equal(err.file, path);
    assert_non_null(strstr(err.message, "cannot write PNG: writing it failed: Broken pipe"));
    sigset_t pending;
    assert_int_equal(sigpending(&pending), 0);
    assert_false(sigismember(&pending, SIGPIPE));
    assert_int_equal(unlink(path), 0);
    cr_canvas_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_mode_and_no_leftovers),
        cmocka_unit_test(test_missing_folder),
        cmocka_unit_test(test_failed_rename_leaves_nothing),
        cmocka_unit_test(test_directory_refused),
        cmocka_unit_test(test_link_target_replaced),
        cmocka_unit_test(test_fifo_and_device_written_in_place),
        cmocka_unit_test(test_reader_gone_is_an_error),
    };
    return cmocka_run_group_tests_name("png files", tests, png_fix_make_work_dir,
                                       png_fix_remove_work_dir);
}
