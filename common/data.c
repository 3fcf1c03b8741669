/*
 * data.c - locate data files for a build tree or an installed copy.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data.h"
#include "mem.h"

#ifndef CODESIFT_DATADIR
#define CODESIFT_DATADIR "/usr/local/share/codesift"
#endif

static char *
try(const char *dir, const char *rel)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s/%s", dir, rel);
	if (access(b.data, R_OK) == 0)
		return buf_detach(&b, NULL);
	buf_release(&b);
	return NULL;
}

char *
data_path(const char *rel)
{
	char exe[PATH_MAX], *p, *found;
	const char *env;
	ssize_t n;
	int up;

	if ((env = getenv("CODESIFT_DATADIR")) != NULL && *env != '\0' &&
	    (found = try(env, rel)) != NULL)
		return found;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 16);
	if (n > 0) {
		exe[n] = '\0';
		/* bin/prog and build/<kind>/bin/prog both reach the tree */
		for (up = 0; up < 6; up++) {
			if ((p = strrchr(exe, '/')) == NULL)
				break;
			*p = '\0';
			strcat(exe, "/configs");
			if ((found = try(exe, rel)) != NULL)
				return found;
			exe[strlen(exe) - strlen("/configs")] = '\0';
		}
	}
	return try(CODESIFT_DATADIR, rel);
}
