"""Texts about channels: which one carries a person's messages, and the welcome off Telegram."""

VI: dict[str, str] = {
    "channel.telegram": "Telegram",
    "channel.zalo": "Zalo",
    "channel.sms": "SMS",
    "channel.welcome": (
        "Xin chào! Đây là kênh theo dõi cách ly tại nhà của trạm y tế. Khi được đăng ký, "
        "bạn sẽ nhận đường dẫn hoặc mã từ cán bộ y tế."
    ),
    "channel.bad": "Kênh '{value}' không đúng: Telegram, Zalo hoặc SMS.",
    "channel.usage": "Cách dùng: /channel MÃ_CA telegram|zalo|sms",
    "channel.changed": "Ca {code} nay nhận tin qua {channel}. {next}",
    "channel.unchanged": "Ca {code} đã nhận tin qua {channel}.",
    "channel.next.link": "Gửi người này đường dẫn mới bên dưới để họ đồng ý trên kênh mới.",
    "channel.next.sms": "Tin nhắn mời đồng ý đã gửi đến số {phone}.",
    "channel.shown": "Kênh: {channel}",
    "channel.sent_by_sms": "(đã gửi qua SMS)",
    "channel.digest": "Nhận tin qua: {items}",
    # How to share a location, on each channel (Telegram's texts are in checkins.py).
    "checkin.ask_location.zalo": (
        "📍 Cuối cùng, <b>{name}</b> hãy gửi vị trí hiện tại: bấm dấu ➕ (hoặc ⋯) cạnh ô soạn "
        "tin → <b>Vị trí</b> → <b>Gửi vị trí hiện tại</b>."
    ),
    "checkin.ask_location.sms": (
        "📍 Cuối cùng, <b>{name}</b> hãy mở đường dẫn dưới đây và cho phép chia sẻ vị trí."
    ),
    "spot.prompt.zalo": (
        "📍 Kiểm tra nhanh: <b>{name}</b> hãy gửi vị trí hiện tại trong {minutes} phút tới: "
        "bấm dấu ➕ (hoặc ⋯) cạnh ô soạn tin → <b>Vị trí</b> → <b>Gửi vị trí hiện tại</b>."
    ),
    "spot.prompt.sms": (
        "📍 Kiểm tra nhanh: <b>{name}</b> hãy mở đường dẫn dưới đây trong {minutes} phút tới "
        "và cho phép chia sẻ vị trí."
    ),
    "command.channel": "Đổi kênh nhận tin của ca",
    "channel.not_understood": (
        "Tôi chưa hiểu tin nhắn này. Hãy trả lời câu hỏi khai báo khi được hỏi; "
        "nếu cần giúp ngay, gửi SOS."
    ),
    "channel.invited_by_sms": "Đã đăng ký {name} (mã {code}), nhận tin qua SMS.",
}

EN: dict[str, str] = {
    "channel.telegram": "Telegram",
    "channel.zalo": "Zalo",
    "channel.sms": "SMS",
    "channel.welcome": (
        "Hello! This is the health station's home-isolation channel. Once you are "
        "registered, a health worker will give you a link or a code."
    ),
    "channel.bad": "Channel '{value}' is not valid: Telegram, Zalo or SMS.",
    "channel.usage": "Usage: /channel CASE_CODE telegram|zalo|sms",
    "channel.changed": "Case {code} now gets its messages on {channel}. {next}",
    "channel.unchanged": "Case {code} already gets its messages on {channel}.",
    "channel.next.link": "Send this person the new link below so they consent on the new channel.",
    "channel.next.sms": "An invitation to consent was sent by SMS to {phone}.",
    "channel.shown": "Channel: {channel}",
    "channel.sent_by_sms": "(sent by SMS)",
    "channel.digest": "Reached on: {items}",
    "checkin.ask_location.zalo": (
        "📍 Last step: <b>{name}</b>, please send your current location: press ➕ (or ⋯) next "
        "to the message box → <b>Location</b> → <b>Send current location</b>."
    ),
    "checkin.ask_location.sms": (
        "📍 Last step: <b>{name}</b>, please open the link below and allow sharing your location."
    ),
    "spot.prompt.zalo": (
        "📍 Quick check: <b>{name}</b>, please send your current location within {minutes} "
        "minutes: press ➕ (or ⋯) next to the message box → <b>Location</b> → "
        "<b>Send current location</b>."
    ),
    "spot.prompt.sms": (
        "📍 Quick check: <b>{name}</b>, please open the link below within {minutes} minutes "
        "and allow sharing your location."
    ),
    "command.channel": "Change a case's channel",
    "channel.not_understood": (
        "I did not understand this message. Answer the check-in questions when asked; "
        "if you need help at once, send SOS."
    ),
    "channel.invited_by_sms": "{name} (code {code}) is registered, on SMS.",
}
