"""Export parser: a WhatsApp "Export chat" file (.txt, .zip or stdin) -> `Message` records.

    from whatsapp_audit.parse import open_chat
    with open_chat("chat.txt") as chat:
        for msg in chat.messages():
            ...

Modules, one job each: `source` (bytes -> decoded text chunks), `dialect` (which header format, day-first or
month-first), `body` (kind of a message body), `system` (system events), `parser` (the streaming loop),
`interface` (Chat / open_chat), `jsonl` (fast contract-exact JSON lines).
"""

from whatsapp_audit.parse.interface import Chat, open_chat

__all__ = ["Chat", "open_chat"]
