"""Saving and loading Keras models and weights as TF 1.15's tf.keras does: HDF5 files in Keras' layout
(`hdf5_format`), TensorFlow object-based checkpoints of the weights (`tf_format`), and architectures as
configs, JSON or YAML (`model_config`)."""
from .hdf5_format import (load_weights_from_hdf5_group, load_weights_from_hdf5_group_by_name,  # noqa: F401
                          save_weights_to_hdf5_group)
from .model_config import model_from_config, model_from_json, model_from_yaml  # noqa: F401
from .save import load_model, load_weights, save_model, save_weights  # noqa: F401

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "save_weights_to_hdf5_group",
           "load_weights_from_hdf5_group", "load_weights_from_hdf5_group_by_name", "model_from_config",
           "model_from_json", "model_from_yaml"]
