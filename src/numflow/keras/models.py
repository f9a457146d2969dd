"""`tf.keras.models`: the model classes, `clone_model`, and saving/loading whole models (from
`keras.saving`)."""
from .engine import nest
from .engine.input_layer import Input, InputLayer
from .engine.network import Network
from .engine.premade import LinearModel, WideDeepModel
from .engine.sequential import Sequential
from .engine.training import Model

__all__ = ["Model", "Sequential", "Network", "LinearModel", "WideDeepModel", "clone_model", "load_model", "save_model", "model_from_config",
           "model_from_json", "model_from_yaml"]


def save_model(model, filepath, overwrite=True, include_optimizer=True, save_format=None, signatures=None):
    """Saves `model` (architecture, weights, training configuration) to an HDF5 file."""
    from .saving import save_model as _save_model
    return _save_model(model, filepath, overwrite=overwrite, include_optimizer=include_optimizer,
                       save_format=save_format)


def load_model(filepath, custom_objects=None, compile=True):  # noqa: A002 - Keras' name
    """The model `save_model` (or Keras) wrote to `filepath`, compiled when its training configuration was
    saved and `compile` is True."""
    from .saving import load_model as _load_model
    return _load_model(filepath, custom_objects=custom_objects, compile=compile)


def model_from_config(config, custom_objects=None):
    """A model from `{'class_name', 'config'}`."""
    from .saving import model_from_config as _from_config
    return _from_config(config, custom_objects=custom_objects)


def model_from_json(json_string, custom_objects=None):
    """A model from `model.to_json()`'s text (new weights)."""
    from .saving import model_from_json as _from_json
    return _from_json(json_string, custom_objects=custom_objects)


def model_from_yaml(yaml_string, custom_objects=None):
    """A model from `model.to_yaml()`'s text (needs PyYAML)."""
    from .saving import model_from_yaml as _from_yaml
    return _from_yaml(yaml_string, custom_objects=custom_objects)


def _clone_layer(layer, clone_function):
    if clone_function is not None:
        return clone_function(layer)
    return type(layer).from_config(layer.get_config())


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same architecture as `model` and new weights (layers rebuilt from their
    configs, or by `clone_function(layer)`), optionally built on `input_tensors`."""
    if not isinstance(model, Model):
        raise ValueError("Expected `model` argument to be a `Model` instance, got " + str(model))
    if isinstance(model, Sequential):
        return _clone_sequential(model, input_tensors, clone_function)
    if not model._is_graph_network:
        raise ValueError("Expected `model` argument to be a functional `Model` instance, but got a subclass "
                         "model instead.")
    return _clone_functional(model, input_tensors, clone_function)


def _clone_sequential(model, input_tensors, clone_function):
    layers = [_clone_layer(layer, clone_function) for layer in model.layers]
    if input_tensors is None:
        return Sequential(layers=layers, name=model.name)
    tensors = nest.to_list(input_tensors)
    if len(tensors) != 1:
        raise ValueError("To clone a `Sequential` model, we expect  at most one tensor as part of "
                         "`input_tensors`.")
    x = tensors[0]
    if not hasattr(x, "_keras_history"):
        x = Input(tensor=x, name="input_wrapper_for_" + str(x.name).replace(":", "_").replace("/", "_"))
    origin = x._keras_history[0]
    return Sequential(layers=[origin] + layers, name=model.name)


def _clone_functional(model, input_tensors, clone_function):
    computed = {}
    if input_tensors is None:
        new_inputs = []
        for layer in model._input_layers:
            config = layer.get_config()
            new_inputs.append(Input(batch_shape=config["batch_input_shape"], dtype=config["dtype"],
                                    sparse=config.get("sparse", False), name=layer.name))
    else:
        new_inputs = []
        for index, x in enumerate(nest.to_list(input_tensors)):
            if not hasattr(x, "_keras_history"):
                x = Input(tensor=x, name="input_wrapper_for_" + model._input_layers[index].name)
            new_inputs.append(x)
        if len(new_inputs) != len(model.inputs):
            raise ValueError("Model has %d inputs, but `input_tensors` has %d tensors"
                             % (len(model.inputs), len(new_inputs)))
    for reference, x in zip(model.inputs, new_inputs):
        computed[id(reference)] = x
    clones = {}
    for depth in sorted(model._nodes_by_depth, reverse=True):
        for node in model._nodes_by_depth[depth]:
            layer = node.outbound_layer
            if isinstance(layer, InputLayer):
                continue
            if layer not in clones:
                clones[layer] = _clone_layer(layer, clone_function)
            references = nest.flatten(node.input_tensors)
            if not all(id(x) in computed for x in references):
                continue
            arguments = {k: v for k, v in node.arguments.items() if k not in ("mask", "_positional")}
            values = [computed[id(x)] for x in references]
            outputs = clones[layer](values[0] if len(values) == 1 else values, **arguments)
            for reference, output in zip(nest.flatten(node.output_tensors), nest.flatten(outputs)):
                computed[id(reference)] = output
    outputs = [computed[id(x)] for x in model.outputs]
    return Model(new_inputs if len(new_inputs) > 1 else new_inputs[0], outputs if len(outputs) > 1 else outputs[0],
                 name=model.name)
