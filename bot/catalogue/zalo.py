"""Texts the Zalo channel adds to what the services say: more choices, a map link, a file."""

VI: dict[str, str] = {
    "zalo.more_choices": "Chọn tiếp:",
    "zalo.pin": "📍 Vị trí trên bản đồ: {url}",
    "zalo.pin_accuracy": "📍 Vị trí trên bản đồ (sai số khoảng {metres} m): {url}",
    "zalo.file_not_shown": "(Tệp «{filename}» không gửi được qua Zalo; hãy hỏi trạm y tế.)",
}

EN: dict[str, str] = {
    "zalo.more_choices": "More choices:",
    "zalo.pin": "📍 On the map: {url}",
    "zalo.pin_accuracy": "📍 On the map (within about {metres} m): {url}",
    "zalo.file_not_shown": (
        "(The file “{filename}” cannot be sent on Zalo; ask the health station.)"
    ),
}
