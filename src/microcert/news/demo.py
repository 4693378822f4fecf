"""The news of the demo: the Centre's visit to Viet Nam in April 2024, an article waiting for
its publication date, a draft, the 2026 annual partnership meeting ahead, and two
good-practice cases (one from HUST in the library, one from Universitas Terbuka waiting for
the editors).

Everything goes through the services, on top of the demo network (``microcert.demo``); an
organisation the demo does not hold is left out of the links. Loading is idempotent: each
item is looked up first and left alone if it exists. The texts are our own account of the
visit's public facts. The picture is drawn here, at load time: no photograph is shipped.
"""

import datetime
import io
import itertools
import math
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from microcert.accounts.models import User
from microcert.frameworks.models import Competence
from microcert.network.models import Organisation

from . import services
from .models import Article, Case, Tag

UTC = datetime.UTC
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
SHENZHEN = ZoneInfo("Asia/Shanghai")
EDITOR_EMAIL = "manager@centre.example"
VISIT_SLUG = "centre-visits-viet-nam-april-2024"
MEETING_SLUG = "annual-partnership-meeting-2026"
SCHEDULED_SLUG = "pioneer-awards-call-for-cases"
DRAFT_SLUG = "smart-classroom-at-hust-first-sessions"
UNESCO_HANOI_SLUG = "unesco-hanoi"

TAGS = {
    "visits": {"en": "Visits", "vi": "Chuyến thăm", "zh-hans": "访问", "fr": "Visites"},
    "pd-recognition": {
        "en": "Recognition of professional development",
        "vi": "Công nhận bồi dưỡng chuyên môn",
        "zh-hans": "专业发展认可",
        "fr": "Reconnaissance du développement professionnel",
    },
    "smart-classrooms": {
        "en": "Smart Classrooms",
        "vi": "Lớp học thông minh",
        "zh-hans": "智慧教室",
        "fr": "Salles de classe intelligentes",
    },
    "partner-network": {
        "en": "Partner network",
        "vi": "Mạng lưới đối tác",
        "zh-hans": "伙伴网络",
        "fr": "Réseau de partenaires",
    },
    "pioneer-awards": {
        "en": "Pioneer awards",
        "vi": "Giải thưởng tiên phong",
        "zh-hans": "先锋奖",
        "fr": "Prix pionniers",
    },
}

# --- The visit to Viet Nam, 21–23 April 2024 ---------------------------------------------------

VISIT_TITLE = {
    "en": "The Centre visits Viet Nam: the Ministry, HUST and the UNESCO office in Hanoi",
    "vi": "Trung tâm thăm Việt Nam: làm việc với Bộ Giáo dục và Đào tạo, Đại học Bách khoa "
    "Hà Nội và Văn phòng UNESCO tại Hà Nội",
    "zh-hans": "中心代表团访问越南：走访越南教育培训部、河内百科大学和联合国教科文组织驻河内办事处",
    "fr": "Le Centre en visite au Viet Nam : le ministère, l'Université des sciences et "
    "technologies de Hanoï et le bureau de l'UNESCO",
}

VISIT_SUMMARY = {
    "en": "Over three days in Hanoi, a delegation of the Centre discussed with the Ministry of "
    "Education and Training, Hanoi University of Science and Technology and the UNESCO office "
    "how micro-certificates could count as teachers' professional development, and how Smart "
    "Classrooms could come to Vietnamese universities.",
    "vi": "Trong ba ngày tại Hà Nội, đoàn công tác của Trung tâm đã trao đổi với Bộ Giáo dục và "
    "Đào tạo, Đại học Bách khoa Hà Nội và Văn phòng UNESCO về khả năng công nhận chứng chỉ vi mô "
    "trong bồi dưỡng chuyên môn của giảng viên, cũng như việc đưa Lớp học thông minh đến các "
    "trường đại học Việt Nam.",
    "zh-hans": "中心代表团在河内进行了为期三天的访问，与越南教育培训部、河内百科大学和联合国教科文"
    "组织驻河内办事处探讨了如何将微证书纳入教师专业发展认定，以及如何在越南高校建设智慧教室。",
    "fr": "Pendant trois jours à Hanoï, une délégation du Centre a échangé avec le ministère de "
    "l'Éducation et de la Formation, l'Université des sciences et technologies de Hanoï et le "
    "bureau de l'UNESCO sur la prise en compte des micro-certifications dans le développement "
    "professionnel des enseignants et sur l'arrivée de salles de classe intelligentes dans les "
    "universités vietnamiennes.",
}

