"""EFS for a :class:`~lambda_constructs.function.SecureFunction`: a file system is mounted, not a trigger.

:func:`efs_mount` creates an access point (a fixed POSIX user, a root directory created with
restrictive permissions) and returns the ``lambda_.FileSystem`` to pass as ``filesystem=``. CDK then
grants ``elasticfilesystem:ClientMount``/``ClientWrite`` on that file system through that access
point only, opens NFS (2049) from the function's security group, and orders the function after the
mount targets.
"""

from __future__ import annotations

import re

from aws_cdk import Stack, Token
from aws_cdk import aws_efs as efs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from lambda_constructs.errors import fail

MOUNT_PATH = re.compile(r"^/mnt/[a-zA-Z0-9._-]+$")


def efs_mount(
    scope: Construct,
    construct_id: str,
    file_system: efs.IFileSystem,
    *,
    mount_path: str = "/mnt/data",
    root_path: str = "/lambda",
    uid: str = "1001",
    gid: str = "1001",
) -> lambda_.FileSystem:
    """An access point on ``file_system`` and the mount for ``filesystem=`` (mount path ``/mnt/<name>``).

    Defaults: mounted at ``/mnt/data``, root directory ``/lambda`` owned by 1001:1001 with mode 750.
    """
    if not Token.is_unresolved(mount_path) and not MOUNT_PATH.match(mount_path):
        raise fail(
            scope,
            "mount_path must be /mnt/<name> (Lambda mounts EFS under /mnt)",
            value=mount_path,
            fix="use e.g. /mnt/data",
        )
    access_point = efs.AccessPoint(
        scope,
        construct_id,
        file_system=file_system,
        path=root_path,
        posix_user=efs.PosixUser(uid=uid, gid=gid),
        create_acl=efs.Acl(owner_uid=uid, owner_gid=gid, permissions="750"),
    )
    # lambda_.FileSystem.from_efs_access_point grants ClientMount on Resource "*" (conditioned on the access
    # point); ClientMount takes the file-system ARN, so both grants name this file system only.
    file_system_arn = Stack.of(access_point).format_arn(
        service="elasticfilesystem", resource="file-system", resource_name=file_system.file_system_id
    )
    return lambda_.FileSystem(
        arn=access_point.access_point_arn,
        local_mount_path=mount_path,
        connections=file_system.connections,
        dependency=[file_system.mount_targets_available],
        policies=[
            iam.PolicyStatement(
                actions=["elasticfilesystem:ClientMount"],
                resources=[file_system_arn],
                conditions={"StringEquals": {"elasticfilesystem:AccessPointArn": access_point.access_point_arn}},
            ),
            iam.PolicyStatement(
                actions=["elasticfilesystem:ClientWrite"],
                resources=[file_system_arn],
                conditions={"StringEquals": {"elasticfilesystem:AccessPointArn": access_point.access_point_arn}},
            ),
        ],
    )
