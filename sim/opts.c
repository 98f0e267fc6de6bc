/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The options after "sim:", e.g. "size=1G,lbads=512,namespaces=2,queues=16,depth=1024,mdts=7".
 *
 *   size=1G          user data per namespace, a multiple of 4 KiB (K, M, G, T, P suffixes)
 *   lbads=512        block size in bytes (512, 4096) or as a shift (9, 12)
 *   ms=0             metadata bytes per block: 0, 8, 16 with 512; 0, 8, 64 with 4096
 *   namespaces=1     active namespaces, 1..1024
 *   queues=16        I/O queue pairs (and queues + 1 MSI-X vectors), 1..1024
 *   depth=1024       entries per queue, CAP.MQES + 1, 2..65536
 *   mdts=7           maximum transfer, 2^mdts * 4 KiB, 1..10
 *   serial=, model=, firmware=   Identify strings (default serial NVFIOSIMnnnn)
 *   storage=sparse   ram, sparse, or file (with file=/path; file= alone implies it), or null:
		    no data at all, reads return zeroes and writes are discarded, for
		    measuring a driver without the cost of copying data
 *   sgl=on, dbbuf=on, vwc=on     advertise and implement SGLs, Doorbell Buffer Config, a
 *                    volatile write cache
 *   threads=1        controller threads, 1..16
 *   max_namespaces=  Identify NN: namespaces the controller can hold (default: namespaces)
 *   capacity=        TNVMCAP in bytes (default: max_namespaces times size)
 *   sanitize=block+crypto+overwrite   the sanitize operations offered (or all, or none)
 *   sanitize_ms=100  how long a sanitize operation runs
 *   sanitize_fail=0  the first this many sanitize operations fail
 *   ndi=off          SANICAP No-Deallocate Inhibited
 *   selftest_ms=100, selftest_ext_ms=500   how long a short and an extended self-test run
 *   fw_slots=3       firmware slots, 1..7; fw_ro=on: slot 1 is read-only
 *   fw_activate=now  commit action 3 activates at once (now) or at the next reset (reset)
 *   fw_downgrade=on  an older revision may be activated (off: Firmware Activation Prohibited)
 *   fwug=1           Identify FWUG: download granularity in 4 KiB units (0: none said,
 *                    255: no rule)
 *   fail=, hold=, delay=, cfs=, remove=, event=, idpatch=   faults, see <nvfio/sim.h>
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/priv.h"
#include "support/error.h"

const struct nvf_sim_lbaf nvf_sim_lbafs[NVF_SIM_NLBAF] = {
    [0] = {.ms = 0, .ds = 9},	/* 512 */
    [1] = {.ms = 8, .ds = 9},	/* 512 + 8 */
    [2] = {.ms = 16, .ds = 9},	/* 512 + 16 */
    [3] = {.ms = 0, .ds = 12},	/* 4096 */
    [4] = {.ms = 8, .ds = 12},	/* 4096 + 8 */
    [5] = {.ms = 64, .ds = 12}, /* 4096 + 64 */
};

#define NVF_SIM_OPTS_HELP                                                                          \
	"size, lbads, ms, namespaces, queues, depth, mdts, serial, model, firmware, storage, "     \
	"file, sgl, dbbuf, vwc, threads, max_namespaces, capacity, sanitize, sanitize_ms, "        \
	"sanitize_fail, ndi, selftest_ms, selftest_ext_ms, fw_slots, fw_ro, fw_activate, "         \
	"fw_downgrade, fwug, fail, hold, delay, cfs, remove, event, idpatch"

static int bad(const char *key, const char *val, const char *accepted)
{
	return nvf_err(-NVFIO_EBADOPT, "sim: option '%s=%s' is not valid: %s", key, val, accepted);
}

/*
 * An unsigned number, decimal or 0x-hex, with an optional K/M/G/T/P (binary) suffix. A leading
 * 0 is a decimal's (size=010M is ten MiB), not C's octal prefix.
 */
