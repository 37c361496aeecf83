/* Font manifest (which file holds which family, fallback chains per script)
 * and the library of loaded faces, shared by every template of an engine. */
#include "fonts.h"
#include "input_file.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <unicode/uchar.h>
#include <hb-ot.h>
#include FT_TRUETYPE_TABLES_H

#include "array.h"
#include "error.h"
#include "json_locate.h"

/* ------------------------------------------------------------ manifest */

typedef struct manifest_family {
    char *name;
    char *file;
    char *package; /* NULL when the manifest names none */
    int index;
} manifest_family;

typedef struct fallback_chain {
    char *script;
    const char **families; /* names owned by the manifest's families */
    size_t count;
} fallback_chain;

/* A family that alone draws a range of private-use code points. */
typedef struct private_use_range {
    uint32_t first, last;
    const char *family; /* owned by the manifest's families */
} private_use_range;

struct cr_font_manifest {
    char *path; /* as given, for messages */
    char *dir;  /* the manifest's own folder */
    char **search_dirs;
    size_t search_dir_count;
    manifest_family *families;
    size_t family_count;
    fallback_chain *chains;
    size_t chain_count;
    const fallback_chain *default_chain; /* NULL when there is none */
    private_use_range *private_use;
    size_t private_use_count;
    const char *text; /* the manifest's text while it is read, else NULL */
    size_t text_length;
};

