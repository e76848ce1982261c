"""Command routing: text or a button press → one use-case → a `Message`. Slack and the console
both talk to this; nothing here is Slack-specific I/O."""
