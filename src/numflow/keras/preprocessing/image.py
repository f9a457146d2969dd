"""`tf.keras.preprocessing.image`: image files to arrays (Pillow), random augmentation and
standardization (`ImageDataGenerator`), and batch iterators over arrays and folders.

The affine augmentations (rotation, shifts, shear, zoom) resample with bilinear interpolation in NumPy;
points that map outside the image are filled by `fill_mode`: 'nearest' (edge pixel), 'constant'
(`cval`), 'reflect' (mirror, edge included) or 'wrap' (periodic with the first and last pixels
overlapping, as SciPy's ndimage which Keras calls). The transform is applied about (h / 2 + 0.5,
w / 2 + 0.5), TF 1.15's keras_preprocessing centre.
"""
import os
import threading
import warnings

import numpy as np

from ..._install_hints import pip_hint
from ..backend import floatx, image_data_format
from ..utils.data_utils import Sequence

__all__ = ["load_img", "img_to_array", "array_to_img", "save_img", "ImageDataGenerator", "Iterator",
           "NumpyArrayIterator", "DirectoryIterator", "apply_affine_transform", "apply_channel_shift",
           "apply_brightness_shift", "flip_axis", "random_rotation", "random_shift", "random_shear", "random_zoom",
           "random_channel_shift", "random_brightness", "transform_matrix_offset_center", "list_pictures"]

_IMAGE_EXTENSIONS = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("Image loading and saving need Pillow: " + pip_hint("image", "Pillow")) from None
    return Image


# --- files and arrays ---------------------------------------------------------------------------
def load_img(path, grayscale=False, color_mode="rgb", target_size=None, interpolation="nearest"):
    """A PIL image from `path` in `color_mode` ('grayscale', 'rgb', 'rgba'), resized to `target_size`
    (height, width) with `interpolation` ('nearest', 'bilinear', 'bicubic', 'lanczos', 'box', 'hamming')."""
    image_module = _pil()
    if grayscale:
        color_mode = "grayscale"
    modes = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
    if color_mode not in modes:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    with open(path, "rb") as handle:
        img = image_module.open(handle)
        img.load()
    if img.mode != modes[color_mode]:
        img = img.convert(modes[color_mode])
    if target_size is not None:
        size = (target_size[1], target_size[0])
        if img.size != size:
            methods = {"nearest": image_module.NEAREST, "bilinear": image_module.BILINEAR,
                       "bicubic": image_module.BICUBIC, "lanczos": image_module.LANCZOS, "box": image_module.BOX,
                       "hamming": image_module.HAMMING}
            if interpolation not in methods:
                raise ValueError("Invalid interpolation method {} specified. Supported methods are {}".format(
                    interpolation, ", ".join(methods)))
            img = img.resize(size, methods[interpolation])
    return img


def img_to_array(img, data_format=None, dtype=None):
    """A PIL image as a 3-D array (height, width, channels) ('channels_first': channels, height, width)."""
    data_format = data_format or image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("Unknown data_format: %s" % (data_format,))
    x = np.asarray(img, dtype=dtype or floatx())
    if x.ndim == 2:
        x = x[:, :, None]
    elif x.ndim != 3:
        raise ValueError("Unsupported image shape: %s" % (x.shape,))
    return x.transpose(2, 0, 1) if data_format == "channels_first" else x


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A 3-D array as a PIL image (1, 3 or 4 channels); `scale` first lifts negative values to 0 and
    stretches the maximum to 255; values are truncated to uint8."""
    image_module = _pil()
    x = np.asarray(x, dtype=dtype or floatx())
    if x.ndim != 3:
        raise ValueError("Expected image array to have rank 3 (single image). Got array with shape: %s" % (x.shape,))
    data_format = data_format or image_data_format()
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        # Keras' scaling: lift negative values to 0 (values already >= 0 are not shifted), then stretch
        # the maximum to 255.
        x = x + max(-np.min(x), 0)
        peak = np.max(x)
        if peak != 0:
            x = x / peak
        x = x * 255
    channels = x.shape[2]
    if channels not in (1, 3, 4):
        raise ValueError("Unsupported channel number: %s" % channels)
    pixels = np.clip(x, 0, 255).astype("uint8")  # truncation, as Keras' astype('uint8')
    if channels == 1:
        return image_module.fromarray(pixels[:, :, 0], "L")
    return image_module.fromarray(pixels, "RGB" if channels == 3 else "RGBA")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Writes the 3-D array `x` as an image file (format from `file_format` or the file name)."""
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and (file_format == "jpg" or file_format == "jpeg" or
                               str(path).lower().endswith((".jpg", ".jpeg"))):
        warnings.warn("The JPG format does not support RGBA images, converting to RGB.")
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def list_pictures(directory, ext=_IMAGE_EXTENSIONS):
    """The image files (by extension) under `directory`, recursively, sorted."""
    if isinstance(ext, str):
        ext = (ext,)
    return sorted(os.path.join(root, f) for root, _, files in os.walk(directory) for f in files
                  if f.lower().endswith(tuple("." + e for e in ext)))


