"""The IDX reader shipped to students (autograder/student/idx.py): round trips, gzip or raw, and a
clear ValueError for every kind of damaged file."""
import gzip

import numpy as np
import pytest

from autograder.student import idx


def _mnist_like(n=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), rng.integers(0, 10, n, dtype=np.uint8)


def _write_set(folder, kind, images, labels, gz=True):
    suffix = ".gz" if gz else ""
    idx.save_idx(folder / f"{kind}-images-idx3-ubyte{suffix}", images)
    idx.save_idx(folder / f"{kind}-labels-idx1-ubyte{suffix}", labels)


@pytest.mark.parametrize("name", ["a-idx3-ubyte", "a-idx3-ubyte.gz"])
@pytest.mark.parametrize("array", [
    np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4),
    np.array([0, 9, 3], dtype=np.uint8),
    np.arange(-6, 6, dtype=np.int8).reshape(3, 4),
    np.arange(10, dtype=np.int16) * -300,
    np.arange(6, dtype=np.int32).reshape(2, 3) * 100000,
    np.linspace(-1, 1, 5).astype(np.float32),
    np.linspace(-1, 1, 7),
])
def test_round_trip_gzipped_and_raw(tmp_path, name, array):
    path = idx.save_idx(tmp_path / name, array)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == name.endswith(".gz")
    back = idx.load_idx(path)
    assert back.dtype == array.dtype.newbyteorder("=") and back.shape == array.shape
    np.testing.assert_array_equal(back, array)
    back[...] = 0  # a writable copy, not a view of the file's bytes


def test_the_header_is_the_idx_format(tmp_path):
    raw = idx.save_idx(tmp_path / "x-idx3-ubyte", np.zeros((2, 3, 4), dtype=np.uint8)).read_bytes()
    assert raw[:4] == b"\x00\x00\x08\x03"
    assert raw[4:16] == b"\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00\x00\x04"
    assert len(raw) == 16 + 24


def test_gzip_files_are_deterministic(tmp_path):
    array = np.arange(100, dtype=np.uint8)
    first = idx.save_idx(tmp_path / "a.gz", array).read_bytes()
    second = idx.save_idx(tmp_path / "b.gz", array).read_bytes()
    assert first == second


def test_load_mnist_reads_gz_or_raw(tmp_path):
    images, labels = _mnist_like()
    (tmp_path / "gz").mkdir()
    (tmp_path / "raw").mkdir()
    _write_set(tmp_path / "gz", "train", images, labels, gz=True)
    _write_set(tmp_path / "raw", "t10k", images[:3], labels[:3], gz=False)
    got_images, got_labels = idx.load_mnist(tmp_path / "gz", "train")
    assert got_images.dtype == np.uint8 and got_images.shape == (5, 28, 28)
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)
    raw_images, raw_labels = idx.load_mnist(tmp_path / "raw", "t10k")
    np.testing.assert_array_equal(raw_images, images[:3])
    np.testing.assert_array_equal(raw_labels, labels[:3])


def test_load_mnist_accepts_the_dotted_names(tmp_path):
    images, labels = _mnist_like()
    idx.save_idx(tmp_path / "train-images.idx3-ubyte", images)
    idx.save_idx(tmp_path / "train-labels.idx1-ubyte", labels)
    np.testing.assert_array_equal(idx.load_mnist(tmp_path, "train")[1], labels)


def test_a_truncated_file_is_a_clear_error(tmp_path):
    path = idx.save_idx(tmp_path / "train-images-idx3-ubyte", _mnist_like()[0])
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte.*truncated.*download or copy it again"):
        idx.load_idx(path)


def test_a_truncated_gzip_stream_is_a_clear_error(tmp_path):
    path = idx.save_idx(tmp_path / "train-images-idx3-ubyte.gz", _mnist_like()[0])
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(ValueError, match=r"gzip stream cannot be decompressed.*corrupt or truncated"):
        idx.load_idx(path)


