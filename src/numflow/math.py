"""`tf.math`: the math ops under their TF1 `tf.math.*` names."""
from .ops.math import (abs, accumulate_n, acos, add, add_n, argmax, argmin, asin, atan, ceil,  # noqa: F401,A004
                       cos, cosh, count_nonzero, cumprod, cumsum, div_no_nan, divide, equal, erf, exp,
                       expm1, floor, floordiv, floormod, greater, greater_equal, is_finite, is_inf, is_nan,
                       less, less_equal, log, log1p, logical_and, logical_not, logical_or, logical_xor,
                       maximum, minimum, mod, multiply, negative, not_equal, pow, realdiv, reciprocal,
                       reduce_all, reduce_any, reduce_euclidean_norm, reduce_logsumexp, reduce_max,
                       reduce_mean, reduce_min, reduce_prod, reduce_std, reduce_sum, reduce_variance, rint,
                       round, rsqrt, scalar_mul, sigmoid, sign, sin, sinh, sqrt, square, squared_difference,
                       subtract, tan, tanh, truediv, truncatediv, truncatemod)
from .ops.math import div_no_nan as divide_no_nan  # noqa: F401

__all__ = ["abs", "accumulate_n", "acos", "add", "add_n", "argmax", "argmin", "asin", "atan", "ceil", "cos",
           "cosh", "count_nonzero", "cumprod", "cumsum", "divide", "divide_no_nan", "equal", "erf", "exp",
           "expm1", "floor", "floordiv", "floormod", "greater", "greater_equal", "is_finite", "is_inf",
           "is_nan", "less", "less_equal", "log", "log1p", "logical_and", "logical_not", "logical_or",
           "logical_xor", "maximum", "minimum", "mod", "multiply", "negative", "not_equal", "pow",
           "realdiv", "reciprocal", "reduce_all", "reduce_any", "reduce_euclidean_norm", "reduce_logsumexp",
           "reduce_max", "reduce_mean", "reduce_min", "reduce_prod", "reduce_std", "reduce_sum",
           "reduce_variance", "rint", "round", "rsqrt", "scalar_mul", "sigmoid", "sign", "sin", "sinh",
           "sqrt", "square", "squared_difference", "subtract", "tan", "tanh", "truediv", "truncatediv",
           "truncatemod"]

# tf.math names whose ops live in the nn family; resolved on first use.
_FROM_NN = ("softplus", "softsign", "log_sigmoid", "log_softmax", "softmax", "l2_normalize", "top_k",
            "in_top_k")


def __getattr__(name):
    if name in _FROM_NN:
        from . import nn
        try:
            return getattr(nn, name)
        except AttributeError:
            pass
    raise AttributeError("module 'numflow.math' has no attribute %r" % name)
from .ops.metrics_impl import confusion_matrix  # noqa: E402,F401 - tf.math.confusion_matrix
from .ops.special_math import (acosh, angle, asinh, atan2, atanh, bessel_i0, bessel_i0e, bessel_i1,  # noqa: E402,F401
                               bessel_i1e, betainc, conj, cumulative_logsumexp, digamma, erfc, erfcinv, erfinv,
                               igamma, igammac, imag, is_non_decreasing, is_strictly_increasing, lbeta, lgamma,
                               log_sigmoid, multiply_no_nan, ndtri, nextafter, polygamma, polyval, real,
                               reciprocal_no_nan, xdivy, xlog1py, xlogy, zero_fraction, zeta)
from .ops.segment_ops import (bincount, segment_max, segment_mean, segment_min, segment_prod,  # noqa: E402,F401
                              segment_sum, unsorted_segment_max, unsorted_segment_mean, unsorted_segment_min,
                              unsorted_segment_prod, unsorted_segment_sqrt_n, unsorted_segment_sum)
from .ops.array import invert_permutation  # noqa: E402,F401
from .ops.quant_and_misc import approx_max_k, approx_min_k  # noqa: E402,F401 - issue 12
from .ops.quant_and_misc import sobol_sample  # noqa: E402,F401 - issue 12
