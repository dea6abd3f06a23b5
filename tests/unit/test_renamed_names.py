"""Names renamed by issue #20 keep working: the old import paths reach the new objects."""

from __future__ import annotations

import pytest


def test_invoke_alias_spec_is_a_deprecated_name_of_synthesized_alias() -> None:
    from lambda_constructs import invoke
    from lambda_constructs.invoke import assembly
    from lambda_constructs.invoke.assembly import SynthesizedAlias

    for module in (invoke, assembly):
        with pytest.warns(DeprecationWarning, match=r"AliasSpec is deprecated: use SynthesizedAlias"):
            assert module.AliasSpec is SynthesizedAlias  # type: ignore[attr-defined]
    with pytest.warns(DeprecationWarning):
        from lambda_constructs.invoke import AliasSpec  # type: ignore[attr-defined]
    assert AliasSpec is SynthesizedAlias
    assert "AliasSpec" not in invoke.__all__ and "SynthesizedAlias" in invoke.__all__
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        _ = invoke.Nope  # type: ignore[attr-defined]


def test_the_release_file_alias_spec_keeps_its_name() -> None:
    import lambda_constructs
    from lambda_constructs.releases import AliasSpec
    from lambda_constructs.releases.record import AliasSpec as RecordAliasSpec

    assert lambda_constructs.AliasSpec is AliasSpec is RecordAliasSpec
    assert AliasSpec(release="v1").release == "v1"
