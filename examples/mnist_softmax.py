"""Softmax regression on MNIST (the "MNIST for ML beginners" tutorial): SGD 0.5, 1000 steps of 100.

    python examples/mnist_softmax.py --data-dir ../shared/datasets/mnist [--plot-weights weights.png]

--data-dir holds the four MNIST IDX files (gzipped or not); missing ones are downloaded when a network is
there. The tutorial reports a test accuracy of about 0.92. --plot-weights saves the ten learned 28x28
weight images (needs matplotlib: pip install 'numflow[plot]').
"""
import argparse

import numflow as tf
from numflow.examples.helpers import require, trange
from numflow.examples.tutorials.mnist import input_data


def plot_weights(weights, path):
    """Save the ten columns of `weights` [784, 10] as 28x28 images in one PNG."""
    matplotlib = require("matplotlib", "plot", "--plot-weights")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(2, 5, figsize=(10, 4.4))
    limit = abs(weights).max()
    for digit, ax in enumerate(axes.flat):
        ax.imshow(weights[:, digit].reshape(28, 28), cmap="seismic", vmin=-limit, vmax=limit)
        ax.set_title(str(digit))
        ax.axis("off")
    fig.suptitle("softmax regression weights (red: evidence for the digit, blue: against)")
    fig.savefig(path, dpi=80)
    plt.close(fig)
    print("weights saved to", path)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Softmax regression on MNIST.")
    parser.add_argument("--data-dir", default="MNIST_data", help="folder of the four MNIST IDX files")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=0.5)
    parser.add_argument("--plot-weights", metavar="PNG", help="save the learned weights as ten images")
    parser.add_argument("--seed", type=int, default=None, help="seed for the batch order")
    args = parser.parse_args(argv)
    if args.plot_weights:
        try:
            require("matplotlib", "plot", "--plot-weights")  # fail before training, not after
        except ImportError as e:
            parser.error(str(e))

    mnist = input_data.read_data_sets(args.data_dir, one_hot=True, seed=args.seed)
    x = tf.placeholder(tf.float32, [None, 784], name="x")
    y_ = tf.placeholder(tf.float32, [None, 10], name="labels")
    W = tf.Variable(tf.zeros([784, 10]), name="W")
    b = tf.Variable(tf.zeros([10]), name="b")
    y = tf.matmul(x, W) + b
    cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y))
    train_step = tf.train.GradientDescentOptimizer(args.learning_rate).minimize(cross_entropy)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1)), tf.float32))

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in trange(args.steps, desc="training"):
            batch_xs, batch_ys = mnist.train.next_batch(args.batch_size)
            sess.run(train_step, feed_dict={x: batch_xs, y_: batch_ys})
        acc = sess.run(accuracy, feed_dict={x: mnist.test.images, y_: mnist.test.labels})
        weights = sess.run(W)
    if args.plot_weights:
        plot_weights(weights, args.plot_weights)
    print("test accuracy: %.4f" % acc)
    return acc


if __name__ == "__main__":
    main()
