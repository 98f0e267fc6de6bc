/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_SIM_PRIV_H
#define NVFIO_SIM_PRIV_H

/*
 * Inside the controller model.
 *
 * Threads: thread 0 owns the registers, the admin queue and every management operation; I/O
 * queues are spread over all threads by completion queue (every SQ is served by the thread that
 * owns its CQ, so a CQ is only ever written by one thread and needs no lock). Thread 0 changes
 * the queue set only while the other threads are parked (nvf_sim_park()), so the I/O path takes no
 * lock and allocates nothing.
 */

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <nvfio/sim.h>

#include "sim/order.h"
#include "sim/sim.h"
#include "sim/spec.h"
#include "sim/util.h"
#include "sim/xport.h"

#define NVF_SIM_MAX_NS	    1024
#define NVF_SIM_MAX_IOQ	    1024
#define NVF_SIM_MAX_DEPTH   65536
#define NVF_SIM_MAX_THREADS 16
#define NVF_SIM_AERL	    3 /* 0's based: four outstanding Asynchronous Event Requests */
#define NVF_SIM_ACL	    3 /* 0's based: four outstanding Aborts */
#define NVF_SIM_MAX_EVENTS  64
#define NVF_SIM_ERRLOG	    64
#define NVF_SIM_MAX_RULES   32
#define NVF_SIM_MAX_IDPATCH 8
#define NVF_SIM_IDPATCH_MAX 32 /* bytes a patch gives, before its repeat */
#define NVF_SIM_PENDING_MAX 4096
#define NVF_SIM_MAX_SEGS    4096
#define NVF_SIM_NLBAF	    6
#define NVF_SIM_TEMP_KELVIN 313 /* what the temperature sensor reads */
#define NVF_SIM_WCTEMP	    343
#define NVF_SIM_CCTEMP	    358
#define NVF_SIM_CAP_TO	    2 /* 500 ms units: RDY follows CC.EN within one sleep */
#define NVF_SIM_MPSMAX	    4 /* 64 KiB pages */
#define NVF_SIM_CNTLID	    1 /* the one controller of the subsystem */
#define NVF_SIM_FW_SLOTS    7
#define NVF_SIM_FW_MAX	    (1u << 20) /* largest firmware image taken */
#define NVF_SIM_FW_RANGES   64	       /* disjoint pieces of an image being downloaded */
#define NVF_SIM_FW_REV_OFF  0	       /* where an image carries its 8-byte revision */
#define NVF_SIM_ST_RESULTS  20	       /* Device Self-test log entries */

/* What the sanitize= option offers (SANICAP bits 2:0). */
enum {
	NVF_SIM_SANITIZE_CRYPTO = 1u << 0,
	NVF_SIM_SANITIZE_BLOCK = 1u << 1,
	NVF_SIM_SANITIZE_OVERWRITE = 1u << 2,
};

enum nvf_sim_storage_kind {
	NVF_SIM_STORE_RAM,
	NVF_SIM_STORE_SPARSE,
	NVF_SIM_STORE_FILE,
	NVF_SIM_STORE_NULL, /* no data: reads return zeroes, writes are discarded */
};

struct nvf_sim_event {
	uint8_t type, info, lid;
};

/* Bytes written over the Identify data the model returns (a broken device's). */
struct nvf_sim_idpatch {
	uint8_t cns;
	bool any_nsid;
	uint32_t nsid;
	uint16_t off;
	uint16_t len;	 /* bytes[] in use */
	uint16_t repeat; /* times bytes[] is written, one after the other */
	uint8_t bytes[NVF_SIM_IDPATCH_MAX];
};

