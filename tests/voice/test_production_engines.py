"""The production engines behind the same interface. They need a model folder that cannot be
downloaded here, so without one (BOKBOT_STT_MODEL_PATH) they are skipped with the reason;
what runs everywhere is the configuration's refusal of a missing or absent model."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from channels.voice.audio import decode
from channels.voice.recognition import SpeechConfigurationError, recogniser_from_settings
from channels.voice.vocabulary import vocabulary_from_names
from ledger.settings import Settings
from tests.voice.speech import spoken


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


@pytest.mark.parametrize("engine", ["faster-whisper", "vosk"])
def test_a_production_engine_without_a_model_folder_is_a_configuration_error(engine: str, tmp_path: Path) -> None:
    with pytest.raises(SpeechConfigurationError, match="BOKBOT_STT_MODEL_PATH"):
        recogniser_from_settings(settings(stt=engine))
    with pytest.raises(SpeechConfigurationError, match="not a folder"):
        recogniser_from_settings(settings(stt=engine, stt_model_path=tmp_path / "missing"))


def test_an_unknown_engine_is_a_configuration_error() -> None:
    with pytest.raises(SpeechConfigurationError, match="must be one of"):
        recogniser_from_settings(settings(stt="siri"))


@pytest.mark.parametrize(
    ("engine", "module", "extra"), [("faster-whisper", "faster_whisper", "whisper"), ("vosk", "vosk", "vosk")]
)
def test_a_production_engine_hears_a_command_with_its_model(engine: str, module: str, extra: str) -> None:
    model = Settings().stt_model_path
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (pip install '.[{extra}]')")
    if model is None or Settings().stt != engine:
        pytest.skip(f"no {engine} model here: set BOKBOT_STT={engine} and BOKBOT_STT_MODEL_PATH to a model folder")
    recogniser = recogniser_from_settings(Settings())
    transcript = recogniser.transcribe(decode(spoken("hva er saldoen", "nb")), vocabulary_from_names([], [], []))
    assert "saldo" in transcript.text.lower()
