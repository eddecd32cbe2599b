"""The transformers teacher on tiny random models built here (never downloaded), and its class order."""

from __future__ import annotations

import numpy as np
import pytest

from crowd_sentiment.core.hf_teacher import (
    HfTeacher,
    HfTeacherSettings,
    class_order,
    hf_identity,
    length_sorted_batches,
)

SENTENCES = ["I love this", "this is awful", "the bus leaves at nine", "what a day @user http", "ok"] * 2


def tiny_model(folder, id2label: dict[int, str]) -> str:
    """A 2-layer XLM-R classifier with a Unigram tokenizer trained on a few sentences (STACK.md)."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification, XLMRobertaTokenizerFast

    raw = Tokenizer(models.Unigram())
    raw.pre_tokenizer = pre_tokenizers.Metaspace()
    raw.train_from_iterator(
        SENTENCES,
        trainers.UnigramTrainer(
            vocab_size=60, special_tokens=["<s>", "<pad>", "</s>", "<unk>"], unk_token="<unk>"
        ),
    )
    tokenizer = XLMRobertaTokenizerFast(
        tokenizer_object=raw, bos_token="<s>", eos_token="</s>", pad_token="<pad>", unk_token="<unk>"
    )
    torch.manual_seed(0)
    config = XLMRobertaConfig(vocab_size=raw.get_vocab_size(), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                              intermediate_size=64, max_position_embeddings=80, num_labels=len(id2label), id2label=id2label,
                              label2id={v: k for k, v in id2label.items()}, pad_token_id=1, bos_token_id=0, eos_token_id=2)  # fmt: skip
    XLMRobertaForSequenceClassification(config).eval().save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return tiny_model(tmp_path_factory.mktemp("tiny"), {0: "Positive", 1: "negative", 2: "NEUTRAL"})


def test_batched_length_sorted_scores_equal_the_one_by_one_loop(model_dir):
    teacher = HfTeacher(HfTeacherSettings(model=model_dir, batch_size=3, device="cpu"))
    batched = teacher.predict_proba(SENTENCES)
    assert batched.shape == (len(SENTENCES), 3)
    np.testing.assert_allclose(batched.sum(1), 1.0, atol=1e-6)
    np.testing.assert_allclose(batched, teacher.predict_proba_one_by_one(SENTENCES), atol=1e-5)


def test_int8_on_cpu_quantizes_the_linear_layers_and_keeps_the_scores_close(model_dir):
    import torch

    exact = HfTeacher(HfTeacherSettings(model=model_dir, batch_size=3, device="cpu"))
    int8 = HfTeacher(HfTeacherSettings(model=model_dir, batch_size=3, device="cpu", cpu_int8=True))
    def linear_kinds(model) -> set[type]:
        return {type(m) for m in model.modules() if type(m).__name__ == "Linear"}

    assert linear_kinds(exact.model) == {torch.nn.Linear}
    assert linear_kinds(int8.model) == {torch.ao.nn.quantized.dynamic.Linear}
    probs = int8.predict_proba(SENTENCES)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-6)
    np.testing.assert_allclose(probs, exact.predict_proba(SENTENCES), atol=0.02)


def test_class_order_follows_id2label_in_any_case_or_order():
    assert class_order({0: "Positive", 1: "negative", 2: "NEUTRAL"}, {}) == [1, 2, 0]
    assert class_order({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, {"LABEL_0": "negative", "LABEL_1": "neutral", "LABEL_2": "positive"}) == [0, 1, 2]  # fmt: skip
    with pytest.raises(ValueError, match="label_map"):
        class_order({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, {})


def test_a_two_class_model_is_refused_even_when_mapped():
    with pytest.raises(ValueError, match="three-class"):
        class_order({0: "negative", 1: "positive"}, {"negative": "negative", "positive": "positive"})


def test_a_missing_model_names_itself_and_how_to_provide_it(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(FileNotFoundError, match=r"no-such-org/no-such-model.*local directory.*cache"):
        HfTeacher(HfTeacherSettings(model="no-such-org/no-such-model"))


def test_identity_hashes_the_weights(model_dir):
    identity = hf_identity(HfTeacherSettings(model=model_dir))
    assert identity["teacher"] == model_dir and len(identity["weights_sha256"]) == 16


def test_length_sorted_batches_cover_every_index_longest_first():
    batches = list(length_sorted_batches([3, 9, 1, 7, 5], 2))
    assert [b.tolist() for b in batches] == [[1, 3], [4, 0], [2]]
