/* functions.c - the functions table and its child tables (layers, env, tags, triggers,
 * aliases, versions): listing writes by mark and sweep that keep stored detail, and
 * loading a context's functions back into records. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/util.h"
#include "internal.h"
#include "schema.h"

/* The statements one write needs, taken from the connection's cache once per call. */
struct fn_writer {
	sqlite3_stmt *upsert_conf; /* keeps an existing row's detail columns */
	sqlite3_stmt *upsert_full;
	sqlite3_stmt *id;
	sqlite3_stmt *del[CACHE_NCHILDREN];
	sqlite3_stmt *ins[CACHE_NCHILDREN];
};

struct fn_index {
	int64_t id;
	size_t at;
};

/* Loaded rows plus their ids sorted for lookup while children stream in. */
struct fn_list {
	struct fd_function *fns;
	struct fn_index *idx;
	size_t n, cap;
};

/* Columns in mask are overwritten on conflict; with_seen also moves the row's mark
 * (listings do, a single-function write does not). */
static void
upsert_sql(struct fd_buf *b, unsigned mask, int with_seen)
{
	const struct cache_table *t = &cache_t_functions;

	fd_buf_puts(b, "INSERT INTO \"functions\" (\"ctx_id\", \"name\", \"seen\"");
	cache_sql_cols(b, t, NULL, CACHE_COLS_ALL);
	fd_buf_puts(b, ") VALUES (?1, ?2, ?3");
	cache_sql_params(b, 4, t->ncols);
	fd_buf_printf(b, ") ON CONFLICT (\"ctx_id\", \"name\") DO UPDATE SET \"seen\" = %s",
	              with_seen ? "excluded.\"seen\"" : "\"seen\"");
	cache_sql_set_excluded(b, t, mask);
}

static enum fd_status
prepare_sql(struct fd_cache *c, struct fd_buf *b, sqlite3_stmt **st, struct fd_err *err)
{
	enum fd_status rc = cache_stmt(c, b->data, st, err);

	fd_buf_reset(b);
	return rc;
}

static enum fd_status
prepare_children(struct fd_cache *c, struct fn_writer *w, struct fd_buf *b, struct fd_err *err)
{
	enum fd_status rc = FD_OK;
	size_t i;

	for (i = 0; rc == FD_OK && i < CACHE_NCHILDREN; i++) {
		const struct cache_table *t = cache_children[i].table;
		fd_buf_printf(b, "DELETE FROM \"%s\" WHERE \"fn_id\" = ?1", t->name);
		rc = prepare_sql(c, b, &w->del[i], err);
		if (rc != FD_OK)
			break;
		fd_buf_printf(b, "INSERT INTO \"%s\" (\"fn_id\", \"seq\"", t->name);
		cache_sql_cols(b, t, NULL, CACHE_COLS_ALL);
		fd_buf_puts(b, ") VALUES (?1, ?2");
		cache_sql_params(b, 3, t->ncols);
		fd_buf_puts(b, ")");
		rc = prepare_sql(c, b, &w->ins[i], err);
	}
	return rc;
}

static enum fd_status
writer_prepare(struct fd_cache *c, struct fn_writer *w, int with_seen, struct fd_err *err)
{
	struct fd_buf b;
	enum fd_status rc;

	fd_buf_init(&b);
	upsert_sql(&b, CACHE_COLS_CONF, with_seen);
	rc = prepare_sql(c, &b, &w->upsert_conf, err);
	if (rc == FD_OK) {
		upsert_sql(&b, CACHE_COLS_ALL, with_seen);
		rc = prepare_sql(c, &b, &w->upsert_full, err);
	}
	if (rc == FD_OK) {
		fd_buf_puts(&b, "SELECT \"id\" FROM \"functions\" WHERE \"ctx_id\" = ?1 AND "
		                "\"name\" = ?2");
		rc = prepare_sql(c, &b, &w->id, err);
	}
	if (rc == FD_OK)
		rc = prepare_children(c, w, &b, err);
	fd_buf_free(&b);
	return rc;
}

