/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_NVME_H
#define NVFIO_NVME_H

/*
 * The NVMe driver: controllers, namespaces, queue pairs and commands.
 *
 * A program opens a controller by address (nvfio_ctrl_open()), finds its namespaces
 * (nvfio_ctrl_ns_next()), allocates one queue pair per I/O thread (nvfio_qpair_alloc()) and
 * submits commands on it (nvfio_read(), nvfio_write(), ...). Completions are reaped by polling
 * (nvfio_qpair_poll()) or by waiting (nvfio_qpair_wait(), which sleeps on the queue pair's
 * interrupt when it has one); each command's callback then runs on the polling thread.
 *
 * Threads: a queue pair belongs to one thread at a time and is not locked; the submission and
 * completion functions on it take no lock, make no system call and allocate nothing. Controller
 * functions (admin commands, queue pair allocation) may be called from any thread.
 *
 * Errors: functions return 0 (or a count) or a negative error, -errno or -NVFIO_E*
 * (<nvfio/error.h>); nvfio_last_error() then says what failed and what to do. A command's own
 * NVMe status is not an error of the call that submitted it: it reaches the command's callback.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <nvfio/error.h>
#include <nvfio/vfio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct nvfio_ctrl;
struct nvfio_ns;
struct nvfio_qpair;
struct nvfio_dma;
struct nvfio_sim;

/* ---- Commands and completions (NVMe base specification layouts) ---- */

/*
 * A submission queue entry. For raw passthrough the caller fills the opcode, nsid and command
 * dwords; nvfio fills the command identifier and the data pointer (dptr) from the buffer given.
 */
struct nvfio_cmd {
	uint8_t opcode;
	uint8_t flags; /* fuse (bits 1:0); PSDT (bits 7:6) is nvfio's */
	uint16_t cid;  /* nvfio's */
	uint32_t nsid;
	uint32_t cdw2;
	uint32_t cdw3;
	uint64_t mptr;
	uint64_t dptr[2]; /* nvfio's: PRP1/PRP2 or one SGL descriptor */
	uint32_t cdw10;
	uint32_t cdw11;
	uint32_t cdw12;
	uint32_t cdw13;
	uint32_t cdw14;
	uint32_t cdw15;
};

/* A completion queue entry, as the controller wrote it. */
struct nvfio_cqe {
	uint32_t cdw0; /* command specific result */
	uint32_t cdw1;
	uint16_t sqhd;
	uint16_t sqid;
	uint16_t cid;
	uint16_t status; /* phase tag in bit 0, the status field above it: use nvfio_cqe_status() */
};

/*
 * The status field of a completion (15 bits): SC in bits 7:0, SCT in 10:8, CRD in 12:11, More in
 * bit 13, DNR in bit 14. 0 means success.
 */
static inline uint16_t nvfio_cqe_status(const struct nvfio_cqe *cqe)
{
	return (uint16_t)(cqe->status >> 1);
}

/* Status Code Type: 0 generic, 1 command specific, 2 media and data integrity, 3 path, 7 vendor. */
static inline unsigned int nvfio_status_sct(uint16_t status)
{
	return (status >> 8) & 0x7;
}

/* Status Code, to be read with its type. */
static inline unsigned int nvfio_status_sc(uint16_t status)
{
	return status & 0xff;
}

/* Do Not Retry: the same command would fail again. */
static inline bool nvfio_status_dnr(uint16_t status)
{
	return (status >> 14) & 1;
}

/* More: the Error Information log page has more about this failure. */
static inline bool nvfio_status_more(uint16_t status)
{
	return (status >> 13) & 1;
}

/*
 * nvfio_status_str() - a status field in words
 * @status: nvfio_cqe_status() of a completion
 *
 * Returns a string such as "Invalid Namespace or Format (SCT 0x0, SC 0x0b)", never NULL, in a
 * buffer of the calling thread that the next call on that thread overwrites.
 */
const char *nvfio_status_str(uint16_t status);

/*
 * The status nvfio puts in the completion it makes up for a command that the controller did not
 * complete (callback's err < 0): Command Aborted By Host (SCT 3, SC 0x71), Do Not Retry.
 */
#define NVFIO_STATUS_HOST_ABORTED 0x4371

/*
 * A command's completion callback.
 * @arg: the caller's argument given at submission
 * @err: 0 when the controller completed the command (its status may still be non-zero: check
 *       nvfio_cqe_status(@cqe)); negative when nvfio completed it without the controller:
 *       -ECANCELED (queue pair freed or controller closed with the command outstanding),
 *       -NVFIO_ETIMEDOUT, -NVFIO_EFATAL, -NVFIO_EREMOVED. The status is then
 *       NVFIO_STATUS_HOST_ABORTED.
 * @cqe: the completion; valid only during the call. For a request nvfio split into several
 *       commands, the last command's completion carrying the status of the first that failed.
 *
 * Runs on the thread that polls the queue pair. It may submit new commands to the same queue
 * pair (their doorbell is rung once when the poll ends) but must not poll it, wait on it, use a
 * synchronous helper on it or free it: the completion being delivered is not yet consumed.
 */