# --- transforms ---------------------------------------------------------------------------------
def transform_matrix_offset_center(matrix, x, y):
    """`matrix` (3x3, homogeneous coordinates) applied about the centre of an x-by-y image."""
    o_x, o_y = float(x) / 2 + 0.5, float(y) / 2 + 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return offset @ matrix @ reset


def _fill_index(index, size, mode):
    """Integer positions mapped into [0, size) by `mode`, and a mask of those that are inside."""
    inside = (index >= 0) & (index < size)
    if mode == "nearest":
        return np.clip(index, 0, size - 1), np.ones_like(inside)
    if mode == "reflect":
        period = np.mod(index, 2 * size)
        return np.where(period >= size, 2 * size - 1 - period, period), np.ones_like(inside)
    return np.clip(index, 0, size - 1), inside


def _wrap(coordinates, size):
    if size == 1:
        return np.zeros_like(coordinates)
    inside = (coordinates >= 0) & (coordinates <= size - 1)
    return np.where(inside, coordinates, np.mod(coordinates, size - 1))


def _resample(channel, rows, cols, fill_mode, cval):
    """Bilinear samples of a 2-D `channel` at float coordinates (rows, cols)."""
    height, width = channel.shape
    if fill_mode == "wrap":
        # SciPy's ndimage 'wrap' (what Keras calls): period size - 1, first and last pixels overlapping.
        rows = _wrap(rows, height)
        cols = _wrap(cols, width)
        fill_mode = "nearest"
    r0, c0 = np.floor(rows).astype(np.int64), np.floor(cols).astype(np.int64)
    dr, dc = rows - r0, cols - c0
    result = np.zeros(rows.shape, dtype=np.float64)
    for r_offset, r_weight in ((0, 1 - dr), (1, dr)):
        r_index, r_inside = _fill_index(r0 + r_offset, height, fill_mode)
        for c_offset, c_weight in ((0, 1 - dc), (1, dc)):
            c_index, c_inside = _fill_index(c0 + c_offset, width, fill_mode)
            values = np.where(r_inside & c_inside, channel[r_index, c_index], cval)
            result += r_weight * c_weight * values
    if fill_mode == "constant":
        # Beyond the outermost pixel centres there is nothing to interpolate: the fill value.
        tolerance = 1e-9
        outside = (rows < -tolerance) | (rows > height - 1 + tolerance) | (cols < -tolerance) | \
            (cols > width - 1 + tolerance)
        result = np.where(outside, cval, result)
    return result


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis=0, col_axis=1, channel_axis=2,
                           fill_mode="nearest", cval=0., order=1):
    """`x` (one image) rotated by `theta` degrees, shifted by (tx, ty) pixels (rows, columns), sheared
    by `shear` degrees and zoomed by (zx, zy), about the image centre. Output pixel p takes the input
    at M p (M: the composed matrix), interpolated bilinearly."""
    if fill_mode not in ("nearest", "constant", "reflect", "wrap"):
        raise ValueError("fill_mode must be one of 'nearest', 'constant', 'reflect', 'wrap', got %r" % (fill_mode,))
    matrix = None
    if theta != 0:
        angle = np.deg2rad(theta)
        matrix = np.array([[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0], [0, 0, 1]])
    if tx != 0 or ty != 0:
        shift = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
        matrix = shift if matrix is None else matrix @ shift
    if shear != 0:
        angle = np.deg2rad(shear)
        shear_matrix = np.array([[1, -np.sin(angle), 0], [0, np.cos(angle), 0], [0, 0, 1]])
        matrix = shear_matrix if matrix is None else matrix @ shear_matrix
    if zx != 1 or zy != 1:
        zoom = np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
        matrix = zoom if matrix is None else matrix @ zoom
    if matrix is None:
        return x
    height, width = x.shape[row_axis], x.shape[col_axis]
    matrix = transform_matrix_offset_center(matrix, height, width)
    rows, cols = np.indices((height, width), dtype=np.float64)
    source_rows = matrix[0, 0] * rows + matrix[0, 1] * cols + matrix[0, 2]
    source_cols = matrix[1, 0] * rows + matrix[1, 1] * cols + matrix[1, 2]
    channels_first = np.moveaxis(x, channel_axis, 0)
    if row_axis > col_axis:
        channels_first = np.swapaxes(channels_first, 1, 2)
    out = np.stack([_resample(c, source_rows, source_cols, fill_mode, cval) for c in channels_first])
    if row_axis > col_axis:
        out = np.swapaxes(out, 1, 2)
    return np.moveaxis(out, 0, channel_axis).astype(x.dtype, copy=False)


