"""tf.train.Saver, the checkpoint state file, checkpoint readers and .meta graphs."""
import os
import shutil

import numpy as np
import pytest

import numflow as tf
from numflow.io import bundle

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "fixtures", "tf-checkpoints")
FIXTURE_PREFIX = os.path.join(FIXTURES, "model.ckpt-1234")
needs_fixture = pytest.mark.skipif(not os.path.exists(FIXTURE_PREFIX + ".index"),
                                   reason="TensorFlow-written checkpoint fixture not present")

FIXTURE_VALUES = {
    "dense/kernel": (np.arange(12).reshape(3, 4) / 8.0).astype(np.float32),
    "dense/bias": np.array([0.5, -1.25, 2.0, 0.0], dtype=np.float32),
    "scale64": np.array([1e-3, 2.5, -7.0], dtype=np.float64),
    "counts": np.array([[1, -2], [3, 4]], dtype=np.int32),
    "global_step": np.array(1234, dtype=np.int64),
    "flags": np.array([True, False, True]),
    "half": np.array([1.5, -0.25], dtype=np.float16),
    "empty": np.zeros((0, 3), dtype=np.float32),
    "big": ((np.arange(70000) % 97) / 7.0).astype(np.float32),
}


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def _variables(values):
    return {name: tf.Variable(value, name=name) for name, value in values.items()}


ROUND_TRIP = {
    "f16": np.array([1.5, -2.0], np.float16), "f32": np.ones((2, 3), np.float32),
    "f64": np.array([np.pi]), "i8": np.array([-3], np.int8), "i16": np.array([300], np.int16),
    "i32": np.array([[1, 2]], np.int32), "i64": np.array(2 ** 40, np.int64), "u8": np.array([255], np.uint8),
    "u16": np.array([65535], np.uint16), "u32": np.array([7], np.uint32), "u64": np.array([2 ** 63], np.uint64),
    "flags": np.array([True, False]), "c64": np.array([1j], np.complex64), "c128": np.array([2 - 1j]),
    "empty": np.zeros((0, 4), np.float32), "scalar": np.float32(3.5),
    "text": np.array([b"hello", b""], dtype=object),
}


def test_round_trip_every_dtype_into_a_fresh_graph(tmp_path):
    variables = _variables(ROUND_TRIP)
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=7)
    assert prefix == str(tmp_path / "model.ckpt-7")
    assert os.path.exists(prefix + ".index") and os.path.exists(prefix + ".data-00000-of-00001")
    tf.reset_default_graph()
    fresh = {name: tf.Variable(np.zeros_like(v) if v.dtype != object else np.array([b"", b""], dtype=object),
                               name=name) for name, v in ROUND_TRIP.items()}
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, prefix)
        for name, expected in ROUND_TRIP.items():
            got = sess.run(fresh[name])
            np.testing.assert_array_equal(got, expected)
            assert np.asarray(got).dtype == np.asarray(expected).dtype
    assert variables


@needs_fixture
def test_restores_a_checkpoint_written_by_tensorflow():
    variables = {name: tf.Variable(np.zeros(v.shape, v.dtype) if v.shape else v.dtype.type(0), name=name)
                 for name, v in FIXTURE_VALUES.items()}
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, tf.train.latest_checkpoint(FIXTURES))
        for name, expected in FIXTURE_VALUES.items():
            got = np.asarray(sess.run(variables[name]))
            assert got.dtype == expected.dtype and got.shape == expected.shape
            np.testing.assert_array_equal(got, expected)
        # storage restored is writable: training can continue
        sess.run(variables["dense/bias"].assign_add(np.ones(4, np.float32)))


