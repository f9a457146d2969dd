"""tf.estimator: the Estimator's train/evaluate/predict cycle over checkpoints, EstimatorSpec checks,
train_and_evaluate, the numpy input_fn, the canned estimators and the MNIST example."""
import glob
import logging
import os
import warnings

import numpy as np
import pytest

import numflow as tf
from test_examples import ok, run_example
from test_mnist_loader import write_tiny_mnist

fc = tf.feature_column
MNIST = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "datasets", "mnist")

# Two features, a linearly separable label (x0 + x1 > 0), and a line to regress (3 x0 - 2 x1 + 1).
RNG = np.random.RandomState(0)
X = RNG.uniform(-1, 1, size=(64, 2)).astype(np.float32)
X = X[np.abs(X.sum(1)) > 0.2]
LABELS = (X.sum(1) > 0).astype(np.int64)
TARGETS = (3 * X[:, 0] - 2 * X[:, 1] + 1).astype(np.float32)


@pytest.fixture(autouse=True)
def quiet_meta_graph_warning():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The .meta graph leaves out")
        yield


def config(tmp_path, **kwargs):
    kwargs.setdefault("tf_random_seed", 7)
    return tf.estimator.RunConfig(model_dir=str(tmp_path / "model"), **kwargs)


def full_batch_input_fn():
    """The same whole batch every step: a deterministic input for resume tests."""
    return tf.data.Dataset.from_tensors(({"x": X}, LABELS.astype(np.float32))).repeat()


def logistic_model_fn(features, labels, mode, params):
    """A hand-written logistic regression: w [2, 1], b [1]; accuracy and the mean loss as metrics."""
    w = tf.get_variable("w", [2, 1], initializer=tf.random_normal_initializer(seed=1))
    b = tf.get_variable("b", [1], initializer=tf.zeros_initializer())
    logits = tf.squeeze(tf.matmul(features["x"], w) + b, 1)
    probability = tf.sigmoid(logits)
    predictions = {"probability": probability, "class": tf.cast(probability > 0.5, tf.int64)}
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=predictions)
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))
    train_op = tf.train.GradientDescentOptimizer(params["learning_rate"]).minimize(
        loss, global_step=tf.train.get_global_step())
    metrics = {"accuracy": tf.metrics.accuracy(labels, predictions["class"])}
    return tf.estimator.EstimatorSpec(mode, predictions=predictions, loss=loss, train_op=train_op,
                                      eval_metric_ops=metrics)


def logistic_estimator(tmp_path, **config_kwargs):
    return tf.estimator.Estimator(logistic_model_fn, config=config(tmp_path, **config_kwargs),
                                  params={"learning_rate": 0.5})


def test_interrupted_training_resumes_to_the_same_variables(tmp_path):
    interrupted = logistic_estimator(tmp_path / "a")
    assert interrupted.train(full_batch_input_fn, steps=3) is interrupted
    assert interrupted.get_variable_value("global_step") == 3
    interrupted.train(full_batch_input_fn, steps=3)
    straight = logistic_estimator(tmp_path / "b").train(full_batch_input_fn, steps=6)
    for name in ("w", "b", "global_step"):
        np.testing.assert_array_equal(interrupted.get_variable_value(name), straight.get_variable_value(name))
    assert straight.get_variable_value("global_step") == 6
    assert sorted(straight.get_variable_names()) == ["b", "global_step", "w"]
    assert straight.latest_checkpoint().endswith("model.ckpt-6")


def test_max_steps_already_reached_is_a_no_op_with_tf_log_line(tmp_path, caplog):
    estimator = logistic_estimator(tmp_path).train(full_batch_input_fn, max_steps=4)
    before = estimator.get_variable_value("w")
    with caplog.at_level(logging.INFO, logger=tf.logging.get_logger().name):
        estimator.train(full_batch_input_fn, max_steps=4)
    assert "Skipping training since max_steps has already saved." in caplog.text
    np.testing.assert_array_equal(estimator.get_variable_value("w"), before)
    estimator.train(full_batch_input_fn, max_steps=6)
    assert estimator.get_variable_value("global_step") == 6


