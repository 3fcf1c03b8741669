/*
 * stream.c - file, gzip (zlib) and zstd streams; atomic output files.
 *
 * The registry of temporary output names is the one piece of global state
 * here: a signal handler and err_die() must be able to remove them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "err.h"
#include "mem.h"
#include "stream.h"

enum codec { CODEC_PLAIN, CODEC_GZIP, CODEC_ZSTD };

#define IBUF_SIZE	(1u << 20)
#define OBUF_SIZE	(1u << 18)

struct istream {
	char		*name;
	int		 fd;
	enum codec	 codec;
	unsigned char	*raw;		/* compressed input buffer */
	size_t		 rawlen, rawpos;
	int		 eof;		/* fd reached end */
	int		 done;		/* decoder finished, no more data */
	unsigned long long rawbytes;
	z_stream	 zs;
	int		 zinit;
	ZSTD_DCtx	*zd;
	int		 zstd_mid;	/* inside a zstd frame */
	char		 errbuf[256];
	const char	*err;
};

static bool
has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

static int
fill_raw(struct istream *in)
{
	ssize_t r;

	if (in->rawpos < in->rawlen || in->eof)
		return 0;
	do
		r = read(in->fd, in->raw, IBUF_SIZE);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		snprintf(in->errbuf, sizeof(in->errbuf), "read error: %s",
		    strerror(errno));
		in->err = in->errbuf;
		return -1;
	}
	in->rawlen = (size_t)r;
	in->rawpos = 0;
	in->rawbytes += (size_t)r;
	if (r == 0)
		in->eof = 1;
	return 0;
}

struct istream *
istream_open(const char *path, const char **errmsg)
{
	struct istream *in;
	int fd;

	if (path == NULL || strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
		path = "-";
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		*errmsg = strerror(errno);
		return NULL;
	} else {
		struct stat st;

		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			close(fd);
			*errmsg = "is a directory";
			return NULL;
		}
	}
	in = xcalloc(1, sizeof(*in));
	in->name = xstrdup(path);
	in->fd = fd;
	in->raw = xmalloc(IBUF_SIZE);
	if (fill_raw(in) < 0) {
		*errmsg = "read error";
		istream_close(in);
		return NULL;
	}
	if (in->rawlen >= 2 && in->raw[0] == 0x1f && in->raw[1] == 0x8b)
		in->codec = CODEC_GZIP;
	else if (in->rawlen >= 4 && in->raw[0] == 0x28 && in->raw[1] == 0xb5 &&
	    in->raw[2] == 0x2f && in->raw[3] == 0xfd)
		in->codec = CODEC_ZSTD;
	if (has_suffix(path, ".gz") && in->codec != CODEC_GZIP) {
		*errmsg = "not in gzip format";
		istream_close(in);
		return NULL;
	}
	if (has_suffix(path, ".zst") && in->codec != CODEC_ZSTD) {
		*errmsg = "not in zstd format";
		istream_close(in);
		return NULL;
	}
	if (in->codec == CODEC_GZIP) {
		if (inflateInit2(&in->zs, 15 + 32) != Z_OK)
			err_die("%s: cannot initialise zlib", path);
		in->zinit = 1;
	} else if (in->codec == CODEC_ZSTD) {
		if ((in->zd = ZSTD_createDCtx()) == NULL)
			err_die("%s: cannot initialise zstd", path);
		/* allow long-distance frames made with --long=31 */
		ZSTD_DCtx_setParameter(in->zd, ZSTD_d_windowLogMax, 31);
	}
	return in;
}

