"""`tf.train.SessionRunHook` and the values passed to it: `SessionRunArgs`, `SessionRunContext`,
`SessionRunValues`.

A hook is called by a `MonitoredSession` around every `run`:

    begin()                                  once, before the session exists (the graph may still change)
    after_create_session(session, coord)     after the session is created and initialized (again after a
                                             recovery)
    before_run(run_context) -> SessionRunArgs or None
                                             what to fetch and feed along with the caller's fetches, in the
                                             same Session.run call
    after_run(run_context, run_values)       run_values.results holds what before_run asked for
    end(session)                             once, when the MonitoredSession closes without error
"""
import collections

__all__ = ["SessionRunHook", "SessionRunArgs", "SessionRunContext", "SessionRunValues"]


class SessionRunHook:
    """`tf.train.SessionRunHook`: the base class of hooks; every method does nothing by default."""

    def begin(self):
        """Called once before the session is created; the graph may still be modified here."""

    def after_create_session(self, session, coord):  # pylint: disable=unused-argument
        """Called once the new session is created and its variables are initialized or restored.

        `session` is the raw tf.Session (running ops here does not call other hooks); `coord` is the
        Coordinator of the MonitoredSession's threads. The graph is finalized by then."""

    def before_run(self, run_context):  # pylint: disable=unused-argument
        """Called before each run; returns None or a `SessionRunArgs` of extra fetches/feeds/options
        that are run in the same `Session.run` call as the caller's fetches."""
        return None

    def after_run(self, run_context, run_values):  # pylint: disable=unused-argument
        """Called after each run with `run_values.results` holding the values of this hook's fetches
        (None when it asked for none). `run_context.request_stop()` ends the loop after this step."""

    def end(self, session):  # pylint: disable=unused-argument
        """Called once when the MonitoredSession closes cleanly (not after an error); `session` is the raw
        tf.Session, still usable for a last `run`."""


class SessionRunArgs(collections.namedtuple("SessionRunArgs", ["fetches", "feed_dict", "options"])):
    """`tf.train.SessionRunArgs(fetches, feed_dict=None, options=None)`: what a hook adds to a run.

    `fetches` is any structure a Session can fetch (its values come back in `SessionRunValues.results`
    with the same structure), `feed_dict` extra feeds, `options` a `tf.RunOptions`."""

    __slots__ = ()

    def __new__(cls, fetches, feed_dict=None, options=None):
        return super().__new__(cls, fetches, feed_dict, options)


class SessionRunContext:
    """`tf.train.SessionRunContext(original_args, session)`: what a hook knows about the current run.

    `original_args` is the caller's `SessionRunArgs(fetches, feed_dict)`, `session` the raw tf.Session;
    `request_stop()` asks the MonitoredSession to stop after this step (`stop_requested` says whether a
    hook did)."""

    def __init__(self, original_args, session):
        self._original_args = original_args
        self._session = session
        self._stop_requested = False

    @property
    def original_args(self):
        """The caller's `SessionRunArgs(fetches, feed_dict)`."""
        return self._original_args

    @property
    def session(self):
        """The raw tf.Session running this step."""
        return self._session

    @property
    def stop_requested(self):
        """Whether a hook called `request_stop()` during this run."""
        return self._stop_requested

    def request_stop(self):
        """Makes `MonitoredSession.should_stop()` True once this run's hooks have all been called."""
        self._stop_requested = True


class SessionRunValues(collections.namedtuple("SessionRunValues", ["results", "options", "run_metadata"])):
    """`tf.train.SessionRunValues(results, options, run_metadata)`: a hook's share of a run's outputs.

    `results` has the structure of the fetches the hook's `before_run` returned (None when it returned
    none); `options` are the RunOptions the run used and `run_metadata` its RunMetadata."""

    __slots__ = ()