def test_end_of_input_ends_training_and_logs_loss(tmp_path, caplog):
    estimator = logistic_estimator(tmp_path, log_step_count_steps=1)
    input_fn = tf.estimator.inputs.numpy_input_fn({"x": X}, LABELS.astype(np.float32), batch_size=20,
                                                  shuffle=False, num_epochs=1)
    with caplog.at_level(logging.INFO, logger=tf.logging.get_logger().name):
        estimator.train(input_fn)
    assert estimator.get_variable_value("global_step") == -(-len(X) // 20)
    assert "loss = " in caplog.text and "Loss for final step:" in caplog.text
    tags = set()
    for path in glob.glob(os.path.join(estimator.model_dir, "events.out.tfevents.*")):
        for event in tf.summary.summary_iterator(path):
            tags.update(value.tag for value in event.summary.value)
    assert {"loss", "global_step/sec"} <= tags


def test_evaluate_metrics_equal_numpy(tmp_path):
    estimator = logistic_estimator(tmp_path).train(full_batch_input_fn, steps=5)
    input_fn = tf.estimator.inputs.numpy_input_fn({"x": X}, LABELS.astype(np.float32), batch_size=16,
                                                  shuffle=False)
    results = estimator.evaluate(input_fn, name="holdout")
    w, b = estimator.get_variable_value("w"), estimator.get_variable_value("b")
    logits = X @ w[:, 0] + b[0]
    per_example = np.maximum(logits, 0) - logits * LABELS + np.log1p(np.exp(-np.abs(logits)))
    batch_means = [per_example[i:i + 16].mean() for i in range(0, len(X), 16)]
    assert set(results) == {"accuracy", "loss", "global_step"} and results["global_step"] == 5
    np.testing.assert_allclose(results["loss"], np.mean(batch_means), rtol=1e-5)   # a mean of batch losses
    np.testing.assert_allclose(results["accuracy"], np.mean((logits > 0) == LABELS), rtol=1e-6)
    events = glob.glob(os.path.join(estimator.model_dir, "eval_holdout", "events.out.tfevents.*"))
    values = {v.tag: v.simple_value for path in events for e in tf.summary.summary_iterator(path)
              for v in e.summary.value}
    np.testing.assert_allclose(values["accuracy"], results["accuracy"], rtol=1e-6)
    limited = estimator.evaluate(input_fn, steps=2)
    np.testing.assert_allclose(limited["loss"], np.mean(batch_means[:2]), rtol=1e-5)
    with pytest.raises(ValueError, match="Must specify steps > 0, given: 0"):
        estimator.evaluate(input_fn, steps=0)


def test_evaluate_without_checkpoint_and_variable_reads_fail_clearly(tmp_path):
    estimator = logistic_estimator(tmp_path)
    with pytest.raises(ValueError, match="Could not find trained model in model_dir"):
        estimator.evaluate(full_batch_input_fn, steps=1)
    with pytest.raises(ValueError, match="Could not find trained model in model_dir"):
        estimator.get_variable_value("w")


def test_predict_yields_per_example_dicts(tmp_path):
    estimator = logistic_estimator(tmp_path).train(full_batch_input_fn, steps=5)
    input_fn = tf.estimator.inputs.numpy_input_fn({"x": X[:10]}, batch_size=4, shuffle=False)
    predictions = list(estimator.predict(input_fn))
    assert len(predictions) == 10 and set(predictions[0]) == {"probability", "class"}
    w, b = estimator.get_variable_value("w"), estimator.get_variable_value("b")
    expected = 1 / (1 + np.exp(-(X[:10] @ w[:, 0] + b[0])))
    np.testing.assert_allclose([p["probability"] for p in predictions], expected, rtol=1e-5)
    only = list(estimator.predict(input_fn, predict_keys=["class"]))
    assert set(only[0]) == {"class"} and [p["class"] for p in only] == list((expected > 0.5).astype(int))
    batches = list(estimator.predict(input_fn, yield_single_examples=False))
    assert [len(batch["class"]) for batch in batches] == [4, 4, 2]
    with pytest.raises(ValueError, match="Expected to run at least one output from"):
        next(estimator.predict(input_fn, predict_keys=["nope"]))


def test_predict_single_tensor_and_without_checkpoint(tmp_path, caplog):
    def model_fn(features, mode):
        scale = tf.get_variable("scale", [], initializer=tf.constant_initializer(2.0))
        return tf.estimator.EstimatorSpec(mode, predictions=features["x"][:, 0] * scale)
    estimator = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path))
    with caplog.at_level(logging.INFO, logger=tf.logging.get_logger().name):
        values = list(estimator.predict(lambda: tf.data.Dataset.from_tensor_slices({"x": X[:5]}).batch(2)))
    assert "running initialization to predict" in caplog.text
    np.testing.assert_allclose(values, X[:5, 0] * 2.0, rtol=1e-6)


