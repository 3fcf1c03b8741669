/*
 * creds.h - AWS credentials for signing: from the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) or from a
 * profile of the shared credentials file (AWS_SHARED_CREDENTIALS_FILE,
 * default ~/.aws/credentials).
 *
 * The strings are owned by struct creds and wiped by creds_release().
 * Error messages never quote a key, a secret or a token.
 */
#ifndef CODESIFT_CREDS_H
#define CODESIFT_CREDS_H

#include <stdbool.h>

#include "mem.h"

struct creds {
	char	*access_key;
	char	*secret;
	char	*token;		/* NULL: long-term credentials */
	char	*source;	/* "environment" or "profile NAME (FILE)" */
};

enum creds_status {
	CREDS_NONE,	/* nothing configured: anonymous */
	CREDS_OK,
	CREDS_ERROR	/* err holds a message */
};

/*
 * Load the credentials: profile != NULL reads that profile, else the
 * environment.  An access key without a secret (or the reverse) is an
 * error.
 */
enum creds_status creds_load(const char *profile, struct creds *c,
	    struct buf *err);

/* Parse a credentials file's text for profile (for tests). */
enum creds_status creds_parse(const char *text, const char *profile,
	    const char *file, struct creds *c, struct buf *err);

void	creds_release(struct creds *c);

#endif
