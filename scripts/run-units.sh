#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run-units.sh UNIT...: run the host-side unit tests (no KVM needed) as one
# KTAP report, ending with "units: N passed, N failed, N skipped".
set -u
pass=0 fail=0 skip=0 i=0
echo "TAP version 13"
echo "1..$#"
for u in "$@"; do
	i=$((i + 1))
	name=$(basename "$u")
	out=$("$u" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/    /'
	pass=$((pass + $(grep -c '^ok ' <<<"$out" | tr -d ' ') - $(grep -c '^ok .* # SKIP' <<<"$out")))
	skip=$((skip + $(grep -c '^ok .* # SKIP' <<<"$out")))
	f=$(grep -c '^not ok ' <<<"$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	fail=$((fail + f))
	if [ "$rc" -eq 0 ]; then echo "ok $i $name"; else echo "not ok $i $name # exit=$rc"; fi
done
echo "units: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
