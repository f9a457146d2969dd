"""`tf.keras.layers` preprocessing layers (newer than TF 1.15, provided with Keras 2's semantics): Rescaling,
CenterCrop, Resizing, Normalization (with `adapt`), Discretization, CategoryEncoding, Hashing. All run as
graph ops; `adapt` computes statistics from NumPy data on the host."""
import numpy as np

import numflow as tf

from ...framework.tensor_shape import TensorShape
from ..engine.base_layer import Layer
import numflow.keras.layers._layer_utils as utils
from .core import merged_config

__all__ = ["Rescaling", "CenterCrop", "Resizing", "Normalization", "Discretization", "CategoryEncoding",
           "Hashing"]


def _as_array(data, layer_name):
    """`adapt` data as a NumPy array (NumPy arrays, lists and scalars are accepted)."""
    if isinstance(data, (np.ndarray, list, tuple, float, int)):
        return np.asarray(data)
    raise TypeError("%s.adapt() takes NumPy data (an array or a list); got %s" % (layer_name, type(data).__name__))


class Rescaling(Layer):
    """`Rescaling(scale, offset=0.0)`: inputs * scale + offset, in the layer's float dtype (e.g. 1/255 to
    map pixels to [0, 1])."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset

    def call(self, inputs):
        dtype = tf.as_dtype(self.dtype or "float32")
        inputs = tf.cast(inputs, dtype)
        return inputs * tf.cast(self.scale, dtype) + tf.cast(self.offset, dtype)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return merged_config(self, Layer, {"scale": self.scale, "offset": self.offset})


def _image_axes(inputs):
    rank = inputs.shape.ndims
    if rank not in (3, 4):
        raise ValueError("Expected images of rank 3 (height, width, channels) or 4 (batch, height, width, "
                         "channels); got shape %s" % (inputs.shape,))
    return rank - 3, rank - 2  # the height and width axes


class CenterCrop(Layer):
    """`CenterCrop(height, width)`: the central height x width window of images (channels_last, 3-D or 4-D).
    Images smaller than the target fail: ValueError when the sizes are static, InvalidArgumentError at run
    time otherwise."""

    def __init__(self, height, width, **kwargs):
        super().__init__(**kwargs)
        self.height = int(height)
        self.width = int(width)

    def call(self, inputs):
        h_axis, w_axis = _image_axes(inputs)
        static = inputs.shape.as_list()
        sizes = utils.static_or_dynamic_shape(inputs)
        for axis, target, what in ((h_axis, self.height, "height"), (w_axis, self.width, "width")):
            if static[axis] is not None and static[axis] < target:
                raise ValueError("CenterCrop: the input %s %d is smaller than the target %s %d"
                                 % (what, static[axis], what, target))
        if None in static[h_axis:w_axis + 1]:
            checks = [tf.assert_greater_equal(sizes[h_axis], self.height,
                                              message="CenterCrop: the input height is smaller than the target"),
                      tf.assert_greater_equal(sizes[w_axis], self.width,
                                              message="CenterCrop: the input width is smaller than the target")]
            with tf.control_dependencies(checks):
                inputs = tf.identity(inputs)
        top = (sizes[h_axis] - self.height) // 2
        left = (sizes[w_axis] - self.width) // 2
        begin = [0] * len(static)
        begin[h_axis], begin[w_axis] = top, left
        size = [-1] * len(static)
        size[h_axis], size[w_axis] = self.height, self.width
        if any(not isinstance(b, int) for b in begin):
            begin = tf.stack([tf.cast(b, tf.int32) for b in begin])
        outputs = tf.slice(inputs, begin, size)
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return outputs

    def compute_output_shape(self, input_shape):
        shape = utils.shape_list(input_shape)
        shape[-3], shape[-2] = self.height, self.width
        return TensorShape(shape)

    def get_config(self):
        return merged_config(self, Layer, {"height": self.height, "width": self.width})


_RESIZERS = {"bilinear": lambda x, size: tf.image.resize_bilinear(x, size, half_pixel_centers=True),
             "nearest": lambda x, size: tf.image.resize_nearest_neighbor(x, size, half_pixel_centers=True),
             "bicubic": lambda x, size: tf.image.resize_bicubic(x, size, half_pixel_centers=True),
             "area": lambda x, size: tf.image.resize_area(x, size)}


class Resizing(Layer):
    """`Resizing(height, width, interpolation='bilinear', crop_to_aspect_ratio=False)`: resizes images
    (channels_last, 3-D or 4-D) to height x width with `tf.image.resize`'s v2 sampling (half-pixel
    centers); 'bilinear', 'nearest', 'bicubic' or 'area'. With `crop_to_aspect_ratio` the largest central
    window of the target aspect ratio is resized (needs static image sizes)."""

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False, **kwargs):
        super().__init__(**kwargs)
        if interpolation not in _RESIZERS:
            raise ValueError("Resizing: `interpolation` must be one of %s; got %r"
                             % (sorted(_RESIZERS), interpolation))
        self.height = int(height)
        self.width = int(width)
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio

    def call(self, inputs):
        h_axis, w_axis = _image_axes(inputs)
        images = inputs if h_axis == 1 else tf.expand_dims(inputs, 0)
        if self.crop_to_aspect_ratio:
            height, width = images.shape.as_list()[1:3]
            if height is None or width is None:
                raise ValueError("Resizing(crop_to_aspect_ratio=True) needs static image sizes; got shape %s"
                                 % (inputs.shape,))
            crop_h = min(height, int(width * self.height / self.width))
            crop_w = min(width, int(height * self.width / self.height))
            top, left = (height - crop_h) // 2, (width - crop_w) // 2
            images = images[:, top:top + crop_h, left:left + crop_w, :]
        outputs = _RESIZERS[self.interpolation](images, [self.height, self.width])
        dtype = tf.as_dtype(self.dtype or "float32")
        outputs = tf.cast(outputs, dtype)
        return outputs if h_axis == 1 else tf.squeeze(outputs, [0])

    def compute_output_shape(self, input_shape):
        shape = utils.shape_list(input_shape)
        shape[-3], shape[-2] = self.height, self.width
        return TensorShape(shape)

    def get_config(self):
        return merged_config(self, Layer, {"height": self.height, "width": self.width,
                                           "interpolation": self.interpolation,
                                           "crop_to_aspect_ratio": self.crop_to_aspect_ratio})


class Normalization(Layer):
    """`Normalization(axis=-1, mean=None, variance=None)`: (inputs - mean) / max(sqrt(variance), epsilon)
    per feature, features being the axes in `axis` (None: one mean and variance for all values). The
    statistics are given (`mean`, `variance`) or computed from NumPy data with `adapt(data)`, which
    stores them in the non-trainable weights 'mean', 'variance' and 'count'."""

    def __init__(self, axis=-1, mean=None, variance=None, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            self.axis = ()
        elif isinstance(axis, int):
            self.axis = (axis,)
        else:
            self.axis = tuple(axis)
        if 0 in self.axis:
            raise ValueError("The argument 'axis' may not be 0.")
        if (mean is None) != (variance is None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be set. Got mean: "
                             "%s and variance: %s" % (mean, variance))
        self.input_mean = mean
        self.input_variance = variance

    def _kept_axes(self, rank):
        axes = []
        for a in self.axis:
            if not -rank <= a < rank:
                raise ValueError("All `axis` values must be in the range [-%d, %d); got %s" % (rank, rank, self.axis))
            axes.append(a % rank)
        return sorted(axes)

    def build(self, input_shape):
        shape = utils.shape_list(input_shape)
        rank = len(shape)
        self._kept = self._kept_axes(rank)
        self._reduce = [a for a in range(rank) if a not in self._kept]
        weight_shape = [shape[a] for a in self._kept]
        if None in weight_shape:
            raise ValueError("All `axis` values to be kept must have known shape. Got axis: %s, input shape: %s"
                             % (self.axis, tuple(shape)))
        self._broadcast_shape = [shape[a] if a in self._kept else 1 for a in range(rank)]
        self.mean = self.add_weight("mean", shape=weight_shape, initializer="zeros", trainable=False)
        self.variance = self.add_weight("variance", shape=weight_shape, initializer="ones", trainable=False)
        self.count = self.add_weight("count", shape=(), dtype="int64", initializer="zeros", trainable=False)
        self.built = True
        if self.input_mean is not None:
            mean = np.broadcast_to(np.asarray(self.input_mean, dtype=self.dtype), weight_shape)
            variance = np.broadcast_to(np.asarray(self.input_variance, dtype=self.dtype), weight_shape)
            from .. import backend
            backend.batch_set_value([(self.mean, mean), (self.variance, variance)])

    def adapt(self, data, batch_size=None, steps=None, reset_state=True):
        """Sets 'mean', 'variance' and 'count' from `data` (a NumPy array of samples); builds the layer on
        the data's shape first if needed."""
        from .. import backend
        array = _as_array(data, "Normalization").astype(np.float64)
        if not self.built:
            self._dtype = self._dtype or backend.floatx()
            with tf.name_scope(self.name):
                self.build(TensorShape([None] + list(array.shape[1:])))
        reduce_axes = tuple(self._reduce)
        if array.ndim != len(self._broadcast_shape):
            raise ValueError("Normalization.adapt: data of rank %d for a layer built on rank %d"
                             % (array.ndim, len(self._broadcast_shape)))
        mean = array.mean(axis=reduce_axes)
        variance = array.var(axis=reduce_axes)
        count = int(np.prod([array.shape[a] for a in reduce_axes], dtype=np.int64))
        backend.batch_set_value([(self.mean, mean), (self.variance, variance), (self.count, np.int64(count))])

    def call(self, inputs):
        from .. import backend
        dtype = self.mean.dtype.base_dtype
        inputs = tf.cast(inputs, dtype)
        mean = tf.reshape(self.mean, self._broadcast_shape)
        variance = tf.reshape(self.variance, self._broadcast_shape)
        return (inputs - mean) / tf.maximum(tf.sqrt(variance), tf.cast(backend.epsilon(), dtype))

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return merged_config(self, Layer, {
            "axis": self.axis,
            "mean": None if self.input_mean is None else np.asarray(self.input_mean).tolist(),
            "variance": None if self.input_variance is None else np.asarray(self.input_variance).tolist()})


