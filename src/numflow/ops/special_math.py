"""Special functions of `tf.math`: gamma-family functions (`lgamma`, `digamma`, `polygamma`, `igamma`,
`igammac`, `zeta`, `lbeta`), `betainc`, the modified Bessel functions `bessel_i0/i0e/i1/i1e`, the error
function's relatives (`erfc`, `erfinv`, `erfcinv`, `ndtri`), the inverse hyperbolic functions and
`atan2`, and the safe products `xlogy`, `xdivy`, `xlog1py`, `multiply_no_nan`, with their gradients.

Every kernel computes in float64 with vectorised NumPy (series and continued fractions iterate over the
elements that have not converged yet) and returns the op's own float dtype. Python's `math` module is the
reference where it has the function; SciPy is never needed. On a GPU the special functions are the device
library's (cupyx.scipy.special, named by each op's `device_name`), also computed in float64; the ops
written with plain ufuncs run their NumPy code on the device arrays.
"""
import math as _pymath

import numpy as np

from ..backend import array_module, special_function
from ..framework import dtypes
from ..framework.graph import convert_to_tensor, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape, format_shape
from . import array as _array
from . import math as _math
from .common import BinaryOp, UnaryOp, binary, check_dtype, check_same_dtype, make_tensor, sum_to_shape_of, unary

__all__ = ["lgamma", "digamma", "polygamma", "igamma", "igammac", "zeta", "lbeta", "betainc", "bessel_i0",
           "bessel_i0e", "bessel_i1", "bessel_i1e", "erfc", "erfinv", "erfcinv", "ndtri", "acosh", "asinh",
           "atanh", "atan2", "xlogy", "xdivy", "xlog1py", "multiply_no_nan", "reciprocal_no_nan",
           "log_sigmoid", "nextafter", "cumulative_logsumexp", "is_non_decreasing", "is_strictly_increasing",
           "polyval", "zero_fraction", "complex", "real", "imag", "angle", "conj"]

_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)
_EPSILON = np.finfo(np.float64).eps
_TINY = 1e-300
_MAX_ITERATIONS = 5000


def _in_float64(compute, xp=np):
    """A kernel: `compute` on float64 copies of the inputs (arrays of module `xp`), the result cast to the
    inputs' dtype."""
    def kernel(*values):
        dtype = np.result_type(*values)
        with np.errstate(all="ignore"):
            result = compute(*(xp.asarray(v, dtype=np.float64) for v in values))
        return xp.asarray(result, dtype=dtype)
    return kernel


def _special_kernel(op, ctx, compute, device_name):
    """The kernel of a float op: `compute` in float64 on the host; on a device, the device library's special
    function `device_name` (scipy.special's name) in float64, or `compute` itself on the device arrays when
    it is None (plain ufuncs)."""
    xp = ctx.xp
    if xp is np:
        return _in_float64(compute)
    if device_name is None:
        return _in_float64(compute, xp)
    device = special_function(xp, device_name, _in_float64(compute))
    dtype = op.outputs[0].dtype.np

    def on_device(*values):
        return device(*(v.astype(np.float64, copy=False) for v in values)).astype(dtype, copy=False)
    return on_device


class _FloatUnary(UnaryOp):
    """An elementwise float function computed by `compute` (float64 in, float64 out)."""

    allowed = _FLOATS
    compute = None
    device_name = None      # the device library's function (see _special_kernel)

    def kernel(self, op, ctx):
        return _special_kernel(op, ctx, type(self).compute, self.device_name)


class _FloatBinary(BinaryOp):
    """A broadcasting float function of two inputs computed by `compute`."""

    allowed = _FLOATS
    compute = None
    device_name = None

    def kernel(self, op, ctx):
        return _special_kernel(op, ctx, type(self).compute, self.device_name)


def _iterate(step, state, active, what):
    """Runs `step(state, active)` until it reports every element converged; `step` updates the state arrays
    in place for the still-active elements and returns a mask of those that converged."""
    for _ in range(_MAX_ITERATIONS):
        if not active.any():
            return
        done = step(state, active)
        active &= ~done
    # Reaching here means a series or fraction that converges everywhere in theory did not in practice;
    # the partial result is still the best estimate, as in TF's bounded loops.


# --- the gamma family -----------------------------------------------------------------------------
def _lgamma_scalar(x):
    try:
        return _pymath.lgamma(x)
    except ValueError:          # a pole at 0, -1, -2, ...
        return _pymath.inf
    except OverflowError:
        return _pymath.inf


_lgamma_object = np.frompyfunc(_lgamma_scalar, 1, 1)


def _lgamma64(x):
    xp = array_module(x)
    if xp is not np:        # the gradient helpers below call it on device arrays
        return special_function(xp, "gammaln", _lgamma64)(x)
    x = np.asarray(x, dtype=np.float64)
    return np.asarray(_lgamma_object(x), dtype=np.float64)


# Bernoulli numbers B_2, B_4, ..., B_24: the coefficients of the Euler-Maclaurin tails below.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798,
              -174611 / 330, 854513 / 138, -236364091 / 2730)


def _digamma64(x):
    x = np.array(x, dtype=np.float64, copy=True)
    result = np.zeros_like(x)
    pole = (x <= 0) & (x == np.floor(x))
    # Reflection: psi(x) = psi(1 - x) - pi / tan(pi x) brings x < 0.5 to the right half-line.
    reflect = x < 0.5
    result[reflect] = -np.pi / np.tan(np.pi * x[reflect])
    x[reflect] = 1.0 - x[reflect]
    # Recurrence psi(x) = psi(x + 1) - 1/x until the asymptotic series is accurate.
    for _ in range(12):
        small = x < 12.0
        if not small.any():
            break
        result[small] -= 1.0 / x[small]
        x[small] += 1.0
    inverse_square = 1.0 / (x * x)
    tail = np.zeros_like(x)
    for k in range(len(_BERNOULLI) - 1, -1, -1):
        tail = tail * inverse_square + _BERNOULLI[k] / (2 * (k + 1))
    result += np.log(x) - 0.5 / x - tail * inverse_square
    result[pole] = np.nan
    return result


