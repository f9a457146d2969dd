"""Op coverage for ops/image_extra.py (tf.image boxes, patches, JPEG helpers); merged by test_op_coverage.py."""
NO_SECOND_ORDER = ("gradient op: no second-order gradient (tf.gradients raises LookupError, as for an op "
                   "without one)")
_NO_GRAD = "not differentiable, as in TF"
_T = "test_image_extra.py::"

COVERAGE = {
    "NonMaxSuppressionV5": ([_T + "test_non_max_suppression_matches_greedy_reference",
                             _T + "test_non_max_suppression_ties_keep_the_lower_index_and_static_shapes",
                             _T + "test_soft_nms_decays_overlapping_scores_by_a_gaussian_of_the_iou",
                             _T + "test_non_max_suppression_errors"], [], _NO_GRAD),
    "NonMaxSuppressionWithOverlaps": ([_T + "test_non_max_suppression_overlaps_uses_the_given_matrix"], [], _NO_GRAD),
    "CombinedNonMaxSuppression": ([_T + "test_combined_non_max_suppression_matches_per_class_reference",
                                   _T + "test_combined_non_max_suppression_errors"], [], _NO_GRAD),
    "CropAndResize": ([_T + "test_crop_and_resize_matches_per_pixel_reference", _T + "test_crop_and_resize_errors"],
                      [_T + "test_crop_and_resize_gradients_for_image_and_boxes",
                       _T + "test_crop_and_resize_nearest_image_gradient"], ""),
    "CropAndResizeGradImage": ([_T + "test_crop_and_resize_gradients_for_image_and_boxes",
                                _T + "test_crop_and_resize_nearest_image_gradient"], [], NO_SECOND_ORDER),
    "CropAndResizeGradBoxes": ([_T + "test_crop_and_resize_gradients_for_image_and_boxes"], [], NO_SECOND_ORDER),
    "DrawBoundingBoxesV2": ([_T + "test_draw_bounding_boxes_outlines_with_palette_and_clipping",
                             _T + "test_draw_bounding_boxes_errors"], [], _NO_GRAD),
    "SampleDistortedBoundingBoxV2": ([_T + "test_sample_distorted_bounding_box_respects_its_constraints",
                                      _T + "test_sample_distorted_bounding_box_errors"], [],
                                     "random: checked by its constraints over many draws; " + _NO_GRAD),
    "ExtractImagePatches": ([_T + "test_extract_patches_match_reference", _T + "test_extract_patches_errors"],
                            [_T + "test_extract_patches_gradient_and_second_order"], ""),
    "ExtractImagePatchesAdjoint": ([_T + "test_extract_patches_gradient_and_second_order"],
                                   [_T + "test_extract_patches_gradient_and_second_order"],
                                   "ExtractImagePatches' gradient; its own gradient is ExtractImagePatches"),
    "ExtractJpegShape": ([_T + "test_is_jpeg_and_extract_jpeg_shape"], [], "codec: " + _NO_GRAD),
    "DecodeAndCropJpeg": ([_T + "test_decode_and_crop_jpeg_is_decode_then_crop"], [], "codec: " + _NO_GRAD),
    "EncodeJpegVariableQuality": ([_T + "test_adjust_and_random_jpeg_quality"], [], "codec: " + _NO_GRAD),
}
