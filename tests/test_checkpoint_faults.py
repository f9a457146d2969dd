"""Checkpoint faults: saves killed at every step, hostile index/state/meta files, file modes, .meta size."""
import json
import logging
import os
import stat
import tracemalloc

import numpy as np
import pytest

import numflow as tf
from numflow.framework import dtypes
from numflow.io import bundle, table


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


# --- a save killed at every step of its write sequence ----------------------------------------------
class _Killed(BaseException):
    """Stands for kill -9: not an Exception, so no `except Exception` clean-up runs."""


class KillSwitch:
    """Patches the os calls that change files. The call numbered `kill_at` dies (a write first writes half
    its bytes), and so does every later one, as nothing runs after kill -9. `steps` records the calls."""

    PRIMITIVES = ("open", "write", "fsync", "replace", "rename", "remove", "unlink")

    def __init__(self, monkeypatch, kill_at=None):
        self.kill_at = kill_at
        self.steps = []
        self.dead = False
        for name in self.PRIMITIVES:
            monkeypatch.setattr(os, name, self._wrap(name, getattr(os, name)))

    def _wrap(self, name, real):
        def patched(*args, **kwargs):
            if self.dead:
                raise _Killed(name)
            number = len(self.steps)
            target = args[-1] if name in ("replace", "rename") else args[0]
            self.steps.append((name, os.path.basename(target) if isinstance(target, str) else target))
            if number == self.kill_at:
                self.dead = True
                if name == "write":
                    data = memoryview(args[1])
                    real(args[0], data[:len(data) // 2])
                raise _Killed("killed at step %d: %s" % (number, name))
            return real(*args, **kwargs)
        return patched


def _make_model():
    weights = tf.Variable(np.zeros((3, 4), np.float32), name="weights")
    names = tf.Variable(np.array([b"", b""], dtype=object), name="names")
    return weights, names


def _generation(k):
    return np.full((3, 4), k, np.float32), np.array([b"gen%d" % k, b"x" * k], dtype=object)


def _assign(sess, variables, k):
    for variable, value in zip(variables, _generation(k)):
        variable.load(value, sess)


def _restored_generation(folder):
    """The generation held by the newest checkpoint `latest_checkpoint` names, read in a fresh graph."""
    prefix = tf.train.latest_checkpoint(folder)
    assert prefix is not None, "no complete checkpoint is named in %s" % os.listdir(folder)
    with tf.Graph().as_default():
        variables = _make_model()
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, prefix)
            weights, names = sess.run(list(variables))
    k = int(weights[0, 0])
    np.testing.assert_array_equal(weights, _generation(k)[0])
    assert list(names) == list(_generation(k)[1])
    return prefix, k


def _run_save_sequence(folder, monkeypatch, kill_at, same_prefix):
    """Saves generations 1 and 2, then generation 3 with the kill switch armed; returns the switch."""
    os.makedirs(folder, exist_ok=True)
    variables = _make_model()
    saver = tf.train.Saver(max_to_keep=2)
    base = os.path.join(folder, "model.ckpt")
    with tf.Session() as sess:
        for k in (1, 2):
            _assign(sess, variables, k)
            saver.save(sess, base, global_step=None if same_prefix else k)
        _assign(sess, variables, 3)
        with monkeypatch.context() as patch:
            switch = KillSwitch(patch, kill_at)
            try:
                saver.save(sess, base, global_step=None if same_prefix else 3)
            except _Killed:
                assert kill_at is not None
            else:
                assert kill_at is None or kill_at >= len(switch.steps)
    return switch


@pytest.mark.parametrize("same_prefix", [True, False], ids=["same_prefix", "global_step"])
def test_a_save_killed_at_every_step_leaves_a_complete_checkpoint(tmp_path, monkeypatch, same_prefix):
    dry = _run_save_sequence(str(tmp_path / "dry"), monkeypatch, None, same_prefix)
    kinds = {name for name, _ in dry.steps}
    targets = {target for _, target in dry.steps}
    assert {"open", "write", "fsync", "replace"} <= kinds
    assert {"checkpoint", "model.ckpt%s.index" % ("" if same_prefix else "-3"),
            "model.ckpt%s.meta" % ("" if same_prefix else "-3")} <= targets
    if not same_prefix:
        assert "model.ckpt-1.index" in targets        # max_to_keep=2 deletes step 1 during the save
    assert len(dry.steps) >= 20
    outcomes = set()
    for kill_at in range(len(dry.steps)):
        folder = str(tmp_path / ("kill%d" % kill_at))
        tf.reset_default_graph()
        switch = _run_save_sequence(folder, monkeypatch, kill_at, same_prefix)
        assert switch.dead, "step %d never ran" % kill_at
        prefix, generation = _restored_generation(folder)
        assert generation in (2, 3), (kill_at, generation)
        if not same_prefix:
            assert prefix.endswith("-%d" % generation)
        outcomes.add(generation)
        # The next save (a restarted program) completes normally and leaves no temporary files behind.
        tf.reset_default_graph()
        variables = _make_model()
        with tf.Session() as sess:
            saver = tf.train.Saver(max_to_keep=2)
            saver.restore(sess, prefix)
            _assign(sess, variables, 4)
            saver.save(sess, os.path.join(folder, "model.ckpt"), global_step=None if same_prefix else 4)
        leftovers = [f for f in os.listdir(folder) if "tempstate" in f or f.endswith(".journal")]
        assert not leftovers, (kill_at, switch.steps[kill_at], leftovers)
        assert _restored_generation(folder)[1] == 4
    assert outcomes == {2, 3}           # early kills keep the old checkpoint, late ones the new


def test_interrupted_overwrite_is_completed_by_readers(tmp_path, monkeypatch):
    """Killed after the journal committed and the data file was renamed, before the index: the only
    checkpoint has new data and an old index until a reader completes the save."""
    variables = _make_model()
    prefix = str(tmp_path / "m")
    with tf.Session() as sess:
        _assign(sess, variables, 1)
        tf.train.Saver().save(sess, prefix, write_meta_graph=False)
        _assign(sess, variables, 2)
        dry_folder = tmp_path / "dry"
        dry_folder.mkdir()
        with monkeypatch.context() as patch:
            dry = KillSwitch(patch)
            tf.train.Saver().save(sess, str(dry_folder / "m"), write_meta_graph=False)
        kill_at = [i for i, (name, target) in enumerate(dry.steps)
                   if name == "replace" and target == "m.index"][0]
        with monkeypatch.context() as patch:
            KillSwitch(patch, kill_at)
            with pytest.raises(_Killed):
                tf.train.Saver().save(sess, prefix, write_meta_graph=False)
    assert os.path.exists(prefix + bundle.JOURNAL_SUFFIX)
    reader = tf.train.NewCheckpointReader(prefix)
    np.testing.assert_array_equal(reader.get_tensor("weights"), _generation(2)[0])
    assert not os.path.exists(prefix + bundle.JOURNAL_SUFFIX)
    assert not [f for f in os.listdir(tmp_path) if "tempstate" in f]


def test_a_corrupt_journal_is_ignored_with_a_warning(tmp_path, caplog):
    prefix = str(tmp_path / "m")
    bundle.write_bundle(prefix, {"a": (np.arange(3, dtype=np.float32), dtypes.float32)})
    outside = tmp_path / "victim"
    outside.write_text("keep me")
    with open(prefix + bundle.JOURNAL_SUFFIX, "w") as handle:
        json.dump({"renames": [["../victim", "m.index"]]}, handle)
    with caplog.at_level(logging.WARNING, logger="numflow"):
        reader = bundle.BundleReader(prefix)
    assert "unreadable checkpoint journal" in caplog.text
    np.testing.assert_array_equal(reader.read("a"), np.arange(3, dtype=np.float32))
    assert outside.read_text() == "keep me"
    assert not os.path.exists(prefix + bundle.JOURNAL_SUFFIX)


def test_failed_rename_of_a_new_checkpoint_leaves_nothing(tmp_path, monkeypatch):
    prefix = str(tmp_path / "m")
    real_replace = os.replace

    def failing(src, dst):
        if dst.endswith(".index"):
            raise OSError(5, "Input/output error")
        return real_replace(src, dst)
    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError, match="Input/output error"):
        bundle.write_bundle(prefix, {"a": (np.zeros(2, np.float32), dtypes.float32)})
    monkeypatch.setattr(os, "replace", real_replace)
    assert os.listdir(tmp_path) == []


