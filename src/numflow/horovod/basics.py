"""Horovod's process-level API over MPI: `init`, `rank`, `size`, `local_rank`, ... and the communicators
the collective ops use.

One process per worker, all started by `mpiexec -n N` (or `horovodrun -np N`, or Slurm's `srun`); MPI
tells each its rank. `init()` also splits off the ranks sharing this machine (`local_*`) and the ranks
with the same local rank across machines (`cross_*`), and divides this machine's cores between its local
ranks' BLAS thread pools, since N ranks each using every core run many times slower than N ranks each
using its share.

Without mpi4py, a process that no MPI launcher started runs as a world of one (rank 0 of 1), so Horovod
scripts also run as plain single-process programs; a process started by a launcher (several ranks) needs
the `mpi` extra and says so.
"""
import os
import sys
import time

import numpy as np

from .._install_hints import pip_hint

__all__ = ["init", "shutdown", "is_initialized", "rank", "size", "local_rank", "local_size", "cross_rank",
           "cross_size", "mpi_threads_supported", "mpi_enabled", "mpi_built", "gloo_enabled", "gloo_built",
           "nccl_built", "ddl_built", "ccl_built", "cuda_built", "rocm_built", "start_timeline", "stop_timeline",
           "blas_threads"]

MPI_HINT = "numflow.horovod needs MPI for more than one process: %s" % pip_hint("mpi", "mpi4py mpich")
_NOT_INITIALIZED = "Horovod has not been initialized; use hvd.init()."
# Environment variables by which MPI launchers announce a world of several processes.
_LAUNCHER_SIZE_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS")


class _SingleProcessComm:
    """The subset of mpi4py's buffer API the collectives use, for a world of one process."""

    def Get_rank(self):  # noqa: N802 - mpi4py's names
        return 0

    def Get_size(self):  # noqa: N802
        return 1

    def Allreduce(self, send, receive, op=None):  # noqa: N802
        np.copyto(_buffer(receive), _buffer(send))

    def Allgather(self, send, receive):  # noqa: N802
        np.copyto(_buffer(receive).reshape(-1), _buffer(send).reshape(-1))

    def Allgatherv(self, send, receive):  # noqa: N802
        source = _buffer(send).reshape(-1)
        _buffer(receive).reshape(-1)[:source.size] = source

    def Bcast(self, buffer, root=0):  # noqa: N802
        pass

    def Barrier(self):  # noqa: N802
        pass

    def Abort(self, code=1):  # noqa: N802
        os._exit(code)


def _buffer(spec):
    """The array of an mpi4py buffer specification ([array, datatype] or [array, counts, datatype])."""
    return spec[0] if isinstance(spec, (list, tuple)) else spec


class _State:
    def __init__(self):
        self.initialized = False
        self.mpi = None             # the mpi4py.MPI module, or None in a single-process world
        self.comm = None
        self.local_comm = None
        self.cross_comm = None
        self.threads_supported = False
        self.blas_threads = None
        self.previous_blas_threads = None  # the count before init, restored by shutdown


_state = _State()


def _import_mpi():
    """mpi4py's MPI module, or None when mpi4py is absent and no launcher started several ranks."""
    try:
        from mpi4py import MPI
    except ImportError:
        launched_size = max((int(os.environ.get(name, "1") or 1) for name in _LAUNCHER_SIZE_VARIABLES),
                            default=1)
        if launched_size > 1:
            raise ImportError(MPI_HINT) from None
        return None
    return MPI


def init(comm=None, process_sets=None):
    """`hvd.init(comm=None)`: joins the MPI world (or the given mpi4py communicator, or the list of world
    ranks to use), splits the local and cross communicators, and sets this rank's BLAS threads to its
    share of the machine's cores. Calling it again does nothing."""
    if _state.initialized:
        return
    MPI = _import_mpi()
    if MPI is None:
        if comm is not None:
            raise ImportError(MPI_HINT)
        world = _SingleProcessComm()
        _state.mpi, _state.comm, _state.local_comm, _state.cross_comm = None, world, world, world
        _state.threads_supported = False
    else:
        if comm is None:
            world = MPI.COMM_WORLD
        elif isinstance(comm, (list, tuple)):
            world = MPI.COMM_WORLD.Create_group(MPI.COMM_WORLD.Get_group().Incl(list(comm)))
            if world == MPI.COMM_NULL:
                raise ValueError("hvd.init(comm=%r): this process (world rank %d) is not in the list"
                                 % (list(comm), MPI.COMM_WORLD.Get_rank()))
        else:
            world = comm
        _state.mpi = MPI
        _state.comm = world
        _state.local_comm = world.Split_type(MPI.COMM_TYPE_SHARED, key=world.Get_rank())
        _state.cross_comm = world.Split(color=_state.local_comm.Get_rank(), key=world.Get_rank())
        _state.threads_supported = MPI.Query_thread() == MPI.THREAD_MULTIPLE
        if world.Get_size() > 1:
            _abort_world_on_uncaught_exception(world)
    _state.initialized = True
    _state.blas_threads = _limit_blas_threads(_state.local_comm.Get_size())


