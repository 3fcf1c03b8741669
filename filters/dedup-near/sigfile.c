/*
 * sigfile.c - writing and checking the intermediate files (sigfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "err.h"
#include "minhash.h"
#include "sigfile.h"
#include "stream.h"

#define HEADER_MAX	((size_t)64 << 20)
#define CHUNK		((size_t)1 << 20)
/* how every header starts: tells a torn file from a stranger */
#define LEAD		"{\"format\":\"" SF_FORMAT "\""

static bool
host_little(void)
{
	const uint16_t one = 1;

	return *(const unsigned char *)&one == 1;
}

static void
put_u64(unsigned char *p, uint64_t v)
{
	unsigned i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t
get_u64(const unsigned char *p)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static bool
has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

/* ---- writing ---- */

struct sfw {
	struct ostream	*o;
	XXH3_state_t	*h;
	uint64_t	 pos;
	uint64_t	*lens;
	size_t		 nsec, cur;
	uint64_t	 written;	/* in the current section */
};

static void
emit(struct sfw *w, const void *p, size_t n)
{
	ostream_write(w->o, p, n);
	XXH3_64bits_update(w->h, p, n);
	w->pos += n;
}

void
sfw_check_name(const char *path)
{
	if (has_suffix(path, ".gz") || has_suffix(path, ".zst"))
		err_usage("'%s': intermediate files are read at random and "
		    "cannot be compressed; use another name", path);
	if (strcmp(path, "-") == 0)
		err_usage("intermediate files need a file name, not '-'");
}

struct sfw *
sfw_open(const char *path)
{
	struct sfw *w;

	sfw_check_name(path);
	w = xcalloc(1, sizeof(*w));
	w->o = ostream_open(path);
	if ((w->h = XXH3_createState()) == NULL)
		err_die("out of memory");
	XXH3_64bits_reset(w->h);
	return w;
}

void
sfw_begin(struct sfw *w, json_object *hdr, const char *const names[],
    const uint64_t lens[], size_t n)
{
	json_object *o = json_object_new_object(), *secs, *pair;
	struct buf b = BUF_INIT;
	uint64_t off, hlen;
	const char *txt;
	size_t i, pad;

	if (!host_little())
		err_die("intermediate files are little-endian; this host is "
		    "not");
	json_object_object_add(o, "format", json_object_new_string(SF_FORMAT));
	json_object_object_add(o, "version", json_object_new_int(SF_VERSION));
	json_object_object_add(o, "byte_order",
	    json_object_new_string("little"));
	{
		json_object_object_foreach(hdr, k, v)
			json_object_object_add(o, k, json_object_get(v));
	}
	json_object_put(hdr);
	/* offsets depend on the header's length, which depends on them */
	hlen = 0;
	for (;;) {
		secs = json_object_new_object();
		off = (hlen + 7) & ~(uint64_t)7;
		for (i = 0; i < n; i++) {
			pair = json_object_new_array();
			json_object_array_add(pair, json_object_new_int64(
			    (int64_t)off));
			json_object_array_add(pair, json_object_new_int64(
			    (int64_t)lens[i]));
			json_object_object_add(secs, names[i], pair);
			off = (off + lens[i] + 7) & ~(uint64_t)7;
		}
		json_object_object_add(o, "sections", secs);
		txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE);
		buf_reset(&b);
		buf_adds(&b, txt);
		pad = (8 - (b.len + 1) % 8) % 8;
		while (pad-- > 0)
			buf_addc(&b, ' ');
		buf_addc(&b, '\n');
		if (b.len == hlen)
			break;
		hlen = b.len;
	}
	emit(w, b.data, b.len);
	buf_release(&b);
	json_object_put(o);
	w->lens = xreallocarray(NULL, n + 1, sizeof(*w->lens));
	memcpy(w->lens, lens, n * sizeof(*lens));
	w->nsec = n;
	w->cur = 0;
	w->written = 0;
}

