/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Identify parsers (nvme/id.c) on pages a broken controller could write: MDTS of 0, 1, 51,
 * 52 and 255; strings of 40 bytes without a NUL; an LBA format index past NLBAF and past 16
 * (FLBAS bits 6:5); block sizes of 2^8 and 2^32; descriptor lists whose lengths reach past the
 * page; namespace lists out of order, repeating, full, and with ids above NN.
 */
#include <endian.h>
#include <stdint.h>

#include "common/test.h"
#include "nvme/id.h"
#include "nvme/spec.h"

static uint8_t page[NVME_IDENTIFY_DATA_SIZE];

static uint32_t max_xfer_of(uint8_t mdts, uint64_t *bytes)
{
	struct nvme_id_ctrl *id = (void *)page;
	struct nvfio_ctrl_info info;

	memset(page, 0, sizeof(page));
	id->mdts = mdts;
	nvf_id_ctrl_info(page, &info);
	*bytes = info.mdts;
	return info.max_xfer;
}

static void ctrl(void)
{
	struct nvme_id_ctrl *id = (void *)page;
	struct nvfio_ctrl_info info;
	uint64_t mdts;

	CHECK(max_xfer_of(0, &mdts) == NVF_MAX_XFER && mdts == 0);
	CHECK(max_xfer_of(1, &mdts) == 8192 && mdts == 8192);
	CHECK(max_xfer_of(9, &mdts) == NVF_MAX_XFER && mdts == 2u << 20);
	CHECK(max_xfer_of(51, &mdts) == NVF_MAX_XFER && mdts == UINT64_C(1) << 63);
	CHECK(max_xfer_of(52, &mdts) == NVF_MAX_XFER && mdts == UINT64_MAX);
	CHECK(max_xfer_of(255, &mdts) == NVF_MAX_XFER && mdts == UINT64_MAX);

	/* Fields filled to the last byte, no NUL: cut at the field's width. */
	memset(page, 'M', sizeof(page));
	memcpy(id->sn, "SN  ", 4);
	id->nn = htole32(UINT32_MAX);
	nvf_id_ctrl_info(page, &info);
	CHECK(strlen(info.model) == 40 && strlen(info.firmware) == 8);
	CHECK(strlen(info.serial) == 20 && !strncmp(info.serial, "SN  M", 5));
	CHECK(info.nn == UINT32_MAX);
	/* Trailing spaces go, inner ones stay; a NUL ends the string, and the spaces before it go
	 * too (fuzz.id_ctrl found " \0\0 + " taken as " "). */
	memset(id->mn, ' ', sizeof(id->mn));
	memcpy(id->mn, "a b\0", 4);
	memcpy(id->sn, " \0\0 + ", 7);
	memcpy(id->fr, "1.0  \0xy", 8);
	nvf_id_ctrl_info(page, &info);
	CHECK(!strcmp(info.model, "a b") && !strcmp(info.serial, "") &&
	      !strcmp(info.firmware, "1.0"));
}

/* A namespace of @nlbaf + 1 formats of @ds each, FLBAS @flbas, parsed with @max_xfer. */
static bool ns(uint8_t nlbaf, uint8_t flbas, uint8_t ds, uint16_t ms, uint32_t max_xfer,
	       struct nvfio_ns_info *info, struct nvf_id_ns_io *io)
{
	struct nvme_id_ns *id = (void *)page;
	unsigned int i;

	memset(page, 0, sizeof(page));
	id->nsze = htole64(1000);
	id->nlbaf = nlbaf;
	id->flbas = flbas;
	for (i = 0; i < 64; i++) {
		id->lbaf[i].ds = ds;
		id->lbaf[i].ms = htole16(ms);
	}
	io->lbads = 99;
	return nvf_id_ns_parse(page, 7, max_xfer, info, io);
}

