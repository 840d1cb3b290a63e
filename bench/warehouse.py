"""newsduck's warehouse at scale: bulk load vs DuckDB's own COPY, near-duplicate detection, full-text search.

    python -m bench.warehouse [--articles 100000] [--batch-size 2000] [--seed 1] [--json]

Generates N synthetic Chinese news articles (a fixed vocabulary of real words and sentence templates, seeded;
10-20 paragraphs, 1-3 people with roles, 0-2 images; ~2% near duplicates and ~1% exact duplicates of earlier
articles, half of them reposts that cite the original's URL; a few planted rare words) and, in one run:

1. prepares each batch's rows with `warehouse.prepare.prepare_pages` (rows, hashes, zstd bodies, MinHash
   fingerprints: what the flows do in their extract task, before the write connection is opened) and times it
   apart; loads the prepared batches with `warehouse.load.load_batch` into a fresh DuckDB file (relation
   detection on, as in production) and times that as the load; writes the same rows of every table load_batch fills with the articles (raw_pages,
   articles, paragraphs, people, article_people, images, fetches) to Parquet and times DuckDB's
   `COPY table FROM 'x.parquet'` into an identical empty schema;
2. times `warehouse.search.refresh_search_index` over everything and `warehouse.search.search` for 50 queries,
   and checks that the planted words are found;
3. records the peak RSS of the process and of each phase.

See bench/README.md ("Warehouse benchmark") for what each figure means.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

if __package__ in (None, ""):  # run as `python bench/warehouse.py`: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

import warehouse.load as load_module
import warehouse.prepare as prepare_module
import warehouse.relations as relations_module
import warehouse.search as search_module
from parsers.records import ROLES, ArticleRecord, Author, Block, Image
from warehouse.db import connect
from warehouse.ids import article_id_for
from warehouse.load import load_batch
from warehouse.schemas import (ARTICLE_PERSON_SCHEMA, ARTICLE_SCHEMA, FETCH_SCHEMA, IMAGE_SCHEMA, PARAGRAPH_SCHEMA,
                               PERSON_SCHEMA, RAW_PAGE_SCHEMA)
from warehouse.models import FetchInfo, LoadCounts, PageResult
from warehouse.prepare import prepare_pages
from warehouse.runs import start_run
from warehouse.search import refresh_search_index, search

# Targets of the issue.
TARGET_LOAD_RATIO = 0.5        # newsduck rows/s >= 0.5 x COPY FROM parquet rows/s
TARGET_DETECTION_SECONDS = 60  # near-duplicate detection of 100k articles, 2 cores
TARGET_QUERY_MEDIAN_MS = 50    # search median at 100k articles
QUERIES = 50

EXACT_SHARE, NEAR_SHARE = 0.01, 0.02  # of the articles: copies of an earlier article
CITING_SHARE = 0.5                     # of the copies: reposts that give the original's URL (原文链接)
PLANTED_SHARE = 0.02                   # of the articles: carry one sentence with a planted word
CHINA = timezone(timedelta(hours=8))
EPOCH = datetime(2023, 1, 1, tzinfo=CHINA)

# The tables load_batch fills with the articles' rows (the same rows are counted on both sides and copied),
# with the columns it writes. Left out: runs (one row), and what relation detection derives (its own figure).
COUNTED_TABLES = {
    "raw_pages": RAW_PAGE_SCHEMA.names,
    "articles": ARTICLE_SCHEMA.names,
    "paragraphs": PARAGRAPH_SCHEMA.names,
    "people": PERSON_SCHEMA.names,
    "article_people": ARTICLE_PERSON_SCHEMA.names,
    "images": IMAGE_SCHEMA.names,
    "fetches": FETCH_SCHEMA.names,
}

# ---------------------------------------------------------------- vocabulary (real words, fixed)

PLACES = """辽宁省 沈阳市 大连市 鞍山市 抚顺市 本溪市 丹东市 锦州市 营口市 阜新市 辽阳市 盘锦市 铁岭市 朝阳市 葫芦岛市
彰武县 阜蒙县 海州区 细河区 太平区 新邱区 清河门区 北票市 凌源市 兴城市 瓦房店市 庄河市 海城市 开原市 新民市 法库县
康平县 昌图县 西丰县 建平县 喀左县 黑山县 义县 凌海市 北镇市 大石桥市 盖州市 东港市 凤城市 宽甸县 桓仁县 清原县 新宾县
岫岩县 台安县 长海县 绥中县 建昌县 灯塔市 辽中区 浑南区 铁西区 和平区 沈河区 皇姑区 大东区 于洪区 沈北新区 苏家屯区
甘井子区 金州区 旅顺口区 高新区 经济开发区""".split()

ORGS = """市委 市政府 市人大常委会 市政协 市发展改革委 市工业和信息化局 市教育局 市科技局 市公安局 市民政局 市财政局
市人社局 市自然资源局 市生态环境局 市住建局 市交通运输局 市水利局 市农业农村局 市商务局 市文旅广电局 市卫健委
市应急管理局 市市场监管局 市统计局 市医保局 市营商环境建设局 市消防救援支队 市总工会 团市委 市妇联 市科协 市残联
市红十字会 市税务局 市供电公司 市中级人民法院 市人民检察院 市纪委监委 市委组织部 市委宣传部 市委统战部 市委政法委
县委 县政府 区委 区政府 镇党委 街道办事处 社区党委 村党支部 市融媒体中心 市中心医院 市第一中学 市农业科学院 市气象局
市档案馆 市图书馆 市博物馆""".split()

TOPICS = """乡村振兴 营商环境 项目建设 招商引资 安全生产 森林防火 防汛抗旱 生态环境 污染防治 城市更新 老旧小区改造
基层治理 民生实事 就业创业 社会保障 养老服务 医疗卫生 教育事业 文化旅游 全民健身 粮食安全 耕地保护 高标准农田
设施农业 畜牧业 现代农业 特色产业 新能源 风电 光伏 氢能 装备制造 数字经济 电子商务 物流 冷链 科技创新 人才引进
职业教育 公共服务 交通基础设施 道路改造 供暖 供水 燃气管网 雨污分流 垃圾分类 河长制 林长制 食品安全 药品监管
消费维权 平安建设 法治建设 党风廉政 作风建设 主题教育 理论学习 志愿服务 文明城市 精神文明 文艺演出 群众文化
体育赛事 冰雪旅游 夜间经济 消费市场 外贸进出口 民营经济 中小企业 金融服务 普惠金融 税费优惠 政务服务 一网通办
放管服改革 国企改革 县域经济 园区建设 产业链 供应链 招聘会 技能培训 困难群众 退役军人 双拥工作 民族团结
统一战线 人大代表 政协委员 议案办理 提案办理 预算管理 审计监督 统计调查 防灾减灾 应急演练 消防安全 交通安全
校园安全 心理健康 家庭教育 托育服务 妇女儿童 青少年 老年人 残疾人 慈善捐赠 医保报销 家庭医生 分级诊疗 中医药
健康体检 爱国卫生 农村人居环境 厕所革命 美丽乡村 村集体经济 合作社 土地流转 农产品 品牌建设 直播带货 电商平台
快递物流 农机 秋收 春耕 备耕 种子 化肥 灌溉 水库 河道治理 矿山修复 沙化治理 植树造林 空气质量 碳排放 节能降耗
循环经济""".split()

VERBS = """部署 推进 落实 开展 组织 举办 启动 完成 实现 加强 强化 深化 优化 提升 推动 加快 统筹 调研 检查 督导 指导
研究 审议 听取 宣讲 培训 走访 慰问 签约 开工 竣工 投产 验收 发放 解决 化解 排查 整治 保障 服务 支持 培育 打造
建设 改造 提高 增加 突破 巩固 拓展 创新 谋划 对接 洽谈 考察""".split()

ADVERBS = "积极 认真 切实 扎实 全面 持续 进一步 不断 大力 稳步 有序 精准 高效 深入 主动 坚决 及时 全力 着力 重点".split()
TITLES = "市委书记 市长 副市长 局长 副局长 主任 县长 区长 党委书记 村党支部书记 总经理 董事长 负责人 院长 校长".split()
VENUES = "市民中心 文化广场 会展中心 体育馆 市委党校 人民公园 图书馆报告厅 市政府会议中心 科技馆 青少年活动中心".split()
EVENTS = "启动仪式 推进会 现场会 培训班 座谈会 观摩会 新闻发布会 表彰大会 专题讲座 宣传活动 签约仪式 技能大赛".split()
GROUPS = "干部群众 志愿者 企业代表 农民 学生 党员 居民 医务人员 参赛选手 游客 退休职工 青年创业者".split()
STAGES = "攻坚 收尾 全面实施 验收 冲刺 试运行".split()
MEASURES = "专项行动 实施方案 工作专班 责任清单 联席会议制度 督查机制 考核办法 扶持政策".split()
METRICS = "地区生产总值 营业收入 税收收入 固定资产投资 社会消费品零售总额 进出口总额 农业总产值 规上工业增加值".split()
GOALS = "全面振兴 高质量发展 建设幸福家园 全面振兴新突破 经济社会发展 群众安居乐业".split()
FEELINGS = "表示满意 拍手称赞 受益 参与其中 点赞".split()
UNITS = "村 社区 乡镇 企业 学校 合作社".split()
BRANDS = "华兴 恒源 鑫达 宏运 金山 天宇 鼎盛 中科 北方 东方 新宇 瑞丰 德润 海川 泰和 盛世 佳禾 龙源 同创 益民".split()
TRADES = "科技 新能源 机械制造 农业发展 食品 化工 建材 物流 电子 医药".split()
ENGLISH = "GDP CPI PMI 5G AI APP VR PPP EPC LED RCEP CBD MCN ESG SaaS".split()

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
                "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉丹宁晓建国文海波立志春云东宇浩鑫雪琳晨阳佳欣博凯"
             "岩峰旭颖然悦航冰薇婷子思雨梦俊斌彬亮蕾")

# (host, newspaper or portal name): the first nine publish, the last four mostly repost.
SITES = [
    ("epaper.lnd.com.cn", "辽宁日报"), ("www.lnd.com.cn", "北国网"), ("www.fxrb.com.cn", "阜新日报"),
    ("www.fuxin.gov.cn", "阜新市人民政府"), ("www.lndj.gov.cn", "辽宁党建网"), ("www.syd.com.cn", "沈阳日报"),
    ("www.dlxww.com", "大连新闻网"), ("www.jzrb.com.cn", "锦州日报"), ("www.zgcy.gov.cn", "朝阳市人民政府"),
    ("news.example-portal.cn", "东北新闻转载网"), ("www.ln-news.example.cn", "辽沈晚报网"),
    ("m.repost.example.com.cn", "北方资讯"), ("www.ffclzx.cn", "阜新市政协"),
]
PUBLISHERS, REPOSTERS = SITES[:9], SITES[9:]

SENTENCES = [
    "{date}，{org}召开{topic}工作会议，{adv}{verb}{topic2}。",
    "今年以来，{place}{adv}{verb}{topic}，累计{verb2}项目{num}个，总投资{money}亿元。",
    "{person}表示，要{adv}{verb}{topic}，{verb2}{topic2}，确保各项任务落到实处。",
    "截至目前，{place}已{verb}{topic}点位{num}处，惠及群众{num2}余户。",
    "据{org}{title}{person}介绍，{place}{topic}同比增长{pct}%。",
    "在{company}的生产车间里，工人们正忙着赶制订单，{topic}势头良好。",
    "{place}把{topic}作为重中之重，{adv}{verb}{topic2}。",
    "下一步，{org}将{adv}{verb}{topic}，{verb2}{topic2}，为{goal}贡献力量。",
    "活动现场，{num}余名{group}参加了{topic}{event}。",
    "{date}上午，{place}{topic}{event}在{venue}举行。",
    "{title}{person}一行到{place}{verb}{topic}情况。",
    "据统计，{year}年{place}{metric}达到{money}亿元，同比增长{pct}%。",
    "{company}引进{english}技术，{verb}{topic}，年产值可达{money}亿元。",
    "{place}{adv}拓展{english}应用场景，推动{topic}与{topic2}融合发展。",
    "“{adv}{verb}{topic}，是我们义不容辞的责任。”{person}说。",
    "{place}坚持{topic}和{topic2}两手抓，{adv}{verb}{topic3}。",
    "记者了解到，{place}{topic}工作已进入{stage}阶段。",
    "为{verb}{topic}，{org}{adv}制定{measure}，{verb2}{topic2}。",
    "{place}{num}个{unit}全部完成{topic}任务，{group}纷纷{feeling}。",
    "{org}与{company}签订{topic}合作协议，总投资{money}亿元的项目正式落地。",
    "会议指出，{topic}事关{goal}，各地各部门要{adv}{verb}。",
    "{person}是{place}的一名{group}，几年来一直{adv}参与{topic}。",
    "{place}通过{measure}，{adv}{verb}{topic}，群众获得感明显增强。",
    "{month}月份，{place}共{verb}{topic}问题{num}个，整改率达到{pct}%。",
    "{org}成立{topic}{measure}，由{title}{person}牵头负责。",
    "在{venue}，{group}们围绕{topic}展开热烈讨论。",
    "{place}的{topic}和{topic2}已成为拉动{metric}增长的重要引擎。",
    "{year}年，{place}计划{verb}{topic}项目{num}个，{verb2}{topic2}{num2}处。",
    "{company}负责人{person}告诉记者，企业今年订单已排到{month}月。",
    "{english}相关产业在{place}集聚，带动{group}就业{num2}人。",
]
TITLE_TEMPLATES = [
    "{place}{adv}{verb}{topic}", "{org}召开{topic}{event}", "{topic}跑出加速度", "{place}：{topic}{adv}提升",
    "{place}{topic}{verb}见实效", "{verb}{topic} {verb2}{topic2}", "{place}{num}个{topic}项目集中开工",
    "{topic}让{group}得实惠", "{org}{verb}{topic}工作", "{place}{english}产业{adv}发展",
]
# Rare words planted in a few articles each: the search recall check looks for exactly these.
PLANTED_TERMS = """玛瑙 沙棘 煤矸石 皮影戏 剪纸 秧歌 温泉 湿地 白鹭 草莓 蓝莓 杂粮 候鸟 琥珀 刺绣 马拉松 滑雪场 红高粱 榛子
无人机 石墨烯 量子通信 OpenHarmony ChatGPT Mate60""".split()
PLANTED_SENTENCES = [
    "{place}的{term}产业发展迅速，吸引了众多{group}。",
    "{term}已成为{place}的一张新名片。",
    "当地{adv}打造{term}特色品牌，带动群众增收致富。",
]


def _name_pool(seed: int, size: int = 4000) -> list[str]:
    rng = random.Random(f"names/{seed}")
    names = set()
    while len(names) < size:
        names.add(rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2)))))
    return sorted(names)


# ---------------------------------------------------------------- the synthetic corpus

@dataclass
class PlantedCopy:
    copy: int       # article index of the copy
    source: int     # the earlier article it copies
    kind: str       # "exact" | "near"
    cites: bool     # the copy gives the source's URL as original_url


@dataclass
class Article:
    record: ArticleRecord
    fetched_at: datetime
    copy: PlantedCopy | None = None


class Corpus:
    """Article i is a pure function of (seed, i): copies regenerate their source instead of keeping it."""

    def __init__(self, n: int, seed: int = 1):
        self.n = n
        self.seed = seed
        self.names = _name_pool(seed)
        self.companies = [b + t + s for b in BRANDS for t in TRADES for s in ("有限公司", "股份有限公司")]
        self.urls: list[str] = []              # filled by batches(): URL of each article index
        self.copies: list[PlantedCopy] = []    # filled by batches()

    def url(self, i: int, host: str, day: datetime) -> str:
        return f"https://{host}/content/{day:%Y-%m/%d}/content_{i}.html"

    @functools.lru_cache(maxsize=4096)
    def article(self, i: int) -> Article:
        rng = random.Random(f"{self.seed}/{i}")
        roll = rng.random()
        if i > 0 and roll < EXACT_SHARE + NEAR_SHARE:
            return self._copy(i, rng, "exact" if roll < EXACT_SHARE else "near")
        return self._original(i, rng)

    def _original(self, i: int, rng: random.Random) -> Article:
        host, name = rng.choice(PUBLISHERS)
        published = EPOCH + timedelta(days=rng.randrange(730), hours=rng.randrange(6, 22), minutes=rng.randrange(60))
        focus = {"topics": rng.sample(TOPICS, 4), "place": rng.choice(PLACES), "org": rng.choice(ORGS),
                 "person": rng.choice(self.names), "published": published}
        paragraphs = [self._paragraph(rng, focus) for _ in range(rng.randint(10, 20))]
        if rng.random() < PLANTED_SHARE:
            at = rng.randrange(len(paragraphs))
            paragraphs[at] += self._fill(rng, rng.choice(PLANTED_SENTENCES), focus, term=rng.choice(PLANTED_TERMS))
        authors = [Author(name, "reporter" if k == 0 else rng.choice(ROLES))
                   for k, name in enumerate(rng.sample(self.names, rng.randint(1, 3)))]
        url = self.url(i, host, published)
        images = [Image(src=f"https://{host}/images/{published:%Y%m%d}/{i}_{k}.jpg",
                        caption=self._fill(rng, rng.choice(SENTENCES), focus), credit=f"{authors[0].name} 摄")
                  for k in range(rng.choice((0, 0, 1, 1, 1, 2)))]
        record = ArticleRecord(
            url=url, title=self._fill(rng, rng.choice(TITLE_TEMPLATES), focus), published_at=published.isoformat(),
            authors=authors, source_name=name, site_name=name, language="zh", charset="utf-8",
            body=[Block("paragraph", p) for p in paragraphs], images=images,
            provenance={"title": "h1", "published_at": "meta[PubDate]", "authors.reporter": "byline:本报记者"},
        )
        return Article(record, published + timedelta(minutes=rng.randrange(5, 600)))

    def _copy(self, i: int, rng: random.Random, kind: str) -> Article:
        j = rng.randrange(i)
        source = self.article(j).record
        host, name = rng.choice(REPOSTERS)
        published = datetime.fromisoformat(source.published_at) + timedelta(hours=rng.randint(1, 48))
        paragraphs = [b.text for b in source.body]
        if kind == "near":  # a small edit: one sentence rewritten (estimated Jaccard stays well above 0.8)
            focus = {"topics": rng.sample(TOPICS, 4), "place": rng.choice(PLACES), "org": rng.choice(ORGS),
                     "person": rng.choice(self.names), "published": published}
            at = rng.randrange(len(paragraphs))
            sentences = [s for s in paragraphs[at].split("。") if s]
            sentences[rng.randrange(len(sentences))] = self._fill(rng, rng.choice(SENTENCES), focus).rstrip("。")
            paragraphs[at] = "。".join(sentences) + "。"
        cites = rng.random() < CITING_SHARE
        record = ArticleRecord(
            url=self.url(i, host, published), title=source.title, published_at=published.isoformat(),
            authors=list(source.authors), source_name=source.site_name, site_name=name, language="zh",
            charset="utf-8", original_url=source.url if cites else None,
            body=[Block("paragraph", p) for p in paragraphs], images=[],
            provenance={"title": "h1", "source_name": "text:来源"},
        )
        return Article(record, published + timedelta(minutes=rng.randrange(5, 600)), PlantedCopy(i, j, kind, cites))

    def _paragraph(self, rng: random.Random, focus: dict) -> str:
        return "".join(self._fill(rng, rng.choice(SENTENCES), focus) for _ in range(rng.randint(1, 3)))

    def _fill(self, rng: random.Random, template: str, focus: dict, term: str | None = None) -> str:
        return template.format_map(_Slots(self, rng, focus, term))

    def page_result(self, i: int) -> PageResult:
        article = self.article(i)
        record = article.record
        body = html_of(record)
        fetch = FetchInfo(input=record.url, url=record.url, path=None, fetched_at=article.fetched_at.astimezone(timezone.utc),
                          status=200, content_type="text/html; charset=utf-8", charset="utf-8", bytes=len(body),
                          elapsed_ms=120.0)
        return PageResult(fetch=fetch, body=body, record=record)

    def batches(self, size: int) -> Iterator[list[PageResult]]:
        """All articles in order, `size` at a time; remembers each one's URL and the planted copies."""
        self.urls, self.copies = [], []
        for start in range(0, self.n, size):
            batch = [self.page_result(i) for i in range(start, min(self.n, start + size))]
            for i in range(start, start + len(batch)):
                article = self.article(i)
                self.urls.append(article.record.url)
                if article.copy is not None:
                    self.copies.append(article.copy)
            yield batch

    def queries(self, count: int = QUERIES) -> list[str]:
        """1-3 vocabulary words, Chinese, a fifth with an English term; fixed by the seed."""
        rng = random.Random(f"queries/{self.seed}")
        pools = [TOPICS, TOPICS, VERBS, PLACES, ORGS, GROUPS, EVENTS]
        out = []
        for k in range(count):
            words = [rng.choice(rng.choice(pools)) for _ in range(rng.randint(1, 3))]
            if k % 5 == 4:
                words[0] = rng.choice(ENGLISH)
            out.append(" ".join(dict.fromkeys(words)))
        return out