static char *dup_string(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* "a/b/c.json" -> "a/b"; "c.json" -> "."; "/c.json" -> "/". */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static char *join_path(const char *dir, const char *name)
{
    size_t dir_len = strlen(dir);
    bool has_slash = dir_len > 0 && dir[dir_len - 1] == '/';
    size_t size = dir_len + 1 + strlen(name) + 1;
    char *out = malloc(size);
    if (out)
        snprintf(out, size, "%s%s%s", dir, has_slash ? "" : "/", name);
    return out;
}

/* Where the value (or key) at [outer] or [outer, inner] of the manifest
 * was written, found again in its text through json_locate; the document's
 * start when the path leads nowhere (a missing key), nowhere once the text
 * is gone. The innermost key is kept as err->field_name. */
static cr_location manifest_at(const cr_font_manifest *m, const char *outer, const char *inner,
                               cr_json_target target)
{
    cr_location where = CR_NO_LOCATION;
    where.file = m->path;
    where.field_name = inner ? inner : outer;
    cr_json_step path[2] = {CR_JSON_KEY(outer), CR_JSON_KEY(inner)};
    size_t depth = !outer ? 0 : !inner ? 1 : 2;
    cr_json_position pos;
    if (m->text && (cr_json_locate(m->text, m->text_length, path, depth, target, &pos) ||
                    cr_json_locate(m->text, m->text_length, path, 0, CR_JSON_AT_VALUE, &pos))) {
        where.line = pos.line;
        where.column = pos.column;
    }
    return where;
}

static cr_location manifest_where(const cr_font_manifest *m, const char *key)
{
    return manifest_at(m, key, NULL, CR_JSON_AT_VALUE);
}

static cr_status no_memory(cr_error *err)
{
    return cr_fail(err, CR_ERR_NOMEM, "out of memory");
}

static cr_status parse_search_dirs(cr_font_manifest *m, json_t *dirs, cr_error *err)
{
    if (!json_is_array(dirs))
        return cr_error_set(err, CR_ERR_FONT, manifest_where(m, "search_dirs"),
                            "\"search_dirs\" must be an array of folder names");
    size_t count = json_array_size(dirs);
    m->search_dirs = calloc(count ? count : 1, sizeof *m->search_dirs);
    if (!m->search_dirs)
        return no_memory(err);
    for (size_t i = 0; i < count; i++) {
        const char *dir = json_string_value(json_array_get(dirs, i));
        if (!dir || !dir[0])
            return cr_error_set(err, CR_ERR_FONT, manifest_where(m, "search_dirs"),
                                "\"search_dirs\" entry %zu must be a non-empty string", i + 1);
        /* A relative folder means one beside the manifest, so a manifest and
         * its fonts can be moved together whatever the working folder. */
        m->search_dirs[i] = dir[0] == '/' ? strdup(dir) : join_path(m->dir, dir);
        if (!m->search_dirs[i])
            return no_memory(err);
        m->search_dir_count++;
    }
    return CR_OK;
}

static cr_status family_error(const cr_font_manifest *m, const char *family, const char *what,
                              cr_error *err)
{
    return cr_error_set(err, CR_ERR_FONT, manifest_at(m, "families", family, CR_JSON_AT_VALUE),
                        "family \"%s\": %s", family, what);
}

static cr_status parse_family(const cr_font_manifest *m, const char *name, json_t *spec,
                              manifest_family *out, cr_error *err)
{
    if (!json_is_object(spec))
        return family_error(m, name, "must be an object with \"file\" and \"package\"", err);
    const char *key;
    json_t *value;
    json_object_foreach(spec, key, value)
    {
        if (strcmp(key, "file") && strcmp(key, "index") && strcmp(key, "package")) {
            char what[200];
            snprintf(what, sizeof what, "unknown key \"%.120s\"", key);
            return family_error(m, name, what, err);
        }
    }
    const char *file = json_string_value(json_object_get(spec, "file"));
    if (!file || !file[0])
        return family_error(m, name, "\"file\" must be a non-empty string", err);
    json_t *index = json_object_get(spec, "index");
    if (index && (!json_is_integer(index) || json_integer_value(index) < 0 ||
                  json_integer_value(index) > 0xFFFF))
        return family_error(m, name, "\"index\" must be an integer from 0 to 65535", err);
    json_t *package = json_object_get(spec, "package");
    if (package && (!json_is_string(package) || !json_string_value(package)[0]))
        return family_error(m, name, "\"package\" must be a non-empty string", err);

    out->name = strdup(name);
    out->file = strdup(file);
    out->package = dup_string(json_string_value(package));
    out->index = index ? (int)json_integer_value(index) : 0;
    if (!out->name || !out->file || (package && !out->package))
        return no_memory(err);
    return CR_OK;
}

static cr_status parse_families(cr_font_manifest *m, json_t *families, cr_error *err)
{
    if (!json_is_object(families))
        return cr_error_set(err, CR_ERR_FONT, manifest_where(m, "families"),
                            "\"families\" must be an object mapping family names to files");
    size_t count = json_object_size(families);
    m->families = calloc(count ? count : 1, sizeof *m->families);
    if (!m->families)
        return no_memory(err);
    const char *name;
    json_t *spec;
    json_object_foreach(families, name, spec)
    {
        cr_status status = parse_family(m, name, spec, &m->families[m->family_count], err);
        m->family_count++; /* counted even when half-filled, so destroy frees it */
        if (status != CR_OK)
            return status;
    }
    return CR_OK;
}

static const manifest_family *find_family(const cr_font_manifest *m, const char *name)
{
    for (size_t i = 0; i < m->family_count; i++)
        if (strcmp(m->families[i].name, name) == 0)
            return &m->families[i];
    return NULL;
}

static cr_status parse_chain(const cr_font_manifest *m, const char *script, json_t *list,
                             fallback_chain *out, cr_error *err)
{
    cr_location where = manifest_at(m, "fallback", script, CR_JSON_AT_VALUE);
    if (!json_is_array(list))
        return cr_error_set(err, CR_ERR_FONT, where,
                            "fallback \"%s\" must be an array of family names", script);
    out->script = strdup(script);
    size_t count = json_array_size(list);
    out->families = calloc(count ? count : 1, sizeof *out->families);
    if (!out->script || !out->families)
        return no_memory(err);
    for (size_t i = 0; i < count; i++) {
        const char *name = json_string_value(json_array_get(list, i));
        if (!name)
            return cr_error_set(err, CR_ERR_FONT, where,
                                "fallback \"%s\": entry %zu must be a family name", script, i + 1);
        const manifest_family *family = find_family(m, name);
        if (!family)
            return cr_error_set(err, CR_ERR_FONT, where,
                                "fallback \"%s\": family \"%s\" is not in \"families\"", script,
                                name);
        out->families[out->count++] = family->name;
    }
    return CR_OK;
}

static cr_status parse_fallback(cr_font_manifest *m, json_t *fallback, cr_error *err)
{
    if (!json_is_object(fallback))
        return cr_error_set(err, CR_ERR_FONT, manifest_where(m, "fallback"),
                            "\"fallback\" must be an object mapping scripts to family lists");
    size_t count = json_object_size(fallback);
    m->chains = calloc(count ? count : 1, sizeof *m->chains);
    if (!m->chains)
        return no_memory(err);
    const char *script;
    json_t *list;
    json_object_foreach(fallback, script, list)
    {
        fallback_chain *chain = &m->chains[m->chain_count++];
        cr_status status = parse_chain(m, script, list, chain, err);
        if (status != CR_OK)
            return status;
        if (strcmp(script, "default") == 0)
            m->default_chain = chain;
    }
    return CR_OK;
}

/* "U+E000..U+E0FF" or "U+E000": a range of private-use code points. */
static bool parse_range(const char *text, uint32_t *first, uint32_t *last)
{
    unsigned a, b;
    int used = 0;
    if (sscanf(text, "U+%x..U+%x%n", &a, &b, &used) == 2 && !text[used]) {
        *first = a;
        *last = b;
    } else if (sscanf(text, "U+%x%n", &a, &used) == 1 && !text[used]) {
        *first = *last = a;
    } else {
        return false;
    }
    for (uint32_t cp = *first; cp <= *last && cp <= 0x10FFFF; cp += 0x100)
        if (u_charType((UChar32)cp) != U_PRIVATE_USE_CHAR)
            return false;
    return *first <= *last && *last <= 0x10FFFF && u_charType((UChar32)*last) == U_PRIVATE_USE_CHAR;
}

static cr_status parse_private_use_family(cr_font_manifest *m, const char *name, json_t *ranges,
                                          cr_error *err)
{
    cr_location where = manifest_where(m, "private_use");
    const manifest_family *family = find_family(m, name);
    if (!family)
        return cr_error_set(err, CR_ERR_FONT, where,
                            "private_use: family \"%s\" is not in \"families\"", name);
    if (!json_is_array(ranges) || !json_array_size(ranges))
        return cr_error_set(err, CR_ERR_FONT, where,
                            "private_use \"%s\": must be a list of ranges like \"U+E000..U+E0FF\"",
                            name);
    size_t count = json_array_size(ranges);
    private_use_range *grown =
        realloc(m->private_use, (m->private_use_count + count) * sizeof *grown);
    if (!grown)
        return no_memory(err);
    m->private_use = grown;
    for (size_t i = 0; i < count; i++) {
        const char *text = json_string_value(json_array_get(ranges, i));
        private_use_range *r = &m->private_use[m->private_use_count];
        if (!text || !parse_range(text, &r->first, &r->last))
            return cr_error_set(err, CR_ERR_FONT, where,
                                "private_use \"%s\": entry %zu must be a range of private-use "
                                "code points like \"U+E000..U+E0FF\"",
                                name, i + 1);
        r->family = family->name;
        m->private_use_count++;
    }
    return CR_OK;
}

/* "private_use": {"FAMILY": ["U+E000..U+E0FF", ...]}: the family that alone
 * draws those code points (a centre's font for rare name characters its
 * population system encoded in the private use area). */
static cr_status parse_private_use(cr_font_manifest *m, json_t *object, cr_error *err)
{
    if (!json_is_object(object))
        return cr_error_set(err, CR_ERR_FONT, manifest_where(m, "private_use"),
                            "\"private_use\" must be an object mapping families to ranges");
    const char *name;
    json_t *ranges;
    json_object_foreach(object, name, ranges)
    {
        cr_status status = parse_private_use_family(m, name, ranges, err);
        if (status != CR_OK)
            return status;
    }
    return CR_OK;
}

static cr_status check_top_level(const cr_font_manifest *m, json_t *root, cr_error *err)
{
    cr_location where = manifest_where(m, NULL);
    if (!json_is_object(root))
        return cr_error_set(err, CR_ERR_FONT, where, "the font manifest must be a JSON object");
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value)
    {
        if (strcmp(key, "version") && strcmp(key, "search_dirs") && strcmp(key, "families") &&
            strcmp(key, "fallback") && strcmp(key, "private_use"))
            return cr_error_set(err, CR_ERR_FONT, manifest_at(m, key, NULL, CR_JSON_AT_KEY),
                                "unknown key \"%s\" (expected \"version\", \"search_dirs\", "
                                "\"families\", \"fallback\", \"private_use\")",
                                key);
    }
    char buf[128];
    const char *problem =
        cr_json_version_problem(json_object_get(root, "version"), "font manifest", buf, sizeof buf);
    if (problem)
        return cr_error_set(err, CR_ERR_FONT, manifest_where(m, "version"), "%s", problem);
    if (!json_object_get(root, "families"))
        return cr_error_set(err, CR_ERR_FONT, manifest_where(m, "families"),
                            "\"families\" is missing");
    return CR_OK;
}