static int parse_u64(const char *s, bool suffix, uint64_t *out)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, hex ? 16 : 10);
	if (errno || end == s)
		return -1;
	if (suffix && *end) {
		switch (*end) {
		case 'k':
		case 'K':
			shift = 10;
			break;
		case 'm':
		case 'M':
			shift = 20;
			break;
		case 'g':
		case 'G':
			shift = 30;
			break;
		case 't':
		case 'T':
			shift = 40;
			break;
		case 'p':
		case 'P':
			shift = 50;
			break;
		default:
			return -1;
		}
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
	}
	if (*end)
		return -1;
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_uint(const char *key, const char *val, uint64_t min, uint64_t max,
		      unsigned int *out)
{
	uint64_t v;
	char msg[96];

	if (parse_u64(val, false, &v) || v < min || v > max) {
		snprintf(msg, sizeof(msg), "a number from %" PRIu64 " to %" PRIu64, min, max);
		return bad(key, val, msg);
	}
	*out = (unsigned int)v;
	return 0;
}

static int parse_bool(const char *key, const char *val, bool *out)
{
	if (!strcmp(val, "on") || !strcmp(val, "1") || !strcmp(val, "yes") || !strcmp(val, "true"))
		*out = true;
	else if (!strcmp(val, "off") || !strcmp(val, "0") || !strcmp(val, "no") ||
		 !strcmp(val, "false"))
		*out = false;
	else
		return bad(key, val, "on or off");
	return 0;
}

