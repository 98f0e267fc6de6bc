/* SPDX-License-Identifier: BSD-3-Clause */
/* Asynchronous events: the outstanding request, and delivering what it brings. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nvme/admin.h"
#include "nvme/aer.h"
#include "nvme/ns.h"
#include "support/error.h"

static void aer_done(void *arg, int err, const struct nvfio_cqe *cqe);

/* Submit the request unless one is outstanding. Admin lock held. 0 or -EAGAIN. */
static int aer_request(struct nvfio_ctrl *ctrl)
{
	struct nvfio_cmd cmd = {.opcode = nvme_admin_async_event};
	int ret;

	if (ctrl->aer_outstanding || nvf_ctrl_failed(ctrl))
		return 0;
	ret = nvf_queue_submit(ctrl->admin, &cmd, 0, aer_done, ctrl);
	if (ret == 0)
		ctrl->aer_outstanding = true;
	return ret;
}

/* Runs in the admin queue's reap, with the admin lock held. */
static void aer_done(void *arg, int err, const struct nvfio_cqe *cqe)
{
	struct nvfio_ctrl *ctrl = arg;
	uint16_t status = nvfio_cqe_status(cqe);

	ctrl->aer_outstanding = false;
	if (err)
		return;
	if (status) {
		/* Aborted (queue deletion, shutdown) or refused: stop asking. */
		ctrl->aer_enabled = false;
		return;
	}
	if (ctrl->nevents < NVF_EVENTS_MAX) {
		struct nvfio_event *ev = &ctrl->events[ctrl->nevents++];

		ev->type = (uint8_t)NVF_AER_TYPE(cqe->cdw0);
		ev->info = (uint8_t)NVF_AER_INFO(cqe->cdw0);
		ev->log_page = (uint8_t)NVF_AER_LID(cqe->cdw0);
		ev->cdw0 = cqe->cdw0;
	}
	/* Ask again at once; with no room now, the next nvfio_ctrl_poll_admin() asks. */
	aer_request(ctrl);
}

int nvf_aer_start_locked(struct nvfio_ctrl *ctrl)
{
	ctrl->aer_enabled = true;
	if (aer_request(ctrl) < 0)
		return nvf_err(-EAGAIN, "no room in the admin queue of %s for an event request",
			       ctrl->address);
	return 0;
}

/* Keep @ev for the callback (admin lock held): the oldest goes when there is no room. */
static void aer_hold(struct nvfio_ctrl *ctrl, const struct nvfio_event *ev)
{
	if (ctrl->nheld == NVF_EVENTS_MAX)
		memmove(&ctrl->held[0], &ctrl->held[1], --ctrl->nheld * sizeof(ctrl->held[0]));
	ctrl->held[ctrl->nheld++] = *ev;
}

void nvf_aer_deliver(struct nvfio_ctrl *ctrl)
{
	void (*cb)(void *arg, const struct nvfio_event *ev);
	struct nvfio_event ev;
	uint8_t *log;
	void *arg;

	pthread_mutex_lock(&ctrl->admin_lock);
	if (ctrl->events_busy || (!ctrl->nevents && !(ctrl->nheld && ctrl->event_cb))) {
		pthread_mutex_unlock(&ctrl->admin_lock);
		return;
	}
	ctrl->events_busy = true;
	pthread_mutex_unlock(&ctrl->admin_lock);

	/* What the events ask of the host, whether or not anyone listens: the log page read
	 * (which lets the controller report the next event of its type), the rescan. */
	log = malloc(NVF_PAGE_SIZE);
	for (;;) {
		pthread_mutex_lock(&ctrl->admin_lock);
		if (!ctrl->nevents) {
			pthread_mutex_unlock(&ctrl->admin_lock);
			break;
		}
		ev = ctrl->events[0];
		memmove(&ctrl->events[0], &ctrl->events[1],
			--ctrl->nevents * sizeof(ctrl->events[0]));
		pthread_mutex_unlock(&ctrl->admin_lock);

		if (ev.log_page && log) {
			size_t len = ev.log_page == NVME_LOG_LID_ERROR	 ? 64
				     : ev.log_page == NVME_LOG_LID_SMART ? 512
									 : NVF_PAGE_SIZE;

			nvf_admin_get_log(ctrl, ev.log_page, NVME_NSID_ALL, 0, log, len);
		}
		if (ev.type == NVME_AER_NOTICE && ev.info == NVME_AER_NOTICE_NS_CHANGED)
			nvf_ns_scan(ctrl);
		pthread_mutex_lock(&ctrl->admin_lock);
		aer_hold(ctrl, &ev);
		pthread_mutex_unlock(&ctrl->admin_lock);
	}
	free(log);

	/* Then to the callback, in order; kept while there is none. */
	for (;;) {
		pthread_mutex_lock(&ctrl->admin_lock);
		cb = ctrl->event_cb;
		arg = ctrl->event_arg;
		if (!cb || !ctrl->nheld) {
			ctrl->events_busy = false;
			pthread_mutex_unlock(&ctrl->admin_lock);
			break;
		}
		ev = ctrl->held[0];
		memmove(&ctrl->held[0], &ctrl->held[1], --ctrl->nheld * sizeof(ctrl->held[0]));
		pthread_mutex_unlock(&ctrl->admin_lock);
		cb(arg, &ev);
	}
}

void nvfio_ctrl_set_event_cb(struct nvfio_ctrl *ctrl,
			     void (*cb)(void *arg, const struct nvfio_event *ev), void *arg)
{
	if (!nvf_ctrl_live(ctrl))
		return;
	pthread_mutex_lock(&ctrl->admin_lock);
	ctrl->event_cb = cb;
	ctrl->event_arg = arg;
	pthread_mutex_unlock(&ctrl->admin_lock);
}

int nvfio_ctrl_poll_admin(struct nvfio_ctrl *ctrl)
{
	int n, ret = nvf_ctrl_usable(ctrl, "nvfio_ctrl_poll_admin");

	if (ret)
		return ret;
	ret = nvf_dev_check(ctrl->dev);
	if (ret < 0)
		return ret;
	pthread_mutex_lock(&ctrl->admin_lock);
	if (ctrl->admin_efd >= 0) {
		uint64_t v;

		if (read(ctrl->admin_efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			v = 0;
	}
	n = nvf_admin_poll_locked(ctrl);
	if (ctrl->aer_enabled)
		aer_request(ctrl);
	pthread_mutex_unlock(&ctrl->admin_lock);
	nvf_aer_deliver(ctrl);
	return n;
}