def apply_channel_shift(x, intensity, channel_axis=0):
    """Adds `intensity` to every channel, clipped to the image's original [min, max]."""
    low, high = np.min(x), np.max(x)
    return np.clip(x + intensity, low, high).astype(x.dtype, copy=False)


def apply_brightness_shift(x, brightness):
    """`x` through PIL's brightness enhancement by `brightness` (1: unchanged, 0: black), as Keras does:
    the image is first converted with `array_to_img` (so the result is on the 0-255 scale, quantized)."""
    try:
        from PIL import ImageEnhance
    except ImportError:
        raise ImportError("Brightness shifts need Pillow: " + pip_hint("image", "Pillow")) from None
    img = ImageEnhance.Brightness(array_to_img(x)).enhance(brightness)
    return img_to_array(img, dtype=x.dtype)


def flip_axis(x, axis):
    """`x` reversed along `axis`."""
    return np.flip(x, axis).copy()


def random_rotation(x, rg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.):
    """`x` rotated by a random angle in [-rg, rg] degrees."""
    return apply_affine_transform(x, theta=np.random.uniform(-rg, rg), row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval)


def random_shift(x, wrg, hrg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.):
    """`x` shifted by random fractions of its height (`hrg`) and width (`wrg`)."""
    tx = np.random.uniform(-hrg, hrg) * x.shape[row_axis]
    ty = np.random.uniform(-wrg, wrg) * x.shape[col_axis]
    return apply_affine_transform(x, tx=tx, ty=ty, row_axis=row_axis, col_axis=col_axis, channel_axis=channel_axis,
                                  fill_mode=fill_mode, cval=cval)


def random_shear(x, intensity, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.):
    """`x` sheared by a random angle in [-intensity, intensity] degrees."""
    return apply_affine_transform(x, shear=np.random.uniform(-intensity, intensity), row_axis=row_axis,
                                  col_axis=col_axis, channel_axis=channel_axis, fill_mode=fill_mode, cval=cval)


