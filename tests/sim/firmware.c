/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Firmware Image Download and Commit: what Identify advertises, pieces that break FWUG or
 * overlap, images with a hole, without a revision or too short, slots that do not exist or are
 * read-only, each commit action, and the revision Identify Controller reports after activation:
 * at once, or after a reset (the controller disabled and enabled again).
 */
#include <string.h>

#include "common/test.h"
#include "tests/sim/host.h"

#define DNR	    0x4000
#define ST(sct, sc) ((uint16_t)((sct) << 8 | (sc)))

#define INVALID		 (ST(0, 0x02) | DNR)
#define INVALID_SLOT	 (ST(1, 0x06) | DNR)
#define INVALID_IMAGE	 (ST(1, 0x07) | DNR)
#define NEEDS_CTRL_RESET ST(1, 0x11)
#define PROHIBITED	 (ST(1, 0x13) | DNR)
#define OVERLAPPING	 (ST(1, 0x14) | DNR)

enum { REPLACE = 0, REPLACE_ACTIVATE = 1, ACTIVATE = 2, ACTIVATE_NOW = 3 };

static uint8_t *page, *img;

static uint16_t download(struct host *h, size_t off, size_t len)
{
	return h_cmd(h, 0x11, 0, (uint32_t)(len / 4 - 1), (uint32_t)(off / 4), img + off, len,
		     NULL);
}

static uint16_t commit(struct host *h, unsigned int slot, unsigned int action)
{
	return h_cmd(h, 0x10, 0, slot | action << 3, 0, NULL, 0, NULL);
}

/* An image of @len bytes whose revision (its first 8 bytes) is @rev. */
static void image(const char *rev, size_t len)
{
	memset(img, 0xc3, len);
	memset(img, ' ', 8);
	memcpy(img, rev, strlen(rev));
}

static void running(struct host *h, const char *rev)
{
	char want[8];

	memset(want, ' ', 8);
	memcpy(want, rev, strlen(rev));
	CHECK(h_identify(h, 1, 0, page) == 0);
	CHECK(!memcmp(page + 64, want, 8));
}

/* The Firmware Slot log: AFI, and the revision in @slot (NULL: empty). */
static void slots(struct host *h, uint8_t afi, unsigned int slot, const char *rev)
{
	char want[8];

	CHECK(h_get_log(h, 0x03, page, 512) == 0);
	CHECK(page[0] == afi);
	memset(want, rev ? ' ' : 0, 8);
	if (rev)
		memcpy(want, rev, strlen(rev));
	CHECK(!memcmp(page + 8 * slot, want, 8));
}

static void reset(struct host *h)
{
	CHECK(h_disable(h) == 0);
	CHECK(h_enable(h, 32) == 0);
}

static void open_ctrl(struct host *h, const char *opts)
{
	CHECK_OK(h_open(h, opts, 16));
	CHECK(h_enable(h, 32) == 0);
	page = h_alloc(h, 4096, 4096);
	img = h_alloc(h, 65536, 4096);
}

