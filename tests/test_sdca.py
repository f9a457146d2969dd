"""tf.train.sdca_fprint, sdca_shrink_l1 and sdca_optimizer (ops/sdca_ops.py).

Values marked "recorded from TensorFlow 2.21" were produced by tf.raw_ops.SdcaFprint / SdcaOptimizer on the
same inputs; the others are computed here from the losses' closed-form dual updates."""
import numpy as np
import pytest

import numflow as tf


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


# (bytes, [low, high]) recorded from TensorFlow 2.21's SdcaFprint: every length branch of Fingerprint128.
_FPRINTS = [
    (b"", [4463240938071824939, 4374473821787594281]),
    (b"a", [7969074168056553668, 5955762262185338209]),
    (b"abc", [4143508125394299908, -6879828354153669051]),
    (b"hello wor", [-3906753591849852611, 2664047301308995190]),
    (b"0123456789abcdef", [-2347567976820271828, -3177687296717892822]),
    (b"x" * 17, [6750864138911643067, 4963244384729455311]),
    (b"abcdefghijklmnopqrstuvwxyz0123456789", [-2078808966022338347, 3725328897466904065]),
    (bytes(range(100)), [-9037585241212629393, 5401762942290065376]),
    (bytes(range(200)), [295851137082666903, 6831289905909580552]),
    (bytes(range(256)) * 2, [-7591871876111916782, 8522793670436570599]),
]


def test_sdca_fprint_matches_tensorflow_values():
    strings = tf.constant(np.array([s for s, _ in _FPRINTS], dtype=object))
    out = tf.train.sdca_fprint(strings)
    assert out.dtype == tf.int64 and out.shape.as_list() == [len(_FPRINTS), 2]
    values = _run(out)
    np.testing.assert_array_equal(values, [words for _, words in _FPRINTS])
    assert values.dtype == np.int64


def test_sdca_fprint_errors():
    with pytest.raises(TypeError, match="SdcaFprint expects a string input, got int32"):
        tf.train.sdca_fprint(tf.constant([1, 2]))
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 2"):
        tf.train.sdca_fprint(tf.constant([["a"]]))
    fed = tf.placeholder(tf.string)
    with pytest.raises(tf.errors.InvalidArgumentError, match="input must be a vector"):
        _run(tf.train.sdca_fprint(fed), {fed: np.array(b"a", dtype=object)})


def _shrunk(weights, l1, l2):
    shrinkage = np.float32(l1) / np.float32(l2)
    return np.sign(weights) * np.maximum(np.abs(weights) - shrinkage, 0)


@pytest.mark.parametrize("l1, l2", [(0.5, 2.0), (0.5, 0.5), (0.0, 0.3), (2.0, 1.0)])
def test_sdca_shrink_l1_shrinks_every_variable_in_place(l1, l2):
    first = np.array([-3, -0.5, -0.1, 0, 0.1, 0.2, 0.5, 1, 3], np.float32)
    second = np.array([[0.7, -1.2], [0.26, -0.24]], np.float32)
    with tf.Graph().as_default():
        a, b = tf.Variable(first), tf.Variable(second)
        shrink = tf.train.sdca_shrink_l1([a, b], l1=l1, l2=l2)
        assert shrink.type == "SdcaShrinkL1" and shrink.outputs == []
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(shrink)
            np.testing.assert_allclose(sess.run(a), _shrunk(first, l1, l2), rtol=1e-6, atol=1e-7)
            np.testing.assert_allclose(sess.run(b), _shrunk(second, l1, l2), rtol=1e-6, atol=1e-7)
            sess.run(shrink)   # a second step shrinks again
            np.testing.assert_allclose(sess.run(a), _shrunk(_shrunk(first, l1, l2), l1, l2), rtol=1e-6, atol=1e-7)


def test_sdca_shrink_l1_with_zero_l2_zeroes_the_weights():
    # l1 / 0 is an infinite shrinkage in TF's float32 arithmetic.
    with tf.Graph().as_default():
        v = tf.Variable([-3.0, 0.5, 7.0])
        with tf.Session() as sess:
            sess.run(v.initializer)
            sess.run(tf.train.sdca_shrink_l1([v], l1=0.5, l2=0.0))
            np.testing.assert_array_equal(sess.run(v), [0, 0, 0])


