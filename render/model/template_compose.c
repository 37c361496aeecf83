/* Template composition (template_compose.h): files are read, parsed and
 * merged into one jansson document; a source map says where each merged
 * value was written.
 *
 * Only four kinds of value are built by merging: the top-level object, the
 * "card" object, the "fields" array and a field changed by
 * "override_fields". Each is a "composite" that records, member by member,
 * the file and path it came from. Every other value is shared, unchanged,
 * with the file it was read from, so below a plain value the path in the
 * merged document is the path in that file. */
#include "json_locate.h"
#include "template_compose.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "error.h"
#include "paths.h"

/* ["override_fields", name, key] is the deepest path a merge records. */
#define ORIGIN_DEPTH 3
/* The origin's steps and the validator's own (it goes at most 8 deep). */
#define LOCATE_DEPTH (ORIGIN_DEPTH + 16)
#define NO_INDEX SIZE_MAX

typedef struct json_file {
    char *name; /* for messages and reading */
    char *dir;
    char *real; /* the resolved path, to find cycles; NULL from memory */
    char *text;
    size_t length;
    json_t *root;
} json_file;

/* A value's place in one file: the file and the path to the value. Keys
 * point into that file's parsed document, which lives as long as the
 * composition. */
typedef struct origin {
    size_t source;
    cr_json_step path[ORIGIN_DEPTH];
    size_t depth;
} origin;

typedef struct member {
    const char *key; /* NULL: an array element, by position */
    origin at;
} member;

typedef struct composite {
    json_t *node; /* referenced, so no later value can reuse its address */
    member *members;
    size_t count, capacity;
} composite;

struct cr_composition {
    json_file *sources;
    size_t source_count, source_capacity;
    composite *composites;
    size_t composite_count, composite_capacity;
    json_t *root;
};

/* A field of the merged list and where its object was written. */
typedef struct entry {
    json_t *value; /* borrowed from a file's document or a composite */
    origin at;
} entry;

/* A template being merged: its top-level keys but "card" and "fields" in
 * the composite `root`, the card keys in `card`, the fields in order. */
typedef struct draft {
    size_t root, card; /* composite indexes; card is NO_INDEX until a file has one */
    origin card_at, fields_at;
    bool has_fields;
    entry *fields;
    size_t field_count, field_capacity;
} draft;

typedef struct composer {
    cr_composition *doc;
    size_t stack[CR_COMPOSE_MAX_DEPTH + 1]; /* the files being read, outermost first */
    size_t depth;
    cr_error *err;
} composer;

/* ------------------------------------------------------------- origins */

static origin origin_root(size_t source)
{
    return (origin){.source = source};
}

static origin origin_key(origin o, const char *key)
{
    if (o.depth < ORIGIN_DEPTH)
        o.path[o.depth++] = CR_JSON_KEY(key);
    return o;
}

static origin origin_index(origin o, size_t index)
{
    if (o.depth < ORIGIN_DEPTH)
        o.path[o.depth++] = CR_JSON_INDEX(index);
    return o;
}

static cr_json_position position_of(const json_file *src, const cr_json_step *path, size_t depth,
                                    cr_json_target target)
{
    cr_json_position pos = {0, 0, 0};
    cr_json_locate(src->text, src->length, path, depth, target, &pos);
    return pos;
}

/* ------------------------------------------------------------- errors */

