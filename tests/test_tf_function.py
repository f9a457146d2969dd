"""tf.function / tf.compat.v1.wrap_function in graph mode (inlined; values as TF 2.21 with eager disabled)."""
import numpy as np
import pytest

import numflow as tf


def test_decorator_and_python_arguments():
    calls = []

    @tf.function
    def scale(x, k=2):
        calls.append(k)
        return x * k
    x = tf.placeholder(tf.float32, [None])
    doubled, tripled = scale(x), scale(x, 3)
    direct = tf.function(lambda a: a - 1.0)(x)
    assert calls == [2, 3] and doubled.shape.as_list() == [None]
    with tf.Session() as sess:
        got = sess.run([doubled, tripled, direct], {x: [1.0, 2.0]})
    np.testing.assert_allclose(got, [[2, 4], [3, 6], [0, 1]])
    assert scale.python_function.__name__ == "scale" and scale.input_signature is None


def test_input_signature_nested_outputs_and_conversion():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def parts(a):
        return {"s": a + 1.0, "t": (a, a * 2)}
    out = parts([1.0, 2.0])      # a Python list is converted to the spec's dtype
    assert set(out) == {"s", "t"} and isinstance(out["t"], tuple)
    assert out["t"][0] is not None and out["t"][0].op.type == "Identity"
    with tf.Session() as sess:
        got = sess.run(out)
    np.testing.assert_allclose(got["s"], [2, 3])
    np.testing.assert_allclose(got["t"][1], [2, 4])


def test_input_signature_errors():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def ident(a):
        return a
    x = tf.placeholder(tf.float32, [None])
    with pytest.raises(TypeError, match=r"Binding inputs to tf.function failed due to `Can not cast "
                                        r"TensorSpec\(shape=\[2\], dtype=tf.int32"):
        ident(tf.constant([1, 2]))
    with pytest.raises(TypeError, match=r"Can not cast TensorSpec\(shape=\[2,2\], dtype=tf.float32"):
        ident(tf.zeros([2, 2]))
    with pytest.raises(TypeError, match="too many positional arguments"):
        ident(x, x)
    with pytest.raises(TypeError, match="missing a required argument: 'a'"):
        ident()
    with pytest.raises(TypeError, match="input_signature must be a possibly nested sequence of TensorSpec"):
        tf.function(lambda a: a, input_signature=[3])


def test_stateful_ops_run_in_program_order_and_always():
    v = tf.Variable(1.0)

    @tf.function
    def bump(a):
        v.assign_add(a)          # its result is unused: it still runs (automatic control dependencies)
        return v.read_value() * 10.0
    result = bump(tf.constant(2.0))
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(result) == 30.0
        assert sess.run(result) == 50.0


def test_concrete_function():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="a")])
    def parts(a):
        return {"s": a + 1.0, "t": (a, a * 2)}
    concrete = parts.get_concrete_function()
    assert [t.name for t in concrete.inputs] == ["a:0"]
    assert len(concrete.outputs) == 3 and all(t.graph is concrete.graph for t in concrete.outputs)
    assert concrete.structured_outputs["s"].graph is concrete.graph
    assert concrete.structured_input_signature[0][0].shape.as_list() == [None]
    x = tf.placeholder(tf.float32, [None])
    called = concrete(x)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(called["s"], {x: [1.0]}), [2.0])
    with pytest.raises(TypeError, match="was traced for"):
        concrete(tf.constant([1, 2]))

    @tf.function
    def double(a):
        return a * 2.0
    traced = double.get_concrete_function(tf.TensorSpec([3], tf.float32))
    assert traced.inputs[0].shape.as_list() == [3] and traced.outputs[0].shape.as_list() == [3]
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(traced(tf.constant([1.0, 2.0, 3.0]))), [2, 4, 6])


def test_wrap_function():
    def add(a, b):
        return a + b
    wrapped = tf.compat.v1.wrap_function(add, [tf.TensorSpec([], tf.float32), tf.TensorSpec([], tf.float32)])
    assert len(wrapped.inputs) == 2 and len(wrapped.outputs) == 1
    assert wrapped.structured_outputs.graph is wrapped.graph
    with tf.Session() as sess:
        assert sess.run(wrapped(tf.constant(1.0), tf.constant(2.0))) == 3.0


def test_method_and_run_functions_eagerly_flag():
    class Model:
        factor = 4.0

        @tf.function
        def apply(self, x):
            return x * self.factor
    with tf.Session() as sess:
        assert sess.run(Model().apply(tf.constant(2.0))) == 8.0
    assert tf.config.functions_run_eagerly() is False
    tf.config.run_functions_eagerly(True)
    try:
        assert tf.config.functions_run_eagerly() is True
        assert tf.config.experimental_functions_run_eagerly() is True
    finally:
        tf.config.experimental_run_functions_eagerly(False)
    assert tf.config.functions_run_eagerly() is False


def test_tape_through_function():
    @tf.function
    def cube(a):
        return a * a * a
    x = tf.placeholder(tf.float32, [2])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = cube(x)
    grad = tape.gradient(y, x)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(grad, {x: [1.0, 2.0]}), [3.0, 12.0])


def test_concrete_function_reading_an_outer_variable():
    v = tf.Variable(2.0)

    @tf.function
    def times_v(a):
        return a * v
    concrete = times_v.get_concrete_function(tf.TensorSpec([], tf.float32))
    assert concrete.graph is tf.get_default_graph() and concrete.inputs[0].op.type == "Placeholder"
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(concrete(tf.constant(3.0))) == 6.0
        assert sess.run(concrete.outputs[0], {concrete.inputs[0]: 5.0}) == 10.0
