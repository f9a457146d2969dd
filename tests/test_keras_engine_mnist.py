"""The acceptance runs: a Sequential MLP on the real MNIST files reaches >= 0.97 test accuracy in 5 epochs,
trained by `fit` and, the same network, by a TF1 optimizer on the Keras layers' variables in a Session; and
examples/keras_mnist.py on tiny files."""
import os

import numpy as np
import pytest

import numflow as tf
from numflow.keras import backend as K
from test_examples import ok, run_example
from test_mnist_loader import write_tiny_mnist

MNIST = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "datasets", "mnist")
needs_mnist = pytest.mark.skipif(not os.path.exists(os.path.join(MNIST, "train-images-idx3-ubyte.gz")),
                                 reason="the MNIST files are not in ../shared/datasets/mnist (a fresh clone has none)")


@pytest.fixture
def mnist():
    from numflow.datasets import mnist as loader
    K.clear_session()
    np.random.seed(0)
    tf.set_random_seed(0)
    yield loader.read_data_sets(MNIST, validation_size=0)
    K.clear_session()


def mlp():
    return tf.keras.Sequential([tf.keras.layers.Dense(256, activation="relu", input_shape=(784,)),
                                tf.keras.layers.Dense(10, activation="softmax")])


@needs_mnist
def test_sequential_mlp_fit_reaches_97_percent_in_5_epochs(mnist):
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(mnist.train.images, mnist.train.labels, batch_size=64, epochs=5, verbose=0)
    assert len(history.history["acc"]) == 5 and history.history["loss"][-1] < history.history["loss"][0]
    loss, accuracy = model.evaluate(mnist.test.images, mnist.test.labels, batch_size=1000, verbose=0)
    predicted = model.predict(mnist.test.images, batch_size=1000).argmax(1)
    assert accuracy == pytest.approx(np.mean(predicted == mnist.test.labels), abs=1e-6)
    assert accuracy >= 0.97, accuracy


@needs_mnist
def test_same_mlp_trained_by_a_tf1_optimizer_reaches_97_percent(mnist):
    images = tf.placeholder(tf.float32, [None, 784])
    labels = tf.placeholder(tf.int64, [None])
    model = mlp()
    probabilities = model(images)
    loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(labels, probabilities))
    train = tf.train.AdamOptimizer().minimize(loss, var_list=model.trainable_weights)
    correct = tf.equal(tf.argmax(probabilities, 1), labels)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    x, y = mnist.train.images, mnist.train.labels.astype(np.int64)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(5):
            order = np.random.permutation(len(x))
            for start in range(0, len(x), 64):
                batch = order[start:start + 64]
                sess.run(train, {images: x[batch], labels: y[batch]})
        test_accuracy = sess.run(accuracy, {images: mnist.test.images, labels: mnist.test.labels})
    assert test_accuracy >= 0.97, test_accuracy


def test_keras_mnist_example_on_tiny_files(tmp_path):
    folder = write_tiny_mnist(tmp_path / "mnist", n_train=200, n_test=50, compress=False)
    stdout = ok(run_example("keras_mnist.py", "--data-dir", folder, "--epochs", "2", "--batch-size", "50",
                            "--hidden", "16", "--verbose", "2", "--seed", "1"))
    lines = stdout.strip().splitlines()
    assert 'Model: "sequential"' in lines and "Epoch 2/2" in lines
    assert any(line.startswith("200/200 - ") and " - acc: " in line for line in lines)
    assert lines[-2].startswith("test loss: ") and lines[-1].startswith("test accuracy: ")
    assert 0.0 <= float(lines[-1].split()[-1]) <= 1.0


def test_keras_mnist_example_without_data_names_the_folder(tmp_path):
    out = run_example("keras_mnist.py", "--data-dir", tmp_path / "empty", env={"NUMFLOW_NO_DOWNLOAD": "1"})
    assert out.returncode == 1 and "error: MNIST data not found" in out.stderr
    assert str(tmp_path / "empty") in out.stderr
