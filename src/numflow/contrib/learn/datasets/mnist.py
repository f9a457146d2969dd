"""`tf.contrib.learn.datasets.mnist`: TF1's MNIST loader, the same one as
`tensorflow.examples.tutorials.mnist.input_data` (`read_data_sets`, `DataSet`, `load_mnist`)."""
from ....datasets.mnist import (DEFAULT_SOURCE_URL, DataSet, Datasets, DatasetNotFoundError,  # noqa: F401
                                dense_to_one_hot, extract_images, extract_labels, load_mnist, read_data_sets)

__all__ = ["DEFAULT_SOURCE_URL", "DataSet", "Datasets", "DatasetNotFoundError", "dense_to_one_hot",
           "extract_images", "extract_labels", "load_mnist", "read_data_sets"]
