// SPDX-License-Identifier: BSD-3-Clause
/*
 * The kernel's io_uring, at its best settings on request: polled completions (hipri: IOPOLL),
 * a kernel submission thread (sqthread_poll: SQPOLL), registered buffers (fixedbufs) and file
 * (registerfiles), O_DIRECT, and NVMe passthrough on /dev/ngXnY (io_uring_cmd). Each job has
 * its own file descriptor and ring.
 */

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <linux/nvme_ioctl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nvme/types.h>

#include "job.h"
#include "options.h"

/* Per target: what every job's open needs to know. */
struct uring_target {
	bool is_block;
	bool cmd;      /* io_uring_cmd passthrough */
	uint32_t nsid; /* passthrough namespace */
	uint32_t lba_shift;
	bool writes; /* some job writes: open read-write */
};

struct uring_ctx {
	struct io_uring ring;
	int fd;
	int sqe_fd; /* fd as the SQE names it: 0 when registered */
	uint8_t sqe_flags;
	bool fixed;
	bool cmd;
	bool nop;
	uint32_t nsid;
	uint32_t lba_shift;
	void *bufs;
	size_t bufs_len;
};

static int uring_target_open(struct nvb_target *t, const struct nvb_opts *const *jobs,
			     unsigned njobs, char *err, size_t errlen, bool cmd)
{
	struct uring_target *ut = calloc(1, sizeof(*ut));
	uint64_t need = 0;
	struct stat st;
	bool writes = false, direct = false;
	int fd, flags, r;

	if (!ut)
		return -ENOMEM;
	for (unsigned i = 0; i < njobs; i++) {
		const struct nvb_opts *o = jobs[i];
		writes |= (o->rw & NVB_RW_WRITES) != 0;
		direct |= o->direct;
		if (!o->size_pct && !o->offset_pct && o->size && o->offset + o->size > need)
			need = o->offset + o->size;
	}
	ut->cmd = cmd;
	ut->writes = writes;

	if (stat(t->filename, &st) != 0) {
		if (errno != ENOENT || cmd) {
			r = -errno;
			snprintf(err, errlen, "%s: %s", t->filename, strerror(errno));
			goto fail;
		}
		if (!need) {
			snprintf(err, errlen,
				 "%s does not exist; give --size to have it created with that size",
				 t->filename);
			r = -ENOENT;
			goto fail;
		}
		st.st_mode = S_IFREG;
		st.st_size = 0;
	}
	if (cmd && !S_ISCHR(st.st_mode)) {
		snprintf(err, errlen,
			 "%s: ioengine=io_uring_cmd needs an NVMe generic character device "
			 "(/dev/ngXnY)",
			 t->filename);
		r = -EINVAL;
		goto fail;
	}
	if (!cmd && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		snprintf(err, errlen,
			 "%s: not a file or block device; ioengine=io_uring takes those (use "
			 "ioengine=io_uring_cmd for /dev/ngXnY)",
			 t->filename);
		r = -EINVAL;
		goto fail;
	}
	ut->is_block = S_ISBLK(st.st_mode);

	flags =
	    (writes || (S_ISREG(st.st_mode) && (uint64_t)st.st_size < need) ? O_RDWR : O_RDONLY) |
	    O_CLOEXEC;
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < need)
		flags |= O_CREAT;
	fd = open(t->filename, flags, 0644);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", t->filename, strerror(errno));
		goto fail;
	}

	if (cmd) {
		struct nvme_id_ns id;
		struct nvme_passthru_cmd pc;
		unsigned fmt;
		int nsid = ioctl(fd, NVME_IOCTL_ID);

		if (nsid <= 0) {
			r = nsid < 0 ? -errno : -EINVAL;
			snprintf(err, errlen, "%s: not an NVMe namespace (NVME_IOCTL_ID: %s)",
				 t->filename, strerror(-r));
			close(fd);
			goto fail;
		}
		memset(&pc, 0, sizeof(pc));
		pc.opcode = nvme_admin_identify;
		pc.nsid = (uint32_t)nsid;
		pc.addr = (uint64_t)(uintptr_t)&id;
		pc.data_len = sizeof(id);
		pc.cdw10 = NVME_IDENTIFY_CNS_NS;
		if (ioctl(fd, NVME_IOCTL_ADMIN_CMD, &pc) != 0) {
			r = -errno;
			snprintf(err, errlen, "%s: Identify Namespace failed: %s", t->filename,
				 strerror(errno));
			close(fd);
			goto fail;
		}
		fmt = (id.flbas & 0xf) | ((id.flbas >> 5 & 3) << 4);
		ut->nsid = (uint32_t)nsid;
		ut->lba_shift = id.lbaf[fmt].ds;
		t->block_size = 1u << ut->lba_shift;
		t->size = le64toh(id.nsze) << ut->lba_shift;
		snprintf(t->describe, sizeof(t->describe), "NVMe passthrough, nsid %d, %u B blocks",
			 nsid, t->block_size);
	} else if (ut->is_block) {
		uint64_t bytes;
		int lbs;
		if (ioctl(fd, BLKGETSIZE64, &bytes) != 0 || ioctl(fd, BLKSSZGET, &lbs) != 0) {
			r = -errno;
			snprintf(err, errlen, "%s: cannot read its size: %s", t->filename,
				 strerror(errno));
			close(fd);
			goto fail;
		}
		t->size = bytes;
		t->block_size = (uint32_t)lbs;
		snprintf(t->describe, sizeof(t->describe), "block device, %d B blocks", lbs);
	} else {
		if ((uint64_t)st.st_size < need) {
			/* Allocate rather than leave a hole, so reads reach real blocks. */
			r = posix_fallocate(fd, 0, (off_t)need);
			if (r && ftruncate(fd, (off_t)need) != 0) {
				snprintf(err, errlen, "%s: cannot extend it to %llu bytes: %s",
					 t->filename, (unsigned long long)need, strerror(r));
				r = -r;
				close(fd);
				goto fail;
			}
			st.st_size = (off_t)need;
		}
		t->size = (uint64_t)st.st_size;
		t->block_size = 512;
		snprintf(t->describe, sizeof(t->describe), "file");
	}
	close(fd);
	if (!t->size) {
		snprintf(err, errlen,
			 "%s is empty; give --size to use (and create) that much of it",
			 t->filename);
		r = -EINVAL;
		goto fail;
	}
	if (direct && !cmd) {
		/* O_DIRECT refused shows here, once, with the remedy. */
		fd = open(t->filename, O_RDONLY | O_DIRECT | O_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			snprintf(err, errlen,
				 "%s: cannot open with O_DIRECT (%s); its file system may not "
				 "support it (tmpfs needs Linux 6.6): use --direct=0",
				 t->filename, strerror(errno));
			goto fail;
		}
		close(fd);
	}
	t->max_depth = 32768;
	t->priv = ut;
	return 0;

