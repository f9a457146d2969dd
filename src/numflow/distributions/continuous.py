"""Scalar continuous distributions: Normal, Laplace, Uniform, StudentT, Gamma, Exponential, Beta."""
import math

import numpy as np

import numflow as tf
from .distribution import (FULLY_REPARAMETERIZED, Distribution, broadcast_static_shape,
                           nan_where, positive_checks, sub_seed, with_checks)
from .kullback_leibler import RegisterKL


def convert_parameters(names_and_values, checks_of):
    """Parameters as tensors of one float dtype (the first's); `checks_of(tensors)` gives the
    `validate_args` assertions every parameter then depends on."""
    # As TF's common dtype: the first tensor (or float array) decides; Python numbers follow it.
    dtype = None
    for _, value in names_and_values:
        if isinstance(value, tf.Tensor) or (isinstance(value, (np.ndarray, np.floating)) and value.dtype.kind == "f"):
            dtype = tf.as_dtype(value.dtype)
            break
    tensors = []
    for name, value in names_and_values:
        tensors.append(tf.convert_to_tensor(value, dtype=dtype, name=name))
        dtype = tensors[0].dtype
    checks = checks_of(tensors)
    return [with_checks(checks, t) for t in tensors]


def log_ndtr(z, lower_segment=-5.0):
    """log of the standard normal cdf, finite far into the lower tail: below `lower_segment` the
    asymptotic series log(phi(z) / -z * (1 - 1/z^2 + 3/z^4 - 15/z^6 + 105/z^8)) replaces log(erfc),
    which underflows (float32 near z = -13)."""
    in_tail = z < lower_segment
    # Each branch sees only inputs it is accurate for, so neither feeds NaN into the other's gradient.
    z_central = tf.where(in_tail, tf.zeros_like(z), z)
    z_tail = tf.where(in_tail, z, lower_segment * tf.ones_like(z))
    # Above 0, log1p(-upper tail) keeps the digits that log(1 - tiny) would round away.
    positive = z_central > 0.0
    z_upper = tf.where(positive, z_central, tf.zeros_like(z))
    z_lower = tf.where(positive, tf.zeros_like(z), z_central)
    central = tf.where(positive, tf.log1p(-0.5 * tf.erfc(z_upper / math.sqrt(2.0))),
                       tf.log(0.5 * tf.erfc(-z_lower / math.sqrt(2.0))))
    inverse_square = 1.0 / tf.square(z_tail)
    series = 1.0 + inverse_square * (-1.0 + inverse_square * (3.0 + inverse_square * (-15.0 + inverse_square * 105.0)))
    tail = (-0.5 * tf.square(z_tail) - tf.log(-z_tail) - 0.5 * math.log(2.0 * math.pi) + tf.log(series))
    return tf.where(in_tail, tail, central)


class ScalarBatchDistribution(Distribution):
    """A distribution whose batch shape is the broadcast of its parameters' shapes and whose events
    are scalars."""

    _batch_parameters = ()

    def _batch_shape(self):
        return broadcast_static_shape(*[p.shape for p in self._batch_parameters])

    def _zeros(self):
        total = tf.zeros_like(self._batch_parameters[0])
        for parameter in self._batch_parameters[1:]:
            total = total + tf.zeros_like(parameter)
        return total

    def _batch_shape_tensor(self):
        return tf.shape(self._zeros())

    def _uniform_noise(self, n, seed, salt, minval=0.0):
        """U(minval, 1) of shape [n] + batch_shape, never exactly minval."""
        tiny = np.finfo(self._dtype.as_numpy_dtype).tiny
        return tf.random_uniform(self._batch_event_sample_shape(n), minval=minval + tiny, maxval=1.0,
                                 dtype=self._dtype, seed=sub_seed(seed, salt))


