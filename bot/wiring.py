"""Slack-side wiring shared by the entry point and the end-to-end tests:
settings → Web API client → services (with the drill) → Bolt app → scheduler."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Callable

from slack_bolt import App

from bot.config import Settings
from bot.scheduler import DrillScheduler
from bot.services import Services, build_services, utc_now
from bot.slack.app import create_app
from bot.slack.chat import Admins, SlackChat
from bot.slack.client import make_posting_client, make_web_client


def build_slack(settings: Settings, clock: Callable[[], datetime] = utc_now, rng: random.Random | None = None) -> tuple[Services, App, DrillScheduler]:
    client = make_web_client(settings)
    chat = SlackChat(make_posting_client(settings), client)
    admins = Admins(client, settings.admin_user_ids)
    services = build_services(settings, chat=chat, is_admin=admins.is_admin, bot_in_channel=chat.bot_in_channel, clock=clock, rng=rng)
    app = create_app(services, client)
    scheduler = DrillScheduler(services.drills, clock, settings.drill_tick_seconds)  # type: ignore[arg-type]
    services.schedules.wake = scheduler.wake  # type: ignore[union-attr]
    return services, app, scheduler
