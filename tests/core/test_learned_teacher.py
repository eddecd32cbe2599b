"""The learned teacher: vote targets, imbalance, and a fit/predict round trip on a tiny BERT built here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crowd_sentiment.core.learned_teacher import (
    LearnedTeacher,
    LearnedTeacherSettings,
    TeacherTrainingSettings,
    annotator_targets,
    cap_per_class,
    choice_table,
    fold_ids,
    stored_identity,
    train_teacher,
)

TEXTS = [
    "love it so much",
    "great happy day",
    "awful sad news",
    "i hate this",
    "the bus at nine",
    "a table and a chair",
]


def tiny_bert(folder) -> str:
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    from transformers import BertConfig, BertModel, BertTokenizerFast

    raw = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    raw.normalizer = normalizers.BertNormalizer()
    raw.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    raw.train_from_iterator(
        TEXTS, trainers.WordPieceTrainer(vocab_size=80, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]"])
    )
    torch.manual_seed(0)
    config = BertConfig(vocab_size=raw.get_vocab_size(), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64)  # fmt: skip
    BertModel(config).save_pretrained(folder)
    BertTokenizerFast(tokenizer_object=raw, cls_token="[CLS]", sep_token="[SEP]", pad_token="[PAD]", unk_token="[UNK]").save_pretrained(folder)  # fmt: skip
    return str(folder)


def _labels(n: int = 4) -> pd.DataFrame:
    votes = [("positive",) * 3, ("positive", "positive", "neutral"), ("negative",) * 3, ("negative", "neutral", ""),
             ("neutral",) * 3, ("neutral", "neutral", "positive")]  # fmt: skip
    rows = [{"id": str(i), "text": f"{TEXTS[i % 6]} @bob http://x", **dict(zip(("text_1", "text_2", "text_3"), votes[i % 6]))}
            for i in range(6 * n)]  # fmt: skip
    return pd.DataFrame(rows)


def test_votes_become_shares_and_majority_needs_two_annotators():
    labels = pd.DataFrame({"text_1": ["positive", "negative", "neutral"], "text_2": ["neutral", "", "positive"],
                           "text_3": ["positive", "negative", "negative"]})  # fmt: skip
    soft, keep = annotator_targets(labels, "votes")
    np.testing.assert_allclose(soft, [[0, 1 / 3, 2 / 3], [1, 0, 0], [1 / 3, 1 / 3, 1 / 3]])
    assert keep.all()
    hard, keep = annotator_targets(labels, "majority")
    assert keep.tolist() == [True, True, False] and hard[:2].argmax(1).tolist() == [2, 0]


def test_cap_per_class_keeps_every_rare_example():
    targets = np.eye(3)[[0] + [1] * 10 + [2] * 10]
    kept = cap_per_class(targets, 4, seed=0)
    assert np.bincount(targets[kept].argmax(1)).tolist() == [1, 4, 4]


def test_prior_correction_lifts_the_rare_class():
    log_prior = np.log([0.05, 0.45, 0.5])
    logits = np.array([[0.0, 1.0, 0.5], [2.0, 0.0, 0.0], [0.0, 0.0, 3.0]])
    table = choice_table(logits, np.zeros((3, 3)), log_prior, np.array([0, 0, 2]), [0.0], [0.0, 1.0])
    assert table["macro_recall"].tolist() == [0.75, 1.0]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    model = LearnedTeacherSettings(encoder=tiny_bert(tmp_path_factory.mktemp("bert")), train_layers=1, max_per_class=None,
                                   batch_size=8, epochs=2, head_lr=0.05)  # fmt: skip
    return train_teacher(_labels(), TeacherTrainingSettings(data_root="unused", folds=3, model=model))


def test_train_choose_and_predict_round_trip(trained):
    stored, table = trained
    assert (
        table["chosen"].sum() == 1
        and stored["settings"]["prior_correction"] in table["prior_correction"].tolist()
    )
    assert stored["n_train"] == len(_labels())  # the stored teacher is refitted on every row
    assert (table["macro_recall_fold_std"] >= 0).all()
    assert set(stored["state"]) >= {"head.weight", "encoder.encoder.layer.1.output.dense.weight"}
    assert not any(".layer.0." in name for name in stored["state"])  # lower layers stay pretrained
    teacher = LearnedTeacher(stored, device="cpu")
    probs = teacher.predict_proba(TEXTS)
    assert probs.shape == (6, 3)
    np.testing.assert_allclose(probs.sum(1), 1.0)
    identity = stored_identity(stored)
    assert identity["teacher"].startswith("learned:") and len(identity["training_data_sha256"]) == 16


def test_the_choice_transfer_scores_every_candidate_beside_its_k_fold_figure(trained, tmp_path):
    from crowd_sentiment.core.learned_teacher import transfer_summary
    from crowd_sentiment.datasets import StoredTeacherDataset

    stored, table = trained
    teacher = LearnedTeacher(stored, device="cpu")
    gold = np.array([2, 2, 0, 0, 1, 1])
    probs, transfer = teacher.choice_transfer(TEXTS, gold)
    np.testing.assert_allclose(probs, teacher.predict_proba(TEXTS))
    assert len(transfer) == len(table) and transfer["chosen"].sum() == 1
    merged = transfer.merge(table, on=["vader_weight", "prior_correction"], suffixes=("", "_cv"))
    np.testing.assert_allclose(merged["cv_macro_recall"], merged["macro_recall_cv"])
    chosen = transfer[transfer["chosen"]].iloc[0]
    expected = choice_table(np.log(probs), np.zeros((6, 3)), np.zeros(3), gold, [0.0], [0.0])
    assert chosen["macro_recall"] == expected["macro_recall"].iloc[0]
    summary = transfer_summary(transfer)
    assert -1 <= summary["choice_rank_correlation"] <= 1
    assert summary["best_candidate_macro_recall"] == transfer["macro_recall"].max()
    dataset = StoredTeacherDataset(str(tmp_path / "learned_teacher.pt"))
    dataset.save(stored)
    assert dataset.load()()["candidates"] == stored["candidates"]  # plain floats load with weights_only
    older = {key: value for key, value in stored.items() if key != "candidates"}
    _, alone = LearnedTeacher(older, device="cpu").choice_transfer(TEXTS, gold)
    assert len(alone) == 1 and alone["chosen"].all() and alone["cv_macro_recall"].isna().all()
    assert np.isnan(transfer_summary(alone)["choice_rank_correlation"])


def test_transfer_summary_ranks_candidates():
    from crowd_sentiment.core.learned_teacher import transfer_summary

    table = pd.DataFrame({"cv_macro_recall": [0.5, 0.6, 0.7], "macro_recall": [0.62, 0.60, 0.58]})
    assert transfer_summary(table) == {"choice_rank_correlation": -1.0, "best_candidate_macro_recall": 0.62}


def test_a_teacher_fitted_on_other_encoder_weights_is_refused(trained):
    stored = {**trained[0], "encoder_sha256": "0" * 16}
    with pytest.raises(ValueError, match="retrain"):
        LearnedTeacher(stored)


def test_the_cached_lower_layers_give_the_full_forward(trained):
    from crowd_sentiment.core.learned_teacher import frozen_states, upper_logits, vader_features

    teacher = LearnedTeacher(trained[0], device="cpu")
    states = frozen_states(teacher.model, teacher.tokenizer, TEXTS, 1, teacher.settings.max_length)
    cached = upper_logits(teacher.model, states, 1, vader_features(TEXTS))
    np.testing.assert_allclose(cached, teacher.logits(TEXTS), atol=1e-5)


def test_folds_partition_the_rows_stratified_by_majority():
    labels = _labels(10)  # 60 rows: majority positive 20, neutral 20, negative 10, none 10
    fold = fold_ids(labels, 5, seed=1)
    majority, has_majority = annotator_targets(labels, "majority")
    strata = np.where(has_majority, majority.argmax(1), 3)
    counts = [np.bincount(fold[strata == s], minlength=5).tolist() for s in range(4)]
    assert counts == [[2] * 5, [4] * 5, [4] * 5, [2] * 5]
    assert not np.array_equal(fold, fold_ids(labels, 5, seed=2))


def test_the_choice_scores_pooled_out_of_fold_logits_with_each_folds_prior():
    gold = np.array([0, 1, 1, 0, 1, 1])
    logits = np.array([[0.5, 1, -9], [0, 3, -9], [0, 3, -9], [0, 1, -9], [0, 1, -9], [0, 1, -9]])
    priors = np.log([[0.1, 0.8, 0.1], [0.5, 0.4, 0.1]])  # the fold-0 model saw few class 0
    fold = np.repeat([0, 1], 3)
    table = choice_table(logits, np.zeros((6, 3)), priors[fold], gold, [0.0], [0.0, 1.0], fold=fold)
    # tau = 1 finds fold 0's class 0 (its prior is small) and not fold 1's: per fold 1.0 and 0.5
    assert table["macro_recall"].tolist() == [0.5, 0.75]
    assert table["macro_recall_fold_std"].tolist() == [0.0, 0.25]
    one_prior = choice_table(logits, np.zeros((6, 3)), priors[1], gold, [0.0], [0.0, 1.0])
    assert one_prior["macro_recall"].tolist() == [0.5, 0.5]


def test_vader_fusion_and_dropped_disagreements():
    from crowd_sentiment.core.learned_teacher import fused_logits, trainable_rows, vader_features

    logits = np.zeros((2, 3))
    fused = fused_logits(logits, vader_features(["I love it", "I hate it"]), 1.0)
    assert fused.argmax(1).tolist() == [2, 0] and fused_logits(logits, None, 0.0) is not None
    labels = pd.DataFrame({"text": ["a", "b"], "text_1": ["positive", "positive"], "text_2": ["neutral", "positive"],
                           "text_3": ["negative", "positive"]})  # fmt: skip
    assert trainable_rows(labels, LearnedTeacherSettings(drop_disagreement=True)).tolist() == [False, True]
