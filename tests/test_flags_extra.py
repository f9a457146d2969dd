"""tf.flags' absl names (platform/flags_extra.py): parsers, serializers, flag classes, enum-class, multi and
alias flags, validators, key flags and the text helpers, on a FlagValues of each test's own."""
import enum

import pytest

import numflow as tf

flags = tf.flags


class Color(enum.Enum):
    RED = 1
    GREEN = 2


def test_parsers_and_serializers():
    assert flags.ArgumentParser().parse("x") == "x" and flags.ArgumentParser().flag_type() == "string"
    assert flags.IntegerParser(0, 10).parse("0x0a") == 10
    with pytest.raises(ValueError, match="is not an integer >= 0 and <= 10"):
        flags.IntegerParser(0, 10).parse("11")
    assert flags.FloatParser(lower_bound=0.5).parse("2.5") == 2.5
    assert flags.BooleanParser().parse("No") is False and flags.BooleanParser().flag_type() == "bool"
    assert flags.EnumParser(["a", "B"], case_sensitive=False).parse("b") == "B"
    with pytest.raises(ValueError, match="value should be one of <a|B>"):
        flags.EnumParser(["a", "B"]).parse("b")
    assert flags.EnumClassParser(Color, case_sensitive=False).parse("red") is Color.RED
    with pytest.raises(TypeError, match="is not a subclass of Enum"):
        flags.EnumClassParser(int)
    assert flags.ListParser().parse('a,"b,c", d') == ["a", "b,c", "d"]
    assert flags.WhitespaceSeparatedListParser(comma_compat=True).parse("a b,c") == ["a", "b", "c"]
    assert flags.BaseListParser(";", "semicolon").parse("x; y;") == ["x", "y"]
    assert flags.ListSerializer("|").serialize([1, 2]) == "1|2"
    assert flags.CsvListSerializer(",").serialize(["a", "b,c"]) == 'a,"b,c"'
    assert flags.EnumClassSerializer(lowercase=True).serialize(Color.GREEN) == "green"
    assert flags.EnumClassListSerializer(",", lowercase=False).serialize([Color.RED, Color.GREEN]) == "RED,GREEN"
    assert flags.ArgumentSerializer().serialize(3) == "3"


def test_enum_class_multi_alias_and_spaceseplist_flags():
    values = flags.FlagValues()
    color = flags.DEFINE_enum_class("color", Color.RED, Color, "a colour", flag_values=values)
    colors = flags.DEFINE_multi_enum_class("colors", ["red"], Color, "colours", flag_values=values)
    rates = flags.DEFINE_multi_float("rate", [0.5], "rates", lower_bound=0, flag_values=values)
    modes = flags.DEFINE_multi_enum("mode", ["a"], ["a", "b"], "modes", flag_values=values)
    words = flags.DEFINE_spaceseplist("words", "x y", "words", flag_values=values)
    flags.DEFINE_integer("steps", 5, "steps", flag_values=values)
    alias = flags.DEFINE_alias("num_steps", "steps", flag_values=values)
    assert isinstance(color, flags.FlagHolder) and color.name == "color" and color.default is Color.RED
    rest = values(["prog", "--color=green", "--colors=GREEN", "--colors=red", "--rate=1", "--rate=2.5",
                   "--mode=b", "--words=p q r", "--num_steps=9", "left"])
    assert rest == ["prog", "left"]
    assert color.value is Color.GREEN and colors.value == [Color.GREEN, Color.RED]
    assert rates.value == [1.0, 2.5] and modes.value == ["b"] and words.value == ["p", "q", "r"]
    assert values.steps == 9 and alias.value == 9 and alias.present
    assert values["colors"].serialize() == "--colors=green\n--colors=red"
    with pytest.raises(flags.IllegalFlagValueError, match="value should be one of <RED|GREEN>"):
        values(["prog", "--color=blue"])
    with pytest.raises(flags.IllegalFlagValueError, match="is not a number >= 0"):
        values(["prog", "--rate=-1"])
    with pytest.raises(TypeError, match="unsupported operand"):
        color == Color.RED   # noqa: B015 - a FlagHolder is compared through .value
    with pytest.raises(flags.UnrecognizedFlagError, match="used in DEFINE_alias does not exist"):
        flags.DEFINE_alias("other", "missing", flag_values=values)
    with pytest.raises(flags.FlagNameConflictsWithMethodError, match="is a method of FlagValues"):
        flags.DEFINE_flag(flags.BooleanFlag("is_parsed", False, "clash"), values)