struct nvf_sim_opts {
	uint64_t size; /* bytes of user data per namespace */
	unsigned int lbaf;
	bool lbaf_given; /* lbads= or ms= named: an image must have this format */
	unsigned int namespaces;
	unsigned int queues; /* I/O queue pairs */
	unsigned int depth;  /* entries per queue, CAP.MQES + 1 */
	unsigned int mdts;
	unsigned int threads;
	enum nvf_sim_storage_kind storage;
	bool sgl;
	bool dbbuf;
	bool vwc;
	unsigned int max_namespaces; /* Identify NN */
	uint64_t capacity;	     /* TNVMCAP, bytes */
	unsigned int sanicap;	     /* NVF_SIM_SANITIZE_* */
	bool ndi;		     /* SANICAP No-Deallocate Inhibited */
	unsigned int sanitize_ms;
	unsigned int sanitize_fail; /* the first this many sanitize operations fail */
	unsigned int selftest_ms, selftest_ext_ms;
	unsigned int fw_slots;
	bool fw_ro;	   /* slot 1 is read-only */
	bool fw_immediate; /* Commit action 3 activates without a reset (FRMW bit 4) */
	bool fw_downgrade; /* an older revision may be activated */
	unsigned int fwug; /* Identify FWUG: 4 KiB units, 0 no information, 0xff no rule */
	char serial[21];
	char model[41];
	char firmware[9];
	char file[4096];
	long long cfs_after;	/* -1: none */
	long long remove_after; /* -1: none */
	struct nvf_sim_idpatch idpatch[NVF_SIM_MAX_IDPATCH];
	unsigned int nidpatch;
};

/* The fault rules and events of the address in its order, which opts.c parses and fault.c
 * applies when the controller is created: room for one more than the controller keeps, so that
 * adding that one fails with its limit. */
struct nvf_sim_inject {
	struct nvfio_sim_fault faults[NVF_SIM_MAX_RULES + 1];
	unsigned int nfaults;
	struct nvf_sim_event events[NVF_SIM_MAX_EVENTS + 1];
	unsigned int nevents;
};

/* The LBA formats every namespace offers, in Identify Namespace order. */
struct nvf_sim_lbaf {
	uint16_t ms;
	uint8_t ds;
};
extern const struct nvf_sim_lbaf nvf_sim_lbafs[NVF_SIM_NLBAF];

/* Storage of one namespace (user data and metadata side by side). */
struct nvf_sim_store {
	enum nvf_sim_storage_kind kind;
	uint64_t size;
	uint8_t *flat; /* RAM and file: the whole store, mapped */
	size_t map_len;
	/* Sparse: a two-level table of chunks, allocated on first write. */
	_Atomic(_Atomic(uint8_t *) *) *l1;
	uint64_t nl1;
	/* Sparse: chunks of user data (not metadata) allocated, for Identify Namespace NUSE. */
	_Atomic uint64_t data_chunks;
	uint64_t data_len;
	/* File: where this store starts in the file (shared by all namespaces). */
	int fd;
	uint64_t file_off;
	/* Chunks deallocated while other threads may still read them (threads > 1). */
	struct nvfio_sim *sim;
};

#define NVF_SIM_CHUNK_SHIFT 14 /* 16 KiB chunks */
#define NVF_SIM_CHUNK	    (1ull << NVF_SIM_CHUNK_SHIFT)
#define NVF_SIM_L2_SHIFT    12 /* 4096 chunk pointers per second-level table */

struct nvf_sim_ns {
	uint32_t nsid;
	bool allocated; /* exists (Namespace Management); attached when in sim->nsa[] */
	bool attached;
	uint8_t nmic;
	unsigned int lbaf;
	unsigned int lbads; /* log2 of the block size */
	uint16_t ms;
	uint64_t nsze;
	uint64_t ncap;
	uint64_t bytes;	    /* user data capacity: NSZE in bytes, kept across a Format NVM */
	uint64_t cap_bytes; /* NCAP in bytes, what the namespace takes of TNVMCAP */
	/* Data at [0, size), metadata at [size, size + size / 32). */
	struct nvf_sim_store store;
	uint64_t meta_off;
	uint8_t eui64[8];
	uint8_t nguid[16];
	uint8_t uuid[16];
};

struct nvf_sim_cq {
	struct nvf_sim_cqe *ring;
	uint64_t iova;
	uint32_t size;
	uint32_t tail;
	uint32_t head;
	uint16_t qid;
	uint16_t iv;
	uint8_t phase;
	bool ien;
	bool irq_pending;
	bool live;
	unsigned int nsq;
	volatile uint32_t *db; /* head doorbell: MMIO, or the shadow doorbell */
	volatile uint32_t *ei; /* EventIdx, with shadow doorbells */
	struct nvf_sim_thread *thr;
	uint32_t bad_head; /* thread 0's doorbell scan: the out-of-range head it reported, or 0 */
};

