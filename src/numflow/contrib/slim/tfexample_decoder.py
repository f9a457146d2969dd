"""`slim.tfexample_decoder`: decoding serialized `tf.train.Example` records into named items.

`TFExampleDecoder(keys_to_features, items_to_handlers)` parses a record with `tf.parse_single_example`
and builds each item from the parsed features by its `ItemHandler`: `Tensor` (a feature, densified and
reshaped), `Image` (an encoded image buffer), `BoundingBox` (four coordinate features), `LookupTensor`
(a feature mapped through a lookup table), `BackupHandler` and `ItemHandlerCallback` (any function).

    decoder = slim.tfexample_decoder.TFExampleDecoder(
        {'image/encoded': tf.FixedLenFeature((), tf.string, default_value=''),
         'image/format': tf.FixedLenFeature((), tf.string, default_value='png'),
         'image/class/label': tf.FixedLenFeature([], tf.int64)},
        {'image': slim.tfexample_decoder.Image(shape=[28, 28, 1], channels=1),
         'label': slim.tfexample_decoder.Tensor('image/class/label')})
"""
import numflow as tf

from ...framework.sparse_tensor import SparseTensor
from .data_decoder import DataDecoder

__all__ = ["BackupHandler", "BoundingBox", "Image", "ItemHandler", "ItemHandlerCallback", "LookupTensor",
           "TFExampleDecoder", "Tensor"]


class ItemHandler:
    """`slim.tfexample_decoder.ItemHandler(keys)`: builds one item from the parsed features named by
    `keys` (a name or a list of names); subclasses implement `tensors_to_item(keys_to_tensors)`."""

    def __init__(self, keys):
        self._keys = [keys] if isinstance(keys, str) else list(keys)

    @property
    def keys(self):
        return self._keys

    def tensors_to_item(self, keys_to_tensors):
        """The item built from {feature key: parsed tensor} for this handler's keys."""
        raise NotImplementedError("%s does not implement tensors_to_item()" % type(self).__name__)


class ItemHandlerCallback(ItemHandler):
    """`slim.tfexample_decoder.ItemHandlerCallback(keys, func)`: the item is `func(keys_to_tensors)`."""

    def __init__(self, keys, func):
        super().__init__(keys)
        self._func = func

    def tensors_to_item(self, keys_to_tensors):
        return self._func(keys_to_tensors)


def _dense_values(tensor):
    return tensor.values if isinstance(tensor, SparseTensor) else tensor


class Tensor(ItemHandler):
    """`slim.tfexample_decoder.Tensor(tensor_key, shape_keys=None, shape=None, default_value=0)`: the
    feature `tensor_key`, densified (a VarLenFeature's missing entries become `default_value`) and
    reshaped to `shape`, or to the shape read from the features `shape_keys`. ValueError when both
    are given."""

    def __init__(self, tensor_key, shape_keys=None, shape=None, default_value=0):
        if shape_keys and shape is not None:
            raise ValueError("Cannot specify both shape_keys and shape parameters.")
        shape_keys = [shape_keys] if isinstance(shape_keys, str) else list(shape_keys or [])
        super().__init__([tensor_key] + shape_keys)
        self._tensor_key = tensor_key
        self._shape_keys = shape_keys
        self._shape = shape
        self._default_value = default_value

    def tensors_to_item(self, keys_to_tensors):
        tensor = keys_to_tensors[self._tensor_key]
        shape = self._shape
        if self._shape_keys:
            dims = [tf.reshape(_dense_values(keys_to_tensors[key]), [-1]) for key in self._shape_keys]
            shape = tf.reshape(tf.concat(dims, 0), [-1])
        if isinstance(tensor, SparseTensor):
            if shape is not None:
                tensor = tf.sparse_reshape(tensor, shape)
            return tf.sparse_tensor_to_dense(tensor, self._default_value)
        return tensor if shape is None else tf.reshape(tensor, shape)


class LookupTensor(Tensor):
    """`slim.tfexample_decoder.LookupTensor(tensor_key, table, shape_keys=None, shape=None,
    default_value='')`: a Tensor item mapped through the lookup `table` (e.g. class names to ids)."""

    def __init__(self, tensor_key, table, shape_keys=None, shape=None, default_value=""):
        super().__init__(tensor_key, shape_keys, shape, default_value)
        self._table = table

    def tensors_to_item(self, keys_to_tensors):
        return self._table.lookup(super().tensors_to_item(keys_to_tensors))


class BackupHandler(ItemHandler):
    """`slim.tfexample_decoder.BackupHandler(handler, backup)`: `handler`'s item, or `backup`'s when that
    item is empty (for features only some records have). TypeError unless both are ItemHandlers."""

    def __init__(self, handler, backup):
        if not isinstance(handler, ItemHandler) or not isinstance(backup, ItemHandler):
            raise TypeError("Primary handler and backup handler must be ItemHandlers, got %s and %s"
                            % (type(handler).__name__, type(backup).__name__))
        super().__init__(handler.keys + backup.keys)
        self._handler = handler
        self._backup = backup

    def tensors_to_item(self, keys_to_tensors):
        item = self._handler.tensors_to_item(keys_to_tensors)
        return tf.cond(tf.greater(tf.size(item), 0), lambda: item,
                       lambda: self._backup.tensors_to_item(keys_to_tensors))


