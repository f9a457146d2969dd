"""tf.contrib.slim: the layers under arg_scope, the variables API, slim.learning (create_train_op, train
into a logdir), slim.evaluation (evaluate_once / evaluation_loop on the checkpoint train wrote),
slim.summaries, and `import tensorflow.contrib.slim as slim` under `numflow run`."""
import glob
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import numflow as tf
from numflow.contrib import layers as contrib_layers
from numflow.framework import errors

slim = tf.contrib.slim

RNG = np.random.RandomState(3)
IMAGES = RNG.rand(32, 6, 6, 1).astype(np.float32)
LABELS = (IMAGES[:, :3].mean(axis=(1, 2, 3)) > IMAGES[:, 3:].mean(axis=(1, 2, 3))).astype(np.int64)


def small_cnn(images, is_training=True):
    with slim.arg_scope([slim.conv2d, slim.fully_connected], activation_fn=tf.nn.relu,
                        weights_initializer=tf.truncated_normal_initializer(stddev=0.3, seed=1),
                        weights_regularizer=slim.l2_regularizer(1e-4)):
        with slim.arg_scope([slim.conv2d], padding="SAME"):
            net = slim.conv2d(images, 4, [3, 3], scope="conv1")
            net = slim.max_pool2d(net, [2, 2], scope="pool1")
            net = slim.flatten(net, scope="flatten")
            return slim.fully_connected(net, 2, activation_fn=None, scope="logits")


def build_training_graph():
    logits = small_cnn(tf.constant(IMAGES))
    slim.losses.sparse_softmax_cross_entropy(logits, tf.constant(LABELS))
    total_loss = slim.losses.get_total_loss()
    tf.summary.scalar("losses/total_loss", total_loss)
    return total_loss, slim.learning.create_train_op(total_loss, tf.train.GradientDescentOptimizer(0.5))


# --- namespace and arg_scope ------------------------------------------------------------------------
def test_slim_reexports_every_contrib_layers_name():
    for name in contrib_layers.__all__:
        value = getattr(slim, name)
        original = getattr(contrib_layers, name)
        assert value is original or value.__wrapped__ is original, name
        assert name in slim.__all__
    for name in ("conv2d", "fully_connected", "max_pool2d", "batch_norm", "dropout", "flatten"):
        assert slim.has_arg_scope(getattr(slim, name)), name
    assert slim.arg_scope is tf.contrib.framework.arg_scope
    assert slim.get_or_create_global_step is tf.train.get_or_create_global_step


def test_arg_scope_defaults_and_explicit_arguments_win():
    with tf.Graph().as_default():
        images = tf.zeros([2, 8, 8, 3])
        with slim.arg_scope([slim.conv2d], padding="VALID", activation_fn=None,
                            weights_initializer=tf.ones_initializer()) as scope:
            valid = slim.conv2d(images, 5, [3, 3], scope="valid")
            same = slim.conv2d(images, 5, [3, 3], padding="SAME", scope="same")
        with slim.arg_scope(scope):
            again = slim.conv2d(images, 2, [5, 5], scope="again")
        outside = slim.conv2d(images, 2, [5, 5], scope="outside")
        assert valid.shape.as_list() == [2, 6, 6, 5]
        assert same.shape.as_list() == [2, 8, 8, 5]
        assert again.shape.as_list() == [2, 4, 4, 2]
        assert outside.shape.as_list() == [2, 8, 8, 2]
        assert valid.op.type != "Relu" and outside.op.type == "Relu"


def test_arg_scope_reaches_layers_passed_to_repeat_and_normalizers():
    with tf.Graph().as_default():
        images = tf.ones([1, 4, 4, 2])
        with slim.arg_scope([slim.conv2d], num_outputs=3, kernel_size=[1, 1],
                            weights_initializer=tf.ones_initializer(), normalizer_fn=slim.batch_norm):
            with slim.arg_scope([slim.batch_norm], scale=True):
                net = slim.repeat(images, 2, slim.conv2d, scope="block")
        names = sorted(v.op.name for v in slim.get_model_variables())
        assert "block/block_1/BatchNorm/gamma" in names and "block/block_2/weights" in names
        assert net.shape.as_list() == [1, 4, 4, 3]


