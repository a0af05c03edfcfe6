/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host perf events a VMM's user might have on its own threads, as
 * `perf stat -e instructions -p <vmm>` does: a partitioned PMU must share
 * the hardware with them, not stop or steal either side's counters.
 */
#ifndef HOST_PERF_H
#define HOST_PERF_H

#include <stdint.h>

/*
 * Counts the calling thread's host EL0 instructions, not the guest's.
 * Returns the fd, or -1 with errno set (no PMU, perf_event_paranoid).
 */
int host_perf_open_instructions(void);

/* The event's count so far, or 0 if it can't be read. */
uint64_t host_perf_read(int fd);

#endif
