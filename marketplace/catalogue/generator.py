"""Deterministic synthetic catalogues in the import format, for benchmarks and load tests.

`generate_catalogue(instruments=, incubators=, technologies=, seed=)` returns a dict that
`import_catalogue` accepts as it is: valid against data/catalogue.schema.json and the
importer's own rules (credit-code check digits, unique codes, non-overlapping opening hours,
durations on slot boundaries, vacancies within totals, distinct refund tiers, money strings).
Records are composed from real vocabulary (instrument types with their real manufacturers and
models, Yunnan's 16 州/市 with their counties, local industries), so lists, filters and search
behave as they would on real data. Every random choice comes from one `random.Random(seed)`:
the same arguments always give byte-identical output from `dump_catalogue`.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import IO

from marketplace.accounts.validators import CREDIT_CODE_ALPHABET, credit_code_check_char

# --- Places ------------------------------------------------------------------------------------
# code, name, short name, telephone area code, centre (lat, lng), counties (name, code), and
# fictional-but-local place names used to compose institution and incubator names.
REGIONS = [
    (
        "530100",
        "昆明市",
        "昆明",
        "0871",
        (25.04, 102.71),
        [
            ("五华区", "530102"),
            ("盘龙区", "530103"),
            ("官渡区", "530111"),
            ("西山区", "530112"),
            ("呈贡区", "530114"),
            ("晋宁区", "530115"),
            ("安宁市", "530181"),
            ("嵩明县", "530127"),
        ],
        [
            ("春城", "CC"),
            ("滇池", "DC"),
            ("金碧", "JB"),
            ("翠湖", "CH"),
            ("云岭", "YL"),
            ("碧鸡", "BJ"),
        ],
    ),
    (
        "530300",
        "曲靖市",
        "曲靖",
        "0874",
        (25.49, 103.80),
        [
            ("麒麟区", "530302"),
            ("沾益区", "530303"),
            ("马龙区", "530304"),
            ("宣威市", "530381"),
            ("陆良县", "530322"),
            ("罗平县", "530324"),
        ],
        [("珠江源", "ZJY"), ("麒麟", "QL"), ("爨乡", "CX"), ("滇东", "DD")],
    ),
    (
        "530400",
        "玉溪市",
        "玉溪",
        "0877",
        (24.35, 102.54),
        [
            ("红塔区", "530402"),
            ("江川区", "530403"),
            ("澄江市", "530481"),
            ("通海县", "530423"),
            ("华宁县", "530424"),
            ("易门县", "530425"),
        ],
        [("抚仙", "FX"), ("星云", "XY"), ("红塔", "HT"), ("秀山", "XS")],
    ),
    (
        "530500",
        "保山市",
        "保山",
        "0875",
        (25.11, 99.16),
        [
            ("隆阳区", "530502"),
            ("施甸县", "530521"),
            ("腾冲市", "530581"),
            ("龙陵县", "530523"),
            ("昌宁县", "530524"),
        ],
        [("高黎贡", "GLG"), ("永昌", "YC"), ("腾越", "TY")],
    ),
    (
        "530600",
        "昭通市",
        "昭通",
        "0870",
        (27.34, 103.72),
        [
            ("昭阳区", "530602"),
            ("鲁甸县", "530621"),
            ("巧家县", "530622"),
            ("盐津县", "530623"),
            ("镇雄县", "530627"),
            ("水富市", "530681"),
        ],
        [("乌蒙", "WM"), ("朱提", "ZT"), ("金沙", "JS")],
    ),
    (
        "530700",
        "丽江市",
        "丽江",
        "0888",
        (26.86, 100.23),
        [
            ("古城区", "530702"),
            ("玉龙纳西族自治县", "530721"),
            ("永胜县", "530722"),
            ("华坪县", "530723"),
            ("宁蒗彝族自治县", "530724"),
        ],
        [("玉龙", "YLO"), ("束河", "SH"), ("丽水金沙", "LSJS")],
    ),
    (
        "530800",
        "普洱市",
        "普洱",
        "0879",
        (22.83, 100.97),
        [
            ("思茅区", "530802"),
            ("宁洱哈尼族彝族自治县", "530821"),
            ("墨江哈尼族自治县", "530822"),
            ("景东彝族自治县", "530823"),
            ("景谷傣族彝族自治县", "530824"),
            ("澜沧拉祜族自治县", "530828"),
        ],
        [("思茅", "SM"), ("茶源", "CY"), ("无量", "WL")],
    ),
    (
        "530900",
        "临沧市",
        "临沧",
        "0883",
        (23.88, 100.09),
        [
            ("临翔区", "530902"),
            ("凤庆县", "530921"),
            ("云县", "530922"),
            ("永德县", "530923"),
            ("耿马傣族佤族自治县", "530926"),
            ("沧源佤族自治县", "530927"),
        ],
        [("南汀", "NT"), ("滇红", "DH"), ("邦马", "BM")],
    ),
    (
        "532300",
        "楚雄彝族自治州",
        "楚雄",
        "0878",
        (25.03, 101.55),
        [
            ("楚雄市", "532301"),
            ("禄丰市", "532302"),
            ("南华县", "532324"),
            ("姚安县", "532325"),
            ("大姚县", "532326"),
            ("元谋县", "532328"),
            ("武定县", "532329"),
        ],
        [("彝州", "YZ"), ("紫溪", "ZX"), ("哀牢", "AL"), ("元谋", "YM")],
    ),
    (
        "532500",
        "红河哈尼族彝族自治州",
        "红河",
        "0873",
        (23.36, 103.38),
        [
            ("个旧市", "532501"),
            ("开远市", "532502"),
            ("蒙自市", "532503"),
            ("弥勒市", "532504"),
            ("建水县", "532524"),
            ("石屏县", "532525"),
            ("河口瑶族自治县", "532532"),
        ],
        [("南湖", "NH"), ("哈尼", "HN"), ("锡都", "XD"), ("异龙", "YLH")],
    ),
    (
        "532600",
        "文山壮族苗族自治州",
        "文山",
        "0876",
        (23.37, 104.24),
        [
            ("文山市", "532601"),
            ("砚山县", "532622"),
            ("西畴县", "532623"),
            ("麻栗坡县", "532624"),
            ("马关县", "532625"),
            ("丘北县", "532626"),
            ("广南县", "532627"),
            ("富宁县", "532628"),
        ],
        [("普者黑", "PZH"), ("盘龙河", "PLH"), ("老君山", "LJS")],
    ),
    (
        "532800",
        "西双版纳傣族自治州",
        "西双版纳",
        "0691",
        (22.01, 100.80),
        [("景洪市", "532801"), ("勐海县", "532822"), ("勐腊县", "532823")],
        [("版纳", "BN"), ("雨林", "YLN"), ("勐仑", "ML"), ("澜沧江", "LCJ")],
    ),
    (
        "532900",
        "大理白族自治州",
        "大理",
        "0872",
        (25.61, 100.27),
        [
            ("大理市", "532901"),
            ("漾濞彝族自治县", "532922"),
            ("祥云县", "532923"),
            ("宾川县", "532924"),
            ("弥渡县", "532925"),
            ("洱源县", "532930"),
            ("剑川县", "532931"),
            ("鹤庆县", "532932"),
        ],
        [("苍洱", "CE"), ("洱海", "EH"), ("点苍", "DCS"), ("鸡足", "JZ")],
    ),
    (
        "533100",
        "德宏傣族景颇族自治州",
        "德宏",
        "0692",
        (24.43, 98.58),
        [
            ("芒市", "533103"),
            ("瑞丽市", "533102"),
            ("梁河县", "533122"),
            ("盈江县", "533123"),
            ("陇川县", "533124"),
        ],
        [("孔雀", "KQ"), ("瑞丽江", "RLJ"), ("南甸", "ND")],
    ),
    (
        "533300",
        "怒江傈僳族自治州",
        "怒江",
        "0886",
        (25.82, 98.86),
        [
            ("泸水市", "533301"),
            ("福贡县", "533323"),
            ("贡山独龙族怒族自治县", "533324"),
            ("兰坪白族普米族自治县", "533325"),
        ],
        [("碧罗", "BL"), ("独龙", "DL"), ("怒江", "NJ")],
    ),
    (
        "533400",
        "迪庆藏族自治州",
        "迪庆",
        "0887",
        (27.83, 99.70),
        [("香格里拉市", "533401"), ("德钦县", "533422"), ("维西傈僳族自治县", "533423")],
        [("梅里", "MLS"), ("白马", "BMS"), ("香格里拉", "XGLL")],
    ),
]
LAT_RANGE = (21.2, 29.2)
LNG_RANGE = (97.6, 106.1)

# Industries each 州/市 is known for; incubators and technologies lean towards them.
REGION_INDUSTRIES = {
    "530100": ["数字经济", "生物医药", "新材料", "先进装备制造", "花卉", "现代物流"],
    "530300": ["绿色能源", "硅光伏材料", "新能源电池", "高原特色农业", "煤化工"],
    "530400": ["烟草", "花卉", "生物医药", "高原特色农业", "先进装备制造"],
    "530500": ["咖啡", "高原特色农业", "硅材料", "文化旅游"],
    "530600": ["苹果产业", "天麻", "绿色能源", "高原特色农业"],
    "530700": ["文化旅游", "绿色能源", "玛咖", "生物多样性保护"],
    "530800": ["普洱茶", "咖啡", "林下经济", "生物多样性保护"],
    "530900": ["滇红茶", "坚果产业", "蔗糖产业", "跨境贸易"],
    "532300": ["生物医药", "野生菌", "绿色食品", "新材料"],
    "532500": ["锡基新材料", "跨境贸易", "高原特色农业", "电子信息"],
    "532600": ["三七产业", "中药材", "新材料", "高原特色农业"],
    "532800": ["热带生物资源开发", "生态旅游", "跨境电商", "橡胶产业"],
    "532900": ["大健康", "文化旅游", "民族医药", "乳业"],
    "533100": ["跨境贸易", "珠宝玉石", "咖啡", "热带农业"],
    "533300": ["草果产业", "生物多样性保护", "绿色能源"],
    "533400": ["藏药", "高原生态", "文化旅游", "青稞产业"],
}
GENERAL_INDUSTRIES = [
    "数字经济",
    "生物医药",
    "新材料",
    "绿色能源",
    "高原特色农业",
    "电子信息",
    "人工智能",
    "节能环保",
    "文化创意",
    "现代服务业",
    "智能制造",
    "绿色食品",
    "医疗器械",
    "软件与信息服务",
]

SURNAMES = (
    "李王张杨赵刘陈周段普和木刀罗马字董何孙朱胡高郭林徐黄吴施尹鲁苏沈彭余谢蔡钱许邓毕岩番起寸者"
)
GIVEN_CHARS = (
    "明远建华桂芬成林晓燕志强丽娟海涛云峰文杰静玉兰春梅国平磊敏婷鹏宇琳洁欣怡永红军霞"
    "勇斌浩晨思雨秀英福祥德荣金凤翠庆光嘉伟俊丹蕾曦睿航旭坤瑶"
)

# --- Institutions --------------------------------------------------------------------------------
# type -> (weight, [(name suffix, code suffix)]); a name is a local place name plus a suffix.
INSTITUTION_KINDS = {
    "university": (
        18,
        [
            ("理工大学", "LG"),
            ("大学", "DX"),
            ("师范学院", "SF"),
            ("农业大学", "ND"),
            ("医学院", "YX"),
            ("学院", "XY"),
            ("职业技术学院", "ZY"),
            ("民族大学", "MD"),
            ("林业职业技术学院", "LZ"),
            ("工商学院", "GS"),
        ],
    ),
    "research_institute": (
        24,
        [
            ("生物技术研究院", "SJ"),
            ("农业科学研究所", "NK"),
            ("新材料研究院", "XC"),
            ("热带作物研究所", "RZ"),
            ("中药材研究所", "ZYC"),
            ("林业科学研究院", "LK"),
            ("稀贵金属研究院", "XG"),
            ("生态环境研究所", "ST"),
            ("工业技术研究院", "GY"),
            ("药物研究所", "YW"),
            ("高原生物资源研究所", "GSZ"),
            ("信息技术研究院", "XXJ"),
            ("茶叶研究所", "CYS"),
            ("咖啡研究所", "KF"),
            ("花卉研究所", "HH"),
        ],
    ),
    "enterprise": (
        30,
        [
            ("检测技术有限公司", "JC"),
            ("生物科技股份有限公司", "SK"),
            ("新材料科技有限公司", "XCK"),
            ("药业股份有限公司", "YY"),
            ("电子科技有限公司", "DZ"),
            ("智能装备有限公司", "ZN"),
            ("农业科技有限公司", "NYK"),
            ("新能源有限公司", "NY"),
            ("信息技术有限公司", "XX"),
            ("计量检测研究院有限公司", "JL"),
            ("环保科技有限公司", "HB"),
            ("茶业有限公司", "CYG"),
        ],
    ),
    "incubator_operator": (
        16,
        [
            ("创业孵化服务有限公司", "FH"),
            ("科技园发展有限公司", "KY"),
            ("众创空间管理有限公司", "ZC"),
            ("双创服务有限公司", "SC"),
            ("产业园运营管理有限公司", "CYY"),
            ("创新创业投资有限公司", "CT"),
        ],
    ),
    "government": (
        6,
        [("生产力促进中心", "SCL"), ("科技创新服务中心", "KFZ"), ("技术转移中心", "JZ")],
    ),
    "other": (
        6,
        [("科技成果转化促进会", "CHH"), ("技术市场协会", "JSX"), ("产学研合作联盟", "CXL")],
    ),
}
INSTITUTION_BLURBS = {
    "university": "设有材料、化学、生命科学、电子信息等学科，分析测试中心的大型科学仪器面向社会开放共享，科技成果可转让、许可或合作开发。",
    "research_institute": "围绕云南优势产业开展应用基础研究与技术开发，拥有省级重点实验室和工程技术研究中心，对外提供检测分析与技术服务。",
    "enterprise": "高新技术企业，建有经认定的企业技术中心，实验室通过 CMA/CNAS 认可，向中小企业开放检测设备与中试条件。",
    "incubator_operator": "专业化双创服务机构，运营众创空间、孵化器和加速器，提供场地、导师、投融资对接和政策申报等全链条服务。",
    "government": "公益性科技服务机构，承担科技成果转化、技术转移和创新创业服务平台建设工作。",
    "other": "社会组织，联合高校院所和企业开展技术交流、成果推介与产学研合作对接。",
}
CREDIT_PREFIX = {
    "university": "12",
    "research_institute": "12",
    "government": "12",
    "enterprise": "91",
    "incubator_operator": "91",
    "other": "52",
}
STREETS = [
    "科技路",
    "创新大道",
    "高新路",
    "学府路",
    "环湖东路",
    "人民路",
    "北京路",
    "新城大道",
    "产业园路",
    "迎宾大道",
    "景明南路",
    "云大西路",
    "滨江大道",
    "兴文路",
    "东风路",
    "南屏街",
]
CAMPUS_PLACES = [
    "分析测试中心",
    "公共技术服务平台",
    "重点实验室",
    "生命科学实验楼",
    "材料科学实验楼",
    "测试大楼",
    "工程训练中心",
    "中试基地",
]

# --- Instruments ---------------------------------------------------------------------------------
MAKERS = {
    "thermo": ("赛默飞世尔科技（Thermo Fisher Scientific）", "US"),
    "bruker": ("布鲁克（Bruker）", "DE"),
    "shimadzu": ("岛津（Shimadzu）", "JP"),
    "hitachi": ("日立高新技术公司（Hitachi High-Tech）", "JP"),
    "zeiss": ("卡尔蔡司（ZEISS）", "DE"),
    "agilent": ("安捷伦科技（Agilent Technologies）", "US"),
    "jeol": ("日本电子株式会社（JEOL）", "JP"),
    "fpi": ("聚光科技（杭州）股份有限公司", "CN"),
    "waters": ("沃特世（Waters）", "US"),
    "sciex": ("爱博才思（SCIEX）", "US"),
    "pe": ("珀金埃尔默（PerkinElmer）", "US"),
    "malvern": ("马尔文帕纳科（Malvern Panalytical）", "GB"),
    "rigaku": ("理学（Rigaku）", "JP"),
    "tescan": ("泰思肯（TESCAN）", "CZ"),
    "ciqtek": ("国仪量子技术（合肥）股份有限公司", "CN"),
    "leica": ("徕卡显微系统（Leica Microsystems）", "DE"),
    "nikon": ("尼康（Nikon）", "JP"),
    "olympus": ("奥林巴斯（Olympus）", "JP"),
    "beckman": ("贝克曼库尔特（Beckman Coulter）", "US"),
    "bd": ("碧迪医疗（BD Biosciences）", "US"),
    "oxford": ("牛津仪器（Oxford Instruments）", "GB"),
    "park": ("帕克（Park Systems）", "KR"),
    "horiba": ("堀场（HORIBA）", "FR"),
    "renishaw": ("雷尼绍（Renishaw）", "GB"),
    "netzsch": ("耐驰（NETZSCH）", "DE"),
    "mettler": ("梅特勒-托利多（METTLER TOLEDO）", "CH"),
    "ta": ("TA 仪器（TA Instruments）", "US"),
    "inspur": ("浪潮电子信息产业股份有限公司", "CN"),
    "sugon": ("曙光信息产业股份有限公司", "CN"),
    "huawei": ("华为技术有限公司", "CN"),
    "lenovo": ("联想（北京）有限公司", "CN"),
    "ulvac": ("爱发科-费恩斯（ULVAC-PHI）", "JP"),
    "kratos": ("岛津（Kratos Analytical）", "GB"),
    "gangdong": ("天津港东科技股份有限公司", "CN"),
    "elite": ("大连依利特分析仪器有限公司", "CN"),
    "fuli": ("浙江福立分析仪器股份有限公司", "CN"),
    "haiguang": ("北京海光仪器有限公司", "CN"),
    "jitian": ("北京吉天仪器有限公司", "CN"),
    "mgi": ("深圳华大智造科技股份有限公司（MGI Tech）", "CN"),
    "illumina": ("因美纳（Illumina）", "US"),
    "biorad": ("伯乐（Bio-Rad）", "US"),
    "roche": ("罗氏诊断（Roche）", "CH"),
    "tianlong": ("西安天隆科技有限公司", "CN"),
    "md": ("美谷分子仪器（Molecular Devices）", "US"),
    "heka": ("HEKA Elektronik", "DE"),
    "niumag": ("苏州纽迈分析仪器股份有限公司", "CN"),
    "ortec": ("阿美特克（ORTEC）", "US"),
    "mirion": ("米里恩（Mirion Technologies）", "US"),
    "keysight": ("是德科技（Keysight Technologies）", "US"),
    "rs": ("罗德与施瓦茨（Rohde & Schwarz）", "DE"),
    "ceyear": ("中电科思仪科技股份有限公司", "CN"),
    "tek": ("泰克科技（Tektronix）", "US"),
    "siglent": ("深圳市鼎阳科技股份有限公司", "CN"),
    "hexagon": ("海克斯康（Hexagon）", "SE"),
    "mitutoyo": ("三丰（Mitutoyo）", "JP"),
    "coherent": ("相干公司（Coherent）", "US"),
    "sp": ("光谱物理（Spectra-Physics）", "US"),
    "trumpf": ("通快（TRUMPF）", "DE"),
    "raycus": ("武汉锐科光纤激光技术股份有限公司", "CN"),
    "yxlon": ("依科视朗（YXLON International）", "DE"),
    "sanying": ("天津三英精密仪器股份有限公司", "CN"),
    "cts": ("汕头市超声仪器研究所股份有限公司", "CN"),
    "mala": ("MALÅ Geoscience", "SE"),
    "gssi": ("GSSI（Geophysical Survey Systems）", "US"),
    "scintrex": ("Scintrex", "CA"),
    "guralp": ("Güralp Systems", "GB"),
    "aiof": ("无锡中科光电技术有限公司", "CN"),
    "rpg": ("Radiometer Physics（RPG）", "DE"),
    "campbell": ("坎贝尔科学（Campbell Scientific）", "US"),
    "licor": ("力高（LI-COR Biosciences）", "US"),
    "ysi": ("赛莱默（YSI）", "US"),
    "trdi": ("Teledyne RD Instruments", "US"),
    "niaot": ("中国科学院南京天文光学技术研究所", "CN"),
    "andor": ("安道尔（Andor Technology）", "GB"),
    "blt": ("西安铂力特增材技术股份有限公司", "CN"),
    "eos": ("EOS GmbH", "DE"),
    "fuji": ("富士电波工机（Fuji Electronic Industrial）", "JP"),
    "sky": ("沈阳科学仪器股份有限公司", "CN"),
    "beneq": ("倍耐克（Beneq）", "FI"),
    "baoxing": ("上海保兴生物设备工程有限公司", "CN"),
    "sympatec": ("新帕泰克（Sympatec）", "DE"),
    "bettersize": ("丹东百特仪器有限公司", "CN"),
    "micromeritics": ("麦克默瑞提克（Micromeritics）", "US"),
    "jwgb": ("北京精微高博科学技术有限公司", "CN"),
    "instron": ("英斯特朗（Instron）", "US"),
    "mts": ("美特斯工业系统（中国）有限公司", "CN"),
    "antonpaar": ("安东帕（Anton Paar）", "AT"),
    "qd": ("量子设计（Quantum Design）", "US"),
    "conviron": ("康维龙（Conviron）", "CA"),
    "lemnatec": ("LemnaTec", "DE"),
    "elementar": ("德国元素（Elementar）", "DE"),
    "sykam": ("赛卡姆（Sykam）", "DE"),
    "skyray": ("江苏天瑞仪器股份有限公司", "CN"),
}


def _instrument_type(
    abbr,
    category,
    names,
    models,
    value_wan,
    hourly,
    sample,
    modes,
    specs,
    capabilities,
    use,
    weight,
):
    """One kind of instrument. models: (maker key, model[, origin country]); value in 万元;
    hourly/sample: yuan ranges or None; modes: weights of (both, machine time, sample only)."""
    return {
        "abbr": abbr,
        "category": category,
        "names": names,
        "models": models,
        "value": value_wan,
        "hourly": hourly,
        "sample": sample,
        "modes": modes,
        "specs": specs,
        "capabilities": capabilities,
        "use": use,
        "weight": weight,
    }


INSTRUMENT_TYPES = [
    _instrument_type(
        "SEM",
        "analytical",
        ["场发射扫描电子显微镜", "钨灯丝扫描电子显微镜", "台式扫描电子显微镜"],
        [
            ("hitachi", "SU8220"),
            ("hitachi", "Regulus 8100"),
            ("hitachi", "FlexSEM 1000 II"),
            ("zeiss", "Sigma 300"),
            ("zeiss", "GeminiSEM 500"),
            ("thermo", "Apreo 2", "CZ"),
            ("jeol", "JSM-IT800"),
            ("jeol", "JSM-7610F Plus"),
            ("tescan", "MIRA"),
            ("ciqtek", "SEM5000"),
        ],
        (120, 520),
        (200, 600),
        (150, 400),
        (7, 1, 2),
        [
            "二次电子分辨率 0.8 nm（15 kV）",
            "加速电压 0.02–30 kV 连续可调",
            "配备牛津 Ultim Max 65 能谱仪（EDS）",
            "低真空模式可直接观察不导电样品",
            "配备背散射电子探测器和 EBSD 系统",
        ],
        [
            "表面形貌观察（二次电子像、背散射电子像）",
            "EDS 点、线、面元素分析",
            "截面形貌及镀层厚度测量",
            "断口失效分析",
            "EBSD 晶体取向分析",
            "低电压观察不导电样品",
        ],
        "金属、陶瓷、矿物、高分子及经导电处理的生物样品",
        10,
    ),
    _instrument_type(
        "TEM",
        "analytical",
        ["场发射透射电子显微镜", "透射电子显微镜", "球差校正透射电子显微镜"],
        [
            ("jeol", "JEM-F200"),
            ("jeol", "JEM-2100Plus"),
            ("jeol", "JEM-ARM300F2"),
            ("thermo", "Talos F200X", "CZ"),
            ("thermo", "Talos L120C", "CZ"),
            ("thermo", "Spectra 300", "NL"),
            ("hitachi", "HT7800"),
        ],
        (300, 3000),
        (400, 1500),
        (300, 1200),
        (6, 1, 3),
        [
            "点分辨率 0.19 nm，线分辨率 0.10 nm",
            "加速电压 80–200 kV",
            "配备 Super-X 能谱系统与 HAADF-STEM 探测器",
            "配备 4k×4k CMOS 相机",
            "可进行原位加热与低温样品观察",
        ],
        [
            "高分辨晶格像观察",
            "选区电子衍射",
            "STEM-EDS 元素面分布",
            "纳米颗粒尺寸与形貌统计",
            "生物超薄切片负染观察",
        ],
        "纳米材料、金属与合金、催化剂、二维材料及生物超薄切片",
        5,
    ),
    _instrument_type(
        "XRD",
        "analytical",
        ["X射线衍射仪", "高分辨X射线衍射仪", "单晶X射线衍射仪", "粉末X射线衍射仪"],
        [
            ("bruker", "D8 ADVANCE"),
            ("bruker", "D8 DISCOVER"),
            ("bruker", "D8 VENTURE"),
            ("malvern", "Empyrean", "NL"),
            ("malvern", "Aeris", "NL"),
            ("rigaku", "SmartLab"),
            ("rigaku", "MiniFlex 600"),
            ("rigaku", "XtaLAB Synergy"),
            ("shimadzu", "XRD-6100"),
        ],
        (60, 420),
        (100, 400),
        (60, 300),
        (6, 1, 3),
        [
            "Cu 靶，最大功率 3 kW",
            "测角仪精度 ±0.0001°",
            "配备 LYNXEYE XE-T 阵列探测器",
            "可选高温原位样品台（室温至 1200 ℃）",
            "支持掠入射与薄膜反射率测量",
        ],
        [
            "物相定性与定量分析",
            "晶粒尺寸与微观应变计算",
            "Rietveld 全谱拟合精修",
            "薄膜掠入射衍射",
            "残余应力与织构分析",
        ],
        "粉末、块体、薄膜及矿物样品",
        8,
    ),
    _instrument_type(
        "NMR",
        "analytical",
        [
            "400MHz核磁共振波谱仪",
            "500MHz核磁共振波谱仪",
            "600MHz核磁共振波谱仪",
            "固体核磁共振波谱仪",
        ],
        [
            ("bruker", "AVANCE NEO 400"),
            ("bruker", "AVANCE NEO 600"),
            ("bruker", "AVANCE III HD 500"),
            ("jeol", "JNM-ECZ400S"),
            ("jeol", "JNM-ECZ600R"),
        ],
        (260, 1200),
        (300, 900),
        (80, 400),
        (6, 1, 3),
        [
            "配备 BBO 宽带超低温探头",
            "可测 1H、13C、19F、31P 等核",
            "变温范围 −150 ℃ 至 +150 ℃",
            "配备 60 位自动进样器",
            "支持二维谱（COSY、HSQC、HMBC、NOESY）",
        ],
        [
            "有机化合物结构鉴定",
            "一维、二维核磁谱测定",
            "天然产物结构解析",
            "定量核磁（qNMR）纯度测定",
            "高分子链结构分析",
        ],
        "有机小分子、天然产物、药物中间体及高分子",
        5,
    ),
    _instrument_type(
        "LCMS",
        "analytical",
        [
            "液相色谱-质谱联用仪",
            "液相色谱-三重四极杆质谱联用仪",
            "超高效液相色谱-四极杆飞行时间质谱联用仪",
            "液相色谱-轨道阱高分辨质谱联用仪",
        ],
        [
            ("thermo", "Q Exactive Plus", "DE"),
            ("thermo", "Orbitrap Exploris 480", "DE"),
            ("thermo", "TSQ Altis", "US"),
            ("waters", "ACQUITY UPLC I-Class / Xevo TQ-XS", "GB"),
            ("waters", "Xevo G2-XS QTof", "GB"),
            ("agilent", "1290 Infinity II / 6470B"),
            ("agilent", "1290 Infinity II / 6546"),
            ("shimadzu", "LCMS-8060NX"),
            ("sciex", "Triple Quad 6500+", "SG"),
            ("sciex", "ZenoTOF 7600", "SG"),
        ],
        (150, 650),
        (300, 800),
        (200, 800),
        (5, 1, 4),
        [
            "质量分辨率 140 000（m/z 200）",
            "质量精度 < 3 ppm（外标）",
            "配备 ESI 与 APCI 离子源",
            "正负离子切换时间 < 25 ms",
            "配备超高效液相色谱系统，耐压 130 MPa",
        ],
        [
            "农药残留与兽药残留定量",
            "中药材有效成分定性定量",
            "代谢组学非靶向分析",
            "未知物结构鉴定",
            "药物代谢动力学样品分析",
        ],
        "食品、中药材、环境水样及生物样品",
        8,
    ),
    _instrument_type(
        "GCMS",
        "analytical",
        ["气相色谱-质谱联用仪", "气相色谱-三重四极杆质谱联用仪", "顶空-气相色谱-质谱联用仪"],
        [
            ("agilent", "8890-5977B"),
            ("agilent", "8890-7000D"),
            ("shimadzu", "GCMS-QP2020 NX"),
            ("shimadzu", "GCMS-TQ8050 NX"),
            ("thermo", "TSQ 9610"),
            ("thermo", "ISQ 7610"),
            ("fpi", "GC-MS 1000"),
        ],
        (50, 260),
        (150, 400),
        (150, 600),
        (5, 1, 4),
        [
            "质量范围 1.5–1050 amu",
            "EI 源与 CI 源可选",
            "配备顶空与热脱附进样器",
            "配备 NIST 谱库",
        ],
        [
            "挥发性有机物分析",
            "香气成分分析",
            "农药多残留筛查",
            "烟草化学成分分析",
            "精油成分鉴定",
        ],
        "烟叶、茶叶、咖啡、精油、食品及环境样品",
        8,
    ),
    _instrument_type(
        "ICPMS",
        "analytical",
        ["电感耦合等离子体质谱仪", "三重四极杆电感耦合等离子体质谱仪"],
        [
            ("agilent", "7900", "JP"),
            ("agilent", "8900", "JP"),
            ("thermo", "iCAP RQ", "DE"),
            ("thermo", "iCAP TQ", "DE"),
            ("pe", "NexION 2000"),
            ("shimadzu", "ICPMS-2030"),
            ("fpi", "EXPEC 7000"),
        ],
        (100, 350),
        (200, 500),
        (100, 500),
        (3, 0, 7),
        [
            "检出限 ng/L 级",
            "配备碰撞/反应池消除多原子离子干扰",
            "动态范围 11 个数量级",
            "可联用激光剥蚀系统进行微区分析",
        ],
        [
            "痕量与超痕量元素分析",
            "重金属检测",
            "稀土元素分析",
            "同位素比值测定",
            "形态分析（与液相色谱联用）",
        ],
        "地质矿产、有色金属、土壤、食品及中药材样品",
        7,
    ),
    _instrument_type(
        "ICPOES",
        "analytical",
        ["电感耦合等离子体发射光谱仪"],
        [
            ("agilent", "5800", "AU"),
            ("agilent", "5110", "AU"),
            ("thermo", "iCAP PRO XP", "GB"),
            ("pe", "Avio 550 Max"),
            ("shimadzu", "ICPE-9820"),
            ("fpi", "EXPEC 6500"),
        ],
        (40, 110),
        (100, 300),
        (80, 200),
        (5, 1, 4),
        [
            "波长范围 167–785 nm",
            "垂直炬管双向观测",
            "可同时测定 70 余种元素",
        ],
        ["主量与微量元素测定", "合金成分分析", "土壤与肥料元素检测", "水质金属元素检测"],
        "金属材料、矿石、土壤、植物及水样",
        6,
    ),
    _instrument_type(
        "CLSM",
        "analytical",
        ["激光共聚焦显微镜", "激光扫描共聚焦显微镜", "转盘式共聚焦显微镜"],
        [
            ("zeiss", "LSM 900"),
            ("zeiss", "LSM 980"),
            ("leica", "STELLARIS 5"),
            ("leica", "TCS SP8"),
            ("nikon", "AX R"),
            ("nikon", "A1R HD25"),
            ("olympus", "FV3000"),
        ],
        (150, 620),
        (150, 400),
        (100, 300),
        (7, 2, 1),
        [
            "配备 405/488/561/640 nm 四激光",
            "GaAsP 高灵敏检测器",
            "Airyscan 超分辨模块",
            "配备活细胞培养系统",
        ],
        ["多色荧光成像", "三维重构与层扫", "活细胞长时程成像", "FRAP、FRET 分析", "共定位分析"],
        "细胞、组织切片、植物材料及荧光标记样品",
        6,
    ),
    _instrument_type(
        "FCM",
        "analytical",
        ["流式细胞仪", "流式细胞分选仪", "多色流式细胞仪"],
        [
            ("beckman", "CytoFLEX S"),
            ("beckman", "CytoFLEX LX"),
            ("beckman", "MoFlo Astrios EQ"),
            ("bd", "FACSCelesta"),
            ("bd", "FACSAria III"),
            ("bd", "FACSymphony A5"),
            ("thermo", "Attune NxT"),
            ("agilent", "NovoCyte Quanteon"),
        ],
        (80, 500),
        (120, 300),
        (50, 200),
        (7, 2, 1),
        [
            "配备 3 激光 13 色检测通道",
            "检测速度 30 000 个细胞/秒",
            "分选纯度 > 98%",
            "配备 96 孔板自动上样器",
        ],
        ["细胞表型分析", "细胞凋亡与周期检测", "细胞分选", "微生物计数", "细胞因子多重检测"],
        "血液、免疫细胞、肿瘤细胞及微生物样品",
        5,
    ),
    _instrument_type(
        "AFM",
        "analytical",
        ["原子力显微镜", "扫描探针显微镜"],
        [
            ("bruker", "Dimension Icon", "US"),
            ("bruker", "Dimension FastScan", "US"),
            ("bruker", "MultiMode 8-HR", "US"),
            ("oxford", "Asylum Research Cypher ES", "US"),
            ("oxford", "Asylum Research MFP-3D Origin+", "US"),
            ("park", "NX20"),
        ],
        (100, 400),
        (150, 400),
        (150, 400),
        (6, 2, 2),
        [
            "Z 向噪声 < 30 pm",
            "最大扫描范围 90 μm × 90 μm",
            "支持 PeakForce 轻敲模式",
            "可进行液下成像",
        ],
        ["表面形貌三维成像", "粗糙度分析", "纳米力学性能测定", "导电与压电力显微测量"],
        "薄膜、二维材料、高分子及生物大分子样品",
        4,
    ),
    _instrument_type(
        "RAMAN",
        "analytical",
        ["拉曼光谱仪", "显微共焦拉曼光谱仪", "激光显微拉曼光谱仪"],
        [
            ("horiba", "LabRAM HR Evolution"),
            ("horiba", "LabRAM Odyssey"),
            ("horiba", "XploRA PLUS"),
            ("renishaw", "inVia Qontor"),
            ("thermo", "DXR3xi"),
            ("bruker", "SENTERRA II"),
        ],
        (80, 250),
        (120, 300),
        (80, 250),
        (6, 2, 2),
        [
            "配备 532/633/785 nm 激光器",
            "光谱分辨率 ≤ 0.65 cm⁻¹",
            "空间分辨率横向 0.5 μm",
            "配备自动拉曼成像平台",
        ],
        ["拉曼光谱定性分析", "拉曼成像", "碳材料结构表征", "矿物与宝石鉴定", "应力分析"],
        "碳材料、矿物宝石、半导体、药物及生物样品",
        5,
    ),
    _instrument_type(
        "XPS",
        "analytical",
        ["X射线光电子能谱仪"],
        [
            ("thermo", "ESCALAB Xi+", "GB"),
            ("thermo", "K-Alpha", "GB"),
            ("thermo", "Nexsa G2", "GB"),
            ("kratos", "AXIS SUPRA+"),
            ("ulvac", "PHI VersaProbe 4"),
            ("ulvac", "PHI Genesis"),
        ],
        (300, 700),
        (500, 1000),
        (300, 800),
        (4, 1, 5),
        [
            "单色化 Al Kα X 射线源",
            "能量分辨率 ≤ 0.45 eV（Ag 3d5/2）",
            "配备氩离子团簇刻蚀枪",
            "配备 UPS 与 REELS 附件",
        ],
        ["表面元素组成与化学态分析", "深度剖析", "价带谱测定", "功函数测定"],
        "催化剂、薄膜、金属腐蚀层及电池材料",
        3,
    ),
    _instrument_type(
        "STA",
        "physical_property",
        ["同步热分析仪", "热重分析仪", "差示扫描量热仪"],
        [
            ("netzsch", "STA 449 F3 Jupiter"),
            ("netzsch", "TG 209 F1 Libra"),
            ("netzsch", "DSC 214 Polyma"),
            ("mettler", "TGA/DSC 3+"),
            ("ta", "SDT 650"),
            ("ta", "Discovery DSC 2500"),
            ("ta", "TGA 5500"),
            ("pe", "STA 8000"),
        ],
        (30, 100),
        (80, 200),
        (100, 300),
        (5, 1, 4),
        [
            "温度范围室温至 1600 ℃",
            "天平分辨率 0.1 μg",
            "可联用红外与质谱进行逸出气体分析",
            "升温速率 0.1–50 K/min",
        ],
        ["热稳定性与分解温度测定", "玻璃化转变温度测定", "熔融与结晶行为分析", "比热容测定"],
        "高分子、无机材料、药品及食品样品",
        6,
    ),
    _instrument_type(
        "HPC",
        "computing",
        ["高性能计算集群", "GPU计算服务器集群", "科学计算与数据存储平台"],
        [
            ("inspur", "NF5468M6 集群"),
            ("inspur", "NF5280M6 集群"),
            ("sugon", "TC6600 集群"),
            ("sugon", "X785-G30"),
            ("huawei", "Atlas 800 训练服务器集群"),
            ("huawei", "TaiShan 200 集群"),
            ("lenovo", "ThinkSystem SD650 集群"),
        ],
        (200, 2000),
        (20, 150),
        None,
        (0, 1, 0),
        [
            "CPU 计算节点 128 个，总核数 8192",
            "GPU 节点配备 8 卡 A800",
            "并行文件系统容量 2 PB",
            "100 Gb/s InfiniBand 高速互联",
        ],
        ["分子动力学与第一性原理计算", "深度学习模型训练", "气象与水文数值模拟", "基因组数据分析"],
        "材料计算、生物信息、人工智能及工程仿真",
        3,
    ),
    _instrument_type(
        "FTIR",
        "analytical",
        ["傅里叶变换红外光谱仪", "显微红外光谱仪"],
        [
            ("thermo", "Nicolet iS50", "US"),
            ("thermo", "Nicolet iS20", "US"),
            ("bruker", "INVENIO R"),
            ("bruker", "VERTEX 70v"),
            ("bruker", "HYPERION 3000"),
            ("shimadzu", "IRTracer-100"),
            ("pe", "Spectrum 3"),
            ("gangdong", "FTIR-650"),
        ],
        (15, 120),
        (60, 200),
        (50, 150),
        (5, 1, 4),
        ["光谱范围 7800–350 cm⁻¹", "分辨率优于 0.09 cm⁻¹", "配备 ATR 与漫反射附件"],
        ["官能团定性分析", "高分子材料鉴别", "微区红外成像", "原位红外反应监测"],
        "高分子、有机物、药品及矿物样品",
        6,
    ),
    _instrument_type(
        "UVVIS",
        "analytical",
        ["紫外-可见-近红外分光光度计", "紫外-可见分光光度计"],
        [
            ("agilent", "Cary 5000", "AU"),
            ("agilent", "Cary 7000", "AU"),
            ("shimadzu", "UV-3600i Plus"),
            ("pe", "LAMBDA 1050+"),
            ("hitachi", "UH4150"),
        ],
        (15, 80),
        (50, 150),
        (30, 120),
        (5, 2, 3),
        ["波长范围 175–3300 nm", "配备 150 mm 积分球", "杂散光 < 0.00005%T"],
        ["吸收光谱测定", "漫反射与透过率测定", "禁带宽度测定", "溶液浓度定量"],
        "溶液、薄膜、粉末及光学元件",
        5,
    ),
    _instrument_type(
        "HPLC",
        "analytical",
        ["高效液相色谱仪", "超高效液相色谱仪", "制备型高效液相色谱仪"],
        [
            ("agilent", "1260 Infinity II", "DE"),
            ("agilent", "1290 Infinity II", "DE"),
            ("waters", "ACQUITY UPLC H-Class PLUS"),
            ("waters", "Arc HPLC"),
            ("shimadzu", "Nexera LC-40"),
            ("thermo", "Vanquish Core", "DE"),
            ("elite", "P230II"),
        ],
        (15, 80),
        (80, 200),
        (80, 300),
        (4, 1, 5),
        ["配备二极管阵列与荧光检测器", "四元梯度泵，耐压 60 MPa", "自动进样器控温 4–40 ℃"],
        ["药物含量与有关物质测定", "中药指纹图谱", "食品添加剂检测", "氨基酸与糖类分析"],
        "药品、中药材、食品及化工样品",
        8,
    ),
    _instrument_type(
        "GC",
        "analytical",
        ["气相色谱仪"],
        [
            ("agilent", "8890", "CN"),
            ("agilent", "8860", "CN"),
            ("shimadzu", "GC-2030 Nexis"),
            ("thermo", "TRACE 1610", "IT"),
            ("fuli", "GC9790 Plus"),
        ],
        (10, 50),
        (60, 150),
        (60, 200),
        (4, 1, 5),
        ["配备 FID、ECD 与 FPD 检测器", "程序升温至 450 ℃", "配备自动液体进样器"],
        ["有机溶剂残留检测", "脂肪酸组成分析", "气体成分分析", "农药残留检测"],
        "食品、药品、石化及环境样品",
        5,
    ),
    _instrument_type(
        "AFS",
        "analytical",
        ["原子荧光光谱仪", "原子吸收光谱仪"],
        [
            ("haiguang", "AFS-8530"),
            ("jitian", "AFS-9700"),
            ("agilent", "240FS AA", "AU"),
            ("shimadzu", "AA-7000"),
            ("pe", "PinAAcle 900T", "SG"),
            ("thermo", "iCE 3500", "GB"),
        ],
        (10, 60),
        (60, 150),
        (50, 150),
        (2, 0, 8),
        ["火焰与石墨炉双原子化器", "砷、汞、硒、锑等元素检出限 < 0.01 μg/L", "配备自动进样器"],
        ["砷、汞、硒等元素测定", "重金属检测", "食品与中药材有害元素检测"],
        "食品、中药材、土壤及水样",
        4,
    ),
    _instrument_type(
        "SEQ",
        "analytical",
        ["高通量测序仪", "基因测序仪"],
        [
            ("mgi", "DNBSEQ-T7"),
            ("mgi", "DNBSEQ-G400"),
            ("mgi", "MGISEQ-2000"),
            ("illumina", "NovaSeq 6000"),
            ("illumina", "NextSeq 2000"),
            ("thermo", "Ion GeneStudio S5"),
        ],
        (100, 800),
        None,
        (600, 2000),
        (0, 0, 1),
        ["单次运行数据产出 6 Tb", "读长 PE150", "Q30 ≥ 85%"],
        ["全基因组重测序", "转录组测序", "宏基因组测序", "扩增子测序"],
        "动植物、微生物及临床科研样本",
        3,
    ),
    _instrument_type(
        "PCR",
        "analytical",
        ["实时荧光定量PCR仪", "数字PCR系统"],
        [
            ("biorad", "CFX96 Touch", "SG"),
            ("biorad", "CFX Opus 384", "SG"),
            ("thermo", "QuantStudio 5", "SG"),
            ("thermo", "QuantStudio 7 Pro", "SG"),
            ("roche", "LightCycler 480 II"),
            ("tianlong", "Gentier 96E"),
        ],
        (15, 60),
        (50, 120),
        (50, 150),
        (6, 2, 2),
        ["96 孔/384 孔模块可选", "5 色荧光通道", "温度均一性 ±0.1 ℃"],
        ["基因表达定量", "病原微生物检测", "SNP 分型", "转基因成分检测"],
        "核酸样品、动植物组织及食品",
        5,
    ),
    _instrument_type(
        "IVIS",
        "medical_research",
        ["小动物活体成像系统"],
        [
            ("pe", "IVIS Spectrum"),
            ("pe", "IVIS Lumina III"),
            ("bruker", "In-Vivo Xtreme", "US"),
        ],
        (100, 300),
        (200, 400),
        (150, 300),
        (7, 2, 1),
        ["生物发光与荧光双模式成像", "三维断层重建", "视野 4–23 cm 可调"],
        ["肿瘤生长与转移监测", "药物体内分布", "感染模型示踪"],
        "小鼠、大鼠等实验动物",
        3,
    ),
    _instrument_type(
        "PATCH",
        "medical_research",
        ["膜片钳系统", "全自动膜片钳系统"],
        [
            ("md", "Axopatch 200B / Digidata 1550B"),
            ("heka", "EPC 10 USB"),
        ],
        (60, 150),
        (100, 200),
        None,
        (0, 1, 0),
        ["噪声 < 0.1 pA RMS", "配备红外微分干涉显微镜", "配备灌流给药系统"],
        ["离子通道电流记录", "脑片电生理", "药物对离子通道作用评价"],
        "原代神经元、心肌细胞、脑片及表达细胞系",
        2,
    ),
    _instrument_type(
        "HCS",
        "medical_research",
        ["高内涵成像分析系统"],
        [
            ("pe", "Operetta CLS", "DE"),
            ("pe", "Opera Phenix Plus", "DE"),
            ("md", "ImageXpress Micro Confocal"),
            ("thermo", "CellInsight CX7 LZR"),
        ],
        (200, 500),
        (200, 400),
        (300, 600),
        (6, 2, 2),
        ["转盘共聚焦与宽场双模式", "支持 6–1536 孔板", "配备活细胞温控与 CO₂ 模块"],
        ["药物高通量筛选", "细胞表型定量分析", "细胞迁移与增殖分析"],
        "细胞板、类器官及组织切片",
        2,
    ),
    _instrument_type(
        "MRI",
        "medical_research",
        ["7T小动物磁共振成像系统", "9.4T小动物磁共振成像系统", "低场核磁共振成像分析仪"],
        [
            ("bruker", "BioSpec 70/20 USR"),
            ("bruker", "BioSpec 94/30 USR"),
            ("niumag", "MesoMR23-060H-I"),
        ],
        (150, 2000),
        (500, 1500),
        (500, 1500),
        (6, 1, 3),
        ["梯度场强 660 mT/m", "配备小鼠脑部与体部线圈", "支持功能成像与波谱成像"],
        ["脑结构与功能成像", "肿瘤模型成像", "心脏功能评价", "岩心孔隙结构分析"],
        "实验动物、岩心及食品样品",
        2,
    ),
    _instrument_type(
        "LSC",
        "nuclear",
        ["液体闪烁计数器", "高纯锗γ能谱仪", "低本底α/β测量仪"],
        [
            ("pe", "Tri-Carb 4910TR"),
            ("hitachi", "AccuFLEX LSC-8000"),
            ("ortec", "GEM-C5970"),
            ("mirion", "BE5030"),
        ],
        (50, 150),
        (80, 200),
        (30, 800),
        (3, 1, 6),
        ["能量分辨率 1.8 keV（1332 keV）", "本底计数 < 1 cpm", "配备铅屏蔽室"],
        ["放射性核素识别与活度测定", "氚与碳-14 测量", "环境样品放射性检测", "建材放射性检测"],
        "环境、食品、建材及生物样品",
        2,
    ),
    _instrument_type(
        "CMM",
        "metrology",
        ["三坐标测量机", "激光干涉仪", "激光跟踪仪"],
        [
            ("hexagon", "GLOBAL S 9.15.8", "CN"),
            ("zeiss", "CONTURA"),
            ("zeiss", "PRISMO"),
            ("mitutoyo", "CRYSTA-Apex V"),
            ("renishaw", "XL-80"),
            ("keysight", "5530"),
        ],
        (50, 300),
        (150, 400),
        (200, 1000),
        (5, 1, 4),
        ["测量不确定度 1.5 + L/350 μm", "配备主动扫描测头", "测量空间 900 × 1500 × 800 mm"],
        ["几何尺寸与形位公差测量", "机床定位精度校准", "逆向工程扫描", "首件检验"],
        "机械零部件、模具及大型装备",
        4,
    ),
    _instrument_type(
        "VNA",
        "electronic_measurement",
        ["矢量网络分析仪", "信号与频谱分析仪", "高带宽数字示波器"],
        [
            ("keysight", "N5247B PNA-X"),
            ("keysight", "E5080B"),
            ("keysight", "N9042B UXA"),
            ("rs", "ZNA43"),
            ("rs", "FSW43"),
            ("ceyear", "3672C"),
            ("tek", "MSO68B"),
            ("siglent", "SDS7404A"),
        ],
        (30, 300),
        (100, 400),
        (200, 600),
        (6, 3, 1),
        ["频率范围 10 MHz–67 GHz", "动态范围 > 130 dB", "实时分析带宽 1 GHz"],
        ["S 参数测试", "天线与射频器件测试", "杂散与相位噪声测量", "高速信号完整性分析"],
        "射频器件、天线、通信模块及电路板",
        4,
    ),
    _instrument_type(
        "LASER",
        "laser",
        ["飞秒激光放大系统", "钛宝石飞秒激光器", "皮秒激光器", "光纤激光器"],
        [
            ("coherent", "Astrella"),
            ("coherent", "Chameleon Ultra II"),
            ("sp", "Solstice Ace"),
            ("sp", "Mai Tai HP"),
            ("trumpf", "TruMicro 5000"),
            ("raycus", "RFL-C3000"),
        ],
        (60, 400),
        (200, 600),
        None,
        (0, 1, 0),
        ["脉冲宽度 < 35 fs", "单脉冲能量 7 mJ", "重复频率 1 kHz", "输出功率 3 kW 连续"],
        ["超快光谱测量", "飞秒激光微加工", "非线性光学实验", "激光熔覆与焊接工艺试验"],
        "光学材料、半导体及金属加工",
        2,
    ),
    _instrument_type(
        "CT",
        "special_testing",
        ["工业计算机断层扫描系统（工业CT）", "X射线三维显微镜", "相控阵超声检测仪"],
        [
            ("yxlon", "FF35 CT"),
            ("zeiss", "Xradia 620 Versa", "US"),
            ("bruker", "SkyScan 1272", "BE"),
            ("sanying", "nanoVoxel-3000"),
            ("olympus", "OmniScan X3", "CA"),
            ("cts", "CTS-PA332"),
        ],
        (30, 600),
        (200, 700),
        (300, 1000),
        (5, 1, 4),
        ["空间分辨率 0.5 μm", "最大样品尺寸 Φ300 × 600 mm", "管电压 225 kV"],
        ["内部缺陷无损检测", "孔隙率分析", "三维尺寸测量", "焊缝超声检测"],
        "铸件、复合材料、电子元器件及岩心",
        3,
    ),
    _instrument_type(
        "GPR",
        "earth_exploration",
        ["探地雷达", "高精度重力仪", "宽频带地震仪"],
        [
            ("mala", "ProEx"),
            ("gssi", "SIR 4000"),
            ("scintrex", "CG-6"),
            ("guralp", "CMG-3T"),
        ],
        (30, 150),
        (150, 400),
        None,
        (0, 1, 0),
        ["天线中心频率 100–800 MHz", "重力读数分辨率 0.1 μGal", "频带 120 s–50 Hz"],
        ["浅层地质结构探测", "隧道与边坡隐患探测", "重力测量", "地震监测"],
        "工程勘察、地质灾害调查及矿产勘查",
        2,
    ),
    _instrument_type(
        "LIDAR",
        "atmospheric",
        ["气溶胶激光雷达", "地基微波辐射计", "涡度相关通量观测系统"],
        [
            ("aiof", "AGHJ-I-LIDAR"),
            ("rpg", "RPG-HATPRO-G5"),
            ("campbell", "IRGASON / CR3000"),
            ("licor", "LI-7500DS"),
        ],
        (20, 200),
        (150, 400),
        (500, 2000),
        (4, 2, 4),
        ["探测距离 0.1–15 km", "温湿廓线反演高度 10 km", "采样频率 10 Hz"],
        ["气溶胶垂直分布观测", "大气温湿廓线观测", "碳水通量观测"],
        "大气环境、生态系统观测站及森林样地",
        2,
    ),
    _instrument_type(
        "ADCP",
        "marine",
        ["声学多普勒流速剖面仪", "多参数水质分析仪"],
        [
            ("trdi", "RiverPro 1200"),
            ("ysi", "EXO2"),
        ],
        (15, 100),
        (100, 300),
        (200, 600),
        (4, 3, 3),
        ["流速测量范围 ±20 m/s", "可同时测定温度、pH、溶解氧、浊度、叶绿素", "防护等级 IP68"],
        ["河流与湖泊流量测验", "高原湖泊水质监测", "水体分层观测"],
        "河流、湖泊及水库",
        1,
    ),
    _instrument_type(
        "TEL",
        "astronomical",
        ["1米光学望远镜", "太阳磁场望远镜", "科学级CCD相机"],
        [
            ("niaot", "1m RC"),
            ("niaot", "SMFT-35"),
            ("andor", "iKon-XL 231"),
        ],
        (80, 1500),
        (300, 800),
        None,
        (0, 1, 0),
        ["口径 1 m，焦比 f/8", "配备 4k × 4k 制冷 CCD", "跟踪精度 1″/10 min"],
        ["变星与系外行星测光", "太阳磁场观测", "天文图像采集"],
        "天文观测与科普教学",
        1,
    ),
    _instrument_type(
        "AM",
        "process_experiment",
        [
            "金属激光选区熔化增材制造系统",
            "放电等离子烧结系统",
            "磁控溅射镀膜系统",
            "原子层沉积系统",
            "发酵中试系统",
        ],
        [
            ("blt", "BLT-S310"),
            ("blt", "BLT-S450"),
            ("eos", "M 290"),
            ("fuji", "SPS-625"),
            ("sky", "JGP-450"),
            ("beneq", "TFS 200"),
            ("baoxing", "BIOTECH-50JS"),
        ],
        (50, 600),
        (300, 900),
        (500, 3000),
        (3, 6, 1),
        ["成形尺寸 250 × 250 × 400 mm", "最高烧结温度 2200 ℃", "本底真空 5 × 10⁻⁵ Pa", "罐体 50 L"],
        ["金属零件增材制造", "粉末快速烧结", "功能薄膜制备", "微生物发酵工艺放大"],
        "钛合金、高温合金、陶瓷粉末及发酵菌种",
        3,
    ),
    _instrument_type(
        "PSA",
        "physical_property",
        [
            "激光粒度分析仪",
            "比表面积及孔隙度分析仪",
            "电子万能试验机",
            "旋转流变仪",
            "综合物性测量系统",
        ],
        [
            ("malvern", "Mastersizer 3000"),
            ("sympatec", "HELOS"),
            ("bettersize", "Bettersize 2600"),
            ("micromeritics", "ASAP 2460"),
            ("jwgb", "JW-BK200"),
            ("instron", "5967"),
            ("shimadzu", "AGX-V 100kN"),
            ("mts", "CMT5105"),
            ("antonpaar", "MCR 302e"),
            ("qd", "PPMS DynaCool"),
        ],
        (15, 500),
        (80, 300),
        (60, 400),
        (4, 2, 4),
        ["测量范围 0.01–3500 μm", "比表面积下限 0.0005 m²/g", "最大载荷 100 kN", "温度 1.8–400 K"],
        [
            "粒度分布测定",
            "比表面积与孔径分布",
            "拉伸、压缩、弯曲试验",
            "流变性能测定",
            "磁学与电学输运测量",
        ],
        "粉体、多孔材料、金属与高分子材料",
        7,
    ),
    _instrument_type(
        "CLIM",
        "other",
        ["步入式人工气候室", "高通量植物表型成像系统", "便携式光合作用测定仪"],
        [
            ("conviron", "BDW40"),
            ("lemnatec", "Scanalyzer 3D"),
            ("licor", "LI-6800"),
        ],
        (30, 700),
        (40, 400),
        (50, 300),
        (4, 5, 1),
        ["温度 4–45 ℃，湿度 40–90%", "光照强度 0–1500 μmol·m⁻²·s⁻¹", "可见光、荧光与高光谱成像"],
        ["植物培养与逆境胁迫试验", "植物表型高通量采集", "光合速率测定"],
        "作物、花卉、茶树及林木",
        3,
    ),
    _instrument_type(
        "EPMA",
        "analytical",
        ["电子探针显微分析仪", "聚焦离子束-扫描电子显微镜双束系统"],
        [
            ("jeol", "JXA-iHP200F"),
            ("shimadzu", "EPMA-1720HT"),
            ("thermo", "Helios 5 UX", "CZ"),
            ("zeiss", "Crossbeam 550"),
            ("tescan", "AMBER X"),
        ],
        (400, 1500),
        (500, 1200),
        (400, 1200),
        (5, 1, 4),
        ["配备 5 道波谱仪", "束流稳定度 ±0.3%/h", "镓离子束分辨率 2.5 nm"],
        ["微区元素定量分析", "矿物成分面分布", "TEM 样品制备", "截面加工与三维重构"],
        "地质矿物、金属材料及半导体器件",
        2,
    ),
    _instrument_type(
        "XRF",
        "analytical",
        ["X射线荧光光谱仪", "元素分析仪", "稳定同位素比质谱仪"],
        [
            ("bruker", "S8 TIGER"),
            ("rigaku", "ZSX Primus IV"),
            ("malvern", "Zetium", "NL"),
            ("skyray", "EDX 3600H"),
            ("elementar", "vario EL cube"),
            ("thermo", "253 Plus", "DE"),
        ],
        (30, 400),
        (100, 300),
        (80, 500),
        (3, 1, 6),
        ["元素范围 Be–U", "检出限 ppm 级", "C、H、N、S 同时测定", "δ¹³C 精度 ±0.06‰"],
        ["主次量元素快速测定", "有机元素含量测定", "稳定同位素溯源分析", "矿石品位分析"],
        "矿石、合金、土壤、植物及食品",
        4,
    ),
    _instrument_type(
        "AAA",
        "analytical",
        ["氨基酸分析仪"],
        [("hitachi", "LA8080"), ("sykam", "S433D")],
        (40, 80),
        None,
        (150, 400),
        (0, 0, 1),
        ["茚三酮柱后衍生", "分析时间 < 30 min", "检出限 3 pmol"],
        ["水解氨基酸分析", "游离氨基酸分析", "蛋白质营养评价"],
        "食品、饲料、茶叶及生物样品",
        2,
    ),
]

OPENING_PATTERNS = [
    # weight, [(weekdays, [(start, end), ...]), ...]
    (30, [(range(5), [("08:30", "12:00"), ("14:00", "17:30")])]),
    (15, [(range(5), [("09:00", "12:00"), ("13:30", "17:30")])]),
    (12, [(range(5), [("08:00", "12:00"), ("14:30", "18:00")])]),
    (10, [(range(6), [("08:30", "12:00"), ("14:00", "17:30")])]),
    (
        8,
        [
            (range(5), [("08:30", "12:00"), ("14:00", "17:30")]),
            ([5], [("09:00", "12:00")]),
        ],
    ),
    (6, [(range(5), [("08:30", "12:00"), ("14:00", "17:30"), ("19:00", "22:00")])]),
    (5, [(range(7), [("08:00", "22:00")])]),
    (5, [([1, 3], [("09:00", "12:00"), ("14:00", "17:00")])]),
    (4, [(range(7), [("09:00", "12:00"), ("13:00", "21:00")])]),
    (5, [(range(5), [("08:00", "11:30"), ("13:00", "16:30")])]),
]
REFUND_POLICIES = [
    (30, [(48, 100), (24, 50), (0, 0)]),
    (20, [(24, 100), (0, 50)]),
    (15, [(72, 100), (24, 50)]),
    (10, []),
    (10, [(12, 100)]),
    (8, [(168, 100), (48, 80), (24, 50), (0, 0)]),
    (7, [(24, 100), (2, 30)]),
]

# --- Incubators ------------------------------------------------------------------------------
INCUBATOR_TYPES = {
    # type: (weight, code, name templates, floor area range m², workstation range)
    "maker_space": (
        30,
        "MS",
        ["{place}{industry}众创空间", "{place}创客空间", "{place}{industry}创新工场"],
        (500, 6000),
        (30, 300),
    ),
    "incubator": (
        25,
        "INC",
        ["{place}{industry}科技企业孵化器", "{place}{industry}孵化器"],
        (3000, 40000),
        (80, 600),
    ),
    "accelerator": (
        8,
        "ACC",
        ["{place}{industry}产业加速器", "{place}{industry}加速器"],
        (8000, 80000),
        (50, 400),
    ),
    "science_park": (
        7,
        "SP",
        ["{place}{industry}科技园", "{place}高新技术创业园"],
        (20000, 300000),
        (200, 1500),
    ),
    "demo_base": (8, "DB", ["{place}{industry}双创示范基地"], (5000, 100000), (100, 800)),
    "campus_platform": (
        12,
        "CP",
        ["{owner}大学生创新创业园", "{owner}创客空间", "{owner}众创平台"],
        (500, 8000),
        (40, 400),
    ),
    "small_business_base": (
        10,
        "SB",
        ["{place}{industry}小微企业双创基地", "{place}小微企业创业园"],
        (5000, 60000),
        (80, 600),
    ),
}
INCUBATOR_LEVELS = [("national", 12), ("provincial", 35), ("prefectural", 33), ("other", 20)]
INCUBATOR_SERVICES = [
    "创业导师一对一辅导",
    "项目路演与赛事培育",
    "知识产权代理",
    "工商财税代办",
    "投融资对接",
    "政策申报辅导",
    "法律咨询",
    "人才招聘与培训",
    "检测分析费用减免",
    "中试场地租赁",
    "共享会议室与路演厅",
    "云服务资源补贴",
    "跨境贸易服务",
    "电商直播间",
    "品牌设计与营销推广",
    "科技成果转化对接",
    "高新技术企业认定辅导",
    "人才公寓",
    "标准厂房租赁",
    "大学生创业培训",
    "农业技术推广培训",
    "数据合规咨询",
    "质量检测对接",
    "仪器设备共享",
]

# --- Technologies ----------------------------------------------------------------------------
INV, UM, DP, SW, PV, KH = (
    "invention_patent",
    "utility_model",
    "design_patent",
    "software_copyright",
    "plant_variety",
    "know_how",
)
# field: [(subjects, [(method, ip types)])]; a title is a subject plus a method of its group.
TECH_FIELDS = {
    "生物医药": [
        (
            [
                "三七",
                "天麻",
                "灯盏花",
                "滇重楼",
                "铁皮石斛",
                "滇龙胆",
                "云木香",
                "砂仁",
                "草果",
                "玛咖",
            ],
            [
                ("总皂苷提取纯化工艺", [INV, KH]),
                ("组织培养快繁技术", [INV, KH]),
                ("有效成分含量测定方法", [INV]),
                ("标准化种植技术规程", [KH, INV]),
                ("深加工产品及其制备方法", [INV]),
                ("指纹图谱质量控制方法", [INV]),
                ("连作障碍土壤修复技术", [INV]),
            ],
        ),
        (
            ["傣药", "彝药", "藏药", "白族药"],
            [
                ("经典名方制剂制备工艺", [INV]),
                ("药材质量标准研究", [KH]),
                ("药效物质筛选方法", [INV]),
            ],
        ),
    ],
    "新材料": [
        (
            ["高纯锗", "高纯铟", "高纯碲", "工业硅"],
            [
                ("真空提纯技术", [INV, KH]),
                ("区域熔炼提纯装置", [UM, INV]),
                ("单晶生长热场保温结构", [UM]),
                ("痕量杂质检测方法", [INV]),
            ],
        ),
        (
            ["铂族金属催化剂", "废汽车尾气催化剂", "银基电接触材料", "锡基合金焊料"],
            [("制备方法", [INV]), ("高效回收利用技术", [INV]), ("连续化生产装置", [UM, INV])],
        ),
        (
            ["钛合金粉末", "磷酸铁锂正极材料", "石墨烯导热膜", "核桃壳基硬碳负极材料"],
            [("制备方法", [INV]), ("表面改性工艺", [INV]), ("连续化生产装置", [UM])],
        ),
    ],
    "绿色能源": [
        (
            ["高原山地光伏电站", "小水电站", "风电场", "储能电站"],
            [
                ("智能运维平台", [SW]),
                ("在线监测装置", [UM, INV]),
                ("功率预测方法", [INV]),
                ("集控调度系统", [SW]),
            ],
        ),
        (
            ["退役动力电池", "磷酸铁锂电池", "钠离子电池"],
            [("梯次利用技术", [INV]), ("健康状态评估方法", [INV]), ("正极材料直接再生技术", [INV])],
        ),
        (
            ["生物质", "农林废弃物", "绿氢"],
            [("气化发电技术", [INV, KH]), ("高效制备工艺", [INV]), ("储运安全监测装置", [UM])],
        ),
    ],
    "高原特色农业": [
        (
            [
                "马铃薯",
                "核桃",
                "蓝莓",
                "柑橘",
                "澳洲坚果",
                "食用菌",
                "高原粳稻",
                "甘蔗",
                "芒果",
                "蔬菜",
            ],
            [
                ("脱毒种苗繁育技术", [INV, KH]),
                ("绿色高效栽培技术", [KH, INV]),
                ("病虫害绿色防控技术", [INV]),
                ("采后保鲜与精深加工技术", [INV]),
                ("水肥一体化智能灌溉系统", [UM, SW]),
                ("品质无损检测装置", [UM]),
                ("包装礼盒", [DP]),
            ],
        ),
        (["高原粳稻", "马铃薯", "玉米", "荞麦"], [("新品种", [PV])]),
    ],
    "咖啡": [
        (
            ["小粒咖啡", "精品咖啡", "咖啡果皮"],
            [
                ("湿法加工发酵控制方法", [INV]),
                ("烘焙曲线智能控制系统", [SW, UM]),
                ("脱壳分级装置", [UM]),
                ("功能饮品及其制备方法", [INV]),
                ("包装罐", [DP]),
            ],
        ),
    ],
    "普洱茶": [
        (
            ["普洱茶", "滇红茶", "古树茶", "茶园"],
            [
                ("渥堆发酵控制工艺", [INV, KH]),
                ("病虫害智能监测终端", [DP, UM]),
                ("品质分级与溯源系统", [SW]),
                ("茶膏速溶制备方法", [INV]),
            ],
        ),
    ],
    "花卉": [
        (
            ["切花月季", "非洲菊", "百合", "兰花", "绣球", "多肉植物"],
            [
                ("新品种", [PV]),
                ("组培快繁技术", [INV, KH]),
                ("采后保鲜剂及冷链保鲜技术", [INV]),
                ("设施栽培环境智能控制系统", [SW, UM]),
            ],
        ),
    ],
    "烟草": [
        (
            ["烤烟", "烟叶", "雪茄烟叶"],
            [
                ("密集烘烤智能温湿度控制装置", [UM]),
                ("成熟度无人机多光谱判别方法", [INV]),
                ("病害绿色防控技术", [INV]),
                ("醇化发酵工艺", [INV, KH]),
            ],
        ),
    ],
    "数字经济": [
        (
            [
                "农产品质量安全",
                "边境口岸跨境物流",
                "智慧文旅",
                "高原湖泊水环境",
                "少数民族语言文字",
                "基层医疗",
                "乡村治理",
            ],
            [
                ("区块链溯源系统", [SW]),
                ("数据交换平台", [SW]),
                ("大数据分析平台", [SW]),
                ("智能识别引擎", [SW, INV]),
                ("监测预警系统", [SW]),
                ("移动服务小程序", [SW]),
            ],
        ),
    ],
    "生物多样性保护": [
        (
            ["亚洲象", "滇金丝猴", "绿孔雀", "外来入侵物种"],
            [
                ("活动监测预警系统", [SW]),
                ("红外相机图像智能识别方法", [INV, SW]),
                ("栖息地适宜性评价方法", [INV]),
            ],
        ),
        (
            ["极小种群野生植物", "高原湖泊沉水植被", "珍稀兰科植物", "滇西北高山植被"],
            [
                ("种质资源超低温保存技术", [INV]),
                ("生态修复技术", [INV, KH]),
                ("人工繁育与回归技术", [KH, INV]),
            ],
        ),
    ],
    "先进装备制造": [
        (
            ["高原型电力装备", "矿山机械", "铁路养护机械", "工程机械"],
            [
                ("减振结构", [UM]),
                ("故障诊断方法", [INV]),
                ("关键部件制造工艺", [INV, KH]),
                ("远程运维系统", [SW]),
            ],
        ),
        (
            ["数控机床", "工业机器人", "植保无人机", "智能分拣设备"],
            [
                ("智能控制系统", [SW, INV]),
                ("视觉定位方法", [INV]),
                ("外壳", [DP]),
                ("末端执行器", [UM]),
            ],
        ),
    ],
    "节能环保": [
        (
            ["磷石膏", "赤泥", "冶炼废渣", "废旧锂电池"],
            [
                ("资源化利用技术", [INV]),
                ("重金属稳定化处理方法", [INV]),
                ("建材化利用工艺", [INV, KH]),
            ],
        ),
        (
            ["冶炼烟气", "燃煤锅炉烟气", "工业窑炉烟气"],
            [("协同脱硫脱硝技术", [INV]), ("余热回收装置", [UM]), ("在线监测系统", [SW])],
        ),
        (
            ["农村生活污水", "高原湖泊入湖河道", "养殖废水"],
            [("一体化生态处理装置", [UM]), ("人工湿地净化技术", [INV, KH]), ("智能监控平台", [SW])],
        ),
    ],
    "绿色食品": [
        (
            ["鲜花饼", "野生菌", "宣威火腿", "蜂蜜", "米线", "核桃乳"],
            [
                ("工业化生产工艺", [INV, KH]),
                ("保鲜技术", [INV]),
                ("风味物质检测方法", [INV]),
                ("品质分级装置", [UM]),
                ("包装盒", [DP]),
            ],
        ),
    ],
}
TECH_FIELD_WEIGHTS = {
    "生物医药": 14,
    "新材料": 13,
    "绿色能源": 10,
    "高原特色农业": 14,
    "咖啡": 4,
    "普洱茶": 4,
    "花卉": 5,
    "烟草": 4,
    "数字经济": 12,
    "生物多样性保护": 5,
    "先进装备制造": 7,
    "节能环保": 6,
    "绿色食品": 5,
}
CULTIVAR_HEADS = "滇云彩红金雪春玉紫霞"
CULTIVAR_TAILS = "霞韵玉星香秀丹雪月晖"
TECH_PROBLEMS = [
    "现有工艺能耗高、收率低",
    "传统方法依赖人工经验、质量不稳定",
    "高原山区条件复杂、现有技术适应性差",
    "进口设备价格昂贵、维护困难",
    "产品附加值低、产业链短",
    "环境污染重、资源浪费大",
]
TECH_GAINS = [
    "收率提高 15% 以上，生产成本降低约 20%",
    "关键指标达到国内领先水平",
    "已在省内 3 家企业完成中试验证",
    "操作简便、易于推广，适合中小企业应用",
    "能耗降低 30%，废弃物实现资源化利用",
    "检测时间由 2 天缩短至 2 小时",
]
TRANSFER_MODES = ["transfer", "license", "equity", "joint_development"]
TRL_WEIGHTS = [2, 3, 6, 10, 14, 16, 16, 9, 5]  # TRL 1..9


# --- Small helpers ---------------------------------------------------------------------------


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _pick(rng: random.Random, items: Sequence, cum_weights: Sequence[float]):
    return rng.choices(items, cum_weights=cum_weights)[0]


# random.Random's choice/randint are exact but slow; these draw from one random() each, which
# is plenty for test data and keeps 100,000 listings to a few seconds.
def _one(rng: random.Random, items: Sequence):
    return items[int(rng.random() * len(items))]


def _between(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high], both included."""
    return low + int(rng.random() * (high - low + 1))


