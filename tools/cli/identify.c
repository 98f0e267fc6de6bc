// SPDX-License-Identifier: BSD-3-Clause
/* Identify: id-ctrl, id-ns, list-ns, ns-descs, list-ctrl, with nvme-cli's output. */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <nvme/types.h>

#include "args.h"
#include "bits.h"
#include "cli.h"
#include "cmds.h"
#include "dev.h"
#include "out.h"
#include "print.h"

/* How a field of Identify Controller is printed: normal output, then JSON. */
enum fkind {
	F_HEX,	/* "%#x", JSON int */
	F_DEC,	/* "%d", JSON int */
	F_UDEC, /* "%u", JSON int */
	F_STR,	/* the bytes as a string, JSON string */
	F_U128, /* decimal, JSON string */
	F_IEEE, /* three bytes, most significant first; JSON int */
	F_UUID, /* JSON string */
};

struct field {
	const char *name;
	unsigned short off, size;
	enum fkind kind;
	const struct cli_bits *human; /* -H decoding, or NULL */
	const char *wide;	      /* F_U128: its name in the -H decoding, or NULL */
};

static uint64_t le_get(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;

	while (size--)
		v = v << 8 | p[size];
	return v;
}

static const struct cli_bits cmic_bits[] = {
    CLI_BITS_RSVD("  [7:4] : ", 4, 4),
    CLI_BITS_ONE_OF("  [3:3] : ", 3, "ANA supported", "ANA not supported"),
    CLI_BITS_ONE_OF("  [2:2] : ", 2, "SR-IOV", "PCI"),
    CLI_BITS_ONE_OF("  [1:1] : ", 1, "Multi Controller", "Single Controller"),
    CLI_BITS_ONE_OF("  [0:0] : ", 0, "Multi Port", "Single Port"),
    CLI_BITS_END,
};

static const struct cli_bits oaes_bits[] = {
    CLI_BITS_SUP("  [31:31] : ", 31, "Discovery Log Change Notice"),
    CLI_BITS_RSVD("  [30:28] : ", 28, 3),
    CLI_BITS_SUP("  [27:27] : ", 27, "Zone Descriptor Changed Notices"),
    CLI_BITS_RSVD("  [26:16] : ", 16, 11),
    CLI_BITS_SUP("  [15:15] : ", 15, "Normal NSS Shutdown Event"),
    CLI_BITS_SUP("  [14:14] : ", 14, "Endurance Group Event Aggregate Log Page Change Notice"),
    CLI_BITS_SUP("  [13:13] : ", 13, "LBA Status Information Notices"),
    CLI_BITS_SUP("  [12:12] : ", 12, "Predictable Latency Event Aggregate Log Change Notices"),
    CLI_BITS_SUP("  [11:11] : ", 11, "Asymmetric Namespace Access Change Notices"),
    CLI_BITS_RSVD("  [10:10] : ", 10, 1),
    CLI_BITS_SUP("  [9:9] : ", 9, "Firmware Activation Notices"),
    CLI_BITS_SUP("  [8:8] : ", 8, "Namespace Attribute Changed Event"),
    CLI_BITS_RSVD("  [7:0] : ", 0, 8),
    CLI_BITS_END,
};

static const struct cli_bits ctratt_bits[] = {
    CLI_BITS_RSVD(" [31:20] : ", 20, 12),
    CLI_BITS_SUP("  [19:19] : ", 19, "Flexible Data Placement"),
    CLI_BITS_RSVD("  [18:16] : ", 16, 3),
    CLI_BITS_SUP("  [15:15] : ", 15, "Extended LBA Formats"),
    CLI_BITS_SUP("  [14:14] : ", 14, "Delete NVM Set"),
    CLI_BITS_SUP("  [13:13] : ", 13, "Delete Endurance Group"),
    CLI_BITS_SUP("  [12:12] : ", 12, "Variable Capacity Management"),
    CLI_BITS_SUP("  [11:11] : ", 11, "Fixed Capacity Management"),
    CLI_BITS_SUP("  [10:10] : ", 10, "Multi Domain Subsystem"),
    CLI_BITS_SUP("  [9:9] : ", 9, "UUID List"),
    CLI_BITS_SUP("  [8:8] : ", 8, "SQ Associations"),
    CLI_BITS_SUP("  [7:7] : ", 7, "Namespace Granularity"),
    CLI_BITS_SUP("  [6:6] : ", 6, "Traffic Based Keep Alive"),
    CLI_BITS_SUP("  [5:5] : ", 5, "Predictable Latency Mode"),
    CLI_BITS_SUP("  [4:4] : ", 4, "Endurance Groups"),
    CLI_BITS_SUP("  [3:3] : ", 3, "Read Recovery Levels"),
    CLI_BITS_SUP("  [2:2] : ", 2, "NVM Sets"),
    CLI_BITS_SUP("  [1:1] : ", 1, "Non-Operational Power State Permissive"),
    CLI_BITS_SUP("  [0:0] : ", 0, "128-bit Host Identifier"),
    CLI_BITS_END,
};

static const char *const cntrltype_names[] = {
    "Controller type not reported",
    "I/O Controller",
    "Discovery Controller",
    "Administrative Controller",
};

/* nvme-cli prints this one's reserved bits even when zero, and no empty line after it. */
static const struct cli_bits cntrltype_bits[] = {
    CLI_BITS_VAL("  [7:2] : ", 2, 6, "Reserved"),
    CLI_BITS_NAMED("  [1:0] : ", 0, 2, "", cntrltype_names),
    CLI_BITS_END_NO_BLANK,
};

static const struct cli_bits nvmsr_bits[] = {
    CLI_BITS_RSVD(" [7:2] : ", 2, 6),
    CLI_BITS_ONE_OF("  [1:1] : ", 1, "NVM subsystem part of an Enclosure",
		    "NVM subsystem Not part of an Enclosure"),
    CLI_BITS_ONE_OF("  [0:0] : ", 0, "NVM subsystem part of an Storage Device",
		    "NVM subsystem Not part of an Storage Device"),
    CLI_BITS_END,
};

static const struct cli_bits vwci_bits[] = {
    CLI_BITS_ONE_OF("  [7:7] : ", 7, "VPD Write Cycles Remaining field is valid.",
		    "VPD Write Cycles Remaining field is Not valid."),
    CLI_BITS_VAL("  [6:0] : ", 0, 7, "VPD Write Cycles Remaining "),
    CLI_BITS_END,
};

static const struct cli_bits mec_bits[] = {
    CLI_BITS_RSVD(" [7:2] : ", 2, 6),
    CLI_BITS_ONE_OF("  [1:1] : ", 1, "NVM subsystem contains a Management Endpoint on a PCIe port",
		    "NVM subsystem Not contains a Management Endpoint on a PCIe port"),
    CLI_BITS_ONE_OF("  [0:0] : ", 0,
		    "NVM subsystem contains a Management Endpoint on an SMBus/I2C port",
		    "NVM subsystem Not contains a Management Endpoint on an SMBus/I2C port"),
    CLI_BITS_END,
};

