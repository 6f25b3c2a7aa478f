/*
 * The floor: the least work a server must do to deliver what Switchboard delivers in the fan-out benchmarks.
 *
 * It accepts WebSockets on /socket/websocket, answers every Phoenix V2 phx_join and heartbeat with an ok reply, and on
 * each `POST /publish` wraps the posted envelope once as a Phoenix broadcast `[null,null,"sessions","session_updated",…]`
 * in one WebSocket frame and writes that same buffer to every subscriber. Nothing is stored, parsed beyond what routing
 * needs, or routed by topic. One epoll loop per core owns its share of the connections; the acceptor hands them out
 * round-robin, and a publish is handed to every loop through its queue and eventfd.
 *
 * Build: cc -O2 -pthread -o floor floor.c   (no dependencies)
 * Run:   ./floor --urls http://127.0.0.1:0   (prints "Now listening on: http://127.0.0.1:PORT")
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* ---------- SHA-1 and base64, for Sec-WebSocket-Accept ---------- */

static uint32_t rol(uint32_t v, int n) { return (v << n) | (v >> (32 - n)); }

static void sha1(const uint8_t *data, size_t len, uint8_t out[20]) {
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    size_t total = ((len + 8) / 64 + 1) * 64;
    uint8_t *msg = calloc(total, 1);
    memcpy(msg, data, len);
    msg[len] = 0x80;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++) msg[total - 1 - i] = (uint8_t)(bits >> (8 * i));
    for (size_t off = 0; off < total; off += 64) {
        uint32_t w[80];
        for (int i = 0; i < 16; i++)
            w[i] = (uint32_t)msg[off + 4 * i] << 24 | (uint32_t)msg[off + 4 * i + 1] << 16 | (uint32_t)msg[off + 4 * i + 2] << 8 | msg[off + 4 * i + 3];
        for (int i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (int i = 0; i < 80; i++) {
            uint32_t f, k;
            if (i < 20) { f = (b & c) | (~b & d); k = 0x5A827999; }
            else if (i < 40) { f = b ^ c ^ d; k = 0x6ED9EBA1; }
            else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC; }
            else { f = b ^ c ^ d; k = 0xCA62C1D6; }
            uint32_t t = rol(a, 5) + f + e + k + w[i];
            e = d; d = c; c = rol(b, 30); b = a; a = t;
        }
        h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
    }
    free(msg);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (uint8_t)(h[i] >> 24); out[4 * i + 1] = (uint8_t)(h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(h[i] >> 8); out[4 * i + 3] = (uint8_t)h[i];
    }
}

static void base64(const uint8_t *in, size_t len, char *out) {
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < len ? in[i + 2] : 0);
        out[o++] = t[(v >> 18) & 63];
        out[o++] = t[(v >> 12) & 63];
        out[o++] = i + 1 < len ? t[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? t[v & 63] : '=';
    }
    out[o] = 0;
}

/* ---------- buffers, frames, connections ---------- */

typedef struct { char *data; size_t len, cap; } buf_t;

