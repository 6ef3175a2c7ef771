#!/usr/bin/env python3
"""Runs one bad-input case (tests/bad_inputs/cases/<name>/case.toml) against the notspot binary.

The small study (tests/data/small_study) is copied into a temporary folder, the case is applied
(files of the case folder copied over it, text edits, generated files, setup commands), notspot
is run, and its exit code, messages, manifest ledger and output files are checked; where the
run succeeds (exit 0 or 3), `notspot validate` must exit 0 on the same study, unless the case
says what validate must do (validate_exit_code). Every failed
check is printed as expected/actual, followed by notspot's whole output.

Usage: run_case.py --notspot BINARY --study SMALL_STUDY_DIR CASE_DIR [--keep]

case.toml keys (all but description and exit_code optional):
  description = "one line"
  copy = ["study.toml", ...]        files of the small study to copy (default: all but README.md
                                    and expected/)
  remove = ["file", ...]            files to delete after copying
  [[edit]] file, replace, with      replace text (must occur) in a copied file; count = N for
                                    more than the first occurrence (0 = all)
  [[generate]] file, before, repeat, count, after, mode = "write" | "append"
                                    write before + repeat*count + after (bytes; escapes allowed)
  setup = ["shell command", ...]    run in the study folder after the above (e.g. ogr2ogr);
                                    a missing tool, or a command exiting 77, skips the case;
                                    $NOTSPOT is the binary under test (e.g. a previous run)
  args = ["run", "study.toml", "--out", "out"]   (the default)
  cwd = "."                         folder to run in, relative to the study folder
  memory_limit_mb = N               address-space limit (RLIMIT_AS) for notspot, so that a
                                    runaway allocation fails the case instead of the machine
                                    (not applied to an AddressSanitizer build)
  exit_code = N
  expect = ["substring", ...]       each must occur in stdout+stderr
  expect_lines = [N, ...]           output must mention each of these line numbers (":N:" or
                                    "line N")
  not_expect = ["substring", ...]   none may occur
  [ledger]  key = value             manifest.json ledger.premises values (exit 0 or 3 only)
  manifest_contains = ["text", ...] substrings of manifest.json (e.g. a warning)
  [manifest] "dotted.path" = value  other manifest values
  [[file]] path, contains = [...], not_contains = [...]   checks on output files (relative to
                                    the study folder); after exit 3, out/... is read from
                                    out.failed/... unless failed = false;
                                    exists = false: must not exist (not even as a dangling link);
                                    is_link = true: must still be a symbolic link;
                                    unchanged = true: same bytes as when setup finished
  [[command]] run, contains = [...], not_contains = [...]   a shell command run in the study
                                    folder after notspot (e.g. `ogrinfo -so out/x.gpkg layer`),
                                    checked on its stdout+stderr; it must exit 0; after exit 3,
                                    out/ in it reads out.failed/ unless failed = false; a
                                    missing tool skips the case
  validate_exit_code = N             also run `notspot validate STUDY` (the run's study file, or
                                    study.toml) after the run: its exit code (replaces the
                                    "a study that runs must validate" check)
  validate_expect = ["substring", ...]      each must occur in validate's stdout+stderr
  validate_not_expect = ["substring", ...]  none may occur there
Whenever manifest.json exists, premises read == assigned + outside + rejected is checked.
"""
import argparse
import json
import re
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import tomllib

KNOWN_KEYS = {"description", "copy", "remove", "edit", "generate", "setup", "args", "cwd",
              "timeout", "exit_code", "expect", "expect_lines", "not_expect", "ledger",
              "manifest", "manifest_contains", "file"}
KNOWN_KEYS.add("memory_limit_mb")
KNOWN_KEYS.add("command")
KNOWN_KEYS |= {"validate_exit_code", "validate_expect", "validate_not_expect"}
CRASH_SIGNS = ["terminate called", "Segmentation fault", "what():", "core dumped",
               "AddressSanitizer", "Assertion", "std::bad_alloc", "basic_string"]



