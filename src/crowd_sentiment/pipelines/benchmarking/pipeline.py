"""Wiring of the benchmarking pipeline."""

from kedro.pipeline import Node, Pipeline

from crowd_sentiment.pipelines.benchmarking.nodes import (
    load_benchmark_images,
    predict_benchmarks,
    run_kfold_protocols,
    score_benchmarks,
)


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                load_benchmark_images,
                inputs="params:benchmarking",
                outputs="benchmark_images",
                name="load_benchmark_images",
            ),
            Node(
                predict_benchmarks,
                inputs=["student_model", "benchmark_images", "image_feature_cache", "params:benchmarking"],
                outputs="benchmark_predictions",
                name="predict_benchmarks",
            ),
            Node(
                run_kfold_protocols,
                inputs=["student_model", "benchmark_images", "image_feature_cache", "params:benchmarking"],
                outputs="kfold_results",
                name="run_kfold_protocols",
            ),
            Node(
                score_benchmarks,
                inputs=["benchmark_predictions", "kfold_results", "params:benchmarking"],
                outputs=[
                    "benchmark_metrics",
                    "benchmark_scores",
                    "benchmark_confusion_matrix",
                    "benchmark_report",
                ],
                name="score_benchmarks",
            ),
        ],
        tags="benchmarking",
    )
