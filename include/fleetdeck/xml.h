/* xml.h - a tiny, strict XML reader for the answers of query-protocol services
 * (STS): elements, character data, entities and CDATA. Attributes, namespaces
 * (prefixes are dropped) and processing instructions are skipped; DTDs are refused.
 * Text is wiped when the tree is freed because answers carry secrets. */
#ifndef FLEETDECK_XML_H
#define FLEETDECK_XML_H

#include <stddef.h>

#include "fleetdeck/status.h"

struct xml_node {
	char *name;               /* local name ("Arn"), namespace prefix removed */
	char *text;               /* decoded character data directly inside, never NULL */
	struct xml_node *parent;
	struct xml_node *child;   /* first child element */
	struct xml_node *last;    /* last child element */
	struct xml_node *next;    /* next sibling */
};

/* Parses a document (at most 1 MiB, 64 levels, 20000 elements). */
enum fd_status xml_parse(const char *text, size_t len, struct xml_node **out, struct fd_err *err);
void xml_free(struct xml_node *root);

/* First child element named name, or NULL. */
const struct xml_node *xml_child(const struct xml_node *n, const char *name);
/* Follows "A/B/C" from n's children (n itself is not matched). */
const struct xml_node *xml_path(const struct xml_node *n, const char *path);
/* Text of xml_path(n, path), or NULL when the element is absent. */
const char *xml_path_text(const struct xml_node *n, const char *path);
/* First element named name in n's subtree, depth first (n included). */
const struct xml_node *xml_find(const struct xml_node *n, const char *name);

#endif
