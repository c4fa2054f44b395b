"""Background imports of the labelling libraries during a run."""

import subprocess
import sys

from simulate.engine import prefetch


def test_wait_without_prefetch_returns_at_once():
    prefetch.wait_for_imports()


def test_prefetch_imports_the_modules_and_skips_absent_ones():
    # A fresh interpreter: this one has imported xarray long ago.
    code = (
        "import sys\n"
        "from simulate.engine import prefetch\n"
        "assert 'xarray' not in sys.modules\n"
        "prefetch.prefetch_imports(('xarray', 'no_such_package_xyz.sub'))\n"
        "prefetch.prefetch_imports(('json',))  # once per process: ignored\n"
        "prefetch.wait_for_imports()\n"
        "assert 'xarray' in sys.modules\n"
        "assert 'no_such_package_xyz' not in sys.modules\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_a_failing_import_is_left_to_the_main_thread(tmp_path):
    (tmp_path / "broken_mod_xyz.py").write_text("raise RuntimeError('boom')\n")
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "from simulate.engine import prefetch\n"
        "prefetch.prefetch_imports(('broken_mod_xyz',))\n"
        "prefetch.wait_for_imports()\n"
        "try:\n"
        "    import broken_mod_xyz\n"
        "except RuntimeError as exc:\n"
        "    print('raised', exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "raised boom"
