"""用户协议 and 隐私政策 as pages under the 双创专区 home page (/terms/ and /privacy/), in Chinese
and English; registration links them and records the versions agreed to (2026-12, as
marketplace.accounts.models.TERMS_VERSION / PRIVACY_VERSION).

Only added where the home page exists and the slug is free, so editors' own pages are kept.
Reversing leaves the pages: editors may have changed them by then."""

import importlib

from django.db import migrations
from django.utils import timezone

site_tree = importlib.import_module("cms.migrations.0007_create_site_tree")

VERSION = "2026-12"

TERMS_ZH = """
<p>欢迎使用双创资源共享平台（以下简称“平台”）。平台由省科学技术主管部门主办，为企业、高等院校、科研院所、孵化载体和创业者提供大型科学仪器共享、送样检测、孵化载体入驻和科技成果转化洽谈服务。注册前请仔细阅读本协议；勾选同意即表示您接受本协议全部条款。</p>
<h2>一、账户</h2>
<p>您应使用真实、准确的信息注册，并在首次预约、申请、委托或洽谈前完善真实姓名、所在单位及其统一社会信用代码和手机号码。账户仅限本人使用，请妥善保管密码和 API 令牌；因保管不善造成的损失由您自行承担。</p>
<h2>二、服务与费用</h2>
<p>仪器机时、检测服务和孵化载体由各提供单位提供，价格、开放时间、退款规则以资源页面公布的为准。平台负责展示信息、撮合预约和代收付款记录，不对提供单位的服务质量作出担保；争议由您与提供单位协商解决，平台可协助调解。</p>
<h2>三、使用规范</h2>
<p>您不得利用平台从事违法活动，不得提交虚假预约、冒用他人或单位身份、上传含有恶意代码或侵犯他人知识产权的文件，不得以自动化手段大量抓取数据（开放数据接口除外）。违反的，平台可限制或终止服务，并依法报告有关部门。</p>
<h2>四、知识产权与保密</h2>
<p>洽谈中披露的技术资料归成果单位所有；签署保密协议后获得的资料仅可用于评估合作，不得向第三方披露。您上传的内容，其权利仍归您所有，您授权平台在提供服务所必需的范围内存储和展示。</p>
<h2>五、协议变更与终止</h2>
<p>平台可根据法律法规和服务需要修订本协议，修订后将在本页公布新版本并在您下次登录时提示。您可随时申请注销账户；注销前须结清未完成的预约和款项。</p>
<h2>六、法律适用</h2>
<p>本协议适用中华人民共和国法律。因本协议产生的争议，双方应友好协商；协商不成的，可向平台主办单位所在地有管辖权的人民法院提起诉讼。</p>
"""

TERMS_EN = """
<p>Welcome to the Innovation Resource Sharing Platform (the "Platform"). The Platform is run by the provincial science and technology authority and offers enterprises, universities, research institutes, incubators and founders shared access to large scientific instruments, sample testing, places in incubators and talks on technology transfer. Please read these terms before you register; by ticking the consent box you accept all of them.</p>
<h2>1. Your account</h2>
<p>Register with true and accurate information, and before your first booking, application, sample order or inquiry complete your real name, your organisation with its unified social credit code, and your phone number. The account is for you alone; keep your password and API tokens safe. Losses caused by careless keeping are your own.</p>
<h2>2. Services and fees</h2>
<p>Machine time, testing services and incubator places are provided by the institutions that list them; prices, opening hours and refund rules are those shown on each resource's page. The Platform shows the information, arranges bookings and records payments; it does not guarantee the providers' services. Disputes are settled between you and the provider, and the Platform may help mediate.</p>
<h2>3. Acceptable use</h2>
<p>Do not use the Platform for unlawful purposes, make false bookings, impersonate a person or an organisation, upload files with malicious code or that infringe others' intellectual property, or harvest data by automated means (the open data API excepted). The Platform may restrict or end the service for breaches and report them to the authorities as the law requires.</p>
<h2>4. Intellectual property and confidentiality</h2>
<p>Technical material disclosed in an inquiry belongs to the institution that owns the technology; material received under a non-disclosure agreement may be used only to assess the cooperation and must not be disclosed to third parties. What you upload stays yours; you allow the Platform to store and show it as far as the service needs.</p>
<h2>5. Changes and termination</h2>
<p>The Platform may revise these terms as laws and the service require; a new version is published on this page and you are told at your next sign-in. You may close your account at any time once your open bookings and payments are settled.</p>
<h2>6. Governing law</h2>
<p>These terms are governed by the laws of the People's Republic of China. Disputes are first settled by friendly negotiation; failing that, either side may bring a case before the competent people's court where the Platform's operator is located.</p>
"""