def random_zoom(x, zoom_range, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.):
    """`x` zoomed by random factors in `zoom_range` (a pair) along rows and columns."""
    if len(zoom_range) != 2:
        raise ValueError("`zoom_range` should be a tuple or list of two floats. Received: %s" % (zoom_range,))
    zx, zy = (1, 1) if zoom_range[0] == 1 and zoom_range[1] == 1 else np.random.uniform(*zoom_range, 2)
    return apply_affine_transform(x, zx=zx, zy=zy, row_axis=row_axis, col_axis=col_axis, channel_axis=channel_axis,
                                  fill_mode=fill_mode, cval=cval)


def random_channel_shift(x, intensity_range, channel_axis=0):
    """`x` with a random shift in [-intensity_range, intensity_range] added to its channels."""
    return apply_channel_shift(x, np.random.uniform(-intensity_range, intensity_range), channel_axis)


def random_brightness(x, brightness_range):
    """`x` scaled by a random brightness factor in `brightness_range` (a pair)."""
    if len(brightness_range) != 2:
        raise ValueError("`brightness_range should be tuple or list of two floats. Received: %s" % (brightness_range,))
    return apply_brightness_shift(x, np.random.uniform(brightness_range[0], brightness_range[1]))


# --- the generator ------------------------------------------------------------------------------
class ImageDataGenerator:
    """`ImageDataGenerator(featurewise_center=False, samplewise_center=False,
    featurewise_std_normalization=False, samplewise_std_normalization=False, zca_whitening=False,
    zca_epsilon=1e-6, rotation_range=0, width_shift_range=0., height_shift_range=0., brightness_range=None,
    shear_range=0., zoom_range=0., channel_shift_range=0., fill_mode='nearest', cval=0.,
    horizontal_flip=False, vertical_flip=False, rescale=None, preprocessing_function=None, data_format=None,
    validation_split=0.0, dtype=None)`: batches of randomly transformed, standardized images.

    Each image is randomly transformed, then standardized (`preprocessing_function`, `rescale`,
    sample-wise then feature-wise centring and scaling, ZCA whitening), in Keras' order.
    Feature-wise statistics come from `fit(x)`. Shift ranges below 1 are fractions of the image size,
    from 1 on pixels; a list picks one of its values.
    """

    def __init__(self, featurewise_center=False, samplewise_center=False, featurewise_std_normalization=False,
                 samplewise_std_normalization=False, zca_whitening=False, zca_epsilon=1e-6, rotation_range=0,
                 width_shift_range=0., height_shift_range=0., brightness_range=None, shear_range=0., zoom_range=0.,
                 channel_shift_range=0., fill_mode="nearest", cval=0., horizontal_flip=False, vertical_flip=False,
                 rescale=None, preprocessing_function=None, data_format=None, validation_split=0.0, dtype=None):
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = zca_whitening
        self.zca_epsilon = zca_epsilon
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.brightness_range = brightness_range
        self.shear_range = shear_range
        self.channel_shift_range = channel_shift_range
        if fill_mode not in ("nearest", "constant", "reflect", "wrap"):
            raise ValueError("fill_mode must be one of 'nearest', 'constant', 'reflect', 'wrap', got %r"
                             % (fill_mode,))
        self.fill_mode = fill_mode
        self.cval = cval
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.dtype = dtype or floatx()
        data_format = data_format or image_data_format()
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError('`data_format` should be `"channels_last"` (channel after row and column) or '
                             '`"channels_first"` (channel before row and column). Received: %s' % data_format)
        self.data_format = data_format
        self.channel_axis, self.row_axis, self.col_axis = (1, 2, 3) if data_format == "channels_first" else (3, 1, 2)
        if validation_split and not 0 < validation_split < 1:
            raise ValueError("`validation_split` must be strictly between 0 and 1.  Received: %s" % validation_split)
        self._validation_split = validation_split
        if np.isscalar(zoom_range):
            self.zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif len(zoom_range) == 2:
            self.zoom_range = [zoom_range[0], zoom_range[1]]
        else:
            raise ValueError("`zoom_range` should be a float or a tuple or list of two floats. Received: %s"
                             % (zoom_range,))
        self.mean = self.std = self.principal_components = None

    # --- per-image steps ----------------------------------------------------------------------
    def standardize(self, x):
        """Applies the normalization settings to `x` (one image or a batch), in place where possible."""
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x = x * self.rescale
        channel_axis = self.channel_axis - 1 if x.ndim == 3 else self.channel_axis
        if self.samplewise_center:
            x = x - np.mean(x, axis=channel_axis, keepdims=True)
        if self.samplewise_std_normalization:
            x = x / (np.std(x, axis=channel_axis, keepdims=True) + 1e-6)
        if self.featurewise_center:
            if self.mean is None:
                warnings.warn("This ImageDataGenerator specifies `featurewise_center`, but it hasn't been fit on "
                              "any training data. Fit it first by calling `.fit(numpy_data)`.")
            else:
                x = x - self.mean
        if self.featurewise_std_normalization:
            if self.std is None:
                warnings.warn("This ImageDataGenerator specifies `featurewise_std_normalization`, but it hasn't "
                              "been fit on any training data. Fit it first by calling `.fit(numpy_data)`.")
            else:
                x = x / (self.std + 1e-6)
        if self.zca_whitening:
            if self.principal_components is None:
                warnings.warn("This ImageDataGenerator specifies `zca_whitening`, but it hasn't been fit on any "
                              "training data. Fit it first by calling `.fit(numpy_data)`.")
            else:
                flat = np.reshape(x, (-1, np.prod(x.shape[-3:])))
                x = np.reshape(flat @ self.principal_components, x.shape)
        return x

    def _pick_shift(self, shift_range, size):
        if not shift_range:
            return 0
        if isinstance(shift_range, (list, tuple, np.ndarray)):
            shift = float(np.random.choice(shift_range))
        else:
            shift = np.random.uniform(-shift_range, shift_range)
        return shift * size if np.max(shift_range) < 1 else shift

    def get_random_transform(self, img_shape, seed=None):
        """Random parameters for `apply_transform` (one image of `img_shape`)."""
        if seed is not None:
            np.random.seed(seed)
        row_axis, col_axis = self.row_axis - 1, self.col_axis - 1
        theta = np.random.uniform(-self.rotation_range, self.rotation_range) if self.rotation_range else 0
        tx = self._pick_shift(self.height_shift_range, img_shape[row_axis])
        ty = self._pick_shift(self.width_shift_range, img_shape[col_axis])
        shear = np.random.uniform(-self.shear_range, self.shear_range) if self.shear_range else 0
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx, zy = 1, 1
        else:
            zx, zy = np.random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_horizontal = bool(self.horizontal_flip) and np.random.random() < 0.5
        flip_vertical = bool(self.vertical_flip) and np.random.random() < 0.5
        channel_shift = np.random.uniform(-self.channel_shift_range, self.channel_shift_range) \
            if self.channel_shift_range else None
        brightness = np.random.uniform(self.brightness_range[0], self.brightness_range[1]) \
            if self.brightness_range is not None else None
        return {"theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx, "zy": zy,
                "flip_horizontal": flip_horizontal, "flip_vertical": flip_vertical,
                "channel_shift_intensity": channel_shift, "brightness": brightness}

    def apply_transform(self, x, transform_parameters):
        """`x` (one image) transformed by the parameters `get_random_transform` draws."""
        p = transform_parameters
        row_axis, col_axis, channel_axis = self.row_axis - 1, self.col_axis - 1, self.channel_axis - 1
        x = apply_affine_transform(x, p.get("theta", 0), p.get("tx", 0), p.get("ty", 0), p.get("shear", 0),
                                   p.get("zx", 1), p.get("zy", 1), row_axis=row_axis, col_axis=col_axis,
                                   channel_axis=channel_axis, fill_mode=self.fill_mode, cval=self.cval)
        if p.get("channel_shift_intensity") is not None:
            x = apply_channel_shift(x, p["channel_shift_intensity"], channel_axis)
        if p.get("flip_horizontal", False):
            x = flip_axis(x, col_axis)
        if p.get("flip_vertical", False):
            x = flip_axis(x, row_axis)
        if p.get("brightness") is not None:
            x = apply_brightness_shift(x, p["brightness"])
        return x

    def random_transform(self, x, seed=None):
        """`x` (one image) randomly transformed."""
        return self.apply_transform(x, self.get_random_transform(x.shape, seed))

    def fit(self, x, augment=False, rounds=1, seed=None):
        """Computes the feature-wise mean, std and ZCA matrix the settings need, from images `x`
        (rank 4), optionally over `rounds` randomly augmented copies."""
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError("Input to `.fit()` should have rank 4. Got array with shape: " + str(x.shape))
        if x.shape[self.channel_axis] not in {1, 3, 4}:
            warnings.warn("Expected input to be images (as Numpy array) following the data format convention \""
                          + self.data_format + "\" (channels on axis " + str(self.channel_axis) + "), i.e. expected "
                          "either 1, 3 or 4 channels on axis " + str(self.channel_axis) + ".")
        if seed is not None:
            np.random.seed(seed)
        if augment:
            x = np.concatenate([np.stack([self.random_transform(image) for image in x]) for _ in range(rounds)])
        broadcast = [1, 1, 1]
        broadcast[self.channel_axis - 1] = x.shape[self.channel_axis]
        axes = (0, self.row_axis, self.col_axis)
        if self.featurewise_center:
            self.mean = np.reshape(np.mean(x, axis=axes), broadcast)
            x = x - self.mean
        if self.featurewise_std_normalization:
            self.std = np.reshape(np.std(x, axis=axes), broadcast)
            x = x / (self.std + 1e-6)
        if self.zca_whitening:
            flat = np.reshape(x, (x.shape[0], -1))
            sigma = flat.T @ flat / flat.shape[0]
            u, s, _ = np.linalg.svd(sigma)
            self.principal_components = (u * (1. / np.sqrt(s[np.newaxis] + self.zca_epsilon))) @ u.T

    # --- iterators ----------------------------------------------------------------------------
    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None, save_to_dir=None,
             save_prefix="", save_format="png", subset=None):
        """A `NumpyArrayIterator` of augmented batches of `x` (and `y`, `sample_weight`)."""
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle, sample_weight=sample_weight,
                                  seed=seed, data_format=self.data_format, save_to_dir=save_to_dir,
                                  save_prefix=save_prefix, save_format=save_format, subset=subset, dtype=self.dtype)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode="rgb", classes=None,
                            class_mode="categorical", batch_size=32, shuffle=True, seed=None, save_to_dir=None,
                            save_prefix="", save_format="png", follow_links=False, subset=None,
                            interpolation="nearest"):
        """A `DirectoryIterator` over the images in the class subfolders of `directory`."""
        return DirectoryIterator(directory, self, target_size=target_size, color_mode=color_mode, classes=classes,
                                 class_mode=class_mode, data_format=self.data_format, batch_size=batch_size,
                                 shuffle=shuffle, seed=seed, save_to_dir=save_to_dir, save_prefix=save_prefix,
                                 save_format=save_format, follow_links=follow_links, subset=subset,
                                 interpolation=interpolation, dtype=self.dtype)


