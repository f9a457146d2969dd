"""GraphDef both ways: the messages and their text format, numflow -> GraphDef -> numflow round trips,
graphs written by real TensorFlow (tests/fixtures/graphs, made by tests/fixtures/make_tf_fixtures.py),
tf.graph_util, write_graph, the TF compat ops, and bad input."""
import math
import os

import numpy as np
import pytest

import numflow as tf
import numflow.ops.tf_compat_ops  # noqa: F401 - registers the ops _run_op builds directly
from numflow.framework import errors
from numflow.framework.graph_def import read_graph_def, tensor_proto_to_ndarray
from numflow.io import graph_proto
from numflow.io.graph_proto import AttrValue, GraphDef, NodeDef, TextFormatError, parse_text, to_text

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "graphs")


def fixture(name):
    path = os.path.join(FIXTURES, name)
    if name.endswith(".npy"):
        return np.load(path, allow_pickle=False)
    if name.endswith(".npz"):
        return np.load(path, allow_pickle=False)
    return read_graph_def(path)


def import_into_new_graph(graph_def, **kwargs):
    graph = tf.Graph()
    with graph.as_default():
        result = tf.import_graph_def(graph_def, name=kwargs.pop("name", ""), **kwargs)
    return graph, result


# --- messages ------------------------------------------------------------------------------------------
def test_messages_binary_and_text_round_trip():
    graph_def = GraphDef()
    node = graph_def.node.add(name="a/b", op="Const", device="/cpu:0")
    node.input.extend(["x:1", "^y"])
    node.attr["s"].s = b"q\x00\"\\\n\xff"
    node.attr["f"].f = 0.1
    node.attr["nan"].f = math.nan
    node.attr["inf"].f = -math.inf
    node.attr["l"].list.i.extend([1, -2, 2 ** 40])
    node.attr["types"].list.type.extend([1, 9])
    node.attr["shape"].shape.dim.add(size=-1)
    node.attr["b"].b = True
    graph_def.versions.producer = 27
    data = graph_def.SerializeToString()
    again = GraphDef.FromString(data)
    assert again == graph_def and again.SerializeToString() == data
    text = to_text(graph_def)
    assert 'type: DT_FLOAT' in text and 'type: DT_INT64' in text and 's: "q\\000\\"\\\\\\n\\377"' in text
    parsed = parse_text(text, GraphDef)
    assert parsed.SerializeToString() == data
    assert list(parsed.node[0].attr["l"].list.i) == [1, -2, 2 ** 40]
    assert math.isnan(parsed.node[0].attr["nan"].f) and parsed.node[0].attr["inf"].f == -math.inf
    assert parsed.node[0].attr["b"].WhichOneof("value") == "b"
    assert str(parsed) == text


def test_text_format_accepts_protobuf_variants():
    text = """# a comment
    node < name: 'a' op: "Co" "nst" attr { key: "l" value { list { i: [1, 2, 0x10] } } } >
    node { name: "b" op: "NoOp" input: ["a", "^a"] }
    versions { producer: 1; min_consumer: 0 }"""
    parsed = parse_text(text, GraphDef)
    assert [n.name for n in parsed.node] == ["a", "b"] and parsed.node[0].op == "Const"
    assert list(parsed.node[0].attr["l"].list.i) == [1, 2, 16]
    assert list(parsed.node[1].input) == ["a", "^a"]


@pytest.mark.parametrize("text, match", [
    ('node { nam: "a" }', "line 1 column 8: message NodeDef has no field named \"nam\""),
    ('node {\n  name: 3 }', "line 2 column 9: field name expects a string"),
    ('node { name: "a"', "unexpected end"),
    ('node { attr { key: "T" value { type: DT_NOPE } } }', "enum field type has no value named DT_NOPE"),
    ('versions { producer: 1.5 }', "expects an integer"),
    ('node { name: "a\\q" }', "invalid escape"),
])
def test_text_format_errors_name_the_place(text, match):
    with pytest.raises(TextFormatError, match=match):
        parse_text(text, GraphDef)


def test_attr_value_is_a_oneof_and_maps_create_entries():
    value = AttrValue(i=3)
    value.f = 2.0
    assert value.WhichOneof("value") == "f"
    assert list(value.list.i) == [] and value.WhichOneof("value") == "f"
    node = NodeDef()
    node.attr["T"].type = 1
    assert "T" in node.attr and node.attr["T"].type == 1
    copy = NodeDef()
    copy.CopyFrom(node)
    assert copy == node and copy.ByteSize() == len(node.SerializeToString())
    with pytest.raises(AttributeError, match="NodeDef has no field 'nope'"):
        node.nope = 1