void
sfw_write(struct sfw *w, const void *p, size_t n)
{
	if (w->cur >= w->nsec || w->written + n > w->lens[w->cur])
		err_bug("sfw_write: section %zu overflows", w->cur);
	emit(w, p, n);
	w->written += n;
}

void
sfw_copy_fd(struct sfw *w, int fd, uint64_t off, uint64_t n)
{
	char *b = xmalloc(CHUNK);
	ssize_t r;

	while (n > 0) {
		r = pread(fd, b, n < CHUNK ? (size_t)n : CHUNK, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			err_die("reading a temporary file: %s",
			    r < 0 ? strerror(errno) : "unexpected end");
		sfw_write(w, b, (size_t)r);
		off += (uint64_t)r;
		n -= (uint64_t)r;
	}
	free(b);
}

void
sfw_end(struct sfw *w)
{
	static const char zero[8];

	if (w->cur >= w->nsec || w->written != w->lens[w->cur])
		err_bug("sfw_end: section %zu has %llu of %llu bytes", w->cur,
		    (unsigned long long)w->written,
		    (unsigned long long)(w->cur < w->nsec ? w->lens[w->cur] :
		    0));
	if (w->pos % 8 != 0)
		emit(w, zero, 8 - w->pos % 8);
	w->cur++;
	w->written = 0;
}

void
sfw_commit(struct sfw *w)
{
	unsigned char t[SF_TRAILER];

	if (w->cur != w->nsec)
		err_bug("sfw_commit: %zu of %zu sections written", w->cur,
		    w->nsec);
	put_u64(t, w->pos + SF_TRAILER);
	XXH3_64bits_update(w->h, t, 8);
	put_u64(t + 8, XXH3_64bits_digest(w->h));
	memcpy(t + 16, SF_MAGIC, 8);
	ostream_write(w->o, t, sizeof(t));
	ostream_close(w->o, true);
	XXH3_freeState(w->h);
	free(w->lens);
	free(w);
}

/* ---- checking ---- */

/*
 * Check the header text (without its newline) of a file of size bytes:
 * 0, or the status with a message.
 */
static int
check_header(const char *p, size_t n, uint64_t size, uint64_t hlen,
    json_object **out, struct buf *err)
{
	json_object *h, *v, *secs;
	enum json_tokener_error je;
	struct json_tokener *tok;
	const char *kind;
	int64_t ver;

	*out = NULL;
	tok = json_tokener_new();
	h = json_tokener_parse_ex(tok, p, (int)n);
	je = json_tokener_get_error(tok);
	if (h != NULL && je == json_tokener_success &&
	    json_tokener_get_parse_end(tok) != n) {
		json_object_put(h);
		h = NULL;
	}
	json_tokener_free(tok);
	if (h == NULL || !json_object_is_type(h, json_type_object)) {
		json_object_put(h);
		buf_adds(err, "bad header: not a JSON object");
		return STATUS_USAGE;
	}
	if (!json_object_object_get_ex(h, "format", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), SF_FORMAT) != 0) {
		buf_adds(err, "not a dedup-near intermediate file");
		goto bad;
	}
	if (!json_object_object_get_ex(h, "version", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    (ver = json_object_get_int64(v)) < 1) {
		buf_adds(err, "bad header: no version");
		goto bad;
	}
	if (ver != SF_VERSION) {
		buf_addf(err, "format version %lld: this dedup-near reads "
		    "version %d", (long long)ver, SF_VERSION);
		goto bad;
	}
	if (!json_object_object_get_ex(h, "byte_order", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "little") != 0) {
		buf_adds(err, "bad header: byte order is not little");
		goto bad;
	}
	if (!json_object_object_get_ex(h, "kind", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		buf_adds(err, "bad header: no kind");
		goto bad;
	}
	kind = json_object_get_string(v);
	if (strcmp(kind, "sign") != 0 && strcmp(kind, "pairs") != 0 &&
	    strcmp(kind, "drops") != 0) {
		buf_addf(err, "bad header: unknown kind '%s'", kind);
		goto bad;
	}
	if (!json_object_object_get_ex(h, "sections", &secs) ||
	    !json_object_is_type(secs, json_type_object)) {
		buf_adds(err, "bad header: no sections");
		goto bad;
	}
	{
		json_object_object_foreach(secs, name, pair) {
			int64_t off, len;

			if (!json_object_is_type(pair, json_type_array) ||
			    json_object_array_length(pair) != 2 ||
			    !json_object_is_type(json_object_array_get_idx(
			    pair, 0), json_type_int) ||
			    !json_object_is_type(json_object_array_get_idx(
			    pair, 1), json_type_int)) {
				buf_addf(err, "bad header: section '%s'", name);
				goto bad;
			}
			off = json_object_get_int64(
			    json_object_array_get_idx(pair, 0));
			len = json_object_get_int64(
			    json_object_array_get_idx(pair, 1));
			if (off < 0 || len < 0 || (uint64_t)off < hlen ||
			    off % 8 != 0 || (uint64_t)off > size - SF_TRAILER ||
			    (uint64_t)len > size - SF_TRAILER - (uint64_t)off) {
				buf_addf(err, "bad header: section '%s' lies "
				    "outside the file", name);
				goto bad;
			}
		}
	}
	*out = h;
	return 0;
bad:
	json_object_put(h);
	return STATUS_USAGE;
}

/* The trailer t of a file of size bytes: 0, or the status and message. */
static int
check_trailer(const unsigned char *t, uint64_t size, bool ours,
    struct buf *err)
{
	if (memcmp(t + 16, SF_MAGIC, 8) != 0) {
		if (ours) {
			buf_adds(err, "torn: no end marker (the file was cut "
			    "short; make it again)");
			return STATUS_FATAL;
		}
		buf_adds(err, "not a dedup-near intermediate file");
		return STATUS_USAGE;
	}
	if (get_u64(t) != size) {
		buf_addf(err, "torn: %" PRIu64 " bytes, the file says %" PRIu64
		    " (make it again)", size, get_u64(t));
		return STATUS_FATAL;
	}
	return 0;
}

/* Does the file start as ours (as far as its n bytes go)? */
static bool
starts_ours(const void *p, size_t n)
{
	return n > 0 && memcmp(p, LEAD, n < sizeof(LEAD) - 1 ? n :
	    sizeof(LEAD) - 1) == 0;
}

int
sf_check_image(const char *p, size_t n, struct buf *err)
{
	bool ours = starts_ours(p, n);
	const char *nl;
	json_object *h;
	int st;

	if (n < SF_TRAILER) {
		buf_adds(err, ours ? "torn: no end marker (the file was cut "
		    "short; make it again)" :
		    "not a dedup-near intermediate file");
		return ours ? STATUS_FATAL : STATUS_USAGE;
	}
	if ((st = check_trailer((const unsigned char *)p + n - SF_TRAILER, n,
	    ours, err)) != 0)
		return st;
	if (XXH3_64bits(p, n - 16) !=
	    get_u64((const unsigned char *)p + n - 16)) {
		buf_adds(err, "corrupt: checksum mismatch (make it again)");
		return STATUS_FATAL;
	}
	if ((nl = memchr(p, '\n', n - SF_TRAILER)) == NULL) {
		buf_adds(err, "bad header: no end of line");
		return STATUS_USAGE;
	}
	if ((st = check_header(p, (size_t)(nl - p), n,
	    (uint64_t)(nl - p) + 1, &h, err)) != 0)
		return st;
	json_object_put(h);
	return 0;
}

/* ---- reading ---- */

struct sfr {
	char		*path;
	int		 fd;
	uint64_t	 size;
	char		 id[17];
	json_object	*hdr;
	json_object	*secs;
	const char	*kind;
};

static void
read_at(int fd, const char *path, void *dst, size_t n, uint64_t off)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = pread(fd, (char *)dst + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			err_die_errno("%s: read error", path);
		if (r == 0)
			err_die("%s: torn: the file ends early", path);
		got += (size_t)r;
	}
}

struct sfr *
sfr_open(const char *path, const char *kind)
{
	struct sfr *r = xcalloc(1, sizeof(*r));
	unsigned char t[SF_TRAILER], lead[sizeof(LEAD) - 1];
	struct buf err = BUF_INIT, hb = BUF_INIT;
	XXH3_state_t *h;
	struct stat sb;
	uint64_t pos, sum;
	char *chunk, *nl = NULL;
	bool ours;
	int st;

	r->path = xstrdup(path);
	if ((r->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		err_config("%s: %s", path, strerror(errno));
	if (fstat(r->fd, &sb) < 0)
		err_die_errno("%s", path);
	if (!S_ISREG(sb.st_mode))
		err_config("%s: not a regular file", path);
	r->size = (uint64_t)sb.st_size;
	{
		size_t k = r->size < sizeof(lead) ? (size_t)r->size :
		    sizeof(lead);

		read_at(r->fd, path, lead, k, 0);
		ours = starts_ours(lead, k);
	}
	if (r->size < SF_TRAILER) {
		if (ours)
			err_die("%s: torn: no end marker (the file was cut "
			    "short; make it again)", path);
		err_config("%s: not a dedup-near intermediate file", path);
	}
	read_at(r->fd, path, t, sizeof(t), r->size - SF_TRAILER);
	if ((st = check_trailer(t, r->size, ours, &err)) != 0) {
		if (st == STATUS_FATAL)
			err_die("%s: %s", path, err.data);
		err_config("%s: %s", path, err.data);
	}
	/* the checksum: every byte before it */
	if ((h = XXH3_createState()) == NULL)
		err_die("out of memory");
	XXH3_64bits_reset(h);
	chunk = xmalloc(CHUNK);
	for (pos = 0; pos < r->size - 16;) {
		size_t n = r->size - 16 - pos < CHUNK ?
		    (size_t)(r->size - 16 - pos) : CHUNK;

		read_at(r->fd, path, chunk, n, pos);
		XXH3_64bits_update(h, chunk, n);
		if (nl == NULL && hb.len < HEADER_MAX) {
			char *q = memchr(chunk, '\n', n);

			buf_add(&hb, chunk, q != NULL ? (size_t)(q - chunk) : n);
			if (q != NULL)
				nl = hb.data + hb.len;
		}
		pos += n;
	}
	free(chunk);
	sum = XXH3_64bits_digest(h);
	XXH3_freeState(h);
	if (sum != get_u64(t + 8))
		err_die("%s: corrupt: checksum mismatch (make it again)", path);
	snprintf(r->id, sizeof(r->id), "%016" PRIx64, sum);
	if (nl == NULL)
		err_config("%s: bad header: no end of line", path);
	if ((st = check_header(hb.data, hb.len, r->size, hb.len + 1, &r->hdr,
	    &err)) != 0)
		err_config("%s: %s", path, err.data);
	buf_release(&hb);
	buf_release(&err);
	json_object_object_get_ex(r->hdr, "sections", &r->secs);
	r->kind = json_object_get_string(json_object_object_get(r->hdr,
	    "kind"));
	if (kind != NULL && strcmp(kind, r->kind) != 0)
		err_config("%s: a %s file, not a %s file", path, r->kind, kind);
	return r;
}

void
sfr_close(struct sfr *r)
{
	if (r == NULL)
		return;
	close(r->fd);
	json_object_put(r->hdr);
	free(r->path);
	free(r);
}

const char *
sfr_path(const struct sfr *r)
{
	return r->path;
}

const char *
sfr_kind(const struct sfr *r)
{
	return r->kind;
}

const char *
sfr_id(const struct sfr *r)
{
	return r->id;
}

json_object *
sfr_header(const struct sfr *r)
{
	return r->hdr;
}

int
sfr_fd(const struct sfr *r)
{
	return r->fd;
}

bool
sfr_section(const struct sfr *r, const char *name, uint64_t *off,
    uint64_t *len)
{
	json_object *pair;

	if (!json_object_object_get_ex(r->secs, name, &pair))
		return false;
	*off = (uint64_t)json_object_get_int64(json_object_array_get_idx(pair,
	    0));
	*len = (uint64_t)json_object_get_int64(json_object_array_get_idx(pair,
	    1));
	return true;
}

void
sfr_read(const struct sfr *r, const char *name, uint64_t off, void *dst,
    size_t n)
{
	uint64_t so, sl;

	if (!sfr_section(r, name, &so, &sl))
		err_config("%s: bad header: no section '%s'", r->path, name);
	if (off > sl || n > sl - off)
		err_config("%s: bad header: section '%s' is too short",
		    r->path, name);
	if (n > 0)
		read_at(r->fd, r->path, dst, n, so + off);
}

void *
sfr_load(const struct sfr *r, const char *name, uint64_t count, size_t size)
{
	uint64_t so, sl;
	void *p;

	if (!sfr_section(r, name, &so, &sl))
		err_config("%s: bad header: no section '%s'", r->path, name);
	if (size != 0 && count > UINT64_MAX / size)
		err_config("%s: bad header: section '%s' is too large",
		    r->path, name);
	if (sl != count * size)
		err_config("%s: bad header: section '%s' has %" PRIu64
		    " bytes, not %" PRIu64, r->path, name, sl, count * size);
	if (sl > SIZE_MAX)
		err_die("%s: section '%s' does not fit in memory", r->path,
		    name);
	p = xmalloc(sl > 0 ? (size_t)sl : 1);
	if (sl > 0)
		read_at(r->fd, r->path, p, (size_t)sl, so);
	return p;
}

json_object *
sfr_obj(const struct sfr *r, json_object *o, const char *key, json_type type)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, type))
		err_config("%s: bad header: '%s' missing or of the wrong type",
		    r->path, key);
	return v;
}

