"""`tf.train.*_decay` learning-rate schedules: graph ops of the global step, as TF1's.

Each returns a scalar Tensor of the learning rate's dtype (float32 for a Python number), recomputed from
`global_step` at every `Session.run`, so it can be passed to an optimizer as its learning rate.
"""
import math

__all__ = ["exponential_decay", "inverse_time_decay", "natural_exp_decay", "polynomial_decay",
           "piecewise_constant", "cosine_decay", "cosine_decay_restarts", "linear_cosine_decay",
           "piecewise_constant_decay", "noisy_linear_cosine_decay"]


def _tf():
    import numflow
    return numflow


def _prepare(learning_rate, global_step, schedule):
    """Converts the learning rate and casts the step to its dtype."""
    tf = _tf()
    if global_step is None:
        raise ValueError("global_step is required for %s." % schedule)
    learning_rate = tf.convert_to_tensor(learning_rate, name="learning_rate")
    dtype = learning_rate.dtype
    step = tf.cast(global_step, dtype)
    return tf, learning_rate, dtype, step


def _cast(value, dtype):
    """A hyperparameter as a tensor of `dtype`: Python numbers convert exactly, tensors are cast."""
    from ..framework.graph import is_tensor_like
    tf = _tf()
    if is_tensor_like(value):
        return tf.cast(value, dtype)
    return tf.convert_to_tensor(value, dtype=dtype)


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """`tf.train.exponential_decay`: learning_rate * decay_rate ^ (global_step / decay_steps); with
    `staircase` the exponent is floored, so the rate drops every `decay_steps` steps."""
    tf = _tf()
    with tf.name_scope(name, "ExponentialDecay") as scope:
        tf, learning_rate, dtype, step = _prepare(learning_rate, global_step, "exponential_decay")
        decay_steps = _cast(decay_steps, dtype)
        decay_rate = _cast(decay_rate, dtype)
        p = step / decay_steps
        if staircase:
            p = tf.floor(p)
        return tf.multiply(learning_rate, tf.pow(decay_rate, p), name=scope)


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """`tf.train.inverse_time_decay`: learning_rate / (1 + decay_rate * global_step / decay_steps)
    (the fraction floored with `staircase`)."""
    tf = _tf()
    with tf.name_scope(name, "InverseTimeDecay") as scope:
        tf, learning_rate, dtype, step = _prepare(learning_rate, global_step, "inverse_time_decay")
        decay_steps = _cast(decay_steps, dtype)
        decay_rate = _cast(decay_rate, dtype)
        p = step / decay_steps
        if staircase:
            p = tf.floor(p)
        denominator = tf.add(_cast(1, dtype), tf.multiply(decay_rate, p))
        return tf.truediv(learning_rate, denominator, name=scope)


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """`tf.train.natural_exp_decay`: learning_rate * exp(-decay_rate * global_step / decay_steps)
    (the fraction floored with `staircase`)."""
    tf = _tf()
    with tf.name_scope(name, "NaturalExpDecay") as scope:
        tf, learning_rate, dtype, step = _prepare(learning_rate, global_step, "natural_exp_decay")
        decay_steps = _cast(decay_steps, dtype)
        decay_rate = _cast(decay_rate, dtype)
        p = step / decay_steps
        if staircase:
            p = tf.floor(p)
        return tf.multiply(learning_rate, tf.exp(tf.multiply(tf.negative(decay_rate), p)), name=scope)


def polynomial_decay(learning_rate, global_step, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                     name=None):
    """`tf.train.polynomial_decay`: (learning_rate - end_learning_rate) * (1 - step / decay_steps) ^ power
    + end_learning_rate, with step capped at decay_steps; with `cycle`, decay_steps grows to the next
    multiple of itself above the step instead."""
    tf = _tf()
    with tf.name_scope(name, "PolynomialDecay") as scope:
        tf, learning_rate, dtype, step = _prepare(learning_rate, global_step, "polynomial_decay")
        end_learning_rate = _cast(end_learning_rate, dtype)
        power = _cast(power, dtype)
        decay_steps = _cast(decay_steps, dtype)
        if cycle:
            # ceil(step / decay_steps), and 1 at step 0.
            multiplier = tf.maximum(tf.ceil(step / decay_steps), _cast(1, dtype))
            decay_steps = tf.multiply(decay_steps, multiplier)
        else:
            step = tf.minimum(step, decay_steps)
        p = step / decay_steps
        return tf.add(tf.multiply(learning_rate - end_learning_rate, tf.pow(1 - p, power)), end_learning_rate,
                      name=scope)


def piecewise_constant(x, boundaries, values, name=None):
    """`tf.train.piecewise_constant(x, boundaries, values)`: values[0] while x <= boundaries[0],
    values[i] while boundaries[i-1] < x <= boundaries[i], values[-1] after the last boundary."""
    tf = _tf()
    if len(boundaries) != len(values) - 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    with tf.name_scope(name, "PiecewiseConstant") as scope:
        x = tf.convert_to_tensor(x)
        values = [tf.convert_to_tensor(v) for v in values]
        for v in values[1:]:
            if v.dtype is not values[0].dtype:
                raise ValueError("Values must have elements all with the same dtype (%s vs %s)."
                                 % (values[0].dtype.name, v.dtype.name))
        boundaries = [tf.convert_to_tensor(b) for b in boundaries]
        for i, b in enumerate(boundaries):
            if b.dtype is not x.dtype:
                if b.dtype.is_integer and x.dtype.is_integer:
                    boundaries[i] = tf.cast(b, x.dtype)
                else:
                    raise ValueError("Boundaries (%s) must have the same dtype as x (%s)."
                                     % (b.dtype.name, x.dtype.name))
        result = values[-1]
        for boundary, value in reversed(list(zip(boundaries, values[:-1]))):
            result = tf.where(tf.less_equal(x, boundary), value, result)
        return tf.identity(result, name=scope)


