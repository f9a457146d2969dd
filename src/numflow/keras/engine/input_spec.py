"""`tf.keras.layers.InputSpec` and the input checks a layer makes before calling `call`."""
from ...framework import dtypes
from . import nest


class InputSpec:
    """`tf.keras.layers.InputSpec(dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
    axes=None)`: the rank, dtype and fixed axis sizes a layer accepts for one input."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None):
        self.dtype = dtypes.as_dtype(dtype).name if dtype is not None else None
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}

    def __repr__(self):
        fields = ["dtype=" + str(self.dtype) if self.dtype else "",
                  "shape=" + str(self.shape) if self.shape else "",
                  "ndim=" + str(self.ndim) if self.ndim else "",
                  "max_ndim=" + str(self.max_ndim) if self.max_ndim else "",
                  "min_ndim=" + str(self.min_ndim) if self.min_ndim else "",
                  "axes=" + str(self.axes) if self.axes else ""]
        return "InputSpec(%s)" % ", ".join(f for f in fields if f)

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim, "max_ndim": self.max_ndim,
                "min_ndim": self.min_ndim, "axes": self.axes}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def assert_input_compatibility(input_spec, inputs, layer_name):
    """ValueError in Keras' words when `inputs` break the layer's `input_spec`."""
    if not input_spec:
        return
    specs = nest.flatten(input_spec)
    inputs = nest.flatten(inputs)
    if len(inputs) != len(specs):
        raise ValueError("Layer %s expects %d inputs, but it received %d input tensors. Inputs received: %s"
                         % (layer_name, len(specs), len(inputs), inputs))
    for index, (x, spec) in enumerate(zip(inputs, specs)):
        if spec is None:
            continue
        shape = x.shape
        rank = shape.ndims
        if spec.ndim is not None and rank is not None and rank != spec.ndim:
            raise ValueError("Input %d of layer %s is incompatible with the layer: expected ndim=%d, found "
                             "ndim=%d. Full shape received: %s" % (index, layer_name, spec.ndim, rank,
                                                                   shape.as_list()))
        if spec.max_ndim is not None and rank is not None and rank > spec.max_ndim:
            raise ValueError("Input %d of layer %s is incompatible with the layer: expected max_ndim=%d, "
                             "found ndim=%d" % (index, layer_name, spec.max_ndim, rank))
        if spec.min_ndim is not None and rank is not None and rank < spec.min_ndim:
            raise ValueError("Input %d of layer %s is incompatible with the layer: : expected min_ndim=%d, "
                             "found ndim=%d. Full shape received: %s" % (index, layer_name, spec.min_ndim,
                                                                         rank, shape.as_list()))
        if spec.dtype is not None and x.dtype.base_dtype.name != spec.dtype:
            raise ValueError("Input %d of layer %s is incompatible with the layer: expected dtype=%s, found "
                             "dtype=%s" % (index, layer_name, spec.dtype, x.dtype.name))
        if spec.axes and rank is not None:
            sizes = shape.as_list()
            for axis, value in spec.axes.items():
                size = sizes[axis] if -rank <= axis < rank else None
                if value is not None and size is not None and size != value:
                    raise ValueError("Input %d of layer %s is incompatible with the layer: expected axis %d of "
                                     "input shape to have value %d but received input with shape %s"
                                     % (index, layer_name, axis, value, sizes))
        if spec.shape is not None and rank is not None:
            for expected, actual in zip(spec.shape, shape.as_list()):
                if expected is not None and actual is not None and expected != actual:
                    raise ValueError("Input %d is incompatible with layer %s: expected shape=%s, found shape=%s"
                                     % (index, layer_name, spec.shape, shape.as_list()))
