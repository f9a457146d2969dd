"""Seeded fuzzing of the file readers: checkpoints (.index and .data), IDX files and event files.

Each file is mutated a few hundred times (bit flips, truncations, inserted bytes, edited length fields,
and edits below valid framing: table entries rewritten with good block checksums, event records re-framed
with good CRCs, IDX payloads re-gzipped) and read back. Only numflow's tf.errors classes or ValueError may
come out, a damaged data file is never read back as different values, and memory stays bounded.
"""
import gzip
import os
import random
import struct
import tracemalloc

import numpy as np
import pytest

import numflow as tf
from numflow.datasets import idx, mnist
from numflow.framework import dtypes
from numflow.io import bundle, crc32c, events, table, tfrecord, wire
from numflow.io.proto import HistogramProto, TensorProto

SEED = 20240615
MUTATIONS = 300
MEMORY_LIMIT = 64 << 20           # the largest legitimate read here is a few kilobytes
ALLOWED = (tf.errors.OpError, ValueError)
INTERESTING = [0, 1, 2, 127, 128, 255, 2 ** 16, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40,
               2 ** 48 + 1, 2 ** 62, 2 ** 63 - 1, 2 ** 64 - 1]


# --- mutations -------------------------------------------------------------------------------------
def flip_bits(data, rng):
    data = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        position = rng.randrange(len(data))
        data[position] ^= 1 << rng.randrange(8)
    return bytes(data)


def truncate(data, rng):
    return data[:rng.randrange(len(data))]


def insert_bytes(data, rng):
    position = rng.randrange(len(data) + 1)
    return data[:position] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + data[position:]


def overwrite_varint(data, rng):
    """A length-like field edit: an interesting varint written over whatever is at a random position."""
    position = rng.randrange(len(data))
    value = wire.encode_varint(rng.choice(INTERESTING))
    return data[:position] + value + data[position + len(value):]


RAW_MUTATIONS = [flip_bits, truncate, insert_bytes, overwrite_varint]


def _raw_mutation(data, rng):
    return rng.choice(RAW_MUTATIONS)(data, rng)


# --- the harness ------------------------------------------------------------------------------------
class Harness:
    """Runs read attempts under tracemalloc, counting outcomes and recording the highest memory peak."""

    def __init__(self):
        self.outcomes = {}
        self.peak = 0

    def attempt(self, label, read):
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        try:
            read()
            outcome = "ok"
        except ALLOWED as exc:
            outcome = type(exc).__name__
        except Exception as exc:  # noqa: BLE001 - the failure this test exists to catch
            raise AssertionError("%s raised %s: %s" % (label, type(exc).__name__, exc)) from exc
        finally:
            self.peak = max(self.peak, tracemalloc.get_traced_memory()[1] - before)
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        return outcome


@pytest.fixture
def harness():
    tracemalloc.start()
    h = Harness()
    try:
        yield h
    finally:
        tracemalloc.stop()
    assert h.peak < MEMORY_LIMIT, "a mutated file made a reader allocate %d bytes" % h.peak


# --- checkpoints -------------------------------------------------------------------------------------
CHECKPOINT = {
    "dense/kernel": (np.arange(24, dtype=np.float32).reshape(4, 6) / 7, dtypes.float32),
    "global_step": (np.array(1234, np.int64), dtypes.int64),
    "names": (np.array([b"alpha", b"", b"gamma" * 20], dtype=object), dtypes.string),
    "flags": (np.array([True, False, True]), dtypes.bool),
    "empty": (np.zeros((0, 3), np.float64), dtypes.float64),
}


def _read_everything(prefix):
    reader = tf.train.NewCheckpointReader(prefix)
    reader.get_variable_to_shape_map()
    reader.get_variable_to_dtype_map()
    reader.debug_string()
    return {name: reader.get_tensor(name) for name in sorted(reader.get_variable_to_shape_map())}


def _same_values(values):
    if sorted(values) != sorted(CHECKPOINT):
        return False
    for name, (expected, _) in CHECKPOINT.items():
        got = np.asarray(values[name])
        if got.shape != expected.shape or got.dtype != (expected.dtype if expected.dtype != object else got.dtype):
            return False
        if not np.array_equal(got, expected):
            return False
    return True