def test_stale_temporaries_of_live_processes_are_kept(tmp_path):
    """Another live process may be writing: only files of dead processes (or our own finished ones) go."""
    live = tmp_path / ("m.index.tempstate-%d-abc" % os.getppid())
    dead_pid = 2 ** 22 + 12345           # above Linux's pid_max default: never a live process
    dead = tmp_path / ("m.index.tempstate-%d-abc" % dead_pid)
    ours = tmp_path / ("m.index.tempstate-%d-abc" % os.getpid())
    unrelated = tmp_path / "notes.tempstate-x"
    for path in (live, dead, ours, unrelated):
        path.write_bytes(b"x")
    bundle.write_bundle(str(tmp_path / "m"), {"a": (np.zeros(2, np.float32), dtypes.float32)})
    assert live.exists() and unrelated.exists()
    assert not dead.exists() and not ours.exists()


# --- file modes follow the umask ---------------------------------------------------------------------
@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_checkpoint_files_honour_the_umask(tmp_path, umask):
    variables = _make_model()
    old = os.umask(umask)
    try:
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            prefix = tf.train.Saver().save(sess, str(tmp_path / "m"), global_step=1)
        writer = tf.summary.FileWriter(str(tmp_path / "events"))
        writer.close()
    finally:
        os.umask(old)
    assert variables
    expected = 0o666 & ~umask
    for name in ("m-1.index", "m-1.data-00000-of-00001", "m-1.meta", "checkpoint"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == expected, name
    event_file = os.listdir(tmp_path / "events")[0]
    assert stat.S_IMODE(os.stat(tmp_path / "events" / event_file).st_mode) == expected
    assert prefix.endswith("m-1")


# --- the state file's paths are confined to its folder -----------------------------------------------
def _save_generation(prefix, k):
    with tf.Graph().as_default():
        variables = _make_model()
        with tf.Session() as sess:
            _assign(sess, variables, k)
            tf.train.Saver().save(sess, prefix, write_meta_graph=False, write_state=False)


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink"])
def test_state_file_paths_outside_the_folder_are_refused(tmp_path, caplog, kind):
    folder, elsewhere = tmp_path / "ckpt", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    _save_generation(str(elsewhere / "victim"), 7)
    if kind == "dotdot":
        named = "../elsewhere/victim"
    elif kind == "absolute":
        named = str(elsewhere / "victim")
    else:
        os.symlink(str(elsewhere), str(folder / "link"))
        named = "link/victim"
    (folder / "checkpoint").write_text('model_checkpoint_path: "%s"\nall_model_checkpoint_paths: "%s"\n'
                                       % (named, named))
    with caplog.at_level(logging.WARNING, logger="numflow"):
        assert tf.train.latest_checkpoint(str(folder)) is None
        assert tf.train.get_checkpoint_state(str(folder)) is None
    assert "outside" in caplog.text and "victim" in caplog.text
    # The user can still restore it by naming it explicitly.
    variables = _make_model()
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, str(elsewhere / "victim"))
        np.testing.assert_array_equal(sess.run(variables[0]), _generation(7)[0])


