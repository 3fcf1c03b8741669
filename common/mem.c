/*
 * mem.c - checked allocators, struct buf, and the per-record arena.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

void *
xmalloc(size_t size)
{
	void *p;

	if ((p = malloc(size > 0 ? size : 1)) == NULL)
		err_die_errno("allocating %zu bytes", size);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n > 0 ? n : 1, size > 0 ? size : 1)) == NULL)
		err_die_errno("allocating %zu x %zu bytes", n, size);
	return p;
}

void *
xrealloc(void *p, size_t size)
{
	if ((p = realloc(p, size > 0 ? size : 1)) == NULL)
		err_die_errno("allocating %zu bytes", size);
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size) {
		errno = ENOMEM;
		err_die_errno("allocating %zu x %zu bytes", n, size);
	}
	return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		err_die("allocating a string of %zu bytes", n);
	p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
buf_grow(struct buf *b, size_t extra)
{
	size_t need, cap;

	if (extra > SIZE_MAX - b->len - 1)
		err_die("buffer of %zu + %zu bytes is too large", b->len, extra);
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	cap = b->cap < 64 ? 64 : b->cap;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->data = xrealloc(b->data, cap);
	/* a fresh buffer is an empty string, not garbage */
	if (b->cap == 0)
		b->data[0] = '\0';
	b->cap = cap;
}

void
buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		err_bug("bad format '%s'", fmt);
	buf_grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void
buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (b->data == NULL)
		buf_grow(b, 0);
	p = b->data;
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

struct arena_block {
	struct arena_block	*next;
	size_t			 size;
	_Alignas(16) char	 mem[];
};

#define ARENA_MIN	(64 * 1024)

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b;
	size_t size;

	n = (n + 15) & ~(size_t)15;
	if (n == 0)
		n = 16;
	if (a->head != NULL && a->head->size - a->used >= n) {
		void *p = a->head->mem + a->used;

		a->used += n;
		return p;
	}
	size = n > ARENA_MIN ? n : ARENA_MIN;
	if (size > SIZE_MAX - sizeof(*b))
		err_die("arena block of %zu bytes is too large", size);
	b = xmalloc(sizeof(*b) + size);
	b->size = size;
	b->next = a->head;
	a->head = b;
	a->used = n;
	return b->mem;
}

void
arena_reset(struct arena *a)
{
	struct arena_block *b, *next, *keep = NULL;

	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		if (keep == NULL || b->size > keep->size) {
			free(keep);
			keep = b;
		} else
			free(b);
	}
	if (keep != NULL)
		keep->next = NULL;
	a->head = keep;
	a->used = 0;
}

void
arena_release(struct arena *a)
{
	struct arena_block *b, *next;

	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
	a->used = 0;
}