static void namespace(void)
{
	struct nvfio_ns_info info;
	struct nvf_id_ns_io io;

	CHECK(ns(0, 0, 9, 0, 4096, &info, &io));
	CHECK(!info.unusable[0] && info.block_size == 512 && info.nsid == 7);
	CHECK(io.nsze == 1000 && io.lbads == 9 && io.max_nlb == 8);
	CHECK(ns(0, 0, 9, 0, NVF_MAX_XFER, &info, &io) && io.max_nlb == 4096);
	/* Metadata: listed, raw commands only. */
	CHECK(ns(0, 0, 12, 8, NVF_MAX_XFER, &info, &io) && io.nsze == 0 && info.meta_size == 8);
	CHECK(!info.unusable[0] && info.block_size == 4096);

	/* The format index past NLBAF, with and without FLBAS bits 6:5. */
	CHECK(ns(3, 4, 9, 0, NVF_MAX_XFER, &info, &io));
	CHECK(strstr(info.unusable, "(4) is past the 4") && info.block_size == 0);
	CHECK(io.nsze == 0 && io.lbads == 99 && io.max_nlb == 1);
	CHECK(ns(14, 0x6f, 9, 0, NVF_MAX_XFER, &info, &io) && strstr(info.unusable, "(15)"));
	CHECK(ns(16, 0x6f, 9, 0, NVF_MAX_XFER, &info, &io) && strstr(info.unusable, "(63)"));
	CHECK(info.lbaf == 63);
	CHECK(ns(63, 0x6f, 12, 0, NVF_MAX_XFER, &info, &io) && !info.unusable[0]);
	CHECK(info.lbaf == 63 && info.lbaf_sizes[63] == 4096);
	/* NLBAF 255 describes the 64 formats there are. */
	CHECK(ns(255, 0, 12, 0, NVF_MAX_XFER, &info, &io) && info.lbaf_sizes[63] == 4096);

	/* Block sizes nvfio cannot use. */
	CHECK(ns(0, 0, 8, 0, NVF_MAX_XFER, &info, &io) && strstr(info.unusable, "2^8 bytes"));
	CHECK(ns(0, 0, 32, 0, NVF_MAX_XFER, &info, &io) && strstr(info.unusable, "2^32 bytes"));
	CHECK(info.lbaf_sizes[0] == 0);
	CHECK(ns(0, 0, 13, 0, 4096, &info, &io) && strstr(info.unusable, "8192 bytes is above"));

	/* NSZE 0: inactive, nothing written. */
	memset(page, 0, sizeof(page));
	memset(&info, 0x5a, sizeof(info));
	CHECK(!nvf_id_ns_parse(page, 1, NVF_MAX_XFER, &info, &io) && info.nsid == 0x5a5a5a5a);
}

static void descs(void)
{
	struct nvfio_ns_info info;
	uint8_t *d = page;

	memset(&info, 0, sizeof(info));
	memset(page, 0, sizeof(page));
	/* An EUI-64, a UUID of the wrong length (skipped), an NGUID. */
	d[0] = NVME_NIDT_EUI64, d[1] = 8, memset(d + 4, 0xe1, 8), d += 12;
	d[0] = NVME_NIDT_UUID, d[1] = 8, memset(d + 4, 0xbb, 8), d += 12;
	d[0] = NVME_NIDT_NGUID, d[1] = 16, memset(d + 4, 0x96, 16), d += 20;
	nvf_id_ns_descs(page, &info);
	CHECK(info.eui64[0] == 0xe1 && info.eui64[7] == 0xe1 && info.nguid[15] == 0x96);
	CHECK(info.uuid[0] == 0);

	/* The last descriptor of the page reaches past it: not taken. */
	memset(&info, 0, sizeof(info));
	memset(page, 0, sizeof(page));
	for (d = page; d + 4 + 251 <= page + sizeof(page); d += 4 + 251)
		d[0] = 0x7f, d[1] = 251;
	d[0] = NVME_NIDT_UUID, d[1] = 16, memset(d + 4, 0x11, page + sizeof(page) - d - 4);
	CHECK(page + sizeof(page) - d < 20);
	nvf_id_ns_descs(page, &info);
	CHECK(info.uuid[0] == 0);
}

static void list_set(unsigned int n, const uint32_t *ids)
{
	unsigned int i;

	memset(page, 0, sizeof(page));
	for (i = 0; i < n; i++) {
		uint32_t v = htole32(ids[i]);

		memcpy(page + 4 * i, &v, 4);
	}
}

static void list(void)
{
	static uint8_t many[65537];
	uint8_t seen[17];
	uint32_t start, i;

	/* Out of order: taken up to the id that does not ascend. */
	memset(seen, 0, sizeof(seen));
	list_set(4, (uint32_t[]){1, 3, 2, 4});
	start = 0;
	CHECK(!nvf_id_ns_list(page, &start, 16, seen));
	CHECK(start == 3 && seen[1] && seen[3] && !seen[2] && !seen[4]);
	/* Repeating, and not past the id asked after. */
	list_set(3, (uint32_t[]){5, 5, 6});
	start = 0;
	CHECK(!nvf_id_ns_list(page, &start, 16, seen) && start == 5 && !seen[6]);
	start = 5;
	CHECK(!nvf_id_ns_list(page, &start, 16, seen) && start == 5);

	/* Full lists: ask again while ids below NN may follow; those above it are skipped. */
	memset(seen, 0, sizeof(seen));
	memset(page, 0, sizeof(page));
	for (i = 0; i < NVME_ID_NS_LIST_MAX; i++) {
		uint32_t v = htole32(i + 10);

		memcpy(page + 4 * i, &v, 4);
	}
	start = 9;
	CHECK(!nvf_id_ns_list(page, &start, 16, seen) && start == 1033);
	CHECK(seen[10] && seen[16] && !seen[9]);
	start = 9;
	CHECK(nvf_id_ns_list(page, &start, 65536, many) && start == 1033);
	/* An id of 2^32 - 1 ends it. */
	list_set(1, (uint32_t[]){UINT32_MAX});
	start = 0;
	CHECK(!nvf_id_ns_list(page, &start, 16, seen) && start == UINT32_MAX);
}

int main(void)
{
	ctrl();
	namespace();
	descs();
	list();
	printf("identify parsers: MDTS, strings, LBA formats, descriptors, namespace lists\n");
	return T_EXIT_PASS;
}
