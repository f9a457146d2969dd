"""An epoch of MNIST softmax regression fed by tf.data against the same epoch fed by feed_dict.

    python benchmarks/bench_input_pipeline.py [--epochs 3] [--data-dir DIR]

Pipeline: `Dataset.from_tensor_slices((images, labels)).shuffle(10000).batch(100)` read by a one-shot
iterator whose `get_next()` feeds the model directly. Reference: the tutorial loop,
`mnist.train.next_batch(100)` + `sess.run(train_step, feed_dict=...)`. Both train the same model in the
same process, alternating epochs; the ratio of the median epoch times is reported (target <= 1.1).
Without the MNIST files (DIR holding the four IDX .gz files; default: examples/MNIST_data) the
benchmark uses 55000 random images of the same shape, which measures the same work.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
import numflow as tf  # noqa: E402
from numflow.datasets import mnist as mnist_loader  # noqa: E402

BATCH = 100


def load(data_dir):
    if data_dir and os.path.exists(os.path.join(data_dir, "train-images-idx3-ubyte.gz")):
        data = mnist_loader.read_data_sets(data_dir, one_hot=True)
        return data.train, "MNIST"
    rng = np.random.RandomState(0)
    images = rng.rand(55000, 784).astype(np.float32)
    labels = np.eye(10, dtype=np.float32)[rng.randint(0, 10, 55000)]
    return mnist_loader.DataSet(images * 255, labels, reshape=False), "random images (MNIST not found)"


def model(x, y_):
    w = tf.Variable(tf.zeros([784, 10]))
    b = tf.Variable(tf.zeros([10]))
    logits = tf.matmul(x, w) + b
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=logits))
    return tf.train.GradientDescentOptimizer(0.5).minimize(loss)


def build_dataset_epoch(train):
    graph = tf.Graph()
    with graph.as_default():
        dataset = tf.data.Dataset.from_tensor_slices((train.images, train.labels)).shuffle(10000).batch(BATCH)
        iterator = dataset.make_initializable_iterator()
        x, y_ = iterator.get_next()
        step = model(x, y_)
        init = tf.global_variables_initializer()
    session = tf.Session(graph=graph)
    session.run(init)

    def epoch():
        session.run(iterator.initializer)
        steps = 0
        while True:
            try:
                session.run(step)
            except tf.errors.OutOfRangeError:
                return steps
            steps += 1
    return epoch


def build_feed_epoch(train):
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 784])
        y_ = tf.placeholder(tf.float32, [None, 10])
        step = model(x, y_)
        init = tf.global_variables_initializer()
    session = tf.Session(graph=graph)
    session.run(init)
    steps_per_epoch = -(-train.num_examples // BATCH)

    def epoch():
        for _ in range(steps_per_epoch):
            xs, ys = train.next_batch(BATCH)
            session.run(step, feed_dict={x: xs, y_: ys})
        return steps_per_epoch
    return epoch


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--data-dir", default=os.path.join(here, "..", "examples", "MNIST_data"))
    args = parser.parse_args(argv)
    train, source = load(args.data_dir)
    dataset_epoch, feed_epoch = build_dataset_epoch(train), build_feed_epoch(train)
    dataset_epoch(), feed_epoch()           # warm-up: plans compiled, caches filled
    times = {"tf.data": [], "feed_dict": []}
    for _ in range(args.epochs):
        for name, epoch in (("tf.data", dataset_epoch), ("feed_dict", feed_epoch)):
            start = time.perf_counter()
            steps = epoch()
            times[name].append(time.perf_counter() - start)
    data_s, feed_s = np.median(times["tf.data"]), np.median(times["feed_dict"])
    print("data: %s, %d steps of %d per epoch" % (source, steps, BATCH))
    print("tf.data  shuffle(10000).batch(100): %.3f s per epoch" % data_s)
    print("feed_dict + next_batch(100):        %.3f s per epoch" % feed_s)
    print("ratio tf.data / feed_dict: %.2f (target <= 1.1)" % (data_s / feed_s))
    return data_s / feed_s


if __name__ == "__main__":
    main()
