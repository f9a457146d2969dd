"""`tf.summary`: summary ops and `FileWriter`, producing TensorBoard event files in the real format.

Summary ops are graph ops whose value is a serialized `Summary` protocol buffer (a scalar string tensor,
fetched as bytes): `scalar`, `histogram`, `image` (PNG-encoded here, with zlib), `text`, `tensor_summary`,
`merge`, `merge_all`. `FileWriter(logdir, graph=None)` writes 'events.out.tfevents.<time>.<host>' files:
TFRecord framing with masked CRC-32C around serialized `Event` protos (see `numflow.io.events`), which
TensorBoard reads directly; `add_graph` writes the graph as a GraphDef so the graph view can draw it.
"""
import re
import time
import zlib

import numpy as np

from .framework import dtypes, errors
from .framework.graph import GraphKeys, convert_to_tensor, get_default_graph
from .framework.op_def import OpDef, register
from .framework.tensor_shape import TensorShape
from .io import events as _events
from .io import wire as _wire
from .io.proto import (Event, HistogramProto, SessionLog, Summary, SummaryMetadata, TaggedRunMetadata,
                       TensorProto, TensorShapeProto)

__all__ = ["scalar", "histogram", "image", "text", "tensor_summary", "merge", "merge_all", "FileWriter",
           "FileWriterCache", "Summary", "SummaryMetadata", "Event", "SessionLog", "TaggedRunMetadata",
           "HistogramProto", "summary_iterator", "get_summary_description"]

summary_iterator = _events.summary_iterator

# --- tags and scopes -----------------------------------------------------------------------------
_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w\.]")


def _clean_tag(name):
    if name is None:
        return None
    new_name = _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")
    return new_name


class _summary_scope:  # noqa: N801 - a context manager, used like TF's summary_scope
    """Opens the name scope of a summary op; yields (tag, scope) as TF's summary_op_util.summary_scope."""

    def __init__(self, name, family):
        self._name = _clean_tag(name)
        self._family = _clean_tag(family)

    def __enter__(self):
        base = self._name if self._family is None else "%s/%s" % (self._family, self._name)
        self._context = get_default_graph().name_scope(base)
        scope = self._context.__enter__()
        tag = scope.rstrip("/")
        if self._family is not None:
            tag = "%s/%s" % (self._family, tag)
        return tag, scope

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)


def _string_scalar(data):
    out = np.empty((), dtype=object)
    out[()] = data
    return out


def _collect(op_output, collections):
    graph = op_output.graph
    for key in (collections if collections is not None else [GraphKeys.SUMMARIES]):
        graph.add_to_collection(key, op_output)


class _SummaryOp(OpDef):
    """Common base: one scalar string output (a serialized Summary)."""

    differentiable = False
    foldable = False

    def infer(self, op):
        return [(dtypes.string, TensorShape(()))]


def _make_summary_op(op_type, inputs, attrs, scope, collections):
    graph = inputs[0].graph if inputs else get_default_graph()
    out = graph.create_op(op_type, inputs, attrs, name=scope).outputs[0]
    _collect(out, collections)
    return out


# --- scalar --------------------------------------------------------------------------------------
@register
class ScalarSummary(_SummaryOp):
    """A Summary with one simple_value."""

    def infer(self, op):
        x = op.inputs[0]
        if x.dtype is dtypes.string or x.dtype.is_complex:
            raise TypeError("Value passed to parameter 'values' has DataType %s not in list of allowed values"
                            % x.dtype.name)
        if x.shape.ndims is not None and x.shape.ndims != 0:
            raise ValueError("Shape must be rank 0 but is rank %d: tags and values not the same shape "
                             "([] != %s)" % (x.shape.ndims, x.shape))
        return [(dtypes.string, TensorShape(()))]

    def kernel(self, op, ctx):
        tag = op.attrs["tag"]

        def run(value):
            if np.ndim(value) != 0:
                raise errors.InvalidArgumentError(None, op, "tags and values not the same shape: [] != %s "
                                                  "(tag '%s')" % (list(np.shape(value)), tag))
            return _string_scalar(Summary(value=[Summary.Value(tag=tag, simple_value=float(value))])
                                  .SerializeToString())
        return run


