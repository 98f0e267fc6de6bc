/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Write, read back and compare on the simulated controller: every size from one block to MDTS
 * and beyond it (split into several commands), buffers at page offsets so that PRP lists cross
 * their page boundaries, dword-aligned buffers that are not page aligned, vectored buffers (PRP
 * and SGL), Compare, Flush, Write Zeroes and Deallocate. Argument: the controller address
 * (default below).
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "nvme/nvme_test.h"

static struct nvfio_ctrl *ctrl;
static struct nvfio_qpair *qp;
static struct nvfio_ns *ns;
static uint32_t bs;
static uint8_t *wbuf, *rbuf;
static size_t buflen;

/* Write @len bytes from wbuf+@woff, read them into rbuf+@roff, compare. */
static void roundtrip(uint64_t lba, size_t len, size_t woff, size_t roff, uint32_t seed)
{
	uint32_t nlb = (uint32_t)(len / bs);
	uint16_t status = 0xffff;
	char what[96];

	t_fill(wbuf + woff, len, lba, seed);
	memset(rbuf + roff, 0xa5, len);
	CHECK_OK(nvfio_write_sync(qp, ns, wbuf + woff, lba, nlb, &status));
	CHECK(status == 0);
	CHECK_OK(nvfio_read_sync(qp, ns, rbuf + roff, lba, nlb, NULL));
	snprintf(what, sizeof(what), "%zu bytes at lba %llu (write +%zu, read +%zu)", len,
		 (unsigned long long)lba, woff, roff);
	CHECK(t_same(rbuf + roff, wbuf + woff, len, what));
}

static void test_sizes(void)
{
	uint32_t max_xfer = nvfio_ctrl_get_info(ctrl)->max_xfer;
	size_t len;

	/* Every power of two and its neighbours from one block to 4 x MDTS (split). */
	for (len = bs; len <= 4 * (size_t)max_xfer; len *= 2) {
		roundtrip(7, len, 0, 0, 1);
		if (len > bs)
			roundtrip(100, len - bs, 0, 0, 2);
		roundtrip(1000, len + bs, 0, 0, 3);
	}
	/* A request not a multiple of the command size, and odd counts. */
	roundtrip(3, 3 * (size_t)max_xfer + 5 * bs, 0, 0, 4);
	roundtrip(0, 37 * (size_t)bs, 0, 0, 5);
	printf("sizes %u .. %zu: ok\n", bs, 4 * (size_t)max_xfer + bs);
}

static void test_offsets(void)
{
	static const size_t offs[] = {4, 8, 64, 512, 2048, 4092, 4096 + 12, 3 * 4096 + 508};
	uint32_t max_xfer = nvfio_ctrl_get_info(ctrl)->max_xfer;
	size_t i;

	/* Dword-aligned buffers not on a page boundary: the first PRP entry has an offset and
	 * the list entries are pages; with a transfer of MDTS the list grows up to where it
	 * fills a slot or the page that holds it. */
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		roundtrip(11, bs, offs[i], offs[(i + 3) % 8], 10 + (uint32_t)i);
		roundtrip(13, 8 * (size_t)bs, offs[i], offs[(i + 1) % 8], 20 + (uint32_t)i);
		roundtrip(17, 33 * 4096, offs[i], offs[(i + 5) % 8], 30 + (uint32_t)i);
		roundtrip(19, max_xfer, offs[i], 0, 40 + (uint32_t)i);
		roundtrip(23, 2 * (size_t)max_xfer + 3 * bs, offs[i], offs[i], 50 + (uint32_t)i);
	}
	printf("dword-aligned offsets: ok\n");
}

