"""Issue 2 audit: short classic TF1 tutorial programs, end to end, written as a TF1 user writes them."""
import numpy as np

import numflow as tf


def test_linear_regression_with_gradient_descent():
    rng = np.random.RandomState(0)
    train_x = rng.rand(100).astype(np.float32)
    train_y = 3.0 * train_x + 2.0 + rng.randn(100).astype(np.float32) * 0.01

    X = tf.placeholder("float")
    Y = tf.placeholder("float")
    W = tf.Variable(rng.randn(), name="weight")
    b = tf.Variable(rng.randn(), name="bias")
    pred = tf.add(tf.multiply(X, W), b)
    cost = tf.reduce_sum(tf.pow(pred - Y, 2)) / (2 * 100)
    optimizer = tf.train.GradientDescentOptimizer(0.5).minimize(cost)
    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        sess.run(init)
        for _ in range(1000):
            sess.run(optimizer, feed_dict={X: train_x, Y: train_y})
        w_value, b_value = sess.run(W), sess.run(b)
        final_cost = sess.run(cost, feed_dict={X: train_x, Y: train_y})
    assert abs(w_value - 3.0) < 0.05 and abs(b_value - 2.0) < 0.05 and final_cost < 1e-3


def test_variable_sharing_with_variable_scope_reuse():
    def conv_relu(inputs, units):
        weights = tf.get_variable("weights", [inputs.shape[1].value, units],
                                  initializer=tf.random_normal_initializer(seed=1))
        biases = tf.get_variable("biases", [units], initializer=tf.constant_initializer(0.1))
        return tf.nn.relu(tf.matmul(inputs, weights) + biases)

    def model(inputs):
        with tf.variable_scope("layer1"):
            hidden = conv_relu(inputs, 4)
        with tf.variable_scope("layer2"):
            return conv_relu(hidden, 2)

    x1 = tf.placeholder(tf.float32, [None, 3])
    x2 = tf.placeholder(tf.float32, [None, 3])
    with tf.variable_scope("model") as scope:
        out1 = model(x1)
        scope.reuse_variables()
        out2 = model(x2)
    names = sorted(v.name for v in tf.global_variables())
    assert names == ["model/layer1/biases:0", "model/layer1/weights:0",
                     "model/layer2/biases:0", "model/layer2/weights:0"]
    batch = np.random.RandomState(1).randn(5, 3).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a, b = sess.run([out1, out2], {x1: batch, x2: batch})
    np.testing.assert_array_equal(a, b)
    assert a.shape == (5, 2)


def test_cond_and_while_loop_program():
    # Collatz steps for a fed number, and a cond choosing between two formulas
    n = tf.placeholder(tf.int32, [], name="n")

    def body(value, steps):
        value = tf.cond(tf.equal(value % 2, 0), lambda: value // 2, lambda: 3 * value + 1)
        return value, steps + 1

    _, steps = tf.while_loop(lambda value, steps: value > 1, body, [n, tf.constant(0)])
    x = tf.placeholder(tf.float32)
    y = tf.cond(x > 0.0, lambda: tf.sqrt(x), lambda: tf.square(x))
    with tf.Session() as sess:
        assert sess.run(steps, {n: 6}) == 8
        assert sess.run(steps, {n: 27}) == 111
        assert sess.run(y, {x: 16.0}) == 4.0 and sess.run(y, {x: -3.0}) == 9.0


def test_gradients_with_grad_ys_and_stop_gradients():
    x = tf.placeholder(tf.float32, [3])
    w = tf.Variable([1.0, 2.0, 3.0])
    y = w * x
    z = tf.reduce_sum(y * y)
    dz_dw, dz_dx = tf.gradients(z, [w, x])
    weighted = tf.gradients(y, w, grad_ys=tf.constant([1.0, 0.0, 2.0]))[0]
    frozen = tf.stop_gradient(y)
    partial = tf.gradients(tf.reduce_sum(frozen * w), w)[0]
    assert tf.gradients(z, w, stop_gradients=[y]) == [None]    # every path from w to z goes through y
    feed = {x: [1.0, -1.0, 0.5]}
    with tf.Session() as sess:
        sess.run(w.initializer)
        got = sess.run([dz_dw, dz_dx, weighted, partial], feed)
    xv, wv = np.array([1.0, -1.0, 0.5]), np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(got[0], 2 * wv * xv * xv)
    np.testing.assert_allclose(got[1], 2 * wv * wv * xv)
    np.testing.assert_allclose(got[2], [1.0, 0.0, 1.0])
    np.testing.assert_allclose(got[3], wv * xv)


def test_interactive_session_program():
    sess = tf.InteractiveSession()
    try:
        a = tf.Variable([1.0, 2.0])
        b = tf.constant([3.0, 4.0])
        tf.global_variables_initializer().run()
        total = tf.add(a, b)
        assert total.eval().tolist() == [4.0, 6.0]
        a.assign_add([1.0, 1.0]).op.run()
        assert a.eval().tolist() == [2.0, 3.0]
        x = tf.placeholder(tf.float32)
        assert (x * a).eval({x: 2.0}).tolist() == [4.0, 6.0]
        assert tf.get_default_session() is sess
    finally:
        sess.close()
    assert tf.get_default_session() is None


def test_name_scopes_and_collections_program():
    with tf.name_scope("input"):
        x = tf.placeholder(tf.float32, [None, 2], name="x")
    with tf.name_scope("layer"):
        w = tf.Variable(tf.zeros([2, 1]), name="W")
        logits = tf.matmul(x, w, name="logits")
        tf.add_to_collection("my_outputs", logits)
        tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, tf.assign_add(w, tf.ones([2, 1])))
    with tf.name_scope("layer"):
        other = tf.identity(logits, name="logits")
    assert x.name == "input/x:0" and w.name == "layer/W:0" and logits.name == "layer/logits:0"
    assert other.name == "layer_1/logits:0"
    graph = tf.get_default_graph()
    assert graph.get_tensor_by_name("layer/logits:0") is logits
    assert tf.get_collection("my_outputs") == [logits]
    assert tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope="layer") == [w]
    assert tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="input") == []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.get_collection(tf.GraphKeys.UPDATE_OPS))
        assert sess.run("layer/logits:0", {"input/x:0": [[1.0, 2.0]]}).tolist() == [[3.0]]