class Normal(ScalarBatchDistribution):
    """`tf.distributions.Normal(loc, scale, validate_args=False, allow_nan_stats=True, name="Normal")`:
    density exp(-(x - loc)^2 / (2 scale^2)) / (sqrt(2 pi) scale); samples are loc + scale * N(0, 1)."""

    _param_names = ("loc", "scale")

    def __init__(self, loc, scale, validate_args=False, allow_nan_stats=True, name="Normal"):
        parameters = dict(locals())
        with tf.name_scope(name, values=[loc, scale]) as scope:
            self._loc, self._scale = convert_parameters(
                [("loc", loc), ("scale", scale)],
                lambda t: positive_checks(validate_args, [("scale", t[1])]))
        self._batch_parameters = (self._loc, self._scale)
        super(Normal, self).__init__(self._loc.dtype, FULLY_REPARAMETERIZED, validate_args, allow_nan_stats,
                                     parameters, [self._loc, self._scale], scope)

    @property
    def loc(self):
        """The mean."""
        return self._loc

    @property
    def scale(self):
        """The standard deviation."""
        return self._scale

    def _sample_n(self, n, seed):
        noise = tf.random_normal(self._batch_event_sample_shape(n), dtype=self._dtype, seed=seed)
        return self._loc + self._scale * noise

    def _z(self, x):
        return (x - self._loc) / self._scale

    def _log_prob(self, x):
        return -0.5 * tf.square(self._z(x)) - tf.log(self._scale) - 0.5 * math.log(2.0 * math.pi)

    def _cdf(self, x):
        return 0.5 * tf.erfc(-self._z(x) / math.sqrt(2.0))

    def _survival_function(self, x):
        return 0.5 * tf.erfc(self._z(x) / math.sqrt(2.0))

    def _log_cdf(self, x):
        return log_ndtr(self._z(x))

    def _log_survival_function(self, x):
        return log_ndtr(-self._z(x))

    def _quantile(self, p):
        return self._loc + self._scale * math.sqrt(2.0) * tf.math.erfinv(2.0 * p - 1.0)

    def _mean(self):
        return self._loc + tf.zeros_like(self._scale)

    _mode = _mean

    def _stddev(self):
        return self._scale + tf.zeros_like(self._loc)

    def _entropy(self):
        return 0.5 * math.log(2.0 * math.pi * math.e) + tf.log(self._stddev())


@RegisterKL(Normal, Normal)
def _kl_normal_normal(a, b, name=None):
    """KL between two Normals: log(sb/sa) + (sa^2 + (ma - mb)^2) / (2 sb^2) - 1/2."""
    with tf.name_scope(name or "kl_normal_normal"):
        ratio = tf.square(a.scale / b.scale)
        return 0.5 * (ratio - 1.0 - tf.log(ratio)) + 0.5 * tf.square((a.loc - b.loc) / b.scale)


class Laplace(ScalarBatchDistribution):
    """`tf.distributions.Laplace(loc, scale, validate_args=False, allow_nan_stats=True, name="Laplace")`:
    density exp(-|x - loc| / scale) / (2 scale)."""

    _param_names = ("loc", "scale")

    def __init__(self, loc, scale, validate_args=False, allow_nan_stats=True, name="Laplace"):
        parameters = dict(locals())
        with tf.name_scope(name, values=[loc, scale]) as scope:
            self._loc, self._scale = convert_parameters(
                [("loc", loc), ("scale", scale)],
                lambda t: positive_checks(validate_args, [("scale", t[1])]))
        self._batch_parameters = (self._loc, self._scale)
        super(Laplace, self).__init__(self._loc.dtype, FULLY_REPARAMETERIZED, validate_args, allow_nan_stats,
                                      parameters, [self._loc, self._scale], scope)

    @property
    def loc(self):
        """The location (mean, median and mode)."""
        return self._loc

    @property
    def scale(self):
        """The scale (stddev / sqrt(2))."""
        return self._scale

    def _sample_n(self, n, seed):
        # Inverse cdf of a symmetric uniform draw on (-1, 1) that never hits -1 (log1p(-1) = -inf).
        u = self._uniform_noise(n, seed, "laplace", minval=-1.0)
        return self._loc - self._scale * tf.sign(u) * tf.log1p(-tf.abs(u))

    def _log_prob(self, x):
        return -math.log(2.0) - tf.log(self._scale) - tf.abs(x - self._loc) / self._scale

    def _cdf(self, x):
        z = (x - self._loc) / self._scale
        return 0.5 - 0.5 * tf.sign(z) * tf.expm1(-tf.abs(z))

    def _mean(self):
        return self._loc + tf.zeros_like(self._scale)

    _mode = _mean

    def _stddev(self):
        return math.sqrt(2.0) * self._scale + tf.zeros_like(self._loc)

    def _entropy(self):
        return math.log(2.0) + 1.0 + tf.log(self._scale) + tf.zeros_like(self._loc)


