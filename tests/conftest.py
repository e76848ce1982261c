from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.composition import build_router
from tests.support.botserver import start_bot
from tests.support.slack_api import StubSlackApi

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"
SEED = ROOT / "content" / "ciso.md"


@pytest.fixture
def content_dir() -> Path:
    return CONTENT_DIR


@pytest.fixture
def router():
    return build_router(load_settings({"CONTENT_DIR": str(CONTENT_DIR)}), rng=random.Random(7))


@pytest.fixture
def stub_api():
    stub = StubSlackApi().start()
    yield stub
    stub.stop()


@pytest.fixture
def bot(stub_api):
    server = start_bot(stub_api, CONTENT_DIR, rng=random.Random(7))
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    from tests.support.db import database_url

    with database_url(request.param, tmp_path) as url:
        yield url