/* Replaces the rows of one child table of fn_id by fn's array. */
static enum fd_status
put_children(struct fd_cache *c, struct fn_writer *w, size_t ci, int64_t fn_id,
             const struct fd_function *fn, struct fd_err *err)
{
	const struct cache_child *ch = &cache_children[ci];
	union {
		struct fd_env env; /* the only scrubbed element today */
		struct fd_trigger trigger;
		struct fd_version version;
	} scratch;
	const char *arr;
	size_t n, i;
	enum fd_status rc;

	memcpy(&arr, (const char *)fn + ch->arr_off, sizeof(arr));
	memcpy(&n, (const char *)fn + ch->n_off, sizeof(n));
	sqlite3_bind_int64(w->del[ci], 1, fn_id);
	rc = cache_step_done(c, w->del[ci], err);
	for (i = 0; rc == FD_OK && arr && i < n; i++) {
		const void *elem = arr + i * ch->elem_size;
		if (ch->scrub)
			elem = ch->scrub(elem, &scratch);
		sqlite3_bind_int64(w->ins[ci], 1, fn_id);
		sqlite3_bind_int64(w->ins[ci], 2, (sqlite3_int64)i);
		if (cache_bind_cols(w->ins[ci], 3, ch->table, elem) != SQLITE_OK)
			rc = cache_fail(c, err);
		else
			rc = cache_step_done(c, w->ins[ci], err);
	}
	return rc;
}

