"""String, set and bitwise programs built identically with numflow and real TensorFlow (compat.v1);
see test_tf_parity_strings.py. Ragged results of real TF are compared through `.to_sparse()`, the
SparseTensor numflow returns for them."""
import numpy as np

WORDS = ["hello world", "a,,b c", "", "  x  ", "h\u00e9llo \u00c9t\u00e9", "tab\there"]
HASHED = ["", "a", "hello", "abcdefgh", "abcdefghijklmnopq", "x" * 33, "y" * 64, "z" * 65, "w" * 200,
          "caf\u00e9", "\x00\x01\xff"]


def _sparse(tf, value):
    """A RaggedTensor (real TF) as the SparseTensor numflow returns in its place."""
    return value.to_sparse() if hasattr(value, "to_sparse") else value


def _values(tf, value):
    return value.values if hasattr(value, "values") else value


def cases(tf):
    """Fetches (a dict) of one graph built with the module `tf`, and its feeds."""
    words = tf.constant(WORDS)
    grid = tf.constant([["a", "b", "c"], ["d", "e", "f"]])
    out = {}
    out["string_split"] = tf.string_split(words)
    out["string_split_delims"] = tf.string_split(words, ", ")
    out["string_split_keep_empty"] = tf.string_split(words, ",", skip_empty=False)
    out["string_split_bytes"] = tf.string_split(tf.constant(["abc", "de"]), "")
    out["strings_split"] = tf.strings.split(words)
    out["strings_split_sep"] = tf.strings.split(words, sep=",")
    out["strings_split_max"] = tf.strings.split(tf.constant(["a,b,c,d", "  a b  c d "]), sep=",", maxsplit=2)
    out["strings_split_ws_max"] = tf.strings.split(tf.constant(["  a b  c d "]), maxsplit=2)
    out["as_string"] = [tf.as_string(tf.constant([1.5, -2.0, 1e10, np.nan, -np.inf])),
                        tf.as_string(tf.constant([3, -4])), tf.as_string(tf.constant([True, False])),
                        tf.as_string(tf.constant([1.5, 2.25]), precision=1),
                        tf.as_string(tf.constant([1.5e-7, 2.25]), shortest=True),
                        tf.as_string(tf.constant([1.5, 2.25], tf.float64), scientific=True, precision=3),
                        tf.as_string(tf.constant([3, -4], tf.int64), width=5),
                        tf.as_string(tf.constant([3, -4], tf.int8), width=5, fill="0"),
                        tf.as_string(tf.constant([1.5]), width=9, fill="0", precision=2),
                        tf.as_string(tf.constant([1 + 2j], tf.complex64))]
    out["substr"] = [tf.substr(tf.constant(["hello", "world"]), 1, 3),
                     tf.substr(tf.constant(["hello", "world"]), -2, 3),
                     tf.substr(tf.constant(["hello"]), 1, -1), tf.substr(tf.constant(["hello"]), 5, 2),
                     tf.strings.substr(grid, [1, 0, 0], [1, 1, 2]),
                     tf.strings.substr(tf.constant(["h\u00e9llo"]), 1, 2, unit="UTF8_CHAR")]
    out["regex"] = [tf.regex_replace(tf.constant(["aaa bab", "xyz"]), "a(b?)", r"<\1\0>"),
                    tf.regex_replace(tf.constant(["aaa"]), "a", "b", replace_global=False),
                    tf.strings.regex_replace(words, r"\s+", "_"),
                    tf.strings.regex_full_match(tf.constant(["abc", "ab", "x1"]), r"ab.|\w\d")]
    out["reduce_join"] = [tf.reduce_join(grid, 0), tf.reduce_join(grid, separator="-"),
                          tf.reduce_join(grid, [1], keep_dims=True, separator="."), tf.reduce_join(grid, -1),
                          tf.reduce_join(grid, [0, 1]), tf.reduce_join(grid, [1, 0]),
                          tf.reduce_join(tf.constant(np.array([str(i) for i in range(8)]).reshape(2, 2, 2)), [2, 0])]
    out["join_strip_case"] = [tf.string_join([tf.constant(["a", "b"]), "x", tf.constant(["c", "d"])], separator="-"),
                              tf.string_strip(tf.constant([" \t a b \n", "x"])), tf.strings.strip(words),
                              tf.strings.lower(words), tf.strings.upper(words),
                              tf.strings.upper(words, encoding="utf-8")]
    out["length"] = [tf.strings.length(words), tf.strings.length(words, unit="UTF8_CHAR")]
    out["base64"] = [tf.encode_base64(words), tf.encode_base64(words, pad=True),
                     tf.decode_base64(tf.encode_base64(words)), tf.decode_base64(tf.constant(["YWI=", "YWI", ""]))]
    out["hash"] = [tf.string_to_hash_bucket(tf.constant(HASHED), 2 ** 62 + 1),
                   tf.string_to_hash_bucket_strong(tf.constant(HASHED), 2 ** 62 + 1, [1, 2]),
                   tf.strings.to_hash_bucket_strong(tf.constant(HASHED), 1000, [-1, 12345])]
    out["hash_fast"] = tf.string_to_hash_bucket_fast(tf.constant(HASHED), 2 ** 62 + 1)
    out["format"] = [tf.strings.format("x={} y={}", [tf.constant([1, 2, 3, 4, 5, 6, 7]),
                                                     tf.constant([[1.5, 2.0], [3.0, 4.0]])]),
                     tf.strings.format("v: {} {}", [tf.constant("str"), tf.constant(["a", "b"])], summarize=2),
                     tf.strings.format("{}", tf.constant(np.arange(30).reshape(5, 6)), summarize=2),
                     tf.strings.format("{}", tf.constant(np.arange(8).reshape(2, 2, 2))),
                     tf.strings.format("{} {} {}", [tf.constant([True, False]),
                                                    tf.constant([1e-7, 123456789.0, 0.1]),
                                                    tf.constant([1.0 / 3, 2.5e20, -0.0], tf.float64)]),
                     tf.strings.format("a %s b", tf.constant(3.25), placeholder="%s"),
                     tf.strings.format("{}", tf.constant(np.arange(7)), summarize=-1)]
    out["segment_join"] = tf.strings.unsorted_segment_join(tf.constant([["a", "b"], ["c", "d"], ["e", "f"]]),
                                                           tf.constant([1, 0, 1]), 3, separator="+")
    out["ngrams"] = [tf.strings.ngrams(grid, 2),
                     tf.strings.ngrams(tf.constant(["a", "b", "c"]), 2, pad_values=("<", ">")),
                     tf.strings.ngrams(tf.constant(["a", "b", "c"]), (1, 3), separator="_"),
                     tf.strings.ngrams(tf.constant(["a", "b"]), 3, preserve_short_sequences=True),
                     tf.strings.ngrams(tf.constant(["a", "b"]), 4, pad_values="#", padding_width=1,
                                       preserve_short_sequences=True),
                     tf.strings.ngrams(tf.constant(["a", "b", "c"]), 3, pad_values=("<", ">"), padding_width=1)]
    out["unicode"] = [tf.strings.unicode_decode(tf.constant("h\u00e9llo"), "UTF-8"),
                      tf.strings.unicode_decode(tf.constant(b"a\xffb\xc3"), "UTF-8"),
                      tf.strings.unicode_decode(tf.constant(b"a\xffb\x01"), "UTF-8", errors="ignore",
                                                replace_control_characters=True),
                      tf.strings.unicode_decode(tf.constant(b"a\x01b\x7f\n"), "UTF-8",
                                                replace_control_characters=True, replacement_char=63),
                      tf.strings.unicode_decode(tf.constant("h\u00e9\U0001F600".encode("utf-16-be")), "UTF-16-BE"),
                      tf.strings.unicode_encode(tf.constant([104, 233]), "UTF-8"),
                      tf.strings.unicode_encode(tf.constant([104, 0x110000, -1, 0xD800]), "UTF-8"),
                      tf.strings.unicode_encode(tf.constant([104, 0x110000, 105]), "UTF-8", errors="ignore"),
                      tf.strings.unicode_encode(tf.constant([[104, 105], [106, 0x1F600]]), "UTF-16-BE"),
                      tf.strings.unicode_transcode(words, "UTF-8", "UTF-16-BE"),
                      tf.strings.unicode_transcode(tf.constant([b"a\xffb"]), "UTF-8", "UTF-32-BE"),
                      tf.strings.bytes_split(tf.constant("abc")),
                      tf.strings.unicode_split(tf.constant("h\u00e9!"), "UTF-8")]
    out["unicode_offsets"] = (list(tf.strings.unicode_decode_with_offsets(tf.constant("h\u00e9llo"), "UTF-8")) +
                              list(tf.strings.unicode_split_with_offsets(tf.constant("h\u00e9"), "UTF-8")))
    out["unicode_rows"] = [_sparse(tf, tf.strings.unicode_decode(words, "UTF-8")),
                           _sparse(tf, tf.strings.unicode_split(tf.constant([["h\u00e9", ""], ["xyz", "\u00e9"]]),
                                                                "UTF-8")),
                           _sparse(tf, tf.strings.bytes_split(words)),
                           _sparse(tf, tf.strings.bytes_split(tf.constant([["ab", ""], ["c", "def"]])))]
    out["unicode_script"] = tf.strings.unicode_script(tf.constant(
        [104, 233, 0x3b1, 0x4e00, 32, 0x0416, 0x05d0, 0x0627, 0x0915, 0x0e01, 0xac00, 0x3042, 0x30a2, 0x0301, 48,
         0x10FFFF + 1, 0x2603]))
    out["to_number"] = tf.strings.to_number(tf.constant(["1.5", "-2"]))
    # --- sets ---
    a = tf.constant([[[1, 2, 2], [3, 4, 5]], [[5, 6, 7], [8, 8, 8]]])
    b = tf.constant([[[2, 1, 9], [9, 9, 9]], [[7, 0, 0], [1, 1, 1]]])
    sp = tf.SparseTensor([[0, 0, 0], [0, 0, 2], [0, 1, 0], [1, 1, 1]], [3, 1, 4, 8], [2, 2, 5])
    out["sets_dense"] = [tf.sets.set_intersection(a, b), tf.sets.set_union(a, b), tf.sets.set_difference(a, b),
                         tf.sets.set_difference(a, b, aminusb=False)]
    out["sets_sparse"] = [tf.sets.set_intersection(a, sp), tf.sets.set_intersection(sp, a),
                          tf.sets.set_difference(a, sp), tf.sets.set_difference(sp, a), tf.sets.set_union(sp, sp),
                          tf.sets.set_union(tf.SparseTensor([[0, 1]], [3], [2, 5]),
                                            tf.SparseTensor([[0, 1]], [3], [2, 7]))]
    out["sets_size"] = [tf.sets.set_size(sp), tf.sets.set_size(tf.SparseTensor([[0, 2], [0, 0]], [3, 1], [2, 5]),
                                                                validate_indices=False)]
    out["sets_strings"] = tf.sets.set_union(tf.constant([["b", "a"], ["c", "c"]]),
                                            tf.constant([["a", "z"], ["d", "a"]]))
    out["sets_empty"] = tf.sets.set_intersection(tf.constant([[1], [2]], tf.int64), tf.constant([[3], [4]], tf.int64))
    # --- bitwise ---
    x8 = tf.constant([1, -8, 127, -128], tf.int8)
    s8 = tf.constant([1, 9, -1, 7], tf.int8)
    u8 = tf.constant([1, 200, 255], tf.uint8)
    out["bitwise"] = [tf.bitwise.left_shift(x8, s8), tf.bitwise.right_shift(x8, s8), tf.bitwise.invert(x8),
                      tf.bitwise.bitwise_and(x8, tf.constant(3, tf.int8)),
                      tf.bitwise.bitwise_or(u8, tf.constant([2, 4, 8], tf.uint8)),
                      tf.bitwise.bitwise_xor(u8, tf.constant(255, tf.uint8)), tf.bitwise.invert(u8),
                      tf.bitwise.right_shift(u8, tf.constant([8, 3, 1], tf.uint8)),
                      tf.bitwise.left_shift(tf.constant([1, 3], tf.uint64), tf.constant([63, 62], tf.uint64)),
                      tf.bitwise.right_shift(tf.constant([-(2 ** 40), 2 ** 40], tf.int64),
                                             tf.constant([3, 70], tf.int64))]
    return out, {}
