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
 * commonest process, would pay for nothing.
 *
 * Threads: one reads and writes every connection (libmicrohttpd's polling
 * thread) and answers what is quick (files, template lists, errors found
 * before the body is read); renders, checks, layouts and fields go to a
 * queue that --threads workers take in turn, the connection suspended
 * meanwhile. A pool of libmicrohttpd threads instead (this file until
 * 2026-12-06) keeps each connection on the thread that accepted it, so two
 * kept-alive clients on one thread waited for each other while another
 * thread idled (measured, 4 clients and 2 threads: one thread did 1.4-3.3
 * times the other's work; ab's 4 connections all landed on one). */
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
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
    "  --threads N           threads that work on renders, checks and layouts, taken\n"
    "                        in turn from one queue, 1..64 (default: the\n"
    "                        processors online, at most 8)\n"
    "  --png-threads N       threads that code one card's PNG, 1..64 (default 1)\n"
    "  --max-body-bytes N    the largest request body (default 33554432: 32 MiB)\n"
    "  --max-requests N      renders, checks and layouts at once, worked on or\n"
    "                        waiting in the queue, before 503 (default 16)\n"
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
    X(MHD_destroy_response)                                                                        \
    X(MHD_suspend_connection)                                                                      \
    X(MHD_resume_connection)

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

enum { CONNECTION_TIMEOUT_S = 30 }; /* a connection quiet this long is closed */

/* A connection's request from its headers to its answer. */
typedef struct pending {
    cr_service_body body;
    cr_service_request request; /* when queued */
    cr_service_response response;
    bool answered; /* by a worker: response is to be sent */
    bool counted;  /* in serve_state.unsent until done */
    struct MHD_Connection *connection;
    struct pending *next;
} pending;

typedef struct serve_state {
    cr_service *service;
    size_t max_body;
    pthread_mutex_t lock; /* the queue */
    pthread_cond_t queued;
    pending *first, *last;
    bool stopping;     /* the workers end once the queue is empty */
    atomic_int unsent; /* answers made and not yet sent in full (or dropped) */
    int worker_count;
    pthread_t workers[64];
} serve_state;

/* ------------------------------------------------------------- workers */

static void *work(void *arg)
{
    serve_state *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        while (!s->first && !s->stopping)
            pthread_cond_wait(&s->queued, &s->lock);
        pending *p = s->first;
        if (p && !(s->first = p->next))
            s->last = NULL;
        pthread_mutex_unlock(&s->lock);
        if (!p)
            return NULL;
        cr_service_handle(s->service, &p->request, &p->response);
        atomic_fetch_add(&s->unsent, 1);
        p->answered = p->counted = true;
        /* the last touch: once resumed, the polling thread sends the answer
         * and may free p */
        mhd.MHD_resume_connection(p->connection);
    }
}

/* Suspends the connection and queues its request; false once the service
 * is stopping: the caller answers itself. */
static bool enqueue(serve_state *s, pending *p)
{
    pthread_mutex_lock(&s->lock);
    bool queued = !s->stopping;
    if (queued) {
        mhd.MHD_suspend_connection(p->connection);
        p->next = NULL;
        *(s->last ? &s->last->next : &s->first) = p;
        s->last = p;
        pthread_cond_signal(&s->queued);
    }
    pthread_mutex_unlock(&s->lock);
    return queued;
}

/* Stopping the daemon closes every connection: first the answers made are
 * let go out, for as long as a connection may stay quiet. */
static void wait_until_sent(serve_state *s)
{
    const struct timespec pause = {0, 2 * 1000 * 1000};
    for (int waited = 0; atomic_load(&s->unsent) > 0 && waited < CONNECTION_TIMEOUT_S * 500;
         waited++)
        nanosleep(&pause, NULL);
}

static bool start_workers(serve_state *s, int count)
{
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->queued, NULL);
    for (s->worker_count = 0; s->worker_count < count; s->worker_count++)
        if (pthread_create(&s->workers[s->worker_count], NULL, work, s) != 0)
            break;
    return s->worker_count > 0;
}

/* Returns once the queue is empty: every suspended connection has been
 * resumed, as libmicrohttpd requires before it stops. */
static void stop_workers(serve_state *s)
{
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    pthread_cond_broadcast(&s->queued);
    pthread_mutex_unlock(&s->lock);
    for (int i = 0; i < s->worker_count; i++)
        pthread_join(s->workers[i], NULL);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->queued);
}

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

