"""Random ops: normal, truncated normal, uniform, shuffle, multinomial, gamma, poisson and their seeds.

Each random op is stateful: its kernel draws from `ctx.random_generator(op)`, a NumPy Generator kept by
the Session per op and seeded from the op's `seed`/`seed2` attributes (see `get_seed`). So a program with
its seeds set produces the same values in every new Session (and process), while running the same op
again in one Session gives new values. Ops without any seed draw from fresh OS entropy.
"""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import Tensor, convert_to_tensor, get_default_graph, is_tensor_like, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import make_tensor

__all__ = ["random_normal", "truncated_normal", "random_uniform", "random_shuffle", "random_crop",
           "multinomial", "random_gamma", "random_poisson", "set_random_seed"]

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2 ** 31 - 1

_FLOAT_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64)


# --- seeds ---------------------------------------------------------------------------------------
def _truncate_seed(seed):
    return int(seed) % _MAXINT32


def get_seed(op_seed):
    """`tf.random.get_seed(op_seed)`: the (graph seed, op seed) pair a random op uses, by TF1's rules.

    No graph seed and no op seed: (None, None), a nondeterministic op. A graph seed (from
    `tf.set_random_seed`) and no op seed: the op seed is derived from the graph's op count, so the same
    program gives the same sequence. An op seed without a graph seed: the graph seed is 87654321.
    """
    graph = get_default_graph()
    global_seed = graph.seed
    if global_seed is not None:
        if op_seed is None:
            op_seed = len(graph._ops)
        seeds = (_truncate_seed(global_seed), _truncate_seed(op_seed))
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, _truncate_seed(op_seed))
    else:
        seeds = (None, None)
    if seeds == (0, 0):
        return (0, _MAXINT32)
    return seeds


def set_random_seed(seed):
    """`tf.set_random_seed(seed)`: sets the default graph's graph-level seed (None clears it)."""
    get_default_graph().seed = None if seed is None else int(seed)


def _seed_attrs(seed):
    seed1, seed2 = get_seed(seed)
    return {"seed": seed1, "seed2": seed2}


# --- shapes --------------------------------------------------------------------------------------
def _shape_tensor(shape):
    """A shape argument (list, tuple, TensorShape or integer tensor) as a 1-D integer tensor."""
    if isinstance(shape, TensorShape):
        if not shape.is_fully_defined():
            raise ValueError("Cannot convert a partially known TensorShape %s to a Tensor" % shape)
        shape = shape.as_list()
    if isinstance(shape, (list, tuple)) and any(is_tensor_like(s) for s in shape):
        from .array import stack
        return stack([convert_to_tensor(s, dtype=dtypes.int32) for s in shape], name="shape")
    if is_tensor_like(shape):
        tensor = convert_to_tensor(shape)
    else:
        if isinstance(shape, (list, tuple)) and not shape:
            shape = np.zeros([0], dtype=np.int32)
        tensor = convert_to_tensor(shape, dtype=dtypes.int32 if not isinstance(shape, np.ndarray) or
                                   shape.dtype.kind != "i" else None, name="shape")
    if tensor.dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError("Value passed to parameter 'shape' has DataType %s not in list of allowed values: "
                        "int32, int64" % tensor.dtype.name)
    return tensor


def _static_shape(shape_tensor):
    """The static output shape a 1-D shape tensor describes (its value when it is a constant)."""
    if shape_tensor.shape.ndims not in (None, 1):
        raise ValueError("Shape must be rank 1 but is rank %d" % shape_tensor.shape.ndims)
    op = shape_tensor.op
    if op.type == "Const":
        values = [int(v) for v in np.reshape(op.attrs["value"], [-1])]
        for v in values:
            if v < 0:
                raise ValueError("Dimension %d must be >= 0" % v)
        return TensorShape(values)
    if op.type == "Shape" and op.inputs[0].shape.ndims is not None:
        return op.inputs[0].shape
    if op.type == "Pack":
        dims = []
        for part in op.inputs:
            if part.op.type == "Const" and np.ndim(part.op.attrs["value"]) == 0:
                dims.append(int(part.op.attrs["value"]))
            else:
                dims.append(None)
        return TensorShape(dims)
    length = shape_tensor.shape[0].value if shape_tensor.shape.ndims == 1 else None
    return TensorShape(None if length is None else [None] * length)