typedef void (*nvfio_cb)(void *arg, int err, const struct nvfio_cqe *cqe);

/* ---- Opening a controller ---- */

struct nvfio_event;

/* Options of nvfio_ctrl_open(); nvfio_ctrl_opts_init() sets the defaults shown. */
struct nvfio_ctrl_opts {
	/* I/O queue pairs to ask the controller for; fewer may be granted (default 8). */
	unsigned int nr_io_queues;
	/* Default number of commands a queue pair holds outstanding (default 256). Its rings get
	 * one entry more; at most CAP.MQES. */
	unsigned int queue_depth;
	/* Give the admin queue and each I/O queue pair an MSI-X vector bound to an eventfd
	 * (default false: polled completions only). */
	bool interrupts;
	/* Back the driver's own DMA memory (queues, PRP lists) with 2 MiB hugepages (default
	 * false; always so in no-IOMMU mode). */
	bool hugepages;
	/* Use the controller's shadow doorbells (Doorbell Buffer Config) where it has them
	 * (default true). */
	bool shadow_doorbells;
	/* IOMMU or no-IOMMU for a PCI address, as the VFIO layer's contexts take it (default
	 * NVFIO_IOMMU_OPEN_AUTO; no-IOMMU mode needs root and hugepages). */
	enum nvfio_iommu_open_mode iommu;
	/* Deadline of an admin command (default 10000; 0 for the default). */
	unsigned int admin_timeout_ms;
	/* Deadline of an I/O command, asynchronous or synchronous (default 30000; 0 for the
	 * default); nvfio_qpair_set_timeout() sets it per queue pair. */
	unsigned int io_timeout_ms;
	/* Times an I/O command outstanding at a controller reset is submitted again once the
	 * reset is over, before it completes with -NVFIO_ERESET (default 0: never). Above 0,
	 * every command of the controller's queue pairs takes the library's general path, which
	 * keeps a copy of it: see nvfio_ctrl_reset(). */
	unsigned int reset_retries;
	/* Asynchronous events from the start (as nvfio_ctrl_set_event_cb() sets later), so that
	 * one pending at enable reaches the application (default NULL). */
	void (*event_cb)(void *arg, const struct nvfio_event *ev);
	void *event_arg;
	/* Room for options of later releases; keep zero. */
	uint32_t reserved[2];
};

/* nvfio_ctrl_opts_init() - fill @opts with the defaults. */
void nvfio_ctrl_opts_init(struct nvfio_ctrl_opts *opts);

/*
 * nvfio_ctrl_open() - open and bring up an NVMe controller
 * @address: which controller:
 *           "0000:01:00.0", "01:00.0" or "pci:0000:01:00.0" - a PCI function bound to vfio-pci;
 *           "sim:" or "sim:OPTIONS" - the built-in simulated controller
 *           (OPTIONS as in "sim:size=1G,lbads=512,namespaces=2"; see <nvfio/sim.h>);
 *           "vfio-user:/path/to/socket" is reserved for a vfio-user server.
 * @opts:    options, or NULL for the defaults
 * @out:     receives the controller
 *
 * Resets the controller, sets up its admin queue, enables it, identifies it, asks for the I/O
 * queues, discovers the active namespaces and leaves an Asynchronous Event Request outstanding.
 * Every wait is bounded by the controller's CAP.TO.
 *
 * Returns 0, -NVFIO_EBADADDR / -NVFIO_EBADOPT (bad address or option), the errors of
 * nvfio_vfio_open() for a PCI address, -NVFIO_ETIMEDOUT (the controller did not become ready),
 * -NVFIO_EFATAL (it reported a fatal status), -NVFIO_EREMOVED (its registers read all-ones),
 * -NVFIO_ENVME (a bring-up command failed), -ENOTSUP (vfio-user), -ENOMEM.
 */
int nvfio_ctrl_open(const char *address, const struct nvfio_ctrl_opts *opts,
		    struct nvfio_ctrl **out);

/*
 * nvfio_ctrl_close() - shut the controller down and release everything
 *
 * No other thread may use the controller or its queue pairs any more. Frees the queue pairs still
 * allocated (as nvfio_qpair_free(): their callbacks run here), performs a normal shutdown (CC.SHN,
 * bounded by RTD3E, at least 5 s), and releases interrupts, the device and its DMA space with
 * every buffer allocated or registered in it. NULL is ignored.
 * Returns 0, or -NVFIO_ETIMEDOUT / -NVFIO_EFATAL / -NVFIO_EREMOVED when the shutdown did not
 * complete cleanly; everything is released in every case.
 */
int nvfio_ctrl_close(struct nvfio_ctrl *ctrl);