def shutdown():
    """`hvd.shutdown()`: leaves Horovod (the MPI world itself ends with the process)."""
    if not _state.initialized:
        return
    if _state.previous_blas_threads is not None:
        from ..client import threads as blas
        blas.set_default_threads(_state.previous_blas_threads)
    for name in ("local_comm", "cross_comm"):
        comm = getattr(_state, name)
        if _state.mpi is not None and comm is not None:
            comm.Free()
    _state.__init__()


def is_initialized():
    """Whether `init()` has run (and `shutdown()` not since)."""
    return _state.initialized


def _require_init():
    if not _state.initialized:
        raise ValueError(_NOT_INITIALIZED)


def comm():
    """The world communicator of the initialized Horovod (for the collective kernels)."""
    _require_init()
    return _state.comm


def mpi_module():
    """mpi4py's MPI module, or None in a single-process world."""
    _require_init()
    return _state.mpi


def rank():
    """This process's rank in the world, 0 .. size()-1."""
    _require_init()
    return _state.comm.Get_rank()


def size():
    """The number of processes in the world."""
    _require_init()
    return _state.comm.Get_size()


def local_rank():
    """This process's rank among those on the same machine."""
    _require_init()
    return _state.local_comm.Get_rank()


def local_size():
    """The number of processes on this machine."""
    _require_init()
    return _state.local_comm.Get_size()


def cross_rank():
    """This machine's index among the machines (the rank among processes of the same local rank)."""
    _require_init()
    return _state.cross_comm.Get_rank()


def cross_size():
    """The number of machines (processes sharing this process's local rank)."""
    _require_init()
    return _state.cross_comm.Get_size()


def mpi_threads_supported():
    """Whether the MPI library was initialized with MPI_THREAD_MULTIPLE."""
    _require_init()
    return _state.threads_supported


def mpi_enabled():
    """Whether collectives go through MPI (False in a single-process world without mpi4py)."""
    return _state.mpi is not None


def mpi_built():
    """Whether MPI support is available (mpi4py importable)."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def gloo_enabled():
    """Horovod's Gloo controller: not part of numflow.horovod."""
    return False


def _not_built():
    return False


gloo_built = nccl_built = ddl_built = ccl_built = cuda_built = rocm_built = _not_built


def start_timeline(file_path, mark_cycles=False):
    """Horovod's timeline recording: not provided (collective time shows in numflow's benchmark)."""
    raise NotImplementedError("numflow.horovod does not record Horovod timelines")


def stop_timeline():
    """See `start_timeline`."""
    raise NotImplementedError("numflow.horovod does not record Horovod timelines")


def blas_threads():
    """The BLAS thread count `init()` chose for this rank (None before init)."""
    return _state.blas_threads


def available_cores():
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def threads_per_rank(local_ranks, cores=None):
    """This machine's cores divided between its `local_ranks` ranks (at least one thread each), unless
    the user fixed the count with OMP_NUM_THREADS."""
    fixed = os.environ.get("OMP_NUM_THREADS", "").strip()
    if fixed.isdigit() and int(fixed) > 0:
        return int(fixed)
    cores = available_cores() if cores is None else cores
    return max(1, cores // max(1, local_ranks))


def _limit_blas_threads(local_ranks):
    """Limits this process's BLAS pool to its share of the cores (numflow's plans then never use more);
    returns the count."""
    from ..client import threads as blas
    threads = threads_per_rank(local_ranks)
    _state.previous_blas_threads = blas.default_threads()
    blas.set_default_threads(threads)
    return threads


def _abort_world_on_uncaught_exception(world):
    """An exception that ends one rank would leave the others waiting in a collective forever: print it,
    then abort the whole MPI job (what `python -m mpi4py` does)."""
    previous = sys.excepthook

    def abort_all(kind, value, traceback):
        previous(kind, value, traceback)
        sys.stderr.write("numflow.horovod: rank %d failed; aborting the MPI job.\n" % world.Get_rank())
        sys.stderr.flush()
        # mpiexec forwards each rank's output through its proxies, and an abort tears them down: without a
        # pause the traceback can be cut off on its way to the terminal
        time.sleep(0.5)
        world.Abort(1)
    sys.excepthook = abort_all
