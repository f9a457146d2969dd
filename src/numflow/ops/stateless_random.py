"""The remaining `tf.random.stateless_*` samplers (gamma, Poisson, binomial, categorical, parameterized
truncated normal) and the seed helpers `fold_in` / `split`.

As numflow's other stateless ops, each is a pure function of its inputs and a shape-[2] integer seed: the
same seed gives the same samples in every run and Session. The streams come from NumPy's generator seeded
by the seed pair, so the values differ from TensorFlow's Philox streams (the distributions are the same).
"""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, is_tensor_like, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import broadcast_shape, make_tensor
from .random import _shape_tensor, _static_shape

__all__ = ["stateless_gamma", "stateless_poisson", "stateless_binomial", "stateless_categorical",
           "stateless_multinomial", "stateless_parameterized_truncated_normal", "fold_in", "split"]


def _generator(seed, op):
    seed = np.asarray(seed).reshape(-1)
    if seed.shape != (2,):
        raise errors.InvalidArgumentError(None, op, "seed must have shape [2], not %s" % list(np.shape(seed)))
    return np.random.default_rng([int(s) & 0xFFFFFFFFFFFFFFFF for s in seed])


def _check_seed(seed):
    if seed.shape.ndims is not None and seed.shape.is_fully_defined() and seed.shape.as_list() != [2]:
        raise ValueError("seed must have shape [2], not %s" % seed.shape.as_list())
    if not seed.dtype.is_integer:
        raise TypeError("seed must be an int32 or int64 tensor, got %s" % seed.dtype.name)


def _seed(seed):
    seed = convert_to_tensor(seed, dtype=dtypes.int64 if not is_tensor_like(seed) else None, name="seed")
    _check_seed(seed)
    return seed


def _output_dims(op, shape, parameter_shapes):
    dims = tuple(int(d) for d in np.reshape(shape, [-1]))
    for parameter in parameter_shapes:
        try:
            np.broadcast_shapes(dims, parameter)
        except ValueError:
            raise errors.InvalidArgumentError(None, op, "shape %s must be compatible with the parameters' shape %s "
                                              "(the parameters broadcast to the trailing dimensions)"
                                              % (list(dims), list(parameter))) from None
        if np.broadcast_shapes(dims, parameter) != dims:
            raise errors.InvalidArgumentError(None, op, "shape %s is not a broadcast of the parameters' shape %s"
                                              % (list(dims), list(parameter)))
    return dims


class _ShapedSampler(OpDef):
    """(shape, seed, *parameters) -> samples of `shape`; parameters broadcast against shape's tail."""

    differentiable = False
    foldable = False
    # A NumPy Generator seeded from the seed on the host: the same values as on the CPU on any device.
    host_only = True

    def out_dtype(self, op):
        return op.attrs["dtype"]

    def infer(self, op):
        shape, seed = op.inputs[:2]
        _check_seed(seed)
        static = _static_shape(shape)
        for parameter in op.inputs[2:]:
            if static.ndims is not None and parameter.shape.ndims is not None:
                broadcast_shape(static, parameter.shape)
        return [(self.out_dtype(op), static)]

    def sample(self, rng, dims, parameters, op):
        raise NotImplementedError

    def kernel(self, op, ctx):
        dtype = self.out_dtype(op).np

        def stateless(shape, seed, *parameters):
            rng = _generator(seed, op)
            parameters = [np.asarray(p) for p in parameters]
            dims = _output_dims(op, shape, [p.shape for p in parameters])
            parameters = [np.broadcast_to(p, dims) for p in parameters]
            return np.asarray(self.sample(rng, dims, parameters, op)).astype(dtype, copy=False)
        return stateless


@register
class StatelessRandomGammaV2(_ShapedSampler):
    """Gamma(alpha, 1) samples determined by the seed."""

    def sample(self, rng, dims, parameters, op):
        (alpha,) = parameters
        if np.any(alpha <= 0):
            raise errors.InvalidArgumentError(None, op, "alpha must be positive")
        return rng.standard_gamma(alpha.astype(np.float64), size=dims)


@register
class StatelessRandomPoisson(_ShapedSampler):
    """Poisson(lam) samples determined by the seed."""

    def sample(self, rng, dims, parameters, op):
        (lam,) = parameters
        if np.any(lam < 0):
            raise errors.InvalidArgumentError(None, op, "lam must be non-negative")
        return rng.poisson(lam.astype(np.float64), size=dims)


@register
class StatelessRandomBinomial(_ShapedSampler):
    """Binomial(counts, probs) samples determined by the seed."""

    def sample(self, rng, dims, parameters, op):
        counts, probs = parameters
        if np.any(counts < 0) or np.any((probs < 0) | (probs > 1)):
            raise errors.InvalidArgumentError(None, op, "counts must be non-negative and probs in [0, 1]")
        return rng.binomial(counts.astype(np.int64), probs.astype(np.float64), size=dims)