def scalar(name, tensor, collections=None, family=None):
    """`tf.summary.scalar(name, tensor)`: a summary of one real number (fetch it, pass to add_summary)."""
    with _summary_scope(name, family) as (tag, scope):
        tensor = convert_to_tensor(tensor)
        return _make_summary_op("ScalarSummary", [tensor], {"tag": tag}, scope, collections)


# --- histogram -----------------------------------------------------------------------------------
def _default_bucket_limits():
    positive = []
    v = 1.0e-12
    while v < 1.0e20:
        positive.append(v)
        v *= 1.1
    positive.append(np.finfo(np.float64).max)
    negative = [-x for x in reversed(positive)]
    return np.array(negative + [0.0] + positive, dtype=np.float64)


_BUCKET_LIMITS = _default_bucket_limits()


def histogram_proto(values):
    """A HistogramProto of `values` with TensorFlow's default buckets (empty runs collapsed)."""
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    limits = _BUCKET_LIMITS
    index = np.minimum(np.searchsorted(limits, values, side="right"), len(limits) - 1)
    counts = np.bincount(index, minlength=len(limits)).astype(np.float64)
    bucket_limit, bucket = [], []
    nonzero = np.flatnonzero(counts)
    previous = -1
    for i in nonzero.tolist():
        if i > previous + 1:                      # a run of empty buckets collapses to one
            bucket_limit.append(float(limits[i - 1]))
            bucket.append(0.0)
        bucket_limit.append(float(limits[i]))
        bucket.append(float(counts[i]))
        previous = i
    if previous < len(limits) - 1:
        bucket_limit.append(float(limits[-1]))
        bucket.append(0.0)
    if values.size:
        low, high = float(values.min()), float(values.max())
    else:
        low, high = float(limits[-1]), float(-limits[-1])
    return HistogramProto(min=low, max=high, num=float(values.size), sum=float(values.sum()),
                          sum_squares=float(np.dot(values, values)), bucket_limit=bucket_limit, bucket=bucket)


@register
class HistogramSummary(_SummaryOp):
    """A Summary with one histogram of all the input's values."""

    def infer(self, op):
        x = op.inputs[0]
        if not (x.dtype.is_floating or x.dtype.is_integer):
            raise TypeError("Value passed to parameter 'values' has DataType %s not in list of allowed values"
                            % x.dtype.name)
        return [(dtypes.string, TensorShape(()))]

    def kernel(self, op, ctx):
        tag = op.attrs["tag"]

        def run(values):
            values = np.asarray(values, dtype=np.float64)
            if not np.all(np.isfinite(values)):
                raise errors.InvalidArgumentError(None, op, "Nan in summary histogram for: %s" % tag)
            return _string_scalar(Summary(value=[Summary.Value(tag=tag, histo=histogram_proto(values))])
                                  .SerializeToString())
        return run


def histogram(name, values, collections=None, family=None):
    """`tf.summary.histogram(name, values)`: a histogram of all elements of `values`."""
    with _summary_scope(name, family) as (tag, scope):
        values = convert_to_tensor(values)
        return _make_summary_op("HistogramSummary", [values], {"tag": tag}, scope, collections)


# --- image ---------------------------------------------------------------------------------------
def encode_png(image):
    """PNG bytes of an [height, width, channels] uint8 array (1: gray, 2: gray+alpha, 3: RGB, 4: RGBA)."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    height, width, channels = image.shape
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    rows = np.zeros((height, 1 + width * channels), dtype=np.uint8)
    rows[:, 1:] = image.reshape(height, width * channels)

    def chunk(kind, data):
        return (len(data).to_bytes(4, "big") + kind + data
                + (zlib.crc32(kind + data) & 0xFFFFFFFF).to_bytes(4, "big"))
    header = (width.to_bytes(4, "big") + height.to_bytes(4, "big")
              + bytes([8, color_type, 0, 0, 0]))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
            + chunk(b"IEND", b""))


def _to_uint8_image(image, bad_color):
    """TF's ImageSummary float rescaling: [0, max] -> [0, 255], or [-m, m] -> [1, 255] around 128."""
    if image.dtype == np.uint8:
        return image
    image = image.astype(np.float32)
    finite = np.isfinite(image)
    # A pixel is 'bad' when any of its channels is not finite.
    bad = ~np.all(finite, axis=-1)
    good_values = image[finite]
    low = float(good_values.min()) if good_values.size else 0.0
    high = float(good_values.max()) if good_values.size else 0.0
    if low < 0:
        top = max(abs(low), abs(high))
        scale, offset = (0.0 if top < 1e-6 else 127.0 / top), 128.0
    else:
        scale, offset = (0.0 if high < 1e-6 else 255.0 / high), 0.0
    with np.errstate(invalid="ignore"):
        out = np.clip(np.where(finite, image, 0.0) * scale + offset, 0, 255).astype(np.uint8)
    if bad.any():
        out[bad] = bad_color[:image.shape[-1]]
    return out