static ssize_t
read_gzip(struct istream *in, void *buf, size_t n)
{
	int rc;

	for (;;) {
		if (in->done)
			return 0;
		if (fill_raw(in) < 0)
			return -1;
		if (in->rawpos == in->rawlen && in->eof) {
			if (in->zs.total_in == 0 && in->zs.total_out == 0)
				return 0;	/* ended at a member boundary */
			in->err = "truncated gzip stream";
			return -1;
		}
		in->zs.next_in = in->raw + in->rawpos;
		in->zs.avail_in = (uInt)(in->rawlen - in->rawpos);
		in->zs.next_out = buf;
		in->zs.avail_out = n > UINT_MAX ? UINT_MAX : (uInt)n;
		rc = inflate(&in->zs, Z_NO_FLUSH);
		in->rawpos = in->rawlen - in->zs.avail_in;
		if (rc == Z_STREAM_END) {
			size_t got = (size_t)((char *)in->zs.next_out -
			    (char *)buf);

			/* another member may follow (gzip -c a b > c) */
			if (fill_raw(in) < 0)
				return -1;
			if (in->rawpos == in->rawlen && in->eof)
				in->done = 1;
			else if (inflateReset(&in->zs) != Z_OK) {
				in->err = "zlib reset failed";
				return -1;
			}
			if (got > 0)
				return (ssize_t)got;
			continue;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			snprintf(in->errbuf, sizeof(in->errbuf),
			    "corrupt gzip data: %s",
			    in->zs.msg != NULL ? in->zs.msg : "inflate error");
			in->err = in->errbuf;
			return -1;
		}
		if ((char *)in->zs.next_out != (char *)buf)
			return (ssize_t)((char *)in->zs.next_out - (char *)buf);
	}
}

static ssize_t
read_zstd(struct istream *in, void *buf, size_t n)
{
	ZSTD_inBuffer ib;
	ZSTD_outBuffer ob;
	size_t rc;

	for (;;) {
		if (fill_raw(in) < 0)
			return -1;
		if (in->rawpos == in->rawlen && in->eof) {
			if (in->zstd_mid) {
				in->err = "truncated zstd stream";
				return -1;
			}
			return 0;
		}
		ib.src = in->raw;
		ib.size = in->rawlen;
		ib.pos = in->rawpos;
		ob.dst = buf;
		ob.size = n;
		ob.pos = 0;
		rc = ZSTD_decompressStream(in->zd, &ob, &ib);
		in->rawpos = ib.pos;
		if (ZSTD_isError(rc)) {
			snprintf(in->errbuf, sizeof(in->errbuf),
			    "corrupt zstd data: %s", ZSTD_getErrorName(rc));
			in->err = in->errbuf;
			return -1;
		}
		in->zstd_mid = rc != 0;
		if (ob.pos > 0)
			return (ssize_t)ob.pos;
	}
}

ssize_t
istream_read(struct istream *in, void *buf, size_t n)
{
	size_t k;

	switch (in->codec) {
	case CODEC_GZIP:
		return read_gzip(in, buf, n);
	case CODEC_ZSTD:
		return read_zstd(in, buf, n);
	default:
		if (in->rawpos < in->rawlen) {
			k = in->rawlen - in->rawpos;
			if (k > n)
				k = n;
			memcpy(buf, in->raw + in->rawpos, k);
			in->rawpos += k;
			return (ssize_t)k;
		}
		if (in->eof)
			return 0;
		/* large reads go straight to the caller's buffer */
		for (;;) {
			ssize_t r = read(in->fd, buf, n);

			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				snprintf(in->errbuf, sizeof(in->errbuf),
				    "read error: %s", strerror(errno));
				in->err = in->errbuf;
				return -1;
			}
			if (r == 0)
				in->eof = 1;
			in->rawbytes += (size_t)r;
			return r;
		}
	}
}

const char *
istream_error(const struct istream *in)
{
	return in->err != NULL ? in->err : "unknown error";
}

const char *
istream_name(const struct istream *in)
{
	return in->name;
}

unsigned long long
istream_raw_bytes(const struct istream *in)
{
	return in->rawbytes;
}

void
istream_close(struct istream *in)
{
	if (in == NULL)
		return;
	if (in->zinit)
		inflateEnd(&in->zs);
	ZSTD_freeDCtx(in->zd);
	if (in->fd != STDIN_FILENO)
		close(in->fd);
	free(in->raw);
	free(in->name);
	free(in);
}

/* ---- output ---- */

#define MAXTEMP 4096

/* Temporary names of open outputs, for removal on fatal exit or signal. */
static char *temps[MAXTEMP];
static int hooked;