def _below(rng: random.Random, start: int, stop: int | None = None) -> int:
    """An integer in [start, stop), or in [0, start) with one argument."""
    if stop is None:
        start, stop = 0, start
    return start + int(rng.random() * (stop - start))


def _money(amount: float) -> str:
    return f"{amount:.2f}"


def _round_to(value: float, step: int) -> int:
    return max(step, int(round(value / step)) * step)


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _person(rng: random.Random) -> str:
    given = _one(rng, GIVEN_CHARS)
    if rng.random() < 0.7:
        given += _one(rng, GIVEN_CHARS)
    return _one(rng, SURNAMES) + given


def _day(rng: random.Random, first: date, last: date) -> str:
    return (first + timedelta(days=_below(rng, (last - first).days + 1))).isoformat()


def _phone(rng: random.Random, area: str) -> str:
    if rng.random() < 0.2:
        return _one(rng, ["139", "138", "158", "187", "189", "151"]) + f"{_below(rng, 10**8):08d}"
    digits = 8 if area == "0871" else 7
    return f"{area}-{_below(rng, 2, 10)}{_below(rng, 10 ** (digits - 1)):0{digits - 1}d}"


def _organization_code(rng: random.Random) -> str:
    """A 9-character organisation code with its GB 11714 check character."""
    body = f"{_below(rng, 10**8):08d}"
    total = sum(int(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def _credit_code(rng: random.Random, kind: str, division: str) -> str:
    if CREDIT_PREFIX[kind] == "91":
        tail = "MA" + "".join(_one(rng, CREDIT_CODE_ALPHABET) for _ in range(7))
    else:
        tail = _organization_code(rng)
    first17 = CREDIT_PREFIX[kind] + division + tail
    return first17 + credit_code_check_char(first17)


def _patent_number(rng: random.Random, year: int, kind_digit: int, granted: bool) -> str:
    """A CN application number (year + type + 7-digit serial) with its check digit."""
    digits = f"{year}{kind_digit}{_below(rng, 10**7):07d}"
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
    check = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    number = f"{digits}.{'X' if check == 10 else check}"
    return "ZL" + number if granted else number


# --- The generator ---------------------------------------------------------------------------


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
        self.codes: set[str] = set()
        self.regions = {r[0]: r for r in REGIONS}
        self.type_cum = _cumulative([t["weight"] for t in INSTRUMENT_TYPES])
        self.opening_cum = _cumulative([w for w, _ in OPENING_PATTERNS])
        self.refund_cum = _cumulative([w for w, _ in REFUND_POLICIES])
        self.trl_cum = _cumulative(TRL_WEIGHTS)
        self.fields = list(TECH_FIELDS)
        self.field_cum = _cumulative([TECH_FIELD_WEIGHTS[f] for f in self.fields])
        self.inc_types = list(INCUBATOR_TYPES)
        self.inc_type_cum = _cumulative([INCUBATOR_TYPES[t][0] for t in self.inc_types])
        self.level_cum = _cumulative([w for _, w in INCUBATOR_LEVELS])

    def _claim(self, code: str) -> str:
        if code in self.codes:
            raise AssertionError(f"duplicate generated code {code}")  # a bug, not bad input
        self.codes.add(code)
        return code

    # Institutions ----------------------------------------------------------------------------

    def institutions(self, count: int) -> list[dict]:
        rng = self.rng
        kinds = list(INSTITUTION_KINDS)
        kind_cum = _cumulative([INSTITUTION_KINDS[k][0] for k in kinds])
        # Kunming holds most institutions; every region gets some once there are 16 or more.
        region_weights = [40 if r[0] == "530100" else 4 for r in REGIONS]
        region_cum = _cumulative(region_weights)
        names: set[str] = set()
        credit_codes: set[str] = set()
        records = []
        for index in range(count):
            region = REGIONS[index] if index < len(REGIONS) and count >= len(REGIONS) else None
            region = region or _pick(rng, REGIONS, region_cum)
            kind = _pick(rng, kinds, kind_cum)
            region_code, region_name, short, area, _centre, counties, places = region
            for _attempt in range(20):
                if kind == "government" and rng.random() < 0.5:
                    place, place_code = region_name, places[0][1]
                else:
                    place, place_code = _one(rng, places)
                suffix, suffix_code = _one(rng, INSTITUTION_KINDS[kind][1])
                name = place + suffix
                if name not in names:
                    break
            else:
                name = f"{place}{suffix}（{_one(rng, counties)[0]}）"
            names.add(name)
            code = place_code + suffix_code
            if code in self.codes:
                code = next(
                    f"{code}{n}" for n in itertools.count(2) if f"{code}{n}" not in self.codes
                )
            self._claim(code)
            county, division = _one(rng, counties)
            if kind in ("university", "research_institute") and rng.random() < 0.3:
                division = "530000"  # registered with the province
            credit = _credit_code(rng, kind, division)
            while credit in credit_codes:
                credit = _credit_code(rng, kind, division)
            credit_codes.add(credit)
            domain = code.lower() + ".example"
            record = {
                "code": code,
                "name": name,
                "type": kind,
                "region": region_code,
                "credit_code": credit,
                "address": f"{region_name}{county}{_one(rng, STREETS)} {_below(rng, 1, 999)} 号",
            }
            if rng.random() < 0.6:
                record["website"] = f"https://www.{domain}/"
            record["description"] = f"{name}位于{region_name}{county}，{INSTITUTION_BLURBS[kind]}"
            record["contact_name"] = _person(rng)
            record["contact_email"] = (
                f"{_one(rng, ['kjc', 'service', 'office', 'yqgx', 'hello'])}@{domain}"
            )
            record["contact_phone"] = _phone(rng, area)
            records.append(record)
        return records

    def _owners(
        self, institutions: list[dict], preferred: dict[str, float], count: int
    ) -> list[dict]:
        """`count` owners drawn with a long tail: a few institutions own many listings."""
        rng = self.rng
        weights = []
        for rank, inst in enumerate(institutions, start=1):
            weights.append(preferred.get(inst["type"], 0.05) / rank**0.6)
        order = list(range(len(institutions)))
        rng.shuffle(order)  # rank by a shuffled order, so the big owners are not always first
        shuffled = [institutions[i] for i in order]
        return rng.choices(shuffled, cum_weights=_cumulative(weights), k=count)

    # Instruments ----------------------------------------------------------------------------

    def instruments(self, count: int, institutions: list[dict]) -> list[dict]:
        rng = self.rng
        owners = self._owners(
            institutions,
            {"university": 1.0, "research_institute": 1.0, "enterprise": 0.5, "government": 0.2},
            count,
        )
        counters: Counter = Counter()
        records = []
        for owner in owners:
            kind = _pick(rng, INSTRUMENT_TYPES, self.type_cum)
            region = self.regions[owner["region"]]
            counters[(owner["code"], kind["abbr"])] += 1
            code = self._claim(
                f"{owner['code']}-{kind['abbr']}-{counters[(owner['code'], kind['abbr'])]:02d}"
            )
            name = _one(rng, kind["names"])
            model = _one(rng, kind["models"])
            maker, country = MAKERS[model[0]]
            if len(model) > 2:
                country = model[2]
            value = _round_to(_log_uniform(rng, *kind["value"]) * 10000, 100)
            both, machine_only, sample_only = kind["modes"]
            roll = rng.uniform(0, both + machine_only + sample_only)
            if roll < both:
                modes = ["machine_time", "sample_testing"]
            elif roll < both + machine_only:
                modes = ["machine_time"]
            else:
                modes = ["sample_testing"]
            if "sample_testing" in modes and not kind["sample"]:
                modes = ["machine_time"]
            if "machine_time" in modes and not kind["hourly"]:
                modes = ["sample_testing"]
            specs = rng.sample(kind["specs"], min(len(kind["specs"]), _between(rng, 2, 3)))
            capabilities = rng.sample(
                kind["capabilities"], min(len(kind["capabilities"]), _between(rng, 2, 4))
            )
            record = {
                "code": code,
                "institution": owner["code"],
                "name": name,
                "category": kind["category"],
                "model": model[1],
                "manufacturer": maker,
                "origin_country": country,
                "original_value": _money(value),
                "commissioned_on": _day(rng, date(2008, 1, 1), date(2025, 10, 31)),
                "location": (
                    f"{_one(rng, region[5])[0]}{_one(rng, CAMPUS_PLACES)} "
                    f"{_one(rng, 'ABCDE')} 栋 {_between(rng, 1, 6)}{_between(rng, 1, 30):02d} 室"
                ),
                "description": (
                    f"{maker.split('（')[0]} {model[1]} {name}，{'；'.join(specs)}。"
                    f"适用于{kind['use']}的测试分析，{_one(rng, ['对校内外用户开放共享', '已纳入云南省大型科学仪器共享网', '提供操作培训与数据解读服务', '可承接企业委托检测'])}。"
                ),
                "capabilities": capabilities,
                "service_modes": modes,
                "pricing": self._pricing(kind, modes),
            }
            if "machine_time" in modes:
                record["booking"] = self._booking(kind)
            roll = rng.random()
            record["status"] = (
                "in_service" if roll < 0.92 else "under_maintenance" if roll < 0.98 else "retired"
            )
            record["contact_name"] = _person(rng)
            record["contact_email"] = owner["contact_email"]
            record["contact_phone"] = _phone(rng, region[3])
            self._publish(record)
            records.append(record)
        return records

    def _pricing(self, kind: dict, modes: list[str]) -> dict:
        rng = self.rng
        pricing: dict = {"currency": "CNY"}
        free = rng.random() < 0.02  # a few instruments are free (funded by a programme)
        for mode, key, rng_key, step in (
            ("machine_time", "hourly", "hourly", 10),
            ("sample_testing", "per_sample", "sample", 10),
        ):
            if mode not in modes or rng.random() < 0.06:  # absent: on request
                continue
            external = 0 if free else _round_to(rng.uniform(*kind[rng_key]), step)
            pricing[key] = _money(external)
            if rng.random() < 0.75:
                pricing[f"internal_{key}"] = _money(
                    0 if free else _round_to(external * rng.uniform(0.4, 0.7), step)
                )
        return pricing

    def _booking(self, kind: dict) -> dict:
        rng = self.rng
        if kind["abbr"] == "HPC":
            pattern = [(range(7), [("08:00", "22:00")])]
        else:
            pattern = _pick(rng, OPENING_PATTERNS, self.opening_cum)[1]
        intervals = [
            {"weekday": day, "start": start, "end": end}
            for days, spans in pattern
            for day in days
            for start, end in spans
        ]
        lengths = [
            (int(e[:2]) * 60 + int(e[3:])) - (int(s[:2]) * 60 + int(s[3:]))
            for _, spans in pattern
            for s, e in spans
        ]
        divisor = math.gcd(*lengths)
        slot = _one(rng, [s for s in (15, 30, 30, 60, 60) if divisor % s == 0])
        longest = max(lengths)
        high = min(longest, _one(rng, [120, 180, 240, 480, 840])) // slot * slot
        low = min(high, slot * _one(rng, [1, 2, 2, 4]))
        tiers = _pick(rng, REFUND_POLICIES, self.refund_cum)[1]
        return {
            "timezone": "Asia/Shanghai",
            "opening_hours": intervals,
            "slot_minutes": slot,
            "min_minutes": low,
            "max_minutes": high,
            "min_notice_hours": _one(rng, [0, 2, 12, 24, 24, 48, 72]),
            "max_advance_days": _one(rng, [7, 14, 30, 30, 60, 90]),
            "approval_required": rng.random() < 0.7,
            "training_required": rng.random() < 0.3,
            "refund_policy": [{"hours_before": h, "refund_percent": p} for h, p in tiers],
        }

    def _publish(self, record: dict) -> None:
        roll = self.rng.random()
        if roll < 0.95:
            record["published"] = True
        elif roll < 0.985:
            record["published"] = False
        # else: absent, which means draft

    # Incubators -----------------------------------------------------------------------------

    def incubators(self, count: int, institutions: list[dict]) -> list[dict]:
        rng = self.rng
        owners = self._owners(
            institutions,
            {
                "incubator_operator": 1.0,
                "university": 0.5,
                "government": 0.4,
                "research_institute": 0.2,
                "enterprise": 0.15,
                "other": 0.1,
            },
            count,
        )
        counters: Counter = Counter()
        records = []
        for owner in owners:
            kind = _pick(rng, self.inc_types, self.inc_type_cum)
            if kind == "campus_platform" and owner["type"] != "university":
                kind = "maker_space"
            _weight, type_code, templates, area_range, seats_range = INCUBATOR_TYPES[kind]
            if owner["type"] == "incubator_operator" and rng.random() < 0.3:
                region = _one(rng, REGIONS)  # operators run spaces across the province
            else:
                region = self.regions[owner["region"]]
            region_code, region_name, short, area_code, (lat, lng), counties, places = region
            county = _one(rng, counties)[0]
            industries = REGION_INDUSTRIES[region_code]
            focus = rng.sample(industries, _between(rng, 1, min(3, len(industries))))
            if rng.random() < 0.5:
                extra = _one(rng, GENERAL_INDUSTRIES)
                if extra not in focus:
                    focus.append(extra)
            local = county[:-1] if len(county) == 3 else short
            place = _one(rng, [p for p, _ in places] + [short, local])
            name = _one(rng, templates).format(place=place, industry=focus[0], owner=owner["name"])
            counters[(owner["code"], type_code)] += 1
            code = self._claim(
                f"{owner['code']}-{type_code}-{counters[(owner['code'], type_code)]:02d}"
            )
            seats = _between(rng, *seats_range)
            offices = _between(rng, 0, max(1, seats // 8))
            record = {
                "code": code,
                "institution": owner["code"],
                "name": name,
                "type": kind,
                "level": _pick(rng, [lv for lv, _ in INCUBATOR_LEVELS], self.level_cum),
                "region": region_code,
                "county": county,
                "address": (
                    f"{region_name}{county}{_one(rng, STREETS)} {_below(rng, 1, 999)} 号"
                    f"{_one(rng, ['创新大厦 ', '科技楼 ', '孵化大楼 ', 'A 座 ', '综合楼 '])}"
                    f"{_between(rng, 1, 5)}–{_between(rng, 6, 12)} 层"
                ),
                "lat": round(min(max(lat + rng.gauss(0, 0.12), LAT_RANGE[0]), LAT_RANGE[1]), 4),
                "lng": round(min(max(lng + rng.gauss(0, 0.12), LNG_RANGE[0]), LNG_RANGE[1]), 4),
            }
            if owner["type"] == "incubator_operator":
                record["operator"] = owner["name"]
            record.update(
                {
                    "established_on": _day(rng, date(2010, 1, 1), date(2025, 6, 30)),
                    "floor_area_m2": _round_to(_log_uniform(rng, *area_range), 10),
                    "workstations_total": seats,
                    "workstations_vacant": _between(rng, 0, int(seats * 0.4)),
                    "offices_total": offices,
                    "offices_vacant": _between(rng, 0, offices // 3),
                    "incubated_companies": _between(rng, 5, max(6, seats // 3)),
                    "services": rng.sample(INCUBATOR_SERVICES, _between(rng, 3, 6)),
                    "focus_industries": focus,
                    "description": (
                        f"位于{region_name}{county}，面向{'、'.join(focus)}领域的创业团队和科技型中小企业，"
                        f"提供{_one(rng, ['低成本办公空间', '共享工位与独立办公室', '标准厂房与中试场地'])}和"
                        f"{_one(rng, ['创业辅导、投融资对接等服务', '政策申报、知识产权等专业服务', '检测分析、技术转移等科技服务'])}。"
                    ),
                    "contact_name": _person(rng),
                    "contact_email": owner["contact_email"],
                    "contact_phone": _phone(rng, area_code),
                }
            )
            if rng.random() < 0.3:
                record["website"] = f"https://{code.lower()}.{owner['code'].lower()}.example/"
            self._publish(record)
            records.append(record)
        return records

    # Technologies ---------------------------------------------------------------------------

    def technologies(self, count: int, institutions: list[dict]) -> list[dict]:
        rng = self.rng
        owners = self._owners(
            institutions,
            {"university": 1.0, "research_institute": 1.0, "enterprise": 0.4, "other": 0.05},
            count,
        )
        counters: Counter = Counter()
        records = []
        for owner in owners:
            field = _pick(rng, self.fields, self.field_cum)
            subjects, methods = _one(rng, TECH_FIELDS[field])
            subject = _one(rng, subjects)
            method, ip_types = _one(rng, methods)
            ip_type = _one(rng, ip_types)
            if ip_type == "plant_variety":
                cultivar = _one(rng, CULTIVAR_HEADS) + _one(rng, CULTIVAR_TAILS)
                title = f"{subject}新品种“{cultivar}{_one(rng, ['', '1号', '2号', '3号'])}”"
            elif ip_type == "software_copyright":
                title = f"{subject}{method}V{_between(rng, 1, 4)}.{_between(rng, 0, 5)}"
            else:
                title = subject + method
            trl = _pick(rng, range(1, 10), self.trl_cum)
            status, numbers = self._ip(ip_type, trl)
            modes = [m for m in TRANSFER_MODES if rng.random() < 0.4] or [_one(rng, TRANSFER_MODES)]
            if rng.random() < 0.3:
                price = None  # 面议
            else:
                scale = {"invention_patent": 1.0, "plant_variety": 0.8, "know_how": 0.8}
                base = _log_uniform(rng, 30_000, 3_000_000) * scale.get(ip_type, 0.3)
                price = _money(_round_to(base * (0.5 + trl / 9), 10_000))
            counters[owner["code"]] += 1
            code = self._claim(f"{owner['code']}-T{counters[owner['code']]:03d}")
            record = {
                "code": code,
                "institution": owner["code"],
                "title": title,
                "summary": (
                    f"针对{_one(rng, TECH_PROBLEMS)}的问题，{owner['name']}研发了{title}。"
                    f"{_one(rng, TECH_GAINS)}。可用于{field}领域相关企业的产品开发与技术升级。"
                ),
                "field": field,
                "ip_type": ip_type,
                "ip_numbers": numbers,
            }
            if status:
                record["ip_status"] = status
            record.update(
                {
                    "trl": trl,
                    "transfer_modes": modes,
                    "asking_price": price,
                    "inventors": [_person(rng) for _ in range(_between(rng, 1, 6))],
                    "contact_name": _person(rng),
                    "contact_email": owner["contact_email"],
                    "contact_phone": _phone(rng, self.regions[owner["region"]][3]),
                }
            )
            self._publish(record)
            records.append(record)
        return records

    def _ip(self, ip_type: str, trl: int) -> tuple[str | None, list[str]]:
        rng = self.rng
        if ip_type == "know_how":
            return None, []
        roll = rng.random()
        status = "granted" if roll < 0.75 else "pending" if roll < 0.95 else "expired"
        years = (2021, 2025) if status == "pending" else (2008, 2024)
        numbers: list[str] = []
        for _ in range(2 if rng.random() < 0.12 else 1):
            year = _between(rng, *years)
            if ip_type == "software_copyright":
                status = "granted"
                number = f"{year}SR{_below(rng, 10**7):07d}"
            elif ip_type == "plant_variety":
                number = f"CNA{year}{_below(rng, 1000, 100000)}.{_below(rng, 10)}"
            else:
                digit = {"invention_patent": 1, "utility_model": 2, "design_patent": 3}[ip_type]
                number = _patent_number(rng, year, digit, status != "pending")
            if number not in numbers:
                numbers.append(number)
        return status, numbers


def default_institution_count(instruments: int, incubators: int, technologies: int) -> int:
    """About one institution per 200 listings, at least one per 州/市."""
    total = instruments + incubators + technologies
    return max(len(REGIONS), total // 200) if total else len(REGIONS)


def generate_catalogue(
    *,
    instruments: int,
    incubators: int,
    technologies: int,
    seed: int,
    institutions: int | None = None,
) -> dict:
    """A catalogue in the import format; the same arguments always give the same catalogue."""
    for name, value in (
        ("instruments", instruments),
        ("incubators", incubators),
        ("technologies", technologies),
    ):
        if value < 0:
            raise ValueError(f"{name} must not be negative")
    if institutions is None:
        institutions = default_institution_count(instruments, incubators, technologies)
    if institutions < 1 and (instruments or incubators or technologies):
        raise ValueError("listings need at least one institution")
    generator = _Generator(seed)
    owners = generator.institutions(institutions)
    return {
        "institutions": owners,
        "instruments": generator.instruments(instruments, owners),
        "incubators": generator.incubators(incubators, owners),
        "technologies": generator.technologies(technologies, owners),
    }


def dump_catalogue(data: dict, out: IO[str]) -> None:
    """Write the catalogue as JSON with one record per line: compact, yet diffable and greppable."""
    out.write("{")
    for position, (kind, records) in enumerate(data.items()):
        out.write(",\n" if position else "\n")
        out.write(f"{json.dumps(kind)}: [")
        for index, record in enumerate(records):
            out.write(",\n  " if index else "\n  ")
            out.write(json.dumps(record, ensure_ascii=False))
        out.write("\n]" if records else "]")
    out.write("\n}\n")
