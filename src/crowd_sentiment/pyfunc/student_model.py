"""The student as an MLflow pyfunc (an MLflow "model from code" file, copied into every logged model).

It imports MLflow and, from the model's own ``code/`` folder, ``portable_student``: nothing
from ``crowd_sentiment``, so the logged model loads wherever its requirements install.
Input: a DataFrame with a column ``image`` of encoded picture bytes (JPEG, PNG, WebP, GIF),
one picture per row. Output: ``p_negative, p_neutral, p_positive`` (summing to 1) and
``label`` (the most probable class).
"""

import mlflow
import pandas as pd
from mlflow.models import set_model


class StudentModel(mlflow.pyfunc.PythonModel):
    """Rebuilds the student from the ``student`` artifact and scores picture bytes on CPU."""

    def load_context(self, context):
        import portable_student  # the model's code/ folder is on sys.path when MLflow loads it

        self.student = portable_student.PortableStudent.load(context.artifacts["student"])

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        return self.student.predict_frame(model_input)


set_model(StudentModel())
