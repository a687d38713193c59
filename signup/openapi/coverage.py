"""What the OpenAPI document leaves out: routes the app serves and statuses its views name but it does not describe."""

import ast
import inspect
import re
import textwrap

DESCRIBED_PREFIXES = ("/api/", "/hooks/")
SELF = "/api/openapi.json"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
RULE_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
STATUS_RANGE = range(200, 600)


def template(rule):
    """Return a Werkzeug rule string as an OpenAPI path: /api/forms/<form_id> -> /api/forms/{form_id}."""
    return RULE_VARIABLE.sub(r"{\1}", rule.rstrip("/") or "/")


def _served_methods(rule):
    methods = set(rule.methods or ())
    if getattr(rule, "provide_automatic_options", False):
        methods.discard("OPTIONS")
    return {method.lower() for method in methods}


def served(url_map):
    """Return {(path, method): endpoint} for every rule the document should describe."""
    found = {}
    for rule in url_map.iter_rules():
        if not rule.rule.startswith(DESCRIBED_PREFIXES) or rule.rule == SELF:
            continue
        for method in _served_methods(rule):
            found[(template(rule.rule), method)] = rule.endpoint
    return found


def documented(doc):
    """Return {(path, method): operation} for every operation in the document."""
    return {
        (path, method): item[method]
        for path, item in doc.get("paths", {}).items()
        for method in METHODS
        if method in item
    }


def route_problems(doc, url_map):
    """Return a sentence for each route served but not documented, or documented but not served."""
    routes, operations = served(url_map), documented(doc)
    problems = [
        f"{method.upper()} {path} is served but not in the OpenAPI document"
        for path, method in sorted(routes)
        if method != "head" and (path, method) not in operations
    ]
    problems += [
        f"{method.upper()} {path} is in the OpenAPI document but not served"
        for path, method in sorted(operations)
        if (path, method) not in routes
    ]
    return problems


def named_statuses(function):
    """Return the HTTP statuses written as numbers in the module that defines `function`."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(inspect.getmodule(inspect.unwrap(function)))))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and type(node.value) is int and node.value in STATUS_RANGE
    }


def status_problems(doc, app, limited_endpoints=()):
    """Return a sentence for each status a view's module names, or a rate limit gives, that its operations omit."""
    problems, by_module = [], {}
    for (path, method), endpoint in served(app.url_map).items():
        operation = documented(doc).get((path, method))
        if operation is None:
            continue
        statuses = {int(code) for code in operation.get("responses", {}) if code.isdigit()}
        if endpoint in limited_endpoints and 429 not in statuses:
            problems.append(f"{method.upper()} {path} is rate limited but does not document 429")
        module = inspect.getmodule(inspect.unwrap(app.view_functions[endpoint]))
        by_module.setdefault(module, (app.view_functions[endpoint], set()))[1].update(statuses)
    for module, (view, statuses) in by_module.items():
        for status in sorted(named_statuses(view) - statuses):
            problems.append(f"{module.__name__} answers {status}, which none of its operations documents")
    return problems
