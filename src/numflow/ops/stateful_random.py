"""The draw op behind `tf.random.Generator`: samples from a counter-based stream whose state lives in an
int64 variable, advancing the variable's counter past what was used.

The state keeps TF's layout (Philox: [counter_low, counter_high, key]; ThreeFry: [counter, key]) and both
algorithms are driven by NumPy's Philox bit generator keyed by that state, so a state gives the same samples
in every run and Session and two draws never reuse a block; the numbers differ from TensorFlow's kernels
(same distributions).
"""
import numpy as np

from .. import backend
from ..framework import dtypes, errors
from ..framework.op_def import OpDef, register
from .common import make_tensor
from .random import _shape_tensor, _static_shape

__all__ = ["PHILOX", "THREEFRY", "STATE_SIZES", "generator_draw"]

PHILOX, THREEFRY = 1, 2
STATE_SIZES = {PHILOX: 3, THREEFRY: 2}
# ThreeFry states use the Philox stream with this second key word, so the two algorithms' streams differ.
_THREEFRY_KEY_TAG = 1

_FLOAT_DISTRIBUTIONS = ("normal", "truncated_normal", "uniform")
_INT_DISTRIBUTIONS = ("uniform_int", "uniform_full_int")
_PARAMETER_COUNTS = {"normal": 0, "truncated_normal": 0, "uniform": 0, "uniform_int": 2, "uniform_full_int": 0,
                     "binomial": 2}


def _bit_generator(state, algorithm):
    words = state.view(np.uint64)
    if algorithm == PHILOX:
        return np.random.Philox(counter=[words[0], words[1], 0, 0], key=[words[2], 0])
    return np.random.Philox(counter=[words[0], 0, 0, 0], key=[words[1], _THREEFRY_KEY_TAG])


def _store_counter(state, bit_generator, algorithm):
    """Writes the last block's counter back: the next draw starts at the block after it."""
    counter = np.asarray(bit_generator.state["state"]["counter"], dtype=np.uint64).view(np.int64)
    state[0] = counter[0]
    if algorithm == PHILOX:
        state[1] = counter[1]


def _truncated_normal(rng, dims):
    """Standard normals redrawn until they lie within two standard deviations."""
    values = rng.standard_normal(dims)
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2.0
    return values


@register
class RngGeneratorDraw(OpDef):
    """(state variable, shape, *parameters) -> samples; attrs `distribution`, `dtype`, `algorithm`."""

    stateful = True
    updates_state = True
    ref_inputs = (0,)
    differentiable = False
    foldable = False
    host_inputs = (1, 2, 3)    # the shape and the distribution's parameters, read by the host's generator

    def infer(self, op):
        state = op.inputs[0]
        if state.dtype is not dtypes.int64:
            raise TypeError("A random generator's state must be int64, not %s" % state.dtype.name)
        return [(op.attrs["dtype"], _static_shape(op.inputs[1]))]

    def kernel(self, op, ctx):
        cell = ctx.variable_cell(op.inputs[0].op)
        distribution = op.attrs["distribution"]
        algorithm = op.attrs["algorithm"]
        dtype = op.attrs["dtype"].np
        state_size = STATE_SIZES[algorithm]
        variable_op = op.inputs[0].op
        xp = ctx.xp

        def draw(shape, *parameters):
            state = cell.value
            if state is None:
                raise errors.FailedPreconditionError(
                    None, op, "Attempting to use uninitialized value %s\n\t [[node %s]]"
                    % (variable_op.name, variable_op.name))
            if state.shape != (state_size,):
                raise errors.InvalidArgumentError(
                    None, op, "The size of the state must be %d for algorithm %d; got shape %s"
                    % (state_size, algorithm, list(state.shape)))
            dims = tuple(int(d) for d in np.reshape(shape, [-1]))
            # The stream is NumPy's on the host (the same numbers on every device): a state variable on a
            # device is read, advanced and written back explicitly, and the samples copied to the device.
            host_state = backend.to_host(state)
            bit_generator = _bit_generator(host_state, algorithm)
            rng = np.random.Generator(bit_generator)
            values = _sample(rng, distribution, dims, parameters, dtype, op)
            _store_counter(host_state, bit_generator, algorithm)
            if host_state is not state:
                state[...] = xp.asarray(host_state)
            return xp.asarray(np.asarray(values).astype(dtype, copy=False))
        return draw


def _sample(rng, distribution, dims, parameters, dtype, op):
    if distribution == "normal":
        return rng.standard_normal(dims)
    if distribution == "truncated_normal":
        return _truncated_normal(rng, dims)
    if distribution == "uniform":
        return rng.random(dims)
    if distribution == "uniform_full_int":
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=dims, dtype=dtype, endpoint=True)
    if distribution == "uniform_int":
        minval, maxval = (np.asarray(p) for p in parameters)
        if minval.ndim or maxval.ndim:
            raise errors.InvalidArgumentError(None, op, "minval and maxval must be scalars, got shapes %s and %s"
                                              % (list(minval.shape), list(maxval.shape)))
        if minval >= maxval:
            raise errors.InvalidArgumentError(None, op, "Need minval < maxval, got %d >= %d" % (minval, maxval))
        return rng.integers(int(minval), int(maxval), size=dims, dtype=np.int64)
    counts, probs = (np.asarray(p, dtype=np.float64) for p in parameters)
    try:
        counts, probs = np.broadcast_to(counts, dims), np.broadcast_to(probs, dims)
    except ValueError:
        raise errors.InvalidArgumentError(None, op, "counts %s and probs %s must broadcast to the shape %s"
                                          % (list(counts.shape), list(probs.shape), list(dims))) from None
    if np.any(counts < 0) or np.any((probs < 0) | (probs > 1)):
        raise errors.InvalidArgumentError(None, op, "counts must be non-negative and probs in [0, 1]")
    return rng.binomial(counts.astype(np.int64), probs, size=dims)


def generator_draw(state_variable, algorithm, distribution, shape, dtype, parameters=(), name=None):
    """Samples of `shape` and `dtype` from the generator whose state is `state_variable` (a VariableV2 ref)."""
    dtype = dtypes.as_dtype(dtype)
    if distribution in _FLOAT_DISTRIBUTIONS and not dtype.is_floating:
        raise TypeError("Generator %s samples must be a floating dtype, not %s" % (distribution, dtype.name))
    if distribution in _INT_DISTRIBUTIONS and not dtype.is_integer:
        raise TypeError("Generator %s samples must be an integer dtype, not %s" % (distribution, dtype.name))
    assert len(parameters) == _PARAMETER_COUNTS[distribution]
    ref = state_variable._ref if hasattr(state_variable, "_ref") else state_variable
    return make_tensor("RngGeneratorDraw", [ref, _shape_tensor(shape)] + list(parameters),
                       {"distribution": distribution, "dtype": dtype, "algorithm": algorithm},
                       name=name or "RngGeneratorDraw")