def _hurwitz_zeta64(s, q):
    """zeta(s, q) = sum_k (q + k)^-s by Euler-Maclaurin summation after shifting q past 9."""
    s, q = np.broadcast_arrays(np.asarray(s, np.float64), np.asarray(q, np.float64))
    s, q = s.copy(), q.copy()
    original_q = q.copy()
    total = np.zeros_like(s)
    k = 0
    while True:
        shifting = (q <= 9.0) | (k < 9)
        if not shifting.any():
            break
        total[shifting] += np.power(q[shifting], -s[shifting])
        q[shifting] += 1.0
        k += 1
        if k > 100000:
            break
    # The tail from w on: w^(1-s)/(s-1) + w^-s/2 + sum_j B_2j/(2j)! s(s+1)...(s+2j-2) w^(-s-2j+1).
    w = q  # q has been advanced past the summed terms
    total += np.power(w, 1.0 - s) / (s - 1.0) + 0.5 * np.power(w, -s)
    factor = s * np.power(w, -s - 1.0) / 2.0
    for j, bernoulli in enumerate(_BERNOULLI, start=1):
        total += bernoulli * factor
        factor = factor * (s + 2 * j - 1) * (s + 2 * j) / (w * w * (2 * j + 1) * (2 * j + 2))
    total = np.where(s == 1.0, np.inf, total)
    total = np.where(s < 1.0, np.nan, total)
    at_pole = (original_q <= 0) & (original_q == np.floor(original_q))
    total = np.where(at_pole & (s >= 1.0), np.inf, total)
    total = np.where((original_q < 0) & (s != np.floor(s)), np.nan, total)
    return total


def _polygamma64(n, x):
    n, x = np.broadcast_arrays(np.asarray(n, np.float64), np.asarray(x, np.float64))
    order_is_valid = (n >= 0) & (n == np.floor(n))
    safe_n = np.where(order_is_valid, n, 1.0)
    sign = np.where(np.mod(safe_n, 2.0) == 0, -1.0, 1.0)
    higher = sign * np.exp(_lgamma64(safe_n + 1.0)) * _hurwitz_zeta64(safe_n + 1.0, x)
    result = np.where(n == 0, _digamma64(x), higher)
    return np.where(order_is_valid, result, np.nan)


def _log_gamma_prefactor(a, x):
    """log(x^a e^-x / Gamma(a)): the factor in front of both incomplete-gamma expansions."""
    return a * np.log(x) - x - _lgamma64(a)


def _igamma_pair(a, x):
    """(P(a, x), Q(a, x)), the regularized lower and upper incomplete gamma functions."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    lower = np.zeros(a.shape)
    upper = np.zeros(a.shape)
    invalid = (a <= 0) | (x < 0) | np.isnan(a) | np.isnan(x)
    zero_x = (x == 0) & ~invalid
    infinite_x = np.isinf(x) & ~invalid
    regular = ~(invalid | zero_x | infinite_x)
    use_series = regular & (x < a + 1.0)
    use_fraction = regular & ~use_series
    prefactor = np.zeros(a.shape)
    prefactor[regular] = _log_gamma_prefactor(a[regular], x[regular])

    # Series: P = e^prefactor / a * sum_n x^n / ((a+1)...(a+n)).
    sa, sx = a[use_series], x[use_series]
    state = {"r": sa.copy(), "term": np.ones_like(sa), "sum": np.ones_like(sa)}

    def series_step(st, active):
        st["r"][active] += 1.0
        st["term"][active] *= sx[active] / st["r"][active]
        st["sum"][active] += st["term"][active]
        return np.abs(st["term"]) <= np.abs(st["sum"]) * _EPSILON

    _iterate(series_step, state, np.ones(sa.shape, bool), "igamma series")
    p = state["sum"] * np.exp(prefactor[use_series]) / sa
    lower[use_series] = p
    upper[use_series] = 1.0 - p

    # Continued fraction for Q (modified Lentz), accurate where x >= a + 1.
    fa, fx = a[use_fraction], x[use_fraction]
    b = fx + 1.0 - fa
    state = {"b": b, "c": np.full_like(b, 1.0 / _TINY), "d": 1.0 / b, "h": 1.0 / b, "i": np.zeros_like(b)}

    def fraction_step(st, active):
        st["i"][active] += 1.0
        i = st["i"][active]
        an = -i * (i - fa[active])
        st["b"][active] += 2.0
        d = an * st["d"][active] + st["b"][active]
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = st["b"][active] + an / st["c"][active]
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1.0 / d
        delta = d * c
        st["d"][active], st["c"][active] = d, c
        st["h"][active] *= delta
        done = np.zeros(active.shape, bool)
        done[active] = np.abs(delta - 1.0) <= _EPSILON
        return done

    _iterate(fraction_step, state, np.ones(fa.shape, bool), "igamma fraction")
    q = np.exp(prefactor[use_fraction]) * state["h"]
    upper[use_fraction] = q
    lower[use_fraction] = 1.0 - q

    lower[zero_x], upper[zero_x] = 0.0, 1.0
    lower[infinite_x], upper[infinite_x] = 1.0, 0.0
    lower[invalid], upper[invalid] = np.nan, np.nan
    return lower, upper


def _igamma_derivative_x(a, x):
    """dP(a, x)/dx = x^(a-1) e^-x / Gamma(a) (its negative is dQ/dx)."""
    return np.exp((a - 1.0) * np.log(x) - x - _lgamma64(a))


def _igamma_derivative_a(a, x):
    """dP(a, x)/da by Richardson-extrapolated central differences of P in a (P is smooth in a > 0)."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    step = 1e-3 * np.maximum(np.abs(a), 1e-2)
    step = np.minimum(step, 0.5 * a)

    def central(h):
        return (_igamma_pair(a + h, x)[0] - _igamma_pair(a - h, x)[0]) / (2.0 * h)
    return (4.0 * central(step / 2.0) - central(step)) / 3.0


