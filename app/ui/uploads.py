"""Hands a file the browser uploaded to NiceGUI to a GraphQL `Upload` argument, streamed in chunks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

CHUNK_SIZE = 1024 * 1024


class UploadedFile:
    """What the API's upload resolvers read: `filename`, `content_type` and `await read(size)`."""

    def __init__(self, upload: Any) -> None:
        self.filename: str = upload.name
        self.content_type: str = getattr(upload, "content_type", "") or "application/octet-stream"
        self._chunks: AsyncIterator[bytes] = upload.iterate(chunk_size=CHUNK_SIZE)
        self._buffer = b""
        self._done = False

    async def _fill(self, size: int) -> None:
        while not self._done and (size < 0 or len(self._buffer) < size):
            try:
                self._buffer += await anext(self._chunks)
            except StopAsyncIteration:
                self._done = True

    async def read(self, size: int = -1) -> bytes:
        await self._fill(size)
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data
