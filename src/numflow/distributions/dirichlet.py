"""Dirichlet and DirichletMultinomial: distributions over the probability simplex and over counts."""
import numflow as tf
from .discrete import VectorParameterDistribution, log_multinomial_coefficient, multinomial_counts
from .distribution import (FULLY_REPARAMETERIZED, NOT_REPARAMETERIZED, broadcast_static_shape, nan_where, sub_seed,
                           with_checks)
from .kullback_leibler import RegisterKL


def convert_concentration(concentration, validate_args):
    """The concentration tensor, checked positive and of rank >= 1 when `validate_args`."""
    concentration = tf.convert_to_tensor(concentration, name="concentration")
    if not validate_args:
        return concentration
    return with_checks([tf.assert_positive(concentration, message="Concentration parameter must be positive."),
                        tf.assert_rank_at_least(concentration, 1,
                                                message="Concentration parameter must have >=1 dimensions.")],
                       concentration)


class Dirichlet(VectorParameterDistribution):
    """`tf.distributions.Dirichlet(concentration, validate_args=False, allow_nan_stats=True,
    name="Dirichlet")`: density prod_i x_i^(a_i - 1) / B(a) on the simplex (last axis of the event)."""

    def __init__(self, concentration, validate_args=False, allow_nan_stats=True, name="Dirichlet"):
        parameters = dict(locals())
        with tf.name_scope(name, values=[concentration]) as scope:
            self._concentration = convert_concentration(concentration, validate_args)
            self._total_concentration = tf.reduce_sum(self._concentration, -1)
        super(Dirichlet, self).__init__(self._concentration.dtype, FULLY_REPARAMETERIZED, validate_args,
                                        allow_nan_stats, parameters, [self._concentration], scope)

    def _class_parameter(self):
        return self._concentration

    def _event_shape(self):
        return self._concentration.shape[-1:]

    def _event_shape_tensor(self):
        return tf.shape(self._concentration)[-1:]

    @property
    def concentration(self):
        """The concentration a (last axis: classes)."""
        return self._concentration

    @property
    def total_concentration(self):
        """sum_i a_i."""
        return self._total_concentration

    def _sample_n(self, n, seed):
        gamma = tf.random_gamma(tf.reshape(n, [1]), self._concentration, dtype=self._dtype, seed=seed)
        return gamma / tf.reduce_sum(gamma, -1, keepdims=True)

    def _log_prob(self, x):
        return tf.reduce_sum(tf.math.xlogy(self._concentration - 1.0, x), -1) - tf.lbeta(self._concentration)

    def _mean(self):
        return self._concentration / tf.expand_dims(self._total_concentration, -1)

    def _variance(self):
        total = tf.expand_dims(self._total_concentration, -1)
        mean = self._concentration / total
        return mean * (1.0 - mean) / (total + 1.0)

    def _covariance(self):
        total = tf.expand_dims(self._total_concentration, -1)
        mean = self._concentration / total
        outer = -tf.expand_dims(mean, -1) * tf.expand_dims(mean, -2)
        return (tf.matrix_diag(mean) + outer) / tf.expand_dims(total + 1.0, -1)

    def _mode(self):
        k = tf.cast(self.event_size, self._dtype)
        mode = (self._concentration - 1.0) / (tf.expand_dims(self._total_concentration, -1) - k)
        return nan_where(tf.reduce_any(self._concentration <= 1.0, -1, keepdims=True) & tf.ones_like(mode, tf.bool),
                         mode, self._allow_nan_stats, "Mode undefined when any concentration <= 1")

    def _entropy(self):
        k = tf.cast(self.event_size, self._dtype)
        a = self._concentration
        return (tf.lbeta(a) + (self._total_concentration - k) * tf.digamma(self._total_concentration)
                - tf.reduce_sum((a - 1.0) * tf.digamma(a), -1))


@RegisterKL(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(a, b, name=None):
    """KL between two Dirichlets in closed form."""
    with tf.name_scope(name or "kl_dirichlet_dirichlet"):
        ca, cb = a.concentration, b.concentration
        digamma_gap = tf.digamma(ca) - tf.expand_dims(tf.digamma(a.total_concentration), -1)
        return tf.lbeta(cb) - tf.lbeta(ca) + tf.reduce_sum((ca - cb) * digamma_gap, -1)


class DirichletMultinomial(VectorParameterDistribution):
    """`tf.distributions.DirichletMultinomial(total_count, concentration, validate_args=False,
    allow_nan_stats=True, name="DirichletMultinomial")`: counts of `total_count` draws whose class
    probabilities are themselves Dirichlet(`concentration`)."""

    def __init__(self, total_count, concentration, validate_args=False, allow_nan_stats=True,
                 name="DirichletMultinomial"):
        parameters = dict(locals())
        with tf.name_scope(name, values=[total_count, concentration]) as scope:
            self._concentration = convert_concentration(concentration, validate_args)
            self._total_count = tf.convert_to_tensor(total_count, dtype=self._concentration.dtype,
                                                     name="total_count")
            if validate_args:
                self._total_count = with_checks(
                    [tf.assert_non_negative(self._total_count, message="total_count must be non-negative."),
                     tf.assert_equal(self._total_count, tf.floor(self._total_count),
                                     message="total_count has fractional components.")], self._total_count)
            self._total_concentration = tf.reduce_sum(self._concentration, -1)
        super(DirichletMultinomial, self).__init__(
            self._concentration.dtype, NOT_REPARAMETERIZED, validate_args, allow_nan_stats, parameters,
            [self._total_count, self._concentration], scope)

    def _class_parameter(self):
        return self._concentration + tf.expand_dims(tf.zeros_like(self._total_count), -1)

    def _batch_shape(self):
        return broadcast_static_shape(self._total_count.shape, self._concentration.shape[:-1])

    def _event_shape(self):
        return self._concentration.shape[-1:]

    def _event_shape_tensor(self):
        return tf.shape(self._concentration)[-1:]

    @property
    def total_count(self):
        """Number of draws."""
        return self._total_count

    @property
    def concentration(self):
        """The Dirichlet concentration of the class probabilities."""
        return self._concentration

    @property
    def total_concentration(self):
        """sum_i concentration_i."""
        return self._total_concentration

    def _sample_n(self, n, seed):
        concentration = self._class_parameter()
        num_classes = tf.shape(concentration)[-1]
        gamma = tf.random_gamma(tf.reshape(n, [1]), concentration, dtype=self._dtype,
                                seed=sub_seed(seed, "dirichlet_multinomial"))
        flat_logits = tf.reshape(tf.log(gamma), tf.stack([-1, num_classes]))
        flat_counts = tf.tile(tf.reshape(self._total_count + tf.zeros_like(concentration[..., 0]), [-1]),
                              tf.reshape(n, [1]))
        counts = multinomial_counts(flat_logits, flat_counts, seed)
        return tf.reshape(counts, self._batch_event_sample_shape(n))

    def _log_prob(self, counts):
        return (log_multinomial_coefficient(self._total_count, counts)
                + tf.lbeta(self._concentration + counts) - tf.lbeta(self._concentration))

    def _mean(self):
        return tf.expand_dims(self._total_count / self._total_concentration, -1) * self._concentration

    def _variance(self):
        total = tf.expand_dims(self._total_concentration, -1)
        n = tf.expand_dims(self._total_count, -1)
        p = self._concentration / total
        return n * p * (1.0 - p) * (n + total) / (1.0 + total)
