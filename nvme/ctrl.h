/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_NVME_CTRL_H
#define NVFIO_NVME_CTRL_H

/*
 * The controller object, as the files of nvme/ share it. This header declares no functions:
 * each part of the driver works on the object through its own header (admin.h, aer.h, ioq.h,
 * ns.h), and init.c, which brings the controller up and down, sits above them all.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <nvfio/nvme.h>

#include "nvme/dev.h"
#include "nvme/queue.h"
#include "nvme/spec.h"
#include "support/error.h"

/*
 * Bring-up states, in order (init.c). A controller reset re-enters at NVF_INIT_DISABLE with the
 * admin queue's memory kept: the states program registers and send commands, the memory is
 * allocated once.
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
	NVF_INIT_AER,		/* Asynchronous Event Configuration, then Request */
	NVF_INIT_FEATURES,	/* after a reset: the features the application set, again */
	NVF_INIT_DONE,
};

#define NVF_ADMIN_DEPTH 31u
/* Default deadlines of admin and I/O commands (nvfio_ctrl_opts). */
#define NVF_ADMIN_TIMEOUT_MS 10000u
#define NVF_IO_TIMEOUT_MS    30000u
#define NVF_EVENTS_MAX	8u
#define NVF_SCRATCH	(4u * NVF_PAGE_SIZE)

/* A feature value the application set. */
struct nvf_feat {
	struct nvf_feat *next;
	uint8_t fid;
	uint32_t nsid, cdw11, cdw12;
	uint32_t len;
	uint8_t data[]; /* @len bytes of the feature's data structure */
};

struct nvfio_ctrl {
	uint32_t magic; /* NVF_MAGIC_LIVE until closed (checked builds keep it, dead) */
	struct nvf_dev *dev;
	struct nvfio_ctrl_opts opts;
	char *address;
	unsigned int ready_timeout_ms; /* CAP.TO */
	enum nvf_init_state state;

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
	unsigned int admin_orphans; /* timed-out commands the controller would not abort */
	bool events_busy;
	void (*event_cb)(void *arg, const struct nvfio_event *ev);
	void *event_arg;
	struct nvfio_event events[NVF_EVENTS_MAX]; /* reaped, their log pages not read yet */
	unsigned int nevents;
	struct nvfio_event held[NVF_EVENTS_MAX]; /* handled, for the callback */
	unsigned int nheld;

	/* I/O queue pairs. */
	unsigned int nr_io; /* granted */
	bool *qid_used;	    /* [1 .. nr_io] */
	struct nvfio_qpair *qpairs;

	/* Shadow doorbells: two pages, doorbells then event indexes. */
	void *dbbuf;
	uint64_t dbbuf_iova;

	/* Controller reset: reset_lock serialises resets, and queue pair creation with them
	 * (taken before every other lock). While resetting, admin commands of other threads wait
	 * on reset_cond (with admin_lock); reset_gen counts the resets that brought the
	 * controller back. */
	pthread_mutex_t reset_lock;
	pthread_cond_t reset_cond;
	bool resetting;
	pthread_t reset_thread;
	uint32_t reset_gen;

	/* Told of resets, failure and removal (nvfio_ctrl_set_state_cb()). */
	nvfio_state_cb state_cb;
	void *state_arg;

	/* Features the application set (nvfio_set_features()), the latest per fid and nsid, in
	 * the order they were set, to be set again after a reset. feat_lock: the list (never held while taking
	 * another lock but admin_lock, through the commands that set them again). */
	pthread_mutex_t feat_lock;
	struct nvf_feat *feats;

	/* Namespaces by nsid, [1 .. nn]; ns_lock serialises scans (taken before admin_lock). */
	pthread_mutex_t ns_lock;
	struct nvfio_ns **ns;
	uint32_t nn;
};

/* Whether the application may use @ctrl (for @what, in messages): not NULL, and in a checked
 * build not closed. 0, -EINVAL or -EBADF. */
static inline int nvf_ctrl_usable(const struct nvfio_ctrl *ctrl, const char *what)
{
	if (!ctrl)
		return nvf_err(-EINVAL, "%s: the controller is NULL", what);
	if (NVF_CHECKED && ctrl->magic != NVF_MAGIC_LIVE)
		return nvf_err(-EBADF, "%s: controller %p used after nvfio_ctrl_close()", what,
			       (const void *)ctrl);
	return 0;
}

/* nvf_ctrl_usable() for the calls that return no error code: whether to go on. */
static inline bool nvf_ctrl_live(const struct nvfio_ctrl *ctrl)
{
	return ctrl && (!NVF_CHECKED || ctrl->magic == NVF_MAGIC_LIVE);
}

/* The controller's failure (0 while it runs). */
static inline int nvf_ctrl_failed(const struct nvfio_ctrl *ctrl)
{
	return nvf_dev_failed(ctrl->dev);
}

#endif /* NVFIO_NVME_CTRL_H */
