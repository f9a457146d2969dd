"""TF1 script scaffolding: tf.app.run, tf.app.flags / tf.flags, tf.logging, tf.gfile / tf.io.gfile, tf.test."""
import logging
import os
import subprocess
import sys
import textwrap

import pytest

import numflow as tf
from numflow import _tensorflow_alias, cli
from numflow.platform import flags as flags_module
from conftest import cpu_only  # noqa: E402

flags = tf.app.flags


# ---- flags ---------------------------------------------------------------------------------------------------

@pytest.fixture
def fv():
    """A private FlagValues with one flag of each kind."""
    values = flags.FlagValues()
    flags.DEFINE_string("name", "bob", "who", flag_values=values)
    flags.DEFINE_integer("steps", 10, "how many", lower_bound=0, flag_values=values)
    flags.DEFINE_float("lr", 0.5, "learning rate", flag_values=values)
    flags.DEFINE_boolean("fast", False, "go fast", flag_values=values)
    flags.DEFINE_bool("verbose", True, "talk", flag_values=values)
    flags.DEFINE_list("layers", "32,16", "sizes", flag_values=values)
    flags.DEFINE_enum("mode", "train", ["train", "eval"], "what to do", flag_values=values)
    return values


@pytest.fixture
def global_flags():
    """Define flags on the global FLAGS for one test, then remove them and forget the parse."""
    before = set(flags.FLAGS)
    yield flags.FLAGS
    for name in set(flags.FLAGS) - before:
        delattr(flags.FLAGS, name)
    flags.FLAGS.unparse_flags()


def test_namespaces_are_shared():
    assert tf.flags is tf.app.flags is flags_module
    assert tf.app.flags.FLAGS is tf.flags.FLAGS
    assert tf.io.gfile is tf.gfile
    import numflow.logging
    import numflow.io.gfile
    assert numflow.logging is tf.logging and numflow.io.gfile is tf.gfile
    assert _tensorflow_alias.target_name("tensorflow.python.platform.gfile") == "numflow.platform.gfile"
    assert _tensorflow_alias.target_name("tensorflow.compat.v1.flags") == "numflow.flags"


def test_defaults_before_any_command_line(fv):
    assert fv(["prog"]) == ["prog"]
    assert (fv.name, fv.steps, fv.lr, fv.fast, fv.verbose, fv.layers, fv.mode) == (
        "bob", 10, 0.5, False, True, ["32", "16"], "train")
    assert isinstance(fv.steps, int) and isinstance(fv.lr, float)


def test_command_line_forms(fv):
    rest = fv(["prog", "--name=al", "first", "--steps", "20", "-lr=-1e-3", "--fast", "--noverbose",
               "--layers=8,4,2", "--mode", "eval", "second", "--", "--steps=99", "-x"])
    assert rest == ["prog", "first", "second", "--steps=99", "-x"]
    assert (fv.name, fv.steps, fv.lr, fv.fast, fv.verbose, fv.layers, fv.mode) == (
        "al", 20, -0.001, True, False, ["8", "4", "2"], "eval")
    assert fv["steps"].present == 1 and fv["steps"].default == 10


def test_boolean_values_and_repeats(fv):
    fv(["prog", "--fast=false", "--verbose=1"])
    assert (fv.fast, fv.verbose) == (False, True)
    # a bare boolean flag never takes the next argument as its value
    assert fv(["prog", "--fast", "false"]) == ["prog", "false"] and fv.fast is True
    fv(["prog", "--steps=1", "--steps=0x10", "--name", "-dash", "--name", "with space"])
    assert fv.steps == 16 and fv.name == "with space"


def test_a_new_parse_replaces_what_the_last_one_set_but_keeps_assignments(fv):
    fv(["prog", "--steps=3", "--name=x"])
    fv.lr = 2.0
    fv(["prog", "--fast"])
    assert (fv.steps, fv.name, fv.lr, fv.fast) == (10, "bob", 2.0, True)


