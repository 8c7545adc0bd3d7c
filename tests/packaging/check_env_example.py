#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fails when the program reads an environment variable that .env.example does not list.

Usage: check_env_example.py SOURCE_DIR PRINT_ENV_VARS_BINARY

The variables the program reads come from two places:
  - the configuration loader's table, printed by PRINT_ENV_VARS_BINARY
    (config::environmentVariables()); those names are built at run time;
  - every call in app/, engine/, ui/ and plugins/ that reads the environment with a
    string literal (std::getenv("X"), qEnvironmentVariable("X"), qgetenv("X"), ...).
A read whose name is not a literal must be one of KNOWN_COMPUTED (the loader's own
loop, whose names the binary prints); any other one fails the test, because nobody
could tell which variable it reads.

.env.example lists a variable as NAME=value or #NAME=value (commented out: the
default, or an example not to apply blindly). The test also fails when it lists an
ALDIS_* variable that nothing reads any more.
"""

import pathlib
import re
import subprocess
import sys

SOURCE_FOLDERS = ("app", "engine", "ui", "plugins")
CALL = re.compile(r"(?<![\w:])(?:std::|::)?"
                  r"(?:secure_getenv|getenv|qgetenv|qEnvironmentVariable(?:IsSet|IsEmpty|IntValue)?)\s*\(")
LITERAL = re.compile(r'^(?:QStringLiteral\(|QLatin1String\(|u)?"([A-Za-z_][A-Za-z0-9_]*)"\)?$')
# Reads with a computed name: (file, argument text). Their names come from the binary.
KNOWN_COMPUTED = {
    ("engine/config/config.cpp", "name.c_str()"),
    ("engine/config/config.cpp", "std::string(kHs256SecretVar).c_str()"),
}
LISTED = re.compile(r"^#?\s*([A-Za-z_][A-Za-z0-9_]*)=", re.M)


def first_argument(text, start):
    """The text of the first argument of the call whose "(" ends at start."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c == '"':
            i = text.index('"', i + 1) if '"' in text[i + 1:] else len(text)
        elif c == "(":
            depth += 1
        elif c == ")" and depth > 0:
            depth -= 1
        elif c in "),;" and depth == 0:
            break
        i += 1
    return text[start:i].strip()


def code_reads(source):
    names, problems = {}, []
    for folder in SOURCE_FOLDERS:
        for path in sorted((source / folder).rglob("*")):
            if path.suffix not in (".cpp", ".h", ".hpp", ".cc", ".c"):
                continue
            rel = path.relative_to(source).as_posix()
            text = path.read_text(encoding="utf-8", errors="replace")
            # Comments may mention getenv; they read nothing.
            text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
            text = re.sub(r"(?<![:\"])//[^\n]*", "", text)
            for match in CALL.finditer(text):
                argument = first_argument(text, match.end())
                literal = LITERAL.match(argument)
                line = text.count("\n", 0, match.start()) + 1
                if literal:
                    names.setdefault(literal.group(1), f"{rel}:{line}")
                elif (rel, argument) not in KNOWN_COMPUTED:
                    problems.append(f"{rel}:{line}: reads the environment with a computed name ({argument}); "
                                    "list the variable in .env.example and add the call to KNOWN_COMPUTED "
                                    "in tests/packaging/check_env_example.py")
    return names, problems


def main():
    source, printer = pathlib.Path(sys.argv[1]), sys.argv[2]
    loader = subprocess.run([printer], check=True, capture_output=True, text=True).stdout.split()
    if len(loader) < 40 or "ALDIS_CLIENT_PORT" not in loader:
        sys.exit(f"{printer} printed {len(loader)} names; expected the loader's table (ALDIS_CLIENT_PORT, ...)")
    read = {name: "the configuration loader (engine/config/config_keys.cpp)" for name in loader}
    literal, problems = code_reads(source)
    for name, where in literal.items():
        read.setdefault(name, where)

    example = source / ".env.example"
    listed = set(LISTED.findall(example.read_text(encoding="utf-8")))
    for name in sorted(read):
        if name not in listed:
            problems.append(f".env.example does not list {name} (read by {read[name]}); add it with a comment "
                            "and a safe example or its default")
    for name in sorted(listed):
        if name.startswith("ALDIS_") and name not in read:
            problems.append(f".env.example lists {name}, which nothing reads; remove it")

    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f".env.example lists all {len(read)} variables the program reads "
          f"({len(loader)} from the configuration loader, {len(literal)} read by name)")


if __name__ == "__main__":
    main()
