"""`numflow run SCRIPT [ARGS...]` and `python -m numflow`: TF1 scripts run unchanged, nothing leaks outside."""
import os
import subprocess
import sys
import textwrap

import pytest

import numflow
from numflow import _tensorflow_alias, cli

PROBE = textwrap.dedent("""\
    import sys
    import tensorflow as tf
    import tensorflow.compat.v1 as tf1
    from tensorflow.compat import v1
    from tensorflow.examples.tutorials.mnist import input_data
    import tensorflow.nn
    import sibling
    print("argv", sys.argv)
    print("name", __name__, "file", __file__)
    print("path0", sys.path[0])
    print("aliases", tf.__name__, tf1 is tf, v1 is tf, tf.nn is tensorflow.nn, sibling.VALUE)
    print("loader", input_data.read_data_sets.__module__)
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "exit":
        sys.exit(int(sys.argv[2]))
    if mode == "message":
        sys.exit("bye from the script")
    if mode == "raise":
        def inner():
            raise KeyError("from the script")
        inner()
""")


@pytest.fixture
def script(tmp_path):
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "sibling.py").write_text("VALUE = 42\n")
    path = folder / "probe.py"
    path.write_text(PROBE)
    return path


def run(*args, cwd=None, module=True, env=None):
    cmd = [sys.executable, "-m", "numflow"] if module else [os.path.join(os.path.dirname(sys.executable),
                                                                         "numflow")]
    return subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True, cwd=cwd, timeout=120,
                          env=env)


def test_run_resolves_tensorflow_and_passes_arguments(script, tmp_path):
    out = run("run", script, "--data-dir", "x", "-v", "--", "last", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines())
    assert lines["argv"] == repr([str(script), "--data-dir", "x", "-v", "--", "last"])
    assert lines["name"] == "__main__ file %s" % script
    assert lines["path0"] == str(script.parent)
    assert lines["aliases"] == "numflow True True True 42"
    assert lines["loader"] == "numflow.datasets.mnist"


def test_relative_script_path_and_console_script(script):
    exe = os.path.join(os.path.dirname(sys.executable), "numflow")
    if not os.path.exists(exe):
        pytest.skip("the numflow console script is not installed next to this Python")
    out = run("run", "probe.py", "a", cwd=script.parent, module=False)
    assert out.returncode == 0, out.stderr
    assert "argv ['probe.py', 'a']" in out.stdout and "path0 %s" % script.parent in out.stdout


def test_exit_codes_and_tracebacks(script):
    assert run("run", script, "exit", "7").returncode == 7
    assert run("run", script, "exit", "0").returncode == 0
    out = run("run", script, "message")
    assert out.returncode == 1 and "bye from the script" in out.stderr
    out = run("run", script, "raise")
    assert out.returncode == 1
    assert out.stderr.startswith("Traceback (most recent call last):\n  File \"%s\"" % script)
    assert "in inner" in out.stderr and out.stderr.rstrip().endswith("KeyError: 'from the script'")
    assert "cli.py" not in out.stderr and "runpy" not in out.stderr


def test_syntax_error_and_missing_script(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("x = (\n")
    out = run("run", bad)
    assert out.returncode == 1 and "SyntaxError" in out.stderr and "bad.py" in out.stderr and "cli.py" not in out.stderr
    out = run("run", tmp_path / "missing.py")
    assert out.returncode == 2 and "can't open file" in out.stderr and "missing.py" in out.stderr


def test_help_version_and_usage_errors(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0 and "numflow %s" % numflow.__version__ in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        cli.main(["--help"])
    assert info.value.code == 0 and "run SCRIPT [ARGS...]" in capsys.readouterr().out
    assert cli.main([]) == 0 and "usage: numflow" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        cli.main(["run"])
    assert info.value.code == 2 and "SCRIPT" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        cli.main(["fly"])
    assert info.value.code == 2 and "invalid choice: 'fly'" in capsys.readouterr().err


def test_in_process_run_restores_everything(script, capsys):
    argv, path = sys.argv[:], sys.path[:]
    assert cli.main(["run", str(script), "x"]) == 0
    assert "argv %r" % [str(script), "x"] in capsys.readouterr().out
    assert sys.argv == argv and sys.path == path
    assert not _tensorflow_alias.installed()
    assert not [name for name in sys.modules if name.split(".")[0] == "tensorflow"]
    sys.modules.pop("sibling", None)  # the script's own imports stay, as after any Python run
    with pytest.raises(SystemExit) as info:
        cli.run_script(str(script), ["exit", "4"])
    assert info.value.code == 4 and not _tensorflow_alias.installed() and sys.argv == argv
    sys.modules.pop("sibling", None)


def test_unknown_tensorflow_module_is_a_clear_import_error(tmp_path):
    path = tmp_path / "s.py"
    path.write_text("import tensorflow.no_such_thing\n")
    out = run("run", path)
    assert out.returncode == 1
    assert "ModuleNotFoundError: No module named 'tensorflow.no_such_thing'" in out.stderr
    assert "numflow.no_such_thing" in out.stderr


def test_a_real_tensorflow_is_not_shadowed_outside_numflow_run(tmp_path):
    fake = tmp_path / "site" / "tensorflow"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("WHO = 'the real tensorflow'\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "site"))
    code = "import numflow, numflow.cli, numflow.examples.tutorials.mnist.input_data, tensorflow; print(tensorflow.WHO)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "the real tensorflow", out.stderr
    probe = tmp_path / "p.py"
    probe.write_text("import tensorflow\nprint(tensorflow.__name__)\n")
    out = run("run", probe, env=env)
    assert out.returncode == 0 and out.stdout.strip() == "numflow", out.stderr  # inside `numflow run`: numflow


def test_alias_names():
    assert _tensorflow_alias.target_name("tensorflow") == "numflow"
    assert _tensorflow_alias.target_name("tensorflow.compat.v1") == "numflow"
    assert _tensorflow_alias.target_name("tensorflow.compat.v1.nn") == "numflow.nn"
    assert _tensorflow_alias.target_name("tensorflow.compat") == "numflow.compat"
    assert (_tensorflow_alias.target_name("tensorflow.examples.tutorials.mnist.input_data")
            == "numflow.examples.tutorials.mnist.input_data")
