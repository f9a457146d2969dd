"""`tf.nondifferentiable_batch_function`: in TF a decorator that gathers the inputs of concurrent
Session.run calls into one batch, runs the function once, and splits the results back.

Batching across runs only changes speed: each run still gets the function of its own inputs. numflow
runs the function directly on each call's tensors (no cross-run batching) and, as the name says, the
outputs carry no gradient (stop_gradient), where TF's BatchFunction op has none registered.
"""
import functools

from ..framework.graph import Tensor, name_scope
from .control import stop_gradient

__all__ = ["nondifferentiable_batch_function"]


def _stop_gradients(structure):
    if isinstance(structure, Tensor):
        return stop_gradient(structure)
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):
        return type(structure)(*[_stop_gradients(item) for item in structure])
    if isinstance(structure, (list, tuple)):
        return type(structure)(_stop_gradients(item) for item in structure)
    if isinstance(structure, dict):
        return {key: _stop_gradients(value) for key, value in structure.items()}
    return structure


def nondifferentiable_batch_function(num_batch_threads, max_batch_size, batch_timeout_micros,
                                     allowed_batch_sizes=None, max_enqueued_batches=10, autograph=True,
                                     enable_large_batch_splitting=True):
    """`tf.nondifferentiable_batch_function(num_batch_threads, max_batch_size, batch_timeout_micros,
    allowed_batch_sizes=None, max_enqueued_batches=10, autograph=True, enable_large_batch_splitting=True)`:
    decorates `fn(*tensors)` (every argument a Tensor, batched along dimension 0); the result has fn's
    structure and no gradient. numflow computes each call's batch on its own (the batching parameters
    only tune TF's cross-run batching and are checked, not used)."""
    if allowed_batch_sizes is not None:
        sizes = list(allowed_batch_sizes)
        if any(later <= earlier for earlier, later in zip(sizes, sizes[1:])):
            raise ValueError("allowed_batch_sizes entries must be monotonically increasing: %s" % sizes)
        if sizes and sizes[-1] != max_batch_size:
            raise ValueError("final entry in allowed_batch_sizes must equal max_batch_size when "
                             "enable_large_batch_splitting is False or when allowed_batch_sizes is given: %s vs %s"
                             % (sizes[-1], max_batch_size))

    def decorator(fn):
        @functools.wraps(fn)
        def batched(*args):
            for arg in args:
                if not isinstance(arg, Tensor):
                    raise ValueError("All arguments to functions decorated with `batch_function` are supposed "
                                     "to be Tensors; found %r." % (arg,))
            with name_scope("batch"):
                return _stop_gradients(fn(*args))
        return batched
    return decorator
