#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# lava-server-local.sh [start|stop|status]
#
# Stands up a LAVA server with one worker on this machine from Debian 12's
# packages (scripts/setup.sh --lava installs them), for scripts/lava-submit.sh
# and kernel-matrix.sh --lava:
#
#   start   (default) PostgreSQL, the server's web service on
#           http://127.0.0.1:$LAVA_PORT (default 8000; no Apache: lavacli
#           needs only the API), its scheduler and a worker; then, once, a
#           user with a token, the worker, the qemu device type and
#           $LAVA_DEVICES devices of it (default: one per online CPU; a
#           device runs one job at a time, a job is one QEMU boot, a boot
#           uses one core) named qemu-kpf-01..., each with the dictionary
#           lava/devices/qemu-kpf.jinja2, and a lavacli identity
#           $LAVACLI_IDENTITY (default "kpf-local").  Prints the LAVA_URL,
#           LAVA_USER and LAVA_TOKEN lines lava-submit.sh also takes.
#   stop    ends the processes this script started (their pid files)
#   status  the server's workers and devices, as lavacli sees them
#
# There is no systemd in a container: the services run as the Debian
# units would run them, started directly, their pids and logs under
# $KPF_CACHE/lava/server (the scheduler's in /var/log/lava-server).  Nothing is scheduled by this suite: queues,
# retries and device health are LAVA's.
set -u
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

cmd=${1:-start}
port=${LAVA_PORT:-8000}
case $port in ''|*[!0-9]*) die "LAVA_PORT must be a port number, not '$port'" ;; esac
url=http://127.0.0.1:$port
identity=${LAVACLI_IDENTITY:-kpf-local}
user=${LAVA_USER:-kpf}
worker=${LAVA_WORKER:-kpf-worker}
state=$KPF_CACHE/lava/server
ndevices=${LAVA_DEVICES:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}
case $ndevices in ''|0|*[!0-9]*) die "LAVA_DEVICES must be a number of devices, not '$ndevices'" ;; esac
[ "$(id -u)" -eq 0 ] || die "run it as root: it starts system services (PostgreSQL, lava-server, lava-worker)"

# pid_alive NAME: the process of $state/NAME.pid runs.
pid_alive() {
	local pid
	pid=$(cat "$state/$1.pid" 2>/dev/null) || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

stop_one() {
	local pid
	pid_alive "$1" || { rm -f "$state/$1.pid"; return 0; }
	pid=$(cat "$state/$1.pid")
	kill "$pid" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
	kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
	rm -f "$state/$1.pid"
	note "stopped $1 (pid $pid)"
}

case $cmd in
stop)
	for s in worker scheduler gunicorn; do stop_one "$s"; done
	exit 0 ;;
status)
	lavacli -i "$identity" workers list && lavacli -i "$identity" devices list
	exit ;;
start) ;;
-h|--help) sed -n '3,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) die "unknown command '$cmd' (start, stop, status)" ;;
esac

# The packages, and PostgreSQL started if it is down.
"$KPF_TOP/scripts/setup.sh" --lava || die "scripts/setup.sh --lava failed"
mkdir -p "$state" "$state/worker"

manage() {
	lava-server manage "$@"
}

# The web service and the API, as lava-server-gunicorn.service runs them.
if ! pid_alive gunicorn; then
	gunicorn3 lava_server.wsgi --log-level INFO --log-file "$state/gunicorn.log" \
		-u lavaserver -g lavaserver --worker-class eventlet --workers 2 \
		--bind "127.0.0.1:$port" --timeout 120 --daemon --pid "$state/gunicorn.pid" ||
		die "gunicorn did not start: $state/gunicorn.log"
fi
for _ in $(seq 60); do
	curl -fsS -o /dev/null "$url/api/v0.2/" 2>/dev/null && break
	sleep 0.5
done
curl -fsS -o /dev/null "$url/api/v0.2/" || die "the server does not answer on $url (see $state/gunicorn.log)"