class Iterator(Sequence):
    """Batches of `n` samples (`batch_size` each, the last one smaller), reshuffled at each epoch when
    `shuffle`; usable as a `Sequence` (`iterator[i]`) or a Python iterator (`next(iterator)`)."""

    white_list_formats = _IMAGE_EXTENSIONS

    def __init__(self, n, batch_size, shuffle, seed):
        self.n, self.batch_size, self.shuffle, self.seed = n, batch_size, shuffle, seed
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None

    def _set_index_array(self):
        self.index_array = np.arange(self.n)
        if self.shuffle:
            self.index_array = np.random.permutation(self.n)

    def __getitem__(self, idx):
        if idx >= len(self):
            raise ValueError("Asked to retrieve element {idx}, but the Sequence has length {length}".format(
                idx=idx, length=len(self)))
        if self.seed is not None:
            np.random.seed(self.seed + self.total_batches_seen)
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array()
        return self._get_batches_of_transformed_samples(
            self.index_array[self.batch_size * idx:self.batch_size * (idx + 1)])

    def __len__(self):
        return (self.n + self.batch_size - 1) // self.batch_size

    def on_epoch_end(self):
        """Draws a new sample order for the next epoch."""
        self._set_index_array()

    def reset(self):
        """Restarts iteration from the first batch."""
        self.batch_index = 0

    def __iter__(self):
        return self

    def __next__(self):
        with self.lock:
            if self.batch_index == 0 or self.index_array is None:
                if self.seed is not None:
                    np.random.seed(self.seed + self.total_batches_seen)
                self._set_index_array()
            current = self.batch_index
            self.batch_index = (self.batch_index + 1) % len(self) if len(self) else 0
            self.total_batches_seen += 1
            indices = self.index_array[self.batch_size * current:self.batch_size * (current + 1)]
        return self._get_batches_of_transformed_samples(indices)

    next = __next__

    def _get_batches_of_transformed_samples(self, index_array):
        raise NotImplementedError

    def _transform_batch(self, images, index_array):
        generator = self.image_data_generator
        batch = np.zeros((len(index_array),) + tuple(self.image_shape), dtype=self.dtype)
        for i, image in enumerate(images):
            params = generator.get_random_transform(image.shape)
            batch[i] = generator.standardize(generator.apply_transform(image.astype(self.dtype), params))
        if self.save_to_dir:
            for i, j in enumerate(index_array):
                name = "{prefix}_{index}_{hash}.{format}".format(prefix=self.save_prefix, index=j,
                                                                  hash=np.random.randint(1e7), format=self.save_format)
                save_img(os.path.join(self.save_to_dir, name), batch[i], self.data_format, scale=True)
        return batch


