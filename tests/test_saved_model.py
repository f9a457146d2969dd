"""tf.saved_model: simple_save, SavedModelBuilder, loader.load, signature helpers, Estimator export, the
SavedModels real TensorFlow wrote (tests/fixtures/saved_model), bad input, and examples/export_and_serve.py."""
import os
import runpy
import shutil
import sys

import numpy as np
import pytest

import numflow as tf
from numflow.io.meta_graph_proto import SavedModel, SignatureDef, TensorInfo

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "saved_model")
EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")
FEED = np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3)


def _model():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2) / 5, name="dense/kernel")
    b = tf.Variable(tf.zeros([2]), name="dense/bias")
    scores = tf.nn.softmax(tf.matmul(x, w) + b, name="scores")
    return x, b, scores


def _serve(export_dir, tags=("serve",), key="serving_default", feed=FEED, input_key="x"):
    """Loads `export_dir` in a fresh graph and runs signature `key` on `feed`; returns {output: value}."""
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, list(tags), export_dir)
        signature = meta.signature_def[key]
        fetches = {name: tf.saved_model.utils.get_tensor_from_tensor_info(info, sess.graph)
                   for name, info in signature.outputs.items()}
        inputs = tf.saved_model.utils.get_tensor_from_tensor_info(signature.inputs[input_key], sess.graph)
        return sess.run(fetches, {inputs: feed})


def test_simple_save_and_load_in_a_fresh_graph(tmp_path):
    x, b, scores = _model()
    export_dir = str(tmp_path / "model")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(b.assign([0.25, -0.25]))
        expected = sess.run(scores, {x: FEED})
        tf.saved_model.simple_save(sess, export_dir, {"x": x}, {"scores": scores})
    assert sorted(os.listdir(export_dir)) == ["saved_model.pb", "variables"]
    assert sorted(os.listdir(os.path.join(export_dir, "variables"))) == [
        "variables.data-00000-of-00001", "variables.index"]
    assert tf.saved_model.loader.maybe_saved_model_directory(export_dir)
    assert tf.saved_model.contains_saved_model(export_dir)
    assert not tf.saved_model.contains_saved_model(str(tmp_path))
    with open(os.path.join(export_dir, "saved_model.pb"), "rb") as handle:
        saved = SavedModel.FromString(handle.read())
    assert saved.saved_model_schema_version == 1 and len(saved.meta_graphs) == 1
    meta = saved.meta_graphs[0]
    assert list(meta.meta_info_def.tags) == ["serve"]
    signature = meta.signature_def["serving_default"]
    assert signature.method_name == "tensorflow/serving/predict"
    assert signature.inputs["x"].name == "x:0" and signature.inputs["x"].dtype == tf.float32.as_datatype_enum
    assert [d.size for d in signature.inputs["x"].tensor_shape.dim] == [-1, 3]
    np.testing.assert_allclose(_serve(export_dir)["scores"], expected, rtol=1e-6)