/* Upserts fn; a record without detail leaves stored detail columns and tables alone. */
static enum fd_status
put_one(struct fd_cache *c, struct fn_writer *w, int64_t ctx_id, int64_t seen,
        const struct fd_function *fn, struct fd_err *err)
{
	sqlite3_stmt *up = fn->detail_loaded ? w->upsert_full : w->upsert_conf;
	int64_t fn_id = 0;
	enum fd_status rc;
	size_t i;

	if (!fn->name || !*fn->name)
		return fd_err_set(err, FD_EINVAL, "cache %s: a function without a name", c->path);
	sqlite3_bind_int64(up, 1, ctx_id);
	sqlite3_bind_text(up, 2, fn->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(up, 3, seen);
	if (cache_bind_cols(up, 4, &cache_t_functions, fn) != SQLITE_OK)
		return cache_fail(c, err);
	rc = cache_step_done(c, up, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(w->id, 1, ctx_id);
	sqlite3_bind_text(w->id, 2, fn->name, -1, SQLITE_STATIC);
	rc = cache_query_int(c, w->id, 0, &fn_id, err);
	for (i = 0; rc == FD_OK && i < CACHE_NCHILDREN; i++)
		if (!cache_children[i].detail || fn->detail_loaded)
			rc = put_children(c, w, i, fn_id, fn, err);
	return rc;
}

/* The functions one write transaction puts, and a listing's mark. */
struct fn_put {
	const struct fd_function *fns;
	size_t n;
	int64_t mark;
};

/* Puts p's functions at mark seen; with_seen moves an existing row's mark too. */
static enum fd_status
put_all(struct fd_cache *c, int64_t ctx_id, int64_t seen, int with_seen, const struct fn_put *p,
        struct fd_err *err)
{
	struct fn_writer w;
	enum fd_status rc = writer_prepare(c, &w, with_seen, err);
	size_t i;

	for (i = 0; rc == FD_OK && i < p->n; i++)
		rc = put_one(c, &w, ctx_id, seen, &p->fns[i], err);
	return rc;
}

static enum fd_status
put_functions_tx(struct fd_cache *c, int64_t ctx_id, void *ud, struct fd_err *err)
{
	int64_t seen = 0;
	enum fd_status rc = cache_next_seen(c, "functions", ctx_id, &seen, err);

	if (rc == FD_OK)
		rc = put_all(c, ctx_id, seen, 1, ud, err);
	if (rc == FD_OK)
		rc = cache_sweep(c, "functions", ctx_id, seen, err);
	return rc;
}

enum fd_status
fd_cache_put_functions(struct fd_cache *c, const struct fd_ctx *ctx, const struct fd_function *fns,
                       size_t n, struct fd_err *err)
{
	struct fn_put p = {.fns = fns, .n = n};

	return cache_write(c, ctx, put_functions_tx, &p, err);
}

enum fd_status
fd_cache_listing_begin(struct fd_cache *c, const struct fd_ctx *ctx, int64_t *mark,
                       struct fd_err *err)
{
	int64_t ctx_id = 0;
	enum fd_status rc = cache_ctx_id(c, ctx, 1, &ctx_id, err);

	*mark = 0;
	if (rc == FD_OK)
		rc = cache_next_seen(c, "functions", ctx_id, mark, err);
	return rc;
}

static enum fd_status
listing_page_tx(struct fd_cache *c, int64_t ctx_id, void *ud, struct fd_err *err)
{
	const struct fn_put *p = ud;

	return put_all(c, ctx_id, p->mark, 1, p, err);
}

enum fd_status
fd_cache_listing_page(struct fd_cache *c, const struct fd_ctx *ctx, int64_t mark,
                      const struct fd_function *fns, size_t n, struct fd_err *err)
{
	struct fn_put p = {.fns = fns, .n = n, .mark = mark};

	return cache_write(c, ctx, listing_page_tx, &p, err);
}

/* Older marks only: a listing begun later by another process keeps its rows. */
enum fd_status
fd_cache_listing_end(struct fd_cache *c, const struct fd_ctx *ctx, int64_t mark,
                     struct fd_err *err)
{
	sqlite3_stmt *st;
	int64_t ctx_id = 0;
	enum fd_status rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);

	if (rc != FD_OK || !ctx_id)
		return rc;
	rc = cache_stmt(c, "DELETE FROM functions WHERE ctx_id = ?1 AND seen < ?2", &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_int64(st, 2, mark);
	return cache_step_done(c, st, err);
}

/* A new row joins the latest listing's generation; it goes at the next listing if that
 * one lacks it. */
static enum fd_status
put_function_tx(struct fd_cache *c, int64_t ctx_id, void *ud, struct fd_err *err)
{
	int64_t seen = 0;
	enum fd_status rc = cache_next_seen(c, "functions", ctx_id, &seen, err);

	if (rc == FD_OK)
		rc = put_all(c, ctx_id, seen - 1, 0, ud, err);
	return rc;
}

enum fd_status
fd_cache_put_function(struct fd_cache *c, const struct fd_ctx *ctx, const struct fd_function *fn,
                      struct fd_err *err)
{
	struct fn_put p = {.fns = fn, .n = 1};

	return cache_write(c, ctx, put_function_tx, &p, err);
}

static int
index_cmp(const void *a, const void *b)
{
	const struct fn_index *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int
fn_name_cmp(const void *a, const void *b)
{
	const struct fd_function *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static enum fd_status
step_rows_done(struct fd_cache *c, sqlite3_stmt *st, int src, struct fd_err *err)
{
	enum fd_status rc = src == SQLITE_DONE ? FD_OK : cache_fail(c, err);

	sqlite3_reset(st);
	return rc;
}

/* Room for want records (zeroed), grown geometrically. */
static void
list_reserve(struct fn_list *l, size_t want)
{
	size_t cap;

	if (want <= l->cap)
		return;
	cap = FD_MAX(want, l->cap * 2);
	l->fns = fd_xreallocarray(l->fns, cap, sizeof(*l->fns));
	l->idx = fd_xreallocarray(l->idx, cap, sizeof(*l->idx));
	memset(l->fns + l->cap, 0, (cap - l->cap) * sizeof(*l->fns));
	l->cap = cap;
}

/* Appends the function of st's row (id, name, then the functions columns); the caller
 * reserved room. */
static void
list_read_row(struct fn_list *l, sqlite3_stmt *st)
{
	const char *text = (const char *)sqlite3_column_text(st, 1);

	l->idx[l->n].id = sqlite3_column_int64(st, 0);
	l->idx[l->n].at = l->n;
	l->fns[l->n].name = fd_xstrdup(text ? text : "");
	cache_read_cols(st, 2, &cache_t_functions, &l->fns[l->n]);
	l->n++;
}

/* Sizes the list for every function of ctx at once: no doubling of 10,000 records. */
static enum fd_status
list_presize(struct fd_cache *c, int64_t ctx_id, struct fn_list *l, struct fd_err *err)
{
	sqlite3_stmt *st;
	int64_t n = 0;
	enum fd_status rc;

	rc = cache_stmt(c, "SELECT count(*) FROM functions WHERE ctx_id = ?1", &st, err);
	if (rc == FD_OK) {
		sqlite3_bind_int64(st, 1, ctx_id);
		rc = cache_query_int(c, st, 0, &n, err);
	}
	if (rc == FD_OK && n > 0)
		list_reserve(l, (size_t)n);
	return rc;
}

static enum fd_status
load_functions(struct fd_cache *c, int64_t ctx_id, const char *name, struct fn_list *l,
               struct fd_err *err)
{
	struct fd_buf sql;
	sqlite3_stmt *st;
	enum fd_status rc;
	int src;

	if (!name && (rc = list_presize(c, ctx_id, l, err)) != FD_OK)
		return rc;
	fd_buf_init(&sql);
	fd_buf_puts(&sql, "SELECT \"id\", \"name\"");
	cache_sql_cols(&sql, &cache_t_functions, NULL, CACHE_COLS_ALL);
	/* A whole context: one scan in rowid order (sorted by name afterwards) reads the
	 * table several times faster than walking the name index row by row. */
	if (name)
		fd_buf_puts(&sql, " FROM \"functions\" WHERE \"ctx_id\" = ?1 AND \"name\" = ?2");
	else
		fd_buf_puts(&sql, " FROM \"functions\" WHERE +\"ctx_id\" = ?1");
	rc = prepare_sql(c, &sql, &st, err);
	fd_buf_free(&sql);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	if (name)
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		list_reserve(l, l->n + 1);
		list_read_row(l, st);
	}
	return step_rows_done(c, st, src, err);
}

/* Appends one zeroed element to the child array of f; returns it. */
static void *
child_append(struct fd_function *f, const struct cache_child *ch)
{
	char *base = (char *)f;
	char *arr;
	size_t n;

	memcpy(&arr, base + ch->arr_off, sizeof(arr));
	memcpy(&n, base + ch->n_off, sizeof(n));
	arr = cache_grow(arr, n, ch->elem_size);
	memcpy(base + ch->arr_off, &arr, sizeof(arr));
	n++;
	memcpy(base + ch->n_off, &n, sizeof(n));
	return arr + (n - 1) * ch->elem_size;
}

/* Steps st (c."fn_id" then ch's columns) to its end, appending each row to the
 * children of its function in l (rows of functions not in l are dropped). */
static enum fd_status
read_children(struct fd_cache *c, const struct cache_child *ch, sqlite3_stmt *st,
              struct fn_list *l, struct fd_err *err)
{
	struct fn_index key = {0, 0}, *hit;
	int src;

	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		key.id = sqlite3_column_int64(st, 0);
		hit = bsearch(&key, l->idx, l->n, sizeof(*l->idx), index_cmp);
		if (hit)
			cache_read_cols(st, 1, ch->table, child_append(&l->fns[hit->at], ch));
	}
	return step_rows_done(c, st, src, err);
}

static enum fd_status
load_children(struct fd_cache *c, const struct cache_child *ch, int64_t ctx_id, const char *name,
              struct fn_list *l, struct fd_err *err)
{
	struct fd_buf sql;
	sqlite3_stmt *st;
	enum fd_status rc;

	fd_buf_init(&sql);
	fd_buf_puts(&sql, "SELECT c.\"fn_id\"");
	cache_sql_cols(&sql, ch->table, "c", CACHE_COLS_ALL);
	/* A whole context: the child table in key order, rows of other contexts dropped by
	 * the id lookup below (cheaper than a join seeking every row's function). */
	if (name)
		fd_buf_printf(&sql,
		              " FROM \"%s\" c JOIN \"functions\" f ON f.\"id\" = c.\"fn_id\" "
		              "WHERE f.\"ctx_id\" = ?1 AND f.\"name\" = ?2 ORDER BY c.\"fn_id\", "
		              "c.\"seq\"",
		              ch->table->name);
	else
		fd_buf_printf(&sql, " FROM \"%s\" c ORDER BY c.\"fn_id\", c.\"seq\"",
		              ch->table->name);
	rc = prepare_sql(c, &sql, &st, err);
	fd_buf_free(&sql);
	if (rc != FD_OK)
		return rc;
	if (name) {
		sqlite3_bind_int64(st, 1, ctx_id);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	}
	return read_children(c, ch, st, l, err);
}

/* Reads functions and children in one read transaction: one consistent snapshot even
 * while another process writes. */
static enum fd_status
load(struct fd_cache *c, const struct fd_ctx *ctx, const char *name, struct fn_list *l,
     struct fd_err *err)
{
	int64_t ctx_id = 0;
	enum fd_status rc = cache_begin_read(c, err);
	size_t i;

	if (rc == FD_OK)
		rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);
	if (rc == FD_OK && ctx_id)
		rc = load_functions(c, ctx_id, name, l, err);
	if (l->n)
		qsort(l->idx, l->n, sizeof(*l->idx), index_cmp);
	for (i = 0; rc == FD_OK && l->n && i < CACHE_NCHILDREN; i++)
		rc = load_children(c, &cache_children[i], ctx_id, name, l, err);
	if (rc == FD_OK)
		rc = cache_commit(c, err);
	if (rc != FD_OK)
		cache_rollback(c);
	if (rc == FD_OK && l->n > 1)
		qsort(l->fns, l->n, sizeof(*l->fns), fn_name_cmp);
	free(l->idx);
	l->idx = NULL;
	return rc;
}

enum fd_status
fd_cache_get_functions(struct fd_cache *c, const struct fd_ctx *ctx, struct fd_function **out,
                       size_t *n, int64_t *oldest_ms, struct fd_err *err)
{
	struct fn_list l = {NULL, NULL, 0, 0};
	enum fd_status rc = load(c, ctx, NULL, &l, err);
	int64_t oldest = 0;
	size_t i;

	*out = NULL;
	*n = 0;
	if (rc != FD_OK) {
		fd_functions_free(l.fns, l.n);
		return rc;
	}
	for (i = 0; i < l.n; i++)
		if (l.fns[i].fetched_ms > 0 && (!oldest || l.fns[i].fetched_ms < oldest))
			oldest = l.fns[i].fetched_ms;
	if (oldest_ms)
		*oldest_ms = oldest;
	*out = l.fns;
	*n = l.n;
	return FD_OK;
}

enum fd_status
fd_cache_get_function(struct fd_cache *c, const struct fd_ctx *ctx, const char *name,
                      struct fd_function *out, struct fd_err *err)
{
	struct fn_list l = {NULL, NULL, 0, 0};
	enum fd_status rc;

	memset(out, 0, sizeof(*out));
	if (!name)
		return fd_err_set(err, FD_EINVAL, "cache %s: no function name", c->path);
	rc = load(c, ctx, name, &l, err);
	if (rc == FD_OK && l.n == 0)
		rc = fd_err_set(err, FD_ENOTFOUND, "cache %s: function %s not cached for %s/%s/%s",
		                c->path, name, ctx->profile, ctx->account, ctx->region);
	if (rc == FD_OK) {
		*out = l.fns[0];
		free(l.fns);
		return FD_OK;
	}
	fd_functions_free(l.fns, l.n);
	return rc;
}

/* ---- streaming: functions in a chosen order, a chunk at a time ---- */

#define ITER_CHUNK FD_CACHE_FN_CHUNK

struct fd_cache_fn_iter {
	struct fd_cache *c;
	int64_t *ids;
	size_t nids, next;
	sqlite3_stmt *fn_st, *child_st[CACHE_NCHILDREN]; /* prepared at open */
};

/* Per order: what makes a value missing (sorted last) and the column. */
static const struct {
	const char *missing, *col;
} iter_orders[] = {
    [FD_CACHE_FN_BY_NAME] = {NULL, "name"},
    [FD_CACHE_FN_BY_RUNTIME] = {"\"runtime\" IS NULL", "runtime"},
    [FD_CACHE_FN_BY_MEMORY] = {"coalesce(\"memory_mb\", 0) <= 0", "memory_mb"},
    [FD_CACHE_FN_BY_TIMEOUT] = {"coalesce(\"timeout_s\", 0) <= 0", "timeout_s"},
    [FD_CACHE_FN_BY_MODIFIED] = {"\"last_modified\" IS NULL", "last_modified"},
};

static enum fd_status
iter_ids(struct fd_cache_fn_iter *it, int64_t ctx_id, enum fd_cache_fn_order by, int desc,
         struct fd_err *err)
{
	struct fd_buf sql;
	sqlite3_stmt *st;
	enum fd_status rc;
	size_t cap = 0;
	int src;

	fd_buf_init(&sql);
	fd_buf_puts(&sql, "SELECT \"id\" FROM \"functions\" WHERE \"ctx_id\" = ?1 ORDER BY ");
	if (iter_orders[by].missing)
		fd_buf_printf(&sql, "(%s), ", iter_orders[by].missing);
	fd_buf_printf(&sql, "\"%s\" %s", iter_orders[by].col, desc ? "DESC" : "ASC");
	if (iter_orders[by].missing)
		fd_buf_puts(&sql, ", \"name\"");
	rc = prepare_sql(it->c, &sql, &st, err);
	fd_buf_free(&sql);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		if (it->nids == cap) {
			cap = cap ? cap * 2 : 1024;
			it->ids = fd_xreallocarray(it->ids, cap, sizeof(*it->ids));
		}
		it->ids[it->nids++] = sqlite3_column_int64(st, 0);
	}
	return step_rows_done(it->c, st, src, err);
}

