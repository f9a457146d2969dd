"""tf.keras.layers.Bidirectional and TimeDistributed: values against NumPy, merge modes, states, masks,
weight names, configs and error messages."""
import numpy as np
import pytest

import numflow as tf
from test_keras_recurrent import MASK, X, np_run, random_weights, run, simple_stepper

keras = tf.keras
L = tf.keras.layers
K = tf.keras.backend


@pytest.fixture(autouse=True)
def fresh_keras():
    K.clear_session()
    yield
    K.clear_session()


class Affine(L.Layer):
    """x . kernel + offset on the last axis (a small layer to wrap)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.supports_masking = True

    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units))
        self.offset = self.add_weight("offset", (self.units,), initializer="ones")

    def call(self, inputs, training=None):
        shift = 0.0 if training is None or training is False else 100.0
        return tf.tensordot(inputs, self.kernel, [[inputs.shape.ndims - 1], [0]]) + self.offset + shift

    def compute_output_shape(self, input_shape):
        return tf.TensorShape(input_shape.as_list()[:-1] + [self.units])

    def get_config(self):
        config = super().get_config()
        config["units"] = self.units
        return config


# --- Bidirectional -----------------------------------------------------------------------------------
def both_directions(layer, x_value, mask=None, zero_masked_outputs=False):
    """NumPy forward and backward runs of a Bidirectional(SimpleRNN) with the layer's weights."""
    k1, r1, b1, k2, r2, b2 = layer.get_weights()
    forward, fstates = np_run(simple_stepper(k1, r1, b1), x_value, [np.zeros((3, 3))], mask)
    backward, bstates = np_run(simple_stepper(k2, r2, b2), x_value, [np.zeros((3, 3))], mask, go_backwards=True)
    if zero_masked_outputs:
        forward = forward * mask[:, :, None]
        backward = backward * mask[:, ::-1, None]
    return forward, backward, fstates, bstates


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional_merge_modes(merge_mode):
    x = keras.Input((5, 4), dtype="float64")
    layer = L.Bidirectional(L.SimpleRNN(3, return_sequences=True), merge_mode=merge_mode)
    out = layer(x)
    random_weights(layer)
    forward, backward, _, _ = both_directions(layer, X)
    backward = backward[:, ::-1]
    expected = {"concat": np.concatenate([forward, backward], axis=-1), "sum": forward + backward,
                "mul": forward * backward, "ave": (forward + backward) / 2, None: [forward, backward]}[merge_mode]
    got = run(out, {x: X})
    if merge_mode is None:
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-10)
        np.testing.assert_allclose(got[1], expected[1], rtol=1e-10)
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-10)
        assert out.shape.as_list() == [None, 5, 6 if merge_mode == "concat" else 3]
    shape = layer.compute_output_shape(tf.TensorShape([None, 5, 4]))
    if merge_mode is None:
        assert [s.as_list() for s in shape] == [[None, 5, 3]] * 2
    else:
        assert shape.as_list() == out.shape.as_list()


def test_bidirectional_names_weights_and_weights_argument():
    x = keras.Input((5, 4))
    template = L.LSTM(2)
    values = [np.full((4, 8), 0.1), np.full((2, 8), 0.2), np.full(8, 0.3),
              np.full((4, 8), -0.1), np.full((2, 8), -0.2), np.full(8, -0.3)]
    layer = L.Bidirectional(template, weights=values)
    layer(x)
    assert [w.name for w in layer.weights] == [
        "bidirectional/forward_lstm/kernel:0", "bidirectional/forward_lstm/recurrent_kernel:0",
        "bidirectional/forward_lstm/bias:0", "bidirectional/backward_lstm/kernel:0",
        "bidirectional/backward_lstm/recurrent_kernel:0", "bidirectional/backward_lstm/bias:0"]
    for got, expected in zip(layer.get_weights(), values):
        np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert not template.built and layer.backward_layer.go_backwards


def test_bidirectional_last_output_states_and_mask():
    x = keras.Input((5, 4), dtype="float64")
    mask = tf.placeholder(tf.bool, (None, 5))
    layer = L.Bidirectional(L.SimpleRNN(3, return_state=True))
    outputs = layer(x, mask=mask)
    assert len(outputs) == 3
    random_weights(layer, seed=2)
    forward, backward, fstates, bstates = both_directions(layer, X, MASK)
    got = run(outputs, {x: X, mask: MASK})
    np.testing.assert_allclose(got[0], np.concatenate([forward[:, -1], backward[:, -1]], axis=-1), rtol=1e-10)
    np.testing.assert_allclose(got[1], fstates[0], rtol=1e-10)
    np.testing.assert_allclose(got[2], bstates[0], rtol=1e-10)


