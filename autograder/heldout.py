"""Training tasks graded by what the student built (08_mlp, 09_cnn).

The kernel trains the student's function on the slice shipped next to the notebook (read in its
working folder) and sends back only the trained model: the kind of every layer (the notebook's
``Linear``, ``ReLU``, ``Tanh``, ``Conv2D``, ``MaxPool2D``, ``Flatten``) and its parameters. The
grader then runs its OWN forward pass (:func:`forward`) on images the kernel never receives:
Fashion-MNIST test images 5000..9999 of the Debian package ``dataset-fashion-mnist`` (the release
ships only 0..999), each transformed here, deterministically, so that no table of the public test
set answers them (:func:`transform`: a shift of up to one pixel for half of them, a mirror image for the classes
that are left-right symmetric, lower contrast, noise). Labels, images and accuracy stay here.

Nothing the kernel says about its own accuracy is believed, a model that is not a list of those
layers earns nothing (a lookup table or a nearest-neighbour "model" cannot be written as one), and
a layer's own ``forward`` code in the kernel is never used: the grader evaluates the parameters
with the derivation's forward pass.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .catalogue import Data
from .cases import Case, out_size, outcome_case
from .student.idx import FASHION_MNIST, load_mnist

HELD_OUT = (5000, 10000)  # test images the release never ships
HELD_OUT_SIZE = 2000
TRANSFORM_SEED = 9091

# Fashion-MNIST classes that look the same mirrored: T-shirt/top, Trouser, Pullover, Dress, Coat,
# Shirt, Bag. Sandals, sneakers and ankle boots all point left in the data set; a mirrored shoe is
# still a shoe, but no model trained on the data set has seen one, so they are not mirrored.
FLIP_SAFE = (0, 1, 2, 3, 4, 6, 8)

# Layer kinds the grader can evaluate, as the kernel reports them (the class name).
KINDS = {"Linear": 1, "ReLU": 2, "Tanh": 3, "Conv2D": 4, "MaxPool2D": 5, "Flatten": 6}
NAMES = {code: name for name, code in KINDS.items()}
MAX_LAYERS = 20  # at most 3 arrays per layer plus the kinds: within a reply's 64 names
MAX_MACS = 5_000_000  # multiply-adds per image; the reference CNN needs 0.6 million, the MLP 0.2 million
MAX_ACTIVATIONS = 1_000_000  # numbers per image between two layers

# Runs in the kernel after training: the model's layers, in order, as plain arrays.
EXPORT = """\
def _bplab_layers(model, depth=0):
    kinds = {kinds!r}
    if depth > 6:
        raise ValueError("the model nests more than 6 levels of layer lists")
    if type(model).__name__ in kinds:
        return [model]
    if isinstance(model, (list, tuple)):
        items = list(model)
    elif isinstance(getattr(model, "layers", None), (list, tuple)):
        items = list(model.layers)
    else:
        raise TypeError(f"{{type(model).__name__}} is not a model the grader can read: return {allowed}")
    found = []
    for item in items:
        found += _bplab_layers(item, depth + 1)
        if len(found) > {max_layers}:
            raise ValueError("the model has more than {max_layers} layers")
    return found

_bplab_kinds = {kinds!r}
_bplab_found = _bplab_layers(model)
result = {{"kinds": [_bplab_kinds[type(layer).__name__] for layer in _bplab_found]}}
for _i, _layer in enumerate(_bplab_found):
    _kind = type(_layer).__name__
    if _kind in ("Linear", "Conv2D"):
        result[f"{{_i}}.w"], result[f"{{_i}}.b"] = _layer.params["w"], _layer.params["b"]
    if _kind == "Conv2D":
        result[f"{{_i}}.stride_pad"] = [_layer.stride, _layer.pad]
    if _kind == "MaxPool2D":
        result[f"{{_i}}.pool_stride"] = [_layer.pool, _layer.stride]
