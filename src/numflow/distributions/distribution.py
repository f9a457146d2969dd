"""`tf.distributions.Distribution`: the base class of TF1's probability distributions, built from graph ops
so every statistic is a differentiable tensor."""
import zlib

import numpy as np

import numflow as tf
from ..framework.tensor_shape import TensorShape


class ReparameterizationType(object):
    """`tf.distributions.ReparameterizationType`: whether samples are a differentiable function of the
    parameters (`FULLY_REPARAMETERIZED`) or not (`NOT_REPARAMETERIZED`)."""

    def __init__(self, rep_type):
        self._rep_type = rep_type

    def __repr__(self):
        return "<Reparameterization Type: %s>" % self._rep_type

    def __eq__(self, other):
        return self is other

    def __hash__(self):
        return hash(self._rep_type)


FULLY_REPARAMETERIZED = ReparameterizationType("FULLY_REPARAMETERIZED")
NOT_REPARAMETERIZED = ReparameterizationType("NOT_REPARAMETERIZED")


def sub_seed(seed, salt):
    """A distinct, reproducible op seed per random op a sampler uses (None stays None)."""
    if seed is None:
        return None
    return (int(seed) * 1000003 + zlib.crc32(salt.encode())) % (2 ** 31 - 1)


def broadcast_static_shape(*shapes):
    """NumPy broadcasting of static shapes; unknown when any rank is unknown."""
    shapes = [TensorShape(s) for s in shapes]
    if any(s.ndims is None for s in shapes):
        return TensorShape(None)
    rank = max([s.ndims for s in shapes] + [0])
    result = []
    for axis in range(rank):
        dims = [s.as_list()[axis - rank + s.ndims] for s in shapes if axis - rank + s.ndims >= 0]
        known = set(d for d in dims if d is not None and d != 1)
        if len(known) > 1:
            raise ValueError("Incompatible shapes for broadcasting: %s" % ", ".join(str(s) for s in shapes))
        if known:
            result.append(known.pop())
        elif None in dims:
            result.append(None)
        else:
            result.append(1)
    return TensorShape(result)


def positive_checks(validate_args, named_tensors):
    """`assert_positive` ops for each (name, tensor) when `validate_args`, else []."""
    if not validate_args:
        return []
    return [tf.assert_positive(t, message="Argument `%s` must be positive." % name) for name, t in named_tensors]


def with_checks(checks, tensor):
    """`tensor` made to depend on the assertion ops in `checks`."""
    if not checks:
        return tf.identity(tensor)
    with tf.control_dependencies(checks):
        return tf.identity(tensor)


def nan_where(condition, value, allow_nan_stats, message):
    """`value` with NaN where `condition` holds; with `allow_nan_stats=False` an assertion instead."""
    if allow_nan_stats:
        return tf.where(condition, tf.fill(tf.shape(value), np.array(np.nan, value.dtype.as_numpy_dtype)), value)
    check = tf.assert_equal(tf.reduce_any(condition), False, message=message)
    return with_checks([check], value)


