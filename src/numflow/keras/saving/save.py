"""Where `Model.save / save_weights / load_weights` and `tf.keras.models.save_model / load_model` pick
the file format: HDF5 for paths ending in '.h5' / '.keras' / '.hdf5' (or `save_format='h5'`), else
TensorFlow's checkpoint format for weights (TF 1.15's rule)."""
import os

from . import hdf5_format, saving_utils, tf_format

__all__ = ["save_model", "load_model", "save_weights", "load_weights"]

_TF_NAMES = ("tf", "tensorflow")
_H5_NAMES = ("h5", "hdf5", "keras")


def _weights_format(filepath, save_format):
    is_h5 = hdf5_format.is_hdf5_filepath(filepath)
    if save_format is None:
        return "h5" if is_h5 else "tf"
    normalized = str(save_format).lower().strip()
    if normalized in _TF_NAMES:
        if is_h5:
            raise ValueError('save_weights got save_format="tf"/"tensorflow", but the filepath ("%s") looks like '
                             'an HDF5 file. Omit the ".h5"/".keras" when saving in TensorFlow format.'
                             % (filepath,))
        return "tf"
    if normalized in _H5_NAMES:
        return "h5"
    raise ValueError('Unknown format "%s". Was expecting one of {"tf", "h5"}.' % (save_format,))


def save_weights(model, filepath, overwrite=True, save_format=None):
    """`model.save_weights(filepath, overwrite=True, save_format=None)`: the weights of every layer, in
    HDF5 ('.h5' paths or `save_format='h5'`) or as a TensorFlow checkpoint at the prefix `filepath`."""
    filepath = os.fspath(filepath)
    save_format = _weights_format(filepath, save_format)
    if save_format == "h5":
        hdf5_format._h5py()
        if not saving_utils.may_write(filepath, overwrite):
            return
        with hdf5_format.open_hdf5(filepath, "w") as f:
            hdf5_format.save_weights_to_hdf5_group(f, model.layers)
            f.flush()
        return
    if not saving_utils.may_write(filepath + ".index", overwrite):
        return
    tf_format.save_weights_to_checkpoint(model, filepath)


def _is_hdf5_file(filepath):
    try:
        with open(filepath, "rb") as handle:
            return handle.read(8) == b"\x89HDF\r\n\x1a\n"
    except OSError:
        return False


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    """`model.load_weights(filepath, by_name=False, skip_mismatch=False)`: HDF5 files (by layer order,
    or by layer name with `by_name`), else a TensorFlow checkpoint (by the object graph; `by_name` is
    not supported there, as in TF)."""
    filepath = os.fspath(filepath)
    if not hdf5_format.is_hdf5_filepath(filepath) and \
            (os.path.exists(filepath + ".index") or not _is_hdf5_file(filepath)):
        if by_name:
            raise NotImplementedError("Weights may only be loaded based on topology into Models when loading "
                                      "TensorFlow-formatted weights (got by_name=True to load_weights).")
        return tf_format.load_weights_from_checkpoint(model, filepath)
    if skip_mismatch and not by_name:
        raise ValueError("When calling model.load_weights, skip_mismatch can only be set to True when by_name "
                         "is True.")
    with hdf5_format.open_hdf5(filepath, "r") as f:
        if "layer_names" not in f.attrs and "model_weights" in f:
            f = f["model_weights"]
        if by_name:
            hdf5_format.load_weights_from_hdf5_group_by_name(f, model.layers, skip_mismatch=skip_mismatch)
        else:
            hdf5_format.load_weights_from_hdf5_group(f, model.layers)


def save_model(model, filepath, overwrite=True, include_optimizer=True, save_format=None, signatures=None):
    """`tf.keras.models.save_model`: the whole model (architecture, weights, compile arguments and
    optimizer state) in one HDF5 file. TF 1.15's default format is HDF5 for any path; the SavedModel
    format (`save_format='tf'`) is not available in numflow."""
    normalized = "h5" if save_format is None else str(save_format).lower().strip()
    if normalized in _TF_NAMES:
        raise NotImplementedError("Saving a whole Keras model in the SavedModel format (save_format='tf') is not "
                                  "supported by numflow; use save_format='h5' (an HDF5 file), or save_weights "
                                  "for a TensorFlow checkpoint of the weights.")
    if normalized not in _H5_NAMES:
        raise ValueError('Unknown format "%s". Was expecting one of {"tf", "h5"}.' % (save_format,))
    hdf5_format.save_model_to_hdf5(model, filepath, overwrite, include_optimizer)


def load_model(filepath, custom_objects=None, compile=True):  # noqa: A002 - Keras' name
    """`tf.keras.models.load_model`: a model saved by `save_model` / `model.save` in HDF5 (rebuilt from its
    config with `custom_objects`, weights loaded, and compiled when `compile` and the file has a training
    configuration)."""
    h5py = hdf5_format._h5py()
    if isinstance(filepath, h5py.File) or hdf5_format.is_hdf5_filepath(filepath) or \
            _is_hdf5_file(os.fspath(filepath)):
        return hdf5_format.load_model_from_hdf5(filepath, custom_objects, compile)
    if os.path.isdir(os.fspath(filepath)):
        raise NotImplementedError("Loading a Keras model from a SavedModel directory (%s) is not supported by "
                                  "numflow; save the model in HDF5 format instead." % (filepath,))
    raise OSError("Unable to load model. Filepath is not an hdf5 file (or h5py is not available) or SavedModel: "
                  "%s" % (filepath,))
