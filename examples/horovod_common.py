"""What the two Horovod MNIST examples share: their command line, the data, and the CNN.

Not a program of its own: `horovod_mnist_monitored.py` and `horovod_mnist_session.py` import it (Python
puts the script's folder on the path)."""
import argparse
import os

import numpy as np

import numflow as tf
from numflow.examples.tutorials.mnist import input_data


def parse_args(description, argv=None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data-dir", default=None,
                        help="folder of the four MNIST IDX files")
    parser.add_argument("--synthetic", action="store_true",
                        help="a small synthetic ten-class set instead of MNIST (no files needed)")
    parser.add_argument("--steps", type=int, default=200, help="global steps to train, over all ranks")
    parser.add_argument("--batch-size", type=int, default=64, help="examples per rank per step")
    parser.add_argument("--learning-rate", type=float, default=0.001, help="before scaling by hvd.size()")
    parser.add_argument("--checkpoint-dir", default=None, help="rank 0 writes checkpoints and summaries here")
    return parser.parse_args(argv)


def synthetic_mnist(seed, n_train=2000, n_test=500):
    """Ten classes, each a fixed random 28x28 pattern plus pixel noise, shaped as read_data_sets' output."""
    rng = np.random.RandomState(1234)    # the same patterns on every rank
    prototypes = (rng.rand(10, 784) < 0.25).astype(np.float32)

    def split(n, split_seed):
        split_rng = np.random.RandomState(split_seed)
        labels = split_rng.randint(0, 10, size=n)
        noisy = 0.5 * prototypes[labels] + 0.6 * split_rng.randn(n, 784).astype(np.float32)
        images = (np.clip(noisy, 0.0, 1.0) * 255).astype(np.uint8).reshape(n, 28, 28, 1)
        return input_data.DataSet(images, input_data.dense_to_one_hot(labels, 10), seed=seed)
    return input_data.Datasets(train=split(n_train, 1), validation=None, test=split(n_test, 2))


def load_data(args, rank):
    """MNIST from --data-dir (or the synthetic set); each rank shuffles with its own seed, so the ranks'
    batches differ, as Horovod's examples arrange."""
    if args.synthetic or not args.data_dir:
        return synthetic_mnist(seed=rank)
    return input_data.read_data_sets(os.path.expanduser(args.data_dir), one_hot=True, validation_size=0,
                                     seed=rank, source_url=None)


def conv_model(images, labels):
    """A small LeNet-style CNN: (logits, loss, accuracy)."""
    feature = tf.reshape(images, [-1, 28, 28, 1])
    with tf.variable_scope("conv1"):
        h = tf.layers.conv2d(feature, 16, 5, padding="same", activation=tf.nn.relu)
        h = tf.layers.max_pooling2d(h, 2, 2)
    with tf.variable_scope("conv2"):
        h = tf.layers.conv2d(h, 32, 5, padding="same", activation=tf.nn.relu)
        h = tf.layers.max_pooling2d(h, 2, 2)
    h = tf.reshape(h, [-1, 7 * 7 * 32])
    h = tf.layers.dense(h, 128, activation=tf.nn.relu, name="fc1")
    logits = tf.layers.dense(h, 10, name="logits")
    loss = tf.losses.softmax_cross_entropy(labels, logits)
    correct = tf.equal(tf.argmax(logits, 1), tf.argmax(labels, 1))
    return logits, loss, tf.reduce_mean(tf.cast(correct, tf.float32))
