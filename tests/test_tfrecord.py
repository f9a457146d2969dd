"""TFRecord files (tf.python_io) and the tf.train.Example protos."""
import gzip
import os
import struct
import zlib

import numpy as np
import pytest

import numflow as tf
from numflow.io import crc32c, events, tfrecord
from numflow.io import example_proto as ep


def _frame(data):
    """A record framed by hand from the format's description (not with the module under test)."""
    header = struct.pack("<Q", len(data))
    return (header + struct.pack("<I", crc32c.mask(crc32c.value(header))) + data
            + struct.pack("<I", crc32c.mask(crc32c.value(data))))


PAYLOADS = [b"", b"hello", bytes(range(256)) * 3, b"x" * 70000]


# --- writing and reading -------------------------------------------------------------------------
def test_writer_produces_the_documented_framing(tmp_path):
    path = str(tmp_path / "plain.tfrecord")
    with tf.python_io.TFRecordWriter(path) as writer:
        for payload in PAYLOADS:
            writer.write(payload)
    assert open(path, "rb").read() == b"".join(_frame(p) for p in PAYLOADS)
    assert list(tf.python_io.tf_record_iterator(path)) == PAYLOADS


def test_crc32c_known_value():
    # The CRC-32C check value of the ASCII digits 1..9 (RFC 3720, appendix B.4).
    assert crc32c.value(b"123456789") == 0xE3069283


@pytest.mark.parametrize("compression,opener", [
    (tf.python_io.TFRecordCompressionType.GZIP, gzip.decompress),
    ("GZIP", gzip.decompress),
    (tf.python_io.TFRecordCompressionType.ZLIB, zlib.decompress),
    ("ZLIB", zlib.decompress),
])
def test_compressed_round_trip(tmp_path, compression, opener):
    path = str(tmp_path / "c.tfrecord")
    options = tf.python_io.TFRecordOptions(compression)
    writer = tf.python_io.TFRecordWriter(path, options)
    for payload in PAYLOADS:
        writer.write(payload)
    writer.close()
    raw = open(path, "rb").read()
    # The stdlib decompresses the file to exactly the uncompressed framing.
    assert opener(raw) == b"".join(_frame(p) for p in PAYLOADS)
    assert len(raw) < sum(len(p) for p in PAYLOADS)
    assert list(tf.python_io.tf_record_iterator(path, options)) == PAYLOADS
    assert list(tfrecord.iter_tfrecords(path, compression)) == PAYLOADS


def test_reads_files_compressed_by_the_stdlib_and_concatenated_gzip_members(tmp_path):
    framed = b"".join(_frame(p) for p in PAYLOADS)
    path = str(tmp_path / "g")
    with open(path, "wb") as handle:
        handle.write(gzip.compress(framed[:1000]) + gzip.compress(framed[1000:]))
    assert list(tfrecord.iter_tfrecords(path, "GZIP")) == PAYLOADS
    with open(path, "wb") as handle:
        handle.write(zlib.compress(framed, 9))
    assert list(tfrecord.iter_tfrecords(path, "ZLIB")) == PAYLOADS


def test_flush_makes_records_readable_before_close(tmp_path):
    for compression in ("", "GZIP"):
        path = str(tmp_path / ("f" + compression))
        writer = tf.python_io.TFRecordWriter(path, compression)
        writer.write(b"first")
        writer.flush()
        framed = _frame(b"first")
        raw = open(path, "rb").read()
        got = raw if not compression else zlib.decompressobj(31).decompress(raw)
        assert got == framed
        writer.write(b"second")
        writer.close()
        writer.close()          # a second close does nothing
        assert list(tf.python_io.tf_record_iterator(path, compression)) == [b"first", b"second"]
        with pytest.raises(tf.errors.FailedPreconditionError, match="closed"):
            writer.write(b"late")


def test_writer_accepts_str_records_as_utf8(tmp_path):
    path = str(tmp_path / "s")
    with tf.python_io.TFRecordWriter(path) as writer:
        writer.write("h\u00e9")
    assert list(tf.python_io.tf_record_iterator(path)) == ["h\u00e9".encode("utf-8")]