def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0, name=None):
    """`tf.train.cosine_decay`: learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps)
    / decay_steps)) + alpha)."""
    tf = _tf()
    with tf.name_scope(name, "CosineDecay") as scope:
        tf, learning_rate, dtype, step = _prepare(learning_rate, global_step, "cosine_decay")
        decay_steps = _cast(decay_steps, dtype)
        step = tf.minimum(step, decay_steps)
        completed_fraction = step / decay_steps
        cosine_decayed = 0.5 * (1.0 + tf.cos(tf.constant(math.pi, dtype=dtype) * completed_fraction))
        decayed = (1 - alpha) * cosine_decayed + alpha
        return tf.multiply(learning_rate, decayed, name=scope)


def cosine_decay_restarts(learning_rate, global_step, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                          name=None):
    """`tf.train.cosine_decay_restarts`: cosine decay with warm restarts (SGDR); each period is `t_mul`
    times longer and restarts at `m_mul` times the previous peak."""
    tf = _tf()
    with tf.name_scope(name, "SGDRDecay") as scope:
        tf, learning_rate, dtype, step = _prepare(learning_rate, global_step, "cosine_decay_restarts")
        first_decay_steps = _cast(first_decay_steps, dtype)
        alpha = _cast(alpha, dtype)
        m_mul = _cast(m_mul, dtype)
        completed_fraction = step / first_decay_steps

        def restarts(t_mul, geometric):
            if geometric:
                i_restart = tf.floor(tf.log(1.0 - completed_fraction * (1.0 - t_mul)) / tf.log(t_mul))
                sum_r = (1.0 - t_mul ** i_restart) / (1.0 - t_mul)
                return i_restart, (completed_fraction - sum_r) / t_mul ** i_restart
            i_restart = tf.floor(completed_fraction)
            return i_restart, completed_fraction - i_restart

        if isinstance(t_mul, (int, float)):
            i_restart, completed_fraction = restarts(_cast(t_mul, dtype), t_mul != 1.0)
        else:
            t_mul = _cast(t_mul, dtype)
            i_restart, completed_fraction = tf.cond(tf.equal(t_mul, 1.0), lambda: restarts(t_mul, False),
                                                    lambda: restarts(t_mul, True))
        m_fac = m_mul ** i_restart
        cosine_decayed = 0.5 * m_fac * (1.0 + tf.cos(tf.constant(math.pi, dtype=dtype) * completed_fraction))
        decayed = (1 - alpha) * cosine_decayed + alpha
        return tf.multiply(learning_rate, decayed, name=scope)


def _linear_cosine(learning_rate, global_step, decay_steps, num_periods, alpha, beta, schedule, noise=None):
    """learning_rate * ((alpha + linear + noise(step)) * cosine + beta), the step capped at decay_steps;
    `noise(step, dtype)` (or None) perturbs the linear term, which is all that separates the noisy schedule."""
    tf, learning_rate, dtype, step = _prepare(learning_rate, global_step, schedule)
    decay_steps = _cast(decay_steps, dtype)
    num_periods = _cast(num_periods, dtype)
    alpha = _cast(alpha, dtype)
    beta = _cast(beta, dtype)
    step = tf.minimum(step, decay_steps)
    linear_decayed = (decay_steps - step) / decay_steps
    if noise is not None:
        linear_decayed = linear_decayed + noise(step, dtype)
    completed_fraction = step / decay_steps
    fraction = 2.0 * num_periods * completed_fraction
    cosine_decayed = 0.5 * (1.0 + tf.cos(tf.constant(math.pi, dtype=dtype) * fraction))
    return learning_rate, (alpha + linear_decayed) * cosine_decayed + beta


def linear_cosine_decay(learning_rate, global_step, decay_steps, num_periods=0.5, alpha=0.0, beta=0.001,
                        name=None):
    """`tf.train.linear_cosine_decay`: learning_rate * ((alpha + linear) * cosine + beta) with
    linear = (decay_steps - step) / decay_steps and cosine = 0.5 * (1 + cos(2 pi num_periods step /
    decay_steps)), step capped at decay_steps."""
    tf = _tf()
    with tf.name_scope(name, "LinearCosineDecay") as scope:
        learning_rate, factor = _linear_cosine(learning_rate, global_step, decay_steps, num_periods, alpha, beta,
                                               "linear_cosine_decay")
        return tf.multiply(learning_rate, factor, name=scope)


def noisy_linear_cosine_decay(learning_rate, global_step, decay_steps, initial_variance=1.0, variance_decay=0.55,
                              num_periods=0.5, alpha=0.0, beta=0.001, name=None):
    """`tf.train.noisy_linear_cosine_decay`: linear_cosine_decay whose linear term gets zero-mean Gaussian
    noise of variance initial_variance / (1 + step) ** variance_decay (step capped at decay_steps), drawn
    afresh at every evaluation, so the noise fades as training goes on."""
    tf = _tf()

    def noise(step, dtype):
        variance = _cast(initial_variance, dtype) / tf.pow(1.0 + step, _cast(variance_decay, dtype))
        return tf.random.normal([], stddev=tf.sqrt(variance), dtype=dtype)

    with tf.name_scope(name, "NoisyLinearCosineDecay") as scope:
        learning_rate, factor = _linear_cosine(learning_rate, global_step, decay_steps, num_periods, alpha, beta,
                                               "noisy_linear_cosine_decay", noise)
        return tf.multiply(learning_rate, factor, name=scope)


# TF1 exports the same schedule under both names.
piecewise_constant_decay = piecewise_constant