def test_bidirectional_masked_sequences_give_zeros_at_masked_steps():
    x = keras.Input((5, 4), dtype="float64")
    mask = tf.placeholder(tf.bool, (None, 5))
    layer = L.Bidirectional(L.SimpleRNN(3, return_sequences=True), merge_mode="sum")
    out = layer(x, mask=mask)
    assert out._keras_mask is mask
    random_weights(layer, seed=3)
    forward, backward, _, _ = both_directions(layer, X, MASK, zero_masked_outputs=True)
    np.testing.assert_allclose(run(out, {x: X, mask: MASK}), forward + backward[:, ::-1], rtol=1e-10)


def test_bidirectional_initial_state_is_split_between_directions():
    x = keras.Input((5, 4), dtype="float64")
    states = [keras.Input((3,), dtype="float64") for _ in range(2)]
    layer = L.Bidirectional(L.SimpleRNN(3), merge_mode=None)
    outputs = layer(x, initial_state=states)
    random_weights(layer, seed=4)
    k1, r1, b1, k2, r2, b2 = layer.get_weights()
    s1, s2 = np.random.RandomState(5).randn(2, 3, 3)
    forward, _ = np_run(simple_stepper(k1, r1, b1), X, [s1])
    backward, _ = np_run(simple_stepper(k2, r2, b2), X, [s2], go_backwards=True)
    got = run(outputs, {x: X, states[0]: s1, states[1]: s2})
    np.testing.assert_allclose(got[0], forward[:, -1], rtol=1e-10)
    np.testing.assert_allclose(got[1], backward[:, -1], rtol=1e-10)
    with pytest.raises(ValueError, match="the state should be a list containing the states of the underlying"):
        layer(x, initial_state=states[:1])


def test_bidirectional_with_backward_layer():
    x = keras.Input((5, 4), dtype="float64")
    backward = L.GRU(3, go_backwards=True, return_sequences=True, name="reverse_gru")
    layer = L.Bidirectional(L.SimpleRNN(3, return_sequences=True), backward_layer=backward)
    out = layer(x)
    assert layer.backward_layer is backward and backward.name == "backward_reverse_gru"
    assert out.shape.as_list() == [None, 5, 6]
    config = layer.get_config()
    assert config["backward_layer"]["class_name"] == "GRU"
    clone = L.Bidirectional.from_config(config)
    assert isinstance(clone.backward_layer, L.GRU) and clone.forward_layer.name == "forward_simple_rnn"
    with pytest.raises(ValueError, match="should have different `go_backwards` value"):
        L.Bidirectional(L.SimpleRNN(3), backward_layer=L.SimpleRNN(3))
    with pytest.raises(ValueError, match="same value for attribute `return_sequences`"):
        L.Bidirectional(L.SimpleRNN(3), backward_layer=L.SimpleRNN(3, go_backwards=True, return_sequences=True))


def test_bidirectional_config_round_trip_and_errors():
    layer = L.Bidirectional(L.LSTM(3, return_sequences=True), merge_mode="ave")
    config = layer.get_config()
    assert config["merge_mode"] == "ave" and config["layer"]["class_name"] == "LSTM"
    clone = L.Bidirectional.from_config(config)
    assert clone.get_config() == config and clone.return_sequences
    with pytest.raises(ValueError, match="Invalid merge mode"):
        L.Bidirectional(L.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="Please initialize `Bidirectional` layer with a `Layer` instance"):
        L.Bidirectional("lstm")


def test_bidirectional_stateful_reset():
    x = keras.Input(batch_shape=(3, 5, 4), dtype="float64")
    layer = L.Bidirectional(L.SimpleRNN(3, stateful=True))
    out = layer(x)
    session = K.get_session()
    first = session.run(out, {x: X})
    session.run(layer.updates, {x: X})
    assert not np.allclose(session.run(out, {x: X}), first)
    layer.reset_states()
    np.testing.assert_allclose(session.run(out, {x: X}), first, rtol=1e-12)


# --- TimeDistributed -----------------------------------------------------------------------------------
@pytest.mark.parametrize("batch", [None, 3])
def test_time_distributed_values_and_names(batch):
    x = keras.Input(batch_shape=(batch, 5, 4), dtype="float64")
    layer = L.TimeDistributed(Affine(2))
    out = layer(x)
    assert [w.name for w in layer.weights] == ["time_distributed/kernel:0", "time_distributed/offset:0"]
    assert out.shape.as_list() == [batch, 5, 2]
    kernel, offset = random_weights(layer)
    np.testing.assert_allclose(run(out, {x: X}), X @ kernel + offset, rtol=1e-10)
    assert layer.compute_output_shape(tf.TensorShape([batch, 5, 4])).as_list() == [batch, 5, 2]