class _Slots(dict):
    """A template's slot values, drawn only when the template uses the slot (format_map calls __missing__)."""

    def __init__(self, corpus: Corpus, rng: random.Random, focus: dict, term: str | None):
        super().__init__(term=term)
        self.corpus, self.rng, self.focus = corpus, rng, focus

    def __missing__(self, key: str) -> Any:
        rng, focus = self.rng, self.focus
        if key.startswith("topic"):  # an article keeps coming back to its own topics
            value = rng.choice(focus["topics"]) if rng.random() < 0.7 else rng.choice(TOPICS)
        elif key in ("place", "org", "person"):
            pool = {"place": PLACES, "org": ORGS, "person": self.corpus.names}[key]
            value = focus[key] if rng.random() < 0.5 else rng.choice(pool)
        elif key in ("year", "month", "date"):
            day = focus["published"] - timedelta(days=rng.randrange(0, 5))
            value = {"year": day.year, "month": day.month, "date": f"{day.month}月{day.day}日"}[key]
        elif key in _WORD_SLOTS:
            value = rng.choice(_WORD_SLOTS[key])
        elif key == "company":
            value = rng.choice(self.corpus.companies)
        elif key == "num":
            value = rng.randint(2, 500)
        elif key == "num2":
            value = rng.randint(100, 90000)
        elif key == "money":
            value = f"{rng.uniform(0.1, 200):.1f}"
        elif key == "pct":
            value = f"{rng.uniform(0.1, 35):.1f}"
        else:
            raise KeyError(key)
        self[key] = value
        return value


