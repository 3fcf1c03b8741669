/*
 * fetch.h - get verified objects from an S3 bucket, many at a time.
 *
 * A fetcher GETs key content/<hex id> with libcurl's multi interface:
 * up to `jobs` transfers in flight over reused connections (HTTP/2
 * multiplexed where the server offers it), each signed with SigV4 when
 * credentials are given.  A body is accepted only once it inflates and its
 * SHA-1 is the id (blob_open()); connect errors, timeouts, 429/5xx and
 * truncated or corrupt bodies are retried with exponential backoff and
 * full jitter (Retry-After wins when sent); 403, 404 and other answers are
 * final.  With a cache directory, verified objects are kept by id
 * (written atomically, checked again when read) and read from there
 * first, so a rerun fetches only what is missing.
 *
 * Results come back through the done callback, from fetcher_run() only,
 * in completion order; the raw bytes are valid during the call, and the
 * callback may take them (swap res->buf with an empty buffer).  Inflating
 * and checking bodies runs on worker threads (struct tasks), which the
 * caller may use too.
 *
 * Failing for everything is not a per-record matter: when the server
 * refuses the credentials, or most of the recent requests failed for good
 * (endpoint down), the fetcher stops the program with status 3 and says
 * why.  Nothing it prints, counts or reports ever contains a key, secret
 * or token.
 */
#ifndef CODESIFT_FETCH_H
#define CODESIFT_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "creds.h"
#include "run.h"

enum fetch_addressing { ADDR_AUTO, ADDR_PATH, ADDR_VIRTUAL };

struct fetch_conf {
	const char		*endpoint;	/* NULL: AWS S3 for region */
	const char		*bucket;
	const char		*region;
	enum fetch_addressing	 addressing;
	const struct creds	*creds;		/* NULL: anonymous */
	unsigned		 jobs;
	unsigned		 retries;
	double			 timeout;	/* seconds per attempt */
	double			 connect_timeout;
	const char		*ca_bundle;	/* NULL: the system's CAs */
	size_t			 max_bytes;	/* raw object size limit */
	const char		*cache;		/* NULL: no cache */
	unsigned		 threads; /* workers for CPU work; 0: none */
};

struct fetch_result {
	const char	*reason; /* NULL on success, else a reject reason */
	const char	*detail;	/* why, when reason != NULL */
	const char	*raw;		/* the verified raw bytes */
	size_t		 n;
	struct buf	*buf;		/* the buffer holding them */
};

typedef void fetch_done_fn(void *arg, void *udata,
	    const struct fetch_result *res);

struct fetcher;

/* Check the configuration (status 2 on a bad endpoint or cache). */
struct fetcher *fetcher_new(const struct fetch_conf *conf,
	    fetch_done_fn *done, void *arg);

/* Ask for object id; udata comes back with its result. */
void	fetcher_get(struct fetcher *f, const uint8_t id[20], void *udata);

/* Objects asked for and not yet returned. */
size_t	fetcher_pending(const struct fetcher *f);

/*
 * Make progress: start transfers, wait up to wait_ms for something to
 * happen, and return the results that are ready through the callback.
 */
void	fetcher_run(struct fetcher *f, int wait_ms);

/*
 * The fetcher's workers, for the caller's own CPU work on objects: a task's
 * wctx is a struct blob_ctx *.  fetcher_run() collects finished tasks (and
 * waits for them), so done() callbacks run inside fetcher_run().
 */
struct tasks *fetcher_tasks(struct fetcher *f);

/* Objects asked for, tasks submitted, and neither returned yet. */
size_t	fetcher_busy(const struct fetcher *f);

/* The URL of object id (for messages and tests). */
void	fetcher_url(const struct fetcher *f, const uint8_t id[20],
	    struct buf *out);

/*
 * Add the fetch statistics to the run's --summary and --metrics, and
 * (unless quiet) print a one-line account on stderr.
 */
void	fetcher_report(struct fetcher *f, struct run *run, bool quiet);

void	fetcher_free(struct fetcher *f);

#endif
