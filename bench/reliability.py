"""Reliability in figures: crashes, two writers, a full disk, hostile servers and bad input, each tried on the
real `newsduck` CLI in subprocesses against real HTTP servers on 127.0.0.1 and real DuckDB files.

Sections (all by default; `--sections` picks some):
  kill-crawl   kill -9 a crawl of a local N-page site at a random moment, run it again, check the warehouse
  kill-ingest  the same for an ingest of N saved pages
  writers      two ingests into one file at once
  disk-full    an ingest into a file system too small for it (a tmpfs, when this runs as root)
  hostile      one ingest per hostile server: wall time, peak memory of the process, what was stored
  bad-input    every command with bad arguments, files and configuration: tracebacks, exit codes,
               "unexpected error" lines

The integrity check after a crash compares the warehouse with a clean run of the same input: same articles
(a digest of url, title and body), no article without paragraphs, no child row without its article, no URL
stored twice, no run left `running`, every article in the search index or queued for it, and no stored
article fetched again by the rerun. A failure is printed and makes the exit status 1.

    python -m bench.reliability                       # the figures of docs/reliability.md (~30 minutes)
    python -m bench.reliability --trials 2 --pages 60 --sections kill-ingest bad-input   # a quick look
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit

from bench.crawl import article_html, article_path, sitemap_xml

PROJECT = Path(__file__).resolve().parent.parent
SECTIONS = ("kill-crawl", "kill-ingest", "writers", "disk-full", "hostile", "bad-input")
COMMAND_TIMEOUT = 300.0

# ------------------------------------------------------------------------------------------- environment


class Workspace:
    """A temporary home for one benchmark: HOME, NEWSDUCK_HOME and PREFECT_HOME inside it, one shared Prefect
    server for every command (`newsduck server start`), and `run` to call the CLI there."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith(("PREFECT_", "NEWSDUCK_")) and key.lower() not in
                    ("http_proxy", "https_proxy", "all_proxy")}
        self.env.update(HOME=str(root / "home"), NEWSDUCK_HOME=str(root / "home" / ".newsduck"),
                        PREFECT_HOME=str(root / "home" / ".newsduck" / "prefect"),
                        PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_LOGGING_LEVEL="WARNING",
                        PYTHONPATH=str(PROJECT), NO_PROXY="*")
        (root / "home").mkdir(parents=True, exist_ok=True)
        self.newsduck = [sys.executable, "-m", "flows.cli"]

    def start_server(self) -> None:
        done = self.run("server", "start", timeout=180)
        if done.code != 0:
            raise RuntimeError(f"newsduck server start failed: {done.err.strip()}")

    def stop_server(self) -> None:
        self.run("server", "stop", timeout=60)

    def run(self, *argv: str | bytes, stdin: bytes | None = None, timeout: float = COMMAND_TIMEOUT,
            cwd: Path | None = None) -> "Done":
        return run_measured([*self.newsduck, *argv], env=self.env, cwd=cwd or self.root, stdin=stdin,
                            timeout=timeout)

    def popen(self, *argv: str) -> subprocess.Popen:
        return subprocess.Popen([*self.newsduck, *argv], env=self.env, cwd=self.root, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)


@dataclass
class Done:
    """One finished command: exit code (None: killed after the timeout), output, wall time, peak RSS."""
    code: int | None
    out: str
    err: str
    wall_s: float
    peak_rss_mb: float


