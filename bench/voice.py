"""How fast the voice path is: the embedded recogniser's real-time factor, and the time from
the end of a spoken command to the first byte of the answer through `POST /api/v1/chat/voice`.

Run on demand (not a test):

    .venv/bin/python -m bench.voice
    .venv/bin/python -m bench.voice --rasa-url http://127.0.0.1:5005   # through a running Rasa

Commands are said by espeak-ng (about 3 seconds each, bokmål and English) with the demo
company's names. The real-time factor is recognition time over audio length, with the
language given and with the recogniser choosing it (as Telegram and the REST route do), after
one warm-up that builds the decoders. The answer time is measured against a gateway started
here on fresh SQLite books holding the demo company, from sending the whole voice note (the
speaker has stopped) to the answer's headers (the JSON is written in one piece, so its first
byte): hearing, the assistant's turn and the spoken reply. Without `--rasa-url` the assistant
is a stand-in that repeats the transcript, so the figure is the gateway's own share; with it,
Rasa's turn (NLU and custom actions) is included. Every figure is the median of `--runs` (5).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import socket
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, web
from sqlalchemy.orm import sessionmaker

from channels.app import create_app
from channels.voice.audio import decode
from channels.voice.sphinx_backend import PocketsphinxRecogniser
from channels.voice.synthesis import speak_wav, spoken_reply, to_ogg_opus
from channels.voice.vocabulary import company_vocabulary
from ledger.db import make_engine
from ledger.demo import create_demo_company
from ledger.migrate import upgrade
from ledger.settings import Settings

COMMANDS = {
    "nb": "fakturer Fjord Bygg for 5 timer",
    "en": "invoice Bergen Bakeri for 7 hours",
}
WORDS_PER_MINUTE = 140  # each command lasts about 3 seconds
REPLIES = {  # an answer of the usual length, for timing the spoken reply
    "nb": "Skal jeg fakturere Fjord Bygg AS for 5 timer, 4 250,00 kr? Svar ja eller nei.",
    "en": "Shall I invoice Bergen Bakeri AS for 7 hours, NOK 5,950.00? Answer yes or no.",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _spoken(language: str) -> bytes:
    return speak_wav(COMMANDS[language], language, voice_variant="+klatt", words_per_minute=WORDS_PER_MINUTE)


def stages(sessions: sessionmaker[Any], company_id: int, runs: int) -> None:
    """Prints where a voice note's time goes: decoding the OGG Opus note (ffmpeg), reading the
    company's names, hearing it (both languages' grammars, the language guessed as the routes
    do) and speaking a short answer (espeak-ng and ffmpeg), in wall-clock time and in CPU time
    (what each stage needs of an idle core: on a busy machine the wall clock mostly measures
    the other work)."""
    recogniser = PocketsphinxRecogniser()
    with sessions.begin() as session:
        vocabulary = company_vocabulary(session, company_id)
    for language in COMMANDS:
        note = to_ogg_opus(_spoken(language))
        recogniser.transcribe(decode(note, "ogg"), vocabulary, None, prefer=language)  # warm-up
        took: dict[str, list[float]] = {
            "decode": [], "decode (CPU)": [], "names": [], "hear": [], "hear (CPU)": [], "speak": [], "speak (CPU)": [],
        }
        for _ in range(runs):
            start, cpu = time.perf_counter(), _children_cpu()
            audio = decode(note, "ogg")
            took["decode"].append(time.perf_counter() - start)
            took["decode (CPU)"].append(_children_cpu() - cpu)
            start = time.perf_counter()
            with sessions.begin() as session:
                company_vocabulary(session, company_id)
            took["names"].append(time.perf_counter() - start)
            start, cpu = time.perf_counter(), time.process_time()
            recogniser.transcribe(audio, vocabulary, None, prefer=language)
            took["hear"].append(time.perf_counter() - start)
            took["hear (CPU)"].append(time.process_time() - cpu)  # what the recogniser needs of an idle core
            start, cpu = time.perf_counter(), _children_cpu()
            spoken_reply([REPLIES[language]], language)
            took["speak"].append(time.perf_counter() - start)
            took["speak (CPU)"].append(_children_cpu() - cpu)
        medians = {k: statistics.median(v) for k, v in took.items()}
        print(f"stages, {language}: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in medians.items()))
        cpu_total = medians["decode (CPU)"] + medians["names"] + medians["hear (CPU)"] + medians["speak (CPU)"]
        print(f"  CPU time of the stages together, {language}: {cpu_total:.2f} s (the answer time of an idle machine)")


def _children_cpu() -> float:
    """CPU seconds used so far by the subprocesses (ffmpeg, espeak-ng) this process waited for."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def real_time_factor(sessions: sessionmaker[Any], company_id: int, runs: int) -> None:
    """Prints the recogniser's real-time factor per language, told and guessing the language."""
    recogniser = PocketsphinxRecogniser()
    with sessions.begin() as session:
        vocabulary = company_vocabulary(session, company_id)
    for language in COMMANDS:
        audio = decode(_spoken(language), "wav", max_seconds=30.0)
        for hint in (language, None):
            recogniser.transcribe(audio, vocabulary, hint, prefer=language)  # warm-up: builds the decoders
            took = []
            for _ in range(runs):
                start = time.perf_counter()
                heard = recogniser.transcribe(audio, vocabulary, hint, prefer=language)
                took.append(time.perf_counter() - start)
            median = statistics.median(took)
            told = "language given " if hint else "language guessed"
            print(
                f"real-time factor {language}, {told}: {median / audio.seconds:.2f} "
                f"({median:.2f} s for {audio.seconds:.1f} s of speech; heard {heard.text!r})"
            )