def test_a_file_cut_inside_its_header_is_a_clear_error(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte"
    path.write_bytes(b"\x00\x00\x08\x03\x00\x00")
    with pytest.raises(ValueError, match="ends inside its header"):
        idx.load_idx(path)


def test_trailing_bytes_are_a_clear_error(tmp_path):
    path = idx.save_idx(tmp_path / "labels", np.arange(5, dtype=np.uint8))
    path.write_bytes(path.read_bytes() + b"\x00")
    with pytest.raises(ValueError, match="trailing bytes"):
        idx.load_idx(path)


@pytest.mark.parametrize("magic, what", [(b"\x1f\x00\x08\x01", "magic number"), (b"PK\x03\x04", "magic number"),
                                         (b"\x00\x00\x07\x01", "type code"), (b"\x00\x00\x08\x00", "0 dimensions")])
def test_a_wrong_magic_number_is_a_clear_error(tmp_path, magic, what):
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(magic + b"\x00\x00\x00\x01\x05"))
    with pytest.raises(ValueError, match=f"{what}.*corrupt or truncated"):
        idx.load_idx(path)


def test_images_and_labels_that_do_not_match_are_a_clear_error(tmp_path):
    images, labels = _mnist_like(6)
    _write_set(tmp_path, "train", images, labels[:4])
    with pytest.raises(ValueError, match="6 images but .* 4 labels"):
        idx.load_mnist(tmp_path, "train")


def test_swapped_or_wrong_files_are_a_clear_error(tmp_path):
    images, labels = _mnist_like(3)
    idx.save_idx(tmp_path / "train-images-idx3-ubyte", labels)
    idx.save_idx(tmp_path / "train-labels-idx1-ubyte", labels)
    with pytest.raises(ValueError, match="Is it an images file"):
        idx.load_mnist(tmp_path, "train")
    _write_set(tmp_path, "t10k", images, np.array([1, 2, 11], dtype=np.uint8), gz=False)
    with pytest.raises(ValueError, match="label 11"):
        idx.load_mnist(tmp_path, "t10k")


def test_missing_files_say_which(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        idx.load_mnist(tmp_path, "train")
    with pytest.raises(ValueError, match="kind"):
        idx.load_mnist(tmp_path, "test")


def test_find_data_prefers_the_named_folder_then_debian_then_the_slice(tmp_path, monkeypatch):
    images, labels = _mnist_like()
    for folder in ("mine", "slice"):
        (tmp_path / folder).mkdir()
        for kind in idx.KINDS:
            _write_set(tmp_path / folder, kind, images, labels)
    monkeypatch.setenv("BACKPROP_LAB_DATA", str(tmp_path / "mine"))
    assert idx.find_data(tmp_path / "slice") == tmp_path / "mine"
    monkeypatch.setenv("BACKPROP_LAB_DATA", str(tmp_path / "nothing-here"))
    with pytest.raises(FileNotFoundError, match="BACKPROP_LAB_DATA"):
        idx.find_data(tmp_path / "slice")
    monkeypatch.delenv("BACKPROP_LAB_DATA")
    monkeypatch.setattr(idx, "FASHION_MNIST", tmp_path / "no-debian-package")
    assert idx.find_data(tmp_path / "slice") == tmp_path / "slice"
    monkeypatch.setattr(idx, "FASHION_MNIST", tmp_path / "mine")
    assert idx.find_data(tmp_path / "slice") == tmp_path / "mine"
    monkeypatch.setattr(idx, "FASHION_MNIST", tmp_path / "no-debian-package")
    with pytest.raises(FileNotFoundError, match="no MNIST-format data"):
        idx.find_data(tmp_path / "empty")


@pytest.mark.parametrize("slug", ["08_mlp", "09_cnn"])
def test_the_shipped_slices_are_fashion_mnist_training_0_5999_and_test_0_999(slug):
    from autograder import paths
    images, labels = idx.load_mnist(paths.ASSIGNMENTS / slug, "train")
    test_images, test_labels = idx.load_mnist(paths.ASSIGNMENTS / slug, "t10k")
    assert images.shape == (6000, 28, 28) and test_images.shape == (1000, 28, 28)
    assert np.bincount(labels, minlength=10).min() > 500
    if idx.FASHION_MNIST.is_dir():  # never the grader's held-out test images 5000..9999
        full_images, full_labels = idx.load_mnist(idx.FASHION_MNIST, "t10k")
        np.testing.assert_array_equal(test_images, full_images[:1000])
        np.testing.assert_array_equal(test_labels, full_labels[:1000])