@register
class Lgamma(_FloatUnary):
    """log|Gamma(x)|."""

    device_name = "gammaln"
    compute = staticmethod(_lgamma64)

    def grad(self, op, dy):
        return [dy * digamma(op.inputs[0])]


@register
class Digamma(_FloatUnary):
    """psi(x), the derivative of lgamma."""

    device_name = "digamma"
    compute = staticmethod(_digamma64)

    def grad(self, op, dy):
        x = op.inputs[0]
        return [dy * polygamma(_array.ones_like(x), x)]


@register
class Polygamma(_FloatBinary):
    """psi^(a)(x), the a-th derivative of digamma; NaN where `a` is not a non-negative integer."""

    device_name = "polygamma"
    compute = staticmethod(_polygamma64)

    def grad(self, op, dy):
        a, x = op.inputs
        return [None, sum_to_shape_of(dy * polygamma(a + 1.0, x), x)]


@register
class Zeta(_FloatBinary):
    """The Hurwitz zeta function zeta(x, q) = sum_k (k + q)^-x."""

    device_name = "zeta"
    compute = staticmethod(_hurwitz_zeta64)

    def grad(self, op, dy):
        x, q = op.inputs
        return [None, sum_to_shape_of(dy * -x * zeta(x + 1.0, q), q)]


def _igamma_grads(op, dy, sign):
    a, x = op.inputs
    dx = make_tensor("IgammaGradX", [a, x])
    da = make_tensor("IgammaGradA", [a, x])
    return [sum_to_shape_of(dy * da * sign, a), sum_to_shape_of(dy * dx * sign, x)]


@register
class Igamma(_FloatBinary):
    """P(a, x), the regularized lower incomplete gamma function."""

    device_name = "gammainc"
    compute = staticmethod(lambda a, x: _igamma_pair(a, x)[0])

    def grad(self, op, dy):
        return _igamma_grads(op, dy, 1.0)


@register
class Igammac(_FloatBinary):
    """Q(a, x) = 1 - P(a, x), the regularized upper incomplete gamma function."""

    device_name = "gammaincc"
    compute = staticmethod(lambda a, x: _igamma_pair(a, x)[1])

    def grad(self, op, dy):
        return _igamma_grads(op, dy, -1.0)


@register
class IgammaGradX(_FloatBinary):
    """dP(a, x)/dx: the gradient helper of Igamma and Igammac."""

    compute = staticmethod(_igamma_derivative_x)
    differentiable = False


@register
class IgammaGradA(_FloatBinary):
    """dP(a, x)/da: the gradient helper of Igamma and Igammac (TF's IgammaGradA)."""

    compute = staticmethod(_igamma_derivative_a)
    differentiable = False
    host_only = True        # extrapolated differences of the host series _igamma_pair (no device twin)


def lgamma(x, name=None):
    """`tf.math.lgamma(x)`: the log of the absolute value of Gamma(x) elementwise (+inf at the poles
    0, -1, -2, ...)."""
    return unary("Lgamma", x, name)


def digamma(x, name=None):
    """`tf.math.digamma(x)`: Psi, the derivative of lgamma, elementwise (NaN at the poles)."""
    return unary("Digamma", x, name)


def polygamma(a, x, name=None):
    """`tf.math.polygamma(a, x)`: the a-th derivative of digamma at x; `a` must hold non-negative integers
    (as floats of x's dtype), NaN elsewhere. Differentiable in x only, as in TF."""
    return binary("Polygamma", a, x, name)


def zeta(x, q, name=None):
    """`tf.math.zeta(x, q)`: the Hurwitz zeta function sum_k (k + q)^-x (inf at x = 1, NaN for x < 1).
    Differentiable in q only, as in TF."""
    return binary("Zeta", x, q, name)


def igamma(a, x, name=None):
    """`tf.math.igamma(a, x)`: the regularized lower incomplete gamma function P(a, x)."""
    return binary("Igamma", a, x, name)


def igammac(a, x, name=None):
    """`tf.math.igammac(a, x)`: the regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x)."""
    return binary("Igammac", a, x, name)


def lbeta(x, name=None):
    """`tf.math.lbeta(x)`: log|Beta(x)| over the last axis, log(prod Gamma(x_i)) - log(Gamma(sum x_i));
    the result has x's shape without its last axis (0 = log 1 for an empty last axis)."""
    with name_scope(name, "lbeta", [x]):
        x = convert_to_tensor(x, name="x")
        log_prod_gamma = _math.reduce_sum(lgamma(x), axis=-1)
        return log_prod_gamma - lgamma(_math.reduce_sum(x, axis=-1))


# --- the incomplete beta function ------------------------------------------------------------------
def _betainc_fraction(a, b, x):
    """The continued fraction of I_x(a, b) (modified Lentz), fast where x < (a + 1) / (a + b + 2)."""
    total, plus_one, minus_one = a + b, a + 1.0, a - 1.0
    d = 1.0 - total * x / plus_one
    d = np.where(np.abs(d) < _TINY, _TINY, d)
    state = {"c": np.ones_like(a), "d": 1.0 / d, "h": 1.0 / d, "m": np.zeros_like(a)}

    def step(st, active):
        m = st["m"][active] + 1.0
        st["m"][active] = m
        aa, bb, xx = a[active], b[active], x[active]
        c, d, h = st["c"][active], st["d"][active], st["h"][active]
        for numerator in (m * (bb - m) * xx / ((minus_one[active] + 2 * m) * (aa + 2 * m)),
                          -(aa + m) * (total[active] + m) * xx / ((aa + 2 * m) * (plus_one[active] + 2 * m))):
            d = 1.0 + numerator * d
            d = np.where(np.abs(d) < _TINY, _TINY, d)
            c = 1.0 + numerator / c
            c = np.where(np.abs(c) < _TINY, _TINY, c)
            d = 1.0 / d
            delta = d * c
            h = h * delta
        st["c"][active], st["d"][active], st["h"][active] = c, d, h
        done = np.zeros(active.shape, bool)
        done[active] = np.abs(delta - 1.0) <= 2 * _EPSILON
        return done

    _iterate(step, state, np.ones(a.shape, bool), "betainc fraction")
    return state["h"]


