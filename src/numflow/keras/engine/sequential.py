"""`tf.keras.Sequential`: a linear stack of layers, each called on the previous one's output.

When the first layer knows its input shape (`input_shape=`, `batch_input_shape=`, or an `InputLayer`),
the model is a graph network from the start; otherwise it is built on its first call or `fit`, from the
shape of the data it sees.
"""
from ...framework.graph import Tensor
from . import nest
from .base_layer import Layer
from .input_layer import Input, InputLayer
from .training import Model

__all__ = ["Sequential"]

_SINGLE_OUTPUT = ("All layers in a Sequential model should have a single output tensor. For multi-output layers, "
                  "use the functional API.")


class Sequential(Model):
    """`tf.keras.Sequential(layers=None, name=None)`: `add` appends a layer, `pop` removes the last."""

    def __init__(self, layers=None, name=None):
        self._init_subclassed_network(name=name)
        self._build_input_shape = None
        self._stack = []
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self):
        """The added layers, without the InputLayer at the bottom (as Keras lists them)."""
        layers = list(self._layers) if self._is_graph_network else list(self._stack)
        return layers[1:] if layers and isinstance(layers[0], InputLayer) else layers

    def add(self, layer):
        """Appends `layer` (a Layer, or a Keras tensor from `Input`) to the stack."""
        if isinstance(layer, Tensor) and hasattr(layer, "_keras_history"):
            origin = layer._keras_history[0]
            if isinstance(origin, InputLayer):
                layer = origin
        if not isinstance(layer, Layer):
            raise TypeError("The added layer must be an instance of class Layer. Found: " + str(layer))
        if any(layer.name == existing.name for existing in self._stack):
            raise ValueError('All layers added to a Sequential model should have unique names. Name "%s" is '
                             "already the name of a layer in this model. Update the `name` argument to pass "
                             "a unique name." % layer.name)
        self.built = False
        if not self._stack and not self.outputs:
            if isinstance(layer, InputLayer):
                self._stack.append(layer)
                self._build_input_shape = layer._batch_input_shape   # kept in the config for from_config
                self._finish_graph([layer._inbound_nodes[-1].output_tensors[0]], layer)
                return
            batch_input_shape = getattr(layer, "_batch_input_shape", None)
            if batch_input_shape is None and isinstance(layer, Model) and layer._is_graph_network:
                batch_input_shape = tuple(layer.inputs[0].shape.as_list())
            self._stack.append(layer)
            if batch_input_shape is not None:
                dtype = layer.dtype or None
                x = Input(batch_shape=batch_input_shape, dtype=dtype, name=layer.name + "_input")
                self._finish_graph([x], layer)
            return
        self._stack.append(layer)
        if self.outputs:
            self._finish_graph(self.inputs, layer, self.outputs[0])

    def _finish_graph(self, inputs, layer, previous=None):
        """Calls `layer` on `previous` (or on the input) and makes the model a graph network again."""
        x = previous if previous is not None else inputs[0]
        if not isinstance(layer, InputLayer):
            output = layer(x)
            if len(nest.flatten(output)) != 1:
                self._stack.pop()
                raise TypeError(_SINGLE_OUTPUT)
        else:
            output = x
        self._init_graph_network(inputs, [output], name=self.name)
        self._compile_if_pending()

    def pop(self):
        """Removes the last layer."""
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        self._stack.pop()
        if not self._stack or (len(self._stack) == 1 and isinstance(self._stack[0], InputLayer)
                               and not self.inputs):
            self._reset_to_empty()
            return
        if self._is_graph_network:
            last = self._stack[-1]
            output = self.inputs[0] if isinstance(last, InputLayer) else last._inbound_nodes[-1].output_tensors
            inputs = self.inputs
            self._init_graph_network(inputs, nest.flatten(output)[:1], name=self.name)

    def _reset_to_empty(self):
        self.outputs, self.inputs = [], []
        self._layers = []
        self._is_graph_network = False
        self.built = False

    def build(self, input_shape=None):
        """Builds the stack on a placeholder of `input_shape` (batch dimension included)."""
        if self._is_graph_network:
            self.built = True
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        shape = tuple(input_shape.as_list()) if hasattr(input_shape, "as_list") else tuple(input_shape)
        self._build_input_shape = shape
        self._build_on(Input(batch_shape=shape, dtype=self._stack[0].dtype if self._stack else None,
                             name=(self._stack[0].name + "_input") if self._stack else None))

    def _build_on(self, x):
        layers = list(self._stack)
        if not layers:
            raise TypeError("There are no layers in the model.")
        output = x
        for layer in layers:
            output = layer(output)
            if len(nest.flatten(output)) != 1:
                raise TypeError(_SINGLE_OUTPUT)
        self._init_graph_network([x], [output], name=self.name)
        self._compile_if_pending()

    def _set_inputs(self, inputs, training=None):
        """Deferred build on the first data: the stack is built on a placeholder shaped like `inputs`."""
        first = nest.flatten(inputs)[0]
        self._build_input_shape = tuple(first.shape.as_list())
        dtype = first.dtype.base_dtype.name if first.dtype.is_floating else None
        self._build_on(Input(batch_shape=self._build_input_shape, dtype=dtype,
                             name=self._stack[0].name + "_input"))

    def __call__(self, inputs, *args, **kwargs):
        if not self.built and not self._is_graph_network and self._stack:
            first = nest.flatten(inputs)[0]
            shape = first.shape if hasattr(first, "shape") else None
            if shape is not None and shape.ndims is not None:
                self.build(tuple(shape.as_list()))
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs, training=None, mask=None):
        """Calls the layers one after the other on `inputs`."""
        if self._is_graph_network:
            return self._run_internal_graph(inputs, training=training, mask=mask)
        outputs = inputs
        for layer in self._stack:
            kwargs = {"training": training} if training is not None and "training" in layer._call_arg_names \
                else {}
            outputs = layer(outputs, **kwargs)
        return outputs

    def get_config(self):
        """`{'name': ..., 'layers': [{'class_name', 'config'}, ...]}` (and `build_input_shape` for a model
        built from data), Keras' Sequential config."""
        configs = [{"class_name": type(layer).__name__, "config": layer.get_config()} for layer in self.layers]
        config = {"name": self.name, "layers": configs}
        if self._build_input_shape is not None:
            config["build_input_shape"] = self._build_input_shape
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A Sequential model from `get_config()`'s dictionary (or Keras' older plain list of layers)."""
        from .network import _deserialize_layer
        if isinstance(config, list):
            name, layer_configs, build_input_shape = None, config, None
        else:
            name = config.get("name")
            layer_configs = config["layers"]
            build_input_shape = config.get("build_input_shape")
        model = cls(name=name)
        for layer_config in layer_configs:
            model.add(_deserialize_layer(layer_config, custom_objects))
        if not model.inputs and build_input_shape is not None:
            model.build(build_input_shape)
        return model