@register
class ImageSummary(_SummaryOp):
    """A Summary with up to `max_images` PNG images from a [batch, height, width, channels] tensor."""

    def infer(self, op):
        x = op.inputs[0]
        if x.dtype not in (dtypes.uint8, dtypes.float32, dtypes.float16, dtypes.float64):
            raise TypeError("Value passed to parameter 'tensor' has DataType %s not in list of allowed "
                            "values: uint8, float32, float16, float64" % x.dtype.name)
        if x.shape.ndims is not None:
            if x.shape.ndims != 4:
                raise ValueError("Shape must be rank 4 but is rank %d" % x.shape.ndims)
            channels = x.shape.as_list()[-1]
            if channels is not None and channels not in (1, 3, 4):
                raise ValueError("Tensor must be 4-D with last dim 1, 3, or 4, not %s" % x.shape)
        return [(dtypes.string, TensorShape(()))]

    def kernel(self, op, ctx):
        tag = op.attrs["tag"]
        max_images = op.attrs["max_images"]
        bad_color = np.array([255, 0, 0, 255], dtype=np.uint8)

        def run(images):
            if images.ndim != 4 or images.shape[-1] not in (1, 3, 4):
                raise errors.InvalidArgumentError(None, op, "Tensor must be 4-D with last dim 1, 3, or 4, "
                                                  "not %s (tag '%s')" % (list(images.shape), tag))
            values = []
            for i in range(min(images.shape[0], max_images)):
                picture = _to_uint8_image(images[i], bad_color)
                height, width, channels = picture.shape
                value_tag = "%s/image/%d" % (tag, i) if max_images > 1 else "%s/image" % tag
                values.append(Summary.Value(tag=value_tag, image=Summary.Image(
                    height=height, width=width, colorspace=channels, encoded_image_string=encode_png(picture))))
            return _string_scalar(Summary(value=values).SerializeToString())
        return run


def image(name, tensor, max_outputs=3, collections=None, family=None):
    """`tf.summary.image(name, tensor, max_outputs=3)`: PNG images of a [batch, h, w, c] tensor
    (c = 1, 3 or 4; uint8 as is, floats rescaled as TensorFlow does)."""
    if int(max_outputs) < 1:
        raise ValueError("max_outputs must be positive, got %r" % (max_outputs,))
    with _summary_scope(name, family) as (tag, scope):
        tensor = convert_to_tensor(tensor)
        return _make_summary_op("ImageSummary", [tensor], {"tag": tag, "max_images": int(max_outputs)},
                                scope, collections)


# --- text / tensor -------------------------------------------------------------------------------
def _tensor_proto_of(value, dtype):
    value = np.asarray(value)
    proto = TensorProto(dtype=dtype.as_datatype_enum,
                        tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=int(d)) for d in value.shape]))
    if dtype is dtypes.string:
        proto.string_val = [v if isinstance(v, bytes) else str(v).encode("utf-8") for v in value.reshape(-1)]
    else:
        proto.tensor_content = np.ascontiguousarray(value, dtype=dtype.np.newbyteorder("<")).tobytes()
    return proto


@register
class TensorSummaryV2(_SummaryOp):
    """A Summary holding the whole input tensor, with plugin metadata (the text plugin, say)."""

    def kernel(self, op, ctx):
        tag = op.attrs["tag"]
        plugin = op.attrs.get("plugin_name", "")
        dtype = op.inputs[0].dtype

        def run(value):
            metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name=plugin)) \
                if plugin else None
            summary_value = Summary.Value(tag=tag, tensor=_tensor_proto_of(value, dtype))
            if metadata is not None:
                summary_value.metadata = metadata
            return _string_scalar(Summary(value=[summary_value]).SerializeToString())
        return run


