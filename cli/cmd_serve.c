/* cardrender serve --templates DIR [--listen ADDR:PORT] [--assets DIR] [--token TOKEN]
 *                  [--threads N] [--png-threads N] [--max-body-bytes N]
 *                  [--max-requests N] [--max-image-pixels N]
 * The render service over HTTP: libmicrohttpd reads requests (a body up to
 * the limit) and tools/service.c answers them.
 *
 * libmicrohttpd is opened here, when the service starts, not linked into
 * the tool: linked, it would bring GnuTLS and eight more libraries into
 * every cardrender process, to be mapped, relocated and (GnuTLS)
 * initialised before main, about 5 ms of CPU that a one-card render, the
 * commonest process, would pay for nothing. */
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "cli.h"
#include "service.h"

const char cli_serve_usage[] =
    "usage: cardrender serve --templates DIR [--listen ADDR:PORT] [--assets DIR]\n"
    "                        [--token TOKEN] [--threads N] [--png-threads N]\n"
    "                        [--max-body-bytes N] [--max-requests N] [--max-image-pixels N]\n"
    "\n"
    "Answers HTTP requests for cards, proofs, checks and layouts with one warm engine,\n"
    "and serves the template studio at /. See README, \"Render service\".\n"
    "  --templates DIR       the templates it serves: DIR/NAME.json is template NAME,\n"
    "                        read again when a file it was read from changes\n"
    "  --listen ADDR:PORT    where to listen (default 127.0.0.1:8080; port 0: any\n"
    "                        free port, said on stderr); [::1]:PORT for IPv6\n"
    "  --assets DIR          the folder a record's photo paths are read against\n"
    "                        (default: none, photos come only in the request)\n"
    "  --token TOKEN         clients other than this machine must send\n"
    "                        \"Authorization: Bearer TOKEN\"; needed to listen on an\n"
    "                        address other than loopback\n"
    "  --threads N           requests answered at once, 1..64 (default: the\n"
    "                        processors online, at most 8)\n"
    "  --png-threads N       threads that code one card's PNG, 1..64 (default 1)\n"
    "  --max-body-bytes N    the largest request body (default 33554432: 32 MiB)\n"
    "  --max-requests N      renders, checks and layouts at once before 503 (default 16)\n"
    "  --max-image-pixels N  the most pixels a photo may declare (default 40000000)\n"
    "Stops on SIGINT or SIGTERM, after the requests under way.\n";

extern const cr_service_file cli_served_files[];

/* ------------------------------------------------------ libmicrohttpd */

#define MHD_FUNCTIONS(X)                                                                           \
    X(MHD_start_daemon)                                                                            \
    X(MHD_stop_daemon)                                                                             \
    X(MHD_get_daemon_info)                                                                         \
    X(MHD_get_connection_info)                                                                     \
    X(MHD_lookup_connection_value)                                                                 \
    X(MHD_create_response_from_buffer)                                                             \
    X(MHD_create_response_from_buffer_with_free_callback)                                          \
    X(MHD_add_response_header)                                                                     \
    X(MHD_queue_response)                                                                          \
    X(MHD_destroy_response)

#define MHD_POINTER(name) __typeof__(&name) name;
static struct {
    MHD_FUNCTIONS(MHD_POINTER)
} mhd;

