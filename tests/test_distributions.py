"""tf.distributions: statistics vs closed forms (Python's math), KL divergences, seeded sample moments,
finite-difference gradients of log_prob, and validate_args / allow_nan_stats errors."""
import math

import numpy as np
import pytest

import numflow as tf
from numflow.framework import errors
from gradcheck import check_gradients

tfd = tf.distributions


def run(fetches, feed_dict=None):
    with tf.Session() as session:
        return session.run(fetches, feed_dict)


def digamma(x):
    """psi(x) by recurrence to x >= 6 then the asymptotic series."""
    result = 0.0
    while x < 6.0:
        result -= 1.0 / x
        x += 1.0
    inv2 = 1.0 / (x * x)
    return result + math.log(x) - 0.5 / x - inv2 * (1 / 12. - inv2 * (1 / 120. - inv2 * (1 / 252. - inv2 / 240.)))


def log_beta(a, b):
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def integrate(f, low, high, steps=20000):
    """Simpson's rule: an independent check of cdfs."""
    h = (high - low) / steps
    total = f(low) + f(high)
    for i in range(1, steps):
        total += (4 if i % 2 else 2) * f(low + i * h)
    return total * h / 3


# --- Normal: every method and property ---------------------------------------------------------------
def test_normal_statistics_match_closed_forms():
    loc, scale = np.array([0.0, 1.5]), np.array([1.0, 2.0])
    normal = tfd.Normal(loc=loc, scale=scale)
    x = np.array([0.3, -1.0])
    values = run({"log_prob": normal.log_prob(x), "prob": normal.prob(x), "cdf": normal.cdf(x),
                  "log_cdf": normal.log_cdf(x), "sf": normal.survival_function(x), "mean": normal.mean(),
                  "mode": normal.mode(), "stddev": normal.stddev(), "variance": normal.variance(),
                  "entropy": normal.entropy(), "quantile": normal.quantile([0.2, 0.9])})
    for i in range(2):
        z = (x[i] - loc[i]) / scale[i]
        log_prob = -0.5 * z * z - math.log(scale[i]) - 0.5 * math.log(2 * math.pi)
        cdf = 0.5 * (1 + math.erf(z / math.sqrt(2)))
        assert values["log_prob"][i] == pytest.approx(log_prob, rel=2e-6)
        assert values["prob"][i] == pytest.approx(math.exp(log_prob), rel=2e-6)
        assert values["cdf"][i] == pytest.approx(cdf, rel=2e-6)
        assert values["log_cdf"][i] == pytest.approx(math.log(cdf), rel=2e-6)
        assert values["sf"][i] == pytest.approx(1 - cdf, rel=2e-6)
        assert values["entropy"][i] == pytest.approx(0.5 * math.log(2 * math.pi * math.e * scale[i] ** 2))
        q = [0.2, 0.9][i]
        back = 0.5 * (1 + math.erf((values["quantile"][i] - loc[i]) / scale[i] / math.sqrt(2)))
        assert back == pytest.approx(q, rel=2e-6)
    np.testing.assert_allclose(values["mean"], loc)
    np.testing.assert_allclose(values["mode"], loc)
    np.testing.assert_allclose(values["stddev"], scale)
    np.testing.assert_allclose(values["variance"], scale ** 2)


def test_normal_log_cdf_stays_finite_in_the_tails():
    normal = tfd.Normal(0.0, 1.0)
    z = [-20.0, -6.0, -4.0, 3.0, 30.0]
    log_cdf, log_sf = run([normal.log_cdf(z), normal.log_survival_function(np.negative(z))])
    expected = [math.log(0.5 * math.erfc(-v / math.sqrt(2))) for v in z]
    np.testing.assert_allclose(log_cdf, expected, rtol=1e-5, atol=1e-30)
    np.testing.assert_allclose(log_sf, expected, rtol=1e-5, atol=1e-30)
    check_gradients(lambda x: tfd.Normal(np.float64(0.0), np.float64(1.0)).log_cdf(x), [[-9.0, -5.5, -2.0, 1.0]])