"""

TRAIN_CALL = """\
from idx import load_mnist as _load_mnist
_images, _labels = _load_mnist(".", "train")
model = {train}(_images[:int(n)], _labels[:int(n)], seed=int(seed), epochs=int(epochs))
"""


def export_call(first: str, allowed: str) -> str:
    """``first`` (code that binds ``model``) followed by the export of ``model``'s layers."""
    return first + EXPORT.format(kinds=KINDS, allowed=allowed, max_layers=MAX_LAYERS)


# ---------------------------------------------------------------------------------------------- held-out images

@lru_cache(maxsize=None)
def held_out() -> tuple[np.ndarray, np.ndarray]:
    """2 000 Fashion-MNIST test images from 5000..9999, transformed (uint8), and their labels."""
    try:
        images, labels = load_mnist(FASHION_MNIST, "t10k")
    except (OSError, ValueError) as error:
        raise RuntimeError(f"the held-out images of 08_mlp and 09_cnn come from the Debian package "
                           f"dataset-fashion-mnist, which is missing or damaged here ({error}); install it with "
                           f"`apt-get install dataset-fashion-mnist`") from None
    chosen = np.sort(np.random.default_rng(2024).choice(np.arange(*HELD_OUT), HELD_OUT_SIZE, replace=False))
    labels = labels[chosen].astype(np.int64)
    return transform(images[chosen], labels, TRANSFORM_SEED), labels


# What 08's and 09's judges need, loaded before grading starts (never for a release, grades or feedback).
HELD_OUT_IMAGES = Data("dataset-fashion-mnist", held_out)
# The support files 08 and 09 hand students: their reader and Fashion-MNIST's training and test files.
IMAGE_FILES = ("idx.py", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
               "train-labels-idx1-ubyte.gz")


def transform(images: np.ndarray, labels: np.ndarray, seed: int) -> np.ndarray:
    """Deterministic, label-preserving changes to uint8 images (N, 28, 28): half of the images are moved
    by up to one pixel each way (zeros come in at the border), the left-right symmetric classes are
    mirrored with probability 1/2, the contrast is scaled by 0.7 … 1.0 and Gaussian noise of
    standard deviation 8 (of 255) is added; the result is rounded and clipped back to uint8."""
    rng = np.random.default_rng(seed)
    n = len(images)
    out = np.zeros(images.shape, dtype=np.float64)
    shifts = rng.integers(-1, 2, size=(n, 2)) * (rng.random((n, 1)) < 0.5)  # half of them stay in place
    flips = rng.random(n) < 0.5
    for k in range(n):
        image = images[k].astype(np.float64)
        if flips[k] and labels[k] in FLIP_SAFE:
            image = image[:, ::-1]
        dy, dx = shifts[k]
        out[k, max(dy, 0):28 + min(dy, 0), max(dx, 0):28 + min(dx, 0)] = \
            image[max(-dy, 0):28 + min(-dy, 0), max(-dx, 0):28 + min(-dx, 0)]
    out *= rng.uniform(0.7, 1.0, size=(n, 1, 1))
    out += 8.0 * rng.standard_normal(out.shape)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------------------------------------- the grader's forward pass

class ModelError(ValueError):
    """What is wrong with an exported model, in a sentence for the student."""


