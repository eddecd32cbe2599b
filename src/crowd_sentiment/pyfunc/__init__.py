"""The MLflow pyfunc model file of the student (``student_model.py``), shipped as code, never imported here."""