def test_normal_properties_and_shapes():
    normal = tfd.Normal(loc=tf.zeros([3, 1]), scale=[1.0, 2.0], name="MyNormal")
    assert normal.name == "MyNormal/"
    assert normal.dtype == tf.float32
    assert normal.reparameterization_type is tfd.FULLY_REPARAMETERIZED
    assert normal.reparameterization_type != tfd.NOT_REPARAMETERIZED
    assert isinstance(tfd.FULLY_REPARAMETERIZED, tfd.ReparameterizationType)
    assert "FULLY_REPARAMETERIZED" in repr(tfd.FULLY_REPARAMETERIZED)
    assert normal.validate_args is False and normal.allow_nan_stats is True
    assert sorted(normal.parameters) == ["allow_nan_stats", "loc", "name", "scale", "validate_args"]
    assert normal.batch_shape.as_list() == [3, 2]
    assert normal.event_shape.as_list() == []
    batch, event = run([normal.batch_shape_tensor(), normal.event_shape_tensor()])
    assert batch.tolist() == [3, 2] and event.tolist() == []
    samples = normal.sample([4, 5], seed=1)
    assert samples.shape.as_list() == [4, 5, 3, 2]
    assert run(samples).shape == (4, 5, 3, 2)
    assert normal.sample(seed=1).shape.as_list() == [3, 2]
    assert "batch_shape=(3, 2)" in str(normal)
    assert tf.contrib.distributions.Normal is tfd.Normal
    copy = normal.copy(scale=5.0)
    assert run(copy.stddev()).tolist() == [[5.0]] * 3


def test_sample_shape_may_be_a_tensor():
    normal = tfd.Normal(0.0, 1.0)
    count = tf.placeholder(tf.int32, [])
    samples = normal.sample(count, seed=3)
    assert run(samples, {count: 7}).shape == (7,)


# --- the other distributions' statistics ---------------------------------------------------------------
def test_bernoulli_statistics():
    p = np.array([0.3, 0.8])
    bernoulli = tfd.Bernoulli(probs=p)
    from_logits = tfd.Bernoulli(logits=np.log(p / (1 - p)))
    values = run({"lp1": bernoulli.log_prob([1, 1]), "lp0": from_logits.log_prob([0, 0]), "mean": bernoulli.mean(),
                  "var": bernoulli.variance(), "ent": from_logits.entropy(), "mode": bernoulli.mode(),
                  "cdf": bernoulli.cdf([0, 1]), "probs": from_logits.probs})
    np.testing.assert_allclose(values["lp1"], np.log(p), rtol=2e-6)
    np.testing.assert_allclose(values["lp0"], np.log(1 - p), rtol=2e-6)
    np.testing.assert_allclose(values["mean"], p)
    np.testing.assert_allclose(values["var"], p * (1 - p))
    np.testing.assert_allclose(values["ent"], [-(q * math.log(q) + (1 - q) * math.log(1 - q)) for q in p], rtol=2e-6)
    assert values["mode"].tolist() == [0, 1] and values["mode"].dtype == np.int32
    np.testing.assert_allclose(values["cdf"], [0.7, 1.0])
    np.testing.assert_allclose(values["probs"], p, rtol=2e-6)
    assert bernoulli.reparameterization_type is tfd.NOT_REPARAMETERIZED


def test_categorical_statistics():
    logits = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    categorical = tfd.Categorical(logits=logits)
    values = run({"lp": categorical.log_prob([2, 0]), "ent": categorical.entropy(), "mode": categorical.mode(),
                  "cdf": categorical.cdf([2, 1]), "size": categorical.event_size,
                  "lp_broadcast": categorical.log_prob([[0], [1]])})
    for row in range(2):
        norm = math.log(sum(math.exp(v) for v in logits[row]))
        probs = [math.exp(v - norm) for v in logits[row]]
        assert values["lp"][row] == pytest.approx(logits[row][[2, 0][row]] - norm, rel=2e-6)
        assert values["ent"][row] == pytest.approx(-sum(q * math.log(q) for q in probs), rel=2e-6)
        assert values["lp_broadcast"][0][row] == pytest.approx(logits[row][0] - norm, rel=2e-6)
        # TF 1's Categorical.cdf(k) sums the classes strictly below k.
        assert values["cdf"][row] == pytest.approx(sum(probs[:[2, 1][row]]), rel=2e-6)
    assert values["mode"].tolist() == [1, 2] and values["size"] == 3
    assert categorical.batch_shape.as_list() == [2] and categorical.event_shape.as_list() == []
    with pytest.raises(NotImplementedError, match="mean is not implemented: Categorical"):
        categorical.mean()