def test_flag_classes_and_define_flag():
    values = flags.FlagValues()
    holder = flags.DEFINE_flag(flags.BooleanFlag("verbose", False, "talk", short_name="v"), values)
    flags.DEFINE_flag(flags.EnumFlag("size", "s", "size", ["s", "m"]), values)
    flags.DEFINE_flag(flags.MultiFlag(flags.IntegerParser(), flags.ArgumentSerializer(), "id", [], "ids"), values)
    flags.DEFINE_flag(flags.EnumClassFlag("tint", None, "tint", Color), values, required=False)
    values(["prog", "-v", "--size=m", "--id=3", "--id=4", "--tint=green"])
    assert holder.value is True and values.size == "m" and values.id == [3, 4] and values.tint is Color.GREEN
    assert values["verbose"].serialize() == "--verbose" and values["id"].flag_type() == "int"
    flags.set_default(holder, True)
    assert values["verbose"].default is True


def test_validators_and_mutual_exclusion():
    values = flags.FlagValues()
    low = flags.FlagHolder(values, flags.DEFINE_integer("low", 1, "", flag_values=values))
    flags.DEFINE_integer("high", 5, "", flag_values=values)
    flags.DEFINE_string("a", None, "", flag_values=values)
    flags.DEFINE_string("b", None, "", flag_values=values)
    flags.DEFINE_boolean("x", False, "", flag_values=values)
    flags.DEFINE_boolean("y", False, "", flag_values=values)

    @flags.multi_flags_validator(["low", "high"], message="low must be below high", flag_values=values)
    def _ordered(flag_dict):
        return flag_dict["low"] < flag_dict["high"]
    flags.mark_flags_as_mutual_exclusive(["a", "b"], flag_values=values)
    flags.mark_bool_flags_as_mutual_exclusive(["x", "y"], flag_values=values)
    values(["prog", "--a=1", "--x"])
    with pytest.raises(flags.IllegalFlagValueError, match="low must be below high"):
        values(["prog", "--low=7"])
    with pytest.raises(flags.IllegalFlagValueError, match=r"At most one of \(a, b\) must have a value"):
        values(["prog", "--a=1", "--b=2"])
    with pytest.raises(flags.IllegalFlagValueError, match=r"At most one of \(x, y\) can be True"):
        values(["prog", "--x", "--y"])
    values(["prog"])
    with pytest.raises(flags.IllegalFlagValueError, match="low must be below high"):
        flags.override_value(low, 9)
    with pytest.raises(ValueError, match="is not Boolean"):
        flags.mark_bool_flags_as_mutual_exclusive(["a", "x"], flag_values=values)


def test_key_flags_and_text_helpers():
    values = flags.FlagValues()
    flags.DEFINE_string("key_one", "", "", flag_values=values)
    flags.declare_key_flag("key_one", values)
    with pytest.raises(ValueError, match="Flag --missing is undefined"):
        flags.declare_key_flag("missing", values)
    with pytest.raises(flags.Error, match="Expected a module object"):
        flags.adopt_module_key_flags("not a module", values)
    flags.adopt_module_key_flags(flags, values)
    flags.disclaim_key_flags()
    assert flags.get_help_width() >= 40
    assert flags.text_wrap("one two three four", length=10, indent="  ") == "  one two\n  three\n  four"
    assert flags.text_wrap("a b", length=10, firstline_indent="> ") == "> a b"
    assert flags.doc_to_help("\n    First line\n    continues.\n\n    Second.\n") == "First line continues.\n\nSecond."
    args = list(flags.flag_dict_to_args({"a": True, "b": False, "c": [1, 2], "d": None, "e": "x", "m": [3, 4]},
                                        multi_flags={"m"}))
    assert args == ["--a", "--nob", "--c=1,2", "--e=x", "--m=3", "--m=4"]
    assert issubclass(flags.CantOpenFlagFileError, flags.Error)
    assert issubclass(flags.UnparsedFlagAccessError, flags.Error)
