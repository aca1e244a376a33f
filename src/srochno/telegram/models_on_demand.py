"""aiogram's Bot API models (its types and its methods), each built when first used.

aiogram defines about 440 pydantic models for the Bot API's types and 190 for its methods.
When ``aiogram.types`` is imported it rebuilds every type, each rebuild inlining the
schemas of the types it refers to that are not built yet, so the same schemas are built
hundreds of times; the methods are built as their classes are defined. Together about
135 MB and seconds of CPU in every process that imports the bot, most of it for models the
process never meets (a request process reads updates and calls a few methods; what an
``Update`` holds costs about 4 MB).

:func:`install` (called once, by the package's ``__init__``, before anything imports
aiogram) changes two steps of that import:

* the types' rebuild loop records the namespace it would resolve annotations with instead
  of building, and each type module gets those names;
* the methods' base class defers its subclasses' build (pydantic's ``defer_build``), and
  each method module gets the same names.

Pydantic then builds a model the first time it validates or constructs one (its usual
path for a model defined before what it refers to, or deferred).
``tests/bot/test_models_on_demand.py`` builds every type and method that way and compares
each with what aiogram's own import builds.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Any

TYPES = "aiogram.types"
METHODS = "aiogram.methods"
METHODS_BASE = "aiogram.methods.base"

_namespaces: list[dict[str, Any]] = []
"""What aiogram's loop would have resolved the types' annotations with."""


@contextmanager
def _rebuilds_recorded() -> Iterator[None]:
    """While the types' package runs: its loop's ``model_rebuild(_types_namespace=...)`` of
    an aiogram type records the namespace instead of building; any other rebuild runs."""
    from pydantic import BaseModel

    original = BaseModel.__dict__["model_rebuild"]

    def model_rebuild(cls: type[BaseModel], *args: Any, **kwargs: Any) -> bool | None:
        namespace = kwargs.get("_types_namespace")
        if namespace is not None and cls.__module__.startswith(TYPES + "."):
            if not any(known is namespace for known in _namespaces):
                _namespaces.append(namespace)
            return None
        return original.__func__(cls, *args, **kwargs)  # type: ignore[no-any-return]

    BaseModel.model_rebuild = classmethod(model_rebuild)  # type: ignore[assignment,method-assign]
    try:
        yield
    finally:
        BaseModel.model_rebuild = original  # type: ignore[method-assign]


def _give_names(package: str) -> None:
    """Each module of ``package`` gets the names the types' annotations use (the types,
    ``Default``, the typing aliases) where it does not define them itself."""
    for name, module in list(sys.modules.items()):
        if name.startswith(package + ".") and module is not None:
            for namespace in _namespaces:
                for key, value in namespace.items():
                    module.__dict__.setdefault(key, value)


def _types_loaded(run: Callable[[], None]) -> None:
    with _rebuilds_recorded():
        run()
    _give_names(TYPES)


def _methods_base_loaded(run: Callable[[], None], module: ModuleType) -> None:
    run()
    module.TelegramMethod.model_config["defer_build"] = True


def _methods_loaded(run: Callable[[], None]) -> None:
    run()
    _give_names(METHODS)


class _Loader(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader, fullname: str) -> None:
        self._loader = loader
        self._fullname = fullname

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        def run() -> None:
            self._loader.exec_module(module)

        if self._fullname == TYPES:
            _types_loaded(run)
        elif self._fullname == METHODS_BASE:
            _methods_base_loaded(run, module)
        else:
            _methods_loaded(run)

    def __getattr__(self, name: str) -> Any:  # resources and the like: the real loader's
        return getattr(self._loader, name)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in (TYPES, METHODS, METHODS_BASE):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec: importlib.machinery.ModuleSpec | None = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _Loader(spec.loader, fullname)
                return spec
        return None


def install() -> None:
    """Once per process, and only if aiogram is not imported yet."""
    if "aiogram" in sys.modules or any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _Finder())
