"""A small catalogue and CMS for the search tests, indexed through the real signal path."""

from __future__ import annotations

from decimal import Decimal

from tests.factories import (
    IncubatorFactory,
    InstitutionFactory,
    InstrumentFactory,
    TechnologyFactory,
)


def build_catalogue(capture, pages: bool = False) -> dict:
    """Listings and pages created inside `capture` (django_capture_on_commit_callbacks with
    execute=True), so the outbox is drained as after a real commit."""
    from cms.demo import load_demo_pages

    with capture(execute=True):
        kunming = InstitutionFactory(code="YLU", name="云岭理工大学", region="530100")
        qujing = InstitutionFactory(code="QJLAB", name="曲靖材料研究院", region="530300")
        sem = InstrumentFactory(
            code="YLU-SEM-01",
            institution=kunming,
            name="场发射扫描电子显微镜",
            model_number="SU8220",
            description="冷场发射扫描电子显微镜（FE-SEM），用于材料表面形貌观察。",
        )
        lcms = InstrumentFactory(
            code="QJ-LCMS-01",
            institution=qujing,
            name="液相色谱-质谱联用仪",
            model_number="Xevo TQ-XS",
            description="超高效液相色谱-三重四极杆质谱联用。",
            offers_machine_time=False,
            price_hourly=None,
            price_per_sample=Decimal("600.00"),
        )
        orbitrap = InstrumentFactory(
            code="YLU-HRMS-01",
            institution=kunming,
            name="高分辨质谱仪",
            model_number="Orbitrap Exploris 480",
            manufacturer="Thermo Fisher",
            price_hourly=Decimal("800.00"),
        )
        incubator_co2 = InstrumentFactory(
            code="YLU-CO2-01",
            institution=kunming,
            name="二氧化碳培养箱",
            category="medical_research",
            model_number="Heracell VIOS 160i",
        )
        apart = InstrumentFactory(
            code="QJ-SI-01",
            institution=qujing,
            name="二氧化硅薄膜沉积系统",
            model_number="PECVD-200",
            description="配套细胞培养箱用的温控模块。",
            category="process_experiment",
        )
        draft = InstrumentFactory(
            code="YLU-TEM-DRAFT", institution=kunming, name="透射电子显微镜（草稿）", live=False
        )
        maker = IncubatorFactory(
            code="BN-MAKER", name="版纳雨林众创空间", region="532800", workstations_vacant=5
        )
        full = IncubatorFactory(
            code="KM-INC",
            name="春城生物医药孵化器",
            type="incubator",
            level="national",
            workstations_vacant=0,
        )
        sanqi = TechnologyFactory(
            code="T-SANQI",
            institution=kunming,
            title="三七总皂苷大孔树脂纯化工艺",
            summary="三七总皂苷的绿色纯化工艺。",
            trl=6,
            mode_transfer=True,
            asking_price=Decimal("500000.00"),
        )
        ocr = TechnologyFactory(
            code="T-OCR",
            institution=qujing,
            title="傣文古籍文字识别引擎V1.0",
            summary="面向傣文古籍的文字识别软件。",
            ip_type="software_copyright",
            trl=8,
        )
        if pages:
            load_demo_pages()
    return {
        "sem": sem,
        "lcms": lcms,
        "orbitrap": orbitrap,
        "co2": incubator_co2,
        "apart": apart,
        "draft": draft,
        "maker": maker,
        "full": full,
        "sanqi": sanqi,
        "ocr": ocr,
    }