def _dims(op, shape):
    dims = tuple(int(d) for d in np.reshape(shape, [-1]))
    for d in dims:
        if d < 0:
            raise errors.InvalidArgumentError(None, op, "Shape %s must have non-negative dimensions"
                                              % list(dims))
    return dims


def _check_float_dtype(dtype, op_type):
    if dtype not in _FLOAT_DTYPES:
        raise TypeError("Value passed to parameter 'dtype' has DataType %s not in list of allowed values "
                        "of %s: float16, float32, float64" % (dtype.name, op_type))


def _float_draw(dtype):
    """The dtype NumPy generators draw in (they support float32 and float64 only)."""
    dtype = np.dtype(dtype)
    return dtype if dtype in (np.float32, np.float64) else np.dtype(np.float32)


class _RandomOp(OpDef):
    """A stateful random op whose first input is the output shape."""

    stateful = True
    differentiable = False
    foldable = False
    # Draws from a NumPy Generator on the host, so that a seed gives the CPU's stream on any device.
    host_only = True

    def infer(self, op):
        dtype = op.attrs["dtype"]
        _check_float_dtype(dtype, self.type)
        return [(dtype, _static_shape(op.inputs[0]))]


# --- normal --------------------------------------------------------------------------------------
@register
class RandomStandardNormal(_RandomOp):
    """Samples of N(0, 1) of the given shape."""

    def kernel(self, op, ctx):
        rng = ctx.random_generator(op)
        dtype = op.attrs["dtype"].np
        draw = _float_draw(dtype)

        def standard_normal(shape):
            return rng.standard_normal(_dims(op, shape), dtype=draw).astype(dtype, copy=False)
        return standard_normal


def _scale_and_shift(samples, mean, stddev, name):
    from .math import add, multiply
    return add(multiply(samples, stddev), mean, name=name)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """`tf.random_normal(shape, mean=0.0, stddev=1.0, dtype=tf.float32, seed=None)`: a tensor of samples
    of a normal distribution; `mean` and `stddev` may be tensors (gradients flow to them)."""
    return _normal_samples("RandomStandardNormal", "random_normal", shape, mean, stddev, dtype, seed, name)


def _normal_samples(op_type, default_name, shape, mean, stddev, dtype, seed, name):
    """mean + stddev * samples of the standard-normal op `op_type`."""
    dtype = dtypes.as_dtype(dtype)
    _check_float_dtype(dtype, op_type)
    with name_scope(name, default_name, [shape, mean, stddev]) as scope:
        shape_tensor = _shape_tensor(shape)
        mean_tensor = convert_to_tensor(mean, dtype=dtype, name="mean")
        stddev_tensor = convert_to_tensor(stddev, dtype=dtype, name="stddev")
        samples = make_tensor(op_type, [shape_tensor], dict(_seed_attrs(seed), dtype=dtype))
        return _scale_and_shift(samples, mean_tensor, stddev_tensor, scope)


@register
class TruncatedNormal(_RandomOp):
    """Samples of N(0, 1) restricted to [-2, 2]: values further out are drawn again."""

    def kernel(self, op, ctx):
        rng = ctx.random_generator(op)
        dtype = op.attrs["dtype"].np
        draw = _float_draw(dtype)

        def truncated(shape):
            values = rng.standard_normal(_dims(op, shape), dtype=draw)
            flat = values.reshape(-1)
            outside = np.flatnonzero(np.abs(flat) > 2.0)
            while outside.size:
                flat[outside] = rng.standard_normal(outside.size, dtype=draw)
                outside = outside[np.abs(flat[outside]) > 2.0]
            return values.astype(dtype, copy=False)
        return truncated


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """`tf.truncated_normal(shape, mean=0.0, stddev=1.0, dtype=tf.float32, seed=None)`: samples of a
    normal distribution whose values more than 2 standard deviations from the mean are re-drawn."""
    return _normal_samples("TruncatedNormal", "truncated_normal", shape, mean, stddev, dtype, seed, name)


