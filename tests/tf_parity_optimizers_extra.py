"""The proximal / FTRL / dual-averaging optimizers built identically with numflow and real TensorFlow (run by
test_tf_parity_optimizers_extra.py where NUMFLOW_TF_PYTHON names a Python with TensorFlow).

Each family builds a small least-squares model and its train op; `set_weights` runs five training steps
and reports the optimizer's variables; the fetches are then the weights and every slot after those steps.
"""
import numpy as np

W0 = np.array([[0.5, -1.0, 0.02], [2.0, -0.3, 0.0]], np.float32)
X = np.array([[1.0, 2.0], [-0.5, 0.3], [0.1, -1.0]], np.float32)
STEPS = 5
_built = {}


def _model(tf, make_optimizer):
    global_step = tf.train.get_or_create_global_step()
    w = tf.Variable(W0, name="w")
    loss = tf.reduce_sum(tf.square(tf.matmul(w, tf.constant(X)) - 1.0))
    optimizer = make_optimizer(tf, global_step)
    _built.update(train=optimizer.minimize(loss, global_step=global_step), optimizer=optimizer)
    slots = [optimizer.get_slot(w, name) for name in optimizer.get_slot_names()]
    return {"w": w, "slots": slots, "global_step": global_step}


def set_weights(tf, sess):
    for _ in range(STEPS):
        sess.run(_built["train"])
    optimizer = _built["optimizer"]
    return [v.name for v in optimizer.variables()] + optimizer.get_slot_names()


def ftrl(tf):
    return _model(tf, lambda tf, step: tf.train.FtrlOptimizer(0.3, l1_regularization_strength=0.05,
                                                              l2_regularization_strength=0.1))


def ftrl_power(tf):
    return _model(tf, lambda tf, step: tf.train.FtrlOptimizer(0.3, learning_rate_power=-0.3,
                                                              initial_accumulator_value=0.2,
                                                              l1_regularization_strength=0.01))


def ftrl_shrinkage(tf):
    return _model(tf, lambda tf, step: tf.train.FtrlOptimizer(
        0.3, l1_regularization_strength=0.01, l2_regularization_strength=0.05,
        l2_shrinkage_regularization_strength=0.2, accum_name="Acc", linear_name="Lin"))


def proximal_gradient_descent(tf):
    return _model(tf, lambda tf, step: tf.train.ProximalGradientDescentOptimizer(0.2, 0.05, 0.3))


def proximal_adagrad(tf):
    return _model(tf, lambda tf, step: tf.train.ProximalAdagradOptimizer(0.2, 0.1, 0.05, 0.3))


def proximal_adagrad_plain(tf):
    return _model(tf, lambda tf, step: tf.train.ProximalAdagradOptimizer(0.2))


def adagrad_da(tf):
    return _model(tf, lambda tf, step: tf.train.AdagradDAOptimizer(0.2, step, 0.1, 0.02, 0.3))


def adagrad_da_plain(tf):
    return _model(tf, lambda tf, step: tf.train.AdagradDAOptimizer(0.2, step))


FAMILIES = ["ftrl", "ftrl_power", "ftrl_shrinkage", "proximal_gradient_descent", "proximal_adagrad",
            "proximal_adagrad_plain", "adagrad_da", "adagrad_da_plain"]
