"""Minimise J(w) = w^2 - 10 w + 25 = (w - 5)^2 by gradient descent; the coefficients are fed as data.

    python examples/quadratic.py [--steps 1000] [--learning-rate 0.01]
"""
import argparse

import numpy as np

import numflow as tf


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--learning-rate", type=float, default=0.01)
    args = parser.parse_args(argv)

    coefficients = np.array([[1.0], [-10.0], [25.0]], dtype=np.float32)
    w = tf.Variable([0.0], dtype=tf.float32, name="w")
    x = tf.placeholder(tf.float32, [3, 1], name="coefficients")
    cost = x[0][0] * w ** 2 + x[1][0] * w + x[2][0]
    train = tf.train.GradientDescentOptimizer(args.learning_rate).minimize(cost)

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(1, args.steps + 1):
            sess.run(train, feed_dict={x: coefficients})
            if step % max(1, args.steps // 5) == 0:
                w_value, cost_value = sess.run([w, cost], feed_dict={x: coefficients})
                print("step %4d  w = %.4f  J(w) = %.6f" % (step, w_value[0], cost_value[0]))
        result = sess.run(w)[0]
    print("w = %.4f (the minimum is at w = 5)" % result)
    return result


if __name__ == "__main__":
    main()
