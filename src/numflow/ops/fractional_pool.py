"""Fractional max and average pooling (Graham 2014): `tf.nn.fractional_max_pool` / `fractional_avg_pool`.

Rows and columns are each split into floor(size / ratio) pooling regions whose sizes are the integers
just below and above the ratio, arranged at random: shuffled (`pseudo_random=False`) or from
ceil(alpha (i + u)) with one random offset u (`pseudo_random=True`), as the paper and TF describe. The
ops return the region boundaries (row and column pooling sequences, [0, ..., size]) alongside the
pooled values; the gradient ops take them back so that the backward pass uses the same regions.
Region i covers [seq[i], seq[i + 1]) or, with `overlapping`, also the boundary position seq[i + 1].
"""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import make_op, make_tensor

__all__ = ["fractional_max_pool", "fractional_avg_pool", "fractional_max_pool_v2", "fractional_avg_pool_v2"]

_TYPES = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64)


def _check_ratio(ratio):
    ratio = [float(r) for r in ratio]
    if len(ratio) != 4:
        raise ValueError("pooling_ratio field must specify 4 dimensions, got %s" % ratio)
    if ratio[0] != 1.0 or ratio[3] != 1.0:
        raise ValueError("Only pooling on rows and cols is supported: pooling_ratio[0] and [3] must be 1.0, "
                         "got %s" % ratio)
    if ratio[1] < 1.0 or ratio[2] < 1.0:
        raise ValueError("pooling_ratio cannot be smaller than 1, got %s" % ratio)
    return ratio


def _output_size(size, ratio, op):
    out = int(size / ratio)
    if out <= 0:
        raise errors.InvalidArgumentError(None, op, "Input size %d divided by pooling ratio %g gives an output "
                                          "size of 0: the input is too small" % (size, ratio))
    return out


