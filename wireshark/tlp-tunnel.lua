-- SPDX-License-Identifier: GPL-2.0-only
--
-- Wireshark dissector for the ns-3 tlp-tunnel module.
--
--   * "tlp":    PCI Express transaction layer packets (TLPs), bit-exact as in
--               model/tlp-header.cc: DW0 first, each DW big-endian, then the data,
--               then the 4-byte ECRC digest (little-endian) when TD = 1.
--               Registered for pcap link type 147 (DLT_USER0 = WTAP_ENCAP_USER0).
--   * "tunnel": the encapsulation header of model/tunnel-header.cc that carries
--               TLPs between NICs, on EtherType 0x88B5 and on UDP port 51966
--               (a preference).
--   * "grant":  the body of GRANT_REQUEST / GRANT control packets
--               (model/tunnel-grant-header.cc).
--   * "remap":  the body of REMAP / REMAP_ACK control packets
--               (model/tunnel-remap-header.cc).
--   * "tunnel_ack": the SACK blocks of ACK packets (model/tunnel-ack-header.cc).
--
-- Usage:  tshark -X lua_script:wireshark/tlp-tunnel.lua -r trace.pcap
--    or:  copy this file to ~/.local/lib/wireshark/plugins/
--
-- Written for Wireshark 4.0 (Lua 5.2, bit32). The dissector never raises a Lua
-- error on purpose: every length is checked before a range is taken, and a
-- pcall() net turns a bug into an expert error instead of a Lua error.

local bit = bit32
local band, bor, bxor, rshift, lshift = bit.band, bit.bor, bit.bxor, bit.rshift, bit.lshift

local TUNNEL_ETHERTYPE = 0x88B5
local TUNNEL_UDP_PORT = 51966
local TUNNEL_VERSION = 1
local TUNNEL_FIXED_SIZE = 24
local TUNNEL_MAX_COUNT = 1024
local GRANT_SIZE = 32
local REMAP_SIZE = 36

-- WTAP_ENCAP_USER0 (pcap link type 147 = DLT_USER0). Wireshark 4.0 exposes it as
-- wtap_encaps.USER0 (= 45); older releases had wtap.USER0.
local WTAP_USER0 = (wtap_encaps and wtap_encaps.USER0) or (wtap and wtap.USER0) or 45

---------------------------------------------------------------------------
-- CRC-32 (zlib: polynomial 0x04C11DB7 reflected = 0xEDB88320, init and final
-- XOR 0xFFFFFFFF), table driven.
---------------------------------------------------------------------------
local crc_table = {}
for i = 0, 255 do
    local c = i
    for _ = 1, 8 do
        if band(c, 1) ~= 0 then
            c = bxor(0xEDB88320, rshift(c, 1))
        else
            c = rshift(c, 1)
        end
    end
    crc_table[i] = c
end

-- Update a running (non-complemented) CRC register with the bytes of a string.
local function crc32_update(crc, s)
    local byte = string.byte
    for i = 1, #s do
        crc = bxor(crc_table[band(bxor(crc, byte(s, i)), 0xFF)], rshift(crc, 8))
    end
    return crc
end

-- ECRC of a TLP given as a Lua string (header and data, no digest): CRC-32 with
-- the variant bits Type[0] (byte 0 bit 0) and EP (byte 2 bit 6) taken as 1.
local function tlp_ecrc(s)
    local b0, b1, b2, b3 = string.byte(s, 1, 4)
    local crc = crc32_update(0xFFFFFFFF, string.char(bor(b0, 0x01), b1, bor(b2, 0x40), b3))
    crc = crc32_update(crc, string.sub(s, 5))
    return bxor(crc, 0xFFFFFFFF)
end

---------------------------------------------------------------------------
-- PCI Express TLP
---------------------------------------------------------------------------
local tlp_proto = Proto("tlp", "PCI Express Transaction Layer Packet")

-- Kind names, keyed by Type for the Fmt-independent part of byte 0.
local TYPE_MEM, TYPE_MEM_LOCKED, TYPE_IO = 0x00, 0x01, 0x02
local TYPE_CFG0, TYPE_CFG1 = 0x04, 0x05
local TYPE_CPL, TYPE_CPL_LOCKED = 0x0A, 0x0B
local TYPE_FETCH_ADD, TYPE_SWAP, TYPE_CAS = 0x0C, 0x0D, 0x0E

local function is_msg_type(t) return band(t, 0x18) == 0x10 end

-- Write confirmations (model/tlp-write-confirmation.h): a write asks for one with
-- TH = 1, PH = 00 and this steering tag; the confirmation is a Vendor_Defined Type 1
-- MsgD routed by ID (Fmt/Type 0x72) with this Vendor ID and 12 data bytes: the
-- address (8) and the bytes written (4).
local CONFIRM_STEERING_TAG = 0xC0
local CONFIRM_FMT_TYPE, CONFIRM_CODE, CONFIRM_VENDOR = 0x72, 0x7F, 0xFFFF

-- Classify byte 0. Returns a table {name, cls, is4dw, data} for a defined
-- Fmt/Type pair (as TlpHeader::IsDefinedPair), or nil plus a reason.
--   cls: "mem" (MRd/MRdLk/MWr), "io", "cfg", "msg", "cpl", "atomic"
local function classify(b0)
    local fmt, t = rshift(b0, 5), band(b0, 0x1F)
    local is4dw, data = band(fmt, 1) ~= 0, band(fmt, 2) ~= 0
    local function defined(f, ty)
        if f == 0 then
            return ty == TYPE_MEM or ty == TYPE_MEM_LOCKED or ty == TYPE_IO or ty == TYPE_CFG0
                or ty == TYPE_CFG1 or ty == TYPE_CPL or ty == TYPE_CPL_LOCKED
        elseif f == 1 then
            return ty == TYPE_MEM or ty == TYPE_MEM_LOCKED or is_msg_type(ty)
        elseif f == 2 then
            return ty == TYPE_MEM or ty == TYPE_IO or ty == TYPE_CFG0 or ty == TYPE_CFG1
                or ty == TYPE_CPL or ty == TYPE_CPL_LOCKED or ty == TYPE_FETCH_ADD
                or ty == TYPE_SWAP or ty == TYPE_CAS
        elseif f == 3 then
            return ty == TYPE_MEM or ty == TYPE_FETCH_ADD or ty == TYPE_SWAP or ty == TYPE_CAS
                or is_msg_type(ty)
        end
        return false
    end
    if fmt == 4 then return nil, "prefix" end
    if fmt > 4 then return nil, "reserved Fmt " .. fmt end
    if not defined(fmt, t) then
        if defined(bxor(fmt, 1), t) then
            return nil, "header size (" .. (is4dw and "4DW" or "3DW") .. ") not allowed for this Type"
        end
        return nil, string.format("reserved Fmt/Type combination 0x%02x", b0)
    end
    local k = { is4dw = is4dw, data = data }
    if is_msg_type(t) then
        k.name, k.cls = data and "MsgD" or "Msg", "msg"
    elseif t == TYPE_MEM then
        k.name, k.cls = data and "MWr" or "MRd", "mem"
    elseif t == TYPE_MEM_LOCKED then
        k.name, k.cls = "MRdLk", "mem"
    elseif t == TYPE_IO then
        k.name, k.cls = data and "IOWr" or "IORd", "io"
    elseif t == TYPE_CFG0 then
        k.name, k.cls = data and "CfgWr0" or "CfgRd0", "cfg"
    elseif t == TYPE_CFG1 then
        k.name, k.cls = data and "CfgWr1" or "CfgRd1", "cfg"
    elseif t == TYPE_CPL then
        k.name, k.cls = data and "CplD" or "Cpl", "cpl"
    elseif t == TYPE_CPL_LOCKED then
        k.name, k.cls = data and "CplDLk" or "CplLk", "cpl"
    elseif t == TYPE_FETCH_ADD then
        k.name, k.cls = "FetchAdd", "atomic"
    elseif t == TYPE_SWAP then
        k.name, k.cls = "Swap", "atomic"
    elseif t == TYPE_CAS then
        k.name, k.cls = "CAS", "atomic"
    end
    -- Memory requests and AtomicOps carry the address width in their name.
    k.label = k.name
    if k.cls == "mem" or k.cls == "atomic" then
        k.label = k.name .. (is4dw and "64" or "32")
    end
    return k