uint64_t
sfr_u64(const struct sfr *r, json_object *o, const char *key)
{
	int64_t v = json_object_get_int64(sfr_obj(r, o, key, json_type_int));

	if (v < 0)
		err_config("%s: bad header: '%s' is negative", r->path, key);
	return (uint64_t)v;
}

double
sfr_double(const struct sfr *r, json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    (!json_object_is_type(v, json_type_double) &&
	    !json_object_is_type(v, json_type_int)))
		err_config("%s: bad header: '%s' missing or not a number",
		    r->path, key);
	return json_object_get_double(v);
}

const char *
sfr_str(const struct sfr *r, json_object *o, const char *key)
{
	return json_object_get_string(sfr_obj(r, o, key, json_type_string));
}

/* ---- parameters ---- */

json_object *
sf_params_json(const struct nd_params *p)
{
	json_object *o = json_object_new_object();
	char seed[24];

	json_object_object_add(o, "field", json_object_new_string(p->field));
	json_object_object_add(o, "id_field",
	    json_object_new_string(p->id_field));
	json_object_object_add(o, "ngram", json_object_new_int((int)p->ngram));
	json_object_object_add(o, "min_tokens",
	    json_object_new_int((int)p->min_tokens));
	json_object_object_add(o, "perms", json_object_new_int((int)p->perms));
	json_object_object_add(o, "bands", json_object_new_int((int)p->bands));
	json_object_object_add(o, "rows", json_object_new_int((int)p->rows));
	json_object_object_add(o, "hash", json_object_new_string(p->fast ?
	    "one-permutation" : "multiply-shift"));
	/* a string: JSON numbers lose 64-bit integers in many readers */
	snprintf(seed, sizeof(seed), "%" PRIu64, p->seed);
	json_object_object_add(o, "seed", json_object_new_string(seed));
	json_object_object_add(o, "verify", json_object_new_string(p->exact ?
	    "exact" : "estimate"));
	if (p->keep_field != NULL) {
		struct buf k = BUF_INIT;

		buf_addf(&k, "max:%s", p->keep_field);
		json_object_object_add(o, "keep", json_object_new_string(k.data));
		buf_release(&k);
	} else
		json_object_object_add(o, "keep", json_object_new_string("first"));
	return o;
}

