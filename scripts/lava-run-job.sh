#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# lava-run-job.sh [--out DIR] [lava-job.sh options] [TEST...]
#
# One LAVA job of the suite, without a server: writes the job
# (scripts/lava-job.sh, its options and TESTs as given), renders the
# device lava/devices/qemu-kpf.jinja2 with the job's context
# (scripts/lava-device.sh, as a server would) and runs it with LAVA's own
# dispatcher, lava-run, on this machine.  Prints the run's log as
# run_tests.sh prints it (scripts/lava-results.sh ktap) and exits as
# run_tests.sh: 0 all passed, 1 a check failed, 4 all skipped, 125 the job
# gave no verdict (the kernel never reached the tests), 2 bad input.
#
# DIR (default $KPF_CACHE/lava/dispatch/DATE-PID) keeps job.yaml,
# device.yaml, lava.log (the dispatcher's log, JSON lines: every console
# line and test case), run.log and the dispatcher's work directory.
# Compare the job's test cases with a local run of the same tests:
#   scripts/lava-results.sh compare DIR/lava.log LOCAL.log
# Needs Debian's lava-dispatcher and lava-server's device types
# (scripts/setup.sh --lava-run); lava-run runs as root (sudo).
set -u
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
KPF_DIE_CODE=2

out=$KPF_CACHE/lava/dispatch/$(date +%Y%m%d-%H%M%S)-$$
case "${1:-}" in
--out) [ $# -ge 2 ] || die "--out needs a directory"; out=$2; shift 2 ;;
-h|--help) sed -n '3,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
for a in "$@"; do
	[ "$a" = --device-type ] && die "lava-run-job.sh runs LAVA's qemu device here; a board's jobs go to its lab's server (scripts/lava-submit.sh)"
done
command -v lava-run >/dev/null || die "lava-run not found: run scripts/setup.sh --lava-run"
# lava-run works as root (its work directory is /var/lib/lava/dispatcher).
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
mkdir -p "$out" || die "cannot create $out"
out=$(cd "$out" && pwd)

"$KPF_TOP/scripts/lava-job.sh" "$@" >"$out/job.yaml" || exit 2
"$KPF_TOP/scripts/lava-device.sh" --job "$out/job.yaml" "$KPF_TOP/lava/devices/qemu-kpf.jinja2" \
	>"$out/device.yaml" || exit 2
note "$(sed -n 's/^job_name: //p' "$out/job.yaml"): lava-run in $out"
start=$(date +%s)
$sudo lava-run --device "$out/device.yaml" --output-dir "$out/dispatcher" --job-id 1 "$out/job.yaml" \
	>"$out/lava.out" 2>"$out/lava.log"
lrc=$?
note "lava-run exit $lrc after $(( $(date +%s) - start )) s"
"$KPF_TOP/scripts/lava-results.sh" ktap "$out/lava.log" >"$out/run.log" ||
	die "cannot read the dispatcher's log $out/lava.log (lava-run: $(tail -c 300 "$out/lava.out"))"
cat "$out/run.log"
summary=$(grep '^summary:' "$out/run.log" | tail -n 1)
grep -q '^not ok 1 boot # no verdict' "$out/run.log" && exit 125
case $summary in
*" 0 failed"*) ;;
*) exit 1 ;;
esac
case $summary in
"summary: 0 passed, 0 failed, 0 skipped") exit 125 ;;
"summary: 0 passed"*) exit 4 ;;
esac
exit 0
