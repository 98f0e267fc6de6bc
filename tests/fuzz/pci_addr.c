/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device addresses as a user or a script writes them: the library's PCI address parser
 * (nvfio_pci_addr_parse()), the nvfio tool's (cli_pci_addr()), nvfio-perf's (the target's engine,
 * nvb_is_pci_address()) and the fio engine's filenames (nvfe_address()). The input is the string.
 * A canonical address parses to itself, and what the tool takes the library takes the same way.
 */
#include <nvfio/error.h>
#include <nvfio/vfio.h>

#include "address.h"
#include "engine.h"
#include "fuzz/fuzz.h"
#include "sysfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	char *s = fuzz_str(&in);
	char out[NVFIO_PCI_ADDR_MAX], again[NVFIO_PCI_ADDR_MAX], cli[CLI_PCI_ADDR_LEN];
	char fio[64], err[256];
	int lib = nvfio_pci_addr_parse(s, out);

	if (lib == 0) {
		FUZZ_CHECK(fuzz_terminated(out, sizeof(out)));
		FUZZ_CHECK(nvfio_pci_addr_parse(out, again) == 0 && !strcmp(out, again));
	} else {
		FUZZ_CHECK(lib == -NVFIO_EBADADDR);
	}
	if (cli_pci_addr(s, cli) == 0)
		FUZZ_CHECK(lib == 0 && !strcmp(cli, out));
	if (nvfe_address(s, fio, sizeof(fio), err, sizeof(err)) == 0)
		FUZZ_CHECK(fuzz_terminated(fio, sizeof(fio)));
	else
		FUZZ_CHECK(fuzz_terminated(err, sizeof(err)));
	(void)nvb_is_pci_address(s);
	(void)nvb_engine_for_target(s);
	free(s);
	return 0;
}
