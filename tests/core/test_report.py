"""Tests for the Markdown benchmark report."""

import numpy as np
import pandas as pd
import pytest

from crowd_sentiment.core.report import (
    MISSING,
    PAPER_REFERENCE,
    PAPER_SOURCE,
    PAPER_TWITTER_I,
    PAPER_TWITTER_I_VIT_B32,
    TWITTER_I_LAYOUT,
    benchmark_report_markdown,
    paper_reference,
)

NAN = float("nan")


def _rows(**overrides):
    rows = pd.DataFrame(
        {
            "benchmark": ["twitter_agreement", "twitter_agreement", "emotion_roi"],
            "subset": ["five_agree", "three_agree", "test"],
            "n": [882, 1269, 594],
            "majority_rate": [581 / 882, 0.6, 0.55],
            "zero_shot_accuracy": [0.8512, 0.8, 0.7],
            "zero_shot_macro_f1": [0.83, 0.78, 0.69],
            "zero_shot_roc_auc": [0.9123, 0.88, NAN],
            "kfold_distilled_accuracy_mean": [0.871, NAN, 0.75],
            "kfold_distilled_accuracy_std": [0.0234, NAN, 0.01],
            "kfold_imagenet_accuracy_mean": [0.7, NAN, 0.6],
            "kfold_imagenet_accuracy_std": [0.05, NAN, 0.02],
        }
    )
    return rows.assign(**overrides)


def _table(text):
    """Rows of the Markdown table as lists of cells (header first, separator dropped)."""
    lines = [line for line in text.splitlines() if line.startswith("|")]
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in lines]
    return [cells[0], *cells[2:]]


def test_paper_numbers_are_the_transcribed_ones():
    assert PAPER_TWITTER_I == {"five_agree": 87.8, "four_agree": 84.8, "three_agree": 81.9}
    assert PAPER_TWITTER_I_VIT_B32 == {"five_agree": 86.5, "four_agree": 82.6, "three_agree": 78.9}
    assert PAPER_REFERENCE[(TWITTER_I_LAYOUT, "four_agree")] == {"ViT-L/16": 84.8}
    both = paper_reference(("ViT-L/16", "ViT-B/32"))
    assert both[(TWITTER_I_LAYOUT, "three_agree")] == {"ViT-L/16": 81.9, "ViT-B/32": 78.9}
    with pytest.raises(ValueError, match="ViT-H/14"):
        paper_reference(("ViT-H/14",))


def test_report_renders_cells_missing_values_and_paper_column():
    text = benchmark_report_markdown(_rows(), PAPER_REFERENCE)
    header, five, three, roi = _table(text)
    assert header[:3] == ["benchmark", "subset", "n"] and header[-1] == "paper (ViT-L/16)"
    assert len(header) == 10 and all(len(row) == len(header) for row in (five, three, roi))
    cell = dict(zip(header, five))
    assert cell["n"] == "882" and cell["majority"] == "65.9"
    assert cell["zero-shot acc."] == "85.1" and cell["zero-shot macro-F1"] == "83.0"
    assert cell["zero-shot ROC-AUC"] == "91.2"
    assert cell["k-fold distilled acc."] == "87.1 ± 2.3" and cell["k-fold ImageNet acc."] == "70.0 ± 5.0"
    assert cell["paper (ViT-L/16)"] == "87.8"
    cell = dict(zip(header, three))
    assert cell["n"] == "1,269" and cell["paper (ViT-L/16)"] == "81.9"
    assert cell["k-fold distilled acc."] == MISSING and cell["k-fold ImageNet acc."] == MISSING
    cell = dict(zip(header, roi))
    assert cell["zero-shot ROC-AUC"] == MISSING and cell["paper (ViT-L/16)"] == MISSING
    assert cell["k-fold distilled acc."] == "75.0 ± 1.0"
    assert text.splitlines()[0].startswith("Scores in %") and "Zero-shot" in text and "k-fold" in text
    assert PAPER_SOURCE in text and "ViT-L/16 (ImageNet-21k, 384 px)" in text and text.endswith("\n")


def test_missing_kfold_columns_render_as_dashes():
    rows = _rows().drop(columns=[c for c in _rows().columns if c.startswith("kfold_")])
    header, *body = _table(benchmark_report_markdown(rows, PAPER_REFERENCE))
    for row in body:
        cell = dict(zip(header, row))
        assert cell["k-fold distilled acc."] == MISSING and cell["k-fold ImageNet acc."] == MISSING


def test_mean_without_std_shows_the_mean():
    rows = _rows(kfold_distilled_accuracy_std=NAN)
    header, five, *_ = _table(benchmark_report_markdown(rows, PAPER_REFERENCE))
    assert dict(zip(header, five))["k-fold distilled acc."] == "87.1"


def test_layout_column_matches_paper_keys_for_any_benchmark_name():
    rows = _rows(
        benchmark=["sample", "sample", "roi"], layout=["twitter_agreement", "twitter_agreement", None]
    )
    header, five, three, roi = _table(benchmark_report_markdown(rows, PAPER_REFERENCE))
    assert five[0] == "sample" and five[-1] == "87.8" and three[-1] == "81.9" and roi[-1] == MISSING


def test_no_paper_column_without_matching_rows():
    rows = _rows(benchmark=["sample", "sample", "roi"])  # names, no layout column: nothing matches
    text = benchmark_report_markdown(rows, PAPER_REFERENCE)
    header = _table(text)[0]
    assert not any(h.startswith("paper") for h in header)
    assert PAPER_SOURCE not in text


def test_two_paper_students_give_two_columns():
    text = benchmark_report_markdown(_rows(), paper_reference(("ViT-L/16", "ViT-B/32")))
    header, five, *_ = _table(text)
    assert header[-2:] == ["paper (ViT-L/16)", "paper (ViT-B/32)"] and five[-2:] == ["87.8", "86.5"]


def test_report_is_pure_and_needs_benchmark_and_subset():
    rows = _rows()
    copy = rows.copy()
    assert benchmark_report_markdown(rows, PAPER_REFERENCE) == benchmark_report_markdown(
        rows, PAPER_REFERENCE
    )
    pd.testing.assert_frame_equal(rows, copy)
    with pytest.raises(ValueError, match="subset"):
        benchmark_report_markdown(rows.drop(columns="subset"), PAPER_REFERENCE)
    minimal = pd.DataFrame({"benchmark": ["a|b"], "subset": ["all"], "n": [np.int64(3)]})
    text = benchmark_report_markdown(minimal, {})
    assert "| a\\|b | all | 3 | " in text  # a pipe in a name is escaped
    header, row = _table(text.replace("\\|", "/"))
    assert len(row) == len(header) == 9 and row.count(MISSING) == len(header) - 3
