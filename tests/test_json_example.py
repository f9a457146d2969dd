"""tf.io.decode_json_example (ops/json_example.py): JSON-mapped Examples become binary Examples that
parse_example reads back; malformed input is an InvalidArgumentError."""
import numpy as np
import pytest

import numflow as tf

JSON = ('{"features": {"feature": {"a": {"int64List": {"value": ["1", 2]}}, "b": {"bytesList": {"value": ["eA=="]}},'
        ' "c": {"floatList": {"value": ["NaN", 1.5, "-Infinity"]}}, "empty": {}}}}')


def test_decoded_examples_parse_back():
    serialized = tf.io.decode_json_example([[JSON, '{"features": {}}']])
    assert serialized.shape.as_list() == [1, 2]
    flat = tf.reshape(serialized, [-1])
    parsed = tf.parse_example(flat, {"a": tf.VarLenFeature(tf.int64), "b": tf.VarLenFeature(tf.string),
                                     "c": tf.VarLenFeature(tf.float32)})
    got = tf.Session().run(parsed)
    assert got["a"].values.tolist() == [1, 2] and got["a"].indices[:, 0].tolist() == [0, 0]
    assert got["b"].values.tolist() == [b"x"]
    values = got["c"].values
    assert np.isnan(values[0]) and values[1] == 1.5 and values[2] == -np.inf
    again = tf.train.Example.FromString(tf.Session().run(tf.decode_json_example(JSON)))
    assert list(again.features.feature["a"].int64_list.value) == [1, 2]


@pytest.mark.parametrize("text,message", [("{not json", "Error while parsing JSON"),
                                          ('{"feature": {}}', "unknown Example field"),
                                          ('{"features": {"feature": {"x": {"intList": {}}}}}', "unknown kind"),
                                          ('{"features": {"feature": {"x": {"bytesList": {"value": ["@@"]}}}}}',
                                           "Error while parsing JSON")])
def test_malformed_json_is_an_error(text, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        tf.Session().run(tf.io.decode_json_example([text]))
