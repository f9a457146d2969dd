"""numflow's main job: a small MLP learns the logic functions XOR, NAND, AND and OR. No download needed.

    python examples/logic_functions.py [--steps 400] [--hidden 10] [--learning-rate 0.5] [--seed 0]
    numflow run examples/logic_functions.py

Each function gets its own graph: 2 inputs -> a hidden ReLU layer -> 2 classes (true, false), trained by
gradient descent on 10000 sampled input pairs, then scored on 1000 fresh ones.
"""
import argparse

import numpy as np

import numflow as tf
from numflow.examples.helpers import trange

FUNCTIONS = {
    "xor": lambda a, b: a ^ b,
    "nand": lambda a, b: 1 - (a & b),
    "and": lambda a, b: a & b,
    "or": lambda a, b: a | b,
}


def sample(fn, n, rng):
    """n random input pairs and their one-hot labels (column 0: true, column 1: false)."""
    inputs = rng.randint(2, size=(n, 2))
    out = fn(inputs[:, 0], inputs[:, 1])
    return inputs.astype(np.float32), np.stack([out, 1 - out], axis=1).astype(np.float32)


def learn(name, fn, args, rng):
    train_x, train_y = sample(fn, 10000, rng)
    valid_x, valid_y = sample(fn, 1000, rng)
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(args.seed + 1)
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        y = tf.placeholder(tf.float32, [None, 2], name="y")
        w1 = tf.Variable(tf.truncated_normal([2, args.hidden]), name="w1")
        b1 = tf.Variable(tf.zeros([args.hidden]), name="b1")
        w2 = tf.Variable(tf.truncated_normal([args.hidden, 2]), name="w2")
        b2 = tf.Variable(tf.zeros([2]), name="b2")
        logits = tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2) + b2
        cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
        train = tf.train.GradientDescentOptimizer(args.learning_rate).minimize(cost)
        correct = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1))
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
        init = tf.global_variables_initializer()
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        for _ in trange(args.steps, desc=name):
            _, c = sess.run([train, cost], feed_dict={x: train_x, y: train_y})
        return c, sess.run(accuracy, feed_dict={x: valid_x, y: valid_y})


def main(argv=None):
    parser = argparse.ArgumentParser(description="Learn XOR, NAND, AND and OR with a small MLP.")
    parser.add_argument("--steps", type=int, default=400, help="gradient descent steps per function")
    parser.add_argument("--hidden", type=int, default=10, help="hidden units")
    parser.add_argument("--learning-rate", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = np.random.RandomState(args.seed)
    results = {name: learn(name, fn, args, rng) for name, fn in FUNCTIONS.items()}
    for name, (cost, acc) in results.items():
        print("%-4s  cost %.6f  validation accuracy %.3f" % (name, cost, acc))
    learned = sum(acc == 1.0 for _, acc in results.values())
    print("learned %d of %d logic functions (mean accuracy %.3f)"
          % (learned, len(results), np.mean([acc for _, acc in results.values()])))
    return results


if __name__ == "__main__":
    main()
