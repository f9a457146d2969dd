"""Large-variable optimizer updates (chunked in numflow: ops/training.py) and the sigmoid / tanh gradient
ops, built identically with numflow and real TensorFlow (run by test_kernel_speedups.py where
NUMFLOW_TF_PYTHON names a Python with TensorFlow).

Each optimizer family trains one variable of SHAPE (past numflow's chunking threshold, not a multiple of
its chunk) for STEPS steps in `set_weights`; the fetches are then the variable and every slot.
"""
import numpy as np

SHAPE = (613, 500)      # 306500 elements
STEPS = 3
_RNG = np.random.default_rng(11)
W0 = _RNG.standard_normal(SHAPE).astype(np.float32)
TARGET = _RNG.standard_normal(SHAPE).astype(np.float32)
SCALE = (10.0 ** _RNG.integers(-3, 1, SHAPE)).astype(np.float32)
_built = {}


def _model(tf, make_optimizer):
    global_step = tf.train.get_or_create_global_step()
    w = tf.Variable(W0, name="w")
    # Sigmoid and tanh terms: their gradients are SigmoidGrad / TanhGrad in both.
    loss = (tf.reduce_sum(tf.constant(SCALE) * tf.square(w - tf.constant(TARGET)))
            + tf.reduce_sum(tf.sigmoid(w)) + tf.reduce_sum(tf.tanh(w)))
    optimizer = make_optimizer(tf)
    _built.update(train=optimizer.minimize(loss, global_step=global_step), optimizer=optimizer)
    slots = [optimizer.get_slot(w, name) for name in sorted(optimizer.get_slot_names())]
    return {"w": w, "slots": slots}


def set_weights(tf, sess):
    if not _built:          # a family without training
        return None
    for _ in range(STEPS):
        sess.run(_built["train"])
    return sorted(_built["optimizer"].get_slot_names())


def adam(tf):
    return _model(tf, lambda tf: tf.train.AdamOptimizer(0.01))


def momentum_nesterov(tf):
    return _model(tf, lambda tf: tf.train.MomentumOptimizer(0.01, 0.9, use_nesterov=True))


def centered_rmsprop(tf):
    return _model(tf, lambda tf: tf.train.RMSPropOptimizer(0.01, momentum=0.9, centered=True))


def adadelta(tf):
    return _model(tf, lambda tf: tf.train.AdadeltaOptimizer(1.0))


def ftrl(tf):
    return _model(tf, lambda tf: tf.train.FtrlOptimizer(0.1, l1_regularization_strength=0.01,
                                                        l2_regularization_strength=0.01))


def second_derivatives(tf):
    """Values, first and second derivatives of sigmoid and tanh (float64): SigmoidGrad's and TanhGrad's
    own gradients."""
    _built.clear()
    x = tf.constant(np.linspace(-4.0, 4.0, 12).reshape(3, 4))
    fetches = {}
    for name, activation in (("sigmoid", tf.sigmoid), ("tanh", tf.tanh)):
        y = activation(x)
        first = tf.gradients(y, x)[0]
        fetches[name] = [y, first, tf.gradients(first, x)[0]]
    return fetches


FAMILIES = ["adam", "momentum_nesterov", "centered_rmsprop", "adadelta", "ftrl", "second_derivatives"]
