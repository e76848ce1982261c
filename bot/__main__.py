"""Entry point: `python -m bot [web|socket|console|check-content]`. Wiring only."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Interview-drill Slack bot.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("web", help="serve Slack's HTTP requests on $PORT (the Procfile's web process)")
    sub.add_parser("socket", help="connect to Slack with Socket Mode (needs SLACK_APP_TOKEN)")
    console = sub.add_parser("console", help="try the bot in this terminal, without Slack")
    console.add_argument("commands", nargs="*", help="commands to run instead of reading the terminal, e.g. '/career ciso'")
    sub.add_parser("migrate", help="upgrade the database schema to the newest revision (the Procfile's release step)")
    check = sub.add_parser("check-content", help="validate role documents and print a per-file report")
    check.add_argument("directory", nargs="?", help="directory of role documents (default: CONTENT_DIR or content/)")
    check.add_argument("--strict", action="store_true", help="fail on warnings too (what CI runs)")
    check.add_argument(
        "--database",
        metavar="URL",
        help="also warn about question ids that this database's drill history refers to but the content no longer has (read only)",
    )
    return parser


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # slack_sdk and Bolt log message bodies at DEBUG: never below INFO (see bot.slack.client).
    logging.getLogger("slack_sdk").setLevel(max(logging.INFO, logging.getLevelName(settings.log_level)))
    logging.getLogger("slack_bolt").setLevel(max(logging.INFO, logging.getLevelName(settings.log_level)))
    # APScheduler logs two INFO lines per tick (about 17,000 a day); our tick logs what it did.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLevelName(settings.log_level)))
    # Alembic announces its plugins and context on every start; an upgrade that ran says so itself.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLevelName(settings.log_level)))
    # Bolt warns that SLACK_BOT_TOKEN is unused whenever it is in the environment and a client is
    # given: we give the client on purpose (it carries SLACK_API_URL and the retry handlers).
    logging.getLogger("slack_bolt.App").addFilter(lambda record: "`token` will be unused" not in record.getMessage())


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        command = args.command or ("socket" if settings.socket_mode else "web")
        if command == "check-content":
            from bot.composition import default_analyser
            from bot.content.report import check_content

            directory = Path(args.directory) if args.directory else settings.content_dir
            return check_content(directory, strict=args.strict, database_url=args.database, today=date.today(), analyse=default_analyser())
        if command == "console":
            logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
            from bot.console_app import run_console

            return run_console(settings, args.commands)
        _configure_logging(settings)
        if command == "migrate":
            return _migrate(settings)
        if command == "web":
            _require_slack(settings, args.command is None)
            settings.require_http()
            return _run_web(settings)
        _require_slack(settings, args.command is None)
        settings.require_socket()
        return _run_socket(settings)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _migrate(settings: Settings) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.store.db import make_engine, schema_revision, upgrade

    engine = make_engine(settings.database_url)
    try:
        before = schema_revision(engine)
        upgrade(engine, settings.database_url, content_dir=settings.content_dir)
        after = schema_revision(engine)
    except SQLAlchemyError as exc:
        raise _unusable_database(exc) from None
    finally:
        engine.dispose()
    log = logging.getLogger("bot")
    if before is None:
        log.info("created the database schema at revision %s", after)
    elif before != after:
        log.info("upgraded the database schema from revision %s to %s", before, after)
    else:
        log.info("the database schema is up to date (revision %s)", after)
    return 0


def _require_slack(settings: Settings, implicit: bool) -> None:
    if implicit and not settings.bot_token and not settings.oauth_mode:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set, so there is no Slack to connect to. "
            "To try the bot without Slack, run `python -m bot console`; `python -m bot --help` lists every command."
        )


def _build_slack(settings: Settings):
    import json

    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError
    from sqlalchemy.exc import SQLAlchemyError

    from bot.composition import build_slack_bot

    try:
        return build_slack_bot(settings)
    except SQLAlchemyError as exc:
        raise _unusable_database(exc) from None
    except json.JSONDecodeError:
        raise ConfigError(
            f"SLACK_API_URL ({settings.slack_api_url}) did not answer like Slack's Web API (the answer was not JSON): check the URL."
        ) from None
    except (BoltError, SlackApiError) as exc:
        if _not_json(exc):
            raise ConfigError(
                f"SLACK_API_URL ({settings.slack_api_url}) did not answer like Slack's Web API (the answer was not JSON): check the URL."
            ) from None
        raise ConfigError(f"Slack did not accept SLACK_BOT_TOKEN at {settings.slack_api_url} ({_reason(exc)}).") from None
    except OSError as exc:
        raise ConfigError(f"Slack's Web API at {settings.slack_api_url} (SLACK_API_URL) cannot be reached ({exc}).") from None


def _unusable_database(exc: Exception) -> ConfigError:
    return ConfigError(f"the database at DATABASE_URL cannot be used ({type(exc).__name__}: {str(exc).splitlines()[0]}).")


def _not_json(exc: Exception) -> bool:
    text = str(exc)
    cause = exc.__cause__ or exc.__context__
    # slack_sdk turns an answer that is not JSON (a proxy's or a web server's HTML page) into
    # {"ok": false, "error": "Received a response in a non-JSON format: …"}.
    return "non-JSON" in text or "JSONDecodeError" in text or type(cause).__name__ == "JSONDecodeError"


def _reason(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if response is not None and hasattr(response, "get"):
        return str(response.get("error", "unknown error"))
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _run_web(settings: Settings) -> int:
    from bot.composition import build_web_app
    from bot.web import serve

    slack = _build_slack(settings)
    # The ticker's thread must start in each worker, after gunicorn forks it, and the worker must
    # not share the database connections the parent opened for the schema upgrade.
    serve(build_web_app(slack), port=settings.port, workers=settings.web_concurrency, on_worker_start=slack.bot.start_in_worker)
    return 0


def _run_socket(settings: Settings) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    slack = _build_slack(settings)
    slack.bot.ticker.start()
    try:
        SocketModeHandler(slack.app, settings.app_token).start()
    finally:
        slack.bot.ticker.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
