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
    "command.channel": "Change a case's channel",
    "channel.not_understood": (
        "I did not understand this message. Answer the check-in questions when asked; "
        "if you need help at once, send SOS."
    ),
    "channel.invited_by_sms": "{name} (code {code}) is registered, on SMS.",
}
