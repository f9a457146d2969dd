"""Data sets on disk: the IDX reader and TF1's MNIST loader (`numflow.datasets.mnist.read_data_sets`)."""
from . import idx, mnist
from .idx import read_idx, write_idx
from .mnist import DataSet, Datasets, DatasetNotFoundError, read_data_sets

__all__ = ["idx", "mnist", "read_idx", "write_idx", "DataSet", "Datasets", "DatasetNotFoundError",
           "read_data_sets"]