PRIVACY_ZH = """
<p>平台依照《中华人民共和国个人信息保护法》《网络安全法》《数据安全法》处理您的个人信息。本政策说明我们收集哪些信息、为何收集、如何使用和保护，以及您享有的权利。</p>
<h2>一、我们收集的信息</h2>
<p>注册时：用户名、电子邮箱和密码（仅保存不可逆的摘要）；完善资料时：真实姓名、所在单位及其统一社会信用代码、手机号码、常用语言和通知偏好；使用服务时：预约、申请、委托、洽谈记录及您上传的文件，付款和退款记录，以及为保障安全所需的登录记录（时间和网络地址）。</p>
<h2>二、使用目的</h2>
<p>上述信息仅用于：核实身份、向资源提供单位提交您的预约和申请以便其审核、办理付款和退款、发送与您事项有关的通知、统计资源开放共享情况（以不能识别个人的汇总数据发布），以及防范账户被盗用。未经您单独同意，我们不会将个人信息用于其他目的。</p>
<h2>三、共享与委托处理</h2>
<p>您提交预约、申请或洽谈时，您的姓名、单位和联系电话将提供给相关资源提供单位，仅供其处理该事项。在线支付由持牌支付机构处理，我们只保存支付结果。除法律法规要求外，我们不向其他第三方提供您的个人信息，不出售个人信息。</p>
<h2>四、存储与保护</h2>
<p>个人信息存储在中华人民共和国境内的服务器上，不向境外提供。我们采取访问控制、传输加密、口令摘要存储、操作日志等措施保护信息安全。账户注销后，除法律法规要求保留的交易记录外，您的个人信息将在 30 日内删除或匿名化。</p>
<h2>五、您的权利</h2>
<p>您可以在“我的账户”和“个人资料”页查阅、更正个人信息，关闭邮件通知，撤回同意或申请注销账户；也可以要求我们解释个人信息处理规则。我们将在 15 个工作日内答复。撤回同意不影响此前基于同意已进行的处理。</p>
<h2>六、未成年人</h2>
<p>平台面向单位和成年人提供服务，不满十四周岁的未成年人请勿注册。</p>
<h2>七、联系我们与政策更新</h2>
<p>如有疑问或投诉，请通过页脚公布的联系方式与平台主办单位联系。本政策更新时，我们将在本页公布新版本，并在变更涉及您的权利时重新征得您的同意。</p>
"""

PRIVACY_EN = """
<p>The Platform handles your personal information under the Personal Information Protection Law, the Cybersecurity Law and the Data Security Law of the People's Republic of China. This policy explains what we collect, why, how we use and protect it, and your rights.</p>
<h2>1. What we collect</h2>
<p>At registration: your user name, email address and password (stored only as an irreversible hash). In your profile: your real name, your organisation and its unified social credit code, your phone number, preferred language and notification choices. While you use the service: your bookings, applications, sample orders and inquiries with the files you upload, payment and refund records, and the sign-in records (time and network address) needed to keep accounts safe.</p>
<h2>2. Why we use it</h2>
<p>Only to confirm who you are, to pass your bookings and applications to the providing institution for review, to handle payments and refunds, to tell you about your own requests, to publish statistics on open sharing (as totals that identify no one), and to prevent misuse of accounts. We do not use personal information for anything else without your separate consent.</p>
<h2>3. Sharing and processors</h2>
<p>When you make a booking, application or inquiry, your name, organisation and phone number go to the providing institution, for that request only. Online payments are handled by a licensed payment institution; we keep only the result. We give your personal information to no other third party except as the law requires, and we never sell it.</p>
<h2>4. Storage and protection</h2>
<p>Personal information is stored on servers in the People's Republic of China and is not transferred abroad. We protect it with access control, encrypted transport, hashed passwords and operation logs. When you close your account, your personal information is deleted or anonymised within 30 days, except transaction records the law requires us to keep.</p>
<h2>5. Your rights</h2>
<p>On "My account" and "Profile" you can view and correct your information, turn email notices off, withdraw consent or ask to close your account; you may also ask us to explain how we handle personal information. We answer within 15 working days. Withdrawing consent does not affect what was done under it before.</p>
<h2>6. Minors</h2>
<p>The Platform serves organisations and adults; children under fourteen must not register.</p>
<h2>7. Contact and changes</h2>
<p>For questions or complaints, contact the Platform's operator through the details in the page footer. When this policy changes we publish the new version here, and ask for your consent again where the change affects your rights.</p>
"""

PAGES = [
    {
        "title": "用户协议",
        "slug": "terms",
        "title_en": "Terms of Service",
        "body": TERMS_ZH.strip(),
        "body_en": TERMS_EN.strip(),
    },
    {
        "title": "隐私政策",
        "slug": "privacy",
        "title_en": "Privacy Policy",
        "body": PRIVACY_ZH.strip(),
        "body_en": PRIVACY_EN.strip(),
    },
]


def create_legal_pages(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    HomePage = apps.get_model("cms", "HomePage")
    LegalPage = apps.get_model("cms", "LegalPage")
    home = HomePage.objects.order_by("path").first()
    if home is None:
        return
    content_type, _ = ContentType.objects.get_or_create(app_label="cms", model="legalpage")
    now = timezone.now()
    for fields in PAGES:
        url_path = f"{home.url_path}{fields['slug']}/"
        if Page.objects.filter(url_path=url_path).exists():
            continue
        LegalPage.objects.create(
            draft_title=fields["title"],
            path=site_tree._next_child_path(Page, home.path, home.depth + 1),
            depth=home.depth + 1,
            numchild=0,
            url_path=url_path,
            content_type=content_type,
            locale_id=home.locale_id,
            live=True,
            has_unpublished_changes=False,
            first_published_at=now,
            last_published_at=now,
            version=VERSION,
            effective_date=timezone.localdate(now),
            **fields,
        )
        home.numchild += 1
        home.save(update_fields=["numchild"])


class Migration(migrations.Migration):
    dependencies = [("cms", "0010_legal_page"), ("contenttypes", "0002_remove_content_type_name")]

    operations = [migrations.RunPython(create_legal_pages, migrations.RunPython.noop)]
