#!/usr/bin/env python3
"""params.py - read params.yaml the way DVC does, for run.sh and the DAG.

usage: params.py [-p PARAMS] [-S KEY=VALUE]... args SECTION...
       params.py [-p PARAMS] [-S KEY=VALUE]... get KEY
       params.py [-p PARAMS] [-S KEY=VALUE]... interpolate STRING
       params.py [-p PARAMS] [-S KEY=VALUE]... shell ITEM...

dvc.yaml passes each stage its parameters with DVC's dictionary unpacking:
`${scrub}` in a cmd becomes `--mode tag --seed 0 ...` (nested keys joined
with '.', true booleans as a bare `--flag`, false ones left out, lists as
`--key a b`).  run.sh and the Airflow DAG must call the stage scripts with
the same arguments, so they go through unpack() below, which follows DVC's
rules (dvc/parsing/interpolate.py, to_str for dict, with the default
parsing.bool=store_true and parsing.list=nargs).

  args SECTION...   print the arguments of each section, shell-quoted, on
                    one line (for `eval "a=($(params.py args scrub))"`)
  get KEY           print one value (dotted key, `a.b[0]`)
  interpolate S     replace every ${KEY} in S, as DVC does in a cmd
  shell ITEM...     bash assignments, for one `eval`: ITEM args:SECTION
                    gives ARGS_SECTION=(...), ITEM get:KEY=VAR gives VAR=...

-S KEY=VALUE overrides one value (VALUE read as YAML), like `dvc exp run -S`.
YAML is read as DVC reads it (ruamel.yaml, YAML 1.2): `on`, `yes`, `010` and
`1_000` are the string, the string, ten and a string, not YAML 1.1's true,
true, eight and a thousand.  Needs PyYAML (Debian: python3-yaml).
"""

import re
import shlex
import sys

try:
    import yaml
except ImportError:  # pragma: no cover - reported to the user
    sys.exit("params.py: PyYAML is missing (Debian: apt-get install python3-yaml)")

KEYCRE = re.compile(r"(?<!\\)\$\{(?P<inner>.*?)\}")

_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 core-schema scalars (as DVC)."""


Yaml12Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in (_BOOL, _INT, _FLOAT)]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
Yaml12Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
Yaml12Loader.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"))
Yaml12Loader.add_implicit_resolver(
    _FLOAT, re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)"
                       r"(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
                       r"|\.(?:nan|NaN|NAN))$"), list("-+0123456789."))


def _int12(loader, node):
    v = loader.construct_scalar(node)
    if v.startswith("0o"):
        return int(v[2:], 8)
    if v.startswith("0x"):
        return int(v[2:], 16)
    return int(v, 10)


Yaml12Loader.add_constructor(_INT, _int12)


def yaml_load(text):
    return yaml.load(text, Loader=Yaml12Loader)


class ParamError(Exception):
    pass


def load(path, overrides=()):
    """params.yaml as a dict, with KEY=VALUE overrides applied."""
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml_load(f) or {}
    except OSError as e:
        raise ParamError(f"cannot read {path}: {e.strerror}") from e
    except yaml.YAMLError as e:
        raise ParamError(f"{path}: not valid YAML: {e}") from e
    if not isinstance(data, dict):
        raise ParamError(f"{path}: the top level must be a mapping")
    for ov in overrides:
        key, sep, val = ov.partition("=")
        if not sep or not key:
            raise ParamError(f"bad override '{ov}': expected KEY=VALUE")
        set_key(data, key, yaml_load(val) if val != "" else "")
    return data


def _parts(key):
    parts = []
    for word in key.replace("]", "").replace("[", ".").split("."):
        if word == "":
            raise ParamError(f"bad key '{key}'")
        parts.append(word)
    return parts


def select(data, key):
    """The value at a dotted key; ParamError if it is missing."""
    cur = data
    for p in _parts(key):
        if isinstance(cur, dict) and p in cur:
            cur = cur[p]
        elif isinstance(cur, list) and p.isdigit() and int(p) < len(cur):
            cur = cur[int(p)]
        else:
            raise ParamError(f"'{key}' is not in the parameters")
    return cur


def set_key(data, key, value):
    parts = _parts(key)
    cur = data
    for p in parts[:-1]:
        if not isinstance(cur.get(p), dict):
            cur[p] = {}
        cur = cur[p]
    cur[parts[-1]] = value


def flatten(d, prefix=""):
    out = {}
    for k, v in d.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, name + "."))
        else:
            out[name] = v
    return out


def scalar(v):
    """A value as DVC writes it into a command line."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def unpack(section):
    """The argv DVC makes of ${section} in a cmd (a list of strings)."""
    if not isinstance(section, dict):
        raise ParamError("only a mapping can be unpacked into arguments")
    argv = []
    for k, v in flatten(section).items():
        if isinstance(v, bool):
            if v:
                argv.append(f"--{k}")
        elif isinstance(v, (list, tuple)):
            for i, item in enumerate(v):
                if isinstance(item, (list, tuple, dict)):
                    raise ParamError(f"cannot unpack nested list in '{k}'")
                if i == 0:
                    argv.append(f"--{k}")
                argv.append(scalar(item))
        elif v is None:
            raise ParamError(f"'{k}' has no value (null)")
        else:
            argv += [f"--{k}", scalar(v)]
    return argv


