"""`numflow.horovod`: Horovod's TensorFlow 1 API (`import horovod.tensorflow as hvd` under `numflow run`)
for data-parallel training over MPI.

    import numflow as tf
    import numflow.horovod as hvd
    hvd.init()
    opt = hvd.DistributedOptimizer(tf.train.AdamOptimizer(0.001 * hvd.size()))
    hooks = [hvd.BroadcastGlobalVariablesHook(0)]
    # launch: horovodrun -np 4 python train.py   (or mpiexec -n 4 python train.py)

Collectives are graph ops (`allreduce`, `grouped_allreduce`, `allgather`, `broadcast`) with gradients;
their kernels call MPI through mpi4py (the `mpi` extra). Without mpi4py a script runs as a world of one.
"""
from .basics import *  # noqa: F401,F403
from .compression import Compression, Compressor, FP16Compressor, NoneCompressor  # noqa: F401
from .mpi_ops import *  # noqa: F401,F403
from .functions import broadcast_global_variables, broadcast_variables  # noqa: F401
from .optimizer import DistributedOptimizer  # noqa: F401
from .hooks import BroadcastGlobalVariablesHook  # noqa: F401

# `import horovod.tensorflow as hvd` and `import horovod as hvd` both reach this module under the alias.
import sys as _sys  # noqa: E402

tensorflow = _sys.modules[__name__]
_sys.modules[__name__ + ".tensorflow"] = tensorflow
del _sys
