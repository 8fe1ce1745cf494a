"""StreamField blocks: article bodies and the structure of policy documents."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("正文"),
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"],
    )
    image = ImageBlock(label=_("图片"))
    table = TableBlock(label=_("表格"))
    document = DocumentChooserBlock(label=_("附件"))


class MeasureBlock(blocks.StructBlock):
    """One measure (具体措施) and the departments responsible for it."""

    title = blocks.CharBlock(label=_("措施标题"), required=False, max_length=200)
    title_derived = blocks.BooleanBlock(
        label=_("标题由首句生成"),
        required=False,
        help_text=_("原文没有小标题，导入时取正文首句作为标题；核对或改写后请取消勾选。"),
    )
    text = blocks.TextBlock(label=_("措施内容"), required=False)
    lead_departments = blocks.ListBlock(
        SnippetChooserBlock("cms.Department"), label=_("牵头部门"), default=[]
    )
    co_departments = blocks.ListBlock(
        SnippetChooserBlock("cms.Department"), label=_("配合部门"), default=[]
    )
    note = blocks.CharBlock(
        label=_("责任单位原文"),
        required=False,
        max_length=500,
        help_text=_("文件中括注的原文，如“（省质监局牵头负责）”。"),
    )

    class Meta:
        icon = "list-ul"
        label = _("措施")


class SubsectionBlock(blocks.StructBlock):
    """A subsection ((一)…), numbered straight through the document."""

    label = blocks.CharBlock(label=_("序号"), max_length=10, help_text=_("如“（一）”。"))
    heading = blocks.CharBlock(label=_("标题"), required=False, max_length=200)
    measures = blocks.ListBlock(MeasureBlock(), label=_("措施"), default=[])

    class Meta:
        icon = "folder-open-1"
        label = _("分项")


class SectionBlock(blocks.StructBlock):
    """A section (一、…) of a policy document."""

    label = blocks.CharBlock(label=_("序号"), max_length=10, help_text=_("如“一、”。"))
    heading = blocks.CharBlock(label=_("标题"), max_length=200)
    measures = blocks.ListBlock(
        MeasureBlock(), label=_("直属措施"), default=[], help_text=_("不属于任何分项的措施。")
    )
    subsections = blocks.ListBlock(SubsectionBlock(), label=_("分项"), default=[])

    class Meta:
        icon = "folder-open-inverse"
        label = _("章节")


class PolicyStructureBlock(blocks.StreamBlock):
    section = SectionBlock()
    paragraph = blocks.TextBlock(label=_("段落"))
