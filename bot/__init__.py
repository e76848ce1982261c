"""career-drill-bot: role lookups and a daily interview drill for Slack study groups."""
