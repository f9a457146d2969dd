"""tf.image.extract_glimpse: window geometry (checked against TensorFlow 2.21's ExtractGlimpse outputs for
the same inputs) and the three noise fills."""
import numpy as np
import pytest

import numflow as tf

IMAGE = np.arange(20, dtype=np.float32).reshape(1, 4, 5, 1)     # rows 0..3, columns 0..4, value 5 * row + col


def _glimpse(offset, centered, normalized, image=IMAGE, size=(3, 3)):
    with tf.Graph().as_default():
        out = tf.image.extract_glimpse(image, list(size), [offset], centered=centered, normalized=normalized,
                                       uniform_noise=False, noise="zero")
        assert out.shape.as_list() == [1, size[0], size[1], 1]
        with tf.Session() as sess:
            return sess.run(out)[0, :, :, 0]


def _window(top, left):
    """The 3x3 window of IMAGE whose top-left corner is (top, left), zeros outside the image."""
    padded = np.pad(IMAGE[0, :, :, 0], 3)
    return padded[top + 3:top + 6, left + 3:left + 6]


@pytest.mark.parametrize("offset,corner", [
    ((0, 0), (-1, -1)),         # 0 - 1.5 = -1.5 truncates toward zero to -1
    ((1, 1), (0, 0)),           # -0.5 truncates to 0
    ((1.6, 2.4), (0, 0)),
    ((-0.6, -0.4), (-2, -1)),
    ((2.5, 2.5), (1, 1)),
])
def test_pixel_offsets_from_the_corner(offset, corner):
    np.testing.assert_array_equal(_glimpse(offset, centered=False, normalized=False), _window(*corner))


@pytest.mark.parametrize("offset,centered,normalized,corner", [
    ((0, 0), True, True, (0, 1)),          # the centre (2, 2.5) minus half the window
    ((0.3, -0.2), True, True, (1, 0)),     # y 0.3*4/2 + 2 - 1.5 = 1.1, x -0.2*5/2 + 2.5 - 1.5 = 0.5
    ((0.3, -0.2), False, True, (0, -2)),   # y 1.2 - 1.5 = -0.3, x -1 - 1.5 = -2.5
    ((0.3, -0.2), True, False, (0, 0)),    # y 0.15 + 2 - 1.5 = 0.65, x -0.1 + 2.5 - 1.5 = 0.9
    ((0.5, 0.5), True, True, (1, 2)),
])
def test_centered_and_normalized_offsets(offset, centered, normalized, corner):
    np.testing.assert_array_equal(_glimpse(offset, centered, normalized), _window(*corner))


def _noise_statistics(**noise_args):
    image = np.random.RandomState(0).normal(3, 2, size=(1, 10, 10, 2)).astype(np.float32)
    image[..., 1] = np.clip(image[..., 1], -1.0, 6.0)
    with tf.Graph().as_default():
        out = tf.image.extract_glimpse(image, [200, 200], [[0.0, 0.0]], **noise_args)
        with tf.Session() as sess:
            first, second = sess.run(out)[0], sess.run(out)[0]
    outside = np.ones([200, 200], bool)
    outside[95:105, 95:105] = False
    np.testing.assert_array_equal(first[95:105, 95:105], image[0])
    assert not np.array_equal(first[outside], second[outside]) or noise_args.get("noise") == "zero"
    return image[0].reshape(-1, 2), first[outside]


def test_uniform_noise_spans_the_image_range():
    pixels, noise = _noise_statistics()
    assert noise.min() >= pixels.min() and noise.max() <= pixels.max()
    np.testing.assert_allclose(noise.mean(axis=0), (pixels.min() + pixels.max()) / 2, rtol=0.02)
    np.testing.assert_allclose(noise.std(axis=0), (pixels.max() - pixels.min()) / np.sqrt(12), rtol=0.02)


def test_gaussian_noise_follows_each_channel():
    pixels, noise = _noise_statistics(uniform_noise=False)
    assert (noise.min(axis=0) >= pixels.min(axis=0)).all() and (noise.max(axis=0) <= pixels.max(axis=0)).all()
    # A normal with each channel's mean and deviation, clipped to the channel's range.
    reference = np.random.RandomState(1).normal(pixels.mean(axis=0), pixels.std(axis=0), size=(10 ** 6, 2))
    expected = np.clip(reference, pixels.min(axis=0), pixels.max(axis=0))
    np.testing.assert_allclose(noise.mean(axis=0), expected.mean(axis=0), atol=0.05)
    np.testing.assert_allclose(noise.std(axis=0), expected.std(axis=0), atol=0.05)
    _, explicit = _noise_statistics(uniform_noise=False, noise="gaussian")
    np.testing.assert_allclose(explicit.mean(axis=0), expected.mean(axis=0), atol=0.05)


def test_zero_noise_pads_with_zeros():
    _, noise = _noise_statistics(uniform_noise=False, noise="zero")
    assert not noise.any()


def test_extract_glimpse_errors():
    with pytest.raises(ValueError, match="uniform_noise and noise should not be specified at the same time"):
        tf.image.extract_glimpse(IMAGE, [2, 2], [[0.0, 0.0]], noise="zero")
    with pytest.raises(ValueError, match="noise must be one of"):
        tf.image.extract_glimpse(IMAGE, [2, 2], [[0.0, 0.0]], uniform_noise=False, noise="salt")
    with pytest.raises(ValueError, match="input must be 4-dimensional"):
        tf.image.extract_glimpse(IMAGE[0], [2, 2], [[0.0, 0.0]])
    with pytest.raises(ValueError, match="size must be a vector of 2 elements"):
        tf.image.extract_glimpse(IMAGE, [2, 2, 2], [[0.0, 0.0]])
    with tf.Graph().as_default():
        size = tf.placeholder(tf.int32, [None])
        offsets = tf.placeholder(tf.float32, [None, 2])
        out = tf.image.extract_glimpse(IMAGE, size, offsets)
        assert out.shape.as_list() == [1, None, None, 1]
        with tf.Session() as sess:
            assert sess.run(out, {size: [2, 3], offsets: [[0.0, 0.0]]}).shape == (1, 2, 3, 1)
            with pytest.raises(tf.errors.InvalidArgumentError, match="size must be a vector of 2 positive elements"):
                sess.run(out, {size: [0, 3], offsets: [[0.0, 0.0]]})
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"offsets must be a \[batch, 2\] matrix with batch 1"):
                sess.run(out, {size: [2, 2], offsets: [[0.0, 0.0], [1.0, 1.0]]})
