"""Run names built from what varies, and the persisted funnel as manifest.* params."""

from __future__ import annotations

from crowd_sentiment.core.provenance import head_label, manifest_params, run_name, threshold_label
from crowd_sentiment.core.selection import CONFIDENCE_PRESETS

LBFGS = {
    "head_solver": "lbfgs",
    "l2": 3.0,
    "shrink_to": "zero",
    "decision": "argmax",
    "loss": "hard",
    "lr": 0.001,
}


def test_the_run_name_lists_what_varies_then_the_description():
    parts = ["tf_efficientnet_lite0", head_label(LBFGS), "teacher vader", None, "thresholds paper"]
    assert run_name("__default__", "tiny", parts, "first try") == (
        "__default__ · tf_efficientnet_lite0 · lbfgs l2=3 · teacher vader · thresholds paper · env tiny · first try"
    )
    assert run_name("sample_crowd", "local", []) == "sample_crowd · env local"
    minibatch = LBFGS | {"head_solver": "minibatch", "loss": "soft", "decision": "prior"}
    assert head_label(minibatch, train_backbone=True) == "minibatch soft lr=0.001 fine-tuned prior"
    assert head_label(LBFGS | {"head_solver": "centroid"}) == "centroid"


def test_thresholds_are_named_by_their_preset_when_they_match_one():
    assert threshold_label("learned", CONFIDENCE_PRESETS) == "learned"
    assert threshold_label({"negative": 0.7, "neutral": 0.9, "positive": 0.9}, CONFIDENCE_PRESETS) == "paper"
    assert (
        threshold_label({"negative": 0.5, "neutral": 0.5, "positive": 0.5}, CONFIDENCE_PRESETS)
        == "0.5/0.5/0.5"
    )


def test_the_funnel_becomes_flat_manifest_params():
    funnel = {
        "guarded_against": ["a", "b"],
        "thresholds": {"negative": 0.5, "neutral": 0.5, "positive": 0.5},
        "steps": [
            {"step": "confident", "unit": "tweets", "negative": 3, "total": 3},
            {"step": "confident", "unit": "pictures", "negative": 2, "total": 2},
        ],
    }
    assert manifest_params(funnel) == {
        "manifest.guarded_against": "a,b",
        "manifest.thresholds.negative": "0.5",
        "manifest.thresholds.neutral": "0.5",
        "manifest.thresholds.positive": "0.5",
        "manifest.funnel.tweets.confident.negative": "3",
        "manifest.funnel.tweets.confident.total": "3",
        "manifest.funnel.pictures.confident.negative": "2",
        "manifest.funnel.pictures.confident.total": "2",
    }
