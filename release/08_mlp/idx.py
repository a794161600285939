"""Read MNIST-format (IDX) image and label files, gzipped or not: MNIST and Fashion-MNIST.

    load_idx(path)                       one IDX file as a numpy array (checked against its header)
    load_mnist(folder, kind="train")     (images uint8 (N, 28, 28), labels uint8 (N,)); kind "train" or "t10k"
    find_data(folder=".")                the folder to train on: $BACKPROP_LAB_DATA, else Debian's
                                         Fashion-MNIST, else the slice shipped next to the notebook
    save_idx(path, array)                write an array as an IDX file (gzipped if the name ends in .gz)

An IDX file is a 4-byte magic number -- two zero bytes, a type code (0x08 = unsigned byte) and the
number of dimensions -- then every dimension as a big-endian 32-bit integer, then the data in
row-major order. The files are those of http://yann.lecun.com/exdb/mnist/ and
https://github.com/zalandoresearch/fashion-mnist.
"""
import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np

# IDX type code -> numpy dtype (multi-byte types are big-endian in the file).
IDX_TYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
             0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
KINDS = ("train", "t10k")


def _corrupt(path, what):
    return ValueError(f"{path} is not a valid IDX file: {what}. The file is corrupt or truncated "
                      f"(an interrupted download?); download or copy it again.")


