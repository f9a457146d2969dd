"""The rest of `tf.flags` (absl's flag library as TF 1 re-exports it): parser and serializer classes, flag
classes, enum-class / multi-valued / alias flags, key-flag declarations, mutual-exclusion validators and
the text helpers, on top of platform/flags.py's FlagValues and Flag.

A parser turns a command-line string into a value (`parse`) and names the value's type (`flag_type`); a
serializer turns a value back into command-line text (`serialize`). `DEFINE_flag` registers any Flag
built from them.
"""
import csv
import enum
import io
import os
import shutil
import textwrap

from . import flags as _flags
from .flags import FLAGS, Error, Flag, FlagValues, _define, _parse_boolean, _parse_float, _parse_integer

__all__ = ["ArgumentParser", "ArgumentSerializer", "BaseListParser", "BooleanFlag", "BooleanParser",
           "CantOpenFlagFileError", "CsvListSerializer", "DEFINE_alias", "DEFINE_enum_class", "DEFINE_flag",
           "DEFINE_multi", "DEFINE_multi_enum", "DEFINE_multi_enum_class", "DEFINE_multi_float",
           "DEFINE_spaceseplist", "EnumClassFlag", "EnumClassListSerializer", "EnumClassParser",
           "EnumClassSerializer", "EnumFlag", "EnumParser", "FlagHolder", "FlagNameConflictsWithMethodError",
           "FloatParser", "IntegerParser", "ListParser", "ListSerializer", "MultiEnumClassFlag", "MultiFlag",
           "UnparsedFlagAccessError", "WhitespaceSeparatedListParser", "adopt_module_key_flags",
           "declare_key_flag", "disclaim_key_flags", "doc_to_help", "flag_dict_to_args", "get_help_width",
           "mark_bool_flags_as_mutual_exclusive", "mark_flags_as_mutual_exclusive", "multi_flags_validator",
           "override_value", "register_multi_flags_validator", "set_default", "text_wrap"]


class CantOpenFlagFileError(Error):
    """A --flagfile could not be read."""


class FlagNameConflictsWithMethodError(Error):
    """A flag's name is the name of a FlagValues method, so FLAGS.<name> could not reach it."""


class UnparsedFlagAccessError(Error):
    """A flag's value was read before the command line was parsed (absl raises it; TF 1 scripts reading
    FLAGS before tf.app.run() get sys.argv parsed instead, as platform/flags.py does)."""


# --- parsers -----------------------------------------------------------------------------------------------
class ArgumentParser:
    """Parses a command-line string into a flag value; the base parser keeps the string."""

    syntactic_help = ""

    def parse(self, argument):
        """The value of `argument`; ValueError with a readable message when it is not valid."""
        if not isinstance(argument, str):
            raise TypeError("flag value must be a string, found \"%s\"" % type(argument))
        return argument

    def flag_type(self):
        """The name of the values this parser produces ('string', 'int', 'bool' ...)."""
        return "string"

    def _custom_xml_dom_elements(self, doc):
        return []


class _BoundedParser(ArgumentParser):
    convert = None
    type_name = None

    def __init__(self, lower_bound=None, upper_bound=None):
        self.lower_bound, self.upper_bound = lower_bound, upper_bound
        parts = []
        if lower_bound is not None:
            parts.append(">= %s" % lower_bound)
        if upper_bound is not None:
            parts.append("<= %s" % upper_bound)
        self.syntactic_help = "%s %s" % (self.type_name, " and ".join(parts)) if parts else self.type_name

    def parse(self, argument):
        value = type(self).convert(argument)
        if self.lower_bound is not None and value < self.lower_bound:
            raise ValueError("%s is not %s" % (value, self.syntactic_help))
        if self.upper_bound is not None and value > self.upper_bound:
            raise ValueError("%s is not %s" % (value, self.syntactic_help))
        return value


class IntegerParser(_BoundedParser):
    """Parses integers (decimal, or 0x / 0o / 0b prefixed), optionally within [lower_bound, upper_bound]."""

    convert = staticmethod(_parse_integer)
    type_name = "an integer"

    def flag_type(self):
        return "int"


