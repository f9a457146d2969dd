""".meta files as TensorFlow's MetaGraphDef: what Saver.save writes, what import_meta_graph reads (files by
numflow, by real TensorFlow from tests/fixtures/meta/mlp, and numflow's former JSON format), bad input."""
import json
import os
import shutil

import numpy as np
import pytest

import numflow as tf
from numflow.io import meta_graph
from numflow.io.meta_graph_proto import CollectionDef, MetaGraphDef, SaverDef, VariableDef

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "meta")


def _mlp_graph():
    """A small trained-able graph: placeholder, two variables, a loss, Adam, global step, collections."""
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2) / 10, name="dense/kernel")
    b = tf.Variable(tf.zeros([2]), name="dense/bias")
    y = tf.nn.relu(tf.matmul(x, w) + b, name="y")
    loss = tf.reduce_mean(tf.square(y - 1.0), name="loss")
    step = tf.train.get_or_create_global_step()
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    tf.add_to_collection("outputs", y)
    tf.add_to_collection("numbers", 7)
    tf.add_to_collection("rates", 0.5)
    tf.add_to_collection("words", "hello")
    return x, y, train_op


def _save(tmp_path, **saver_kwargs):
    x, y, train_op = _mlp_graph()
    feed = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train_op, {x: feed})
        prefix = tf.train.Saver(**saver_kwargs).save(sess, str(tmp_path / "model.ckpt"), global_step=1)
        expected = sess.run(y, {x: feed})
    return prefix, feed, expected


def test_saver_writes_a_metagraphdef_with_tf_encodings(tmp_path):
    prefix, _, _ = _save(tmp_path, max_to_keep=3)
    with open(prefix + ".meta", "rb") as handle:
        meta = MetaGraphDef.FromString(handle.read())
    assert meta.meta_info_def.tensorflow_version == tf.__version__
    assert meta.meta_info_def.tensorflow_git_version.startswith("numflow-")
    saver_def = meta.saver_def
    assert (saver_def.filename_tensor_name, saver_def.save_tensor_name, saver_def.restore_op_name) == \
        ("save/Const:0", "save/control_dependency:0", "save/restore_all")
    assert saver_def.max_to_keep == 3 and saver_def.version == SaverDef.V2 and not saver_def.sharded
    assert saver_def.keep_checkpoint_every_n_hours == 10000.0
    nodes = {node.name: node for node in meta.graph_def.node}
    assert nodes["dense/kernel"].op == "VariableV2" and nodes["save/RestoreV2"].op == "RestoreV2"
    assert sorted(n.input[0] for n in nodes.values() if n.name.startswith("save/Assign")) == \
        ["dense/bias", "dense/kernel", "global_step"]
    assert "_output_shapes" in nodes["y"].attr
    collections = meta.collection_def
    variables = [VariableDef.FromString(v) for v in collections["variables"].bytes_list.value]
    assert [(v.variable_name, v.initializer_name, v.trainable) for v in variables] == [
        ("dense/kernel:0", "dense/kernel/Assign", True), ("dense/bias:0", "dense/bias/Assign", True),
        ("global_step:0", "global_step/Assign", False)]
    assert variables[0].initial_value_name in {n + ":0" for n in nodes}
    assert collections["trainable_variables"].WhichOneof("kind") == "bytes_list"
    assert collections["global_step"].WhichOneof("kind") == "bytes_list"
    assert list(collections["train_op"].node_list.value) == [tf.get_collection("train_op")[0].name]
    assert list(collections["outputs"].node_list.value) == ["y:0"]
    assert list(collections["numbers"].int64_list.value) == [7]
    assert list(collections["rates"].float_list.value) == [0.5]
    assert list(collections["words"].bytes_list.value) == [b"hello"]


def test_round_trip_restores_collections_and_checkpoint(tmp_path):
    prefix, feed, expected = _save(tmp_path)
    tf.reset_default_graph()
    saver = tf.train.import_meta_graph(prefix + ".meta")
    assert [v.op.name for v in tf.trainable_variables()] == ["dense/kernel", "dense/bias"]
    assert [v.op.name for v in tf.global_variables()] == ["dense/kernel", "dense/bias", "global_step"]
    assert tf.train.get_global_step().op.name == "global_step"
    assert tf.get_collection("numbers") == [7] and tf.get_collection("rates") == [0.5]
    assert tf.get_collection("words") == [b"hello"]
    with tf.Session() as sess:
        saver.restore(sess, prefix)
        y = tf.get_collection("outputs")[0]
        np.testing.assert_allclose(sess.run(y, {"x:0": feed}), expected, rtol=1e-6)
        assert sess.run(tf.train.get_global_step()) == 1
        sess.run(tf.get_collection("train_op")[0], {"x:0": feed})      # training continues
        assert sess.run(tf.train.get_global_step()) == 2
        sess.run(tf.global_variables_initializer())                    # initializers come back too
        np.testing.assert_array_equal(sess.run("dense/bias:0"), [0.0, 0.0])


