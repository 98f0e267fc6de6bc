/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Identify: what the driver reports matches what the controller was configured with - the
 * simulated controller's options, or (with a PCI address as argument, in the test VM) QEMU's
 * command line as the NVFIO_VM_* variables describe it - and the admin helpers (logs, features)
 * work. In the VM it also prints the time from opening the controller to its first I/O.
 */
#include <stdlib.h>
#include <time.h>

#include <nvme/types.h>

#include "nvme/nvme_test.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);

	if (!v)
		SKIP("%s not set: not in the test VM", name);
	return v;
}

/* In the test VM: compare with QEMU's configuration. */
static int vm(const char *addr)
{
	double t0 = now_ms(), ms_open, ms_io;
	struct nvfio_ctrl *ctrl = t_open(addr, NULL);
	const struct nvfio_ctrl_info *info = nvfio_ctrl_get_info(ctrl);
	unsigned int mdts = (unsigned int)atoi(env("NVFIO_VM_MDTS"));
	unsigned int nns = (unsigned int)atoi(env("NVFIO_VM_NS_COUNT"));
	unsigned int qpairs = (unsigned int)atoi(env("NVFIO_VM_MAX_IOQPAIRS"));
	unsigned int vectors = (unsigned int)atoi(env("NVFIO_VM_MSIX_QSIZE"));
	const char *blocks = env("NVFIO_VM_NS_BLOCKS"), *lbads = env("NVFIO_VM_LBADS");
	struct nvfio_qpair *qp;
	struct nvfio_ns *ns;
	unsigned int i;
	uint8_t *buf;

	ms_open = now_ms() - t0;
	ns = nvfio_ctrl_ns_next(ctrl, NULL);
	CHECK(ns);
	CHECK_OK(nvfio_qpair_alloc(ctrl, 32, 0, &qp));
	buf = t_alloc(ctrl, 4096);
	CHECK_OK(nvfio_read_sync(qp, ns, buf, 0, 1, NULL));
	ms_io = now_ms() - t0;
	printf("controller open: %.1f ms; open to first I/O: %.1f ms (%s)\n", ms_open, ms_io,
	       info->backend);

	printf("model '%s' serial '%s' fw '%s' version 0x%x mdts %llu queues %u vectors %u "
	       "sgls 0x%x shadow %d\n",
	       info->model, info->serial, info->firmware, info->version,
	       (unsigned long long)info->mdts, info->nr_io_queues, info->nr_vectors, info->sgls,
	       info->shadow_doorbells);
	CHECK(!strcmp(info->model, "QEMU NVMe Ctrl"));
	CHECK(!strcmp(info->serial, env("NVFIO_VM_SERIAL")));
	CHECK(info->vid == 0x1b36);
	CHECK(info->mdts == (mdts ? 4096ull << mdts : 0));
	CHECK(info->max_xfer == (mdts && (4096u << mdts) < (2u << 20) ? 4096u << mdts : 2u << 20));
	CHECK(info->nr_io_queues == (qpairs < 8 ? qpairs : 8));
	CHECK(info->nr_vectors == vectors);
	CHECK(info->shadow_doorbells); /* QEMU has Doorbell Buffer Config */
	CHECK(strstr(info->backend, "vfio"));
	for (i = 0, ns = nvfio_ctrl_ns_next(ctrl, NULL); ns;
	     ns = nvfio_ctrl_ns_next(ctrl, ns), i++) {
		const struct nvfio_ns_info *ni = nvfio_ns_get_info(ns);
		char *end;
		unsigned long long b = strtoull(blocks, &end, 10);
		unsigned long l = strtoul(lbads, (char **)&lbads, 10);

		blocks = end;
		printf("ns %u: %llu blocks of %u bytes (expected %llu of %u)\n", ni->nsid,
		       (unsigned long long)ni->nblocks, ni->block_size, b, 1u << l);
		CHECK(ni->nsid == i + 1);
		CHECK(ni->nblocks == b && ni->capacity == b);
		CHECK(ni->block_size == 1u << l);
	}
	CHECK(i == nns);
	CHECK_OK(nvfio_ctrl_close(ctrl));
	return T_EXIT_PASS;
}

