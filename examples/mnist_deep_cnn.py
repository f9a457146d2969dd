"""TF1's "Deep MNIST for experts" CNN: conv 5x5x32, pool, conv 5x5x64, pool, fc 1024, dropout 0.5,
Adam 1e-4, batches of 50.

    python examples/mnist_deep_cnn.py [--steps 2000] [--data-dir DIR]

Time: the CPU does about 15-20 steps/s on two cores, so the default 2000 steps take about 2 minutes
(about 0.97 test accuracy); the tutorial's full --steps 20000 take about 20 minutes and reach about 0.992.
Prints training accuracy and steps per second as it goes, and the test accuracy at the end. --data-dir holds
the four MNIST IDX files (default: MNIST_data beside this script; downloaded on first use when a network
is there).
"""
import argparse
import time

import numflow as tf
from numflow.examples.helpers import default_mnist_dir, read_mnist, trange, write

TUTORIAL_STEPS = 20000
STEPS_PER_SECOND = 18.0  # measured on a 2-core x86 machine; used only for the time estimate printed at start


def weight_variable(shape):
    return tf.Variable(tf.truncated_normal(shape, stddev=0.1))


def bias_variable(shape):
    return tf.Variable(tf.constant(0.1, shape=shape))


def conv2d(x, w):
    return tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="SAME")


def max_pool_2x2(x):
    return tf.nn.max_pool(x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")


def deepnn(x):
    """The network: returns (logits, keep_prob placeholder)."""
    x_image = tf.reshape(x, [-1, 28, 28, 1])
    with tf.name_scope("conv1"):
        w_conv1, b_conv1 = weight_variable([5, 5, 1, 32]), bias_variable([32])
        h_conv1 = tf.nn.relu(conv2d(x_image, w_conv1) + b_conv1)
        h_pool1 = max_pool_2x2(h_conv1)                                   # [?, 14, 14, 32]
    with tf.name_scope("conv2"):
        w_conv2, b_conv2 = weight_variable([5, 5, 32, 64]), bias_variable([64])
        h_conv2 = tf.nn.relu(conv2d(h_pool1, w_conv2) + b_conv2)
        h_pool2 = max_pool_2x2(h_conv2)                                   # [?, 7, 7, 64]
    with tf.name_scope("fc1"):
        w_fc1, b_fc1 = weight_variable([7 * 7 * 64, 1024]), bias_variable([1024])
        h_pool2_flat = tf.reshape(h_pool2, [-1, 7 * 7 * 64])
        h_fc1 = tf.nn.relu(tf.matmul(h_pool2_flat, w_fc1) + b_fc1)
    with tf.name_scope("dropout"):
        keep_prob = tf.placeholder(tf.float32, name="keep_prob")
        h_fc1_drop = tf.nn.dropout(h_fc1, keep_prob)
    with tf.name_scope("fc2"):
        w_fc2, b_fc2 = weight_variable([1024, 10]), bias_variable([10])
        y_conv = tf.matmul(h_fc1_drop, w_fc2) + b_fc2
    return y_conv, keep_prob


def evaluate(sess, accuracy, x, y_, keep_prob, images, labels, batch=500):
    """Accuracy over a whole set, in batches (the patches of 10000 images at once would not fit)."""
    correct = 0.0
    for start in range(0, len(images), batch):
        xs, ys = images[start:start + batch], labels[start:start + batch]
        correct += sess.run(accuracy, {x: xs, y_: ys, keep_prob: 1.0}) * len(xs)
    return correct / len(images)


def main(argv=None):
    parser = argparse.ArgumentParser(description="The deep MNIST CNN.")
    parser.add_argument("--data-dir", default=default_mnist_dir(__file__),
                        help="folder of the four MNIST IDX files (default: MNIST_data beside this script)")
    parser.add_argument("--steps", type=int, default=2000,
                        help="training steps (default 2000, about 2 minutes; the tutorial's %d take about "
                             "20 minutes)" % TUTORIAL_STEPS)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--log-every", type=int, default=100)
    parser.add_argument("--eval-every", type=int, default=0, help="also print test accuracy every N steps")
    parser.add_argument("--seed", type=int, default=None, help="seed for the weights, dropout and batches")
    args = parser.parse_args(argv)

    mnist = read_mnist(args.data_dir, one_hot=True, seed=args.seed)
    if args.seed is not None:
        tf.set_random_seed(args.seed)
    x = tf.placeholder(tf.float32, [None, 784], name="x")
    y_ = tf.placeholder(tf.float32, [None, 10], name="y_")
    y_conv, keep_prob = deepnn(x)
    with tf.name_scope("loss"):
        cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y_conv))
    with tf.name_scope("adam_optimizer"):
        train_step = tf.train.AdamOptimizer(1e-4).minimize(cross_entropy)
    with tf.name_scope("accuracy"):
        correct = tf.equal(tf.argmax(y_conv, 1), tf.argmax(y_, 1))
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        print("training %d steps: about %.0f minutes at ~%.0f steps/s%s" % (
            args.steps, max(1.0, args.steps / STEPS_PER_SECOND / 60), STEPS_PER_SECOND,
            "" if args.steps >= TUTORIAL_STEPS else " (--steps %d for the tutorial's full run)" % TUTORIAL_STEPS),
            flush=True)
        start = last = time.time()
        for i in trange(args.steps, desc="training"):
            batch_xs, batch_ys = mnist.train.next_batch(args.batch_size)
            if args.log_every and i % args.log_every == 0 and i:
                train_accuracy = sess.run(accuracy, {x: batch_xs, y_: batch_ys, keep_prob: 1.0})
                now = time.time()
                write("step %d, training accuracy %g, %.1f steps/s" % (i, train_accuracy,
                                                                      args.log_every / (now - last)))
                last = time.time()
            sess.run(train_step, {x: batch_xs, y_: batch_ys, keep_prob: 0.5})
            if args.eval_every and (i + 1) % args.eval_every == 0:
                write("step %d, test accuracy %g" % (i + 1, evaluate(sess, accuracy, x, y_, keep_prob,
                                                                    mnist.test.images, mnist.test.labels)))
        elapsed = time.time() - start
        test_accuracy = evaluate(sess, accuracy, x, y_, keep_prob, mnist.test.images, mnist.test.labels)
    print("trained %d steps in %.1f s: %.2f steps/s" % (args.steps, elapsed, args.steps / max(elapsed, 1e-9)))
    print("test accuracy %g" % test_accuracy)
    return test_accuracy


if __name__ == "__main__":
    main()