def test_max_to_keep_never_deletes_outside_the_folder(tmp_path, caplog):
    folder, elsewhere = tmp_path / "ckpt", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    _save_generation(str(elsewhere / "victim"), 7)
    _save_generation(str(folder / "model-1"), 1)
    inside_abs = str(folder / "model-1")
    (folder / "checkpoint").write_text(
        'model_checkpoint_path: "%s"\nall_model_checkpoint_paths: "../elsewhere/victim"\n'
        'all_model_checkpoint_paths: "%s"\nall_model_checkpoint_paths: "%s"\n'
        'all_model_checkpoint_timestamps: 1.0\nall_model_checkpoint_timestamps: 2.0\n'
        'all_model_checkpoint_timestamps: 3.0\n' % (inside_abs, str(elsewhere / "victim"), inside_abs))
    with caplog.at_level(logging.WARNING, logger="numflow"):
        state = tf.train.get_checkpoint_state(str(folder))
    assert state.model_checkpoint_path == inside_abs          # absolute paths inside the folder are fine
    assert state.all_model_checkpoint_paths == [inside_abs]
    assert state.all_model_checkpoint_timestamps == [3.0]
    assert "../elsewhere/victim" in caplog.text
    variables = _make_model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver = tf.train.Saver(max_to_keep=1)
        saver.recover_last_checkpoints(state.all_model_checkpoint_paths)
        for step in (2, 3):
            saver.save(sess, str(folder / "model"), global_step=step)
    assert variables
    assert os.path.exists(str(elsewhere / "victim.index"))
    assert sorted(f for f in os.listdir(folder) if f.endswith(".index")) == ["model-3.index"]


