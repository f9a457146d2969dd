"""`tf.contrib.learn.datasets.text_datasets`: the DBpedia ontology classification data (14 classes of
Wikipedia abstracts) as `Datasets(train, validation=None, test)` of (title, abstract) string rows."""
import os
import tarfile

import numpy as np

from ....platform import gfile
from . import base

__all__ = ["DBPEDIA_URL", "maybe_download_dbpedia", "load_dbpedia"]

DBPEDIA_URL = "https://github.com/le-scientifique/torchDatasets/raw/master/dbpedia_csv.tar.gz"
SMALL_RATIO = 1000  # size='small' keeps one row in this many


def _extract_safely(archive_path, data_dir):
    """Unpack the archive into data_dir, refusing members that would land outside it or are links."""
    root = os.path.realpath(data_dir)
    with tarfile.open(archive_path, "r:*") as archive:
        members = archive.getmembers()
        for member in members:
            target = os.path.realpath(os.path.join(root, member.name))
            if not (member.isfile() or member.isdir()) or os.path.commonpath([root, target]) != root:
                raise ValueError("%s: refusing to extract %r (a link, device or path outside %s)"
                                 % (archive_path, member.name, data_dir))
        archive.extractall(root, members=members)


def maybe_download_dbpedia(data_dir):
    """Download and unpack DBpedia's CSV files into `data_dir/dbpedia_csv/` unless they are there."""
    train_path = os.path.join(data_dir, "dbpedia_csv", "train.csv")
    test_path = os.path.join(data_dir, "dbpedia_csv", "test.csv")
    if gfile.Exists(train_path) and gfile.Exists(test_path):
        return
    _extract_safely(base.maybe_download("dbpedia_csv.tar.gz", data_dir, DBPEDIA_URL), data_dir)


def load_dbpedia(size="small", test_with_fake_data=False):
    """`Datasets(train, None, test)` of DBpedia: int32 class targets (the first column) and string
    features (title, abstract). The data lives in `$TF_EXP_BASE_DIR/dbpedia_data` (downloaded when
    missing); `size='small'` keeps every 1000th row. `test_with_fake_data` reads a few invented rows
    shipped with numflow instead, for tests without the download."""
    if test_with_fake_data:
        train_path = os.path.join(base.DATA_DIR, "text_train.csv")
        test_path = os.path.join(base.DATA_DIR, "text_test.csv")
    else:
        data_dir = os.path.join(os.getenv("TF_EXP_BASE_DIR", ""), "dbpedia_data")
        maybe_download_dbpedia(data_dir)
        train_path = os.path.join(data_dir, "dbpedia_csv", "train.csv")
        test_path = os.path.join(data_dir, "dbpedia_csv", "test.csv")
        if size == "small":
            base.shrink_csv(train_path, SMALL_RATIO)
            base.shrink_csv(test_path, SMALL_RATIO)
            train_path = train_path.replace("train.csv", "train_small.csv")
            test_path = test_path.replace("test.csv", "test_small.csv")

    def load(path):
        return base.load_csv_without_header(path, target_dtype=np.int32, features_dtype=str, target_column=0)
    return base.Datasets(train=load(train_path), validation=None, test=load(test_path))
