/* Output names, the name set and the folder checks of a batch. */
#include "batch_output.h"

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

static bool read_at(int fd, void *buffer, size_t length, off_t offset)
{
    ssize_t n = pread(fd, buffer, length, offset);
    return n == (ssize_t)length;
}

bool cr_png_file_complete(const char *path)
{
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    /* An empty IEND chunk: length 0, type, CRC of the type. */
    static const unsigned char iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    unsigned char head[8], tail[12];
    bool complete = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
                    st.st_size >= (off_t)(sizeof head + sizeof tail) &&
                    read_at(fd, head, sizeof head, 0) && !memcmp(head, signature, sizeof head) &&
                    read_at(fd, tail, sizeof tail, st.st_size - (off_t)sizeof tail) &&
                    !memcmp(tail, iend, sizeof tail);
    close(fd);
    return complete;
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