VISIT_BODY = {
    "en": """From 21 to 23 April 2024, a delegation of the Centre travelled to Hanoi to meet the people who shape how Viet Nam's university teachers build their digital skills. Deputy Director Bi Xiaohan led the delegation, with Xue Feng, head of the management centre of the online-education institute, and Wu Lintuo, senior programme specialist.

## At the Ministry of Education and Training
On the morning of 22 April, the delegation was received by Assoc. Prof. Nguyen Thu Thuy, Director General of the Higher Education Department, and by Phan The Hung, principal official. After the Centre had outlined its priorities for the year, the talks turned to two questions:
- could the programme's micro-certificates count in the professional-development record of Vietnamese teachers?
- how could Smart Classrooms be set up in Vietnamese universities?
Both sides agreed to keep working together so that lecturers gain the digital skills that the transformation of higher education now asks of them.

## At Hanoi University of Science and Technology
In the afternoon, HUST welcomed the delegation: Assoc. Prof. Chu Manh Hung of the Partnership and Engagement Department, Dr Nguyen Thanh Hung, head of the Academic Affairs Office, and Assoc. Prof. Pham Thi Thanh Hai, deputy dean of the School of Education. They reviewed what the two teams had already settled, then discussed the university joining the partner network, hosting a Smart Classroom and developing the micro-certification programme together. They agreed to move quickly towards a cooperation agreement, and a HUST delegation planned to visit the Centre in Shenzhen at the end of May.

## At the UNESCO office in Hanoi
Later that afternoon, the delegation met Jonathan Baker, head of the UNESCO office in Viet Nam, and programme specialist Nguyen Van Giang. The conversation covered the national recognition of teachers' professional development, Smart Classrooms, support for policy dialogue in the region and the sharing of results. Both offices agreed to work hand in hand with the Ministry to strengthen the digital competence of Vietnamese lecturers.

The visit also helped prepare the Southeast Asia high-level policy dialogue held later in 2024 on what artificial intelligence means for the region's universities.""",  # noqa: E501
    "vi": """Từ ngày 21 đến 23/4/2024, đoàn công tác của Trung tâm đã đến Hà Nội để gặp gỡ những cơ quan, đơn vị có vai trò định hướng việc nâng cao năng lực số cho giảng viên đại học Việt Nam. Đoàn do Phó Giám đốc Bi Xiaohan dẫn đầu, cùng ông Xue Feng, Trưởng Trung tâm Quản lý của Học viện Giáo dục Trực tuyến, và ông Wu Lintuo, chuyên gia chương trình cấp cao.

## Tại Bộ Giáo dục và Đào tạo
Sáng ngày 22/4, đoàn được PGS.TS. Nguyễn Thu Thủy, Vụ trưởng Vụ Giáo dục Đại học, và ông Phan Thế Hùng, chuyên viên chính, tiếp đón. Sau khi Trung tâm giới thiệu các ưu tiên trong năm, hai bên tập trung trao đổi hai vấn đề:
- các chứng chỉ vi mô của chương trình có thể được tính vào kết quả bồi dưỡng chuyên môn của giảng viên Việt Nam hay không;
- làm thế nào để xây dựng Lớp học thông minh tại các trường đại học Việt Nam.
Hai bên thống nhất tiếp tục hợp tác để giảng viên được trang bị những kỹ năng số mà quá trình chuyển đổi số giáo dục đại học đang đặt ra.

## Tại Đại học Bách khoa Hà Nội
Buổi chiều, đoàn đến làm việc tại Đại học Bách khoa Hà Nội với PGS.TS. Chu Mạnh Hùng, TS. Nguyễn Thanh Hùng và PGS.TS. Phạm Thị Thanh Hải, đại diện các đơn vị phụ trách hợp tác, đào tạo và giáo dục của trường. Hai bên điểm lại những nội dung các nhóm công tác đã thống nhất, rồi bàn về việc trường tham gia mạng lưới đối tác, đặt một Lớp học thông minh và cùng xây dựng chương trình chứng chỉ vi mô. Hai bên nhất trí sớm ký kết thỏa thuận hợp tác; đoàn của Đại học Bách khoa Hà Nội dự kiến sang thăm Trung tâm tại Thâm Quyến vào cuối tháng 5.

## Tại Văn phòng UNESCO tại Hà Nội
Cũng trong chiều hôm đó, đoàn gặp ông Jonathan Baker, Trưởng Văn phòng UNESCO tại Việt Nam, và ông Nguyễn Văn Giang, chuyên gia chương trình. Hai bên trao đổi về việc công nhận bồi dưỡng chuyên môn của giảng viên ở cấp quốc gia, về Lớp học thông minh, về hỗ trợ đối thoại chính sách trong khu vực và chia sẻ kết quả, đồng thời nhất trí phối hợp chặt chẽ với Bộ Giáo dục và Đào tạo để nâng cao năng lực số cho giảng viên Việt Nam.

Chuyến thăm cũng góp phần chuẩn bị cho Đối thoại chính sách cấp cao khu vực Đông Nam Á tổ chức vào cuối năm 2024, xoay quanh những tác động của trí tuệ nhân tạo đối với các trường đại học trong khu vực.""",  # noqa: E501
    "zh-hans": """2024年4月21日至23日，中心代表团前往越南河内，与推动越南高校教师数字能力建设的各方面对面交流。代表团由中心副主任带队，成员包括国际网络教育学院管理中心负责人和一名高级项目专家。

## 越南教育培训部
4月22日上午，越南教育培训部高等教育司司长 Nguyễn Thu Thủy 副教授和主任科员 Phan Thế Hùng 会见了代表团。中心介绍了本年度的工作重点，随后双方围绕两个问题展开讨论：
- 项目的微证书能否计入越南教师的专业发展认定；
- 如何在越南高校建设智慧教室。
双方同意继续携手合作，帮助越南高校教师掌握高等教育数字化转型所需要的数字技能。

## 河内百科大学
当天下午，代表团来到河内百科大学，与负责合作交流、教学事务和教育学院工作的 Chu Mạnh Hùng 副教授、Nguyễn Thanh Hùng 博士和 Phạm Thị Thanh Hải 副教授座谈。双方回顾了前期工作组达成的共识，并就该校加入伙伴网络、承建智慧教室以及共同开发微认证项目交换了意见。双方同意加快签署合作协议，河内百科大学代表团计划于5月下旬回访位于深圳的中心。

## 联合国教科文组织驻河内办事处
同日下午，代表团会见了联合国教科文组织驻越南办事处主任 Jonathan Baker 和项目专家 Nguyễn Văn Giang。双方就教师专业发展的国家认可、智慧教室、支持区域政策对话以及成果共享等议题进行了交流，并同意与越南教育培训部密切配合，共同提升越南高校教师的数字能力。

此次访问也为2024年晚些时候举行的东南亚高级别政策对话做了准备，该对话聚焦人工智能给区域内高校带来的变化。""",  # noqa: E501
    "fr": """Du 21 au 23 avril 2024, une délégation du Centre s'est rendue à Hanoï pour rencontrer celles et ceux qui orientent le développement des compétences numériques des enseignants du supérieur au Viet Nam. Conduite par la directrice adjointe Bi Xiaohan, elle comprenait Xue Feng, responsable du centre de gestion de l'institut d'enseignement en ligne, et Wu Lintuo, spécialiste principal de programme.

## Au ministère de l'Éducation et de la Formation
Le matin du 22 avril, la délégation a été reçue par Nguyen Thu Thuy, professeure associée et directrice générale de l'enseignement supérieur, et par Phan The Hung, fonctionnaire principal. Après une présentation des priorités du Centre pour l'année, les échanges ont porté sur deux questions :
- les micro-certifications du programme peuvent-elles compter dans le parcours de développement professionnel des enseignants vietnamiens ?
- comment installer des salles de classe intelligentes dans les universités vietnamiennes ?
Les deux parties sont convenues de poursuivre leur collaboration afin que les enseignants acquièrent les compétences numériques qu'exige désormais la transformation de l'enseignement supérieur.

## À l'Université des sciences et technologies de Hanoï
L'après-midi, l'HUST a accueilli la délégation : Chu Manh Hung, professeur associé au département des partenariats, Nguyen Thanh Hung, directeur du bureau des affaires académiques, et Pham Thi Thanh Hai, professeure associée et doyenne adjointe de l'école d'éducation. Après avoir fait le point sur ce que les deux équipes avaient déjà arrêté, ils ont évoqué l'adhésion de l'université au réseau de partenaires, l'accueil d'une salle de classe intelligente et le co-développement du programme de micro-certification. Ils ont décidé d'accélérer la signature d'un accord de coopération ; une délégation de l'HUST prévoyait de se rendre au Centre, à Shenzhen, fin mai.

## Au bureau de l'UNESCO à Hanoï
En fin d'après-midi, la délégation a rencontré Jonathan Baker, chef du bureau de l'UNESCO au Viet Nam, et Nguyen Van Giang, spécialiste de programme. La reconnaissance nationale du développement professionnel des enseignants, les salles de classe intelligentes, le soutien au dialogue politique dans la région et le partage des résultats étaient au menu. Les deux bureaux ont convenu d'agir de concert avec le ministère pour renforcer les compétences numériques des enseignants vietnamiens.

Cette visite a aussi préparé le dialogue politique de haut niveau d'Asie du Sud-Est, organisé plus tard en 2024, consacré à ce que l'intelligence artificielle change pour les universités de la région.""",  # noqa: E501
}