def interpolate(template, data):
    """Replace ${KEY} as DVC does in a cmd: a mapping is unpacked."""
    out, pos = [], 0
    for m in KEYCRE.finditer(template):
        value = select(data, m["inner"].strip())
        out.append(template[pos:m.start()])
        if isinstance(value, dict):
            out.append(" ".join(shlex.quote(a) for a in unpack(value)))
        elif isinstance(value, (list, tuple)):
            raise ParamError(f"cannot interpolate a list: ${{{m['inner']}}}")
        elif isinstance(value, str):
            out.append(value)
        else:
            out.append(scalar(value))
        pos = m.end()
    out.append(template[pos:])
    return "".join(out).replace(r"\${", "${")


def main(argv):
    path, overrides = "params.yaml", []
    while argv and argv[0].startswith("-"):
        opt = argv.pop(0)
        if opt in ("-p", "-S") and argv:
            if opt == "-p":
                path = argv.pop(0)
            else:
                overrides.append(argv.pop(0))
        elif opt in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        else:
            print(f"params.py: bad option '{opt}'\n{__doc__.splitlines()[2]}",
                  file=sys.stderr)
            return 2
    if len(argv) < 2 or argv[0] not in ("args", "get", "interpolate", "shell"):
        print("usage: params.py [-p PARAMS] [-S KEY=VALUE]... "
              "args SECTION... | get KEY | interpolate STRING | shell ITEM...",
              file=sys.stderr)
        return 2
    try:
        data = load(path, overrides)
        if argv[0] == "args":
            words = []
            for sec in argv[1:]:
                words += unpack(select(data, sec))
            print(" ".join(shlex.quote(w) for w in words))
        elif argv[0] == "shell":
            for item in argv[1:]:
                kind, _, what = item.partition(":")
                if kind == "args" and re.fullmatch(r"\w+", what):
                    words = unpack(select(data, what))
                    print(f"ARGS_{what}=(" +
                          " ".join(shlex.quote(w) for w in words) + ")")
                elif kind == "get" and re.fullmatch(r"[^=]+=[A-Za-z_]\w*", what):
                    key, var = what.split("=")
                    value = select(data, key)
                    if isinstance(value, (dict, list)):
                        raise ParamError(f"'{key}' is not a single value")
                    print(f"{var}={shlex.quote(scalar(value))}")
                else:
                    raise ParamError(f"bad item '{item}': args:SECTION or "
                                     "get:KEY=VAR")
        elif argv[0] == "get":
            value = select(data, argv[1])
            if isinstance(value, (dict, list)):
                raise ParamError(f"'{argv[1]}' is not a single value")
            print(scalar(value))
        else:
            print(interpolate(argv[1], data))
    except ParamError as e:
        print(f"params.py: {path}: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
