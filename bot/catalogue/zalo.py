"""Texts the Zalo channel adds to what the services say: how to share a location, etc."""

VI: dict[str, str] = {
    "zalo.share_location": (
        "📍 Để gửi vị trí: bấm dấu ➕ (hoặc biểu tượng đính kèm) cạnh ô nhập tin, "
        "chọn <b>Vị trí</b>, rồi <b>Gửi vị trí hiện tại</b>."
    ),
    "zalo.more_choices": "Chọn tiếp:",
    "zalo.pin": "📍 Vị trí trên bản đồ: {url}",
    "zalo.pin_accuracy": "📍 Vị trí trên bản đồ (sai số khoảng {metres} m): {url}",
    "zalo.file_not_shown": "(Tệp «{filename}» không gửi được qua Zalo; hãy hỏi trạm y tế.)",
}

EN: dict[str, str] = {
    "zalo.share_location": (
        "📍 To send your location: tap ➕ (or the attachment icon) beside the message box, "
        "choose <b>Location</b>, then <b>Send current location</b>."
    ),
    "zalo.more_choices": "More choices:",
    "zalo.pin": "📍 On the map: {url}",
    "zalo.pin_accuracy": "📍 On the map (within about {metres} m): {url}",
    "zalo.file_not_shown": "(The file “{filename}” cannot be sent on Zalo; ask the health station.)",
}
