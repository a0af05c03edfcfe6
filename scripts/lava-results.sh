#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# lava-results.sh ktap SOURCE       the run's log, as run_tests.sh prints it
# lava-results.sh cases SOURCE      its LAVA test cases, one a line
# lava-results.sh compare SOURCE LOG  the cases against a local run's checks
#
# Reads a job of scripts/lava-job.sh back from LAVA.  SOURCE is the job's
# log (lava-run's log, JSON lines, or a server's output.yaml: lavacli
# jobs logs --raw), or job:ID for a job on the server of $LAVA_URL (with
# $LAVA_USER and $LAVA_TOKEN), else of lavacli's identity $LAVACLI_IDENTITY
# (default kpf-local: scripts/lava-server-local.sh writes it), or
# saved:DIR/NAME for a server job scripts/lava-submit.sh collected there
# (NAME.lava.yaml, NAME.results.yaml, NAME.show, NAME.job).
#
# ktap: the guest's KTAP with qemu-run.sh's header lines and real times
# (from the log's timestamps) and without the "# lava:" lines, so
# scripts/check-ktap.sh and kernel-matrix.sh read it as a local log.  A job
# that never finished its tests (Incomplete, Canceled) ends as qemu-run.sh
# ends a boot that died: "not ok 1 boot # no verdict: ...", the console's
# last lines and a summary with that failure.
#
# cases: "RUN N OUTCOME" and "RUN - OUTCOME" lines as ktap_outcomes
# (scripts/common.sh) prints a local log's checks (OUTCOME pass, fail,
# skip, xfail: a pass whose units say XFAIL, timeout: a fail whose say
# TIMEOUT), then "summary COUNTS".  From the server's results for job:ID
# (lavacli results), from the log's results otherwise.
#
# compare: prints every check that differs between the job's cases, its
# reconstructed KTAP and LOG (a run_tests.sh output), one line each, and
# exits 1 on any difference, 0 when all three agree one for one.
set -u
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
KPF_DIE_CODE=2

usage="usage: lava-results.sh ktap|cases SOURCE, or lava-results.sh compare SOURCE LOG"
case ${1:-} in
-h|--help) sed -n '3,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
[ $# -ge 2 ] || die "$usage"
cmd=$1 src=$2
case $cmd in
ktap|cases) [ $# -eq 2 ] || die "$usage" ;;
compare) [ $# -eq 3 ] || die "$usage"; [ -f "$3" ] || die "local log '$3' does not exist" ;;
*) die "$usage" ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/kpf-lava.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The job's log, and for a server job its results and health.
job=''
case $src in
job:*)
	job=${src#job:}
	case $job in ''|*[!0-9]*) die "'$src': job:ID takes a job number" ;; esac
	lava_cli jobs logs --raw "$job" >"$work/log" 2>"$work/err" ||
		die "lavacli cannot fetch the log of job $job: $(head -c 300 "$work/err")"
	lava_cli results --yaml "$job" >"$work/results" 2>"$work/err" ||
		die "lavacli cannot fetch the results of job $job: $(head -c 300 "$work/err")"
	lava_cli jobs show --yaml "$job" >"$work/show" 2>"$work/err" ||
		die "lavacli cannot show job $job: $(head -c 300 "$work/err")"
	;;
saved:*)
	prefix=${src#saved:}
	[ -f "$prefix.lava.yaml" ] || die "'$src': no $prefix.lava.yaml"
	cp "$prefix.lava.yaml" "$work/log"
	job=$(cat "$prefix.job" 2>/dev/null)
	# Without the server's results the log's own decide, as for a file.
	if [ -s "$prefix.results.yaml" ] && [ -s "$prefix.show" ]; then
		cp "$prefix.results.yaml" "$work/results"
		cp "$prefix.show" "$work/show"
	fi
	;;
*)
	[ -f "$src" ] || die "LAVA log '$src' does not exist"
	cp "$src" "$work/log"
	;;