# --- uniform -------------------------------------------------------------------------------------
@register
class RandomUniform(_RandomOp):
    """Floats uniform in [0, 1)."""

    def kernel(self, op, ctx):
        rng = ctx.random_generator(op)
        dtype = op.attrs["dtype"].np
        draw = _float_draw(dtype)
        below_one = np.nextafter(np.ones((), dtype), np.zeros((), dtype))

        def uniform(shape):
            values = rng.random(_dims(op, shape), dtype=draw)
            if draw != dtype:
                values = np.minimum(values.astype(dtype), below_one)
            return values
        return uniform


@register
class RandomUniformInt(OpDef):
    """Integers uniform in [minval, maxval)."""

    stateful = True
    differentiable = False
    foldable = False
    # Draws from a NumPy Generator on the host, so that a seed gives the CPU's stream on any device.
    host_only = True

    def infer(self, op):
        shape, minval, maxval = op.inputs
        for bound, what in ((minval, "minval"), (maxval, "maxval")):
            if bound.shape.ndims not in (None, 0):
                raise ValueError("Shape must be rank 0 but is rank %d for %s" % (bound.shape.ndims, what))
        if minval.dtype is not maxval.dtype:
            raise TypeError("minval and maxval must have one dtype: %s vs %s"
                            % (minval.dtype.name, maxval.dtype.name))
        return [(minval.dtype, _static_shape(shape))]

    def kernel(self, op, ctx):
        rng = ctx.random_generator(op)
        dtype = op.outputs[0].dtype.np

        def uniform_int(shape, minval, maxval):
            if not minval < maxval:
                raise errors.InvalidArgumentError(None, op, "Need minval < maxval: %d >= %d"
                                                  % (minval, maxval))
            return rng.integers(minval, maxval, size=_dims(op, shape), dtype=dtype)
        return uniform_int


def random_uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """`tf.random_uniform(shape, minval=0, maxval=None, dtype=tf.float32, seed=None)`: samples uniform
    in [minval, maxval); maxval defaults to 1 for floats and is required for integer dtypes."""
    dtype = dtypes.as_dtype(dtype)
    if dtype not in _FLOAT_DTYPES + (dtypes.int32, dtypes.int64):
        raise ValueError("Invalid dtype %r" % dtype)
    if maxval is None:
        if dtype.is_integer:
            raise ValueError("Must specify maxval for integer dtype %r" % dtype)
        maxval = 1
    with name_scope(name, "random_uniform", [shape, minval, maxval]) as scope:
        shape_tensor = _shape_tensor(shape)
        minval = convert_to_tensor(minval, dtype=dtype, name="min")
        maxval = convert_to_tensor(maxval, dtype=dtype, name="max")
        if dtype.is_integer:
            return make_tensor("RandomUniformInt", [shape_tensor, minval, maxval], _seed_attrs(seed),
                               name=scope)
        from .math import add, multiply, subtract
        samples = make_tensor("RandomUniform", [shape_tensor], dict(_seed_attrs(seed), dtype=dtype))
        return add(multiply(samples, subtract(maxval, minval)), minval, name=scope)


# --- shuffle and crop ----------------------------------------------------------------------------
@register
class RandomShuffle(OpDef):
    """The input with its first dimension randomly permuted."""

    stateful = True
    differentiable = False
    foldable = False
    # Draws from a NumPy Generator on the host, so that a seed gives the CPU's stream on any device.
    host_only = True

    def infer(self, op):
        value = op.inputs[0]
        return [(value.dtype, value.shape)]

    def kernel(self, op, ctx):
        rng = ctx.random_generator(op)

        def shuffle(value):
            value = np.asarray(value)
            if value.ndim == 0 or value.shape[0] <= 1:
                return value.copy()
            return value[rng.permutation(value.shape[0])]
        return shuffle


