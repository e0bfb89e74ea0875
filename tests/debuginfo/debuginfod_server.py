#!/usr/bin/env python3
"""A stand-in debuginfod server for debuginfod.sh: serves ROOT over HTTP on 127.0.0.1 at a
port the system picks, writes that port to PORTFILE once it listens, and appends the path of
every request it gets to LOG (so the test can tell that no request came).

usage: debuginfod_server.py ROOT PORTFILE LOG
ROOT holds the debuginfod layout: ROOT/buildid/<hex build-id>/debuginfo.
"""
import functools
import http.server
import os
import sys

root, port_file, log_file = sys.argv[1:4]


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        with open(log_file, "a") as log:
            log.write("%s %s\n" % (self.command, self.path))
            log.flush()


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=root))
# Written then renamed: the test never reads a half-written port.
with open(port_file + ".tmp", "w") as out:
    out.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