/* What the controller is, from its registers and Identify Controller. */
struct nvfio_ctrl_info {
	char model[41];	  /* MN, trailing spaces removed */
	char serial[21];  /* SN */
	char firmware[9]; /* FR */
	uint16_t vid;	  /* PCI vendor id */
	uint16_t ssvid;	  /* PCI subsystem vendor id */
	uint16_t cntlid;
	uint32_t version;	  /* VS: major << 16 | minor << 8 | tertiary */
	uint32_t nn;		  /* highest namespace id */
	uint64_t mdts;		  /* Maximum Data Transfer Size in bytes; 0: no limit;
				     UINT64_MAX: a limit past 64 bits */
	uint32_t max_xfer;	  /* bytes nvfio puts in one command (MDTS, at most 2 MiB) */
	uint32_t nr_io_queues;	  /* I/O queue pairs granted */
	uint32_t max_queue_depth; /* deepest queue pair allowed (CAP.MQES) */
	uint32_t nr_vectors;	  /* MSI-X vectors of the function */
	uint16_t oacs;		  /* optional admin commands */
	uint16_t oncs;		  /* optional NVM commands */
	uint32_t sgls;		  /* SGL support */
	uint8_t vwc;		  /* volatile write cache */
	bool shadow_doorbells;	  /* shadow doorbells in use */
	bool interrupts;	  /* interrupts in use */
	const char *backend;	  /* "sim", "vfio-type1v2", "vfio-noiommu" */
	const char *address;	  /* as given to nvfio_ctrl_open() */
};

/* nvfio_ctrl_get_info() - the controller's description; valid until nvfio_ctrl_close(). */
const struct nvfio_ctrl_info *nvfio_ctrl_get_info(const struct nvfio_ctrl *ctrl);

/* nvfio_ctrl_identify() - the 4096 bytes of Identify Controller (struct nvme_id_ctrl). */
const void *nvfio_ctrl_identify(const struct nvfio_ctrl *ctrl);

/*
 * nvfio_ctrl_dma() - the controller's DMA address space, for nvfio_dma_alloc() and
 * nvfio_dma_register() (<nvfio/dma.h>): I/O buffers must come from it.
 */
struct nvfio_dma *nvfio_ctrl_dma(struct nvfio_ctrl *ctrl);

/*
 * nvfio_ctrl_sim() - the simulated controller behind a "sim:" address, for fault injection
 * (<nvfio/sim.h>); NULL for any other controller.
 */
struct nvfio_sim *nvfio_ctrl_sim(struct nvfio_ctrl *ctrl);

/*
 * nvfio_ctrl_check() - read the controller's status register
 *
 * Returns 0 (running), -NVFIO_EFATAL (CSTS.CFS: the controller needs a reset) or
 * -NVFIO_EREMOVED (registers read all-ones: the device is gone).
 */
int nvfio_ctrl_check(struct nvfio_ctrl *ctrl);

/*
 * nvfio_ctrl_reset() - reset the controller and bring it back, keeping every handle
 *
 * Disables the controller (it then forgets its queues and stops touching their memory), brings
 * the admin queue back, asks for the I/O queues and shadow doorbells again, identifies the
 * namespaces again and re-arms the event request; a fatal status seen before is cleared. Any
 * thread but a callback may call it; other threads' admin commands wait for it to end.
 *
 * Queue pairs stay valid: each is re-created by its own thread, at its next poll, wait or
 * submission after the reset (which returns -EAGAIN while the reset is still going on). The
 * commands it had outstanding complete then, once, with err -NVFIO_ERESET (status
 * NVFIO_STATUS_HOST_ABORTED); the controller no longer uses their buffers. With
 * nvfio_ctrl_opts.reset_retries, each is first submitted again as it was, as many times as
 * that says across resets, and completes as the controller then completes it. The features
 * set with nvfio_set_features() are set again, in the order they were last set (the Timestamp
 * to the time of the reset).
 *
 * Returns 0, or the error that kept the controller from coming back (-NVFIO_ETIMEDOUT,
 * -NVFIO_EFATAL, -NVFIO_EREMOVED, -NVFIO_ENVME): it is then failed, and every queue pair
 * reports that error.
 */
int nvfio_ctrl_reset(struct nvfio_ctrl *ctrl);

/* What happened to the controller, as an nvfio_state_cb hears it. */
enum nvfio_ctrl_state {
	NVFIO_CTRL_RESETTING, /* a reset begins (nvfio_ctrl_reset() or a deadline's escalation) */
	NVFIO_CTRL_READY,     /* the reset brought it back */
	NVFIO_CTRL_FAILED,    /* it failed (@err: -NVFIO_EFATAL, or why its reset did not work) */
	NVFIO_CTRL_REMOVED,   /* it is gone (unplugged, unbound, registers reading all-ones) */
};

/*
 * The controller's state callback. A RESETTING is followed by READY, FAILED or REMOVED; a
 * failure outside a reset (a fatal status, a removal) is told once, by the first thread to see
 * it. Runs on that thread, possibly inside another nvfio call and with nvfio's locks held: it
 * must not call nvfio on this controller or its queue pairs (note what happened and return).
 */
typedef void (*nvfio_state_cb)(void *arg, struct nvfio_ctrl *ctrl, enum nvfio_ctrl_state state,
			       int err);

