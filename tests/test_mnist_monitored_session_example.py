"""examples/mnist_monitored_session.py: trains without a download, and a second run resumes."""
import os
import re

from test_examples import ok, run_example
from test_mnist_loader import write_tiny_mnist

SCRIPT = "mnist_monitored_session.py"


def accuracy_of(stdout):
    return float(re.search(r"^test accuracy: ([0-9.]+)$", stdout, re.M).group(1))


def test_trains_on_synthetic_data_and_resumes_from_its_checkpoint(tmp_path):
    checkpoints = tmp_path / "ckpt"
    args = ["--synthetic", "--checkpoint-dir", checkpoints, "--steps", "30", "--log-every", "10", "--save-every", "10"]
    first = ok(run_example(SCRIPT, *args))
    assert "data: synthetic" in first
    assert "no checkpoint found: starting from global step 0" in first
    assert "global step: 30 (trained 30 steps in this run)" in first
    assert accuracy_of(first) > 0.5                       # ten classes: chance is 0.1
    out = run_example(SCRIPT, *args, via_numflow=True)
    second = ok(out)
    assert "restored global step: 30" in second
    assert "global step: 60 (trained 30 steps in this run)" in second
    assert "latest checkpoint: %s" % os.path.join(str(checkpoints), "model.ckpt-60") in second
    # LoggingTensorHook's lines go to tf.logging (stderr), as the tensorflow logger under numflow run: steps
    # 30, 40, 50 of the second run
    logged_steps = re.findall(r"INFO:tensorflow:loss = [0-9.e-]+, step = (\d+)", out.stderr)
    assert logged_steps == ["30", "40", "50"]
    assert sorted(name for name in os.listdir(str(checkpoints)) if name.endswith(".index")) == \
        ["model.ckpt-%d.index" % step for step in (20, 30, 40, 50, 60)]
    assert any(name.startswith("events.out.tfevents") for name in os.listdir(str(checkpoints)))


def test_reads_mnist_files_from_the_data_dir(tmp_path):
    data = write_tiny_mnist(tmp_path / "mnist", n_train=40, n_test=10)
    stdout = ok(run_example(SCRIPT, "--data-dir", data, "--checkpoint-dir", tmp_path / "ckpt", "--steps", "3",
                            "--batch-size", "8"))
    assert "data: MNIST from %s" % data in stdout
    assert 0.0 <= accuracy_of(stdout) <= 1.0


def test_a_folder_without_mnist_falls_back_to_synthetic_data(tmp_path):
    stdout = ok(run_example(SCRIPT, "--data-dir", tmp_path / "empty", "--checkpoint-dir", tmp_path / "ckpt",
                            "--steps", "2", env={"NUMFLOW_NO_DOWNLOAD": "1"}))
    assert "MNIST files not found in %s; using synthetic data" % (tmp_path / "empty") in stdout
    assert "data: synthetic" in stdout


def test_rejects_a_non_positive_step_count(tmp_path):
    out = run_example(SCRIPT, "--synthetic", "--steps", "0", "--checkpoint-dir", tmp_path)
    assert out.returncode == 2 and "--steps must be positive" in out.stderr
