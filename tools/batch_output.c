/* Output names, the name set and the folder checks of a batch. */
#include "batch_output.h"
#include "input_file.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "error.h"
#include "hash_table.h"

enum { MAX_FILE_NAME = 255, NUMBER_DIGITS = 6 };

/* ------------------------------------------------------- name patterns */

/* One piece of a pattern: literal text, a record key, or the number. */
typedef struct name_part {
    enum { PART_TEXT, PART_KEY, PART_NUMBER } kind;
    char *text; /* the literal or the key */
} name_part;

struct cr_name_pattern {
    name_part *parts;
    size_t count;
};

void cr_name_pattern_destroy(cr_name_pattern *pattern)
{
    if (!pattern)
        return;
    for (size_t i = 0; i < pattern->count; i++)
        free(pattern->parts[i].text);
    free(pattern->parts);
    free(pattern);
}

static cr_status pattern_error(const char *pattern, cr_error *err, const char *why)
{
    return cr_fail(err, CR_ERR_ARGUMENT, "name pattern \"%s\": %s", pattern, why);
}

static bool add_part(cr_name_pattern *p, int kind, const char *text, size_t length)
{
    char *copy = strndup(text, length);
    if (!copy)
        return false;
    p->parts[p->count].kind = kind;
    p->parts[p->count++].text = copy;
    return true;
}

/* Checks the whole pattern before it is split, so errors name the pattern. */
static cr_status check_pattern(const char *pattern, cr_error *err)
{
    size_t length = strlen(pattern);
    if (length < 5 || strcmp(pattern + length - 4, ".png"))
        return pattern_error(pattern, err, "must end in \".png\", e.g. \"{id_number}.png\"");
    if (strchr(pattern, '/'))
        return pattern_error(pattern, err, "holds a '/': files go straight into the output folder");
    bool open = false;
    for (const char *c = pattern; *c; c++) {
        if (*c == '{' && open)
            return pattern_error(pattern, err, "'{' inside a placeholder");
        if (*c == '}' && !open)
            return pattern_error(pattern, err, "'}' without a '{' before it");
        if (*c == '}' && c[-1] == '{')
            return pattern_error(pattern, err, "an empty placeholder {}");
        if (*c == '{' || *c == '}')
            open = *c == '{';
    }
    if (open)
        return pattern_error(pattern, err, "a placeholder is not closed with '}'");
    return CR_OK;
}

