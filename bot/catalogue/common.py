"""Texts everyone may see: greetings, help, errors, language."""

VI: dict[str, str] = {
    "start.welcome": (
        "Xin chào! Đây là <b>cachly</b>, trợ lý theo dõi cách ly tại nhà của trạm y tế.\n\n"
        "• Nếu trạm y tế đã gửi cho bạn một đường dẫn, hãy mở lại đường dẫn đó.\n"
        "• Gõ /help để xem các lệnh."
    ),
    "help.everyone": (
        "<b>Các lệnh</b>\n"
        "/start – bắt đầu\n"
        "/report – báo tin nghi vi phạm cách ly (ẩn danh)\n"
        "/language – đổi ngôn ngữ (Tiếng Việt / English)\n"
        "/cancel – huỷ việc đang làm\n\n"
        "<b>Nếu bạn đang cách ly tại nhà</b>\n"
        "/checkin – khai báo sức khoẻ ngay\n"
        "/sos – báo cấp cứu cho trạm y tế\n"
        "/status – số ngày cách ly còn lại và lần khai báo tới"
    ),
    "help.officer": (
        "<b>Lệnh của cán bộ y tế</b>\n"
        "/alerts – cảnh báo đang mở\n"
        "/worklist – danh sách cần gọi hoặc đến nhà hôm nay\n"
        "/cases – các ca cách ly của xã/phường\n"
        "/case MÃ – xem một ca\n"
        "/register – đăng ký một ca mới (hoặc gửi tệp CSV/XLSX để nhập nhiều ca)\n"
        "/newlink MÃ – cấp lại đường dẫn tham gia\n"
        "/channel MÃ zalo|sms|telegram – đổi kênh nhận tin\n"
        "/extend MÃ SỐ_NGÀY, /release MÃ, /hospitalized MÃ,\n"
        "/transfer MÃ XÃ – thay đổi một ca\n"
        "/export – xuất danh sách (thêm <code>khaibao</code> để kèm các lần khai báo)\n"
        "/times MÃ 08:00 17:00 – đổi giờ khai báo của một ca\n"
        "/reports – phản ánh của người dân\n"
        "/whoami – vai trò và xã/phường của bạn\n"
        "/web – đường dẫn đăng nhập trang điều hành (bản đồ, cảnh báo)\n"
        "/language – đổi ngôn ngữ"
    ),
    "error.sorry": "Xin lỗi, đã có lỗi xảy ra. Vui lòng thử lại sau ít phút.",
    "error.unknown_command": "Không hiểu lệnh này. Gõ /help để xem các lệnh.",
    "error.not_understood": "Tôi chưa hiểu tin nhắn này. Gõ /help để xem các lệnh.",
    "auth.not_allowed": "Bạn không có quyền làm việc này.",
    "error.stale_button": "Nút này đã cũ hoặc không còn dùng được.",
    "dialogue.cancelled": "Đã huỷ. Bạn có thể bắt đầu lại bất cứ lúc nào.",
    "dialogue.nothing_to_cancel": "Không có việc gì đang làm dở để huỷ.",
    "language.choose": "Chọn ngôn ngữ:",
    "language.set": "Đã chuyển sang Tiếng Việt.",
    "language.unknown": "Ngôn ngữ này chưa có. Hãy chọn Tiếng Việt hoặc English.",
    "language.vi": "Tiếng Việt",
    "language.en": "English",
    "command.start": "Bắt đầu",
    "command.help": "Trợ giúp",
    "command.language": "Đổi ngôn ngữ",
    "command.whoami": "Vai trò của tôi",
    "command.web": "Trang điều hành",
    "command.cancel": "Huỷ việc đang làm",
}

EN: dict[str, str] = {
    "start.welcome": (
        "Hello! This is <b>cachly</b>, the health station's home-isolation assistant.\n\n"
        "• If the health station sent you a link, please open that link again.\n"
        "• Type /help to see the commands."
    ),
    "help.everyone": (
        "<b>Commands</b>\n"
        "/start – start\n"
        "/report – report a suspected isolation violation (anonymous)\n"
        "/language – change language (Tiếng Việt / English)\n"
        "/cancel – cancel what is in progress\n\n"
        "<b>If you are isolating at home</b>\n"
        "/checkin – report how you are now\n"
        "/sos – call the health station for urgent help\n"
        "/status – days of isolation left and your next check-in"
    ),
    "help.officer": (
        "<b>Health officer commands</b>\n"
        "/alerts – open alerts\n"
        "/worklist – who to call or visit today\n"
        "/cases – your commune's cases\n"
        "/case CODE – one case\n"
        "/register – register a new case (or send a CSV/XLSX file to import many)\n"
        "/newlink CODE – a new enrolment link\n"
        "/channel CODE zalo|sms|telegram – change the channel\n"
        "/extend CODE DAYS, /release CODE, /hospitalized CODE,\n"
        "/transfer CODE COMMUNE – change a case\n"
        "/export – export the list (add <code>khaibao</code> for the check-ins)\n"
        "/times CODE 08:00 17:00 – change a case's check-in times\n"
        "/reports – citizens' reports\n"
        "/whoami – your role and commune\n"
        "/web – a sign-in link to the web desk (map, alerts)\n"
        "/language – change language"
    ),
    "error.sorry": "Sorry, something went wrong. Please try again in a few minutes.",
    "error.unknown_command": "I don't know that command. Type /help to see the commands.",
    "error.stale_button": "This button is out of date or no longer works.",
    "error.not_understood": "I didn't understand that message. Type /help to see the commands.",
    "auth.not_allowed": "You are not allowed to do this.",
    "dialogue.cancelled": "Cancelled. You can start again at any time.",
    "dialogue.nothing_to_cancel": "There is nothing in progress to cancel.",
    "language.choose": "Choose a language:",
    "language.set": "Switched to English.",
    "language.unknown": "That language is not available. Please choose Tiếng Việt or English.",
    "language.vi": "Tiếng Việt",
    "language.en": "English",
    "command.start": "Start",
    "command.help": "Help",
    "command.language": "Change language",
    "command.whoami": "My role",
    "command.web": "Web desk",
    "command.cancel": "Cancel what is in progress",
}