@needs_fixture
def test_latest_checkpoint_and_readers_on_the_fixture():
    assert tf.train.latest_checkpoint(FIXTURES) == os.path.join(FIXTURES, "model.ckpt-1234")
    state = tf.train.get_checkpoint_state(FIXTURES)
    assert state.model_checkpoint_path == os.path.join(FIXTURES, "model.ckpt-1234")
    assert state.all_model_checkpoint_paths == [os.path.join(FIXTURES, "model.ckpt-1234")]
    assert tf.train.list_variables(FIXTURES) == sorted((n, list(v.shape)) for n, v in FIXTURE_VALUES.items())
    reader = tf.train.NewCheckpointReader(FIXTURE_PREFIX)
    assert reader.has_tensor("big") and not reader.has_tensor("nope")
    assert reader.get_variable_to_shape_map()["dense/kernel"] == [3, 4]
    assert reader.get_variable_to_dtype_map()["half"] is tf.float16
    assert reader.get_tensor("global_step") == 1234
    np.testing.assert_array_equal(tf.train.load_variable(FIXTURES, "dense/bias:0"), FIXTURE_VALUES["dense/bias"])
    with pytest.raises(tf.errors.NotFoundError, match="Key nope not found in checkpoint"):
        reader.get_tensor("nope")


def test_partial_var_list_and_renaming_through_a_dict(tmp_path):
    a = tf.Variable([1.0, 2.0], name="a")
    b = tf.Variable([3.0], name="b")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = tf.train.Saver([a]).save(sess, str(tmp_path / "part"))
        renamed = tf.train.Saver({"new/name": b}).save(sess, str(tmp_path / "renamed"))
    assert [n for n, _ in tf.train.list_variables(path)] == ["a"]
    assert [n for n, _ in tf.train.list_variables(renamed)] == ["new/name"]
    tf.reset_default_graph()
    c = tf.Variable([0.0], name="c")
    d = tf.Variable([0.0, 0.0], name="d")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.train.Saver({"new/name": c}).restore(sess, renamed)
        tf.train.Saver({"a": d}).restore(sess, path)
        np.testing.assert_array_equal(sess.run(c), [3.0])
        np.testing.assert_array_equal(sess.run(d), [1.0, 2.0])


def test_max_to_keep_prunes_old_checkpoints_and_relative_state(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir("run")
    v = tf.Variable(1.0, name="v")
    saver = tf.train.Saver(max_to_keep=2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(5):
            sess.run(v.assign(float(step)))
            saver.save(sess, "run/model.ckpt", global_step=step)
    assert saver.last_checkpoints == ["run/model.ckpt-3", "run/model.ckpt-4"]
    assert sorted(os.listdir("run")) == ["checkpoint"] + sorted(
        "model.ckpt-%d.%s" % (s, ext) for s in (3, 4) for ext in ("data-00000-of-00001", "index", "meta"))
    assert open("run/checkpoint").read() == ('model_checkpoint_path: "model.ckpt-4"\n'
                                             'all_model_checkpoint_paths: "model.ckpt-3"\n'
                                             'all_model_checkpoint_paths: "model.ckpt-4"\n')
    assert tf.train.latest_checkpoint("run") == os.path.join("run", "model.ckpt-4")
    assert tf.train.load_variable("run", "v") == 4.0


def test_absolute_save_dir_keeps_absolute_paths_and_max_to_keep_none(tmp_path):
    tf.Variable(1.0, name="v")
    saver = tf.train.Saver(max_to_keep=None)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(3):
            saver.save(sess, str(tmp_path / "m"), global_step=step, write_meta_graph=False)
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path == str(tmp_path / "m-2")
    assert state.all_model_checkpoint_paths == [str(tmp_path / "m-2")]
    assert all(os.path.exists(str(tmp_path / ("m-%d.index" % s))) for s in range(3))


def test_keep_checkpoint_every_n_hours_preserves_some(tmp_path, monkeypatch):
    tf.Variable(1.0, name="v")
    saver = tf.train.Saver(max_to_keep=1, keep_checkpoint_every_n_hours=1e-9)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(3):
            saver.save(sess, str(tmp_path / "m"), global_step=step, write_meta_graph=False)
    # every superseded checkpoint is older than the (tiny) keep interval, so all are preserved
    assert all(os.path.exists(str(tmp_path / ("m-%d.index" % s))) for s in range(3))
    assert saver.last_checkpoints == [str(tmp_path / "m-2")]


def test_global_step_tensor_and_pad_step_number(tmp_path):
    step = tf.Variable(42, dtype=tf.int64, name="global_step")
    saver = tf.train.Saver(pad_step_number=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = saver.save(sess, str(tmp_path / "m"), global_step=step)
    assert prefix == str(tmp_path / "m-00000042")


def test_restore_errors_missing_entry(tmp_path):
    a = tf.Variable([1.0], name="a")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = tf.train.Saver([a]).save(sess, str(tmp_path / "m"))
    tf.reset_default_graph()
    tf.Variable([1.0], name="a")
    tf.Variable(np.zeros((3, 4), np.float32), name="dense/kernel")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.NotFoundError,
                           match=r"Key dense/kernel not found in checkpoint .*m"):
            tf.train.Saver().restore(sess, path)


def test_restore_errors_shape_and_dtype_mismatch(tmp_path):
    tf.Variable(np.zeros((4, 3), np.float32), name="dense/kernel")
    tf.Variable(np.zeros(2, np.float64), name="b")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = tf.train.Saver().save(sess, str(tmp_path / "m"))
    tf.reset_default_graph()
    kernel = tf.Variable(np.ones((3, 4), np.float32), name="dense/kernel")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"variable 'dense/kernel' has shape \[3,4\] but checkpoint .*m holds shape "
                                 r"\[4,3\]"):
            tf.train.Saver([kernel]).restore(sess, path)
        np.testing.assert_array_equal(sess.run(kernel), np.ones((3, 4)))      # untouched
        tf.train.Saver([kernel], reshape=True).restore(sess, path)
        np.testing.assert_array_equal(sess.run(kernel), np.zeros((3, 4)))
    tf.reset_default_graph()
    b = tf.Variable(np.zeros(2, np.float32), name="b")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"tensor_name = b; expected dtype float32 does not equal original dtype "
                                 r"float64 \(restoring variable 'b' from checkpoint .*m\)"):
            tf.train.Saver([b]).restore(sess, path)


