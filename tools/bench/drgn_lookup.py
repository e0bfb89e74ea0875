"""drgn baseline for tools/bench: load a program's debug info, then look one type up.

Run with the system interpreter that has Debian's python3-drgn:
    /usr/bin/python3 drgn_lookup.py BINARY OBJECT_NAME
Prints one line of JSON: load_ms (Program() + load_debug_info), lookup_ms (finding the type and
reading its size and members), and what was found.

The type is reached through a namespaced global of pointer type (OBJECT_NAME, e.g.
`bench::tu0::model::root_probe`): drgn 0.0.22's type-name parser rejects `::`
(`prog.type('bench::Foo')` is a SyntaxError) but its object lookup handles namespaces. With a
newer drgn, `prog.type(name)` is tried first.
"""

import json
import sys
import time


def main():
    binary, object_name = sys.argv[1], sys.argv[2]
    type_name = sys.argv[3] if len(sys.argv) > 3 else None
    import drgn  # not timed: the interpreter's start-up is not drgn's work

    start = time.perf_counter()
    prog = drgn.Program()
    prog.load_debug_info([binary])
    loaded = time.perf_counter()
    found = None
    if type_name:
        try:
            found = prog.type(type_name)
        except (SyntaxError, LookupError):
            found = None
    if found is None:
        found = prog.object(object_name).type_.type  # the pointer's pointee: the struct itself
    size = found.size
    members = [m.name for m in found.members]
    done = time.perf_counter()
    print(json.dumps({
        "load_ms": (loaded - start) * 1000,
        "lookup_ms": (done - loaded) * 1000,
        "type": found.type_name(),
        "size": size,
        "members": len(members),
        "drgn": getattr(drgn, "__version__", "?"),
    }))


if __name__ == "__main__":
    main()
