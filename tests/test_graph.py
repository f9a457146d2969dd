"""The graph core: names, scopes, collections, lookups, dtypes and static shapes."""
import threading

import numpy as np
import pytest

import numflow as tf


def test_op_names_are_made_unique():
    a = tf.constant(1, name="c")
    b = tf.constant(2, name="c")
    c = tf.constant(3, name="c")
    assert (a.op.name, b.op.name, c.op.name) == ("c", "c_1", "c_2")
    assert a.name == "c:0" and b.name == "c_1:0"


def test_default_names_use_the_op_type():
    x = tf.constant(1.0)
    y = tf.add(x, x)
    assert x.op.name == "Const"
    assert y.op.type == "Add" and y.op.name == "Add"


def test_operators_name_their_ops_as_tf1_does():
    # TF1 names an operator's op after the Python operator, so scripts find 'add:0', 'mul:0'...
    a, b = tf.constant([[1.0, 2.0]]), tf.constant([[3.0], [4.0]])
    p, q = tf.constant(True), tf.constant(False)
    i = tf.constant(7)
    made = {"add": a + b, "sub": a - b, "mul": a * b, "truediv": a / b, "floordiv": a // b, "mod": i % 3,
            "pow": a ** 2, "matmul": a @ b, "and": p & q, "or": p | q, "xor": p ^ q,
            "add_1": 1.0 + a, "sub_1": 1.0 - a, "mul_1": 2.0 * a, "pow_1": 2.0 ** a,
            "Neg": -a, "Abs": abs(a), "LogicalNot": ~p, "Less": a < 1.0, "GreaterEqual": a >= 1.0}
    for name, tensor in made.items():
        assert tensor.op.name == name, (name, tensor.op.name)
    assert (a + b).op.type == "Add" and tf.get_default_graph().get_tensor_by_name("add:0") is made["add"]
    with tf.Session() as sess:
        assert sess.run("mul:0").tolist() == [[3.0, 6.0], [4.0, 8.0]]


def test_print_shows_tf1s_tensor_string_and_repr_stays_short():
    s = tf.constant("hi")
    assert str(s) == 'Tensor("Const:0", shape=(), dtype=string)'
    assert repr(s) == "<tf.Tensor 'Const:0' shape=() dtype=string>"
    x = tf.placeholder(tf.float32, [None, 784], name="x")
    assert str(x) == 'Tensor("x:0", shape=(?, 784), dtype=float32)'
    assert str(tf.placeholder(tf.int64)) == 'Tensor("Placeholder:0", dtype=int64)'  # unknown rank: no shape
    with tf.device("/cpu:0"):
        assert str(tf.constant(1, name="c")) == 'Tensor("c:0", shape=(), dtype=int32, device=/device:CPU:0)'


def test_name_scopes_nest_and_uniquify():
    with tf.name_scope("layer") as scope:
        assert scope == "layer/"
        a = tf.constant(1.0, name="w")
        with tf.name_scope("inner"):
            b = tf.constant(1.0, name="w")
    with tf.name_scope("layer") as second:
        c = tf.constant(1.0, name="w")
    assert a.op.name == "layer/w"
    assert b.op.name == "layer/inner/w"
    assert second == "layer_1/" and c.op.name == "layer_1/w"


def test_name_scope_with_trailing_slash_reenters_exactly():
    with tf.name_scope("outer") as scope:
        pass
    with tf.name_scope(scope):
        x = tf.constant(1, name="x")
    assert x.op.name == "outer/x"


def test_name_scope_none_resets_to_root():
    with tf.name_scope("a"):
        with tf.name_scope(None):
            x = tf.constant(1, name="x")
    assert x.op.name == "x"


def test_op_named_by_a_scope_string_takes_that_exact_name():
    with tf.name_scope("block") as scope:
        y = tf.identity(tf.constant(1.0), name=scope)
    assert y.op.name == "block"


def test_default_graph_stack():
    outer = tf.get_default_graph()
    graph = tf.Graph()
    with graph.as_default() as g:
        assert g is graph and tf.get_default_graph() is graph
        x = tf.constant(1)
    assert tf.get_default_graph() is outer
    assert x.graph is graph


def test_reset_default_graph_gives_a_new_empty_graph():
    old = tf.get_default_graph()
    tf.constant(1)
    tf.reset_default_graph()
    assert tf.get_default_graph() is not old
    assert tf.get_default_graph().get_operations() == []


def test_reset_default_graph_inside_a_nested_graph_fails():
    with tf.Graph().as_default():
        with pytest.raises(AssertionError, match="nested"):
            tf.reset_default_graph()


def test_lookup_by_name():
    x = tf.constant(2.0, name="x")
    graph = tf.get_default_graph()
    assert graph.get_tensor_by_name("x:0") is x
    assert graph.get_operation_by_name("x") is x.op
    with pytest.raises(KeyError, match="nope"):
        graph.get_tensor_by_name("nope:0")
    with pytest.raises(KeyError, match="only has 1 outputs"):
        graph.get_tensor_by_name("x:3")
    with pytest.raises(ValueError, match="Tensor names must be of the form"):
        graph.get_tensor_by_name("x")


def test_collections():
    tf.add_to_collection("things", 1)
    tf.add_to_collections(["things", "more"], 2)
    assert tf.get_collection("things") == [1, 2]
    assert tf.get_collection("more") == [2]
    assert tf.get_collection("missing") == []
    ref = tf.get_collection_ref("things")
    ref.append(3)
    assert tf.get_collection("things") == [1, 2, 3]


