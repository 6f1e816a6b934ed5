"""Texts about cases: registration, import, enrolment, home, lifecycle, status, export."""

VI: dict[str, str] = {
    # Field errors (chat and file rows).
    "cases.bad_name": "Họ tên chưa đúng: cần ít nhất 2 chữ cái.",
    "cases.too_long": "Quá dài (tối đa {limit} ký tự).",
    "cases.bad_phone": "Số điện thoại '{value}' không đúng (ví dụ: 0912 345 678).",
    "cases.bad_birth_year": "Năm sinh '{value}' không đúng (từ 1900 đến {year}).",
    "cases.bad_kind": "Loại '{value}' không đúng: F0, F1 hoặc Khác.",
    "cases.bad_date": "Ngày '{value}' không đúng (ví dụ: 25/11/2026).",
    "cases.problem.bad_latitude": "vĩ độ '{value}' không đúng (từ -90 đến 90)",
    "cases.problem.bad_longitude": "kinh độ '{value}' không đúng (từ -180 đến 180)",
    "cases.end_before_start": "Ngày kết thúc phải sau ngày bắt đầu.",
    "cases.problem.no_name": "thiếu họ tên",
    "cases.problem.no_phone": "thiếu số điện thoại",
    "cases.problem.half_coordinates": "cần cả vĩ độ và kinh độ",
    "cases.problem.duplicate": "trùng người đang theo dõi (mã {code})",
    "cases.problem.repeated": "trùng với dòng {row}",
    "cases.problem.no_source": "không tìm thấy ca nguồn {code}",
    "cases.problem.ended": "đã hết thời gian cách ly ({end})",
    "cases.problem.far_start": "ngày bắt đầu quá xa (hơn 30 ngày tới)",
    "cases.zone.bad_point": (
        "Không đọc được vị trí. Gửi toạ độ (ví dụ 19.8067, 105.7852) "
        "hoặc đường dẫn Google Maps đầy đủ."
    ),
    "cases.zone.short_link": (
        "Đường dẫn rút gọn không mở được ở đây. Mở nó trên điện thoại rồi "
        "sao chép đường dẫn đầy đủ, hoặc gửi toạ độ."
    ),
    "cases.zone.bad_latitude": "Vĩ độ không đúng (vĩ độ đứng trước, ví dụ 19.8067).",
    "cases.zone.bad_longitude": "Kinh độ không đúng (ví dụ 105.7852).",
    "cases.zone.bad_radius": "Bán kính vùng cách ly không hợp lệ.",
    "cases.zone.polygon_not_closed": "Vùng vẽ chưa khép kín.",
    "cases.zone.polygon_too_few_points": "Vùng vẽ cần ít nhất 3 điểm.",
    "cases.zone.polygon_invalid": "Vùng vẽ không hợp lệ (các cạnh cắt nhau).",
    "cases.zone.polygon_too_large": "Vùng vẽ quá rộng.",
    "cases.zone.polygon_too_wide": "Vùng vẽ quá rộng.",
    "cases.zone.outside_country": "Vị trí này không ở Việt Nam.",
    "cases.zone.bad_data": "Vị trí không hợp lệ.",
    # Files.
    "cases.file_too_big": "Tệp quá lớn (tối đa {limit}). Hãy chia nhỏ danh sách.",
    "cases.file_xls": "Tệp .xls cũ không đọc được. Hãy lưu lại dạng .xlsx hoặc CSV UTF-8.",
    "cases.file_type": "Chỉ nhận tệp CSV hoặc Excel (.xlsx).",
    "cases.file_encoding": (
        "Tệp bị mất dấu tiếng Việt (bảng mã cũ). Trong Excel chọn "
        "Lưu thành → 'CSV UTF-8', rồi gửi lại."
    ),
    "cases.file_unreadable": "Không mở được tệp Excel này. Hãy lưu lại rồi gửi lại.",
    "cases.csv_unreadable": "Không đọc được tệp CSV này. Hãy lưu lại từ Excel rồi gửi lại.",
    "cases.file_empty": "Tệp không có dòng dữ liệu nào.",
    "cases.file_missing_columns": "Tệp thiếu cột: {columns}.",
    "cases.file_too_many_rows": "Tệp có quá {limit} dòng. Hãy chia nhỏ danh sách.",
    # Refusals.
    "cases.duplicate": "Người này đã được theo dõi (mã {code}).",
    "cases.officer_only": "Chỉ cán bộ y tế xã/phường mới làm được việc này.",
    "cases.not_found": "Không tìm thấy ca {code} trong xã/phường của bạn.",
    "cases.already_enrolled": "Ca {code} đã tham gia, không cần đường dẫn mới.",
    "cases.closed": "Ca {code} đã kết thúc hoặc không đổi được theo cách này.",
    "cases.bad_days": "Số ngày phải từ 1 đến {limit}.",
    "cases.same_commune": "Ca này đã ở xã/phường đó.",
    "enrol.invalid": (
        "Đường dẫn này không dùng được (đã dùng, đã hết hạn hoặc không đúng). "
        "Hãy liên hệ trạm y tế để nhận đường dẫn mới."
    ),
    # Labels.
    "cases.kind.f0": "F0 (điều trị tại nhà)",
    "cases.kind.f1": "F1 (cách ly tại nhà)",
    "cases.kind.other": "Khác",
    "cases.status.pending": "Chờ tham gia",
    "cases.status.active": "Đang cách ly",
    "cases.status.hospitalized": "Nhập viện",
    "cases.status.transferred": "Đã chuyển đi",
    "cases.status.released": "Đã kết thúc",
    "cases.status.cancelled": "Đã huỷ",
    "cases.home.not_set": "Chưa xác định",
    "cases.home.proposed": "Chờ xác nhận",
    "cases.home.set": "Đã xác định",
    "cases.verdict.inside": "Ở nhà",
    "cases.verdict.outside": "Ra ngoài",
    "cases.verdict.uncertain": "Chưa rõ",
    "cases.verdict.none": "Đã ghi nhận (chưa có nhà)",
    "cases.outcome.on_time": "Đúng giờ",
    "cases.outcome.late": "Muộn",
    "cases.outcome.missed": "Bỏ lỡ",
    "cases.outcome.cancelled": "Đã huỷ",
    "cases.outcome.none": "Chưa đến giờ",
    "cases.flag.home_not_set": "🏠 chưa xác định nhà",
    "cases.flag.home_proposed": "🏠 chờ xác nhận nhà",
    "cases.flag.not_enrolled": "⏳ chưa tham gia",
    "cases.flag.overdue": "⚠️ quá hạn chưa tham gia",
    "cases.flag.refused": "✋ từ chối",
    # Registration conversation.
    "register.ask_name": "Đăng ký ca mới (gõ /cancel để huỷ).\n\n<b>Họ và tên</b> người cách ly?",
    "register.ask_phone": "<b>Số điện thoại</b>? (ví dụ 0912 345 678)",
    "register.ask_birth": "<b>Năm sinh</b>? (ví dụ 1975)",
    "register.ask_address": "<b>Địa chỉ</b> nơi cách ly? (số nhà, thôn/tổ)",
    "register.ask_kind": "<b>Loại</b>?",
    "register.ask_source": "F1 của ca F0 nào? Gõ <b>mã ca F0</b>, hoặc bấm Bỏ qua.",
    "register.ask_start": "<b>Ngày bắt đầu</b> cách ly?",
    "register.ask_start_date": "Gõ ngày bắt đầu (ví dụ 25/11/2026).",
    "register.ask_end": (
        "<b>Ngày kết thúc</b>? Bấm mặc định ({days} ngày), hoặc gõ số ngày "
        "(ví dụ 10) hay ngày kết thúc (ví dụ 05/12/2026)."
    ),
    "register.ask_home": (
        "<b>Vị trí nhà</b>? Gửi toạ độ (ví dụ 19.8067, 105.7852), đường dẫn Google Maps, "
        "hoặc một vị trí. Nếu chưa biết, bấm nút dưới: người cách ly sẽ tự gửi."
    ),
    "register.summary": (
        "<b>Kiểm tra lại</b>\n"
        "Họ tên: {name}\n"
        "Điện thoại: {phone}\n"
        "Năm sinh: {birth}\n"
        "Địa chỉ: {address}\n"
        "Loại: {kind}{source}\n"
        "Từ {start} đến {end} ({days} ngày)\n"
        "Nhà: {home}"
    ),
    "register.source_line": " của {code}",
    "register.home_point": "{point} (xem ghim bản đồ ở trên)",
    "register.home_later": "người cách ly tự gửi",
    "register.unknown": "—",
    "register.skip": "Bỏ qua",
    "register.today": "Hôm nay",
    "register.tomorrow": "Ngày mai",
    "register.other_date": "Ngày khác",
    "register.default_days": "{days} ngày (mặc định)",
    "register.home_later_button": "Người cách ly tự gửi",
    "register.confirm": "✅ Đăng ký",
    "register.cancel": "❌ Huỷ",
    "register.edit": "✏️ Sửa",
    "register.ask_edit": "Sửa mục nào?",
    "register.back": "↩️ Quay lại",
    "register.field.name": "Họ tên",
    "register.field.phone": "Điện thoại",
    "register.field.birth": "Năm sinh",
    "register.field.address": "Địa chỉ",
    "register.field.kind": "Loại",
    "register.field.start": "Ngày bắt đầu",
    "register.field.end": "Ngày kết thúc",
    "register.field.home": "Vị trí nhà",
    "register.use_buttons": "Hãy bấm một nút ở trên, hoặc gõ /cancel để huỷ.",
    "register.stale_button": "Nút này đã cũ.",
    "register.done": (
        "✅ Đã đăng ký <b>{name}</b>, mã <b>{code}</b>.\n"
        "Gửi đường dẫn dưới đây cho người cách ly (dùng một lần, hết hạn {expires}):\n{link}"
    ),
    "register.qr_caption": "Mã QR để tham gia của {name} ({code}): quét bằng camera điện thoại.",
    "register.forward": (
        "Trạm y tế mời bạn tham gia theo dõi cách ly tại nhà qua Telegram. "
        "Mở đường dẫn và làm theo hướng dẫn:\n{link}"
    ),
    # Import.
    "import.done": (
        "✅ Đã nhập <b>{count}</b> ca vào {commune}. Tệp kèm theo có đường dẫn của từng người."
    ),
    "import.problems": "Tệp có <b>{total}</b> dòng, <b>{count}</b> dòng lỗi:",
    "import.problem_line": "• Dòng {row}: {reasons}",
    "import.more": "… và {count} dòng lỗi khác.",
    "import.nothing_imported": "Chưa nhập gì. Sửa tệp rồi gửi lại.",
    "import.confirm": "Chưa nhập gì. Nhập riêng <b>{valid}</b> dòng đúng, bỏ qua các dòng lỗi?",
    "import.button_ok": "Nhập {valid} dòng đúng",
    "import.button_no": "Huỷ",
    "import.cancelled": "Đã huỷ, không nhập gì.",
    "import.links_caption": "Đường dẫn tham gia ({count} người).",
    "import.cli_problems": "Tệp có {total} dòng, {count} dòng lỗi:",
    "import.cli_nothing": (
        "Chưa nhập gì. Sửa tệp, hoặc chạy lại với --skip-invalid để chỉ nhập {valid} dòng đúng."
    ),
    "import.cli_done": "Đã nhập {count} ca vào {commune}. Đường dẫn tham gia: {path}",
    # Enrolment.
    "enrol.notice": (
        "Xin chào <b>{name}</b>. {commune} mời bạn tham gia theo dõi cách ly tại nhà "
        "đến ngày {end}.\n\n"
        "<b>Thông tin bạn cung cấp</b>\n"
        "• Họ tên, số điện thoại, năm sinh, địa chỉ (trạm y tế đã ghi).\n"
        "• Câu trả lời khai báo sức khoẻ hằng ngày.\n"
        "• Vị trí của bạn khi bạn gửi (chỉ để biết bạn có ở nhà không).\n\n"
        "<b>Ai được xem</b>: chỉ cán bộ y tế xã/phường của bạn và cơ quan y tế tỉnh.\n"
        "<b>Giữ bao lâu</b>: vị trí và khai báo bị xoá sau khi bạn kết thúc cách ly "
        "một thời gian theo quy định; không dùng vào việc khác.\n\n"
        "Bạn có đồng ý tham gia không?"
    ),
    "enrol.agree": "✅ Tôi đồng ý",
    "enrol.refuse": "Không đồng ý",
    "enrol.welcome": (
        "Cảm ơn! <b>{name}</b> đã tham gia. Cách ly đến ngày {end}.\n"
        "Gõ /status để xem số ngày còn lại."
    ),
    "enrol.ask_home": (
        "Khi <b>đang ở nhà</b>, hãy bấm nút <b>📍 Gửi vị trí nhà tôi</b> bên dưới "
        "để trạm y tế ghi nhận nơi cách ly."
    ),
    "enrol.refused": (
        "Bạn đã không đồng ý. Trạm y tế đã được báo và sẽ liên hệ với bạn. "
        "Nếu đổi ý, hãy mở lại đường dẫn."
    ),
    "enrol.use_buttons": "Hãy bấm nút «{agree}» hoặc «{refuse}» ngay dưới đây.",
    "enrol.not_agreed": (
        "<b>{name}</b> chưa đồng ý tham gia theo dõi cách ly tại nhà, nên chưa khai báo được. "
        "Nếu đồng ý, hãy đọc lại dưới đây rồi bấm «{agree}»."
    ),
    "enrol.not_agreed_expired": (
        "<b>{name}</b> chưa đồng ý tham gia theo dõi cách ly tại nhà, nên chưa khai báo được. "
        "Đường dẫn cũ đã hết hạn: hãy gọi trạm y tế xin đường dẫn mới, mở nó rồi bấm «{agree}»."
    ),
    # Home.
    "home.send_button": "📍 Gửi vị trí nhà tôi",
    "home.sent": "Đã gửi vị trí nhà cho trạm y tế. Bạn sẽ được báo khi trạm xác nhận.",
    "home.need_location": "Hãy bấm nút 📍 Gửi vị trí nhà tôi bên dưới (khi đang ở nhà).",
    "home.rejected.forwarded": "Vị trí chuyển tiếp không dùng được. Hãy bấm nút gửi vị trí.",
    "home.rejected.venue": "Hãy gửi vị trí hiện tại của bạn, không chọn một địa điểm.",
    "home.rejected.stale": "Vị trí này đã cũ. Hãy bấm nút gửi vị trí lần nữa.",
    "home.rejected.outside_country": "Vị trí này không ở Việt Nam. Hãy thử lại.",
    "home.rejected.impossible_jump": "Vị trí không hợp lý. Hãy thử lại.",
    "home.nothing_to_set": "Không có ca nào cần xác định nhà.",
    "home.already_decided": "Vị trí nhà của ca {code} đã được xử lý.",
    "home.officer_check": (
        "🏠 <b>{name}</b> ({code}) gửi vị trí nhà (ở trên).\n"
        "Địa chỉ đã ghi: {address}\n{accuracy}\nĐúng là nhà không?"
    ),
    "home.accuracy": "Độ chính xác khoảng {metres} m.",
    "home.accuracy_unknown": "Không rõ độ chính xác.",
    "home.accept": "✅ Đúng nhà",
    "home.reject": "❌ Không đúng",
    "home.accepted_by": "✅ Đã xác nhận nhà của {name} ({code}).",
    "home.rejected_by": "❌ Đã từ chối vị trí của {name} ({code}); đã nhắn gửi lại.",
    "home.person_accepted": "✅ Trạm y tế đã xác nhận nơi cách ly của {name}. Cảm ơn!",
    "home.person_rejected": (
        "Trạm y tế chưa xác nhận vị trí nhà của {name}. Khi <b>đang ở nhà</b>, "
        "hãy bấm nút 📍 Gửi vị trí nhà tôi lần nữa."
    ),
    # Notices to officers and people.
    "cases.notice.enrolled": "✅ <b>{name}</b> ({code}) đã tham gia.",
    "cases.notice.transferred_in": (
        "📥 <b>{name}</b> (mã mới {code}) được chuyển đến từ {commune}. Gõ /case {code}."
    ),
    "cases.person.extended": "Thời gian cách ly của {name} được kéo dài, kết thúc ngày {end}.",
    "cases.person.released": (
        "🎉 {name} đã được kết thúc cách ly. Cảm ơn bạn! Bot sẽ không hỏi thêm nữa."
    ),
    "cases.person.completed": (
        "🎉 {name} đã hoàn thành thời gian cách ly hôm nay. Cảm ơn bạn! "
        "Bot sẽ không hỏi thêm nữa. Nếu thấy mệt, hãy gọi trạm y tế."
    ),
    "cases.person.hospitalized": (
        "Bạn được chuyển điều trị tại cơ sở y tế. Bot tạm dừng hỏi khai báo."
    ),
    "cases.person.transferred": (
        "{name} được chuyển sang theo dõi tại {commune}. Khi <b>đang ở nhà</b>, "
        "hãy bấm nút 📍 Gửi vị trí nhà tôi."
    ),
    # Lists and details.
    "cases.list_header": "<b>Ca đang theo dõi</b>: {count}",
    "cases.list_group": "\n<b>{status}</b> ({count})",
    "cases.list_line": "<code>{code}</code> {name} – ngày {day}/{total}{flags}",
    "cases.list_line_pending": "<code>{code}</code> {name}{flags}",
    "cases.list_empty": "Chưa có ca nào. Gõ /register để đăng ký, hoặc gửi tệp danh sách.",
    "cases.detail": (
        "<b>{name}</b> – mã <code>{code}</code>\n"
        "Trạng thái: {status}\n"
        "Loại: {kind}{source}\n"
        "Điện thoại: {phone}\n"
        "Năm sinh: {birth}\n"
        "Địa chỉ: {address}\n"
        "{commune}\n"
        "Từ {start} đến {end} – ngày {day}/{total}\n"
        "Nhà: {home}\n"
        "\n"
        "📝 Khai báo gần nhất: {checkin}{answers}{trend}\n"
        "📍 Vị trí gần nhất: {location}\n"
        "🔔 Cảnh báo đang mở: {alerts}"
    ),
    "cases.never": "chưa có",
    "cases.location_line": "{verdict}, {when}",
    "cases.location_distance": "{verdict} ({metres} m), {when}",
    "cases.location_accuracy": "{verdict}, cách nhà {metres} m (sai số ±{accuracy} m), {when}",
    "cases.card.symptoms": "{feeling} · Triệu chứng: {symptoms}",
    "cases.card.no_symptoms": "không có",
    "cases.card.trend.spo2": "📈 SpO2: {values}",
    "cases.card.trend.temperature": "📈 Nhiệt độ: {values}",
    "cases.card.no_alerts": "không có",
    "cases.card.alert": "• {kind} – {state}, {time}",
    "cases.card.alert_state.open": "chưa ai nhận",
    "cases.card.alert_state.acknowledged": "đã có người nhận",
    "cases.usage.case": (
        "Gõ /case và mã ca, ví dụ: /case K7M3QX\n"
        "Thêm khaibao để nhận tệp mọi lần khai báo của ca: /case K7M3QX khaibao"
    ),
    "cases.history_caption": "Các lần khai báo của {name} ({code}): {count} lần.",
    "cases.history_empty": "{name} ({code}) chưa có lần khai báo nào.",
    "cases.usage.newlink": "Gõ /newlink và mã ca, ví dụ: /newlink K7M3QX",
    "cases.usage.extend": "Gõ /extend, mã ca và số ngày, ví dụ: /extend K7M3QX 3",
    "cases.usage.release": "Gõ /release và mã ca, ví dụ: /release K7M3QX",
    "cases.usage.hospitalized": "Gõ /hospitalized và mã ca, ví dụ: /hospitalized K7M3QX",
    "cases.usage.transfer": (
        "Gõ /transfer, mã ca và xã/phường mới, ví dụ: /transfer K7M3QX Đông Sơn"
    ),
    "cases.confirm.extend": (
        "Kéo dài cách ly của <b>{name}</b> ({code}) thêm {days} ngày, đến {end}?"
    ),
    "cases.confirm.release": "Kết thúc cách ly ngay cho <b>{name}</b> ({code})?",
    "cases.confirm.hospitalize": "Ghi nhận <b>{name}</b> ({code}) đã nhập viện? Bot sẽ ngừng hỏi.",
    "cases.confirm.transfer": "Chuyển <b>{name}</b> ({code}) sang {commune}?",
    "cases.yes": "✅ Đồng ý",
    "cases.no": "Huỷ",
    "cases.done.extend": "✅ Đã kéo dài: {name} ({code}) đến {end}.",
    "cases.done.release": "✅ Đã kết thúc cách ly: {name} ({code}).",
    "cases.done.hospitalize": "✅ Đã ghi nhận nhập viện: {name} ({code}).",
    "cases.done.transfer": "✅ Đã chuyển {name} ({code}) sang {commune}.",
    "cases.change_cancelled": "Đã huỷ, không thay đổi gì.",
    "cases.newlink": (
        "🔗 Đường dẫn mới cho <b>{name}</b> ({code}), hết hạn {expires}. "
        "Đường dẫn cũ không dùng được nữa.\n{link}"
    ),
    "export.caption": "Danh sách {count} ca.",
    "export.empty": "Chưa có ca nào để xuất.",
    "import.progress": "⏳ Đang kiểm tra dòng {checked} / {total}…",
    "import.checked": "✅ Đã kiểm tra {total} dòng.",
    "export.checkins_caption": (
        "Danh sách {count} ca (trang «{cases_sheet}») và {checkins} lần khai báo "
        "(trang «{checkins_sheet}»)."
    ),
    "export.zip_caption": "Cùng dữ liệu dạng CSV, mỗi trang một tệp.",
    "export.hint": "Gõ /export khaibao để xuất cả các lần khai báo.",
    # People.
    "status.none": "Bạn chưa tham gia theo dõi cách ly nào.",
    "status.line": (
        "<b>{name}</b>: ngày {day}/{total}, kết thúc ngày {end}.\nKhai báo tiếp theo: {next}"
    ),
    "status.hospitalized": "<b>{name}</b>: đang điều trị tại cơ sở y tế.",
    "status.home_not_set": "🏠 Chưa xác định nơi cách ly: hãy gửi vị trí khi đang ở nhà.",
    "status.next_unknown": "trạm y tế sẽ nhắn",
    "command.register": "Đăng ký ca mới",
    "command.cases": "Danh sách ca",
    "command.case": "Xem một ca",
    "command.newlink": "Đường dẫn mới",
    "command.extend": "Kéo dài cách ly",
    "command.release": "Kết thúc cách ly",
    "command.hospitalized": "Ghi nhận nhập viện",
    "command.transfer": "Chuyển xã/phường",
    "command.export": "Xuất danh sách",
    "command.status": "Số ngày còn lại",
}

