/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Firmware: fw_slots= slots (slot 1 read-only with fw_ro=on, holding the firmware= revision at
 * power-on), Firmware Image Download into one image buffer, Firmware Commit into a slot, and the
 * Firmware Slot Information log. All on thread 0.
 *
 * An image's revision is its first 8 bytes (NVF_SIM_FW_REV_OFF), printable ASCII and not all
 * spaces; anything else, an image shorter than that, or one with a hole in what was downloaded
 * is an Invalid Firmware Image. Pieces must follow FWUG (fwug=, in 4 KiB units) in offset and
 * length, and may come in any order but not overlap (Overlapping Range). A Commit that takes the
 * image uses it up, and so does a Controller Level Reset.
 *
 * Activation: at the next Controller Level Reset (CC.EN 1 to 0, or a function-level reset) for
 * commit actions 1 and 2; at once for action 3 with fw_activate=now (FRMW bit 4), else action 3
 * completes with Firmware Activation Requires Controller Level Reset and waits for one. With
 * fw_downgrade=off an image whose revision sorts below the running one is refused activation
 * (Firmware Activation Prohibited).
 */
#include <stdlib.h>
#include <string.h>

#include "sim/priv.h"

#define CMD_SPEC_DNR(sc)   (NVF_SIM_CMD_SPEC(sc) | NVF_SIM_DNR)
#define INVALID_SLOT	   CMD_SPEC_DNR(NVME_SC_FIRMWARE_SLOT)
#define INVALID_IMAGE	   CMD_SPEC_DNR(NVME_SC_FIRMWARE_IMAGE)
#define OVERLAPPING	   CMD_SPEC_DNR(NVME_SC_OVERLAPPING_RANGE)
#define PROHIBITED	   CMD_SPEC_DNR(NVME_SC_FW_ACTIVATE_PROHIBITED)
#define NEEDS_CTRL_RESET   NVF_SIM_CMD_SPEC(NVME_SC_FW_NEEDS_RESET)
#define INTERNAL_ERROR	   NVF_SIM_GENERIC(NVME_SC_INTERNAL)
#define AEC_FW_ACTIVATION  (1u << 9)
#define FW_ACT_STARTING	   0x01 /* Notice: Firmware Activation Starting */

void nvf_sim_fw_init(struct nvfio_sim *sim)
{
	struct nvf_sim_fw *fw = &sim->fw;
	size_t n = strlen(sim->opts.firmware);

	memset(fw->rev, 0, sizeof(fw->rev));
	memset(fw->rev[0], ' ', sizeof(fw->rev[0]));
	memcpy(fw->rev[0], sim->opts.firmware, n < 8 ? n : 8);
	fw->active = 1;
	fw->next = 0;
	fw->nranges = 0;
}

void nvf_sim_fw_free(struct nvfio_sim *sim)
{
	free(sim->fw.img);
	sim->fw.img = NULL;
}

const char *nvf_sim_fw_running(const struct nvfio_sim *sim)
{
	return sim->fw.rev[sim->fw.active - 1];
}

uint16_t nvf_sim_fw_download(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd)
{
	struct nvfio_sim *sim = t->sim;
	struct nvf_sim_fw *fw = &sim->fw;
	uint64_t len = ((uint64_t)cmd->cdw10 + 1) * 4, off = (uint64_t)cmd->cdw11 * 4;
	uint64_t gran = sim->opts.fwug && sim->opts.fwug != 0xff ? sim->opts.fwug * 4096ull : 4;
	unsigned int i;
	uint16_t st;

	if (len % gran || off % gran || off + len > NVF_SIM_FW_MAX)
		return NVF_SIM_INVALID_FIELD;
	for (i = 0; i < fw->nranges && fw->ranges[i].end <= off; i++)
		;
	if (i < fw->nranges && fw->ranges[i].start < off + len)
		return OVERLAPPING;
	if (fw->nranges == NVF_SIM_FW_RANGES)
		return NVF_SIM_INVALID_FIELD;
	if (!fw->img && !(fw->img = malloc(NVF_SIM_FW_MAX)))
		return INTERNAL_ERROR;
	st = nvf_sim_from_host(t, cmd, fw->img + off, (uint32_t)len, true);
	if (st)
		return st;
	/* Keep the ranges sorted and disjoint, joining those that touch. */
	memmove(&fw->ranges[i + 1], &fw->ranges[i], (fw->nranges - i) * sizeof(fw->ranges[0]));
	fw->ranges[i].start = (uint32_t)off;
	fw->ranges[i].end = (uint32_t)(off + len);
	fw->nranges++;
	for (i = 0; i + 1 < fw->nranges;) {
		if (fw->ranges[i].end == fw->ranges[i + 1].start) {
			fw->ranges[i].end = fw->ranges[i + 1].end;
			memmove(&fw->ranges[i + 1], &fw->ranges[i + 2],
				(fw->nranges - i - 2) * sizeof(fw->ranges[0]));
			fw->nranges--;
		} else {
			i++;
		}
	}
	return 0;
}

