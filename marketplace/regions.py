"""Yunnan's 16 州/市: the fixed region taxonomy (6-digit administrative division codes)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    KUNMING = "530100", _("昆明市")
    QUJING = "530300", _("曲靖市")
    YUXI = "530400", _("玉溪市")
    BAOSHAN = "530500", _("保山市")
    ZHAOTONG = "530600", _("昭通市")
    LIJIANG = "530700", _("丽江市")
    PUER = "530800", _("普洱市")
    LINCANG = "530900", _("临沧市")
    CHUXIONG = "532300", _("楚雄彝族自治州")
    HONGHE = "532500", _("红河哈尼族彝族自治州")
    WENSHAN = "532600", _("文山壮族苗族自治州")
    XISHUANGBANNA = "532800", _("西双版纳傣族自治州")
    DALI = "532900", _("大理白族自治州")
    DEHONG = "533100", _("德宏傣族景颇族自治州")
    NUJIANG = "533300", _("怒江傈僳族自治州")
    DIQING = "533400", _("迪庆藏族自治州")
