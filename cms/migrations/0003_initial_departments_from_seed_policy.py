"""The initial department table: every department named in the 2017 新动能 policy (the seed).

Each entry is (规范简称, 全称, 类别, 别名). The importer resolves names through these rows, with or
without the 省 prefix. Reversible: unapplying removes exactly these departments.
"""

from django.db import migrations

DEPARTMENTS = [
    ("省政府", "云南省人民政府", "government", ["云南省人民政府", "省人民政府"]),
    ("省政府办公厅", "云南省人民政府办公厅", "government", ["云南省人民政府办公厅", "省人民政府办公厅", "政府办公厅"]),
    ("省委网信办", "中共云南省委网络安全和信息化领导小组办公室", "party", ["网信办"]),
    ("省委编办", "中共云南省委机构编制委员会办公室", "party", ["编办"]),
    ("省发展改革委", "云南省发展和改革委员会", "provincial", ["发展改革委", "省发改委", "发改委"]),
    ("省工业和信息化委", "云南省工业和信息化委员会", "provincial", ["工业和信息化委", "省工信委", "工信委"]),
    ("省教育厅", "云南省教育厅", "provincial", []),
    ("省科技厅", "云南省科学技术厅", "provincial", ["云南省科技厅"]),
    ("省公安厅", "云南省公安厅", "provincial", []),
    ("省财政厅", "云南省财政厅", "provincial", []),
    ("省人力资源社会保障厅", "云南省人力资源和社会保障厅", "provincial", ["人社厅", "省人社厅"]),
    ("省环境保护厅", "云南省环境保护厅", "provincial", ["环保厅"]),
    ("省交通运输厅", "云南省交通运输厅", "provincial", []),
    ("省农业厅", "云南省农业厅", "provincial", []),
    ("省商务厅", "云南省商务厅", "provincial", []),
    ("省文化厅", "云南省文化厅", "provincial", []),
    ("省卫生计生委", "云南省卫生和计划生育委员会", "provincial", []),
    ("省国资委", "云南省人民政府国有资产监督管理委员会", "provincial", []),
    ("省地税局", "云南省地方税务局", "provincial", []),
    ("省工商局", "云南省工商行政管理局", "provincial", []),
    ("省质监局", "云南省质量技术监督局", "provincial", []),
    ("省新闻出版广电局", "云南省新闻出版广电局", "provincial", []),
    ("省统计局", "云南省统计局", "provincial", []),
    ("省旅游发展委", "云南省旅游发展委员会", "provincial", []),
    ("省食品药品监管局", "云南省食品药品监督管理局", "provincial", []),
    ("省知识产权局", "云南省知识产权局", "provincial", []),
    ("省法制办", "云南省人民政府法制办公室", "provincial", []),
    ("省金融办", "云南省人民政府金融办公室", "provincial", []),
    ("省能源局", "云南省能源局", "provincial", []),
    ("省总工会", "云南省总工会", "mass", []),
    ("省科协", "云南省科学技术协会", "mass", []),
    ("省国税局", "云南省国家税务局", "central", ["国税局"]),
    ("省通信管理局", "云南省通信管理局", "central", ["通信管理局"]),
    ("人民银行昆明中心支行", "中国人民银行昆明中心支行", "central", []),
    ("云南银监局", "中国银行业监督管理委员会云南监管局", "central", ["银监局"]),
    ("云南证监局", "中国证券监督管理委员会云南监管局", "central", ["证监局"]),
    ("云南保监局", "中国保险监督管理委员会云南监管局", "central", ["保监局"]),
    ("云南出入境检验检疫局", "云南出入境检验检疫局", "central", ["出入境检验检疫局"]),
    ("昆明海关", "中华人民共和国昆明海关", "central", []),
    ("中科院昆明分院", "中国科学院昆明分院", "central", []),
    ("有关行业主管部门", "有关行业主管部门", "group", []),
    ("有关部门", "有关部门", "group", []),
    ("省推进大众创业万众创新部门联席会议成员单位", "云南省推进大众创业万众创新部门联席会议成员单位", "group", ["省大众创业万众创新部门联席会议成员单位", "双创联席会议成员单位"]),
]


def add_departments(apps, schema_editor):
    Department = apps.get_model("cms", "Department")
    DepartmentAlias = apps.get_model("cms", "DepartmentAlias")
    for order, (name, full_name, kind, aliases) in enumerate(DEPARTMENTS, start=1):
        department, _ = Department.objects.get_or_create(
            name=name,
            defaults={
                "full_name": full_name,
                "kind": kind,
                "slug": name,
                "sort_order": order * 10,
                "index_number_format": "yunnan" if kind == "government" else "",
            },
        )
        for position, alias in enumerate(aliases):
            DepartmentAlias.objects.get_or_create(
                name=alias, defaults={"department": department, "sort_order": position}
            )


def remove_departments(apps, schema_editor):
    Department = apps.get_model("cms", "Department")
    Department.objects.filter(name__in=[entry[0] for entry in DEPARTMENTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("cms", "0002_policy_library_news_taxonomy_notices")]

    operations = [migrations.RunPython(add_departments, remove_departments)]
