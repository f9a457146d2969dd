"""First steps with numflow: constants, a Session, placeholders fed at run time, and hello world.

    python examples/intro.py            (or: numflow run examples/intro.py)
"""
import numpy as np

import numflow as tf


def main():
    hello = tf.constant("Hello, numflow!")
    with tf.Session() as sess:
        print(sess.run(hello).decode())        # strings come back as bytes, as in TF1

    # Building the graph computes nothing; Session.run does.
    a = tf.constant(2, name="a")
    b = tf.constant(10, name="b")
    c = tf.multiply(a, b, name="c")
    print("the graph holds:", c)               # a symbolic Tensor, named 'c:0'
    with tf.Session() as sess:
        print("a * b =", sess.run(c))

        # Placeholders are the graph's inputs: give their values in feed_dict.
        x = tf.placeholder(tf.float32, name="x")
        y = tf.placeholder(tf.float32, name="y")
        total = x + y
        print("3 + 4 =", sess.run(total, feed_dict={x: 3.0, y: 4.0}))
        print("[1, 2] + [10, 20] =", sess.run(total, feed_dict={x: [1, 2], y: [10, 20]}))

        # A linear function Y = W X + b on random matrices; several fetches at once.
        rng = np.random.RandomState(1)
        X = tf.constant(rng.randn(3, 1), name="X")
        W = tf.constant(rng.randn(4, 3), name="W")
        bias = tf.constant(rng.randn(4, 1), name="bias")
        Y = tf.add(tf.matmul(W, X), bias, name="Y")
        y_value, w_value = sess.run([Y, W])
        print("Y = W X + b has shape", y_value.shape, "and dtype", y_value.dtype)
        print("one_hot([1, 2, 0], 3) =\n", sess.run(tf.one_hot([1, 2, 0], 3)))


if __name__ == "__main__":
    main()
