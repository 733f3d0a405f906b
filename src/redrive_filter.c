/* redrive_filter.c - message filters for peek, export and redrive (syntax in
 * redrive.h): regexes on the body, JSON path compares, attribute values and age.
 * Each --filter becomes one term; a message passes when every term matches. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <math.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/redrive.h"
#include "fleetdeck/sqs.h"

enum term_kind { T_BODY, T_PATH, T_ATTR, T_SYS, T_AGE };
enum term_op { OP_EXISTS, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_RE };

struct term {
	enum term_kind kind;
	enum term_op op;
	char *subject; /* path, attribute name */
	struct sqs_jvalue value;
	pcre2_code *re;
	long age_s;
};

struct fd_msg_filter {
	struct term *t;
	size_t n;
};

static const struct {
	const char *text;
	enum term_op op;
} ops[] = {
    {"==", OP_EQ}, {"!=", OP_NE}, {"<=", OP_LE}, {">=", OP_GE}, {"=~", OP_RE},
    {"<", OP_LT},  {">", OP_GT},  {"~", OP_RE},  {"=", OP_EQ},
};

static enum fd_status
compile(const char *pattern, pcre2_code **out, struct fd_err *err)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off = 0;
	int code = 0;

	*out = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	                     PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off, NULL);
	if (*out)
		return FD_OK;
	pcre2_get_error_message(code, msg, sizeof(msg));
	return fd_err_set(err, FD_EINVAL, "filter /%.100s/: at offset %zu: %s", pattern,
	                  (size_t)off, (const char *)msg);
}

static int
re_match(const pcre2_code *re, const char *s, size_t n)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	int rc;

	if (!md)
		fd_fatal("out of memory matching a regex");
	rc = pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

/* Splits "subject OP value" at the first operator outside the subject. */
static const char *
find_op(const char *s, enum term_op *op, size_t *oplen)
{
	const char *p;
	size_t i;

	for (p = s; *p; p++) {
		if (!strchr("=!<>~", *p))
			continue;
		for (i = 0; i < FD_ARRAY_LEN(ops); i++) {
			size_t n = strlen(ops[i].text);
			if (strncmp(p, ops[i].text, n) == 0) {
				*op = ops[i].op;
				*oplen = n;
				return p;
			}
		}
	}
	return NULL;
}

static char *
trimmed(const char *s, size_t n)
{
	return fd_str_trim(fd_xstrndup(s, n));
}

static enum fd_status
parse_value(struct term *t, const char *text, struct fd_err *err)
{
	char *v = trimmed(text, strlen(text));
	enum fd_status st = FD_OK;

	if (t->op == OP_RE)
		st = compile(v, &t->re, err);
	else if (!sqs_json_literal(v, &t->value)) {
		t->value.type = SQS_J_STRING; /* a bare word */
		t->value.text = fd_xstrdup(v);
	}
	free(v);
	return st;
}

static enum fd_status
parse_age(struct term *t, const char *rest, struct fd_err *err)
{
	enum term_op op;
	size_t oplen;
	const char *p = find_op(rest, &op, &oplen);
	char *v;

	if (!p || (op != OP_LT && op != OP_LE && op != OP_GT && op != OP_GE))
		return fd_err_set(err, FD_EINVAL, "filter age: use age > 1h, age < 30m, ...");
	v = trimmed(p + oplen, strlen(p + oplen));
	t->age_s = fd_parse_duration(v);
	free(v);
	t->kind = T_AGE;
	t->op = op;
	if (t->age_s < 0)
		return fd_err_set(err, FD_EINVAL,
		                  "filter age: bad duration (use 90s, 15m, 2h, 7d)");
	return FD_OK;
}

static enum fd_status
parse_compare(struct term *t, enum term_kind kind, const char *s, struct fd_err *err)
{
	enum term_op op = OP_EXISTS;
	size_t oplen = 0;
	const char *p = find_op(s, &op, &oplen);
	enum fd_status st;

	t->kind = kind;
	t->op = p ? op : OP_EXISTS;
	t->subject = trimmed(s, p ? (size_t)(p - s) : strlen(s));
	if (!t->subject[0])
		return fd_err_set(err, FD_EINVAL, "filter \"%.100s\": nothing to compare", s);
	if (kind == T_PATH && (st = sqs_json_path_check(t->subject, err)) != FD_OK)
		return st;
	return p ? parse_value(t, p + oplen, err) : FD_OK;
}

/* ".detail.id == 1" is a path compare; ".*timeout" is a regex. */
static int
path_like(const char *spec)
{
	enum term_op op;
	size_t oplen;
	const char *p = find_op(spec, &op, &oplen);
	char *subject = trimmed(spec, p ? (size_t)(p - spec) : strlen(spec));
	int ok = sqs_json_path_check(subject, NULL) == FD_OK;

	free(subject);
	return ok;
}

static enum fd_status
parse_term(const char *spec, struct term *t, struct fd_err *err)
{
	size_t n = strlen(spec);

	memset(t, 0, sizeof(*t));
	if (n >= 2 && spec[0] == '/' && spec[n - 1] == '/') {
		char *re = fd_xstrndup(spec + 1, n - 2);
		enum fd_status st = compile(re, &t->re, err);
		free(re);
		return st;
	}
	if (fd_str_starts(spec, "body~"))
		return compile(spec + 5, &t->re, err);
	if (spec[0] == '.' && path_like(spec))
		return parse_compare(t, T_PATH, spec, err);
	if (fd_str_starts(spec, "attr."))
		return parse_compare(t, T_ATTR, spec + 5, err);
	if (fd_str_starts(spec, "sys."))
		return parse_compare(t, T_SYS, spec + 4, err);
	if (fd_str_starts(spec, "age") && strchr("<> ", spec[3]) && spec[3])
		return parse_age(t, spec + 3, err);
	return compile(spec, &t->re, err);
}