static void buf_append(buf_t *b, const void *p, size_t n) {
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 256;
        b->data = realloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void buf_consume(buf_t *b, size_t n) {
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

/* One encoded broadcast, shared by every loop until the last one is done with it. */
typedef struct frame { atomic_int refs; size_t len; uint8_t bytes[]; } frame_t;

static void frame_release(frame_t *f) {
    if (atomic_fetch_sub(&f->refs, 1) == 1) free(f);
}

enum { HTTP, WEBSOCKET };

typedef struct conn {
    int fd, kind, index;   /* index in its loop's subscriber list while a WebSocket */
    int closing;           /* closed in this epoll batch: its remaining events are skipped, it is freed after the batch */
    struct conn *next_dead;
    buf_t in, out;         /* bytes read but not handled; bytes the socket would not take yet */
} conn_t;

typedef struct loop {
    pthread_t thread;
    int epoll, wake;       /* the eventfd a publish rings */
    pthread_mutex_t lock;  /* guards the queue only */
    frame_t **queue; size_t queued, queue_cap;
    conn_t **subs; size_t nsubs, subs_cap;
    conn_t *dead;          /* closed during the current batch, freed after it */
} loop_t;

enum { IOV_MAX_FRAMES = 512 };

static loop_t *loops;
static int nloops;
static atomic_long deliveries;

/* Closes now, frees after the batch: a later event of the same epoll_wait may still name the connection. */
static void conn_close(loop_t *l, conn_t *c) {
    if (c->closing) return;
    c->closing = 1;
    if (c->kind == WEBSOCKET && c->index >= 0) {
        conn_t *last = l->subs[--l->nsubs];
        l->subs[c->index] = last;
        last->index = c->index;
        c->index = -1;
    }
    epoll_ctl(l->epoll, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->next_dead = l->dead;
    l->dead = c;
}

static void free_dead(loop_t *l) {
    while (l->dead) {
        conn_t *c = l->dead;
        l->dead = c->next_dead;
        free(c->in.data);
        free(c->out.data);
        free(c);
    }
}

/* Writes what the socket takes now; keeps the rest and asks for EPOLLOUT. Returns -1 when the peer is gone. */
static int conn_send(loop_t *l, conn_t *c, const void *p, size_t n) {
    size_t sent = 0;
    if (c->out.len == 0) {
        while (sent < n) {
            ssize_t w = send(c->fd, (const char *)p + sent, n - sent, MSG_NOSIGNAL);
            if (w > 0) { sent += (size_t)w; continue; }
            if (w < 0 && errno == EINTR) continue;
            if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            return -1;
        }
    }
    if (sent < n) {
        int was_empty = c->out.len == 0;
        buf_append(&c->out, (const char *)p + sent, n - sent);
        if (was_empty) {
            struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
            epoll_ctl(l->epoll, EPOLL_CTL_MOD, c->fd, &ev);
        }
    }
    return 0;
}

/* Writes frames in one writev (what the socket does not take is kept, in order). Returns -1 when the peer is gone. */
static int conn_sendv(loop_t *l, conn_t *c, struct iovec *iov, int n) {
    if (c->out.len > 0) {
        for (int i = 0; i < n; i++) buf_append(&c->out, iov[i].iov_base, iov[i].iov_len);
        return 0;
    }
    ssize_t w;
    do w = writev(c->fd, iov, n); while (w < 0 && errno == EINTR);
    if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    size_t done = w < 0 ? 0 : (size_t)w;
    int i = 0;
    while (i < n && done >= iov[i].iov_len) done -= iov[i++].iov_len;
    if (i == n) return 0;
    buf_append(&c->out, (char *)iov[i].iov_base + done, iov[i].iov_len - done);
    for (i++; i < n; i++) buf_append(&c->out, iov[i].iov_base, iov[i].iov_len);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    epoll_ctl(l->epoll, EPOLL_CTL_MOD, c->fd, &ev);
    return 0;
}

static void conn_flush(loop_t *l, conn_t *c) {
    while (c->out.len > 0) {
        ssize_t w = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL);
        if (w > 0) { buf_consume(&c->out, (size_t)w); continue; }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        conn_close(l, c);
        return;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(l->epoll, EPOLL_CTL_MOD, c->fd, &ev);
}

/* A server-to-client WebSocket header (no mask) for a payload of n bytes; returns its length. */
static size_t ws_header(uint8_t *h, uint8_t opcode, size_t n) {
    h[0] = 0x80 | opcode;
    if (n < 126) { h[1] = (uint8_t)n; return 2; }
    if (n < 65536) { h[1] = 126; h[2] = (uint8_t)(n >> 8); h[3] = (uint8_t)n; return 4; }
    h[1] = 127;
    for (int i = 0; i < 8; i++) h[2 + i] = (uint8_t)(n >> (8 * (7 - i)));
    return 10;
}

static int ws_send(loop_t *l, conn_t *c, uint8_t opcode, const char *p, size_t n) {
    uint8_t h[10];
    size_t hl = ws_header(h, opcode, n);
    buf_t b = {0};
    buf_append(&b, h, hl);
    buf_append(&b, p, n);
    int r = conn_send(l, c, b.data, b.len);
    free(b.data);
    return r;
}

/* ---------- publishing ---------- */

static void publish(const char *envelope, size_t n) {
    static const char prefix[] = "[null,null,\"sessions\",\"session_updated\",";
    size_t payload = sizeof prefix - 1 + n + 1;
    uint8_t h[10];
    size_t hl = ws_header(h, 0x1, payload);
    frame_t *f = malloc(sizeof(frame_t) + hl + payload);
    atomic_init(&f->refs, nloops);
    f->len = hl + payload;
    memcpy(f->bytes, h, hl);
    memcpy(f->bytes + hl, prefix, sizeof prefix - 1);
    memcpy(f->bytes + hl + sizeof prefix - 1, envelope, n);
    f->bytes[f->len - 1] = ']';
    for (int i = 0; i < nloops; i++) {
        loop_t *l = &loops[i];
        pthread_mutex_lock(&l->lock);
        if (l->queued == l->queue_cap) {
            l->queue_cap = l->queue_cap * 2 + 16;
            l->queue = realloc(l->queue, l->queue_cap * sizeof(frame_t *));
        }
        l->queue[l->queued++] = f;
        pthread_mutex_unlock(&l->lock);
        uint64_t one = 1;
        ssize_t ignored = write(l->wake, &one, sizeof one);
        (void)ignored;
    }
}

static void deliver_queued(loop_t *l) {
    uint64_t count;
    ssize_t ignored = read(l->wake, &count, sizeof count);
    (void)ignored;
    pthread_mutex_lock(&l->lock);
    size_t n = l->queued;
    frame_t **frames = malloc(n * sizeof(frame_t *) + 1);
    memcpy(frames, l->queue, n * sizeof(frame_t *));
    l->queued = 0;
    pthread_mutex_unlock(&l->lock);
    /* Every frame waiting goes to each subscriber in one writev, as a server that coalesces its writes does. */
    struct iovec iov[IOV_MAX_FRAMES];
    for (size_t from = 0; from < n; from += IOV_MAX_FRAMES) {
        int count = (int)(n - from < IOV_MAX_FRAMES ? n - from : IOV_MAX_FRAMES);
        for (int i = 0; i < count; i++) iov[i] = (struct iovec){frames[from + i]->bytes, frames[from + i]->len};
        /* Walk backwards: a closed subscriber is swapped with the last one, which was already served. */
        for (size_t s = l->nsubs; s-- > 0;) {
            conn_t *c = l->subs[s];
            if (conn_sendv(l, c, iov, count) < 0) conn_close(l, c);
        }
        atomic_fetch_add(&deliveries, (long)l->nsubs * count);
    }
    for (size_t i = 0; i < n; i++) frame_release(frames[i]);
    free(frames);
}

/* ---------- HTTP ---------- */

static const char *find_header(const char *head, const char *name) {
    size_t n = strlen(name);
    for (const char *p = strstr(head, "\r\n"); p && p[2] != '\r'; p = strstr(p + 2, "\r\n")) {
        if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':') {
            const char *v = p + 3 + n;
            while (*v == ' ') v++;
            return v;
        }
    }
    return NULL;
}

/* Handles complete HTTP requests in c->in; returns -1 to close. */
static int http_handle(loop_t *l, conn_t *c) {
    while (c->kind == HTTP) {
        buf_append(&c->in, "", 1); /* terminate for the string functions, then drop the terminator */
        c->in.len--;
        char *end = strstr(c->in.data, "\r\n\r\n");
        if (!end) return c->in.len > 65536 ? -1 : 0;
        size_t head_len = (size_t)(end - c->in.data) + 4;
        *end = 0;
        const char *length = find_header(c->in.data, "Content-Length");
        size_t body_len = length ? strtoul(length, NULL, 10) : 0;
        if (c->in.len < head_len + body_len) { *end = '\r'; return 0; }

        if (strncmp(c->in.data, "GET /socket/websocket", 21) == 0) {
            const char *key = find_header(c->in.data, "Sec-WebSocket-Key");
            if (!key) return -1;
            char joined[128];
            size_t key_len = strcspn(key, "\r\n ");
            if (key_len > 64) return -1;
            snprintf(joined, sizeof joined, "%.*s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", (int)key_len, key);
            uint8_t digest[20];
            char accept[32], response[256];
            sha1((const uint8_t *)joined, strlen(joined), digest);
            base64(digest, 20, accept);
            int n = snprintf(response, sizeof response,
                             "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", accept);
            buf_consume(&c->in, head_len + body_len);
            c->kind = WEBSOCKET;
            if (l->nsubs == l->subs_cap) {
                l->subs_cap = l->subs_cap * 2 + 64;
                l->subs = realloc(l->subs, l->subs_cap * sizeof(conn_t *));
            }
            c->index = (int)l->nsubs;
            l->subs[l->nsubs++] = c;
            return conn_send(l, c, response, (size_t)n);
        }

        static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
        static const char missing[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        int r;
        if (strncmp(c->in.data, "POST /publish ", 14) == 0) {
            publish(c->in.data + head_len, body_len);
            r = conn_send(l, c, ok, sizeof ok - 1);
        } else {
            r = conn_send(l, c, missing, sizeof missing - 1);
        }
        buf_consume(&c->in, head_len + body_len);
        if (r < 0) return -1;
    }
    return 0;
}

/* ---------- WebSocket messages from subscribers ---------- */

/* Copies the i-th top-level element of a flat V2 message `[a,b,"c","d",{...}]` (a JSON string or null), raw. */
static int element(const char *m, size_t n, int index, const char **start, size_t *len) {
    size_t p = 1;
    for (int i = 0; i <= index; i++) {
        while (p < n && m[p] == ' ') p++;
        size_t s = p;
        if (p < n && m[p] == '"') { p++; while (p < n && m[p] != '"') p++; p++; }
        else while (p < n && m[p] != ',') p++;
        if (p > n) return -1;
        if (i == index) { *start = m + s; *len = p - s; return 0; }
        p++; /* the comma */
    }
    return -1;
}

static int ws_message(loop_t *l, conn_t *c, const char *m, size_t n) {
    const char *jr, *ref, *topic, *event;
    size_t jrl, refl, topicl, eventl;
    if (n < 2 || m[0] != '[' || element(m, n, 0, &jr, &jrl) || element(m, n, 1, &ref, &refl) ||
        element(m, n, 2, &topic, &topicl) || element(m, n, 3, &event, &eventl))
        return 0; /* not a message this floor answers */
    if (!(eventl == 10 && memcmp(event, "\"phx_join\"", 10) == 0) && !(eventl == 11 && memcmp(event, "\"heartbeat\"", 11) == 0))
        return 0;
    char reply[1024];
    int len = snprintf(reply, sizeof reply, "[%.*s,%.*s,%.*s,\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]",
                       (int)jrl, jr, (int)refl, ref, (int)topicl, topic);
    if (len <= 0 || (size_t)len >= sizeof reply) return 0;
    return ws_send(l, c, 0x1, reply, (size_t)len);
}

/* Handles complete client frames in c->in (always masked; this floor expects whole, unfragmented messages). */
static int ws_handle(loop_t *l, conn_t *c) {
    while (c->in.len >= 2) {
        uint8_t *b = (uint8_t *)c->in.data;
        uint8_t opcode = b[0] & 0x0F;
        size_t n = b[1] & 0x7F, off = 2;
        if (n == 126) { if (c->in.len < 4) return 0; n = (size_t)b[2] << 8 | b[3]; off = 4; }
        else if (n == 127) { if (c->in.len < 10) return 0; n = 0; for (int i = 0; i < 8; i++) n = n << 8 | b[2 + i]; off = 10; }
        if (n > (1u << 20)) return -1;
        if (c->in.len < off + 4 + n) return 0;
        uint8_t *mask = b + off, *p = b + off + 4;
        for (size_t i = 0; i < n; i++) p[i] ^= mask[i & 3];
        int r = 0;
        if (opcode == 0x1) r = ws_message(l, c, (const char *)p, n);
        else if (opcode == 0x9) r = ws_send(l, c, 0xA, (const char *)p, n);
        else if (opcode == 0x8) { ws_send(l, c, 0x8, (const char *)p, n < 2 ? n : 2); r = -1; }
        buf_consume(&c->in, off + 4 + n);
        if (r < 0) return -1;
    }
    return 0;
}

/* ---------- the loops ---------- */

static void *run_loop(void *arg) {
    loop_t *l = arg;
    struct epoll_event events[256];
    char chunk[65536];
    for (;;) {
        int n = epoll_wait(l->epoll, events, 256, -1);
        for (int i = 0; i < n; i++) {
            if (events[i].data.ptr == NULL) { deliver_queued(l); continue; }
            conn_t *c = events[i].data.ptr;
            if (c->closing) continue;
            if (events[i].events & EPOLLOUT) {
                conn_flush(l, c);
                continue; /* conn_flush may have closed it; reads come on the next wait */
            }
            int closed = 0;
            for (;;) {
                ssize_t r = recv(c->fd, chunk, sizeof chunk, 0);
                if (r > 0) { buf_append(&c->in, chunk, (size_t)r); continue; }
                if (r < 0 && errno == EINTR) continue;
                if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
                closed = 1;
                break;
            }
            if (!closed) closed = (c->kind == HTTP ? http_handle(l, c) : 0) < 0;
            if (!closed && c->kind == WEBSOCKET) closed = ws_handle(l, c) < 0;
            if (closed) conn_close(l, c);
        }
        free_dead(l);
    }
    return NULL;
}

int main(int argc, char **argv) {
    int port = 0;
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--urls") == 0) { const char *colon = strrchr(argv[i + 1], ':'); if (colon) port = atoi(colon + 1); }
    signal(SIGPIPE, SIG_IGN);

    int listener = socket(AF_INET, SOCK_STREAM, 0), yes = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t addr_len = sizeof addr;
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) || listen(listener, 4096) || getsockname(listener, (struct sockaddr *)&addr, &addr_len)) {
        perror("floor: listen");
        return 1;
    }

    nloops = (int)sysconf(_SC_NPROCESSORS_ONLN);
    loops = calloc((size_t)nloops, sizeof(loop_t));
    for (int i = 0; i < nloops; i++) {
        loops[i].epoll = epoll_create1(0);
        loops[i].wake = eventfd(0, EFD_NONBLOCK);
        pthread_mutex_init(&loops[i].lock, NULL);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
        epoll_ctl(loops[i].epoll, EPOLL_CTL_ADD, loops[i].wake, &ev);
        pthread_create(&loops[i].thread, NULL, run_loop, &loops[i]);
    }

    printf("Now listening on: http://127.0.0.1:%d\n", ntohs(addr.sin_port));
    fflush(stdout);
    for (int next = 0;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) { if (errno == EINTR || errno == ECONNABORTED) continue; if (errno == EMFILE) { usleep(1000); continue; } perror("floor: accept"); return 1; }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
        conn_t *c = calloc(1, sizeof(conn_t));
        c->fd = fd;
        c->kind = HTTP;
        c->index = -1;
        loop_t *l = &loops[next++ % nloops];
        /* The loop owns the connection from here: it is the only thread that gets events for it. */
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(l->epoll, EPOLL_CTL_ADD, fd, &ev);
    }
}
