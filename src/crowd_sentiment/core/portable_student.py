"""A trained student that runs without this project: picture bytes → (negative, neutral, positive) probabilities.

This file imports only the standard library, numpy, pandas, Pillow, torch and timm, so a
copy of it runs where ``crowd_sentiment`` is not installed: the MLflow model ships it as
code beside one weights file (:func:`save_student_file`). That file holds plain tensors and
values (``torch.load(weights_only=True)`` reads it):

``{"format": 1, "classes": [...], "backbones": [backbone, ...], "block_norm": bool,
"head": {"feature_norm", "hidden", "dropout"}, "state_dict": {...}}``, each backbone
``{"arch", "timm_kwargs", "levels", "views": [{"preprocessing": {"image_size", "framing", "crop_pct",
"interpolation", "mean", "std"}, "flip": bool}, ...]}`` (``levels`` absent: 0); ``state_dict`` is
the whole student's (``backbone.*``, ``ensemble.<k>.*``, ``head.*``). A backbone's features of one
view are :func:`pooled_features`; its block is their mean over its views (``flip``: mirrored after
framing); with ``block_norm`` each backbone's block is scaled to length ``√F_b``; the blocks are
concatenated and the head gives the logits.

Preprocessing of one picture: decode the first frame, apply the EXIF orientation, make it
RGB (16-bit scaled to 8 bits, transparency over white), frame it as the view says
(``pad``: centre on a mid-grey square; ``squash``: resize to a square; ``crop``: resize the
short side to ``image_size / crop_pct`` and centre-crop), resize with ``interpolation``,
then ``(x / 255 - mean) / std`` per channel.
"""

from __future__ import annotations

import base64
import io
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import timm
import torch
from PIL import Image, ImageOps
from torch import Tensor, nn

FORMAT = 1
CLASSES = ("negative", "neutral", "positive")
PROBABILITY_COLUMNS = tuple(f"p_{name}" for name in CLASSES)
IMAGE_COLUMN = "image"  # input: one encoded picture (JPEG, PNG, WebP, GIF, ...) per row, as bytes or base64
_RESAMPLING = {name: Image.Resampling[name.upper()] for name in ("bilinear", "bicubic", "nearest")}