def test_sdca_shrink_l1_errors():
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match="is not a variable"):
            tf.train.sdca_shrink_l1([tf.constant([1.0])], l1=0.1, l2=1.0)
        with pytest.raises(TypeError, match="SdcaShrinkL1 expects float32 weights, got float64"):
            tf.train.sdca_shrink_l1([tf.Variable(np.zeros(2))], l1=0.1, l2=1.0)
        v = tf.Variable([1.0])
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value"):
            _run(tf.train.sdca_shrink_l1([v], l1=0.1, l2=1.0))


_LOSSES = ["logistic_loss", "squared_loss", "hinge_loss", "smooth_hinge_loss"]


def _one_example(loss, state=(0.0, 0, 0, 0), label=1.0, l1=0.5, l2=1.0, adaptative=True):
    """One example: sparse features 0 (value 0.5) and 2 (value -1.5) of three weights, dense features [1, 2],
    weight 2."""
    return tf.train.sdca_optimizer(
        [np.array([0, 0], np.int64)], [np.array([0, 2], np.int64)], [np.array([0.5, -1.5], np.float32)],
        [np.array([[1.0, 2.0]], np.float32)], [2.0], [label], [np.array([0, 1, 2], np.int64)],
        [np.array([0.3, 0.1, -0.7], np.float32)], [np.array([0.2, -0.4], np.float32)],
        np.array([state], np.float32), loss, l1, l2, 1, 1, adaptative)


def _closed_form(loss, dual, label, l1=0.5, l2=1.0):
    """The single example's new dual, primal loss and weight deltas from the losses' dual updates."""
    x = np.array([0.5, -1.5, 1.0, 2.0])          # sparse 0, sparse 2, dense 0, dense 1
    w = np.array([0.3, -0.7, 0.2, -0.4])
    weight, norm = 2.0, x @ x / l2
    wx = x @ _shrunk(w, l1, l2)                  # no delta yet: the current and the previous margin agree
    y = label if loss == "squared_loss" else 2 * label - 1
    if loss == "squared_loss":
        new = dual + (y - wx - dual) / (1 + norm * weight)
        primal = 0.5 * (wx - y) ** 2 * weight
    elif loss == "hinge_loss":
        new = y * np.clip(y * (dual + (y - wx) / (weight * norm)), 0, 1)
        primal = max(0, 1 - y * wx) * weight
    else:
        new = y * np.clip(y * (dual + (y - wx - dual) / (weight * norm + 1)), 0, 1)
        margin = y * wx
        primal = (0 if margin >= 1 else (1 - margin - 0.5) if margin <= 0 else (1 - margin) ** 2 / 2) * weight
    return new, primal, (new - dual) * weight / l2 * x