static cr_status parse_manifest(cr_font_manifest *m, json_t *root, cr_error *err)
{
    cr_status status = check_top_level(m, root, err);
    if (status == CR_OK) {
        json_t *dirs = json_object_get(root, "search_dirs");
        status = dirs ? parse_search_dirs(m, dirs, err) : CR_OK;
    }
    if (status == CR_OK)
        status = parse_families(m, json_object_get(root, "families"), err);
    if (status == CR_OK) {
        json_t *fallback = json_object_get(root, "fallback");
        status = fallback ? parse_fallback(m, fallback, err) : CR_OK;
    }
    if (status == CR_OK) {
        json_t *private_use = json_object_get(root, "private_use");
        status = private_use ? parse_private_use(m, private_use, err) : CR_OK;
    }
    return status;
}

cr_font_manifest *cr_font_manifest_load(const char *path, cr_error *err)
{
    if (!path) {
        cr_fail(err, CR_ERR_ARGUMENT, "no font manifest path given");
        return NULL;
    }
    cr_font_manifest *m = calloc(1, sizeof *m);
    if (!m || !(m->path = strdup(path)) || !(m->dir = folder_of(path))) {
        cr_font_manifest_destroy(m);
        no_memory(err);
        return NULL;
    }
    /* Read and parsed as templates are: syntax errors and duplicate keys
     * with their line and column, and the text kept while the manifest is
     * checked so that every later error gets them too (manifest_at). */
    char *text = NULL;
    cr_status status = cr_json_read_file(path, "the font manifest", &text, &m->text_length, err);
    json_t *root =
        status == CR_OK ? cr_json_parse(text, m->text_length, path, CR_ERR_SYNTAX, err) : NULL;
    m->text = text;
    if (status == CR_OK)
        status = root ? parse_manifest(m, root, err) : CR_ERR_SYNTAX;
    json_decref(root);
    m->text = NULL;
    free(text);
    if (status != CR_OK) {
        cr_font_manifest_destroy(m);
        return NULL;
    }
    return m;
}