static const struct cli_bits oacs_bits[] = {
    CLI_BITS_RSVD(" [15:11] : ", 11, 5),
    CLI_BITS_SUP("  [10:10] : ", 10, "Lockdown Command and Feature"),
    CLI_BITS_SUP("  [9:9] : ", 9, "Get LBA Status Capability"),
    CLI_BITS_SUP("  [8:8] : ", 8, "Doorbell Buffer Config"),
    CLI_BITS_SUP("  [7:7] : ", 7, "Virtualization Management"),
    CLI_BITS_SUP("  [6:6] : ", 6, "NVMe-MI Send and Receive"),
    CLI_BITS_SUP("  [5:5] : ", 5, "Directives"),
    CLI_BITS_SUP("  [4:4] : ", 4, "Device Self-test"),
    CLI_BITS_SUP("  [3:3] : ", 3, "NS Management and Attachment"),
    CLI_BITS_SUP("  [2:2] : ", 2, "FW Commit and Download"),
    CLI_BITS_SUP("  [1:1] : ", 1, "Format NVM"),
    CLI_BITS_SUP("  [0:0] : ", 0, "Security Send and Receive"),
    CLI_BITS_END,
};

static const struct cli_bits frmw_bits[] = {
    CLI_BITS_RSVD("  [7:6] : ", 6, 2),
    CLI_BITS_SUP("  [5:5] : ", 5, "Multiple FW or Boot Update Detection"),
    CLI_BITS_SUP("  [4:4] : ", 4, "Firmware Activate Without Reset"),
    CLI_BITS_VAL("  [3:1] : ", 1, 3, "Number of Firmware Slots"),
    CLI_BITS_ONE_OF("  [0:0] : ", 0, "Firmware Slot 1 Read-Only", "Firmware Slot 1 Read/Write"),
    CLI_BITS_END,
};

static const struct cli_bits lpa_bits[] = {
    CLI_BITS_RSVD("  [7:7] : ", 7, 1),
    CLI_BITS_SUP("  [6:6] : ", 6, "Telemetry Log Data Area 4"),
    CLI_BITS_SUP("  [5:5] : ", 5, "LID 0x0, Scope of each command in LID 0x5, 0x12, 0x13"),
    CLI_BITS_SUP("  [4:4] : ", 4, "Persistent Event log"),
    CLI_BITS_SUP("  [3:3] : ", 3, "Telemetry host/controller initiated log page"),
    CLI_BITS_SUP("  [2:2] : ", 2, "Extended data for Get Log Page"),
    CLI_BITS_SUP("  [1:1] : ", 1, "Command Effects Log Page"),
    CLI_BITS_SUP("  [0:0] : ", 0, "SMART/Health Log Page per NS"),
    CLI_BITS_END,
};

/* One 0's based count in a byte. */
#define COUNT_BITS(name, what)                                                                     \
	static const struct cli_bits name[] = {                                                    \
	    CLI_BITS_ROW("  [7:0] : ", 0, 8, CLI_BITS_ZEROS_BASED, .text = (what)),                \
	    CLI_BITS_END,                                                                          \
	}
COUNT_BITS(elpe_bits, "Error Log Page Entries (ELPE)");
COUNT_BITS(npss_bits, "Number of Power States Support (NPSS)");

/* Whether vendor specific commands of a command set (Admin, NVM) use the NVMe format. */
#define VS_FORMAT_BITS(name, set)                                                                  \
	static const struct cli_bits name[] = {                                                    \
	    CLI_BITS_RSVD("  [7:1] : ", 1, 7),                                                     \
	    CLI_BITS_ONE_OF("  [0:0] : ", 0, set " Vendor Specific Commands uses NVMe Format",     \
			    set " Vendor Specific Commands uses Vendor Specific Format"),          \
	    CLI_BITS_END,                                                                          \
	}
VS_FORMAT_BITS(avscc_bits, "Admin");
VS_FORMAT_BITS(icsvscc_bits, "NVM");

static const struct cli_bits apsta_bits[] = {
    CLI_BITS_RSVD("  [7:1] : ", 1, 7),
    CLI_BITS_SUP("  [0:0] : ", 0, "Autonomous Power State Transitions"),
    CLI_BITS_END,
};

#define KELVIN_BITS(name, what)                                                                    \
	static const struct cli_bits name[] = {                                                    \
	    CLI_BITS_ROW(" [15:0] : ", 0, 16, CLI_BITS_KELVIN, .text = (what)),                    \
	    CLI_BITS_END,                                                                          \
	}
KELVIN_BITS(wctemp_bits, "Warning Composite Temperature Threshold (WCTEMP)");
KELVIN_BITS(cctemp_bits, "Critical Composite Temperature Threshold (CCTEMP)");
KELVIN_BITS(mntmt_bits, "Minimum Thermal Management Temperature (MNTMT)");
KELVIN_BITS(mxtmt_bits, "Maximum Thermal Management Temperature (MXTMT)");

static const struct cli_bits rpmbs_bits[] = {
    CLI_BITS_VAL(" [31:24]: ", 24, 8, "Access Size"),
    CLI_BITS_VAL(" [23:16]: ", 16, 8, "Total Size"),
    CLI_BITS_RSVD(" [15:6] : ", 6, 10),
    CLI_BITS_VAL("  [5:3] : ", 3, 3, "Authentication Method"),
    CLI_BITS_VAL("  [2:0] : ", 0, 3, "Number of RPMB Units"),
    CLI_BITS_END,
};

static const struct cli_bits hctma_bits[] = {
    CLI_BITS_RSVD(" [15:1] : ", 1, 15),
    CLI_BITS_SUP("  [0:0] : ", 0, "Host Controlled Thermal Management"),
    CLI_BITS_END,
};

static const char *const sanicap_nodmmas[] = {
    ("Additional media modification after sanitize operation completes successfully is not "
     "defined"),
    "Media is not additionally modified after sanitize operation completes successfully",
    "Media is additionally modified after sanitize operation completes successfully",
    "Reserved",
};

/* Bit 29 is No-Deallocate Inhibited: set, the controller does not honour No-Deallocate. */
static const struct cli_bits sanicap_bits[] = {
    CLI_BITS_NAMED("  [31:30] : ", 30, 2, "", sanicap_nodmmas),
    CLI_BITS_ONE_OF("  [29:29] : ", 29,
		    "No-Deallocate After Sanitize bit in Sanitize command Not Supported",
		    "No-Deallocate After Sanitize bit in Sanitize command Supported"),
    CLI_BITS_RSVD("  [28:3] : ", 3, 26),
    CLI_BITS_SUP("    [2:2] : ", 2, "Overwrite Sanitize Operation"),
    CLI_BITS_SUP("    [1:1] : ", 1, "Block Erase Sanitize Operation"),
    CLI_BITS_SUP("    [0:0] : ", 0, "Crypto Erase Sanitize Operation"),
    CLI_BITS_END,
};

static const struct cli_bits anacap_bits[] = {
    CLI_BITS_SUP("  [7:7] : ", 7, "Non-zero group ID"),
    CLI_BITS_ONE_OF("  [6:6] : ", 6, "Group ID does not change", "Group ID does change"),
    CLI_BITS_RSVD(" [5:5] : ", 5, 1),
    CLI_BITS_SUP("  [4:4] : ", 4, "ANA Change state"),
    CLI_BITS_SUP("  [3:3] : ", 3, "ANA Persistent Loss state"),
    CLI_BITS_SUP("  [2:2] : ", 2, "ANA Inaccessible state"),
    CLI_BITS_SUP("  [1:1] : ", 1, "ANA Non-optimized state"),
    CLI_BITS_SUP("  [0:0] : ", 0, "ANA Optimized state"),
    CLI_BITS_END,
};