class PictureError(ValueError):
    """A picture that cannot be scored; ``reason`` is ``empty_file``, ``undecodable`` or ``too_large``."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


def decode_picture(data: bytes, *, max_pixels: int = 40_000_000) -> Image.Image:
    """Encoded bytes → RGB picture (first frame, EXIF orientation applied); :class:`PictureError` otherwise."""
    if not data:
        raise PictureError("empty_file", "0 bytes")
    try:
        picture = Image.open(io.BytesIO(data))
        if picture.width * picture.height > max_pixels:
            raise PictureError("too_large", f"{picture.width}x{picture.height} > {max_pixels} pixels")
        picture.load()
        picture = ImageOps.exif_transpose(picture)
    except PictureError:
        raise
    except Image.DecompressionBombError as error:
        raise PictureError("too_large", str(error)[:200]) from None
    except Exception as error:  # truncated, corrupt, not a picture
        detail = re.sub(r" <_io\.BytesIO object at 0x[0-9a-f]+>", "", f"{type(error).__name__}: {error}")
        raise PictureError("undecodable", detail[:200]) from None
    return _rgb(picture)


def _rgb(picture: Image.Image) -> Image.Image:
    if picture.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        scaled = np.clip(np.asarray(picture, dtype=np.int64), 0, 65535) // 257
        return Image.fromarray(scaled.astype(np.uint8), "L").convert("RGB")
    transparent = picture.mode == "P" and "transparency" in picture.info
    if transparent or picture.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        white = Image.new("RGBA", picture.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, picture.convert("RGBA")).convert("RGB")
    return picture.convert("RGB")


def frame_picture(picture: Image.Image, preprocessing: dict) -> np.ndarray:
    """RGB picture → ``uint8`` array ``(S, S, 3)``, ``S = image_size``, framed as the module docstring says."""
    size, method = int(preprocessing["image_size"]), _RESAMPLING[preprocessing["interpolation"]]
    framing = preprocessing["framing"]
    if framing == "pad":
        long_side = max(picture.size)
        if picture.width != picture.height:
            square = Image.new(picture.mode, (long_side, long_side), (128, 128, 128))
            square.paste(picture, ((long_side - picture.width) // 2, (long_side - picture.height) // 2))
            picture = square
        picture = picture.resize((size, size), method)
    elif framing == "squash":
        picture = picture.resize((size, size), method)
    elif framing == "crop":
        short = int(round(size / float(preprocessing["crop_pct"])))
        width, height = picture.size
        if width <= height:
            scaled = (short, int(short * height / width))
        else:
            scaled = (int(short * width / height), short)
        picture = picture.resize(scaled, method)
        left, top = int(round((scaled[0] - size) / 2.0)), int(round((scaled[1] - size) / 2.0))
        picture = picture.crop((left, top, left + size, top + size))
    else:
        raise ValueError(f"unknown framing {framing!r}: expected pad, squash or crop")
    return np.array(picture, dtype=np.uint8, copy=True)


def normalise(batch: np.ndarray, preprocessing: dict) -> Tensor:
    """``uint8`` ``(B, S, S, 3)`` → float32 ``(B, 3, S, S)``: ``(x / 255 - mean) / std``."""
    mean = torch.tensor(preprocessing["mean"], dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(preprocessing["std"], dtype=torch.float32).view(1, 3, 1, 1)
    return torch.from_numpy(batch).permute(0, 3, 1, 2).to(torch.float32).div(255).sub(mean).div(std)


class _UnitScale(nn.Module):
    """Features ``(B, F)`` scaled to length ``√F`` (the student's ``feature_norm: l2``)."""

    def forward(self, features: Tensor) -> Tensor:
        return nn.functional.normalize(features, dim=-1) * features.shape[-1] ** 0.5


def pooled_features(backbone: nn.Module, images: Tensor, levels: int = 0) -> Tensor:
    """A headless timm backbone's features of ``images`` ``(B, 3, S, S)``.

    ``levels`` 0: its own pooled features ``(B, F)``. ``levels`` n: those, then the per-channel
    mean and standard deviation over positions of the output maps of its last n feature stages
    (timm ``feature_info``; EfficientNet-Lite0's last three: 40, 112 and 320 channels at strides 8,
    16 and 32), each of the ``1 + 2n`` blocks scaled to length ``√width``: ``(B, F + 2·ΣC)``. Mid-level
    statistics carry colour, texture and composition, which the last layer's ImageNet classes wash out.
    """
    if not levels:
        return backbone(images)
    final, maps = backbone.forward_intermediates(images, indices=levels)
    blocks = [backbone.forward_head(final, pre_logits=True)]
    for stage in maps:
        flat = stage.float().flatten(2)
        blocks += [flat.mean(2), flat.std(2, correction=0)]
    return torch.cat([_UnitScale()(block.float()) for block in blocks], dim=1)


def stage_channels(backbone: nn.Module) -> list[int]:
    """Channels of each feature stage of a timm backbone (its ``feature_info``), shallowest first."""
    return [int(info["num_chs"]) for info in backbone.feature_info]


def pooled_width(backbone: nn.Module, levels: int = 0) -> int:
    """The width of :func:`pooled_features`; ``ValueError`` when the backbone has fewer than ``levels`` stages."""
    if not levels:
        return int(backbone.num_features)
    channels = stage_channels(backbone)
    if levels > len(channels):
        raise ValueError(
            f"levels {levels}: the {type(backbone).__name__} backbone has {len(channels)} feature stages "
            f"({channels} channels); set student.levels to at most {len(channels)}"
        )
    return int(backbone.num_features) + 2 * sum(channels[-levels:])


class _Network(nn.Module):
    """The student's backbones and head, with the parameter names of its stored ``state_dict``."""

    def __init__(self, content: dict):
        super().__init__()
        backbones = [
            timm.create_model(b["arch"], pretrained=False, num_classes=0, **b["timm_kwargs"])
            for b in content["backbones"]
        ]
        self.backbone, self.ensemble = backbones[0], nn.ModuleList(backbones[1:])
        self.levels = [int(b.get("levels", 0)) for b in content["backbones"]]
        head = content["head"]
        width = sum(pooled_width(b, n) for b, n in zip(backbones, self.levels, strict=True))
        layers: list[nn.Module] = [_UnitScale()] if head["feature_norm"] == "l2" else []
        layers.append(nn.Dropout(head["dropout"]))
        if head["hidden"]:
            layers.extend([nn.Linear(width, head["hidden"]), nn.GELU()])
            width = head["hidden"]
        self.head = nn.Sequential(*layers, nn.Linear(width, len(CLASSES)))
        self.load_state_dict(content["state_dict"])
        self.eval()


class PortableStudent:
    """A stored student rebuilt from one weights file; scores RGB pictures or encoded bytes on CPU."""

    def __init__(self, content: dict, *, batch_size: int = 32):
        if content.get("format") != FORMAT:
            raise ValueError(
                f"portable student format {content.get('format')!r} is not {FORMAT}: re-export it"
            )
        self.network = _Network(content)
        # per backbone: its views, [{"preprocessing": {...}, "flip": bool}, ...]
        self.views = [b["views"] for b in content["backbones"]]
        self.block_norm = bool(content["block_norm"])
        self.batch_size = batch_size

    @classmethod
    def load(cls, path: str | Path, **kwargs) -> PortableStudent:
        """Read a file written by :func:`save_student_file`."""
        return cls(torch.load(Path(path), map_location="cpu", weights_only=True), **kwargs)

    def _features(
        self, backbone: nn.Module, levels: int, views: list[dict], pictures: list[Image.Image]
    ) -> Tensor:
        """One backbone's features ``(B, F)``: the mean over its views."""
        outputs, framings = [], {}  # a framing and its mirror share one framed batch
        for view in views:
            key = repr(sorted(view["preprocessing"].items()))
            if key not in framings:
                framings[key] = np.stack([frame_picture(p, view["preprocessing"]) for p in pictures])
            framed = framings[key]
            if view["flip"]:
                framed = np.ascontiguousarray(framed[:, :, ::-1])
            outputs.append(pooled_features(backbone, normalise(framed, view["preprocessing"]), levels))
        block = torch.stack(outputs).mean(0) if len(outputs) > 1 else outputs[0]
        return _UnitScale()(block) if self.block_norm else block

    @torch.inference_mode()
    def predict_pictures(self, pictures: list[Image.Image]) -> np.ndarray:
        """Probabilities ``(N, 3)`` float64 (negative, neutral, positive) of RGB pictures."""
        network, out = self.network, np.zeros((len(pictures), len(CLASSES)))
        backbones = [network.backbone, *network.ensemble]
        for start in range(0, len(pictures), self.batch_size):
            batch = pictures[start : start + self.batch_size]
            blocks = [
                self._features(b, n, views, batch)
                for b, n, views in zip(backbones, network.levels, self.views, strict=True)
            ]
            logits = network.head(torch.cat(blocks, dim=1) if len(blocks) > 1 else blocks[0])
            out[start : start + len(batch)] = torch.softmax(logits, dim=1).double().numpy()
        return out

    def predict_bytes(self, images: list[bytes]) -> np.ndarray:
        """Probabilities ``(N, 3)`` of encoded pictures; a picture that cannot be decoded raises ``ValueError`` naming its row."""
        pictures = []
        for row, data in enumerate(images):
            try:
                pictures.append(decode_picture(_as_bytes(data)))
            except PictureError as error:
                raise ValueError(
                    f"row {row}: {error} (give the encoded bytes of a JPEG, PNG, WebP or GIF)"
                ) from None
        return self.predict_pictures(pictures)

    def predict_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Column ``image`` (encoded bytes per row) → ``p_negative, p_neutral, p_positive`` and ``label``."""
        if IMAGE_COLUMN not in frame.columns:
            raise ValueError(
                f"input needs a column {IMAGE_COLUMN!r} of encoded picture bytes; got {list(frame.columns)}"
            )
        return probability_frame(self.predict_bytes(list(frame[IMAGE_COLUMN])), index=frame.index)


def _as_bytes(data: object) -> bytes:
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    if data is None or (isinstance(data, float) and math.isnan(data)):
        return b""
    if isinstance(data, str):  # base64, as JSON carries bytes
        try:
            return base64.b64decode(data, validate=True)
        except ValueError:
            raise PictureError("undecodable", "a string that is not base64") from None
    raise PictureError("undecodable", f"expected bytes, got {type(data).__name__}")


def probability_frame(probabilities: np.ndarray, index=None) -> pd.DataFrame:
    """``(N, 3)`` probabilities → ``p_negative, p_neutral, p_positive, label`` (the argmax class)."""
    frame = pd.DataFrame(probabilities, columns=list(PROBABILITY_COLUMNS), index=index)
    frame["label"] = [CLASSES[k] for k in np.argmax(probabilities, axis=1)] if len(frame) else []
    return frame


def save_student_file(content: dict, path: str | Path) -> Path:
    """Write ``content`` (the module docstring's layout) with ``torch.save``; returns ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(content, path)
    return path
