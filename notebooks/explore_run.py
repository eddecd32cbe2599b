# %% [markdown]
# # Explore a finished run
# Loads the outputs of the last `kedro run` through the project's data catalog and
# summarises them. Run it as a script from the project root
# (`.venv/bin/python notebooks/explore_run.py`), or cell by cell in any editor that
# understands `# %%` cells.

# %%
from pathlib import Path

from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

project = Path(__file__).resolve().parents[1] if "__file__" in globals() else Path.cwd()
bootstrap_project(project)
session = KedroSession.create(project_path=project)
catalog = session.load_context().catalog

# %% What was rejected at ingestion, by reason
rejected = catalog.load("rejected_inputs")
print(rejected.groupby(["item_kind", "reason"]).size().to_string(), "\n")

# %% How the teacher labelled the crowd
sentiment = catalog.load("tweet_sentiment")
scored = sentiment[["p_negative", "p_neutral", "p_positive"]].dropna()  # unscored tweets (excluded) have none
labels = scored.idxmax(axis=1).str.removeprefix("p_")
print("teacher argmax:", labels.value_counts().to_dict(), f"({len(sentiment) - len(scored)} tweets unscored)")

# %% What survived filtering
print("funnel:", catalog.load("filtering_funnel"))
manifest = catalog.load("distillation_manifest")
print(manifest.groupby(["split", "label"]).size().unstack(fill_value=0).to_string(), "\n")

# %% Training curve and benchmark scores
print(catalog.load("training_history").round(3).to_string(index=False), "\n")
metrics = catalog.load("benchmark_metrics")
# protocol: zero_shot (the student as trained) or kfold (its head fine-tuned per fold); one row each
columns = ["benchmark", "subset", "protocol", "n", "accuracy", "majority_rate", "macro_f1", "roc_auc"]
print(metrics[[c for c in columns if c in metrics]].round(3).to_string(index=False))
session.close()
