"""Discrete distributions: Bernoulli, Categorical, Multinomial, plus the multinomial-count sampler that
Multinomial and DirichletMultinomial share."""
import numpy as np

import numflow as tf
from ..framework.tensor_shape import TensorShape
from .continuous import ScalarBatchDistribution
from .distribution import NOT_REPARAMETERIZED, Distribution, broadcast_static_shape, with_checks
from .kullback_leibler import RegisterKL


def check_class_axis(tensor, name, multidimensional):
    """ValueError unless a class-indexed parameter has a last (class) axis."""
    if multidimensional and tensor.shape.ndims == 0:
        raise ValueError("%s must have rank at least one." % name)


def logits_and_probs(logits, probs, validate_args, multidimensional, dtype=None):
    """(logits, probs) from exactly one of them; probs are softmax (or sigmoid) of logits and logits
    are log(probs) (or log(p / (1 - p)))."""
    if (logits is None) == (probs is None):
        raise ValueError("Must pass probs or logits, but not both.")
    if probs is None:
        logits = tf.convert_to_tensor(logits, dtype=dtype, name="logits")
        check_class_axis(logits, "logits", multidimensional)
        return logits, (tf.nn.softmax(logits, name="probs") if multidimensional
                        else tf.sigmoid(logits, name="probs"))
    probs = tf.convert_to_tensor(probs, dtype=dtype, name="probs")
    check_class_axis(probs, "probs", multidimensional)
    if validate_args:
        checks = [tf.assert_non_negative(probs, message="probs has components less than 0.")]
        if multidimensional:
            tolerance = 10.0 * np.finfo(probs.dtype.as_numpy_dtype).eps * tf.cast(tf.shape(probs)[-1], probs.dtype)
            checks.append(tf.assert_less_equal(tf.abs(tf.reduce_sum(probs, -1) - 1.0), tolerance,
                                               message="probs does not sum to 1."))
        else:
            checks.append(tf.assert_less_equal(probs, tf.ones([], probs.dtype),
                                               message="probs has components greater than 1."))
        probs = with_checks(checks, probs)
    if multidimensional:
        return tf.log(probs, name="logits"), probs
    return tf.log(probs) - tf.log1p(-probs), probs


class Bernoulli(ScalarBatchDistribution):
    """`tf.distributions.Bernoulli(logits=None, probs=None, dtype=tf.int32, validate_args=False,
    allow_nan_stats=True, name="Bernoulli")`: 1 with probability `probs` = sigmoid(`logits`), else 0."""

    _param_names = ("logits",)

    def __init__(self, logits=None, probs=None, dtype=tf.int32, validate_args=False, allow_nan_stats=True,
                 name="Bernoulli"):
        parameters = dict(locals())
        with tf.name_scope(name, values=[logits, probs]) as scope:
            self._logits, self._probs = logits_and_probs(logits, probs, validate_args, False)
        self._batch_parameters = (self._logits,)
        super(Bernoulli, self).__init__(tf.as_dtype(dtype), NOT_REPARAMETERIZED, validate_args, allow_nan_stats,
                                        parameters, [self._logits, self._probs], scope)

    @property
    def logits(self):
        """log(p / (1 - p))."""
        return self._logits

    @property
    def probs(self):
        """P[X = 1]."""
        return self._probs

    def _sample_n(self, n, seed):
        shape = self._batch_event_sample_shape(n)
        u = tf.random_uniform(shape, dtype=self._probs.dtype, seed=seed)
        return tf.cast(u < self._probs, self._dtype)

    def _log_prob(self, x):
        x = tf.cast(x, self._logits.dtype)
        # log p = -softplus(-l), log(1 - p) = -softplus(l): finite for every logit.
        return -(x * tf.nn.softplus(-self._logits) + (1.0 - x) * tf.nn.softplus(self._logits))

    def _cdf(self, x):
        x = tf.cast(x, self._probs.dtype)
        ones = tf.ones_like(x + self._probs)
        return tf.where(x < 0.0, 0.0 * ones, tf.where(x < 1.0, (1.0 - self._probs) * ones, ones))

    def _mean(self):
        return tf.identity(self._probs)

    def _variance(self):
        return self._probs * (1.0 - self._probs)

    def _mode(self):
        return tf.cast(self._probs > 0.5, self._dtype)

    def _entropy(self):
        return tf.nn.softplus(self._logits) - self._probs * self._logits