end

-- Value string for byte 0, built from the classification above.
local fmt_type_vals = {}
for b0 = 0, 255 do
    local k = classify(b0)
    if k then fmt_type_vals[b0] = k.label end
end

local fmt_vals = {
    [0] = "3DW header, no data", [1] = "4DW header, no data",
    [2] = "3DW header, with data", [3] = "4DW header, with data",
    [4] = "TLP prefix", [5] = "Reserved", [6] = "Reserved", [7] = "Reserved",
}
local at_vals = {
    [0] = "Default/untranslated", [1] = "Translation request", [2] = "Translated", [3] = "Reserved",
}
local cpl_status_vals = { [0] = "SC", [1] = "UR", [2] = "CRS", [4] = "CA" }
local cpl_status_long = {
    [0] = "Successful Completion", [1] = "Unsupported Request",
    [2] = "Configuration Request Retry Status", [4] = "Completer Abort",
}
local msg_routing_vals = {
    [0] = "Routed to Root Complex", [1] = "Routed by Address", [2] = "Routed by ID",
    [3] = "Broadcast from Root Complex", [4] = "Local - Terminate at Receiver",
    [5] = "Gathered and routed to Root Complex", [6] = "Reserved", [7] = "Reserved",
}
local msg_code_vals = {
    [0x00] = "Unlock", [0x10] = "LTR", [0x12] = "OBFF", [0x14] = "PM_Active_State_Nak",
    [0x18] = "PM_PME", [0x19] = "PME_Turn_Off", [0x1B] = "PME_TO_Ack",
    [0x20] = "Assert_INTA", [0x21] = "Assert_INTB", [0x22] = "Assert_INTC", [0x23] = "Assert_INTD",
    [0x24] = "Deassert_INTA", [0x25] = "Deassert_INTB", [0x26] = "Deassert_INTC",
    [0x27] = "Deassert_INTD", [0x30] = "ERR_COR", [0x31] = "ERR_NONFATAL", [0x33] = "ERR_FATAL",
    [0x50] = "Set_Slot_Power_Limit", [0x52] = "PTM Request", [0x53] = "PTM Response",
    [0x7E] = "Vendor_Defined Type 0", [0x7F] = "Vendor_Defined Type 1",
}

