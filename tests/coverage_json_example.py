"""Op coverage for ops/json_example.py; merged by test_op_coverage.py."""
COVERAGE = {
    "DecodeJSONExample": (["test_json_example.py::test_decoded_examples_parse_back",
                           "test_json_example.py::test_malformed_json_is_an_error"], [], "bytes: not differentiable"),
}
