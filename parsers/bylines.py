"""Who wrote or photographed a story: bylines, photo credits and group credits.

Pure string functions over one short line (a byline, a caption, a credit). They run on
many lines, so every pattern is compiled once at import and each function bails out early
on lines that cannot be bylines (too long, no label).

Roles follow the fixtures README: 记者/本报记者/<outlet>记者 → reporter, 通讯员 → correspondent,
作者/文 → author, 图/摄影/… 摄 → photographer, 编辑/责任编辑/责编 → editor.
Only people are returned: 佚名, 本站, organisations, account names, numeric ids and
受访者供图 are accepted as byline values but give no Author.
"""

from __future__ import annotations

import re

from parsers.records import Author

__all__ = [
    "parse_byline",
    "parse_marked_byline",
    "parse_byline_credits",
    "split_photo_credit",
    "parse_group_credit",
    "parse_dateline_credit",
    "is_person_name",
]

# Longest line we consider a byline (characters). Real bylines are far shorter.
MAX_BYLINE_CHARS = 80

_CJK = "\u4e00-\u9fff"
_HAN_RE = re.compile(r"[\u4e00-\u9fff]")
_DOTS = "·•・‧･"

# Common Chinese surnames (百家姓 plus frequent modern ones). A CJK name without a middle
# dot must start with one: this is what tells 侯悦林 from 手记, 阜新县 or 走进社区.
_SINGLE_SURNAMES = frozenset(
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛"
    "奚范彭郎鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康"
    "伍余元卜顾孟平黄和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵"
    "席季麻强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗"
    "丁宣贲邓郁单杭洪包诸左石崔吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫"
    "乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄"
    "印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍却璩桑桂濮"
    "牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容向古易慎戈廖庾终暨居衡步都耿满弘匡"
    "国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空曾毋沙乜养鞠须丰巢关蒯相查"
    "后荆红游竺权逯盖益桓公仉督晋楚闫法汝鄢涂钦岳帅缑亢况郈有琴商牟佘佴伯赏墨哈谯笪年爱阳佟言"
    "福覃兰迟练揭茆冼芦佐敬鄞过逢战禚卿邸栗淡粟仝冶郄隋谌初母衣门修付肖庹植兆眭来菅旷檀银麦綦"
    "泮苟税代郭肖付谷邝苑粘鹿卫单麴亓逯矫蔚尉伞撒展"
)
_COMPOUND_SURNAMES = (
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "宇文", "长孙",
    "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里", "呼延", "万俟", "司徒", "司空", "申屠",
    "澹台", "拓跋", "完颜", "耶律", "钟离", "宗政", "濮阳", "淳于", "单于", "太叔", "公冶", "闻人",
    "赫连", "乐正", "即墨", "第五",
    # Taiwan's double surnames (范姜佳鈺, 張簡, 張廖)
    "范姜", "张简", "张廖", "简廖",
)

# Traditional → simplified for the characters of byline labels, desk words and surnames, one
# character for one (so positions in the simplified view are positions in the original line).
# Labels and names are matched on the simplified view; names are returned as written.
_T2S_PAIRS = (
    "記记 編编 輯辑 責责 攝摄 訊讯 員员 實实 習习 見见 約约 體体 報报 導导 採采 寫写 審审 對对 監监 製制 "
    "統统 籌筹 劃划 圖图 設设 計计 視视 頻频 執执 筆笔 綜综 電电 譯译 發发 聯联 網网 臺台 聞闻 時时 "
    "資资 來来 絡络 協协 會会 學学 醫医 銀银 園园 團团 週周 雜杂 誌志 廣广 傳传 機机 構构 關关 處处 "
    "廳厅 區区 縣县 廠厂 業业 華华 國国 際际 灣湾 問问 專专 訪访 題题 觀观 調调 讀读 說说 現现 場场 "
    "線线 頭头 鏡镜 點点 錄录 號号 組组 "
    "張张 陳陈 劉刘 楊杨 黃黄 趙赵 吳吴 孫孙 鄭郑 馮冯 衛卫 蔣蒋 韓韩 許许 呂吕 嚴严 謝谢 鄒邹 竇窦 "
    "蘇苏 範范 魯鲁 韋韦 馬马 鳳凤 鮑鲍 費费 賀贺 湯汤 羅罗 畢毕 鄔邬 齊齐 顧顾 蕭萧 龐庞 紀纪 項项 "
    "閔闵 賈贾 婁娄 顏颜 鍾钟 鐘钟 駱骆 萬万 盧卢 繆缪 鄧邓 單单 諸诸 鈕钮 龔龚 陸陆 榮荣 儲储 烏乌 "
    "車车 寧宁 欒栾 鈄钭 厲厉 龍龙 葉叶 薊蓟 懷怀 從从 賴赖 藺蔺 喬乔 陰阴 蒼苍 雙双 黨党 譚谭 貢贡 "
    "勞劳 酈郦 壽寿 邊边 郟郏 農农 溫温 莊庄 閻阎 連连 魚鱼 終终 滿满 祿禄 闕阙 歐欧 師师 鞏巩 厙厍 "
    "聶聂 闞阚 簡简 饒饶 養养 豐丰 紅红 權权 蓋盖 晉晋 閆闫 塗涂 欽钦 帥帅 緱缑 況况 賞赏 譙谯 愛爱 "
    "陽阳 蘭兰 遲迟 練练 蘆芦 戰战 諶谌 曠旷 麥麦 稅税 鄺邝 傘伞 軒轩 轅辕 獨独 長长 樂乐 "
)
_T2S = str.maketrans({p[0]: p[1] for p in _T2S_PAIRS.split()})


def _simplified(text: str) -> str:
    """`text` with traditional label/surname characters in their simplified form (same length)."""
    return text.translate(_T2S)