/* nvfio_ctrl_set_state_cb() - be told of resets, failure and removal; @cb NULL: no more. */
void nvfio_ctrl_set_state_cb(struct nvfio_ctrl *ctrl, nvfio_state_cb cb, void *arg);

/*
 * nvfio_ctrl_read_regs() - the controller's registers, as they read now
 * @buf, @len: receives BAR0 from offset 0; @len a multiple of 4, at most 4096 (the registers
 *             before the doorbells)
 *
 * Read with 32-bit accesses (64-bit registers as two halves, low first), for tools that show
 * them. Returns 0 or -EINVAL.
 */
int nvfio_ctrl_read_regs(struct nvfio_ctrl *ctrl, void *buf, size_t len);

/* ---- Namespaces ---- */

/* A namespace as Identify Namespace describes it (in the LBA format in use). */
struct nvfio_ns_info {
	uint32_t nsid;
	uint32_t block_size;	 /* bytes of data per logical block: 512, 4096, ... */
	uint64_t nblocks;	 /* NSZE: size in logical blocks */
	uint64_t capacity;	 /* NCAP: blocks that may be allocated */
	uint64_t utilization;	 /* NUSE: blocks allocated */
	uint16_t meta_size;	 /* metadata bytes per block; 0: none */
	bool meta_extended;	 /* metadata travels with the data (extended LBA) */
	uint8_t lbaf;		 /* LBA format in use */
	uint8_t nlbaf;		 /* LBA formats offered: 0 .. nlbaf */
	uint32_t lbaf_sizes[64]; /* block size of each format (0 past nlbaf) */
	uint16_t lbaf_meta[64];	 /* metadata size of each format */
	uint8_t eui64[8];	 /* identifiers, zero when absent */
	uint8_t nguid[16];
	uint8_t uuid[16];
	/* Why nvfio does no I/O to it (its Identify data makes no sense, or its blocks are
	 * larger than a command carries); empty when it does. block_size is then 0. */
	char unusable[96];
};

/* nvfio_ctrl_ns() - the active namespace @nsid, or NULL. Valid until nvfio_ctrl_close(). */
struct nvfio_ns *nvfio_ctrl_ns(struct nvfio_ctrl *ctrl, uint32_t nsid);

/*
 * nvfio_ctrl_ns_next() - iterate over active namespaces in nsid order
 * @prev: NULL for the first
 *
 * Returns the next active namespace or NULL.
 */
struct nvfio_ns *nvfio_ctrl_ns_next(struct nvfio_ctrl *ctrl, const struct nvfio_ns *prev);

/* nvfio_ns_get_info() - the namespace's description, updated by rescans (format, events). */
const struct nvfio_ns_info *nvfio_ns_get_info(const struct nvfio_ns *ns);

/*
 * nvfio_ctrl_rescan() - identify the active namespaces again (done by nvfio_format() and on a
 * Namespace Attribute Changed event). Namespaces that went away stay allocated but inactive:
 * I/O to them is refused. Returns 0 or an admin error (see nvfio_admin_raw()).
 */
int nvfio_ctrl_rescan(struct nvfio_ctrl *ctrl);

/* ---- Admin commands (synchronous; any thread) ---- */

/*
 * nvfio_admin_raw() - run any admin command
 * @cmd:        the command; cid, flags' PSDT and dptr are filled by nvfio
 * @buf, @len:  data buffer or NULL/0; any memory (it is copied through DMA memory), in the
 *              direction the opcode's bits 1:0 say (01 to the controller, 10 from it, 11 both)
 * @cqe:        receives the completion; may be NULL
 * @timeout_ms: deadline; 0 for the controller's admin timeout
 *
 * Returns 0 (status success), -NVFIO_ENVME (completed with a non-zero status: see @cqe; the
 * message names the status), -NVFIO_ETIMEDOUT (no completion within the deadline: nvfio aborted
 * the command, or, when the controller would not abort it, reset the controller, which takes
 * its slot back; @buf is never written after the return), -NVFIO_EFATAL, -NVFIO_EREMOVED,
 * -EINVAL (@len above MDTS, or @len without @buf), -EBUSY (the admin queue is full), -ENOMEM.
 * Commands from several threads are serialised: one runs at a time.
 */
int nvfio_admin_raw(struct nvfio_ctrl *ctrl, const struct nvfio_cmd *cmd, void *buf, size_t len,
		    struct nvfio_cqe *cqe, unsigned int timeout_ms);

/*
 * nvfio_identify() - Identify
 * @cns:  the Controller or Namespace Structure (0 namespace, 1 controller, 2 active namespace
 *        list, 3 namespace identification descriptors, ...)
 * @nsid: namespace (or the starting nsid for lists); 0 when unused
 * @buf:  receives 4096 bytes
 *
 * Returns as nvfio_admin_raw().
 */
int nvfio_identify(struct nvfio_ctrl *ctrl, uint8_t cns, uint32_t nsid, void *buf);