def random_shuffle(value, seed=None, name=None):
    """`tf.random_shuffle(value, seed=None)`: `value` shuffled along its first dimension."""
    value = convert_to_tensor(value, name="value")
    return make_tensor("RandomShuffle", [value], _seed_attrs(seed), name=name or "RandomShuffle")


@register
class RandomCrop(OpDef):
    """A slice of the input of shape `size` at a uniformly random offset."""

    stateful = True
    differentiable = False
    foldable = False
    # Draws from a NumPy Generator on the host, so that a seed gives the CPU's stream on any device.
    host_only = True

    def infer(self, op):
        value, size = op.inputs
        shape = _static_shape(size)
        if value.shape.ndims is not None and shape.ndims is not None and shape.ndims != value.shape.ndims:
            raise ValueError("Dimensions must be equal: size has %d entries for a rank-%d value"
                             % (shape.ndims, value.shape.ndims))
        return [(value.dtype, shape)]

    def kernel(self, op, ctx):
        rng = ctx.random_generator(op)

        def crop(value, size):
            size = [int(s) for s in np.reshape(size, [-1])]
            value = np.asarray(value)
            if len(size) != value.ndim or any(s > d or s < 0 for s, d in zip(size, value.shape)):
                raise errors.InvalidArgumentError(None, op, "Need value.shape >= size, got %s and %s"
                                                  % (list(value.shape), size))
            starts = [int(rng.integers(0, d - s + 1)) for s, d in zip(size, value.shape)]
            index = tuple(slice(b, b + s) for b, s in zip(starts, size))
            return value[index].copy()
        return crop


def random_crop(value, size, seed=None, name=None):
    """`tf.random_crop(value, size, seed=None)`: a slice of `value` of shape `size` at a random offset."""
    with name_scope(name, "random_crop", [value, size]) as scope:
        value = convert_to_tensor(value, name="value")
        size = _shape_tensor(size)
        return make_tensor("RandomCrop", [value, size], _seed_attrs(seed), name=scope)


# --- categorical ---------------------------------------------------------------------------------
@register
class Multinomial(OpDef):
    """`num_samples` class indices per row of unnormalized log-probabilities."""

    stateful = True
    differentiable = False
    foldable = False
    # Draws from a NumPy Generator on the host, so that a seed gives the CPU's stream on any device.
    host_only = True

    def infer(self, op):
        logits, num_samples = op.inputs
        if logits.shape.ndims is not None and logits.shape.ndims != 2:
            raise ValueError("logits should be a matrix, got shape %s" % logits.shape)
        if not logits.dtype.is_floating:
            raise TypeError("Value passed to parameter 'logits' has DataType %s not in list of allowed "
                            "values: float16, float32, float64" % logits.dtype.name)
        count = None
        if num_samples.op.type == "Const":
            count = int(num_samples.op.attrs["value"])
        batch = logits.shape[0] if logits.shape.ndims == 2 else None
        return [(op.attrs["output_dtype"], TensorShape([batch, count]))]

    def kernel(self, op, ctx):
        rng = ctx.random_generator(op)
        dtype = op.attrs["output_dtype"].np

        def sample(logits, num_samples):
            logits = np.asarray(logits, dtype=np.float64)
            num_samples = int(num_samples)
            if num_samples < 0:
                raise errors.InvalidArgumentError(None, op, "num_samples should be nonnegative, got %d"
                                                  % num_samples)
            batch, classes = logits.shape
            out = np.empty((batch, num_samples), dtype=dtype)
            if num_samples == 0:
                return out
            if classes == 0:
                raise errors.InvalidArgumentError(None, op, "num_classes should be positive, got 0")
            peak = np.max(logits, axis=1, keepdims=True)
            peak = np.where(np.isfinite(peak), peak, 0.0)
            cdf = np.cumsum(np.exp(logits - peak), axis=1)
            draws = rng.random((batch, num_samples)) * cdf[:, -1:]
            for row in range(batch):
                out[row] = np.minimum(np.searchsorted(cdf[row], draws[row], side="right"), classes - 1)
            return out
        return sample