void cr_font_manifest_destroy(cr_font_manifest *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->search_dir_count; i++)
        free(m->search_dirs[i]);
    for (size_t i = 0; i < m->family_count; i++) {
        free(m->families[i].name);
        free(m->families[i].file);
        free(m->families[i].package);
    }
    for (size_t i = 0; i < m->chain_count; i++) {
        free(m->chains[i].script);
        free(m->chains[i].families);
    }
    free(m->private_use);
    free(m->search_dirs);
    free(m->families);
    free(m->chains);
    free(m->path);
    free(m->dir);
    free(m);
}

const char *cr_font_manifest_path(const cr_font_manifest *manifest)
{
    return manifest->path;
}

bool cr_font_manifest_lookup(const cr_font_manifest *manifest, const char *family,
                             const char **file, int *index, const char **package)
{
    const manifest_family *entry = family ? find_family(manifest, family) : NULL;
    if (!entry)
        return false;
    if (file)
        *file = entry->file;
    if (index)
        *index = entry->index;
    if (package)
        *package = entry->package;
    return true;
}

const char *const *cr_font_manifest_fallback(const cr_font_manifest *manifest, const char *script,
                                             size_t *count)
{
    static const char *const empty[1] = {NULL};
    const fallback_chain *chain = manifest->default_chain;
    for (size_t i = 0; script && i < manifest->chain_count; i++)
        if (strcmp(manifest->chains[i].script, script) == 0)
            chain = &manifest->chains[i];
    if (count)
        *count = chain ? chain->count : 0;
    return chain ? (const char *const *)chain->families : empty;
}

