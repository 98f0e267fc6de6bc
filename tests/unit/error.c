/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include "common/test.h"
#include "support/error.h"

int main(void)
{
	/* Every nvfio code has words of its own, negative or positive. */
	for (int e = NVFIO_EBASE + 1; e < NVFIO_ELAST; e++) {
		CHECK(strcmp(nvfio_strerror(-e), "unknown error") != 0);
		CHECK(strcmp(nvfio_strerror(-e), nvfio_strerror(e)) == 0);
	}
	CHECK(strcmp(nvfio_strerror(-ENOENT), strerror(ENOENT)) == 0);
	CHECK(strcmp(nvfio_strerror(NVFIO_ELAST + 5), "unknown error") == 0);

	/* Messages are kept per thread and returned as negative codes. */
	CHECK(nvf_err(ENOENT, "no %s", "thing") == -ENOENT);
	CHECK(nvf_err(-NVFIO_ENOTVFIO, "x") == -NVFIO_ENOTVFIO);
	CHECK(strcmp(nvfio_last_error(), "x") == 0);
	nvf_err_prefix("opening %s", "0000:01:00.0");
	CHECK(strcmp(nvfio_last_error(), "opening 0000:01:00.0: x") == 0);
	/* A long message is cut, never overrun. */
	char big[2000];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	nvf_err(EIO, "%s", big);
	CHECK(strlen(nvfio_last_error()) == 1023);
	nvf_err_prefix("p");
	CHECK(strncmp(nvfio_last_error(), "p: aaa", 6) == 0 && strlen(nvfio_last_error()) == 1023);
	nvf_err_prefix("%s", big);
	CHECK(strlen(nvfio_last_error()) == 1023);
	nvf_err_clear();
	CHECK(nvfio_last_error()[0] == '\0');
	return T_EXIT_PASS;
}