HUGE_DIMS = [2 ** 20, 2 ** 24, 2 ** 31, 2 ** 40, 2 ** 47]


def _message_bytes(fields):
    """Re-encodes {field number: [int (varint) or bytes]}: 4-byte CRC fields as fixed32, other bytes as
    length-delimited fields."""
    w = wire.Writer()
    for number, values in sorted(fields.items()):
        for item in values:
            if isinstance(item, int):
                w.varint(number, item, False)
            elif number == 6 and len(item) == 4:
                w.raw(wire.encode_varint(number << 3 | 5) + item)
            else:
                w.bytes(number, item, False)
    return w.getvalue()


def _shape_bytes(dims):
    shape = wire.Writer()
    for dim in dims:
        shape.message(2, wire.Writer().varint(1, dim))
    return shape.getvalue()


def _mutate_index_entry(index, rng):
    """Rewrites one table entry (a BundleEntryProto or the header) with an edited field, keeping every block
    checksum valid so that the edit reaches the bundle parser."""
    items = table.read_table(index)
    position = rng.randrange(len(items))
    key, value = items[position]
    choice = rng.random()
    if choice < 0.3 and key:                  # a tensor declared far larger than its data
        fields = wire.parse(value)
        fields[2] = [_shape_bytes([rng.choice(HUGE_DIMS)] if rng.random() < 0.6 else
                                  [rng.choice(INTERESTING) for _ in range(rng.randint(0, 4))])]
        value = _message_bytes(fields)
    elif choice < 0.6:
        fields = wire.parse(value)
        number = rng.choice([1, 2, 3, 4, 5, 6, 7] if key else [1, 2, 3])
        if rng.random() < 0.7:
            fields[number] = [rng.choice(INTERESTING)]
        else:                                  # the right number with the wrong wire type
            fields[number] = [bytes(rng.randrange(256) for _ in range(rng.randint(0, 9)))]
        value = _message_bytes(fields)
    elif choice < 0.85:
        value = _raw_mutation(value, rng) if value else value
    else:
        key = _raw_mutation(key, rng) if key else b"x"
    items[position] = (key, value)
    items.sort(key=lambda kv: kv[0])
    unique = []
    for k, v in items:
        if unique and unique[-1][0] == k:
            continue
        unique.append((k, v))
    return table.write_table(unique)


def test_fuzz_checkpoint_index_and_data(tmp_path, harness):
    rng = random.Random(SEED)
    source = str(tmp_path / "source")
    bundle.write_bundle(source, CHECKPOINT)
    index = open(bundle.index_filename(source), "rb").read()
    data = open(bundle.data_filename(source), "rb").read()
    prefix = str(tmp_path / "m")
    for number in range(MUTATIONS):
        for which in ("index", "data"):
            if which == "index":
                new_index = _mutate_index_entry(index, rng) if rng.random() < 0.5 else _raw_mutation(index, rng)
                new_data = data
            else:
                new_index, new_data = index, _raw_mutation(data, rng)
            with open(bundle.index_filename(prefix), "wb") as handle:
                handle.write(new_index)
            with open(bundle.data_filename(prefix), "wb") as handle:
                handle.write(new_data)
            result = {}
            outcome = harness.attempt("%s mutation %d" % (which, number),
                                      lambda: result.update(_read_everything(prefix)))
            if which == "data" and outcome == "ok":
                # Damaged tensor bytes are detected by their checksums; only bytes past the last tensor
                # (appended data) can go unnoticed, and then every value must still be exact.
                assert _same_values(result), "data mutation %d was read back as different values" % number
    assert harness.outcomes.get("DataLossError", 0) > MUTATIONS


# --- IDX files ---------------------------------------------------------------------------------------
def _idx_bytes(array):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def _edit_dimension(payload, rng):
    ndim = payload[3] if len(payload) > 3 else 0
    if ndim == 0 or len(payload) < 4 + 4 * ndim:
        return flip_bits(payload, rng)
    position = 4 + 4 * rng.randrange(ndim)
    # Declared sizes up to a few MB, or impossible ones (a legitimate 50 MB read would exceed the bound).
    value = rng.choice([0, 1, 2, 127, 128, 255, 4096, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1])
    return payload[:position] + value.to_bytes(4, "big") + payload[position + 4:]