class BoundingBox(ItemHandler):
    """`slim.tfexample_decoder.BoundingBox(keys=None, prefix='')`: the [num_boxes, 4] boxes built from
    the four coordinate features prefix + ('ymin', 'xmin', 'ymax', 'xmax') (or the four `keys`).
    ValueError unless there are exactly four keys."""

    def __init__(self, keys=None, prefix=""):
        keys = list(keys) if keys is not None else ["ymin", "xmin", "ymax", "xmax"]
        if len(keys) != 4:
            raise ValueError("BoundingBox expects 4 keys but got %d: %s" % (len(keys), keys))
        self._prefix = prefix
        super().__init__([prefix + key for key in keys])

    def tensors_to_item(self, keys_to_tensors):
        sides = [tf.expand_dims(_dense_values(keys_to_tensors[key]), 0) for key in self.keys]
        return tf.transpose(tf.concat(sides, 0))


_RAW_FORMATS = ("raw", "RAW")


class Image(ItemHandler):
    """`slim.tfexample_decoder.Image(image_key=None, format_key=None, shape=None, channels=3,
    dtype=tf.uint8, repeated=False, dct_method='INTEGER_ACCURATE')`: the image decoded from the buffer
    feature `image_key` ('image/encoded') per the format feature `format_key` ('image/format'): JPEG,
    PNG, GIF and BMP buffers by tf.image.decode_image with `channels` (and `dtype`), 'raw' buffers by
    tf.decode_raw into `dtype`, which needs `shape`. The result is [height, width, channels], reshaped to
    `shape` when given; with repeated=True the buffer feature is a list of images, decoded one by one.
    (`dct_method` is accepted for compatibility: numflow's JPEG decoder has one method.)"""

    def __init__(self, image_key=None, format_key=None, shape=None, channels=3, dtype=tf.uint8, repeated=False,
                 dct_method="INTEGER_ACCURATE"):
        image_key = image_key or "image/encoded"
        format_key = format_key or "image/format"
        super().__init__([image_key, format_key])
        self._image_key = image_key
        self._format_key = format_key
        self._shape = shape
        self._channels = channels
        self._dtype = dtype
        self._repeated = repeated
        self._dct_method = dct_method

    def tensors_to_item(self, keys_to_tensors):
        image_buffer = keys_to_tensors[self._image_key]
        image_format = keys_to_tensors[self._format_key]
        if self._repeated:
            return tf.map_fn(lambda buffer: self._decode(buffer, image_format), image_buffer, dtype=self._dtype)
        return self._decode(image_buffer, image_format)

    def _decode(self, image_buffer, image_format):
        def decode_encoded():
            image = tf.image.decode_image(image_buffer, channels=self._channels, dtype=self._dtype,
                                          expand_animations=False)
            return tf.reshape(image, self._shape) if self._shape is not None else image

        if self._shape is None:
            image = decode_encoded()  # a raw buffer cannot be decoded without its shape
        else:
            def decode_raw():
                return tf.reshape(tf.decode_raw(image_buffer, out_type=self._dtype), self._shape)
            is_raw = tf.reduce_any(tf.equal(image_format, list(_RAW_FORMATS)))
            image = tf.cond(is_raw, decode_raw, decode_encoded)
        if self._shape is None:
            image.set_shape([None, None, self._channels])
        else:
            image.set_shape(self._shape)
        return image


class TFExampleDecoder(DataDecoder):
    """`slim.tfexample_decoder.TFExampleDecoder(keys_to_features, items_to_handlers)`: decodes one
    serialized tf.train.Example: parses it with `keys_to_features` (as tf.parse_single_example), then
    builds each requested item with its handler from `items_to_handlers`."""

    def __init__(self, keys_to_features, items_to_handlers):
        self._keys_to_features = dict(keys_to_features)
        self._items_to_handlers = dict(items_to_handlers)

    def list_items(self):
        """The item names, in the order of items_to_handlers."""
        return list(self._items_to_handlers)

    def decode(self, serialized_example, items=None):
        """The tensors of `items` (all items when None) decoded from the scalar string
        `serialized_example`. KeyError for an unknown item or a handler key that is not a feature."""
        example = tf.parse_single_example(tf.reshape(serialized_example, []), self._keys_to_features)
        outputs = []
        for item in items or self.list_items():
            if item not in self._items_to_handlers:
                raise KeyError("'%s' is not an item of this decoder; its items are %s" % (item, self.list_items()))
            handler = self._items_to_handlers[item]
            missing = [key for key in handler.keys if key not in example]
            if missing:
                raise KeyError("The handler of item '%s' needs features %s that keys_to_features does not parse"
                               % (item, missing))
            outputs.append(handler.tensors_to_item({key: example[key] for key in handler.keys}))
        return outputs