class FloatParser(_BoundedParser):
    """Parses floating-point numbers, optionally within [lower_bound, upper_bound]."""

    convert = staticmethod(_parse_float)
    type_name = "a number"

    def flag_type(self):
        return "float"


class BooleanParser(ArgumentParser):
    """Parses true/false, t/f, yes/no, 1/0 (any case)."""

    def parse(self, argument):
        return _parse_boolean(argument)

    def flag_type(self):
        return "bool"


class EnumParser(ArgumentParser):
    """Accepts one of `enum_values` (case-insensitively unless case_sensitive), returning its spelling
    in enum_values."""

    def __init__(self, enum_values, case_sensitive=True):
        if not enum_values:
            raise ValueError("enum_values cannot be empty, found \"%s\"" % (enum_values,))
        self.enum_values = list(enum_values)
        self.case_sensitive = case_sensitive

    def parse(self, argument):
        if self.case_sensitive:
            if argument not in self.enum_values:
                raise ValueError("value should be one of <%s>" % "|".join(self.enum_values))
            return argument
        for value in self.enum_values:
            if value.upper() == str(argument).upper():
                return value
        raise ValueError("value should be one of <%s>" % "|".join(self.enum_values))

    def flag_type(self):
        return "string enum"


class EnumClassParser(ArgumentParser):
    """Accepts the name of a member of an enum.Enum class (or a member itself), returning the member."""

    def __init__(self, enum_class, case_sensitive=True):
        if not (isinstance(enum_class, type) and issubclass(enum_class, enum.Enum)):
            raise TypeError("%s is not a subclass of Enum." % (enum_class,))
        if not enum_class.__members__:
            raise ValueError("enum_class cannot be empty, but \"%s\" is empty." % enum_class)
        self.enum_class = enum_class
        self._case_sensitive = case_sensitive

    @property
    def member_names(self):
        return list(self.enum_class.__members__)

    def parse(self, argument):
        if isinstance(argument, self.enum_class):
            return argument
        for name, member in self.enum_class.__members__.items():
            if name == argument or (not self._case_sensitive and name.lower() == str(argument).lower()):
                return member
        raise ValueError("value should be one of <%s>" % "|".join(self.member_names))

    def flag_type(self):
        return "enum class"


class BaseListParser(ArgumentParser):
    """Splits the argument on `token` (whitespace when None) into stripped, non-empty items."""

    def __init__(self, token=None, name=None):
        self._token, self._name = token, name
        self.syntactic_help = "a %s separated list" % (name or "whitespace")

    def parse(self, argument):
        if isinstance(argument, list):
            return argument
        if not argument:
            return []
        return [item.strip() for item in argument.split(self._token) if item.strip()]

    def flag_type(self):
        return "%s separated list of strings" % (self._name or "whitespace")


class ListParser(BaseListParser):
    """Parses comma-separated values, with CSV quoting ("a,b",c is two items)."""

    def __init__(self):
        super().__init__(",", "comma")

    def parse(self, argument):
        if isinstance(argument, list):
            return argument
        if not argument:
            return []
        try:
            return [item.strip() for item in next(csv.reader([argument], strict=True))]
        except csv.Error as error:
            raise ValueError("Unable to parse the value %r as a %s: %s" % (argument, self.flag_type(), error)) \
                from None


class WhitespaceSeparatedListParser(BaseListParser):
    """Parses whitespace-separated values; with comma_compat, commas separate too."""

    def __init__(self, comma_compat=False):
        super().__init__(None, "whitespace or comma" if comma_compat else "whitespace")
        self._comma_compat = comma_compat

    def parse(self, argument):
        if isinstance(argument, list):
            return argument
        if not argument:
            return []
        if self._comma_compat:
            argument = argument.replace(",", " ")
        return argument.split()


# --- serializers -------------------------------------------------------------------------------------------
class ArgumentSerializer:
    """Turns a flag value back into command-line text."""

    def serialize(self, value):
        return str(value)


class ListSerializer(ArgumentSerializer):
    """Joins list items with `list_sep`."""

    def __init__(self, list_sep):
        self.list_sep = list_sep

    def serialize(self, value):
        return self.list_sep.join(str(v) for v in value)