def multinomial(logits, num_samples, seed=None, name=None, output_dtype=None):
    """`tf.multinomial(logits, num_samples, seed=None, output_dtype=tf.int64)`: for each row of
    `logits` ([batch, num_classes] unnormalized log-probabilities), `num_samples` drawn class indices."""
    with name_scope(name, "multinomial", [logits]):
        return _multinomial(logits, num_samples, seed, output_dtype or dtypes.int64)


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """`tf.random.categorical(logits, num_samples, dtype=tf.int64, seed=None)`: as `tf.multinomial`."""
    with name_scope(name, "categorical", [logits]):
        return _multinomial(logits, num_samples, seed, dtype or dtypes.int64)


def _multinomial(logits, num_samples, seed, output_dtype):
    output_dtype = dtypes.as_dtype(output_dtype)
    if output_dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError("Value passed to parameter 'output_dtype' has DataType %s not in list of allowed "
                        "values: int32, int64" % output_dtype.name)
    logits = convert_to_tensor(logits, name="logits")
    num_samples = convert_to_tensor(num_samples, dtype=dtypes.int32, name="num_samples")
    return make_tensor("Multinomial", [logits, num_samples], dict(_seed_attrs(seed), output_dtype=output_dtype))


# --- gamma and poisson ---------------------------------------------------------------------------
@register
class RandomGamma(OpDef):
    """Gamma(alpha, beta) samples (beta the inverse scale) of shape `shape + broadcast(alpha, beta)`.

    Differentiable in alpha and beta as TF1 defines it: a sample x = g / beta with g ~ Gamma(alpha, 1)
    moves with alpha along the implicit reparameterisation dg/dalpha = -(dP(alpha, g)/dalpha) / p(g; alpha)
    (P the Gamma(alpha, 1) CDF, p its density: the quantile of a fixed uniform draw), and with beta as
    dx/dbeta = -x / beta."""

    stateful = True
    foldable = False
    # Draws from a NumPy Generator on the host, so that a seed gives the CPU's stream on any device.
    host_only = True

    def infer(self, op):
        shape, alpha, beta = op.inputs
        _check_float_dtype(alpha.dtype, self.type)
        from .common import broadcast_shape
        return [(alpha.dtype, _static_shape(shape).concatenate(broadcast_shape(alpha.shape, beta.shape)))]

    def kernel(self, op, ctx):
        rng = ctx.random_generator(op)
        dtype = op.outputs[0].dtype.np

        def gamma(shape, alpha, beta):
            alpha, beta = np.broadcast_arrays(np.asarray(alpha, dtype=np.float64),
                                              np.asarray(beta, dtype=np.float64))
            samples = rng.standard_gamma(alpha, size=_dims(op, shape) + alpha.shape) / beta
            return samples.astype(dtype)
        return gamma

    def grad(self, op, dy):
        from .common import sum_to_shape_of
        _, alpha, beta = op.inputs
        samples = op.outputs[0]
        standard = samples * beta  # the Gamma(alpha, 1) draws
        d_standard_d_alpha = -(make_tensor("IgammaGradA", [alpha, standard])
                               / make_tensor("IgammaGradX", [alpha, standard]))
        return [None, sum_to_shape_of(dy * d_standard_d_alpha / beta, alpha),
                sum_to_shape_of(dy * -samples / beta, beta)]


