#!/bin/sh
# Starts a single-node Slurm cluster on this machine for the Slurm executor
# tests (recipe: ../shared/slurm-local.md): munged, slurmctld and slurmd on
# loopback, this host as the one node (its CPUs, 8000 MB), partition 'main'.
# Installs nothing: scripts/install-deps.sh --test installs slurm-wlm and munge.
# Must run as root (CI does). Accounting is off (no slurmdbd), as on many
# small clusters: pipe must work without sacct.
#
#   scripts/slurm-test-cluster.sh start   configure, start, wait until the node is idle
#   scripts/slurm-test-cluster.sh stop    stop the daemons it started
set -eu
action="${1:-start}"
host="$(hostname -s)"
state=/var/spool/slurmctld
pids=/run/pipe-slurm-test
# Stops each daemon and waits until it has exited (up to 10 s): a munged still
# shutting down would otherwise look running to the start below, which then
# skips starting one and leaves the cluster without authentication.
stop() {
    for daemon in slurmd slurmctld munged; do
        if [ -f "$pids/$daemon.pid" ]; then
            pid="$(cat "$pids/$daemon.pid")"
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            rm -f "$pids/$daemon.pid"
        fi
    done
}
if [ "$action" = "stop" ]; then
    stop
    exit 0
fi
for tool in munged slurmctld slurmd sinfo sbatch; do
    command -v "$tool" >/dev/null || { echo "slurm-test-cluster: '$tool' is missing; run scripts/install-deps.sh --test" >&2; exit 1; }
done
mkdir -p "$pids" /etc/munge /var/log/munge /run/munge /var/lib/munge "$state" /var/spool/slurmd /var/log/slurm /etc/slurm
if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null
fi
chown -R munge:munge /etc/munge /var/log/munge /run/munge /var/lib/munge 2>/dev/null || true
chmod 400 /etc/munge/munge.key
cpus="$(nproc)"
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$state
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=$pids/slurmctld.pid
SlurmdPidFile=$pids/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
MinJobAge=300
KillWait=5
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=8000 State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
stop
if ! pgrep -x munged >/dev/null; then
    munged --force --pid-file="$pids/munged.pid" 2>/dev/null || munged --force
fi
slurmctld -c
sleep 1
slurmd
# Wait until the node takes jobs.
for _ in $(seq 1 60); do
    if sinfo --noheader --format=%T 2>/dev/null | grep -qx idle; then
        echo "slurm-test-cluster: node $host idle"
        exit 0
    fi
    sleep 0.5
done
echo "slurm-test-cluster: the node did not become idle; see /var/log/slurm/" >&2
sinfo >&2 || true
exit 1
