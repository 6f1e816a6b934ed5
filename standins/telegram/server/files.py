"""Files: the store of uploads and the methods that send or hand out files."""

from __future__ import annotations

import mimetypes
from typing import Any, Literal

from standins.telegram.checks import check_markup, format_text
from standins.telegram.records import StoredFile, file_object
from standins.telegram.server.core import StandInCore
from standins.telegram.server.request import Request
from standins.telegram.wire import CAPTION_LIMIT, JSON, bad


class FileMethods(StandInCore):
    """sendDocument, sendPhoto, getFile, and the file store behind them."""

    async def _send_document(self, request: Request) -> Any:
        return await self._send_file(request, "document")

    async def _send_photo(self, request: Request) -> Any:
        return await self._send_file(request, "photo")

    async def _send_file(self, request: Request, kind: Literal["document", "photo"]) -> Any:
        params = request.params
        chat = self._chat(request)
        self._check_limits(chat, params.get("allow_paid_broadcast") is True)
        caption, entities = format_text(params, "caption", limit=CAPTION_LIMIT, required=False)
        markup = check_markup(params.get("reply_markup"))
        stored = self._file_param(request, kind, "documents" if kind == "document" else "photos")
        content: JSON = {kind: file_object(stored, kind)}
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        return self._new_message(request, chat, content, markup, stored)

    def _file_param(self, request: Request, key: str, folder: str) -> StoredFile:
        """The file a send method carries: an upload, an attach:// upload or a file_id."""
        value = request.params.get(key)
        name = value[9:] if isinstance(value, str) and value.startswith("attach://") else key
        upload = request.uploads.get(name)
        if upload is not None:
            request.params[key] = stored = self._store_file(
                upload.body, folder, upload.filename or None, upload.content_type or None
            )
            return stored
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        if value in (None, ""):
            raise bad(f"there is no {key} in the request")
        raise bad("wrong file identifier/HTTP URL specified")

    async def _get_file(self, request: Request) -> Any:
        stored = self.files.get(str(request.params.get("file_id", "")))
        if stored is None:
            raise bad("invalid file_id")
        return stored.as_file()

    def _store_file(
        self, content: bytes, folder: str, filename: str | None, mime_type: str | None
    ) -> StoredFile:
        number = next(self._file_ids)
        suffix = (
            "." + filename.rsplit(".", 1)[1]
            if filename and "." in filename
            else (mimetypes.guess_extension(mime_type or "") or "")
        )
        stored = StoredFile(
            file_id=f"standin-file-{number}",
            file_unique_id=f"unique-{number}",
            file_path=f"{folder}/file_{number}{suffix}",
            content=content,
            filename=filename,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = self._files_by_path[stored.file_path] = stored
        return stored