def test_parse_errors(fv):
    with pytest.raises(flags.UnrecognizedFlagError, match=r"Unknown command line flag 'stepz'.*--steps"):
        fv(["prog", "--stepz=3"])
    with pytest.raises(flags.IllegalFlagValueError, match=r"flag --steps=abc: expected an integer"):
        fv(["prog", "--steps=abc"])
    with pytest.raises(flags.IllegalFlagValueError, match=r"flag --steps=-1: -1 is less than the lower bound 0"):
        fv(["prog", "--steps", "-1"])
    with pytest.raises(flags.IllegalFlagValueError, match=r"flag --lr=fast: expected a number"):
        fv(["prog", "--lr=fast"])
    with pytest.raises(flags.IllegalFlagValueError, match=r"flag --mode=test: value should be one of <train\|eval>"):
        fv(["prog", "--mode=test"])
    with pytest.raises(flags.IllegalFlagValueError, match=r"flag --fast=maybe: expected true or false"):
        fv(["prog", "--fast=maybe"])
    with pytest.raises(flags.IllegalFlagValueError, match=r"flag --name: missing value"):
        fv(["prog", "--name"])
    with pytest.raises(TypeError, match="list of strings"):
        fv("prog --fast")
    assert issubclass(flags.UnrecognizedFlagError, flags.Error)
    # a failed parse changes nothing
    fv(["prog", "--steps=5"])
    with pytest.raises(flags.IllegalFlagValueError):
        fv(["prog", "--name=z", "--steps=x"])
    assert (fv.steps, fv.name) == (5, "bob")


def test_known_only_passes_unknown_flags_through(fv):
    assert fv(["prog", "--other=1", "--steps=2", "--x", "pos"], known_only=True) == [
        "prog", "--other=1", "--x", "pos"]
    assert fv.steps == 2


def test_definition_errors_and_attribute_access(fv):
    with pytest.raises(flags.DuplicateFlagError, match="'name' is defined twice"):
        flags.DEFINE_string("name", "x", "again", flag_values=fv, module_name="other_module")
    with pytest.raises(flags.IllegalFlagValueError, match="default value of flag --bad: expected an integer"):
        flags.DEFINE_integer("bad", "ten", "oops", flag_values=fv)
    with pytest.raises(ValueError, match="enum_values"):
        flags.DEFINE_enum("e", "a", [], "empty", flag_values=fv)
    with pytest.raises(AttributeError, match="undefined_flag"):
        fv.undefined_flag
    with pytest.raises(flags.UnrecognizedFlagError, match="Cannot set FLAGS.other"):
        fv.other = 3
    assert "name" in fv and "other" not in fv
    flags.DEFINE_integer("as_text", "7", "parsed default", flag_values=fv)
    assert fv["as_text"].default == 7


def test_required_flags_and_validators(fv):
    flags.DEFINE_string("data_dir", None, "where", flag_values=fv)
    flags.mark_flag_as_required("data_dir", flag_values=fv)
    with pytest.raises(flags.IllegalFlagValueError,
                       match="flag --data_dir=None: Flag --data_dir must have a value other than None"):
        fv(["prog"])
    fv(["prog", "--data_dir=/tmp"])
    assert fv.data_dir == "/tmp"
    flags.register_validator("steps", lambda v: v % 2 == 0, "steps must be even", flag_values=fv)
    with pytest.raises(flags.IllegalFlagValueError, match="flag --steps=3: steps must be even"):
        fv(["prog", "--data_dir=/tmp", "--steps=3"])


def test_multi_flags(fv):
    flags.DEFINE_multi_string("tag", [], "tags", flag_values=fv)
    flags.DEFINE_multi_integer("seed", 1, "seeds", flag_values=fv)
    fv(["prog", "--tag=a", "--tag", "b", "--seed=3", "--seed=4"])
    assert fv.tag == ["a", "b"] and fv.seed == [3, 4]
    fv(["prog"])
    assert fv.tag == [] and fv.seed == [1]


def test_help_prints_flags_and_exits(fv, capsys):
    for arg in ("--help", "-h", "--helpfull"):
        with pytest.raises(SystemExit) as info:
            fv(["prog", arg])
        assert info.value.code == 0
    out = capsys.readouterr().out
    assert "USAGE: prog [flags]" in out
    assert "--steps: how many\n    (default: '10')\n    (an integer)" in out
    assert "--[no]fast: go fast" in out and "--mode: <train|eval>: what to do" in out


def test_lazy_parse_of_sys_argv(fv, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["prog", "--steps=4", "pos"])
    assert not fv.is_parsed()
    assert fv.steps == 4 and fv.is_parsed()
    monkeypatch.setattr(sys, "argv", ["prog", "--name=new"])  # a rerun in the same process
    assert (fv.name, fv.steps) == ("new", 10)
    monkeypatch.setattr(sys, "argv", ["prog", "--unknown=1"])
    with pytest.raises(flags.UnrecognizedFlagError, match="Unknown command line flag 'unknown'"):
        fv.name


