"""Image ops (`tf.image.*`): decoding and encoding, resizing, cropping, flipping and colour adjustments.

Codecs: PNG is encoded here with zlib and 16-bit PNGs are decoded here too (Pillow would reduce their
colour channels to 8 bits); every other decode (8-bit PNG, JPEG, GIF, BMP) and JPEG encoding uses Pillow,
an optional dependency imported only when such an op runs. As in TF1, decode_png and decode_jpeg accept
any of PNG, JPEG and single-frame GIF data, since they share one interface.

Resizing follows TF 1.x's kernels: with half_pixel_centers=False (the legacy mapping) output pixel y
samples input coordinate y * scale, scale = in / out, or (in - 1) / (out - 1) with align_corners. Each
method is a linear map separable along height and width, so a kernel builds one [out, in] weight matrix
per axis and applies both; the gradient kernels apply their transposes.

Everything else is composed from other numflow ops (flips are reverses, crops are slices, colour
adjustments are arithmetic), so gradients flow through them where TF has one.
"""
import io
import math
import zlib

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, is_tensor_like, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import make_tensor
from .io_ops import check_scalar_string, scalar_bytes, string_scalar
from .._install_hints import pip_hint

__all__ = []

_PILLOW_HINT = pip_hint("image", "Pillow")


def _pillow_image():
    """PIL.Image, imported on first use: Pillow is an optional extra."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("Decoding images and encoding JPEG needs Pillow: %s"
                          % _PILLOW_HINT) from None
    return Image


# --- file formats --------------------------------------------------------------------------------
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _sniff_format(data):
    """'png', 'jpeg', 'gif', 'bmp' from the leading magic bytes, else None."""
    if data.startswith(_PNG_SIGNATURE):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data.startswith(b"BM"):
        return "bmp"
    return None


def _unknown_format(op, data, expected):
    return errors.InvalidArgumentError(None, op, "Expected image (%s), got unknown format starting with %r"
                                       % (expected, bytes(data[:16])))


def _png_gray(rgb):
    """Gray levels of integer RGB pixels with the Rec. 601 weights libpng's conversion uses (truncated)."""
    rgb = rgb.astype(np.int64)
    return (rgb[..., 0] * 299 + rgb[..., 1] * 587 + rgb[..., 2] * 114) // 1000


def _to_channels(pixels, channels, max_value):
    """An [h, w, c] integer image (c = 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA) with `channels` channels:
    gray is repeated into RGB, RGB becomes gray by weighted sum, alpha is dropped or added opaque."""
    have = pixels.shape[-1]
    if channels == 0 or channels == have:
        return pixels
    color = pixels[..., :3] if have >= 3 else np.repeat(pixels[..., :1], 3, axis=-1)
    alpha = pixels[..., -1:] if have in (2, 4) else np.full(pixels.shape[:-1] + (1,), max_value, pixels.dtype)
    if channels == 1:
        return (pixels[..., :1] if have <= 2 else _png_gray(color)[..., None]).astype(pixels.dtype)
    if channels == 3:
        return np.ascontiguousarray(color)
    return np.concatenate([color, alpha], axis=-1)


# --- PNG in NumPy ----------------------------------------------------------------------------------
_PNG_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}   # colour type -> samples per pixel (no palette)
_MAX_PIXELS = 1 << 30


def _png_chunk(kind, data):
    return (len(data).to_bytes(4, "big") + kind + data
            + (zlib.crc32(kind + data) & 0xFFFFFFFF).to_bytes(4, "big"))


def png_encode(image, compression=-1):
    """PNG bytes of an [h, w, c] uint8 or uint16 array, c in 1..4 (gray, gray+alpha, RGB, RGBA)."""
    height, width, channels = image.shape
    depth = 16 if image.dtype == np.uint16 else 8
    samples = image.astype(">u2" if depth == 16 else np.uint8, copy=False)
    rows = np.zeros((height, 1 + width * channels * depth // 8), dtype=np.uint8)
    rows[:, 1:] = np.ascontiguousarray(samples).view(np.uint8).reshape(height, -1)
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([depth, color_type, 0, 0, 0])
    return (_PNG_SIGNATURE + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), compression)) + _png_chunk(b"IEND", b""))


def _png_header(op, data):
    """(width, height, bit depth, colour type, interlace) from a PNG's IHDR chunk."""
    if len(data) < 33 or data[12:16] != b"IHDR" or int.from_bytes(data[8:12], "big") != 13:
        raise errors.InvalidArgumentError(None, op, "Invalid PNG header, data size %d" % len(data))
    fields = data[16:29]
    width, height = int.from_bytes(fields[0:4], "big"), int.from_bytes(fields[4:8], "big")
    depth, color_type, interlace = fields[8], fields[9], fields[12]
    if not (0 < width and 0 < height and width * height <= _MAX_PIXELS):
        raise errors.InvalidArgumentError(None, op, "PNG size %dx%d is out of range" % (width, height))
    return width, height, depth, color_type, interlace


def _png_decode_16bit(op, data, width, height, color_type):
    """The uint16 [h, w, c] samples of a non-interlaced 16-bit PNG (colour types 0, 2, 4, 6)."""
    channels = _PNG_CHANNELS[color_type]
    pixel_bytes = 2 * channels
    stride = width * pixel_bytes
    idat = []
    position = 8
    while position + 12 <= len(data):
        length = int.from_bytes(data[position:position + 4], "big")
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        crc = data[position + 8 + length:position + 12 + length]
        if len(body) != length or len(crc) != 4 or zlib.crc32(kind + body) & 0xFFFFFFFF != int.from_bytes(crc, "big"):
            raise errors.InvalidArgumentError(None, op, "Invalid PNG data: chunk %r is truncated or fails its "
                                              "CRC check" % kind)
        if kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        position += 12 + length
    expected = height * (1 + stride)
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(b"".join(idat), expected)
    except zlib.error as error:
        raise errors.InvalidArgumentError(None, op, "Invalid PNG data: %s" % error) from None
    if len(raw) != expected:
        raise errors.InvalidArgumentError(None, op, "Invalid PNG data: %d bytes of pixel data, expected %d"
                                          % (len(raw), expected))
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(height, 1 + stride)
    pixels = _png_unfilter(op, rows[:, 0], rows[:, 1:], pixel_bytes)
    return pixels.view(">u2").astype(np.uint16).reshape(height, width, channels)


def _png_unfilter(op, filters, rows, pixel_bytes):
    """Undoes PNG's per-row prediction filters (None, Sub, Up, Average, Paeth) on the byte rows."""
    out = np.empty_like(rows)
    previous = np.zeros(rows.shape[1], dtype=np.uint8)
    width = rows.shape[1] // pixel_bytes
    for index, (kind, row) in enumerate(zip(filters, rows)):
        if kind == 0:
            current = row.copy()
        elif kind == 1:   # Sub: a running sum per byte lane, modulo 256
            current = np.cumsum(row.reshape(width, pixel_bytes), axis=0, dtype=np.uint8).reshape(-1)
        elif kind == 2:   # Up
            current = row + previous
        elif kind in (3, 4):   # Average, Paeth: each pixel depends on the one decoded left of it
            current = row.astype(np.int64)
            above = previous.astype(np.int64)
            left = np.zeros(pixel_bytes, dtype=np.int64)
            upper_left = np.zeros(pixel_bytes, dtype=np.int64)
            for x in range(width):
                span = slice(x * pixel_bytes, (x + 1) * pixel_bytes)
                up = above[span]
                if kind == 3:
                    predicted = (left + up) // 2
                else:
                    estimate = left + up - upper_left
                    to_left, to_up, to_corner = (np.abs(estimate - left), np.abs(estimate - up),
                                                 np.abs(estimate - upper_left))
                    predicted = np.where((to_left <= to_up) & (to_left <= to_corner), left,
                                         np.where(to_up <= to_corner, up, upper_left))
                left = (current[span] + predicted) & 0xFF
                current[span] = left
                upper_left = up
            current = current.astype(np.uint8)
        else:
            raise errors.InvalidArgumentError(None, op, "Invalid PNG data: unknown row filter %d" % kind)
        out[index] = current
        previous = current
    return out


# --- decoding with Pillow --------------------------------------------------------------------------
def _open_with_pillow(op, data, what):
    Image = _pillow_image()
    try:
        picture = Image.open(io.BytesIO(data))
        return picture
    except Exception as error:  # Pillow raises many types for corrupt data; all mean "invalid input"
        raise errors.InvalidArgumentError(None, op, "Invalid %s data, size %d: %s" % (what, len(data), error)) from None


