"""`tf.app.flags` / `tf.flags`: TF1's command-line flags, as scripts define and read them.

```python
flags = tf.app.flags
flags.DEFINE_string("data_dir", "/tmp/data", "where the data lives")
flags.DEFINE_integer("max_steps", 1000, "number of training steps")
flags.DEFINE_boolean("fake_data", False, "use fake data")
FLAGS = flags.FLAGS
...
print(FLAGS.max_steps)       # the first read parses sys.argv, as TF1 does
```

The command line follows TF1's rules: `--name=value`, `--name value`, a single leading dash works too,
booleans take `--name`, `--noname` or `--name=true|false|1|0`, everything after `--` is left alone, and
arguments that are not flags are returned in order. `--help` prints the defined flags and exits. Reading a
flag before anything was parsed parses `sys.argv` (unknown flags raise `UnrecognizedFlagError`);
`tf.app.run()` parses first and passes flags it does not know on to `main`.

Written on `argparse` (it converts and checks each value); no absl needed.
"""
import argparse
import difflib
import sys

__all__ = ["FLAGS", "FlagValues", "Flag", "Error", "UnrecognizedFlagError", "IllegalFlagValueError",
           "DuplicateFlagError", "ValidationError", "DEFINE", "DEFINE_string", "DEFINE_integer",
           "DEFINE_float", "DEFINE_boolean", "DEFINE_bool", "DEFINE_list", "DEFINE_enum",
           "DEFINE_multi_string", "DEFINE_multi_integer", "mark_flag_as_required", "mark_flags_as_required",
           "register_validator", "validator"]

_HELP_NAMES = ("help", "helpshort", "helpfull", "?")


class Error(Exception):
    """The base class of every flags error."""


class UnrecognizedFlagError(Error):
    """A command-line argument names a flag that was never defined."""

    def __init__(self, flagname, flagvalue="", suggestions=(), message=None):
        self.flagname = flagname
        self.flagvalue = flagvalue
        message = message or "Unknown command line flag %r" % flagname
        if suggestions:
            message += ". Did you mean: %s ?" % ", ".join(suggestions)
        super().__init__(message)


class IllegalFlagValueError(Error):
    """A flag's value does not parse, is out of range, or fails a validator."""


class DuplicateFlagError(Error):
    """The same flag name is defined twice."""


class ValidationError(Error):
    """Raised by a validator function to reject a flag's value."""


# ---- value parsers: text -> value, ValueError with a readable message otherwise --------------------------

def _parse_string(text):
    return text


def _parse_integer(text):
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    s = str(text).strip()
    try:
        return int(s)
    except ValueError:
        try:
            return int(s, 0)  # 0x1f, 0o17, 0b101
        except ValueError:
            raise ValueError("expected an integer, got %r" % text) from None


def _parse_float(text):
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    try:
        return float(str(text).strip())
    except ValueError:
        raise ValueError("expected a number, got %r" % text) from None


_TRUE = ("true", "t", "1", "yes", "y")
_FALSE = ("false", "f", "0", "no", "n")


def _parse_boolean(text):
    if isinstance(text, bool):
        return text
    if isinstance(text, int) and text in (0, 1):
        return bool(text)
    s = str(text).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError("expected true or false, got %r" % text)


def _parse_list(text):
    if isinstance(text, (list, tuple)):
        return [str(v) for v in text]
    s = str(text).strip()
    return [item.strip() for item in s.split(",")] if s else []


