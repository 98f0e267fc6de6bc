/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_NVME_CTRL_H
#define NVFIO_NVME_CTRL_H

/* The controller and namespace objects, and what the files of nvme/ share about them. */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <nvfio/nvme.h>

#include "nvme/dev.h"
#include "nvme/qpair.h"
#include "nvme/spec.h"

struct nvfio_ns {
	/* Read by every I/O submission (nsze is 0 while the namespace takes no I/O). */
	struct nvfio_ns_io io;
	uint32_t max_nlb; /* blocks one command may carry */
	bool active;
	struct nvfio_ctrl *ctrl;
	struct nvfio_ns_info info;
};

/*
 * Bring-up states, in order.
 *
 * What a controller reset will build on: it re-enters at NVF_INIT_DISABLE with the admin queue
 * pair's memory kept (nvf_qpair_init() allocates, the states only program registers), then
 * re-creates each I/O queue from the memory its struct nvfio_qpair already holds
 * (nvf_nvme_create_qpair()), so application handles stay valid. Every outstanding command is
 * found by its tracker marker (nvf_trk_busy()) and completed once, by nvf_qpair_fail_all() on
 * the owning thread; until then nvf_qpair_poison() sends that thread's submissions to the slow
 * path, which sees the state. Per-command deadlines go in the same trackers (a stamp in a field
 * of their own: a depth-1024 queue pair stays under its memory budget with 40-byte trackers),
 * checked where nvfio_qpair_wait() already reads the clock, escalating to Abort and then to the
 * reset. A vfio-user device is one more struct nvf_nvme_dev backend.
 */
enum nvf_init_state {
	NVF_INIT_DISABLE,	/* CC.EN = 0 (after RDY = 1 if an enable was in progress) */
	NVF_INIT_WAIT_DISABLED, /* CSTS.RDY = 0 */
	NVF_INIT_ADMIN_QUEUE,	/* AQA, ASQ, ACQ */
	NVF_INIT_IRQ,		/* MSI-X for the admin queue, before CC.EN (QEMU 7.2 needs it so) */
	NVF_INIT_ENABLE,	/* CC with IOSQES, IOCQES, MPS, CSS, then EN */
	NVF_INIT_WAIT_READY,	/* CSTS.RDY = 1 */
	NVF_INIT_IDENTIFY,	/* Identify Controller */
	NVF_INIT_QUEUES,	/* Set Features, Number of Queues */
	NVF_INIT_DBBUF,		/* Doorbell Buffer Config */
	NVF_INIT_NAMESPACES,	/* active namespace list, Identify Namespace for each */
	NVF_INIT_AER,		/* Asynchronous Event Request */
	NVF_INIT_DONE,
};

#define NVF_ADMIN_DEPTH 31u
#define NVF_EVENTS_MAX	8u
#define NVF_SCRATCH	(4u * NVF_PAGE_SIZE)

struct nvfio_ctrl {
	struct nvf_nvme_dev *dev;
	struct nvfio_ctrl_opts opts;
	char *address;
	uint64_t cap;
	uint32_t dstrd;		       /* doorbell stride, bytes */
	unsigned int ready_timeout_ms; /* CAP.TO */
	enum nvf_init_state state;
	int failed; /* 0, -NVFIO_EFATAL or -NVFIO_EREMOVED, once seen */

	struct nvfio_ctrl_info info;
	struct nvme_id_ctrl *id;
	uint32_t max_xfer;
	bool sgl;

	/* lock: the queue pair list and queue ids. admin_lock: the admin queue and the rest of
	 * this block. Never taken in the other order. */
	pthread_mutex_t lock;
	pthread_mutex_t admin_lock;
	struct nvfio_qpair *admin;
	void *scratch;	  /* DMA bounce buffer of NVF_SCRATCH bytes for admin data */
	bool aer_enabled; /* keep an event request outstanding */
	int admin_efd;
	bool aer_outstanding;
	bool events_busy;
	void (*event_cb)(void *arg, const struct nvfio_event *ev);
	void *event_arg;
	struct nvfio_event events[NVF_EVENTS_MAX];
	unsigned int nevents;

	/* I/O queue pairs. */
	unsigned int nr_io; /* granted */
	bool *qid_used;	    /* [1 .. nr_io] */
	struct nvfio_qpair *qpairs;
	int *irq_efd; /* [0 .. nr_vectors): eventfds bound, -1 none */
	/* Memory of queues the controller may still own (lock): freed once it is disabled. */
	void **kept_dma;
	unsigned int nkept;

	/* Shadow doorbells: two pages, doorbells then event indexes. */
	void *dbbuf;
	uint64_t dbbuf_iova;

	/* Namespaces by nsid, [1 .. nn]; ns_lock serialises scans (taken before admin_lock). */
	pthread_mutex_t ns_lock;
	struct nvfio_ns **ns;
	uint32_t nn;
};

/* The controller's failure (0 while it runs): set once, from whichever thread sees it. */
static inline int nvf_nvme_failed(const struct nvfio_ctrl *ctrl)
{
	return __atomic_load_n(&ctrl->failed, __ATOMIC_RELAXED);
}

/* Doorbell register of SQ @qid (@cq false) or CQ @qid. */
static inline uint32_t nvf_db_offset(const struct nvfio_ctrl *ctrl, uint16_t qid, bool cq)
{
	return NVF_DOORBELL_BASE + (2u * qid + cq) * ctrl->dstrd;
}

/* ctrl.c */
int nvf_nvme_ctrl_check(struct nvfio_ctrl *ctrl);
uint64_t nvf_nvme_now_ms(void);
void nvf_nvme_backoff(unsigned int *us);
unsigned int nvf_nvme_dma_flags(const struct nvfio_ctrl *ctrl);
void nvf_nvme_ctrl_keep_dma(struct nvfio_ctrl *ctrl, void *mem);

/* admin.c */
int nvf_nvme_admin_exec(struct nvfio_ctrl *ctrl, struct nvfio_cmd *cmd, void *buf, size_t len,
			struct nvfio_cqe *cqe, unsigned int timeout_ms);
int nvf_nvme_admin_poll_locked(struct nvfio_ctrl *ctrl);
void nvf_nvme_admin_events(struct nvfio_ctrl *ctrl);
int nvf_nvme_aer_submit_locked(struct nvfio_ctrl *ctrl);
int nvf_nvme_create_qpair(struct nvfio_ctrl *ctrl, struct nvfio_qpair *qp);
int nvf_nvme_delete_qpair(struct nvfio_ctrl *ctrl, struct nvfio_qpair *qp);
int nvf_nvme_status_err(uint16_t status, const char *what);

/* ns.c */
int nvf_nvme_ns_scan(struct nvfio_ctrl *ctrl);
bool nvf_nvme_ns_scanning(void);
void nvf_nvme_ns_free(struct nvfio_ctrl *ctrl);

#endif /* NVFIO_NVME_CTRL_H */
