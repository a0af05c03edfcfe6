// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "arm64/sysreg.h"
#include "pmu_filter.h"
#include "test_seed.h"

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

bool pmu_filter_counts(const struct kvm_pmu_event_filter *f, unsigned int nr,
		       unsigned int event)
{
	static struct pmu_filter_model m;

	pmu_filter_model_init(&m, PMU_FILTER_MAX_EVENTS);
	for (unsigned int i = 0; i < nr; i++)
		pmu_filter_model_apply(&m, &f[i]);
	return pmu_filter_model_counts(&m, event);
}

unsigned int pmu_filter_random(struct kvm_pmu_event_filter *out, unsigned int max,
			       unsigned int nr_events, uint64_t *seed)
{
	unsigned int n;

	n = 1 + random_next(seed) % max;
	for (unsigned int i = 0; i < n; i++) {
		uint64_t r = random_next(seed);
		unsigned int base, len;

		switch (r % 4) {
		case 0:		/* anywhere */
			base = (r >> 8) % nr_events;
			break;
		case 1:		/* the high common events, where they exist */
			base = nr_events > 0x4040 ? 0x4000 + (r >> 8) % 0x40 : (r >> 8) % 0x40;
			break;
		default:	/* the common events */
			base = (r >> 8) % 0x40;
			break;
		}
		len = (r >> 32) % 24;
		if (base + len > nr_events)
			len = nr_events - base;
		out[i] = (struct kvm_pmu_event_filter){
			.base_event = base, .nevents = len,
			.action = (r >> 60) & 1 ? KVM_PMU_EVENT_DENY : KVM_PMU_EVENT_ALLOW,
		};
	}
	return n;
}