def text(name, tensor, collections=None):
    """`tf.summary.text(name, tensor)`: a string tensor shown by TensorBoard's text dashboard."""
    with _summary_scope(name, None) as (tag, scope):
        tensor = convert_to_tensor(tensor)
        if tensor.dtype is not dtypes.string:
            raise ValueError("Expected tensor %s to have dtype string, got %s" % (tensor.name, tensor.dtype.name))
        return _make_summary_op("TensorSummaryV2", [tensor], {"tag": tag, "plugin_name": "text"}, scope,
                                collections)


def tensor_summary(name, tensor, summary_description=None, collections=None, summary_metadata=None,
                   family=None, display_name=None):
    """`tf.summary.tensor_summary(name, tensor)`: the whole tensor in a Summary."""
    with _summary_scope(name, family) as (tag, scope):
        tensor = convert_to_tensor(tensor)
        return _make_summary_op("TensorSummaryV2", [tensor], {"tag": tag}, scope, collections)


# --- merge ---------------------------------------------------------------------------------------
@register
class MergeSummary(_SummaryOp):
    """The union of the values of serialized Summary inputs (duplicate tags are an error)."""

    def infer(self, op):
        for tensor in op.inputs:
            if tensor.dtype is not dtypes.string:
                raise TypeError("Inputs of MergeSummary must be string summaries, got %s (%s)"
                                % (tensor.dtype.name, tensor.name))
        return [(dtypes.string, TensorShape(()))]

    def kernel(self, op, ctx):
        def run(*inputs):
            seen = set()
            parts = []
            for value in inputs:
                for item in np.asarray(value, dtype=object).reshape(-1):
                    item = bytes(item)
                    try:
                        summary = Summary.FromString(item)
                    except _wire.WireError:
                        raise errors.InvalidArgumentError(None, op, "Could not parse one of the summary "
                                                          "inputs") from None
                    for v in summary.value:
                        if v.tag in seen:
                            raise errors.InvalidArgumentError(None, op, "Duplicate tag %s found in summary "
                                                              "inputs" % v.tag)
                        seen.add(v.tag)
                    parts.append(item)
            return _string_scalar(b"".join(parts))   # concatenated messages merge their repeated fields
        return run


def merge(inputs, collections=None, name=None):
    """`tf.summary.merge(inputs)`: one serialized Summary holding the values of all `inputs`."""
    inputs = [convert_to_tensor(t) for t in inputs]
    graph = inputs[0].graph if inputs else get_default_graph()
    out = graph.create_op("MergeSummary", inputs, {}, name=name or "Merge/MergeSummary").outputs[0]
    for key in collections or []:
        graph.add_to_collection(key, out)
    return out


def merge_all(key=GraphKeys.SUMMARIES, scope=None, name=None):
    """`tf.summary.merge_all()`: merges every summary in collection `key`; None when there is none."""
    summaries = get_default_graph().get_collection(key, scope=scope)
    if not summaries:
        return None
    return merge(summaries, name=name)


def get_summary_description(node_def):
    """The summary_description of a summary op's metadata ('' when none)."""
    return ""


# --- FileWriter ----------------------------------------------------------------------------------
def _as_summary(summary):
    if isinstance(summary, Summary):
        return summary
    if isinstance(summary, np.ndarray):
        if summary.shape != ():
            raise TypeError("add_summary expects one serialized Summary (a scalar), got shape %s"
                            % (summary.shape,))
        summary = summary[()]
    if isinstance(summary, (bytes, bytearray, np.bytes_)):
        try:
            return Summary.FromString(bytes(summary))
        except _wire.WireError as exc:
            raise ValueError("add_summary: could not parse the serialized Summary (%s)" % exc) from None
    raise TypeError("add_summary expects a Summary or its serialized bytes, got %s" % type(summary).__name__)


