"""`tf.contrib.learn.datasets.synthetic`: two-dimensional toy classification data, `circles` and
`spirals`, each a shuffled `base.Dataset(data float64 [n, 2], target int32 [n])`.

As in TF1, `seed` seeds NumPy's global generator, which then draws the shuffle and the noise. Where
`n_samples` does not divide evenly among the classes, the extra points belong to class 0 and lie on its
curve at random positions (TF1 drew the x and y of such a point from two different random angles, which
put it off the curve).
"""
import numpy as np

from .base import Dataset

__all__ = ["circles", "spirals"]


def _shuffled(points, labels, noise):
    order = np.random.permutation(len(labels))
    if noise is not None:
        points = points + np.random.normal(scale=noise, size=points.shape)
    return Dataset(data=points[order], target=labels[order])


def _labels(per_class, n_classes, extras):
    return np.concatenate([np.repeat(np.arange(n_classes, dtype=np.int32), per_class),
                           np.zeros(extras, np.int32)])


def circles(n_samples=100, noise=None, seed=None, factor=0.8, n_classes=2, *args, **kwargs):
    """`n_classes` concentric circles of n_samples // n_classes evenly spaced points each: class k has
    radius factor**k. `noise` is the standard deviation of Gaussian noise added to every coordinate."""
    if n_classes < 1:
        raise ValueError("n_classes must be positive, got %d" % n_classes)
    if seed is not None:
        np.random.seed(seed)
    per_class, extras = divmod(n_samples, n_classes)
    angles = np.linspace(0, 2 * np.pi, per_class)
    radii = np.repeat(factor ** np.arange(n_classes, dtype=np.float64), per_class)
    angles = np.concatenate([np.tile(angles, n_classes), np.random.rand(extras) * 2 * np.pi])
    radii = np.concatenate([radii, np.ones(extras)])
    points = np.stack([radii * np.cos(angles), radii * np.sin(angles)], axis=1)
    return _shuffled(points, _labels(per_class, n_classes, extras), noise)


def _spiral_radius(mode, theta, exp_scale):
    if mode == "archimedes":   # branches equally far apart
        return theta
    if mode == "bernoulli":    # logarithmic: the distance between branches grows
        return np.exp(exp_scale * theta)
    return np.sqrt(theta)      # fermat: the distance between branches shrinks


def spirals(n_samples=100, noise=None, seed=None, mode="archimedes", n_loops=2, *args, **kwargs):
    """Two interleaved spirals (class 1 is class 0 turned by pi) of n_samples // 2 points each, over
    `n_loops` turns. `mode` shapes them: 'archimedes' (equal distances between branches), 'bernoulli'
    (logarithmic; keyword `exp_scale`, default 0.1, sets its growth) or 'fermat' (radius sqrt(angle)).
    Each coordinate is scaled so that its largest magnitude is 1. ValueError for another mode."""
    if mode not in ("archimedes", "bernoulli", "fermat"):
        raise ValueError("Cannot generate spiral with mode %s" % mode)
    exp_scale = kwargs.pop("exp_scale", 0.1)
    if seed is not None:
        np.random.seed(seed)
    per_class, extras = divmod(n_samples, 2)
    turns = 2 * n_loops * np.pi
    coordinates = []
    for label, theta in ((0, np.linspace(0, turns, per_class)), (1, np.linspace(0, turns, per_class)),
                         (0, np.random.rand(extras) * turns)):
        radius = _spiral_radius(mode, theta, exp_scale)
        coordinates.append(np.stack([radius * np.cos(theta + label * np.pi),
                                     radius * np.sin(theta + label * np.pi)], axis=1))
    points = np.concatenate(coordinates)
    # One scale per coordinate, from the full spiral, so that the extra points lie on class 0's curve.
    scale = np.abs(points[:2 * per_class]).max(axis=0) if per_class else np.ones(2)
    points = points / np.where(scale > 0, scale, 1.0)
    return _shuffled(points, _labels(per_class, 2, extras), noise)