esac

# The log as lines of tab-separated fields, for awk:
#   T SECONDS TEXT                a line of the device's console
#   R SUITE CASE RESULT UNITS     a test case
#   J RESULT ERROR                the job's own result (lava/job)
#   H HEALTH FAILURE              the server's word on the job (job:ID)
# The system's python: Debian's yaml, as LAVA writes it.
/usr/bin/python3 - "$work" <<'PY' >"$work/lines" || die "cannot read the LAVA log of $src"
import datetime
import json
import os
import sys

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
work = sys.argv[1]


def clean(s):
    return str(s).replace("\t", " ").replace("\r", "").replace("\n", " ")


def entries(text):
    if text.lstrip().startswith("{"):
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except ValueError:  # LAVA tags some values ("size": ! "123")
                yield yaml.load(line, Loader=Loader)
    else:
        yield from yaml.load(text, Loader=Loader) or []


results = os.path.join(work, "results")
server = os.path.exists(results)
with open(os.path.join(work, "log"), encoding="utf-8", errors="replace") as f:
    text = f.read()
for e in entries(text):
    if not isinstance(e, dict):
        continue
    lvl, msg = e.get("lvl"), e.get("msg")
    if lvl == "target" and isinstance(msg, str):
        t = datetime.datetime.fromisoformat(e["dt"]).timestamp()
        for line in msg.split("\n"):
            print("T\t%.6f\t%s" % (t, clean(line)))
    elif lvl == "results" and isinstance(msg, dict):
        if msg.get("definition") == "lava":
            if msg.get("case") == "job":
                print("J\t%s\t%s" % (msg.get("result"), clean(msg.get("error_msg", ""))))
            elif msg.get("case") == "execute-qemu" or msg.get("case") == "uboot-commands":
                print("B\t%.6f" % datetime.datetime.fromisoformat(e["dt"]).timestamp())
            continue
        if not server:
            print("R\t%s\t%s\t%s\t%s" % (msg.get("definition"), msg.get("case"),
                                         msg.get("result"), clean(msg.get("units", ""))))

if server:
    # The server's view, not the log's: lavacli results --yaml.
    with open(results, encoding="utf-8") as f:
        for r in yaml.load(f, Loader=Loader) or []:
            if r.get("suite") == "lava":
                continue
            print("R\t%s\t%s\t%s\t%s" % (r.get("suite"), r.get("name"),
                                         r.get("result"), clean(r.get("unit") or r.get("units") or "")))
    with open(os.path.join(work, "show"), encoding="utf-8") as f:
        show = yaml.load(f, Loader=Loader) or {}
    print("H\t%s\t%s" % (show.get("health"), clean(show.get("failure_comment") or "")))
PY