class FileWriter:
    """`tf.summary.FileWriter(logdir, graph=None, max_queue=10, flush_secs=120, filename_suffix=None)`:
    writes Summary, graph and session-log Events to a new event file in `logdir` for TensorBoard."""

    def __init__(self, logdir, graph=None, max_queue=10, flush_secs=120, graph_def=None, filename_suffix=None,
                 session=None):
        self._writer = _events.EventFileWriter(logdir, max_queue, flush_secs, filename_suffix)
        self._seen_summary_tags = set()
        if graph is not None or graph_def is not None:
            self.add_graph(graph, graph_def=graph_def)

    def get_logdir(self):
        """The directory the event file is in."""
        return self._writer.get_logdir()

    @property
    def event_file(self):
        """numflow: the path of the event file being written."""
        return self._writer.path

    def add_event(self, event):
        """Adds an `Event` proto (or its serialized bytes) to the file."""
        self._writer.add_event(event)

    def _add(self, step, **what):
        event = Event(wall_time=time.time(), **what)
        if step is not None:
            event.step = int(step)
        self._writer.add_event(event)

    def add_summary(self, summary, global_step=None):
        """Adds a Summary (the bytes a summary op returns, or a `Summary`) at step `global_step`."""
        summary = _as_summary(summary)
        for value in summary.value:
            if value.HasField("metadata"):
                if value.tag in self._seen_summary_tags:
                    value._values.pop("metadata", None)   # TensorBoard keeps the first metadata of a tag
                else:
                    self._seen_summary_tags.add(value.tag)
        self._add(global_step, summary=summary)

    def add_graph(self, graph, global_step=None, graph_def=None):
        """Adds `graph` (a tf.Graph) or `graph_def` (serialized GraphDef bytes) for the graph view."""
        if graph is not None and graph_def is not None:
            raise ValueError("Please pass only graph, or graph_def (deprecated), but not both.")
        if graph is not None:
            from .framework.graph import Graph
            if not isinstance(graph, Graph):
                raise TypeError("add_graph expects a tf.Graph, got %s" % type(graph).__name__)
            data = _events.graph_def_bytes(graph)
        elif graph_def is not None:
            data = graph_def if isinstance(graph_def, (bytes, bytearray)) else graph_def.SerializeToString()
        else:
            raise ValueError("add_graph needs a graph (or a serialized graph_def)")
        self._add(global_step, graph_def=bytes(data))

    def add_session_log(self, session_log, global_step=None):
        self._add(global_step, session_log=session_log)

    def add_run_metadata(self, run_metadata, tag, global_step=None):
        data = run_metadata if isinstance(run_metadata, (bytes, bytearray)) else b""
        self._add(global_step, tagged_run_metadata=TaggedRunMetadata(tag=tag, run_metadata=data))

    def add_meta_graph(self, meta_graph_def, global_step=None):
        pass

    def flush(self):
        """Writes pending events to disk."""
        self._writer.flush()

    def close(self):
        """Flushes and closes the file; later events are dropped until `reopen()`."""
        self._writer.close()

    def reopen(self):
        self._writer.reopen()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class FileWriterCache:
    """One FileWriter per logdir, shared."""

    _cache = {}

    @staticmethod
    def get(logdir):
        writer = FileWriterCache._cache.get(logdir)
        if writer is None:
            writer = FileWriterCache._cache[logdir] = FileWriter(logdir, graph=get_default_graph())
        return writer

    @staticmethod
    def clear():
        for writer in FileWriterCache._cache.values():
            writer.close()
        FileWriterCache._cache.clear()


from .summary_audio import SummaryDescription, audio  # noqa: E402,F401 - tf.summary.audio (issue 12)
__all__ += ["SummaryDescription", "audio"]


def all_v2_summary_ops():
    """`tf.summary.all_v2_summary_ops()`: the list of V2-style (`tf.contrib.summary`) summary ops of the
    default graph."""
    from . import summary_v2
    return summary_v2.all_summary_ops()


def initialize(graph=None, session=None):
    """`tf.summary.initialize(graph=None, session=None)`: runs the summary writers' initializers in `session`
    (the default session when None) and writes `graph` if given; see `tf.contrib.summary.initialize`."""
    from . import summary_v2
    return summary_v2.initialize(graph=graph, session=session)


__all__ += ["all_v2_summary_ops", "initialize"]
