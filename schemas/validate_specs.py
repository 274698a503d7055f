"""Validates YAML specs against the pipeline JSON Schema (draft 2020-12).

usage: validate_specs.py SCHEMA FILE... ; a FILE prefixed with '!' must FAIL
validation. Scalars are read with the YAML 1.2 core schema, as pipe reads them
(PyYAML's default is YAML 1.1, where `1e-3` is a string and `yes` a bool).
"""
import json
import re
import sys

import jsonschema
import yaml


class CoreLoader(yaml.SafeLoader):
    pass


CoreLoader.yaml_implicit_resolvers = {}
CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))
CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


def construct_int(loader, node):
    text = loader.construct_scalar(node)
    return int(text, 0) if text[:2] in ("0o", "0x") else int(text, 10)


CoreLoader.add_constructor("tag:yaml.org,2002:int", construct_int)


def main():
    schema = json.load(open(sys.argv[1]))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failures = 0
    for argument in sys.argv[2:]:
        must_pass = not argument.startswith("!")
        path = argument.lstrip("!")
        with open(path) as handle:
            document = yaml.load(handle, Loader=CoreLoader)
        errors = list(validator.iter_errors(document))
        if bool(errors) == must_pass:
            failures += 1
            print(("schema rejects " if must_pass else "schema accepts invalid ") + path)
            for error in errors[:5]:
                print("   at", "/".join(map(str, error.absolute_path)) or "(top)", ":", error.message[:300])
    print(f"checked {len(sys.argv) - 2} files, {failures} unexpected")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
