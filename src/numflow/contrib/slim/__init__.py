"""`tf.contrib.slim` (`import tensorflow.contrib.slim as slim`): TF-Slim, the lightweight layer of TF1
for defining, training and evaluating models.

- the layers: every name of `tf.contrib.layers`' `__all__` (`slim.conv2d`, `slim.fully_connected`,
  `slim.max_pool2d`, `slim.batch_norm`, `slim.l2_regularizer`, ...), usable inside `slim.arg_scope`;
- `arg_scope` / `add_arg_scope` and the variables API of `tf.contrib.framework` (`slim.variable`,
  `slim.model_variable`, `get_variables_to_restore`, `assign_from_checkpoint_fn`, ...);
- `slim.losses` (= tf.contrib.losses), `slim.metrics` (= tf.contrib.metrics), `slim.learning`
  (`create_train_op`, `train`), `slim.evaluation` (`evaluate_once`, `evaluation_loop`),
  `slim.summaries`, `slim.model_analysis` and `slim.queues`;
- the input side: `slim.dataset.Dataset`, `slim.tfexample_decoder`, `slim.parallel_reader`,
  `slim.dataset_data_provider.DatasetDataProvider` and `slim.prefetch_queue`.

`slim.nets` (the model zoo: VGG, Inception, ResNet definitions) is not provided: it is a library of
model definitions rather than part of the programming model; copy the model's definition into the
script instead.
"""
from .. import framework as _framework
from .. import layers as _layers
from .. import losses, metrics  # noqa: F401 - slim.losses, slim.metrics
from ..framework import (add_arg_scope, arg_scope, arg_scoped_arguments, current_arg_scope,  # noqa: F401
                         has_arg_scope)

# The variables API TF-Slim takes over from tf.contrib.framework.
_VARIABLE_NAMES = ["add_model_variable", "assert_global_step", "assign_from_checkpoint", "assign_from_checkpoint_fn",
                   "assign_from_values", "assign_from_values_fn", "create_global_step", "get_global_step",
                   "get_local_variables", "get_model_variables", "get_or_create_global_step",
                   "get_trainable_variables", "get_unique_variable", "get_variables", "get_variables_by_name",
                   "get_variables_by_suffix", "get_variables_to_restore", "global_variable", "local_variable",
                   "model_variable", "variable"]
globals().update({name: getattr(_framework, name) for name in _VARIABLE_NAMES})

# tf.contrib.layers' repeat/stack take the layer to apply as an argument and are not arg-scoped in TF,
# and its regularizers/initializers/apply_regularization are not layers.
_NOT_ARG_SCOPED = {"repeat", "stack", "apply_regularization"}
_arg_scoped_layers = {}


def _as_slim_name(name):
    """tf.contrib.layers' `name`, wrapped with add_arg_scope when it is a layer function that the layers
    module did not already decorate (so that slim.arg_scope([slim.<layer>], ...) works either way)."""
    value = getattr(_layers, name)
    if not callable(value) or isinstance(value, type) or has_arg_scope(value) or name in _NOT_ARG_SCOPED:
        return value
    import inspect
    try:
        parameters = list(inspect.signature(value).parameters)
    except (TypeError, ValueError):
        return value
    if not parameters or parameters[0] not in ("inputs", "labels"):
        return value  # regularizers and initializers take a scale or nothing first
    if id(value) not in _arg_scoped_layers:
        _arg_scoped_layers[id(value)] = add_arg_scope(value)
    return _arg_scoped_layers[id(value)]


_LAYER_NAMES = list(getattr(_layers, "__all__", []))
globals().update({name: _as_slim_name(name) for name in _LAYER_NAMES})

from . import evaluation, learning, model_analysis, queues, summaries  # noqa: E402,F401 - they use the names above
from . import (data_decoder, data_provider, dataset, dataset_data_provider, parallel_reader,  # noqa: E402,F401
               prefetch_queue, tfexample_decoder)

__all__ = (_LAYER_NAMES + _VARIABLE_NAMES
           + ["add_arg_scope", "arg_scope", "arg_scoped_arguments", "current_arg_scope", "has_arg_scope",
              "evaluation", "learning", "losses", "metrics", "model_analysis", "queues", "summaries",
              "data_decoder", "data_provider", "dataset", "dataset_data_provider", "parallel_reader",
              "prefetch_queue", "tfexample_decoder"])


def __getattr__(name):
    """Layers tf.contrib.layers gained after slim was imported; a clear error for slim.nets."""
    if name == "nets":
        raise AttributeError("numflow does not provide tf.contrib.slim.nets (the TF-Slim model zoo: VGG, "
                             "Inception, ResNet, ...): copy the model's definition into the script")
    if not name.startswith("_") and name in getattr(_layers, "__all__", ()):
        return _as_slim_name(name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
