"""Deterministic synthetic catalogues in the import format, for benchmarks and load tests.

`generate_catalogue(instruments=, incubators=, technologies=, seed=)` returns a dict that
`import_catalogue` accepts as it is: valid against data/catalogue.schema.json and the
importer's own rules (credit-code check digits, unique codes, non-overlapping opening hours,
durations on slot boundaries, vacancies within totals, distinct refund tiers, money strings).
Records are composed from real vocabulary (instrument types with their real manufacturers and
models, Yunnan's 16 州/市 with their counties, local industries), so lists, filters and search
behave as they would on real data; that vocabulary lives in generator_data/*.json (read by
generator_vocabulary), this module only composes it. Every random choice comes from one `random.Random(seed)`:
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
from marketplace.catalogue.generator_vocabulary import (
    CAMPUS_PLACES,
    CREDIT_PREFIX,
    CULTIVAR_HEADS,
    CULTIVAR_TAILS,
    GENERAL_INDUSTRIES,
    GIVEN_CHARS,
    INCUBATOR_LEVELS,
    INCUBATOR_SERVICES,
    INCUBATOR_TYPES,
    INSTITUTION_BLURBS,
    INSTITUTION_KINDS,
    INSTRUMENT_TYPES,
    LAT_RANGE,
    LNG_RANGE,
    MAKERS,
    OPENING_PATTERNS,
    REFUND_POLICIES,
    REGION_INDUSTRIES,
    REGIONS,
    STREETS,
    SURNAMES,
    TECH_FIELD_WEIGHTS,
    TECH_FIELDS,
    TECH_GAINS,
    TECH_PROBLEMS,
    TRANSFER_MODES,
    TRL_WEIGHTS,
)

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
