"""`tf.keras.layers.Layer`: the base of every Keras layer and model, on numflow's graph.

A layer is named when constructed ('dense', 'dense_1', ... per graph, as Keras does). Its first call
builds it inside `tf.name_scope(layer.name)`, so its variables are 'dense/kernel:0', 'dense/bias:0'; they
are ordinary graph variables (GLOBAL_VARIABLES, and TRAINABLE_VARIABLES when trainable) that a
`tf.train` optimizer and `tf.train.Saver` see. Every call records a `Node` (the input and output tensors)
and tags each output tensor with `_keras_history = (layer, node_index, tensor_index)`: the functional
`Model(inputs, outputs)` walks that history to find its layers.

Layers assigned as attributes of a layer (or a model) are tracked: their weights, losses and updates are
the owner's too.
"""
import inspect
import re

import numpy as np

from ...framework import dtypes
from ...framework.graph import Tensor, control_dependencies, convert_to_tensor, name_scope
from ...framework.tensor_shape import TensorShape
from .. import backend
from . import nest
from .input_spec import InputSpec, assert_input_compatibility

__all__ = ["Layer", "Node", "InputSpec"]

_ALLOWED_KWARGS = {"input_shape", "batch_input_shape", "batch_size", "weights", "activity_regularizer",
                   "autocast", "input_dim", "input_length"}


def to_snake_case(name):
    """'Conv2DTranspose' -> 'conv2d_transpose' (how Keras names layers after their class)."""
    first = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    snake = re.sub("([a-z])([A-Z])", r"\1_\2", first).lower()
    return "private" + snake if snake[0] == "_" else snake


class Node:
    """One call of a layer: the tensors it took (`input_tensors`) and made (`output_tensors`), the
    layers that made its inputs, and the keyword `arguments` of the call."""

    def __init__(self, outbound_layer, input_tensors, output_tensors, arguments=None):
        self.outbound_layer = outbound_layer
        self.input_tensors = input_tensors
        self.output_tensors = output_tensors
        self.arguments = dict(arguments or {})
        self.inbound_layers, self.node_indices, self.tensor_indices = [], [], []
        for x in nest.flatten(input_tensors):
            history = getattr(x, "_keras_history", None)
            if history is not None:
                layer, node_index, tensor_index = history
                self.inbound_layers.append(layer)
                self.node_indices.append(node_index)
                self.tensor_indices.append(tensor_index)
                layer._outbound_nodes.append(self)
        outbound_layer._inbound_nodes.append(self)
        self.input_shapes = nest.map_structure(lambda t: t.shape, input_tensors)
        self.output_shapes = nest.map_structure(lambda t: t.shape, output_tensors)

    def iterate_inbound(self):
        """(layer, node_index, tensor_index, tensor) for each input that came from a Keras layer."""
        keras_inputs = [x for x in nest.flatten(self.input_tensors) if hasattr(x, "_keras_history")]
        return list(zip(self.inbound_layers, self.node_indices, self.tensor_indices, keras_inputs))


def _shape_tuple(shape):
    if isinstance(shape, TensorShape):
        return None if shape.dims is None else tuple(shape.as_list())
    return shape