static bool fail_at(composer *c, origin at, cr_json_target target, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A CR_ERR_TEMPLATE error at a value (or key) of one file; returns false. */
static bool fail_at(composer *c, origin at, cr_json_target target, const char *fmt, ...)
{
    const json_file *src = &c->doc->sources[at.source];
    cr_json_position pos = position_of(src, at.path, at.depth, target);
    cr_location where = {src->name, pos.line, pos.column, -1, NULL};
    va_list ap;
    va_start(ap, fmt);
    cr_error_vset(c->err, CR_ERR_TEMPLATE, where, fmt, ap);
    va_end(ap);
    return false;
}

static bool fail_nomem(composer *c)
{
    cr_fail(c->err, CR_ERR_NOMEM, "%s: out of memory", c->doc->sources[0].name);
    return false;
}

/* ---------------------------------------------------------- composites */

/* Registers node (taking the caller's reference) as a composite. */
static bool composite_add(composer *c, json_t *node, size_t *index)
{
    cr_composition *doc = c->doc;
    if (!node || !cr_reserve((void **)&doc->composites, &doc->composite_capacity,
                             doc->composite_count + 1, sizeof *doc->composites)) {
        json_decref(node);
        return fail_nomem(c);
    }
    *index = doc->composite_count++;
    doc->composites[*index] = (composite){.node = node};
    return true;
}

static const composite *find_composite(const cr_composition *doc, const json_t *node)
{
    for (size_t i = 0; i < doc->composite_count; i++)
        if (doc->composites[i].node == node)
            return &doc->composites[i];
    return NULL;
}

static member *find_member(const composite *comp, const cr_json_step *step)
{
    for (size_t i = 0; i < comp->count; i++) {
        member *m = &comp->members[i];
        if (step->key ? m->key && strcmp(m->key, step->key) == 0 : !m->key && i == step->index)
            return m;
    }
    return NULL;
}

static bool add_member(composer *c, composite *comp, const char *key, origin at)
{
    if (!cr_reserve((void **)&comp->members, &comp->capacity, comp->count + 1,
                    sizeof *comp->members))
        return fail_nomem(c);
    comp->members[comp->count++] = (member){key, at};
    return true;
}

/* Sets an object composite's key to value, written at `at`. */
static bool composite_set(composer *c, size_t index, const char *key, json_t *value, origin at)
{
    composite *comp = &c->doc->composites[index];
    if (json_object_set(comp->node, key, value) != 0)
        return fail_nomem(c);
    member *existing = find_member(comp, &CR_JSON_KEY(key));
    if (existing) {
        existing->at = at;
        return true;
    }
    return add_member(c, comp, key, at);
}

static void composite_delete(composer *c, size_t index, const char *key)
{
    composite *comp = &c->doc->composites[index];
    member *m = find_member(comp, &CR_JSON_KEY(key));
    if (m) {
        size_t at = (size_t)(m - comp->members);
        memmove(m, m + 1, (comp->count - at - 1) * sizeof *m);
        comp->count--;
    }
    json_object_del(comp->node, key);
}

static bool new_object(composer *c, size_t *index)
{
    return composite_add(c, json_object(), index);
}

/* ------------------------------------------------------------- sources */

static void source_free(json_file *src)
{
    free(src->name);
    free(src->dir);
    free(src->real);
    free(src->text);
    json_decref(src->root);
}

/* Adds a parsed file; takes ownership of everything in src. */
static bool add_source(composer *c, json_file src, size_t *index)
{
    cr_composition *doc = c->doc;
    if (!src.name || !src.dir ||
        !cr_reserve((void **)&doc->sources, &doc->source_capacity, doc->source_count + 1,
                    sizeof *doc->sources)) {
        source_free(&src);
        cr_fail(c->err, CR_ERR_NOMEM, "out of memory composing a template");
        return false;
    }
    *index = doc->source_count++;
    doc->sources[*index] = src;
    return true;
}

/* "a.json -> b.json -> a.json": the files from the one named again. */
static void describe_cycle(const composer *c, size_t first, const char *again, char *buf,
                           size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = first; i < c->depth && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s -> ", c->doc->sources[c->stack[i]].name);
        used += n > 0 ? (size_t)n : 0;
    }
    if (used < size)
        snprintf(buf + used, size - used, "%s", again);
}

