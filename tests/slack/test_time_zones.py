"""A member's time zone comes from their Slack profile (users.info `tz`), cached; when Slack cannot
say, the caller uses DEFAULT_TIMEZONE, and a failure is not remembered."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.slack.chat import Profiles, TimeZones


def zones_for(stub_api, profiles: dict[str, dict]) -> TimeZones:
    stub_api.handlers["users.info"] = lambda call: {
        "ok": True,
        "user": {"id": call.params["user"], **profiles.get(call.params["user"], {})},
    }
    clock = [0.0]
    zones = TimeZones(Profiles(WebClient(token="xoxb-test", base_url=stub_api.api_url), ttl=60, monotonic=lambda: clock[0]))
    zones.clock_ = clock
    return zones


def test_profile_zone_is_used_and_asked_once_within_the_cache_time(stub_api):
    zones = zones_for(stub_api, {"UTOKYO001": {"tz": "Asia/Tokyo"}})
    assert zones.of("UTOKYO001") == "Asia/Tokyo"
    assert zones.of("UTOKYO001") == "Asia/Tokyo"
    assert len(stub_api.calls_to("users.info")) == 1
    zones.clock_[0] = 61  # the cache ran out: Slack is asked again
    assert zones.of("UTOKYO001") == "Asia/Tokyo"
    assert len(stub_api.calls_to("users.info")) == 2


def test_no_zone_or_an_unknown_one_means_the_default(stub_api):
    zones = zones_for(stub_api, {"UNOZONE01": {}, "UMARS0001": {"tz": "Mars/Olympus"}})
    assert zones.of("UNOZONE01") is None
    assert zones.of("UMARS0001") is None


def test_a_failed_lookup_falls_back_and_is_not_cached(stub_api):
    zones = zones_for(stub_api, {"UTOKYO001": {"tz": "Asia/Tokyo"}})
    stub_api.script("users.info", (500, {}, {"ok": False, "error": "internal_error"}))
    assert zones.of("UTOKYO001") is None
    assert zones.of("UTOKYO001") == "Asia/Tokyo"  # asked again, and answered this time


def test_when_slack_fails_a_zone_seen_before_is_kept_rather_than_the_default(stub_api):
    """A member's local day must not flip between two presses because Slack did not answer once."""
    zones = zones_for(stub_api, {"UTOKYO001": {"tz": "Asia/Tokyo"}})
    assert zones.of("UTOKYO001") == "Asia/Tokyo"
    zones.clock_[0] = 61  # the cache ran out …
    stub_api.script("users.info", (500, {}, {"ok": False, "error": "internal_error"}))
    assert zones.of("UTOKYO001") == "Asia/Tokyo"  # … and Slack failed: the zone last seen is used


def test_the_admin_check_and_the_time_zone_share_one_users_info_call(stub_api):
    from bot.slack.chat import Admins

    zones = zones_for(stub_api, {"UOWNER001": {"tz": "Asia/Tokyo", "is_owner": True}})
    admins = Admins(zones.profiles, admin_ids=())
    assert admins.is_admin("UOWNER001") and zones.of("UOWNER001") == "Asia/Tokyo"
    assert len(stub_api.calls_to("users.info")) == 1
