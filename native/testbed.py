#!/usr/bin/python3
"""The umockdev testbed of `vdrm exec` (src/exec/testbed.ts starts it and talks to it).

It owns one UMockdev.Testbed (a temporary directory with a mock /sys and /dev) and takes one
JSON command per line on stdin, answering each with one JSON line on stdout:

  {"op": "add", "record": "P: /devices/...\\nE: ...\\n"}  umockdev_testbed_add_from_string()
  {"op": "remove", "syspath": "/sys/devices/..."}         umockdev_testbed_remove_device()
  {"op": "uevent", "datagram": "<base64>"}                 the datagram to every libudev monitor
  {"op": "quit"}

The first line it prints is {"ok": true, "root": "<the testbed's directory>"}.

It runs without umockdev's preload, so the testbed synthesizes no uevents of its own: vdrm
sends the model's, byte for byte (the libudev datagram of src/udev/libudev_datagram.ts), to
each monitor socket a program under the preload has bound ($UMOCKDEV_DIR/event<fd>), as
umockdev's uevent_sender does for umockdev_testbed_uevent().
"""
import base64
import glob
import json
import os
import re
import socket
import sys

import gi

gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402


def send_to_monitors(root, datagram):
    """Sends one datagram to every bound monitor; a stale socket (its fd closed) is removed."""
    sent = 0
    for path in glob.glob(os.path.join(root, "event[0-9]*")):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            s.sendto(datagram, path)
            sent += 1
        except ConnectionRefusedError:
            os.unlink(path)
        finally:
            s.close()
    return sent


def add(testbed, root, record, ptys):
    """Adds a device record. umockdev 0.17 keeps the pty of a removed node and refuses to make
    a node of that name again (a rebind's card0): the node then points at the pty it had."""
    m = re.search(r"^N: (\S+)$", record, re.M)
    name = m.group(1) if m else None
    node = os.path.join(root, "dev", name) if name else None
    if name in ptys:
        testbed.add_from_string(record.replace(m.group(0) + "\n", ""))
        os.makedirs(os.path.dirname(node), exist_ok=True)
        os.symlink(ptys[name], node)
        return
    testbed.add_from_string(record)
    if node and os.path.islink(node):
        ptys[name] = os.readlink(node)


def handle(testbed, root, cmd, ptys):
    op = cmd.get("op")
    if op == "add":
        add(testbed, root, cmd["record"], ptys)
        return {"ok": True}
    if op == "remove":
        testbed.remove_device(cmd["syspath"])
        return {"ok": True}
    if op == "uevent":
        return {"ok": True, "sent": send_to_monitors(root, base64.b64decode(cmd["datagram"]))}
    return {"ok": False, "error": "unknown command %r" % (op,)}


def main():
    testbed = UMockdev.Testbed.new()
    root = testbed.get_root_dir()
    print(json.dumps({"ok": True, "root": root}), flush=True)
    ptys = {}  # node name (dri/card0) -> the pty umockdev made for it
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd.get("op") == "quit":
            break
        try:
            reply = handle(testbed, root, cmd, ptys)
        except Exception as e:  # a GLib error: reported to vdrm, which names the command
            reply = {"ok": False, "error": str(e)}
        print(json.dumps(reply), flush=True)
    del testbed  # removes the directory


if __name__ == "__main__":
    main()