#define ENTRY_SIZE_BITS(name, q)                                                                   \
	static const struct cli_bits name[] = {                                                    \
	    CLI_BITS_ROW("  [7:4] : ", 4, 4, CLI_BITS_POW2, .text = "Max " q " Entry Size (",      \
			 .alt = ")"),                                                              \
	    CLI_BITS_ROW("  [3:0] : ", 0, 4, CLI_BITS_POW2, .text = "Min " q " Entry Size (",      \
			 .alt = ")"),                                                              \
	    CLI_BITS_END,                                                                          \
	}
ENTRY_SIZE_BITS(sqes_bits, "SQ");
ENTRY_SIZE_BITS(cqes_bits, "CQ");

static const struct cli_bits oncs_bits[] = {
    CLI_BITS_RSVD(" [15:9] : ", 9, 7),
    CLI_BITS_SUP("  [8:8] : ", 8, "Copy"),
    CLI_BITS_SUP("  [7:7] : ", 7, "Verify"),
    CLI_BITS_SUP("  [6:6] : ", 6, "Timestamp"),
    CLI_BITS_SUP("  [5:5] : ", 5, "Reservations"),
    CLI_BITS_SUP("  [4:4] : ", 4, "Save and Select"),
    CLI_BITS_SUP("  [3:3] : ", 3, "Write Zeroes"),
    CLI_BITS_SUP("  [2:2] : ", 2, "Data Set Management"),
    CLI_BITS_SUP("  [1:1] : ", 1, "Write Uncorrectable"),
    CLI_BITS_SUP("  [0:0] : ", 0, "Compare"),
    CLI_BITS_END,
};

static const struct cli_bits fuses_bits[] = {
    CLI_BITS_RSVD(" [15:1] : ", 1, 15),
    CLI_BITS_SUP("  [0:0] : ", 0, "Fused Compare and Write"),
    CLI_BITS_END,
};

/* Bit 3 set means that a Format NVM with NSID FFFFFFFFh is not supported. */
static const struct cli_bits fna_bits[] = {
    CLI_BITS_RSVD("  [7:4] : ", 4, 4),
    CLI_BITS_ONE_OF("  [3:3] : ", 3, "Format NVM Broadcast NSID (FFFFFFFFh) Not Supported",
		    "Format NVM Broadcast NSID (FFFFFFFFh) Supported"),
    CLI_BITS_ONE_OF("  [2:2] : ", 2, "Crypto Erase Supported as part of Secure Erase",
		    "Crypto Erase Not Supported as part of Secure Erase"),
    CLI_BITS_ONE_OF("  [1:1] : ", 1, "Crypto Erase Applies to All Namespace(s)",
		    "Crypto Erase Applies to Single Namespace(s)"),
    CLI_BITS_ONE_OF("  [0:0] : ", 0, "Format Applies to All Namespace(s)",
		    "Format Applies to Single Namespace(s)"),
    CLI_BITS_END,
};

static const char *const vwc_flush[] = {
    "Support for the NSID field set to FFFFFFFFh is not indicated",
    "Reserved",
    "The Flush command does not support NSID set to FFFFFFFFh",
    "The Flush command supports NSID set to FFFFFFFFh",
};

static const struct cli_bits vwc_bits[] = {
    CLI_BITS_RSVD("  [7:3] : ", 3, 5),
    CLI_BITS_NAMED("  [2:1] : ", 1, 2, "", vwc_flush),
    CLI_BITS_ONE_OF("  [0:0] : ", 0, "Volatile Write Cache Present",
		    "Volatile Write Cache Not Present"),
    CLI_BITS_END,
};

static const struct cli_bits nwpc_bits[] = {
    CLI_BITS_RSVD("  [7:3] : ", 3, 5),
    CLI_BITS_SUP("  [2:2] : ", 2, "Permanent Write Protect"),
    CLI_BITS_SUP("  [1:1] : ", 1, "Write Protect Until Power Supply"),
    CLI_BITS_SUP("  [0:0] : ", 0, "No Write Protect and Write Protect Namespace"),
    CLI_BITS_END,
};

static const struct cli_bits ocfs_bits[] = {
    CLI_BITS_RSVD("  [15:2] : ", 2, 14),
    CLI_BITS_SUP("  [1:1] : ", 1, "Controller Copy Format 1h"),
    CLI_BITS_SUP("  [0:0] : ", 0, "Controller Copy Format 0h"),
    CLI_BITS_END,
};

static const char *const sgls_support[] = {
    "", /* printed by the row after */
    "Scatter-Gather Lists Supported. No Dword alignment required.",
    "Scatter-Gather Lists Supported. Dword alignment required.",
    "Reserved",
};

/* Without SGL support (bits 1:0 zero) nvme-cli prints a capability bit only when it is set. */
#define SGLS_BIT(h, l, t)                                                                          \
	CLI_BITS_ROW(h, l, 1, CLI_BITS_SUPPORTED, .text = (t), .when = 3u | 1u << (l))
static const struct cli_bits sgls_bits[] = {
    CLI_BITS_RSVD(" [31:22]: ", 22, 10),
    SGLS_BIT(" [21:21]: ", 21, "Transport SGL Data Block Descriptor"),
    SGLS_BIT(" [20:20]: ", 20, "Address Offsets"),
    SGLS_BIT(" [19:19]: ", 19, "Metadata Pointer Containing SGL Descriptor is"),
    SGLS_BIT(" [18:18]: ", 18, "SGL Length Larger than Buffer"),
    SGLS_BIT(" [17:17]: ", 17, "Byte-Aligned Contig. MD Buffer"),
    SGLS_BIT(" [16:16]: ", 16, "SGL Bit-Bucket"),
    CLI_BITS_VAL(" [15:8] : ", 8, 8, "SGL Descriptor Threshold"),
    CLI_BITS_RSVD(" [7:3] : ", 3, 5),
    SGLS_BIT("  [2:2] : ", 2, "Keyed SGL Data Block descriptor"),
    CLI_BITS_ROW("  [1:0] : ", 0, 2, CLI_BITS_LIST, .text = "", .names = sgls_support, .when = 3),
    CLI_BITS_ROW(" [1:0]  : ", 0, 2, CLI_BITS_VALUE, .text = "Scatter-Gather Lists Not Supported",
		 .when = 3, .when_clear = true),
    CLI_BITS_END,
};

static const struct cli_bits fcatt_bits[] = {
    CLI_BITS_RSVD("  [7:1] : ", 1, 7),
    CLI_BITS_ONE_OF("  [0:0] : ", 0, "Static Controller Model", "Dynamic Controller Model"),
    CLI_BITS_END,
};

/* nvme-cli's own spacing: two blanks before "Supported". */
static const struct cli_bits ofcs_bits[] = {
    CLI_BITS_RSVD("  [15:1] : ", 1, 15),
    CLI_BITS_ONE_OF("  [0:0] : ", 0, "Disconnect command  Supported",
		    "Disconnect command Not Supported"),
    CLI_BITS_END,
};

#define IDC(f, k, h)                                                                               \
	{                                                                                          \
#f, offsetof(struct nvme_id_ctrl, f), sizeof(((struct nvme_id_ctrl *)0)->f), (k),  \
		    (h), NULL                                                                      \
	}
