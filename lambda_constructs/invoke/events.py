"""Sample trigger events, shaped like the ones AWS documents, for local invokes.

Every generator is deterministic (fixed ids and timestamps, region ``us-east-1``, account
``123456789012``) so tests can compare results. :func:`make_event` builds one by kind and applies
``--set key=value`` overrides given as dotted paths (``Records.0.body=hello``; ``Records.*.body=hello`` for
every record; the override language is :mod:`lambda_constructs.invoke.overrides`).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from lambda_constructs.errors import LambdaConstructsError

# The ``--set`` override language (its own module since issue #20), still exported from here.
from lambda_constructs.invoke.overrides import apply_overrides as apply_overrides
from lambda_constructs.invoke.overrides import expand_path as expand_path
from lambda_constructs.invoke.overrides import parse_assignment as parse_assignment
from lambda_constructs.invoke.overrides import parse_value as parse_value
from lambda_constructs.invoke.overrides import set_path as set_path

REGION = "us-east-1"
ACCOUNT = "123456789012"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:my-function"
EPOCH_MS = 1_700_000_000_000
"""2023-11-14T22:13:20Z, the fixed instant every event refers to."""
ISO_TIME = "2023-11-14T22:13:20Z"
ISO_TIME_MS = "2023-11-14T22:13:20.000Z"

Event = dict[str, Any]


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def sqs(count: int = 2, body: str = '{"orderId": "order-0001"}') -> Event:
    """SQS standard queue batch (``Records`` of messages)."""
    return {
        "Records": [
            {
                "messageId": f"059f36b4-87a3-44ab-83d2-66197554{index:04d}",
                "receiptHandle": f"AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a{index:04d}",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": str(EPOCH_MS),
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": str(EPOCH_MS + 1),
                },
                "messageAttributes": {},
                "md5OfBody": _md5(body),
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:my-queue",
                "awsRegion": REGION,
            }
            for index in range(count)
        ]
    }


def sqs_fifo(count: int = 2, body: str = '{"orderId": "order-0001"}', group: str = "group-1") -> Event:
    """SQS FIFO queue batch: standard records plus sequence number, group and deduplication ids."""
    event = sqs(count, body)
    for index, record in enumerate(event["Records"]):
        record["attributes"].update(
            {
                "SequenceNumber": f"1864990000000000{index:04d}",
                "MessageGroupId": group,
                "MessageDeduplicationId": f"dedup-{index:04d}",
            }
        )
        record["eventSourceARN"] = f"arn:aws:sqs:{REGION}:{ACCOUNT}:my-queue.fifo"
    return event


def sns(message: str = "Hello from SNS!", subject: str = "TestInvoke") -> Event:
    """SNS notification delivered to a subscribed function."""
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:my-topic"
    return {
        "Records": [
            {
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55",
                "EventSource": "aws:sns",
                "Sns": {
                    "SignatureVersion": "1",
                    "Timestamp": ISO_TIME_MS,
                    "Signature": "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858f",
                    "SigningCertUrl": f"https://sns.{REGION}.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
                    "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
                    "Message": message,
                    "MessageAttributes": {"Test": {"Type": "String", "Value": "TestString"}},
                    "Type": "Notification",
                    "UnsubscribeUrl": f"https://sns.{REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={topic}",
                    "TopicArn": topic,
                    "Subject": subject,
                },
            }
        ]
    }


def s3(bucket: str = "my-bucket", key: str = "uploads/test.json", size: int = 1024) -> Event:
    """S3 ``ObjectCreated:Put`` notification."""
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": REGION,
                "eventTime": ISO_TIME_MS,
                "eventName": "ObjectCreated:Put",
                "userIdentity": {"principalId": "AWS:AIDAINPONIXQXHT3IKHL2"},
                "requestParameters": {"sourceIPAddress": "203.0.113.10"},
                "responseElements": {
                    "x-amz-request-id": "C3D13FE58DE4C810",
                    "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD",
                },
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "my-notification",
                    "bucket": {
                        "name": bucket,
                        "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                        "arn": f"arn:aws:s3:::{bucket}",
                    },
                    "object": {
                        "key": key,
                        "size": size,
                        "eTag": "d41d8cd98f00b204e9800998ecf8427e",
                        "sequencer": "0055AED6DCD90281E5",
                    },
                },
            }
        ]
    }


def apigw_rest(method: str = "POST", path: str = "/orders", body: str = '{"item": "book"}') -> Event:
    """API Gateway REST API Lambda proxy integration (payload format 1.0)."""
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json", "Host": f"abc123.execute-api.{REGION}.amazonaws.com"},
        "multiValueHeaders": {
            "Content-Type": ["application/json"],
            "Host": [f"abc123.execute-api.{REGION}.amazonaws.com"],
        },
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "abc123",
            "domainName": f"abc123.execute-api.{REGION}.amazonaws.com",
            "domainPrefix": "abc123",
            "extendedRequestId": "BQGojGpnIAMFvXw=",
            "httpMethod": method,
            "identity": {
                "accessKey": None,
                "accountId": None,
                "caller": None,
                "cognitoAuthenticationProvider": None,
                "cognitoAuthenticationType": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "principalOrgId": None,
                "sourceIp": "203.0.113.10",
                "user": None,
                "userAgent": "curl/8.4.0",
                "userArn": None,
            },
            "path": f"/prod{path}",
            "protocol": "HTTP/1.1",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "requestTime": "14/Nov/2023:22:13:20 +0000",
            "requestTimeEpoch": EPOCH_MS,
            "resourceId": "2gxmpl",
            "resourcePath": path,
            "stage": "prod",
        },
        "body": body,
        "isBase64Encoded": False,
    }


def _http_v2(method: str, path: str, body: str, domain_prefix: str, domain: str, account: str) -> Event:
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": domain, "user-agent": "curl/8.4.0"},
        "requestContext": {
            "accountId": account,
            "apiId": domain_prefix,
            "domainName": domain,
            "domainPrefix": domain_prefix,
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.10",
                "userAgent": "curl/8.4.0",
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "$default",
            "stage": "$default",
            "time": "14/Nov/2023:22:13:20 +0000",
            "timeEpoch": EPOCH_MS,
        },
        "body": body,
        "isBase64Encoded": False,
    }


def apigw_http(method: str = "POST", path: str = "/orders", body: str = '{"item": "book"}') -> Event:
    """API Gateway HTTP API (payload format 2.0)."""
    event = _http_v2(method, path, body, "r3pmxmplak", f"r3pmxmplak.execute-api.{REGION}.amazonaws.com", ACCOUNT)
    event["routeKey"] = event["requestContext"]["routeKey"] = f"{method} {path}"
    event["pathParameters"] = {}
    event["stageVariables"] = {}
    return event


def function_url(method: str = "POST", path: str = "/", body: str = '{"item": "book"}') -> Event:
    """Lambda function URL request (payload format 2.0, ``authType: NONE`` caller)."""
    url_id = "a7bxmpl3cd2ewtkg5fnoiuvhpq0cwkag"
    return _http_v2(method, path, body, url_id, f"{url_id}.lambda-url.{REGION}.on.aws", "anonymous")


def alb(method: str = "GET", path: str = "/lambda", body: str = "") -> Event:
    """Application Load Balancer target-group request (multi-value headers off)."""
    return {
        "requestContext": {
            "elb": {
                "targetGroupArn": (
                    f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/lambda-tg/49e9d65c45c6791a"
                )
            }
        },
        "httpMethod": method,
        "path": path,
        "queryStringParameters": {"query": "1234ABCD"},
        "headers": {
            "accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "accept-encoding": "gzip",
            "accept-language": "en-US,en;q=0.9",
            "connection": "keep-alive",
            "host": "lambda-alb-123578498.us-east-1.elb.amazonaws.com",
            "user-agent": "curl/8.4.0",
            "x-amzn-trace-id": "Root=1-5c536348-3d683b8b04734faae651f476",
            "x-forwarded-for": "203.0.113.10",
            "x-forwarded-port": "80",
            "x-forwarded-proto": "http",
        },
        "body": body,
        "isBase64Encoded": False,
    }


def eventbridge(
    source: str = "com.example.orders", detail_type: str = "OrderPlaced", detail: Mapping[str, Any] | None = None
) -> Event:
    """EventBridge event from a custom bus or an AWS service."""
    return {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": detail_type,
        "source": source,
        "account": ACCOUNT,
        "time": ISO_TIME,
        "region": REGION,
        "resources": [],
        "detail": dict(detail) if detail is not None else {"orderId": "order-0001", "status": "PLACED"},
    }


def schedule(scheduler: bool = False) -> Event:
    """Scheduled event: an EventBridge rule (default) or, with ``scheduler=True``, EventBridge Scheduler.

    EventBridge Scheduler's default template passes ``detail`` as the string ``"{}"``.
    """
    if scheduler:
        return {
            "version": "0",
            "id": "d167b752-343a-4b28-afd6-d4de056319e8",
            "detail-type": "Scheduled Event",
            "source": "aws.scheduler",
            "account": ACCOUNT,
            "time": ISO_TIME,
            "region": REGION,
            "resources": [f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/my-schedule"],
            "detail": "{}",
        }
    return {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": ISO_TIME,
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/my-schedule"],
        "detail": {},
    }


def dynamodb_stream(table: str = "Orders") -> Event:
    """DynamoDB Streams ``INSERT`` record with ``NEW_AND_OLD_IMAGES``."""
    return {
        "Records": [
            {
                "eventID": "c4ca4238a0b923820dcc509a6f75849b",
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": REGION,
                "dynamodb": {
                    "ApproximateCreationDateTime": EPOCH_MS // 1000,
                    "Keys": {"Id": {"S": "order-0001"}},
                    "NewImage": {"Id": {"S": "order-0001"}, "Total": {"N": "42"}},
                    "SequenceNumber": "4421584500000000017450439091",
                    "SizeBytes": 26,
                    "StreamViewType": "NEW_AND_OLD_IMAGES",
                },
                "eventSourceARN": (f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table}/stream/2023-11-14T22:13:20.000"),
            }
        ]
    }


def kinesis(data: str = '{"orderId": "order-0001"}', stream: str = "my-stream") -> Event:
    """Kinesis Data Streams record; ``data`` is base64-encoded as Lambda delivers it."""
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": "1",
                    "sequenceNumber": "49590338271490256608559692538361571095921575989136588898",
                    "data": _b64(data.encode()),
                    "approximateArrivalTimestamp": EPOCH_MS / 1000,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": "shardId-000000000006:49590338271490256608559692538361571095921575989136588898",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT}:role/lambda-role",
                "awsRegion": REGION,
                "eventSourceARN": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{stream}",
            }
        ]
    }


def cloudwatch_logs(messages: tuple[str, ...] = ("[INFO] first message", "[ERROR] second message")) -> Event:
    """CloudWatch Logs subscription: ``awslogs.data`` is gzip-compressed, base64-encoded JSON."""
    payload = {
        "messageType": "DATA_MESSAGE",
        "owner": ACCOUNT,
        "logGroup": "/aws/lambda/my-function",
        "logStream": "2023/11/14/[$LATEST]a1b2c3d4e5f60718293a4b5c6d7e8f90",
        "subscriptionFilters": ["my-filter"],
        "logEvents": [
            {
                "id": f"3819522931924018729867385720128836813524638729475571{index:04d}",
                "timestamp": EPOCH_MS + index,
                "message": message,
            }
            for index, message in enumerate(messages)
        ],
    }
    data = gzip.compress(json.dumps(payload).encode(), mtime=0)
    return {"awslogs": {"data": _b64(data)}}


def cognito_pre_signup(username: str = "jdoe", email: str = "jdoe@example.com") -> Event:
    """Cognito user pool ``PreSignUp_SignUp`` trigger."""
    return {
        "version": "1",
        "region": REGION,
        "userPoolId": f"{REGION}_EXAMPLE1",
        "userName": username,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "1example23456789"},
        "triggerSource": "PreSignUp_SignUp",
        "request": {"userAttributes": {"email": email}, "validationData": None},
        "response": {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    }


def cloudformation_custom_resource(request_type: str = "Create") -> Event:
    """CloudFormation custom resource request (``Create``, ``Update`` or ``Delete``)."""
    stack_id = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/MyStack/5b918d10-cd98-11ea-90d5-0a9cd3354c10"
    event: Event = {
        "RequestType": request_type,
        "ServiceToken": FUNCTION_ARN,
        "ResponseURL": "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/response",
        "StackId": stack_id,
        "RequestId": "4e5a0b28-0a9c-4b2b-9d7e-3f2f0e1c8a11",
        "LogicalResourceId": "MyCustomResource",
        "ResourceType": "Custom::MyResource",
        "ResourceProperties": {"ServiceToken": FUNCTION_ARN, "Name": "example"},
    }
    if request_type in ("Update", "Delete"):
        event["PhysicalResourceId"] = "my-resource-0001"
    if request_type == "Update":
        event["OldResourceProperties"] = {"ServiceToken": FUNCTION_ARN, "Name": "previous"}
    return event


def secrets_manager_rotation(step: str = "createSecret") -> Event:
    """Secrets Manager rotation step (``createSecret``, ``setSecret``, ``testSecret``, ``finishSecret``)."""
    return {
        "SecretId": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:MyDatabaseSecret-a1b2c3",
        "ClientRequestToken": "550e8400-e29b-41d4-a716-446655440000",
        "Step": step,
    }


def config_rule(resource_id: str = "i-0123456789abcdef0") -> Event:
    """AWS Config custom rule, configuration change trigger; ``invokingEvent`` is a JSON string."""
    invoking_event: Event = {
        "configurationItemDiff": None,
        "configurationItem": {
            "relatedEvents": [],
            "relationships": [],
            "configuration": {"instanceType": "t3.micro", "state": {"name": "running"}},
            "supplementaryConfiguration": {},
            "tags": {},
            "configurationItemVersion": "1.3",
            "configurationItemCaptureTime": ISO_TIME_MS,
            "configurationStateId": 1700000000000,
            "awsAccountId": ACCOUNT,
            "configurationItemStatus": "OK",
            "resourceType": "AWS::EC2::Instance",
            "resourceId": resource_id,
            "resourceName": None,
            "ARN": f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{resource_id}",
            "awsRegion": REGION,
            "availabilityZone": f"{REGION}a",
            "configurationStateMd5Hash": "",
            "resourceCreationTime": ISO_TIME_MS,
        },
        "notificationCreationTime": ISO_TIME_MS,
        "messageType": "ConfigurationItemChangeNotification",
        "recordVersion": "1.3",
    }
    return {
        "version": "1.0",
        "invokingEvent": json.dumps(invoking_event),
        "ruleParameters": json.dumps({"desiredInstanceType": "t3.micro"}),
        "resultToken": "myResultToken",
        "eventLeftScope": False,
        "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/config-role",
        "configRuleArn": f"arn:aws:config:{REGION}:{ACCOUNT}:config-rule/config-rule-0123456",
        "configRuleName": "desired-instance-type",
        "configRuleId": "config-rule-0123456",
        "accountId": ACCOUNT,
        "evaluationMode": "DETECTIVE",
    }


def iot(topic: str = "sensors/device-1/telemetry") -> Event:
    """IoT rule action payload for ``SELECT *, topic() AS topic, timestamp() AS timestamp``.

    An IoT rule passes the (SQL-selected) MQTT message itself; there is no AWS envelope.
    """
    return {"deviceId": "device-1", "temperature": 21.5, "humidity": 48, "topic": topic, "timestamp": EPOCH_MS}


def ses(subject: str = "Test Subject") -> Event:
    """SES receipt rule ``Lambda`` action (inbound mail notification)."""
    return {
        "Records": [
            {
                "eventVersion": "1.0",
                "ses": {
                    "mail": {
                        "commonHeaders": {
                            "from": ["Jane Doe <janedoe@example.com>"],
                            "to": ["johndoe@example.com"],
                            "returnPath": "janedoe@example.com",
                            "messageId": "<0123456789example.com>",
                            "date": "Tue, 14 Nov 2023 22:13:20 +0000",
                            "subject": subject,
                        },
                        "source": "janedoe@example.com",
                        "timestamp": ISO_TIME_MS,
                        "destination": ["johndoe@example.com"],
                        "headers": [
                            {"name": "Return-Path", "value": "<janedoe@example.com>"},
                            {"name": "From", "value": "Jane Doe <janedoe@example.com>"},
                            {"name": "To", "value": "johndoe@example.com"},
                            {"name": "Subject", "value": subject},
                            {"name": "Content-Type", "value": "text/plain; charset=UTF-8"},
                        ],
                        "headersTruncated": False,
                        "messageId": "o3vrnil0e2ic28tr",
                    },
                    "receipt": {
                        "recipients": ["johndoe@example.com"],
                        "timestamp": ISO_TIME_MS,
                        "spamVerdict": {"status": "PASS"},
                        "dkimVerdict": {"status": "PASS"},
                        "dmarcVerdict": {"status": "PASS"},
                        "spfVerdict": {"status": "PASS"},
                        "virusVerdict": {"status": "PASS"},
                        "processingTimeMillis": 574,
                        "action": {"type": "Lambda", "invocationType": "Event", "functionArn": FUNCTION_ARN},
                    },
                },
                "eventSource": "aws:ses",
            }
        ]
    }


def codecommit(ref: str = "refs/heads/main") -> Event:
    """CodeCommit repository trigger (``ReferenceChanges``)."""
    return {
        "Records": [
            {
                "awsRegion": REGION,
                "codecommit": {"references": [{"commit": "5e493c6f3067653f3d04eca608b4901eb227078a", "ref": ref}]},
                "customData": "",
                "eventId": "31ade2c7-f889-47c5-a937-1cf99e2790e9",
                "eventName": "ReferenceChanges",
                "eventPartNumber": 1,
                "eventSource": "aws:codecommit",
                "eventSourceARN": f"arn:aws:codecommit:{REGION}:{ACCOUNT}:my-repo",
                "eventTime": "2023-11-14T22:13:20.000+0000",
                "eventTotalParts": 1,
                "eventTriggerConfigId": "0d17d6a4-efeb-46f3-b3ab-a63741badeb8",
                "eventTriggerName": "my-trigger",
                "eventVersion": "1.0",
                "userIdentityARN": f"arn:aws:iam::{ACCOUNT}:user/developer",
            }
        ]
    }


def lex_v2(transcript: str = "I want to order flowers", intent: str = "OrderFlowers") -> Event:
    """Lex V2 dialog code hook."""
    intent_state = {
        "name": intent,
        "slots": {"FlowerType": None, "PickupDate": None},
        "state": "InProgress",
        "confirmationState": "None",
    }
    return {
        "messageVersion": "1.0",
        "invocationSource": "DialogCodeHook",
        "inputMode": "Text",
        "responseContentType": "text/plain; charset=utf-8",
        "sessionId": "123456789012345",
        "inputTranscript": transcript,
        "bot": {
            "id": "BOTID12345",
            "name": "OrderFlowersBot",
            "localeId": "en_US",
            "version": "DRAFT",
            "aliasId": "TSTALIASID",
            "aliasName": "TestBotAlias",
        },
        "interpretations": [
            {"interpretationSource": "Lex", "intent": dict(intent_state), "nluConfidence": 0.95},
            {
                "interpretationSource": "Lex",
                "intent": {"name": "FallbackIntent", "slots": {}, "state": "InProgress", "confirmationState": "None"},
            },
        ],
        "proposedNextState": {
            "dialogAction": {"slotToElicit": "FlowerType", "type": "ElicitSlot"},
            "intent": dict(intent_state),
        },
        "requestAttributes": {},
        "sessionState": {
            "activeContexts": [],
            "sessionAttributes": {},
            "intent": dict(intent_state),
            "originatingRequestId": "2d3558dc-780b-422f-b9ec-7f6a1bd63f2e",
        },
        "transcriptions": [
            {
                "transcription": transcript,
                "transcriptionConfidence": 1.0,
                "resolvedContext": {"intent": intent},
                "resolvedSlots": {},
            }
        ],
    }


def alexa(request_type: str = "LaunchRequest") -> Event:
    """Alexa Skills Kit request (``LaunchRequest`` by default)."""
    application = {"applicationId": "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"}
    user = {"userId": "amzn1.ask.account.EXAMPLE"}
    return {
        "version": "1.0",
        "session": {
            "new": True,
            "sessionId": "amzn1.echo-api.session.00000000-0000-0000-0000-000000000000",
            "application": application,
            "attributes": {},
            "user": user,
        },
        "context": {
            "System": {
                "application": application,
                "user": user,
                "device": {"deviceId": "amzn1.ask.device.EXAMPLE", "supportedInterfaces": {}},
                "apiEndpoint": "https://api.amazonalexa.com",
                "apiAccessToken": "EXAMPLE-TOKEN",
            }
        },
        "request": {
            "type": request_type,
            "requestId": "amzn1.echo-api.request.00000000-0000-0000-0000-000000000000",
            "timestamp": ISO_TIME,
            "locale": "en-US",
        },
    }


def s3_batch(bucket: str = "my-bucket", key: str = "inventory/object.json") -> Event:
    """S3 Batch Operations ``LambdaInvoke`` task, invocation schema 2.0."""
    return {
        "invocationSchemaVersion": "2.0",
        "invocationId": "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo",
        "job": {"id": "f3cc4f60-61f6-4a2b-8a21-d07600c373ce", "userArguments": {}},
        "tasks": [{"taskId": "dGFza2lkZ29lc2hlcmUK", "s3Key": key, "s3VersionId": None, "s3Bucket": bucket}],
    }


def step_functions() -> Event:
    """Step Functions ``Lambda:Invoke`` task: the state input itself, no envelope."""
    return {"orderId": "order-0001", "amount": 42, "currency": "USD", "items": [{"sku": "BOOK-1", "qty": 1}]}


EVENT_KINDS: Mapping[str, Callable[..., Event]] = {
    "sqs": sqs,
    "sqs-fifo": sqs_fifo,
    "sns": sns,
    "s3": s3,
    "apigw-rest": apigw_rest,
    "apigw-http": apigw_http,
    "function-url": function_url,
    "alb": alb,
    "eventbridge": eventbridge,
    "schedule": schedule,
    "dynamodb-stream": dynamodb_stream,
    "kinesis": kinesis,
    "cloudwatch-logs": cloudwatch_logs,
    "cognito-pre-signup": cognito_pre_signup,
    "cloudformation-custom-resource": cloudformation_custom_resource,
    "secrets-manager-rotation": secrets_manager_rotation,
    "config-rule": config_rule,
    "iot": iot,
    "ses": ses,
    "codecommit": codecommit,
    "lex-v2": lex_v2,
    "alexa": alexa,
    "s3-batch": s3_batch,
    "step-functions": step_functions,
}
"""Every known trigger kind and its generator."""


def make_event(kind: str, overrides: Mapping[str, str] | None = None) -> Event:
    """The sample event for ``kind`` with ``overrides`` applied."""
    generator = EVENT_KINDS.get(kind)
    if generator is None:
        raise LambdaConstructsError(
            "", f"unknown event kind {kind!r}", fix="use one of: " + ", ".join(sorted(EVENT_KINDS))
        )
    event = generator()
    apply_overrides(event, overrides or {})
    return event


def load_event(spec: str, overrides: Mapping[str, str] | None = None) -> Any:
    """``spec`` is a known kind or a JSON file path (``-`` is not supported); overrides apply to both."""
    if spec in EVENT_KINDS:
        return make_event(spec, overrides)
    path = Path(spec)
    if path.is_file():
        try:
            event = json.loads(path.read_text())
        except ValueError as exc:
            raise LambdaConstructsError("", f"event file {spec} is not valid JSON: {exc}") from None
        return apply_overrides(event, overrides or {})
    raise LambdaConstructsError(
        "",
        f"--event {spec!r} is neither a known kind nor an existing file",
        fix="pass a JSON file or one of: " + ", ".join(sorted(EVENT_KINDS)),
    )
