"""newsduck's crawl against the politeness bound: many slow hosts, one per-host request at a time.

    python -m bench.crawl [--pages 2000 8000] [--hosts 10] [--latency 0.2] [--json]

For each N in --pages, in fresh processes:

1. a server process binds one threaded HTTP server per host on 127.0.0.2, 127.0.0.3, … (port picked by the OS),
   each serving N / hosts generated Chinese article pages (~3-5 KB: h1 title, a meta line with 发布时间 and 来源,
   5 paragraphs), a sitemap.xml listing them and a robots.txt allowing all (no Crawl-delay); every response
   is delayed by --latency seconds (a sleep in the connection's own thread, so connections do not queue) and
   sent in one write without Nagle's delay;
2. a crawler process runs the Prefect flow `flows.crawl.crawl` once over ONE source whose start URLs are the
   hosts' sitemaps, with per-host concurrency 1 and min delay 0, into a fresh DuckDB file; it reports the wall
   time, its peak RSS (ru_maxrss) and the articles stored.

The bound is hosts × per-host concurrency / latency pages/s (10 × 1 / 0.2 s = 50 pages/s); the target is 80% of
it. See bench/README.md ("Crawl benchmark").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/crawl.py`: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PROJECT = Path(__file__).resolve().parent.parent
TARGET_SHARE = 0.8          # of the politeness bound
PER_HOST_CONCURRENCY = 1
CHINA = timezone(timedelta(hours=8))

# ------------------------------------------------------------------------------------------------ the pages

PLACES = "沈阳市 大连市 鞍山市 抚顺市 本溪市 丹东市 锦州市 营口市 阜新市 辽阳市 盘锦市 铁岭市 朝阳市 葫芦岛市".split()
ORGS = "市委 市政府 市发展改革委 市教育局 市科技局 市财政局 市农业农村局 市生态环境局 市文化旅游局 市卫生健康委".split()
TOPICS = ("乡村振兴 营商环境 项目建设 招商引资 安全生产 森林防火 防汛抗旱 生态环境 污染防治 城市更新 老旧小区改造 "
          "数字经济 科技创新 民生保障 就业创业 医疗卫生 文化惠民 冬季供暖 农田水利 产业升级").split()
VERBS = "部署 推进 落实 开展 组织 举办 启动 完成 加强 深化 优化 提升 推动 加快 统筹 调研 检查 督导".split()
ADVERBS = "积极 认真 切实 扎实 全面 持续 进一步 不断 大力 稳步 有序 精准 高效 深入 主动 及时 全力 着力".split()
GROUPS = "干部群众 志愿者 企业代表 农民 学生 党员 居民 医务人员 游客 退休职工 青年创业者".split()
MEASURES = "专项行动 实施方案 工作专班 责任清单 联席会议制度 督查机制 考核办法 扶持政策".split()
PAPERS = "阜新日报 辽宁日报 沈阳日报 大连日报 锦州日报 营口日报 朝阳日报 铁岭日报 丹东日报 盘锦日报".split()
SENTENCES = [
    "{date}，{place}{org}召开{topic}工作会议，{adverb}{verb}{topic}各项任务。",
    "会议指出，要{adverb}{verb}{measure}，确保{topic}工作取得实效，第{n}批项目按期推进。",
    "今年以来，{place}累计投入资金{n}万元，{verb}{topic}重点项目{m}个，惠及{group}{k}人。",
    "{org}有关负责人表示，下一步将{adverb}{verb}{measure}，推动{topic}与{topic2}协同发展。",
    "活动现场，{group}{adverb}参与，{place}共组织{m}场次，发放宣传材料{n}余份。",
    "据了解，{place}已建立{measure}，{adverb}{verb}{topic}，全年目标完成率达到{p}%。",
    "{group}纷纷表示，{topic}让生活更加便利，{place}的变化大家看得见、摸得着。",
]


def article_html(host_index: int, number: int) -> bytes:
    """One article page, the same bytes for the same (host, number); ~3-5 KB of UTF-8."""
    rng = random.Random(host_index * 1_000_003 + number)
    published = datetime(2026, 1, 1, 8, 0, tzinfo=CHINA) + timedelta(minutes=rng.randrange(300 * 24 * 60))
    place, topic = rng.choice(PLACES), rng.choice(TOPICS)
    title = f"{place}{rng.choice(VERBS)}{topic}工作 {rng.choice(MEASURES)}第{number}期"

    def sentence() -> str:
        return rng.choice(SENTENCES).format(
            date=f"{published.month}月{published.day}日", place=rng.choice(PLACES), org=rng.choice(ORGS),
            topic=rng.choice(TOPICS), topic2=rng.choice(TOPICS), adverb=rng.choice(ADVERBS), verb=rng.choice(VERBS),
            measure=rng.choice(MEASURES), group=rng.choice(GROUPS), n=rng.randrange(100, 99999),
            m=rng.randrange(2, 300), k=rng.randrange(100, 90000), p=rng.randrange(60, 100))

    paragraphs = ["".join(sentence() for _ in range(rng.randrange(4, 7))) for _ in range(5)]
    body = "\n".join(f"<p>{text}</p>" for text in paragraphs)
    html = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}_{rng.choice(PAPERS)}</title></head>
<body>
<div class="nav"><a href="/">首页</a> &gt; <a href="/news/">本地新闻</a></div>
<div class="article">
<h1>{title}</h1>
<div class="info">发布时间：{published:%Y-%m-%d %H:%M}　来源：{rng.choice(PAPERS)}　作者：记者 {rng.choice("王李张刘陈杨赵吴")}{rng.choice("伟芳敏静强磊军洋")}</div>
<div class="content">
{body}
</div>
</div>
<div class="footer">版权所有 © 2026 本站 　备案号：辽ICP备{host_index:02d}{number:06d}号</div>
</body></html>
"""
    return html.encode("utf-8")


