"""tf.math special functions: values against Python's math module (SciPy where installed), identities,
edge cases, dtypes and finite-difference gradients."""
import math

import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients, evaluate

RNG = np.random.RandomState(7)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def scalar_reference(fn, *arrays):
    return np.vectorize(fn, otypes=[np.float64])(*arrays)


def _digamma_reference(x):
    """psi(x) from its series: -gamma + sum_k (1/(k+1) - 1/(k+x)), accelerated by recurrence and the
    asymptotic tail computed independently of numflow's coefficients."""
    result = 0.0
    while x < 30:
        result -= 1.0 / x
        x += 1.0
    return result + math.log(x) - 1 / (2 * x) - 1 / (12 * x ** 2) + 1 / (120 * x ** 4) - 1 / (252 * x ** 6)


def _zeta_reference(s, q, terms=200000):
    """Direct summation with an integral tail: independent of Euler-Maclaurin."""
    k = np.arange(terms, dtype=np.float64)
    head = np.sum((q + k) ** -s)
    tail_start = q + terms
    return head + tail_start ** (1 - s) / (s - 1) + 0.5 * tail_start ** -s


def _lower_gamma_reference(a, x):
    """P(a, x) by numerically integrating t^(a-1) e^-t with Simpson's rule (a >= 1)."""
    t = np.linspace(0.0, x, 20001)
    f = np.exp((a - 1) * np.log(np.maximum(t, 1e-300)) - t - math.lgamma(a))
    h = t[1] - t[0]
    return h / 3 * (f[0] + f[-1] + 4 * f[1:-1:2].sum() + 2 * f[2:-1:2].sum())


def _betainc_reference(a, b, x):
    """I_x(a, b) by Simpson's rule on the Beta density (a, b >= 1)."""
    t = np.linspace(0.0, x, 20001)
    f = np.exp((a - 1) * np.log(np.maximum(t, 1e-300)) + (b - 1) * np.log1p(-np.minimum(t, 1 - 1e-16))
               - (math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)))
    h = t[1] - t[0]
    return h / 3 * (f[0] + f[-1] + 4 * f[1:-1:2].sum() + 2 * f[2:-1:2].sum())


def test_lgamma_matches_math_including_negative_and_poles():
    x = np.array([0.1, 0.5, 1.0, 2.0, 3.7, 10.0, 170.5, -0.5, -2.3], np.float64)
    np.testing.assert_allclose(evaluate(tf.lgamma, [x]), scalar_reference(math.lgamma, x), rtol=1e-14)
    assert np.all(np.isposinf(evaluate(tf.lgamma, [np.array([0.0, -1.0, -4.0])])))
    out32 = evaluate(tf.math.lgamma, [x.astype(np.float32)])
    assert out32.dtype == np.float32


def test_digamma_values_and_poles():
    x = np.array([1e-3, 0.25, 1.0, 2.5, 7.0, 44.0, -0.5, -3.75])
    expected = [_digamma_reference(v) if v > 0 else
                _digamma_reference(1 - v) - math.pi / math.tan(math.pi * v) for v in x]
    np.testing.assert_allclose(evaluate(tf.digamma, [x]), expected, rtol=1e-12)
    assert abs(evaluate(tf.digamma, [np.array(1.0)]) + 0.5772156649015329) < 1e-15
    assert np.isnan(evaluate(tf.digamma, [np.array([0.0, -2.0])])).all()


def test_polygamma_and_zeta():
    assert evaluate(lambda x: tf.math.zeta(x, tf.ones_like(x)), [np.array(2.0)]) == pytest.approx(math.pi ** 2 / 6,
                                                                                                rel=1e-14)
    assert evaluate(lambda x: tf.math.zeta(x, tf.ones_like(x)), [np.array(4.0)]) == pytest.approx(math.pi ** 4 / 90,
                                                                                                rel=1e-14)
    s, q = np.array([2.5, 3.0, 6.0, 1.5]), np.array([0.3, 4.2, 1.5, 20.0])
    expected = [_zeta_reference(a, b) for a, b in zip(s, q)]
    np.testing.assert_allclose(evaluate(tf.zeta, [s, q]), expected, rtol=1e-9)
    special = evaluate(tf.zeta, [np.array([1.0, 0.5, 2.0, 2.5]), np.array([2.0, 2.0, -3.0, -1.5])])
    assert np.isinf(special[0]) and np.isnan(special[1]) and np.isinf(special[2]) and np.isnan(special[3])
    # polygamma(1, x) is the trigamma function, zeta(2, x); polygamma(0, .) is digamma.
    n, x = np.array([0.0, 1.0, 1.0, 2.0, 3.0]), np.array([2.5, 1.0, 0.5, 1.0, 2.0])
    expected = [_digamma_reference(2.5), math.pi ** 2 / 6, math.pi ** 2 / 2, -2 * 1.2020569031595942,
                6 * (math.pi ** 4 / 90 - 1)]
    np.testing.assert_allclose(evaluate(tf.polygamma, [n, x]), expected, rtol=1e-12)
    assert np.isnan(evaluate(tf.polygamma, [np.array([0.5, -1.0]), np.array([1.0, 1.0])])).all()


