"""Parity programs for tf.keras optimizers and losses: the same Keras calls in numflow and in real
TensorFlow's Keras 2 (tf_keras, whose legacy optimizers are TF 1.15's OptimizerV2 classes)."""
import numpy as np

W0 = np.array([[0.5, -1.0, 2.0], [1.5, 0.2, -0.7]], dtype=np.float32)
C = np.array([[0.3, -0.2, 0.1], [0.4, 0.5, -0.6]], dtype=np.float32)
CONFIGS = [("SGD", {"momentum": 0.9, "nesterov": True}), ("Adam", {"amsgrad": True}), ("RMSprop", {"centered": True}),
           ("RMSprop", {"momentum": 0.5}), ("Adagrad", {}), ("Adadelta", {"learning_rate": 1.0}), ("Adamax", {}),
           ("Nadam", {}), ("Ftrl", {"l1_regularization_strength": 0.01})]
STEPS = 4


def _keras(tf):
    if getattr(tf, "__name__", "").startswith("numflow"):
        return tf.keras, tf.keras.optimizers
    import tf_keras
    return tf_keras, tf_keras.optimizers.legacy


def optimizer_steps(tf):
    """The variable after STEPS chained updates (each built after the previous one), per optimizer."""
    _, optimizers = _keras(tf)
    fetches = {}
    for index, (name, kwargs) in enumerate(CONFIGS):
        w = tf.Variable(W0, name="w%d" % index, use_resource=True)
        optimizer = getattr(optimizers, name)(**kwargs)
        previous = []
        for _ in range(STEPS):
            with tf.control_dependencies(previous):
                loss = tf.reduce_sum(C * w + w * w * w / 3.0)
                previous = optimizer.get_updates(loss, [w])
        with tf.control_dependencies(previous):
            fetches["%s_%d" % (name, index)] = tf.identity(w)
    return fetches


def losses(tf):
    """Every loss function on one batch."""
    keras, _ = _keras(tf)
    rng = np.random.RandomState(0)
    y_true = rng.uniform(0.05, 1, (4, 3)).astype(np.float32)
    y_pred = rng.uniform(0.05, 1, (4, 3)).astype(np.float32)
    one_hot = np.eye(3, dtype=np.float32)[[0, 2, 1, 2]]
    L = keras.losses
    return {"mse": L.mean_squared_error(y_true, y_pred), "msle": L.mean_squared_logarithmic_error(y_true, y_pred),
            "mape": L.mean_absolute_percentage_error(y_true, y_pred), "hinge": L.hinge(y_true, y_pred),
            "logcosh": L.logcosh(y_true, y_pred), "kld": L.kld(y_true, y_pred), "poisson": L.poisson(y_true, y_pred),
            "bce": L.binary_crossentropy(one_hot, y_pred, label_smoothing=0.1),
            "cce": L.categorical_crossentropy(one_hot, y_pred, label_smoothing=0.1),
            "scce": L.sparse_categorical_crossentropy(np.array([0, 2, 1, 2]), y_pred),
            "huber": L.Huber(delta=0.3)(y_true, y_pred, sample_weight=np.array([1., 2., 0., 1.], np.float32)),
            "cosine": L.CosineSimilarity(reduction="sum")(y_true, y_pred)}