/* "(?1, ?2, ... ?ITER_CHUNK)": unused slots stay NULL and match nothing. */
static void
in_list(struct fd_buf *b)
{
	int i;

	fd_buf_puts(b, "(");
	for (i = 1; i <= ITER_CHUNK; i++)
		fd_buf_printf(b, "%s?%d", i > 1 ? ", " : "", i);
	fd_buf_puts(b, ")");
}

static enum fd_status
chunk_prepare(struct fd_cache *c, const struct cache_table *t, sqlite3_stmt **st,
              struct fd_err *err)
{
	struct fd_buf sql;
	enum fd_status rc;

	fd_buf_init(&sql);
	if (t == &cache_t_functions) {
		fd_buf_puts(&sql, "SELECT \"id\", \"name\"");
		cache_sql_cols(&sql, t, NULL, CACHE_COLS_ALL);
		fd_buf_puts(&sql, " FROM \"functions\" WHERE \"id\" IN ");
	} else {
		fd_buf_puts(&sql, "SELECT \"fn_id\"");
		cache_sql_cols(&sql, t, NULL, CACHE_COLS_ALL);
		fd_buf_printf(&sql, " FROM \"%s\" WHERE \"fn_id\" IN ", t->name);
	}
	in_list(&sql);
	if (t != &cache_t_functions)
		fd_buf_puts(&sql, " ORDER BY \"fn_id\", \"seq\"");
	rc = prepare_sql(c, &sql, st, err);
	fd_buf_free(&sql);
	return rc;
}