class Discretization(Layer):
    """`Discretization(bin_boundaries=None, num_bins=None, epsilon=0.01)`: the int64 bucket of each value:
    i where bin_boundaries[i - 1] <= x < bin_boundaries[i] (0 below the first boundary, len(boundaries)
    at or above the last). With `num_bins`, `adapt(data)` picks boundaries at the data's quantiles (exact
    quantiles; `epsilon`, Keras' approximation error, is kept for the config only)."""

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, **kwargs):
        super().__init__(**kwargs)
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Both `num_bins` and `bin_boundaries` should not be set. You passed "
                             "`num_bins=%s` and `bin_boundaries=%s`" % (num_bins, bin_boundaries))
        if num_bins is not None and num_bins < 0:
            raise ValueError("`num_bins` must be greater than or equal to 0. You passed `num_bins=%s`"
                             % (num_bins,))
        if bin_boundaries is not None and list(bin_boundaries) != sorted(bin_boundaries):
            raise ValueError("`bin_boundaries` must be sorted; got %s" % (bin_boundaries,))
        self.bin_boundaries = None if bin_boundaries is None else [float(b) for b in bin_boundaries]
        self.num_bins = num_bins
        self.epsilon = epsilon

    def adapt(self, data, batch_size=None, steps=None, reset_state=True):
        """Sets `bin_boundaries` to the num_bins - 1 inner quantiles of `data`."""
        if self.num_bins is None:
            raise ValueError("Discretization.adapt needs `num_bins`.")
        array = _as_array(data, "Discretization").astype(np.float64).ravel()
        quantiles = np.linspace(0, 1, self.num_bins + 1)[1:-1]
        self.bin_boundaries = [float(b) for b in np.quantile(array, quantiles)]

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("Discretization has no bin boundaries: pass `bin_boundaries` or call `adapt` first.")
        values = tf.cast(inputs, tf.float64)
        boundaries = tf.constant([self.bin_boundaries], dtype=tf.float64)
        flat = tf.reshape(values, [1, -1])
        buckets = tf.searchsorted(boundaries, flat, side="right", out_type=tf.int64)
        outputs = tf.reshape(buckets, tf.shape(inputs))
        outputs.set_shape(inputs.shape)
        return outputs

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return merged_config(self, Layer, {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                                           "epsilon": self.epsilon})