/*
 * nvfio_get_log_page() - Get Log Page
 * @lid:    log page identifier (1 error information, 2 SMART / health, 3 firmware slot, ...)
 * @nsid:   0xffffffff for the controller, or a namespace
 * @offset: byte offset into the log page (a multiple of 4)
 * @buf, @len: receives @len bytes (a multiple of 4)
 *
 * Returns as nvfio_admin_raw().
 */
int nvfio_get_log_page(struct nvfio_ctrl *ctrl, uint8_t lid, uint32_t nsid, uint64_t offset,
		       void *buf, size_t len);

/*
 * nvfio_get_features() - Get Features (current value)
 * @fid:    feature identifier
 * @nsid:   namespace for namespace-specific features, else 0
 * @cdw11:  feature specific
 * @buf, @len: the feature's data structure, for features that have one; else NULL/0
 * @result: receives the completion's dword 0; may be NULL
 *
 * Returns as nvfio_admin_raw().
 */
int nvfio_get_features(struct nvfio_ctrl *ctrl, uint8_t fid, uint32_t nsid, uint32_t cdw11,
		       void *buf, size_t len, uint32_t *result);

/*
 * nvfio_set_features() - Set Features
 * @fid, @nsid: as nvfio_get_features()
 * @cdw11, @cdw12: the feature's value, as the specification lays it out for @fid
 * @save: make the value persist across power cycles (SV)
 * @buf, @len: the feature's data structure to send, for features that have one (at most
 *             4096 bytes); else NULL/0
 * @result: receives the completion's dword 0; may be NULL
 *
 * A value the controller took is kept (the latest for each @fid and @nsid) and set again after
 * each nvfio_ctrl_reset(), since a controller reset takes unsaved features back to their
 * defaults. Returns as nvfio_admin_raw(). Number of Queues (0x07) is the driver's to set:
 * -EINVAL.
 */
int nvfio_set_features(struct nvfio_ctrl *ctrl, uint8_t fid, uint32_t nsid, uint32_t cdw11,
		       uint32_t cdw12, bool save, const void *buf, size_t len, uint32_t *result);

/*
 * nvfio_format() - Format NVM, then identify the namespace again
 * @nsid:       the namespace, or 0xffffffff for all
 * @lbaf:       LBA format index (nvfio_ns_get_info()->lbaf_sizes[] lists them)
 * @ses:        secure erase setting: 0 none, 1 user data erase, 2 cryptographic erase
 * @timeout_ms: deadline; 0 for 10 minutes
 *
 * No I/O may be outstanding on the namespace. Returns as nvfio_admin_raw().
 */
int nvfio_format(struct nvfio_ctrl *ctrl, uint32_t nsid, uint8_t lbaf, uint8_t ses,
		 unsigned int timeout_ms);

/*
 * nvfio_abort() - Abort a command
 * @sqid, @cid: the queue (nvfio_qpair_id()) and the command identifier (its cqe's cid)
 * @result:     receives dword 0 of the Abort's completion (bit 0 set: not aborted)
 *
 * Returns as nvfio_admin_raw().
 */
int nvfio_abort(struct nvfio_ctrl *ctrl, uint16_t sqid, uint16_t cid, uint32_t *result);

/* An Asynchronous Event, from the completion of an Asynchronous Event Request. */
struct nvfio_event {
	uint8_t type;	  /* 0 error, 1 SMART / health, 2 notice, 3 immediate, 6 I/O command set,
			     7 vendor */
	uint8_t info;	  /* event information */
	uint8_t log_page; /* the log page that tells more (nvfio has read it when it is the
			     Changed Namespace List) */
	uint32_t cdw0;	  /* the raw completion dword 0 */
};

/*
 * nvfio_ctrl_set_event_cb() - receive Asynchronous Events
 *
 * nvfio keeps an Asynchronous Event Request outstanding. Events are delivered from
 * nvfio_ctrl_poll_admin() and after each admin command call of this header: a Namespace
 * Attribute Changed notice makes nvfio rescan the namespaces before the callback runs. The
 * callback runs on the thread of that call, one event at a time, without nvfio's locks held: it
 * may run admin commands. @cb NULL stops delivery: events are then kept (the last 8, in
 * order) for a callback set later, and their log pages read as they arrive all the same.
 */
void nvfio_ctrl_set_event_cb(struct nvfio_ctrl *ctrl,
			     void (*cb)(void *arg, const struct nvfio_event *ev), void *arg);

/*
 * nvfio_ctrl_poll_admin() - reap admin completions (Asynchronous Events) and deliver events
 *
 * Returns the number of completions reaped (>= 0), or -NVFIO_EFATAL / -NVFIO_EREMOVED.
 */
int nvfio_ctrl_poll_admin(struct nvfio_ctrl *ctrl);

/* nvfio_ctrl_admin_fd() - the admin queue's interrupt eventfd, or -1 without interrupts. */
int nvfio_ctrl_admin_fd(const struct nvfio_ctrl *ctrl);

/* ---- I/O queue pairs ---- */

/* Flags of nvfio_qpair_alloc(). */
enum {
	/* Bind the queue pair's completions to its own MSI-X vector and eventfd (the controller
	 * must have been opened with interrupts). */
	NVFIO_QPAIR_INTERRUPTS = 1u << 0,
};

