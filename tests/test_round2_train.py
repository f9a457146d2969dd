"""tf.train round 2: noisy_linear_cosine_decay, piecewise_constant_decay, basic_train_loop,
checkpoints_iterator."""
import math
import os
import threading
import time

import numpy as np
import pytest

import numflow as tf


def _linear_cosine(step, decay_steps, num_periods=0.5, alpha=0.0, beta=0.001, noise=0.0):
    step = min(step, decay_steps)
    linear = (decay_steps - step) / decay_steps + noise
    cosine = 0.5 * (1 + math.cos(math.pi * 2 * num_periods * step / decay_steps))
    return (alpha + linear) * cosine + beta


def test_piecewise_constant_decay_is_piecewise_constant():
    assert tf.train.piecewise_constant_decay is tf.train.piecewise_constant
    with tf.Graph().as_default():
        x = tf.placeholder(tf.int32, [])
        lr = tf.train.piecewise_constant_decay(x, [10, 20], [1.0, 0.5, 0.1])
        with tf.Session() as sess:
            got = [sess.run(lr, {x: v}) for v in (0, 10, 11, 20, 21)]
    np.testing.assert_allclose(got, [1.0, 1.0, 0.5, 0.5, 0.1])


def test_noisy_linear_cosine_decay_without_variance_is_linear_cosine():
    with tf.Graph().as_default():
        step = tf.placeholder(tf.int64, [])
        lr = tf.train.noisy_linear_cosine_decay(0.1, step, 100, initial_variance=0.0, num_periods=2.0,
                                                alpha=0.1, beta=0.01)
        assert lr.dtype == tf.float32 and lr.op.name.startswith("NoisyLinearCosineDecay")
        with tf.Session() as sess:
            for s in (0, 30, 77, 150):
                np.testing.assert_allclose(sess.run(lr, {step: s}),
                                           0.1 * _linear_cosine(s, 100, 2.0, 0.1, 0.01), rtol=1e-5)


def test_noisy_linear_cosine_decay_noise_has_the_documented_variance():
    # At step 3 of 100 the linear term's noise has variance initial_variance / (1 + 3) ** variance_decay.
    with tf.Graph().as_default():
        tf.set_random_seed(5)
        lr = tf.train.noisy_linear_cosine_decay(1.0, tf.constant(3, tf.int64), 100, initial_variance=2.0,
                                                variance_decay=0.55, beta=0.0)
        with tf.Session() as sess:
            draws = np.array([sess.run(lr) for _ in range(3000)], np.float64)
    cosine = 0.5 * (1 + math.cos(math.pi * 3 / 100))
    noise = draws / cosine - (97 / 100)
    expected_std = math.sqrt(2.0 / 4 ** 0.55)
    assert abs(noise.mean()) < 4 * expected_std / math.sqrt(3000)
    assert abs(noise.std() - expected_std) < 0.05 * expected_std


def test_noisy_linear_cosine_decay_needs_global_step():
    with pytest.raises(ValueError, match="global_step is required for noisy_linear_cosine_decay"):
        tf.train.noisy_linear_cosine_decay(0.1, None, 10)


def test_basic_train_loop_runs_steps_until_stop(tmp_path):
    with tf.Graph().as_default():
        counter = tf.Variable(0, name="counter")
        increment = tf.assign_add(counter, 1)
        supervisor = tf.train.Supervisor(logdir=str(tmp_path), save_model_secs=0, save_summaries_secs=0)
        seen = []

        def step(session, amount, stop_at=None):
            seen.append(session.run(increment) * amount)
            if len(seen) == stop_at:
                supervisor.request_stop()

        tf.train.basic_train_loop(supervisor, step, args=(2,), kwargs={"stop_at": 4})
    assert seen == [2, 4, 6, 8]


