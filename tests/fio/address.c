// SPDX-License-Identifier: BSD-3-Clause
/* The fio engine's filename syntax: what each spelling opens, and what is refused and why. */

#include <errno.h>

#include "common/test.h"
#include "address.h"

static void good(const char *name, const char *want)
{
	char out[64], err[256] = "";
	int r = nvfe_address(name, out, sizeof(out), err, sizeof(err));

	if (r || strcmp(out, want)) {
		fprintf(stderr, "'%s': got %d '%s' (%s), want '%s'\n", name, r, r ? "" : out, err,
			want);
		exit(T_EXIT_FAIL);
	}
}

static void bad(const char *name, int want, const char *words)
{
	char out[32] = "", err[256] = "";
	int r = nvfe_address(name, out, sizeof(out), err, sizeof(err));

	if (r != want || !strstr(err, words)) {
		fprintf(stderr, "'%s': got %d '%s', want %d and a message with '%s'\n", name, r,
			err, want, words);
		exit(T_EXIT_FAIL);
	}
}

int main(void)
{
	/* PCI functions: dots for fio, colons escaped for fio, any case, domain optional. */
	good("0000.01.00.0", "0000:01:00.0");
	good("0000:01:00.0", "0000:01:00.0");
	good("0000.01:00.0", "0000:01:00.0");
	good("01.00.0", "0000:01:00.0");
	good("01:00.0", "0000:01:00.0");
	good("ABCD.eF.1f.7", "abcd:ef:1f.7");
	/* The simulated controller: its options pass unchanged, colons included. */
	good("sim", "sim:");
	good("sim.", "sim:");
	good("sim:", "sim:");
	good("sim.size=1G", "sim:size=1G");
	good("sim.size=1G,lbads=4096,namespaces=2", "sim:size=1G,lbads=4096,namespaces=2");
	good("sim.fail=io:0x02:2:0x81:1", "sim:fail=io:0x02:2:0x81:1");
	good("vfio-user./run/ctrl.sock", "vfio-user:/run/ctrl.sock");

	/* What fio leaves of an unescaped PCI address, and what is no target at all. */
	bad("0000", -EINVAL, "dots for its colons");
	bad("01", -EINVAL, "0000.01.00.0");
	bad("00.0", -EINVAL, "not an nvfio target");
	bad("0000.01.00.8", -EINVAL, "not an nvfio target");
	bad("0000.01.00.0.1", -EINVAL, "not an nvfio target");
	bad("0000.01.0.0", -EINVAL, "not an nvfio target");
	bad("000g.01.00.0", -EINVAL, "not an nvfio target");
	bad("/dev/nvme0n1", -EINVAL, "sim.size=1G");
	bad("simulated", -EINVAL, "not an nvfio target");
	bad("", -EINVAL, "not an nvfio target");
	bad("sim.size=1G,lbads=4096,namespaces=2,more", -ENAMETOOLONG, "too long");
	printf("PASS\n");
	return T_EXIT_PASS;
}