class Flag:
    """One defined flag: its name, parser, default, help and current `value`."""

    def __init__(self, name, default, help_text, parse, typename, boolean=False, short_name=None,
                 enum_values=None, lower_bound=None, upper_bound=None, multi=False, module_name=None,
                 module_id=None):
        self.name = name
        self.help = help_text or ""
        self.short_name = short_name
        self.boolean = boolean
        self.typename = typename
        self.enum_values = list(enum_values) if enum_values is not None else None
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound
        self.multi = multi
        self.module_name = module_name
        self.module_id = module_id
        self._parse = parse
        self.default = None if default is None else self.convert(default, from_default=True)
        self.value = self.default
        self.present = 0  # how many times the last parse set it from the command line

    def convert(self, text, from_default=False):
        """Parse `text` (or a Python value) to this flag's type; IllegalFlagValueError names the flag."""
        try:
            if self.multi:
                items = text if isinstance(text, (list, tuple)) else [text]
                return [self._check(self._parse(item)) for item in items]
            return self._check(self._parse(text))
        except ValueError as e:
            where = "default value of flag --%s" % self.name if from_default else "flag --%s=%s" % (self.name, text)
            raise IllegalFlagValueError("%s: %s" % (where, e)) from None

    def _check(self, value):
        if self.enum_values is not None and value not in self.enum_values:
            raise ValueError("value should be one of <%s>" % "|".join(self.enum_values))
        if self.lower_bound is not None and value < self.lower_bound:
            raise ValueError("%r is less than the lower bound %r" % (value, self.lower_bound))
        if self.upper_bound is not None and value > self.upper_bound:
            raise ValueError("%r is greater than the upper bound %r" % (value, self.upper_bound))
        return value

    def _describe(self, value):
        if value is None:
            return "None"
        if self.boolean:
            return "'true'" if value else "'false'"
        if isinstance(value, list):
            return repr(",".join(str(v) for v in value))
        return repr(str(value))

    def help_lines(self):
        prefix = "--[no]%s" % self.name if self.boolean else "--%s" % self.name
        if self.short_name:
            prefix = "-%s,%s" % (self.short_name, prefix)
        head = "%s: %s" % (prefix, self.help) if not self.enum_values else \
            "%s: <%s>: %s" % (prefix, "|".join(self.enum_values), self.help)
        lines = ["  " + head, "    (default: %s)" % self._describe(self.default)]
        if self.typename:
            lines.append("    (%s)" % self.typename)
        return lines

    def __str__(self):
        return str(self.value)

    def __repr__(self):
        return "<Flag --%s=%r>" % (self.name, self.value)


class _HelpRequested(Exception):
    pass


class _ArgumentParser(argparse.ArgumentParser):
    """An argparse parser whose errors raise IllegalFlagValueError instead of exiting."""

    def error(self, message):
        if message.startswith("argument ") and ": " in message:
            message = message.split(": ", 1)[1]  # the converter's message already names the flag
        raise IllegalFlagValueError(message)