# Values that sit where a name would but are not people.
_NOT_PEOPLE = frozenset({
    "佚名", "未知", "不详", "无", "暂无", "匿名", "本站", "本网", "本报", "本台", "本刊", "小编",
    "管理员", "网友", "网络", "原创", "综合", "转载", "编辑部", "记者", "通讯员", "受访者",
    "受访者供图", "供图", "资料图", "资料图片", "网络图片", "admin", "administrator", "root",
    "editor", "webmaster", "system", "anonymous", "unknown",
})
# Words that follow 记者 in headings and sentences (记者手记, 记者观察) and are not names.
_NOT_NAME_WORDS = frozenset({
    "手记", "观察", "调查", "札记", "日记", "笔记", "专访", "走访", "探访", "暗访", "连线", "获悉",
    "了解", "发现", "看到", "注意", "采访", "体验", "眼中", "视角", "节日", "直击", "实录", "来信",
    "感言", "故事", "现场", "追踪", "回访", "跟踪", "提问", "问答", "一线", "镜头", "蹲点",
})
_ORG_SUFFIX_RE = re.compile(
    r"(?:部|委|局|办|厅|处|署|院|所|站|中心|网|报|社|台|日报|晚报|新闻|电视台|广播|频道|集团|公司|"
    r"协会|学会|政府|法院|检察院|馆|客户端|平台|传媒|融媒|工作室|办公室|联合会|委员会|编辑部|大学|"
    r"学院|学校|医院|银行|杂志|周刊|在线|资讯|APP|app|快讯|评论员|观察员|小组|课题组|栏目组|编辑组)$"
)
# Desks and compiled-report words that stand where a reporter's place would (綜合報導, 编译中心).
_DESK_RE = re.compile(r"^(?:综合|编译|外电|即时|联合|专题|要闻)")

_CJK_NAME_RE = re.compile(rf"[{_CJK}]{{2,4}}")
_DOTTED_NAME_RE = re.compile(rf"[{_CJK}]{{1,8}}(?:[{_DOTS}][{_CJK}]{{1,10}}){{1,3}}")
_LATIN_PARTICLES = frozenset({"van", "von", "de", "da", "del", "della", "der", "den", "la", "le", "bin", "al",
                              "di", "du", "dos", "das", "ter", "zu", "y", "ten", "ben", "ibn", "st."})
_LATIN_WORD_RE = re.compile(r"[^\W\d_](?:[^\W\d_]|['’\-])*\.?")
_DIGITS_RE = re.compile(r"^[\dA-Za-z_\-\.@]*\d[\dA-Za-z_\-\.@]*$")
_ACCOUNT_RE = re.compile(r"^[A-Za-z0-9_\-\.@]+$")

# What separates a label from its value: 作者：X, 文/X, 作者︱X, 記者X╱台北報導.
_SEP = r"[:：/／|｜丨︱╱]"
# Byline labels (matched on the simplified view). Multi-character labels may be glued to the name
# (本报记者田甜); 文/图/摄 alone are labels only when a separator follows (张文 is a name).
_LABEL_RE = re.compile(
    rf"""
    (?P<label>
        文\s*[/／、]\s*图 | 图\s*[/／、]\s*文 | 文图 | 图文
      | [{_CJK}]{{0,8}}?摄影记者
      | [{_CJK}]{{0,8}}?(?:特约|首席|见习|实习|融媒体?|全媒体)?记者
      | [{_CJK}]{{0,6}}?通讯员
      | 实习生
      | 责任编辑 | 值班编辑 | 本版编辑 | 网络编辑 | 栏目编辑 | 编辑 | 责编
      | 审核 | 审校 | 校对 | 监制 | 统筹 | 策划 | 主编 | 终审 | 复审 | 初审 | 美编 | 制图 | 设计
      | 视频 | 剪辑 | 摄像 | 出品人 | 出品
      | 作者 | 撰稿 | 撰文 | 执笔 | 编译
      | 摄影
      | 文字(?=\s*{_SEP}) | 文(?=\s*{_SEP}) | 图(?=\s*{_SEP}) | 摄(?=\s*{_SEP})
    )
    (?P<colon>\s*{_SEP})?
    """,
    re.X,
)
# Cheap pre-check: every labelled Chinese byline holds one of these.
_LABEL_HINT_RE = re.compile(
    rf"记者|通讯员|实习生|编辑|责编|审|校对|监制|统筹|策划|主编|美编|制图|设计|视频|剪辑|摄|出品|作者|撰|执笔|编译|文图|图文|文字|[文图]\s*{_SEP}"
)
_TOKEN_SPLIT_RE = re.compile(r"[\s\u3000\xa0、，,;；|｜/／╱]+")
_BRACKETS = "【】[]()（）〔〕<>《》「」"
_SENTENCE_PUNCT_RE = re.compile(r"[。！？!?；;：:“”\"]")
# Verbs that may close a byline's names: 记者 张三 报道; 記者X／台北報導 (a place before the verb).
_TRAILING_VERBS = frozenset({"报道", "报导", "采写", "整理", "撰写", "撰稿", "采访", "发自", "综合报道",
                             "联合报道", "综合报导", "编译"})
_STAFF_CODE_RE = re.compile(rf"([{_CJK}]{{2,4}})[_\-]?[A-Za-z]{{1,6}}\d{{2,}}")
_REPORT_VERB_RE = re.compile(r"(?:报道|报导|电)$")
# A token right after a slash (記者X／高雄報導: the filing place and the verb).
_AFTER_SLASH_RE = re.compile(r"[/／╱][\s\u3000\xa0]*([^\s\u3000\xa0、，,;；|｜/／╱]+)")
# `By X`, `Von: X`, `Par X`, `Por X`, `Di X`, `Av X`, `Door X`, `Autor: X`, `Autorin/Autor X`, `Text by X`,
# `Posted by X`.
_BY_RE = re.compile(
    r"^\s*(?P<prefix>by|von|par|por|di|av|door|af|od|autor(?:in)?(?:\s*/\s*autor(?:in)?)?|author|written\s+by|"
    r"(?:text|words|story|reporting|posted)\s+by|text|texto|tekst)(?:\s*:\s*|\s+)(?P<names>\S.*)$", re.I)
_BY_SPLIT_RE = re.compile(r"\s*(?:,|&|/|\b(?:and|und|y|et|e|og|och|en|i|a|ve|és)\b)\s*", re.I)
# Where a byline's names end: a date or time, a `|`/`•`/`»` separator, a dash.
_BY_END_RE = re.compile(r"\s+(?:[|｜•·–—»-]\s|\S*\d).*$")
# Job titles that may follow a name (`Sophie Foster Travel News Reporter`, `Holger Zschäpitz
# Leitender Wirtschaftsredakteur`): a part ending in one keeps only its first two words.
_JOB_TITLE_RE = re.compile(
    r"(?:reporter|writer|editor|correspondent|journalist|columnist|contributor|producer|author|founder|"
    r"co-?founder|ceo|cto|owner|president|director|manager|expert|specialist|analyst|consultant|reviewer|"
    r"strategist|blogger|"
    r"redakteur(?:in)?|korrespondent(?:in)?|autor(?:in)?|journalistin|chefredakteur(?:in)?|volontär(?:in)?|"
    r"redactor(?:a)?|periodista|corresponsal|rédacteur|rédactrice|journaliste|giornalista|inviato|inviata)$",
    re.I)
