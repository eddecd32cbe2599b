"""Wiring of the benchmarking pipeline."""

from kedro.pipeline import Node, Pipeline

from crowd_sentiment.pipelines.benchmarking.nodes import (
    confirm_benchmark_images,
    draw_accuracy,
    draw_confusion_matrices,
    draw_example_pictures,
    draw_reliability,
    draw_roc_curves,
    predict_benchmarks,
    run_kfold_protocols,
    score_benchmarks,
    track_benchmark_metrics,
    write_benchmark_report,
)


def create_pipeline(**kwargs) -> Pipeline:
    student_inputs = ["student_model", "guarded_benchmark_images", "image_feature_cache", "params:benchmarking"]
    figures = [  # (node, inputs, 08_reporting figure)
        (draw_roc_curves, "benchmark_predictions", "benchmark_roc_curves"),
        (draw_reliability, "benchmark_predictions", "student_reliability"),
        (draw_accuracy, ["benchmark_metrics", "params:benchmarking"], "benchmark_accuracy"),
        (draw_example_pictures, "benchmark_predictions", "benchmark_examples"),
    ]
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
                draw_confusion_matrices,
                inputs="benchmark_predictions",
                outputs="benchmark_confusion_matrix",
                name="draw_confusion_matrices",
            ),
            *[Node(draw, inputs=inputs, outputs=figure, name=draw.__name__) for draw, inputs, figure in figures],
            Node(
                write_benchmark_report,
                inputs=["benchmark_metrics", "params:benchmarking", "settings_selection"],
                outputs="benchmark_report",
                name="write_benchmark_report",
            ),
        ],
        tags="benchmarking",
    )