def test_time_distributed_passes_training_and_mask():
    x = keras.Input((5, 4), dtype="float64")
    mask = tf.placeholder(tf.bool, (None, 5))
    layer = L.TimeDistributed(Affine(2))
    out = layer(x, mask=mask, training=True)
    np.testing.assert_array_equal(run(out._keras_mask, {mask: MASK}), MASK)
    kernel, offset = random_weights(layer, seed=1)
    np.testing.assert_allclose(run(out, {x: X}), X @ kernel + offset + 100.0, rtol=1e-10)


def test_time_distributed_over_an_rnn():
    x = keras.Input((2, 5, 4), dtype="float64")
    layer = L.TimeDistributed(L.SimpleRNN(3))
    out = layer(x)
    assert out.shape.as_list() == [None, 2, 3]
    kernel, recurrent, bias = random_weights(layer, seed=2)
    data = np.stack([X, X[:, ::-1]], axis=1)
    got = run(out, {x: data})
    for k in range(2):
        expected, _ = np_run(simple_stepper(kernel, recurrent, bias), data[:, k], [np.zeros((3, 3))])
        np.testing.assert_allclose(got[:, k], expected[:, -1], rtol=1e-10)


def test_time_distributed_config_and_errors():
    layer = L.TimeDistributed(Affine(2))
    config = layer.get_config()
    assert config["layer"] == {"class_name": "Affine", "config": layer.layer.get_config()}
    with keras.utils.custom_object_scope({"Affine": Affine}):
        clone = L.TimeDistributed.from_config(config)
    assert isinstance(clone.layer, Affine) and clone.layer.units == 2
    with pytest.raises(ValueError, match="should be passed an `input_shape ` with at least 3 dimensions"):
        L.TimeDistributed(Affine(2))(keras.Input((4,)))
    with pytest.raises(ValueError, match="Please initialize `TimeDistributed` layer with a `Layer` instance"):
        L.TimeDistributed(3)


def test_bidirectional_passes_constants_to_both_directions():
    from test_keras_recurrent import ConstantCell
    x = keras.Input((5, 4), dtype="float64")
    constant = keras.Input((2,), dtype="float64")
    layer = L.Bidirectional(L.RNN(ConstantCell(2)))
    out = layer(x, constants=constant)
    assert len(layer.inbound_nodes[0].input_tensors) == 2
    cv = np.array([[1., 2.], [3., 4.], [5., 6.]])
    one_direction = X.sum(axis=(1, 2))[:, None] + 5 * cv
    np.testing.assert_allclose(run(out, {x: X, constant: cv}), np.concatenate([one_direction] * 2, axis=-1),
                               rtol=1e-12)
    config = layer.get_config()
    assert config["num_constants"] == 1
    with keras.utils.custom_object_scope({"ConstantCell": ConstantCell}):
        assert L.Bidirectional.from_config(config)._num_constants == 1


def test_time_distributed_masks_from_the_wrapped_layer():
    x = keras.Input((3, 4, 2), dtype="float64")
    out = L.TimeDistributed(L.Masking(0.0))(x)
    data = np.random.RandomState(6).randn(2, 3, 4, 2)
    data[0, 1, 2] = 0.0
    data[1, 2] = 0.0
    mask = run(out._keras_mask, {x: data})
    np.testing.assert_array_equal(mask, np.any(data != 0, axis=-1))
    tokens = keras.Input((3, 4), dtype="int32")
    embedded = L.TimeDistributed(L.Embedding(5, 2, mask_zero=True))(tokens)
    ids = np.array([[[1, 2, 0, 0], [3, 0, 0, 0], [0, 0, 0, 0]]])
    np.testing.assert_array_equal(run(embedded._keras_mask, {tokens: ids}), ids != 0)
    steps = keras.Input((3, 4, 2), dtype="float64")
    incoming = tf.placeholder(tf.bool, (None, 3, 4))
    kept = L.TimeDistributed(Affine(2))(steps, mask=incoming)
    np.testing.assert_array_equal(run(kept._keras_mask, {incoming: data[..., 0] > 0}), data[..., 0] > 0)

    class DropsMask(Affine):
        def compute_mask(self, inputs, mask=None):
            return None
    # a mask the wrapped layer drops comes out reduced to [batch, time]
    reduced = L.TimeDistributed(DropsMask(2))(steps, mask=incoming)
    np.testing.assert_array_equal(run(reduced._keras_mask, {incoming: data[..., 0] > 0}),
                                  np.any(data[..., 0] > 0, axis=-1))