def _saved(tmp_path):
    v = tf.Variable(np.arange(100, dtype=np.float32), name="v")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = tf.train.Saver().save(sess, str(tmp_path / "m"), write_meta_graph=False)
    return v, path


def test_restore_errors_corrupted_and_truncated_files(tmp_path):
    v, path = _saved(tmp_path)
    data_file = path + ".data-00000-of-00001"
    good = open(data_file, "rb").read()
    with tf.Session() as sess:
        open(data_file, "wb").write(good[:200])
        with pytest.raises(tf.errors.DataLossError, match=r"tensor 'v'.*m\.data-00000-of-00001.*truncated"):
            tf.train.Saver().restore(sess, path)
        bad = bytearray(good)
        bad[17] ^= 4
        open(data_file, "wb").write(bytes(bad))
        with pytest.raises(tf.errors.DataLossError, match=r"Checksum does not match.*tensor 'v'"):
            tf.train.Saver().restore(sess, path)
        open(path + ".index", "wb").write(b"garbage")
        with pytest.raises(tf.errors.DataLossError, match=r"Unable to read file \(.*m\.index\)"):
            tf.train.Saver().restore(sess, path)
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value v"):
            sess.run(v)


def test_restore_and_save_argument_errors(tmp_path):
    tf.Variable(1.0, name="v")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="Can't load save_path when it is None"):
            saver.restore(sess, None)
        with pytest.raises(ValueError, match="The passed save_path is not a valid checkpoint: .*nowhere"):
            saver.restore(sess, str(tmp_path / "nowhere"))
        with pytest.raises(ValueError, match="Parent directory of .*missing/m doesn't exist, can't save"):
            saver.save(sess, str(tmp_path / "missing" / "m"))
        with pytest.raises(tf.errors.FailedPreconditionError, match="Attempting to use uninitialized value v"):
            saver.save(sess, str(tmp_path / "m"))
        with pytest.raises(TypeError, match="'sess' must be a Session"):
            saver.save("not a session", str(tmp_path / "m"))
    tf.reset_default_graph()
    with pytest.raises(ValueError, match="No variables to save"):
        tf.train.Saver()
    assert tf.train.Saver(allow_empty=True).save(None or tf.Session(), str(tmp_path / "e")) is None
    with pytest.raises(TypeError, match="Variable to save is not a Variable"):
        tf.train.Saver([tf.constant(1.0)])
    x = tf.Variable(1.0, name="x")
    with pytest.raises(ValueError, match="At least two variables have the same name: x"):
        tf.train.Saver([x, x])


