/* SPDX-License-Identifier: BSD-3-Clause */
/* PCI addresses: both accepted forms come out canonical, everything else is -NVFIO_EBADADDR. */
#include <string.h>

#include <nvfio/vfio.h>

#include "common/test.h"

static void good(const char *in, const char *want)
{
	char out[NVFIO_PCI_ADDR_MAX];

	memset(out, 'x', sizeof(out));
	CHECK_OK(nvfio_pci_addr_parse(in, out));
	if (strcmp(out, want) != 0) {
		fprintf(stderr, "'%s' -> '%s', expected '%s'\n", in, out, want);
		exit(T_EXIT_FAIL);
	}
	CHECK_OK(nvfio_pci_addr_parse(in, NULL));
}

static void bad(const char *in)
{
	char out[NVFIO_PCI_ADDR_MAX];

	CHECK_ERR(nvfio_pci_addr_parse(in, out), -NVFIO_EBADADDR);
	/* The message quotes the input and shows the expected form. */
	CHECK(strstr(nvfio_last_error(), "DDDD:BB:DD.F") != NULL);
}

int main(void)
{
	good("0000:01:00.0", "0000:01:00.0");
	good("01:00.0", "0000:01:00.0");
	good("0000:AF:1F.7", "0000:af:1f.7");
	good("ab:0c.3", "0000:ab:0c.3");
	good("0001:00:02.1", "0001:00:02.1");
	/* VMD and other hosts use domains above 0xffff. */
	good("10000:e1:00.0", "10000:e1:00.0");
	good("ffffffff:ff:1f.7", "ffffffff:ff:1f.7");

	bad(NULL);
	bad("");
	bad("junk");
	bad("0000:01:00");
	bad("0000:01:00.");
	bad("0000:01:00.8"); /* function 0-7 */
	bad("0000:01:20.0"); /* device 0-0x1f */
	bad("0000:1:00.0");  /* bus is two digits */
	bad("0000:01:0.0");  /* device is two digits */
	bad("000:01:00.0");  /* domain is 4 to 8 digits */
	bad("100000000:01:00.0");
	bad("0000:01:00.0 "); /* no trailing junk */
	bad(" 0000:01:00.0");
	bad("0000:01:00.0\n");
	bad("0000:01:00.00");
	bad("0000-01-00.0");
	bad("0000:0g:00.0");
	bad("00:01:00:00.0");
	bad("/sys/bus/pci/devices/0000:01:00.0");
	return T_EXIT_PASS;
}