def _log_beta64(a, b):
    return _lgamma64(a) + _lgamma64(b) - _lgamma64(a + b)


def _betainc64(a, b, x):
    a, b, x = (np.array(v, dtype=np.float64) for v in np.broadcast_arrays(a, b, x))
    result = np.full(a.shape, np.nan)
    regular = (a > 0) & (b > 0) & (x > 0) & (x < 1)
    result[(a > 0) & (b > 0) & (x == 0)] = 0.0
    result[(a > 0) & (b > 0) & (x == 1)] = 1.0
    a, b, x = a[regular], b[regular], x[regular]
    # The fraction converges fast below the mean; above it, use I_x(a, b) = 1 - I_(1-x)(b, a).
    swap = x > (a + 1.0) / (a + b + 2.0)
    a_, b_ = np.where(swap, b, a), np.where(swap, a, b)
    x_ = np.where(swap, 1.0 - x, x)
    log_front = a_ * np.log(x_) + b_ * np.log1p(-x_) - _log_beta64(a_, b_)
    value = np.exp(log_front) * _betainc_fraction(a_, b_, x_) / a_
    result[regular] = np.where(swap, 1.0 - value, value)
    return result


def _betainc_derivative_x(a, b, x):
    """dI_x(a, b)/dx = x^(a-1) (1-x)^(b-1) / B(a, b)."""
    return np.exp((a - 1.0) * np.log(x) + (b - 1.0) * np.log1p(-x) - _log_beta64(a, b))


@register
class Betainc(OpDef):
    """I_x(a, b), the regularized incomplete beta function."""

    def infer(self, op):
        a, b, x = op.inputs
        check_same_dtype("Betainc", a, b, "a", "b")
        check_same_dtype("Betainc", a, x, "a", "x")
        check_dtype(a, (dtypes.float32, dtypes.float64), "Betainc")
        shapes = [t.shape for t in op.inputs if t.shape.ndims != 0]
        shape = shapes[0] if shapes else TensorShape(())
        for other in shapes[1:]:
            if not shape.is_compatible_with(other):
                raise ValueError("Shapes of a, b and x are inconsistent: %s vs. %s (each must have x's shape "
                                 "or be a scalar)" % (format_shape(shape), format_shape(other)))
            shape = shape.merge_with(other)
        return [(a.dtype, shape)]

    def kernel(self, op, ctx):
        return _special_kernel(op, ctx, _betainc64, "betainc")

    def grad(self, op, dy):
        a, b, x = op.inputs
        dx = make_tensor("BetaincGradX", [a, b, x])
        return [None, None, sum_to_shape_of(dy * dx, x)]


@register
class BetaincGradX(Betainc):
    """dI_x(a, b)/dx: the gradient helper of Betainc."""

    differentiable = False

    def kernel(self, op, ctx):
        return _special_kernel(op, ctx, _betainc_derivative_x, None)


def betainc(a, b, x, name=None):
    """`tf.math.betainc(a, b, x)`: the regularized incomplete beta function I_x(a, b); a, b and x share a
    shape or are scalars. Differentiable in x only, as in TF."""
    x = convert_to_tensor(x, name="x")
    a = convert_to_tensor(a, dtype=x.dtype, name="a")
    b = convert_to_tensor(b, dtype=x.dtype, name="b")
    return make_tensor("Betainc", [a, b, x], name=name or "Betainc")


# --- modified Bessel functions ---------------------------------------------------------------------
_BESSEL_SERIES_LIMIT = 30.0


def _scaled_bessel64(order, x):
    """exp(-|x|) I_order(x) for order 0 or 1: the power series below |x| = 30, the asymptotic expansion
    above (whose terms keep shrinking far past the ones summed there)."""
    x = np.asarray(x, dtype=np.float64)
    ax = np.abs(x)
    result = np.empty_like(x)
    small = ax <= _BESSEL_SERIES_LIMIT
    xs = ax[small]
    quarter_square = xs * xs / 4.0
    term = np.ones_like(xs) if order == 0 else xs / 2.0
    total = term.copy()
    for k in range(1, 90):
        term = term * quarter_square / (k * (k + order))
        total += term
    result[small] = total * np.exp(-xs)
    xl = ax[~small]
    mu = 4.0 * order * order
    term = np.ones_like(xl)
    total = term.copy()
    for k in range(1, 40):
        term = term * -(mu - (2 * k - 1) ** 2) / (k * 8.0 * xl)
        total += term
    result[~small] = total / np.sqrt(2.0 * np.pi * xl)
    if order == 1:
        result = np.where(x < 0, -result, result)
    return result


def _bessel_i0e(x):
    return _scaled_bessel64(0, x)


def _bessel_i1e(x):
    return _scaled_bessel64(1, x)


def _bessel_i0(x):
    return _scaled_bessel64(0, x) * np.exp(np.abs(x))


def _bessel_i1(x):
    return _scaled_bessel64(1, x) * np.exp(np.abs(x))


def _i1_over_x(x):
    """I1(x)/x, with its limit 1/2 at 0."""
    safe = _math.where(_math.equal(x, 0.0), _array.ones_like(x), x)
    return _math.where(_math.equal(x, 0.0), 0.5 * _array.ones_like(x), bessel_i1(safe) / safe)


@register
class BesselI0(_FloatUnary):
    """I0(x), the modified Bessel function of order 0."""

    device_name = "i0"
    compute = staticmethod(_bessel_i0)

    def grad(self, op, dy):
        return [dy * bessel_i1(op.inputs[0])]


