"""tf.image: codecs against Pillow and hand-built files, resizes against a per-pixel NumPy reference of
TF1's legacy sampling, the composed ops against NumPy and colorsys."""
import colorsys
import io
import math
import struct
import sys
import zlib

import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients, evaluate

Image = pytest.importorskip("PIL.Image")


def run(tensor, feed=None):
    with tf.Session() as sess:
        return sess.run(tensor, feed)


def pillow_bytes(array, fmt, **options):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, fmt, **options)
    return buffer.getvalue()


# --- a per-pixel NumPy reference of TF1's resize kernels (legacy mapping: y * scale) -----------------
def _scale(n_in, n_out, align):
    return (n_in - 1) / (n_out - 1) if align and n_out > 1 else n_in / n_out


def _keys(d, a=-0.75):
    d = abs(d)
    if d <= 1:
        return (a + 2) * d ** 3 - (a + 3) * d ** 2 + 1
    if d < 2:
        return a * d ** 3 - 5 * a * d ** 2 + 8 * a * d - 4 * a
    return 0.0


def _reference_1d(method, n_in, n_out, align):
    """For each output index: a list of (input index, weight) pairs."""
    scale = np.float32(_scale(n_in, n_out, align))
    taps = []
    for o in range(n_out):
        pos = float(np.float32(o) * scale)
        if method == "nearest":
            i = int(math.floor(pos + 0.5)) if align else int(math.floor(pos))
            taps.append([(min(i, n_in - 1), 1.0)])
        elif method == "bilinear":
            low = int(math.floor(pos))
            frac = pos - low
            taps.append([(low, 1 - frac), (min(low + 1, n_in - 1), frac)])
        elif method == "bicubic":
            base = int(math.floor(pos))
            frac = round((pos - base) * 1024) / 1024   # TF's kernel table has 1024 steps
            taps.append([(min(max(base + k, 0), n_in - 1), _keys(k - frac)) for k in (-1, 0, 1, 2)])
        else:  # area: overlap of [o * scale, (o + 1) * scale) with each pixel, divided by scale
            start, end = float(np.float32(o) * scale), float(np.float32(o + 1) * scale)
            row = []
            for i in range(int(math.floor(start)), int(math.ceil(end))):
                overlap = min(i + 1, end) - max(i, start)
                row.append((min(i, n_in - 1), overlap / float(scale)))
            taps.append(row)
    return taps


def reference_resize(images, size, method, align):
    images = np.asarray(images, dtype=np.float64)
    batch, height, width, channels = images.shape
    rows = _reference_1d(method, height, size[0], align)
    cols = _reference_1d(method, width, size[1], align)
    out = np.zeros((batch, size[0], size[1], channels))
    for i, row_taps in enumerate(rows):
        for j, col_taps in enumerate(cols):
            for y, wy in row_taps:
                for x, wx in col_taps:
                    out[:, i, j] += wy * wx * images[:, y, x]
    return out


METHODS = [("bilinear", tf.image.ResizeMethod.BILINEAR), ("nearest", tf.image.ResizeMethod.NEAREST_NEIGHBOR),
           ("bicubic", tf.image.ResizeMethod.BICUBIC), ("area", tf.image.ResizeMethod.AREA)]


@pytest.mark.parametrize("method_name,method", METHODS)
@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("size", [(7, 3), (3, 11), (10, 14), (1, 1), (2, 5)])
def test_resize_images_match_numpy_reference(method_name, method, align, size):
    images = np.random.RandomState(0).uniform(0, 255, size=(2, 5, 7, 3)).astype(np.float32)
    got = run(tf.image.resize_images(images, size, method=method, align_corners=align))
    assert got.dtype == np.float32 and got.shape == (2,) + size + (3,)
    np.testing.assert_allclose(got, reference_resize(images, size, method_name, align), rtol=1e-5, atol=1e-3)


def test_resize_hand_derived_cases():
    row = np.array([0.0, 10.0], np.float32).reshape(1, 1, 2, 1)
    line = lambda t: run(t)[0, 0, :, 0].tolist()  # noqa: E731
    # legacy: output x samples x * 2/4 = 0, .5, 1, 1.5 (clamped to the last pixel)
    assert line(tf.image.resize_bilinear(row, [1, 4])) == [0, 5, 10, 10]
    # align_corners: x * (2-1)/(3-1) = 0, .5, 1
    assert line(tf.image.resize_bilinear(row, [1, 3], align_corners=True)) == [0, 5, 10]
    assert line(tf.image.resize_nearest_neighbor(row, [1, 4])) == [0, 0, 10, 10]
    # align_corners rounds 0.5 away from zero
    assert line(tf.image.resize_nearest_neighbor(row, [1, 3], align_corners=True)) == [0, 10, 10]
    four = np.array([1.0, 3.0, 5.0, 9.0], np.float32).reshape(1, 1, 4, 1)
    assert line(tf.image.resize_area(four, [1, 2])) == [2, 7]
    # area 4 -> 3: boxes of 4/3 pixels
    np.testing.assert_allclose(line(tf.image.resize_area(four, [1, 3])),
                               [(1 + 3 / 3) * 3 / 4, (3 * 2 / 3 + 5 * 2 / 3) * 3 / 4, (5 / 3 + 9) * 3 / 4], rtol=1e-6)
    # bicubic at an input pixel reproduces it (weights 0, 1, 0, 0)
    assert line(tf.image.resize_bicubic(four, [1, 2]))[0] == pytest.approx(1.0)


def test_resize_half_pixel_centers():
    row = np.array([0.0, 10.0, 20.0], np.float32).reshape(1, 1, 3, 1)
    # centres: (x + .5) * 3/6 - .5 = -.25, .25, .75 ... (lower clamped to 0)
    got = run(tf.image.resize_bilinear(row, [1, 6], half_pixel_centers=True))[0, 0, :, 0]
    np.testing.assert_allclose(got, [0, 2.5, 7.5, 12.5, 17.5, 20], rtol=1e-6)
    got = run(tf.image.resize_nearest_neighbor(row, [1, 2], half_pixel_centers=True))[0, 0, :, 0]
    assert got.tolist() == [0, 20]   # (x + .5) * 1.5 = .75, 2.25
    with pytest.raises(tf.errors.InvalidArgumentError, match="align_corners must be False"):
        run(tf.image.resize_bilinear(row, [1, 2], align_corners=True, half_pixel_centers=True))