static unsigned
param_uint(const struct sfr *r, json_object *o, const char *key, unsigned max)
{
	uint64_t v = sfr_u64(r, o, key);

	if (v > max)
		err_config("%s: bad header: '%s' is out of range", r->path,
		    key);
	return (unsigned)v;
}

void
sf_params_read(const struct sfr *r, struct nd_params *p)
{
	json_object *o = sfr_obj(r, r->hdr, "params", json_type_object);
	const char *s;
	char *end;

	memset(p, 0, sizeof(*p));
	p->field = sfr_str(r, o, "field");
	p->id_field = sfr_str(r, o, "id_field");
	p->ngram = param_uint(r, o, "ngram", 1u << 20);
	p->min_tokens = param_uint(r, o, "min_tokens", UINT32_MAX);
	p->perms = param_uint(r, o, "perms", MH_MAX_PERMS);
	p->bands = param_uint(r, o, "bands", ND_MAX_BANDS);
	p->rows = param_uint(r, o, "rows", MH_MAX_PERMS);
	if (p->perms == 0 || p->perms % 8 != 0 || p->bands == 0 ||
	    p->rows == 0 || p->bands * p->rows > p->perms || p->ngram == 0)
		err_config("%s: bad header: inconsistent parameters", r->path);
	s = sfr_str(r, o, "hash");
	if (strcmp(s, "one-permutation") == 0)
		p->fast = true;
	else if (strcmp(s, "multiply-shift") != 0)
		err_config("%s: bad header: unknown hash '%s'", r->path, s);
	s = sfr_str(r, o, "seed");
	errno = 0;
	p->seed = strtoull(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0)
		err_config("%s: bad header: bad seed '%s'", r->path, s);
	s = sfr_str(r, o, "verify");
	if (strcmp(s, "exact") == 0)
		p->exact = true;
	else if (strcmp(s, "estimate") != 0)
		err_config("%s: bad header: unknown verify '%s'", r->path, s);
	s = sfr_str(r, o, "keep");
	if (strncmp(s, "max:", 4) == 0 && s[4] != '\0')
		p->keep_field = s + 4;
	else if (strcmp(s, "first") != 0)
		err_config("%s: bad header: unknown keep '%s'", r->path, s);
}