# --- numflow -> GraphDef -> numflow ----------------------------------------------------------------------
def _round_trip(build, feeds):
    """Builds `build()` -> {name: tensor} in a graph, exports, imports into a fresh graph, and checks that
    every fetch has the same value, dtype and static shape."""
    graph = tf.Graph()
    with graph.as_default():
        fetches = build()
        init = tf.global_variables_initializer()
    graph_def = graph.as_graph_def()
    graph_def = GraphDef.FromString(graph_def.SerializeToString())
    imported, _ = import_into_new_graph(graph_def)
    names = {key: tensor.name for key, tensor in fetches.items()}
    with tf.Session(graph=graph) as original, tf.Session(graph=imported) as copy:
        original.run(init)
        copy.run(init.name)
        expected = original.run(names, feeds)
        actual = copy.run(names, feeds)
    for key in names:
        if np.asarray(expected[key]).dtype.kind in "OSU":
            assert np.asarray(actual[key]).tolist() == np.asarray(expected[key]).tolist(), key
        else:
            np.testing.assert_allclose(actual[key], expected[key], rtol=1e-6, atol=1e-6, err_msg=key)
        assert np.asarray(actual[key]).dtype == np.asarray(expected[key]).dtype, key
        assert imported.get_tensor_by_name(names[key]).shape.as_list() == fetches[key].shape.as_list(), key
    return graph_def


def test_round_trip_math_and_reductions():
    x_value = np.random.RandomState(0).randn(3, 4).astype(np.float32)

    def build():
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        y = tf.constant(np.arange(4, dtype=np.float32) + 1)
        return {
            "unary": tf.abs(x) + tf.exp(-tf.square(x)) + tf.tanh(x) * tf.sigmoid(x) - tf.floor(x) + tf.sqrt(tf.abs(x)),
            "binary": tf.maximum(x, y) - tf.minimum(x, 0.5) * tf.pow(tf.abs(x), 2.0) / y + tf.squared_difference(x, y),
            "compare": tf.cast(tf.logical_and(tf.greater(x, 0.0), tf.less_equal(x, y)), tf.int32),
            "sum_all": tf.reduce_sum(x), "mean_axis": tf.reduce_mean(x, axis=1, keepdims=True),
            "max": tf.reduce_max(x, axis=[0]), "prod": tf.reduce_prod(x + 2.0, axis=-1),
            "argmax": tf.argmax(x, axis=1), "argmin": tf.argmin(x, axis=0, output_type=tf.int32),
            "addn": tf.add_n([x, x, x * 2.0]), "select": tf.where(x > 0.0, x, -x),
            "clip": tf.clip_by_value(x, -0.5, 0.5), "softmax": tf.nn.softmax(x),
            "log_softmax": tf.nn.log_softmax(x), "leaky": tf.nn.leaky_relu(x, 0.1),
            "relu6": tf.nn.relu6(x * 4.0), "elu": tf.nn.elu(x), "shape": tf.shape(x), "size": tf.size(x),
            "rank": tf.rank(x), "matmul": tf.matmul(x, x, transpose_b=True),
            "batch_matmul": tf.matmul(tf.reshape(x, [3, 2, 2]), tf.reshape(x, [3, 2, 2]), adjoint_a=True),
            "einsum": tf.einsum("ij,kj->ik", x, x), "l2": tf.nn.l2_loss(x),
        }
    _round_trip(build, {"x:0": x_value})


