/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_SIM_H
#define NVFIO_SIM_H

/*
 * Fault injection into the built-in NVMe controller ("sim:").
 *
 * A controller opened with the address "sim:..." is a software model of an NVMe device that runs
 * on its own thread. struct nvfio_sim is that model; a program reaches it through the controller
 * it opened (nvfio_ctrl_sim()) and uses the calls below to make the device misbehave the way real
 * devices do, to test how the program copes. Every injected fault is counted
 * (nvfio_sim_get_stats(), nvfio_sim_fault_hits()), so a test can tell that it really happened.
 *
 * The same faults can be asked for in the address, after "sim:" (see nvfio_sim_fault_parse()):
 *   fail=<q>:<opcode>:<sct>:<sc>[:<count>|:<percent>%]   fail matching commands with a status
 *   hold=<q>:<opcode>[:<count>]                          never complete them (until Abort/reset)
 *   delay=<q>:<opcode>:<microseconds>[:<count>]          complete them late
 *   cfs=<n>        raise CSTS.CFS after n completed commands (0: as soon as it is enabled)
 *   remove=<n>     become removed after n completed commands (0: from the start)
 *   idpatch=<cns>:<nsid|any>:<offset>:<hex bytes>[:<repeat>]   return Identify data of that
 *                  CNS (and namespace) with these bytes written at offset, repeat times over
 *                  (a broken device: idpatch=1:any:77:40 is an MDTS of 64)
 *   event=<type>:<info>:<log page>                       post an asynchronous event at enable
 * where <q> is "admin", "io" or "any" and <opcode> a number (0x02) or "any".
 *
 * All functions are safe to call from any thread while the controller runs. They return 0 (or a
 * count, or an id) on success and a negative error code (see <nvfio/error.h>) on failure.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct nvfio_sim;

/* Which submission queues a fault rule matches. */
enum nvfio_sim_queue {
	NVFIO_SIM_ADMIN = 1u << 0, /* the admin queue */
	NVFIO_SIM_IO = 1u << 1,	   /* every I/O queue */
	NVFIO_SIM_ANYQ = NVFIO_SIM_ADMIN | NVFIO_SIM_IO,
};

/* What a fault rule does to the commands it matches. */
enum nvfio_sim_fault_kind {
	/* Complete the command at once with status sct/sc (and DNR if asked), doing nothing. */
	NVFIO_SIM_FAIL = 1,
	/* Never complete it: the controller keeps it until an Abort names it (which completes it
	 * with "Command Abort Requested"), its submission queue is deleted ("Command Aborted due to
	 * SQ Deletion"), or the controller is reset or disabled (then it is dropped). */
	NVFIO_SIM_HOLD = 2,
	/* Carry the command out, then post its completion delay_ns later. */
	NVFIO_SIM_DELAY = 3,
};

/* Opcode value that matches every opcode. */
#define NVFIO_SIM_ANY_OPCODE (-1)

struct nvfio_sim_fault {
	enum nvfio_sim_fault_kind kind;
	unsigned int queues; /* enum nvfio_sim_queue bits */
	int opcode;	     /* 0..255, or NVFIO_SIM_ANY_OPCODE */
	/* Only for commands that name this namespace; 0 for any. */
	uint32_t nsid;
	/* How many matching commands to hit before the rule retires itself; 0: no limit. */
	uint32_t count;
	/* Hit a matching command with this probability, in parts per million; 0 means always
	 * (1000000). A miss does not use up the count. */
	uint32_t ppm;
	/* NVFIO_SIM_FAIL: the status to complete with (SCT 0..7, SC 0..255, Do Not Retry). */
	uint8_t sct;
	uint8_t sc;
	uint8_t dnr;
	/* NVFIO_SIM_DELAY: how long after the command is carried out its completion is posted. */
	uint64_t delay_ns;
};

/*
 * nvfio_sim_fault_add() - add a fault rule
 *
 * Rules are checked in the order they were added; the first matching rule that hits applies.
 * Returns the rule's id (>= 0) for nvfio_sim_fault_hits() and nvfio_sim_fault_remove(), -EINVAL
 * for a malformed rule, -ENOSPC when 32 rules have been added to this controller (a removed rule
 * keeps its id and its count of hits, so it still takes its place).
 */
int nvfio_sim_fault_add(struct nvfio_sim *sim, const struct nvfio_sim_fault *fault);

