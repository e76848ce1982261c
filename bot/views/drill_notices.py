"""What the admin who set a schedule is told by DM when its drill cannot be posted."""

from __future__ import annotations

from bot.views.mrkdwn import escape_mrkdwn


def post_failed(channel_id: str, code: str, needed: str | None) -> str:
    """Something the admin can fix (invite the bot, grant a scope): `code` is the chat service's
    error, `needed` the scope it named as missing."""
    failed = f"<#{channel_id}> にドリルを投稿できませんでした。"
    if code == "not_in_channel":
        return f"{failed}ボットがチャンネルに参加していません。チャンネルで `/invite @career-drill` を実行してボットを招待してください。"
    if code == "missing_scope":
        scope = f"`{escape_mrkdwn(needed)}` の権限" if needed else "必要な権限"
        return f"{failed}ボットに {scope}がありません。アプリの設定でこの権限を追加して、ワークスペースに再インストールしてください。"
    return f"{failed}（Slack の応答: `{escape_mrkdwn(code)}`）"


def channel_gone(channel_id: str, code: str) -> str:
    """The channel was archived (`is_archived`) or deleted: its schedule is paused, its records kept."""
    if code == "is_archived":
        return (
            f"<#{channel_id}> はアーカイブされているため、ドリルを投稿できませんでした。このチャンネルのドリルを一時停止しました（これまでの記録は残っています）。"
            "アーカイブを解除したら、チャンネルで `/career schedule resume` を実行すると再開します。"
        )
    return (
        f"<#{channel_id}> にドリルを投稿できませんでした。Slack でこのチャンネルが見つからないため（削除されたか、ボットがプライベートチャンネルから外された可能性があります）、"
        "このチャンネルのドリルを一時停止しました（これまでの記録は残っています）。別のチャンネルで続けるには、そのチャンネルで `/career schedule set` を実行してください。"
    )
