// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "arm64/esr.h"
#include "arm64/processor.h"

/* Exception classes the suite can meet (Arm ARM, ESR_ELx.EC). */
static const char *const ec_names[ESR_EC_NR] = {
	[0x00] = "unknown reason",
	[0x01] = "trapped WFI/WFE",
	[0x07] = "trapped SIMD/FP access",
	[0x0e] = "illegal execution state",
	[0x15] = "SVC from AArch64",
	[0x16] = "HVC from AArch64",
	[0x17] = "SMC from AArch64",
	[0x18] = "trapped MSR/MRS/system instruction",
	[0x1a] = "trapped ERET",
	[0x20] = "instruction abort, lower EL",
	[0x21] = "instruction abort, same EL",
	[0x22] = "PC alignment fault",
	[0x24] = "data abort, lower EL",
	[0x25] = "data abort, same EL",
	[0x26] = "SP alignment fault",
	[0x2f] = "SError",
	[0x30] = "breakpoint, lower EL",
	[0x31] = "breakpoint, same EL",
	[0x32] = "software step, lower EL",
	[0x33] = "software step, same EL",
	[0x34] = "watchpoint, lower EL",
	[0x35] = "watchpoint, same EL",
	[0x3c] = "BRK instruction",
};

static const char *const vector_names[VECTOR_NR] = {
	"sync, current EL, SP0", "IRQ, current EL, SP0",
	"FIQ, current EL, SP0", "SError, current EL, SP0",
	"sync, current EL", "IRQ, current EL",
	"FIQ, current EL", "SError, current EL",
	"sync, lower EL (AArch64)", "IRQ, lower EL (AArch64)",
	"FIQ, lower EL (AArch64)", "SError, lower EL (AArch64)",
	"sync, lower EL (AArch32)", "IRQ, lower EL (AArch32)",
	"FIQ, lower EL (AArch32)", "SError, lower EL (AArch32)",
};

const char *esr_class_name(uint64_t esr)
{
	const char *name = ec_names[(esr >> ESR_EC_SHIFT) & ESR_EC_MASK];

	return name ? name : "unexpected exception class";
}

const char *vector_name(unsigned int vector)
{
	return vector < VECTOR_NR ? vector_names[vector] : "no such vector";
}

static const char *fault_status(uint64_t fsc)
{
	switch (fsc >> 2) {
	case 0:
		return "address size fault";
	case 1:
		return "translation fault";
	case 2:
		return "access flag fault";
	case 3:
		return "permission fault";
	}
	switch (fsc) {
	case 0x10:
		return "synchronous external abort";
	case 0x21:
		return "alignment fault";
	case 0x30:
		return "TLB conflict abort";
	}
	return "other fault";
}

char *esr_describe(char *buf, size_t len, unsigned int el, uint64_t esr)
{
	unsigned int ec = (esr >> ESR_EC_SHIFT) & ESR_EC_MASK;
	uint64_t iss = esr & 0x1ffffff;
	int n;

	n = snprintf(buf, len, "ESR_EL%u=%#lx (%s", el, esr, esr_class_name(esr));
	if (n < 0 || (size_t)n >= len)
		return buf;
	switch (ec) {
	case 0x20: case 0x21: case 0x24: case 0x25: {
		uint64_t fsc = iss & 0x3f;

		n += snprintf(buf + n, len - n, ": %s", fault_status(fsc));
		if ((fsc >> 2) <= 3 && (size_t)n < len)
			n += snprintf(buf + n, len - n, " level %lu", fsc & 3);
		if ((ec == 0x24 || ec == 0x25) && (size_t)n < len)
			n += snprintf(buf + n, len - n, ", %s",
				      (iss & (1UL << 6)) ? "write" : "read");
		break;
	}
	case 0x18:
		/* ISS: Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5] CRm[4:1] dir[0] */
		n += snprintf(buf + n, len - n, ": %s S%lu_%lu_C%lu_C%lu_%lu",
			      (iss & 1) ? "MRS" : "MSR", (iss >> 20) & 3,
			      (iss >> 14) & 7, (iss >> 10) & 0xf,
			      (iss >> 1) & 0xf, (iss >> 17) & 7);
		break;
	case 0x15: case 0x16: case 0x17: case 0x3c:
		n += snprintf(buf + n, len - n, ": imm %#lx", iss & 0xffff);
		break;
	}
	if (n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - n, ")");
	return buf;
}
