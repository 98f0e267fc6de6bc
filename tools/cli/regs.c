// SPDX-License-Identifier: BSD-3-Clause
/* show-regs: the controller's registers, with nvme-cli's output. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nvme/types.h>

#include "args.h"
#include "cli.h"
#include "cmds.h"
#include "dev.h"
#include "out.h"
#include "print.h"

struct regs {
	uint32_t w[CLI_REGS_LEN / 4];
};

static uint32_t r32(const struct regs *r, unsigned int off)
{
	return r->w[off / 4];
}

static uint64_t r64(const struct regs *r, unsigned int off)
{
	return (uint64_t)r->w[off / 4 + 1] << 32 | r->w[off / 4];
}

static const char *yn(uint64_t v, const char *on, const char *off)
{
	return v ? on : off;
}

static void human_cap(uint64_t cap)
{
	printf("\tController Ready With Media Support (CRWMS): %s\n",
	       yn(cap >> 59 & 1, "Supported", "Not Supported"));
	printf("\tController Ready Independent of Media Support (CRIMS): %s\n",
	       yn(cap >> 60 & 1, "Supported", "Not Supported"));
	printf("\tController Memory Buffer Supported (CMBS): The Controller Memory Buffer is %s\n",
	       yn(cap >> 57 & 1, "Supported", "Not Supported"));
	printf("\tPersistent Memory Region Supported (PMRS): The Persistent Memory Region is %s\n",
	       yn(cap >> 56 & 1, "Supported", "Not Supported"));
	printf("\tMemory Page Size Maximum         (MPSMAX): %u bytes\n",
	       1u << (12 + (cap >> 52 & 0xf)));
	printf("\tMemory Page Size Minimum         (MPSMIN): %u bytes\n",
	       1u << (12 + (cap >> 48 & 0xf)));
	printf("\tBoot Partition Support              (BPS): %s\n", yn(cap >> 45 & 1, "Yes", "No"));
	printf("\tCommand Sets Supported              (CSS): NVM command set is %s\n",
	       yn(cap >> 37 & 1, "Supported", "Not Supported"));
	printf("\t                                           One or more I/O Command Sets are %s\n",
	       yn(cap >> 43 & 1, "Supported", "Not Supported"));
	printf(
	    "\t                                           %s\n",
	    yn(cap >> 44 & 1, "Only Admin Command Set Supported", "I/O Command Set is Supported"));
	printf("\tNVM Subsystem Reset Supported     (NSSRS): %s\n", yn(cap >> 36 & 1, "Yes", "No"));
	printf("\tDoorbell Stride                   (DSTRD): %u bytes\n",
	       1u << (2 + (cap >> 32 & 0xf)));
	printf("\tTimeout                              (TO): %u ms\n",
	       (unsigned int)(cap >> 24 & 0xff) * 500);
	printf("\tArbitration Mechanism Supported     (AMS): Weighted Round Robin with Urgent "
	       "Priority Class is %s\n",
	       yn(cap >> 17 & 1, "supported", "not supported"));
	printf("\tContiguous Queues Required          (CQR): %s\n", yn(cap >> 16 & 1, "Yes", "No"));
	printf("\tMaximum Queue Entries Supported    (MQES): %u\n\n",
	       (unsigned int)(cap & 0xffff) + 1);
}

static void human_cc(uint32_t cc)
{
	static const char *const shn[] = {"No notification; no effect",
					  "Normal shutdown notification",
					  "Abrupt shutdown notification", "Reserved"};
	unsigned int ams = cc >> 11 & 7, css = cc & 0x70;

	printf("\tController Ready Independent of Media Enable (CRIME): %s\n",
	       yn(cc >> 24 & 1, "Enabled", "Disabled"));
	printf("\tI/O Completion Queue Entry Size (IOCQES): %u bytes\n", 1u << (cc >> 20 & 0xf));
	printf("\tI/O Submission Queue Entry Size (IOSQES): %u bytes\n", 1u << (cc >> 16 & 0xf));
	printf("\tShutdown Notification              (SHN): %s\n", shn[cc >> 14 & 3]);
	printf("\tArbitration Mechanism Selected     (AMS): %s\n",
	       ams == 0	  ? "Round Robin"
	       : ams == 1 ? "Weighted Round Robin with Urgent Priority Class"
	       : ams == 7 ? "Vendor Specific"
			  : "Reserved");
	printf("\tMemory Page Size                   (MPS): %u bytes\n",
	       1u << (12 + (cc >> 7 & 0xf)));
	printf("\tI/O Command Set Selected           (CSS): %s\n",
	       css == 0	     ? "NVM Command Set"
	       : css == 0x60 ? "All supported I/O Command Sets"
	       : css == 0x70 ? "Admin Command Set only"
			     : "Reserved");
	printf("\tEnable                              (EN): %s\n\n", yn(cc & 1, "Yes", "No"));
}

static void human_csts(uint32_t csts)
{
	static const char *const shst[] = {"Normal operation (no shutdown has been requested)",
					   "Shutdown processing occurring",
					   "Shutdown processing complete", "Reserved"};

	printf("\tProcessing Paused               (PP): %s\n", yn(csts >> 5 & 1, "Yes", "No"));
	printf("\tNVM Subsystem Reset Occurred (NSSRO): %s\n", yn(csts >> 4 & 1, "Yes", "No"));
	printf("\tShutdown Status               (SHST): %s\n", shst[csts >> 2 & 3]);
	printf("\tController Fatal Status        (CFS): %s\n", yn(csts >> 1 & 1, "True", "False"));
	printf("\tReady                          (RDY): %s\n\n", yn(csts & 1, "Yes", "No"));
}

/* The registers after AQA, as nvme-cli lists them: name (with its spacing), offset, width. */
static const struct reg {
	const char *head;
	const char *json;
	unsigned short off;
	unsigned char wide;   /* 64-bit */
	unsigned char altfmt; /* "%#x" instead of "%x" */
} tail_regs[] = {
    {"asq     : ", "asq", NVME_REG_ASQ, 1, 0},
    {"acq     : ", "acq", NVME_REG_ACQ, 1, 0},
    {"cmbloc  : ", "cmbloc", NVME_REG_CMBLOC, 0, 0},
    {"cmbsz   : ", "cmbsz", NVME_REG_CMBSZ, 0, 0},
    {"bpinfo  : ", "bpinfo", NVME_REG_BPINFO, 0, 0},
    {"bprsel  : ", "bprsel", NVME_REG_BPRSEL, 0, 0},
    {"bpmbl   : ", "bpmbl", NVME_REG_BPMBL, 1, 0},
    {"cmbmsc\t: ", "cmbmsc", NVME_REG_CMBMSC, 1, 0},
    {"cmbsts\t: ", "cmbsts", NVME_REG_CMBSTS, 0, 0},
    {"pmrcap  : ", "pmrcap", NVME_REG_PMRCAP, 0, 0},
    {"pmrctl  : ", "pmrctl", NVME_REG_PMRCTL, 0, 0},
    {"pmrsts  : ", "pmrsts", NVME_REG_PMRSTS, 0, 0},
    {"pmrebs  : ", "pmrebs", NVME_REG_PMREBS, 0, 0},
    {"pmrswtp : ", "pmrswtp", NVME_REG_PMRSWTP, 0, 0},
    {"pmrmscl\t: ", "pmrmscl", NVME_REG_PMRMSCL, 0, 1},
    {"pmrmscu\t: ", "pmrmscu", NVME_REG_PMRMSCU, 0, 1},
};