def test_builder_with_assets_main_op_several_signatures_and_tag_sets(tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("a\nb\n")
    x, b, scores = _model()
    asset = tf.constant(str(vocab), name="vocab_path")
    tf.add_to_collection(tf.GraphKeys.ASSET_FILEPATHS, asset)
    seen_path = tf.Variable(b"", name="seen_path", collections=[tf.GraphKeys.LOCAL_VARIABLES])
    main_op = tf.group(tf.assign(seen_path, asset), name="main_op")
    total = tf.reduce_sum(scores * [1.0, 2.0], axis=1, name="total")
    export_dir = str(tmp_path / "built")
    info = tf.saved_model.utils.build_tensor_info
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        expected = sess.run({"scores": scores, "total": total}, {x: FEED})
        builder = tf.saved_model.builder.SavedModelBuilder(export_dir)
        builder.add_meta_graph_and_variables(
            sess, [tf.saved_model.tag_constants.SERVING],
            signature_def_map={
                "serving_default": tf.saved_model.signature_def_utils.predict_signature_def(
                    {"x": x}, {"scores": scores}),
                "total": tf.saved_model.signature_def_utils.build_signature_def(
                    {"inputs": info(x)}, {"outputs": info(total)}, tf.saved_model.REGRESS_METHOD_NAME)},
            assets_collection=tf.get_collection(tf.GraphKeys.ASSET_FILEPATHS), main_op=main_op)
        builder.add_meta_graph(["train", "gpu"], clear_devices=True)
        path = builder.save(as_text=True)
    assert path == os.path.join(export_dir, "saved_model.pbtxt").encode()
    assert open(os.path.join(export_dir, "assets", "vocab.txt")).read() == "a\nb\n"
    np.testing.assert_allclose(_serve(export_dir)["scores"], expected["scores"], rtol=1e-6)
    np.testing.assert_allclose(_serve(export_dir, key="total", input_key="inputs")["outputs"], expected["total"],
                               rtol=1e-6)
    with tf.Session(graph=tf.Graph()) as sess:          # the main op ran with the asset fed its new path
        tf.saved_model.loader.load(sess, ["serve"], export_dir)
        assert sess.run("seen_path:0") == os.path.join(export_dir, "assets", "vocab.txt").encode()
    with tf.Session(graph=tf.Graph()) as sess:          # the second tag set shares the variables
        meta = tf.saved_model.loader.load(sess, ["gpu", "train"], export_dir)
        assert set(meta.meta_info_def.tags) == {"train", "gpu"} and not meta.signature_def
        np.testing.assert_allclose(sess.run("scores:0", {"x:0": FEED}), expected["scores"], rtol=1e-6)


def test_tensorflow_written_saved_models_load_and_serve():
    builder_dir = os.path.join(FIXTURES, "tf_builder")
    expected = np.load(os.path.join(builder_dir, "expected.npz"))
    served = _serve(builder_dir, feed=expected["x"])
    np.testing.assert_allclose(served["scores"], expected["scores"], atol=1e-5)
    np.testing.assert_array_equal(served["classes"], expected["classes"])
    regress = _serve(builder_dir, key="regress", feed=expected["x"], input_key="inputs")
    np.testing.assert_allclose(regress["outputs"], expected["regress"], atol=1e-5)   # main op zeroed the counter
    simple_dir = os.path.join(FIXTURES, "tf_simple")
    expected = np.load(os.path.join(simple_dir, "expected.npz"))
    np.testing.assert_allclose(_serve(simple_dir, feed=expected["x"])["y"], expected["y"], atol=1e-5)


def test_signature_helpers():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    examples = tf.placeholder(tf.string, [None], name="examples")
    classes = tf.constant([b"a", b"b"], name="classes")
    scores = tf.constant([[0.5, 0.5]], name="scores")
    sparse = tf.SparseTensor(indices=[[0, 0]], values=[1.0], dense_shape=[2, 2])
    predict = tf.saved_model.predict_signature_def({"x": x}, {"y": x * 2.0})
    assert tf.saved_model.is_valid_signature(predict)
    classify = tf.saved_model.classification_signature_def(examples, classes, scores)
    assert sorted(classify.outputs) == ["classes", "scores"] and tf.saved_model.is_valid_signature(classify)
    regress = tf.saved_model.regression_signature_def(examples, tf.reduce_sum(x, axis=1))
    assert list(regress.inputs) == ["inputs"] and tf.saved_model.is_valid_signature(regress)
    assert not tf.saved_model.is_valid_signature(tf.saved_model.build_signature_def(method_name="odd"))
    info = tf.saved_model.build_tensor_info(sparse)
    assert info.WhichOneof("encoding") == "coo_sparse"
    back = tf.saved_model.get_tensor_from_tensor_info(info)
    assert back.values.name == sparse.values.name and back.indices.name == sparse.indices.name
    assert tf.saved_model.get_tensor_from_tensor_info(tf.saved_model.build_tensor_info(x)) is x
    with pytest.raises(ValueError, match="Prediction inputs cannot be None or empty"):
        tf.saved_model.predict_signature_def({}, {"y": x})
    with pytest.raises(ValueError, match="Prediction outputs cannot be None or empty"):
        tf.saved_model.predict_signature_def({"x": x}, None)
    with pytest.raises(ValueError, match="Classification examples must be a string Tensor"):
        tf.saved_model.classification_signature_def(x, classes, scores)
    with pytest.raises(ValueError, match="Classification classes and scores cannot both be None"):
        tf.saved_model.classification_signature_def(examples, None, None)
    with pytest.raises(ValueError, match="Classification scores must be a float Tensor"):
        tf.saved_model.classification_signature_def(examples, None, classes)
    with pytest.raises(ValueError, match="Regression predictions must be a float Tensor"):
        tf.saved_model.regression_signature_def(examples, classes)
    with pytest.raises(ValueError, match="Regression examples cannot be None"):
        tf.saved_model.regression_signature_def(None, x)
    with pytest.raises(ValueError, match="Invalid TensorInfo.encoding: None"):
        tf.saved_model.get_tensor_from_tensor_info(TensorInfo(dtype=1))
    with pytest.raises(TypeError, match="must be a TensorInfo"):
        tf.saved_model.build_signature_def({"x": x})
    with pytest.raises(TypeError, match="build_tensor_info expects a Tensor"):
        tf.saved_model.build_tensor_info(3.0)


def test_builder_errors(tmp_path):
    x, _, scores = _model()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    with pytest.raises(AssertionError, match="Export directory already exists, and isn't empty.*full"):
        tf.saved_model.builder.SavedModelBuilder(str(tmp_path / "full"))
    builder = tf.saved_model.builder.SavedModelBuilder(str(tmp_path / "out"))
    with pytest.raises(AssertionError, match="has not been saved yet. Please invoke `add_meta_graph_and_variables"):
        builder.add_meta_graph(["serve"])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(TypeError, match="main_op needs to be an Operation"):
            builder.add_meta_graph_and_variables(sess, ["serve"], main_op=scores)
        with pytest.raises(AssertionError, match="must have the dtype field set"):
            builder.add_meta_graph_and_variables(sess, ["serve"], signature_def_map={
                "bad": tf.saved_model.build_signature_def({"x": TensorInfo(name="x:0")})})
        with pytest.raises(AssertionError, match="must have one of the 'encoding' fields"):
            builder.add_meta_graph_and_variables(sess, ["serve"], signature_def_map={
                "bad": tf.saved_model.build_signature_def({"x": TensorInfo(dtype=1)})})
        with pytest.raises(KeyError, match="__saved_model_init_op.*reserved"):
            builder.add_meta_graph_and_variables(sess, ["serve"], signature_def_map={
                "__saved_model_init_op": SignatureDef()})
        with pytest.raises(TypeError, match="Asset path tensor must be of type constant"):
            builder.add_meta_graph_and_variables(sess, ["serve"], assets_collection=[scores])
        with pytest.raises(tf.errors.NotFoundError, match="Asset file .*nowhere.txt"):
            builder.add_meta_graph_and_variables(sess, ["serve"],
                                                 assets_collection=[tf.constant(str(tmp_path / "nowhere.txt"))])
        builder.add_meta_graph_and_variables(sess, ["serve"])
        with pytest.raises(AssertionError, match="has already been saved. Please invoke `add_meta_graph\\(\\)`"):
            builder.add_meta_graph_and_variables(sess, ["serve"])


def test_signature_on_ops_tensorflow_cannot_hold_is_refused(tmp_path):
    x = tf.placeholder(tf.float32, [None], name="x")
    doubled = tf.py_func(lambda v: v * 2, [x], tf.float32, name="python_double")
    y = tf.identity(doubled, name="y")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"Cannot export signature 'serving_default' output "
                                                                 r"'y': op 'y' depends on .*python_double"):
            tf.saved_model.simple_save(sess, str(tmp_path / "m"), {"x": x}, {"y": y})


