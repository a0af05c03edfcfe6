#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# lava-submit.sh [--out DIR] [--timeout SECS] JOB.yaml...
#
# Submits LAVA jobs (scripts/lava-job.sh's) to the server of $LAVA_URL
# (with $LAVA_USER and $LAVA_TOKEN), else of lavacli's identity
# $LAVACLI_IDENTITY (default kpf-local: scripts/lava-server-local.sh),
# waits until each has finished, and collects it into DIR (default
# $KPF_CACHE/lava/jobs), named after its job file:
#   NAME.log           the run's log as run_tests.sh prints it
#                      (scripts/lava-results.sh ktap), for check-ktap.sh
#                      and kernel-matrix.sh
#   NAME.lava.yaml     LAVA's own log of the job; NAME.results.yaml its
#                      test cases; NAME.time the seconds it ran; NAME.job
#                      its id
# One line per job: its summary, or "no verdict" for a job LAVA did not
# complete (Incomplete, Canceled), whose log then ends with the reason.
# Queuing, device choice, retries and health are LAVA's.
# Exit 0 when every job completed with no failed check, 1 when a check
# failed, 125 when a job gave no verdict, 2 on bad input or no server.
set -u
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
KPF_DIE_CODE=2

out=$KPF_CACHE/lava/jobs timeout=0
while [ $# -gt 0 ]; do
	case "$1" in
	--out) [ $# -ge 2 ] || die "--out needs a directory"; out=$2; shift ;;
	--timeout) [ $# -ge 2 ] || die "--timeout needs seconds"; timeout=$2; shift ;;
	-h|--help) sed -n '3,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) break ;;
	esac
	shift
done
case $timeout in ''|*[!0-9]*) die "--timeout takes seconds, not '$timeout'" ;; esac
[ $# -gt 0 ] || die "usage: lava-submit.sh [--out DIR] [--timeout SECS] JOB.yaml..."
for f in "$@"; do [ -f "$f" ] || die "job file '$f' does not exist"; done
mkdir -p "$out" || die "cannot create $out"
lava_cli system version >/dev/null 2>&1 ||
	die "no LAVA server answers (LAVA_URL '${LAVA_URL:-}', identity '${LAVACLI_IDENTITY:-kpf-local}'): start one with scripts/lava-server-local.sh"

# Submit everything first: LAVA queues the jobs and spreads them over its
# devices.
ids=() names=()
for f in "$@"; do
	name=$(basename "$f" .yaml)
	id=$(lava_cli jobs submit "$f" 2>&1) || die "cannot submit $f: $id"
	case $id in ''|*[!0-9]*) die "cannot submit $f: $id" ;; esac
	echo "$id" >"$out/$name.job"
	note "$name: job $id submitted"
	ids+=("$id") names+=("$name")
done

# field FILE KEY: a top-level value of lavacli's YAML.
field() {
	sed -n "s/^$2: *//p" "$1" | head -n 1 | sed "s/^'\\(.*\\)'\$/\\1/"
}

start=$(date +%s)
rc=0
for i in "${!ids[@]}"; do
	id=${ids[$i]} name=${names[$i]}
	while :; do
		lava_cli jobs show --yaml "$id" >"$out/$name.show" 2>&1 ||
			die "cannot read job $id: $(head -c 300 "$out/$name.show")"
		[ "$(field "$out/$name.show" state)" = Finished ] && break
		if [ "$timeout" -gt 0 ] && [ $(( $(date +%s) - start )) -ge "$timeout" ]; then
			note "$name: job $id still $(field "$out/$name.show" state) after $timeout s: no verdict"
			rc=125
			continue 2
		fi
		sleep 5
	done
	health=$(field "$out/$name.show" health)
	lava_cli jobs logs --raw "$id" >"$out/$name.lava.yaml" 2>/dev/null ||
		note "$name: job $id has no log"
	lava_cli results --yaml "$id" >"$out/$name.results.yaml" 2>/dev/null ||
		note "$name: job $id has no results"
	"$KPF_TOP/scripts/lava-results.sh" ktap "saved:$out/$name" >"$out/$name.log" ||
		die "cannot rebuild the log of job $id"
	# The seconds LAVA ran it (start to end, queueing left out).
	t0=$(field "$out/$name.show" start_time) t1=$(field "$out/$name.show" end_time)
	secs=$(/usr/bin/python3 -c 'import sys, datetime as d
f = "%Y%m%dT%H:%M:%S"
print(int((d.datetime.strptime(sys.argv[2], f) - d.datetime.strptime(sys.argv[1], f)).total_seconds()))' "$t0" "$t1" 2>/dev/null)
	echo "${secs:-0}" >"$out/$name.time"
	summary=$(grep '^summary:' "$out/$name.log" | tail -n 1)
	if [ "$health" != Complete ]; then
		echo "$name: job $id $health: no verdict ($(sed -n 's/^not ok 1 boot # no verdict: //p' "$out/$name.log"))"
		rc=125
		continue
	fi
	echo "$name: job $id Complete in ${secs:-?} s: $summary"
	case $summary in
	*" 0 failed"*) ;;
	*) [ $rc -eq 0 ] && rc=1 ;;
	esac
done
exit $rc