def test_monitored_session_recovery_ignores_outside_paths(tmp_path):
    folder, elsewhere = tmp_path / "ckpt", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    _make_model()
    step = tf.train.get_or_create_global_step()
    increment = tf.assign_add(step, 1)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for prefix in (str(elsewhere / "victim"), str(folder / "model.ckpt-1")):
            tf.train.Saver().save(sess, prefix, write_meta_graph=False, write_state=False)
    (folder / "checkpoint").write_text('model_checkpoint_path: "model.ckpt-1"\n'
                                       'all_model_checkpoint_paths: "../elsewhere/victim"\n'
                                       'all_model_checkpoint_paths: "model.ckpt-1"\n')
    scaffold = tf.train.Scaffold(saver=tf.train.Saver(max_to_keep=1))
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(folder), scaffold=scaffold,
                                           save_checkpoint_steps=1, save_summaries_steps=None) as sess:
        for _ in range(3):
            sess.run(increment)
    assert os.path.exists(str(elsewhere / "victim.index"))
    assert os.path.exists(str(elsewhere / "victim.data-00000-of-00001"))


# --- crafted index files --------------------------------------------------------------------------
def _crafted_index(prefix, name, dtype_enum, shape, size, offset=0):
    entry = bundle.Entry(name, dtype_enum, shape, 0, offset, size, 0)
    with open(bundle.index_filename(prefix), "wb") as handle:
        handle.write(table.write_table([(b"", bundle.encode_header(1)), (name.encode(), entry.encode())]))


@pytest.mark.parametrize("name,dtype_enum,shape,size,message", [
    ("names", 7, (2 ** 28,), 9, r"key names declares 268435456 strings .* only 9 bytes"),
    ("names", 7, (2 ** 28,), 2 ** 40, r"Data for tensor 'names' runs past the end of .*m\.data-00000-of-00001"),
    ("weights", 1, (2 ** 31 + 5,), (2 ** 31 + 5) * 4, r"Data for tensor 'weights' runs past the end of .*m\.data"),
    ("weights", 1, (2 ** 16, 2 ** 16), 8, r"key weights; stored size 8; expected size 17179869184 .*m\.index"),
    ("weights", 1, (2 ** 30, 2 ** 30), 8, r"Invalid tensor shape: weights .*m\.index \(too many elements\)"),
    ("weights", 1, (-1, 4), 8, r"Invalid tensor shape: weights .*m\.index"),
    ("weights", 1, (4,), 16, r"Data for tensor 'weights' runs past the end"),
])
def test_crafted_index_is_data_loss_before_any_allocation(tmp_path, name, dtype_enum, shape, size, message):
    prefix = str(tmp_path / "m")
    bundle.write_bundle(prefix, {"names": (np.array([b"ab", b"c"], dtype=object), dtypes.string)})
    _crafted_index(prefix, name, dtype_enum, shape, size, offset=0 if size != 16 else 2 ** 62)
    tracemalloc.start()
    try:
        with pytest.raises(tf.errors.DataLossError, match=message):
            bundle.BundleReader(prefix).read(name)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


def test_reading_a_crafted_index_names_the_tensor(tmp_path):
    prefix = str(tmp_path / "m")
    variables = _make_model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.train.Saver().save(sess, prefix, write_meta_graph=False)
        data_size = os.path.getsize(bundle.data_filename(prefix))
        reader = bundle.BundleReader(prefix)
        items = [(b"", bundle.encode_header(1))]
        for key in sorted(reader.entries):
            entry = reader.entries[key]
            if key == "names":
                entry = bundle.Entry(key, entry.dtype_enum, (2 ** 40,), 0, 0, data_size, entry.crc32c)
            items.append((key.encode(), entry.encode()))
        with open(bundle.index_filename(prefix), "wb") as handle:
            handle.write(table.write_table(items))
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"'names' has shape \[2\] but .* \[1099511627776\]"):
            tf.train.Saver().restore(sess, prefix)
    assert variables
    with pytest.raises(tf.errors.DataLossError, match=r"key names declares 1099511627776 strings.*m\.index"):
        tf.train.load_variable(prefix, "names")
    np.testing.assert_array_equal(tf.train.load_variable(prefix, "weights"), np.zeros((3, 4), np.float32))