/* CR_MHD_SONAME: the library the header was built against (Makefile). */
static bool load_libmicrohttpd(void)
{
    void *library = dlopen(CR_MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        fprintf(stderr,
                "cardrender serve: cannot load %s (%s); install the Debian package "
                "libmicrohttpd12\n",
                CR_MHD_SONAME, dlerror());
        return false;
    }
#define MHD_LOOKUP(name)                                                                           \
    if (!(*(void **)&mhd.name = dlsym(library, #name))) {                                          \
        fprintf(stderr, "cardrender serve: %s lacks %s\n", CR_MHD_SONAME, #name);                  \
        return false;                                                                              \
    }
    MHD_FUNCTIONS(MHD_LOOKUP)
#undef MHD_LOOKUP
    return true; /* kept open until the process ends */
}

typedef struct serve_args {
    const char *templates, *listen, *assets, *token;
    int threads, png_threads, max_requests;
    double max_body, max_pixels;
} serve_args;

enum {
    OPT_TEMPLATES = 256,
    OPT_LISTEN,
    OPT_ASSETS,
    OPT_TOKEN,
    OPT_THREADS,
    OPT_PNG_THREADS,
    OPT_MAX_BODY,
    OPT_MAX_REQUESTS,
    OPT_MAX_PIXELS
};

static const struct option serve_options[] = {
    {"templates", required_argument, NULL, OPT_TEMPLATES},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"assets", required_argument, NULL, OPT_ASSETS},
    {"token", required_argument, NULL, OPT_TOKEN},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"png-threads", required_argument, NULL, OPT_PNG_THREADS},
    {"max-body-bytes", required_argument, NULL, OPT_MAX_BODY},
    {"max-requests", required_argument, NULL, OPT_MAX_REQUESTS},
    {"max-image-pixels", required_argument, NULL, OPT_MAX_PIXELS},
    {0}};

static bool take_count(const char *option, const char *value, double max, int *out)
{
    double v;
    if (!cli_option_number("serve", option, value, 1, max, true, &v))
        return false;
    *out = (int)v;
    return true;
}

static bool take_option(void *data, int id, const char *value)
{
    serve_args *a = data;
    switch (id) {
    case OPT_TEMPLATES:
        a->templates = value;
        return true;
    case OPT_LISTEN:
        a->listen = value;
        return true;
    case OPT_ASSETS:
        a->assets = value;
        return true;
    case OPT_TOKEN:
        if (value[0] == '\0') {
            fprintf(stderr, "cardrender serve: --token is empty\n");
            return false;
        }
        a->token = value;
        return true;
    case OPT_THREADS:
        return take_count("--threads", value, 64, &a->threads);
    case OPT_PNG_THREADS:
        return take_count("--png-threads", value, 64, &a->png_threads);
    case OPT_MAX_REQUESTS:
        return take_count("--max-requests", value, 100000, &a->max_requests);
    case OPT_MAX_BODY:
        return cli_option_number("serve", "--max-body-bytes", value, 1024, 1 << 30, true,
                                 &a->max_body);
    default:
        return cli_option_number("serve", "--max-image-pixels", value, 1, 1e9, true,
                                 &a->max_pixels);
    }
}

/* ------------------------------------------------------------ listening */

/* ADDR:PORT or [ADDR6]:PORT into *addr; false, said, when malformed. */
static bool parse_listen(const char *text, struct sockaddr_storage *addr)
{
    char host[128];
    const char *port;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':' || (size_t)(close - text - 1) >= sizeof host)
            goto bad;
        memcpy(host, text + 1, (size_t)(close - text - 1));
        host[close - text - 1] = '\0';
        port = close + 2;
    } else {
        const char *colon = strrchr(text, ':');
        if (!colon || (size_t)(colon - text) >= sizeof host)
            goto bad;
        memcpy(host, text, (size_t)(colon - text));
        host[colon - text] = '\0';
        port = colon + 1;
    }
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
                             .ai_socktype = SOCK_STREAM},
                    *found = NULL;
    if (port[0] == '\0' || getaddrinfo(host, port, &hints, &found) != 0)
        goto bad;
    memset(addr, 0, sizeof *addr);
    memcpy(addr, found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
    return true;
bad:
    fprintf(stderr,
            "cardrender serve: --listen needs ADDRESS:PORT with a numeric address, e.g. "
            "127.0.0.1:8080 or [::1]:8080, not \"%s\"\n",
            text);
    return false;
}

static bool is_loopback(const struct sockaddr *a)
{
    if (a->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr) >> 24) == 127;
    if (a->sa_family == AF_INET6) {
        const struct in6_addr *v6 = &((const struct sockaddr_in6 *)a)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(v6))
            return true;
        return IN6_IS_ADDR_V4MAPPED(v6) && v6->s6_addr[12] == 127;
    }
    return false;
}

/* ------------------------------------------------------------- requests */

typedef struct serve_state {
    cr_service *service;
    size_t max_body;
} serve_state;

static void free_library_memory(void *data)
{
    cr_free(data);
}

