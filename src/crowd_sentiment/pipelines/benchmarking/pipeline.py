"""Wiring of the benchmarking pipeline."""

from kedro.pipeline import Node, Pipeline

from crowd_sentiment.pipelines.benchmarking.nodes import (
    confirm_benchmark_images,
    draw_benchmark_figures,
    predict_benchmarks,
    run_kfold_protocols,
    score_benchmarks,
    track_benchmark_metrics,
    write_benchmark_report,
)


def create_pipeline(**kwargs) -> Pipeline:
    student_inputs = ["student_model", "guarded_benchmark_images", "image_feature_cache", "params:benchmarking"]
    return Pipeline(
        [
            Node(
                confirm_benchmark_images,
                inputs=["benchmark_images", "params:benchmarking"],
                outputs="guarded_benchmark_images",
                name="confirm_benchmark_images",
            ),
            Node(predict_benchmarks, inputs=student_inputs, outputs="benchmark_predictions", name="predict_benchmarks"),
            Node(run_kfold_protocols, inputs=student_inputs, outputs="kfold_results", name="run_kfold_protocols"),
            Node(
                score_benchmarks,
                inputs=["benchmark_predictions", "kfold_results"],
                outputs="benchmark_metrics",
                name="score_benchmarks",
            ),
            Node(
                track_benchmark_metrics,
                inputs="benchmark_metrics",
                outputs="benchmark_scores",
                name="track_benchmark_metrics",
            ),
            Node(
                draw_benchmark_figures,
                inputs=["benchmark_predictions", "benchmark_metrics", "params:benchmarking"],
                outputs="benchmark_figures",
                name="draw_benchmark_figures",
            ),
            Node(
                write_benchmark_report,
                inputs=["benchmark_metrics", "params:benchmarking", "settings_selection"],
                outputs="benchmark_report",
                name="write_benchmark_report",
            ),
        ],
        tags="benchmarking",
    )