class CsvListSerializer(ListSerializer):
    """Writes list items as one CSV row (quoting items that contain the separator)."""

    def serialize(self, value):
        out = io.StringIO()
        csv.writer(out, delimiter=self.list_sep, lineterminator="").writerow([str(v) for v in value])
        return out.getvalue()


class EnumClassSerializer(ArgumentSerializer):
    """Writes an enum member as its name (lower-cased with lowercase=True)."""

    def __init__(self, lowercase):
        self._lowercase = lowercase

    def serialize(self, value):
        name = value.name if isinstance(value, enum.Enum) else str(value)
        return name.lower() if self._lowercase else name


class EnumClassListSerializer(ListSerializer):
    """Writes a list of enum members as their names joined by list_sep."""

    def __init__(self, list_sep, **kwargs):
        super().__init__(list_sep)
        self._element = EnumClassSerializer(**kwargs)

    def serialize(self, value):
        items = value if isinstance(value, list) else [value]
        return self.list_sep.join(self._element.serialize(v) for v in items)


# --- flag classes ------------------------------------------------------------------------------------------
def _parse_with(parser):
    def parse(text):
        return parser.parse(text)
    return parse


class _ParserFlag(Flag):
    """A Flag whose values come from an absl-style parser and go back through a serializer."""

    def __init__(self, parser, serializer, name, default, help_string, short_name=None, boolean=False,
                 multi=False, typename=None):
        self.parser = parser
        self.serializer = serializer or ArgumentSerializer()
        super().__init__(name, default, help_string, _parse_with(parser), typename, boolean=boolean,
                         short_name=short_name, multi=multi)

    def flag_type(self):
        return self.parser.flag_type()

    def serialize(self):
        if self.value is None:
            return ""
        if self.boolean:
            return "--%s" % self.name if self.value else "--no%s" % self.name
        if self.multi:
            return "\n".join("--%s=%s" % (self.name, self.serializer.serialize(v)) for v in self.value)
        return "--%s=%s" % (self.name, self.serializer.serialize(self.value))


class BooleanFlag(_ParserFlag):
    """`tf.flags.BooleanFlag(name, default, help)`: set by --name, --noname or --name=false."""

    def __init__(self, name, default, help, short_name=None, **args):  # noqa: A002
        super().__init__(BooleanParser(), None, name, default, help, short_name, boolean=True)


class EnumFlag(_ParserFlag):
    """`tf.flags.EnumFlag(name, default, help, enum_values)`: one of a list of strings."""

    def __init__(self, name, default, help, enum_values, short_name=None, case_sensitive=True, **args):  # noqa: A002
        parser = EnumParser(enum_values, case_sensitive)
        super().__init__(parser, None, name, default, "<%s>: %s" % ("|".join(parser.enum_values), help), short_name)


class EnumClassFlag(_ParserFlag):
    """`tf.flags.EnumClassFlag(name, default, help, enum_class)`: a member of an enum.Enum class, given by
    name on the command line."""

    def __init__(self, name, default, help, enum_class, short_name=None, case_sensitive=False, **args):  # noqa: A002
        parser = EnumClassParser(enum_class, case_sensitive)
        super().__init__(parser, EnumClassSerializer(lowercase=not case_sensitive), name, default,
                         "<%s>: %s" % ("|".join(parser.member_names), help), short_name)


class MultiFlag(_ParserFlag):
    """`tf.flags.MultiFlag(parser, serializer, name, default, help)`: a flag that may be repeated; its
    value is the list of every occurrence's parsed value."""

    def __init__(self, parser, serializer, name, default, help_string, **args):
        super().__init__(parser, serializer, name, default, help_string, args.get("short_name"), multi=True,
                         typename="repeat this option to specify a list of values")


class MultiEnumClassFlag(MultiFlag):
    """`tf.flags.MultiEnumClassFlag(name, default, help, enum_class)`: a repeatable enum-class flag."""

    def __init__(self, name, default, help_string, enum_class, case_sensitive=False, **args):
        parser = EnumClassParser(enum_class, case_sensitive)
        super().__init__(parser, EnumClassListSerializer(",", lowercase=not case_sensitive), name, default,
                         "<%s>: %s" % ("|".join(parser.member_names), help_string), **args)


