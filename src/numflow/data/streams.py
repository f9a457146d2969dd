"""The run-time side of a dataset: streams of chunks.

When an iterator is initialized, its dataset builds a tree of streams. A stream hands out its elements in
chunks: a tuple with one NumPy array per flat component, all with the same leading (row) axis, one row per
element, and never more rows than the caller asked for. Sources slice whole chunks out of their arrays,
`shuffle` gathers a chunk with one fancy index, `batch` often passes its upstream chunk through as one
batch: an epoch of MNIST moves through a pipeline in a few hundred NumPy calls, not 55000 Python steps.
"""
import numpy as np

from ..framework import errors


class Runtime:
    """What streams of one initialized iterator share: the Session state (`ctx`), the values of the
    dataset's input tensors (`env`), and per-dataset state that outlives one epoch (`state`)."""

    def __init__(self, ctx, env, state=None):
        self.ctx = ctx
        self.env = env
        self.state = {} if state is None else state

    def value(self, tensor):
        return self.env[tensor]

    def with_values(self, extra):
        env = dict(self.env)
        env.update(extra)
        return Runtime(self.ctx, env, self.state)


class Stream:
    """A source of chunks; `next_chunk(limit)` returns 1..limit rows, or None once exhausted."""

    def next_chunk(self, limit):
        raise NotImplementedError


def row_count(chunk):
    return len(chunk[0])


def take_rows(chunk, start, stop):
    return tuple(c[start:stop] for c in chunk)


def row(chunk, index):
    """The components of one element of `chunk` (0-d arrays for scalars, never bare Python objects)."""
    return tuple(c[index] if c.ndim > 1 else c[index:index + 1].reshape(()) for c in chunk)


def stack_rows(rows, dtypes_np):
    """One chunk from a list of elements of one shape."""
    return tuple(np.stack([np.asarray(r[k], dtype=dtypes_np[k]) for r in rows])
                 for k in range(len(dtypes_np)))


def same_shapes(first, other):
    return all(np.shape(a) == np.shape(b) for a, b in zip(first, other))


def concat_chunks(chunks, what="batch"):
    """Rows of several chunks as one chunk; InvalidArgumentError in TF's words when shapes differ."""
    if len(chunks) == 1:
        return chunks[0]
    first = chunks[0]
    for k in range(len(first)):
        want = first[k].shape[1:]
        for position, chunk in enumerate(chunks[1:], 1):
            if chunk[k].shape[1:] != want:
                raise errors.InvalidArgumentError(
                    None, None, "Cannot %s tensors with different shapes in component %d. First element had "
                    "shape %s and element %d had shape %s." % (what, k, _fmt(want), _row_offset(chunks, position),
                                                              _fmt(chunk[k].shape[1:])))
    return tuple(np.concatenate([c[k] for c in chunks]) for k in range(len(first)))


def _row_offset(chunks, position):
    return sum(row_count(c) for c in chunks[:position])


def _fmt(shape):
    return "[%s]" % ",".join(str(d) for d in shape)


class Puller:
    """Wraps a stream to take exactly n rows at a time (fewer only at its end), keeping what is left over."""

    def __init__(self, stream):
        self.stream = stream
        self.pending = None

    def take(self, count, what="batch"):
        """Up to `count` rows as one chunk, or None when nothing is left."""
        parts = self.take_list(count)
        return concat_chunks(parts, what) if parts else None

    def take_list(self, count):
        """Up to `count` rows as a list of chunks (their shapes may differ between chunks)."""
        parts, have = [], 0
        while have < count:
            if self.pending is not None:
                chunk, self.pending = self.pending, None
            else:
                chunk = self.stream.next_chunk(count - have)
                if chunk is None:
                    break
            n = row_count(chunk)
            if have + n > count:
                self.pending = take_rows(chunk, count - have, n)
                chunk = take_rows(chunk, 0, count - have)
                n = count - have
            parts.append(chunk)
            have += n
        return parts


class RowQueue:
    """Elements produced one at a time, handed out as chunks of consecutive elements of one shape."""

    def __init__(self, dtypes_np):
        self.dtypes_np = dtypes_np
        self.rows = []

    def __len__(self):
        return len(self.rows)

    def append(self, element):
        self.rows.append(element)

    def pop_chunk(self, limit):
        first = self.rows[0]
        count = 1
        while count < min(limit, len(self.rows)) and same_shapes(first, self.rows[count]):
            count += 1
        chunk = stack_rows(self.rows[:count], self.dtypes_np)
        del self.rows[:count]
        return chunk


class ChunkStream(Stream):
    """Hands out the rows of fixed chunks (a recorded cache, a single element), at most `limit` at a time."""

    def __init__(self, chunks):
        self.chunks = list(chunks)
        self.index = 0
        self.offset = 0

    def next_chunk(self, limit):
        while self.index < len(self.chunks):
            chunk = self.chunks[self.index]
            n = row_count(chunk)
            if self.offset >= n:
                self.index += 1
                self.offset = 0
                continue
            stop = min(n, self.offset + limit)
            part = chunk if (self.offset == 0 and stop == n) else take_rows(chunk, self.offset, stop)
            self.offset = stop
            return part
        return None


class EmptyStream(Stream):
    def next_chunk(self, limit):
        return None
