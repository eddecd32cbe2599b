"""Downloading media URLs into the media folder: bounded, timed out, retried, size- and type-checked, resumable.

Each URL is fetched by one of ``workers`` threads. A response must be ``200`` with a
``Content-Type`` of ``image/...`` and at most ``max_bytes`` long; the whole fetch must end
within ``timeout_s`` (a server that trickles bytes is cut off). Timeouts, connection
errors, truncated bodies, ``429`` and ``5xx`` are retried ``retries`` times, waiting
``backoff_s × 2^attempt`` s; other HTTP errors are final. Files are written atomically,
files already present are never fetched again, and every failure is a rejection row
(``item_kind`` ``image``, ``item_id`` the file name).
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pydantic import Field

from crowd_sentiment.core.files import atomic_write_bytes, remove_temp_files
from crowd_sentiment.core.rejections import Rejection
from crowd_sentiment.core.settings import Settings

STAGE = "download"
_CHUNK = 64 * 1024


class DownloadSettings(Settings):
    """How media URLs are fetched (``ingestion.download``)."""

    workers: int = Field(8, ge=1, le=64)  # concurrent requests
    timeout_s: float = Field(30.0, gt=0)  # for the whole fetch of one file
    retries: int = Field(3, ge=0)  # extra tries after a timeout, connection error, 429 or 5xx
    backoff_s: float = Field(1.0, ge=0)  # wait before retry n: backoff_s * 2**n
    max_bytes: int = Field(20_000_000, ge=1)  # larger responses are refused
    user_agent: str = "crowd-sentiment-media-fetcher/1"


class DownloadError(Exception):
    """A failed fetch; ``retry`` says whether another try may succeed."""

    def __init__(self, reason: str, detail: str, retry: bool):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail, self.retry = reason, detail[:200], retry


class MediaFolder:
    """The folder of downloaded media files (flat, ``<media_key><ext>``)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (self.root / name).is_file()

    def write(self, name: str, data: bytes) -> None:
        """Store a file atomically."""
        atomic_write_bytes(self.root / name, data)


def fetch(url: str, settings: DownloadSettings) -> bytes:
    """The body of ``url``; raises :class:`DownloadError` (reason codes in the module docstring)."""
    if not url.startswith(("http://", "https://")):
        raise DownloadError("bad_url", f"not an http(s) URL: {url!r}", retry=False)
    deadline = time.monotonic() + settings.timeout_s
    request = urllib.request.Request(url, headers={"User-Agent": settings.user_agent})
    try:
        with urllib.request.urlopen(request, timeout=settings.timeout_s) as response:
            kind = response.headers.get_content_type()
            if not kind.startswith("image/"):
                raise DownloadError("not_an_image", f"Content-Type {kind}", retry=False)
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > settings.max_bytes:
                raise DownloadError(
                    "too_large", f"{length} bytes > max_bytes={settings.max_bytes}", retry=False
                )
            return _read_body(response, settings.max_bytes, deadline, length)
    except DownloadError:
        raise
    except urllib.error.HTTPError as err:
        raise DownloadError(
            f"http_{err.code}", str(err.reason), retry=err.code == 429 or err.code >= 500
        ) from None
    except TimeoutError as err:
        raise DownloadError("timeout", str(err) or "timed out", retry=True) from None
    except http.client.IncompleteRead as err:
        raise DownloadError("truncated", f"{len(err.partial)} bytes, more expected", retry=True) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as err:
        raise DownloadError("connection_error", f"{type(err).__name__}: {err}", retry=True) from None


def _read_body(response, max_bytes: int, deadline: float, length: str | None) -> bytes:
    chunks, size = [], 0
    read = getattr(response, "read1", response.read)
    while chunk := read(_CHUNK):
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise DownloadError("too_large", f"more than max_bytes={max_bytes}", retry=False)
        if time.monotonic() > deadline:
            raise DownloadError("timeout", f"not complete after the deadline ({size} bytes read)", retry=True)
    if length and length.isdigit() and size != int(length):
        raise DownloadError("truncated", f"{size} of {length} bytes", retry=True)
    return b"".join(chunks)


def fetch_with_retries(url: str, settings: DownloadSettings) -> bytes:
    """:func:`fetch`, retried with exponential backoff while the error allows it."""
    for attempt in range(settings.retries + 1):
        try:
            return fetch(url, settings)
        except DownloadError as err:
            if not err.retry or attempt == settings.retries:
                raise
            time.sleep(settings.backoff_s * 2**attempt)
    raise AssertionError("unreachable")


def download_media_files(
    jobs: Mapping[str, str], folder: MediaFolder, settings: DownloadSettings
) -> list[Rejection]:
    """Fetch ``{file name: url}`` into ``folder`` (present files skipped); the failures, sorted by file name."""
    folder.root.mkdir(parents=True, exist_ok=True)
    remove_temp_files(folder.root)
    pending = sorted(name for name in jobs if name not in folder)

    def one(name: str) -> Rejection | None:
        try:
            folder.write(name, fetch_with_retries(jobs[name], settings))
        except DownloadError as err:
            return Rejection(STAGE, "image", name, err.reason, f"{jobs[name]}: {err.detail}")
        return None

    with ThreadPoolExecutor(max_workers=settings.workers) as pool:
        return [r for r in pool.map(one, pending) if r is not None]
