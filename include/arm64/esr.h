/* SPDX-License-Identifier: GPL-2.0 */
/* Decoding guest exceptions for humans (host side, also unit-tested). */
#ifndef ARM64_ESR_H
#define ARM64_ESR_H

#include <stddef.h>
#include <stdint.h>

const char *esr_class_name(uint64_t esr);
const char *vector_name(unsigned int vector);
/*
 * "ESR_EL1=0x96000045 (data abort, same EL: translation fault level 1, write)"
 * into @buf; returns @buf.
 */
char *esr_describe(char *buf, size_t len, unsigned int el, uint64_t esr);

#endif
