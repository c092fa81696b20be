/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * Writes the generated part of the seed corpus (files gen-*) of every fuzz target:
 * valid packets of every kind made by the module's own serializers, and edge cases
 * next to them (truncations, reserved encodings, limits).
 *
 *   make-fuzz-corpus DIR     writes DIR/<target>/gen-<name>
 *
 * test/fuzz/corpus holds its output (check-corpus.sh compares them), plus the
 * reproducers of findings (files named after what they found).
 */

#include "fuzz-nic-setup.h"

#include "ns3/packet.h"
#include "ns3/tlp-ecrc-trailer.h"
#include "ns3/tlp-header.h"
#include "ns3/tlp-write-confirmation.h"
#include "ns3/tunnel-ack-header.h"
#include "ns3/tunnel-grant-header.h"
#include "ns3/tunnel-header.h"
#include "ns3/tunnel-remap-header.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <vector>

using namespace ns3;
using namespace ns3::tlpfuzz::nic;

namespace
{

using Bytes = std::vector<uint8_t>;

std::string g_dir;

void Write(const std::string& target, const std::string& name, const Bytes& bytes);

/// A seed of the NIC target: scene options, then records.
void
WriteNic(const std::string& name, uint8_t options, const Bytes& records)
{
    Bytes input = {options};
    input.insert(input.end(), records.begin(), records.end());
    Write("nic-receive", name, input);
}

void
Write(const std::string& target, const std::string& name, const Bytes& bytes)
{
    std::string dir = g_dir + "/" + target;
    mkdir(dir.c_str(), 0755);
    std::ofstream out(dir + "/gen-" + name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (!out)
    {
        std::fprintf(stderr,
                     "make-fuzz-corpus: cannot write %s/gen-%s\n",
                     dir.c_str(),
                     name.c_str());
        std::exit(1);
    }
}

Bytes
ToBytes(Ptr<const Packet> p)
{
    Bytes bytes(p->GetSize());
    p->CopyData(bytes.data(), bytes.size());
    return bytes;
}

Bytes
Pattern(uint32_t size, uint8_t seed)
{
    Bytes bytes(size);
    for (uint32_t i = 0; i < size; ++i)
    {
        bytes[i] = static_cast<uint8_t>(i * 31 + seed);
    }
    return bytes;
}

/// A TLP: header, data (as many bytes as Length says, when it has data), ECRC.
Bytes
Tlp(TlpHeader h, bool ecrc = false, uint8_t seed = 1)
{
    h.SetDigest(ecrc);
    Ptr<Packet> p = Create<Packet>(Pattern(h.GetDataSize(), seed).data(), h.GetDataSize());
    p->AddHeader(h);
    if (ecrc)
    {
        TlpEcrcTrailer::Append(p);
    }
    return ToBytes(p);
}

template <typename H>
Bytes
HeaderOnly(const H& h)
{
    Ptr<Packet> p = Create<Packet>();
    p->AddHeader(h);
    return ToBytes(p);
}

Bytes
Carrying(TunnelHeader::Kind kind,
         uint32_t source,
         uint16_t window,
         uint8_t flags,
         const std::vector<Bytes>& tlps,
         uint32_t sequence = 0,
         uint32_t ack = 0)
{
    TunnelHeader th;
    th.SetKind(kind);
    th.SetSource(source);
    th.SetWindow(window);
    th.SetFlags(flags);
    th.SetSequence(sequence);
    th.SetAck(ack);
    Ptr<Packet> p = Create<Packet>();
    for (const Bytes& tlp : tlps)
    {
        th.AddTlp(static_cast<uint16_t>(tlp.size()));
        p->AddAtEnd(Create<Packet>(tlp.data(), tlp.size()));
    }
    p->AddHeader(th);
    return ToBytes(p);
}

/// A DATA packet: requests through a window.
Bytes
Data(uint32_t source,
     uint16_t window,
     uint8_t flags,
     const std::vector<Bytes>& tlps,
     uint32_t sequence = 0,
     uint32_t ack = 0)
{
    return Carrying(TunnelHeader::DATA, source, window, flags, tlps, sequence, ack);
}

/// A COMPLETION packet: completions and write confirmations.
Bytes
Completion(uint32_t source,
           uint16_t window,
           uint8_t flags,
           const std::vector<Bytes>& tlps,
           uint32_t sequence = 0,
           uint32_t ack = 0)
{
    return Carrying(TunnelHeader::COMPLETION, source, window, flags, tlps, sequence, ack);
}

/// An ACK packet with SACK blocks.
Bytes
Ack(uint32_t source,
    uint32_t ack,
    const std::vector<std::pair<uint32_t, uint32_t>>& blocks,
    uint8_t flags = 0)
{
    TunnelAckHeader body;
    for (const auto& b : blocks)
    {
        body.AddBlock(SequenceNumber32(b.first), SequenceNumber32(b.second));
    }
    TunnelHeader th;
    th.SetKind(TunnelHeader::ACK);
    th.SetSource(source);
    th.SetAck(ack);
    th.SetFlags(flags);
    Ptr<Packet> p = Create<Packet>();
    p->AddHeader(body);
    p->AddHeader(th);
    return ToBytes(p);
}

TunnelGrantHeader
Body(uint64_t windowBase,
     uint64_t size,
     uint64_t regionBase,
     uint8_t translateAt,
     uint8_t status,
     uint8_t confirm = 0)
{
    TunnelGrantHeader g;
    g.windowBase = windowBase;
    g.size = size;
    g.regionBase = regionBase;
    g.translateAt = translateAt;
    g.status = status;
    g.confirm = confirm;
    return g;
}

template <typename B>
Bytes
Control(TunnelHeader::Kind kind,
        uint32_t source,
        uint16_t window,
        const B& body,
        uint32_t sequence = 0)
{
    TunnelHeader th;
    th.SetKind(kind);
    th.SetSource(source);
    th.SetWindow(window);
    th.SetSequence(sequence);
    Ptr<Packet> p = Create<Packet>();
    p->AddHeader(body);
    p->AddHeader(th);
    return ToBytes(p);
}

/// A REMAP body.
TunnelRemapHeader
Remap(uint16_t id,
      uint32_t generation,
      uint64_t oldBase,
      uint64_t newBase,
      uint64_t size,
      uint32_t switchSequence)
{
    TunnelRemapHeader h;
    h.memoryId = id;
    h.generation = generation;
    h.oldBase = oldBase;
    h.newBase = newBase;
    h.size = size;
    h.switchSequence = switchSequence;
    return h;
}

/// A record of the NIC target's input.
Bytes
Record(uint8_t control, const Bytes& payload)
{
    Bytes r = {control,
               static_cast<uint8_t>(payload.size() >> 8),
               static_cast<uint8_t>(payload.size())};
    r.insert(r.end(), payload.begin(), payload.end());
    return r;
}

Bytes
Cat(const std::vector<Bytes>& parts)
{
    Bytes all;
    for (const Bytes& part : parts)
    {
        all.insert(all.end(), part.begin(), part.end());
    }
    return all;
}

Bytes
Cut(Bytes bytes, size_t size)
{
    bytes.resize(size);
    return bytes;
}

TlpHeader
WithKind(TlpHeader h, TlpHeader::Kind kind)
{
    h.SetKind(kind);
    return h;
}

/// Headers of every kind, and the variants of their fields.
std::vector<std::pair<std::string, TlpHeader>>
Headers()
{
    std::vector<std::pair<std::string, TlpHeader>> all;
    all.emplace_back("mrd32", TlpHeader::MakeMemRead(0x12345678, 16, 0x0100, 0x2A));
    all.emplace_back("mrd64", TlpHeader::MakeMemRead(0x123456789ABCULL, 4096, 0x0010, 0x3FF));
    all.emplace_back("mrd-zero-length", TlpHeader::MakeMemRead(0x1000, 0, 0x0001, 1));
    all.emplace_back(
        "mrdlk",
        WithKind(TlpHeader::MakeMemRead(0x2000, 8, 0x0200, 7), TlpHeader::MEM_READ_LOCKED));
    all.emplace_back("mwr32-3-bytes", TlpHeader::MakeMemWrite(0x40000001, 3, 0x0004, 0));
    all.emplace_back("mwr64", TlpHeader::MakeMemWrite(0x100000000ULL, 64, 0x0000, 0));
    all.emplace_back("mwr-4096", TlpHeader::MakeMemWrite(0x40000000, 4096, 0x0000, 0));
    all.emplace_back("fetchadd32", TlpHeader::MakeAtomic(TlpHeader::FETCH_ADD, 0x1000, 4, 4, 3));
    all.emplace_back("fetchadd64",
                     TlpHeader::MakeAtomic(TlpHeader::FETCH_ADD, 0x100000008ULL, 8, 4, 3));
    all.emplace_back("swap", TlpHeader::MakeAtomic(TlpHeader::SWAP, 0x1008, 8, 4, 4));
    all.emplace_back("cas16", TlpHeader::MakeAtomic(TlpHeader::CAS, 0x100000010ULL, 16, 4, 5));
    all.emplace_back("cpl-ur",
                     TlpHeader::MakeCompletion(TlpHeader::UR, 0x0102, 0x0004, 9, 4, 0, 0));
    all.emplace_back("cpld",
                     TlpHeader::MakeCompletion(TlpHeader::SC, 0x0005, 0x0004, 0, 64, 0x40, 16));
    all.emplace_back(
        "cpld-4096",
        TlpHeader::MakeCompletion(TlpHeader::SC, 0x0005, 0x0004, 0x3FF, 4096, 0, 1024));
    all.emplace_back("cpllk",
                     WithKind(TlpHeader::MakeCompletion(TlpHeader::CA, 1, 2, 3, 4, 0, 0),
                              TlpHeader::COMPLETION_LOCKED));
    all.emplace_back("cpldlk",
                     WithKind(TlpHeader::MakeCompletion(TlpHeader::SC, 1, 2, 3, 8, 4, 2),
                              TlpHeader::COMPLETION_DATA_LOCKED));
    TlpHeader io = TlpHeader::MakeMemRead(0x3F8, 1, 0x0008, 2);
    io.SetKind(TlpHeader::IO_READ);
    all.emplace_back("iord", io);
    all.emplace_back("iowr", WithKind(io, TlpHeader::IO_WRITE));
    TlpHeader cfg;
    cfg.SetKind(TlpHeader::CFG_READ0);
    cfg.SetRequesterId(0x0000);
    cfg.SetTag(1);
    cfg.SetFirstByteEnable(0xF);
    cfg.SetCompleterId(0x0108);
    cfg.SetRegister(0x3FF);
    all.emplace_back("cfgrd0", cfg);
    all.emplace_back("cfgwr0", WithKind(cfg, TlpHeader::CFG_WRITE0));
    all.emplace_back("cfgrd1", WithKind(cfg, TlpHeader::CFG_READ1));
    all.emplace_back("cfgwr1", WithKind(cfg, TlpHeader::CFG_WRITE1));
    TlpHeader msg;
    msg.SetKind(TlpHeader::MESSAGE);
    msg.SetFmtType(0x34); // Msg, routing 100: local
    msg.SetMessageCode(0x20);
    msg.SetAddress(0x0102030405060708ULL);
    all.emplace_back("msg", msg);
    TlpHeader msgd = msg;
    msgd.SetKind(TlpHeader::MESSAGE_DATA);
    msgd.SetLengthDw(1);
    msgd.SetMessageCode(0x7F);
    all.emplace_back("msgd", msgd);
    TlpHeader fields = TlpHeader::MakeMemWrite(0x40000100, 8, 0xABCD, 0x2FF);
    fields.SetTrafficClass(7);
    fields.SetAttributes(7);
    fields.SetPoisoned(true);
    fields.SetProcessingHint(true);
    fields.SetPh(2);
    fields.SetLightweightNotification(true);
    fields.SetAddressType(2);
    all.emplace_back("mwr-every-field", fields);
    return all;
}

void
TlpHeaderCorpus()
{
    for (const auto& entry : Headers())
    {
        Write("tlp-header", entry.first, HeaderOnly(entry.second));
    }
    Bytes mrd = HeaderOnly(TlpHeader::MakeMemRead(0x12345678, 16, 0x0100, 0x2A));
    Bytes mrd64 = HeaderOnly(TlpHeader::MakeMemRead(0x100000000ULL, 4, 0x0100, 0x2A));
    Write("tlp-header", "truncated-3dw", Cut(mrd, 11));
    Write("tlp-header", "truncated-4dw", Cut(mrd64, 15));
    Write("tlp-header", "empty", {});
    Bytes prefix = mrd64;
    prefix[0] = 0x90; // Fmt 100: an end-end prefix
    Write("tlp-header", "prefix", prefix);
    Bytes reservedFmt = mrd64;
    reservedFmt[0] = 0xA0;
    Write("tlp-header", "reserved-fmt", reservedFmt);
    Bytes reservedType = mrd;
    reservedType[0] = 0x1B; // deprecated TCfgRd
    Write("tlp-header", "reserved-type", reservedType);
    Bytes wrongSize = mrd64;
    wrongSize[0] = 0x22 | 0x01; // IOWr with 4DW
    Write("tlp-header", "wrong-size", wrongSize);
    Bytes reservedBits =
        HeaderOnly(TlpHeader::MakeCompletion(TlpHeader::UR, 0x0102, 0x0004, 9, 4, 0, 0));
    reservedBits[11] |= 0x80;
    Write("tlp-header", "cpl-reserved-bit", reservedBits);
}

void
EcrcCorpus()
{
    for (const auto& entry : Headers())
    {
        Write("tlp-ecrc-trailer", entry.first, Tlp(entry.second, true));
    }
    Bytes bad = Tlp(TlpHeader::MakeMemWrite(0x1000, 8, 0, 0), true);
    bad.back() ^= 0x01;
    Write("tlp-ecrc-trailer", "bad-digest", bad);
    Write("tlp-ecrc-trailer", "smallest", {0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0});
    Write("tlp-ecrc-trailer", "too-small", {0x00, 0x00, 0x00, 0x01, 0, 0, 0});
    Bytes largest = Tlp(TlpHeader::MakeMemWrite(0x100000000ULL, 4096, 0, 0), true);
    Write("tlp-ecrc-trailer", "largest", largest);
    largest.push_back(0);
    Write("tlp-ecrc-trailer", "too-large", largest);
}

void
TunnelCorpus()
{
    Bytes mwr = Tlp(TlpHeader::MakeMemWrite(REGION, 4, 0, 0));
    Bytes mrd = Tlp(TlpHeader::MakeMemRead(REGION, 64, 0, 0));
    Write("tunnel-header", "data-1", Data(1, 2, TunnelHeader::FLAG_TRANSLATED, {mwr}, 7));
    Write("tunnel-header", "data-2", Data(1, 2, 0, {mwr, mrd}, 8));
    Write("tunnel-header", "data-3", Data(1, 2, 0x1F, {mwr, mrd, mwr}, 0xFFFFFFFF));
    Write("tunnel-header",
          "data-max-count",
          Data(0, 0, 0, std::vector<Bytes>(TunnelHeader::MAX_COUNT, Bytes(1, 0))));
    TunnelHeader ack;
    ack.SetKind(TunnelHeader::ACK);
    ack.SetSource(3);
    ack.SetAck(0x12345678);
    Ptr<Packet> p = Create<Packet>();
    p->AddHeader(ack);
    Write("tunnel-header", "ack", ToBytes(p));
    Bytes request = Control(TunnelHeader::GRANT_REQUEST,
                            0,
                            4,
                            Body(WINDOW, WINDOW_SIZE, TunnelGrantHeader::ANY_BASE, 0, 0));
    Write("tunnel-header", "grant-request", request);
    Write("tunnel-header",
          "grant",
          Control(TunnelHeader::GRANT, 1, 4, Body(WINDOW, WINDOW_SIZE, REGION, 1, 0)));
    Bytes longer = Data(1, 2, 0, {mwr});
    longer.insert(longer.begin() + 24, {0xEE, 0xEE, 0xEE, 0xEE});
    longer[19] = 28; // a header longer than this version knows is skipped
    Write("tunnel-header", "extended", longer);
    Write("tunnel-header", "truncated", Cut(request, 19));
    Bytes version = request;
    version[0] = 0x22;
    Write("tunnel-header", "version-2", version);
    Bytes kind = request;
    kind[0] = 0x14;
    Write("tunnel-header", "kind-4", kind);
    Bytes zero = Data(1, 2, 0, {mwr});
    zero[3] = 0; // DATA without TLPs
    Write("tunnel-header", "data-count-0", zero);
    Bytes odd = Data(1, 2, 0, {mwr});
    odd[19] = 22; // not a multiple of 4
    Write("tunnel-header", "length-odd", odd);
    Bytes cpl = Tlp(TlpHeader::MakeCompletion(TlpHeader::SC, 5, 0, 3, 4, 0, 1));
    const uint8_t reliable = TunnelHeader::FLAG_RELIABLE | TunnelHeader::FLAG_ACK;
    Write("tunnel-header", "completion", Completion(1, 0, reliable, {cpl}, 9, 4));
    Write("tunnel-header", "reliable-data", Data(1, 2, reliable | 1, {mwr}, 0xFFFFFFFE, 7));
    Write("tunnel-header", "ack-sack", Ack(2, 5, {{7, 9}, {11, 12}}));
    Write("tunnel-header", "ack-nak", Ack(2, 5, {}, TunnelHeader::FLAG_NAK));
    Bytes nakData = Data(1, 2, 0, {mwr});
    nakData[1] = TunnelHeader::FLAG_NAK; // a flag DATA does not define
    Write("tunnel-header", "data-nak", nakData);
    Bytes countAck = Ack(2, 5, {});
    countAck[3] = 1; // an ACK carries no TLPs
    Write("tunnel-header", "ack-count-1", countAck);
    Bytes kind5 = request;
    kind5[0] = 0x15;
    Write("tunnel-header", "kind-5", kind5);
    TunnelRemapHeader remap = Remap(7, 1, REGION, REGION + 0x100000, 0x10000, 41);
    Write("tunnel-header", "remap", Control(TunnelHeader::REMAP, 1, 7, remap, 1));
    Write("tunnel-header", "remap-ack", Control(TunnelHeader::REMAP_ACK, 0, 7, remap, 1));
    Bytes kind7 = request;
    kind7[0] = 0x17;
    Write("tunnel-header", "kind-7", kind7);
}

void
RemapCorpus()
{
    auto body = [](const TunnelRemapHeader& h) { return HeaderOnly(h); };
    const std::string t = "tunnel-remap-header";
    Write(t, "moved", body(Remap(7, 1, REGION, REGION + 0x100000, 0x10000, 41)));
    Write(t, "adjacent", body(Remap(1, 2, REGION, REGION + 0x10000, 0x10000, 0)));
    Write(t, "last-page", body(Remap(1, 3, 0, ~uint64_t(0xFFF), 0x1000, 0xFFFFFFFF)));
    Bytes good = body(Remap(7, 1, REGION, REGION + 0x100000, 0x10000, 41));
    Write(t, "truncated", Cut(good, 35));
    Bytes reserved = good;
    reserved[3] = 1;
    Write(t, "reserved", reserved);
    Bytes generation = good;
    generation[7] = 0;
    Write(t, "generation-0", generation);
    Bytes unaligned = good;
    unaligned[22] = 0x08;
    Write(t, "unaligned", unaligned);
    Bytes odd = good;
    odd[30] = 0x08;
    Write(t, "size-odd", odd);
    Write(t, "overlap", body(Remap(7, 1, REGION, REGION + 0x8000, 0x10000, 41)));
    Bytes wrap = body(Remap(7, 1, REGION, ~uint64_t(0xFFF), 0x1000, 41));
    wrap[31] = 0x00;
    wrap[30] = 0x20; // two pages from the last one: past 2^64
    Write(t, "wrap", wrap);
}

void
AckCorpus()
{
    auto body = [](const std::vector<std::pair<uint32_t, uint32_t>>& blocks) {
        Bytes a = Ack(0, 0, blocks);
        return Bytes(a.begin() + TunnelHeader::FIXED_SIZE, a.end());
    };
    Write("tunnel-ack-header", "none", body({}));
    Write("tunnel-ack-header", "one", body({{3, 5}}));
    Write("tunnel-ack-header", "wrapping", body({{0xFFFFFFF0u, 4}}));
    Write("tunnel-ack-header",
          "most",
          body(std::vector<std::pair<uint32_t, uint32_t>>(TunnelAckHeader::MAX_BLOCKS, {1, 2})));
    Bytes empty = body({{7, 7}});
    Write("tunnel-ack-header", "empty-block", empty);
    Bytes half = body({{0, 0x80000000u}});
    Write("tunnel-ack-header", "half-space", half);
    Write("tunnel-ack-header", "truncated", Cut(body({{3, 5}, {8, 9}}), 11));
    Bytes reserved = body({{3, 5}});
    reserved[3] = 1;
    Write("tunnel-ack-header", "reserved", reserved);
    Bytes many = body({{1, 2}});
    many[1] = 65; // more blocks than an ACK carries
    Write("tunnel-ack-header", "too-many", many);
}

void
GrantCorpus()
{
    auto body = [](const TunnelGrantHeader& g) {
        Ptr<Packet> p = Create<Packet>();
        p->AddHeader(g);
        return ToBytes(p);
    };
    Write("tunnel-grant-header",
          "request-any",
          body(Body(WINDOW, WINDOW_SIZE, TunnelGrantHeader::ANY_BASE, 0, 0)));
    Write("tunnel-grant-header", "granted", body(Body(WINDOW, WINDOW_SIZE, REGION, 1, 0)));
    Write("tunnel-grant-header", "refused", body(Body(WINDOW, 0x1000, 0x20000000000ULL, 0, 1)));
    Write("tunnel-grant-header", "truncated", Cut(body(Body(0, 0, 0, 0, 0)), 27));
    Write("tunnel-grant-header",
          "confirm-receiver-nic",
          body(Body(WINDOW, WINDOW_SIZE, REGION, 0, 0, 3)));
    Write("tunnel-grant-header", "refused-overlap", body(Body(WINDOW, 0x1000, REGION, 0, 3)));
    Bytes status = body(Body(WINDOW, WINDOW_SIZE, REGION, 1, 0));
    status[25] = 6;
    Write("tunnel-grant-header", "status-6", status);
    Bytes confirm = body(Body(WINDOW, WINDOW_SIZE, REGION, 1, 0));
    confirm[26] = 4;
    Write("tunnel-grant-header", "confirm-4", confirm);
    Bytes reserved = body(Body(WINDOW, WINDOW_SIZE, REGION, 1, 0));
    reserved[27] = 1;
    Write("tunnel-grant-header", "reserved", reserved);
}

void
NicCorpus()
{
    const uint8_t translated = TunnelHeader::FLAG_TRANSLATED;
    const uint16_t cpu0 = RequesterId(0, 0);
    const uint16_t cpu1 = RequesterId(1, 0);
    const uint16_t mem1 = RequesterId(1, 1);
    auto write = [&](uint64_t address, uint32_t bytes, bool ecrc = false) {
        return Tlp(TlpHeader::MakeMemWrite(address, bytes, cpu0, 0), ecrc);
    };
    auto toNode1 = [&](const std::vector<Bytes>& tlps, uint16_t window = 0, uint8_t flags = 1) {
        return Record(0, Data(0, window, flags, tlps));
    };
    for (uint32_t size : {1u, 2u, 3u, 4u, 64u, 256u, 4096u})
    {
        WriteNic("mwr-" + std::to_string(size),
                 0,
                 toNode1({write(REGION + 0x1000 - (size == 4096 ? 0 : 1), size)}));
    }
    WriteNic("mwr-ecrc", 0, toNode1({write(REGION + 0x40, 64, true)}));
    Bytes stale = write(REGION + 0x40, 64, true);
    stale[stale.size() - 1] ^= 0xFF;
    WriteNic("mwr-ecrc-fixed", 0, Record(FIX_ECRC, Data(0, 0, translated, {stale})));
    WriteNic("mwr-bad-ecrc", 0, toNode1({stale}));
    WriteNic("mrd", 0, toNode1({Tlp(TlpHeader::MakeMemRead(REGION + 0x80, 600, cpu0, 7))}));
    WriteNic("atomics",
             0,
             toNode1({Tlp(TlpHeader::MakeAtomic(TlpHeader::FETCH_ADD, REGION + 0x100, 8, cpu0, 1)),
                      Tlp(TlpHeader::MakeAtomic(TlpHeader::SWAP, REGION + 0x108, 4, cpu0, 2)),
                      Tlp(TlpHeader::MakeAtomic(TlpHeader::CAS, REGION + 0x110, 16, cpu0, 3))}));
    WriteNic("aggregated",
             0,
             toNode1({write(REGION, 64),
                      Tlp(TlpHeader::MakeMemRead(REGION, 64, cpu0, 8)),
                      write(REGION + 0x100, 4)}));
    WriteNic("receiver-translates",
             0,
             toNode1({Tlp(TlpHeader::MakeMemWrite(WINDOW1 + 0x40, 64, cpu0, 0)),
                      Tlp(TlpHeader::MakeMemRead(WINDOW1 + 0x40, 64, cpu0, 9))},
                     1,
                     0));
    WriteNic("outside-region",
             0,
             toNode1({write(REGION + WINDOW_SIZE - 4, 8),
                      Tlp(TlpHeader::MakeMemRead(REGION + WINDOW_SIZE, 4, cpu0, 4))}));
    WriteNic("unknown-window", 0, toNode1({write(REGION, 4)}, 9));
    // Completions for the set-up's requests of node 1's CPU (tags 0..3).
    auto completions = [&](const std::vector<Bytes>& tlps) {
        return Record(0, Completion(0, 0, 0, tlps));
    };
    WriteNic(
        "completions",
        0,
        completions(
            {Tlp(TlpHeader::
                     MakeCompletion(TlpHeader::SC, mem1, cpu1, 0, 64, PENDING_READ & 0x7F, 16)),
             Tlp(TlpHeader::
                     MakeCompletion(TlpHeader::SC, mem1, cpu1, 1, 512, PENDING_SPLIT & 0x7F, 128)),
             Tlp(TlpHeader::MakeCompletion(TlpHeader::SC, mem1, cpu1, 2, 88, 0, 22)),
             Tlp(TlpHeader::MakeCompletion(TlpHeader::SC, mem1, cpu1, 3, 8, 0, 2)),
             Tlp(TlpHeader::MakeCompletion(TlpHeader::UR, mem1, cpu1, 4, 4, 0, 0))}));
    WriteNic("completion-for-the-nic",
             0,
             completions({Tlp(
                 TlpHeader::MakeCompletion(TlpHeader::SC, mem1, RequesterId(1, 2), 0, 4, 0, 1))}));
    WriteNic("completion-in-data",
             0,
             toNode1({Tlp(TlpHeader::MakeCompletion(TlpHeader::SC, mem1, cpu1, 0, 64, 0, 16))}));
    // Grants: a new region asked for, then written; the pending window granted or refused.
    WriteNic("grant-request-then-write",
             0,
             Cat({Record(0,
                         Control(TunnelHeader::GRANT_REQUEST,
                                 0,
                                 5,
                                 Body(WINDOW + 0x400000, PAGE, REGION + 0x100000, 0, 0))),
                  Record(0, Data(0, 5, translated, {write(REGION + 0x100000, 64)}, 1))}));
    WriteNic("grant-request-any",
             0,
             Record(0,
                    Control(TunnelHeader::GRANT_REQUEST,
                            0,
                            6,
                            Body(WINDOW + 0x400000, 2 * PAGE, TunnelGrantHeader::ANY_BASE, 1, 0))));
    WriteNic(
        "grant-pending",
        0,
        Record(0, Control(TunnelHeader::GRANT, 0, 1, Body(PENDING, PAGE, REGION + 0x10000, 0, 0))));
    WriteNic("grant-refused",
             0,
             Record(0, Control(TunnelHeader::GRANT, 0, 1, Body(PENDING, PAGE, 0, 0, 1))));
    // Node 0's NIC, from node 1.
    WriteNic("to-node0",
             0,
             Record(TO_NODE0,
                    Data(1,
                         0,
                         translated,
                         {Tlp(TlpHeader::MakeMemWrite(REGION + 0x20, 8, cpu1, 0)),
                          Tlp(TlpHeader::MakeMemRead(REGION + 0x20, 8, cpu1, 5))})));
    // Sources outside the fabric, and the NIC's own ID.
    WriteNic("unknown-source-read",
             0,
             Record(0, Data(77, 0, translated, {Tlp(TlpHeader::MakeMemRead(REGION, 4, cpu0, 0))})));
    WriteNic("unknown-source-grant-request",
             0,
             Record(0,
                    Control(TunnelHeader::GRANT_REQUEST,
                            77,
                            0,
                            Body(WINDOW, PAGE, TunnelGrantHeader::ANY_BASE, 0, 0))));
    WriteNic("own-source", 0, Record(0, Data(1, 0, translated, {write(REGION, 4)})));
    // Malformed packets; one with a far sequence number, then a good one.
    Bytes past = Data(0, 0, translated, {write(REGION, 4)});
    past[21] = 200; // the TLP's length runs past the end
    Bytes farPast = Data(0, 0, translated, {write(REGION, 4)}, 0xFFFFFFF0);
    farPast[21] = 200;
    WriteNic(
        "malformed",
        0,
        Cat({Record(0, Cut(past, 10)),
             Record(0, Bytes(64, 0)),
             Record(0, past),
             Record(0, Data(0, 0, translated, {Cut(write(REGION, 4), 11)})),
             Record(0, Cut(Control(TunnelHeader::GRANT, 0, 1, Body(PENDING, PAGE, 0, 0, 0)), 40)),
             Record(
                 0,
                 Data(0, 0, translated, {HeaderOnly(TlpHeader::MakeMemRead(REGION, 4, 0, 0))}))}));
    Bytes shortData = write(REGION + 0x40, 8);
    shortData.resize(shortData.size() - 4); // Length says 2 DW, 1 follows
    Bytes longData = write(REGION + 0x40, 4);
    longData.insert(longData.end(), {9, 9, 9, 9});
    WriteNic("tlp-size-mismatch", 0, toNode1({shortData, longData}));
    WriteNic("malformed-far-sequence",
             0,
             Cat({Record(0, farPast), Record(0, Data(0, 0, translated, {write(REGION, 4)}, 1))}));
    TunnelHeader ack;
    ack.SetKind(TunnelHeader::ACK);
    ack.SetSource(0);
    Ptr<Packet> p = Create<Packet>();
    p->AddHeader(ack);
    WriteNic("ack", 0, Record(0, ToBytes(p)));
    // Reliable delivery: in order, reordered, duplicated, far ahead; acknowledgements
    // of what was and was not sent; SACK and NAK.
    const uint8_t reliable = TunnelHeader::FLAG_RELIABLE | translated;
    auto seq = [&](uint32_t n, uint64_t offset) {
        return Record(0, Data(0, 0, reliable, {write(REGION + offset, 8)}, n));
    };
    WriteNic("reliable-in-order", 0, Cat({seq(0, 0), seq(1, 8), seq(2, 16)}));
    WriteNic("reliable-reordered", 0, Cat({seq(2, 16), seq(1, 8), seq(0, 0)}));
    WriteNic("reliable-duplicate", 0, Cat({seq(0, 0), seq(0, 0), seq(1, 8), seq(0, 0)}));
    WriteNic("reliable-far", 0, Cat({seq(300, 0), seq(0xFFFFFFF0u, 8), seq(255, 16)}));
    WriteNic("unsequenced",
             0,
             Cat({Record(0, Data(0, 0, translated, {write(REGION, 4)}, 3)),
                  Record(0, Data(0, 0, translated, {write(REGION + 4, 4)}, 1)),
                  Record(0, Data(0, 0, translated, {write(REGION + 8, 4)}, 1)),
                  Record(0, Data(0, 0, translated, {write(REGION + 12, 4)}, 0x20000))}));
    WriteNic("piggybacked-ack",
             0,
             Record(0, Data(0, 0, reliable | TunnelHeader::FLAG_ACK, {write(REGION, 4)}, 0, 0)));
    WriteNic("ack-of-unsent", 0, Record(0, Ack(0, 9, {})));
    WriteNic("sack", 0, Record(0, Ack(0, 0, {{2, 4}, {6, 7}})));
    WriteNic("nak", 0, Record(0, Ack(0, 0, {}, TunnelHeader::FLAG_NAK)));
    // A read from node 1 (a UR comes back), then its acknowledgement and a SACK.
    WriteNic("read-then-acks",
             0,
             Cat({Record(0,
                         Data(0,
                              0,
                              reliable,
                              {Tlp(TlpHeader::MakeMemRead(REGION + 0x20000, 4, cpu0, 11))},
                              0)),
                  Record(0, Ack(0, 1, {})),
                  Record(0, Ack(0, 0, {{0, 1}}))}));
    // Write confirmations: a write that asks for one, a confirmation nobody awaits.
    TlpHeader confirmed = TlpHeader::MakeMemWrite(REGION + 0x300, 64, cpu0, 0);
    TlpWriteConfirmation::SetRequested(confirmed, true);
    WriteNic("write-asks-confirmation", 0, toNode1({Tlp(confirmed)}));
    Ptr<Packet> confirmation = TlpWriteConfirmation::Make(mem1, cpu1, PENDING_WRITE, 64);
    WriteNic("stray-confirmation",
             0,
             Record(0, Completion(0, 1, translated, {ToBytes(confirmation)})));
    WriteNic("compressed", 0, toNode1({write(REGION, 4)}, 0, TunnelHeader::FLAG_COMPRESSED));
    WriteNic("empty-record", 0, Record(LONG_STEP, {}));
    // The same traffic with aggregating NICs, and with ECRC everywhere.
    Bytes mixed =
        Cat({toNode1({write(REGION, 64), Tlp(TlpHeader::MakeMemRead(REGION, 1024, cpu0, 1))}),
             Record(TO_NODE0,
                    Data(1, 0, translated, {Tlp(TlpHeader::MakeMemRead(REGION, 64, cpu1, 6))}))});
    WriteNic("aggregate", AGGREGATE, mixed);
    WriteNic("ecrc", ECRC, mixed);
}

} // namespace

int
main(int argc, char** argv)
{
    if (argc != 2)
    {
        std::fprintf(stderr, "usage: make-fuzz-corpus DIR\n");
        return 2;
    }
    g_dir = argv[1];
    mkdir(g_dir.c_str(), 0755);
    TlpHeaderCorpus();
    EcrcCorpus();
    TunnelCorpus();
    GrantCorpus();
    RemapCorpus();
    AckCorpus();
    NicCorpus();
    return 0;
}