def article_path(number: int) -> str:
    day = datetime(2026, 1, 1) + timedelta(days=number % 300)
    return f"/{day:%Y-%m}/{day:%d}/content_{number}.html"


def sitemap_xml(origin: str, count: int) -> bytes:
    entries = "".join(f"<url><loc>{origin}{article_path(n)}</loc></url>\n" for n in range(1, count + 1))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</urlset>\n").encode()


# ---------------------------------------------------------------------------------------------- the servers


def handler_for(host_index: int, articles: int, latency: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real site would
        # One send per response, no Nagle: written unbuffered, the body would wait for the client's delayed ACK
        # of the headers (~40 ms on Linux), and every response would take --latency + 40 ms.
        wbufsize = 64 * 1024
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            time.sleep(latency)
            path = self.path.split("?", 1)[0]
            origin = f"http://{self.headers.get('Host')}"
            if path == "/robots.txt":
                self.reply(200, "text/plain; charset=utf-8", b"User-agent: *\nAllow: /\n")
            elif path == "/sitemap.xml":
                self.reply(200, "application/xml", sitemap_xml(origin, articles))
            elif path.startswith("/20") and path.endswith(".html"):
                try:
                    number = int(path.rsplit("_", 1)[1][:-5])
                except ValueError:
                    number = 0
                if 1 <= number <= articles:
                    self.reply(200, "text/html; charset=utf-8", article_html(host_index, number))
                else:
                    self.reply(404, "text/plain", b"not found")
            else:
                self.reply(404, "text/plain", b"not found")

        def reply(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # quiet
            pass

    return Handler


def serve(hosts: int, pages: int, latency: float) -> None:
    """Server process: print the origins as one JSON line, then serve until stdin closes."""
    per_host = pages // hosts
    origins = []
    for index in range(hosts):
        server = ThreadingHTTPServer((f"127.0.0.{index + 2}", 0), handler_for(index, per_host, latency))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        origins.append(f"http://127.0.0.{index + 2}:{server.server_address[1]}")
    print(json.dumps(origins), flush=True)
    sys.stdin.read()  # the benchmark closes our stdin when it is done


# ------------------------------------------------------------------------------------------------ the crawl


@dataclass
class CrawlResult:
    pages: int
    hosts: int
    latency: float
    wall_s: float            # the crawl itself: discovery + fetch + extract + load (the flow's own clock)
    flow_call_s: float       # the whole crawl() call, Prefect's run bookkeeping (and ephemeral server start) included
    peak_rss_mb: float       # ru_maxrss of the crawling process
    children_peak_rss_mb: float  # largest ru_maxrss among its waited-for children (extraction workers, if any)
    cpu_s: float             # user + system CPU of the crawling process (Prefect start-up included)
    articles_stored: int
    fetched: int
    errors: int
    status: str

    @property
    def bound(self) -> float:
        return self.hosts * PER_HOST_CONCURRENCY / self.latency

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall_s if self.wall_s else 0.0

    @property
    def share_of_bound(self) -> float:
        return self.pages_per_s / self.bound


def prepare_prefect_env(home: str) -> None:
    os.environ["PREFECT_HOME"] = home
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.pop("PREFECT_API_URL", None)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        os.environ.pop(name, None)  # the hosts are local


def run_crawl(origins: list[str], pages: int, latency: float, workdir: str) -> CrawlResult:
    """Crawler process: one flow run over all hosts as one source; returns the measurements."""
    prepare_prefect_env(str(Path(workdir) / "prefect"))
    import duckdb

    from flows.crawl import crawl
    from flows.sources import Source, StartUrl

    source = Source(name="bench-crawl", start_urls=tuple(StartUrl(f"{o}/sitemap.xml", "sitemap") for o in origins),
                    concurrency=PER_HOST_CONCURRENCY, min_delay=0.0)
    db_path = str(Path(workdir) / "crawl.duckdb")
    started = time.perf_counter()
    summary = crawl(source.to_dict(), db_path)
    flow_call = time.perf_counter() - started
    with duckdb.connect(db_path, read_only=True) as con:
        stored = con.execute("SELECT count(DISTINCT url) FROM articles").fetchone()[0]
    return CrawlResult(
        pages=pages, hosts=len(origins), latency=latency, wall_s=summary["duration_s"], flow_call_s=round(flow_call, 3),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        children_peak_rss_mb=round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        cpu_s=round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), 1),
        articles_stored=stored, fetched=summary["fetched"], errors=summary["errors"], status=summary["status"])


