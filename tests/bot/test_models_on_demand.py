"""aiogram's models (types and methods) are built on first use in a process that imported
Srochno first (:mod:`srochno.telegram.models_on_demand`): every one of them builds that
way, each field resolved to the type aiogram's own import resolves it to, and a process
that never meets a model never pays for it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCHEMAS = textwrap.dedent(
    """
    import hashlib, json, re, sys
    if sys.argv[1] == "aiogram first":
        import aiogram.types
    import srochno.app
    import aiogram.methods as methods
    import aiogram.types as types
    from pydantic import BaseModel, ValidationError

    models = [
        getattr(package, name)
        for package in (types, methods)
        for name in package.__all__
        if isinstance(getattr(package, name), type)
        and issubclass(getattr(package, name), BaseModel)
        and not getattr(package, name).__pydantic_generic_metadata__["parameters"]
    ]
    built_at_import = sorted(m.__name__ for m in models if m.__pydantic_complete__)

    def first_use(model):
        try:
            model.model_validate({})  # builds the schema, then (mostly) refuses {}
        except ValidationError:
            pass

    for model in models:
        first_use(model)
    def shape(model):  # the type every field resolved to (a function's address left out)
        return {
            name: re.sub(" at 0x[0-9a-f]+", "", repr(field.annotation))
            for name, field in model.model_fields.items()
        }

    fields = {m.__module__ + "." + m.__name__: shape(m) for m in models}
    print(json.dumps({
        "models": len(models),
        "built_at_import": built_at_import,
        "incomplete": sorted(m.__name__ for m in models if not m.__pydantic_complete__),
        "fields": hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest(),
    }))
    """
)


def run(*orders: str) -> list[dict[str, object]]:
    """The script's answer in a fresh process per order (the processes run at once)."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", SCHEMAS, order],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for order in orders
    ]
    results: list[dict[str, object]] = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr[-3000:]
        results.append(json.loads(stdout.strip().splitlines()[-1]))
    return results


def test_every_type_and_method_builds_on_first_use_as_aiogram_s_own_import_does() -> None:
    on_demand, eager = run("srochno first", "aiogram first")
    assert on_demand["models"] == eager["models"]
    assert isinstance(on_demand["models"], int)
    assert on_demand["models"] > 500
    # Imported through Srochno, no type or method is built until used (the methods' small
    # request envelope aside); aiogram's own import builds them all.
    assert set(on_demand["built_at_import"]) <= {"Request"}
    assert len(eager["built_at_import"]) == eager["models"]
    assert on_demand["incomplete"] == eager["incomplete"] == []
    assert on_demand["fields"] == eager["fields"]
