/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The image file of storage=file: locked by the controller that has it open, and described by a
 * header at its start, so that a second controller cannot write it at the same time and a
 * reopen cannot read it with another geometry than it was written with.
 *
 * Layout: the header (struct image_hdr, little-endian) in the first NVF_SIM_IMAGE_DATA bytes,
 * then namespace i of the options at NVF_SIM_IMAGE_DATA + i * nvf_sim_store_size(size=), data
 * and then metadata; namespaces that Namespace Management creates take free extents after that
 * and are not recorded (a reopen finds only the namespaces of the options). The header records
 * what the namespaces' contents depend on: how many, their bytes of user data, and the LBA
 * format each was last formatted to (the options' at first, a Format NVM's after it). A reopen
 * takes each namespace in the format the image records, as a device keeps its format across a
 * power cycle; options that name one (lbads=, ms=) must name that one.
 *
 * The lock is an flock() on the file, taken without waiting: it is held by the open file, so a
 * second controller of the same process is refused like one of another process, and it goes
 * away with the descriptor whatever ends the controller.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/priv.h"
#include "support/error.h"

#define IMAGE_MAGIC   "NVFIOSIM"
#define IMAGE_VERSION 1

struct image_hdr {
	char magic[8];
	uint32_t version;
	uint32_t data_off; /* where namespace 1 starts: NVF_SIM_IMAGE_DATA */
	uint64_t ns_bytes; /* user data per namespace (size=) */
	uint32_t namespaces;
	uint32_t rsvd;
	uint8_t lbaf[NVF_SIM_MAX_NS]; /* the LBA format of each namespace of the options */
};
_Static_assert(sizeof(struct image_hdr) <= NVF_SIM_IMAGE_DATA, "image header fits its page");
_Static_assert(NVF_SIM_IMAGE_DATA % 4096 == 0, "namespaces start page-aligned");

static int image_err(struct nvfio_sim *sim, int err, const char *what)
{
	return nvf_err(err, "sim: cannot %s %s: %s", what, sim->opts.file, strerror(-err));
}

/* The geometry of the options as a header. */
static void hdr_of_opts(const struct nvfio_sim *sim, struct image_hdr *h)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, IMAGE_MAGIC, sizeof(h->magic));
	h->version = htole32(IMAGE_VERSION);
	h->data_off = htole32(NVF_SIM_IMAGE_DATA);
	h->ns_bytes = htole64(sim->opts.size);
	h->namespaces = htole32(sim->opts.namespaces);
	for (unsigned int i = 0; i < sim->opts.namespaces; i++)
		h->lbaf[i] = (uint8_t)sim->opts.lbaf;
}

static void describe_lbaf(char *buf, size_t len, unsigned int lbaf)
{
	snprintf(buf, len, "%u-byte blocks with %u bytes of metadata (LBA format %u)",
		 1u << nvf_sim_lbafs[lbaf].ds, nvf_sim_lbafs[lbaf].ms, lbaf);
}

/* 0 if the file's header @f describes the geometry the options ask for, else the message of
 * what differs. */
static int check_hdr(struct nvfio_sim *sim, const struct image_hdr *f)
{
	const char *path = sim->opts.file;
	uint64_t ns_bytes = le64toh(f->ns_bytes);
	uint32_t nns = le32toh(f->namespaces);
	char had[96], want[96];

	if (memcmp(f->magic, IMAGE_MAGIC, sizeof(f->magic)))
		return nvf_err(-NVFIO_EBADOPT,
			       "sim: %s is not an image of the simulated controller (no nvfio "
			       "header at its start): name a new or empty file, or remove this one "
			       "if its contents are not wanted",
			       path);
	if (le32toh(f->version) != IMAGE_VERSION || le32toh(f->data_off) != NVF_SIM_IMAGE_DATA)
		return nvf_err(-NVFIO_EBADOPT,
			       "sim: %s is an image of version %u with data at %u; this model "
			       "reads version %u with data at %u: name a new or empty file",
			       path, le32toh(f->version), le32toh(f->data_off), IMAGE_VERSION,
			       NVF_SIM_IMAGE_DATA);
	if (nns != sim->opts.namespaces || ns_bytes != sim->opts.size)
		return nvf_err(-NVFIO_EBADOPT,
			       "sim: %s holds %u namespace(s) of %llu bytes each, the options ask "
			       "for namespaces=%u,size=%llu: open it with namespaces=%u,size=%llu, "
			       "or name another file",
			       path, nns, (unsigned long long)ns_bytes, sim->opts.namespaces,
			       (unsigned long long)sim->opts.size, nns,
			       (unsigned long long)ns_bytes);
	for (unsigned int i = 0; i < nns; i++) {
		unsigned int lbaf = f->lbaf[i];

		if (lbaf >= NVF_SIM_NLBAF)
			return nvf_err(-NVFIO_EBADOPT,
				       "sim: %s gives namespace %u LBA format %u, which this model "
				       "does not have: the header is damaged; name another file",
				       path, i + 1, lbaf);
		sim->file_lbaf[i] = (uint8_t)lbaf;
		if (lbaf == sim->opts.lbaf || !sim->opts.lbaf_given)
			continue;
		describe_lbaf(had, sizeof(had), lbaf);
		describe_lbaf(want, sizeof(want), sim->opts.lbaf);
		return nvf_err(-NVFIO_EBADOPT,
			       "sim: namespace %u of %s has %s, the options ask for %s: open it "
			       "with lbads=%u,ms=%u (or neither), or name another file",
			       i + 1, path, had, want, 1u << nvf_sim_lbafs[lbaf].ds,
			       nvf_sim_lbafs[lbaf].ms);
	}
	return 0;
}