const char *
sf_params_diff(const struct nd_params *a, const struct nd_params *b)
{
	static char msg[512];

#define DIFF_U(f, opt) \
	if (a->f != b->f) { \
		snprintf(msg, sizeof(msg), opt " %u vs %u", a->f, b->f); \
		return msg; \
	}
	DIFF_U(ngram, "--ngram");
	DIFF_U(min_tokens, "--min-tokens");
	DIFF_U(perms, "--perms");
	DIFF_U(bands, "--bands");
	DIFF_U(rows, "--rows");
#undef DIFF_U
	if (a->fast != b->fast)
		return "--fast on one side only";
	if (a->seed != b->seed) {
		snprintf(msg, sizeof(msg), "--seed %" PRIu64 " vs %" PRIu64,
		    a->seed, b->seed);
		return msg;
	}
	if (a->exact != b->exact)
		return "--verify exact on one side only";
	if (strcmp(a->field, b->field) != 0) {
		snprintf(msg, sizeof(msg), "--field %.200s vs %.200s",
		    a->field, b->field);
		return msg;
	}
	if (strcmp(a->id_field, b->id_field) != 0) {
		snprintf(msg, sizeof(msg), "--id-field %.200s vs %.200s",
		    a->id_field, b->id_field);
		return msg;
	}
	if ((a->keep_field == NULL) != (b->keep_field == NULL) ||
	    (a->keep_field != NULL &&
	    strcmp(a->keep_field, b->keep_field) != 0)) {
		snprintf(msg, sizeof(msg), "--keep %s%.200s vs %s%.200s",
		    a->keep_field != NULL ? "max:" : "first",
		    a->keep_field != NULL ? a->keep_field : "",
		    b->keep_field != NULL ? "max:" : "first",
		    b->keep_field != NULL ? b->keep_field : "");
		return msg;
	}
	return NULL;
}
