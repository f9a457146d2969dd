"""MNIST with a canned estimator: tf.estimator.DNNClassifier fed by numpy_input_fn (TF 1.x's premade
estimator tutorial).

    python examples/mnist_estimator.py --data-dir MNIST_data [--steps 2000] [--model-dir /tmp/mnist_est]

The 784 pixels are one numeric feature column 'x' of shape [784]; a 256-128 ReLU network (Adam) trains
for --steps steps of 100 images, saving checkpoints in --model-dir (a temporary folder by default; a
second run with the same folder resumes from its checkpoint), then evaluates on the 10000 test images.
It reaches about 0.97 test accuracy (0.9745 with the defaults). --data-dir holds the four MNIST IDX files
(downloaded when missing and a network is there).
"""
import argparse

import numpy as np

import numflow as tf
from numflow.examples.tutorials.mnist import input_data


def main(argv=None):
    parser = argparse.ArgumentParser(description="MNIST with tf.estimator.DNNClassifier.")
    parser.add_argument("--data-dir", default="MNIST_data", help="folder of the four MNIST IDX files")
    parser.add_argument("--model-dir", default=None, help="checkpoints and events (default: a temporary folder)")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=0.001)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    mnist = input_data.read_data_sets(args.data_dir, one_hot=False, validation_size=0)
    train_x = {"x": mnist.train.images}
    train_y = mnist.train.labels.astype(np.int32)
    test_x, test_y = {"x": mnist.test.images}, mnist.test.labels.astype(np.int32)

    classifier = tf.estimator.DNNClassifier(
        hidden_units=[256, 128], feature_columns=[tf.feature_column.numeric_column("x", shape=[784])], n_classes=10,
        optimizer=tf.train.AdamOptimizer(args.learning_rate), model_dir=args.model_dir,
        config=tf.estimator.RunConfig(tf_random_seed=args.seed, save_summary_steps=500, log_step_count_steps=500))
    train_input_fn = tf.estimator.inputs.numpy_input_fn(train_x, train_y, batch_size=args.batch_size,
                                                        num_epochs=None, shuffle=True)
    classifier.train(train_input_fn, steps=args.steps)

    test_input_fn = tf.estimator.inputs.numpy_input_fn(test_x, test_y, batch_size=1000, num_epochs=1, shuffle=False)
    metrics = classifier.evaluate(test_input_fn)
    print("global step %d, average loss %.4f" % (metrics["global_step"], metrics["average_loss"]))
    print("test accuracy %.4f" % metrics["accuracy"])
    return metrics["accuracy"]


if __name__ == "__main__":
    main()
