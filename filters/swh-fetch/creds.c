/*
 * creds.c - where the keys come from.  The shared credentials file is an
 * INI file: "[name]" sections with "key = value" lines; "#" and ";"
 * start comments.  Only aws_access_key_id, aws_secret_access_key and
 * aws_session_token are read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "creds.h"
#include "err.h"

static void
wipe_free(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

void
creds_release(struct creds *c)
{
	wipe_free(c->access_key);
	wipe_free(c->secret);
	wipe_free(c->token);
	free(c->source);
	memset(c, 0, sizeof(*c));
}

static const char *
nonempty_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

static char *
trimmed(const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r'))
		n--;
	return xstrndup(s, n);
}

enum creds_status
creds_parse(const char *text, const char *profile, const char *file,
    struct creds *c, struct buf *err)
{
	const char *p = text, *eol, *eq;
	char *key, *sec;
	bool in = false, found = false;
	size_t n;

	memset(c, 0, sizeof(*c));
	while (*p != '\0') {
		eol = strchr(p, '\n');
		n = eol != NULL ? (size_t)(eol - p) : strlen(p);
		key = trimmed(p, n);
		if (key[0] == '[') {
			char *close = strchr(key, ']');

			sec = close != NULL ? trimmed(key + 1,
			    (size_t)(close - key - 1)) : xstrdup("");
			in = strcmp(sec, profile) == 0;
			found |= in;
			free(sec);
		} else if (in && key[0] != '#' && key[0] != ';' &&
		    (eq = strchr(key, '=')) != NULL) {
			char *name = trimmed(key, (size_t)(eq - key));
			char *val = trimmed(eq + 1, strlen(eq + 1));

			if (strcmp(name, "aws_access_key_id") == 0) {
				wipe_free(c->access_key);
				c->access_key = val;
			} else if (strcmp(name, "aws_secret_access_key") == 0) {
				wipe_free(c->secret);
				c->secret = val;
			} else if (strcmp(name, "aws_session_token") == 0) {
				wipe_free(c->token);
				c->token = val;
			} else
				wipe_free(val);
			free(name);
		}
		wipe_free(key);
		p = eol != NULL ? eol + 1 : p + n;
	}
	if (!found) {
		buf_addf(err, "no profile '%s' in %s", profile, file);
		creds_release(c);
		return CREDS_ERROR;
	}
	if (c->access_key == NULL || *c->access_key == '\0' ||
	    c->secret == NULL || *c->secret == '\0') {
		buf_addf(err, "profile '%s' in %s lacks aws_access_key_id or "
		    "aws_secret_access_key", profile, file);
		creds_release(c);
		return CREDS_ERROR;
	}
	if (c->token != NULL && *c->token == '\0') {
		wipe_free(c->token);
		c->token = NULL;
	}
	{
		struct buf src = BUF_INIT;

		buf_addf(&src, "profile %s (%s)", profile, file);
		c->source = buf_detach(&src, NULL);
	}
	return CREDS_OK;
}

enum creds_status
creds_load(const char *profile, struct creds *c, struct buf *err)
{
	const char *ak, *sk, *tok, *file, *home;
	struct buf path = BUF_INIT, text = BUF_INIT;
	enum creds_status st;
	char tmp[4096];
	size_t k;
	FILE *f;

	memset(c, 0, sizeof(*c));
	if (profile == NULL) {
		ak = nonempty_env("AWS_ACCESS_KEY_ID");
		sk = nonempty_env("AWS_SECRET_ACCESS_KEY");
		tok = nonempty_env("AWS_SESSION_TOKEN");
		if (ak == NULL && sk == NULL)
			return CREDS_NONE;
		if (ak == NULL || sk == NULL) {
			buf_addf(err, "%s is set but %s is not",
			    ak != NULL ? "AWS_ACCESS_KEY_ID" :
			    "AWS_SECRET_ACCESS_KEY",
			    ak != NULL ? "AWS_SECRET_ACCESS_KEY" :
			    "AWS_ACCESS_KEY_ID");
			return CREDS_ERROR;
		}
		c->access_key = xstrdup(ak);
		c->secret = xstrdup(sk);
		c->token = tok != NULL ? xstrdup(tok) : NULL;
		c->source = xstrdup("environment");
		return CREDS_OK;
	}
	if ((file = nonempty_env("AWS_SHARED_CREDENTIALS_FILE")) == NULL) {
		if ((home = nonempty_env("HOME")) == NULL) {
			buf_adds(err, "--profile: HOME is not set and "
			    "AWS_SHARED_CREDENTIALS_FILE is not either");
			return CREDS_ERROR;
		}
		buf_addf(&path, "%s/.aws/credentials", home);
		file = path.data;
	}
	if ((f = fopen(file, "r")) == NULL) {
		buf_addf(err, "--profile %s: cannot read %s: %s", profile,
		    file, strerror(errno));
		buf_release(&path);
		return CREDS_ERROR;
	}
	buf_grow(&text, 0);
	while ((k = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&text, tmp, k);
	fclose(f);
	OPENSSL_cleanse(tmp, sizeof(tmp));
	st = creds_parse(text.data, profile, file, c, err);
	OPENSSL_cleanse(text.data, text.len);
	buf_release(&text);
	buf_release(&path);
	return st;
}
