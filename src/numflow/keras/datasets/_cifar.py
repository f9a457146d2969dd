"""The binary CIFAR layout (records of label byte(s) then 3072 pixel bytes, channels first). It is the
only CIFAR format numflow reads: the 'python' version is pickled, and numflow never unpickles files."""
import os

import numpy as np

from ..backend import image_data_format
from ..utils.data_utils import get_file
from ._common import cache_path

RECORD_PIXELS = 3 * 32 * 32


def read_records(path, label_bytes, label_index):
    """(images uint8 (n, 3, 32, 32), labels uint8 (n, 1)) of one binary CIFAR file."""
    size = os.path.getsize(path)
    record = label_bytes + RECORD_PIXELS
    if size == 0 or size % record:
        raise ValueError("%s: %d bytes is not a whole number of %d-byte CIFAR records" % (path, size, record))
    data = np.fromfile(path, dtype=np.uint8).reshape(-1, record)
    return data[:, label_bytes:].reshape(-1, 3, 32, 32), data[:, label_index:label_index + 1].copy()


def arrange(images):
    """Images in the Keras image data format (channels last by default)."""
    return images.transpose(0, 2, 3, 1) if image_data_format() == "channels_last" else images


def locate(path, folder_name, files, origin, dataset):
    """The folder holding the binary files: `path` when given, else the Keras cache's `folder_name`
    (downloading and extracting the binary archive when missing)."""
    folder = path or cache_path(folder_name)
    missing = [f for f in files if not os.path.isfile(os.path.join(folder, f))]
    if not missing:
        return folder
    if path is None:
        folder = get_file(folder_name, origin=origin, untar=True)
        if all(os.path.isfile(os.path.join(folder, f)) for f in files):
            return folder
    raise FileNotFoundError(
        "%s: %s missing from %s. numflow reads the binary version of %s (%s, extracted); the 'python' "
        "version is pickled and is never loaded." % (dataset, ", ".join(missing), folder, dataset, origin))