def _save_checkpoint(directory, step):
    with tf.Graph().as_default():
        v = tf.Variable(float(step), name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(v.initializer)
            return saver.save(sess, os.path.join(directory, "model.ckpt"), global_step=step)


def test_checkpoints_iterator_yields_new_checkpoints_then_times_out(tmp_path):
    directory = str(tmp_path)
    first = _save_checkpoint(directory, 1)
    iterator = tf.train.checkpoints_iterator(directory, timeout=0.3)
    assert next(iterator) == first
    writer = threading.Thread(target=lambda: (time.sleep(0.1), _save_checkpoint(directory, 2)))
    writer.start()
    # The wait for the second checkpoint polls until it appears.
    iterator = tf.train.checkpoints_iterator(directory, timeout=3)
    assert next(iterator) == first
    assert next(iterator).endswith("model.ckpt-2")
    writer.join()
    started = time.time()
    with pytest.raises(StopIteration):
        next(iterator)
    assert time.time() - started >= 2.0


def test_checkpoints_iterator_timeout_fn_decides_whether_to_keep_waiting(tmp_path):
    directory = str(tmp_path)
    calls = []

    def timeout_fn():
        calls.append(1)
        if len(calls) == 1:
            _save_checkpoint(directory, 7)
            return False
        return True

    got = list(tf.train.checkpoints_iterator(directory, timeout=0.05, timeout_fn=timeout_fn))
    assert [os.path.basename(p) for p in got] == ["model.ckpt-7"]
    assert len(calls) == 2


def test_checkpoints_iterator_min_interval_spaces_the_yields(tmp_path):
    directory = str(tmp_path)
    _save_checkpoint(directory, 1)
    iterator = tf.train.checkpoints_iterator(directory, min_interval_secs=0.4, timeout=0.05)
    next(iterator)
    started = time.time()
    _save_checkpoint(directory, 2)
    assert next(iterator).endswith("model.ckpt-2")
    assert time.time() - started >= 0.35


# A ServerDef serialised by TensorFlow 2.21 (tf.compat.v1.train.ServerDef): cluster {ps: {1: 'b:2', 0: 'a:1'},
# worker: {3: 'c:3'}}, job_name 'ps', task_index 0, default_session_config.allow_soft_placement, 'grpc'.
_TF_SERVER_DEF = (b'\n+\n\x16\n\x02ps\x12\x07\x08\x01\x12\x03b:2\x12\x07\x08\x00\x12\x03a:1\n\x11\n\x06worker'
                  b'\x12\x07\x08\x03\x12\x03c:3\x12\x02ps"\x028\x01*\x04grpc')


def test_cluster_spec_round_trips_through_cluster_def():
    spec = tf.train.ClusterSpec({"worker": {3: "c:3"}, "ps": ["a:1", "b:2"]})
    cluster_def = spec.as_cluster_def()
    assert isinstance(cluster_def, tf.train.ClusterDef)
    assert [job.name for job in cluster_def.job] == ["ps", "worker"]
    assert cluster_def.job[0].tasks == {0: "a:1", 1: "b:2"}
    parsed = tf.train.ClusterDef.FromString(cluster_def.SerializeToString())
    assert parsed == cluster_def
    assert tf.train.ClusterSpec(parsed) == spec


def test_server_def_parses_tensorflow_bytes():
    server_def = tf.train.ServerDef.FromString(_TF_SERVER_DEF)
    assert server_def.job_name == "ps" and server_def.task_index == 0 and server_def.protocol == "grpc"
    assert server_def.default_session_config.allow_soft_placement is True
    assert tf.train.ClusterSpec(server_def.cluster).as_dict() == {"ps": ["a:1", "b:2"], "worker": {3: "c:3"}}
    rebuilt = tf.train.ServerDef(cluster=tf.train.ClusterSpec(server_def.cluster).as_cluster_def(), job_name="ps",
                                 task_index=0, protocol="grpc",
                                 default_session_config=tf.ConfigProto(allow_soft_placement=True))
    assert tf.train.ServerDef.FromString(rebuilt.SerializeToString()) == server_def


def test_server_accepts_a_server_def():
    cluster = tf.train.ClusterSpec({"local": ["localhost:2222"]}).as_cluster_def()
    server = tf.train.Server(tf.train.ServerDef(cluster=cluster, job_name="local", task_index=0, protocol="grpc"))
    assert server.target == "grpc://localhost:2222"
    with pytest.raises(tf.errors.UnimplementedError, match="numflow.horovod"):
        tf.train.Server(tf.train.ServerDef.FromString(_TF_SERVER_DEF))


def test_cluster_protos_reject_unknown_fields_and_duplicate_jobs():
    with pytest.raises(ValueError, match='Protocol message JobDef has no "address" field'):
        tf.train.JobDef(name="ps", address="x")
    duplicated = tf.train.ClusterDef(job=[tf.train.JobDef(name="ps"), tf.train.JobDef(name="ps")])
    with pytest.raises(ValueError, match="Duplicated job name: 'ps'"):
        tf.train.ClusterSpec(duplicated)


def _old_model_checkpoint(directory):
    """A checkpoint with 'emb' [3, 2] rows for the vocabulary a, b, c; 'dense/w' [2, 3] whose columns follow
    it; and 'old_bias'."""
    with tf.Graph().as_default():
        tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="emb")
        tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3) * 10, name="dense/w")
        tf.Variable(np.float32(7), name="old_bias")
        tf.Variable(np.float32(-1), name="not_trainable", trainable=False)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return saver.save(sess, os.path.join(directory, "old"))


