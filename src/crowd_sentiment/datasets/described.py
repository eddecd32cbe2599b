"""kedro-viz preview for the project's datasets that hold no table or picture: the catalog entry's description."""

from __future__ import annotations

import json
from typing import NewType

JSONPreview = NewType("JSONPreview", str)  # the name kedro-viz reads from the return annotation

_WHERE = ("filepath", "path", "root", "prefix")


class DescribedPreview:
    """Mixin: ``preview()`` gives ``metadata.description`` of the catalog entry and where the data lives.

    kedro-viz 12.5 shows no free-text field for a dataset, only its preview; ``kedro viz build
    --include-previews`` (``make viz``) shows this one as JSON in the dataset's side panel.
    """

    def preview(self) -> JSONPreview:
        described = {"description": ((getattr(self, "metadata", None) or {}).get("description") or "")}
        described |= {
            key: str(value) for key, value in self._describe().items() if key in _WHERE and value is not None
        }
        return JSONPreview(json.dumps(described))