VISIT_PLACE = {
    "en": "Hanoi, Viet Nam",
    "vi": "Hà Nội, Việt Nam",
    "zh-hans": "越南河内",
    "fr": "Hanoï, Viet Nam",
}

VISIT_IMAGE_ALT = {
    "en": "Illustration: three buildings – a ministry with columns, a university with a clock "
    "tower and an office flying a blue flag – joined by a dotted route under a morning sun.",
    "vi": "Hình minh họa: ba tòa nhà – một bộ có hàng cột, một trường đại học có tháp đồng hồ và "
    "một văn phòng treo lá cờ xanh – được nối với nhau bằng một lộ trình chấm dưới ánh mặt trời "
    "buổi sáng.",
    "zh-hans": "插图：晨光下，一条虚线路线串起三座建筑——带立柱的部委大楼、"
    "有钟楼的大学和挂着蓝旗的办公楼。",
    "fr": "Illustration : trois bâtiments – un ministère à colonnes, une université avec sa tour "
    "d'horloge et un bureau arborant un drapeau bleu – reliés par un itinéraire en pointillés "
    "sous le soleil du matin.",
}

VISIT_IMAGE_CAPTION = {
    "en": "One day, three meetings: the delegation's route through Hanoi on 22 April 2024.",
    "vi": "Một ngày, ba cuộc làm việc: hành trình của đoàn tại Hà Nội ngày 22/4/2024.",
    "zh-hans": "一天三场会谈：代表团2024年4月22日在河内的行程。",
    "fr": "Une journée, trois rencontres : l'itinéraire de la délégation à Hanoï le 22 avril 2024.",
}