def _native_array(op, picture, what):
    """The pixels of a Pillow image as uint8 [h, w, c] with the file's own channel count."""
    mode = picture.mode
    try:
        if mode in ("L", "LA", "RGB", "RGBA"):
            array = np.asarray(picture)
        elif mode == "1":
            array = np.asarray(picture.convert("L"))
        elif mode in ("P", "PA"):
            transparent = mode == "PA" or "transparency" in picture.info
            array = np.asarray(picture.convert("RGBA" if transparent else "RGB"))
        else:
            array = np.asarray(picture.convert("RGB"))
    except Exception as error:  # corrupt pixel data surfaces only when the pixels are read
        raise errors.InvalidArgumentError(None, op, "Invalid %s data: %s" % (what, error)) from None
    if array.ndim == 2:
        array = array[:, :, None]
    return np.array(array, dtype=np.uint8)


def _decode_png(op, data, channels, dtype):
    width, height, depth, color_type, interlace = _png_header(op, data)
    if depth == 16:
        if interlace:
            raise errors.UnimplementedError(None, op, "Interlaced 16-bit PNG images are not supported")
        if color_type not in _PNG_CHANNELS:
            raise errors.InvalidArgumentError(None, op, "Invalid PNG data: colour type %d with bit depth 16"
                                              % color_type)
        pixels = _png_decode_16bit(op, data, width, height, color_type)
        pixels = _to_channels(pixels, channels, 65535)
        # 16 to 8 bits keeps the high byte, as libpng's strip_16 does.
        return pixels if dtype == np.uint16 else (pixels >> 8).astype(np.uint8)
    pixels = _to_channels(_native_array(op, _open_with_pillow(op, data, "PNG"), "PNG"), channels, 255)
    # 8 to 16 bits replicates the byte (x * 257), so that 255 maps to 65535.
    return pixels.astype(np.uint16) * np.uint16(257) if dtype == np.uint16 else pixels