def test_model_fn_and_spec_errors_name_what_is_wrong(tmp_path):
    def spec_of(**kwargs):
        def model_fn(features, labels, mode):
            w = tf.get_variable("w", [2, 1])
            loss = tf.reduce_sum(tf.matmul(features["x"], w))
            fields = {"loss": loss, "train_op": tf.assign_add(tf.train.get_global_step(), 1)}
            fields.update({key: (value(loss) if callable(value) else value) for key, value in kwargs.items()})
            return tf.estimator.EstimatorSpec(mode, **fields)
        return tf.estimator.Estimator(model_fn, model_dir=str(tmp_path))
    with pytest.raises(ValueError, match="Missing train_op"):
        spec_of(train_op=None).train(full_batch_input_fn, steps=1)
    with pytest.raises(ValueError, match="Missing loss"):
        spec_of(loss=None).train(full_batch_input_fn, steps=1)
    with pytest.raises(ValueError, match="Loss must be scalar"):
        spec_of(loss=lambda loss: tf.stack([loss, loss])).train(full_batch_input_fn, steps=1)
    with pytest.raises(TypeError, match="eval_metric_ops must be a dict"):
        spec_of(eval_metric_ops=[1]).train(full_batch_input_fn, steps=1)
    with pytest.raises(TypeError, match="All hooks must be SessionRunHook instances"):
        spec_of(training_hooks=[object()]).train(full_batch_input_fn, steps=1)
    with pytest.raises(ValueError, match="model_fn should return an EstimatorSpec"):
        tf.estimator.Estimator(lambda features: {"loss": 1}, model_dir=str(tmp_path)).predict(
            lambda: {"x": tf.constant(X)}).__next__()
    with pytest.raises(ValueError, match="Missing predictions"):
        tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.PREDICT)
    with pytest.raises(ValueError, match="must include features argument"):
        tf.estimator.Estimator(lambda inputs, labels: None)
    with pytest.raises(ValueError, match="does not include params argument, but params"):
        tf.estimator.Estimator(lambda features, labels: None, params={"a": 1})
    with pytest.raises(ValueError, match="model_fn does not take labels, but input_fn returns labels"):
        tf.estimator.Estimator(lambda features, mode: None, model_dir=str(tmp_path)).train(
            full_batch_input_fn, steps=1)
    estimator = logistic_estimator(tmp_path)
    with pytest.raises(ValueError, match="Can not provide both steps and max_steps"):
        estimator.train(full_batch_input_fn, steps=1, max_steps=2)
    with pytest.raises(ValueError, match="Must specify steps > 0"):
        estimator.train(full_batch_input_fn, steps=0)
    with pytest.raises(ValueError, match="An input_receiver_fn must be defined"):
        estimator.export_saved_model(str(tmp_path), None)
    with pytest.raises(ValueError, match="An input_receiver_fn must be defined"):
        estimator.export_savedmodel(str(tmp_path), None)


def test_run_config_and_model_dir(tmp_path, caplog):
    with pytest.raises(ValueError, match="Can not provide both save_checkpoints_steps and save_checkpoints_secs"):
        tf.estimator.RunConfig(save_checkpoints_steps=10, save_checkpoints_secs=10)
    default = tf.estimator.RunConfig()
    assert (default.save_checkpoints_secs, default.save_checkpoints_steps, default.save_summary_steps,
            default.keep_checkpoint_max, default.log_step_count_steps) == (600, None, 100, 5, 100)
    replaced = default.replace(save_checkpoints_steps=3)
    assert (replaced.save_checkpoints_steps, replaced.save_checkpoints_secs) == (3, None)
    with caplog.at_level(logging.INFO, logger=tf.logging.get_logger().name):
        estimator = tf.estimator.Estimator(logistic_model_fn, params={})
    assert os.path.isdir(estimator.model_dir) and "Using temporary folder as model directory" in caplog.text
    with pytest.raises(ValueError, match="`model_dir` are set both in constructor and `RunConfig`"):
        tf.estimator.Estimator(logistic_model_fn, model_dir=str(tmp_path / "a"), params={},
                               config=tf.estimator.RunConfig(model_dir=str(tmp_path / "b")))