class Uniform(ScalarBatchDistribution):
    """`tf.distributions.Uniform(low=0., high=1., validate_args=False, allow_nan_stats=True,
    name="Uniform")`: constant density 1 / (high - low) on [low, high)."""

    _param_names = ("low", "high")

    def __init__(self, low=0.0, high=1.0, validate_args=False, allow_nan_stats=True, name="Uniform"):
        parameters = dict(locals())

        def checks(tensors):
            if not validate_args:
                return []
            return [tf.assert_less(tensors[0], tensors[1], message="uniform not defined when low >= high.")]
        with tf.name_scope(name, values=[low, high]) as scope:
            self._low, self._high = convert_parameters([("low", low), ("high", high)], checks)
        self._batch_parameters = (self._low, self._high)
        super(Uniform, self).__init__(self._low.dtype, FULLY_REPARAMETERIZED, validate_args, allow_nan_stats,
                                      parameters, [self._low, self._high], scope)

    @property
    def low(self):
        """The lower bound (inclusive)."""
        return self._low

    @property
    def high(self):
        """The upper bound (exclusive)."""
        return self._high

    def range(self, name="range"):
        """high - low."""
        with tf.name_scope(self._name):
            return tf.identity(self._high - self._low, name=name)

    def _sample_n(self, n, seed):
        u = tf.random_uniform(self._batch_event_sample_shape(n), dtype=self._dtype, seed=seed)
        return self._low + (self._high - self._low) * u

    def _prob(self, x):
        outside = tf.logical_or(x < self._low, x >= self._high)
        density = tf.ones_like(x) / (self._high - self._low)
        return tf.where(outside, tf.zeros_like(density), density)

    def _log_prob(self, x):
        outside = tf.logical_or(x < self._low, x >= self._high)
        log_density = -tf.log(self._high - self._low) + tf.zeros_like(x)
        return tf.where(outside, tf.fill(tf.shape(log_density), np.array(-np.inf, self._dtype.as_numpy_dtype)),
                        log_density)

    def _cdf(self, x):
        fraction = (x - self._low) / (self._high - self._low)
        return tf.clip_by_value(fraction, 0.0, 1.0)

    def _mean(self):
        return (self._low + self._high) / 2.0

    def _variance(self):
        return tf.square(self._high - self._low) / 12.0

    def _entropy(self):
        return tf.log(self._high - self._low)


