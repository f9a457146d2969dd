"""The hand-signs (SIGNS) network of the deep-learning course: LINEAR->RELU->LINEAR->RELU->LINEAR->SOFTMAX.

    python examples/signs_three_layer.py --data-dir datasets [--epochs 1500]
    python examples/signs_three_layer.py --mnist MNIST_data     (MNIST digits 0-5 instead: no .h5 files needed)

Column layout ([features, examples]), 25-12-6 units, Xavier initialisation through get_variable, Adam 1e-4
on minibatches of 32. The course's data are two HDF5 files, train_signs.h5 (train_set_x [1080, 64, 64, 3],
train_set_y [1080]) and test_signs.h5 (test_set_x, test_set_y, list_classes). They are not published on
their own: they come in the `datasets/` folder of the TensorFlow programming assignment of deeplearning.ai's
course "Improving Deep Neural Networks" (week 3); copy that folder here or point --data-dir at it. Reading
them needs h5py (pip install 'numflow-tf1[hdf5]'). The course reports train 0.999, test 0.725 after 1500
epochs (a few minutes here). Without the course files, --mnist DIR trains the same network on 180 MNIST
images of each digit 0-5 (1080 in all, the SIGNS training set's size) from the MNIST folder DIR.
"""
import argparse
import os
import sys

import numpy as np

import numflow as tf
from numflow.examples.helpers import read_mnist, require, trange, write

CLASSES = 6


def load_h5_split(path, split):
    """(X [features, n] float32 in [0, 1], Y one-hot [6, n]) from the course's `<split>_signs.h5`."""
    h5py = require("h5py", "hdf5", "reading the SIGNS HDF5 files")
    with h5py.File(path, "r") as f:
        for key in ("%s_set_x" % split, "%s_set_y" % split):
            if key not in f:
                raise ValueError("%s has no dataset %r (it holds %s)" % (path, key, sorted(f.keys())))
        x = np.asarray(f["%s_set_x" % split][()])
        y = np.asarray(f["%s_set_y" % split][()]).reshape(-1)
    if x.ndim < 2 or x.shape[0] != y.shape[0]:
        raise ValueError("%s: %s_set_x has shape %s but %s_set_y holds %d labels"
                         % (path, split, x.shape, split, y.shape[0]))
    if y.size and (y.min() < 0 or y.max() >= CLASSES):
        raise ValueError("%s: labels must lie in 0..%d, found %d..%d" % (path, CLASSES - 1, y.min(), y.max()))
    X = (x.reshape(x.shape[0], -1).T / 255.0).astype(np.float32)
    return X, np.eye(CLASSES, dtype=np.float32)[y.astype(np.intp)].T


def load_signs(data_dir):
    paths = [os.path.join(data_dir, name) for name in ("train_signs.h5", "test_signs.h5")]
    missing = [p for p in paths if not os.path.isfile(p)]
    if missing:
        sys.exit("signs_three_layer: %s not found. Put the course's train_signs.h5 and test_signs.h5 in %s "
                 "(--data-dir): they come in the datasets/ folder of the TensorFlow assignment of "
                 "deeplearning.ai's \"Improving Deep Neural Networks\" course. Or train on MNIST digits 0-5 "
                 "with --mnist DIR." % (", ".join(missing), os.path.abspath(data_dir)))
    return load_h5_split(paths[0], "train") + load_h5_split(paths[1], "test")


def load_mnist_digits(mnist_dir):
    mnist = read_mnist(mnist_dir, one_hot=False)

    def six(ds, per_class):
        idx = np.concatenate([np.flatnonzero(ds.labels == c)[:per_class] for c in range(CLASSES)])
        return ds.images[idx].T, np.eye(CLASSES, dtype=np.float32)[ds.labels[idx]].T
    return six(mnist.train, 180) + six(mnist.test, 200)


def random_mini_batches(X, Y, size, seed):
    perm = np.random.RandomState(seed).permutation(X.shape[1])
    X, Y = X[:, perm], Y[:, perm]
    return [(X[:, k:k + size], Y[:, k:k + size]) for k in range(0, X.shape[1], size)]


def model(X_train, Y_train, X_test, Y_test, epochs, learning_rate=0.0001, batch_size=32):
    tf.reset_default_graph()
    tf.set_random_seed(1)
    n_x = X_train.shape[0]
    X = tf.placeholder(tf.float32, [n_x, None], name="X")
    Y = tf.placeholder(tf.float32, [CLASSES, None], name="Y")
    init = tf.contrib.layers.xavier_initializer(seed=1)
    W1 = tf.get_variable("W1", [25, n_x], initializer=init)
    b1 = tf.get_variable("b1", [25, 1], initializer=tf.zeros_initializer())
    W2 = tf.get_variable("W2", [12, 25], initializer=init)
    b2 = tf.get_variable("b2", [12, 1], initializer=tf.zeros_initializer())
    W3 = tf.get_variable("W3", [CLASSES, 12], initializer=init)
    b3 = tf.get_variable("b3", [CLASSES, 1], initializer=tf.zeros_initializer())
    A1 = tf.nn.relu(tf.matmul(W1, X) + b1)
    A2 = tf.nn.relu(tf.matmul(W2, A1) + b2)
    Z3 = tf.matmul(W3, A2) + b3
    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=tf.transpose(Z3),
                                                                  labels=tf.transpose(Y)))
    optimizer = tf.train.AdamOptimizer(learning_rate=learning_rate).minimize(cost)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(Z3), tf.argmax(Y)), tf.float32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for epoch in trange(epochs, desc="epochs"):
            batches = random_mini_batches(X_train, Y_train, batch_size, seed=epoch)
            epoch_cost = 0.0
            for mx, my in batches:
                _, c = sess.run([optimizer, cost], feed_dict={X: mx, Y: my})
                epoch_cost += c / len(batches)
            if epoch % 100 == 0 or epoch == epochs - 1:
                write("cost after epoch %d: %f" % (epoch, epoch_cost))
        train_acc = sess.run(accuracy, feed_dict={X: X_train, Y: Y_train})
        test_acc = sess.run(accuracy, feed_dict={X: X_test, Y: Y_test})
    return train_acc, test_acc


def main(argv=None):
    parser = argparse.ArgumentParser(description="The course's three-layer SIGNS network.")
    parser.add_argument("--data-dir", default="datasets", help="folder of train_signs.h5 and test_signs.h5")
    parser.add_argument("--mnist", metavar="DIR", help="train on MNIST digits 0-5 from the MNIST folder DIR "
                        "instead (downloaded there on first use when a network is there)")
    parser.add_argument("--epochs", type=int, default=1500)
    parser.add_argument("--learning-rate", type=float, default=0.0001)
    args = parser.parse_args(argv)
    try:
        data = load_mnist_digits(args.mnist) if args.mnist else load_signs(args.data_dir)
    except ImportError as e:  # h5py missing: say which extra to install, without a traceback
        parser.exit(2, "signs_three_layer: %s\n" % e)
    print("train: X %s, Y %s; test: X %s, Y %s" % tuple(a.shape for a in data))
    train_acc, test_acc = model(*data, epochs=args.epochs, learning_rate=args.learning_rate)
    print("train accuracy: %.4f  test accuracy: %.4f" % (train_acc, test_acc))
    return train_acc, test_acc


if __name__ == "__main__":
    main()