def run_measured(argv: list, *, env: dict, cwd: Path, stdin: bytes | None = None,
                 timeout: float = COMMAND_TIMEOUT) -> Done:
    """Run a command in its own session; its peak RSS is the largest of its process tree's (wait4 of each)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.PIPE if stdin is not None else
                                   subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
        if stdin is not None:
            process.stdin.write(stdin)
            process.stdin.close()
        code, rss = wait_with_rusage(process, timeout)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return Done(code, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                    round(wall, 2), round(rss / 1024, 1))


def wait_with_rusage(process: subprocess.Popen, timeout: float) -> tuple[int | None, int]:
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process.returncode, usage.ru_maxrss
        if time.monotonic() > deadline:
            kill_group(process)
            _, _, usage = os.wait4(process.pid, 0)
            process.returncode = -9
            return None, usage.ru_maxrss
        time.sleep(0.02)


def kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


# --------------------------------------------------------------------------------------- the local news site


class QuietServer(ThreadingHTTPServer):
    """A threaded HTTP server that does not print the connections its clients drop (a killed crawl drops many)."""
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass


class CountingSite:
    """A news site on 127.0.0.1 with `pages` articles and a sitemap; counts the requests of every path."""

    def __init__(self, pages: int, latency: float = 0.0) -> None:
        self.requests: collections.Counter[str] = collections.Counter()
        lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path = self.path.split("?", 1)[0]
                with lock:
                    site.requests[path] += 1
                time.sleep(latency)
                if path == "/robots.txt":
                    self.reply(200, "text/plain", b"User-agent: *\nAllow: /\n")
                elif path == "/sitemap.xml":
                    self.reply(200, "application/xml", sitemap_xml(site.origin, pages))
                elif path.startswith("/20") and path.endswith(".html"):
                    number = int(path.rsplit("_", 1)[1][:-5])
                    self.reply(200, "text/html; charset=utf-8", article_html(0, number))
                else:
                    self.reply(404, "text/plain", b"not found")

            def reply(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def article_requests(self) -> collections.Counter[str]:
        return collections.Counter({path: n for path, n in self.requests.items() if path.endswith(".html")})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def write_sources(path: Path, origin: str) -> None:
    path.write_text(f'[[source]]\nname = "bench-site"\nstart_urls = [{{ url = "{origin}/sitemap.xml", '
                    f'kind = "sitemap" }}]\nmin_delay = 0\nconcurrency = 8\n', encoding="utf-8")


def write_pages(directory: Path, count: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for number in range(1, count + 1):
        (directory / f"page_{number:05d}.html").write_bytes(article_html(1, number))
    return directory


# ------------------------------------------------------------------------------------------ integrity check


INTEGRITY_SQL = {
    "articles without paragraphs": """SELECT count(*) FROM articles a WHERE NOT EXISTS
        (SELECT 1 FROM paragraphs p WHERE p.article_id = a.article_id)""",
    "orphan child rows": """SELECT (SELECT count(*) FROM paragraphs WHERE article_id NOT IN (SELECT article_id FROM articles))
        + (SELECT count(*) FROM images WHERE article_id NOT IN (SELECT article_id FROM articles))
        + (SELECT count(*) FROM article_people WHERE article_id NOT IN (SELECT article_id FROM articles))""",
    "URLs stored twice": """SELECT count(*) - count(DISTINCT coalesce(url, path)) FROM articles
        WHERE parent_article_id IS NULL""",
    "runs left running": "SELECT count(*) FROM runs WHERE status = 'running'",
    "articles not in search or its queue": """SELECT count(*) FROM articles a
        WHERE a.article_id NOT IN (SELECT article_id FROM article_search)
          AND a.article_id NOT IN (SELECT article_id FROM search_queue)""",
}
# Articles are named by URL, or by file name for files read without one (the same page may be read from another
# folder).
DIGEST_SQL = """SELECT count(*), md5(coalesce(string_agg(name || '|' || coalesce(title, '') || '|'
    || coalesce(body_text, ''), '\n' ORDER BY name), '')) FROM (SELECT *, coalesce(url, regexp_extract(path, '[^/]+$'))
    AS name FROM articles WHERE parent_article_id IS NULL)"""


def warehouse_state(db: Path) -> dict:
    """The integrity figures and the article digest of a warehouse file (read-only)."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        state = {name: con.execute(sql).fetchone()[0] for name, sql in INTEGRITY_SQL.items()}
        state["articles"], state["digest"] = con.execute(DIGEST_SQL).fetchone()
    return state


def stored_articles(db: Path) -> set[str]:
    """The URLs (or paths) of the stories stored in a file, empty when it cannot be read."""
    import duckdb

    if not db.exists():
        return set()
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            return {row[0] for row in con.execute("SELECT coalesce(url, path) FROM articles "
                                                  "WHERE parent_article_id IS NULL").fetchall()}
    except duckdb.Error:
        return set()


def problems(state: dict, clean: dict) -> list[str]:
    found = [f"{name}: {state[name]}" for name in INTEGRITY_SQL if state[name]]
    if (state["articles"], state["digest"]) != (clean["articles"], clean["digest"]):
        found.append(f"articles {state['articles']} (clean run {clean['articles']}), digest "
                     f"{'equal' if state['digest'] == clean['digest'] else 'differs'}")
    return found


# ------------------------------------------------------------------------------------------------ kill -9


@dataclass
class KillTrial:
    kind: str
    trial: int
    killed_after_s: float
    stored_when_killed: int
    rerun_exit: int | None
    refetched_stored: int = 0
    problems: list[str] = field(default_factory=list)


