"""Model.compile / fit / evaluate / predict / *_on_batch / *_generator in graph mode: losses and weights
against NumPy, validation, datasets and generators, the learning phase, layer updates, progress output and
the error messages."""
import importlib.util
import re

import numpy as np
import pytest

import numflow as tf
from numflow import keras
from numflow.keras import backend as K
from numflow.keras import layers

HAS_KERAS_API = all(importlib.util.find_spec("numflow.keras." + m) is not None
                    for m in ("losses", "metrics", "optimizers"))
needs_keras_api = pytest.mark.skipif(not HAS_KERAS_API, reason="keras.losses/metrics/optimizers are not there yet")


@pytest.fixture(autouse=True)
def fresh_graph():
    K.clear_session()
    yield
    K.clear_session()


def mse(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)


def linear_model(units=1, inputs=3, name=None):
    x = keras.Input(shape=(inputs,))
    return keras.Model(x, layers.Dense(units, name=name)(x))


def regression_data(n=64, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, 3).astype(np.float32)
    return x, (x @ np.array([[1.], [-2.], [.5]]) + .3).astype(np.float32)


# --- values against NumPy ------------------------------------------------------------------------------
def test_fit_decreases_the_loss_and_returns_history():
    model = linear_model()
    model.compile(tf.train.GradientDescentOptimizer(0.1), loss=mse)
    x, y = regression_data()
    history = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    assert history is model.history and history.epoch == [0, 1, 2, 3, 4]
    losses = history.history["loss"]
    assert list(history.history) == ["loss"] and all(b < a for a, b in zip(losses, losses[1:]))


