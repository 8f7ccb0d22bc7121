#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's dma-heap selftest (build/kselftest/dmabuf-heap, kselftest.mk)
# on cenalloc's heap alone.  The selftest tests every heap in /dev/dma_heap;
# the kernel's own are not this project's to judge (the 6.12 debug
# kernel's DMA-API checks report its CMA heap handing vgem a segment past
# vgem's 64 KiB limit).  /dev/dma_heap is shadowed, for this program only,
# by a directory holding cenalloc's node.
set -e
heaps=/tmp/cenalloc-heap-only
mkdir -p "$heaps"
mount -t tmpfs tmpfs "$heaps"
cp -a /dev/dma_heap/cenalloc "$heaps/"
mount --bind "$heaps" /dev/dma_heap
rc=0
/tests/dmabuf-heap || rc=$?
umount /dev/dma_heap
umount "$heaps"
exit "$rc"
