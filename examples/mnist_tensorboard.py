"""Softmax regression on MNIST with TensorBoard logs and checkpoints.

    python examples/mnist_tensorboard.py [--data-dir DIR] --log-dir /tmp/mnist_logs
    pip install 'numflow-tf1[tensorboard]'        # TensorBoard itself (or: pip install tensorboard)
    tensorboard --logdir /tmp/mnist_logs          # then open http://localhost:6006

Logs the training loss and accuracy (scalars), histograms of the weights and biases, a few input images,
and the graph (TensorBoard's Graphs tab) under LOG_DIR/train and LOG_DIR/test; saves checkpoints
LOG_DIR/model.ckpt-STEP (TensorFlow's own format: `tf.compat.v1.train.Saver().restore` reads them), and
with --resume continues from the latest one. TensorBoard itself is not needed to write the logs, only to
view them. --data-dir holds the four MNIST IDX files (default: MNIST_data beside this script; downloaded on
first use when a network is there).
"""
import argparse
import os

import numflow as tf
from numflow.examples.helpers import default_mnist_dir, read_mnist, trange, write


def main(argv=None):
    parser = argparse.ArgumentParser(description="Softmax regression on MNIST, logged for TensorBoard.")
    parser.add_argument("--data-dir", default=default_mnist_dir(__file__),
                        help="folder of the four MNIST IDX files (default: MNIST_data beside this script)")
    parser.add_argument("--log-dir", default="mnist_logs", help="where event files and checkpoints go")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=0.5)
    parser.add_argument("--log-every", type=int, default=10, help="steps between training summaries")
    parser.add_argument("--resume", action="store_true", help="restore the latest checkpoint in --log-dir")
    parser.add_argument("--seed", type=int, default=None, help="seed for the batch order")
    args = parser.parse_args(argv)

    mnist = read_mnist(args.data_dir, one_hot=True, seed=args.seed)
    with tf.name_scope("inputs"):
        x = tf.placeholder(tf.float32, [None, 784], name="x")
        y_ = tf.placeholder(tf.float32, [None, 10], name="labels")
    tf.summary.image("input", tf.reshape(x, [-1, 28, 28, 1]), max_outputs=3)
    with tf.name_scope("softmax"):
        W = tf.Variable(tf.zeros([784, 10]), name="W")
        b = tf.Variable(tf.zeros([10]), name="b")
        y = tf.matmul(x, W) + b
    tf.summary.histogram("weights", W)
    tf.summary.histogram("biases", b)
    global_step = tf.Variable(0, dtype=tf.int64, trainable=False, name="global_step")
    with tf.name_scope("loss"):
        cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y))
    tf.summary.scalar("cross_entropy", cross_entropy)
    train_step = tf.train.GradientDescentOptimizer(args.learning_rate).minimize(cross_entropy,
                                                                                global_step=global_step)
    with tf.name_scope("evaluation"):
        accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1)), tf.float32))
    tf.summary.scalar("accuracy", accuracy)
    merged = tf.summary.merge_all()
    saver = tf.train.Saver(max_to_keep=3)

    os.makedirs(args.log_dir, exist_ok=True)
    train_writer = tf.summary.FileWriter(os.path.join(args.log_dir, "train"), tf.get_default_graph())
    test_writer = tf.summary.FileWriter(os.path.join(args.log_dir, "test"))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        latest = tf.train.latest_checkpoint(args.log_dir) if args.resume else None
        if latest:
            saver.restore(sess, latest)
            write("restored", latest)
        start = int(sess.run(global_step))
        for _ in trange(args.steps, desc="training"):
            batch_xs, batch_ys = mnist.train.next_batch(args.batch_size)
            step = int(sess.run(global_step))
            if step % args.log_every == 0:
                summary, _ = sess.run([merged, train_step], feed_dict={x: batch_xs, y_: batch_ys})
                train_writer.add_summary(summary, step)
            else:
                sess.run(train_step, feed_dict={x: batch_xs, y_: batch_ys})
            if (step + 1) % 100 == 0 or step + 1 == start + args.steps:
                summary, acc = sess.run([merged, accuracy],
                                        feed_dict={x: mnist.test.images, y_: mnist.test.labels})
                test_writer.add_summary(summary, step + 1)
                saver.save(sess, os.path.join(args.log_dir, "model.ckpt"), global_step=global_step)
        acc = sess.run(accuracy, feed_dict={x: mnist.test.images, y_: mnist.test.labels})
    train_writer.close()
    test_writer.close()
    print("test accuracy: %.4f" % acc)
    print("checkpoint:", tf.train.latest_checkpoint(args.log_dir))
    print("view with: tensorboard --logdir %s   (TensorBoard: pip install 'numflow-tf1[tensorboard]')"
          % args.log_dir)
    return acc


if __name__ == "__main__":
    main()