@RegisterKL(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(a, b, name=None):
    """KL between two Bernoullis: sum over {0, 1} of p_a log(p_a / p_b), from logits."""
    with tf.name_scope(name or "kl_bernoulli_bernoulli"):
        delta_one = tf.nn.softplus(-b.logits) - tf.nn.softplus(-a.logits)
        delta_zero = tf.nn.softplus(b.logits) - tf.nn.softplus(a.logits)
        return a.probs * delta_one + (1.0 - a.probs) * delta_zero


class VectorParameterDistribution(Distribution):
    """A distribution whose last parameter axis indexes classes: batch shape is the parameter's
    shape without it."""

    def _class_parameter(self):
        raise NotImplementedError

    def _batch_shape(self):
        shape = self._class_parameter().shape
        return TensorShape(None) if shape.ndims is None else shape[:-1]

    def _batch_shape_tensor(self):
        return tf.shape(self._class_parameter())[:-1]

    @property
    def event_size(self):
        """The number of classes, as a scalar int32 tensor."""
        return tf.shape(self._class_parameter())[-1]


class Categorical(VectorParameterDistribution):
    """`tf.distributions.Categorical(logits=None, probs=None, dtype=tf.int32, validate_args=False,
    allow_nan_stats=True, name="Categorical")`: class k in [0, K) with probability softmax(logits)[k]."""

    def __init__(self, logits=None, probs=None, dtype=tf.int32, validate_args=False, allow_nan_stats=True,
                 name="Categorical"):
        parameters = dict(locals())
        with tf.name_scope(name, values=[logits, probs]) as scope:
            self._logits, self._probs = logits_and_probs(logits, probs, validate_args, True)
        super(Categorical, self).__init__(tf.as_dtype(dtype), NOT_REPARAMETERIZED, validate_args,
                                          allow_nan_stats, parameters, [self._logits, self._probs],
                                          scope)

    def _class_parameter(self):
        return self._logits

    @property
    def logits(self):
        """Unnormalised log probabilities of the classes."""
        return self._logits

    @property
    def probs(self):
        """Class probabilities."""
        return self._probs

    def _sample_n(self, n, seed):
        num_classes = self.event_size
        flat_logits = tf.reshape(self._logits, tf.stack([-1, num_classes]))
        draws = tf.multinomial(flat_logits, n, seed=seed, output_dtype=tf.int64)
        draws = tf.cast(tf.transpose(draws), self._dtype)
        return tf.reshape(draws, tf.concat([tf.reshape(n, [1]), self._batch_shape_tensor()], 0))

    def _log_prob(self, k):
        # Broadcasting k against the batch: gather log-softmax at k through a one-hot mask.
        log_probs = tf.nn.log_softmax(self._logits)
        one_hot = tf.one_hot(tf.cast(k, tf.int32), self.event_size, dtype=log_probs.dtype)
        return tf.reduce_sum(one_hot * log_probs, -1)

    def _cdf(self, k):
        # As TF 1's Categorical: the probability of the classes strictly below k.
        below = tf.cast(tf.range(self.event_size) < tf.expand_dims(tf.cast(k, tf.int32), -1),
                        self._probs.dtype)
        return tf.reduce_sum(below * self._probs, -1)

    def _entropy(self):
        return -tf.reduce_sum(self._probs * tf.nn.log_softmax(self._logits), -1)

    def _mode(self):
        return tf.cast(tf.argmax(self._logits, -1), self._dtype)


@RegisterKL(Categorical, Categorical)
def _kl_categorical_categorical(a, b, name=None):
    """KL between two Categoricals: sum_k p_a(k) (log p_a(k) - log p_b(k))."""
    with tf.name_scope(name or "kl_categorical_categorical"):
        return tf.reduce_sum(a.probs * (tf.nn.log_softmax(a.logits) - tf.nn.log_softmax(b.logits)), -1)


def multinomial_counts(logits, total_count, seed):
    """Counts of `total_count` categorical draws per row of 2-D `logits`, shape [rows, classes].

    Every row draws max(total_count) classes; draws beyond a row's own count are masked out."""
    num_classes = tf.shape(logits)[-1]
    total_count = tf.cast(total_count, tf.int32)
    most = tf.reduce_max(total_count)
    draws = tf.multinomial(logits, most, seed=seed, output_dtype=tf.int32)
    kept = tf.cast(tf.range(most) < tf.expand_dims(total_count, -1), logits.dtype)
    one_hot = tf.one_hot(draws, num_classes, dtype=logits.dtype)
    return tf.reduce_sum(one_hot * tf.expand_dims(kept, -1), 1)


def log_multinomial_coefficient(total_count, counts):
    """log(n! / prod_i x_i!)."""
    return tf.lgamma(total_count + 1.0) - tf.reduce_sum(tf.lgamma(counts + 1.0), -1)


class Multinomial(VectorParameterDistribution):
    """`tf.distributions.Multinomial(total_count, logits=None, probs=None, validate_args=False,
    allow_nan_stats=True, name="Multinomial")`: counts of `total_count` draws over K classes."""

    def __init__(self, total_count, logits=None, probs=None, validate_args=False, allow_nan_stats=True,
                 name="Multinomial"):
        parameters = dict(locals())
        with tf.name_scope(name, values=[total_count, logits, probs]) as scope:
            self._logits, self._probs = logits_and_probs(logits, probs, validate_args, True)
            self._total_count = tf.convert_to_tensor(total_count, dtype=self._probs.dtype, name="total_count")
            if validate_args:
                self._total_count = with_checks(
                    [tf.assert_non_negative(self._total_count, message="total_count must be non-negative."),
                     tf.assert_equal(self._total_count, tf.floor(self._total_count),
                                     message="total_count has fractional components.")], self._total_count)
        super(Multinomial, self).__init__(self._probs.dtype, NOT_REPARAMETERIZED, validate_args, allow_nan_stats,
                                          parameters, [self._total_count, self._logits, self._probs],
                                          scope)

    def _class_parameter(self):
        return self._logits + tf.expand_dims(tf.zeros_like(self._total_count), -1)

    def _batch_shape(self):
        shape = self._logits.shape
        return broadcast_static_shape(self._total_count.shape,
                                      TensorShape(None) if shape.ndims is None else shape[:-1])

    def _event_shape(self):
        return self._logits.shape[-1:] if self._logits.shape.ndims is not None else TensorShape([None])

    def _event_shape_tensor(self):
        return tf.shape(self._logits)[-1:]

    @property
    def total_count(self):
        """Number of draws."""
        return self._total_count

    @property
    def logits(self):
        """Log class probabilities."""
        return self._logits

    @property
    def probs(self):
        """Class probabilities."""
        return self._probs

    def _sample_n(self, n, seed):
        logits = self._class_parameter()
        num_classes = tf.shape(logits)[-1]
        flat_logits = tf.tile(tf.reshape(logits, tf.stack([-1, num_classes])), tf.stack([n, 1]))
        flat_counts = tf.tile(tf.reshape(self._total_count + tf.zeros_like(logits[..., 0]), [-1]),
                              tf.reshape(n, [1]))
        counts = multinomial_counts(flat_logits, flat_counts, seed)
        return tf.reshape(counts, self._batch_event_sample_shape(n))

    def _log_prob(self, counts):
        return (log_multinomial_coefficient(self._total_count, counts)
                + tf.reduce_sum(tf.math.xlogy(counts, self._probs), -1))

    def _mean(self):
        return tf.expand_dims(self._total_count, -1) * self._probs

    def _variance(self):
        return tf.expand_dims(self._total_count, -1) * self._probs * (1.0 - self._probs)
