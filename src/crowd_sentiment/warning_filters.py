"""Filters for upstream warnings that every run would print; each names its source.

Installed at ``kedro`` start-up (the ``kedro.init`` entry point in ``pyproject.toml``, before
Kedro loads kedro-mlflow's commands) and again by ``settings.py`` (notebooks, ``KedroSession``).
"""

import warnings


def install_warning_filters() -> None:
    """Ignore, by exact message and emitting module:

    - omegaconf's "register_new_resolver() is deprecated", from Kedro's OmegaConfigLoader
      (kedro/config/omegaconf_config.py, for its own resolvers and the project's ``env``) and
      from kedro-mlflow's hook (kedro_mlflow/framework/hooks/mlflow_hook.py, ``km.random_name``);
    - MLflow's "Add type hints to the `predict` method", raised when kedro-mlflow defines its
      KedroPipelineModel (kedro_mlflow/mlflow/kedro_pipeline_model.py), which this project never logs.
    """
    warnings.filterwarnings(
        "ignore", r"register_new_resolver\(\) is deprecated", UserWarning,
        r"kedro\.config\.omegaconf_config|kedro_mlflow\.framework\.hooks\.mlflow_hook",
    )  # fmt: skip
    show = warnings.showwarning

    def drop_type_hint_notice(message, category, filename, lineno, file=None, line=None):
        if "Add type hints to the `predict` method" not in str(message):
            show(message, category, filename, lineno, file, line)

    # MLflow emits it under its own simplefilter("once"), which overrides filters: drop it when
    # shown, and only while kedro-mlflow's class is defined (a model of ours would still warn)
    with warnings.catch_warnings():
        warnings.showwarning = drop_type_hint_notice
        import kedro_mlflow.mlflow.kedro_pipeline_model  # noqa: F401
