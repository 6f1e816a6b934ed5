"""Texts of citizen reports: the /report conversation, the officers' card, /reports."""

VI: dict[str, str] = {
    "command.report": "Phản ánh vi phạm cách ly",
    "command.reports": "Phản ánh của người dân",
    "report.start_button": "📣 Phản ánh vi phạm cách ly",
    "report.disabled": (
        "Chức năng phản ánh chưa được bật ở đây. Vui lòng gọi điện trực tiếp cho trạm y tế "
        "xã/phường."
    ),
    "report.limit_hour": (
        "Bạn đã gửi {count} phản ánh trong một giờ qua. Vui lòng thử lại sau một lúc. "
        "Cảm ơn bạn đã quan tâm!"
    ),
    "report.limit_day": (
        "Bạn đã gửi đủ số phản ánh cho hôm nay. Vui lòng thử lại vào ngày mai. "
        "Nếu có việc khẩn cấp, hãy gọi trạm y tế."
    ),
    "report.ask_text": (
        "📣 <b>Phản ánh vi phạm cách ly</b>\n\n"
        "Hãy viết ngắn gọn điều bạn thấy: <b>ai, ở đâu</b> (số nhà, đường, thôn/xóm), "
        "<b>khi nào</b>. Từ {min} đến {max} chữ cái.\n\n"
        "Cán bộ y tế <b>không biết</b> ai gửi phản ánh. Bạn không cần ghi tên mình.\n"
        "Gõ /cancel để huỷ."
    ),
    "report.text_length": (
        "Phần mô tả cần dài từ {min} đến {max} chữ cái (bạn đã viết {length}). Vui lòng viết lại."
    ),
    "report.text_needed": ("Vui lòng viết mô tả bằng chữ trước. Bạn có thể gửi ảnh ở bước sau."),
    "report.ask_photo": (
        "Nếu có ảnh chụp, hãy gửi <b>một ảnh</b> (tối đa {mb} MB). Nếu không, bấm «{skip}»."
    ),
    "report.skip": "Bỏ qua",
    "report.not_a_photo": (
        "Chỉ nhận ảnh chụp, không nhận video, ghi âm hay tệp khác. "
        "Hãy gửi một ảnh hoặc bấm «Bỏ qua»."
    ),
    "report.photo_too_big": (
        "Ảnh này lớn quá (trên {mb} MB). Hãy gửi ảnh nhỏ hơn hoặc bấm «Bỏ qua»."
    ),
    "report.ask_location": (
        "Việc này ở đâu? Nếu bạn đang ở gần đó, bấm «{button}». Hoặc chọn một điểm trên "
        "bản đồ (📎 → Vị trí). Nếu không, bấm «{skip}»."
    ),
    "report.send_location": "📍 Gửi vị trí hiện tại",
    "report.location_expected": (
        "Hãy gửi vị trí (bấm nút bên dưới, hoặc 📎 → Vị trí), hoặc bấm «Bỏ qua»."
    ),
    "report.ask_commune": (
        "Việc này ở xã/phường nào? Gõ một phần tên, ví dụ: <i>hac thanh</i> (không cần dấu)."
    ),
    "report.ask_commune_outside": (
        "Vị trí này không nằm trong xã/phường nào mà chúng tôi phục vụ. Việc này ở xã/phường "
        "nào? Gõ một phần tên, ví dụ: <i>hac thanh</i> (không cần dấu)."
    ),
    "report.commune_choices": "Chọn xã/phường:",
    "report.no_commune": (
        "Không tìm thấy xã/phường nào có tên «{query}». Hãy gõ lại, chỉ cần một phần tên."
    ),
    "report.commune_button_expected": (
        "Hãy bấm chọn một xã/phường ở trên, hoặc gõ lại tên để tìm."
    ),
    "report.summary": (
        "<b>Xem lại phản ánh của bạn</b>\n\n"
        "<blockquote>{text}</blockquote>\n"
        "📷 Ảnh: {photo}\n"
        "📍 Vị trí: {location}\n"
        "🏘 Gửi đến trạm y tế: <b>{commune}</b>\n\n"
        "Bấm «Gửi» để gửi, hoặc /cancel để huỷ."
    ),
    "report.yes": "có",
    "report.no": "không",
    "report.button.send": "📨 Gửi",
    "report.button.cancel": "✖️ Huỷ",
    "report.confirm_expected": "Bấm «Gửi» ở tin nhắn trên để gửi, hoặc /cancel để huỷ.",
    "report.receipt": (
        "✅ Đã nhận phản ánh. Số phản ánh của bạn: <b>{reference}</b>.\n"
        "Trạm y tế {commune} sẽ xem xét. Khi xử lý xong, bạn sẽ nhận được tin báo. "
        "Cảm ơn bạn!"
    ),
    "report.receipt_merged": (
        "✅ Đã nhận phản ánh. Số phản ánh của bạn: <b>{reference}</b>.\n"
        "Việc này đã có người phản ánh, nên chúng tôi gộp lại để trạm y tế {commune} "
        "xử lý một lần. Khi xử lý xong, bạn sẽ nhận được tin báo. Cảm ơn bạn!"
    ),
    "report.no_draft": "Bạn không có phản ánh nào đang viết dở. Gõ /report để bắt đầu.",
    "report.stale_button": "Nút này không còn dùng được nữa.",
    "report.notice.confirmed": (
        "📣 Phản ánh {reference}: cán bộ y tế đã đến kiểm tra và xác nhận có vi phạm. Cảm ơn bạn!"
    ),
    "report.notice.nothing_found": (
        "📣 Phản ánh {reference}: cán bộ y tế đã đến kiểm tra nhưng không thấy vi phạm. Cảm ơn bạn!"
    ),
    "report.notice.abuse": (
        "📣 Phản ánh {reference}: trạm y tế đã đóng phản ánh, không xử lý thêm."
    ),
    # Officers
    "report.photo_caption": "📷 Ảnh của phản ánh {reference}",
    "report.card.header": "📣 <b>Phản ánh của người dân</b> · {reference}",
    "report.card.place": "🏘 {commune} · {time}",
    "report.card.text": "<blockquote>{text}</blockquote>",
    "report.card.photo": "📷 Có ảnh (ở trên).",
    "report.card.pin": "📍 Có vị trí (ghim ở trên).",
    "report.card.no_pin": "📍 Không có vị trí.",
    "report.card.times": "🔁 Đã có <b>{count}</b> người phản ánh việc này.",
    "report.card.cases": "🏠 Gần nhà người đang cách ly: <b>{codes}</b>",
    "report.card.open": "Trạng thái: <b>mới</b>, chưa ai nhận.",
    "report.card.acknowledged": "Trạng thái: <b>{name}</b> đang xử lý.",
    "report.card.closed": "Đã xử lý ({name}): <b>{outcome}</b>.",
    "report.card.passed_on": "📣 Phản ánh {reference} đã được chuyển cho <b>{commune}</b>.",
    "report.outcome.confirmed": "đã đến, có vi phạm",
    "report.outcome.nothing_found": "đã đến, không thấy vi phạm",
    "report.outcome.abuse": "phản ánh sai / quấy rối",
    "report.button.acknowledge": "✋ Nhận xử lý",
    "report.button.resolve": "✅ Ghi kết quả…",
    "report.button.abuse": "🚫 Phản ánh sai",
    "report.button.confirmed": "Đã đến: có vi phạm",
    "report.button.nothing_found": "Đã đến: không thấy vi phạm",
    "report.button.not_ours": "Không thuộc xã/phường mình…",
    "report.button.back": "↩️ Quay lại",
    "report.button.abuse_yes": "🚫 Đúng, đánh dấu phản ánh sai",
    "report.button.show": "Xem {reference}",
    "report.toast.acknowledged": "Bạn đã nhận xử lý phản ánh này.",
    "report.toast.closed": "Đã ghi kết quả. Người phản ánh sẽ được báo.",
    "report.already_closed": "Phản ánh {reference} đã được xử lý rồi.",
    "report.already_taken": "Phản ánh này đã được {name} nhận xử lý.",
    "report.reroute_ask": (
        "Phản ánh {reference}: gõ tên xã/phường đúng để chuyển, ví dụ: <i>hac thanh</i>. "
        "Gõ /cancel để thôi."
    ),
    "report.reroute_choices": "Chuyển phản ánh {reference} cho:",
    "report.rerouted": "➡️ Đã chuyển phản ánh {reference} cho <b>{commune}</b>.",
    "report.list_header": "<b>Phản ánh đang mở — {area}</b> ({count})",
    "report.list_item": "• <b>{reference}</b> · {time} · {state}{times}\n  {excerpt}",
    "report.list_times": " · {count} người",
    "report.list_empty": "Không có phản ánh nào đang mở ở {area}.",
    "report.state.open": "mới",
    "report.state.acknowledged": "đang xử lý",
}

