"""`tf.data.experimental.TFRecordWriter`: an op that writes a dataset of strings to a TFRecord file."""
from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor
from ..framework.op_def import OpDef, register
from ..ops.common import make_op
from .dataset_ops import DatasetV1
from .streams import Runtime

# Records handed to the file writer per chunk read from the dataset.
_WRITE_CHUNK = 1024


@register
class DatasetToTFRecord(OpDef):
    """Writes every element of a dataset of scalar strings, in order, as the records of a new TFRecord
    file (inputs: the file name, the compression type, then the dataset's own input tensors)."""

    stateful = True
    differentiable = False

    def infer(self, op):
        return []

    def kernel(self, op, ctx):
        from ..io.tfrecord import TFRecordWriter as FileWriter
        dataset = op.attrs["dataset"]
        inputs = op.attrs["dataset_inputs"]

        def write(filename, compression_type, *values):
            compression = _text(compression_type)
            if compression not in ("", "ZLIB", "GZIP"):
                raise errors.InvalidArgumentError(None, op, "Unsupported compression_type: %r (use '', "
                                                  "'ZLIB' or 'GZIP')" % compression)
            stream = dataset._stream(Runtime(ctx, dict(zip(inputs, values))))
            with FileWriter(_text(filename), compression) as writer:
                while True:
                    chunk = stream.next_chunk(_WRITE_CHUNK)
                    if chunk is None:
                        break
                    for record in chunk[0]:
                        writer.write(record)
        return write


def _text(value):
    value = value.item() if hasattr(value, "item") else value
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class TFRecordWriter:
    """`tf.data.experimental.TFRecordWriter(filename, compression_type=None)`: `write(dataset)` returns
    the op that, when run, writes the dataset's scalar strings as the records of `filename`."""

    def __init__(self, filename, compression_type=None):
        self._filename = convert_to_tensor(filename, dtypes.string, name="filename")
        self._compression_type = convert_to_tensor(compression_type or "", dtypes.string,
                                                   name="compression_type")

    def write(self, dataset):
        """The op writing `dataset` (scalar `tf.string` elements) to the file."""
        if not isinstance(dataset, DatasetV1):
            raise TypeError("`dataset` must be a `tf.data.Dataset` object.")
        specs = dataset._flat_specs()
        if len(specs) != 1 or specs[0].dtype is not dtypes.string or not specs[0].shape.is_compatible_with([]):
            raise TypeError("`dataset` must produce scalar `DT_STRING` tensors whereas it produces shape %s "
                            "and types %s" % (dataset.output_shapes, dataset.output_types))
        inputs = dataset._all_inputs()
        return make_op("DatasetToTFRecord", [self._filename, self._compression_type] + inputs,
                       {"dataset": dataset, "dataset_inputs": inputs}, name="DatasetToTFRecord")
