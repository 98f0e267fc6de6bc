/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault injection (the rules and trip counters of <nvfio/sim.h>; its events are event.c's) and
 * the controller's counters.
 *
 * The I/O path looks at one relaxed counter (faults_armed) per command; only when a rule or trip
 * counter is armed does a command take the rule table's lock.
 */
#include <errno.h>
#include <string.h>

#include "sim/priv.h"
#include "support/error.h"

static uint64_t rng_next(struct nvfio_sim *sim)
{
	uint64_t x = sim->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	sim->rng = x;
	return x;
}

enum nvf_sim_fault_action nvf_sim_fault_check(struct nvfio_sim *sim, bool admin,
					      const struct nvf_sim_sqe *cmd, uint16_t *status,
					      uint64_t *delay_ns)
{
	enum nvf_sim_fault_action act = NVF_SIM_FAULT_NONE;
	unsigned int q = admin ? NVFIO_SIM_ADMIN : NVFIO_SIM_IO;

	pthread_mutex_lock(&sim->fault_lock);
	for (unsigned int i = 0; i < sim->nrules; i++) {
		struct nvf_sim_rule *r = &sim->rules[i];
		const struct nvfio_sim_fault *f = &r->f;

		if (!r->armed || !(f->queues & q))
			continue;
		if (f->opcode != NVFIO_SIM_ANY_OPCODE && f->opcode != cmd->opc)
			continue;
		if (f->nsid && f->nsid != cmd->nsid)
			continue;
		if (f->ppm && f->ppm < 1000000 && rng_next(sim) % 1000000 >= f->ppm)
			continue;
		r->hits++;
		if (f->count && r->hits >= f->count) {
			r->armed = false;
			atomic_fetch_sub(&sim->faults_armed, 1);
		}
		switch (f->kind) {
		case NVFIO_SIM_FAIL:
			*status = NVF_SIM_STATUS(f->sct, f->sc) | (f->dnr ? NVF_SIM_DNR : 0);
			NVF_SIM_STAT_ADD(sim, failed, 1);
			if (f->sct == NVME_SCT_MEDIA)
				atomic_fetch_add_explicit(&sim->media_errors, 1,
							  memory_order_relaxed);
			act = NVF_SIM_FAULT_FAIL;
			break;
		case NVFIO_SIM_HOLD:
			act = NVF_SIM_FAULT_HOLD;
			break;
		case NVFIO_SIM_DELAY:
			*delay_ns = f->delay_ns;
			act = NVF_SIM_FAULT_DELAY;
			break;
		}
		break;
	}
	pthread_mutex_unlock(&sim->fault_lock);
	return act;
}

/* One more command completed: count down the cfs= and remove= trips. */
void nvf_sim_fault_completed(struct nvfio_sim *sim)
{
	long long v;

	v = atomic_load(&sim->cfs_after);
	if (v > 0 && atomic_fetch_sub(&sim->cfs_after, 1) == 1) {
		atomic_fetch_sub(&sim->faults_armed, 1);
		nvf_sim_request_fatal(sim);
	}
	v = atomic_load(&sim->remove_after);
	if (v > 0 && atomic_fetch_sub(&sim->remove_after, 1) == 1) {
		atomic_fetch_sub(&sim->faults_armed, 1);
		nvf_sim_request_remove(sim);
	}
}

int nvfio_sim_fault_add(struct nvfio_sim *sim, const struct nvfio_sim_fault *f)
{
	int id;

	if (!f || !(f->queues & NVFIO_SIM_ANYQ) || (f->queues & ~(unsigned int)NVFIO_SIM_ANYQ) ||
	    f->opcode < NVFIO_SIM_ANY_OPCODE || f->opcode > 255 || f->sct > 7 || f->ppm > 1000000 ||
	    (f->kind != NVFIO_SIM_FAIL && f->kind != NVFIO_SIM_HOLD && f->kind != NVFIO_SIM_DELAY))
		return nvf_err(-EINVAL, "sim: malformed fault rule (kind, queues, opcode 0-255 or "
					"any, SCT 0-7, ppm up to 1000000)");
	pthread_mutex_lock(&sim->fault_lock);
	if (sim->nrules == NVF_SIM_MAX_RULES) {
		pthread_mutex_unlock(&sim->fault_lock);
		return nvf_err(
		    -ENOSPC,
		    "sim: %d fault rules already added to this controller, the most it "
		    "keeps: reuse a rule by widening its match, or open a new controller",
		    NVF_SIM_MAX_RULES);
	}
	id = (int)sim->nrules++;
	sim->rules[id].f = *f;
	sim->rules[id].hits = 0;
	sim->rules[id].armed = true;
	atomic_fetch_add(&sim->faults_armed, 1);
	pthread_mutex_unlock(&sim->fault_lock);
	return id;
}

/*
 * Arm what the address asked for (opts.c parsed it), before the threads start: the trip
 * counters, the rules and the events, in their order. 0, or -NVFIO_EBADOPT when it names more
 * rules or events than the controller keeps (nvfio_last_error() says so).
 */
int nvf_sim_fault_apply(struct nvfio_sim *sim, const struct nvf_sim_opts *o,
			const struct nvf_sim_inject *inj)
{
	atomic_store(&sim->cfs_after, o->cfs_after);
	atomic_store(&sim->remove_after, o->remove_after);
	for (unsigned int i = 0; i < inj->nfaults; i++)
		if (nvfio_sim_fault_add(sim, &inj->faults[i]) < 0)
			return -NVFIO_EBADOPT;
	for (unsigned int i = 0; i < inj->nevents; i++)
		if (nvfio_sim_post_event(sim, inj->events[i].type, inj->events[i].info,
					 inj->events[i].lid, 0) < 0)
			return -NVFIO_EBADOPT;
	return 0;
}

int nvfio_sim_fault_parse(struct nvfio_sim *sim, const char *rule)
{
	struct nvfio_sim_fault f;
	int ret = nvf_sim_parse_fault(rule, &f);

	if (ret)
		return ret;
	return nvfio_sim_fault_add(sim, &f);
}

int nvfio_sim_fault_remove(struct nvfio_sim *sim, int id)
{
	int ret = 0;

	pthread_mutex_lock(&sim->fault_lock);
	if (id < 0 || (unsigned int)id >= sim->nrules)
		ret = -ENOENT;
	else if (sim->rules[id].armed) {
		sim->rules[id].armed = false;
		atomic_fetch_sub(&sim->faults_armed, 1);
	}
	pthread_mutex_unlock(&sim->fault_lock);
	return ret;
}

void nvfio_sim_fault_clear(struct nvfio_sim *sim)
{
	pthread_mutex_lock(&sim->fault_lock);
	for (unsigned int i = 0; i < sim->nrules; i++) {
		if (sim->rules[i].armed) {
			sim->rules[i].armed = false;
			atomic_fetch_sub(&sim->faults_armed, 1);
		}
	}
	pthread_mutex_unlock(&sim->fault_lock);
}

long long nvfio_sim_fault_hits(struct nvfio_sim *sim, int id)
{
	long long hits;

	pthread_mutex_lock(&sim->fault_lock);
	hits = id < 0 || (unsigned int)id >= sim->nrules ? -ENOENT : (long long)sim->rules[id].hits;
	pthread_mutex_unlock(&sim->fault_lock);
	return hits;
}

void nvfio_sim_get_stats(struct nvfio_sim *sim, struct nvfio_sim_stats *stats)
{
	uint64_t io = 0;
	const _Atomic uint64_t *src = (const _Atomic uint64_t *)&sim->st;
	uint64_t *dst = (uint64_t *)stats;

	for (size_t i = 0; i < sizeof(*stats) / sizeof(uint64_t); i++)
		dst[i] = atomic_load_explicit(&src[i], memory_order_relaxed);
	for (unsigned int i = 0; i < sim->nthr; i++)
		io += atomic_load_explicit(&sim->thr[i].io_cmds, memory_order_relaxed);
	stats->io_commands = io;
}
