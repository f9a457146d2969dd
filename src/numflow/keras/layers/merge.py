"""`tf.keras.layers` merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot)
and their functional forms add(), subtract(), ... (TF 1.15's tf.keras)."""
import numpy as np

import numflow as tf

from ...framework.tensor_shape import TensorShape
from ..engine.base_layer import Layer
import numflow.keras.layers._layer_utils as utils
from .core import merged_config

__all__ = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot", "add",
           "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"]


def _shapes(input_shape):
    if not isinstance(input_shape, (list, tuple)) or not utils.is_shape_list(input_shape):
        raise ValueError("A merge layer should be called on a list of inputs.")
    return [None if TensorShape(s).dims is None else TensorShape(s).as_list() for s in input_shape]


class _Merge(Layer):
    """Elementwise merge of a list of tensors; shapes broadcast like NumPy after the batch axis, and a
    lower-rank input gets size-1 axes after its batch axis."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _merge_function(self, inputs):
        raise NotImplementedError

    @staticmethod
    def _elementwise_shape(shape1, shape2):
        if shape1 is None or shape2 is None:
            return None
        if len(shape1) < len(shape2):
            return _Merge._elementwise_shape(shape2, shape1)
        if not shape2:
            return list(shape1)
        output = list(shape1[:-len(shape2)])
        for i, j in zip(shape1[-len(shape2):], shape2):
            if i is None or j is None:
                output.append(None)
            elif i == 1:
                output.append(j)
            elif j == 1:
                output.append(i)
            elif i != j:
                raise ValueError("Operands could not be broadcast together with shapes " + str(tuple(shape1))
                                 + " " + str(tuple(shape2)))
            else:
                output.append(i)
        return output

    def _check_count(self, shapes):
        if len(shapes) < 2:
            raise ValueError("A merge layer should be called on a list of at least 2 inputs. Got %d inputs."
                             % len(shapes))

    def build(self, input_shape):
        shapes = _shapes(input_shape)
        self._check_count(shapes)
        batch_sizes = {s[0] for s in shapes if s is not None and s[0] is not None}
        if len(batch_sizes) > 1:
            raise ValueError("Can not merge tensors with different batch sizes. Got tensors with shapes : "
                             + str([tuple(s) if s is not None else None for s in shapes]))
        self.compute_output_shape(input_shape)
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("A merge layer should be called on a list of inputs.")
        ranks = [x.shape.ndims for x in inputs]
        if None not in ranks and len(set(ranks)) > 1:
            top = max(ranks)
            expanded = []
            for x, rank in zip(inputs, ranks):
                for _ in range(top - rank):
                    x = tf.expand_dims(x, 1)
                expanded.append(x)
            inputs = expanded
        return self._merge_function(list(inputs))

    def compute_output_shape(self, input_shape):
        shapes = _shapes(input_shape)
        output = shapes[0][1:] if shapes[0] is not None else None
        for shape in shapes[1:]:
            output = self._elementwise_shape(output, shape[1:] if shape is not None else None)
        batch = {s[0] for s in shapes if s is not None and s[0] is not None}
        if output is None:
            return TensorShape(None)
        return TensorShape([batch.pop() if len(batch) == 1 else None] + list(output))

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)):
            raise ValueError("`mask` should be a list.")
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("`inputs` should be a list.")
        if len(mask) != len(inputs):
            raise ValueError("The lists `inputs` and `mask` should have the same length.")
        masks = [m for m in mask if m is not None]
        if not masks:
            return None
        result = masks[0]
        for m in masks[1:]:
            result = tf.logical_and(result, m)
        return result

    def get_config(self):
        return Layer.get_config(self)


class Add(_Merge):
    """`Add()`: the elementwise sum of a list of tensors."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output


