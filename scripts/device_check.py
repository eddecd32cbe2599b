"""Device check on one CUDA GPU: ViT-B/16 training (bf16, eager and compiled), feature extraction, teacher speed.

    python scripts/device_check.py [--steps 30] [--batch 256] [--skip-compile]

Everything runs on synthetic data made on the device (no download, no data set): a
ViT-B/16 at 224 px from random weights trained with the project's own loop pieces (bf16
autocast, fused AdamW, SDPA attention), images/s and MFU from the analytic FLOPs of
``core.flops``; then ViT-B/16 feature extraction (bf16, inference mode); then a
RoBERTa-base-sized text classifier (random weights, 64 tokens) as the transformer
teacher's tweets/s. Prints one line per figure; exits 2 without CUDA.
"""

from __future__ import annotations

import argparse
import sys
import time

import torch

from crowd_sentiment.core.flops import forward_flops, mfu, peak_flops, training_flops
from crowd_sentiment.core.students import StudentSpec, build_student
from crowd_sentiment.core.training import TrainingSettings, make_optimizer


def _timed(step, steps: int, device: torch.device) -> float:
    """Seconds per call of ``step`` over ``steps`` calls, after 3 warm-up calls."""
    for _ in range(3):
        step()
    torch.cuda.synchronize(device)
    started = time.perf_counter()
    for _ in range(steps):
        step()
    torch.cuda.synchronize(device)
    return (time.perf_counter() - started) / steps


def vit_training(device: torch.device, batch: int, steps: int, compile_: bool) -> None:
    spec = StudentSpec(arch="vit_base_patch16_224", weights="none", image_size=224, train_backbone=True)
    model = build_student(spec).to(device)
    flops = training_flops(forward_flops(model, torch.zeros(1, 3, 224, 224, device=device)))
    optimizer = make_optimizer(model.parameters(), TrainingSettings(optimizer="adamw", lr=1e-4), fused=True)
    images = torch.randn(batch, 3, 224, 224, device=device)
    targets = torch.softmax(torch.randn(batch, 3, device=device), 1)
    net = torch.compile(model) if compile_ else model
    net.train()

    def step() -> None:
        with torch.autocast("cuda", dtype=torch.bfloat16):
            logits = net(images)
        loss = torch.nn.functional.cross_entropy(logits.float(), targets)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    started = time.perf_counter()
    seconds = _timed(step, steps, device)
    rate = batch / seconds
    peak = peak_flops(device, low_precision=True)
    label = "compiled" if compile_ else "eager"
    print(f"ViT-B/16 224px training bf16 {label:8s} batch {batch}: {rate:8.0f} images/s  "
          f"MFU {100 * mfu(rate, flops, peak):5.1f} %  ({flops / 1e9:.1f} GFLOP/image, "
          f"peak {peak / 1e12:.0f} TFLOP/s, {time.perf_counter() - started:.0f} s incl. warm-up)", flush=True)  # fmt: skip


@torch.inference_mode()
def vit_features(device: torch.device, batch: int, steps: int) -> None:
    backbone = build_student(StudentSpec(arch="vit_base_patch16_224", weights="none")).backbone.to(device).eval()
    images = torch.randn(batch, 3, 224, 224, device=device)

    def step() -> None:
        with torch.autocast("cuda", dtype=torch.bfloat16):
            backbone(images)

    print(f"ViT-B/16 224px feature extraction bf16 batch {batch}: {batch / _timed(step, steps, device):8.0f} images/s",
          flush=True)  # fmt: skip


@torch.inference_mode()
def teacher(device: torch.device, batch: int, steps: int) -> None:
    from transformers import RobertaConfig, RobertaForSequenceClassification

    config = RobertaConfig(vocab_size=50265, num_labels=3, attn_implementation="sdpa")  # roberta-base shape
    model = RobertaForSequenceClassification(config).to(device).eval()
    tokens = torch.randint(5, 50000, (batch, 64), device=device)
    mask = torch.ones_like(tokens)

    def step() -> None:
        with torch.autocast("cuda", dtype=torch.bfloat16):
            model(input_ids=tokens, attention_mask=mask)

    print(f"transformer teacher (RoBERTa-base shape, 64 tokens, bf16) batch {batch}: "
          f"{batch / _timed(step, steps, device):8.0f} tweets/s", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--skip-compile", action="store_true")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("no CUDA device: nothing to check (GPU figures: not measured)")
        sys.exit(2)
    device = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = True
    print(f"device: {torch.cuda.get_device_name(device)} x{torch.cuda.device_count()}, torch {torch.__version__}")
    vit_training(device, args.batch, args.steps, compile_=False)
    if not args.skip_compile:
        vit_training(device, args.batch, args.steps, compile_=True)
    vit_features(device, 2 * args.batch, args.steps)
    teacher(device, 2 * args.batch, args.steps)


if __name__ == "__main__":
    main()
