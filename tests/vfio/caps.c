/* SPDX-License-Identifier: BSD-3-Clause */
/* Capability chains of region info and type1 IOMMU info, from buffers built by hand. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "common/test.h"
#include "vfio/vfio.h"

static unsigned char buf[512];

static void put_hdr(size_t off, uint16_t id, uint32_t next)
{
	struct vfio_info_cap_header h = {.id = id, .version = 1, .next = next};

	memcpy(buf + off, &h, sizeof(h));
}

/* A region with MSIX_MAPPABLE at 32, SPARSE_MMAP (2 areas) at 40, TYPE at 88, unknown at 104. */
static size_t build_region(void)
{
	struct vfio_region_info ri = {
	    .argsz = 120,
	    .flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		     VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS,
	    .index = 0,
	    .cap_offset = 32,
	    .size = 0x4000,
	    .offset = 0x1000000,
	};
	struct vfio_region_info_cap_sparse_mmap sp = {.nr_areas = 2};
	struct vfio_region_sparse_mmap_area areas[2] = {{0, 0x2000}, {0x3000, 0x1000}};
	struct vfio_region_info_cap_type t = {.type = 3, .subtype = 7};

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &ri, sizeof(ri));
	put_hdr(32, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 40);
	memcpy(buf + 40, &sp, sizeof(sp));
	put_hdr(40, VFIO_REGION_INFO_CAP_SPARSE_MMAP, 88);
	memcpy(buf + 56, areas, sizeof(areas));
	memcpy(buf + 88, &t, sizeof(t));
	put_hdr(88, VFIO_REGION_INFO_CAP_TYPE, 104);
	put_hdr(104, 0x7777, 0); /* a capability from the future: skipped */
	return 120;
}

static void region_tests(void)
{
	struct nvfio_vfio_region_info info;
	struct nvfio_vfio_sparse_area *areas;
	size_t len;

	len = build_region();
	CHECK_OK(nvf_vfio_parse_region_info(buf, len, &info, &areas));
	CHECK(info.size == 0x4000 && info.offset == 0x1000000);
	CHECK(info.flags ==
	      (NVFIO_VFIO_REGION_READ | NVFIO_VFIO_REGION_WRITE | NVFIO_VFIO_REGION_MMAP));
	CHECK(info.msix_mappable);
	CHECK(info.has_type && info.type == 3 && info.subtype == 7);
	CHECK(info.sparse && info.nr_areas == 2 && info.areas == areas);
	CHECK(areas[0].offset == 0 && areas[0].size == 0x2000);
	CHECK(areas[1].offset == 0x3000 && areas[1].size == 0x1000);
	free(areas);

	/* Without the CAPS flag, cap_offset means nothing. */
	len = build_region();
	((struct vfio_region_info *)buf)->flags &= ~VFIO_REGION_INFO_FLAG_CAPS;
	((struct vfio_region_info *)buf)->cap_offset = 9999;
	CHECK_OK(nvf_vfio_parse_region_info(buf, len, &info, &areas));
	CHECK(!info.msix_mappable && !info.sparse && !info.has_type && areas == NULL);

	/* A region with no capability at all. */
	CHECK_OK(nvf_vfio_parse_region_info(buf, sizeof(struct vfio_region_info), &info, &areas));
	CHECK(areas == NULL && info.size == 0x4000);

	/* Sparse with zero areas: nothing may be mapped. */
	len = build_region();
	((struct vfio_region_info_cap_sparse_mmap *)(buf + 40))->nr_areas = 0;
	CHECK_OK(nvf_vfio_parse_region_info(buf, len, &info, &areas));
	CHECK(info.sparse && info.nr_areas == 0 && areas == NULL);

	/* Malformed answers. */
	CHECK(nvf_vfio_parse_region_info(buf, 16, &info, &areas) == -EPROTO);
	len = build_region();
	CHECK(nvf_vfio_parse_region_info(buf, 100, &info, &areas) == -EPROTO); /* truncated */
	CHECK(areas == NULL);
	len = build_region();
	put_hdr(88, VFIO_REGION_INFO_CAP_TYPE, 40); /* loops back */
	CHECK(nvf_vfio_parse_region_info(buf, len, &info, &areas) == -EPROTO);
	CHECK(areas == NULL && info.areas == NULL);
	len = build_region();
	put_hdr(32, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 32); /* points at itself */
	CHECK(nvf_vfio_parse_region_info(buf, len, &info, &areas) == -EPROTO);
	len = build_region();
	((struct vfio_region_info *)buf)->cap_offset = 8; /* inside the header */
	CHECK(nvf_vfio_parse_region_info(buf, len, &info, &areas) == -EPROTO);
	len = build_region();
	((struct vfio_region_info *)buf)->cap_offset = 4096; /* past the end */
	CHECK(nvf_vfio_parse_region_info(buf, len, &info, &areas) == -EPROTO);
	len = build_region();
	((struct vfio_region_info_cap_sparse_mmap *)(buf + 40))->nr_areas = 1000000;
	CHECK(nvf_vfio_parse_region_info(buf, len, &info, &areas) == -EPROTO);
	len = build_region();
	put_hdr(104, VFIO_REGION_INFO_CAP_SPARSE_MMAP, 0); /* a second sparse cap, cut short */
	CHECK(nvf_vfio_parse_region_info(buf, len, &info, &areas) == -EPROTO);
	CHECK(areas == NULL);
	len = build_region();
	((struct vfio_region_info_cap_sparse_mmap *)(buf + 40))->nr_areas = 0;
	put_hdr(88, VFIO_REGION_INFO_CAP_SPARSE_MMAP, 104); /* an empty one, then another */
	memset(buf + 96, 0, 8);				    /* with no areas either */
	CHECK(nvf_vfio_parse_region_info(buf, len, &info, &areas) == -EPROTO);
	CHECK(areas == NULL && !info.nr_areas);
}

