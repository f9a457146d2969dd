"""Op coverage for the image and file ops (ops/image_ops.py, ops/io_ops.py); merged by test_op_coverage.py."""
NO_SECOND_ORDER = ("gradient op: no second-order gradient (tf.gradients raises LookupError, as for an op "
                   "without one)")
_CODEC = "codec: not differentiable"

COVERAGE = {
    # --- ops/io_ops.py ---
    "ReadFile": (["test_io_ops.py::test_write_then_read_file_round_trips_bytes",
                  "test_io_ops.py::test_read_file_reads_anew_each_run",
                  "test_io_ops.py::test_read_missing_file_is_not_found_naming_it"], [], "file system"),
    "WriteFile": (["test_io_ops.py::test_write_then_read_file_round_trips_bytes"], [], "file system; no outputs"),
    "MatchingFiles": (["test_io_ops.py::test_matching_files_sorted_and_vector_patterns"], [], "file system"),
    # --- ops/image_ops.py: codecs ---
    "DecodePng": (["test_image_ops.py::test_png_round_trip",
                   "test_image_ops.py::test_png_bit_depth_conversions_and_channel_changes",
                   "test_image_ops.py::test_16bit_png_with_every_row_filter",
                   "test_image_ops.py::test_8bit_pngs_from_pillow_palette_one_bit_and_interlaced"], [], _CODEC),
    "DecodeJpeg": (["test_image_ops.py::test_jpeg_decode_matches_pillow_and_channels_and_ratio"], [], _CODEC),
    "DecodeGif": (["test_image_ops.py::test_gif_decoding_frames_and_decode_image"], [], _CODEC),
    "DecodeBmp": (["test_image_ops.py::test_bmp_and_decode_image_dtypes"], [], _CODEC),
    "DecodeImage": (["test_image_ops.py::test_bmp_and_decode_image_dtypes",
                     "test_image_ops.py::test_gif_decoding_frames_and_decode_image"], [], _CODEC),
    "EncodePng": (["test_image_ops.py::test_png_round_trip", "test_image_ops.py::test_encode_png_errors"], [], _CODEC),
    "EncodeJpeg": (["test_image_ops.py::test_encode_jpeg_round_trip_and_options"], [], _CODEC),
    # --- resizing ---
    "ResizeBilinear": (
        ["test_image_ops.py::test_resize_images_match_numpy_reference", "test_image_ops.py::test_resize_hand_derived_cases",
         "test_image_ops.py::test_resize_half_pixel_centers"],
        ["test_image_ops.py::test_resize_gradients"],
        ""),
    "ResizeNearestNeighbor": (
        ["test_image_ops.py::test_resize_images_match_numpy_reference", "test_image_ops.py::test_resize_hand_derived_cases",
         "test_image_ops.py::test_resize_images_dtypes_shapes_and_same_size"],
        ["test_image_ops.py::test_resize_gradients"],
        ""),
    "ResizeBicubic": (
        ["test_image_ops.py::test_resize_images_match_numpy_reference", "test_image_ops.py::test_resize_hand_derived_cases"],
        ["test_image_ops.py::test_resize_gradients"],
        ""),
    "ResizeArea": (
        ["test_image_ops.py::test_resize_images_match_numpy_reference", "test_image_ops.py::test_resize_hand_derived_cases"],
        ["test_image_ops.py::test_resize_area_has_no_gradient_and_integer_images_get_none"],
        "no gradient, as in TF: tf.gradients raises LookupError"),
    "ResizeBilinearGrad": (["test_image_ops.py::test_resize_grad_kernels_are_the_transposed_maps"], [], NO_SECOND_ORDER),
    "ResizeBicubicGrad": (["test_image_ops.py::test_resize_grad_kernels_are_the_transposed_maps"], [], NO_SECOND_ORDER),
    "ResizeNearestNeighborGrad": (["test_image_ops.py::test_resize_grad_kernels_are_the_transposed_maps"], [],
                                  NO_SECOND_ORDER),
    # --- colour spaces ---
    "RGBToHSV": (["test_image_ops.py::test_rgb_hsv_conversions_match_colorsys"], [],
                 "not differentiable, as in TF1 (adjust_hue/adjust_saturation have no gradient either)"),
    "HSVToRGB": (["test_image_ops.py::test_rgb_hsv_conversions_match_colorsys",
                  "test_image_ops.py::test_adjust_hue_and_saturation_match_colorsys"], [],
                 "not differentiable, as in TF1"),
}
