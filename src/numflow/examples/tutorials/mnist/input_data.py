"""`tensorflow.examples.tutorials.mnist.input_data`: `read_data_sets('MNIST_data/', one_hot=True)`."""
from ....datasets.mnist import (DEFAULT_SOURCE_URL, DataSet, Datasets, DatasetNotFoundError,  # noqa: F401
                                dense_to_one_hot, extract_images, extract_labels, load_mnist, read_data_sets)