/* Binds the chunk's ids to a statement prepared by chunk_prepare. */
static void
chunk_bind(sqlite3_stmt *st, const int64_t *ids, size_t k)
{
	size_t i;

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	for (i = 0; i < k; i++)
		sqlite3_bind_int64(st, (int)i + 1, ids[i]);
}

static enum fd_status
chunk_functions(struct fd_cache *c, sqlite3_stmt *st, const int64_t *ids, size_t k,
                struct fn_list *l, struct fd_err *err)
{
	int src;

	chunk_bind(st, ids, k);
	list_reserve(l, k);
	while ((src = sqlite3_step(st)) == SQLITE_ROW && l->n < k) {
		list_read_row(l, st);
	}
	return step_rows_done(c, st, src == SQLITE_ROW ? SQLITE_DONE : src, err);
}

static enum fd_status
chunk_children(struct fd_cache *c, const struct cache_child *ch, sqlite3_stmt *st,
               const int64_t *ids, size_t k, struct fn_list *l, struct fd_err *err)
{
	chunk_bind(st, ids, k);
	return read_children(c, ch, st, l, err);
}

/* The chunk's records in the iterator's order (rows deleted meanwhile are skipped). */
static struct fd_function *
chunk_ordered(struct fn_list *l, const int64_t *ids, size_t k, size_t *n)
{
	struct fd_function *out = fd_xcalloc(k ? k : 1, sizeof(*out));
	struct fn_index key = {0, 0}, *hit;
	size_t i;

	*n = 0;
	for (i = 0; i < k; i++) {
		key.id = ids[i];
		hit = bsearch(&key, l->idx, l->n, sizeof(*l->idx), index_cmp);
		if (hit)
			out[(*n)++] = l->fns[hit->at];
	}
	return out;
}

