"""wa-audit: offline audit of exported WhatsApp class-group chats against a parents' group policy.

Pipeline (one subpackage per stage):  parse/ (export text -> Message records) -> rules/ (YAML rule pack +
rule types -> Findings) -> report/ (summary + one renderer per output format).
"""

__version__ = "0.1.0"
