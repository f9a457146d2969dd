"""Small top-level `tf.*` helpers of TF 1: tensor predicates, gradient pass-through and recomputation
wrappers, guarantee_const, and the GraphDef version constants."""
from . import dtypes
from .graph import Tensor, convert_to_tensor

__all__ = ["is_numeric_tensor", "is_symbolic_tensor", "executing_eagerly_outside_functions", "guarantee_const",
           "grad_pass_through", "recompute_grad", "GRAPH_DEF_VERSION", "GRAPH_DEF_VERSION_MIN_CONSUMER",
           "GRAPH_DEF_VERSION_MIN_PRODUCER", "add_check_numerics_ops", "vectorized_map"]

# The versions written into and accepted from GraphDefs (framework/graph_def.py writes producer 134, as
# TF 1.15, and reads graphs from producer 0 on).
GRAPH_DEF_VERSION = 134
GRAPH_DEF_VERSION_MIN_CONSUMER = 0
GRAPH_DEF_VERSION_MIN_PRODUCER = 0

_NUMERIC = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64,
            dtypes.uint8, dtypes.uint16, dtypes.uint32, dtypes.uint64, dtypes.complex64, dtypes.complex128)


def is_numeric_tensor(tensor):
    """`tf.is_numeric_tensor(tensor)`: True for a Tensor of a numeric dtype (not bool or string)."""
    return isinstance(tensor, Tensor) and tensor.dtype in _NUMERIC


def is_symbolic_tensor(tensor):
    """`tf.is_symbolic_tensor(tensor)`: True for a graph Tensor (every numflow Tensor is one), False for
    values such as NumPy arrays."""
    return isinstance(tensor, Tensor)


def executing_eagerly_outside_functions():
    """`tf.executing_eagerly_outside_functions()`: False; numflow always builds graphs."""
    return False


def guarantee_const(input, name=None):  # noqa: A002 - TF's argument name
    """`tf.guarantee_const(input)`: `input`, with the promise that it is constant during a run (a hint to
    TF's optimizer; numflow's value is the identity of the input)."""
    from ..ops.control import identity
    return identity(convert_to_tensor(input, name="input"), name=name or "GuaranteeConst")


def grad_pass_through(f):
    """`tf.grad_pass_through(f)`: a function computing f(x) in the forward pass whose gradient with
    respect to x is the incoming gradient unchanged (a straight-through estimator)."""
    from ..gradients import custom_gradient

    @custom_gradient
    def passed(x):
        def grad(dy):
            return dy
        return f(x), grad
    return passed


def recompute_grad(f):
    """`tf.recompute_grad(f)`: f with its forward pass recomputed when gradients are taken, to save memory
    in TF. numflow's plans keep the activations they need, so this returns f's values and gradients
    unchanged (the same numbers TF computes) without the memory saving."""
    def wrapped(*args, **kwargs):
        return f(*args, **kwargs)
    wrapped.__name__ = getattr(f, "__name__", "recompute_grad")
    wrapped.__doc__ = f.__doc__
    return wrapped


def add_check_numerics_ops():
    """`tf.add_check_numerics_ops()`: a group of check_numerics ops, one for every floating-point
    tensor of the default graph (as built so far); running it fails with InvalidArgumentError naming
    the first tensor holding a NaN or an infinity."""
    from .graph import get_default_graph
    from ..ops.control import group
    from ..ops.debug import check_numerics
    graph = get_default_graph()
    checks = []
    for op in graph.get_operations():
        for output in op.outputs:
            if output.dtype in (dtypes.float16, dtypes.float32, dtypes.float64):
                message = "%s : Tensor had NaN or Inf values" % output.name
                checks.append(check_numerics(output, message))
    return group(*checks, name="CheckNumerics")


def vectorized_map(fn, elems, fallback_to_while_loop=True, warn=True):
    """`tf.vectorized_map(fn, elems)`: fn applied to each slice of elems along the first dimension, the
    results stacked: the values of tf.map_fn (TF vectorizes the loop for speed; the results agree)."""
    from ..ops.functional import map_fn
    return map_fn(fn, elems)
