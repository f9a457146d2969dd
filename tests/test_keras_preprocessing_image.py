"""tf.keras.preprocessing.image: Pillow round trips, affine transforms vs exact expectations,
ImageDataGenerator standardization and batching, directory iteration, errors."""
import sys

import numpy as np
import pytest

import numflow as tf

image = tf.keras.preprocessing.image
RNG = np.random.RandomState(0)


def test_image_file_round_trip(tmp_path):
    pytest.importorskip("PIL")
    pixels = RNG.randint(0, 256, (6, 5, 3)).astype(np.float32)
    image.save_img(str(tmp_path / "a.png"), pixels, scale=False)
    loaded = image.img_to_array(image.load_img(str(tmp_path / "a.png")))
    np.testing.assert_array_equal(loaded, pixels)
    gray = image.img_to_array(image.load_img(str(tmp_path / "a.png"), color_mode="grayscale"))
    assert gray.shape == (6, 5, 1)
    small = image.load_img(str(tmp_path / "a.png"), target_size=(3, 2))
    assert small.size == (2, 3)
    first = image.img_to_array(image.load_img(str(tmp_path / "a.png")), data_format="channels_first")
    np.testing.assert_array_equal(first, pixels.transpose(2, 0, 1))
    scaled = image.img_to_array(image.array_to_img(pixels / 255.0 * 2 - 1))
    # Values in [-1, 1] are lifted by 1, stretched so the maximum is 255, then truncated.
    lifted = pixels.astype(np.float64) / 255.0 * 2
    np.testing.assert_allclose(scaled, np.floor(lifted / lifted.max() * 255), atol=1)
    with pytest.raises(ValueError, match='color_mode must be "grayscale", "rgb", or "rgba"'):
        image.load_img(str(tmp_path / "a.png"), color_mode="cmyk")
    with pytest.raises(ValueError, match="Expected image array to have rank 3"):
        image.array_to_img(np.zeros((2, 2)))


def test_missing_pillow(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"pip install 'numflow-tf1\[image\]' \(or pip install Pillow\)"):
        image.load_img("x.png")


X = np.arange(5 * 6 * 2, dtype=np.float32).reshape(5, 6, 2)


def _loop_rotation(x, theta):
    """Pixel-by-pixel reference: output (r, c) samples the input bilinearly (edges clamped) at the
    point rotated by theta about (h / 2 + 0.5, w / 2 + 0.5)."""
    h, w = x.shape[:2]
    o_r, o_c = h / 2 + 0.5, w / 2 + 0.5
    angle = np.deg2rad(theta)
    out = np.zeros_like(x, dtype=np.float64)
    for r in range(h):
        for c in range(w):
            sr = np.cos(angle) * (r - o_r) - np.sin(angle) * (c - o_c) + o_r
            sc = np.sin(angle) * (r - o_r) + np.cos(angle) * (c - o_c) + o_c
            r0, c0 = int(np.floor(sr)), int(np.floor(sc))
            for rr, wr in ((r0, 1 - (sr - r0)), (r0 + 1, sr - r0)):
                for cc, wc in ((c0, 1 - (sc - c0)), (c0 + 1, sc - c0)):
                    out[r, c] += wr * wc * x[min(max(rr, 0), h - 1), min(max(cc, 0), w - 1)]
    return out


