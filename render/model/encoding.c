/* Record input in any encoding ICU knows, read as UTF-8: see encoding.h. */
#include "encoding.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <unicode/ucnv.h>

#include "error.h"
#include "array.h"
#include "text.h"

#define RAW_SIZE 16384
#define PIVOT_SIZE 4096
/* A UTF-16 unit becomes at most 3 UTF-8 bytes; room for a U+FFFD besides. */
#define OUT_SIZE (3 * PIVOT_SIZE + 16)

static const char REPLACEMENT[] = "\xEF\xBF\xBD";

struct cr_decoder {
    FILE *raw;
    FILE *stream;
    const char *memory; /* the whole input, when it is in memory */
    size_t memory_length;
    char *name;
    char encoding[64]; /* as given or detected, for messages */
    bool utf8;
    UConverter *from, *to;
    char raw_buf[RAW_SIZE];
    size_t raw_length, raw_pos;
    uint64_t consumed; /* input bytes converted so far, the byte-order mark included */
    bool raw_end, done, started, judged;
    int read_errno;
    UChar pivot[PIVOT_SIZE];
    char out[OUT_SIZE];
    size_t out_length, out_pos;
    long line, column; /* where the next output character goes: 1-based line, 0-based column */
    size_t line_byte;
    cr_decode_problem *problems;
    size_t problem_count, problem_capacity, problem_head;
};

/* ---------------------------------------------------------- converters */

/* A converter that stops at a bad sequence instead of replacing it, so that
 * every one is seen; NULL when ICU does not know the name. */
static UConverter *open_converter(const char *encoding)
{
    if (!encoding || !encoding[0])
        return NULL;
    UErrorCode ec = U_ZERO_ERROR;
    UConverter *c = ucnv_open(encoding, &ec);
    if (U_FAILURE(ec))
        return NULL;
    ucnv_setToUCallBack(c, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL, &ec);
    if (U_FAILURE(ec)) {
        ucnv_close(c);
        return NULL;
    }
    return c;
}

cr_status cr_encoding_check(const char *encoding, cr_error *err)
{
    UConverter *c = open_converter(encoding);
    if (!c)
        return cr_fail(err, CR_ERR_ARGUMENT,
                       "unknown encoding \"%s\" (e.g. gb18030, gbk, big5, utf-16le, utf-16be)",
                       encoding ? encoding : "");
    ucnv_close(c);
    return CR_OK;
}

/* The encoding a byte-order mark at the start names (ICU reads it), and its
 * length; NULL when there is none. Only the Unicode forms a registry writes
 * count: ICU also knows signatures of UTF-7 or SCSU, which plain text could
 * start with by chance. */
static const char *bom_encoding(const char *bytes, size_t length, size_t *bom_length)
{
    static const char *const known[] = {"UTF-8", "UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE"};
    UErrorCode ec = U_ZERO_ERROR;
    int32_t signature = 0;
    int32_t size = length > 8 ? 8 : (int32_t)length;
    const char *name = ucnv_detectUnicodeSignature(bytes, size, &signature, &ec);
    for (size_t i = 0; name && U_SUCCESS(ec) && i < sizeof known / sizeof *known; i++)
        if (!strcmp(name, known[i])) {
            *bom_length = (size_t)signature;
            return known[i];
        }
    *bom_length = 0;
    return NULL;
}

/* ------------------------------------------------------- judging input */

/* What an input holds in one encoding: bad sequences, and characters
 * outside ASCII read well. */
typedef struct tally {
    uint64_t bad, wide;
} tally;

static void tally_bytes(UConverter *c, const char *bytes, size_t length, bool flush, tally *t)
{
    UChar units[1024];
    const char *src = bytes, *limit = bytes + length;
    for (;;) {
        UChar *target = units;
        UErrorCode ec = U_ZERO_ERROR;
        ucnv_toUnicode(c, &target, units + 1024, &src, limit, NULL, flush, &ec);
        for (const UChar *u = units; u < target; u++)
            t->wide += *u >= 0x80;
        if (U_FAILURE(ec) && ec != U_BUFFER_OVERFLOW_ERROR)
            t->bad++;
        else if (ec != U_BUFFER_OVERFLOW_ERROR)
            return;
    }
}

/* Reads the whole input again (a file by pread, so the stream being decoded
 * keeps its place) in encoding; false when it cannot be read again (a pipe)
 * or ICU does not know the name. */
