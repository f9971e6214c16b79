#!/usr/bin/python3
"""PyTorch DDP half of `./build.sh bench cluster` (part 1): one rank of data-parallel training of the seed CNN on
real Fashion-MNIST with gloo, the baseline our parameter-server trainer is compared with. The C# driver starts one
process per rank with the same per-worker batch, warm-up, step count and thread settings as our nodes.

Each global step takes the next world_size x batch samples of a seeded permutation; rank r trains on the r-th
part. Data sits in memory and batches are gathered with index_select, as our workers do.

Rank 0 prints:  result samples_per_s=<all ranks together> final_loss=<mean over ranks> seconds=<timed window>
"""
import argparse
import time

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from pytorch_cnn import locate, read_idx, seed_cnn  # shared with bench/torch: the same model and IDX reader


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rank", type=int, required=True)
    p.add_argument("--world-size", type=int, required=True)
    p.add_argument("--init", required=True, help="torch.distributed init_method, e.g. file:///tmp/rendezvous")
    p.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--batch-size", type=int, default=64, help="per rank")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    dist.init_process_group("gloo", init_method=a.init, rank=a.rank, world_size=a.world_size)
    images = read_idx(locate(a.data_dir, "train-images-idx3-ubyte"))
    labels = read_idx(locate(a.data_dir, "train-labels-idx1-ubyte"))
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    y = torch.from_numpy(labels.astype(np.int64))
    del images

    torch.manual_seed(a.seed)
    model = DistributedDataParallel(seed_cnn())  # broadcasts rank 0's initial parameters
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(a.seed)
    global_batch = a.batch_size * a.world_size
    order, cursor = torch.randperm(x.shape[0], generator=generator), 0

    def step():
        nonlocal order, cursor
        if cursor + global_batch > order.numel():
            order, cursor = torch.randperm(x.shape[0], generator=generator), 0
        idx = order[cursor + a.rank * a.batch_size:cursor + (a.rank + 1) * a.batch_size]
        cursor += global_batch
        xb, yb = x.index_select(0, idx), y.index_select(0, idx)
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()  # DDP all-reduces the gradient buckets during backward
        opt.step()
        return loss

    for _ in range(a.warmup):
        step()
    dist.barrier()
    start = time.perf_counter()
    for _ in range(a.steps):
        loss = step()
    final = loss.detach().clone()
    dist.barrier()
    elapsed = time.perf_counter() - start
    dist.all_reduce(final)
    if a.rank == 0:
        print(f"result samples_per_s={a.steps * global_batch / elapsed:.2f} final_loss={final.item() / a.world_size:.4f} "
              f"seconds={elapsed:.3f}", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
