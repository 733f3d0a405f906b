/* coldstarts_int.h (private to the cold-start statistics) - the pieces the local
 * and the Logs Insights paths share. */
#ifndef FLEETDECK_COLDSTARTS_INT_H
#define FLEETDECK_COLDSTARTS_INT_H

#include "fleetdeck/coldstarts.h"

/* The inventory record of a function; NULL when unknown. */
const struct fd_function *cs_inventory_fn(const struct fd_function *fns, size_t n,
					  const char *name);
/* Rate, impact and INIT cost from the counts. */
void cs_finish_row(struct fd_coldstart_row *r, double price);
/* Highest impact first, then totals. */
void cs_sort_rows(struct fd_coldstarts *out);

#endif