def random_gamma(shape, alpha, beta=None, dtype=dtypes.float32, seed=None, name=None):
    """`tf.random_gamma(shape, alpha, beta=None, dtype=tf.float32, seed=None)`: Gamma(alpha, beta)
    samples (beta is the inverse scale, default 1) of shape `shape + broadcast(alpha, beta).shape`."""
    dtype = dtypes.as_dtype(dtype)
    _check_float_dtype(dtype, "RandomGamma")
    with name_scope(name, "random_gamma", [shape, alpha, beta]) as scope:
        shape_tensor = _shape_tensor(shape)
        alpha = convert_to_tensor(alpha, dtype=dtype, name="alpha")
        beta = convert_to_tensor(beta if beta is not None else 1, dtype=dtype, name="beta")
        return make_tensor("RandomGamma", [shape_tensor, alpha, beta], _seed_attrs(seed), name=scope)


@register
class RandomPoisson(OpDef):
    """Poisson(lam) samples of shape `shape + lam.shape`."""

    stateful = True
    differentiable = False
    foldable = False
    # Draws from a NumPy Generator on the host, so that a seed gives the CPU's stream on any device.
    host_only = True

    def infer(self, op):
        shape, lam = op.inputs
        return [(op.attrs["dtype"], _static_shape(shape).concatenate(lam.shape))]

    def kernel(self, op, ctx):
        rng = ctx.random_generator(op)
        dtype = op.attrs["dtype"].np

        def poisson(shape, lam):
            lam = np.asarray(lam, dtype=np.float64)
            return rng.poisson(lam, size=_dims(op, shape) + lam.shape).astype(dtype)
        return poisson


def random_poisson(lam, shape, dtype=dtypes.float32, seed=None, name=None):
    """`tf.random_poisson(lam, shape, dtype=tf.float32, seed=None)`: Poisson samples of shape
    `shape + lam.shape`."""
    dtype = dtypes.as_dtype(dtype)
    if dtype not in _FLOAT_DTYPES + (dtypes.int32, dtypes.int64):
        raise TypeError("Value passed to parameter 'dtype' has DataType %s not in list of allowed values: "
                        "float16, float32, float64, int32, int64" % dtype.name)
    with name_scope(name, "random_poisson", [lam, shape]) as scope:
        shape_tensor = _shape_tensor(shape)
        lam = convert_to_tensor(lam, name="lam")
        if not lam.dtype.is_floating:
            from .math import cast
            lam = cast(lam, dtypes.float32)
        return make_tensor("RandomPoisson", [shape_tensor, lam], dict(_seed_attrs(seed), dtype=dtype),
                           name=scope)


# --- orthogonal matrices (tf.orthogonal_initializer) ---------------------------------------------
@register
class RandomOrthogonal(OpDef):
    """A random (semi-)orthogonal matrix reshaped to `shape`, times `gain`: the Q of the QR decomposition
    of a normal matrix [prod(shape[:-1]), shape[-1]], its columns' signs fixed by R's diagonal."""

    stateful = True
    differentiable = False
    foldable = False
    # Draws from a NumPy Generator on the host, so that a seed gives the CPU's stream on any device.
    host_only = True

    def infer(self, op):
        dtype = op.attrs["dtype"]
        _check_float_dtype(dtype, self.type)
        return [(dtype, TensorShape(op.attrs["shape"]))]

    def kernel(self, op, ctx):
        rng = ctx.random_generator(op)
        shape = tuple(op.attrs["shape"])
        gain = float(op.attrs["gain"])
        dtype = op.attrs["dtype"].np
        rows = int(np.prod(shape[:-1]))
        cols = shape[-1]

        def orthogonal():
            flat = rng.standard_normal((max(rows, cols), min(rows, cols)))
            q, r = np.linalg.qr(flat)
            q = q * np.sign(np.diag(r))
            if rows < cols:
                q = q.T
            return (gain * q).reshape(shape).astype(dtype)
        return orthogonal


def random_orthogonal(shape, gain=1.0, dtype=dtypes.float32, seed=None, name=None):
    """A random orthogonal matrix of a static `shape` (rank >= 2) scaled by `gain`."""
    shape = [int(d) for d in shape]
    if len(shape) < 2:
        raise ValueError("The tensor to initialize must be at least two-dimensional")
    attrs = dict(_seed_attrs(seed), shape=shape, gain=float(gain), dtype=dtypes.as_dtype(dtype))
    return make_tensor("RandomOrthogonal", [], attrs, name=name or "orthogonal")


