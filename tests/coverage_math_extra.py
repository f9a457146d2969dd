"""Op coverage for the special functions, segments, scatters, decompositions and signal transforms
(ops/special_math.py, segment_ops.py, scatter_ops.py, linalg_extra.py, signal_ops.py); merged by
test_op_coverage.py."""
_SM = "test_special_math.py::"
_SS = "test_segment_scatter.py::"
_LA = "test_linalg_extra.py::"
_SG = "test_signal.py::"
_GRAD_HELPER = "gradient helper: checked through the finite-difference tests of the op it differentiates"
_STATE = "writes a variable in place: not differentiable, as TF's ref scatters"


def _special(value_test, note=""):
    return ([_SM + value_test], [_SM + "test_special_math_gradients"], note)


def _segment(value_test):
    return ([_SS + value_test], [_SS + "test_segment_gradients"], "")


COVERAGE = {
    # --- ops/special_math.py ---
    "Lgamma": _special("test_lgamma_matches_math_including_negative_and_poles"),
    "Digamma": _special("test_digamma_values_and_poles"),
    "Polygamma": ([_SM + "test_polygamma_and_zeta"],
                  [_SM + "test_special_math_gradients", _SM + "test_gradients_that_tf_leaves_undefined_are_none"],
                  "differentiable in x only, as TF"),
    "Zeta": ([_SM + "test_polygamma_and_zeta"],
             [_SM + "test_special_math_gradients", _SM + "test_gradients_that_tf_leaves_undefined_are_none"],
             "differentiable in q only, as TF"),
    "Igamma": _special("test_incomplete_gamma_values"),
    "Igammac": _special("test_incomplete_gamma_values"),
    "IgammaGradX": ([_SM + "test_special_math_gradients"], [], _GRAD_HELPER),
    "IgammaGradA": ([_SM + "test_special_math_gradients"], [], _GRAD_HELPER),
    "Betainc": ([_SM + "test_betainc_values_symmetry_and_domain", _SM + "test_betainc_shape_and_dtype_errors"],
                [_SM + "test_special_math_gradients", _SM + "test_gradients_that_tf_leaves_undefined_are_none"],
                "differentiable in x only, as TF"),
    "BetaincGradX": ([_SM + "test_special_math_gradients"], [], _GRAD_HELPER),
    "BesselI0": _special("test_bessel_functions_match_series_and_numpy"),
    "BesselI0e": _special("test_bessel_functions_match_series_and_numpy"),
    "BesselI1": _special("test_bessel_functions_match_series_and_numpy"),
    "BesselI1e": _special("test_bessel_functions_match_series_and_numpy"),
    "Erfc": _special("test_erfc_erfinv_ndtri"),
    "Erfinv": _special("test_erfc_erfinv_ndtri"),
    "Ndtri": _special("test_erfc_erfinv_ndtri"),
    "Acosh": _special("test_inverse_hyperbolics_and_atan2"),
    "Asinh": _special("test_inverse_hyperbolics_and_atan2"),
    "Atanh": _special("test_inverse_hyperbolics_and_atan2"),
    "Atan2": _special("test_inverse_hyperbolics_and_atan2"),
    "Xlogy": _special("test_safe_products"),
    "Xdivy": _special("test_safe_products"),
    "Xlog1py": _special("test_safe_products"),
    "MulNoNan": _special("test_safe_products"),
    "NextAfter": ([_SM + "test_compositions"], [], "not differentiable, as TF"),
    "CumulativeLogsumexp": _special("test_compositions"),
    "Complex": _special("test_complex_parts"),
    "Real": _special("test_complex_parts"),
    "Imag": _special("test_complex_parts"),
    "Angle": _special("test_complex_parts"),
    "Conj": _special("test_complex_parts"),
    "ComplexAbs": _special("test_complex_parts", "tf.abs of complex tensors"),
    # --- ops/segment_ops.py ---
    "SegmentSum": _segment("test_sorted_segment_reductions"),
    "SegmentProd": ([_SS + "test_sorted_segment_reductions"],
                    [_SS + "test_segment_gradients", _SS + "test_segment_prod_gradient_with_zeros"], ""),
    "SegmentMax": _segment("test_sorted_segment_reductions"),
    "SegmentMin": _segment("test_sorted_segment_reductions"),
    "SegmentMean": _segment("test_segment_mean_and_integer_data"),
    "UnsortedSegmentSum": _segment("test_unsorted_segment_reductions"),
    "UnsortedSegmentProd": ([_SS + "test_unsorted_segment_reductions"],
                            [_SS + "test_segment_gradients", _SS + "test_segment_prod_gradient_with_zeros"], ""),
    "UnsortedSegmentMax": _segment("test_unsorted_segment_reductions"),
    "UnsortedSegmentMin": _segment("test_unsorted_segment_reductions"),
    "SegmentGather": ([_SS + "test_segment_gradients"], [_SS + "test_segment_gather_second_order"],
                      "internal: the gradient of the segment sums"),
    "SegmentProdGrad": ([_SS + "test_segment_prod_gradient_with_zeros"], [], _GRAD_HELPER),
    "DynamicPartition": ([_SS + "test_dynamic_partition_and_stitch", _SS + "test_dynamic_partition_errors"],
                         [_SS + "test_dynamic_partition_and_stitch_gradients"], ""),
    "DynamicStitch": ([_SS + "test_dynamic_partition_and_stitch"],
                      [_SS + "test_dynamic_partition_and_stitch_gradients"], ""),
    "ReverseSequence": ([_SS + "test_reverse_sequence_values_and_gradient"],
                        [_SS + "test_reverse_sequence_values_and_gradient"], ""),
    "MatrixBandPart": ([_SS + "test_matrix_band_part"], [_SS + "test_matrix_band_part"], ""),
    "HistogramFixedWidth": ([_SS + "test_histograms_and_bincount"], [], "counts: not differentiable"),
    "Bincount": ([_SS + "test_histograms_and_bincount"], [], "counts: not differentiable"),
    # --- ops/scatter_ops.py ---
    **{op: ([_SS + "test_row_scatters_update_the_variable_in_place", _SS + "test_scatter_errors"], [], _STATE)
       for op in ("ScatterUpdate", "ScatterAdd", "ScatterSub", "ScatterMul", "ScatterMin", "ScatterMax")},
    "ScatterDiv": ([_SS + "test_row_scatters_update_the_variable_in_place",
                    _SS + "test_scatter_int_division_truncates_and_scalar_updates"], [], _STATE),
    **{op: ([_SS + "test_nd_scatters_on_variables"], [], _STATE)
       for op in ("ScatterNdUpdate", "ScatterNdAdd", "ScatterNdSub")},
    "ScatterNd": ([_SS + "test_scatter_nd_values_and_gradient"], [_SS + "test_scatter_nd_values_and_gradient"], ""),
    **{op: ([_SS + "test_tensor_scatters_values_and_gradients", _SS + "test_tensor_scatter_old_names_and_errors"],
            [_SS + "test_tensor_scatters_values_and_gradients"], "")
       for op in ("TensorScatterUpdate", "TensorScatterAdd", "TensorScatterSub", "TensorScatterMax",
                  "TensorScatterMin")},
    # --- ops/linalg_extra.py ---
    "Cholesky": ([_LA + "test_cholesky_values_and_error"], [_LA + "test_linalg_gradients"], ""),
    "MatrixTriangularSolve": ([_LA + "test_solvers"], [_LA + "test_linalg_gradients"], ""),
    "MatrixSolve": ([_LA + "test_solvers", _LA + "test_tridiagonal_solve_and_matmul"],
                    [_LA + "test_linalg_gradients"], ""),
    "MatrixSolveLs": ([_LA + "test_least_squares"], [], "lstsq fast=False: not differentiable, as TF"),
    "LogMatrixDeterminant": ([_LA + "test_determinants"], [_LA + "test_linalg_gradients"], ""),
    "SelfAdjointEigV2": ([_LA + "test_eigh_and_eigvalsh"], [_LA + "test_linalg_gradients"], ""),
    "Qr": ([_LA + "test_qr_and_svd_reconstruct"],
           [_LA + "test_linalg_gradients", _LA + "test_unsupported_gradients_raise_like_tf"], ""),
    "Svd": ([_LA + "test_qr_and_svd_reconstruct"],
            [_LA + "test_linalg_gradients", _LA + "test_unsupported_gradients_raise_like_tf"], ""),
    "MatrixExponential": ([_LA + "test_pinv_rank_expm_logm_and_small_helpers"], [_LA + "test_linalg_gradients"], ""),
    "MatrixLogarithm": ([_LA + "test_pinv_rank_expm_logm_and_small_helpers"], [], "not differentiable, as TF"),
    # --- ops/signal_ops.py ---
    **{op: ([_SG + "test_complex_transforms"], [_SG + "test_fft_gradients"], "")
       for op in ("FFT", "IFFT", "FFT2D", "IFFT2D", "FFT3D", "IFFT3D")},
    **{op: ([_SG + "test_real_transforms_with_fft_length"], [_SG + "test_fft_gradients"], "")
       for op in ("RFFT", "IRFFT", "RFFT2D", "IRFFT2D", "RFFT3D", "IRFFT3D")},
    "RealTransformGrad": ([_SG + "test_fft_gradients"], [], _GRAD_HELPER),
}
