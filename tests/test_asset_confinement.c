/* A record's photo path stays inside its asset folder even while someone
 * swaps a symbolic link under it: a thread flips assets/photo.jpg between a
 * file inside the folder and one outside it while the main thread opens it
 * again and again, through the kernel's check (openat2 RESOLVE_BENEATH) and
 * through the fallback that asks /proc what was opened. Every open that
 * succeeds must be of the inside file; checking with realpath() and then
 * opening, as the engine once did, lets some opens through to the outside
 * file. Also: links that stay inside work, links that lead out and ".."
 * are refused as escaping, a FIFO is refused at once. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "input_file.h"
#include "paths.h"
#include "support.h"

typedef struct sandbox {
    char root[64];
    char assets[96];
    ino_t inside_inode;
} sandbox;

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void path_in(char *out, size_t size, const char *folder, const char *name)
{
    snprintf(out, size, "%s/%s", folder, name);
}

static void sandbox_make(sandbox *s)
{
    scratch_dir_make(s->root, sizeof s->root, "cr-confine");
    path_in(s->assets, sizeof s->assets, s->root, "assets");
    assert_int_equal(mkdir(s->assets, 0700), 0);
    char path[160];
    path_in(path, sizeof path, s->assets, "inside.jpg");
    write_file(path, "inside");
    struct stat info;
    assert_int_equal(stat(path, &info), 0);
    s->inside_inode = info.st_ino;
    path_in(path, sizeof path, s->root, "outside.jpg");
    write_file(path, "outside");
}

static void link_as(const sandbox *s, const char *target, const char *name)
{
    char path[160], temp[176];
    path_in(path, sizeof path, s->assets, name);
    snprintf(temp, sizeof temp, "%s.new", path);
    unlink(temp);
    assert_int_equal(symlink(target, temp), 0);
    assert_int_equal(rename(temp, path), 0); /* the link changes in one step */
}

typedef struct flipper {
    const sandbox *box;
    atomic_bool stop;
    atomic_long flips;
} flipper;

static void *flip_links(void *argument)
{
    flipper *f = argument;
    for (int i = 0; !atomic_load(&f->stop); i++) {
        link_as(f->box, i % 2 ? "inside.jpg" : "../outside.jpg", "photo.jpg");
        atomic_fetch_add(&f->flips, 1);
    }
    return NULL;
}

/* Opens photo.jpg beneath the folder while the link flips, until both the
 * inside file was opened and the outside one refused `enough` times (at
 * most a million tries); fails on any open of another file than the inside
 * one. */
static void open_while_flipping(const sandbox *s, bool verify_only, int enough)
{
    flipper f = {s, false, 0};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, flip_links, &f), 0);
    while (atomic_load(&f.flips) < 2)
        sched_yield();
    int folder = open(s->assets, O_PATH | O_DIRECTORY | O_CLOEXEC);
    assert_true(folder >= 0);
    int opened = 0, refused = 0;
    for (int i = 0; i < 1000000 && (opened < enough || refused < enough); i++) {
        const char *kind;
        int fd = cr_open_input_beneath(folder, "photo.jpg", verify_only, &kind);
        if (fd < 0) {
            refused += errno == EXDEV;
            continue;
        }
        struct stat info;
        assert_int_equal(fstat(fd, &info), 0);
        close(fd);
        if (info.st_ino != s->inside_inode)
            fail_msg("open %d (%s) reached a file outside the asset folder", i,
                     verify_only ? "/proc check" : "openat2");
        opened++;
    }
    atomic_store(&f.stop, true);
    pthread_join(thread, NULL);
    close(folder);
    /* Both outcomes happened, so the race was really run. */
    assert_true(opened >= enough);
    assert_true(refused >= enough);
}

static void test_swapped_link_never_leads_out(void **state)
{
    sandbox s;
    sandbox_make(&s);
    open_while_flipping(&s, false, 500);
    open_while_flipping(&s, true, 500);
    scratch_dir_remove(s.root);
}

static void expect_escape(const sandbox *s, const char *name)
{
    int fd;
    char *path;
    cr_error err;
    assert_int_equal(cr_asset_open(s->assets, name, &fd, &path, &err), CR_ERR_RECORD);
    assert_null(path);
    char want[256];
    snprintf(want, sizeof want, "\"%s\" escapes the asset folder \"%s\"", name, s->assets);
    assert_string_equal(err.message, want);
}

static void test_links_inside_work_and_outside_are_refused(void **state)
{
    sandbox s;
    sandbox_make(&s);
    link_as(&s, "inside.jpg", "good.jpg");
    link_as(&s, "../outside.jpg", "bad.jpg");
    int fd;
    char *path;
    cr_error err;
    assert_int_equal(cr_asset_open(s.assets, "good.jpg", &fd, &path, &err), CR_OK);
    char want[160];
    path_in(want, sizeof want, s.assets, "good.jpg");
    assert_string_equal(path, want);
    char text[16] = {0};
    assert_int_equal(read(fd, text, sizeof text - 1), 6);
    assert_string_equal(text, "inside");
    close(fd);
    free(path);
    expect_escape(&s, "bad.jpg");
    expect_escape(&s, "../outside.jpg");
    expect_escape(&s, "sub/../../outside.jpg");

    path_in(want, sizeof want, s.assets, "pipe.jpg");
    assert_int_equal(mkfifo(want, 0600), 0);
    assert_int_equal(cr_asset_open(s.assets, "pipe.jpg", &fd, &path, &err), CR_ERR_IO);
    assert_non_null(strstr(err.message, "pipe.jpg: is a FIFO, not an image file"));
    assert_int_equal(cr_asset_open(s.assets, "none.jpg", &fd, &path, &err), CR_ERR_IO);
    assert_non_null(strstr(err.message, "none.jpg: cannot open: No such file or directory"));
    unlink(want);
    char gone[160];
    path_in(gone, sizeof gone, s.root, "gone");
    assert_int_equal(cr_asset_open(gone, "x.jpg", &fd, &path, &err), CR_ERR_IO);
    assert_non_null(strstr(err.message, "cannot be used: No such file or directory"));
    scratch_dir_remove(s.root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_swapped_link_never_leads_out),
        cmocka_unit_test(test_links_inside_work_and_outside_are_refused),
    };
    return cmocka_run_group_tests_name("asset confinement", tests, NULL, NULL);
}
