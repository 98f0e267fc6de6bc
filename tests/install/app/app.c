/* SPDX-License-Identifier: BSD-3-Clause */
/* An application built out of tree against an installed nvfio. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nvfio/nvfio.h>

int main(void)
{
	const char *s = nvfio_strerror(-NVFIO_ENOTVFIO);

	printf("%s\n", s);
	return strcmp(s, "device not bound to vfio-pci") == 0 ? 0 : 1;
}