def test_options_and_compression_type_names():
    get = tf.python_io.TFRecordOptions.get_compression_type_string
    assert get(None) == ""
    assert get(tf.python_io.TFRecordOptions("GZIP")) == "GZIP"
    assert get(tf.python_io.TFRecordOptions(tf.python_io.TFRecordCompressionType.ZLIB)) == "ZLIB"
    assert get(tf.python_io.TFRecordCompressionType.NONE) == ""
    assert tf.python_io.TFRecordOptions("").compression_type == tf.python_io.TFRecordCompressionType.NONE
    with pytest.raises(ValueError, match="Unsupported compression type 'LZ4'"):
        tf.python_io.TFRecordOptions("LZ4")
    with pytest.raises(ValueError, match="compression_level must be in"):
        tf.python_io.TFRecordOptions("GZIP", compression_level=12)


def test_streaming_reads_block_by_block(tmp_path, monkeypatch):
    """A file many times the read block is read in blocks of at most READ_BLOCK_SIZE bytes, and never
    whole, whatever the record sizes (records larger than a block included)."""
    rng = np.random.RandomState(0)
    payloads = [rng.bytes(int(n)) for n in rng.randint(0, 3000, size=200)] + [rng.bytes(20000)]
    for compression in ("", "GZIP", "ZLIB"):
        path = str(tmp_path / ("big" + compression))
        with tf.python_io.TFRecordWriter(path, compression) as writer:
            for payload in payloads:
                writer.write(payload)
        block = 1024
        monkeypatch.setattr(tfrecord, "READ_BLOCK_SIZE", block)
        reads = []
        real_open = tfrecord._open_for_read

        class Recording:
            def __init__(self, handle):
                self._handle = handle

            def read(self, size=-1):
                assert 0 < size <= block, "read(%r) is not a bounded block read" % size
                data = self._handle.read(size)
                reads.append(len(data))
                return data

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self._handle.close()

        monkeypatch.setattr(tfrecord, "_open_for_read", lambda p: Recording(real_open(p)))
        iterator = tfrecord.iter_tfrecords(path, compression)
        assert next(iterator) == payloads[0]
        assert sum(reads) < os.path.getsize(path) / 4    # the first record needed only the start
        assert [payloads[0]] + list(iterator) == payloads
        assert sum(reads) == os.path.getsize(path) and len(reads) > os.path.getsize(path) // block - 1
        monkeypatch.undo()


def test_empty_file_has_no_records(tmp_path):
    path = str(tmp_path / "empty")
    open(path, "wb").close()
    assert list(tfrecord.iter_tfrecords(path)) == []
    assert list(tfrecord.iter_tfrecords(path, "GZIP")) == []
    with tf.python_io.TFRecordWriter(str(tmp_path / "gz"), "GZIP"):
        pass
    assert list(tfrecord.iter_tfrecords(str(tmp_path / "gz"), "GZIP")) == []


# --- errors --------------------------------------------------------------------------------------
def test_missing_file_is_not_found(tmp_path):
    with pytest.raises(tf.errors.NotFoundError, match="nope.tfrecord; No such file or directory"):
        list(tf.python_io.tf_record_iterator(str(tmp_path / "nope.tfrecord")))
    with pytest.raises(tf.errors.NotFoundError, match="No such file or directory"):
        tf.python_io.TFRecordWriter(str(tmp_path / "missing_dir" / "x"))


def _write_plain(path, payloads):
    with open(path, "wb") as handle:
        handle.write(b"".join(_frame(p) for p in payloads))