static void test_slots(void)
{
	struct host h;
	struct h_sqe aer;
	struct h_cqe ev;

	open_ctrl(&h, "size=1M,queues=2,depth=16,firmware=1.0");
	CHECK(h_identify(&h, 1, 0, page) == 0);
	CHECK(page[256] & (1u << 2)); /* OACS: firmware commands */
	CHECK(page[260] == 0x17);     /* FRMW: slot 1 read-only, 3 slots, activation w/o reset */
	CHECK(page[319] == 1);	      /* FWUG: 4 KiB */
	CHECK(page[92 + 1] & 2);      /* OAES: Firmware Activation notices */
	running(&h, "1.0");
	slots(&h, 0x01, 1, "1.0");
	slots(&h, 0x01, 2, NULL);
	slots(&h, 0x01, 3, NULL);
	CHECK(h_get_log(&h, 0x05, page, 4096) == 0);
	CHECK(((uint32_t *)page)[0x10] == (1u | 1u << 4)); /* supported, changes the controller */
	CHECK(((uint32_t *)page)[0x11] == 1u);

	/* Pieces: 4 KiB granularity in length and offset; no overlap. */
	image("2.0-test", 12288);
	CHECK(download(&h, 0, 2048) == INVALID);
	CHECK(download(&h, 1024, 4096) == INVALID);
	CHECK(download(&h, 1u << 20, 4096) == INVALID); /* past the largest image */
	CHECK(download(&h, 4096, 4096) == 0);
	CHECK(download(&h, 0, 8192) == OVERLAPPING);
	CHECK(download(&h, 4096, 4096) == OVERLAPPING);
	CHECK(download(&h, 0, 4096) == 0);
	CHECK(download(&h, 8192, 4096) == 0);

	/* Commit: reserved actions, boot partitions, slots that do not exist or are read-only,
	 * an empty slot to activate. None of them uses the image up. */
	CHECK(commit(&h, 2, 4) == INVALID);
	CHECK(commit(&h, 2, 6) == INVALID);
	CHECK(commit(&h, 4, REPLACE) == INVALID_SLOT);
	CHECK(commit(&h, 1, REPLACE) == INVALID_SLOT);
	CHECK(commit(&h, 0, ACTIVATE) == INVALID_SLOT);
	CHECK(commit(&h, 3, ACTIVATE) == INVALID_IMAGE);
	CHECK(commit(&h, 2, REPLACE) == 0);
	slots(&h, 0x01, 2, "2.0-test");
	running(&h, "1.0");
	CHECK(commit(&h, 3, REPLACE) == INVALID_IMAGE); /* used up */

	/* Activate slot 2 at the next reset. */
	CHECK(commit(&h, 2, ACTIVATE) == 0);
	slots(&h, 0x21, 2, "2.0-test");
	running(&h, "1.0");
	reset(&h);
	running(&h, "2.0-test");
	slots(&h, 0x02, 1, "1.0");

	/* Replace and activate at reset, the controller choosing the (empty) slot 3. */
	image("3.0", 4096);
	CHECK(download(&h, 0, 4096) == 0);
	CHECK(commit(&h, 0, REPLACE_ACTIVATE) == 0);
	slots(&h, 0x32, 3, "3.0");
	reset(&h);
	running(&h, "3.0");

	/* Replace and activate now: a Firmware Activation Starting notice when enabled. */
	CHECK(h_cmd(&h, 0x09, 0, 0x0b, 1u << 9, NULL, 0, NULL) == 0);
	memset(&aer, 0, sizeof(aer));
	aer.opc = 0x0c;
	h_submit(&h, &h.asq, &aer, true);
	image("4.0", 8192);
	CHECK(download(&h, 0, 8192) == 0);
	CHECK(commit(&h, 2, ACTIVATE_NOW) == 0);
	running(&h, "4.0");
	slots(&h, 0x02, 2, "4.0");
	CHECK(h_reap(&h, &h.acq, &ev, 5000));
	CHECK((ev.dw0 & 0xff) == 2 && ((ev.dw0 >> 8) & 0xff) == 1 && ((ev.dw0 >> 16) & 0xff) == 3);
	/* Without an image, action 3 activates what the slot holds. */
	CHECK(commit(&h, 3, ACTIVATE_NOW) == 0);
	running(&h, "3.0");
	CHECK(commit(&h, 1, ACTIVATE_NOW) == 0);
	running(&h, "1.0");

	/* Images that are not: a hole, no revision, a piece dropped by a reset. */
	image("5.0", 12288);
	CHECK(download(&h, 0, 4096) == 0);
	CHECK(download(&h, 8192, 4096) == 0);
	CHECK(commit(&h, 2, REPLACE) == INVALID_IMAGE);
	memset(img, 0, 4096);
	CHECK(download(&h, 0, 4096) == 0);
	CHECK(commit(&h, 2, REPLACE) == INVALID_IMAGE);
	image("5.0", 4096);
	CHECK(download(&h, 0, 4096) == 0);
	reset(&h);
	CHECK(commit(&h, 2, REPLACE) == INVALID_IMAGE);
	slots(&h, 0x01, 2, "4.0");
	h_close(&h);
}

static void test_options(void)
{
	struct host h;

	/* No granularity rule: an image shorter than its revision is refused. */
	open_ctrl(&h, "size=1M,queues=2,depth=16,fwug=255,fw_activate=reset,fw_downgrade=off,"
		      "firmware=2.0");
	CHECK(h_identify(&h, 1, 0, page) == 0);
	CHECK(page[260] == 0x07 && page[319] == 0xff);
	image("6.0", 12);
	CHECK(download(&h, 0, 4) == 0);
	CHECK(commit(&h, 2, REPLACE) == INVALID_IMAGE);
	CHECK(download(&h, 0, 12) == 0);
	/* Action 3 needs a reset here; the commit itself is done. */
	CHECK(commit(&h, 2, ACTIVATE_NOW) == NEEDS_CTRL_RESET);
	running(&h, "2.0");
	slots(&h, 0x21, 2, "6.0");
	reset(&h);
	running(&h, "6.0");

	/* No going back: an older image may be stored, not activated. */
	image("1.9", 4);
	CHECK(download(&h, 0, 8) == 0);
	CHECK(commit(&h, 3, REPLACE_ACTIVATE) == PROHIBITED);
	CHECK(download(&h, 0, 8) == 0);
	CHECK(commit(&h, 3, REPLACE) == 0);
	CHECK(commit(&h, 3, ACTIVATE) == PROHIBITED);
	CHECK(commit(&h, 1, ACTIVATE) == PROHIBITED);
	slots(&h, 0x02, 3, "1.9");
	h_close(&h);

	/* One read-only slot: nowhere to put an image. */
	open_ctrl(&h, "size=1M,queues=2,depth=16,fw_slots=1");
	CHECK(h_identify(&h, 1, 0, page) == 0);
	CHECK(page[260] == 0x13);
	image("7.0", 4096);
	CHECK(download(&h, 0, 4096) == 0);
	CHECK(commit(&h, 0, REPLACE) == INVALID_SLOT);
	CHECK(commit(&h, 2, REPLACE) == INVALID_SLOT);
	h_close(&h);

	CHECK_ERR(h_open(&h, "fw_slots=8", 1), -NVFIO_EBADOPT);
	CHECK_ERR(h_open(&h, "fw_activate=later", 1), -NVFIO_EBADOPT);
}

int main(void)
{
	test_slots();
	test_options();
	return T_EXIT_PASS;
}