@register
class StatelessParameterizedTruncatedNormal(_ShapedSampler):
    """Normal(mean, stddev) samples restricted to [minval, maxval], determined by the seed."""

    def sample(self, rng, dims, parameters, op):
        means, stddevs, minvals, maxvals = (p.astype(np.float64) for p in parameters)
        if np.any(stddevs <= 0) or np.any(minvals >= maxvals):
            raise errors.InvalidArgumentError(None, op, "stddevs must be positive and minvals < maxvals")
        # Inverse-CDF sampling in the standardized bounds keeps every draw inside them, however far out.
        from .special_math import _ndtri64
        from math import erfc, sqrt
        ndtr = np.vectorize(lambda v: 0.5 * erfc(-v / sqrt(2.0)), otypes=[np.float64])
        low = ndtr((minvals - means) / stddevs)
        high = ndtr((maxvals - means) / stddevs)
        uniform = low + (high - low) * rng.random(dims)
        z = _ndtri64(np.clip(uniform, np.nextafter(0, 1), np.nextafter(1, 0)))
        return np.clip(means + stddevs * z, minvals, maxvals)


@register
class StatelessMultinomial(OpDef):
    """num_samples class indices per row of logits, determined by the seed."""

    differentiable = False
    foldable = False
    # A NumPy Generator seeded from the seed on the host: the same values as on the CPU on any device.
    host_only = True

    def infer(self, op):
        logits, num_samples, seed = op.inputs
        _check_seed(seed)
        if logits.shape.ndims not in (None, 2):
            raise ValueError("logits should be a matrix, got shape %s" % logits.shape)
        count = int(num_samples.op.attrs["value"]) if num_samples.op.type == "Const" else None
        batch = logits.shape[0].value if logits.shape.ndims == 2 else None
        return [(op.attrs["output_dtype"], TensorShape([batch, count]))]

    def kernel(self, op, ctx):
        dtype = op.attrs["output_dtype"].np

        def sample(logits, num_samples, seed):
            rng = _generator(seed, op)
            logits = np.asarray(logits, np.float64)
            num_samples = int(num_samples)
            if num_samples < 0:
                raise errors.InvalidArgumentError(None, op, "num_samples should be nonnegative, got %d" % num_samples)
            if logits.shape[1] == 0 and num_samples:
                raise errors.InvalidArgumentError(None, op, "num_classes should be positive, got 0")
            peak = np.max(logits, axis=1, keepdims=True) if logits.size else np.zeros((logits.shape[0], 1))
            weights = np.exp(logits - np.where(np.isfinite(peak), peak, 0.0))
            cdf = np.cumsum(weights, axis=1)
            draws = rng.random((logits.shape[0], num_samples)) * cdf[:, -1:]
            out = np.empty((logits.shape[0], num_samples), dtype)
            for row in range(logits.shape[0]):
                out[row] = np.minimum(np.searchsorted(cdf[row], draws[row], side="right"), logits.shape[1] - 1)
            return out
        return sample


def _sampler(op_type, shape, seed, parameters, dtype, name, scope_name):
    with name_scope(name, scope_name, [shape, seed]) as scope:
        inputs = [_shape_tensor(shape), _seed(seed)] + parameters
        return make_tensor(op_type, inputs, {"dtype": dtypes.as_dtype(dtype)}, name=scope)


def _float_param(value, dtype, name):
    return convert_to_tensor(value, dtype=dtype, name=name)


def _require_float(dtype, what):
    dtype = dtypes.as_dtype(dtype)
    if dtype not in (dtypes.float16, dtypes.float32, dtypes.float64):
        raise ValueError("%s: dtype must be float16, float32 or float64, got %s" % (what, dtype.name))
    return dtype


def stateless_gamma(shape, seed, alpha, beta=None, dtype=dtypes.float32, name=None):
    """`tf.random.stateless_gamma(shape, seed, alpha, beta=None, dtype=tf.float32)`: Gamma(alpha, beta)
    samples (beta the rate, 1 when None) of `shape`, whose trailing dimensions alpha and beta broadcast
    to; the same seed gives the same samples."""
    dtype = _require_float(dtype, "stateless_gamma")
    with name_scope(name, "stateless_random_gamma", [shape, seed, alpha, beta]) as scope:
        samples = _sampler("StatelessRandomGammaV2", shape, seed, [_float_param(alpha, dtype, "alpha")], dtype,
                           None, "gamma")
        if beta is None:
            from .control import identity
            return identity(samples, name=scope)
        from .math import truediv
        return truediv(samples, _float_param(beta, dtype, "beta"), name=scope)


