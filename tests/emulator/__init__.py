"""Local AWS emulator (moto server) target for deploying CDK apps with the real CDK CLI."""
