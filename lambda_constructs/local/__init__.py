"""Local AWS: the CDK app deployed (created and updated) by the real CDK CLI into an emulator on 127.0.0.1.

Installed with ``pip install lambda-constructs[local]`` (brings the pinned moto). Modules:

* :mod:`~lambda_constructs.local.server` and :mod:`~lambda_constructs.local.launch`: start/stop the
  emulator process (moto's server with this package's models);
* :mod:`~lambda_constructs.local.models`, :mod:`~lambda_constructs.local.models_lambda`,
  :mod:`~lambda_constructs.local.models_services`, :mod:`~lambda_constructs.local.models_iam`,
  :mod:`~lambda_constructs.local.models_sqs`: the CloudFormation resource models moto lacks or gets wrong;
* :mod:`~lambda_constructs.local.updates`: stack updates as CloudFormation does them (change sets per
  stack, dependency order, removals last, ``Retain``, outputs and exports);
* :mod:`~lambda_constructs.local.rules`: AWS's stateful Lambda rules the emulator enforces;
* :mod:`~lambda_constructs.local.deploy`: the real CDK CLI against the emulator;
* :mod:`~lambda_constructs.local.verify`, :mod:`~lambda_constructs.local.invoke`: compare the deployed
  state with the assembly (intrinsic functions resolved by :mod:`~lambda_constructs.local.resolve`), run handlers of deployed aliases (Python through
  :mod:`lambda_constructs.invoke.runner`, the runner of ``python -m lambda_constructs invoke``);
* :mod:`~lambda_constructs.local.expectations`: the event each function of the example app gets and
  the answers that are expected errors in the emulator;
* :mod:`~lambda_constructs.local.cli`: ``python -m lambda_constructs local start|deploy|verify|stop``.

See docs/local.md.
"""
