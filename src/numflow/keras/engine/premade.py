"""The premade models of `tf.keras.models` / `tf.keras.experimental`: `LinearModel` and `WideDeepModel`."""
from .. import activations
from . import nest
from .training import Model, _optimizer_updates

__all__ = ["LinearModel", "WideDeepModel"]


class LinearModel(Model):
    """`LinearModel(units=1, activation=None, use_bias=True, kernel_initializer='zeros',
    bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None)`: `activation(sum_i x_i W_i
    + b)` over one input, a list of inputs or a dict of them (one kernel per input)."""

    def __init__(self, units=1, activation=None, use_bias=True, kernel_initializer="zeros",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self._dense_layers = None

    def _make_dense(self, name=None):
        from ..layers import Dense
        return Dense(self.units, use_bias=False, kernel_initializer=self.kernel_initializer,
                     kernel_regularizer=self.kernel_regularizer, name=name)

    def call(self, inputs, training=None):
        if self._dense_layers is None:
            if isinstance(inputs, dict):
                self._dense_layers = {key: self._make_dense(key) for key in sorted(inputs)}
            else:
                self._dense_layers = [self._make_dense() for _ in nest.flatten(inputs)]
            self._layers.extend(self._dense_layers.values() if isinstance(self._dense_layers, dict)
                                else self._dense_layers)
            if self.use_bias:
                self.bias = self.add_weight("bias", shape=(self.units,), initializer=self.bias_initializer,
                                            regularizer=self.bias_regularizer)
            else:
                self.bias = None
        if isinstance(inputs, dict):
            terms = [self._dense_layers[key](inputs[key]) for key in sorted(inputs)]
        else:
            terms = [dense(x) for dense, x in zip(self._dense_layers, nest.flatten(inputs))]
        result = terms[0]
        for term in terms[1:]:
            result = result + term
        if self.bias is not None:
            result = result + self.bias
        return self.activation(result) if self.activation is not None else result

    def get_config(self):
        from .. import activations as keras_activations
        return {"units": self.units, "activation": keras_activations.serialize(self.activation),
                "use_bias": self.use_bias, "kernel_initializer": self.kernel_initializer,
                "bias_initializer": self.bias_initializer, "kernel_regularizer": self.kernel_regularizer,
                "bias_regularizer": self.bias_regularizer}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)


class WideDeepModel(Model):
    """`WideDeepModel(linear_model, dnn_model, activation=None)`: `activation(linear(x_linear) +
    dnn(x_dnn))`, where the input is `[x_linear, x_dnn]` or one input for both. `compile` accepts a
    list of two optimizers: the first trains the linear model's weights, the second the DNN's."""

    def __init__(self, linear_model, dnn_model, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.linear_model = linear_model
        self.dnn_model = dnn_model
        self.activation = activations.get(activation)

    def call(self, inputs, training=None):
        if isinstance(inputs, (list, tuple)) and len(inputs) == 2:
            linear_inputs, dnn_inputs = inputs
        else:
            linear_inputs = dnn_inputs = inputs
        linear_output = self.linear_model(linear_inputs)
        kwargs = {"training": training} if training is not None and \
            "training" in self.dnn_model._call_arg_names else {}
        dnn_output = self.dnn_model(dnn_inputs, **kwargs)
        output = nest.unwrap_single([a + b for a, b in zip(nest.flatten(linear_output), nest.flatten(dnn_output))])
        return self.activation(output) if self.activation is not None else output

    def _optimizer_updates(self):
        if not isinstance(self.optimizer, list):
            return super()._optimizer_updates()
        if len(self.optimizer) != 2:
            raise ValueError("WideDeepModel takes a list of two optimizers (linear, dnn); got %d."
                             % len(self.optimizer))
        updates = []
        for optimizer, part in zip(self.optimizer, (self.linear_model, self.dnn_model)):
            params = part.trainable_weights
            if params:
                updates += list(_optimizer_updates(optimizer, self.total_loss, params))
        return updates

    def get_config(self):
        from .. import activations as keras_activations
        from ..utils.generic_utils import serialize_keras_object
        return {"linear_model": serialize_keras_object(self.linear_model),
                "dnn_model": serialize_keras_object(self.dnn_model),
                "activation": keras_activations.serialize(self.activation)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from .network import _deserialize_layer
        return cls(_deserialize_layer(config["linear_model"], custom_objects),
                   _deserialize_layer(config["dnn_model"], custom_objects), activation=config.get("activation"))