def test_train_and_evaluate_evaluates_after_checkpoints(tmp_path):
    estimator = logistic_estimator(tmp_path, save_checkpoints_steps=4)
    evaluated_steps = []

    class Recorder(tf.train.SessionRunHook):
        def end(self, session):
            evaluated_steps.append(int(session.run(tf.train.get_global_step())))
    eval_input_fn = tf.estimator.inputs.numpy_input_fn({"x": X}, LABELS.astype(np.float32), batch_size=64,
                                                       shuffle=False)
    result, exports = tf.estimator.train_and_evaluate(
        estimator, tf.estimator.TrainSpec(full_batch_input_fn, max_steps=10),
        tf.estimator.EvalSpec(eval_input_fn, steps=None, hooks=[Recorder()], throttle_secs=0))
    assert result["global_step"] == 10 and exports == [] and evaluated_steps == [4, 8, 10]
    again = tf.estimator.train_and_evaluate(estimator, tf.estimator.TrainSpec(full_batch_input_fn, max_steps=10),
                                            tf.estimator.EvalSpec(eval_input_fn))
    assert again == (None, [])                         # nothing left to train, as TF's local executor
    with pytest.raises(TypeError, match="`estimator` must have type `tf.estimator.Estimator`"):
        tf.estimator.train_and_evaluate(None, None, None)
    with pytest.raises(ValueError, match="Must specify max_steps > 0"):
        tf.estimator.TrainSpec(full_batch_input_fn, max_steps=0)
    with pytest.raises(TypeError, match="`input_fn` must be callable"):
        tf.estimator.EvalSpec(3)
    with pytest.raises(ValueError, match="Must specify throttle_secs >= 0"):
        tf.estimator.EvalSpec(eval_input_fn, throttle_secs=-1)


def test_numpy_input_fn_batches_and_errors():
    with pytest.raises(ValueError, match="shuffle must be provided and explicitly set as boolean"):
        tf.estimator.inputs.numpy_input_fn({"x": X}, LABELS)
    with pytest.raises(ValueError, match="Length of tensors in x and y is mismatched"):
        tf.estimator.inputs.numpy_input_fn({"x": X}, LABELS[:3], shuffle=False)
    with pytest.raises(ValueError, match="duplicate keys are found in both x and y"):
        tf.estimator.inputs.numpy_input_fn({"x": X}, {"x": LABELS}, shuffle=False)
    with pytest.raises(ValueError, match="x must be a dict or array"):
        tf.estimator.inputs.numpy_input_fn([1, 2], shuffle=False)
    values = np.arange(10)
    with tf.Graph().as_default():
        features, labels = tf.estimator.inputs.numpy_input_fn({"v": values}, values * 2, batch_size=4,
                                                              num_epochs=2, shuffle=False)()
        seen = []
        with tf.Session() as sess:
            with pytest.raises(tf.errors.OutOfRangeError):
                while True:
                    got_features, got_labels = sess.run([features, labels])
                    np.testing.assert_array_equal(got_labels, got_features["v"] * 2)
                    seen.append(got_features["v"].tolist())
    assert seen == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 1], [2, 3, 4, 5], [6, 7, 8, 9]]


def test_pandas_input_fn():
    try:
        import pandas as pd
    except ImportError:
        with pytest.raises(ImportError, match="pip install pandas"):
            tf.estimator.inputs.pandas_input_fn(None, shuffle=False)
        return
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [4, 5, 6]})
    with tf.Graph().as_default():
        features, labels = tf.estimator.inputs.pandas_input_fn(frame, pd.Series([7, 8, 9]), batch_size=2,
                                                               shuffle=False)()
        with tf.Session() as sess:
            got_features, got_labels = sess.run([features, labels])
    assert got_features["a"].tolist() == [1.0, 2.0] and got_labels.tolist() == [7, 8]
    with pytest.raises(ValueError, match="Index for x and y are mismatched"):
        tf.estimator.inputs.pandas_input_fn(frame, pd.Series([1, 2, 3], index=[5, 6, 7]), shuffle=False)