class Subtract(_Merge):
    """`Subtract()`: inputs[0] - inputs[1] (exactly two inputs)."""

    def _check_count(self, shapes):
        if len(shapes) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs")

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs")
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """`Multiply()`: the elementwise product of a list of tensors."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output * x
        return output


class Average(_Merge):
    """`Average()`: the elementwise mean of a list of tensors."""

    def _merge_function(self, inputs):
        return Add._merge_function(self, inputs) / len(inputs)


class Maximum(_Merge):
    """`Maximum()`: the elementwise maximum of a list of tensors."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = tf.maximum(output, x)
        return output


class Minimum(_Merge):
    """`Minimum()`: the elementwise minimum of a list of tensors."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = tf.minimum(output, x)
        return output


class Concatenate(_Merge):
    """`Concatenate(axis=-1)`: joins a list of tensors along `axis`; their other axes must match. Masks
    are joined too (an unmasked input counts as all-True)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def _error(self, shapes):
        return ValueError("A `Concatenate` layer requires inputs with matching shapes except for the concat "
                          "axis. Got inputs shapes: %s" % ([tuple(s) if s is not None else None for s in shapes],))

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not utils.is_shape_list(input_shape) or \
                len(input_shape) < 2:
            raise ValueError("A `Concatenate` layer should be called on a list of at least 2 inputs")
        shapes = _shapes(input_shape)
        known = [s for s in shapes if s is not None]
        if known:
            rank = len(known[0])
            if any(len(s) != rank for s in known):
                raise self._error(shapes)
            axis = self.axis % rank
            for position in range(rank):
                if position == axis:
                    continue
                sizes = {s[position] for s in known if s[position] is not None}
                if len(sizes) > 1:
                    raise self._error(shapes)
        self.built = True

    def _merge_function(self, inputs):
        return tf.concat(inputs, axis=self.axis)

    def call(self, inputs):
        return self._merge_function(list(inputs))

    def compute_output_shape(self, input_shape):
        shapes = _shapes(input_shape)
        if any(s is None for s in shapes):
            return TensorShape(None)
        output = list(shapes[0])
        axis = self.axis % len(output)
        for shape in shapes[1:]:
            if output[axis] is None or shape[axis] is None:
                output[axis] = None
            else:
                output[axis] += shape[axis]
            for position in range(len(output)):
                if position != axis and output[position] is None:
                    output[position] = shape[position]
        return TensorShape(output)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)) or not isinstance(inputs, (list, tuple)) or \
                len(mask) != len(inputs):
            raise ValueError("`mask` should be a list of the same length as `inputs`; got inputs %s and mask %s"
                             % (inputs, mask))
        if all(m is None for m in mask):
            return None
        masks = []
        # an unmasked input's all-True mask takes the shape the other (per-step) masks have after expansion
        per_step = any(m is not None and m.shape.ndims is not None and x.shape.ndims is not None
                       and m.shape.ndims < x.shape.ndims for x, m in zip(inputs, mask))
        for x, m in zip(inputs, mask):
            if m is None:
                masks.append(tf.ones_like(x[..., :1] if per_step else x, dtype=tf.bool))
            elif m.shape.ndims is not None and x.shape.ndims is not None and m.shape.ndims < x.shape.ndims:
                masks.append(tf.expand_dims(m, -1))
            else:
                masks.append(m)
        return tf.reduce_all(tf.concat(masks, axis=self.axis), axis=-1)

    def get_config(self):
        return merged_config(self, Layer, {"axis": self.axis})


