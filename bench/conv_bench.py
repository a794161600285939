"""How fast is the reference CNN of 09_cnn? One run prints:

1. convolution forward + backward (dx, dw, db) on the 09 CNN's two layers, batch 64, float32:
   the reference (im2col through as_strided + batched matmul, solutions/09_cnn/reference.py)
   against a naive loop version (run on a smaller batch and scaled to 64, said so) and against
   PyTorch CPU (when `import torch` works; it is an optional extra, never a dependency:
   `pip install torch==2.13.0` takes a CPU build, an unpinned `torch` a multi-GB CUDA build);
   max pooling 2×2 the same way;
2. one training epoch of the reference CNN (train_cnn) and its test accuracy, against the same
   network, optimizer and batches in PyTorch.

Both libraries run single-threaded by default (as grading does), so the ratios compare
the code, not the thread pools; --threads N changes that for both. Ratios are computed against
the baselines measured in the same run.

    .venv/bin/python bench/conv_bench.py                 # full epoch (938 batches of 64)
    .venv/bin/python bench/conv_bench.py --batches 200   # a shorter "epoch"
"""
from __future__ import annotations

import argparse
import ctypes
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _threads_from_argv() -> str:
    """--threads must be known before numpy (OpenBLAS) starts its thread pool."""
    for i, arg in enumerate(sys.argv):
        if arg == "--threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return "1"


THREADS = _threads_from_argv()
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = THREADS

import numpy as np  # noqa: E402

sys.path[:0] = [str(REPO), str(REPO / "autograder" / "student")]
from autograder.reference import reference_namespace  # noqa: E402
from idx import find_data, load_mnist  # noqa: E402

BATCH = 64
# The 09 CNN's layers: (name, input shape, filters, kernel, stride, pad)
CONV_LAYERS = [("conv1  1→8,  3×3, pad 1, 28×28", (BATCH, 1, 28, 28), 8, 3, 1, 1),
               ("conv2  8→32, 3×3, pad 1, 14×14", (BATCH, 8, 14, 14), 32, 3, 1, 1)]
POOL_LAYERS = [("pool1  2×2 on (8, 28, 28)", (BATCH, 8, 28, 28)), ("pool2  2×2 on (32, 14, 14)", (BATCH, 32, 14, 14))]
NAIVE_BATCH = 2  # the loop version runs on 2 images; its time is scaled by 64 / 2