# --- .meta files: compact fills, hostile nesting and types -------------------------------------------
def test_meta_stores_fill_values_compactly_and_round_trips(tmp_path):
    big = 2_000_000
    tf.Variable(tf.zeros([big]), name="zeros")
    tf.Variable(tf.ones([1000, 2000], dtype=tf.float64), name="ones")
    tf.Variable(tf.constant(np.nan, shape=[300], dtype=tf.float32), name="nans")
    tf.Variable(tf.constant([0.0, -0.0] * 500, dtype=tf.float32), name="signed_zeros")
    tf.Variable(tf.constant([b"ab"] * 50), name="texts")
    tf.Variable(tf.constant(np.arange(1000, dtype=np.int64)), name="ramp")
    path = str(tmp_path / "m.meta")
    tf.train.export_meta_graph(path)
    size = os.path.getsize(path)
    assert size < 25_000, size          # the ramp and the signed zeros are stored in full, nothing else
    tf.reset_default_graph()
    tf.train.import_meta_graph(path)
    graph = tf.get_default_graph()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = {name: sess.run(graph.get_tensor_by_name(name + ":0"))
                  for name in ("zeros", "ones", "nans", "signed_zeros", "texts", "ramp")}
    np.testing.assert_array_equal(values["zeros"], np.zeros(big, np.float32))
    assert values["ones"].dtype == np.float64 and values["ones"].shape == (1000, 2000) and (values["ones"] == 1).all()
    assert np.isnan(values["nans"]).all() and values["nans"].shape == (300,)
    np.testing.assert_array_equal(np.signbit(values["signed_zeros"]), [False, True] * 500)
    assert list(values["texts"]) == [b"ab"] * 50
    np.testing.assert_array_equal(values["ramp"], np.arange(1000))


def _legacy_json_meta():
    """The JSON .meta numflow wrote before it wrote MetaGraphDefs (tests/fixtures/meta/numflow_json)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "meta", "numflow_json",
                        "model.ckpt-3.meta")
    with open(path) as handle:
        return json.load(handle)


def test_meta_filled_value_with_a_huge_shape_is_not_allocated_when_read(tmp_path):
    meta = _legacy_json_meta()
    const = [op for op in meta["ops"] if op["name"] == "zeros"][0]
    assert const["attrs"]["value"]["t"] == "filled"
    const["attrs"]["value"]["shape"] = [2 ** 20, 2 ** 20]
    tf.reset_default_graph()
    tracemalloc.start()
    try:
        with pytest.raises(tf.errors.DataLossError, match="Corrupted meta graph <meta graph dict>: cannot rebuild"):
            tf.train.import_meta_graph(meta)        # the variable's shape [2] disagrees
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20
    const["attrs"]["value"]["v"] = "AAAA"           # 3 bytes, not a float32
    tf.reset_default_graph()
    with pytest.raises(tf.errors.DataLossError, match="filled float32 array needs a 4-byte element, found 3"):
        tf.train.import_meta_graph(meta)


def test_deeply_nested_meta_is_data_loss_naming_the_file(tmp_path):
    path = tmp_path / "deep.meta"
    for depth in (60, 100_000):
        path.write_text('{"format":"numflow-meta-graph","version":1,"ops":[],"collections":{"k":['
                        + '{"t":"list","v":[' * depth + "]}" * depth + "]}}")
        with pytest.raises(tf.errors.DataLossError, match=r"deep\.meta: its JSON is nested more than 100 levels"):
            tf.train.import_meta_graph(str(path))
    path.write_text('{"format":"numflow-meta-graph","version":1,"ops":[],"collections":{"k":['
                    + '{"t":"list","v":[' * 10 + "]}" * 10 + "]}}")
    assert tf.train.import_meta_graph(str(path)) is None
    assert len(tf.get_collection("k")) == 1


@pytest.mark.parametrize("field,value", [("inputs", 5), ("control_inputs", 7), ("attrs", {"dtype": 3})])
def test_meta_with_wrongly_typed_fields_is_data_loss(tmp_path, field, value):
    meta = _legacy_json_meta()
    meta["ops"][-1][field] = value
    path = tmp_path / "bad.meta"
    path.write_text(json.dumps(meta))
    tf.reset_default_graph()
    with pytest.raises(tf.errors.DataLossError, match=r"Corrupted meta graph .*bad\.meta"):
        tf.train.import_meta_graph(str(path))