int nvf_sim_image_open(struct nvfio_sim *sim)
{
	uint64_t need =
	    NVF_SIM_IMAGE_DATA + nvf_sim_store_size(sim->opts.size) * sim->opts.namespaces;
	const char *path = sim->opts.file;
	struct image_hdr h;
	struct stat stb;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return nvf_err(-errno, "sim: cannot open or create %s: %s", path, strerror(errno));
	sim->file_fd = fd;
	if (fstat(fd, &stb) || !S_ISREG(stb.st_mode))
		return nvf_err(-NVFIO_EBADOPT, "sim: file=%s is not a regular file", path);
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno == EWOULDBLOCK)
			return nvf_err(
			    -EBUSY,
			    "sim: %s is in use by another simulated controller (it holds "
			    "the file's lock): close that one first, or give this one "
			    "another file=",
			    path);
		return image_err(sim, -errno, "lock");
	}
	/* Only now that it is ours: a file being created by another controller was not. */
	if (fstat(fd, &stb))
		return image_err(sim, -errno, "look at");
	if (stb.st_size == 0) {
		hdr_of_opts(sim, &h);
		memcpy(sim->file_lbaf, h.lbaf, sizeof(sim->file_lbaf));
		n = pwrite(fd, &h, sizeof(h), 0);
		if (n != (ssize_t)sizeof(h))
			return image_err(sim, n < 0 ? -errno : -EIO, "write the header of");
	} else {
		memset(&h, 0, sizeof(h));
		n = pread(fd, &h, sizeof(h), 0);
		if (n < 0)
			return image_err(sim, -errno, "read the header of");
		ret = check_hdr(sim, &h);
		if (ret)
			return ret;
	}
	if ((uint64_t)stb.st_size < need && ftruncate(fd, (off_t)need))
		return nvf_err(-errno, "sim: cannot grow %s to %llu bytes: %s", path,
			       (unsigned long long)need, strerror(errno));
	sim->file_len = (uint64_t)stb.st_size > need ? (uint64_t)stb.st_size : need;
	return 0;
}

uint64_t nvf_sim_image_ns_off(const struct nvfio_sim *sim, unsigned int i)
{
	return NVF_SIM_IMAGE_DATA + (uint64_t)i * nvf_sim_store_size(sim->opts.size);
}

int nvf_sim_image_formatted(struct nvfio_sim *sim, const struct nvf_sim_ns *ns)
{
	unsigned int i = ns->nsid - 1;
	uint8_t lbaf = (uint8_t)ns->lbaf;

	/* Only the namespaces of the options are kept across a reopen, and only where they
	 * always are: one that Namespace Management put in its NSID's place is not. */
	if (ns->store.kind != NVF_SIM_STORE_FILE || i >= sim->opts.namespaces ||
	    ns->store.file_off != nvf_sim_image_ns_off(sim, i) || ns->bytes != sim->opts.size)
		return 0;
	if (pwrite(sim->file_fd, &lbaf, 1, (off_t)(offsetof(struct image_hdr, lbaf) + i)) != 1)
		return -EIO;
	return 0;
}
