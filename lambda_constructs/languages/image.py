"""Container image functions: a reference to an image that already exists in Amazon ECR.

Building images needs a Docker engine, which the library does not require, so it only *references*
images (built and pushed by your CI). The URI must be ECR-shaped,
``<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@sha256:<64 hex>]``, and in the
function's region. A digest is preferred: a tag is mutable (warning ``lambda-constructs:imageTag``),
and no tag at all means ``latest``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct, IConstruct

from lambda_constructs.compliance import acknowledge
from lambda_constructs.errors import fail, warn
from lambda_constructs.field_types import checked_fields
from lambda_constructs.languages.snapstart import check_snap_start
from lambda_constructs.languages.strategy import LanguageCode, LanguageFunction, LanguageInfo
from lambda_constructs.role_grants import StatementTarget, grantee

ECR_AUTH_REASON = (
    "ecr:GetAuthorizationToken supports no resource-level permission (Service Authorization Reference); "
    "this policy holds only that action. Image layers are read only from the function's repository."
)
_ECR_URI = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?P<cn>\.cn)?/"
    r"(?P<repository>(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@(?P<digest>sha256:[0-9a-f]{64}))?$"
)


@checked_fields
@dataclass(frozen=True, kw_only=True)
class ContainerImage:
    """An existing ECR image to run, with its image config overrides.

    Attributes:
        uri: ``<account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:<digest>`` (or ``:<tag>``).
        cmd: CMD override, exec form. Default None (the image's CMD).
        entrypoint: ENTRYPOINT override, exec form. Default None (the image's ENTRYPOINT).
        working_directory: WORKDIR override. Default None (the image's WORKDIR).
    """

    uri: str
    cmd: Sequence[str] | None = None
    entrypoint: Sequence[str] | None = None
    working_directory: str | None = None


@dataclass(frozen=True, kw_only=True)
class EcrImageUri:
    """The parts of an ECR image URI."""

    account: str
    """The 12-digit account id of the registry."""
    region: str
    """The registry's region (Lambda pulls images only from its own region)."""
    partition: str
    """``aws``, ``aws-cn`` (``.amazonaws.com.cn`` host) or ``aws-us-gov`` (``us-gov-*`` region)."""
    repository: str
    """The repository name, namespaces included (``team/app``)."""
    tag: str | None
    """The ``:tag`` of the URI, or None (a digest or no tag at all)."""
    digest: str | None
    """The ``@sha256:<64 hex>`` digest of the URI, or None."""

    @property
    def repository_arn(self) -> str:
        """The repository's ARN (the resource of the pull grant)."""
        return f"arn:{self.partition}:ecr:{self.region}:{self.account}:repository/{self.repository}"

    @property
    def tag_or_digest(self) -> str:
        """The digest if any, else the tag, else ``latest`` (what Lambda pulls)."""
        return self.digest or self.tag or "latest"


def parse_image_uri(scope: IConstruct, uri: str) -> EcrImageUri:
    """Parse an ECR image URI, raising a LambdaConstructsError when it is not ECR-shaped."""
    if Token.is_unresolved(uri):
        raise fail(
            scope,
            "the image URI must be a literal (the repository's ARN and the pull grant are derived from it)",
            value=uri,
            fix="pass '<account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:<digest>'",
        )
    match = _ECR_URI.match(uri)
    if match is None:
        raise fail(
            scope,
            "image URI is not an Amazon ECR image (Lambda runs images from ECR only)",
            value=uri,
            fix="push the image to ECR and pass '<account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:<64 hex>'",
        )
    region = match["region"]
    partition = "aws-cn" if match["cn"] else "aws-us-gov" if region.startswith("us-gov-") else "aws"
    return EcrImageUri(
        account=match["account"],
        region=region,
        partition=partition,
        repository=match["repository"],
        tag=match["tag"],
        digest=match["digest"],
    )


def check_image(scope: IConstruct, image: ContainerImage) -> EcrImageUri:
    """Validate ``image`` (shape, region, mutability) and return its parsed URI."""
    parsed = parse_image_uri(scope, image.uri)
    stack_region = Stack.of(scope).region
    if not Token.is_unresolved(stack_region) and stack_region != parsed.region:
        raise fail(
            scope,
            f"the image is in {parsed.region} but the stack deploys to {stack_region}; Lambda pulls images "
            "only from its own region",
            value=image.uri,
            fix=f"replicate the repository to {stack_region} (ECR replication) and reference that copy",
        )
    if parsed.digest is None:
        warn(
            scope,
            "imageTag",
            f"image {image.uri} is referenced by the mutable tag {parsed.tag or 'latest'!r}: a push to that tag "
            "changes what new execution environments run without a deployment; reference it by @sha256 digest",
        )
    for name, value in (("cmd", image.cmd), ("entrypoint", image.entrypoint)):
        if value is not None and isinstance(value, str):
            raise fail(scope, f"image {name} must be a list (exec form)", value=value, fix=f'{name}=["a", "b"]')
    return parsed


def image_code(scope: Construct, image: ContainerImage, parsed: EcrImageUri) -> lambda_.Code:
    """``Code.from_ecr_image`` for the referenced repository (construct id ``ImageRepository``)."""
    from aws_cdk import aws_ecr as ecr  # only functions that run an image need it

    repository = ecr.Repository.from_repository_attributes(
        scope, "ImageRepository", repository_arn=parsed.repository_arn, repository_name=parsed.repository
    )
    return lambda_.Code.from_ecr_image(
        repository,
        tag_or_digest=parsed.tag_or_digest,
        cmd=list(image.cmd) if image.cmd is not None else None,
        entrypoint=list(image.entrypoint) if image.entrypoint is not None else None,
        working_directory=image.working_directory,
    )


def grant_pull(
    role: iam.IRole, parsed: EcrImageUri, *, policy_scope: Construct | None, target: StatementTarget | None = None
) -> None:
    """Let ``role`` pull the image: layer reads on the repository, the token in its own policy.

    ``policy_scope`` is where the acknowledged ``EcrAuthPolicy`` is created (the library's execution
    role); None adds the token statement to ``role`` itself (a role you brought, not acknowledged).
    ``target``: where the statements go instead of ``role`` (its function's
    :func:`~lambda_constructs.role_grants.grantee`); default ``role``.
    """
    sink: StatementTarget = role if target is None else target
    sink.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], resources=[parsed.repository_arn]
        )
    )
    token = iam.PolicyStatement(actions=["ecr:GetAuthorizationToken"], resources=["*"])
    if policy_scope is None:
        sink.add_to_principal_policy(token)
        return
    policy = iam.ManagedPolicy(
        policy_scope,
        "EcrAuthPolicy",
        roles=[role],
        description="ECR authorization token (no resource-level permission)",
        statements=[token],
    )
    acknowledge(policy, "AwsSolutions-IAM5[Resource::*]", ECR_AUTH_REASON)