def test_train_on_batch_is_one_gradient_descent_step():
    model = linear_model()
    model.compile(tf.train.GradientDescentOptimizer(0.1), loss=mse)
    kernel, bias = model.get_weights()
    x, y = regression_data(8)
    loss = model.train_on_batch(x, y)
    error = x @ kernel + bias - y
    np.testing.assert_allclose(loss, np.mean(error ** 2), rtol=1e-5)
    new_kernel, new_bias = model.get_weights()
    np.testing.assert_allclose(new_kernel, kernel - 0.1 * 2 * x.T @ error / 8, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(new_bias, bias - 0.1 * 2 * error.mean(0), rtol=1e-5, atol=1e-6)


def test_sample_and_class_weights_weight_the_mean_over_the_batch():
    model = linear_model()
    model.compile(tf.train.GradientDescentOptimizer(0.1), loss=mse)
    kernel, bias = model.get_weights()
    x, y = regression_data(6)
    per_sample = ((x @ kernel + bias - y) ** 2)[:, 0]
    weights = np.array([1., 0., 2., 1., 0.5, 3.])
    np.testing.assert_allclose(model.test_on_batch(x, y, sample_weight=weights),
                               np.sum(per_sample * weights) / 6, rtol=1e-5)
    labels = np.array([0, 1, 0, 1, 1, 0])
    classifier = linear_model(name="clf")
    classifier.compile(tf.train.GradientDescentOptimizer(0.1), loss=mse)
    k, b = classifier.get_weights()
    errors = ((x @ k + b - labels[:, None]) ** 2)[:, 0]
    np.testing.assert_allclose(classifier.evaluate(x, labels, verbose=0),
                               errors.mean(), rtol=1e-5)
    with_class_weight = classifier.train_on_batch(x, labels.astype(np.float32), class_weight={0: 1., 1: 3.})
    np.testing.assert_allclose(with_class_weight, np.sum(errors * np.where(labels == 1, 3., 1.)) / 6, rtol=1e-5)


def test_evaluate_averages_the_loss_over_batches_by_size():
    model = linear_model()
    model.compile(tf.train.GradientDescentOptimizer(0.1), loss=mse)
    x, y = regression_data(50)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(model.evaluate(x, y, batch_size=16, verbose=0),
                               np.mean((x @ kernel + bias - y) ** 2), rtol=1e-5)


def test_two_outputs_weighted_losses_and_metric_names():
    x = keras.Input(shape=(3,))
    y1, y2 = layers.Dense(1, name="y1")(x), layers.Dense(2, name="y2")(x)
    model = keras.Model(x, [y1, y2])
    model.compile(tf.train.GradientDescentOptimizer(0.1), loss=[mse, mse], loss_weights=[1., 0.5])
    assert model.metrics_names == ["loss", "y1_loss", "y2_loss"]
    data, _ = regression_data(10)
    t1, t2 = np.ones((10, 1), np.float32), np.zeros((10, 2), np.float32)
    k1, b1, k2, b2 = model.get_weights()
    l1 = np.mean(((data @ k1 + b1) - t1) ** 2)
    l2 = np.mean(((data @ k2 + b2) - t2) ** 2)
    loss, out1, out2 = model.evaluate(data, {"y1": t1, "y2": t2}, verbose=0)
    np.testing.assert_allclose([loss, out1, out2], [l1 + 0.5 * l2, l1, l2], rtol=1e-5)
    history = model.fit(data, [t1, t2], epochs=2, verbose=0)
    assert sorted(history.history) == ["loss", "y1_loss", "y2_loss"]


def test_regularization_losses_join_the_total_loss():
    class WithLoss(layers.Layer):
        def call(self, inputs):
            self.add_loss(tf.constant(3.0))
            return inputs

    x = keras.Input(shape=(3,))
    model = keras.Model(x, layers.Dense(1)(WithLoss()(x)))
    model.compile(tf.train.GradientDescentOptimizer(0.1), loss=mse)
    data, target = regression_data(4)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(model.test_on_batch(data, target),
                               np.mean((data @ kernel + bias - target) ** 2) + 3.0, rtol=1e-5)


class PhaseProbe(layers.Layer):
    """Outputs ones in the training phase and zeros otherwise; counts its update runs."""

    def build(self, input_shape):
        self.runs = self.add_weight("runs", shape=(), initializer="zeros", trainable=False)

    def call(self, inputs):
        self.add_update(tf.assign_add(self.runs, 1.0))
        return K.in_train_phase(tf.ones_like(inputs), tf.zeros_like(inputs))


def test_fit_feeds_the_learning_phase_and_runs_layer_updates():
    x = keras.Input(shape=(2,))
    probe = PhaseProbe()
    model = keras.Model(x, probe(x))
    model.compile(tf.train.GradientDescentOptimizer(0.1), loss=mse)
    data = np.zeros((10, 2), np.float32)
    history = model.fit(data, data, batch_size=5, epochs=1, verbose=0)
    np.testing.assert_allclose(history.history["loss"], [1.0])             # training phase: ones
    np.testing.assert_allclose(model.evaluate(data, data, verbose=0), 0.0)  # test phase: zeros
    np.testing.assert_allclose(model.predict(data), 0.0)
    assert K.get_value(probe.runs) == 2.0                                  # one update per training batch


def test_validation_data_split_and_freq():
    model = linear_model()
    model.compile(tf.train.GradientDescentOptimizer(0.05), loss=mse)
    x, y = regression_data(40)
    history = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0)
    assert sorted(history.history) == ["loss", "val_loss"] and len(history.history["val_loss"]) == 2
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(history.history["val_loss"][-1], np.mean((x[30:] @ kernel + bias - y[30:]) ** 2),
                               rtol=1e-4)   # last epoch: weights unchanged since its validation
    history = model.fit(x, y, epochs=4, validation_data=(x[:8], y[:8]), validation_freq=2, verbose=0)
    assert len(history.history["val_loss"]) == 2 and len(history.history["loss"]) == 4
    with pytest.raises(ValueError, match="When passing validation_data, it must contain 2"):
        model.fit(x, y, validation_data=(x,), verbose=0)


def test_initial_epoch_and_shuffle_batch():
    model = linear_model()
    model.compile(tf.train.GradientDescentOptimizer(0.05), loss=mse)
    x, y = regression_data(40)
    history = model.fit(x, y, epochs=3, initial_epoch=1, shuffle="batch", batch_size=8, verbose=0)
    assert history.epoch == [1, 2]


