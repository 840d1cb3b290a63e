"""`make demo`: serve the bundled demo site on 127.0.0.1, ingest it with the Prefect flow, show two queries."""

from __future__ import annotations

import os
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from .settings import configure_prefect_env

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "examples" / "demo-site"
DB = Path("data") / "newsduck.duckdb"
# Article ids derive from URLs, so the demo prefers one fixed port: a second run then sees the same URLs
# and changes nothing. If the port is taken it falls back to any free port (ids then differ from earlier runs).
PREFERRED_PORT = int(os.environ.get("NEWSDUCK_DEMO_PORT", "8765"))

QUERIES = {
    "Articles per day and site": """
        SELECT CAST(published_at AT TIME ZONE 'Asia/Shanghai' AS DATE) AS day, site_name, count(*) AS articles
        FROM articles WHERE parent_article_id IS NULL
        GROUP BY ALL ORDER BY day, site_name
    """,
    "Who wrote and photographed the most": """
        SELECT name, role, count(DISTINCT article_id) AS articles
        FROM article_people_v
        GROUP BY name, role ORDER BY articles DESC, role, name LIMIT 10
    """,
}


def main() -> int:
    configure_prefect_env()
    from warehouse.queries import format_table, run_query

    from .ingest import ingest
    from .outcome import summary_of
    from .static_server import serve_directory
    from .summary import format_run

    paths = [line.strip() for line in (SITE / "urls.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    with ExitStack() as stack:
        try:
            server = stack.enter_context(serve_directory(str(SITE), port=PREFERRED_PORT))
        except OSError:
            print(f"Port {PREFERRED_PORT} is busy; serving on a free port instead (article ids will differ from earlier demo runs).")
            server = stack.enter_context(serve_directory(str(SITE)))
        print(f"Serving {SITE.relative_to(ROOT)} at {server.base_url}")
        urls = [server.base_url + "/" + path.lstrip("/") for path in paths]
        summary = summary_of(ingest, inputs=urls, db_path=str(DB), batch_size=200, command="demo")
    print(f"Ingested {len(urls)} URLs into {DB} in {time.perf_counter() - started:.1f}s (run {summary['run_id']})")
    print(format_run(summary))
    for title, sql in QUERIES.items():
        print(f"\n-- {title}\n{' '.join(sql.split())}")
        columns, rows = run_query(str(DB), sql)
        print(format_table(columns, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