def test_incomplete_gamma_values():
    a = np.array([0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 40.0])
    x = np.array([0.3, 2.0, 1.0, 6.0, 10.0, 9.0, 35.0])
    p, q = evaluate(lambda a_, x_: [tf.igamma(a_, x_), tf.igammac(a_, x_)], [a, x])
    exact = [math.erf(math.sqrt(0.3)), 1 - math.exp(-2.0), 1 - 2 * math.exp(-1.0)]
    np.testing.assert_allclose(p[:3], exact, rtol=1e-14)
    np.testing.assert_allclose(p[3:], [_lower_gamma_reference(ai, xi) for ai, xi in zip(a[3:], x[3:])], rtol=1e-8)
    np.testing.assert_allclose(p + q, 1.0, rtol=1e-14)
    # Q keeps its precision deep in the tail where 1 - P would round to 0.
    tail = evaluate(tf.igammac, [np.array([1.0]), np.array([50.0])])
    np.testing.assert_allclose(tail, [math.exp(-50.0)], rtol=1e-12)
    edges = evaluate(tf.igamma, [np.array([2.0, 2.0, -1.0, 1.0]), np.array([0.0, np.inf, 1.0, -1.0])])
    assert edges[0] == 0.0 and edges[1] == 1.0 and np.isnan(edges[2:]).all()


def test_betainc_values_symmetry_and_domain():
    a, b, x = np.array([1.0, 2.0, 3.0, 5.0, 2.5]), np.array([1.0, 3.0, 2.0, 2.0, 4.0]), \
        np.array([0.3, 0.4, 0.5, 0.9, 0.05])
    out = evaluate(tf.betainc, [a, b, x])
    np.testing.assert_allclose(out, [_betainc_reference(*v) for v in zip(a, b, x)], rtol=1e-8)
    mirrored = evaluate(lambda a_, b_, x_: 1.0 - tf.betainc(b_, a_, 1.0 - x_), [a, b, x])
    np.testing.assert_allclose(out, mirrored, rtol=1e-12)
    edges = evaluate(tf.betainc, [np.array([2.0, 2.0, -1.0, 2.0]), np.array([3.0, 3.0, 1.0, 2.0]),
                                  np.array([0.0, 1.0, 0.5, 1.5])])
    assert edges[0] == 0.0 and edges[1] == 1.0 and np.isnan(edges[2:]).all()
    # Scalars a and b broadcast against x.
    assert run(tf.betainc(2.0, 3.0, tf.constant([0.5, 0.2]))).shape == (2,)


def test_betainc_shape_and_dtype_errors():
    with pytest.raises(ValueError, match="Shapes of a, b and x are inconsistent"):
        tf.betainc(tf.ones([2]), tf.ones([3]), tf.ones([2]))
    with pytest.raises(ValueError, match="requested dtype float32 for Tensor with dtype float64"):
        tf.betainc(tf.ones([2]), tf.ones([2], tf.float64), tf.ones([2]))
    with pytest.raises(TypeError, match="Betainc"):
        tf.betainc(tf.ones([2], tf.float16), tf.ones([2], tf.float16), tf.ones([2], tf.float16))


def _bessel_series(order, x, terms=300):
    if x == 0:
        return 1.0 if order == 0 else 0.0
    return sum(math.exp((2 * k + order) * math.log(x / 2) - math.lgamma(k + 1) - math.lgamma(k + order + 1))
               for k in range(terms))