const char *cr_font_manifest_private_use_family(const cr_font_manifest *manifest, uint32_t cp)
{
    for (size_t i = 0; manifest && i < manifest->private_use_count; i++)
        if (cp >= manifest->private_use[i].first && cp <= manifest->private_use[i].last)
            return manifest->private_use[i].family;
    return NULL;
}

/* ------------------------------------------------------------- library */

struct cr_font_library {
    const cr_font_manifest *manifest; /* must outlive the library */
    FT_Library ft;
    pthread_mutex_t lock; /* guards faces[] and FT_New_Face / FT_Done_Face */
    cr_face **faces;
    size_t face_count, face_capacity;
};

cr_font_library *cr_font_library_create(const cr_font_manifest *manifest, cr_error *err)
{
    if (!manifest) {
        cr_fail(err, CR_ERR_ARGUMENT, "no font manifest given");
        return NULL;
    }
    cr_font_library *lib = calloc(1, sizeof *lib);
    if (!lib) {
        no_memory(err);
        return NULL;
    }
    FT_Error ft_status = FT_Init_FreeType(&lib->ft);
    if (ft_status) {
        free(lib);
        cr_fail(err, CR_ERR_INTERNAL, "FreeType could not start (error %d)", ft_status);
        return NULL;
    }
    pthread_mutex_init(&lib->lock, NULL);
    lib->manifest = manifest;
    return lib;
}

static void face_destroy(cr_face *face)
{
    if (!face)
        return;
    if (face->ft)
        FT_Done_Face(face->ft);
    hb_font_destroy(face->hb_font);
    hb_face_destroy(face->hb_face);
    pthread_mutex_destroy(&face->lock);
    pthread_mutex_destroy(&face->extents_lock);
    free(atomic_load(&face->kept_extents));
    free(face->family);
    free(face->path);
    free(face);
}

void cr_font_library_destroy(cr_font_library *lib)
{
    if (!lib)
        return;
    for (size_t i = 0; i < lib->face_count; i++)
        face_destroy(lib->faces[i]);
    free(lib->faces);
    FT_Done_FreeType(lib->ft);
    pthread_mutex_destroy(&lib->lock);
    free(lib);
}

static bool is_readable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Appends "dir" to the comma-separated list of folders tried. */
static void note_tried(char *tried, size_t size, const char *dir)
{
    size_t used = strlen(tried);
    if (used < size)
        snprintf(tried + used, size - used, "%s%s", used ? ", " : "", dir);
}

