"""`tf.strings`: operations on string tensors (TF 1.15's namespace; `split` has TF1's SparseTensor
result, see ops/string_ops.py for what differs from TF)."""
from .ops.string_ops import (as_string, bytes_split, ngrams, regex_full_match, regex_replace, string_format,
                             string_length, string_split, string_strip, string_to_hash_bucket,
                             string_to_hash_bucket_fast, string_to_hash_bucket_strong, strings_split, substr,
                             to_number, unicode_decode, unicode_decode_with_offsets, unicode_encode,
                             unicode_script, unicode_split, unicode_split_with_offsets, unicode_transcode,
                             unsorted_segment_join, lower, upper, reduce_join, string_join)

format = string_format  # noqa: A001 - TF's name
join = string_join
length = string_length
split = strings_split
strip = string_strip
to_hash_bucket = string_to_hash_bucket
to_hash_bucket_fast = string_to_hash_bucket_fast
to_hash_bucket_strong = string_to_hash_bucket_strong
del string_format, string_join, string_length, strings_split, string_strip, string_split
del string_to_hash_bucket, string_to_hash_bucket_fast, string_to_hash_bucket_strong

__all__ = ["as_string", "bytes_split", "format", "join", "length", "lower", "ngrams", "reduce_join",
           "regex_full_match", "regex_replace", "split", "strip", "substr", "to_hash_bucket",
           "to_hash_bucket_fast", "to_hash_bucket_strong", "to_number", "unicode_decode",
           "unicode_decode_with_offsets", "unicode_encode", "unicode_script", "unicode_split",
           "unicode_split_with_offsets", "unicode_transcode", "unsorted_segment_join", "upper"]
