"""The `numflow` command: `numflow run SCRIPT [ARGS...]` runs an unmodified TF1 script on numflow."""
import argparse
import builtins
import io
import os
import runpy
import sys
import traceback
import types

from . import _tensorflow_alias

DESCRIPTION = """\
numflow: TensorFlow 1.x's graph-and-Session programming model on NumPy.

commands:
  run SCRIPT [ARGS...]   run an unmodified TF1 script: inside it `import tensorflow as tf`,
                         `import tensorflow.compat.v1 as tf` and
                         `from tensorflow.examples.tutorials.mnist import input_data` resolve to numflow.
                         The script sees sys.argv == [SCRIPT, *ARGS] and __name__ == '__main__';
                         tf.__version__ is the TensorFlow version numflow implements and tf.logging
                         writes to the 'tensorflow' logger.

environment:
  NUMFLOW_DEPRECATION_WARNINGS=1   log TensorFlow's deprecation notices (e.g. for
                                   tf.initialize_all_variables), as TF 1.15 does
"""


def _version():
    from . import NUMFLOW_VERSION, VERSION
    from ._install_hints import DISTRIBUTION
    return "numflow %s (distribution %s; TensorFlow %s API, Python %s)" % (
        NUMFLOW_VERSION, DISTRIBUTION, VERSION, sys.version.split()[0])


def _parser():
    parser = argparse.ArgumentParser(prog="numflow", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser("run", help="run a TF1 script with `tensorflow` resolving to numflow",
                              description="Run SCRIPT as __main__ with `import tensorflow` resolving to numflow. "
                                          "Every argument after SCRIPT is passed to it untouched.")
    run.add_argument("script", metavar="SCRIPT", help="the Python file to run")
    run.add_argument("args", nargs="*", default=[], metavar="ARGS", help="arguments for the script")
    return parser


def _exec_file(path):
    """Execute the file at `path` as `__main__`, as `python path` does."""
    with io.open_code(path) as f:
        source = f.read()
    code = compile(source, path, "exec", dont_inherit=True)
    module = types.ModuleType("__main__")
    module.__dict__.update(__file__=path, __builtins__=builtins, __cached__=None, __loader__=None,
                           __package__=None, __spec__=None)
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = module
    try:
        exec(code, module.__dict__)
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved


def run_script(script, args=()):
    """Run `script` with `args` in this process as `numflow run` does; restores argv, path and imports after.

    The script's exceptions (SystemExit included) propagate unchanged.
    """
    path = os.path.abspath(script)
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [script] + list(args)
    sys.path.insert(0, os.path.dirname(path))
    already_installed = _tensorflow_alias.installed()  # e.g. run_script from a notebook after %load_ext numflow
    displaced = _tensorflow_alias.install()
    try:
        if os.path.isfile(path):
            _exec_file(path)
        else:  # a folder or zip file with a __main__.py
            runpy.run_path(path, run_name="__main__")
    finally:
        if not already_installed:
            _tensorflow_alias.uninstall(displaced)
        sys.argv[:] = saved_argv
        sys.path[:] = saved_path


def _print_script_exception(exc, path):
    """Print `exc`'s traceback from the script's own frames on, as Python would for `python script`."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != path:
        tb = tb.tb_next
    if tb is None and not isinstance(exc, SyntaxError):  # raised before the script ran: show everything
        tb = exc.__traceback__
    traceback.print_exception(type(exc), exc, tb)


def main(argv=None):
    """Entry point of the `numflow` console script and of `python -m numflow`; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    rest = argv[1:] if argv[:1] == ["run"] else []
    if rest[:1] == ["--"]:
        rest = rest[1:]
    if rest and (not rest[0].startswith("-") or argv[1] == "--"):
        # parsed by hand: every argument after SCRIPT, '--' included, belongs to the script untouched
        return _run(rest[0], rest[1:])
    parser = _parser()
    options = parser.parse_args(argv)  # help, version and usage errors
    if options.command is None:
        parser.print_help()
        return 0
    return _run(options.script, options.args)


def _run(script, args):
    if not os.path.exists(script):
        print("numflow run: can't open file %r: [Errno 2] No such file or directory" % os.path.abspath(script),
              file=sys.stderr)
        return 2
    try:
        run_script(script, args)
    except SystemExit:
        raise
    except KeyboardInterrupt as e:
        _print_script_exception(e, os.path.abspath(script))
        return 130
    except BaseException as e:  # noqa: BLE001 - the script's own error, reported as Python would
        _print_script_exception(e, os.path.abspath(script))
        return 1
    return 0