def test_warm_start_by_regex_list_and_rename(tmp_path):
    path = _old_model_checkpoint(str(tmp_path))
    with tf.Graph().as_default():
        emb = tf.Variable(tf.zeros([3, 2]), name="emb")
        bias = tf.Variable(0.0, name="bias")
        frozen = tf.Variable(0.0, name="not_trainable", trainable=False)
        tf.train.warm_start(path, vars_to_warm_start="emb|bias", var_name_to_prev_var_name={"bias": "old_bias"})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(emb), np.arange(6).reshape(3, 2))
            assert sess.run(bias) == 7.0 and sess.run(frozen) == 0.0
    with tf.Graph().as_default():
        frozen = tf.Variable(0.0, name="not_trainable", trainable=False)
        tf.train.warm_start(str(tmp_path), vars_to_warm_start=["not_train"])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run(frozen) == -1.0
    with tf.Graph().as_default():
        emb = tf.Variable(tf.zeros([3, 2]), name="emb")
        tf.train.warm_start(path, vars_to_warm_start=None)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert not sess.run(emb).any()


def test_warm_start_remaps_vocabulary_rows_and_columns(tmp_path):
    path = _old_model_checkpoint(str(tmp_path))
    (tmp_path / "old.txt").write_text("a\nb\nc\n")
    (tmp_path / "new.txt").write_text("c\nz\na\n")
    with tf.Graph().as_default():
        emb = tf.Variable(tf.zeros([4, 2]), name="emb")              # 3 entries + 1 OOV bucket
        w = tf.Variable(tf.zeros([2, 3]), name="dense/w")
        rows = tf.train.VocabInfo(str(tmp_path / "new.txt"), 3, 1, str(tmp_path / "old.txt"),
                                  backup_initializer=tf.constant_initializer(-5.0))
        columns = tf.train.VocabInfo(str(tmp_path / "new.txt"), 3, 0, str(tmp_path / "old.txt"), old_vocab_size=2,
                                     axis=1)
        tf.train.warm_start(path, vars_to_warm_start=[emb, w], var_name_to_vocab_info={"emb": rows, "dense/w": columns})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got_rows, got_columns = sess.run([emb, w])
    old_rows = np.arange(6).reshape(3, 2)
    np.testing.assert_array_equal(got_rows, [old_rows[2], [-5, -5], old_rows[0], [-5, -5]])
    old_columns = np.arange(6).reshape(2, 3) * 10
    # old_vocab_size=2 keeps only a and b: c is new here, so zeros (no backup initializer)
    np.testing.assert_array_equal(got_columns, np.stack([np.zeros(2), np.zeros(2), old_columns[:, 0]], axis=1))


def test_warm_start_errors(tmp_path):
    path = _old_model_checkpoint(str(tmp_path))
    (tmp_path / "v.txt").write_text("a\nb\n")
    with pytest.raises(ValueError, match="The only supported values for the axis argument are 0 and 1"):
        tf.train.VocabInfo("v", 2, 0, "v", axis=2)
    with tf.Graph().as_default():
        tf.Variable(tf.zeros([3, 2]), name="emb")
        with pytest.raises(ValueError, match=r"var_name_to_vocab_info that did not get warm-started: \['nope'\]"):
            tf.train.warm_start(path, "emb", {"nope": tf.train.VocabInfo(str(tmp_path / "v.txt"), 2, 0,
                                                                       str(tmp_path / "v.txt"))})
        with pytest.raises(ValueError, match=r"var_name_to_prev_var_name that did not get warm-started: \['x'\]"):
            tf.train.warm_start(path, "emb", var_name_to_prev_var_name={"x": "y"})
        with pytest.raises(ValueError, match="has 3 entries along axis 0, but VocabInfo describes 2"):
            tf.train.warm_start(path, "emb", {"emb": tf.train.VocabInfo(str(tmp_path / "v.txt"), 2, 0,
                                                                      str(tmp_path / "v.txt"))})
        with pytest.raises(ValueError, match="regular expression, a list of them, a list of Variables or None"):
            tf.train.warm_start(path, [3])
    with tf.Graph().as_default():
        tf.Variable(0.0, name="absent")
        with pytest.raises(ValueError, match="Tensor absent .* is not found in the checkpoint"):
            tf.train.warm_start(path, "absent")
