"""The drafts the demo's rounds circulate: short DOCX files written when the demo starts, numbered the way a
Vietnamese plan (I., 1.) or regulation (Chương, Điều) is, so a unit's page shows the draft and offers its sections.
The texts are illustrations for the demo, not a real plan of the province."""
from __future__ import annotations

from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from notifications.documents.decree30 import Decree30Document

# (heading, paragraphs under it): a part (I., Chương) or a section (1., Điều), bold as drafts number them.
Outline = tuple[tuple[str, tuple[str, ...]], ...]

PLAN_OUTLINE: Outline = (
    ("I. MỤC ĐÍCH, YÊU CẦU", ()),
    ("1. Mục đích", ("Hỗ trợ doanh nghiệp trên địa bàn tỉnh nâng cao năng suất và chất lượng sản phẩm, hàng hóa "
                        "dựa trên nền tảng khoa học, công nghệ và đổi mới sáng tạo.",)),
    ("2. Yêu cầu", ("Các nhiệm vụ bám sát Chương trình quốc gia, phù hợp điều kiện của tỉnh, có địa chỉ và thời "
                       "hạn hoàn thành cụ thể.",)),
    ("II. MỤC TIÊU", ()),
    ("1. Mục tiêu chung", ("Nâng cao năng lực cạnh tranh của doanh nghiệp thông qua áp dụng tiêu chuẩn, hệ thống "
                              "quản lý và công cụ cải tiến năng suất.",)),
    ("2. Mục tiêu cụ thể", ("Đến năm 2030, ít nhất 30 doanh nghiệp được hỗ trợ áp dụng hệ thống quản lý, công cụ "
                               "cải tiến năng suất chất lượng.",
                               "Đào tạo, tập huấn cho 500 lượt cán bộ quản lý, kỹ thuật của doanh nghiệp.")),
    ("III. NHIỆM VỤ, GIẢI PHÁP", ()),
    ("1. Hỗ trợ áp dụng hệ thống quản lý và công cụ cải tiến", (
        "Hỗ trợ doanh nghiệp xây dựng, áp dụng và chứng nhận hệ thống quản lý theo tiêu chuẩn quốc gia, quốc tế.",)),
    ("2. Đào tạo, tuyên truyền", ("Tổ chức các lớp đào tạo chuyên gia năng suất; tuyên truyền trên báo, đài "
                                     "của tỉnh.",)),
    ("IV. KINH PHÍ THỰC HIỆN", ("Kinh phí thực hiện Kế hoạch từ nguồn ngân sách nhà nước và các nguồn hợp pháp "
                                   "khác.",)),
    ("V. TỔ CHỨC THỰC HIỆN", ("Sở Khoa học và Công nghệ chủ trì, phối hợp với các sở, ban, ngành và Ủy ban nhân "
                                 "dân các xã, phường triển khai Kế hoạch.",)),
)

REGULATION_OUTLINE: Outline = (
    ("Chương I. QUY ĐỊNH CHUNG", ()),
    ("Điều 1. Phạm vi điều chỉnh", ("Quy chế này quy định việc xác định, tuyển chọn, giao trực tiếp, kiểm tra, "
                                       "đánh giá, nghiệm thu nhiệm vụ khoa học và công nghệ cấp tỉnh.",)),
    ("Điều 2. Đối tượng áp dụng", ("Quy chế này áp dụng đối với tổ chức, cá nhân tham gia thực hiện và quản lý "
                                      "nhiệm vụ khoa học và công nghệ cấp tỉnh.",)),
    ("Chương II. XÁC ĐỊNH VÀ TUYỂN CHỌN NHIỆM VỤ", ()),
    ("Điều 3. Đề xuất đặt hàng nhiệm vụ", ("Các sở, ban, ngành, Ủy ban nhân dân các xã, phường đề xuất đặt hàng "
                                              "nhiệm vụ theo mẫu do Sở Khoa học và Công nghệ ban hành.",)),
    ("Điều 4. Hội đồng tư vấn", ("Hội đồng tư vấn xác định nhiệm vụ có từ 7 đến 9 thành viên.",)),
    ("Chương III. TỔ CHỨC THỰC HIỆN", ()),
    ("Điều 5. Trách nhiệm thi hành", ("Sở Khoa học và Công nghệ chủ trì hướng dẫn, kiểm tra việc thực hiện "
                                         "Quy chế này.",)),
)


def write_draft(path: Path, kind_line: str, title: str, outline: Outline) -> Path:
    """A DOCX at `path` on A4 with Decree 30's margins, font and page numbers, as the Sở's own drafts are: "DỰ THẢO"
    at the top right, the document's kind and title centred, then the outline."""
    builder = Decree30Document(title=title)
    document = builder.doc
    mark = document.add_paragraph()
    mark.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    mark.add_run("DỰ THẢO").bold = True
    for text in (kind_line, title):
        line = document.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        line.add_run(text).bold = True
    for heading, paragraphs in outline:
        document.add_paragraph().add_run(heading).bold = True
        for text in paragraphs:
            document.add_paragraph(text).paragraph_format.first_line_indent = Pt(28)
    path.write_bytes(builder.to_bytes())
    return path