static enum MHD_Result send_answer(struct MHD_Connection *c, cr_service_response *r)
{
    struct MHD_Response *response =
        r->body_is_library_memory
            ? mhd.MHD_create_response_from_buffer_with_free_callback(r->length, r->body,
                                                                     free_library_memory)
            : mhd.MHD_create_response_from_buffer(r->length, r->body, MHD_RESPMEM_MUST_FREE);
    if (!response) {
        cr_service_response_free(r);
        return MHD_NO;
    }
    mhd.MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    mhd.MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    mhd.MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    if (r->status == 401)
        mhd.MHD_add_response_header(response, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    if (r->status == 503)
        mhd.MHD_add_response_header(response, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    enum MHD_Result result = mhd.MHD_queue_response(c, (unsigned)r->status, response);
    mhd.MHD_destroy_response(response);
    return result;
}

static bool client_is_loopback(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *info =
        mhd.MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info && info->client_addr && is_loopback(info->client_addr);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **state)
{
    serve_state *s = cls;
    cr_service_body *u = *state;
    if (!u) { /* the headers: make room for the body, refuse a declared huge one */
        if (!(u = calloc(1, sizeof *u)))
            return MHD_NO;
        *state = u;
        const char *declared =
            mhd.MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        u->too_large = declared && strtoull(declared, NULL, 10) > s->max_body;
        if (!u->too_large)
            return MHD_YES;
    } else if (*size > 0) {
        cr_service_body_append(u, data, *size, s->max_body);
        *size = 0;
        return MHD_YES;
    }
    cr_service_request request = {.method = method,
                                  .path = url,
                                  .content_type = mhd.MHD_lookup_connection_value(
                                      c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
                                  .authorization = mhd.MHD_lookup_connection_value(
                                      c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
                                  .loopback = client_is_loopback(c),
                                  .body = u->data,
                                  .length = u->length,
                                  .body_too_large = u->too_large};
    cr_service_response response;
    cr_service_handle(s->service, &request, &response);
    return send_answer(c, &response);
}

static void request_done(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode why)
{
    cr_service_body *u = *state;
    if (u)
        free(u->data);
    free(u);
    *state = NULL;
}

/* ------------------------------------------------------------- running */

static struct MHD_Daemon *start(const serve_args *a, serve_state *state,
                                const struct sockaddr_storage *addr)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_AUTO;
    if (addr->ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* one thread: the polling thread answers (a pool of 1 is refused) */
    struct MHD_OptionItem pool[] = {
        {a->threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, a->threads, NULL},
        {MHD_OPTION_END, 0, NULL}};
    return mhd.MHD_start_daemon(flags, 0, NULL, NULL, answer, state, MHD_OPTION_SOCK_ADDR,
                                (const struct sockaddr *)addr, MHD_OPTION_CONNECTION_TIMEOUT,
                                (unsigned)30, MHD_OPTION_CONNECTION_LIMIT,
                                (unsigned)(a->threads * 64), MHD_OPTION_NOTIFY_COMPLETED,
                                request_done, NULL, MHD_OPTION_ARRAY, pool, MHD_OPTION_END);
}

static int wait_for_stop(void)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    int which = 0;
    sigwait(&stop, &which);
    return which;
}

static int serve(const serve_args *a, const struct sockaddr_storage *addr)
{
    cr_engine *engine = cli_engine_create();
    if (!engine)
        return CLI_INPUT_ERROR;
    cr_service_config config = {.templates_dir = a->templates,
                                .assets_dir = a->assets,
                                .token = a->token,
                                .max_body_bytes = (size_t)a->max_body,
                                .max_image_pixels = (uint64_t)a->max_pixels,
                                .max_requests = a->max_requests,
                                .png_threads = a->png_threads,
                                .files = cli_served_files};
    cr_error err;
    cr_service *service = cr_service_create(engine, &config, &err);
    cr_engine_destroy(engine);
    if (!service) {
        fprintf(stderr, "cardrender serve: %s\n", err.message);
        return CLI_INPUT_ERROR;
    }
    serve_state state = {service, cr_service_max_body(service)};
    /* SIGINT and SIGTERM wait for sigwait, in every thread started from here */
    sigset_t stop, before;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, &before);
    struct MHD_Daemon *daemon = start(a, &state, addr);
    if (!daemon) {
        fprintf(stderr, "cardrender serve: cannot listen on %s: %s\n", a->listen, strerror(errno));
        cr_service_destroy(service);
        return CLI_INPUT_ERROR;
    }
    const union MHD_DaemonInfo *port = mhd.MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    fprintf(stderr, "cardrender serve: listening on port %u (%s), templates %s\n",
            port ? (unsigned)port->port : 0u, a->listen, a->templates);
    int which = wait_for_stop();
    fprintf(stderr, "cardrender serve: %s: stopping\n", which == SIGINT ? "SIGINT" : "SIGTERM");
    mhd.MHD_stop_daemon(daemon);
    cr_service_destroy(service);
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    return CLI_OK;
}

int cli_serve(int argc, char **argv)
{
    serve_args a = {.listen = "127.0.0.1:8080",
                    .threads = cli_default_threads(),
                    .png_threads = 1,
                    .max_requests = 16};
    const cli_parser parser = {"serve", "", serve_options, take_option, &a};
    const char *operands[1];
    int count = 0;
    if (!cli_parse_options(&parser, argc, argv, operands, 0, &count))
        return CLI_USAGE;
    if (!a.templates) {
        fprintf(stderr, "cardrender serve: needs --templates DIR\n");
        return CLI_USAGE;
    }
    struct sockaddr_storage addr;
    if (!parse_listen(a.listen, &addr))
        return CLI_USAGE;
    if (!is_loopback((const struct sockaddr *)&addr) && !a.token) {
        fprintf(stderr,
                "cardrender serve: --listen %s answers other machines: give --token TOKEN too "
                "(they then send \"Authorization: Bearer TOKEN\")\n",
                a.listen);
        return CLI_USAGE;
    }
    if (!load_libmicrohttpd())
        return CLI_INPUT_ERROR;
    return serve(&a, &addr);
}
