"""newsduck search QUERY"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict

from ..progress import ProgressBar, progress_bar
from .common import (EXIT_USAGE, CliError, add_db_option, add_quiet_option, add_timezone_option, add_warehouse_option,
                     examples, iso_date, positive_int, resolve_timezone, warehouse_of)

BOLD = ("\033[1m", "\033[0m")
BRACKETS = ("【", "】")


def register(commands) -> None:
    parser = commands.add_parser(
        "search",
        help="full-text search of titles, bodies and bylines, Chinese or English, best matches first",
        description="Search the articles' titles, bodies and the names of the people they credit (reporters, "
        "editors, photographers…). The query is split into words the way the articles were (jieba for Chinese; "
        "Latin words ignore case) and, unless --any is given, every word must occur. Results are ranked by BM25, "
        "with words in the title or the byline counting more, and show the best matching sentence with the words "
        "marked. Copies of one story (reposts, duplicates) are listed once, the best ranked, with the sites of "
        "the others; --all-copies lists each. --person keeps the articles that credit someone of exactly that "
        "name. Times are shown in --timezone. In SQL on a DuckDB file the same search is the table macro "
        "search_articles('query') (newsduck sql). The index is brought up to date by every ingest; --reindex "
        "does it now. On a DuckLake warehouse (--warehouse) the search reads its latest snapshot without blocking "
        "its writers, whose ingests keep its index current as they do the file's.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples("""
            $ newsduck search 招商引资 --since 2023-01-01
             1. 清河门区 汨汨绿电涌动 转型前路光明  (in: 跑好第一棒 冲刺开门红)
                2023-03-07 · epaper.lnd.com.cn · score 3.19
                http://epaper.lnd.com.cn/html/2023-03/07/content_2318551.htm
                by 田甜 (reporter)
                通过【招商引资】引入项目和资金,建设安置小区对沉陷区居民进行避险搬迁,并在居民搬迁腾空的土地上建设风电和光伏发电项目。
            (1 result)
            $ newsduck search 张立新                     # also the stories whose byline names him
            $ newsduck search 食堂 --person 刘思源 --role reporter
            $ newsduck search --person 马丽              # the articles crediting her, latest first
            $ newsduck search 银龄食堂 --all-copies       # each copy of a reposted story
            $ newsduck search "玛瑙 工作室" --site lnd.com.cn --limit 5 --format json --timezone UTC
            $ newsduck search --reindex
            $ newsduck search --fts-index    # DuckDB fts's own index too, for match_bm25 in SQL
            $ newsduck search 招商引资 --warehouse 'ducklake:postgresql://postgres@10.0.0.5:5432/news?data=/srv/lake'
        """),
    )
    parser.add_argument("query", metavar="QUERY", nargs="?", help="words to find, e.g. 招商引资 or \"DuckDB 阜新\"")
    add_db_option(parser)
    add_warehouse_option(parser, "search the latest snapshot, read without blocking its writers, of")
    parser.add_argument("--site", metavar="HOST", help="only this site or its subdomains (lnd.com.cn matches epaper.lnd.com.cn)")
    parser.add_argument("--since", metavar="DATE", type=iso_date,
                        help="only articles published on or after DATE (YYYY-MM-DD, a day in --timezone)")
    parser.add_argument("--until", metavar="DATE", type=iso_date, help="only articles published on or before DATE")
    parser.add_argument("--person", metavar="NAME",
                        help="only articles that credit someone of exactly this name; QUERY may then be left out")
    parser.add_argument("--role", metavar="ROLE",
                        help="with --person: only credits in this role (reporter, author, photographer, editor, "
                        "correspondent)")
    parser.add_argument("--limit", metavar="N", type=positive_int, default=20, help="at most N results (default 20)")
    parser.add_argument("--any", action="store_true", help="rank articles that have any of the words, not only all")
    parser.add_argument("--all-copies", action="store_true",
                        help="list every copy of a story (reposts, duplicates) as a result of its own")
    add_timezone_option(parser, "print times and dates")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--reindex", action="store_true",
                        help="bring the search index up to date now (needs write access: not while an ingest runs)")
    parser.add_argument("--fts-index", action="store_true",
                        help="also (re)build DuckDB fts's own index over the segmented words, for SQL with "
                        "fts_main_article_search.match_bm25 (not kept current by ingests; minutes at 100k articles; "
                        "a DuckDB file only)")
    add_quiet_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not args.query and args.person is None and not args.reindex and not args.fts_index:
        raise CliError("say what to search for, e.g. newsduck search 招商引资 (or --person NAME, or --reindex)",
                       EXIT_USAGE)
    check_role(args)
    if args.since and args.until and args.until < args.since:
        raise CliError(f"--until {args.until} is before --since {args.since}", EXIT_USAGE)
    db_path = warehouse_of(args)
    from warehouse.db import is_lake_address

    if args.fts_index and is_lake_address(db_path):
        raise CliError("--fts-index builds DuckDB fts's index, which only a DuckDB file can hold; leave it out with "
                       "a DuckLake warehouse", EXIT_USAGE)
    if args.reindex or args.fts_index:
        reindex(db_path, fts=args.fts_index, quiet=args.quiet)
    if args.query or args.person is not None:
        show(search_database(db_path, args), args)
    return 0


def check_role(args: argparse.Namespace) -> None:
    if args.role is None:
        return
    from parsers.records import ROLES

    if args.person is None:
        raise CliError("--role needs --person NAME: the role of whose credits", EXIT_USAGE)
    if args.role not in ROLES:
        raise CliError(f"--role {args.role!r}: expected one of {', '.join(ROLES)}", EXIT_USAGE)


def reindex(db_path: str, *, fts: bool = False, quiet: bool = True) -> None:
    """Bring the search index up to date, then build fts's index if asked, each with a bar on a terminal. A DuckDB
    file's postings are also rewritten sorted; a lake's are not (warehouse.search.refresh_search_index), and its
    refresh is one write transaction, as after an ingest's batch."""
    from warehouse.db import close_writer, open_writer, write_transaction
    from warehouse.search import build_fts_index, refresh_search_index

    con = open_writer(db_path)
    try:
        with progress_bar(quiet, lambda: ProgressBar("search index", unit="articles")) as bar:
            step = bar.step if bar else None
            done = write_transaction(con, lambda: refresh_search_index(con, compact=True, progress=step))
        print(f"search index: {done.segmented} articles segmented, {done.removed} removed, in {done.seconds:.1f} s",
              file=sys.stderr)
        if fts:
            with progress_bar(quiet, lambda: ProgressBar("fts index", unit=None)):
                seconds = build_fts_index(con)
            print(f"fts index: built in {seconds:.1f} s; in SQL: "
                  "fts_main_article_search.match_bm25(article_id, segment('招商引资'))", file=sys.stderr)
    finally:
        close_writer(con)