class CategoryEncoding(Layer):
    """`CategoryEncoding(num_tokens=None, output_mode='multi_hot', sparse=False)`: integer category ids in
    [0, num_tokens) as dense vectors: 'one_hot' (one row per id), 'multi_hot' (1 where an id of the sample
    occurs), 'count' (how often). Ids out of range fail at run time with InvalidArgumentError."""

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        kwargs.pop("max_tokens", None)
        super().__init__(**kwargs)
        if output_mode not in ("one_hot", "multi_hot", "count"):
            raise ValueError("Unknown arg for output_mode: %s. Expected one of ['one_hot', 'multi_hot', "
                             "'count']" % (output_mode,))
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens is not known "
                             "beforehand, use the IntegerLookup layer instead.")
        if num_tokens < 1:
            raise ValueError("`num_tokens` must be >= 1. Received: num_tokens=%s" % (num_tokens,))
        if sparse:
            raise ValueError("numflow's CategoryEncoding produces dense outputs only (sparse=False)")
        self.num_tokens = int(num_tokens)
        self.output_mode = output_mode
        self.sparse = sparse

    def call(self, inputs):
        ids = tf.cast(inputs, tf.int64)
        rank = ids.shape.ndims
        if rank == 0:
            ids = tf.reshape(ids, [1])
            rank = 1
        if self.output_mode == "one_hot":
            if ids.shape.as_list()[-1] == 1 and rank > 1:
                ids = tf.squeeze(ids, [-1])
        elif rank == 1:
            ids = tf.expand_dims(ids, -1)
        elif rank > 2:
            raise ValueError("When output_mode is not 'int', maximum supported output rank is 2. Received "
                             "output_mode %s and input shape %s" % (self.output_mode, inputs.shape))
        checks = [tf.assert_greater_equal(tf.reduce_min(ids), tf.constant(0, tf.int64),
                                          message="Input values must be in the range 0 <= values < num_tokens "
                                                  "with num_tokens=%d" % self.num_tokens),
                  tf.assert_less(tf.reduce_max(ids), tf.constant(self.num_tokens, tf.int64),
                                 message="Input values must be in the range 0 <= values < num_tokens with "
                                         "num_tokens=%d" % self.num_tokens)]
        dtype = tf.as_dtype(self.dtype or "float32")
        with tf.control_dependencies(checks):
            encoded = tf.one_hot(ids, self.num_tokens, dtype=dtype)
        if self.output_mode == "one_hot":
            return encoded
        counts = tf.reduce_sum(encoded, axis=-2)
        if self.output_mode == "count":
            return counts
        return tf.minimum(counts, tf.ones([], dtype))

    def compute_output_shape(self, input_shape):
        shape = utils.shape_list(input_shape)
        if self.output_mode == "one_hot" and len(shape) > 1 and shape[-1] != 1:
            return TensorShape(shape + [self.num_tokens])
        return TensorShape(shape[:1] + [self.num_tokens] if shape else [self.num_tokens])

    def get_config(self):
        return merged_config(self, Layer, {"num_tokens": self.num_tokens, "output_mode": self.output_mode,
                                           "sparse": self.sparse})