struct nvf_sim_thread;

struct nvf_sim_sq {
	struct nvf_sim_sqe *ring;
	uint64_t iova;
	uint32_t size;
	uint32_t head;
	uint16_t qid;
	uint16_t cqid;
	bool live;
	bool bad_db; /* an invalid doorbell value was reported; ignore it until it changes */
	uint32_t last_db;
	volatile uint32_t *db;
	volatile uint32_t *ei;
	struct nvf_sim_cq *cq;
};

/* A command whose completion is not posted yet: held by a fault, or delayed. */
struct nvf_sim_pending {
	struct nvf_sim_sq *sq;
	/* CLOCK_MONOTONIC ns; UINT64_MAX: held until aborted; 0: a completion that found its CQ
	 * full, posted as soon as there is room. */
	uint64_t due;
	uint32_t dw0;
	uint16_t cid;
	uint16_t status;
	uint16_t sqhd;
};

/* A piece of host memory a command transfers to or from. */
struct nvf_sim_seg {
	uint8_t *p;
	uint32_t len;
};

enum {
	NVF_SIM_THR_RUNNING,
	NVF_SIM_THR_SLEEPING,
	NVF_SIM_THR_PARKED,
};

struct nvf_sim_thread {
	struct nvfio_sim *sim;
	unsigned int idx;
	pthread_t tid;
	bool started;
	_Atomic int state;

	struct nvf_sim_sq **sqs; /* served by this thread, admin SQ first on thread 0 */
	unsigned int nsqs;

	struct nvf_sim_pending *pend;
	unsigned int npend;
	unsigned int nheld;

	struct nvf_sim_seg *segs;

	/* SMART counters, written by this thread only. */
	_Atomic uint64_t rd_cmds, wr_cmds, rd_units, wr_units;
	_Atomic uint64_t io_cmds;
	/* Busy-time accounting, when sim->acct is on (the per-I/O cost bench). */
	_Atomic uint64_t busy_ns, busy_cmds;
	struct timespec idle_since;
	unsigned int idle_passes;
	uint64_t nap_ns;
	/* Deep sleep (park.c): counted in sim->sleepers, and the wake_seq seen when it did. */
	bool armed;
	uint32_t wake_seen;
	_Atomic uint64_t naps; /* sleeps of any length, for tests */
};

struct nvf_sim_rule {
	struct nvfio_sim_fault f;
	bool armed;
	uint64_t hits;
};

struct nvf_sim_features {
	uint32_t arbitration;
	uint32_t power_mgmt;
	uint16_t temp_over[9];
	uint16_t temp_under[9];
	uint32_t err_recovery;
	uint32_t vwc;
	uint32_t irq_coalesce;
	uint32_t write_atomic;
	uint32_t async_event;
	uint64_t timestamp_ms; /* host's value at timestamp_set */
	struct timespec timestamp_set;
	bool timestamp_valid;
	uint32_t sanitize_cfg; /* Sanitize Config: No-Deallocate Response Mode in bit 0 */
};

/* The sanitize operation state of the subsystem (sanitize.c, thread 0). */
enum nvf_sim_san_state {
	NVF_SIM_SAN_IDLE,
	NVF_SIM_SAN_RUNNING,
	NVF_SIM_SAN_FAILED_RESTRICTED,	 /* started with AUSE 0: only a new sanitize gets out */
	NVF_SIM_SAN_FAILED_UNRESTRICTED, /* started with AUSE 1: Exit Failure Mode gets out */
};

struct nvf_sim_sanitize {
	_Atomic int state; /* enum nvf_sim_san_state; the I/O threads read it */
	bool gated;	   /* holds one count of faults_armed, so I/O takes the checked path */
	uint32_t cdw10;	   /* of the command that started the most recent operation */
	uint32_t pattern;
	unsigned int passes;
	uint64_t start_ns, dur_ns;
	uint16_t sstat;	      /* Sanitize Status log SSTAT less Global Data Erased */
	bool erased;	      /* a sanitize completed: Global Data Erased until a write */
	uint64_t writes_seen; /* host write commands when it completed */
	unsigned int fails_left;
};

