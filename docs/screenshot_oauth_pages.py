"""Screenshots of the OAuth install pages, as a real browser shows them: run by hand, not by CI.

    python docs/screenshot_oauth_pages.py

writes the install page, the success page and a failure page (a used or expired link) from
bot/views/oauth_pages.py to temporary HTML files, opens each in headless Chromium, and saves
docs/oauth-install.png, docs/oauth-success.png and docs/oauth-failure.png.

Needs Chromium and a Japanese font, from Debian's packages:

    apt-get install -y chromium fonts-noto-cjk

Without fonts-noto-cjk (or another CJK font) the Japanese text renders as empty boxes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.views.oauth_pages import failure_page, install_page, success_page  # noqa: E402

DOCS = ROOT / "docs"
WINDOW = "900,480"
EXAMPLE_AUTHORIZE_URL = "https://slack.com/oauth/v2/authorize?state=example-state&client_id=111.222&scope=commands,chat:write&user_scope="
PAGES = {
    "oauth-install.png": install_page(EXAMPLE_AUTHORIZE_URL),
    "oauth-success.png": success_page("面接対策勉強会", "T0EXAMPLE"),
    "oauth-failure.png": failure_page("invalid_state"),
}


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit("Chromium is not installed: apt-get install -y chromium fonts-noto-cjk")


def main() -> int:
    browser = chromium()
    with tempfile.TemporaryDirectory() as scratch:
        for png, html in PAGES.items():
            page = Path(scratch) / png.replace(".png", ".html")
            page.write_text(html, encoding="utf-8")
            target = DOCS / png
            subprocess.run(
                [
                    browser,
                    "--headless",
                    "--no-sandbox",  # root in a container has no user namespace for the sandbox
                    "--disable-gpu",
                    "--hide-scrollbars",
                    f"--user-data-dir={Path(scratch) / 'profile'}",
                    f"--window-size={WINDOW}",
                    f"--screenshot={target}",
                    page.as_uri(),
                ],
                check=True,
                capture_output=True,
                timeout=60,
            )
            print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