def test_round_trip_array_ops():
    x_value = np.arange(24, dtype=np.float32).reshape(2, 3, 4)

    def build():
        x = tf.placeholder(tf.float32, [2, 3, 4], name="x")
        a, b = tf.split(x, 2, axis=2)
        c, d, e = tf.split(x, [1, 1, -1], axis=1)
        return {
            "concat": tf.concat([x, x * 2.0], axis=-1), "split_a": a, "split_b": b, "split_sizes": e,
            "expand": tf.expand_dims(x, 1), "squeeze": tf.squeeze(c, axis=[1]),
            "gather": tf.gather(x, [2, 0], axis=1), "gather_nd": tf.gather_nd(x, [[0, 1], [1, 2]]),
            "transpose": tf.transpose(x, [2, 0, 1]), "transpose_default": tf.transpose(x),
            "reverse": tf.reverse(x, axis=[0, 2]), "stack": tf.stack([d, d], axis=1),
            "unstack": tf.unstack(x, axis=1)[2], "pad": tf.pad(x, [[0, 0], [1, 0], [0, 2]], constant_values=3.0),
            "mirror": tf.pad(x, [[0, 0], [1, 1], [0, 0]], mode="REFLECT"),
            "strided": x[:, ::2, 1:-1], "shrink": x[1, :, 3], "tile": tf.tile(x, [1, 2, 1]),
            "fill": tf.fill([2, 2], 7.0), "range": tf.range(1, 10, 3), "one_hot": tf.one_hot([0, 2], 3, axis=0),
            "slice": tf.slice(x, [0, 1, 1], [1, 2, -1]), "reshape": tf.reshape(x, [4, -1]),
            "cast": tf.cast(x, tf.int64), "zeros": tf.zeros_like(x), "ones": tf.ones_like(x),
            "topk": tf.nn.top_k(tf.reshape(x, [6, 4]), 2).values, "depth": tf.nn.space_to_depth(
                tf.reshape(x, [1, 4, 6, 1]), 2),
            "broadcast": tf.broadcast_to(tf.constant([1.0, 2.0]), [3, 2]),
            "string": tf.constant([b"a", b"bc"]), "bools": tf.constant([True, False]),
            "zeros_big": tf.zeros([1000]),
        }
    graph_def = _round_trip(build, {"x:0": x_value})
    big = [n for n in graph_def.node if n.op == "Const" and
           [d.size for d in n.attr["value"].tensor.tensor_shape.dim] == [1000]]
    assert big and len(big[0].attr["value"].tensor.SerializeToString()) < 40   # one repeated value


def test_round_trip_nn_and_training():
    rng = np.random.RandomState(1)
    images = rng.rand(2, 8, 8, 3).astype(np.float32)

    def build():
        x = tf.placeholder(tf.float32, [None, 8, 8, 3], name="images")
        labels = tf.constant(np.eye(4, dtype=np.float32)[[1, 3]])
        w = tf.Variable(rng.randn(3, 3, 3, 5).astype(np.float32) * 0.2, name="w")
        b = tf.Variable(np.zeros(5, np.float32), name="b")
        h = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME"), b))
        explicit = tf.nn.conv2d(x, w, [1, 2, 2, 1], [[0, 0], [1, 2], [0, 1], [0, 0]])
        h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
        h = tf.nn.avg_pool(h, [1, 2, 2, 1], [1, 1, 1, 1], "SAME")
        depthwise = tf.nn.depthwise_conv2d(x, tf.ones([2, 2, 3, 1]), [1, 1, 1, 1], "VALID")
        nchw = tf.nn.bias_add(tf.transpose(h, [0, 3, 1, 2]), b, data_format="NCHW")
        flat = tf.reshape(h, [-1, 4 * 4 * 5])
        dense = tf.Variable(rng.randn(80, 4).astype(np.float32) * 0.1, name="dense")
        logits = tf.matmul(flat, dense)
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits))
        sparse = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1, 3], logits=logits)
        grads = tf.gradients(loss, [w, b, dense])
        with tf.control_dependencies([tf.train.GradientDescentOptimizer(0.1).minimize(loss)]):
            after = tf.identity(loss)
        return {"h": h, "explicit": explicit, "depthwise": depthwise, "nchw": nchw, "loss": loss,
                "sparse": sparse, "gw": grads[0], "gb": grads[1], "gd": grads[2], "after": after,
                "lrn": tf.nn.lrn(x, 2), "in_top_k": tf.nn.in_top_k(logits, [1, 3], 2)}
    graph_def = _round_trip(build, {"images:0": images})
    ops = {n.op for n in graph_def.node}
    assert {"Conv2D", "Conv2DBackpropFilter", "BiasAddGrad", "MaxPoolGrad", "ApplyGradientDescent",
            "VariableV2", "Assign"} <= ops