/* The Device Self-test operation and its log (selftest.c, thread 0). */
struct nvf_sim_selftest {
	uint8_t stc; /* the test running (1 short, 2 extended), 0 none */
	uint32_t nsid;
	uint64_t start_ns, dur_ns;
	struct nvme_st_result res[NVF_SIM_ST_RESULTS]; /* newest first */
};

/* Firmware slots and the image being downloaded (firmware.c, thread 0). */
struct nvf_sim_fw {
	char rev[NVF_SIM_FW_SLOTS][8]; /* all zeroes: the slot is empty */
	unsigned int active;	       /* 1-based */
	unsigned int next;	       /* activated at the next Controller Level Reset; 0 none */
	uint8_t *img;		       /* NVF_SIM_FW_MAX bytes, allocated at the first download */
	struct {
		uint32_t start, end; /* bytes */
	} ranges[NVF_SIM_FW_RANGES];  /* downloaded so far, disjoint and sorted */
	unsigned int nranges;
};

/* Requests from the application's threads to thread 0. */
enum {
	NVF_SIM_REQ_RESET = 1u << 0,
	NVF_SIM_REQ_REMOVE = 1u << 1,
	NVF_SIM_REQ_FATAL = 1u << 2,
	NVF_SIM_REQ_EVENT = 1u << 3,
	NVF_SIM_REQ_SYNC = 1u << 4, /* nothing to do: nvf_sim_sync() waits for it */
};

struct nvfio_sim {
	struct nvf_sim_xport x;
	struct nvf_sim_opts opts;
	uint64_t cap;

	/* Controller state, thread 0 only. */
	uint32_t cc;
	bool ready;
	bool shut;
	bool fatal;
	bool removed_seen;
	unsigned int page_shift;
	uint32_t mdts_bytes;
	struct nvf_sim_sq *sq; /* [queues + 1] */
	struct nvf_sim_cq *cq;
	unsigned int nsq_granted, ncq_granted;
	bool queues_created;
	uint64_t dbs_iova, eis_iova;
	uint32_t *dbs, *eis;
	struct nvf_sim_features feat;
	uint32_t *ivc;		/* Interrupt Vector Configuration, per vector */
	unsigned int scan_tick; /* passes of thread 0 until the next doorbell scan */

	/* Asynchronous events. */
	uint16_t aer_cid[NVF_SIM_AERL + 1];
	unsigned int naer;
	pthread_mutex_t ev_lock;
	struct nvf_sim_event evq[NVF_SIM_MAX_EVENTS];
	unsigned int nev;
	uint8_t ev_masked; /* bit per event type: reported, its log page not read yet */
	uint8_t ev_lid[8]; /* the log page of the last event reported per type */
	uint32_t changed_ns[1024];
	unsigned int nchanged;
	bool temp_event_sent;

	/* Background operations and firmware (thread 0). */
	struct nvf_sim_sanitize san;
	struct nvf_sim_selftest dst;
	struct nvf_sim_fw fw;

	/* Get Log Page builds a page here (thread 0 only): the largest is 4 KiB. Aligned for the
	 * log structures built in it (calloc gives 16 bytes). */
	_Alignas(16) uint8_t logbuf[NVF_SIM_ERRLOG * sizeof(struct nvme_error_log_page) > 4096
					? NVF_SIM_ERRLOG * sizeof(struct nvme_error_log_page)
					: 4096];

	/* Error Information log. */
	pthread_mutex_t err_lock;
	struct nvme_error_log_page errlog[NVF_SIM_ERRLOG];
	uint64_t err_count;

	/* Fault injection. */
	pthread_mutex_t fault_lock;
	struct nvf_sim_rule rules[NVF_SIM_MAX_RULES];
	unsigned int nrules;
	_Atomic unsigned int faults_armed; /* armed rules + armed trip counters */
	_Atomic uint64_t media_errors;	   /* injected media-error statuses, for SMART */
	_Atomic long long cfs_after, remove_after;
	uint64_t rng;

	struct nvfio_sim_stats st; /* updated with relaxed atomics via the helpers below */
	uint64_t power_on_ns;