/* Refuses a file that is already being read further out. */
static bool check_cycle(composer *c, const char *real, const char *name, origin at,
                        const char *what)
{
    for (size_t i = 0; i < c->depth; i++) {
        const json_file *open = &c->doc->sources[c->stack[i]];
        if (!open->real || strcmp(open->real, real) != 0)
            continue;
        char chain[600];
        describe_cycle(c, i, name, chain, sizeof chain);
        return fail_at(c, at, CR_JSON_AT_VALUE, "\"%s\" makes a cycle: %s", what, chain);
    }
    return true;
}

/* A file read for the error's sake: the read error, located at the string
 * that names it. */
static bool fail_read(composer *c, origin at, const char *what, const cr_error *cause)
{
    const json_file *src = &c->doc->sources[at.source];
    cr_json_position pos = position_of(src, at.path, at.depth, CR_JSON_AT_VALUE);
    cr_location where = {src->name, pos.line, pos.column, -1, NULL};
    cr_error_set(c->err, cause->code, where, "\"%s\": %s", what, cause->message);
    return false;
}

/* Reads and parses the file `relative` names (from the folder of the file
 * at.source), and pushes it on the stack of files being read. `what` is the
 * key that names it, for messages. */
static bool open_source(composer *c, origin at, const char *what, const char *relative,
                        size_t *index)
{
    if (relative[0] == '\0' || relative[0] == '/')
        return fail_at(c, at, CR_JSON_AT_VALUE,
                       "\"%s\" must be a path relative to this file's folder (got \"%s\")", what,
                       relative);
    if (c->depth > CR_COMPOSE_MAX_DEPTH)
        return fail_at(c, at, CR_JSON_AT_VALUE,
                       "\"%s\" nests files more than %d deep (\"extends\" and \"include\" "
                       "together)",
                       what, CR_COMPOSE_MAX_DEPTH);
    json_file src = {0};
    src.name = cr_path_join(c->doc->sources[at.source].dir, relative);
    if (!src.name)
        return fail_nomem(c);
    cr_error cause;
    if (cr_json_read_file(src.name, "the file", &src.text, &src.length, &cause) != CR_OK) {
        free(src.name);
        return fail_read(c, at, what, &cause);
    }
    src.real = realpath(src.name, NULL);
    if (src.real && !check_cycle(c, src.real, src.name, at, what)) {
        source_free(&src);
        return false;
    }
    src.dir = cr_path_folder(src.name);
    src.root = cr_json_parse(src.text, src.length, src.name, CR_ERR_TEMPLATE, c->err);
    if (!src.root) {
        source_free(&src);
        return false;
    }
    if (!add_source(c, src, index))
        return false;
    c->stack[c->depth++] = *index;
    return true;
}

/* ------------------------------------------------------ checking shapes */

/* A relative path string at key `what` of object (at `at`), or NULL. */
static const char *path_member(composer *c, json_t *object, const char *what, origin at)
{
    json_t *value = json_object_get(object, what);
    if (json_is_string(value))
        return json_string_value(value);
    fail_at(c, origin_key(at, what), CR_JSON_AT_VALUE, "\"%s\" must be a path, not %s", what,
            cr_json_kind(value, true));
    return NULL;
}

/* Files read through "extends" and "include" must say which format they
 * are; the template itself is checked by the validator. */
static bool check_version(composer *c, json_t *root, size_t source)
{
    json_t *version = json_object_get(root, "version");
    char buf[128];
    const char *problem = cr_json_version_problem(version, "template", buf, sizeof buf);
    if (!problem)
        return true;
    origin at = version ? origin_key(origin_root(source), "version") : origin_root(source);
    return fail_at(c, at, CR_JSON_AT_VALUE, "%s", problem);
}

static bool check_object(composer *c, json_t *value, origin at, const char *what)
{
    if (json_is_object(value))
        return true;
    return fail_at(c, at, CR_JSON_AT_VALUE, "%s must be an object, not %s", what,
                   cr_json_kind(value, true));
}

