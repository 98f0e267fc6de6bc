// SPDX-License-Identifier: BSD-3-Clause
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "address.h"

static bool hex_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* "BB?DD.F" where ? is a dot or a colon: seven characters, exactly. */
static bool bus_dev_fn(const char *s)
{
	return strlen(s) == 7 && hex_digits(s, 2) && (s[2] == '.' || s[2] == ':') &&
	       hex_digits(s + 3, 2) && s[5] == '.' && s[6] >= '0' && s[6] <= '7';
}

static int copy_out(char *out, size_t outlen, const char *name, char *err, size_t errlen,
		    const char *fmt, const char *a, const char *b)
{
	if ((size_t)snprintf(out, outlen, fmt, a, b) >= outlen) {
		snprintf(err, errlen,
			 "'%s' is too long for a controller address (at most %zu bytes)", name,
			 outlen - 1);
		return -ENAMETOOLONG;
	}
	return 0;
}

int nvfe_address(const char *name, char *out, size_t outlen, char *err, size_t errlen)
{
	static const char *const prefixes[] = {"sim", "vfio-user"};
	char pci[16];
	size_t n;

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		n = strlen(prefixes[i]);
		if (strncmp(name, prefixes[i], n))
			continue;
		if (name[n] == '\0' && i == 0)
			return copy_out(out, outlen, name, err, errlen, "%s:%s", "sim", "");
		if (name[n] == '.' || name[n] == ':')
			return copy_out(out, outlen, name, err, errlen, "%s:%s", prefixes[i],
					name + n + 1);
	}

	if (strlen(name) == 12 && hex_digits(name, 4) && (name[4] == '.' || name[4] == ':') &&
	    bus_dev_fn(name + 5))
		snprintf(pci, sizeof(pci), "%.4s:%.2s:%.2s.%c", name, name + 5, name + 8, name[11]);
	else if (bus_dev_fn(name))
		snprintf(pci, sizeof(pci), "0000:%.2s:%.2s.%c", name, name + 3, name[6]);
	else {
		snprintf(err, errlen,
			 "'%s' is not an nvfio target: give a PCI address with dots for its colons "
			 "(filename=0000.01.00.0) or the simulated controller (filename=sim or "
			 "sim.size=1G); fio splits filenames at colons",
			 name);
		return -EINVAL;
	}
	for (char *p = pci; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return copy_out(out, outlen, name, err, errlen, "%s%s", pci, "");
}
