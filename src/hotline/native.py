"""The engine's hot modules compiled to C by mypyc, from the same Python source: one engine, two speeds.

``make install`` runs ``hotline native build``: mypyc compiles the modules in ``MODULES`` into
``src/hotline/_native/`` (git-ignored) and writes a manifest of every source file of the package (size,
modification time, SHA-256). At import, the packages that hold compiled modules put that folder first on
their ``__path__`` (``package_path``), but only when the manifest still describes the sources on disk, for
this Python: after any edit, until the next build, the package runs as plain Python, never stale code.
The build then warms a start-up cache (``hotline.cache``) in a folder of its own with ``hotline inspect --samples``
and keeps its files in ``_native/startup`` (``seed``): a user's first ``hotline inspect`` reads the validated
rulebook, data files and regex codes from there instead of building them (a first start costs twice a warm one).
``HOTLINE_NATIVE=0`` turns the compiled modules off; ``hotline native status`` says which runs."""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

from hotline.errors import HotlineError

PACKAGE = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE.parent
NATIVE_DIR = PACKAGE / "_native"
MANIFEST = "manifest.json"

# Modules compiled, by path under src/. A module here must not define pydantic models (mypyc checks a class
# attribute's declared type against the pydantic Field object) and must not be monkeypatched from outside.
MODULES = [
    "hotline/inspect/operators.py",
    "hotline/inspect/verdicts.py",
    "hotline/inspect/context.py",
    "hotline/inspect/plan.py",
    "hotline/inspect/timing.py",
    "hotline/inspect/results.py",
    "hotline/inspect/compiled.py",
    "hotline/inspect/engine.py",
    "hotline/inspect/scoring.py",
    "hotline/inspect/goals.py",
    "hotline/inspect/similar.py",
    "hotline/acts/model.py",
    "hotline/citizen/satisfaction.py",
    "hotline/citizen/emotion.py",
    "hotline/acts/segment.py",
    "hotline/acts/features.py",
    "hotline/acts/hashing.py",
    "hotline/text.py",
    "hotline/model.py",
    "hotline/redact.py",
    "hotline/citizen/block.py",
    "hotline/citizen/triage.py",
    "hotline/formats/records.py",
    "hotline/formats/jsonfmt.py",
    "hotline/formats/writers.py",
]

# Hand-written C kernels (``hotline._kernels``), built in the same setup call into the same folder: module name ->
# its C source, by path under src/. Their sources are in the manifest beside the modules': an edited .c is stale.
KERNELS = {
    "hotline._kernels.scan": "hotline/_kernels/scan.c",
    "hotline._kernels.acts": "hotline/_kernels/acts.c",
    "hotline._kernels.features": "hotline/_kernels/features.c",
    "hotline._kernels.citizen": "hotline/_kernels/citizen.c",
    "hotline._kernels.chars": "hotline/_kernels/chars.c",
    "hotline._kernels.context": "hotline/_kernels/context.c",
    "hotline._kernels.mask": "hotline/_kernels/mask.c",
    "hotline._kernels.records": "hotline/_kernels/records.c",
}


# The type checker's settings for the build, as in pyproject.toml's [tool.mypy]
MYPY_CONFIG = """[mypy]
python_version = 3.11
ignore_missing_imports = True
plugins = pydantic.mypy
"""


def _abi() -> str:
    return f"{sys.implementation.cache_tag}-{sys.platform}-{os.uname().machine}"


def _sources() -> dict[str, str]:
    """Every source file of the package: its path under src/ (the manifest's key) -> its path. Plain strings, as
    ``state`` checks them at every start (a ``Path`` per file and ``relative_to`` cost ~10 ms of start-up)."""
    out: dict[str, str] = {}
    skip = len(os.path.join(str(SOURCE_ROOT), ""))  # the root and its separator
    for root, dirs, files in os.walk(PACKAGE):
        dirs[:] = [d for d in dirs if d not in ("_native", "__pycache__", "data")]  # data holds no module
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(root, name)
                out[path[skip:]] = path
    return dict(sorted(out.items()))


def _kernel_sources() -> dict[str, str]:
    """The kernels' C sources, as ``_sources`` gives the modules'."""
    return {rel: os.path.join(str(SOURCE_ROOT), rel) for rel in KERNELS.values()}


def _digest(path: str) -> str:
    import hashlib  # only for a file whose modification time moved: OpenSSL costs every start ~10 ms

    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def _describe(path: str) -> list[object]:
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns, _digest(path)]