# ktap: the console between the kernel's first line and the end, as
# qemu-run.sh prints it.
ktap() {
	awk -F '\t' -v job="${job:-(lava-run)}" '
	function real(t) { return sprintf("%.2f", t - start) }
	$1 == "B" && !start { start = $2 }
	$1 == "J" { jres = $2; jerr = $3 }
	$1 == "H" { health = $2; hcomment = $3 }
	$1 != "T" { next }
	{
		line = $3; if (!start) start = $2; last = $2
		tail[++nt] = line
		if (line ~ /^# lava: end/) intests = 0
		if (line ~ /^ *# lava: /) next
		if (line ~ /^KPF-BEGIN/) {
			intests = 1; began = 1
			print "# " line " (guest clock); reached the tests after " real($2) " s real time"
			next
		}
		if (line ~ /^KPF-EXIT/) { intests = 0; next }
		if (line ~ /^summary:/) { summary = line; next }
		if (line ~ /^# selftests: kvm-pmu-filter: /) { run_start = $2; print line; next }
		if (line ~ /^(not )?ok [0-9]+ selftests: kvm-pmu-filter: /) {
			print line
			printf "# real time: %.2f s\n", $2 - (run_start ? run_start : start)
			next
		}
		if (intests) print line
	}
	END {
		print "# LAVA job " job ": whole boot took " real(last) " s real time"
		verdict = (health != "") ? (health == "Complete") : (jres == "pass")
		if (summary != "" && verdict) { print summary; exit }
		why = (health != "") ? "job " health : "job " (jres == "" ? "unfinished" : "failed")
		if (hcomment != "") why = why ": " hcomment
		else if (jerr != "") why = why ": " jerr
		if (!began) why = why " (the kernel never reached the tests)"
		print "not ok 1 boot # no verdict: LAVA " why
		print "# last console lines:"
		for (i = (nt > 40 ? nt - 39 : 1); i <= nt; i++) print "#   " tail[i]
		print "summary: 0 passed, 1 failed, 0 skipped"
	}' "$work/lines"
}

# cases: the LAVA cases as ktap_outcomes lines.  A suite is a run's name
# with "-" for "@"; a case is the run's name as LAVA sanitizes it
# (lava_dispatcher's monitor: lower case, each run of non-word characters
# one "_"), then "_N" for check N.
cases() {
	awk -F '\t' '
	$1 != "R" { next }
	{ suite = $2; c = $3; res = $4; units = $5 }
	suite == "kvm-pmu-filter" && c == "summary" { sum = units; next }
	{
		run = suite; sub(/-/, "@", run)
		id = tolower(run); gsub(/[^a-z0-9_]+/, "_", id)
		if (c == id) n = "-"
		else if (index(c, id "_") == 1 && substr(c, length(id) + 2) ~ /^[0-9]+$/) n = substr(c, length(id) + 2)
		else { print "? " suite " " c " " res; next }
		out = res
		if (res == "pass" && units ~ /^XFAIL/) out = "xfail"
		if (res == "fail" && units ~ /^TIMEOUT/) out = "timeout"
		print run, n, out
	}
	END { if (sum != "") print "summary " sum }' "$work/lines"
}

case $cmd in
ktap) ktap ;;
cases) cases ;;
compare)
	local_log=$3
	ktap >"$work/ktap"
	cases >"$work/cases"
	# Sorted: a run's checks in order, the runs in any (shards).
	grep -v '^summary ' "$work/cases" | sort >"$work/lava.cases"
	ktap_outcomes <"$work/ktap" | sort >"$work/lava.ktap"
	ktap_outcomes <"$local_log" | sort >"$work/local"
	rc=0
	n=$(wc -l <"$work/lava.cases")
	if ! diff -q "$work/lava.cases" "$work/lava.ktap" >/dev/null; then
		echo "# the job's LAVA cases and its own KTAP differ (< cases, > KTAP):"
		diff "$work/lava.cases" "$work/lava.ktap" | grep '^[<>]'
		rc=1
	fi
	if ! diff -q "$work/lava.cases" "$work/local" >/dev/null; then
		echo "# the job's LAVA cases and the local run's checks differ (< LAVA, > local):"
		diff "$work/lava.cases" "$work/local" | grep '^[<>]'
		rc=1
	fi
	lsum=$(grep '^summary:' "$local_log" | tail -n 1)
	jsum=$(sed -n 's/^summary /summary: /p' "$work/cases")
	ksum=$(grep '^summary:' "$work/ktap" | tail -n 1)
	if [ "$jsum" != "$lsum" ] || [ "$ksum" != "$lsum" ]; then
		echo "# summaries differ: LAVA case '${jsum:-none}', job KTAP '${ksum:-none}', local '${lsum:-none}'"
		rc=1
	fi
	if [ $rc -eq 0 ]; then
		echo "ok: $n LAVA test cases equal the local run's $(wc -l <"$work/local") checks one for one (${lsum})"
	fi
	exit $rc
	;;
esac