def test_undecorated_layers_are_arg_scoped_by_slim(monkeypatch):
    # A layer function tf.contrib.layers gains without @add_arg_scope still works in slim.arg_scope;
    # functions that are not layers (first argument not `inputs`/`labels`) are passed through as they are.
    def scaled(inputs, factor=1.0, scope=None):
        return inputs * factor

    def some_regularizer(scale, scope=None):
        return scale

    monkeypatch.setattr(contrib_layers, "scaled", scaled, raising=False)
    monkeypatch.setattr(contrib_layers, "some_regularizer", some_regularizer, raising=False)
    monkeypatch.setattr(contrib_layers, "__all__", contrib_layers.__all__ + ["scaled", "some_regularizer"])
    assert slim.some_regularizer is some_regularizer
    assert slim.has_arg_scope(slim.scaled) and slim.scaled is slim.scaled
    with tf.Graph().as_default():
        with slim.arg_scope([slim.scaled], factor=3.0):
            tripled = slim.scaled(tf.constant(2.0))
            doubled = slim.scaled(tf.constant(2.0), factor=2.0)
        with tf.Session() as sess:
            assert sess.run([tripled, doubled]) == [6.0, 4.0]


def test_slim_nets_is_not_provided_and_says_so():
    with pytest.raises(AttributeError, match="does not provide tf.contrib.slim.nets"):
        slim.nets  # noqa: B018


# --- variables ---------------------------------------------------------------------------------------
def test_variables_api_and_get_variables_to_restore():
    with tf.Graph().as_default():
        with tf.variable_scope("net"):
            weights = slim.model_variable("weights", shape=[2, 3], initializer=tf.ones_initializer())
            counter = slim.variable("counter", shape=[], dtype=tf.int64, trainable=False,
                                    initializer=tf.zeros_initializer())
        with tf.variable_scope("head"):
            head = slim.model_variable("weights", shape=[3], initializer=tf.zeros_initializer())
        global_step = slim.get_or_create_global_step()
        assert slim.get_model_variables() == [weights, head]
        assert slim.get_trainable_variables() == [weights, head]
        assert slim.get_variables("net") == [weights, counter]
        assert slim.get_variables_by_name("weights") == [weights, head]
        assert slim.get_variables_by_suffix("counter") == [counter]
        assert slim.get_unique_variable("head/weights") is head
        assert slim.get_variables_to_restore() == [weights, counter, head, global_step]
        assert slim.get_variables_to_restore(include=["net"]) == [weights, counter]
        assert slim.get_variables_to_restore(exclude=["net", "global_step"]) == [head]
        assert slim.get_variables_to_restore(include=["net", "head"], exclude=["net/counter"]) == [weights, head]
        with pytest.raises(TypeError, match="include is provided but is not a list or a tuple"):
            slim.get_variables_to_restore(include="net")
        with pytest.raises(TypeError, match="exclude is provided but is not a list or a tuple"):
            slim.get_variables_to_restore(exclude="net")
        with pytest.raises(ValueError, match="Couldn't find variable nowhere"):
            slim.get_unique_variable("nowhere")


def test_arg_scope_on_model_variable_sets_its_defaults():
    with tf.Graph().as_default():
        with slim.arg_scope([slim.model_variable], initializer=tf.constant_initializer(4.0), trainable=False):
            value = slim.model_variable("v", shape=[2])
        assert value not in tf.trainable_variables()
        with tf.Session() as sess:
            sess.run(value.initializer)
            np.testing.assert_array_equal(sess.run(value), [4.0, 4.0])


# --- create_train_op ----------------------------------------------------------------------------------
def quadratic_problem():
    """loss = sum((x - target)**2) over two variables; its gradients are 2 * (x - target)."""
    a = tf.Variable([1.0, -2.0], name="a")
    b = tf.Variable([3.0], name="b")
    loss = tf.reduce_sum(tf.square(a - 4.0)) + tf.reduce_sum(tf.square(b))
    return a, b, loss