def stateless_poisson(shape, seed, lam, dtype=dtypes.int32, name=None):
    """`tf.random.stateless_poisson(shape, seed, lam, dtype=tf.int32)`: Poisson(lam) samples of `shape`."""
    dtype = dtypes.as_dtype(dtype)
    lam = convert_to_tensor(lam, dtype=dtypes.float32 if not is_tensor_like(lam) else None, name="lam")
    return _sampler("StatelessRandomPoisson", shape, seed, [lam], dtype, name, "stateless_random_poisson")


def stateless_binomial(shape, seed, counts, probs, output_dtype=dtypes.int32, name=None):
    """`tf.random.stateless_binomial(shape, seed, counts, probs, output_dtype=tf.int32)`: the number of
    successes in `counts` trials of probability `probs`, samples of `shape`."""
    probs = convert_to_tensor(probs, dtype=dtypes.float32 if not is_tensor_like(probs) else None, name="probs")
    counts = convert_to_tensor(counts, dtype=probs.dtype if not is_tensor_like(counts) else None, name="counts")
    return _sampler("StatelessRandomBinomial", shape, seed, [counts, probs], output_dtype, name,
                    "stateless_random_binomial")


def stateless_parameterized_truncated_normal(shape, seed, means=0.0, stddevs=1.0, minvals=-2.0, maxvals=2.0,
                                             name=None):
    """`tf.random.stateless_parameterized_truncated_normal(shape, seed, means=0.0, stddevs=1.0,
    minvals=-2.0, maxvals=2.0)`: normal samples restricted to [minvals, maxvals] (parameters broadcast to
    the trailing dimensions of `shape`), in the means' dtype (float32 for Python numbers)."""
    means = convert_to_tensor(means, dtype=dtypes.float32 if not is_tensor_like(means) else None, name="means")
    dtype = _require_float(means.dtype, "stateless_parameterized_truncated_normal")
    parameters = [means] + [_float_param(v, dtype, n) for v, n in ((stddevs, "stddevs"), (minvals, "minvals"),
                                                                    (maxvals, "maxvals"))]
    return _sampler("StatelessParameterizedTruncatedNormal", shape, seed, parameters, dtype, name,
                    "stateless_parameterized_truncated_normal")


def stateless_categorical(logits, num_samples, seed, dtype=dtypes.int64, name=None):
    """`tf.random.stateless_categorical(logits, num_samples, seed, dtype=tf.int64)`: [batch, num_samples]
    class indices drawn from the rows of unnormalized log-probabilities `logits`."""
    with name_scope(name, "stateless_categorical", [logits, seed]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        samples = convert_to_tensor(num_samples, dtype=dtypes.int32, name="num_samples")
        return make_tensor("StatelessMultinomial", [logits, samples, _seed(seed)],
                           {"output_dtype": dtypes.as_dtype(dtype)}, name=scope)


def stateless_multinomial(logits, num_samples, seed, output_dtype=dtypes.int64, name=None):
    """`tf.random.stateless_multinomial(logits, num_samples, seed, output_dtype=tf.int64)`: the TF 1 name
    of stateless_categorical."""
    return stateless_categorical(logits, num_samples, seed, output_dtype, name or "stateless_multinomial")


@register
class StatelessSplitSeed(OpDef):
    """`num` new [2] seeds derived from a seed (numflow's derivation; TF's uses Philox)."""

    differentiable = False
    host_only = True    # seed arithmetic with NumPy's generator on the host

    def infer(self, op):
        seed = op.inputs[0]
        _check_seed(seed)
        return [(seed.dtype, TensorShape([op.attrs["num"], 2]))]

    def kernel(self, op, ctx):
        count = op.attrs["num"]
        fold = op.attrs.get("fold")

        def derive(seed):
            dtype = np.asarray(seed).dtype
            base = [int(s) & 0xFFFFFFFFFFFFFFFF for s in np.reshape(seed, [-1])]
            rng = np.random.default_rng(base + ([int(fold) & 0xFFFFFFFFFFFFFFFF] if fold is not None else []))
            return rng.integers(0, np.iinfo(dtype).max, (count, 2), dtype=dtype, endpoint=True)
        return derive


def split(seed, num=2, alg="auto_select"):
    """`tf.random.split(seed, num=2)`: a [num, 2] tensor of new seeds derived from `seed`, for stateless
    ops that need independent streams; deterministic in the seed."""
    del alg
    if int(num) <= 0:
        raise ValueError("num must be positive, got %d" % num)
    return make_tensor("StatelessSplitSeed", [_seed(seed)], {"num": int(num), "fold": None}, name="split")


def fold_in(seed, data, alg="auto_select"):
    """`tf.random.fold_in(seed, data)`: a new [2] seed combining `seed` with the integer `data` (a step
    number, a replica id ...); different data give independent seeds."""
    del alg
    from .array import reshape
    if is_tensor_like(data):
        raise TypeError("fold_in here takes data as a Python integer")
    derived = make_tensor("StatelessSplitSeed", [_seed(seed)], {"num": 1, "fold": int(data)}, name="fold_in")
    return reshape(derived, [2])
