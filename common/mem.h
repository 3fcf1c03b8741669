/*
 * mem.h - checked allocation and growable byte buffers.
 *
 * Out of memory is fatal in a filter: the x*() allocators never return
 * NULL (they call err_die()), so callers never test for it.
 *
 * struct buf owns its bytes; data is always NUL-terminated (data[len] == 0)
 * once anything was added, so buf_cstr() is free.  buf_release() frees the
 * storage and leaves an empty buffer; buf_detach() hands the storage to the
 * caller.
 */
#ifndef CODESIFT_MEM_H
#define CODESIFT_MEM_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "err.h"

void	*xmalloc(size_t size);
void	*xcalloc(size_t n, size_t size);
void	*xrealloc(void *p, size_t size);
void	*xreallocarray(void *p, size_t n, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);

/* A borrowed string view: not NUL-terminated in general. */
struct strv {
	const char	*p;
	size_t		 n;
};

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};
#define BUF_INIT { NULL, 0, 0 }

/* Make room for at least extra more bytes (plus the terminating NUL). */
void	buf_grow(struct buf *b, size_t extra);
void	buf_addf(struct buf *b, const char *fmt, ...) ERR_PRINTF(2, 3);
void	buf_vaddf(struct buf *b, const char *fmt, va_list ap) ERR_PRINTF(2, 0);
void	buf_release(struct buf *b);
char	*buf_detach(struct buf *b, size_t *len);

static inline void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->cap - b->len <= n)
		buf_grow(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void
buf_addc(struct buf *b, int c)
{
	if (b->cap - b->len <= 1)
		buf_grow(b, 1);
	b->data[b->len++] = (char)c;
	b->data[b->len] = '\0';
}

static inline void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static inline void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* The contents as a C string (empty string for a fresh buffer). */
static inline const char *
buf_cstr(const struct buf *b)
{
	return b->data != NULL ? b->data : "";
}

/*
 * An arena for short-lived allocations (per record): blocks never move, so
 * pointers stay valid until arena_reset() or arena_release().
 */
struct arena {
	struct arena_block	*head;
	size_t			 used;	/* bytes used in head */
};
#define ARENA_INIT { NULL, 0 }

void	*arena_alloc(struct arena *a, size_t n);
void	 arena_reset(struct arena *a);	/* keeps the largest block */
void	 arena_release(struct arena *a);

#endif