static bool tally_input(const cr_decoder *d, const char *encoding, tally *t)
{
    UConverter *c = open_converter(encoding);
    struct stat st;
    int fd = d->memory ? -1 : fileno(d->raw);
    bool readable = c && (d->memory || (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)));
    if (readable && d->memory) {
        tally_bytes(c, d->memory, d->memory_length, true, t);
    } else if (readable) {
        char buf[RAW_SIZE];
        off_t at = 0;
        ssize_t n;
        while ((n = pread(fd, buf, sizeof buf, at)) > 0) {
            tally_bytes(c, buf, (size_t)n, false, t);
            at += n;
        }
        tally_bytes(c, buf, 0, true, t);
        readable = n == 0;
    }
    if (c)
        ucnv_close(c);
    return readable;
}

/* The input as a whole is in another encoding than the one it is read in:
 * in this one, bad sequences outnumber the characters that read well, and
 * in `other` every byte reads cleanly. Only asked for encodings where ASCII
 * is ASCII: the other candidate is. */
static bool wrong_as_a_whole(const cr_decoder *d, const char *other)
{
    tally here = {0, 0}, there = {0, 0};
    return ucnv_getMinCharSize(d->from) == 1 && tally_input(d, d->encoding, &here) &&
           here.bad > here.wide && tally_input(d, other, &there) && there.bad == 0;
}

/* The bytes from a bad sequence to the end of its line read cleanly as
 * GB 18030: the suggestion for one record of a stream that cannot be read
 * again. */
static bool rest_of_line_is_gb18030(const cr_decoder *d, size_t start)
{
    const char *end = memchr(d->raw_buf + start, '\n', d->raw_length - start);
    size_t length = end ? (size_t)(end - d->raw_buf) - start : d->raw_length - start;
    UConverter *c = open_converter("gb18030");
    tally t = {0, 0};
    if (c) {
        tally_bytes(c, d->raw_buf + start, length, false, &t);
        ucnv_close(c);
    }
    return c && t.bad == 0 && t.wide > 0;
}

static void judge(cr_decoder *d, cr_decode_problem *p)
{
    const char *other = d->utf8 ? "gb18030" : "utf-8";
    if (!d->judged) {
        d->judged = true;
        if (wrong_as_a_whole(d, other)) {
            p->whole_file = true;
            p->suggest = other;
            return;
        }
    }
    size_t length = (size_t)p->byte_count;
    if (d->utf8 && d->raw_pos >= length && rest_of_line_is_gb18030(d, d->raw_pos - length))
        p->suggest = "gb18030";
}

/* ----------------------------------------------------------- decoding */

/* Appends UTF-8 output, following its lines and columns. */
static void put(cr_decoder *d, const char *bytes, size_t length)
{
    memcpy(d->out + d->out_length, bytes, length);
    d->out_length += length;
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)bytes[i];
        if (c == '\n') {
            d->line++;
            d->column = 0;
            d->line_byte = 0;
            continue;
        }
        d->line_byte++;
        d->column += (c & 0xC0) != 0x80;
    }
}

static void put_units(cr_decoder *d, const UChar *units, size_t count, bool flush)
{
    if (!d->started && count > 0) {
        d->started = true;
        if (units[0] == 0xFEFF) { /* a byte-order mark that the encoding's name implied */
            units++;
            count--;
        }
    }
    char bytes[OUT_SIZE];
    char *target = bytes;
    const UChar *src = units;
    UErrorCode ec = U_ZERO_ERROR;
    ucnv_fromUnicode(d->to, &target, bytes + sizeof bytes, &src, units + count, NULL, flush, &ec);
    put(d, bytes, (size_t)(target - bytes));
}

/* Notes the bad sequence the converter stopped at; a U+FFFD stands for it. */
static void note_problem(cr_decoder *d)
{
    cr_decode_problem p = {.line = d->line, .column = d->column + 1, .line_byte = d->line_byte};
    char bytes[32];
    int8_t count = sizeof bytes;
    UErrorCode ec = U_ZERO_ERROR;
    ucnv_getInvalidChars(d->from, bytes, &count, &ec);
    if (U_FAILURE(ec))
        count = 0;
    p.byte_count = count < 8 ? count : 8;
    memcpy(p.bytes, bytes, (size_t)p.byte_count);
    p.offset = d->consumed - (uint64_t)count;
    judge(d, &p);
    /* One problem a line is enough: the record fails on the first. */
    bool same_line = d->problem_count > 0 && d->problems[d->problem_count - 1].line == p.line;
    if (!same_line && cr_reserve((void **)&d->problems, &d->problem_capacity, d->problem_count + 1,
                                 sizeof *d->problems))
        d->problems[d->problem_count++] = p;
    put(d, REPLACEMENT, 3);
}

/* Reads what is there, up to a buffer: a pipe's records are decoded as they
 * arrive (fread would wait for a whole buffer). Nothing has read from raw's
 * stdio buffer before, so its descriptor can be read directly; an input in
 * memory has none. */
