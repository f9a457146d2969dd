"""Softmax regression on MNIST trained with tf.train.MonitoredTrainingSession and hooks.

    python examples/mnist_monitored_session.py [--data-dir DIR | --synthetic] [--checkpoint-dir DIR]
                                               [--steps 500]

MonitoredTrainingSession restores the newest checkpoint of --checkpoint-dir (or initializes the model),
saves 'model.ckpt-<step>' there every --save-every steps and at the end, and writes summaries and
global_step/sec to an event file in the same folder. StopAtStepHook trains --steps more steps,
LoggingTensorHook logs the step and loss every --log-every steps, FinalOpsHook computes the test accuracy
when the session closes. Run it twice with the same --checkpoint-dir and the second run resumes where the
first stopped (it prints the restored global step).

Data: the four MNIST IDX files of --data-dir (default: MNIST_data beside this script, where the other
MNIST examples download them); without them, or with --synthetic, a small synthetic ten-class set of 28x28 images generated
here, so the example runs without a download in a few seconds.
"""
import argparse
import os
import tempfile

import numpy as np

import numflow as tf
from numflow.datasets import mnist as mnist_data

MNIST_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "MNIST_data")
DEFAULT_CHECKPOINT_DIR = os.path.join(tempfile.gettempdir(), "numflow_mnist_monitored_session")


def synthetic_mnist(n_train=3000, n_test=1000, seed=0):
    """A ten-class stand-in for MNIST: each class is a fixed random 28x28 pattern, each example that
    pattern with pixel noise, as uint8 images [n, 28, 28, 1] and one-hot labels."""
    rng = np.random.RandomState(seed)
    prototypes = (rng.rand(10, 28, 28) < 0.25).astype(np.float32)

    def split(n, split_seed):
        split_rng = np.random.RandomState(split_seed)
        labels = split_rng.randint(0, 10, size=n)
        noisy = 0.5 * prototypes[labels] + 0.9 * split_rng.randn(n, 28, 28).astype(np.float32)
        images = (np.clip(noisy, 0.0, 1.0) * 255).astype(np.uint8)[..., np.newaxis]
        return images, mnist_data.dense_to_one_hot(labels, 10)
    train, test = split(n_train, seed + 1), split(n_test, seed + 2)
    return mnist_data.Datasets(train=mnist_data.DataSet(*train, seed=seed), validation=None,
                               test=mnist_data.DataSet(*test, seed=seed))


def load_data(data_dir, synthetic, seed):
    """(datasets, description): MNIST from data_dir when its files are there, else the synthetic set."""
    if not synthetic and data_dir:
        try:
            data = mnist_data.read_data_sets(data_dir, one_hot=True, validation_size=0, seed=seed,
                                             source_url=None)
            return data, "MNIST from %s" % os.path.abspath(data_dir)
        except mnist_data.DatasetNotFoundError:
            print("MNIST files not found in %s; using synthetic data" % os.path.abspath(data_dir))
    return synthetic_mnist(seed=seed), "synthetic (3000 train / 1000 test examples)"


def build_model(learning_rate):
    """Placeholders, loss, training op and accuracy of softmax regression."""
    x = tf.placeholder(tf.float32, [None, 784], name="x")
    labels = tf.placeholder(tf.float32, [None, 10], name="labels")
    weights = tf.Variable(tf.zeros([784, 10]), name="W")
    bias = tf.Variable(tf.zeros([10]), name="b")
    logits = tf.matmul(x, weights) + bias
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    tf.summary.scalar("loss", loss)
    global_step = tf.train.get_or_create_global_step()
    train_op = tf.train.GradientDescentOptimizer(learning_rate).minimize(loss, global_step=global_step)
    correct = tf.equal(tf.argmax(logits, 1), tf.argmax(labels, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")
    return x, labels, loss, train_op, accuracy, global_step


def main(argv=None):
    parser = argparse.ArgumentParser(description="Softmax regression on MNIST with MonitoredTrainingSession.")
    parser.add_argument("--data-dir", default=MNIST_DIR, help="folder of the four MNIST IDX files")
    parser.add_argument("--synthetic", action="store_true", help="use the synthetic data set")
    parser.add_argument("--checkpoint-dir", default=DEFAULT_CHECKPOINT_DIR,
                        help="where checkpoints and events go, and where training resumes from")
    parser.add_argument("--steps", type=int, default=500, help="steps to train in this run")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=0.5)
    parser.add_argument("--log-every", type=int, default=100, help="LoggingTensorHook period (steps)")
    parser.add_argument("--save-every", type=int, default=100, help="checkpoint period (steps)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the batch order")
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error("--steps must be positive")

    tf.logging.set_verbosity(tf.logging.INFO)
    data, description = load_data(args.data_dir, args.synthetic, args.seed)
    print("data:", description)
    print("checkpoint dir:", os.path.abspath(args.checkpoint_dir))

    x, labels, loss, train_op, accuracy, global_step = build_model(args.learning_rate)
    final_accuracy = tf.train.FinalOpsHook(accuracy, {x: data.test.images, labels: data.test.labels})
    hooks = [tf.train.StopAtStepHook(num_steps=args.steps),
             tf.train.LoggingTensorHook({"step": global_step, "loss": loss}, every_n_iter=args.log_every),
             tf.train.NanTensorHook(loss)]

    def read_global_step(step_context):
        return int(step_context.session.run(global_step))

    with tf.train.MonitoredTrainingSession(checkpoint_dir=args.checkpoint_dir, hooks=hooks,
                                           chief_only_hooks=[final_accuracy], save_checkpoint_secs=None,
                                           save_checkpoint_steps=args.save_every,
                                           save_summaries_steps=args.log_every,
                                           log_step_count_steps=args.log_every) as sess:
        start = sess.run_step_fn(read_global_step)
        if start:
            print("restored global step: %d" % start)
        else:
            print("no checkpoint found: starting from global step 0")
        while not sess.should_stop():
            batch_x, batch_y = data.train.next_batch(args.batch_size)
            sess.run(train_op, feed_dict={x: batch_x, labels: batch_y})
        end = sess.run_step_fn(read_global_step)
    print("global step: %d (trained %d steps in this run)" % (end, end - start))
    print("latest checkpoint:", tf.train.latest_checkpoint(args.checkpoint_dir))
    print("test accuracy: %.4f" % final_accuracy.final_ops_values)
    return final_accuracy.final_ops_values


if __name__ == "__main__":
    main()