def test_multinomial_statistics():
    p = [0.2, 0.3, 0.5]
    multinomial = tfd.Multinomial(total_count=[6.0, 4.0], probs=p)
    counts = np.array([[1.0, 2.0, 3.0], [0.0, 4.0, 0.0]])
    values = run({"lp": multinomial.log_prob(counts), "mean": multinomial.mean(), "var": multinomial.variance()})
    for row, n in enumerate([6.0, 4.0]):
        expected = (math.lgamma(n + 1) - sum(math.lgamma(c + 1) for c in counts[row])
                    + sum(c * math.log(q) for c, q in zip(counts[row], p) if c))
        assert values["lp"][row] == pytest.approx(expected, rel=2e-6)
        np.testing.assert_allclose(values["mean"][row], n * np.array(p))
        np.testing.assert_allclose(values["var"][row], n * np.array(p) * (1 - np.array(p)))
    assert multinomial.batch_shape.as_list() == [2] and multinomial.event_shape.as_list() == [3]


def test_dirichlet_statistics():
    alpha = [1.5, 2.0, 3.0]
    total = sum(alpha)
    dirichlet = tfd.Dirichlet(alpha)
    x = [0.2, 0.3, 0.5]
    values = run({"lp": dirichlet.log_prob(x), "mean": dirichlet.mean(), "var": dirichlet.variance(),
                  "ent": dirichlet.entropy(), "mode": dirichlet.mode(), "cov": dirichlet.covariance()})
    log_b = sum(math.lgamma(a) for a in alpha) - math.lgamma(total)
    assert values["lp"] == pytest.approx(sum((a - 1) * math.log(v) for a, v in zip(alpha, x)) - log_b, rel=2e-6)
    mean = [a / total for a in alpha]
    np.testing.assert_allclose(values["mean"], mean)
    np.testing.assert_allclose(values["var"], [m * (1 - m) / (total + 1) for m in mean])
    np.testing.assert_allclose(np.diag(values["cov"]), values["var"])
    assert values["cov"][0, 1] == pytest.approx(-mean[0] * mean[1] / (total + 1))
    entropy = log_b + (total - 3) * digamma(total) - sum((a - 1) * digamma(a) for a in alpha)
    assert values["ent"] == pytest.approx(entropy, rel=2e-6)
    np.testing.assert_allclose(values["mode"], [(a - 1) / (total - 3) for a in alpha])


def test_dirichlet_multinomial_statistics():
    alpha, n = [1.5, 2.0, 3.0], 6.0
    total = sum(alpha)
    distribution = tfd.DirichletMultinomial(n, alpha)
    counts = [1.0, 2.0, 3.0]
    values = run({"lp": distribution.log_prob(counts), "mean": distribution.mean(), "var": distribution.variance()})
    expected = (math.lgamma(n + 1) - sum(math.lgamma(c + 1) for c in counts)
                + (sum(math.lgamma(a + c) for a, c in zip(alpha, counts)) - math.lgamma(total + n))
                - (sum(math.lgamma(a) for a in alpha) - math.lgamma(total)))
    assert values["lp"] == pytest.approx(expected, rel=2e-6)
    p = np.array(alpha) / total
    np.testing.assert_allclose(values["mean"], n * p)
    np.testing.assert_allclose(values["var"], n * p * (1 - p) * (n + total) / (1 + total), rtol=2e-6)


def test_exponential_statistics():
    rate = 2.5
    exponential = tfd.Exponential(rate)
    values = run({"lp": exponential.log_prob(0.7), "cdf": exponential.cdf(0.7), "mean": exponential.mean(),
                  "var": exponential.variance(), "ent": exponential.entropy(), "mode": exponential.mode()})
    assert values["lp"] == pytest.approx(math.log(rate) - rate * 0.7)
    assert values["cdf"] == pytest.approx(1 - math.exp(-rate * 0.7))
    assert values["mean"] == pytest.approx(1 / rate) and values["var"] == pytest.approx(1 / rate ** 2)
    assert values["ent"] == pytest.approx(1 - math.log(rate)) and values["mode"] == 0.0
    assert exponential.name == "Exponential/" and sorted(exponential.parameters) == [
        "allow_nan_stats", "name", "rate", "validate_args"]


