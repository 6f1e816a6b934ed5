"""Texts of alerts to officers and supervisors, /alerts, /worklist and the daily digest."""

VI: dict[str, str] = {
    "alert.kind.sos": "🆘 <b>SOS – cần giúp ngay</b>",
    "alert.kind.danger_signs": "🚨 <b>Dấu hiệu nguy hiểm</b>",
    "alert.kind.out_of_zone": "📍 <b>Ra khỏi nơi cách ly</b>",
    "alert.kind.missed_checkin": "⏰ <b>Bỏ lỡ khai báo</b>",
    "alert.kind.unreachable": "📵 <b>Không liên lạc được</b>",
    "alert.kind.consent_refused": "✋ <b>Từ chối tham gia</b>",
    "alert.kind.home_not_set": "🏠 <b>Chưa xác định nơi cách ly</b>",
    "alert.kind.citizen_report": "📣 <b>Phản ánh của người dân</b>",
    "alert.escalated_header.open": (
        "⬆️ <b>Chuyển lên tuyến tỉnh (lần {level})</b>: chưa ai nhận xử lý"
    ),
    "alert.escalated_header.acknowledged": (
        "⬆️ <b>Chuyển lên tuyến tỉnh (lần {level})</b>: đã có người nhận xử lý"
    ),
    "alert.escalated_header.resolved": (
        "⬆️ <b>Chuyển lên tuyến tỉnh (lần {level})</b>: đã giải quyết"
    ),
    "alert.escalated_header.false_alarm": (
        "⬆️ <b>Chuyển lên tuyến tỉnh (lần {level})</b>: báo nhầm, đã đóng"
    ),
    "alert.who": "👤 <b>{name}</b> ({code}) · ngày cách ly thứ {day}",
    "alert.phone": "☎️ {phone}",
    "alert.address": "🏠 {address}",
    "alert.commune": "📌 {commune}",
    "alert.officer_blocked": (
        "👤 Cán bộ <b>{name}</b> ({commune}) đã chặn bot, không nhận được cảnh báo"
    ),
    "alert.opened": "🕒 Lúc {time}",
    "alert.more_evidence": "… và {count} lần trước đó",
    "alert.ev.sos": "• {time}: người cách ly bấm SOS",
    "alert.ev.danger": "• {time}: {signs}",
    "alert.ev.outside": "• {time}: ngoài vùng cách ly {distance} m (sai số ±{accuracy} m)",
    "alert.ev.outside_weak": "• {time}: ngoài vùng cách ly {distance} m (không rõ sai số)",
    "alert.ev.map": '  <a href="{url}">Xem trên bản đồ: nhà → vị trí</a>',
    "alert.ev.back_home": "• ✅ Đã về nhà lúc {time}",
    "alert.ev.missed": "• Bỏ lỡ lượt khai báo {round}",
    "alert.ev.missed_spot": "• Không gửi vị trí khi kiểm tra đột xuất ({round})",
    "alert.ev.unreachable_rounds": "• Không trả lời nhiều lượt liền (gần nhất {round})",
    "alert.ev.never_enrolled": "• Chưa mở đường dẫn sau {hours} giờ",
    "alert.ev.blocked": "• {time}: đã chặn bot",
    "alert.ev.home_not_set": "• Đã tham gia {hours} giờ nhưng chưa xác định nơi ở",
    "alert.ev.report": "• Phản ánh {reference}",
    "alert.ev.consent_refused": "• {time}: từ chối đồng ý",
    "alert.sign.spo2_low": "SpO2 thấp",
    "alert.sign.breaths_high": "thở nhanh",
    "alert.sign.pulse_high": "mạch nhanh",
    "alert.sign.pulse_low": "mạch chậm",
    "alert.sign.fever_high": "sốt cao",
    "alert.sign.short_breath": "khó thở",
    "alert.sign.chest_pain": "đau ngực",
    "alert.sign.confusion": "lú lẫn",
    "alert.vital.spo2": "SpO2 {value} %",
    "alert.vital.spo2_again": "SpO2 {first} → {value} % (đo lại)",
    "alert.vital.breaths": "thở {value} lần/phút",
    "alert.vital.pulse": "mạch {value}/phút",
    "alert.vital.temperature": "nhiệt độ {value} °C",
    "alert.state.open": "⏳ <b>Chưa ai nhận xử lý</b>",
    "alert.state.escalated": "⬆️ <b>Đã chuyển lên tuyến tỉnh lúc {time}</b>, chưa ai nhận",
    "alert.state.acknowledged": "🙋 <b>{name}</b> đã nhận xử lý lúc {time}",
    "alert.state.resolved": "✅ Đã giải quyết bởi <b>{name}</b> lúc {time}",
    "alert.state.false_alarm": "☑️ Báo nhầm – <b>{name}</b> đóng lúc {time}",
    "alert.button.acknowledge": "🙋 Tôi nhận",
    "alert.button.resolve": "✅ Đã giải quyết",
    "alert.button.false_alarm": "☑️ Báo nhầm",
    "alert.done.acknowledge": "Đã ghi nhận: bạn nhận xử lý.",
    "alert.done.resolved": "Đã đóng: đã giải quyết.",
    "alert.done.false_alarm": "Đã đóng: báo nhầm.",
    "alert.refused": "Nút này không dùng được.",
    "alert.already_acknowledged": "{name} đã nhận xử lý cảnh báo này rồi.",
    "alert.already_resolved": "Cảnh báo này đã được {name} giải quyết rồi.",
    "alert.already_false_alarm": "Cảnh báo này đã được {name} đóng (báo nhầm) rồi.",
    "alerts.none": "Không có cảnh báo nào đang mở. 👍",
    "alerts.header": "<b>Cảnh báo đang mở</b> ({count}), khẩn nhất trước:",
    "alerts.more": "Còn {count} cảnh báo nữa: xử lý xong các cảnh báo trên rồi gõ lại /alerts.",
    "worklist.header": "<b>Việc cần làm hôm nay</b> – {date}",
    "worklist.alerts": "<b>Cảnh báo đang mở</b>",
    "worklist.missed": "<b>Bỏ lỡ lượt khai báo gần nhất</b> – gọi điện hỏi thăm",
    "worklist.refused": "<b>Từ chối tham gia</b> – gọi điện giải thích",
    "worklist.not_enrolled": "<b>Chưa tham gia</b> (chưa mở đường dẫn)",
    "worklist.home_not_set": "<b>Chưa xác định nơi cách ly</b>",
    "worklist.ending_today": "<b>Kết thúc cách ly hôm nay</b>",
    "worklist.ending_tomorrow": "<b>Kết thúc cách ly ngày mai</b>",
    "worklist.item": "• {name} ({code}) ☎️ {phone}",
    "worklist.alert_item": "• {kind}: {name} ({code}) ☎️ {phone}",
    "worklist.more": "  … và {count} người nữa",
    "worklist.empty": "Không có việc gì cần làm ngay. 👍",
    "digest.header": "📊 <b>Tổng kết ngày {date}</b> – {area}",
    "digest.active": "Đang cách ly: <b>{total}</b> (F0: {f0}, F1: {f1}, khác: {other})",
    "digest.checkins": (
        "Khai báo hôm nay: đúng giờ {on_time}, muộn {late}, bỏ lỡ {missed} "
        "(<b>{percent}%</b> đúng giờ)"
    ),
    "digest.no_checkins": "Khai báo hôm nay: chưa có lượt nào.",
    "digest.open_alerts": "Cảnh báo đang mở: {items}",
    "digest.closed_alerts": "Cảnh báo đã xử lý hôm nay: {items}",
    "digest.none": "không có",
    "digest.median_ack": "Thời gian nhận xử lý (trung vị): {minutes} phút",
    "digest.ending_tomorrow": "Kết thúc cách ly ngày mai: {count}",
    "digest.not_enrolled": "Chưa tham gia: {count}",
    "digest.communes": "<b>Theo xã/phường</b> (bỏ lỡ nhiều nhất trước):",
    "digest.commune_line": (
        "• {commune}: {active} người, bỏ lỡ {missed_percent}%, {open} cảnh báo mở"
    ),
    "digest.chart_caption": "Tỉ lệ khai báo đúng giờ 7 ngày qua – {area}",
    "digest.chart_title": "Khai báo đúng giờ (%)",
    "digest.chart_on_time": "Đúng giờ",
    "digest.chart_late": "Muộn",
    "digest.chart_missed": "Bỏ lỡ",
    "command.alerts": "Cảnh báo đang mở",
    "command.worklist": "Việc cần làm hôm nay",
}

