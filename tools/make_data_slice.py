"""Write the Fashion-MNIST slice shipped with 08_mlp and 09_cnn (run by hand; deterministic).

From the Debian package ``dataset-fashion-mnist`` (/usr/share/datasets/fashion-mnist/) it writes,
into assignments/08_mlp/ and assignments/09_cnn/ (each release folder is self-contained):

- train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz: training images 0..5999;
- t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz: test images 0..999.

Test images 5000..9999 are the grader's held-out set (autograder/graders/mlp.py, cnn.py): they are
never shipped. The files are gzipped without a time stamp, so a re-run gives identical bytes.

    .venv/bin/python tools/make_data_slice.py
"""
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "autograder" / "student"))

from idx import FASHION_MNIST, load_mnist, save_idx  # noqa: E402

TRAIN, TEST = 6000, 1000
HELD_OUT_START = 5000  # test images from here on are the grader's
SLUGS = ("08_mlp", "09_cnn")


def main() -> None:
    assert TEST <= HELD_OUT_START
    train_images, train_labels = load_mnist(FASHION_MNIST, "train")
    test_images, test_labels = load_mnist(FASHION_MNIST, "t10k")
    parts = {"train-images-idx3-ubyte.gz": train_images[:TRAIN], "train-labels-idx1-ubyte.gz": train_labels[:TRAIN],
             "t10k-images-idx3-ubyte.gz": test_images[:TEST], "t10k-labels-idx1-ubyte.gz": test_labels[:TEST]}
    for slug in SLUGS:
        folder = REPO / "assignments" / slug
        folder.mkdir(parents=True, exist_ok=True)
        for name, array in parts.items():
            path = save_idx(folder / name, array)
            print(f"{path.relative_to(REPO)}: {array.shape} {path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
