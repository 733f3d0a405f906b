/* global.c - process-wide set-up of the libraries aws/ owns (libcurl). */
#include <curl/curl.h>

#include "fleetdeck/awsglobal.h"

int
aws_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
aws_global_cleanup(void)
{
	curl_global_cleanup();
}
