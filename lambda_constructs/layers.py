"""Python Lambda layers: bundled from requirements, from a ready folder, or imported by ARN.

Layer versions are immutable, so every content change replaces the ``AWS::Lambda::LayerVersion``.
``PythonLayer`` therefore retains old versions by default (functions still pinned to them keep
working) and gives each sharing permission a logical id derived from the version's content, with the
same removal policy, so a replaced version keeps its permission (aws/aws-cdk#15524, #21232).
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aws_cdk import Fn, RemovalPolicy, Stack, Token, aws_lambda
from constructs import Construct

from lambda_constructs.bundling.archive import iter_files, tree_size
from lambda_constructs.bundling.bytecode import warn_if_missing
from lambda_constructs.bundling.python import BundleOptions, BundleResult, bundle_python
from lambda_constructs.bundling.targets import architecture_of, python_version_of
from lambda_constructs.errors import LambdaConstructsError, fail, warn
from lambda_constructs.field_types import checked_fields
from lambda_constructs.runtimes import runtime_name

MAX_LAYERS = 5
"""Lambda allows at most five layers per function."""

MAX_UNZIPPED_BYTES = 262_144_000
"""250 MB: function code plus all its layers, unzipped."""

MAX_DIRECT_UPLOAD_ZIPPED_BYTES = 52_428_800
"""50 MB: a zip sent in the API request itself (not through S3)."""

POWERTOOLS_ACCOUNT = "017000801446"
"""AWS account that publishes the Powertools for AWS Lambda (Python) layers in the ``aws`` partition."""

POWERTOOLS_DEFAULT_VERSION = 27
"""Layer version used by ``powertools_layer_arn`` unless given (from the Powertools docs; pin your own)."""

_PYTHON_RUNTIME_ATTR = re.compile(r"^PYTHON_3_(\d+)$")
_ACCOUNT = re.compile(r"^\d{12}$")
_ORGANIZATION = re.compile(r"^o-[a-z0-9]{10,32}$")


def latest_python_runtime() -> aws_lambda.Runtime:
    """The newest ``Runtime.PYTHON_3_N`` this aws-cdk-lib knows."""
    minors = [int(m.group(1)) for m in map(_PYTHON_RUNTIME_ATTR.match, dir(aws_lambda.Runtime)) if m]
    runtime: aws_lambda.Runtime = getattr(aws_lambda.Runtime, f"PYTHON_3_{max(minors)}")
    return runtime


@checked_fields
@dataclass(frozen=True, kw_only=True)
class PythonLayerProps:
    """Options of a :class:`PythonLayer`; give exactly one of the three sources.

    Attributes:
        requirements_dir: folder with ``requirements.txt`` (and optional modules), bundled without
            Docker for every compatible runtime x architecture; all must give the same zip. Default None.
        asset_path: ready layer folder (content under ``python/``) or ``.zip``. Default None.
        layer_arn: existing layer version ARN (use :meth:`PythonLayer.from_layer_arn`). Default None.
        compatible_runtimes: default: the newest Python runtime of aws-cdk-lib.
        compatible_architectures: default ``(ARM_64,)``.
        pip_options: extra pip arguments for bundling, e.g. ``--no-index --find-links DIR``. Default ().
        cache_dir: bundle cache. Default None: ``<cwd>/.bundle-cache``.
        layer_version_name: default None (CloudFormation generates one).
        description: default None.
        license: SPDX identifier or URL. Default None.
        removal_policy: for the layer version and its permissions. Default RETAIN (keep old versions).
        grant_accounts: 12-digit account ids allowed to use the layer. Default ().
        organization_id: AWS Organizations id (``o-...``) whose accounts may use the layer. Default None.
        unzipped_size_bytes: size of an ARN-imported layer when known, for :func:`check_layers`.
            Default None (unknown; measured automatically for the other sources).
    """

    requirements_dir: Path | str | None = None
    asset_path: Path | str | None = None
    layer_arn: str | None = None
    compatible_runtimes: tuple[aws_lambda.Runtime, ...] = field(default_factory=lambda: (latest_python_runtime(),))
    compatible_architectures: tuple[aws_lambda.Architecture, ...] = field(
        default_factory=lambda: (aws_lambda.Architecture.ARM_64,)
    )
    pip_options: tuple[str, ...] = ()
    cache_dir: Path | str | None = None
    layer_version_name: str | None = None
    description: str | None = None
    license: str | None = None
    removal_policy: RemovalPolicy = RemovalPolicy.RETAIN
    grant_accounts: tuple[str, ...] = ()
    organization_id: str | None = None
    unzipped_size_bytes: int | None = None


class PythonLayer(Construct):
    """A Lambda layer for Python functions, with typed compatibility and size attributes.

    Attributes:
        layer_version: the CDK layer (pass it to a function's ``layers``).
        compatible_runtimes / compatible_architectures: as declared.
        unzipped_size_bytes / zipped_size_bytes: measured content size (None when imported by ARN
            and not given).
        bundle: the bundling result when built from ``requirements_dir``.
        content_hash: sha256 of the layer content (None when imported by ARN).
        permissions: the ``CfnLayerVersionPermission`` resources created for sharing.
    """

    def __init__(self, scope: Construct, construct_id: str, props: PythonLayerProps) -> None:
        super().__init__(scope, construct_id)
        sources = [s for s in (props.requirements_dir, props.asset_path, props.layer_arn) if s is not None]
        if len(sources) != 1:
            raise fail(
                self,
                "give exactly one of requirements_dir, asset_path or layer_arn",
                value=len(sources),
                fix="set one source; use PythonLayer.from_layer_arn for an existing layer",
            )
        self.compatible_runtimes = self._validated_runtimes(props.compatible_runtimes)
        if not props.compatible_architectures:
            raise fail(self, "compatible_architectures is empty", fix="give at least ARM_64 or X86_64")
        self.compatible_architectures = tuple(props.compatible_architectures)
        self.bundle: BundleResult | None = None
        self.content_hash: str | None = None
        self.unzipped_size_bytes: int | None = props.unzipped_size_bytes
        self.zipped_size_bytes: int | None = None
        self.permissions: tuple[aws_lambda.CfnLayerVersionPermission, ...] = ()

        if props.layer_arn is not None:
            if props.grant_accounts or props.organization_id:
                raise fail(
                    self,
                    "cannot share a layer imported by ARN",
                    value=props.layer_arn,
                    fix="add the permission in the stack that owns the layer",
                )
            self.layer_version: aws_lambda.ILayerVersion = aws_lambda.LayerVersion.from_layer_version_attributes(
                self, "Layer", layer_version_arn=props.layer_arn, compatible_runtimes=list(self.compatible_runtimes)
            )
            return

        code = self._bundled_code(props) if props.requirements_dir is not None else self._asset_code(props)
        layer = aws_lambda.LayerVersion(
            self,
            "Layer",
            code=code,
            compatible_runtimes=list(self.compatible_runtimes),
            compatible_architectures=list(self.compatible_architectures),
            layer_version_name=props.layer_version_name,
            description=props.description,
            license=props.license,
            removal_policy=props.removal_policy,
        )
        self.layer_version = layer
        self.permissions = self._share(layer, props)

    @classmethod
    def from_layer_arn(
        cls,
        scope: Construct,
        construct_id: str,
        layer_arn: str,
        *,
        compatible_runtimes: Sequence[aws_lambda.Runtime] | None = None,
        compatible_architectures: Sequence[aws_lambda.Architecture] | None = None,
        unzipped_size_bytes: int | None = None,
    ) -> PythonLayer:
        """An existing layer version; runtimes/architectures default as in :class:`PythonLayerProps`."""
        defaults = PythonLayerProps()
        return cls(
            scope,
            construct_id,
            PythonLayerProps(
                layer_arn=layer_arn,
                compatible_runtimes=tuple(compatible_runtimes or defaults.compatible_runtimes),
                compatible_architectures=tuple(compatible_architectures or defaults.compatible_architectures),
                unzipped_size_bytes=unzipped_size_bytes,
            ),
        )

    @classmethod
    def powertools(
        cls,
        scope: Construct,
        construct_id: str,
        *,
        runtime: aws_lambda.Runtime | None = None,
        architecture: aws_lambda.Architecture | None = None,
        version: int = POWERTOOLS_DEFAULT_VERSION,
    ) -> PythonLayer:
        """The public Powertools for AWS Lambda (Python) V3 layer for the stack's region.

        ``runtime`` default: Python 3.13; ``architecture`` default: arm64 (read when called: importing the
        library makes no jsii call).
        """
        runtime = aws_lambda.Runtime.PYTHON_3_13 if runtime is None else runtime
        architecture = aws_lambda.Architecture.ARM_64 if architecture is None else architecture
        arn = powertools_layer_arn(scope, runtime=runtime, architecture=architecture, version=version)
        return cls.from_layer_arn(
            scope, construct_id, arn, compatible_runtimes=[runtime], compatible_architectures=[architecture]
        )

    def _validated_runtimes(self, runtimes: Sequence[aws_lambda.Runtime]) -> tuple[aws_lambda.Runtime, ...]:
        if not runtimes:
            raise fail(self, "compatible_runtimes is empty", fix="give at least one Runtime.PYTHON_3_N")
        for runtime in runtimes:
            if not runtime.name.startswith("python3."):
                raise fail(self, "PythonLayer supports Python runtimes only", value=runtime.name)
        return tuple(runtimes)

    def _bundled_code(self, props: PythonLayerProps) -> aws_lambda.Code:
        assert props.requirements_dir is not None
        results: dict[tuple[str, str], BundleResult] = {}
        for runtime in self.compatible_runtimes:
            for architecture in self.compatible_architectures:
                try:
                    results[(runtime.name, architecture.name)] = bundle_python(
                        BundleOptions(
                            source_dir=Path(props.requirements_dir),
                            python_version=python_version_of(runtime),
                            architecture=architecture_of(architecture),
                            layout="layer",
                            pip_options=props.pip_options,
                            cache_dir=Path(props.cache_dir) if props.cache_dir is not None else None,
                            # .pyc files are per Python version: a layer for several runtimes ships none.
                            bytecode=len(self.compatible_runtimes) == 1,
                        ),
                        construct_path=self.node.path,
                    )
                except LambdaConstructsError as error:
                    if error.path:
                        raise
                    raise fail(self, str(error), value=error.value, fix=error.fix) from error
        hashes = {result.sha256 for result in results.values()}
        if len(hashes) > 1:
            targets = ", ".join(f"{r}/{a}: {res.sha256[:12]}" for (r, a), res in sorted(results.items()))
            raise fail(
                self,
                "the requirements bundle differently per runtime/architecture, so one layer cannot serve all",
                value=targets,
                fix="create one PythonLayer per runtime and architecture",
            )
        bundle = next(iter(results.values()))
        if len(self.compatible_runtimes) == 1:
            warn_if_missing(self, python_version_of(self.compatible_runtimes[0]), bundle.bytecode_python)
        self.bundle = bundle
        self.content_hash = bundle.sha256
        self.unzipped_size_bytes = bundle.unzipped_size_bytes
        self.zipped_size_bytes = bundle.zipped_size_bytes
        return aws_lambda.Code.from_asset(str(bundle.zip_path))

    def _asset_code(self, props: PythonLayerProps) -> aws_lambda.Code:
        assert props.asset_path is not None
        path = Path(props.asset_path).resolve()
        if path.is_dir():
            digest = hashlib.sha256()
            for rel, file in iter_files(path):
                digest.update(rel.encode() + b"\0" + hashlib.sha256(file.read_bytes()).digest())
            self.content_hash = digest.hexdigest()
            self.unzipped_size_bytes = tree_size(path)
            has_python = (path / "python").is_dir()
        elif path.is_file() and zipfile.is_zipfile(path):
            self.content_hash = hashlib.sha256(path.read_bytes()).hexdigest()
            with zipfile.ZipFile(path) as archive:
                infos = archive.infolist()
            self.unzipped_size_bytes = sum(info.file_size for info in infos)
            self.zipped_size_bytes = path.stat().st_size
            has_python = any(info.filename.startswith("python/") for info in infos)
        else:
            raise fail(
                self,
                "asset_path is neither a folder nor a zip file",
                value=str(path),
                fix="point asset_path at the layer folder (content under python/) or its .zip",
            )
        if not has_python:
            warn(
                self,
                "layer-without-python-dir",
                f"layer content at {path} has no python/ folder; Python adds only /opt/python to sys.path",
            )
        return aws_lambda.Code.from_asset(str(path))

    def _share(
        self, layer: aws_lambda.LayerVersion, props: PythonLayerProps
    ) -> tuple[aws_lambda.CfnLayerVersionPermission, ...]:
        principals: list[tuple[str, str, str | None]] = []  # (id label, principal, organization id)
        for index, account in enumerate(props.grant_accounts):
            if Token.is_unresolved(account):
                principals.append((f"Account{index}", account, None))
            elif _ACCOUNT.match(account):
                principals.append((f"Account{account}", account, None))
            else:
                raise fail(self, "grant_accounts must hold 12-digit account ids", value=account)
        if props.organization_id is not None:
            if not Token.is_unresolved(props.organization_id) and not _ORGANIZATION.match(props.organization_id):
                raise fail(self, "organization_id must look like o-xxxxxxxxxx", value=props.organization_id)
            principals.append(("Organization", "*", props.organization_id))
        version = self.version_fingerprint(props)[:12]
        permissions = []
        for label, principal, organization_id in principals:
            permission = aws_lambda.CfnLayerVersionPermission(
                self,
                f"Share{label}V{version}",
                action="lambda:GetLayerVersion",
                layer_version_arn=layer.layer_version_arn,
                principal=principal,
                organization_id=organization_id,
            )
            permission.apply_removal_policy(props.removal_policy)
            permissions.append(permission)
        return tuple(permissions)

    def version_fingerprint(self, props: PythonLayerProps) -> str:
        """sha256 of everything that makes CloudFormation publish a new layer version."""
        parts = {
            "content": self.content_hash,
            "runtimes": [runtime.name for runtime in self.compatible_runtimes],
            "architectures": [architecture.name for architecture in self.compatible_architectures],
            "name": props.layer_version_name,
            "description": props.description,
            "license": props.license,
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def powertools_layer_arn(
    scope: Construct,
    *,
    runtime: aws_lambda.Runtime | None = None,
    architecture: aws_lambda.Architecture | None = None,
    version: int = POWERTOOLS_DEFAULT_VERSION,
) -> str:
    """ARN of the public Powertools for AWS Lambda (Python) V3 layer (default: Python 3.13, arm64).

    ``arn:aws:lambda:{region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:{version}``.
    The stack region is used; when it is an unresolved token (environment-agnostic stack) the ARN is
    built with ``Fn.sub`` over ``${AWS::Region}``. Only the ``aws`` partition is covered (China and
    GovCloud publish from other accounts: use ``PythonLayer.from_layer_arn`` there).
    """
    runtime = aws_lambda.Runtime.PYTHON_3_13 if runtime is None else runtime
    architecture = aws_lambda.Architecture.ARM_64 if architecture is None else architecture
    python = python_version_of(runtime)
    if tuple(int(part) for part in python.split(".")) < (3, 9):
        raise fail(scope, "Powertools for AWS Lambda (Python) V3 needs Python 3.9 or newer", value=runtime.name)
    if version < 1:
        raise fail(scope, "Powertools layer version must be a positive integer", value=version)
    name = f"AWSLambdaPowertoolsPythonV3-python{python.replace('.', '')}-{architecture_of(architecture)}"
    region = Stack.of(scope).region
    if Token.is_unresolved(region):
        return Fn.sub(f"arn:aws:lambda:${{AWS::Region}}:{POWERTOOLS_ACCOUNT}:layer:{name}:{version}")
    if region.startswith(("cn-", "us-gov-")):
        raise fail(
            scope,
            "the Powertools layer in this partition is published by another account",
            value=region,
            fix="look up the ARN in the Powertools docs and use PythonLayer.from_layer_arn",
        )
    return f"arn:aws:lambda:{region}:{POWERTOOLS_ACCOUNT}:layer:{name}:{version}"


def check_layers(
    scope: Construct,
    runtime: aws_lambda.Runtime,
    architecture: aws_lambda.Architecture,
    layers: Sequence[PythonLayer | aws_lambda.ILayerVersion],
    code_unzipped_bytes: int,
) -> int:
    """Check a function's layers; return the measured unzipped total (code + layers of known size).

    Raises one :class:`LambdaConstructsError` for ``scope`` listing every problem: more than 5 layers,
    a layer whose compatible runtimes/architectures exclude the function's, or code + layers over
    250 MB unzipped (the message lists each measured size). A plain ``ILayerVersion`` has no known size
    or architectures, so only its declared runtimes are checked.
    """
    problems: list[str] = []
    if len(layers) > MAX_LAYERS:
        problems.append(f"{len(layers)} layers, Lambda allows at most {MAX_LAYERS}")
    sizes: list[str] = [f"code {code_unzipped_bytes:,} B"]
    total = code_unzipped_bytes
    for layer in layers:
        label = layer.node.path
        if isinstance(layer, PythonLayer):
            runtimes: Sequence[aws_lambda.Runtime] | None = layer.compatible_runtimes
            architectures: Sequence[aws_lambda.Architecture] | None = layer.compatible_architectures
            size = layer.unzipped_size_bytes
        else:
            runtimes = layer.compatible_runtimes
            architectures, size = None, None
        if runtimes and runtime_name(runtime) not in {runtime_name(r) for r in runtimes}:
            allowed = ", ".join(runtime_name(r) for r in runtimes)
            problems.append(f"layer {label} is compatible with {allowed}, not {runtime_name(runtime)}")
        if architectures and architecture.name not in {a.name for a in architectures}:
            allowed = ", ".join(a.name for a in architectures)
            problems.append(f"layer {label} is built for {allowed}, not {architecture.name}")
        sizes.append(f"{label} {size:,} B" if size is not None else f"{label} unknown size")
        total += size or 0
    if total > MAX_UNZIPPED_BYTES:
        problems.append(
            f"code + layers unzipped is {total:,} bytes, over the {MAX_UNZIPPED_BYTES:,} byte limit "
            f"({'; '.join(sizes)})"
        )
    if problems:
        raise fail(
            scope,
            "; ".join(problems),
            fix="use at most 5 layers built for the function's runtime and architecture, and move large "
            "dependencies to a container image function if the 250 MB limit is exceeded",
        )
    return total


def check_direct_upload_zip(scope: Construct, zipped_bytes: int) -> None:
    """Raise if a zip sent directly in a Lambda API request is over 50 MB.

    The 50 MB zipped limit applies only to direct uploads (``ZipFile`` in CreateFunction /
    UpdateFunctionCode / PublishLayerVersion). CDK assets (``Code.from_asset``) always go through S3,
    where only the 250 MB unzipped limit applies (see :func:`check_layers`), so do not call this for
    them; it is for tooling that uploads the bundle zip itself.
    """
    if zipped_bytes > MAX_DIRECT_UPLOAD_ZIPPED_BYTES:
        raise fail(
            scope,
            f"zip of {zipped_bytes:,} bytes is over the {MAX_DIRECT_UPLOAD_ZIPPED_BYTES:,} byte direct upload limit",
            value=zipped_bytes,
            fix="upload through S3 (a CDK asset does this) or shrink the bundle",
        )