/*
 * nvfio_qpair_alloc() - create an I/O submission/completion queue pair
 * @depth: commands it may hold outstanding, 1 .. CAP.MQES; 0 for the controller's queue_depth
 * @flags: NVFIO_QPAIR_*
 * @out:   receives the queue pair, to be used by one thread at a time
 *
 * Returns 0, -EBUSY (every granted queue pair is allocated), -EINVAL (@depth out of range, or
 * interrupts asked for without them), -NVFIO_ENVME (queue creation failed), -ENOMEM,
 * -NVFIO_ENOHUGEPAGES.
 */
int nvfio_qpair_alloc(struct nvfio_ctrl *ctrl, unsigned int depth, unsigned int flags,
		      struct nvfio_qpair **out);

/*
 * nvfio_qpair_free() - delete the queues and free the queue pair
 *
 * Outstanding commands complete on the calling thread (which must own the queue pair): with the
 * controller's Command Aborted due to SQ Deletion where it reports them, else with -ECANCELED.
 * Their callbacks cannot submit again (-ECANCELED). NULL is ignored. Returns 0 or the error of
 * deleting the queues; the queue pair is freed in every case, but when the queues could not be
 * deleted their memory and queue id stay with the controller until nvfio_ctrl_close().
 */
int nvfio_qpair_free(struct nvfio_qpair *qp);

/* nvfio_qpair_id() - the queue identifier (SQID = CQID) of the pair. */
unsigned int nvfio_qpair_id(const struct nvfio_qpair *qp);

/* nvfio_qpair_depth() - commands the queue pair can hold outstanding. */
unsigned int nvfio_qpair_depth(const struct nvfio_qpair *qp);

/* nvfio_qpair_outstanding() - commands submitted and not yet completed. */
unsigned int nvfio_qpair_outstanding(const struct nvfio_qpair *qp);

/*
 * nvfio_qpair_fd() - the eventfd the queue pair's MSI-X vector signals, to put in an epoll set;
 * -1 for a polled queue pair. After it signals, call nvfio_qpair_poll() (or nvfio_qpair_wait()).
 */
int nvfio_qpair_fd(const struct nvfio_qpair *qp);

/*
 * nvfio_qpair_poll() - send what was submitted, reap completions
 * @max: reap at most this many (0: no limit)
 *
 * Rings the submission doorbell for commands submitted since the last ring (unless plugged),
 * runs the callback of each completed command, acknowledges the completions to the controller,
 * then rings the submission doorbell once for everything the callbacks submitted.
 * Returns the number reaped (>= 0), or -NVFIO_EFATAL / -NVFIO_EREMOVED when the controller
 * failed. A poll that keeps finding nothing looks at the clock every 1024 empty polls and reads
 * the controller's status every 10 ms; once the failure is known (there, or by any other
 * thread), every poll that finds nothing completes the outstanding commands with that error
 * (whatever @max) and returns it. No allocation, no lock (but once, where the failure is first
 * found), and no system call but that clock read (none where the clock is read through the
 * vDSO).
 */
int nvfio_qpair_poll(struct nvfio_qpair *qp, unsigned int max);

/*
 * nvfio_qpair_wait() - wait for completions, then reap them
 * @max:        as nvfio_qpair_poll()
 * @timeout_ms: -1 to wait for ever
 *
 * Sleeps on the queue pair's eventfd when it has one, else polls with backoff.
 * Returns the number reaped (>= 1), 0 on timeout, -NVFIO_EFATAL / -NVFIO_EREMOVED when the
 * controller failed meanwhile (outstanding commands are then completed with that error), -EINTR.
 */
int nvfio_qpair_wait(struct nvfio_qpair *qp, unsigned int max, int timeout_ms);

/*
 * nvfio_qpair_kick() - ring the submission doorbell now for what was submitted since the last
 * ring (a program that sleeps on nvfio_qpair_fd() in its own epoll loop calls this after
 * submitting; nvfio_qpair_poll() and nvfio_qpair_wait() do it themselves). Ignores plugging.
 */
void nvfio_qpair_kick(struct nvfio_qpair *qp);

/*
 * nvfio_qpair_plug() / nvfio_qpair_unplug() - hold the submission doorbell across polls
 *
 * nvfio_read() and nvfio_write() never ring the doorbell themselves, the other submission
 * functions do at once, and polls ring for what is pending. Between plug and unplug none of them
 * does (but nvfio_qpair_wait() and nvfio_qpair_kick() still do), and unplug rings once for
 * everything held (as the kernel's bd->last). Plugs nest.
 */
void nvfio_qpair_plug(struct nvfio_qpair *qp);
void nvfio_qpair_unplug(struct nvfio_qpair *qp);

