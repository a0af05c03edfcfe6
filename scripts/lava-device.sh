#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# lava-device.sh [--job JOB] DICT
#
# Prints the device configuration (YAML) lava-run takes with --device: the
# device dictionary DICT (a .jinja2 file, e.g. lava/devices/qemu-kpf.jinja2)
# rendered as lava-server renders it for a job, in a sandboxed Jinja2
# environment that finds DICT's directory, then
# /etc/lava-server/dispatcher-config/device-types and lava-server's own
# device types (or their copy: scripts/setup.sh --lava-run), with the
# variables of the job JOB's context (arch, cpu, machine, memory,
# extra_options for the qemu device type).  Needs
# python3-jinja2 and python3-yaml (lava-dispatcher's): run
# scripts/setup.sh --lava-run.  Exit 2 on bad input.
set -u
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
KPF_DIE_CODE=2

job=''
while [ $# -gt 0 ]; do
	case "$1" in
	--job) [ $# -ge 2 ] || die "--job needs a job definition"; job=$2; shift ;;
	-h|--help) sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) break ;;
	esac
	shift
done
[ $# -eq 1 ] || die "usage: lava-device.sh [--job JOB] DICT"
dict=$1
[ -f "$dict" ] || die "device dictionary '$dict' does not exist"
[ -z "$job" ] || [ -f "$job" ] || die "job definition '$job' does not exist"
# The server's, else those setup.sh --lava-run unpacked from its package.
types=/usr/share/lava-server/device-types
[ -f "$types/base.jinja2" ] || types=$KPF_CACHE/lava/device-types
[ -f "$types/base.jinja2" ] || die "no LAVA device types: run scripts/setup.sh --lava-run"

# The system's python: Debian's jinja2 and yaml, as lava-server uses them.
/usr/bin/python3 - "$dict" "$job" "$types" <<'PY' || die "cannot render $dict${job:+ with the context of $job}"
import os
import sys

import yaml
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment

dict_path, job_path, types = sys.argv[1:4]
context = {}
if job_path:
    with open(job_path, encoding="utf-8") as f:
        context = (yaml.safe_load(f) or {}).get("context", {}) or {}
# lava_server/files.py and lava_scheduler_app/environment.py: devices, then
# the admin's device types, then the packaged ones.
env = SandboxedEnvironment(
    loader=FileSystemLoader(
        [os.path.dirname(os.path.abspath(dict_path)),
         "/etc/lava-server/dispatcher-config/device-types", types]),
    autoescape=False, trim_blocks=True)
out = env.get_template(os.path.basename(dict_path)).render(**context)
yaml.safe_load(out)  # the dispatcher must be able to read it
sys.stdout.write(out)
PY
