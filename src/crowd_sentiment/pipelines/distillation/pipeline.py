"""Wiring of the distillation pipeline."""

from kedro.pipeline import Node, Pipeline

from crowd_sentiment.pipelines.distillation.nodes import draw_training_figures, track_training, train_student


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
                    "student_mlflow_model",
                ],
                name="train_student",
            ),
            Node(track_training, "training_history", "training_metrics", name="track_training"),
            Node(draw_training_figures, ["training_history", "params:distillation"], "training_figures",
                 name="draw_training_figures"),  # fmt: skip
        ],
        tags="distillation",
    )