def test_affine_transforms_exact_cases():
    # An integer shift moves pixels: output[r, c] = input[r + tx, c + ty], edges filled by mode.
    shifted = image.apply_affine_transform(X, tx=1, ty=-2, fill_mode="constant", cval=-1)
    expected = np.full_like(X, -1)
    expected[:4, 2:] = X[1:, :4]
    np.testing.assert_allclose(shifted, expected)
    nearest = image.apply_affine_transform(X, tx=2, fill_mode="nearest")
    np.testing.assert_allclose(nearest, X[np.minimum(np.arange(5) + 2, 4)])
    wrapped = image.apply_affine_transform(X, ty=3, fill_mode="wrap")
    # SciPy's 'wrap': coordinates outside [0, n - 1] wrap with period n - 1.
    columns = np.arange(6) + 3
    np.testing.assert_allclose(wrapped, X[:, np.where(columns <= 5, columns, columns % 5)])
    reflected = image.apply_affine_transform(X, tx=-2, fill_mode="reflect")
    rows = np.arange(5) - 2
    np.testing.assert_allclose(reflected, X[np.where(rows < 0, -rows - 1, rows)])
    for theta in (90, 33):
        np.testing.assert_allclose(image.apply_affine_transform(X, theta=theta), _loop_rotation(X, theta),
                                   rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(image.apply_affine_transform(X, zx=1, zy=1), X)
    half = image.apply_affine_transform(np.arange(4, dtype=np.float32).reshape(1, 4, 1), ty=0.5,
                                        fill_mode="nearest")
    np.testing.assert_allclose(half[0, :, 0], [0.5, 1.5, 2.5, 3.0])
    with pytest.raises(ValueError, match="fill_mode must be one of"):
        image.apply_affine_transform(X, tx=1, fill_mode="mirror")


def test_flips_shifts_and_channel_shift():
    np.testing.assert_array_equal(image.flip_axis(X, 1), X[:, ::-1])
    shifted = image.apply_channel_shift(X, 100.0, 2)
    np.testing.assert_array_equal(shifted, np.clip(X + 100, X.min(), X.max()))
    np.random.seed(0)
    zoomed = image.random_zoom(X, (0.9, 1.1), row_axis=0, col_axis=1, channel_axis=2)
    assert zoomed.shape == X.shape
    with pytest.raises(ValueError, match="`zoom_range` should be a tuple or list of two floats"):
        image.random_zoom(X, (1.0,))


def test_generator_standardization_and_fit():
    data = RNG.uniform(0, 255, (20, 4, 4, 3)).astype(np.float32)
    gen = image.ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True, rescale=1 / 255.)
    gen.fit(data)
    np.testing.assert_allclose(gen.mean.ravel(), data.mean(axis=(0, 1, 2)), rtol=1e-5)
    np.testing.assert_allclose(gen.std.ravel(), data.std(axis=(0, 1, 2)), rtol=1e-4)
    out = gen.standardize(data[0].copy())
    np.testing.assert_allclose(out, (data[0] / 255. - gen.mean) / (gen.std + 1e-6), rtol=1e-4, atol=1e-5)
    sample = image.ImageDataGenerator(samplewise_center=True, samplewise_std_normalization=True)
    s = sample.standardize(data[1].copy())
    np.testing.assert_allclose(s.mean(axis=-1), 0, atol=1e-4)
    zca = image.ImageDataGenerator(zca_whitening=True, zca_epsilon=1e-3)
    flat_data = RNG.randn(50, 2, 2, 1).astype(np.float32)
    zca.fit(flat_data)
    white = zca.standardize(flat_data.copy()).reshape(50, -1)
    covariance = white.T @ white / 50
    np.testing.assert_allclose(covariance, np.eye(4), atol=0.05)
    with pytest.raises(ValueError, match="Input to `.fit\\(\\)` should have rank 4"):
        gen.fit(data[0])


def test_flow_batches_labels_and_subsets():
    x = np.arange(10 * 2 * 2 * 1, dtype=np.float32).reshape(10, 2, 2, 1)
    y = np.arange(10)
    gen = image.ImageDataGenerator(horizontal_flip=True, validation_split=0.3)
    iterator = gen.flow(x, y, batch_size=4, shuffle=True, seed=1)
    assert len(iterator) == 3
    seen = []
    for i in range(len(iterator)):
        bx, by = iterator[i]
        for img, label in zip(bx, by):
            assert np.array_equal(img, x[label]) or np.array_equal(img, x[label][:, ::-1])
        seen += list(by)
    assert sorted(seen) == list(range(10))
    bx, by = next(iter(gen.flow(x, y, batch_size=3, shuffle=False)))
    assert list(by) == [0, 1, 2]
    train = gen.flow(x, y, batch_size=10, shuffle=False, subset="training")
    valid = gen.flow(x, y, batch_size=10, shuffle=False, subset="validation")
    assert list(train[0][1]) == list(range(3, 10)) and list(valid[0][1]) == [0, 1, 2]
    only_x = gen.flow(x, batch_size=5, shuffle=False)[0]
    assert only_x.shape == (5, 2, 2, 1)
    weighted = gen.flow(x, y, sample_weight=np.ones(10) * 2, batch_size=2, shuffle=False)[0]
    assert len(weighted) == 3 and list(weighted[2]) == [2, 2]
    with pytest.raises(ValueError, match="should have the same length"):
        gen.flow(x, y[:3])
    with pytest.raises(ValueError, match="should have rank 4"):
        gen.flow(x[0])
    with pytest.raises(ValueError, match="`validation_split` must be strictly between 0 and 1"):
        image.ImageDataGenerator(validation_split=1.5)
    with pytest.raises(ValueError, match="`zoom_range` should be a float or a tuple"):
        image.ImageDataGenerator(zoom_range=[1, 2, 3])


