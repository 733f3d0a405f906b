/* test_util.c - the growable-array append the blocking forms collect pages with. */
#include <stdlib.h>

#include "fleetdeck/util.h"
#include "test.h"

TEST(util_array_append_pages)
{
	static const int a[] = {1, 2, 3}, b[] = {4, 5, 6, 7, 8};
	int *arr = NULL;
	size_t n = 0, cap = 0, i;

	arr = fd_array_append(arr, &n, &cap, a, 0, sizeof(*arr));
	CHECK(n == 0 && arr == NULL);
	arr = fd_array_append(arr, &n, &cap, a, 3, sizeof(*arr));
	CHECK(n == 3 && cap >= 3);
	arr = fd_array_append(arr, &n, &cap, b, 5, sizeof(*arr));
	arr = fd_array_append(arr, &n, &cap, a, 1, sizeof(*arr));
	REQUIRE(n == 9 && cap >= 9);
	for (i = 0; i < 8; i++)
		CHECK_INT(arr[i], (long long)i + 1);
	CHECK_INT(arr[8], 1);
	free(arr);
}
