/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest: interrupt indices of QEMU's NVMe controller; MSI-X vectors bound to eventfds, signalled
 * by the kernel's loopback trigger, found in /proc/interrupts, unbound and rebound; bad ranges
 * and descriptors refused without disturbing the bound vectors; close releases everything.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "tests/vfio/leak.h"
#include "tests/vfio/vm.h"

#define NVEC 4

static struct vm vm;

/* Has @fd been signalled? Reads (and so clears) it. */
static bool signalled(int fd)
{
	uint64_t v;

	return read(fd, &v, sizeof(v)) == sizeof(v) && v > 0;
}

static bool has_irq(const char *addr, unsigned int vector)
{
	int irq = nvfio_vfio_msix_host_irq(addr, vector);

	CHECK(irq >= 0 || irq == -NVFIO_ENOIRQ);
	return irq >= 0;
}

static void check_info(struct nvfio_vfio_device *d, unsigned int *nmsix)
{
	struct nvfio_vfio_irq_info info;

	CHECK_OK(nvfio_vfio_device_irq_info(d, NVFIO_VFIO_PCI_MSIX, &info));
	printf("MSI-X: %u vectors, flags 0x%x\n", info.count, info.flags);
	CHECK(info.index == NVFIO_VFIO_PCI_MSIX);
	CHECK(info.count == vm_env("NVFIO_VM_MSIX_QSIZE", 65));
	CHECK(info.flags & NVFIO_VFIO_IRQ_EVENTFD);
	*nmsix = info.count;

	CHECK_OK(nvfio_vfio_device_irq_info(d, NVFIO_VFIO_PCI_INTX, &info));
	printf("INTx: %u, flags 0x%x\n", info.count, info.flags);
	CHECK(info.count == 1);
	CHECK(info.flags & NVFIO_VFIO_IRQ_MASKABLE);
	CHECK_OK(nvfio_vfio_device_irq_info(d, NVFIO_VFIO_PCI_MSI, &info));
	printf("MSI: %u, flags 0x%x\n", info.count, info.flags);
	CHECK_ERR(nvfio_vfio_device_irq_info(d, 99, &info), -NVFIO_ENOIRQ);
}