static void show_json(const struct regs *r)
{
	struct json_object *root = json_object_new_object();
	size_t i;

	cli_json_u64(root, "cap", r64(r, NVME_REG_CAP));
	cli_json_int(root, "vs", r32(r, NVME_REG_VS));
	cli_json_int(root, "intms", r32(r, NVME_REG_INTMS));
	cli_json_int(root, "intmc", r32(r, NVME_REG_INTMC));
	cli_json_int(root, "cc", r32(r, NVME_REG_CC));
	cli_json_int(root, "csts", r32(r, NVME_REG_CSTS));
	cli_json_int(root, "nssr", r32(r, NVME_REG_NSSR));
	cli_json_int(root, "crto", r32(r, NVME_REG_CRTO));
	cli_json_int(root, "aqa", r32(r, NVME_REG_AQA));
	for (i = 0; i < sizeof(tail_regs) / sizeof(tail_regs[0]); i++) {
		const struct reg *t = &tail_regs[i];

		if (t->wide)
			cli_json_u64(root, t->json, r64(r, t->off));
		else
			cli_json_int(root, t->json, r32(r, t->off));
	}
	cli_json_print(root);
}

static void show_normal(const struct regs *r, bool human)
{
	uint64_t cap = r64(r, NVME_REG_CAP);
	uint32_t vs = r32(r, NVME_REG_VS), cc = r32(r, NVME_REG_CC), csts = r32(r, NVME_REG_CSTS);
	uint32_t nssr = r32(r, NVME_REG_NSSR), crto = r32(r, NVME_REG_CRTO);
	uint32_t aqa = r32(r, NVME_REG_AQA);
	size_t i;

	/* nvme-cli leaves out what reads as all-ones (absent), comparing CAP with 32 bits. */
	if (cap != 0xffffffff) {
		printf("cap     : %llx\n", (unsigned long long)cap);
		if (human)
			human_cap(cap);
	}
	if (vs != 0xffffffff) {
		printf("version : %x\n", vs);
		if (human)
			printf("\tNVMe specification %u.%u\n\n", vs >> 16, vs >> 8 & 0xff);
	}
	if (cc != 0xffffffff) {
		printf("cc      : %x\n", cc);
		if (human)
			human_cc(cc);
	}
	if (csts != 0xffffffff) {
		printf("csts    : %x\n", csts);
		if (human)
			human_csts(csts);
	}
	if (nssr != 0xffffffff) {
		printf("nssr    : %x\n", nssr);
		if (human)
			printf("\tNVM Subsystem Reset Control (NSSRC): %u\n\n", nssr);
	}
	if (crto != 0xffffffff) {
		printf("crto    : %x\n", crto);
		if (human) {
			printf("\tCRIMT                               : %u secs\n",
			       (crto >> 16) / 2);
			printf("\tCRWMT                               : %u secs\n",
			       (crto & 0xffff) / 2);
		}
	}
	printf("intms   : %x\n", r32(r, NVME_REG_INTMS));
	if (human)
		printf("\tInterrupt Vector Mask Set (IVMS): %x\n\n", r32(r, NVME_REG_INTMS));
	printf("intmc   : %x\n", r32(r, NVME_REG_INTMC));
	if (human)
		printf("\tInterrupt Vector Mask Clear (IVMC): %x\n\n", r32(r, NVME_REG_INTMC));
	printf("aqa     : %x\n", aqa);
	if (human) {
		printf("\tAdmin Completion Queue Size (ACQS): %u\n", (aqa >> 16 & 0xfff) + 1);
		printf("\tAdmin Submission Queue Size (ASQS): %u\n\n", (aqa & 0xfff) + 1);
	}
	for (i = 0; i < sizeof(tail_regs) / sizeof(tail_regs[0]); i++) {
		const struct reg *t = &tail_regs[i];

		if (t->wide)
			printf("%s%llx\n", t->head, (unsigned long long)r64(r, t->off));
		else
			printf(t->altfmt ? "%s%#x\n" : "%s%x\n", t->head, r32(r, t->off));
		if (human && t->off == NVME_REG_ASQ)
			printf("\tAdmin Submission Queue Base (ASQB): %llx\n\n",
			       (unsigned long long)r64(r, t->off));
		else if (human && t->off == NVME_REG_ACQ)
			printf("\tAdmin Completion Queue Base (ACQB): %llx\n\n",
			       (unsigned long long)r64(r, t->off));
	}
}

