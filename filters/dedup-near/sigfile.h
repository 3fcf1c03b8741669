/*
 * sigfile.h - the intermediate files of a staged run (sign, pairs, drops).
 *
 * A file is
 *   a header line: one JSON object, {"format":"codesift-dedup-near",
 *     "version":1,"kind":...,"params":...,"sections":{"name":[offset,
 *     length],...},...}, padded with spaces before its newline to a
 *     multiple of 8 bytes;
 *   binary sections, little-endian, each at a multiple of 8;
 *   a 24-byte trailer: the file size (u64), the XXH3-64 of every byte
 *     before this checksum, and the magic "DNEAR-OK".
 * Files are written through stream.h (a temporary name renamed when
 * complete), so a file under its final name is whole unless something
 * else cut it or changed it; the trailer catches both.  Sections are read
 * with pread(), so these files are never compressed.
 *
 * Opening checks the trailer, the size and the checksum (a torn or
 * corrupt file: err_die, status 3), then the header (not such a file, a
 * newer version or another kind: err_config, status 2).
 */
#ifndef DEDUP_NEAR_SIGFILE_H
#define DEDUP_NEAR_SIGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "index.h"
#include "mem.h"

#define SF_FORMAT	"codesift-dedup-near"
#define SF_VERSION	1
#define SF_MAGIC	"DNEAR-OK"
#define SF_TRAILER	24

/* ---- writing ---- */

struct sfw;

/* Refuse (status 2) "-" and names ending in .gz or .zst. */
void	sfw_check_name(const char *path);
/* Open path for writing (temporary name until sfw_commit()). */
struct sfw *sfw_open(const char *path);
/*
 * Declare the sections (their order is the order they are written in)
 * and write the header hdr (consumed), to which "format", "version",
 * "byte_order" and "sections" are added.
 */
void	sfw_begin(struct sfw *w, json_object *hdr, const char *const names[],
	    const uint64_t lens[], size_t n);
/* Append bytes to the current section. */
void	sfw_write(struct sfw *w, const void *p, size_t n);
/* Copy n bytes from fd at offset off into the current section. */
void	sfw_copy_fd(struct sfw *w, int fd, uint64_t off, uint64_t n);
/* End the current section (it must have its declared length). */
void	sfw_end(struct sfw *w);
/* Write the trailer and rename the file into place; frees w. */
void	sfw_commit(struct sfw *w);

/* ---- reading ---- */

struct sfr;

/*
 * Open and check path; kind (NULL: any) is the kind required.  Dies with
 * status 3 if the file is torn or corrupt, 2 if it is not the file asked.
 */
struct sfr *sfr_open(const char *path, const char *kind);
void	sfr_close(struct sfr *r);

const char *sfr_path(const struct sfr *r);
const char *sfr_kind(const struct sfr *r);
/* The checksum in hex: the file's identity. */
const char *sfr_id(const struct sfr *r);
/* The header, borrowed until sfr_close(). */
json_object *sfr_header(const struct sfr *r);
int	sfr_fd(const struct sfr *r);

/* A section's place; false if the file has none of that name. */
bool	sfr_section(const struct sfr *r, const char *name, uint64_t *off,
	    uint64_t *len);
/*
 * Read n bytes at offset off of section name into dst; the section must
 * hold them (status 2 otherwise: the header and the data disagree).
 */
void	sfr_read(const struct sfr *r, const char *name, uint64_t off,
	    void *dst, size_t n);
/* The whole section, which must be count * size bytes; caller frees. */
void	*sfr_load(const struct sfr *r, const char *name, uint64_t count,
	    size_t size);

/* Header fields, with a status-2 error naming the file if wrong. */
uint64_t sfr_u64(const struct sfr *r, json_object *o, const char *key);
double	sfr_double(const struct sfr *r, json_object *o, const char *key);
const char *sfr_str(const struct sfr *r, json_object *o, const char *key);
json_object *sfr_obj(const struct sfr *r, json_object *o, const char *key,
	    json_type type);

/* ---- parameters in headers ---- */

json_object *sf_params_json(const struct nd_params *p);
/* Read the "params" of r's header (strings borrowed from the header). */
void	sf_params_read(const struct sfr *r, struct nd_params *p);
/*
 * NULL if a and b agree, else a description of the first difference
 * ("--perms 256 vs 128") in a static buffer.
 */
const char *sf_params_diff(const struct nd_params *a,
	    const struct nd_params *b);

/*
 * Check a whole file image (for the fuzz target and tests): trailer,
 * checksum, header.  Returns 0 if good, else the exit status the reader
 * would use (2 or 3) with a message in err.
 */
int	sf_check_image(const char *p, size_t n, struct buf *err);

#endif
