/*
 * hex.h - hexadecimal digits, lowercase hex encoding, UUID shape.
 * Shared by the hash formatting of swh-fetch and pii-scrub, the JSON
 * escapes of jscan, the state files of stats-agg and schema-check's
 * formats.
 */
#ifndef CODESIFT_HEX_H
#define CODESIFT_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The value of hex digit c (either case), or -1. */
static inline int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static inline bool
hex_is_digit(int c)
{
	return hex_digit(c) >= 0;
}

/* Write src[0..n) as 2n lowercase hex digits and a NUL at dst. */
void	hex_encode(char *dst, const void *src, size_t n);

/*
 * Decode the 2n hex digits at s into dst[0..n); false (dst undefined) if
 * any is not a hex digit.
 */
bool	hex_decode(const char *s, size_t n, uint8_t *dst);

/* Is s[0..n) a UUID in its 8-4-4-4-12 hex form (either case)? */
bool	hex_is_uuid(const char *s, size_t n);

#endif