/* A 128-bit field, whose -H line gives its value again and names it. */
#define IDC_WIDE(f, what)                                                                          \
	{                                                                                          \
#f, offsetof(struct nvme_id_ctrl, f), sizeof(((struct nvme_id_ctrl *)0)->f),       \
		    F_U128, NULL, (what)                                                           \
	}

/* Identify Controller's fields in nvme-cli's order, up to the power states. */
static const struct field id_ctrl_fields[] = {
    IDC(vid, F_HEX, NULL),
    IDC(ssvid, F_HEX, NULL),
    IDC(sn, F_STR, NULL),
    IDC(mn, F_STR, NULL),
    IDC(fr, F_STR, NULL),
    IDC(rab, F_DEC, NULL),
    IDC(ieee, F_IEEE, NULL),
    IDC(cmic, F_HEX, cmic_bits),
    IDC(mdts, F_DEC, NULL),
    IDC(cntlid, F_HEX, NULL),
    IDC(ver, F_HEX, NULL),
    IDC(rtd3r, F_HEX, NULL),
    IDC(rtd3e, F_HEX, NULL),
    IDC(oaes, F_HEX, oaes_bits),
    IDC(ctratt, F_HEX, ctratt_bits),
    IDC(rrls, F_HEX, NULL),
    IDC(cntrltype, F_DEC, cntrltype_bits),
    IDC(fguid, F_UUID, NULL),
    IDC(crdt1, F_UDEC, NULL),
    IDC(crdt2, F_UDEC, NULL),
    IDC(crdt3, F_UDEC, NULL),
    IDC(nvmsr, F_UDEC, nvmsr_bits),
    IDC(vwci, F_UDEC, vwci_bits),
    IDC(mec, F_UDEC, mec_bits),
    IDC(oacs, F_HEX, oacs_bits),
    IDC(acl, F_DEC, NULL),
    IDC(aerl, F_DEC, NULL),
    IDC(frmw, F_HEX, frmw_bits),
    IDC(lpa, F_HEX, lpa_bits),
    IDC(elpe, F_DEC, elpe_bits),
    IDC(npss, F_DEC, npss_bits),
    IDC(avscc, F_HEX, avscc_bits),
    IDC(apsta, F_HEX, apsta_bits),
    IDC(wctemp, F_DEC, wctemp_bits),
    IDC(cctemp, F_DEC, cctemp_bits),
    IDC(mtfa, F_DEC, NULL),
    IDC(hmpre, F_DEC, NULL),
    IDC(hmmin, F_DEC, NULL),
    IDC_WIDE(tnvmcap, "Total NVM Capacity (TNVMCAP)"),
    IDC_WIDE(unvmcap, "Unallocated NVM Capacity (UNVMCAP)"),
    IDC(rpmbs, F_HEX, rpmbs_bits),
    IDC(edstt, F_DEC, NULL),
    IDC(dsto, F_DEC, NULL),
    IDC(fwug, F_DEC, NULL),
    IDC(kas, F_DEC, NULL),
    IDC(hctma, F_HEX, hctma_bits),
    IDC(mntmt, F_DEC, mntmt_bits),
    IDC(mxtmt, F_DEC, mxtmt_bits),
    IDC(sanicap, F_HEX, sanicap_bits),
    IDC(hmminds, F_UDEC, NULL),
    IDC(hmmaxd, F_DEC, NULL),
    IDC(nsetidmax, F_DEC, NULL),
    IDC(endgidmax, F_DEC, NULL),
    IDC(anatt, F_DEC, NULL),
    IDC(anacap, F_DEC, anacap_bits),
    IDC(anagrpmax, F_UDEC, NULL),
    IDC(nanagrpid, F_UDEC, NULL),
    IDC(pels, F_UDEC, NULL),
    IDC(domainid, F_DEC, NULL),
    IDC(megcap, F_U128, NULL),
    IDC(sqes, F_HEX, sqes_bits),
    IDC(cqes, F_HEX, cqes_bits),
    IDC(maxcmd, F_DEC, NULL),
    IDC(nn, F_DEC, NULL),
    IDC(oncs, F_HEX, oncs_bits),
    IDC(fuses, F_HEX, fuses_bits),
    IDC(fna, F_HEX, fna_bits),
    IDC(vwc, F_HEX, vwc_bits),
    IDC(awun, F_DEC, NULL),
    IDC(awupf, F_DEC, NULL),
    IDC(icsvscc, F_DEC, icsvscc_bits),
    IDC(nwpc, F_DEC, nwpc_bits),
    IDC(acwu, F_DEC, NULL),
    IDC(ocfs, F_HEX, ocfs_bits),
    IDC(sgls, F_HEX, sgls_bits),
    IDC(mnan, F_UDEC, NULL),
    IDC(maxdna, F_U128, NULL),
    IDC(maxcna, F_UDEC, NULL),
    IDC(subnqn, F_STR, NULL),
    IDC(ioccsz, F_UDEC, NULL),
    IDC(iorcsz, F_UDEC, NULL),
    IDC(icdoff, F_DEC, NULL),
    IDC(fcatt, F_HEX, fcatt_bits),
    IDC(msdbd, F_DEC, NULL),
    IDC(ofcs, F_DEC, ofcs_bits),
};

static void field_normal(const uint8_t *base, const struct field *f, int width, bool human)
{
	const uint8_t *p = base + f->off;
	uint64_t v = f->size <= 8 ? le_get(p, f->size) : 0;
	char s[512], u[37];

	printf("%-*s: ", width, f->name);
	switch (f->kind) {
	case F_HEX:
		printf("%#llx\n", (unsigned long long)v);
		break;
	case F_DEC:
		printf("%d\n", (int)v);
		break;
	case F_UDEC:
		printf("%u\n", (unsigned int)v);
		break;
	case F_STR:
		cli_field_str(s, sizeof(s), (const char *)p, f->size);
		printf("%s\n", s);
		break;
	case F_U128:
		printf("%s\n", cli_u128_str(p));
		break;
	case F_IEEE:
		printf("%02x%02x%02x\n", p[2], p[1], p[0]);
		break;
	case F_UUID:
		cli_uuid_str(u, p);
		printf("%s\n", u);
		break;
	}
	if (human && f->human)
		cli_bits_show(v, f->human);
	if (human && f->wide)
		printf("[127:0] : %s\n\t%s\n\n", cli_u128_str(p), f->wide);
}

static void field_json(struct json_object *root, const uint8_t *base, const struct field *f)
{
	const uint8_t *p = base + f->off;
	char s[512], u[37];

	switch (f->kind) {
	case F_STR:
		cli_field_str(s, sizeof(s), (const char *)p, f->size);
		/* nvme-cli leaves an empty subnqn out */
		if (*s || strcmp(f->name, "subnqn"))
			cli_json_str(root, f->name, s);
		break;
	case F_U128:
		cli_json_u128(root, f->name, p);
		break;
	case F_UUID:
		cli_uuid_str(u, p);
		cli_json_str(root, f->name, u);
		break;
	case F_IEEE:
		cli_json_int(root, f->name, p[2] << 16 | p[1] << 8 | p[0]);
		break;
	default:
		cli_json_int(root, f->name, (int64_t)le_get(p, f->size));
		break;
	}
}

static void power(unsigned int v, unsigned int scale)
{
	switch (scale & 3) {
	case 0:
		printf("-");
		break;
	case 1:
		printf("%01u.%04uW", v / 10000, v % 10000);
		break;
	case 2:
		printf("%01u.%02uW", v / 100, v % 100);
		break;
	default:
		printf("reserved");
	}
}

