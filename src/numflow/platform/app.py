"""`tf.app`: `tf.app.run()`, the entry point of TF1 scripts, and `tf.app.flags`."""
import sys

from . import flags

__all__ = ["run", "flags", "usage"]


def usage(shorthelp=False, writeto_stdout=False, detailed_error=None, exitcode=None):
    """Print the flags' help (to stderr unless `writeto_stdout`); exit with `exitcode` when it is given."""
    stream = sys.stdout if writeto_stdout else sys.stderr
    print(flags.FLAGS.help_text(), file=stream)
    if detailed_error is not None:
        print("\n%s" % detailed_error, file=stream)
    if exitcode is not None:
        sys.exit(exitcode)


def run(main=None, argv=None):
    """`tf.app.run(main=None, argv=None)`: parse the flags, call `main(argv)` and exit with what it returns.

    `argv` defaults to `sys.argv`, `main` to the `main` function of the `__main__` module. As in TF1, flags
    that were never defined are not an error here: they stay in the argv that `main` receives, after
    `argv[0]` and any plain arguments. A flag value that does not parse prints the error and exits with
    status 1; `--help` prints the flags and exits with 0. The return value of `main` becomes the exit
    status as `sys.exit` treats it (None is 0, an int is the status, anything else is printed and gives 1).
    """
    if main is None:
        main = getattr(sys.modules.get("__main__"), "main", None)
        if main is None:
            raise AttributeError("tf.app.run() was called without main= and the __main__ module has no "
                                 "function named 'main'")
    try:
        args = flags.FLAGS(sys.argv if argv is None else argv, known_only=True)
    except flags.Error as e:
        print("FATAL Flags parsing error: %s" % e, file=sys.stderr)
        print("Pass --help to see help on flags.", file=sys.stderr)
        sys.exit(1)
    sys.exit(main(args))