def _decode_jpeg(op, data, channels, ratio=1):
    picture = _open_with_pillow(op, data, "JPEG")
    if ratio != 1 or channels == 1:
        # libjpeg scales by 1/ratio and converts to gray while decoding (Pillow's draft mode).
        size = (max(1, picture.width // ratio), max(1, picture.height // ratio))
        picture.draft("L" if channels == 1 else picture.mode, size)
    pixels = _native_array(op, picture, "JPEG")
    return _to_channels(pixels, channels, 255)


def _gif_frames(op, data):
    picture = _open_with_pillow(op, data, "GIF")
    frames = []
    try:
        for index in range(getattr(picture, "n_frames", 1)):
            picture.seek(index)
            frames.append(np.asarray(picture.convert("RGB"), dtype=np.uint8))
    except Exception as error:
        raise errors.InvalidArgumentError(None, op, "Invalid GIF data: %s" % error) from None
    return np.stack(frames)


def _single_frame_gif(op, data, channels):
    if channels not in (0, 3):
        raise errors.InvalidArgumentError(None, op, "channels must be 0 or 3 when decoding GIF images, got %d"
                                          % channels)
    frames = _gif_frames(op, data)
    if len(frames) != 1:
        raise errors.InvalidArgumentError(None, op, "Received a GIF with %d frames: use decode_gif or "
                                          "decode_image" % len(frames))
    return frames[0]


def _decode_bmp(op, data, channels):
    pixels = _native_array(op, _open_with_pillow(op, data, "BMP"), "BMP")
    return _to_channels(pixels, channels, 255)


def _decode_still(op, data, channels, dtype, ratio=1):
    """A 3-D image from PNG, JPEG or single-frame GIF data (decode_png and decode_jpeg accept all three)."""
    kind = _sniff_format(data)
    if kind == "png":
        return _decode_png(op, data, channels, dtype)
    if kind == "jpeg":
        pixels = _decode_jpeg(op, data, channels, ratio)
    elif kind == "gif":
        pixels = _single_frame_gif(op, data, channels)
    else:
        raise _unknown_format(op, data, "JPEG, PNG, or GIF")
    return pixels.astype(np.uint16) * np.uint16(257) if dtype == np.uint16 else pixels


class _DecodeOp(OpDef):
    """A decoder of a scalar string; `allowed_channels` are the valid `channels` attributes."""

    stateful = False
    differentiable = False
    allowed_channels = (0, 1, 3, 4)

    def check_attrs(self, op):
        _pillow_image()   # when the plan is built: a missing extra is an ImportError, not an op error
        channels = op.attrs.get("channels", 0)
        if channels not in self.allowed_channels:
            raise errors.InvalidArgumentError(None, op, "channels must be %s, got %d"
                                              % (_one_of(self.allowed_channels), channels))

    def infer(self, op):
        check_scalar_string(op.inputs[0], "contents", self.type)
        channels = op.attrs.get("channels", 0)
        return [(op.attrs.get("dtype", dtypes.uint8), TensorShape([None, None, channels or None]))]


def _one_of(values):
    values = [str(v) for v in values]
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + ", or " + values[-1]


@register
class DecodePng(_DecodeOp):
    """A PNG (or JPEG or single-frame GIF) as [height, width, channels] uint8 or uint16."""

    def kernel(self, op, ctx):
        self.check_attrs(op)
        channels, dtype = op.attrs["channels"], op.attrs["dtype"].np
        return lambda contents: _decode_still(op, scalar_bytes(contents), channels, dtype)


@register
class DecodeJpeg(_DecodeOp):
    """A JPEG (or PNG or single-frame GIF) as [height, width, channels] uint8, optionally downscaled."""

    allowed_channels = (0, 1, 3)

    def kernel(self, op, ctx):
        self.check_attrs(op)
        channels, ratio = op.attrs["channels"], op.attrs["ratio"]
        if ratio not in (1, 2, 4, 8):
            raise errors.InvalidArgumentError(None, op, "ratio must be 1, 2, 4, or 8, got %d" % ratio)
        return lambda contents: _decode_still(op, scalar_bytes(contents), channels, np.uint8, ratio)


@register
class DecodeGif(_DecodeOp):
    """The frames of a GIF as [num_frames, height, width, 3] uint8."""

    def infer(self, op):
        check_scalar_string(op.inputs[0], "contents", self.type)
        return [(dtypes.uint8, TensorShape([None, None, None, 3]))]

    def kernel(self, op, ctx):
        self.check_attrs(op)

        def decode(contents):
            data = scalar_bytes(contents)
            if _sniff_format(data) != "gif":
                raise _unknown_format(op, data, "GIF")
            return _gif_frames(op, data)
        return decode


@register
class DecodeBmp(_DecodeOp):
    """A BMP as [height, width, channels] uint8."""

    allowed_channels = (0, 1, 3, 4)

    def kernel(self, op, ctx):
        self.check_attrs(op)
        channels = op.attrs["channels"]

        def decode(contents):
            data = scalar_bytes(contents)
            if _sniff_format(data) != "bmp":
                raise _unknown_format(op, data, "BMP")
            return _decode_bmp(op, data, channels)
        return decode


@register
class DecodeImage(_DecodeOp):
    """Any of PNG, JPEG, GIF and BMP: 3-D, or 4-D for a GIF when `expand_animations` is set."""

    def infer(self, op):
        check_scalar_string(op.inputs[0], "contents", self.type)
        if op.attrs["expand_animations"]:
            return [(op.attrs["dtype"], TensorShape(None))]
        return super().infer(op)

    def kernel(self, op, ctx):
        self.check_attrs(op)
        channels, dtype = op.attrs["channels"], op.attrs["dtype"].np
        expand = op.attrs["expand_animations"]

        def decode(contents):
            data = scalar_bytes(contents)
            kind = _sniff_format(data)
            if kind == "png":
                return _decode_png(op, data, channels, dtype)
            if kind == "jpeg":
                if channels == 4:
                    raise errors.InvalidArgumentError(None, op, "channels must be 0, 1, or 3 for JPEG, got 4")
                pixels = _decode_jpeg(op, data, channels)
            elif kind == "gif":
                if channels not in (0, 3):
                    raise errors.InvalidArgumentError(None, op, "channels must be 0 or 3 when decoding GIF "
                                                      "images, got %d" % channels)
                frames = _gif_frames(op, data)
                pixels = frames if expand else frames[0]
            elif kind == "bmp":
                pixels = _decode_bmp(op, data, channels)
            else:
                raise _unknown_format(op, data, "JPEG, PNG, GIF, or BMP")
            # JPEG, GIF and BMP are 8-bit: to uint16 as convert_image_dtype scales (x * 256).
            return pixels.astype(np.uint16) * np.uint16(256) if dtype == np.uint16 else pixels
        return decode


def _decode(op_type, contents, attrs, name):
    contents = convert_to_tensor(contents, dtype=dtypes.string, name="contents")
    return make_tensor(op_type, [contents], attrs, name=name or op_type)


def decode_png(contents, channels=0, dtype=dtypes.uint8, name=None):
    """`tf.image.decode_png(contents, channels=0, dtype=tf.uint8)`: a PNG-encoded scalar string as a
    [height, width, channels] uint8 or uint16 image. channels 0 keeps the file's (1 gray, 2 gray+alpha,
    3 RGB, 4 RGBA); 1, 3 or 4 converts. Also decodes JPEG and single-frame GIF data."""
    dtype = dtypes.as_dtype(dtype)
    if dtype not in (dtypes.uint8, dtypes.uint16):
        raise TypeError("Value passed to parameter 'dtype' has DataType %s not in list of allowed values: "
                        "uint8, uint16" % dtype.name)
    return _decode("DecodePng", contents, {"channels": int(channels), "dtype": dtype}, name)


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True, try_recover_truncated=False,
                acceptable_fraction=1, dct_method="", name=None):
    """`tf.image.decode_jpeg(contents, channels=0, ratio=1, ...)`: a JPEG-encoded scalar string as a
    [height, width, channels] uint8 image (channels 0: the file's, 1: grayscale, 3: RGB), downscaled by
    `ratio` (1, 2, 4 or 8) while decoding. Also decodes PNG and single-frame GIF data. The upscaling,
    recovery and DCT options are accepted; Pillow's libjpeg defaults are used."""
    return _decode("DecodeJpeg", contents, {"channels": int(channels), "ratio": int(ratio)}, name)


def decode_gif(contents, name=None):
    """`tf.image.decode_gif(contents)`: the frames of a GIF as [num_frames, height, width, 3] uint8."""
    return _decode("DecodeGif", contents, {}, name)


def decode_bmp(contents, channels=0, name=None):
    """`tf.image.decode_bmp(contents, channels=0)`: a BMP as [height, width, channels] uint8."""
    return _decode("DecodeBmp", contents, {"channels": int(channels)}, name)


def decode_image(contents, channels=None, dtype=dtypes.uint8, name=None, expand_animations=True):
    """`tf.image.decode_image(contents, channels=None, dtype=tf.uint8, expand_animations=True)`: a PNG,
    JPEG, GIF or BMP (detected from its first bytes) as an image of `dtype` (uint8, uint16 or a float
    type, scaled as convert_image_dtype does). GIFs give [num_frames, height, width, 3] unless
    `expand_animations` is False (then the first frame); the others [height, width, channels]."""
    dtype = dtypes.as_dtype(dtype)
    if not (dtype in (dtypes.uint8, dtypes.uint16) or dtype.is_floating):
        raise TypeError("dtype must be uint8, uint16 or a floating type, got %s" % dtype.name)
    with name_scope(name, "decode_image", [contents]):
        decoded_dtype = dtypes.uint16 if dtype is dtypes.uint16 else dtypes.uint8
        image = _decode("DecodeImage", contents, {"channels": int(channels or 0), "dtype": decoded_dtype,
                                                  "expand_animations": bool(expand_animations)}, None)
        return convert_image_dtype(image, dtype)


# --- encoding ------------------------------------------------------------------------------------
class _EncodeOp(OpDef):
    differentiable = False
    dtypes_allowed = (dtypes.uint8,)

    def infer(self, op):
        image = op.inputs[0]
        if image.dtype not in self.dtypes_allowed:
            raise TypeError("Value passed to parameter 'image' has DataType %s not in list of allowed values: "
                            "%s" % (image.dtype.name, ", ".join(d.name for d in self.dtypes_allowed)))
        if image.shape.ndims not in (None, 3):
            raise ValueError("Shape must be rank 3 but is rank %d for '%s' (image shape %s)"
                             % (image.shape.ndims, self.type, image.shape))
        return [(dtypes.string, TensorShape([]))]

    def check_image(self, op, image, channel_counts):
        if image.ndim != 3 or image.shape[2] not in channel_counts:
            raise errors.InvalidArgumentError(None, op, "image must be 3-dimensional with %s channels, got shape "
                                              "%s" % (_one_of(channel_counts), list(image.shape)))


@register
class EncodePng(_EncodeOp):
    """PNG bytes of a [height, width, channels] uint8 or uint16 image."""

    dtypes_allowed = (dtypes.uint8, dtypes.uint16)

    def kernel(self, op, ctx):
        compression = op.attrs["compression"]
        if not -1 <= compression <= 9:
            raise errors.InvalidArgumentError(None, op, "compression must be in [-1, 9], got %d" % compression)

        def encode(image):
            image = np.asarray(image)
            self.check_image(op, image, (1, 2, 3, 4))
            return string_scalar(png_encode(image, compression))
        return encode


@register
class EncodeJpeg(_EncodeOp):
    """JPEG bytes of a [height, width, channels] uint8 image (1 or 3 channels)."""

    def kernel(self, op, ctx):
        _pillow_image()
        attrs = op.attrs
        fmt = attrs["format"]
        if fmt not in ("", "grayscale", "rgb"):
            raise errors.InvalidArgumentError(None, op, "format must be '', 'grayscale' or 'rgb', got %r" % fmt)
        if not 0 <= attrs["quality"] <= 100:
            raise errors.InvalidArgumentError(None, op, "quality must be in [0,100], got %d" % attrs["quality"])
        dpi_scale = 2.54 if attrs["density_unit"] == "cm" else 1.0
        options = dict(quality=attrs["quality"], progressive=attrs["progressive"],
                       optimize=attrs["optimize_size"], subsampling=2 if attrs["chroma_downsampling"] else 0,
                       dpi=(attrs["x_density"] * dpi_scale, attrs["y_density"] * dpi_scale))
        if attrs["xmp_metadata"]:
            options["xmp"] = attrs["xmp_metadata"].encode("utf-8")

        def encode(image):
            image = np.asarray(image)
            wanted = {"": (1, 3), "grayscale": (1,), "rgb": (3,)}[fmt]
            self.check_image(op, image, wanted)
            Image = _pillow_image()
            picture = Image.fromarray(image[:, :, 0] if image.shape[2] == 1 else image,
                                      "L" if image.shape[2] == 1 else "RGB")
            buffer = io.BytesIO()
            picture.save(buffer, format="JPEG", **options)
            return string_scalar(buffer.getvalue())
        return encode


def encode_png(image, compression=-1, name=None):
    """`tf.image.encode_png(image, compression=-1)`: a [height, width, channels] uint8 or uint16 image
    (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA) as a PNG-encoded scalar string; `compression` is zlib's level
    (-1 its default, 0 none to 9 smallest)."""
    image = convert_to_tensor(image, name="image")
    return make_tensor("EncodePng", [image], {"compression": int(compression)}, name=name or "EncodePng")


def encode_jpeg(image, format="", quality=95, progressive=False, optimize_size=False,  # noqa: A002
                chroma_downsampling=True, density_unit="in", x_density=300, y_density=300, xmp_metadata="",
                name=None):
    """`tf.image.encode_jpeg(image, format='', quality=95, ...)`: a [height, width, channels] uint8 image
    (1 or 3 channels; `format` 'grayscale' or 'rgb' demands one) as a JPEG-encoded scalar string."""
    image = convert_to_tensor(image, name="image")
    attrs = dict(format=format, quality=int(quality), progressive=bool(progressive),
                 optimize_size=bool(optimize_size), chroma_downsampling=bool(chroma_downsampling),
                 density_unit=density_unit, x_density=int(x_density), y_density=int(y_density),
                 xmp_metadata=xmp_metadata)
    return make_tensor("EncodeJpeg", [image], attrs, name=name or "EncodeJpeg")


# --- resizing: one [out, in] weight matrix per axis ----------------------------------------------------
def _resize_scale(in_size, out_size, align_corners):
    """TF's float32 step between output pixels in input coordinates."""
    if align_corners and out_size > 1:
        return np.float32(in_size - 1) / np.float32(out_size - 1)
    return np.float32(in_size) / np.float32(out_size)


def _sample_positions(in_size, out_size, align_corners, half_pixel, shift):
    """Input coordinates (float32) of the output pixels; `shift` is -0.5 for interpolating methods
    under half_pixel_centers (pixel centres map to centres) and 0 for nearest neighbour."""
    scale = _resize_scale(in_size, out_size, align_corners)
    index = np.arange(out_size, dtype=np.float32)
    if half_pixel:
        return (index + np.float32(0.5)) * scale + np.float32(shift)
    return index * scale


def _matrix_from_taps(indices, weights, in_size):
    """The [out, in] matrix with weights[o, k] at column indices[o, k] (repeated columns add up)."""
    out_size = indices.shape[0]
    matrix = np.zeros((out_size, in_size), dtype=np.float64)
    rows = np.repeat(np.arange(out_size), indices.shape[1])
    np.add.at(matrix, (rows, indices.reshape(-1)), weights.reshape(-1))
    return matrix


def _nearest_indices(in_size, out_size, align_corners, half_pixel):
    positions = _sample_positions(in_size, out_size, align_corners, half_pixel, 0.0)
    # align_corners rounds halves away from zero (C's roundf), else the position is floored.
    chosen = np.floor(positions + np.float32(0.5)) if align_corners else np.floor(positions)
    return np.clip(chosen.astype(np.int64), 0, in_size - 1)


def _bilinear_matrix(in_size, out_size, align_corners, half_pixel):
    positions = _sample_positions(in_size, out_size, align_corners, half_pixel, -0.5)
    lower_float = np.floor(positions)
    fraction = (positions - lower_float).astype(np.float64)
    lower = np.clip(lower_float.astype(np.int64), 0, in_size - 1)
    upper = np.minimum(np.ceil(positions).astype(np.int64) if half_pixel else lower + 1, in_size - 1)
    return _matrix_from_taps(np.stack([lower, upper], 1), np.stack([1 - fraction, fraction], 1), in_size)


def _cubic_weights(distance, a):
    """Keys' cubic convolution kernel with parameter `a` at the given distances."""
    distance = np.abs(distance)
    near = ((a + 2) * distance - (a + 3)) * distance * distance + 1
    far = ((a * distance - 5 * a) * distance + 8 * a) * distance - 4 * a
    return np.where(distance <= 1, near, np.where(distance < 2, far, 0.0))


_CUBIC_TABLE_SIZE = 1024


def _bicubic_matrix(in_size, out_size, align_corners, half_pixel):
    positions = _sample_positions(in_size, out_size, align_corners, half_pixel, -0.5)
    base = np.floor(positions)
    # TF tabulates the kernel at 1/1024 steps: the fraction is rounded to the nearest step.
    fraction = np.round((positions - base).astype(np.float64) * _CUBIC_TABLE_SIZE)[:, None] / _CUBIC_TABLE_SIZE
    offsets = np.arange(-1, 3)
    taps = base.astype(np.int64)[:, None] + offsets
    if half_pixel:
        # Keys' a = -0.5; taps outside the image are dropped and the rest renormalised.
        weights = _cubic_weights(offsets - fraction, -0.5)
        inside = (taps >= 0) & (taps < in_size)
        weights = np.where(inside, weights, 0.0)
        weights /= weights.sum(axis=1, keepdims=True)
    else:
        # The legacy kernel: a = -0.75 with the taps clamped to the edge.
        weights = _cubic_weights(offsets - fraction, -0.75)
    return _matrix_from_taps(np.clip(taps, 0, in_size - 1), weights, in_size)


def _area_matrix(in_size, out_size, align_corners, half_pixel):
    """Each output pixel averages the input over [y * scale, (y + 1) * scale), weighting each input
    pixel by its overlap; the span past the last pixel (align_corners) counts as the last pixel."""
    scale = _resize_scale(in_size, out_size, align_corners)
    starts = np.arange(out_size, dtype=np.float32) * scale
    ends = np.arange(1, out_size + 1, dtype=np.float32) * scale
    columns = np.arange(int(math.ceil(float(ends[-1]))) + 1)
    overlap = (np.minimum(columns + 1.0, ends.astype(np.float64)[:, None])
               - np.maximum(columns, starts.astype(np.float64)[:, None]))
    overlap = np.maximum(overlap, 0.0)
    matrix = overlap[:, :in_size].copy()
    matrix[:, in_size - 1] += overlap[:, in_size:].sum(axis=1)
    return matrix / float(scale)


_WEIGHT_MATRICES = {"ResizeBilinear": _bilinear_matrix, "ResizeBicubic": _bicubic_matrix,
                    "ResizeArea": _area_matrix}


def _resize_matrices(op_type, op, xp=np):
    """A function (in_h, in_w, out_h, out_w) -> (height matrix, width matrix), cached per size, as
    arrays of module `xp` (the op's device)."""
    build = _WEIGHT_MATRICES[op_type]
    align_corners = op.attrs["align_corners"]
    half_pixel = op.attrs.get("half_pixel_centers", False)
    return _cached_matrices(lambda size_in, size_out: build(size_in, size_out, align_corners, half_pixel), xp)


def _cached_matrices(build, xp):
    cache = {}

    def matrices(in_h, in_w, out_h, out_w):
        key = (in_h, in_w, out_h, out_w)
        if key not in cache:
            cache[key] = (xp.asarray(build(in_h, out_h)), xp.asarray(build(in_w, out_w)))
        return cache[key]
    return matrices


def _apply_separable(images, height_matrix, width_matrix):
    """out[b, i, j, c] = sum over y, x of H[i, y] W[j, x] images[b, y, x, c]."""
    batch, height, width, channels = images.shape
    rows = np.matmul(height_matrix, images.reshape(batch, height, width * channels))
    return np.matmul(width_matrix, rows.reshape(batch, height_matrix.shape[0], width, channels))


def _output_size(op, size):
    size = [int(s) for s in np.reshape(size, [-1])]
    if len(size) != 2:
        raise errors.InvalidArgumentError(None, op, "shape_t must be 1-dimensional with 2 elements, got %s" % size)
    if size[0] <= 0 or size[1] <= 0:
        raise errors.InvalidArgumentError(None, op, "output dimensions must be positive, got %s" % size)
    return size


def _check_resize_attrs(op):
    if op.attrs.get("half_pixel_centers", False) and op.attrs["align_corners"]:
        raise errors.InvalidArgumentError(None, op, "If half_pixel_centers is True, align_corners must be False.")


def _check_input_size(op, images):
    if images.shape[1] == 0 or images.shape[2] == 0:
        raise errors.InvalidArgumentError(None, op, "input image must be of non-zero size, got shape %s"
                                          % list(images.shape))


_RESIZABLE = (dtypes.int8, dtypes.uint8, dtypes.int16, dtypes.uint16, dtypes.int32, dtypes.int64,
              dtypes.float16, dtypes.float32, dtypes.float64)


class _ResizeOp(OpDef):
    """images [batch, height, width, channels] resized to `size` = [new_height, new_width]."""

    grad_type = None
    host_inputs = (1,)

    def output_dtype(self, images):
        return dtypes.float32

    def infer(self, op):
        images, size = op.inputs
        if images.dtype not in _RESIZABLE:
            raise TypeError("Value passed to parameter 'images' has DataType %s not in list of allowed values: "
                            "%s" % (images.dtype.name, ", ".join(d.name for d in _RESIZABLE)))
        if images.shape.ndims not in (None, 4):
            raise ValueError("Shape must be rank 4 but is rank %d for '%s' (images shape %s)"
                             % (images.shape.ndims, self.type, images.shape))
        if size.dtype is not dtypes.int32:
            raise TypeError("Input 'size' of '%s' Op has type %s that does not match expected type of int32."
                            % (self.type, size.dtype.name))
        if size.shape.ndims is not None and (size.shape.ndims != 1 or size.shape[0].value not in (None, 2)):
            raise ValueError("Shape of 'size' of '%s' must be [2], got %s" % (self.type, size.shape))
        from .array import _static_partial
        new_size = _static_partial(size) or [None, None]
        batch_and_channels = images.shape.as_list() if images.shape.ndims == 4 else [None] * 4
        shape = TensorShape([batch_and_channels[0]] + new_size + [batch_and_channels[3]])
        return [(self.output_dtype(images), shape)]

    def kernel(self, op, ctx):
        _check_resize_attrs(op)
        matrices = _resize_matrices(self.type, op, ctx.xp)

        def resize(images, size):
            out_h, out_w = _output_size(op, size)
            _check_input_size(op, images)
            height_matrix, width_matrix = matrices(images.shape[1], images.shape[2], out_h, out_w)
            compute = np.float64 if images.dtype == np.float64 else np.float32
            result = _apply_separable(images.astype(compute, copy=False), height_matrix.astype(compute),
                                      width_matrix.astype(compute))
            return result.astype(np.float32, copy=False)
        return resize

    def grad(self, op, dy):
        images = op.inputs[0]
        if not images.dtype.is_floating:
            return [None, None]
        return [make_tensor(self.grad_type, [dy, images], dict(op.attrs)), None]


@register
class ResizeBilinear(_ResizeOp):
    """Bilinear interpolation of the two nearest input pixels along each axis; float32 output."""

    grad_type = "ResizeBilinearGrad"


@register
class ResizeBicubic(_ResizeOp):
    """Cubic convolution of the four nearest input pixels along each axis; float32 output."""

    grad_type = "ResizeBicubicGrad"


@register
class ResizeArea(_ResizeOp):
    """Each output pixel the overlap-weighted mean of the input pixels its area covers; float32 output.
    No gradient, as in TF."""

    grad = OpDef.grad


@register
class ResizeNearestNeighbor(_ResizeOp):
    """Each output pixel a copy of the input pixel its position falls in; keeps the dtype."""

    grad_type = "ResizeNearestNeighborGrad"

    def output_dtype(self, images):
        return images.dtype

    def kernel(self, op, ctx):
        _check_resize_attrs(op)
        align_corners = op.attrs["align_corners"]
        half_pixel = op.attrs.get("half_pixel_centers", False)
        xp = ctx.xp

        def resize(images, size):
            out_h, out_w = _output_size(op, size)
            _check_input_size(op, images)
            rows = xp.asarray(_nearest_indices(images.shape[1], out_h, align_corners, half_pixel))
            columns = xp.asarray(_nearest_indices(images.shape[2], out_w, align_corners, half_pixel))
            return images[:, rows][:, :, columns]
        return resize


class _ResizeGradOp(OpDef):
    """The gradient of a resize with respect to its images: the transposed weight matrices applied to
    the output gradient, as the original images' dtype."""

    differentiable = False
    forward_type = None

    def infer(self, op):
        grads, original = op.inputs
        return [(original.dtype, original.shape)]

    def matrices(self, op, xp):
        return _resize_matrices(self.forward_type, op, xp)

    def kernel(self, op, ctx):
        matrices = self.matrices(op, ctx.xp)

        def resize_grad(grads, original):
            height_matrix, width_matrix = matrices(original.shape[1], original.shape[2], grads.shape[1],
                                                   grads.shape[2])
            result = _apply_separable(grads.astype(np.float64, copy=False), height_matrix.T, width_matrix.T)
            return result.astype(original.dtype, copy=False)
        return resize_grad


@register
class ResizeBilinearGrad(_ResizeGradOp):
    """The gradient of ResizeBilinear."""

    forward_type = "ResizeBilinear"


@register
class ResizeBicubicGrad(_ResizeGradOp):
    """The gradient of ResizeBicubic."""

    forward_type = "ResizeBicubic"


@register
class ResizeNearestNeighborGrad(_ResizeGradOp):
    """The gradient of ResizeNearestNeighbor: each output gradient added to the pixel it copied."""

    def matrices(self, op, xp):
        align_corners = op.attrs["align_corners"]
        half_pixel = op.attrs.get("half_pixel_centers", False)

        def one_hot(in_size, out_size):
            chosen = _nearest_indices(in_size, out_size, align_corners, half_pixel)
            return _matrix_from_taps(chosen[:, None], np.ones((out_size, 1)), in_size)
        return _cached_matrices(one_hot, xp)


class ResizeMethod:
    """`tf.image.ResizeMethod`: the `method` argument of `tf.image.resize_images`."""

    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


_RESIZE_OPS = {ResizeMethod.BILINEAR: "ResizeBilinear", ResizeMethod.NEAREST_NEIGHBOR: "ResizeNearestNeighbor",
               ResizeMethod.BICUBIC: "ResizeBicubic", ResizeMethod.AREA: "ResizeArea"}


def _size_tensor(size):
    if is_tensor_like(size):
        size = convert_to_tensor(size, name="size")
    else:
        size = convert_to_tensor(np.asarray(size, dtype=np.int32) if not isinstance(size, np.ndarray) or
                                 size.dtype.kind in "iu" else size, name="size")
    if size.dtype is not dtypes.int32:
        raise ValueError("'size' must be a 1-D int32 Tensor")
    if size.shape.ndims is not None and size.shape.as_list() not in ([2], [None]):
        raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
    return size


def _resize_op(op_type, images, size, align_corners, half_pixel_centers, name):
    images = convert_to_tensor(images, name="images")
    attrs = {"align_corners": bool(align_corners)}
    if op_type != "ResizeArea":
        attrs["half_pixel_centers"] = bool(half_pixel_centers)
    return make_tensor(op_type, [images, _size_tensor(size)], attrs, name=name or op_type)


def resize_bilinear(images, size, align_corners=False, name=None, half_pixel_centers=False):
    """`tf.image.resize_bilinear(images, size, align_corners=False, half_pixel_centers=False)`:
    [batch, height, width, channels] images resized to `size` by bilinear interpolation (float32)."""
    return _resize_op("ResizeBilinear", images, size, align_corners, half_pixel_centers, name)


def resize_nearest_neighbor(images, size, align_corners=False, name=None, half_pixel_centers=False):
    """`tf.image.resize_nearest_neighbor(images, size, align_corners=False, half_pixel_centers=False)`:
    4-D images resized to `size` by copying the nearest pixel; keeps the dtype."""
    return _resize_op("ResizeNearestNeighbor", images, size, align_corners, half_pixel_centers, name)


def resize_bicubic(images, size, align_corners=False, name=None, half_pixel_centers=False):
    """`tf.image.resize_bicubic(images, size, align_corners=False, half_pixel_centers=False)`: 4-D
    images resized to `size` by cubic convolution (float32)."""
    return _resize_op("ResizeBicubic", images, size, align_corners, half_pixel_centers, name)


def resize_area(images, size, align_corners=False, name=None):
    """`tf.image.resize_area(images, size, align_corners=False)`: 4-D images resized to `size`, each
    output pixel the area-weighted mean of the input pixels it covers (float32; no gradient)."""
    return _resize_op("ResizeArea", images, size, align_corners, False, name)


def _as_batch(image, what="image"):
    """(4-D image, was_3d): a 3-D image gets a batch dimension; ValueError for other ranks."""
    image = convert_to_tensor(image, name=what)
    rank = image.shape.ndims
    if rank is None:
        raise ValueError("'%s' contains no shape." % what)
    if rank not in (3, 4):
        raise ValueError("'%s' (shape %s) must have either 3 or 4 dimensions." % (what, image.shape))
    if rank == 3:
        from .array import expand_dims
        return expand_dims(image, 0), True
    return image, False


def _unbatch(image, was_3d):
    if not was_3d:
        return image
    from .array import squeeze
    return squeeze(image, axis=[0])


def _aspect_preserving_size(images, size):
    """The largest size within `size` with the images' aspect ratio (TF's float32 arithmetic,
    rounded): a constant when everything is static, else computed in the graph."""
    from .array import _static_int_list, shape, stack
    from .math import cast, minimum, round as round_
    target = _static_int_list(size)
    height, width = images.shape.as_list()[1:3]
    if target is not None and height is not None and width is not None:
        factor = min(np.float32(target[0]) / np.float32(height), np.float32(target[1]) / np.float32(width))
        return [int(np.round(np.float32(factor) * np.float32(height))),
                int(np.round(np.float32(factor) * np.float32(width)))]
    dims = cast(shape(images)[1:3], dtypes.float32)
    target = cast(size, dtypes.float32)
    factor = minimum(target[0] / dims[0], target[1] / dims[1])
    return stack([cast(round_(factor * dims[0]), dtypes.int32), cast(round_(factor * dims[1]), dtypes.int32)])


def resize_images(images, size, method=ResizeMethod.BILINEAR, align_corners=False, preserve_aspect_ratio=False,
                  name=None):
    """`tf.image.resize_images(images, size, method=ResizeMethod.BILINEAR, align_corners=False,
    preserve_aspect_ratio=False)`: a 3-D [height, width, channels] or 4-D [batch, height, width,
    channels] image resized to `size` = [new_height, new_width] by `method`. The result is float32,
    except for NEAREST_NEIGHBOR (which keeps the dtype) and when the static size already matches (the
    images are returned unchanged). With `preserve_aspect_ratio` the image is scaled to the largest
    size that fits within `size`."""
    with name_scope(name, "resize_images", [images, size]):
        batch, was_3d = _as_batch(images, "images")
        size = _size_tensor(size)
        if method not in _RESIZE_OPS:
            raise ValueError("Resize method is not implemented.")
        if preserve_aspect_ratio:
            size = _size_tensor(_aspect_preserving_size(batch, size))
        from .array import _static_int_list
        target = _static_int_list(size)
        if target is not None and batch.shape.as_list()[1:3] == target:
            return convert_to_tensor(images)
        resized = _resize_op(_RESIZE_OPS[method], batch, size, align_corners, False, None)
        return _unbatch(resized, was_3d)


resize = resize_images


# --- flips, rotations, transposition -------------------------------------------------------------------
def _image_rank(image, ranks=(3, 4)):
    """The static rank of an image tensor; ValueError unless it is one of `ranks`."""
    rank = image.shape.ndims
    if rank is None or rank not in ranks:
        raise ValueError("'image' (shape %s) must have either %s dimensions."
                         % (image.shape, " or ".join(str(r) for r in ranks)))
    return rank


def _flip(image, axis_from_end, name):
    from .array import reverse
    image = convert_to_tensor(image, name="image")
    rank = _image_rank(image)
    return reverse(image, [rank - axis_from_end], name=name)


def flip_left_right(image):
    """`tf.image.flip_left_right(image)`: a 3-D or 4-D image mirrored along its width."""
    return _flip(image, 2, "flip_left_right")


def flip_up_down(image):
    """`tf.image.flip_up_down(image)`: a 3-D or 4-D image mirrored along its height."""
    return _flip(image, 3, "flip_up_down")


def _random_flip(image, axis_from_end, seed, scope_name):
    from .array import reverse
    from .math import less, where
    from .random import random_uniform
    with name_scope(None, scope_name, [image]) as scope:
        image = convert_to_tensor(image, name="image")
        rank = _image_rank(image)
        flipped = reverse(image, [rank - axis_from_end])
        if rank == 3:
            coin = random_uniform([], 0, 1.0, seed=seed)
        else:   # each image of the batch decides on its own
            from .array import shape
            coin = random_uniform(shape(image)[:1], 0, 1.0, seed=seed)
        return where(less(coin, 0.5), flipped, image, name=scope)


def random_flip_left_right(image, seed=None):
    """`tf.image.random_flip_left_right(image, seed=None)`: the image mirrored along its width with
    probability 1/2 (each image of a 4-D batch independently)."""
    return _random_flip(image, 2, seed, "random_flip_left_right")


def random_flip_up_down(image, seed=None):
    """`tf.image.random_flip_up_down(image, seed=None)`: the image mirrored along its height with
    probability 1/2 (each image of a 4-D batch independently)."""
    return _random_flip(image, 3, seed, "random_flip_up_down")


def transpose_image(image):
    """`tf.image.transpose_image(image)`: height and width swapped (3-D or 4-D)."""
    from .array import transpose
    image = convert_to_tensor(image, name="image")
    rank = _image_rank(image)
    return transpose(image, [1, 0, 2] if rank == 3 else [0, 2, 1, 3], name="transpose_image")


def _rotate_quarters(image, quarters, rank):
    """The image rotated counter-clockwise by a static number of quarter turns."""
    from .array import reverse, transpose
    height, width = rank - 3, rank - 2
    perm = [1, 0, 2] if rank == 3 else [0, 2, 1, 3]
    quarters %= 4
    if quarters == 0:
        return image
    if quarters == 1:
        return transpose(reverse(image, [width]), perm)
    if quarters == 2:
        return reverse(image, [height, width])
    return reverse(transpose(image, perm), [width])


def rot90(image, k=1, name=None):
    """`tf.image.rot90(image, k=1)`: a 3-D or 4-D image rotated counter-clockwise by k quarter turns
    (k an int or a scalar int32 tensor)."""
    from .array import _static_scalar
    with name_scope(name, "rot90", [image, k]) as scope:
        image = convert_to_tensor(image, name="image")
        rank = _image_rank(image)
        static_k = k if isinstance(k, (int, np.integer)) else _static_scalar(convert_to_tensor(k, dtype=dtypes.int32))
        if static_k is not None:
            from .control import identity
            return identity(_rotate_quarters(image, int(static_k), rank), name=scope)
        from .control import cond
        from .math import equal, floormod
        quarters = floormod(convert_to_tensor(k, dtype=dtypes.int32, name="k"), 4)

        def branch(turns):
            return lambda: _rotate_quarters(image, turns, rank)
        return cond(equal(quarters, 0), branch(0),
                    lambda: cond(equal(quarters, 1), branch(1),
                                 lambda: cond(equal(quarters, 2), branch(2), branch(3))), name=scope)


# --- crops and pads --------------------------------------------------------------------------------
def _dims(image):
    """The image's dimensions: ints where statically known, scalar int32 tensors elsewhere."""
    from .array import shape
    static = image.shape.as_list()
    dynamic = shape(image) if None in static else None
    return [d if d is not None else dynamic[i] for i, d in enumerate(static)]


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _static_int(value):
    """A Python int for an int or a constant scalar tensor, else the value (a tensor) itself."""
    from .array import _static_scalar
    if _is_int(value):
        return int(value)
    tensor = convert_to_tensor(value, dtype=dtypes.int32)
    known = _static_scalar(tensor)
    return tensor if known is None else known


def _check(condition_known, message):
    """ValueError(message) when a statically known condition is False (unknown ones pass here; the
    slice or pad that follows checks them at run time)."""
    if condition_known is False:
        raise ValueError(message)


def _known(*values):
    return all(_is_int(v) for v in values)


def _int_vector(values):
    """A list of ints, or a stacked int32 tensor when some entries are tensors."""
    if all(_is_int(v) for v in values):
        return [int(v) for v in values]
    from .array import stack
    return stack([convert_to_tensor(v, dtype=dtypes.int32) for v in values])


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """`tf.image.crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width)`:
    the [target_height, target_width] window of a 3-D or 4-D image whose top-left corner is at
    (offset_height, offset_width)."""
    from .array import slice as slice_
    with name_scope(None, "crop_to_bounding_box", [image]):
        batch, was_3d = _as_batch(image)
        _, height, width, _ = _dims(batch)
        offset_height, offset_width, target_height, target_width = (
            _static_int(v) for v in (offset_height, offset_width, target_height, target_width))
        if _known(offset_width):
            _check(offset_width >= 0, "offset_width must be >= 0.")
        if _known(offset_height):
            _check(offset_height >= 0, "offset_height must be >= 0.")
        if _known(target_width):
            _check(target_width > 0, "target_width must be > 0.")
        if _known(target_height):
            _check(target_height > 0, "target_height must be > 0.")
        if _known(width, target_width, offset_width):
            _check(width >= target_width + offset_width, "width must be >= target + offset.")
        if _known(height, target_height, offset_height):
            _check(height >= target_height + offset_height, "height must be >= target + offset.")
        cropped = slice_(batch, _int_vector([0, offset_height, offset_width, 0]),
                         _int_vector([-1, target_height, target_width, -1]))
        return _unbatch(cropped, was_3d)


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """`tf.image.pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width)`:
    a 3-D or 4-D image placed at (offset_height, offset_width) in a zero canvas of
    [target_height, target_width]."""
    from .array import pad, stack
    with name_scope(None, "pad_to_bounding_box", [image]):
        batch, was_3d = _as_batch(image)
        _, height, width, _ = _dims(batch)
        offset_height, offset_width, target_height, target_width = (
            _static_int(v) for v in (offset_height, offset_width, target_height, target_width))
        after_height = target_height - offset_height - height
        after_width = target_width - offset_width - width
        if _known(offset_height):
            _check(offset_height >= 0, "offset_height must be >= 0")
        if _known(offset_width):
            _check(offset_width >= 0, "offset_width must be >= 0")
        if _known(after_width):
            _check(after_width >= 0, "width must be <= target - offset")
        if _known(after_height):
            _check(after_height >= 0, "height must be <= target - offset")
        rows = [[0, 0], [offset_height, after_height], [offset_width, after_width], [0, 0]]
        if not all(_known(*row) for row in rows):
            rows = stack([_int_vector(row) if not _known(*row) else convert_to_tensor(row, dtype=dtypes.int32)
                          for row in rows])
        return _unbatch(pad(batch, rows), was_3d)


def _maximum(a, b):
    if _known(a, b):
        return max(a, b)
    from .math import maximum
    return maximum(a, b)


def _minimum(a, b):
    if _known(a, b):
        return min(a, b)
    from .math import minimum
    return minimum(a, b)


def resize_image_with_crop_or_pad(image, target_height, target_width):
    """`tf.image.resize_image_with_crop_or_pad(image, target_height, target_width)`: a 3-D or 4-D image
    centrally cropped and/or zero-padded to [target_height, target_width] (no scaling)."""
    with name_scope(None, "resize_image_with_crop_or_pad", [image]):
        image = convert_to_tensor(image, name="image")
        _image_rank(image)
        target_height, target_width = _static_int(target_height), _static_int(target_width)
        if _known(target_width):
            _check(target_width > 0, "target_width must be > 0.")
        if _known(target_height):
            _check(target_height > 0, "target_height must be > 0.")
        height, width = _dims(image)[-3:-1]
        height_diff = target_height - height
        width_diff = target_width - width
        cropped = crop_to_bounding_box(image, _maximum(-height_diff // 2, 0), _maximum(-width_diff // 2, 0),
                                       _minimum(target_height, height), _minimum(target_width, width))
        return pad_to_bounding_box(cropped, _maximum(height_diff // 2, 0), _maximum(width_diff // 2, 0),
                                   target_height, target_width)


resize_with_crop_or_pad = resize_image_with_crop_or_pad


def central_crop(image, central_fraction):
    """`tf.image.central_crop(image, central_fraction)`: the central part of a 3-D or 4-D image keeping
    `central_fraction` (in (0, 1]) of each of height and width; the offset is rounded down and the
    window keeps equal margins."""
    from .math import cast
    with name_scope(None, "central_crop", [image]):
        image = convert_to_tensor(image, name="image")
        if not 0.0 < central_fraction <= 1.0:
            raise ValueError("central_fraction must be within (0, 1]")
        if central_fraction == 1.0:
            return image
        _image_rank(image)
        height, width = _dims(image)[-3:-1]

        def start(size):
            if _is_int(size):
                return int((size - size * central_fraction) / 2)
            size = cast(size, dtypes.float64)
            return cast((size - size * central_fraction) / 2, dtypes.int32)
        top, left = start(height), start(width)
        return crop_to_bounding_box(image, top, left, height - top * 2, width - left * 2)


# --- dtype conversion and standardisation -------------------------------------------------------------
def _saturate_cast(value, dtype):
    """`value` cast to `dtype`, clamped first to the range both dtypes can hold."""
    from .math import cast, clip_by_value
    low, high = max(value.dtype.min, dtype.min), min(value.dtype.max, dtype.max)
    if low > value.dtype.min or high < value.dtype.max:
        value = clip_by_value(value, np.array(low, value.dtype.np), np.array(high, value.dtype.np))
    return cast(value, dtype)


def convert_image_dtype(image, dtype, saturate=False, name=None):
    """`tf.image.convert_image_dtype(image, dtype, saturate=False)`: an image converted to `dtype`,
    rescaled so that floats in [0, 1) match integers in [0, MAX]: integer to integer shifts by the
    ratio of the ranges, integer to float divides by MAX, float to integer multiplies by MAX + 0.5 and
    truncates (clamped first when `saturate`). The same dtype returns the image."""
    from .math import cast, floordiv, multiply
    image = convert_to_tensor(image, name="image")
    dtype = dtypes.as_dtype(dtype)
    if not (image.dtype.is_floating or image.dtype.is_integer) or not (dtype.is_floating or dtype.is_integer):
        raise AttributeError("dtype must be either floating point or integer")
    if dtype is image.dtype:
        return image
    with name_scope(name, "convert_image", [image]):
        source = image.dtype
        if source.is_integer and dtype.is_integer:
            source_range, target_range = source.max + 1, dtype.max + 1
            if source_range > target_range:
                return cast(floordiv(image, np.array(source_range // target_range, source.np)), dtype)
            scaled = _saturate_cast(image, dtype) if saturate else cast(image, dtype)
            return multiply(scaled, np.array(target_range // source_range, dtype.np))
        if source.is_floating and dtype.is_floating:
            return cast(image, dtype)
        if source.is_integer:
            return multiply(cast(image, dtype), np.array(1.0 / source.max, dtype.np))
        scaled = multiply(image, np.array(dtype.max + 0.5, source.np))
        return _saturate_cast(scaled, dtype) if saturate else cast(scaled, dtype)


def per_image_standardization(image):
    """`tf.image.per_image_standardization(image)`: each 3-D image (of a 3-D or 4-D tensor) cast to
    float32 and scaled to zero mean and unit variance: (x - mean) / max(stddev, 1 / sqrt(num_pixels)),
    num_pixels counting all values of the image."""
    from .array import shape
    from .math import cast, maximum, reduce_mean, reduce_prod, rsqrt, sqrt, square, subtract, truediv
    from .nn import relu
    with name_scope(None, "per_image_standardization", [image]) as scope:
        image = convert_to_tensor(image, name="image")
        _image_rank(image)
        image = cast(image, dtypes.float32)
        static = image.shape.as_list()[-3:]
        count = (convert_to_tensor(float(np.prod(static)), dtypes.float32) if None not in static
                 else cast(reduce_prod(shape(image)[-3:]), dtypes.float32))
        mean = reduce_mean(image, axis=[-1, -2, -3], keepdims=True)
        variance = relu(reduce_mean(square(image), axis=[-1, -2, -3], keepdims=True) - square(mean))
        scale = maximum(sqrt(variance), rsqrt(count))
        return truediv(subtract(image, mean), scale, name=scope)


# --- colour --------------------------------------------------------------------------------------------
_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)


def _to_float(image):
    """(float image, original dtype): float images as they are, integer ones scaled to float32 in [0, 1]."""
    image = convert_to_tensor(image, name="image")
    if image.dtype in _FLOATS:
        return image, image.dtype
    return convert_image_dtype(image, dtypes.float32), image.dtype


class _ColorSpaceOp(OpDef):
    """A conversion of the last dimension (3 values) of a float tensor; no gradient, as in TF1."""

    differentiable = False
    convert = None

    def infer(self, op):
        images = op.inputs[0]
        if images.dtype not in _FLOATS:
            raise TypeError("Value passed to parameter 'images' has DataType %s not in list of allowed values: "
                            "float16, float32, float64" % images.dtype.name)
        if images.shape.ndims == 0:
            raise ValueError("Shape must be at least rank 1 but is rank 0 for '%s'" % self.type)
        if images.shape.ndims is not None and images.shape[-1].value not in (None, 3):
            raise ValueError("Dimension must be 3 but is %d for '%s' (images shape %s)"
                             % (images.shape[-1].value, self.type, images.shape))
        return [(images.dtype, images.shape)]

    def kernel(self, op, ctx):
        convert = type(self).convert

        def run(images):
            if images.shape[-1] != 3:
                raise errors.InvalidArgumentError(None, op, "input must have 3 channels but input only has %d "
                                                  "channels." % images.shape[-1])
            return convert(images.astype(np.float64)).astype(images.dtype, copy=False)
        return run


def _rgb_to_hsv_values(rgb):
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    value = rgb.max(axis=-1)
    spread = value - rgb.min(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        saturation = np.where(value > 0, spread / value, 0.0)
        # The sector is chosen by which channel is largest, red first, then green.
        hue = np.where(value == red, (green - blue) / spread,
                       np.where(value == green, (blue - red) / spread + 2, (red - green) / spread + 4))
    hue = np.where(spread > 0, hue / 6.0, 0.0)
    hue = np.where(hue < 0, hue + 1.0, hue)
    return np.stack([hue, saturation, value], axis=-1)


def _hsv_to_rgb_values(hsv):
    hue, saturation, value = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    sector_position = np.mod(hue, 1.0) * 6.0
    sector = np.floor(sector_position)
    fraction = sector_position - sector
    low = value * (1 - saturation)
    falling = value * (1 - saturation * fraction)
    rising = value * (1 - saturation * (1 - fraction))
    sector = sector.astype(np.int64) % 6
    red = np.choose(sector, [value, falling, low, low, rising, value])
    green = np.choose(sector, [rising, value, value, falling, low, low])
    blue = np.choose(sector, [low, low, rising, value, value, falling])
    return np.stack([red, green, blue], axis=-1)


@register
class RGBToHSV(_ColorSpaceOp):
    """RGB in [0, 1] to hue, saturation and value, all in [0, 1]."""

    convert = staticmethod(_rgb_to_hsv_values)


@register
class HSVToRGB(_ColorSpaceOp):
    """Hue, saturation and value in [0, 1] to RGB."""

    convert = staticmethod(_hsv_to_rgb_values)


def rgb_to_hsv(images, name=None):
    """`tf.image.rgb_to_hsv(images)`: float RGB values in [0, 1] (last dimension 3) as HSV, each
    component in [0, 1]; hue 0 is red."""
    return make_tensor("RGBToHSV", [convert_to_tensor(images, name="images")], name=name or "RGBToHSV")


def hsv_to_rgb(images, name=None):
    """`tf.image.hsv_to_rgb(images)`: float HSV values in [0, 1] (last dimension 3) as RGB."""
    return make_tensor("HSVToRGB", [convert_to_tensor(images, name="images")], name=name or "HSVToRGB")


def rgb_to_grayscale(images, name=None):
    """`tf.image.rgb_to_grayscale(images)`: the luma 0.2989 R + 0.5870 G + 0.1140 B of RGB images,
    with a last dimension of 1, in the images' dtype."""
    from .math import reduce_sum
    with name_scope(name, "rgb_to_grayscale", [images]) as scope:
        flt, original = _to_float(images)
        weights = np.array([0.2989, 0.5870, 0.1140], dtype=flt.dtype.np)
        gray = reduce_sum(flt * weights, axis=-1, keepdims=True)
        return convert_image_dtype(gray, original, name=scope)


def grayscale_to_rgb(images, name=None):
    """`tf.image.grayscale_to_rgb(images)`: grayscale images (last dimension 1) with the gray value
    repeated into three RGB channels."""
    from .array import tile
    with name_scope(name, "grayscale_to_rgb", [images]) as scope:
        images = convert_to_tensor(images, name="images")
        rank = images.shape.ndims
        if rank is not None and rank < 2:
            raise ValueError("A grayscale image (shape %s) must be at least two-dimensional." % images.shape)
        if rank is not None and images.shape[-1].value not in (None, 1):
            raise ValueError("Last dimension of a grayscale image should be size 1.")
        if rank is None:
            raise ValueError("A grayscale image must have a known rank, got shape %s" % images.shape)
        return tile(images, [1] * (rank - 1) + [3], name=scope)


def _as_dtype(value, dtype):
    """`value` as a tensor of `dtype`: tensors are cast, Python numbers converted directly."""
    from .math import cast
    if is_tensor_like(value):
        return cast(value, dtype)
    return convert_to_tensor(value, dtype=dtype)


def _in_float(image, adjust, saturate, name, scope_name):
    """adjust(float image) converted back to the image's dtype."""
    with name_scope(name, scope_name, [image]) as scope:
        flt, original = _to_float(image)
        adjusted = adjust(flt)
        if original in _FLOATS:
            from .control import identity
            return identity(adjusted, name=scope)
        return convert_image_dtype(adjusted, original, saturate=saturate, name=scope)


def adjust_brightness(image, delta):
    """`tf.image.adjust_brightness(image, delta)`: `delta` added to an image in float [0, 1] scale
    (integer images are converted and converted back, saturating)."""
    from .math import add, cast
    return _in_float(image, lambda flt: add(flt, _as_dtype(delta, flt.dtype)), True, None, "adjust_brightness")


def adjust_contrast(images, contrast_factor):
    """`tf.image.adjust_contrast(images, contrast_factor)`: each channel of each image moved away from
    (or towards) its mean over height and width: (x - mean) * contrast_factor + mean."""
    from .math import cast, reduce_mean

    def adjust(flt):
        mean = reduce_mean(flt, axis=[-3, -2], keepdims=True)
        return (flt - mean) * _as_dtype(contrast_factor, flt.dtype) + mean
    return _in_float(images, adjust, True, None, "adjust_contrast")


def _map_hsv(image, change, name, scope_name):
    """RGB images through HSV: `change(hue, saturation, value)` returns the new three components."""
    from .array import stack, unstack

    def adjust(flt):
        hue, saturation, value = unstack(rgb_to_hsv(flt), axis=-1)
        return hsv_to_rgb(stack(change(hue, saturation, value), axis=-1))
    return _in_float(image, adjust, False, name, scope_name)


def adjust_saturation(image, saturation_factor, name=None):
    """`tf.image.adjust_saturation(image, saturation_factor)`: RGB images with their HSV saturation
    multiplied by `saturation_factor` (clipped to [0, 1])."""
    from .math import cast, clip_by_value

    def change(hue, saturation, value):
        factor = _as_dtype(saturation_factor, saturation.dtype)
        return [hue, clip_by_value(saturation * factor, np.array(0, saturation.dtype.np),
                                   np.array(1, saturation.dtype.np)), value]
    return _map_hsv(image, change, name, "adjust_saturation")


def adjust_hue(image, delta, name=None):
    """`tf.image.adjust_hue(image, delta)`: RGB images with `delta` (in [-1, 1]) added to their HSV hue,
    wrapping around the colour circle."""
    from .math import cast, floormod

    def change(hue, saturation, value):
        return [floormod(hue + _as_dtype(delta, hue.dtype), np.array(1, hue.dtype.np)), saturation, value]
    return _map_hsv(image, change, name, "adjust_hue")


def adjust_gamma(image, gamma=1, gain=1):
    """`tf.image.adjust_gamma(image, gamma=1, gain=1)`: gain * image ** gamma in float [0, 1] scale
    (integer images are converted and converted back, saturating); gamma must be non-negative."""
    from .math import cast, pow as pow_
    if not is_tensor_like(gamma) and gamma < 0:
        raise ValueError("Gamma should be a non-negative real number.")

    def adjust(flt):
        return _as_dtype(gain, flt.dtype) * pow_(flt, _as_dtype(gamma, flt.dtype))
    return _in_float(image, adjust, True, None, "adjust_gamma")


def _uniform_factor(low, high, seed):
    from .random import random_uniform
    return random_uniform([], low, high, seed=seed)


def random_brightness(image, max_delta, seed=None):
    """`tf.image.random_brightness(image, max_delta, seed=None)`: adjust_brightness by a delta drawn
    uniformly from [-max_delta, max_delta)."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_brightness(image, _uniform_factor(-max_delta, max_delta, seed))


def _check_factor_range(lower, upper):
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")


def random_contrast(image, lower, upper, seed=None):
    """`tf.image.random_contrast(image, lower, upper, seed=None)`: adjust_contrast by a factor drawn
    uniformly from [lower, upper)."""
    _check_factor_range(lower, upper)
    return adjust_contrast(image, _uniform_factor(lower, upper, seed))


def random_saturation(image, lower, upper, seed=None):
    """`tf.image.random_saturation(image, lower, upper, seed=None)`: adjust_saturation by a factor drawn
    uniformly from [lower, upper)."""
    _check_factor_range(lower, upper)
    return adjust_saturation(image, _uniform_factor(lower, upper, seed))


def random_hue(image, max_delta, seed=None):
    """`tf.image.random_hue(image, max_delta, seed=None)`: adjust_hue by a delta drawn uniformly from
    [-max_delta, max_delta); max_delta must be in [0, 0.5]."""
    if max_delta > 0.5:
        raise ValueError("max_delta must be <= 0.5.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_hue(image, _uniform_factor(-max_delta, max_delta, seed))


# --- image statistics ----------------------------------------------------------------------------------
def total_variation(images, name=None):
    """`tf.image.total_variation(images)`: the sum of the absolute differences of vertically and of
    horizontally neighbouring values: a scalar for a 3-D image, one per image ([batch]) for 4-D."""
    from .math import abs as abs_, add, reduce_sum
    with name_scope(name, "total_variation", [images]) as scope:
        images = convert_to_tensor(images, name="images")
        rank = images.shape.ndims
        if rank not in (3, 4):
            raise ValueError("'images' must be either 3 or 4-dimensional.")
        lead = (slice(None),) * (rank - 3)
        vertical = images[lead + (slice(1, None),)] - images[lead + (slice(None, -1),)]
        horizontal = images[lead + (slice(None), slice(1, None))] - images[lead + (slice(None), slice(None, -1))]
        axes = None if rank == 3 else [1, 2, 3]
        return add(reduce_sum(abs_(vertical), axis=axes), reduce_sum(abs_(horizontal), axis=axes), name=scope)


def image_gradients(image):
    """`tf.image.image_gradients(image)`: (dy, dx), the forward differences of a [batch, height,
    width, depth] image along height and width, zero in the last row (dy) and column (dx)."""
    from .array import pad
    image = convert_to_tensor(image, name="image")
    if image.shape.ndims != 4:
        raise ValueError("image_gradients expects a 4D tensor [batch_size, h, w, d], not %s." % image.shape)
    with name_scope(None, "image_gradients", [image]):
        dy = image[:, 1:] - image[:, :-1]
        dx = image[:, :, 1:] - image[:, :, :-1]
        return (pad(dy, [[0, 0], [0, 1], [0, 0], [0, 0]], name="dy"),
                pad(dx, [[0, 0], [0, 0], [0, 1], [0, 0]], name="dx"))


def psnr(a, b, max_val, name=None):
    """`tf.image.psnr(a, b, max_val)`: the peak signal-to-noise ratio 10 log10(max_val^2 / MSE) between
    images (over their last three dimensions), in float32; `max_val` is the images' dynamic range."""
    from .math import cast, log, reduce_mean, squared_difference, subtract
    with name_scope(name, "PSNR", [a, b]) as scope:
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b")
        if not a.shape.is_compatible_with(b.shape):
            raise ValueError("Shapes %s and %s are incompatible" % (a.shape, b.shape))
        max_val = convert_image_dtype(cast(max_val, a.dtype), dtypes.float32)
        a, b = convert_image_dtype(a, dtypes.float32), convert_image_dtype(b, dtypes.float32)
        mse = reduce_mean(squared_difference(a, b), axis=[-3, -2, -1])
        log10 = math.log(10.0)
        return subtract(log(max_val) * (20.0 / log10), log(mse) * (10.0 / log10), name=scope)