def batch_dot(x, y, axes):
    """Per-sample dot product of `x` and `y` contracting axis axes[0] of x with axes[1] of y (axes
    count the batch axis as 0); a rank-1 result gets a trailing size-1 axis, as Keras' batch_dot."""
    x_shape, y_shape = x.shape.as_list(), y.shape.as_list()
    ax, ay = axes
    x_rest = [d for i, d in enumerate(x_shape) if i not in (0, ax)]
    y_rest = [d for i, d in enumerate(y_shape) if i not in (0, ay)]
    if None in x_rest + y_rest + [x_shape[ax], y_shape[ay]]:
        raise ValueError("batch_dot needs every non-batch axis defined; got shapes %s and %s" % (x_shape, y_shape))
    x_perm = [0] + [i for i in range(1, len(x_shape)) if i != ax] + [ax]
    y_perm = [0, ay] + [i for i in range(1, len(y_shape)) if i != ay]
    x2 = tf.reshape(tf.transpose(x, x_perm), [-1, int(np.prod(x_rest, dtype=np.int64)), x_shape[ax]])
    y2 = tf.reshape(tf.transpose(y, y_perm), [-1, y_shape[ay], int(np.prod(y_rest, dtype=np.int64))])
    product = tf.matmul(x2, y2)
    out_rest = x_rest + y_rest
    if not out_rest:
        out_rest = [1]
    return tf.reshape(product, [-1] + out_rest)


class Dot(_Merge):
    """`Dot(axes, normalize=False)`: per-sample dot products of two tensors along `axes` (an int, or one
    axis per input; 0 is the batch axis). With `normalize`, both inputs are L2-normalized along those
    axes first, giving cosine similarities."""

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError("Invalid type for `axes` - should be a list or an int.")
            if len(axes) != 2:
                raise ValueError("Invalid format for `axes` - should contain two elements.")
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ValueError("Invalid format for `axes` - list elements should be \"int\".")
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True

    def _resolved_axes(self, shape1, shape2):
        if isinstance(self.axes, int):
            return [self.axes % len(shape1), self.axes % len(shape2)] if self.axes < 0 else \
                [self.axes, self.axes]
        return [self.axes[0] % len(shape1), self.axes[1] % len(shape2)]

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not utils.is_shape_list(input_shape) or \
                len(input_shape) != 2:
            raise ValueError("A `Dot` layer should be called on a list of 2 inputs.")
        shape1, shape2 = _shapes(input_shape)
        if shape1 is None or shape2 is None:
            self.built = True
            return
        axes = self._resolved_axes(shape1, shape2)
        if shape1[axes[0]] != shape2[axes[1]]:
            raise ValueError("Dimension incompatibility %s != %s. Layer shapes: %s, %s"
                             % (shape1[axes[0]], shape2[axes[1]], tuple(shape1), tuple(shape2)))
        self.built = True

    def call(self, inputs):
        if len(inputs) != 2:
            raise ValueError("A `Dot` layer should be called on exactly 2 inputs")
        x1, x2 = inputs
        axes = self._resolved_axes(x1.shape.as_list(), x2.shape.as_list())
        if self.normalize:
            x1 = tf.nn.l2_normalize(x1, axis=axes[0])
            x2 = tf.nn.l2_normalize(x2, axis=axes[1])
        return batch_dot(x1, x2, axes)

    def compute_output_shape(self, input_shape):
        shape1, shape2 = _shapes(input_shape)
        axes = self._resolved_axes(shape1, shape2)
        rest = [d for i, d in enumerate(shape1) if i not in (0, axes[0])] + \
            [d for i, d in enumerate(shape2) if i not in (0, axes[1])]
        return TensorShape([shape1[0]] + (rest or [1]))

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        return merged_config(self, Layer, {"axes": self.axes, "normalize": self.normalize})


def add(inputs, **kwargs):
    """`add(inputs)`: `Add()(inputs)`."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """`subtract([a, b])`: `Subtract()([a, b])`."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """`multiply(inputs)`: `Multiply()(inputs)`."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """`average(inputs)`: `Average()(inputs)`."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """`maximum(inputs)`: `Maximum()(inputs)`."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """`minimum(inputs)`: `Minimum()(inputs)`."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """`concatenate(inputs, axis=-1)`: `Concatenate(axis)(inputs)`."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize=False, **kwargs):
    """`dot([a, b], axes, normalize=False)`: `Dot(axes, normalize)([a, b])`."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