def test_corrupted_data_names_file_record_and_offset(tmp_path):
    path = str(tmp_path / "bad.tfrecord")
    _write_plain(path, [b"aaaa", b"bbbbbbbb", b"cc"])
    data = bytearray(open(path, "rb").read())
    second = 16 + 4                      # offset of record 1: record 0 takes 12 + 4 + 4 bytes
    data[second + 12 + 3] ^= 0x40        # a bit of record 1's data
    open(path, "wb").write(bytes(data))
    iterator = tfrecord.iter_tfrecords(path)
    assert next(iterator) == b"aaaa"
    with pytest.raises(tf.errors.DataLossError,
                       match=r"corrupted record 1 at offset 20 of .*bad.tfrecord: data checksum mismatch"):
        next(iterator)


def test_corrupted_length_names_record(tmp_path):
    path = str(tmp_path / "len.tfrecord")
    _write_plain(path, [b"aaaa", b"bbbb"])
    data = bytearray(open(path, "rb").read())
    data[20] ^= 1                        # record 1's length field
    open(path, "wb").write(bytes(data))
    with pytest.raises(tf.errors.DataLossError,
                       match=r"corrupted record 1 at offset 20 of .*len.tfrecord: length checksum mismatch"):
        list(tf.python_io.tf_record_iterator(path))


@pytest.mark.parametrize("cut,what", [(3, r"truncated record 2 at offset 40 of .*t.tfrecord \(needs 30 bytes, 27"),
                                      (25, r"truncated record 2 at offset 40 of .*t.tfrecord: 5 of the 12 header")])
def test_truncated_file_names_record_and_offset(tmp_path, cut, what):
    path = str(tmp_path / "t.tfrecord")
    _write_plain(path, [b"aaaa", b"bbbb", b"c" * 14])
    data = open(path, "rb").read()
    open(path, "wb").write(data[:-cut])
    with pytest.raises(tf.errors.DataLossError, match=what):
        list(tfrecord.iter_tfrecords(path))