/* A file's top level, named as the validator names a template's. */
static bool check_root(composer *c, json_t *root, size_t source, const char *what)
{
    if (json_is_object(root))
        return true;
    return fail_at(c, origin_root(source), CR_JSON_AT_VALUE, "%s must be a JSON object, not %s",
                   what, cr_json_kind(root, true));
}

static bool check_array(composer *c, json_t *value, origin at, const char *what)
{
    if (json_is_array(value))
        return true;
    return fail_at(c, at, CR_JSON_AT_VALUE, "%s must be an array, not %s", what,
                   cr_json_kind(value, true));
}

/* --------------------------------------------------------------- fields */

static bool push_entry(composer *c, draft *d, json_t *value, origin at)
{
    if (!cr_reserve((void **)&d->fields, &d->field_capacity, d->field_count + 1, sizeof *d->fields))
        return fail_nomem(c);
    d->fields[d->field_count++] = (entry){value, at};
    return true;
}

static bool expand_fields(composer *c, json_t *fields, size_t source, draft *d);

/* "$schema" names the JSON Schema an editor checks the file against
 * (schema/template.schema.json): every file may have it, as a string, and
 * the engine reads nothing from it, so it never reaches the validator. */
static bool check_schema_key(composer *c, json_t *root, size_t source)
{
    json_t *value = json_object_get(root, "$schema");
    if (!value || json_is_string(value))
        return true;
    return fail_at(c, origin_key(origin_root(source), "$schema"), CR_JSON_AT_VALUE,
                   "\"$schema\" must be a string (the URI of a JSON Schema), not %s",
                   cr_json_kind(value, true));
}

static bool check_fragment_keys(composer *c, json_t *root, size_t source)
{
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value)
    {
        if (strcmp(key, "version") != 0 && strcmp(key, "fields") != 0 &&
            strcmp(key, "$schema") != 0)
            return fail_at(c, origin_key(origin_root(source), key), CR_JSON_AT_KEY,
                           "unknown key \"%s\" (a fragment has \"version\" and \"fields\")", key);
    }
    if (!check_schema_key(c, root, source))
        return false;
    if (!json_object_get(root, "fields"))
        return fail_at(c, origin_root(source), CR_JSON_AT_VALUE, "missing required key \"fields\"");
    return true;
}

/* A fragment file: {"version": 1, "fields": [...]}, its fields in place. */
static bool include_fragment(composer *c, size_t source, draft *d)
{
    json_t *root = c->doc->sources[source].root;
    origin fields_at = origin_key(origin_root(source), "fields");
    bool ok = check_root(c, root, source, "a fragment") && check_version(c, root, source) &&
              check_fragment_keys(c, root, source) &&
              check_array(c, json_object_get(root, "fields"), fields_at, "\"fields\"") &&
              expand_fields(c, json_object_get(root, "fields"), source, d);
    c->depth--;
    return ok;
}

/* {"include": "path"}: nothing else belongs in the element. */
static bool expand_include(composer *c, json_t *element, origin at, draft *d)
{
    const char *key;
    json_t *value;
    json_object_foreach(element, key, value)
    {
        if (strcmp(key, "include") != 0)
            return fail_at(c, origin_key(at, key), CR_JSON_AT_KEY,
                           "an \"include\" element has no other keys (got \"%s\")", key);
    }
    const char *relative = path_member(c, element, "include", at);
    size_t fragment;
    if (!relative || !open_source(c, origin_key(at, "include"), "include", relative, &fragment))
        return false;
    return include_fragment(c, fragment, d);
}

/* Appends a "fields" array's elements, each include replaced by the
 * fields of its fragment. */
static bool expand_fields(composer *c, json_t *fields, size_t source, draft *d)
{
    origin fields_at = origin_key(origin_root(source), "fields");
    for (size_t i = 0; i < json_array_size(fields); i++) {
        json_t *element = json_array_get(fields, i);
        origin at = origin_index(fields_at, i);
        bool ok = json_is_object(element) && json_object_get(element, "include")
                      ? expand_include(c, element, at, d)
                      : push_entry(c, d, element, at);
        if (!ok)
            return false;
    }
    return true;
}

