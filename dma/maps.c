/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dma/maps.h"
#include "support/error.h"

/* A line of maps: "start-end perms offset dev inode path", the addresses in hex. */
struct maps_line {
	uint64_t start, end;
	char perms[5];
};

/* Hex digits at *@p up to @lim into *@v; false when there are none or they overflow. */
static bool parse_hex(const char **p, const char *lim, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	while (s < lim) {
		char c = *s;
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			break;
		if (x >> 60)
			return false;
		x = x << 4 | d;
		s++;
	}
	if (s == *p)
		return false;
	*p = s;
	*v = x;
	return true;
}

/* The line [@p, @lim) (no newline), or false if it is not one of maps. */
static bool parse_line(const char *p, const char *lim, struct maps_line *l)
{
	if (!parse_hex(&p, lim, &l->start) || p == lim || *p++ != '-' ||
	    !parse_hex(&p, lim, &l->end) || p == lim || *p++ != ' ' || lim - p < 4)
		return false;
	memcpy(l->perms, p, 4);
	l->perms[4] = '\0';
	p += 4;
	return l->start < l->end && (p == lim || *p == ' ');
}

static int gap_at(struct nvf_dma_maps_gap *gap, uint64_t start, uint64_t end, const char *perms)
{
	gap->start = start;
	gap->end = end;
	size_t n = strnlen(perms, sizeof(gap->perms) - 1);

	memcpy(gap->perms, perms, n);
	gap->perms[n] = '\0';
	return -EFAULT;
}

int nvf_dma_maps_check(const char *text, size_t len, uint64_t start, uint64_t end,
		       struct nvf_dma_maps_gap *gap)
{
	const char *p = text, *lim = text + len;
	uint64_t cursor = start, prev_end = 0;

	if (start >= end)
		return -EINVAL;
	while (p < lim) {
		const char *eol = memchr(p, '\n', (size_t)(lim - p));
		struct maps_line l;

		if (!eol)
			eol = lim;
		if (parse_line(p, eol, &l) && l.start >= prev_end) {
			prev_end = l.end;
			if (l.end > cursor) {
				if (l.start > cursor)
					return gap_at(gap, cursor, l.start < end ? l.start : end,
						      "");
				if (l.perms[0] != 'r' || l.perms[1] != 'w')
					return gap_at(gap, cursor, l.end < end ? l.end : end,
						      l.perms);
				cursor = l.end;
				if (cursor >= end)
					return 0;
			}
		}
		p = eol + 1;
	}
	return gap_at(gap, cursor, end, "");
}

/* The whole of /proc/self/maps, in a buffer the caller frees. 0 or -errno. */
static int read_maps(char **out, size_t *out_len)
{
	size_t cap = 64 << 10, len = 0;
	char *buf = malloc(cap);
	int fd, err;

	if (!buf)
		return nvf_err(-ENOMEM, "out of memory reading /proc/self/maps");
	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		free(buf);
		return nvf_err(err, "cannot open /proc/self/maps to check memory for DMA: %s",
			       strerror(-err));
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *more = realloc(buf, cap * 2);

			if (!more) {
				err = nvf_err(-ENOMEM, "out of memory reading /proc/self/maps");
				goto err;
			}
			buf = more;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = nvf_err(-errno,
				      "cannot read /proc/self/maps to check memory for "
				      "DMA: %s",
				      strerror(errno));
			goto err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	*out = buf;
	*out_len = len;
	return 0;

err:
	close(fd);
	free(buf);
	return err;
}

int nvf_dma_maps_check_self(const void *vaddr, size_t len)
{
	uint64_t start = (uintptr_t)vaddr;
	struct nvf_dma_maps_gap gap;
	size_t text_len = 0;
	char *text = NULL;
	int ret;

	ret = read_maps(&text, &text_len);
	if (ret < 0)
		return ret;
	ret = nvf_dma_maps_check(text, text_len, start, start + len, &gap);
	free(text);
	if (ret == -EINVAL)
		return nvf_err(ret, "cannot check the empty range [%p, +%zu) for DMA", vaddr, len);
	if (ret == 0)
		return 0;
	if (!gap.perms[0])
		return nvf_err(ret,
			       "[%p, %p) is not mapped: a device cannot read or write it; register "
			       "memory that is mapped readable and writable",
			       (void *)(uintptr_t)gap.start, (void *)(uintptr_t)gap.end);
	return nvf_err(ret,
		       "[%p, %p) is mapped %s, not readable and writable: a device writes into "
		       "memory it is given; register memory that is mapped readable and writable "
		       "(PROT_READ | PROT_WRITE)",
		       (void *)(uintptr_t)gap.start, (void *)(uintptr_t)gap.end, gap.perms);
}