def test_truncated_and_corrupted_compressed_streams(tmp_path):
    path = str(tmp_path / "z.tfrecord")
    with tf.python_io.TFRecordWriter(path, "GZIP") as writer:
        for payload in PAYLOADS:
            writer.write(payload)
    data = open(path, "rb").read()
    open(path, "wb").write(data[:len(data) // 2])
    with pytest.raises(tf.errors.DataLossError, match=r"z.tfrecord"):
        list(tfrecord.iter_tfrecords(path, "GZIP"))
    open(path, "wb").write(data[:10] + bytes(b ^ 0xFF for b in data[10:30]) + data[30:])
    with pytest.raises(tf.errors.DataLossError, match=r"corrupted GZIP stream in .*z.tfrecord"):
        list(tfrecord.iter_tfrecords(path, "GZIP"))
    # A plain file read as GZIP is not a gzip stream.
    _write_plain(path, PAYLOADS)
    with pytest.raises(tf.errors.DataLossError, match=r"corrupted GZIP stream in .*z.tfrecord"):
        list(tfrecord.iter_tfrecords(path, "GZIP"))


def test_event_file_helpers_share_the_framing(tmp_path):
    path = str(tmp_path / "ev")
    with open(path, "wb") as handle:
        for payload in PAYLOADS:
            handle.write(events.encode_record(payload))
    assert open(path, "rb").read() == b"".join(_frame(p) for p in PAYLOADS)
    assert list(events.read_records(path)) == PAYLOADS


# --- Example protos ------------------------------------------------------------------------------
def _sample_example():
    return tf.train.Example(features=tf.train.Features(feature={
        "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[1, -2, 300, 2 ** 62])),
        "weights": tf.train.Feature(float_list=tf.train.FloatList(value=[0.5, -1.25])),
        "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"cat", b""])),
    }))


def test_example_wire_format_by_hand():
    example = tf.train.Example(features=tf.train.Features(feature={
        "a": tf.train.Feature(int64_list=tf.train.Int64List(value=[1, 300])),
        "b": tf.train.Feature(float_list=tf.train.FloatList(value=[1.0])),
    }))
    int64_list = b"\x0a\x03\x01\xac\x02"                        # value=1 packed: 1, 300
    float_list = b"\x0a\x04" + struct.pack("<f", 1.0)           # value=1 packed float
    entry_a = b"\x0a\x01a" + b"\x12" + bytes([2 + len(int64_list)]) + b"\x1a" + bytes([len(int64_list)]) + int64_list
    entry_b = b"\x0a\x01b" + b"\x12" + bytes([2 + len(float_list)]) + b"\x12" + bytes([len(float_list)]) + float_list
    features = (b"\x0a" + bytes([len(entry_a)]) + entry_a + b"\x0a" + bytes([len(entry_b)]) + entry_b)
    expected = b"\x0a" + bytes([len(features)]) + features
    assert example.SerializeToString() == expected
    assert example.ByteSize() == len(expected)


def test_example_round_trip_attribute_access_and_equality():
    example = _sample_example()
    data = example.SerializeToString()
    parsed = tf.train.Example.FromString(data)
    assert parsed == example
    feature = parsed.features.feature
    assert feature["label"].int64_list.value == [1, -2, 300, 2 ** 62]
    assert feature["weights"].float_list.value == [0.5, -1.25]
    assert feature["name"].bytes_list.value == [b"cat", b""]
    assert feature["label"].WhichOneof("kind") == "int64_list"
    assert feature["name"].WhichOneof("kind") == "bytes_list"
    assert feature["label"].HasField("int64_list") and not feature["label"].HasField("float_list")
    other = tf.train.Example()
    other.ParseFromString(data)
    assert other == example
    copy = tf.train.Example()
    copy.CopyFrom(example)
    assert copy == example
    copy.features.feature["label"].int64_list.value.append(5)
    assert copy != example
    assert "label" in parsed.features.feature and "nope" not in parsed.features.feature


def test_building_an_example_by_mutation_like_tf1_scripts():
    example = tf.train.Example()
    example.features.feature["label"].int64_list.value.append(3)
    example.features.feature["pixels"].float_list.value.extend([0.25, 0.75])
    feature = example.features.feature["label"]
    assert feature.WhichOneof("kind") == "int64_list"
    assert example == tf.train.Example(features=tf.train.Features(feature={
        "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[3])),
        "pixels": tf.train.Feature(float_list=tf.train.FloatList(value=[0.25, 0.75]))}))
    empty = tf.train.Feature()
    assert empty.WhichOneof("kind") is None
    empty.bytes_list.value      # reading an unset member does not set it
    assert empty.WhichOneof("kind") is None and empty.SerializeToString() == b""
    # Setting a different member replaces the first, as a oneof does.
    switch = tf.train.Feature(int64_list=tf.train.Int64List(value=[1]))
    switch.bytes_list.value.append(b"x")
    assert switch.WhichOneof("kind") == "bytes_list"
    assert tf.train.Feature.FromString(switch.SerializeToString()).bytes_list.value == [b"x"]


def test_repr_is_protobuf_text_format():
    text = repr(tf.train.Example(features=tf.train.Features(feature={
        "x": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b'a"\n']))})))
    assert text == ('features {\n  feature {\n    key: "x"\n    value {\n      bytes_list {\n'
                    '        value: "a\\"\\n"\n      }\n    }\n  }\n}\n')


def test_unpacked_repeated_numbers_are_accepted():
    # Int64List / FloatList written unpacked (one key per value), as older writers may do.
    int64_list = b"\x08\x05\x08" + b"\xff" * 9 + b"\x01"       # 5, -1
    float_list = b"\x0d" + struct.pack("<f", 2.5) + b"\x0d" + struct.pack("<f", -1.0)
    assert tf.train.Int64List.FromString(int64_list).value == [5, -1]
    assert tf.train.FloatList.FromString(float_list).value == [2.5, -1.0]
    feature = b"\x1a" + bytes([len(int64_list)]) + int64_list
    assert ep.decode_feature(feature, 0, len(feature))[1].tolist() == [5, -1]
    feature = b"\x12" + bytes([len(float_list)]) + float_list
    assert ep.decode_feature(feature, 0, len(feature))[1].tolist() == [2.5, -1.0]


