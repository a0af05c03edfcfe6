// SPDX-License-Identifier: GPL-2.0
/* Guest exceptions are decoded into words a KVM developer reads at once. */
#include <string.h>

#include "arm64/esr.h"
#include "arm64/processor.h"
#include "ktap.h"

static void says(unsigned int el, uint64_t esr, const char *want)
{
	char buf[160];

	esr_describe(buf, sizeof(buf), el, esr);
	ktap_check(!strcmp(buf, want), "%#lx -> %s", esr, buf);
}

int main(void)
{
	ktap_start(8);
	says(1, 0x96000045, "ESR_EL1=0x96000045 (data abort, same EL: translation fault level 1, write)");
	says(1, 0x92000004, "ESR_EL1=0x92000004 (data abort, lower EL: translation fault level 0, read)");
	says(2, 0x8600000f, "ESR_EL2=0x8600000f (instruction abort, same EL: permission fault level 3)");
	/* MRS PMEVCNTR0_EL0: Op0 3, Op1 3, CRn 14, CRm 8, Op2 0, read */
	says(1, (0x18UL << 26) | (1UL << 25) | (3UL << 20) | (0UL << 17) | (3UL << 14) |
		(14UL << 10) | (8UL << 1) | 1,
	     "ESR_EL1=0x6230f811 (trapped MSR/MRS/system instruction: MRS S3_3_C14_C8_0)");
	says(1, 0x56000000, "ESR_EL1=0x56000000 (SVC from AArch64: imm 0)");
	says(1, 0x02000000, "ESR_EL1=0x2000000 (unknown reason)");
	ktap_check(!strcmp(vector_name(VECTOR_IRQ_LOWER), "IRQ, lower EL (AArch64)"),
		   "vector names follow the table order");
	ktap_check(!strcmp(vector_name(99), "no such vector"), "out-of-range vector");
	ktap_finish();
}