# Post-nominal letters after a writer's name (`Dylan Bailey, MS, RD`, `Jane Roe PhD`): degrees and
# professional credentials, compared without dots and case (`Ph.D.` is `phd`). Never a second writer.
POST_NOMINALS = frozenset("""
ba bs bsc ma ms msc mba mpa mph mfa med msw mst llb llm jd md do dds dmd dvm phd edd psyd pharmd dnp dpt
rn bsn msn np aprn fnp crna lpn lcsw lmft lpc rd rdn ld ldn cdn cde cdces fand cscs cpt nasm ace cissp
cisa cism pmp cpa cfa cfp chfc clu cma cfe cpp psp esq frcp frcs facs facp faap rph ibclc e-ryt ryt
""".split())
# Words of a byline's label, a job title or a profile link with no name (`Staff Writer`, `Written By`,
# `The Author`, `View Profile`): a "name" made of these words only names nobody.
CREDIT_LABEL_WORDS = frozenset("""
the a by written posted author authors writer writers staff editor editors editorial contributor
contributing guest topic lead senior reviewer reviewed view profile more posts articles all see
expert medical medically fact checked checker managing associate assistant chief deputy executive freelance
reporter reporters correspondent columnist
""".split())
# A line that is only a byline's label, its names on the next line.
_BYLINE_LABEL_RE = re.compile(
    r"\s*(?:by|written\s+by|posted\s+by|words\s+by|text\s+by|authors?|autor(?:in)?|von|par|por|di|text)\s*:?\s*",
    re.I)


# A user name as forums and blogs print it for a post's writer: one token of letters,
# digits, `_`, `.` or `-` with a lower-case letter, written unlike a word (`jsteinhardt`,
# `KumikoGoingCrAzY`, `paulb203`, `Noah_B`, `hayley.p`). A capitalised or upper-case word
# (`Reuters`, `Redaktion`, `AFP`) is a wire service or desk, a short lower-case one an agency (`dpa`).
_HANDLE_RE = re.compile(r"[^\W_][\w.\-]{3,29}")


def is_handle(text: str) -> bool:
    """`text` is one user name (`_HANDLE_RE`), not a placeholder (`admin`) or a label word (`author`)."""
    if not _HANDLE_RE.fullmatch(text) or not any(c.islower() for c in text):
        return False
    if text[0].isupper() and text[1:].isalpha() and text[1:].islower():
        return False  # a capitalised word
    folded = text.casefold()
    return folded not in _NOT_PEOPLE and folded not in CREDIT_LABEL_WORDS and folded not in _DESK_WORDS \
        and folded not in _SOCIAL_WORDS


# The label before a user name in a post's byline: `Post by galitsyn » Sun Dec 14`, `Posted by paulb203`.
_HANDLE_LABEL_RE = re.compile(r"(?:(?:post(?:ed)?|written|started)\s+)?by\s*:?\s+", re.I)


def byline_handle(text: str) -> str | None:
    """The user name a post's byline gives (`is_handle`): the whole text, or what follows a `by` label up to a
    separator or a date (`by galitsyn » Sun Dec 14, 2025 3:33 pm`)."""
    text = text.strip()
    label = _HANDLE_LABEL_RE.match(text)
    if label:
        text = _BY_END_RE.sub("", text[label.end():]).strip(" ,")
    return text if is_handle(text) else None


# A team credited as the writer: one to three capitalised words (the outlet, a section), then a word
# for its staff (`Podium Staff`, `The Currency editors`, `the Lavazza Team`, `MND Staff`, `Gear Team`).
_TEAM_CREDIT_RE = re.compile(
    r"(?:[Tt]he\s+)?(?:(?![Tt]he\s)[A-Z0-9][\w&.'’-]*\s+){1,3}(?:[Ss]taff|[Tt]eam|[Ee]ditors|[Ee]ditorial\s+[Tt]eam|"
    r"[Nn]ewsroom|[Nn]ews\s?[Dd]esk|[Rr]edaktion|[Rr]eporters|[Ww]riters)")


# A label that ends right before a credited name and makes it no writer's, with the role it gives:
# `Reviewed by`, `Medically reviewed by`, `Fact checked by`, `Edited by` (editor), `Photos by` (photographer).
_OTHER_CREDIT_LABEL_RE = re.compile(
    r"(?:(?P<editor>(?:(?:medically|expert)\s+)?reviewed|fact[-\s]?checked|edited)|"
    r"(?P<photographer>photos?|photograph(?:s|y)?))\s+by\s*:?\s*$", re.I)


def other_credit_role(before: str) -> str | None:
    """The role (`editor`, `photographer`) of a name that `before`, the text printed before it, credits with
    another label than a writer's (`Reviewed by`, `Photos by`); None when it ends with no such label."""
    m = _OTHER_CREDIT_LABEL_RE.search(before[-40:])
    return None if m is None else ("editor" if m.group("editor") else "photographer")


def is_team_credit(text: str) -> bool:
    """`text` credits a team, not a person (`_TEAM_CREDIT_RE`): `Podium Staff`, `the Lavazza Team`."""
    return bool(_TEAM_CREDIT_RE.fullmatch(text)) and not is_credit_label(text)


def is_byline_label(text: str) -> bool:
    """A line that is only a byline's label (`Written by`, `Author:`, `Von`), its names on the next line (or
    the label of a label/value pair)."""
    return bool(_BYLINE_LABEL_RE.fullmatch(text))


def is_post_nominal(text: str) -> bool:
    """`MS`, `Ph.D.`, `CPP`: a degree or credential of POST_NOMINALS; or a certification mark, capitals with
    `®` or `™` (`CEPF®`, `CFP®`)."""
    bare = text.replace(".", "").replace(" ", "")
    if bare[-1:] in ("®", "™"):
        return bare[:-1].isalpha() and bare[:-1].isupper() and len(bare) <= 8
    return bare.casefold() in POST_NOMINALS


def without_post_nominals(words: list[str]) -> list[str]:
    """A name's words without the post-nominals after its first two (`Jeffrey A. Slotnick CPP`)."""
    while len(words) > 2 and is_post_nominal(words[-1]):
        words = words[:-1]
    return words