fail:
	free(ut);
	return r;
}

static int uring_open_file(struct nvb_target *t, const struct nvb_opts *const *jobs, unsigned njobs,
			   char *err, size_t errlen)
{
	return uring_target_open(t, jobs, njobs, err, errlen, false);
}

static int uring_open_cmd(struct nvb_target *t, const struct nvb_opts *const *jobs, unsigned njobs,
			  char *err, size_t errlen)
{
	return uring_target_open(t, jobs, njobs, err, errlen, true);
}

static void uring_target_close(struct nvb_target *t)
{
	free(t->priv);
	t->priv = NULL;
}

static int ring_init(struct uring_ctx *c, const struct nvb_opts *o, unsigned entries)
{
	struct io_uring_params p;
	unsigned base = 0;
	int r;

	if (o->hipri)
		base |= IORING_SETUP_IOPOLL;
	if (c->cmd)
		base |= IORING_SETUP_SQE128 | IORING_SETUP_CQE32;
	if (o->sqthread_poll) {
		memset(&p, 0, sizeof(p));
		p.flags = base | IORING_SETUP_SQPOLL;
		p.sq_thread_idle = 1000;
		if (o->sqthread_poll_cpu != UINT64_MAX) {
			p.flags |= IORING_SETUP_SQ_AFF;
			p.sq_thread_cpu = (uint32_t)o->sqthread_poll_cpu;
		}
		return io_uring_queue_init_params(entries, &c->ring, &p);
	}
	/* Only this thread submits and reaps: let the kernel run completion work when we ask
	 * for completions instead of interrupting us. Older kernels refuse the flags. */
	memset(&p, 0, sizeof(p));
	p.flags = base | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
	r = io_uring_queue_init_params(entries, &c->ring, &p);
	if (r != -EINVAL)
		return r;
	memset(&p, 0, sizeof(p));
	p.flags = base | IORING_SETUP_COOP_TASKRUN;
	r = io_uring_queue_init_params(entries, &c->ring, &p);
	if (r != -EINVAL)
		return r;
	memset(&p, 0, sizeof(p));
	p.flags = base;
	return io_uring_queue_init_params(entries, &c->ring, &p);
}

