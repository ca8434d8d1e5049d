"""Print the gateway's OpenAPI document, plus the WebSocket ProgressEvent schema (not an HTTP route).

Run from frontend/ with the repo's venv: `npm run gen:api` feeds it to openapi-typescript.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pydantic.json_schema import models_json_schema

from gateway.app import create_app
from gateway.schemas import ProgressEvent

doc = create_app().openapi()
_, extra = models_json_schema([(ProgressEvent, "serialization")], ref_template="#/components/schemas/{model}")
doc["components"]["schemas"].update(extra.get("$defs", {}))
print(json.dumps(doc, indent=2, sort_keys=True))