def kill_trials(ws: Workspace, kind: str, trials: int, pages: int, rng: random.Random) -> list[KillTrial]:
    """kill -9 at a random moment of a run, then the same command again; each trial on a fresh file."""
    site = CountingSite(pages) if kind == "crawl" else None
    try:
        if kind == "crawl":
            write_sources(ws.root / "sources.toml", site.origin)
            argv = ["crawl", "--source", "bench-site", "--sources", str(ws.root / "sources.toml"), "--quiet"]
        else:
            argv = ["ingest", str(write_pages(ws.root / "pages", pages)), "--quiet"]
        clean_db = ws.root / f"clean-{kind}.duckdb"
        clean_run = ws.run(*argv, "--db", str(clean_db))
        if clean_run.code != 0:
            raise RuntimeError(f"the clean {kind} failed: {clean_run.err.strip()[-500:]}")
        clean = warehouse_state(clean_db)
        results = []
        for trial in range(1, trials + 1):
            db = ws.root / f"kill-{kind}-{trial}.duckdb"
            if site is not None:
                site.requests.clear()
            delay = rng.uniform(0.1, 0.95) * clean_run.wall_s
            process = ws.popen(*argv, "--db", str(db))
            time.sleep(delay)
            kill_group(process)
            process.wait()
            before = stored_articles(db)
            fetched_before = site.article_requests() if site is not None else collections.Counter()
            rerun = ws.run(*argv, "--db", str(db))
            result = KillTrial(kind, trial, round(delay, 2), len(before), rerun.code)
            if site is not None:
                after = site.article_requests()
                paths = {urlsplit(url).path for url in before if "://" in url}
                result.refetched_stored = sum(after[path] - fetched_before[path] for path in paths)
            if rerun.code != 0:
                result.problems.append(f"rerun exit {rerun.code}: {last_line(rerun.err)}")
            else:
                result.problems += problems(warehouse_state(db), clean)
            if result.refetched_stored:
                result.problems.append(f"{result.refetched_stored} stored articles fetched again")
            results.append(result)
            print(f"{kind} trial {trial}: killed after {result.killed_after_s} s, {result.stored_when_killed} stored, "
                  f"problems: {'; '.join(result.problems) or 'none'}", file=sys.stderr, flush=True)
            db.unlink(missing_ok=True)
        return results
    finally:
        if site is not None:
            site.close()


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


# ------------------------------------------------------------------------------------- two writers, disk full


@dataclass
class CaseResult:
    section: str
    case: str
    ok: bool
    detail: str
    wall_s: float = 0.0
    peak_rss_mb: float = 0.0


def two_writers(ws: Workspace, pages: int) -> list[CaseResult]:
    """Two ingests of different halves of a directory into one file at the same moment."""
    source = write_pages(ws.root / "writers-pages", pages)
    halves = [ws.root / "writers-a", ws.root / "writers-b"]
    for index, half in enumerate(halves):
        half.mkdir(exist_ok=True)
        for path in sorted(source.iterdir())[index::2]:
            shutil.copy(path, half / path.name)
    db = ws.root / "writers.duckdb"
    clean_db = ws.root / "writers-clean.duckdb"
    ws.run("ingest", str(source), "--db", str(clean_db), "--quiet")
    started = time.perf_counter()
    processes = [ws.popen("ingest", str(half), "--db", str(db), "--quiet") for half in halves]
    codes = [p.wait(timeout=COMMAND_TIMEOUT) for p in processes]
    errs = [p.stderr.read().decode("utf-8", "replace") for p in processes]
    wall = round(time.perf_counter() - started, 2)
    found = [f"exit {code}: {last_line(err)}" for code, err in zip(codes, errs) if code != 0]
    if not found:
        found = problems(warehouse_state(db), warehouse_state(clean_db))
    return [CaseResult("writers", f"2 ingests of {pages // 2} pages, one file", not found,
                       "; ".join(found) or "both completed; same articles as one ingest", wall)]


def disk_full(ws: Workspace, pages: int) -> list[CaseResult]:
    """An ingest into a 16 MB tmpfs (mounted when this runs as root): one line, a failed run, a consistent file."""
    mount = ws.root / "small-disk"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        return [CaseResult("disk-full", "ingest into a 16 MB file system", True,
                           "skipped: mounting a tmpfs needs root")]
    try:
        source = write_pages(ws.root / "disk-pages", pages)
        db = mount / "full.duckdb"
        done = ws.run("ingest", str(source), "--db", str(db), "--quiet")
        found = []
        if done.code == 0:
            found.append("exit 0 although the disk is full" if db.exists() and db.stat().st_size > 12e6 else
                         "the disk did not fill: raise --pages")
        if "Traceback" in done.err or "unexpected error" in done.err:
            found.append("traceback or unexpected error: " + last_line(done.err))
        if len([line for line in done.err.splitlines() if line.strip()]) > 1:
            found.append(f"{len(done.err.splitlines())} lines on stderr")
        # Room again: the same ingest completes, and the failed run is closed (by itself, or by this next run when
        # the disk was too full even for its own row).
        subprocess.run(["mount", "-o", "remount,size=256m", str(mount)], capture_output=True)
        rerun = ws.run("ingest", str(source), "--db", str(db), "--quiet")
        if rerun.code != 0:
            found.append(f"the rerun with room again: exit {rerun.code}: {last_line(rerun.err)}")
        if db.exists():
            state = warehouse_state(db)
            found += [f"{name}: {state[name]}" for name in INTEGRITY_SQL if state[name]]
            import duckdb

            with duckdb.connect(str(db), read_only=True) as con:
                statuses = [row[0] for row in con.execute("SELECT status FROM runs ORDER BY started_at").fetchall()]
                articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
            if not statuses or statuses[0] not in ("failed", "interrupted"):
                found.append(f"the disk-full run's status: {statuses[0] if statuses else 'no row'}")
            if articles != pages:
                found.append(f"{articles} articles after the rerun, expected {pages}")
        return [CaseResult("disk-full", f"ingest of {pages} pages into a 16 MB file system", not found,
                           "; ".join(found) or f"exit {done.code}: {last_line(done.err)}", done.wall_s,
                           done.peak_rss_mb)]
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