def test_resize_images_dtypes_shapes_and_same_size():
    image = np.arange(4 * 6 * 2, dtype=np.uint8).reshape(4, 6, 2)
    nearest = tf.image.resize_images(image, [8, 3], method=tf.image.ResizeMethod.NEAREST_NEIGHBOR)
    assert nearest.dtype is tf.uint8 and nearest.shape.as_list() == [8, 3, 2]
    assert np.array_equal(run(nearest), image[[0, 0, 1, 1, 2, 2, 3, 3]][:, [0, 2, 4]])
    bilinear = tf.image.resize_images(image, [8, 3])
    assert bilinear.dtype is tf.float32 and bilinear.shape.as_list() == [8, 3, 2]
    same = tf.image.resize_images(tf.constant(image), [4, 6])
    assert same.dtype is tf.uint8 and np.array_equal(run(same), image)
    batch = tf.placeholder(tf.float64, [None, 5, 5, 3])
    out = tf.image.resize_images(batch, [2, 3], method=tf.image.ResizeMethod.AREA)
    assert out.dtype is tf.float32 and out.shape.as_list() == [None, 2, 3, 3]
    assert tf.image.resize(batch, [2, 3]).shape.as_list() == [None, 2, 3, 3]


def test_resize_images_preserve_aspect_ratio():
    for shape, size, expected in [((10, 20, 1), (7, 7), [4, 7]), ((3, 7, 1), (10, 4), [2, 4]),
                                  ((9, 6, 1), (5, 5), [5, 3])]:
        out = tf.image.resize_images(tf.zeros(shape), size, preserve_aspect_ratio=True)
        assert out.shape.as_list()[:2] == expected
        assert run(out).shape[:2] == tuple(expected)
    dynamic = tf.placeholder(tf.float32, [None, None, 1])
    out = tf.image.resize_images(dynamic, [7, 7], preserve_aspect_ratio=True)
    assert run(out, {dynamic: np.zeros((10, 20, 1))}).shape == (4, 7, 1)


def test_resize_with_dynamic_size_and_integer_input():
    size = tf.placeholder(tf.int32, [2])
    images = np.random.RandomState(1).randint(0, 256, size=(1, 4, 5, 1)).astype(np.uint8)
    out = tf.image.resize_bilinear(images, size)
    assert out.shape.as_list() == [1, None, None, 1]
    np.testing.assert_allclose(run(out, {size: [3, 8]}), reference_resize(images, (3, 8), "bilinear", False),
                               rtol=1e-5)


@pytest.mark.parametrize("fn", [tf.image.resize_bilinear, tf.image.resize_nearest_neighbor, tf.image.resize_bicubic])
@pytest.mark.parametrize("align", [False, True])
def test_resize_gradients(fn, align):
    images = np.random.RandomState(2).uniform(-1, 1, size=(2, 3, 4, 2))
    # The maps are linear, so wide differences are exact; the output is float32.
    check_gradients(lambda x: tf.cast(fn(x, [5, 3], align_corners=align), tf.float64), [images], rtol=1e-4, atol=1e-4, delta=0.5)


def test_resize_area_has_no_gradient_and_integer_images_get_none():
    images = tf.placeholder(tf.float32, [1, 3, 3, 1])
    with pytest.raises(LookupError, match="No gradient defined for operation.*ResizeArea"):
        tf.gradients(tf.image.resize_area(images, [2, 2]), images)
    ints = tf.placeholder(tf.int32, [1, 3, 3, 1])
    assert tf.gradients(tf.image.resize_bilinear(ints, [2, 2]), ints) == [None]


def test_resize_grad_kernels_are_the_transposed_maps():
    images = np.random.RandomState(3).uniform(size=(1, 4, 3, 1))
    dy = np.random.RandomState(4).uniform(size=(1, 6, 5, 1)).astype(np.float32)
    for method in ("bilinear", "nearest", "bicubic"):
        fn = {"bilinear": tf.image.resize_bilinear, "nearest": tf.image.resize_nearest_neighbor,
              "bicubic": tf.image.resize_bicubic}[method]
        x = tf.constant(images)
        out = fn(x, [6, 5])
        grad = run(tf.gradients(out, x, grad_ys=tf.constant(dy.astype(out.dtype.np)))[0])
        expected = np.zeros_like(images)
        rows, cols = _reference_1d(method, 4, 6, False), _reference_1d(method, 3, 5, False)
        for i, row_taps in enumerate(rows):
            for j, col_taps in enumerate(cols):
                for y, wy in row_taps:
                    for xx, wx in col_taps:
                        expected[0, y, xx] += wy * wx * dy[0, i, j]
        assert grad.dtype == np.float64
        np.testing.assert_allclose(grad, expected, rtol=1e-6)


