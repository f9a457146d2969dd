"""Train a small classifier, export it as a SavedModel, reload it in a fresh graph and predict.

    python examples/export_and_serve.py [--export_dir /tmp/iris_like_model] [--steps 300]

The SavedModel (saved_model.pb + variables/) is TensorFlow's format: TensorFlow Serving, or real
TensorFlow's `tf.compat.v1.saved_model.loader.load`, serves it too. Loading needs no Python code of the
model: only the signature's input and output names, read from the SavedModel itself.
"""
import argparse
import os
import shutil
import tempfile

import numpy as np

import numflow as tf


def make_data(count, seed=0):
    """Three Gaussian blobs in 4-D, labelled 0, 1, 2."""
    rng = np.random.RandomState(seed)
    centers = np.array([[2, 0, 0, 1], [0, 2, 1, 0], [-1, -1, 2, 2]], dtype=np.float32)
    labels = rng.randint(0, 3, size=count)
    return (centers[labels] + rng.normal(scale=0.7, size=(count, 4))).astype(np.float32), labels


def train_and_export(export_dir, steps):
    """Trains a 4-16-3 MLP, exports it with a 'serving_default' signature; returns the test batch and the
    trained model's probabilities for it."""
    features, labels = make_data(600)
    test_x, _ = make_data(8, seed=1)
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        y = tf.placeholder(tf.int64, [None], name="y")
        hidden = tf.layers.dense(x, 16, activation=tf.nn.relu, name="hidden")
        logits = tf.layers.dense(hidden, 3, name="logits")
        probabilities = tf.nn.softmax(logits, name="probabilities")
        classes = tf.argmax(logits, axis=1, name="classes")
        loss = tf.losses.sparse_softmax_cross_entropy(y, logits)
        train = tf.train.AdamOptimizer(0.01).minimize(loss)
        accuracy = tf.reduce_mean(tf.cast(tf.equal(classes, y), tf.float32))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for step in range(1, steps + 1):
                batch = np.random.RandomState(step).randint(0, len(features), 64)
                sess.run(train, {x: features[batch], y: labels[batch]})
            print("trained %d steps: loss %.4f, accuracy %.3f"
                  % (steps, *sess.run([loss, accuracy], {x: features, y: labels})))
            expected = sess.run(probabilities, {x: test_x})
            tf.saved_model.simple_save(sess, export_dir, inputs={"x": x},
                                       outputs={"probabilities": probabilities, "classes": classes})
    print("SavedModel written to %s" % export_dir)
    return test_x, expected


def load_and_predict(export_dir, batch):
    """Serves `batch` from the SavedModel in a graph that knows nothing of the model."""
    with tf.Session(graph=tf.Graph()) as sess:
        meta_graph_def = tf.saved_model.loader.load(sess, [tf.saved_model.tag_constants.SERVING], export_dir)
        signature = meta_graph_def.signature_def[tf.saved_model.signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY]
        fetches = {key: info.name for key, info in signature.outputs.items()}
        return sess.run(fetches, {signature.inputs["x"].name: batch})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export_dir", default=None,
                        help="where to write the SavedModel (must not exist or be empty; default: a temporary folder)")
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args(argv)
    export_dir = args.export_dir or os.path.join(tempfile.mkdtemp(), "model")
    if os.path.isdir(export_dir) and os.listdir(export_dir):
        parser.error("--export_dir %s exists and is not empty" % export_dir)
    test_x, expected = train_and_export(export_dir, args.steps)
    served = load_and_predict(export_dir, test_x)
    for row, (probabilities, label) in enumerate(zip(served["probabilities"], served["classes"])):
        print("example %d: class %d  (p = %s)" % (row, label, np.array2string(probabilities, precision=3)))
    np.testing.assert_allclose(served["probabilities"], expected, rtol=1e-5, atol=1e-7)
    print("served predictions match the trained model's")
    if args.export_dir is None:
        shutil.rmtree(os.path.dirname(export_dir))
    return served


if __name__ == "__main__":
    main()
