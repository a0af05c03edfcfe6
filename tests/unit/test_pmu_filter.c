// SPDX-License-Identifier: GPL-2.0
/*
 * The filter model against the clauses of devices/vcpu.rst 1.3 it encodes;
 * every expectation the suite derives from it rests on these.
 */
#include <errno.h>
#include <string.h>

#include "arm64/sysreg.h"
#include "ktap.h"
#include "pmu_filter.h"

#define ALLOW KVM_PMU_EVENT_ALLOW
#define DENY KVM_PMU_EVENT_DENY

static struct pmu_filter_model m;

static void apply(unsigned int base, unsigned int n, unsigned int action)
{
	struct kvm_pmu_event_filter f = {
		.base_event = base, .nevents = n, .action = action,
	};

	pmu_filter_model_apply(&m, &f);
}

static int try_apply(unsigned int nr_events, unsigned int base, unsigned int n,
		     unsigned int action)
{
	struct kvm_pmu_event_filter f = {
		.base_event = base, .nevents = n, .action = action,
	};

	pmu_filter_model_init(&m, nr_events);
	return pmu_filter_model_apply(&m, &f);
}

int main(void)
{
	ktap_start(16);

	pmu_filter_model_init(&m, 1024);
	ktap_check(pmu_filter_model_allows(&m, 0x11) && pmu_filter_model_allows(&m, 0x3ff),
		   "no filter: every event allowed");

	apply(0x11, 1, ALLOW);
	ktap_check(pmu_filter_model_allows(&m, 0x11) && !pmu_filter_model_allows(&m, 0x08),
		   "first range ALLOW: default deny");

	pmu_filter_model_init(&m, 1024);
	apply(0x11, 1, DENY);
	ktap_check(!pmu_filter_model_allows(&m, 0x11) && pmu_filter_model_allows(&m, 0x08),
		   "first range DENY: default allow");

	pmu_filter_model_init(&m, 1024);
	apply(0, 10, ALLOW);
	apply(0, 10, DENY);
	ktap_check(!pmu_filter_model_allows(&m, 5) && !pmu_filter_model_allows(&m, 20),
		   "cancelling the first ALLOW range leaves the default deny");

	pmu_filter_model_init(&m, 1024);
	apply(0x10, 8, DENY);
	apply(0x11, 1, ALLOW);
	ktap_check(pmu_filter_model_allows(&m, 0x11) && !pmu_filter_model_allows(&m, 0x12) &&
		   !pmu_filter_model_allows(&m, 0x10) && pmu_filter_model_allows(&m, 0x18),
		   "a later range overrides an earlier one, only where they overlap");

	pmu_filter_model_init(&m, 1024);
	apply(0x11, 0, ALLOW);
	ktap_check(m.installed && !pmu_filter_model_allows(&m, 0x11),
		   "an empty first ALLOW range still sets default deny");

	pmu_filter_model_init(&m, 1024);
	apply(0, 1024, DENY);
	ktap_check(pmu_filter_model_counts(&m, PMU_EV_SW_INCR) &&
		   pmu_filter_model_counts(&m, PMU_EV_CHAIN) &&
		   !pmu_filter_model_allows(&m, PMU_EV_SW_INCR) &&
		   !pmu_filter_model_counts(&m, PMU_EV_CPU_CYCLES),
		   "SW_INCR and CHAIN count whatever the filter; CPU_CYCLES doesn't");

	ktap_check(try_apply(1024, 1023, 1, ALLOW) == 0, "PMUv3p0: last valid range [1023, 1024)");
	ktap_check(try_apply(1024, 1023, 2, ALLOW) == -EINVAL, "PMUv3p0: one past the end is -EINVAL");
	ktap_check(try_apply(1024, 1024, 0, ALLOW) == 0,
		   "PMUv3p0: empty range at the end is accepted (base + n <= 1024)");
	ktap_check(try_apply(65536, 65535, 1, DENY) == 0, "PMUv3p1: last valid range [65535, 65536)");
	ktap_check(try_apply(65536, 65535, 2, DENY) == -EINVAL, "PMUv3p1: one past the end is -EINVAL");
	ktap_check(try_apply(1024, 0, 1, 2) == -EINVAL, "action 2 is -EINVAL");

	pmu_filter_model_init(&m, 1024);
	apply(0x11, 1, ALLOW);
	struct kvm_pmu_event_filter bad = { .base_event = 0x08, .nevents = 2000, .action = ALLOW };
	pmu_filter_model_apply(&m, &bad);
	ktap_check(!pmu_filter_model_allows(&m, 0x08) && pmu_filter_model_allows(&m, 0x11),
		   "a rejected range changes nothing");
	{
		struct kvm_pmu_event_filter a[8], b[8], c;
		uint64_t s1 = 42, s2 = 42, s3 = 0;
		unsigned int na = pmu_filter_random(a, 8, 1024, &s1);
		unsigned int nb = pmu_filter_random(b, 8, 1024, &s2);
		bool in_space = true;

		for (unsigned int i = 0; i < 1000; i++) {
			unsigned int n = pmu_filter_random(&c, 1, 1024, &s3);

			in_space &= n == 1 && c.base_event + c.nevents <= 1024 &&
				    pmu_filter_model_apply(&m, &c) == 0;
		}
		ktap_check(na == nb && !memcmp(a, b, na * sizeof(a[0])) && s1 == s2,
			   "random filters: the same seed gives the same ranges");
		ktap_check(in_space, "random filters: 1000 ranges all valid in a 1024-event space");
	}
	ktap_finish();
}