# ------------------------------------------------------------------------------------------ hostile servers


NESTED = b"<html><body>" + b"<div>" * 100_000 + "<p>深处的一段话。</p>".encode() + b"</div>" * 100_000 + b"</body></html>"
GOOD = article_html(2, 1)


def gzip_bomb(size: int) -> bytes:
    """A gzip stream of `size` bytes of HTML (about 1 MB per GB), built in 1 MB steps so that this process never
    holds the expanded bytes (a child process inherits its parent's peak RSS figure)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"a" * (1024 * 1024)
    parts = [packer.compress(b"<p>")]
    for _ in range(size // len(chunk)):
        parts.append(packer.compress(chunk))
    parts.append(packer.flush())
    return b"".join(parts)


class HostileSite:
    """A server on 127.0.0.1 whose paths misbehave as the issue lists; `internal` is another local port."""

    def __init__(self) -> None:
        self.internal_hits = 0
        internal_site = self

        class Internal(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                internal_site.internal_hits += 1
                body = b"<html><body><h1>internal admin page</h1><p>secret token</p></body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.internal = QuietServer(("127.0.0.1", 0), Internal)
        internal_url = f"http://127.0.0.1:{self.internal.server_address[1]}/admin"

        class Hostile(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?", 1)[0]
                try:
                    ROUTES[path](self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def head(self, status: int, headers: dict) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        def redirect(location: str) -> Callable:
            return lambda h: h.head(302, {"Location": location, "Content-Length": "0"})

        def infinite(h) -> None:
            h.head(200, {"Content-Type": "text/html", "Transfer-Encoding": "chunked"})
            chunk = b"<p>" + "无尽的正文".encode() * 2000 + b"</p>"
            while True:
                h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))

        def slowloris(h) -> None:
            h.head(200, {"Content-Type": "text/html", "Content-Length": "100000"})
            for _ in range(600):
                h.wfile.write(b" ")
                h.wfile.flush()
                time.sleep(1)

        def huge_declared(h) -> None:
            h.head(200, {"Content-Type": "text/html", "Content-Length": str(2 * 1024 ** 3)})
            h.wfile.write(b"<html><body>" + b"x" * 1_000_000)

        def body(content: bytes, **headers: str) -> Callable:
            def answer(h) -> None:
                h.head(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(content)),
                             **headers})
                h.wfile.write(content)
            return answer

        bomb = gzip_bomb(1024 ** 3)
        robots = b"User-agent: *\n" + b"Disallow: /private/\n" * 2_000_000

        ROUTES = {  # noqa: N806 - a table
            "/redirect-internal": redirect(internal_url),
            "/redirect-file": redirect("file:///etc/passwd"),
            "/infinite": infinite,
            "/slowloris": slowloris,
            "/huge-declared": huge_declared,
            "/nested": body(NESTED),
            "/unknown-charset": lambda h: (h.head(200, {"Content-Type": "text/html; charset=x-no-such-charset",
                                                        "Content-Length": str(len(GOOD))}), h.wfile.write(GOOD)),
            "/gzip-bomb": body(bomb, **{"Content-Encoding": "gzip"}),
            "/robots.txt": body(robots),
            "/article.html": body(GOOD),
        }
        self.server = QuietServer(("127.0.0.1", 0), Hostile)
        self.server.daemon_threads = True
        self.internal.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        for server in (self.server, self.internal):
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def close(self) -> None:
        for server in (self.server, self.internal):
            server.shutdown()
            server.server_close()


HOSTILE_CASES = [  # path, command, what must hold
    ("/redirect-internal", "ingest", "ForbiddenAddress"),
    ("/redirect-file", "ingest", "error row"),
    ("/infinite", "ingest", "error row"),
    ("/slowloris", "ingest", "error row"),
    ("/huge-declared", "ingest", "error row"),
    ("/nested", "ingest", "no crash"),
    ("/unknown-charset", "ingest", "article"),
    ("/gzip-bomb", "ingest", "error row"),
    ("/robots.txt", "crawl", "no crash"),
]


def hostile(ws: Workspace) -> list[CaseResult]:
    import duckdb

    site = HostileSite()
    results = []
    try:
        for path, command, expected in HOSTILE_CASES:
            db = ws.root / f"hostile{path.replace('/', '-').replace('.', '-')}.duckdb"
            url = site.origin + (path if command == "ingest" else "/article.html")
            done = ws.run(command, url, "--db", str(db), "--quiet", timeout=600)
            found = []
            if done.code is None:
                found.append("did not end within 600 s")
            elif "Traceback" in done.err or "unexpected error" in done.err:
                found.append("traceback or unexpected error: " + last_line(done.err))
            state = "no file"
            if db.exists():
                with duckdb.connect(str(db), read_only=True) as con:
                    errors = [row[0] for row in con.execute("SELECT error_type FROM errors").fetchall()]
                    articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
                    running = con.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchone()[0]
                state = f"{articles} articles, errors {errors or 'none'}"
                if running:
                    found.append("run left running")
                if expected == "ForbiddenAddress" and "ForbiddenAddress" not in errors:
                    found.append("the internal redirect was not refused")
                if expected == "error row" and not errors:
                    found.append("no error row")
                if expected == "article" and articles != 1:
                    found.append("the article was not stored")
            if path == "/redirect-internal" and site.internal_hits:
                found.append(f"the internal service was asked {site.internal_hits} times")
            if done.peak_rss_mb > 2048:
                found.append(f"peak RSS {done.peak_rss_mb} MB")
            results.append(CaseResult("hostile", f"{command} {path}", not found,
                                      "; ".join(found) or f"exit {done.code}; {state}", done.wall_s,
                                      done.peak_rss_mb))
    finally:
        site.close()
    return results


# ------------------------------------------------------------------------------------------------ bad input


USAGE, FAILS, OK = "usage (exit 2)", "fails (exit 1 or 2)", "ok (exit 0)"


@dataclass
class BadInput:
    argv: list
    expect: str
    stdin: bytes | None = None


def bad_input_cases(ws: Workspace) -> Iterator[BadInput]:
    """Bad arguments, files and configuration for every command; each yields what it should end with."""
    root = ws.root / "bad"
    root.mkdir(exist_ok=True)
    page = root / "page.html"
    page.write_bytes(GOOD)
    good_db = ws.root / "bad-good.duckdb"
    text_file = root / "notes.txt"
    text_file.write_text("not a database\n", encoding="utf-8")
    garbage_db = root / "garbage.duckdb"
    garbage_db.write_bytes(os.urandom(4096))
    binary = root / "binary.bin"
    binary.write_bytes(bytes(range(256)) * 64)
    empty_dir = root / "empty"
    empty_dir.mkdir(exist_ok=True)
    fifo = root / "pipe.html"
    if not fifo.exists():
        os.mkfifo(fifo)
    loop = root / "loop.html"
    if not loop.is_symlink():
        loop.symlink_to(loop)
    zero = root / "zero.html"
    if not zero.is_symlink():
        zero.symlink_to("/dev/zero")
    non_utf8 = os.fsencode(str(root)) + b"/caf\xe9.duckdb"

    bad_dbs = [(str(root), FAILS), (str(text_file), FAILS), (str(garbage_db), FAILS), ("", USAGE),
               ("/proc/newsduck.duckdb", FAILS), (non_utf8, USAGE)]
    read_dbs = bad_dbs + [(str(root / "missing.duckdb"), FAILS)]
    readers = {
        "sql": ["SELECT 1"], "search": ["蜜薯"], "export": [str(root / "export-out")], "runs": [], "errors": [],
    }
    writers = {"ingest": [str(page)], "reparse": [], "crawl": ["http://127.0.0.1:9/list/"]}
    for command, args in readers.items():
        for db, expect in read_dbs:
            yield BadInput([command, *args, "--db", db], expect)
        yield BadInput([command, *args, "--no-such-option"], USAGE)
        yield BadInput([command, *args, "--db"], USAGE)
    for command, args in writers.items():
        for db, expect in bad_dbs:
            yield BadInput([command, *args, "--db", db, "--quiet"], expect)
        yield BadInput([command, *args, "--no-such-option"], USAGE)
    for command in ("ingest", "extract", "crawl", "reparse", "sql", "search", "export", "runs", "errors", "serve",
                    "server", "no-such-command"):
        yield BadInput([command, "--bogus"], USAGE)
    yield BadInput([], USAGE)

    db = ["--db", str(good_db)]
    # ingest and extract: files
    # (input, ingest's outcome, extract's): a page ingest cannot read is an errors row of a run that goes on;
    # extract, with no database, says so on stderr and exits 1; a name that is no page at all is a usage error.
    for value, ingest_expect, extract_expect in [
            (str(root / "missing.html"), USAGE, USAGE), (str(empty_dir), OK, FAILS), (str(binary), USAGE, USAGE),
            (str(fifo), OK, FAILS), (str(loop), USAGE, USAGE), (str(zero), OK, FAILS),
            ("ftp://127.0.0.1/x", USAGE, USAGE), ("http://", USAGE, USAGE), ("http://[::1", USAGE, USAGE),
            ("https://exa mple.com/", USAGE, USAGE)]:
        yield BadInput(["ingest", value, *db, "--quiet"], ingest_expect)
        yield BadInput(["extract", value], extract_expect)
    urls_files = {"missing": None, "binary": bytes(range(256)), "not-json": b"{not json\n",
                  "no-path": b'{"url": "https://a.example/1.html"}\n', "list": b"[1, 2]\n",
                  "bad-url": ('{"path": "%s", "url": "ftp://x"}\n' % page).encode()}
    for name, content in urls_files.items():
        path = root / f"urls-{name}.jsonl"
        if content is not None:
            path.write_bytes(content)
        yield BadInput(["ingest", str(page), "--urls", str(path), *db, "--quiet"], USAGE)
    for option in ("--batch-size", "--jobs"):
        for value in ("0", "-1", "abc", "1e99"):
            command = "extract" if option == "--jobs" else "ingest"
            yield BadInput([command, str(page), option, value, *([] if command == "extract" else db)], USAGE)
    # crawl: options and sources files
    for argv in (["crawl"], ["crawl", "http://127.0.0.1:9/", "--all"], ["crawl", "--from", "2024-13-01", "--all"],
                 ["crawl", "--to", "2024-01-01", "--all"], ["crawl", "--from", "2024-02-01", "--to", "2024-01-01",
                                                            "--all"],
                 ["crawl", "http://127.0.0.1:9/", "--max-pages", "0"], ["crawl", "http://127.0.0.1:9/",
                                                                        "--max-pages", "x"],
                 ["crawl", "http://127.0.0.1:9/", "--max-crawl-delay", "-1"],
                 ["crawl", "http://127.0.0.1:9/", "--max-crawl-delay", "nan"],
                 ["crawl", "http://127.0.0.1:9/", "--batch-size", "0"], ["crawl", "ftp://127.0.0.1/"],
                 ["crawl", "not a url"], ["crawl", "--source", "nope", "--sources", str(root / "missing.toml")]):
        yield BadInput([*argv, *db, "--quiet"], USAGE)
    sources = {
        "empty": "", "not-toml": "[[source]\nname=", "unknown-field": '[[source]]\nname="a"\ncolour="red"\n',
        "no-name": '[[source]]\nstart_urls=[{url="http://a.example/", kind="list"}]\n',
        "bad-kind": '[[source]]\nname="a"\nkind="blog"\n',
        "no-start": '[[source]]\nname="a"\n',
        "bad-start-url": '[[source]]\nname="a"\nstart_urls=[{url="ftp://a", kind="list"}]\n',
        "bad-start-kind": '[[source]]\nname="a"\nstart_urls=[{url="http://a.example/", kind="atom2"}]\n',
        "rate-zero": '[[source]]\nname="a"\nrate=0\nstart_urls=[{url="http://a.example/", kind="list"}]\n',
        "rate-tiny": '[[source]]\nname="a"\nrate=1e-9\nstart_urls=[{url="http://a.example/", kind="list"}]\n',
        "delay-huge": '[[source]]\nname="a"\nmin_delay=1e12\nstart_urls=[{url="http://a.example/", kind="list"}]\n',
        "bad-cron": '[[source]]\nname="a"\nschedule="every day"\nstart_urls=[{url="http://a.example/", kind="list"}]\n',
        "bad-zone": '[[source]]\nname="a"\ntimezone="Mars/Base"\nstart_urls=[{url="http://a.example/", kind="list"}]\n',
        "duplicate": '[[source]]\nname="a"\nstart_urls=[{url="http://a.example/", kind="list"}]\n' * 2,
        "epaper-no-edition": '[[source]]\nname="a"\nkind="epaper"\n',
        "deep": "x = " + "[" * 5000 + "]" * 5000 + "\n",
        "binary": bytes(range(256)).decode("latin-1"),
        "wrong-type": '[[source]]\nname=3\n',
        "max-pages-negative": '[[source]]\nname="a"\nmax_pages=-1\nstart_urls=[{url="http://a.example/", kind="list"}]\n',
        "allowed-host-url": '[[source]]\nname="a"\nallowed_hosts=["http://b.example/"]\n'
                            'start_urls=[{url="http://a.example/", kind="list"}]\n',
    }
    for name, content in sources.items():
        path = root / f"sources-{name}.toml"
        path.write_bytes(content.encode("latin-1") if name == "binary" else content.encode("utf-8"))
        yield BadInput(["crawl", "--all", "--sources", str(path), *db, "--quiet"], USAGE)
        yield BadInput(["serve", "--sources", str(path), *db], USAGE)
    # sql
    for query, expect in [("SELEC 1", FAILS), ("DELETE FROM articles", FAILS), ("DROP TABLE articles", FAILS),
                          ("INSERT INTO runs DEFAULT VALUES", FAILS), ("CREATE TABLE x (a INT)", FAILS),
                          ("ATTACH 'x.duckdb'", FAILS), ("COPY articles FROM 'x.csv'", FAILS),
                          ("EXPORT DATABASE 'out'", FAILS), ("SET threads = 1", FAILS), ("INSTALL spatial", FAILS),
                          ("LOAD spatial", FAILS), ("", USAGE), ("-- only a comment", FAILS),
                          ("SELECT * FROM read_text('/etc/passwd')", FAILS),
                          ("SELECT * FROM no_such_table", FAILS), ("SELECT 1; DELETE FROM articles", FAILS),
                          ("SELECT 1/0", OK),
                          ("COPY (SELECT 1) TO '/proc/x.csv'", FAILS), ("COPY (SELECT 1) TO 'x.xyz' (FORMAT nope)", FAILS),
                          ("PRAGMA create_fts_index('articles', 'article_id', 'title')", FAILS)]:
        yield BadInput(["sql", query, *db], expect)
    yield BadInput(["sql", "-", *db], FAILS, stdin=bytes(range(256)))
    yield BadInput(["sql", "-", *db], OK, stdin=("SELECT '" + "長" * 1_000_000 + "' AS long").encode())
    yield BadInput(["sql", "-", *db], USAGE, stdin=b"")
    for value in ("-1", "abc"):
        yield BadInput(["sql", "SELECT 1", "--max-width", value, *db], USAGE)
    yield BadInput(["sql", "SELECT 1", "--format", "xml", *db], USAGE)
    yield BadInput(["sql", "SELECT 1", "--allow-files", str(root / "missing"), *db], USAGE)
    # search
    for argv, expect in [(["search", ""], USAGE), (["search", "！？。"], USAGE), (["search", "蜜" * 5000], OK),
                         (["search", "蜜薯", "--since", "yesterday"], USAGE),
                         (["search", "蜜薯", "--since", "2024-02-30"], USAGE),
                         (["search", "蜜薯", "--until", "2024-01-01", "--since", "2024-02-01"], USAGE),
                         (["search", "蜜薯", "--limit", "0"], USAGE), (["search", "蜜薯", "--limit", "-3"], USAGE),
                         (["search", "蜜薯", "--timezone", "Mars/Base"], USAGE),
                         (["search", "蜜薯", "--format", "xml"], USAGE), (["search", "OR AND NOT \"("], OK),
                         (["search", "--role", "nobody", "蜜薯"], USAGE)]:
        yield BadInput([*argv, *db], expect)
    # export
    for argv, expect in [(["export", str(text_file)], FAILS), (["export", "/proc/newsduck-export"], FAILS),
                         (["export", str(root / "x"), "--format", "xml"], USAGE),
                         (["export", str(root / "x"), "--timezone", "Mars/Base"], USAGE),
                         (["export", str(root / "x"), "--since", "soon"], USAGE)]:
        yield BadInput([*argv, *db], expect)
    # runs, errors, reparse, server
    for argv, expect in [(["runs", "--limit", "-1"], USAGE), (["runs", "--limit", "x"], USAGE),
                         (["errors", "--run", "no-such-run"], FAILS), (["errors", "--run", "'; DROP TABLE runs; --"], FAILS),
                         (["errors", "--limit", "0"], USAGE), (["reparse", "--since", "nope"], USAGE),
                         (["reparse", "--batch-size", "0"], USAGE)]:
        yield BadInput([*argv, *db], expect)
    for argv in (["server", "restart"], ["server", "start", "--port", "0"], ["server", "start", "--port", "99999"],
                 ["server", "start", "--port", "x"], ["serve", "--port", "x"]):
        yield BadInput(argv, USAGE)


def bad_input(ws: Workspace, sample: int | None = None) -> list[CaseResult]:
    """Every case, or an evenly spread `sample` of them."""
    good_db = ws.root / "bad-good.duckdb"
    ws.run("ingest", str(PROJECT / "tests" / "fixtures" / "seeds"), "--db", str(good_db), "--quiet")
    results = []
    cases = list(bad_input_cases(ws))
    if sample is not None and sample < len(cases):
        cases = [cases[i * len(cases) // sample] for i in range(sample)]
    for case in cases:
        done = ws.run(*case.argv, stdin=case.stdin, timeout=120)
        shown = " ".join(a if isinstance(a, str) else repr(a) for a in case.argv)
        shown = shown.replace(str(ws.root), "$W")[:140]
        found = []
        if done.code is None:
            found.append("hung (killed after 120 s)")
        if "Traceback (most recent call last)" in done.err:
            found.append("traceback")
        if "unexpected error" in done.err:
            found.append("unexpected error: " + last_line(done.err))
        if done.code is not None:
            if case.expect == USAGE and done.code != 2:
                found.append(f"exit {done.code}, expected 2")
            elif case.expect == FAILS and done.code not in (1, 2):
                found.append(f"exit {done.code}, expected 1 or 2")
            elif case.expect == OK and done.code != 0:
                found.append(f"exit {done.code}, expected 0")
        if done.code and not (done.err.strip() or done.out.strip()):
            found.append("failed without a word")
        results.append(CaseResult("bad-input", shown, not found, "; ".join(found) or
                                  f"exit {done.code}: {last_line(done.err) or last_line(done.out)}"[:160],
                                  done.wall_s, done.peak_rss_mb))
    return results


# ---------------------------------------------------------------------------------------------------- report


def kill_table(trials: list[KillTrial]) -> str:
    lines = ["| run | trial | killed after s | articles stored when killed | rerun exit | stored articles fetched again "
             "| problems |", "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for t in trials:
        lines.append(f"| {t.kind} | {t.trial} | {t.killed_after_s} | {t.stored_when_killed} | {t.rerun_exit} | "
                     f"{t.refetched_stored if t.kind == 'crawl' else '-'} | {'; '.join(t.problems) or 'none'} |")
    return "\n".join(lines)


def case_table(results: list[CaseResult], *, failures_only: bool = False) -> str:
    lines = ["| section | case | result | wall s | peak RSS MB | detail |", "| --- | --- | --- | ---: | ---: | --- |"]
    for r in results:
        if failures_only and r.ok:
            continue
        detail = r.detail.replace("|", "\\|")
        case = r.case.replace("|", "\\|")
        lines.append(f"| {r.section} | `{case}` | {'ok' if r.ok else 'FAIL'} | {r.wall_s} | {r.peak_rss_mb} | {detail} |")
    return "\n".join(lines)


def bad_input_summary(results: list[CaseResult]) -> str:
    tracebacks = sum("traceback" in r.detail for r in results if not r.ok)
    unexpected = sum("unexpected error" in r.detail for r in results if not r.ok)
    wrong_exit = sum("expected" in r.detail for r in results if not r.ok)
    hung = sum("hung" in r.detail for r in results if not r.ok)
    return (f"bad input: {len(results)} cases, tracebacks {tracebacks}, wrong exit codes {wrong_exit}, "
            f"\"unexpected error\" lines {unexpected}, hung {hung} (targets: all 0)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--trials", type=int, default=10, help="kill -9 trials per run kind (default 10)")
    parser.add_argument("--pages", type=int, default=2000, help="pages of the killed crawls and ingests (default 2000)")
    parser.add_argument("--bad-input-sample", type=int, metavar="N", help="run N of the bad-input cases, evenly "
                        "spread (default all)")
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--json", action="store_true", help="print every result as JSON")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    kills: list[KillTrial] = []
    cases: list[CaseResult] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsduck-reliability-") as tmp:
        ws = Workspace(Path(tmp))
        ws.start_server()
        try:
            if "kill-crawl" in args.sections:
                kills += kill_trials(ws, "crawl", args.trials, args.pages, rng)
            if "kill-ingest" in args.sections:
                kills += kill_trials(ws, "ingest", args.trials, args.pages, rng)
            if "writers" in args.sections:
                cases += two_writers(ws, min(args.pages, 1000))
            if "disk-full" in args.sections:
                cases += disk_full(ws, max(args.pages, 2000))
            if "hostile" in args.sections:
                cases += hostile(ws)
            if "bad-input" in args.sections:
                cases += bad_input(ws, args.bad_input_sample)
        finally:
            ws.stop_server()
    failures = sum(bool(t.problems) for t in kills) + sum(not c.ok for c in cases)
    if args.json:
        print(json.dumps({"kills": [asdict(t) for t in kills], "cases": [asdict(c) for c in cases],
                          "failures": failures}, ensure_ascii=False, indent=1))
        return 1 if failures else 0
    print(f"# newsduck reliability (seed {args.seed}, {args.pages} pages, {args.trials} trials per kill run, "
          f"{time.perf_counter() - started:.0f} s)\n")
    if kills:
        print(kill_table(kills) + "\n")
    others = [c for c in cases if c.section != "bad-input"]
    if others:
        print(case_table(others) + "\n")
    bad = [c for c in cases if c.section == "bad-input"]
    if bad:
        print(bad_input_summary(bad))
        if any(not c.ok for c in bad):
            print("\n" + case_table(bad, failures_only=True))
        print()
    print(f"failures: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