# --- stateless ops (tf.random.stateless_*) -------------------------------------------------------
class _StatelessOp(OpDef):
    """A pure function of (shape, seed): a fresh generator seeded by the [2] seed tensor each call."""

    differentiable = False
    foldable = False
    # A NumPy Generator seeded from the seed on the host: the same values as on the CPU on any device.
    host_only = True

    def infer(self, op):
        shape, seed = op.inputs
        dtype = op.attrs["dtype"]
        _check_float_dtype(dtype, self.type)
        if seed.shape.ndims is not None and seed.shape.as_tuple() != (2,) and None not in seed.shape.as_tuple():
            raise ValueError("seed must have shape [2], not %s" % seed.shape.as_list())
        return [(dtype, _static_shape(shape))]

    def draw(self, rng, dims, dtype):
        raise NotImplementedError

    def kernel(self, op, ctx):
        dtype = op.attrs["dtype"].np
        draw = self.draw

        def stateless(shape, seed):
            rng = np.random.default_rng([int(s) & 0xFFFFFFFFFFFFFFFF for s in np.reshape(seed, [-1])])
            return draw(rng, _dims(op, shape), _float_draw(dtype)).astype(dtype, copy=False)
        return stateless


@register
class StatelessRandomNormal(_StatelessOp):
    """N(0, 1) samples determined by the seed."""

    def draw(self, rng, dims, dtype):
        return rng.standard_normal(dims, dtype=dtype)


@register
class StatelessRandomUniform(_StatelessOp):
    """Uniform [0, 1) samples determined by the seed."""

    def draw(self, rng, dims, dtype):
        return rng.random(dims, dtype=dtype)


@register
class StatelessTruncatedNormal(_StatelessOp):
    """N(0, 1) samples within [-2, 2] determined by the seed."""

    def draw(self, rng, dims, dtype):
        values = rng.standard_normal(dims, dtype=dtype)
        flat = values.reshape(-1)
        outside = np.flatnonzero(np.abs(flat) > 2.0)
        while outside.size:
            flat[outside] = rng.standard_normal(outside.size, dtype=dtype)
            outside = outside[np.abs(flat[outside]) > 2.0]
        return values


def _stateless(op_type, default_name, shape, seed, mean_or_min, scale_or_max, dtype, name, uniform=False):
    dtype = dtypes.as_dtype(dtype)
    _check_float_dtype(dtype, op_type)
    with name_scope(name, default_name, [shape, seed]) as scope:
        shape_tensor = _shape_tensor(shape)
        seed = convert_to_tensor(seed, dtype=dtypes.int64 if not isinstance(seed, Tensor) else None, name="seed")
        samples = make_tensor(op_type, [shape_tensor, seed], {"dtype": dtype})
        from .math import add, multiply, subtract
        low = convert_to_tensor(mean_or_min, dtype=dtype)
        high = convert_to_tensor(scale_or_max, dtype=dtype)
        scale = subtract(high, low) if uniform else high
        return add(multiply(samples, scale), low, name=scope)


def stateless_random_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
    """`tf.random.stateless_normal(shape, seed, mean=0.0, stddev=1.0)`: normal samples that depend only
    on `seed` (a shape [2] integer tensor)."""
    return _stateless("StatelessRandomNormal", "stateless_random_normal", shape, seed, mean, stddev, dtype,
                      name)


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
    """`tf.random.stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0)`."""
    return _stateless("StatelessTruncatedNormal", "stateless_truncated_normal", shape, seed, mean, stddev,
                      dtype, name)


def stateless_random_uniform(shape, seed, minval=0, maxval=None, dtype=dtypes.float32, name=None):
    """`tf.random.stateless_uniform(shape, seed, minval=0, maxval=None)` for float dtypes."""
    return _stateless("StatelessRandomUniform", "stateless_random_uniform", shape, seed, minval,
                      1 if maxval is None else maxval, dtype, name, uniform=True)