def is_credit_label(text: str) -> bool:
    """`Staff Writer`, `Written By`, `The Author`: a label or job title that names nobody."""
    words = text.casefold().split()
    return bool(words) and all(w.strip(".,:") in CREDIT_LABEL_WORDS for w in words)


# Profile links printed after a writer's name.
_SOCIAL_WORDS = frozenset({"twitter", "x", "facebook", "instagram", "linkedin", "bluesky", "threads", "email",
                           "e-mail", "mail", "follow", "folgen", "rss", "mastodon", "tiktok", "youtube"})
# Month names that start a date after a name (the date's digits are cut already).
_MONTHS = frozenset(
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august "
    "september october november december januar februar märz mai juni juli oktober dezember janvier février "
    "mars avril juin juillet août septembre octobre novembre décembre enero febrero marzo abril mayo junio "
    "julio agosto septiembre octubre noviembre diciembre".split())
_WEEKDAYS = frozenset(
    "mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday friday saturday sunday "
    "montag dienstag mittwoch donnerstag freitag samstag sonntag lundi mardi mercredi jeudi vendredi samedi "
    "dimanche lunes martes miércoles jueves viernes sábado domingo".split())
# A date written in words (`Sun Dec 17, 2023`, `Updated Jun 16, 2025` once its digits are cut) names no one.
_CALENDAR_WORDS = _MONTHS | _WEEKDAYS | frozenset(
    "updated published posted modified last on am um aktualisiert veröffentlicht publié mis à jour le "
    "actualizado publicado el".split())
# Wire services and desks named beside the writers: not people, and not a reason to reject the line.
_DESK_WORDS = frozenset({"staff", "staff reporter", "our correspondent", "redaktion", "agencies", "agenturen",
                         "wire", "wires", "newsdesk"})
_NAME = rf"(?:[{_CJK}]{{1,8}}(?:[{_DOTS}][{_CJK}]{{1,10}})+|[{_CJK}]{{2,4}})"
_NAME_SEQ = rf"{_NAME}(?:[\s\u3000\xa0、,，]+{_NAME})*"
# Unlabelled Taiwan/Hong Kong credits (on the simplified view):
#   `王煌忠／台中報導`, `劉利貞／綜合外電報導`, `新頭殼newtalk2014.10.24 金名/高雄報導`
_REPORT_CREDIT_RE = re.compile(
    rf"(?:^|(?<=[\s\u3000\xa0╱／/|｜]))(?P<names>{_NAME_SEQ})[\s\u3000\xa0]*[／/╱][\s\u3000\xa0]*"
    rf"(?P<place>[{_CJK}]{{0,10}}?)(?P<verb>报道|报导|电)$"
)
#   `上報快訊／范姜佳鈺 2020年03月12日 20:19:00`: an outlet or desk, a slash, the reporter.
_OUTLET_CREDIT_RE = re.compile(
    rf"^(?P<outlet>[{_CJK}A-Za-z]{{2,12}})[\s\u3000\xa0]*[／/╱][\s\u3000\xa0]*(?P<names>{_NAME_SEQ})"
    rf"(?:[\s\u3000\xa0]+[\d\s:：\-/.年月日]{{6,}})?$"
)
_DATE_HEAD_RE = re.compile(r"^[\d\s\u3000\xa0:：\-/.年月日]*")
_HEAD_TRIM = " \u3000\xa0【】[]()（）╱／/|｜·・•"


def _role_of_label(label: str) -> set[str]:
    label = re.sub(r"\s+", "", label)
    if label in ("文/图", "文／图", "图/文", "图／文", "文图", "图文", "文、图", "图、文"):
        return {"author", "photographer"}
    if "摄影" in label or label in ("图", "摄", "摄像"):
        return {"photographer"}
    if label.endswith("记者") or label == "实习生":
        return {"reporter"}  # 实习生 (intern reporters) write like reporters
    if label.endswith("通讯员"):
        return {"correspondent"}
    if label in ("编辑", "责任编辑", "责编", "值班编辑", "本版编辑", "网络编辑", "栏目编辑"):
        return {"editor"}
    if label in ("作者", "撰稿", "撰文", "执笔", "文", "文字", "编译"):
        return {"author"}
    return set()  # 审核, 校对, 监制…: a byline label, but no role we record


def is_person_name(token: str) -> bool:
    """A plausible person name: 2–4 CJK chars starting with a surname (simplified or traditional),
    a dotted minority/foreign name (阿依古丽·买买提), or a Latin 'First Last'."""
    if not token or token in _NOT_PEOPLE or token.lower() in _NOT_PEOPLE:
        return False
    if _DOTTED_NAME_RE.fullmatch(token):
        return True
    if _CJK_NAME_RE.fullmatch(token):
        token = _simplified(token)
        if token in _NOT_PEOPLE or token in _NOT_NAME_WORDS or _ORG_SUFFIX_RE.search(token) and len(token) >= 3:
            return False
        if token[:2] in _COMPOUND_SURNAMES:
            return len(token) >= 3
        return token[0] in _SINGLE_SURNAMES
    return is_latin_name(token)


def is_latin_name(text: str) -> bool:
    """'First Last' in any alphabet that has capitals: 2–5 words, each capitalised (or all capitals),
    particles (van, de, bin …) and initials (`María R. Sahuquillo`) allowed, `Dr.` kept; not words of a
    date only (_CALENDAR_WORDS)."""
    words = text.split()
    if not 2 <= len(words) <= 5 or not words[0][0].isupper() or not words[-1][0].isupper():
        return False
    if all(w.lower().rstrip(".,") in _CALENDAR_WORDS for w in words):
        return False  # `Sun Dec`, `Mardi Mars`: a date, not a name
    for w in words:
        if w.lower() in _LATIN_PARTICLES:
            continue
        if not _LATIN_WORD_RE.fullmatch(w) or not w[0].isupper():
            return False
    return True


def _is_pen_name(token: str) -> bool:
    """A 2–4 character CJK value after an explicit 作者/文 label that is no known non-person: a pen
    name (春春) the surname table cannot vouch for."""
    view = _simplified(token)
    return bool(_CJK_NAME_RE.fullmatch(view)) and view not in _NOT_PEOPLE and view not in _NOT_NAME_WORDS \
        and not _ORG_SUFFIX_RE.search(view) and not _DESK_RE.match(view)