/* Tries dir/file then dir/basename(file); returns a malloc'ed path or NULL. */
static char *try_folder(const char *dir, const char *file, bool *nomem)
{
    const char *names[2] = {file, base_name(file)};
    for (int i = 0; i < 2; i++) {
        if (names[i][0] == '/' || (i == 1 && names[1] == file))
            continue;
        char *candidate = join_path(dir, names[i]);
        if (!candidate) {
            *nomem = true;
            return NULL;
        }
        if (is_readable_file(candidate))
            return candidate;
        free(candidate);
    }
    return NULL;
}

static cr_status not_found_error(const char *family, const char *file, const char *package,
                                 const char *tried, cr_error *err)
{
    if (!package)
        return cr_fail(err, CR_ERR_FONT,
                       "font family \"%s\" (%s) was not found in %s; put the file in one of "
                       "those folders",
                       family, file, tried);
    return cr_fail(err, CR_ERR_FONT,
                   "font family \"%s\" (%s) was not found in %s; install the Debian package %s "
                   "(apt-get install %s)",
                   family, file, tried, package, package);
}

/* The folders a family's file is looked for in, in order: the template's,
 * the manifest's own, then the search folders. */
static char *find_font_file(const cr_font_manifest *m, const char *family, const char *file,
                            const char *package, const char *template_dir, cr_error *err)
{
    if (file[0] == '/' && is_readable_file(file))
        return strdup(file);
    size_t dir_count = m->search_dir_count + 2;
    char tried[600] = "";
    bool nomem = false;
    for (size_t i = 0; i < dir_count && !nomem; i++) {
        const char *dir = i == 0 ? template_dir : i == 1 ? m->dir : m->search_dirs[i - 2];
        if (!dir)
            continue;
        if (!dir[0])
            dir = "."; /* a template in the working folder */
        note_tried(tried, sizeof tried, dir);
        char *found = try_folder(dir, file, &nomem);
        if (found)
            return found;
    }
    if (nomem)
        no_memory(err);
    else
        not_found_error(family, file, package, tried, err);
    return NULL;
}

/* Ascender, descender and line gap as the font asks to be set: the OS/2
 * typographic values when USE_TYPO_METRICS is set (CJK and most modern
 * fonts), or when hhea is empty; otherwise hhea, which is what the majority
 * of applications use and what the font's designers tuned for them. */
static void read_vertical_metrics(cr_face *face)
{
    FT_Face ft = face->ft;
    const TT_OS2 *os2 = FT_Get_Sfnt_Table(ft, FT_SFNT_OS2);
    const TT_HoriHeader *hhea = FT_Get_Sfnt_Table(ft, FT_SFNT_HHEA);
    bool use_typo_flag = os2 && os2->version != 0xFFFF && (os2->fsSelection & (1u << 7));
    bool hhea_empty = !hhea || (hhea->Ascender == 0 && hhea->Descender == 0);
    if (os2 && os2->version != 0xFFFF && (use_typo_flag || hhea_empty)) {
        face->ascender = os2->sTypoAscender;
        face->descender = os2->sTypoDescender;
        face->line_gap = os2->sTypoLineGap;
    } else if (hhea) {
        face->ascender = hhea->Ascender;
        face->descender = hhea->Descender;
        face->line_gap = hhea->Line_Gap;
    } else {
        face->ascender = ft->ascender;
        face->descender = ft->descender;
        face->line_gap = ft->height - ft->ascender + ft->descender;
    }
    /* Some fonts store the descender as a positive depth; callers rely on
     * the documented sign. */
    if (face->descender > 0)
        face->descender = -face->descender;
    if (face->line_gap < 0)
        face->line_gap = 0;
}

