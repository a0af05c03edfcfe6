#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# soak-encodings.sh [-n VALUES] [--seed SEED] [--series DIR]
#
# The encoding generator's soak: filter_encodings with VALUES raw event
# type values (default 3400) per VM and Exception level, three VMs, so
# over 10,000 per backend and EL: on Debian's 7.3 (emulated backend) and
# on the partitioned-PMU series with this repository's fixes (DIR, default
# ../shared/kernels/partitioned-pmu-v8 beside this checkout; partitioned
# backend).  Prints each run's summary, how many values it judged per
# backend and EL, and its time; exit 0 when no check failed.
set -u
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

values=3400 seed=$(date +%s) series=$KPF_TOP/../shared/kernels/partitioned-pmu-v8
while [ $# -gt 0 ]; do
	case "$1" in
	-n) values=$2; shift ;;
	--seed) seed=$2; shift ;;
	--series) series=$2; shift ;;
	*) die "unknown argument '$1' (see the header)" ;;
	esac
	shift
done
[ -d "$series" ] || die "no partitioned-PMU series at $series (--series DIR)"
make -s -C "$KPF_TOP" >/dev/null || die "building the tests failed"

rc=0
soak() {
	local backend=$1 log start
	shift
	log=$(mktemp)
	start=$(date +%s)
	KPF_SEED=$seed KPF_ENCODINGS=$values KPF_GUEST_TIMEOUT=3600 \
		"$KPF_TOP/run_tests.sh" -j 1 -t 7200 -B "$backend" "$@" filter_encodings >"$log" 2>&1 || rc=1
	echo "soak-encodings: $backend backend: $(grep '^summary:' "$log" | tail -n 1), $(( $(date +%s) - start )) s"
	# The values judged, per EL: each VM's read-back checks count all of them.
	awk '/read-back is architectural/ { el = $3; sub(/,$/, "", el); v = $0
	     sub(/.*architectural \(/, "", v); sub(/ values.*/, "", v); n[el] += v }
	     END { for (el in n) printf "soak-encodings:   %s: %d values\n", el, n[el] }' "$log"
	grep -E '^    not ok' "$log" | sed 's/^/soak-encodings:   /'
	rm -f "$log"
}
echo "soak-encodings: seed $seed (KPF_SEED), $values values per VM and EL"
soak emulated
soak partitioned -P "$series" -P "$KPF_TOP/findings/partitioned-pmu-v8-fixes"
exit $rc
