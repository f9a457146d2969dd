"""The binary formats under numflow.io: CRC-32C, protobuf wire helpers, LevelDB tables, tensor bundles,
TFRecords — checked against known vectors and against a checkpoint written by real TensorFlow."""
import os
import struct

import numpy as np
import pytest

import numflow as tf
from numflow.framework import dtypes
from numflow.io import bundle, crc32c, events, table, wire

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "fixtures", "tf-checkpoints")
FIXTURE_PREFIX = os.path.join(FIXTURES, "model.ckpt-1234")
needs_fixture = pytest.mark.skipif(not os.path.exists(FIXTURE_PREFIX + ".index"),
                                   reason="TensorFlow-written checkpoint fixture not present")

EXPECTED = {
    "dense/kernel": np.arange(12).reshape(3, 4).astype(np.float32) / np.float32(8.0),
    "dense/bias": np.array([0.5, -1.25, 2.0, 0.0], dtype=np.float32),
    "scale64": np.array([1e-3, 2.5, -7.0], dtype=np.float64),
    "counts": np.array([[1, -2], [3, 4]], dtype=np.int32),
    "global_step": np.array(1234, dtype=np.int64),
    "flags": np.array([True, False, True]),
    "half": np.array([1.5, -0.25], dtype=np.float16),
    "empty": np.zeros((0, 3), dtype=np.float32),
    "big": ((np.arange(70000) % 97) / 7.0).astype(np.float32),
}


# --- crc32c --------------------------------------------------------------------------------------
def test_crc32c_known_vectors():
    assert crc32c.value(b"123456789") == 0xE3069283
    assert crc32c.value(b"\0" * 32) == 0x8A9136AA
    assert crc32c.value(b"\xff" * 32) == 0x62A8AB43
    assert crc32c.value(bytes(range(32))) == 0x46DD794E
    assert crc32c.value(b"") == 0


def test_crc32c_long_inputs_match_the_bytewise_loop():
    data = np.random.default_rng(1).integers(0, 256, 1_000_003, dtype=np.uint8).tobytes()
    expected = crc32c._raw_scalar(0xFFFFFFFF, data) ^ 0xFFFFFFFF
    assert crc32c.value(data) == expected
    assert crc32c.extend(crc32c.value(data[:777]), data[777:]) == expected


def test_masking_round_trips():
    for crc in (0, 1, 0xE3069283, 0xFFFFFFFF):
        assert crc32c.unmask(crc32c.mask(crc)) == crc
    assert crc32c.mask(0) == 0xA282EAD8


# --- wire ----------------------------------------------------------------------------------------
def test_varints_and_fields():
    for value in (0, 1, 127, 128, 300, 2 ** 35, 2 ** 63 + 5):
        assert wire.decode_varint(wire.encode_varint(value), 0)[0] == value
    assert wire.to_signed64(wire.decode_varint(wire.encode_varint(-5), 0)[0]) == -5
    data = wire.Writer().varint(1, 7).bytes(2, b"abc").fixed32(6, 0xDEADBEEF).double(3, 1.5).getvalue()
    fields = wire.parse(data)
    assert fields[1] == [7] and fields[2] == [b"abc"]
    assert wire.as_fixed32(fields[6][0]) == 0xDEADBEEF and wire.as_double(fields[3][0]) == 1.5


def test_wire_rejects_truncated_messages():
    data = wire.Writer().bytes(2, b"abcdef").getvalue()
    with pytest.raises(wire.WireError, match="runs past the end"):
        wire.parse(data[:-2])
    with pytest.raises(wire.WireError, match="truncated varint"):
        wire.parse(b"\x08\xff")


# --- tables --------------------------------------------------------------------------------------
@needs_fixture
def test_table_reads_and_rewrites_tensorflows_index_byte_for_byte():
    data = open(FIXTURE_PREFIX + ".index", "rb").read()
    entries = table.read_table(data)
    assert [k for k, _ in entries][:3] == [b"", b"big", b"counts"]
    assert table.write_table(entries) == data


def test_table_many_blocks_round_trip():
    entries = [(("key%05d" % i).encode(), os.urandom(i % 50)) for i in range(2000)]
    data = table.write_table(entries, block_size=1024)
    assert table.read_table(data) == entries


def test_table_rejects_unsorted_keys():
    with pytest.raises(ValueError, match="strictly increasing"):
        table.write_table([(b"b", b""), (b"a", b"")])


def test_table_detects_corruption():
    data = bytearray(table.write_table([(b"a", b"1"), (b"b", b"2")]))
    bad = bytearray(data)
    bad[3] ^= 0x40
    with pytest.raises(table.TableError, match="checksum mismatch"):
        table.read_table(bytes(bad))
    with pytest.raises(table.TableError, match="bad magic"):
        table.read_table(bytes(data[:-1]) + b"\0")
    with pytest.raises(table.TableError, match="too short"):
        table.read_table(bytes(data[:20]))


