"""Sparse (IndexedSlices) gradients of gathers and their sparse application by every TF1 optimizer, built
identically with numflow and real TensorFlow (run by test_indexed_slices_tf_parity.py where NUMFLOW_TF_PYTHON
names a Python with TensorFlow).

Each optimizer family trains a table read only through gathers (with a repeated id) for four steps; the
fetches are then the table and every slot: the rows the ids never touch show whether the update is lazy.
"""
import numpy as np

TABLE = np.linspace(-1.0, 1.5, 18, dtype=np.float32).reshape(6, 3)
IDS = [1, 4, 1, 2]
STEPS = 4
_built = {}


def _model(tf, make_optimizer):
    _built.clear()
    global_step = tf.train.get_or_create_global_step()
    table = tf.Variable(TABLE, name="table")
    loss = tf.reduce_sum(tf.square(tf.gather(table, IDS) - 0.3)) + tf.reduce_sum(tf.gather(table, [5]))
    optimizer = make_optimizer(tf, global_step)
    _built.update(train=optimizer.minimize(loss, global_step=global_step), optimizer=optimizer)
    slots = [optimizer.get_slot(table, name) for name in optimizer.get_slot_names()]
    return {"table": table, "slots": slots, "global_step": global_step}


def set_weights(tf, sess):
    if not _built:      # a gradient family: nothing to train
        return None
    for _ in range(STEPS):
        sess.run(_built["train"])
    optimizer = _built["optimizer"]
    return [v.name for v in optimizer.variables()] + optimizer.get_slot_names()


def gather_gradient(tf):
    _built.clear()
    params = tf.constant(TABLE)
    grad, = tf.gradients(tf.gather(params, [[3, 0], [3, 5]]) * 2.0, [params])
    summed, = tf.gradients(tf.reduce_sum(tf.gather(params, IDS)) + tf.reduce_sum(tf.gather(params, [0])), [params])
    mixed, = tf.gradients(tf.reduce_sum(tf.gather(params, IDS)) + tf.reduce_sum(params * params), [params])
    return {"values": grad.values, "indices": grad.indices, "dense_shape": grad.dense_shape,
            "summed": tf.convert_to_tensor(summed), "mixed": mixed}


def partitioned_lookup(tf):
    _built.clear()
    shards = [tf.constant(TABLE[:2]), tf.constant(TABLE[2:4]), tf.constant(TABLE[4:])]
    out = {}
    for strategy in ("mod", "div"):
        grads = tf.gradients(tf.nn.embedding_lookup(shards, [[0, 5], [3, 3]], partition_strategy=strategy), shards)
        out[strategy] = [tf.convert_to_tensor(g) for g in grads]
    return out


def clipped(tf):
    _built.clear()
    params = tf.constant(TABLE)
    grad, = tf.gradients(tf.reduce_sum(tf.gather(params, IDS) * 3.0), [params])
    (global_clipped,), norm = tf.clip_by_global_norm([grad], 2.0)
    return {"global": global_clipped.values, "norm": norm, "by_norm": tf.clip_by_norm(grad, 1.0).values}


_OPTIMIZERS = {
    "gradient_descent": lambda tf, step: tf.train.GradientDescentOptimizer(0.1),
    "momentum": lambda tf, step: tf.train.MomentumOptimizer(0.1, 0.9),
    "nesterov": lambda tf, step: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
    "adagrad": lambda tf, step: tf.train.AdagradOptimizer(0.2),
    "adam": lambda tf, step: tf.train.AdamOptimizer(0.1),
    "rmsprop": lambda tf, step: tf.train.RMSPropOptimizer(0.1, momentum=0.3),
    "rmsprop_centered": lambda tf, step: tf.train.RMSPropOptimizer(0.1, momentum=0.5, centered=True),
    "adadelta": lambda tf, step: tf.train.AdadeltaOptimizer(1.0),
    "ftrl": lambda tf, step: tf.train.FtrlOptimizer(0.1, l1_regularization_strength=0.01,
                                                    l2_regularization_strength=0.1),
    "ftrl_shrinkage": lambda tf, step: tf.train.FtrlOptimizer(0.1, l2_shrinkage_regularization_strength=0.1),
    "proximal_gradient_descent": lambda tf, step: tf.train.ProximalGradientDescentOptimizer(0.1, 0.01, 0.01),
    "proximal_adagrad": lambda tf, step: tf.train.ProximalAdagradOptimizer(0.1, l1_regularization_strength=0.01),
    "adagrad_da": lambda tf, step: tf.train.AdagradDAOptimizer(0.1, step, l1_regularization_strength=0.01,
                                                               l2_regularization_strength=0.1),
}


def _family(make_optimizer):
    return lambda tf: _model(tf, make_optimizer)


globals().update({name: _family(make) for name, make in _OPTIMIZERS.items()})
OPTIMIZER_FAMILIES = sorted(_OPTIMIZERS)
FAMILIES = ["gather_gradient", "partitioned_lookup", "clipped"]