EN: dict[str, str] = {
    "alert.kind.sos": "🆘 <b>SOS – needs help now</b>",
    "alert.kind.danger_signs": "🚨 <b>Danger signs</b>",
    "alert.kind.out_of_zone": "📍 <b>Left the isolation place</b>",
    "alert.kind.missed_checkin": "⏰ <b>Missed check-in</b>",
    "alert.kind.unreachable": "📵 <b>Unreachable</b>",
    "alert.kind.consent_refused": "✋ <b>Consent refused</b>",
    "alert.kind.home_not_set": "🏠 <b>Home not set</b>",
    "alert.kind.citizen_report": "📣 <b>Citizen report</b>",
    "alert.escalated_header.open": (
        "⬆️ <b>Escalated to the province (time {level})</b>: nobody took it"
    ),
    "alert.escalated_header.acknowledged": (
        "⬆️ <b>Escalated to the province (time {level})</b>: someone has taken it"
    ),
    "alert.escalated_header.resolved": (
        "⬆️ <b>Escalated to the province (time {level})</b>: resolved"
    ),
    "alert.escalated_header.false_alarm": (
        "⬆️ <b>Escalated to the province (time {level})</b>: false alarm, closed"
    ),
    "alert.who": "👤 <b>{name}</b> ({code}) · day {day} of isolation",
    "alert.phone": "☎️ {phone}",
    "alert.address": "🏠 {address}",
    "alert.commune": "📌 {commune}",
    "alert.officer_blocked": (
        "👤 Officer <b>{name}</b> ({commune}) blocked the bot and gets no alerts"
    ),
    "alert.opened": "🕒 At {time}",
    "alert.more_evidence": "… and {count} earlier",
    "alert.ev.sos": "• {time}: the person pressed SOS",
    "alert.ev.danger": "• {time}: {signs}",
    "alert.ev.outside": (
        "• {time}: {distance} m outside the isolation zone (accuracy ±{accuracy} m)"
    ),
    "alert.ev.outside_weak": "• {time}: {distance} m outside the isolation zone (accuracy unknown)",
    "alert.ev.map": '  <a href="{url}">Show on the map: home → position</a>',
    "alert.ev.back_home": "• ✅ Back home at {time}",
    "alert.ev.missed": "• Missed the {round} check-in",
    "alert.ev.missed_spot": "• No location for the spot check ({round})",
    "alert.ev.unreachable_rounds": "• No answer for several rounds (latest {round})",
    "alert.ev.never_enrolled": "• Link not opened after {hours} hours",
    "alert.ev.blocked": "• {time}: blocked the bot",
    "alert.ev.home_not_set": "• Enrolled {hours} hours ago, home still not set",
    "alert.ev.report": "• Report {reference}",
    "alert.ev.consent_refused": "• {time}: refused consent",
    "alert.sign.spo2_low": "low SpO2",
    "alert.sign.breaths_high": "fast breathing",
    "alert.sign.pulse_high": "fast pulse",
    "alert.sign.pulse_low": "slow pulse",
    "alert.sign.fever_high": "high fever",
    "alert.sign.short_breath": "shortness of breath",
    "alert.sign.chest_pain": "chest pain",
    "alert.sign.confusion": "confusion",
    "alert.vital.spo2": "SpO2 {value}%",
    "alert.vital.spo2_again": "SpO2 {first} → {value}% (re-measured)",
    "alert.vital.breaths": "{value} breaths/min",
    "alert.vital.pulse": "pulse {value}/min",
    "alert.vital.temperature": "temperature {value} °C",
    "alert.state.open": "⏳ <b>Nobody has taken it yet</b>",
    "alert.state.escalated": "⬆️ <b>Escalated to the province at {time}</b>, nobody has taken it",
    "alert.state.acknowledged": "🙋 <b>{name}</b> took it at {time}",
    "alert.state.resolved": "✅ Resolved by <b>{name}</b> at {time}",
    "alert.state.false_alarm": "☑️ False alarm – closed by <b>{name}</b> at {time}",
    "alert.button.acknowledge": "🙋 I'll take it",
    "alert.button.resolve": "✅ Resolved",
    "alert.button.false_alarm": "☑️ False alarm",
    "alert.done.acknowledge": "Noted: you are taking it.",
    "alert.done.resolved": "Closed: resolved.",
    "alert.done.false_alarm": "Closed: false alarm.",
    "alert.refused": "This button cannot be used.",
    "alert.already_acknowledged": "{name} has already taken this alert.",
    "alert.already_resolved": "This alert was already resolved by {name}.",
    "alert.already_false_alarm": "This alert was already closed as a false alarm by {name}.",
    "alerts.none": "No open alerts. 👍",
    "alerts.header": "<b>Open alerts</b> ({count}), most urgent first:",
    "alerts.more": "{count} more: handle the ones above, then type /alerts again.",
    "worklist.header": "<b>Today's work list</b> – {date}",
    "worklist.alerts": "<b>Open alerts</b>",
    "worklist.missed": "<b>Missed their last check-in</b> – call them",
    "worklist.refused": "<b>Refused to take part</b> – call to explain",
    "worklist.not_enrolled": "<b>Not enrolled</b> (link not opened)",
    "worklist.home_not_set": "<b>Home not set</b>",
    "worklist.ending_today": "<b>Isolation ends today</b>",
    "worklist.ending_tomorrow": "<b>Isolation ends tomorrow</b>",
    "worklist.item": "• {name} ({code}) ☎️ {phone}",
    "worklist.alert_item": "• {kind}: {name} ({code}) ☎️ {phone}",
    "worklist.more": "  … and {count} more",
    "worklist.empty": "Nothing needs doing right now. 👍",
    "digest.header": "📊 <b>Summary of {date}</b> – {area}",
    "digest.active": "In isolation: <b>{total}</b> (F0: {f0}, F1: {f1}, other: {other})",
    "digest.checkins": (
        "Check-ins today: on time {on_time}, late {late}, missed {missed} "
        "(<b>{percent}%</b> on time)"
    ),
    "digest.no_checkins": "Check-ins today: none yet.",
    "digest.open_alerts": "Open alerts: {items}",
    "digest.closed_alerts": "Alerts handled today: {items}",
    "digest.none": "none",
    "digest.median_ack": "Time to take an alert (median): {minutes} min",
    "digest.ending_tomorrow": "Isolation ends tomorrow: {count}",
    "digest.not_enrolled": "Not enrolled: {count}",
    "digest.communes": "<b>By commune</b> (most missed first):",
    "digest.commune_line": (
        "• {commune}: {active} people, {missed_percent}% missed, {open} open alerts"
    ),
    "digest.chart_caption": "On-time check-ins over the last 7 days – {area}",
    "digest.chart_title": "Check-ins on time (%)",
    "digest.chart_on_time": "On time",
    "digest.chart_late": "Late",
    "digest.chart_missed": "Missed",
    "command.alerts": "Open alerts",
    "command.worklist": "Today's work list",
}

