"""Import a user's own modules, which register methods (kvopt.method.register), policies, job kinds or
instance generators: by module name (importable from the current directory too), or by the path of a
.py file. `kvopt --plugin ...` and the `plugins` of a sweep config go through here."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

from kvopt.errors import InputError


def import_plugin(plugin: str) -> None:
    """Import `plugin`: a file path ending in .py, or a module name."""
    try:
        if plugin.endswith(".py"):
            _import_file(Path(plugin))
        else:
            if "" not in sys.path and str(Path.cwd()) not in sys.path:
                sys.path.append(str(Path.cwd()))
            importlib.import_module(plugin)
    except ImportError as error:
        raise InputError(f"cannot import plugin module {plugin!r}: {error}") from None
    except Exception as error:  # the user's module failed: say where, without a traceback
        raise InputError(f"plugin module {plugin!r} failed on import: {type(error).__name__}: {error}") from None


def import_plugins(plugins: tuple[str, ...] | list[str]) -> None:
    for plugin in plugins:
        import_plugin(plugin)


def _import_file(path: Path) -> None:
    path = path.resolve()
    if not path.is_file():
        raise ImportError(f"no such file {path}")
    name = f"kvopt_plugin_{path.stem}"
    if sys.modules.get(name) is not None and getattr(sys.modules[name], "__file__", None) == str(path):
        return  # imported already: registering its methods twice would fail
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