class StudentT(ScalarBatchDistribution):
    """`tf.distributions.StudentT(df, loc, scale, validate_args=False, allow_nan_stats=True,
    name="StudentT")`: Student's t with `df` degrees of freedom, shifted by `loc`, scaled by `scale`."""

    _param_names = ("df", "loc", "scale")

    def __init__(self, df, loc, scale, validate_args=False, allow_nan_stats=True, name="StudentT"):
        parameters = dict(locals())
        with tf.name_scope(name, values=[df, loc, scale]) as scope:
            self._df, self._loc, self._scale = convert_parameters(
                [("df", df), ("loc", loc), ("scale", scale)],
                lambda t: positive_checks(validate_args, [("df", t[0])]))
        self._batch_parameters = (self._df, self._loc, self._scale)
        super(StudentT, self).__init__(self._df.dtype, FULLY_REPARAMETERIZED, validate_args, allow_nan_stats,
                                       parameters, [self._df, self._loc, self._scale], scope)

    @property
    def df(self):
        """Degrees of freedom."""
        return self._df

    @property
    def loc(self):
        """The location."""
        return self._loc

    @property
    def scale(self):
        """The scale."""
        return self._scale

    def _sample_n(self, n, seed):
        # t = N(0, 1) / sqrt(chi2(df) / df), with chi2(df) = Gamma(df / 2, rate 1/2).
        shape = self._batch_event_sample_shape(n)
        normal = tf.random_normal(shape, dtype=self._dtype, seed=sub_seed(seed, "student_t_normal"))
        half_df = 0.5 * self._df + self._zeros()
        gamma = tf.random_gamma(tf.reshape(n, [1]), half_df, 0.5, dtype=self._dtype,
                                seed=sub_seed(seed, "student_t_gamma"))
        return self._loc + self._scale * normal * tf.rsqrt(gamma / self._df)

    def _log_prob(self, x):
        y = (x - self._loc) / self._scale
        half_df_plus_half = 0.5 * (self._df + 1.0)
        return (tf.lgamma(half_df_plus_half) - tf.lgamma(0.5 * self._df) - 0.5 * tf.log(self._df * math.pi)
                - tf.log(tf.abs(self._scale)) - half_df_plus_half * tf.log1p(tf.square(y) / self._df))

    def _cdf(self, x):
        y = (x - self._loc) / self._scale
        tail = 0.5 * tf.betainc(0.5 * self._df + tf.zeros_like(y), 0.5 + tf.zeros_like(y),
                                self._df / (self._df + tf.square(y)))
        return tf.where(y < 0.0, tail, 1.0 - tail)

    def _mean(self):
        mean = self._loc + tf.zeros_like(self._df) + tf.zeros_like(self._scale)
        return nan_where(self._df + tf.zeros_like(mean) <= 1.0, mean, self._allow_nan_stats,
                         "mean not defined for components of df <= 1")

    def _mode(self):
        return self._loc + tf.zeros_like(self._df) + tf.zeros_like(self._scale)

    def _variance(self):
        df = self._df + self._zeros()
        finite = tf.square(self._scale) * df / (df - 2.0)
        variance = tf.where(df > 2.0, finite, tf.fill(tf.shape(df), np.array(np.inf, df.dtype.as_numpy_dtype)))
        return nan_where(df <= 1.0, variance, self._allow_nan_stats,
                         "variance not defined for components of df <= 1")

    def _entropy(self):
        half_df = 0.5 * self._df
        half_df_plus_half = half_df + 0.5
        return ((half_df_plus_half * (tf.digamma(half_df_plus_half) - tf.digamma(half_df)))
                + 0.5 * tf.log(self._df) + tf.lgamma(half_df) + math.lgamma(0.5) - tf.lgamma(half_df_plus_half)
                + tf.log(tf.abs(self._scale)) + tf.zeros_like(self._loc))