def test_fuzz_idx_files(tmp_path, harness):
    rng = random.Random(SEED + 1)
    # A second gzip member of 96 MiB of zeros (about 100 KB compressed): appended to a mutated file, it
    # turns a header that declares too much into a gzip bomb, which must never be decompressed in full.
    bomb = gzip.compress(bytes(96 << 20), compresslevel=9, mtime=0)
    images = _idx_bytes(np.arange(6 * 28 * 28).reshape(6, 28, 28) % 256)
    labels = _idx_bytes(np.array([3, 1, 4, 1, 5, 9]))
    path = str(tmp_path / "file")
    for number in range(MUTATIONS):
        for payload, read in ((images, mnist.extract_images),
                              (labels, lambda p: mnist.extract_labels(p, one_hot=True))):
            choice = rng.random()
            if choice < 0.3:
                mutated = _edit_dimension(payload, rng)
            elif choice < 0.6:
                mutated = _raw_mutation(payload, rng)
            else:
                mutated = gzip.compress(_edit_dimension(payload, rng) if rng.random() < 0.5 else
                                        _raw_mutation(payload, rng), mtime=0)
                if rng.random() < 0.4:
                    mutated = _raw_mutation(mutated, rng)       # damage the compressed stream itself
                elif rng.random() < 0.5:
                    mutated += bomb
            with open(path, "wb") as handle:
                handle.write(mutated)
            result = []
            outcome = harness.attempt("IDX mutation %d" % number, lambda: result.append(read(path)))
            if outcome == "ok":
                array = result[0]
                assert array.dtype in (np.uint8, np.float32) and array.size < 10 ** 6
    assert harness.outcomes.get("ValueError", 0) > MUTATIONS // 2
    # The reader never trusts a header: an unreadable stream (a plain file object) still works.
    with open(path, "wb") as handle:
        handle.write(gzip.compress(images))
    with open(path, "rb") as handle:
        assert idx.read_idx(handle).shape == (6, 28, 28)


# --- event files -------------------------------------------------------------------------------------
def _event_records(tmp_path):
    writer = tf.summary.FileWriter(str(tmp_path / "logs"))
    values = [tf.summary.Summary.Value(tag="loss", simple_value=0.25)]
    histogram = HistogramProto(min=-1.0, max=3.0, num=5, sum=4.0, sum_squares=11.0,
                                  bucket_limit=[0.0, 1.0, 3.0], bucket=[1.0, 3.0, 1.0])
    values.append(tf.summary.Summary.Value(tag="weights", histo=histogram))
    values.append(tf.summary.Summary.Value(tag="notes", tensor=TensorProto(dtype=7, string_val=[b"hi", b"yo"])))
    for step in range(3):
        writer.add_summary(tf.summary.Summary(value=values), step)
    writer.close()
    path = os.path.join(str(tmp_path / "logs"), os.listdir(str(tmp_path / "logs"))[0])
    return list(events.read_records(path))


def _touch_event(event):
    """Reads every part of an Event, so a lazily-failing field would show."""
    repr(event)
    event.SerializeToString()
    event.WhichOneof("what")
    for value in event.summary.value:
        (value.tag, value.simple_value, value.histo.bucket, value.tensor.string_val)


def _length_edit(records, rng):
    """A record whose length field is replaced by an interesting value, its length CRC recomputed, so the
    reader believes it."""
    framed = [events.encode_record(r) for r in records]
    position = rng.randrange(len(framed))
    header = struct.pack("<Q", rng.choice(INTERESTING))
    record = framed[position]
    framed[position] = header + struct.pack("<I", crc32c.masked_value(header)) + record[12:]
    return b"".join(framed)


def _payload_edit(records, rng):
    """One record's payload mutated and re-framed with valid checksums, so that the Event parser sees it."""
    records = list(records)
    position = rng.randrange(len(records))
    records[position] = _raw_mutation(records[position], rng) if records[position] else b"\x08"
    return b"".join(events.encode_record(r) for r in records)


