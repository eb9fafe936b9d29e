#!/usr/bin/env python3
"""Exports standard torchvision classifiers to ONNX for the `torchvision` benchmark (run by hand, never by CI).

Needs Debian's python3-torchvision (torch 1.13.1, torchvision 0.14.1): `apt-get install -y python3-torchvision`.
No pretrained weights can be downloaded here, so every network is randomly initialised from a fixed seed. Its BatchNorm
affine parameters are then drawn at random and its running statistics estimated on seeded random batches in train mode,
so that the BatchNorm folding of the export and of the import is exercised with non-trivial values.

Per network the output folder gets <name>/model.onnx, <name>/input.bin (the fixed input batch, float32 little-endian,
N x C x H x W), <name>/logits.bin (PyTorch's logits for that batch, float32, N x classes), <name>/logits64.bin (the same
network run in float64, float64 little-endian) and <name>/meta.json; the
folder gets manifest.json listing them.

Usage: python3 export_models.py OUT_DIR [--size 64] [--batch 8] [--seed 0] [--opset 13] [--models a,b,...]
(inception_v3 is exported at 96 x 96 at least.)
"""

import argparse
import json
import os
import sys

import torch
import torchvision

DEFAULT_MODELS = [
    "resnet18",
    "mobilenet_v2",
    "mobilenet_v3_small",
    "efficientnet_b0",
    "shufflenet_v2_x0_5",
    "squeezenet1_1",
    "densenet121",
    "regnet_x_400mf",
    "googlenet",
    "mnasnet0_5",
    "mobilenet_v3_large",
    "regnet_y_400mf",
    "inception_v3",
]

# Inception's stem and reductions need more than 64 pixels (at 64 its last reduction has no output left).
MIN_SIZE = {"inception_v3": 96}

CLASSES = 10
STAT_BATCHES = 4
STAT_BATCH_SIZE = 16


def build(name, seed):
    torch.manual_seed(seed)
    options = {"weights": None, "num_classes": CLASSES}
    if name in ("googlenet", "inception_v3"):
        options.update(aux_logits=False, init_weights=True)
    return getattr(torchvision.models, name)(**options)


def randomise_batchnorm(model, size, seed):
    """Random affine parameters, then running statistics as the exact mean over a few seeded random batches."""
    generator = torch.Generator().manual_seed(seed + 1)
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    with torch.no_grad():
        for bn in norms:
            bn.weight.copy_(0.5 + torch.rand(bn.weight.shape, generator=generator))
            bn.bias.copy_(0.1 * torch.randn(bn.bias.shape, generator=generator))
            bn.reset_running_stats()
            bn.momentum = None
        model.train()
        for _ in range(STAT_BATCHES):
            model(torch.randn(STAT_BATCH_SIZE, 3, size, size, generator=generator))
    for bn in norms:
        bn.momentum = 0.1
    model.eval()
    return len(norms)


def export(name, out_dir, size, batch, seed, opset):
    size = max(size, MIN_SIZE.get(name, 0))
    model = build(name, seed)
    norms = randomise_batchnorm(model, size, seed)
    generator = torch.Generator().manual_seed(seed + 2)
    images = torch.randn(batch, 3, size, size, generator=generator)
    with torch.no_grad():
        logits = model(images)
    if logits.shape != (batch, CLASSES) or not torch.isfinite(logits).all():
        raise RuntimeError(f"{name}: logits of shape {tuple(logits.shape)} (finite: {bool(torch.isfinite(logits).all())}) at input {size}x{size}")

    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    torch.onnx.export(
        model,
        images[:1],
        os.path.join(folder, "model.onnx"),
        opset_version=opset,
        input_names=["image"],
        output_names=["logits"],
        dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
        do_constant_folding=True,
    )
    images.contiguous().numpy().astype("<f4").tofile(os.path.join(folder, "input.bin"))
    logits.contiguous().numpy().astype("<f4").tofile(os.path.join(folder, "logits.bin"))
    # The same network in float64: how far float32 rounding alone moves the logits (deep random networks amplify it).
    with torch.no_grad():
        exact = model.double()(images.double())
    exact.contiguous().numpy().astype("<f8").tofile(os.path.join(folder, "logits64.bin"))
    meta = {
        "name": name,
        "input": [batch, 3, size, size],
        "logits": [batch, CLASSES],
        "seed": seed,
        "opset": opset,
        "weights": "random (torch.manual_seed), BatchNorm affine random, running statistics from 4 random batches",
        "batchNorms": norms,
        "parameters": sum(p.numel() for p in model.parameters()),
        "maxAbsLogit": float(logits.abs().max()),
        "float32VsFloat64": float((logits.double() - exact).abs().max()),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
    }
    with open(os.path.join(folder, "meta.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2)
    return meta


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--opset", type=int, default=13)
    parser.add_argument("--models", default=",".join(DEFAULT_MODELS))
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    os.makedirs(args.out_dir, exist_ok=True)
    exported, failed = [], {}
    for name in [m for m in args.models.split(",") if m]:
        try:
            meta = export(name, args.out_dir, args.size, args.batch, args.seed, args.opset)
            exported.append(name)
            print(f"{name}: exported ({meta['parameters']:,} parameters, {meta['batchNorms']} BatchNorms, max |logit| {meta['maxAbsLogit']:.3g})", flush=True)
        except Exception as e:  # report and go on: one network that does not export must not hide the others
            failed[name] = f"{type(e).__name__}: {e}"
            print(f"{name}: EXPORT FAILED {failed[name]}", file=sys.stderr, flush=True)

    manifest = {
        "models": exported,
        "failed": failed,
        "size": args.size,
        "batch": args.batch,
        "seed": args.seed,
        "opset": args.opset,
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
    }
    with open(os.path.join(args.out_dir, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