# --- The 2026 annual partnership meeting ------------------------------------------------------

MEETING_TITLE = {
    "en": "2026 Annual Partnership Meeting of the network",
    "vi": "Hội nghị đối tác thường niên 2026 của mạng lưới",
    "zh-hans": "2026年度伙伴网络合作伙伴大会",
    "fr": "Réunion annuelle 2026 des partenaires du réseau",
}
MEETING_SUMMARY = {
    "en": "Partner universities, national centres, ministries and enterprise partners meet to "
    "review the year, hand over the rotating presidency and plan the next steps of "
    "micro-certification.",
    "vi": "Các trường đối tác, trung tâm quốc gia, bộ ngành và doanh nghiệp đối tác cùng nhìn "
    "lại một năm hoạt động, chuyển giao nhiệm kỳ chủ tịch luân phiên và lên kế hoạch cho chặng "
    "tiếp theo của chương trình chứng chỉ vi mô.",
    "zh-hans": "伙伴高校、国家中心、教育部门和企业伙伴齐聚一堂，回顾一年工作，交接轮值主席职务，"
    "并规划微认证项目的下一步。",
    "fr": "Universités partenaires, centres nationaux, ministères et entreprises partenaires se "
    "retrouvent pour faire le bilan de l'année, transmettre la présidence tournante et préparer "
    "la suite de la micro-certification.",
}
MEETING_BODY = {
    "en": """Each year the whole network meets once. On the programme:
- reports from the national centres and the partner institutions;
- the handover of the rotating presidency;
- where micro-certification stands, including its recognition as professional development by ministries;
- the pioneer awards and the good-practice cases behind them.

Partners can take part on site or online. The detailed agenda will be published here.""",  # noqa: E501
    "vi": """Mỗi năm, toàn mạng lưới gặp nhau một lần. Chương trình gồm:
- báo cáo của các trung tâm quốc gia và các trường đối tác;
- chuyển giao nhiệm kỳ chủ tịch luân phiên;
- tình hình chương trình chứng chỉ vi mô, trong đó có việc các bộ công nhận chứng chỉ trong bồi dưỡng chuyên môn;
- giải thưởng tiên phong và các điển hình thực tiễn tốt đứng sau.

Các đối tác có thể tham dự trực tiếp hoặc trực tuyến. Chương trình chi tiết sẽ được đăng tại đây.""",  # noqa: E501
    "zh-hans": """伙伴网络每年举行一次全体会议。议程包括：
- 各国家中心和伙伴院校的工作汇报；
- 轮值主席职务交接；
- 微认证项目进展，包括各国教育部门将其认可为专业发展的情况；
- 先锋奖及其背后的优秀实践案例。

合作伙伴可现场参会，也可线上参会。详细议程将在此发布。""",
    "fr": """Une fois par an, tout le réseau se réunit. Au programme :
- les rapports des centres nationaux et des établissements partenaires ;
- la passation de la présidence tournante ;
- l'état de la micro-certification, y compris sa reconnaissance par les ministères comme développement professionnel ;
- les prix pionniers et les bonnes pratiques qui les ont inspirés.

Les partenaires peuvent participer sur place ou en ligne. Le programme détaillé sera publié ici.""",  # noqa: E501
}
MEETING_PLACE = {
    "en": "Shenzhen, China, and online",
    "vi": "Thâm Quyến, Trung Quốc, và trực tuyến",
    "zh-hans": "中国深圳及线上",
    "fr": "Shenzhen (Chine) et en ligne",
}
# The 2025 meeting was held in mid-January 2026; the 2026 one follows the same rhythm.
MEETING_STARTS = datetime.datetime(2027, 1, 14, 9, 0, tzinfo=SHENZHEN)

