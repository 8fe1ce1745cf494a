"""The controlled vocabularies of the catalogue (API.md, "Vocabularies")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InstrumentCategory(models.TextChoices):
    ANALYTICAL = "analytical", _("分析仪器")
    PHYSICAL_PROPERTY = "physical_property", _("物理性能测试仪器")
    METROLOGY = "metrology", _("计量仪器")
    ELECTRONIC_MEASUREMENT = "electronic_measurement", _("电子测量仪器")
    MARINE = "marine", _("海洋仪器")
    EARTH_EXPLORATION = "earth_exploration", _("地球探测仪器")
    ATMOSPHERIC = "atmospheric", _("大气探测仪器")
    SPECIAL_TESTING = "special_testing", _("特种检测仪器")
    MEDICAL_RESEARCH = "medical_research", _("医学科研仪器")
    NUCLEAR = "nuclear", _("核仪器")
    ASTRONOMICAL = "astronomical", _("天文仪器")
    LASER = "laser", _("激光器")
    PROCESS_EXPERIMENT = "process_experiment", _("工艺试验仪器")
    COMPUTING = "computing", _("计算机及其配套设备")
    OTHER = "other", _("其他仪器")


class ServiceMode(models.TextChoices):
    MACHINE_TIME = "machine_time", _("机时预约")
    SAMPLE_TESTING = "sample_testing", _("送样检测")


class InstrumentStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("正常运行")
    UNDER_MAINTENANCE = "under_maintenance", _("维修维护中")
    RETIRED = "retired", _("已停用")


class IncubatorType(models.TextChoices):
    MAKER_SPACE = "maker_space", _("众创空间")
    INCUBATOR = "incubator", _("科技企业孵化器")
    ACCELERATOR = "accelerator", _("加速器")
    SCIENCE_PARK = "science_park", _("科技园")
    DEMO_BASE = "demo_base", _("双创示范基地")
    CAMPUS_PLATFORM = "campus_platform", _("校园众创平台")
    SMALL_BUSINESS_BASE = "small_business_base", _("小微企业双创基地")


class IncubatorLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    PREFECTURAL = "prefectural", _("州市级")
    OTHER = "other", _("其他")


class IpType(models.TextChoices):
    INVENTION_PATENT = "invention_patent", _("发明专利")
    UTILITY_MODEL = "utility_model", _("实用新型")
    DESIGN_PATENT = "design_patent", _("外观设计")
    SOFTWARE_COPYRIGHT = "software_copyright", _("软件著作权")
    PLANT_VARIETY = "plant_variety", _("植物新品种")
    KNOW_HOW = "know_how", _("技术秘密")


class IpStatus(models.TextChoices):
    PENDING = "pending", _("申请中")
    GRANTED = "granted", _("已授权")
    EXPIRED = "expired", _("已失效")


class TransferMode(models.TextChoices):
    TRANSFER = "transfer", _("转让")
    LICENSE = "license", _("许可")
    EQUITY = "equity", _("作价投资")
    JOINT_DEVELOPMENT = "joint_development", _("合作开发")


class BlackoutKind(models.TextChoices):
    MAINTENANCE = "maintenance", _("维护保养")
    HOLIDAY = "holiday", _("节假日")
    OTHER = "other", _("其他")
    DOWNTIME = "downtime", _("故障停机")  # recorded with the usage (marketplace/sharing)


WEEKDAYS = [
    (0, _("星期一")),
    (1, _("星期二")),
    (2, _("星期三")),
    (3, _("星期四")),
    (4, _("星期五")),
    (5, _("星期六")),
    (6, _("星期日")),
]
