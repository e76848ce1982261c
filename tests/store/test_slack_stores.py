"""slack_sdk's SQLAlchemy installation and OAuth state stores work on the schema Alembic creates
(migration 0007), on SQLite and PostgreSQL, with the SQLAlchemy this project pins: nothing is
created at run time."""

from __future__ import annotations

from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import inspect

from bot.store.db import make_engine, upgrade


def test_installations_and_states_round_trip_on_the_migrated_schema(db_url):
    engine = make_engine(db_url)
    try:
        upgrade(engine, db_url)
        assert {"slack_bots", "slack_installations", "slack_oauth_states"} <= set(inspect(engine).get_table_names())
        store = SQLAlchemyInstallationStore(client_id="111.222", engine=engine)
        for team, token in (("T0000A", "xoxb-a-not-real"), ("T0000B", "xoxb-b-not-real")):
            store.save(
                Installation(
                    app_id="A0001",
                    team_id=team,
                    team_name=team,
                    user_id="U0INSTALL",
                    bot_token=token,
                    bot_id="B" + team,
                    bot_user_id="UBOT" + team,
                    bot_scopes=["chat:write", "commands"],
                )
            )
        assert store.find_bot(enterprise_id=None, team_id="T0000A").bot_token == "xoxb-a-not-real"
        assert store.find_bot(enterprise_id=None, team_id="T0000B").bot_token == "xoxb-b-not-real"
        store.delete_installation(enterprise_id=None, team_id="T0000B")
        store.delete_bot(enterprise_id=None, team_id="T0000B")
        assert store.find_bot(enterprise_id=None, team_id="T0000B") is None
        assert store.find_bot(enterprise_id=None, team_id="T0000A") is not None

        states = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
        state = states.issue()
        assert states.consume(state) is True
        assert states.consume(state) is False  # a state is good once
        assert states.consume("forged-state") is False
    finally:
        engine.dispose()
