"""The base Layer, Input/InputLayer, InputSpec and the Keras backend's session, learning phase and values."""
import numpy as np
import pytest

import numflow as tf
from numflow import keras
from numflow.keras import backend as K
from numflow.keras import layers


@pytest.fixture(autouse=True)
def fresh_graph():
    K.clear_session()
    yield
    K.clear_session()


class Scale(layers.Layer):
    """y = x * w (one weight per feature) plus a non-trainable counter."""

    def build(self, input_shape):
        self.w = self.add_weight("w", shape=(input_shape[-1],), initializer="ones")
        self.count = self.add_weight("count", shape=(), initializer="zeros", trainable=False)

    def call(self, inputs):
        return inputs * self.w


def test_layer_names_count_per_graph_and_variables_live_in_the_name_scope():
    first, second = Scale(), Scale()
    assert (first.name, second.name) == ("scale", "scale_1")
    first(tf.placeholder(tf.float32, [None, 3]))
    assert [w.name for w in first.weights] == ["scale/w:0", "scale/count:0"]
    assert first.trainable_weights == [first.w] and first.non_trainable_weights == [first.count]
    assert first.w in tf.trainable_variables() and first.count not in tf.trainable_variables()
    assert first.count_params() == 4
    K.clear_session()
    assert Scale().name == "scale"                   # a new graph starts the names again


def test_trainable_false_moves_every_weight_to_non_trainable():
    layer = Scale(trainable=False)
    layer(tf.placeholder(tf.float32, [None, 2]))
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2


def test_get_and_set_weights_and_their_errors():
    layer = Scale()
    layer(tf.placeholder(tf.float32, [None, 2]))
    layer.set_weights([np.array([2., 3.]), np.array(7.)])
    np.testing.assert_array_equal(layer.get_weights()[0], [2., 3.])
    with pytest.raises(ValueError, match="but the layer was expecting 2 weights"):
        layer.set_weights([np.ones(2)])
    with pytest.raises(ValueError, match=r"Layer weight shape \(2,\) not compatible with provided weight shape"):
        layer.set_weights([np.ones(3), np.array(0.)])
    with pytest.raises(ValueError, match="You tried to call `count_params` on scale_1, but the layer isn't built"):
        Scale().count_params()


def test_calls_record_nodes_and_keras_history():
    x = keras.Input(shape=(2,))
    layer = Scale()
    y = layer(x)
    z = layer(y)
    assert y._keras_history == (layer, 0, 0) and z._keras_history == (layer, 1, 0)
    assert len(layer.inbound_nodes) == 2 and layer.get_output_at(1) is z
    assert K.is_keras_tensor(y) and not K.is_keras_tensor(tf.constant(1.0))
    with pytest.raises(AttributeError, match="has multiple inbound nodes"):
        layer.output
    assert layer.input_shape == (None, 2)
    with pytest.raises(ValueError, match="Unexpectedly found an instance of type"):
        K.is_keras_tensor(np.ones(2))


def test_layer_values_and_gradients():
    layer = Scale()
    x = tf.placeholder(tf.float32, [None, 3])
    y = layer(x)
    grad_x, grad_w = tf.gradients(tf.reduce_sum(y), [x, layer.w])
    layer_session = K.get_session()
    layer.set_weights([np.array([1., 2., 3.]), np.array(0.)])
    data = np.arange(6.).reshape(2, 3)
    out, gx, gw = layer_session.run([y, grad_x, grad_w], {x: data})
    np.testing.assert_allclose(out, data * [1., 2., 3.])
    np.testing.assert_allclose(gx, np.tile([1., 2., 3.], (2, 1)))
    np.testing.assert_allclose(gw, data.sum(0))


def test_input_and_input_layer():
    x = keras.Input(shape=(4,), name="pixels", dtype="float64")
    assert x.shape.as_list() == [None, 4] and x.dtype == tf.float64 and x.op.type == "Placeholder"
    layer = x._keras_history[0]
    assert isinstance(layer, layers.InputLayer)
    assert layer.get_config() == {"batch_input_shape": (None, 4), "dtype": "float64", "sparse": False,
                                  "name": "pixels"}
    fixed = keras.Input(batch_shape=(8, 2))
    assert fixed.shape.as_list() == [8, 2] and fixed.name == "input_1:0"
    with pytest.raises(ValueError, match="Please provide to Input either a `shape` or a `tensor` argument"):
        keras.Input()
    with pytest.raises(ValueError, match="Only provide the input_shape OR batch_input_shape argument"):
        layers.InputLayer(input_shape=(2,), batch_input_shape=(None, 2))


