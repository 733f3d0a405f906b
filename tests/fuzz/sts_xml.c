/* Fuzz target: the XML reader and the STS answer parsers. Failures leave the
 * outputs empty; successes hold NUL-terminated, bounded fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/sts.h"
#include "fleetdeck/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *xml = (const char *)data;
	struct xml_node *root = NULL;
	struct sts_identity id;
	struct aws_creds c;
	struct fd_err err;

	if (xml_parse(xml, size, &root, &err) == FD_OK) {
		(void)xml_find(root, "Credentials");
		(void)xml_path_text(root, "Error/Code");
		xml_free(root);
	} else if (root) {
		abort();
	}
	if (sts_parse_identity(xml, size, &id, &err) == FD_OK) {
		if (!id.account[0] || strlen(id.arn) >= sizeof(id.arn))
			abort();
	} else if (id.account[0] || id.arn[0]) {
		abort();
	}
	if (sts_parse_credentials(xml, size, &c, &err) == FD_OK) {
		if (!c.access_key || !c.secret_key || !c.session_token || c.expiration <= 0)
			abort();
		aws_creds_free(&c);
	} else if (c.access_key || c.secret_key || c.session_token) {
		abort();
	}
	(void)sts_parse_error(xml, size, &err);
	return 0;
}