/* Counters of a queue pair, for benchmarks. */
struct nvfio_qpair_stats {
	uint64_t submitted;    /* commands written to the submission queue (completed ones and
				  those outstanding) */
	uint64_t completed;    /* completions reaped */
	uint64_t stray;	       /* completions for no outstanding command id, ignored */
	uint64_t polls;	       /* nvfio_qpair_poll() calls (and waits' polls) */
	uint64_t sq_doorbells; /* submission doorbell register writes (with shadow doorbells:
				  those the controller's event index asked for) */
	uint64_t cq_doorbells; /* completion doorbell register writes */
	uint64_t eagain;       /* submissions refused for lack of room */
	uint64_t timeouts;     /* commands found past their deadline */
	uint64_t aborts;       /* Abort commands sent for them */
	size_t mem_bytes;      /* memory the queue pair holds: rings, trackers, PRP/SGL lists */
	size_t dma_bytes;      /* of which DMA memory */
};

/* What to do with a command past its deadline (the return value of an nvfio_timeout_cb). */
enum nvfio_timeout_action {
	NVFIO_TIMEOUT_ABORT, /* send Abort; if the controller does not abort it, or the aborted
				command is not back within the admin timeout, reset (default) */
	NVFIO_TIMEOUT_WAIT,  /* give it another deadline's time */
	NVFIO_TIMEOUT_RESET, /* reset the controller now (nvfio_ctrl_reset()) */
};

/*
 * A queue pair's timeout callback: command @cid (its cqe's cid) has been outstanding for
 * @elapsed_ms, past the pair's deadline. Runs on the pair's thread, from a poll or wait, with
 * no lock held; it must not poll, wait on or free the pair.
 */
typedef enum nvfio_timeout_action (*nvfio_timeout_cb)(void *arg, struct nvfio_qpair *qp,
						       uint16_t cid, unsigned int elapsed_ms);

/*
 * nvfio_qpair_set_timeout() - the deadline of the pair's commands, and who decides at it
 * @timeout_ms: 0 for the controller's nvfio_ctrl_opts.io_timeout_ms (the default)
 * @cb:         NULL for NVFIO_TIMEOUT_ABORT on every command
 *
 * Deadlines are checked by the pair's polls and waits (at no cost per command): every 10 ms by
 * a wait, by polls that find nothing every 10 ms but at most once per 1024 of them, by polls
 * that keep finding completions every 64 completion doorbells. A command is found late from
 * @timeout_ms after a check first saw it outstanding, within one check's interval. The escalation: the controller's status is read (a fatal status resets at once);
 * a completion waiting in the ring is reaped first; then Abort (within the controller's Abort
 * Command Limit; an aborted command completes with status Command Abort Requested); a command
 * the controller would not abort, or that is not back within the admin timeout, gets the
 * controller reset, which completes it with -NVFIO_ERESET. A completion that comes for it
 * later is recognised and ignored (command ids carry a generation).
 */
void nvfio_qpair_set_timeout(struct nvfio_qpair *qp, unsigned int timeout_ms,
			     nvfio_timeout_cb cb, void *arg);

/*
 * nvfio_qpair_last_cid() - the command identifier of the pair's latest command
 *
 * The identifier its cqe will carry, for nvfio_abort() or nvfio_qpair_set_cmd_timeout(); for a
 * request nvfio split into several commands, its last command's. Returns the identifier
 * (0 .. 65535), or -ENOENT when the latest command is no longer outstanding.
 */
int nvfio_qpair_last_cid(const struct nvfio_qpair *qp);

/*
 * nvfio_qpair_set_cmd_timeout() - a deadline of its own for outstanding command @cid
 * @timeout_ms: from now; 0 for the pair's again
 *
 * Past it, the command is escalated as nvfio_qpair_set_timeout() says. On the pair's thread.
 * Returns 0, or -ENOENT when no command of that identifier is outstanding.
 */
int nvfio_qpair_set_cmd_timeout(struct nvfio_qpair *qp, uint16_t cid, unsigned int timeout_ms);

/* nvfio_qpair_get_stats() - read the counters. */
void nvfio_qpair_get_stats(const struct nvfio_qpair *qp, struct nvfio_qpair_stats *stats);

/* ---- I/O commands (asynchronous; on the queue pair's thread) ----
 *
 * Buffers must lie in memory of the controller's DMA space (nvfio_dma_alloc() or
 * nvfio_dma_register() on nvfio_ctrl_dma()) and be 4-byte aligned; their length is @nlb blocks.
 * A request larger than the controller takes in one command (nvfio_ctrl_get_info()->max_xfer, or
 * 65536 blocks) is split and completes once.
 *
 * Each writes its command(s) to the submission queue; the controller is told by the next poll,
 * wait or kick (nvfio_qpair_poll(), nvfio_qpair_wait(), nvfio_qpair_kick()), or at once by the
 * functions other than nvfio_read() and nvfio_write().
 *
 * Each returns 0 (submitted: @cb will run exactly once) or, with nothing submitted and @cb never
 * run:
 *   -EAGAIN         the queue pair has no room (poll and retry);
 *   -ERANGE         the blocks lie beyond the namespace's end;
 *   -EINVAL         @nlb is 0, a buffer is not 4-byte aligned or not a whole number of blocks,
 *                   an iovec's lengths wrap or it cannot be described to this controller, or @qp,
 *                   @ns or @cb is NULL (nvfio_read() and nvfio_write() look at @cb only off
 *                   their inline fast path, which a NULL @cb passes and then crashes the poll:
 *                   a build with NVFIO_CHECKED sends every command through the checks);
 *   -E2BIG          the request needs more commands than the queue pair's depth;
 *   -ENODEV         the namespace is not active;
 *   -ENOTSUP        the namespace takes no I/O (nvfio_ns_info.unusable), or has metadata;
 *   -NVFIO_ENOTMAPPED a buffer is not in the controller's DMA memory;
 *   -NVFIO_EFATAL / -NVFIO_EREMOVED the controller failed;
 *   -ECANCELED      submitted from a callback that nvfio_qpair_free() runs.
 */