def test_create_train_op_returns_loss_steps_global_step_and_respects_update_ops():
    with tf.Graph().as_default():
        a, b, loss = quadratic_problem()
        counter = tf.Variable(0, name="counter")
        tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, tf.assign_add(counter, 1))
        train_op = slim.learning.create_train_op(loss, tf.train.GradientDescentOptimizer(0.1))
        # The optimizer adds its update op to TRAIN_OP too, as TF1's does.
        assert tf.get_collection(tf.GraphKeys.TRAIN_OP)[-1] is train_op
        global_step = tf.train.get_global_step()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            first = sess.run(train_op)
            values = sess.run([a, b, global_step, counter])
    assert first == pytest.approx(9.0 + 36.0 + 9.0)  # the loss before the update
    np.testing.assert_allclose(values[0], [1.0 - 0.1 * 2 * -3.0, -2.0 - 0.1 * 2 * -6.0], rtol=1e-6)
    np.testing.assert_allclose(values[1], [3.0 - 0.1 * 6.0], rtol=1e-6)
    assert values[2:] == [1, 1]


def test_create_train_op_multipliers_clipping_subset_and_no_global_step():
    with tf.Graph().as_default():
        a, b, loss = quadratic_problem()
        train_op = slim.learning.create_train_op(
            loss, tf.train.GradientDescentOptimizer(1.0), global_step=None, variables_to_train=[a],
            gradient_multipliers={"a": 0.5}, clip_gradient_norm=1.0, summarize_gradients=True)
        assert tf.train.get_global_step() is None
        tags = sorted(op.name for op in tf.get_collection(tf.GraphKeys.SUMMARIES))
        assert any("a/gradient_norm" in tag for tag in tags) and not any("/b/" in tag for tag in tags)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train_op)
            new_a, new_b = sess.run([a, b])
    gradient = 0.5 * 2 * (np.array([1.0, -2.0]) - 4.0)  # multiplied, then clipped to norm 1
    np.testing.assert_allclose(new_a, [1.0, -2.0] - gradient / np.linalg.norm(gradient), rtol=1e-5)
    np.testing.assert_allclose(new_b, [3.0])


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt")
def test_create_train_op_check_numerics_fails_a_nan_loss():
    with tf.Graph().as_default():
        x = tf.Variable(-1.0)
        train_op = slim.learning.create_train_op(tf.sqrt(x), tf.train.GradientDescentOptimizer(0.1))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            with pytest.raises(errors.InvalidArgumentError, match="LossTensor is inf or nan"):
                sess.run(train_op)


def test_create_train_op_errors():
    with tf.Graph().as_default():
        loss = tf.constant(1.0) * tf.Variable(1.0, trainable=False)
        with pytest.raises(ValueError, match="No variables to optimize"):
            slim.learning.create_train_op(loss, tf.train.GradientDescentOptimizer(0.1))
        with pytest.raises(ValueError, match="variables_to_train must be trainable variables; these are not"):
            slim.learning.create_train_op(loss, tf.train.GradientDescentOptimizer(0.1),
                                          variables_to_train=tf.global_variables())


def test_gradient_helpers_and_their_errors():
    with tf.Graph().as_default():
        var = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="table")
        sparse = tf.IndexedSlices(tf.constant([[3.0, 4.0]]), tf.constant([1]), tf.constant([2, 2]))
        dense = tf.constant([[0.0, 6.0], [8.0, 0.0]])
        (clipped_sparse, _), (clipped_dense, _), (none, _) = slim.learning.clip_gradient_norms(
            [(sparse, var), (dense, var), (None, var)], 2.0)
        assert isinstance(clipped_sparse, tf.IndexedSlices) and none is None
        multiplied = slim.learning.multiply_gradients([(sparse, var)], {var: 3.0})[0][0]
        with tf.Session() as sess:
            got = sess.run([clipped_sparse.values, clipped_dense, multiplied.values])
        np.testing.assert_allclose(got[0], [[1.2, 1.6]], rtol=1e-6)
        np.testing.assert_allclose(got[1], [[0.0, 1.2], [1.6, 0.0]], rtol=1e-6)
        np.testing.assert_allclose(got[2], [[9.0, 12.0]])
        with pytest.raises(ValueError, match="`gradient_multipliers` is empty"):
            slim.learning.multiply_gradients([(dense, var)], {})
        with pytest.raises(ValueError, match=r"Requested multiple of `None` gradient \(variable table\)"):
            slim.learning.multiply_gradients([(None, var)], {"table": 2.0})


