#!/usr/bin/python3
"""PyTorch half of `./build.sh bench torch`: trains the seed CNN on real Fashion-MNIST and reports speed
and peak memory of THIS process. The C# driver (bench/torch) starts it once per repetition, alternating
with our library's worker, and passes the same settings to both.

Prints one line:  result samples_per_s=<float> peak_rss_kb=<int> final_loss=<float>
"""
import argparse
import gzip
import os
import struct
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, rank = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise SystemExit(f"{path}: not a uint8 IDX file")
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def locate(directory, name):
    for candidate in (os.path.join(directory, name + ".gz"), os.path.join(directory, name)):
        if os.path.exists(candidate):
            return candidate
    raise SystemExit(f"{name}(.gz) not found in {directory}; install dataset-fashion-mnist or pass --data-dir")


def seed_cnn():
    # The seed CNN, exactly as in ClusterTrainer.Training.Models.SeedCnn.
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(5408, 128), nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(128, 10),
    )


def peak_rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    images = read_idx(locate(a.data_dir, "train-images-idx3-ubyte"))
    labels = read_idx(locate(a.data_dir, "train-labels-idx1-ubyte"))
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)  # [N, 1, 28, 28], contiguous
    y = torch.from_numpy(labels.astype(np.int64))
    del images

    model = seed_cnn()
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    order = torch.randperm(x.shape[0])
    cursor = 0

    def step():
        nonlocal cursor, order
        if cursor + a.batch_size > order.numel():
            order, cursor = torch.randperm(x.shape[0]), 0
        idx = order[cursor:cursor + a.batch_size]
        cursor += a.batch_size
        xb, yb = x.index_select(0, idx), y.index_select(0, idx)
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return loss

    for _ in range(a.warmup):
        step()
    start = time.perf_counter()
    for _ in range(a.steps):
        loss = step()
    final = loss.item()  # forces completion of the last step before the clock stops
    elapsed = time.perf_counter() - start
    print(f"result samples_per_s={a.steps * a.batch_size / elapsed:.2f} peak_rss_kb={peak_rss_kb()} final_loss={final:.4f}", flush=True)


if __name__ == "__main__":
    main()