/* nvfio_read() and nvfio_write() are inline: include <nvfio/nvme_io.h> (or <nvfio/nvfio.h>). */

/*
 * nvfio_compare() - compare @nlb blocks at @lba with @buf; a difference completes with status
 * Compare Failure (SCT 2, SC 0x85).
 */
int nvfio_compare(struct nvfio_qpair *qp, struct nvfio_ns *ns, const void *buf, uint64_t lba,
		  uint32_t nlb, nvfio_cb cb, void *arg);

/*
 * nvfio_readv() / nvfio_writev() - vectored read and write at @lba
 * @iov, @iovcnt: the buffers; their total length is a whole number of blocks
 *
 * Described with PRPs when every element but the first starts on a 4 KiB boundary and every
 * element but the last ends on one, else with an SGL where the controller supports them
 * (nvfio_ctrl_get_info()->sgls), else -EINVAL.
 */
int nvfio_readv(struct nvfio_qpair *qp, struct nvfio_ns *ns, const struct iovec *iov,
		unsigned int iovcnt, uint64_t lba, nvfio_cb cb, void *arg);
int nvfio_writev(struct nvfio_qpair *qp, struct nvfio_ns *ns, const struct iovec *iov,
		 unsigned int iovcnt, uint64_t lba, nvfio_cb cb, void *arg);

/* nvfio_flush() - commit the namespace's volatile write cache. */
int nvfio_flush(struct nvfio_qpair *qp, struct nvfio_ns *ns, nvfio_cb cb, void *arg);

/* nvfio_write_zeroes() - zero @nlb blocks at @lba (-ENOTSUP if the controller lacks it). */
int nvfio_write_zeroes(struct nvfio_qpair *qp, struct nvfio_ns *ns, uint64_t lba, uint32_t nlb,
		       nvfio_cb cb, void *arg);

/*
 * nvfio_deallocate() - Dataset Management, Deallocate, of @nlb blocks at @lba (-ENOTSUP if
 * the controller lacks it).
 */
int nvfio_deallocate(struct nvfio_qpair *qp, struct nvfio_ns *ns, uint64_t lba, uint32_t nlb,
		     nvfio_cb cb, void *arg);

/*
 * nvfio_io_raw() - submit any I/O command
 * @cmd:       the command (nsid and command dwords as the caller wants them; nothing is checked)
 * @buf, @len: data buffer in DMA memory, 4-byte aligned, at most max_xfer bytes; or NULL/0
 */
int nvfio_io_raw(struct nvfio_qpair *qp, const struct nvfio_cmd *cmd, void *buf, size_t len,
		 nvfio_cb cb, void *arg);

/* ---- Synchronous I/O helpers (tools, simple programs) ----
 *
 * Submit, then wait (nvfio_qpair_wait()) until the command completes; other completions reaped
 * meanwhile run their callbacks as usual. A command past the pair's deadline goes through the
 * escalation of nvfio_qpair_set_timeout() and the helper returns once it completed: aborted
 * (-NVFIO_ENVME, status Command Abort Requested) or by a reset (-NVFIO_ERESET); either way the
 * controller is done with the buffer. The buffer rules of the asynchronous functions apply.
 * Return 0, a submission error above, -NVFIO_ENVME (completed with a non-zero status, named in
 * the message; @status receives it when not NULL), -NVFIO_ERESET, -NVFIO_EFATAL,
 * -NVFIO_EREMOVED, or -NVFIO_ETIMEDOUT when even the escalation did not end (the command then
 * stays outstanding).
 */
int nvfio_read_sync(struct nvfio_qpair *qp, struct nvfio_ns *ns, void *buf, uint64_t lba,
		    uint32_t nlb, uint16_t *status);
int nvfio_write_sync(struct nvfio_qpair *qp, struct nvfio_ns *ns, const void *buf, uint64_t lba,
		     uint32_t nlb, uint16_t *status);
int nvfio_flush_sync(struct nvfio_qpair *qp, struct nvfio_ns *ns, uint16_t *status);
int nvfio_io_raw_sync(struct nvfio_qpair *qp, const struct nvfio_cmd *cmd, void *buf, size_t len,
		      struct nvfio_cqe *cqe);

#ifdef __cplusplus
}
#endif

#endif /* NVFIO_NVME_H */
