"""A modal's private_metadata, sealed with an HMAC so that a submission cannot name another user,
channel, question or version than the form was opened with: the schedule editor's (who opened the
form, for which channel, against which version of its schedule), and the question form's (who, in
which mode, for which question at which version), each under a key of its own.

Slack hands private_metadata back as it was set, but the submission itself is only as trustworthy
as its signature: anyone holding a signed request to replay could change the JSON. The seal is
HMAC-SHA256 over the metadata with a key derived from the app's signing secret (never logged).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime

from bot.commands.schedule_editor import FormMetadata

_PURPOSE = b"career-drill schedule editor v1"
QUESTION_FORMS = b"career-drill question form v1"  # the purpose of the question form's sealer
_SEPARATOR = "|"
MAX_METADATA = 3000  # Slack's limit on private_metadata


class Sealer:
    def __init__(self, secret: str, purpose: bytes = _PURPOSE):
        # A key of its own, so the signing secret itself never signs anything but Slack's requests;
        # one per purpose, so one form's metadata never opens another's.
        self._key = hmac.new(secret.encode(), purpose, hashlib.sha256).digest()

    def _mac(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()

    def seal(self, metadata: FormMetadata) -> str:
        return self.seal_data(
            {"u": metadata.user_id, "c": metadata.channel_id, "v": metadata.version.isoformat() if metadata.version else None}
        )

    def seal_data(self, data: dict) -> str:
        payload = json.dumps(data, separators=(",", ":"))
        return f"{payload}{_SEPARATOR}{self._mac(payload)}"

    def open_data(self, sealed: object) -> dict | None:
        """What seal_data sealed, or None when it is missing, unsigned, altered or malformed."""
        if not isinstance(sealed, str) or len(sealed) > MAX_METADATA:
            return None
        payload, separator, mac = sealed.rpartition(_SEPARATOR)
        if not separator or not hmac.compare_digest(mac.encode(), self._mac(payload).encode()):
            return None
        try:
            data = json.loads(payload)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def open(self, sealed: object) -> FormMetadata | None:
        """The metadata, or None when it is missing, unsigned, altered or malformed."""
        data = self.open_data(sealed)
        if data is None:
            return None
        try:
            user, channel, version = data["u"], data["c"], data["v"]
            if not isinstance(user, str) or not (channel is None or isinstance(channel, str)):
                return None
            return FormMetadata(user, channel, datetime.fromisoformat(version) if version is not None else None)
        except (ValueError, KeyError, TypeError):
            return None
