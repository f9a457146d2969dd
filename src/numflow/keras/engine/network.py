"""`Network`: a layer made of layers, the base of `tf.keras.Model` and `Sequential`.

A graph network is built from Keras tensors: `Network(inputs, outputs)` walks each output's
`_keras_history` back to the inputs and records every layer call (`Node`) on the way, grouped by depth
(the outputs are at depth 0). Calling the network on new tensors calls those layers again, deepest first,
on the new tensors: the layers and their weights are shared. A subclassed network (`Model` subclass with
a `call` method) instead tracks the layers assigned as its attributes and is built on its first call.
"""
import copy

from ...framework.graph import Tensor
from .. import backend
from . import nest
from .base_layer import Layer, _shape_tuple
from .input_layer import InputLayer

__all__ = ["Network", "print_summary"]


def _tensor_key(tensor):
    return id(tensor)


class Network(Layer):
    """`Network(inputs, outputs, name=None)` for a graph network, `Network(name=None)` (via a subclass
    that defines `call`) for a subclassed one."""

    def __init__(self, *args, **kwargs):
        if (len(args) == 2 or (len(args) == 1 and "outputs" in kwargs)
                or ("inputs" in kwargs and "outputs" in kwargs)):
            inputs = args[0] if args else kwargs.pop("inputs")
            outputs = args[1] if len(args) > 1 else kwargs.pop("outputs")
            self._init_graph_network(inputs, outputs, **kwargs)
        else:
            if args:
                raise TypeError("Model takes `inputs` and `outputs` together, or neither (subclassing); got "
                                "%d positional argument(s)" % len(args))
            self._init_subclassed_network(**kwargs)

    # --- construction -----------------------------------------------------------------------------
    def _base_init(self, name, trainable=True, dtype=None):
        Layer.__init__(self, name=name, trainable=trainable, dtype=dtype)
        self._is_graph_network = False
        self.inputs, self.outputs = [], []
        self.input_names, self.output_names = [], []
        self._input_layers, self._output_layers = [], []
        self._input_coordinates, self._output_coordinates = [], []
        self._nodes_by_depth, self._network_nodes = {}, set()
        self._layers_by_depth = {}
        self._nested_inputs = self._nested_outputs = None
        self.compiled = getattr(self, "compiled", False)

    def _init_subclassed_network(self, name=None, trainable=True, dtype=None, **kwargs):
        if kwargs:
            raise TypeError("Keyword argument not understood:", sorted(kwargs)[0])
        self._base_init(name, trainable, dtype)
        self.built = False

    def _init_graph_network(self, inputs, outputs, name=None, trainable=True, dtype=None, **kwargs):
        if kwargs:
            raise TypeError("Keyword argument not understood:", sorted(kwargs)[0])
        if "_name" not in self.__dict__:
            self._base_init(name, trainable, dtype)
        self._is_graph_network = True
        # a one-element list is the element itself, as in Keras
        if isinstance(inputs, list) and len(nest.flatten(inputs)) == 1:
            inputs = inputs[0]
        if isinstance(outputs, list) and len(nest.flatten(outputs)) == 1:
            outputs = outputs[0]
        self._nested_inputs, self._nested_outputs = inputs, outputs
        self.inputs = list(nest.flatten(inputs))
        self.outputs = list(nest.flatten(outputs))
        for x in self.inputs:
            history = getattr(x, "_keras_history", None)
            if not isinstance(x, Tensor) or history is None:
                raise ValueError("Input tensors to a " + type(self).__name__ + " must come from "
                                 "`tf.keras.Input`. Received: " + str(x) + " (missing previous layer metadata).")
            layer, node_index, _ = history
            if not isinstance(layer, InputLayer) or len(layer._inbound_nodes) > 1 or \
                    layer._inbound_nodes[node_index].inbound_layers:
                raise ValueError("Input tensors to a " + type(self).__name__ + " must come from "
                                 "`tf.keras.Input`. Received: " + str(x) + " (missing previous layer metadata).")
        for x in self.outputs:
            if not isinstance(x, Tensor) or getattr(x, "_keras_history", None) is None:
                raise ValueError("Output tensors to a " + type(self).__name__ + " must be the output of a "
                                 "TensorFlow `Layer` (thus holding past layer metadata). Found: " + str(x))
        self._input_layers, self._input_coordinates = [], []
        for x in self.inputs:
            layer, node_index, tensor_index = x._keras_history
            self._input_layers.append(layer)
            self._input_coordinates.append((layer, node_index, tensor_index))
        self._output_layers, self._output_coordinates = [], []
        for x in self.outputs:
            layer, node_index, tensor_index = x._keras_history
            self._output_layers.append(layer)
            self._output_coordinates.append((layer, node_index, tensor_index))
        self.input_names = [layer.name for layer in self._input_layers]
        self.output_names = _unique_output_names(self._output_layers)
        self._map_graph_network()
        self.built = True
        self._inbound_nodes, self._outbound_nodes = [], []
        from .base_layer import Node
        Node(self, self._nested_inputs if isinstance(self._nested_inputs, (list, tuple, dict)) else
             [self._nested_inputs], self.outputs)

    def _map_graph_network(self):
        """Finds the layers and nodes between inputs and outputs, their depths, and checks that every
        node's inputs can be computed from the network's inputs."""
        finished, in_progress, ordered_nodes = set(), set(), []
        layer_indices, network_nodes = {}, set()

        def visit(tensor, layer, node_index):
            node = layer._inbound_nodes[node_index]
            if id(node) in in_progress:
                raise ValueError("The tensor " + str(tensor) + ' at layer "' + layer.name + '" is part of a cycle.')
            if id(node) in finished:
                return
            network_nodes.add(_node_key(layer, node_index))
            layer_indices.setdefault(layer, len(layer_indices))
            in_progress.add(id(node))
            for inbound_layer, inbound_index, _, inbound_tensor in node.iterate_inbound():
                visit(inbound_tensor, inbound_layer, inbound_index)
            in_progress.discard(id(node))
            finished.add(id(node))
            ordered_nodes.append(node)

        for x in self.outputs:
            layer, node_index, _ = x._keras_history
            visit(x, layer, node_index)

        node_depth, layer_depth = {}, {}
        for node in reversed(ordered_nodes):
            depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(node.outbound_layer, 0))
            layer_depth[node.outbound_layer] = depth
            node_depth[id(node)] = depth
            for inbound_layer, inbound_index, _, _ in node.iterate_inbound():
                inbound_node = inbound_layer._inbound_nodes[inbound_index]
                node_depth[id(inbound_node)] = max(depth + 1, node_depth.get(id(inbound_node), 0))
        # inputs that no output depends on still belong to the network
        for layer in self._input_layers:
            if layer not in layer_depth:
                layer_depth[layer] = 0
                layer_indices.setdefault(layer, len(layer_indices))
                node = layer._inbound_nodes[0]
                node_depth[id(node)] = 0
                ordered_nodes.append(node)
                network_nodes.add(_node_key(layer, 0))

        nodes_by_id = {id(n): n for n in ordered_nodes}
        self._nodes_by_depth = {}
        for node_id, depth in node_depth.items():
            if node_id in nodes_by_id:
                self._nodes_by_depth.setdefault(depth, []).append(nodes_by_id[node_id])
        self._layers_by_depth = {}
        for layer, depth in layer_depth.items():
            self._layers_by_depth.setdefault(depth, []).append(layer)
        layers = []
        for depth in sorted(self._layers_by_depth, reverse=True):
            group = sorted(self._layers_by_depth[depth], key=lambda l: layer_indices[l])
            self._layers_by_depth[depth] = group
            layers.extend(group)
        self._layers = layers
        self._network_nodes = network_nodes

        computable = {_tensor_key(x) for x in self.inputs}
        reached = []
        for depth in sorted(self._nodes_by_depth, reverse=True):
            for node in self._nodes_by_depth[depth]:
                layer = node.outbound_layer
                # an Input that is not one of the model's inputs cannot be fed
                needed = nest.flatten(node.output_tensors) if isinstance(layer, InputLayer) else \
                    nest.flatten(node.input_tensors)
                for x in needed:
                    if _tensor_key(x) not in computable:
                        raise ValueError("Graph disconnected: cannot obtain value for tensor " + str(x) +
                                         ' at layer "' + layer.name + '". The following previous layers were '
                                         "accessed without issue: " + str(reached))
                for x in nest.flatten(node.output_tensors):
                    computable.add(_tensor_key(x))
                reached.append(layer.name)
        names = [layer.name for layer in self._layers]
        for name in set(names):
            if names.count(name) != 1:
                raise ValueError('The name "' + name + '" is used ' + str(names.count(name)) + " times in the "
                                 "model. All layer names should be unique.")

    # --- the layers -------------------------------------------------------------------------------
    @property
    def layers(self):
        """The network's layers: for a graph network in topological order (inputs first)."""
        return list(self._layers)

    def get_layer(self, name=None, index=None):
        """The layer called `name`, or at position `index` of `layers` (bottom-up)."""
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError("Was asked to retrieve layer at index " + str(index) + " but model only has " +
                                 str(len(self.layers)) + " layers.")
            return self.layers[index]
        if name is None:
            raise ValueError("Provide either a layer name or layer index.")
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError("No such layer: " + name)

    @property
    def input(self):
        """The input tensor (a list for several inputs)."""
        if self._is_graph_network and self.inputs:
            return nest.unwrap_single(self.inputs)
        return Layer.input.fget(self)

    @property
    def output(self):
        """The output tensor (a list for several outputs)."""
        if self._is_graph_network and self.outputs:
            return nest.unwrap_single(self.outputs)
        return Layer.output.fget(self)

    @property
    def input_shape(self):
        """The input shape as a tuple with None for unknown sizes (a list for several inputs)."""
        if self._is_graph_network and self.inputs:
            return nest.unwrap_single([_shape_tuple(x.shape) for x in self.inputs])
        return Layer.input_shape.fget(self)

    @property
    def output_shape(self):
        """The output shape as a tuple with None for unknown sizes (a list for several outputs)."""
        if self._is_graph_network and self.outputs:
            return nest.unwrap_single([_shape_tuple(x.shape) for x in self.outputs])
        return Layer.output_shape.fget(self)

    @property
    def updates(self):
        """The update ops of the network's layers (e.g. BatchNormalization's moving averages)."""
        return super().updates

    @property
    def state_updates(self):
        """The updates of the stateful layers (an RNN's carried states): `evaluate` and `predict` run them
        too, so a stateful model carries its states across their batches as it does across `fit`'s."""
        updates = []
        for layer in self.layers:
            if getattr(layer, "stateful", False):
                updates += layer.state_updates if isinstance(layer, Network) else layer.updates
        return updates

    @property
    def stateful(self):
        """True when one of the layers is stateful."""
        return any(getattr(layer, "stateful", False) for layer in self.layers)

    @stateful.setter
    def stateful(self, value):
        pass  # a network is stateful when one of its layers is

    def reset_states(self):
        """Resets the states of the stateful layers (recurrent layers with `stateful=True`)."""
        for layer in self.layers:
            if getattr(layer, "stateful", False) and hasattr(layer, "reset_states"):
                layer.reset_states()

    # --- calling ----------------------------------------------------------------------------------
    def call(self, inputs, training=None, mask=None):
        """Calls the network's layers on `inputs` (a graph network) or raises (a subclass must define
        `call`)."""
        if not self._is_graph_network:
            raise NotImplementedError("When subclassing the `Model` class, you should implement a `call` "
                                      "method.")
        return self._run_internal_graph(inputs, training=training, mask=mask)

    def _run_internal_graph(self, inputs, training=None, mask=None):
        flat_inputs = nest.flatten(inputs)
        if len(flat_inputs) != len(self.inputs):
            raise ValueError("Layer " + self.name + " expects " + str(len(self.inputs)) + " inputs, but it "
                             "received " + str(len(flat_inputs)) + " input tensors. Inputs received: " +
                             str(inputs))
        masks = nest.flatten(mask) if mask is not None else [getattr(x, "_keras_mask", None) for x in flat_inputs]
        computed = {}
        for reference, tensor, tensor_mask in zip(self.inputs, flat_inputs, masks):
            if tensor_mask is not None and getattr(tensor, "_keras_mask", None) is None:
                tensor._keras_mask = tensor_mask
            computed[_tensor_key(reference)] = tensor
        for depth in sorted(self._nodes_by_depth, reverse=True):
            for node in self._nodes_by_depth[depth]:
                layer = node.outbound_layer
                if isinstance(layer, InputLayer):
                    continue
                references = nest.flatten(node.input_tensors)
                if not all(_tensor_key(x) in computed for x in references):
                    continue
                arguments = dict(node.arguments)
                positional = arguments.pop("_positional", ())
                arguments.pop("mask", None)
                if training is not None and "training" in layer._call_arg_names:
                    arguments["training"] = training
                layer_inputs = nest.pack_sequence_as(node.input_tensors,
                                                     [computed[_tensor_key(x)] for x in references])
                if isinstance(node.input_tensors, list) and len(node.input_tensors) == 1 and \
                        not isinstance(layer, Network):
                    layer_inputs = layer_inputs[0]
                outputs = layer(layer_inputs, *positional, **arguments)
                for reference, output in zip(nest.flatten(node.output_tensors), nest.flatten(outputs)):
                    computed[_tensor_key(reference)] = output
        outputs = [computed[_tensor_key(x)] for x in self.outputs]
        return nest.pack_sequence_as(self._nested_outputs, outputs) \
            if isinstance(self._nested_outputs, (list, tuple, dict)) else outputs[0]

    def compute_output_shape(self, input_shape):
        """The output shape(s) of the graph network."""
        if not self._is_graph_network:
            return super().compute_output_shape(input_shape)
        return nest.unwrap_single([_shape_tuple(x.shape) for x in self.outputs])

    def compute_mask(self, inputs, mask=None):
        """The masks of the graph network's outputs (None where they have none)."""
        if not self._is_graph_network:
            return None
        masks = [getattr(x, "_keras_mask", None) for x in self.outputs]
        return None if all(m is None for m in masks) else nest.unwrap_single(masks)

    def build(self, input_shape):
        """Builds a subclassed network by calling it on placeholders of `input_shape` (with None for the
        batch size)."""
        if self._is_graph_network:
            self.built = True
            return
        if input_shape is None:
            raise ValueError("Input shape must be defined when calling build on a model subclass network.")
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        placeholders = []
        for index, shape in enumerate(shapes):
            shape = _shape_tuple(shape) if hasattr(shape, "dims") else tuple(shape)
            placeholders.append(backend.placeholder(shape=shape, name="input_%d" % (index + 1)))
        self._set_inputs(placeholders if isinstance(input_shape, list) else placeholders[0])

    def _maybe_build(self, inputs):
        # a subclassed network builds its layers in `call`; only a `build` of the subclass's own runs here
        if not self._is_graph_network and type(self).build is Network.build:
            self.built = True
            return
        super()._maybe_build(inputs)

    def _set_inputs(self, inputs, training=None):
        """Builds a subclassed network on `inputs` (placeholders) and records inputs and outputs."""
        kwargs = {"training": training} if training is not None and "training" in self._call_arg_names else {}
        flat = nest.flatten(inputs)
        graph = flat[0].graph
        with graph.as_default():
            outputs = self.call(inputs, **kwargs)
        self.built = True
        self.inputs = list(flat)
        self.input_names = sorted(inputs) if isinstance(inputs, dict) else \
            ["input_%d" % (i + 1) for i in range(len(flat))]
        self.outputs = list(nest.flatten(outputs))
        self.output_names = ["output_%d" % (i + 1) for i in range(len(self.outputs))]
        self._nested_inputs, self._nested_outputs = inputs, outputs

    # --- weights ----------------------------------------------------------------------------------
    def get_weights(self):
        """The values of the network's weights (its layers' weights, in layer order)."""
        return backend.batch_get_value(self.weights)

    # --- serialization ----------------------------------------------------------------------------
    def get_config(self):
        """Keras' functional config: `name`, `layers` (each with `class_name`, `config`, `name` and
        `inbound_nodes` as `[[[layer_name, node_index, tensor_index, kwargs], ...], ...]`), `input_layers`
        and `output_layers` (`[[layer_name, node_index, tensor_index], ...]`)."""
        if not self._is_graph_network:
            raise NotImplementedError("Layer %s has arguments in `__init__` and therefore must override "
                                      "`get_config`." % type(self).__name__)
        node_conversion = {}
        for layer in self.layers:
            # a graph network's node 0 links its own inputs to outputs and is rebuilt with it
            kept = 1 if isinstance(layer, Network) and layer._is_graph_network else 0
            for original_index, _ in enumerate(layer._inbound_nodes):
                key = _node_key(layer, original_index)
                if key in self._network_nodes:
                    node_conversion[key] = kept
                    kept += 1
        layer_configs = []
        for layer in self.layers:
            inbound_nodes = []
            for original_index, node in enumerate(layer._inbound_nodes):
                if _node_key(layer, original_index) not in self._network_nodes:
                    continue
                if not node.inbound_layers:
                    continue
                arguments = {k: v for k, v in node.arguments.items() if k not in ("mask", "_positional")
                             and _json_safe(v)}
                entries = []
                for inbound_layer, inbound_index, tensor_index, _ in node.iterate_inbound():
                    new_index = node_conversion.get(_node_key(inbound_layer, inbound_index), 0)
                    entries.append([inbound_layer.name, new_index, tensor_index, arguments])
                inbound_nodes.append(entries)
            layer_configs.append({"name": layer.name, "class_name": type(layer).__name__,
                                  "config": layer.get_config(), "inbound_nodes": inbound_nodes})

        def coordinates(coords):
            out = []
            for layer, node_index, tensor_index in coords:
                key = _node_key(layer, node_index)
                out.append([layer.name, node_conversion.get(key, 0), tensor_index])
            return out

        return {"name": self.name, "layers": copy.deepcopy(layer_configs),
                "input_layers": coordinates(self._input_coordinates),
                "output_layers": coordinates(self._output_coordinates)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A graph network from `get_config()`'s dictionary: the layers are rebuilt from their configs
        and called as the recorded `inbound_nodes` say."""
        created = {}
        pending = {}  # layer name -> node entries still to call

        def process_node(layer, node_data):
            inputs = []
            kwargs = {}
            for entry in node_data:
                inbound_name, inbound_node_index, inbound_tensor_index = entry[:3]
                kwargs = entry[3] if len(entry) > 3 else {}
                inbound_layer = created[inbound_name]
                if len(inbound_layer._inbound_nodes) <= inbound_node_index:
                    return False
                outputs = nest.flatten(inbound_layer._inbound_nodes[inbound_node_index].output_tensors)
                inputs.append(outputs[inbound_tensor_index])
            layer(nest.unwrap_single(inputs), **kwargs)
            return True

        for layer_data in config["layers"]:
            layer = _deserialize_layer(layer_data, custom_objects)
            created[layer_data.get("name", layer.name)] = layer
            pending[layer.name] = list(layer_data.get("inbound_nodes", []))
        while any(pending.values()):
            progressed = False
            for layer_data in config["layers"]:
                name = layer_data.get("name")
                layer = created[name]
                while pending[layer.name]:
                    if not process_node(layer, pending[layer.name][0]):
                        break
                    pending[layer.name].pop(0)
                    progressed = True
            if not progressed:
                raise ValueError("Cannot rebuild the model from its config: some layers' inputs are never "
                                 "produced (%s)" % sorted(k for k, v in pending.items() if v))

        def tensors(coords):
            result = []
            for name, node_index, tensor_index in _flat_coordinates(coords):
                layer = created[name]
                result.append(nest.flatten(layer._inbound_nodes[node_index].output_tensors)[tensor_index])
            return result

        inputs = tensors(config["input_layers"])
        outputs = tensors(config["output_layers"])
        return cls(inputs=inputs, outputs=outputs, name=config.get("name"))

    # --- summary ----------------------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None):
        """Prints Keras' table of the layers (name and type, output shape, parameter count, and for
        non-sequential graphs what each layer is connected to) with the total parameter counts."""
        if not self.built:
            raise ValueError("This model has not yet been built. Build the model first by calling `build()` "
                             "or calling `fit()` with some data, or specify an `input_shape` argument in the "
                             "first layer(s) for automatic build.")
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn)


def _node_key(layer, node_index):
    return layer.name + "_ib-" + str(node_index)


def _unique_output_names(layers):
    names, seen = [], {}
    for layer in layers:
        name = layer.name
        if name in seen:
            seen[name] += 1
            name = "%s_%d" % (name, seen[name])
        else:
            seen[name] = 0
        names.append(name)
    return names


def _json_safe(value):
    import json
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError):
        return False


def _flat_coordinates(coords):
    """Keras writes `[[name, node, tensor], ...]`; a lone `[name, node, tensor]` is accepted too."""
    if coords and not isinstance(coords[0], (list, tuple)):
        return [coords]
    return coords


def _deserialize_layer(layer_data, custom_objects=None):
    """The layer a `{'class_name', 'config'}` entry describes: Keras' layer registry (when the layers
    package provides `deserialize`), the models, InputLayer, and `custom_objects`."""
    try:
        from ..layers import serialization
    except ImportError:
        serialization = None
    if serialization is not None and hasattr(serialization, "deserialize"):
        return serialization.deserialize(layer_data, custom_objects=custom_objects)
    from ..utils.generic_utils import deserialize_keras_object
    return deserialize_keras_object(layer_data, module_objects=_layer_classes(), custom_objects=custom_objects,
                                    printable_module_name="layer")


class _LayerClasses(dict):
    """A lazy name -> class mapping over `tf.keras.layers` and the model classes."""

    def get(self, name, default=None):
        if name in self:
            return self[name]
        from .. import layers
        value = getattr(layers, name, None)
        return default if value is None else value


def _layer_classes():
    from .. import models
    from .input_layer import InputLayer as _InputLayer
    return _LayerClasses({"Model": models.Model, "Sequential": models.Sequential, "InputLayer": _InputLayer,
                          "Network": Network})


# --- summary ---------------------------------------------------------------------------------------
def _is_sequential_like(model):
    if type(model).__name__ == "Sequential" or not model._is_graph_network:
        return True
    nodes = []
    for group in model._nodes_by_depth.values():
        if len(group) > 1 or (len(group) == 1 and len(group[0].inbound_layers) > 1):
            return False
        nodes += group
    for layer in model.layers:
        if sum(1 for node in layer._inbound_nodes if any(node is n for n in nodes)) > 1:
            return False
    return True


def _summary_output_shape(model, layer):
    if not model._is_graph_network:
        return "multiple"
    try:
        shape = layer.output_shape
    except AttributeError:
        return "multiple"
    except RuntimeError:
        return "?"
    if isinstance(layer, InputLayer):
        return [shape]
    return shape


def print_summary(model, line_length=None, positions=None, print_fn=None):
    """Prints `model`'s summary table (see `Network.summary`)."""
    print_fn = print_fn or print
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [.45, .85, 1.]
        headers = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [.33, .55, .67, 1.]
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        relevant_nodes = [n for group in model._nodes_by_depth.values() for n in group]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]

    def print_row(fields):
        line = ""
        for i, field in enumerate(fields):
            if i > 0:
                line = line[:-1] + " "
            line += str(field)
            line = line[:positions[i]]
            line += " " * (positions[i] - len(line))
        print_fn(line)

    print_fn('Model: "{}"'.format(model.name))
    print_fn("_" * line_length)
    print_row(headers)
    print_fn("=" * line_length)
    layers = model.layers
    for index, layer in enumerate(layers):
        label = layer.name + " (" + type(layer).__name__ + ")"
        shape = _summary_output_shape(model, layer)
        params = layer.count_params() if layer.built else 0
        if sequential_like:
            print_row([label, shape, params])
        else:
            connections = []
            for node in layer._inbound_nodes:
                if not any(node is n for n in relevant_nodes):
                    continue
                for inbound_layer, node_index, tensor_index, _ in node.iterate_inbound():
                    connections.append("{}[{}][{}]".format(inbound_layer.name, node_index, tensor_index))
            print_row([label, shape, params, connections[0] if connections else ""])
            for connection in connections[1:]:
                print_row(["", "", "", connection])
        print_fn(("=" if index == len(layers) - 1 else "_") * line_length)
    trainable_weights = getattr(model, "_collected_trainable_weights", None)
    if trainable_weights is None:
        trainable_weights = model.trainable_weights
    from ..utils.layer_utils import count_params
    trainable = count_params(trainable_weights)
    non_trainable = count_params(model.non_trainable_weights)
    print_fn("Total params: {:,}".format(trainable + non_trainable))
    print_fn("Trainable params: {:,}".format(trainable))
    print_fn("Non-trainable params: {:,}".format(non_trainable))
    print_fn("_" * line_length)

