"""Texts of the Zalo channel: what its renderer adds (more choices, a map link, a file) and
the home location's questions as Zalo shares a location (`<key>.zalo`, for_channel)."""

VI: dict[str, str] = {
    "doctor.zns": "tin mẫu Zalo (ZNS)",
    "doctor.zns_usage": "{days} ngày qua: đã gửi {sent}, đã đến {delivered}, {cost} đồng",
    "zalo.more_choices": "Chọn tiếp:",
    "zalo.pin": "📍 Vị trí trên bản đồ: {url}",
    "zalo.pin_accuracy": "📍 Vị trí trên bản đồ (sai số khoảng {metres} m): {url}",
    "zalo.file_not_shown": "(Tệp «{filename}» không gửi được qua Zalo; hãy hỏi trạm y tế.)",
    # The home location, as Zalo shares one: from its attachment menu, there is no button.
    "enrol.ask_home.zalo": (
        "Khi <b>đang ở nhà</b>, hãy gửi vị trí hiện tại để trạm y tế ghi nhận nơi cách ly: "
        "bấm dấu ➕ (hoặc ⋯) cạnh ô soạn tin → <b>Vị trí</b> → <b>Gửi vị trí hiện tại</b>."
    ),
    "home.need_location.zalo": (
        "Hãy gửi vị trí hiện tại khi đang ở nhà: bấm dấu ➕ (hoặc ⋯) cạnh ô soạn tin → "
        "<b>Vị trí</b> → <b>Gửi vị trí hiện tại</b>."
    ),
    "home.rejected.stale.zalo": "Vị trí này đã cũ. Hãy gửi vị trí hiện tại lần nữa.",
    "home.person_rejected.zalo": (
        "Trạm y tế chưa xác nhận vị trí nhà của {name}. Khi <b>đang ở nhà</b>, hãy gửi vị "
        "trí hiện tại lần nữa: ➕ (hoặc ⋯) → <b>Vị trí</b> → <b>Gửi vị trí hiện tại</b>."
    ),
}

EN: dict[str, str] = {
    "doctor.zns": "Zalo template messages (ZNS)",
    "doctor.zns_usage": "last {days} days: {sent} sent, {delivered} delivered, {cost} VND",
    "zalo.more_choices": "More choices:",
    "zalo.pin": "📍 On the map: {url}",
    "zalo.pin_accuracy": "📍 On the map (within about {metres} m): {url}",
    "zalo.file_not_shown": (
        "(The file “{filename}” cannot be sent on Zalo; ask the health station.)"
    ),
    "enrol.ask_home.zalo": (
        "While you are <b>at home</b>, please send your current location so the health "
        "station can note where you isolate: press ➕ (or ⋯) next to the message box → "
        "<b>Location</b> → <b>Send current location</b>."
    ),
    "home.need_location.zalo": (
        "Please send your current location while at home: press ➕ (or ⋯) next to the "
        "message box → <b>Location</b> → <b>Send current location</b>."
    ),
    "home.rejected.stale.zalo": "That location is old. Please send your current location again.",
    "home.person_rejected.zalo": (
        "The health station has not confirmed {name}'s home. While <b>at home</b>, please send "
        "your current location again: ➕ (or ⋯) → <b>Location</b> → <b>Send current location</b>."
    ),
}
