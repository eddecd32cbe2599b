"""The media downloader against a real HTTP server on 127.0.0.1: good, missing, HTML, slow, truncated, big, flaky."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crowd_sentiment.core.download import DownloadSettings, MediaFolder, download_media_files

JPEG = b"\xff\xd8\xff\xe0" + b"x" * 2000
HITS: Counter = Counter()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def _send(self, status, kind, body, length=None):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 (http.server's name)
        HITS[self.path] += 1
        try:
            if self.path == "/good.jpg" or self.path == "/present.jpg":
                self._send(200, "image/jpeg", JPEG)
            elif self.path == "/html.jpg":
                self._send(200, "text/html; charset=utf-8", b"<html>rate limited</html>")
            elif self.path == "/slow.jpg":
                self._send(200, "image/jpeg", JPEG[:10], length=len(JPEG))
                self.wfile.flush()
                time.sleep(1.0)
            elif self.path == "/truncated.jpg":
                self._send(200, "image/jpeg", JPEG[:100], length=len(JPEG))
                self.close_connection = True
            elif self.path == "/big.jpg":
                self._send(200, "image/jpeg", JPEG, length=10**9)
            elif self.path == "/flaky.jpg":
                status = 503 if HITS[self.path] == 1 else 200
                self._send(status, "image/jpeg", JPEG)
            else:
                self.send_error(404)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    stopper = threading.Timer(60, httpd.shutdown)  # stops itself even if the test hangs
    stopper.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    stopper.cancel()
    httpd.shutdown()
    httpd.server_close()


def test_downloads_good_files_records_every_failure_and_resumes(server, tmp_path):
    names = ["good", "missing", "html", "slow", "truncated", "big", "flaky", "present"]
    jobs = {f"{n}.jpg": f"{server}/{n}.jpg" for n in names}
    jobs["bad_scheme.jpg"] = "ftp://127.0.0.1/x.jpg"
    folder = MediaFolder(tmp_path / "media")
    folder.write("present.jpg", b"already here")
    (tmp_path / "media" / ".good.jpg.abc.tmp").write_bytes(b"left by a killed run")
    settings = DownloadSettings(workers=4, timeout_s=0.5, retries=1, backoff_s=0.01, max_bytes=100_000)
    failures = download_media_files(jobs, folder, settings)
    assert {f.item_id: f.reason for f in failures} == {
        "missing.jpg": "http_404",
        "html.jpg": "not_an_image",
        "slow.jpg": "timeout",
        "truncated.jpg": "truncated",
        "big.jpg": "too_large",
        "bad_scheme.jpg": "bad_url",
    }
    assert sorted(p.name for p in (tmp_path / "media").iterdir()) == ["flaky.jpg", "good.jpg", "present.jpg"]
    assert (
        (tmp_path / "media" / "good.jpg").read_bytes()
        == JPEG
        == (tmp_path / "media" / "flaky.jpg").read_bytes()
    )
    assert HITS["/present.jpg"] == 0 and HITS["/flaky.jpg"] == 2  # resumed; retried after a 503
    assert HITS["/missing.jpg"] == 1 and HITS["/truncated.jpg"] == 2  # 404 is final, truncation retried
    again = download_media_files({"good.jpg": jobs["good.jpg"]}, folder, settings)
    assert again == [] and HITS["/good.jpg"] == 1  # present files are never fetched again


def test_the_media_download_pipeline_fetches_the_photos_of_kept_tweets(server, tmp_path, run_slice):
    from crowd_sentiment.params import IngestionParams
    from crowd_sentiment.pipelines.ingestion import create_download_pipeline

    line = {
        "data": {"id": "1", "text": "look at this", "attachments": {"media_keys": ["3_1", "3_2"]}},
        "includes": {"media": [{"media_key": "3_1", "type": "photo", "url": f"{server}/good.jpg"},
                               {"media_key": "3_2", "type": "photo", "url": f"{server}/gone.jpg"}]},
    }  # fmt: skip
    params = IngestionParams(download={"timeout_s": 2.0, "retries": 0})
    outputs = run_slice(
        create_download_pipeline(),
        {"tweet_dumps": {"d.jsonl": lambda: json.dumps(line)}, "media_folder": MediaFolder(tmp_path),
         "params:ingestion": params},
    )  # fmt: skip
    assert (tmp_path / "3_1.jpg").read_bytes() == JPEG
    failures = outputs["media_download_failures"]
    assert list(zip(failures["item_id"], failures["reason"])) == [("3_2.jpg", "http_404")]
