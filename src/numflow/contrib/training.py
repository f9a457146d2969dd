"""`tf.contrib.training`: HParams, the typed hyperparameter container, and parse_values, its parser of
'name=value,list=[v1,v2],list[i]=v' strings."""
import json
import numbers
import re

__all__ = ["HParams", "parse_values"]

# name, an optional [index], '=', then a scalar up to the next comma or a bracketed list.
_ASSIGNMENT = re.compile(r"(?P<name>[a-zA-Z][\w.]*)(\[\s*(?P<index>\d+)\s*\])?\s*=\s*"
                         r"((?P<scalar>[^,\[]*)|\[(?P<items>[^\]]*)\])($|,\s*)")


def _parse_failure(name, value_type, value, text):
    raise ValueError("Could not parse hparam '%s' of type '%s' with value '%s' in %s"
                     % (name, value_type.__name__, value, text))


def _repeat_failure(name, text):
    raise ValueError("Multiple assignments to variable '%s' in %s" % (name, text))


def _parser_for(value_type):
    if value_type is bool:
        def parse_bool(text):
            if text in ("true", "True"):
                return True
            if text in ("false", "False"):
                return False
            return bool(int(text))
        return parse_bool
    return value_type


def parse_values(values, type_map, ignore_unknown=False):
    """Parses 'a=1,b=[1,2],c[0]=3' into {name: value}; `type_map` gives each name's element type
    (int, float, bool, str). An indexed assignment yields {name: {index: value}}. Unknown names are a
    ValueError unless ignore_unknown; so are malformed text, repeated names and unparsable values."""
    results = {}
    position = 0
    while position < len(values):
        match = _ASSIGNMENT.match(values, position)
        if not match:
            raise ValueError("Malformed hyperparameter value: %s" % values[position:])
        position = match.end()
        name, index = match.group("name"), match.group("index")
        if name not in type_map:
            if ignore_unknown:
                continue
            raise ValueError("Unknown hyperparameter type for %s" % name)
        value_type = type_map[name]
        parse = _parser_for(value_type)
        if match.group("scalar") is not None:
            raw = match.group("scalar")
            try:
                parsed = parse(raw)
            except ValueError:
                _parse_failure(name, value_type, raw, values)
            if index is None:
                if name in results:
                    _repeat_failure(name, values)
                results[name] = parsed
            else:
                slots = results.setdefault(name, {})
                if not isinstance(slots, dict) or int(index) in slots:
                    _repeat_failure(name, values)
                slots[int(index)] = parsed
        else:
            if index is not None:
                raise ValueError("Assignment of a list to a list index.")
            if name in results:
                _repeat_failure(name, values)
            raw = match.group("items")
            try:
                results[name] = [parse(item) for item in re.split("[ ,]", raw) if item]
            except ValueError:
                _parse_failure(name, value_type, raw, values)
    return results


def _cast_if_compatible(name, value_type, value):
    """`value` converted to `value_type` when that loses nothing TF1 cares about (an int to a float is
    fine; a float to an int, a bool to a number or a number to a string is a ValueError)."""
    failure = "Could not cast hparam '%s' of type '%s' from value %r" % (name, value_type, value)
    if issubclass(value_type, type(None)):
        return value
    if issubclass(value_type, (str, bytes)) and not isinstance(value, (str, bytes)):
        raise ValueError(failure)
    if issubclass(value_type, bool) != isinstance(value, bool):
        raise ValueError(failure)
    if issubclass(value_type, numbers.Integral) and not isinstance(value, numbers.Integral):
        raise ValueError(failure)
    if issubclass(value_type, numbers.Number) and not isinstance(value, numbers.Number):
        raise ValueError(failure)
    return value_type(value)