class Hashing(Layer):
    """`Hashing(num_bins, mask_value=None, salt=None)`: hashes strings (integers are hashed by their
    decimal text) into [0, num_bins) with FarmHash64 (`tf.strings.to_hash_bucket_fast`), or, with `salt`
    (an int or two ints), SipHash (`to_hash_bucket_strong`). With `mask_value`, that value maps to 0 and
    the others to [1, num_bins). Output int64."""

    def __init__(self, num_bins, mask_value=None, salt=None, **kwargs):
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError("The `num_bins` for `Hashing` cannot be `None` or non-positive values.")
        self.num_bins = int(num_bins)
        self.mask_value = mask_value
        self.salt = salt
        if salt is None:
            self._key = None
        elif isinstance(salt, int):
            self._key = [salt, salt]
        elif isinstance(salt, (list, tuple)) and len(salt) == 2:
            self._key = [int(s) for s in salt]
        else:
            raise ValueError("The `salt` argument for `Hashing` can only be a tuple of size 2 integers, or a "
                             "single integer. Received: salt=%s." % (salt,))

    def call(self, inputs):
        strings = inputs if inputs.dtype.base_dtype == tf.string else tf.as_string(inputs)
        bins = self.num_bins - 1 if self.mask_value is not None else self.num_bins
        if self._key is None:
            hashed = tf.strings.to_hash_bucket_fast(strings, bins)
        else:
            hashed = tf.strings.to_hash_bucket_strong(strings, bins, self._key)
        if self.mask_value is None:
            return hashed
        if inputs.dtype.base_dtype == tf.string:
            mask_value = self.mask_value.encode() if isinstance(self.mask_value, str) else self.mask_value
            is_mask = tf.equal(inputs, tf.constant(mask_value, tf.string))
        else:
            is_mask = tf.equal(inputs, tf.cast(self.mask_value, inputs.dtype))
        return tf.where(is_mask, tf.zeros_like(hashed), hashed + 1)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return merged_config(self, Layer, {"num_bins": self.num_bins, "mask_value": self.mask_value,
                                           "salt": self.salt})
