#!/usr/bin/env python3
"""The heap benchmark's table (tools/bench/heap): reads what `heapbench self` and `heapbench core`
printed (results-heap.txt) and writes the Markdown table and the counts to stdout."""

import datetime
import os
import statistics
import sys

from measure import cpu_model  # tools/bench/measure.py, beside this file


def main():
    values = {}            # key -> list of the rest of its lines, split
    samples = {}           # (where, op) -> [(run, wall, cpu, peak_kb)]
    with open(sys.argv[1]) as f:
        for line in f:
            if not line.strip() or line.startswith(" "):
                continue
            key, _, rest = line.rstrip("\n").partition(" ")
            if key.endswith("_sample"):
                run, op, wall, cpu, peak = rest.split()
                samples.setdefault((key[: -len("_sample")], op), []).append(
                    (int(run), float(wall), float(cpu), int(peak)))
            else:
                values.setdefault(key, []).append(rest)

    def first(key, default=None):
        return values[key][0] if key in values else default

    def ms(seconds):
        return f"{seconds * 1e3:,.0f} ms"

    def mb(kb):
        return f"{kb / 1024:,.0f} MB"

    runs = max((r for s in samples.values() for r, *_ in s), default=-1) + 1
    print(f"Heap benchmark: {int(first('made_objects')):,} objects of 32 polymorphic classes "
          f"({int(first('made_arrays')):,} of them arrays made with new[]) and {int(first('made_coroutines')):,} "
          f"coroutines in {int(first('made_chains')):,} chains; {runs} runs; "
          f"{os.cpu_count()} cores, {cpu_model()}; {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}")
    print()
    print("| measurement | reflect, wall (CPU) | plain pass, wall (CPU) | ratio, wall | ratio, CPU | "
          "per-run ratios, wall | target | met? | peak RSS added |")
    print("|---|---|---|---|---|---|---|---|---|")
    names = {"census": "census()", "coroutines": "coroutines()", "tasks": "task_dump()",
             "footprint": "footprint() of a map<string, vector<int>> of 100,000 entries"}
    passes = (("self", "plain", "in the process", ("census", "coroutines", "tasks")),
              ("self", "plain-memcpy", "in the process, against the pass reading [heap] with memcpy",
               ("census", "coroutines")),
              ("core", "plain", "on the core", ("census", "coroutines", "tasks")),
              ("self", "footprint-loop", "in the process, against compiled code summing the same sizes",
               ("footprint",)))
    for where, baseline, label, ops in passes:
        plain = {r: (w, c) for r, w, c, _ in samples.get((where, baseline), [])}
        if not plain:
            continue
        for op in ops:
            rows = samples.get((where, op), [])
            if not rows:
                continue
            wall = statistics.median(w for _, w, _, _ in rows)
            cpu = statistics.median(c for _, _, c, _ in rows)
            pwall = statistics.median(w for w, _ in plain.values())
            pcpu = statistics.median(c for _, c in plain.values())
            rw = [w / plain[r][0] for r, w, _, _ in rows]
            rc = [c / plain[r][1] for r, _, c, _ in rows]
            peak = statistics.median(p for *_, p in rows)
            scored = op in ("census", "coroutines") and baseline == "plain"
            target = "within 3×" if scored else "(information)"
            met = ""
            if scored:
                ok_w, ok_c = statistics.median(rw) <= 3, statistics.median(rc) <= 3
                met = "yes" if ok_w and ok_c else ("no" if not ok_w and not ok_c else ("wall only" if ok_w else "CPU only"))
            print(f"| {label}: {names[op]} | {ms(wall)} ({ms(cpu)}) | {ms(pwall)} ({ms(pcpu)}) | "
                  f"{statistics.median(rw):.2f}× | {statistics.median(rc):.2f}× | "
                  f"{min(rw):.2f}–{max(rw):.2f} | {target} | {met} | {mb(peak)} |")
    print()
    print("First calls (reflect reading the debug info it needs; not in the ratios), wall (CPU), peak RSS added:")
    print()
    for where, label in (("self", "in the process"), ("core", "on the core")):
        parts = []
        if where == "core" and "core_open" in values:
            w, c, p = values["core_open"][0].split()
            parts.append(f"open_core {ms(float(w))} ({ms(float(c))}), {mb(int(p))}")
        for op in ("census", "coroutines", "tasks"):
            key = f"{where}_first_{op}"
            if key in values:
                w, c, p = values[key][0].split()
                parts.append(f"{names[op]} {ms(float(w))} ({ms(float(c))}), {mb(int(p))}")
        if parts:
            print(f"- {label}: " + "; ".join(parts))
    print()
    read = {w: int(values[f"{w}_plain_bytes"][-1]) for w in ("self", "core") if f"{w}_plain_bytes" in values}
    extra = []
    if "rss_after_build_kb" in values:
        extra.append(f"the program's RSS after building its heap: {mb(int(first('rss_after_build_kb')))}")
    for w, label in (("self", "the measuring process's peak RSS (in the process: the program itself)"),
                     ("core", "the core-reading process's peak RSS")):
        if f"{w}_peak_rss_kb" in values:
            extra.append(f"{label}: {mb(int(values[f'{w}_peak_rss_kb'][0]))}")
    if "self" in read:
        extra.append(f"the plain pass read {read['self'] / 2**20:,.0f} MiB in the process")
    if "core" in read:
        extra.append(f"{read['core'] / 2**20:,.0f} MiB of the core")
    if "core_bytes" in values:
        extra.append(f"core file {int(first('core_bytes')) / 2**20:,.0f} MiB, written by gcore in "
                     f"{int(first('core_write_ms')) / 1e3:.1f} s")
    print("; ".join(extra) + ".")
    print()
    print("| counted | made | in the process | on the core |")
    print("|---|---|---|---|")

    def found(key, index=0):
        return f"{int(values[key][0].split()[index]):,}" if key in values else "–"

    print(f"| objects (census rows of Node<0..31>) | {int(first('made_objects')):,} | {found('self_census_objects')} | "
          f"{found('core_census_objects')} |")
    print(f"| coroutine frames (census rows) | {int(first('made_coroutines')):,} | {found('self_census_frames')} | "
          f"{found('core_census_frames')} |")
    print(f"| coroutines() | {int(first('made_coroutines')):,} | {found('self_coroutines_found')} | "
          f"{found('core_coroutines_found')} |")
    print(f"| task_dump() tasks (roots) | {int(first('made_chains')):,} | {found('self_tasks_found', 1)} | "
          f"{found('core_tasks_found', 1)} |")
    for line in values.get("census_phantom", []):
        name = line.split()[0]
        print()
        print(f"Known anomaly, in the process: the census counts one {name} more than the program made (the class "
              "with the lowest vtable address point: reflect's own table of address points is a heap block starting "
              "with it); the count above is without it.")
    for line in values.get("core_problem", []):
        print(f"\nopen_core problem: {line}")


if __name__ == "__main__":
    main()