static int parse_str(const char *key, const char *val, char *dst, size_t max)
{
	char msg[64];

	if (strlen(val) >= max || !*val) {
		snprintf(msg, sizeof(msg), "1 to %zu characters", max - 1);
		return bad(key, val, msg);
	}
	for (const char *p = val; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return bad(key, val, "printable ASCII characters");
	strcpy(dst, val);
	return 0;
}

/* "admin", "io" or "any" */
static int parse_queues(const char *s, unsigned int *q)
{
	if (!strcmp(s, "admin"))
		*q = NVFIO_SIM_ADMIN;
	else if (!strcmp(s, "io"))
		*q = NVFIO_SIM_IO;
	else if (!strcmp(s, "any"))
		*q = NVFIO_SIM_ANYQ;
	else
		return -1;
	return 0;
}

static int parse_opcode(const char *s, int *opc)
{
	uint64_t v;

	if (!strcmp(s, "any")) {
		*opc = NVFIO_SIM_ANY_OPCODE;
		return 0;
	}
	if (parse_u64(s, false, &v) || v > 255)
		return -1;
	*opc = (int)v;
	return 0;
}

/* Split @s at ':' into at most @max fields (modifies @s). */
static unsigned int split(char *s, char **f, unsigned int max)
{
	unsigned int n = 0;

	while (n < max) {
		f[n++] = s;
		s = strchr(s, ':');
		if (!s)
			break;
		*s++ = '\0';
	}
	return s ? max + 1 : n;
}

#define IDPATCH_FORM "idpatch=<cns>:<nsid|any>:<offset>:<hex bytes>[:<repeat>]"

/* idpatch=: bytes over the Identify data of one CNS (and namespace), within its 4096 bytes. */
static int parse_idpatch(char *val, struct nvf_sim_idpatch *p)
{
	char *fld[5];
	uint64_t cns, nsid = 0, off, rep = 1;
	unsigned int n = split(val, fld, 5), i;
	size_t hex;

	if (n < 4 || n > 5 || parse_u64(fld[0], false, &cns) || cns > 255 ||
	    (strcmp(fld[1], "any") && (parse_u64(fld[1], false, &nsid) || nsid > UINT32_MAX)) ||
	    parse_u64(fld[2], false, &off) || off >= 4096 ||
	    (n == 5 && (parse_u64(fld[4], false, &rep) || rep < 1 || rep > 4096)))
		goto bad;
	hex = strlen(fld[3]);
	if (!hex || hex % 2 || hex / 2 > NVF_SIM_IDPATCH_MAX || off + hex / 2 * rep > 4096)
		goto bad;
	for (i = 0; i < hex / 2; i++) {
		char byte[3] = {fld[3][2 * i], fld[3][2 * i + 1], 0}, *end;

		p->bytes[i] = (uint8_t)strtoul(byte, &end, 16);
		if (*end || !isxdigit((unsigned char)byte[0]))
			goto bad;
	}
	p->cns = (uint8_t)cns;
	p->any_nsid = !strcmp(fld[1], "any");
	p->nsid = (uint32_t)nsid;
	p->off = (uint16_t)off;
	p->len = (uint16_t)(hex / 2);
	p->repeat = (uint16_t)rep;
	return 0;
bad:
	return nvf_err(-NVFIO_EBADOPT,
		       "sim: option 'idpatch' is not valid: the form is " IDPATCH_FORM
		       " (at most %u bytes, repeated up to 4096 times, within 4096 bytes)",
		       NVF_SIM_IDPATCH_MAX);
}

#define FAIL_FORM  "fail=<admin|io|any>:<opcode|any>:<sct>:<sc>[:<count>|:<percent>%]"
#define HOLD_FORM  "hold=<admin|io|any>:<opcode|any>[:<count>]"
#define DELAY_FORM "delay=<admin|io|any>:<opcode|any>:<microseconds>[:<count>]"

int nvf_sim_parse_fault(const char *rule, struct nvfio_sim_fault *f)
{
	char buf[256], *key, *val, *fld[6];
	const char *form;
	unsigned int n;
	uint64_t v;

	if (strlen(rule) >= sizeof(buf))
		return nvf_err(-NVFIO_EBADOPT, "sim: fault rule '%s' is too long", rule);
	strcpy(buf, rule);
	key = buf;
	val = strchr(buf, '=');
	if (!val)
		goto form_unknown;
	*val++ = '\0';
	memset(f, 0, sizeof(*f));
	if (!strcmp(key, "fail")) {
		f->kind = NVFIO_SIM_FAIL;
		form = FAIL_FORM;
	} else if (!strcmp(key, "hold")) {
		f->kind = NVFIO_SIM_HOLD;
		form = HOLD_FORM;
	} else if (!strcmp(key, "delay")) {
		f->kind = NVFIO_SIM_DELAY;
		form = DELAY_FORM;
	} else {
		goto form_unknown;
	}
	n = split(val, fld, 5);
	if (n < 2 || n > 5 || parse_queues(fld[0], &f->queues) || parse_opcode(fld[1], &f->opcode))
		goto form_bad;
	switch (f->kind) {
	case NVFIO_SIM_FAIL:
		if (n < 4)
			goto form_bad;
		if (parse_u64(fld[2], false, &v) || v > 7)
			goto form_bad;
		f->sct = (uint8_t)v;
		if (parse_u64(fld[3], false, &v) || v > 255)
			goto form_bad;
		f->sc = (uint8_t)v;
		if (n == 5) {
			size_t l = strlen(fld[4]);

			if (l > 1 && fld[4][l - 1] == '%') {
				double pct;
				char *end;

				fld[4][l - 1] = '\0';
				pct = strtod(fld[4], &end);
				if (*end || !(pct > 0.0) || pct > 100.0)
					goto form_bad;
				f->ppm = (uint32_t)(pct * 10000.0 + 0.5);
				if (!f->ppm)
					f->ppm = 1;
			} else if (parse_u64(fld[4], false, &v) || v > UINT32_MAX) {
				goto form_bad;
			} else {
				f->count = (uint32_t)v;
			}
		}
		break;
	case NVFIO_SIM_HOLD:
		if (n > 3)
			goto form_bad;
		if (n == 3) {
			if (parse_u64(fld[2], false, &v) || v > UINT32_MAX)
				goto form_bad;
			f->count = (uint32_t)v;
		}
		break;
	case NVFIO_SIM_DELAY:
		if (n < 3 || n > 4)
			goto form_bad;
		if (parse_u64(fld[2], false, &v) || v > 3600ull * 1000000)
			goto form_bad;
		f->delay_ns = v * 1000;
		if (n == 4) {
			if (parse_u64(fld[3], false, &v) || v > UINT32_MAX)
				goto form_bad;
			f->count = (uint32_t)v;
		}
		break;
	}
	return 0;

form_bad:
	return nvf_err(-NVFIO_EBADOPT, "sim: fault rule '%s' is not valid: the form is %s", rule,
		       form);
form_unknown:
	return nvf_err(-NVFIO_EBADOPT, "sim: '%s' is not a fault rule: the forms are %s, %s, %s",
		       rule, FAIL_FORM, HOLD_FORM, DELAY_FORM);
}

static void set_defaults(struct nvf_sim_opts *o)
{
	static _Atomic unsigned int instance;
	unsigned int n = atomic_fetch_add(&instance, 1);

	memset(o, 0, sizeof(*o));
	o->size = 1ull << 30;
	o->lbaf = 0;
	o->namespaces = 1;
	o->queues = 16;
	o->depth = 1024;
	o->mdts = 7;
	o->threads = 1;
	o->storage = NVF_SIM_STORE_SPARSE;
	o->sgl = true;
	o->dbbuf = true;
	o->vwc = true;
	snprintf(o->serial, sizeof(o->serial), "NVFIOSIM%04u", n % 10000);
	snprintf(o->model, sizeof(o->model), "nvfio simulated NVMe controller");
	snprintf(o->firmware, sizeof(o->firmware), "1.0");
	o->cfs_after = -1;
	o->remove_after = -1;
	o->sanicap = NVF_SIM_SANITIZE_BLOCK | NVF_SIM_SANITIZE_CRYPTO | NVF_SIM_SANITIZE_OVERWRITE;
	o->sanitize_ms = 100;
	o->selftest_ms = 100;
	o->selftest_ext_ms = 500;
	o->fw_slots = 3;
	o->fw_ro = true;
	o->fw_immediate = true;
	o->fw_downgrade = true;
	o->fwug = 1;
}

/* "block+crypto+overwrite" in any order and subset, "all" or "none". */
static int parse_sanitize(const char *val, unsigned int *cap)
{
	char buf[64], *tok, *save = NULL;

	if (!strcmp(val, "none")) {
		*cap = 0;
		return 0;
	}
	if (!strcmp(val, "all")) {
		*cap = NVF_SIM_SANITIZE_BLOCK | NVF_SIM_SANITIZE_CRYPTO | NVF_SIM_SANITIZE_OVERWRITE;
		return 0;
	}
	if (strlen(val) >= sizeof(buf))
		return -1;
	strcpy(buf, val);
	*cap = 0;
	for (tok = strtok_r(buf, "+", &save); tok; tok = strtok_r(NULL, "+", &save)) {
		if (!strcmp(tok, "block"))
			*cap |= NVF_SIM_SANITIZE_BLOCK;
		else if (!strcmp(tok, "crypto"))
			*cap |= NVF_SIM_SANITIZE_CRYPTO;
		else if (!strcmp(tok, "overwrite"))
			*cap |= NVF_SIM_SANITIZE_OVERWRITE;
		else
			return -1;
	}
	return *cap ? 0 : -1;
}

int nvf_sim_parse_opts(struct nvf_sim_opts *o, struct nvf_sim_inject *inj, const char *opts)
{
	char *copy, *tok, *save = NULL;
	unsigned int lbads = 9, ms = 0;
	bool have_file = false, have_storage = false, have_capacity = false;
	int ret = 0;

	set_defaults(o);
	memset(inj, 0, sizeof(*inj));
	copy = strdup(opts ? opts : "");
	if (!copy)
		return nvf_err(-ENOMEM, "sim: out of memory parsing options");

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *key = tok, *val = strchr(tok, '=');
		uint64_t v;

		if (!val) {
			ret = nvf_err(-NVFIO_EBADOPT,
				      "sim: option '%s' has no value: write it as key=value; the "
				      "options are " NVF_SIM_OPTS_HELP,
				      tok);
			goto out;
		}
		*val++ = '\0';
		if (!strcmp(key, "size")) {
			if (parse_u64(val, true, &v) || v < 1ull << 20 || v > 1ull << 50 ||
			    v % 4096) {
				ret = bad(key, val,
					  "a multiple of 4096 bytes from 1M to 1P (suffixes K, M, "
					  "G, T, P)");
				goto out;
			}
			o->size = v;
		} else if (!strcmp(key, "lbads")) {
			o->lbaf_given = true;
			if (!strcmp(val, "512") || !strcmp(val, "9")) {
				lbads = 9;
			} else if (!strcmp(val, "4096") || !strcmp(val, "12")) {
				lbads = 12;
			} else {
				ret = bad(key, val, "512 or 4096 (bytes), or 9 or 12 (shift)");
				goto out;
			}
		} else if (!strcmp(key, "ms")) {
			o->lbaf_given = true;
			if (parse_uint(key, val, 0, 64, &ms))
				goto bad_out;
		} else if (!strcmp(key, "namespaces")) {
			if (parse_uint(key, val, 1, NVF_SIM_MAX_NS, &o->namespaces))
				goto bad_out;
		} else if (!strcmp(key, "queues")) {
			if (parse_uint(key, val, 1, NVF_SIM_MAX_IOQ, &o->queues))
				goto bad_out;
		} else if (!strcmp(key, "depth")) {
			if (parse_uint(key, val, 2, NVF_SIM_MAX_DEPTH, &o->depth))
				goto bad_out;
		} else if (!strcmp(key, "mdts")) {
			if (parse_uint(key, val, 1, 10, &o->mdts))
				goto bad_out;
		} else if (!strcmp(key, "threads")) {
			if (parse_uint(key, val, 1, NVF_SIM_MAX_THREADS, &o->threads))
				goto bad_out;
		} else if (!strcmp(key, "serial")) {
			if (parse_str(key, val, o->serial, sizeof(o->serial)))
				goto bad_out;
		} else if (!strcmp(key, "model")) {
			if (parse_str(key, val, o->model, sizeof(o->model)))
				goto bad_out;
		} else if (!strcmp(key, "firmware")) {
			if (parse_str(key, val, o->firmware, sizeof(o->firmware)))
				goto bad_out;
		} else if (!strcmp(key, "storage")) {
			have_storage = true;
			if (!strcmp(val, "ram")) {
				o->storage = NVF_SIM_STORE_RAM;
			} else if (!strcmp(val, "sparse")) {
				o->storage = NVF_SIM_STORE_SPARSE;
			} else if (!strcmp(val, "file")) {
				o->storage = NVF_SIM_STORE_FILE;
			} else if (!strcmp(val, "null")) {
				o->storage = NVF_SIM_STORE_NULL;
			} else {
				ret = bad(key, val,
					  "ram, sparse, file (with file=/path) or null (no data)");
				goto out;
			}
		} else if (!strcmp(key, "file")) {
			if (!*val || strlen(val) >= sizeof(o->file)) {
				ret = bad(key, val, "a path to a file (created if absent)");
				goto out;
			}
			strcpy(o->file, val);
			have_file = true;
		} else if (!strcmp(key, "sgl")) {
			if (parse_bool(key, val, &o->sgl))
				goto bad_out;
		} else if (!strcmp(key, "dbbuf")) {
			if (parse_bool(key, val, &o->dbbuf))
				goto bad_out;
		} else if (!strcmp(key, "vwc")) {
			if (parse_bool(key, val, &o->vwc))
				goto bad_out;
		} else if (!strcmp(key, "max_namespaces")) {
			if (parse_uint(key, val, 1, NVF_SIM_MAX_NS, &o->max_namespaces))
				goto bad_out;
		} else if (!strcmp(key, "capacity")) {
			if (parse_u64(val, true, &v) || v < 1ull << 20 || v > 1ull << 60) {
				ret = bad(key, val, "bytes from 1M to 1024P (suffixes K, M, G, T, P)");
				goto out;
			}
			o->capacity = v;
			have_capacity = true;
		} else if (!strcmp(key, "sanitize")) {
			if (parse_sanitize(val, &o->sanicap)) {
				ret = bad(key, val,
					  "block, crypto and overwrite joined by '+', all, or none");
				goto out;
			}
		} else if (!strcmp(key, "sanitize_ms")) {
			if (parse_uint(key, val, 0, 3600000, &o->sanitize_ms))
				goto bad_out;
		} else if (!strcmp(key, "sanitize_fail")) {
			if (parse_uint(key, val, 0, 1000000, &o->sanitize_fail))
				goto bad_out;
		} else if (!strcmp(key, "ndi")) {
			if (parse_bool(key, val, &o->ndi))
				goto bad_out;
		} else if (!strcmp(key, "selftest_ms")) {
			if (parse_uint(key, val, 0, 120000, &o->selftest_ms))
				goto bad_out;
		} else if (!strcmp(key, "selftest_ext_ms")) {
			if (parse_uint(key, val, 0, 3600000, &o->selftest_ext_ms))
				goto bad_out;
		} else if (!strcmp(key, "fw_slots")) {
			if (parse_uint(key, val, 1, NVF_SIM_FW_SLOTS, &o->fw_slots))
				goto bad_out;
		} else if (!strcmp(key, "fw_ro")) {
			if (parse_bool(key, val, &o->fw_ro))
				goto bad_out;
		} else if (!strcmp(key, "fw_activate")) {
			if (!strcmp(val, "now")) {
				o->fw_immediate = true;
			} else if (!strcmp(val, "reset")) {
				o->fw_immediate = false;
			} else {
				ret = bad(key, val, "now or reset");
				goto out;
			}
		} else if (!strcmp(key, "fw_downgrade")) {
			if (parse_bool(key, val, &o->fw_downgrade))
				goto bad_out;
		} else if (!strcmp(key, "fwug")) {
			if (parse_uint(key, val, 0, 255, &o->fwug))
				goto bad_out;
		} else if (!strcmp(key, "fail") || !strcmp(key, "hold") || !strcmp(key, "delay")) {
			struct nvfio_sim_fault f;

			val[-1] = '=';
			if (nvf_sim_parse_fault(key, &f) < 0)
				goto bad_out;
			if (inj->nfaults <= NVF_SIM_MAX_RULES)
				inj->faults[inj->nfaults++] = f;
		} else if (!strcmp(key, "cfs") || !strcmp(key, "remove")) {
			if (parse_u64(val, false, &v) || v > (1ull << 62)) {
				ret = bad(key, val,
					  "the number of commands to complete first (0: at once)");
				goto out;
			}
			if (key[0] == 'c')
				o->cfs_after = (long long)v;
			else
				o->remove_after = (long long)v;
		} else if (!strcmp(key, "idpatch")) {
			if (o->nidpatch == NVF_SIM_MAX_IDPATCH) {
				ret = nvf_err(-NVFIO_EBADOPT, "sim: at most %u idpatch= options",
					      NVF_SIM_MAX_IDPATCH);
				goto out;
			}
			ret = parse_idpatch(val, &o->idpatch[o->nidpatch]);
			if (ret < 0)
				goto out;
			o->nidpatch++;
		} else if (!strcmp(key, "event")) {
			char *fld[4];
			uint64_t t, i, l;

			if (split(val, fld, 3) != 3 || parse_u64(fld[0], false, &t) || t > 7 ||
			    parse_u64(fld[1], false, &i) || i > 255 ||
			    parse_u64(fld[2], false, &l) || l > 255) {
				ret = nvf_err(-NVFIO_EBADOPT,
					      "sim: option 'event' is not valid: the form is "
					      "event=<type 0-7>:<info 0-255>:<log page 0-255>");
				goto out;
			}
			if (inj->nevents <= NVF_SIM_MAX_EVENTS)
				inj->events[inj->nevents++] =
				    (struct nvf_sim_event){(uint8_t)t, (uint8_t)i, (uint8_t)l};
		} else {
			ret = nvf_err(
			    -NVFIO_EBADOPT,
			    "sim: unknown option '%s': the options are " NVF_SIM_OPTS_HELP, key);
			goto out;
		}
		continue;
	bad_out:
		ret = -NVFIO_EBADOPT;
		goto out;
	}

	o->lbaf = NVF_SIM_NLBAF;
	for (unsigned int i = 0; i < NVF_SIM_NLBAF; i++)
		if (nvf_sim_lbafs[i].ds == lbads && nvf_sim_lbafs[i].ms == ms)
			o->lbaf = i;
	if (o->lbaf == NVF_SIM_NLBAF) {
		char v[16];

		snprintf(v, sizeof(v), "%u", ms);
		ret = bad("ms", v,
			  "0, 8 or 16 with 512-byte blocks; 0, 8 or 64 with 4096-byte blocks");
		goto out;
	}
	if (have_file && !have_storage)
		o->storage = NVF_SIM_STORE_FILE;
	if (o->storage == NVF_SIM_STORE_FILE && !have_file) {
		ret = nvf_err(-NVFIO_EBADOPT, "sim: storage=file needs file=/path/to/image");
		goto out;
	}
	if (have_file && o->storage != NVF_SIM_STORE_FILE) {
		ret = nvf_err(-NVFIO_EBADOPT, "sim: file=%s needs storage=file (or no storage=)",
			      o->file);
		goto out;
	}
	if (o->threads > o->queues + 1)
		o->threads = o->queues + 1;
	if (!o->max_namespaces)
		o->max_namespaces = o->namespaces;
	if (o->max_namespaces < o->namespaces) {
		ret = nvf_err(-NVFIO_EBADOPT,
			      "sim: max_namespaces=%u is below namespaces=%u: raise it or ask for "
			      "fewer namespaces",
			      o->max_namespaces, o->namespaces);
		goto out;
	}
	if (!have_capacity)
		o->capacity = o->size * o->max_namespaces;
	if (o->capacity < o->size * o->namespaces) {
		ret = nvf_err(-NVFIO_EBADOPT,
			      "sim: capacity=%llu bytes cannot hold namespaces=%u of size=%llu: "
			      "raise capacity= or lower size=",
			      (unsigned long long)o->capacity, o->namespaces,
			      (unsigned long long)o->size);
		goto out;
	}
out:
	free(copy);
	return ret;
}
