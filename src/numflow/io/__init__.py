"""Binary file formats numflow shares with TensorFlow, written from their public descriptions.

- `crc32c`: CRC-32C (Castagnoli) and TensorFlow's masked form.
- `wire`: the protocol-buffer wire format (varints, length-delimited fields), encoded and decoded by hand.
- `table`: LevelDB-format sorted string tables (the `.index` file of a checkpoint).
- `bundle`: TensorFlow's V2 tensor bundle (`PREFIX.index` + `PREFIX.data-00000-of-00001`).
- `proto`: a small declarative protobuf layer and the Summary / Event / TensorProto messages.
- `events`: TFRecord framing, TensorBoard event files, and a numflow Graph as a GraphDef protobuf.
- `meta_graph`: numflow's own JSON `.meta` format (import_meta_graph / export_meta_graph).

Nothing here needs more than NumPy, and nothing is ever unpickled.
"""