def test_import_prefix_input_map_and_return_elements():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None], name="x")
        tf.multiply(x, 2.0, name="double")
        tf.no_op(name="done")
    graph_def = graph.as_graph_def()
    target = tf.Graph()
    with target.as_default():
        fed = tf.constant([1.0, 2.0], name="fed")
        double, done = tf.import_graph_def(graph_def, input_map={"x": fed}, return_elements=["double:0", "done"])
        again = tf.import_graph_def(graph_def, return_elements=["double:0"])[0]
        named = tf.import_graph_def(graph_def, name="net", return_elements=["x:0"])[0]
    assert double.name == "import/double:0" and done.type == "NoOp"
    assert again.name == "import_1/double:0" and named.name == "net/x:0"
    with tf.Session(graph=target) as sess:
        np.testing.assert_allclose(sess.run(double), [2.0, 4.0])


def test_as_graph_def_options():
    graph = tf.Graph()
    with graph.as_default():
        a = tf.constant([[1.0, 2.0]], name="a")
        with tf.control_dependencies([a]):
            tf.identity(a, name="b")
    graph_def = graph.as_graph_def(add_shapes=True)
    nodes = {n.name: n for n in graph_def.node}
    assert list(nodes["b"].input) == ["a", "^a"]
    assert [d.size for d in nodes["a"].attr["_output_shapes"].list.shape[0].dim] == [1, 2]
    assert graph_def.versions.producer > 0
    assert [n.name for n in graph.as_graph_def(from_version=1).node] == ["b"]


