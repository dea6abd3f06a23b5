"""`tune`: recorded REPORT records -> summary, recommendation and props change; bad input -> exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambda_constructs.__main__ import main
from lambda_constructs.tune import parse_file, parse_message, recommend, summarise
from lambda_constructs.tune.recommend import percentile
from lambda_constructs.tune.reports import Report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tune"


def report(duration: float, used: int, *, size: int = 512, init: float | None = None) -> Report:
    return Report(
        duration_ms=duration, billed_duration_ms=duration, memory_size_mb=size, max_memory_used_mb=used,
        init_duration_ms=init,
    )  # fmt: skip


def test_recorded_json_records_are_summarised() -> None:
    reports = parse_file(FIXTURES / "filter-log-events.json")
    assert len(reports) == 20 and {r.log_stream for r in reports} == {"2026/11/29/[$LATEST]0a1b2c3d4e5f"}
    summary = summarise(reports)
    assert (summary.invocations, summary.cold_starts, summary.timeouts) == (20, 2, 0)
    assert (summary.p50_ms, summary.p95_ms, summary.p99_ms, summary.max_ms) == (12.7, 95.3, 210.55, 210.55)
    assert summary.max_memory_used_mb == 78 and summary.memory_sizes_mb == (512,)
    assert (summary.init_p50_ms, summary.init_max_ms) == (388.1, 412.8)


def test_text_report_lines_from_logs_tail_are_read_and_other_lines_skipped() -> None:
    reports = parse_file(FIXTURES / "tail.txt")
    assert [(r.duration_ms, r.max_memory_used_mb, r.memory_size_mb, r.init_duration_ms) for r in reports] == [
        (102.5, 300, 1024, 800.1),
        (2400.0, 310, 1024, None),
    ]
    assert parse_message('{"level": "INFO", "message": "REPORT is a word"}') is None


def test_nearest_rank_percentiles() -> None:
    values = list(range(1, 101))
    assert [percentile(values, p) for p in (50, 95, 99, 100)] == [50, 95, 99, 100]
    assert percentile([7.0], 99) == 7.0


@pytest.mark.parametrize(
    ("used", "headroom", "memory"),
    [
        (78, 0.2, 128),  # 93.6 MB -> 128 (64-MB multiple and Lambda's minimum)
        (310, 0.2, 384),  # 372 -> 384
        (320, 0.2, 384),  # exactly 384
        (321, 0.2, 448),
        (9000, 0.2, 10240),  # 10800 -> bounded by Lambda's 10240 MB maximum
        (300, 0.0, 320),
    ],
)
def test_memory_is_max_used_plus_headroom_in_64_mb_steps_within_lambdas_range(
    used: int, headroom: float, memory: int
) -> None:
    assert recommend(summarise([report(10, used)]), headroom=headroom).memory_size_mb == memory


@pytest.mark.parametrize(
    ("durations", "timeout"),
    [
        ([100.0] * 99 + [5000.0], 5),  # p99 100 ms -> 300 ms, but the longest (5 s) wins -> 5 s
        ([2400.0] * 100, 8),  # 3 × 2400 = 7200 ms -> 8 s
        ([10.0] * 100, 1),  # at least Lambda's 1 s minimum
        ([400_000.0] * 100, 900),  # 1200 s -> bounded by Lambda's 900 s maximum
    ],
)
def test_timeout_is_three_times_p99_and_at_least_the_longest(durations: list[float], timeout: int) -> None:
    assert recommend(summarise([report(d, 50) for d in durations])).timeout_s == timeout


def test_cli_prints_figures_reasoning_and_the_props_change(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tune", "orders", "--from-file", str(FIXTURES / "filter-log-events.json")]) == 0
    out = capsys.readouterr().out
    assert "Invocations: 20 (cold starts: 2, timeouts: 0)" in out
    assert "p50 12.7  p95 95.3  p99 210.6  max 210.6" in out
    assert "Init duration ms: p50 388.1  max 412.8" in out
    assert "Recommended memory_size: 128 MB (max memory used 78 MB + 20% headroom = 93.6 MB" in out
    assert "Recommended timeout: 1 s (3 × p99 (210.6 ms)" in out
    assert "    memory_size=128,  # was 512\n    timeout=Duration.seconds(1)," in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from-file", "README.md"], "no platform.report records or REPORT lines in README.md"),
        (["--from-file", "does-not-exist.json"], "cannot read does-not-exist.json"),
        (["--from-file", "x.json", "--alias", "Prod"], "--alias needs the Lambda API"),
        (["--since", "7 days", "--region", "us-east-1"], "--since '7 days' is not a duration"),
        (["--from-file", "x.json", "--headroom", "20"], "--headroom 20.0 must be between 0 and 4"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(FIXTURES.parents[2])
    assert main(["tune", "orders", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_a_platform_report_without_metrics_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps({"type": "platform.report", "record": {"requestId": "1", "status": "error"}}) + "\n")
    assert parse_file(path) == []


@pytest.mark.parametrize(
    ("logging_config", "pattern"),
    [
        ({"LogFormat": "JSON", "LogGroup": "/custom/orders"}, '{ $.type = "platform.report" }'),
        ({"LogFormat": "Text"}, '"REPORT RequestId"'),
        (None, None),  # an emulator without LoggingConfig: every event, parsed locally
    ],
)
def test_the_filter_pattern_follows_the_functions_log_format(
    logging_config: dict[str, str] | None, pattern: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lambda_constructs.tune import cli as tune_cli

    calls: list[dict[str, object]] = []
    message = json.dumps(
        {
            "type": "platform.report",
            "record": {"metrics": {"durationMs": 5, "billedDurationMs": 5, "memorySizeMB": 128, "maxMemoryUsedMB": 60}},
        }
    )

    class Paginator:
        def paginate(self, **query: object) -> list[dict[str, object]]:
            calls.append(query)
            return [{"events": [{"logStreamName": "2026/11/30/[$LATEST]x", "message": message}]}]

    class Lambda:
        meta = type("Meta", (), {"region_name": "us-east-1"})()

        def get_function_configuration(self, **request: str) -> dict[str, object]:
            config: dict[str, object] = {"FunctionName": request["FunctionName"], "Timeout": 30, "MemorySize": 128}
            if logging_config is not None:
                config["LoggingConfig"] = logging_config
            return config

    class Logs:
        def get_paginator(self, name: str) -> Paginator:
            assert name == "filter_log_events"
            return Paginator()

    monkeypatch.setattr(tune_cli, "_clients", lambda region: (Lambda(), Logs()))
    reports, source = tune_cli.fetch_reports("orders", alias=None, since_ms=3_600_000, region=None)
    assert len(reports) == 1 and source.timeout_s == 30
    assert calls[0].get("filterPattern") == pattern
    expected_group = (logging_config or {}).get("LogGroup", "/aws/lambda/orders")
    assert calls[0]["logGroupName"] == expected_group and f"log group {expected_group}" in source.description
