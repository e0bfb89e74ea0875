#!/usr/bin/env python3
"""Runs the benchmarks of tools/bench on a built program and prints the table.

Called by tools/bench/run once the generated program and the warm benchmark are built; it can
be run again by itself on the same work directory:

    measure.py --build DIR [--runs N] [--no-gdb] [--no-drgn] [--label small] [--tool REFLECT]

DIR holds `prog`, `warm` and `bench.json` (from generate.py). With --tool (the `reflect`
command-line tool), the rows that read the program from outside are added: a core file of it
at its breakpoint (written once, by gdb's gcore, as DIR/prog.core) and a live `prog wait`. Each process is timed from the
parent (time.perf_counter around fork/exec/wait) and its peak RSS comes from wait4's rusage,
the same figure as `/usr/bin/time -f %M`, at microsecond rather than 10 ms resolution.
Every figure is the median of --runs; the modes are interleaved run by run so that a slow
spell of the (shared, noisy) machine hits all of them alike. Nothing here asserts timing.

Writes next to the program: results-LABEL.md (the table as Markdown), results-LABEL.txt (as
printed) and results-LABEL.json (every sample).
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's python3-drgn installs for the system interpreter


def run(argv, env=None, cwd=None):
    """Runs argv to completion: (wall seconds, peak RSS in KiB, cpu seconds, stdout, stderr, rc)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)  # the rusage of exactly this child
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {
            "wall": wall,
            "rss_kb": usage.ru_maxrss,
            "cpu": usage.ru_utime + usage.ru_stime,
            "out": out.read().decode(errors="replace"),
            "err": err.read().decode(errors="replace"),
            "rc": proc.returncode,
        }


def check(result, what, expect_in_out=None):
    if result["rc"] != 0 or (expect_in_out and expect_in_out not in result["out"]):
        sys.stderr.write(f"measure: {what} failed (exit {result['rc']})\n")
        sys.stderr.write("--- stdout (first 2000 characters)\n" + result["out"][:2000] + "\n")
        sys.stderr.write("--- stderr (last 2000 characters)\n" + result["err"][-2000:] + "\n")
        sys.exit(1)
    return result


def reported(result, key):
    """A `bench-KEY value` line the generated program writes to stderr (NaN if missing)."""
    for line in result["err"].splitlines():
        if line.startswith(f"bench-{key} "):
            return float(line.split()[1])
    return float("nan")


def section_sizes(path):
    """Sizes of an ELF64 file's sections by name (stdlib only: reads the section headers)."""
    sizes = {}
    with open(path, "rb") as f:
        header = f.read(64)
        if header[:4] != b"\x7fELF" or header[4] != 2:
            return sizes
        shoff = struct.unpack_from("<Q", header, 0x28)[0]
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", header, 0x3A)
        f.seek(shoff)
        table = f.read(shentsize * shnum)
        entries = [struct.unpack_from("<IIQQQQ", table, i * shentsize) for i in range(shnum)]
        names_offset, names_size = entries[shstrndx][4], entries[shstrndx][5]
        f.seek(names_offset)
        names = f.read(names_size)
        for name_at, _type, _flags, _addr, _offset, size in entries:
            end = names.index(b"\0", name_at)
            sizes[names[name_at:end].decode()] = size
    return sizes


def median(values):
    values = [v for v in values if v == v]  # drop NaN
    return statistics.median(values) if values else float("nan")


def fmt_ms(seconds):
    ms = seconds * 1000
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    return f"{ms:.1f} ms" if ms >= 10 else f"{ms:.2f} ms"


def fmt_mb(kb):
    return f"{kb / 1024:.1f} MB"


def fmt_ratio(x):
    if x != x or x in (float("inf"), float("-inf")):
        return "n/a"
    return f"{x:.0f}×" if x >= 100 else f"{x:.1f}×" if x >= 10 else f"{x:.2f}×"


def fmt_ns(ns):
    return f"{ns / 1000:.1f} µs" if ns >= 10000 else f"{ns:.0f} ns"