def tune_malloc() -> str:
    """Keep numpy's large temporaries in the heap instead of returning them to the OS."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        ok = libc.mallopt(-3, 32 * 2**20) == 1 and libc.mallopt(-1, 2**30) == 1  # M_MMAP_ / M_TRIM_THRESHOLD
        return "glibc mallopt: mmap threshold 32 MiB, trim threshold 1 GiB" if ok else "mallopt refused"
    except OSError:
        return "not glibc: malloc left alone"


def best_time(function, repeat: int) -> float:
    """Median seconds of `repeat` calls after one warm-up call."""
    function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def naive_conv(x, w, b, dout, stride, pad):
    """Forward and backward with Python loops over samples, filters and output positions."""
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    Ho, Wo = (H + 2 * pad - KH) // stride + 1, (W + 2 * pad - KW) // stride + 1
    out = np.zeros((N, F, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for f in range(F):
            for r in range(Ho):
                for q in range(Wo):
                    out[n, f, r, q] = np.sum(xp[n, :, r * stride:r * stride + KH, q * stride:q * stride + KW] * w[f]) + b[f]
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    db = dout.sum(axis=(0, 2, 3))
    for n in range(N):
        for f in range(F):
            for r in range(Ho):
                for q in range(Wo):
                    window = (slice(r * stride, r * stride + KH), slice(q * stride, q * stride + KW))
                    dw[f] += dout[n, f, r, q] * xp[n, :, window[0], window[1]]
                    dxp[n, :, window[0], window[1]] += dout[n, f, r, q] * w[f]
    return out, dxp[:, :, pad:pad + H, pad:pad + W], dw, db


def load_torch():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(int(THREADS))
    return torch


def conv_section(ns, torch, rng, repeat: int) -> list[tuple[str, float, float | None]]:
    rows = []
    print(f"\n1. Convolution forward + backward (dx, dw, db), batch {BATCH}, float32, median of {repeat}")
    print(f"   {'layer':34s} {'reference':>10s} {'naive loops':>14s} {'naive/ref':>10s} {'PyTorch':>10s} {'ref/torch':>10s}")
    for name, shape, F, k, stride, pad in CONV_LAYERS:
        x = rng.standard_normal(shape).astype(np.float32)
        layer = ns["Conv2D"](shape[1], F, k, stride=stride, pad=pad, rng=rng, dtype=np.float32)
        layer.params["b"][...] = rng.standard_normal(F)
        w, b = layer.params["w"], layer.params["b"]
        dout = rng.standard_normal(layer.forward(x).shape).astype(np.float32)

        def reference():
            layer.forward(x)
            return layer.backward(dout)
        ref_seconds = best_time(reference, repeat)

        # The loop version on NAIVE_BATCH images, checked against the reference, scaled to BATCH.
        start = time.perf_counter()
        naive = naive_conv(x[:NAIVE_BATCH].astype(np.float64), w.astype(np.float64), b.astype(np.float64),
                           dout[:NAIVE_BATCH].astype(np.float64), stride, pad)
        naive_seconds = (time.perf_counter() - start) * BATCH / NAIVE_BATCH
        small = ns["Conv2D"](shape[1], F, k, stride=stride, pad=pad, rng=rng)
        small.params["w"][...], small.params["b"][...] = w, b
        agree = np.allclose(small.forward(x[:NAIVE_BATCH].astype(np.float64)), naive[0], atol=1e-6)
        agree &= np.allclose(small.backward(dout[:NAIVE_BATCH].astype(np.float64)), naive[1], atol=1e-6)
        assert agree, f"{name}: the reference and the loop version disagree"

        torch_seconds = None
        if torch is not None:
            tx = torch.tensor(x, requires_grad=True)
            tw, tb = torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)
            tdout = torch.tensor(dout)

            def pytorch():
                tx.grad = tw.grad = tb.grad = None
                out = torch.nn.functional.conv2d(tx, tw, tb, stride=stride, padding=pad)
                out.backward(tdout)
            torch_seconds = best_time(pytorch, repeat)
            assert np.allclose(tx.grad.numpy(), reference(), atol=1e-3), f"{name}: numpy and PyTorch disagree on dx"
            assert np.allclose(tw.grad.numpy(), layer.grads["w"], rtol=1e-3, atol=1e-2), f"{name}: dw disagrees"
        rows.append((name, ref_seconds, torch_seconds))
        torch_text = f"{torch_seconds * 1e3:8.2f}ms {ref_seconds / torch_seconds:9.2f}×" if torch_seconds else f"{'—':>10s} {'—':>10s}"
        print(f"   {name:34s} {ref_seconds * 1e3:8.2f}ms {naive_seconds * 1e3:12.0f}ms {naive_seconds / ref_seconds:9.0f}× "
              f"{torch_text}")
    print(f"   (naive loops: measured on {NAIVE_BATCH} images in float64 and scaled by {BATCH // NAIVE_BATCH}; "
          f"checked equal to the reference)")
    if torch is not None:
        ref_total, torch_total = sum(r[1] for r in rows), sum(r[2] for r in rows)
        print(f"   both conv layers: reference {ref_total * 1e3:.2f} ms, PyTorch {torch_total * 1e3:.2f} ms, ratio "
              f"{ref_total / torch_total:.2f}× (target ≤ 1.5×: {'met' if ref_total / torch_total <= 1.5 else 'NOT met'})")

    print(f"\n   {'max pooling 2×2, stride 2':34s} {'reference':>10s} {'ref forward':>14s} {'reshape+max':>12s} "
          f"{'PyTorch':>10s} {'ref/torch':>10s}")
    for name, shape in POOL_LAYERS:
        x = rng.standard_normal(shape).astype(np.float32)
        pool = ns["MaxPool2D"](2, 2)
        dout = rng.standard_normal(pool.forward(x).shape).astype(np.float32)

        def reference():
            pool.forward(x)
            return pool.backward(dout)
        ref_seconds = best_time(reference, repeat)
        forward_seconds = best_time(lambda: pool.forward(x), repeat)
        N, C, H, W = shape
        reshaped = best_time(lambda: x.reshape(N, C, H // 2, 2, W // 2, 2).max(axis=(3, 5)), repeat)
        torch_text = f"{'—':>10s} {'—':>10s}"
        if torch is not None:
            tx, tdout = torch.tensor(x, requires_grad=True), torch.tensor(dout)

            def pytorch():
                tx.grad = None
                torch.nn.functional.max_pool2d(tx, 2, 2).backward(tdout)
            torch_seconds = best_time(pytorch, repeat)
            torch_text = f"{torch_seconds * 1e3:8.2f}ms {ref_seconds / torch_seconds:9.2f}×"
        print(f"   {name:34s} {ref_seconds * 1e3:8.2f}ms {forward_seconds * 1e3:12.2f}ms {reshaped * 1e3:10.2f}ms "
              f"{torch_text}")
    print("   (reference: forward + backward; 'ref forward' and 'reshape+max' (x.reshape(...).max(axis=(3, 5))): "
          "forward only)")
    return rows


def torch_epoch(torch, images, labels, test_images, test_labels, batches: int, seed: int = 0):
    """The reference CNN's network, optimizer, learning rate and batches, in PyTorch (float32)."""
    torch.manual_seed(seed)
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 32, 3, padding=1),
                          nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    x = torch.tensor(images[:, None].astype(np.float32) / 255)
    y = torch.tensor(labels.astype(np.int64))
    order = torch.tensor(np.random.default_rng(seed).permutation(len(x)))
    start = time.perf_counter()
    for k in range(batches):
        batch = order[k * BATCH:(k + 1) * BATCH]
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x[batch]), y[batch])
        loss.backward()
        optimizer.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        scores = model(torch.tensor(test_images[:, None].astype(np.float32) / 255))
    return seconds, float((scores.argmax(1).numpy() == test_labels).mean())


