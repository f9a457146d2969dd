"""A 784-50-30-10 ReLU network on MNIST: SGD 0.1, 5000 steps of 100 (the reference reports 0.9653).

    python examples/mnist_mlp.py --data-dir ../shared/datasets/mnist [--steps 5000]
"""
import argparse

import numflow as tf
from numflow.examples.helpers import trange
from numflow.examples.tutorials.mnist import input_data


def dense(inputs, n_in, n_out, name, activation=None):
    with tf.name_scope(name):
        w = tf.Variable(tf.truncated_normal([n_in, n_out], stddev=0.1), name="weights")
        b = tf.Variable(tf.constant(0.1, shape=[n_out]), name="biases")
        z = tf.matmul(inputs, w) + b
        return activation(z) if activation else z


def main(argv=None):
    parser = argparse.ArgumentParser(description="A 784-50-30-10 MLP on MNIST.")
    parser.add_argument("--data-dir", default="MNIST_data", help="folder of the four MNIST IDX files")
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=None, help="seed for the weights and the batch order")
    args = parser.parse_args(argv)

    mnist = input_data.read_data_sets(args.data_dir, one_hot=True, seed=args.seed)
    if args.seed is not None:
        tf.set_random_seed(args.seed)
    x = tf.placeholder(tf.float32, [None, 784], name="x")
    y_ = tf.placeholder(tf.float32, [None, 10], name="labels")
    h1 = dense(x, 784, 50, "hidden1", tf.nn.relu)
    h2 = dense(h1, 50, 30, "hidden2", tf.nn.relu)
    logits = dense(h2, 30, 10, "output")
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=logits))
    train_step = tf.train.GradientDescentOptimizer(args.learning_rate).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y_, 1)), tf.float32))

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in trange(args.steps, desc="training"):
            batch_xs, batch_ys = mnist.train.next_batch(args.batch_size)
            sess.run(train_step, feed_dict={x: batch_xs, y_: batch_ys})
        val = sess.run(accuracy, feed_dict={x: mnist.validation.images, y_: mnist.validation.labels})
        acc = sess.run(accuracy, feed_dict={x: mnist.test.images, y_: mnist.test.labels})
    print("validation accuracy: %.4f" % val)
    print("test accuracy: %.4f" % acc)
    return acc


if __name__ == "__main__":
    main()