def built_with_address_sanitizer(binary):
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--notspot", required=True)
    ap.add_argument("--study", required=True)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("case")
    a = ap.parse_args()
    a.notspot = os.path.abspath(a.notspot)

    case_dir = os.path.abspath(a.case)
    with open(os.path.join(case_dir, "case.toml"), "rb") as f:
        case = tomllib.load(f)
    name = os.path.basename(case_dir)
    unknown = set(case) - KNOWN_KEYS
    if unknown:
        print(f"case.toml: unknown keys {sorted(unknown)}; known: {sorted(KNOWN_KEYS)}")
        return 1
    print(f"case {name}: {case.get('description', '(no description)')}")

    tmp = tempfile.mkdtemp(prefix=f"notspot_bad_{name}_")
    study = os.path.join(tmp, "study")
    os.makedirs(study)
    try:
        rc = run_case(a, case, case_dir, study)
    finally:
        if a.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return rc


def unescape(s):
    """UTF-8 bytes of s, with each literal \\xNN (write it in a TOML 'literal string') one byte."""
    return re.sub(rb"\\x([0-9a-fA-F]{2})", lambda m: bytes([int(m.group(1), 16)]), s.encode())


def run_case(a, case, case_dir, study):
    # 1. The small study.
    copy = case.get("copy")
    if copy is None:
        copy = [f for f in sorted(os.listdir(a.study))
                if f != "README.md" and os.path.isfile(os.path.join(a.study, f))]
    for f in copy:
        shutil.copy(os.path.join(a.study, f), os.path.join(study, f))
    # 2. The case's own files override them.
    for f in sorted(os.listdir(case_dir)):
        if f in ("case.toml", "README.md"):
            continue
        src = os.path.join(case_dir, f)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(study, f), dirs_exist_ok=True)
        else:
            shutil.copy(src, os.path.join(study, f))
    for f in case.get("remove", []):
        os.remove(os.path.join(study, f))
    # 3. Edits.
    for e in case.get("edit", []):
        path = os.path.join(study, e["file"])
        with open(path, "rb") as fh:
            data = fh.read()
        old, new = unescape(e["replace"]), unescape(e["with"])
        if old not in data:
            print(f"SETUP ERROR: '{e['replace']}' not in {e['file']}")
            return 1
        data = data.replace(old, new, e.get("count", 1) or -1)
        with open(path, "wb") as fh:
            fh.write(data)
    # 4. Generated files (big ones are made here rather than stored).
    for g in case.get("generate", []):
        path = os.path.join(study, g["file"])
        with open(path, "ab" if g.get("mode", "write") == "append" else "wb") as fh:
            fh.write(unescape(g.get("before", "")))
            chunk = unescape(g.get("repeat", ""))
            count = g.get("count", 0)
            block = 1 << 20
            big = chunk * block
            while count >= block:
                fh.write(big)
                count -= block
            fh.write(chunk * count)
            fh.write(unescape(g.get("after", "")))
    # 5. Setup commands (ogr2ogr, gdal_translate, truncate, ...).
    for cmd in case.get("setup", []):
        tool = cmd.split()[0]
        if tool != "$NOTSPOT" and shutil.which(tool) is None:
            print(f"SKIP: {tool} is not installed")
            return 77
        p = subprocess.run(["bash", "-c", cmd], cwd=study, capture_output=True, text=True,
                           env=dict(os.environ, NOTSPOT=a.notspot))
        if p.returncode == 77:
            print(f"SKIP: `{cmd}` says the case does not apply here\n{p.stdout}{p.stderr}")
            return 77
        if p.returncode != 0:
            print(f"SETUP ERROR: `{cmd}` exited {p.returncode}\n{p.stdout}{p.stderr}")
            return 1

    # What `unchanged = true` file checks compare against.
    before = {}
    for fc in case.get("file", []):
        if fc.get("unchanged"):
            path = os.path.join(study, fc["path"])
            if not os.path.isfile(path):
                print(f"SETUP ERROR: {fc['path']} (unchanged = true) does not exist after setup")
                return 1
            with open(path, "rb") as fh:
                before[fc["path"]] = fh.read()

    # 6. Run notspot.
    args = case.get("args", ["run", "study.toml", "--out", "out"])
    cwd = os.path.normpath(os.path.join(study, case.get("cwd", ".")))
    limit_mb = case.get("memory_limit_mb")
    if limit_mb and built_with_address_sanitizer(a.notspot):
        # ASan reserves terabytes of shadow address space at start, so no RLIMIT_AS fits it;
        # the memory bound is checked by the Release build's run of the same case.
        limit_mb = None

    def limit_memory():
        if limit_mb:
            limit = int(limit_mb) << 20
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    p = subprocess.run([a.notspot] + args, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=case.get("timeout", 100),
                       preexec_fn=limit_memory)
    out = p.stdout.decode("utf-8", errors="replace")
    # The temporary folder's name holds the case name: hide it so it cannot satisfy a check.
    out = out.replace(os.path.dirname(study), "<tmp>")

    # 7. Checks.
    failures = []

    def check(ok, what, expected, actual):
        if not ok:
            failures.append((what, expected, actual))

    expected_rc = case["exit_code"]
    check(p.returncode == expected_rc, "exit code", expected_rc,
          p.returncode if p.returncode >= 0 else f"killed by signal {-p.returncode}")
    for s in case.get("expect", []):
        check(s in out, "message contains", repr(s), "(not found)")
    for n in case.get("expect_lines", []):
        check(f":{n}:" in out or f"line {n}" in out or f"line: {n}" in out,
              "message names line", n, "(not found)")
    for s in case.get("not_expect", []) + CRASH_SIGNS:
        check(s not in out, "message does not contain", repr(s), "(found)")

    def run_validate(study_file):
        v = subprocess.run([a.notspot, "validate", study_file], cwd=cwd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=case.get("timeout", 100),
                           preexec_fn=limit_memory)
        return v, v.stdout.decode("utf-8", errors="replace").replace(os.path.dirname(study),
                                                                    "<tmp>")

    validate_out = None
    if "validate_exit_code" in case:
        # What validate says of this study, whatever the run did.
        study_file = args[1] if args and args[0] == "run" and len(args) > 1 else "study.toml"
        v, validate_out = run_validate(study_file)
        check(v.returncode == case["validate_exit_code"], f"`notspot validate {study_file}` exit "
              "code", case["validate_exit_code"],
              v.returncode if v.returncode >= 0 else f"killed by signal {-v.returncode}")
        for s in case.get("validate_expect", []):
            check(s in validate_out, "validate's message contains", repr(s), "(not found)")
        for s in case.get("validate_not_expect", []) + CRASH_SIGNS:
            check(s not in validate_out, "validate's message does not contain", repr(s), "(found)")
    elif case.get("validate_expect") or case.get("validate_not_expect"):
        check(False, "validate_expect needs", "validate_exit_code", "(not set)")
    # A study that runs must validate: validate checks every input as the run reads it.
    elif args and args[0] == "run" and p.returncode in (0, 3) and len(args) > 1:
        v = subprocess.run([a.notspot, "validate", args[1]], cwd=cwd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=case.get("timeout", 100),
                           preexec_fn=limit_memory)
        check(v.returncode == 0, f"`notspot validate {args[1]}` where the run exits "
              f"{p.returncode}", 0, f"exit {v.returncode}: "
              + v.stdout.decode("utf-8", errors="replace").replace(os.path.dirname(study), "<tmp>"))

    # A failing run (exit 3) is published beside the outputs folder, in out.failed/.
    failed = p.returncode == 3 and expected_rc == 3
    manifest_path = os.path.join(study, "out.failed" if failed else "out", "manifest.json")
    manifest = None
    if os.path.exists(manifest_path) and expected_rc in (0, 3):
        with open(manifest_path) as fh:
            manifest = json.load(fh)
        prem = manifest.get("ledger", {}).get("premises", {})
        total = prem.get("assigned", 0) + prem.get("outside", 0) + prem.get("rejected", 0)
        check(prem.get("read") == total, "ledger: read == assigned + outside + rejected",
              prem.get("read"), f"{total} = {prem.get('assigned')} + {prem.get('outside')} + "
              f"{prem.get('rejected')}")
        for k, v in case.get("ledger", {}).items():
            check(prem.get(k) == v, f"ledger.premises.{k}", v, prem.get(k))
        for k, v in case.get("manifest", {}).items():
            node = manifest
            for part in k.split("."):
                if isinstance(node, list):
                    node = node[int(part)] if int(part) < len(node) else None
                elif isinstance(node, dict):
                    node = node.get(part)
                else:
                    node = None
            check(node == v, f"manifest {k}", v, node)
        dumped = json.dumps(manifest, ensure_ascii=False)
        for s in case.get("manifest_contains", []):
            check(s in dumped, "manifest.json contains", repr(s), "(not found)")
    elif expected_rc in (0, 3) and (case.get("ledger") or case.get("manifest")
                                    or case.get("manifest_contains")):
        check(False, "manifest.json", "written", "(missing)")
    for fc in case.get("file", []):
        rel = fc["path"]
        if failed and fc.get("failed", True) and rel.startswith("out/"):
            rel = "out.failed/" + rel[len("out/"):]  # `failed = false` reads out/ itself
        path = os.path.join(study, rel)
        if fc.get("exists", True) is False:
            check(not os.path.lexists(path), f"file {fc['path']}", "does not exist", "(exists)")
            continue
        if "is_link" in fc:
            check(os.path.islink(path) == fc["is_link"], f"{fc['path']} is a symbolic link",
                  fc["is_link"], os.path.islink(path))
            if fc["is_link"] and not os.path.exists(path):
                continue  # a dangling link: nothing more to read
        if not os.path.exists(path):
            check(False, f"file {fc['path']}", "exists", "(missing)")
            continue
        if os.path.isdir(path):
            continue  # a folder: only exists / is_link apply
        with open(path, "rb") as fh:
            raw = fh.read()
        text = raw.decode("utf-8", errors="replace")
        if fc.get("unchanged"):
            check(raw == before[fc["path"]], f"{fc['path']} unchanged", "same bytes as before "
                  "the run", f"{len(raw)} bytes, differing")
        for s in fc.get("contains", []):
            check(s in text, f"{fc['path']} contains", repr(s), "(not found)")
        for s in fc.get("not_contains", []):
            check(s not in text, f"{fc['path']} does not contain", repr(s), "(found)")
        if fc.get("utf8"):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as e:
                check(False, f"{fc['path']} is valid UTF-8", "valid", str(e))

    for cc in case.get("command", []):
        cmd = cc["run"]
        if failed and cc.get("failed", True):
            cmd = re.sub(r"(^|[\s'\"=])out/", r"\1out.failed/", cmd)
        tool = cmd.split()[0]
        if shutil.which(tool) is None:
            print(f"SKIP: {tool} is not installed")
            return 77
        c = subprocess.run(["bash", "-c", cmd], cwd=study, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=case.get("timeout", 100))
        said = c.stdout.decode("utf-8", errors="replace")
        check(c.returncode == 0, f"`{cmd}` exit code", 0, f"{c.returncode}: {said[:2000]}")
        for s in cc.get("contains", []):
            check(s in said, f"`{cmd}` prints", repr(s), said[:4000])
        for s in cc.get("not_contains", []):
            check(s not in said, f"`{cmd}` does not print", repr(s), "(found)")

    if failures:
        print("FAILED")
        for what, exp, act in failures:
            print(f"  {what}:\n    expected: {exp}\n    actual:   {act}")
        print(f"--- notspot {' '.join(args)} (exit {p.returncode}) printed:")
        print(out[:20000] + ("\n... (output cut)" if len(out) > 20000 else ""))
        if validate_out is not None:
            print("--- notspot validate printed:")
            print(validate_out[:20000])
        if manifest is not None:
            print("--- manifest ledger:", json.dumps(manifest.get("ledger", {}).get("premises")))
        return 1
    print(f"passed (exit {p.returncode})")
    print(out[:4000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