def read_model(outputs, allowed: tuple[str, ...]) -> list[tuple]:
    """The exported layers as (kind, parameters...) tuples, checked; raises ModelError."""
    kinds = outputs.get("kinds")
    if kinds is None or kinds.ndim != 1 or kinds.size == 0:
        raise ModelError("the trained model has no layers the grader can read")
    if kinds.size > MAX_LAYERS:
        raise ModelError(f"the trained model has more than {MAX_LAYERS} layers")
    layers = []
    for i, code in enumerate(kinds):
        name = NAMES.get(int(code)) if float(code).is_integer() else None
        if name not in allowed:
            raise ModelError(f"layer {i} of the trained model is not one of {', '.join(allowed)}")

        def array(key, ndim):
            value = outputs.get(f"{i}.{key}")
            if value is None or value.ndim != ndim or value.size == 0 or not np.all(np.isfinite(value)):
                raise ModelError(f"layer {i} ({name}): its params['{key}'] should be a finite {ndim}-d array")
            return value.astype(np.float32)

        def integers(key, lows, high):
            value = outputs.get(f"{i}.{key}")
            if (value is None or value.shape != (2,) or not np.all(value == np.round(value))
                    or not np.all((np.array(lows) <= value) & (value <= high))):
                first, second = key.split("_")
                raise ModelError(f"layer {i} ({name}): its {first} and {second} should be whole numbers "
                                 f"(at least {lows[0]} and {lows[1]}, at most {high})")
            return int(value[0]), int(value[1])

        if name == "Linear":
            w, b = array("w", 2), array("b", 1)
            if b.shape != (w.shape[1],):
                raise ModelError(f"layer {i} (Linear): b has shape {b.shape}, w has shape {w.shape}")
            layers.append((name, w, b))
        elif name == "Conv2D":
            w, b = array("w", 4), array("b", 1)
            if b.shape != (w.shape[0],):
                raise ModelError(f"layer {i} (Conv2D): b has shape {b.shape}, w has shape {w.shape}")
            layers.append((name, w, b) + integers("stride_pad", (1, 0), 28))
        elif name == "MaxPool2D":
            layers.append((name,) + integers("pool_stride", (1, 1), 28))
        else:
            layers.append((name,))
    return layers


def check_cost(layers: list[tuple], shape: tuple[int, ...]) -> tuple[int, ...]:
    """The output shape of one input of ``shape`` (no batch axis); ModelError when the layers do not fit
    together or cost more than MAX_MACS multiply-adds or MAX_ACTIVATIONS numbers per image."""
    macs = 0
    for i, layer in enumerate(layers):
        name = layer[0]
        if name == "Linear":
            w = layer[1]
            if len(shape) != 1 or shape[0] != w.shape[0]:
                raise ModelError(f"layer {i} (Linear) takes rows of {w.shape[0]} numbers but gets inputs of shape "
                                 f"{shape} per image")
            macs += w.size
            shape = (w.shape[1],)
        elif name == "Conv2D":
            w, _, stride, pad = layer[1:]
            F, C, KH, KW = w.shape
            if len(shape) != 3 or shape[0] != C:
                raise ModelError(f"layer {i} (Conv2D) takes {C} channels (C, H, W) but gets inputs of shape {shape} "
                                 f"per image")
            Ho, Wo = out_size(shape[1], KH, stride, pad), out_size(shape[2], KW, stride, pad)
            if Ho < 1 or Wo < 1:
                raise ModelError(f"layer {i} (Conv2D): its {KH}×{KW} kernel does not fit the input {shape}")
            macs += F * C * KH * KW * Ho * Wo
            shape = (F, Ho, Wo)
        elif name == "MaxPool2D":
            pool, stride = layer[1:]
            if len(shape) != 3 or shape[1] < pool or shape[2] < pool:
                raise ModelError(f"layer {i} (MaxPool2D) with {pool}×{pool} windows gets inputs of shape {shape} "
                                 f"per image")
            shape = (shape[0], out_size(shape[1], pool, stride), out_size(shape[2], pool, stride))
        elif name == "Flatten":
            shape = (int(np.prod(shape)),)
        if macs > MAX_MACS or int(np.prod(shape)) > MAX_ACTIVATIONS:
            raise ModelError(f"the trained model needs more than {MAX_MACS // 10**6} million multiply-adds or "
                             f"{MAX_ACTIVATIONS // 10**6} million numbers per image; the grader does not evaluate it")
    return shape


def _conv(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, pad: int) -> np.ndarray:
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho, Wo = out_size(H, KH, stride, pad), out_size(W, KW, stride, pad)
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=x.dtype)
    xp[:, :, pad:pad + H, pad:pad + W] = x
    sN, sC, sH, sW = xp.strides
    windows = np.lib.stride_tricks.as_strided(xp, shape=(N, C, KH, KW, Ho, Wo),
                                              strides=(sN, sC, sH, sW, stride * sH, stride * sW), writeable=False)
    out = np.matmul(w.reshape(F, -1), windows.reshape(N, C * KH * KW, Ho * Wo)) + b.reshape(F, 1)
    return out.reshape(N, F, Ho, Wo)