def test_gamma_statistics():
    a, b, x = 2.5, 1.5, 1.2
    gamma = tfd.Gamma(concentration=a, rate=b)
    values = run({"lp": gamma.log_prob(x), "cdf": gamma.cdf(x), "mean": gamma.mean(), "var": gamma.variance(),
                  "ent": gamma.entropy(), "mode": gamma.mode()})
    log_density = a * math.log(b) + (a - 1) * math.log(x) - b * x - math.lgamma(a)
    assert values["lp"] == pytest.approx(log_density, rel=2e-6)
    cdf = integrate(lambda t: math.exp(a * math.log(b) + (a - 1) * math.log(t) - b * t - math.lgamma(a))
                    if t > 0 else 0.0, 0.0, x)
    assert values["cdf"] == pytest.approx(cdf, rel=1e-6)
    assert values["mean"] == pytest.approx(a / b) and values["var"] == pytest.approx(a / b ** 2)
    assert values["mode"] == pytest.approx((a - 1) / b)
    assert values["ent"] == pytest.approx(a - math.log(b) + math.lgamma(a) + (1 - a) * digamma(a), rel=2e-6)


def test_beta_statistics():
    c1, c0, x = 2.0, 3.5, 0.3
    beta = tfd.Beta(c1, c0)
    values = run({"lp": beta.log_prob(x), "cdf": beta.cdf(x), "mean": beta.mean(), "var": beta.variance(),
                  "ent": beta.entropy(), "mode": beta.mode(), "total": beta.total_concentration})
    log_density = (c1 - 1) * math.log(x) + (c0 - 1) * math.log(1 - x) - log_beta(c1, c0)
    assert values["lp"] == pytest.approx(log_density, rel=2e-6)
    cdf = integrate(lambda t: t ** (c1 - 1) * (1 - t) ** (c0 - 1) / math.exp(log_beta(c1, c0)), 0.0, x)
    assert values["cdf"] == pytest.approx(cdf, rel=1e-8)
    total = c1 + c0
    assert values["mean"] == pytest.approx(c1 / total) and values["total"] == total
    assert values["var"] == pytest.approx(c1 * c0 / (total ** 2 * (total + 1)))
    assert values["mode"] == pytest.approx((c1 - 1) / (total - 2))
    entropy = log_beta(c1, c0) - (c1 - 1) * digamma(c1) - (c0 - 1) * digamma(c0) + (total - 2) * digamma(total)
    assert values["ent"] == pytest.approx(entropy, rel=2e-6)


def test_laplace_statistics():
    loc, scale = 0.5, 2.0
    laplace = tfd.Laplace(loc, scale)
    values = run({"lp": laplace.log_prob([-1.0, 3.0]), "cdf": laplace.cdf([-1.0, 3.0]), "mean": laplace.mean(),
                  "var": laplace.variance(), "std": laplace.stddev(), "ent": laplace.entropy()})
    np.testing.assert_allclose(values["lp"], [-math.log(2 * scale) - abs(v - loc) / scale for v in (-1.0, 3.0)])
    np.testing.assert_allclose(values["cdf"], [0.5 * math.exp(-1.5 / scale), 1 - 0.5 * math.exp(-2.5 / scale)])
    assert values["mean"] == loc and values["var"] == pytest.approx(2 * scale ** 2)
    assert values["std"] == pytest.approx(math.sqrt(2) * scale)
    assert values["ent"] == pytest.approx(1 + math.log(2 * scale))


def test_student_t_statistics():
    df, loc, scale = 4.0, 0.5, 1.5
    student = tfd.StudentT(df, loc, scale)
    points = [-1.0, 2.0]
    values = run({"lp": student.log_prob(points), "cdf": student.cdf(points), "mean": student.mean(),
                  "var": student.variance(), "ent": student.entropy(), "mode": student.mode()})

    def density(v):
        y = (v - loc) / scale
        return math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
                        - math.log(scale) - (df + 1) / 2 * math.log1p(y * y / df))
    np.testing.assert_allclose(values["lp"], [math.log(density(v)) for v in points], rtol=2e-6)
    np.testing.assert_allclose(values["cdf"], [0.5 + integrate(density, loc, v) for v in points], rtol=1e-7)
    assert values["mean"] == loc and values["mode"] == loc
    assert values["var"] == pytest.approx(scale ** 2 * df / (df - 2))
    entropy = ((df + 1) / 2 * (digamma((df + 1) / 2) - digamma(df / 2)) + 0.5 * math.log(df)
               + log_beta(df / 2, 0.5) + math.log(scale))
    assert values["ent"] == pytest.approx(entropy, rel=2e-6)