class Gamma(ScalarBatchDistribution):
    """`tf.distributions.Gamma(concentration, rate, validate_args=False, allow_nan_stats=True,
    name="Gamma")`: density rate^a x^(a-1) exp(-rate x) / Gamma(a) for x > 0.

    Reported FULLY_REPARAMETERIZED as in TF, but numflow's RandomGamma has no gradient, so samples
    (and those of Beta, Dirichlet and StudentT built on it) are constants to `tf.gradients`."""

    _param_names = ("concentration", "rate")

    def __init__(self, concentration, rate, validate_args=False, allow_nan_stats=True, name="Gamma"):
        parameters = dict(locals())
        with tf.name_scope(name, values=[concentration, rate]) as scope:
            # (Exponential passes its own, already open, scope ending in "/", which reopens it.)
            self._concentration, self._rate = convert_parameters(
                [("concentration", concentration), ("rate", rate)],
                lambda t: positive_checks(validate_args, [("concentration", t[0]), ("rate", t[1])]))
        self._batch_parameters = (self._concentration, self._rate)
        super(Gamma, self).__init__(self._concentration.dtype, FULLY_REPARAMETERIZED, validate_args,
                                    allow_nan_stats, parameters, [self._concentration, self._rate],
                                    scope)

    @property
    def concentration(self):
        """The shape parameter alpha."""
        return self._concentration

    @property
    def rate(self):
        """The inverse scale beta."""
        return self._rate

    def _sample_n(self, n, seed):
        return tf.random_gamma(tf.reshape(n, [1]), self._concentration + tf.zeros_like(self._rate),
                               self._rate + tf.zeros_like(self._concentration), dtype=self._dtype, seed=seed)

    def _log_prob(self, x):
        a = self._concentration
        return (tf.math.xlogy(a - 1.0, x) - self._rate * x - tf.lgamma(a) + a * tf.log(self._rate))

    def _cdf(self, x):
        return tf.igamma(self._concentration + tf.zeros_like(x), self._rate * x)

    def _mean(self):
        return self._concentration / self._rate

    def _variance(self):
        return self._concentration / tf.square(self._rate)

    def _mode(self):
        mode = (self._concentration - 1.0) / self._rate
        return nan_where(self._concentration + tf.zeros_like(mode) < 1.0, mode, self._allow_nan_stats,
                         "mode not defined when any concentration <= 1")

    def _entropy(self):
        a = self._concentration
        return a - tf.log(self._rate) + tf.lgamma(a) + (1.0 - a) * tf.digamma(a)


@RegisterKL(Gamma, Gamma)
def _kl_gamma_gamma(a, b, name=None):
    """KL between two Gammas (concentration a, rate r) in closed form."""
    with tf.name_scope(name or "kl_gamma_gamma"):
        ca, cb, ra, rb = a.concentration, b.concentration, a.rate, b.rate
        return ((ca - cb) * tf.digamma(ca) + tf.lgamma(cb) - tf.lgamma(ca) + cb * (tf.log(ra) - tf.log(rb))
                + ca * (rb / ra - 1.0))


class Exponential(Gamma):
    """`tf.distributions.Exponential(rate, validate_args=False, allow_nan_stats=True,
    name="Exponential")`: density rate exp(-rate x) for x >= 0 (a Gamma with concentration 1)."""

    _param_names = ("rate",)

    def __init__(self, rate, validate_args=False, allow_nan_stats=True, name="Exponential"):
        parameters = dict(locals())
        with tf.name_scope(name, values=[rate]) as scope:
            rate = tf.convert_to_tensor(rate, name="rate")
            super(Exponential, self).__init__(tf.ones_like(rate), rate, validate_args, allow_nan_stats,
                                              name=scope)
        self._parameters = {key: value for key, value in parameters.items()
                            if key != "self" and not key.startswith("__")}

    def _sample_n(self, n, seed):
        # -log(U) / rate: the inverse cdf, with U in (tiny, 1) so the log stays finite.
        return -tf.log(self._uniform_noise(n, seed, "exponential")) / self._rate

    def _log_prob(self, x):
        return tf.log(self._rate) - self._rate * x

    def _cdf(self, x):
        return -tf.expm1(-self._rate * x)

    def _mode(self):
        return tf.zeros_like(self._rate)