def epoch_section(ns, torch, batches: int | None) -> None:
    folder = find_data(REPO / "assignments" / "09_cnn")
    images, labels = load_mnist(folder, "train")
    test_images, test_labels = load_mnist(folder, "t10k")
    full = -(-len(images) // BATCH)
    batches = min(batches or full, full)
    n = min(len(images), batches * BATCH)
    what = f"one epoch ({full} batches" if batches == full else f"{batches} batches (of {full} in an epoch)"
    what += f" of {BATCH} images{')' if batches == full else ''}"
    print(f"\n2. Training the 09 CNN, {what} from {folder}, Adam lr 2e-3, float32; "
          f"accuracy on its {len(test_images)} test images")
    # train_cnn shuffles with its own generator; the first n images of a shuffled epoch are a random
    # n-image subset, so train on a random n-image subset for one epoch.
    subset = np.random.default_rng(1).permutation(len(images))[:n]
    start = time.perf_counter()
    model = ns["train_cnn"](images[subset], labels[subset], seed=0, epochs=1)
    numpy_seconds = time.perf_counter() - start
    numpy_accuracy = float((ns["predict"](model, test_images) == test_labels).mean())
    print(f"   numpy reference   {numpy_seconds:7.1f} s   test accuracy {numpy_accuracy:.2%}")
    if torch is not None:
        torch_seconds, torch_accuracy = torch_epoch(torch, images[subset], labels[subset], test_images,
                                                    test_labels, batches)
        print(f"   PyTorch           {torch_seconds:7.1f} s   test accuracy {torch_accuracy:.2%}")
        print(f"   numpy / PyTorch   {numpy_seconds / torch_seconds:7.2f}×  (target ≤ 1.5×: "
              f"{'met' if numpy_seconds / torch_seconds <= 1.5 else 'NOT met'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=None, help="batches of 64 for the epoch timing (default: all)")
    parser.add_argument("--repeat", type=int, default=30, help="timed calls per layer (median)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS / PyTorch threads (default 1, as in grading)")
    args = parser.parse_args()
    malloc = tune_malloc()
    torch = load_torch()
    print(f"backprop-lab conv benchmark: numpy {np.__version__}, "
          f"{'PyTorch ' + torch.__version__ if torch else 'no PyTorch'}, {THREADS} thread(s), {malloc}")
    if torch is None:
        print("PyTorch is not installed, so only numpy is measured. For the comparison install its CPU build "
              "(an optional extra, never a dependency): .venv/bin/pip install torch==2.13.0")
    ns = reference_namespace("09_cnn")
    conv_section(ns, torch, np.random.default_rng(0), args.repeat)
    epoch_section(ns, torch, args.batches)


if __name__ == "__main__":
    main()
