"""Receipts are read by OCR a few at a time: a burst of photos waits its turn in the OCR
queue, in threads of the queue's own, so the gateway's other blocking work still gets a thread;
a reading given up while it waits is never started; the queue is as wide as
`BOKBOT_OCR_JOBS`, the CPU count unless set. The readings here are slow stand-ins that count
how many run at once (Tesseract itself is read in test_receipt_reading.py)."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from channels.receipts.ocr import OcrQueue, ocr_queue
from ledger.settings import Settings, get_settings


class SlowReadings:
    """A stand-in for `read_receipt` that takes `seconds` (or until `release` is set, when
    given), and remembers how many readings ran at once, in which threads and of what."""

    def __init__(self, seconds: float = 0.2, release: threading.Event | None = None) -> None:
        self.seconds = seconds
        self.release = release
        self.running = 0
        self.most_at_once = 0
        self.read: list[bytes] = []
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, data: bytes) -> str:
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self.read.append(data)
            self.threads.add(threading.current_thread().name)
        try:
            if self.release is not None:
                assert self.release.wait(10), "the test never let the reading finish"
            else:
                time.sleep(self.seconds)
            return f"Totalt {data.decode()}"
        finally:
            with self._lock:
                self.running -= 1


async def test_a_burst_of_receipts_is_read_at_most_the_queue_width_at_once() -> None:
    queue = OcrQueue(jobs=2)
    slow = SlowReadings(seconds=0.2)
    photos = [f"{n},00".encode() for n in range(6)]
    texts = await asyncio.gather(*(queue.run(slow, photo) for photo in photos))
    assert texts == [f"Totalt {n},00" for n in range(6)]  # each caller gets its own reading
    assert slow.most_at_once == 2
    assert sorted(slow.read) == sorted(photos)


async def test_the_gateway_still_gets_a_thread_while_receipts_wait_their_turn() -> None:
    queue = OcrQueue(jobs=1)
    release = threading.Event()
    slow = SlowReadings(release=release)
    burst = [asyncio.ensure_future(queue.run(slow, b"749,00")) for _ in range(40)]
    try:
        await asyncio.sleep(0.1)
        assert slow.running == 1
        # The books are read in the loop's default threads, which no reading waiting holds.
        started = time.monotonic()
        assert await asyncio.wait_for(asyncio.to_thread(lambda: "the books"), 2) == "the books"
        assert time.monotonic() - started < 1
    finally:
        release.set()
        await asyncio.gather(*burst)
    assert slow.most_at_once == 1 and len(slow.read) == 40
    assert all(name.startswith("receipt-ocr") for name in slow.threads)


async def test_a_reading_given_up_while_it_waits_is_never_started() -> None:
    queue = OcrQueue(jobs=1)
    release = threading.Event()
    slow = SlowReadings(release=release)
    first = asyncio.ensure_future(queue.run(slow, b"first"))
    await asyncio.sleep(0.05)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(queue.run(slow, b"given up"), 0.1)
    release.set()
    assert await first == "Totalt first"
    assert await queue.run(slow, b"after") == "Totalt after"
    assert slow.read == [b"first", b"after"]


def test_an_ocr_queue_reads_at_least_one_receipt_at_a_time() -> None:
    with pytest.raises(ValueError):
        OcrQueue(jobs=0)


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    """The process's settings and OCR queue read again, and forgotten after the test."""
    get_settings.cache_clear()
    ocr_queue.cache_clear()
    yield
    get_settings.cache_clear()
    ocr_queue.cache_clear()


def test_the_ocr_queue_is_as_wide_as_the_setting_and_the_cpu_count_unless_set(
    monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    monkeypatch.delenv("BOKBOT_OCR_JOBS", raising=False)
    assert Settings(_env_file=None).ocr_jobs == (os.cpu_count() or 1)  # type: ignore[call-arg]
    monkeypatch.setenv("BOKBOT_OCR_JOBS", "3")
    assert ocr_queue().jobs == 3
    assert ocr_queue() is ocr_queue()  # one queue for the whole process
    monkeypatch.setenv("BOKBOT_OCR_JOBS", "0")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)  # type: ignore[call-arg]