@register
class BesselI0e(_FloatUnary):
    """exp(-|x|) I0(x)."""

    device_name = "i0e"
    compute = staticmethod(_bessel_i0e)

    def grad(self, op, dy):
        x = op.inputs[0]
        return [dy * (bessel_i1e(x) - _math.sign(x) * op.outputs[0])]


@register
class BesselI1(_FloatUnary):
    """I1(x), the modified Bessel function of order 1."""

    device_name = "i1"
    compute = staticmethod(_bessel_i1)

    def grad(self, op, dy):
        x = op.inputs[0]
        # I1'(x) = I0(x) - I1(x)/x.
        return [dy * (bessel_i0(x) - _i1_over_x(x))]


@register
class BesselI1e(_FloatUnary):
    """exp(-|x|) I1(x)."""

    device_name = "i1e"
    compute = staticmethod(_bessel_i1e)

    def grad(self, op, dy):
        x = op.inputs[0]
        scale = _math.exp(-_math.abs(x))
        return [dy * (bessel_i0e(x) - _math.sign(x) * op.outputs[0] - scale * _i1_over_x(x))]


def bessel_i0(x, name=None):
    """`tf.math.bessel_i0(x)`: the modified Bessel function of the first kind of order 0."""
    return unary("BesselI0", x, name)


def bessel_i0e(x, name=None):
    """`tf.math.bessel_i0e(x)`: exp(-|x|) * bessel_i0(x), finite for large |x|."""
    return unary("BesselI0e", x, name)


def bessel_i1(x, name=None):
    """`tf.math.bessel_i1(x)`: the modified Bessel function of the first kind of order 1."""
    return unary("BesselI1", x, name)


def bessel_i1e(x, name=None):
    """`tf.math.bessel_i1e(x)`: exp(-|x|) * bessel_i1(x), finite for large |x|."""
    return unary("BesselI1e", x, name)


# --- the error function's relatives ----------------------------------------------------------------
_erf_object = np.frompyfunc(_pymath.erf, 1, 1)
_erfc_object = np.frompyfunc(_pymath.erfc, 1, 1)
_TWO_OVER_SQRT_PI = 2.0 / _pymath.sqrt(_pymath.pi)


def _erf64(x):
    return np.asarray(_erf_object(np.asarray(x, np.float64)), dtype=np.float64)


def _erfc64(x):
    return np.asarray(_erfc_object(np.asarray(x, np.float64)), dtype=np.float64)


def _rough_erfinv(y):
    """A closed-form start for erfinv (relative error about 2e-3) that Newton steps then polish."""
    a = 0.147
    log_term = np.log1p(-y * y)
    first = 2.0 / (np.pi * a) + log_term / 2.0
    return np.sign(y) * np.sqrt(np.sqrt(first * first - log_term / a) - first)


def _erfcinv_upper64(c):
    """z >= 0 with erfc(z) = c for c in (0, 1]: Newton on log erfc, well conditioned even for tiny c."""
    c = np.asarray(c, dtype=np.float64)
    moderate = c > 1e-8
    z = np.where(moderate, _rough_erfinv(np.where(moderate, 1.0 - c, 0.0)),
                 np.sqrt(np.maximum(-np.log(np.maximum(c, _TINY)), 1.0)))
    log_c = np.log(np.maximum(c, np.finfo(np.float64).tiny))
    for _ in range(50):
        tail = _erfc64(z)
        log_tail = np.log(np.maximum(tail, np.finfo(np.float64).tiny))
        slope = -_TWO_OVER_SQRT_PI * np.exp(-z * z - log_tail)
        step = (log_tail - log_c) / slope
        z = np.maximum(z - step, 0.0)
        if np.all(np.abs(step) <= 4 * _EPSILON * np.maximum(np.abs(z), 1.0)):
            break
    return z


def _erfinv_central64(y):
    """erfinv for |y| <= 0.5 by Halley steps on erf(z) - y."""
    z = _rough_erfinv(y)
    for _ in range(4):
        residual = _erf64(z) - y
        ratio = residual / (_TWO_OVER_SQRT_PI * np.exp(-z * z))
        z = z - ratio / (1.0 + z * ratio)
    return z


def _erfinv64(y):
    y = np.asarray(y, dtype=np.float64)
    central = np.abs(y) <= 0.5
    result = np.empty_like(y)
    result[central] = _erfinv_central64(y[central])
    outer = y[~central]
    result[~central] = np.sign(outer) * _erfcinv_upper64(1.0 - np.abs(outer))
    result[y == 1.0], result[y == -1.0] = np.inf, -np.inf
    result[np.abs(y) > 1.0] = np.nan
    return result


def _erfcinv64(c):
    """erfcinv(c) for c in [0, 2]: erfcinv(c) = -erfcinv(2 - c) mirrors the upper half."""
    c = np.asarray(c, dtype=np.float64)
    result = np.empty_like(c)
    lower = c <= 1.0
    result[lower] = _erfcinv_upper64(c[lower])
    result[~lower] = -_erfcinv_upper64(2.0 - c[~lower])
    result[c == 0.0], result[c == 2.0] = np.inf, -np.inf
    result[(c < 0.0) | (c > 2.0) | np.isnan(c)] = np.nan
    return result


def _ndtri64(p):
    """The standard normal quantile: ndtri(p) = -sqrt(2) erfcinv(2p)."""
    return -np.sqrt(2.0) * _erfcinv64(2.0 * np.asarray(p, dtype=np.float64))


@register
class Erfc(_FloatUnary):
    """1 - erf(x), accurate where erf(x) is close to 1."""

    device_name = "erfc"
    compute = staticmethod(_erfc64)

    def grad(self, op, dy):
        x = op.inputs[0]
        return [dy * (-_TWO_OVER_SQRT_PI) * _math.exp(-_math.square(x))]


@register
class Erfinv(_FloatUnary):
    """The inverse of erf on (-1, 1)."""

    device_name = "erfinv"
    compute = staticmethod(_erfinv64)

    def grad(self, op, dy):
        return [dy * (_pymath.sqrt(_pymath.pi) / 2.0) * _math.exp(_math.square(op.outputs[0]))]


