"""Framework-free library of the method: plain Python, NumPy, pandas and PyTorch.

Nothing here imports Kedro or MLflow (an import-linter contract in ``pyproject.toml``
enforces it), so a researcher can use these functions in a notebook or another
pipeline framework.
"""