def test_table_snappy_block_is_a_clear_error():
    contents = table._BlockBuilder(16)
    contents.add(b"a", b"1")
    block = contents.finish()
    trailer = bytes([table.SNAPPY_COMPRESSION])
    out = block + trailer + struct.pack("<I", crc32c.mask(crc32c.value(block + trailer)))
    index = table._BlockBuilder(1)
    index.add(b"b", wire.encode_varint(0) + wire.encode_varint(len(block)))
    index_block = index.finish()
    index_offset = len(out)
    trailer = bytes([table.NO_COMPRESSION])
    out += index_block + trailer + struct.pack("<I", crc32c.mask(crc32c.value(index_block + trailer)))
    footer = wire.encode_varint(0) + wire.encode_varint(0) + wire.encode_varint(index_offset) + \
        wire.encode_varint(len(index_block))
    out += footer + b"\0" * (40 - len(footer)) + struct.pack("<Q", table.MAGIC)
    with pytest.raises(table.TableError, match="snappy-compressed"):
        table.read_table(out)


# --- tensor bundles ------------------------------------------------------------------------------
@needs_fixture
def test_bundle_reads_every_tensorflow_entry_exactly():
    reader = bundle.BundleReader(FIXTURE_PREFIX)
    assert sorted(reader.entries) == sorted(EXPECTED)
    for name, expected in EXPECTED.items():
        value = reader.read(name)
        assert value.dtype == expected.dtype, name
        assert value.shape == expected.shape, name
        np.testing.assert_array_equal(value, expected)


@needs_fixture
def test_bundle_writer_reproduces_tensorflows_files(tmp_path):
    reader = bundle.BundleReader(FIXTURE_PREFIX)
    tensors = {name: (reader.read(name), reader.entries[name].dtype) for name in reader.entries}
    prefix = str(tmp_path / "copy")
    bundle.write_bundle(prefix, tensors)
    for suffix in (".index", ".data-00000-of-00001"):
        assert open(prefix + suffix, "rb").read() == open(FIXTURE_PREFIX + suffix, "rb").read()
    assert sorted(os.listdir(tmp_path)) == ["copy.data-00000-of-00001", "copy.index"]


ALL_VALUES = {
    "f16": (np.array([1.5, -2.0, 65504.0], np.float16), dtypes.float16),
    "f32": (np.linspace(-1, 1, 7, dtype=np.float32).reshape(7, 1), dtypes.float32),
    "f64": (np.array([[1e-300, np.pi]]), dtypes.float64),
    "i8": (np.array([-128, 127], np.int8), dtypes.int8),
    "i16": (np.array([-32768, 7], np.int16), dtypes.int16),
    "i32": (np.array([2 ** 31 - 1, -1], np.int32), dtypes.int32),
    "i64": (np.array(-(2 ** 62), np.int64), dtypes.int64),
    "u8": (np.arange(256, dtype=np.uint8).reshape(16, 16), dtypes.uint8),
    "u16": (np.array([65535], np.uint16), dtypes.uint16),
    "u32": (np.array([2 ** 32 - 1], np.uint32), dtypes.uint32),
    "u64": (np.array([2 ** 64 - 1], np.uint64), dtypes.uint64),
    "b": (np.array([[True], [False]]), dtypes.bool),
    "c64": (np.array([1 + 2j, -3j], np.complex64), dtypes.complex64),
    "c128": (np.array([[1e200 - 1j]], np.complex128), dtypes.complex128),
    "s": (np.array([[b"ab", b""], [b"\x00\xff" * 100, "\u00e9".encode()]], dtype=object), dtypes.string),
    "s0": (np.array(b"scalar string", dtype=object), dtypes.string),
    "empty_s": (np.empty((0, 2), dtype=object), dtypes.string),
    "empty": (np.zeros((3, 0), np.int64), dtypes.int64),
    "big": (np.arange(70000, dtype=np.float32), dtypes.float32),
}


def test_bundle_round_trips_every_dtype(tmp_path):
    prefix = str(tmp_path / "all")
    bundle.write_bundle(prefix, ALL_VALUES)
    reader = bundle.BundleReader(prefix)
    for name, (value, dtype) in ALL_VALUES.items():
        got = reader.read(name)
        assert reader.entries[name].dtype is dtype
        assert got.shape == value.shape and got.dtype == value.dtype, name
        np.testing.assert_array_equal(got, value)
        assert got.flags.writeable


def _write_small(tmp_path):
    prefix = str(tmp_path / "small")
    bundle.write_bundle(prefix, {"a": (np.arange(10, dtype=np.float32), dtypes.float32),
                                 "s": (np.array([b"xy", b"z"], dtype=object), dtypes.string)})
    return prefix


def test_bundle_corrupted_data_is_data_loss(tmp_path):
    prefix = _write_small(tmp_path)
    path = bundle.data_filename(prefix)
    data = bytearray(open(path, "rb").read())
    data[5] ^= 1
    open(path, "wb").write(bytes(data))
    with pytest.raises(tf.errors.DataLossError, match=r"Checksum does not match.*tensor 'a'.*small\.data"):
        bundle.BundleReader(prefix).read("a")