@register
class Ndtri(_FloatUnary):
    """The inverse of the standard normal CDF on (0, 1)."""

    device_name = "ndtri"
    compute = staticmethod(_ndtri64)

    def grad(self, op, dy):
        return [dy * _pymath.sqrt(2.0 * _pymath.pi) * _math.exp(0.5 * _math.square(op.outputs[0]))]


def erfc(x, name=None):
    """`tf.math.erfc(x)`: the complementary error function 1 - erf(x) elementwise."""
    return unary("Erfc", x, name)


def erfinv(x, name=None):
    """`tf.math.erfinv(x)`: the inverse error function (+-inf at +-1, NaN outside [-1, 1])."""
    return unary("Erfinv", x, name)


def ndtri(x, name=None):
    """`tf.math.ndtri(x)`: the quantile of the standard normal distribution (+-inf at 1 and 0)."""
    return unary("Ndtri", x, name)


def erfcinv(x, name=None):
    """`tf.math.erfcinv(x)`: the inverse of erfc on [0, 2], -ndtri(x / 2) / sqrt(2)."""
    with name_scope(name, "erfcinv", [x]):
        x = convert_to_tensor(x, name="x")
        return -ndtri(0.5 * x) * (1.0 / _pymath.sqrt(2.0))


# --- inverse hyperbolic functions and atan2 -------------------------------------------------------
@register
class Acosh(UnaryOp):
    """The inverse hyperbolic cosine (NaN below 1)."""

    allowed = _FLOATS

    def kernel(self, op, ctx):
        return _special_kernel(op, ctx, np.arccosh, None)

    def grad(self, op, dy):
        x = op.inputs[0]
        return [dy / _math.sqrt(_math.square(x) - 1.0)]


@register
class Asinh(UnaryOp):
    """The inverse hyperbolic sine."""

    allowed = _FLOATS

    def kernel(self, op, ctx):
        return _special_kernel(op, ctx, np.arcsinh, None)

    def grad(self, op, dy):
        x = op.inputs[0]
        return [dy / _math.sqrt(_math.square(x) + 1.0)]


@register
class Atanh(UnaryOp):
    """The inverse hyperbolic tangent (+-inf at +-1, NaN beyond)."""

    allowed = _FLOATS

    def kernel(self, op, ctx):
        return _special_kernel(op, ctx, np.arctanh, None)

    def grad(self, op, dy):
        x = op.inputs[0]
        return [dy / (1.0 - _math.square(x))]


@register
class Atan2(_FloatBinary):
    """The angle of the point (x, y), arctan(y / x) in the right quadrant."""

    compute = staticmethod(np.arctan2)

    def grad(self, op, dz):
        y, x = op.inputs
        scale = dz / (_math.square(x) + _math.square(y))
        return [sum_to_shape_of(scale * x, y), sum_to_shape_of(-scale * y, x)]


def acosh(x, name=None):
    """`tf.math.acosh(x)`: the inverse hyperbolic cosine elementwise."""
    return unary("Acosh", x, name)


def asinh(x, name=None):
    """`tf.math.asinh(x)`: the inverse hyperbolic sine elementwise."""
    return unary("Asinh", x, name)


def atanh(x, name=None):
    """`tf.math.atanh(x)`: the inverse hyperbolic tangent elementwise."""
    return unary("Atanh", x, name)


def atan2(y, x, name=None):
    """`tf.math.atan2(y, x)`: the angle in radians between the positive x axis and the point (x, y),
    elementwise with broadcasting, in [-pi, pi]."""
    return binary("Atan2", y, x, name)


# --- products that are zero where the first factor is ---------------------------------------------
def _xlogy64(x, y):
    return np.where(x == 0, 0.0, x * np.log(y))


def _xdivy64(x, y):
    return np.where(x == 0, 0.0, x / y)


def _xlog1py64(x, y):
    return np.where(x == 0, 0.0, x * np.log1p(y))


def _mul_no_nan64(x, y):
    return np.where(y == 0, 0.0, x * y)


def _nonzero_indicator(x):
    return _math.cast(_math.not_equal(x, _array.zeros_like(x)), x.dtype)


class _SafeProduct(BinaryOp):
    """x * f(y) with the result 0 wherever x is 0, even if f(y) is inf or NaN."""

    allowed = _FLOATS

    def kernel(self, op, ctx):
        return _special_kernel(op, ctx, type(self).compute, None)


@register
class Xlogy(_SafeProduct):
    """x * log(y), 0 where x == 0."""

    compute = staticmethod(_xlogy64)

    def grad(self, op, dz):
        x, y = op.inputs
        return [sum_to_shape_of(dz * xlogy(_nonzero_indicator(x), y), x),
                sum_to_shape_of(dz * xdivy(x, y), y)]


@register
class Xdivy(_SafeProduct):
    """x / y, 0 where x == 0."""

    compute = staticmethod(_xdivy64)

    def grad(self, op, dz):
        x, y = op.inputs
        return [sum_to_shape_of(dz * xdivy(_nonzero_indicator(x), y), x),
                sum_to_shape_of(dz * xdivy(-x, _math.square(y)), y)]


@register
class Xlog1py(_SafeProduct):
    """x * log1p(y), 0 where x == 0."""

    compute = staticmethod(_xlog1py64)

    def grad(self, op, dz):
        x, y = op.inputs
        return [sum_to_shape_of(dz * xlog1py(_nonzero_indicator(x), y), x),
                sum_to_shape_of(dz * xdivy(x, y + 1.0), y)]


@register
class MulNoNan(_SafeProduct):
    """x * y, 0 where y == 0 even if x is inf or NaN."""

    compute = staticmethod(_mul_no_nan64)

    def grad(self, op, dz):
        x, y = op.inputs
        return [sum_to_shape_of(multiply_no_nan(dz, y), x), sum_to_shape_of(multiply_no_nan(x, dz), y)]