/* IOMMU info: IOVA ranges at 24, a migration cap at 72 (skipped), DMA_AVAIL at 104. */
static size_t build_iommu(void)
{
	struct vfio_iommu_type1_info ii = {
	    .argsz = 120,
	    .flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS,
	    .iova_pgsizes = 0x40201000,
	    .cap_offset = 24,
	};
	struct vfio_iommu_type1_info_cap_iova_range r = {.nr_iovas = 2};
	struct vfio_iova_range ranges[2] = {{0, 0xfedfffff}, {0xfef00000, 0xffffffffffffULL}};
	struct vfio_iommu_type1_info_dma_avail a = {.avail = 65000};

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &ii, sizeof(ii));
	memcpy(buf + 24, &r, sizeof(r));
	put_hdr(24, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 72);
	memcpy(buf + 40, ranges, sizeof(ranges));
	put_hdr(72, VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION, 104);
	memcpy(buf + 104, &a, sizeof(a));
	put_hdr(104, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 0);
	return 120;
}

static void iommu_tests(void)
{
	struct nvfio_iommu_info info;
	struct nvfio_iommu_iova_range *ranges;
	size_t len;

	len = build_iommu();
	CHECK_OK(nvf_vfio_parse_iommu_info(buf, len, &info, &ranges));
	CHECK(info.pgsize_bitmap == 0x40201000);
	CHECK(info.has_dma_avail && info.dma_avail == 65000);
	CHECK(info.nr_ranges == 2 && info.ranges == ranges);
	CHECK(ranges[0].start == 0 && ranges[0].last == 0xfedfffff);
	CHECK(ranges[1].start == 0xfef00000 && ranges[1].last == 0xffffffffffffULL);
	free(ranges);

	/* DMA_AVAIL listed first, then the ranges: the order of the kinds does not matter. */
	len = build_iommu();
	((struct vfio_iommu_type1_info *)buf)->cap_offset = 104;
	put_hdr(104, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 120);
	memcpy(buf + 120, buf + 24, 48); /* the ranges, moved behind it */
	put_hdr(120, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 0);
	CHECK_OK(nvf_vfio_parse_iommu_info(buf, 168, &info, &ranges));
	CHECK(info.has_dma_avail && info.dma_avail == 65000);
	CHECK(info.nr_ranges == 2 && ranges[1].last == 0xffffffffffffULL);
	free(ranges);
	/* But a chain only runs forward in the buffer: a next pointer back is a loop. */
	len = build_iommu();
	((struct vfio_iommu_type1_info *)buf)->cap_offset = 104;
	put_hdr(104, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 24);
	CHECK(nvf_vfio_parse_iommu_info(buf, len, &info, &ranges) == -EPROTO);
	/* Two sets of ranges, even an empty one first, are ambiguous. */
	len = build_iommu();
	put_hdr(72, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 104);
	CHECK(nvf_vfio_parse_iommu_info(buf, len, &info, &ranges) == -EPROTO);
	CHECK(ranges == NULL && info.ranges == NULL && info.nr_ranges == 0);

	/* An older kernel: no capabilities, a 16-byte answer. */
	len = build_iommu();
	((struct vfio_iommu_type1_info *)buf)->flags = VFIO_IOMMU_INFO_PGSIZES;
	CHECK_OK(nvf_vfio_parse_iommu_info(buf, 16, &info, &ranges));
	CHECK(info.pgsize_bitmap == 0x40201000 && !info.has_dma_avail && info.nr_ranges == 0);
	CHECK(ranges == NULL);

	/* Malformed. */
	CHECK(nvf_vfio_parse_iommu_info(buf, 8, &info, &ranges) == -EPROTO);
	len = build_iommu();
	CHECK(nvf_vfio_parse_iommu_info(buf, 60, &info, &ranges) == -EPROTO);
	CHECK(ranges == NULL && info.ranges == NULL && info.nr_ranges == 0);
	len = build_iommu();
	((struct vfio_iova_range *)(buf + 40))[1].end = 0x1000; /* last < start */
	CHECK(nvf_vfio_parse_iommu_info(buf, len, &info, &ranges) == -EPROTO);
	len = build_iommu();
	put_hdr(104, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 116); /* next record does not fit */
	CHECK(nvf_vfio_parse_iommu_info(buf, len, &info, &ranges) == -EPROTO);
	len = build_iommu();
	CHECK(nvf_vfio_parse_iommu_info(buf, 110, &info, &ranges) == -EPROTO); /* avail cut */
}

int main(void)
{
	region_tests();
	iommu_tests();
	return T_EXIT_PASS;
}