def test_collection_scope_filter_matches_names():
    with tf.name_scope("a"):
        va = tf.Variable(1.0, name="v")
    with tf.name_scope("b"):
        vb = tf.Variable(1.0, name="v")
    assert tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope="a") == [va]
    assert tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="b") == [vb]


def test_control_dependencies_are_recorded_and_can_be_cleared():
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    with tf.control_dependencies([a]):
        c = tf.identity(b)
        with tf.control_dependencies(None):
            d = tf.identity(b)
        with tf.control_dependencies([b]):
            e = tf.identity(a)
    assert c.op.control_inputs == [a.op]
    assert d.op.control_inputs == []
    assert set(e.op.control_inputs) == {a.op, b.op}


def test_device_is_recorded():
    with tf.device("/cpu:0"):
        x = tf.constant(1.0)
    assert x.op.device == "/device:CPU:0" and x.device == "/device:CPU:0"   # TF's canonical form


def test_operation_attributes():
    x = tf.constant([1.0, 2.0], name="x")
    y = tf.add(x, x, name="y")
    assert y.op.type == "Add"
    assert list(y.op.inputs) == [x, x]
    assert y.op.outputs == [y]
    assert x.consumers() == [y.op, y.op]


def test_tensor_bool_raises_type_error():
    with pytest.raises(TypeError, match="as a Python `bool`"):
        bool(tf.constant(True))
    with pytest.raises(TypeError, match="not iterable"):
        iter(tf.constant([1, 2]))


def test_tensor_equality_is_identity():
    a = tf.constant(1)
    b = tf.constant(1)
    assert a == a and a != b
    assert len({a: 1, b: 2}) == 2


def test_static_shape_of_placeholders_and_set_shape():
    x = tf.placeholder(tf.float32, [None, 784])
    assert x.shape.as_list() == [None, 784]
    assert x.get_shape()[1].value == 784 and x.shape[0].value is None
    assert str(x.shape) == "(?, 784)"
    x.set_shape([32, 784])
    assert x.shape.as_list() == [32, 784]
    with pytest.raises(ValueError, match="not compatible"):
        x.set_shape([16, 784])
    unknown = tf.placeholder(tf.float32)
    assert unknown.shape.ndims is None


def test_tensor_shape_behaviour():
    shape = tf.TensorShape([None, 3])
    assert shape.ndims == 2 and not shape.is_fully_defined()
    assert shape.is_compatible_with([5, 3]) and not shape.is_compatible_with([5, 4])
    assert shape.merge_with([5, None]).as_list() == [5, 3]
    assert tf.TensorShape([2, 3]).num_elements() == 6
    assert int(tf.TensorShape([2, 3])[1]) == 3
    assert tf.TensorShape([2, 3]) == [2, 3]
    assert tf.TensorShape(None).as_tuple() is None


@pytest.mark.parametrize("value, dtype", [
    (1, tf.int32), (1.5, tf.float32), (True, tf.bool), ("s", tf.string),
    (np.array([1.0]), tf.float64), (np.array([1], dtype=np.int64), tf.int64),
    (np.float32(2), tf.float32), ([1, 2], tf.int32), ([1.0, 2], tf.float32),
])
def test_constant_dtypes_follow_tf1(value, dtype):
    assert tf.constant(value).dtype == dtype


def test_as_dtype_accepts_names_and_numpy_types():
    assert tf.as_dtype("float") is tf.float32
    assert tf.as_dtype("float32") is tf.float32
    assert tf.as_dtype("double") is tf.float64
    assert tf.as_dtype(np.int64) is tf.int64
    assert tf.as_dtype(np.dtype("uint8")) is tf.uint8
    assert tf.as_dtype(bool) is tf.bool
    assert tf.float32.is_floating and tf.int32.is_integer and tf.float32.as_numpy_dtype is np.float32
    with pytest.raises(TypeError, match="Cannot convert"):
        tf.as_dtype("nonsense")


def test_mixing_int32_and_float32_is_a_type_error_naming_both():
    with pytest.raises(TypeError, match="int32.*float32|float32.*int32"):
        tf.constant(1) + tf.constant(1.0)


def test_python_scalar_takes_the_tensors_dtype():
    x = tf.placeholder(tf.int64)
    assert (10 * x).dtype is tf.int64
    y = tf.constant(2.0, dtype=tf.float64)
    assert (y + 1).dtype is tf.float64


def test_float_into_int_tensor_is_a_type_error():
    with pytest.raises(TypeError, match="int32"):
        tf.constant(1) + 2.5


def test_matmul_shape_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"\[2,3\].*\[4,5\]"):
        tf.matmul(tf.zeros([2, 3]), tf.zeros([4, 5]))


def test_constant_with_shape_fills_and_pads():
    with tf.Session() as sess:
        assert sess.run(tf.constant(0.5, shape=[2, 2])).tolist() == [[0.5, 0.5], [0.5, 0.5]]
        assert sess.run(tf.constant([1, 2], shape=[4])).tolist() == [1, 2, 2, 2]
        assert sess.run(tf.constant([1, 2, 3, 4], shape=[2, 2])).tolist() == [[1, 2], [3, 4]]
    with pytest.raises(ValueError, match="Too many elements"):
        tf.constant([1, 2, 3], shape=[2])


def test_tensors_of_another_graph_cannot_be_combined():
    other = tf.Graph()
    with other.as_default():
        x = tf.constant(1.0)
    with pytest.raises(ValueError, match="same graph"):
        tf.add(x, tf.constant(2.0))


def test_graphs_are_built_safely_from_threads():
    graph = tf.Graph()
    names = []

    def build():
        with graph.as_default():
            for _ in range(50):
                names.append(tf.constant(1.0, name="c").op.name)

    threads = [threading.Thread(target=build) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(names)) == 200