class NumpyArrayIterator(Iterator):
    """Augmented batches of a rank-4 image array `x` with labels `y` (optional) and sample weights.
    `subset` 'training' / 'validation' uses the part of `x` after / before the generator's
    validation_split."""

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False, sample_weight=None, seed=None,
                 data_format=None, save_to_dir=None, save_prefix="", save_format="png", subset=None, dtype=None):
        x = np.asarray(x, dtype=dtype or floatx())
        if x.ndim != 4:
            raise ValueError("Input data in `NumpyArrayIterator` should have rank 4. You passed an array with "
                             "shape %s" % (x.shape,))
        if y is not None and len(x) != len(y):
            raise ValueError("`x` (images tensor) and `y` (labels) should have the same length. Found: "
                             "x.shape = %s, y.shape = %s" % (x.shape, np.asarray(y).shape))
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError("`x` (images tensor) and `sample_weight` should have the same length. Found: "
                             "x.shape = %s, sample_weight.shape = %s" % (x.shape, np.asarray(sample_weight).shape))
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError("Invalid subset name:", subset, '; expected "training" or "validation".')
            split = int(len(x) * image_data_generator._validation_split)
            part = slice(None, split) if subset == "validation" else slice(split, None)
            x = x[part]
            y = None if y is None else np.asarray(y)[part]
            sample_weight = None if sample_weight is None else np.asarray(sample_weight)[part]
        self.x = x
        self.y = None if y is None else np.asarray(y)
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight)
        self.image_data_generator = image_data_generator
        self.data_format = data_format or image_data_format()
        self.image_shape = x.shape[1:]
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        self.dtype = dtype or floatx()
        super().__init__(x.shape[0], batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = self._transform_batch([self.x[j] for j in index_array], index_array)
        output = (batch_x,)
        if self.y is None:
            return batch_x
        output += (self.y[index_array],)
        if self.sample_weight is not None:
            output += (self.sample_weight[index_array],)
        return output


class DirectoryIterator(Iterator):
    """Augmented batches of the image files in the class subfolders of `directory` (one subfolder per
    class, sorted by name unless `classes` lists them), loaded with Pillow at `target_size`. Labels:
    'categorical' (one-hot), 'binary' (float 0/1), 'sparse' (class index), 'input' (the images
    themselves) or None (images only)."""

    def __init__(self, directory, image_data_generator, target_size=(256, 256), color_mode="rgb", classes=None,
                 class_mode="categorical", batch_size=32, shuffle=True, seed=None, data_format=None, save_to_dir=None,
                 save_prefix="", save_format="png", follow_links=False, subset=None, interpolation="nearest",
                 dtype=None):
        if color_mode not in {"rgb", "rgba", "grayscale"}:
            raise ValueError("Invalid color mode:", color_mode, '; expected "rgb", "rgba", or "grayscale".')
        if class_mode not in {"categorical", "binary", "sparse", "input", None}:
            raise ValueError("Invalid class_mode:", class_mode, '; expected one of "categorical", "binary", "sparse", '
                             '"input" or None.')
        self.directory = directory
        self.image_data_generator = image_data_generator
        self.target_size = tuple(target_size)
        self.color_mode = color_mode
        self.data_format = data_format or image_data_format()
        channels = {"rgb": 3, "rgba": 4, "grayscale": 1}[color_mode]
        self.image_shape = (channels,) + self.target_size if self.data_format == "channels_first" \
            else self.target_size + (channels,)
        self.class_mode = class_mode
        self.interpolation = interpolation
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        self.dtype = dtype or floatx()
        if classes is None:
            classes = sorted(d for d in os.listdir(directory) if os.path.isdir(os.path.join(directory, d)))
        self.class_indices = {name: i for i, name in enumerate(classes)}
        self.num_classes = len(classes)
        filenames, labels = [], []
        for name in classes:
            folder = os.path.join(directory, name)
            for root, _, files in sorted(os.walk(folder, followlinks=follow_links)):
                for f in sorted(files):
                    if f.lower().endswith(tuple("." + e for e in self.white_list_formats)):
                        filenames.append(os.path.relpath(os.path.join(root, f), directory))
                        labels.append(self.class_indices[name])
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError("Invalid subset name:", subset, '; expected "training" or "validation".')
            split = image_data_generator._validation_split
            keep = []
            for c in range(self.num_classes):
                members = [i for i, label in enumerate(labels) if label == c]
                cut = int(len(members) * split)
                keep += members[:cut] if subset == "validation" else members[cut:]
            keep.sort()
            filenames = [filenames[i] for i in keep]
            labels = [labels[i] for i in keep]
        self.filenames = filenames
        self.classes = np.array(labels, dtype="int32")
        self.samples = len(filenames)
        print("Found %d images belonging to %d classes." % (self.samples, self.num_classes))
        super().__init__(self.samples, batch_size, shuffle, seed)

    @property
    def filepaths(self):
        """The full paths of the images, in sample order."""
        return [os.path.join(self.directory, f) for f in self.filenames]

    @property
    def labels(self):
        """The class index of every image, in sample order."""
        return self.classes

    def _get_batches_of_transformed_samples(self, index_array):
        images = [img_to_array(load_img(os.path.join(self.directory, self.filenames[j]), color_mode=self.color_mode,
                                        target_size=self.target_size, interpolation=self.interpolation),
                               data_format=self.data_format) for j in index_array]
        batch_x = self._transform_batch(images, index_array)
        if self.class_mode == "input":
            return batch_x, batch_x.copy()
        if self.class_mode is None:
            return batch_x
        if self.class_mode == "sparse":
            return batch_x, self.classes[index_array]
        if self.class_mode == "binary":
            return batch_x, self.classes[index_array].astype(self.dtype)
        batch_y = np.zeros((len(index_array), self.num_classes), dtype=self.dtype)
        batch_y[np.arange(len(index_array)), self.classes[index_array]] = 1.
        return batch_x, batch_y