def test_failed_write_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    v = tf.Variable(1.0, name="v")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, str(tmp_path / "m"), global_step=1, write_meta_graph=False)
        sess.run(v.assign(2.0))
        real_replace = os.replace

        def failing_replace(src, dst):
            if dst.endswith(".index"):
                raise OSError(28, "No space left on device")
            return real_replace(src, dst)
        monkeypatch.setattr(os, "replace", failing_replace)
        with pytest.raises(OSError, match="No space left"):
            saver.save(sess, str(tmp_path / "m"), global_step=2, write_meta_graph=False)
        monkeypatch.setattr(os, "replace", real_replace)
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "m-1")
    assert not os.path.exists(str(tmp_path / "m-2.index"))
    assert not [f for f in os.listdir(tmp_path) if "tempstate" in f]
    assert tf.train.load_variable(str(tmp_path), "v") == 1.0


def test_state_file_parsing(tmp_path):
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "a\\"b"\n'
                                         'all_model_checkpoint_paths: "a\\"b"\n'
                                         'all_model_checkpoint_timestamps: 1.5\n'
                                         'last_preserved_timestamp: 2.0\n')
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path == os.path.join(str(tmp_path), 'a"b')
    assert state.all_model_checkpoint_timestamps == [1.5] and state.last_preserved_timestamp == 2.0
    assert tf.train.latest_checkpoint(str(tmp_path)) is None       # files missing
    (tmp_path / "checkpoint").write_text("this is { not a state file")
    assert tf.train.get_checkpoint_state(str(tmp_path)) is None
    (tmp_path / "checkpoint").write_text('all_model_checkpoint_paths: "x"\n')
    with pytest.raises(ValueError, match="Invalid checkpoint state loaded from"):
        tf.train.get_checkpoint_state(str(tmp_path))
    assert tf.train.get_checkpoint_state(str(tmp_path / "none")) is None
    os.remove(str(tmp_path / "checkpoint"))
    with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file or checkpoints in given directory"):
        tf.train.list_variables(str(tmp_path))
    with pytest.raises(tf.errors.NotFoundError, match="Failed to find any matching files for .*nope"):
        tf.train.NewCheckpointReader(str(tmp_path / "nope"))


def test_meta_graph_round_trip(tmp_path):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="dense/kernel")
    b = tf.Variable(np.ones(2, np.float32), name="dense/bias")
    y = tf.add(tf.matmul(x, w), b, name="y")
    tf.add_to_collection("outputs", y)
    tf.constant(np.array([b"a", b"bc"], dtype=object), name="labels")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(b.assign([5.0, 6.0]))
        prefix = tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"), global_step=3)
        feed = np.ones((2, 3), np.float32)
        expected = sess.run(y, {x: feed})
    assert os.path.exists(prefix + ".meta")
    tf.reset_default_graph()
    saver = tf.train.import_meta_graph(prefix + ".meta")
    graph = tf.get_default_graph()
    assert {v.op.name for v in tf.global_variables()} == {"dense/kernel", "dense/bias"}
    assert {v.op.name for v in tf.trainable_variables()} == {"dense/kernel", "dense/bias"}
    with tf.Session() as sess:
        saver.restore(sess, prefix)
        out = tf.get_collection("outputs")[0]
        np.testing.assert_allclose(sess.run(out, {"x:0": feed}), expected)
        np.testing.assert_array_equal(sess.run(graph.get_tensor_by_name("labels:0")), label_values())
        sess.run(tf.global_variables_initializer())                  # initializers were rebuilt too
        np.testing.assert_array_equal(sess.run("dense/bias:0"), [1.0, 1.0])
    saver2 = tf.train.import_meta_graph(prefix + ".meta", import_scope="copy")
    assert "copy/dense/kernel" in {v.op.name for v in tf.global_variables()}
    with tf.Session() as sess:
        saver2.restore(sess, prefix)                                  # checkpoint keys are unchanged
        np.testing.assert_array_equal(sess.run("copy/dense/bias:0"), [5.0, 6.0])


def label_values():
    return np.array([b"a", b"bc"], dtype=object)