def test_import_scope_keeps_checkpoint_keys(tmp_path):
    prefix, feed, expected = _save(tmp_path)
    tf.reset_default_graph()
    saver = tf.train.import_meta_graph(prefix + ".meta", import_scope="copy")
    assert {v.op.name for v in tf.trainable_variables()} == {"copy/dense/kernel", "copy/dense/bias"}
    with tf.Session() as sess:
        saver.restore(sess, prefix)
        np.testing.assert_allclose(sess.run("copy/y:0", {"copy/x:0": feed}), expected, rtol=1e-6)


def test_export_meta_graph_text_format_and_return_elements(tmp_path):
    _mlp_graph()
    path = str(tmp_path / "graph.meta")
    meta = tf.train.export_meta_graph(path, as_text=True)
    assert isinstance(meta, MetaGraphDef) and not meta.HasField("saver_def")
    with open(path) as handle:
        assert 'op: "VariableV2"' in handle.read()
    tf.reset_default_graph()
    saver = tf.train.import_meta_graph(path)        # no SaverDef: a Saver of the global variables
    assert sorted(saver._var_map) == ["dense/bias", "dense/kernel", "global_step"]
    tf.reset_default_graph()
    feed = tf.constant(np.ones((1, 3), np.float32))
    _, (y,) = tf.train.saver._import_meta_graph_with_return_elements(
        meta, input_map={"x:0": feed}, return_elements=["y:0"])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(y), np.maximum(np.ones((1, 3)) @ (np.arange(6).reshape(3, 2) / 10), 0),
                                   rtol=1e-6)


def test_export_scope_keeps_and_renames_the_scope():
    with tf.name_scope("tower"):
        a = tf.constant([1.0, 2.0], name="a")
        tf.add(a, 1.0, name="b")                    # 1.0 becomes the constant tower/y
    outside = tf.constant(5.0, name="outside")
    meta = tf.train.export_meta_graph(export_scope="tower")
    assert [(node.name, list(node.input)) for node in meta.graph_def.node] == [("a", []), ("y", []),
                                                                                ("b", ["a", "y"])]
    with tf.name_scope("tower/"):                   # the same scope again
        tf.add(a, outside, name="mixed")
    with pytest.raises(ValueError, match="Node tower/mixed in export_scope tower takes input outside"):
        tf.train.export_meta_graph(export_scope="tower")


def test_large_fill_values_are_stored_as_one_element(tmp_path):
    tf.Variable(tf.zeros([10 ** 7]), name="big")
    tf.Variable(tf.ones([1000, 200], dtype=tf.float64), name="ones")
    path = str(tmp_path / "m.meta")
    tf.train.export_meta_graph(path)
    assert os.path.getsize(path) < 8000
    tf.reset_default_graph()
    tf.train.import_meta_graph(path)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        big, ones = sess.run(["big:0", "ones:0"])
    assert big.shape == (10 ** 7,) and not big.any()
    assert ones.dtype == np.float64 and ones.shape == (1000, 200) and (ones == 1).all()


def test_ops_without_a_tf_form_are_left_out_with_a_warning(tmp_path):
    x = tf.constant([1.0, 2.0], name="x")
    odd = tf.py_func(lambda v: v * 2, [x], tf.float32, name="odd")
    tf.identity(odd, name="after")
    tf.identity(x, name="kept")
    with pytest.warns(UserWarning, match=r"leaves out 2 op\(s\).*odd"):
        meta = tf.train.export_meta_graph(str(tmp_path / "m.meta"))
    names = {node.name for node in meta.graph_def.node}
    assert {"x", "kept"} <= names and not {"odd", "after"} & names


def test_tensorflow_written_meta_graph_of_an_mlp_with_adam():
    folder = os.path.join(FIXTURES, "mlp")
    expected = np.load(os.path.join(folder, "expected.npz"))
    saver = tf.train.import_meta_graph(os.path.join(folder, "model.ckpt-3.meta"))
    assert [v.op.name for v in tf.trainable_variables()] == ["hidden/kernel", "hidden/bias", "logits/kernel",
                                                             "logits/bias"]
    assert sorted(saver._var_map) == sorted(name for name, _ in tf.train.list_variables(folder))
    assert tf.get_collection("train_op")[0].type == "NoOp" or tf.get_collection("train_op")[0].name == "Adam"
    with tf.Session() as sess:
        saver.restore(sess, os.path.join(folder, "model.ckpt-3"))
        logits = tf.get_collection("outputs")[0]
        np.testing.assert_allclose(sess.run(logits, {"x:0": expected["x"]}), expected["y"], atol=1e-5)
        assert sess.run(tf.train.get_global_step()) == 3
        loss = tf.get_collection("losses")[0]
        feed = {"x:0": expected["x"], "labels:0": [0, 1, 2, 1, 0]}
        before = sess.run(loss, feed)
        sess.run("Adam", feed)
        assert sess.run(loss, feed) < before and sess.run(tf.train.get_global_step()) == 4


