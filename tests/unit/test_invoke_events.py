"""Sample trigger events: documented shapes, determinism and ``--set`` overrides."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from lambda_constructs.errors import LambdaConstructsError
from lambda_constructs.invoke.events import ACCOUNT, EVENT_KINDS, REGION, expand_path, load_event, make_event

EXPECTED_KINDS = {
    "sqs", "sqs-fifo", "sns", "s3", "apigw-rest", "apigw-http", "function-url", "alb", "eventbridge",
    "schedule", "dynamodb-stream", "kinesis", "cloudwatch-logs", "cognito-pre-signup",
    "cloudformation-custom-resource", "secrets-manager-rotation", "config-rule", "iot", "ses",
    "codecommit", "lex-v2", "alexa", "s3-batch", "step-functions",
}  # fmt: skip


def _types(mapping: dict[str, Any], **expected: type | tuple[type, ...]) -> None:
    for key, kind in expected.items():
        assert key in mapping, f"missing {key}"
        assert isinstance(mapping[key], kind), f"{key} is {type(mapping[key]).__name__}"


def test_every_kind_is_registered_json_serializable_and_deterministic() -> None:
    assert set(EVENT_KINDS) == EXPECTED_KINDS
    for kind in EVENT_KINDS:
        event = make_event(kind)
        assert json.loads(json.dumps(event)) == event
        assert make_event(kind) == event, kind


def test_sqs_records() -> None:
    records = make_event("sqs")["Records"]
    assert len(records) >= 2
    for record in records:
        _types(
            record, messageId=str, receiptHandle=str, body=str, attributes=dict,
            messageAttributes=dict, md5OfBody=str, eventSource=str, eventSourceARN=str, awsRegion=str,
        )  # fmt: skip
        assert record["eventSource"] == "aws:sqs"
        assert record["eventSourceARN"] == f"arn:aws:sqs:{REGION}:{ACCOUNT}:my-queue"
        assert record["md5OfBody"] == hashlib.md5(record["body"].encode()).hexdigest()
        _types(record["attributes"], ApproximateReceiveCount=str, SentTimestamp=str, SenderId=str)
    assert len({record["messageId"] for record in records}) == len(records)


def test_sqs_fifo_has_group_and_deduplication() -> None:
    record = make_event("sqs-fifo")["Records"][0]
    _types(record["attributes"], MessageGroupId=str, MessageDeduplicationId=str, SequenceNumber=str)
    assert record["eventSourceARN"].endswith(".fifo")


def test_sns_s3_dynamodb_ses_codecommit_records() -> None:
    sns = make_event("sns")["Records"][0]
    assert sns["EventSource"] == "aws:sns"
    _types(sns["Sns"], Message=str, MessageId=str, TopicArn=str, Timestamp=str, MessageAttributes=dict)
    assert sns["Sns"]["Type"] == "Notification"

    s3 = make_event("s3")["Records"][0]
    assert (s3["eventSource"], s3["eventName"], s3["awsRegion"]) == ("aws:s3", "ObjectCreated:Put", REGION)
    _types(s3["s3"]["bucket"], name=str, arn=str)
    _types(s3["s3"]["object"], key=str, size=int, eTag=str, sequencer=str)

    ddb = make_event("dynamodb-stream")["Records"][0]
    assert ddb["eventSource"] == "aws:dynamodb"
    assert ddb["eventName"] in ("INSERT", "MODIFY", "REMOVE")
    _types(ddb["dynamodb"], Keys=dict, NewImage=dict, SequenceNumber=str, SizeBytes=int, StreamViewType=str)
    assert ddb["eventSourceARN"].startswith(f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Orders/stream/")

    ses = make_event("ses")["Records"][0]
    assert ses["eventSource"] == "aws:ses"
    _types(ses["ses"], mail=dict, receipt=dict)

    commit = make_event("codecommit")["Records"][0]
    assert commit["eventSource"] == "aws:codecommit"
    _types(commit["codecommit"]["references"][0], commit=str, ref=str)


def test_http_events() -> None:
    rest = make_event("apigw-rest")
    _types(
        rest, resource=str, path=str, httpMethod=str, headers=dict, multiValueHeaders=dict,
        requestContext=dict, body=str, isBase64Encoded=bool,
    )  # fmt: skip
    _types(rest["requestContext"], accountId=str, apiId=str, stage=str, requestId=str, identity=dict)

    for kind in ("apigw-http", "function-url"):
        v2 = make_event(kind)
        assert v2["version"] == "2.0"
        _types(v2, routeKey=str, rawPath=str, rawQueryString=str, headers=dict, isBase64Encoded=bool)
        _types(v2["requestContext"]["http"], method=str, path=str, sourceIp=str)
        assert v2["requestContext"]["http"]["method"] == "POST"
    assert make_event("function-url")["requestContext"]["domainName"].endswith(".lambda-url.us-east-1.on.aws")
    assert make_event("apigw-http")["routeKey"] == "POST /orders"

    alb = make_event("alb")
    assert alb["requestContext"]["elb"]["targetGroupArn"].startswith("arn:aws:elasticloadbalancing:us-east-1:")
    _types(alb, httpMethod=str, path=str, headers=dict, body=str, isBase64Encoded=bool)


def test_eventbridge_and_schedules() -> None:
    event = make_event("eventbridge")
    _types(event, version=str, id=str, source=str, account=str, time=str, region=str, resources=list, detail=dict)
    assert event["detail-type"] == "OrderPlaced"
    rule = make_event("schedule")
    assert (rule["source"], rule["detail-type"], rule["detail"]) == ("aws.events", "Scheduled Event", {})
    scheduler = EVENT_KINDS["schedule"](scheduler=True)
    assert scheduler["source"] == "aws.scheduler"
    assert scheduler["detail"] == "{}"


def test_kinesis_data_decodes_from_base64() -> None:
    record = make_event("kinesis")["Records"][0]
    assert record["eventSource"] == "aws:kinesis"
    assert json.loads(base64.b64decode(record["kinesis"]["data"])) == {"orderId": "order-0001"}
    _types(record["kinesis"], partitionKey=str, sequenceNumber=str, approximateArrivalTimestamp=float)


def test_cloudwatch_logs_data_decodes_from_base64_gzip() -> None:
    data = make_event("cloudwatch-logs")["awslogs"]["data"]
    payload = json.loads(gzip.decompress(base64.b64decode(data)))
    assert payload["messageType"] == "DATA_MESSAGE"
    _types(payload, owner=str, logGroup=str, logStream=str, subscriptionFilters=list, logEvents=list)
    for log_event in payload["logEvents"]:
        _types(log_event, id=str, timestamp=int, message=str)


def test_other_triggers() -> None:
    cognito = make_event("cognito-pre-signup")
    assert cognito["triggerSource"] == "PreSignUp_SignUp"
    _types(cognito, userPoolId=str, userName=str, request=dict, response=dict)
    assert cognito["response"]["autoConfirmUser"] is False

    custom = make_event("cloudformation-custom-resource")
    assert custom["RequestType"] == "Create"
    _types(custom, ServiceToken=str, ResponseURL=str, StackId=str, RequestId=str, ResourceProperties=dict)
    update = EVENT_KINDS["cloudformation-custom-resource"](request_type="Update")
    _types(update, PhysicalResourceId=str, OldResourceProperties=dict)

    rotation = make_event("secrets-manager-rotation")
    assert rotation["Step"] == "createSecret"
    assert rotation["SecretId"].startswith(f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:")

    config = make_event("config-rule")
    _types(config, invokingEvent=str, ruleParameters=str, resultToken=str, configRuleName=str)
    assert json.loads(config["invokingEvent"])["messageType"] == "ConfigurationItemChangeNotification"

    lex = make_event("lex-v2")
    assert lex["messageVersion"] == "1.0"
    _types(lex, invocationSource=str, inputMode=str, sessionId=str, bot=dict, interpretations=list)
    _types(lex["sessionState"], intent=dict, sessionAttributes=dict)

    alexa = make_event("alexa")
    assert alexa["request"]["type"] == "LaunchRequest"
    _types(alexa, version=str, session=dict, context=dict)

    batch = make_event("s3-batch")
    assert batch["invocationSchemaVersion"] == "2.0"
    _types(batch["tasks"][0], taskId=str, s3Key=str, s3Bucket=str)

    assert isinstance(make_event("iot")["topic"], str)
    assert "Records" not in make_event("step-functions")


def test_overrides_use_dotted_paths_and_json_values() -> None:
    event = make_event("sqs", {"Records.0.body": "hello", "Records.1.messageAttributes.n": '{"a": 1}'})
    assert event["Records"][0]["body"] == "hello"
    assert event["Records"][0]["md5OfBody"] == hashlib.md5(b"hello").hexdigest()
    assert event["Records"][1]["messageAttributes"]["n"] == {"a": 1}

    # A field that holds a string keeps a string: the JSON text stays text, as SQS delivers it.
    body = make_event("sqs", {"Records.0.body": '{"id": 7}', "Records.0.attributes.SentTimestamp": "5"})
    assert body["Records"][0]["body"] == '{"id": 7}'
    assert body["Records"][0]["attributes"]["SentTimestamp"] == "5"

    bridge = make_event("eventbridge", {"detail.status": "ok", "detail.count": "3", "detail.flag": "true"})
    assert bridge["detail"]["status"] == "ok"
    assert bridge["detail"]["count"] == 3
    assert bridge["detail"]["flag"] is True
    assert make_event("eventbridge", {"detail.new.deep": "x"})["detail"]["new"] == {"deep": "x"}


def test_star_addresses_every_element_of_a_list() -> None:
    event = make_event("sqs", {"Records.*.body": '{"id": 7}'})
    assert len(event["Records"]) == 2  # the sample batch has two records: both get the body
    for record in event["Records"]:
        assert record["body"] == '{"id": 7}'
        assert record["md5OfBody"] == hashlib.md5(b'{"id": 7}').hexdigest()
    logs = make_event("sqs", {"Records.*.messageAttributes.n": "3", "Records.1.body": "last"})
    assert [r["messageAttributes"]["n"] for r in logs["Records"]] == [3, 3]
    assert [r["body"] for r in logs["Records"]][1] == "last"
    assert expand_path({"a": [{"b": [1, 2]}, {"b": [3]}]}, "a.*.b.*") == ["a.0.b.0", "a.0.b.1", "a.1.b.0"]
    assert expand_path({}, "detail.status") == ["detail.status"]


def test_star_needs_a_non_empty_list() -> None:
    with pytest.raises(LambdaConstructsError, match=r"--set detail\.\*\.x: 'detail\.\*' needs a non-empty list"):
        make_event("eventbridge", {"detail.*.x": "1"})
    with pytest.raises(LambdaConstructsError, match="non-empty list"):
        expand_path({"Records": []}, "Records.*.body")


def test_bad_overrides_and_unknown_kind() -> None:
    with pytest.raises(LambdaConstructsError, match="not an index"):
        make_event("sqs", {"Records.9.body": "x"})
    with pytest.raises(LambdaConstructsError, match="is a str"):
        make_event("sqs", {"Records.0.body.x": "x"})
    with pytest.raises(LambdaConstructsError, match="unknown event kind 'sqss'") as caught:
        make_event("sqss")
    assert "sqs-fifo" in str(caught.value)
    assert "step-functions" in str(caught.value)


def test_load_event_from_file(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text('{"a": {"b": 1}}')
    assert load_event(str(path), {"a.b": "2"}) == {"a": {"b": 2}}
    assert load_event("sns")["Records"][0]["EventSource"] == "aws:sns"
    with pytest.raises(LambdaConstructsError, match="neither a known kind nor an existing file"):
        load_event(str(tmp_path / "missing.json"))