def _is_known_non_person(token: str) -> bool:
    """Values accepted in a byline that name no person (佚名, orgs, accounts, ids)."""
    token = _simplified(token)
    if token in _NOT_PEOPLE or token.lower() in _NOT_PEOPLE:
        return True
    if _DIGITS_RE.match(token) or _ACCOUNT_RE.match(token):
        return True
    if re.fullmatch(rf"[{_CJK}A-Za-z0-9]{{2,30}}", token) and _ORG_SUFFIX_RE.search(token):
        return True
    return token.endswith("供图")


def _strip_brackets(text: str) -> str:
    text = text.strip()
    while len(text) >= 2 and text[0] in _BRACKETS and text[-1] in _BRACKETS:
        text = text[1:-1].strip()
    return text


def _dedupe(authors: list[Author]) -> list[Author]:
    seen: set[Author] = set()
    out = []
    for a in authors:
        if a not in seen:
            seen.add(a)
            out.append(a)
    return out


def _parse_latin_byline(text: str) -> tuple[list[Author], str] | None:
    """(writers, prefix as written) of `By Jane Doe and John Smith`, `Von: Simone Jung`, `von David
    Straub, MDR THÜRINGEN`, `By Sophie Foster Travel News Reporter 11:58, 23 APR 2024`; a line made
    of `|`-separated segments is read from its `By`/`Von` segment. None for other lines."""
    for segment in re.split(r"\s+[|｜•·]\s+", text) if ("|" in text or "｜" in text or "•" in text or " · " in text) else [text]:
        m = _BY_RE.match(segment)
        if m:
            authors = _latin_names(m.group("names"))
            if authors is not None:
                return authors, m.group("prefix")
    return None


def _latin_names(value: str) -> list[Author] | None:
    value = _BY_END_RE.sub("", value.strip()).strip().rstrip(".,;:")
    value = re.sub(r"\s+(?:in|for|from|at|on|aus|en|à|em)\s+[A-Z].*$", "", value)  # By Jane Doe in Beijing, on March 3
    authors: list[Author] = []
    credentials = False  # the parts so far are post-nominals only: `RN, BSN, Certified Sleep Consultant`
    for i, part in enumerate(_BY_SPLIT_RE.split(value)):
        part = part.strip(" .")
        if not part:
            continue
        if not authors and is_post_nominal(part):
            credentials = True
            continue
        if credentials and not authors:
            return None  # a writer's title line that opens with credentials names no one
        words = part.split()
        while len(words) > 2 and (words[-1].lower() in _SOCIAL_WORDS or words[-1].lower().rstrip(".") in _MONTHS):
            words.pop()  # By Sarah Lazare Twitter; by Cristina Laila Apr 12, 2024
        words = without_post_nominals(words)
        part = " ".join(words)
        titled = _JOB_TITLE_RE.search(words[-1])
        if authors and titled:
            continue  # Jane Doe, Certified Sleep Consultant: the writer's title, no second writer
        if len(words) > 2 and titled:
            part = " ".join(words[:2])
        if is_credit_label(part) or is_post_nominal(part):
            continue  # By Staff Writer; Jane Doe, MS, RD
        if is_team_credit(part):
            authors.append(Author(part, "author"))  # a team credited as the writer: `The Currency editors`
        elif is_latin_name(part) and not (authors and part.isupper() and not authors[0].name.isupper()):
            authors.append(Author(part, "author"))
        elif authors or part.lower() in _DESK_WORDS or re.fullmatch(r"[^\W\d_][\w.\-]*", part):
            continue  # a wire service, desk or place beside the writers (Reuters, dpa, Frankfurt, MDR THÜRINGEN)
        else:
            return None
    return authors if authors else None


def parse_byline(text: str) -> list[Author] | None:
    """The people a byline names, or None when `text` is not a byline.

    An empty list means the line is a byline naming nobody (作者:佚名, 编辑:admin).
    """
    credits = parse_byline_credits(text)
    return None if credits is None else _dedupe([a for a, _ in credits])


def parse_byline_credits(text: str) -> list[tuple[Author, str]] | None:
    """Like `parse_byline`, with where each person comes from: `byline:<label as written>`
    (`byline:本报记者`, `byline:記者`, `byline:文/图`, `byline:By`), `byline:報導` for an unlabelled
    `X／台中報導` credit, `byline:outlet/` for `上報快訊／X`, `byline:()` for a line that is only a
    bracketed name (`（羅森）`), or `credit:摄` for a `X 摄` credit."""
    if not text:
        return None
    bracketed = text.strip()[:1] in "（(" and text.strip()[-1:] in "）)"
    text = _strip_brackets(text)
    if not text or len(text) > MAX_BYLINE_CHARS or "。" in text[:-1]:
        return None
    if not _HAN_RE.match(text):
        latin = _parse_latin_byline(text)
        if latin is not None:
            return [(a, f"byline:{latin[1]}") for a in latin[0]]
    view = _simplified(text)
    if not _LABEL_HINT_RE.search(view):
        return _unlabelled_credit(text, view, bracketed)
    # Each label starts a group; the text up to the next label holds that group's names.
    matches = [m for m in _LABEL_RE.finditer(view) if _label_at_boundary(view, m)]
    head = view[: matches[0].start()] if matches else view
    if head.strip() and not _is_outlet_head(head):
        # Only '李冬岩 摄'-style credits may start with names instead of a label.
        credit = _trailing_photo_names(text)
        if credit is None:
            return _unlabelled_credit(text, view, bracketed)
        return [(a, "credit:摄") for a in credit]
    if not matches:
        return None
    credits: list[tuple[Author, str]] = []
    roles: set[str] = set()
    previous_had_names = True
    previous_label = ""
    for i, m in enumerate(matches):
        label_view = re.sub(r"\s+", "", m.group("label"))
        label = re.sub(r"\s+", "", text[m.start("label"):m.end("label")])  # as written
        label_roles = _role_of_label(label_view)
        labels = {r: label for r in label_roles}
        if not previous_had_names and "author" in roles and label_roles & {"reporter", "correspondent"}:
            # 文/图 记者 X → reporter (from 记者) + photographer (from 文/图)
            labels = {r: (label if r in label_roles else previous_label) for r in (roles - {"author"}) | label_roles}
            roles = (roles - {"author"}) | label_roles
        else:
            roles = label_roles
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = text[m.end():end]
        pen_names = bool(m.group("colon")) and label_view in ("作者", "文", "文字", "撰文", "撰稿", "执笔")
        group = _names_in_value(value, roles, has_colon=bool(m.group("colon")), pen_names=pen_names)
        if group is None:
            return None
        previous_had_names = bool(value.strip())
        previous_label = label
        for author in group:
            source = f"byline:{labels[author.role]}" if author.role in labels else "credit:摄"
            if all(author != a for a, _ in credits):
                credits.append((author, source))
    return credits