def xlogy(x, y, name=None):
    """`tf.math.xlogy(x, y)`: x * log(y), and 0 wherever x == 0 (even where log(y) is -inf)."""
    return binary("Xlogy", x, y, name)


def xdivy(x, y, name=None):
    """`tf.math.xdivy(x, y)`: x / y, and 0 wherever x == 0 (even where y == 0)."""
    return binary("Xdivy", x, y, name)


def xlog1py(x, y, name=None):
    """`tf.math.xlog1py(x, y)`: x * log1p(y), and 0 wherever x == 0."""
    return binary("Xlog1py", x, y, name)


def multiply_no_nan(x, y, name=None):
    """`tf.math.multiply_no_nan(x, y)`: x * y, and 0 wherever y == 0 (even where x is inf or NaN)."""
    return binary("MulNoNan", x, y, name)


def reciprocal_no_nan(x, name=None):
    """`tf.math.reciprocal_no_nan(x)`: 1 / x, and 0 where x == 0."""
    with name_scope(name, "reciprocal_no_nan", [x]):
        x = convert_to_tensor(x, name="x")
        return _math.div_no_nan(_array.ones_like(x), x)


# --- small compositions of tf.math ----------------------------------------------------------------
def log_sigmoid(x, name=None):
    """`tf.math.log_sigmoid(x)`: log(1 / (1 + exp(-x))) computed stably as -softplus(-x)."""
    from .nn import softplus
    with name_scope(name, "LogSigmoid", [x]):
        x = convert_to_tensor(x, name="x")
        return -softplus(-x)


@register
class NextAfter(_FloatBinary):
    """The next representable value after x1 in the direction of x2."""

    allowed = (dtypes.float32, dtypes.float64)
    differentiable = False

    def kernel(self, op, ctx):
        return np.nextafter


def nextafter(x1, x2, name=None):
    """`tf.math.nextafter(x1, x2)`: the next representable value of x1's dtype after x1 towards x2
    (float32 and float64). Not differentiable."""
    return binary("NextAfter", x1, x2, name)


def _cumulative_logsumexp64(x, axis, exclusive, reverse):
    x = np.asarray(x, dtype=np.float64)
    if reverse:
        x = np.flip(x, axis)
    result = np.logaddexp.accumulate(x, axis=axis) if x.shape[axis] else x.copy()
    if exclusive:
        result = np.concatenate([np.full_like(np.take(result, [0], axis=axis), -np.inf),
                                 np.delete(result, -1, axis=axis)], axis=axis) if x.shape[axis] else result
    return np.flip(result, axis) if reverse else result


@register
class CumulativeLogsumexp(OpDef):
    """log(cumsum(exp(x))) along an axis, accumulated pairwise in log space (np.logaddexp)."""

    host_only = True        # np.logaddexp.accumulate: ufunc accumulation that CuPy does not provide

    def infer(self, op):
        x = op.inputs[0]
        check_dtype(x, _FLOATS, "CumulativeLogsumexp")
        if x.shape.ndims is not None and not -max(x.shape.ndims, 1) <= op.attrs["axis"] < max(x.shape.ndims, 1):
            raise ValueError("axis %d is out of range for input of rank %d" % (op.attrs["axis"], x.shape.ndims))
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        axis, exclusive, reverse = op.attrs["axis"], op.attrs["exclusive"], op.attrs["reverse"]
        dtype = op.outputs[0].dtype.np

        def cumulative(x):
            with np.errstate(all="ignore"):
                return _cumulative_logsumexp64(x, axis, exclusive, reverse).astype(dtype)
        return cumulative

    def grad(self, op, dy):
        x, out = op.inputs[0], op.outputs[0]
        attrs = dict(op.attrs)
        attrs["reverse"] = not attrs["reverse"]
        # d out_i / d x_j = exp(x_j - out_i) over the prefixes containing j; the sum over i runs the other
        # way, and is taken in log space separately for the positive and negative parts of dy.
        def part(weights):
            positive = _math.greater(weights, _array.zeros_like(weights))
            safe = _math.where(positive, weights, _array.ones_like(weights))
            log_weights = _math.where(positive, _math.log(safe), -np.inf * _array.ones_like(weights)) - out
            return _math.exp(x + make_tensor("CumulativeLogsumexp", [log_weights], attrs))
        return [part(dy) - part(-dy)]


def cumulative_logsumexp(x, axis=0, exclusive=False, reverse=False, name=None):
    """`tf.math.cumulative_logsumexp(x, axis=0, exclusive=False, reverse=False)`: log(cumsum(exp(x)))
    along `axis`, accumulated in log space so that neither large nor very different values overflow or
    vanish (-inf for an empty exclusive prefix)."""
    x = convert_to_tensor(x, name="x")
    return make_tensor("CumulativeLogsumexp", [x], {"axis": int(axis), "exclusive": bool(exclusive),
                                                    "reverse": bool(reverse)}, name=name or "CumulativeLogsumexp")


def _ordered_pairs(x, strict, name, default_name):
    with name_scope(name, default_name, [x]):
        x = _array.reshape(convert_to_tensor(x, name="x"), [-1])
        later, earlier = x[1:], x[:-1]
        compare = _math.greater if strict else _math.greater_equal
        return _math.reduce_all(compare(later, earlier))


def is_non_decreasing(x, name=None):
    """`tf.math.is_non_decreasing(x)`: True if x, flattened in row-major order, never decreases
    (True for fewer than two elements)."""
    return _ordered_pairs(x, False, name, "is_non_decreasing")


def is_strictly_increasing(x, name=None):
    """`tf.math.is_strictly_increasing(x)`: True if x, flattened in row-major order, always increases
    (True for fewer than two elements)."""
    return _ordered_pairs(x, True, name, "is_strictly_increasing")


