"""`newsduck browse`: a read-only web app over the warehouse (FastAPI, Jinja2 templates, server-rendered SVG).

The warehouse is attached read-only while requests read it and detached as soon as none does
(`SharedReader`: it waits while an ingest or a crawl holds the file, as `newsduck sql` does), so a crawl can
write between requests. No route writes. Every value reaches the page through Jinja2's autoescaping; the
stored raw page is served only at /article/{id}/raw with a CSP `sandbox` and no script, and shown in an
`<iframe sandbox>`. Every method but GET and HEAD is answered 405.
Every list answers `?format=json` and `?format=csv` too, a search's facets with `&list=facets`.
"""

from __future__ import annotations

import calendar
import os
import threading
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Callable, Iterator
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import duckdb
import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException

from warehouse import browse as queries
from warehouse.ids import person_id_for
from warehouse.browse import Table
from warehouse.db import WarehouseError, WarehouseLockedError, attach_reader
from warehouse.errors import first_line
from warehouse.queries import json_text, to_csv
from warehouse.search import Facets, SearchHit, has_search_index, queued_for_search, search, search_with_facets

from . import charts

HERE = Path(__file__).parent
PAGE_SIZE = 20  # search hits and list rows per page
LIST_SIZE = 50
FORMATS = ("html", "json", "csv")
SEARCH_LISTS = ("hits", "facets")  # what /search answers as JSON or CSV (&list=…; hits by default)
HIT_MARKS = ("\x02", "\x03")  # around the query's words in snippets; made <mark> after escaping
# The app's own pages: its script and style only; pictures from their original sites.
APP_CSP = ("default-src 'self'; img-src * data:; script-src 'self'; style-src 'self'; frame-src 'self'; "
           "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
# The stored raw page: a sandbox (an opaque origin, no script, no form, no top navigation) that runs no script
# and loads nothing but pictures and styles.
RAW_CSP = ("sandbox; default-src 'none'; script-src 'none'; img-src * data:; style-src * 'unsafe-inline'; "
           "font-src *; frame-ancestors 'self'")


class BadRequest(Exception):
    """A parameter the page cannot use, said in one sentence (answered 400)."""


class NotFound(Exception):
    """No such article, person, site, source or run (answered 404)."""


def create_app(db_path: str, *, zone: str = "Asia/Shanghai", busy_timeout: float | None = None,
               prefect_ui_url: str | None = None) -> FastAPI:
    """The app over the warehouse at `db_path`; times are shown in `zone`; flow runs link to `prefect_ui_url`."""
    app = FastAPI(title="newsduck browse", docs_url=None, redoc_url=None, openapi_url=None)
    tz = ZoneInfo(zone)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(when=lambda value, precision=None: when(value, tz, precision), highlight=highlight,
                       number=lambda n: "" if n is None else f"{n:,}", lang=html_lang,
                       web_url=web_url)
    env.globals.update(page_url=page_url, flow_run_url=lambda flow_run_id: flow_run_link(prefect_ui_url, flow_run_id),
                       zone=zone, person_id=person_id_for, month_bounds=month_bounds)
    templates = Jinja2Templates(env=env)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    reader = SharedReader(db_path, busy_timeout)

    def read(work: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        with reader.cursor() as con:
            return work(con)

    def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, template, context, status_code=status_code)

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", APP_CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest):
        return problem(request, 400, str(exc))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound):
        return problem(request, 404, str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):  # no such route, or a method other than GET
        messages = {404: f"no page {request.url.path} here",
                    405: f"{request.method} is refused: this app only reads the warehouse"}
        response = problem(request, exc.status_code, messages.get(exc.status_code, str(exc.detail)))
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(WarehouseLockedError)
    async def busy(request: Request, exc: WarehouseLockedError):
        return problem(request, 503, f"{exc}; try again in a moment")

    @app.exception_handler(WarehouseError)
    async def warehouse_error(request: Request, exc: WarehouseError):
        return problem(request, 500, str(exc))

    @app.exception_handler(duckdb.Error)
    async def database_error(request: Request, exc: duckdb.Error):  # e.g. a database of an older schema
        return problem(request, 500, f"the database could not answer: {first_line(exc)}")

    def problem(request: Request, status: int, message: str) -> Response:
        if wanted_format(request, strict=False) != "html":
            return Response(json_text({"error": message}) + "\n", status_code=status, media_type="application/json")
        return page(request, "error.html", status_code=status, status=status, message=message)

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request):
        fmt = wanted_format(request, allowed=("html", "json"))

        def work(con):
            return {"counts": queries.overview(con), "daily": queries.daily_articles(con),
                    "runs": queries.runs(con, limit=10), "newest": queries.newest_articles(con, limit=10)}

        data = read(work)
        if fmt == "json":
            return json_response({"counts": data["counts"], "daily": data["daily"].dicts(),
                                  "runs": data["runs"].dicts(), "newest": data["newest"].dicts()}, tz)
        return page(request, "home.html", chart=charts.daily_bars(data["daily"]), **data)

    @app.get("/articles")
    def articles(request: Request, site: str | None = None, source: str | None = None):
        fmt = wanted_format(request)
        number = page_number(request)
        table = read(lambda con: queries.newest_articles(con, limit=LIST_SIZE, offset=(number - 1) * LIST_SIZE,
                                                         site=site, source_id=source))
        if fmt != "html":
            return list_response(in_zone(table, tz), fmt, "articles",
                                 next_page(request, number, len(table) == LIST_SIZE))
        return page(request, "articles.html", table=table, site=site, source=source, number=number,
                    more=len(table) == LIST_SIZE)

    @app.get("/daily")
    def daily(request: Request, site: str | None = None, source: str | None = None):
        fmt = wanted_format(request, allowed=("json", "csv"))
        days = whole_number(request, "days", queries.CHART_DAYS, 3660, "a number of days")
        table = read(lambda con: queries.daily_articles(con, days, site=site, source_id=source))
        return list_response(table, fmt, "daily")

    @app.get("/search")
    def search_page(request: Request, q: str = "", site: str = "", since: str = "", until: str = "",
                    person: str = ""):
        fmt = wanted_format(request)
        wanted_list = request.query_params.get("list", "hits")
        if wanted_list not in SEARCH_LISTS:
            raise BadRequest(f"list={wanted_list}: this page's lists are {', '.join(SEARCH_LISTS)}")
        number = page_number(request)
        criteria = {"site": site.strip() or None, "since": day_parameter("since", since),
                    "until": day_parameter("until", until), "person": person.strip() or None}
        if criteria["since"] and criteria["until"] and criteria["until"] < criteria["since"]:
            raise BadRequest(f"until={criteria['until']} is before since={criteria['since']}")
        query = q.strip()
        form = {"q": q, "site": site, "since": since, "until": until, "person": person}
        if not query and criteria["person"] is None:
            if fmt != "html":
                raise BadRequest("say what to search for: ?q=words (or ?person=NAME)")
            return page(request, "search.html", form=form, hits=None, facets=None, note=None, number=1, more=False)

        def work(con):
            if not has_search_index(con):
                raise WarehouseError("the database has no search index of this version yet: run newsduck ingest "
                                     "or newsduck search --reindex once")
            options = dict(limit=number * PAGE_SIZE + 1, collapse_copies=True, zone=zone, marks=HIT_MARKS, **criteria)
            if fmt == "html":
                hits, facets = search_with_facets(con, query, **options)
            elif wanted_list == "facets":
                hits, facets = search_with_facets(con, query, **{**options, "limit": 0})
            else:
                hits, facets = search(con, query, **options), None
            shown = hits[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]
            languages = queries.languages(con, [hit.article_id for hit in shown]) if fmt == "html" else {}
            return queued_for_search(con), shown, len(hits) > number * PAGE_SIZE, facets, languages

        try:
            pending, shown, more, facets, languages = read(work)
        except WarehouseLockedError:
            raise
        except WarehouseError as exc:
            raise BadRequest(str(exc)) from None
        if fmt != "html":
            if wanted_list == "facets":
                return facets_response(facets, fmt)
            return list_response(hits_table(shown), fmt, "search", next_page(request, number, more))
        note = (f"{pending} changed articles are not in the search index yet (the next ingest or "
                "newsduck search --reindex adds them)") if pending else None
        return page(request, "search.html", form=form, hits=shown, facets=facets, note=note, number=number,
                    more=more, languages=languages)

    @app.get("/article/{article_id}")
    def article_page(request: Request, article_id: str):
        fmt = wanted_format(request, allowed=("html", "json"))
        record = read(lambda con: queries.article(con, article_id))
        if record is None:
            raise NotFound(f"no article {article_id!r} in the warehouse")
        if fmt == "json":
            return json_response(record, tz)
        return page(request, "article.html", a=record)

    @app.get("/article/{article_id}/source")
    def article_source(request: Request, article_id: str):
        record = read(lambda con: queries.article(con, article_id))
        if record is None:
            raise NotFound(f"no article {article_id!r} in the warehouse")
        return page(request, "source.html", a=record)

    @app.get("/article/{article_id}/raw")
    def article_raw(article_id: str):
        found = read(lambda con: queries.raw_page(con, article_id))
        if found is None:
            raise NotFound(f"no stored page for article {article_id!r}")
        body, content_type, charset = found
        media_type = (content_type or "text/html").split(";")[0].strip() or "text/html"
        if media_type not in ("text/html", "text/plain", "application/xhtml+xml"):
            media_type = "text/plain"
        if charset:
            media_type += f"; charset={charset}"
        return Response(body, media_type=media_type, headers={"Content-Security-Policy": RAW_CSP})

    @app.get("/person/{person_id}")
    def person_page(request: Request, person_id: str):
        fmt = wanted_format(request)
        number = page_number(request)
        found = read(lambda con: queries.person(con, person_id, limit=LIST_SIZE, offset=(number - 1) * LIST_SIZE))
        if found is None:
            raise NotFound(f"no person {person_id!r} in the warehouse")
        if fmt != "html":
            return list_response(in_zone(found["articles"], tz), fmt, f"person-{person_id}",
                                 next_page(request, number, len(found["articles"]) == LIST_SIZE))
        return page(request, "person.html", p=found, chart=charts.monthly_bars(found["months"]), number=number,
                    more=len(found["articles"]) == LIST_SIZE)

    def table_page(request: Request, kind: str, title: str, listing):
        """Every site or every source as a table, or as JSON or CSV."""
        fmt = wanted_format(request)
        table = read(listing)
        if fmt != "html":
            return list_response(table, fmt, kind)
        return page(request, "table.html", title=title, table=table, kind=kind)

    @app.get("/sites")
    def sites_page(request: Request):
        return table_page(request, "sites", "Sites", queries.sites)

    def summary_page(request: Request, kind: str, key: str, summarize, missing: str, name=None):
        """A site's or a source's page: its summary and articles per day, or the summary as JSON or CSV."""
        fmt, wanted_list = summary_format(request)

        def work(con):
            return summarize(con, key), queries.daily_articles(con, **{"site" if kind == "site" else "source_id": key})

        summary, daily = read(work)
        if summary is None:
            raise NotFound(missing)
        if fmt != "html":
            return summary_response(summary, daily, fmt, wanted_list, f"{kind}-{key}", tz)
        return page(request, "site.html", s=summary, chart=charts.daily_bars(daily), kind=kind,
                    name=(name(summary) if name else None) or key)

    @app.get("/site/{site}")
    def site_page(request: Request, site: str):
        return summary_page(request, "site", site, queries.site_summary,
                            f"no article or error of site {site!r} in the warehouse")

    @app.get("/sources")
    def sources_page(request: Request):
        return table_page(request, "sources", "Sources", queries.sources)

    @app.get("/source/{source_id}")
    def source_page(request: Request, source_id: str):
        return summary_page(request, "source", source_id, queries.source_summary,
                            f"no source {source_id!r} in the warehouse", name=lambda summary: summary["name"])

    @app.get("/runs")
    def runs_page(request: Request):
        fmt = wanted_format(request)
        limit = whole_number(request, "limit", 100, 10_000, "a number of runs")
        table = read(lambda con: queries.runs(con, limit=limit))
        if fmt != "html":
            return list_response(in_zone(table, tz), fmt, "runs")
        return page(request, "runs.html", table=table, limit=limit)

    @app.get("/run/{run_id}")
    def run_page(request: Request, run_id: str):
        fmt = wanted_format(request)

        def work(con):
            from warehouse.runs import find_runs

            found = [run for run in find_runs(con, run_id) if run["run_id"] == run_id]
            return (found[0] if found else None), queries.run_errors(con, run_id)

        run, errors = read(work)
        if run is None:
            raise NotFound(f"no run {run_id!r} in the warehouse")
        if fmt != "html":
            return list_response(in_zone(errors, tz), fmt, f"run-{run_id}-errors")
        return page(request, "run.html", run=run, errors=errors)

    return app


