"""The examples in examples/ run, as plain scripts and through `numflow run`, on tiny inputs."""
import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

from numflow.examples import helpers
from test_mnist_loader import write_tiny_mnist

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "examples")


def run_example(name, *args, via_numflow=False, env=None, cwd=None):
    script = os.path.join(EXAMPLES, name)
    cmd = [sys.executable] + (["-m", "numflow", "run"] if via_numflow else []) + [script] + [str(a) for a in args]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=cwd,
                         env=dict(os.environ, **(env or {})))
    return out


def ok(out):
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


@pytest.mark.parametrize("via_numflow", [False, True])
def test_intro(via_numflow):
    stdout = ok(run_example("intro.py", via_numflow=via_numflow))
    assert "Hello, numflow!" in stdout and "a * b = 20" in stdout and "3 + 4 = 7.0" in stdout


def test_quadratic():
    stdout = ok(run_example("quadratic.py", "--steps", "1000", via_numflow=True))
    assert stdout.strip().splitlines()[-1].startswith("w = 5.00")


def test_logic_functions_learns_all_four_with_the_plain_progress_bar():
    out = run_example("logic_functions.py", "--steps", "300", env={"NUMFLOW_NO_TQDM": "1"})
    stdout = ok(out)
    assert "learned 4 of 4 logic functions (mean accuracy 1.000)" in stdout
    assert "xor: 100%|" in out.stderr and "300/300" in out.stderr


@pytest.fixture(scope="module")
def tiny_mnist(tmp_path_factory):
    # just over the default 5000 validation examples, so the examples' defaults work unchanged
    return write_tiny_mnist(tmp_path_factory.mktemp("mnist"), n_train=5030, n_test=20, compress=False)


def test_mnist_softmax_on_tiny_data(tiny_mnist, tmp_path):
    args = ["--data-dir", tiny_mnist, "--steps", "5", "--batch-size", "10", "--seed", "1"]
    if importlib.util.find_spec("matplotlib") is not None:
        args += ["--plot-weights", tmp_path / "w.png"]
    stdout = ok(run_example("mnist_softmax.py", *args, via_numflow=True))
    assert "test accuracy: " in stdout
    if "--plot-weights" in args:
        assert (tmp_path / "w.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_mnist_mlp_on_tiny_data(tiny_mnist):
    stdout = ok(run_example("mnist_mlp.py", "--data-dir", tiny_mnist, "--steps", "5", "--seed", "2"))
    assert "validation accuracy: " in stdout and "test accuracy: " in stdout


def test_mnist_example_without_data_names_the_folder(tmp_path):
    out = run_example("mnist_softmax.py", "--data-dir", tmp_path / "empty", env={"NUMFLOW_NO_DOWNLOAD": "1"})
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "error: MNIST data not found" in out.stderr and str(tmp_path / "empty") in out.stderr
    assert not (tmp_path / "empty").exists()


def write_tiny_signs(folder, n_train=12, n_test=6, side=8):
    h5py = pytest.importorskip("h5py", reason="h5py (numflow-tf1[hdf5]) is not installed")
    rng = np.random.RandomState(0)
    for split, n in (("train", n_train), ("test", n_test)):
        with h5py.File(os.path.join(folder, "%s_signs.h5" % split), "w") as f:
            f["%s_set_x" % split] = rng.randint(0, 256, size=(n, side, side, 3)).astype(np.uint8)
            f["%s_set_y" % split] = np.arange(n) % 6
            f["list_classes"] = np.arange(6)


def test_signs_reads_the_course_hdf5_layout(tmp_path):
    write_tiny_signs(str(tmp_path))
    stdout = ok(run_example("signs_three_layer.py", "--data-dir", tmp_path, "--epochs", "3", via_numflow=True))
    assert "train: X (192, 12), Y (6, 12); test: X (192, 6), Y (6, 6)" in stdout
    assert "train accuracy: " in stdout


def test_signs_rejects_a_malformed_file(tmp_path):
    write_tiny_signs(str(tmp_path))
    import h5py
    with h5py.File(str(tmp_path / "test_signs.h5"), "w") as f:
        f["test_set_x"] = np.zeros((4, 8, 8, 3), np.uint8)
        f["test_set_y"] = np.zeros(3, np.int64)
    out = run_example("signs_three_layer.py", "--data-dir", tmp_path, "--epochs", "1")
    assert out.returncode == 1
    assert "ValueError: %s: test_set_x has shape (4, 8, 8, 3) but test_set_y holds 3 labels" \
        % (tmp_path / "test_signs.h5") in out.stderr


def test_signs_without_files_says_where_to_put_them(tmp_path):
    out = run_example("signs_three_layer.py", "--data-dir", tmp_path)
    assert out.returncode == 1
    assert "train_signs.h5" in out.stderr and "--mnist" in out.stderr and str(tmp_path) in out.stderr


def test_missing_extra_names_what_to_install():
    with pytest.raises(ImportError, match=r"--plot-weights needs no_such_module_x.*pip install 'numflow-tf1\[plot\]'"):
        helpers.require("no_such_module_x", "plot", "--plot-weights")


def test_simple_progress_bar(capsys):
    assert list(helpers.SimpleProgress(25, desc="fit")) == list(range(25))
    err = capsys.readouterr().err
    assert "fit: 100%|" in err and "25/25" in err and err.count("\n") == 10


BLOCKER = '''\
import runpy, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("matplotlib", "h5py", "tqdm"):
            raise ImportError("blocked " + name)
sys.meta_path.insert(0, Block())
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
'''


def test_examples_without_their_extras_name_the_extra(tmp_path):
    blocker = tmp_path / "without_extras.py"
    blocker.write_text(BLOCKER)

    def run(*args):
        return subprocess.run([sys.executable, str(blocker)] + [str(a) for a in args], capture_output=True,
                              text=True, timeout=120)
    out = run(os.path.join(EXAMPLES, "mnist_softmax.py"), "--plot-weights", tmp_path / "w.png")
    assert out.returncode == 2 and "--plot-weights needs matplotlib" in out.stderr
    assert "pip install 'numflow-tf1[plot]'" in out.stderr
    (tmp_path / "train_signs.h5").write_bytes(b"")
    (tmp_path / "test_signs.h5").write_bytes(b"")
    out = run(os.path.join(EXAMPLES, "signs_three_layer.py"), "--data-dir", tmp_path)
    assert out.returncode == 2 and "needs h5py" in out.stderr and "pip install 'numflow-tf1[hdf5]'" in out.stderr
    out = run(os.path.join(EXAMPLES, "logic_functions.py"), "--steps", "10")
    assert out.returncode == 0 and "pip install 'numflow-tf1[progress]'" in out.stderr and "10/10" in out.stderr
