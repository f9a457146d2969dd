"""A newcomer's first hour: install hints, the MNIST folder, TF1's face under the alias (version, logger,
deprecation notices), notebooks through a real Jupyter kernel, and the README's promises."""
import importlib.util
import logging
import os
import re
import subprocess
import sys

import pytest

import numflow
import numflow as tf
from numflow import _deprecation, _tensorflow_alias, notebook
from numflow._install_hints import DISTRIBUTION, pip_hint
from numflow.cli import run_script
from numflow.datasets import mnist
from numflow.platform import tf_logging

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
README = os.path.join(ROOT, "README.md")


def read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def optional_extras():
    tomllib = pytest.importorskip("tomllib", reason="tomllib needs Python 3.11")
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as handle:
        project = tomllib.load(handle)["project"]
    return project["name"], project["optional-dependencies"]


def shipped_text_files():
    for top in ("src", "examples", "benchmarks"):
        for folder, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if name.endswith(".py"):
                    yield os.path.join(folder, name)
    yield README


# --- install hints and the distribution name ---------------------------------------------------------

def test_every_install_hint_names_the_distribution_and_an_extra_that_exists():
    name, extras = optional_extras()
    assert name == DISTRIBUTION == "numflow-tf1"
    hints = []
    for path in shipped_text_files():
        for dist, extra in re.findall(r"pip install (?:-e )?['\"]([\w.-]+)\[(\w+)\]['\"]", read(path)):
            hints.append((os.path.relpath(path, ROOT), dist, extra))
            assert dist in (DISTRIBUTION, "."), "%s: pip install '%s[%s]' names another project" % (
                path, dist, extra)
            assert extra in extras, "%s: extra %r is not in pyproject.toml" % (path, extra)
    assert len(hints) >= 8, hints
    assert pip_hint("image", "Pillow") == "pip install 'numflow-tf1[image]' (or pip install Pillow)"


def test_extras_install_what_their_features_import():
    _, extras = optional_extras()
    assert extras["tensorboard"] == ["tensorboard"] and extras["crc32c"] == ["google-crc32c"]
    assert {"matplotlib", "tqdm"} <= set(extras["test"])
    assert set(extras["all"]) >= {"tqdm", "matplotlib", "h5py", "Pillow", "google-crc32c"}


def test_missing_pillow_hint_is_a_working_command(monkeypatch):
    from numflow.ops import image_ops
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"pip install 'numflow-tf1\[image\]' \(or pip install Pillow\)"):
        image_ops._pillow_image()


# --- README -------------------------------------------------------------------------------------------

INTERNAL_WORDS = [".ci/run", "../shared", "shared/datasets", "acceptance", "a06", "issue 5", "issue ",
                  "this project's", "2-core VM"]


def test_readme_has_no_internal_words_and_keeps_the_main_job_on_the_first_screen():
    text = read(README)
    for word in INTERNAL_WORDS:
        assert word not in text, "README mentions %r" % word
    first_screen = "\n".join(text.splitlines()[:60])
    for command in ("python3 -m venv", ". .venv/bin/activate", 'pip install -e ".[test]"',
                    "python examples/logic_functions.py", "python -m pytest"):
        assert command in first_screen, command
    assert "MNIST_data" in text and 'pip install -e ".[tensorboard]"' in text and "%load_ext numflow" in text
    assert "NUMFLOW_DEPRECATION_WARNINGS" in text and "NUMFLOW_VERSION" in text


def test_help_texts_and_outputs_have_no_internal_words():
    for path in shipped_text_files():
        if path == README:
            continue
        text = read(path)
        for word in ("../shared", "shared/datasets", ".ci/run", "a06", "issue 5", "2-core VM"):
            assert word not in text, "%s mentions %r" % (os.path.relpath(path, ROOT), word)


# --- the MNIST folder -----------------------------------------------------------------------------------