# --- train and evaluate -------------------------------------------------------------------------------
def initial_loss():
    with tf.Graph().as_default():
        total_loss, _ = build_training_graph()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return sess.run(total_loss)


def event_tags(directory):
    tags = {}
    for path in glob.glob(os.path.join(directory, "events.out.tfevents.*")):
        for event in tf.train.summary_iterator(path):
            for value in event.summary.value:
                tags.setdefault(value.tag, []).append((event.step, value.simple_value))
    return tags


@pytest.fixture(scope="module")
def trained_logdir(tmp_path_factory):
    logdir = str(tmp_path_factory.mktemp("slim_train"))
    with tf.Graph().as_default():
        _, train_op = build_training_graph()
        final_loss = slim.learning.train(train_op, logdir, number_of_steps=40, log_every_n_steps=10,
                                         save_summaries_secs=600, save_interval_secs=600)
    return logdir, final_loss


def test_train_writes_checkpoint_and_events_and_lowers_the_loss(trained_logdir):
    logdir, final_loss = trained_logdir
    assert final_loss < 0.8 * initial_loss()
    checkpoint = tf.train.latest_checkpoint(logdir)
    assert checkpoint.endswith("model.ckpt-40")
    assert tf.train.load_variable(checkpoint, "global_step") == 40
    assert glob.glob(os.path.join(logdir, "events.out.tfevents.*"))
    # The summary thread ran at start-up, so the loss summary is in the event file.
    assert "losses/total_loss" in event_tags(logdir)


def test_train_resumes_from_the_logdir(trained_logdir, tmp_path):
    logdir, _ = trained_logdir
    resumed = str(tmp_path / "resumed")
    shutil.copytree(logdir, resumed)
    with tf.Graph().as_default():
        _, train_op = build_training_graph()
        slim.learning.train(train_op, resumed, number_of_steps=45, log_every_n_steps=0)
    assert tf.train.latest_checkpoint(resumed).endswith("model.ckpt-45")


def test_train_init_fn_warm_starts_from_another_checkpoint(trained_logdir, tmp_path):
    logdir, _ = trained_logdir
    checkpoint = tf.train.latest_checkpoint(logdir)
    seen = {}

    def inspect_step(sess, train_op, global_step, kwargs):
        if not seen:
            seen["conv1"] = sess.run(slim.get_variables_by_name("weights", scope="conv1")[0])
            seen["logits"] = sess.run(slim.get_variables_by_name("weights", scope="logits")[0])
        return slim.learning.train_step(sess, train_op, global_step, kwargs)

    with tf.Graph().as_default():
        _, train_op = build_training_graph()
        init_fn = slim.assign_from_checkpoint_fn(checkpoint, slim.get_variables_to_restore(include=["conv1"]))
        slim.learning.train(train_op, str(tmp_path), train_step_fn=inspect_step, init_fn=init_fn,
                            number_of_steps=1)
    np.testing.assert_array_equal(seen["conv1"], tf.train.load_variable(checkpoint, "conv1/weights"))
    assert not np.array_equal(seen["logits"], tf.train.load_variable(checkpoint, "logits/weights"))
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-1")


def test_train_without_logdir_writes_nothing_and_stops_at_number_of_steps(tmp_path):
    steps = []

    def counting_step(sess, train_op, global_step, kwargs):
        loss, should_stop = slim.learning.train_step(sess, train_op, global_step, kwargs)
        steps.append(loss)
        return loss, should_stop

    with tf.Graph().as_default():
        _, train_op = build_training_graph()
        final = slim.learning.train(train_op, None, train_step_fn=counting_step, number_of_steps=5)
    assert len(steps) == 5 and final == steps[-1] and steps[-1] < steps[0]