/* On the simulated controller: compare with its options. */
static int sim(void)
{
	const char *addr = "sim:size=64M,namespaces=3,queues=5,mdts=6,serial=IDTEST42,"
			   "model=identify test model,firmware=9.9";
	const struct nvfio_ctrl_info *info;
	const struct nvfio_ns_info *ni;
	struct nvfio_ctrl *ctrl = t_open(addr, NULL);
	const struct nvme_id_ctrl *id = nvfio_ctrl_identify(ctrl);
	struct nvme_smart_log smart;
	struct nvme_firmware_slot fw;
	struct nvme_error_log_page err[4];
	struct nvfio_ns *ns;
	uint8_t page[4096];
	uint32_t result = 0, *list = (uint32_t *)page;
	unsigned int count = 0;

	info = nvfio_ctrl_get_info(ctrl);
	printf("model '%s' serial '%s' fw '%s' version 0x%x mdts %llu max_xfer %u queues %u "
	       "vectors %u sgls 0x%x shadow %d\n",
	       info->model, info->serial, info->firmware, info->version,
	       (unsigned long long)info->mdts, info->max_xfer, info->nr_io_queues, info->nr_vectors,
	       info->sgls, info->shadow_doorbells);
	CHECK(!strcmp(info->model, "identify test model"));
	CHECK(!strcmp(info->serial, "IDTEST42"));
	CHECK(!strcmp(info->firmware, "9.9"));
	CHECK(info->mdts == 4096u << 6);
	CHECK(info->max_xfer == 4096u << 6);
	CHECK(info->nr_io_queues == 5); /* 8 asked, 5 granted */
	CHECK(!strcmp(info->backend, "sim"));
	CHECK(id && id->mdts == 6);
	CHECK(info->nn >= 3);

	for (ns = nvfio_ctrl_ns_next(ctrl, NULL); ns; ns = nvfio_ctrl_ns_next(ctrl, ns)) {
		ni = nvfio_ns_get_info(ns);
		printf("ns %u: %llu blocks of %u bytes (+%u metadata), format %u of %u\n", ni->nsid,
		       (unsigned long long)ni->nblocks, ni->block_size, ni->meta_size, ni->lbaf,
		       ni->nlbaf + 1);
		CHECK(ni->block_size == 512);
		CHECK(ni->nblocks == (64u << 20) / 512);
		CHECK(ni->capacity == ni->nblocks);
		count++;
	}
	CHECK(count == 3);
	CHECK(nvfio_ctrl_ns(ctrl, 1) && nvfio_ctrl_ns(ctrl, 3) && !nvfio_ctrl_ns(ctrl, 4));
	CHECK(!nvfio_ctrl_ns(ctrl, 0));

	/* The same through the generic helpers. */
	CHECK_OK(nvfio_identify(ctrl, NVME_IDENTIFY_CNS_NS_ACTIVE_LIST, 0, page));
	CHECK(list[0] == 1 && list[1] == 2 && list[2] == 3 && list[3] == 0);
	CHECK_OK(nvfio_identify(ctrl, NVME_IDENTIFY_CNS_CTRL, 0, page));
	CHECK(!memcmp(((struct nvme_id_ctrl *)page)->sn, "IDTEST42", 8));

	CHECK_OK(
	    nvfio_get_log_page(ctrl, NVME_LOG_LID_SMART, NVME_NSID_ALL, 0, &smart, sizeof(smart)));
	CHECK_OK(nvfio_get_log_page(ctrl, NVME_LOG_LID_FW_SLOT, NVME_NSID_ALL, 0, &fw, sizeof(fw)));
	CHECK_OK(nvfio_get_log_page(ctrl, NVME_LOG_LID_ERROR, NVME_NSID_ALL, 0, err, sizeof(err)));
	CHECK_ERR(nvfio_get_log_page(ctrl, 1, NVME_NSID_ALL, 0, err, 6), -EINVAL);

	CHECK_OK(nvfio_get_features(ctrl, NVME_FEAT_FID_NUM_QUEUES, 0, 0, NULL, 0, &result));
	printf("number of queues feature: 0x%08x\n", result);
	CHECK((result & 0xffff) + 1 >= 5);
	/* Volatile Write Cache off and on again, read back each time. */
	CHECK_OK(
	    nvfio_set_features(ctrl, NVME_FEAT_FID_VOLATILE_WC, 0, 0, 0, false, NULL, 0, NULL));
	CHECK_OK(nvfio_get_features(ctrl, NVME_FEAT_FID_VOLATILE_WC, 0, 0, NULL, 0, &result));
	CHECK(result == 0);
	CHECK_OK(
	    nvfio_set_features(ctrl, NVME_FEAT_FID_VOLATILE_WC, 0, 1, 0, false, NULL, 0, NULL));
	CHECK_OK(nvfio_get_features(ctrl, NVME_FEAT_FID_VOLATILE_WC, 0, 0, NULL, 0, &result));
	CHECK(result == 1);
	CHECK_ERR(nvfio_set_features(ctrl, NVME_FEAT_FID_NUM_QUEUES, 0, 0, 0, false, NULL, 0, NULL),
		  -EINVAL);

	/* A bad admin command gets its status in words. */
	{
		struct nvfio_cmd cmd = {.opcode = 0xc5};
		struct nvfio_cqe cqe;

		CHECK_ERR(nvfio_admin_raw(ctrl, &cmd, NULL, 0, &cqe, 0), -NVFIO_ENVME);
		printf("raw 0xc5: %s\n", nvfio_last_error());
		CHECK(nvfio_status_sct(nvfio_cqe_status(&cqe)) == 0 &&
		      nvfio_status_sc(nvfio_cqe_status(&cqe)) == NVME_SC_INVALID_OPCODE);
		CHECK(strstr(nvfio_last_error(), "Invalid Command Opcode"));
	}
	CHECK_OK(nvfio_ctrl_check(ctrl));
	CHECK_OK(nvfio_ctrl_close(ctrl));
	return T_EXIT_PASS;
}

int main(int argc, char **argv)
{
	return argc > 1 ? vm(argv[1]) : sim();
}
