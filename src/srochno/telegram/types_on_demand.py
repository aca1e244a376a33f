"""aiogram's Bot API types, each validated by a schema built when first used.

aiogram defines about 440 pydantic models for the Bot API's types and, when
``aiogram.types`` is imported, rebuilds every one of them. Each rebuild inlines the
schemas of the models it refers to that are not built yet, so the loop builds the same
schemas hundreds of times: about 110 MB and seconds of CPU in every process that imports
the bot, most of it for types the process never sees (a request process reads updates and
a few method results; building what an ``Update`` holds costs about 4 MB).

:func:`install` (called once, by the package's ``__init__``, before anything imports
aiogram) makes that import skip the loop and give each type module the names the loop
would have resolved its annotations with; pydantic then builds a model the first time it
validates or constructs one (its usual path for a model defined before what it refers
to). ``tests/telegram/test_types_on_demand.py`` builds every type that way.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Any

PACKAGE = "aiogram.types"


@contextmanager
def _rebuilds_recorded(namespaces: list[dict[str, Any]]) -> Iterator[None]:
    """While the package runs: its loop's ``model_rebuild(_types_namespace=...)`` of an
    aiogram type records the namespace instead of building; any other rebuild runs."""
    from pydantic import BaseModel

    original = BaseModel.__dict__["model_rebuild"]

    def model_rebuild(cls: type[BaseModel], *args: Any, **kwargs: Any) -> bool | None:
        namespace = kwargs.get("_types_namespace")
        if namespace is not None and cls.__module__.startswith(PACKAGE + "."):
            if not namespaces or namespaces[-1] is not namespace:
                namespaces.append(namespace)
            return None
        return original.__func__(cls, *args, **kwargs)  # type: ignore[no-any-return]

    BaseModel.model_rebuild = classmethod(model_rebuild)  # type: ignore[assignment,method-assign]
    try:
        yield
    finally:
        BaseModel.model_rebuild = original  # type: ignore[method-assign]


def _give_names(namespaces: list[dict[str, Any]]) -> None:
    """Each type module gets the names its annotations use (the other types, ``Default``,
    the typing aliases) where it does not define them itself."""
    for name, module in list(sys.modules.items()):
        if name.startswith(PACKAGE + ".") and module is not None:
            for namespace in namespaces:
                for key, value in namespace.items():
                    module.__dict__.setdefault(key, value)


class _Loader(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        namespaces: list[dict[str, Any]] = []
        with _rebuilds_recorded(namespaces):
            self._loader.exec_module(module)
        _give_names(namespaces)

    def __getattr__(self, name: str) -> Any:  # resources and the like: the real loader's
        return getattr(self._loader, name)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != PACKAGE:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec: importlib.machinery.ModuleSpec | None = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _Loader(spec.loader)
                return spec
        return None


def install() -> None:
    """Once per process, and only if aiogram's types are not imported yet."""
    if PACKAGE in sys.modules or any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _Finder())
