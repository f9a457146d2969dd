"""tf.train.Checkpoint / CheckpointManager / CheckpointOptions: object-based checkpoints in graph mode."""
import os
import subprocess

import numpy as np
import pytest

import numflow as tf
from numflow.io import bundle

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "tf_object_checkpoint", "fromtf-1")


def test_save_numbers_files_and_restore_puts_values_back(tmp_path):
    prefix = str(tmp_path / "ckpt")
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0], name="v")
        step = tf.Variable(3, dtype=tf.int64, name="step")
        checkpoint = tf.train.Checkpoint(v=v, step=step)
        assert checkpoint.v is v
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            first = checkpoint.save(prefix, session=sess)
            sess.run(v.assign([5.0, 6.0]))
            second = checkpoint.save(prefix, session=sess)
            assert (first, second) == (prefix + "-1", prefix + "-2")
            assert tf.train.latest_checkpoint(str(tmp_path)) == second
            assert sess.run(checkpoint.save_counter) == 2
            checkpoint.restore(first).assert_consumed().run_restore_ops(sess)
            np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])
            assert sess.run(checkpoint.save_counter) == 1
    keys = dict(tf.train.list_variables(first))
    assert keys == {"_CHECKPOINTABLE_OBJECT_GRAPH": [], "save_counter/.ATTRIBUTES/VARIABLE_VALUE": [],
                    "step/.ATTRIBUTES/VARIABLE_VALUE": [], "v/.ATTRIBUTES/VARIABLE_VALUE": [2]}
    np.testing.assert_array_equal(tf.train.load_variable(first, "v/.ATTRIBUTES/VARIABLE_VALUE"), [1.0, 2.0])


def test_write_and_read_leave_counter_and_state_file_alone(tmp_path):
    with tf.Graph().as_default():
        v = tf.Variable(4.0, name="v")
        checkpoint = tf.train.Checkpoint(v=v)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = checkpoint.write(str(tmp_path / "exact"), session=sess)
            sess.run(v.assign(0.0))
            checkpoint.read(path).assert_consumed().run_restore_ops(sess)
            assert sess.run(v) == 4.0 and sess.run(checkpoint.save_counter) == 0
    assert path == str(tmp_path / "exact") and not os.path.exists(tmp_path / "checkpoint")


def test_optimizer_slots_and_keras_model_round_trip(tmp_path):
    with tf.Graph().as_default():
        v = tf.Variable([1.0, -1.0], name="v")
        optimizer = tf.train.AdamOptimizer(0.1)
        train = optimizer.minimize(tf.reduce_sum(v * v))
        checkpoint = tf.train.Checkpoint(optimizer=optimizer, v=v)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train)
            saved = sess.run([v, optimizer.get_slot(v, "m"), optimizer.get_slot(v, "v")] +
                             list(optimizer._get_beta_accumulators()))
            path = checkpoint.save(str(tmp_path / "adam"), session=sess)
            sess.run(train)
            checkpoint.restore(path).assert_consumed().run_restore_ops(sess)
            restored = sess.run([v, optimizer.get_slot(v, "m"), optimizer.get_slot(v, "v")] +
                                list(optimizer._get_beta_accumulators()))
    for a, b in zip(saved, restored):
        np.testing.assert_array_equal(a, b)
    keys = dict(tf.train.list_variables(path))
    assert "optimizer/beta1_power/.ATTRIBUTES/VARIABLE_VALUE" in keys
    assert "v/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE" in keys

    with tf.Graph().as_default():
        model = tf.keras.Sequential([tf.keras.layers.Dense(3, input_shape=(2,)), tf.keras.layers.Dense(1)])
        checkpoint = tf.train.Checkpoint(model=model)
        sess = tf.keras.backend.get_session()
        kernel = sess.run(model.layers[0].kernel)
        path = checkpoint.save(str(tmp_path / "keras"), session=sess)
        sess.run(model.layers[0].kernel.assign(np.zeros([2, 3], np.float32)))
        checkpoint.restore(path).assert_consumed().run_restore_ops(sess)
        np.testing.assert_array_equal(sess.run(model.layers[0].kernel), kernel)
    assert "model/layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE" in dict(tf.train.list_variables(path))


def test_restores_a_checkpoint_written_by_tensorflow():
    with tf.Graph().as_default():
        v = tf.Variable([0.0, 0.0], name="other_name")
        step = tf.Variable(0, dtype=tf.int64)
        checkpoint = tf.train.Checkpoint(v=v, step=step)
        with tf.Session() as sess:
            checkpoint.restore(FIXTURE).assert_consumed().initialize_or_restore(sess)
            got = sess.run([v, step, checkpoint.save_counter])
    np.testing.assert_array_equal(got[0], [7.0, 8.0])
    assert got[1] == 42 and got[2] == 1


