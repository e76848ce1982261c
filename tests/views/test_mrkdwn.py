from __future__ import annotations

from bot.domain.markup import to_plain, unwrap_emphasis
from bot.domain.text import clean_user_text, normalize_key
from bot.views.mrkdwn import escape_mrkdwn, to_mrkdwn


def test_markdown_emphasis_becomes_slack_mrkdwn():
    assert to_mrkdwn("**EDR**の導入").replace("\u200b", "") == "*EDR*の導入"
    assert to_mrkdwn("*回答*です").replace("\u200b", "") == "_回答_です"
    assert to_mrkdwn("[NIST](https://www.nist.gov/)を参照") == "<https://www.nist.gov/|NIST>を参照"
    assert to_mrkdwn("`kubectl`") == "`kubectl`"


def test_content_cannot_ping_or_inject_links():
    assert to_mrkdwn("<!channel> & <@U123>") == "&lt;!channel&gt; &amp; &lt;@U123&gt;"
    assert "<" not in to_mrkdwn("[click](javascript:alert(1))")  # not a link: shown as text
    assert escape_mrkdwn("<!here> <https://evil|click>") == "&lt;!here&gt; &lt;https://evil|click&gt;"


def test_plain_and_unwrap():
    assert to_plain("**強調**と*斜体*") == "強調と斜体"
    assert unwrap_emphasis("**質問？**") == "質問？"
    assert unwrap_emphasis("*回答ポイント：A、B*") == "回答ポイント：A、B"


def test_user_text_is_cleaned_of_control_and_bidi_characters():
    assert clean_user_text("ci\u202eso\x00\n") == "ciso"
    assert len(clean_user_text("x" * 5000, limit=200)) == 200
    assert normalize_key("ＣＩＳＯ") == "ciso"