def polyval(coeffs, x, name=None):
    """`tf.math.polyval(coeffs, x)`: the polynomial coeffs[0] * x^(n-1) + ... + coeffs[n-1] by Horner's
    rule; `coeffs` is a list of tensors broadcasting against x (0 for an empty list)."""
    if not isinstance(coeffs, (list, tuple)):
        raise ValueError("Argument coeffs must be list type found %s." % type(coeffs))
    with name_scope(name, "polyval", list(coeffs) + [x]):
        x = convert_to_tensor(x, name="x")
        if not coeffs:
            return _array.zeros_like(x)
        result = convert_to_tensor(coeffs[0], dtype=x.dtype)
        for coefficient in coeffs[1:]:
            result = result * x + convert_to_tensor(coefficient, dtype=x.dtype)
        return result


def zero_fraction(value, name=None):
    """`tf.math.zero_fraction(value)`: the fraction of elements of `value` that are zero, a float32
    scalar (NaN for an empty tensor)."""
    with name_scope(name, "zero_fraction", [value]):
        value = convert_to_tensor(value, name="value")
        zeros = _math.cast(_math.equal(value, _array.zeros_like(value)), dtypes.float32)
        return _math.reduce_mean(zeros)


# --- complex numbers ------------------------------------------------------------------------------
_COMPLEX_OF = {dtypes.float32: dtypes.complex64, dtypes.float64: dtypes.complex128}
_REAL_OF = {dtypes.complex64: dtypes.float32, dtypes.complex128: dtypes.float64}


@register
class Complex(BinaryOp):
    """real + 1j * imag."""

    allowed = (dtypes.float32, dtypes.float64)

    def infer(self, op):
        (_, shape), = super().infer(op)
        return [(_COMPLEX_OF[op.inputs[0].dtype], shape)]

    def kernel(self, op, ctx):
        dtype = op.outputs[0].dtype.np
        xp = ctx.xp

        def complex_(re, im):
            out = xp.empty(np.broadcast_shapes(np.shape(re), np.shape(im)), dtype=dtype)
            out.real[...] = re     # through the views: device arrays cannot have .real assigned
            out.imag[...] = im
            return out
        return complex_

    def grad(self, op, dz):
        re, im = op.inputs
        return [sum_to_shape_of(real(dz), re), sum_to_shape_of(imag(dz), im)]


class _ComplexPart(OpDef):
    """A real part of a complex tensor (a real tensor passes through `real` unchanged)."""

    part = None

    def infer(self, op):
        x = op.inputs[0]
        return [(_REAL_OF.get(x.dtype, x.dtype), x.shape)]

    def kernel(self, op, ctx):
        dtype, part, xp = op.outputs[0].dtype.np, type(self).part, ctx.xp
        return lambda x: xp.asarray(part(x), dtype=dtype)


@register
class Real(_ComplexPart):
    """The real part."""

    part = staticmethod(np.real)

    def grad(self, op, dy):
        x = op.inputs[0]
        return [complex(dy, _array.zeros_like(dy)) if x.dtype.is_complex else dy]


@register
class Imag(_ComplexPart):
    """The imaginary part."""

    part = staticmethod(np.imag)

    def grad(self, op, dy):
        # TF's convention: the gradient of a real loss L in z is dL/dRe(z) + 1j dL/dIm(z).
        return [complex(_array.zeros_like(dy), dy)]


@register
class Angle(_ComplexPart):
    """The argument atan2(imag, real)."""

    part = staticmethod(np.angle)

    def grad(self, op, dy):
        z = op.inputs[0]
        re, im = real(z), imag(z)
        scale = dy / (_math.square(re) + _math.square(im))
        return [complex(-im * scale, re * scale)]


@register
class Conj(UnaryOp):
    """The complex conjugate (real tensors unchanged)."""

    def kernel(self, op, ctx):
        return np.conj

    def grad(self, op, dy):
        return [conj(dy)]


def complex(real, imag, name=None):  # noqa: A001 - TF's name
    """`tf.complex(real, imag)`: real + 1j * imag; float32 parts give complex64, float64 complex128."""
    return binary("Complex", real, imag, name)


def _complex_part(op_type, x, name):
    x = convert_to_tensor(x, name="input")
    return make_tensor(op_type, [x], name=name or op_type)


def real(input, name=None):  # noqa: A002 - TF's argument name
    """`tf.math.real(input)`: the real part of a complex tensor (a real tensor unchanged)."""
    x = convert_to_tensor(input, name="input")
    return x if not x.dtype.is_complex else _complex_part("Real", x, name)


def imag(input, name=None):  # noqa: A002 - TF's argument name
    """`tf.math.imag(input)`: the imaginary part of a complex tensor (zeros for a real one)."""
    x = convert_to_tensor(input, name="input")
    return _array.zeros_like(x) if not x.dtype.is_complex else _complex_part("Imag", x, name)


def angle(input, name=None):  # noqa: A002 - TF's argument name
    """`tf.math.angle(input)`: the argument of each complex element in (-pi, pi] (0 or pi for reals)."""
    x = convert_to_tensor(input, name="input")
    if not x.dtype.is_complex:
        return _math.where(_math.less(x, _array.zeros_like(x)), _pymath.pi * _array.ones_like(x),
                           _array.zeros_like(x))
    return _complex_part("Angle", x, name)


def conj(x, name=None):
    """`tf.math.conj(x)`: the complex conjugate (a real tensor unchanged)."""
    x = convert_to_tensor(x, name="x")
    return x if not x.dtype.is_complex else make_tensor("Conj", [x], name=name or "Conj")


@register
class ComplexAbs(_ComplexPart):
    """The magnitude |z| of each complex element."""

    part = staticmethod(np.abs)

    def grad(self, op, dy):
        z, magnitude = op.inputs[0], op.outputs[0]
        # d|z| = Re(conj(z) dz) / |z|: in TF's convention the gradient is dy * z / |z| (0 at z = 0).
        scale = _math.div_no_nan(dy, magnitude)
        return [complex(real(z) * scale, imag(z) * scale)]


def complex_abs(x, name=None):
    """`tf.abs` of a complex tensor: the real magnitude sqrt(re^2 + im^2) elementwise."""
    return _complex_part("ComplexAbs", convert_to_tensor(x, name="x"), name)