class _AliasFlag(Flag):
    """Another name for a flag: reading and setting it reads and sets the original."""

    def __init__(self, name, original):
        self.name, self.original = name, original
        self.help = "Alias for --%s." % original.name
        self.short_name = None
        self.boolean, self.typename, self.multi = original.boolean, original.typename, original.multi
        self.enum_values, self.lower_bound, self.upper_bound = (original.enum_values, original.lower_bound,
                                                                original.upper_bound)
        self._parse = original._parse
        self.module_name = self.module_id = None

    value = property(lambda self: self.original.value, lambda self, v: setattr(self.original, "value", v))
    default = property(lambda self: self.original.default, lambda self, v: None)
    present = property(lambda self: self.original.present, lambda self, v: setattr(self.original, "present", v))


class FlagHolder:
    """`tf.flags.FlagHolder(flag_values, flag)`: a typed handle to one flag; `.value` reads it (parsing the
    command line first if needed)."""

    def __init__(self, flag_values, flag, ensure_non_none_value=False):
        self._flagvalues, self._name = flag_values, flag.name
        self._ensure_non_none_value = ensure_non_none_value

    @property
    def name(self):
        return self._name

    @property
    def value(self):
        value = getattr(self._flagvalues, self._name)
        if self._ensure_non_none_value and value is None:
            raise IllegalFlagValueError("Unexpected None value for flag %s" % self._name)
        return value

    @property
    def default(self):
        return self._flagvalues[self._name].default

    @property
    def present(self):
        return bool(self._flagvalues[self._name].present)

    def __eq__(self, other):
        raise TypeError("unsupported operand type(s) for ==: 'FlagHolder' and '%s' (did you mean to use "
                        "'FlagHolder.value' instead?)" % type(other).__name__)

    __hash__ = object.__hash__


IllegalFlagValueError = _flags.IllegalFlagValueError


# --- DEFINE_* --------------------------------------------------------------------------------------------
def _values(flag_values):
    return FLAGS if flag_values is None else flag_values


def DEFINE_flag(flag, flag_values=FLAGS, module_name=None, required=False):
    """`tf.flags.DEFINE_flag(flag, flag_values=FLAGS, module_name=None, required=False)`: registers a Flag
    object and returns a FlagHolder for it."""
    values = _values(flag_values)
    if flag.name in dir(FlagValues):
        raise FlagNameConflictsWithMethodError("Cannot define a flag named %r: it is a method of FlagValues"
                                               % flag.name)
    caller, caller_id = _flags._caller_module()
    flag.module_name = module_name or caller
    flag.module_id = caller_id
    values._register(flag)
    if required:
        _flags.mark_flag_as_required(flag.name, values)
    return FlagHolder(values, flag)


def _extra_args(args):
    return {key: args.pop(key) for key in ("short_name",) if key in args}


def DEFINE_enum_class(name, default, enum_class, help, flag_values=FLAGS, module_name=None,  # noqa: A002
                      case_sensitive=False, **args):
    """`tf.flags.DEFINE_enum_class(name, default, enum_class, help)`: a flag holding a member of enum_class
    (case-insensitive names by default)."""
    return DEFINE_flag(EnumClassFlag(name, default, help, enum_class, case_sensitive=case_sensitive,
                                     **_extra_args(args)), flag_values, module_name, args.pop("required", False))


def DEFINE_multi(parser, serializer, name, default, help, flag_values=FLAGS, module_name=None,  # noqa: A002
                 **args):
    """`tf.flags.DEFINE_multi(parser, serializer, name, default, help)`: a repeatable flag of any parser."""
    return DEFINE_flag(MultiFlag(parser, serializer, name, default, help, **_extra_args(args)), flag_values,
                       module_name, args.pop("required", False))