# The scheduler, as lava-scheduler.service runs it (it drops to the
# lavaserver user: its log goes where the package lets that user write).
if ! pid_alive scheduler; then
	setsid lava-server manage lava-scheduler --level INFO --log-file /var/log/lava-server/lava-scheduler.log \
		</dev/null >>"$state/scheduler.out" 2>&1 &
	echo $! >"$state/scheduler.pid"
fi

# A user with a token, kept in $state (mode 600).
if ! manage users list 2>/dev/null | grep -qw "$user"; then
	manage users add --superuser --staff --passwd "$(head -c 12 /dev/urandom | base64 | tr -d '/+=')" "$user" ||
		die "cannot create LAVA user $user"
fi
if [ ! -s "$state/token" ]; then
	token=$(manage tokens add --user "$user" --description kvm-pmu-filter | tail -n 1)
	[ -n "$token" ] || die "cannot create a token for $user"
	(umask 077 && echo "$token" >"$state/token")
fi
token=$(cat "$state/token")

# The worker: registered, then running with its own token.
if ! manage workers list 2>/dev/null | grep -qw "$worker"; then
	manage workers add --description "kvm-pmu-filter local worker" "$worker" >/dev/null ||
		die "cannot add worker $worker"
fi
if [ ! -s "$state/worker.token" ]; then
	# shellcheck disable=SC2016 # Python, not shell
	wtoken=$(manage shell -c 'from lava_scheduler_app.models import Worker; print(Worker.objects.get(hostname="'"$worker"'").token)' | tail -n 1)
	[ -n "$wtoken" ] || die "cannot read worker $worker's token"
	(umask 077 && echo "$wtoken" >"$state/worker.token")
fi
if ! pid_alive worker; then
	setsid lava-worker --level INFO --url "$url/" --name "$worker" --token-file "$state/worker.token" \
		--worker-dir "$state/worker" --log-file "$state/worker.log" \
		</dev/null >>"$state/worker.out" 2>&1 &
	echo $! >"$state/worker.pid"
fi

# The qemu device type and our devices, their dictionaries from lava/devices.
manage device-types list 2>/dev/null | grep -qw qemu || manage device-types add qemu ||
	die "cannot add the qemu device type"
dict=$KPF_TOP/lava/devices/qemu-kpf.jinja2
for n in $(seq "$ndevices"); do
	dev=$(printf 'qemu-kpf-%02d' "$n")
	if ! manage devices list --all 2>/dev/null | grep -qw "$dev"; then
		manage devices add --device-type qemu --worker "$worker" "$dev" || die "cannot add device $dev"
	fi
	cmp -s "$dict" "/etc/lava-server/dispatcher-config/devices/$dev.jinja2" ||
		install -m 644 -o lavaserver -g lavaserver "$dict" "/etc/lava-server/dispatcher-config/devices/$dev.jinja2" ||
		die "cannot install the dictionary of $dev"
	# No health check is defined: the device is taken as good.
	manage devices update --health GOOD "$dev" >/dev/null || die "cannot set $dev's health"
done

# lavacli's identity, and the same as environment for lava-submit.sh.
lavacli identities add --uri "$url/RPC2" --username "$user" --token "$token" "$identity" ||
	die "cannot write lavacli identity $identity"
for _ in $(seq 60); do
	lavacli -i "$identity" workers show "$worker" 2>/dev/null | grep -q 'state *: Online' && break
	sleep 1
done
lavacli -i "$identity" workers show "$worker" 2>/dev/null | grep -q 'state *: Online' ||
	die "worker $worker is not online (see $state/worker.log)"
note "LAVA server $url: worker $worker online, devices: $(lavacli -i "$identity" devices list | awk '/^\*/ { printf "%s ", $2 }')"
echo "export LAVA_URL=$url LAVA_USER=$user LAVA_TOKEN=$token  # or: lavacli -i $identity"