@functools.cache
def state() -> tuple[Path | None, str]:
    """(the folder of compiled modules to use, or None; why, in Chinese)."""
    if os.environ.get("HOTLINE_NATIVE", "1") == "0":
        return None, "已按 HOTLINE_NATIVE=0 关闭编译模块，以纯 Python 运行"
    manifest = NATIVE_DIR / MANIFEST
    try:
        saved = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, "尚未编译（make install 会编译），以纯 Python 运行"
    if saved.get("abi") != _abi():
        return None, "编译模块不属于当前 Python，以纯 Python 运行（请重新 make install）"
    files: dict[str, list[object]] = saved.get("files", {})
    on_disk = _sources()
    # a kernel's C source is checked when the build made it (a build from before the kernels has none to go stale:
    # it cannot be imported from there, and the Python path runs)
    on_disk.update((rel, path) for rel, path in _kernel_sources().items() if rel in files)
    if files.keys() != on_disk.keys():
        return None, "源代码文件有增删，编译模块已过期，以纯 Python 运行（请重新 make install）"
    for rel, path in on_disk.items():
        size, mtime, digest = files[rel]
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None, "源代码文件有增删，编译模块已过期，以纯 Python 运行（请重新 make install）"
        if st.st_size != size or (st.st_mtime_ns != mtime and _digest(path) != digest):
            return None, f"{rel} 编译后有改动，编译模块已过期，以纯 Python 运行（请重新 make install）"
    if str(NATIVE_DIR) not in sys.path:
        sys.path.append(str(NATIVE_DIR))  # the shared library the compiled modules load
    return NATIVE_DIR, f"使用编译模块（{len(saved.get('modules', []))} 个）"


def package_path(name: str, path: list[str]) -> list[str]:
    """A package's ``__path__`` with its compiled modules first, when they are current."""
    root, _ = state()
    if root is None:
        return path
    folder = root.joinpath(*name.split("."))
    return [str(folder), *path] if folder.is_dir() else path


def active(module: str) -> bool:
    """Whether ``module`` (already imported) runs compiled."""
    return Path(getattr(sys.modules[module], "__file__", "") or "").suffix in (".so", ".pyd")


def build(out: Path = NATIVE_DIR) -> None:
    """Compile ``MODULES`` with mypyc, and ``KERNELS``, into ``out`` (replaced whole, only once the build
    succeeded)."""
    import shutil
    import subprocess
    import tempfile

    files = {rel: _describe(path) for rel, path in {**_sources(), **_kernel_sources()}.items()}
    with tempfile.TemporaryDirectory(prefix="hotline-native-") as tmp:
        lib, temp, config = Path(tmp) / "lib", Path(tmp) / "temp", Path(tmp) / "mypy.ini"
        config.write_text(MYPY_CONFIG, encoding="utf-8")  # its own: an installed package has no pyproject.toml
        script = (
            "import sys\n"
            "from setuptools import Extension, setup\n"
            "from mypyc.build import mypycify\n"
            f"mods = mypycify({MODULES!r} + ['--config-file', {str(config)!r}],"
            f" opt_level='3', target_dir={str(Path(tmp) / 'c')!r})\n"
            f"mods += [Extension(name, [source]) for name, source in {KERNELS!r}.items()]\n"
            f"setup(name='hotline-native', ext_modules=mods, script_args=['-q', 'build_ext', '--build-lib', "
            f"{str(lib)!r}, '--build-temp', {str(temp)!r}])\n"
        )
        done = subprocess.run([sys.executable, "-c", script], cwd=SOURCE_ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
            raise HotlineError("编译模块失败（见上方 mypyc 与 C 编译器的输出）；质检仍以纯 Python 运行，结果相同")
        # the manifest goes first and comes back last: a process starting meanwhile runs as plain Python
        (out / MANIFEST).unlink(missing_ok=True)
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(lib, out)
        part = out / f"{MANIFEST}.part"
        built = [*MODULES, *KERNELS.values()]
        part.write_text(json.dumps({"abi": _abi(), "modules": built, "files": files}, indent=0), encoding="utf-8")
        os.replace(part, out / MANIFEST)
    seed(out)


def seed(out: Path = NATIVE_DIR) -> bool:
    """Run ``hotline inspect --samples`` with an empty cache folder of its own, and keep the cache files it wrote
    in ``out``'s ``startup`` folder (``hotline.cache.SEED``, replaced whole), where ``hotline.cache`` looks for a
    slot the user's folder does not hold. They are keyed as the user's are (the package's code, data and
    libraries as they are now): after an edit or an upgrade they are another key's and pass unused until the next
    build. False (and no seed) when the run failed: every first start then builds its cache as before."""
    import shutil
    import subprocess
    import tempfile

    from hotline.cache import SEED

    target = out / SEED[-1]
    if target.exists():
        shutil.rmtree(target)
    with tempfile.TemporaryDirectory(prefix="hotline-seed-") as tmp:
        env = {**os.environ, "XDG_CACHE_HOME": tmp, "HOTLINE_CACHE": "1",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(SOURCE_ROOT), os.environ.get("PYTHONPATH")]))}
        script = ("import sys\nfrom hotline.cli import main\n"
                  f"sys.argv = ['hotline', 'inspect', '--samples', '-o', {str(Path(tmp) / 'samples.jsonl')!r}]\n"
                  "main()\n")
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
        written = sorted((Path(tmp) / "hotline").glob("*.pickle"))
        if done.returncode not in (0, 1) or not written:
            return False
        part = out / f"{SEED[-1]}.part"
        if part.exists():
            shutil.rmtree(part)
        part.mkdir(mode=0o755)
        for file in written:
            shutil.copyfile(file, part / file.name)
            os.chmod(part / file.name, 0o644)
        os.replace(part, target)
    return True