def test_random_transform_parameters():
    gen = image.ImageDataGenerator(rotation_range=30, width_shift_range=0.2, height_shift_range=[-2, 2],
                                   zoom_range=0.1, channel_shift_range=5, brightness_range=(0.5, 1.5))
    params = gen.get_random_transform((10, 20, 3), seed=4)
    assert -30 <= params["theta"] <= 30 and abs(params["ty"]) <= 0.2 * 20 and params["tx"] in (-2.0, 2.0)
    assert 0.9 <= params["zx"] <= 1.1 and 0.5 <= params["brightness"] <= 1.5
    assert gen.get_random_transform((10, 20, 3), seed=4) == params
    out = gen.random_transform(RNG.uniform(0, 1, (10, 20, 3)).astype(np.float32), seed=2)
    assert out.shape == (10, 20, 3)


def test_flow_from_directory(tmp_path):
    pytest.importorskip("PIL")
    for label, value in (("cats", 50), ("dogs", 200)):
        (tmp_path / label).mkdir()
        for i in range(3):
            image.save_img(str(tmp_path / label / ("%d.png" % i)), np.full((4, 4, 3), value + i, np.float32),
                           scale=False)
    (tmp_path / "cats" / "notes.txt").write_text("not an image")
    gen = image.ImageDataGenerator(rescale=1 / 255.)
    iterator = gen.flow_from_directory(str(tmp_path), target_size=(2, 2), batch_size=6, shuffle=False)
    assert iterator.class_indices == {"cats": 0, "dogs": 1} and iterator.samples == 6
    bx, by = iterator[0]
    assert bx.shape == (6, 2, 2, 3)
    np.testing.assert_allclose(bx[:, 0, 0, 0], np.array([50, 51, 52, 200, 201, 202]) / 255., rtol=1e-6)
    np.testing.assert_array_equal(by, np.eye(2)[[0, 0, 0, 1, 1, 1]])
    sparse = gen.flow_from_directory(str(tmp_path), target_size=(2, 2), class_mode="sparse", shuffle=False,
                                     color_mode="grayscale")
    bx, by = sparse[0]
    assert bx.shape == (6, 2, 2, 1) and list(by) == [0, 0, 0, 1, 1, 1]
    with pytest.raises(ValueError, match="Invalid class_mode"):
        gen.flow_from_directory(str(tmp_path), class_mode="onehot")


def test_brightness_goes_through_pil_like_keras():
    pytest.importorskip("PIL")
    x = np.array([[[0.0], [50.0]], [[100.0], [200.0]]], dtype=np.float32)
    # array_to_img stretches the maximum to 255 (no shift for non-negative data) and truncates.
    stretched = np.floor(x / 200.0 * 255)
    np.testing.assert_array_equal(image.img_to_array(image.array_to_img(x)), stretched)
    darker = image.apply_brightness_shift(x, 0.5)
    np.testing.assert_allclose(darker, np.round(stretched * 0.5), atol=1)
    lifted = image.img_to_array(image.array_to_img(x - 100))
    np.testing.assert_array_equal(lifted, np.floor(x / 200.0 * 255))
