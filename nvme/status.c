/* SPDX-License-Identifier: BSD-3-Clause */
/* NVMe status codes in words (base specification, Status Code definitions). */
#include <stdio.h>

#include "nvme/spec.h"
#include "nvme/status.h"
#include "support/error.h"

struct status_name {
	uint8_t sc;
	const char *name;
};

static const struct status_name generic[] = {
    {NVME_SC_SUCCESS, "Successful Completion"},
    {NVME_SC_INVALID_OPCODE, "Invalid Command Opcode"},
    {NVME_SC_INVALID_FIELD, "Invalid Field in Command"},
    {NVME_SC_CMDID_CONFLICT, "Command ID Conflict"},
    {NVME_SC_DATA_XFER_ERROR, "Data Transfer Error"},
    {NVME_SC_POWER_LOSS, "Commands Aborted due to Power Loss Notification"},
    {NVME_SC_INTERNAL, "Internal Error"},
    {NVME_SC_ABORT_REQ, "Command Abort Requested"},
    {NVME_SC_ABORT_QUEUE, "Command Aborted due to SQ Deletion"},
    {NVME_SC_FUSED_FAIL, "Command Aborted due to Failed Fused Command"},
    {NVME_SC_FUSED_MISSING, "Command Aborted due to Missing Fused Command"},
    {NVME_SC_INVALID_NS, "Invalid Namespace or Format"},
    {NVME_SC_CMD_SEQ_ERROR, "Command Sequence Error"},
    {NVME_SC_SGL_INVALID_LAST, "Invalid SGL Segment Descriptor"},
    {NVME_SC_SGL_INVALID_COUNT, "Invalid Number of SGL Descriptors"},
    {NVME_SC_SGL_INVALID_DATA, "Data SGL Length Invalid"},
    {NVME_SC_SGL_INVALID_METADATA, "Metadata SGL Length Invalid"},
    {NVME_SC_SGL_INVALID_TYPE, "SGL Descriptor Type Invalid"},
    {NVME_SC_CMB_INVALID_USE, "Invalid Use of Controller Memory Buffer"},
    {NVME_SC_PRP_INVALID_OFFSET, "PRP Offset Invalid"},
    {NVME_SC_AWU_EXCEEDED, "Atomic Write Unit Exceeded"},
    {NVME_SC_OP_DENIED, "Operation Denied"},
    {NVME_SC_SGL_INVALID_OFFSET, "SGL Offset Invalid"},
    {NVME_SC_HOSTID_FORMAT, "Host Identifier Inconsistent Format"},
    {NVME_SC_KAT_EXPIRED, "Keep Alive Timer Expired"},
    {NVME_SC_KAT_INVALID, "Keep Alive Timeout Invalid"},
    {NVME_SC_CMD_ABORTED_PREMEPT, "Command Aborted due to Preempt and Abort"},
    {NVME_SC_SANITIZE_FAILED, "Sanitize Failed"},
    {NVME_SC_SANITIZE_IN_PROGRESS, "Sanitize In Progress"},
    {NVME_SC_SGL_INVALID_GRANULARITY, "SGL Data Block Granularity Invalid"},
    {NVME_SC_CMD_IN_CMBQ_NOT_SUPP, "Command Not Supported for Queue in CMB"},
    {NVME_SC_NS_WRITE_PROTECTED, "Namespace is Write Protected"},
    {NVME_SC_CMD_INTERRUPTED, "Command Interrupted"},
    {NVME_SC_TRAN_TPORT_ERROR, "Transient Transport Error"},
    {NVME_SC_PROHIBITED_BY_CMD_AND_FEAT, "Command Prohibited by Command and Feature Lockdown"},
    {NVME_SC_ADMIN_CMD_MEDIA_NOT_READY, "Admin Command Media Not Ready"},
    {NVME_SC_LBA_RANGE, "LBA Out of Range"},
    {NVME_SC_CAP_EXCEEDED, "Capacity Exceeded"},
    {NVME_SC_NS_NOT_READY, "Namespace Not Ready"},
    {NVME_SC_RESERVATION_CONFLICT, "Reservation Conflict"},
    {NVME_SC_FORMAT_IN_PROGRESS, "Format In Progress"},
};

