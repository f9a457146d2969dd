"""Binary file formats numflow shares with TensorFlow, written from their public descriptions.

- `crc32c`: CRC-32C (Castagnoli) and TensorFlow's masked form.
- `wire`: the protocol-buffer wire format (varints, length-delimited fields), encoded and decoded by hand.
- `table`: LevelDB-format sorted string tables (the `.index` file of a checkpoint).
- `bundle`: TensorFlow's V2 tensor bundle (`PREFIX.index` + `PREFIX.data-00000-of-00001`).
- `records`: TFRecord framing and the Event / Summary / GraphDef protocol buffers of TensorBoard logs.

Nothing here needs more than NumPy, and nothing is ever unpickled.
"""
