"""Programs built identically with numflow and real TensorFlow (see test_real_tensorflow_interop.py)."""
import numpy as np
rng = np.random.RandomState(0)
A = rng.randn(2, 7, 7, 3).astype(np.float32)
F = rng.randn(3, 3, 3, 4).astype(np.float32)
M = rng.randn(4, 5).astype(np.float32)
L = np.eye(5, dtype=np.float32)[[0, 2, 4, 1]]
I = np.array([[1, 2], [3, 0]], np.int32)
def cases(tf):
    """Fetches (a dict) and feeds of one graph built with the module `tf`."""
    a, f, m, l = tf.constant(A), tf.constant(F), tf.constant(M), tf.constant(L)
    out = {}
    out["conv_same_s2"] = tf.nn.conv2d(a, f, [1, 2, 2, 1], "SAME")
    out["conv_valid"] = tf.nn.conv2d(a, f, [1, 1, 1, 1], "VALID")
    out["conv_dil"] = tf.nn.conv2d(a, f, [1, 1, 1, 1], "SAME", dilations=[1, 2, 2, 1])
    out["maxpool_same"] = tf.nn.max_pool(a, [1, 3, 3, 1], [1, 2, 2, 1], "SAME")
    out["avgpool_same"] = tf.nn.avg_pool(a, [1, 3, 3, 1], [1, 2, 2, 1], "SAME")
    out["convT"] = tf.nn.conv2d_transpose(a, tf.constant(rng.randn(3, 3, 5, 3).astype(np.float32)), [2, 14, 14, 5], [1, 2, 2, 1], "SAME")
    out["dw"] = tf.nn.depthwise_conv2d(a, tf.constant(F[:, :, :, :2]), [1, 1, 1, 1], "SAME")
    out["xent"] = tf.nn.softmax_cross_entropy_with_logits(labels=l, logits=m * 100.0)
    out["sparse"] = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([0, 2, 4, 1]), logits=m)
    out["sig_xent"] = tf.nn.sigmoid_cross_entropy_with_logits(labels=l, logits=m)
    out["logsm"] = tf.nn.log_softmax(m)
    out["red"] = [tf.reduce_sum(m, 1), tf.reduce_mean(m, [0, 1]), tf.reduce_max(m, 0, keepdims=True), tf.reduce_prod(m, 1), tf.reduce_logsumexp(m, 1)]
    out["arg"] = [tf.argmax(m, 1), tf.argmin(m)]
    out["slice"] = [m[1:, ::2], m[::-1, -2], m[..., tf.newaxis][:, 1], tf.strided_slice(m, [0, 1], [4, 5], [2, 2])]
    out["onehot"] = [tf.one_hot(tf.constant([0, 3, 1]), 4, axis=0), tf.one_hot(tf.constant([[0, 2]]), 3, on_value=5.0, off_value=-1.0)]
    out["gather"] = [tf.gather(m, tf.constant(I)), tf.gather(m, [1, 0], axis=1)]
    out["pad"] = [tf.pad(m, [[1, 0], [2, 1]], "REFLECT"), tf.pad(m, [[1, 1], [1, 1]], "SYMMETRIC")]
    out["mask"] = tf.boolean_mask(m, m[:, 0] > 0)
    out["math"] = [tf.floordiv(m, 0.3), tf.mod(m, 0.7), tf.floormod(tf.constant([-7, 7]), tf.constant([3, -3])), tf.truediv(tf.constant(7), tf.constant(2)), tf.round(tf.constant([0.5, 1.5, 2.5, -0.5])), tf.sign(m), tf.rsqrt(tf.abs(m) + 1.0)]
    out["where"] = tf.where(m > 0)
    out["clip"] = tf.clip_by_norm(m, 1.0)
    out["l2n"] = tf.nn.l2_normalize(m, 1)
    out["moments"] = list(tf.nn.moments(a, [0, 1, 2]))
    out["topk"] = list(tf.nn.top_k(m, 2))
    out["split"] = tf.split(m, [1, -1], 1)
    out["tile"] = tf.tile(m, [2, 1])
    out["einsum"] = tf.einsum("ij,kj->ik", m, m)
    out["lrelu"] = tf.nn.leaky_relu(m)
    out["elu"] = [tf.nn.elu(m), tf.nn.selu(m), tf.nn.softplus(m), tf.nn.relu6(m * 10)]
    out["cumsum"] = [tf.cumsum(m, 1, exclusive=True, reverse=True)]
    out["lrn"] = [tf.nn.lrn(a, 2, 1.5, 0.3, 0.75), tf.gradients(tf.reduce_sum(tf.nn.lrn(a, 1) ** 2), a)[0]]
    out["range"] = [tf.range(3, 10, 2), tf.linspace(0.0, 1.0, 5)]
    x = tf.placeholder(tf.float32, [4, 5])
    y = tf.reduce_sum(tf.nn.softmax(x) * tf.sigmoid(x) + tf.square(tf.nn.relu(x)))
    out["grad"] = tf.gradients(y, x)[0]
    g2 = tf.nn.max_pool(a, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    out["grad_pool_conv"] = tf.gradients(tf.reduce_sum(tf.nn.conv2d(g2, f, [1, 1, 1, 1], "SAME") ** 2), [a, f])
    return out, {x: M}


def training_cases(tf):
    """Five steps of each optimizer from fixed initial values; fetches the trained variables."""
    X = tf.constant(_X)
    Y = tf.constant(_Y)
    optimizers = {
        "sgd": tf.train.GradientDescentOptimizer(0.1),
        "momentum": tf.train.MomentumOptimizer(0.1, 0.9),
        "nesterov": tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
        "adagrad": tf.train.AdagradOptimizer(0.1),
        "adam": tf.train.AdamOptimizer(0.01),
        "rmsprop": tf.train.RMSPropOptimizer(0.01),
        "rmsprop_centered": tf.train.RMSPropOptimizer(0.01, momentum=0.5, centered=True),
        "adadelta": tf.train.AdadeltaOptimizer(1.0),
    }
    results = {}
    steps = []
    for name, optimizer in optimizers.items():
        with tf.variable_scope(name):
            w = tf.get_variable("w", initializer=tf.constant(_W0))
            b = tf.get_variable("b", initializer=tf.constant(np.zeros(3, np.float32)))
            kernel = tf.get_variable("kernel", [4, 6], initializer=tf.constant_initializer(_D0))
            hidden = tf.nn.relu(tf.nn.bias_add(tf.matmul(X, kernel), tf.get_variable("bias", [6], initializer=tf.constant_initializer(0.1))))
            logits = tf.matmul(hidden, w) + b
            loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=Y, logits=logits))
            steps.append(optimizer.minimize(loss))
            results[name] = [w, b, loss]
    return results, steps


_R = np.random.RandomState(1)
_X = _R.randn(8, 4).astype(np.float32)
_Y = np.eye(3, dtype=np.float32)[_R.randint(3, size=8)]
_W0 = (_R.randn(6, 3) * 0.5).astype(np.float32)
_D0 = (_R.randn(4, 6) * 0.5).astype(np.float32)
