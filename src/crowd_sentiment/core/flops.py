"""Analytic FLOPs of a model and model FLOPs utilisation (MFU, Chowdhery et al., 2022, PaLM appendix B)."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

# Dense peak FLOP/s per GPU (vendor data sheets, no sparsity): name fragment -> (bf16/fp16, fp32).
PEAK_FLOPS: dict[str, tuple[float, float]] = {
    "H200": (989e12, 67e12),
    "H100": (989e12, 67e12),
    "A100": (312e12, 19.5e12),
    "L40S": (362e12, 91.6e12),
    "L4": (121e12, 30.3e12),
    "A10": (125e12, 31.2e12),
    "V100": (125e12, 15.7e12),
    "T4": (65e12, 8.1e12),
}


def forward_flops(model: nn.Module, sample: torch.Tensor) -> float:
    """FLOPs of one forward pass on one item: matmuls and convolutions counted from their shapes.

    ``sample``: one input with its batch dimension, e.g. ``(1, 3, S, S)``, on the model's
    device. Counted in eval mode (no BatchNorm statistics change); the mode is restored.
    """
    counter, training = FlopCounterMode(display=False), model.training
    model.eval()
    try:
        with torch.no_grad(), counter:
            model(sample)
    finally:
        model.train(training)
    return float(counter.get_total_flops()) / sample.shape[0]


def training_flops(forward: float) -> float:
    """FLOPs of one training step per item: forward + backward ≈ 3 × forward."""
    return 3.0 * forward


def peak_flops(device: torch.device, *, low_precision: bool, override_tflops: float = 0.0) -> float:
    """Peak FLOP/s of one ``device``; 0 when unknown (CPU, an unlisted GPU) and not overridden."""
    if override_tflops > 0:
        return override_tflops * 1e12
    if device.type != "cuda":
        return 0.0
    name = torch.cuda.get_device_name(device)
    for fragment, (low, full) in PEAK_FLOPS.items():
        if fragment in name:
            return low if low_precision else full
    return 0.0


def mfu(items_per_second: float, flops_per_item: float, peak: float, devices: int = 1) -> float:
    """Achieved over peak FLOP/s, in [0, 1]; NaN when the peak is unknown."""
    if peak <= 0:
        return float("nan")
    return items_per_second * flops_per_item / (peak * devices)