static void id_ctrl_psd_normal(const struct nvme_id_ctrl *id)
{
	static const char *const workload[] = {"-", "1MiB 32 RW, 30s idle", "80K 128KiB SW"};
	int i;

	for (i = 0; i <= id->npss && i < 32; i++) {
		const struct nvme_id_psd *ps = &id->psd[i];
		unsigned int mp = le16toh(ps->mp);

		printf("ps   %4d : mp:", i);
		if (ps->flags & NVME_PSD_FLAGS_MXPS)
			printf("%01u.%04uW ", mp / 10000, mp % 10000);
		else
			printf("%01u.%02uW ", mp / 100, mp % 100);
		if (ps->flags & NVME_PSD_FLAGS_NOPS)
			printf("non-");
		printf("operational enlat:%d exlat:%d rrt:%d rrl:%d\n"
		       "            rwt:%d rwl:%d idle_power:",
		       (int)le32toh(ps->enlat), (int)le32toh(ps->exlat), ps->rrt, ps->rrl, ps->rwt,
		       ps->rwl);
		power(le16toh(ps->idlp), ps->ips >> 6);
		printf(" active_power:");
		power(le16toh(ps->actp), ps->apws >> 6);
		printf("\n            active_power_workload:%s\n",
		       (ps->apws & 7) < 3 ? workload[ps->apws & 7] : "reserved");
	}
}

static void id_ctrl_psd_json(struct json_object *root, const struct nvme_id_ctrl *id)
{
	struct json_object *psds = json_object_new_array();
	int i;

	json_object_object_add(root, "psds", psds);
	for (i = 0; i <= id->npss && i < 32; i++) {
		const struct nvme_id_psd *ps = &id->psd[i];
		struct json_object *o = json_object_new_object();

		cli_json_int(o, "max_power", le16toh(ps->mp));
		cli_json_int(o, "flags", ps->flags);
		cli_json_int(o, "entry_lat", le32toh(ps->enlat));
		cli_json_int(o, "exit_lat", le32toh(ps->exlat));
		cli_json_int(o, "read_tput", ps->rrt);
		cli_json_int(o, "read_lat", ps->rrl);
		cli_json_int(o, "write_tput", ps->rwt);
		cli_json_int(o, "write_lat", ps->rwl);
		cli_json_int(o, "idle_power", le16toh(ps->idlp));
		cli_json_int(o, "idle_scale", ps->ips >> 6);
		cli_json_int(o, "active_power", le16toh(ps->actp));
		cli_json_int(o, "active_power_work", ps->apws & 7);
		cli_json_int(o, "active_scale", ps->apws >> 6);
		json_object_array_add(psds, o);
	}
}

void cli_print_id_ctrl(const struct nvme_id_ctrl *id, const struct cli_out *o, bool vs)
{
	const uint8_t *base = (const uint8_t *)id;
	size_t i;

	if (o->fmt == CLI_FMT_BINARY) {
		cli_raw(id, sizeof(*id));
	} else if (o->fmt == CLI_FMT_JSON) {
		struct json_object *root = json_object_new_object();

		for (i = 0; i < sizeof(id_ctrl_fields) / sizeof(id_ctrl_fields[0]); i++)
			field_json(root, base, &id_ctrl_fields[i]);
		id_ctrl_psd_json(root, id);
		cli_json_print(root);
	} else {
		printf("NVME Identify Controller:\n");
		for (i = 0; i < sizeof(id_ctrl_fields) / sizeof(id_ctrl_fields[0]); i++)
			field_normal(base, &id_ctrl_fields[i], 10, o->human);
		id_ctrl_psd_normal(id);
		if (vs) {
			printf("vs[]:\n");
			cli_hexdump(id->vs, sizeof(id->vs), 16, 1);
		}
	}
}

/* The options most identify and log commands share. */
#define OUT_OPTS(o)                                                                                \
	CLI_STR("output-format", 'o', &(o).format, "FMT", "output format: normal|json|binary"),    \
	    CLI_FLAG("raw-binary", 'b', &(o).binary, "output the raw structure"),                  \
	    CLI_FLAG("human-readable", 'H', &(o).human, "decode the fields")

int cli_id_ctrl(int argc, char **argv)
{
	static const struct cli_usage u = {
	    "id-ctrl", "DEVICE [OPTIONS]",
	    "Identify Controller: the controller's capabilities and settings, as nvme-cli "
	    "prints them."};
	struct cli_out o = {0};
	bool vs = false;
	const struct cli_opt opts[] = {
	    CLI_FLAG("vendor-specific", 'v', &vs, "dump the vendor specific field"),
	    OUT_OPTS(o),
	    CLI_END,
	};
	struct nvme_id_ctrl id;
	struct nvfio_ctrl *ctrl;
	char *dev = NULL;
	int n, ret;

	ret = cli_parse(argc, argv, &u, opts, &dev, 1, &n);
	if (ret)
		return ret > 0 ? 0 : EINVAL;
	if (cli_out_check(&o))
		return EINVAL;
	ret = cli_dev_open(dev, 0, &ctrl);
	if (ret)
		return ret;
	ret = cli_identify(ctrl, NVME_IDENTIFY_CNS_CTRL, 0, 0, 0, &id, "identify controller");
	if (!ret)
		cli_print_id_ctrl(&id, &o, vs);
	nvfio_ctrl_close(ctrl);
	return ret;
}

static const struct cli_bits nsfeat_bits[] = {
    CLI_BITS_RSVD("  [7:5] : ", 5, 3),
    CLI_BITS_SUP("  [4:4] : ", 4, "NPWG, NPWA, NPDG, NPDA, and NOWS are"),
    CLI_BITS_ONE_OF("  [3:3] : ", 3, "NGUID and EUI64 fields if non-zero, Never Reused",
		    "NGUID and EUI64 fields if non-zero, Reused"),
    CLI_BITS_SUP("  [2:2] : ", 2, "Deallocated or Unwritten Logical Block error"),
    CLI_BITS_ONE_OF("  [1:1] : ", 1, "Namespace uses NAWUN, NAWUPF, and NACWU",
		    "Namespace uses AWUN, AWUPF, and ACWU"),
    CLI_BITS_SUP("  [0:0] : ", 0, "Thin Provisioning"),
    CLI_BITS_END,
};

static const struct cli_bits flbas_bits[] = {
    CLI_BITS_RSVD("  [7:7] : ", 7, 1),
    CLI_BITS_VAL("  [6:5] : ", 5, 2, "Most significant 2 bits of Current LBA Format Selected"),
    CLI_BITS_ONE_OF("  [4:4] : ", 4, "Metadata Transferred at End of Data LBA",
		    "Metadata Transferred in Separate Contiguous Buffer"),
    CLI_BITS_VAL("  [3:0] : ", 0, 4, "Least significant 4 bits of Current LBA Format Selected"),
    CLI_BITS_END,
};

static const struct cli_bits mc_bits[] = {
    CLI_BITS_RSVD("  [7:2] : ", 2, 6),
    CLI_BITS_SUP("  [1:1] : ", 1, "Metadata Pointer"),
    CLI_BITS_SUP("  [0:0] : ", 0, "Metadata as Part of Extended Data LBA"),
    CLI_BITS_END,
};