# The admin's view of the outbox (command line).
VI.update(
    {
        "admin.outbox.counts": (
            "Hộp thư đi: {due} chờ gửi, {later} hẹn giờ sau, {sending} đang gửi, "
            "{sent} đã gửi, {failed} thất bại"
        ),
        "admin.outbox.attempts": "Lần gửi: {attempts} tổng cộng; {retried} tin phải gửi lại",
        "admin.outbox.oldest": "Tin chờ lâu nhất:",
        "admin.outbox.failures": "Thất bại gần đây:",
        "admin.outbox.tries": "{attempts} lần",
    }
)
EN.update(
    {
        "admin.outbox.counts": (
            "Outbox: {due} waiting, {later} scheduled later, {sending} sending, "
            "{sent} sent, {failed} failed"
        ),
        "admin.outbox.attempts": "Attempts: {attempts} in all; {retried} messages needed a retry",
        "admin.outbox.oldest": "Oldest waiting:",
        "admin.outbox.failures": "Recent failures:",
        "admin.outbox.tries": "{attempts} tries",
    }
)

# Short kind names for lists (/worklist, the digest).
VI.update(
    {
        "alert.short.sos": "SOS",
        "alert.short.danger_signs": "nguy hiểm",
        "alert.short.out_of_zone": "ra ngoài",
        "alert.short.missed_checkin": "bỏ lỡ",
        "alert.short.unreachable": "mất liên lạc",
        "alert.short.consent_refused": "từ chối",
        "alert.short.home_not_set": "chưa có nơi ở",
        "alert.short.citizen_report": "phản ánh",
    }
)
EN.update(
    {
        "alert.short.sos": "SOS",
        "alert.short.danger_signs": "danger",
        "alert.short.out_of_zone": "outside",
        "alert.short.missed_checkin": "missed",
        "alert.short.unreachable": "unreachable",
        "alert.short.consent_refused": "refused",
        "alert.short.home_not_set": "no home",
        "alert.short.citizen_report": "report",
    }
)