def _fields(data, start=0, end=None, depth=0):
    """(start, end, field number) of every field of a protobuf message, descending into length-delimited
    fields that parse as messages themselves; None when `data[start:end]` is not a message."""
    end = len(data) if end is None else end
    spans = []
    pos = start
    try:
        while pos < end:
            first = pos
            key, pos = wire.decode_varint(data, pos, end)
            kind = key & 7
            if kind == 0:
                _, pos = wire.decode_varint(data, pos, end)
            elif kind in (1, 5):
                pos += 8 if kind == 1 else 4
            elif kind == 2:
                length, pos = wire.decode_varint(data, pos, end)
                if pos + length > end:
                    return None
                if depth < 4:
                    spans.extend(_fields(data, pos, pos + length, depth + 1) or [])
                pos += length
            else:
                return None
            if pos > end:
                return None
            spans.append((first, pos, key >> 3))
    except wire.WireError:
        return None
    return spans


def _replacement_fields(number):
    """Well-formed fields numbered `number` of each wire type (varint, fixed64, fixed32, bytes)."""
    return [wire.Writer().varint(number, 2 ** 40, False).getvalue(),
            wire.Writer().double(number, 1.5, False).getvalue(),
            wire.Writer().fixed32(number, 7).getvalue(),
            wire.Writer().bytes(number, b"\x08\x01", False).getvalue()]


def _resize_parents(record, first, last, replacement):
    """`record` with bytes [first, last) replaced, the length prefixes of every enclosing field fixed."""
    def rebuild(data, start, end):
        out = wire.Writer()
        pos = start
        while pos < end:
            field_start = pos
            key, pos = wire.decode_varint(data, pos, end)
            kind = key & 7
            if kind == 0:
                _, pos = wire.decode_varint(data, pos, end)
            elif kind in (1, 5):
                pos += 8 if kind == 1 else 4
            else:
                length, pos = wire.decode_varint(data, pos, end)
                body_start, pos = pos, pos + length
                if field_start == first:
                    out.raw(replacement)
                    continue
                if body_start <= first and last <= pos:          # encloses the edited field: rebuild it
                    out.bytes(key >> 3, rebuild(data, body_start, pos), False)
                    continue
            if field_start == first:
                out.raw(replacement)
            else:
                out.raw(data[field_start:pos])
        return out.getvalue()
    return rebuild(record, 0, len(record))


def test_fuzz_event_files(tmp_path, harness):
    rng = random.Random(SEED + 2)
    records = _event_records(tmp_path)
    original = b"".join(events.encode_record(r) for r in records)
    path = str(tmp_path / "events.out.tfevents.1.fuzz")
    for number in range(MUTATIONS):
        choice = rng.random()
        if choice < 0.35:
            mutated = _payload_edit(records, rng)
        elif choice < 0.55:
            mutated = _length_edit(records, rng)
        else:
            mutated = _raw_mutation(original, rng)
        with open(path, "wb") as handle:
            handle.write(mutated)

        def read():
            for event in tf.summary.summary_iterator(path):
                _touch_event(event)
        harness.attempt("event mutation %d" % number, read)
        harness.attempt("event mutation %d as TFRecord" % number,
                        lambda: list(tfrecord.tf_record_iterator(path)))
    assert harness.outcomes.get("DataLossError", 0) > MUTATIONS // 2
    assert harness.outcomes.get("ok", 0) > MUTATIONS // 4


def test_every_event_field_with_every_wire_type(tmp_path, harness):
    """Each field of each record, at every nesting depth, replaced in turn by a well-formed field of the
    same number and each wire type (a double sent as a varint, a message as a fixed32...), the enclosing
    lengths and the record CRCs kept valid, so that the mismatch reaches the Event decoder."""
    records = _event_records(tmp_path)
    path = str(tmp_path / "events.out.tfevents.1.wiretypes")
    cases = 0
    for position, record in enumerate(records):
        for first, last, number in _fields(record):
            for replacement in _replacement_fields(number):
                edited = list(records)
                edited[position] = _resize_parents(record, first, last, replacement)
                with open(path, "wb") as handle:
                    handle.write(b"".join(events.encode_record(r) for r in edited))

                def read():
                    for event in tf.summary.summary_iterator(path):
                        _touch_event(event)
                harness.attempt("record %d field at %d as %r" % (position, first, replacement), read)
                cases += 1
    assert cases > 300
    assert harness.outcomes.get("DataLossError", 0) > 50 and harness.outcomes.get("ok", 0) > 50
