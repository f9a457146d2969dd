"""`tf.contrib.learn.datasets`: the reference data sets of TF1's contrib.learn and their loaders.

`load_dataset(name)` picks one by name: 'iris' and 'boston' return a `base.Dataset(data, target)`,
'mnist' and 'dbpedia' a `base.Datasets(train, validation, test)`.
"""
from . import base, mnist, text_datasets
from .base import load_boston, load_iris

__all__ = ["base", "mnist", "text_datasets", "load_iris", "load_boston", "load_dataset", "DATASETS"]

DATASETS = {
    "iris": base.load_iris,
    "boston": base.load_boston,
    "mnist": mnist.load_mnist,
    "dbpedia": text_datasets.load_dbpedia,
}


def load_dataset(name, size="small", test_with_fake_data=False):
    """The data set called `name` (a key of `DATASETS`); `size` and `test_with_fake_data` apply to
    'dbpedia' only, as in TF1. ValueError for an unknown name."""
    if name not in DATASETS:
        raise ValueError("Name of dataset is not found: %s (known: %s)" % (name, ", ".join(sorted(DATASETS))))
    if name == "dbpedia":
        return DATASETS[name](size, test_with_fake_data)
    return DATASETS[name]()
