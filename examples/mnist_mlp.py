"""A 784-50-30-10 ReLU network on MNIST: SGD 0.1, 5000 steps of 100 (the reference reports 0.9653).

    python examples/mnist_mlp.py [--data-dir DIR] [--steps 5000] [--plot-curve curve.png]
                                 [--plot-confusion confusion.png]

--data-dir holds the four MNIST IDX files (default: MNIST_data beside this script; downloaded on first use
when a network is there). A run takes a few seconds. --plot-curve saves the training cost per step with the
validation accuracy every --eval-every steps, --plot-confusion the test set's confusion matrix (plots need
matplotlib: pip install 'numflow-tf1[plot]').
"""
import argparse

import numflow as tf
from numflow.examples.helpers import default_mnist_dir, read_mnist, trange, write
from numflow.examples.plots import LearningCurve, add_plot_options, check_plot_options, plot_confusion_matrix


def dense(inputs, n_in, n_out, name, activation=None):
    with tf.name_scope(name):
        w = tf.Variable(tf.truncated_normal([n_in, n_out], stddev=0.1), name="weights")
        b = tf.Variable(tf.constant(0.1, shape=[n_out]), name="biases")
        z = tf.matmul(inputs, w) + b
        return activation(z) if activation else z


def main(argv=None):
    parser = argparse.ArgumentParser(description="A 784-50-30-10 MLP on MNIST.")
    parser.add_argument("--data-dir", default=default_mnist_dir(__file__),
                        help="folder of the four MNIST IDX files (default: MNIST_data beside this script)")
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=None, help="seed for the weights and the batch order")
    add_plot_options(parser)
    args = parser.parse_args(argv)
    check_plot_options(parser, args)

    mnist = read_mnist(args.data_dir, one_hot=True, seed=args.seed)
    if args.seed is not None:
        tf.set_random_seed(args.seed)
    x = tf.placeholder(tf.float32, [None, 784], name="x")
    y_ = tf.placeholder(tf.float32, [None, 10], name="labels")
    h1 = dense(x, 784, 50, "hidden1", tf.nn.relu)
    h2 = dense(h1, 50, 30, "hidden2", tf.nn.relu)
    logits = dense(h2, 30, 10, "output")
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=logits))
    train_step = tf.train.GradientDescentOptimizer(args.learning_rate).minimize(loss)
    predictions, truth = tf.argmax(logits, 1), tf.argmax(y_, 1)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(predictions, truth), tf.float32))
    confusion = tf.confusion_matrix(truth, predictions, num_classes=10)

    curve = LearningCurve()
    validation = {x: mnist.validation.images, y_: mnist.validation.labels}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in trange(args.steps, desc="training"):
            batch_xs, batch_ys = mnist.train.next_batch(args.batch_size)
            _, cost = sess.run([train_step, loss], feed_dict={x: batch_xs, y_: batch_ys})
            if args.plot_curve:
                curve.after_step(step + 1, cost, args.steps, args.eval_every,
                                 lambda: sess.run(accuracy, feed_dict=validation))
        val = sess.run(accuracy, feed_dict=validation)
        acc, matrix = sess.run([accuracy, confusion], feed_dict={x: mnist.test.images, y_: mnist.test.labels})
    if args.plot_curve:
        write("saved", curve.save(args.plot_curve))
    if args.plot_confusion:
        write("saved", plot_confusion_matrix(matrix, args.plot_confusion))
    print("validation accuracy: %.4f" % val)
    print("test accuracy: %.4f" % acc)
    return acc


if __name__ == "__main__":
    main()