def parse_marked_byline(text: str, parts: list[str] | None = None) -> list[tuple[Author, str]] | None:
    """The writers named by the text of an element the page marks as its byline (class `author`/
    `byline`, `rel=author`, `itemprop=author`): a labelled byline, or bare names (`Gregor Meier`,
    `Jane Doe and John Roe`; Chinese text needs a label), each as 'author' with source `byline:` (the caller names the
    marker). None when the text names nobody."""
    text = " ".join((text or "").split()).strip(" ,;|•·")
    if not text or len(text) > MAX_BYLINE_CHARS:
        return None
    found = parse_byline_credits(text)
    if found and parts and len(parts) > 1 and len(found) == 1 and len(found[0][0].name.split()) >= 4:
        each = [a for part in parts for a in _latin_names(part) or []]
        if len(each) >= 2:
            return [(a, found[0][1]) for a in each]
    if found:
        return cut_at_parts(found, parts)
    if found is None and not _HAN_RE.search(text) and not _BY_RE.match(text):
        # bare names (not Chinese ones: those are often account names; not `Par AFP`: a prefix and no person)
        names = _latin_names(text)
        if parts and len(parts) > 1 and (not names or len(names) == 1 and len(names[0].name.split()) >= 4):
            # names in sibling elements run together: <a>Jasper Riemann</a><a>Barbara Schneider</a>
            each = [a for part in parts if not _BY_RE.match(part + " x") for a in _latin_names(part) or []]
            if len(each) >= 2 or each and not names and _beside_dates(each, parts):
                names = each
        return cut_at_parts([(a, "byline:") for a in names], parts) if names else None
    return None


def _beside_dates(names: list[Author], parts: list[str]) -> bool:
    """The parts of a marked byline other than the one naming `names` hold digits: a date, a time or a
    reading time beside the name (`<span>Dec 17, 2025</span><span>Julian K. Arni</span>`)."""
    named = {a.name for a in names}
    return all(any(ch.isdigit() for ch in part) for part in parts if not any(n in part for n in named))


def cut_at_parts(found: list[tuple[Author, str]], parts: list[str] | None) -> list[tuple[Author, str]]:
    """A name is written in one element: a Latin name that runs on into the next of the byline's inline
    elements ends where its element ends (`<a>Celeste Longacre</a> <span>Gardener & Astrologer</span>`
    reads `Celeste Longacre Gardener` as text; a forum's `<a>StarredSkies</a> <span>Big Member</span>`)."""
    if not parts or len(parts) < 2:
        return found
    out = []
    for author, source in found:
        name = author.name
        if not any(name in part for part in parts):
            head = next((p.strip(" ,;:") for p in parts if name.startswith(p.strip(" ,;:") + " ")), None)
            if head and (is_latin_name(head) or is_handle(head)):
                author = Author(head, author.role)
        out.append((author, source))
    return out


def _is_outlet_head(head: str) -> bool:
    """What may stand before a byline's first label: an outlet, a date, or both
    (`中青报·中青网记者 X`, `聯合報 記者X`, `2019-03-18 23:59聯合報 記者X`, `【聯合晚報╱記者X】`)."""
    rest = _DATE_HEAD_RE.sub("", head.strip(_HEAD_TRIM)).strip(_HEAD_TRIM)
    if not rest:
        return True
    if re.fullmatch(r"[A-Za-z0-9]{1,12}", rest):
        return True  # a Latin brand glued to the label: e公司记者 X
    return len(rest) <= 16 and bool(re.fullmatch(rf"[{_CJK}A-Za-z0-9·・]+", rest)) \
        and bool(_ORG_SUFFIX_RE.search(rest)) and not is_person_name(rest)


def _unlabelled_credit(text: str, view: str, bracketed: bool) -> list[tuple[Author, str]] | None:
    """Credits without a 记者/作者 label: `王煌忠／台中報導` (reporter; 綜合報導/編譯 → author),
    `上報快訊／范姜佳鈺` (reporter), and a line that is only a bracketed name, `（羅森）` (author)."""
    m = _REPORT_CREDIT_RE.search(view)
    if m and not _SENTENCE_PUNCT_RE.search(view[: m.start()]):
        names = _names_of(text[m.start("names"):m.end("names")])
        if names:
            role = "author" if _DESK_RE.match(m.group("place")) else "reporter"
            source = "byline:" + text[m.start("verb"):m.end("verb")]
            return [(Author(n, role), source) for n in names]
    m = _OUTLET_CREDIT_RE.match(view)
    if m and (_ORG_SUFFIX_RE.search(m.group("outlet")) or _is_outlet_head(m.group("outlet"))):
        names = _names_of(text[m.start("names"):m.end("names")])
        if names:
            return [(Author(n, "reporter"), "byline:outlet/") for n in names]
    if bracketed:
        names = _names_of(text)
        if names:
            return [(Author(n, "author"), "byline:()") for n in names]
    return None


def _names_of(value: str) -> list[str] | None:
    """The names of a bare name list (`刘艺、杨吉`, `賴淑敏 蔣龍祥`); None unless every one is a person."""
    names = _merge_padded_names([n for n in _TOKEN_SPLIT_RE.split(value.strip()) if n])
    return names if names and all(is_person_name(n) for n in names) else None


def _label_at_boundary(text: str, m: re.Match) -> bool:
    """A label counts at the start, after a separator, or after a bracket."""
    start = m.start()
    return start == 0 or not ("\u4e00" <= text[start - 1] <= "\u9fff")