def measure(pages: int, hosts: int, latency: float) -> CrawlResult:
    """One N: a fresh server process and a fresh crawler process, in a fresh temporary directory."""
    server = subprocess.Popen([sys.executable, "-m", "bench.crawl", "--serve", str(pages), "--hosts", str(hosts),
                               "--latency", str(latency)], cwd=PROJECT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        origins = json.loads(server.stdout.readline())
        with tempfile.TemporaryDirectory(prefix="newsduck-bench-crawl-") as workdir:
            crawler = subprocess.run([sys.executable, "-m", "bench.crawl", "--run-crawl", json.dumps(origins),
                                      "--pages", str(pages), "--latency", str(latency), "--workdir", workdir],
                                     cwd=PROJECT, stdout=subprocess.PIPE, text=True, check=True)
        return CrawlResult(**json.loads(crawler.stdout.strip().splitlines()[-1]))
    finally:
        server.stdin.close()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


# ---------------------------------------------------------------------------------------------------- report


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def table(results: list[CrawlResult]) -> str:
    header = ("pages  hosts  latency  wall_s  pages/s  bound  % of bound  peak RSS MB  articles stored  "
              "flow call s  crawler CPU s  errors")
    lines = [header]
    for r in results:
        lines.append(f"{r.pages:<6} {r.hosts:<6} {r.latency:<8.2f} {r.wall_s:<7.1f} {r.pages_per_s:<8.1f} "
                     f"{r.bound:<6.0f} {100 * r.share_of_bound:<11.0f} {r.peak_rss_mb:<12.0f} "
                     f"{r.articles_stored:<16} {r.flow_call_s:<12.1f} {r.cpu_s:<14.1f} {r.errors}")
    return "\n".join(lines)


def memory_growth(results: list[CrawlResult]) -> str | None:
    """How the peak RSS of the crawling process moved from the smallest N to the largest; the target is that it
    does not grow with N. None for a single N."""
    if len({r.pages for r in results}) < 2:
        return None
    low, high = min(results, key=lambda r: r.pages), max(results, key=lambda r: r.pages)
    low_mb, high_mb = round(low.peak_rss_mb), round(high.peak_rss_mb)  # as the table shows them
    change = high_mb - low_mb
    per_1000 = 1000 * change / (high.pages - low.pages)
    return (f"peak RSS N={low.pages} -> {high.pages}: {low_mb} -> {high_mb} MB, "
            f"{change:+d} MB ({change / low_mb:+.1%}; {per_1000:+.1f} MB per 1,000 more pages)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, nargs="+", default=[2000, 8000], help="article counts N (default 2000 8000)")
    parser.add_argument("--hosts", type=int, default=10, help="local hosts, 127.0.0.2 upwards (default 10)")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds added to every response (default 0.2)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)        # internal: server process for N pages
    parser.add_argument("--run-crawl", help=argparse.SUPPRESS)              # internal: crawler process (origins JSON)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.latency <= 0:
        parser.error("--latency must be more than 0 seconds: the bound the crawl is measured against is "
                     "hosts x concurrency / latency")

    if args.serve is not None:
        serve(args.hosts, args.serve, args.latency)
        return 0
    if args.run_crawl is not None:
        result = run_crawl(json.loads(args.run_crawl), args.pages[0], args.latency, args.workdir)
        print(json.dumps(asdict(result)), flush=True)
        return 0

    started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load_before = load_average()
    results = [measure(n, args.hosts, args.latency) for n in args.pages]
    if args.json:
        print(json.dumps({"started": started, "load_before": load_before, "load_after": load_average(),
                          "cores": os.cpu_count(), "results": [asdict(r) for r in results]}, indent=2))
    else:
        print(f"# bench.crawl  {started}  cores {os.cpu_count()}  load average (1/5/15 min) "
              f"before {load_before}, after {load_average()}")
        print(table(results))
        for r in results:
            verdict = "meets" if r.share_of_bound >= TARGET_SHARE else "misses"
            stored = "all stored" if r.articles_stored == r.pages else f"ONLY {r.articles_stored} of {r.pages} stored"
            print(f"N={r.pages}: {verdict} the {TARGET_SHARE:.0%} target; {stored}; status {r.status}; "
                  f"children peak RSS {r.children_peak_rss_mb:.0f} MB")
        growth = memory_growth(results)
        if growth is not None:
            print(growth)
    ok = all(r.articles_stored == r.pages and r.status == "completed" for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