def DEFINE_multi_float(name, default, help, lower_bound=None, upper_bound=None, flag_values=FLAGS,  # noqa: A002
                       **args):
    """`tf.flags.DEFINE_multi_float(name, default, help)`: a repeatable float flag."""
    return DEFINE_multi(FloatParser(lower_bound, upper_bound), ArgumentSerializer(), name, default, help,
                        flag_values, **args)


def DEFINE_multi_enum(name, default, enum_values, help, flag_values=FLAGS, case_sensitive=True,  # noqa: A002
                      **args):
    """`tf.flags.DEFINE_multi_enum(name, default, enum_values, help)`: a repeatable enum flag."""
    return DEFINE_multi(EnumParser(enum_values, case_sensitive), ArgumentSerializer(), name, default,
                        "<%s>: %s" % ("|".join(enum_values), help), flag_values, **args)


def DEFINE_multi_enum_class(name, default, enum_class, help, flag_values=FLAGS, module_name=None,  # noqa: A002
                            case_sensitive=False, **args):
    """`tf.flags.DEFINE_multi_enum_class(name, default, enum_class, help)`: a repeatable enum-class flag."""
    return DEFINE_flag(MultiEnumClassFlag(name, default, help, enum_class, case_sensitive=case_sensitive,
                                          **_extra_args(args)), flag_values, module_name, args.pop("required", False))


def DEFINE_spaceseplist(name, default, help, comma_compat=False, flag_values=FLAGS, **args):  # noqa: A002
    """`tf.flags.DEFINE_spaceseplist(name, default, help)`: a whitespace-separated list of strings."""
    parser = WhitespaceSeparatedListParser(comma_compat)
    return _holder(_define(name, default, help, _parse_with(parser), parser.syntactic_help, flag_values, args),
                   flag_values)


def _holder(flag, flag_values):
    return FlagHolder(_values(flag_values), flag)


def DEFINE_alias(name, original_name, flag_values=FLAGS, module_name=None):
    """`tf.flags.DEFINE_alias(name, original_name)`: `name` as another name for an existing flag."""
    values = _values(flag_values)
    if original_name not in values:
        raise _flags.UnrecognizedFlagError(original_name, message="Flag --%s used in DEFINE_alias does not exist"
                                           % original_name)
    return DEFINE_flag(_AliasFlag(name, values[original_name]), values, module_name)


# --- validators --------------------------------------------------------------------------------------------
def register_multi_flags_validator(flag_names, multi_flags_checker, message="Flags validation failed",
                                   flag_values=FLAGS):
    """Checks `multi_flags_checker({name: value})` (True when acceptable) after every parse."""
    _flags.register_validator(list(flag_names), multi_flags_checker, message, _values(flag_values))


def multi_flags_validator(flag_names, message="Flag validation failed", flag_values=FLAGS):
    """Decorator form of register_multi_flags_validator."""
    def decorate(checker):
        register_multi_flags_validator(flag_names, checker, message, flag_values)
        return checker
    return decorate


def mark_flags_as_mutual_exclusive(flag_names, required=False, flag_values=FLAGS):
    """At most one of the flags may be given a value other than None (exactly one with required)."""
    def checker(values):
        count = sum(1 for value in values.values() if value is not None)
        return count == 1 if required else count <= 1
    kind = "exactly one" if required else "at most one"
    register_multi_flags_validator(flag_names, checker, "%s of (%s) must have a value other than None."
                                   % (kind.capitalize(), ", ".join(flag_names)), flag_values)


def mark_bool_flags_as_mutual_exclusive(flag_names, required=False, flag_values=FLAGS):
    """At most one of the boolean flags may be True (exactly one with required)."""
    values = _values(flag_values)
    for name in flag_names:
        if name in values and not values[name].boolean:
            raise ValueError("Flag --%s is not Boolean, which is required for flags used in "
                             "mark_bool_flags_as_mutual_exclusive." % name)

    def checker(flag_dict):
        count = sum(1 for value in flag_dict.values() if value)
        return count == 1 if required else count <= 1
    register_multi_flags_validator(flag_names, checker, "%s of (%s) can be True."
                                   % ("Exactly one" if required else "At most one", ", ".join(flag_names)),
                                   flag_values)