def test_resize_errors():
    with pytest.raises(ValueError, match="must have either 3 or 4 dimensions"):
        tf.image.resize_images(tf.zeros([2, 2]), [3, 3])
    with pytest.raises(ValueError, match="contains no shape"):
        tf.image.resize_images(tf.placeholder(tf.float32), [3, 3])
    with pytest.raises(ValueError, match="Resize method is not implemented"):
        tf.image.resize_images(tf.zeros([2, 2, 1]), [3, 3], method=7)
    with pytest.raises(ValueError, match="1-D Tensor of 2 elements"):
        tf.image.resize_images(tf.zeros([2, 2, 1]), [3, 3, 3])
    with pytest.raises(ValueError, match="1-D int32 Tensor"):
        tf.image.resize_images(tf.zeros([2, 2, 1]), tf.constant([3.0, 3.0]))
    with pytest.raises(ValueError, match="must be rank 4"):
        tf.image.resize_bilinear(tf.zeros([2, 2, 1]), [3, 3])
    with pytest.raises(TypeError, match="DataType bool not in list"):
        tf.image.resize_bilinear(tf.zeros([1, 2, 2, 1], tf.bool), [3, 3])
    size = tf.placeholder(tf.int32, [2])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="output dimensions must be positive"):
            sess.run(tf.image.resize_bilinear(tf.zeros([1, 2, 2, 1]), size), {size: [0, 3]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="input image must be of non-zero size"):
            sess.run(tf.image.resize_area(tf.zeros([1, 0, 2, 1]), [2, 2]))


# --- PNG -------------------------------------------------------------------------------------------
def _png_gray(rgb):
    rgb = rgb.astype(np.int64)
    return (rgb[..., 0] * 299 + rgb[..., 1] * 587 + rgb[..., 2] * 114) // 1000


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_png_round_trip(dtype, channels):
    image = np.random.RandomState(channels).randint(0, np.iinfo(dtype).max + 1,
                                                    size=(5, 7, channels)).astype(dtype)
    encoded = tf.image.encode_png(image)
    assert encoded.dtype is tf.string and encoded.shape.as_list() == []
    decoded = tf.image.decode_png(encoded, dtype=tf.as_dtype(dtype))
    data, back = run([encoded, decoded])
    assert back.dtype == dtype and np.array_equal(back, image)
    # Pillow reads what was written (its 16-bit support covers gray only)
    if dtype == np.uint8 or channels == 1:
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(data))).reshape(image.shape), image)


def test_png_bit_depth_conversions_and_channel_changes():
    rgba = np.random.RandomState(5).randint(0, 256, size=(3, 4, 4)).astype(np.uint8)
    data = run(tf.image.encode_png(rgba))
    as16 = run(tf.image.decode_png(data, dtype=tf.uint16))
    assert np.array_equal(as16, rgba.astype(np.uint16) * 257)   # 8 -> 16 bits: 255 -> 65535
    assert np.array_equal(run(tf.image.decode_png(data, channels=3)), rgba[..., :3])
    assert np.array_equal(run(tf.image.decode_png(data, channels=1))[..., 0], _png_gray(rgba[..., :3]))
    deep = np.random.RandomState(6).randint(0, 65536, size=(3, 4, 1)).astype(np.uint16)
    data16 = run(tf.image.encode_png(deep))
    assert np.array_equal(run(tf.image.decode_png(data16)), (deep >> 8).astype(np.uint8))   # keeps the high byte
    rgb16 = run(tf.image.decode_png(data16, channels=3, dtype=tf.uint16))
    assert np.array_equal(rgb16, np.repeat(deep, 3, axis=-1))
    rgba16 = run(tf.image.decode_png(data16, channels=4, dtype=tf.uint16))
    assert np.array_equal(rgba16[..., 3], np.full((3, 4), 65535))
    gray_alpha = np.random.RandomState(7).randint(0, 256, size=(2, 3, 2)).astype(np.uint8)
    data_la = run(tf.image.encode_png(gray_alpha))
    assert np.array_equal(run(tf.image.decode_png(data_la, channels=4)),
                          np.concatenate([np.repeat(gray_alpha[..., :1], 3, -1), gray_alpha[..., 1:]], -1))
    assert np.array_equal(run(tf.image.decode_png(data_la, channels=1)), gray_alpha[..., :1])


def _filtered_png16(image, filters):
    """A 16-bit PNG whose rows use the given PNG filter types (built here from the PNG spec)."""
    height, width, channels = image.shape
    bpp = 2 * channels
    raw = image.astype(">u2").view(np.uint8).reshape(height, width * bpp).astype(np.int64)
    rows = []
    for y in range(height):
        kind = filters[y % len(filters)]
        line, prev = raw[y], raw[y - 1] if y else np.zeros_like(raw[0])
        left = np.concatenate([np.zeros(bpp, np.int64), line[:-bpp]])
        corner = np.concatenate([np.zeros(bpp, np.int64), prev[:-bpp]])
        if kind == 0:
            pred = 0
        elif kind == 1:
            pred = left
        elif kind == 2:
            pred = prev
        elif kind == 3:
            pred = (left + prev) // 2
        else:
            p = left + prev - corner
            pa, pb, pc = abs(p - left), abs(p - prev), abs(p - corner)
            pred = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, prev, corner))
        rows.append(bytes([kind]) + ((line - pred) % 256).astype(np.uint8).tobytes())

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 16, {1: 0, 2: 4, 3: 2, 4: 6}[channels], 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_16bit_png_with_every_row_filter(channels):
    image = np.random.RandomState(8).randint(0, 65536, size=(10, 6, channels)).astype(np.uint16)
    data = _filtered_png16(image, [0, 1, 2, 3, 4])
    decoded = run(tf.image.decode_png(data, dtype=tf.uint16))
    assert np.array_equal(decoded, image)


