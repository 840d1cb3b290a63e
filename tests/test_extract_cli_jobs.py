"""`newsduck extract` over many files in worker processes: same records, same order, same errors as
one process, and a start-up path that does not import Prefect."""

from __future__ import annotations

import gc
import json
import shutil
import subprocess
import sys
from pathlib import Path

from flows.cli import main
from flows.extract_files import MIN_FILES_PER_WORKER, extract_files

from conftest import FIXTURES, REPO


def many_pages(directory: Path, count: int) -> list[Path]:
    """`count` files cycling through the fixture pages and text seeds, each under its own name."""
    sources = sorted((FIXTURES / "pages").glob("*.html")) + sorted((FIXTURES / "seeds").glob("*.txt"))[:4]
    paths = []
    for number in range(count):
        source = sources[number % len(sources)]
        path = directory / f"{number:03d}-{source.name}"
        shutil.copyfile(source, path)
        paths.append(path)
    return paths


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_two_workers_print_the_same_records_in_input_order_as_one(tmp_path, capsys):
    paths = many_pages(tmp_path, 4 * MIN_FILES_PER_WORKER)
    broken = tmp_path / "017-broken.html"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    files = [str(p) for p in paths[:17]] + [str(broken)] + [str(p) for p in paths[17:]]

    one = run_cli(capsys, "extract", "--jobs", "1", *files)
    two = run_cli(capsys, "extract", "--jobs", "2", *files)

    assert one == two
    code, out, err = two
    assert code == 1  # the broken file fails, the others are printed
    assert [json.loads(line)["path"] for line in out.splitlines()] == [f for f in files if f != str(broken)]
    assert err.startswith(f"newsduck: {broken}:") and len(err.splitlines()) == 1


def test_workers_leave_the_garbage_collector_as_they_found_it(tmp_path):
    items = [(str(p), None) for p in many_pages(tmp_path, 2 * MIN_FILES_PER_WORKER)]
    results = list(extract_files(items, jobs=2))
    assert [name for name, _, _ in results] == [name for name, _ in items]
    assert all(record is not None for _, record, _ in results)
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_workers_collect_garbage_after_each_page_not_during_it(tmp_path, monkeypatch):
    # a page's tree is a web of reference cycles: scanned once after the page, not over and over while it is read
    import flows.extract_files as extract_files_module

    real_extract_one = extract_files_module.extract_one

    def extract_one_noting_the_collector(item):
        before = gc.get_count()[0]
        name, record, error = real_extract_one(item)
        return name, {"automatic": gc.isenabled(), "before": before, "after": gc.get_count()[0]}, error

    monkeypatch.setattr(extract_files_module, "extract_one", extract_one_noting_the_collector)
    items = [(str(p), None) for p in many_pages(tmp_path, 2 * MIN_FILES_PER_WORKER)]
    for jobs in (1, 2):
        seen = [record for _, record, _ in extract_files(items, jobs=jobs)]
        assert not any(r["automatic"] for r in seen)  # off in the workers, and in the one-process loop
        # each page starts with an empty young generation, which grows past the automatic threshold
        # (700 objects) on a big page without being collected
        assert max(r["before"] for r in seen) < gc.get_threshold()[0]
        assert max(r["after"] for r in seen) > gc.get_threshold()[0]
        assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_heap_the_workers_inherit_holds_no_garbage():
    # the warm-up page's reference cycles are collected before the parent's heap is frozen for the workers
    script = ("import gc\nfrom flows.extract_files import warm_up_parsers\n"
              "warm_up_parsers()\ngc.unfreeze()\nprint(gc.collect())")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0"]


def test_a_page_leaves_no_garbage_behind():
    # in a process of its own, as the extract workers run: the collector's counts are the process's, and a thread
    # that an earlier test left running in this one (a Prefect client's) would add its allocations to them
    page = str(FIXTURES / "pages" / "fanfu-repost-51919.html")
    script = ("import gc\nfrom flows.extract_files import extract_then_collect\n"
              "gc.collect()\ngc.disable()\n"
              f"name, record, error = extract_then_collect(({page!r}, None))\n"
              "counts = gc.get_count()[:2]\n"
              "print(record is not None and error is None, counts == (0, 0), gc.collect())")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # extracted; the page's cycles were collected on its way out, and nothing is left to collect
    assert done.stdout.split() == ["True", "True", "0"]


def test_the_extract_program_ends_without_the_final_collections(capsys):
    # the interpreter's garbage collections at exit cost 0.1-0.3 s and free nothing an ending process needs
    page = str(FIXTURES / "pages" / "fanfu-repost-51919.html")
    # registered before flows.cli registers its freeze, so it runs after it (atexit runs last-in, first-out)
    script = ("import atexit, gc, sys\n"
              "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"
              "from flows.cli import main\n"
              f"sys.argv = ['newsduck', 'extract', {page!r}]\nsys.exit(main())")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert json.loads(lines[0])["path"] == page and len(lines) == 2
    assert lines[-1] == "frozen at exit: True"
    # called as a function (tests, other Python code), it leaves the collector alone
    assert run_cli(capsys, "extract", page)[0] == 0
    assert gc.get_freeze_count() == 0


def test_extract_does_not_import_prefect(tmp_path):
    # start-up is part of every `newsduck extract` run: Prefect alone takes longer to import than a page takes to parse
    page = str(FIXTURES / "pages" / "fanfu-repost-51919.html")
    script = ("import sys\nfrom flows.cli import main\n"
              f"assert main(['extract', {page!r}]) == 0\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] in ('prefect', 'duckdb', 'httpx')))")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
