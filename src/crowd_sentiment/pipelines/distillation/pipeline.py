"""Wiring of the distillation pipeline."""

from kedro.pipeline import Node, Pipeline

from crowd_sentiment.pipelines.distillation.nodes import plot_training_curves, train_student


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                train_student,
                inputs=[
                    "distillation_manifest",
                    "tweet_image_store",
                    "image_feature_cache",
                    "training_checkpoints",
                    "params:distillation",
                ],
                outputs=[
                    "student_model",
                    "student_checkpoint",
                    "training_history",
                    "training_metrics",
                    "student_mlflow_model",
                ],
                name="train_student",
            ),
            Node(plot_training_curves, "training_history", "training_curves_plot", name="plot_training_curves"),
        ],
        tags="distillation",
    )