def test_bessel_functions_match_series_and_numpy():
    x = np.array([0.0, 0.3, -1.5, 4.0, 29.0, 31.0, -45.0, 120.0])
    np.testing.assert_allclose(evaluate(tf.math.bessel_i0, [x]), np.i0(x), rtol=1e-13)
    i1 = [_bessel_series(1, abs(v)) * np.sign(v) for v in x[:7]]
    np.testing.assert_allclose(evaluate(tf.math.bessel_i1, [x[:7]]), i1, rtol=1e-12)
    scaled0 = evaluate(tf.math.bessel_i0e, [x])
    np.testing.assert_allclose(scaled0, np.i0(x) * np.exp(-np.abs(x)), rtol=1e-12)
    scaled1 = evaluate(tf.math.bessel_i1e, [x[:7]])
    np.testing.assert_allclose(scaled1, np.array(i1) * np.exp(-np.abs(x[:7])), rtol=1e-12)
    # Scaled versions stay finite where the plain ones overflow.
    big = evaluate(tf.math.bessel_i0e, [np.array([1000.0, 1e6])])
    np.testing.assert_allclose(big, 1 / np.sqrt(2 * np.pi * np.array([1000.0, 1e6])), rtol=1e-3)


def test_erfc_erfinv_ndtri():
    x = np.array([-3.0, -0.5, 0.0, 0.7, 5.0, 10.0])
    np.testing.assert_allclose(evaluate(tf.math.erfc, [x]), scalar_reference(math.erfc, x), rtol=1e-15)
    y = np.array([-0.999999, -0.4, 0.0, 1e-20, 0.3, 0.75, 1 - 1e-13])
    z = evaluate(tf.math.erfinv, [y])
    np.testing.assert_allclose(scalar_reference(math.erf, z), y, rtol=1e-14, atol=1e-16)
    assert z[3] == pytest.approx(1e-20 * math.sqrt(math.pi) / 2, rel=1e-12)
    edges = evaluate(tf.math.erfinv, [np.array([1.0, -1.0, 1.5])])
    assert edges[0] == np.inf and edges[1] == -np.inf and np.isnan(edges[2])
    p = np.array([1e-300, 1e-12, 0.025, 0.5, 0.975, 1 - 1e-12])
    q = evaluate(tf.math.ndtri, [p])
    cdf = scalar_reference(lambda v: 0.5 * math.erfc(-v / math.sqrt(2)), q)
    np.testing.assert_allclose(cdf, p, rtol=1e-10)
    assert q[2] == pytest.approx(-1.959963984540054, rel=1e-14)
    c = np.array([1e-200, 0.3, 1.0, 1.7])
    np.testing.assert_allclose(scalar_reference(math.erfc, evaluate(tf.math.erfcinv, [c])), c, rtol=1e-10)


def test_inverse_hyperbolics_and_atan2():
    x = RNG.uniform(1.1, 4.0, size=5)
    np.testing.assert_allclose(evaluate(tf.acosh, [x]), np.arccosh(x), rtol=1e-14)
    x = RNG.uniform(-3, 3, size=5)
    np.testing.assert_allclose(evaluate(tf.asinh, [x]), np.arcsinh(x), rtol=1e-14)
    x = RNG.uniform(-0.9, 0.9, size=5)
    np.testing.assert_allclose(evaluate(tf.atanh, [x]), np.arctanh(x), rtol=1e-14)
    y, x = RNG.randn(3, 4), RNG.randn(4)
    out = evaluate(tf.atan2, [y, x])
    assert out.shape == (3, 4)
    np.testing.assert_allclose(out, np.arctan2(y, x), rtol=1e-14)


def test_safe_products():
    x = np.array([0.0, 0.0, 2.0, 3.0, 0.0])
    y = np.array([0.0, np.inf, 3.0, 0.5, np.nan])
    xlogy, xdivy, xlog1py, mul = evaluate(lambda a, b: [tf.math.xlogy(a, b), tf.math.xdivy(a, b),
                                                        tf.math.xlog1py(a, b), tf.math.multiply_no_nan(b, a)], [x, y])
    np.testing.assert_array_equal(xlogy, [0, 0, 2 * math.log(3), 3 * math.log(0.5), 0])
    np.testing.assert_array_equal(xdivy, [0, 0, 2 / 3, 6, 0])
    np.testing.assert_allclose(xlog1py, [0, 0, 2 * math.log(4), 3 * math.log(1.5), 0], rtol=1e-15)
    np.testing.assert_array_equal(mul, [0, 0, 6, 1.5, 0])   # y * x with x == 0 wins over inf and NaN
    np.testing.assert_array_equal(run(tf.math.reciprocal_no_nan(tf.constant([0.0, 4.0]))), [0.0, 0.25])


