"""Texts of the SMS channel: short, unaccented wordings that fit one 160-character segment.

`sms.<key>` is what an SMS says instead of the catalogue text `<key>` (same parameters):
the SMS renderer recognises the text a service built and says this one. A `.nolink` variant
is said when the person has no location link. Vietnamese is written without accents on
purpose: a GSM-7 segment holds 160 characters, a Vietnamese (UCS-2) one only 70.
Keys without an `sms.` wording are said as they are, unaccented. The `location_page.`
texts are the web desk's location page (a browser: accents and all).
"""

VI: dict[str, str] = {
    # How reply codes are offered.
    "sms.codes": "Tra loi {choices}.",
    "sms.codes.list": "Tra loi: {choices}.",
    "sms.codes.via": "Soan {keyword} va so gui {number}: {choices}.",
    "sms.code_if": "{code} neu {label}",
    "sms.code": "{code}={label}",
    "sms.code.join": ", ",
    "sms.location_link": "Link: {url}",
    "sms.pin": "Vi tri: {lat}, {lon}",
    # Consent, when an officer registers the person.
    "sms.enrol.notice": (
        "Xin chao {name}. {commune} moi ban tham gia theo doi cach ly tai nha den {end}. "
        "Tram y te ghi ho ten, SDT, dia chi, khai bao suc khoe va vi tri ban gui; chi can bo "
        "y te xem; xoa sau khi het cach ly. Ban dong y khong?"
    ),
    "sms.enrol.agree": "dong y",
    "sms.enrol.refuse": "khong dong y",
    "sms.enrol.welcome": "Cam on! {name} da tham gia, cach ly den ngay {end}.",
    "sms.enrol.use_buttons": "Xin tra loi bang so: 1 neu dong y, 2 neu khong dong y.",
    "sms.enrol.refused": "Ban da khong dong y. Tram y te da duoc bao va se lien he voi ban.",
    # The prompt and the questionnaire.
    "sms.checkin.prompt": "Chao {name}! Den gio khai bao suc khoe.",
    "sms.checkin.reminder": "Nhac lai: {name} chua khai bao suc khoe.",
    "sms.checkin.feel.good": "khoe",
    "sms.checkin.feel.tired": "met",
    "sms.checkin.feel.bad": "can giup ngay",
    "sms.checkin.ask_symptoms": "{name} co trieu chung nao? Nhan nhieu so duoc, vd: 1 5 9.",
    "sms.checkin.symptom.fever": "sot",
    "sms.checkin.symptom.cough": "ho",
    "sms.checkin.symptom.sore_throat": "dau hong",
    "sms.checkin.symptom.taste_smell": "mat vi/mui",
    "sms.checkin.symptom.short_breath": "kho tho",
    "sms.checkin.symptom.chest_pain": "dau nguc",
    "sms.checkin.symptom.confusion": "lu lan",
    "sms.checkin.symptoms.none": "khong co",
    "sms.checkin.symptoms.done": "xong",
    "sms.checkin.ask.temperature": "Nhiet do cua {name}? Nhan so, vd: 37.5",
    "sms.checkin.ask.spo2": "SpO2 cua {name} (may kep ngon tay)? Nhan so, vd: 98",
    "sms.checkin.ask.spo2_again": "SpO2 lan truoc {value}, hoi thap. {name} do lai va nhan so moi.",
    "sms.checkin.ask.breaths": "{name} tho bao nhieu lan trong 1 phut? Nhan so, vd: 16",
    "sms.checkin.ask.pulse": "Mach cua {name} bao nhieu lan/phut? Nhan so, vd: 80",
    "sms.checkin.skip.temperature": "khong co nhiet ke",
    "sms.checkin.skip.spo2": "khong co may do",
    "sms.checkin.skip.spo2_again": "khong do lai duoc",
    "sms.checkin.skip.breaths": "khong dem duoc",
    "sms.checkin.skip.pulse": "khong do duoc",
    "sms.checkin.ask_location": "Cuoi cung, {name} bam link de gui vi tri hien tai.",
    "sms.checkin.ask_location.nolink": "Cuoi cung: vi tri cua {name}.",
    "sms.checkin.ask_location.sms": "Cuoi cung, {name} mo link de gui vi tri hien tai.",
    "sms.checkin.ask_location.sms.nolink": "Cuoi cung: vi tri cua {name}.",
    "sms.checkin.location_skip": "khong gui duoc vi tri",
    "sms.checkin.press_a_button": "Xin tra loi bang mot so trong tin nhan truoc.",
    "sms.checkin.danger": (
        "{name} co dau hieu nguy hiem: {signs}. Tram y te da duoc bao, se lien he ngay. "
        "Nam nghi, dung o mot minh. Nang hon: goi 115."
    ),
    "sms.spot.prompt": "Kiem tra nhanh: {name} bam link gui vi tri trong {minutes} phut.",
    "sms.spot.prompt.nolink": "Kiem tra nhanh vi tri cua {name} trong {minutes} phut.",
    "sms.spot.prompt.sms": "Kiem tra nhanh: {name} mo link gui vi tri trong {minutes} phut.",
    "sms.spot.prompt.sms.nolink": "Kiem tra nhanh vi tri cua {name} trong {minutes} phut.",
    # Locations and SOS.
    "sms.location.rejected.forwarded": "Vi tri nay khong dung duoc. Hay bam link gui vi tri.",
    "sms.location.rejected.venue": "Day la dia diem chon tren ban do. Hay bam link gui vi tri.",
    "sms.location.breach": (
        "{name} oi, vi tri cho thay ban dang o ngoai nha. Xin ve nha ngay. "
        "Tram y te da duoc bao. Can giup: nhan SOS."
    ),
    "sms.sos.sent_household": (
        "Da bao tram y te, can bo se lien he ngay. Nguy hiem: goi 115. Ai can giup?"
    ),
    "sms.location.which_person": "Vi tri cua ai?",
    # An officer's alert card: the SMS could not reach the person's number.
    "alert.ev.undeliverable": "• {time}: tin nhắn SMS không đến được số này",
    # The /case card of a person on SMS who has sent no location (no smartphone, no link).
    "cases.no_geofence": "chưa có — nhắn SMS, chưa gửi vị trí qua liên kết: chưa kiểm tra được",
    # The location page a link opens.
    "location_page.title": "Gửi vị trí cho trạm y tế",
    "location_page.intro": (
        "Trạm y tế cần biết bạn đang ở đâu cho lần khai báo này. Bấm nút dưới đây, "
        "rồi cho phép trình duyệt dùng vị trí. Vị trí chỉ được gửi một lần."
    ),
    "location_page.send": "📍 Gửi vị trí của tôi",
    "location_page.cannot": "Không gửi được vị trí",
    "location_page.asking": "Đang lấy vị trí…",
    "location_page.thanks": "Đã gửi. Cảm ơn! Trạm y tế sẽ nhắn tin cho bạn kết quả.",
    "location_page.noted": "Đã ghi: không gửi được vị trí. Cảm ơn!",
    "location_page.gone": "Liên kết này đã dùng rồi hoặc đã hết hạn.",
    "location_page.refused": "Không gửi được. Xin mở lại liên kết trong tin nhắn.",
}