# --- An announcement scheduled for later, and a draft ------------------------------------------

SCHEDULED_TITLE = {
    "en": "Pioneer awards: share how your institution develops its teachers",
    "vi": "Giải thưởng tiên phong: chia sẻ cách trường bạn phát triển đội ngũ giảng viên",
    "fr": "Prix pionniers : racontez comment votre établissement fait progresser ses enseignants",
}
SCHEDULED_SUMMARY = {
    "en": "Member institutions can submit good-practice cases for the next pioneer awards "
    "from the case library.",
    "vi": "Các trường thành viên có thể gửi điển hình thực tiễn tốt cho giải thưởng tiên phong "
    "sắp tới ngay từ thư viện điển hình.",
    "fr": "Les établissements membres peuvent proposer leurs bonnes pratiques pour les prochains "
    "prix pionniers depuis la bibliothèque de cas.",
}
SCHEDULED_BODY = {
    "en": """The call for the next pioneer awards opens today. One category rewards institutions that develop their teachers' digital and AI competences through micro-certification.

Admins of member institutions describe their practice on the case submission page, in the language of their choice. The programme's editors read every case and may ask questions before it appears in the library.""",  # noqa: E501
    "vi": """Hôm nay bắt đầu nhận hồ sơ cho giải thưởng tiên phong lần tới. Một hạng mục dành cho các trường phát triển năng lực số và AI của giảng viên thông qua chứng chỉ vi mô.

Quản trị viên của các trường thành viên mô tả cách làm của mình trên trang gửi điển hình, bằng ngôn ngữ tùy chọn. Ban biên tập của chương trình đọc từng hồ sơ và có thể đặt câu hỏi trước khi điển hình được đưa vào thư viện.""",  # noqa: E501
    "fr": """L'appel pour les prochains prix pionniers s'ouvre aujourd'hui. Une catégorie distingue les établissements qui développent les compétences numériques et en IA de leurs enseignants grâce à la micro-certification.

Les administrateurs des établissements membres décrivent leur pratique sur la page de proposition de cas, dans la langue de leur choix. Les éditeurs du programme lisent chaque cas et peuvent poser des questions avant sa parution dans la bibliothèque.""",  # noqa: E501
}