def _merge_padded_names(tokens: list[str]) -> list[str]:
    """`方 敏` → `方敏`: print layouts pad two-character names to the width of three."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if len(t) == 1 and i + 1 < len(tokens) and len(tokens[i + 1]) == 1 \
                and _simplified(t) in _SINGLE_SURNAMES and "\u4e00" <= tokens[i + 1] <= "\u9fff":
            out.append(t + tokens[i + 1])
            i += 2
            continue
        out.append(t)
        i += 1
    return out


def _names_in_value(value: str, roles: set[str], *, has_colon: bool,
                    pen_names: bool = False) -> list[Author] | None:
    """Authors named in one label's value; None when the value is not a list of names."""
    tokens = [t for t in _TOKEN_SPLIT_RE.split(value.strip()) if t]
    tokens = _merge_padded_names(_merge_latin_tokens(tokens))
    after_slash = set(_AFTER_SLASH_RE.findall(value))
    names: list[str] = []
    photographed = False
    for token in tokens:
        token = token.strip(_BRACKETS + "。.")
        if not token:
            continue
        view = _simplified(token)
        if view in ("摄", "摄影", "拍摄", "翻摄"):
            photographed = True
            continue
        if view in _TRAILING_VERBS:
            continue  # 记者 张三 报道 / 采写 / 整理
        if names and token in after_slash and _REPORT_VERB_RE.search(view) and len(view) <= 12 \
                and re.fullmatch(rf"[{_CJK}]+", view):
            continue  # 記者X／高雄報導: after the names and a slash, where the report was filed
        verb = next((v for v in _TRAILING_VERBS if view.endswith(v) and len(view) > len(v)), None)
        if verb and is_person_name(token[: -len(verb)]):
            token = token[: -len(verb)]  # 记者 张三报道
            view = _simplified(token)
        elif _REPORT_VERB_RE.search(view) and len(view) <= 12 and re.fullmatch(rf"[{_CJK}]+", view):
            continue  # 記者X 台北報導, 記者X／即時報導: where the report was filed
        if view.endswith("摄") and is_person_name(token[:-1]):
            names.append(token[:-1])
            photographed = True
            continue
        coded = _STAFF_CODE_RE.fullmatch(token)
        if coded and is_person_name(coded.group(1)):
            token = coded.group(1)  # 责任编辑：钟齐鸣_NBJ11279 (a portal's staff code after the name)
        if is_person_name(token):
            names.append(token)
        elif _is_known_non_person(token):
            continue
        elif pen_names and _is_pen_name(token):
            names.append(token)
        elif has_colon and len(token) <= 15 and not _SENTENCE_PUNCT_RE.search(token):
            continue  # a labelled value we cannot vouch for as a person (a desk, a login)
        else:
            return None
    if photographed:
        roles = {"photographer"}
    return [Author(n, r) for n in names for r in sorted(roles)]


def _merge_latin_tokens(tokens: list[str]) -> list[str]:
    """'John', 'Smith' → 'John Smith' so Latin names survive whitespace splitting."""
    out: list[str] = []
    for t in tokens:
        if out and re.fullmatch(r"[A-Z][A-Za-z'’\-]*\.?", t) and re.search(r"[A-Za-z]\.?$", out[-1]) \
                and re.match(r"[A-Z]", out[-1]) and out[-1].count(" ") < 3:
            out[-1] = f"{out[-1]} {t}"
        else:
            out.append(t)
    return out


def _trailing_photo_names(text: str) -> list[Author] | None:
    """'李冬岩 摄', '李冬岩、刘杰印 摄', '李冬岩/摄' → photographers; otherwise None."""
    m = _NAMES_THEN_SHOT_RE.fullmatch(_simplified(text))
    if not m:
        return None
    names = [n for n in _TOKEN_SPLIT_RE.split(text[m.start("names"):m.end("names")]) if n]
    if not names or not all(is_person_name(n) for n in names):
        return None
    return [Author(n, "photographer") for n in names]


# --- photo credits -------------------------------------------------------------------

_NAMES_THEN_SHOT_RE = re.compile(rf"(?P<names>{_NAME_SEQ})\s*[/／]?\s*(?:摄影?|拍摄)")
_CREDIT_PREFIX = rf"(?:[{_CJK}]{{0,8}}?(?:摄影记者|(?:特约|首席|见习|实习|融媒体?|全媒体)?记者|通讯员|发)[\s\u3000\xa0]*)"
_BOUNDARY = r"(?:^|(?<=[\s\u3000\xa0。！？!?.，,；;：:）)”\"」』】\]])|(?=[（(【\[]))"
_OPEN = r"[（(【\[]?[\s\u3000]*"
_CLOSE = r"[\s\u3000]*[）)】\]]?[\s\u3000]*$"

_CREDIT_SHOT_RE = re.compile(
    rf"{_BOUNDARY}{_OPEN}(?P<credit>(?P<prefix>{_CREDIT_PREFIX})?(?P<names>{_NAME_SEQ})[\s\u3000\xa0]*[/／]?[\s\u3000\xa0]*(?:摄影?|拍摄|供图)){_CLOSE}"
)
_CREDIT_LABEL_RE = re.compile(
    rf"{_BOUNDARY}{_OPEN}(?P<credit>(?:图|摄影|图片|摄)[\s\u3000\xa0]*[/／:：][\s\u3000\xa0]*(?P<prefix>{_CREDIT_PREFIX})?(?P<names>{_NAME_SEQ})){_CLOSE}"
)
_CREDIT_NO_PERSON_RE = re.compile(
    rf"{_BOUNDARY}{_OPEN}(?P<credit>受访者供图|受访单位供图|资料图片?|网络图片|图片来源于网络|(?:图片)?来源[:：]\s*网络|[{_CJK}A-Za-z]{{2,20}}供图|新华社发|视觉中国|IC\s*photo|东方IC){_CLOSE}"
)
_CREDIT_ENGLISH_RE = re.compile(
    r"(?:^|(?<=[\s.)]))[(\[]?\s*(?P<credit>(?:Photo|Photograph|Picture|Image)s?\s*(?:by|:)\s*(?P<names>[A-Z][A-Za-z'’\-]+(?:\s+[A-Z][A-Za-z'’\-]+){1,3}))\s*[)\]]?\s*$"
)


