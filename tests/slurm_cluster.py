"""A real single-node Slurm cluster on localhost for the tests, started and stopped by PID.

:func:`start_cluster` installs Debian's Slurm packages when they are missing (root only),
writes a minimal ``slurm.conf`` under a short ``/tmp`` directory, starts ``slurmctld`` and
``slurmd`` in the foreground of their own sessions and waits for the node to be idle.
:class:`SlurmCluster` submits jobs and polls ``scontrol show job`` (never ``sbatch --wait``,
which polls at 2, 8, 32 s). Anything that prevents a cluster raises :class:`ClusterUnavailable`
with the reason, which the fixture turns into a visible skip.

What this host taught us (see slurm/README.md, "Testing"): munge and the cgroup plugins are
avoided (``auth/none``, ``proctrack/linuxproc``, ``task/none``), socket and spool paths stay
short (Unix sockets are limited to 108 bytes), ``cred_expire=10`` lets a requeued job restart
within seconds instead of minutes, and the node advertises no GPUs (tests submit with
``SBATCH_GRES=none``).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PACKAGES = ["slurmctld", "slurmd", "slurm-client"]
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
            "BOOT_FAIL", "DEADLINE", "PREEMPTED"}

CONF = """\
# Written by tests/slurm_cluster.py: a one-node test cluster on 127.0.0.1, no accounting.
ClusterName=coursetest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={d_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/none
CredType=cred/none
AuthInfo=cred_expire=10
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/ctld.pid
SlurmdPidFile={root}/d.pid
SlurmctldLogFile={root}/ctld.log
SlurmdLogFile={root}/d.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SchedulerParameters=batch_sched_delay=0,sched_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
KillWait=2
MinJobAge=600
InactiveLimit=0
NodeName=localhost NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory_mb} State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
"""


class ClusterUnavailable(RuntimeError):
    """No cluster can be started here; the message says why (used as the skip reason)."""


@dataclass
class Job:
    """The last seen state of one job (or array task) from ``scontrol show job -o``."""

    job_id: str
    state: str
    exit_code: str
    restarts: int
    fields: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.state == "COMPLETED" and self.exit_code == "0:0"


@dataclass
class SlurmCluster:
    """A running test cluster: its directory, config file and daemon processes."""

    root: Path
    conf: Path
    daemons: list = field(default_factory=list)

    @property
    def env(self) -> dict:
        """Environment for client commands (and, through ``--export=ALL``, for the jobs)."""
        env = dict(os.environ)
        env["SLURM_CONF"] = str(self.conf)
        env["SBATCH_GRES"] = "none"  # the test node has no GPUs: drop the scripts' --gres
        return env

    def run(self, *args: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
        """Run a Slurm client command against this cluster, capturing its output."""
        proc = subprocess.run(list(args), env=kw.pop("env", self.env), capture_output=True,
                              text=True, timeout=60, **kw)
        if check and proc.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
        return proc

    def sbatch(self, *args: str, cwd: Path | str | None = None, env: dict | None = None) -> str:
        """Submit with ``sbatch --parsable ARGS``; returns the job id."""
        proc = self.run("sbatch", "--parsable", *args, cwd=cwd, env=env or self.env)
        return proc.stdout.strip().split(";")[0]

    def jobs(self, job_id: str) -> list[Job]:
        """The job, or every task of an array job, as ``scontrol`` shows them now."""
        proc = self.run("scontrol", "show", "job", "-o", str(job_id), check=False)
        return [_parse_job(line) for line in proc.stdout.splitlines() if line.strip()]

    def wait(self, job_id: str, timeout: float = 300, until=None) -> list[Job]:
        """Poll every 0.25 s until every task is finished (or ``until(jobs)`` is true)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = self.jobs(job_id)
            done = until(jobs) if until else jobs and all(j.state in TERMINAL for j in jobs)
            if done:
                return jobs
            time.sleep(0.25)
        raise TimeoutError(f"job {job_id} not done after {timeout:.0f} s: {self.jobs(job_id)}"
                           f"\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        """The end of both daemon logs, for failure messages."""
        out = []
        for name in ("ctld.log", "d.log"):
            path = self.root / name
            if path.exists():
                out.append(f"--- {path}\n" + "\n".join(path.read_text().splitlines()[-lines:]))
        return "\n".join(out)

    def stop(self) -> None:
        """Terminate the daemons by PID (SIGTERM, then SIGKILL after 10 s) and remove the files."""
        for proc in self.daemons:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.daemons:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def _parse_job(line: str) -> Job:
    fields = dict(re.findall(r"(\w+)=(\S*)", line))
    return Job(job_id=fields.get("JobId", "?"), state=fields.get("JobState", "?"),
               exit_code=fields.get("ExitCode", "?"), restarts=int(fields.get("Restarts", 0)),
               fields=fields)


def ensure_packages() -> None:
    """Install Debian's Slurm packages if ``slurmctld`` is missing (needs root and apt)."""
    if all(shutil.which(p) for p in ("slurmctld", "slurmd", "sbatch")):
        return
    if os.geteuid() != 0:
        raise ClusterUnavailable("Slurm is not installed and installing it needs root "
                                 f"(apt-get install {' '.join(PACKAGES)})")
    if not shutil.which("apt-get"):
        raise ClusterUnavailable("Slurm is not installed and there is no apt-get to install it")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *PACKAGES]
    proc = subprocess.run(install, env=env, capture_output=True, text=True)
    if proc.returncode != 0:  # a fresh machine may have no package lists yet
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
        proc = subprocess.run(install, env=env, capture_output=True, text=True)
    if proc.returncode != 0 or not shutil.which("slurmctld"):
        raise ClusterUnavailable(f"could not install {' '.join(PACKAGES)}: "
                                 f"{proc.stderr.strip()[-500:]}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(binary: str, root: Path, env: dict) -> subprocess.Popen:
    """A daemon in the foreground (-D) of its own session, all output to a file."""
    log = open(root / f"{binary}.out", "wb")  # noqa: SIM115 (kept open for the daemon)
    return subprocess.Popen([binary, "-D", *(["-i"] if binary == "slurmctld" else [])],
                            env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                            start_new_session=True)


def start_cluster(cpus: int = 2, memory_mb: int = 8000, timeout: float = 30) -> SlurmCluster:
    """Start ``slurmctld`` and ``slurmd`` for a one-node cluster; wait until the node is idle.

    Raises
    ------
    ClusterUnavailable
        Not root, no packages and no way to install them, or the daemons did not come up.
    """
    if os.geteuid() != 0:
        raise ClusterUnavailable("a test Slurm cluster runs its daemons as root; run pytest as root")
    ensure_packages()
    root = Path(tempfile.mkdtemp(prefix="slm", dir="/tmp"))  # short: socket paths <= 108 bytes
    root.chmod(0o755)
    for sub in ("state", "spool"):
        (root / sub).mkdir()
    conf = root / "slurm.conf"
    conf.write_text(CONF.format(root=root, ctld_port=_free_port(), d_port=_free_port(),
                                cpus=cpus, memory_mb=memory_mb))
    cluster = SlurmCluster(root=root, conf=conf)
    env = cluster.env
    cluster.daemons.append(_start("slurmctld", root, env))
    cluster.daemons.append(_start("slurmd", root, env))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        proc = cluster.run("sinfo", "-h", "-o", "%T", check=False)
        if proc.stdout.strip() == "idle":
            return cluster
        if any(d.poll() is not None for d in cluster.daemons):
            break
        time.sleep(0.2)
    tail = cluster.log_tail()
    cluster.stop()
    raise ClusterUnavailable(f"the test cluster did not become idle in {timeout:.0f} s:\n{tail}")