def test_train_ends_cleanly_at_the_end_of_the_input():
    with tf.Graph().as_default():
        dataset = tf.data.Dataset.from_tensor_slices((IMAGES, LABELS)).batch(8)
        images, labels = dataset.make_one_shot_iterator().get_next()
        logits = small_cnn(images)
        loss = slim.losses.sparse_softmax_cross_entropy(logits, labels)
        train_op = slim.learning.create_train_op(loss, tf.train.GradientDescentOptimizer(0.1))
        final = slim.learning.train(train_op, None)  # 4 batches, then OutOfRangeError ends training
    assert np.isfinite(final)


@pytest.mark.filterwarnings("ignore:The .meta graph leaves out")
def test_train_with_a_sync_replicas_optimizer_on_the_chief(tmp_path):
    with tf.Graph().as_default():
        logits = small_cnn(tf.constant(IMAGES))
        loss = slim.losses.sparse_softmax_cross_entropy(logits, tf.constant(LABELS))
        optimizer = tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(0.5), replicas_to_aggregate=1)
        train_op = slim.learning.create_train_op(loss, optimizer)
        final = slim.learning.train(train_op, str(tmp_path), number_of_steps=10, sync_optimizer=optimizer,
                                    log_every_n_steps=0)
    assert final < initial_loss()
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-10")


def test_train_traces_every_n_steps_into_the_event_file(tmp_path):
    with tf.Graph().as_default():
        _, train_op = build_training_graph()
        slim.learning.train(train_op, str(tmp_path), number_of_steps=5, trace_every_n_steps=2)
    tags = []
    for path in glob.glob(os.path.join(str(tmp_path), "events.out.tfevents.*")):
        tags += [event.tagged_run_metadata.tag for event in tf.train.summary_iterator(path)
                 if event.tagged_run_metadata.tag]
    assert sorted(tags) == ["run_metadata-0", "run_metadata-2", "run_metadata-4"]


def test_train_argument_errors(tmp_path):
    with tf.Graph().as_default():
        _, train_op = build_training_graph()
        with pytest.raises(ValueError, match="train_op cannot be None"):
            slim.learning.train(None, str(tmp_path))
        with pytest.raises(ValueError, match="Cannot provide summary_op because logdir=None"):
            slim.learning.train(train_op, None, summary_op=None)
        with pytest.raises(ValueError, match="Cannot provide saver because logdir=None"):
            slim.learning.train(train_op, None, saver=tf.train.Saver())
        with pytest.raises(ValueError, match="Cannot provide trace_every_n_steps because logdir=None"):
            slim.learning.train(train_op, None, trace_every_n_steps=1)
        with pytest.raises(ValueError, match="sync_optimizer must not be an empty list"):
            slim.learning.train(train_op, str(tmp_path), sync_optimizer=[])
        with tf.Session() as sess:
            with pytest.raises(ValueError, match="logdir must be present in train_step_kwargs"):
                slim.learning.train_step(sess, train_op, tf.train.get_global_step(),
                                         {"should_trace": tf.constant(True)})


def numpy_accuracy(checkpoint):
    """The trained small_cnn's accuracy on IMAGES, its forward pass done in NumPy with the checkpoint's
    weights (3x3 SAME convolution + ReLU, 2x2 max pool, flatten, dense)."""
    def value(name):
        return tf.train.load_variable(checkpoint, name).astype(np.float64)
    padded = np.pad(IMAGES.astype(np.float64), [(0, 0), (1, 1), (1, 1), (0, 0)])
    kernel = value("conv1/weights")
    conv = sum(padded[:, i:i + 6, j:j + 6, :] @ kernel[i, j] for i in range(3) for j in range(3))
    conv = np.maximum(conv + value("conv1/biases"), 0.0)
    pooled = conv.reshape(len(IMAGES), 3, 2, 3, 2, 4).max(axis=(2, 4))
    logits = pooled.reshape(len(IMAGES), -1) @ value("logits/weights") + value("logits/biases")
    return (np.argmax(logits, axis=1) == LABELS).mean()