local tf = {
    fmt = ProtoField.uint8("tlp.fmt", "Fmt", base.DEC, fmt_vals, 0xE0),
    type = ProtoField.uint8("tlp.type", "Type", base.HEX, nil, 0x1F),
    fmt_type = ProtoField.uint8("tlp.fmt_type", "Fmt/Type", base.HEX, fmt_type_vals),
    kind = ProtoField.string("tlp.kind", "Kind"),
    t9 = ProtoField.bool("tlp.t9", "Tag[9] (T9)", 8, nil, 0x80),
    tc = ProtoField.uint8("tlp.tc", "Traffic Class", base.DEC, nil, 0x70),
    t8 = ProtoField.bool("tlp.t8", "Tag[8] (T8)", 8, nil, 0x08),
    attr = ProtoField.uint8("tlp.attr", "Attr", base.HEX),
    attr_ido = ProtoField.bool("tlp.attr.ido", "ID-Based Ordering (Attr[2])"),
    attr_ro = ProtoField.bool("tlp.attr.ro", "Relaxed Ordering (Attr[1])"),
    attr_ns = ProtoField.bool("tlp.attr.ns", "No Snoop (Attr[0])"),
    ln = ProtoField.bool("tlp.ln", "Lightweight Notification (LN)", 8, nil, 0x02),
    th = ProtoField.bool("tlp.th", "TLP Processing Hints (TH)", 8, nil, 0x01),
    td = ProtoField.bool("tlp.td", "TLP Digest (TD)", 8, nil, 0x80),
    ep = ProtoField.bool("tlp.ep", "Poisoned (EP)", 8, nil, 0x40),
    at = ProtoField.uint8("tlp.at", "Address Type (AT)", base.DEC, at_vals, 0x0C),
    length = ProtoField.uint16("tlp.length", "Length (DW)", base.DEC),
    requester_id = ProtoField.uint16("tlp.requester_id", "Requester ID", base.HEX),
    tag = ProtoField.uint16("tlp.tag", "Tag", base.HEX),
    last_be = ProtoField.uint8("tlp.last_be", "Last DW BE", base.HEX, nil, 0xF0),
    first_be = ProtoField.uint8("tlp.first_be", "First DW BE", base.HEX, nil, 0x0F),
    address = ProtoField.uint64("tlp.address", "Address", base.HEX),
    ph = ProtoField.uint8("tlp.ph", "Processing Hint (PH)", base.DEC, nil, 0x03),
    completer_id = ProtoField.uint16("tlp.completer_id", "Completer ID", base.HEX),
    cpl_status = ProtoField.uint8("tlp.cpl_status", "Completion Status", base.DEC, cpl_status_vals, 0xE0),
    bcm = ProtoField.bool("tlp.bcm", "Byte Count Modified (BCM)", 8, nil, 0x10),
    byte_count = ProtoField.uint16("tlp.byte_count", "Byte Count", base.DEC),
    lower_address = ProtoField.uint8("tlp.lower_address", "Lower Address", base.HEX, nil, 0x7F),
    target_id = ProtoField.uint16("tlp.target_id", "Target ID (Bus/Device/Function)", base.HEX),
    register = ProtoField.uint16("tlp.register", "Register Number", base.HEX),
    message_code = ProtoField.uint8("tlp.message_code", "Message Code", base.HEX, msg_code_vals),
    msg_routing = ProtoField.uint8("tlp.msg_routing", "Message Routing r[2:0]", base.DEC, msg_routing_vals, 0x07),
    msg_dw23 = ProtoField.uint64("tlp.msg_dw23", "Message DW2..DW3", base.HEX),
    vendor_id = ProtoField.uint16("tlp.vendor_id", "Vendor ID", base.HEX),
    steering_tag = ProtoField.uint8("tlp.steering_tag", "Steering Tag (ST[7:0])", base.HEX),
    confirm_request = ProtoField.bool("tlp.confirm_request", "Write confirmation requested"),
    confirm_writer = ProtoField.uint16("tlp.confirm.writer", "Confirmed writer (Requester ID)", base.HEX),
    confirm_address = ProtoField.uint64("tlp.confirm.address", "Confirmed address", base.HEX),
    confirm_bytes = ProtoField.uint32("tlp.confirm.bytes", "Confirmed bytes", base.DEC),
    data = ProtoField.bytes("tlp.data", "Data"),
    ecrc = ProtoField.uint32("tlp.ecrc", "ECRC", base.HEX),
    ecrc_calc = ProtoField.uint32("tlp.ecrc_calculated", "Calculated ECRC", base.HEX),
    ecrc_status = ProtoField.string("tlp.ecrc_status", "ECRC Status"),
    ecrc_good = ProtoField.bool("tlp.ecrc_good", "ECRC Good"),
    trailing = ProtoField.bytes("tlp.trailing", "Bytes beyond the Length field"),
    undecoded = ProtoField.bytes("tlp.undecoded", "Undecoded bytes"),
}
do
    local list = {}
    for _, v in pairs(tf) do list[#list + 1] = v end
    tlp_proto.fields = list
end

local te = {
    malformed = ProtoExpert.new("tlp.malformed", "Malformed TLP",
        expert.group.MALFORMED, expert.severity.ERROR),
    bad_ecrc = ProtoExpert.new("tlp.ecrc.bad", "Bad ECRC",
        expert.group.CHECKSUM, expert.severity.ERROR),
    prefix = ProtoExpert.new("tlp.prefix", "TLP prefix not decoded",
        expert.group.UNDECODED, expert.severity.WARN),
    poisoned = ProtoExpert.new("tlp.poisoned", "Poisoned TLP (EP set)",
        expert.group.PROTOCOL, expert.severity.NOTE),
    cpl_error = ProtoExpert.new("tlp.cpl_error", "Completion status is not SC",
        expert.group.RESPONSE_CODE, expert.severity.NOTE),
    internal = ProtoExpert.new("tlp.internal_error", "TLP dissector internal error",
        expert.group.MALFORMED, expert.severity.ERROR),
}
tlp_proto.experts = { te.malformed, te.bad_ecrc, te.prefix, te.poisoned, te.cpl_error, te.internal }

tlp_proto.prefs.check_ecrc = Pref.bool("Verify ECRC", true,
    "Recompute the ECRC digest of TLPs with TD set and flag mismatches")

local function bdf(id)
    return string.format("%02x:%02x.%x", rshift(id, 8), band(rshift(id, 3), 0x1F), band(id, 7))
end

-- Add a bus/device/function ID field; returns the ID.
local function add_id(tree, field, range)
    local id = range:uint()
    local item = tree:add(field, range)
    item:append_text(" (" .. bdf(id) .. ")")
    return id
end

-- Dissect one TLP occupying the whole of tvb. Adds a "tlp" subtree to tree and
-- returns a one-line summary for the Info column. index (optional) numbers the
-- TLP inside a tunnel packet. Returns summary, flagged (true when an error was
-- reported).
local function dissect_tlp(tvb, pinfo, tree, index, total)
    local len = tvb:len()
    local ti = tree:add(tlp_proto, tvb())
    local prefix = "PCI Express TLP"
    if index then
        prefix = string.format("PCI Express TLP %d of %d", index, total or index)
    end
    local summary
    local notes = {}

    local function finish()
        local s = summary or "TLP"
        if #notes > 0 then s = s .. " [" .. table.concat(notes, ", ") .. "]" end
        ti:set_text(prefix .. ": " .. s)
        return s
    end
    local function malformed(item, text)
        item:add_proto_expert_info(te.malformed, text)
        if notes[#notes] ~= "malformed" then notes[#notes + 1] = "malformed" end
    end

    if len < 4 then
        summary = "TLP"
        malformed(ti, string.format("Truncated TLP: %d bytes, a TLP header has at least 12", len))
        if len > 0 then ti:add(tf.undecoded, tvb(0, len)) end
        return finish()
    end

    -- DW0
    local b0, b1, b2, b3 = tvb(0, 1):uint(), tvb(1, 1):uint(), tvb(2, 1):uint(), tvb(3, 1):uint()
    local k, why = classify(b0)
    local fti = ti:add(tf.fmt_type, tvb(0, 1))
    fti:add(tf.fmt, tvb(0, 1))
    fti:add(tf.type, tvb(0, 1))
    if k then
        ti:add(tf.kind, tvb(0, 1), k.name):set_generated()
    end
    ti:add(tf.t9, tvb(1, 1))
    ti:add(tf.tc, tvb(1, 1))
    ti:add(tf.t8, tvb(1, 1))
    local attr = bor(lshift(band(rshift(b1, 2), 1), 2), band(rshift(b2, 4), 3))
    local ati = ti:add(tf.attr, tvb(1, 2), attr)
    ati:add(tf.attr_ido, tvb(1, 1), band(attr, 4) ~= 0)
    ati:add(tf.attr_ro, tvb(2, 1), band(attr, 2) ~= 0)
    ati:add(tf.attr_ns, tvb(2, 1), band(attr, 1) ~= 0)
    ti:add(tf.ln, tvb(1, 1))
    local th = band(b1, 0x01) ~= 0
    ti:add(tf.th, tvb(1, 1))
    local td = band(b2, 0x80) ~= 0
    ti:add(tf.td, tvb(2, 1))
    local ep = band(b2, 0x40) ~= 0
    local epi = ti:add(tf.ep, tvb(2, 1))
    if ep then
        epi:add_proto_expert_info(te.poisoned)
        notes[#notes + 1] = "poisoned"
    end
    ti:add(tf.at, tvb(2, 1))
    local length_raw = bor(lshift(band(b2, 3), 8), b3)
    local length_dw = (length_raw == 0) and 1024 or length_raw
    local tag_high = bor(lshift(band(rshift(b1, 7), 1), 9), lshift(band(rshift(b1, 3), 1), 8))

    if not k then
        if why == "prefix" then
            summary = "TLP prefix"
            ti:add_proto_expert_info(te.prefix,
                "TLP prefix (Fmt 100b) present; prefixes are not decoded")
        else
            summary = string.format("Invalid TLP 0x%02x", b0)
            malformed(fti, "Invalid Fmt/Type: " .. why)
        end
        ti:add(tf.length, tvb(2, 2), length_dw)
        if len > 4 then ti:add(tf.undecoded, tvb(4, len - 4)) end
        return finish()
    end

    -- Length: meaningful for data TLPs and for requests other than messages.
    local length_used = k.data or (k.cls ~= "msg" and k.cls ~= "cpl")
    local li = ti:add(tf.length, tvb(2, 2), length_used and length_dw or length_raw)
    if not length_used then
        li:append_text(" (reserved: no data)")
    elseif length_raw == 0 then
        li:append_text(" (encoded as 0)")
    end

    local hdr = k.is4dw and 16 or 12
    summary = k.label
    if len < hdr then
        malformed(ti, string.format("TLP shorter than its header: %d bytes, %s header needs %d",
            len, k.is4dw and "4DW" or "3DW", hdr))
        if len > 4 then ti:add(tf.undecoded, tvb(4, len - 4)) end
        return finish()
    end

    local data_len = k.data and length_dw * 4 or 0
    local len_text = string.format(" len=%dDW", length_dw)

    if k.cls == "cpl" then
        add_id(ti, tf.completer_id, tvb(4, 2))
        local st = rshift(tvb(6, 1):uint(), 5)
        local sti = ti:add(tf.cpl_status, tvb(6, 1))
        if st ~= 0 then
            sti:add_proto_expert_info(te.cpl_error,
                "Completion status " .. (cpl_status_long[st] or ("reserved " .. st)))
        end
        ti:add(tf.bcm, tvb(6, 1))
        local bc_raw = band(tvb(6, 2):uint(), 0x0FFF)
        local bc = (bc_raw == 0) and 4096 or bc_raw
        local bci = ti:add(tf.byte_count, tvb(6, 2), bc)
        if bc_raw == 0 then bci:append_text(" (encoded as 0)") end
        add_id(ti, tf.requester_id, tvb(8, 2))
        local tag = bor(tag_high, tvb(10, 1):uint())
        ti:add(tf.tag, tvb(10, 1), tag)
        ti:add(tf.lower_address, tvb(11, 1))
        summary = string.format("%s %s tag=0x%03x bc=%d", k.name,
            cpl_status_vals[st] or ("status" .. st), tag, bc)
        if k.data then summary = summary .. len_text end
    else
        add_id(ti, tf.requester_id, tvb(4, 2))
        local tag = bor(tag_high, tvb(6, 1):uint())
        ti:add(tf.tag, tvb(6, 1), tag)
        if k.cls == "msg" then
            local code = tvb(7, 1):uint()
            ti:add(tf.message_code, tvb(7, 1))
            ti:add(tf.msg_routing, tvb(0, 1))
            ti:add(tf.msg_dw23, tvb(8, 8))
            summary = string.format("%s code=0x%02x", k.name, code)
            if msg_code_vals[code] then summary = summary .. " (" .. msg_code_vals[code] .. ")" end
            if k.data then summary = summary .. len_text end
            if b0 == CONFIRM_FMT_TYPE and code == CONFIRM_CODE and tvb(10, 2):uint() == CONFIRM_VENDOR
                and length_dw == 3 and len >= hdr + 12 then
                local writer = add_id(ti, tf.confirm_writer, tvb(8, 2))
                ti:add(tf.vendor_id, tvb(10, 2))
                local addr = tvb(hdr, 8):uint64()
                ti:add(tf.confirm_address, tvb(hdr, 8))
                local bytes = tvb(hdr + 8, 4):uint()
                ti:add(tf.confirm_bytes, tvb(hdr + 8, 4))
                summary = string.format("WriteConfirmation 0x%s %dB writer=%s", addr:tohex(), bytes, bdf(writer))
            end
        else
            ti:add(tf.last_be, tvb(7, 1))
            ti:add(tf.first_be, tvb(7, 1))
            if k.cls == "cfg" then
                local target = add_id(ti, tf.target_id, tvb(8, 2))
                local reg = bor(lshift(band(tvb(10, 1):uint(), 0x0F), 6), rshift(tvb(11, 1):uint(), 2))
                local ri = ti:add(tf.register, tvb(10, 2), reg)
                ri:append_text(string.format(" (extended register 0x%x, register 0x%02x, byte offset 0x%03x)",
                    rshift(reg, 6), band(reg, 0x3F), reg * 4))
                summary = string.format("%s %s reg=0x%03x%s", k.name, bdf(target), reg, len_text)
            else
                -- Memory, I/O and AtomicOp requests carry an address.
                local addr_text
                local low = tvb(hdr - 4, 4):uint()
                if k.is4dw then
                    local high = tvb(8, 4):uint()
                    local addr = UInt64.new(band(low, 0xFFFFFFFC), high)
                    ti:add(tf.address, tvb(8, 8), addr)
                    addr_text = "0x" .. addr:tohex()
                else
                    ti:add(tf.address, tvb(8, 4), UInt64.new(band(low, 0xFFFFFFFC), 0))
                    addr_text = string.format("0x%08x", band(low, 0xFFFFFFFC))
                end
                if th or band(low, 3) ~= 0 then
                    local phi = ti:add(tf.ph, tvb(hdr - 1, 1))
                    if not th then phi:append_text(" (reserved: TH not set)") end
                end
                summary = string.format("%s %s%s", k.label, addr_text, len_text)
                if th and k.cls == "mem" and k.data then
                    -- A write with TPH: its Tag field is the steering tag.
                    local st = tvb(6, 1):uint()
                    ti:add(tf.steering_tag, tvb(6, 1))
                    if st == CONFIRM_STEERING_TAG and band(low, 3) == 0 then
                        ti:add(tf.confirm_request, tvb(6, 1), true):set_generated()
                        summary = summary .. " confirm"
                    end
                end
            end
        end
    end

    -- Data, digest, and the consistency of Length with the TLP size.
    local digest = td and 4 or 0
    local expected = hdr + data_len + digest
    local after = len - hdr
    if k.data and after > 0 then
        ti:add(tf.data, tvb(hdr, math.min(data_len, after)))
    end
    if len ~= expected then
        local what
        if k.data then
            what = string.format("Length field says %d DW (%d data bytes%s) but %d bytes follow the %d-byte header",
                length_dw, data_len, td and " + 4-byte ECRC" or "", after, hdr)
        else
            what = string.format("%s carries no data%s, but %d bytes follow the %d-byte header",
                k.name, td and " (only a 4-byte ECRC)" or "", after, hdr)
        end
        malformed(li, "TLP size disagrees with its header: " .. what)
        if len > expected then
            -- Show the digest where Length puts it, and the rest as trailing bytes.
            if td then
                ti:add_le(tf.ecrc, tvb(hdr + data_len, 4)):append_text(" [not verified]")
            end
            ti:add(tf.trailing, tvb(expected, len - expected))
        end
        return finish()
    end

    if td then
        local digest_off = hdr + data_len
        local ei = ti:add_le(tf.ecrc, tvb(digest_off, 4))
        if tlp_proto.prefs.check_ecrc then
            local got = tvb(digest_off, 4):le_uint()
            local calc = tlp_ecrc(tvb:raw(0, digest_off))
            ti:add(tf.ecrc_calc, tvb(digest_off, 4), calc):set_generated()
            local good = (got == calc)
            ti:add(tf.ecrc_status, tvb(digest_off, 4), good and "good" or "bad"):set_generated()
            ti:add(tf.ecrc_good, tvb(digest_off, 4), good):set_generated()
            if good then
                ei:append_text(" [correct]")
            else
                ei:append_text(string.format(" [incorrect, should be 0x%08x]", calc))
                ei:add_proto_expert_info(te.bad_ecrc,
                    string.format("Bad ECRC 0x%08x, calculated 0x%08x", got, calc))
                notes[#notes + 1] = "bad ECRC"
            end
        else
            ei:append_text(" [not verified]")
        end
    end
    return finish()
end

function tlp_proto.dissector(tvb, pinfo, tree)
    pinfo.cols.protocol:set("PCIe")
    local ok, summary = pcall(dissect_tlp, tvb, pinfo, tree)
    if ok then
        pinfo.cols.info:set(summary)
    else
        pinfo.cols.info:set("TLP [dissector error]")
        tree:add_proto_expert_info(te.internal, "TLP dissector internal error: " .. tostring(summary))
    end
    return tvb:len()
end

---------------------------------------------------------------------------
-- Tunnel header
---------------------------------------------------------------------------
local tunnel_proto = Proto("tunnel", "TLP-Tunnel")
local grant_proto = Proto("grant", "TLP-Tunnel Grant")
local remap_proto = Proto("remap", "TLP-Tunnel Remap")
local ack_proto = Proto("tunnel_ack", "TLP-Tunnel Acknowledgement")

local KIND_DATA, KIND_ACK, KIND_GRANT_REQUEST, KIND_GRANT, KIND_COMPLETION = 0, 1, 2, 3, 4
local KIND_REMAP, KIND_REMAP_ACK = 5, 6
local kind_vals = { [0] = "DATA", [1] = "ACK", [2] = "GRANT_REQUEST", [3] = "GRANT", [4] = "COMPLETION",
    [5] = "REMAP", [6] = "REMAP_ACK" }

local FLAG_TRANSLATED, FLAG_RELIABLE, FLAG_COMPRESSED = 0x01, 0x02, 0x04
local FLAG_MEMORY_ID, FLAG_MULTICAST, FLAG_ACK, FLAG_NAK = 0x08, 0x10, 0x20, 0x40
-- Flags each kind defines (TunnelHeader::GetDefinedFlags).
local FLAGS_DEFINED = {
    [KIND_DATA] = 0x3F, [KIND_COMPLETION] = 0x27, [KIND_ACK] = 0x40,
    [KIND_GRANT_REQUEST] = 0x08, [KIND_GRANT] = 0x08,
    [KIND_REMAP] = 0x00, [KIND_REMAP_ACK] = 0x00,
}
local ACK_MAX_BLOCKS = 64

local uf = {
    version = ProtoField.uint8("tunnel.version", "Version", base.DEC, nil, 0xF0),
    kind = ProtoField.uint8("tunnel.kind", "Kind", base.DEC, kind_vals, 0x0F),
    flags = ProtoField.uint8("tunnel.flags", "Flags", base.HEX),
    f_translated = ProtoField.bool("tunnel.flags.translated", "Translated (addresses already translated)", 8, nil, FLAG_TRANSLATED),
    f_reliable = ProtoField.bool("tunnel.flags.reliable", "Reliable (sequenced: acknowledged, in order, no duplicates)", 8, nil, FLAG_RELIABLE),
    f_compressed = ProtoField.bool("tunnel.flags.compressed", "Compressed (shared header fields sent once)", 8, nil, FLAG_COMPRESSED),
    f_memory_id = ProtoField.bool("tunnel.flags.memory_id", "Memory ID (addresses are offsets)", 8, nil, FLAG_MEMORY_ID),
    f_multicast = ProtoField.bool("tunnel.flags.multicast", "Multicast", 8, nil, FLAG_MULTICAST),
    f_ack = ProtoField.bool("tunnel.flags.ack", "Ack (acknowledgement number valid)", 8, nil, FLAG_ACK),
    f_nak = ProtoField.bool("tunnel.flags.nak", "NAK (sequence error: resend from the ack number)", 8, nil, FLAG_NAK),
    f_reserved = ProtoField.uint8("tunnel.flags.reserved", "Reserved", base.HEX, nil, 0x80),
    count = ProtoField.uint16("tunnel.count", "TLP count", base.DEC),
    source = ProtoField.uint32("tunnel.source", "Source node ID", base.DEC),
    seq = ProtoField.uint32("tunnel.seq", "Sequence number", base.DEC),
    nonce = ProtoField.uint32("tunnel.nonce", "Nonce (of the grant request)", base.DEC),
    generation = ProtoField.uint32("tunnel.generation", "Generation (of the remap)", base.DEC),
    offsets = ProtoField.uint16("tunnel.offsets_into", "TLP addresses are offsets into memory ID", base.DEC),
    ack = ProtoField.uint32("tunnel.ack", "Acknowledgement number", base.DEC),
    window = ProtoField.uint16("tunnel.window", "Window ID", base.DEC),
    memory_id = ProtoField.uint16("tunnel.memory_id", "Memory ID", base.DEC),
    header_length = ProtoField.uint16("tunnel.header_length", "Header length", base.DEC),
    key = ProtoField.uint32("tunnel.key", "Region key (of the window's grant)", base.HEX),
    tlp_length = ProtoField.uint16("tunnel.tlp_length", "TLP length", base.DEC),
    header_pad = ProtoField.bytes("tunnel.header_pad", "Header padding/extension"),
    tlp_bytes = ProtoField.bytes("tunnel.tlp_bytes", "TLP bytes (not decoded)"),
    body = ProtoField.bytes("tunnel.body", "Body (not decoded)"),
    padding = ProtoField.bytes("tunnel.padding", "Padding"),
}
do
    local list = {}
    for _, v in pairs(uf) do list[#list + 1] = v end
    tunnel_proto.fields = list
end

local ue = {
    malformed = ProtoExpert.new("tunnel.malformed", "Malformed tunnel packet",
        expert.group.MALFORMED, expert.severity.ERROR),
    version = ProtoExpert.new("tunnel.unknown_version", "Unknown tunnel header version",
        expert.group.MALFORMED, expert.severity.ERROR),
    unknown_kind = ProtoExpert.new("tunnel.unknown_kind", "Unknown tunnel packet kind",
        expert.group.UNDECODED, expert.severity.WARN),
    unknown_flags = ProtoExpert.new("tunnel.unknown_flags", "Tunnel flags the kind does not define",
        expert.group.PROTOCOL, expert.severity.WARN),
    not_decoded = ProtoExpert.new("tunnel.not_decoded", "Tunnel feature not decoded",
        expert.group.UNDECODED, expert.severity.WARN),
    nak = ProtoExpert.new("tunnel.nak", "Sequence error (NAK): resend from the ack number",
        expert.group.SEQUENCE, expert.severity.NOTE),
    internal = ProtoExpert.new("tunnel.internal_error", "Tunnel dissector internal error",
        expert.group.MALFORMED, expert.severity.ERROR),
}
tunnel_proto.experts = { ue.malformed, ue.version, ue.unknown_kind, ue.unknown_flags, ue.not_decoded, ue.nak, ue.internal }

local any_base = UInt64.new(0xFFFFFFFF, 0xFFFFFFFF)
local grant_status_vals = {
    [0] = "granted", [1] = "no room in the export pool", [2] = "not memory of the receiving node",
    [3] = "overlaps another exported region", [4] = "bad range (empty, unaligned or past 2^64)",
    [5] = "window already granted with other parameters", [6] = "unknown memory ID",
}
local confirm_vals = { [0] = "none", [1] = "sender NIC", [2] = "memory", [3] = "receiver NIC" }
local gf = {
    window_base = ProtoField.uint64("grant.window_base", "Window base (sender)", base.HEX),
    size = ProtoField.uint64("grant.size", "Size", base.HEX),
    region_base = ProtoField.uint64("grant.region_base", "Region base (receiver)", base.HEX),
    translate_at = ProtoField.uint8("grant.translate_at", "Translation at", base.DEC,
        { [0] = "sender", [1] = "receiver" }),
    status = ProtoField.uint8("grant.status", "Status", base.DEC, grant_status_vals),
    confirm = ProtoField.uint8("grant.confirm", "Write confirmation by", base.DEC, confirm_vals),
    reserved = ProtoField.uint8("grant.reserved", "Reserved", base.HEX),
    key = ProtoField.uint32("grant.key", "Region key (chosen by the receiver)", base.HEX),
}
grant_proto.fields = { gf.window_base, gf.size, gf.region_base, gf.translate_at, gf.status, gf.confirm, gf.reserved, gf.key }

local rf = {
    memory_id = ProtoField.uint16("remap.memory_id", "Memory ID", base.DEC),
    reserved = ProtoField.uint16("remap.reserved", "Reserved", base.HEX),
    generation = ProtoField.uint32("remap.generation", "Generation", base.DEC),
    old_base = ProtoField.uint64("remap.old_base", "Old base (receiver)", base.HEX),
    new_base = ProtoField.uint64("remap.new_base", "New base (receiver)", base.HEX),
    size = ProtoField.uint64("remap.size", "Size", base.HEX),
    switch_seq = ProtoField.uint32("remap.switch_seq",
        "Switch sequence (first sequence number resolved in the new range)", base.DEC),
}
remap_proto.fields = { rf.memory_id, rf.reserved, rf.generation, rf.old_base, rf.new_base, rf.size, rf.switch_seq }

local af = {
    count = ProtoField.uint16("tunnel_ack.sack_count", "SACK blocks", base.DEC),
    reserved = ProtoField.uint16("tunnel_ack.reserved", "Reserved", base.HEX),
    first = ProtoField.uint32("tunnel_ack.sack_first", "SACK block first", base.DEC),
    ["end"] = ProtoField.uint32("tunnel_ack.sack_end", "SACK block end (exclusive)", base.DEC),
}
ack_proto.fields = { af.count, af.reserved, af.first, af["end"] }

tunnel_proto.prefs.udp_port = Pref.uint("UDP port", TUNNEL_UDP_PORT,
    "UDP port of the TLP tunnel (either source or destination)")

-- Rest of the packet as one bytes field (nothing when there is no rest).
local function add_rest(tree, field, tvb, off)
    if off < tvb:len() then
        return tree:add(field, tvb(off, tvb:len() - off))
    end
end

-- Trailing bytes after the body: Ethernet pads frames to 60 bytes.
local function add_padding(tree, tvb, off)
    local item = add_rest(tree, uf.padding, tvb, off)
    if item then
        item:append_text(string.format(" (%d bytes)", tvb:len() - off))
    end
end

-- Kind handlers: function(tvb, pinfo, root, h) -> summary text for the Info
-- column. h holds the parsed fixed header (kind, flags, count, source, seq, ack,
-- window, header_length, lengths[], length_items[]), h.flag(mask) tests a flag
-- and h.malformed(item, text) reports a malformed-packet error. The body starts
-- at h.header_length (a longer header than needed - a later version's extension -
-- is shown as tunnel.header_pad and skipped, as TunnelHeader::Deserialize does).
-- A later version adds a kind by adding an entry here, and a new flag (e.g. a
-- compressed-header layout, memory ID + offset) by testing h.flag() in a handler.
-- Kinds without a handler get an expert warning and their body as bytes.
local kind_handlers = {}

-- DATA (requests through a window) and COMPLETION (completions and write
-- confirmations) carry TLPs back to back.
local function tlp_handler(tvb, pinfo, root, h)
    local parts = {}
    local off = h.header_length
    local len = tvb:len()
    local compressed = h.flag(FLAG_COMPRESSED)
    if h.kind == KIND_DATA and h.flag(FLAG_MEMORY_ID) then
        root:add(uf.offsets, tvb(16, 2)):set_generated()
        if h.flag(FLAG_TRANSLATED) then
            root:add_proto_expert_info(ue.unknown_flags,
                "Memory ID with the translated flag: an offset is no address (a receiver drops the packet)")
        end
    end
    if compressed then
        root:add_proto_expert_info(ue.not_decoded,
            "Compressed TLP headers (flag 0x04) are not decoded; TLPs shown as bytes")
    end
    for i = 1, h.count do
        local n = h.lengths[i]
        if n == 0 then
            h.malformed(h.length_items[i], string.format("TLP %d has length 0", i))
            parts[#parts + 1] = "empty TLP"
        elseif off + n > len then
            h.malformed(h.length_items[i], string.format(
                "TLP %d length %d exceeds the packet: %d bytes left at offset %d", i, n, len - off, off))
            add_rest(root, uf.tlp_bytes, tvb, off)
            parts[#parts + 1] = "truncated TLP"
            return table.concat(parts, ", "), true
        elseif compressed then
            root:add(uf.tlp_bytes, tvb(off, n)):append_text(string.format(" (TLP %d of %d)", i, h.count))
            parts[#parts + 1] = "compressed TLP"
        else
            parts[#parts + 1] = dissect_tlp(tvb(off, n):tvb(), pinfo, root, i, h.count)
        end
        off = off + n
    end
    add_padding(root, tvb, off)
    return table.concat(parts, ", ")
end
kind_handlers[KIND_DATA] = tlp_handler
kind_handlers[KIND_COMPLETION] = tlp_handler

kind_handlers[KIND_ACK] = function(tvb, pinfo, root, h)
    local off = h.header_length
    local left = tvb:len() - off
    if left < 4 then
        h.malformed(root, string.format("ACK body truncated: %d bytes, needs at least 4", left))
        add_rest(root, uf.body, tvb, off)
        return "truncated ACK"
    end
    local n = tvb(off, 2):uint()
    local at = root:add(ack_proto, tvb(off, math.min(left, 4 + 8 * n)))
    local ci = at:add(af.count, tvb(off, 2))
    local ri = at:add(af.reserved, tvb(off + 2, 2))
    if tvb(off + 2, 2):uint() ~= 0 then
        h.malformed(ri, "Reserved field of the ACK body is not zero")
    end
    if n > ACK_MAX_BLOCKS then
        h.malformed(ci, string.format("%d SACK blocks, at most %d", n, ACK_MAX_BLOCKS))
        add_rest(root, uf.body, tvb, off + 4)
        return "bad ACK"
    end
    if left < 4 + 8 * n then
        h.malformed(ci, string.format("%d SACK blocks need %d bytes, %d left", n, 4 + 8 * n, left))
        add_rest(root, uf.body, tvb, off + 4)
        return "truncated ACK"
    end
    local blocks = {}
    for i = 0, n - 1 do
        local o = off + 4 + 8 * i
        local first, last = tvb(o, 4):uint(), tvb(o + 4, 4):uint()
        local fi = at:add(af.first, tvb(o, 4))
        at:add(af["end"], tvb(o + 4, 4))
        -- end - first in the wrap-around sequence space: 1 .. 2^31 - 1
        local span = (last - first) % 4294967296
        if span == 0 or span >= 2147483648 then
            h.malformed(fi, string.format("SACK block %d-%d is empty or spans half the sequence space or more", first, last))
        end
        blocks[#blocks + 1] = string.format("%d-%d", first, last)
    end
    at:set_text(string.format("TLP-Tunnel Acknowledgement: ack=%d sack=%s", h.ack,
        #blocks > 0 and table.concat(blocks, ",") or "none"))
    add_padding(root, tvb, off + 4 + 8 * n)
    if #blocks > 0 then
        return "sack=" .. table.concat(blocks, ",")
    end
    return ""
end

-- Where a control packet's body of `size` bytes starts, or nil (reported as
-- malformed, the rest shown as bytes) when the packet is too short for it.
local function control_body(tvb, root, h, size, what)
    local off = h.header_length
    local left = tvb:len() - off
    if left < size then
        h.malformed(root, string.format("%s body truncated: %d bytes, needs %d", what, left, size))
        add_rest(root, uf.body, tvb, off)
        return nil
    end
    return off
end

local function grant_handler(tvb, pinfo, root, h)
    local off = control_body(tvb, root, h, GRANT_SIZE, "Grant")
    if not off then return "truncated grant" end
    local gt = root:add(grant_proto, tvb(off, GRANT_SIZE))
    local wb = tvb(off, 8):uint64()
    local sz = tvb(off + 8, 8):uint64()
    local rb = tvb(off + 16, 8):uint64()
    gt:add(gf.window_base, tvb(off, 8))
    gt:add(gf.size, tvb(off + 8, 8))
    local ri = gt:add(gf.region_base, tvb(off + 16, 8))
    local region_text = "0x" .. rb:tohex()
    if rb == any_base then
        ri:append_text(" (any)")
        region_text = "any"
    end
    local ati = gt:add(gf.translate_at, tvb(off + 24, 1))
    local sti = gt:add(gf.status, tvb(off + 25, 1))
    local cfi = gt:add(gf.confirm, tvb(off + 26, 1))
    local rsi = gt:add(gf.reserved, tvb(off + 27, 1))
    gt:add(gf.key, tvb(off + 28, 4))
    local key = tvb(off + 28, 4):uint()
    local status = tvb(off + 25, 1):uint()
    local at = tvb(off + 24, 1):uint()
    local confirm = tvb(off + 26, 1):uint()
    if at > 1 then h.malformed(ati, "Translation at " .. at .. " (0 sender, 1 receiver)") end
    if not grant_status_vals[status] then h.malformed(sti, "Unknown grant status " .. status) end
    if not confirm_vals[confirm] then h.malformed(cfi, "Unknown confirmation mode " .. confirm) end
    if tvb(off + 27, 1):uint() ~= 0 then h.malformed(rsi, "Reserved byte of the grant body is not zero") end
    local text = string.format("window=0x%s size=0x%s region=%s translate_at=%s",
        wb:tohex(), sz:tohex(), region_text, (at == 0 and "sender") or (at == 1 and "receiver") or tostring(at))
    if confirm ~= 0 then
        text = text .. " confirm=" .. (confirm_vals[confirm] or tostring(confirm))
    end
    if h.kind == KIND_GRANT then
        if status == 0 then
            text = text .. string.format(" granted key=0x%08x", key)
        else
            text = text .. " refused (" .. (grant_status_vals[status] or ("status " .. status)) .. ")"
        end
    end
    gt:set_text(string.format("TLP-Tunnel Grant: %s", text))
    add_padding(root, tvb, off + GRANT_SIZE)
    return text
end
kind_handlers[KIND_GRANT_REQUEST] = grant_handler
kind_handlers[KIND_GRANT] = grant_handler

-- [base, base + size) and [other, other + size) share a byte (size >= 1, no wrap).
local function ranges_overlap(a, b, size)
    local last = size - UInt64.new(1)
    return not (a + last < b or b + last < a)
end

local function remap_handler(tvb, pinfo, root, h)
    local off = control_body(tvb, root, h, REMAP_SIZE, "Remap")
    if not off then return "truncated remap" end
    local rt = root:add(remap_proto, tvb(off, REMAP_SIZE))
    local id = tvb(off, 2):uint()
    local gen = tvb(off + 4, 4):uint()
    local old = tvb(off + 8, 8):uint64()
    local new = tvb(off + 16, 8):uint64()
    local size = tvb(off + 24, 8):uint64()
    local sw = tvb(off + 32, 4):uint()
    local idi = rt:add(rf.memory_id, tvb(off, 2))
    local rsi = rt:add(rf.reserved, tvb(off + 2, 2))
    local gi = rt:add(rf.generation, tvb(off + 4, 4))
    local oi = rt:add(rf.old_base, tvb(off + 8, 8))
    local ni = rt:add(rf.new_base, tvb(off + 16, 8))
    local si = rt:add(rf.size, tvb(off + 24, 8))
    rt:add(rf.switch_seq, tvb(off + 32, 4))
    local page = UInt64.new(4096)
    local zero = UInt64.new(0)
    if id ~= h.window then
        h.malformed(idi, string.format("Memory ID %d differs from the header's %d", id, h.window))
    end
    if tvb(off + 2, 2):uint() ~= 0 then h.malformed(rsi, "Reserved field of the remap body is not zero") end
    if gen == 0 then h.malformed(gi, "Generation 0 (remaps count from 1)") end
    if gen ~= h.seq then
        h.malformed(gi, string.format("Generation %d differs from the header's %d", gen, h.seq))
    end
    if size == zero or size % page ~= zero then
        h.malformed(si, "Size is not a non-zero multiple of 4 KiB")
    elseif old % page ~= zero or new % page ~= zero then
        h.malformed(old % page ~= zero and oi or ni, "Base is not a multiple of 4 KiB")
    elseif old + (size - UInt64.new(1)) < old or new + (size - UInt64.new(1)) < new then
        h.malformed(si, "Range runs past 2^64")
    elseif ranges_overlap(old, new, size) then
        h.malformed(ni, "Old and new ranges overlap")
    end
    local text = string.format("id=%d gen=%d 0x%s -> 0x%s size=0x%s switch_seq=%d", id, gen,
        old:tohex(), new:tohex(), size:tohex(), sw)
    rt:set_text("TLP-Tunnel Remap: " .. text)
    add_padding(root, tvb, off + REMAP_SIZE)
    return text
end
kind_handlers[KIND_REMAP] = remap_handler
kind_handlers[KIND_REMAP_ACK] = remap_handler

local function dissect_tunnel(tvb, pinfo, tree)
    local len = tvb:len()
    local root = tree:add(tunnel_proto, tvb())
    local bad = false
    local function malformed(item, text)
        item:add_proto_expert_info(ue.malformed, text)
        bad = true
    end
    local function done(text)
        if bad then text = text .. " [malformed]" end
        pinfo.cols.info:set(text)
        root:append_text(", " .. text)
    end

    if len < 1 then
        malformed(root, "Empty tunnel packet")
        return done("Tunnel (empty)")
    end
    local b0 = tvb(0, 1):uint()
    local version, kind = rshift(b0, 4), band(b0, 0x0F)
    local vi = root:add(uf.version, tvb(0, 1))
    if version ~= TUNNEL_VERSION then
        vi:add_proto_expert_info(ue.version,
            string.format("Unknown tunnel header version %d (this dissector knows %d)", version, TUNNEL_VERSION))
        bad = true
        add_rest(root, uf.body, tvb, 1)
        return done(string.format("Tunnel version %d (unknown)", version))
    end
    root:add(uf.kind, tvb(0, 1))
    local kind_name = kind_vals[kind] or string.format("kind %d", kind)
    if len < TUNNEL_FIXED_SIZE then
        malformed(root, string.format("Truncated tunnel header: %d bytes, the fixed part needs %d",
            len, TUNNEL_FIXED_SIZE))
        add_rest(root, uf.body, tvb, 1)
        return done(kind_name .. " (truncated)")
    end

    local h = { kind = kind, malformed = malformed, lengths = {}, length_items = {} }
    h.flags = tvb(1, 1):uint()
    h.flag = function(f) return band(h.flags, f) ~= 0 end
    local fi = root:add(uf.flags, tvb(1, 1))
    fi:add(uf.f_translated, tvb(1, 1))
    fi:add(uf.f_reliable, tvb(1, 1))
    fi:add(uf.f_compressed, tvb(1, 1))
    fi:add(uf.f_memory_id, tvb(1, 1))
    fi:add(uf.f_multicast, tvb(1, 1))
    fi:add(uf.f_ack, tvb(1, 1))
    fi:add(uf.f_nak, tvb(1, 1))
    local defined = FLAGS_DEFINED[kind]
    if defined and band(h.flags, bit.bnot(defined)) ~= 0 then
        if band(h.flags, 0x80) ~= 0 then fi:add(uf.f_reserved, tvb(1, 1)) end
        fi:add_proto_expert_info(ue.unknown_flags,
            string.format("Flag bits 0x%02x are not defined for %s (a receiver drops the packet)",
                band(h.flags, bit.bnot(defined)), kind_name))
    end
    local names = {}
    if h.flag(FLAG_TRANSLATED) then names[#names + 1] = "translated" end
    if h.flag(FLAG_RELIABLE) then names[#names + 1] = "reliable" end
    if h.flag(FLAG_COMPRESSED) then names[#names + 1] = "compressed" end
    if h.flag(FLAG_MEMORY_ID) then names[#names + 1] = "memory_id" end
    if h.flag(FLAG_MULTICAST) then names[#names + 1] = "multicast" end
    if h.flag(FLAG_ACK) then names[#names + 1] = "ack" end
    if h.flag(FLAG_NAK) then
        names[#names + 1] = "nak"
        fi:add_proto_expert_info(ue.nak)
    end
    if #names > 0 then fi:append_text(" (" .. table.concat(names, ", ") .. ")") end

    local control = kind == KIND_GRANT_REQUEST or kind == KIND_GRANT
    local remap = kind == KIND_REMAP or kind == KIND_REMAP_ACK
    local carries_tlps = kind == KIND_DATA or kind == KIND_COMPLETION
    h.count = tvb(2, 2):uint()
    local ci = root:add(uf.count, tvb(2, 2))
    h.source = tvb(4, 4):uint()
    root:add(uf.source, tvb(4, 4))
    h.seq = tvb(8, 4):uint()
    root:add((control and uf.nonce) or (remap and uf.generation) or uf.seq, tvb(8, 4))
    h.ack = tvb(12, 4):uint()
    root:add(uf.ack, tvb(12, 4))
    h.window = tvb(16, 2):uint()
    local win_text
    if h.flag(FLAG_MEMORY_ID) or remap then
        root:add(uf.memory_id, tvb(16, 2))
        win_text = "mem=" .. h.window
    else
        root:add(uf.window, tvb(16, 2))
        win_text = "win=" .. h.window
    end
    h.header_length = tvb(18, 2):uint()
    local hli = root:add(uf.header_length, tvb(18, 2))
    h.key = tvb(20, 4):uint()
    root:add(uf.key, tvb(20, 4))

    local head = string.format("%s src=%d seq=%d", kind_name, h.source, h.seq)
    if kind == KIND_ACK then
        head = string.format("%s src=%d ack=%d", kind_name, h.source, h.ack)
        if h.flag(FLAG_NAK) then head = head .. " NAK" end
    elseif control then
        head = string.format("%s src=%d nonce=%d", kind_name, h.source, h.seq)
    elseif remap then
        head = string.format("%s src=%d", kind_name, h.source)
    elseif h.flag(FLAG_ACK) then
        head = string.format("%s src=%d seq=%d ack=%d", kind_name, h.source, h.seq, h.ack)
    end

    if h.count > TUNNEL_MAX_COUNT then
        malformed(ci, string.format("TLP count %d above the maximum %d", h.count, TUNNEL_MAX_COUNT))
        add_rest(root, uf.body, tvb, TUNNEL_FIXED_SIZE)
        return done(head)
    end
    if carries_tlps and h.count == 0 then
        malformed(ci, kind_name .. " packet with TLP count 0")
        add_rest(root, uf.body, tvb, TUNNEL_FIXED_SIZE)
        return done(head)
    end
    if kind_vals[kind] and not carries_tlps and h.count ~= 0 then
        malformed(ci, string.format("%s packet with TLP count %d (carries no TLPs)", kind_name, h.count))
        add_rest(root, uf.body, tvb, TUNNEL_FIXED_SIZE)
        return done(head)
    end
    local need = TUNNEL_FIXED_SIZE + 2 * h.count
    if h.header_length < need or h.header_length % 4 ~= 0 then
        malformed(hli, string.format(
            "Header length %d inconsistent with TLP count %d (must be at least %d and a multiple of 4)",
            h.header_length, h.count, need))
        add_rest(root, uf.body, tvb, TUNNEL_FIXED_SIZE)
        return done(head)
    end
    if len < h.header_length then
        malformed(hli, string.format("Header length %d exceeds the packet (%d bytes)", h.header_length, len))
        add_rest(root, uf.body, tvb, TUNNEL_FIXED_SIZE)
        return done(head)
    end
    for i = 1, h.count do
        local off = TUNNEL_FIXED_SIZE + 2 * (i - 1)
        h.lengths[i] = tvb(off, 2):uint()
        local item = root:add(uf.tlp_length, tvb(off, 2))
        item:set_text(string.format("TLP %d length: %d bytes", i, h.lengths[i]))
        h.length_items[i] = item
    end
    if h.header_length > need then
        root:add(uf.header_pad, tvb(need, h.header_length - need))
    end

    local handler = kind_handlers[kind]
    if not handler then
        root:add_proto_expert_info(ue.unknown_kind,
            string.format("Unknown tunnel packet kind %d; body not decoded", kind))
        add_rest(root, uf.body, tvb, h.header_length)
        return done(string.format("%s %s (unknown kind)", head, win_text))
    end
    if kind ~= KIND_ACK then
        head = head .. " " .. win_text
    end
    local text = handler(tvb, pinfo, root, h)
    if text and text ~= "" then
        if kind == KIND_ACK then
            return done(head .. " " .. text)
        end
        return done(head .. ": " .. text)
    end
    return done(head)
end

function tunnel_proto.dissector(tvb, pinfo, tree)
    pinfo.cols.protocol:set("TLP-Tunnel")
    local ok, err = pcall(dissect_tunnel, tvb, pinfo, tree)
    if not ok then
        pinfo.cols.info:set("TLP-Tunnel [dissector error]")
        tree:add_proto_expert_info(ue.internal, "Tunnel dissector internal error: " .. tostring(err))
    end
    return tvb:len()
end

---------------------------------------------------------------------------
-- Registration
---------------------------------------------------------------------------
local registered_udp_port = nil

local function register_udp_port()
    local udp = DissectorTable.get("udp.port")
    if registered_udp_port then
        udp:remove(registered_udp_port, tunnel_proto)
        registered_udp_port = nil
    end
    local port = tunnel_proto.prefs.udp_port
    if port and port > 0 and port < 65536 then
        udp:add(port, tunnel_proto)
        registered_udp_port = port
    end
end

function tunnel_proto.prefs_changed()
    if registered_udp_port ~= tunnel_proto.prefs.udp_port then
        register_udp_port()
    end
end

DissectorTable.get("wtap_encap"):add(WTAP_USER0, tlp_proto)
DissectorTable.get("ethertype"):add(TUNNEL_ETHERTYPE, tunnel_proto)
register_udp_port()
do
    -- Offer "Decode As ... TLP-Tunnel" for other UDP ports.
    local udp = DissectorTable.get("udp.port")
    if udp.add_for_decode_as then pcall(udp.add_for_decode_as, udp, tunnel_proto) end
end