class Layer:
    """`tf.keras.layers.Layer(trainable=True, name=None, dtype=None, dynamic=False, **kwargs)`.

    Subclasses implement `build(input_shape)` (create weights with `add_weight`), `call(inputs, **kwargs)`
    (the computation, on tensors), optionally `compute_output_shape`, `compute_mask` and `get_config`.
    Keyword arguments every layer accepts: `input_shape` / `batch_input_shape` / `batch_size` (for the
    first layer of a Sequential model), `weights` (initial values set after build),
    `activity_regularizer`.
    """

    def __init__(self, trainable=True, name=None, dtype=None, dynamic=False, **kwargs):
        unknown = set(kwargs) - _ALLOWED_KWARGS
        if unknown:
            raise TypeError("Keyword argument not understood:", sorted(unknown)[0])
        self._layers = []
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._updates = []
        self._losses = []
        self._callable_losses = []
        self._metrics = []
        self._inbound_nodes = []
        self._outbound_nodes = []
        self.trainable = trainable
        self.built = False
        self.supports_masking = False
        self.stateful = False
        self._dynamic = dynamic
        self.input_spec = None
        self._dtype = None if dtype is None else dtypes.as_dtype(dtype).base_dtype.name
        self._init_set_name(name)
        self._activity_regularizer = kwargs.pop("activity_regularizer", None)
        if isinstance(self._activity_regularizer, (str, dict)):
            from .. import regularizers
            self._activity_regularizer = regularizers.get(self._activity_regularizer)
        self._initial_weights = kwargs.pop("weights", None)
        self._autocast = kwargs.pop("autocast", True)
        if "input_shape" in kwargs or "batch_input_shape" in kwargs:
            if "batch_input_shape" in kwargs:
                batch_input_shape = tuple(kwargs["batch_input_shape"])
            else:
                batch_input_shape = (kwargs.get("batch_size"),) + tuple(kwargs["input_shape"])
            self._batch_input_shape = batch_input_shape
        self._call_arg_names = self._call_argument_names()

    # --- names ------------------------------------------------------------------------------------
    def _init_set_name(self, name, zero_based=True):
        if name is None:
            self._name = backend.unique_object_name(to_snake_case(type(self).__name__), zero_based=zero_based)
        else:
            if not isinstance(name, str):
                raise TypeError("Layer name must be a string, got %r" % (name,))
            self._name = name

    @property
    def name(self):
        return self._name

    def _name_scope(self):
        return self._name

    def _call_argument_names(self):
        try:
            parameters = inspect.signature(self.call).parameters
        except (TypeError, ValueError):
            return set()
        return set(parameters)

    @property
    def dtype(self):
        return self._dtype

    @property
    def dynamic(self):
        return self._dynamic

    @property
    def activity_regularizer(self):
        return self._activity_regularizer

    @activity_regularizer.setter
    def activity_regularizer(self, regularizer):
        self._activity_regularizer = regularizer

    # --- tracking sub-layers ----------------------------------------------------------------------
    def __setattr__(self, name, value):
        layers = self.__dict__.get("_layers")
        if layers is not None and not name.startswith("_"):
            for item in (value if isinstance(value, (list, tuple)) else [value]):
                if isinstance(item, Layer) and item is not self and all(item is not x for x in layers):
                    layers.append(item)
        object.__setattr__(self, name, value)

    def _flatten_layers(self):
        """This layer's tracked sub-layers, depth first, each once."""
        seen, order = set(), []

        def visit(layer):
            for sub in layer._layers:
                if id(sub) not in seen:
                    seen.add(id(sub))
                    order.append(sub)
                    visit(sub)
        visit(self)
        return order

    # --- weights ----------------------------------------------------------------------------------
    def add_weight(self, name=None, shape=None, dtype=None, initializer=None, regularizer=None,
                   trainable=None, constraint=None, partitioner=None, use_resource=None,
                   synchronization=None, aggregation=None, **kwargs):
        """A new graph variable `name` of `shape`, made in the layer's name scope and tracked as one of
        its weights. `initializer` (default: glorot_uniform for floats, zeros otherwise), `regularizer`
        (its loss joins `layer.losses`) and `constraint` (applied by Keras optimizers after each update)
        accept objects or Keras' string names."""
        from ...variables import Variable
        from .. import constraints as keras_constraints
        from .. import initializers as keras_initializers
        from .. import regularizers as keras_regularizers
        unknown = set(kwargs) - {"getter", "collections", "experimental_autocast", "caching_device"}
        if unknown:
            raise TypeError("Unknown keyword argument:", sorted(unknown)[0])
        shape = () if shape is None else tuple(shape)
        dtype = dtypes.as_dtype(dtype or self.dtype or backend.floatx())
        if initializer is None:
            initializer = "glorot_uniform" if dtype.is_floating else "zeros"
            if not (dtype.is_floating or dtype.is_integer or dtype.is_bool):
                raise ValueError("An initializer for variable %s of type %s is required for layer %s"
                                 % (name, dtype.name, self.name))
        initializer = keras_initializers.get(initializer)
        regularizer = keras_regularizers.get(regularizer)
        constraint = keras_constraints.get(constraint)
        trainable = True if trainable is None else bool(trainable)
        dims = [int(d) if d is not None else None for d in
                (s.value if hasattr(s, "value") else s for s in shape)]
        if any(d is None for d in dims):
            raise ValueError("Shape of variable %s of layer %s must be fully defined, got %s"
                             % (name, self.name, shape))
        with control_dependencies(None):
            variable = Variable(lambda: initializer(dims, dtype=dtype), name=name, dtype=dtype,
                                trainable=trainable, constraint=constraint,
                                collections=kwargs.get("collections"))
        variable._keras_layer_name = self.name
        (self._trainable_weights if trainable else self._non_trainable_weights).append(variable)
        if regularizer is not None:
            with name_scope(name + "/Regularizer"):
                self._losses.append(regularizer(variable))
        return variable

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        weights = list(self._trainable_weights)
        for layer in self._layers:
            weights += layer.trainable_weights
        return _dedupe(weights)

    @property
    def non_trainable_weights(self):
        if self.trainable:
            weights = list(self._non_trainable_weights)
            for layer in self._layers:
                weights += layer.non_trainable_weights
        else:
            weights = list(self._trainable_weights) + list(self._non_trainable_weights)
            for layer in self._layers:
                weights += layer.weights
        return _dedupe(weights)

    @property
    def weights(self):
        """trainable_weights + non_trainable_weights (Keras' order, the order of `get_weights`)."""
        return _dedupe(self.trainable_weights + self.non_trainable_weights)

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights
    variables = weights

    def get_weights(self):
        """The values of `weights` as a list of NumPy arrays (from the Keras session)."""
        return backend.batch_get_value(self.weights)

    def set_weights(self, weights):
        """Sets `weights` from a list of NumPy arrays with the same count and shapes as `get_weights()`."""
        params = self.weights
        if len(params) != len(weights):
            raise ValueError('You called `set_weights(weights)` on layer "%s" with a  weight list of length '
                             '%d, but the layer was expecting %d weights. Provided weights: %s...'
                             % (self.name, len(weights), len(params), str(weights)[:50]))
        pairs = []
        for variable, value in zip(params, weights):
            value = np.asarray(value)
            expected = tuple(variable.shape.as_list())
            if tuple(value.shape) != expected:
                raise ValueError("Layer weight shape %s not compatible with provided weight shape %s"
                                 % (expected, value.shape))
            pairs.append((variable, value))
        backend.batch_set_value(pairs)

    def count_params(self):
        """The number of scalars in the layer's weights."""
        if not self.built:
            raise ValueError("You tried to call `count_params` on " + self.name + ", but the layer isn't "
                             "built. You can build it manually via: `" + self.name +
                             ".build(batch_input_shape)`.")
        return int(sum(np.prod(w.shape.as_list(), dtype=np.int64) for w in self.weights))

    # --- losses, updates, metrics -----------------------------------------------------------------
    @property
    def losses(self):
        """Regularization and `add_loss` losses of this layer and its sub-layers (tensors)."""
        losses = list(self._losses)
        for fn in self._callable_losses:
            loss = fn()
            if loss is not None:
                losses.append(loss)
        for layer in self._layers:
            losses += layer.losses
        return _dedupe(losses)

    def add_loss(self, losses, inputs=None):
        """Adds loss tensors (or zero-argument callables returning them) to `layer.losses`."""
        for loss in nest.to_list(losses):
            if callable(loss) and not isinstance(loss, Tensor):
                self._callable_losses.append(loss)
            elif loss is not None:
                self._losses.append(convert_to_tensor(loss, dtype=backend.floatx())
                                    if not isinstance(loss, Tensor) else loss)

    @property
    def updates(self):
        """Ops (e.g. BatchNormalization's moving averages) that `fit` runs with each training step."""
        updates = list(self._updates)
        for layer in self._layers:
            updates += layer.updates
        return _dedupe(updates)

    def add_update(self, updates, inputs=None):
        """Adds update ops (or (variable, new value) pairs) that training runs after each step."""
        for update in nest.to_list(updates):
            if callable(update) and not isinstance(update, (Tensor,)) and not hasattr(update, "run"):
                update = update()
            if isinstance(update, tuple):
                update = update[0].assign(update[1])
            self._updates.append(update)

    def get_updates_for(self, inputs):
        return self.updates

    def get_losses_for(self, inputs):
        return self.losses

    @property
    def metrics(self):
        metrics = list(self._metrics)
        for layer in self._layers:
            metrics += layer.metrics
        return metrics

    def add_metric(self, value, aggregation=None, name=None):
        """Reports `value` (a tensor) under `name` in Keras' training logs."""
        self._metrics.append((name or "metric_%d" % len(self._metrics), value))

    # --- building and calling ---------------------------------------------------------------------
    def build(self, input_shape):
        """Creates the layer's weights for inputs of `input_shape` (a TensorShape, or a list of them)."""
        self.built = True

    def call(self, inputs, **kwargs):
        """The layer's computation on `inputs` (tensors); the base layer returns them unchanged."""
        return inputs

    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs: `mask` passed through when the layer supports masking, else None."""
        if not self.supports_masking:
            if mask is not None and any(m is not None for m in nest.flatten(mask)):
                raise TypeError("Layer " + self.name + " does not support masking, but was passed an "
                                "input_mask: " + str(mask))
            return None
        return mask

    def compute_output_shape(self, input_shape):
        """The output shape for `input_shape`, read from a call of the built layer on that shape."""
        for node in self._inbound_nodes:
            if nest.map_structure(_shape_tuple, node.input_shapes) == \
                    nest.map_structure(_shape_tuple, input_shape):
                return node.output_shapes
        raise NotImplementedError("Layer %s does not implement compute_output_shape for input shape %s"
                                  % (type(self).__name__, input_shape))

    def _maybe_build(self, inputs):
        if self.built:
            return
        if self._dtype is None:
            first = nest.flatten(inputs)[0]
            dtype = getattr(first, "dtype", None)
            self._dtype = dtype.base_dtype.name if dtype is not None and dtype.is_floating else backend.floatx()
            if _v2_dtype_behavior():
                self._dtype = backend.floatx()
        input_shapes = nest.map_structure(lambda x: x.shape, inputs)
        assert_input_compatibility(self.input_spec, inputs, self.name)
        self.build(input_shapes)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def __call__(self, inputs, *args, **kwargs):
        """Builds the layer on its first call, runs `call` in the layer's name scope and records the call
        (a `Node`) for the functional API."""
        inputs = nest.map_structure(_to_tensor, inputs)
        if self._autocast and _v2_dtype_behavior():
            if self._dtype is None:
                self._dtype = backend.floatx()
            inputs = nest.map_structure(lambda x: _autocast(x, self._dtype), inputs)
        flat_inputs = nest.flatten(inputs)
        if "mask" in self._call_arg_names and "mask" not in kwargs:
            masks = [getattr(x, "_keras_mask", None) for x in flat_inputs]
            if any(m is not None for m in masks):
                kwargs["mask"] = nest.unwrap_single(masks) if isinstance(inputs, (list, tuple)) else masks[0]
        if "training" in self._call_arg_names and kwargs.get("training") is None \
                and backend.global_learning_phase_is_set():
            kwargs["training"] = backend.learning_phase()
        graph = flat_inputs[0].graph if flat_inputs and isinstance(flat_inputs[0], Tensor) else None
        context = graph.as_default() if graph is not None else _null_context()
        with context, name_scope(self._name_scope()):
            if not self.built:
                self._maybe_build(inputs)
            assert_input_compatibility(self.input_spec, inputs, self.name)
            outputs = self.call(inputs, *args, **kwargs)
            if outputs is None:
                raise ValueError("A layer's `call` method should return a Tensor or a list of Tensors, not "
                                 "None (layer: " + self.name + ").")
            outputs = self._fresh_outputs(outputs, flat_inputs)
            if self._activity_regularizer is not None:
                with name_scope("ActivityRegularizer"):
                    for output in nest.flatten(outputs):
                        loss = self._activity_regularizer(output)
                        batch = _batch_size_float(output)
                        self._losses.append(loss / batch if batch is not None else loss)
            previous_mask = kwargs.get("mask")
            if previous_mask is None and "mask" not in self._call_arg_names:
                masks = [getattr(x, "_keras_mask", None) for x in flat_inputs]
                previous_mask = None if all(m is None for m in masks) else \
                    (nest.unwrap_single(masks) if isinstance(inputs, (list, tuple)) else masks[0])
            output_mask = self.compute_mask(inputs, previous_mask)
        flat_outputs = nest.flatten(outputs)
        flat_masks = nest.flatten(output_mask) if isinstance(output_mask, (list, tuple)) \
            else [output_mask] * len(flat_outputs)
        for output, mask in zip(flat_outputs, flat_masks):
            if isinstance(output, Tensor):
                output._keras_mask = mask
        arguments = {k: v for k, v in kwargs.items()}
        if args:
            arguments["_positional"] = args
        node = Node(self, inputs, outputs, arguments)
        node_index = len(self._inbound_nodes) - 1
        for index, output in enumerate(flat_outputs):
            if isinstance(output, Tensor):
                output._keras_history = (self, node_index, index)
        return outputs

    def _fresh_outputs(self, outputs, flat_inputs):
        """Outputs that are one of the inputs get an Identity, so tagging them leaves the input's Keras
        history intact."""
        from ...ops.control import identity
        ids = {id(x) for x in flat_inputs}
        return nest.map_structure(lambda t: identity(t) if id(t) in ids else t, outputs)

    def apply(self, inputs, *args, **kwargs):
        return self.__call__(inputs, *args, **kwargs)

    # --- the functional API's view of calls -------------------------------------------------------
    def _node_attribute(self, attribute, node_index, what):
        if not self._inbound_nodes:
            raise AttributeError("Layer " + self.name + " is not connected, no input to return."
                                 if what == "input" else "Layer " + self.name + " has no inbound nodes.")
        if len(self._inbound_nodes) > 1 and node_index is None:
            raise AttributeError("Layer " + self.name + " has multiple inbound nodes, hence the notion of "
                                 '"layer ' + what + '" is ill-defined. Use `get_' + what + '_at(node_index)` '
                                 "instead.")
        return nest.unwrap_single(getattr(self._inbound_nodes[node_index or 0], attribute))

    def get_input_at(self, node_index):
        return self._node_attribute("input_tensors", node_index, "input")

    def get_output_at(self, node_index):
        return self._node_attribute("output_tensors", node_index, "output")

    def get_input_shape_at(self, node_index):
        return nest.map_structure(_shape_tuple, self._node_attribute("input_shapes", node_index, "input"))

    def get_output_shape_at(self, node_index):
        return nest.map_structure(_shape_tuple, self._node_attribute("output_shapes", node_index, "output"))

    @property
    def input(self):
        return self._node_attribute("input_tensors", None, "input")

    @property
    def output(self):
        return self._node_attribute("output_tensors", None, "output")

    @property
    def input_shape(self):
        shapes = {repr(nest.map_structure(_shape_tuple, n.input_shapes)) for n in self._inbound_nodes}
        if not self._inbound_nodes:
            raise AttributeError("The layer has never been called and thus has no defined input shape.")
        if len(shapes) > 1:
            raise AttributeError('The layer "' + self.name + '" has multiple inbound nodes, with different '
                                 'input shapes. Hence the notion of "input shape" is ill-defined for the '
                                 "layer. Use `get_input_shape_at(node_index)` instead.")
        return self.get_input_shape_at(0)

    @property
    def output_shape(self):
        if not self._inbound_nodes:
            raise AttributeError("The layer has never been called and thus has no defined output shape.")
        shapes = {repr(nest.map_structure(_shape_tuple, n.output_shapes)) for n in self._inbound_nodes}
        if len(shapes) > 1:
            raise AttributeError('The layer "' + self.name + '" has multiple inbound nodes, with different '
                                 'output shapes. Hence the notion of "output shape" is ill-defined for the '
                                 "layer. Use `get_output_shape_at(node_index)` instead.")
        return self.get_output_shape_at(0)

    @property
    def input_mask(self):
        return nest.map_structure(lambda t: getattr(t, "_keras_mask", None), self.input)

    @property
    def output_mask(self):
        return nest.map_structure(lambda t: getattr(t, "_keras_mask", None), self.output)

    @property
    def inbound_nodes(self):
        return self._inbound_nodes

    @property
    def outbound_nodes(self):
        return self._outbound_nodes

    # --- configuration ----------------------------------------------------------------------------
    def get_config(self):
        """The constructor arguments that rebuild this layer (`type(layer).from_config(config)`)."""
        config = {"name": self.name, "trainable": self.trainable}
        if hasattr(self, "_batch_input_shape"):
            config["batch_input_shape"] = self._batch_input_shape
        config["dtype"] = self.dtype
        own_init = type(self).__init__
        if own_init is not Layer.__init__ and type(self).get_config is Layer.get_config:
            extra = [p for p in inspect.signature(own_init).parameters
                     if p not in ("self", "args", "kwargs", "name", "trainable", "dtype")]
            if extra:
                raise NotImplementedError("Layer %s has arguments in `__init__` and therefore must override "
                                          "`get_config`." % type(self).__name__)
        return config

    @classmethod
    def from_config(cls, config):
        """A new layer from `get_config()`'s dictionary."""
        return cls(**config)

    def __repr__(self):
        return "<%s.%s object name=%r>" % (type(self).__module__, type(self).__name__, self.name)