int main(int argc, char **argv)
{
	struct nvfio_vfio_device *d;
	int fds0, maps0, efd[NVEC], extra, irqs[NVEC];
	unsigned int nmsix, n;

	vm = vm_setup(argc, argv);
	fds0 = count_fds();
	maps0 = count_maps();
	CHECK_OK(nvfio_vfio_open(vm.addr, NVFIO_IOMMU_OPEN_AUTO, &d));
	check_info(d, &nmsix);
	n = nmsix < NVEC ? nmsix : NVEC;
	for (unsigned int i = 0; i < NVEC; i++)
		CHECK((efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) >= 0);
	CHECK((extra = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) >= 0);

	/* Nothing bound yet: no lines, and unbinding is harmless. */
	CHECK(!has_irq(vm.addr, 0));
	CHECK_OK(nvfio_vfio_device_msix_unbind(d, 0, n));

	/* Bind [0, n): each vector gets its own host IRQ. */
	CHECK_OK(nvfio_vfio_device_msix_bind(d, 0, n, efd));
	for (unsigned int i = 0; i < n; i++) {
		irqs[i] = nvfio_vfio_msix_host_irq(vm.addr, i);
		CHECK(irqs[i] >= 0);
		for (unsigned int j = 0; j < i; j++)
			CHECK(irqs[i] != irqs[j]);
		printf("vector %u: host IRQ %d\n", i, irqs[i]);
	}
	if (n < nmsix)
		CHECK(!has_irq(vm.addr, n));

	/* The kernel's loopback trigger signals exactly the bound eventfds. */
	CHECK_OK(nvfio_vfio_device_irq_trigger(d, NVFIO_VFIO_PCI_MSIX, 0, n));
	for (unsigned int i = 0; i < n; i++)
		CHECK(signalled(efd[i]));
	CHECK(!signalled(efd[0])); /* read cleared it */

	if (n >= 3) {
		/* Unbind the middle: its lines go, the others stay. */
		CHECK_OK(nvfio_vfio_device_msix_unbind(d, 1, n - 2));
		CHECK(has_irq(vm.addr, 0) && has_irq(vm.addr, n - 1));
		for (unsigned int i = 1; i < n - 1; i++)
			CHECK(!has_irq(vm.addr, i));
		CHECK_OK(nvfio_vfio_device_irq_trigger(d, NVFIO_VFIO_PCI_MSIX, 0, n));
		CHECK(signalled(efd[0]) && signalled(efd[n - 1]));
		for (unsigned int i = 1; i < n - 1; i++)
			CHECK(!signalled(efd[i]));
		/* Rebind vector 1 to another eventfd. */
		CHECK_OK(nvfio_vfio_device_msix_bind(d, 1, 1, &extra));
		CHECK(has_irq(vm.addr, 1));
		CHECK_OK(nvfio_vfio_device_irq_trigger(d, NVFIO_VFIO_PCI_MSIX, 1, 1));
		CHECK(signalled(extra) && !signalled(efd[1]));
	}

	/* The first bind enabled every vector: the last one can be bound without re-enabling. */
	CHECK_OK(nvfio_vfio_device_msix_bind(d, nmsix - 1, 1, &extra));
	CHECK(has_irq(vm.addr, nmsix - 1));
	CHECK(has_irq(vm.addr, 0));

	/* Bad input changes nothing. */
	{
		int bad = 9999, notevent[2];

		CHECK_ERR(nvfio_vfio_device_msix_bind(d, nmsix, 1, efd), -NVFIO_ENOIRQ);
		CHECK_ERR(nvfio_vfio_device_msix_bind(d, nmsix - 1, 2, efd), -NVFIO_ENOIRQ);
		CHECK_ERR(nvfio_vfio_device_msix_unbind(d, 0, nmsix + 1), -NVFIO_ENOIRQ);
		CHECK_ERR(nvfio_vfio_device_msix_bind(d, 0, 1, &bad), -EBADF);
		CHECK_ERR(nvfio_vfio_device_msix_bind(d, 0, 1, NULL), -EINVAL);
		CHECK(pipe(notevent) == 0);
		CHECK_ERR(nvfio_vfio_device_msix_bind(d, 0, 1, &notevent[0]), -EINVAL);
		close(notevent[0]);
		close(notevent[1]);
		CHECK_OK(nvfio_vfio_device_msix_bind(d, 0, 0, efd)); /* nothing to do */
		CHECK(has_irq(vm.addr, 0) && nvfio_vfio_msix_host_irq(vm.addr, 0) == irqs[0]);
		CHECK_ERR(nvfio_vfio_device_irq_trigger(d, NVFIO_VFIO_PCI_MSIX, nmsix, 1),
			  -NVFIO_ENOIRQ);
	}

	/* Disabling MSI-X releases every vector; a later bind enables it afresh. */
	CHECK_OK(nvfio_vfio_device_irq_disable(d, NVFIO_VFIO_PCI_MSIX));
	for (unsigned int i = 0; i < n; i++)
		CHECK(!has_irq(vm.addr, i));
	CHECK(!has_irq(vm.addr, nmsix - 1));
	CHECK_OK(nvfio_vfio_device_msix_bind(d, 0, 1, efd));
	CHECK(has_irq(vm.addr, 0));

	/*
	 * MSI-X enabled with two vectors by the generic call: binding a third keeps the first two
	 * (Linux 6.1 refuses to grow the set, 6.5 and later grow it), and unbinding more vectors
	 * than are enabled releases those that are.
	 */
	if (nmsix >= 3) {
		int ret;

		CHECK_OK(nvfio_vfio_device_irq_disable(d, NVFIO_VFIO_PCI_MSIX));
		CHECK_OK(nvfio_vfio_device_irq_set_eventfds(d, NVFIO_VFIO_PCI_MSIX, 0, 2, efd));
		ret = nvfio_vfio_device_msix_bind(d, 2, 1, &extra);
		CHECK(ret == 0 || ret == -EINVAL);
		if (ret < 0) {
			CHECK(strstr(nvfio_last_error(), "disable MSI-X first"));
			printf("growing the MSI-X set: %s\n", nvfio_last_error());
		}
		CHECK(has_irq(vm.addr, 0) && has_irq(vm.addr, 1));
		CHECK(has_irq(vm.addr, 2) == (ret == 0));
		CHECK_OK(nvfio_vfio_device_msix_unbind(d, 0, nmsix));
		for (unsigned int i = 0; i < 3; i++)
			CHECK(!has_irq(vm.addr, i));
		/* Still enabled with two vectors: the generic call below wants more. */
		CHECK_OK(nvfio_vfio_device_irq_disable(d, NVFIO_VFIO_PCI_MSIX));
	}

	/* The generic call on MSI-X, then close with vectors bound: close releases them. */
	CHECK_OK(nvfio_vfio_device_irq_set_eventfds(d, NVFIO_VFIO_PCI_MSIX, 0, n, efd));
	CHECK(has_irq(vm.addr, n - 1));
	nvfio_vfio_device_close(d);
	for (unsigned int i = 0; i < n; i++)
		CHECK(!has_irq(vm.addr, i));

	/* INTx through the generic call: bind, trigger, unmask, disable. */
	CHECK_OK(nvfio_vfio_open(vm.addr, NVFIO_IOMMU_OPEN_AUTO, &d));
	CHECK_OK(nvfio_vfio_device_irq_set_eventfds(d, NVFIO_VFIO_PCI_INTX, 0, 1, efd));
	CHECK_OK(nvfio_vfio_device_irq_trigger(d, NVFIO_VFIO_PCI_INTX, 0, 1));
	CHECK(signalled(efd[0]));
	CHECK_OK(nvfio_vfio_device_irq_unmask(d, NVFIO_VFIO_PCI_INTX));
	CHECK_OK(nvfio_vfio_device_irq_unmask_eventfd(d, NVFIO_VFIO_PCI_INTX, extra));
	CHECK_OK(nvfio_vfio_device_irq_unmask_eventfd(d, NVFIO_VFIO_PCI_INTX, -1));
	CHECK_OK(nvfio_vfio_device_irq_disable(d, NVFIO_VFIO_PCI_INTX));
	/* MSI-X cannot be enabled while INTx is: the kernel refuses, the message says why. */
	CHECK_OK(nvfio_vfio_device_irq_set_eventfds(d, NVFIO_VFIO_PCI_INTX, 0, 1, efd));
	CHECK_ERR(nvfio_vfio_device_msix_bind(d, 0, 1, efd), -EINVAL);
	printf("MSI-X while INTx is on: %s\n", nvfio_last_error());
	nvfio_vfio_device_close(d);

	for (unsigned int i = 0; i < NVEC; i++)
		close(efd[i]);
	close(extra);
	CHECK(count_fds() == fds0);
	CHECK(count_maps() == maps0);
	return T_EXIT_PASS;
}