class SharedReader:
    """The warehouse, attached read-only to one in-memory DuckDB connection while requests read it: the first
    request in flight attaches it (waiting while a writer holds the file, as `newsduck sql` does), the last one
    detaches it, so that a crawl or an ingest gets the file between requests. Attaching costs less than opening a
    connection (no new DuckDB instance: about 7 vs 17 ms of CPU at 100k articles); each request reads through a
    cursor of its own."""

    ALIAS = "warehouse"

    def __init__(self, db_path: str, busy_timeout: float | None):
        self.db_path, self.busy_timeout = db_path, busy_timeout
        self.base = duckdb.connect()
        # A page's queries are small: one thread each does them faster than a pool on a busy machine
        # (bench/browse.py: home 30 vs 78 ms at 100k articles, load 6 on 2 cores) and leaves the other cores to
        # other requests and to crawls.
        self.base.execute("SET GLOBAL threads = 1")
        # a name no table has is an error, never a Python object of the same name (DuckDB's replacement scans)
        self.base.execute("SET GLOBAL python_enable_replacements = false")
        self.lock = threading.Lock()
        self.readers = 0

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self.lock:
            if self.readers == 0:
                attach_reader(self.base, self.db_path, self.ALIAS, timeout=self.busy_timeout,
                              on_wait=lambda _message: None)
            self.readers += 1
        try:
            con = self.base.cursor()
            try:
                con.execute(f'USE "{self.ALIAS}"')
                yield con
            finally:
                con.close()
        finally:
            with self.lock:
                self.readers -= 1
                if self.readers == 0:
                    self.base.execute(f'DETACH "{self.ALIAS}"')


