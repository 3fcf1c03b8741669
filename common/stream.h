/*
 * stream.h - byte streams in and out, with transparent gzip and zstd.
 *
 * Input: "-" is stdin.  A name ending in .gz or .zst must hold that format;
 * any other input is sniffed (gzip and zstd magic numbers never begin JSON
 * text), so compressed stdin works too.  Concatenated gzip members and zstd
 * frames are read through.
 *
 * Output: "-" (or NULL) is stdout.  A named file is written to a temporary
 * name in the same directory and renamed over the name only by
 * ostream_close(o, true): a run that dies or is killed never leaves a
 * half-written file under the final name.  Temporary files are removed by
 * err_die() and on SIGINT/SIGTERM/SIGHUP.  An existing name that is not a
 * regular file (/dev/null, a FIFO) is written directly: renaming over it
 * would replace the device node.  Names ending in .gz or .zst are
 * compressed.  Write errors are fatal (err_die, status 3).
 */
#ifndef CODESIFT_STREAM_H
#define CODESIFT_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct istream;
struct ostream;

/*
 * Open path for reading.  Returns NULL with *errmsg set to a static or
 * errno string when it cannot be opened.
 */
struct istream *istream_open(const char *path, const char **errmsg);

/*
 * Read up to n decompressed bytes.  Returns the count, 0 at end of stream,
 * or -1 with istream_error() describing the failure (corrupt data, I/O).
 */
ssize_t	istream_read(struct istream *in, void *buf, size_t n);
const char *istream_error(const struct istream *in);
const char *istream_name(const struct istream *in);
/* Compressed bytes read so far (== decompressed for plain input). */
unsigned long long istream_raw_bytes(const struct istream *in);
void	istream_close(struct istream *in);

/* Open for writing; dies (status 3) if the file cannot be created. */
struct ostream *ostream_open(const char *path);
void	ostream_write(struct ostream *o, const void *p, size_t n);
/* Flush buffered data to the kernel (and compressor); no-op if none. */
void	ostream_flush(struct ostream *o);
const char *ostream_name(const struct ostream *o);
/*
 * Finish the stream.  commit: rename the temporary file into place;
 * otherwise remove it.  Write/close errors are fatal.  Frees o.
 */
void	ostream_close(struct ostream *o, bool commit);

/*
 * Write data to path atomically (temporary file + rename), uncompressed.
 * Dies on error.
 */
void	stream_write_file(const char *path, const void *data, size_t n);

#endif