def test_student_t_undefined_moments():
    student = tfd.StudentT(df=[0.5, 1.5, 3.0], loc=0.0, scale=1.0)
    mean, variance = run([student.mean(), student.variance()])
    assert np.isnan(mean[0]) and mean[1:].tolist() == [0.0, 0.0]
    assert np.isnan(variance[0]) and variance[1] == np.inf and variance[2] == pytest.approx(3.0)
    strict = tfd.StudentT(df=[0.5, 3.0], loc=0.0, scale=1.0, allow_nan_stats=False)
    with pytest.raises(errors.InvalidArgumentError, match="mean not defined for components of df <= 1"):
        run(strict.mean())


def test_uniform_statistics():
    uniform = tfd.Uniform(low=1.0, high=3.0)
    values = run({"lp": uniform.log_prob([0.5, 1.0, 2.0, 3.0]), "prob": uniform.prob([0.5, 2.0]),
                  "cdf": uniform.cdf([0.0, 1.5, 4.0]), "mean": uniform.mean(), "var": uniform.variance(),
                  "ent": uniform.entropy(), "range": uniform.range()})
    assert values["lp"][[0, 3]].tolist() == [-np.inf, -np.inf]
    np.testing.assert_allclose(values["lp"][1:3], [-math.log(2)] * 2, rtol=2e-6)
    np.testing.assert_allclose(values["prob"], [0.0, 0.5])
    np.testing.assert_allclose(values["cdf"], [0.0, 0.25, 1.0])
    assert values["mean"] == 2.0 and values["var"] == pytest.approx(4 / 12)
    assert values["ent"] == pytest.approx(math.log(2)) and values["range"] == 2.0


# --- KL divergences ----------------------------------------------------------------------------------
def kl_closed_forms():
    def normal(ma, sa, mb, sb):
        return math.log(sb / sa) + (sa ** 2 + (ma - mb) ** 2) / (2 * sb ** 2) - 0.5

    def gamma(ca, ra, cb, rb):
        return ((ca - cb) * digamma(ca) - math.lgamma(ca) + math.lgamma(cb) + cb * (math.log(ra) - math.log(rb))
                + ca * (rb - ra) / ra)

    def beta(a1, a0, b1, b0):
        return (log_beta(b1, b0) - log_beta(a1, a0) + (a1 - b1) * digamma(a1) + (a0 - b0) * digamma(a0)
                + (b1 + b0 - a1 - a0) * digamma(a1 + a0))

    def categorical(p, q):
        return sum(x * math.log(x / y) for x, y in zip(p, q))

    def dirichlet(a, b):
        def lb(v):
            return sum(math.lgamma(x) for x in v) - math.lgamma(sum(v))
        return lb(b) - lb(a) + sum((x - y) * (digamma(x) - digamma(sum(a))) for x, y in zip(a, b))
    return [
        (tfd.Normal(0.5, 1.5), tfd.Normal(-1.0, 0.7), normal(0.5, 1.5, -1.0, 0.7)),
        (tfd.Bernoulli(probs=0.3), tfd.Bernoulli(probs=0.8), categorical([0.3, 0.7], [0.8, 0.2])),
        (tfd.Categorical(probs=[0.2, 0.3, 0.5]), tfd.Categorical(logits=[math.log(v) for v in (0.6, 0.3, 0.1)]),
         categorical([0.2, 0.3, 0.5], [0.6, 0.3, 0.1])),
        (tfd.Beta(2.0, 3.0), tfd.Beta(1.5, 0.7), beta(2.0, 3.0, 1.5, 0.7)),
        (tfd.Gamma(2.0, 3.0), tfd.Gamma(1.5, 0.7), gamma(2.0, 3.0, 1.5, 0.7)),
        (tfd.Exponential(2.0), tfd.Exponential(0.5), math.log(2.0 / 0.5) + 0.5 / 2.0 - 1),
        (tfd.Exponential(2.0), tfd.Gamma(1.5, 0.7), gamma(1.0, 2.0, 1.5, 0.7)),
        (tfd.Dirichlet([2.0, 3.0, 1.0]), tfd.Dirichlet([1.5, 0.7, 2.0]),
         dirichlet([2.0, 3.0, 1.0], [1.5, 0.7, 2.0])),
    ]