EN: dict[str, str] = {
    "command.report": "Report an isolation violation",
    "command.reports": "Citizen reports",
    "report.start_button": "📣 Report an isolation violation",
    "report.disabled": (
        "Reports are not switched on here yet. Please call the commune health station directly."
    ),
    "report.limit_hour": (
        "You have sent {count} reports in the last hour. Please try again a little later. "
        "Thank you for caring!"
    ),
    "report.limit_day": (
        "You have sent as many reports as we can take from you today. Please try again "
        "tomorrow. If it is urgent, call the health station."
    ),
    "report.ask_text": (
        "📣 <b>Report an isolation violation</b>\n\n"
        "Write briefly what you saw: <b>who, where</b> (house number, street, hamlet) and "
        "<b>when</b>. Between {min} and {max} characters.\n\n"
        "Health officers do <b>not</b> learn who sent a report. No need to give your name.\n"
        "Type /cancel to stop."
    ),
    "report.text_length": (
        "The description must be {min} to {max} characters long (yours has {length}). "
        "Please write it again."
    ),
    "report.text_needed": (
        "Please write the description in words first. You can send a photo in the next step."
    ),
    "report.ask_photo": (
        "If you have a photo, send <b>one photo</b> (at most {mb} MB). If not, press «{skip}»."
    ),
    "report.skip": "Skip",
    "report.not_a_photo": (
        "Only photos can be attached, not videos, voice messages or other files. "
        "Send a photo or press «Skip»."
    ),
    "report.photo_too_big": (
        "This photo is too large (over {mb} MB). Send a smaller one or press «Skip»."
    ),
    "report.ask_location": (
        "Where is it happening? If you are near, press «{button}». Or pick a point on the "
        "map (📎 → Location). If not, press «{skip}»."
    ),
    "report.send_location": "📍 Send my current location",
    "report.location_expected": (
        "Please send a location (the button below, or 📎 → Location), or press «Skip»."
    ),
    "report.ask_commune": (
        "In which commune or ward? Type part of its name, for example <i>hac thanh</i> "
        "(no accents needed)."
    ),
    "report.ask_commune_outside": (
        "This location is not in any commune we serve. In which commune or ward is it? "
        "Type part of its name, for example <i>hac thanh</i> (no accents needed)."
    ),
    "report.commune_choices": "Choose the commune or ward:",
    "report.no_commune": (
        "No commune or ward is called «{query}». Please type again; part of the name is enough."
    ),
    "report.commune_button_expected": (
        "Please press one of the communes above, or type the name again to search."
    ),
    "report.summary": (
        "<b>Check your report</b>\n\n"
        "<blockquote>{text}</blockquote>\n"
        "📷 Photo: {photo}\n"
        "📍 Location: {location}\n"
        "🏘 Goes to the health station of: <b>{commune}</b>\n\n"
        "Press «Send» to send it, or /cancel to drop it."
    ),
    "report.yes": "yes",
    "report.no": "no",
    "report.button.send": "📨 Send",
    "report.button.cancel": "✖️ Cancel",
    "report.confirm_expected": "Press «Send» on the message above, or /cancel to drop it.",
    "report.receipt": (
        "✅ Report received. Your reference: <b>{reference}</b>.\n"
        "The health station of {commune} will look into it. You will get a note when it is "
        "handled. Thank you!"
    ),
    "report.receipt_merged": (
        "✅ Report received. Your reference: <b>{reference}</b>.\n"
        "Someone has already reported this, so we joined the reports for the health station "
        "of {commune} to handle once. You will get a note when it is handled. Thank you!"
    ),
    "report.no_draft": "You have no report in progress. Type /report to start one.",
    "report.stale_button": "This button can no longer be used.",
    "report.notice.confirmed": (
        "📣 Report {reference}: health officers visited and confirmed the violation. Thank you!"
    ),
    "report.notice.nothing_found": (
        "📣 Report {reference}: health officers visited and found no violation. Thank you!"
    ),
    "report.notice.abuse": (
        "📣 Report {reference}: the health station closed it without further action."
    ),
    "report.photo_caption": "📷 Photo of report {reference}",
    "report.card.header": "📣 <b>Citizen report</b> · {reference}",
    "report.card.place": "🏘 {commune} · {time}",
    "report.card.text": "<blockquote>{text}</blockquote>",
    "report.card.photo": "📷 With a photo (above).",
    "report.card.pin": "📍 With a location (pin above).",
    "report.card.no_pin": "📍 No location.",
    "report.card.times": "🔁 Reported by <b>{count}</b> people.",
    "report.card.cases": "🏠 Near the home of isolating case(s): <b>{codes}</b>",
    "report.card.open": "Status: <b>new</b>, nobody has taken it.",
    "report.card.acknowledged": "Status: <b>{name}</b> is handling it.",
    "report.card.closed": "Handled ({name}): <b>{outcome}</b>.",
    "report.card.passed_on": "📣 Report {reference} was passed on to <b>{commune}</b>.",
    "report.outcome.confirmed": "visited, violation confirmed",
    "report.outcome.nothing_found": "visited, nothing found",
    "report.outcome.abuse": "false or abusive report",
    "report.button.acknowledge": "✋ Take it",
    "report.button.resolve": "✅ Record outcome…",
    "report.button.abuse": "🚫 False report",
    "report.button.confirmed": "Visited: violation confirmed",
    "report.button.nothing_found": "Visited: nothing found",
    "report.button.not_ours": "Not our commune…",
    "report.button.back": "↩️ Back",
    "report.button.abuse_yes": "🚫 Yes, mark as a false report",
    "report.button.show": "Show {reference}",
    "report.toast.acknowledged": "You have taken this report.",
    "report.toast.closed": "Outcome recorded. The reporter will be told.",
    "report.already_closed": "Report {reference} has already been handled.",
    "report.already_taken": "{name} has already taken this report.",
    "report.reroute_ask": (
        "Report {reference}: type the name of the right commune, for example "
        "<i>hac thanh</i>. Type /cancel to stop."
    ),
    "report.reroute_choices": "Pass report {reference} on to:",
    "report.rerouted": "➡️ Report {reference} was passed on to <b>{commune}</b>.",
    "report.list_header": "<b>Open reports — {area}</b> ({count})",
    "report.list_item": "• <b>{reference}</b> · {time} · {state}{times}\n  {excerpt}",
    "report.list_times": " · {count} people",
    "report.list_empty": "There are no open reports in {area}.",
    "report.state.open": "new",
    "report.state.acknowledged": "being handled",
}