	/* Requests from other threads. */
	pthread_mutex_t req_lock;
	pthread_cond_t req_cond;
	_Atomic unsigned int req;
	uint64_t req_seq, req_done;

	/* Threads. */
	struct nvf_sim_thread *thr;
	unsigned int nthr;
	_Atomic bool stop;
	_Atomic bool halt; /* fatal, shut down or removed: I/O threads stop fetching */
	_Atomic int park_req;
	pthread_mutex_t park_lock;
	pthread_cond_t park_cond;
	_Atomic bool acct;
	/* Deep sleep: threads that announced it, and the futex word nvf_sim_wake() moves. */
	_Atomic unsigned int sleepers;
	_Atomic uint32_t wake_seq;

	/* Sparse chunks freed by a Deallocate while other threads might read them. */
	pthread_mutex_t retire_lock;
	void *retired;
	_Atomic unsigned int nretired;

	/* Namespaces: one slot per NSID up to Identify NN; the I/O path finds an attached one in
	 * nsa[] (NULL when not attached), which thread 0 changes only with the others parked. */
	struct nvf_sim_ns *ns;	 /* [nn] */
	struct nvf_sim_ns **nsa; /* [nn] */
	unsigned int nn;
	uint32_t ns_generation; /* namespaces created so far, for fresh identifiers */
	int file_fd;
	uint64_t file_len;
	uint8_t file_lbaf[NVF_SIM_MAX_NS]; /* the image's format of each namespace of the options */
};

/* Counters of struct nvfio_sim_stats: bumped from any model thread, read by the application. */
#define NVF_SIM_STAT_ADD(sim, field, n)                                                            \
	atomic_fetch_add_explicit((_Atomic uint64_t *)&(sim)->st.field, (n), memory_order_relaxed)
#define NVF_SIM_STAT_SET(sim, field, v)                                                            \
	atomic_store_explicit((_Atomic uint64_t *)&(sim)->st.field, (v), memory_order_relaxed)
#define NVF_SIM_STAT_GET(sim, field)                                                               \
	atomic_load_explicit((_Atomic uint64_t *)&(sim)->st.field, memory_order_relaxed)

