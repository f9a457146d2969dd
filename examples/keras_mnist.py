"""A tf.keras Sequential MLP on MNIST with compile / fit / evaluate, in graph mode as TF 1.15 ran it.

    python examples/keras_mnist.py [--data-dir DIR] [--epochs 5] [--batch-size 128] [--hidden 512]
                                   [--verbose 1] [--seed S] [--save-weights weights.h5]

--data-dir holds the four MNIST IDX files, gzipped or not (default: MNIST_data beside this script, as for
the other MNIST examples); missing ones are downloaded on first use when a network is there. The model is
Dense(hidden, relu) -> Dropout(0.2) -> Dense(10, softmax), trained by Adam on sparse categorical
crossentropy (the classic tf.keras tutorial network); five epochs reach a test accuracy of about 0.98.
--save-weights writes the trained weights (HDF5 needs h5py: pip install h5py; another suffix writes a TF
checkpoint).
"""
import argparse

import numpy as np

import numflow as tf
from numflow.examples.helpers import default_mnist_dir, read_mnist


def build_model(hidden):
    """The MLP as a `tf.keras.Sequential` stack."""
    return tf.keras.Sequential([
        tf.keras.layers.Dense(hidden, activation="relu", input_shape=(784,)),
        tf.keras.layers.Dropout(0.2),
        tf.keras.layers.Dense(10, activation="softmax"),
    ])


def main(argv=None):
    parser = argparse.ArgumentParser(description="A tf.keras MLP on MNIST.")
    parser.add_argument("--data-dir", default=default_mnist_dir(__file__),
                        help="folder of the four MNIST IDX files (default: MNIST_data beside this script)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--hidden", type=int, default=512, help="units of the hidden layer")
    parser.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2), help="fit's progress output")
    parser.add_argument("--seed", type=int, default=None, help="seed for the weights and the batch order")
    parser.add_argument("--save-weights", default=None, help="where to save the trained weights")
    args = parser.parse_args(argv)

    mnist = read_mnist(args.data_dir, one_hot=False, validation_size=0)
    if args.seed is not None:
        np.random.seed(args.seed)
        tf.set_random_seed(args.seed)
    model = build_model(args.hidden)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.summary()
    model.fit(mnist.train.images, mnist.train.labels, batch_size=args.batch_size, epochs=args.epochs,
              verbose=args.verbose)
    loss, accuracy = model.evaluate(mnist.test.images, mnist.test.labels, batch_size=1000, verbose=0)
    if args.save_weights:
        model.save_weights(args.save_weights)
    print("test loss: %.4f" % loss)
    print("test accuracy: %.4f" % accuracy)


if __name__ == "__main__":
    main()
