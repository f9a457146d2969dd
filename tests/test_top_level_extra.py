"""tf.Module, tf.add_check_numerics_ops, tf.vectorized_map and the proto / error classes at tf.*."""
import numpy as np
import pytest

import numflow as tf


class Dense(tf.Module):
    def __init__(self, units, name=None):
        super().__init__(name=name)
        with self.name_scope:
            self.w = tf.Variable(tf.ones([2, units]), name="w")
            self.b = tf.Variable(tf.zeros([units]), trainable=False, name="b")

    @tf.Module.with_name_scope
    def __call__(self, x):
        return tf.matmul(x, self.w) + self.b


class Stack(tf.Module):
    def __init__(self):
        super().__init__()
        self.layers = [Dense(2), Dense(2, name="second")]
        self.extra = {"again": self.layers[0]}


def test_module_tracks_variables_and_submodules():
    model = Stack()
    assert model.name == "stack" and [m.name for m in model.submodules] == ["dense", "second"]
    assert [v.name for v in model.variables] == ["dense/b:0", "dense/w:0", "second/b:0", "second/w:0"]
    assert [v.name for v in model.trainable_variables] == ["dense/w:0", "second/w:0"]
    out = model.layers[1](tf.ones([1, 2]))
    assert out.name.startswith("second/")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(out), [[2.0, 2.0]])
    with pytest.raises(ValueError, match="is not a valid module name"):
        tf.Module(name="not valid!")


def test_add_check_numerics_ops():
    x = tf.placeholder(tf.float32, [2])
    tf.log(x)
    check = tf.add_check_numerics_ops()
    with tf.Session() as sess:
        sess.run(check, {x: [1.0, 2.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Tensor had NaN or Inf values"):
            sess.run(check, {x: [0.0, 1.0]})


def test_vectorized_map_and_protos():
    rows = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(tf.Session().run(tf.vectorized_map(lambda r: r * tf.reduce_sum(r), rows)),
                               [[3.0, 6.0], [21.0, 28.0]])
    assert tf.OpError is tf.errors.OpError
    histogram = tf.HistogramProto(min=0.0, max=1.0)
    assert tf.HistogramProto.FromString(histogram.SerializeToString()).max == 1.0
    assert tf.AttrValue(i=3).i == 3 and tf.NameAttrList(name="f").name == "f"
    assert tf.TensorInfo(name="x:0").name == "x:0" and tf.MetaGraphDef() is not None
    assert tf.SummaryMetadata is not None and tf.LogMessage is not None