EN: dict[str, str] = {
    "cases.bad_name": "That name is not right: at least 2 letters are needed.",
    "cases.too_long": "Too long (at most {limit} characters).",
    "cases.bad_phone": "Phone number '{value}' is not valid (for example 0912 345 678).",
    "cases.bad_birth_year": "Year of birth '{value}' is not valid (1900 to {year}).",
    "cases.bad_kind": "Kind '{value}' is not valid: F0, F1 or Other.",
    "cases.bad_date": "Date '{value}' is not valid (for example 25/11/2026).",
    "cases.problem.bad_latitude": "latitude '{value}' is not valid (-90 to 90)",
    "cases.problem.bad_longitude": "longitude '{value}' is not valid (-180 to 180)",
    "cases.end_before_start": "The end date must be after the start date.",
    "cases.problem.no_name": "no full name",
    "cases.problem.no_phone": "no phone number",
    "cases.problem.half_coordinates": "both latitude and longitude are needed",
    "cases.problem.duplicate": "already followed (code {code})",
    "cases.problem.repeated": "same person as row {row}",
    "cases.problem.no_source": "source case {code} not found",
    "cases.problem.ended": "isolation already over ({end})",
    "cases.problem.far_start": "start date too far ahead (over 30 days)",
    "cases.zone.bad_point": (
        "I could not read a location. Send coordinates (for example 19.8067, 105.7852) "
        "or a full Google Maps link."
    ),
    "cases.zone.short_link": (
        "Short links cannot be opened here. Open it on your phone and copy the full link, "
        "or send coordinates."
    ),
    "cases.zone.bad_latitude": "The latitude is not valid (latitude first, e.g. 19.8067).",
    "cases.zone.bad_longitude": "The longitude is not valid (e.g. 105.7852).",
    "cases.zone.bad_radius": "The zone radius is not valid.",
    "cases.zone.polygon_not_closed": "The drawn zone is not closed.",
    "cases.zone.polygon_too_few_points": "The drawn zone needs at least 3 corners.",
    "cases.zone.polygon_invalid": "The drawn zone is not valid (its edges cross).",
    "cases.zone.polygon_too_large": "The drawn zone is too large.",
    "cases.zone.polygon_too_wide": "The drawn zone is too wide.",
    "cases.zone.outside_country": "That place is not in Vietnam.",
    "cases.zone.bad_data": "The location is not valid.",
    "cases.file_too_big": "The file is too big (at most {limit}). Please split the list.",
    "cases.file_xls": "Old .xls files cannot be read. Save it as .xlsx or CSV UTF-8.",
    "cases.file_type": "Only CSV or Excel (.xlsx) files are accepted.",
    "cases.file_encoding": (
        "The file lost its Vietnamese letters (old encoding). In Excel choose "
        "Save As → 'CSV UTF-8' and send it again."
    ),
    "cases.file_unreadable": "This Excel file cannot be opened. Save it again and resend.",
    "cases.csv_unreadable": "This CSV file cannot be read. Save it again from Excel and resend.",
    "cases.file_empty": "The file has no data rows.",
    "cases.file_missing_columns": "The file lacks the columns: {columns}.",
    "cases.file_too_many_rows": "The file has over {limit} rows. Please split the list.",
    "cases.duplicate": "This person is already followed (code {code}).",
    "cases.officer_only": "Only a commune health officer can do this.",
    "cases.not_found": "No case {code} in your commune.",
    "cases.already_enrolled": "Case {code} has already joined; no new link is needed.",
    "cases.closed": "Case {code} is closed or cannot be changed this way.",
    "cases.bad_days": "The number of days must be 1 to {limit}.",
    "cases.same_commune": "The case is already in that commune.",
    "enrol.invalid": (
        "This link cannot be used (already used, expired or not valid). "
        "Please ask the health station for a new link."
    ),
    "cases.kind.f0": "F0 (treated at home)",
    "cases.kind.f1": "F1 (quarantine at home)",
    "cases.kind.other": "Other",
    "cases.status.pending": "Not joined yet",
    "cases.status.active": "In isolation",
    "cases.status.hospitalized": "In hospital",
    "cases.status.transferred": "Transferred",
    "cases.status.released": "Released",
    "cases.status.cancelled": "Cancelled",
    "cases.home.not_set": "Not set",
    "cases.home.proposed": "Awaiting confirmation",
    "cases.home.set": "Set",
    "cases.verdict.inside": "At home",
    "cases.verdict.outside": "Outside",
    "cases.verdict.uncertain": "Uncertain",
    "cases.verdict.none": "Recorded (no home yet)",
    "cases.outcome.on_time": "On time",
    "cases.outcome.late": "Late",
    "cases.outcome.missed": "Missed",
    "cases.outcome.cancelled": "Cancelled",
    "cases.outcome.none": "Not due yet",
    "cases.flag.home_not_set": "🏠 home not set",
    "cases.flag.home_proposed": "🏠 home to confirm",
    "cases.flag.not_enrolled": "⏳ not joined",
    "cases.flag.overdue": "⚠️ not joined, overdue",
    "cases.flag.refused": "✋ refused",
    "register.ask_name": "New case (type /cancel to stop).\n\n<b>Full name</b> of the person?",
    "register.ask_phone": "<b>Phone number</b>? (for example 0912 345 678)",
    "register.ask_birth": "<b>Year of birth</b>? (for example 1975)",
    "register.ask_address": "<b>Address</b> where they isolate? (house number, hamlet)",
    "register.ask_kind": "<b>Kind</b>?",
    "register.ask_source": "F1 of which F0? Type the <b>F0's case code</b>, or press Skip.",
    "register.ask_start": "<b>Start date</b> of isolation?",
    "register.ask_start_date": "Type the start date (for example 25/11/2026).",
    "register.ask_end": (
        "<b>End date</b>? Press the default ({days} days), or type a number of days "
        "(for example 10) or an end date (for example 05/12/2026)."
    ),
    "register.ask_home": (
        "<b>Home location</b>? Send coordinates (for example 19.8067, 105.7852), a Google Maps "
        "link or a location. If unknown, press the button: the person will send it."
    ),
    "register.summary": (
        "<b>Please check</b>\n"
        "Name: {name}\n"
        "Phone: {phone}\n"
        "Year of birth: {birth}\n"
        "Address: {address}\n"
        "Kind: {kind}{source}\n"
        "From {start} to {end} ({days} days)\n"
        "Home: {home}"
    ),
    "register.source_line": " of {code}",
    "register.home_point": "{point} (see the map pin above)",
    "register.home_later": "the person will send it",
    "register.unknown": "—",
    "register.skip": "Skip",
    "register.today": "Today",
    "register.tomorrow": "Tomorrow",
    "register.other_date": "Other date",
    "register.default_days": "{days} days (default)",
    "register.home_later_button": "The person will send it",
    "register.confirm": "✅ Register",
    "register.cancel": "❌ Cancel",
    "register.edit": "✏️ Edit",
    "register.ask_edit": "Which field to change?",
    "register.back": "↩️ Back",
    "register.field.name": "Name",
    "register.field.phone": "Phone",
    "register.field.birth": "Year of birth",
    "register.field.address": "Address",
    "register.field.kind": "Kind",
    "register.field.start": "Start date",
    "register.field.end": "End date",
    "register.field.home": "Home location",
    "register.use_buttons": "Please press one of the buttons above, or type /cancel.",
    "register.stale_button": "This button is out of date.",
    "register.done": (
        "✅ Registered <b>{name}</b>, code <b>{code}</b>.\n"
        "Send the person this link (single use, expires {expires}):\n{link}"
    ),
    "register.qr_caption": "QR code to join for {name} ({code}): scan it with a phone camera.",
    "register.forward": (
        "The health station invites you to home-isolation follow-up on Telegram. "
        "Open the link and follow the steps:\n{link}"
    ),
    "import.done": (
        "✅ Imported <b>{count}</b> {count:case|cases} into {commune}. "
        "The attached file has each person's link."
    ),
    "import.problems": (
        "The file has <b>{total}</b> {total:row|rows}, <b>{count}</b> with problems:"
    ),
    "import.problem_line": "• Row {row}: {reasons}",
    "import.more": "… and {count} more {count:row|rows} with problems.",
    "import.nothing_imported": "Nothing was imported. Fix the file and send it again.",
    "import.confirm": (
        "Nothing imported yet. Import only the <b>{valid}</b> good {valid:row|rows} "
        "and skip the bad ones?"
    ),
    "import.button_ok": "Import {valid} good {valid:row|rows}",
    "import.button_no": "Cancel",
    "import.cancelled": "Cancelled; nothing was imported.",
    "import.links_caption": "Enrolment links ({count} {count:person|people}).",
    "import.cli_problems": "The file has {total} {total:row|rows}, {count} with problems:",
    "import.cli_nothing": (
        "Nothing was imported. Fix the file, or run again with --skip-invalid to import "
        "only the {valid} good {valid:row|rows}."
    ),
    "import.cli_done": (
        "Imported {count} {count:case|cases} into {commune}. Enrolment links: {path}"
    ),
    "enrol.notice": (
        "Hello <b>{name}</b>. {commune} invites you to home-isolation follow-up "
        "until {end}.\n\n"
        "<b>What is collected</b>\n"
        "• Name, phone number, year of birth, address (noted by the health station).\n"
        "• Your daily health check-in answers.\n"
        "• Your location when you send it (only to know whether you are at home).\n\n"
        "<b>Who sees it</b>: only your commune's health officers and the provincial "
        "health authority.\n"
        "<b>How long</b>: locations and check-ins are deleted some time after your "
        "isolation ends, as the rules require; never used for anything else.\n\n"
        "Do you agree to take part?"
    ),
    "enrol.agree": "✅ I agree",
    "enrol.refuse": "I do not agree",
    "enrol.welcome": (
        "Thank you! <b>{name}</b> has joined. Isolation ends on {end}.\n"
        "Type /status to see the days left."
    ),
    "enrol.ask_home": (
        "While you are <b>at home</b>, press <b>📍 Send my home location</b> below "
        "so the health station can note where you isolate."
    ),
    "enrol.refused": (
        "You did not agree. The health station has been told and will contact you. "
        "If you change your mind, open the link again."
    ),
    "enrol.use_buttons": "Please press «{agree}» or «{refuse}» just below.",
    "enrol.not_agreed": (
        "<b>{name}</b> has not agreed to home-isolation follow-up yet, so check-ins cannot "
        "start. If you agree, read the notice below again and press «{agree}»."
    ),
    "enrol.not_agreed_expired": (
        "<b>{name}</b> has not agreed to home-isolation follow-up yet, so check-ins cannot "
        "start. The old link has expired: ask the health station for a new link, open it "
        "and press «{agree}»."
    ),
    "home.send_button": "📍 Send my home location",
    "home.sent": (
        "Your home location was sent to the health station. You will be told when they confirm it."
    ),
    "home.need_location": "Please press 📍 Send my home location below (while at home).",
    "home.rejected.forwarded": (
        "A forwarded location cannot be used. Press the button to send yours."
    ),
    "home.rejected.venue": "Please send your current location, not a place from the map.",
    "home.rejected.stale": "That location is old. Press the button to send it again.",
    "home.rejected.outside_country": "That location is not in Vietnam. Please try again.",
    "home.rejected.impossible_jump": "That location is not plausible. Please try again.",
    "home.nothing_to_set": "No case needs a home location.",
    "home.already_decided": "The home of case {code} has already been dealt with.",
    "home.officer_check": (
        "🏠 <b>{name}</b> ({code}) sent their home location (above).\n"
        "Address on file: {address}\n{accuracy}\nIs this the home?"
    ),
    "home.accuracy": "Accuracy about {metres} m.",
    "home.accuracy_unknown": "Accuracy unknown.",
    "home.accept": "✅ Correct",
    "home.reject": "❌ Wrong",
    "home.accepted_by": "✅ Home of {name} ({code}) confirmed.",
    "home.rejected_by": "❌ Location of {name} ({code}) rejected; they were asked again.",
    "home.person_accepted": "✅ The health station confirmed where {name} isolates. Thank you!",
    "home.person_rejected": (
        "The health station did not confirm the home location of {name}. While you are "
        "<b>at home</b>, press 📍 Send my home location again."
    ),
    "cases.notice.enrolled": "✅ <b>{name}</b> ({code}) has joined.",
    "cases.notice.transferred_in": (
        "📥 <b>{name}</b> (new code {code}) was transferred from {commune}. Type /case {code}."
    ),
    "cases.person.extended": "The isolation of {name} is extended; it ends on {end}.",
    "cases.person.released": (
        "🎉 The isolation of {name} has ended. Thank you! You will get no more questions."
    ),
    "cases.person.completed": (
        "🎉 {name} completed the isolation today. Thank you! You will get no more "
        "questions. If you feel unwell, call the health station."
    ),
    "cases.person.hospitalized": (
        "You are now cared for at a health facility. Check-in questions are paused."
    ),
    "cases.person.transferred": (
        "{name} is now followed by {commune}. While you are <b>at home</b>, "
        "press 📍 Send my home location."
    ),
    "cases.list_header": "<b>Cases followed</b>: {count}",
    "cases.list_group": "\n<b>{status}</b> ({count})",
    "cases.list_line": "<code>{code}</code> {name} – day {day} of {total}{flags}",
    "cases.list_line_pending": "<code>{code}</code> {name}{flags}",
    "cases.list_empty": "No cases yet. Type /register to add one, or send a list file.",
    "cases.detail": (
        "<b>{name}</b> – code <code>{code}</code>\n"
        "Status: {status}\n"
        "Kind: {kind}{source}\n"
        "Phone: {phone}\n"
        "Year of birth: {birth}\n"
        "Address: {address}\n"
        "{commune}\n"
        "From {start} to {end} – day {day} of {total}\n"
        "Home: {home}\n"
        "\n"
        "📝 Last check-in: {checkin}{answers}{trend}\n"
        "📍 Last location: {location}\n"
        "🔔 Open alerts: {alerts}"
    ),
    "cases.never": "none yet",
    "cases.location_line": "{verdict}, {when}",
    "cases.location_distance": "{verdict} ({metres} m), {when}",
    "cases.location_accuracy": "{verdict}, {metres} m from home (±{accuracy} m), {when}",
    "cases.card.symptoms": "{feeling} · Symptoms: {symptoms}",
    "cases.card.no_symptoms": "none",
    "cases.card.trend.spo2": "📈 SpO2: {values}",
    "cases.card.trend.temperature": "📈 Temperature: {values}",
    "cases.card.no_alerts": "none",
    "cases.card.alert": "• {kind} – {state}, {time}",
    "cases.card.alert_state.open": "nobody has taken it",
    "cases.card.alert_state.acknowledged": "taken",
    "cases.usage.case": (
        "Type /case and the case code, for example: /case K7M3QX\n"
        "Add khaibao for a file of every check-in of the case: /case K7M3QX khaibao"
    ),
    "cases.history_caption": "Check-ins of {name} ({code}): {count}.",
    "cases.history_empty": "{name} ({code}) has no check-ins yet.",
    "cases.usage.newlink": "Type /newlink and the case code, for example: /newlink K7M3QX",
    "cases.usage.extend": "Type /extend, the case code and days, for example: /extend K7M3QX 3",
    "cases.usage.release": "Type /release and the case code, for example: /release K7M3QX",
    "cases.usage.hospitalized": (
        "Type /hospitalized and the case code, for example: /hospitalized K7M3QX"
    ),
    "cases.usage.transfer": (
        "Type /transfer, the case code and the new commune, for example: /transfer K7M3QX Đông Sơn"
    ),
    "cases.confirm.extend": (
        "Extend the isolation of <b>{name}</b> ({code}) by {days} days, to {end}?"
    ),
    "cases.confirm.release": "End the isolation of <b>{name}</b> ({code}) now?",
    "cases.confirm.hospitalize": "Record <b>{name}</b> ({code}) as in hospital? Check-ins stop.",
    "cases.confirm.transfer": "Transfer <b>{name}</b> ({code}) to {commune}?",
    "cases.yes": "✅ Yes",
    "cases.no": "Cancel",
    "cases.done.extend": "✅ Extended: {name} ({code}) until {end}.",
    "cases.done.release": "✅ Released: {name} ({code}).",
    "cases.done.hospitalize": "✅ Recorded in hospital: {name} ({code}).",
    "cases.done.transfer": "✅ Transferred {name} ({code}) to {commune}.",
    "cases.change_cancelled": "Cancelled; nothing changed.",
    "cases.newlink": (
        "🔗 New link for <b>{name}</b> ({code}), expires {expires}. "
        "The old link no longer works.\n{link}"
    ),
    "export.caption": "List of {count} cases.",
    "export.empty": "There are no cases to export yet.",
    "import.progress": "⏳ Checking row {checked} of {total}…",
    "import.checked": "✅ Checked {total} rows.",
    "export.checkins_caption": (
        "{count} cases (sheet “{cases_sheet}”) and {checkins} check-ins (sheet “{checkins_sheet}”)."
    ),
    "export.zip_caption": "The same data as CSV, one file per sheet.",
    "export.hint": "Type /export checkins to export the check-ins as well.",
    "status.none": "You are not enrolled in any home isolation.",
    "status.line": ("<b>{name}</b>: day {day} of {total}, ends on {end}.\nNext check-in: {next}"),
    "status.hospitalized": "<b>{name}</b>: cared for at a health facility.",
    "status.home_not_set": "🏠 Home not set yet: send your location while at home.",
    "status.next_unknown": "the health station will message you",
    "command.register": "Register a case",
    "command.cases": "List cases",
    "command.case": "Show one case",
    "command.newlink": "New enrolment link",
    "command.extend": "Extend isolation",
    "command.release": "End isolation",
    "command.hospitalized": "Record hospital stay",
    "command.transfer": "Transfer to a commune",
    "command.export": "Export the list",
    "command.status": "Days left",
}
