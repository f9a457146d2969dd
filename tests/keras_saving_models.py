"""Small Keras models built the same way with numflow's `tf.keras` and with real `tf_keras` (the saving
interop tests run this module in both), with weights set from a seeded generator."""
import numpy as np

ARCHITECTURES = {
    "mlp": (("Dense",), (6,)),
    "cnn": (("Conv2D", "MaxPooling2D", "BatchNormalization", "Flatten", "Dense"), (6, 6, 2)),
    "lstm": (("LSTM", "Dense"), (5, 3)),
    "nested": (("Dense",), (6,)),
    "subclassed": (("Dense",), (6,)),
}
NO_CONFIG = ("subclassed",)         # subclassed models have no config: weights only, no whole-model files


def missing_layers(keras, kind):
    """Layer classes `kind` needs that `keras.layers` does not have."""
    return [name for name in ARCHITECTURES[kind][0] if not hasattr(keras.layers, name)]


def build(keras, kind):
    """The model `kind`: a Dense MLP (Sequential), a small CNN (Sequential), an LSTM (functional) or a
    functional model with a nested Sequential."""
    layers = keras.layers
    if kind == "mlp":
        return keras.Sequential([layers.Dense(5, activation="relu", input_shape=(6,), name="hidden"),
                                 layers.Dense(3, activation="softmax", name="out")])
    if kind == "cnn":
        return keras.Sequential([layers.Conv2D(3, (3, 3), padding="same", activation="relu", input_shape=(6, 6, 2)),
                                 layers.MaxPooling2D((2, 2)), layers.BatchNormalization(), layers.Flatten(),
                                 layers.Dense(4)])
    if kind == "lstm":
        inputs = keras.Input((5, 3))
        hidden = layers.LSTM(4, recurrent_activation="sigmoid")(inputs)   # the default differs: TF 1.15 hard_sigmoid
        return keras.Model(inputs, layers.Dense(2)(hidden))
    if kind == "nested":
        inner = keras.Sequential([layers.Dense(4, activation="tanh", input_shape=(5,))], name="inner")
        inputs = keras.Input((6,))
        return keras.Model(inputs, layers.Dense(2)(inner(layers.Dense(5)(inputs))))
    if kind == "subclassed":
        class TwoDense(keras.Model):
            def __init__(self):
                super().__init__()
                self.first = layers.Dense(4, activation="relu")
                self.second = layers.Dense(2)

            def call(self, inputs):
                return self.second(self.first(inputs))
        model = TwoDense()
        model.predict(inputs_for(kind))        # builds the weights
        return model
    raise ValueError(kind)


def seeded_weights(model, seed):
    """Values for `model.get_weights()`, positive where a BatchNormalization variance needs it."""
    rng = np.random.RandomState(seed)
    return [(np.abs(rng.randn(*w.shape)) + 0.5 if "variance" in name else rng.randn(*w.shape) * 0.5)
            .astype(np.float32) for w, name in zip(model.get_weights(), [v.name for v in model.weights])]


def inputs_for(kind):
    return np.random.RandomState(7).rand(4, *ARCHITECTURES[kind][1]).astype(np.float32)


def train_compiled(keras, model, optimizer):
    """Compiles `model` (mse, with `optimizer`) and trains it two epochs on fixed data without shuffling."""
    model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
    continue_training(model)


def continue_training(model):
    """Two more epochs on the same fixed data (the MLP's inputs and a constant target)."""
    model.fit(inputs_for("mlp"), np.full((4, 3), 1.0 / 3, np.float32), epochs=2, verbose=0, shuffle=False)
