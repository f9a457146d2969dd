"""Op coverage for ops/tensor_io_ops.py; merged by test_op_coverage.py."""
_T = "test_tensor_io_and_top_level.py::"

COVERAGE = {
    "SerializeTensor": ([_T + "test_serialize_parse_round_trip", _T + "test_parse_tensor_reads_a_tensorflow_tensor_proto"],
                        [], "bytes: not differentiable"),
    "ParseTensor": ([_T + "test_serialize_parse_round_trip", _T + "test_parse_tensor_errors"], [],
                    "bytes: not differentiable"),
    "DecodeCompressed": ([_T + "test_decode_compressed"], [], "bytes: not differentiable"),
}