def test_bundle_corrupted_string_data_is_data_loss(tmp_path):
    prefix = _write_small(tmp_path)
    path = bundle.data_filename(prefix)
    data = bytearray(open(path, "rb").read())
    data[-1] ^= 1
    open(path, "wb").write(bytes(data))
    with pytest.raises(tf.errors.DataLossError, match=r"String tensor 's' in .*small\.data.*Checksum"):
        bundle.BundleReader(prefix).read("s")


def test_bundle_truncated_data_is_data_loss(tmp_path):
    prefix = _write_small(tmp_path)
    path = bundle.data_filename(prefix)
    data = open(path, "rb").read()
    open(path, "wb").write(data[:12])
    with pytest.raises(tf.errors.DataLossError, match=r"runs past the end of .*small\.data.*truncated"):
        bundle.BundleReader(prefix).read("a")


def test_bundle_truncated_or_corrupted_index_is_data_loss(tmp_path):
    prefix = _write_small(tmp_path)
    path = bundle.index_filename(prefix)
    data = open(path, "rb").read()
    open(path, "wb").write(data[:-10])
    with pytest.raises(tf.errors.DataLossError, match=r"Unable to read file \(.*small\.index\)"):
        bundle.BundleReader(prefix)
    bad = bytearray(data)
    bad[10] ^= 0x55
    open(path, "wb").write(bytes(bad))
    with pytest.raises(tf.errors.DataLossError, match=r"small\.index.*checksum mismatch"):
        bundle.BundleReader(prefix)


def test_bundle_missing_files(tmp_path):
    with pytest.raises(tf.errors.NotFoundError, match="Failed to find any matching files for .*nothing"):
        bundle.BundleReader(str(tmp_path / "nothing"))
    prefix = _write_small(tmp_path)
    os.remove(bundle.data_filename(prefix))
    with pytest.raises(tf.errors.NotFoundError, match=r"Data file .*small\.data-00000-of-00001.*'a'"):
        bundle.BundleReader(prefix).read("a")
    with pytest.raises(tf.errors.NotFoundError, match="Key nope not found in checkpoint"):
        bundle.BundleReader(prefix).read("nope")


def test_bundle_entry_with_inconsistent_size_is_data_loss(tmp_path):
    prefix = str(tmp_path / "bad")
    entry = bundle.Entry("x", 1, (4,), 0, 0, 12, crc32c.mask(0))
    index = table.write_table([(b"", bundle.encode_header()), (b"x", entry.encode())])
    open(bundle.index_filename(prefix), "wb").write(index)
    open(bundle.data_filename(prefix), "wb").write(b"\0" * 16)
    with pytest.raises(tf.errors.DataLossError, match=r"Invalid size in bundle entry: key x.*bad\.index"):
        bundle.BundleReader(prefix).read("x")


def test_bundle_negative_dimension_is_data_loss(tmp_path):
    prefix = str(tmp_path / "neg")
    entry = bundle.Entry("x", 1, (-2,), 0, 0, 0, crc32c.mask(0))
    index = table.write_table([(b"", bundle.encode_header()), (b"x", entry.encode())])
    open(bundle.index_filename(prefix), "wb").write(index)
    with pytest.raises(tf.errors.DataLossError, match=r"Invalid tensor shape: x"):
        bundle.BundleReader(prefix)


def test_bundle_unsupported_dtype_is_a_clear_error(tmp_path):
    prefix = str(tmp_path / "bf16")
    entry = bundle.Entry("x", 14, (2,), 0, 0, 4, crc32c.mask(crc32c.value(b"\0" * 4)))
    index = table.write_table([(b"", bundle.encode_header()), (b"x", entry.encode())])
    open(bundle.index_filename(prefix), "wb").write(index)
    open(bundle.data_filename(prefix), "wb").write(b"\0" * 4)
    with pytest.raises(tf.errors.UnimplementedError, match="dtype bfloat16"):
        bundle.BundleReader(prefix).read("x")


# --- TFRecords -----------------------------------------------------------------------------------
def test_tfrecord_round_trip_and_corruption(tmp_path):
    path = str(tmp_path / "records")
    payloads = [b"", b"hello", os.urandom(5000)]
    with open(path, "wb") as handle:
        for p in payloads:
            handle.write(events.encode_record(p))
    assert list(events.read_records(path)) == payloads
    data = bytearray(open(path, "rb").read())
    data[-3] ^= 1
    open(path, "wb").write(bytes(data))
    with pytest.raises(tf.errors.DataLossError, match=r"corrupted record 2 .*records: data checksum"):
        list(events.read_records(path))
    open(path, "wb").write(bytes(data[:-10]))
    with pytest.raises(tf.errors.DataLossError, match=r"truncated record 2 .*records"):
        list(events.read_records(path))