static cr_status open_harfbuzz(cr_face *face, cr_error *err)
{
    hb_blob_t *blob = hb_blob_create_from_file_or_fail(face->path);
    if (!blob)
        return cr_fail(err, CR_ERR_FONT, "font file %s cannot be read", face->path);
    unsigned faces_in_file = hb_face_count(blob);
    if ((unsigned)face->index >= faces_in_file) {
        hb_blob_destroy(blob);
        if (faces_in_file == 0)
            return cr_fail(err, CR_ERR_FONT, "font file %s is not a font HarfBuzz can open",
                           face->path);
        return cr_fail(err, CR_ERR_FONT, "font file %s holds %u face(s); face index %d is not one",
                       face->path, faces_in_file, face->index);
    }
    face->hb_face = hb_face_create(blob, (unsigned)face->index);
    hb_blob_destroy(blob); /* the face keeps its own reference */
    hb_face_make_immutable(face->hb_face);
    face->upem = (int)hb_face_get_upem(face->hb_face);
    face->glyph_count = hb_face_get_glyph_count(face->hb_face);
    face->hb_font = hb_font_create(face->hb_face);
    hb_ot_font_set_funcs(face->hb_font);
    /* Font units in, font units out: shaping does not depend on the size,
     * and matches `hb-shape --font-funcs=ot`. */
    hb_font_set_scale(face->hb_font, face->upem, face->upem);
    hb_font_make_immutable(face->hb_font);
    return CR_OK;
}

/* FreeType reads the file through HarfBuzz's mapping of it (the hb_face
 * holds it until face_destroy, after FT_Done_Face): with a mapping each,
 * every page both read was faulted in twice, and the file opened, mapped
 * and closed twice (a cold render measured 2 ms faster without). */
static cr_status open_freetype(FT_Library ft, cr_face *face, cr_error *err)
{
    hb_blob_t *file = hb_face_reference_blob(face->hb_face);
    unsigned length = 0;
    const char *bytes = hb_blob_get_data(file, &length);
    hb_blob_destroy(file); /* the hb_face keeps its own reference */
    FT_Error status =
        FT_New_Memory_Face(ft, (const FT_Byte *)bytes, (FT_Long)length, face->index, &face->ft);
    if (status) {
        face->ft = NULL;
        const char *why = FT_Error_String(status);
        return cr_fail(err, CR_ERR_FONT, "font file %s (face %d) cannot be opened by FreeType: %s",
                       face->path, face->index, why ? why : "unknown error");
    }
    if (!FT_IS_SCALABLE(face->ft))
        return cr_fail(err, CR_ERR_FONT, "font file %s (face %d) has no outlines", face->path,
                       face->index);
    read_vertical_metrics(face);
    return CR_OK;
}

/* ------------------------------------------------------ glyph extents */

/* One glyph's answer: `state` is set (release) after `extents` is written,
 * under the face's extents_lock, so a reader that sees it (acquire) reads
 * finished extents. */
typedef struct cr_kept_extents {
    _Atomic unsigned char state; /* NOT_ASKED, NO_EXTENTS or HAS_EXTENTS */
    hb_glyph_extents_t extents;
} cr_kept_extents;

enum { NOT_ASKED = 0, NO_EXTENTS = 1, HAS_EXTENTS = 2 };

/* HarfBuzz's answer, kept when there is room (the table, for every glyph
 * id of the face, is made on the first question; calloc's pages cost
 * nothing until a glyph on them is kept). */
static bool ask_harfbuzz(cr_face *face, hb_codepoint_t glyph, hb_glyph_extents_t *extents)
{
    pthread_mutex_lock(&face->extents_lock);
    cr_kept_extents *all = atomic_load_explicit(&face->kept_extents, memory_order_relaxed);
    if (!all && face->glyph_count > 0) {
        all = calloc(face->glyph_count, sizeof *all);
        atomic_store_explicit(&face->kept_extents, all, memory_order_release);
    }
    bool found = hb_font_get_glyph_extents(face->hb_font, glyph, extents);
    if (all && glyph < face->glyph_count &&
        atomic_load_explicit(&all[glyph].state, memory_order_relaxed) == NOT_ASKED) {
        all[glyph].extents = *extents;
        atomic_store_explicit(&all[glyph].state, found ? HAS_EXTENTS : NO_EXTENTS,
                              memory_order_release);
    }
    pthread_mutex_unlock(&face->extents_lock);
    return found;
}