# --- datasets and generators -----------------------------------------------------------------------------
def test_fit_and_evaluate_on_a_dataset():
    model = linear_model()
    model.compile(tf.train.GradientDescentOptimizer(0.1), loss=mse)
    x, y = regression_data(48)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    history = model.fit(dataset, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3 and history.history["loss"][2] < history.history["loss"][0]
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(model.evaluate(dataset, verbose=0), np.mean((x @ kernel + bias - y) ** 2),
                               rtol=1e-5)
    np.testing.assert_allclose(model.predict(tf.data.Dataset.from_tensor_slices(x).batch(10)),
                               x @ kernel + bias, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="The `batch_size` argument must not be specified"):
        model.fit(dataset, batch_size=4, verbose=0)
    uneven = tf.data.Dataset.from_tensor_slices((x[:40], y[:40])).batch(16)      # batches of 16, 16, 8
    errors = (x[:40] @ kernel + bias - y[:40]) ** 2
    np.testing.assert_allclose(model.evaluate(uneven, verbose=0),
                               np.mean([errors[:16].mean(), errors[16:32].mean(), errors[32:].mean()]), rtol=1e-5)
    iterator = dataset.repeat().make_one_shot_iterator()
    assert len(model.fit(iterator, steps_per_epoch=2, epochs=2, verbose=0).history["loss"]) == 2
    with pytest.raises(ValueError, match="When using a Dataset iterator as input to a model, you should specify "
                                         "the `steps_per_epoch` argument"):
        model.fit(iterator, epochs=1, verbose=0)


class Batches:
    """A keras.utils.Sequence-like object: len() batches, indexable, told when an epoch ends."""

    def __init__(self, x, y, size):
        self.x, self.y, self.size, self.epochs_ended = x, y, size, 0

    def __len__(self):
        return len(self.x) // self.size

    def __getitem__(self, index):
        part = slice(index * self.size, (index + 1) * self.size)
        return self.x[part], self.y[part]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_fit_generator_with_a_generator_and_a_sequence():
    model = linear_model()
    model.compile(tf.train.GradientDescentOptimizer(0.1), loss=mse)
    x, y = regression_data(32)

    def endless():
        while True:
            for start in range(0, 32, 8):
                yield x[start:start + 8], y[start:start + 8]

    history = model.fit_generator(endless(), steps_per_epoch=4, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    sequence = Batches(x, y, 8)
    model.fit_generator(sequence, epochs=2, verbose=0)
    assert sequence.epochs_ended == 2
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(model.evaluate_generator(sequence), np.mean((x @ kernel + bias - y) ** 2),
                               rtol=1e-5)
    np.testing.assert_allclose(model.predict_generator(sequence), x @ kernel + bias, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="`steps=None` is only valid for a generator based on the"):
        model.fit_generator(endless(), epochs=1, verbose=0)


# --- TF1 optimizers -------------------------------------------------------------------------------------
def test_keras_layers_trained_by_a_tf1_optimizer_in_a_session():
    x = tf.placeholder(tf.float32, [None, 3])
    target = tf.placeholder(tf.float32, [None, 1])
    model = keras.Sequential([layers.Dense(4, activation="relu", input_shape=(3,)), layers.Dense(1)])
    prediction = model(x)
    loss = tf.reduce_mean(tf.square(prediction - target))
    train = tf.train.AdamOptimizer(0.05).minimize(loss, var_list=model.trainable_weights)
    data, labels = regression_data(64)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, {x: data, target: labels})
        for _ in range(100):
            sess.run(train, {x: data, target: labels})
        assert sess.run(loss, {x: data, target: labels}) < 0.2 * first


# --- output ----------------------------------------------------------------------------------------------
def test_progress_bar_lines(capsys, monkeypatch):
    import sys
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)   # other tests may load it: no live bar
    model = linear_model()
    model.compile(tf.train.GradientDescentOptimizer(0.05), loss=mse)
    x, y = regression_data(32)
    model.fit(x, y, epochs=2, batch_size=8, verbose=1, validation_data=(x, y))
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["Train on 32 samples, validate on 32 samples", "Epoch 1/2"]
    assert re.fullmatch(r"32/32 \[={30}\] - \d+s \d+(us|ms|s)/sample - loss: \d+\.\d{4} - val_loss: \d+\.\d{4}",
                        lines[2]), lines[2]
    model.fit(x, y, epochs=1, batch_size=8, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Train on 32 samples" and re.fullmatch(r"32/32 - \d+s - loss: \d+\.\d{4}", lines[1])
    model.evaluate(x, y, verbose=1)
    assert re.fullmatch(r"32/32 \[={30}\] - \d+s \d+(us|ms|s)/sample - loss: \d+\.\d{4}",
                        capsys.readouterr().out.strip())


# --- errors --------------------------------------------------------------------------------------------
def test_training_an_uncompiled_model():
    model = linear_model()
    x, y = regression_data(4)
    message = re.escape("You must compile your model before training/testing. Use `model.compile(optimizer, "
                        "loss)`.")
    for call in (lambda: model.fit(x, y, verbose=0), lambda: model.evaluate(x, y, verbose=0),
                 lambda: model.train_on_batch(x, y), lambda: model.test_on_batch(x, y)):
        with pytest.raises(RuntimeError, match=message):
            call()


def test_wrong_input_shapes_and_counts():
    model = linear_model()
    model.compile(tf.train.GradientDescentOptimizer(0.1), loss=mse)
    x, y = regression_data(4)
    with pytest.raises(ValueError, match=re.escape("Error when checking input: expected input_1 to have shape "
                                                   "(3,) but got array with shape (5,)")):
        model.fit(np.zeros((4, 5)), y, verbose=0)
    with pytest.raises(ValueError, match="expected input_1 to have 2 dimensions, but got array with shape "
                                         r"\(4, 3, 1\)"):
        model.predict(np.zeros((4, 3, 1)))
    with pytest.raises(ValueError, match="Input arrays should have the same number of samples as target arrays. "
                                         "Found 4 input samples and 3 target samples"):
        model.fit(x, y[:3], verbose=0)
    with pytest.raises(ValueError, match="Error when checking model input: the list of Numpy arrays that you are "
                                         "passing to your model is not the size the model expected. Expected to "
                                         "see 1 array"):
        model.predict([x, x])
    with pytest.raises(ValueError, match="no target data `y` was passed"):
        model.fit(x, verbose=0)


def test_compile_argument_errors():
    x = keras.Input(shape=(3,))
    model = keras.Model(x, [layers.Dense(1, name="a")(x), layers.Dense(1, name="b")(x)])
    optimizer = tf.train.GradientDescentOptimizer(0.1)
    with pytest.raises(ValueError, match="When passing a list as loss, it should have one entry per model "
                                         "outputs. The model has 2 outputs"):
        model.compile(optimizer, loss=[mse])
    with pytest.raises(ValueError, match=r"Unknown entries in loss dictionary: \['c'\]"):
        model.compile(optimizer, loss={"a": mse, "c": mse})
    with pytest.raises(ValueError, match="When passing a list as loss_weights, it should have one entry per"):
        model.compile(optimizer, loss=mse, loss_weights=[1.])
    with pytest.raises(TypeError, match=r"Invalid keyword argument\(s\) in `compile`"):
        model.compile(optimizer, loss=mse, bogus=1)
    single = linear_model()
    with pytest.raises(ValueError, match="The model cannot be compiled because it has no loss to optimize"):
        single.compile(optimizer, loss=None)


def test_output_without_loss_needs_no_target():
    x = keras.Input(shape=(3,))
    model = keras.Model(x, [layers.Dense(1, name="a")(x), layers.Dense(1, name="b")(x)])
    model.compile(tf.train.GradientDescentOptimizer(0.1), loss={"a": mse})
    data, target = regression_data(8)
    history = model.fit(data, {"a": target}, epochs=1, verbose=0)
    assert model.metrics_names == ["loss", "a_loss"] and "a_loss" in history.history


# --- with keras.losses / metrics / optimizers -----------------------------------------------------------
@needs_keras_api
def test_string_forms_and_accuracy_names_as_tf115_reports_them():
    tf.set_random_seed(0)  # the weights' initial values: an unlucky draw learned this to only 0.8999
    rng = np.random.RandomState(0)
    x = rng.randn(200, 4).astype(np.float32)
    labels = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    model = keras.Sequential([layers.Dense(8, activation="relu", input_shape=(4,)),
                              layers.Dense(2, activation="softmax")])
    model.compile("adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    assert model.metrics_names == ["loss", "acc"]
    history = model.fit(x, labels, epochs=60, batch_size=20, verbose=0, validation_split=0.2)
    assert sorted(history.history) == ["acc", "loss", "val_acc", "val_loss"]
    loss, acc = model.evaluate(x, labels, verbose=0)
    predicted = model.predict(x).argmax(1)
    np.testing.assert_allclose(acc, np.mean(predicted == labels), rtol=1e-6)
    assert acc > 0.85


@needs_keras_api
def test_accuracy_kind_follows_the_output_and_loss():
    x = keras.Input(shape=(3,))
    binary = keras.Model(x, layers.Dense(1, activation="sigmoid")(x))
    binary.compile("sgd", loss="binary_crossentropy", metrics=["acc", "mae"])
    assert binary.metrics_names == ["loss", "acc", "mean_absolute_error"]
    data = np.random.RandomState(1).randn(30, 3).astype(np.float32)
    target = (data[:, :1] > 0).astype(np.float32)
    _, acc, mae = binary.evaluate(data, target, verbose=0)
    probabilities = binary.predict(data)
    np.testing.assert_allclose(acc, np.mean((probabilities > 0.5) == target), rtol=1e-6)
    np.testing.assert_allclose(mae, np.mean(np.abs(probabilities - target)), rtol=1e-5)
    categorical = keras.Model(x, layers.Dense(3, activation="softmax")(x))
    categorical.compile("sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    onehot = np.eye(3, dtype=np.float32)[np.arange(30) % 3]
    _, acc = categorical.evaluate(data, onehot, verbose=0)
    np.testing.assert_allclose(acc, np.mean(categorical.predict(data).argmax(1) == np.arange(30) % 3), rtol=1e-6)
    with pytest.raises(ValueError, match=re.escape("Error when checking target: expected dense_1 to have shape (3,) "
                                                   "but got array with shape (1,)")):
        categorical.fit(data, np.arange(30) % 3, verbose=0)


@needs_keras_api
def test_metrics_are_reset_each_epoch_and_by_reset_metrics():
    model = linear_model()
    model.compile("sgd", loss="mse", metrics=["mae"])
    x, y = regression_data(16)
    model.train_on_batch(x, y, reset_metrics=False)
    model.test_on_batch(x[:4], y[:4], reset_metrics=False)
    model.reset_metrics()
    kernel, bias = model.get_weights()
    _, mae = model.test_on_batch(x, y)
    np.testing.assert_allclose(mae, np.mean(np.abs(x @ kernel + bias - y)), rtol=1e-5)


@needs_keras_api
def test_masked_temporal_loss_and_weighted_metrics():
    x = keras.Input(shape=(4,))
    y = layers.Dense(1)(layers.Embedding(5, 3, mask_zero=True)(x))
    model = keras.Model(x, y)
    model.compile("sgd", "mse", metrics=["mae"], weighted_metrics=["mae"], sample_weight_mode="temporal")
    assert model.metrics_names == ["loss", "mean_absolute_error", "weighted_mean_absolute_error"]
    data = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    target = np.ones((2, 4, 1), np.float32)
    weights = np.array([[1, 1, 1, 1], [2, 2, 2, 2]], np.float32)
    mask = (data != 0).astype(np.float32)
    predictions = model.predict(data)[..., 0]
    loss, mae, weighted_mae = model.test_on_batch(data, target, sample_weight=weights)
    np.testing.assert_allclose(loss, np.sum((predictions - 1) ** 2 * weights * mask) / 8, rtol=1e-5)
    np.testing.assert_allclose(mae, np.sum(np.abs(predictions - 1) * mask) / mask.sum(), rtol=1e-5)
    np.testing.assert_allclose(weighted_mae, np.sum(np.abs(predictions - 1) * mask * weights) /
                               np.sum(mask * weights), rtol=1e-5)
    with pytest.raises(ValueError, match="In order to use timestep-wise sample weighting, you should pass a 2D"):
        model.test_on_batch(data, target, sample_weight=np.ones(2))


def test_functional_model_passes_training_to_its_layers():
    class Probe(layers.Layer):
        def call(self, inputs, training=None):
            return inputs * (2.0 if training is True else 1.0)

    x = keras.Input(shape=(2,))
    model = keras.Model(x, Probe()(x))
    data = np.ones((1, 2), np.float32)
    placeholder = tf.placeholder(tf.float32, [None, 2])
    trained, plain = model(placeholder, training=True), model(placeholder)
    np.testing.assert_allclose(K.get_session().run([trained, plain], {placeholder: data}), [data * 2, data])


@needs_keras_api
def test_stateful_metrics_restart_each_epoch():
    model = linear_model()
    model.compile(keras.optimizers.SGD(0.0), loss="mse", metrics=["mae"])
    x, y = regression_data(16)
    first_batch_logs = []
    probe = keras.callbacks.LambdaCallback(
        on_batch_end=lambda batch, logs: first_batch_logs.append(logs["mean_absolute_error"]) if batch == 0 else None)
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, callbacks=[probe], verbose=0)
    kernel, bias = model.get_weights()
    errors = np.abs(x @ kernel + bias - y)
    np.testing.assert_allclose(first_batch_logs, [errors[:8].mean()] * 2, rtol=1e-5)   # not the running mean
    np.testing.assert_allclose(history.history["mean_absolute_error"], [errors.mean()] * 2, rtol=1e-5)