def _max_pool(x: np.ndarray, pool: int, stride: int) -> np.ndarray:
    N, C, H, W = x.shape
    Ho, Wo = out_size(H, pool, stride), out_size(W, pool, stride)
    out = None
    for i in range(pool):
        for j in range(pool):
            part = x[:, :, i:i + stride * (Ho - 1) + 1:stride, j:j + stride * (Wo - 1) + 1:stride]
            out = part.copy() if out is None else np.maximum(out, part)
    return out


def forward(layers: list[tuple], x: np.ndarray) -> np.ndarray:
    """The derivation's forward pass of the exported layers (float32, as the notebooks train)."""
    out = x.astype(np.float32)
    for layer in layers:
        name = layer[0]
        if name == "Linear":
            out = out @ layer[1] + layer[2]
        elif name == "ReLU":
            out = np.maximum(out, 0)
        elif name == "Tanh":
            out = np.tanh(out)
        elif name == "Conv2D":
            out = _conv(out, *layer[1:])
        elif name == "MaxPool2D":
            out = _max_pool(out, *layer[1:])
        elif name == "Flatten":
            out = out.reshape(len(out), -1)
    return out


def predict(layers: list[tuple], images: np.ndarray, layout: str, batch_size: int = 250) -> np.ndarray:
    """Predicted labels of uint8 images (N, 28, 28), preprocessed as the notebook does: pixels / 255,
    as rows (N, 784) for ``layout == "rows"`` (08) or as (N, 1, 28, 28) for ``"images"`` (09)."""
    shape = (784,) if layout == "rows" else (1, 28, 28)
    if check_cost(layers, shape) != (10,):
        raise ModelError(f"the trained model gives {check_cost(layers, shape)} numbers per image, not 10 scores")
    labels = []
    for start in range(0, len(images), batch_size):
        x = images[start:start + batch_size].astype(np.float32) / np.float32(255)
        scores = forward(layers, x.reshape((len(x),) + shape))
        if not np.all(np.isfinite(scores)):
            raise ModelError("the trained model gives NaN or inf scores")
        labels.append(np.argmax(scores, axis=1))
    return np.concatenate(labels)


# ---------------------------------------------------------------------------------------------- cases

def accuracy_judge(threshold, n, epochs, layout, allowed):
    """Judges a trained model on the held-out images, which are loaded only here, when a model is
    judged: the cases themselves (and so a release's leak checks) never need the data set."""
    def judge(outputs):
        images, labels = held_out()
        try:
            predicted = predict(read_model(outputs, allowed), images, layout)
        except ModelError as error:
            return [str(error)]
        accuracy = float(np.mean(predicted == labels))
        if not accuracy >= threshold:
            return [f"after {epochs} epochs on {n} training images the accuracy of your trained model on "
                    f"{len(labels)} held-out test images is {accuracy:.1%}; at least {threshold:.0%} is needed"]
        return []
    return judge


def training_cases(train: str, runs: list[tuple[int, int, int, float]], layout: str, allowed: tuple[str, ...],
                   returns: str) -> list[Case]:
    """One case per (n training images, seed, epochs, accuracy threshold) for the function ``train``;
    ``returns`` says, for the student, what the function must return (when the export fails). Building
    the cases reads no data: the held-out images are loaded by the judge (and, before grading, by
    ``HELD_OUT_IMAGES``)."""
    call = export_call(TRAIN_CALL.format(train=train), returns)
    return [outcome_case(f"{epochs} epochs on the first {n} images of the shipped slice (seed {seed}): at least "
                         f"{threshold:.0%} accuracy on {HELD_OUT_SIZE} held-out test images (shifted, mirrored, noisy)",
                         call, {"n": np.array(n), "seed": np.array(seed), "epochs": np.array(epochs)},
                         accuracy_judge(threshold, n, epochs, layout, allowed))
            for n, seed, epochs, threshold in runs]
