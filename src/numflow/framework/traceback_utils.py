"""Where user code created an op: captured cheaply at graph construction, formatted only on errors.

Every `Operation` records the first stack frame outside the numflow package (the user's line that built
it) and a few of its callers. Capturing must cost almost nothing, since graphs have thousands of ops:
no `traceback.extract_stack`, no source lines, no strings — only (code object, line number) pairs. Source
lines are read lazily with `linecache` when `op.traceback` is asked for or an error names the op.

Finding the user frame by walking `f_back` from the current frame makes Python build a frame object for
every numflow frame on the way, which is most of the cost. `sys._getframe(depth)` builds only the one it
returns, so the depth at which the user frame was found last time for the same op type is tried first
and verified (the frame there is numflow's, the one above it is not); a miss falls back to the walk.
"""
import linecache
import os
import sys

_getframe = sys._getframe
_NUMFLOW_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


# op type key -> recent (depth as `sys._getframe` counts from `capture`, code object) of the last
# numflow frame before user code; a few per type, since one op type is built along several paths.
_depth_cache = {}
_PATHS_KEPT = 3


def is_numflow_file(filename):
    """True for numflow's own source files: their frames are skipped when looking for the user's line."""
    return filename.startswith(_NUMFLOW_DIR)


def _collect(frame):
    # f_lasti, not f_lineno: turning an instruction offset into a line number scans the code's line
    # table, which is left to the rare reader of the result (see _line_number). Unrolled: it runs for
    # every op.
    caller = frame.f_back
    if caller is None:
        return (frame.f_code, frame.f_lasti)
    outer = caller.f_back
    if outer is None:
        return (frame.f_code, frame.f_lasti, caller.f_code, caller.f_lasti)
    return (frame.f_code, frame.f_lasti, caller.f_code, caller.f_lasti, outer.f_code, outer.f_lasti)


def capture(key):
    """The creation site of an op being built, as a flat tuple (code, instruction offset, code, offset,
    ...) from the user's frame outwards; `key` (the op's type) selects the stack depths tried first."""
    prefix = _NUMFLOW_DIR
    known = _depth_cache.get(key)
    if known is not None:
        # A remembered (depth, code of the last numflow frame) is trusted when the same numflow function
        # sits at that depth and user code called it: the path down to here is then the same one.
        for depth, code in known:
            try:
                inner = _getframe(depth)
            except ValueError:
                continue
            if inner.f_code is code:
                frame = inner.f_back
                if frame is not None and not frame.f_code.co_filename.startswith(prefix):
                    return _collect(frame)
    frame = _getframe(1)
    depth = 1
    inner = None
    while frame is not None and frame.f_code.co_filename.startswith(prefix):
        inner = frame
        frame = frame.f_back
        depth += 1
    if frame is None or inner is None:
        return () if frame is None else _collect(frame)
    # `depth` counts from this function's caller, _getframe from this function: the last numflow
    # frame is at depth - 1.
    entry = (depth - 1, inner.f_code)
    _depth_cache[key] = (entry,) + tuple(e for e in known or () if e != entry)[:_PATHS_KEPT - 1]
    return _collect(frame)


def capture_here():
    """Like `capture`, without the depth cache (for error paths)."""
    frame = _getframe(1)
    while frame is not None and is_numflow_file(frame.f_code.co_filename):
        frame = frame.f_back
    return () if frame is None else _collect(frame)


def _line_number(code, offset):
    for start, end, line in code.co_lines():
        if start <= offset < end:
            return line if line is not None else code.co_firstlineno
    return code.co_firstlineno


def to_traceback(frames):
    """TF1's `Operation.traceback` format: [(filename, lineno, function name, source line)], outermost
    call first, the line that created the op last."""
    entries = []
    for index in range(len(frames) - 2, -1, -2):
        code = frames[index]
        filename, lineno = code.co_filename, _line_number(code, frames[index + 1])
        entries.append((filename, lineno, code.co_name, linecache.getline(filename, lineno).strip()))
    return entries


def short_location(frames):
    """'file.py:12' for the user's line that created an op ('' when unknown)."""
    if not frames:
        return ""
    return "%s:%d" % (os.path.basename(frames[0].co_filename), _line_number(frames[0], frames[1]))


def format_frames(frames):
    """The frames as Python prints a traceback: 'File "...", line N, in f' then the source line; numflow's
    own frames among the callers (a tf.data map calling the user's function, say) are left out."""
    lines = []
    for filename, lineno, name, source in to_traceback(frames):
        if is_numflow_file(filename):
            continue
        lines.append('  File "%s", line %d, in %s' % (filename, lineno, name))
        if source:
            lines.append("    " + source)
    return "\n".join(lines)


def defined_at_block(op):
    """"Caused by op 'mm', defined at:" and where user code created `op` (TF's error suffix)."""
    frames = getattr(op, "_creation_frames", ())
    if not frames:
        return "Caused by op '%s', defined at: (unknown)" % op.name
    return "Caused by op '%s', defined at:\n%s" % (op.name, format_frames(frames))


def has_defined_at(message):
    return "Caused by op '" in message or "defined at:" in message