def split_photo_credit(text: str) -> tuple[str | None, str | None, list[Author]]:
    """(caption without credit, credit as shown, photographers).

    A text without a credit comes back as (text, None, []).
    """
    if not text:
        return (text or None, None, [])
    stripped = text.strip()
    # Cheap exit: every credit we know mentions one of these.
    if not any(k in stripped for k in ("摄", "图", "Photo", "Picture", "Image", "视觉中国", "IC")):
        return (stripped, None, [])
    for pattern in (_CREDIT_SHOT_RE, _CREDIT_LABEL_RE, _CREDIT_NO_PERSON_RE, _CREDIT_ENGLISH_RE):
        m = pattern.search(stripped)
        if not m:
            continue
        credit = m.group("credit").strip()
        names_text = m.groupdict().get("names")
        authors: list[Author] = []
        if names_text:
            names = [n for n in _TOKEN_SPLIT_RE.split(names_text) if n] if pattern is not _CREDIT_ENGLISH_RE else [names_text]
            if pattern is _CREDIT_SHOT_RE and credit.endswith("供图"):
                names = [n.removesuffix("供图") for n in names]
            people = [n for n in names if is_person_name(n)]
            if pattern is not _CREDIT_NO_PERSON_RE and not people and not all(_is_known_non_person(n) for n in names):
                continue  # '部件吴昊 摄' without a boundary: not a clean credit
            authors = [Author(n, "photographer") for n in people]
        caption = stripped[: m.start()].rstrip(" \u3000\xa0（(【[")
        return (caption or None, credit, _dedupe(authors))
    return (stripped, None, [])


# --- group credits -------------------------------------------------------------------

_GROUP_CREDIT_RE = re.compile(
    r"^[（(【\[]?\s*本(?:组|版|栏|期|篇|系列|专题|专版|页)?(?:稿件|文章|图片|报道|图文|稿)?(?:均|皆|全部)?由\s*"
    r"(?P<who>.{2,60}?)\s*(?P<verb>采写|撰写|采访|采制|整理|采编|报道|拍摄|摄影|提供|撰稿)\s*[）)】\]]?\s*[。.]?$"
)


def parse_group_credit(text: str) -> list[Author] | None:
    """`本组稿件由本报记者田甜采写` → [Author('田甜', 'reporter')]; None for other lines."""
    if not text or "由" not in text or len(text) > 90:
        return None
    m = _GROUP_CREDIT_RE.match(text.strip())
    if not m:
        return None
    who = m.group("who")
    default_role = "photographer" if m.group("verb") in ("拍摄", "摄影") else "reporter"
    labelled = parse_byline(who)
    if labelled is not None:
        return labelled
    names = [n for n in _TOKEN_SPLIT_RE.split(re.sub(r"[和及与]", "、", who)) if n]
    if names and all(is_person_name(n) for n in names):
        return [Author(n, default_role) for n in names]
    return None


# --- dateline and closing credits ---------------------------------------------------

# 本报讯（记者 张三 通讯员 李四）… / 新华社沈阳11月3日电（记者 王五）… / 中央社記者X台北13日電）:
# the credit at the start of the story (matched on the simplified view).
_DATELINE_CREDIT_RE = re.compile(r"^.{0,30}?(?:讯|电|消息)\s*[（(](?P<by>[^（()）]{2,40})[）)]")
_DATELINE_HINT_RE = re.compile(r"讯|电|消息")
# 〔記者王小明／台北報導〕行政院… / 【記者X／綜合報導】…: a bracketed byline opening the first paragraph.
_OPENING_CREDIT_RE = re.compile(r"^[（(〔【\[［](?P<by>[^（()）〔〕【】\[\]［］。，]{2,40})[）)〕】\]］]")
# 中央社記者X台北13日電: a wire reporter's dateline without brackets.
_WIRE_DATELINE_RE = re.compile(
    rf"^[（(〔【\[]?[{_CJK}]{{0,10}}记者(?P<names>[{_CJK}]{{2,3}})[{_CJK}]{{2,6}}?\d{{1,2}}日(?:专)?电"
)


def parse_dateline_credit(text: str) -> list[Author] | None:
    """People credited in a paragraph's dateline: `本报讯（记者 张三）…` → [Author('张三', 'reporter')];
    bare names in the dateline's brackets are reporters (`新华社北京5月19日电（刘艺、杨吉）`).
    None when the paragraph opens with no such credit."""
    return [a for a, _ in parse_dateline_credits(text) or []] or None


def parse_dateline_credits(text: str) -> list[tuple[Author, str]] | None:
    """Like `parse_dateline_credit`, with each person's source (`credit:dateline`)."""
    if not text:
        return None
    view = _simplified(text[:60])
    opening = _OPENING_CREDIT_RE.match(text.strip())
    if opening:
        found = [(a, s) for a, s in parse_byline_credits(opening.group("by")) or [] if s != "byline:()"]
        if found:
            return found
    if not _DATELINE_HINT_RE.search(view[:34]):
        return None
    m = _DATELINE_CREDIT_RE.match(view.strip())
    offset = len(view) - len(view.lstrip())
    if m:
        by = text[offset + m.start("by"):offset + m.end("by")]
        people = parse_byline(by)
        if people is None:
            names = _names_of(by)
            people = [Author(n, "reporter") for n in names] if names else None
        return [(a, "credit:dateline") for a in people] if people else None
    m = _WIRE_DATELINE_RE.match(view.strip())
    if m:
        names = _names_of(text[offset + m.start("names"):offset + m.end("names")])
        if names:
            return [(Author(n, "reporter"), "credit:dateline") for n in names]
    return None


# A credit that closes a paragraph: `…原料。（劉利貞／綜合外電報導）`, `…上。（编译/林靖东）`,
# `…共赢”。（钟才文）`, and a report credit followed by a short notice in the same line.
_CLOSING_CREDIT_RE = re.compile(r"[（(](?P<by>[^（()）。！？]{2,40})[）)][\s\u3000\xa0]*(?P<after>[^。！？]{0,12})$")


def parse_closing_credits(text: str) -> list[tuple[Author, str]] | None:
    """People credited in brackets at the end of a paragraph; None when it closes with no credit.
    The bracket must follow a sentence end (`。` `！` `？` `”`), so a name in parentheses inside
    a sentence (`院长（张三）说`) is never read."""
    if not text or text[-1:] not in "）)" and not _REPORT_CREDIT_HINT_RE.search(text[-40:]):
        return None
    m = _CLOSING_CREDIT_RE.search(text[-60:])
    if not m:
        return None
    tail = text[-60:]
    before = tail[: m.start()].rstrip()
    if before and before[-1] not in "。！？!?”\"’.」』":
        return None
    by = m.group("by")
    credits = parse_byline_credits(f"（{by}）")
    if not credits:
        return None
    if m.group("after") and not all(s.startswith("byline:報導") or s.startswith("byline:报")
                                    for _, s in credits):
        return None  # only a report credit may be followed by a short notice in the same text
    return credits


_REPORT_CREDIT_HINT_RE = re.compile(r"[報报][導导道][）)]")