def test_input_spec_checks_rank_and_axes():
    class NeedsMatrix(layers.Layer):
        def __init__(self):
            super().__init__()
            self.input_spec = layers.InputSpec(ndim=2, axes={-1: 3})

    with pytest.raises(ValueError, match="expected ndim=2, found ndim=3"):
        NeedsMatrix()(tf.placeholder(tf.float32, [None, 3, 3]))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        NeedsMatrix()(tf.placeholder(tf.float32, [None, 4]))


def test_unknown_keyword_and_get_config():
    with pytest.raises(TypeError, match="Keyword argument not understood"):
        Scale(units=3)
    assert Scale(name="s", input_shape=(5,)).get_config() == {"name": "s", "trainable": True,
                                                              "batch_input_shape": (None, 5), "dtype": None}

    class WithArgs(layers.Layer):
        def __init__(self, size, **kwargs):
            super().__init__(**kwargs)
            self.size = size

    with pytest.raises(NotImplementedError, match="must override `get_config`"):
        WithArgs(3).get_config()


def test_losses_and_updates_of_sub_layers_are_the_owners():
    class Outer(layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = Scale()

        def call(self, inputs):
            self.add_loss(tf.reduce_sum(inputs))
            outputs = self.inner(inputs)
            self.inner.add_update(tf.assign_add(self.inner.count, 1.))
            return outputs

    outer = Outer()
    outer(tf.placeholder(tf.float32, [None, 2]))
    assert len(outer.weights) == 2 and len(outer.losses) == 1 and len(outer.updates) == 1


def test_learning_phase_placeholder_and_fixed_values():
    phase = K.learning_phase()
    assert phase.op.type == "PlaceholderWithDefault" and phase.name == "keras_learning_phase:0"
    value = K.in_train_phase(tf.constant(1.), tf.constant(0.))
    session = K.get_session()
    assert session.run(value) == 0. and session.run(value, {phase: True}) == 1.
    K.set_learning_phase(1)
    assert K.learning_phase() == 1 and K.in_train_phase(lambda: "train", lambda: "test") == "train"
    with pytest.raises(ValueError, match="Expected learning phase to be 0 or 1"):
        K.set_learning_phase(2)
    with K.learning_phase_scope(0):
        assert K.learning_phase() == 0
    assert K.learning_phase() == 1


def test_get_session_initializes_new_variables_once():
    v = K.variable(np.array([1., 2.]), name="v")
    assert K.get_value(v).tolist() == [1., 2.]
    K.set_value(v, [5., 6.])
    w = K.variable(3.0)
    assert K.batch_get_value([v, w])[0].tolist() == [5., 6.]      # v is not re-initialized
    with pytest.raises(ValueError, match="Cannot assign a value of shape"):
        K.set_value(v, [1., 2., 3.])


def test_keras_uses_the_default_session_and_set_session():
    v = K.variable(1.0)
    with tf.Session() as sess:
        assert K.get_session() is sess
        assert sess.run(v) == 1.0
    mine = tf.Session()
    K.set_session(mine)
    assert K.get_session() is mine


def test_backend_function_feeds_and_runs_updates():
    x = K.placeholder(shape=(None, 2))
    total = K.variable(0.0)
    f = K.function([x], [tf.reduce_sum(x)], updates=[tf.assign_add(total, 1.0)])
    assert f([np.ones((3, 2))]) == [6.0] and K.get_value(total) == 1.0
    with pytest.raises(TypeError, match="should be a list or tuple"):
        f(np.ones((3, 2)))
    with pytest.raises(ValueError, match="expected 1 inputs, got 2"):
        f([np.ones((1, 2)), np.ones((1, 2))])


def test_backend_settings():
    assert K.floatx() == "float32" and K.epsilon() == 1e-7 and K.image_data_format() == "channels_last"
    with pytest.raises(ValueError, match="Unknown floatx type: float8"):
        K.set_floatx("float8")
    with pytest.raises(ValueError, match="Unknown data_format: nchw"):
        K.set_image_data_format("nchw")
    assert K.int_shape(K.placeholder(shape=(None, 3))) == (None, 3) and K.ndim(K.placeholder(ndim=4)) == 4
