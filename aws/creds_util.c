/* creds_util.c - helpers shared by the credential providers: filling a struct,
 * the in-process cache of temporary credentials, JSON credential documents. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "creds_int.h"
#include "fleetdeck/sigv4.h"
#include "fleetdeck/util.h"

#define CREDS_CACHE_SLOTS 16

struct cache_slot {
	char *key;
	struct aws_creds creds;
};

static struct cache_slot cache[CREDS_CACHE_SLOTS];

const char *
creds_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

const char *
creds_printable(const char *s, char out[68])
{
	size_t i;

	for (i = 0; s && s[i] && i < 64; i++)
		out[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	out[i] = '\0';
	if (s && s[i])
		memcpy(out + i, "...", 4);
	return out;
}

void
creds_form_add(struct fd_buf *b, const char *key, const char *value)
{
	if (b->len)
		fd_buf_putc(b, '&');
	sigv4_uri_encode(key, strlen(key), 0, b);
	fd_buf_putc(b, '=');
	sigv4_uri_encode(value, strlen(value), 0, b);
}

void
creds_set(struct aws_creds *out, const char *ak, const char *sk, const char *token,
          time_t expiration, const char *source_fmt, ...)
{
	va_list ap;

	memset(out, 0, sizeof(*out));
	out->access_key = fd_xstrdup(ak);
	out->secret_key = fd_xstrdup(sk);
	out->session_token = token && *token ? fd_xstrdup(token) : NULL;
	out->expiration = expiration;
	va_start(ap, source_fmt);
	vsnprintf(out->source, sizeof(out->source), source_fmt, ap);
	va_end(ap);
}

static void
cache_drop(struct cache_slot *slot)
{
	free(slot->key);
	slot->key = NULL;
	aws_creds_free(&slot->creds);
}

int
creds_cache_get(const char *key, struct aws_creds *out)
{
	time_t now = fd_wall_now();
	size_t i;

	for (i = 0; i < CREDS_CACHE_SLOTS; i++) {
		struct cache_slot *slot = &cache[i];
		if (!slot->key || strcmp(slot->key, key) != 0)
			continue;
		if (aws_creds_expiring(&slot->creds, now, CREDS_CACHE_MARGIN_S)) {
			cache_drop(slot);
			return 0;
		}
		aws_creds_copy(out, &slot->creds);
		return 1;
	}
	return 0;
}

void
creds_cache_put(const char *key, const struct aws_creds *c)
{
	struct cache_slot *slot = NULL;
	size_t i;

	for (i = 0; i < CREDS_CACHE_SLOTS && !slot; i++)
		if (cache[i].key && strcmp(cache[i].key, key) == 0)
			slot = &cache[i];
	for (i = 0; i < CREDS_CACHE_SLOTS && !slot; i++)
		if (!cache[i].key)
			slot = &cache[i];
	if (!slot) {
		/* Full: forget the entry that expires first. */
		slot = &cache[0];
		for (i = 1; i < CREDS_CACHE_SLOTS; i++)
			if (cache[i].creds.expiration < slot->creds.expiration)
				slot = &cache[i];
	}
	cache_drop(slot);
	slot->key = fd_xstrdup(key);
	aws_creds_copy(&slot->creds, c);
}

void
aws_creds_cache_clear(void)
{
	size_t i;

	for (i = 0; i < CREDS_CACHE_SLOTS; i++)
		cache_drop(&cache[i]);
}

struct cJSON *
creds_json_parse(const char *text, size_t len)
{
	return cJSON_ParseWithLength(text, len);
}

static void
json_wipe(cJSON *j)
{
	/* Nesting is bounded by cJSON's own limit (CJSON_NESTING_LIMIT). */
	for (; j; j = j->next) {
		if (j->valuestring)
			fd_secure_wipe(j->valuestring, strlen(j->valuestring));
		json_wipe(j->child);
	}
}

void
creds_json_free(struct cJSON *j)
{
	if (!j)
		return;
	json_wipe(j);
	cJSON_Delete(j);
}

static const char *
json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) && v->valuestring && *v->valuestring ? v->valuestring : NULL;
}

enum fd_status
creds_from_json(const struct cJSON *obj, const char *token_key, const char *what,
                struct aws_creds *out, struct fd_err *err)
{
	const char *ak = json_str(obj, "AccessKeyId");
	const char *sk = json_str(obj, "SecretAccessKey");
	const char *tok = token_key ? json_str(obj, token_key) : NULL;
	const char *exp = json_str(obj, "Expiration");
	const char *account = json_str(obj, "AccountId");
	time_t when = 0;

	if (!cJSON_IsObject(obj))
		return fd_err_set(err, FD_ECREDS, "%s: the answer is not a JSON object", what);
	if (!ak || !sk)
		return fd_err_set(err, FD_ECREDS,
		                  "%s: the answer lacks AccessKeyId or SecretAccessKey", what);
	if (exp && (when = fd_parse_iso8601(exp)) <= 0)
		return fd_err_set(err, FD_ECREDS, "%s: Expiration is not an ISO-8601 time", what);
	creds_set(out, ak, sk, tok, when, "%s", what);
	if (account && strlen(account) < sizeof(out->account_id))
		fd_strlcpy(out->account_id, account, sizeof(out->account_id));
	return FD_OK;
}
