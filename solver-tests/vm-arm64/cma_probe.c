// SPDX-License-Identifier: GPL-2.0
// A 16 MiB contiguous buffer (hint: one segment) touched by the CPU:
// more than the buddy allocator's 4 MiB, so only the cma backend fits.
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/cenalloc.h>
int main(void)
{
	int h = open("/dev/dma_heap/cenalloc", O_RDWR);
	int c = open("/dev/cenalloc", O_RDWR);
	struct cenalloc_hint hint = { .flags = CENALLOC_HINT_CONSTRAINTS };
	struct cenalloc_create cr = { .argsz = sizeof(cr), .len = 16 << 20, .fd_flags = O_RDWR };
	struct cenalloc_info in = { .argsz = sizeof(in) };
	hint.c.valid = CENALLOC_C_MAX_SEGMENTS; hint.c.max_segments = 1;
	cr.hints_ptr = (unsigned long)&hint; cr.nr_hints = 1; cr.hint_entry_size = sizeof(hint);
	if (h < 0 || c < 0 || ioctl(c, CENALLOC_IOC_CREATE, &cr)) { perror("create"); return 1; }
	unsigned char *p = mmap(0, 16 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, cr.fd, 0);
	if (p == MAP_FAILED) { perror("mmap"); return 1; }
	memset(p, 0xab, 16 << 20);
	in.fd = cr.fd;
	if (ioctl(c, CENALLOC_IOC_INFO, &in)) { perror("info"); return 1; }
	printf("CMAPROBE backend=%s runs=%u reason=%s\n", in.backend, in.nr_segments, in.last_reason);
	return strcmp(in.backend, "cma") != 0;
}