def test_legacy_json_meta_graph_still_loads():
    folder = os.path.join(FIXTURES, "numflow_json")
    expected = np.load(os.path.join(folder, "expected.npz"))
    saver = tf.train.import_meta_graph(os.path.join(folder, "model.ckpt-3.meta"))
    assert {v.op.name for v in tf.trainable_variables()} == {"dense/kernel", "dense/bias"}
    with tf.Session() as sess:
        saver.restore(sess, os.path.join(folder, "model.ckpt-3"))
        np.testing.assert_allclose(sess.run(tf.get_collection("outputs")[0], {"x:0": expected["x"]}), expected["y"])


def test_saving_never_writes_json_again(tmp_path):
    prefix, _, _ = _save(tmp_path)
    with open(prefix + ".meta", "rb") as handle:
        assert not handle.read(1) == b"{"


# --- bad input ---------------------------------------------------------------------------------------------
def test_truncated_and_corrupted_meta_is_data_loss_naming_the_file(tmp_path):
    prefix, _, _ = _save(tmp_path)
    data = open(prefix + ".meta", "rb").read()
    for name, content in [("truncated.meta", data[:len(data) // 2]), ("empty.meta", b""),
                          ("noise.meta", bytes(range(256)) * 8), ("tail.meta", data + b"\xff\xff\xff"),
                          ("text.meta", b"graph_def { node { name: 'x' op: 'Const' }")]:
        path = tmp_path / name
        path.write_bytes(content)
        tf.reset_default_graph()
        with pytest.raises(tf.errors.DataLossError, match=r"Cannot parse meta graph .*%s" % name.replace(".", r"\.")):
            tf.train.import_meta_graph(str(path))
    with pytest.raises(IOError, match=r"File .*missing\.meta does not exist"):
        tf.train.import_meta_graph(str(tmp_path / "missing.meta"))


def test_unknown_op_type_names_the_op_and_the_file(tmp_path):
    meta = MetaGraphDef()
    meta.graph_def.node.add(name="mystery", op="NoSuchOpAnywhere")
    path = str(tmp_path / "odd.meta")
    meta_graph.write_meta_graph_file(meta, path)
    with pytest.raises(tf.errors.NotFoundError, match=r"NoSuchOpAnywhere.*mystery.*odd\.meta"):
        tf.train.import_meta_graph(path)


def test_corrupted_variable_def_is_data_loss(tmp_path):
    prefix, _, _ = _save(tmp_path)
    meta = MetaGraphDef.FromString(open(prefix + ".meta", "rb").read())
    meta.collection_def["variables"] = CollectionDef(bytes_list=CollectionDef.BytesList(value=[b"\x0a\x50abc"]))
    path = str(tmp_path / "badvar.meta")
    meta_graph.write_meta_graph_file(meta, path)
    tf.reset_default_graph()
    with pytest.raises(tf.errors.DataLossError, match=r"badvar\.meta: collection 'variables' holds a corrupted "
                                                      r"VariableDef"):
        tf.train.import_meta_graph(path)
    meta.collection_def["variables"] = CollectionDef(bytes_list=CollectionDef.BytesList(
        value=[VariableDef(variable_name="ghost:0", initializer_name="ghost/Assign").SerializeToString()]))
    meta_graph.write_meta_graph_file(meta, path)
    tf.reset_default_graph()
    with pytest.raises(tf.errors.DataLossError, match=r"badvar\.meta: a VariableDef names the variable 'ghost:0'"):
        tf.train.import_meta_graph(path)


def test_missing_signature_key_names_the_available_ones():
    from numflow.io.meta_graph_proto import SignatureDef
    meta = MetaGraphDef()
    meta.signature_def["serving_default"] = SignatureDef(method_name="tensorflow/serving/predict")
    meta.signature_def.get_or_create("regress").method_name = "tensorflow/serving/regress"
    copy = MetaGraphDef.FromString(meta.SerializeToString())
    assert copy.signature_def["regress"].method_name == "tensorflow/serving/regress"
    with pytest.raises(KeyError, match=r"'serving_defualt' is not in this MetaGraphDef; its signature keys are: "
                                       r"\['regress', 'serving_default'\]"):
        copy.signature_def["serving_defualt"]


def test_an_op_whose_attribute_tf_cannot_hold_is_left_out(monkeypatch):
    from numflow.framework import graph_def
    real = graph_def.graph_to_graph_def

    def refuse_strange(graph, add_shapes=False, ops=None, strict=True):
        chosen = graph.get_operations() if ops is None else ops
        if any(op.name == "strange" for op in chosen):
            raise tf.errors.InvalidArgumentError(None, None, "no TF form for 'strange'")
        return real(graph, add_shapes=add_shapes, ops=ops, strict=strict)

    monkeypatch.setattr(graph_def, "graph_to_graph_def", refuse_strange)
    x = tf.constant([1.0], name="x")
    tf.identity(tf.identity(x, name="strange"), name="downstream")
    tf.identity(x, name="fine")
    with pytest.warns(UserWarning, match="strange: Identity has an attribute value TensorFlow cannot express"):
        meta = tf.train.export_meta_graph()
    assert sorted(node.name for node in meta.graph_def.node) == ["fine", "x"]
