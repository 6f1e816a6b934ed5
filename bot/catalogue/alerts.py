"""Texts of alerts to officers and supervisors."""

VI: dict[str, str] = {
    "alert.kind.sos": "🆘 <b>SOS</b> từ {name} ({code})",
    "alert.kind.danger_signs": "🚨 <b>Dấu hiệu nguy hiểm</b>: {name} ({code})",
    "alert.kind.out_of_zone": "📍 <b>Ra khỏi nơi cách ly</b>: {name} ({code})",
    "alert.kind.missed_checkin": "⏰ <b>Bỏ lỡ khai báo</b>: {name} ({code})",
    "alert.kind.unreachable": "📵 <b>Không liên lạc được</b>: {name} ({code})",
    "alert.kind.consent_refused": "✋ <b>Từ chối tham gia</b>: {name} ({code})",
    "alert.kind.home_not_set": "🏠 <b>Chưa xác định nơi cách ly</b>: {name} ({code})",
    "alert.kind.citizen_report": "📣 <b>Phản ánh của người dân</b>{name}{code}",
}

EN: dict[str, str] = {
    "alert.kind.sos": "🆘 <b>SOS</b> from {name} ({code})",
    "alert.kind.danger_signs": "🚨 <b>Danger signs</b>: {name} ({code})",
    "alert.kind.out_of_zone": "📍 <b>Out of the isolation zone</b>: {name} ({code})",
    "alert.kind.missed_checkin": "⏰ <b>Missed check-in</b>: {name} ({code})",
    "alert.kind.unreachable": "📵 <b>Unreachable</b>: {name} ({code})",
    "alert.kind.consent_refused": "✋ <b>Consent refused</b>: {name} ({code})",
    "alert.kind.home_not_set": "🏠 <b>Home not set</b>: {name} ({code})",
    "alert.kind.citizen_report": "📣 <b>Citizen report</b>{name}{code}",
}