static const struct cli_bits dpc_bits[] = {
    CLI_BITS_RSVD("  [7:5] : ", 5, 3),
    CLI_BITS_SUP("  [4:4] : ", 4, "Protection Information Transferred as Last 8 Bytes of Metadata"),
    CLI_BITS_SUP("  [3:3] : ", 3,
		 "Protection Information Transferred as First 8 Bytes of Metadata"),
    CLI_BITS_SUP("  [2:2] : ", 2, "Protection Information Type 3"),
    CLI_BITS_SUP("  [1:1] : ", 1, "Protection Information Type 2"),
    CLI_BITS_SUP("  [0:0] : ", 0, "Protection Information Type 1"),
    CLI_BITS_END,
};

static const char *const dps_types[] = {
    "Disabled",		"Type 1 Enabled",   "Type 2 Enabled",	"Type 3 Enabled",
    "Reserved Enabled", "Reserved Enabled", "Reserved Enabled", "Reserved Enabled",
};

static const struct cli_bits dps_bits[] = {
    CLI_BITS_RSVD("  [7:4] : ", 4, 4),
    CLI_BITS_ONE_OF("  [3:3] : ", 3,
		    "Protection Information is Transferred as First 8 Bytes of Metadata",
		    "Protection Information is Transferred as Last 8 Bytes of Metadata"),
    CLI_BITS_NAMED("  [2:0] : ", 0, 3, "Protection Information ", dps_types),
    CLI_BITS_END,
};

static const struct cli_bits nmic_bits[] = {
    CLI_BITS_RSVD("  [7:1] : ", 1, 7),
    CLI_BITS_ONE_OF("  [0:0] : ", 0, "Namespace Multipath Capable",
		    "Namespace Multipath Not Capable"),
    CLI_BITS_END,
};

static const struct cli_bits rescap_bits[] = {
    CLI_BITS_ONE_OF("  [7:7] : ", 7,
		    "Ignore Existing Key - Used as defined in revision 1.3 or later",
		    "Ignore Existing Key - Used as defined in revision 1.2.1 or earlier"),
    CLI_BITS_SUP("  [6:6] : ", 6, "Exclusive Access - All Registrants"),
    CLI_BITS_SUP("  [5:5] : ", 5, "Write Exclusive - All Registrants"),
    CLI_BITS_SUP("  [4:4] : ", 4, "Exclusive Access - Registrants Only"),
    CLI_BITS_SUP("  [3:3] : ", 3, "Write Exclusive - Registrants Only"),
    CLI_BITS_SUP("  [2:2] : ", 2, "Exclusive Access"),
    CLI_BITS_SUP("  [1:1] : ", 1, "Write Exclusive"),
    CLI_BITS_SUP("  [0:0] : ", 0, "Persist Through Power Loss"),
    CLI_BITS_END,
};

/* The percentage is printed when the indicator is supported, or when it is not but non-zero. */
static const struct cli_bits fpi_bits[] = {
    CLI_BITS_SUP("  [7:7] : ", 7, "Format Progress Indicator"),
    CLI_BITS_ROW("  [6:0] : ", 0, 7, CLI_BITS_NUMBER,
		 .text = "Format Progress Indicator (Remaining ", .alt = "%)", .when = 0xff),
    CLI_BITS_END,
};

static const char *const dlfeat_read[] = {
    "Not Reported",   "0x00",		"0xFF",		  "Reserved Value",
    "Reserved Value", "Reserved Value", "Reserved Value", "Reserved Value",
};

static const struct cli_bits dlfeat_bits[] = {
    CLI_BITS_RSVD("  [7:5] : ", 5, 3),
    CLI_BITS_ONE_OF("  [4:4] : ", 4,
		    "Guard Field of Deallocated Logical Blocks is set to CRC of The Value Read",
		    "Guard Field of Deallocated Logical Blocks is set to 0xFFFF"),
    CLI_BITS_SUP("  [3:3] : ", 3, "Deallocate Bit in the Write Zeroes Command is"),
    CLI_BITS_NAMED("  [2:0] : ", 0, 3,
		   "Bytes Read From a Deallocated Logical Block and its Metadata are ",
		   dlfeat_read),
    CLI_BITS_END,
};

#define IDN(f, k, h)                                                                               \
	{                                                                                          \
#f, offsetof(struct nvme_id_ns, f), sizeof(((struct nvme_id_ns *)0)->f), (k), (h), \
		    NULL                                                                           \
	}

/* Identify Namespace, first part: nvme-cli prints these as 64-bit hex in normal output. */
static const struct field id_ns_sizes[] = {
    IDN(nsze, F_HEX, NULL),	     IDN(ncap, F_HEX, NULL),	      IDN(nuse, F_HEX, NULL),
    IDN(nsfeat, F_HEX, nsfeat_bits), IDN(nlbaf, F_DEC, NULL),	      IDN(flbas, F_HEX, flbas_bits),
    IDN(mc, F_HEX, mc_bits),	     IDN(dpc, F_HEX, dpc_bits),	      IDN(dps, F_HEX, dps_bits),
    IDN(nmic, F_HEX, nmic_bits),     IDN(rescap, F_HEX, rescap_bits), IDN(fpi, F_HEX, fpi_bits),
    IDN(dlfeat, F_DEC, dlfeat_bits), IDN(nawun, F_DEC, NULL),	      IDN(nawupf, F_DEC, NULL),
    IDN(nacwu, F_DEC, NULL),	     IDN(nabsn, F_DEC, NULL),	      IDN(nabo, F_DEC, NULL),
    IDN(nabspf, F_DEC, NULL),	     IDN(noiob, F_DEC, NULL),	      IDN(nvmcap, F_U128, NULL),
};

/* Present when NSFEAT bit 4 says so. */
static const struct field id_ns_opt[] = {
    IDN(npwg, F_UDEC, NULL), IDN(npwa, F_UDEC, NULL), IDN(npdg, F_UDEC, NULL),
    IDN(npda, F_UDEC, NULL), IDN(nows, F_UDEC, NULL),
};