def test_meta_graph_errors(tmp_path):
    with pytest.raises(IOError, match="File .*missing.meta does not exist"):
        tf.train.import_meta_graph(str(tmp_path / "missing.meta"))
    (tmp_path / "bad.meta").write_bytes(b"\x80\x03 definitely not json")
    with pytest.raises(tf.errors.DataLossError, match=r"Cannot parse meta graph .*bad\.meta"):
        tf.train.import_meta_graph(str(tmp_path / "bad.meta"))
    (tmp_path / "bad2.meta").write_text('{"format": "numflow-meta-graph", "version": 1, "ops": '
                                        '[{"name": "c", "type": "Const", "inputs": [], "attrs": {"value": '
                                        '{"t": "array", "dtype": "float32", "shape": [4], "v": "AAAA"}, '
                                        '"dtype": {"t": "dtype", "v": "float32"}}}], "collections": {}}')
    with pytest.raises(tf.errors.DataLossError, match=r"bad2\.meta: array of shape \(4,\) and dtype float32 "
                                                      r"needs 16 bytes, found 3"):
        tf.train.import_meta_graph(str(tmp_path / "bad2.meta"))
    (tmp_path / "bad3.meta").write_text('{"format": "numflow-meta-graph", "version": 1, "ops": '
                                        '[{"name": "c", "type": "NoSuchOp", "inputs": [], "attrs": {}}]}')
    with pytest.raises(tf.errors.DataLossError, match="type 'NoSuchOp', which is not registered"):
        tf.train.import_meta_graph(str(tmp_path / "bad3.meta"))


def test_meta_graph_skips_unserializable_ops_with_a_warning(tmp_path):
    c = tf.constant(1.0, name="c")
    weird = tf.py_func(lambda v: v, [c], tf.float32, name="weird")
    tf.identity(weird, name="after")
    with pytest.warns(UserWarning, match="leaves out 2 op"):
        meta = tf.train.export_meta_graph()
    assert [node.name for node in meta.graph_def.node] == ["c"]


def test_init_from_checkpoint(tmp_path):
    a = tf.Variable(np.full(2, 7.0, np.float32), name="old/a")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = tf.train.Saver().save(sess, str(tmp_path / "m"))
    tf.reset_default_graph()
    new_a = tf.Variable(np.zeros(2, np.float32), name="new/a")
    other = tf.Variable(np.zeros(2, np.float32), name="other")
    tf.train.init_from_checkpoint(path, {"old/": "new/"})
    tf.train.init_from_checkpoint(path, {"old/a": other})
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(new_a), [7.0, 7.0])
        np.testing.assert_array_equal(sess.run(other), [7.0, 7.0])
    with pytest.raises(ValueError, match="Tensor missing is not found in"):
        tf.train.init_from_checkpoint(path, {"missing": other})
    assert a is not None


def test_saved_checkpoint_copies_restore_from_any_folder(tmp_path):
    tf.Variable([1.0, 2.0], name="v")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = tf.train.Saver().save(sess, str(tmp_path / "src" / "a"), global_step=1) \
            if os.makedirs(str(tmp_path / "src")) is None else None
    shutil.copytree(str(tmp_path / "src"), str(tmp_path / "moved"))
    assert prefix == str(tmp_path / "src" / "a-1")
    assert bundle.BundleReader(str(tmp_path / "moved" / "a-1")).read("v").tolist() == [1.0, 2.0]
    # the state file holds absolute paths for an absolute save dir, as TensorFlow writes it; they name the
    # source folder, so the copy's checkpoint of the same name is used (TF would read the source's)
    assert 'model_checkpoint_path: "%s"' % prefix in (tmp_path / "moved" / "checkpoint").read_text()
    assert tf.train.get_checkpoint_state(str(tmp_path / "moved")).model_checkpoint_path == \
        str(tmp_path / "moved" / "a-1")
    assert tf.train.latest_checkpoint(str(tmp_path / "moved")) == str(tmp_path / "moved" / "a-1")


def test_save_in_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tf.Variable([4.0], name="v")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert tf.train.Saver().save(sess, "model", global_step=2) == "model-2"
    assert open("checkpoint").read().startswith('model_checkpoint_path: "model-2"\n')
    assert tf.train.latest_checkpoint(".") == os.path.join(".", "model-2")