# ---------------------------------------------------------------- helpers (no state)

def wanted_format(request: Request, allowed: tuple[str, ...] = FORMATS, *, strict: bool = True) -> str:
    value = request.query_params.get("format", "html" if "html" in allowed else allowed[0])
    if value not in allowed:
        if not strict:
            return "html"
        raise BadRequest(f"format={value}: this page answers {', '.join(allowed)}")
    return value


def page_number(request: Request) -> int:
    return whole_number(request, "page", 1, 10_000, "a page number")


def whole_number(request: Request, name: str, default: int, most: int, what: str) -> int:
    text = request.query_params.get(name, str(default))
    if not text.isdigit() or not 1 <= int(text) <= most:
        raise BadRequest(f"{name}={text}: give {what} from 1 to {most}")
    return int(text)


def day_parameter(name: str, text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadRequest(f"{name}={text}: give a day like 2024-03-05") from None


SUMMARY_LISTS = ("daily", "parser_versions", "errors")  # the lists of a site's or a source's page


def summary_format(request: Request) -> tuple[str, str | None]:
    """A site's or source's page: (format, list); JSON is the whole page or one list, CSV one list."""
    fmt = wanted_format(request)
    wanted = request.query_params.get("list")
    if wanted is not None and wanted not in SUMMARY_LISTS:
        raise BadRequest(f"list={wanted}: this page's lists are {', '.join(SUMMARY_LISTS)}")
    if fmt == "csv" and wanted is None:
        raise BadRequest(f"format=csv needs one of the page's lists: &list={'|'.join(SUMMARY_LISTS)}")
    return fmt, wanted


def summary_response(summary: dict, daily: Table, fmt: str, wanted: str | None, name: str, zone: ZoneInfo) -> Response:
    lists = {"daily": daily, "parser_versions": summary["parser_versions"], "errors": summary["errors"]}
    if wanted is not None:
        return list_response(in_zone(lists[wanted], zone), fmt, f"{name}-{wanted}")
    return json_response({**summary, **{key: table.dicts() for key, table in lists.items()}}, zone)


def json_response(value: Any, zone: ZoneInfo | None = None) -> Response:
    """`value` as JSON, its instants given in `zone` when one is given."""
    return Response(json_text(in_zone(value, zone) if zone else value) + "\n",
                    media_type="application/json; charset=utf-8")


def list_response(table: Table, fmt: str, name: str, next_url: str | None = None) -> Response:
    """One page of a list as JSON or CSV; `next_url`, the next page's, goes in a `Link: <…>; rel="next"` header."""
    if fmt == "json":
        response = json_response(table.dicts())
    else:
        response = Response(to_csv(table.columns, table.rows), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    if next_url is not None:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


def next_page(request: Request, number: int, more: bool) -> str | None:
    """The URL of the page after page `number` of this list, if it has `more`."""
    return page_url(request, page=number + 1) if more else None


def in_zone(value: Any, zone: ZoneInfo) -> Any:
    """`value` (a Table, or dicts, lists and tuples of values) with its instants given in `zone`, so that JSON and
    CSV write them with that offset."""
    if isinstance(value, datetime):
        return value.astimezone(zone) if value.tzinfo else value
    if isinstance(value, Table):
        return Table(value.columns, [in_zone(row, zone) for row in value.rows])
    if isinstance(value, dict):
        return {key: in_zone(item, zone) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(in_zone(item, zone) for item in value)
    return value


def facets_response(facets: Facets, fmt: str) -> Response:
    """A search's facets: JSON with the totals and a list per facet, or CSV with one row per facet value."""
    lists = {"site": facets.sites, "month": facets.months, "person": facets.people}
    if fmt == "json":
        return json_response({"total": facets.total, "counted": facets.counted,
                              "sites": [{"site": value, "articles": n} for value, n in facets.sites],
                              "months": [{"month": value, "articles": n} for value, n in facets.months],
                              "people": [{"person": value, "articles": n} for value, n in facets.people]})
    rows = [(facet, value, n) for facet, values in lists.items() for value, n in values]
    return list_response(Table(["facet", "value", "articles"], rows), fmt, "search-facets")


def hits_table(hits: list[SearchHit]) -> Table:
    columns = ["rank", "article_id", "title", "published_at", "published_date", "published_precision", "site", "url",
               "parent_article_id", "parent_title", "score", "snippet", "people", "copies"]
    rows = []
    for hit in hits:
        values = asdict(hit)
        values["snippet"] = (hit.snippet or "").replace(HIT_MARKS[0], "【").replace(HIT_MARKS[1], "】") or None
        values["people"] = "; ".join(f"{c.name} ({c.role})" for c in hit.people)
        values["copies"] = "; ".join(f"{c.site} {c.url or ''}".strip() for c in hit.copies)
        rows.append(tuple(values[column] for column in columns))
    return Table(columns, rows)


def when(value: datetime | date | None, zone: ZoneInfo, precision: str | None = None) -> str:
    """A time in the app's zone (2024-11-05 09:30), or only the day when the page gave only a day."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if precision == "date":
            return value.astimezone(zone).strftime("%Y-%m-%d") if value.tzinfo else value.strftime("%Y-%m-%d")
        return (value.astimezone(zone) if value.tzinfo else value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def highlight(text: str | None) -> Markup:
    """A snippet, escaped, with the query's words (between HIT_MARKS) in <mark>."""
    if not text:
        return Markup("")
    return Markup(str(escape(text)).replace(HIT_MARKS[0], "<mark>").replace(HIT_MARKS[1], "</mark>"))


def web_url(url: str | None) -> str | None:
    """A stored URL fit for a link or a picture: http(s) only (a page can claim any 原文链接); else None."""
    if url and url.split(":", 1)[0].lower() in ("http", "https") and "://" in url:
        return url
    return None


def month_bounds(month: str) -> tuple[str, str]:
    """"2024-11" -> ("2024-11-01", "2024-11-30"): the search filters of one month."""
    year, number = map(int, month.split("-"))
    return f"{month}-01", f"{month}-{calendar.monthrange(year, number)[1]:02d}"


def html_lang(code: str | None) -> str:
    """An article's `language` as an HTML lang value (zh -> zh-CN, the regional press this reads)."""
    if not code:
        return "zh-CN"
    return "zh-CN" if code == "zh" else code


def page_url(request: Request, **changes: Any) -> str:
    """This page's URL with some query parameters changed (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return f"{request.url.path}?{urlencode(params)}" if params else request.url.path


def flow_run_link(ui_url: str | None, flow_run_id: str | None) -> str | None:
    if not ui_url or not flow_run_id:
        return None
    return f"{ui_url.rstrip('/')}/runs/flow-run/{flow_run_id}"


def prefect_ui_url() -> str | None:
    """Where the Prefect UI is: $PREFECT_UI_URL, else $PREFECT_API_URL without /api, else the local server
    `newsduck server start` recorded; None when there is none."""
    if os.environ.get("PREFECT_UI_URL"):
        return os.environ["PREFECT_UI_URL"]
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"].rstrip("/").removesuffix("/api")
    from ..local_server import read_state

    state = read_state()
    return state.ui_url if state else None
