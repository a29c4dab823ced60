"""The off-hours scaler script that scheduling.yaml ships, run here against a fake API."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from croniter import croniter
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkhead.platform.model import Platform, effective_environment
from bulkhead.render.scheduling import SCRIPT, schedule
from tests.platform.strategies import minimal_platform_data

BERLIN = ZoneInfo("Europe/Berlin")
NIGHTS = {"schedule": "0 19 * * 1-5", "duration": 13 * 3600, "time_zone": "Europe/Berlin"}
WEEKEND = {"schedule": "0 19 * * 5", "duration": 61 * 3600, "time_zone": "Europe/Berlin"}
SCHEDULES = (
    "0 19 * * 1-5",
    "0 19 * * 5",
    "30 21 * * *",
    "*/15 8-17 * * mon-fri",
    "0 0 1,15 * *",
    "0 6 1 jan,jul *",
    "5 4 * * sun",
    "0 22 13 * 5",
)


def _script() -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "scaler_under_test"}
    exec(compile(SCRIPT, "off_hours.py", "exec"), namespace)
    return namespace


def _berlin(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(dt.UTC)


@pytest.mark.parametrize(
    ("moment", "parked"),
    [
        (_berlin(2026, 3, 2, 18, 59), False),  # Monday before the night window
        (_berlin(2026, 3, 2, 19, 0), True),
        (_berlin(2026, 3, 3, 7, 59), True),  # Tuesday morning, still in Monday's window
        (_berlin(2026, 3, 3, 8, 0), False),
        (_berlin(2026, 3, 7, 10, 0), True),  # Saturday: Friday's 61h weekend window
        (_berlin(2026, 3, 9, 7, 59), True),  # Monday morning, end of the weekend
        (_berlin(2026, 3, 9, 8, 0), False),
        (_berlin(2026, 3, 29, 12, 0), True),  # Sunday of the DST change
    ],
)
def test_windows(moment: dt.datetime, parked: bool) -> None:
    script = _script()
    assert any(script["window_open"](w, moment) for w in (NIGHTS, WEEKEND)) is parked


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(SCHEDULES),
    st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2030, 12, 31)),
)
def test_cron_matching_agrees_with_croniter(expression: str, moment: dt.datetime) -> None:
    moment = moment.replace(second=0, microsecond=0)
    matches = _script()["matcher"](expression)
    assert matches(moment) == croniter.match(expression, moment)


class FakeApi:
    def __init__(self, replicas: dict[str, int]) -> None:
        self.replicas = replicas
        self.patches: list[tuple[str, int]] = []

    def __call__(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        name = path.split("/")[-2]
        assert path.startswith("/apis/apps/v1/namespaces/nordfreight-dev/deployments/")
        if method == "PATCH":
            assert body is not None
            self.replicas[name] = body["spec"]["replicas"]
            self.patches.append((name, body["spec"]["replicas"]))
        return {"spec": {"replicas": self.replicas[name]}}


def test_the_rendered_schedule_drives_the_scaler(tmp_path: Path, capsys: Any) -> None:
    data = minimal_platform_data()
    data["tiers"]["shared-standard"]["environments"]["dev"]["off_hours"] = {
        "windows": [{"schedule": "0 19 * * 1-5", "duration": "13h", "time_zone": "Europe/Berlin"}]
    }
    env = effective_environment(Platform.model_validate(data), "nordfreight", "dev")
    text = schedule(env)
    config = json.loads(text)
    assert config["deployments"] == {
        "odoo-web": {"on": 1, "off": 0},
        "odoo-cron": {"on": 1, "off": 0},
    }
    (tmp_path / "schedule.json").write_text(text)
    script = _script()
    api = FakeApi({"odoo-web": 1, "odoo-cron": 1})
    script["SCHEDULE"] = str(tmp_path / "schedule.json")
    script["api"] = api
    script["main"](_berlin(2026, 3, 2, 22, 0))
    assert api.patches == [("odoo-web", 0), ("odoo-cron", 0)]
    script["main"](_berlin(2026, 3, 2, 23, 0))  # already parked: nothing to do
    assert len(api.patches) == 2
    script["main"](_berlin(2026, 3, 3, 9, 0))
    assert api.patches[2:] == [("odoo-web", 1), ("odoo-cron", 1)]
    assert "odoo-web: 0 -> 1 replicas" in capsys.readouterr().out