def _export_simple(tmp_path):
    x, _, scores = _model()
    export_dir = str(tmp_path / "model")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.saved_model.simple_save(sess, export_dir, {"x": x}, {"scores": scores})
    tf.reset_default_graph()
    return export_dir


def test_loading_bad_saved_models(tmp_path):
    export_dir = _export_simple(tmp_path)
    with tf.Session(graph=tf.Graph()) as sess:
        with pytest.raises(RuntimeError, match=r"(?s)MetaGraphDef associated with tags 'train' could not be found in "
                                               r"SavedModel .*available_tags: \[\['serve'\]\]"):
            tf.saved_model.loader.load(sess, ["train"], export_dir)
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], export_dir)
        with pytest.raises(KeyError, match=r"'predict' is not in this MetaGraphDef; its signature keys are: "
                                           r"\['serving_default'\]"):
            meta.signature_def["predict"]
    with pytest.raises(IOError, match=r"SavedModel file does not exist at: .*nothing.*saved_model.pbtxt\|saved_model.pb"):
        tf.saved_model.loader.load(tf.Session(graph=tf.Graph()), ["serve"], str(tmp_path / "nothing"))
    pb = os.path.join(export_dir, "saved_model.pb")
    data = open(pb, "rb").read()
    for broken in (data[:len(data) // 3], data[:7], b"\x12\xff\xff\xff\x0f", bytes(range(200))):
        with open(pb, "wb") as handle:
            handle.write(broken)
        with pytest.raises(tf.errors.DataLossError, match=r"Cannot parse SavedModel .*saved_model\.pb"):
            tf.saved_model.loader.load(tf.Session(graph=tf.Graph()), ["serve"], export_dir)
    with open(pb, "wb") as handle:
        handle.write(data)
    os.remove(os.path.join(export_dir, "variables", "variables.index"))
    with pytest.raises(ValueError, match="not a valid checkpoint.*variables"):
        tf.saved_model.loader.load(tf.Session(graph=tf.Graph()), ["serve"], export_dir)


def test_object_based_api_says_what_to_use_instead():
    with pytest.raises(NotImplementedError, match="simple_save or tf.saved_model.builder.SavedModelBuilder"):
        tf.saved_model.save(object(), "/tmp/never")
    with pytest.raises(NotImplementedError, match="tf.saved_model.loader.load"):
        tf.saved_model.load_v2("/tmp/never")


@pytest.mark.filterwarnings("ignore:The .meta graph leaves out")     # training checkpoints: tf.data iterators
def test_estimator_export_saved_model(tmp_path):
    def model_fn(features, labels, mode):
        logits = tf.layers.dense(features["x"], 2, name="logits")
        predictions = {"probabilities": tf.nn.softmax(logits), "classes": tf.argmax(logits, axis=1)}
        if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.estimator.EstimatorSpec(mode, predictions=predictions)
        loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
        train_op = tf.train.GradientDescentOptimizer(0.5).minimize(loss, tf.train.get_or_create_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)

    data = np.random.RandomState(0).randn(64, 3).astype(np.float32)
    labels = (data[:, 0] > 0).astype(np.int32)
    estimator = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path / "model"))
    estimator.train(tf.estimator.inputs.numpy_input_fn({"x": data}, labels, batch_size=16, num_epochs=None,
                                                       shuffle=True), steps=20)
    expected = np.stack([p["probabilities"] for p in estimator.predict(
        tf.estimator.inputs.numpy_input_fn({"x": data[:5]}, shuffle=False))])
    receiver_fn = tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.placeholder(tf.float32, [None, 3])})
    with pytest.raises(ValueError, match="Couldn't find trained model at .*nothing"):
        tf.estimator.Estimator(model_fn, model_dir=str(tmp_path / "nothing")).export_saved_model(
            str(tmp_path / "export"), receiver_fn)
    export_dir = estimator.export_saved_model(str(tmp_path / "export"), receiver_fn).decode()
    assert os.path.dirname(export_dir) == str(tmp_path / "export") and os.path.basename(export_dir).isdigit()
    second = estimator.export_savedmodel(str(tmp_path / "export"), receiver_fn).decode()
    assert second != export_dir
    served = _serve(export_dir, feed=data[:5])
    np.testing.assert_allclose(served["probabilities"], expected, rtol=1e-5)

    def python_model_fn(features, labels, mode):
        spec = model_fn(features, labels, mode)
        wrapped = tf.py_func(lambda v: v, [spec.predictions["probabilities"]], tf.float32)
        return tf.estimator.EstimatorSpec(mode, predictions={"probabilities": wrapped})

    python_estimator = tf.estimator.Estimator(python_model_fn, model_dir=str(tmp_path / "model"))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot export signature 'serving_default'"):
        python_estimator.export_saved_model(str(tmp_path / "export2"), receiver_fn)
    assert os.listdir(str(tmp_path / "export2")) == []          # the temporary folder is removed