bool cr_face_glyph_extents(const cr_face *face, hb_codepoint_t glyph, hb_glyph_extents_t *extents)
{
    const cr_kept_extents *all = atomic_load_explicit(&face->kept_extents, memory_order_acquire);
    if (all && glyph < face->glyph_count) {
        unsigned state = atomic_load_explicit(&all[glyph].state, memory_order_acquire);
        if (state != NOT_ASKED) {
            *extents = all[glyph].extents; /* HarfBuzz's zeros when it had none */
            return state == HAS_EXTENTS;
        }
    }
    /* The kept answers are a cache: adding one leaves the face as it was. */
    return ask_harfbuzz((cr_face *)face, glyph, extents);
}

/* Called with the library lock held (FreeType needs it for FT_New_Face). */
static cr_face *load_face(cr_font_library *lib, const char *family, char *path, int index,
                          cr_error *err)
{
    cr_face *face = calloc(1, sizeof *face);
    if (!face) {
        free(path);
        no_memory(err);
        return NULL;
    }
    face->path = path;
    face->index = index;
    pthread_mutex_init(&face->lock, NULL);
    pthread_mutex_init(&face->extents_lock, NULL);
    face->family = strdup(family);
    cr_status status = face->family ? open_harfbuzz(face, err) : no_memory(err);
    if (status == CR_OK)
        status = open_freetype(lib->ft, face, err);
    if (status != CR_OK) {
        face_destroy(face);
        return NULL;
    }
    return face;
}

static cr_face *find_loaded(const cr_font_library *lib, const char *path, int index)
{
    for (size_t i = 0; i < lib->face_count; i++)
        if (lib->faces[i]->index == index && strcmp(lib->faces[i]->path, path) == 0)
            return lib->faces[i];
    return NULL;
}

static bool reserve_face_slot(cr_font_library *lib)
{
    return cr_reserve((void **)&lib->faces, &lib->face_capacity, lib->face_count + 1,
                      sizeof *lib->faces);
}

/* Takes ownership of path (canonical). */
static cr_face *get_or_load(cr_font_library *lib, const char *family, char *path, int index,
                            cr_error *err)
{
    pthread_mutex_lock(&lib->lock);
    cr_face *face = find_loaded(lib, path, index);
    if (face) {
        free(path);
    } else if (!reserve_face_slot(lib)) {
        free(path);
        no_memory(err);
    } else {
        face = load_face(lib, family, path, index, err);
        if (face)
            lib->faces[lib->face_count++] = face;
    }
    pthread_mutex_unlock(&lib->lock);
    return face;
}

cr_face *cr_font_library_get(cr_font_library *lib, const char *family, const char *template_dir,
                             cr_error *err)
{
    if (!lib || !family) {
        cr_fail(err, CR_ERR_ARGUMENT, "no font library or family given");
        return NULL;
    }
    const char *file, *package;
    int index;
    if (!cr_font_manifest_lookup(lib->manifest, family, &file, &index, &package)) {
        cr_fail(err, CR_ERR_FONT, "font family \"%s\" is not in the font manifest %s", family,
                lib->manifest->path);
        return NULL;
    }
    char *found = find_font_file(lib->manifest, family, file, package, template_dir, err);
    if (!found)
        return NULL;
    /* The canonical path is the key, so "fonts/x.ttf" and "./fonts/x.ttf"
     * share one face. */
    char *canonical = realpath(found, NULL);
    if (!canonical) {
        cr_fail(err, CR_ERR_FONT, "font family \"%s\": cannot resolve %s: %s", family, found,
                strerror(errno));
        free(found);
        return NULL;
    }
    free(found);
    return get_or_load(lib, family, canonical, index, err);
}

bool cr_face_has_codepoint(const cr_face *face, uint32_t codepoint)
{
    hb_codepoint_t glyph = 0;
    return face && hb_font_get_nominal_glyph(face->hb_font, codepoint, &glyph);
}