def build_eval_graph():
    logits = small_cnn(tf.constant(IMAGES), is_training=False)
    names_to_values, names_to_updates = slim.metrics.aggregate_metric_map({
        "accuracy": slim.metrics.streaming_accuracy(tf.argmax(logits, 1), tf.constant(LABELS)),
        "count": slim.metrics.streaming_mean(tf.ones([4])),
    })
    tf.summary.scalar("eval/accuracy", names_to_values["accuracy"])
    return names_to_values, names_to_updates


def test_evaluate_once_computes_streaming_accuracy_from_the_checkpoint(trained_logdir, tmp_path):
    logdir, _ = trained_logdir
    checkpoint = tf.train.latest_checkpoint(logdir)
    expected = numpy_accuracy(checkpoint)
    eval_dir = str(tmp_path / "eval")
    with tf.Graph().as_default():
        names_to_values, names_to_updates = build_eval_graph()
        values = slim.evaluation.evaluate_once("", checkpoint, eval_dir, num_evals=3,
                                               eval_op=list(names_to_updates.values()), final_op=names_to_values)
    assert values["accuracy"] == pytest.approx(expected)
    assert values["count"] == 1.0
    assert event_tags(eval_dir)["eval/accuracy"] == [(40, pytest.approx(expected))]


def test_evaluate_once_runs_eval_op_num_evals_times(trained_logdir):
    logdir, _ = trained_logdir
    with tf.Graph().as_default():
        counter = tf.Variable(0, trainable=False, collections=[tf.GraphKeys.LOCAL_VARIABLES])
        small_cnn(tf.constant(IMAGES))
        got = slim.evaluation.evaluate_once("", tf.train.latest_checkpoint(logdir), None, num_evals=4,
                                            eval_op=tf.assign_add(counter, 1), final_op=counter, summary_op=None,
                                            variables_to_restore=slim.get_variables_to_restore(
                                                exclude=["global_step"]))
    assert got == 4
    with tf.Graph().as_default():  # eval_op as a dict of update ops
        counter = tf.Variable(0, trainable=False, collections=[tf.GraphKeys.LOCAL_VARIABLES])
        small_cnn(tf.constant(IMAGES))
        got = slim.evaluation.evaluate_once("", tf.train.latest_checkpoint(logdir), None, num_evals=3,
                                            eval_op={"count": tf.assign_add(counter, 2)}, final_op=[counter])
    assert got == [6]


def test_evaluation_loop_stops_after_max_evaluations_or_timeout(trained_logdir, tmp_path):
    logdir, _ = trained_logdir
    expected = numpy_accuracy(tf.train.latest_checkpoint(logdir))
    with tf.Graph().as_default():
        names_to_values, names_to_updates = build_eval_graph()
        values = slim.evaluation.evaluation_loop("", logdir, str(tmp_path / "loop"), num_evals=2,
                                                 eval_op=list(names_to_updates.values()),
                                                 final_op=names_to_values["accuracy"], eval_interval_secs=0,
                                                 max_number_of_evaluations=1)
    assert values == pytest.approx(expected)
    timeouts = []
    with tf.Graph().as_default():
        names_to_values, names_to_updates = build_eval_graph()
        values = slim.evaluation.evaluation_loop("", logdir, str(tmp_path / "loop2"),
                                                 eval_op=list(names_to_updates.values()),
                                                 final_op=names_to_values["accuracy"], eval_interval_secs=0,
                                                 timeout=0.2, timeout_fn=lambda: timeouts.append(1) or True)
    assert values == pytest.approx(expected) and timeouts == [1]


def test_evaluation_loop_without_checkpoints_returns_none_after_the_timeout(tmp_path):
    with tf.Graph().as_default():
        _, names_to_updates = build_eval_graph()
        assert slim.evaluation.evaluation_loop("", str(tmp_path), str(tmp_path), eval_op=names_to_updates,
                                               timeout=0.1) is None


def test_assign_from_checkpoint_fn_restores_a_scope(trained_logdir):
    logdir, _ = trained_logdir
    checkpoint = tf.train.latest_checkpoint(logdir)
    with tf.Graph().as_default():
        small_cnn(tf.constant(IMAGES))
        init_fn = slim.assign_from_checkpoint_fn(checkpoint, slim.get_variables_to_restore(include=["conv1"]))
        conv_weights = slim.get_variables_by_name("weights", scope="conv1")[0]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            init_fn(sess)
            np.testing.assert_array_equal(sess.run(conv_weights), tf.train.load_variable(checkpoint, "conv1/weights"))


