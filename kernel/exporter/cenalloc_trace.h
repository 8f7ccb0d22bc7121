/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints: every decision cenalloc makes, for perf and trace-cmd
 * (events/cenalloc/).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM cenalloc

#if !defined(CENALLOC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define CENALLOC_TRACE_H

#include <linux/tracepoint.h>

#include "cenalloc_compat.h"

TRACE_EVENT(cenalloc_create,
	TP_PROTO(u64 id, u64 size, u32 nr_hints),
	TP_ARGS(id, size, nr_hints),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(u64, size)
		__field(u32, nr_hints)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->size = size;
		__entry->nr_hints = nr_hints;
	),
	TP_printk("buffer=%llu size=%llu hints=%u", __entry->id,
		  __entry->size, __entry->nr_hints)
);

TRACE_EVENT(cenalloc_attach,
	TP_PROTO(u64 id, const char *dev, u32 max_segments, u64 addr_limit,
		 int ret),
	TP_ARGS(id, dev, max_segments, addr_limit, ret),
	TP_STRUCT__entry(
		__field(u64, id)
		__string(dev, dev)
		__field(u32, max_segments)
		__field(u64, addr_limit)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->id = id;
		cenalloc_assign_str(dev, dev);
		__entry->max_segments = max_segments;
		__entry->addr_limit = addr_limit;
		__entry->ret = ret;
	),
	TP_printk("buffer=%llu dev=%s max_segments=%u addr_limit=0x%llx ret=%d",
		  __entry->id, __get_str(dev), __entry->max_segments,
		  __entry->addr_limit, __entry->ret)
);

TRACE_EVENT(cenalloc_solve,
	TP_PROTO(u64 id, u32 members, u32 plans, int ret),
	TP_ARGS(id, members, plans, ret),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(u32, members)
		__field(u32, plans)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->members = members;
		__entry->plans = plans;
		__entry->ret = ret;
	),
	TP_printk("buffer=%llu members=%u plans=%u ret=%d", __entry->id,
		  __entry->members, __entry->plans, __entry->ret)
);

TRACE_EVENT(cenalloc_allocate,
	TP_PROTO(u64 id, const char *backend, u64 size, u32 runs, int ret,
		 u64 ns),
	TP_ARGS(id, backend, size, runs, ret, ns),
	TP_STRUCT__entry(
		__field(u64, id)
		__string(backend, backend)
		__field(u64, size)
		__field(u32, runs)
		__field(int, ret)
		__field(u64, ns)
	),
	TP_fast_assign(
		__entry->id = id;
		cenalloc_assign_str(backend, backend);
		__entry->size = size;
		__entry->runs = runs;
		__entry->ret = ret;
		__entry->ns = ns;
	),
	TP_printk("buffer=%llu backend=%s size=%llu runs=%u ret=%d ns=%llu",
		  __entry->id, __get_str(backend), __entry->size,
		  __entry->runs, __entry->ret, __entry->ns)
);

TRACE_EVENT(cenalloc_migrate,
	TP_PROTO(u64 id, const char *from, const char *to, u64 size, int ret,
		 u64 ns),
	TP_ARGS(id, from, to, size, ret, ns),
	TP_STRUCT__entry(
		__field(u64, id)
		__string(from, from)
		__string(to, to)
		__field(u64, size)
		__field(int, ret)
		__field(u64, ns)
	),
	TP_fast_assign(
		__entry->id = id;
		cenalloc_assign_str(from, from);
		cenalloc_assign_str(to, to);
		__entry->size = size;
		__entry->ret = ret;
		__entry->ns = ns;
	),
	TP_printk("buffer=%llu from=%s to=%s size=%llu ret=%d ns=%llu",
		  __entry->id, __get_str(from), __get_str(to), __entry->size,
		  __entry->ret, __entry->ns)
);

/* Every decision, including failures, with its reason. */
TRACE_EVENT(cenalloc_decision,
	TP_PROTO(u64 id, int err, const char *reason),
	TP_ARGS(id, err, reason),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(int, err)
		__string(reason, reason)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->err = err;
		cenalloc_assign_str(reason, reason);
	),
	TP_printk("buffer=%llu err=%d %s", __entry->id, __entry->err,
		  __get_str(reason))
);

#endif /* CENALLOC_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE cenalloc_trace
#include <trace/define_trace.h>
