/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /proc/interrupts as the kernel may write it, searched for a VFIO MSI-X vector's host IRQ
 * (nvf_vfio_parse_interrupts()). The input: one byte, the vector; a line, the device's address
 * (any string: the parser must bound what it builds of it); the rest, the text. The answer is an
 * IRQ number an int holds, or -NVFIO_ENOIRQ.
 */
#include <limits.h>

#include <nvfio/error.h>

#include "fuzz/fuzz.h"
#include "vfio/vfio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	unsigned int vector = fuzz_byte(&in);
	char *addr = fuzz_part(&in, '\n');
	char *text = fuzz_str(&in);
	int irq;

	if (!addr)
		addr = strdup("0000:01:00.0");
	FUZZ_CHECK(addr);
	irq = nvf_vfio_parse_interrupts(text, addr, vector);
	FUZZ_CHECK(irq >= 0 || irq == -NVFIO_ENOIRQ);
	free(text);
	free(addr);
	return 0;
}