/* The downloaded image's revision, or NULL when there is no valid image. */
static const char *image_revision(const struct nvf_sim_fw *fw)
{
	const char *rev;
	bool blank = true;

	if (fw->nranges != 1 || fw->ranges[0].start ||
	    fw->ranges[0].end < NVF_SIM_FW_REV_OFF + 8)
		return NULL;
	rev = (const char *)fw->img + NVF_SIM_FW_REV_OFF;
	for (unsigned int i = 0; i < 8; i++) {
		if (rev[i] < 0x20 || rev[i] > 0x7e)
			return NULL;
		blank &= rev[i] == ' ';
	}
	return blank ? NULL : rev;
}

static bool slot_empty(const struct nvf_sim_fw *fw, unsigned int slot)
{
	static const char none[8];

	return !memcmp(fw->rev[slot - 1], none, 8);
}

/* The slot for a new image when the host leaves the choice (FS 0): an empty writable one, else
 * a writable one that is not running; 0 when none is writable. */
static unsigned int choose_slot(const struct nvfio_sim *sim)
{
	unsigned int first = sim->opts.fw_ro ? 2 : 1, fallback = 0;

	for (unsigned int s = first; s <= sim->opts.fw_slots; s++) {
		if (slot_empty(&sim->fw, s))
			return s;
		if (!fallback && s != sim->fw.active)
			fallback = s;
	}
	return fallback ? fallback : (first <= sim->opts.fw_slots ? first : 0);
}

static bool prohibited(const struct nvfio_sim *sim, const char *rev)
{
	return !sim->opts.fw_downgrade && memcmp(rev, nvf_sim_fw_running(sim), 8) < 0;
}

uint16_t nvf_sim_fw_commit(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd)
{
	struct nvf_sim_fw *fw = &sim->fw;
	unsigned int fs = cmd->cdw10 & 0x7, ca = (cmd->cdw10 >> 3) & 0x7;
	bool replace = ca == NVME_FW_COMMIT_CA_REPLACE ||
		       ca == NVME_FW_COMMIT_CA_REPLACE_AND_ACTIVATE ||
		       (ca == NVME_FW_COMMIT_CA_REPLACE_AND_ACTIVATE_IMMEDIATE && fw->nranges);
	const char *rev;

	/* Boot partitions (6, 7) are not offered; 4 and 5 are reserved. */
	if (ca > NVME_FW_COMMIT_CA_REPLACE_AND_ACTIVATE_IMMEDIATE)
		return NVF_SIM_INVALID_FIELD;
	if (fs > sim->opts.fw_slots)
		return INVALID_SLOT;
	if (replace) {
		if (!fs)
			fs = choose_slot(sim);
		if (!fs || (fs == 1 && sim->opts.fw_ro))
			return INVALID_SLOT;
		rev = image_revision(fw);
		fw->nranges = 0; /* used up, valid or not */
		if (!rev)
			return INVALID_IMAGE;
		if (ca != NVME_FW_COMMIT_CA_REPLACE && prohibited(sim, rev))
			return PROHIBITED;
		memcpy(fw->rev[fs - 1], rev, 8);
	} else {
		if (!fs)
			return INVALID_SLOT;
		if (slot_empty(fw, fs))
			return INVALID_IMAGE;
		if (prohibited(sim, fw->rev[fs - 1]))
			return PROHIBITED;
	}
	switch (ca) {
	case NVME_FW_COMMIT_CA_REPLACE:
		return 0;
	case NVME_FW_COMMIT_CA_REPLACE_AND_ACTIVATE:
	case NVME_FW_COMMIT_CA_SET_ACTIVE:
		fw->next = fs;
		return 0;
	default: /* activate now */
		if (!sim->opts.fw_immediate) {
			fw->next = fs;
			return NEEDS_CTRL_RESET;
		}
		if (sim->feat.async_event & AEC_FW_ACTIVATION)
			nvf_sim_event(sim, NVME_AER_NOTICE, FW_ACT_STARTING, NVME_LOG_LID_FW_SLOT);
		fw->active = fs;
		fw->next = 0;
		return 0;
	}
}

void nvf_sim_fw_reset(struct nvfio_sim *sim)
{
	if (sim->fw.next) {
		sim->fw.active = sim->fw.next;
		sim->fw.next = 0;
	}
	sim->fw.nranges = 0;
}

size_t nvf_sim_fw_log(struct nvfio_sim *sim, void *buf)
{
	struct nvme_firmware_slot *log = buf;

	log->afi = (uint8_t)(sim->fw.active | sim->fw.next << 4);
	for (unsigned int s = 0; s < sim->opts.fw_slots; s++)
		memcpy(log->frs[s], sim->fw.rev[s], 8);
	return sizeof(*log);
}