def numpy_fns(targets, batch_size=16):
    features = {"x0": X[:, 0], "x1": X[:, 1]}
    train = tf.estimator.inputs.numpy_input_fn(features, targets, batch_size=batch_size, num_epochs=None,
                                               shuffle=True)
    evaluate = tf.estimator.inputs.numpy_input_fn(features, targets, batch_size=64, shuffle=False)
    return train, evaluate


COLUMNS = [fc.numeric_column("x0"), fc.numeric_column("x1")]


def test_dnn_classifier_learns_separable_problem_with_tf_names(tmp_path):
    train, evaluate = numpy_fns(LABELS)
    classifier = tf.estimator.DNNClassifier([8], COLUMNS, config=config(tmp_path), optimizer="Adagrad")
    classifier.train(train, steps=150)
    metrics = classifier.evaluate(evaluate)
    assert metrics["accuracy"] == 1.0
    assert set(metrics) == {"accuracy", "accuracy_baseline", "auc", "auc_precision_recall", "average_loss", "loss",
                            "label/mean", "prediction/mean", "precision", "recall", "global_step"}
    np.testing.assert_allclose(metrics["label/mean"], LABELS.mean(), rtol=1e-6)
    np.testing.assert_allclose(metrics["accuracy_baseline"], max(LABELS.mean(), 1 - LABELS.mean()), rtol=1e-6)
    # loss reduction SUM: 'loss' is the per-batch sum, 'average_loss' the per-example mean (one batch here)
    np.testing.assert_allclose(metrics["loss"], metrics["average_loss"] * len(X), rtol=1e-4)
    assert {"dnn/hiddenlayer_0/kernel", "dnn/hiddenlayer_0/bias", "dnn/logits/kernel", "dnn/logits/bias",
            "global_step"} <= set(classifier.get_variable_names())
    prediction = next(classifier.predict(evaluate))
    assert set(prediction) == {"logits", "logistic", "probabilities", "class_ids", "classes", "all_class_ids",
                               "all_classes"}
    assert prediction["classes"][0] == str(LABELS[0]).encode() and prediction["probabilities"].shape == (2,)


def test_linear_classifier_multiclass_with_label_vocabulary(tmp_path):
    classes = np.where(X[:, 0] > 0.3, "big", np.where(X[:, 0] < -0.3, "small", "mid")).astype(object)
    keep = np.abs(np.abs(X[:, 0]) - 0.3) > 0.08
    features = {"x0": X[keep, 0], "x1": X[keep, 1]}
    train = tf.estimator.inputs.numpy_input_fn(features, classes[keep], batch_size=16, num_epochs=None, shuffle=True)
    evaluate = tf.estimator.inputs.numpy_input_fn(features, classes[keep], batch_size=64, shuffle=False)
    classifier = tf.estimator.LinearClassifier(
        [fc.bucketized_column(fc.numeric_column("x0"), [-0.3, 0.3]), fc.numeric_column("x1")], n_classes=3,
        label_vocabulary=["small", "mid", "big"], config=config(tmp_path))
    classifier.train(train, steps=100)
    metrics = classifier.evaluate(evaluate)
    assert metrics["accuracy"] == 1.0 and set(metrics) == {"accuracy", "average_loss", "loss", "global_step"}
    predicted = [p["classes"][0] for p in classifier.predict(evaluate)]
    assert predicted == [c.encode() for c in classes[keep]]
    assert "linear/linear_model/x0_bucketized/weights" in classifier.get_variable_names()
    with pytest.raises(ValueError, match="Length of label_vocabulary must be equal to n_classes"):
        tf.estimator.LinearClassifier(COLUMNS, n_classes=3, label_vocabulary=["a", "b"])