static void test_vectored(void)
{
	struct iovec iov[8];
	struct t_done d = {0};
	size_t total = 0;
	unsigned int i;

	/* PRP-compatible: first element starts mid-page, the rest are whole pages, the last
	 * ends mid-page. */
	iov[0].iov_base = wbuf + 4096 - 512;
	iov[0].iov_len = 512;
	iov[1].iov_base = wbuf + 3 * 4096;
	iov[1].iov_len = 8192;
	iov[2].iov_base = wbuf + 8 * 4096;
	iov[2].iov_len = 3584;
	for (i = 0; i < 3; i++) {
		t_fill(iov[i].iov_base, iov[i].iov_len, i, 77);
		total += iov[i].iov_len;
	}
	CHECK(total % bs == 0);
	CHECK_OK(nvfio_writev(qp, ns, iov, 3, 500, t_done_cb, &d));
	t_wait(qp, &d);
	CHECK(d.err == 0 && d.status == 0);
	memset(rbuf, 0, total);
	CHECK_OK(nvfio_read_sync(qp, ns, rbuf, 500, (uint32_t)(total / bs), NULL));
	CHECK(t_same(rbuf, iov[0].iov_base, 512, "iov 0"));
	CHECK(t_same(rbuf + 512, iov[1].iov_base, 8192, "iov 1"));
	CHECK(t_same(rbuf + 512 + 8192, iov[2].iov_base, 3584, "iov 2"));

	/* Scattered 512-byte pieces: an SGL when the controller has them. */
	total = 0;
	for (i = 0; i < 8; i++) {
		iov[i].iov_base = rbuf + 100 * 1024 + i * 4096 + (i % 3) * 1024 + 64 * i;
		iov[i].iov_len = 512 + (i % 2) * 1024;
		total += iov[i].iov_len;
		memset(iov[i].iov_base, 0, iov[i].iov_len);
	}
	CHECK(total % bs == 0);
	t_fill(wbuf, total, 900, 78);
	CHECK_OK(nvfio_write_sync(qp, ns, wbuf, 900, (uint32_t)(total / bs), NULL));
	memset(&d, 0, sizeof(d));
	if (nvfio_ctrl_get_info(ctrl)->sgls & 3) {
		size_t off = 0;

		CHECK_OK(nvfio_readv(qp, ns, iov, 8, 900, t_done_cb, &d));
		t_wait(qp, &d);
		CHECK(d.err == 0 && d.status == 0);
		for (i = 0; i < 8; i++) {
			CHECK(t_same(iov[i].iov_base, wbuf + off, iov[i].iov_len, "sgl iov"));
			off += iov[i].iov_len;
		}
		printf("vectored (PRP and SGL): ok\n");
	} else {
		CHECK_ERR(nvfio_readv(qp, ns, iov, 8, 900, t_done_cb, &d), -EINVAL);
		printf("vectored (PRP; no SGL: refused): ok\n");
	}
}

static void test_commands(void)
{
	struct t_done d = {0};
	uint32_t nlb = 16;

	/* Compare: equal, then different. */
	t_fill(wbuf, nlb * bs, 2000, 5);
	CHECK_OK(nvfio_write_sync(qp, ns, wbuf, 2000, nlb, NULL));
	CHECK_OK(nvfio_compare(qp, ns, wbuf, 2000, nlb, t_done_cb, &d));
	t_wait(qp, &d);
	CHECK(d.err == 0 && d.status == 0);
	wbuf[bs + 3] ^= 1;
	memset(&d, 0, sizeof(d));
	CHECK_OK(nvfio_compare(qp, ns, wbuf, 2000, nlb, t_done_cb, &d));
	t_wait(qp, &d);
	CHECK(d.err == 0 && nvfio_status_sct(d.status) == 2 && nvfio_status_sc(d.status) == 0x85);
	printf("compare mismatch: %s\n", nvfio_status_str(d.status));

	/* Write Zeroes, over more than one command's worth of blocks. */
	memset(&d, 0, sizeof(d));
	CHECK_OK(nvfio_write_zeroes(qp, ns, 2000, nlb, t_done_cb, &d));
	t_wait(qp, &d);
	CHECK(d.err == 0 && d.status == 0);
	memset(rbuf, 0xee, nlb * bs);
	CHECK_OK(nvfio_read_sync(qp, ns, rbuf, 2000, nlb, NULL));
	memset(wbuf, 0, nlb * bs);
	CHECK(t_same(rbuf, wbuf, nlb * bs, "write zeroes"));
	/* More blocks than one command carries, where the namespace is big enough. */
	nlb = nvfio_ns_get_info(ns)->nblocks - 4096 < 70000
		  ? (uint32_t)(nvfio_ns_get_info(ns)->nblocks - 4096)
		  : 70000;
	memset(&d, 0, sizeof(d));
	CHECK_OK(nvfio_write_zeroes(qp, ns, 4096, nlb, t_done_cb, &d));
	t_wait(qp, &d);
	CHECK(d.done == 1 && d.err == 0 && d.status == 0);

	/* Deallocate, then Flush. */
	memset(&d, 0, sizeof(d));
	CHECK_OK(nvfio_deallocate(qp, ns, 2000, nlb, t_done_cb, &d));
	t_wait(qp, &d);
	CHECK(d.err == 0 && d.status == 0);
	CHECK_OK(nvfio_flush_sync(qp, ns, NULL));
	printf("compare, write zeroes, deallocate, flush: ok\n");
}