EN: dict[str, str] = {
    "sms.codes": "Reply {choices}.",
    "sms.codes.list": "Reply: {choices}.",
    "sms.codes.via": "Text {keyword} and the number to {number}: {choices}.",
    "sms.code_if": "{code} if {label}",
    "sms.code": "{code}={label}",
    "sms.code.join": ", ",
    "sms.location_link": "Link: {url}",
    "sms.pin": "Location: {lat}, {lon}",
    "sms.enrol.notice": (
        "Hello {name}. {commune} invites you to home-isolation follow-up until {end}. "
        "The station keeps your name, phone, address, check-ins and locations you send; only "
        "health officers see them; deleted after isolation. Do you agree?"
    ),
    "sms.enrol.agree": "you agree",
    "sms.enrol.refuse": "you do not",
    "sms.enrol.welcome": "Thank you! {name} has joined. Isolation ends on {end}.",
    "sms.enrol.use_buttons": "Please reply with a number: 1 if you agree, 2 if you do not.",
    "sms.enrol.refused": "You did not agree. The health station is told and will contact you.",
    "sms.checkin.prompt": "Hello {name}! Time for your health check-in.",
    "sms.checkin.reminder": "Reminder: {name} has not checked in yet.",
    "sms.checkin.feel.good": "well",
    "sms.checkin.feel.tired": "tired",
    "sms.checkin.feel.bad": "you need help now",
    "sms.checkin.ask_symptoms": "Any symptoms, {name}? Several numbers are fine, e.g. 1 5 9.",
    "sms.checkin.symptom.fever": "fever",
    "sms.checkin.symptom.cough": "cough",
    "sms.checkin.symptom.sore_throat": "sore throat",
    "sms.checkin.symptom.taste_smell": "no taste/smell",
    "sms.checkin.symptom.short_breath": "short of breath",
    "sms.checkin.symptom.chest_pain": "chest pain",
    "sms.checkin.symptom.confusion": "confused",
    "sms.checkin.symptoms.none": "none",
    "sms.checkin.symptoms.done": "done",
    "sms.checkin.ask.temperature": "{name}'s temperature? Reply a number, e.g. 37.5",
    "sms.checkin.ask.spo2": "{name}'s SpO2 (finger oximeter)? Reply a number, e.g. 98",
    "sms.checkin.ask.spo2_again": "SpO2 was {value}, a bit low. {name}, measure again and reply.",
    "sms.checkin.ask.breaths": "How many breaths a minute for {name}? Reply a number, e.g. 16",
    "sms.checkin.ask.pulse": "{name}'s pulse, beats a minute? Reply a number, e.g. 80",
    "sms.checkin.skip.temperature": "no thermometer",
    "sms.checkin.skip.spo2": "no oximeter",
    "sms.checkin.skip.spo2_again": "cannot measure again",
    "sms.checkin.skip.breaths": "cannot count",
    "sms.checkin.skip.pulse": "cannot measure",
    "sms.checkin.ask_location": "Last, {name}, open the link to send where you are.",
    "sms.checkin.ask_location.nolink": "Last: {name}'s location.",
    "sms.checkin.ask_location.sms": "Last, {name}, open the link to send where you are.",
    "sms.checkin.ask_location.sms.nolink": "Last: {name}'s location.",
    "sms.checkin.location_skip": "you cannot send it",
    "sms.checkin.press_a_button": "Please reply with one of the numbers in the last message.",
    "sms.checkin.danger": (
        "{name} has danger signs: {signs}. The station will call you. "
        "Lie down, do not stay alone. If worse, call 115."
    ),
    "sms.spot.prompt": "Quick check: {name}, open the link within {minutes} min.",
    "sms.spot.prompt.nolink": "Quick location check for {name} in {minutes} min.",
    "sms.spot.prompt.sms": "Quick check: {name}, open the link within {minutes} min.",
    "sms.spot.prompt.sms.nolink": "Quick location check for {name} in {minutes} min.",
    "sms.location.rejected.forwarded": "This location cannot be used. Open the link to send yours.",
    "sms.location.rejected.venue": "This is a place picked on a map. Open the link to send yours.",
    "sms.location.breach": (
        "{name}, your location shows you are away from home. Please go home now. "
        "The health station is told. Need help: reply SOS."
    ),
    "sms.sos.sent_household": (
        "The health station is told and will call. In danger: call 115. Who needs help?"
    ),
    "sms.location.which_person": "Whose location?",
    "alert.ev.undeliverable": "• {time}: SMS cannot reach this number",
    "cases.no_geofence": "none — on SMS, no location sent through the link: cannot be checked",
    "location_page.title": "Send your location to the health station",
    "location_page.intro": (
        "The health station needs to know where you are for this check-in. Press the "
        "button below, then let the browser use your location. It is sent once."
    ),
    "location_page.send": "📍 Send my location",
    "location_page.cannot": "I cannot send my location",
    "location_page.asking": "Finding your location…",
    "location_page.thanks": "Sent. Thank you! The health station will text you the result.",
    "location_page.noted": "Noted: no location could be sent. Thank you!",
    "location_page.gone": "This link was used already or has expired.",
    "location_page.refused": "This could not be sent. Please open the link in the SMS again.",
}