def test_8bit_pngs_from_pillow_palette_one_bit_and_interlaced():
    rng = np.random.RandomState(9)
    palette = Image.fromarray(rng.randint(0, 256, size=(4, 5, 3)).astype(np.uint8)).convert(
        "P", palette=Image.ADAPTIVE, colors=8)
    buffer = io.BytesIO()
    palette.save(buffer, "PNG", transparency=2)
    decoded = run(tf.image.decode_png(buffer.getvalue()))
    assert np.array_equal(decoded, np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGBA")))
    bits = rng.randint(0, 2, size=(3, 9)).astype(bool)
    decoded = run(tf.image.decode_png(pillow_bytes(bits, "PNG")))
    assert np.array_equal(decoded[..., 0], bits.astype(np.uint8) * 255)
    rgb = rng.randint(0, 256, size=(9, 7, 3)).astype(np.uint8)
    assert np.array_equal(run(tf.image.decode_png(pillow_bytes(rgb, "PNG", optimize=True))), rgb)
    assert np.array_equal(run(tf.image.decode_png(pillow_bytes(rgb, "PNG", interlace=1))), rgb)


# --- JPEG, GIF, BMP, decode_image -------------------------------------------------------------------------
def test_jpeg_decode_matches_pillow_and_channels_and_ratio():
    rgb = np.random.RandomState(10).randint(0, 256, size=(16, 20, 3)).astype(np.uint8)
    data = pillow_bytes(rgb, "JPEG", quality=90)
    decoded = run(tf.image.decode_jpeg(data))
    assert np.array_equal(decoded, np.asarray(Image.open(io.BytesIO(data))))
    gray = run(tf.image.decode_jpeg(data, channels=1))
    reference = Image.open(io.BytesIO(data))
    reference.draft("L", reference.size)
    assert gray.shape == (16, 20, 1) and np.array_equal(gray[..., 0], np.asarray(reference))
    assert run(tf.image.decode_jpeg(data, ratio=2)).shape == (8, 10, 3)
    assert run(tf.image.decode_jpeg(data, ratio=4)).shape == (4, 5, 3)
    gray_data = pillow_bytes(rgb[..., 0], "JPEG")
    assert run(tf.image.decode_jpeg(gray_data)).shape == (16, 20, 1)
    assert run(tf.image.decode_jpeg(gray_data, channels=3)).shape == (16, 20, 3)
    # decode_png also decodes JPEG data, and decode_jpeg PNG data, as in TF1
    assert np.array_equal(run(tf.image.decode_png(data)), decoded)
    assert np.array_equal(run(tf.image.decode_jpeg(run(tf.image.encode_png(rgb)))), rgb)


def test_encode_jpeg_round_trip_and_options():
    smooth = np.tile(np.linspace(0, 255, 24).astype(np.uint8)[None, :, None], (16, 1, 3))
    data = run(tf.image.encode_jpeg(smooth, quality=100, chroma_downsampling=False))
    assert data.startswith(b"\xff\xd8\xff")
    back = np.asarray(Image.open(io.BytesIO(data)))
    assert back.shape == smooth.shape and np.abs(back.astype(int) - smooth).max() <= 3
    gray = run(tf.image.encode_jpeg(smooth[..., :1], format="grayscale"))
    assert Image.open(io.BytesIO(gray)).mode == "L"
    low = run(tf.image.encode_jpeg(smooth, quality=10, progressive=True))
    assert len(low) < len(data)
    with pytest.raises(tf.errors.InvalidArgumentError, match="image must be 3-dimensional with 1 channels"):
        run(tf.image.encode_jpeg(smooth, format="grayscale"))
    with pytest.raises(tf.errors.InvalidArgumentError, match="quality must be in"):
        run(tf.image.encode_jpeg(smooth, quality=101))
    with pytest.raises(TypeError, match="DataType float32 not in list of allowed values: uint8"):
        tf.image.encode_jpeg(tf.zeros([2, 2, 3]))


def _gif_bytes(frames):
    pictures = [Image.fromarray(f).convert("P", palette=Image.ADAPTIVE) for f in frames]
    buffer = io.BytesIO()
    pictures[0].save(buffer, "GIF", save_all=True, append_images=pictures[1:])
    return buffer.getvalue()


def test_gif_decoding_frames_and_decode_image():
    rng = np.random.RandomState(11)
    frames = [rng.randint(0, 256, size=(4, 5, 3)).astype(np.uint8) for _ in range(3)]
    data = _gif_bytes(frames)
    expected = []
    picture = Image.open(io.BytesIO(data))
    for index in range(picture.n_frames):
        picture.seek(index)
        expected.append(np.asarray(picture.convert("RGB")))
    gif = tf.image.decode_gif(data)
    assert gif.shape.as_list() == [None, None, None, 3]
    assert np.array_equal(run(gif), np.stack(expected))
    assert np.array_equal(run(tf.image.decode_image(data)), np.stack(expected))
    first = tf.image.decode_image(data, expand_animations=False)
    assert first.shape.as_list() == [None, None, None]
    assert np.array_equal(run(first), expected[0])
    single = _gif_bytes(frames[:1])
    assert np.array_equal(run(tf.image.decode_png(single)), run(tf.image.decode_gif(single))[0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Received a GIF with 3 frames"):
        run(tf.image.decode_jpeg(data))
    with pytest.raises(tf.errors.InvalidArgumentError, match="channels must be 0 or 3 when decoding GIF"):
        run(tf.image.decode_image(data, channels=1))


def test_bmp_and_decode_image_dtypes():
    rgb = np.random.RandomState(12).randint(0, 256, size=(3, 5, 3)).astype(np.uint8)
    bmp = pillow_bytes(rgb, "BMP")
    assert np.array_equal(run(tf.image.decode_bmp(bmp)), rgb)
    assert np.array_equal(run(tf.image.decode_bmp(bmp, channels=4))[..., 3], np.full((3, 5), 255))
    assert np.array_equal(run(tf.image.decode_image(bmp)), rgb)
    png = run(tf.image.encode_png(rgb))
    as_float = tf.image.decode_image(png, dtype=tf.float32)
    np.testing.assert_allclose(run(as_float), rgb / 255.0, rtol=1e-6)
    assert np.array_equal(run(tf.image.decode_image(png, dtype=tf.uint16)), rgb.astype(np.uint16) * 257)
    # JPEG, GIF and BMP reach uint16 as convert_image_dtype scales uint8 (x 256)
    assert np.array_equal(run(tf.image.decode_image(bmp, dtype=tf.uint16)), rgb.astype(np.uint16) * 256)
    shaped = tf.image.decode_image(png, channels=3, expand_animations=False)
    assert shaped.shape.as_list() == [None, None, 3]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Expected image \(BMP\)"):
        run(tf.image.decode_bmp(png))


def test_decode_static_shapes():
    contents = tf.placeholder(tf.string, [])
    assert tf.image.decode_png(contents, channels=3).shape.as_list() == [None, None, 3]
    assert tf.image.decode_png(contents).shape.as_list() == [None, None, None]
    assert tf.image.decode_jpeg(contents, channels=1).shape.as_list() == [None, None, 1]
    assert tf.image.decode_bmp(contents).shape.as_list() == [None, None, None]
    assert tf.image.decode_image(contents).shape.ndims is None
    assert tf.image.decode_png(contents, dtype=tf.uint16).dtype is tf.uint16


def test_decode_bad_data_errors_and_session_stays_usable():
    junk = b"definitely not an image"
    contents = tf.placeholder(tf.string, [])
    with tf.Session() as sess:
        for op in (tf.image.decode_png(contents), tf.image.decode_jpeg(contents)):
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match=r"Expected image \(JPEG, PNG, or GIF\), got unknown format starting with b'definitely"):
                sess.run(op, {contents: junk})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"Expected image \(JPEG, PNG, GIF, or BMP\)"):
            sess.run(tf.image.decode_image(contents), {contents: junk})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"Expected image \(GIF\)"):
            sess.run(tf.image.decode_gif(contents), {contents: junk})
        good = run(tf.image.encode_png(np.zeros((2, 2, 3), np.uint8)))
        with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid PNG data"):
            sess.run(tf.image.decode_png(contents), {contents: good[:40]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid JPEG data"):
            sess.run(tf.image.decode_jpeg(contents), {contents: b"\xff\xd8\xff" + b"\x00" * 20})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid PNG header"):
            sess.run(tf.image.decode_png(contents), {contents: good[:20]})
        deep = run(tf.image.encode_png(np.zeros((2, 2, 1), np.uint16)))
        corrupt = deep[:45] + bytes([deep[45] ^ 0xFF]) + deep[46:]
        with pytest.raises(tf.errors.InvalidArgumentError, match="fails its CRC check"):
            sess.run(tf.image.decode_png(contents), {contents: corrupt})
        with pytest.raises(tf.errors.InvalidArgumentError, match="channels must be 0, 1, 3, or 4, got 2"):
            sess.run(tf.image.decode_png(contents, channels=2), {contents: good})
        with pytest.raises(tf.errors.InvalidArgumentError, match="ratio must be 1, 2, 4, or 8, got 3"):
            sess.run(tf.image.decode_jpeg(contents, ratio=3), {contents: good})
        assert sess.run(tf.image.decode_png(contents), {contents: good}).shape == (2, 2, 3)
    with pytest.raises(TypeError, match="uint8, uint16"):
        tf.image.decode_png(contents, dtype=tf.float32)


def test_encode_png_errors():
    with pytest.raises(TypeError, match="DataType float32 not in list of allowed values: uint8, uint16"):
        tf.image.encode_png(tf.zeros([2, 2, 3]))
    with pytest.raises(ValueError, match="must be rank 3"):
        tf.image.encode_png(tf.zeros([2, 2], tf.uint8))
    with pytest.raises(tf.errors.InvalidArgumentError, match="with 1, 2, 3, or 4 channels, got shape"):
        run(tf.image.encode_png(tf.zeros([2, 2, 5], tf.uint8)))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"compression must be in \[-1, 9\]"):
        run(tf.image.encode_png(tf.zeros([2, 2, 1], tf.uint8), compression=12))
    stored = run(tf.image.encode_png(np.zeros((20, 20, 3), np.uint8), compression=0))
    packed = run(tf.image.encode_png(np.zeros((20, 20, 3), np.uint8), compression=9))
    assert len(packed) < len(stored)


def test_missing_pillow_raises_import_error_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    data = b"\xff\xd8\xff" + b"\x00" * 10
    deep = np.arange(6, dtype=np.uint16).reshape(2, 3, 1)
    with tf.Session() as sess:
        for op in (tf.image.decode_jpeg(data), tf.image.decode_png(data), tf.image.decode_gif(data),
                   tf.image.decode_bmp(data), tf.image.decode_image(data), tf.image.encode_jpeg(deep.astype(np.uint8))):
            with pytest.raises(ImportError, match=r"pip install 'numflow-tf1\[image\]' \(or pip install Pillow\)"):
                sess.run(op)
        # PNG encoding needs no Pillow
        assert sess.run(tf.image.encode_png(deep)).startswith(b"\x89PNG")


# --- flips, rotation, transposition ----------------------------------------------------------------------
def test_flips_transpose_and_rot90_match_numpy():
    image = np.arange(2 * 3 * 4 * 2).reshape(2, 3, 4, 2).astype(np.float32)
    for batch in (image[0], image):
        h, w = batch.ndim - 3, batch.ndim - 2
        assert np.array_equal(run(tf.image.flip_left_right(batch)), np.flip(batch, w))
        assert np.array_equal(run(tf.image.flip_up_down(batch)), np.flip(batch, h))
        assert np.array_equal(run(tf.image.transpose_image(batch)), np.swapaxes(batch, h, w))
        for k in range(-1, 6):
            rotated = tf.image.rot90(batch, k)
            assert rotated.shape.as_list() == list(np.rot90(batch, k, axes=(h, w)).shape)
            assert np.array_equal(run(rotated), np.rot90(batch, k, axes=(h, w)))
    k = tf.placeholder(tf.int32, [])
    rotated = tf.image.rot90(image[0], k)
    with tf.Session() as sess:
        for turns in range(4):
            assert np.array_equal(sess.run(rotated, {k: turns}), np.rot90(image[0], turns))
    with pytest.raises(ValueError, match="must have either 3 or 4 dimensions"):
        tf.image.flip_left_right(tf.zeros([2, 2]))


def test_flip_and_rot90_gradients():
    image = np.random.RandomState(13).uniform(size=(3, 4, 1))
    check_gradients(lambda x: tf.image.rot90(tf.image.flip_up_down(x), 1), [image])


def test_random_flips_are_seeded_and_per_image():
    image = np.arange(2 * 3 * 1).reshape(2, 3, 1).astype(np.float32)
    tf.set_random_seed(7)
    flip = tf.image.random_flip_left_right(image)
    updown = tf.image.random_flip_up_down(image, seed=3)
    with tf.Session() as sess:
        seen = [sess.run(flip) for _ in range(40)]
        downs = [sess.run(updown) for _ in range(40)]
    flipped = sum(np.array_equal(s, image[:, ::-1]) for s in seen)
    assert all(np.array_equal(s, image) or np.array_equal(s, image[:, ::-1]) for s in seen)
    assert 5 < flipped < 35
    assert 5 < sum(np.array_equal(s, image[::-1]) for s in downs) < 35
    with tf.Session() as sess:   # same seeds, same sequence in a new session
        assert all(np.array_equal(sess.run(flip), s) for s in seen[:5])
    batch = np.stack([image] * 16)
    out = run(tf.image.random_flip_left_right(batch, seed=1))
    per_image = [np.array_equal(o, image[:, ::-1]) for o in out]
    assert all(p or np.array_equal(o, image) for p, o in zip(per_image, out))
    assert 0 < sum(per_image) < 16


# --- crops and pads -----------------------------------------------------------------------------------
def test_crop_pad_and_crop_or_pad_match_numpy():
    image = np.arange(5 * 6 * 2).reshape(5, 6, 2).astype(np.float32)
    assert np.array_equal(run(tf.image.crop_to_bounding_box(image, 1, 2, 3, 4)), image[1:4, 2:6])
    padded = np.zeros((8, 9, 2), np.float32)
    padded[2:7, 1:7] = image
    out = tf.image.pad_to_bounding_box(image, 2, 1, 8, 9)
    assert out.shape.as_list() == [8, 9, 2] and np.array_equal(run(out), padded)
    batch = np.stack([image, image + 100])
    assert np.array_equal(run(tf.image.crop_to_bounding_box(batch, 0, 1, 2, 2)), batch[:, 0:2, 1:3])
    # crop (height 5 -> 3: offset (5 - 3) // 2 = 1) and pad (width 6 -> 9: offset 3 // 2 = 1)
    expected = np.zeros((3, 9, 2), np.float32)
    expected[:, 1:7] = image[1:4]
    out = tf.image.resize_image_with_crop_or_pad(image, 3, 9)
    assert out.shape.as_list() == [3, 9, 2] and np.array_equal(run(out), expected)
    dynamic = tf.placeholder(tf.float32, [None, None, 2])
    out = tf.image.resize_with_crop_or_pad(dynamic, 3, 9)
    assert np.array_equal(run(out, {dynamic: image}), expected)


def test_central_crop_offsets():
    # margin int((size - size * fraction) / 2) on each side (cases checked against TF 1.x by hand)
    for shape, fraction, (top, height), (left, width) in [
            ((10, 10, 1), 0.5, (2, 6), (2, 6)), ((7, 9, 1), 0.3, (2, 3), (3, 3)),
            ((5, 5, 1), 0.9, (0, 5), (0, 5)), ((11, 4, 1), 0.33, (3, 5), (1, 2))]:
        image = np.arange(np.prod(shape)).reshape(shape).astype(np.float32)
        out = tf.image.central_crop(image, fraction)
        assert out.shape.as_list() == [height, width, 1]
        assert np.array_equal(run(out), image[top:top + height, left:left + width])
        dynamic = tf.placeholder(tf.float32, [None, None, 1])
        assert np.array_equal(run(tf.image.central_crop(dynamic, fraction), {dynamic: image}),
                              image[top:top + height, left:left + width])
    image = tf.constant(np.ones((4, 4, 1), np.float32))
    assert tf.image.central_crop(image, 1.0) is image
    with pytest.raises(ValueError, match=r"central_fraction must be within \(0, 1\]"):
        tf.image.central_crop(image, 0.0)


def test_crop_and_pad_errors():
    image = tf.zeros([4, 5, 1])
    for args, message in [((-1, 0, 2, 2), "offset_height must be >= 0."), ((0, -1, 2, 2), "offset_width must be >= 0."),
                          ((0, 0, 0, 2), "target_height must be > 0."), ((0, 0, 2, 0), "target_width must be > 0."),
                          ((3, 0, 2, 2), "height must be >= target \\+ offset."),
                          ((0, 4, 2, 2), "width must be >= target \\+ offset.")]:
        with pytest.raises(ValueError, match=message):
            tf.image.crop_to_bounding_box(image, *args)
    for args, message in [((-1, 0, 6, 6), "offset_height must be >= 0"), ((0, 2, 6, 6), "width must be <= target - offset"),
                          ((3, 0, 6, 6), "height must be <= target - offset")]:
        with pytest.raises(ValueError, match=message):
            tf.image.pad_to_bounding_box(image, *args)
    with pytest.raises(ValueError, match="target_width must be > 0."):
        tf.image.resize_image_with_crop_or_pad(image, 2, 0)
    with pytest.raises(ValueError, match="must have either 3 or 4 dimensions"):
        tf.image.crop_to_bounding_box(tf.zeros([2, 2]), 0, 0, 1, 1)


def test_crop_pad_gradients():
    image = np.random.RandomState(14).uniform(size=(3, 4, 1))
    check_gradients(lambda x: tf.image.resize_image_with_crop_or_pad(x, 2, 6), [image])


def test_random_crop_is_exported():
    image = np.arange(30).reshape(5, 6, 1)
    out = run(tf.image.random_crop(image, [2, 3, 1], seed=1))
    windows = [image[i:i + 2, j:j + 3] for i in range(4) for j in range(4)]
    assert any(np.array_equal(out, w) for w in windows)


# --- dtype conversion and standardisation -----------------------------------------------------------------
def test_convert_image_dtype_rules():
    floats = np.array([0.0, 0.2, 0.5, 0.99, 1.0], np.float32)
    assert np.array_equal(run(tf.image.convert_image_dtype(floats, tf.uint8)),
                          (floats * 255.5).astype(np.uint8))
    assert np.array_equal(run(tf.image.convert_image_dtype(floats, tf.int16)),
                          (floats * np.float32(32767.5)).astype(np.int16))
    over = np.array([1.5, -0.2, 0.5], np.float32)
    assert run(tf.image.convert_image_dtype(over, tf.uint8, saturate=True)).tolist() == [255, 0, 127]
    u8 = np.array([0, 1, 255], np.uint8)
    np.testing.assert_allclose(run(tf.image.convert_image_dtype(u8, tf.float32)), u8 / 255.0, rtol=1e-6)
    assert run(tf.image.convert_image_dtype(u8, tf.uint16)).tolist() == [0, 256, 65280]
    assert run(tf.image.convert_image_dtype(u8, tf.int32)).tolist() == [0, 1 << 23, 255 << 23]
    assert run(tf.image.convert_image_dtype(np.array([0, 257, 65535], np.uint16), tf.uint8)).tolist() == [0, 1, 255]
    assert run(tf.image.convert_image_dtype(np.array([-5, 1, 127], np.int8), tf.uint8, saturate=True)).tolist() == [0, 2, 254]
    assert run(tf.image.convert_image_dtype(floats, tf.float64)).dtype == np.float64
    same = tf.constant(u8)
    assert tf.image.convert_image_dtype(same, tf.uint8) is same
    with pytest.raises(AttributeError, match="dtype must be either floating point or integer"):
        tf.image.convert_image_dtype(u8, tf.string)


def test_per_image_standardization_values_and_gradient():
    images = np.random.RandomState(15).uniform(0, 10, size=(2, 3, 4, 2))
    got = run(tf.image.per_image_standardization(images))
    assert got.dtype == np.float32
    for out, image in zip(got, images):
        scale = max(image.std(), 1 / np.sqrt(image.size))
        np.testing.assert_allclose(out, (image - image.mean()) / scale, rtol=1e-5, atol=1e-5)
    flat = run(tf.image.per_image_standardization(np.full((3, 3, 1), 7, np.uint8)))
    assert np.array_equal(flat, np.zeros((3, 3, 1)))
    # float32 inside (as in TF): the differences need a wide step
    check_gradients(lambda x: tf.cast(tf.image.per_image_standardization(x), tf.float64), [images[0] / 10],
                    rtol=2e-3, atol=2e-3, delta=1e-2)


# --- colour -------------------------------------------------------------------------------------------
def _colorsys_map(rgb, fn):
    return np.apply_along_axis(lambda p: np.array(fn(*p)), -1, rgb.astype(np.float64))


def test_rgb_hsv_conversions_match_colorsys():
    rgb = np.random.RandomState(16).uniform(size=(4, 5, 3))
    rgb[0, 0] = [0.3, 0.3, 0.3]   # gray: hue and saturation 0
    rgb[0, 1] = [0, 0, 0]
    hsv = run(tf.image.rgb_to_hsv(rgb))
    np.testing.assert_allclose(hsv, _colorsys_map(rgb, colorsys.rgb_to_hsv), atol=1e-12)
    np.testing.assert_allclose(run(tf.image.hsv_to_rgb(hsv)), rgb, atol=1e-12)
    assert tf.image.rgb_to_hsv(rgb.astype(np.float32)).dtype is tf.float32
    with pytest.raises(ValueError, match="Dimension must be 3 but is 4"):
        tf.image.rgb_to_hsv(tf.zeros([2, 4]))
    with pytest.raises(TypeError, match="DataType uint8 not in list"):
        tf.image.hsv_to_rgb(tf.zeros([2, 3], tf.uint8))
    ragged = tf.placeholder(tf.float32, [None, None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="input must have 3 channels"):
        run(tf.image.rgb_to_hsv(ragged), {ragged: np.zeros((2, 2))})


def test_adjust_hue_and_saturation_match_colorsys():
    rgb = np.random.RandomState(17).uniform(size=(3, 4, 3))
    hsv = _colorsys_map(rgb, colorsys.rgb_to_hsv)
    for delta in (0.3, -0.7):
        shifted = hsv.copy()
        shifted[..., 0] = np.mod(shifted[..., 0] + delta, 1.0)
        np.testing.assert_allclose(run(tf.image.adjust_hue(rgb, delta)),
                                   _colorsys_map(shifted, colorsys.hsv_to_rgb), atol=1e-12)
    for factor in (0.5, 1.7):
        scaled = hsv.copy()
        scaled[..., 1] = np.clip(scaled[..., 1] * factor, 0, 1)
        np.testing.assert_allclose(run(tf.image.adjust_saturation(rgb, factor)),
                                   _colorsys_map(scaled, colorsys.hsv_to_rgb), atol=1e-12)
    u8 = (rgb * 255).astype(np.uint8)
    out = run(tf.image.adjust_saturation(u8, 1.7))
    scaled = _colorsys_map(u8 / 255.0, colorsys.rgb_to_hsv)
    scaled[..., 1] = np.clip(scaled[..., 1] * 1.7, 0, 1)
    expected = (_colorsys_map(scaled, colorsys.hsv_to_rgb) * 255.5).astype(np.uint8)
    assert out.dtype == np.uint8 and np.abs(out.astype(int) - expected).max() <= 1


def test_brightness_contrast_gamma_gray():
    image = np.random.RandomState(18).uniform(size=(3, 4, 3))
    np.testing.assert_allclose(run(tf.image.adjust_brightness(image, 0.25)), image + 0.25)
    mean = image.mean(axis=(0, 1), keepdims=True)
    np.testing.assert_allclose(run(tf.image.adjust_contrast(image, 1.6)), (image - mean) * 1.6 + mean)
    np.testing.assert_allclose(run(tf.image.adjust_gamma(image, 2.2, 1.1)), 1.1 * image ** 2.2)
    weights = np.array([0.2989, 0.5870, 0.1140])
    gray = tf.image.rgb_to_grayscale(image)
    assert gray.shape.as_list() == [3, 4, 1]
    np.testing.assert_allclose(run(gray)[..., 0], image @ weights)
    u8 = np.array([[[250, 10, 128]], [[10, 200, 90]]], np.uint8)
    assert run(tf.image.adjust_brightness(u8, 0.1)).tolist() == [[[255, 35, 153]], [[35, 225, 115]]]
    # uint8 through float: 0.2989 * 255 / 255 * 255.5 truncated
    expected = ((u8 / 255.0) @ weights * 255.5).astype(np.uint8)
    assert np.array_equal(run(tf.image.rgb_to_grayscale(u8))[..., 0], expected)
    contrast = run(tf.image.adjust_contrast(np.array([[[250]], [[10]]], np.uint8), 3.0))
    assert contrast.ravel().tolist() == [255, 0]   # saturated
    assert run(tf.image.adjust_gamma(np.array([[[100]]], np.uint8), 2.0)).item() == int((100 / 255) ** 2 * 255.5)
    rgb = run(tf.image.grayscale_to_rgb(np.arange(6.0).reshape(2, 3, 1)))
    assert np.array_equal(rgb, np.repeat(np.arange(6.0).reshape(2, 3, 1), 3, axis=-1))
    with pytest.raises(ValueError, match="Last dimension of a grayscale image should be size 1."):
        tf.image.grayscale_to_rgb(tf.zeros([2, 2, 3]))
    with pytest.raises(ValueError, match="Gamma should be a non-negative real number."):
        tf.image.adjust_gamma(image, -1.0)


def test_colour_adjustment_gradients():
    image = np.random.RandomState(19).uniform(0.1, 0.9, size=(2, 3, 3))
    check_gradients(lambda x: tf.image.adjust_contrast(tf.image.adjust_brightness(x, 0.1), 1.5), [image])
    check_gradients(lambda x: tf.image.adjust_gamma(x, 1.7, 0.9), [image])
    check_gradients(tf.image.rgb_to_grayscale, [image])


def test_random_colour_ops_ranges_and_errors():
    image = np.random.RandomState(20).uniform(0.2, 0.8, size=(2, 3, 3)).astype(np.float32)
    bright = tf.image.random_brightness(image, 0.2, seed=1)
    contrast = tf.image.random_contrast(image, 0.5, 1.5, seed=2)
    saturation = tf.image.random_saturation(image, 0.5, 1.5, seed=3)
    hue = tf.image.random_hue(image, 0.2, seed=4)
    with tf.Session() as sess:
        deltas = [float(np.mean(sess.run(bright) - image)) for _ in range(20)]
        assert all(-0.2 - 1e-6 <= d <= 0.2 + 1e-6 for d in deltas) and len(set(deltas)) > 1
        mean = image.mean(axis=(0, 1))
        factors = []
        for _ in range(10):
            out = sess.run(contrast)
            factors.append(float((out[0, 0, 0] - mean[0]) / (image[0, 0, 0] - mean[0])))
        assert all(0.5 - 1e-4 <= f <= 1.5 + 1e-4 for f in factors)
        for _ in range(3):
            assert sess.run(saturation).shape == image.shape
            shifted = sess.run(hue)
            # a hue shift keeps value (max) and saturation
            np.testing.assert_allclose(shifted.max(-1), image.max(-1), rtol=1e-5)
    for call, message in [(lambda: tf.image.random_brightness(image, -0.1), "max_delta must be non-negative."),
                          (lambda: tf.image.random_contrast(image, 1.0, 0.5), "upper must be > lower."),
                          (lambda: tf.image.random_saturation(image, -1.0, 0.5), "lower must be non-negative."),
                          (lambda: tf.image.random_hue(image, 0.6), "max_delta must be <= 0.5."),
                          (lambda: tf.image.random_hue(image, -0.1), "max_delta must be non-negative.")]:
        with pytest.raises(ValueError, match=message):
            call()


# --- statistics ------------------------------------------------------------------------------------------
def test_total_variation_image_gradients_psnr():
    image = np.random.RandomState(21).uniform(size=(2, 3, 4, 2))
    tv = lambda im: np.abs(np.diff(im, axis=-3)).sum() + np.abs(np.diff(im, axis=-2)).sum()  # noqa: E731
    assert run(tf.image.total_variation(image[0])) == pytest.approx(tv(image[0]))
    np.testing.assert_allclose(run(tf.image.total_variation(image)), [tv(im) for im in image])
    check_gradients(tf.image.total_variation, [image[0] + np.arange(24).reshape(3, 4, 2)])
    dy, dx = run(tf.image.image_gradients(image))
    expected_dy = np.zeros_like(image)
    expected_dy[:, :-1] = np.diff(image, axis=1)
    expected_dx = np.zeros_like(image)
    expected_dx[:, :, :-1] = np.diff(image, axis=2)
    np.testing.assert_allclose(dy, expected_dy)
    np.testing.assert_allclose(dx, expected_dx)
    a = image.astype(np.float32)
    b = (image * 0.9).astype(np.float32)
    mse = ((a - b) ** 2).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(run(tf.image.psnr(a, b, 1.0)), 10 * np.log10(1.0 / mse), rtol=1e-5)
    u8a, u8b = (a * 255).astype(np.uint8), (b * 255).astype(np.uint8)
    mse8 = ((u8a.astype(float) - u8b) ** 2).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(run(tf.image.psnr(u8a, u8b, 255)), 10 * np.log10(255.0 ** 2 / mse8), rtol=1e-5)
    with pytest.raises(ValueError, match="must be either 3 or 4-dimensional"):
        tf.image.total_variation(tf.zeros([2, 2]))
    with pytest.raises(ValueError, match="image_gradients expects a 4D tensor"):
        tf.image.image_gradients(tf.zeros([2, 2, 1]))
    with pytest.raises(ValueError, match="incompatible"):
        tf.image.psnr(tf.zeros([2, 2, 1]), tf.zeros([3, 2, 1]), 1.0)


def test_evaluate_helper_with_decode_in_graph():
    """A decode feeding a resize inside one graph: the usual input-pipeline pattern."""
    image = np.random.RandomState(22).randint(0, 256, size=(6, 8, 3)).astype(np.uint8)
    png = run(tf.image.encode_png(image))
    out = evaluate(lambda c: tf.image.resize_images(tf.image.decode_png(c, channels=3), [3, 4],
                                                    method=tf.image.ResizeMethod.AREA), [np.array(png, dtype=object)],
                   dtype=tf.string)
    np.testing.assert_allclose(out, reference_resize(image[None], (3, 4), "area", False)[0], rtol=1e-5)