class ImageLanguage:
    """The container image strategy (``image=``): no runtime, handler or layers; the image holds them."""

    name = "image"

    def validate(self, fn: LanguageFunction) -> LanguageInfo:
        """No runtime/handler/language/layers with an image; the URI (:func:`check_image`); SnapStart."""
        props = fn.props
        given = [
            name
            for name, value in (("runtime", props.runtime), ("handler", props.handler), ("language", props.language))
            if value is not None
        ]
        if props.layers:
            given.append("layers")
        if given:
            raise fail(
                fn,
                f"{', '.join(given)} cannot be combined with image= (the image holds the runtime and handler)",
                value=given,
                fix="set the handler with ContainerImage(cmd=[...]); bake layers into the image",
            )
        assert props.image is not None  # languages.strategy_of picks this strategy only for an image
        parsed = check_image(fn, props.image)
        if props.snap_start is not None:
            check_snap_start(
                fn, runtime_name="image", image=True, filesystem=None, ephemeral_storage=props.ephemeral_storage_size
            )
        return LanguageInfo(family="image", image=parsed)

    def code(self, fn: LanguageFunction, info: LanguageInfo) -> LanguageCode:
        """``Code.from_ecr_image`` (:func:`image_code`)."""
        assert fn.props.image is not None and info.image is not None  # set by validate
        return LanguageCode(code=image_code(fn.construct, fn.props.image, info.image))

    def after_function(self, fn: LanguageFunction, info: LanguageInfo) -> None:
        """The pull grant (:func:`grant_pull`)."""
        assert info.image is not None  # set by validate
        grant_pull(fn.role, info.image, policy_scope=fn.owned_role, target=grantee(fn))