class Beta(ScalarBatchDistribution):
    """`tf.distributions.Beta(concentration1=None, concentration0=None, validate_args=False,
    allow_nan_stats=True, name="Beta")`: density x^(c1-1) (1-x)^(c0-1) / B(c1, c0) on (0, 1)."""

    _param_names = ("concentration1", "concentration0")

    def __init__(self, concentration1=None, concentration0=None, validate_args=False, allow_nan_stats=True,
                 name="Beta"):
        parameters = dict(locals())
        with tf.name_scope(name, values=[concentration1, concentration0]) as scope:
            self._concentration1, self._concentration0 = convert_parameters(
                [("concentration1", concentration1), ("concentration0", concentration0)],
                lambda t: positive_checks(validate_args, [("concentration1", t[0]), ("concentration0", t[1])]))
            self._total_concentration = self._concentration1 + self._concentration0
        self._batch_parameters = (self._concentration1, self._concentration0)
        super(Beta, self).__init__(self._concentration1.dtype, FULLY_REPARAMETERIZED, validate_args,
                                   allow_nan_stats, parameters, [self._concentration1, self._concentration0],
                                   scope)

    @property
    def concentration1(self):
        """The exponent of x (alpha)."""
        return self._concentration1

    @property
    def concentration0(self):
        """The exponent of 1 - x (beta)."""
        return self._concentration0

    @property
    def total_concentration(self):
        """concentration1 + concentration0."""
        return self._total_concentration

    def _sample_n(self, n, seed):
        # X / (X + Y) with X ~ Gamma(c1), Y ~ Gamma(c0) is Beta(c1, c0).
        zeros = self._zeros()
        shape = tf.reshape(n, [1])
        x = tf.random_gamma(shape, self._concentration1 + zeros, dtype=self._dtype, seed=sub_seed(seed, "beta1"))
        y = tf.random_gamma(shape, self._concentration0 + zeros, dtype=self._dtype, seed=sub_seed(seed, "beta0"))
        return x / (x + y)

    def _log_prob(self, x):
        c1, c0 = self._concentration1, self._concentration0
        return (tf.math.xlogy(c1 - 1.0, x) + (c0 - 1.0) * tf.log1p(-x)
                - (tf.lgamma(c1) + tf.lgamma(c0) - tf.lgamma(self._total_concentration)))

    def _cdf(self, x):
        zeros = self._zeros() + tf.zeros_like(x)
        return tf.betainc(self._concentration1 + zeros, self._concentration0 + zeros, x + zeros)

    def _mean(self):
        return self._concentration1 / self._total_concentration

    def _variance(self):
        mean = self._mean()
        return mean * (1.0 - mean) / (1.0 + self._total_concentration)

    def _mode(self):
        mode = (self._concentration1 - 1.0) / (self._total_concentration - 2.0)
        undefined = tf.logical_or(self._concentration1 + tf.zeros_like(mode) <= 1.0,
                                  self._concentration0 + tf.zeros_like(mode) <= 1.0)
        return nan_where(undefined, mode, self._allow_nan_stats,
                         "Mode undefined for concentration1 <= 1 or concentration0 <= 1.")

    def _entropy(self):
        c1, c0, total = self._concentration1, self._concentration0, self._total_concentration
        return (tf.lgamma(c1) + tf.lgamma(c0) - tf.lgamma(total) - (c1 - 1.0) * tf.digamma(c1)
                - (c0 - 1.0) * tf.digamma(c0) + (total - 2.0) * tf.digamma(total))


@RegisterKL(Beta, Beta)
def _kl_beta_beta(a, b, name=None):
    """KL between two Betas in closed form."""
    with tf.name_scope(name or "kl_beta_beta"):
        def log_beta(c1, c0):
            return tf.lgamma(c1) + tf.lgamma(c0) - tf.lgamma(c1 + c0)
        return (log_beta(b.concentration1, b.concentration0) - log_beta(a.concentration1, a.concentration0)
                + (a.concentration1 - b.concentration1) * tf.digamma(a.concentration1)
                + (a.concentration0 - b.concentration0) * tf.digamma(a.concentration0)
                + (b.total_concentration - a.total_concentration) * tf.digamma(a.total_concentration))


__all__ = ["Normal", "Laplace", "Uniform", "StudentT", "Gamma", "Exponential", "Beta"]