class FlagValues:
    """The registry of defined flags (`FLAGS`): read and assign flags as attributes.

    `FLAGS(argv)` parses a command line (argv[0] is the program) and returns argv[0] plus every argument
    that is not a flag; `known_only=True` passes unknown flags through too instead of raising.
    """

    def __init__(self):
        object.__setattr__(self, "_flags", {})
        object.__setattr__(self, "_short", {})
        object.__setattr__(self, "_validators", [])
        object.__setattr__(self, "_parsed", False)
        object.__setattr__(self, "_auto_argv", None)  # (argv copy, known_only) of a parse of sys.argv

    # ---- definition -----------------------------------------------------------------------------------
    def _register(self, flag):
        old = self._flags.get(flag.name)
        if old is not None:
            if old.module_name == flag.module_name and old.module_id != flag.module_id:
                # the same module run or imported again (a script rerun in one process): the new one wins
                object.__setattr__(self, "_parsed", False)
                self._validators[:] = [v for v in self._validators if flag.name not in v[0]]
            else:
                raise DuplicateFlagError("The flag %r is defined twice: first in module %r, then in module %r"
                                         % (flag.name, old.module_name, flag.module_name))
        if flag.short_name:
            other = self._short.get(flag.short_name)
            if other is not None and other != flag.name:
                raise DuplicateFlagError("The short flag name %r of --%s is already used by --%s"
                                         % (flag.short_name, flag.name, other))
            self._short[flag.short_name] = flag.name
        self._flags[flag.name] = flag

    def register_validator(self, names, checker, message):
        for name in names:
            if name not in self._flags:
                raise KeyError("Flag --%s is not defined; define it before adding a validator" % name)
        self._validators.append((tuple(names), checker, message))

    # ---- access ---------------------------------------------------------------------------------------
    def __getattr__(self, name):
        flags = self.__dict__.get("_flags", {})
        if name == "__flags":  # old TF1 code reads FLAGS.__flags
            return dict(flags)
        if name not in flags:
            raise AttributeError(name)
        self._ensure_parsed()
        return flags[name].value

    def __setattr__(self, name, value):
        flag = self._flags.get(name)
        if flag is None:
            raise UnrecognizedFlagError(name, value, message="Cannot set FLAGS.%s: no flag --%s is defined "
                                        "(define it first with tf.app.flags.DEFINE_*)" % (name, name))
        flag.value = value

    def __delattr__(self, name):
        if name not in self._flags:
            raise AttributeError(name)
        flag = self._flags.pop(name)
        if flag.short_name:
            self._short.pop(flag.short_name, None)

    def __getitem__(self, name):
        """The `Flag` object named `name` (its `.value`, `.default`, `.help`, `.present`)."""
        return self._flags[name]

    def __contains__(self, name):
        return name in self._flags

    def __iter__(self):
        return iter(list(self._flags))

    def __len__(self):
        return len(self._flags)

    def __dir__(self):
        return sorted(set(object.__dir__(self)) | set(self._flags))

    def _ensure_parsed(self):
        auto = self._auto_argv
        if not self._parsed or (auto is not None and list(sys.argv) != auto[0]):
            # first read (TF1 parses sys.argv lazily), or sys.argv was replaced since (a rerun in-process)
            self._parse(list(sys.argv), known_only=auto[1] if auto is not None else False, auto=True)

    def is_parsed(self):
        return self._parsed

    def mark_as_parsed(self):
        object.__setattr__(self, "_parsed", True)
        object.__setattr__(self, "_auto_argv", None)

    def unparse_flags(self):
        """Put every flag back to its default and forget the parse."""
        for flag in self._flags.values():
            flag.value, flag.present = flag.default, 0
        object.__setattr__(self, "_parsed", False)
        object.__setattr__(self, "_auto_argv", None)

    def flag_values_dict(self):
        self._ensure_parsed()
        return {name: flag.value for name, flag in self._flags.items()}

    def get_flag_value(self, name, default):
        return getattr(self, name) if name in self._flags else default

    def set_default(self, name, value):
        flag = self._flags[name]
        flag.default = None if value is None else flag.convert(value, from_default=True)
        if not flag.present:
            flag.value = flag.default

    # ---- parsing --------------------------------------------------------------------------------------
    def __call__(self, argv, known_only=False):
        """Parse `argv` (argv[0] is the program name); returns [argv[0]] + the arguments that are not flags."""
        if isinstance(argv, (str, bytes)) or not hasattr(argv, "__iter__"):
            raise TypeError("FLAGS(argv) takes a list of strings such as sys.argv, not %r" % (argv,))
        argv = [str(a) for a in argv]
        if not argv:
            raise ValueError("FLAGS(argv) needs at least the program name in argv[0]")
        return self._parse(argv, known_only, auto=argv == list(sys.argv))

    def _lookup(self, name):
        if name in self._flags:
            return self._flags[name]
        if name in self._short:
            return self._flags[self._short[name]]
        return None

    def _split(self, args, known_only):
        """Sort `args` into (flag, text) pairs and the arguments left over, following TF1's rules."""
        pairs, rest = [], []
        i = 0
        while i < len(args):
            arg = args[i]
            i += 1
            if arg == "--":
                rest.extend(args[i:])
                break
            if not arg.startswith("-") or arg == "-" or _is_number(arg):
                rest.append(arg)
                continue
            body = arg[2:] if arg.startswith("--") else arg[1:]
            name, eq, text = body.partition("=")
            flag = self._lookup(name)
            if flag is None and (name in _HELP_NAMES or name == "h"):
                raise _HelpRequested()
            if flag is not None:
                if flag.boolean:
                    pairs.append((flag, text if eq else "true"))
                elif eq:
                    pairs.append((flag, text))
                elif i < len(args):
                    pairs.append((flag, args[i]))
                    i += 1
                else:
                    raise IllegalFlagValueError("flag --%s: missing value (use --%s=VALUE)" % (name, name))
                continue
            negated = self._lookup(name[2:]) if name.startswith("no") else None
            if negated is not None and negated.boolean and not eq:
                pairs.append((negated, "false"))
                continue
            if known_only:
                rest.append(arg)
                continue
            close = difflib.get_close_matches(name, list(self._flags), n=3, cutoff=0.7)
            raise UnrecognizedFlagError(name, text, ["--" + c for c in close])
        return pairs, rest

    def _parse(self, argv, known_only, auto):
        try:
            pairs, rest = self._split(argv[1:], known_only)
        except _HelpRequested:
            print(self.help_text(argv[0]))
            raise SystemExit(0) from None
        parser = _ArgumentParser(prog=argv[0], add_help=False, allow_abbrev=False)
        multi = {}
        for flag in {id(f): f for f, _ in pairs}.values():
            parser.add_argument("--" + flag.name, dest=flag.name, type=_argparse_type(flag),
                                action="append" if flag.multi else "store")
            multi[flag.name] = flag.multi
        namespace = parser.parse_args(["--%s=%s" % (flag.name, text) for flag, text in pairs])
        values = vars(namespace)
        for name, value in values.items():  # a multi flag's list of lists, one per occurrence
            if multi[name]:
                values[name] = [item for part in value for item in part]
        for flag in self._flags.values():  # what an earlier parse set goes back to its default
            if flag.present and flag.name not in values:
                flag.value, flag.present = flag.default, 0
        for flag, _ in pairs:
            flag.value = values[flag.name]
            flag.present = sum(1 for f, _ in pairs if f is flag)
        self._validate()
        object.__setattr__(self, "_parsed", True)
        object.__setattr__(self, "_auto_argv", (list(argv), known_only) if auto else None)
        return [argv[0]] + rest

    def _validate(self):
        for names, checker, message in self._validators:
            flags = [self._flags[n] for n in names if n in self._flags]
            value = flags[0].value if len(names) == 1 else {f.name: f.value for f in flags}
            try:
                ok = checker(value)
            except ValidationError as e:
                ok, message = False, str(e)
            if not ok:
                shown = ", ".join("--%s=%s" % (f.name, f.value) for f in flags)
                raise IllegalFlagValueError("flag %s: %s" % (shown, message))

    def help_text(self, program=None):
        """The `--help` text: every defined flag with its help, default and type."""
        program = program or (sys.argv[0] if sys.argv and sys.argv[0] else "program")
        lines = ["USAGE: %s [flags]" % program]
        by_module = {}
        for flag in self._flags.values():
            by_module.setdefault(flag.module_name or "flags", []).append(flag)
        for module, flags in by_module.items():
            lines += ["", "%s:" % (program if module == "__main__" else module)]
            for flag in sorted(flags, key=lambda f: f.name):
                lines += flag.help_lines()
        if not self._flags:
            lines += ["", "(no flags defined)"]
        return "\n".join(lines)

    def __str__(self):
        return self.help_text()


