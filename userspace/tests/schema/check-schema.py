#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""check-schema.py SCHEMA PROFILES_DIR CORPUS_DIR

The JSON Schema of the document format (userspace/profiles/
cenalloc-profile.schema.json) against the documents cenalloc reads:
every example in PROFILES_DIR and every document of CORPUS_DIR/valid/
must validate; the refused documents of CORPUS_DIR must not, except
those in MAY_VALIDATE (problems beyond a schema).  cenalloc's own reader
is the authority and checks more (unique names, powers of two, the
kernel's validation), so other refused documents may validate.

Exits 1, saying why, when python3-jsonschema is missing: a schema that
was never checked must not pass as checked.
"""
import json
import pathlib
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("check-schema: FAILED: python3-jsonschema is missing, the "
             "schema is not checked (scripts/need-packages @build installs "
             "it)")

# Refused documents of the corpus whose problem is beyond a schema:
# duplicate keys (a JSON parser keeps the last), unique names, device
# references, powers of two and 2^k-1 masks in string form, relations
# between fields.  Every other refused document must fail the schema too.
MAY_VALIDATE = {
    "backend-addresses-reversed",
    "backend-max-align-not-power-of-two",
    "backend-name-twice",
    "buffer-unknown-device",
    "constraint-boundary-not-a-mask",
    "declares-align-not-power-of-two",
    "device-name-twice",
    "duplicate-key",
    "duplicate-key-nested",
    "seg-boundary-not-a-mask",
}


def parsed(path):
    """The document, or None when it is not JSON at all."""
    try:
        return load(path)
    except ValueError:
        return None


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    schema_file, profiles, corpus = (pathlib.Path(a) for a in sys.argv[1:4])
    schema = load(schema_file)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    failures = []

    valid = sorted(p for p in profiles.glob("*.json")
                   if p != schema_file and not p.name.endswith(".schema.json"))
    valid += sorted((corpus / "valid").glob("*.json"))
    if len(valid) < 5:
        failures.append(f"only {len(valid)} valid documents found")
    for path in valid:
        for error in validator.iter_errors(load(path)):
            failures.append(f"{path}: {error.json_path}: {error.message}")

    refused = 0
    for path in sorted(corpus.glob("*.json")):
        doc = parsed(path)
        if path.stem in MAY_VALIDATE or doc is None:
            continue
        if validator.is_valid(doc):
            failures.append(f"{path}: refused by cenalloc, valid by the "
                            "schema (add it to MAY_VALIDATE if a schema "
                            "cannot see its problem)")
        refused += 1
    if refused < 30:
        failures.append(f"only {refused} refused documents checked")
    for line in failures:
        print("check-schema:", line[:500])
    print(f"check-schema: {len(valid)} documents valid, {refused} refused "
          f"ones invalid; jsonschema {cls.__name__}: "
          f"{'FAILED' if failures else 'ok'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