# --- graphs written by TensorFlow ------------------------------------------------------------------------
def test_frozen_cnn_from_tensorflow_runs_with_tf_outputs():
    graph, (probabilities, prediction) = import_into_new_graph(
        fixture("cnn_frozen.pb"), return_elements=["probabilities:0", "prediction:0"])
    with tf.Session(graph=graph) as sess:
        values, classes = sess.run([probabilities, prediction], {"input:0": fixture("cnn_input.npy")})
    np.testing.assert_allclose(values, fixture("cnn_expected.npy"), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(classes, np.argmax(fixture("cnn_expected.npy"), axis=1))


def test_text_graph_from_tensorflow_runs_with_tf_outputs():
    graph, (y,) = import_into_new_graph(fixture("mlp_frozen.pbtxt"), return_elements=["y:0"])
    with tf.Session(graph=graph) as sess:
        np.testing.assert_allclose(sess.run(y, {"x:0": fixture("mlp_input.npy")}), fixture("mlp_expected.npy"),
                                   rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["mlp_train.pb", "mlp_train_resource.pb"])
def test_tf_training_graph_trains_and_saves_like_tf(name, tmp_path):
    graph, _ = import_into_new_graph(fixture(name))
    expected = fixture("mlp_train_expected.npz")
    feed = {"x:0": fixture("mlp_input.npy"), "labels:0": fixture("mlp_labels.npy")}
    with tf.Session(graph=graph) as sess:
        for step_name, key in (("adam_step", "adam"), ("sgd_step", "sgd")):
            sess.run("init")
            losses = [sess.run("loss:0", feed)]
            for _ in range(2):
                sess.run(step_name, feed)
                losses.append(sess.run("loss:0", feed))
            np.testing.assert_allclose(losses, expected[key], rtol=1e-5)
        prefix = str(tmp_path / "model")
        sess.run("save/control_dependency:0", {"save/Const:0": prefix})     # TF's Saver: SaveV2
        trained = sess.run("loss:0", feed)
        sess.run("init")
        sess.run("save/restore_all", {"save/Const:0": prefix})              # RestoreV2 + Assign
        assert sess.run("loss:0", feed) == pytest.approx(trained, rel=1e-6)
    reader = tf.train.load_checkpoint(prefix)
    assert reader.get_tensor("out/b").shape == (3,)


def test_exported_attrs_match_tensorflows():
    """numflow's export of the graph it imported from TF writes TF's op types and attr values."""
    tf_graph_def = fixture("cnn_frozen.pb")
    graph, _ = import_into_new_graph(tf_graph_def)
    ours = {n.name: n for n in graph.as_graph_def().node}
    renamed = {"AddV2": "Add"}
    checked = 0
    for node in tf_graph_def.node:
        mine = ours[node.name]
        assert mine.op == renamed.get(node.op, node.op), node.name
        assert [i for i in mine.input] == [i for i in node.input], node.name
        for key, value in mine.attr.items():
            assert key in node.attr, (node.name, key)
            if key == "value":      # the same tensor, possibly encoded more compactly
                np.testing.assert_array_equal(tensor_proto_to_ndarray(value.tensor),
                                              tensor_proto_to_ndarray(node.attr[key].tensor))
            else:
                assert value == node.attr[key], (node.name, key, value, node.attr[key])
            checked += 1
        required = {"T", "dtype", "strides", "padding", "ksize", "value", "shape", "Tshape", "output_type"}
        assert required & set(node.attr) <= set(mine.attr), node.name
    assert checked > 30


# --- graph_util and write_graph ----------------------------------------------------------------------
def _small_model():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        w = tf.Variable([[1.0, -1.0], [0.5, 2.0]], name="w")
        unused = tf.Variable(3.0, name="unused")
        hidden = tf.identity(tf.matmul(x, w), name="hidden")
        y = tf.check_numerics(tf.nn.relu(hidden), "bad", name="checked")
        tf.identity(y, name="y")
        tf.add(unused, 1.0, name="other")
        init = tf.global_variables_initializer()
    return graph, init


def test_convert_variables_to_constants_and_extract_sub_graph():
    graph, init = _small_model()
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        frozen = tf.graph_util.convert_variables_to_constants(sess, graph.as_graph_def(), ["y"])
        blacklisted = tf.compat.v1.graph_util.convert_variables_to_constants(
            sess, graph.as_graph_def(), ["y"], variable_names_blacklist=["w"])
    names = {n.name: n.op for n in frozen.node}
    assert names["w"] == "Const" and "unused" not in names and "other" not in names
    assert {n.name: n.op for n in blacklisted.node}["w"] == "VariableV2"
    imported, (y,) = import_into_new_graph(frozen, return_elements=["y:0"])
    with tf.Session(graph=imported) as sess:
        np.testing.assert_allclose(sess.run(y, {"x:0": [[1.0, 1.0]]}), [[1.5, 1.0]])
    sub = tf.graph_util.extract_sub_graph(graph.as_graph_def(), ["hidden"])
    assert sorted(n.name for n in sub.node) == ["MatMul", "hidden", "w", "x"]
    with pytest.raises(TypeError, match="dest_nodes must be a list"):
        tf.graph_util.extract_sub_graph(graph.as_graph_def(), "hidden")
    with pytest.raises(AssertionError, match="nope is not in graph"):
        tf.graph_util.extract_sub_graph(graph.as_graph_def(), ["nope"])
    with pytest.raises(TypeError, match="graph_def must be a graph_pb2.GraphDef"):
        tf.graph_util.extract_sub_graph(b"bytes", ["y"])


def test_remove_training_nodes_and_helpers():
    graph, _ = _small_model()
    graph_def = graph.as_graph_def()
    stripped = tf.graph_util.remove_training_nodes(graph_def, protected_nodes=["y"])
    ops = {n.name: n for n in stripped.node}
    assert "hidden" not in ops and "checked" not in ops and "y" in ops
    assert list(ops["Relu"].input) == ["MatMul"] and list(ops["y"].input) == ["Relu"]
    nodes = {n.name: n for n in graph_def.node}
    string_const = NodeDef(name="s", op="Const")
    string_const.attr["dtype"].type = tf.string.as_datatype_enum
    assert tf.graph_util.must_run_on_cpu(string_const)
    assert not tf.graph_util.must_run_on_cpu(nodes["MatMul"])
    assert tf.graph_util.must_run_on_cpu(nodes["w"], pin_variables_on_cpu=True)
    assert tf.graph_util.must_run_on_cpu(graph.get_operation_by_name("w"), pin_variables_on_cpu=True)
    assert tf.graph_util.tensor_shape_from_node_def_name(graph, "hidden").as_list() == [None, 2]


@pytest.mark.parametrize("as_text", [True, False])
def test_write_graph(tmp_path, as_text):
    graph, _ = _small_model()
    name = "model.pbtxt" if as_text else "model.pb"
    path = tf.train.write_graph(graph, str(tmp_path / "sub"), name, as_text=as_text)
    assert path == os.path.join(str(tmp_path / "sub"), name)
    assert read_graph_def(path) == graph.as_graph_def()
    with open(path, "rb") as stream:
        data = stream.read()
    assert data.startswith(b"node {") == as_text
    assert tf.io.write_graph(graph.as_graph_def(), str(tmp_path), "again.pb", as_text=False)
    with pytest.raises(TypeError, match="write_graph expects a tf.Graph or a GraphDef"):
        tf.train.write_graph("nope", str(tmp_path), "x.pb")


def test_graph_def_at_top_level():
    assert tf.GraphDef is GraphDef and tf.NodeDef is NodeDef
    graph_def = tf.GraphDef()
    graph_def.ParseFromString(fixture("cnn_frozen.pb").SerializeToString())
    assert len(graph_def.node) == len(fixture("cnn_frozen.pb").node)
    assert graph_proto.Parse(to_text(graph_def), tf.GraphDef()) == graph_def


# --- the TF compat ops -----------------------------------------------------------------------------------
def _run_op(op_type, inputs, attrs=None, outputs=None):
    graph = tf.Graph()
    with graph.as_default():
        tensors = [tf.constant(v) for v in inputs]
        op = graph.create_op(op_type, tensors, attrs or {})
        with tf.Session() as sess:
            return sess.run(op.outputs) if outputs is None else sess.run(op)


@pytest.mark.parametrize("s0, s1, r0, r1", [
    ([2, 1, 3], [1, 1, 3], [1], [0, 1]), ([3], [2, 3], [0], []), ([1], [1], [], []),
    ([2, 3], [2, 3], [], []), ([1, 1], [4, 1], [0, 1], [1])])
def test_broadcast_gradient_args_values(s0, s1, r0, r1):
    got0, got1 = _run_op("BroadcastGradientArgs", [np.array(s0, np.int32), np.array(s1, np.int32)])
    assert got0.tolist() == r0 and got1.tolist() == r1 and got0.dtype == np.int32


def test_broadcast_gradient_args_rejects_incompatible_shapes():
    with pytest.raises(errors.InvalidArgumentError, match=r"Incompatible shapes: \[2, 3\] vs. \[4, 3\]"):
        _run_op("BroadcastGradientArgs", [np.array([2, 3], np.int32), np.array([4, 3], np.int32)])


def test_sigmoid_tanh_grad_and_shape_n_values():
    y = np.array([0.1, 0.5, 0.9], np.float32)
    dy = np.array([1.0, -2.0, 3.0], np.float32)
    np.testing.assert_allclose(_run_op("SigmoidGrad", [y, dy])[0], dy * y * (1 - y), rtol=1e-6)
    np.testing.assert_allclose(_run_op("TanhGrad", [y, dy])[0], dy * (1 - y * y), rtol=1e-6)
    shapes = _run_op("ShapeN", [np.zeros((2, 3), np.float32), np.zeros(4, np.float32)], {"out_type": tf.int64})
    assert [s.tolist() for s in shapes] == [[2, 3], [4]] and shapes[0].dtype == np.int64


def test_saver_file_ops(tmp_path):
    name = _run_op("ShardedFilename", [np.array(b"ck"), np.int32(1), np.int32(4)])[0]
    assert name == b"ck-00001-of-00004"
    temporary = str(tmp_path / "tmp" / "part")
    os.makedirs(os.path.dirname(temporary))
    value = np.arange(6, dtype=np.float32).reshape(2, 3)
    _run_op("SaveV2", [np.array(temporary.encode()), np.array([b"a", b"b"], dtype=object),
                       np.array([b"", b""], dtype=object), value, np.int64(7)], outputs=False)
    final = str(tmp_path / "final")
    _run_op("MergeV2Checkpoints", [np.array([temporary.encode()], dtype=object), np.array(final.encode())],
            {"delete_old_dirs": True}, outputs=False)
    assert not os.path.exists(os.path.dirname(temporary))
    restored = _run_op("RestoreV2", [np.array(final.encode()), np.array([b"b", b"a"], dtype=object),
                                     np.array([b"", b""], dtype=object)], {"dtypes": (tf.int64, tf.float32)})
    assert restored[0] == 7 and restored[0].dtype == np.int64
    np.testing.assert_array_equal(restored[1], value)
    with pytest.raises(errors.NotFoundError, match="Key c not found in checkpoint"):
        _run_op("RestoreV2", [np.array(final.encode()), np.array([b"c"], dtype=object),
                              np.array([b""], dtype=object)], {"dtypes": (tf.int64,)})
    with pytest.raises(errors.UnimplementedError, match="partial slices"):
        _run_op("RestoreV2", [np.array(final.encode()), np.array([b"a"], dtype=object),
                              np.array([b"2 3 0,1:-"], dtype=object)], {"dtypes": (tf.float32,)})


# --- bad input -------------------------------------------------------------------------------------------
def test_truncated_or_corrupted_pb_is_data_loss_naming_the_file(tmp_path):
    data = fixture("cnn_frozen.pb").SerializeToString()
    path = tmp_path / "broken.pb"
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(errors.DataLossError, match="broken.pb"):
        read_graph_def(str(path))
    with pytest.raises(errors.DataLossError, match="Unable to parse GraphDef"):
        tf.import_graph_def(b"\x0a\xff\xff\xff\x0f garbage")
    text = tmp_path / "broken.pbtxt"
    text.write_text("node { name: ")
    with pytest.raises(errors.DataLossError, match="broken.pbtxt"):
        read_graph_def(str(text))


def test_unknown_op_types_are_all_listed():
    graph_def = parse_text('node { name: "a" op: "Frobnicate" } node { name: "b" op: "Wibble" input: "a" }'
                           ' node { name: "c" op: "Frobnicate" }', GraphDef)
    with pytest.raises(errors.NotFoundError, match=r"2 op type\(s\).*'Frobnicate' \(nodes 'a', 'c'\).*'Wibble'"):
        import_into_new_graph(graph_def)


def test_bad_input_map_and_return_elements():
    graph_def = fixture("mlp_frozen.pbtxt")
    with pytest.raises(ValueError, match=r"Attempted to map inputs that were not found in graph_def: \[nope:0\]"):
        import_into_new_graph(graph_def, input_map={"nope:0": tf.constant(1.0)})
    with pytest.raises(TypeError, match="input_map values must be Tensors"):
        import_into_new_graph(graph_def, input_map={"x:0": 3.0})
    with pytest.raises(ValueError, match="Requested return_element 'missing:0' not found"):
        import_into_new_graph(graph_def, return_elements=["missing:0"])
    broken = parse_text('node { name: "a" op: "Identity" input: "ghost" }', GraphDef)
    with pytest.raises(ValueError, match="Node 'a': Unknown input node 'ghost'"):
        import_into_new_graph(broken)
    cycle = parse_text('node { name: "a" op: "Identity" input: "b" } node { name: "b" op: "Identity" input: "a" }',
                       GraphDef)
    with pytest.raises(errors.InvalidArgumentError, match="has a cycle.*a, b"):
        import_into_new_graph(cycle)


def test_computed_axis_and_unexportable_ops_are_errors():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        axis = tf.placeholder(tf.int32, [], name="axis")
        tf.raw_ops_free = None
        tf.concat([x, x], axis=0, name="cat")
    graph_def = graph.as_graph_def()
    cat = [n for n in graph_def.node if n.name == "cat"][0]
    cat.input[-1] = "axis"
    with pytest.raises(errors.InvalidArgumentError, match="Node 'cat' \\(ConcatV2\\).*input 'axis'.*'axis' "
                                                          "\\(Placeholder\\)"):
        import_into_new_graph(graph_def)
    with graph.as_default():
        tf.cond(tf.constant(True), lambda: x, lambda: x * 2.0, name="branch")
    with pytest.raises(errors.InvalidArgumentError, match="Cannot write .* 'branch.*' \\(Cond\\)"):
        graph.as_graph_def()
    del axis


def test_round_trip_random_summary_and_boolean_mask():
    def build():
        tf.set_random_seed(5)
        x = tf.placeholder(tf.float32, [4], name="x")
        scalar = tf.summary.scalar("loss", tf.reduce_sum(x))
        histogram = tf.summary.histogram("values", x)
        text = tf.summary.text("note", tf.constant("hello"))
        return {"uniform": tf.random_uniform([3], seed=1), "normal": tf.random_normal([2, 2], seed=2),
                "truncated": tf.truncated_normal([3], seed=3), "ints": tf.random_uniform([3], 0, 9, tf.int32, seed=4),
                "masked": tf.boolean_mask(x, x > 1.5), "where": tf.where(x > 1.5),
                "merged": tf.summary.merge([scalar, histogram]), "text": text}
    graph_def = _round_trip(build, {"x:0": np.array([1.0, 2.0, 0.5, 3.0], np.float32)})
    nodes = {n.op for n in graph_def.node}
    assert {"ScalarSummary", "HistogramSummary", "MergeSummary", "TensorSummaryV2", "GatherV2", "Where"} <= nodes
    assert "BooleanMask" not in nodes