class HParams:
    """`tf.contrib.training.HParams(hparam_def=None, model_structure=None, **kwargs)`: named
    hyperparameters read as attributes (`hparams.learning_rate`). Each one's type (or, for a list,
    its elements' type) is fixed when it is added; set_hparam, parse and override_from_dict cast new
    values to it and reject incompatible ones with ValueError."""

    _HAS_DYNAMIC_ATTRIBUTES = True

    def __init__(self, hparam_def=None, model_structure=None, **kwargs):
        self._hparam_types = {}
        self._model_structure = model_structure
        if hparam_def is not None:
            raise ValueError("hparam_def (an HParamDef protocol buffer) is not supported by numflow; "
                             "pass the hyperparameters as keyword arguments")
        for name, value in kwargs.items():
            self.add_hparam(name, value)

    def add_hparam(self, name, value):
        """Adds hyperparameter `name` with `value`, fixing its type; a non-empty list makes it
        multi-valued with its first element's type."""
        if getattr(self, name, None) is not None:
            raise ValueError("Hyperparameter name is reserved: %s" % name)
        if isinstance(value, (list, tuple)):
            if not value:
                raise ValueError("Multi-valued hyperparameters cannot be empty: %s" % name)
            self._hparam_types[name] = (type(value[0]), True)
        else:
            self._hparam_types[name] = (type(value), False)
        setattr(self, name, value)

    def set_hparam(self, name, value):
        """Sets existing hyperparameter `name` to `value` cast to its type (KeyError if unknown)."""
        value_type, is_list = self._hparam_types[name]
        if isinstance(value, list):
            if not is_list:
                raise ValueError("Must not pass a list for single-valued parameter: %s" % name)
            setattr(self, name, [_cast_if_compatible(name, value_type, v) for v in value])
        else:
            if is_list:
                raise ValueError("Must pass a list for multi-valued parameter: %s." % name)
            setattr(self, name, _cast_if_compatible(name, value_type, value))

    def del_hparam(self, name):
        """Removes hyperparameter `name` (nothing happens when there is none)."""
        if hasattr(self, name):
            delattr(self, name)
            del self._hparam_types[name]

    def parse(self, values):
        """Overrides hyperparameters from a string such as 'lr=0.1,layers=[64,32],flags[1]=true'.
        Returns self."""
        type_map = {name: value_type for name, (value_type, _) in self._hparam_types.items()}
        return self.override_from_dict(parse_values(values, type_map))

    def override_from_dict(self, values_dict):
        """Sets each {name: value}; a {index: value} dict sets single elements of a list. Returns self."""
        for name, value in values_dict.items():
            if isinstance(value, dict):
                value = self._with_elements_replaced(name, value)
            self.set_hparam(name, value)
        return self

    def _with_elements_replaced(self, name, replacements):
        if name not in self._hparam_types:
            raise KeyError(name)
        if not self._hparam_types[name][1]:
            raise ValueError("Must not pass a list for single-valued parameter: %s" % name)
        elements = list(getattr(self, name))
        for index, value in replacements.items():
            if index >= len(elements):
                raise ValueError("Index %d is out of range for hparam '%s' of length %d"
                                 % (index, name, len(elements)))
            elements[index] = value
        return elements

    def set_model_structure(self, model_structure):
        self._model_structure = model_structure

    def get_model_structure(self):
        return self._model_structure

    def to_json(self, indent=None, separators=None, sort_keys=False):
        """The hyperparameters as a JSON object string."""
        return json.dumps(self.values(), indent=indent, separators=separators, sort_keys=sort_keys)

    def parse_json(self, values_json):
        """Overrides hyperparameters from a JSON object string. Returns self."""
        return self.override_from_dict(json.loads(values_json))

    def values(self):
        """The hyperparameters as a {name: value} dict."""
        return {name: getattr(self, name) for name in self._hparam_types}

    def get(self, key, default=None):
        """The value of `key`, or `default` when there is no such hyperparameter. A `default` whose
        type does not fit the hyperparameter's is a ValueError."""
        if key not in self._hparam_types:
            return default
        if default is not None:
            value_type, is_list = self._hparam_types[key]
            type_text = "list<%s>" % value_type if is_list else str(value_type)
            failure = "Hparam '%s' of type '%s' is incompatible with default=%s" % (key, type_text, default)
            if is_list != isinstance(default, list):
                raise ValueError(failure)
            try:
                for value in (default if is_list else [default]):
                    _cast_if_compatible(key, value_type, value)
            except ValueError as error:
                raise ValueError("%s. %s" % (failure, error))
        return getattr(self, key)

    def __contains__(self, key):
        return key in self._hparam_types

    def __str__(self):
        return str(sorted(self.values().items()))

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, self)