/* A counter written by one thread only: a plain increment, no locked instruction. */
static inline void nvf_sim_count(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

static inline uint64_t nvf_sim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * The files' functions, lowest layer first: a file calls only the files declared before it here
 * (and the completions of cq.h, which call none of them), never one after it; ctrl.c, the top,
 * is called only by the glue (sim.h).
 */

/* park.c: thread 0 stops the other threads (a no-op with one thread); they wait in
 * nvf_sim_park_wait(). A thread idle for long announces a deep sleep (_arm()), makes one more
 * pass, and sleeps in _sleep() until nvf_sim_wake() (sim.h) or @timeout_ms; _disarm() when the
 * pass found work instead. */
void nvf_sim_park(struct nvfio_sim *sim);
void nvf_sim_unpark(struct nvfio_sim *sim);
void nvf_sim_park_wait(struct nvf_sim_thread *t);
void nvf_sim_sleep_arm(struct nvf_sim_thread *t);
void nvf_sim_sleep_disarm(struct nvf_sim_thread *t);
void nvf_sim_sleep(struct nvf_sim_thread *t, unsigned int timeout_ms);

/* request.c: from any thread, for thread 0; the application's calls wait until it is done.
 * Thread 0 takes the bits (NVF_SIM_REQ_*) with a sequence number and hands that back when it
 * has carried them out; _wake() lets every waiter go when the model stops. */
unsigned int nvf_sim_requests_take(struct nvfio_sim *sim, uint64_t *seq);
void nvf_sim_requests_done(struct nvfio_sim *sim, uint64_t seq);
void nvf_sim_requests_wake(struct nvfio_sim *sim);
void nvf_sim_request_event(struct nvfio_sim *sim);
void nvf_sim_request_fatal(struct nvfio_sim *sim);
void nvf_sim_request_remove(struct nvfio_sim *sim);

/* errlog.c: from any thread. */
void nvf_sim_log_error(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd, uint16_t sqid,
		       uint16_t status, uint64_t lba);

/* opts.c: the address's options as data, checked; nothing is applied. */
int nvf_sim_parse_opts(struct nvf_sim_opts *o, struct nvf_sim_inject *inj, const char *opts);
int nvf_sim_parse_fault(const char *rule, struct nvfio_sim_fault *f);

/* store.c: a namespace of @bytes of user data; file storage at @file_off of the file. */
uint64_t nvf_sim_store_size(uint64_t bytes);
int nvf_sim_store_open(struct nvfio_sim *sim, struct nvf_sim_ns *ns, uint64_t bytes,
		       uint64_t file_off);
void nvf_sim_store_close(struct nvf_sim_store *st);
void nvf_sim_store_read(struct nvf_sim_store *st, uint64_t off, void *dst, size_t len);
int nvf_sim_store_write(struct nvf_sim_store *st, uint64_t off, const void *src, size_t len);
int nvf_sim_store_zero(struct nvf_sim_store *st, uint64_t off, size_t len, bool dealloc);
int nvf_sim_store_cmp(struct nvf_sim_store *st, uint64_t off, const void *buf, size_t len);
int nvf_sim_store_flush(struct nvf_sim_store *st);
int nvf_sim_store_erase(struct nvf_sim_store *st);
int nvf_sim_store_fill(struct nvf_sim_store *st, uint32_t pattern);
void nvf_sim_store_reclaim(struct nvfio_sim *sim);

/* image.c: the file of storage=file, locked and with its header checked or written (0 or -errno,
 * the message naming the file and what differs); where namespace @i of the options starts in it;
 * a Format NVM of @ns recorded in the header (0 or -EIO). */
#define NVF_SIM_IMAGE_DATA 4096u /* the header's page: namespace 1 starts after it */
int nvf_sim_image_open(struct nvfio_sim *sim);
uint64_t nvf_sim_image_ns_off(const struct nvfio_sim *sim, unsigned int i);
int nvf_sim_image_formatted(struct nvfio_sim *sim, const struct nvf_sim_ns *ns);

/* dma.c: PRPs and SGLs to segments; 0 or an NVMe status. */
uint16_t nvf_sim_map_data(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd, uint32_t len,
			  bool admin, unsigned int *nsegs);
uint16_t nvf_sim_to_host(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd, const void *buf,
			 uint32_t len, bool admin);
uint16_t nvf_sim_from_host(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd, void *buf,
			   uint32_t len, bool admin);

/* event.c: nvfio_sim_post_event() of <nvfio/sim.h>, and the events the controller raises.
 * nvf_sim_ns_changed() puts @nsid in the Changed Namespace List and posts a Namespace Attribute
 * Changed notice when Asynchronous Event Configuration enables it. */
void nvf_sim_event(struct nvfio_sim *sim, uint8_t type, uint8_t info, uint8_t lid);
void nvf_sim_ns_changed(struct nvfio_sim *sim, uint32_t nsid);

/* selftest.c: Device Self-test and its log; thread 0. _abort() ends a test that covers @nsid
 * (NVME_NSID_ALL: any test) with @result; _tick() ends one whose time is up. */
void nvf_sim_selftest_init(struct nvfio_sim *sim);
uint16_t nvf_sim_selftest_cmd(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd);
size_t nvf_sim_selftest_log(struct nvfio_sim *sim, void *buf);
void nvf_sim_selftest_abort(struct nvfio_sim *sim, uint32_t nsid, uint8_t result);
void nvf_sim_selftest_tick(struct nvfio_sim *sim, uint64_t now);

/* nsmgmt.c: namespaces (their slots, storage and identifiers), Namespace Management and
 * Namespace Attachment; thread 0. _slot() is the slot of a valid NSID (1..NN) or NULL. */
int nvf_sim_ns_setup(struct nvfio_sim *sim, struct nvf_sim_ns *ns, unsigned int lbaf,
		     uint64_t nsze, uint64_t ncap, uint64_t file_off);
struct nvf_sim_ns *nvf_sim_ns_slot(struct nvfio_sim *sim, uint32_t nsid);
uint64_t nvf_sim_ns_unallocated(struct nvfio_sim *sim);
uint16_t nvf_sim_ns_mgmt(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd, uint32_t *dw0);
uint16_t nvf_sim_ns_attach(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd);

/* firmware.c: slots, Firmware Image Download and Commit, the Firmware Slot log; thread 0.
 * _reset() is a Controller Level Reset: the image chosen for it becomes the running one. */
void nvf_sim_fw_init(struct nvfio_sim *sim);
void nvf_sim_fw_free(struct nvfio_sim *sim);
const char *nvf_sim_fw_running(const struct nvfio_sim *sim);
uint16_t nvf_sim_fw_download(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd);
uint16_t nvf_sim_fw_commit(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd);
size_t nvf_sim_fw_log(struct nvfio_sim *sim, void *buf);
void nvf_sim_fw_reset(struct nvfio_sim *sim);

/* sanitize.c: the Sanitize command and operation, its log and what it refuses meanwhile.
 * _admin_gate() (thread 0) and _io_gate() (any thread, only while faults_armed is up) are 0 or
 * the status a command gets in the present sanitize state; _tick() (thread 0) ends an operation
 * whose time is up. */
uint16_t nvf_sim_sanitize_cmd(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd);
uint16_t nvf_sim_sanitize_admin_gate(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd);
uint16_t nvf_sim_sanitize_io_gate(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd);
size_t nvf_sim_sanitize_log(struct nvfio_sim *sim, void *buf);
void nvf_sim_sanitize_tick(struct nvfio_sim *sim, uint64_t now);
uint64_t nvf_sim_host_writes(struct nvfio_sim *sim);

/* io.c */
uint16_t nvf_sim_io(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd, uint32_t *dw0);

/* qmgmt.c: admin commands, 0 or a status; thread 0 only. */
uint16_t nvf_sim_create_cq(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd);
uint16_t nvf_sim_create_sq(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd);
uint16_t nvf_sim_delete_cq(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd);
uint16_t nvf_sim_delete_sq(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd);
uint16_t nvf_sim_abort(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd, uint32_t *dw0);
uint16_t nvf_sim_dbbuf(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd);
void nvf_sim_sq_teardown(struct nvfio_sim *sim, struct nvf_sim_sq *sq, bool deleted);

/* fault.c */
enum nvf_sim_fault_action {
	NVF_SIM_FAULT_NONE,
	NVF_SIM_FAULT_FAIL,
	NVF_SIM_FAULT_HOLD,
	NVF_SIM_FAULT_DELAY,
};
enum nvf_sim_fault_action nvf_sim_fault_check(struct nvfio_sim *sim, bool admin,
					      const struct nvf_sim_sqe *cmd, uint16_t *status,
					      uint64_t *delay_ns);
void nvf_sim_fault_completed(struct nvfio_sim *sim);
int nvf_sim_fault_apply(struct nvfio_sim *sim, const struct nvf_sim_opts *o,
			const struct nvf_sim_inject *inj);

/* doorbell.c: from any thread; the scan on thread 0. */
void nvf_sim_report_doorbell(struct nvfio_sim *sim, uint8_t info);
void nvf_sim_doorbells_scan(struct nvfio_sim *sim);

/* regs.c: thread 0 only. */
void nvf_sim_regs_power_on(struct nvfio_sim *sim);
unsigned int nvf_sim_regs_poll(struct nvfio_sim *sim);
void nvf_sim_ctrl_reset(struct nvfio_sim *sim);
void nvf_sim_features_default(struct nvfio_sim *sim);
void nvf_sim_raise_fatal(struct nvfio_sim *sim);
void nvf_sim_do_remove(struct nvfio_sim *sim);

/* admin.c: 0 or a status, *dw0 the result; NVF_SIM_DEFER when the command completes later. */
#define NVF_SIM_DEFER 0xffffu
uint16_t nvf_sim_admin(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd, uint32_t *dw0);
void nvf_sim_aer_flush(struct nvfio_sim *sim);

/* sq.c: the commands of @sq, how many; on the thread that owns its CQ. */
unsigned int nvf_sim_sq_poll(struct nvf_sim_thread *t, struct nvf_sim_sq *sq, bool admin);

/* thread.c */
void *nvf_sim_thread_main(void *arg);

#endif /* NVFIO_SIM_PRIV_H */