# The warm rows measured against another library (warm.cpp prints NAME_reflect_ns,
# NAME_baseline_ns and NAME_ratio for each).
WARM_ROWS = ("map", "unordered_map", "list", "json")


def ratio(a, b):
    return a / b if b > 0 else float("inf")


def tool_version(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout
        return out.splitlines()[0].strip() if out else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", required=True, help="directory with prog, warm and bench.json")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--label", default="bench")
    parser.add_argument("--no-gdb", action="store_true")
    parser.add_argument("--no-drgn", action="store_true")
    parser.add_argument("--tool", help="the reflect command-line tool: adds the --core and --pid rows")
    args = parser.parse_args()

    build = os.path.abspath(args.build)
    with open(os.path.join(build, "bench.json")) as f:
        manifest = json.load(f)
    prog = os.path.join(build, "prog")
    warm = os.path.join(build, "warm")
    use_gdb = not args.no_gdb and shutil.which("gdb") is not None
    use_drgn = not args.no_drgn and subprocess.run(
        [SYSTEM_PYTHON, "-c", "import drgn"], capture_output=True).returncode == 0
    if not args.no_gdb and not use_gdb:
        print("measure: gdb not found: its baselines are skipped", file=sys.stderr)
    if not args.no_drgn and not use_drgn:
        print(f"measure: {SYSTEM_PYTHON} cannot import drgn (python3-drgn): its baselines are skipped",
              file=sys.stderr)

    env = dict(os.environ)
    env.pop("DEBUGINFOD_URLS", None)  # no tool may go to the network for debug info
    gdb_common = ["gdb", "-nx", "-batch", "-ex", "set debuginfod enabled off"]
    commands = {
        "noprint": [prog, "noprint"],
        "print": [prog, "print"],
        "index": [prog, "index"],
        "lookup": [prog, "lookup"],
        "printpoly": [prog, "printpoly"],
    }
    expect = {
        "print": manifest["print_type"] + "{",
        "index": manifest["index_type"],
        "lookup": manifest["index_type"],
        "printpoly": "PolyRoot{",
    }
    if use_gdb:
        commands["gdb_print"] = gdb_common + [
            "-ex", f"break {manifest['gdb_break']}", "-ex", "run", "-ex", "up",
            "-ex", f"print {manifest['gdb_print']}", "--args", prog, "noprint"]
        commands["gdb_ptype"] = gdb_common + ["-ex", f"ptype struct {manifest['index_type']}", prog]
        expect["gdb_print"] = '$1 = {title = "root of tu0"'
        expect["gdb_ptype"] = f"type = struct {manifest['index_type']}"
    waiting = None  # `prog wait`, for the --pid rows
    if args.tool:
        target_print = manifest["target_print"]
        expect_nested = f"{target_print} = {{.title = \"root of tu0\""
        core = os.path.join(build, "prog.core")
        if not os.path.exists(core) or os.path.getmtime(core) < os.path.getmtime(prog):
            print("measure: writing prog.core with gdb's gcore, at the breakpoint (once)", file=sys.stderr)
            check(run(gdb_common + ["-ex", f"break {manifest['gdb_break']}", "-ex", "run", "-ex", f"gcore {core}",
                                    "--args", prog, "noprint"], env=env, cwd=build), "gcore")
        waiting = subprocess.Popen([prog, "wait"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=build)
        if waiting.stdout.readline().strip() != b"ready":
            sys.exit("measure: `prog wait` did not start")
        commands["core_print"] = [args.tool, "print", "--core", core, "--exe", prog, target_print]
        commands["pid_print"] = [args.tool, "print", "--pid", str(waiting.pid), target_print]
        expect["core_print"] = expect["pid_print"] = expect_nested
        if use_gdb:
            commands["gdb_core_print"] = gdb_common + ["-c", core, "-ex", f"print {target_print}", prog]
            # (Attached inside read(), a C frame: the expression is C++.)
            commands["gdb_pid_print"] = gdb_common + ["-p", str(waiting.pid), "-ex", "set language c++",
                                                      "-ex", f"print {target_print}"]
            expect["gdb_core_print"] = expect["gdb_pid_print"] = '$1 = {title = "root of tu0"'
    if use_drgn:
        script = os.path.join(HERE, "drgn_lookup.py")
        commands["drgn_print"] = [SYSTEM_PYTHON, script, prog, manifest["drgn_print_object"], manifest["print_type"]]
        commands["drgn_index"] = [SYSTEM_PYTHON, script, prog, manifest["drgn_index_object"], manifest["index_type"]]
        expect["drgn_print"] = '"load_ms"'
        expect["drgn_index"] = '"load_ms"'

    # Check every command once (this also warms the page cache for all of them).
    print(f"measure: checking {len(commands)} commands, then {args.runs} interleaved runs of each", file=sys.stderr)
    for name, argv in commands.items():
        check(run(argv, env=env, cwd=build), name, expect.get(name))

    samples = {name: [] for name in commands}
    for r in range(args.runs):
        for name, argv in commands.items():
            result = check(run(argv, env=env, cwd=build), name, expect.get(name))
            sample = {"wall": result["wall"], "rss_kb": result["rss_kb"], "cpu": result["cpu"]}
            if name in ("noprint", "print", "index", "lookup", "printpoly"):
                sample["inprocess_ms"] = reported(result, "inprocess-ms")
                sample["rss_anon_kb"] = reported(result, "RssAnon-kb")
                sample["rss_file_kb"] = reported(result, "RssFile-kb")
            if name.startswith("drgn"):
                sample.update(json.loads(result["out"].strip().splitlines()[-1]))
            samples[name].append(sample)
        print(f"measure: run {r + 1}/{args.runs} done", file=sys.stderr)

    if waiting is not None:
        waiting.stdin.close()
        waiting.wait()

    warm_samples = []
    for r in range(args.runs):
        result = check(run([warm, "15"], env=env), "warm")
        values = dict(line.split(" ", 1) for line in result["out"].splitlines() if " " in line)
        warm_samples.append({k: float(values[k]) for k in
                             ("format_reflect_ns", "format_manual_ns", "field_lookup_ns", "format_ratio",
                              "pointers_reflect_ns", "pointers_manual_ns", "pointers_ratio",
                              *(f"{row}_{what}" for row in WARM_ROWS for what in ("reflect_ns", "baseline_ns", "ratio")))})
    warm_text = values.get("text", "")
    pointers_text = values.get("pointers_text", "")
    texts = {key: values.get(key, "") for key in ("json_text", *(f"{row}_text" for row in WARM_ROWS))}

    def med(name, key):
        return median([s[key] for s in samples[name]])

    # --- the figures
    base_wall, base_rss = med("noprint", "wall"), med("noprint", "rss_kb")
    print_added = med("print", "wall") - base_wall
    print_rss_added = med("print", "rss_kb") - base_rss
    index_added = med("index", "wall") - base_wall
    index_rss_added = med("index", "rss_kb") - base_rss
    poly_added = med("printpoly", "wall") - base_wall
    rows = []  # (measurement, reflect, baselines, ratio, target, met)

    def yes(ok):
        return "yes" if ok else "**no**"

    rows.append(("cold print: time added",
                 f"{fmt_ms(print_added)} (in-process {med('print', 'inprocess_ms'):.1f} ms)",
                 f"noprint run: {fmt_ms(base_wall)}", "", "< 50 ms", yes(print_added < 0.050)))
    if use_gdb:
        gdb_wall, gdb_rss = med("gdb_print", "wall"), med("gdb_print", "rss_kb")
        r = ratio(gdb_wall, print_added)
        rows.append(("cold print vs gdb", fmt_ms(print_added), f"gdb {fmt_ms(gdb_wall)}",
                     f"{fmt_ratio(r)} faster", "≥ 100× faster than gdb", yes(r >= 100)))
    if use_drgn:
        drgn_total = (med("drgn_print", "load_ms") + med("drgn_print", "lookup_ms")) / 1000
        rows.append(("cold print vs drgn", fmt_ms(print_added),
                     f"drgn {fmt_ms(drgn_total)} (load {med('drgn_print', 'load_ms'):.0f} ms)",
                     f"{fmt_ratio(ratio(drgn_total, print_added))} faster", "(info)", "—"))
    mem_base = []
    if use_gdb:
        mem_base.append(f"gdb {fmt_mb(gdb_rss)}")
    if use_drgn:
        mem_base.append(f"drgn {fmt_mb(med('drgn_print', 'rss_kb'))}")
    tiny = print_rss_added < 100  # KiB: below what RSS medians can tell apart
    rows.append(("cold print: peak RSS added", "< 0.1 MB" if tiny else fmt_mb(print_rss_added),
                 ", ".join(mem_base) or "—",
                 f"{fmt_ratio(ratio(gdb_rss, print_rss_added))} less than gdb" if use_gdb and not tiny else "",
                 "(info)", "—"))
    rows.append(("cold print, polymorphic pointee",
                 f"{fmt_ms(poly_added)} (in-process {med('printpoly', 'inprocess_ms'):.1f} ms)",
                 f"gdb {fmt_ms(gdb_wall)}" if use_gdb else "—",
                 f"{fmt_ratio(ratio(gdb_wall, poly_added))} faster" if use_gdb else "",
                 "(info)", "—"))
    if use_drgn:
        drgn_load = med("drgn_index", "load_ms") / 1000
        r = ratio(drgn_load, index_added)
        rows.append(("name index: time added",
                     f"{fmt_ms(index_added)} (in-process {med('index', 'inprocess_ms'):.1f} ms)",
                     f"drgn load {fmt_ms(drgn_load)}", f"{fmt_ratio(r)} faster" if r >= 1 else f"{fmt_ratio(1 / r)} slower",
                     "faster than drgn", yes(r > 1)))
    else:
        rows.append(("name index: time added",
                     f"{fmt_ms(index_added)} (in-process {med('index', 'inprocess_ms'):.1f} ms)", "—", "",
                     "faster than drgn", "n/a"))
    lookup_added = med("lookup", "wall") - base_wall
    rows.append(("find_type, first lookup",
                 f"{fmt_ms(lookup_added)} (in-process {med('lookup', 'inprocess_ms'):.1f} ms)",
                 f"gdb ptype {fmt_ms(med('gdb_ptype', 'wall'))}" if use_gdb else "—",
                 f"{fmt_ratio(ratio(med('gdb_ptype', 'wall'), lookup_added))} faster" if use_gdb else "",
                 "(info)", "—"))
    if use_gdb:
        gdb_ptype_rss = med("gdb_ptype", "rss_kb")
        r = ratio(gdb_ptype_rss, index_rss_added)
        rows.append(("name index: peak RSS added",
                     fmt_mb(index_rss_added),
                     f"gdb ptype {fmt_mb(gdb_ptype_rss)}"
                     + (f", drgn {fmt_mb(med('drgn_index', 'rss_kb'))}" if use_drgn else ""),
                     f"{fmt_ratio(r)} less than gdb", "< 1/4 of gdb's", yes(r >= 4)))
    w_reflect = median([s["format_reflect_ns"] for s in warm_samples])
    w_manual = median([s["format_manual_ns"] for s in warm_samples])
    w_field = median([s["field_lookup_ns"] for s in warm_samples])
    if args.tool:
        for name, label in (("core", "print from a core file"), ("pid", "print from a live process (--pid)")):
            wall, rss = med(f"{name}_print", "wall"), med(f"{name}_print", "rss_kb")
            if use_gdb:
                gdb_wall, gdb_rss = med(f"gdb_{name}_print", "wall"), med(f"gdb_{name}_print", "rss_kb")
                r = ratio(gdb_wall, wall)
                rows.append((f"{label}: time", fmt_ms(wall), f"gdb {fmt_ms(gdb_wall)}", f"{fmt_ratio(r)} faster",
                             "≥ 50× faster than gdb", yes(r >= 50)))
                r = ratio(gdb_rss, rss)
                rows.append((f"{label}: peak RSS", fmt_mb(rss), f"gdb {fmt_mb(gdb_rss)}", f"{fmt_ratio(r)} less",
                             "< 1/4 of gdb's", yes(r >= 4)))
            else:
                rows.append((f"{label}: time", fmt_ms(wall), "—", "", "≥ 50× faster than gdb", "—"))
    r = median([s["format_ratio"] for s in warm_samples])  # of ratios paired batch by batch
    rows.append(("warm format, 10 members", f"{w_reflect:.0f} ns",
                 f"hand-written formatter {w_manual:.0f} ns", f"{r:.2f}× slower", "within 3×", yes(r <= 3)))
    p_reflect = median([s["pointers_reflect_ns"] for s in warm_samples])
    p_manual = median([s["pointers_manual_ns"] for s in warm_samples])
    r = median([s["pointers_ratio"] for s in warm_samples])
    rows.append(("warm format, 8 pointers named by symbol", f"{p_reflect:.0f} ns",
                 f"hand-written formatter {p_manual:.0f} ns", f"{r:.2f}× slower", "within 3×", yes(r <= 3)))
    for row, label, baseline in (
            ("map", "warm format, std::map<std::string, int> of 1,000", "{fmt} <fmt/ranges.h>"),
            ("unordered_map", "warm format, std::unordered_map<std::string, int> of 1,000", "{fmt} <fmt/ranges.h>"),
            ("list", "warm format, std::list<int> of 1,000", "{fmt} <fmt/ranges.h>")):
        r = median([s[f"{row}_ratio"] for s in warm_samples])
        rows.append((label, fmt_ns(median([s[f"{row}_reflect_ns"] for s in warm_samples])),
                     f"{baseline} {fmt_ns(median([s[f'{row}_baseline_ns'] for s in warm_samples]))}",
                     f"{r:.2f}× slower" if r >= 1 else f"{1 / r:.2f}× faster", "within 2×", yes(r <= 2)))
    r = median([s["json_ratio"] for s in warm_samples])
    rows.append(("warm JSON, 10 members (to_json)", fmt_ns(median([s["json_reflect_ns"] for s in warm_samples])),
                 f"nlohmann::json by hand + dump() {fmt_ns(median([s['json_baseline_ns'] for s in warm_samples]))}",
                 f"{1 / r:.2f}× faster" if r < 1 else f"{r:.2f}× slower", "faster than nlohmann", yes(r < 1)))
    rows.append(("warm Struct::field(name)", f"{w_field:.1f} ns", "—", "", "< 50 ns", yes(w_field < 50)))

    # --- the context
    sizes = section_sizes(prog)
    debug_info = sizes.get(".debug_info", 0)
    context = [
        f"scale: {args.label}, {manifest['tus']} units × {manifest['structs']} structs; "
        f"binary {os.path.getsize(prog) / 2**20:.0f} MB, .debug_info {debug_info / 2**20:.1f} MB "
        f"({manifest.get('compile', 'g++-12 -O0 -g')}); median of {args.runs} runs",
        f"machine: {os.cpu_count()} cores, {cpu_model()}; {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}",
        "tools: " + "; ".join(v for v in [
            tool_version(["gdb", "--version"]) if use_gdb else "",
            f"drgn {samples['drgn_print'][0].get('drgn', '?')}" if use_drgn else ""] if v),
    ]
    notes = [
        "cold print: `prog print` minus `prog noprint` (the same program, which builds the same object and",
        "  skips reflect), medians of whole-process wall times; in-process: steady_clock around the call.",
        *(["  gdb: `gdb -batch` breaking in the program, running it and printing the same object (process",
           "  wall time, peak RSS)."] if use_gdb else []),
        *(["  drgn: Program() + load_debug_info() + finding the type, timed in the script."] if use_drgn else []),
        "polymorphic pointee: `prog printpoly`, an object holding a unique_ptr<Shape> to a derived class:",
        "  printing it looks the dynamic type up by name: in .debug_names' hash tables if the program has",
        "  them, else in the name index, which this builds.",
        "name index: `prog index` (reflect::find_type of a typedef, which builds the program's whole index,",
        "  then of a type of the last unit) minus `prog noprint`",
        *(["  against drgn's load_debug_info() of the same file"] if use_drgn else []),
        *(["  and gdb's peak RSS for `gdb -batch -ex 'ptype struct <that type>' prog`."] if use_gdb else []),
        f"  At exit, `prog index` holds {fmt_mb(med('index', 'rss_anon_kb') - med('noprint', 'rss_anon_kb'))} more "
        f"anonymous memory (heap) and {fmt_mb(med('index', 'rss_file_kb') - med('noprint', 'rss_file_kb'))} more",
        "  file-backed (the program's debug sections, mapped and read in place) than `prog noprint`.",
        "find_type, first lookup: `prog lookup` (only the find_type of that type) minus `prog noprint`; with",
        "  .debug_names it is answered from their hash tables, else it builds the index.",
        "warm: tools/bench/warm.cpp (-O2, linked with the program's units), ns per call (thread CPU time), medians over batches",
        "  that alternate between the benchmarks; the ratio is the median of the per-batch ratios. Both",
        "  formatters print the same text; for the pointers, reflect looks each name up in the symbol table",
        "  and the hand-written formatter writes them as literals.",
        "warm containers: 1,000 entries each, reflect with .max_elements = 1000 against {fmt}'s <fmt/ranges.h>;",
        "  the syntaxes differ (`std::map<...>{{\"key0\", 0}, ...}` against `{\"key0\": 0, ...}`), both hold",
        "  all 1,000 entries (checked at start).",
        "warm JSON: reflect::to_json(reflect::reflect(r)) against an nlohmann::json filled member by member",
        "  and dump()ed; both parse to the same JSON value (checked at start).",
        *([f"from outside: `reflect print --core prog.core --exe prog '{manifest.get('target_print')}'` (a gcore of the",
           "  program at its breakpoint) and `reflect print --pid PID ...` (a live `prog wait`), whole processes,",
           "  against `gdb -batch -c prog.core prog -ex 'print ...'` and `gdb -batch -p PID -ex 'print ...'`."]
          if args.tool else []),
        "The OS page cache is warm for every tool (each command ran once before the timed runs).",
    ]
    if use_drgn:
        cpu = med("drgn_index", "cpu") / max(med("drgn_index", "wall"), 1e-9)
        rcpu = med("index", "cpu") / max(med("index", "wall"), 1e-9)
        notes.append(f"drgn may index with several threads (OpenMP; its CPU/wall was {cpu:.1f}× here); so does reflect's "
                     f"scanner (one per core, 2 to 8; `prog index` CPU/wall {rcpu:.1f}×).")

    headers = ("measurement", "reflect", "baseline(s)", "ratio", "target", "met?")
    md = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    md += ["| " + " | ".join(row) + " |" for row in rows]
    markdown = "\n".join([*(f"{line}  " for line in context), "", *md, "", *notes, ""])

    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    line = "+".join("-" * (w + 2) for w in widths)
    text = [*context, "", "+" + line + "+",
            "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |", "+" + line + "+"]
    text += ["| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |" for row in rows]
    text += ["+" + line + "+", *notes]
    text = "\n".join(text) + "\n"

    base = os.path.join(build, f"results-{args.label}")
    with open(base + ".md", "w") as f:
        f.write(markdown)
    with open(base + ".txt", "w") as f:
        f.write(text)
    with open(base + ".json", "w") as f:
        json.dump({"manifest": manifest, "samples": samples, "warm": warm_samples, "warm_text": warm_text,
                   "pointers_text": pointers_text, **texts,
                   "sections": {k: v for k, v in sizes.items() if k.startswith(".debug")},
                   "rows": rows, "context": context}, f, indent=1)
    sys.stdout.write(text)
    print(f"\nwritten: {base}.md (Markdown), {base}.txt, {base}.json (every sample)")


if __name__ == "__main__":
    main()
