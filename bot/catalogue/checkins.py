"""Texts of check-ins, locations and SOS, for people in isolation (often elderly, cheap phones)."""

VI: dict[str, str] = {
    # The prompt and how they feel.
    "checkin.prompt": (
        "🩺 Chào <b>{name}</b>! Đến giờ khai báo sức khoẻ.\n"
        "Hôm nay <b>{name}</b> thấy trong người thế nào? Bấm một nút bên dưới."
    ),
    "checkin.reminder": (
        "⏰ Nhắc lại: <b>{name}</b> chưa khai báo sức khoẻ.\n"
        "Xin bấm một nút bên dưới. Chỉ mất một phút."
    ),
    "checkin.feel.good": "😊 Khoẻ, bình thường",
    "checkin.feel.tired": "😐 Hơi mệt",
    "checkin.feel.bad": "😣 Mệt nhiều",
    "checkin.feel.chosen": "Đã ghi: {answer}",
    # Symptoms.
    "checkin.ask_symptoms": (
        "<b>{name}</b> có triệu chứng nào dưới đây không?\n"
        "Bấm vào từng triệu chứng đang có (chọn được nhiều), rồi bấm «Xong»."
    ),
    "checkin.symptom.fever": "Sốt",
    "checkin.symptom.cough": "Ho",
    "checkin.symptom.sore_throat": "Đau họng",
    "checkin.symptom.taste_smell": "Mất vị giác hoặc khứu giác",
    "checkin.symptom.short_breath": "Khó thở",
    "checkin.symptom.chest_pain": "Đau tức ngực",
    "checkin.symptom.confusion": "Lơ mơ, lú lẫn",
    "checkin.symptoms.none": "Không có triệu chứng nào",
    "checkin.symptoms.done": "Xong ✅",
    "checkin.symptoms.chosen": "Triệu chứng: {answer}",
    # Numbers.
    "checkin.ask.temperature": (
        "🌡 Nhiệt độ cơ thể của <b>{name}</b> là bao nhiêu độ?\nGõ con số, ví dụ: <b>37,5</b>"
    ),
    "checkin.ask.spo2": (
        "🫁 Chỉ số ô-xy trong máu (SpO2) của <b>{name}</b> (đo bằng máy kẹp ở ngón tay) "
        "là bao nhiêu?\n"
        "Gõ con số, ví dụ: <b>98</b>"
    ),
    "checkin.ask.spo2_again": (
        "Ô-xy trong máu (SpO2) lần trước là <b>{value}</b>, hơi thấp. Bây giờ <b>{name}</b> "
        "hãy đo lại và gõ con số mới."
    ),
    "checkin.spo2_rest": (
        "Ô-xy trong máu (SpO2) <b>{value}</b> hơi thấp. <b>{name}</b> hãy ngồi yên nghỉ "
        "<b>{seconds}</b> giây; hết giờ tôi sẽ nhắn để đo lại."
    ),
    "checkin.spo2_wait": (
        "Xin nghỉ thêm <b>{seconds}</b> giây nữa rồi hãy đo lại; tôi sẽ nhắn khi đến lúc. "
        "Chỉ số lần trước ({value}) vẫn được giữ."
    ),
    "checkin.ask.breaths": (
        "Trong 1 phút <b>{name}</b> thở bao nhiêu lần?\n"
        "Đếm số lần ngực phồng lên trong 1 phút rồi gõ con số, ví dụ: <b>16</b>"
    ),
    "checkin.ask.pulse": (
        "❤️ Mạch (nhịp tim) của <b>{name}</b> là bao nhiêu lần trong 1 phút?\n"
        "Gõ con số, ví dụ: <b>80</b>"
    ),
    "checkin.skip.temperature": "Không có nhiệt kế",
    "checkin.skip.spo2": "Không có máy đo SpO2",
    "checkin.skip.spo2_again": "Không đo lại được",
    "checkin.skip.breaths": "Không đếm được",
    "checkin.skip.pulse": "Không đo được",
    "checkin.retry.temperature": (
        "Con số này chưa đúng. Nhiệt độ người thường trong khoảng 34 đến 43 độ.\n"
        "Xin gõ lại, ví dụ: <b>37,5</b>"
    ),
    "checkin.retry.spo2": (
        "Con số này chưa đúng. Ô-xy trong máu (SpO2) nằm trong khoảng 50 đến 100.\n"
        "Xin gõ lại, ví dụ: <b>98</b>"
    ),
    "checkin.retry.spo2_again": (
        "Con số này chưa đúng. Ô-xy trong máu (SpO2) nằm trong khoảng 50 đến 100.\n"
        "Xin gõ lại, ví dụ: <b>98</b>"
    ),
    "checkin.not_a_number": "Xin chỉ gõ con số, ví dụ <b>{example}</b>",
    "checkin.example.temperature": "37,5",
    "checkin.example.spo2": "98",
    "checkin.example.spo2_again": "98",
    "checkin.example.breaths": "16",
    "checkin.example.pulse": "80",
    "checkin.retry.breaths": (
        "Con số này chưa đúng. Số lần thở trong 1 phút thường từ 5 đến 80.\n"
        "Xin gõ lại, ví dụ: <b>16</b>"
    ),
    "checkin.retry.pulse": (
        "Con số này chưa đúng. Mạch thường từ 30 đến 220 lần trong 1 phút.\n"
        "Xin gõ lại, ví dụ: <b>80</b>"
    ),
    "checkin.press_a_button": "Xin bấm một nút ở tin nhắn phía trên.",
    # Location.
    "checkin.ask_location": (
        "📍 Cuối cùng, <b>{name}</b> hãy bấm nút «Gửi vị trí hiện tại» ở dưới cùng màn hình.\n\n"
        "Tốt hơn nữa: bấm 📎 → <b>Vị trí</b> → <b>Chia sẻ vị trí trực tiếp</b> → <b>15 phút</b>."
    ),
    "checkin.location_button": "📍 Gửi vị trí hiện tại",
    "checkin.location_skip": "Không gửi được vị trí",
    "checkin.thanks": "✅ Cảm ơn <b>{name}</b>! Trạm y tế đã nhận khai báo. Chúc mau khoẻ.",
    "checkin.danger": (
        "⚠️ <b>{name}</b> có dấu hiệu nguy hiểm: <b>{signs}</b>.\n"
        "Trạm y tế đã được báo và sẽ liên hệ ngay.\n"
        "Trong lúc chờ, hãy nằm nghỉ, không ở một mình.\n"
        "Nếu thấy nặng hơn, hãy gọi ngay <b>115</b>."
    ),
    "checkin.sign.short_breath": "khó thở",
    "checkin.sign.chest_pain": "đau tức ngực",
    "checkin.sign.confusion": "lơ mơ, lú lẫn",
    "checkin.sign.spo2_low": "SpO2 thấp",
    # The same sign told to the person, with SpO2 explained.
    "checkin.person_sign.spo2_low": "ô-xy trong máu (SpO2) thấp",
    "checkin.sign.breaths_high": "thở nhanh",
    "checkin.sign.pulse_high": "mạch nhanh",
    "checkin.sign.pulse_low": "mạch chậm",
    "checkin.sign.fever_high": "sốt cao",
    "checkin.closed": "Lần khai báo này đã kết thúc. Cảm ơn! Không cần làm gì thêm.",
    "checkin.already_done": "Lần khai báo này đã xong rồi. Cảm ơn!",
    "checkin.not_a_case": "Bạn chưa được đăng ký theo dõi cách ly tại nhà.",
    "checkin.pick_person": "Khai báo cho ai? Bấm vào tên.",
    "spot.prompt": (
        "📍 Kiểm tra nhanh: <b>{name}</b> hãy bấm nút «Gửi vị trí hiện tại» ở dưới cùng "
        "màn hình trong {minutes} phút tới."
    ),
    "location.inside": "✅ Đã nhận vị trí của <b>{name}</b>: đang ở nhà. Cảm ơn!",
    "location.recorded": "✅ Đã nhận vị trí của <b>{name}</b>. Cảm ơn!",
    "location.uncertain": (
        "Vị trí chưa đủ rõ. <b>{name}</b> hãy đứng gần cửa sổ, bật định vị (GPS) rồi gửi lại "
        "vị trí. Hoặc chia sẻ vị trí trực tiếp trong 15 phút."
    ),
    "location.outside": (
        "Vị trí cho thấy <b>{name}</b> đang ở ngoài nơi cách ly (cách khoảng {distance} m). "
        "Trạm y tế đã được báo. Xin hãy về nhà ngay."
    ),
    "location.live_noted": "Đang theo dõi vị trí trực tiếp của <b>{name}</b>. Cảm ơn!",
    "location.which_person": "📍 Vị trí của ai? Bấm vào tên.",
    "location.expired": "Xin gửi lại vị trí rồi bấm vào tên.",
    "location.outside_checkin": (
        "Đã nhận khai báo của <b>{name}</b>. Nhưng vị trí cho thấy <b>{name}</b> đang ở ngoài "
        "nơi cách ly (cách khoảng {distance} m). Trạm y tế đã được báo. Xin hãy về nhà ngay."
    ),
    "location.breach": (
        "📍 <b>{name}</b> ơi, vị trí cho thấy bạn đang ở ngoài nhà. Xin hãy về nhà ngay. "
        "Trạm y tế đã được báo. Nếu có việc gấp hoặc cần giúp đỡ, hãy gõ /sos."
    ),
    "checkin.location_state.inside": "Ở nhà",
    "checkin.location_state.outside": "Ngoài nơi cách ly",
    "checkin.location_state.uncertain": "Chưa rõ",
    "checkin.location_state.recorded": "Đã gửi (chưa có vùng nhà)",
    "checkin.location_state.skipped": "Không gửi được",
    "checkin.location_state.missing": "Thiếu vị trí",
    "location.rejected.forwarded": (
        "Vị trí này được chuyển tiếp từ tin nhắn khác nên không dùng được. "
        "Hãy bấm nút «Gửi vị trí hiện tại»."
    ),
    "location.rejected.venue": (
        "Đây là một địa điểm chọn trên bản đồ, không phải chỗ bạn đang ở. "
        "Hãy bấm nút «Gửi vị trí hiện tại»."
    ),
    "location.rejected.stale": (
        "Vị trí này đã cũ (gửi cách đây {age_min} phút). Hãy gửi lại vị trí hiện tại."
    ),
    "location.rejected.outside_country": (
        "Vị trí này không đúng (nằm ngoài Việt Nam). Hãy bật định vị (GPS) rồi gửi lại."
    ),
    "location.rejected.impossible": (
        "Vị trí này không thể đúng (toạ độ hoặc độ chính xác không hợp lệ). "
        "Hãy bật định vị (GPS) rồi gửi lại vị trí hiện tại."
    ),
    "location.rejected.impossible_jump": (
        "Vị trí này khác quá xa so với lần trước nên không dùng được. "
        "Hãy bật định vị (GPS) rồi gửi lại vị trí hiện tại."
    ),
    "sos.sent": (
        "🆘 Đã báo trạm y tế cho <b>{name}</b>. Cán bộ y tế sẽ liên hệ ngay.\n"
        "Nếu nguy hiểm, hãy gọi ngay <b>115</b>."
    ),
    "sos.pick_person": "Ai cần giúp đỡ? Bấm vào tên.",
    "sos.sent_household": (
        "🆘 Đã báo trạm y tế. Cán bộ y tế sẽ liên hệ ngay.\n"
        "Nếu nguy hiểm, hãy gọi ngay <b>115</b>.\n\n"
        "Ai cần giúp đỡ? Bấm vào tên để trạm y tế biết."
    ),
    "sos.named": (
        "Đã báo trạm y tế: người cần giúp là <b>{name}</b>.\n"
        "Nếu nguy hiểm, hãy gọi ngay <b>115</b>."
    ),
    "checkin.bad_times": (
        "Giờ «{value}» chưa đúng. Gõ giờ dạng 08:00, cách nhau bằng dấu cách, "
        "ví dụ: <code>/times ABC123 08:00 17:00</code>"
    ),
    "checkin.times_closed": "Hồ sơ {code} đã đóng, không đổi giờ khai báo được.",
    "times.usage": (
        "Đổi giờ khai báo của một người: <code>/times mã-hồ-sơ 08:00 17:00</code>\n"
        "Gõ <code>/times mã-hồ-sơ mặc định</code> để dùng lại giờ chung."
    ),
    "times.confirm": (
        "Đổi giờ khai báo của <b>{name}</b> ({code})?\nHiện nay: {current}\nGiờ mới: <b>{new}</b>"
    ),
    "times.default": "giờ chung",
    "times.yes": "✅ Đổi",
    "times.no": "Không đổi",
    "times.done": "✅ Đã đổi giờ khai báo: <b>{new}</b>. Áp dụng từ lượt tới.",
    "times.cancelled": "Đã huỷ, giờ khai báo không đổi.",
    "command.times": "Đổi giờ khai báo của một người",
    "sos.not_a_case": (
        "Bạn chưa được đăng ký theo dõi cách ly. Nếu nguy hiểm, hãy gọi ngay <b>115</b>."
    ),
    "command.checkin": "Khai báo sức khoẻ",
    "command.sos": "Cần giúp đỡ khẩn cấp",
}