def _is_number(arg):
    try:
        float(arg)
    except ValueError:
        return False
    return True


def _argparse_type(flag):
    def convert(text):
        try:
            if flag.multi:
                return flag.convert([text])
            return flag.convert(text)
        except IllegalFlagValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    convert.__name__ = flag.typename or "value"
    return convert


FLAGS = FlagValues()


def _caller_module():
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
    if frame is None:
        return None, None
    return frame.f_globals.get("__name__"), id(frame.f_globals)


def _define(name, default, help_text, parse, typename, flag_values, kwargs, **options):
    """Create and register one flag; `kwargs` are the DEFINE_* caller's extra keywords, `options` Flag's."""
    kwargs = dict(kwargs)
    help_text = kwargs.pop("docstring", help_text)  # the pre-absl TF1 spelling
    required = kwargs.pop("required", False)
    short_name = kwargs.pop("short_name", None)
    module_name = kwargs.pop("module_name", None)
    if kwargs:
        raise TypeError("unexpected arguments for flag --%s: %s" % (name, ", ".join(sorted(kwargs))))
    if not isinstance(name, str) or not name or name.startswith("-") or "=" in name:
        raise ValueError("a flag name must be a non-empty string without a leading '-' or '=', got %r" % (name,))
    caller, caller_id = _caller_module()
    flag = Flag(name, default, help_text, parse, typename, short_name=short_name,
                module_name=module_name or caller, module_id=caller_id, **options)
    values = FLAGS if flag_values is None else flag_values
    values._register(flag)
    if required:
        mark_flag_as_required(name, values)
    return flag


