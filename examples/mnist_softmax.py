"""Softmax regression on MNIST (the "MNIST for ML beginners" tutorial): SGD 0.5, 1000 steps of 100.

    python examples/mnist_softmax.py [--data-dir DIR] [--plot-weights weights.png] [--plot-curve curve.png]
                                     [--plot-confusion confusion.png]

--data-dir holds the four MNIST IDX files, gzipped or not (default: MNIST_data beside this script); missing
ones are downloaded on first use when a network is there. The tutorial reports a test accuracy of about
0.92; a run takes a few seconds. --plot-weights saves the ten learned 28x28 weight images (blue positive,
red negative, as in the tutorial), --plot-curve the training cost per step with the validation accuracy
every --eval-every steps, --plot-confusion the test set's confusion matrix (plots need matplotlib:
pip install 'numflow-tf1[plot]').
"""
import argparse

import numflow as tf
from numflow.examples.helpers import default_mnist_dir, read_mnist, trange, write
from numflow.examples.plots import (LearningCurve, add_plot_options, check_plot_options, plot_confusion_matrix,
                                    plot_weights)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Softmax regression on MNIST.")
    parser.add_argument("--data-dir", default=default_mnist_dir(__file__),
                        help="folder of the four MNIST IDX files (default: MNIST_data beside this script)")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=None, help="seed for the batch order")
    add_plot_options(parser, weights=True)
    args = parser.parse_args(argv)
    check_plot_options(parser, args)

    mnist = read_mnist(args.data_dir, one_hot=True, seed=args.seed)
    x = tf.placeholder(tf.float32, [None, 784], name="x")
    y_ = tf.placeholder(tf.float32, [None, 10], name="labels")
    W = tf.Variable(tf.zeros([784, 10]), name="W")
    b = tf.Variable(tf.zeros([10]), name="b")
    y = tf.matmul(x, W) + b
    cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y))
    train_step = tf.train.GradientDescentOptimizer(args.learning_rate).minimize(cross_entropy)
    predictions, truth = tf.argmax(y, 1), tf.argmax(y_, 1)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(predictions, truth), tf.float32))
    confusion = tf.confusion_matrix(truth, predictions, num_classes=10)

    curve = LearningCurve()
    validation = {x: mnist.validation.images, y_: mnist.validation.labels}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in trange(args.steps, desc="training"):
            batch_xs, batch_ys = mnist.train.next_batch(args.batch_size)
            _, cost = sess.run([train_step, cross_entropy], feed_dict={x: batch_xs, y_: batch_ys})
            if args.plot_curve:
                curve.after_step(step + 1, cost, args.steps, args.eval_every,
                                 lambda: sess.run(accuracy, feed_dict=validation))
        test = {x: mnist.test.images, y_: mnist.test.labels}
        acc, matrix = sess.run([accuracy, confusion], feed_dict=test)
        weights = sess.run(W)
    for path, save in ((args.plot_weights, lambda p: plot_weights(weights, p)),
                       (args.plot_curve, curve.save),
                       (args.plot_confusion, lambda p: plot_confusion_matrix(matrix, p))):
        if path:
            write("saved", save(path))
    print("test accuracy: %.4f" % acc)
    return acc


if __name__ == "__main__":
    main()