def test_global_flags_lazy_parse(global_flags, monkeypatch):
    flags.DEFINE_integer("platform_test_batch", 32, "batch size")
    monkeypatch.setattr(sys, "argv", ["prog", "--platform_test_batch", "64"])
    assert tf.flags.FLAGS.platform_test_batch == 64
    assert tf.flags.FLAGS.flag_values_dict()["platform_test_batch"] == 64


# ---- app.run -------------------------------------------------------------------------------------------------

def test_app_run_passes_remaining_argv_and_exits_with_main_result(global_flags):
    flags.DEFINE_integer("platform_test_epochs", 1, "epochs")
    seen = []

    def main(argv):
        seen.append((list(argv), flags.FLAGS.platform_test_epochs))
        return 3

    with pytest.raises(SystemExit) as info:
        tf.app.run(main=main, argv=["prog", "--platform_test_epochs=5", "file.txt", "--not_defined=1"])
    assert info.value.code == 3
    assert seen == [(["prog", "file.txt", "--not_defined=1"], 5)]
    with pytest.raises(SystemExit) as info:
        tf.app.run(main=lambda argv: None, argv=["prog"])
    assert info.value.code is None  # exit status 0


def test_app_run_reports_bad_flags(global_flags, capsys):
    flags.DEFINE_integer("platform_test_units", 1, "units")
    with pytest.raises(SystemExit) as info:
        tf.app.run(main=lambda argv: 0, argv=["prog", "--platform_test_units=many"])
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert "FATAL Flags parsing error: flag --platform_test_units=many: expected an integer" in err


# ---- logging ---------------------------------------------------------------------------------------------------

@pytest.fixture
def verbosity():
    logger = tf.logging.get_logger()
    level = logger.level
    yield
    logger.setLevel(level)


def test_logging_levels_and_output(caplog, verbosity):
    assert (tf.logging.DEBUG, tf.logging.INFO, tf.logging.WARN, tf.logging.WARNING, tf.logging.ERROR,
            tf.logging.FATAL) == (10, 20, 30, 30, 40, 50)
    tf.logging.get_logger().setLevel(logging.NOTSET)
    logging.getLogger().setLevel(logging.WARNING)
    caplog.set_level(logging.WARNING)  # root at WARN, as in a fresh program
    tf.logging.info("hidden")
    tf.logging.warn("shown %d", 1)
    assert [r.getMessage() for r in caplog.records] == ["shown 1"]
    tf.logging.set_verbosity(tf.logging.INFO)
    assert tf.logging.get_verbosity() == tf.logging.INFO
    caplog.clear()
    caplog.set_level(logging.DEBUG)  # let everything through the handler: the numflow logger decides
    tf.logging.debug("not at INFO")
    tf.logging.info("step %d loss %.2f", 3, 0.5)
    tf.logging.warning("w")
    tf.logging.error("e")
    tf.logging.fatal("f")  # logs only; the program goes on
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("numflow", "INFO", "step 3 loss 0.50"), ("numflow", "WARNING", "w"), ("numflow", "ERROR", "e"),
        ("numflow", "CRITICAL", "f")]
    assert caplog.records[0].filename == "test_platform.py"  # the caller, not numflow's wrapper