static void test_refused(void)
{
	uint64_t nblocks = nvfio_ns_get_info(ns)->nblocks;
	struct nvfio_qpair_stats before, after;
	struct t_done d = {0};
	struct iovec iov = {.iov_base = wbuf, .iov_len = bs + 4};
	size_t reglen = 2u << 20;
	uint8_t *unregistered;

	/* Memory of our own: a hugepage where there is one (no-IOMMU mode can register nothing
	 * else), else ordinary pages. */
	unregistered = mmap(NULL, reglen, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (unregistered == MAP_FAILED) {
		if (!strcmp(nvfio_ctrl_get_info(ctrl)->backend, "vfio-noiommu"))
			SKIP("no-IOMMU mode needs a free 2 MiB hugepage for registered memory");
		unregistered =
		    mmap(NULL, reglen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK(unregistered != MAP_FAILED);
	}
	memset(unregistered, 0, reglen);

	nvfio_qpair_get_stats(qp, &before);
	CHECK_ERR(nvfio_read(qp, ns, rbuf, nblocks, 1, t_done_cb, &d), -ERANGE);
	printf("past the end: %s\n", nvfio_last_error());
	CHECK_ERR(nvfio_read(qp, ns, rbuf, nblocks - 1, 2, t_done_cb, &d), -ERANGE);
	CHECK_ERR(nvfio_write(qp, ns, wbuf, UINT64_MAX, 1, t_done_cb, &d), -ERANGE);
	CHECK_ERR(nvfio_read(qp, ns, rbuf, 0, 0, t_done_cb, &d), -EINVAL);
	CHECK_ERR(nvfio_read(qp, ns, rbuf + 2, 0, 1, t_done_cb, &d), -EINVAL);
	printf("misaligned: %s\n", nvfio_last_error());
	CHECK_ERR(nvfio_readv(qp, ns, &iov, 1, 0, t_done_cb, &d), -EINVAL);
	printf("not whole blocks: %s\n", nvfio_last_error());
	CHECK_ERR(nvfio_read(qp, ns, unregistered, 0, 1, t_done_cb, &d), -NVFIO_ENOTMAPPED);
	printf("unregistered: %s\n", nvfio_last_error());
	nvfio_qpair_get_stats(qp, &after);
	CHECK(after.submitted == before.submitted);
	CHECK(nvfio_qpair_poll(qp, 0) == 0);
	CHECK(d.done == 0);

	/* Registered caller memory works. */
	CHECK_OK(nvfio_dma_register(nvfio_ctrl_dma(ctrl), unregistered, reglen));
	t_fill(unregistered, 2 * bs, 42, 9);
	CHECK_OK(nvfio_write_sync(qp, ns, unregistered, 42, 2, NULL));
	CHECK_OK(nvfio_read_sync(qp, ns, rbuf, 42, 2, NULL));
	CHECK(t_same(rbuf, unregistered, 2 * bs, "registered memory"));
	CHECK_OK(nvfio_dma_unregister(nvfio_ctrl_dma(ctrl), unregistered, reglen));
	CHECK_ERR(nvfio_read(qp, ns, unregistered, 0, 1, t_done_cb, &d), -NVFIO_ENOTMAPPED);
	/* The same with the queue pair's translation cache holding the registration when it goes:
	 * the unregistration empties the cache, so the inline path cannot hit it. */
	CHECK_OK(nvfio_dma_register(nvfio_ctrl_dma(ctrl), unregistered, reglen));
	CHECK_OK(nvfio_read_sync(qp, ns, unregistered, 42, 1, NULL));
	CHECK_OK(nvfio_dma_unregister(nvfio_ctrl_dma(ctrl), unregistered, reglen));
	CHECK_ERR(nvfio_read(qp, ns, unregistered, 0, 1, t_done_cb, &d), -NVFIO_ENOTMAPPED);
	munmap(unregistered, reglen);
	printf("refused before submission: ok\n");
}

int main(int argc, char **argv)
{
	const char *addr = argc > 1 ? argv[1] : "sim:size=256M";
	struct nvfio_qpair_stats st;

	ctrl = t_open(addr, NULL);
	ns = nvfio_ctrl_ns_next(ctrl, NULL);
	CHECK(ns);
	bs = nvfio_ns_get_info(ns)->block_size;
	CHECK_OK(nvfio_qpair_alloc(ctrl, 64, 0, &qp));
	buflen = 8 * (size_t)nvfio_ctrl_get_info(ctrl)->max_xfer + 64 * 4096;
	wbuf = t_alloc(ctrl, buflen);
	rbuf = t_alloc(ctrl, buflen);

	test_sizes();
	test_offsets();
	test_vectored();
	test_commands();
	test_refused();

	nvfio_qpair_get_stats(qp, &st);
	printf("submitted %llu completed %llu sq doorbells %llu cq doorbells %llu\n",
	       (unsigned long long)st.submitted, (unsigned long long)st.completed,
	       (unsigned long long)st.sq_doorbells, (unsigned long long)st.cq_doorbells);
	CHECK(nvfio_qpair_outstanding(qp) == 0);
	CHECK_OK(nvfio_qpair_free(qp));
	nvfio_dma_free(nvfio_ctrl_dma(ctrl), wbuf);
	nvfio_dma_free(nvfio_ctrl_dma(ctrl), rbuf);
	CHECK_OK(nvfio_ctrl_close(ctrl));
	return T_EXIT_PASS;
}
