"""python -m lambda_constructs cost: idle monthly cost per stack and per function, from synthesized templates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_kms as kms

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.__main__ import main
from lambda_constructs.cost.estimate import SHARED, UNPRICED, estimate, price_resource
from lambda_constructs.cost.prices import DEFAULT_PRICES, load_prices
from lambda_constructs.service import LambdaService, LambdaServiceProps
from tests.helpers import new_app

CODE = "def handler(event, context):\n    return 1\n"


@pytest.fixture(scope="module")
def assembly() -> Path:
    """Top-level stack with two functions and hand-made billed resources, a Stage, and a sharded service."""
    app = new_app()
    stack = cdk.Stack(app, "Top")
    a = SecureFunction(stack, "A", SecureFunctionProps(inline_code=CODE, key_per_function=True))
    SecureFunction(stack, "B", SecureFunctionProps(inline_code=CODE))
    alarm = {"threshold": 1, "evaluation_periods": 1}
    # Single metric of A: A's. Metric math over two metrics of A: two billed metrics, A's.
    cw.Alarm(stack, "ErrorsOfA", metric=a.function.metric_errors(), **alarm)  # type: ignore[arg-type]
    rate = cw.MathExpression(
        expression="e / i", using_metrics={"e": a.function.metric_errors(), "i": a.function.metric_invocations()}
    )
    cw.Alarm(stack, "RateOfA", metric=rate, **alarm)  # type: ignore[arg-type]
    # High resolution, referencing no function: shared.
    fast = cw.Metric(namespace="Custom", metric_name="Fast", period=cdk.Duration.seconds(10))
    cw.Alarm(stack, "Fast", metric=fast, **alarm)  # type: ignore[arg-type]
    cw.CfnAlarm(
        stack,
        "Insights",
        comparison_operator="GreaterThanThreshold",
        evaluation_periods=1,
        threshold=1,
        metrics=[
            cw.CfnAlarm.MetricDataQueryProperty(
                id="q",
                expression='SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName)',
                period=60,
                return_data=True,
            )
        ],
    )
    cw.CfnCompositeAlarm(stack, "Composite", alarm_rule="ALARM(x)")
    cw.Dashboard(stack, "Board")
    kms.Key(stack, "Spare")

    stage = cdk.Stage(app, "Prod")
    SecureFunction(cdk.Stack(stage, "Inner"), "C", SecureFunctionProps(inline_code=CODE))

    svc_stack = cdk.Stack(app, "Svc")
    svc = LambdaService(svc_stack, "Orders", LambdaServiceProps(shards=2))
    for fid in ("one", "two", "three"):
        svc.add_function(fid, SecureFunctionProps(inline_code=CODE))
    return Path(app.synth().directory)


@pytest.fixture(scope="module")
def stacks(assembly: Path) -> dict[str, Any]:
    return {s.name: s for s in estimate(assembly, load_prices())}


def test_function_owns_its_key_and_the_alarms_on_its_metrics(stacks: dict[str, Any]) -> None:
    a = stacks["Top"].functions["Top/A"]
    assert a.lines["KMS keys"].units == 1
    assert a.lines["alarm metrics"].units == 3  # 1 single-metric alarm + 2 metrics of the math alarm
    assert a.usd == pytest.approx(1.00 + 0.30)


def test_unattributable_resources_are_shared(stacks: dict[str, Any]) -> None:
    shared = stacks["Top"].shared
    assert shared.lines["alarm metrics (high resolution)"].usd == pytest.approx(0.30)
    assert shared.lines["composite alarms"].usd == pytest.approx(0.50)
    assert shared.lines["dashboards"].usd == pytest.approx(3.00)
    assert shared.lines[UNPRICED].units == 1 and shared.lines[UNPRICED].usd == 0
    # "Spare" plus the stack's shared function key (B uses it).
    assert shared.lines["KMS keys"].units == 2
    assert "KMS keys" not in stacks["Top"].functions["Top/B"].lines


def test_stage_and_nested_stacks_are_read(stacks: dict[str, Any]) -> None:
    assert "Prod/Inner/C" in stacks["Prod/Inner"].functions
    svc = stacks["Svc"]
    assert (
        sorted(svc.functions) == sorted(p for p in svc.functions if p.rsplit("/", 1)[-1] in {"one", "two", "three"})
        and len(svc.functions) == 3
    )
    assert svc.total.lines["KMS keys"].units == 1  # the service's one key, in the parent stack


def test_price_override_file(tmp_path: Path, assembly: Path) -> None:
    prices = tmp_path / "p.json"
    prices.write_text(json.dumps({"kms_key": 2.5, "region": "eu-west-1", "date": "2027-01-01"}))
    table = load_prices(prices)
    assert (table["kms_key"], table.region, table.date) == (2.5, "eu-west-1", "2027-01-01")
    top = {s.name: s for s in estimate(assembly, table)}["Top"]
    assert top.functions["Top/A"].lines["KMS keys"].usd == 2.5


def test_bad_price_file_fails_with_the_fix(tmp_path: Path) -> None:
    bad = tmp_path / "p.json"
    bad.write_text(json.dumps({"kms": 1}))
    with pytest.raises(LambdaConstructsError, match=r"unknown price unit 'kms'.*kms_key"):
        load_prices(bad)
    bad.write_text(json.dumps({"kms_key": -1}))
    with pytest.raises(LambdaConstructsError, match="not a non-negative number"):
        load_prices(bad)
    # Python's json reads NaN, Infinity and 1e400 (inf): they printed "$nan/month" / "$inf/month".
    for text in ('{"kms_key": NaN}', '{"kms_key": Infinity}', '{"kms_key": 1e400}'):
        bad.write_text(text)
        with pytest.raises(LambdaConstructsError, match=r"kms_key is not a non-negative number \(got (nan|inf)\)"):
            load_prices(bad)


def test_anomaly_detection_alarm_bills_three_metrics() -> None:
    alarm = {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "Metrics": [
                {"Id": "m", "MetricStat": {"Metric": {"MetricName": "Errors"}, "Period": 60, "Stat": "Sum"}},
                {"Id": "b", "Expression": "ANOMALY_DETECTION_BAND(m, 2)"},
            ]
        },
    }
    assert price_resource(alarm, load_prices()) == [("alarm metrics", 3, pytest.approx(0.30))]
    assert price_resource({"Type": "AWS::SQS::Queue"}, load_prices()) == []


def test_cli_prints_stacks_functions_and_prices(assembly: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "--assembly", str(assembly)]) == 0
    out = capsys.readouterr().out
    assert "us-east-1 list prices of" in out and SHARED in out and "Top/A: $1.30" in out
    # One unit in the singular, more in the plural ("1 KMS keys" before).
    assert "Top/A: $1.30 — 1 KMS key $1.00, 3 alarm metrics $0.30" in out
    assert "2 KMS keys $2.00" in out  # the shared line of Top: "Spare" and the stack's function key
    assert "/month for 6 functions, $" in out
    assert main(["cost", "--assembly", str(assembly), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["prices"]["usd_per_month"]["kms_key"] == DEFAULT_PRICES["kms_key"]
    assert data["functions"] == 6
    assert data["stacks"]["Top"]["functions"]["Top/A"]["usd"] == pytest.approx(1.30)


def test_the_total_of_one_function_is_in_the_singular() -> None:
    from lambda_constructs.cost.cli import _count

    assert _count(1, "functions") == "1 function" and _count(2, "functions") == "2 functions"


def test_cli_without_assembly_fails_with_the_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "--assembly", str(tmp_path)]) == 2
    assert "run `cdk synth` first" in capsys.readouterr().err


def _trigger_dead_letter_queue_app(tmp_path: Path, *, functions: int) -> tuple[Any, list[SecureFunction], Any]:
    from aws_cdk import aws_sqs as sqs

    from lambda_constructs.monitoring import monitor_stack
    from lambda_constructs.triggers import SqsTrigger

    app = new_app(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Costed")
    mine = sqs.Queue(stack, "MyDlq")
    fns = []
    for name in ("A", "B")[:functions]:
        fn = SecureFunction(stack, name, SecureFunctionProps(inline_code=CODE))
        dead_letter_queue = sqs.DeadLetterQueue(max_receive_count=3, queue=mine)
        fn.add_trigger(SqsTrigger(queue_props=sqs.QueueProps(dead_letter_queue=dead_letter_queue)))
        fns.append(fn)
    monitor_stack(stack)
    return app, fns, mine


def test_the_alarm_on_a_trigger_queue_props_dead_letter_queue_is_the_function_s(tmp_path: Path) -> None:
    """The alarm monitoring puts on SqsTrigger(queue_props=QueueProps(dead_letter_queue=...))'s queue was
    listed as shared by the stack; it belongs to the function whose trigger's queue redrives there."""
    app, (fn,), _ = _trigger_dead_letter_queue_app(tmp_path, functions=1)
    (costed,) = estimate(app.synth().directory, load_prices())
    # compact set: Errors, Throttles and the trigger's dead-letter queue depth; the shared failure queue's
    assert costed.functions[fn.node.path].lines["alarm metrics"].units == 3
    assert costed.shared.lines["alarm metrics"].units == 1
    assert costed.total.lines["alarm metrics"].units == 4  # unchanged: only the attribution moves


def test_a_dead_letter_queue_two_functions_redrive_to_stays_shared(tmp_path: Path) -> None:
    app, fns, _ = _trigger_dead_letter_queue_app(tmp_path, functions=2)
    (costed,) = estimate(app.synth().directory, load_prices())
    assert {costed.functions[fn.node.path].lines["alarm metrics"].units for fn in fns} == {2}
    # each function's monitoring alarms the queue (2) and the shared failure queue's alarm (1)
    assert costed.shared.lines["alarm metrics"].units == 3


def test_the_shared_queue_ids_are_the_library_s() -> None:
    from lambda_constructs.cost.estimate import SHARED_QUEUE_IDS
    from lambda_constructs.triggers.shared_dead_letter_queue import STACK_TRIGGER_DLQ_ID, STACK_TRIGGER_FIFO_DLQ_ID

    assert {STACK_TRIGGER_DLQ_ID, STACK_TRIGGER_FIFO_DLQ_ID} == SHARED_QUEUE_IDS
