/* redrive_list.c - the redrive engine's containers: a ring of message pointers for
 * each stage and a hash map from message id to message, so a message received again
 * is found in whatever stage it is. */
#include <stdlib.h>
#include <string.h>

#include "redrive_int.h"

void
rd_list_push(struct rd_list *l, struct rd_msg *m)
{
	size_t i, old;

	if (l->n == l->cap) {
		old = l->cap;
		l->cap = old ? old * 2 : 16;
		l->v = fd_xreallocarray(l->v, l->cap, sizeof(*l->v));
		/* unwrap: the part that wrapped to the start goes after the old end */
		for (i = 0; i < l->head; i++)
			l->v[old + i] = l->v[i];
	}
	l->v[(l->head + l->n) % l->cap] = m;
	l->n++;
	m->in_list = 1;
}

void
rd_list_push_front(struct rd_list *l, struct rd_msg *m)
{
	rd_list_push(l, m);
	/* rotate the new last element to the front */
	l->n--;
	l->head = (l->head + l->cap - 1) % l->cap;
	l->v[l->head] = m;
	l->n++;
}

struct rd_msg *
rd_list_pop(struct rd_list *l)
{
	struct rd_msg *m;

	if (!l->n)
		return NULL;
	m = l->v[l->head];
	l->head = (l->head + 1) % l->cap;
	l->n--;
	m->in_list = 0;
	return m;
}

struct rd_msg *
rd_list_peek(const struct rd_list *l, size_t i)
{
	return i < l->n ? l->v[(l->head + i) % l->cap] : NULL;
}

void
rd_list_free(struct rd_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- map ---- */

static size_t
hash(const char *s)
{
	size_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static size_t
slot_of(const struct rd_map *m, const char *id)
{
	size_t i = hash(id) & (m->cap - 1);

	while (m->slots[i] && strcmp(m->slots[i]->m.id, id) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

struct rd_msg *
rd_map_get(const struct rd_map *m, const char *id)
{
	return m->cap && id ? m->slots[slot_of(m, id)] : NULL;
}

static void
grow(struct rd_map *m)
{
	struct rd_msg **old = m->slots;
	size_t oldcap = m->cap, i;

	m->cap = oldcap ? oldcap * 2 : 64;
	m->slots = fd_xcalloc(m->cap, sizeof(*m->slots));
	for (i = 0; i < oldcap; i++)
		if (old[i])
			m->slots[slot_of(m, old[i]->m.id)] = old[i];
	free(old);
}

void
rd_map_put(struct rd_map *m, struct rd_msg *msg)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	i = slot_of(m, msg->m.id);
	if (!m->slots[i])
		m->n++;
	m->slots[i] = msg;
}

/* Backward-shift deletion keeps probe chains intact. */
void
rd_map_del(struct rd_map *m, const char *id)
{
	size_t i, j, k;

	if (!m->cap)
		return;
	i = slot_of(m, id);
	if (!m->slots[i])
		return;
	m->slots[i] = NULL;
	m->n--;
	for (j = (i + 1) & (m->cap - 1); m->slots[j]; j = (j + 1) & (m->cap - 1)) {
		k = hash(m->slots[j]->m.id) & (m->cap - 1);
		if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
			m->slots[i] = m->slots[j];
			m->slots[j] = NULL;
			i = j;
		}
	}
}

void
rd_map_free(struct rd_map *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++) {
		if (m->slots[i]) {
			fd_sqs_msg_free(&m->slots[i]->m);
			free(m->slots[i]);
		}
	}
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

struct rd_msg *
rd_msg_new(struct fd_redrive *r, const struct fd_sqs_msg *src, enum fd_rm_state st)
{
	struct rd_msg *m = fd_xcalloc(1, sizeof(*m));

	fd_sqs_msg_copy(&m->m, src);
	m->state = st;
	rd_map_put(&r->map, m);
	return m;
}

void
rd_msg_forget(struct fd_redrive *r, struct rd_msg *m)
{
	rd_map_del(&r->map, m->m.id);
	fd_sqs_msg_free(&m->m);
	free(m);
}

void
rd_msg_slim(struct rd_msg *m)
{
	struct fd_sqs_msg keep = {0};

	keep.id = m->m.id;
	keep.receipt = m->m.receipt;
	m->m.id = NULL;
	m->m.receipt = NULL;
	fd_sqs_msg_free(&m->m);
	m->m = keep;
}
