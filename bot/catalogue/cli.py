"""Texts of the command line: migrations, backups, the doctor's checks."""

VI: dict[str, str] = {
    "cli.schema_behind": (
        "Lược đồ cơ sở dữ liệu đang ở {current}, chưa phải {head}: chạy 'cachly db upgrade' trước"
    ),
    "cli.no_feature_collection": "không phải một FeatureCollection",
    "cli.unreadable_file": "Không đọc được tệp {file}: {problem}",
    "cli.no_runner": "Lệnh này không chạy được bot: dùng lệnh `cachly`",
    "cli.db_up_to_date": "Cơ sở dữ liệu đã cập nhật.",
    "cli.import_progress": "Đang kiểm tra các dòng",
    "cli.backup_postgres": (
        "Cơ sở dữ liệu là PostgreSQL: sao lưu bằng pg_dump, ví dụ "
        'pg_dump --format=custom --file={file} "$DATABASE_URL" '
        "(khôi phục bằng pg_restore); lệnh này chỉ sao chép SQLite."
    ),
    "cli.backup_exists": "{file} đã có; chọn tên khác (bản sao không ghi đè).",
    "cli.backup_done": "Đã sao lưu {source} vào {file} ({size} byte).",
    "doctor.config": "cấu hình",
    "doctor.config_ok": "đọc được",
    "doctor.database": "cơ sở dữ liệu",
    "doctor.database_unreachable": "không kết nối được: {problem}",
    "doctor.schema_behind": ("lược đồ ở {current}, chưa phải {head}: chạy 'cachly db upgrade'"),
    "doctor.schema_ok": "kết nối được, lược đồ mới nhất ({head})",
    "doctor.outbox": "hàng đợi gửi",
    "doctor.outbox_counts": "đến hạn {due}, hẹn sau {later}, đang gửi {sending}, lỗi {failed}",
    "doctor.outbox_oldest": "{counts}; tin chờ lâu nhất #{id} ({purpose}) đã chờ {minutes} phút",
    "doctor.token": "mã bot",
    "doctor.no_token": "chưa đặt (CACHLY_TELEGRAM_TOKEN hoặc telegram.token)",
    "doctor.webhook": "webhook",
    "doctor.polling": "không đặt (chế độ polling), {pending} cập nhật đang chờ",
    "doctor.webhook_blocks_polling": (
        "đang đặt tới {url} nên chế độ polling không nhận được cập nhật; "
        'xoá nó (deleteWebhook) hoặc đặt telegram.mode = "webhook"'
    ),
    "doctor.webhook_other": (
        "Telegram gửi tới {url}, không phải {wanted}; chạy 'cachly webhook set'"
    ),
    "doctor.webhook_error": "lỗi gần nhất lúc {at}: {error}; {pending} cập nhật đang chờ",
    "doctor.webhook_ok": "{url}, {pending} cập nhật đang chờ",
    "webhook.not_webhook_mode": (
        'telegram.mode không phải "webhook": không có webhook nào để đặt '
        "(ở chế độ polling, 'cachly webhook delete' xoá webhook cũ)"
    ),
    "webhook.set": "✓ {key}: Telegram sẽ gửi cập nhật tới {url}",
    "webhook.info": "{key}: {url}, {pending} cập nhật đang chờ",
    "webhook.last_error": "lỗi gần nhất: {error}",
    "webhook.deleted": "✓ {key}: đã xoá webhook (các cập nhật đang chờ vẫn giữ)",
    "webhook.refused": "Telegram từ chối webhook của {key}: {problem}",
}

EN: dict[str, str] = {
    "cli.schema_behind": (
        "the database schema is at {current}, not {head}: run 'cachly db upgrade' first"
    ),
    "cli.no_feature_collection": "not a FeatureCollection",
    "cli.unreadable_file": "Cannot read {file}: {problem}",
    "cli.no_runner": "This entry point cannot run the bot: use the `cachly` command",
    "cli.db_up_to_date": "The database is up to date.",
    "cli.import_progress": "Checking rows",
    "cli.backup_postgres": (
        "The database is PostgreSQL: back it up with pg_dump, for example "
        'pg_dump --format=custom --file={file} "$DATABASE_URL" '
        "(restore with pg_restore); this command copies SQLite only."
    ),
    "cli.backup_exists": "{file} exists; choose another name (a backup never overwrites).",
    "cli.backup_done": "Backed up {source} to {file} ({size} bytes).",
    "doctor.config": "configuration",
    "doctor.config_ok": "loaded",
    "doctor.database": "database",
    "doctor.database_unreachable": "not reachable: {problem}",
    "doctor.schema_behind": "schema at {current}, not {head}: run 'cachly db upgrade'",
    "doctor.schema_ok": "reachable, schema at head ({head})",
    "doctor.outbox": "outbox",
    "doctor.outbox_counts": "due {due}, later {later}, sending {sending}, failed {failed}",
    "doctor.outbox_oldest": (
        "{counts}; oldest waiting #{id} ({purpose}) has waited {minutes} {minutes:minute|minutes}"
    ),
    "doctor.token": "token",
    "doctor.no_token": "not set (CACHLY_TELEGRAM_TOKEN or telegram.token)",
    "doctor.webhook": "webhook",
    "doctor.polling": "none (polling mode), {pending} {pending:update|updates} waiting",
    "doctor.webhook_blocks_polling": (
        "set to {url}, so polling gets no updates; delete it (deleteWebhook) "
        'or set telegram.mode = "webhook"'
    ),
    "doctor.webhook_other": "Telegram posts to {url}, not {wanted}; run 'cachly webhook set'",
    "doctor.webhook_error": (
        "last error at {at}: {error}; {pending} {pending:update|updates} waiting"
    ),
    "doctor.webhook_ok": "{url}, {pending} {pending:update|updates} waiting",
    "webhook.not_webhook_mode": (
        'telegram.mode is not "webhook": there is no webhook to set '
        "(in polling mode 'cachly webhook delete' removes an old one)"
    ),
    "webhook.set": "✓ {key}: Telegram will post updates to {url}",
    "webhook.info": "{key}: {url}, {pending} {pending:update|updates} waiting",
    "webhook.last_error": "last error: {error}",
    "webhook.deleted": "✓ {key}: webhook deleted (updates waiting are kept)",
    "webhook.refused": "Telegram refused {key}'s webhook: {problem}",
}