@pytest.mark.skipif(not os.environ.get("NUMFLOW_TF_PYTHON"), reason="needs NUMFLOW_TF_PYTHON (real TensorFlow)")
def test_tensorflow_restores_what_numflow_writes(tmp_path):
    with tf.Graph().as_default():
        checkpoint = tf.train.Checkpoint(v=tf.Variable([1.5, 2.5]), step=tf.Variable(9, dtype=tf.int64))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = checkpoint.save(str(tmp_path / "ckpt"), session=sess)
    script = ("import sys, numpy as np, tensorflow as tf\n"
              "v = tf.Variable(np.zeros(2, np.float32)); s = tf.Variable(np.int64(0))\n"
              "tf.train.Checkpoint(v=v, step=s).restore(sys.argv[1]).assert_consumed()\n"
              "print(v.numpy().tolist(), int(s.numpy()))\n")
    out = subprocess.run([os.environ["NUMFLOW_TF_PYTHON"], "-c", script, path], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "[1.5, 2.5] 9"


def test_restore_statuses_and_name_based_checkpoints(tmp_path):
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0], name="v")
        w = tf.Variable(5.0, name="w")
        saver_path = None
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            saver_path = tf.train.Saver([v]).save(sess, str(tmp_path / "named"))
            partial = tf.train.Checkpoint(v=v).save(str(tmp_path / "partial"), session=sess)
        checkpoint = tf.train.Checkpoint(v=v, w=w)
        with tf.Session() as sess:
            checkpoint.restore(None).initialize_or_restore(sess)
            assert sess.run(w) == 5.0
            sess.run(v.assign([0.0, 0.0]))
            status = checkpoint.restore(saver_path)
            status.assert_nontrivial_match().run_restore_ops(sess)
            np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])
            with pytest.raises(AssertionError, match=r"no value for the variables \['w'\]"):
                checkpoint.restore(partial).assert_consumed()
            with pytest.raises(AssertionError, match="nothing is being restored"):
                checkpoint.restore(None).assert_consumed()
            small = tf.train.Checkpoint(w=w)
            with pytest.raises(AssertionError, match="matched no Python object"):
                small.restore(partial).assert_consumed()
            with pytest.raises(AssertionError, match="Nothing except the root object matched"):
                small.restore(saver_path).assert_nontrivial_match()
    with tf.Graph().as_default():
        wrong = tf.Variable([1.0, 2.0, 3.0], name="v")
        with tf.Session() as sess:
            with pytest.raises(ValueError, match=r"has shape \(2,\), but the variable v:0 has shape \(3,\)"):
                tf.train.Checkpoint(v=wrong).restore(partial).run_restore_ops(sess)


def test_checkpoint_errors(tmp_path):
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="was expecting a trackable object"):
            tf.train.Checkpoint(x=3)
        with pytest.raises(ValueError, match="'save_counter' is reserved"):
            tf.train.Checkpoint(save_counter=tf.Variable(1))
        checkpoint = tf.train.Checkpoint(v=tf.Variable(1.0))
        with pytest.raises(ValueError, match="without a session"):
            checkpoint.save(str(tmp_path / "x"))
        with pytest.raises(tf.errors.NotFoundError, match="Failed to find any matching files"):
            checkpoint.restore(str(tmp_path / "missing"))
        with pytest.raises(TypeError, match="expects a tf.train.Checkpoint"):
            tf.train.CheckpointManager(object(), str(tmp_path), 3)
        with pytest.raises(ValueError, match="Expected a positive integer or `None` for `max_to_keep`, got 0"):
            tf.train.CheckpointManager(checkpoint, str(tmp_path), 0)
    options = tf.train.CheckpointOptions(experimental_io_device="/job:localhost")
    assert options.experimental_io_device == "/job:localhost"


def test_checkpoint_manager_keeps_the_newest_and_resumes(tmp_path):
    directory = str(tmp_path)
    with tf.Graph().as_default():
        v = tf.Variable(0.0, name="v")
        checkpoint = tf.train.Checkpoint(v=v)
        manager = tf.train.CheckpointManager(checkpoint, directory, max_to_keep=2, checkpoint_name="model")
        assert manager.latest_checkpoint is None and manager.checkpoints == []
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            paths = []
            for value in (1.0, 2.0, 3.0):
                sess.run(v.assign(value))
                paths.append(manager.save(session=sess))
            assert paths == [os.path.join(directory, "model-%d" % n) for n in (1, 2, 3)]
            assert manager.checkpoints == paths[1:] and manager.latest_checkpoint == paths[2]
            assert not os.path.exists(bundle.index_filename(paths[0]))
            assert os.path.exists(bundle.index_filename(paths[1]))
            state = tf.train.get_checkpoint_state(directory)
            assert [os.path.basename(p) for p in state.all_model_checkpoint_paths] == ["model-2", "model-3"]
            numbered = manager.save(checkpoint_number=100, session=sess)
            assert numbered.endswith("model-100") and manager.checkpoints == [paths[2], numbered]
            resumed = tf.train.CheckpointManager(checkpoint, directory, max_to_keep=2, checkpoint_name="model")
            assert resumed.latest_checkpoint == numbered and resumed.checkpoints == [paths[2], numbered]
            checkpoint.restore(paths[2]).run_restore_ops(sess)
            assert sess.run(v) == 3.0
