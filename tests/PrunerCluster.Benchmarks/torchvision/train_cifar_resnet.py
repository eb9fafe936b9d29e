"""Trains a CIFAR ResNet (He et al. 2016, option-B shortcuts) in PyTorch and exports it with torch.onnx.export, as a user would.

Reads CIFAR-10 binary batches (data_batch_1..5.bin, test_batch.bin: 1 label byte + 3,072 CHW bytes per record), for example
those written by `dotnet run -c Release --project tests/PrunerCluster.Benchmarks -- cifar10 --out DIR`. Inputs are scaled to
[0, 1] and normalised with the training split's per-channel mean and standard deviation, which is what PrunerCluster's
`data.normalize: auto` feeds an imported model. Every random choice is seeded (--seed); two runs on one machine write the same file.

    /usr/bin/python3 train_cifar_resnet.py --data DIR --out resnet20.onnx [--depth 20] [--epochs 8] [--threads 2]
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_batches(root, names):
    raw = b"".join(open(os.path.join(root, n), "rb").read() for n in names)
    records = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3073)
    labels = torch.from_numpy(records[:, 0].astype(np.int64))
    images = torch.from_numpy(records[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / 255.0)
    return images, labels


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + self.shortcut(x))


class CifarResNet(nn.Module):
    def __init__(self, depth, classes=10):
        super().__init__()
        assert (depth - 2) % 6 == 0, "depth must be 6n + 2 (8, 14, 20, 32, ...)"
        n = (depth - 2) // 6
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        blocks, cin = [], 16
        for cout, stride in ((16, 1), (32, 2), (64, 2)):
            for i in range(n):
                blocks.append(BasicBlock(cin, cout, stride if i == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def augment(batch, generator):
    padded = F.pad(batch, (4, 4, 4, 4))
    n = batch.shape[0]
    dx = torch.randint(0, 9, (n,), generator=generator)
    dy = torch.randint(0, 9, (n,), generator=generator)
    flip = torch.rand(n, generator=generator) < 0.5
    out = torch.empty_like(batch)
    for i in range(n):
        crop = padded[i, :, dy[i]:dy[i] + 32, dx[i]:dx[i] + 32]
        out[i] = crop.flip(-1) if flip[i] else crop
    return out


def accuracy(model, images, labels, mean, std):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(images), 1000):
            correct += (model((images[i:i + 1000] - mean) / std).argmax(1) == labels[i:i + 1000]).sum().item()
    return correct / len(images)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--depth", type=int, default=20)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()

    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    train_x, train_y = read_batches(a.data, [f"data_batch_{i}.bin" for i in range(1, 6)])
    test_x, test_y = read_batches(a.data, ["test_batch.bin"])
    mean = train_x.mean(dim=(0, 2, 3)).view(1, 3, 1, 1)
    std = train_x.std(dim=(0, 2, 3)).view(1, 3, 1, 1)

    model = CifarResNet(a.depth)
    steps = a.epochs * (len(train_x) // a.batch)
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=steps, pct_start=0.25)
    generator = torch.Generator().manual_seed(a.seed)
    start = time.time()
    for epoch in range(a.epochs):
        model.train()
        order = torch.randperm(len(train_x), generator=generator)
        for b in range(len(train_x) // a.batch):
            idx = order[b * a.batch:(b + 1) * a.batch]
            x = (augment(train_x[idx], generator) - mean) / std
            loss = F.cross_entropy(model(x), train_y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            if b % 100 == 99:
                print(f"  epoch {epoch + 1} batch {b + 1}: loss {loss.item():.3f}, {time.time() - start:.0f} s", flush=True)
        print(f"epoch {epoch + 1}/{a.epochs}: loss {loss.item():.3f}, test {accuracy(model, test_x, test_y, mean, std):.4f}, "
              f"{time.time() - start:.0f} s", flush=True)

    model.eval()
    torch.onnx.export(model, torch.randn(1, 3, 32, 32), a.out, opset_version=13, input_names=["image"],
                      output_names=["logits"], dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    summary = {"depth": a.depth, "epochs": a.epochs, "seed": a.seed, "test_accuracy": accuracy(model, test_x, test_y, mean, std),
               "mean": mean.flatten().tolist(), "std": std.flatten().tolist(), "seconds": round(time.time() - start)}
    with open(a.out + ".json", "w") as f:
        json.dump(summary, f, indent=2)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
