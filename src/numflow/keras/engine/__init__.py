"""Keras' engine: the base Layer, Input, and (in `network` / `training` / `sequential`) the models."""
from .base_layer import Layer, Node  # noqa: F401
from .input_layer import Input, InputLayer  # noqa: F401
from .input_spec import InputSpec  # noqa: F401