def load_idx(path):
    """The array stored in the IDX file ``path`` (gzipped or raw, told apart by the first bytes).

    Raises ValueError, naming the file, when it is not a complete IDX file: a damaged gzip stream,
    a wrong magic number, an unknown type code, or fewer or more data bytes than its header says.
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise _corrupt(path, f"its gzip stream cannot be decompressed ({error})") from None
    if len(raw) < 4:
        raise _corrupt(path, f"it has {len(raw)} bytes, fewer than the 4 of the magic number")
    if raw[:2] != b"\x00\x00":
        raise _corrupt(path, f"its magic number starts with bytes {raw[0]:#04x} {raw[1]:#04x} instead of 0x00 0x00")
    code, ndim = raw[2], raw[3]
    if code not in IDX_TYPES:
        raise _corrupt(path, f"its type code {code:#04x} is none of the IDX types "
                             f"({', '.join(f'{c:#04x}' for c in IDX_TYPES)})")
    if ndim == 0:
        raise _corrupt(path, "its header declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise _corrupt(path, f"it ends inside its header ({len(raw)} bytes, the header of {ndim} "
                             f"dimension(s) needs {header})")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = IDX_TYPES[code]
    count = int(np.prod(shape, dtype=np.int64))
    expected = header + count * dtype.itemsize
    if len(raw) != expected:
        how = "is truncated" if len(raw) < expected else "has trailing bytes"
        raise _corrupt(path, f"it {how}: its header declares shape {shape}, i.e. {expected} bytes, but the "
                             f"file holds {len(raw)}")
    data = np.frombuffer(raw, dtype=dtype, count=count, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))  # a writable copy in native byte order


def save_idx(path, array):
    """Write ``array`` (an integer or float numpy array) to ``path`` in IDX format; gzip if the name
    ends in ``.gz`` (deterministically: no time stamp, so equal arrays give equal files)."""
    array = np.asarray(array)
    codes = {dtype.newbyteorder("="): code for code, dtype in IDX_TYPES.items()}
    native = array.dtype.newbyteorder("=")
    if native not in codes:
        raise ValueError(f"IDX cannot store dtype {array.dtype}; use one of "
                         f"{', '.join(str(d) for d in codes)}")
    if array.ndim == 0 or array.ndim > 255:
        raise ValueError(f"IDX stores arrays of 1 to 255 dimensions, not {array.ndim}")
    code = codes[native]
    body = (struct.pack(f">BBBB{array.ndim}I", 0, 0, code, array.ndim, *array.shape)
            + np.ascontiguousarray(array, dtype=IDX_TYPES[code]).tobytes())
    path = Path(path)
    if path.name.endswith(".gz"):
        body = gzip.compress(body, compresslevel=9, mtime=0)
    path.write_bytes(body)
    return path


def _find(folder, kind, what):
    """The file of ``kind`` (train/t10k) and ``what`` (images-idx3/labels-idx1) in ``folder``."""
    stem = what.replace("-idx", ".idx")  # some copies of MNIST are named train-images.idx3-ubyte
    names = [f"{kind}-{what}-ubyte", f"{kind}-{what}-ubyte.gz", f"{kind}-{stem}-ubyte", f"{kind}-{stem}-ubyte.gz"]
    for name in names:
        if (Path(folder) / name).is_file():
            return Path(folder) / name
    raise FileNotFoundError(f"no {names[0]} or {names[1]} in {Path(folder).resolve()}: put the four MNIST-format "
                            f"files there (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
                            f"t10k-labels-idx1-ubyte, each gzipped or not)")


def load_mnist(folder, kind="train"):
    """Images and labels of MNIST or Fashion-MNIST from ``folder``.

    Inputs:
    - folder: a directory holding {kind}-images-idx3-ubyte[.gz] and {kind}-labels-idx1-ubyte[.gz]
    - kind: "train" (the training set) or "t10k" (the test set)

    Returns a tuple of:
    - images: uint8 array of shape (N, 28, 28), pixels 0 (background) to 255
    - labels: uint8 array of shape (N,), the classes 0..9
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    image_path, label_path = _find(folder, kind, "images-idx3"), _find(folder, kind, "labels-idx1")
    images, labels = load_idx(image_path), load_idx(label_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(f"{image_path} holds a {images.dtype} array of shape {images.shape}; MNIST images are "
                         f"unsigned bytes of shape (N, rows, columns). Is it an images file?")
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise ValueError(f"{label_path} holds a {labels.dtype} array of shape {labels.shape}; MNIST labels are "
                         f"unsigned bytes of shape (N,). Is it a labels file?")
    if len(images) != len(labels):
        raise ValueError(f"{image_path} holds {len(images)} images but {label_path} holds {len(labels)} labels: "
                         f"the two files do not belong together (or one is truncated); copy them again.")
    if labels.size and labels.max() > 9:
        raise ValueError(f"{label_path} holds the label {int(labels.max())}; MNIST classes are 0..9. The file is "
                         f"corrupt; copy it again.")
    return images, labels


def _complete(folder):
    try:
        for kind in KINDS:
            for what in ("images-idx3", "labels-idx1"):
                _find(folder, kind, what)
    except FileNotFoundError:
        return False
    return True


def find_data(folder="."):
    """The folder to train on, the most data first:

    1. ``$BACKPROP_LAB_DATA``, when set: your own copy of MNIST or Fashion-MNIST. To use MNIST, put
       its four files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
       t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz, gzipped or not) into a folder and start
       Jupyter with ``BACKPROP_LAB_DATA=/that/folder``;
    2. ``/usr/share/datasets/fashion-mnist``: all of Fashion-MNIST (60 000 training and 10 000 test
       images), from the Debian/Ubuntu package ``dataset-fashion-mnist``
       (``sudo apt-get install dataset-fashion-mnist``);
    3. ``folder``: the slice shipped next to the notebook (the first 6 000 training images and the
       first 1 000 test images of Fashion-MNIST), enough to run every cell without a download.

    Raises FileNotFoundError if $BACKPROP_LAB_DATA is set but incomplete, or nothing is found.
    """
    chosen = os.environ.get("BACKPROP_LAB_DATA")
    if chosen:
        if not _complete(chosen):
            raise FileNotFoundError(f"BACKPROP_LAB_DATA is {chosen!r}, which does not hold the four MNIST-format "
                                    f"files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
                                    f"t10k-labels-idx1-ubyte, each gzipped or not)")
        return Path(chosen)
    for candidate in (FASHION_MNIST, Path(folder)):
        if _complete(candidate):
            return candidate
    raise FileNotFoundError(f"no MNIST-format data found: not in $BACKPROP_LAB_DATA, {FASHION_MNIST} or "
                            f"{Path(folder).resolve()}")