@pytest.mark.parametrize("index", range(8))
def test_kl_divergence_matches_closed_form(index):
    a, b, expected = kl_closed_forms()[index]
    kl, method, cross, entropy = run([tfd.kl_divergence(a, b), a.kl_divergence(b), a.cross_entropy(b),
                                      a.entropy()])
    assert kl == pytest.approx(expected, rel=1e-6)
    assert method == pytest.approx(expected, rel=1e-6)
    assert cross == pytest.approx(entropy + expected, rel=1e-6)
    assert run(tfd.kl_divergence(a, a)) == pytest.approx(0.0, abs=1e-6)


def test_kl_divergence_errors_and_registration():
    with pytest.raises(NotImplementedError, match="No KL\\(distribution_a \\|\\| distribution_b\\) registered "
                                                  "for distribution_a type Normal and distribution_b type Laplace"):
        tfd.kl_divergence(tfd.Normal(0.0, 1.0), tfd.Laplace(0.0, 1.0))
    with pytest.raises(ValueError, match="KL\\(Normal \\|\\| Normal\\) has already been registered"):
        tfd.RegisterKL(tfd.Normal, tfd.Normal)(lambda a, b, name=None: 0.0)
    with pytest.raises(TypeError, match="kl_fn must be callable"):
        tfd.RegisterKL(tfd.Laplace, tfd.Normal)(3)

    class MyLaplace(tfd.Laplace):
        pass

    @tfd.RegisterKL(MyLaplace, tfd.Normal)
    def _kl(a, b, name=None):
        return a.loc - b.loc

    # A subclass on either side finds its parent's registration.
    assert run(tfd.kl_divergence(MyLaplace(3.0, 1.0), tfd.Normal(1.0, 1.0))) == 2.0
    nan_kl = tfd.kl_divergence(tfd.Normal(0.0, 1.0), tfd.Normal(0.0, 0.0), allow_nan_stats=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        with pytest.raises(errors.InvalidArgumentError, match="KL calculation between Normal.* returned NaN values"):
            run(nan_kl)


# --- samples ---------------------------------------------------------------------------------------------
SAMPLERS = [
    ("normal", lambda: tfd.Normal(1.0, 2.0), 1.0, 4.0),
    ("laplace", lambda: tfd.Laplace(-1.0, 0.5), -1.0, 0.5),
    ("uniform", lambda: tfd.Uniform(2.0, 5.0), 3.5, 0.75),
    ("student_t", lambda: tfd.StudentT(6.0, 1.0, 2.0), 1.0, 4.0 * 6.0 / 4.0),
    ("gamma", lambda: tfd.Gamma(3.0, 2.0), 1.5, 0.75),
    ("exponential", lambda: tfd.Exponential(4.0), 0.25, 1.0 / 16),
    ("beta", lambda: tfd.Beta(2.0, 3.0), 0.4, 0.04),
    ("bernoulli", lambda: tfd.Bernoulli(probs=0.3, dtype=tf.float32), 0.3, 0.21),
]


@pytest.mark.parametrize("name,make,mean,variance", SAMPLERS, ids=[s[0] for s in SAMPLERS])
def test_seeded_sample_moments(name, make, mean, variance):
    distribution = make()
    samples = distribution.sample(40000, seed=7)
    first, second = run([samples, distribution.sample(40000, seed=7)])
    np.testing.assert_array_equal(first, second)
    assert first.dtype == distribution.dtype.as_numpy_dtype
    tolerance = 5 * math.sqrt(variance / 40000) * 2
    assert abs(first.mean() - mean) < tolerance
    assert first.var() == pytest.approx(variance, rel=0.06)


def test_vector_sample_moments():
    dirichlet = tfd.Dirichlet([[1.0, 2.0, 3.0], [4.0, 4.0, 2.0]])
    categorical = tfd.Categorical(probs=[[0.2, 0.3, 0.5], [0.7, 0.2, 0.1]])
    multinomial = tfd.Multinomial(total_count=[5.0, 3.0], probs=[0.2, 0.3, 0.5])
    compound = tfd.DirichletMultinomial([5.0, 2.0], [1.0, 2.0, 3.0])
    values = run({"dirichlet": dirichlet.sample(20000, seed=1), "dirichlet_mean": dirichlet.mean(),
                  "categorical": categorical.sample(20000, seed=2), "multinomial": multinomial.sample(20000, seed=3),
                  "compound": compound.sample(20000, seed=4), "compound_mean": compound.mean(),
                  "compound_var": compound.variance()})
    assert values["dirichlet"].shape == (20000, 2, 3)
    np.testing.assert_allclose(values["dirichlet"].sum(-1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(values["dirichlet"].mean(0), values["dirichlet_mean"], atol=0.01)
    frequencies = [np.bincount(values["categorical"][:, row], minlength=3) / 20000 for row in range(2)]
    np.testing.assert_allclose(frequencies, [[0.2, 0.3, 0.5], [0.7, 0.2, 0.1]], atol=0.015)
    assert values["categorical"].dtype == np.int32
    assert values["multinomial"].shape == (20000, 2, 3)
    np.testing.assert_array_equal(values["multinomial"].sum(-1), np.tile([5.0, 3.0], (20000, 1)))
    np.testing.assert_allclose(values["multinomial"].mean(0), [[1.0, 1.5, 2.5], [0.6, 0.9, 1.5]], atol=0.04)
    np.testing.assert_array_equal(values["compound"].sum(-1), np.tile([5.0, 2.0], (20000, 1)))
    np.testing.assert_allclose(values["compound"].mean(0), values["compound_mean"], atol=0.05)
    np.testing.assert_allclose(values["compound"].var(0), values["compound_var"], rtol=0.08)


def test_reparameterized_normal_sample_gradients():
    loc = tf.constant(1.0)
    scale = tf.constant(2.0)
    samples = tfd.Normal(loc, scale).sample(5, seed=11)
    noise_gradient = tf.gradients(tf.reduce_sum(samples), [loc, scale])
    draws, (d_loc, d_scale) = run([samples, noise_gradient])
    assert d_loc == 5.0
    assert d_scale == pytest.approx(np.sum((draws - 1.0) / 2.0), rel=1e-5)


# --- gradients of log_prob ------------------------------------------------------------------------------
def test_normal_log_prob_gradients():
    check_gradients(lambda loc, scale, x: tfd.Normal(loc, scale).log_prob(x),
                    [[0.5, -1.0], [1.5, 0.7], [0.2, 0.3]])


def test_gamma_log_prob_and_cdf_gradients():
    check_gradients(lambda a, b, x: tfd.Gamma(a, b).log_prob(x), [[2.5, 0.7], [1.5, 3.0], [1.2, 0.4]])
    check_gradients(lambda b, x: tfd.Gamma(2.5, b).cdf(x), [[1.5, 3.0], [1.2, 0.4]], rtol=1e-4)


def test_beta_log_prob_gradients():
    check_gradients(lambda c1, c0, x: tfd.Beta(c1, c0).log_prob(x), [[2.0, 0.8], [3.5, 1.2], [0.3, 0.6]])


def test_student_t_and_dirichlet_log_prob_gradients():
    check_gradients(lambda df, loc, scale: tfd.StudentT(df, loc, scale).log_prob(0.8),
                    [[4.0, 2.5], [0.5, -0.5], [1.5, 0.9]])
    check_gradients(lambda alpha: tfd.Dirichlet(alpha).log_prob([0.2, 0.3, 0.5]), [[1.5, 2.0, 3.0]])


def test_kl_gradients():
    check_gradients(lambda ma, sa: tfd.kl_divergence(tfd.Normal(ma, sa), tfd.Normal(np.float64(0.3), np.float64(1.2))),
                    [[0.5, -1.0], [1.5, 0.7]])


# --- validation ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make,message", [
    (lambda: tfd.Normal(0.0, -1.0, validate_args=True).log_prob(0.0), "Argument `scale` must be positive"),
    (lambda: tfd.Gamma(0.0, 1.0, validate_args=True).mean(), "Argument `concentration` must be positive"),
    (lambda: tfd.Exponential(-2.0, validate_args=True).mean(), "Argument `rate` must be positive"),
    (lambda: tfd.Beta(1.0, -3.0, validate_args=True).mean(), "Argument `concentration0` must be positive"),
    (lambda: tfd.Laplace(0.0, 0.0, validate_args=True).entropy(), "Argument `scale` must be positive"),
    (lambda: tfd.StudentT(-1.0, 0.0, 1.0, validate_args=True).mode(), "Argument `df` must be positive"),
    (lambda: tfd.Uniform(2.0, 1.0, validate_args=True).mean(), "uniform not defined when low >= high"),
    (lambda: tfd.Bernoulli(probs=1.5, validate_args=True).mean(), "probs has components greater than 1"),
    (lambda: tfd.Categorical(probs=[0.5, 0.6], validate_args=True).entropy(), "probs does not sum to 1"),
    (lambda: tfd.Categorical(probs=[-0.5, 1.5], validate_args=True).entropy(), "probs has components less than 0"),
    (lambda: tfd.Dirichlet([1.0, 0.0], validate_args=True).mean(), "Concentration parameter must be positive"),
    (lambda: tfd.Multinomial(2.5, probs=[0.5, 0.5], validate_args=True).mean(),
     "total_count has fractional components"),
    (lambda: tfd.DirichletMultinomial(-1.0, [1.0, 2.0], validate_args=True).mean(),
     "total_count must be non-negative"),
    (lambda: tfd.Beta(0.5, 3.0, allow_nan_stats=False).mode(),
     "Mode undefined for concentration1 <= 1 or concentration0 <= 1"),
    (lambda: tfd.Gamma(0.5, 3.0, allow_nan_stats=False).mode(), "mode not defined when any concentration <= 1"),
    (lambda: tfd.Dirichlet([0.5, 3.0], allow_nan_stats=False).mode(), "Mode undefined when any concentration <= 1"),
])
def test_invalid_arguments_fail_at_run_time(make, message):
    with pytest.raises(errors.InvalidArgumentError, match=message):
        run(make())


def test_valid_arguments_pass_validation_and_nan_modes():
    assert run(tfd.Normal(0.0, 2.0, validate_args=True).stddev()) == 2.0
    assert run(tfd.Categorical(probs=[0.25, 0.75], validate_args=True).mode()) == 1
    modes = run([tfd.Beta(0.5, 3.0).mode(), tfd.Gamma(0.5, 3.0).mode(), tfd.Dirichlet([0.5, 3.0]).mode()])
    assert all(np.all(np.isnan(m)) for m in modes)


def test_construction_errors():
    with pytest.raises(ValueError, match="Must pass probs or logits, but not both"):
        tfd.Bernoulli(logits=0.0, probs=0.5)
    with pytest.raises(ValueError, match="Must pass probs or logits, but not both"):
        tfd.Categorical()
    with pytest.raises(ValueError, match="logits must have rank at least one"):
        tfd.Categorical(logits=1.0)
    with pytest.raises(ValueError, match="Incompatible shapes for broadcasting"):
        tfd.Normal(tf.zeros([2]), tf.ones([3])).batch_shape
    with pytest.raises(NotImplementedError, match="entropy is not implemented: Multinomial"):
        tfd.Multinomial(3.0, probs=[0.5, 0.5]).entropy()
    with pytest.raises(NotImplementedError, match="cdf is not implemented: Dirichlet"):
        tfd.Dirichlet([1.0, 2.0]).cdf([0.5, 0.5])


def test_float64_parameters_keep_their_dtype():
    normal = tfd.Normal(np.float64(0.0), 1.0)
    assert normal.dtype == tf.float64
    assert run(normal.log_prob(0.0)).dtype == np.float64
    assert normal.sample(2, seed=1).dtype == tf.float64


def test_param_shapes():
    shapes = run(tfd.Normal.param_shapes([2, 3]))
    assert sorted(shapes) == ["loc", "scale"] and shapes["loc"].tolist() == [2, 3]
    assert tfd.Gamma.param_static_shapes(tf.TensorShape([4])) == {"concentration": tf.TensorShape([4]),
                                                                   "rate": tf.TensorShape([4])}
    assert sorted(tfd.StudentT.param_static_shapes([1])) == ["df", "loc", "scale"]
    assert list(tfd.Bernoulli.param_static_shapes([5])) == ["logits"]
    with pytest.raises(ValueError, match="TensorShape sample_shape must be fully defined"):
        tfd.Normal.param_static_shapes(tf.TensorShape([None, 2]))
    with pytest.raises(ValueError, match="sample_shape must be a fully-defined TensorShape or list/tuple"):
        tfd.Normal.param_static_shapes(tf.constant([2]))
    with pytest.raises(NotImplementedError, match="param_shapes is not implemented: Dirichlet"):
        tfd.Dirichlet.param_shapes([2])