cr_name_pattern *cr_name_pattern_parse(const char *pattern, cr_error *err)
{
    cr_error_clear(err);
    if (check_pattern(pattern, err) != CR_OK)
        return NULL;
    cr_name_pattern *p = calloc(1, sizeof *p);
    /* Each piece ends at a brace: never more than braces + 1 pieces. */
    size_t most = 1;
    for (const char *c = pattern; *c; c++)
        most += *c == '{' || *c == '}';
    if (p)
        p->parts = calloc(most, sizeof *p->parts);
    bool ok = p && p->parts;
    for (const char *c = pattern; ok && *c;) {
        if (*c == '{') {
            const char *end = strchr(c, '}');
            bool number = end - c == 2 && c[1] == '#';
            ok = add_part(p, number ? PART_NUMBER : PART_KEY, c + 1, (size_t)(end - c - 1));
            c = end + 1;
        } else {
            size_t length = strcspn(c, "{");
            ok = add_part(p, PART_TEXT, c, length);
            c += length;
        }
    }
    if (!ok) {
        cr_name_pattern_destroy(p);
        cr_fail(err, CR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    return p;
}

bool cr_name_pattern_uses_keys(const cr_name_pattern *pattern)
{
    for (size_t i = 0; i < pattern->count; i++)
        if (pattern->parts[i].kind == PART_KEY)
            return true;
    return false;
}

/* '/' would leave the folder, '\' confuses other systems, control
 * characters have no place in a name. */
static char safe_byte(char c)
{
    return c == '/' || c == '\\' || (unsigned char)c < 0x20 || c == 0x7F ? '_' : c;
}

static cr_status key_value(const name_part *part, const cr_record *record, const char **value,
                           cr_error *err)
{
    *value = record ? cr_record_get(record, part->text) : NULL;
    if (!*value)
        return cr_fail(err, CR_ERR_RECORD,
                       "the output name needs the key \"%s\": the record has none", part->text);
    if (!(*value)[0])
        return cr_fail(err, CR_ERR_RECORD, "the output name needs the key \"%s\": it is empty",
                       part->text);
    return CR_OK;
}

cr_status cr_name_pattern_expand(const cr_name_pattern *pattern, long number,
                                 const cr_record *record, char **name, cr_error *err)
{
    cr_error_clear(err);
    *name = NULL;
    char out[MAX_FILE_NAME + 1];
    size_t used = 0;
    for (size_t i = 0; i < pattern->count; i++) {
        const name_part *part = &pattern->parts[i];
        char digits[32];
        const char *value = part->text;
        if (part->kind == PART_NUMBER) {
            snprintf(digits, sizeof digits, "%0*ld", NUMBER_DIGITS, number);
            value = digits;
        } else if (part->kind == PART_KEY && key_value(part, record, &value, err) != CR_OK) {
            return err ? err->code : CR_ERR_RECORD;
        }
        for (const char *c = value; *c; c++) {
            if (used == MAX_FILE_NAME)
                return cr_fail(err, CR_ERR_RECORD, "the output name is longer than %d bytes",
                               MAX_FILE_NAME);
            out[used++] = safe_byte(*c);
        }
    }
    out[used] = '\0';
    if (out[0] == '.') /* hidden, or "." and ".." */
        out[0] = '_';
    *name = strdup(out);
    return *name ? CR_OK : cr_fail(err, CR_ERR_NOMEM, "out of memory");
}

/* ----------------------------------------------------------- name set */

typedef struct name_entry {
    cr_hash_node node; /* first: the table's link and the name's hash */
    long number;
    char name[];
} name_entry;

struct cr_name_set {
    cr_hash_table table; /* of name_entry */
};

cr_name_set *cr_name_set_create(void)
{
    cr_name_set *set = calloc(1, sizeof *set);
    if (set && !cr_hash_table_init(&set->table, 1024)) {
        free(set);
        return NULL;
    }
    return set;
}

static void free_entry(cr_hash_node *node)
{
    free(node);
}

void cr_name_set_destroy(cr_name_set *set)
{
    if (!set)
        return;
    cr_hash_table_free(&set->table, free_entry);
    free(set);
}

static bool same_name(const cr_hash_node *node, const void *name)
{
    return !strcmp(((const name_entry *)node)->name, name);
}

bool cr_name_set_add(cr_name_set *set, const char *name, long number, long *holder)
{
    *holder = 0;
    uint64_t hash = cr_hash_string(name);
    const name_entry *held =
        (const name_entry *)cr_hash_table_find(&set->table, hash, same_name, name);
    if (held) {
        *holder = held->number;
        return false;
    }
    size_t length = strlen(name);
    name_entry *entry = malloc(sizeof *entry + length + 1);
    if (!entry)
        return false;
    memcpy(entry->name, name, length + 1);
    entry->number = number;
    entry->node.hash = hash;
    cr_hash_table_add(&set->table, &entry->node);
    return true;
}

/* --------------------------------------------------------- the folder */

/* ------------------------------------------------- verifying a card */

enum { MAX_CARD_BYTES = 512 << 20 }; /* far above any card's PNG */

typedef struct png_walk {
    const unsigned char *data;
    size_t size, at;
    uint32_t width, height;
    int bit_depth, channels;
    z_stream z;
    bool z_ready, z_done;
    size_t inflated, expected;
    unsigned char sink[65536];
} png_walk;

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool fail_why(char *why, size_t size, const char *reason)
{
    snprintf(why, size, "%s", reason);
    return false;
}

/* Channels per pixel for a PNG colour type, 0 for none. */
static int channels_of(int color_type)
{
    switch (color_type) {
    case 0:
        return 1;
    case 2:
        return 3;
    case 3:
        return 1;
    case 4:
        return 2;
    case 6:
        return 4;
    default:
        return 0;
    }
}

static bool read_ihdr(png_walk *w, const unsigned char *d, uint32_t length)
{
    if (length != 13)
        return false;
    w->width = be32(d);
    w->height = be32(d + 4);
    w->bit_depth = d[8];
    w->channels = channels_of(d[9]);
    bool plain = d[10] == 0 && d[11] == 0 && d[12] == 0; /* deflate, adaptive, no interlace */
    if (!w->width || !w->height || !w->channels || !plain || w->width > (1u << 20) ||
        w->height > (1u << 20))
        return false;
    size_t row_bits = (size_t)w->width * (size_t)w->channels * (size_t)w->bit_depth;
    w->expected = (size_t)w->height * (1 + (row_bits + 7) / 8);
    return inflateInit(&w->z) == Z_OK && (w->z_ready = true);
}

/* Feeds an IDAT's bytes to zlib, counting what comes out. */
static bool inflate_idat(png_walk *w, const unsigned char *d, uint32_t length)
{
    if (!w->z_ready || w->z_done)
        return false;
    w->z.next_in = (unsigned char *)d;
    w->z.avail_in = length;
    while (w->z.avail_in > 0 && !w->z_done) {
        w->z.next_out = w->sink;
        w->z.avail_out = sizeof w->sink;
        int status = inflate(&w->z, Z_NO_FLUSH);
        w->inflated += sizeof w->sink - w->z.avail_out;
        if (status == Z_STREAM_END)
            w->z_done = true;
        else if (status != Z_OK || w->inflated > w->expected)
            return false;
    }
    return w->z.avail_in == 0;
}

/* Every chunk whole with its CRC, IHDR first, the IDATs inflating (zlib
 * checks their Adler-32) to exactly the image's rows, IEND last. */
static bool walk_chunks(png_walk *w, char *why, size_t why_size)
{
    bool seen_ihdr = false;
    while (w->at + 12 <= w->size) {
        uint32_t length = be32(w->data + w->at);
        const unsigned char *type = w->data + w->at + 4;
        if (length > w->size - w->at - 12)
            return fail_why(why, why_size, "a chunk runs past the end of the file");
        const unsigned char *body = type + 4;
        uLong crc = crc32(crc32(0, NULL, 0), type, length + 4);
        if (crc != be32(body + length))
            return fail_why(why, why_size, "a chunk's CRC is wrong");
        w->at += 12 + (size_t)length;
        if (!seen_ihdr && memcmp(type, "IHDR", 4))
            return fail_why(why, why_size, "IHDR is not the first chunk");
        if (!memcmp(type, "IHDR", 4)) {
            if (seen_ihdr || !read_ihdr(w, body, length))
                return fail_why(why, why_size, "its IHDR is not one the engine writes");
            seen_ihdr = true;
        } else if (!memcmp(type, "IDAT", 4) && !inflate_idat(w, body, length)) {
            return fail_why(why, why_size, "its image data does not inflate to the rows");
        } else if (!memcmp(type, "IEND", 4)) {
            if (w->at != w->size)
                return fail_why(why, why_size, "bytes follow IEND");
            if (!w->z_done || w->inflated != w->expected)
                return fail_why(why, why_size, "its image data is cut short");
            return true;
        }
    }
    return fail_why(why, why_size, "it ends before IEND");
}

static unsigned char *read_whole(int fd, size_t size)
{
    unsigned char *data = malloc(size ? size : 1);
    size_t done = 0;
    while (data && done < size) {
        ssize_t n = pread(fd, data + done, size - done, (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            free(data);
            return NULL;
        }
        done += (size_t)n;
    }
    return data;
}

bool cr_png_file_verify(const char *path, char *why, size_t why_size)
{
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    struct stat st;
    if (lstat(path, &st) != 0)
        return fail_why(why, why_size, strerror(errno));
    if (S_ISLNK(st.st_mode)) /* a link to another card is not this card */
        return fail_why(why, why_size, "it is a symbolic link");
    const char *kind;
    int fd = cr_open_input(path, &kind); /* a FIFO must not block the check */
    if (fd < 0)
        return fail_why(why, why_size, kind ? kind : strerror(errno));
    bool whole = fstat(fd, &st) == 0 && st.st_size > 8 && st.st_size < MAX_CARD_BYTES;
    unsigned char *data = whole ? read_whole(fd, (size_t)st.st_size) : NULL;
    close(fd);
    if (!data)
        return fail_why(why, why_size, "it is empty, too large or unreadable");
    png_walk *w = calloc(1, sizeof *w);
    bool ok = false;
    if (!w)
        fail_why(why, why_size, "out of memory");
    else if (memcmp(data, signature, sizeof signature))
        fail_why(why, why_size, "it does not start with the PNG signature");
    else {
        *w = (png_walk){.data = data, .size = (size_t)st.st_size, .at = sizeof signature};
        ok = walk_chunks(w, why, why_size);
    }
    if (w && w->z_ready)
        inflateEnd(&w->z);
    free(w);
    free(data);
    return ok;
}

static bool is_name_piece(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if (!isalnum((unsigned char)text[i]) && text[i] != '-' && text[i] != '_')
            return false;
    return length > 0;
}

/* "NAME.png" then dot-separated pieces of letters, digits, '-' and '_', one
 * of them "tmp": what the PNG writers make (atomic_file.h:
 * "NAME.png.XXXXXX.tmp"), the scheme the 1-bit writer used before
 * ("NAME.png.PID-N.tmp", left by an older version) and the usual variants
 * ("NAME.png.tmp.XXXXXX"). */
bool cr_is_png_temporary_name(const char *name)
{
    const char *png = strstr(name, ".png.");
    if (!png || png == name)
        return false;
    bool has_tmp = false;
    for (const char *piece = png + 5;;) {
        size_t length = strcspn(piece, ".");
        if (!is_name_piece(piece, length))
            return false;
        has_tmp |= length == 3 && !strncmp(piece, "tmp", 3);
        if (!piece[length])
            return has_tmp;
        piece += length + 1;
    }
}

static cr_status folder_error(cr_error *err, const char *path, const char *what)
{
    cr_location where = CR_NO_LOCATION;
    where.file = path;
    return cr_error_set(err, CR_ERR_IO, where, "%s: %s", what, strerror(errno));
}

cr_status cr_remove_png_temporaries(const char *dir, size_t *removed, cr_error *err)
{
    *removed = 0;
    DIR *folder = opendir(dir);
    if (!folder)
        return folder_error(err, dir, "cannot list the output folder");
    cr_status status = CR_OK;
    struct dirent *entry;
    while (status == CR_OK && (entry = readdir(folder))) {
        if (!cr_is_png_temporary_name(entry->d_name))
            continue;
        if (unlinkat(dirfd(folder), entry->d_name, 0) == 0) {
            (*removed)++;
        } else if (errno != ENOENT) {
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", dir, entry->d_name);
            status = folder_error(err, path, "cannot delete a stale temporary file");
        }
    }
    closedir(folder);
    return status;
}

static bool is_folder(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

cr_status cr_make_folder(const char *dir, cr_error *err)
{
    if (!dir[0])
        return cr_fail(err, CR_ERR_ARGUMENT, "no output folder given");
    char *path = strdup(dir);
    if (!path)
        return cr_fail(err, CR_ERR_NOMEM, "out of memory");
    cr_status status = CR_OK;
    /* Each parent in turn, then the folder itself. */
    for (char *slash = path; status == CR_OK && slash;) {
        slash = strchr(slash + 1, '/');
        if (slash)
            *slash = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            status = folder_error(err, path, "cannot create the output folder");
        if (slash)
            *slash = '/';
    }
    free(path);
    if (status == CR_OK && !is_folder(dir)) {
        errno = ENOTDIR;
        status = folder_error(err, dir, "cannot use the output folder");
    }
    return status;
}
