"""Block Kit views: pure functions from data to messages within Slack's limits, and Slack's mrkdwn.
Slack shows them as they are; the console renders the same blocks as text (`plaintext`)."""
