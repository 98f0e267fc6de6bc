/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shadow doorbell rule (Doorbell Buffer Config): a doorbell moving from @old to @new must be
 * written to the register when it passes the controller's event index, that is when the index
 * is one of the entries old, old + 1, ..., new - 1 of the ring. nvf_queue_need_event() computes that
 * with 16-bit arithmetic although ring indexes wrap at the ring's size; checked here against the
 * rule walked entry by entry, for every old index, move and event index of rings of several
 * sizes, wrapping included.
 */
#include "nvme/queue.h"

#include "common/test.h"

/* Whether @ei is one of the @moved entries from @old on, in a ring of @n entries. */
static int passes(unsigned int n, unsigned int old, unsigned int moved, unsigned int ei)
{
	return (ei + n - old) % n < moved;
}

int main(void)
{
	static const unsigned int sizes[] = {2, 3, 17, 256, 1025, 4096, 65535};
	unsigned long checked = 0;
	unsigned int s;

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		unsigned int n = sizes[s], old, moved, ei;
		/* Exhaustive on small rings, a stride on large ones. */
		unsigned int step = n > 5000 ? 997 : n > 2000 ? 31 : n > 300 ? 5 : 1;

		for (old = 0; old < n; old += step)
			for (moved = 0; moved < n; moved += step)
				for (ei = 0; ei < n; ei += step) {
					unsigned int new_idx = (old + moved) % n;
					int want = passes(n, old, moved, ei);
					int got = nvf_queue_need_event((uint16_t)ei, (uint16_t)new_idx,
								    (uint16_t)old);

					if (got != want) {
						fprintf(stderr,
							"ring of %u: %u -> %u with event index "
							"%u: %d, expected %d\n",
							n, old, new_idx, ei, got, want);
						return T_EXIT_FAIL;
					}
					checked++;
				}
	}
	printf("%lu doorbell moves checked\n", checked);
	return T_EXIT_PASS;
}
