"""`horovodrun`: Horovod's launcher command, mapped onto `mpiexec`.

    horovodrun -np 4 python train.py
    horovodrun -np 8 -H host1:4,host2:4 python train.py
    horovodrun -np 8 --hostfile hosts.txt python train.py      # lines "host slots=4" or "host:4"

becomes `mpiexec -n N [-hosts host1:4,host2:4] python train.py` for MPICH (the `mpich` wheel of the `mpi`
extra installs `mpiexec` beside Python) or Intel MPI, and `mpiexec -np N -H ... -x VAR ...` for Open MPI.
Each rank's BLAS/OpenMP threads are set to this machine's cores divided by the ranks it runs (unless
OMP_NUM_THREADS is already set): N ranks each using every core run many times slower. NUMFLOW_MPIEXEC
names another mpiexec; `--mpi-args "..."` passes options through; `--dry-run` prints the command.
"""
import argparse
import os
import shutil
import subprocess
import sys

from .._install_hints import pip_hint
from .basics import threads_per_rank

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def find_mpiexec():
    """The mpiexec to use: $NUMFLOW_MPIEXEC, the one installed beside this Python (the mpich wheel's), then
    mpiexec or mpirun on PATH. FileNotFoundError with the install command when there is none."""
    configured = os.environ.get("NUMFLOW_MPIEXEC")
    if configured:
        return configured
    beside = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if os.path.exists(beside):
        return beside
    for name in ("mpiexec", "mpirun"):
        found = shutil.which(name)
        if found:
            return found
    raise FileNotFoundError("horovodrun needs an MPI launcher (mpiexec) and found none: %s"
                            % pip_hint("mpi", "mpi4py mpich"))


def mpi_flavour(mpiexec):
    """'openmpi' or 'mpich' (MPICH, Intel MPI and other Hydra launchers), from `mpiexec --version`."""
    try:
        text = subprocess.run([mpiexec, "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return "mpich"
    return "openmpi" if "Open MPI" in text or "OpenRTE" in text else "mpich"


def parse_hosts(hosts, hostfile):
    """[(host, slots)] from `-H a:2,b:2` or a hostfile ('host slots=N' or 'host:N' per line)."""
    entries = []
    if hostfile:
        with open(hostfile) as handle:
            lines = [line.split("#")[0].strip() for line in handle]
        for line in filter(None, lines):
            name, _, rest = line.partition(" ")
            slots = rest.strip()
            if slots.startswith("slots="):
                entries.append(_host_entry(name, slots[len("slots="):], line))
            else:
                host, _, count = name.partition(":")
                entries.append(_host_entry(host, count or "1", line))
    elif hosts:
        for item in hosts.split(","):
            host, _, count = item.strip().partition(":")
            entries.append(_host_entry(host, count or "1", item))
    return entries


def _host_entry(host, slots, text):
    if not host or not slots.isdigit() or int(slots) < 1:
        raise ValueError("horovodrun: cannot read host %r: use host:slots (e.g. node1:4)" % text)
    return host, int(slots)


def build_command(num_proc, command, hosts=(), flavour="mpich", mpiexec="mpiexec", mpi_args=()):
    """(argv, environment additions) of the mpiexec run that `horovodrun` stands for."""
    if num_proc < 1:
        raise ValueError("horovodrun: -np must be at least 1, got %d" % num_proc)
    if not command:
        raise ValueError("horovodrun: no command to run (e.g. horovodrun -np 2 python train.py)")
    ranks_here = min(num_proc, max(slots for _, slots in hosts)) if hosts else num_proc
    threads = str(threads_per_rank(ranks_here))
    environment = {name: threads for name in _THREAD_VARIABLES}
    argv = [mpiexec]
    if flavour == "openmpi":
        argv += ["-np", str(num_proc)]
        if hosts:
            argv += ["-H", ",".join("%s:%d" % entry for entry in hosts)]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            argv.append("--allow-run-as-root")
        argv.append("--oversubscribe")
        for name in _THREAD_VARIABLES:
            argv += ["-x", name]
    else:
        argv += ["-n", str(num_proc)]
        if hosts:
            argv += ["-hosts", ",".join("%s:%d" % entry for entry in hosts)]
        for name in _THREAD_VARIABLES:
            argv += ["-genv", name, threads]
    return argv + list(mpi_args) + list(command), environment


def _parser():
    parser = argparse.ArgumentParser(prog="horovodrun", description="Runs a Horovod (numflow.horovod) training "
                                     "script on N processes through mpiexec.")
    parser.add_argument("-np", "--num-proc", type=int, required=True, dest="num_proc",
                        help="the number of processes (ranks)")
    parser.add_argument("-H", "--hosts", default=None, help="hosts and slots, e.g. node1:4,node2:4")
    parser.add_argument("--hostfile", "-hostfile", default=None, help="a file of 'host slots=N' lines")
    parser.add_argument("--mpi-args", default="", help="extra options passed to mpiexec")
    parser.add_argument("--verbose", action="store_true", help="print the mpiexec command before running it")
    parser.add_argument("--dry-run", action="store_true", help="print the mpiexec command and exit")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the program and its arguments")
    return parser


def main(argv=None):
    """Entry point of the `horovodrun` command; returns mpiexec's exit status."""
    import shlex
    args = _parser().parse_args(argv)
    try:
        hosts = parse_hosts(args.hosts, args.hostfile)
        mpiexec = find_mpiexec()
        command, environment = build_command(args.num_proc, args.command, hosts, mpi_flavour(mpiexec), mpiexec,
                                             shlex.split(args.mpi_args))
    except (ValueError, FileNotFoundError, OSError) as exc:
        sys.stderr.write("%s\n" % exc)
        return 2
    if args.verbose or args.dry_run:
        sys.stdout.write("%s\n" % " ".join(shlex.quote(part) for part in command))
        sys.stdout.flush()
        if args.dry_run:
            return 0
    env = dict(os.environ)
    env.update(environment)
    return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main())
