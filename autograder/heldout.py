"""Training tasks graded on images the student never had (08_mlp, 09_cnn).

The kernel trains the student's function on the slice shipped next to the notebook (read in its
working folder) and predicts held-out images the grader sends: Fashion-MNIST test images
5000..9999 of the Debian package ``dataset-fashion-mnist`` (the release ships only 0..999). Their
labels stay here: the kernel returns predicted labels and the accuracy is computed in the grader.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .cases import Case, outcome_case
from .student.idx import FASHION_MNIST, load_mnist

HELD_OUT = (5000, 10000)  # test images the release never ships
HELD_OUT_SIZE = 2000

TRAIN_CALL = """\
from idx import load_mnist as _load_mnist
_images, _labels = _load_mnist(".", "train")
model = {train}(_images[:int(n)], _labels[:int(n)], seed=int(seed), epochs=int(epochs))
result = {{"labels": predict(model, test_images)}}
"""


@lru_cache(maxsize=None)
def held_out() -> tuple[np.ndarray, np.ndarray]:
    """2 000 fixed Fashion-MNIST test images from 5000..9999 (uint8) and their labels."""
    try:
        images, labels = load_mnist(FASHION_MNIST, "t10k")
    except (OSError, ValueError) as error:
        raise RuntimeError(f"the held-out images of 08_mlp and 09_cnn come from the Debian package "
                           f"dataset-fashion-mnist, which is missing or damaged here ({error}); install it with "
                           f"`apt-get install dataset-fashion-mnist`") from None
    chosen = np.sort(np.random.default_rng(2024).choice(np.arange(*HELD_OUT), HELD_OUT_SIZE, replace=False))
    return images[chosen], labels[chosen].astype(np.int64)


def accuracy_judge(labels, threshold, n, epochs, shape_hint):
    def judge(outputs):
        predicted = outputs.get("labels")
        if predicted is None:
            return ["predict(model, test_images) returned nothing readable"]
        if predicted.shape != labels.shape:
            return [f"predict(model, test_images) for {len(labels)} images returned shape {predicted.shape}, "
                    f"expected ({len(labels)},): {shape_hint}"]
        accuracy = float(np.mean(predicted == labels))
        if not accuracy >= threshold:
            return [f"after {epochs} epochs on {n} training images the accuracy on {len(labels)} held-out test "
                    f"images is {accuracy:.1%}; at least {threshold:.0%} is needed"]
        return []
    return judge


def training_cases(train: str, runs: list[tuple[int, int, int, float]], shape_hint: str) -> list[Case]:
    """One case per (n training images, seed, epochs, accuracy threshold) for the function ``train``."""
    images, labels = held_out()
    return [outcome_case(f"{epochs} epochs on the first {n} images of the shipped slice (seed {seed}): at least "
                         f"{threshold:.0%} accuracy on {len(labels)} held-out test images",
                         TRAIN_CALL.format(train=train),
                         {"n": np.array(n), "seed": np.array(seed), "epochs": np.array(epochs),
                          "test_images": images},
                         accuracy_judge(labels, threshold, n, epochs, shape_hint))
            for n, seed, epochs, threshold in runs]
