/* SPDX-License-Identifier: BSD-3-Clause */
/* Finding the host IRQ of an MSI-X vector in /proc/interrupts text. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/test.h"
#include "vfio/vfio.h"

/* Five addresses in one: 60 characters. */
#define LONG_ADDR "0000:01:00.00000:01:00.00000:01:00.00000:01:00.00000:01:00.0"

static const char sample[] =
    "            CPU0       CPU1       \n"
    "   0:         29          0   IO-APIC   2-edge      timer\n"
    "  24:          0          0  IR-PCI-MSIX-0000:00:03.0    0-edge      virtio0-config\n"
    "  40:          7          0  IR-PCI-MSIX-0000:01:00.0    0-edge      "
    "vfio-msix[0](0000:01:00.0)\n"
    "  41:          0          3  IR-PCI-MSIX-0000:01:00.0    1-edge      "
    "vfio-msix[1](0000:01:00.0)\n"
    "  42:          0          0  IR-PCI-MSIX-0000:01:00.0   10-edge      "
    "vfio-msix[10](0000:01:00.0)\n"
    "  43:          0          0  IR-PCI-MSIX-0000:02:00.0    1-edge      "
    "vfio-msix[1](0000:02:00.0)\n"
    " 107:          0          0  PCI-MSI 1234-edge      other, vfio-msix[5](0000:01:00.0)\n"
    " NMI:          0          0   Non-maskable interrupts\n"
    " LOC:       9090       8080   Local timer interrupts\n"
    " ERR:          0\n";

int main(void)
{
	const struct nvf_vfio_root root = {.sys = "/nonexistent", .dev = "/nonexistent"};
	char dir[] = "/tmp/nvfio-irq-XXXXXX", path[64];
	struct nvf_vfio_root fake = root;
	FILE *f;

	CHECK(nvf_vfio_parse_interrupts(sample, "0000:01:00.0", 0) == 40);
	CHECK(nvf_vfio_parse_interrupts(sample, "0000:01:00.0", 1) == 41);
	/* vector 1 must not match vfio-msix[10] */
	CHECK(nvf_vfio_parse_interrupts(sample, "0000:01:00.0", 10) == 42);
	CHECK(nvf_vfio_parse_interrupts(sample, "0000:02:00.0", 1) == 43);
	/* a shared line lists several names */
	CHECK(nvf_vfio_parse_interrupts(sample, "0000:01:00.0", 5) == 107);
	CHECK(nvf_vfio_parse_interrupts(sample, "0000:01:00.0", 2) == -NVFIO_ENOIRQ);
	CHECK(nvf_vfio_parse_interrupts(sample, "0000:03:00.0", 0) == -NVFIO_ENOIRQ);
	/* a prefix of an address is not the address */
	CHECK(nvf_vfio_parse_interrupts(sample, "0000:01:00.", 0) == -NVFIO_ENOIRQ);
	CHECK(nvf_vfio_parse_interrupts("", "0000:01:00.0", 0) == -NVFIO_ENOIRQ);
	CHECK(nvf_vfio_parse_interrupts(" 12: vfio-msix[0](0000:01:00.0)", "0000:01:00.0", 0) ==
	      12);
	/* an IRQ number beyond int is no answer */
	CHECK(nvf_vfio_parse_interrupts(" 99999999999: vfio-msix[0](0000:01:00.0)\n",
					"0000:01:00.0", 0) == -NVFIO_ENOIRQ);
	/* the name must be whole: no longer vector, no longer address, no prefix */
	CHECK(nvf_vfio_parse_interrupts(" 12: xvfio-msix[0](0000:01:00.0)\n", "0000:01:00.0", 0) ==
	      -NVFIO_ENOIRQ);
	CHECK(nvf_vfio_parse_interrupts(" 12: vfio-msix[0](0000:01:00.0)x\n", "0000:01:00.0", 0) ==
	      -NVFIO_ENOIRQ);
	/* an address longer than any device's is no answer, not a read past the name built of it
	 * (found by fuzz.proc_interrupts) */
	CHECK(nvf_vfio_parse_interrupts(" 12: vfio-msix[0](" LONG_ADDR ")\n", LONG_ADDR, 0) ==
	      -NVFIO_ENOIRQ);
	/* no number before the colon: not an IRQ line */
	CHECK(nvf_vfio_parse_interrupts("LOC: vfio-msix[0](0000:01:00.0)\n", "0000:01:00.0", 0) ==
	      -NVFIO_ENOIRQ);

	/* The file reader, on a fake /proc. */
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/interrupts", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	/* Big enough to need several reads. */
	for (int i = 0; i < 3000; i++)
		fprintf(f, "%5d:          0          0  IO-APIC   2-edge      filler%d\n", 1000 + i,
			i);
	fputs(sample, f);
	fclose(f);
	fake.proc = dir;
	CHECK(nvf_vfio_msix_host_irq_at(&fake, "0000:01:00.0", 1) == 41);
	CHECK_ERR(nvf_vfio_msix_host_irq_at(&fake, "0000:01:00.0", 3), -NVFIO_ENOIRQ);
	CHECK(strstr(nvfio_last_error(), "vfio-msix[3](0000:01:00.0)") != NULL);
	unlink(path);
	rmdir(dir);

	fake.proc = "/nonexistent";
	CHECK(nvf_vfio_msix_host_irq_at(&fake, "0000:01:00.0", 1) == -ENOENT);
	CHECK(nvfio_vfio_msix_host_irq("junk", 0) == -NVFIO_EBADADDR);
	return T_EXIT_PASS;
}
