"""Checks every answer the app gives on a documented operation against the OpenAPI document, as tests run."""

import json

from flask import request
from jsonschema import Draft202012Validator

from signup.openapi import coverage, document


def _resolve(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        kind, name = node["$ref"].split("/")[-2:]
        node = doc["components"][kind][name]
    return node


def answer_problems(doc, path, method, status, mimetype, body):
    """Return what is wrong with one answer (status, media type, body bytes) to `method path`, per `doc`."""
    where = f"{method.upper()} {path} -> {status}"
    operation = coverage.documented(doc).get((path, method))
    if operation is None:
        return [f"{method.upper()} {path} is not documented"]
    answer = _resolve(doc, operation["responses"].get(str(status)) or operation["responses"].get("default"))
    if answer is None:
        return [f"{where}: status not documented"]
    content = answer.get("content")
    if not content:
        return [] if method == "head" or not body else [f"{where}: a body where none is documented"]
    if mimetype not in content:
        return [f"{where}: {mimetype or 'no media type'} is not among {sorted(content)}"]
    try:
        value = json.loads(body)
    except ValueError:
        return [f"{where}: the body is not JSON"]
    # The components sit beside the schema, so its "#/components/..." references resolve.
    validator = Draft202012Validator({**content[mimetype]["schema"], "components": doc["components"]})
    return [f"{where}: {error.message} at {list(error.absolute_path)}" for error in validator.iter_errors(value)]


class Watch:
    """Records, for an app under test, every answer on a documented route that the document does not allow."""

    def __init__(self, app):
        self.doc, self.problems = document(app.config), []
        app.after_request(self.check)

    def check(self, response):
        rule = request.url_rule
        if rule is None or not rule.rule.startswith(coverage.DESCRIBED_PREFIXES) or rule.rule == coverage.SELF:
            return response
        path, method = coverage.template(rule.rule), request.method.lower()
        if (path, method) in coverage.documented(self.doc):
            body = b"" if response.direct_passthrough else response.get_data()
            self.problems += answer_problems(self.doc, path, method, response.status_code, response.mimetype, body)
        return response