def override_value(flag_holder, value):
    """Sets a flag's value from Python (a test's setup, say), running the validators."""
    values = flag_holder._flagvalues
    setattr(values, flag_holder.name, value)
    values._validate()


def set_default(flag_holder, value):
    """Changes a flag's default (and its value, unless the command line set it)."""
    flag_holder._flagvalues.set_default(flag_holder.name, value)


# --- key flags (the flags --helpshort lists for a module) ---------------------------------------------------
_KEY_FLAGS = {}


def _key_flags_of(module_name, flag_values):
    return _KEY_FLAGS.setdefault((id(flag_values), module_name), [])


def declare_key_flag(flag_name, flag_values=FLAGS):
    """Declares a flag defined elsewhere a key flag of the calling module (listed by --helpshort)."""
    values = _values(flag_values)
    name = flag_name.name if isinstance(flag_name, FlagHolder) else flag_name
    if name not in values:
        raise ValueError("Flag --%s is undefined. To set a flag as a key flag first define it in Python." % name)
    module, _ = _flags._caller_module()
    keys = _key_flags_of(module, values)
    if name not in keys:
        keys.append(name)


def adopt_module_key_flags(module, flag_values=FLAGS):
    """Declares every flag defined by `module` a key flag of the calling module."""
    import types
    if not isinstance(module, types.ModuleType):
        raise Error("Expected a module object, not %r." % (module,))
    values = _values(flag_values)
    for name in list(values):
        if values[name].module_name == module.__name__:
            declare_key_flag(name, values)


def disclaim_key_flags():
    """Declares that the calling module defines no key flags of its own."""
    module, _ = _flags._caller_module()
    _KEY_FLAGS[(id(FLAGS), module)] = []


# --- text helpers ------------------------------------------------------------------------------------------
def get_help_width():
    """The width help text is wrapped to: the terminal's columns (80 when unknown), at least 40."""
    columns = shutil.get_terminal_size((80, 24)).columns if os.isatty(1) else 80
    return max(40, columns)


def text_wrap(text, length=None, indent="", firstline_indent=None):
    """`text` wrapped to `length` columns (get_help_width() by default), each line indented by `indent`
    (the first by firstline_indent when given); existing line breaks are kept."""
    length = get_help_width() if length is None else length
    if firstline_indent is None:
        firstline_indent = indent
    if len(indent) >= length:
        raise ValueError("Length of indent exceeds length")
    if len(firstline_indent) >= length:
        raise ValueError("Length of first line indent exceeds length")
    lines = []
    for index, paragraph in enumerate(text.expandtabs(4).split("\n")):
        first = firstline_indent if index == 0 else indent
        wrapped = textwrap.wrap(paragraph, width=length, initial_indent=first, subsequent_indent=indent)
        lines.extend(wrapped or [first.rstrip() if index == 0 else indent.rstrip()])
    return "\n".join(lines)


def doc_to_help(doc):
    """A docstring as flag help: common indentation removed, surrounding blank lines stripped and single
    line breaks inside paragraphs joined."""
    doc = textwrap.dedent(doc.expandtabs(4)).strip()
    paragraphs = [" ".join(line.strip() for line in block.split("\n")) for block in doc.split("\n\n")]
    return "\n\n".join(paragraphs)


def flag_dict_to_args(flag_map, multi_flags=None):
    """Command-line arguments for a {name: value} dict: booleans as --name / --noname, lists joined by
    commas (or repeated for names in multi_flags), None values skipped."""
    multi_flags = set(multi_flags or ())
    for key, value in flag_map.items():
        if value is None:
            continue
        if isinstance(value, bool):
            yield "--%s" % key if value else "--no%s" % key
        elif isinstance(value, (bytes, str)):
            yield "--%s=%s" % (key, value.decode("utf-8") if isinstance(value, bytes) else value)
        elif hasattr(value, "__iter__"):
            if key in multi_flags:
                for item in value:
                    yield "--%s=%s" % (key, item)
            else:
                yield "--%s=%s" % (key, ",".join(str(item) for item in value))
        else:
            yield "--%s=%s" % (key, value)