def test_log_every_n_and_first_n(caplog, verbosity):
    tf.logging.set_verbosity(tf.logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    for i in range(7):
        tf.logging.log_every_n(tf.logging.INFO, "every %d", 3, i)
        tf.logging.log_first_n(tf.logging.WARN, "first %d", 2, i)
        tf.logging.log_if(tf.logging.INFO, "odd %d", i % 2, i)
    messages = [r.getMessage() for r in caplog.records]
    assert [m for m in messages if m.startswith("every")] == ["every 0", "every 3", "every 6"]
    assert [m for m in messages if m.startswith("first")] == ["first 0", "first 1"]
    assert [m for m in messages if m.startswith("odd")] == ["odd 1", "odd 3", "odd 5"]


# ---- gfile -----------------------------------------------------------------------------------------------------

def test_gfile_read_write(tmp_path):
    path = str(tmp_path / "a.txt")
    with tf.gfile.GFile(path, "w") as f:
        f.write("line one\n")
        f.write(b"line two\r\n")
    assert tf.gfile.Exists(path) and not tf.gfile.IsDirectory(path)
    with tf.gfile.Open(path) as f:
        assert f.read() == "line one\nline two\r\n"
        assert f.size() == 19
    with tf.gfile.GFile(path, "r") as f:
        assert list(f) == ["line one\n", "line two\r\n"]
    with tf.gfile.GFile(path, "rb") as f:
        assert f.read(4) == b"line" and f.tell() == 4
        f.seek(5)
        assert f.readline() == b"one\n"
    with tf.gfile.GFile(path, "a") as f:
        f.write("three")
    with tf.gfile.FastGFile(path, "rb") as f:
        assert f.read().endswith(b"three")
    binary = tmp_path / "b.bin"
    with tf.io.gfile.GFile(binary, "wb") as f:
        f.write(bytes(range(256)))
    assert binary.read_bytes() == bytes(range(256))


def test_gfile_errors_are_tf_errors_and_os_errors(tmp_path):
    missing = str(tmp_path / "missing.txt")
    with pytest.raises(tf.errors.NotFoundError, match="missing.txt"):
        tf.gfile.GFile(missing)
    with pytest.raises(FileNotFoundError):
        tf.gfile.Remove(missing)
    with pytest.raises(tf.errors.NotFoundError, match="Could not find directory"):
        tf.gfile.ListDirectory(missing)
    with pytest.raises(tf.errors.NotFoundError):
        tf.gfile.DeleteRecursively(missing)
    with pytest.raises(tf.errors.NotFoundError):
        tf.gfile.Stat(missing)
    tf.gfile.MkDir(str(tmp_path / "d"))
    with pytest.raises(tf.errors.AlreadyExistsError):
        tf.gfile.MkDir(str(tmp_path / "d"))
    with pytest.raises(tf.errors.UnimplementedError, match="scheme 'gs'"):
        tf.gfile.Exists("gs://bucket/file")
    try:
        tf.gfile.Remove(missing)
    except tf.errors.OpError as e:
        assert e.error_code == tf.errors.NOT_FOUND


def test_gfile_filesystem_operations(tmp_path):
    root = str(tmp_path / "root")
    tf.gfile.MakeDirs(os.path.join(root, "sub", "deeper"))
    tf.gfile.MakeDirs(os.path.join(root, "sub"))  # no error when it exists
    for name in ("x.txt", "y.txt", "z.log"):
        with tf.gfile.GFile(os.path.join(root, name), "w") as f:
            f.write(name)
    assert tf.gfile.ListDirectory(root) == ["sub", "x.txt", "y.txt", "z.log"]
    assert tf.gfile.Glob(os.path.join(root, "*.txt")) == [os.path.join(root, "x.txt"), os.path.join(root, "y.txt")]
    assert tf.gfile.Glob([os.path.join(root, "*.log"), os.path.join(root, "x*")]) == [
        os.path.join(root, "x.txt"), os.path.join(root, "z.log")]

    x, y, w = (os.path.join(root, n) for n in ("x.txt", "y.txt", "w.txt"))
    with pytest.raises(tf.errors.AlreadyExistsError):
        tf.gfile.Rename(x, y)
    tf.gfile.Rename(x, w)
    assert not tf.gfile.Exists(x) and tf.gfile.GFile(w).read() == "x.txt"
    tf.gfile.Rename(w, y, overwrite=True)
    assert tf.gfile.GFile(y).read() == "x.txt"
    with pytest.raises(tf.errors.AlreadyExistsError):
        tf.gfile.Copy(y, os.path.join(root, "z.log"))
    tf.gfile.Copy(y, x)
    tf.io.gfile.copy(y, os.path.join(root, "z.log"), overwrite=True)
    assert tf.gfile.GFile(os.path.join(root, "z.log")).read() == "x.txt"

    st = tf.gfile.Stat(x)
    assert st.length == 5 and not st.is_directory and st.mtime_nsec > 0
    assert tf.gfile.Stat(root).is_directory

    walked = list(tf.gfile.Walk(root))
    assert walked[0] == (root, ["sub"], ["x.txt", "y.txt", "z.log"]) or sorted(walked[0][2]) == [
        "x.txt", "y.txt", "z.log"]
    assert [w[0] for w in walked] == [root, os.path.join(root, "sub"), os.path.join(root, "sub", "deeper")]
    assert [w[0] for w in tf.gfile.Walk(root, in_order=False)][-1] == root
    assert list(tf.gfile.Walk(os.path.join(root, "nope"))) == []

    tf.gfile.Remove(x)
    assert not tf.io.gfile.exists(x)
    tf.gfile.DeleteRecursively(os.path.join(root, "sub"))
    assert tf.io.gfile.listdir(root) == ["y.txt", "z.log"]
    tf.io.gfile.rmtree(root)
    assert not tf.gfile.Exists(root)


# ---- tf.test -----------------------------------------------------------------------------------------------------

@cpu_only
def test_device_queries():
    assert tf.test.is_gpu_available() is False
    assert tf.test.is_gpu_available(cuda_only=True) is False
    assert tf.test.gpu_device_name() == ""
    assert tf.test.is_built_with_cuda() is False


def test_test_case_helpers():
    class Case(tf.test.TestCase):
        def test_add(self):
            with self.session() as sess:
                self.assertAllClose(sess.run(tf.constant([1.0, 2.0]) * 2), [2.0, 4.0])
            self.assertAllEqual(self.evaluate(tf.constant([1, 2]) + 1), [2, 3])
            self.assertTrue(os.path.isdir(self.get_temp_dir()))

    import unittest
    result = unittest.TextTestRunner(stream=open(os.devnull, "w")).run(Case("test_add"))
    assert result.wasSuccessful(), result.failures + result.errors


# ---- numflow run -------------------------------------------------------------------------------------------------

SCRIPT = textwrap.dedent("""\
    import sys
    import tensorflow as tf
    import tensorflow.compat.v1 as tf1
    from tensorflow.python.platform import gfile, tf_logging
    from tensorflow.python.platform import flags as platform_flags

    flags = tf.app.flags
    flags.DEFINE_string("data_dir", "/tmp/data", "Directory for storing input data")
    flags.DEFINE_integer("max_steps", 100, "Number of steps to run trainer.")
    flags.DEFINE_float("learning_rate", 0.01, "Initial learning rate.")
    flags.DEFINE_boolean("fake_data", False, "If true, uses fake data for unit testing.")
    FLAGS = flags.FLAGS


    def main(argv):
        tf.logging.set_verbosity(tf.logging.INFO)
        tf.logging.info("max_steps=%d", FLAGS.max_steps)
        x = tf.placeholder(tf.float32)
        with tf.Session() as sess:
            out = sess.run(x * FLAGS.learning_rate, {x: 2.0})
        print("flags", FLAGS.data_dir, FLAGS.max_steps, FLAGS.learning_rate, FLAGS.fake_data)
        print("argv", argv[1:])
        print("same", tf1.flags is tf.flags, platform_flags.FLAGS is FLAGS, gfile is tf.gfile,
              tf_logging is tf.logging, gfile.Exists(argv[0]))
        print("out %.3f" % out)
        return FLAGS.max_steps % 7


    if __name__ == "__main__":
        tf.app.run()
""")


def numflow_run(script, *args):
    return subprocess.run([sys.executable, "-m", "numflow", "run", str(script)] + [str(a) for a in args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(SCRIPT)
    return path


def test_numflow_run_app_and_flags(script):
    out = numflow_run(script, "--max_steps=9", "--data_dir", "/d", "--fake_data", "extra", "--learning_rate=0.5",
                      "--unknown=1")
    assert out.returncode == 2, out.stderr  # main returned 9 % 7
    lines = out.stdout.splitlines()
    assert "flags /d 9 0.5 True" in lines
    assert "argv ['extra', '--unknown=1']" in lines
    assert "same True True True True True" in lines
    assert "out 1.000" in lines
    assert "INFO:tensorflow:max_steps=9" in out.stderr     # numflow run logs as TensorFlow
    assert numflow_run(script, "--max_steps=7", "--nofake_data").returncode == 0


def test_numflow_run_help_and_bad_flags(script):
    out = numflow_run(script, "--help")
    assert out.returncode == 0
    assert "--max_steps: Number of steps to run trainer." in out.stdout and "(default: '100')" in out.stdout
    out = numflow_run(script, "--max_steps=lots")
    assert out.returncode == 1
    assert "FATAL Flags parsing error: flag --max_steps=lots: expected an integer" in out.stderr


def test_lazy_flags_in_a_script_without_app_run(tmp_path):
    path = tmp_path / "lazy.py"
    path.write_text("import tensorflow as tf\n"
                    "tf.flags.DEFINE_integer('n', 1, 'n')\n"
                    "print('n', tf.flags.FLAGS.n)\n")
    out = numflow_run(path, "--n", "5")
    assert out.returncode == 0 and out.stdout == "n 5\n", out.stderr
    out = numflow_run(path, "--m=5")
    assert out.returncode == 1 and "UnrecognizedFlagError: Unknown command line flag 'm'" in out.stderr


def test_script_rerun_in_one_process(script, global_flags, capsys):
    for args, code, line in ((["--max_steps=8"], 1, "flags /tmp/data 8 0.01 False"),
                             ([], 2, "flags /tmp/data 100 0.01 False")):
        with pytest.raises(SystemExit) as info:
            cli.run_script(str(script), args)
        assert info.value.code == code
        assert line in capsys.readouterr().out
