"""The tf.data MNIST example: a full run on the real files when present, a short one on tiny files always."""
import os

import pytest

from test_examples import ok, run_example
from test_mnist_loader import write_tiny_mnist

MNIST = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "datasets", "mnist")


def test_mnist_dataset_example_on_tiny_files(tmp_path):
    folder = write_tiny_mnist(tmp_path / "mnist", n_train=250, n_test=30, compress=False)
    stdout = ok(run_example("mnist_dataset.py", "--data-dir", folder, "--epochs", "2", "--batch-size", "50",
                            env={"NUMFLOW_NO_TQDM": "1"}))
    lines = stdout.strip().splitlines()
    assert any(line.startswith("epoch 2: test accuracy") for line in lines)
    assert lines[-1].startswith("test accuracy ")


@pytest.mark.skipif(not os.path.exists(os.path.join(MNIST, "train-images-idx3-ubyte.gz")),
                    reason="the MNIST files are not in ../shared/datasets/mnist (a fresh clone has none)")
def test_mnist_dataset_example_reaches_tutorial_accuracy():
    stdout = ok(run_example("mnist_dataset.py", "--data-dir", MNIST, "--epochs", "2", via_numflow=True,
                            env={"NUMFLOW_NO_TQDM": "1", "OPENBLAS_NUM_THREADS": "1"}))
    accuracy = float(stdout.strip().splitlines()[-1].split()[-1])
    assert accuracy >= 0.96, stdout