DRAFT_TITLE = {"en": "Smart Classroom at HUST: the first training sessions"}
DRAFT_SUMMARY = {
    "en": "Notes for an article on the first sessions held in HUST's Smart Classroom.",
}

# --- Good-practice cases ----------------------------------------------------------------------

HUST_CASE = {
    "title": {
        "en": "Peer coaching circles for online collaborative learning",
        "vi": "Nhóm hỗ trợ đồng nghiệp cho học tập cộng tác trực tuyến",
    },
    "summary": {
        "en": "Small circles of lecturers redesign one course activity together, try it with "
        "their students and bring back evidence for the micro-credential in collaborative "
        "learning.",
        "vi": "Các nhóm nhỏ giảng viên cùng thiết kế lại một hoạt động học tập, thử nghiệm với "
        "sinh viên và mang về minh chứng cho chứng chỉ vi mô về học tập cộng tác.",
    },
    "body": {
        "en": """## What we do
Lecturers from different schools form circles of four. Over six weeks each member redesigns one activity of their own course for online group work, tries it with students and presents what happened to the circle.

## Why it works
- The evidence the micro-credential asks for comes from real teaching, not from an exercise.
- Colleagues from other disciplines ask the questions a specialist would not.
- A short monthly meeting is easier to fit into a teaching load than a long course.

## Results so far
Three circles have completed a cycle. Most members submitted their evidence for the micro-credential in collaborative learning, and several now coach a new circle themselves.""",  # noqa: E501
        "vi": """## Chúng tôi làm gì
Giảng viên từ các khoa, viện khác nhau lập thành nhóm bốn người. Trong sáu tuần, mỗi thành viên thiết kế lại một hoạt động trong học phần của mình theo hướng làm việc nhóm trực tuyến, thử nghiệm với sinh viên và chia sẻ kết quả với cả nhóm.

## Vì sao hiệu quả
- Minh chứng mà chứng chỉ vi mô yêu cầu đến từ chính giờ dạy thực tế, không phải bài tập giả định.
- Đồng nghiệp ở lĩnh vực khác đặt ra những câu hỏi mà người trong chuyên ngành ít nghĩ tới.
- Một buổi gặp ngắn mỗi tháng dễ sắp xếp hơn một khóa học dài bên cạnh khối lượng giảng dạy.

## Kết quả bước đầu
Ba nhóm đã hoàn thành một chu kỳ. Phần lớn thành viên đã nộp minh chứng cho chứng chỉ vi mô về học tập cộng tác, và nhiều người nay trở thành người hỗ trợ cho nhóm mới.""",  # noqa: E501
    },
    "competences": ("1.2", "1.4", "3.3"),
    "award": "nominee",
    "award_year": 2025,
}

UT_CASE = {
    "title": {"en": "Short online modules for open-university tutors"},
    "summary": {
        "en": "Tutors who teach at a distance follow short online modules and try each new "
        "practice in their next tutorial before they move on.",
    },
    "body": {
        "en": """Our tutors work across thousands of islands and rarely meet. We cut the preparation for micro-certification into modules of about two hours, each ending with a small change to try in the next online tutorial.

Tutors post a short reflection after each try, and a senior tutor answers within a week. The modules are open to the tutors of partner universities in the region.""",  # noqa: E501
    },
    "competences": ("1.4", "2.2"),
}


