"""`tf.contrib.learn.datasets`: the reference data sets of TF1's contrib.learn and their loaders.

`load_dataset(name)` picks one by name: 'iris' and 'boston' return a `base.Dataset(data, target)`,
'mnist' and 'dbpedia' a `base.Datasets(train, validation, test)`. `make_dataset(name)` generates one of
the `synthetic` toy sets ('circles', 'spirals').
"""
from . import base, mnist, synthetic, text_datasets
from .base import load_boston, load_iris

__all__ = ["base", "mnist", "synthetic", "text_datasets", "load_iris", "load_boston", "load_dataset",
           "make_dataset", "DATASETS", "SYNTHETIC"]

DATASETS = {
    "iris": base.load_iris,
    "boston": base.load_boston,
    "mnist": mnist.load_mnist,
    "dbpedia": text_datasets.load_dbpedia,
}

SYNTHETIC = {
    "circles": synthetic.circles,
    "spirals": synthetic.spirals,
}


def load_dataset(name, size="small", test_with_fake_data=False):
    """The data set called `name` (a key of `DATASETS`); `size` and `test_with_fake_data` apply to
    'dbpedia' only, as in TF1. ValueError for an unknown name."""
    if name not in DATASETS:
        raise ValueError("Name of dataset is not found: %s (known: %s)" % (name, ", ".join(sorted(DATASETS))))
    if name == "dbpedia":
        return DATASETS[name](size, test_with_fake_data)
    return DATASETS[name]()


def make_dataset(name, n_samples=100, noise=None, seed=42, *args, **kwargs):
    """The synthetic data set called `name` (a key of `SYNTHETIC`, any case), a `base.Dataset` of
    `n_samples` points; further arguments go to its generator. ValueError for an unknown name."""
    generator = SYNTHETIC.get(name.lower())
    if generator is None:
        raise ValueError("Synthetic dataset not found or not implemented: %s" % name)
    return generator(n_samples, noise, seed, *args, **kwargs)
