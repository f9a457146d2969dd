"""Train a softmax classifier on a CSV file read through TF1's queue-based input pipeline.

    python examples/csv_queue_runner.py [--csv FILE] [--epochs N] [--steps N] [--batch-size N] [--seed N]

The classic TF1 reading program: string_input_producer -> TextLineReader (skipping the header line) ->
decode_csv -> shuffle_batch, filled by queue-runner threads under a Coordinator. Without --csv it writes
a small CSV of three Gaussian clusters (columns x1, x2, label) to a temporary folder, so it needs no
download. With --epochs N, training ends when the input runs out (tf.errors.OutOfRangeError); otherwise
it runs --steps steps.
"""
import argparse
import os
import tempfile

import numpy as np

import numflow as tf

CENTERS = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])


def write_clusters_csv(path, rows_per_class=100, seed=0):
    """Writes rows 'x1,x2,label' for three well-separated Gaussian clusters, under a header line."""
    rng = np.random.default_rng(seed)
    lines = ["x1,x2,label"]
    for label, center in enumerate(CENTERS):
        for point in rng.normal(center, 0.5, size=(rows_per_class, 2)):
            lines.append("%.5f,%.5f,%d" % (point[0], point[1], label))
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def read_csv_batches(filenames, batch_size, num_epochs, seed):
    """(features [batch, 2], labels [batch]) tensors filled by queue runners from the CSV files."""
    filename_queue = tf.train.string_input_producer(filenames, num_epochs=num_epochs, shuffle=True, seed=seed)
    reader = tf.TextLineReader(skip_header_lines=1)
    _, line = reader.read(filename_queue)
    x1, x2, label = tf.decode_csv(line, record_defaults=[[0.0], [0.0], [0]])
    features = tf.stack([x1, x2])
    return tf.train.shuffle_batch([features, label], batch_size=batch_size, capacity=10 * batch_size,
                                  min_after_dequeue=2 * batch_size, seed=seed, allow_smaller_final_batch=True)


def load_csv(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    return data[:, :2].astype(np.float32), data[:, 2].astype(np.int64)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", help="a CSV file 'x1,x2,label' with a header line (default: generated)")
    parser.add_argument("--epochs", type=int, default=None, help="read the data N times, then stop")
    parser.add_argument("--steps", type=int, default=300, help="training steps when --epochs is not given")
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--learning-rate", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as scratch:
        path = args.csv or write_clusters_csv(os.path.join(scratch, "clusters.csv"), seed=args.seed)
        tf.set_random_seed(args.seed)
        features, labels = read_csv_batches([path], args.batch_size, args.epochs, args.seed)
        weights = tf.Variable(tf.zeros([2, 3]), name="weights")
        biases = tf.Variable(tf.zeros([3]), name="biases")
        logits = tf.matmul(features, weights) + biases
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
        train_op = tf.train.GradientDescentOptimizer(args.learning_rate).minimize(loss)

        all_x, all_y = load_csv(path)
        x = tf.placeholder(tf.float32, [None, 2])
        predictions = tf.argmax(tf.matmul(x, weights) + biases, axis=1)

        with tf.Session() as sess:
            sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess=sess, coord=coord)
            steps = examples = 0
            try:
                while not coord.should_stop() and (args.epochs is not None or steps < args.steps):
                    _, batch_labels = sess.run([train_op, labels])
                    steps += 1
                    examples += len(batch_labels)
            except tf.errors.OutOfRangeError:
                print("Done: the input ran out after %d epoch(s)" % args.epochs)
            finally:
                coord.request_stop()
            coord.join(threads)
            accuracy = float(np.mean(sess.run(predictions, {x: all_x}) == all_y))
    print("trained %d steps on %d examples" % (steps, examples))
    print("accuracy on the %d rows: %.3f" % (len(all_y), accuracy))
    return accuracy


if __name__ == "__main__":
    main()
