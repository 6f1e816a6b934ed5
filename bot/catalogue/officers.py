"""Texts for officers and supervisors: onboarding and identity."""

VI: dict[str, str] = {
    "invite.welcome_officer": (
        "Chào mừng <b>{name}</b>! Bạn đã được đăng ký là <b>cán bộ y tế</b> của "
        "<b>{commune}</b>, {province}.\nGõ /help để xem các lệnh."
    ),
    "invite.welcome_supervisor": (
        "Chào mừng <b>{name}</b>! Bạn đã được đăng ký là <b>giám sát viên</b> của "
        "<b>{province}</b>.\nGõ /help để xem các lệnh."
    ),
    "invite.invalid": (
        "Đường dẫn này không dùng được (đã dùng, đã hết hạn hoặc không đúng). "
        "Vui lòng xin đường dẫn mới."
    ),
    "whoami.officer": "Bạn là <b>cán bộ y tế</b> của <b>{commune}</b>, {province}.",
    "whoami.supervisor": "Bạn là <b>giám sát viên</b> của <b>{province}</b>.",
    "whoami.unknown": "Bạn chưa được đăng ký là cán bộ y tế.",
    "role.officer": "cán bộ y tế",
    "role.supervisor": "giám sát viên",
}

EN: dict[str, str] = {
    "invite.welcome_officer": (
        "Welcome <b>{name}</b>! You are now registered as a <b>health officer</b> of "
        "<b>{commune}</b>, {province}.\nType /help to see the commands."
    ),
    "invite.welcome_supervisor": (
        "Welcome <b>{name}</b>! You are now registered as a <b>supervisor</b> of "
        "<b>{province}</b>.\nType /help to see the commands."
    ),
    "invite.invalid": (
        "This link cannot be used (already used, expired or not valid). Please ask for a new link."
    ),
    "whoami.officer": "You are a <b>health officer</b> of <b>{commune}</b>, {province}.",
    "whoami.supervisor": "You are a <b>supervisor</b> of <b>{province}</b>.",
    "whoami.unknown": "You are not registered as a health officer.",
    "role.officer": "health officer",
    "role.supervisor": "supervisor",
}

VI.update(
    {
        "admin.bad_role": "Vai trò '{role}' không hợp lệ; dùng officer hoặc supervisor.",
        "admin.unknown_commune": "Không tìm thấy đúng một xã/phường cho '{query}'.",
        "admin.ambiguous_commune": (
            "'{query}' khớp với nhiều xã/phường: {candidates}. Hãy gõ rõ hơn hoặc dùng mã."
        ),
        "admin.status.pending": "chờ dùng",
        "admin.status.used": "đã dùng",
        "admin.status.expired": "hết hạn",
        "admin.status.revoked": "đã thu hồi",
        "admin.status.active": "đang hoạt động",
        "admin.unknown_province": "Không tìm thấy tỉnh/thành cho '{query}'.",
        "admin.unknown_officer": "Không có cán bộ số {id}.",
        "admin.unknown_invitation": "Không có lời mời số {id}.",
        "admin.invitation_used": (
            "Lời mời số {id} đã được dùng; hãy thu hồi quyền của cán bộ (--officer)."
        ),
        "admin.database_error": "Không dùng được cơ sở dữ liệu: {problem}",
        "admin.telegram_refused_token": (
            "telegram.token: Telegram không chấp nhận mã bot này; hãy kiểm tra lại với @BotFather."
        ),
        "admin.telegram_unreachable": "Không kết nối được tới Telegram: {problem}",
        "admin.invited": "Đường dẫn mời {role} ({area}), dùng một lần, hết hạn {expires}:",
        "admin.no_username": (
            "Không biết tên bot: đặt telegram.bot_username trong cấu hình "
            "hoặc kiểm tra mã bot (token)."
        ),
        "admin.no_token": (
            "Chưa có mã bot (token): đặt biến môi trường CACHLY_TELEGRAM_TOKEN "
            "(tạo bot và lấy mã từ @BotFather trong Telegram: gửi /newbot)."
        ),
        "admin.revoked_officer": "Đã thu hồi quyền của cán bộ số {id}.",
        "access.ended": "🔒 Bạn không còn quyền xem nội dung này.",
        "admin.revoked_invitation": "Đã thu hồi lời mời số {id}.",
        "admin.officers_header": "Cán bộ và giám sát viên:",
        "admin.invitations_header": "Lời mời:",
        "admin.none": "  (không có)",
        "admin.file_not_found": "Không tìm thấy tệp {file}.",
        "admin.bad_geojson": "Tệp không phải GeoJSON FeatureCollection hợp lệ ({problem}).",
        "admin.boundary_skipped": "Bỏ qua đối tượng số {index}: {reason}",
        "admin.boundaries_loaded": "Đã nạp ranh giới của {count} xã/phường.",
    }
)

EN.update(
    {
        "admin.bad_role": "Role '{role}' is not valid; use officer or supervisor.",
        "admin.unknown_commune": "No single commune matches '{query}'.",
        "admin.ambiguous_commune": (
            "'{query}' matches several communes: {candidates}. Type more of the name or the code."
        ),
        "admin.status.pending": "pending",
        "admin.status.used": "used",
        "admin.status.expired": "expired",
        "admin.status.revoked": "revoked",
        "admin.status.active": "active",
        "admin.unknown_province": "No province matches '{query}'.",
        "admin.unknown_officer": "There is no officer number {id}.",
        "admin.unknown_invitation": "There is no invitation number {id}.",
        "admin.invitation_used": (
            "Invitation number {id} has been used; revoke the officer instead (--officer)."
        ),
        "admin.database_error": "The database cannot be used: {problem}",
        "admin.telegram_refused_token": (
            "telegram.token: Telegram refused this bot token; check it with @BotFather."
        ),
        "admin.telegram_unreachable": "Cannot reach Telegram: {problem}",
        "admin.invited": "One-time invitation link for a {role} ({area}), expires {expires}:",
        "admin.no_username": (
            "The bot's username is unknown: set telegram.bot_username in the config "
            "or check the bot token."
        ),
        "admin.no_token": (
            "No Telegram bot token: set CACHLY_TELEGRAM_TOKEN "
            "(get one from @BotFather in Telegram: send /newbot)."
        ),
        "admin.revoked_officer": "Officer number {id} has been revoked.",
        "access.ended": "🔒 You no longer have access to this.",
        "admin.revoked_invitation": "Invitation number {id} has been revoked.",
        "admin.officers_header": "Officers and supervisors:",
        "admin.invitations_header": "Invitations:",
        "admin.none": "  (none)",
        "admin.file_not_found": "File {file} not found.",
        "admin.bad_geojson": "The file is not a valid GeoJSON FeatureCollection ({problem}).",
        "admin.boundary_skipped": "Skipped feature number {index}: {reason}",
        "admin.boundaries_loaded": "Loaded the boundaries of {count} communes.",
    }
)
