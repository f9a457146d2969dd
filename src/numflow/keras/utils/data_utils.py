"""`tf.keras.utils.get_file` (a download cache under ~/.keras) and `Sequence` (indexable batches for
`fit_generator`).

`get_file` returns the cached copy when present (checking its hash when one is given), and otherwise
downloads it; when the download fails (no network), the error names the file, the URL and the folder
to put a copy in.
"""
import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile

__all__ = ["get_file", "Sequence", "validate_file", "GeneratorEnqueuer", "OrderedEnqueuer", "SequenceEnqueuer"]

DOWNLOAD_TIMEOUT = float(os.environ.get("NUMFLOW_DOWNLOAD_TIMEOUT", "10"))


def _keras_home(cache_dir=None):
    """The Keras cache folder: `cache_dir`, else $KERAS_HOME, else ~/.keras (or /tmp/.keras when the home
    folder cannot be written, as Keras falls back)."""
    if cache_dir is None:
        cache_dir = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
        parent = cache_dir if os.path.isdir(cache_dir) else os.path.dirname(cache_dir)
        if not os.access(parent, os.W_OK):
            cache_dir = os.path.join(tempfile.gettempdir(), ".keras")
    return cache_dir


def _hash_file(path, algorithm="sha256", chunk_size=65535):
    hasher = hashlib.sha256() if algorithm == "sha256" else hashlib.md5()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=65535):
    """Whether the file's sha256 (64 hex digits, or algorithm='sha256') or md5 matches `file_hash`."""
    if algorithm == "sha256" or (algorithm == "auto" and len(file_hash) == 64):
        hasher = "sha256"
    else:
        hasher = "md5"
    return str(_hash_file(fpath, hasher, chunk_size)) == str(file_hash)


def _safe_members_tar(archive, destination):
    root = os.path.realpath(destination)
    for member in archive.getmembers():
        target = os.path.realpath(os.path.join(destination, member.name))
        if not (target == root or target.startswith(root + os.sep)) or member.issym() or member.islnk() \
                or member.isdev():
            raise ValueError("Refusing to extract %r from the archive: it would leave %s or is a link/device"
                             % (member.name, destination))
        yield member


def _extract_archive(path, destination, archive_format="auto"):
    """Extracts a tar or zip archive into `destination`, refusing members that would land outside it.
    Returns whether `path` was an archive of an accepted format."""
    formats = ["tar", "zip"] if archive_format == "auto" else \
        ([archive_format] if isinstance(archive_format, str) else list(archive_format or []))
    if "tar" in formats and tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            archive.extractall(destination, members=list(_safe_members_tar(archive, destination)))
        return True
    if "zip" in formats and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            root = os.path.realpath(destination)
            for name in archive.namelist():
                target = os.path.realpath(os.path.join(destination, name))
                if not (target == root or target.startswith(root + os.sep)):
                    raise ValueError("Refusing to extract %r from the archive: it would leave %s"
                                     % (name, destination))
            archive.extractall(destination)
        return True
    return False


def get_file(fname, origin, untar=False, md5_hash=None, file_hash=None, cache_subdir="datasets",
             hash_algorithm="auto", extract=False, archive_format="auto", cache_dir=None):
    """The local path of `fname` in the Keras cache (`cache_dir`, default ~/.keras, or $KERAS_HOME) under
    `cache_subdir`, downloading it from `origin` when it is not there (or its hash does not match).
    `untar`/`extract` also unpack the archive next to it (untar returns the unpacked folder's path).
    An absolute `fname` is used as is. Raises an Exception naming the URL and the place to copy the file
    to when the download fails."""
    cache_dir = _keras_home(cache_dir)
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    datadir = os.path.join(cache_dir, cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    if untar:
        untar_fpath = os.path.join(datadir, fname)
        fpath = untar_fpath + ".tar.gz"
    else:
        fpath = os.path.join(datadir, fname)
    download = not os.path.exists(fpath)
    if not download and file_hash is not None and not validate_file(fpath, file_hash, algorithm=hash_algorithm):
        download = True
    if download:
        _download(origin, fpath, fname)
        if file_hash is not None and not validate_file(fpath, file_hash, algorithm=hash_algorithm):
            os.remove(fpath)
            raise ValueError("Incomplete or corrupted file detected. The %s file hash of %s does not match the "
                             "expected value %s." % (hash_algorithm, fname, file_hash))
    if untar:
        if not os.path.exists(untar_fpath):
            _extract_archive(fpath, datadir, archive_format="tar")
        return untar_fpath
    if extract:
        _extract_archive(fpath, datadir, archive_format)
    return fpath


def _download(origin, fpath, fname):
    """Downloads `origin` to `fpath` through a temporary file (no partial file is left behind)."""
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(fpath), prefix=".download-")
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(origin, timeout=DOWNLOAD_TIMEOUT) as response:
            shutil.copyfileobj(response, out)
        os.replace(temporary, fpath)
    except (urllib.error.URLError, OSError, ValueError) as e:
        if os.path.exists(temporary):
            os.remove(temporary)
        reason = getattr(e, "reason", e)
        raise Exception("URL fetch failure on %s: %s. %s is not in the Keras cache; download it on a machine "
                        "with network access and copy it to %s" % (origin, reason, fname, fpath)) from None


class Sequence:
    """Base class of batch sources for `fit_generator`: implement `__getitem__(index)` (one batch: a
    tuple of inputs and targets) and `__len__()` (batches per epoch); `on_epoch_end()` is called after
    each epoch (to reshuffle, for instance)."""

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def on_epoch_end(self):
        """Called at the end of every epoch."""

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]


class SequenceEnqueuer:
    """Base of the enqueuers: `start()`, `get()` (a generator of batches), `stop()`. Batches are
    produced in the calling thread (numflow runs one step at a time; there is nothing to overlap)."""

    def __init__(self, sequence, use_multiprocessing=False):
        self.sequence = sequence
        self.use_multiprocessing = use_multiprocessing
        self._running = False

    def is_running(self):
        """Whether `start` was called and `stop` not yet."""
        return self._running

    def start(self, workers=1, max_queue_size=10):
        """Starts producing batches."""
        self._running = True

    def stop(self, timeout=None):
        """Stops producing batches."""
        self._running = False

    def get(self):
        """A generator of the batches."""
        raise NotImplementedError


class OrderedEnqueuer(SequenceEnqueuer):
    """Yields the batches of a `Sequence` in order, epoch after epoch (optionally shuffling the batch
    order), calling `on_epoch_end` between epochs."""

    def __init__(self, sequence, use_multiprocessing=False, shuffle=False):
        super().__init__(sequence, use_multiprocessing)
        self.shuffle = shuffle

    def get(self):
        import random
        while self._running:
            order = list(range(len(self.sequence)))
            if self.shuffle:
                random.shuffle(order)
            for index in order:
                if not self._running:
                    return
                yield self.sequence[index]
            self.sequence.on_epoch_end()


class GeneratorEnqueuer(SequenceEnqueuer):
    """Yields the items of a Python generator."""

    def __init__(self, generator, use_multiprocessing=False, wait_time=None, seed=None):
        super().__init__(generator, use_multiprocessing)

    def get(self):
        for item in self.sequence:
            if not self._running:
                return
            yield item
