"""Enforcement documents (执法文书): typed definitions and their rendering to PDF.

The definitions are data so that the journal, the CLI and the web forms validate a document
exactly as the renderer does; rendering is kept apart so that importing the definitions never
loads WeasyPrint.
"""

from __future__ import annotations

from liuhen.documents.types import DOC_TYPES as DOC_TYPES
from liuhen.documents.types import SEAL as SEAL
from liuhen.documents.types import DocType as DocType
from liuhen.documents.types import doc_type as doc_type
from liuhen.documents.types import role_label as role_label
