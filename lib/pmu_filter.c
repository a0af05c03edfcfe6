// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "arm64/sysreg.h"
#include "pmu_filter.h"

void pmu_filter_model_init(struct pmu_filter_model *m, unsigned int nr_events)
{
	memset(m, 0, sizeof(*m));
	m->nr_events = nr_events;
}

static void set_range(struct pmu_filter_model *m, unsigned int base,
		      unsigned int n, bool allow)
{
	unsigned int e;

	for (e = base; e < base + n; e++) {
		if (allow)
			m->allowed[e / 8] |= 1U << (e % 8);
		else
			m->allowed[e / 8] &= ~(1U << (e % 8));
	}
}

int pmu_filter_model_apply(struct pmu_filter_model *m,
			   const struct kvm_pmu_event_filter *f)
{
	bool allow = f->action == KVM_PMU_EVENT_ALLOW;

	if ((uint32_t)f->base_event + f->nevents > m->nr_events ||
	    (f->action != KVM_PMU_EVENT_ALLOW && f->action != KVM_PMU_EVENT_DENY))
		return -EINVAL;
	/* "The first registered range defines the global policy." */
	if (!m->installed) {
		set_range(m, 0, m->nr_events, !allow);
		m->installed = true;
	}
	set_range(m, f->base_event, f->nevents, allow);
	return 0;
}

bool pmu_filter_model_allows(const struct pmu_filter_model *m, unsigned int event)
{
	if (!m->installed)
		return true;
	if (event >= m->nr_events)
		return false;
	return m->allowed[event / 8] & (1U << (event % 8));
}

bool pmu_filter_model_counts(const struct pmu_filter_model *m, unsigned int event)
{
	if (event == PMU_EV_SW_INCR || event == PMU_EV_CHAIN)
		return true;
	return pmu_filter_model_allows(m, event);
}