def pooling_sequence(rng, in_size, out_size, pseudo_random):
    """Region boundaries [0, ..., in_size] (out_size + 1 values) with region sizes floor/ceil(in/out)."""
    if pseudo_random:
        alpha = in_size / out_size
        k = in_size // out_size
        # The largest offset u keeping every region within sizes k and k + 1 and inside the input.
        max_u = min((k + 2) / alpha - 1, (in_size + 1 - k) / alpha - (out_size - 1))
        u = rng.random() * max_u
        starts = np.empty(out_size + 1, np.int64)
        starts[0], starts[out_size] = 1, in_size + 1
        starts[1:out_size] = np.ceil(alpha * (np.arange(1, out_size) + u)).astype(np.int64)
        diffs = np.diff(starts)
    else:
        diffs = np.full(out_size, in_size // out_size, np.int64)
        diffs[:in_size % out_size] += 1
        rng.shuffle(diffs)
    return np.concatenate([[0], np.cumsum(diffs)]).astype(np.int64)


def _regions(sequence, in_size, overlapping):
    """(start, stop) of each region, stop exclusive, clipped to the input."""
    starts = sequence[:-1]
    stops = np.minimum(sequence[1:] + (1 if overlapping else 0), in_size)
    return list(zip(starts.tolist(), stops.tolist()))


def _check_sequence(op, sequence, in_size, what):
    sequence = np.asarray(sequence)
    if sequence.ndim != 1 or sequence.size < 2 or sequence[0] != 0 or sequence[-1] > in_size or \
            np.any(np.diff(sequence) <= 0):
        raise errors.InvalidArgumentError(None, op, "%s must be increasing boundaries from 0 to at most %d, got %s"
                                          % (what, in_size, sequence.tolist()[:8]))
    return sequence


class _FractionalPool(OpDef):
    """Shared by FractionalMaxPool and FractionalAvgPool: the region draws and output shapes."""

    stateful = True           # each run draws new regions (unless deterministic)
    foldable = False
    host_only = True          # regions drawn by the Session's host generator; a Python loop over them
    reduce = None

    def infer(self, op):
        value = op.inputs[0]
        if value.dtype not in _TYPES:
            raise TypeError("Value passed to parameter 'value' has DataType %s not in list of allowed values: "
                            "float32, float64, int32, int64" % value.dtype.name)
        if value.shape.ndims not in (None, 4):
            raise ValueError("value must be 4-dimensional [batch, rows, cols, channels], got shape %s" % value.shape)
        ratio = _check_ratio(op.attrs["pooling_ratio"])
        dims = [None] * 4 if value.shape.ndims is None else value.shape.as_list()
        out = [dims[0]] + [None if d is None else int(d / r) for d, r in zip(dims[1:3], ratio[1:3])] + [dims[3]]
        if any(d == 0 for d in out[1:3]):
            raise ValueError("pooling_ratio %s leaves no output rows or columns for input shape %s"
                             % (ratio, value.shape))
        return [(value.dtype, TensorShape(out)), (dtypes.int64, TensorShape([None if out[1] is None else out[1] + 1])),
                (dtypes.int64, TensorShape([None if out[2] is None else out[2] + 1]))]

    def kernel(self, op, ctx):
        attrs = op.attrs
        ratio = _check_ratio(attrs["pooling_ratio"])
        # seed = seed2 = 0 asks for fresh randomness, as in TF (a zero seed is not a seed here).
        seeded = bool(attrs["seed"] or attrs["seed2"])
        generator = ctx.random_generator(op) if seeded else np.random.default_rng()
        # Deterministic: one fixed draw of regions per input size for the life of the Session's plan.
        fixed_seed = int(generator.integers(2 ** 62)) if attrs["deterministic"] else None
        reduce = type(self).reduce

        def pool(value):
            value = np.asarray(value)
            if value.ndim != 4:
                raise errors.InvalidArgumentError(None, op, "value must be 4-dimensional, got shape %s"
                                                  % list(value.shape))
            rng = np.random.default_rng(fixed_seed) if fixed_seed is not None else generator
            _, rows, cols, _ = value.shape
            row_seq = pooling_sequence(rng, rows, _output_size(rows, ratio[1], op), attrs["pseudo_random"])
            col_seq = pooling_sequence(rng, cols, _output_size(cols, ratio[2], op), attrs["pseudo_random"])
            return (_pool_values(value, row_seq, col_seq, attrs["overlapping"], reduce), row_seq, col_seq)
        return pool


def _pool_values(value, row_seq, col_seq, overlapping, reduce):
    rows, cols = value.shape[1:3]
    row_regions, col_regions = _regions(row_seq, rows, overlapping), _regions(col_seq, cols, overlapping)
    out = np.empty((value.shape[0], len(row_regions), len(col_regions), value.shape[3]), value.dtype)
    for i, (r0, r1) in enumerate(row_regions):
        for j, (c0, c1) in enumerate(col_regions):
            out[:, i, j] = reduce(value[:, r0:r1, c0:c1])
    return out


def _max_of(window):
    return window.max(axis=(1, 2))


def _mean_of(window):
    # Integer inputs average with truncation, as TF's integer kernels divide.
    total = window.sum(axis=(1, 2))
    count = window.shape[1] * window.shape[2]
    return total / count if window.dtype.kind == "f" else (total // count)


@register
class FractionalMaxPool(_FractionalPool):
    """The maximum of each randomly sized pooling region."""

    reduce = staticmethod(_max_of)

    def grad(self, op, dy, drows, dcols):
        output, row_seq, col_seq = op.outputs
        return [make_tensor("FractionalMaxPoolGrad", [op.inputs[0], output, dy, row_seq, col_seq],
                            {"overlapping": op.attrs["overlapping"]})]


@register
class FractionalAvgPool(_FractionalPool):
    """The mean of each randomly sized pooling region."""

    reduce = staticmethod(_mean_of)

    def grad(self, op, dy, drows, dcols):
        from .array import shape
        _, row_seq, col_seq = op.outputs
        return [make_tensor("FractionalAvgPoolGrad", [shape(op.inputs[0], out_type=dtypes.int64), dy, row_seq,
                                                      col_seq], {"overlapping": op.attrs["overlapping"]})]


@register
class FractionalMaxPoolGrad(OpDef):
    """FractionalMaxPool's gradient: each region's gradient goes to the first position holding its maximum."""

    host_only = True          # a Python loop over the pooling regions, np.add.at into each

    def infer(self, op):
        return [(op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(self, op, ctx):
        overlapping = op.attrs["overlapping"]

        def back(value, output, dy, row_seq, col_seq):
            value, dy = np.asarray(value), np.asarray(dy)
            batch, rows, cols, channels = value.shape
            row_seq = _check_sequence(op, row_seq, rows, "row_pooling_sequence")
            col_seq = _check_sequence(op, col_seq, cols, "col_pooling_sequence")
            grad = np.zeros(value.shape, dy.dtype)
            b_index, c_index = np.meshgrid(np.arange(batch), np.arange(channels), indexing="ij")
            for i, (r0, r1) in enumerate(_regions(row_seq, rows, overlapping)):
                for j, (c0, c1) in enumerate(_regions(col_seq, cols, overlapping)):
                    window = value[:, r0:r1, c0:c1].reshape(batch, -1, channels)
                    first = window.argmax(axis=1)       # [batch, channels]: first maximum, row-major
                    width = c1 - c0
                    np.add.at(grad, (b_index, r0 + first // width, c0 + first % width, c_index), dy[:, i, j])
            return grad
        return back


@register
class FractionalAvgPoolGrad(OpDef):
    """FractionalAvgPool's gradient: each region's gradient spread evenly over its positions."""

    host_only = True          # a Python loop over the pooling regions read from host sequences

    def infer(self, op):
        from .array import _static_value
        known = _static_value(op.inputs[0])
        shape = TensorShape(None if known is None else [None if v is None else int(v) for v in known.tolist()])
        return [(op.inputs[1].dtype, shape)]

    def kernel(self, op, ctx):
        overlapping = op.attrs["overlapping"]

        def back(input_shape, dy, row_seq, col_seq):
            dy = np.asarray(dy)
            shape = tuple(int(v) for v in np.asarray(input_shape).reshape(-1))
            row_seq = _check_sequence(op, row_seq, shape[1], "row_pooling_sequence")
            col_seq = _check_sequence(op, col_seq, shape[2], "col_pooling_sequence")
            grad = np.zeros(shape, dy.dtype)
            for i, (r0, r1) in enumerate(_regions(row_seq, shape[1], overlapping)):
                for j, (c0, c1) in enumerate(_regions(col_seq, shape[2], overlapping)):
                    share = dy[:, i, j] / ((r1 - r0) * (c1 - c0))
                    grad[:, r0:r1, c0:c1] += share[:, None, None, :].astype(dy.dtype)
            return grad
        return back


def _fractional(op_type, value, pooling_ratio, pseudo_random, overlapping, deterministic, seed, seed2, name,
                scope_name):
    with name_scope(name, scope_name, [value]) as scope:
        value = convert_to_tensor(value, name="value")
        attrs = dict(seed=int(seed or 0), seed2=int(seed2 or 0), pooling_ratio=_check_ratio(pooling_ratio), pseudo_random=bool(pseudo_random),
                     overlapping=bool(overlapping), deterministic=bool(deterministic))
        return tuple(make_op(op_type, [value], attrs, name=scope).outputs)


def fractional_max_pool(value, pooling_ratio, pseudo_random=False, overlapping=False, deterministic=False,
                        seed=0, seed2=0, name=None):
    """`tf.nn.fractional_max_pool(value, pooling_ratio, pseudo_random=False, overlapping=False,
    deterministic=False, seed=0, seed2=0)`: (output, row_pooling_sequence, col_pooling_sequence): the
    maximum over random pooling regions of a [batch, rows, cols, channels] input, pooling_ratio =
    [1.0, row ratio >= 1, column ratio >= 1, 1.0] (output size floor(size / ratio)). `deterministic`
    keeps the same regions from run to run; seed/seed2 (either non-zero) make them reproducible."""
    return _fractional("FractionalMaxPool", value, pooling_ratio, pseudo_random, overlapping, deterministic, seed,
                       seed2, name, "FractionalMaxPool")


def fractional_avg_pool(value, pooling_ratio, pseudo_random=False, overlapping=False, deterministic=False,
                        seed=0, seed2=0, name=None):
    """`tf.nn.fractional_avg_pool(...)`: as fractional_max_pool with the mean of each region."""
    return _fractional("FractionalAvgPool", value, pooling_ratio, pseudo_random, overlapping, deterministic, seed,
                       seed2, name, "FractionalAvgPool")


def _v2_ratio(pooling_ratio):
    if isinstance(pooling_ratio, (int, float)):
        return [1.0, float(pooling_ratio), float(pooling_ratio), 1.0]
    ratio = [float(r) for r in pooling_ratio]
    return [1.0] + ratio + [1.0] if len(ratio) == 2 else ratio


def fractional_max_pool_v2(value, pooling_ratio, pseudo_random=False, overlapping=False, seed=0, name=None):
    """`tf.nn.fractional_max_pool` in TF 2's form: pooling_ratio a number or [row, col] ratios; a non-zero
    seed makes the regions reproducible."""
    return fractional_max_pool(value, _v2_ratio(pooling_ratio), pseudo_random, overlapping, bool(seed), seed,
                               seed, name)


def fractional_avg_pool_v2(value, pooling_ratio, pseudo_random=False, overlapping=False, seed=0, name=None):
    """`tf.nn.fractional_avg_pool` in TF 2's form (see fractional_max_pool_v2)."""
    return fractional_avg_pool(value, _v2_ratio(pooling_ratio), pseudo_random, overlapping, bool(seed), seed,
                               seed, name)
