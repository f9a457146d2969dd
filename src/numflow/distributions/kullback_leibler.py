"""`tf.distributions.kl_divergence` and `tf.distributions.RegisterKL`: a registry of closed-form KL
divergences keyed by the pair of distribution classes, searched along both classes' MROs."""
import numflow as tf

_DIVERGENCES = {}


def _registered_kl(type_a, type_b):
    """The KL function of the nearest registered (ancestor of a, ancestor of b) pair, or None."""
    best, best_distance = None, None
    for distance_a, parent_a in enumerate(type_a.__mro__):
        for distance_b, parent_b in enumerate(type_b.__mro__):
            function = _DIVERGENCES.get((parent_a, parent_b))
            if function is not None and (best_distance is None or distance_a + distance_b < best_distance):
                best, best_distance = function, distance_a + distance_b
    return best


def kl_divergence(distribution_a, distribution_b, allow_nan_stats=True, name=None):
    """`tf.distributions.kl_divergence(distribution_a, distribution_b, allow_nan_stats=True)`:
    KL[a || b] from the function registered with `RegisterKL` for the two classes (or their parents).

    Raises NotImplementedError when no function is registered; with `allow_nan_stats=False` a NaN
    result fails at run time with InvalidArgumentError."""
    function = _registered_kl(type(distribution_a), type(distribution_b))
    if function is None:
        raise NotImplementedError("No KL(distribution_a || distribution_b) registered for distribution_a type "
                                  "%s and distribution_b type %s"
                                  % (type(distribution_a).__name__, type(distribution_b).__name__))
    with tf.name_scope(name or "KullbackLeibler"):
        result = function(distribution_a, distribution_b, name=None)
        if allow_nan_stats:
            return tf.identity(result)
        check = tf.assert_equal(tf.reduce_any(tf.is_nan(result)), False,
                                message="KL calculation between %s and %s returned NaN values"
                                % (distribution_a.name, distribution_b.name))
        with tf.control_dependencies([check]):
            return tf.identity(result)


class RegisterKL(object):
    """`tf.distributions.RegisterKL(dist_cls_a, dist_cls_b)`: decorator registering
    `kl_fn(a, b, name=None)` as KL[a || b] for instances of the two classes and their subclasses."""

    def __init__(self, dist_cls_a, dist_cls_b):
        self._key = (dist_cls_a, dist_cls_b)

    def __call__(self, kl_fn):
        if not callable(kl_fn):
            raise TypeError("kl_fn must be callable, received: %s" % kl_fn)
        if self._key in _DIVERGENCES:
            raise ValueError("KL(%s || %s) has already been registered to: %s"
                             % (self._key[0].__name__, self._key[1].__name__, _DIVERGENCES[self._key]))
        _DIVERGENCES[self._key] = kl_fn
        return kl_fn