def test_compositions():
    x = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, 4.0]])
    expected = [math.lgamma(1) + math.lgamma(2) + math.lgamma(3) - math.lgamma(6),
                2 * math.lgamma(0.5) + math.lgamma(4) - math.lgamma(5)]
    np.testing.assert_allclose(evaluate(tf.lbeta, [x]), expected, rtol=1e-14)
    logits = np.array([-800.0, -2.0, 0.0, 30.0])
    np.testing.assert_allclose(evaluate(tf.log_sigmoid, [logits]), -np.logaddexp(0, -logits), rtol=1e-14)
    values = np.array([[1.0, 900.0, 2.0], [-5.0, 0.0, 3.0]])
    out = evaluate(lambda v: tf.math.cumulative_logsumexp(v, axis=1), [values])
    np.testing.assert_allclose(out, np.logaddexp.accumulate(values, axis=1), rtol=1e-14)
    out = evaluate(lambda v: tf.math.cumulative_logsumexp(v, axis=0, exclusive=True, reverse=True), [values])
    np.testing.assert_allclose(out, [[-5.0, 0.0, 3.0], [-np.inf, -np.inf, -np.inf]])
    checks = run([tf.math.is_non_decreasing([1, 1, 2]), tf.math.is_strictly_increasing([1, 1, 2]),
                  tf.math.is_strictly_increasing([[1, 2], [3, 4]]), tf.math.is_non_decreasing([3, 2]),
                  tf.math.is_non_decreasing(tf.zeros([0]))])
    assert [bool(c) for c in checks] == [True, False, True, False, True]
    p = run(tf.math.polyval([2.0, tf.constant(-1.0), 3.0], tf.constant([0.0, 1.0, 2.0])))
    np.testing.assert_array_equal(p, [3.0, 4.0, 9.0])
    with pytest.raises(ValueError, match="coeffs must be list"):
        tf.math.polyval(tf.constant([1.0]), 2.0)
    assert run(tf.math.zero_fraction(tf.constant([0, 1, 0, 3]))) == pytest.approx(0.5)
    after = run(tf.math.nextafter(tf.constant([1.0, 1.0], tf.float64), tf.constant([2.0, 0.0], tf.float64)))
    np.testing.assert_array_equal(after, np.nextafter([1.0, 1.0], [2.0, 0.0]))


def test_complex_parts():
    re, im = np.array([1.0, -2.0, 0.0]), np.array([0.5, 0.0, -3.0])
    z = evaluate(lambda a, b: tf.complex(a, b), [re, im])
    assert z.dtype == np.complex128
    np.testing.assert_array_equal(z, re + 1j * im)
    parts = evaluate(lambda a, b: [tf.real(tf.complex(a, b)), tf.imag(tf.complex(a, b)),
                                   tf.math.angle(tf.complex(a, b)), tf.conj(tf.complex(a, b))], [re, im])
    np.testing.assert_array_equal(parts[0], re)
    np.testing.assert_array_equal(parts[1], im)
    np.testing.assert_allclose(parts[2], np.angle(re + 1j * im))
    np.testing.assert_array_equal(parts[3], re - 1j * im)
    assert evaluate(lambda a, b: tf.complex(a, b), [re.astype(np.float32), im.astype(np.float32)]).dtype == \
        np.complex64
    np.testing.assert_allclose(run(tf.math.angle(tf.constant([-1.0, 2.0]))), [math.pi, 0.0], rtol=1e-7)
    np.testing.assert_array_equal(run(tf.imag(tf.constant([1.0]))), [0.0])
    magnitude = evaluate(lambda a, b: tf.abs(tf.complex(a, b)), [re, im])
    assert magnitude.dtype == np.float64
    np.testing.assert_allclose(magnitude, np.abs(re + 1j * im), rtol=1e-15)


def test_special_function_dtype_errors():
    with pytest.raises(TypeError, match="lgamma|Lgamma"):
        tf.lgamma(tf.constant([1, 2]))
    with pytest.raises(TypeError, match="Complex"):
        tf.complex(tf.constant([1]), tf.constant([2]))
    with pytest.raises(TypeError, match="does not match type"):
        tf.igamma(tf.constant([1.0]), tf.constant([1.0], tf.float64))