static const struct status_name specific[] = {
    {NVME_SC_CQ_INVALID, "Completion Queue Invalid"},
    {NVME_SC_QID_INVALID, "Invalid Queue Identifier"},
    {NVME_SC_QUEUE_SIZE, "Invalid Queue Size"},
    {NVME_SC_ABORT_LIMIT, "Abort Command Limit Exceeded"},
    {NVME_SC_ASYNC_LIMIT, "Asynchronous Event Request Limit Exceeded"},
    {NVME_SC_FIRMWARE_SLOT, "Invalid Firmware Slot"},
    {NVME_SC_FIRMWARE_IMAGE, "Invalid Firmware Image"},
    {NVME_SC_INVALID_VECTOR, "Invalid Interrupt Vector"},
    {NVME_SC_INVALID_LOG_PAGE, "Invalid Log Page"},
    {NVME_SC_INVALID_FORMAT, "Invalid Format"},
    {NVME_SC_FW_NEEDS_CONV_RESET, "Firmware Activation Requires Conventional Reset"},
    {NVME_SC_INVALID_QUEUE, "Invalid Queue Deletion"},
    {NVME_SC_FEATURE_NOT_SAVEABLE, "Feature Identifier Not Saveable"},
    {NVME_SC_FEATURE_NOT_CHANGEABLE, "Feature Not Changeable"},
    {NVME_SC_FEATURE_NOT_PER_NS, "Feature Not Namespace Specific"},
    {NVME_SC_FW_NEEDS_SUBSYS_RESET, "Firmware Activation Requires NVM Subsystem Reset"},
    {NVME_SC_FW_NEEDS_RESET, "Firmware Activation Requires Controller Level Reset"},
    {NVME_SC_FW_NEEDS_MAX_TIME, "Firmware Activation Requires Maximum Time Violation"},
    {NVME_SC_FW_ACTIVATE_PROHIBITED, "Firmware Activation Prohibited"},
    {NVME_SC_OVERLAPPING_RANGE, "Overlapping Range"},
    {NVME_SC_NS_INSUFFICIENT_CAP, "Namespace Insufficient Capacity"},
    {NVME_SC_NS_ID_UNAVAILABLE, "Namespace Identifier Unavailable"},
    {NVME_SC_NS_ALREADY_ATTACHED, "Namespace Already Attached"},
    {NVME_SC_NS_IS_PRIVATE, "Namespace Is Private"},
    {NVME_SC_NS_NOT_ATTACHED, "Namespace Not Attached"},
    {NVME_SC_THIN_PROV_NOT_SUPP, "Thin Provisioning Not Supported"},
    {NVME_SC_CTRL_LIST_INVALID, "Controller List Invalid"},
    {NVME_SC_SELF_TEST_IN_PROGRESS, "Device Self-test In Progress"},
    {NVME_SC_BP_WRITE_PROHIBITED, "Boot Partition Write Prohibited"},
    {NVME_SC_INVALID_CTRL_ID, "Invalid Controller Identifier"},
    {NVME_SC_INVALID_SEC_CTRL_STATE, "Invalid Secondary Controller State"},
    {NVME_SC_INVALID_CTRL_RESOURCES, "Invalid Number of Controller Resources"},
    {NVME_SC_INVALID_RESOURCE_ID, "Invalid Resource Identifier"},
    {NVME_SC_ANA_GROUP_ID_INVALID, "ANA Group Identifier Invalid"},
    {NVME_SC_ANA_ATTACH_FAILED, "ANA Attach Failed"},
    {NVME_SC_BAD_ATTRIBUTES, "Conflicting Attributes"},
    {NVME_SC_INVALID_PI, "Invalid Protection Information"},
    {NVME_SC_READ_ONLY, "Attempted Write to Read Only Range"},
    {NVME_SC_CMD_SIZE_LIMIT_EXCEEDED, "Command Size Limit Exceeded"},
};

static const struct status_name media[] = {
    {NVME_SC_WRITE_FAULT, "Write Fault"},
    {NVME_SC_READ_ERROR, "Unrecovered Read Error"},
    {NVME_SC_GUARD_CHECK, "End-to-end Guard Check Error"},
    {NVME_SC_APPTAG_CHECK, "End-to-end Application Tag Check Error"},
    {NVME_SC_REFTAG_CHECK, "End-to-end Reference Tag Check Error"},
    {NVME_SC_COMPARE_FAILED, "Compare Failure"},
    {NVME_SC_ACCESS_DENIED, "Access Denied"},
    {NVME_SC_UNWRITTEN_BLOCK, "Deallocated or Unwritten Logical Block"},
    {NVME_SC_STORAGE_TAG_CHECK, "End-to-end Storage Tag Check Error"},
};

static const struct status_name path[] = {
    {NVME_SC_ANA_INTERNAL_PATH_ERROR, "Internal Path Error"},
    {NVME_SC_ANA_PERSISTENT_LOSS, "Asymmetric Access Persistent Loss"},
    {NVME_SC_ANA_INACCESSIBLE, "Asymmetric Access Inaccessible"},
    {NVME_SC_ANA_TRANSITION, "Asymmetric Access Transition"},
    {NVME_SC_CTRL_PATH_ERROR, "Controller Pathing Error"},
    {NVME_SC_HOST_PATH_ERROR, "Host Pathing Error"},
    {NVME_SC_CMD_ABORTED_BY_HOST, "Command Aborted By Host"},
};

static const char *lookup(const struct status_name *t, size_t n, unsigned int sc)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].sc == sc)
			return t[i].name;
	return NULL;
}

const char *nvfio_status_str(uint16_t status)
{
	static _Thread_local char buf[160];
	unsigned int sct = nvfio_status_sct(status), sc = nvfio_status_sc(status);
	const char *name = NULL;

	switch (sct) {
	case NVME_SCT_GENERIC:
		name = lookup(generic, sizeof(generic) / sizeof(generic[0]), sc);
		break;
	case NVME_SCT_CMD_SPECIFIC:
		name = lookup(specific, sizeof(specific) / sizeof(specific[0]), sc);
		break;
	case NVME_SCT_MEDIA:
		name = lookup(media, sizeof(media) / sizeof(media[0]), sc);
		break;
	case NVME_SCT_PATH:
		name = lookup(path, sizeof(path) / sizeof(path[0]), sc);
		break;
	case NVME_SCT_VS:
		name = "Vendor Specific";
		break;
	}
	snprintf(buf, sizeof(buf), "%s (SCT 0x%x, SC 0x%02x%s%s)", name ? name : "Unknown Status",
		 sct, sc, nvfio_status_dnr(status) ? ", DNR" : "",
		 nvfio_status_more(status) ? ", More" : "");
	return buf;
}

int nvf_status_err(uint16_t status, const char *what)
{
	return nvf_err(-NVFIO_ENVME, "%s: the controller answered %s", what,
		       nvfio_status_str(status));
}
