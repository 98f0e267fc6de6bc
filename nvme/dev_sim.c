/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device glue of "sim:": the simulated controller's BAR0 is ordinary memory and its DMA goes
 * through a software address space of the DMA layer (no IOMMU ops: nothing is mapped in
 * hardware; the model translates IOVAs with the DMA layer's own table). An idle model sleeps
 * until the driver's cold paths wake it (nvf_dev_wake(): register writes, waits, polls that find
 * nothing for a while), so that idle controllers cost no CPU and the I/O path nothing more.
 */
#include <errno.h>
#include <stdlib.h>

#include "dma/dma.h"
#include "nvme/dev.h"
#include "sim/sim.h"
#include "support/error.h"

struct sim_dev {
	struct nvf_dev dev;
};

static void *sim_translate(void *ctx, uint64_t iova, size_t len)
{
	return nvf_dma_translate(ctx, iova, len);
}

static int sim_irq_bind(struct nvf_dev *dev, unsigned int vector, int eventfd)
{
	return nvf_sim_set_irq(dev->sim, vector, eventfd);
}

static void sim_irq_disable(struct nvf_dev *dev)
{
	unsigned int v;

	for (v = 0; v < dev->nr_vectors; v++)
		nvf_sim_set_irq(dev->sim, v, -1);
}

static void sim_wake(struct nvf_dev *dev)
{
	nvf_sim_wake(dev->sim);
}

static void sim_close(struct nvf_dev *dev)
{
	struct sim_dev *s = (struct sim_dev *)dev;

	/* The model's threads stop before the memory they read goes away. */
	nvf_sim_destroy(dev->sim);
	nvf_dma_destroy(dev->dma);
	free(s);
}

static const struct nvf_dev_ops sim_ops = {
    .irq_bind = sim_irq_bind,
    .irq_disable = sim_irq_disable,
    .close = sim_close,
    .wake = sim_wake,
};

int nvf_dev_sim_open(const char *opts, struct nvf_dev **out)
{
	const struct nvf_iommu soft = {.name = "soft"};
	struct nvf_sim_mem mem;
	struct sim_dev *s;
	size_t len = 0;
	int ret;

	s = calloc(1, sizeof(*s));
	if (!s)
		return nvf_err(-ENOMEM, "out of memory for the simulated controller");
	ret = nvf_dma_create(&soft, &s->dev.dma);
	if (ret < 0) {
		nvf_err_prefix("creating the DMA space of the simulated controller");
		goto err_free;
	}
	mem.translate = sim_translate;
	mem.ctx = s->dev.dma;
	ret = nvf_sim_create(opts, &mem, &s->dev.sim);
	if (ret < 0)
		goto err_dma;
	s->dev.bar0 = (volatile uint8_t *)nvf_sim_bar0(s->dev.sim, &len);
	s->dev.bar0_len = len;
	s->dev.nr_vectors = nvf_sim_irq_count(s->dev.sim);
	s->dev.ops = &sim_ops;
	s->dev.backend = "sim";
	*out = &s->dev;
	return 0;

err_dma:
	nvf_dma_destroy(s->dev.dma);
err_free:
	free(s);
	return ret;
}
