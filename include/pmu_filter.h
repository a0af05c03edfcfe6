/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reference model of KVM_ARM_VCPU_PMU_V3_FILTER as documented
 * (Documentation/virt/kvm/devices/vcpu.rst, 1.3): tests compute what must
 * count from it instead of hard-coding expectations.
 */
#ifndef PMU_FILTER_H
#define PMU_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "kvm_compat.h"

#define PMU_FILTER_MAX_EVENTS	65536

/* One range of KVM_ARM_VCPU_PMU_V3_FILTER: @n events from @base, ALLOW or DENY. */
#define PMU_FILTER_RANGE(base, n, act)					\
	{ .base_event = (base), .nevents = (n), .action = KVM_PMU_EVENT_##act }
/* The same range as a value, to pass one to a function. */
#define PMU_FILTER(base, n, act)					\
	((struct kvm_pmu_event_filter)PMU_FILTER_RANGE(base, n, act))

struct pmu_filter_model {
	unsigned int nr_events;	/* event space: 1024 (PMUv3p0) or 65536 */
	bool installed;		/* a first range set the default policy */
	uint8_t allowed[PMU_FILTER_MAX_EVENTS / 8];
};

void pmu_filter_model_init(struct pmu_filter_model *m, unsigned int nr_events);
/* Applies one range as KVM must: 0, or -EINVAL for a range KVM must reject. */
int pmu_filter_model_apply(struct pmu_filter_model *m,
			   const struct kvm_pmu_event_filter *f);
/* Whether @event is in the filter's allowed set (all are, with no filter). */
bool pmu_filter_model_allows(const struct pmu_filter_model *m, unsigned int event);
/*
 * Whether a counter programmed with @event may count: SW_INCR (0) is never
 * filtered and CHAIN (0x1e) filtering has no effect.
 */
bool pmu_filter_model_counts(const struct pmu_filter_model *m, unsigned int event);

/* Whether a counter of @event may count under the @nr ranges @f (none: no filter). */
bool pmu_filter_counts(const struct kvm_pmu_event_filter *f, unsigned int nr,
		       unsigned int event);

/*
 * Fills @out with 1..@max random ranges over @nr_events, most of them near
 * the common events (0..0x3f, 0x4000..0x403f) where PMCEID can show them.
 * Deterministic in *@seed, which it advances.  Returns the count.
 */
unsigned int pmu_filter_random(struct kvm_pmu_event_filter *out, unsigned int max,
			       unsigned int nr_events, uint64_t *seed);

#endif