def test_serving_input_receivers_and_export_outputs():
    x = tf.placeholder(tf.float32, [None, 3])
    receiver = tf.estimator.export.ServingInputReceiver(x, x)
    assert receiver.features == {"feature": x} and receiver.receiver_tensors == {"input": x}
    with pytest.raises(ValueError, match="receiver_tensor must be defined"):
        tf.estimator.export.ServingInputReceiver(x, None)
    with pytest.raises(ValueError, match="feature keys must be strings"):
        tf.estimator.export.ServingInputReceiver({1: x}, x)
    parsing_fn = tf.estimator.export.build_parsing_serving_input_receiver_fn(
        {"age": tf.FixedLenFeature([1], tf.float32)})
    parsed = parsing_fn()
    assert list(parsed.receiver_tensors) == ["examples"] and parsed.receiver_tensors["examples"].dtype == tf.string
    assert parsed.features["age"].dtype == tf.float32
    with pytest.raises(ValueError, match="At least one of scores and classes must be set"):
        tf.estimator.export.ClassificationOutput()
    with pytest.raises(ValueError, match="Regression output value must be a float32 Tensor"):
        tf.estimator.export.RegressionOutput(tf.constant([1]))
    output = tf.estimator.export.RegressionOutput(tf.reduce_sum(x, axis=1))
    with pytest.raises(ValueError, match="Regression input must be a single string Tensor"):
        output.as_signature_def({"x": x})
    signature = output.as_signature_def(parsed.receiver_tensors)
    assert signature.method_name == "tensorflow/serving/regress"


def test_export_and_serve_example(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["export_and_serve.py", "--export_dir", str(tmp_path / "served"),
                                      "--steps", "200"])
    runpy.run_path(os.path.join(EXAMPLES, "export_and_serve.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "SavedModel written to" in out and "served predictions match" in out
    assert tf.saved_model.contains_saved_model(str(tmp_path / "served"))
    shutil.rmtree(str(tmp_path / "served"))


def test_load_under_an_import_scope(tmp_path):
    x, b, scores = _model()
    export_dir = str(tmp_path / "model")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(b.assign([1.0, -1.0]))
        expected = sess.run(scores, {x: FEED})
        tf.saved_model.simple_save(sess, export_dir, {"x": x}, {"scores": scores})
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], export_dir, import_scope="served")
        signature = meta.signature_def["serving_default"]
        get = tf.saved_model.utils.get_tensor_from_tensor_info
        out = get(signature.outputs["scores"], import_scope="served")
        assert out.name == "served/scores:0"
        np.testing.assert_allclose(sess.run(out, {get(signature.inputs["x"], import_scope="served"): FEED}),
                                   expected, rtol=1e-6)