enum fd_status
fd_cache_fn_iter_open(struct fd_cache *c, const struct fd_ctx *ctx, enum fd_cache_fn_order by,
                      int desc, struct fd_cache_fn_iter **out, struct fd_err *err)
{
	struct fd_cache_fn_iter *it;
	int64_t ctx_id = 0;
	enum fd_status rc;
	size_t i;

	*out = NULL;
	if ((unsigned)by >= FD_ARRAY_LEN(iter_orders))
		return fd_err_set(err, FD_EINVAL, "cache %s: no such function order", c->path);
	it = fd_xcalloc(1, sizeof(*it));
	it->c = c;
	rc = cache_ctx_id(c, ctx, 0, &ctx_id, err);
	if (rc == FD_OK && ctx_id)
		rc = iter_ids(it, ctx_id, by, desc, err);
	if (rc == FD_OK)
		rc = chunk_prepare(c, &cache_t_functions, &it->fn_st, err);
	for (i = 0; rc == FD_OK && i < CACHE_NCHILDREN; i++)
		rc = chunk_prepare(c, cache_children[i].table, &it->child_st[i], err);
	if (rc != FD_OK) {
		fd_cache_fn_iter_close(it);
		return rc;
	}
	*out = it;
	return FD_OK;
}

enum fd_status
fd_cache_fn_iter_next(struct fd_cache_fn_iter *it, struct fd_function **out, size_t *n,
                      struct fd_err *err)
{
	struct fn_list l = {NULL, NULL, 0, 0};
	const int64_t *ids = it->ids + it->next;
	size_t k = FD_MIN((size_t)ITER_CHUNK, it->nids - it->next), i;
	enum fd_status rc;

	*out = NULL;
	*n = 0;
	if (!k)
		return FD_OK;
	rc = cache_begin_read(it->c, err);
	if (rc == FD_OK)
		rc = chunk_functions(it->c, it->fn_st, ids, k, &l, err);
	if (l.n)
		qsort(l.idx, l.n, sizeof(*l.idx), index_cmp);
	for (i = 0; rc == FD_OK && l.n && i < CACHE_NCHILDREN; i++)
		rc = chunk_children(it->c, &cache_children[i], it->child_st[i], ids, k, &l, err);
	if (rc == FD_OK)
		rc = cache_commit(it->c, err);
	if (rc != FD_OK) {
		cache_rollback(it->c);
		fd_functions_free(l.fns, l.n);
	} else {
		*out = chunk_ordered(&l, ids, k, n);
		free(l.fns);
		it->next += k;
	}
	free(l.idx);
	return rc;
}

void
fd_cache_fn_iter_close(struct fd_cache_fn_iter *it)
{
	if (!it)
		return;
	free(it->ids);
	free(it);
}
