"""Op coverage for ops/glimpse.py; merged by test_op_coverage.py."""
_T = "test_extract_glimpse.py::"

COVERAGE = {
    "ExtractGlimpse": ([_T + "test_pixel_offsets_from_the_corner", _T + "test_centered_and_normalized_offsets",
                        _T + "test_uniform_noise_spans_the_image_range", _T + "test_gaussian_noise_follows_each_channel",
                        _T + "test_zero_noise_pads_with_zeros", _T + "test_extract_glimpse_errors"], [],
                       "windows vs TF 2.21's ExtractGlimpse geometry; noise by its statistics; no gradient in TF"),
}
