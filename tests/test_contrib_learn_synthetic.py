"""tf.contrib.learn.datasets.synthetic (circles, spirals) and datasets.make_dataset."""
import numpy as np
import pytest

import numflow as tf

datasets = tf.contrib.learn.datasets


def _sorted_rows(points):
    return points[np.lexsort(points.T[::-1])]


def test_circles_radii_labels_and_seed():
    data = datasets.synthetic.circles(100, seed=1)
    assert data.data.shape == (100, 2) and data.data.dtype == np.float64 and data.target.dtype == np.int32
    radius = np.hypot(data.data[:, 0], data.data[:, 1])
    np.testing.assert_allclose(radius[data.target == 0], 1.0)
    np.testing.assert_allclose(radius[data.target == 1], 0.8)
    assert np.bincount(data.target).tolist() == [50, 50]
    again = datasets.synthetic.circles(100, seed=1)
    np.testing.assert_array_equal(again.data, data.data)   # the seed fixes the shuffle
    assert not np.array_equal(datasets.synthetic.circles(100, seed=2).target, data.target)


def test_circles_classes_extras_and_noise():
    data = datasets.synthetic.circles(7, factor=0.5, n_classes=3, seed=0)
    assert np.bincount(data.target).tolist() == [3, 2, 2]   # the extra point belongs to class 0
    radius = np.hypot(data.data[:, 0], data.data[:, 1])
    np.testing.assert_allclose(np.sort(radius), [0.25, 0.25, 0.5, 0.5, 1.0, 1.0, 1.0])
    noisy = datasets.synthetic.circles(400, noise=0.1, seed=0)
    spread = np.hypot(noisy.data[:, 0], noisy.data[:, 1])[noisy.target == 0] - 1.0
    assert 0.05 < spread.std() < 0.15
    with pytest.raises(ValueError, match="n_classes must be positive, got 0"):
        datasets.synthetic.circles(10, n_classes=0)


@pytest.mark.parametrize("mode, radius", [("archimedes", lambda t: t), ("fermat", np.sqrt),
                                          ("bernoulli", lambda t: np.exp(0.1 * t))])
def test_spirals_follow_their_polar_equation(mode, radius):
    data = datasets.synthetic.spirals(12, mode=mode, n_loops=1, seed=3)
    theta = np.linspace(0, 2 * np.pi, 6)
    class0 = np.stack([radius(theta) * np.cos(theta), radius(theta) * np.sin(theta)], axis=1)
    scale = np.abs(class0).max(axis=0)
    np.testing.assert_allclose(_sorted_rows(data.data[data.target == 0]), _sorted_rows(class0 / scale), atol=1e-12)
    # Class 1 is class 0 turned by half a turn.
    np.testing.assert_allclose(_sorted_rows(data.data[data.target == 1]), _sorted_rows(-class0 / scale), atol=1e-12)


def test_spirals_extras_bernoulli_scale_and_errors():
    data = datasets.synthetic.spirals(9, seed=0)
    assert np.bincount(data.target).tolist() == [5, 4]
    assert np.abs(data.data).max() <= 1.0 + 1e-12
    steep = datasets.synthetic.spirals(10, mode="bernoulli", exp_scale=0.5, n_loops=1, seed=0)
    theta = np.linspace(0, 2 * np.pi, 5)
    x = np.exp(0.5 * theta) * np.cos(theta)
    np.testing.assert_allclose(np.sort(steep.data[steep.target == 0, 0]), np.sort(x / np.abs(x).max()))
    with pytest.raises(ValueError, match="Cannot generate spiral with mode circle"):
        datasets.synthetic.spirals(10, mode="circle")


def test_make_dataset():
    first = datasets.make_dataset("Circles")
    np.testing.assert_array_equal(first.data, datasets.make_dataset("circles").data)  # default seed 42
    assert datasets.make_dataset("spirals", 20, None, 1, "fermat").data.shape == (20, 2)
    assert datasets.make_dataset("circles", n_samples=30, n_classes=3).target.max() == 2
    assert set(datasets.SYNTHETIC) == {"circles", "spirals"}
    with pytest.raises(ValueError, match="Synthetic dataset not found or not implemented: moons"):
        datasets.make_dataset("moons")