/* Whether a worker answers it: a POST whose body was read (one too large
 * is refused at once). */
static bool for_a_worker(const char *method, const pending *p)
{
    return !strcmp(method, MHD_HTTP_METHOD_POST) && !p->body.too_large;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **state)
{
    serve_state *s = cls;
    pending *p = *state;
    if (!p) { /* the headers: make room for the body, refuse a declared huge one */
        if (!(p = calloc(1, sizeof *p)))
            return MHD_NO;
        *state = p;
        const char *declared =
            mhd.MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        p->body.too_large = declared && strtoull(declared, NULL, 10) > s->max_body;
        if (!p->body.too_large)
            return MHD_YES;
    } else if (p->answered) { /* resumed: a worker answered */
        p->answered = false;
        return send_answer(c, &p->response);
    } else if (*size > 0) {
        cr_service_body_append(&p->body, data, *size, s->max_body);
        *size = 0;
        return MHD_YES;
    }
    p->request = (cr_service_request){.method = method,
                                      .path = url,
                                      .content_type = mhd.MHD_lookup_connection_value(
                                          c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
                                      .authorization = mhd.MHD_lookup_connection_value(
                                          c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
                                      .loopback = client_is_loopback(c),
                                      .body = p->body.data,
                                      .length = p->body.length,
                                      .body_too_large = p->body.too_large};
    if (for_a_worker(method, p)) {
        /* a place first, so that the queue is never longer than
         * --max-requests; without one the answer is 503, given here */
        p->request.place =
            cr_service_admit(s->service) ? CR_SERVICE_PLACE_HELD : CR_SERVICE_PLACE_REFUSED;
        p->connection = c;
        if (p->request.place == CR_SERVICE_PLACE_HELD && enqueue(s, p))
            return MHD_YES;
    }
    cr_service_response response;
    cr_service_handle(s->service, &p->request, &response);
    atomic_fetch_add(&s->unsent, 1);
    p->counted = true;
    return send_answer(c, &response);
}

static void request_done(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode why)
{
    serve_state *s = cls;
    pending *p = *state;
    if (p) {
        if (p->counted)
            atomic_fetch_sub(&s->unsent, 1);
        cr_service_body_free(&p->body);
        if (p->answered) /* a worker's answer never sent: the connection closed */
            cr_service_response_free(&p->response);
    }
    free(p);
    *state = NULL;
}

/* ------------------------------------------------------------- running */

static struct MHD_Daemon *start(const serve_args *a, serve_state *state,
                                const struct sockaddr_storage *addr)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG | MHD_USE_AUTO;
    if (addr->ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    return mhd.MHD_start_daemon(flags, 0, NULL, NULL, answer, state, MHD_OPTION_SOCK_ADDR,
                                (const struct sockaddr *)addr, MHD_OPTION_CONNECTION_TIMEOUT,
                                (unsigned)CONNECTION_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT,
                                (unsigned)(a->threads * 64), MHD_OPTION_NOTIFY_COMPLETED,
                                request_done, state, MHD_OPTION_END);
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
    serve_state state = {.service = service, .max_body = cr_service_max_body(service)};
    /* SIGINT and SIGTERM wait for sigwait, in every thread started from here */
    sigset_t stop, before;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, &before);
    if (!start_workers(&state, a->threads)) {
        fprintf(stderr, "cardrender serve: cannot start a thread\n");
        stop_workers(&state);
        cr_service_destroy(service);
        pthread_sigmask(SIG_SETMASK, &before, NULL);
        return CLI_INPUT_ERROR;
    }
    struct MHD_Daemon *daemon = start(a, &state, addr);
    if (!daemon) {
        fprintf(stderr, "cardrender serve: cannot listen on %s: %s\n", a->listen, strerror(errno));
        stop_workers(&state);
        cr_service_destroy(service);
        pthread_sigmask(SIG_SETMASK, &before, NULL);
        return CLI_INPUT_ERROR;
    }
    const union MHD_DaemonInfo *port = mhd.MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    fprintf(stderr, "cardrender serve: listening on port %u (%s), templates %s\n",
            port ? (unsigned)port->port : 0u, a->listen, a->templates);
    int which = wait_for_stop();
    fprintf(stderr, "cardrender serve: %s: stopping\n", which == SIGINT ? "SIGINT" : "SIGTERM");
    stop_workers(&state); /* the requests under way answered first */
    wait_until_sent(&state);
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