static const char *entry_name(const entry *e)
{
    json_t *name = json_is_object(e->value) ? json_object_get(e->value, "name") : NULL;
    return json_is_string(name) ? json_string_value(name) : NULL;
}

static entry *find_entry(draft *d, const char *name)
{
    for (size_t i = 0; i < d->field_count; i++) {
        const char *have = entry_name(&d->fields[i]);
        if (have && strcmp(have, name) == 0)
            return &d->fields[i];
    }
    return NULL;
}

static bool fail_unknown_field(composer *c, origin at, cr_json_target target, const char *what,
                               const char *name, size_t base)
{
    return fail_at(c, at, target, "\"%s\": no field named \"%s\" in the base template %s", what,
                   name, c->doc->sources[base].name);
}

static bool remove_fields(composer *c, json_t *names, origin at, size_t base, draft *d)
{
    if (!check_array(c, names, at, "\"remove_fields\""))
        return false;
    for (size_t i = 0; i < json_array_size(names); i++) {
        json_t *name = json_array_get(names, i);
        origin name_at = origin_index(at, i);
        if (!json_is_string(name))
            return fail_at(c, name_at, CR_JSON_AT_VALUE,
                           "\"remove_fields\" lists field names, not %s", cr_json_kind(name, true));
        entry *e = find_entry(d, json_string_value(name));
        if (!e)
            return fail_unknown_field(c, name_at, CR_JSON_AT_VALUE, "remove_fields",
                                      json_string_value(name), base);
        size_t index = (size_t)(e - d->fields);
        memmove(e, e + 1, (d->field_count - index - 1) * sizeof *e);
        d->field_count--;
    }
    return true;
}

/* A copy of the field with each key in `changes` set, or removed by null;
 * the copy's keys keep their places, the changed ones point at `changes`. */
static bool override_field(composer *c, entry *e, json_t *changes, origin changes_at)
{
    size_t index;
    if (!new_object(c, &index))
        return false;
    const composite *before = find_composite(c->doc, e->value);
    const char *key;
    json_t *value;
    json_object_foreach(e->value, key, value)
    {
        const member *m = before ? find_member(before, &CR_JSON_KEY(key)) : NULL;
        if (!composite_set(c, index, key, value, m ? m->at : origin_key(e->at, key)))
            return false;
    }
    json_object_foreach(changes, key, value)
    {
        if (json_is_null(value))
            composite_delete(c, index, key);
        else if (!composite_set(c, index, key, value, origin_key(changes_at, key)))
            return false;
    }
    e->value = c->doc->composites[index].node;
    return true;
}

static bool override_fields(composer *c, json_t *overrides, origin at, size_t base, draft *d)
{
    if (!check_object(c, overrides, at, "\"override_fields\""))
        return false;
    const char *name;
    json_t *changes;
    json_object_foreach(overrides, name, changes)
    {
        origin changes_at = origin_key(at, name);
        entry *e = find_entry(d, name);
        if (!e)
            return fail_unknown_field(c, changes_at, CR_JSON_AT_KEY, "override_fields", name, base);
        if (!check_object(c, changes, changes_at, "an override") ||
            !override_field(c, e, changes, changes_at))
            return false;
    }
    return true;
}

/* ------------------------------------------------------------ templates */

static bool draft_init(composer *c, draft *d)
{
    *d = (draft){.card = NO_INDEX};
    return new_object(c, &d->root);
}

static bool merge_card(composer *c, json_t *card, size_t source, draft *d)
{
    origin at = origin_key(origin_root(source), "card");
    if (!check_object(c, card, at, "\"card\""))
        return false;
    if (d->card == NO_INDEX && !new_object(c, &d->card))
        return false;
    d->card_at = at;
    const char *key;
    json_t *value;
    json_object_foreach(card, key, value)
    {
        if (!composite_set(c, d->card, key, value, origin_key(at, key)))
            return false;
    }
    return true;
}