@pytest.mark.parametrize("loss", ["squared_loss", "hinge_loss", "smooth_hinge_loss"])
@pytest.mark.parametrize("dual, label", [(0.0, 1.0), (0.3, 1.0), (0.1, 0.0)])
def test_sdca_optimizer_one_example_follows_the_dual_update(loss, dual, label):
    if loss == "squared_loss":
        label += 1.5
    with tf.Graph().as_default():
        state, sparse, dense = _run(_one_example(loss, state=(dual, 1, 1, 1), label=label))
    new, primal, deltas = _closed_form(loss, dual, label)
    np.testing.assert_allclose(state[0, [0, 1, 3]], [new, primal, 2.0], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(sparse[0], [deltas[0], 0, deltas[1]], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(dense[0], deltas[2:], rtol=1e-5, atol=1e-7)


def test_sdca_optimizer_logistic_dual_solves_the_optimality_condition():
    with tf.Graph().as_default():
        state, sparse, dense = _run(_one_example("logistic_loss", state=(0.3, 0, 0, 0)))
    x = np.array([0.5, -1.5, 1.0, 2.0])
    wx = x @ _shrunk(np.array([0.3, -0.7, 0.2, -0.4]), 0.5, 1.0)
    new = state[0, 0]
    # The margin after the step equals the logistic link of the new dual: wx' = -logit(dual').
    step = (new - 0.3) * 2.0
    assert np.isclose(wx + x @ x * step, -np.log(new / (1 - new)), rtol=1e-5)
    np.testing.assert_allclose(state[0, 1], np.log1p(np.exp(-wx)) * 2, rtol=1e-6)
    np.testing.assert_allclose(state[0, 2], (0.3 * np.log(0.3) + 0.7 * np.log(0.7)) * 2, rtol=1e-6)
    np.testing.assert_allclose(dense[0], step * x[2:], rtol=1e-5)


# Recorded from TensorFlow 2.21 for _one_example(loss) and _one_example(loss, state=(0.3, 1, 1, 1), label=...)
_ONE_EXAMPLE_TF = {
    "logistic_loss": ([0.11563121527433395, 1.108710527420044, 0.0, 2.0], [0.2312624305486679, 0.4625248610973358],
                      [0.32785898447036743, 1.108710527420044, -1.2217286825180054, 2.0]),
    "squared_loss": ([0.04375000298023224, 0.49000003933906555, 0.0, 2.0], [0.08750000596046448, 0.17500001192092896],
                     [0.41875001788139343, 4.840000152587891, -1.4100000858306885, 2.0]),
    "hinge_loss": ([0.046666666865348816, 1.4000000953674316, 0.0, 2.0], [0.09333333373069763, 0.18666666746139526],
                   [0.34666669368743896, 1.4000000953674316, -0.6000000238418579, 2.0]),
    "smooth_hinge_loss": ([0.04375000298023224, 0.49000003933906555, 0.0, 2.0],
                          [0.08750000596046448, 0.17500001192092896],
                          [0.32500001788139343, 0.49000003933906555, -0.5099999904632568, 2.0]),
}


@pytest.mark.parametrize("loss", _LOSSES)
def test_sdca_optimizer_one_example_matches_tensorflow(loss):
    state0, dense0, state1 = _ONE_EXAMPLE_TF[loss]
    with tf.Graph().as_default():
        result = _one_example(loss)
        assert result.out_example_state_data.shape.as_list() == [1, 4]
        assert [t.shape.as_list() for t in result.out_delta_sparse_weights] == [[3]]
        state, _, dense = _run(result)
        np.testing.assert_allclose(state[0], state0, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(dense[0], dense0, rtol=1e-6)
        state, _, _ = _run(_one_example(loss, state=(0.3, 1, 1, 1), label=2.5 if loss == "squared_loss" else 1.0))
        np.testing.assert_allclose(state[0], state1, rtol=1e-6, atol=1e-7)


# Three examples sharing no weight (so the order TF visits them in does not matter), two sparse groups (the
# second without values), two loss partitions, l1 = 0.02, l2 = 0.5. Recorded from TensorFlow 2.21.
_DISJOINT_TF = {
    "logistic_loss": ([[-0.08504922688007355, 0.7082597017288208, 0.1048412024974823, 1.0],
                       [0.2553357779979706, 0.2187439650297165, -0.2502012252807617, 0.5],
                       [0.1182829737663269, 1.575488805770874, -0.5955457091331482, 3.0]],
                      [[-0.5551477074623108, -0.027667881920933723, 0.1106715276837349, 0.40969783067703247],
                       [0.40969783067703247, -0.3700984716415405]]),
    "squared_loss": ([[0.09071429073810577, 0.0004500000213738531, 0.005000000353902578, 1.0],
                      [0.2210526317358017, 0.03999999538064003, -0.09000000357627869, 0.5],
                      [0.07320000231266022, 0.5953499674797058, -0.14625000953674316, 3.0]],
                     [[-0.027857143431901932, -0.010526314377784729, 0.042105257511138916, 0.13920000195503235],
                      [0.13920000195503235, -0.018571428954601288]]),
    "hinge_loss": ([[0.0, 1.0299999713897705, np.inf, 1.0],
                    [0.24705882370471954, 0.19999998807907104, -0.10000000149011612, 0.5],
                    [0.07625000178813934, 1.8899999856948853, -0.15000000596046448, 3.0]],
                   [[-0.30000001192092896, -0.023529410362243652, 0.09411764144897461, 0.1574999988079071],
                    [0.1574999988079071, -0.20000000298023224]]),
    "smooth_hinge_loss": ([[0.0, 0.5299999713897705, np.inf, 1.0],
                           [0.2210526317358017, 0.03999999538064003, -0.09000000357627869, 0.5],
                           [0.07320000231266022, 0.5953499674797058, -0.14625000953674316, 3.0]],
                          [[-0.30000001192092896, -0.010526314377784729, 0.042105257511138916, 0.13920000195503235],
                           [0.13920000195503235, -0.20000000298023224]]),
}


def _disjoint(loss, labels=(0.0, 1.0, 1.0), feature_ids=(0, 1, 2, 3), adaptative=False):
    return tf.train.sdca_optimizer(
        [np.array([0, 1, 1, 2], np.int64), np.array([0, 2], np.int64)],
        [np.array(feature_ids, np.int64), np.array([1, 0], np.int64)], [np.array([1.5, -0.5, 2.0, 1.0], np.float32)],
        [], np.array([1.0, 0.5, 3.0], np.float32), np.array(labels, np.float32),
        [np.arange(4, dtype=np.int64), np.arange(2, dtype=np.int64)],
        [np.array([0.1, -0.2, 0.3, 0.05], np.float32), np.array([0.4, -0.1], np.float32)], [],
        np.array([[0.1, 0, 0, 0], [0.2, 0, 0, 0], [0.05, 0, 0, 0]], np.float32), loss, 0.02, 0.5, 2, 1, adaptative)


@pytest.mark.parametrize("loss", _LOSSES)
def test_sdca_optimizer_examples_without_shared_weights_match_tensorflow(loss):
    # Without adaptive sampling every example is visited exactly once (adaptive sampling may visit one twice
    # and skip another, in TF as here).
    expected_state, expected_sparse = _DISJOINT_TF[loss]
    with tf.Graph().as_default():
        state, sparse, dense = _run(_disjoint(loss))
    np.testing.assert_allclose(state, expected_state, rtol=1e-5, atol=1e-7)
    for got, want in zip(sparse, expected_sparse):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
    assert dense == []


# Recorded from TensorFlow 2.21: _one_example's features plus a second example of weight 0 and no feature
# values (so the visiting order does not matter), three loss partitions, l1 = 0.1, l2 = 0.7, dual 0.2.
_PARTITIONED_TF = {
    "logistic_loss": ([[0.2132004201412201, 0.980947732925415, -1.0008049011230469, 2.0], [-0.5, 0.0, 0.0, 0.0]],
                      [0.01885773427784443, 0.0, -0.056573204696178436], [0.03771546855568886, 0.07543093711137772]),
    "hinge_loss": ([[0.20844444632530212, 1.085714340209961, -0.4000000059604645, 2.0], [-1.0, 0.0, 0.0, 0.0]],
                   [0.012063492089509964, 0.0, -0.03619047626852989], [0.024126984179019928, 0.048253968358039856]),
}


@pytest.mark.parametrize("loss", sorted(_PARTITIONED_TF))
def test_sdca_optimizer_partitions_and_a_zero_weight_example_match_tensorflow(loss):
    expected_state, expected_sparse, expected_dense = _PARTITIONED_TF[loss]
    with tf.Graph().as_default():
        result = tf.train.sdca_optimizer(
            [np.array([0, 0], np.int64)], [np.array([0, 2], np.int64)], [np.array([0.5, -1.5], np.float32)],
            [np.array([[1.0, 2.0], [0.0, 0.0]], np.float32)], [2.0, 0.0], [1.0, 0.0],
            [np.arange(3, dtype=np.int64)], [np.array([0.3, 0.1, -0.7], np.float32)],
            [np.array([0.2, -0.4], np.float32)], np.array([[0.2, 0, 0, 0], [0, 0, 0, 0]], np.float32),
            loss, 0.1, 0.7, 3, 1, adaptative=False)
        state, sparse, dense = _run(result)
    np.testing.assert_allclose(state, expected_state, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(sparse[0], expected_sparse, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(dense[0], expected_dense, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("adaptative", [False, True])
def test_sdca_optimizer_shared_dense_weights_sum_every_examples_step(adaptative):
    # Whatever the order and however often an example is visited (adaptive sampling may repeat or skip
    # some), each visit adds (new dual - dual) * weight / l2 * x, so from zero duals the dense delta is
    # the sum over examples of final dual * weight / l2 * x.
    features = np.array([[1.0, -0.5], [0.3, 2.0], [-1.0, 0.7], [0.2, 0.2]], np.float32)
    weights = np.array([1.0, 2.0, 0.5, 1.5], np.float32)
    with tf.Graph().as_default():
        result = tf.train.sdca_optimizer([], [], [], [features], weights, [0.0, 1.0, 1.0, 0.0], [], [],
                                         [np.array([0.1, -0.3], np.float32)], np.zeros((4, 4), np.float32),
                                         "logistic_loss", 0.01, 2.0, 1, 1, adaptative=adaptative)
        state, sparse, dense = _run(result)
    assert sparse == []
    np.testing.assert_allclose(dense[0], ((state[:, 0] * weights / 2.0)[:, None] * features).sum(0), rtol=1e-5)
    visited = state[:, 3] != 0
    np.testing.assert_array_equal(state[visited, 3], weights[visited])
    assert visited.all() or adaptative
    labels = np.array([-1, 1, 1, -1])
    assert np.all(state[visited, 0] * labels[visited] > 0) and np.all(state[:, 0] * labels < 1)


def test_sdca_optimizer_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Unsupported loss type: poisson"):
            _one_example("poisson")
        with pytest.raises(ValueError, match="List argument 'sparse_weights' to 'SdcaOptimizer' Op with length 0"):
            tf.train.sdca_optimizer([[0]], [[0]], [], [], [1.0], [1.0], [[0]], [], [], [[0.0, 0, 0, 0]],
                                    "squared_loss", 0.0, 1.0, 1, 1)
        with pytest.raises(ValueError, match=r"example_state_data must have shape \[num_examples, 4\]"):
            tf.train.sdca_optimizer([], [], [], [], [1.0], [1.0], [], [], [], [[0.0, 0, 0]], "squared_loss",
                                    0.0, 1.0, 1, 1)
        with pytest.raises(ValueError, match="num_loss_partitions must be at least 1"):
            tf.train.sdca_optimizer([], [], [], [], [1.0], [1.0], [], [], [], [[0.0, 0, 0, 0]], "squared_loss",
                                    0.0, 1.0, 0, 1)
        with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1 for 'dense_features'"):
            tf.train.sdca_optimizer([], [], [], [[1.0]], [1.0], [1.0], [], [], [[0.0]], [[0.0, 0, 0, 0]],
                                    "squared_loss", 0.0, 1.0, 1, 1)
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="Only labels of 0.0 or 1.0 are supported right now. Found example with label: 2"):
            _run(_disjoint("hinge_loss", labels=(0.0, 2.0, 1.0)))
        with pytest.raises(tf.errors.InvalidArgumentError, match="Found sparse feature indices out of valid range: 6"):
            _run(_disjoint("squared_loss", feature_ids=(0, 3, 6, 9)))
        with pytest.raises(tf.errors.InvalidArgumentError, match="sparse group 0: example indices, feature indices "
                                                                  r"and values differ in length \(2, 1, 1\)"):
            _run(tf.train.sdca_optimizer([[0, 0]], [[0]], [[1.0]], [], [1.0], [1.0], [[0]], [[0.0]], [],
                                         [[0.0, 0, 0, 0]], "squared_loss", 0, 1, 1, 1))
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"sparse example indices out of valid range \[0, 1\)"):
            _run(tf.train.sdca_optimizer([[3]], [[0]], [], [], [1.0], [1.0], [[0]], [[0.0]], [], [[0.0, 0, 0, 0]],
                                         "squared_loss", 0, 1, 1, 1))
        with pytest.raises(TypeError, match="SdcaOptimizer expects float32 for 'example_weights', got float64"):
            tf.train.sdca_optimizer([], [], [], [], tf.constant([1.0], tf.float64), [1.0], [], [], [],
                                    [[0.0, 0, 0, 0]], "squared_loss", 0, 1, 1, 1)
        state = tf.placeholder(tf.float32, [None, 4])
        result = tf.train.sdca_optimizer([], [], [], [], [1.0], [1.0], [], [], [], state, "squared_loss", 0, 1, 1, 1)
        with pytest.raises(tf.errors.InvalidArgumentError, match="must describe the same 1 examples"):
            _run(result, {state: np.zeros((2, 4), np.float32)})
        with pytest.raises(tf.errors.InvalidArgumentError, match="dense group 0: features of shape"):
            _run(tf.train.sdca_optimizer([], [], [], [np.ones((1, 3), np.float32)], [1.0], [1.0], [], [],
                                         [np.zeros(2, np.float32)], [[0.0, 0, 0, 0]], "squared_loss", 0, 1, 1, 1))