# --- Helpers ----------------------------------------------------------------------------------


def draw_visit_picture() -> bytes:
    """A simple illustration of the visit's day, drawn with Pillow (PNG, 1200 × 675)."""
    width, height = 1200, 675
    picture = Image.new("RGB", (width, height), (214, 232, 247))
    draw = ImageDraw.Draw(picture)
    # Sky fading towards the horizon, then the ground.
    for y in range(0, 470):
        shade = int(247 - y * 0.06)
        draw.line([(0, y), (width, y)], fill=(214 + y // 40, 232 - y // 60, shade))
    draw.rectangle([0, 470, width, height], fill=(196, 220, 180))
    draw.ellipse([960, 60, 1080, 180], fill=(255, 214, 102))
    # The route of the day, from left to right.
    points = [(230, 560), (420, 610), (600, 560), (790, 600), (980, 560)]
    for (x1, y1), (x2, y2) in itertools.pairwise(points):
        steps = int(math.dist((x1, y1), (x2, y2)) // 18)
        for step in range(steps):
            t = step / steps
            x, y = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
            draw.ellipse([x - 5, y - 5, x + 5, y + 5], fill=(11, 92, 173))
    # The ministry: a pediment over columns.
    draw.rectangle([120, 330, 340, 520], fill=(236, 230, 214), outline=(120, 110, 90), width=3)
    draw.polygon([(105, 330), (230, 250), (355, 330)], fill=(200, 70, 60))
    for x in range(140, 340, 40):
        draw.rectangle([x, 350, x + 18, 510], fill=(250, 248, 240), outline=(150, 140, 120))
    # The university: a wide building with a clock tower.
    draw.rectangle([470, 300, 730, 520], fill=(178, 58, 52), outline=(110, 30, 30), width=3)
    draw.rectangle([570, 200, 630, 300], fill=(160, 48, 44), outline=(110, 30, 30), width=3)
    draw.ellipse([580, 215, 620, 255], fill=(255, 255, 255), outline=(60, 60, 60), width=2)
    draw.line([(600, 235), (600, 222)], fill=(40, 40, 40), width=3)
    draw.line([(600, 235), (611, 240)], fill=(40, 40, 40), width=3)
    for row in range(330, 500, 45):
        for x in range(490, 720, 45):
            draw.rectangle([x, row, x + 25, row + 28], fill=(255, 236, 179))
    # The office: a tower with a blue flag.
    draw.rectangle([880, 280, 1080, 520], fill=(225, 232, 240), outline=(90, 100, 120), width=3)
    draw.line([(980, 280), (980, 180)], fill=(80, 80, 80), width=4)
    draw.polygon([(982, 182), (1060, 200), (982, 220)], fill=(0, 114, 188))
    for row in range(300, 500, 40):
        for x in range(900, 1070, 40):
            draw.rectangle([x, row, x + 24, row + 24], fill=(170, 200, 230))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _editor() -> User | None:
    return User.objects.filter(email=EDITOR_EMAIL).first()


def _organisations(*slugs: str) -> list[Organisation]:
    found = {o.slug: o for o in Organisation.objects.filter(slug__in=slugs)}
    return [found[slug] for slug in slugs if slug in found]


def _tags() -> dict[str, Tag]:
    return {slug: services.tag_ensure(slug=slug, name=names) for slug, names in TAGS.items()}


def _competences(codes: tuple[str, ...]) -> list[Competence]:
    return list(Competence.objects.filter(framework__slug="digcompedu", code__in=codes))


def _visit(editor: User | None, tags: dict[str, Tag]) -> None:
    if Article.objects.filter(slug=VISIT_SLUG).exists():
        return
    article = services.article_create(
        slug=VISIT_SLUG,
        kind=Article.Kind.EVENT,
        event_type=Article.EventType.VISIT,
        title=VISIT_TITLE,
        summary=VISIT_SUMMARY,
        body=VISIT_BODY,
        place=VISIT_PLACE,
        time_zone="Asia/Ho_Chi_Minh",
        starts_at=datetime.datetime(2024, 4, 21, 8, 0, tzinfo=HANOI),
        ends_at=datetime.datetime(2024, 4, 23, 17, 0, tzinfo=HANOI),
        countries=["VN"],
        tags=[tags["visits"], tags["pd-recognition"], tags["smart-classrooms"]],
        # The UNESCO office in Hanoi is linked once the demo network holds it (not yet).
        partners=_organisations("moet", "hust", UNESCO_HANOI_SLUG),
        actor=editor,
    )
    services.article_image_add(
        article=article,
        upload=draw_visit_picture(),
        alt=VISIT_IMAGE_ALT,
        caption=VISIT_IMAGE_CAPTION,
        actor=editor,
    )
    services.article_publish(article=article, actor=editor)
    # Dated as it was first published, on the visit's last day.
    Article.objects.filter(pk=article.pk).update(
        publish_at=datetime.datetime(2024, 4, 23, 9, 0, tzinfo=UTC)
    )


def _meeting(editor: User | None, tags: dict[str, Tag]) -> None:
    if Article.objects.filter(slug=MEETING_SLUG).exists():
        return
    # Upcoming whenever the demo is loaded: a later load moves it a few weeks ahead.
    starts = max(
        MEETING_STARTS,
        timezone.localtime(timezone.now() + datetime.timedelta(days=45), SHENZHEN).replace(
            hour=9, minute=0, second=0, microsecond=0
        ),
    )
    article = services.article_create(
        slug=MEETING_SLUG,
        kind=Article.Kind.EVENT,
        event_type=Article.EventType.PARTNERSHIP_MEETING,
        title=MEETING_TITLE,
        summary=MEETING_SUMMARY,
        body=MEETING_BODY,
        place=MEETING_PLACE,
        time_zone="Asia/Shanghai",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=8, minutes=30),
        countries=["CN"],
        tags=[tags["partner-network"], tags["pioneer-awards"]],
        partners=_organisations("centre"),
        actor=editor,
    )
    services.article_publish(article=article, actor=editor)


def _scheduled(editor: User | None, tags: dict[str, Tag]) -> None:
    if Article.objects.filter(slug=SCHEDULED_SLUG).exists():
        return
    article = services.article_create(
        slug=SCHEDULED_SLUG,
        title=SCHEDULED_TITLE,
        summary=SCHEDULED_SUMMARY,
        body=SCHEDULED_BODY,
        tags=[tags["pioneer-awards"]],
        actor=editor,
    )
    publish_at = (timezone.now() + datetime.timedelta(days=14)).replace(
        hour=2, minute=0, second=0, microsecond=0
    )
    services.article_schedule(article=article, publish_at=publish_at, actor=editor)


def _draft(editor: User | None, tags: dict[str, Tag]) -> None:
    if Article.objects.filter(slug=DRAFT_SLUG).exists():
        return
    services.article_create(
        slug=DRAFT_SLUG,
        title=DRAFT_TITLE,
        summary=DRAFT_SUMMARY,
        tags=[tags["smart-classrooms"]],
        countries=["VN"],
        partners=_organisations("hust"),
        actor=editor,
    )


def _case(slug: str, content: dict, submitter_email: str) -> Case | None:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        return None
    existing = Case.objects.filter(
        organisation=organisation, title_en=content["title"]["en"]
    ).first()
    if existing is not None:
        return None
    return services.case_submit(
        organisation=organisation,
        actor=User.objects.filter(email=submitter_email).first(),
        title=content["title"],
        summary=content["summary"],
        body=content["body"],
        competences=_competences(content["competences"]),
        award=content.get("award", "none"),
        award_year=content.get("award_year"),
    )


def _cases(editor: User | None) -> None:
    hust_case = _case("hust", HUST_CASE, "admin@hust.example")
    if hust_case is not None:
        services.case_publish(
            case=hust_case,
            actor=editor,
            comment="Thank you: a clear case that other partners can reuse.",
        )
    _case("ut", UT_CASE, "admin@ut.example")


@transaction.atomic
def load_demo() -> None:
    """Add the news of the demo (safe to call again: nothing is added twice)."""
    editor = _editor()
    tags = _tags()
    _visit(editor, tags)
    _meeting(editor, tags)
    _scheduled(editor, tags)
    _draft(editor, tags)
    _cases(editor)