def search_database(db_path: str, args: argparse.Namespace):
    from warehouse.db import snapshot_reader
    from warehouse.search import index_status, search

    with snapshot_reader(db_path) as con:
        status = index_status(con)
        if not status.has_index:
            raise CliError(f"{db_path} has no search index of this version yet: run newsduck ingest or "
                           "newsduck search --reindex once")
        if status.pending:
            print(f"newsduck: note: {status.pending} of {status.articles} articles are not in the search index yet "
                  "(run newsduck search --reindex)", file=sys.stderr)
        return search(con, args.query, site=args.site, since=args.since, until=args.until, person=args.person,
                      role=args.role, limit=args.limit, match_all=not args.any, collapse_copies=not args.all_copies,
                      zone=resolve_timezone(args.timezone).key, marks=BOLD if use_bold() and args.format == "table" else BRACKETS)


def use_bold() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def show(hits, args: argparse.Namespace) -> None:
    if args.format == "json":
        from warehouse.queries import to_json

        rows = [asdict(hit) for hit in hits]
        columns = list(rows[0]) if rows else []
        print(to_json(columns, [tuple(row.values()) for row in rows]) if rows else json.dumps([]))
        return
    if not hits:
        print(no_match(args))
        return
    for hit in hits:
        print(format_hit(hit))
    print(f"({len(hits)} result{'s' if len(hits) != 1 else ''})")


def no_match(args: argparse.Namespace) -> str:
    credited = f"credit {args.person!r}" + (f" as {args.role}" if args.role else "")
    if args.person is None:
        return f"no articles match {args.query!r}"
    if not args.query:
        return f"no articles {credited}"
    return f"no articles that {credited} match {args.query!r}"


def format_hit(hit) -> str:
    title = hit.title or "(untitled)"
    if hit.parent_article_id:
        title += f"  (in: {hit.parent_title or hit.parent_article_id})"
    about = [when(hit), hit.site]
    if hit.score is not None:
        about.append(f"score {hit.score:.2f}")
    line = " · ".join(about)
    if hit.copies:
        line += f"  (+{len(hit.copies)} {'copy' if len(hit.copies) == 1 else 'copies'}: " \
                f"{', '.join(copy.site for copy in hit.copies)})"
    lines = [f"{hit.rank:>2}. {title}", f"    {line}"]
    if hit.url:
        lines.append(f"    {hit.url}")
    if hit.people:
        lines.append(f"    by {credits(hit.people)}")
    if hit.snippet:
        lines.append(f"    {hit.snippet}")
    return "\n".join(lines)


def when(hit) -> str:
    """The local day, and the time when the page gives one."""
    if hit.published_date is None:
        return "no date"
    if hit.published_precision == "date" or hit.published_at is None:
        return hit.published_date.isoformat()
    return hit.published_at.strftime("%Y-%m-%d %H:%M")


def credits(people) -> str:
    """张立新 (reporter), 赵喆 (reporter, photographer): each name once, in credit order."""
    roles: dict[str, list[str]] = {}
    for credit in people:
        roles.setdefault(credit.name, []).append(credit.role)
    return ", ".join(f"{name} ({', '.join(their_roles)})" for name, their_roles in roles.items())