async def _stand_in_assistant() -> tuple[web.AppRunner, str]:
    """An assistant that repeats what it was told (the gateway's share alone is measured)."""

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response([{"text": f"Du sa: {body['message']}"}])

    async def status(request: web.Request) -> web.Response:
        return web.json_response({"model_file": "stand-in"})

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/status", status)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


async def answer_time(database_url: str, token: str, rasa_url: str | None, runs: int) -> None:
    """Prints the median time from a finished voice note to the answer's first byte."""
    stand_in: web.AppRunner | None = None
    if rasa_url is None:
        stand_in, rasa_url = await _stand_in_assistant()
    port = _free_port()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=database_url, rasa_url=rasa_url, host="127.0.0.1", gateway_port=port,
        public_url="", allowed_origins=[], secret="voice-bench-secret",
    )
    runner = web.AppRunner(create_app(settings), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with ClientSession() as http:
            for language in COMMANDS:
                note = to_ogg_opus(_spoken(language))
                took = []
                for run in range(runs + 1):
                    start = time.perf_counter()
                    async with http.post(
                        f"http://127.0.0.1:{port}/api/v1/chat/voice",
                        data=note,
                        headers={"Authorization": f"Bearer {token}", "Content-Type": "audio/ogg"},
                        params={"message_id": f"bench-{language}-{run}-{time.time_ns()}"},
                    ) as response:
                        first_byte = time.perf_counter() - start
                        body = await response.json()
                    if response.status != 200:
                        raise SystemExit(f"the gateway answered {response.status}: {body}")
                    if run > 0:  # the first builds the decoders
                        took.append(first_byte)
                print(
                    f"end of speech to first answer byte, {language}: {statistics.median(took):.2f} s "
                    f"(heard {body['transcript']!r}, answered {body['messages'][0]['text']!r})"
                )
    finally:
        await runner.cleanup()
        if stand_in is not None:
            await stand_in.cleanup()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rasa-url", default=None, help="a running Rasa server; a stand-in when left out")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bokbot-voice-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'books.db'}"
        upgrade(url)
        engine = make_engine(url)
        sessions = sessionmaker(engine, expire_on_commit=False)
        with sessions.begin() as session:
            demo = create_demo_company(session)
            company_id, token = demo.company.id, demo.owner_token
        stages(sessions, company_id, args.runs)
        real_time_factor(sessions, company_id, args.runs)
        asyncio.run(answer_time(url, token, args.rasa_url, args.runs))
        engine.dispose()


if __name__ == "__main__":
    main()
