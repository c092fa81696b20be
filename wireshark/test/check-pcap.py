#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Decode a pcap with tshark and the tlp-tunnel Lua dissector, and check the result.

    check-pcap.py [options] FILE.pcap

Runs `tshark -n -X lua_script:DISSECTOR -r FILE -T pdml` (PDML: the same tree as
-T json, without JSON's duplicate-key problem) and asserts:

  * the dissector loaded and no frame has a Lua error (_ws.lua.error) or a
    dissector internal error (tlp.internal_error, tunnel.internal_error) - always;
  * no frame is malformed (_ws.malformed, or an expert item of group Malformed)
    and no frame has an expert item of severity Error - unless told otherwise with
    --expect-malformed N / --expect-errors N (exact number of flagged frames) or
    --allow-errors (any number; for fuzz input);
  * --tlps N: exactly N "tlp" protocol items were decoded (raw TLPs and TLPs inside
    tunnel packets); --tunnels N, --frames N likewise;
  * --expect FIELD=VALUE (repeatable): at least one occurrence of FIELD has VALUE;
    --expect FIELD alone: FIELD occurs at least once;
  * --expect-all FIELD=VALUE (repeatable): FIELD occurs, and every occurrence (every
    TLP / tunnel packet that has the field) has VALUE;
  * --filter FILTER N (repeatable): the display filter FILTER matches exactly N frames
    (a second tshark run with -Y);
  * --info TEXT (repeatable): some frame's Info column contains TEXT.

VALUE matches when it equals the displayed value (case-insensitive), when both are
integers (0x.. or decimal) with the same value, when both are booleans, or when it
equals the value-string label ("UR" matches tlp.cpl_status 1).

Exit status: 0 all checks passed, 1 a check failed, 2 usage or tshark problem.
Python 3 standard library only.
"""

import argparse
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

PI_ERROR = 0x00800000
PI_MALFORMED = 0x07000000
SEVERITY_NAMES = {0x00100000: "Comment", 0x00200000: "Chat", 0x00400000: "Note",
                  0x00600000: "Warning", 0x00800000: "Error"}

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DISSECTOR = os.path.normpath(os.path.join(HERE, "..", "tlp-tunnel.lua"))


class Instance:
    """One protocol item (e.g. one TLP) and the fields directly under it."""

    def __init__(self, name, frame):
        self.name = name
        self.frame = frame
        self.fields = {}  # name -> [(show, showname)]

    def add(self, name, show, showname):
        self.fields.setdefault(name, []).append((show, showname))


class Frame:
    def __init__(self, number):
        self.number = number
        self.instances = []
        self.lua_errors = []
        self.internal_errors = []
        self.malformed = False
        self.errors = []       # expert messages with severity Error
        self.experts = []      # (severity, group, message)


def parse_int(text):
    try:
        return int(text.strip(), 0)
    except (ValueError, AttributeError):
        return None


BOOLS = {"true": True, "1": True, "false": False, "0": False}


def label_of(showname):
    """'100. .... = Completion Status: CA (4)' -> 'CA'."""
    if not showname:
        return None
    text = showname
    if " = " in text and re.match(r"^[01. ]+ = ", text):
        text = text.split(" = ", 1)[1]
    if ": " not in text:
        return None
    value = text.split(": ", 1)[1]
    value = re.sub(r" \(-?(0x)?[0-9a-fA-F]+\)$", "", value)
    value = re.sub(r" \[.*\]$", "", value)
    return value.strip()


def value_matches(expected, show, showname):
    e = expected.strip()
    s = (show or "").strip()
    if s.lower() == e.lower():
        return True
    ei, si = parse_int(e), parse_int(s)
    if ei is not None and si is not None:
        return ei == si
    if e.lower() in BOOLS and s.lower() in BOOLS:
        return BOOLS[e.lower()] == BOOLS[s.lower()]
    label = label_of(showname)
    if label is not None and label.lower() == e.lower():
        return True
    return False


def walk(elem, frame, current):
    """Attribute every field to the nearest enclosing protocol item."""
    for child in elem:
        name = child.get("name", "")
        if child.tag == "proto":
            if name == "_ws.malformed":
                frame.malformed = True
            if name in ("geninfo", "fake-field-wrapper") or name.startswith("_ws."):
                walk(child, frame, current)
                continue
            inst = Instance(name, frame.number)
            frame.instances.append(inst)
            walk(child, frame, inst)
            continue
        if child.tag != "field":
            continue
        if name == "_ws.lua.error":
            frame.lua_errors.append(child.get("showname", ""))
        elif name.endswith("internal_error"):
            frame.internal_errors.append(child.get("showname", ""))
        elif name == "_ws.malformed":
            frame.malformed = True
        elif name == "_ws.expert":
            sev = grp = None
            msg = child.get("showname", "")
            for sub in child:
                if sub.get("name") == "_ws.expert.severity":
                    sev = parse_int(sub.get("show", ""))
                elif sub.get("name") == "_ws.expert.group":
                    grp = parse_int(sub.get("show", ""))
                elif sub.get("name") == "_ws.expert.message":
                    msg = sub.get("show", msg)
            frame.experts.append((sev, grp, msg))
            if sev == PI_ERROR:
                frame.errors.append(msg)
            if grp == PI_MALFORMED:
                frame.malformed = True
        if current is not None and name and not name.startswith("_ws."):
            current.add(name, child.get("show"), child.get("showname"))
        walk(child, frame, current)


def run_tshark(args, extra):
    cmd = [args.tshark, "-n", "-X", "lua_script:" + args.dissector, "-r", args.pcap]
    for pref in args.pref:
        cmd += ["-o", pref]
    cmd += extra
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stderr_lines = [line for line in proc.stderr.decode("utf-8", "replace").splitlines()
                    if line.strip() and not line.startswith("Running as user")]
    return cmd, proc.returncode, proc.stdout, stderr_lines


def split_expectation(text):
    if "=" in text:
        field, value = text.split("=", 1)
        return field.strip(), value.strip()
    return text.strip(), None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pcap")
    ap.add_argument("--dissector", default=DEFAULT_DISSECTOR,
                    help="Lua dissector (default: %(default)s)")
    ap.add_argument("--tshark", default=os.environ.get("TSHARK", "tshark"))
    ap.add_argument("--pref", "-o", action="append", default=[], metavar="NAME:VALUE",
                    help="tshark preference, e.g. tunnel.udp_port:4000")
    ap.add_argument("--frames", type=int, help="exact number of frames")
    ap.add_argument("--tlps", type=int, help="exact number of decoded TLPs")
    ap.add_argument("--tunnels", type=int, help="exact number of decoded tunnel packets")
    ap.add_argument("--expect", action="append", default=[], metavar="FIELD[=VALUE]")
    ap.add_argument("--expect-all", action="append", default=[], metavar="FIELD=VALUE")
    ap.add_argument("--expect-malformed", type=int, metavar="N",
                    help="exact number of frames flagged malformed")
    ap.add_argument("--expect-errors", type=int, metavar="N",
                    help="exact number of frames with an Error expert item (malformed included)")
    ap.add_argument("--allow-errors", action="store_true",
                    help="any number of malformed/error frames (fuzz input); Lua errors still fail")
    ap.add_argument("--filter", nargs=2, action="append", default=[], metavar=("FILTER", "N"),
                    help="display filter FILTER must match exactly N frames")
    ap.add_argument("--info", action="append", default=[], metavar="TEXT",
                    help="at least one frame's Info column contains TEXT")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    name = os.path.basename(args.pcap)
    if not os.path.isfile(args.pcap):
        print("FAIL %s: no such file" % args.pcap)
        return 2
    if not os.path.isfile(args.dissector):
        print("FAIL %s: dissector %s not found" % (name, args.dissector))
        return 2
    for text in args.expect_all:
        if "=" not in text:
            ap.error("--expect-all needs FIELD=VALUE: %r" % text)

    cmd, rc, out, stderr_lines = run_tshark(args, ["-T", "pdml"])
    failures = []
    if rc != 0:
        print("FAIL %s: tshark exited with %d: %s\n  %s" % (name, rc, " ".join(cmd),
                                                      "\n  ".join(stderr_lines)))
        return 2
    for line in stderr_lines:
        if "lua" in line.lower() or "error" in line.lower():
            failures.append("tshark: " + line)
        else:
            print("note %s: tshark: %s" % (name, line))
    try:
        root = ET.fromstring(out)
    except ET.ParseError as exc:
        print("FAIL %s: cannot parse tshark PDML output: %s" % (name, exc))
        return 2

    frames = []
    for number, packet in enumerate(root.iter("packet"), 1):
        frame = Frame(number)
        walk(packet, frame, None)
        frames.append(frame)

    instances = [inst for f in frames for inst in f.instances]
    tlps = [i for i in instances if i.name == "tlp"]
    tunnels = [i for i in instances if i.name == "tunnel"]
    malformed = [f for f in frames if f.malformed]
    errors = [f for f in frames if f.errors or f.malformed]

    hard = [(f.number, "Lua error", m) for f in frames for m in f.lua_errors] + \
        [(f.number, "dissector internal error", m) for f in frames for m in f.internal_errors]
    for number, kind, msg in hard[:10]:
        failures.append("frame %d: %s: %s" % (number, kind, msg))
    if len(hard) > 10:
        failures.append("... and %d more Lua/internal errors" % (len(hard) - 10))

    def describe(fs):
        lines = []
        for f in fs[:30]:
            msgs = [m for s, g, m in f.experts if s == PI_ERROR] or ["_ws.malformed"]
            lines.append("    frame %d: %s" % (f.number, "; ".join(msgs)))
        if len(fs) > 30:
            lines.append("    ... and %d more" % (len(fs) - 30))
        return "\n" + "\n".join(lines) if lines else ""

    if not args.allow_errors:
        if args.expect_malformed is None and args.expect_errors is None:
            if errors:
                failures.append("%d frame(s) malformed or with expert errors, expected none:%s"
                                % (len(errors), describe(errors)))
        else:
            if args.expect_malformed is not None and len(malformed) != args.expect_malformed:
                failures.append("%d frame(s) flagged malformed, expected %d:%s"
                                % (len(malformed), args.expect_malformed, describe(malformed)))
            if args.expect_errors is not None:
                if len(errors) != args.expect_errors:
                    failures.append("%d frame(s) with expert errors, expected %d:%s"
                                    % (len(errors), args.expect_errors, describe(errors)))
            else:
                unexpected = [f for f in errors if not f.malformed]
                if unexpected:
                    failures.append("%d frame(s) with expert errors that are not malformed:%s"
                                    % (len(unexpected), describe(unexpected)))

    if args.frames is not None and len(frames) != args.frames:
        failures.append("%d frames, expected %d" % (len(frames), args.frames))
    if args.tlps is not None and len(tlps) != args.tlps:
        failures.append("%d TLPs decoded, expected %d" % (len(tlps), args.tlps))
    if args.tunnels is not None and len(tunnels) != args.tunnels:
        failures.append("%d tunnel packets decoded, expected %d" % (len(tunnels), args.tunnels))

    def occurrences(field):
        return [(inst, show, showname) for inst in instances
                for show, showname in inst.fields.get(field, [])]

    for text in args.expect:
        field, value = split_expectation(text)
        occ = occurrences(field)
        if not occ:
            failures.append("--expect %s: field %s does not occur" % (text, field))
        elif value is not None and not any(value_matches(value, s, sn) for _, s, sn in occ):
            seen = sorted({s for _, s, _ in occ})
            failures.append("--expect %s: no occurrence has this value (seen: %s)"
                            % (text, ", ".join(seen[:20]) + (" ..." if len(seen) > 20 else "")))

    for text in args.expect_all:
        field, value = split_expectation(text)
        occ = occurrences(field)
        if not occ:
            failures.append("--expect-all %s: field %s does not occur" % (text, field))
            continue
        bad = [(inst, s) for inst, s, sn in occ if not value_matches(value, s, sn)]
        if bad:
            failures.append("--expect-all %s: %d of %d occurrence(s) differ, e.g. frame %d has %s"
                            % (text, len(bad), len(occ), bad[0][0].frame, bad[0][1]))

    for flt, count in args.filter:
        try:
            want = int(count, 0)
        except ValueError:
            ap.error("--filter count must be an integer: %r" % count)
        fcmd, frc, fout, ferr = run_tshark(args, ["-Y", flt, "-T", "fields", "-e", "frame.number"])
        if frc != 0:
            failures.append("--filter %r: tshark failed (%d): %s" % (flt, frc, " ".join(ferr)))
            continue
        got = len([x for x in fout.decode().split() if x.strip()])
        if got != want:
            failures.append("--filter %r matched %d frame(s), expected %d" % (flt, got, want))

    if args.info:
        icmd, irc, iout, ierr = run_tshark(args, ["-T", "fields", "-e", "_ws.col.Info"])
        infos = iout.decode("utf-8", "replace").splitlines()
        if irc != 0:
            failures.append("--info: tshark failed (%d): %s" % (irc, " ".join(ierr)))
        else:
            for text in args.info:
                if not any(text in line for line in infos):
                    failures.append("--info %r: no frame's Info column contains it" % text)

    summary = "frames=%d tlps=%d tunnels=%d malformed=%d errors=%d" % (
        len(frames), len(tlps), len(tunnels), len(malformed), len(errors))
    if args.verbose:
        for f in frames:
            for sev, grp, msg in f.experts:
                print("  frame %d: %s: %s" % (f.number, SEVERITY_NAMES.get(sev, sev), msg))
    if failures:
        print("FAIL %s (%s)" % (name, summary))
        for msg in failures:
            print("  - " + msg)
        return 1
    print("OK   %s (%s)" % (name, summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