static ssize_t read_some(cr_decoder *d, char *buf, size_t size)
{
    int fd = fileno(d->raw);
    if (fd < 0) {
        size_t n = fread(buf, 1, size, d->raw);
        return n == 0 && ferror(d->raw) ? -1 : (ssize_t)n;
    }
    ssize_t n;
    do
        n = read(fd, buf, size);
    while (n < 0 && errno == EINTR);
    return n;
}

/* Reads more input when what was read is used; false at its end. */
static bool fill_raw(cr_decoder *d)
{
    if (d->raw_pos < d->raw_length)
        return true;
    if (d->raw_end)
        return false;
    d->raw_pos = 0;
    ssize_t n = read_some(d, d->raw_buf, sizeof d->raw_buf);
    d->raw_length = n > 0 ? (size_t)n : 0;
    if (n < 0)
        d->read_errno = errno ? errno : EIO;
    d->raw_end = n <= 0;
    return n > 0;
}

/* Converts the next piece of input into out. */
static void decode_step(cr_decoder *d)
{
    bool flush = !fill_raw(d);
    const char *start = d->raw_buf + d->raw_pos, *src = start;
    UChar *target = d->pivot;
    UErrorCode ec = U_ZERO_ERROR;
    ucnv_toUnicode(d->from, &target, d->pivot + PIVOT_SIZE, &src, d->raw_buf + d->raw_length, NULL,
                   flush, &ec);
    d->raw_pos += (size_t)(src - start);
    d->consumed += (uint64_t)(src - start);
    bool last = flush && ec != U_BUFFER_OVERFLOW_ERROR;
    put_units(d, d->pivot, (size_t)(target - d->pivot), last);
    if (U_FAILURE(ec) && ec != U_BUFFER_OVERFLOW_ERROR)
        note_problem(d);
    d->done = last;
}

static ssize_t stream_read(void *cookie, char *buf, size_t size)
{
    cr_decoder *d = cookie;
    while (d->out_pos == d->out_length && !d->done && !d->read_errno) {
        d->out_pos = d->out_length = 0;
        decode_step(d);
    }
    if (d->out_pos == d->out_length && d->read_errno) {
        errno = d->read_errno;
        return -1;
    }
    size_t n = d->out_length - d->out_pos < size ? d->out_length - d->out_pos : size;
    memcpy(buf, d->out + d->out_pos, n);
    d->out_pos += n;
    return (ssize_t)n;
}

/* The encoding named, or the one a byte-order mark names (skipped), or UTF-8. */
static bool choose_encoding(cr_decoder *d, const char *encoding)
{
    fill_raw(d);
    while (d->raw_length < 4 && !d->raw_end) { /* a pipe may hand a mark over in pieces */
        ssize_t n = read_some(d, d->raw_buf + d->raw_length, sizeof d->raw_buf - d->raw_length);
        d->raw_length += n > 0 ? (size_t)n : 0;
        d->raw_end = n <= 0;
        if (n < 0)
            d->read_errno = errno ? errno : EIO;
    }
    size_t bom = 0;
    const char *detected = bom_encoding(d->raw_buf, d->raw_length, &bom);
    if (!encoding && detected) {
        d->raw_pos = bom;
        d->consumed = bom;
    }
    const char *name = encoding ? encoding : detected ? detected : "UTF-8";
    snprintf(d->encoding, sizeof d->encoding, "%s", name);
    d->from = open_converter(name);
    return d->from != NULL;
}