def test_linear_regressor_fits_a_line(tmp_path):
    train, evaluate = numpy_fns(TARGETS)
    regressor = tf.estimator.LinearRegressor(COLUMNS, config=config(tmp_path))
    regressor.train(train, steps=300)
    metrics = regressor.evaluate(evaluate)
    assert metrics["average_loss"] < 1e-3 and set(metrics) == {"average_loss", "loss", "label/mean",
                                                                 "prediction/mean", "global_step"}
    np.testing.assert_allclose(regressor.get_variable_value("linear/linear_model/x0/weights"), [[3.0]], atol=0.05)
    np.testing.assert_allclose(regressor.get_variable_value("linear/linear_model/bias_weights"), [1.0], atol=0.05)
    predictions = [p["predictions"][0] for p in regressor.predict(evaluate)]
    np.testing.assert_allclose(predictions, TARGETS, atol=0.1)


def test_dnn_regressor_and_wide_and_deep_classifier(tmp_path):
    train, evaluate = numpy_fns(TARGETS)
    regressor = tf.estimator.DNNRegressor([8], COLUMNS, config=config(tmp_path / "r"),
                                          optimizer=lambda: tf.train.AdamOptimizer(0.05))
    regressor.train(train, steps=200)
    assert regressor.evaluate(evaluate)["average_loss"] < 0.05
    train, evaluate = numpy_fns(LABELS)
    combined = tf.estimator.DNNLinearCombinedClassifier(
        linear_feature_columns=COLUMNS, dnn_feature_columns=COLUMNS, dnn_hidden_units=[4],
        dnn_optimizer=tf.train.AdagradOptimizer(0.1), config=config(tmp_path / "c"))
    combined.train(train, steps=100)
    assert combined.evaluate(evaluate)["accuracy"] == 1.0
    names = combined.get_variable_names()
    assert "dnn/logits/kernel" in names and "linear/linear_model/x0/weights" in names
    assert combined.get_variable_value("global_step") == 100
    with pytest.raises(ValueError, match="Either linear_feature_columns or dnn_feature_columns must be defined"):
        tf.estimator.DNNLinearCombinedClassifier()
    with pytest.raises(ValueError, match="Unsupported optimizer name: Nope"):
        tf.estimator.DNNClassifier([2], COLUMNS, optimizer="Nope", config=config(tmp_path / "n")).train(
            train, steps=1)
    with pytest.raises(ValueError, match="features should be a dictionary of `Tensor`s"):
        tf.estimator.DNNClassifier([2], COLUMNS, config=config(tmp_path / "f")).train(
            lambda: (tf.constant(X), tf.constant(LABELS)), steps=1)


def test_canned_estimator_reports_missing_feature_by_column_and_key(tmp_path):
    classifier = tf.estimator.DNNClassifier([2], [fc.numeric_column("age")], config=config(tmp_path))
    with pytest.raises(ValueError, match=r"Feature age is not in features dictionary \(needed by feature column"):
        classifier.train(lambda: ({"x0": tf.constant(X[:, 0])}, tf.constant(LABELS)), steps=1)


def test_mnist_estimator_example_on_tiny_files(tmp_path):
    folder = write_tiny_mnist(tmp_path / "mnist", n_train=100, n_test=20, compress=False)
    stdout = ok(run_example("mnist_estimator.py", "--data-dir", folder, "--steps", "20", "--batch-size", "20",
                            "--model-dir", str(tmp_path / "model")))
    lines = stdout.strip().splitlines()
    assert lines[-2].startswith("global step 20,") and lines[-1].startswith("test accuracy ")
    stdout = ok(run_example("mnist_estimator.py", "--data-dir", folder, "--steps", "5", "--batch-size", "20",
                            "--model-dir", str(tmp_path / "model")))
    assert stdout.strip().splitlines()[-2].startswith("global step 25,")        # resumed from the checkpoint


@pytest.mark.skipif(not os.path.exists(os.path.join(MNIST, "train-images-idx3-ubyte.gz")),
                    reason="the MNIST files are not in ../shared/datasets/mnist (a fresh clone has none)")
def test_mnist_estimator_example_reaches_tutorial_accuracy(tmp_path):
    stdout = ok(run_example("mnist_estimator.py", "--data-dir", MNIST, "--model-dir", str(tmp_path),
                            env={"OPENBLAS_NUM_THREADS": "1"}))
    assert float(stdout.strip().splitlines()[-1].split()[-1]) >= 0.96, stdout