_WORD_SLOTS = {
    "verb": VERBS, "verb2": VERBS, "adv": ADVERBS, "title": TITLES, "venue": VENUES, "event": EVENTS,
    "group": GROUPS, "stage": STAGES, "measure": MEASURES, "metric": METRICS, "goal": GOALS, "feeling": FEELINGS,
    "unit": UNITS, "english": ENGLISH,
}


def html_of(record: ArticleRecord) -> bytes:
    """A plain page for raw_pages (the loader stores and compresses the fetched bytes)."""
    paragraphs = "".join(f"<p>{b.text}</p>" for b in record.body)
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{record.title}</title></head>'
            f"<body><h1>{record.title}</h1><div class=\"info\">{record.published_at} 来源：{record.source_name}</div>"
            f"<div class=\"content\">{paragraphs}</div></body></html>").encode("utf-8")


# ---------------------------------------------------------------- measuring

def peak_rss_mb() -> float:
    """Peak RSS since the last reset_peak_rss() (VmHWM), else since the process started (ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux clear_refs '5'), so the next peak_rss_mb() is this phase's peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


@dataclass
class Phase:
    seconds: float = 0.0               # wall time (for the timed phases: the timed part only)
    cpu_seconds: float = 0.0           # user + system time of this process (all threads, DuckDB's included)
    peak_rss_mb: float | None = None


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def phase(report: "Report", name: str) -> Iterator[Phase]:
    gc.collect()
    resettable = reset_peak_rss()
    record = Phase()
    started, cpu_started = time.perf_counter(), cpu_seconds()
    yield record
    record.seconds = record.seconds or time.perf_counter() - started
    record.cpu_seconds = round(record.cpu_seconds or cpu_seconds() - cpu_started, 2)
    record.peak_rss_mb = round(peak_rss_mb(), 1) if resettable else None
    report.phases[name] = record


class StepTimers:
    """Wall time spent in named module functions, by wrapping them (the real functions run; nothing is faked)."""

    def __init__(self, targets: list[tuple[Any, str]]):
        self.targets = targets
        self.seconds: dict[str, float] = {}
        self.cpu_seconds: dict[str, float] = {}  # process CPU (all threads) while the function ran
        self._saved: list[tuple[Any, str, Callable]] = []

    def __enter__(self) -> "StepTimers":
        for module, name in self.targets:
            original = getattr(module, name)
            self._saved.append((module, name, original))
            setattr(module, name, self._timed(f"{module.__name__.rsplit('.', 1)[-1]}.{name}", original))
        return self

    def __exit__(self, *exc) -> None:
        for module, name, original in reversed(self._saved):
            setattr(module, name, original)

    def _timed(self, label: str, function: Callable) -> Callable:
        @functools.wraps(function)
        def timed(*args, **kwargs):
            started, cpu_started = time.perf_counter(), cpu_seconds()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started
                self.cpu_seconds[label] = self.cpu_seconds.get(label, 0.0) + cpu_seconds() - cpu_started
        return timed


class TimedConnection:
    """A DuckDB connection that adds up the wall time of each kind of statement it executes ("COMMIT",
    "INSERT INTO articles", ...). Everything else is the connection's own; the statements run unchanged."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con
        self.seconds: dict[str, float] = {}

    def execute(self, sql: str, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self._con.execute(sql, *args, **kwargs)
        finally:
            label = statement_label(sql)
            self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def statement_label(sql: str) -> str:
    words = sql.split()
    if not words:
        return "?"
    verb = words[0].upper()
    if verb in ("INSERT", "DELETE") and len(words) > 2:
        return " ".join([verb, words[1].upper(), words[2].strip('"')])
    return verb


LOAD_STEPS = [(prepare_module, name) for name in ("prepare_page", "fingerprint_articles")] + [
    (load_module, name) for name in ("existing_articles", "insert_raw_pages", "insert_people", "insert_articles",
    "insert_children", "insert_fetches", "detect_relations")]
SEARCH_REFRESH_STEPS = [(search_module, name) for name in (
    "segmented_documents", "_replace_documents", "_remove_documents", "compact_search_index")]
QUERY_STEPS = [(search_module, name) for name in ("tokenize", "snippet")]
DETECTION_STEPS = [(relations_module, name) for name in (
    "forget_articles", "top_level_articles", "fingerprint_articles", "band_table", "store_fingerprints",
    "exact_duplicate_pairs", "band_candidates", "url_citations", "stored_signatures", "article_facts",
    "stored_citers", "store_relations")]


# ---------------------------------------------------------------- the report

@dataclass
class Report:
    articles: int
    batch_size: int
    seed: int
    started_at: str
    duckdb_version: str = duckdb.__version__
    cpus: int = os.cpu_count() or 1
    load_average_start: float | None = None
    load_average_end: float | None = None
    rows: dict[str, int] = field(default_factory=dict)
    load_counts: dict[str, int] = field(default_factory=dict)
    prepare_seconds: float = 0.0              # all prepare_pages calls (outside the write connection)
    prepare_cpu_seconds: float = 0.0
    fingerprint_seconds: float = 0.0          # inside those calls: the MinHash fingerprints
    load_seconds: float = 0.0                 # all load_batch calls + final CHECKPOINT
    detection_seconds: float = 0.0            # fingerprints (in prepare_pages) + detect_relations (in load_batch)
    detection_in_load_seconds: float = 0.0    # detect_relations alone
    detection_cpu_seconds: float = 0.0        # this process's CPU time (all threads) during detect_relations
    load_steps: dict[str, float] = field(default_factory=dict)
    load_statements: dict[str, float] = field(default_factory=dict)  # SQL wall time by statement kind
    search_refresh_steps: dict[str, float] = field(default_factory=dict)
    query_steps: dict[str, float] = field(default_factory=dict)   # summed over the timed queries
    query_cpu_ms: list[float] = field(default_factory=list)
    # When the refresh leaves the postings unsorted, the queries are timed again after compact_search_index:
    search_compact_seconds: float | None = None
    compacted_query_ms: list[float] = field(default_factory=list)
    compacted_queries: list[dict[str, Any]] = field(default_factory=list)
    detection_steps: dict[str, float] = field(default_factory=dict)
    load_cpu_seconds: float = 0.0             # this process's CPU time (all threads) in those calls
    copy_seconds: float = 0.0                 # COPY of the COUNTED_TABLES + CHECKPOINT
    copy_cpu_seconds: float = 0.0
    copy_rows: dict[str, int] = field(default_factory=dict)
    parquet_mb: float = 0.0
    database_mb: float = 0.0
    relations: dict[str, Any] = field(default_factory=dict)
    search_refresh: dict[str, Any] = field(default_factory=dict)
    query_ms: list[float] = field(default_factory=list)
    queries: list[dict[str, Any]] = field(default_factory=list)
    planted_recall: dict[str, Any] = field(default_factory=dict)
    phases: dict[str, Phase] = field(default_factory=dict)
    peak_rss_mb: float = 0.0                  # ru_maxrss of the whole process

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def load_rows_per_s(self) -> float:
        return self.total_rows / self.load_seconds if self.load_seconds else 0.0

    @property
    def load_rows_per_s_without_detection(self) -> float:
        seconds = self.load_seconds - self.detection_in_load_seconds
        return self.total_rows / seconds if seconds > 0 else 0.0

    @property
    def copy_rows_per_s(self) -> float:
        return self.total_rows / self.copy_seconds if self.copy_seconds else 0.0

    @property
    def load_ratio(self) -> float:
        """The target: load_batch as production runs it (relation detection inside) against COPY."""
        return self.load_rows_per_s / self.copy_rows_per_s if self.copy_rows_per_s else 0.0

    @property
    def end_to_end_ratio(self) -> float:
        """For information: preparation and load together (prepare_pages + load_batch) against COPY."""
        seconds = self.prepare_seconds + self.load_seconds
        return (self.total_rows / seconds) / self.copy_rows_per_s if seconds and self.copy_rows_per_s else 0.0

    @property
    def load_ratio_without_detection(self) -> float:
        """For information: the same with detect_relations' time taken out (detection has its own target)."""
        return self.load_rows_per_s_without_detection / self.copy_rows_per_s if self.copy_rows_per_s else 0.0

    @property
    def query_median_ms(self) -> float:
        return statistics.median(self.query_ms) if self.query_ms else 0.0

    @property
    def query_p95_ms(self) -> float:
        return p95(self.query_ms)

    def figures(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(total_rows=self.total_rows, load_rows_per_s=round(self.load_rows_per_s, 1),
                   load_rows_per_s_without_detection=round(self.load_rows_per_s_without_detection, 1),
                   copy_rows_per_s=round(self.copy_rows_per_s, 1), load_ratio=round(self.load_ratio, 3),
                   load_ratio_without_detection=round(self.load_ratio_without_detection, 3),
                   end_to_end_ratio=round(self.end_to_end_ratio, 3),
                   query_median_ms=round(self.query_median_ms, 2), query_p95_ms=round(self.query_p95_ms, 2),
                   targets=self.targets())
        return out

    def targets(self) -> dict[str, bool]:
        recall = self.planted_recall.get("recall")
        return {
            "load_ratio": self.load_ratio >= TARGET_LOAD_RATIO,
            "detection_seconds": self.detection_seconds < TARGET_DETECTION_SECONDS,
            "query_median_ms": self.query_median_ms < TARGET_QUERY_MEDIAN_MS,
            **({"query_median_ms_after_compaction": statistics.median(self.compacted_query_ms) < TARGET_QUERY_MEDIAN_MS}
               if self.compacted_query_ms else {}),
            "planted_recall": recall == 1.0,
            "planted_copies_found": self.relations.get("missed", 1) == 0,
        }


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, -(-95 * len(ordered) // 100) - 1))]


# ---------------------------------------------------------------- phases

def load_with_newsduck(report: Report, corpus: Corpus, db_path: Path, batch_size: int) -> duckdb.DuckDBPyConnection:
    """prepare_pages then load_batch over the whole corpus, each timed apart (generating a batch is not timed)."""
    con = connect(db_path)
    run_id = start_run(con, flow_run_id=None, command="bench.warehouse", inputs=corpus.n)
    timed_con = TimedConnection(con)
    counts = LoadCounts()
    with phase(report, "load (newsduck)") as timing, StepTimers(LOAD_STEPS) as steps, \
            StepTimers(DETECTION_STEPS) as detection_steps:
        for batch in corpus.batches(batch_size):
            started, cpu_started = time.perf_counter(), cpu_seconds()
            batch = prepare_pages(batch)
            report.prepare_seconds += time.perf_counter() - started
            report.prepare_cpu_seconds += cpu_seconds() - cpu_started
            started, cpu_started = time.perf_counter(), cpu_seconds()
            counts.add(load_batch(timed_con, run_id, batch))
            report.load_seconds += time.perf_counter() - started
            report.load_cpu_seconds += cpu_seconds() - cpu_started
            del batch
        started, cpu_started = time.perf_counter(), cpu_seconds()
        timed_con.execute("CHECKPOINT")
        report.load_seconds += time.perf_counter() - started
        report.load_cpu_seconds += cpu_seconds() - cpu_started
        timing.seconds, timing.cpu_seconds = report.load_seconds, report.load_cpu_seconds
    report.load_statements = {k: round(v, 3) for k, v in sorted(timed_con.seconds.items(), key=lambda kv: -kv[1])}
    report.load_counts = asdict(counts)
    report.load_steps = {k: round(v, 3) for k, v in steps.seconds.items()}
    report.detection_steps = {k: round(v, 3) for k, v in detection_steps.seconds.items()}
    report.fingerprint_seconds = steps.seconds.get("prepare.fingerprint_articles", 0.0)
    report.detection_in_load_seconds = steps.seconds.get("load.detect_relations", 0.0)
    report.detection_seconds = report.fingerprint_seconds + report.detection_in_load_seconds
    report.detection_cpu_seconds = round(steps.cpu_seconds.get("load.detect_relations", 0.0)
                                         + steps.cpu_seconds.get("prepare.fingerprint_articles", 0.0), 2)
    report.rows = {table: con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in COUNTED_TABLES}
    if counts.errors:
        first = con.execute("SELECT stage, error_type, message FROM errors LIMIT 1").fetchone()
        raise SystemExit(f"load_batch reported {counts.errors} errors, first: {first}")
    return con


def export_parquet(con: duckdb.DuckDBPyConnection, directory: Path) -> dict[str, Path]:
    """The rows load_batch wrote to the COUNTED_TABLES, as Parquet files written with pyarrow (not timed)."""
    paths = {}
    for table, columns in COUNTED_TABLES.items():
        path = directory / f"{table}.parquet"
        column_list = ", ".join(f'"{c}"' for c in columns)
        reader = con.execute(f'SELECT {column_list} FROM "{table}"').to_arrow_reader(100_000)
        with pq.ParquetWriter(path, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
        paths[table] = path
    return paths


def load_with_copy(report: Report, parquet: dict[str, Path], db_path: Path) -> None:
    """DuckDB's own bulk path: COPY each table FROM its Parquet file into a fresh database with the same schema."""
    con = connect(db_path)  # same migrations, so the same tables, keys and indexes
    with phase(report, "load (COPY FROM parquet)") as timing:
        started, cpu_started = time.perf_counter(), cpu_seconds()
        for table, path in parquet.items():
            column_list = ", ".join(f'"{c}"' for c in COUNTED_TABLES[table])
            con.execute(f"COPY \"{table}\" ({column_list}) FROM '{path}' (FORMAT parquet)")
        con.execute("CHECKPOINT")
        report.copy_seconds = timing.seconds = time.perf_counter() - started
        report.copy_cpu_seconds = timing.cpu_seconds = cpu_seconds() - cpu_started
    report.copy_rows = {table: con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in COUNTED_TABLES}
    con.close()
    if report.copy_rows != report.rows:
        raise SystemExit(f"COPY loaded {report.copy_rows}, newsduck {report.rows}: not the same rows")


def check_relations(report: Report, con: duckdb.DuckDBPyConnection, corpus: Corpus) -> None:
    """Planted copies found as duplicate / repost relations, and duplicate relations between unrelated articles."""
    ids = [article_id_for(url) for url in corpus.urls]
    planted = corpus.copies
    stored = con.execute("SELECT article_id, related_article_id, relation FROM article_relations").fetchall()
    by_pair: dict[frozenset, set[tuple[str, str, str]]] = {}
    for a, b, relation in stored:
        by_pair.setdefault(frozenset((a, b)), set()).add((a, b, relation))
    found = {"exact": 0, "near": 0, "cited": 0}
    missed = []
    for p in planted:
        copy_id, source_id = ids[p.copy], ids[p.source]
        got = by_pair.get(frozenset((copy_id, source_id)), set())
        kinds = {relation for _, _, relation in got}
        ok = ("exact_duplicate" in kinds) if p.kind == "exact" else bool(kinds & {"near_duplicate", "exact_duplicate"})
        if ok:
            found[p.kind] += 1
        if p.cites and (copy_id, source_id, "repost_of") in got:
            found["cited"] += 1
        if not ok or (p.cites and (copy_id, source_id, "repost_of") not in got):
            missed.append(asdict(p))
    group = copy_groups(planted)
    index_of = {article_id: i for i, article_id in enumerate(ids)}
    unplanted = sum(1 for a, b, relation in stored if relation != "repost_of"
                    and group.get(index_of[a], index_of[a]) != group.get(index_of[b], index_of[b]))
    report.relations = {
        "planted_exact": sum(p.kind == "exact" for p in planted), "found_exact": found["exact"],
        "planted_near": sum(p.kind == "near" for p in planted), "found_near": found["near"],
        "planted_cited": sum(p.cites for p in planted), "found_cited": found["cited"],
        "missed": len(missed), "missed_examples": missed[:5],
        "relations_stored": len(stored), "duplicate_relations_between_unrelated": unplanted,
    }


def copy_groups(planted: list[PlantedCopy]) -> dict[int, int]:
    """Article index -> the first article of its group of copies (copies of copies are one group)."""
    group: dict[int, int] = {}
    for p in sorted(planted, key=lambda p: p.copy):
        group[p.copy] = group.get(p.source, p.source)
    return group


def measure_search(report: Report, con: duckdb.DuckDBPyConnection, corpus: Corpus) -> None:
    with phase(report, "search index refresh") as timing, StepTimers(SEARCH_REFRESH_STEPS) as steps:
        refresh = refresh_search_index(con)
        timing.seconds = refresh.seconds
    report.search_refresh = asdict(refresh)
    report.search_refresh_steps = {k: round(v, 3) for k, v in steps.seconds.items()}

    time_queries(report, con, corpus, "queries")
    if not refresh.compacted:  # large indexes are left unsorted by the refresh: measure after the rewrite too
        with phase(report, "compact_search_index") as timing:
            search_module.compact_search_index(con)
        report.search_compact_seconds = round(timing.seconds, 2)
        time_queries(report, con, corpus, "queries after compact_search_index")

    with phase(report, "planted-word recall"):
        report.planted_recall = planted_recall(con)


def time_queries(report: Report, con: duckdb.DuckDBPyConnection, corpus: Corpus, name: str) -> None:
    """search() for each query of the corpus, timed one by one after an untimed warm-up query."""
    search(con, "乡村振兴")  # warm-up, not counted: first use of jieba's dictionary and of the tables
    times, cpu_times, queries = [], [], []
    with phase(report, name), StepTimers(QUERY_STEPS) as steps:
        for query in corpus.queries():
            started, cpu_started = time.perf_counter(), cpu_seconds()
            hits = search(con, query)
            elapsed = (time.perf_counter() - started) * 1000
            times.append(round(elapsed, 2))
            cpu_times.append(round((cpu_seconds() - cpu_started) * 1000, 2))
            queries.append({"query": query, "ms": round(elapsed, 2), "hits": len(hits)})
    steps_seconds = {k: round(v, 3) for k, v in steps.seconds.items()}
    if name == "queries":
        report.query_ms, report.query_cpu_ms, report.queries, report.query_steps = times, cpu_times, queries, steps_seconds
    else:
        report.compacted_query_ms, report.compacted_queries = times, queries


def planted_recall(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """For each planted word: the articles whose title or body contains it (DuckDB substring match, the truth)
    against what search() returns for that word."""
    expected_total = found_total = extra_total = 0
    worst: list[dict[str, Any]] = []
    for term in PLANTED_TERMS:
        expected = {row[0] for row in con.execute(
            "SELECT article_id FROM articles WHERE contains(body_text, ?) OR contains(title, ?)", [term, term]).fetchall()}
        if not expected:
            continue
        hits = {hit.article_id for hit in search(con, term, limit=len(expected) + 100)}
        found = len(expected & hits)
        expected_total += len(expected)
        found_total += found
        extra_total += len(hits - expected)
        if found < len(expected):
            worst.append({"term": term, "expected": len(expected), "found": found})
    return {"terms": len(PLANTED_TERMS), "expected": expected_total, "found": found_total,
            "recall": round(found_total / expected_total, 4) if expected_total else None,
            "hits_without_the_word": extra_total, "terms_not_fully_found": worst}


def load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def benchmark(articles: int, batch_size: int, seed: int = 1, workdir: Path | None = None,
              keep: bool = False, progress: Callable[[str], None] = lambda _: None) -> Report:
    report = Report(articles=articles, batch_size=batch_size, seed=seed,
                    started_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                    load_average_start=load_average())
    corpus = Corpus(articles, seed)
    directory = Path(tempfile.mkdtemp(prefix="newsduck-bench-", dir=workdir))
    try:
        progress(f"loading {articles:,} articles with load_batch (batches of {batch_size:,}) into {directory}")
        con = load_with_newsduck(report, corpus, directory / "newsduck.duckdb", batch_size)
        report.database_mb = round((directory / "newsduck.duckdb").stat().st_size / 2**20, 1)
        progress(f"loaded in {report.load_seconds:.1f} s; checking planted copies")
        check_relations(report, con, corpus)
        corpus.article.cache_clear()
        parquet = export_parquet(con, directory)
        report.parquet_mb = round(sum(p.stat().st_size for p in parquet.values()) / 2**20, 1)
        progress("COPY FROM parquet into a fresh database")
        load_with_copy(report, parquet, directory / "copy.duckdb")
        progress("refreshing the search index")
        measure_search(report, con, corpus)
        con.close()
    finally:
        if not keep:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            progress(f"kept {directory}")
    report.peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    report.load_average_end = load_average()
    return report


# ---------------------------------------------------------------- output

def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def format_table(report: Report) -> str:
    r, t = report, report.targets()
    rel, recall, refresh = r.relations, r.planted_recall, r.search_refresh
    rows_detail = ", ".join(f"{table} {count:,}" for table, count in r.rows.items())
    lines = [
        f"articles {r.articles:,}  rows {r.total_rows:,}  ({rows_detail})",
        f"{'rows prepared before the load (prepare_pages)':50} {r.total_rows / r.prepare_seconds if r.prepare_seconds else 0:>12,.0f}   "
        f"{r.prepare_seconds:7.1f} s   (in production: the extract task, outside the write lock)",
        f"{'load rows/s (newsduck load_batch, detection on)':50} {r.load_rows_per_s:>12,.0f}   "
        f"{r.load_seconds:7.1f} s",
        f"{'load rows/s (COPY FROM parquet)':50} {r.copy_rows_per_s:>12,.0f}   {r.copy_seconds:7.1f} s",
        f"{'  ratio newsduck / COPY':50} {r.load_ratio:>12.2f}   target >= {TARGET_LOAD_RATIO}      "
        f"{_verdict(t['load_ratio'])}",
        f"{'  ratio of CPU times (COPY CPU s / newsduck CPU s)':50} "
        f"{r.copy_cpu_seconds / r.load_cpu_seconds if r.load_cpu_seconds else 0:>12.2f}   "
        f"CPU s: newsduck {r.load_cpu_seconds:.1f}, COPY {r.copy_cpu_seconds:.1f}",
        f"{'load rows/s (newsduck, detection time taken out)':50} {r.load_rows_per_s_without_detection:>12,.0f}   "
        f"{r.load_seconds - r.detection_in_load_seconds:7.1f} s",
        f"{'  ratio without detection / COPY (information)':50} {r.load_ratio_without_detection:>12.2f}",
        f"{'  ratio preparation + load / COPY (information)':50} {r.end_to_end_ratio:>12.2f}",
        f"{'near-duplicate detection (fingerprints + load)':50} {r.detection_seconds:>10.1f} s   "
        f"target < {TARGET_DETECTION_SECONDS} s      {_verdict(t['detection_seconds'])}",
        f"{'  its CPU time (user + system, all threads)':50} {r.detection_cpu_seconds:>10.1f} s   "
        f"fingerprints {r.fingerprint_seconds:.1f} s, in the load {r.detection_in_load_seconds:.1f} s",
        f"{'  planted copies found':50} {'':>12}   exact {rel['found_exact']}/{rel['planted_exact']}, "
        f"near {rel['found_near']}/{rel['planted_near']}, repost_of by URL {rel['found_cited']}/{rel['planted_cited']}  "
        f"{_verdict(t['planted_copies_found'])}",
        f"{'  duplicate relations between unrelated articles':50} {rel['duplicate_relations_between_unrelated']:>12,}",
        f"{'search index refresh (segment + index)':50} {refresh.get('seconds', 0):>10.1f} s   "
        f"{refresh.get('segmented', 0):,} articles, "
        f"{refresh.get('segmented', 0) / refresh['seconds'] if refresh.get('seconds') else 0:,.0f}/s"
        f"{', compacted' if refresh.get('compacted') else ''}",
        f"{f'query latency median ({len(r.query_ms)} queries)':50} {r.query_median_ms:>9.1f} ms   "
        f"target < {TARGET_QUERY_MEDIAN_MS} ms     {_verdict(t['query_median_ms'])}",
        f"{'query latency p95':50} {r.query_p95_ms:>9.1f} ms",
        *([f"{'compact_search_index (the refresh did not sort)':50} {r.search_compact_seconds:>10.1f} s",
           f"{'  query latency median after it':50} {statistics.median(r.compacted_query_ms):>9.1f} ms   "
           f"target < {TARGET_QUERY_MEDIAN_MS} ms     {_verdict(t['query_median_ms_after_compaction'])}",
           f"{'  query latency p95 after it':50} {p95(r.compacted_query_ms):>9.1f} ms"]
          if r.compacted_query_ms else []),
        f"{'planted-word recall':50} {recall.get('recall') or 0:>12.3f}   "
        f"{recall.get('found', 0)}/{recall.get('expected', 0)} articles, {recall.get('terms', 0)} words   "
        f"target = 1      {_verdict(t['planted_recall'])}",
        f"{'peak RSS (process, ru_maxrss)':50} {r.peak_rss_mb:>9,.0f} MB",
    ]
    for name, p in r.phases.items():
        peak = f"{p.peak_rss_mb:>9,.0f} MB" if p.peak_rss_mb is not None else f"{'n/a':>12}"
        lines.append(f"{'  peak RSS during ' + name:50} {peak}   {p.seconds:7.1f} s wall, {p.cpu_seconds:7.1f} s CPU")
    lines.append("")
    lines.append("prepare_pages and load_batch time by step (s): " + ", ".join(
        f"{k.split('.', 1)[1]} {v:.1f}" for k, v in sorted(r.load_steps.items(), key=lambda kv: -kv[1])))
    top = list(r.load_statements.items())[:8]
    lines.append("load SQL time by statement (s; COMMIT includes DuckDB's automatic checkpoints): "
                 + ", ".join(f"{k} {v:.1f}" for k, v in top))
    lines.append("detect_relations time by step (s): " + ", ".join(
        f"{k.split('.', 1)[1]} {v:.1f}" for k, v in sorted(r.detection_steps.items(), key=lambda kv: -kv[1])))
    lines.append("search refresh time by step (s): " + ", ".join(
        f"{k.split('.', 1)[1]} {v:.1f}" for k, v in sorted(r.search_refresh_steps.items(), key=lambda kv: -kv[1])))
    query_total = sum(r.query_ms) / 1000
    lines.append(f"query time by step (s, {len(r.query_ms)} queries, {query_total:.2f} s in all): " + ", ".join(
        f"{k.split('.', 1)[1]} {v:.2f}" for k, v in r.query_steps.items())
        + f", SQL and the rest {query_total - sum(r.query_steps.values()):.2f}")
    slowest = sorted(r.queries, key=lambda q: -q["ms"])[:3]
    lines.append("slowest queries: " + "; ".join(f"{q['query']!r} {q['ms']:.0f} ms ({q['hits']} hits)" for q in slowest))
    if recall.get("terms_not_fully_found"):
        lines.append(f"planted words not fully found: {recall['terms_not_fully_found']}")
    if rel.get("missed_examples"):
        lines.append(f"planted copies missed (first 5): {rel['missed_examples']}")
    lines.append("")
    lines.append(
        f"{r.started_at}; seed {r.seed}; batch {r.batch_size:,}; DuckDB {r.duckdb_version}; {r.cpus} CPUs; "
        f"load average {r.load_average_start} at start, {r.load_average_end} at end; "
        f"database {r.database_mb:,.0f} MB, parquet {r.parquet_mb:,.0f} MB")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.warehouse",
        description="Bulk load vs COPY FROM parquet, near-duplicate detection and search over N synthetic articles.")
    parser.add_argument("--articles", type=int, default=100_000, help="synthetic articles (default 100000)")
    parser.add_argument("--batch-size", type=int, default=2000, help="inputs per load_batch call (default 2000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--workdir", type=Path, help="where the temporary databases and Parquet files go")
    parser.add_argument("--keep", action="store_true", help="keep the databases and Parquet files")
    parser.add_argument("--json", action="store_true", help="print every figure as JSON instead of the table")
    parser.add_argument("--save-json", type=Path, metavar="PATH", help="also write every figure as JSON to PATH")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.articles < 1 or args.batch_size < 1:
        raise SystemExit("--articles and --batch-size must be at least 1")
    report = benchmark(args.articles, args.batch_size, args.seed, args.workdir, args.keep,
                       progress=lambda message: print(f"[bench] {message}", file=sys.stderr, flush=True))
    figures = json.dumps(report.figures(), ensure_ascii=False, indent=2, default=str)
    if args.save_json:
        args.save_json.write_text(figures + "\n", encoding="utf-8")
    if args.json:
        print(figures)
    else:
        print(format_table(report))
    return 0 if all(report.targets().values()) else 1


if __name__ == "__main__":
    sys.exit(main())