class _null_context:  # noqa: N801
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _to_tensor(value):
    if isinstance(value, Tensor) or value is None:
        return value
    if hasattr(value, "_as_graph_element"):
        return value._as_graph_element() if not hasattr(value, "value") else value.value()
    if hasattr(value, "indices") and hasattr(value, "dense_shape"):  # SparseTensor passes through
        return value
    return convert_to_tensor(value)


def _v2_dtype_behavior():
    """Whether `tf.keras.layers.enable_v2_dtype_behavior()` is in force."""
    from ..layers.serialization import v2_dtype_behavior_enabled
    return v2_dtype_behavior_enabled()


def _autocast(x, dtype):
    """Floating tensors cast to the layer's floating dtype (V2 dtype behaviour); others unchanged."""
    from ...ops.math import cast
    target = dtypes.as_dtype(dtype)
    if isinstance(x, Tensor) and x.dtype.is_floating and target.is_floating and x.dtype.base_dtype != target:
        return cast(x, target)
    return x


def _batch_size_float(tensor):
    from ...ops.array import shape as _shape
    from ...ops.math import cast
    if tensor.shape.ndims is None or tensor.shape.ndims == 0:
        return None
    return cast(_shape(tensor)[0], tensor.dtype.base_dtype)


def _dedupe(items):
    seen, out = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out