def _softmax_classifier(seed, steps=200):
    """A tf.nn softmax classifier trained on random, linearly separable data."""
    tf.reset_default_graph()
    tf.set_random_seed(seed)
    rng = np.random.RandomState(0)
    true_w = rng.randn(4, 3)
    data = rng.randn(300, 4).astype(np.float32)
    labels = np.argmax(data @ true_w, axis=1)
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.placeholder(tf.int64, [None])
    w = tf.Variable(tf.truncated_normal([4, 3], stddev=0.1))
    b = tf.Variable(tf.zeros([3]))
    logits = tf.nn.bias_add(tf.matmul(x, w), b)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.one_hot(y, 3), logits=logits))
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(tf.nn.softmax(logits), 1), y), tf.float32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(steps):
            batch = np.random.RandomState(step).choice(300, 50)
            sess.run(train, {x: data[batch], y: labels[batch]})
        return sess.run([accuracy, w], {x: data, y: labels})


def test_softmax_classifier_reaches_high_accuracy():
    accuracy, _ = _softmax_classifier(seed=1)
    assert accuracy > 0.95


def test_graph_seed_makes_training_reproducible_across_graphs_and_sessions():
    first_accuracy, first_w = _softmax_classifier(seed=5, steps=20)
    second_accuracy, second_w = _softmax_classifier(seed=5, steps=20)
    np.testing.assert_array_equal(first_w, second_w)
    assert first_accuracy == second_accuracy
    _, other_w = _softmax_classifier(seed=6, steps=20)
    assert not np.array_equal(first_w, other_w)


def test_logistic_regression_with_sigmoid_cross_entropy_and_momentum():
    rng = np.random.RandomState(3)
    data = rng.randn(200, 2).astype(np.float32)
    labels = (data[:, :1] - data[:, 1:] > 0).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.placeholder(tf.float32, [None, 1])
    w = tf.get_variable("w", [2, 1], initializer=tf.zeros_initializer())
    b = tf.get_variable("b", [1], initializer=tf.zeros_initializer())
    logits = tf.matmul(x, w) + b
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
    step = tf.Variable(0, trainable=False, name="step")
    train = tf.train.MomentumOptimizer(0.5, 0.9, use_nesterov=True).minimize(loss, global_step=step)
    correct = tf.equal(tf.cast(logits > 0.0, tf.float32), y)
    accuracy = tf.reduce_mean(tf.to_float(correct))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(100):
            sess.run(train, {x: data, y: labels})
        acc, steps = sess.run([accuracy, step], {x: data, y: labels})
    assert acc > 0.97 and steps == 100


def test_rnn_style_while_loop_trained_by_an_optimizer():
    # learn a scalar gain g so that applying h <- g * h three times maps 1 to 8
    gain = tf.Variable(1.2)
    _, h = tf.while_loop(lambda i, h: i < 3, lambda i, h: (i + 1, gain * h), [0, tf.constant(1.0)])
    loss = tf.square(h - 8.0)
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(300):
            sess.run(train)
        assert abs(sess.run(gain) - 2.0) < 0.01