def test_direct_decoder_matches_the_message_classes():
    rng = np.random.RandomState(1)
    for _ in range(20):
        ints = [int(v) for v in rng.randint(-2 ** 62, 2 ** 62, size=rng.randint(0, 40), dtype=np.int64)]
        ints += [0, 127, 128, -1, 2 ** 63 - 1, -2 ** 63]
        floats = rng.randn(rng.randint(0, 10)).astype(np.float32).tolist()
        example = tf.train.Example(features=tf.train.Features(feature={
            "i": tf.train.Feature(int64_list=tf.train.Int64List(value=ints)),
            "f": tf.train.Feature(float_list=tf.train.FloatList(value=floats)),
            "b": tf.train.Feature(bytes_list=tf.train.BytesList(value=[rng.bytes(5)]))}))
        data = example.SerializeToString()
        spans = ep.index_example(data)
        assert sorted(spans) == [b"b", b"f", b"i"]
        kind, values = ep.decode_feature(data, *spans[b"i"])
        assert kind == ep.INT64 and values.dtype == np.int64 and values.tolist() == ints
        kind, values = ep.decode_feature(data, *spans[b"f"])
        assert kind == ep.FLOAT and values.dtype == np.float32 and values.tolist() == floats
        kind, values = ep.decode_feature(data, *spans[b"b"])
        assert kind == ep.BYTES and values == example.features.feature["b"].bytes_list.value


def test_malformed_bytes_and_wrong_value_types():
    with pytest.raises(ep.DecodeError, match="runs past the end"):
        ep.index_example(b"\x0a\x05\x0a\x01")
    with pytest.raises(ep.DecodeError, match="truncated varint"):
        ep.index_example(b"\x0a")
    with pytest.raises(ep.DecodeError, match="field number 0"):
        ep.index_example(b"\x00\x00")
    with pytest.raises(ep.DecodeError, match="truncated packed varint"):
        ep._packed_varints(b"\x01\x80")
    with pytest.raises(ep.DecodeError):
        tf.train.Example.FromString(b"\x0a\x05\x0a")
    with pytest.raises(TypeError, match="has type str, but expected one of: bytes"):
        tf.train.BytesList(value=["text"]).SerializeToString()
    with pytest.raises(TypeError, match="has type float, but expected one of: int"):
        tf.train.Int64List(value=[1.5]).SerializeToString()
    with pytest.raises(ValueError, match="Value out of range"):
        tf.train.Int64List(value=[2 ** 63]).SerializeToString()
    with pytest.raises(TypeError, match="Feature.int64_list must be a Int64List"):
        tf.train.Feature(int64_list=tf.train.FloatList(value=[1.0]))
    with pytest.raises(ValueError, match='no oneof "other"'):
        tf.train.Feature().WhichOneof("other")


def test_sequence_example_round_trip():
    sequence = tf.train.SequenceExample(
        context=tf.train.Features(feature={"length": tf.train.Feature(int64_list=tf.train.Int64List(value=[2]))}),
        feature_lists=tf.train.FeatureLists(feature_list={"tokens": tf.train.FeatureList(feature=[
            tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"a"])),
            tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"b"]))])}))
    parsed = tf.train.SequenceExample.FromString(sequence.SerializeToString())
    assert parsed == sequence
    assert parsed.context.feature["length"].int64_list.value == [2]
    assert [f.bytes_list.value for f in parsed.feature_lists.feature_list["tokens"].feature] == [[b"a"], [b"b"]]


def test_examples_in_a_gzip_tfrecord_file(tmp_path):
    path = str(tmp_path / "examples.tfrecord.gz")
    examples = []
    with tf.python_io.TFRecordWriter(path, tf.python_io.TFRecordOptions("GZIP")) as writer:
        for i in range(50):
            example = tf.train.Example(features=tf.train.Features(feature={
                "i": tf.train.Feature(int64_list=tf.train.Int64List(value=[i]))}))
            examples.append(example)
            writer.write(example.SerializeToString())
    read = [tf.train.Example.FromString(r) for r in tf.python_io.tf_record_iterator(path, "GZIP")]
    assert read == examples