EN: dict[str, str] = {
    "checkin.prompt": (
        "🩺 Hello <b>{name}</b>! It is time for the health check-in.\n"
        "How does <b>{name}</b> feel today? Press a button below."
    ),
    "checkin.reminder": (
        "⏰ Reminder: <b>{name}</b> has not checked in yet.\n"
        "Please press a button below. It takes a minute."
    ),
    "checkin.feel.good": "😊 Well, as usual",
    "checkin.feel.tired": "😐 A little tired",
    "checkin.feel.bad": "😣 Very unwell",
    "checkin.feel.chosen": "Noted: {answer}",
    "checkin.ask_symptoms": (
        "Does <b>{name}</b> have any of these symptoms?\n"
        "Press each symptom you have (several are fine), then press «Done»."
    ),
    "checkin.symptom.fever": "Fever",
    "checkin.symptom.cough": "Cough",
    "checkin.symptom.sore_throat": "Sore throat",
    "checkin.symptom.taste_smell": "Loss of taste or smell",
    "checkin.symptom.short_breath": "Shortness of breath",
    "checkin.symptom.chest_pain": "Chest pain",
    "checkin.symptom.confusion": "Confusion, drowsiness",
    "checkin.symptoms.none": "No symptoms",
    "checkin.symptoms.done": "Done ✅",
    "checkin.symptoms.chosen": "Symptoms: {answer}",
    "checkin.ask.temperature": (
        "🌡 What is <b>{name}</b>'s body temperature?\nType the number, for example: <b>37.5</b>"
    ),
    "checkin.ask.spo2": (
        "🫁 What is <b>{name}</b>'s blood oxygen (SpO2, from a fingertip oximeter)?\n"
        "Type the number, for example: <b>98</b>"
    ),
    "checkin.ask.spo2_again": (
        "The last blood oxygen (SpO2) reading, <b>{value}</b>, was a little low. <b>{name}</b>, "
        "please measure again now and type the new number."
    ),
    "checkin.spo2_rest": (
        "Blood oxygen (SpO2) <b>{value}</b> is a little low. <b>{name}</b>, please sit still "
        "and rest for <b>{seconds}</b> seconds; I will message you when it is time to measure "
        "again."
    ),
    "checkin.spo2_wait": (
        "Please rest <b>{seconds}</b> more seconds before measuring again; I will message you "
        "when it is time. The first reading ({value}) is kept."
    ),
    "checkin.ask.breaths": (
        "How many breaths does <b>{name}</b> take in 1 minute?\n"
        "Count how often the chest rises in 1 minute, then type the number, for example: <b>16</b>"
    ),
    "checkin.ask.pulse": (
        "❤️ What is <b>{name}</b>'s pulse (heartbeats in 1 minute)?\n"
        "Type the number, for example: <b>80</b>"
    ),
    "checkin.skip.temperature": "I have no thermometer",
    "checkin.skip.spo2": "I have no oximeter",
    "checkin.skip.spo2_again": "I cannot measure again",
    "checkin.skip.breaths": "I cannot count",
    "checkin.skip.pulse": "I cannot measure",
    "checkin.retry.temperature": (
        "That number does not look right. Body temperature is between 34 and 43 degrees.\n"
        "Please type it again, for example: <b>37.5</b>"
    ),
    "checkin.retry.spo2": (
        "That number does not look right. Blood oxygen (SpO2) is between 50 and 100.\n"
        "Please type it again, for example: <b>98</b>"
    ),
    "checkin.retry.spo2_again": (
        "That number does not look right. Blood oxygen (SpO2) is between 50 and 100.\n"
        "Please type it again, for example: <b>98</b>"
    ),
    "checkin.not_a_number": "Please type just the number, for example <b>{example}</b>",
    "checkin.example.temperature": "37.5",
    "checkin.example.spo2": "98",
    "checkin.example.spo2_again": "98",
    "checkin.example.breaths": "16",
    "checkin.example.pulse": "80",
    "checkin.retry.breaths": (
        "That number does not look right. Breaths in 1 minute are between 5 and 80.\n"
        "Please type it again, for example: <b>16</b>"
    ),
    "checkin.retry.pulse": (
        "That number does not look right. The pulse is between 30 and 220 a minute.\n"
        "Please type it again, for example: <b>80</b>"
    ),
    "checkin.press_a_button": "Please press a button on the message above.",
    "checkin.ask_location": (
        "📍 Last step: <b>{name}</b>, please press «Send my current location» at the bottom "
        "of the screen.\n\n"
        "Even better: press 📎 → <b>Location</b> → <b>Share live location</b> → <b>15 minutes</b>."
    ),
    "checkin.location_button": "📍 Send my current location",
    "checkin.location_skip": "I cannot send my location",
    "checkin.thanks": "✅ Thank you, <b>{name}</b>! The health station has your check-in.",
    "checkin.danger": (
        "⚠️ <b>{name}</b> has a danger sign: <b>{signs}</b>.\n"
        "The health station has been alerted and will contact you right away.\n"
        "While you wait, lie down and rest, and do not stay alone.\n"
        "If it gets worse, call <b>115</b> at once."
    ),
    "checkin.sign.short_breath": "shortness of breath",
    "checkin.sign.chest_pain": "chest pain",
    "checkin.sign.confusion": "confusion",
    "checkin.sign.spo2_low": "low SpO2",
    "checkin.person_sign.spo2_low": "low blood oxygen (SpO2)",
    "checkin.sign.breaths_high": "fast breathing",
    "checkin.sign.pulse_high": "fast pulse",
    "checkin.sign.pulse_low": "slow pulse",
    "checkin.sign.fever_high": "high fever",
    "checkin.closed": "This check-in has ended. Thank you! Nothing more to do.",
    "checkin.already_done": "This check-in is already done. Thank you!",
    "checkin.not_a_case": "You are not registered for home-isolation monitoring.",
    "checkin.pick_person": "Who is checking in? Press the name.",
    "spot.prompt": (
        "📍 Quick check: <b>{name}</b>, please press «Send my current location» at the bottom "
        "of the screen within {minutes} minutes."
    ),
    "location.inside": "✅ Got <b>{name}</b>'s location: at home. Thank you!",
    "location.recorded": "✅ Got <b>{name}</b>'s location. Thank you!",
    "location.uncertain": (
        "The location is not clear enough. <b>{name}</b>, please stand near a window, turn on "
        "location (GPS) and send it again. Or share your live location for 15 minutes."
    ),
    "location.outside": (
        "The location shows <b>{name}</b> outside the isolation place (about {distance} m "
        "away). The health station has been told. Please go home now."
    ),
    "location.live_noted": "Following <b>{name}</b>'s live location. Thank you!",
    "location.which_person": "📍 Whose location is this? Press the name.",
    "location.expired": "Please send the location again, then press the name.",
    "location.outside_checkin": (
        "<b>{name}</b>'s check-in is recorded. But the location shows <b>{name}</b> outside "
        "the isolation place (about {distance} m away). The health station has been told. "
        "Please go home now."
    ),
    "location.breach": (
        "📍 <b>{name}</b>, your location shows you are away from home. Please go home now. "
        "The health station has been told. If it is urgent or you need help, type /sos."
    ),
    "checkin.location_state.inside": "At home",
    "checkin.location_state.outside": "Outside the isolation place",
    "checkin.location_state.uncertain": "Unclear",
    "checkin.location_state.recorded": "Sent (no home zone yet)",
    "checkin.location_state.skipped": "Could not send",
    "checkin.location_state.missing": "Location missing",
    "location.rejected.forwarded": (
        "This location was forwarded from another message, so it cannot be used. "
        "Press «Send my current location»."
    ),
    "location.rejected.venue": (
        "This is a place picked on the map, not where you are. Press «Send my current location»."
    ),
    "location.rejected.stale": (
        "This location is old (sent {age_min} minutes ago). Please send your current location."
    ),
    "location.rejected.outside_country": (
        "This location is not right (outside Vietnam). Turn on location (GPS) and send it again."
    ),
    "location.rejected.impossible": (
        "This location cannot be right (its coordinates or accuracy are not valid). "
        "Turn on location (GPS) and send your current location again."
    ),
    "location.rejected.impossible_jump": (
        "This location is too far from the previous one to be right. Turn on location (GPS) "
        "and send your current location again."
    ),
    "sos.sent": (
        "🆘 The health station has been alerted for <b>{name}</b>. A health worker will "
        "contact you right away.\nIf you are in danger, call <b>115</b> at once."
    ),
    "sos.pick_person": "Who needs help? Press the name.",
    "sos.sent_household": (
        "🆘 The health station has been alerted. A health worker will contact you right away.\n"
        "If you are in danger, call <b>115</b> at once.\n\n"
        "Who needs help? Press the name so the station knows."
    ),
    "sos.named": (
        "The health station has been told that <b>{name}</b> needs help.\n"
        "If you are in danger, call <b>115</b> at once."
    ),
    "checkin.bad_times": (
        "The time «{value}» is not right. Type times like 08:00, separated by spaces, "
        "for example: <code>/times ABC123 08:00 17:00</code>"
    ),
    "checkin.times_closed": "Case {code} is closed; its check-in times cannot change.",
    "times.usage": (
        "Change a person's check-in times: <code>/times case-code 08:00 17:00</code>\n"
        "Type <code>/times case-code default</code> to use the common times again."
    ),
    "times.confirm": (
        "Change the check-in times of <b>{name}</b> ({code})?\nNow: {current}\nNew: <b>{new}</b>"
    ),
    "times.default": "the common times",
    "times.yes": "✅ Change",
    "times.no": "Keep",
    "times.done": "✅ The check-in times are now <b>{new}</b>, from the next round.",
    "times.cancelled": "Cancelled; the check-in times stay as they were.",
    "command.times": "Change a person's check-in times",
    "sos.not_a_case": (
        "You are not registered for home-isolation monitoring. If you are in danger, call "
        "<b>115</b> at once."
    ),
    "command.checkin": "Health check-in",
    "command.sos": "Urgent help",
}
