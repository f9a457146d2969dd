"""Op coverage for summary_audio.py; merged by test_op_coverage.py."""
COVERAGE = {
    "AudioSummaryV2": (["test_summary_audio.py::test_audio_summary_encodes_wav_clips",
                        "test_summary_audio.py::test_audio_summary_mono_single_output_and_errors"], [],
                       "summary: not differentiable"),
}