enum fd_status
fd_msg_filter_new(const char *const *specs, size_t n, struct fd_msg_filter **out,
                  struct fd_err *err)
{
	struct fd_msg_filter *f;
	enum fd_status st = FD_OK;
	size_t i;

	*out = NULL;
	if (!n)
		return FD_OK;
	f = fd_xcalloc(1, sizeof(*f));
	f->t = fd_xcalloc(n, sizeof(*f->t));
	for (i = 0; i < n && st == FD_OK; i++) {
		st = parse_term(specs[i], &f->t[i], err);
		f->n = i + 1;
	}
	if (st != FD_OK) {
		fd_msg_filter_free(f);
		return st;
	}
	*out = f;
	return FD_OK;
}

void
fd_msg_filter_free(struct fd_msg_filter *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->t[i].subject);
		sqs_jvalue_free(&f->t[i].value);
		pcre2_code_free(f->t[i].re);
	}
	free(f->t);
	free(f);
}

/* ---- matching ---- */

static int
cmp_result(int c, enum term_op op)
{
	switch (op) {
	case OP_EQ:
		return c == 0;
	case OP_NE:
		return c != 0;
	case OP_LT:
		return c < 0;
	case OP_LE:
		return c <= 0;
	case OP_GT:
		return c > 0;
	case OP_GE:
		return c >= 0;
	default:
		return 0;
	}
}

static int
num_cmp(double a, double b)
{
	return a < b ? -1 : a > b ? 1 : 0;
}

/* Compares a found value with the term's literal: same JSON types only (!= is true
 * for different types). */
static int
compare_json(const struct term *t, const struct sqs_jvalue *v)
{
	const struct sqs_jvalue *w = &t->value;

	if (t->op == OP_EXISTS)
		return v->type != SQS_J_MISSING && v->type != SQS_J_NULL;
	if (t->op == OP_RE)
		return v->type == SQS_J_STRING && re_match(t->re, v->text, strlen(v->text));
	if (v->type != w->type)
		return t->op == OP_NE;
	if (v->type == SQS_J_NUMBER || v->type == SQS_J_BOOL)
		return cmp_result(num_cmp(v->num, w->num), t->op);
	if (v->type == SQS_J_STRING || v->type == SQS_J_OTHER)
		return cmp_result(strcmp(v->text, w->text), t->op);
	return cmp_result(0, t->op); /* null == null */
}

static int
parse_num(const char *s, double *out)
{
	char *end = NULL;

	if (!s || !*s)
		return 0;
	*out = strtod(s, &end);
	return end && *end == '\0' && isfinite(*out);
}

/* Attribute and system values are text; numbers compare numerically when both sides
 * are numbers. */
static int
compare_text(const struct term *t, const char *s, size_t n)
{
	const struct sqs_jvalue *w = &t->value;
	double a, b;
	char buf[64];

	if (t->op == OP_EXISTS)
		return s != NULL;
	if (!s)
		return t->op == OP_NE;
	if (t->op == OP_RE)
		return re_match(t->re, s, n);
	if (w->type == SQS_J_NUMBER && parse_num(s, &a))
		return cmp_result(num_cmp(a, w->num), t->op);
	if (w->type == SQS_J_STRING && parse_num(s, &a) && parse_num(w->text, &b))
		return cmp_result(num_cmp(a, b), t->op);
	if (w->type == SQS_J_STRING)
		return cmp_result(strcmp(s, w->text), t->op);
	snprintf(buf, sizeof(buf), "%s",
	         w->type == SQS_J_BOOL ? (w->num != 0 ? "true" : "false") : "null");
	return cmp_result(strcmp(s, buf), t->op);
}

static int
term_match(const struct term *t, const struct fd_sqs_msg *m, int64_t now_ms)
{
	const struct fd_sqs_attr *a;
	struct sqs_jvalue v;
	int64_t sent;
	int ok;

	switch (t->kind) {
	case T_BODY:
		return re_match(t->re, m->body ? m->body : "", m->body_len);
	case T_PATH:
		if (sqs_json_path(m->body, m->body_len, t->subject, &v, NULL) != FD_OK)
			return 0;
		ok = compare_json(t, &v);
		sqs_jvalue_free(&v);
		return ok;
	case T_ATTR:
		a = fd_sqs_msg_attr(m, t->subject);
		return compare_text(t, a ? a->value : NULL, a ? a->len : 0);
	case T_SYS:
		return compare_text(
		    t, fd_sqs_msg_sys(m, t->subject),
		    fd_sqs_msg_sys(m, t->subject) ? strlen(fd_sqs_msg_sys(m, t->subject)) : 0);
	case T_AGE:
		sent = fd_sqs_msg_sent_ms(m);
		return sent > 0 &&
		       cmp_result(num_cmp((double)(now_ms - sent) / 1000.0, (double)t->age_s),
		                  t->op);
	}
	return 0;
}

int
fd_msg_filter_match(const struct fd_msg_filter *f, const struct fd_sqs_msg *m, int64_t now_ms)
{
	size_t i;

	for (i = 0; f && i < f->n; i++)
		if (!term_match(&f->t[i], m, now_ms))
			return 0;
	return 1;
}