static const struct field id_ns_tail[] = {
    IDN(mssrl, F_UDEC, NULL),	IDN(mcl, F_UDEC, NULL),	     IDN(msrc, F_UDEC, NULL),
    IDN(nulbaf, F_UDEC, NULL),	IDN(anagrpid, F_UDEC, NULL), IDN(nsattr, F_UDEC, NULL),
    IDN(nvmsetid, F_DEC, NULL), IDN(endgid, F_DEC, NULL),
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void hex_bytes(char *out, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static void id_ns_json(const struct nvme_id_ns *ns)
{
	/* nvme-cli's JSON order differs from its text order. */
	static const char *const order[] = {
	    "nsze",   "ncap",	  "nuse",  "nsfeat", "nlbaf",	 "flbas",  "mc",
	    "dpc",    "dps",	  "nmic",  "rescap", "fpi",	 "dlfeat", "nawun",
	    "nawupf", "nacwu",	  "nabsn", "nabo",   "nabspf",	 "noiob",  "nvmcap",
	    "nsattr", "nvmsetid", "npwg",  "npwa",   "npdg",	 "npda",   "nows",
	    "mssrl",  "mcl",	  "msrc",  "nulbaf", "anagrpid", "endgid",
	};
	const uint8_t *base = (const uint8_t *)ns;
	struct json_object *root = json_object_new_object(), *lbafs;
	char eui[17], nguid[33];
	size_t i, j;
	int k;

	for (i = 0; i < NELEM(order); i++) {
		const struct field *f = NULL;

		if (!strncmp(order[i], "np", 2) || !strcmp(order[i], "nows")) {
			if (!(ns->nsfeat & 0x10))
				continue;
			for (j = 0; j < NELEM(id_ns_opt); j++)
				if (!strcmp(id_ns_opt[j].name, order[i]))
					f = &id_ns_opt[j];
		}
		for (j = 0; !f && j < NELEM(id_ns_sizes); j++)
			if (!strcmp(id_ns_sizes[j].name, order[i]))
				f = &id_ns_sizes[j];
		for (j = 0; !f && j < NELEM(id_ns_tail); j++)
			if (!strcmp(id_ns_tail[j].name, order[i]))
				f = &id_ns_tail[j];
		if (f && f->size == 8)
			cli_json_u64(root, f->name, le_get(base + f->off, 8));
		else if (f)
			field_json(root, base, f);
	}
	hex_bytes(eui, ns->eui64, sizeof(ns->eui64));
	hex_bytes(nguid, ns->nguid, sizeof(ns->nguid));
	cli_json_str(root, "eui64", eui);
	cli_json_str(root, "nguid", nguid);
	lbafs = json_object_new_array();
	json_object_object_add(root, "lbafs", lbafs);
	for (k = 0; k <= ns->nlbaf && k < 64; k++) {
		struct json_object *l = json_object_new_object();

		cli_json_int(l, "ms", le16toh(ns->lbaf[k].ms));
		cli_json_int(l, "ds", ns->lbaf[k].ds);
		cli_json_int(l, "rp", ns->lbaf[k].rp);
		json_object_array_add(lbafs, l);
	}
	cli_json_print(root);
}

static void id_ns_normal(const struct nvme_id_ns *ns, uint32_t nsid, bool human, bool vs)
{
	static const char *const rp[] = {"Best", "Better", "Good", "Degraded"};
	const uint8_t *base = (const uint8_t *)ns;
	unsigned int inuse = (ns->flbas & 0xf) | (ns->flbas >> 5 & 3) << 4;
	char eui[17], nguid[33];
	size_t i;
	int k;

	printf("NVME Identify Namespace %u:\n", nsid);
	for (i = 0; i < NELEM(id_ns_sizes); i++)
		field_normal(base, &id_ns_sizes[i], 8, human);
	if (ns->nsfeat & 0x10)
		for (i = 0; i < NELEM(id_ns_opt); i++)
			field_normal(base, &id_ns_opt[i], 8, human);
	for (i = 0; i < NELEM(id_ns_tail); i++) {
		const struct field *f = &id_ns_tail[i];

		/* nvme-cli's own spacing: a tab after nsattr, none after anagrpid */
		if (!strcmp(f->name, "nsattr"))
			printf("nsattr\t: %u\n", ns->nsattr);
		else if (!strcmp(f->name, "anagrpid"))
			printf("anagrpid: %u\n", le32toh(ns->anagrpid));
		else if (!strcmp(f->name, "nvmsetid"))
			printf("nvmsetid: %d\n", le16toh(ns->nvmsetid));
		else
			field_normal(base, f, 8, human);
	}
	hex_bytes(nguid, ns->nguid, sizeof(ns->nguid));
	hex_bytes(eui, ns->eui64, sizeof(ns->eui64));
	printf("nguid   : %s\neui64   : %s\n", nguid, eui);
	for (k = 0; k <= ns->nlbaf + ns->nulbaf && k < 64; k++) {
		const struct nvme_lbaf *l = &ns->lbaf[k];
		char ds[16];

		/* nvme-cli's 1 << ds, for the sizes an int holds; a larger one as a power. */
		if (l->ds < 31)
			snprintf(ds, sizeof(ds), "%d", 1 << l->ds);
		else
			snprintf(ds, sizeof(ds), "2^%u", l->ds);
		if (human)
			printf(
			    "LBA Format %2d : Metadata Size: %-3d bytes - Data Size: %-2s bytes - "
			    "Relative Performance: %#x %s %s\n",
			    k, le16toh(l->ms), ds, l->rp, rp[l->rp & 3],
			    (unsigned int)k == inuse ? "(in use)" : "");
		else
			printf("lbaf %2d : ms:%-3d lbads:%-2d rp:%#x %s\n", k, le16toh(l->ms),
			       l->ds, l->rp, (unsigned int)k == inuse ? "(in use)" : "");
	}
	if (vs) {
		printf("vs[]:\n");
		cli_hexdump(ns->vs, sizeof(ns->vs), 16, 1);
	}
}

void cli_print_id_ns(const struct nvme_id_ns *ns, uint32_t nsid, const struct cli_out *o, bool vs)
{
	if (o->fmt == CLI_FMT_BINARY)
		cli_raw(ns, sizeof(*ns));
	else if (o->fmt == CLI_FMT_JSON)
		id_ns_json(ns);
	else
		id_ns_normal(ns, nsid, o->human, vs);
}

static int need_nsid(const char *cmd, uint32_t nsid)
{
	if (nsid)
		return 0;
	cli_err("%s: give the namespace with -n/--namespace-id ('nvfio list-ns DEVICE' lists "
		"them)",
		cmd);
	return EINVAL;
}

/* A namespace's command: parse, check the output format and that a namespace is named, open the
 * device. 0, or the exit status (-1: help shown, exit 0). */
static int ns_prologue(int argc, char **argv, const struct cli_usage *u, const struct cli_opt *opts,
		       struct cli_out *o, const uint32_t *nsid, struct nvfio_ctrl **ctrl)
{
	char *dev = NULL;
	int n, ret = cli_parse(argc, argv, u, opts, &dev, 1, &n);

	if (ret)
		return ret > 0 ? -1 : EINVAL;
	if (cli_out_check(o))
		return EINVAL;
	ret = need_nsid(u->cmd, *nsid);
	if (ret)
		return ret;
	return cli_dev_open(dev, 0, ctrl);
}

int cli_id_ns(int argc, char **argv)
{
	static const struct cli_usage u = {
	    "id-ns", "DEVICE -n NSID [OPTIONS]",
	    "Identify Namespace: a namespace's size, formats and features, as nvme-cli prints "
	    "them."};
	struct cli_out o = {0};
	bool vs = false, force = false;
	uint32_t nsid = 0;
	const struct cli_opt opts[] = {
	    CLI_UINT("namespace-id", 'n', &nsid, "NSID", "the namespace"),
	    CLI_FLAG("force", 0, &force, "identify an allocated namespace that is not attached"),
	    CLI_FLAG("vendor-specific", 'v', &vs, "dump the vendor specific field"),
	    OUT_OPTS(o),
	    CLI_END,
	};
	struct nvme_id_ns ns;
	struct nvfio_ctrl *ctrl;
	int ret = ns_prologue(argc, argv, &u, opts, &o, &nsid, &ctrl);

	if (ret)
		return ret < 0 ? 0 : ret;
	ret = cli_identify(ctrl, force ? NVME_IDENTIFY_CNS_ALLOCATED_NS : NVME_IDENTIFY_CNS_NS,
			   nsid, 0, 0, &ns, "identify namespace");
	if (!ret)
		cli_print_id_ns(&ns, nsid, &o, vs);
	nvfio_ctrl_close(ctrl);
	return ret;
}

void cli_print_ns_list(const uint32_t *list, const struct cli_out *o)
{
	int i;

	if (o->fmt == CLI_FMT_JSON) {
		struct json_object *root = json_object_new_object();
		struct json_object *arr = json_object_new_array();

		for (i = 0; i < 1024; i++) {
			struct json_object *e;

			if (!list[i])
				continue;
			e = json_object_new_object();
			cli_json_int(e, "nsid", le32toh(list[i]));
			json_object_array_add(arr, e);
		}
		json_object_object_add(root, "nsid_list", arr);
		cli_json_print(root);
	} else {
		for (i = 0; i < 1024; i++)
			if (list[i])
				printf("[%4u]:%#x\n", i, le32toh(list[i]));
	}
}

int cli_list_ns(int argc, char **argv)
{
	static const struct cli_usage u = {
	    "list-ns", "DEVICE [OPTIONS]",
	    "The namespace ids the controller reports: active ones (default), or every "
	    "allocated one (--all), from --namespace-id on."};
	const char *format = NULL;
	uint32_t nsid = 1, csi = 0;
	bool all = false, csi_given = false;
	const struct cli_opt opts[] = {
	    CLI_UINT("namespace-id", 'n', &nsid, "NSID", "the first id to list (default 1)"),
	    CLI_UINT_G("csi", 'y', &csi, "CSI", "command set identifier", &csi_given),
	    CLI_FLAG("all", 'a', &all, "allocated namespaces too, not only active ones"),
	    CLI_STR("output-format", 'o', &format, "FMT", "output format: normal|json"),
	    CLI_END,
	};
	struct cli_out o = {0};
	uint32_t list[1024];
	struct nvfio_ctrl *ctrl;
	char *dev = NULL;
	uint8_t cns;
	int n, ret;

	ret = cli_parse(argc, argv, &u, opts, &dev, 1, &n);
	if (ret)
		return ret > 0 ? 0 : EINVAL;
	o.format = format;
	if (cli_out_check(&o))
		return EINVAL;
	if (o.fmt == CLI_FMT_BINARY) {
		cli_err("list-ns: output format binary is not offered (normal or json)");
		return EINVAL;
	}
	if (csi > 0xff) {
		cli_err("list-ns: --csi %u is above 255", csi);
		return EINVAL;
	}
	if (!nsid) {
		cli_err("list-ns: --namespace-id is the first id to list, 1 or more");
		return EINVAL;
	}
	ret = cli_dev_open(dev, 0, &ctrl);
	if (ret)
		return ret;
	if (csi_given)
		cns = all ? NVME_IDENTIFY_CNS_CSI_ALLOCATED_NS_LIST
			  : NVME_IDENTIFY_CNS_CSI_NS_ACTIVE_LIST;
	else
		cns = all ? NVME_IDENTIFY_CNS_ALLOCATED_NS_LIST : NVME_IDENTIFY_CNS_NS_ACTIVE_LIST;
	/* The list holds the ids above the one the command names. */
	ret = cli_identify(ctrl, cns, nsid - 1, 0, csi << 24, list, "identify namespace list");
	if (!ret)
		cli_print_ns_list(list, &o);
	nvfio_ctrl_close(ctrl);
	return ret;
}

/* One Namespace Identification Descriptor: its name and value in nvme-cli's words. */
static bool ns_desc(const uint8_t *d, size_t room, const char **name, char *val, size_t *len)
{
	/* Bytes, not struct nvme_ns_id_desc: a descriptor of odd length (a CSI's is 1 byte)
	 * puts the next one at an odd offset. */
	const size_t head = sizeof(struct nvme_ns_id_desc);
	uint8_t nidt = d[0], nidl = d[1];
	size_t want;

	*name = NULL;
	*len = head + nidl;
	if (*len > room)
		return false;
	switch (nidt) {
	case NVME_NIDT_EUI64:
		want = 8;
		*name = "eui64";
		break;
	case NVME_NIDT_NGUID:
		want = 16;
		*name = "nguid";
		break;
	case NVME_NIDT_UUID:
		want = 16;
		*name = "uuid";
		break;
	case NVME_NIDT_CSI:
		want = 1;
		*name = "csi";
		break;
	default:
		return true;
	}
	if (nidl < want) {
		*name = NULL;
		return true;
	}
	if (nidt == NVME_NIDT_UUID)
		cli_uuid_str(val, d + head);
	else if (nidt == NVME_NIDT_CSI)
		sprintf(val, "%#x", d[head]);
	else
		hex_bytes(val, d + head, want);
	return true;
}

void cli_print_ns_descs(const uint8_t *buf, uint32_t nsid, const struct cli_out *o)
{
	struct json_object *root = NULL, *arr = NULL;
	size_t pos, len;

	if (o->fmt == CLI_FMT_BINARY) {
		cli_raw(buf, NVME_IDENTIFY_DATA_SIZE);
		return;
	}
	if (o->fmt == CLI_FMT_JSON)
		root = json_object_new_object();
	else
		printf("NVME Namespace Identification Descriptors NS %u:\n", nsid);
	for (pos = 0;
	     pos + sizeof(struct nvme_ns_id_desc) <= NVME_IDENTIFY_DATA_SIZE && buf[pos + 1];
	     pos += len) {
		const char *name;
		char val[40];

		if (!ns_desc(buf + pos, NVME_IDENTIFY_DATA_SIZE - pos, &name, val, &len))
			break;
		if (!name)
			continue;
		if (root) {
			struct json_object *e = json_object_new_object();

			if (!arr)
				arr = json_object_new_array();
			cli_json_int(e, "loc", (int64_t)pos);
			cli_json_int(e, "nidt", buf[pos]);
			cli_json_int(e, "nidl", buf[pos + 1]);
			cli_json_str(e, "type", name);
			cli_json_str(e, name, val);
			json_object_array_add(arr, e);
		} else {
			printf("%-8s: %s\n", name, val);
		}
	}
	if (root) {
		if (arr)
			json_object_object_add(root, "ns-descs", arr);
		cli_json_print(root);
	}
}

int cli_ns_descs(int argc, char **argv)
{
	static const struct cli_usage u = {
	    "ns-descs", "DEVICE -n NSID [OPTIONS]",
	    "The Namespace Identification Descriptors of a namespace (EUI-64, NGUID, UUID, "
	    "command set)."};
	struct cli_out o = {0};
	uint32_t nsid = 0;
	const struct cli_opt opts[] = {
	    CLI_UINT("namespace-id", 'n', &nsid, "NSID", "the namespace"),
	    CLI_STR("output-format", 'o', &o.format, "FMT", "output format: normal|json|binary"),
	    CLI_FLAG("raw-binary", 'b', &o.binary, "output the raw structure"),
	    CLI_END,
	};
	uint8_t buf[NVME_IDENTIFY_DATA_SIZE];
	struct nvfio_ctrl *ctrl;
	int ret = ns_prologue(argc, argv, &u, opts, &o, &nsid, &ctrl);

	if (ret)
		return ret < 0 ? 0 : ret;
	ret = cli_identify(ctrl, NVME_IDENTIFY_CNS_NS_DESC_LIST, nsid, 0, 0, buf,
			   "identify namespace descriptors");
	if (ret)
		goto out;
	cli_print_ns_descs(buf, nsid, &o);
out:
	nvfio_ctrl_close(ctrl);
	return ret;
}
