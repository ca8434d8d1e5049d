"""Object storage: where every image, clip and video lives. Agents pass references, never bytes.

base.py holds the keys, references and the ObjectStore interface; local.py the folder backend;
s3.py the S3 backend; factory.open_store the one a process's settings name.
"""

from services.common.storage.base import (
    URI_SCHEME,
    ObjectStore,
    StoredObject,
    key_from_uri,
    sha256_file,
    uri_for,
    validate_key,
)
from services.common.storage.local import LocalStore

__all__ = [
    "URI_SCHEME",
    "LocalStore",
    "ObjectStore",
    "StoredObject",
    "key_from_uri",
    "sha256_file",
    "uri_for",
    "validate_key",
]
