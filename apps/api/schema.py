"""drf-spectacular hooks: every operation documents the errors it can answer with (a JSON
body with `detail` or per-field messages), so clients and the schema test know them."""

ERROR_RESPONSES = {
    "400": "The request is not valid; nothing was changed.",
    "401": "No API key, or an unknown, revoked or expired one.",
    "403": "The key's role or organization may not do this.",
    "404": "Not found, or not visible to the key's organization.",
    "429": "Too many calls with this key; retry after `Retry-After` seconds.",
}


def add_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = {
        "type": "object",
        "description": "`detail` for one message, or field names with lists of messages.",
        "additionalProperties": True,
    }
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            responses = operation.setdefault("responses", {})
            for code, text in ERROR_RESPONSES.items():
                content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
                if code == "400":
                    # A NUL byte anywhere in the request is refused before the API sees it
                    # (apps.core.middleware.RejectNulBytesMiddleware), as a short HTML page.
                    content["text/html"] = {"schema": {"type": "string"}}
                responses.setdefault(code, {"description": text, "content": content})
            if method == "get":
                responses.setdefault("304", {"description": "Not modified (If-None-Match)."})
    return result
