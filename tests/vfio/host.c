/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The public entry points on this machine as it is: without VFIO loaded they must fail with
 * -NVFIO_ENOVFIO and say how to load it; a PCI device on its own driver must be refused with
 * the driver's name and the rebind commands; an absent device is -NVFIO_ENODEVICE. None of it
 * may leak a descriptor or a mapping.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <nvfio/vfio.h>

#include "common/test.h"
#include "tests/vfio/leak.h"
#include "vfio/vfio.h"

/* A PCI device bound to a driver other than vfio-pci, if the machine has one. */
static bool find_host_device(char *addr, char *drv, size_t len)
{
	struct dirent *de;
	DIR *d;
	bool found = false;

	d = opendir("/sys/bus/pci/devices");
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= NVFIO_PCI_ADDR_MAX)
			continue;
		if (nvf_vfio_sysfs_driver(&nvf_vfio_root_default, de->d_name, drv, len) == 0 &&
		    drv[0] && !nvf_vfio_driver_is_vfio(drv)) {
			strcpy(addr, de->d_name);
			found = true;
		}
	}
	closedir(d);
	return found;
}

int main(void)
{
	struct nvfio_vfio_container *c;
	struct nvfio_iommu *ctx = NULL;
	struct nvfio_iommu_info info;
	struct nvfio_vfio_device *d = NULL;
	struct nvfio_vfio_group *g = NULL;
	char addr[NVFIO_PCI_ADDR_MAX], drv[64];
	int fds = count_fds(), maps = count_maps(), ret;
	bool tested_driver = false;

	CHECK_ERR(nvfio_iommu_open((enum nvfio_iommu_open_mode)3, &ctx), -EINVAL);
	ret = nvfio_iommu_open(NVFIO_IOMMU_OPEN_AUTO, &ctx);
	if (access("/dev/vfio/vfio", F_OK) != 0) {
		CHECK_ERR(ret, -NVFIO_ENOVFIO);
		CHECK(strstr(nvfio_last_error(), "/dev/vfio/vfio"));
		CHECK(strstr(nvfio_last_error(), "modprobe vfio-pci"));
		CHECK(ctx == NULL);
		printf("no /dev/vfio/vfio: %s\n", nvfio_last_error());
		CHECK_ERR(nvfio_vfio_group_open(4242, &g), -NVFIO_ENOGROUP);
	} else {
		CHECK_OK(ret);
		c = nvfio_iommu_vfio_container(ctx);
		CHECK(nvfio_vfio_container_fd(c) >= 0);
		CHECK(nvfio_iommu_type(ctx) == 0);
		/* No IOMMU before the first device. */
		CHECK_ERR(nvfio_iommu_get_info(ctx, &info), -EINVAL);
		CHECK(strstr(nvfio_last_error(), "nvfio_vfio_device_open"));
		CHECK(nvfio_vfio_container_check_extension(c, NVFIO_VFIO_TYPE1V2) >= 0);
		/* without a group no IOMMU type can be set */
		CHECK(nvfio_vfio_container_set_iommu(c, NVFIO_VFIO_TYPE1V2) < 0);
		CHECK_ERR(nvfio_vfio_device_open(ctx, "0000:01:00.0", 1, &d), -EINVAL);
		nvfio_iommu_close(ctx);
	}

	if (find_host_device(addr, drv, sizeof(drv))) {
		CHECK_ERR(nvfio_vfio_open(addr, NVFIO_IOMMU_OPEN_AUTO, &d), -NVFIO_ENOTVFIO);
		CHECK(strstr(nvfio_last_error(), drv));
		CHECK(strstr(nvfio_last_error(), "driver_override"));
		printf("%s: %s\n", addr, nvfio_last_error());
		tested_driver = true;
	}

	/* Bus ff, device 1f, function 7 exists on hardly any machine. */
	if (access("/sys/bus/pci/devices/0000:ff:1f.7", F_OK) != 0)
		CHECK_ERR(nvfio_vfio_open("ff:1f.7", NVFIO_IOMMU_OPEN_AUTO, &d), -NVFIO_ENODEVICE);
	CHECK_ERR(nvfio_vfio_open("not-an-address", NVFIO_IOMMU_OPEN_AUTO, &d), -NVFIO_EBADADDR);
	CHECK(d == NULL);
	CHECK_ERR(nvfio_vfio_group_of_device("ff:1f.8", NULL, NULL), -NVFIO_EBADADDR);

	ret = nvfio_vfio_noiommu_enabled();
	CHECK(ret == 0 || ret == 1 || ret == -NVFIO_ENOVFIO);

	CHECK(count_fds() == fds);
	CHECK(count_maps() == maps);
	if (!tested_driver)
		SKIP("no PCI device on a host driver to refuse; the rest passed");
	return T_EXIT_PASS;
}