static void
remove_temps(void)
{
	int i;

	for (i = 0; i < MAXTEMP; i++)
		if (temps[i] != NULL)
			unlink(temps[i]);
}

static void
on_signal(int sig)
{
	int i;

	for (i = 0; i < MAXTEMP; i++)
		if (temps[i] != NULL)
			unlink(temps[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
temp_register(char *name)
{
	int i;

	if (!hooked) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		err_atexit(remove_temps);
		hooked = 1;
	}
	for (i = 0; i < MAXTEMP; i++)
		if (temps[i] == NULL) {
			temps[i] = name;
			return;
		}
	err_die("too many output files open");
}

static void
temp_unregister(const char *name)
{
	int i;

	for (i = 0; i < MAXTEMP; i++)
		if (temps[i] == name) {
			temps[i] = NULL;
			return;
		}
}

struct ostream {
	char		*name;
	char		*tmp;		/* NULL: stdout or a device */
	int		 fd;
	bool		 direct;	/* fd is a device or FIFO we opened */
	enum codec	 codec;
	unsigned char	*buf;		/* uncompressed staging buffer */
	size_t		 len;
	unsigned char	*cbuf;		/* compressed output buffer */
	z_stream	 zs;
	ZSTD_CCtx	*zc;
};

static void
write_all(struct ostream *o, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		w = write(o->fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			err_die_errno("%s: write error", o->name);
		c += w;
		n -= (size_t)w;
	}
}

struct ostream *
ostream_open(const char *path)
{
	struct ostream *o = xcalloc(1, sizeof(*o));
	const char *slash, *base;
	struct buf t = BUF_INIT;
	struct stat st;

	if (path == NULL || strcmp(path, "-") == 0) {
		o->name = xstrdup("stdout");
		o->fd = STDOUT_FILENO;
	} else if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/*
		 * /dev/null, /dev/stdout, a FIFO: write to it in place.  A
		 * temporary file renamed over it would replace the device.
		 */
		o->name = xstrdup(path);
		if (S_ISDIR(st.st_mode))
			err_config("%s: is a directory", path);
		if ((o->fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
			err_die_errno("%s: cannot open", path);
		o->direct = true;
		if (has_suffix(path, ".gz"))
			o->codec = CODEC_GZIP;
		else if (has_suffix(path, ".zst"))
			o->codec = CODEC_ZSTD;
	} else {
		o->name = xstrdup(path);
		slash = strrchr(path, '/');
		base = slash != NULL ? slash + 1 : path;
		if (*base == '\0')
			err_config("%s: not a file name", path);
		/* a hidden name beside the target: same file system */
		if (slash != NULL)
			buf_add(&t, path, (size_t)(base - path));
		buf_addf(&t, ".%s.tmp-XXXXXX", base);
		o->tmp = buf_detach(&t, NULL);
		if ((o->fd = mkstemp(o->tmp)) < 0)
			err_die_errno("%s: cannot create", o->tmp);
		temp_register(o->tmp);
		if (has_suffix(path, ".gz"))
			o->codec = CODEC_GZIP;
		else if (has_suffix(path, ".zst"))
			o->codec = CODEC_ZSTD;
	}
	o->buf = xmalloc(OBUF_SIZE);
	if (o->codec == CODEC_GZIP) {
		if (deflateInit2(&o->zs, 6, Z_DEFLATED, 15 + 16, 8,
		    Z_DEFAULT_STRATEGY) != Z_OK)
			err_die("%s: cannot initialise zlib", o->name);
		o->cbuf = xmalloc(OBUF_SIZE);
	} else if (o->codec == CODEC_ZSTD) {
		if ((o->zc = ZSTD_createCCtx()) == NULL)
			err_die("%s: cannot initialise zstd", o->name);
		ZSTD_CCtx_setParameter(o->zc, ZSTD_c_compressionLevel, 3);
		ZSTD_CCtx_setParameter(o->zc, ZSTD_c_checksumFlag, 1);
		o->cbuf = xmalloc(ZSTD_CStreamOutSize());
	}
	return o;
}

static void
compress_out(struct ostream *o, const unsigned char *p, size_t n, int final)
{
	if (o->codec == CODEC_GZIP) {
		int rc;

		o->zs.next_in = (unsigned char *)(uintptr_t)p;
		o->zs.avail_in = (uInt)n;
		do {
			o->zs.next_out = o->cbuf;
			o->zs.avail_out = OBUF_SIZE;
			rc = deflate(&o->zs, final ? Z_FINISH : Z_NO_FLUSH);
			if (rc == Z_STREAM_ERROR)
				err_die("%s: zlib error", o->name);
			write_all(o, o->cbuf, OBUF_SIZE - o->zs.avail_out);
		} while (o->zs.avail_out == 0 || (final && rc != Z_STREAM_END));
	} else {
		ZSTD_inBuffer ib = { p, n, 0 };
		ZSTD_outBuffer ob;
		size_t rc;

		do {
			ob.dst = o->cbuf;
			ob.size = ZSTD_CStreamOutSize();
			ob.pos = 0;
			rc = ZSTD_compressStream2(o->zc, &ob, &ib,
			    final ? ZSTD_e_end : ZSTD_e_continue);
			if (ZSTD_isError(rc))
				err_die("%s: zstd error: %s", o->name,
				    ZSTD_getErrorName(rc));
			write_all(o, o->cbuf, ob.pos);
		} while (final ? rc != 0 : ib.pos < ib.size);
	}
}

void
ostream_flush(struct ostream *o)
{
	if (o->len == 0)
		return;
	if (o->codec == CODEC_PLAIN)
		write_all(o, o->buf, o->len);
	else
		compress_out(o, o->buf, o->len, 0);
	o->len = 0;
}

void
ostream_write(struct ostream *o, const void *p, size_t n)
{
	if (o->len + n <= OBUF_SIZE) {
		memcpy(o->buf + o->len, p, n);
		o->len += n;
		return;
	}
	ostream_flush(o);
	if (n >= OBUF_SIZE) {
		const unsigned char *c = p;

		if (o->codec == CODEC_PLAIN)
			write_all(o, c, n);
		else	/* keep zlib's avail_in within uInt */
			while (n > 0) {
				size_t k = n > OBUF_SIZE ? OBUF_SIZE : n;

				compress_out(o, c, k, 0);
				c += k;
				n -= k;
			}
		return;
	}
	memcpy(o->buf, p, n);
	o->len = n;
}

const char *
ostream_name(const struct ostream *o)
{
	return o->name;
}

void
ostream_close(struct ostream *o, bool commit)
{
	mode_t mask;

	if (o == NULL)
		return;
	if (commit) {
		ostream_flush(o);
		if (o->codec != CODEC_PLAIN)
			compress_out(o, NULL, 0, 1);
	}
	if (o->codec == CODEC_GZIP)
		deflateEnd(&o->zs);
	ZSTD_freeCCtx(o->zc);
	if (o->direct && close(o->fd) < 0 && commit)
		err_die_errno("%s: write error", o->name);
	if (o->tmp != NULL) {
		if (commit) {
			/* mkstemp made it 0600; give it the usual mode */
			mask = umask(0);
			umask(mask);
			if (fchmod(o->fd, 0666 & ~mask) < 0)
				err_die_errno("%s: chmod", o->tmp);
		}
		if (close(o->fd) < 0 && commit)
			err_die_errno("%s: write error", o->name);
		if (commit && rename(o->tmp, o->name) < 0)
			err_die_errno("%s: cannot rename %s", o->name, o->tmp);
		if (!commit)
			unlink(o->tmp);
		temp_unregister(o->tmp);
		free(o->tmp);
	}
	free(o->buf);
	free(o->cbuf);
	free(o->name);
	free(o);
}

void
stream_write_file(const char *path, const void *data, size_t n)
{
	struct ostream *o = ostream_open(path);

	if (o->codec != CODEC_PLAIN) {
		/* metrics and summaries are read by tools that want text */
		o->codec = CODEC_PLAIN;
		if (o->zc != NULL) {
			ZSTD_freeCCtx(o->zc);
			o->zc = NULL;
		} else
			deflateEnd(&o->zs);
	}
	ostream_write(o, data, n);
	ostream_close(o, true);
}