def test_a_failed_download_removes_every_folder_it_created(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMFLOW_NO_DOWNLOAD", raising=False)  # tried from a file:// URL: no network involved
    target = tmp_path / "a" / "b" / "MNIST_data"
    with pytest.raises(mnist.DatasetNotFoundError, match=r"downloading from .* failed") as info:
        mnist.read_data_sets(str(target), source_url=(tmp_path / "no-server").as_uri() + "/")
    assert not (tmp_path / "a").exists()
    message = str(info.value)
    assert "Without a network here, download them elsewhere" in message and "copy them into that folder" in message
    assert (tmp_path / "no-server").as_uri() in message


def test_a_failed_download_keeps_folders_that_hold_something(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMFLOW_NO_DOWNLOAD", raising=False)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "keep.txt").write_text("x")
    with pytest.raises(mnist.DatasetNotFoundError):
        mnist.read_data_sets(str(tmp_path / "a" / "b"), source_url=(tmp_path / "none").as_uri() + "/")
    assert sorted(os.listdir(tmp_path / "a")) == ["keep.txt"]


def test_without_a_source_url_the_error_says_where_the_files_come_from(tmp_path):
    with pytest.raises(mnist.DatasetNotFoundError, match=r"no source_url.*" + re.escape(mnist.DEFAULT_SOURCE_URL)):
        mnist.read_data_sets(str(tmp_path), source_url=None)
    assert os.listdir(tmp_path) == []


def test_examples_default_to_mnist_data_beside_the_script():
    from numflow.examples.helpers import default_mnist_dir
    script = os.path.join(ROOT, "examples", "mnist_softmax.py")
    assert default_mnist_dir(script) == os.path.join(os.path.abspath(os.path.join(ROOT, "examples")), "MNIST_data")
    out = subprocess.run([sys.executable, script, "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "MNIST_data beside this script" in out.stdout


def test_deep_cnn_shows_its_steps_and_time():
    out = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "mnist_deep_cnn.py"), "--help"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    assert "--steps STEPS training steps (default 2000, about 2 minutes; the tutorial's 20000 take about 20 " \
           "minutes)" in " ".join(out.stdout.split()), out.stdout


# --- printing beside a progress bar -------------------------------------------------------------------

class FakeTerminal:
    def __init__(self):
        self.text = ""

    def write(self, s):
        self.text += s

    def flush(self):
        pass

    def isatty(self):
        return True


def test_write_steps_around_the_plain_bar(monkeypatch, capsys):
    from numflow.examples import helpers
    monkeypatch.setenv("NUMFLOW_NO_TQDM", "1")
    terminal = FakeTerminal()
    bar = helpers.SimpleProgress(4, desc="fit", file=terminal)
    for step in bar:
        if step == 1:
            helpers.write("cost after step", step)
            # the bar's line is blanked before the message goes out, and the bar drawn again after it
            assert re.search(r"\r {20,}\r\rfit:  25%\|#+ +\| 1/4 \[0.0s\]$", terminal.text), repr(terminal.text)
    assert capsys.readouterr().out == "cost after step 1\n"
    assert helpers.SimpleProgress.active is None and terminal.text.endswith("4/4 [0.0s]\n")


def test_write_uses_tqdm_write_while_a_tqdm_bar_runs(capsys):
    pytest.importorskip("tqdm", reason="tqdm (numflow-tf1[progress]) is not installed")
    from numflow.examples import helpers
    for step in helpers.trange(3, desc="fit"):
        helpers.write("line", step)
    captured = capsys.readouterr()
    assert captured.out == "line 0\nline 1\nline 2\n"      # whole lines, never glued onto the bar
    assert "fit: 100%" in captured.err


# --- TensorFlow's face under the alias: version, logger, deprecations ------------------------------------

def test_version_outside_and_under_the_alias(tmp_path):
    assert tf.__version__ == tf.NUMFLOW_VERSION == "0.1.0" and tf.VERSION == "1.15.0"
    script = tmp_path / "v.py"
    script.write_text("import tensorflow as tf\nimport numflow\n"
                      "seen.update(version=tf.__version__, VERSION=tf.VERSION, own=numflow.NUMFLOW_VERSION,\n"
                      "            logger=tf.logging.get_logger().name)\n")
    seen = {}
    import builtins
    builtins.seen = seen
    try:
        run_script(str(script))
    finally:
        del builtins.seen
    assert seen == {"version": "1.15.0", "VERSION": "1.15.0", "own": "0.1.0", "logger": "tensorflow"}
    assert tf.__version__ == "0.1.0" and tf_logging.get_logger().name == "numflow"


def test_numflow_run_logs_as_tensorflow(tmp_path):
    script = tmp_path / "log.py"
    script.write_text("import logging\nimport tensorflow as tf\n"
                      "tf.logging.set_verbosity(tf.logging.INFO)\ntf.logging.info('step %d', 7)\n"
                      "logging.getLogger('tensorflow').setLevel(logging.ERROR)\n"
                      "tf.logging.warning('filtered out by the script')\n")
    out = subprocess.run([sys.executable, "-m", "numflow", "run", str(script)], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stderr == "INFO:tensorflow:step 7\n"


def test_logger_name_switch_keeps_the_verbosity():
    tf_logging.set_verbosity(tf_logging.DEBUG)
    try:
        assert tf_logging.use_logger_name("tensorflow").getEffectiveLevel() == logging.DEBUG
    finally:
        tf_logging.use_logger_name("numflow")
        tf_logging.set_verbosity(tf_logging.WARN)
    assert tf_logging.logger_name() == "numflow"


def test_install_as_tensorflow_and_back():
    assert not _tensorflow_alias.installed()
    assert tf.install_as_tensorflow() is True
    try:
        assert tf.install_as_tensorflow() is False           # idempotent
        import tensorflow
        import tensorflow.compat.v1 as v1
        from tensorflow.examples.tutorials.mnist import input_data
        assert tensorflow is numflow and v1 is numflow and tensorflow.__version__ == "1.15.0"
        assert input_data.read_data_sets is mnist.read_data_sets
        # a script run from here keeps the alias installed afterwards
        run_script(os.path.join(ROOT, "examples", "quadratic.py"), ["--steps", "2"])
        assert _tensorflow_alias.installed()
    finally:
        assert tf.uninstall_as_tensorflow() is True
    assert not _tensorflow_alias.installed() and "tensorflow" not in sys.modules
    assert tf.__version__ == "0.1.0" and tf.uninstall_as_tensorflow() is False


def test_ipython_extension_entry_points():
    tf.load_ipython_extension(None)
    try:
        assert _tensorflow_alias.installed()
    finally:
        tf.unload_ipython_extension(None)
    assert not _tensorflow_alias.installed()
    assert numflow.load_ipython_extension is notebook.load_ipython_extension


def test_deprecation_notices_are_off_by_default_and_opt_in(caplog):
    tf.initialize_all_variables()
    assert not caplog.records
    _deprecation.enable()
    try:
        with caplog.at_level(logging.WARNING):
            tf.initialize_all_variables()
            tf.initialize_all_variables()                    # once per function, as TF1
            tf.to_float(tf.constant(1))
            tf.layers.dense(tf.zeros([2, 3]), 4)
        messages = [r.getMessage() for r in caplog.records]
        assert len(messages) == 3, messages
        assert re.match(r"From .*test_first_hour.py:\d+: initialize_all_variables \(from numflow.variables\) "
                        r"is deprecated and will be removed after 2017-03-02.\nInstructions for updating:\n"
                        r"Use `tf.global_variables_initializer` instead.$", messages[0]), messages[0]
        assert "to_float" in messages[1] and "in a future version" in messages[1]
        assert "layers.Dense" in messages[2]
        assert tf.initialize_all_variables.__name__ == "initialize_all_variables"
    finally:
        _deprecation.disable()
    assert not hasattr(tf.initialize_all_variables, "__wrapped_deprecated__")


def test_deprecation_notices_from_the_environment(tmp_path):
    script = tmp_path / "old.py"
    script.write_text("import tensorflow as tf\ntf.initialize_all_variables()\ntf.train.string_input_producer(['a'])\n")
    env = dict(os.environ, NUMFLOW_DEPRECATION_WARNINGS="1")
    out = subprocess.run([sys.executable, "-m", "numflow", "run", str(script)], capture_output=True, text=True,
                         timeout=60, env=env)
    assert out.returncode == 0, out.stderr
    assert "WARNING:tensorflow:From %s:2: initialize_all_variables" % script in out.stderr
    assert "WARNING:tensorflow:From %s:3: string_input_producer" % script in out.stderr
    assert "tf.data" in out.stderr
    env["NUMFLOW_DEPRECATION_WARNINGS"] = "0"
    quiet = subprocess.run([sys.executable, "-m", "numflow", "run", str(script)], capture_output=True, text=True,
                           timeout=60, env=env)
    assert quiet.returncode == 0 and quiet.stderr == ""


# --- a real Jupyter kernel ---------------------------------------------------------------------------------

NOTEBOOK_CELLS = [
    "%load_ext numflow",
    "import tensorflow as tf\nprint(tf.__version__, tf.Session.__module__)",
    "a = tf.constant(3.0)\nb = tf.placeholder(tf.float32)\nwith tf.Session() as sess:\n"
    "    print('sum', sess.run(a + b, {b: 4.0}))",
    "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([3, 1, 2])\nplt.show()",
    "from numflow.examples.helpers import trange, write\nfor step in trange(5, desc='training'):\n"
    "    pass\nwrite('trained', step + 1)",
    "%unload_ext numflow\nimport sys\nprint('tensorflow' in sys.modules)",
]


def test_a_jupyter_notebook_runs_tensorflow_code_on_numflow():
    missing = [m for m in ("nbclient", "nbformat", "ipykernel", "matplotlib") if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip("a real Jupyter kernel needs %s (pip install nbclient ipykernel matplotlib)" % ", ".join(missing))
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in NOTEBOOK_CELLS]
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=False).execute()

    def stdout(cell):
        return "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
    assert stdout(nb.cells[1]) == "1.15.0 numflow.client.session\n"
    assert stdout(nb.cells[2]) == "sum 7.0\n"
    assert any("image/png" in o.get("data", {}) for o in nb.cells[3].outputs), nb.cells[3].outputs
    bar_cell = nb.cells[4]
    assert stdout(bar_cell) == "trained 5\n"
    if importlib.util.find_spec("ipywidgets") is not None:    # tqdm's notebook bar is a widget
        assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in bar_cell.outputs)
    else:                                                      # its text bar otherwise
        assert any("5/5" in o.get("text", "") for o in bar_cell.outputs if o.get("name") == "stderr")
    assert stdout(nb.cells[5]) == "False\n"


# --- CRC-32C: the accelerated package when installed, the same values either way ---------------------

def test_crc32c_uses_google_crc32c_when_installed_and_agrees_with_the_pure_code():
    from numflow.io import crc32c
    has_c = importlib.util.find_spec("google_crc32c") is not None
    if has_c:
        import google_crc32c
        has_c = google_crc32c.implementation == "c"
    assert crc32c.IMPLEMENTATION == ("google-crc32c" if has_c else "numflow")
    rng = __import__("numpy").random.RandomState(3)
    for size in (0, 1, 9, 8191, 8192, 70000, (1 << 22) + 5):
        data = rng.bytes(size)
        assert crc32c.value(data) == crc32c.pure_value(data)
        assert crc32c.value(bytearray(data)) == crc32c.value(memoryview(data)) == crc32c.pure_value(data)
        assert crc32c.extend(0x1234, data) == crc32c.pure_extend(0x1234, data)
    assert crc32c.value(b"123456789") == 0xE3069283                    # the standard check value
    assert crc32c.unmask(crc32c.masked_value(b"abc")) == crc32c.value(b"abc")


def test_crc32c_pure_code_on_request():
    out = subprocess.run([sys.executable, "-c", "from numflow.io import crc32c; print(crc32c.IMPLEMENTATION, "
                          "crc32c.value is crc32c.pure_value)"], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, NUMFLOW_PURE_CRC32C="1"))
    assert out.stdout == "numflow True\n", out.stderr