cr_decoder *cr_decoder_open(FILE *raw, const char *name, const char *encoding, cr_error *err)
{
    if (encoding && cr_encoding_check(encoding, err) != CR_OK)
        return NULL;
    cr_decoder *d = calloc(1, sizeof *d);
    if (!d || !(d->name = strdup(name ? name : "<input>"))) {
        free(d);
        cr_fail(err, CR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    d->raw = raw;
    d->line = 1;
    UErrorCode ec = U_ZERO_ERROR;
    d->to = ucnv_open("UTF-8", &ec);
    cookie_io_functions_t io = {.read = stream_read};
    if (U_SUCCESS(ec) && choose_encoding(d, encoding))
        d->stream = fopencookie(d, "r", io);
    if (!d->stream) {
        cr_decoder_close(d);
        cr_fail(err, CR_ERR_NOMEM, "out of memory");
        return NULL;
    }
    d->utf8 = ucnv_getType(d->from) == UCNV_UTF8;
    return d;
}

FILE *cr_decoder_stream(cr_decoder *decoder)
{
    return decoder->stream;
}

bool cr_decoder_problem(cr_decoder *d, long line, cr_decode_problem *out)
{
    while (d->problem_head < d->problem_count && d->problems[d->problem_head].line < line)
        d->problem_head++;
    if (d->problem_head == d->problem_count) {
        d->problem_head = d->problem_count = 0; /* all seen: the room is used again */
        return false;
    }
    if (d->problems[d->problem_head].line != line)
        return false;
    *out = d->problems[d->problem_head++];
    return true;
}

/* "0xB3 0xC2" */
static void format_bytes(const cr_decode_problem *p, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < p->byte_count && used + 6 < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s0x%02X", i ? " " : "", p->bytes[i]);
}

cr_status cr_decoder_fail(const cr_decoder *d, const cr_decode_problem *p, const char *what,
                          cr_error *err)
{
    char bytes[64];
    format_bytes(p, bytes, sizeof bytes);
    cr_location where = {d->name, (int)p->line, (int)p->column, -1, NULL};
    unsigned long long offset = (unsigned long long)p->offset;
    if (p->whole_file)
        return cr_error_set(err, CR_ERR_RECORD, where,
                            "not %s from byte offset %llu on (byte%s %s), but the whole file "
                            "reads cleanly as %s: give --encoding %s",
                            d->encoding, offset, p->byte_count == 1 ? "" : "s", bytes, p->suggest,
                            p->suggest);
    char hint[128] = "";
    if (p->suggest)
        snprintf(hint, sizeof hint, "; these bytes read as %s: try --encoding %s", p->suggest,
                 p->suggest);
    else if (d->utf8)
        snprintf(hint, sizeof hint, "; save the file as UTF-8 or give its encoding (--encoding)");
    return cr_error_set(err, CR_ERR_RECORD, where,
                        "%s%snot valid %s: byte%s %s at byte offset %llu%s", what ? what : "",
                        what ? " is " : "", d->encoding, p->byte_count == 1 ? "" : "s", bytes,
                        offset, hint);
}

void cr_decoder_close(cr_decoder *d)
{
    if (!d)
        return;
    if (d->stream)
        fclose(d->stream);
    if (d->from)
        ucnv_close(d->from);
    if (d->to)
        ucnv_close(d->to);
    free(d->problems);
    free(d->name);
    free(d);
}

/* ------------------------------------------------------------ in memory */

static cr_status copy_text(const char *bytes, size_t length, char **text, size_t *text_length,
                           const char *name, cr_error *err)
{
    *text = malloc(length + 1);
    if (!*text)
        return cr_fail(err, CR_ERR_NOMEM, "%s: out of memory", name);
    memcpy(*text, bytes, length);
    (*text)[length] = '\0';
    *text_length = length;
    return CR_OK;
}

/* Reads the decoded stream to its end into a NUL-terminated buffer. */
static cr_status read_decoded(cr_decoder *d, char **text, size_t *text_length, cr_error *err)
{
    size_t capacity = 0, used = 0;
    char *buf = NULL;
    for (;;) {
        if (!cr_reserve((void **)&buf, &capacity, used + 4097, 1)) {
            free(buf);
            return cr_fail(err, CR_ERR_NOMEM, "%s: out of memory", d->name);
        }
        size_t n = fread(buf + used, 1, 4096, d->stream);
        used += n;
        if (n == 0)
            break;
    }
    buf[used] = '\0';
    if (d->problem_count > 0) {
        free(buf);
        return cr_decoder_fail(d, &d->problems[0], NULL, err);
    }
    *text = buf;
    *text_length = used;
    return CR_OK;
}

cr_status cr_decode_text(const char *bytes, size_t length, const char *encoding, const char *name,
                         char **text, size_t *text_length, cr_error *err)
{
    *text = NULL;
    *text_length = 0;
    name = name ? name : "<memory>";
    if (encoding && cr_encoding_check(encoding, err) != CR_OK)
        return CR_ERR_ARGUMENT;
    size_t bom, bad;
    /* Plain UTF-8, as before encodings were known, is taken as it is. */
    bool plain =
        !encoding && !bom_encoding(bytes, length, &bom) && cr_utf8_valid(bytes, length, &bad);
    if (plain || length == 0)
        return copy_text(bytes, length, text, text_length, name, err);
    FILE *raw = fmemopen((void *)bytes, length, "rb");
    if (!raw)
        return cr_fail(err, CR_ERR_NOMEM, "%s: out of memory", name);
    cr_decoder *d = cr_decoder_open(raw, name, encoding, err);
    cr_status status = d ? CR_OK : err ? err->code : CR_ERR_NOMEM;
    if (d) {
        d->memory = bytes;
        d->memory_length = length;
        status = read_decoded(d, text, text_length, err);
    }
    cr_decoder_close(d);
    fclose(raw);
    return status;
}