static int uring_job_open(struct nvb_job *job, char *err, size_t errlen)
{
	const struct nvb_opts *o = job->o;
	struct uring_target *ut = job->t->priv;
	struct uring_ctx *c = calloc(1, sizeof(*c));
	struct iovec *iov = NULL;
	int flags, r;

	if (!c)
		return -ENOMEM;
	c->cmd = ut->cmd;
	c->nop = o->nop;
	c->nsid = ut->nsid;
	c->lba_shift = ut->lba_shift;

	flags = (ut->writes ? O_RDWR : O_RDONLY) | O_CLOEXEC;
	if (o->direct && !ut->cmd)
		flags |= O_DIRECT;
	c->fd = open(job->t->filename, flags);
	if (c->fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", job->t->filename, strerror(errno));
		goto fail_free;
	}

	c->bufs_len = (size_t)job->depth * job->max_bs;
	c->bufs = mmap(NULL, c->bufs_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (c->bufs == MAP_FAILED) {
		r = -errno;
		snprintf(err, errlen, "cannot allocate %zu bytes of I/O buffers: %s", c->bufs_len,
			 strerror(errno));
		goto fail_close;
	}
	for (unsigned i = 0; i < job->depth; i++)
		job->ios[i].buf = (char *)c->bufs + (size_t)i * job->max_bs;

	r = ring_init(c, o, job->depth);
	if (r) {
		snprintf(err, errlen, "io_uring setup (%u entries%s%s) failed: %s%s", job->depth,
			 o->hipri ? ", IOPOLL" : "", o->sqthread_poll ? ", SQPOLL" : "",
			 strerror(-r),
			 r == -ENOMEM ? "; raise the locked-memory limit (ulimit -l)" : "");
		goto fail_unmap;
	}

	c->sqe_fd = c->fd;
	if (o->registerfiles) {
		r = io_uring_register_files(&c->ring, &c->fd, 1);
		if (r) {
			snprintf(err, errlen, "--registerfiles: registering the file failed: %s",
				 strerror(-r));
			goto fail_ring;
		}
		c->sqe_fd = 0;
		c->sqe_flags = IOSQE_FIXED_FILE;
	}
	if (o->fixedbufs) {
		iov = calloc(job->depth, sizeof(*iov));
		if (!iov) {
			r = -ENOMEM;
			snprintf(err, errlen, "out of memory");
			goto fail_ring;
		}
		for (unsigned i = 0; i < job->depth; i++) {
			iov[i].iov_base = job->ios[i].buf;
			iov[i].iov_len = job->max_bs;
		}
		r = io_uring_register_buffers(&c->ring, iov, job->depth);
		free(iov);
		if (r) {
			snprintf(err, errlen, "--fixedbufs: registering %u buffers failed: %s%s",
				 job->depth, strerror(-r),
				 r == -ENOMEM ? "; raise the locked-memory limit (ulimit -l)" : "");
			goto fail_ring;
		}
		c->fixed = true;
	}
	job->ctx = c;
	job->bufs = c->bufs;
	return 0;

fail_ring:
	io_uring_queue_exit(&c->ring);
fail_unmap:
	munmap(c->bufs, c->bufs_len);
fail_close:
	close(c->fd);
fail_free:
	free(c);
	return r;
}

static void uring_job_close(struct nvb_job *job)
{
	struct uring_ctx *c = job->ctx;

	/* Exiting the ring waits for (or cancels) what is still in flight before the buffers go. */
	io_uring_queue_exit(&c->ring);
	munmap(c->bufs, c->bufs_len);
	close(c->fd);
	free(c);
	job->ctx = NULL;
}

static inline __attribute__((always_inline)) int uring_queue(void *ctx, struct nvb_io *io,
							     uint64_t blk, const unsigned mode)
{
	struct uring_ctx *c = ctx;
	struct io_uring_sqe *sqe = io_uring_get_sqe(&c->ring);
	uint64_t offset = io->offset; /* in bytes, not the loop's @blk */

	(void)blk;

	if (__builtin_expect(!sqe, 0)) {
		/* With SQPOLL the kernel thread gives entries back once it has taken a batch,
		 * which can be after their completions have been reaped: wait for it (at once 0
		 * without SQPOLL, where a full ring is a bug). */
		int r = io_uring_sqring_wait(&c->ring);
		if (r < 0)
			return r;
		sqe = io_uring_get_sqe(&c->ring);
		if (!sqe)
			return -EBUSY;
	}
	if (c->nop) {
		io_uring_prep_nop(sqe);
	} else if (c->cmd) {
		struct nvme_uring_cmd *cmd = (struct nvme_uring_cmd *)sqe->cmd;
		uint64_t slba = offset >> c->lba_shift;

		memset(sqe, 0, 2 * sizeof(*sqe));
		sqe->opcode = IORING_OP_URING_CMD;
		sqe->fd = c->sqe_fd;
		sqe->flags = c->sqe_flags;
		sqe->cmd_op = NVME_URING_CMD_IO;
		if (c->fixed) {
			sqe->uring_cmd_flags = IORING_URING_CMD_FIXED;
			sqe->buf_index = io->index;
		}
		cmd->opcode = nvb_io_is_read(io, mode) ? nvme_cmd_read : nvme_cmd_write;
		cmd->nsid = c->nsid;
		cmd->addr = (uint64_t)(uintptr_t)io->buf;
		cmd->data_len = io->len;
		cmd->cdw10 = (uint32_t)slba;
		cmd->cdw11 = (uint32_t)(slba >> 32);
		cmd->cdw12 = (io->len >> c->lba_shift) - 1; /* NLB is 0's based */
	} else if (c->fixed) {
		if (nvb_io_is_read(io, mode))
			io_uring_prep_read_fixed(sqe, c->sqe_fd, io->buf, io->len, offset,
						 io->index);
		else
			io_uring_prep_write_fixed(sqe, c->sqe_fd, io->buf, io->len, offset,
						  io->index);
		sqe->flags |= c->sqe_flags;
	} else {
		if (nvb_io_is_read(io, mode))
			io_uring_prep_read(sqe, c->sqe_fd, io->buf, io->len, offset);
		else
			io_uring_prep_write(sqe, c->sqe_fd, io->buf, io->len, offset);
		sqe->flags |= c->sqe_flags;
	}
	io_uring_sqe_set_data(sqe, io);
	return 0;
}

static inline int uring_commit(void *ctx)
{
	struct uring_ctx *c = ctx;
	int r = io_uring_submit(&c->ring);

	return r < 0 ? r : 0;
}

static inline int uring_reap(void *ctx, struct nvb_job *job, unsigned min)
{
	struct uring_ctx *c = ctx;
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;

	if (min && !io_uring_cq_ready(&c->ring)) {
		int r = io_uring_wait_cqe_nr(&c->ring, &cqe, min);
		if (r < 0 && r != -EINTR && r != -EAGAIN && r != -ETIME)
			return r;
	}
	nvb_stamp(job);
	io_uring_for_each_cqe(&c->ring, head, cqe)
	{
		struct nvb_io *io = io_uring_cqe_get_data(cqe);
		int st = 0;

		if (c->nop) {
			st = cqe->res < 0 ? cqe->res : 0;
		} else if (c->cmd) {
			/* Passthrough: negative errno, or the NVMe status as a positive value. */
			if (cqe->res > 0)
				nvb_job_fail(job, -EIO, "NVMe status 0x%x on %s at offset %llu",
					     cqe->res, io->ddir == NVB_READ ? "read" : "write",
					     (unsigned long long)io->offset);
			st = cqe->res > 0 ? -EIO : cqe->res;
		} else if (__builtin_expect(cqe->res != (int)io->len, 0)) {
			st = cqe->res < 0 ? cqe->res : -EIO;
			if (cqe->res >= 0)
				nvb_job_fail(job, -EIO, "short %s at offset %llu: %d of %u bytes",
					     io->ddir == NVB_READ ? "read" : "write",
					     (unsigned long long)io->offset, cqe->res, io->len);
		}
		if (nvb_io_needs_slow(job, st))
			nvb_io_done_slow(job, io, st);
		else
			nvb_io_done(job, io);
		n++;
	}
	io_uring_cq_advance(&c->ring, n);
	return (int)n;
}

#define NVB_LOOP_NAME	     uring_run
#define NVB_LOOP_QUEUE	     uring_queue
#define NVB_LOOP_COMMIT	     uring_commit
#define NVB_LOOP_REAP	     uring_reap
#define NVB_LOOP_STRERROR(r) strerror(-(r))
#include "job_loop.h"

const struct nvb_engine nvb_engine_uring = {
    .name = "io_uring",
    .mask = NVB_ENG_URING,
    .target_open = uring_open_file,
    .target_close = uring_target_close,
    .job_open = uring_job_open,
    .job_close = uring_job_close,
    .run = uring_run,
};

const struct nvb_engine nvb_engine_uring_cmd = {
    .name = "io_uring_cmd",
    .mask = NVB_ENG_URING_CMD,
    .target_open = uring_open_cmd,
    .target_close = uring_target_close,
    .job_open = uring_job_open,
    .job_close = uring_job_close,
    .run = uring_run,
};