class Distribution(object):
    """`tf.distributions.Distribution`: a batch of probability distributions.

    Subclasses implement `_batch_shape`, `_batch_shape_tensor`, `_sample_n` and the `_log_prob`, `_cdf`,
    `_mean`, ... they support; the public methods open a name scope, convert arguments to tensors of the
    distribution's dtype, and fall back on each other (`prob` = exp(`log_prob`), `survival_function` =
    1 - `cdf`, `stddev` = sqrt(`variance`) ...)."""

    def __init__(self, dtype, reparameterization_type, validate_args, allow_nan_stats, parameters=None,
                 graph_parents=None, name=None):
        self._dtype = dtype
        self._reparameterization_type = reparameterization_type
        self._validate_args = validate_args
        self._allow_nan_stats = allow_nan_stats
        # A subclass passes dict(locals()): drop `self` and the `__class__` cell that super() adds.
        self._parameters = {key: value for key, value in (parameters or {}).items()
                            if key != "self" and not key.startswith("__")}
        self._graph_parents = list(graph_parents or [])
        self._name = name

    # --- properties --------------------------------------------------------------------------------
    @property
    def name(self):
        """The name scope prefix of this distribution's ops."""
        return self._name

    @property
    def dtype(self):
        """The `DType` of samples."""
        return self._dtype

    @property
    def parameters(self):
        """The constructor's arguments, as a dict."""
        return dict(self._parameters)

    @property
    def reparameterization_type(self):
        """`FULLY_REPARAMETERIZED` or `NOT_REPARAMETERIZED`."""
        return self._reparameterization_type

    @property
    def validate_args(self):
        """Whether arguments are checked at run time."""
        return self._validate_args

    @property
    def allow_nan_stats(self):
        """Whether undefined statistics are NaN (True) or an error (False)."""
        return self._allow_nan_stats

    @property
    def batch_shape(self):
        """The static `TensorShape` of the batch of distributions."""
        return self._batch_shape()

    @property
    def event_shape(self):
        """The static `TensorShape` of one sample of one distribution."""
        return self._event_shape()

    def _event_shape(self):
        return TensorShape([])

    def _event_shape_tensor(self):
        return tf.constant([], dtype=tf.int32)

    def batch_shape_tensor(self, name="batch_shape_tensor"):
        """The batch shape as a 1-D int32 tensor."""
        with tf.name_scope(self._name):
            with tf.name_scope(name):
                return self._batch_shape_tensor()

    def event_shape_tensor(self, name="event_shape_tensor"):
        """The event shape as a 1-D int32 tensor."""
        with tf.name_scope(self._name):
            with tf.name_scope(name):
                return self._event_shape_tensor()

    def is_scalar_event(self, name="is_scalar_event"):
        """Whether the event shape is []."""
        return tf.constant(self.event_shape.ndims == 0, name=name)

    def is_scalar_batch(self, name="is_scalar_batch"):
        """Whether the batch shape is []."""
        return tf.constant(self.batch_shape.ndims == 0, name=name)

    def copy(self, **override_parameters_kwargs):
        """A new distribution of the same class with some constructor arguments replaced."""
        parameters = dict(self._parameters, **override_parameters_kwargs)
        return type(self)(**parameters)

    # --- parameter shapes --------------------------------------------------------------------------
    _param_names = ()

    @classmethod
    def param_shapes(cls, sample_shape, name="DistributionParamShapes"):
        """The shape of each constructor parameter for `sample()` to return `sample_shape`, as a dict
        of 1-D int32 tensors (implemented for distributions with scalar events)."""
        if not cls._param_names:
            raise NotImplementedError("param_shapes is not implemented: %s" % cls.__name__)
        with tf.name_scope(name):
            if isinstance(sample_shape, TensorShape):
                sample_shape = sample_shape.as_list()
            shape = tf.convert_to_tensor(sample_shape, dtype=tf.int32, name="sample_shape")
            return {param: tf.identity(shape, name=param) for param in cls._param_names}

    @classmethod
    def param_static_shapes(cls, sample_shape):
        """`param_shapes` as static `TensorShape`s; `sample_shape` must be fully known."""
        if isinstance(sample_shape, TensorShape):
            if not sample_shape.is_fully_defined():
                raise ValueError("TensorShape sample_shape must be fully defined")
            sample_shape = sample_shape.as_list()
        if isinstance(sample_shape, tf.Tensor):
            raise ValueError("sample_shape must be a fully-defined TensorShape or list/tuple")
        shapes = cls.param_shapes(sample_shape)
        return {param: TensorShape(list(sample_shape)) for param in shapes}

    # --- sampling ----------------------------------------------------------------------------------
    def sample(self, sample_shape=(), seed=None, name="sample"):
        """Samples of shape `sample_shape + batch_shape + event_shape`."""
        with tf.name_scope(self._name):
            with tf.name_scope(name):
                static_sample_shape = None
                if not isinstance(sample_shape, tf.Tensor):
                    static_sample_shape = [int(d) for d in np.reshape(np.asarray(sample_shape), [-1])]
                sample_shape = tf.reshape(tf.cast(sample_shape, tf.int32), [-1], name="sample_shape")
                n = tf.reduce_prod(sample_shape)
                samples = self._sample_n(n, seed)
                result = tf.reshape(samples, tf.concat([sample_shape, tf.shape(samples)[1:]], 0))
                if static_sample_shape is not None:
                    result.set_shape(TensorShape(static_sample_shape).concatenate(self.batch_shape)
                                     .concatenate(self.event_shape))
                return result

    def _sample_n(self, n, seed):
        raise NotImplementedError("sample_n is not implemented: %s" % type(self).__name__)

    def _batch_event_sample_shape(self, n):
        """[n] + batch_shape + event_shape as a 1-D int32 tensor."""
        return tf.concat([tf.reshape(n, [1]), self._batch_shape_tensor(), self._event_shape_tensor()], 0)

    # --- statistics --------------------------------------------------------------------------------
    def _call(self, method, name, value=None):
        with tf.name_scope(self._name):
            with tf.name_scope(name):
                if value is None:
                    return method()
                return method(tf.convert_to_tensor(value, dtype=self._dtype, name="value"))

    def _implements(self, method):
        return getattr(type(self), method) is not getattr(Distribution, method)

    def _not_implemented(self, what):
        raise NotImplementedError("%s is not implemented: %s" % (what, type(self).__name__))

    def log_prob(self, value, name="log_prob"):
        """Log probability (density or mass) of `value`."""
        if self._implements("_log_prob"):
            return self._call(self._log_prob, name, value)
        return self._call(lambda v: tf.log(self._prob(v)), name, value)

    def prob(self, value, name="prob"):
        """Probability (density or mass) of `value`."""
        if self._implements("_prob"):
            return self._call(self._prob, name, value)
        return self._call(lambda v: tf.exp(self._log_prob(v)), name, value)

    def cdf(self, value, name="cdf"):
        """P[X <= value]."""
        if self._implements("_cdf"):
            return self._call(self._cdf, name, value)
        return self._call(lambda v: tf.exp(self._log_cdf(v)), name, value)

    def log_cdf(self, value, name="log_cdf"):
        """log P[X <= value]."""
        if self._implements("_log_cdf"):
            return self._call(self._log_cdf, name, value)
        return self._call(lambda v: tf.log(self._cdf(v)), name, value)

    def survival_function(self, value, name="survival_function"):
        """P[X > value] = 1 - cdf(value)."""
        if self._implements("_survival_function"):
            return self._call(self._survival_function, name, value)
        return self._call(lambda v: 1.0 - self._cdf(v), name, value)

    def log_survival_function(self, value, name="log_survival_function"):
        """log P[X > value]."""
        if self._implements("_log_survival_function"):
            return self._call(self._log_survival_function, name, value)
        return self._call(lambda v: tf.log1p(-self._cdf(v)), name, value)

    def quantile(self, value, name="quantile"):
        """The inverse of `cdf`."""
        return self._call(self._quantile, name, value)

    def mean(self, name="mean"):
        """The mean."""
        return self._call(self._mean, name)

    def mode(self, name="mode"):
        """The mode."""
        return self._call(self._mode, name)

    def variance(self, name="variance"):
        """The variance."""
        if self._implements("_variance"):
            return self._call(self._variance, name)
        return self._call(lambda: tf.square(self._stddev()), name)

    def stddev(self, name="stddev"):
        """The standard deviation."""
        if self._implements("_stddev"):
            return self._call(self._stddev, name)
        return self._call(lambda: tf.sqrt(self._variance()), name)

    def entropy(self, name="entropy"):
        """Shannon entropy in nats."""
        return self._call(self._entropy, name)

    def covariance(self, name="covariance"):
        """The covariance (the variance for scalar events)."""
        return self._call(self._covariance, name)

    def kl_divergence(self, other, name="kl_divergence"):
        """KL[self || other], from the registered `RegisterKL` function."""
        from .kullback_leibler import kl_divergence
        with tf.name_scope(self._name):
            return kl_divergence(self, other, allow_nan_stats=self._allow_nan_stats, name=name)

    def cross_entropy(self, other, name="cross_entropy"):
        """H[self, other] = entropy(self) + KL[self || other]."""
        with tf.name_scope(self._name):
            with tf.name_scope(name):
                return self._entropy() + self.kl_divergence(other)

    def _log_prob(self, value):
        self._not_implemented("log_prob")

    def _prob(self, value):
        self._not_implemented("prob")

    def _cdf(self, value):
        self._not_implemented("cdf")

    def _log_cdf(self, value):
        self._not_implemented("log_cdf")

    def _survival_function(self, value):
        self._not_implemented("survival_function")

    def _log_survival_function(self, value):
        self._not_implemented("log_survival_function")

    def _quantile(self, value):
        self._not_implemented("quantile")

    def _mean(self):
        self._not_implemented("mean")

    def _mode(self):
        self._not_implemented("mode")

    def _variance(self):
        self._not_implemented("variance")

    def _stddev(self):
        self._not_implemented("stddev")

    def _entropy(self):
        self._not_implemented("entropy")

    def _covariance(self):
        return self._variance()

    def __str__(self):
        return ("tf.distributions.%s(\"%s\", batch_shape=%s, event_shape=%s, dtype=%s)"
                % (type(self).__name__, self._name, self.batch_shape, self.event_shape, self._dtype.name))

    __repr__ = __str__
