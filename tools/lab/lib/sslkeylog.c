// SPDX-License-Identifier: MIT
/*
 * sslkeylog.c - LD_PRELOAD shim that writes TLS secrets in NSS key log
 * format to the file named by $SSLKEYLOGFILE.
 *
 * Why: OpenSSL 3.0 (as used by FreeRDP 2, xrdp and Python's cryptography on
 * Debian 12) does not honour SSLKEYLOGFILE by itself.  The shim wraps the
 * SSL_CTX constructors and installs SSL_CTX_set_keylog_callback on every new
 * context.  It needs no OpenSSL headers: the types are opaque here, so the
 * lab compiles it with plain gcc at run time (no libssl-dev).
 *
 * Symbols are resolved with RTLD_NEXT first and, for programs that load
 * libssl privately (Python extension modules are dlopen'ed RTLD_LOCAL), via
 * a no-load dlopen of libssl.so.3.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_method_st SSL_METHOD;
typedef struct ossl_lib_ctx_st OSSL_LIB_CTX;
typedef void (*keylog_cb_fn)(const SSL *, const char *);

static void *libssl_sym(const char *name)
{
    void *p = dlsym(RTLD_NEXT, name);
    if (p == NULL) {
        void *h = dlopen("libssl.so.3", RTLD_LAZY | RTLD_NOLOAD);
        if (h == NULL)
            h = dlopen("libssl.so.3", RTLD_LAZY);
        if (h != NULL)
            p = dlsym(h, name);
    }
    return p;
}

static void keylog_line(const SSL *ssl, const char *line)
{
    (void)ssl;
    const char *path = getenv("SSLKEYLOGFILE");
    if (path == NULL || *path == '\0' || line == NULL)
        return;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    /* One write per line keeps lines whole when several processes append. */
    size_t n = strlen(line);
    char *buf = malloc(n + 1);
    if (buf != NULL) {
        memcpy(buf, line, n);
        buf[n] = '\n';
        ssize_t w = write(fd, buf, n + 1);
        (void)w;
        free(buf);
    }
    close(fd);
}

static void install(SSL_CTX *ctx)
{
    static void (*set_cb)(SSL_CTX *, keylog_cb_fn);
    if (ctx == NULL)
        return;
    if (set_cb == NULL)
        set_cb = (void (*)(SSL_CTX *, keylog_cb_fn))libssl_sym("SSL_CTX_set_keylog_callback");
    if (set_cb != NULL)
        set_cb(ctx, keylog_line);
}

SSL_CTX *SSL_CTX_new(const SSL_METHOD *meth)
{
    static SSL_CTX *(*real)(const SSL_METHOD *);
    if (real == NULL)
        real = (SSL_CTX * (*)(const SSL_METHOD *)) libssl_sym("SSL_CTX_new");
    if (real == NULL)
        return NULL;
    SSL_CTX *ctx = real(meth);
    install(ctx);
    return ctx;
}

SSL_CTX *SSL_CTX_new_ex(OSSL_LIB_CTX *libctx, const char *propq, const SSL_METHOD *meth)
{
    static SSL_CTX *(*real)(OSSL_LIB_CTX *, const char *, const SSL_METHOD *);
    if (real == NULL)
        real = (SSL_CTX * (*)(OSSL_LIB_CTX *, const char *, const SSL_METHOD *))
            libssl_sym("SSL_CTX_new_ex");
    if (real == NULL)
        return NULL;
    SSL_CTX *ctx = real(libctx, propq, meth);
    install(ctx);
    return ctx;
}
