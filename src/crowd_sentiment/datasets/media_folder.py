"""The media folder as a Kedro dataset the downloader writes into."""

from __future__ import annotations

from crowd_sentiment.core.download import MediaFolder
from crowd_sentiment.datasets.feature_cache import FolderHandleDataset


class MediaFolderDataset(FolderHandleDataset):
    """Loads a :class:`MediaFolder` (the folder is created when missing); the downloader writes through it."""

    handle = MediaFolder
    what = "the media folder (written file by file by the download node)"

    def load(self) -> MediaFolder:
        self._path.mkdir(parents=True, exist_ok=True)
        return super().load()

    def _exists(self) -> bool:
        return self._path.is_dir()