/* The keys the composition reads (and "$schema", read by no one); the
 * validator never sees them. */
static bool is_composition_key(const char *key)
{
    return !strcmp(key, "extends") || !strcmp(key, "remove_fields") ||
           !strcmp(key, "override_fields") || !strcmp(key, "card") || !strcmp(key, "fields") ||
           !strcmp(key, "$schema");
}

/* Top-level keys other than the composition's: a later file's win. A base's
 * "version" is its own, checked when it was read. */
static bool merge_top_keys(composer *c, json_t *root, size_t source, bool top, draft *d)
{
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value)
    {
        if (is_composition_key(key) || (!top && !strcmp(key, "version")))
            continue;
        if (!composite_set(c, d->root, key, value, origin_key(origin_root(source), key)))
            return false;
    }
    return true;
}

static bool compose_template(composer *c, size_t source, bool top, draft *d);

/* Starts the draft from the base template, or empty. */
static bool start_draft(composer *c, json_t *root, size_t source, size_t *base, draft *d)
{
    origin at = origin_root(source);
    if (!json_object_get(root, "extends")) {
        const char *needs = json_object_get(root, "remove_fields")     ? "remove_fields"
                            : json_object_get(root, "override_fields") ? "override_fields"
                                                                       : NULL;
        if (needs)
            return fail_at(c, origin_key(at, needs), CR_JSON_AT_KEY,
                           "\"%s\" changes a base template: it needs \"extends\"", needs);
        return draft_init(c, d);
    }
    const char *relative = path_member(c, root, "extends", at);
    if (!relative || !open_source(c, origin_key(at, "extends"), "extends", relative, base))
        return false;
    bool ok = compose_template(c, *base, false, d);
    c->depth--;
    return ok;
}

/* In the documented order: the base, then this file's card keys, removals,
 * overrides, and its own fields last. */
static bool compose_template(composer *c, size_t source, bool top, draft *d)
{
    json_t *root = c->doc->sources[source].root;
    origin at = origin_root(source);
    if (!check_root(c, root, source, "a template") || (!top && !check_version(c, root, source)) ||
        !check_schema_key(c, root, source))
        return false;
    size_t base = NO_INDEX;
    if (!start_draft(c, root, source, &base, d) || !merge_top_keys(c, root, source, top, d))
        return false;
    json_t *card = json_object_get(root, "card");
    json_t *removed = json_object_get(root, "remove_fields");
    json_t *overrides = json_object_get(root, "override_fields");
    json_t *fields = json_object_get(root, "fields");
    if (card && !merge_card(c, card, source, d))
        return false;
    if (removed && !remove_fields(c, removed, origin_key(at, "remove_fields"), base, d))
        return false;
    if (overrides && !override_fields(c, overrides, origin_key(at, "override_fields"), base, d))
        return false;
    if (!fields)
        return true;
    d->has_fields = true;
    d->fields_at = origin_key(at, "fields");
    return check_array(c, fields, d->fields_at, "\"fields\"") &&
           expand_fields(c, fields, source, d);
}

/* The draft's card and fields become members of its root. */
static bool finish(composer *c, draft *d)
{
    if (d->card != NO_INDEX &&
        !composite_set(c, d->root, "card", c->doc->composites[d->card].node, d->card_at))
        return false;
    if (d->has_fields) {
        size_t index;
        if (!composite_add(c, json_array(), &index))
            return false;
        for (size_t i = 0; i < d->field_count; i++) {
            composite *list = &c->doc->composites[index];
            if (json_array_append(list->node, d->fields[i].value) != 0)
                return fail_nomem(c);
            if (!add_member(c, list, NULL, d->fields[i].at))
                return false;
        }
        if (!composite_set(c, d->root, "fields", c->doc->composites[index].node, d->fields_at))
            return false;
    }
    c->doc->root = json_incref(c->doc->composites[d->root].node);
    return true;
}