GRADIENT_CASES = [
    ("lgamma", lambda x: tf.lgamma(x), [RNG.uniform(0.5, 4.0, (2, 3))]),
    ("digamma", lambda x: tf.digamma(x), [RNG.uniform(0.5, 4.0, (2, 3))]),
    ("polygamma_x", lambda x: tf.polygamma(tf.constant([1.0, 2.0], tf.float64), x), [RNG.uniform(0.5, 3.0, 2)]),
    ("zeta_q", lambda q: tf.zeta(tf.constant([2.5, 3.0], tf.float64), q), [RNG.uniform(0.5, 3.0, 2)]),
    ("igamma", lambda a, x: tf.igamma(a, x), [RNG.uniform(0.5, 4.0, 3), RNG.uniform(0.5, 6.0, 3)]),
    ("igammac", lambda a, x: tf.igammac(a, x), [RNG.uniform(0.5, 4.0, 3), RNG.uniform(0.5, 6.0, 3)]),
    ("betainc_x", lambda x: tf.betainc(tf.constant([2.0, 0.7], tf.float64), tf.constant([3.0, 1.5], tf.float64), x),
     [np.array([0.3, 0.6])]),
    ("bessel_i0", lambda x: tf.math.bessel_i0(x), [np.array([-2.0, 0.4, 3.0])]),
    ("bessel_i0e", lambda x: tf.math.bessel_i0e(x), [np.array([-2.0, 0.4, 3.0])]),
    ("bessel_i1", lambda x: tf.math.bessel_i1(x), [np.array([-2.0, 0.4, 3.0, 0.0])]),
    ("bessel_i1e", lambda x: tf.math.bessel_i1e(x), [np.array([-2.0, 0.4, 3.0, 0.0])]),
    ("erfc", lambda x: tf.erfc(x), [RNG.uniform(-2, 2, 4)]),
    ("erfinv", lambda x: tf.math.erfinv(x), [RNG.uniform(-0.9, 0.9, 4)]),
    ("ndtri", lambda x: tf.math.ndtri(x), [RNG.uniform(0.05, 0.95, 4)]),
    ("erfcinv", lambda x: tf.math.erfcinv(x), [RNG.uniform(0.1, 1.9, 4)]),
    ("acosh", lambda x: tf.acosh(x), [RNG.uniform(1.2, 3, 4)]),
    ("asinh", lambda x: tf.asinh(x), [RNG.uniform(-3, 3, 4)]),
    ("atanh", lambda x: tf.atanh(x), [RNG.uniform(-0.8, 0.8, 4)]),
    ("atan2", lambda y, x: tf.atan2(y, x), [RNG.randn(2, 3), RNG.randn(3)]),
    ("xlogy", lambda x, y: tf.math.xlogy(x, y), [RNG.uniform(0.5, 2, 4), RNG.uniform(0.5, 2, 4)]),
    ("xdivy", lambda x, y: tf.math.xdivy(x, y), [RNG.uniform(0.5, 2, 4), RNG.uniform(0.5, 2, 4)]),
    ("xlog1py", lambda x, y: tf.math.xlog1py(x, y), [RNG.uniform(0.5, 2, 4), RNG.uniform(0.5, 2, 4)]),
    ("multiply_no_nan", lambda x, y: tf.math.multiply_no_nan(x, y), [RNG.randn(4), RNG.randn(4)]),
    ("lbeta", lambda x: tf.lbeta(x), [RNG.uniform(0.5, 3, (2, 3))]),
    ("log_sigmoid", lambda x: tf.log_sigmoid(x), [RNG.randn(4)]),
    ("cumulative_logsumexp", lambda x: tf.math.cumulative_logsumexp(x, axis=1), [RNG.randn(2, 3)]),
    ("complex_parts", lambda a, b: tf.real(tf.complex(a * b, b)) * tf.imag(tf.conj(tf.complex(a, b * b))) +
     tf.math.angle(tf.complex(a, b)), [RNG.randn(3), RNG.randn(3)]),
    ("complex_abs", lambda a, b: tf.abs(tf.complex(a, b)), [RNG.randn(3), RNG.randn(3)]),
]


@pytest.mark.parametrize("name,build,inputs", GRADIENT_CASES, ids=[c[0] for c in GRADIENT_CASES])
def test_special_math_gradients(name, build, inputs):
    check_gradients(build, inputs, rtol=1e-5, atol=1e-7)


def test_gradients_that_tf_leaves_undefined_are_none():
    a, x = tf.placeholder(tf.float64, [2]), tf.placeholder(tf.float64, [2])
    assert tf.gradients(tf.polygamma(a, x), a) == [None]
    assert tf.gradients(tf.zeta(a, x), a) == [None]
    assert tf.gradients(tf.betainc(a, a, x), a) == [None]
    grad = tf.gradients(tf.math.xlogy(x, a), x)[0]
    assert np.array_equal(run(grad, {x: [0.0, 2.0], a: [0.0, np.e]}), [0.0, 1.0])