def test_a_second_eval_step_in_the_graph_is_an_error(trained_logdir):
    logdir, _ = trained_logdir
    with tf.Graph().as_default():
        _, names_to_updates = build_eval_graph()
        for _ in range(2):
            tf.add_to_collection(tf.GraphKeys.EVAL_STEP, tf.Variable(0, collections=[]))
        with pytest.raises(ValueError, match="Multiple tensors added to tf.GraphKeys.EVAL_STEP"):
            slim.evaluation.evaluate_once("", tf.train.latest_checkpoint(logdir), None, eval_op=names_to_updates)


def test_model_analysis_sizes():
    with tf.Graph().as_default():
        small_cnn(tf.placeholder(tf.float32, [None, 6, 6, 1]))
        total, total_bytes = slim.model_analysis.analyze_vars(slim.get_model_variables())
        assert (total, total_bytes) == (3 * 3 * 4 + 4 + 36 * 2 + 2, 4 * (3 * 3 * 4 + 4 + 36 * 2 + 2))
        assert slim.model_analysis.tensor_description(tf.placeholder(tf.int64, [None, 3])) == "(int64 ?x3)"
        assert slim.model_analysis.analyze_ops(tf.get_default_graph()) > total


# --- summaries ----------------------------------------------------------------------------------------
def test_summaries_helpers_names_and_values():
    with tf.Graph().as_default():
        tensor = tf.constant([0.0, 1.0, 0.0, 2.0], name="acts")
        scalar = slim.summaries.add_scalar_summary(tf.reduce_sum(tensor), name="total", prefix="stats")
        zeros = slim.summaries.add_zero_fraction_summary(tensor, prefix="stats")
        histograms = slim.summaries.add_histogram_summaries([tensor], prefix="h")
        printed = slim.summaries.add_scalar_summaries([tf.reduce_max(tensor, name="peak")], print_summary=True)
        with tf.Session() as sess:
            summaries = [tf.Summary.FromString(blob) for blob in sess.run([scalar, zeros] + histograms + printed)]
    # The tag is the summary's unique name scope: 'peak' is taken by the reduce_max op itself.
    assert [s.value[0].tag for s in summaries] == ["stats/total", "stats/acts/Fraction_of_Zero_Values", "h/acts",
                                                    "peak_1"]
    assert summaries[0].value[0].simple_value == 3.0
    assert summaries[1].value[0].simple_value == 0.5
    assert summaries[3].value[0].simple_value == 2.0


# --- numflow run -------------------------------------------------------------------------------------
SLIM_SCRIPT = textwrap.dedent("""\
    import numpy as np
    import tensorflow as tf
    import tensorflow.contrib.slim as slim
    from tensorflow.contrib.slim import arg_scope

    x = np.random.RandomState(0).rand(16, 4).astype(np.float32)
    y = (x.sum(axis=1) > 2).astype(np.int64)
    with arg_scope([slim.fully_connected], activation_fn=tf.nn.relu):
        net = slim.fully_connected(tf.constant(x), 8, scope="fc1")
        logits = slim.fully_connected(net, 2, activation_fn=None, scope="fc2")
    slim.losses.softmax_cross_entropy(logits, tf.one_hot(y, 2))
    total_loss = slim.losses.get_total_loss()
    optimizer = tf.train.GradientDescentOptimizer(learning_rate=0.5)
    train_op = slim.learning.create_train_op(total_loss, optimizer)
    final_loss = slim.learning.train(train_op, None, number_of_steps=20, log_every_n_steps=0)
    print("slim", slim.__name__, tf.contrib.slim is slim, "loss", final_loss < 0.7)
""")


def test_numflow_run_resolves_tensorflow_contrib_slim(tmp_path):
    script = tmp_path / "slim_script.py"
    script.write_text(SLIM_SCRIPT)
    out = subprocess.run([sys.executable, "-m", "numflow", "run", str(script)], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "slim numflow.contrib.slim True loss True"