/*
 * nvfio_sim_fault_parse() - add a fault rule written as in the address ("fail=io:0x02:2:0x81:1")
 *
 * Returns the rule's id, or -NVFIO_EBADOPT (nvfio_last_error() names the accepted form),
 * -ENOSPC.
 */
int nvfio_sim_fault_parse(struct nvfio_sim *sim, const char *rule);

/* Disarm one rule (its hits stay readable). 0 or -ENOENT. */
int nvfio_sim_fault_remove(struct nvfio_sim *sim, int id);

/* Disarm every rule and stop delaying; commands already held stay held. */
void nvfio_sim_fault_clear(struct nvfio_sim *sim);

/* How many commands rule @id has hit so far, or -ENOENT. */
long long nvfio_sim_fault_hits(struct nvfio_sim *sim, int id);

/*
 * nvfio_sim_fatal() - raise Controller Fatal Status
 *
 * CSTS.CFS reads 1 and the controller stops processing commands, as a device does after an
 * internal error, until the host resets it (CC.EN to 0) or resets the function.
 */
void nvfio_sim_fatal(struct nvfio_sim *sim);

/*
 * nvfio_sim_remove() - surprise removal
 *
 * From now on every register reads all-ones and nothing completes or interrupts, as when a
 * device is pulled out or falls off the bus; a function-level reset does not bring it back.
 */
void nvfio_sim_remove(struct nvfio_sim *sim);

/* Asynchronous event types (the spec's Asynchronous Event Type values). */
enum {
	NVFIO_SIM_AER_ERROR = 0,
	NVFIO_SIM_AER_SMART = 1,
	NVFIO_SIM_AER_NOTICE = 2,
	NVFIO_SIM_AER_IO_CMD_SET = 6,
	NVFIO_SIM_AER_VENDOR = 7,
};

/*
 * nvfio_sim_post_event() - post an asynchronous event
 * @type: NVFIO_SIM_AER_* (0..7)
 * @info: Asynchronous Event Information (0..255)
 * @lid:  the log page the host reads to clear it (0..255)
 * @nsid: for a Namespace Attribute Changed notice (type 2, info 0): the namespace recorded in the
 *        Changed Namespace List log page; 0 otherwise
 *
 * Completes an outstanding Asynchronous Event Request, or is queued until one arrives; as the
 * spec says, further events of a type stay queued until the host has read the log page of the
 * last one reported. Returns 0, -EINVAL, or -ENOSPC when 64 events are already queued.
 */
int nvfio_sim_post_event(struct nvfio_sim *sim, unsigned int type, unsigned int info,
			 unsigned int lid, uint32_t nsid);

/* What the controller has done, for tests that check a fault took effect. */
struct nvfio_sim_stats {
	uint64_t admin_commands; /* admin commands fetched */
	uint64_t io_commands;	 /* I/O commands fetched */
	uint64_t failed;	 /* completed with an injected status (NVFIO_SIM_FAIL) */
	uint64_t held;		 /* kept without completion (NVFIO_SIM_HOLD) */
	uint64_t holding;	 /* of those, held right now */
	uint64_t aborted;	 /* held commands completed by an Abort */
	uint64_t sq_deleted;	 /* held commands completed by the deletion of their SQ */
	uint64_t dropped;	 /* held or delayed commands dropped by a reset or disable */
	uint64_t delayed;	 /* completions posted late (NVFIO_SIM_DELAY) */
	uint64_t fatal;		 /* times CSTS.CFS was raised (by nvfio_sim_fatal() or cfs=) */
	uint64_t removed;	 /* 1 once the device has been removed */
	uint64_t events_posted;	 /* asynchronous events posted (by the API or by the controller) */
	uint64_t events_completed; /* Asynchronous Event Requests completed with an event */
	uint64_t aer_outstanding;  /* Asynchronous Event Requests held right now */
	uint64_t resets;	   /* controller resets (CC.EN 1 to 0) and function-level resets */
	uint64_t enables;	   /* times the controller became ready */
	uint64_t shutdowns;	   /* shutdowns completed (CSTS.SHST complete) */
	uint64_t errors_logged; /* commands that completed with an error (the error log's count) */
	uint64_t reserved[14];
};

/* Fill @stats with the controller's counters. */
void nvfio_sim_get_stats(struct nvfio_sim *sim, struct nvfio_sim_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* NVFIO_SIM_H */