def DEFINE(parser, name, default, help=None, flag_values=None, **kwargs):  # noqa: A002
    """Define a flag whose value is `parser(text)` (any callable turning a string into the value)."""
    return _define(name, default, help, parser, None, flag_values, kwargs)


def DEFINE_string(name, default, help=None, flag_values=None, **kwargs):  # noqa: A002
    """`tf.app.flags.DEFINE_string(name, default, help)`: a text flag."""
    return _define(name, default, help, _parse_string, None, flag_values, kwargs)


def DEFINE_integer(name, default, help=None, lower_bound=None, upper_bound=None, flag_values=None,  # noqa: A002
                   **kwargs):
    """`tf.app.flags.DEFINE_integer(name, default, help)`: an integer flag, optionally bounded."""
    return _define(name, default, help, _parse_integer, "an integer", flag_values, kwargs,
                   lower_bound=lower_bound, upper_bound=upper_bound)


def DEFINE_float(name, default, help=None, lower_bound=None, upper_bound=None, flag_values=None,  # noqa: A002
                 **kwargs):
    """`tf.app.flags.DEFINE_float(name, default, help)`: a floating-point flag, optionally bounded."""
    return _define(name, default, help, _parse_float, "a number", flag_values, kwargs,
                   lower_bound=lower_bound, upper_bound=upper_bound)


def DEFINE_boolean(name, default, help=None, flag_values=None, **kwargs):  # noqa: A002
    """`tf.app.flags.DEFINE_boolean(name, default, help)`: set by `--name`, `--noname` or `--name=false`."""
    return _define(name, default, help, _parse_boolean, None, flag_values, kwargs, boolean=True)


DEFINE_bool = DEFINE_boolean


def DEFINE_list(name, default, help=None, flag_values=None, **kwargs):  # noqa: A002
    """`tf.app.flags.DEFINE_list(name, default, help)`: a comma-separated list of strings."""
    return _define(name, default, help, _parse_list, "a comma separated list", flag_values, kwargs)


def DEFINE_enum(name, default, enum_values, help=None, flag_values=None, **kwargs):  # noqa: A002
    """`tf.app.flags.DEFINE_enum(name, default, enum_values, help)`: a string from `enum_values`."""
    enum_values = list(enum_values or [])
    if not enum_values:
        raise ValueError("DEFINE_enum(%r) needs a non-empty enum_values list" % name)
    return _define(name, default, help, _parse_string, None, flag_values, kwargs, enum_values=enum_values)


def DEFINE_multi_string(name, default, help=None, flag_values=None, **kwargs):  # noqa: A002
    """A string flag that may be repeated; its value is the list of every occurrence."""
    return _define(name, default, help, _parse_string, "repeat this option to specify a list of values",
                   flag_values, kwargs, multi=True)


def DEFINE_multi_integer(name, default, help=None, flag_values=None, **kwargs):  # noqa: A002
    """An integer flag that may be repeated; its value is the list of every occurrence."""
    return _define(name, default, help, _parse_integer, "an integer; repeat this option to specify a list "
                   "of values", flag_values, kwargs, multi=True)


def register_validator(flag_name, checker, message="Flag validation failed", flag_values=None):
    """Check `checker(value)` (True when the value is acceptable) after every parse."""
    names = [flag_name] if isinstance(flag_name, str) else list(flag_name)
    (FLAGS if flag_values is None else flag_values).register_validator(names, checker, message)


def validator(flag_name, message="Flag validation failed", flag_values=None):
    """Decorator form of `register_validator`."""
    def decorate(checker):
        register_validator(flag_name, checker, message, flag_values)
        return checker
    return decorate


def mark_flag_as_required(flag_name, flag_values=None):
    """Parsing fails unless `--flag_name` is given a value other than None."""
    register_validator(flag_name, lambda value: value is not None,
                       "Flag --%s must have a value other than None." % flag_name, flag_values)


def mark_flags_as_required(flag_names, flag_values=None):
    for name in flag_names:
        mark_flag_as_required(name, flag_values)


# absl's parsers, serializers, flag classes and helpers (issue 12); they build on the classes above.
from .flags_extra import *  # noqa: E402,F401,F403
from .flags_extra import __all__ as _extra_all  # noqa: E402
__all__ += list(_extra_all)