void cli_print_regs(const uint32_t *regs, const struct cli_out *o)
{
	struct regs r;

	memcpy(r.w, regs, sizeof(r.w));
	if (o->fmt == CLI_FMT_BINARY)
		cli_raw(&r, sizeof(r));
	else if (o->fmt == CLI_FMT_JSON)
		show_json(&r);
	else
		show_normal(&r, o->human);
}

int cli_show_regs(int argc, char **argv)
{
	static const struct cli_usage u = {
	    "show-regs", "DEVICE [OPTIONS]",
	    "The controller's registers (CAP, VS, CC, CSTS, AQA, ASQ, ACQ, CMB, boot partition "
	    "and PMR registers) as they read now, with the controller brought up by nvfio."};
	struct cli_out o = {0};
	const struct cli_opt opts[] = {
	    CLI_STR("output-format", 'o', &o.format, "FMT", "output format: normal|json|binary"),
	    CLI_FLAG("human-readable", 'H', &o.human, "decode the registers"),
	    CLI_END,
	};
	struct nvfio_ctrl *ctrl;
	struct regs r;
	char *dev = NULL;
	int n, ret = cli_parse(argc, argv, &u, opts, &dev, 1, &n);

	if (ret)
		return ret > 0 ? 0 : EINVAL;
	if (cli_out_check(&o))
		return EINVAL;
	ret = cli_dev_open(dev, 0, &ctrl);
	if (ret)
		return ret;
	ret = nvfio_ctrl_read_regs(ctrl, &r, sizeof(r));
	if (ret) {
		cli_err("show-regs: %s", nvfio_last_error());
		ret = cli_exit_errno(ret);
	} else {
		cli_print_regs(r.w, &o);
	}
	nvfio_ctrl_close(ctrl);
	return ret;
}