/* ---------------------------------------------------------------- public */

static cr_composition *compose(json_file top, cr_error *err)
{
    cr_composition *doc = calloc(1, sizeof *doc);
    if (!doc) {
        source_free(&top);
        cr_fail(err, CR_ERR_NOMEM, "out of memory composing a template");
        return NULL;
    }
    composer c = {.doc = doc, .err = err};
    draft d = {.card = NO_INDEX};
    size_t index;
    bool ok = add_source(&c, top, &index);
    if (ok) {
        c.stack[c.depth++] = index;
        ok = compose_template(&c, index, true, &d) && finish(&c, &d);
    }
    free(d.fields);
    if (!ok) {
        cr_composition_free(doc);
        return NULL;
    }
    return doc;
}

/* Takes ownership of text. */
static cr_composition *compose_text(char *text, size_t length, const char *name, char *dir,
                                    char *real, cr_error *err)
{
    json_file top = {
        .name = strdup(name), .dir = dir, .real = real, .text = text, .length = length};
    top.root = cr_json_parse(text, length, name, CR_ERR_TEMPLATE, err);
    if (!top.root) {
        source_free(&top);
        return NULL;
    }
    return compose(top, err);
}

cr_composition *cr_compose_file(const char *path, cr_error *err)
{
    char *text;
    size_t length;
    if (cr_json_read_file(path, "the file", &text, &length, err) != CR_OK)
        return NULL;
    return compose_text(text, length, path, cr_path_folder(path), realpath(path, NULL), err);
}

cr_composition *cr_compose_memory(const char *text, size_t length, const char *name,
                                  const char *dir, cr_error *err)
{
    char *copy = malloc(length + 1);
    if (!copy) {
        cr_fail(err, CR_ERR_NOMEM, "%s: out of memory", name);
        return NULL;
    }
    memcpy(copy, text, length);
    copy[length] = '\0';
    return compose_text(copy, length, name, strdup(dir), NULL, err);
}

json_t *cr_composition_root(const cr_composition *doc)
{
    return doc->root;
}

size_t cr_composition_source_count(const cr_composition *doc)
{
    return doc->source_count;
}

const char *cr_composition_source_name(const cr_composition *doc, size_t index)
{
    return index < doc->source_count ? doc->sources[index].name : NULL;
}

static json_t *child(json_t *node, const cr_json_step *step)
{
    return step->key ? json_object_get(node, step->key) : json_array_get(node, step->index);
}

/* Walks the composites from the root, taking each member's origin; below
 * the first plain value the rest of the path is that file's path. */
cr_source_place cr_composition_locate(const cr_composition *doc, const cr_json_step *path,
                                      size_t depth, cr_json_target target)
{
    origin at = origin_root(0);
    json_t *node = doc->root;
    size_t i = 0;
    for (; i < depth && node; i++) {
        const composite *comp = find_composite(doc, node);
        const member *m = comp ? find_member(comp, &path[i]) : NULL;
        if (!m)
            break;
        at = m->at;
        node = child(node, &path[i]);
    }
    cr_json_step full[LOCATE_DEPTH];
    size_t n = at.depth;
    memcpy(full, at.path, n * sizeof *full);
    for (; i < depth && n < LOCATE_DEPTH; i++)
        full[n++] = path[i];
    const json_file *src = &doc->sources[at.source];
    cr_json_position pos = position_of(src, full, n, target);
    return (cr_source_place){at.source, src->name, src->dir, pos.line, pos.column};
}

void cr_composition_free(cr_composition *doc)
{
    if (!doc)
        return;
    json_decref(doc->root);
    for (size_t i = 0; i < doc->composite_count; i++) {
        json_decref(doc->composites[i].node);
        free(doc->composites[i].members);
    }
    free(doc->composites);
    for (size_t i = 0; i < doc->source_count; i++)
        source_free(&doc->sources[i]);
    free(doc->sources);
    free(doc);
}
