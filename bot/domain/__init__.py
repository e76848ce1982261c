"""Pure rules: no Slack, database or scheduler imports live here."""
