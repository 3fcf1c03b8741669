/*
 * fuzz_sigfile.c - the checks of dedup-near's intermediate files (trailer,
 * checksum, header) must classify any bytes without crashing: 0 for a good
 * file, 2 for a foreign or malformed one, 3 for a torn or corrupt one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "sigfile.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT;
	int st = sf_check_image((const char *)data, size, &err);

	if (st != 0 && st != 2 && st != 3)
		abort();
	if (st != 0 && err.len == 0)
		abort();	/* every refusal says why */
	buf_release(&err);
	return 0;
}
